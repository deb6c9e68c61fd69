//! Inspection records (监督检查记录): inserted by the domain's record step
//! (which closes the task, moves the plan along and issues or closes orders
//! in the same transaction), read back, published (一公开) and counted.
//! Orders live in crate::rectifications.

use crate::audit::Change;
use crate::columns;
use crate::ids::{parse_db, EntityId, InspectionId, InspectionTaskId, InspectorId, UserId};
use crate::inspection_tasks::InspectionTask;
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::lifecycle::{self, Step};
use crate::page::{self, Conditions};
use crate::random_plans::{self, RandomPlan};
use crate::{time, Actor, Store, StoreError, StoreResult, WriteTx};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use weijian_rules::inspection::{InspectionOutcome, PartySignature, PlanAction, PointResult, RectificationStatus};

// Orders moved to their own module; their names stay reachable from here.
pub use crate::rectifications::{
    get as get_rectification, list as rectifications, report, OrderData, Rectification, RectificationQuery,
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

const INSPECTION_OWNER: Owner = Owner { region: "i.region_code", entity: Some("i.entity_id") };

fn json_text<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialises")
}

/// Inserts the record of a task in the caller's transaction and links its
/// evidence; the domain closes the task and audits (inspection.record).
pub async fn insert_in(
    tx: &mut WriteTx,
    actor: &Actor,
    task: &InspectionTask,
    data: &InspectionData,
) -> StoreResult<Inspection> {
    let now = time::now();
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
    crate::coverage::mark(tx, task, &inspection).await?;
    for a in &data.attachments {
        crate::attachments::link(tx, actor, parse_db(a)?, "inspection", &inspection.id.to_string()).await?;
    }
    Ok(inspection)
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

/// Publishes (一公开) the recorded, not yet published results of a plan's
/// random inspections; returns how many went public. One audited transaction.
pub async fn publish_plan_results(store: &Store, actor: &Actor, plan: &RandomPlan) -> StoreResult<u64> {
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
    // A completed plan whose every result is public has published its results.
    if lifecycle::allows(plan.status, PlanAction::PublishResults) {
        let summary = format!("抽查计划“{}”的检查结果已全部公开", plan.data.name);
        random_plans::step_in(&mut tx, actor, plan, Step::new(plan.status, PlanAction::PublishResults), summary)
            .await?;
    }
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
