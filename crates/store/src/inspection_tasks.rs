//! Inspection tasks: one entity to inspect by two inspectors by a due date,
//! from a draw (or, later, a complaint, campaign, patrol or re-inspection).

use crate::actor::Standing;
use crate::audit::Audited;
use crate::columns;
use crate::ids::{
    parse_db, EntityId, InspectionCampaignId, InspectionItemListId, InspectionTaskId, InspectorId, RandomPlanId,
};
use crate::jurisdiction::{read_filter, Filter, Owner};
use crate::lifecycle::{self, Row as StepRow, Step};
use crate::page::{self, Conditions, Cursor, Page};
use crate::{time, Actor, Store, StoreError, StoreResult, WriteTx};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;
use weijian_rules::inspection::{TaskSource, TaskStatus};
use weijian_rules::lifecycle::Lifecycle;

#[derive(Clone, Debug, Serialize)]
pub struct InspectionTask {
    pub id: InspectionTaskId,
    pub region_code: String,
    pub entity_id: EntityId,
    pub entity_name: String,
    pub source: TaskSource,
    pub plan_id: Option<RandomPlanId>,
    /// The 专项检查 the task belongs to.
    pub campaign_id: Option<InspectionCampaignId>,
    /// The published item list the items come from, and their codes.
    pub item_list_id: Option<InspectionItemListId>,
    pub items: Vec<String>,
    pub inspectors: [InspectorId; 2],
    pub inspector_names: [String; 2],
    pub due_on: NaiveDate,
    pub status: TaskStatus,
    pub version: i64,
}

// A task's events belong to its entity's history, as they always have.
impl Audited for InspectionTask {
    const OBJECT_TYPE: &'static str = "entity";
    fn object_id(&self) -> String {
        self.entity_id.to_string()
    }
    fn owning_region(&self) -> &str {
        &self.region_code
    }
}

// An institution sees the tasks about itself (its outcomes come with the records).
const OWNER: Owner = Owner { region: "t.region_code", entity: Some("t.entity_id") };

/// Who may read which tasks: the jurisdiction, and for an institution only
/// its recorded tasks. Inspections are unannounced (不预先告知): a pending
/// task — drawn, patrol, campaign, re-inspection — would tell the inspected
/// who comes and by when, so for it the task does not exist until recorded.
fn scope(actor: &Actor, next_placeholder: usize) -> Filter {
    let mut f = read_filter(actor, OWNER, next_placeholder);
    if matches!(actor.standing, Standing::User { entity_id: Some(_), .. }) {
        f.sql = format!("{} AND t.status = ${}", f.sql, next_placeholder + f.binds.len());
        f.binds.push(TaskStatus::Done.key().to_string());
    }
    f
}
const COLUMNS: &str =
    "t.id, t.region_code, t.entity_id, e.name AS entity_name, t.source, t.plan_id, t.campaign_id, t.item_list_id, t.items, \
     t.inspector1_id, t.inspector2_id, i1.name AS inspector1_name, i2.name AS inspector2_name, t.due_on, t.status, t.version";
const FROM: &str = "inspection_tasks t JOIN entities e ON e.id = t.entity_id \
     JOIN inspectors i1 ON i1.id = t.inspector1_id JOIN inspectors i2 ON i2.id = t.inspector2_id";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<InspectionTask> {
    Ok(InspectionTask {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        region_code: r.try_get("region_code")?,
        entity_id: parse_db(&r.try_get::<String, _>("entity_id")?)?,
        entity_name: r.try_get("entity_name")?,
        source: columns::keyed(r, "source", TaskSource::parse)?,
        plan_id: r.try_get::<Option<String>, _>("plan_id")?.map(|s| parse_db(&s)).transpose()?,
        campaign_id: r.try_get::<Option<String>, _>("campaign_id")?.map(|s| parse_db(&s)).transpose()?,
        item_list_id: r.try_get::<Option<String>, _>("item_list_id")?.map(|s| parse_db(&s)).transpose()?,
        items: columns::json(r, "items")?,
        inspectors: [
            parse_db(&r.try_get::<String, _>("inspector1_id")?)?,
            parse_db(&r.try_get::<String, _>("inspector2_id")?)?,
        ],
        inspector_names: [r.try_get("inspector1_name")?, r.try_get("inspector2_name")?],
        due_on: time::required_date(r, "due_on")?,
        status: columns::keyed(r, "status", TaskStatus::parse)?,
        version: r.try_get("version")?,
    })
}

pub async fn get(store: &Store, actor: &Actor, id: InspectionTaskId) -> StoreResult<InspectionTask> {
    let f = scope(actor, 2);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE t.id = $1 AND {}", f.sql);
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(store.reader()).await?;
    from_row(&r.ok_or(StoreError::NotFound)?)
}

/// A task as the caller's transaction sees it (no scope: the caller authorised the write).
pub async fn get_in(tx: &mut WriteTx, id: InspectionTaskId) -> StoreResult<InspectionTask> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE t.id = $1");
    let r = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&mut *tx.conn()).await?;
    from_row(&r.ok_or(StoreError::NotFound)?)
}

#[derive(Clone, Debug, Default)]
pub struct Query {
    pub plan_id: Option<RandomPlanId>,
    pub campaign_id: Option<InspectionCampaignId>,
    /// Tasks where this inspector is one of the two.
    pub inspector_id: Option<InspectorId>,
    pub entity_id: Option<EntityId>,
    pub status: Option<TaskStatus>,
    pub after: Option<Cursor>,
    pub limit: Option<usize>,
}

/// Soonest due first, then by id.
pub async fn list(store: &Store, actor: &Actor, query: &Query) -> StoreResult<Page<InspectionTask>> {
    let mut c = Conditions::default();
    c.push_filter(scope(actor, 1));
    if let Some(p) = query.plan_id {
        c.push("t.plan_id = ?", [p.to_string()]);
    }
    if let Some(p) = query.campaign_id {
        c.push("t.campaign_id = ?", [p.to_string()]);
    }
    if let Some(i) = query.inspector_id {
        c.push("(t.inspector1_id = ? OR t.inspector2_id = ?)", [i.to_string(), i.to_string()]);
    }
    if let Some(e) = query.entity_id {
        c.push("t.entity_id = ?", [e.to_string()]);
    }
    if let Some(s) = query.status {
        c.push("t.status = ?", [s.key().to_string()]);
    }
    if let Some(after) = &query.after {
        c.push_after("t.due_on", "t.id", after);
    }
    let limit = page::clamp_limit(query.limit);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {} ORDER BY t.due_on, t.id LIMIT {}", c.sql(), limit + 1);
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |t| Cursor { key: t.due_on.to_string(), id: t.id.to_string() }))
}

/// A task assigned by hand: a routine patrol, a special campaign or a complaint's check.
#[derive(Clone, Debug, Serialize)]
pub struct TaskData {
    pub entity_id: EntityId,
    pub source: TaskSource,
    pub item_list_id: InspectionItemListId,
    pub items: Vec<String>,
    pub inspectors: [InspectorId; 2],
    pub due_on: NaiveDate,
}

pub async fn create(store: &Store, actor: &Actor, data: &TaskData) -> StoreResult<InspectionTask> {
    create_in_campaign(store, actor, data, None).await
}

/// Creates a task by hand, of a 专项检查 when `campaign` is given.
pub async fn create_in_campaign(
    store: &Store,
    actor: &Actor,
    data: &TaskData,
    campaign: Option<InspectionCampaignId>,
) -> StoreResult<InspectionTask> {
    let entity = crate::entities::get(store, actor, data.entity_id).await?;
    let mut tx = store.begin().await?;
    crate::jurisdiction::authorize_write(
        tx.conn(),
        actor,
        crate::jurisdiction::WriteTarget { region_code: &entity.data.region_code, entity_id: None },
    )
    .await?;
    let id = insert_in(
        &mut tx,
        NewTask {
            region_code: &entity.data.region_code,
            entity_id: entity.id,
            source: data.source,
            plan_id: None,
            item_list_id: Some(data.item_list_id),
            items: &data.items,
            inspectors: data.inspectors,
            due_on: data.due_on,
        },
    )
    .await?;
    if let Some(c) = campaign {
        set_campaign_in(&mut tx, id, c).await?;
    }
    let mut after = serde_json::json!(data);
    after["campaign_id"] = serde_json::json!(campaign);
    tx.audit(
        actor,
        crate::audit::Change {
            action: "inspection_task.create",
            object_type: "entity",
            object_id: entity.id.to_string(),
            region_code: Some(entity.data.region_code.clone()),
            summary: format!("下达{}任务：{}，期限 {}", data.source.label(), entity.data.name, data.due_on),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    get(store, actor, id).await
}

/// A task about to be inserted in the caller's transaction.
pub struct NewTask<'a> {
    pub region_code: &'a str,
    pub entity_id: EntityId,
    pub source: TaskSource,
    pub plan_id: Option<RandomPlanId>,
    pub item_list_id: Option<InspectionItemListId>,
    pub items: &'a [String],
    pub inspectors: [InspectorId; 2],
    pub due_on: NaiveDate,
}

/// Inserts a task in its initial state; the caller audits.
pub async fn insert_in(tx: &mut WriteTx, new: NewTask<'_>) -> StoreResult<InspectionTaskId> {
    let id = InspectionTaskId::new();
    let now = time::to_db(time::now());
    sqlx::query(
        "INSERT INTO inspection_tasks (id, region_code, entity_id, source, plan_id, item_list_id, items, inspector1_id, \
         inspector2_id, due_on, status, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13)",
    )
    .bind(id.to_string())
    .bind(new.region_code)
    .bind(new.entity_id.to_string())
    .bind(new.source.key())
    .bind(new.plan_id.map(|p| p.to_string()))
    .bind(new.item_list_id.map(|l| l.to_string()))
    .bind(serde_json::to_string(new.items).expect("codes serialise"))
    .bind(new.inspectors[0].to_string())
    .bind(new.inspectors[1].to_string())
    .bind(new.due_on.to_string())
    .bind(TaskStatus::INITIAL.key())
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx.conn())
    .await?;
    Ok(id)
}

/// Files a just-inserted task under its 专项检查 (the draw and re-inspections
/// insert tasks without one, so [`NewTask`] keeps its shape).
pub async fn set_campaign_in(
    tx: &mut WriteTx,
    task: InspectionTaskId,
    campaign: InspectionCampaignId,
) -> StoreResult<()> {
    sqlx::query("UPDATE inspection_tasks SET campaign_id = $1 WHERE id = $2")
        .bind(campaign.to_string())
        .bind(task.to_string())
        .execute(&mut *tx.conn())
        .await?;
    Ok(())
}

/// Takes one step of a task's lifecycle in the caller's transaction.
pub async fn step_in(
    tx: &mut WriteTx,
    actor: &Actor,
    task: &InspectionTask,
    step: Step<'_, TaskStatus>,
    summary: String,
) -> StoreResult<InspectionTask> {
    let row =
        StepRow { table: "inspection_tasks", id: task.id.to_string(), region_code: &task.region_code, entity_id: None };
    let after = |to| InspectionTask { status: to, version: task.version + 1, ..task.clone() };
    lifecycle::step(tx, actor, row, step, task, after, summary).await
}

/// Whether a plan still has tasks to inspect (read in the caller's transaction).
pub async fn plan_has_open_tasks(tx: &mut WriteTx, plan: RandomPlanId) -> StoreResult<bool> {
    let open: Vec<TaskStatus> = TaskStatus::ALL.iter().copied().filter(|s| s.is_open()).collect();
    let mut c = Conditions::default();
    c.push("plan_id = ?", [plan.to_string()]);
    let (cond, keys) = lifecycle::in_states("status", &open);
    c.push(&cond, keys);
    let sql = format!("SELECT 1 AS one FROM inspection_tasks WHERE {} LIMIT 1", c.sql());
    Ok(c.bind(sqlx::query(&sql)).fetch_optional(&mut *tx.conn()).await?.is_some())
}
