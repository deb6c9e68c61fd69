//! Server-rendered pages in Simplified Chinese. They work without JavaScript
//! and on a phone; they call the same domain functions as the JSON API.

mod account;
mod case_leads;
mod conflicts;
mod coverage;
mod duty_lists;
mod imports;
mod inspection;
mod inspection_campaigns;
mod item_lists;
mod org;
mod people;
mod random_plan_form;
mod random_plans;
mod rectifications;
mod registry;
mod rules;
mod self_inspections;
mod versioned_lists;

use crate::extract::CurrentUser;
use crate::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use versioned_lists as vl;
use weijian_domain::auth::Authenticated;
use weijian_domain::authz::{allows, Permission};
use weijian_domain::{DomainError, ErrorKind};
use weijian_store::duty_lists::DutyLists;
use weijian_store::inspection_items::ItemLists;
use weijian_store::{regions, units, Store};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(account::login_form).post(account::login_submit))
        .route("/logout", post(account::logout))
        .route("/password", get(account::password_form).post(account::password_submit))
        .route("/units", get(org::units))
        .route("/units/{id}", get(org::unit))
        .route("/users", get(org::users).post(org::create_user))
        .route("/users/new", get(org::new_user))
        .route("/users/{id}", get(org::user))
        .route("/audit", get(org::history))
        .route("/entities", get(registry::entities).post(registry::create_entity))
        .route("/entities/new", get(registry::new_entity))
        .route("/entities/{id}", get(registry::entity).post(registry::update_entity))
        .route("/entities/{id}/edit", get(registry::edit_entity))
        .route("/entities/{id}/licences", post(registry::create_licence))
        .route("/entities/{id}/licences/new", get(registry::new_licence))
        .route("/licences", get(registry::licences))
        .route("/rules", get(rules::engine))
        .route("/rules/violations/{code}", get(rules::violation))
        .route("/rules/points", get(rules::points))
        .route("/rules/calendar", get(rules::calendar).post(rules::import_calendar))
        .route("/duty-lists", get(vl::index::<DutyLists>).post(vl::create::<DutyLists>))
        .route("/duty-lists/{id}", get(vl::show::<DutyLists>).post(duty_lists::update))
        .route("/duty-lists/{id}/publish", post(vl::publish::<DutyLists>))
        .route("/public/regions/{region_code}/duty-lists", get(vl::public::<DutyLists>))
        .route("/inspection-item-lists", get(vl::index::<ItemLists>).post(vl::create::<ItemLists>))
        .route("/inspection-item-lists/{id}", get(vl::show::<ItemLists>).post(item_lists::update_title))
        .route("/inspection-item-lists/{id}/publish", post(vl::publish::<ItemLists>))
        .route("/inspection-item-lists/{id}/items", post(item_lists::create_item))
        .route("/inspection-item-lists/{id}/items/new", get(item_lists::new_item))
        .route("/inspection-item-lists/{id}/items/{n}", get(item_lists::edit_item).post(item_lists::update_item))
        .route("/inspection-item-lists/{id}/items/{n}/delete", post(item_lists::delete_item))
        .route("/public/regions/{region_code}/inspection-items", get(vl::public::<ItemLists>))
        .route("/practitioners", get(people::practitioners).post(people::create_practitioner))
        .route("/practitioners/new", get(people::new_practitioner))
        .route("/practitioners/{id}", get(people::practitioner))
        .route("/practitioners/{id}/reveal-id-number", post(people::reveal_id_number))
        .route("/practitioners/{id}/practice-sites", post(people::add_practice_site))
        .route("/inspectors", get(people::inspectors).post(people::create_inspector))
        .route("/inspectors/new", get(people::new_inspector))
        .route("/inspectors/{id}", get(people::inspector))
        .route(
            "/imports",
            get(imports::index)
                .post(imports::upload)
                .layer(axum::extract::DefaultBodyLimit::max(crate::api::imports::IMPORT_LIMIT)),
        )
        .route("/imports/{id}", get(imports::job))
        .route("/random-plans", get(random_plans::index).post(random_plan_form::create))
        .route("/random-plans/new", get(random_plan_form::new_plan))
        .route("/random-plans/{id}", get(random_plans::show).post(random_plan_form::update))
        .route("/random-plans/{id}/edit", get(random_plan_form::edit_plan))
        .route("/random-plans/{id}/publish", post(random_plans::publish))
        .route("/random-plans/{id}/freeze", post(random_plans::freeze))
        .route("/random-plans/{id}/draw", post(random_plans::draw))
        .route("/tasks", get(random_plans::tasks))
        .route("/coverage/never-inspected", get(coverage::never_inspected))
        .route("/conflicts", get(conflicts::index).post(conflicts::declare))
        .route("/rectifications/{id}/report", post(rectifications::report))
        .route("/rectifications/{id}/case-lead", post(case_leads::from_order))
        .route("/case-leads", get(case_leads::index))
        .route("/case-leads/{id}", get(case_leads::show))
        .route("/case-leads/{id}/dismiss", post(case_leads::dismiss))
        .route("/case-leads/{id}/request-dismissal", post(case_leads::request_dismissal))
        .route("/case-leads/{id}/legal-review", post(case_leads::legal_review))
        .route("/case-leads/{id}/accept", post(case_leads::accept))
        .route("/tasks/{id}", get(inspection::show))
        .route("/tasks/{id}/inspection", post(inspection::record))
        .route("/tasks/{id}/substitute", post(inspection::substitute))
        .route("/tasks/{id}/photos", post(inspection::upload_photo).layer(axum::extract::DefaultBodyLimit::disable()))
        .route("/random-plans/{id}/publish-results", post(random_plans::publish_results))
        .route("/public/draws", get(random_plans::public))
        .route("/public/inspection-results", get(random_plans::public_results))
        .route("/self-inspections", get(self_inspections::index).post(self_inspections::create))
        .route("/self-inspections/{id}", get(self_inspections::show))
        .route("/self-inspections/{id}/close", post(self_inspections::close))
        .route("/self-inspections/{id}/report", get(self_inspections::report_page).post(self_inspections::submit))
        .route(
            "/self-inspections/{id}/attachments",
            post(self_inspections::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/self-inspections/{id}/reports/{report_id}", get(self_inspections::report))
        .route("/self-inspections/{id}/reports/{report_id}/review", post(self_inspections::review))
        .route("/inspection-campaigns", get(inspection_campaigns::index).post(inspection_campaigns::create))
        .route("/inspection-campaigns/{id}", get(inspection_campaigns::show))
        .route("/inspection-campaigns/{id}/tasks", post(inspection_campaigns::generate))
        .route("/tasks/new", get(inspection_campaigns::new_task).post(inspection_campaigns::create_task))
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// What every signed-in page shows around its content.
pub struct Chrome {
    pub user_name: String,
    pub role_label: String,
    pub region_name: String,
    pub unit_name: String,
    pub csrf_token: String,
    pub nav: Vec<NavItem>,
}

impl Chrome {
    pub async fn new(store: &Store, a: &Authenticated, active: &str) -> Chrome {
        let region_name = regions::get(store, &a.user.region_code).await.map(|r| r.name).unwrap_or_default();
        let unit_name = match a.user.unit_id {
            Some(id) => units::get(store, &a.actor, id).await.map(|u| u.name).unwrap_or_default(),
            None => String::new(),
        };
        // Only modules that exist and that the role may use: no dead links.
        let mut nav = vec![NavItem { href: "/", label: "首页", active: active == "/" }];
        if allows(&a.actor, Permission::ViewOrganisation) {
            nav.push(NavItem { href: "/units", label: "组织机构", active: active == "/units" });
        }
        if allows(&a.actor, Permission::ViewDutyLists) {
            nav.push(NavItem { href: "/duty-lists", label: "权责清单", active: active == "/duty-lists" });
        }
        if allows(&a.actor, Permission::ViewUsers) {
            nav.push(NavItem { href: "/users", label: "用户", active: active == "/users" });
        }
        if allows(&a.actor, Permission::ViewRegistry) {
            nav.push(NavItem { href: "/entities", label: "监管对象", active: active == "/entities" });
            nav.push(NavItem { href: "/practitioners", label: "医务人员", active: active == "/practitioners" });
            if !a.user.role.eq(&weijian_store::Role::Institution) {
                nav.push(NavItem { href: "/inspectors", label: "执法人员", active: active == "/inspectors" });
            }
        }
        if allows(&a.actor, Permission::ViewRegistry) && a.user.role != weijian_store::Role::Institution {
            nav.push(NavItem { href: "/tasks", label: "检查任务", active: active == "/tasks" });
            nav.push(NavItem { href: "/random-plans", label: "双随机", active: active == "/random-plans" });
            if allows(&a.actor, Permission::ManagePlans) {
                nav.push(NavItem {
                    href: "/inspection-campaigns",
                    label: "专项检查",
                    active: active == "/inspection-campaigns",
                });
            }
            nav.push(NavItem { href: "/self-inspections", label: "自查", active: active == "/self-inspections" });
        }
        if allows(&a.actor, Permission::ViewCaseLeads) {
            nav.push(NavItem { href: "/case-leads", label: "案源", active: active == "/case-leads" });
        }
        if allows(&a.actor, Permission::ViewPlans) {
            nav.push(NavItem {
                href: "/inspection-item-lists",
                label: "抽查事项清单",
                active: active == "/inspection-item-lists",
            });
        }
        if a.user.role == weijian_store::Role::Inspector {
            nav.push(NavItem { href: "/conflicts", label: "回避申报", active: active == "/conflicts" });
        }
        if allows(&a.actor, Permission::ViewRules) {
            nav.push(NavItem { href: "/rules", label: "裁量基准", active: active == "/rules" });
        }
        nav.push(NavItem { href: "/rules/calendar", label: "工作日历", active: active == "/rules/calendar" });
        if allows(&a.actor, Permission::ViewRegistry) {
            nav.push(NavItem { href: "/imports", label: "导入导出", active: active == "/imports" });
        }
        Chrome {
            user_name: a.user.name.clone(),
            role_label: a.user.role.label().into(),
            region_name,
            unit_name,
            csrf_token: a.session.as_ref().map(|s| s.csrf_token.clone()).unwrap_or_default(),
            nav,
        }
    }
}

pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<h1>页面生成失败</h1>".to_string())).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    render(status, &ErrorPage { title, message })
}

/// A domain failure shown as a page.
pub fn domain_error_page(e: DomainError) -> Response {
    let status = crate::error::status_of(e.kind);
    let title = match e.kind {
        ErrorKind::NotFound => "对象不存在",
        ErrorKind::Forbidden => "无权访问",
        ErrorKind::Unavailable => "服务暂不可用",
        ErrorKind::Internal => "服务器错误",
        _ => "操作未完成",
    };
    error_page(status, title, &e.message)
}

/// An anonymous or expired request to a page: 401 with the sign-in form.
pub fn login_required(next: Option<String>, message: Option<String>) -> Response {
    account::login_page(StatusCode::UNAUTHORIZED, next, message.or_else(|| Some("请先登录".into())), String::new())
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    username: String,
    region_code: String,
    must_see_units: bool,
    must_see_users: bool,
    attention: Option<AttentionPanel>,
    /// Leaders' and section chiefs' coverage panel (rendered SVG chart and table).
    coverage: Option<String>,
    /// An institution's rectification orders.
    orders: Vec<OrderRow>,
    /// An institution's self-inspections still waiting for its report.
    self_inspections: Vec<SelfInspectionRow>,
    /// A legal reviewer's case leads whose dismissal waits for 法制审核: (id, entity, reason).
    pending_reviews: Vec<(String, String, String)>,
}

/// A campaign on the institution's 待提交的自查 list.
struct SelfInspectionRow {
    id: String,
    title: String,
    deadline: String,
    overdue: bool,
}

/// Counts and names for the home page's 需要关注 panel.
struct AttentionPanel {
    expiring_licences: i64,
    expired_licences: i64,
    certificates: Vec<(String, String, String)>,
    overdue_orders: Vec<OverdueOrder>,
    /// Whether the user may turn an overdue order into a case lead (转为案源).
    can_register_leads: bool,
    /// Random inspections past the 20-working-day publication deadline: (entity, inspected on, due).
    overdue_publications: Vec<(String, String, String)>,
}

/// An open order past its deadline, with its lead if it already has one.
struct OverdueOrder {
    id: String,
    entity_id: String,
    entity_name: String,
    deadline: String,
    lead: Option<String>,
}

struct OrderRow {
    id: String,
    content: String,
    deadline: String,
    status: String,
    /// The institution may report on it now (domain::lifecycle).
    open: bool,
    /// Sent back with the report form: a stale page is refused.
    version: i64,
}

async fn home(axum::extract::State(state): axum::extract::State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    let chrome = Chrome::new(&state.store, &a, "/").await;
    // Institution users see their own file instead; staff see what needs attention.
    let attention = if a.user.entity_id.is_none() && allows(&a.actor, Permission::ViewRegistry) {
        weijian_domain::entities::attention(&state.store, &a.actor, weijian_domain::input::today()).await.ok().map(
            |t| AttentionPanel {
                expiring_licences: t.expiring_licences,
                expired_licences: t.expired_licences,
                certificates: t
                    .expiring_certificates
                    .iter()
                    .map(|i| (i.id.to_string(), i.data.name.clone(), i.data.cert_valid_until.to_string()))
                    .collect(),
                overdue_orders: vec![],
                can_register_leads: allows(&a.actor, Permission::RegisterCaseLeads),
                overdue_publications: vec![],
            },
        )
    } else {
        None
    };
    let today = weijian_domain::input::today();
    let attention = match attention {
        Some(mut panel) => {
            let q = weijian_store::inspections::RectificationQuery {
                overdue_on: Some(today),
                limit: Some(50),
                ..Default::default()
            };
            let overdue = weijian_domain::rectifications::list(&state.store, &a.actor, &q)
                .await
                .map(|p| p.items)
                .unwrap_or_default();
            let ids: Vec<_> = overdue.iter().map(|r| r.id).collect();
            let leads = weijian_domain::case_leads::of_orders(&state.store, &a.actor, &ids).await.unwrap_or_default();
            panel.overdue_orders = overdue
                .into_iter()
                .map(|r| OverdueOrder {
                    lead: leads.get(&r.id).map(|l| l.to_string()),
                    id: r.id.to_string(),
                    entity_id: r.entity_id.to_string(),
                    entity_name: r.entity_name,
                    deadline: r.deadline.to_string(),
                })
                .collect();
            panel.overdue_publications =
                weijian_domain::inspections::overdue_publications(&state.store, &a.actor, today)
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(name, day, due)| (name, day.to_string(), due.to_string()))
                    .collect();
            Some(panel)
        }
        None => None,
    };
    // Leaders and section chiefs see the year's coverage; institutions their open orders.
    let coverage = if matches!(a.user.role, weijian_store::Role::Leader | weijian_store::Role::SectionChief) {
        coverage::panel(&state.store, &a.actor, chrono::Datelike::year(&today)).await
    } else {
        None
    };
    let orders = if a.user.entity_id.is_some() {
        let q = weijian_store::inspections::RectificationQuery { limit: Some(50), ..Default::default() };
        weijian_domain::rectifications::list(&state.store, &a.actor, &q)
            .await
            .map(|p| p.items)
            .unwrap_or_default()
            .into_iter()
            .map(|r| OrderRow {
                id: r.id.to_string(),
                open: weijian_domain::lifecycle::of_rectification(&a.actor, r.status, &r.region_code, r.entity_id)
                    .contains(&"report"),
                version: r.version,
                content: r.content,
                deadline: r.deadline.to_string(),
                status: r.status.label().to_string(),
            })
            .collect()
    } else {
        vec![]
    };
    let self_inspections = match a.user.entity_id {
        Some(entity) => {
            let q = weijian_store::self_inspections::Query {
                awaiting_report_of: Some(entity),
                limit: Some(50),
                ..Default::default()
            };
            weijian_domain::self_inspections::list(&state.store, &a.actor, &q)
                .await
                .map(|p| p.items)
                .unwrap_or_default()
                .into_iter()
                .map(|c| SelfInspectionRow {
                    id: c.id.to_string(),
                    overdue: weijian_domain::self_inspections::is_overdue(&c, today),
                    title: c.data.title,
                    deadline: c.data.deadline.to_string(),
                })
                .collect()
        }
        None => vec![],
    };
    let pending_reviews = if allows(&a.actor, Permission::ReviewDismissals) {
        let q = weijian_store::case_leads::Query {
            status: Some(weijian_rules::case_leads::CaseLeadStatus::PendingLegalReview),
            limit: Some(50),
            ..Default::default()
        };
        weijian_domain::case_leads::list(&state.store, &a.actor, &q)
            .await
            .map(|p| p.items)
            .unwrap_or_default()
            .into_iter()
            .map(|l| (l.id.to_string(), l.entity_name, l.decision_reason.unwrap_or_default()))
            .collect()
    } else {
        vec![]
    };
    render(
        StatusCode::OK,
        &Home {
            pending_reviews,
            coverage,
            orders,
            self_inspections,
            username: a.user.username.clone(),
            region_code: a.user.region_code.clone(),
            must_see_units: allows(&a.actor, Permission::ViewOrganisation),
            must_see_users: allows(&a.actor, Permission::ViewUsers),
            attention,
            chrome,
        },
    )
}
