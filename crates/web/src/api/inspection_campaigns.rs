//! 专项检查 over HTTP: section chiefs create campaigns (name, specialty, item
//! list, period, target filter), read them with their target set's size and
//! their tasks, and create the tasks of the target set in bulk.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, CurrentUser, PathId};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use weijian_domain::inspection_campaigns::{
    self as domain, CampaignInput, CampaignSummary, GenerateInput, TargetInput,
};
use weijian_rules::registry::Registry;
use weijian_store::ids::InspectionCampaignId;
use weijian_store::time;

/// A campaign's target filter: operating entities of the category whose attributes have these values.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetBody {
    /// An entity category key (e.g. `medical_institution`) or its label.
    pub category: String,
    /// Attribute values by key or label, e.g. `{"level": "二级"}`: choices and integers equal, text contained.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct InspectionCampaignView {
    pub id: String,
    pub region_code: String,
    pub name: String,
    /// 监管专业 (registry specialty key).
    pub specialty: String,
    pub specialty_label: String,
    pub item_list_id: String,
    pub items: Vec<String>,
    pub starts_on: String,
    pub ends_on: String,
    pub target: TargetBody,
    /// The filter in words, e.g. 医疗机构（级别：二级）.
    pub target_label: String,
    /// Entities matching the filter today, in the caller's jurisdiction.
    pub target_count: i64,
    /// The campaign's tasks in the caller's jurisdiction, and those still open.
    pub task_count: i64,
    pub open_task_count: i64,
    pub version: i64,
    pub created_at: String,
}

impl From<CampaignSummary> for InspectionCampaignView {
    fn from(s: CampaignSummary) -> Self {
        let registry = Registry::official();
        let c = s.campaign;
        InspectionCampaignView {
            id: c.id.to_string(),
            region_code: c.data.region_code,
            specialty_label: registry
                .specialty(&c.data.specialty)
                .map_or(c.data.specialty.clone(), |x| x.label.clone()),
            specialty: c.data.specialty,
            name: c.data.name,
            item_list_id: c.data.item_list_id.to_string(),
            items: c.data.items,
            starts_on: c.data.starts_on.to_string(),
            ends_on: c.data.ends_on.to_string(),
            target_label: c.data.target.describe(registry),
            target: TargetBody { category: c.data.target.category, attributes: c.data.target.attributes },
            target_count: s.target_count,
            task_count: s.task_count,
            open_task_count: s.open_task_count,
            version: c.version,
            created_at: time::to_db(c.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InspectionCampaignPage {
    pub items: Vec<InspectionCampaignView>,
    /// Always null: a region's campaigns fit one page.
    pub next: Option<String>,
}

/// A new campaign.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionCampaignBody {
    pub name: String,
    /// The region whose entities are targeted; the caller's own by default.
    #[serde(default)]
    pub region_code: Option<String>,
    /// 监管专业: a specialty key (e.g. `medical_services`) or its label.
    pub specialty: String,
    /// A published inspection item list.
    pub item_list_id: String,
    /// Item codes of that list; empty: every item of the specialty that applies to the target category.
    #[serde(default)]
    pub items: Vec<String>,
    /// `YYYY-MM-DD`; the period ends not before today and lasts at most 366 days.
    pub starts_on: String,
    pub ends_on: String,
    pub target: TargetBody,
}

/// Who inspects the targets: `inspector_ids` (one pair for all) or `pairs` (taken in turn).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateBody {
    #[serde(default)]
    pub inspector_ids: Vec<String>,
    #[serde(default)]
    pub pairs: Vec<Vec<String>>,
    /// `YYYY-MM-DD`, by default the campaign's last day.
    #[serde(default)]
    pub due_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct GeneratedView {
    pub campaign: InspectionCampaignView,
    /// Ids of the tasks created now.
    pub created: Vec<String>,
    /// Targets that already had an open task of the campaign.
    pub skipped_existing: Vec<String>,
    /// Targets for which every pair had declared a conflict (回避).
    pub skipped_conflicts: Vec<String>,
}

async fn view(
    state: &AppState,
    actor: &weijian_store::Actor,
    id: InspectionCampaignId,
) -> Result<InspectionCampaignView, ApiError> {
    let c = domain::get(&state.store, actor, id).await?;
    Ok(domain::summary(&state.store, actor, c).await?.into())
}

/// The campaigns of the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/api/v1/inspection-campaigns", tag = "random_inspections",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = InspectionCampaignPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
) -> Result<Json<InspectionCampaignPage>, ApiError> {
    let mut items = Vec::new();
    for c in domain::list(&state.store, &a.actor).await? {
        items.push(domain::summary(&state.store, &a.actor, c).await?.into());
    }
    Ok(Json(InspectionCampaignPage { items, next: None }))
}

/// Creates a 专项检查 (section chief); 201 with it and its target set's size.
#[utoipa::path(post, path = "/api/v1/inspection-campaigns", tag = "random_inspections",
    request_body = InspectionCampaignBody, security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = InspectionCampaignView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    ApiJson(b): ApiJson<InspectionCampaignBody>,
) -> Result<(StatusCode, Json<InspectionCampaignView>), ApiError> {
    let input = CampaignInput {
        name: b.name,
        region_code: b.region_code,
        specialty: b.specialty,
        item_list_id: b.item_list_id,
        items: b.items,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        target: TargetInput { category: b.target.category, attributes: b.target.attributes },
    };
    let c = domain::create(&state.store, &a.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &a.actor, c.id).await?)))
}

/// One campaign with its target count and task counts.
#[utoipa::path(get, path = "/api/v1/inspection-campaigns/{id}", tag = "random_inspections",
    params(("id" = String, Path, description = "专项检查标识")), security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = InspectionCampaignView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionCampaignId>,
) -> Result<Json<InspectionCampaignView>, ApiError> {
    Ok(Json(view(&state, &a.actor, id).await?))
}

/// Creates the campaign's tasks for its target set in the caller's jurisdiction, in one
/// transaction; a target that already has an open task of the campaign is skipped.
#[utoipa::path(post, path = "/api/v1/inspection-campaigns/{id}/tasks", tag = "random_inspections",
    params(("id" = String, Path, description = "专项检查标识")), request_body = GenerateBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = GeneratedView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn generate(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionCampaignId>,
    ApiJson(b): ApiJson<GenerateBody>,
) -> Result<(StatusCode, Json<GeneratedView>), ApiError> {
    let input = GenerateInput { inspector_ids: b.inspector_ids, pairs: b.pairs, due_on: b.due_on };
    let out = domain::generate(&state.store, &a.actor, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(GeneratedView {
            campaign: view(&state, &a.actor, id).await?,
            created: out.generated.created.iter().map(|t| t.to_string()).collect(),
            skipped_existing: out.generated.skipped_existing.iter().map(|e| e.to_string()).collect(),
            skipped_conflicts: out.skipped_conflicts.iter().map(|e| e.to_string()).collect(),
        }),
    ))
}
