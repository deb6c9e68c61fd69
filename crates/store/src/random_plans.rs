//! 抽查计划 (random plans): a scope (items, target entities, sampling ratios,
//! inspector pool), a lifecycle, and — once frozen — the published snapshot
//! and, once drawn, the draw record (design/draw-spec.md, in the rules crate).
//!
//! The state changes that matter for trust are guarded in SQL, not only in
//! code: freezing and drawing are lifecycle steps (crate::lifecycle), which
//! update the row only `WHERE status = <expected>`, so two concurrent draws
//! cannot both succeed.

use crate::audit::{Audited, Change};
use crate::columns;
use crate::ids::{parse_db, EntityId, InspectionItemListId, InspectionTaskId, InspectorId, RandomPlanId, UnitId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::lifecycle::{self, Row, Step};
use crate::page::{self, Conditions, Cursor, Page};
use crate::{time, units, Actor, Backend, Store, StoreError, StoreResult, WriteTx};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{AnyConnection, Row as _};
use weijian_rules::inspection::{PlanAction, PlanStatus, Ratios, TaskSource, TaskStatus};
use weijian_rules::lifecycle::Lifecycle;
use weijian_rules::registry::{EntityStatus, RiskGrade};

/// What a user sets on a plan (checked by the domain).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanData {
    pub unit_id: UnitId,
    pub name: String,
    /// The published 抽查事项清单 version the items come from, and their codes.
    pub item_list_id: InspectionItemListId,
    pub items: Vec<String>,
    pub period_from: NaiveDate,
    pub period_until: NaiveDate,
    /// The day inspector eligibility is judged on (valid 执法证 that day).
    pub start_on: NaiveDate,
    /// When the drawn inspections are due.
    pub due_on: NaiveDate,
    pub target_categories: Vec<String>,
    pub target_statuses: Vec<EntityStatus>,
    pub ratios: Ratios,
    /// The inspector pool: one unit's inspectors (None: the plan's unit) with any of these specialties (none: all).
    pub pool_unit_id: Option<UnitId>,
    pub pool_specialties: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RandomPlan {
    pub id: RandomPlanId,
    #[serde(flatten)]
    pub data: PlanData,
    pub unit_name: String,
    pub region_code: String,
    pub status: PlanStatus,
    pub snapshot_hash: Option<String>,
    pub frozen_at: Option<DateTime<Utc>>,
    pub beacon: Option<String>,
    pub beacon_source: Option<String>,
    pub drawn_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Audited for RandomPlan {
    const OBJECT_TYPE: &'static str = "random_plan";
    fn object_id(&self) -> String {
        self.id.to_string()
    }
    fn owning_region(&self) -> &str {
        &self.region_code
    }
}

const OWNER: Owner = Owner { region: "p.region_code", entity: None };
const COLUMNS: &str = "p.id, p.unit_id, u.name AS unit_name, p.region_code, p.name, p.item_list_id, p.items, \
     p.period_from, p.period_until, p.start_on, p.due_on, p.target_categories, p.target_statuses, p.ratios, \
     p.pool_unit_id, p.pool_specialties, p.status, p.snapshot_hash, p.frozen_at, p.beacon, p.beacon_source, \
     p.drawn_at, p.version, p.created_at, p.updated_at";
const FROM: &str = "random_plans p JOIN units u ON u.id = p.unit_id";

fn timestamp(r: &sqlx::any::AnyRow, col: &str) -> StoreResult<Option<DateTime<Utc>>> {
    r.try_get::<Option<String>, _>(col)?.map(|s| time::from_db(&s)).transpose()
}

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<RandomPlan> {
    let statuses: Vec<String> = columns::json(r, "target_statuses")?;
    Ok(RandomPlan {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        data: PlanData {
            unit_id: parse_db(&r.try_get::<String, _>("unit_id")?)?,
            name: r.try_get("name")?,
            item_list_id: parse_db(&r.try_get::<String, _>("item_list_id")?)?,
            items: columns::json(r, "items")?,
            period_from: time::required_date(r, "period_from")?,
            period_until: time::required_date(r, "period_until")?,
            start_on: time::required_date(r, "start_on")?,
            due_on: time::required_date(r, "due_on")?,
            target_categories: columns::json(r, "target_categories")?,
            target_statuses: statuses
                .iter()
                .map(|s| EntityStatus::parse(s).ok_or_else(|| StoreError::Corrupt(format!("未知的经营状态：{s}"))))
                .collect::<StoreResult<_>>()?,
            ratios: columns::json(r, "ratios")?,
            pool_unit_id: r.try_get::<Option<String>, _>("pool_unit_id")?.map(|s| parse_db(&s)).transpose()?,
            pool_specialties: columns::json(r, "pool_specialties")?,
        },
        unit_name: r.try_get("unit_name")?,
        region_code: r.try_get("region_code")?,
        status: columns::keyed(r, "status", PlanStatus::parse)?,
        snapshot_hash: r.try_get("snapshot_hash")?,
        frozen_at: timestamp(r, "frozen_at")?,
        beacon: r.try_get("beacon")?,
        beacon_source: r.try_get("beacon_source")?,
        drawn_at: timestamp(r, "drawn_at")?,
        version: r.try_get("version")?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_db(&r.try_get::<String, _>("updated_at")?)?,
    })
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plan fields serialise")
}

fn status_keys(d: &PlanData) -> Vec<&'static str> {
    d.target_statuses.iter().map(|s| s.key()).collect()
}

pub async fn create(store: &Store, actor: &Actor, data: &PlanData) -> StoreResult<RandomPlan> {
    let unit = units::get(store, actor, data.unit_id).await?;
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &unit.region_code, entity_id: None }).await?;
    let now = time::now();
    let plan = RandomPlan {
        id: RandomPlanId::new(),
        data: data.clone(),
        unit_name: unit.name.clone(),
        region_code: unit.region_code.clone(),
        status: PlanStatus::Draft,
        snapshot_hash: None,
        frozen_at: None,
        beacon: None,
        beacon_source: None,
        drawn_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO random_plans (id, unit_id, region_code, name, item_list_id, items, period_from, period_until, \
         start_on, due_on, target_categories, target_statuses, ratios, pool_unit_id, pool_specialties, status, \
         version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
    )
    .bind(plan.id.to_string())
    .bind(data.unit_id.to_string())
    .bind(&plan.region_code)
    .bind(&data.name)
    .bind(data.item_list_id.to_string())
    .bind(to_json(&data.items))
    .bind(data.period_from.to_string())
    .bind(data.period_until.to_string())
    .bind(data.start_on.to_string())
    .bind(data.due_on.to_string())
    .bind(to_json(&data.target_categories))
    .bind(to_json(&status_keys(data)))
    .bind(to_json(&data.ratios))
    .bind(data.pool_unit_id.map(|u| u.to_string()))
    .bind(to_json(&data.pool_specialties))
    .bind(plan.status.key())
    .bind(plan.version)
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .execute(&mut *tx.conn())
    .await?;
    tx.audit(actor, Change::of("random_plan.create", &plan, format!("新建抽查计划 {}", data.name), None)).await?;
    tx.commit().await?;
    Ok(plan)
}

pub async fn get(store: &Store, actor: &Actor, id: RandomPlanId) -> StoreResult<RandomPlan> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE p.id = $1 AND {}", f.sql);
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(store.reader()).await?;
    from_row(&r.ok_or(StoreError::NotFound)?)
}

#[derive(Clone, Debug, Default)]
pub struct Query {
    pub status: Option<PlanStatus>,
    pub after: Option<Cursor>,
    pub limit: Option<usize>,
}

/// Newest first.
pub async fn list(store: &Store, actor: &Actor, query: &Query) -> StoreResult<Page<RandomPlan>> {
    let mut c = Conditions::default();
    c.push_filter(read_filter(actor, OWNER, 1));
    if let Some(s) = query.status {
        c.push("p.status = ?", [s.key().to_string()]);
    }
    if let Some(after) = &query.after {
        c.push("p.id < ?", [after.id.clone()]);
    }
    let limit = page::clamp_limit(query.limit);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {} ORDER BY p.id DESC LIMIT {}", c.sql(), limit + 1);
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |p| Cursor { key: String::new(), id: p.id.to_string() }))
}

fn stale() -> StoreError {
    lifecycle::stale(&PlanStatus::AREA)
}

fn scope_locked(plan: &RandomPlan) -> StoreError {
    StoreError::Conflict {
        code: "random_plan.scope_frozen",
        message: format!("抽查计划“{}”已{}，抽查范围不能再修改", plan.data.name, plan.status.label()),
    }
}

/// Whether the plan's scope may still change (draft or published, never once frozen).
pub fn may_edit(plan: &RandomPlan) -> StoreResult<()> {
    if plan.status.scope_editable() {
        Ok(())
    } else {
        Err(scope_locked(plan))
    }
}

/// Changes the scope of a draft or published plan; a frozen one refuses.
pub async fn update(
    store: &Store,
    actor: &Actor,
    id: RandomPlanId,
    version: i64,
    data: &PlanData,
) -> StoreResult<RandomPlan> {
    let before = get(store, actor, id).await?;
    may_edit(&before)?;
    if data.unit_id != before.data.unit_id {
        return Err(StoreError::Conflict {
            code: "random_plan.unit_fixed",
            message: "抽查计划的组织单位不能更改，请新建计划".into(),
        });
    }
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &before.region_code, entity_id: None }).await?;
    let now = time::now();
    let done = sqlx::query(
        "UPDATE random_plans SET name = $1, item_list_id = $2, items = $3, period_from = $4, period_until = $5, \
         start_on = $6, due_on = $7, target_categories = $8, target_statuses = $9, ratios = $10, pool_unit_id = $11, \
         pool_specialties = $12, version = version + 1, updated_at = $13 \
         WHERE id = $14 AND version = $15 AND status IN ($16, $17)",
    )
    .bind(&data.name)
    .bind(data.item_list_id.to_string())
    .bind(to_json(&data.items))
    .bind(data.period_from.to_string())
    .bind(data.period_until.to_string())
    .bind(data.start_on.to_string())
    .bind(data.due_on.to_string())
    .bind(to_json(&data.target_categories))
    .bind(to_json(&status_keys(data)))
    .bind(to_json(&data.ratios))
    .bind(data.pool_unit_id.map(|u| u.to_string()))
    .bind(to_json(&data.pool_specialties))
    .bind(time::to_db(now))
    .bind(id.to_string())
    .bind(version)
    .bind(PlanStatus::SCOPE_EDITABLE[0].key())
    .bind(PlanStatus::SCOPE_EDITABLE[1].key())
    .execute(&mut *tx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(stale());
    }
    let after = RandomPlan { data: data.clone(), version: before.version + 1, updated_at: now, ..before.clone() };
    tx.audit(actor, Change::of("random_plan.update", &after, format!("修改抽查计划 {}", data.name), Some(&before)))
        .await?;
    tx.commit().await?;
    Ok(after)
}

/// The plan's row for a lifecycle step.
fn row(plan: &RandomPlan) -> Row<'_> {
    Row { table: "random_plans", id: plan.id.to_string(), region_code: &plan.region_code, entity_id: None }
}

/// Whether the plan may be frozen now (published, not yet frozen).
pub fn may_freeze(plan: &RandomPlan) -> StoreResult<()> {
    Ok(lifecycle::next(plan.status, PlanAction::Freeze).map(|_| ())?)
}

/// Whether the plan may be drawn now: frozen, and never drawn before.
pub fn may_draw(plan: &RandomPlan) -> StoreResult<()> {
    Ok(lifecycle::next(plan.status, PlanAction::Draw).map(|_| ())?)
}

/// Takes one step of the plan's lifecycle in the caller's transaction (plan
/// progress as inspections are recorded, results published).
pub async fn step_in(
    tx: &mut WriteTx,
    actor: &Actor,
    plan: &RandomPlan,
    step: Step<'_, PlanStatus>,
    summary: String,
) -> StoreResult<RandomPlan> {
    let now = step.now;
    let after = |to| RandomPlan { status: to, version: plan.version + 1, updated_at: now, ..plan.clone() };
    lifecycle::step(tx, actor, row(plan), step, plan, after, summary).await
}

/// Draft → published: the plan is announced; its scope may still be corrected.
pub async fn publish(store: &Store, actor: &Actor, id: RandomPlanId, version: Option<i64>) -> StoreResult<RandomPlan> {
    let plan = get(store, actor, id).await?;
    let mut tx = store.begin().await?;
    let step = Step::new(plan.status, PlanAction::Publish).version(version);
    let after = step_in(&mut tx, actor, &plan, step, format!("发布抽查计划 {}", plan.data.name)).await?;
    tx.commit().await?;
    Ok(after)
}

/// Published → frozen with the snapshot text and its hash, both public from now on.
pub async fn freeze(
    store: &Store,
    actor: &Actor,
    plan: &RandomPlan,
    version: Option<i64>,
    snapshot: &str,
    snapshot_hash: &str,
) -> StoreResult<RandomPlan> {
    let step = Step::new(plan.status, PlanAction::Freeze)
        .version(version)
        .set("snapshot", Some(snapshot.to_string()))
        .set("snapshot_hash", Some(snapshot_hash.to_string()));
    let now = step.now;
    let step = step.set("frozen_at", Some(time::to_db(now)));
    let after = |to| RandomPlan {
        status: to,
        snapshot_hash: Some(snapshot_hash.to_string()),
        frozen_at: Some(now),
        version: plan.version + 1,
        updated_at: now,
        ..plan.clone()
    };
    let summary = format!("冻结抽查计划 {}，名录快照哈希 {snapshot_hash}", plan.data.name);
    let mut tx = store.begin().await?;
    let after = lifecycle::step(&mut tx, actor, row(plan), step, plan, after, summary).await?;
    tx.commit().await?;
    Ok(after)
}

/// One task a draw creates: an entity with its two inspectors.
#[derive(Clone, Debug)]
pub struct DrawnTask {
    pub entity_id: EntityId,
    pub inspectors: [InspectorId; 2],
}

/// Frozen → drawn: stores the beacon and the record and creates one
/// inspection task per selected entity, all in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn record_draw(
    store: &Store,
    actor: &Actor,
    plan: &RandomPlan,
    version: Option<i64>,
    beacon: &str,
    beacon_source: &str,
    record_json: &str,
    tasks: &[DrawnTask],
) -> StoreResult<RandomPlan> {
    let step = Step::new(plan.status, PlanAction::Draw)
        .version(version)
        .set("beacon", Some(beacon.to_string()))
        .set("beacon_source", Some(beacon_source.to_string()))
        .set("record", Some(record_json.to_string()));
    let now = step.now;
    let step = step.set("drawn_at", Some(time::to_db(now)));
    let after = |to| RandomPlan {
        status: to,
        beacon: Some(beacon.to_string()),
        beacon_source: Some(beacon_source.to_string()),
        drawn_at: Some(now),
        version: plan.version + 1,
        updated_at: now,
        ..plan.clone()
    };
    // The commitment is taken of the very bytes stored (and served later).
    let record_sha256 = weijian_rules::draw::record_sha256(record_json);
    let step = step.set("record_sha256", Some(record_sha256.clone()));
    let summary = format!(
        "抽取抽查计划 {}：抽中 {} 户，随机数来源：{beacon_source}，抽取记录哈希 {record_sha256}",
        plan.data.name,
        tasks.len()
    );
    let items = to_json(&plan.data.items);
    let mut tx = store.begin().await?;
    let after = lifecycle::step(&mut tx, actor, row(plan), step, plan, after, summary).await?;
    insert_tasks(tx.conn(), plan, &items, tasks, now).await?;
    tx.commit().await?;
    Ok(after)
}

/// Tasks written per statement: one multi-row INSERT instead of a round trip
/// per task (a province's draw creates tens of thousands).
const TASK_BATCH: usize = 500;

/// Inserts the drawn tasks in batches, each with its entity's own region (a
/// plan may cover a city's counties); every entity must exist.
async fn insert_tasks(
    conn: &mut AnyConnection,
    plan: &RandomPlan,
    items: &str,
    tasks: &[DrawnTask],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    // In the entities' key order: the joins, the foreign-key checks and the
    // entity index then walk the trees in order instead of at random.
    let mut tasks: Vec<&DrawnTask> = tasks.iter().collect();
    tasks.sort_by_key(|t| t.entity_id);
    for chunk in tasks.chunks(TASK_BATCH) {
        // $1..$8 are shared by the batch; then four per task.
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = 9 + i * 4;
                format!("(${b}, ${}, ${}, ${})", b + 1, b + 2, b + 3)
            })
            .collect();
        // VALUES columns are column1..column4 on both backends.
        let sql = format!(
            "INSERT INTO inspection_tasks (id, region_code, entity_id, source, plan_id, item_list_id, items, \
             inspector1_id, inspector2_id, due_on, status, version, created_at, updated_at) \
             SELECT v.column1, e.region_code, e.id, $1, $2, $3, $4, v.column3, v.column4, $5, $6, 1, $7, $8 \
             FROM (VALUES {}) AS v JOIN entities e ON e.id = v.column2",
            rows.join(", ")
        );
        let mut q = sqlx::query(&sql)
            .bind(TaskSource::Random.key())
            .bind(plan.id.to_string())
            .bind(plan.data.item_list_id.to_string())
            .bind(items)
            .bind(plan.data.due_on.to_string())
            .bind(TaskStatus::Assigned.key())
            .bind(time::to_db(now))
            .bind(time::to_db(now));
        for t in chunk {
            q = q
                .bind(InspectionTaskId::new().to_string())
                .bind(t.entity_id.to_string())
                .bind(t.inspectors[0].to_string())
                .bind(t.inspectors[1].to_string());
        }
        let done = q.execute(&mut *conn).await?;
        if done.rows_affected() != chunk.len() as u64 {
            return Err(StoreError::Corrupt(format!(
                "抽取结果中有 {} 个监管对象在名录中不存在",
                chunk.len() as u64 - done.rows_affected()
            )));
        }
    }
    Ok(())
}

/// The entities a plan's scope covers on freezing: in the plan's region and
/// below, of the target categories and statuses, with their risk grade.
pub async fn scope_entities(store: &Store, plan: &RandomPlan) -> StoreResult<Vec<(EntityId, Option<RiskGrade>)>> {
    let mut c = Conditions::default();
    c.push(&page::in_region("e.region_code"), [plan.region_code.clone()]);
    let marks = |n: usize| vec!["?"; n].join(", ");
    if !plan.data.target_categories.is_empty() {
        c.push(
            &format!("e.category IN ({})", marks(plan.data.target_categories.len())),
            plan.data.target_categories.clone(),
        );
    }
    let statuses: Vec<String> = status_keys(&plan.data).into_iter().map(String::from).collect();
    if !statuses.is_empty() {
        c.push(&format!("e.status IN ({})", marks(statuses.len())), statuses);
    }
    // One row per risk grade with its ids joined: a province's scope is
    // hundreds of thousands of entities, and rows one by one cost far more
    // than one long string each.
    let joined = match store.backend() {
        Backend::Sqlite => "group_concat(e.id, ',')",
        Backend::Postgres => "string_agg(e.id, ',')",
    };
    let sql = format!("SELECT e.risk_grade, {joined} AS ids FROM entities e WHERE {} GROUP BY e.risk_grade", c.sql());
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let mut out = Vec::new();
    for r in &rows {
        let grade: Option<String> = r.try_get("risk_grade")?;
        let grade = grade.as_deref().and_then(RiskGrade::parse);
        let ids: Option<String> = r.try_get("ids")?;
        for id in ids.as_deref().unwrap_or_default().split(',').filter(|s| !s.is_empty()) {
            out.push((parse_db(id)?, grade));
        }
    }
    Ok(out)
}

/// The public face of a plan, listed once frozen: its snapshot's hash and,
/// once drawn, the commitment to its record (the beacon and the record's
/// SHA-256). The record itself is released later (see [`PublicDraw::record_released`]).
#[derive(Clone, Debug, Serialize)]
pub struct PublicDraw {
    pub id: RandomPlanId,
    pub name: String,
    pub region_code: String,
    pub status: PlanStatus,
    pub due_on: NaiveDate,
    pub snapshot_hash: Option<String>,
    pub beacon: Option<String>,
    pub beacon_source: Option<String>,
    pub record_sha256: Option<String>,
}

impl PublicDraw {
    /// Whether the public may read the record on `today` (Beijing).
    pub fn record_released(&self, today: NaiveDate) -> bool {
        self.record_sha256.is_some() && weijian_rules::inspection::draw_record_released(self.status, self.due_on, today)
    }
}

// The record is read only for plans drawn before its hash was stored.
const PUBLIC_COLUMNS: &str = "p.id, p.name, p.region_code, p.status, p.due_on, p.snapshot_hash, p.beacon, \
     p.beacon_source, p.record_sha256, CASE WHEN p.record_sha256 IS NULL THEN p.record END AS unhashed_record";

fn public_from_row(r: &sqlx::any::AnyRow) -> StoreResult<PublicDraw> {
    let unhashed: Option<String> = r.try_get("unhashed_record")?;
    let stored: Option<String> = r.try_get("record_sha256")?;
    Ok(PublicDraw {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        status: columns::keyed(r, "status", PlanStatus::parse)?,
        due_on: time::required_date(r, "due_on")?,
        snapshot_hash: r.try_get("snapshot_hash")?,
        beacon: r.try_get("beacon")?,
        beacon_source: r.try_get("beacon_source")?,
        record_sha256: stored.or_else(|| unhashed.as_deref().map(weijian_rules::draw::record_sha256)),
    })
}

fn not_public() -> (String, [String; 2]) {
    ("p.status NOT IN (?, ?)".into(), [PlanStatus::Draft.key().to_string(), PlanStatus::Published.key().to_string()])
}

/// Frozen and later plans, newest first; no login needed.
pub async fn public_draws(store: &Store, region_code: Option<&str>) -> StoreResult<Vec<PublicDraw>> {
    let mut c = Conditions::default();
    let (sql, binds) = not_public();
    c.push(&sql, binds);
    if let Some(code) = region_code {
        c.push(&page::in_region("p.region_code"), [code.to_string()]);
    }
    let sql = format!("SELECT {PUBLIC_COLUMNS} FROM random_plans p WHERE {} ORDER BY p.id DESC", c.sql());
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    rows.iter().map(public_from_row).collect()
}

/// One plan's public face; NotFound until frozen.
pub async fn public_draw(store: &Store, id: RandomPlanId) -> StoreResult<PublicDraw> {
    let mut c = Conditions::default();
    c.push("p.id = ?", [id.to_string()]);
    let (sql, binds) = not_public();
    c.push(&sql, binds);
    let sql = format!("SELECT {PUBLIC_COLUMNS} FROM random_plans p WHERE {}", c.sql());
    let r = c.bind(sqlx::query(&sql)).fetch_optional(store.reader()).await?.ok_or(StoreError::NotFound)?;
    public_from_row(&r)
}

/// A plan's documents: (snapshot, record), unscoped — callers decide who may
/// read which (staff in their jurisdiction; the public the snapshot from the
/// freeze and the record once released). NotFound until frozen; the record
/// is None until drawn.
pub async fn documents(store: &Store, id: RandomPlanId) -> StoreResult<(String, Option<String>)> {
    let r = sqlx::query("SELECT status, snapshot, record FROM random_plans WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::NotFound)?;
    let status: String = r.try_get("status")?;
    if !PlanStatus::parse(&status).is_some_and(PlanStatus::is_public) {
        return Err(StoreError::NotFound);
    }
    let snapshot: Option<String> = r.try_get("snapshot")?;
    Ok((snapshot.ok_or_else(|| StoreError::Corrupt("已冻结的计划缺少名录快照".into()))?, r.try_get("record")?))
}
