//! 双随机: inspection item lists, random plans (publish, freeze, draw), the
//! public draws with their snapshot and record (no sign-in), declared
//! conflicts, and the inspection tasks a draw creates.

use super::paging;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, CurrentUser, OptionalVersion, PathId, VersionBody};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use weijian_domain::random_plans::{self as plans, DrawRequest, PlanInput};
use weijian_domain::substitutions::{self, SubstitutionInput};
use weijian_domain::{inspection_items, DomainError};
use weijian_rules::inspection::PlanStatus;
use weijian_store::ids::{EntityId, InspectionItemListId, InspectionTaskId, InspectorId, RandomPlanId, UnitId};
use weijian_store::inspection_items::{InspectionItemList, ItemListContent};
use weijian_store::inspection_tasks::{self, InspectionTask};
use weijian_store::random_plans::{PublicDraw, RandomPlan};
use weijian_store::task_substitutions::Substitution;
use weijian_store::time;
use weijian_store::versioned::ListFilter;

// ---- inspection item lists -------------------------------------------------

/// One version of a unit's 抽查事项清单 with its items and checklists.
#[derive(Serialize, ToSchema)]
pub struct ItemListView {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub region_code: String,
    pub version_no: i64,
    pub title: String,
    /// draft, published
    pub status: String,
    pub status_label: String,
    pub effective_on: Option<String>,
    /// Bumped by every change; send it back to publish (a stale one is a 409).
    pub version: i64,
    /// The actions this user may take now: publish.
    pub allowed_actions: Vec<String>,
    /// `{"items": [{code, name, specialty, target_categories, content, method, legal_basis, checklist: [{text, legal_basis, violation_code}]}]}`
    #[schema(value_type = Object)]
    pub content: ItemListContent,
}

impl From<InspectionItemList> for ItemListView {
    fn from(l: InspectionItemList) -> Self {
        ItemListView {
            id: l.id.to_string(),
            unit_id: l.unit_id.to_string(),
            unit_name: l.unit_name,
            region_code: l.region_code,
            version_no: l.version_no,
            title: l.title,
            status: l.status.key().into(),
            status_label: l.status.label().into(),
            effective_on: l.effective_on.map(|d| d.to_string()),
            version: l.version,
            allowed_actions: vec![],
            content: l.content,
        }
    }
}

/// The list as this user sees it, with the actions they may take now.
fn item_list_view(actor: &weijian_store::Actor, l: InspectionItemList) -> ItemListView {
    let actions = weijian_domain::lifecycle::of_item_list(actor, l.status, &l.region_code);
    ItemListView { allowed_actions: actions.into_iter().map(String::from).collect(), ..ItemListView::from(l) }
}

#[derive(Serialize, ToSchema)]
pub struct ItemListPage {
    pub items: Vec<ItemListView>,
    /// Always null: every version in the jurisdiction fits one page.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemListQuery {
    pub unit_id: Option<String>,
    pub region_code: Option<String>,
}

fn unit_id(raw: &str, field: &str) -> Result<UnitId, ApiError> {
    raw.trim().parse().map_err(|_| DomainError::invalid("request.invalid_id", field, "单位标识无效").into())
}

/// The item list versions in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/inspection-item-lists", tag = "random_inspections", params(ItemListQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = ItemListPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_item_lists(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<ItemListQuery>, QueryRejection>,
) -> Result<Json<ItemListPage>, ApiError> {
    let Query(q) = q.map_err(|_| paging::query_rejected())?;
    let unit_id = q.unit_id.as_deref().filter(|s| !s.is_empty()).map(|s| unit_id(s, "unit_id")).transpose()?;
    let filter = ListFilter { unit_id, region_code: q.region_code.filter(|s| !s.is_empty()) };
    let lists = inspection_items::list(&state.store, &a.actor, &filter).await?;
    Ok(Json(ItemListPage { items: lists.into_iter().map(|l| item_list_view(&a.actor, l)).collect(), next: None }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateItemList {
    pub unit_id: String,
    pub title: Option<String>,
}

/// Starts a draft version for a unit, copied from its latest version.
#[utoipa::path(post, path = "/api/v1/inspection-item-lists", tag = "random_inspections", request_body = CreateItemList,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = ItemListView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_item_list(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    ApiJson(body): ApiJson<CreateItemList>,
) -> Result<(StatusCode, Json<ItemListView>), ApiError> {
    let unit = unit_id(&body.unit_id, "unit_id")?;
    let list = inspection_items::create_draft(&state.store, &a.actor, unit, body.title.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(item_list_view(&a.actor, list))))
}

#[utoipa::path(get, path = "/api/v1/inspection-item-lists/{id}", tag = "random_inspections",
    params(("id" = String, Path, description = "清单版本标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = ItemListView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_item_list(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionItemListId>,
) -> Result<Json<ItemListView>, ApiError> {
    Ok(Json(item_list_view(&a.actor, inspection_items::get(&state.store, &a.actor, id).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateItemList {
    pub title: String,
    #[schema(value_type = Object)]
    pub content: ItemListContent,
}

/// Replaces a draft's title and items; a published version is a 409.
#[utoipa::path(put, path = "/api/v1/inspection-item-lists/{id}", tag = "random_inspections",
    params(("id" = String, Path, description = "清单版本标识")), request_body = UpdateItemList,
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = ItemListView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_item_list(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionItemListId>,
    ApiJson(body): ApiJson<UpdateItemList>,
) -> Result<Json<ItemListView>, ApiError> {
    let list = inspection_items::update_draft(&state.store, &a.actor, id, &body.title, &body.content).await?;
    Ok(Json(item_list_view(&a.actor, list)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishItemList {
    /// `YYYY-MM-DD`
    pub effective_on: String,
    /// The version as read; a stale one is refused (inspection_item_list.stale).
    #[serde(default)]
    pub version: Option<i64>,
}

/// Publishes a draft; from then on it never changes.
#[utoipa::path(post, path = "/api/v1/inspection-item-lists/{id}/publish", tag = "random_inspections",
    params(("id" = String, Path, description = "清单版本标识")), request_body = PublishItemList,
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = ItemListView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish_item_list(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionItemListId>,
    ApiJson(body): ApiJson<PublishItemList>,
) -> Result<Json<ItemListView>, ApiError> {
    let list = inspection_items::publish(&state.store, &a.actor, id, body.version, &body.effective_on).await?;
    Ok(Json(item_list_view(&a.actor, list)))
}

/// Public, no sign-in: the item lists in effect for a region's units.
#[utoipa::path(get, path = "/api/v1/public/regions/{region_code}/inspection-items", tag = "random_inspections",
    params(("region_code" = String, Path, description = "六位行政区划代码")),
    responses((status = 200, body = ItemListPage)))]
pub async fn public_item_lists(
    State(state): State<AppState>,
    Path(region_code): Path<String>,
) -> Result<Json<ItemListPage>, ApiError> {
    let lists = inspection_items::public_for_region(&state.store, &region_code).await?;
    Ok(Json(ItemListPage { items: lists.into_iter().map(ItemListView::from).collect(), next: None }))
}

// ---- random plans ----------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct PlanView {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub region_code: String,
    pub name: String,
    pub item_list_id: String,
    pub items: Vec<String>,
    pub period_from: String,
    pub period_until: String,
    pub start_on: String,
    pub due_on: String,
    pub target_categories: Vec<String>,
    pub target_statuses: Vec<String>,
    /// Per mille per stratum: A, B, C, D and N (ungraded).
    #[schema(value_type = Object)]
    pub ratios: std::collections::BTreeMap<String, u16>,
    pub pool_unit_id: Option<String>,
    pub pool_specialties: Vec<String>,
    /// draft, published, frozen, drawn, in_progress, completed, results_published
    pub status: String,
    pub status_label: String,
    /// The actions this user may take now: publish, freeze, draw, publish_results.
    pub allowed_actions: Vec<String>,
    pub snapshot_hash: Option<String>,
    pub frozen_at: Option<String>,
    pub beacon: Option<String>,
    pub beacon_source: Option<String>,
    pub drawn_at: Option<String>,
    pub version: i64,
}

impl From<RandomPlan> for PlanView {
    fn from(p: RandomPlan) -> Self {
        PlanView {
            id: p.id.to_string(),
            unit_id: p.data.unit_id.to_string(),
            unit_name: p.unit_name,
            region_code: p.region_code,
            name: p.data.name,
            item_list_id: p.data.item_list_id.to_string(),
            items: p.data.items,
            period_from: p.data.period_from.to_string(),
            period_until: p.data.period_until.to_string(),
            start_on: p.data.start_on.to_string(),
            due_on: p.data.due_on.to_string(),
            target_categories: p.data.target_categories,
            target_statuses: p.data.target_statuses.iter().map(|s| s.key().to_string()).collect(),
            ratios: p.data.ratios.0,
            pool_unit_id: p.data.pool_unit_id.map(|u| u.to_string()),
            pool_specialties: p.data.pool_specialties,
            status: p.status.key().into(),
            status_label: p.status.label().into(),
            allowed_actions: vec![],
            snapshot_hash: p.snapshot_hash,
            frozen_at: p.frozen_at.map(time::to_db),
            beacon: p.beacon,
            beacon_source: p.beacon_source,
            drawn_at: p.drawn_at.map(time::to_db),
            version: p.version,
        }
    }
}

/// The plan as this user sees it, with the actions they may take now.
pub fn plan_view(actor: &weijian_store::Actor, p: RandomPlan) -> PlanView {
    let actions = weijian_domain::lifecycle::of_plan(actor, p.status, &p.region_code);
    PlanView { allowed_actions: actions.into_iter().map(String::from).collect(), ..PlanView::from(p) }
}

#[derive(Serialize, ToSchema)]
pub struct PlanPage {
    pub items: Vec<PlanView>,
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanListQuery {
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Plans in the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/api/v1/random-plans", tag = "random_inspections", params(PlanListQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = PlanPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_plans(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<PlanListQuery>, QueryRejection>,
) -> Result<Json<PlanPage>, ApiError> {
    let Query(q) = q.map_err(|_| paging::query_rejected())?;
    let status = paging::keyed(q.status.as_deref(), "status", PlanStatus::parse)?;
    let page = plans::list(
        &state.store,
        &a.actor,
        status,
        paging::cursor(q.cursor.as_deref())?,
        paging::limit(q.limit.as_deref())?,
    )
    .await?;
    Ok(Json(PlanPage { items: page.items.into_iter().map(|p| plan_view(&a.actor, p)).collect(), next: page.next }))
}

/// The plan as a form or client sends it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    pub unit_id: String,
    pub name: String,
    pub item_list_id: String,
    pub items: Vec<String>,
    pub period_from: String,
    pub period_until: String,
    pub start_on: Option<String>,
    pub due_on: String,
    #[serde(default)]
    pub target_categories: Vec<String>,
    #[serde(default)]
    pub target_statuses: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub ratios: std::collections::BTreeMap<String, i64>,
    pub pool_unit_id: Option<String>,
    #[serde(default)]
    pub pool_specialties: Vec<String>,
    /// Required when updating: the version read.
    pub version: Option<i64>,
}

impl From<PlanBody> for PlanInput {
    fn from(b: PlanBody) -> Self {
        PlanInput {
            unit_id: b.unit_id,
            name: b.name,
            item_list_id: b.item_list_id,
            items: b.items,
            period_from: b.period_from,
            period_until: b.period_until,
            start_on: b.start_on,
            due_on: b.due_on,
            target_categories: b.target_categories,
            target_statuses: b.target_statuses,
            ratios: b.ratios,
            pool_unit_id: b.pool_unit_id,
            pool_specialties: b.pool_specialties,
        }
    }
}

/// Creates a draft plan.
#[utoipa::path(post, path = "/api/v1/random-plans", tag = "random_inspections", request_body = PlanBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = PlanView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_plan(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    ApiJson(body): ApiJson<PlanBody>,
) -> Result<(StatusCode, Json<PlanView>), ApiError> {
    let plan = plans::create(&state.store, &a.actor, &body.into()).await?;
    Ok((StatusCode::CREATED, Json(plan_view(&a.actor, plan))))
}

#[utoipa::path(get, path = "/api/v1/random-plans/{id}", tag = "random_inspections",
    params(("id" = String, Path, description = "抽查计划标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = PlanView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_plan(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
) -> Result<Json<PlanView>, ApiError> {
    Ok(Json(plan_view(&a.actor, plans::get(&state.store, &a.actor, id).await?)))
}

/// Changes a draft or published plan's scope; a frozen plan answers 409 `random_plan.scope_frozen`.
#[utoipa::path(put, path = "/api/v1/random-plans/{id}", tag = "random_inspections",
    params(("id" = String, Path, description = "抽查计划标识")), request_body = PlanBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = PlanView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_plan(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
    ApiJson(body): ApiJson<PlanBody>,
) -> Result<Json<PlanView>, ApiError> {
    let Some(version) = body.version else {
        return Err(
            DomainError::invalid("random_plan.version_required", "version", "请提供读取时的版本号 version").into()
        );
    };
    Ok(Json(plan_view(&a.actor, plans::update(&state.store, &a.actor, id, version, &body.into()).await?)))
}

/// Draft → published.
#[utoipa::path(post, path = "/api/v1/random-plans/{id}/publish", tag = "random_inspections",
    params(("id" = String, Path, description = "抽查计划标识")), request_body(content = Option<VersionBody>),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = PlanView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn publish_plan(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
    OptionalVersion(version): OptionalVersion,
) -> Result<Json<PlanView>, ApiError> {
    Ok(Json(plan_view(&a.actor, plans::publish(&state.store, &a.actor, id, version).await?)))
}

/// Published → frozen: takes the snapshot (eligible entities by stratum, the
/// inspector pool on the start date, recusals) and publishes it with its hash.
#[utoipa::path(post, path = "/api/v1/random-plans/{id}/freeze", tag = "random_inspections",
    params(("id" = String, Path, description = "抽查计划标识")), request_body(content = Option<VersionBody>),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = PlanView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn freeze_plan(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
    OptionalVersion(version): OptionalVersion,
) -> Result<Json<PlanView>, ApiError> {
    Ok(Json(plan_view(&a.actor, plans::freeze(&state.store, &a.actor, id, version).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawBody {
    /// The public random value, recorded verbatim (e.g. a lottery result announced after freezing).
    pub beacon: String,
    /// Where the beacon came from, for anyone re-deriving the draw.
    pub beacon_source: String,
    /// The plan's version as read; a stale one is refused (random_plan.stale).
    #[serde(default)]
    pub version: Option<i64>,
}

/// Frozen → drawn, once: the record (spec section 7) is answered and published.
#[utoipa::path(post, path = "/api/v1/random-plans/{id}/draw", tag = "random_inspections",
    params(("id" = String, Path, description = "抽查计划标识")), request_body = DrawBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "抽取记录（JSON，规范第 7 节）", content_type = "application/json"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn draw_plan(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
    ApiJson(body): ApiJson<DrawBody>,
) -> Result<Response, ApiError> {
    let req = DrawRequest { beacon: body.beacon, beacon_source: body.beacon_source, version: body.version };
    let (_, record) = plans::draw(&state.store, &a.actor, id, &req).await?;
    Ok(json_text(record.to_json()))
}

fn json_text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn snapshot_text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

fn not_drawn() -> ApiError {
    plans::not_drawn().into()
}

/// The frozen snapshot, exactly as hashed (text/plain).
#[utoipa::path(get, path = "/api/v1/random-plans/{id}/snapshot", tag = "random_inspections",
    params(("id" = String, Path, description = "抽查计划标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "名录快照", content_type = "text/plain"), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn plan_snapshot(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
) -> Result<Response, ApiError> {
    let (snapshot, _) = plans::documents(&state.store, &a.actor, id).await?;
    Ok(snapshot_text(snapshot))
}

/// The draw record (spec section 7).
#[utoipa::path(get, path = "/api/v1/random-plans/{id}/record", tag = "random_inspections",
    params(("id" = String, Path, description = "抽查计划标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "抽取记录", content_type = "application/json"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn plan_record(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
) -> Result<Response, ApiError> {
    let (_, record) = plans::documents(&state.store, &a.actor, id).await?;
    Ok(json_text(record.ok_or_else(not_drawn)?))
}

/// The commitment a draw publishes (一公开 of the results, not of the list
/// before the visit): enough to hold the record to what was drawn, nothing
/// that names who is inspected.
#[derive(Serialize, ToSchema)]
pub struct DrawCommitmentView {
    /// The plan's id.
    pub id: String,
    pub name: String,
    pub region_code: String,
    pub status: String,
    /// SHA-256 of the frozen snapshot (public from the freeze).
    pub snapshot_hash: Option<String>,
    /// The public random value and its source; null until drawn.
    pub beacon: Option<String>,
    pub beacon_source: Option<String>,
    /// Lowercase hex SHA-256 of the record's exact bytes as served later; null until drawn.
    pub record_sha256: Option<String>,
}

impl From<&PublicDraw> for DrawCommitmentView {
    fn from(d: &PublicDraw) -> Self {
        DrawCommitmentView {
            id: d.id.to_string(),
            name: d.name.clone(),
            region_code: d.region_code.clone(),
            status: d.status.key().into(),
            snapshot_hash: d.snapshot_hash.clone(),
            beacon: d.beacon.clone(),
            beacon_source: d.beacon_source.clone(),
            record_sha256: d.record_sha256.clone(),
        }
    }
}

/// A line of the public list: the commitment, and whether the record may be read yet.
#[derive(Serialize, ToSchema)]
pub struct PublicDrawView {
    #[serde(flatten)]
    pub commitment: DrawCommitmentView,
    /// Whether `/api/v1/public/draws/{id}/record` serves the record (results published or due date passed).
    pub record_released: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicDrawQuery {
    /// Only this region and below.
    pub region_code: Option<String>,
}

/// Public, no sign-in: every plan whose snapshot is published, newest first, with its commitment.
#[utoipa::path(get, path = "/api/v1/public/draws", tag = "random_inspections", params(PublicDrawQuery),
    responses((status = 200, body = Vec<PublicDrawView>)))]
pub async fn public_draws(
    State(state): State<AppState>,
    q: Result<Query<PublicDrawQuery>, QueryRejection>,
) -> Result<Json<Vec<PublicDrawView>>, ApiError> {
    let Query(q) = q.map_err(|_| paging::query_rejected())?;
    let region = q.region_code.filter(|s| !s.is_empty());
    let draws = plans::public_draws(&state.store, region.as_deref()).await?;
    let today = weijian_domain::input::today();
    Ok(Json(
        draws
            .iter()
            .map(|d| PublicDrawView { commitment: d.into(), record_released: d.record_released(today) })
            .collect(),
    ))
}

/// Public, no sign-in: a plan's commitment, from the freeze (snapshot hash)
/// and the draw (beacon, the record's SHA-256) on; 404 before freezing.
#[utoipa::path(get, path = "/api/v1/public/draws/{id}", tag = "random_inspections",
    params(("id" = String, Path, description = "抽查计划标识")),
    responses((status = 200, body = DrawCommitmentView), (status = 404, body = ErrorBody)))]
pub async fn public_draw(
    State(state): State<AppState>,
    PathId(id): PathId<RandomPlanId>,
) -> Result<Json<DrawCommitmentView>, ApiError> {
    let draw = plans::public_draw(&state.store, id).await?;
    Ok(Json((&draw).into()))
}

/// Public: a drawn plan's record, once its results are published or its due
/// date has passed (404 `random_plan.record_not_released` until then, 404
/// `random_plan.not_drawn` before the draw); hashes to `record_sha256`.
#[utoipa::path(get, path = "/api/v1/public/draws/{id}/record", tag = "random_inspections",
    params(("id" = String, Path, description = "抽查计划标识")),
    responses((status = 200, description = "抽取记录", content_type = "application/json"), (status = 404, body = ErrorBody)))]
pub async fn public_record(
    State(state): State<AppState>,
    PathId(id): PathId<RandomPlanId>,
) -> Result<Response, ApiError> {
    Ok(json_text(plans::public_record(&state.store, id).await?))
}

/// Public: a frozen plan's snapshot; 404 before freezing.
#[utoipa::path(get, path = "/api/v1/public/draws/{id}/snapshot", tag = "random_inspections",
    params(("id" = String, Path, description = "抽查计划标识")),
    responses((status = 200, description = "名录快照", content_type = "text/plain"), (status = 404, body = ErrorBody)))]
pub async fn public_snapshot(
    State(state): State<AppState>,
    PathId(id): PathId<RandomPlanId>,
) -> Result<Response, ApiError> {
    Ok(snapshot_text(plans::public_snapshot(&state.store, id).await?))
}

// ---- conflicts and tasks ----------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictBody {
    pub entity_id: String,
    /// 回避事由
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConflictView {
    pub id: String,
    pub inspector_id: String,
    pub entity_id: String,
    pub reason: String,
    pub declared_at: String,
}

/// Declares an inspector's conflict with an entity (回避): the inspector
/// themself, or a section chief for them. Audit-logged; draws honour it.
#[utoipa::path(post, path = "/api/v1/inspectors/{id}/conflicts", tag = "random_inspections",
    params(("id" = String, Path, description = "执法人员标识")), request_body = ConflictBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = ConflictView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn declare_conflict(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectorId>,
    ApiJson(body): ApiJson<ConflictBody>,
) -> Result<(StatusCode, Json<ConflictView>), ApiError> {
    let entity: EntityId = body
        .entity_id
        .trim()
        .parse()
        .map_err(|_| ApiError::from(DomainError::invalid("request.invalid_id", "entity_id", "监管对象标识无效")))?;
    let c = plans::declare_conflict(&state.store, &a.actor, id, entity, &body.reason).await?;
    Ok((
        StatusCode::CREATED,
        Json(ConflictView {
            id: c.id.to_string(),
            inspector_id: c.inspector_id.to_string(),
            entity_id: c.entity_id.to_string(),
            reason: c.reason,
            declared_at: time::to_db(c.declared_at),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TaskView {
    pub id: String,
    pub region_code: String,
    pub entity_id: String,
    pub entity_name: String,
    /// random, complaint, campaign, patrol, reinspection, pre_licence
    pub source: String,
    pub source_label: String,
    pub plan_id: Option<String>,
    /// The 专项检查 the task belongs to.
    pub campaign_id: Option<String>,
    pub items: Vec<String>,
    pub inspectors: Vec<String>,
    pub inspector_names: Vec<String>,
    pub due_on: String,
    /// assigned, done, cancelled
    pub status: String,
    pub status_label: String,
    pub version: i64,
    /// The actions this user may take now: record, cancel, substitute (更换执法人员).
    pub allowed_actions: Vec<String>,
}

impl From<InspectionTask> for TaskView {
    fn from(t: InspectionTask) -> Self {
        TaskView {
            id: t.id.to_string(),
            region_code: t.region_code,
            entity_id: t.entity_id.to_string(),
            entity_name: t.entity_name,
            source: t.source.key().into(),
            source_label: t.source.label().into(),
            plan_id: t.plan_id.map(|p| p.to_string()),
            campaign_id: t.campaign_id.map(|c| c.to_string()),
            items: t.items,
            inspectors: t.inspectors.iter().map(|i| i.to_string()).collect(),
            inspector_names: t.inspector_names.to_vec(),
            due_on: t.due_on.to_string(),
            status: t.status.key().into(),
            status_label: t.status.label().into(),
            version: t.version,
            allowed_actions: vec![],
        }
    }
}

/// The task as this user sees it, with the actions they may take now.
pub fn task_view(actor: &weijian_store::Actor, t: InspectionTask) -> TaskView {
    let mut actions: Vec<String> =
        weijian_domain::lifecycle::of_task(actor, t.status, &t.region_code).into_iter().map(String::from).collect();
    // Not a lifecycle step (the state stays), but an action of the open task all the same.
    if substitutions::may_substitute(actor, &t) {
        actions.push("substitute".into());
    }
    TaskView { allowed_actions: actions, ..TaskView::from(t) }
}

#[derive(Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskView>,
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListQuery {
    pub plan_id: Option<String>,
    /// `true`: only the tasks of the caller's own inspector record.
    pub mine: Option<bool>,
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Inspection tasks in the caller's jurisdiction (an institution: its own, once recorded), soonest due first.
#[utoipa::path(get, path = "/api/v1/inspection-tasks", tag = "random_inspections", params(TaskListQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = TaskPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_tasks(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<TaskListQuery>, QueryRejection>,
) -> Result<Json<TaskPage>, ApiError> {
    let Query(q) = q.map_err(|_| paging::query_rejected())?;
    let plan_id =
        match q.plan_id.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => Some(s.parse::<RandomPlanId>().map_err(|_| {
                ApiError::from(DomainError::invalid("request.invalid_id", "plan_id", "抽查计划标识无效"))
            })?),
            None => None,
        };
    let status = paging::keyed(q.status.as_deref(), "status", weijian_rules::inspection::TaskStatus::parse)?;
    let query = inspection_tasks::Query {
        plan_id,
        inspector_id: None,
        entity_id: None,
        status,
        after: paging::cursor(q.cursor.as_deref())?,
        limit: paging::limit(q.limit.as_deref())?,
        ..Default::default()
    };
    let page = plans::tasks(&state.store, &a.actor, query, q.mine.unwrap_or(false)).await?;
    Ok(Json(TaskPage { items: page.items.into_iter().map(|t| task_view(&a.actor, t)).collect(), next: page.next }))
}

/// One inspection task; 404 for an institution until it is recorded (inspections are unannounced).
#[utoipa::path(get, path = "/api/v1/inspection-tasks/{id}", tag = "random_inspections",
    params(("id" = String, Path, description = "检查任务标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_task(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionTaskId>,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(task_view(&a.actor, plans::task(&state.store, &a.actor, id).await?)))
}

// ---- substitutions (更换执法人员) -------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubstituteBody {
    /// The inspector who leaves: one of the task's two.
    pub replace: String,
    /// The inspector who comes: valid 执法证 today and until the due date, in post, no declared conflict.
    pub with: String,
    /// Why (illness, a recusal found late, a lapsed certificate …), at most 500 characters.
    pub reason: String,
    /// The task's version as read; a newer one refuses the substitution (inspection_task.stale).
    #[serde(default)]
    pub version: Option<i64>,
}

/// Replaces one of an open task's two inspectors (section chief or leader),
/// with a written reason; audited, the task's version bumped, the draw record
/// unchanged. Answers the task as `GET /api/v1/inspection-tasks/{id}` does.
#[utoipa::path(post, path = "/api/v1/inspection-tasks/{id}/substitute", tag = "random_inspections",
    params(("id" = String, Path, description = "检查任务标识")), request_body = SubstituteBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn substitute(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionTaskId>,
    ApiJson(body): ApiJson<SubstituteBody>,
) -> Result<Json<TaskView>, ApiError> {
    let input =
        SubstitutionInput { replace: body.replace, with: body.with, reason: body.reason, version: body.version };
    let task = substitutions::substitute(&state.store, &a.actor, id, &input).await?;
    Ok(Json(task_view(&a.actor, task)))
}

/// One substitution as staff see it.
#[derive(Serialize, ToSchema)]
pub struct SubstitutionView {
    pub id: String,
    pub task_id: String,
    pub plan_id: Option<String>,
    pub entity_id: String,
    pub entity_name: String,
    /// The inspector replaced, as the draw record names them (id), and their name.
    pub replaced: String,
    pub replaced_name: String,
    /// The inspector who came instead.
    pub with: String,
    pub with_name: String,
    pub reason: String,
    /// The section chief or leader who made it.
    pub substituted_by_name: Option<String>,
    pub substituted_at: String,
}

impl From<Substitution> for SubstitutionView {
    fn from(s: Substitution) -> Self {
        SubstitutionView {
            id: s.id.to_string(),
            task_id: s.task_id.to_string(),
            plan_id: s.plan_id.map(|p| p.to_string()),
            entity_id: s.entity_id.to_string(),
            entity_name: s.entity_name,
            replaced: s.replaced.to_string(),
            replaced_name: s.replaced_name,
            with: s.with.to_string(),
            with_name: s.with_name,
            reason: s.reason,
            substituted_by_name: s.substituted_by_name,
            substituted_at: time::to_db(s.substituted_at),
        }
    }
}

/// A drawn plan's substitutions, oldest first: staff read them at any time.
#[utoipa::path(get, path = "/api/v1/random-plans/{id}/substitutions", tag = "random_inspections",
    params(("id" = String, Path, description = "抽查计划标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<SubstitutionView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn plan_substitutions(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RandomPlanId>,
) -> Result<Json<Vec<SubstitutionView>>, ApiError> {
    let rows = substitutions::of_plan(&state.store, &a.actor, id).await?;
    Ok(Json(rows.into_iter().map(SubstitutionView::from).collect()))
}

/// One substitution on the portal: who replaced whom (the ids the draw record
/// uses, and the names: inspectors act as public officials), when and why.
#[derive(Serialize, ToSchema)]
pub struct PublicSubstitutionView {
    pub entity_id: String,
    /// Individuals' names redacted, as in the published results.
    pub entity_name: String,
    pub replaced: String,
    pub replaced_name: String,
    pub with: String,
    pub with_name: String,
    pub reason: String,
    pub substituted_at: String,
}

impl From<Substitution> for PublicSubstitutionView {
    fn from(s: Substitution) -> Self {
        PublicSubstitutionView {
            entity_id: s.entity_id.to_string(),
            entity_name: s.entity_name,
            replaced: s.replaced.to_string(),
            replaced_name: s.replaced_name,
            with: s.with.to_string(),
            with_name: s.with_name,
            reason: s.reason,
            substituted_at: time::to_db(s.substituted_at),
        }
    }
}

/// Public: a drawn plan's substitutions, listed beside its record and released
/// with it (404 `random_plan.record_not_released` until then): the record
/// itself stays as drawn and verifiable.
#[utoipa::path(get, path = "/api/v1/public/draws/{id}/substitutions", tag = "random_inspections",
    params(("id" = String, Path, description = "抽查计划标识")),
    responses((status = 200, body = Vec<PublicSubstitutionView>), (status = 404, body = ErrorBody)))]
pub async fn public_substitutions(
    State(state): State<AppState>,
    PathId(id): PathId<RandomPlanId>,
) -> Result<Json<Vec<PublicSubstitutionView>>, ApiError> {
    let rows = substitutions::public_of_plan(&state.store, id).await?;
    Ok(Json(rows.into_iter().map(PublicSubstitutionView::from).collect()))
}
