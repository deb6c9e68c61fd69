//! 整改 (rectification orders): issued with an inspection record, reported on
//! by the institution, closed by the re-inspection (复查). Every state change
//! is a lifecycle step (crate::lifecycle); the domain chains them with the
//! record in one transaction.

use crate::audit::Audited;
use crate::columns;
use crate::ids::{parse_db, EntityId, InspectionId, InspectionTaskId, RectificationId};
use crate::inspection_tasks::InspectionTask;
use crate::jurisdiction::{read_filter, Owner};
use crate::lifecycle::{self, Row, Step};
use crate::page::{self, Conditions, Cursor, Page};
use crate::{time, Actor, Store, StoreError, StoreResult, WriteTx};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row as _;
use weijian_rules::rectification::{RectificationAction, RectificationStatus};

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

// An order's events belong to its entity's history, as they always have.
impl Audited for Rectification {
    const OBJECT_TYPE: &'static str = "entity";
    fn object_id(&self) -> String {
        self.entity_id.to_string()
    }
    fn owning_region(&self) -> &str {
        &self.region_code
    }
}

const OWNER: Owner = Owner { region: "r.region_code", entity: Some("r.entity_id") };
const COLUMNS: &str = "r.id, r.inspection_id, r.entity_id, e.name AS entity_name, r.region_code, \
     r.content, r.ordered_on, r.deadline, r.status, r.report, r.report_attachments, r.reported_at, \
     r.reinspection_task_id, r.reinspection_id, r.version";
const FROM: &str = "rectifications r JOIN entities e ON e.id = r.entity_id";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Rectification> {
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

pub async fn get(store: &Store, actor: &Actor, id: RectificationId) -> StoreResult<Rectification> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE r.id = $1 AND {}", f.sql);
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(store.reader()).await?;
    from_row(&r.ok_or(StoreError::NotFound)?)
}

/// An order as of the caller's transaction (no read filter: the caller has authorised).
pub async fn get_in(tx: &mut WriteTx, id: RectificationId) -> StoreResult<Rectification> {
    let r = sqlx::query(&format!("SELECT {COLUMNS} FROM {FROM} WHERE r.id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *tx.conn())
        .await?;
    from_row(&r.ok_or(StoreError::NotFound)?)
}

#[derive(Clone, Debug, Default)]
pub struct RectificationQuery {
    pub entity_id: Option<EntityId>,
    pub inspection_id: Option<InspectionId>,
    pub status: Option<RectificationStatus>,
    /// Orders overdue on this day (rules::rectification::is_overdue).
    pub overdue_on: Option<NaiveDate>,
    pub after: Option<Cursor>,
    pub limit: Option<usize>,
}

/// Orders in the actor's scope (an institution: its own), soonest deadline first.
pub async fn list(store: &Store, actor: &Actor, q: &RectificationQuery) -> StoreResult<Page<Rectification>> {
    let mut c = Conditions::default();
    c.push_filter(read_filter(actor, OWNER, 1));
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
        // The SQL form of rules::rectification::is_overdue.
        let (awaiting, keys) = lifecycle::in_states("r.status", &RectificationStatus::awaiting_reinspection());
        c.push(&awaiting, keys);
        c.push("r.deadline < ?", [day.to_string()]);
    }
    if let Some(after) = &q.after {
        c.push_after("r.deadline", "r.id", after);
    }
    let limit = page::clamp_limit(q.limit);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {} ORDER BY r.deadline, r.id LIMIT {}", c.sql(), limit + 1);
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |r| Cursor { key: r.deadline.to_string(), id: r.id.to_string() }))
}

fn row(order: &Rectification) -> Row<'_> {
    Row {
        table: "rectifications",
        id: order.id.to_string(),
        region_code: &order.region_code,
        entity_id: Some(order.entity_id),
    }
}

/// The institution's report of its correction (text and attachments); an
/// order already reported or closed is refused by the table.
pub async fn report(
    store: &Store,
    actor: &Actor,
    id: RectificationId,
    version: Option<i64>,
    text: &str,
    attachments: &[String],
) -> StoreResult<Rectification> {
    let before = get(store, actor, id).await?;
    let mut tx = store.begin().await?;
    let step = Step::new(before.status, RectificationAction::Report)
        .version(version)
        .set("report", Some(text.to_string()))
        .set("report_attachments", Some(serde_json::to_string(&attachments).expect("ids serialise")));
    let now = step.now;
    let step = step.set("reported_at", Some(time::to_db(now)));
    let after = |to| Rectification {
        status: to,
        report: Some(text.to_string()),
        report_attachments: attachments.to_vec(),
        reported_at: Some(now),
        version: before.version + 1,
        ..before.clone()
    };
    let summary = format!("{}提交整改报告", before.entity_name);
    let after = lifecycle::step(&mut tx, actor, row(&before), step, &before, after, summary).await?;
    for a in attachments {
        crate::attachments::link(&mut tx, actor, parse_db(a)?, "rectification", &id.to_string()).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// The order a re-inspection task follows up: the one that created the task,
/// else (a re-inspection assigned by hand) the entity's latest order still
/// awaiting one. Read in the caller's transaction.
pub async fn followed_up_by(tx: &mut WriteTx, task: &InspectionTask) -> StoreResult<Rectification> {
    let linked = sqlx::query(&format!("SELECT {COLUMNS} FROM {FROM} WHERE r.reinspection_task_id = $1"))
        .bind(task.id.to_string())
        .fetch_optional(&mut *tx.conn())
        .await?;
    if let Some(row) = linked {
        return from_row(&row);
    }
    let mut c = Conditions::default();
    c.push("r.entity_id = ?", [task.entity_id.to_string()]);
    let (awaiting, keys) = lifecycle::in_states("r.status", &RectificationStatus::awaiting_reinspection());
    c.push(&awaiting, keys);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {} ORDER BY r.ordered_on DESC, r.id DESC LIMIT 1", c.sql());
    let row = c.bind(sqlx::query(&sql)).fetch_optional(&mut *tx.conn()).await?.ok_or_else(|| StoreError::Conflict {
        code: "reinspection.no_open_order",
        message: format!("{}没有待复查的整改通知，不能记录复查", task.entity_name),
    })?;
    from_row(&row)
}

/// Closes an order with a re-inspection's verdict (verify or unresolved), in
/// the caller's transaction, audited.
pub async fn close_in(
    tx: &mut WriteTx,
    actor: &Actor,
    before: &Rectification,
    action: RectificationAction,
    reinspection: InspectionId,
) -> StoreResult<Rectification> {
    let step = Step::new(before.status, action).set("reinspection_id", Some(reinspection.to_string()));
    let after = |to| Rectification {
        status: to,
        reinspection_id: Some(reinspection),
        version: before.version + 1,
        ..before.clone()
    };
    let summary = format!("复查{}的整改情况：{}", before.entity_name, action.label());
    lifecycle::step(tx, actor, row(before), step, before, after, summary).await
}

/// A new order for an inspection record, with its re-inspection task.
pub struct NewOrder<'a> {
    pub inspection_id: InspectionId,
    pub task: &'a InspectionTask,
    pub ordered_on: NaiveDate,
    pub order: &'a OrderData,
    pub reinspection_task_id: InspectionTaskId,
}

/// Inserts an order in the caller's transaction; the record's audit event
/// (inspection.record) carries it.
pub async fn insert_in(tx: &mut WriteTx, new: NewOrder<'_>) -> StoreResult<Rectification> {
    let now = time::now();
    let task = new.task;
    let r = Rectification {
        id: RectificationId::new(),
        inspection_id: new.inspection_id,
        entity_id: task.entity_id,
        entity_name: task.entity_name.clone(),
        region_code: task.region_code.clone(),
        content: new.order.content.clone(),
        ordered_on: new.ordered_on,
        deadline: new.order.deadline,
        status: <RectificationStatus as weijian_rules::lifecycle::Lifecycle>::INITIAL,
        report: None,
        report_attachments: vec![],
        reported_at: None,
        reinspection_task_id: Some(new.reinspection_task_id),
        reinspection_id: None,
        version: 1,
    };
    sqlx::query(
        "INSERT INTO rectifications (id, inspection_id, entity_id, region_code, content, ordered_on, deadline, \
         status, report, report_attachments, reported_at, reinspection_task_id, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, '[]', NULL, $9, 1, $10, $11)",
    )
    .bind(r.id.to_string())
    .bind(r.inspection_id.to_string())
    .bind(r.entity_id.to_string())
    .bind(&r.region_code)
    .bind(&r.content)
    .bind(r.ordered_on.to_string())
    .bind(r.deadline.to_string())
    .bind(r.status.key())
    .bind(new.reinspection_task_id.to_string())
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .execute(&mut *tx.conn())
    .await?;
    Ok(r)
}
