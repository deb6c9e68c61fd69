//! 双随机 pages: the plans of one's jurisdiction, a plan's page with its
//! lifecycle forms (publish, freeze, draw), one's inspection tasks (made for a
//! phone), and the public list of draws with their files, no sign-in.

use super::{domain_error_page, render, Chrome};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use weijian_domain::auth::Authenticated;
use weijian_domain::authz::{allows, Permission};
use weijian_domain::random_plans::{self as plans, DrawRequest};
use weijian_rules::draw::DrawRecord;
use weijian_store::ids::RandomPlanId;
use weijian_store::inspection_tasks::{InspectionTask, Query as TaskQuery};
use weijian_store::random_plans::{PublicDraw, RandomPlan};
use weijian_store::task_substitutions::Substitution;
use weijian_store::time;

const ACTIVE: &str = "/random-plans";

#[derive(Template)]
#[template(path = "random_plans.html")]
struct ListPage {
    chrome: Chrome,
    plans: Vec<RandomPlan>,
    can_manage: bool,
}

pub async fn index(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    match plans::list(&state.store, &a.actor, None, None, Some(200)).await {
        Ok(page) => render(
            StatusCode::OK,
            &ListPage {
                chrome: Chrome::new(&state.store, &a, ACTIVE).await,
                plans: page.items,
                can_manage: allows(&a.actor, Permission::ManagePlans),
            },
        ),
        Err(e) => domain_error_page(e),
    }
}

/// A stratum of the record as the page shows it.
struct StratumLine {
    name: &'static str,
    permille: u32,
    k: usize,
}

#[derive(Template)]
#[template(path = "random_plan.html")]
struct DetailPage {
    chrome: Chrome,
    plan: RandomPlan,
    strata: Vec<StratumLine>,
    tasks: Vec<InspectionTask>,
    can_manage: bool,
    /// The lifecycle actions this user may take now (domain::lifecycle): the
    /// page offers only these, each form carrying the version it showed.
    actions: Vec<&'static str>,
    message: String,
    frozen_at: String,
    drawn_at: String,
    /// The scope in words: (label, value).
    scope: Vec<(&'static str, String)>,
    /// Who replaced whom on the plan's tasks (staff see them at any time).
    substitutions: Vec<Substitution>,
}

impl DetailPage {
    fn when(&self, s: &Substitution) -> String {
        time::display(s.substituted_at)
    }
}

impl DetailPage {
    fn can(&self, action: &str) -> bool {
        self.actions.contains(&action)
    }
}

/// What a plan covers, with labels instead of keys.
fn scope_facts(plan: &RandomPlan) -> Vec<(&'static str, String)> {
    let registry = weijian_rules::registry::Registry::official();
    let d = &plan.data;
    let or_all = |v: Vec<String>, all: &str| if v.is_empty() { all.to_string() } else { v.join("、") };
    let categories =
        d.target_categories.iter().map(|c| registry.category(c).map_or(c.clone(), |c| c.label.clone())).collect();
    let specialties = d
        .pool_specialties
        .iter()
        .map(|k| registry.specialties.iter().find(|s| &s.key == k).map_or(k.clone(), |s| s.label.clone()))
        .collect();
    vec![
        ("检查对象类别", or_all(categories, "全部类别")),
        ("经营状态", or_all(d.target_statuses.iter().map(|s| s.label().to_string()).collect(), "正常经营")),
        ("执法人员专业", or_all(specialties, "不限")),
    ]
}

fn stratum_label(key: &str) -> &'static str {
    match key {
        "A" => "A 级（低风险）",
        "B" => "B 级（较低风险）",
        "C" => "C 级（较高风险）",
        "D" => "D 级（高风险）",
        _ => "未定级",
    }
}

pub(super) async fn detail_page(
    state: &AppState,
    a: &Authenticated,
    id: RandomPlanId,
    status: StatusCode,
    message: String,
) -> Response {
    let plan = match plans::get(&state.store, &a.actor, id).await {
        Ok(p) => p,
        Err(e) => return domain_error_page(e),
    };
    let record = match plans::documents(&state.store, &a.actor, id).await {
        Ok((_, Some(r))) => DrawRecord::from_json(&r).ok(),
        _ => None,
    };
    let strata = match &record {
        Some(r) => r
            .strata
            .iter()
            .map(|s| StratumLine { name: stratum_label(&s.name), permille: s.permille, k: s.k })
            .collect(),
        None => plan
            .data
            .ratios
            .strata()
            .into_iter()
            .map(|(name, permille)| StratumLine { name: stratum_label(name), permille: u32::from(permille), k: 0 })
            .collect(),
    };
    let tasks = if record.is_some() {
        let q = TaskQuery { plan_id: Some(id), limit: Some(200), ..Default::default() };
        plans::tasks(&state.store, &a.actor, q, false).await.map(|p| p.items).unwrap_or_default()
    } else {
        vec![]
    };
    let substitutions = if record.is_some() {
        weijian_domain::substitutions::of_plan(&state.store, &a.actor, id).await.unwrap_or_default()
    } else {
        vec![]
    };
    render(
        status,
        &DetailPage {
            substitutions,
            chrome: Chrome::new(&state.store, a, ACTIVE).await,
            can_manage: allows(&a.actor, Permission::ManagePlans),
            actions: weijian_domain::lifecycle::of_plan(&a.actor, plan.status, &plan.region_code),
            frozen_at: plan.frozen_at.map(time::display).unwrap_or_default(),
            drawn_at: plan.drawn_at.map(time::display).unwrap_or_default(),
            scope: scope_facts(&plan),
            plan,
            strata,
            tasks,
            message,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
) -> Response {
    detail_page(&state, &a, id, StatusCode::OK, String::new()).await
}

fn back(id: RandomPlanId) -> Response {
    Redirect::to(&format!("/random-plans/{id}")).into_response()
}

/// A lifecycle form's hidden field: the version the page showed (a stale page is a 409).
#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    version: Option<i64>,
}

pub async fn publish(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
    Form(f): Form<VersionForm>,
) -> Response {
    match plans::publish(&state.store, &a.actor, id, f.version).await {
        Ok(_) => back(id),
        Err(e) => detail_page(&state, &a, id, crate::error::status_of(e.kind), e.message).await,
    }
}

pub async fn freeze(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
    Form(f): Form<VersionForm>,
) -> Response {
    match plans::freeze(&state.store, &a.actor, id, f.version).await {
        Ok(_) => back(id),
        Err(e) => detail_page(&state, &a, id, crate::error::status_of(e.kind), e.message).await,
    }
}

#[derive(Deserialize)]
pub struct DrawForm {
    #[serde(default)]
    beacon: String,
    #[serde(default)]
    beacon_source: String,
    /// The plan's version the page showed.
    #[serde(default)]
    version: Option<i64>,
}

pub async fn draw(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
    Form(f): Form<DrawForm>,
) -> Response {
    let req = DrawRequest { beacon: f.beacon, beacon_source: f.beacon_source, version: f.version };
    match plans::draw(&state.store, &a.actor, id, &req).await {
        Ok(_) => back(id),
        Err(e) => detail_page(&state, &a, id, crate::error::status_of(e.kind), e.message).await,
    }
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    chrome: Chrome,
    tasks: Vec<InspectionTask>,
    mine: bool,
    can_assign: bool,
    today: chrono::NaiveDate,
}

/// An inspector's own tasks; for other staff, every task in the jurisdiction.
pub async fn tasks(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    let mine = a.user.role == weijian_store::Role::Inspector;
    let q = TaskQuery {
        status: Some(weijian_rules::inspection::TaskStatus::Assigned),
        limit: Some(200),
        ..Default::default()
    };
    match plans::tasks(&state.store, &a.actor, q, mine).await {
        Ok(page) => render(
            StatusCode::OK,
            &TasksPage {
                chrome: Chrome::new(&state.store, &a, "/tasks").await,
                tasks: page.items,
                mine,
                can_assign: weijian_domain::authz::allows(&a.actor, weijian_domain::authz::Permission::ManagePlans),
                today: weijian_domain::input::today(),
            },
        ),
        Err(e) => domain_error_page(e),
    }
}

#[derive(Template)]
#[template(path = "public_draws.html")]
struct PublicPage {
    draws: Vec<PublicDraw>,
    today: chrono::NaiveDate,
    /// The substitutions of each plan whose record is released.
    substitutions: Vec<(RandomPlanId, Vec<Substitution>)>,
}

/// The public list of draws: every frozen plan's snapshot, every drawn plan's
/// commitment, and its record once released.
pub async fn public(State(state): State<AppState>) -> Response {
    let today = weijian_domain::input::today();
    let draws = match plans::public_draws(&state.store, None).await {
        Ok(draws) => draws,
        Err(e) => return domain_error_page(e),
    };
    let mut substitutions = Vec::new();
    for d in draws.iter().filter(|d| d.record_released(today)) {
        match weijian_domain::substitutions::public_of_plan(&state.store, d.id).await {
            Ok(rows) if !rows.is_empty() => substitutions.push((d.id, rows)),
            Ok(_) => {}
            Err(e) => return domain_error_page(e),
        }
    }
    render(StatusCode::OK, &PublicPage { draws, today, substitutions })
}

impl PublicPage {
    fn released(&self, d: &PublicDraw) -> bool {
        d.record_released(self.today)
    }

    /// A released plan's substitutions (none before its record is released).
    fn substitutions_of(&self, d: &PublicDraw) -> &[Substitution] {
        self.substitutions.iter().find(|(id, _)| *id == d.id).map_or(&[], |(_, rows)| rows.as_slice())
    }

    fn when(&self, s: &Substitution) -> String {
        time::display(s.substituted_at)
    }
}

pub async fn publish_results(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
) -> Response {
    match weijian_domain::inspections::publish_results(&state.store, &a.actor, id).await {
        Ok(n) => detail_page(&state, &a, id, StatusCode::OK, format!("已公开 {n} 户的检查结果")).await,
        Err(e) => detail_page(&state, &a, id, crate::error::status_of(e.kind), e.message).await,
    }
}

#[derive(Template)]
#[template(path = "public_results.html")]
struct ResultsPage {
    results: Vec<weijian_store::inspections::PublicResult>,
}

/// 一公开: published results of random inspections; individuals' names redacted.
pub async fn public_results(State(state): State<AppState>) -> Response {
    match weijian_domain::inspections::public_results(&state.store, None).await {
        Ok(results) => render(StatusCode::OK, &ResultsPage { results }),
        Err(e) => domain_error_page(e),
    }
}
