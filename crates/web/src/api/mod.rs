//! The JSON API under `/api/v1`. Every route is registered through
//! `OpenApiRouter`, so the OpenAPI document covers each one by construction.

pub mod attachments;
mod audit;
mod auth;
pub(crate) mod case_leads;
pub(crate) mod coverage;
mod duty_lists;
pub(crate) mod entities;
pub mod imports;
pub(crate) mod inspection_campaigns;
mod inspection_tasks;
pub(crate) mod inspections;
mod inspectors;
pub(crate) mod licences;
mod paging;
pub mod penalty;
pub(crate) mod practitioners;
mod random_plans;
mod rectifications;
mod rules;
mod self_inspections;
mod units;
mod users;

use crate::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "weijian API", description = "卫监：医疗卫生行业综合监管平台 API"),
    modifiers(&Security),
    components(schemas(crate::ErrorBody))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::middleware::SESSION_COOKIE,
                "会话 Cookie；不安全的请求须带 X-CSRF-Token 头",
            ))),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::me))
        .routes(routes!(units::list))
        .routes(routes!(units::get))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get))
        .routes(routes!(audit::history))
        .routes(routes!(openapi_document))
        .routes(routes!(rules::is_working_day))
        .routes(routes!(rules::add_working_days))
        .routes(routes!(rules::add_days))
        .routes(routes!(rules::calendar_years, rules::import_calendar_years))
        .routes(routes!(rules::validate_uscc))
        .routes(routes!(rules::validate_citizen_id))
        .routes(routes!(penalty::violations))
        .routes(routes!(penalty::violation))
        .routes(routes!(penalty::evaluate))
        .routes(routes!(penalty::check))
        .routes(routes!(entities::list, entities::create))
        .routes(routes!(entities::get, entities::update))
        .routes(routes!(entities::file))
        .routes(routes!(entities::vocabulary))
        .routes(routes!(licences::list, licences::create))
        .routes(routes!(licences::get, licences::update))
        .routes(routes!(licences::history))
        .routes(routes!(duty_lists::list, duty_lists::create))
        .routes(routes!(duty_lists::get, duty_lists::update))
        .routes(routes!(duty_lists::publish))
        .routes(routes!(duty_lists::public_list))
        .routes(routes!(practitioners::list, practitioners::create))
        .routes(routes!(practitioners::get, practitioners::update))
        .routes(routes!(practitioners::reveal_id_number))
        .routes(routes!(practitioners::add_practice_site))
        .routes(routes!(practitioners::end_practice_site))
        .routes(routes!(inspectors::list, inspectors::create))
        .routes(routes!(inspectors::eligible))
        .routes(routes!(inspectors::get, inspectors::update))
        .routes(routes!(random_plans::list_item_lists, random_plans::create_item_list))
        .routes(routes!(random_plans::get_item_list, random_plans::update_item_list))
        .routes(routes!(random_plans::publish_item_list))
        .routes(routes!(random_plans::public_item_lists))
        .routes(routes!(random_plans::list_plans, random_plans::create_plan))
        .routes(routes!(random_plans::get_plan, random_plans::update_plan))
        .routes(routes!(random_plans::publish_plan))
        .routes(routes!(random_plans::freeze_plan))
        .routes(routes!(random_plans::draw_plan))
        .routes(routes!(random_plans::plan_snapshot))
        .routes(routes!(random_plans::plan_record))
        .routes(routes!(random_plans::public_draws))
        .routes(routes!(random_plans::public_draw))
        .routes(routes!(random_plans::public_record))
        .routes(routes!(random_plans::public_snapshot))
        .routes(routes!(random_plans::declare_conflict))
        .routes(routes!(random_plans::list_tasks))
        .routes(routes!(random_plans::get_task))
        .routes(routes!(random_plans::substitute))
        .routes(routes!(random_plans::plan_substitutions))
        .routes(routes!(random_plans::public_substitutions))
        .routes(routes!(inspection_tasks::create_task))
        .routes(routes!(inspection_campaigns::list, inspection_campaigns::create))
        .routes(routes!(inspection_campaigns::get))
        .routes(routes!(inspection_campaigns::generate))
        .routes(routes!(inspections::record))
        .routes(routes!(rectifications::rectifications))
        .routes(routes!(rectifications::report))
        .routes(routes!(coverage::coverage))
        .routes(routes!(coverage::never_inspected))
        .routes(routes!(inspections::opinion_pdf))
        .routes(routes!(inspections::site_record_pdf))
        .routes(routes!(case_leads::list))
        .routes(routes!(case_leads::get))
        .routes(routes!(case_leads::dismiss))
        .routes(routes!(case_leads::request_dismissal))
        .routes(routes!(case_leads::legal_review))
        .routes(routes!(case_leads::accept))
        .routes(routes!(case_leads::from_order))
        .routes(routes!(inspections::publish_results))
        .routes(routes!(inspections::public_results))
        .routes(routes!(self_inspections::list, self_inspections::create))
        .routes(routes!(self_inspections::get))
        .routes(routes!(self_inspections::close))
        .routes(routes!(self_inspections::reports, self_inspections::submit))
        .routes(routes!(self_inspections::get_report))
        .routes(routes!(self_inspections::review))
        .routes(routes!(self_inspections::missing))
        .merge(imports::router())
        .merge(attachments::router())
}

/// The document, rendered once when the application is built.
static DOCUMENT: OnceLock<String> = OnceLock::new();

pub fn set_document(doc: &utoipa::openapi::OpenApi) {
    let _ = DOCUMENT.set(doc.to_pretty_json().expect("openapi serialises"));
}

/// This OpenAPI 3 document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "OpenAPI 3 文档", content_type = "application/json")))]
pub async fn openapi_document() -> Response {
    let body = DOCUMENT.get().cloned().unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
