//! 新建 / 修改抽查计划: the plan form with every field of the domain's
//! `PlanInput`. The domain decides; the page shows every problem next to its
//! field and keeps what was typed. A frozen plan's scope never changes: the
//! plan page offers no edit link then, and a forged post gets the domain's 409.

use super::{domain_error_page, render, Chrome};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Days, NaiveDate};
use serde::Deserialize;
use std::collections::BTreeMap;
use weijian_domain::auth::Authenticated;
use weijian_domain::authz::{allows, Permission};
use weijian_domain::input::{today, Problem};
use weijian_domain::random_plans::{self as plans, PlanInput};
use weijian_domain::{inspection_items, org as dorg, DomainError, ErrorKind};
use weijian_rules::inspection::{Ratios, UNGRADED};
use weijian_rules::registry::{EntityStatus, Registry};
use weijian_store::ids::{InspectionItemListId, RandomPlanId};
use weijian_store::inspection_items::InspectionItemList;
use weijian_store::random_plans::RandomPlan;

const ACTIVE: &str = "/random-plans";

/// The strata a plan samples, in plan order, with their labels.
pub const STRATA: [(&str, &str); 5] = [
    ("A", "A 级（低风险）"),
    ("B", "B 级（较低风险）"),
    ("C", "C 级（较高风险）"),
    ("D", "D 级（高风险）"),
    (UNGRADED, "未定级"),
];

/// The form as typed: every value text, lists from repeated checkboxes.
#[derive(Clone, Debug, Default)]
pub struct PlanForm {
    pub unit_id: String,
    pub name: String,
    pub item_list_id: String,
    pub items: Vec<String>,
    pub period_from: String,
    pub period_until: String,
    pub start_on: String,
    pub due_on: String,
    pub target_categories: Vec<String>,
    pub target_statuses: Vec<String>,
    /// Per mille per stratum key, as typed.
    pub ratios: BTreeMap<String, String>,
    pub pool_unit_id: String,
    pub pool_specialties: Vec<String>,
    /// The version read, when editing.
    pub version: String,
}

fn ratio_texts(r: &Ratios) -> BTreeMap<String, String> {
    r.strata().into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

impl PlanForm {
    /// A new plan: the default ratios, operating entities, this quarter's dates.
    pub fn blank(unit_id: String, item_list_id: String, day: NaiveDate) -> PlanForm {
        PlanForm {
            unit_id,
            item_list_id,
            period_from: day.to_string(),
            period_until: (day + Days::new(90)).to_string(),
            due_on: (day + Days::new(60)).to_string(),
            target_statuses: vec![EntityStatus::Operating.key().to_string()],
            ratios: ratio_texts(&Ratios::default()),
            ..Default::default()
        }
    }

    pub fn of_plan(p: &RandomPlan) -> PlanForm {
        let d = &p.data;
        PlanForm {
            unit_id: d.unit_id.to_string(),
            name: d.name.clone(),
            item_list_id: d.item_list_id.to_string(),
            items: d.items.clone(),
            period_from: d.period_from.to_string(),
            period_until: d.period_until.to_string(),
            start_on: d.start_on.to_string(),
            due_on: d.due_on.to_string(),
            target_categories: d.target_categories.clone(),
            target_statuses: d.target_statuses.iter().map(|s| s.key().to_string()).collect(),
            ratios: ratio_texts(&d.ratios),
            pool_unit_id: d.pool_unit_id.map(|u| u.to_string()).unwrap_or_default(),
            pool_specialties: d.pool_specialties.clone(),
            version: p.version.to_string(),
        }
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> PlanForm {
        let mut f = PlanForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "unit_id" => f.unit_id = v,
                "name" => f.name = v,
                "item_list_id" => f.item_list_id = v,
                "items" => f.items.push(v),
                "period_from" => f.period_from = v,
                "period_until" => f.period_until = v,
                "start_on" => f.start_on = v,
                "due_on" => f.due_on = v,
                "target_categories" => f.target_categories.push(v),
                "target_statuses" => f.target_statuses.push(v),
                "pool_unit_id" => f.pool_unit_id = v,
                "pool_specialties" => f.pool_specialties.push(v),
                "version" => f.version = v,
                other => {
                    if let Some(stratum) = other.strip_prefix("ratio.") {
                        f.ratios.insert(stratum.to_string(), v);
                    }
                }
            }
        }
        f
    }

    /// The domain's input, and the problems only the form can have (a ratio that is no number).
    pub fn to_input(&self) -> (PlanInput, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut ratios = BTreeMap::new();
        for (k, v) in &self.ratios {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            match v.parse::<i64>() {
                Ok(n) => {
                    ratios.insert(k.clone(), n);
                }
                Err(_) => problems.push(Problem::new(
                    "random_plan.invalid_ratio",
                    "ratios",
                    v,
                    format!("风险等级 {k} 的抽查比例“{v}”应为 0 到 1000 之间的整数（‰）"),
                )),
            }
        }
        if ratios.is_empty() && problems.is_empty() {
            problems.push(Problem::new("random_plan.invalid_ratio", "ratios", "", "请填写各风险等级的抽查比例（‰）"));
        }
        let optional = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let input = PlanInput {
            unit_id: self.unit_id.clone(),
            name: self.name.clone(),
            item_list_id: self.item_list_id.clone(),
            items: self.items.clone(),
            period_from: self.period_from.clone(),
            period_until: self.period_until.clone(),
            start_on: optional(&self.start_on),
            due_on: self.due_on.clone(),
            target_categories: self.target_categories.clone(),
            target_statuses: self.target_statuses.clone(),
            ratios,
            pool_unit_id: optional(&self.pool_unit_id),
            pool_specialties: self.pool_specialties.clone(),
        };
        (input, problems)
    }

    pub fn ratio(&self, key: &str) -> String {
        self.ratios.get(key).cloned().unwrap_or_default()
    }

    pub fn has_item(&self, code: &str) -> bool {
        self.items.iter().any(|c| c == code)
    }

    pub fn has_category(&self, key: &str) -> bool {
        self.target_categories.iter().any(|c| c == key)
    }

    pub fn has_status(&self, key: &str) -> bool {
        self.target_statuses.iter().any(|c| c == key)
    }

    pub fn has_specialty(&self, key: &str) -> bool {
        self.pool_specialties.iter().any(|c| c == key)
    }
}

/// One checkbox or option: key, label.
pub struct Opt {
    pub key: String,
    pub label: String,
}

fn opt(key: impl Into<String>, label: impl Into<String>) -> Opt {
    Opt { key: key.into(), label: label.into() }
}

/// An item of the chosen list, as a checkbox.
pub struct ItemChoice {
    pub code: String,
    pub name: String,
    pub specialty: String,
    pub categories: String,
}

#[derive(Template)]
#[template(path = "random_plan_form.html")]
struct FormPage {
    chrome: Chrome,
    /// The plan being edited: (id, name).
    editing: Option<(String, String)>,
    action: String,
    switch_action: String,
    form: PlanForm,
    /// Problems by field; those of no field under "".
    errors: BTreeMap<String, Vec<String>>,
    units: Vec<Opt>,
    unit_name: String,
    lists: Vec<Opt>,
    items: Vec<ItemChoice>,
    categories: Vec<Opt>,
    statuses: Vec<Opt>,
    specialties: Vec<Opt>,
    strata: Vec<Opt>,
    pool_units: Vec<Opt>,
}

impl FormPage {
    fn errors_of(&self, field: &str) -> Vec<String> {
        self.errors.get(field).cloned().unwrap_or_default()
    }

    fn error_count(&self) -> usize {
        self.errors.values().map(Vec::len).sum()
    }
}

fn list_label(l: &InspectionItemList) -> String {
    let effective = l.effective_on.map(|d| format!("，{d} 起施行")).unwrap_or_default();
    format!("{}：{}（第 {} 版{effective}）", l.unit_name, l.title, l.version_no)
}

/// Problems by field, in the order they came.
fn by_field(problems: &[Problem]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in problems {
        let messages = out.entry(p.field.to_string()).or_default();
        if !messages.contains(&p.message) {
            messages.push(p.message.clone());
        }
    }
    out
}

async fn form_page(
    state: &AppState,
    a: &Authenticated,
    status: StatusCode,
    editing: Option<&RandomPlan>,
    mut form: PlanForm,
    errors: BTreeMap<String, Vec<String>>,
) -> Response {
    let registry = Registry::official();
    let all_lists = match inspection_items::list(&state.store, &a.actor, &Default::default()).await {
        Ok(l) => l,
        Err(e) => return domain_error_page(e),
    };
    // Newest version first within each unit, own region first.
    let mut published: Vec<InspectionItemList> = all_lists.into_iter().filter(|l| l.is_published()).collect();
    published.sort_by_key(|l| (l.region_code != a.user.region_code, l.unit_name.clone(), -l.version_no));
    let chosen = form
        .item_list_id
        .parse::<InspectionItemListId>()
        .ok()
        .and_then(|id| published.iter().find(|l| l.id == id))
        .or_else(|| published.first());
    if form.item_list_id.trim().is_empty() {
        if let Some(l) = chosen {
            form.item_list_id = l.id.to_string();
        }
    }
    let category_label = |key: &str| registry.category(key).map(|c| c.label.clone()).unwrap_or_else(|| key.to_string());
    let specialty_label = |key: &str| {
        registry.specialties.iter().find(|s| s.key == key).map(|s| s.label.clone()).unwrap_or_else(|| key.to_string())
    };
    let items = chosen
        .map(|l| {
            l.content
                .items
                .iter()
                .map(|i| ItemChoice {
                    code: i.code.clone(),
                    name: i.name.clone(),
                    specialty: specialty_label(&i.specialty),
                    categories: i.target_categories.iter().map(|c| category_label(c)).collect::<Vec<_>>().join("、"),
                })
                .collect()
        })
        .unwrap_or_default();
    let all_units = dorg::list_units(&state.store, &a.actor).await.unwrap_or_default();
    // Plans are written in one's own region (an admin may also write below it).
    let units: Vec<Opt> = all_units
        .iter()
        .filter(|u| u.region_code == a.user.region_code || allows(&a.actor, Permission::ManageOrganisation))
        .map(|u| opt(u.id.to_string(), u.name.clone()))
        .collect();
    if form.unit_id.trim().is_empty() {
        form.unit_id = a
            .user
            .unit_id
            .map(|u| u.to_string())
            .filter(|u| units.iter().any(|o| &o.key == u))
            .or_else(|| units.first().map(|o| o.key.clone()))
            .unwrap_or_default();
    }
    let unit_name =
        all_units.iter().find(|u| u.id.to_string() == form.unit_id).map(|u| u.name.clone()).unwrap_or_default();
    let (action, switch_action) = match editing {
        Some(p) => (format!("/random-plans/{}", p.id), format!("/random-plans/{}/edit", p.id)),
        None => ("/random-plans".to_string(), "/random-plans/new".to_string()),
    };
    render(
        status,
        &FormPage {
            chrome: Chrome::new(&state.store, a, ACTIVE).await,
            editing: editing.map(|p| (p.id.to_string(), p.data.name.clone())),
            action,
            switch_action,
            errors,
            units,
            unit_name,
            lists: published.iter().map(|l| opt(l.id.to_string(), list_label(l))).collect(),
            items,
            categories: registry.categories.iter().map(|c| opt(c.key.clone(), c.label.clone())).collect(),
            statuses: EntityStatus::ALL.iter().map(|s| opt(s.key(), s.label())).collect(),
            specialties: registry.specialties.iter().map(|s| opt(s.key.clone(), s.label.clone())).collect(),
            strata: STRATA.iter().map(|(k, l)| opt(*k, *l)).collect(),
            pool_units: all_units.iter().map(|u| opt(u.id.to_string(), u.name.clone())).collect(),
            form,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct SwitchQuery {
    item_list_id: Option<String>,
}

/// 新建抽查计划: the empty form (the default ratios filled in).
pub async fn new_plan(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Query(q): Query<SwitchQuery>,
) -> Response {
    if !allows(&a.actor, Permission::ManagePlans) {
        return domain_error_page(DomainError::forbidden("您的角色无权制定抽查计划"));
    }
    let form = PlanForm::blank(String::new(), q.item_list_id.unwrap_or_default(), today());
    form_page(&state, &a, StatusCode::OK, None, form, BTreeMap::new()).await
}

/// What a refused submission shows: the domain's answer by field, plus every
/// other problem the input has, so all can be fixed at once.
fn problems_of(e: &DomainError, input: &PlanInput, mut form_problems: Vec<Problem>) -> BTreeMap<String, Vec<String>> {
    if e.kind == ErrorKind::Invalid {
        if let Err(more) = input.parse() {
            form_problems.extend(more);
        }
    }
    let mut errors = by_field(&form_problems);
    let field = e.field.clone().unwrap_or_default();
    let messages = errors.entry(field).or_default();
    if !messages.contains(&e.message) {
        messages.insert(0, e.message.clone());
    }
    errors
}

fn form_failure(problems: Vec<Problem>) -> DomainError {
    weijian_domain::input::first(problems)
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = PlanForm::from_pairs(pairs);
    let (input, form_problems) = form.to_input();
    let result = if form_problems.is_empty() {
        plans::create(&state.store, &a.actor, &input).await
    } else if !allows(&a.actor, Permission::ManagePlans) {
        Err(DomainError::forbidden("您的角色无权执行此操作"))
    } else {
        Err(form_failure(form_problems.clone()))
    };
    match result {
        Ok(p) => Redirect::to(&format!("/random-plans/{}", p.id)).into_response(),
        Err(e) if matches!(e.kind, ErrorKind::Forbidden | ErrorKind::NotFound) && e.field.is_none() => {
            domain_error_page(e)
        }
        Err(e) => {
            let status = crate::error::status_of(e.kind);
            let errors = problems_of(&e, &input, form_problems);
            form_page(&state, &a, status, None, form, errors).await
        }
    }
}

/// The form filled with the plan; a frozen plan answers with the domain's refusal.
pub async fn edit_plan(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
    Query(q): Query<SwitchQuery>,
) -> Response {
    let plan = match plans::editable(&state.store, &a.actor, id).await {
        Ok(p) => p,
        Err(e) => return refused(&state, &a, id, e).await,
    };
    let mut form = PlanForm::of_plan(&plan);
    if let Some(list) = q.item_list_id.filter(|l| *l != form.item_list_id) {
        form.item_list_id = list;
        form.items.clear();
    }
    form_page(&state, &a, StatusCode::OK, Some(&plan), form, BTreeMap::new()).await
}

/// A refusal to change a plan, shown on the plan's page (or as an error page
/// when the plan cannot be shown at all).
async fn refused(state: &AppState, a: &Authenticated, id: RandomPlanId, e: DomainError) -> Response {
    match e.kind {
        ErrorKind::NotFound | ErrorKind::Forbidden => domain_error_page(e),
        _ => super::random_plans::detail_page(state, a, id, crate::error::status_of(e.kind), e.message).await,
    }
}

pub async fn update(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let plan = match plans::editable(&state.store, &a.actor, id).await {
        Ok(p) => p,
        Err(e) => return refused(&state, &a, id, e).await,
    };
    let mut form = PlanForm::from_pairs(pairs);
    // The organising unit never changes.
    form.unit_id = plan.data.unit_id.to_string();
    let (input, mut form_problems) = form.to_input();
    let version = form.version.trim().parse::<i64>();
    if version.is_err() {
        form_problems.push(Problem::new(
            "random_plan.version_required",
            "",
            &form.version,
            "表单缺少版本号，请重新打开修改页面",
        ));
    }
    let result = match version {
        Ok(v) if form_problems.is_empty() => plans::update(&state.store, &a.actor, id, v, &input).await,
        _ => Err(form_failure(form_problems.clone())),
    };
    match result {
        Ok(p) => Redirect::to(&format!("/random-plans/{}", p.id)).into_response(),
        Err(e) if e.code == "random_plan.scope_frozen" => refused(&state, &a, id, e).await,
        Err(e) => {
            let status = crate::error::status_of(e.kind);
            let errors = problems_of(&e, &input, form_problems);
            form_page(&state, &a, status, Some(&plan), form, errors).await
        }
    }
}
