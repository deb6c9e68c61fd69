//! Licences of supervised entities, with their change history.

use super::paging;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, CurrentUser, PathId};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use weijian_domain::licences::{self as domain, LicenceInput};
use weijian_rules::registry::{LicenceStatus, Registry};
use weijian_store::ids::{EntityId, LicenceId};
use weijian_store::licences::{Licence, Query as LicenceQuery};

#[derive(Serialize, ToSchema)]
pub struct LicenceView {
    pub id: String,
    pub entity_id: String,
    pub entity_name: String,
    pub region_code: String,
    pub kind: String,
    pub kind_label: String,
    pub number: String,
    pub scope: Option<String>,
    pub issued_by: Option<String>,
    pub issued_on: String,
    pub valid_until: Option<String>,
    pub last_verified_on: Option<String>,
    /// The next 校验, by the rules (e.g. by bed count).
    pub next_verification_due: Option<String>,
    /// Today's status: valid, expiring, expired, suspended, revoked, cancelled.
    pub status: String,
    pub status_label: String,
    pub version: i64,
}

impl LicenceView {
    pub fn new(l: &Licence, today: NaiveDate) -> Self {
        let status = l.status_on(today);
        let d = &l.data;
        LicenceView {
            id: l.id.to_string(),
            entity_id: d.entity_id.to_string(),
            entity_name: l.entity_name.clone(),
            region_code: l.region_code.clone(),
            kind: d.kind.clone(),
            kind_label: kind_label(&d.kind),
            number: d.number.clone(),
            scope: d.scope.clone(),
            issued_by: d.issued_by.clone(),
            issued_on: d.issued_on.to_string(),
            valid_until: d.valid_until.map(|x| x.to_string()),
            last_verified_on: d.last_verified_on.map(|x| x.to_string()),
            next_verification_due: d.next_verification_due.map(|x| x.to_string()),
            status: status.key().into(),
            status_label: status.label().into(),
            version: l.version,
        }
    }
}

pub fn kind_label(key: &str) -> String {
    Registry::official().licence_kind(key).map(|k| k.label.clone()).unwrap_or_else(|| key.to_string())
}

#[derive(Serialize, ToSchema)]
pub struct LicencePage {
    pub items: Vec<LicenceView>,
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words matched in the licence number or the holder's name, USCC, address.
    pub q: Option<String>,
    pub entity_id: Option<String>,
    pub kind: Option<String>,
    /// valid, expiring, expired, suspended, revoked, cancelled
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

/// Licences in the caller's jurisdiction, by number, in keyset pages.
#[utoipa::path(get, path = "/api/v1/licences", tag = "registry", params(ListParams),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = LicencePage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<LicencePage>, ApiError> {
    let Query(p) = params.map_err(|_| paging::query_rejected())?;
    let today = weijian_domain::input::today();
    let query = LicenceQuery {
        q: p.q.clone(),
        entity_id: paging::keyed(p.entity_id.as_deref(), "entity_id", |s| s.parse::<EntityId>().ok())?,
        kind: paging::keyed(p.kind.as_deref(), "kind", |s| {
            Registry::official().licence_kind(s).map(|k| k.key.clone())
        })?,
        status: paging::keyed(p.status.as_deref(), "status", LicenceStatus::parse)?,
        today: Some(today),
        after: paging::cursor(p.cursor.as_deref())?,
        limit: paging::limit(p.limit.as_deref())?,
    };
    let page = domain::list(&state.store, &a.actor, &query).await?;
    Ok(Json(LicencePage { items: page.items.iter().map(|l| LicenceView::new(l, today)).collect(), next: page.next }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceRequest {
    /// The holder (on create; a licence never changes holder).
    pub entity_id: Option<String>,
    /// A licence kind key or its Chinese label.
    pub kind: String,
    pub number: String,
    pub scope: Option<String>,
    pub issued_by: Option<String>,
    /// YYYY-MM-DD
    pub issued_on: String,
    /// YYYY-MM-DD; empty: the kind's printed validity.
    pub valid_until: Option<String>,
    pub last_verified_on: Option<String>,
    /// valid, suspended, revoked, cancelled
    pub status: Option<String>,
    /// Required when the status changes: the reason and its basis.
    pub reason: Option<String>,
    pub version: Option<i64>,
}

impl LicenceRequest {
    fn input(&self) -> LicenceInput {
        LicenceInput {
            kind: self.kind.clone(),
            number: self.number.clone(),
            scope: self.scope.clone(),
            issued_by: self.issued_by.clone(),
            issued_on: self.issued_on.clone(),
            valid_until: self.valid_until.clone(),
            last_verified_on: self.last_verified_on.clone(),
            status: self.status.clone(),
        }
    }
}

/// Registers a licence for an entity of the caller's jurisdiction.
#[utoipa::path(post, path = "/api/v1/licences", tag = "registry", request_body = LicenceRequest,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = LicenceView), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    ApiJson(req): ApiJson<LicenceRequest>,
) -> Result<(StatusCode, Json<LicenceView>), ApiError> {
    let entity_id = req.entity_id.as_deref().and_then(|s| s.parse::<EntityId>().ok()).ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "licence.entity_required", "须指明持证的监管对象（entity_id）")
            .with_field("entity_id")
    })?;
    let l = domain::create(&state.store, &a.actor, entity_id, &req.input()).await?;
    Ok((StatusCode::CREATED, Json(LicenceView::new(&l, weijian_domain::input::today()))))
}

/// One licence; 404 outside the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/licences/{id}", tag = "registry",
    params(("id" = String, Path, description = "许可证标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = LicenceView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<LicenceId>,
) -> Result<Json<LicenceView>, ApiError> {
    let l = domain::get(&state.store, &a.actor, id).await?;
    Ok(Json(LicenceView::new(&l, weijian_domain::input::today())))
}

/// Changes a licence (data, 校验; 注销/撤销 and the end of a 暂扣 by a section chief,
/// leader or admin with a `reason`); kept in its history. 吊销/暂扣 only follow a
/// penalty decision: asking for them here is 403 `licence.penalty_only` for every role.
#[utoipa::path(put, path = "/api/v1/licences/{id}", tag = "registry", request_body = LicenceRequest,
    params(("id" = String, Path, description = "许可证标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = LicenceView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<LicenceId>,
    ApiJson(req): ApiJson<LicenceRequest>,
) -> Result<Json<LicenceView>, ApiError> {
    let l = domain::update(&state.store, &a.actor, id, req.version, &req.input(), req.reason.as_deref()).await?;
    Ok(Json(LicenceView::new(&l, weijian_domain::input::today())))
}

#[derive(Serialize, ToSchema)]
pub struct LicenceChangeView {
    pub changed_at: String,
    pub changed_by: String,
    /// create, update, or the new status (suspended, revoked ...).
    pub action: String,
    pub reason: Option<String>,
    #[schema(value_type = Object)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub after: serde_json::Value,
}

/// A licence's full change history, oldest first.
#[utoipa::path(get, path = "/api/v1/licences/{id}/history", tag = "registry",
    params(("id" = String, Path, description = "许可证标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<LicenceChangeView>), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<LicenceId>,
) -> Result<Json<Vec<LicenceChangeView>>, ApiError> {
    let h = domain::history(&state.store, &a.actor, id).await?;
    Ok(Json(
        h.into_iter()
            .map(|c| LicenceChangeView {
                changed_at: weijian_store::time::to_db(c.changed_at),
                changed_by: c.changed_by,
                action: c.action,
                reason: c.reason,
                before: c.before,
                after: c.after,
            })
            .collect(),
    ))
}
