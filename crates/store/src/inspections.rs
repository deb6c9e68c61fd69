//! Inspection records (监督检查记录) and rectification orders (责令整改): a
//! record closes its task; an order creates the re-inspection (复查) task for
//! its deadline; the institution reports its correction. The domain checks
//! the inspectors, checklist and deadline; this module keeps each step atomic.

use crate::audit::Change;
use crate::case_leads::{self, CaseLead, NewLead};
use crate::columns;
use crate::ids::{parse_db, EntityId, InspectionId, InspectionTaskId, InspectorId, RectificationId, UserId};
use crate::inspection_tasks::InspectionTask;
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::page::{self, Conditions, Cursor, Page};
use crate::{time, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use weijian_rules::case_leads::CaseLeadSource;
use weijian_rules::inspection::{
    InspectionOutcome, PartySignature, PointResult, RectificationStatus, TaskSource, TaskStatus,
};

/// One checklist point's result: the item's code and the point's position in its checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointRecord {
    pub item: String,
    pub point: usize,
    pub result: PointResult,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InspectionData {
    pub inspected_on: NaiveDate,
    /// When the inspection began and ended that day (Beijing time); None on
    /// records made before the times were kept.
    #[serde(serialize_with = "clock::serialize")]
    pub started_at: Option<NaiveTime>,
    #[serde(serialize_with = "clock::serialize")]
    pub ended_at: Option<NaiveTime>,
    pub place: String,
    pub inspectors: [InspectorId; 2],
    pub results: Vec<PointRecord>,
    pub findings: String,
    pub party_signature: PartySignature,
    pub party_name: Option<String>,
    pub outcome: InspectionOutcome,
    /// Attachment ids (evidence).
    pub attachments: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Inspection {
    pub id: InspectionId,
    pub task_id: InspectionTaskId,
    pub entity_id: EntityId,
    pub entity_name: String,
    pub region_code: String,
    #[serde(flatten)]
    pub data: InspectionData,
    /// The user who saved the record.
    pub recorded_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// Times of day as `HH:MM`, in JSON and in the database.
pub mod clock {
    use chrono::NaiveTime;
    use serde::Serializer;

    pub const FORMAT: &str = "%H:%M";

    pub fn to_text(t: NaiveTime) -> String {
        t.format(FORMAT).to_string()
    }

    /// `HH:MM` (or `HH:MM:SS`, seconds dropped); None for anything else.
    pub fn parse(s: &str) -> Option<NaiveTime> {
        let s = s.trim();
        NaiveTime::parse_from_str(s, FORMAT)
            .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
            .ok()
            .and_then(|t| NaiveTime::from_hms_opt(chrono::Timelike::hour(&t), chrono::Timelike::minute(&t), 0))
    }

    pub fn serialize<S: Serializer>(t: &Option<NaiveTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&to_text(*t)),
            None => s.serialize_none(),
        }
    }
}

/// What an order requires and by when (the domain computes the deadline).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderData {
    pub content: String,
    pub deadline: NaiveDate,
}

#[derive(Clone, Debug, Serialize)]
pub struct Rectification {
    pub id: RectificationId,
    pub inspection_id: InspectionId,
    pub entity_id: EntityId,
    pub entity_name: String,
    pub region_code: String,
    pub content: String,
    pub ordered_on: NaiveDate,
    pub deadline: NaiveDate,
    pub status: RectificationStatus,
    pub report: Option<String>,
    pub report_attachments: Vec<String>,
    pub reported_at: Option<DateTime<Utc>>,
    pub reinspection_task_id: Option<InspectionTaskId>,
    /// The re-inspection (复查) record that verified the order or found it unresolved.
    pub reinspection_id: Option<InspectionId>,
    pub version: i64,
}

/// What recording an inspection did: the record, the order it issued, the
/// order it followed up (a re-inspection), and the case lead it raised.
#[derive(Clone, Debug, Serialize)]
pub struct Recorded {
    pub inspection: Inspection,
    pub rectification: Option<Rectification>,
    pub followed_up: Option<Rectification>,
    pub case_lead: Option<CaseLead>,
}

const INSPECTION_OWNER: Owner = Owner { region: "i.region_code", entity: Some("i.entity_id") };
const RECTIFICATION_OWNER: Owner = Owner { region: "r.region_code", entity: Some("r.entity_id") };

fn json_text<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialises")
}

/// Records the inspection of a task, in one audited transaction. The task must
/// still be open. For 责令整改 it issues the order and its re-inspection task;
/// a re-inspection (复查) closes the order it follows up — verified when the
/// outcome is 合格, unresolved otherwise; a 建议立案 outcome or an unresolved
/// re-inspection raises a case lead (案源) carrying `violation_codes`, the
/// catalog codes of the failed checklist points.
pub async fn record(
    store: &Store,
    actor: &Actor,
    task: &InspectionTask,
    data: &InspectionData,
    order: Option<&OrderData>,
    violation_codes: &[String],
) -> StoreResult<Recorded> {
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &task.region_code, entity_id: None }).await?;
    let now = time::now();
    let closed = sqlx::query(
        "UPDATE inspection_tasks SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND status = $4",
    )
    .bind(TaskStatus::Done.key())
    .bind(time::to_db(now))
    .bind(task.id.to_string())
    .bind(TaskStatus::Assigned.key())
    .execute(&mut *tx.conn())
    .await?;
    if closed.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            code: "inspection.task_closed",
            message: format!("{}的检查任务已记录或已取消，不能重复记录", task.entity_name),
        });
    }
    // A re-inspection follows up an order still awaiting it.
    let follows =
        if task.source == TaskSource::Reinspection { Some(order_followed_up(&mut tx, task).await?) } else { None };
    let inspection = Inspection {
        id: InspectionId::new(),
        task_id: task.id,
        entity_id: task.entity_id,
        entity_name: task.entity_name.clone(),
        region_code: task.region_code.clone(),
        data: data.clone(),
        recorded_by: actor.user_id(),
        created_at: now,
    };
    sqlx::query(
        "INSERT INTO inspections (id, task_id, entity_id, region_code, inspected_on, place, inspector1_id, \
         inspector2_id, results, findings, party_signature, party_name, outcome, attachments, recorded_by, created_at, \
         started_at, ended_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(inspection.id.to_string())
    .bind(task.id.to_string())
    .bind(task.entity_id.to_string())
    .bind(&task.region_code)
    .bind(data.inspected_on.to_string())
    .bind(&data.place)
    .bind(data.inspectors[0].to_string())
    .bind(data.inspectors[1].to_string())
    .bind(json_text(&data.results))
    .bind(&data.findings)
    .bind(data.party_signature.key())
    .bind(&data.party_name)
    .bind(data.outcome.key())
    .bind(json_text(&data.attachments))
    .bind(actor.user_id().map(|u| u.to_string()))
    .bind(time::to_db(now))
    .bind(data.started_at.map(clock::to_text))
    .bind(data.ended_at.map(clock::to_text))
    .execute(&mut *tx.conn())
    .await?;
    crate::coverage::mark(&mut tx, task, &inspection).await?;
    for a in &data.attachments {
        crate::attachments::link(&mut tx, actor, parse_db(a)?, "inspection", &inspection.id.to_string()).await?;
    }
    if let Some(plan) = task.plan_id {
        // The plan is in progress with its first record and completed with its last.
        sqlx::query(
            "UPDATE random_plans SET status = CASE WHEN EXISTS (SELECT 1 FROM inspection_tasks t \
             WHERE t.plan_id = $1 AND t.status = $2) THEN 'in_progress' ELSE 'completed' END, updated_at = $3 \
             WHERE id = $1 AND status IN ('drawn', 'in_progress')",
        )
        .bind(plan.to_string())
        .bind(TaskStatus::Assigned.key())
        .bind(time::to_db(now))
        .execute(&mut *tx.conn())
        .await?;
    }
    let followed_up = match follows {
        None => None,
        Some(before) => Some(close_order(&mut tx, actor, before, &inspection, now).await?),
    };
    let rectification = match order {
        None => None,
        Some(o) => Some(issue_order(&mut tx, task, data, &inspection, o, now).await?),
    };
    let summary = match &rectification {
        Some(r) => format!("记录{}的监督检查：{}，限 {} 前整改", task.entity_name, data.outcome.label(), r.deadline),
        None => format!("记录{}的监督检查：{}", task.entity_name, data.outcome.label()),
    };
    tx.audit(
        actor,
        Change {
            action: "inspection.record",
            object_type: "entity",
            object_id: task.entity_id.to_string(),
            region_code: Some(task.region_code.clone()),
            summary,
            before: None,
            after: Some(json!({"inspection": inspection, "rectification": rectification})),
        },
    )
    .await?;
    let case_lead = raise_lead(&mut tx, actor, &inspection, followed_up.as_ref(), violation_codes).await?;
    tx.commit().await?;
    Ok(Recorded { inspection, rectification, followed_up, case_lead })
}

/// The order a re-inspection task follows up: the one that created the task,
/// else (a re-inspection assigned by hand) the entity's latest order still
/// awaiting one. An order already verified or found unresolved is refused.
async fn order_followed_up(tx: &mut crate::WriteTx, task: &InspectionTask) -> StoreResult<Rectification> {
    let linked = sqlx::query(&format!(
        "SELECT {RECTIFICATION_COLUMNS} FROM rectifications r JOIN entities e ON e.id = r.entity_id \
         WHERE r.reinspection_task_id = $1"
    ))
    .bind(task.id.to_string())
    .fetch_optional(&mut *tx.conn())
    .await?;
    let order = match linked {
        Some(row) => rectification_from_row(&row)?,
        None => {
            let row = sqlx::query(&format!(
                "SELECT {RECTIFICATION_COLUMNS} FROM rectifications r JOIN entities e ON e.id = r.entity_id \
                 WHERE r.entity_id = $1 AND r.status IN ($2, $3) ORDER BY r.ordered_on DESC, r.id DESC LIMIT 1"
            ))
            .bind(task.entity_id.to_string())
            .bind(RectificationStatus::Open.key())
            .bind(RectificationStatus::Reported.key())
            .fetch_optional(&mut *tx.conn())
            .await?
            .ok_or_else(|| StoreError::Conflict {
                code: "reinspection.no_open_order",
                message: format!("{}没有待复查的整改通知，不能记录复查", task.entity_name),
            })?;
            rectification_from_row(&row)?
        }
    };
    if !matches!(order.status, RectificationStatus::Open | RectificationStatus::Reported) {
        return Err(StoreError::Conflict {
            code: "rectification.already_closed",
            message: format!("该整改通知已{}，不能再次复查", order.status.label()),
        });
    }
    Ok(order)
}

/// Closes a followed-up order with the re-inspection's verdict, audited.
async fn close_order(
    tx: &mut crate::WriteTx,
    actor: &Actor,
    before: Rectification,
    reinspection: &Inspection,
    now: DateTime<Utc>,
) -> StoreResult<Rectification> {
    let status = if reinspection.data.outcome == InspectionOutcome::Qualified {
        RectificationStatus::Verified
    } else {
        RectificationStatus::Unresolved
    };
    let done = sqlx::query(
        "UPDATE rectifications SET status = $1, reinspection_id = $2, version = version + 1, updated_at = $3 \
         WHERE id = $4 AND status IN ($5, $6)",
    )
    .bind(status.key())
    .bind(reinspection.id.to_string())
    .bind(time::to_db(now))
    .bind(before.id.to_string())
    .bind(RectificationStatus::Open.key())
    .bind(RectificationStatus::Reported.key())
    .execute(&mut *tx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            code: "rectification.already_closed",
            message: "该整改通知已复查，不能再次复查".into(),
        });
    }
    let after =
        Rectification { status, reinspection_id: Some(reinspection.id), version: before.version + 1, ..before.clone() };
    tx.audit(
        actor,
        Change {
            action: if status == RectificationStatus::Verified {
                "rectification.verify"
            } else {
                "rectification.unresolved"
            },
            object_type: "entity",
            object_id: before.entity_id.to_string(),
            region_code: Some(before.region_code.clone()),
            summary: format!("复查{}的整改情况：{}", before.entity_name, status.label()),
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    Ok(after)
}

/// Issues a 责令整改 order with its re-inspection task for the deadline.
async fn issue_order(
    tx: &mut crate::WriteTx,
    task: &InspectionTask,
    data: &InspectionData,
    inspection: &Inspection,
    o: &OrderData,
    now: DateTime<Utc>,
) -> StoreResult<Rectification> {
    let reinspection = InspectionTaskId::new();
    sqlx::query(
        "INSERT INTO inspection_tasks (id, region_code, entity_id, source, plan_id, item_list_id, items, \
         inspector1_id, inspector2_id, due_on, status, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, NULL, $12, $5, $6, $7, $8, $9, 1, $10, $11)",
    )
    .bind(reinspection.to_string())
    .bind(&task.region_code)
    .bind(task.entity_id.to_string())
    .bind(TaskSource::Reinspection.key())
    .bind(json_text(&task.items))
    .bind(data.inspectors[0].to_string())
    .bind(data.inspectors[1].to_string())
    .bind(o.deadline.to_string())
    .bind(TaskStatus::Assigned.key())
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .bind(task.item_list_id.map(|l| l.to_string()))
    .execute(&mut *tx.conn())
    .await?;
    let r = Rectification {
        id: RectificationId::new(),
        inspection_id: inspection.id,
        entity_id: task.entity_id,
        entity_name: task.entity_name.clone(),
        region_code: task.region_code.clone(),
        content: o.content.clone(),
        ordered_on: data.inspected_on,
        deadline: o.deadline,
        status: RectificationStatus::Open,
        report: None,
        report_attachments: vec![],
        reported_at: None,
        reinspection_task_id: Some(reinspection),
        reinspection_id: None,
        version: 1,
    };
    sqlx::query(
        "INSERT INTO rectifications (id, inspection_id, entity_id, region_code, content, ordered_on, deadline, \
         status, report, report_attachments, reported_at, reinspection_task_id, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, '[]', NULL, $9, 1, $10, $11)",
    )
    .bind(r.id.to_string())
    .bind(inspection.id.to_string())
    .bind(task.entity_id.to_string())
    .bind(&task.region_code)
    .bind(&o.content)
    .bind(r.ordered_on.to_string())
    .bind(o.deadline.to_string())
    .bind(r.status.key())
    .bind(reinspection.to_string())
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .execute(&mut *tx.conn())
    .await?;
    Ok(r)
}

fn clip(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// The case lead an inspection raises: 建议立案, or a re-inspection that found
/// its order unresolved (unless that order already has its lead).
async fn raise_lead(
    tx: &mut crate::WriteTx,
    actor: &Actor,
    inspection: &Inspection,
    followed_up: Option<&Rectification>,
    violation_codes: &[String],
) -> StoreResult<Option<CaseLead>> {
    let findings = if inspection.data.findings.is_empty() {
        String::new()
    } else {
        format!("。检查情况：{}", clip(&inspection.data.findings, 300))
    };
    let (source, rectification_id, summary) = match followed_up {
        Some(order) if order.status == RectificationStatus::Unresolved => {
            if case_leads::exists_for_order(tx, order.id).await? {
                return Ok(None);
            }
            (
                CaseLeadSource::UnresolvedReinspection,
                Some(order.id),
                format!(
                    "{} 复查{}未按要求整改到位（整改期限 {}）：{}{findings}",
                    inspection.data.inspected_on,
                    inspection.entity_name,
                    order.deadline,
                    clip(&order.content, 300)
                ),
            )
        }
        Some(_) => return Ok(None),
        None if inspection.data.outcome == InspectionOutcome::CaseLead => (
            CaseLeadSource::Inspection,
            None,
            format!("{} 监督检查{}，结论为建议立案{findings}", inspection.data.inspected_on, inspection.entity_name),
        ),
        None => return Ok(None),
    };
    let lead = case_leads::insert(
        tx,
        actor,
        NewLead {
            region_code: &inspection.region_code,
            entity_id: inspection.entity_id,
            entity_name: &inspection.entity_name,
            source,
            source_id: inspection.id.to_string(),
            rectification_id,
            summary,
            violation_codes: violation_codes.to_vec(),
        },
    )
    .await?;
    Ok(Some(lead))
}

const INSPECTION_COLUMNS: &str = "i.id, i.task_id, i.entity_id, e.name AS entity_name, i.region_code, i.inspected_on, \
     i.place, i.inspector1_id, i.inspector2_id, i.results, i.findings, i.party_signature, i.party_name, i.outcome, \
     i.attachments, i.recorded_by, i.created_at, i.started_at, i.ended_at";

fn time_column(r: &sqlx::any::AnyRow, col: &str) -> StoreResult<Option<NaiveTime>> {
    r.try_get::<Option<String>, _>(col)?
        .map(|s| clock::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("无效的时间：{s}"))))
        .transpose()
}

fn inspection_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Inspection> {
    Ok(Inspection {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        task_id: parse_db(&r.try_get::<String, _>("task_id")?)?,
        entity_id: parse_db(&r.try_get::<String, _>("entity_id")?)?,
        entity_name: r.try_get("entity_name")?,
        region_code: r.try_get("region_code")?,
        data: InspectionData {
            inspected_on: time::required_date(r, "inspected_on")?,
            started_at: time_column(r, "started_at")?,
            ended_at: time_column(r, "ended_at")?,
            place: r.try_get("place")?,
            inspectors: [
                parse_db(&r.try_get::<String, _>("inspector1_id")?)?,
                parse_db(&r.try_get::<String, _>("inspector2_id")?)?,
            ],
            results: columns::json(r, "results")?,
            findings: r.try_get("findings")?,
            party_signature: columns::keyed(r, "party_signature", PartySignature::parse)?,
            party_name: r.try_get("party_name")?,
            outcome: columns::keyed(r, "outcome", InspectionOutcome::parse)?,
            attachments: columns::json(r, "attachments")?,
        },
        recorded_by: r.try_get::<Option<String>, _>("recorded_by")?.map(|s| parse_db(&s)).transpose()?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
    })
}

/// The inspections of an entity (an institution: its own), newest first.
pub async fn of_entity(store: &Store, actor: &Actor, entity_id: EntityId) -> StoreResult<Vec<Inspection>> {
    let f = read_filter(actor, INSPECTION_OWNER, 2);
    let sql = format!(
        "SELECT {INSPECTION_COLUMNS} FROM inspections i JOIN entities e ON e.id = i.entity_id \
         WHERE i.entity_id = $1 AND {} ORDER BY i.inspected_on DESC, i.id DESC",
        f.sql
    );
    let rows = f.bind(sqlx::query(&sql).bind(entity_id.to_string())).fetch_all(store.reader()).await?;
    rows.iter().map(inspection_from_row).collect()
}

pub async fn get(store: &Store, actor: &Actor, id: InspectionId) -> StoreResult<Inspection> {
    let f = read_filter(actor, INSPECTION_OWNER, 2);
    let sql = format!(
        "SELECT {INSPECTION_COLUMNS} FROM inspections i JOIN entities e ON e.id = i.entity_id WHERE i.id = $1 AND {}",
        f.sql
    );
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(store.reader()).await?;
    inspection_from_row(&r.ok_or(StoreError::NotFound)?)
}

const RECTIFICATION_COLUMNS: &str = "r.id, r.inspection_id, r.entity_id, e.name AS entity_name, r.region_code, \
     r.content, r.ordered_on, r.deadline, r.status, r.report, r.report_attachments, r.reported_at, \
     r.reinspection_task_id, r.reinspection_id, r.version";

fn rectification_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Rectification> {
    Ok(Rectification {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        inspection_id: parse_db(&r.try_get::<String, _>("inspection_id")?)?,
        entity_id: parse_db(&r.try_get::<String, _>("entity_id")?)?,
        entity_name: r.try_get("entity_name")?,
        region_code: r.try_get("region_code")?,
        content: r.try_get("content")?,
        ordered_on: time::required_date(r, "ordered_on")?,
        deadline: time::required_date(r, "deadline")?,
        status: columns::keyed(r, "status", RectificationStatus::parse)?,
        report: r.try_get("report")?,
        report_attachments: columns::json(r, "report_attachments")?,
        reported_at: r.try_get::<Option<String>, _>("reported_at")?.map(|s| time::from_db(&s)).transpose()?,
        reinspection_task_id: r
            .try_get::<Option<String>, _>("reinspection_task_id")?
            .map(|s| parse_db(&s))
            .transpose()?,
        reinspection_id: r.try_get::<Option<String>, _>("reinspection_id")?.map(|s| parse_db(&s)).transpose()?,
        version: r.try_get("version")?,
    })
}

pub async fn get_rectification(store: &Store, actor: &Actor, id: RectificationId) -> StoreResult<Rectification> {
    let f = read_filter(actor, RECTIFICATION_OWNER, 2);
    let sql = format!(
        "SELECT {RECTIFICATION_COLUMNS} FROM rectifications r JOIN entities e ON e.id = r.entity_id \
         WHERE r.id = $1 AND {}",
        f.sql
    );
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(store.reader()).await?;
    rectification_from_row(&r.ok_or(StoreError::NotFound)?)
}

#[derive(Clone, Debug, Default)]
pub struct RectificationQuery {
    pub entity_id: Option<EntityId>,
    pub inspection_id: Option<InspectionId>,
    pub status: Option<RectificationStatus>,
    /// Open orders whose deadline has passed by this day.
    pub overdue_on: Option<NaiveDate>,
    pub after: Option<Cursor>,
    pub limit: Option<usize>,
}

/// Orders in the actor's scope (an institution: its own), soonest deadline first.
pub async fn rectifications(store: &Store, actor: &Actor, q: &RectificationQuery) -> StoreResult<Page<Rectification>> {
    let mut c = Conditions::default();
    c.push_filter(read_filter(actor, RECTIFICATION_OWNER, 1));
    if let Some(e) = q.entity_id {
        c.push("r.entity_id = ?", [e.to_string()]);
    }
    if let Some(i) = q.inspection_id {
        c.push("r.inspection_id = ?", [i.to_string()]);
    }
    if let Some(s) = q.status {
        c.push("r.status = ?", [s.key().to_string()]);
    }
    if let Some(day) = q.overdue_on {
        c.push("r.status = ? AND r.deadline < ?", [RectificationStatus::Open.key().to_string(), day.to_string()]);
    }
    if let Some(after) = &q.after {
        c.push_after("r.deadline", "r.id", after);
    }
    let limit = page::clamp_limit(q.limit);
    let sql = format!(
        "SELECT {RECTIFICATION_COLUMNS} FROM rectifications r JOIN entities e ON e.id = r.entity_id \
         WHERE {} ORDER BY r.deadline, r.id LIMIT {}",
        c.sql(),
        limit + 1
    );
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows.iter().map(rectification_from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |r| Cursor { key: r.deadline.to_string(), id: r.id.to_string() }))
}

/// The institution's report of its correction (text and attachments); an
/// order already reported or closed is refused.
pub async fn report(
    store: &Store,
    actor: &Actor,
    id: RectificationId,
    text: &str,
    attachments: &[String],
) -> StoreResult<Rectification> {
    let before = get_rectification(store, actor, id).await?;
    let mut tx = store.begin().await?;
    authorize_write(
        tx.conn(),
        actor,
        WriteTarget { region_code: &before.region_code, entity_id: Some(before.entity_id) },
    )
    .await?;
    let now = time::now();
    let done = sqlx::query(
        "UPDATE rectifications SET status = $1, report = $2, report_attachments = $3, reported_at = $4, \
         version = version + 1, updated_at = $5 WHERE id = $6 AND status = $7",
    )
    .bind(RectificationStatus::Reported.key())
    .bind(text)
    .bind(json_text(&attachments))
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .bind(id.to_string())
    .bind(RectificationStatus::Open.key())
    .execute(&mut *tx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            code: "rectification.not_open",
            message: format!("该整改通知当前{}，不能再提交整改报告", before.status.label()),
        });
    }
    for a in attachments {
        crate::attachments::link(&mut tx, actor, parse_db(a)?, "rectification", &id.to_string()).await?;
    }
    let after = Rectification {
        status: RectificationStatus::Reported,
        report: Some(text.to_string()),
        report_attachments: attachments.to_vec(),
        reported_at: Some(now),
        version: before.version + 1,
        ..before.clone()
    };
    tx.audit(
        actor,
        Change {
            action: "rectification.report",
            object_type: "entity",
            object_id: before.entity_id.to_string(),
            region_code: Some(before.region_code.clone()),
            summary: format!("{}提交整改报告", before.entity_name),
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Publishes (一公开) the recorded, not yet published results of a plan's
/// random inspections; returns how many went public. One audited transaction.
pub async fn publish_plan_results(
    store: &Store,
    actor: &Actor,
    plan: &crate::random_plans::RandomPlan,
) -> StoreResult<u64> {
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &plan.region_code, entity_id: None }).await?;
    let now = time::now();
    let done = sqlx::query(
        "UPDATE inspections SET published_at = $1 WHERE published_at IS NULL \
         AND task_id IN (SELECT id FROM inspection_tasks WHERE plan_id = $2)",
    )
    .bind(time::to_db(now))
    .bind(plan.id.to_string())
    .execute(&mut *tx.conn())
    .await?;
    let n = done.rows_affected();
    // A completed plan whose every result is public has published its results.
    sqlx::query(
        "UPDATE random_plans SET status = 'results_published', updated_at = $1 WHERE id = $2 AND status = 'completed'",
    )
    .bind(time::to_db(now))
    .bind(plan.id.to_string())
    .execute(&mut *tx.conn())
    .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            code: "publication.nothing_new",
            message: format!("抽查计划“{}”没有尚未公开的检查结果", plan.data.name),
        });
    }
    tx.audit(
        actor,
        Change {
            action: "random_plan.publish_results",
            object_type: "random_plan",
            object_id: plan.id.to_string(),
            region_code: Some(plan.region_code.clone()),
            summary: format!("公开抽查计划“{}”的检查结果 {n} 户", plan.data.name),
            before: None,
            after: Some(json!({"published": n, "published_at": time::to_db(now)})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// A published result of a random inspection, as the portal shows it.
#[derive(Clone, Debug, Serialize)]
pub struct PublicResult {
    pub plan_name: String,
    pub region_code: String,
    pub entity_name: String,
    /// Whether the entity is an individual (no 统一社会信用代码): its name is redacted for display.
    pub individual: bool,
    pub items: Vec<String>,
    pub inspected_on: NaiveDate,
    pub outcome: InspectionOutcome,
    pub rectification: Option<RectificationStatus>,
    pub published_at: DateTime<Utc>,
}

/// Published results, newest inspections first (no actor: the public portal).
pub async fn public_results(store: &Store, region_code: Option<&str>, limit: usize) -> StoreResult<Vec<PublicResult>> {
    let mut c = Conditions::default();
    c.push("i.published_at IS NOT NULL", []);
    if let Some(code) = region_code {
        c.push(&page::in_region("i.region_code"), [code.to_string()]);
    }
    let sql = format!(
        "SELECT p.name AS plan_name, i.region_code, e.name AS entity_name, e.uscc, t.items, i.inspected_on, \
         i.outcome, i.published_at, (SELECT r.status FROM rectifications r WHERE r.inspection_id = i.id) AS rect \
         FROM inspections i JOIN inspection_tasks t ON t.id = i.task_id JOIN random_plans p ON p.id = t.plan_id \
         JOIN entities e ON e.id = i.entity_id WHERE {} ORDER BY i.inspected_on DESC, i.id DESC LIMIT {}",
        c.sql(),
        limit.min(500)
    );
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    rows.iter()
        .map(|r| {
            let rect: Option<String> = r.try_get("rect")?;
            Ok(PublicResult {
                plan_name: r.try_get("plan_name")?,
                region_code: r.try_get("region_code")?,
                entity_name: r.try_get("entity_name")?,
                individual: r.try_get::<Option<String>, _>("uscc")?.is_none(),
                items: columns::json(r, "items")?,
                inspected_on: time::required_date(r, "inspected_on")?,
                outcome: columns::keyed(r, "outcome", InspectionOutcome::parse)?,
                rectification: rect.as_deref().and_then(RectificationStatus::parse),
                published_at: time::from_db(&r.try_get::<String, _>("published_at")?)?,
            })
        })
        .collect()
}

/// Random inspections in the scope recorded but not yet published, with the
/// date they were recorded: the domain judges them against the 20-working-day rule.
pub async fn unpublished_random(store: &Store, actor: &Actor) -> StoreResult<Vec<(InspectionId, String, NaiveDate)>> {
    let mut c = Conditions::default();
    c.push_filter(read_filter(actor, INSPECTION_OWNER, 1));
    c.push("i.published_at IS NULL AND t.plan_id IS NOT NULL", []);
    let sql = format!(
        "SELECT i.id, e.name, i.inspected_on FROM inspections i JOIN inspection_tasks t ON t.id = i.task_id \
         JOIN entities e ON e.id = i.entity_id WHERE {} ORDER BY i.inspected_on LIMIT 500",
        c.sql()
    );
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    rows.iter()
        .map(|r| {
            Ok((parse_db(&r.try_get::<String, _>("id")?)?, r.try_get("name")?, time::required_date(r, "inspected_on")?))
        })
        .collect()
}
