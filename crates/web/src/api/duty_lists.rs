//! Responsibility lists (权责清单): staff routes within one's jurisdiction, and
//! the public portal's read of the lists in effect for a region.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, CurrentUser, PathId};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use weijian_domain::duty_lists as dl;
use weijian_domain::DomainError;
use weijian_store::duty_lists::{DutyList, DutyListContent, ListFilter};
use weijian_store::ids::{DutyListId, UnitId};
use weijian_store::time;

/// One version of a unit's responsibility list, without its content.
#[derive(Serialize, ToSchema)]
pub struct DutyListSummary {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub region_code: String,
    pub version_no: i64,
    pub title: String,
    /// draft, published
    pub status: String,
    pub status_label: String,
    /// `YYYY-MM-DD`, set when published.
    pub effective_on: Option<String>,
    pub published_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Bumped by every change; send it back to publish (a stale one is a 409).
    pub version: i64,
    /// The actions this user may take now: publish.
    pub allowed_actions: Vec<String>,
}

/// One version with its content.
#[derive(Serialize, ToSchema)]
pub struct DutyListView {
    #[serde(flatten)]
    pub summary: DutyListSummary,
    #[schema(value_type = ContentSchema)]
    pub content: DutyListContent,
}

#[derive(Serialize, ToSchema)]
pub struct DutyListPage {
    pub items: Vec<DutyListSummary>,
    /// Always null: every version in the jurisdiction fits one page.
    pub next: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PublicDutyLists {
    pub region_code: String,
    pub region_name: String,
    /// Per unit of the region, the published version in effect today.
    pub items: Vec<DutyListView>,
}

impl From<&DutyList> for DutyListSummary {
    fn from(l: &DutyList) -> Self {
        DutyListSummary {
            id: l.id.to_string(),
            unit_id: l.unit_id.to_string(),
            unit_name: l.unit_name.clone(),
            region_code: l.region_code.clone(),
            version_no: l.version_no,
            title: l.title.clone(),
            status: l.status.key().into(),
            status_label: l.status.label().into(),
            effective_on: l.effective_on.map(|d| d.format("%Y-%m-%d").to_string()),
            published_at: l.published_at.map(time::to_db),
            created_at: time::to_db(l.created_at),
            updated_at: time::to_db(l.updated_at),
            version: l.version,
            allowed_actions: vec![],
        }
    }
}

impl From<DutyList> for DutyListView {
    fn from(l: DutyList) -> Self {
        DutyListView { summary: DutyListSummary::from(&l), content: l.content }
    }
}

/// A version as this user sees it, with the actions they may take now.
fn summary_for(actor: &weijian_store::Actor, l: &DutyList) -> DutyListSummary {
    let actions = weijian_domain::lifecycle::of_duty_list(actor, l.status, &l.region_code);
    DutyListSummary { allowed_actions: actions.into_iter().map(String::from).collect(), ..DutyListSummary::from(l) }
}

fn view_for(actor: &weijian_store::Actor, l: DutyList) -> DutyListView {
    DutyListView { summary: summary_for(actor, &l), content: l.content }
}

// Schemas of the content document, for the OpenAPI description only (the
// values themselves are the store's typed structs).
#[allow(dead_code)]
#[derive(ToSchema)]
#[schema(as = DutyListContent)]
struct ContentSchema {
    /// 主要职责
    duties: Vec<DutySchema>,
    /// 职责边界
    boundaries: Vec<BoundarySchema>,
    /// 公共服务事项
    public_services: Vec<PublicServiceSchema>,
}

#[allow(dead_code)]
#[derive(ToSchema)]
#[schema(as = Duty)]
struct DutySchema {
    name: String,
    basis: Option<String>,
    /// 具体工作事项
    tasks: Vec<TaskSchema>,
}

#[allow(dead_code)]
#[derive(ToSchema)]
#[schema(as = DutyTask)]
struct TaskSchema {
    name: String,
    /// 责任股室
    section: Option<String>,
    remarks: Option<String>,
}

#[allow(dead_code)]
#[derive(ToSchema)]
#[schema(as = DutyBoundary)]
struct BoundarySchema {
    /// 管理事项
    matter: String,
    our_part: String,
    other_department: String,
    their_part: String,
    basis: Option<String>,
    cases: Option<String>,
}

#[allow(dead_code)]
#[derive(ToSchema)]
#[schema(as = PublicService)]
struct PublicServiceSchema {
    name: String,
    content: Option<String>,
    handling_unit: Option<String>,
    phone: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this unit's versions.
    pub unit_id: Option<String>,
    /// Only the units of exactly this region (six-digit code).
    pub region_code: Option<String>,
}

/// Every version in the caller's jurisdiction (optionally of one unit or one
/// region), newest first per unit.
#[utoipa::path(get, path = "/api/v1/duty-lists", tag = "duty_lists",
    params(ListQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = DutyListPage), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<DutyListPage>, ApiError> {
    let unit_id = match q.unit_id.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(s.parse::<UnitId>().map_err(|_| {
            ApiError::from(DomainError::invalid("duty_list.invalid_unit_id", "unit_id", "单位标识无效"))
        })?),
    };
    let region_code = q.region_code.filter(|s| !s.is_empty());
    let lists = dl::list(&state.store, &a.actor, &ListFilter { unit_id, region_code }).await?;
    Ok(Json(DutyListPage { items: lists.iter().map(|l| summary_for(&a.actor, l)).collect(), next: None }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDutyList {
    pub unit_id: String,
    /// Defaults to the previous version's title, or 「单位名称权责清单」.
    pub title: Option<String>,
}

/// Starts a new draft version for a unit, copied from its latest version.
#[utoipa::path(post, path = "/api/v1/duty-lists", tag = "duty_lists",
    request_body = CreateDutyList,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = DutyListView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    ApiJson(body): ApiJson<CreateDutyList>,
) -> Result<(StatusCode, Json<DutyListView>), ApiError> {
    let Ok(unit_id) = body.unit_id.parse::<UnitId>() else {
        return Err(DomainError::invalid("duty_list.invalid_unit_id", "unit_id", "单位标识无效").into());
    };
    let list = dl::create_draft(&state.store, &a.actor, unit_id, body.title.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(view_for(&a.actor, list))))
}

/// One version with its content; 404 outside the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/duty-lists/{id}", tag = "duty_lists",
    params(("id" = String, Path, description = "清单版本标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = DutyListView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<DutyListId>,
) -> Result<Json<DutyListView>, ApiError> {
    Ok(Json(view_for(&a.actor, dl::get(&state.store, &a.actor, id).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDutyList {
    pub title: String,
    #[schema(value_type = ContentSchema)]
    pub content: DutyListContent,
}

/// Replaces a draft's title and content; a published version is a 409
/// (`duty_list.published_immutable`).
#[utoipa::path(put, path = "/api/v1/duty-lists/{id}", tag = "duty_lists",
    params(("id" = String, Path, description = "清单版本标识")),
    request_body = UpdateDutyList,
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = DutyListView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<DutyListId>,
    ApiJson(body): ApiJson<UpdateDutyList>,
) -> Result<Json<DutyListView>, ApiError> {
    Ok(Json(view_for(&a.actor, dl::update_draft(&state.store, &a.actor, id, &body.title, &body.content).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishDutyList {
    /// `YYYY-MM-DD`, Beijing date from which the version is in effect.
    pub effective_on: String,
    /// The version as read; a stale one is refused (duty_list.stale).
    #[serde(default)]
    pub version: Option<i64>,
}

/// Publishes a draft; from then on it never changes.
#[utoipa::path(post, path = "/api/v1/duty-lists/{id}/publish", tag = "duty_lists",
    params(("id" = String, Path, description = "清单版本标识")),
    request_body = PublishDutyList,
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = DutyListView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<DutyListId>,
    ApiJson(body): ApiJson<PublishDutyList>,
) -> Result<Json<DutyListView>, ApiError> {
    Ok(Json(view_for(&a.actor, dl::publish(&state.store, &a.actor, id, body.version, &body.effective_on).await?)))
}

/// Public, no sign-in: the responsibility lists in effect for a region's units.
#[utoipa::path(get, path = "/api/v1/public/regions/{region_code}/duty-lists", tag = "duty_lists",
    params(("region_code" = String, Path, description = "六位行政区划代码")),
    responses((status = 200, body = PublicDutyLists), (status = 404, body = ErrorBody)))]
pub async fn public_list(
    State(state): State<AppState>,
    Path(region_code): Path<String>,
) -> Result<Json<PublicDutyLists>, ApiError> {
    let (region, lists) = dl::public_for_region(&state.store, &region_code).await?;
    Ok(Json(PublicDutyLists {
        region_code: region.code,
        region_name: region.name,
        items: lists.into_iter().map(DutyListView::from).collect(),
    }))
}
