//! 监督覆盖率 per specialty: the year's report and the entities not yet
//! inspected, for staff of the scope.

use super::paging;
use crate::error::{ApiError, ErrorBody};
use crate::extract::CurrentUser;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use weijian_domain::coverage as domain;
use weijian_domain::{DomainError, ErrorKind};
use weijian_rules::coverage::{Line, TARGET_PERMILLE};
use weijian_rules::registry::Registry;
use weijian_store::coverage::Uninspected;

#[derive(Serialize, ToSchema)]
pub struct CoverageLineView {
    /// Specialty key (registry vocabulary), e.g. `radiation`.
    pub specialty: String,
    pub specialty_label: String,
    /// Null on the specialty's total line; else one category it supervises.
    pub category: Option<String>,
    pub category_label: Option<String>,
    /// Operating entities of the scope under this specialty (and category).
    pub supervised: i64,
    /// Of them, inspected this year for an item of this specialty.
    pub inspected: i64,
    /// inspected / supervised, in per mille (rounded down; 0 when nothing is supervised).
    pub rate_permille: i64,
    /// The year's target (seed 002: 1000, i.e. 100%).
    pub target_permille: i64,
}

impl From<Line> for CoverageLineView {
    fn from(l: Line) -> Self {
        let rate_permille = l.rate_permille();
        CoverageLineView {
            specialty_label: specialty_label(&l.specialty),
            category_label: l.category.as_deref().map(super::entities::category_label),
            specialty: l.specialty,
            category: l.category,
            supervised: l.supervised,
            inspected: l.inspected,
            rate_permille,
            target_permille: TARGET_PERMILLE,
        }
    }
}

pub fn specialty_label(key: &str) -> String {
    Registry::official().specialty(key).map(|s| s.label.clone()).unwrap_or_else(|| key.to_string())
}

#[derive(Serialize, ToSchema)]
pub struct CoverageView {
    pub year: i32,
    pub items: Vec<CoverageLineView>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// Calendar year (2000–2100); the current one by default.
    pub year: Option<String>,
    /// Only this region and below (within the caller's jurisdiction).
    pub region_code: Option<String>,
    /// One specialty, by key (e.g. `radiation`) or label (放射卫生).
    pub specialty: Option<String>,
}

/// A malformed query parameter is the request's fault: 400 with the domain's code.
fn bad_query(e: DomainError) -> ApiError {
    let status = if e.kind == ErrorKind::Invalid { StatusCode::BAD_REQUEST } else { ApiError::from(e.clone()).status };
    let mut out = ApiError::from(e);
    out.status = status;
    out
}

fn year(raw: Option<&str>) -> Result<i32, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(chrono::Datelike::year(&weijian_domain::input::today())),
        Some(s) => s.parse().map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, "coverage.invalid_year", "年份应为 2000 到 2100 之间的整数")
                .with_field("year")
        }),
    }
}

/// 监督覆盖率 per specialty and, within it, per entity category: an entity is
/// covered for a specialty only by an inspection of an item of that specialty.
#[utoipa::path(get, path = "/api/v1/coverage", tag = "random_inspections", params(CoverageQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = CoverageView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn coverage(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<CoverageQuery>, QueryRejection>,
) -> Result<Json<CoverageView>, ApiError> {
    let Query(q) = q.map_err(|_| paging::query_rejected())?;
    let year = year(q.year.as_deref())?;
    let region = q.region_code.filter(|s| !s.is_empty());
    let lines = domain::report(&state.store, &a.actor, year, region.as_deref(), q.specialty.as_deref())
        .await
        .map_err(bad_query)?;
    Ok(Json(CoverageView { year, items: lines.into_iter().map(Into::into).collect() }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NeverInspectedQuery {
    /// Calendar year (2000–2100); the current one by default.
    pub year: Option<String>,
    /// Only this region and below (within the caller's jurisdiction).
    pub region_code: Option<String>,
    /// Not inspected for this specialty (among the categories it supervises); without it, not at all.
    pub specialty: Option<String>,
    /// The `next` of the previous page (`cursor` is accepted too).
    pub after: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UninspectedView {
    pub id: String,
    pub name: String,
    pub category: String,
    pub category_label: String,
    pub region_code: String,
}

impl From<Uninspected> for UninspectedView {
    fn from(u: Uninspected) -> Self {
        UninspectedView {
            id: u.id.to_string(),
            category_label: super::entities::category_label(&u.category),
            name: u.name,
            category: u.category,
            region_code: u.region_code,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UninspectedPage {
    pub items: Vec<UninspectedView>,
    pub next: Option<String>,
}

/// Operating entities not yet inspected this year (for a specialty), by name.
#[utoipa::path(get, path = "/api/v1/coverage/never-inspected", tag = "random_inspections",
    params(NeverInspectedQuery), security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = UninspectedPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn never_inspected(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<NeverInspectedQuery>, QueryRejection>,
) -> Result<Json<UninspectedPage>, ApiError> {
    let Query(q) = q.map_err(|_| paging::query_rejected())?;
    let year = year(q.year.as_deref())?;
    let region = q.region_code.filter(|s| !s.is_empty());
    let after = paging::cursor(q.after.as_deref().or(q.cursor.as_deref()))?;
    let limit = paging::limit(q.limit.as_deref())?;
    let page =
        domain::never_inspected(&state.store, &a.actor, year, region.as_deref(), q.specialty.as_deref(), after, limit)
            .await
            .map_err(bad_query)?;
    Ok(Json(UninspectedPage { items: page.items.into_iter().map(Into::into).collect(), next: page.next }))
}
