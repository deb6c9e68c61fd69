//! 双随机 plans: a scope checked against the unit's published item list,
//! frozen into the draw spec's snapshot (entities by risk-grade stratum, the
//! eligible inspector pool, declared conflicts), drawn once with a public
//! beacon into inspection tasks. The draw itself is `weijian_rules::draw`.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult, ErrorKind};
use crate::input::{self, Fields, Problem};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use weijian_rules::draw::{Beacon, DrawInput, DrawRecord, Recusal, Snapshot, Stratum};
use weijian_rules::inspection::{stratum_of, PlanStatus, Ratios};
use weijian_rules::registry::{EntityStatus, Registry};
use weijian_store::ids::{InspectionItemListId, RandomPlanId, UnitId};
use weijian_store::inspection_items::{InspectionItemList, ItemLists};
use weijian_store::page::{Cursor, Page};
use weijian_store::random_plans::{self, DrawnTask, PlanData, PublicDraw, Query, RandomPlan};
use weijian_store::{inspector_conflicts, inspectors, versioned, Actor, Store, StoreError};

/// A plan as sent by a form or the API.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PlanInput {
    pub unit_id: String,
    pub name: String,
    pub item_list_id: String,
    #[serde(default)]
    pub items: Vec<String>,
    pub period_from: String,
    pub period_until: String,
    /// The day inspector eligibility is judged on; the period's first day when empty.
    #[serde(default)]
    pub start_on: Option<String>,
    pub due_on: String,
    /// Entity category keys; empty: those the chosen items apply to.
    #[serde(default)]
    pub target_categories: Vec<String>,
    /// Entity statuses; empty: operating only.
    #[serde(default)]
    pub target_statuses: Vec<String>,
    /// Per mille per risk grade (A, B, C, D, N for ungraded); empty: the defaults.
    #[serde(default)]
    pub ratios: BTreeMap<String, i64>,
    #[serde(default)]
    pub pool_unit_id: Option<String>,
    /// Specialty keys; empty: those of the chosen items.
    #[serde(default)]
    pub pool_specialties: Vec<String>,
}

fn id<T: std::str::FromStr>(f: &mut Fields, field: &'static str, label: &str, v: &str) -> Option<T> {
    if v.trim().is_empty() {
        f.problem("field.required", field, "", format!("{label}不能为空"));
        return None;
    }
    v.trim().parse().ok().or_else(|| {
        f.problem("field.invalid_id", field, v.trim(), format!("{label}的标识格式无效"));
        None
    })
}

impl PlanInput {
    /// Checks everything that needs no database; the item list is checked by [`check_items`].
    pub fn parse(&self) -> Result<PlanData, Vec<Problem>> {
        let mut f = Fields::default();
        let registry = Registry::official();
        let unit_id: Option<UnitId> = id(&mut f, "unit_id", "组织单位", &self.unit_id);
        let name = f.required("name", "计划名称", &self.name, 100);
        let item_list_id: Option<InspectionItemListId> = id(&mut f, "item_list_id", "抽查事项清单", &self.item_list_id);
        let mut items: Vec<String> = Vec::new();
        for code in self.items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            if !items.iter().any(|c| c == code) {
                items.push(code.to_string());
            }
        }
        if items.is_empty() {
            f.problem("random_plan.no_items", "items", "", "请至少选择一个抽查事项");
        }
        let date = |f: &mut Fields, field: &'static str, label: &str, v: &str| {
            if v.trim().is_empty() {
                f.problem("field.required", field, "", format!("{label}不能为空"));
                None
            } else {
                f.date(field, label, Some(v))
            }
        };
        let from = date(&mut f, "period_from", "计划期间起", &self.period_from);
        let until = date(&mut f, "period_until", "计划期间止", &self.period_until);
        let start = match self.start_on.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => f.date("start_on", "抽取基准日", Some(s)),
            None => from,
        };
        let due = date(&mut f, "due_on", "检查完成期限", &self.due_on);
        if let (Some(a), Some(b)) = (from, until) {
            if b < a {
                f.problem(
                    "random_plan.period_reversed",
                    "period_until",
                    &b.to_string(),
                    format!("计划期间止（{b}）早于期间起（{a}）"),
                );
            }
        }
        if let (Some(a), Some(b), Some(s)) = (from, until, start) {
            if s < a || s > b {
                f.problem(
                    "random_plan.start_outside_period",
                    "start_on",
                    &s.to_string(),
                    format!("抽取基准日（{s}）不在计划期间（{a} 至 {b}）内"),
                );
            }
        }
        if let (Some(s), Some(d)) = (start, due) {
            if d < s {
                f.problem(
                    "random_plan.due_before_start",
                    "due_on",
                    &d.to_string(),
                    format!("检查完成期限（{d}）早于抽取基准日（{s}）"),
                );
            }
        }
        let mut categories = Vec::new();
        for c in self.target_categories.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            match registry.category_by_key_or_label(c) {
                Some(cat) if !categories.contains(&cat.key) => categories.push(cat.key.clone()),
                Some(_) => {}
                None => f.problem(
                    "random_plan.unknown_category",
                    "target_categories",
                    c,
                    format!("未知的监管对象类别“{c}”"),
                ),
            }
        }
        let mut statuses = Vec::new();
        for s in self.target_statuses.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            match EntityStatus::parse_key_or_label(s) {
                Some(st) if !statuses.contains(&st) => statuses.push(st),
                Some(_) => {}
                None => f.problem("field.invalid_choice", "target_statuses", s, format!("经营状态“{s}”无效")),
            }
        }
        if statuses.is_empty() {
            statuses.push(EntityStatus::Operating);
        }
        let ratios = if self.ratios.is_empty() {
            Ratios::default()
        } else {
            Ratios::parse(&self.ratios).unwrap_or_else(|m| {
                f.problem("random_plan.invalid_ratio", "ratios", "", m);
                Ratios::default()
            })
        };
        let pool_unit_id: Option<UnitId> = match self.pool_unit_id.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => id(&mut f, "pool_unit_id", "执法人员所属单位", s),
            None => None,
        };
        let mut specialties = Vec::new();
        for s in self.pool_specialties.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            match crate::inspectors::specialty_key(s) {
                Some(k) if !specialties.contains(&k) => specialties.push(k),
                Some(_) => {}
                None => f.problem("inspector.unknown_specialty", "pool_specialties", s, format!("未知的执法专业“{s}”")),
            }
        }
        f.finish(PlanData {
            unit_id: unit_id.unwrap_or_default(),
            name,
            item_list_id: item_list_id.unwrap_or_default(),
            items,
            period_from: from.unwrap_or_default(),
            period_until: until.unwrap_or_default(),
            start_on: start.unwrap_or_default(),
            due_on: due.unwrap_or_default(),
            target_categories: categories,
            target_statuses: statuses,
            ratios,
            pool_unit_id,
            pool_specialties: specialties,
        })
    }
}

/// The item list must be a published version of the plan's unit (or of a unit
/// above it) that holds every chosen item; empty targets and specialties are
/// filled in from the items.
async fn check_items(store: &Store, actor: &Actor, data: &mut PlanData) -> DomainResult<InspectionItemList> {
    let list = match versioned::get::<ItemLists>(store, actor, data.item_list_id).await {
        Ok(l) => l,
        Err(StoreError::NotFound) => {
            return Err(DomainError::invalid(
                "random_plan.item_list_not_found",
                "item_list_id",
                "抽查事项清单不存在或不在您的辖区内",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    if !list.is_published() {
        return Err(DomainError::invalid(
            "random_plan.item_list_unpublished",
            "item_list_id",
            format!("“{}”第 {} 版尚未发布，计划只能引用已发布的抽查事项清单", list.title, list.version_no),
        ));
    }
    let mut categories = BTreeSet::new();
    let mut specialties = BTreeSet::new();
    for code in &data.items {
        let Some(item) = list.content.item(code) else {
            return Err(DomainError::invalid(
                "random_plan.unknown_item",
                "items",
                format!("抽查事项“{code}”不在“{}”第 {} 版中", list.title, list.version_no),
            ));
        };
        categories.extend(item.target_categories.iter().cloned());
        specialties.insert(item.specialty.clone());
    }
    if data.target_categories.is_empty() {
        data.target_categories = categories.into_iter().collect();
    }
    if data.pool_specialties.is_empty() {
        data.pool_specialties = specialties.into_iter().collect();
    }
    Ok(list)
}

fn parsed(input: &PlanInput) -> DomainResult<PlanData> {
    input.parse().map_err(input::first)
}

pub async fn create(store: &Store, actor: &Actor, input: &PlanInput) -> DomainResult<RandomPlan> {
    require(actor, Permission::ManagePlans)?;
    let mut data = parsed(input)?;
    check_items(store, actor, &mut data).await?;
    Ok(random_plans::create(store, actor, &data).await?)
}

pub async fn update(
    store: &Store,
    actor: &Actor,
    id: RandomPlanId,
    version: i64,
    input: &PlanInput,
) -> DomainResult<RandomPlan> {
    // A frozen plan refuses any change first, whatever the input says.
    editable(store, actor, id).await?;
    let mut data = parsed(input)?;
    check_items(store, actor, &mut data).await?;
    Ok(random_plans::update(store, actor, id, version, &data).await?)
}

/// The plan, if the actor may change its scope now: a plan manager of its
/// jurisdiction, and the plan not yet frozen (409 `random_plan.scope_frozen`).
pub async fn editable(store: &Store, actor: &Actor, id: RandomPlanId) -> DomainResult<RandomPlan> {
    require(actor, Permission::ManagePlans)?;
    let plan = random_plans::get(store, actor, id).await?;
    random_plans::may_edit(&plan)?;
    Ok(plan)
}

pub async fn get(store: &Store, actor: &Actor, id: RandomPlanId) -> DomainResult<RandomPlan> {
    require(actor, Permission::ViewRegistry)?;
    Ok(random_plans::get(store, actor, id).await?)
}

pub async fn list(
    store: &Store,
    actor: &Actor,
    status: Option<PlanStatus>,
    cursor: Option<Cursor>,
    limit: Option<usize>,
) -> DomainResult<Page<RandomPlan>> {
    require(actor, Permission::ViewRegistry)?;
    Ok(random_plans::list(store, actor, &Query { status, after: cursor, limit }).await?)
}

pub async fn publish(store: &Store, actor: &Actor, id: RandomPlanId, version: Option<i64>) -> DomainResult<RandomPlan> {
    require(actor, Permission::ManagePlans)?;
    Ok(random_plans::publish(store, actor, id, version).await?)
}

/// The draw's inputs as the plan's scope stands now.
pub async fn draw_input(store: &Store, actor: &Actor, plan: &RandomPlan) -> DomainResult<DrawInput> {
    let mut strata: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let entities = random_plans::scope_entities(store, plan).await?;
    let in_scope: std::collections::HashSet<_> = entities.iter().map(|(id, _)| *id).collect();
    for (id, grade) in entities {
        strata.entry(stratum_of(grade)).or_default().push(id.to_string());
    }
    let pool_unit = plan.data.pool_unit_id.unwrap_or(plan.data.unit_id);
    let pool: Vec<_> = inspectors::eligible_on(store, actor, plan.data.start_on, Some(pool_unit), None)
        .await?
        .into_iter()
        .filter(|i| {
            // The drawn pair binds until the due date: a certificate lapsing before it would void the task.
            i.may_enforce_throughout(plan.data.start_on, plan.data.due_on)
        })
        .filter(|i| {
            plan.data.pool_specialties.is_empty()
                || i.data.specialties.iter().any(|s| plan.data.pool_specialties.contains(s))
        })
        .collect();
    let pool_ids: Vec<_> = pool.iter().map(|i| i.id).collect();
    let recusals = inspector_conflicts::among(store, actor, &pool_ids)
        .await?
        .into_iter()
        .filter(|(e, _)| in_scope.contains(e))
        .map(|(e, i)| Recusal { entity: e.to_string(), inspector: i.to_string() })
        .collect();
    Ok(DrawInput {
        plan_id: plan.id.to_string(),
        strata: plan
            .data
            .ratios
            .strata()
            .into_iter()
            .map(|(name, permille)| Stratum {
                name: name.to_string(),
                permille: u32::from(permille),
                entity_ids: strata.remove(name).unwrap_or_default(),
            })
            .collect(),
        inspectors: pool_ids.iter().map(|i| i.to_string()).collect(),
        recusals,
    })
}

fn draw_failed(e: weijian_rules::draw::DrawError) -> DomainError {
    DomainError::new(ErrorKind::Conflict, e.code(), e.to_string())
}

/// Published → frozen: takes and publishes the snapshot (entities, pool,
/// recusals) and its hash, before any beacon exists.
pub async fn freeze(store: &Store, actor: &Actor, id: RandomPlanId, version: Option<i64>) -> DomainResult<RandomPlan> {
    require(actor, Permission::ManagePlans)?;
    let plan = random_plans::get(store, actor, id).await?;
    // Asked before reading the scope; the store asks again under its guard.
    random_plans::may_freeze(&plan)?;
    let input = draw_input(store, actor, &plan).await?;
    if input.inspectors.len() < 2 {
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "random_plan.pool_too_small",
            format!(
                "抽取基准日 {} 至检查完成期限 {} 持续持有有效执法证、符合专业条件的执法人员只有 {} 名，每户检查至少需要 2 名",
                plan.data.start_on,
                plan.data.due_on,
                input.inspectors.len()
            ),
        ));
    }
    if input.strata.iter().all(|s| s.entity_ids.is_empty()) {
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "random_plan.scope_empty",
            "计划范围内没有符合条件的监管对象",
        ));
    }
    let snapshot = Snapshot::freeze(input).map_err(draw_failed)?;
    Ok(random_plans::freeze(store, actor, &plan, version, snapshot.text(), snapshot.hash()).await?)
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DrawRequest {
    pub beacon: String,
    pub beacon_source: String,
    /// The plan's version the user saw; a stale one is refused.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Frozen → drawn: re-reads the published snapshot, draws with the beacon per
/// the spec, stores the record and creates the tasks. Never twice.
pub async fn draw(
    store: &Store,
    actor: &Actor,
    id: RandomPlanId,
    req: &DrawRequest,
) -> DomainResult<(RandomPlan, DrawRecord)> {
    require(actor, Permission::ManagePlans)?;
    let plan = random_plans::get(store, actor, id).await?;
    if req.beacon_source.trim().is_empty() {
        return Err(DomainError::invalid(
            "draw.beacon_source_required",
            "beacon_source",
            "请说明随机数的公开来源（如开奖期号、公开摇号会议）",
        ));
    }
    let beacon = Beacon::new(req.beacon.clone(), req.beacon_source.trim())
        .map_err(|e| DomainError::invalid(e.code(), "beacon", e.to_string()))?;
    random_plans::may_draw(&plan)?;
    let (text, _) = random_plans::documents(store, id).await?;
    let snapshot = Snapshot::parse(&text)
        .map_err(|e| DomainError::new(ErrorKind::Internal, "draw.snapshot_malformed", e.to_string()))?;
    let record = snapshot.draw(&beacon).map_err(draw_failed)?;
    let tasks = record
        .assignments
        .iter()
        .map(|a| {
            Ok(DrawnTask {
                entity_id: snapshot_id(&a.entity)?,
                inspectors: match a.inspectors.as_slice() {
                    [first, second] => [snapshot_id(first)?, snapshot_id(second)?],
                    _ => return Err(DomainError::new(ErrorKind::Internal, "internal", "抽取结果的执法人员不是 2 名")),
                },
            })
        })
        .collect::<DomainResult<Vec<_>>>()?;
    let plan = random_plans::record_draw(
        store,
        actor,
        &plan,
        req.version,
        beacon.value(),
        beacon.source(),
        &record.to_json(),
        &tasks,
    )
    .await?;
    Ok((plan, record))
}

/// Ids in the snapshot were written by us from typed ids.
fn snapshot_id<T: std::str::FromStr>(s: &str) -> DomainResult<T> {
    s.parse()
        .map_err(|_| DomainError::new(ErrorKind::Internal, "draw.snapshot_malformed", format!("快照中的标识“{s}”无效")))
}

/// The snapshot and record of a plan in the actor's jurisdiction: staff read
/// the record at any time, the public only once it is released.
pub async fn documents(store: &Store, actor: &Actor, id: RandomPlanId) -> DomainResult<(String, Option<String>)> {
    random_plans::get(store, actor, id).await?;
    Ok(random_plans::documents(store, id).await?)
}

/// Public (no login): the plans whose snapshot is published, with their commitments.
pub async fn public_draws(store: &Store, region_code: Option<&str>) -> DomainResult<Vec<PublicDraw>> {
    Ok(random_plans::public_draws(store, region_code).await?)
}

/// Public: one plan's commitment (snapshot hash, beacon, the record's SHA-256); 404 until frozen.
pub async fn public_draw(store: &Store, id: RandomPlanId) -> DomainResult<PublicDraw> {
    Ok(random_plans::public_draw(store, id).await?)
}

/// Public: the frozen snapshot, from the freeze on.
pub async fn public_snapshot(store: &Store, id: RandomPlanId) -> DomainResult<String> {
    Ok(random_plans::documents(store, id).await?.0)
}

/// Public: the draw record, the exact bytes that hash to the commitment's
/// `record_sha256` — but only once released (results published or the due
/// date passed): before the visits it would warn every selected entity.
pub async fn public_record(store: &Store, id: RandomPlanId) -> DomainResult<String> {
    let draw = random_plans::public_draw(store, id).await?;
    let (_, record) = random_plans::documents(store, id).await?;
    let record = record.ok_or_else(not_drawn)?;
    if !draw.record_released(crate::input::today()) {
        return Err(DomainError::new(
            ErrorKind::NotFound,
            "random_plan.record_not_released",
            "抽取记录将在检查结果公开后公布",
        ));
    }
    Ok(record)
}

/// A frozen plan has no record yet.
pub fn not_drawn() -> DomainError {
    DomainError::new(ErrorKind::NotFound, "random_plan.not_drawn", "该计划尚未抽取，暂无抽取记录")
}

/// Declares an inspector's conflict with an entity (回避): the inspector's own
/// declaration, or one recorded by a section chief.
pub async fn declare_conflict(
    store: &Store,
    actor: &Actor,
    inspector_id: weijian_store::ids::InspectorId,
    entity_id: weijian_store::ids::EntityId,
    reason: &str,
) -> DomainResult<inspector_conflicts::InspectorConflict> {
    require(actor, Permission::ViewRegistry)?;
    let inspector = inspectors::get(store, actor, inspector_id).await?;
    let own = actor.user_id().is_some() && inspector.data.user_id == actor.user_id();
    if !own {
        require(actor, Permission::ManageInspectors)?;
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(DomainError::invalid(
            "inspector_conflict.reason_required",
            "reason",
            "请填写回避事由（200 字以内）",
        ));
    }
    Ok(inspector_conflicts::declare(store, actor, inspector_id, entity_id, reason).await?)
}

/// The actor's own inspector record, or a refusal: only an inspector declares
/// their own conflicts (回避) on the pages.
async fn own_inspector(store: &Store, actor: &Actor) -> DomainResult<weijian_store::inspectors::Inspector> {
    require(actor, Permission::ViewRegistry)?;
    let own = match actor.user_id() {
        Some(user) => inspectors::of_user(store, actor, user).await?,
        None => None,
    };
    own.ok_or_else(|| {
        DomainError::new(
            ErrorKind::Forbidden,
            "inspector_conflict.not_an_inspector",
            "您的账号未关联执法人员档案，不能申请回避",
        )
    })
}

/// The actor's own declarations (回避), newest first, with their inspector record.
pub async fn own_conflicts(
    store: &Store,
    actor: &Actor,
) -> DomainResult<(weijian_store::inspectors::Inspector, Vec<inspector_conflicts::InspectorConflict>)> {
    let me = own_inspector(store, actor).await?;
    let conflicts = inspector_conflicts::of_inspector(store, actor, me.id).await?;
    Ok((me, conflicts))
}

/// The actor declares their own conflict with an entity (回避): audited, and no draw assigns the pair.
pub async fn declare_own_conflict(
    store: &Store,
    actor: &Actor,
    entity_id: weijian_store::ids::EntityId,
    reason: &str,
) -> DomainResult<inspector_conflicts::InspectorConflict> {
    let me = own_inspector(store, actor).await?;
    declare_conflict(store, actor, me.id, entity_id, reason).await
}

/// Inspection tasks in the actor's scope; `mine`: only those of the actor's own inspector record.
pub async fn tasks(
    store: &Store,
    actor: &Actor,
    mut query: weijian_store::inspection_tasks::Query,
    mine: bool,
) -> DomainResult<Page<weijian_store::inspection_tasks::InspectionTask>> {
    require(actor, Permission::ViewRegistry)?;
    if mine {
        let own = match actor.user_id() {
            Some(user) => inspectors::of_user(store, actor, user).await?,
            None => None,
        };
        match own {
            Some(i) => query.inspector_id = Some(i.id),
            None => return Ok(Page { items: vec![], next: None }),
        }
    }
    Ok(weijian_store::inspection_tasks::list(store, actor, &query).await?)
}

pub async fn task(
    store: &Store,
    actor: &Actor,
    id: weijian_store::ids::InspectionTaskId,
) -> DomainResult<weijian_store::inspection_tasks::InspectionTask> {
    require(actor, Permission::ViewRegistry)?;
    Ok(weijian_store::inspection_tasks::get(store, actor, id).await?)
}
