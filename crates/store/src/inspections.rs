//! Inspection records (监督检查记录) and rectification orders (责令整改): a
//! record closes its task; an order creates the re-inspection (复查) task for
//! its deadline; the institution reports its correction. The domain checks
//! the inspectors, checklist and deadline; this module keeps each step atomic.

use crate::audit::Change;
use crate::columns;
use crate::ids::{parse_db, EntityId, InspectionId, InspectionTaskId, InspectorId, RectificationId};
use crate::inspection_tasks::InspectionTask;
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::page::{self, Conditions, Cursor, Page};
use crate::{time, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
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
    pub created_at: DateTime<Utc>,
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
    pub version: i64,
}

const INSPECTION_OWNER: Owner = Owner { region: "i.region_code", entity: Some("i.entity_id") };
const RECTIFICATION_OWNER: Owner = Owner { region: "r.region_code", entity: Some("r.entity_id") };

fn json_text<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialises")
}

/// Records the inspection of a task and, for 责令整改, the order and its
/// re-inspection task, in one audited transaction. The task must still be open.
pub async fn record(
    store: &Store,
    actor: &Actor,
    task: &InspectionTask,
    data: &InspectionData,
    order: Option<&OrderData>,
) -> StoreResult<(Inspection, Option<Rectification>)> {
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
    let inspection = Inspection {
        id: InspectionId::new(),
        task_id: task.id,
        entity_id: task.entity_id,
        entity_name: task.entity_name.clone(),
        region_code: task.region_code.clone(),
        data: data.clone(),
        created_at: now,
    };
    sqlx::query(
        "INSERT INTO inspections (id, task_id, entity_id, region_code, inspected_on, place, inspector1_id, \
         inspector2_id, results, findings, party_signature, party_name, outcome, attachments, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
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
    .execute(&mut *tx.conn())
    .await?;
    for a in &data.attachments {
        crate::attachments::link(&mut tx, actor, parse_db(a)?, "inspection", &inspection.id.to_string()).await?;
    }
    if let Some(plan) = task.plan_id {
        // The plan is in progress with its first record and completed with its last.
        sqlx::query(
            "UPDATE random_plans SET status = CASE WHEN EXISTS (SELECT 1 FROM inspection_tasks t              WHERE t.plan_id = $1 AND t.status = $2) THEN 'in_progress' ELSE 'completed' END, updated_at = $3              WHERE id = $1 AND status IN ('drawn', 'in_progress')",
        )
        .bind(plan.to_string())
        .bind(TaskStatus::Assigned.key())
        .bind(time::to_db(now))
        .execute(&mut *tx.conn())
        .await?;
    }
    let rectification = match order {
        None => None,
        Some(o) => {
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
            Some(r)
        }
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
    tx.commit().await?;
    Ok((inspection, rectification))
}

const INSPECTION_COLUMNS: &str = "i.id, i.task_id, i.entity_id, e.name AS entity_name, i.region_code, i.inspected_on, \
     i.place, i.inspector1_id, i.inspector2_id, i.results, i.findings, i.party_signature, i.party_name, i.outcome, \
     i.attachments, i.created_at";

fn inspection_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Inspection> {
    Ok(Inspection {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        task_id: parse_db(&r.try_get::<String, _>("task_id")?)?,
        entity_id: parse_db(&r.try_get::<String, _>("entity_id")?)?,
        entity_name: r.try_get("entity_name")?,
        region_code: r.try_get("region_code")?,
        data: InspectionData {
            inspected_on: time::required_date(r, "inspected_on")?,
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
     r.reinspection_task_id, r.version";

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

/// Coverage of one entity category: how many operating entities it has in the
/// scope and how many of them were inspected in the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoverageLine {
    pub category: String,
    pub supervised: i64,
    pub inspected: i64,
}

/// 监督覆盖率 per category in the actor's scope (optionally one region and
/// below) for inspections dated from `from` to `until` inclusive.
pub async fn coverage(
    store: &Store,
    actor: &Actor,
    region_code: Option<&str>,
    from: NaiveDate,
    until: NaiveDate,
) -> StoreResult<Vec<CoverageLine>> {
    let mut c = Conditions::default();
    c.push_filter(read_filter(actor, Owner { region: "e.region_code", entity: Some("e.id") }, 1));
    c.push("e.status = ?", [weijian_rules::registry::EntityStatus::Operating.key().to_string()]);
    if let Some(code) = region_code {
        c.push(&page::in_region("e.region_code"), [code.to_string()]);
    }
    let n = c.next();
    let sql = format!(
        "SELECT e.category, COUNT(*) AS supervised, \
         SUM(CASE WHEN EXISTS (SELECT 1 FROM inspections i WHERE i.entity_id = e.id \
             AND i.inspected_on >= ${n} AND i.inspected_on <= ${}) THEN 1 ELSE 0 END) AS inspected \
         FROM entities e WHERE {} GROUP BY e.category ORDER BY e.category",
        n + 1,
        c.sql()
    );
    let rows =
        c.bind(sqlx::query(&sql)).bind(from.to_string()).bind(until.to_string()).fetch_all(store.reader()).await?;
    rows.iter()
        .map(|r| {
            Ok(CoverageLine {
                category: r.try_get("category")?,
                supervised: r.try_get("supervised")?,
                inspected: r.try_get::<Option<i64>, _>("inspected")?.unwrap_or(0),
            })
        })
        .collect()
}

/// Operating entities in the scope never inspected (by name; keyset pages).
pub async fn never_inspected(
    store: &Store,
    actor: &Actor,
    after: Option<&Cursor>,
    limit: Option<usize>,
) -> StoreResult<Page<(EntityId, String, String)>> {
    let mut c = Conditions::default();
    c.push_filter(read_filter(actor, Owner { region: "e.region_code", entity: Some("e.id") }, 1));
    c.push("e.status = ?", [weijian_rules::registry::EntityStatus::Operating.key().to_string()]);
    c.push("NOT EXISTS (SELECT 1 FROM inspections i WHERE i.entity_id = e.id)", []);
    if let Some(after) = after {
        c.push_after("e.name", "e.id", after);
    }
    let limit = page::clamp_limit(limit);
    let sql = format!(
        "SELECT e.id, e.name, e.category FROM entities e WHERE {} ORDER BY e.name, e.id LIMIT {}",
        c.sql(),
        limit + 1
    );
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows
        .iter()
        .map(|r| Ok((parse_db(&r.try_get::<String, _>("id")?)?, r.try_get("name")?, r.try_get("category")?)))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |(id, name, _)| Cursor { key: name.clone(), id: id.to_string() }))
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
