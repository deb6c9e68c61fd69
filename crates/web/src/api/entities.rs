//! Supervised entities and the entity file (一户一档).

use super::licences::LicenceView;
use super::paging;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, CurrentUser, PathId};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use weijian_domain::entities::{self as domain, EntityInput};
use weijian_rules::registry::{EntityStatus, Registry, RiskGrade};
use weijian_store::entities::{Entity, Query as EntityQuery, Sort};
use weijian_store::ids::EntityId;

#[derive(Serialize, ToSchema)]
pub struct EntityView {
    pub id: String,
    pub name: String,
    /// 统一社会信用代码; null for entities registered without one.
    pub uscc: Option<String>,
    pub uscc_exemption: Option<String>,
    pub region_code: String,
    /// Category key (see GET /api/v1/registry/vocabulary).
    pub category: String,
    pub category_label: String,
    /// Category-specific attributes: integers as numbers, the rest as text.
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    pub grid: Option<String>,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
    /// operating, suspended, closed
    pub status: String,
    pub status_label: String,
    /// A (lowest) to D (highest); null when not graded.
    pub risk_grade: Option<String>,
    /// A (best) to D (worst); null when not graded.
    pub credit_grade: Option<String>,
    /// Send it back with an update so a concurrent change is not overwritten.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Entity> for EntityView {
    fn from(e: &Entity) -> Self {
        let d = &e.data;
        EntityView {
            id: e.id.to_string(),
            name: d.name.clone(),
            uscc: d.uscc.clone(),
            uscc_exemption: d.uscc_exemption.clone(),
            region_code: d.region_code.clone(),
            category: d.category.clone(),
            category_label: category_label(&d.category),
            attributes: serde_json::to_value(&d.attributes).unwrap_or_default(),
            legal_representative: d.legal_representative.clone(),
            address: d.address.clone(),
            grid: d.grid.clone(),
            contact_person: d.contact_person.clone(),
            contact_phone: d.contact_phone.clone(),
            status: d.status.key().into(),
            status_label: d.status.label().into(),
            risk_grade: d.risk_grade.map(|g| g.key().into()),
            credit_grade: d.credit_grade.map(|g| g.key().into()),
            version: e.version,
            created_at: weijian_store::time::to_db(e.created_at),
            updated_at: weijian_store::time::to_db(e.updated_at),
        }
    }
}

pub fn category_label(key: &str) -> String {
    Registry::official().category(key).map(|c| c.label.clone()).unwrap_or_else(|| key.to_string())
}

#[derive(Serialize, ToSchema)]
pub struct EntityPage {
    pub items: Vec<EntityView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words matched anywhere in the name, 统一社会信用代码, address or licence numbers.
    pub q: Option<String>,
    /// Only this region and the regions below it.
    pub region_code: Option<String>,
    pub category: Option<String>,
    /// operating, suspended, closed
    pub status: Option<String>,
    /// A, B, C, D
    pub risk_grade: Option<String>,
    /// name (default) or newest
    pub sort: Option<String>,
    pub cursor: Option<String>,
    /// 1..=200, default 50
    pub limit: Option<String>,
}

/// Entities in the caller's jurisdiction, searched and filtered, in keyset pages.
#[utoipa::path(get, path = "/api/v1/entities", tag = "registry", params(ListParams),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = EntityPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<EntityPage>, ApiError> {
    let Query(p) = params.map_err(|_| paging::query_rejected())?;
    let query = EntityQuery {
        q: p.q.clone(),
        region_code: p.region_code.clone().filter(|s| !s.is_empty()),
        category: paging::keyed(p.category.as_deref(), "category", |s| {
            Registry::official().category(s).map(|c| c.key.clone())
        })?,
        status: paging::keyed(p.status.as_deref(), "status", EntityStatus::parse)?,
        risk_grade: paging::keyed(p.risk_grade.as_deref(), "risk_grade", RiskGrade::parse)?,
        sort: paging::keyed(p.sort.as_deref(), "sort", |s| match s {
            "name" => Some(Sort::Name),
            "newest" => Some(Sort::Newest),
            _ => None,
        })?
        .unwrap_or_default(),
        after: paging::cursor(p.cursor.as_deref())?,
        limit: paging::limit(p.limit.as_deref())?,
    };
    let page = domain::list(&state.store, &a.actor, &query).await?;
    Ok(Json(EntityPage { items: page.items.iter().map(EntityView::from).collect(), next: page.next }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntityRequest {
    pub region_code: String,
    pub name: String,
    pub uscc: Option<String>,
    /// Required when `uscc` is empty: why the entity has none.
    pub uscc_exemption: Option<String>,
    /// A category key or its Chinese label.
    pub category: String,
    /// Category attributes; numbers or text.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: BTreeMap<String, serde_json::Value>,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    pub grid: Option<String>,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
    pub status: Option<String>,
    pub risk_grade: Option<String>,
    pub credit_grade: Option<String>,
    /// Required when an update changes `status`, `risk_grade` or `credit_grade`
    /// (section chief, leader or admin only): why, and on what basis.
    pub reason: Option<String>,
    /// On update: the version read; a concurrent change then answers 409.
    pub version: Option<i64>,
}

impl EntityRequest {
    fn input(&self) -> Result<EntityInput, ApiError> {
        let mut attributes = BTreeMap::new();
        for (k, v) in &self.attributes {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Null => continue,
                _ => {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "entity.invalid_attribute",
                        format!("属性 {k} 应为数字或文字"),
                    )
                    .with_field("attributes"))
                }
            };
            attributes.insert(k.clone(), text);
        }
        Ok(EntityInput {
            region_code: self.region_code.clone(),
            name: self.name.clone(),
            uscc: self.uscc.clone(),
            uscc_exemption: self.uscc_exemption.clone(),
            category: self.category.clone(),
            attributes,
            legal_representative: self.legal_representative.clone(),
            address: self.address.clone(),
            grid: self.grid.clone(),
            contact_person: self.contact_person.clone(),
            contact_phone: self.contact_phone.clone(),
            status: self.status.clone(),
            risk_grade: self.risk_grade.clone(),
            credit_grade: self.credit_grade.clone(),
        })
    }
}

/// Registers an entity in a region of the caller's jurisdiction.
#[utoipa::path(post, path = "/api/v1/entities", tag = "registry", request_body = EntityRequest,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = EntityView), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    ApiJson(req): ApiJson<EntityRequest>,
) -> Result<(StatusCode, Json<EntityView>), ApiError> {
    let e = domain::create(&state.store, &a.actor, &req.input()?).await?;
    Ok((StatusCode::CREATED, Json(EntityView::from(&e))))
}

/// One entity; 404 outside the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/entities/{id}", tag = "registry",
    params(("id" = String, Path, description = "监管对象标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = EntityView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<EntityId>,
) -> Result<Json<EntityView>, ApiError> {
    Ok(Json(EntityView::from(&domain::get(&state.store, &a.actor, id).await?)))
}

/// Replaces an entity's data. Status and grades are the bureau's determinations:
/// changing them needs a section chief, leader or admin and a `reason`
/// (403 `entity.determination_forbidden`, 422 `entity.reason_required`); a
/// request that also changes other fields is then refused whole.
#[utoipa::path(put, path = "/api/v1/entities/{id}", tag = "registry", request_body = EntityRequest,
    params(("id" = String, Path, description = "监管对象标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = EntityView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<EntityId>,
    ApiJson(req): ApiJson<EntityRequest>,
) -> Result<Json<EntityView>, ApiError> {
    let e = domain::update(&state.store, &a.actor, id, req.version, &req.input()?, req.reason.as_deref()).await?;
    Ok(Json(EntityView::from(&e)))
}

#[derive(Serialize, ToSchema)]
pub struct WarningView {
    pub code: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    pub occurred_at: String,
    pub username: Option<String>,
    pub action: String,
    pub summary: String,
}

/// The entity file (一户一档). Sections that later modules fill are present and empty until then.
#[derive(Serialize, ToSchema)]
pub struct EntityFileView {
    pub entity: EntityView,
    pub licences: Vec<LicenceView>,
    /// Practitioners whose primary institution this is, then those with a practice site here (id numbers masked).
    pub practitioners: Vec<super::practitioners::PractitionerView>,
    pub warnings: Vec<WarningView>,
    #[schema(value_type = Vec<Object>)]
    pub inspections: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub complaints: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub cases: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub points: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub credit_history: Vec<serde_json::Value>,
    /// Newest first; empty for roles without audit access.
    pub timeline: Vec<TimelineEntry>,
}

/// Everything known about one entity.
#[utoipa::path(get, path = "/api/v1/entities/{id}/file", tag = "registry",
    params(("id" = String, Path, description = "监管对象标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = EntityFileView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn file(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<EntityId>,
) -> Result<Json<EntityFileView>, ApiError> {
    let f = domain::file(&state.store, &a.actor, id).await?;
    let today = weijian_domain::input::today();
    Ok(Json(EntityFileView {
        entity: EntityView::from(&f.entity),
        licences: f.licences.iter().map(|l| LicenceView::new(l, today)).collect(),
        practitioners: f
            .staff
            .primary
            .iter()
            .chain(f.staff.sites.iter().map(|(_, p)| p))
            .map(super::practitioners::PractitionerView::from)
            .collect(),
        warnings: f.warnings.into_iter().map(|w| WarningView { code: w.code.into(), message: w.message }).collect(),
        inspections: f
            .inspections
            .into_iter()
            .map(|i| serde_json::to_value(super::inspections::InspectionView::from(i)).unwrap_or_default())
            .collect(),
        complaints: vec![],
        cases: vec![],
        points: vec![],
        credit_history: vec![],
        timeline: f
            .timeline
            .into_iter()
            .map(|e| TimelineEntry {
                occurred_at: weijian_store::time::to_db(e.occurred_at),
                username: e.username,
                action: e.action,
                summary: e.summary,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct VocabularyView {
    #[schema(value_type = Vec<Object>)]
    pub categories: Vec<weijian_rules::registry::Category>,
    #[schema(value_type = Vec<Object>)]
    pub licence_kinds: Vec<weijian_rules::registry::LicenceKind>,
    #[schema(value_type = Vec<Object>)]
    pub specialties: Vec<weijian_rules::registry::Specialty>,
}

/// Entity categories with their attributes, licence kinds with validity and 校验 rules, inspector specialties.
#[utoipa::path(get, path = "/api/v1/registry/vocabulary", tag = "registry",
    responses((status = 200, body = VocabularyView)))]
pub async fn vocabulary() -> Json<VocabularyView> {
    let r = Registry::official();
    Json(VocabularyView {
        categories: r.categories.clone(),
        licence_kinds: r.licence_kinds.clone(),
        specialties: r.specialties.clone(),
    })
}
