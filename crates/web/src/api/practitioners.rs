//! 医务人员 over JSON. Every read carries the 身份证号 masked; the full number
//! comes only from `POST .../reveal-id-number`, which is audit-logged.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, CurrentUser, PathId};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use weijian_domain::practitioners::{self as dp, PracticeSiteInput, PractitionerInput};
use weijian_rules::registry::{PractitionerKind, PractitionerStatus};
use weijian_store::ids::PractitionerId;
use weijian_store::page::Cursor;
use weijian_store::practitioners::{PracticeSite, Practitioner, Query as ListQuery};

pub(crate) fn invalid(code: &str, field: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_field(field)
}

pub(crate) fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(v)| v).map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "request.invalid_query", "查询参数无效"))
}

/// Page size and cursor from query text, with stable codes for bad values.
pub(crate) fn paging(limit: Option<&str>, cursor: Option<&str>) -> Result<(Option<usize>, Option<Cursor>), ApiError> {
    let limit = match limit.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=weijian_store::page::MAX_LIMIT).contains(&n) => Some(n),
            _ => {
                return Err(invalid(
                    "request.invalid_limit",
                    "limit",
                    format!("limit 应为1至{}之间的整数", weijian_store::page::MAX_LIMIT),
                ))
            }
        },
    };
    let cursor = match cursor.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            Cursor::decode(s)
                .ok_or_else(|| invalid("request.invalid_cursor", "cursor", "cursor 无效：请使用上一页返回的 next"))?,
        ),
    };
    Ok((limit, cursor))
}

pub(crate) fn id_param<T: std::str::FromStr>(v: Option<&str>, field: &str) -> Result<Option<T>, ApiError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| invalid("request.invalid_id", field, "标识格式无效")),
    }
}

/// A practitioner as the API shows it; `id_number` is always masked here.
#[derive(Serialize, ToSchema)]
pub struct PractitionerView {
    pub id: String,
    pub name: String,
    /// Masked: 1311**********123X.
    pub id_number: String,
    /// physician, nurse, technician
    pub kind: String,
    pub kind_label: String,
    pub qualification_no: Option<String>,
    pub practice_cert_no: Option<String>,
    pub practice_category: Option<String>,
    pub practice_scope: Option<String>,
    /// The primary institution.
    pub entity_id: String,
    pub entity_name: String,
    pub region_code: String,
    /// practising, suspended, revoked, cancelled
    pub status: String,
    pub status_label: String,
    pub registered_on: Option<String>,
    pub cert_valid_until: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

impl From<&Practitioner> for PractitionerView {
    fn from(p: &Practitioner) -> Self {
        PractitionerView {
            id: p.id.to_string(),
            name: p.data.name.clone(),
            id_number: dp::mask_citizen_id(&p.data.id_number),
            kind: p.data.kind.key().into(),
            kind_label: p.data.kind.label().into(),
            qualification_no: p.data.qualification_no.clone(),
            practice_cert_no: p.data.practice_cert_no.clone(),
            practice_category: p.data.practice_category.clone(),
            practice_scope: p.data.practice_scope.clone(),
            entity_id: p.data.entity_id.to_string(),
            entity_name: p.entity_name.clone(),
            region_code: p.region_code.clone(),
            status: p.data.status.key().into(),
            status_label: p.data.status.label().into(),
            registered_on: p.data.registered_on.map(|d| d.to_string()),
            cert_valid_until: p.data.cert_valid_until.map(|d| d.to_string()),
            version: p.version,
            updated_at: weijian_store::time::to_db(p.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PracticeSiteView {
    pub id: String,
    pub entity_id: String,
    pub entity_name: String,
    pub region_code: String,
    pub filed_on: String,
    pub ended_on: Option<String>,
}

impl From<&PracticeSite> for PracticeSiteView {
    fn from(s: &PracticeSite) -> Self {
        PracticeSiteView {
            id: s.id.to_string(),
            entity_id: s.entity_id.to_string(),
            entity_name: s.entity_name.clone(),
            region_code: s.region_code.clone(),
            filed_on: s.filed_on.to_string(),
            ended_on: s.ended_on.map(|d| d.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PractitionerDetail {
    #[serde(flatten)]
    pub practitioner: PractitionerView,
    /// 多机构执业备案.
    pub practice_sites: Vec<PracticeSiteView>,
}

#[derive(Serialize, ToSchema)]
pub struct PractitionerPage {
    pub items: Vec<PractitionerView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PractitionerListQuery {
    /// Words matched against name and certificate numbers (not the 身份证号).
    pub q: Option<String>,
    /// An exact, complete 身份证号.
    pub id_number: Option<String>,
    /// physician, nurse, technician
    pub kind: Option<String>,
    /// practising, suspended, revoked, cancelled
    pub status: Option<String>,
    /// Only practitioners whose primary institution is this entity.
    pub entity_id: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<String>,
    /// The previous page's `next`.
    pub cursor: Option<String>,
}

/// Practitioners in the caller's jurisdiction, by name; keyset pages.
#[utoipa::path(get, path = "/api/v1/practitioners", tag = "registry", params(PractitionerListQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = PractitionerPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<PractitionerListQuery>, QueryRejection>,
) -> Result<Json<PractitionerPage>, ApiError> {
    let q = query(q)?;
    let (limit, after) = paging(q.limit.as_deref(), q.cursor.as_deref())?;
    let kind = match q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            PractitionerKind::parse_key_or_label(s)
                .ok_or_else(|| invalid("field.invalid_choice", "kind", "kind 应为 physician、nurse 或 technician"))?,
        ),
    };
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(PractitionerStatus::parse_key_or_label(s).ok_or_else(|| {
            invalid("field.invalid_choice", "status", "status 应为 practising、suspended、revoked 或 cancelled")
        })?),
    };
    let query = ListQuery {
        q: q.q,
        id_number: q.id_number,
        kind,
        status,
        entity_id: id_param(q.entity_id.as_deref(), "entity_id")?,
        after,
        limit,
    };
    let page = dp::list(&state.store, &a.actor, &query).await?;
    Ok(Json(PractitionerPage { items: page.items.iter().map(PractitionerView::from).collect(), next: page.next }))
}

/// A practitioner as created or replaced.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PractitionerRequest {
    pub name: String,
    /// The full 18-character 身份证号.
    pub id_number: String,
    /// physician, nurse, technician (or 医师, 护士, 医技人员)
    pub kind: String,
    pub qualification_no: Option<String>,
    pub practice_cert_no: Option<String>,
    pub practice_category: Option<String>,
    pub practice_scope: Option<String>,
    /// The primary institution (an entity id in the caller's jurisdiction).
    pub entity_id: String,
    /// practising (default), suspended, revoked, cancelled
    pub status: Option<String>,
    /// YYYY-MM-DD
    pub registered_on: Option<String>,
    /// YYYY-MM-DD; not before registered_on.
    pub cert_valid_until: Option<String>,
    /// PUT only: the version that was edited (a newer one on the server gives 409).
    pub version: Option<i64>,
}

impl PractitionerRequest {
    fn input(self) -> (PractitionerInput, Option<i64>) {
        (
            PractitionerInput {
                name: self.name,
                id_number: self.id_number,
                kind: self.kind,
                qualification_no: self.qualification_no,
                practice_cert_no: self.practice_cert_no,
                practice_category: self.practice_category,
                practice_scope: self.practice_scope,
                entity_id: self.entity_id,
                status: self.status,
                registered_on: self.registered_on,
                cert_valid_until: self.cert_valid_until,
            },
            self.version,
        )
    }
}

/// Register a practitioner (roles that manage the registry).
#[utoipa::path(post, path = "/api/v1/practitioners", tag = "registry", request_body = PractitionerRequest,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = PractitionerView), (status = 422, description = "字段无效", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, description = "机构不在辖区内", body = ErrorBody),
        (status = 409, description = "重复登记（practitioner.duplicate）", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    ApiJson(req): ApiJson<PractitionerRequest>,
) -> Result<(StatusCode, Json<PractitionerView>), ApiError> {
    let (input, _) = req.input();
    let p = dp::create(&state.store, &a.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(PractitionerView::from(&p))))
}

async fn detail(
    state: &AppState,
    a: &weijian_domain::auth::Authenticated,
    p: Practitioner,
) -> Result<PractitionerDetail, ApiError> {
    let sites = dp::sites(&state.store, &a.actor, p.id).await?;
    Ok(PractitionerDetail {
        practitioner: PractitionerView::from(&p),
        practice_sites: sites.iter().map(PracticeSiteView::from).collect(),
    })
}

/// One practitioner with its practice sites; 404 outside the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/practitioners/{id}", tag = "registry",
    params(("id" = String, Path, description = "医务人员标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = PractitionerDetail), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<PractitionerId>,
) -> Result<Json<PractitionerDetail>, ApiError> {
    let p = dp::get(&state.store, &a.actor, id).await?;
    Ok(Json(detail(&state, &a, p).await?))
}

/// Replace a practitioner's data (send `version` to guard against lost updates).
#[utoipa::path(put, path = "/api/v1/practitioners/{id}", tag = "registry", request_body = PractitionerRequest,
    params(("id" = String, Path, description = "医务人员标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = PractitionerDetail), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<PractitionerId>,
    ApiJson(req): ApiJson<PractitionerRequest>,
) -> Result<Json<PractitionerDetail>, ApiError> {
    let (input, version) = req.input();
    let p = dp::update(&state.store, &a.actor, id, version, &input).await?;
    Ok(Json(detail(&state, &a, p).await?))
}

#[derive(Serialize, ToSchema)]
pub struct RevealedIdNumber {
    /// The full 身份证号. This look is recorded in the audit trail.
    pub id_number: String,
}

/// The full 身份证号 (roles allowed to see it; each call is audit-logged).
#[utoipa::path(post, path = "/api/v1/practitioners/{id}/reveal-id-number", tag = "registry",
    params(("id" = String, Path, description = "医务人员标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = RevealedIdNumber), (status = 403, description = "角色无权查看", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn reveal_id_number(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<PractitionerId>,
) -> Result<Json<RevealedIdNumber>, ApiError> {
    let id_number = dp::reveal_id_number(&state.store, &a.actor, id).await?;
    Ok(Json(RevealedIdNumber { id_number }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PracticeSiteRequest {
    /// The further institution (an entity id).
    pub entity_id: String,
    /// YYYY-MM-DD; default today.
    pub filed_on: Option<String>,
}

/// File a further practice site (多机构执业备案).
#[utoipa::path(post, path = "/api/v1/practitioners/{id}/practice-sites", tag = "registry", request_body = PracticeSiteRequest,
    params(("id" = String, Path, description = "医务人员标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = PracticeSiteView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_practice_site(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<PractitionerId>,
    ApiJson(req): ApiJson<PracticeSiteRequest>,
) -> Result<(StatusCode, Json<PracticeSiteView>), ApiError> {
    let input = PracticeSiteInput { entity_id: req.entity_id, filed_on: req.filed_on };
    let site = dp::add_practice_site(&state.store, &a.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(PracticeSiteView::from(&site))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndPracticeSiteRequest {
    /// YYYY-MM-DD; default today. Not before the filing date.
    pub ended_on: Option<String>,
}

/// End a practice site (the filing stays on record with its end date).
#[utoipa::path(post, path = "/api/v1/practitioners/{id}/practice-sites/{site_id}/end", tag = "registry",
    request_body = EndPracticeSiteRequest,
    params(("id" = String, Path, description = "医务人员标识"), ("site_id" = String, Path, description = "执业地点备案标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = PracticeSiteView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn end_practice_site(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    path: Result<axum::extract::Path<(String, String)>, axum::extract::rejection::PathRejection>,
    ApiJson(req): ApiJson<EndPracticeSiteRequest>,
) -> Result<Json<PracticeSiteView>, ApiError> {
    let not_found = || ApiError::from(weijian_domain::DomainError::not_found());
    let axum::extract::Path((id, site_id)) = path.map_err(|_| not_found())?;
    let id: PractitionerId = id.parse().map_err(|_| not_found())?;
    let site_id: weijian_store::ids::PracticeSiteId = site_id.parse().map_err(|_| not_found())?;
    let site = dp::end_practice_site(&state.store, &a.actor, id, site_id, req.ended_on.as_deref()).await?;
    Ok(Json(PracticeSiteView::from(&site)))
}
