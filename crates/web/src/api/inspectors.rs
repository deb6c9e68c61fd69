//! 执法人员名录库 over JSON, with the eligibility query every assigning
//! module uses (`GET /api/v1/inspectors/eligible`).

use super::practitioners::{id_param, invalid, paging, query};
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
use weijian_domain::inspectors::{self as di, CertificateState, InspectorInput};
use weijian_rules::registry::{InspectorStatus, Registry};
use weijian_store::ids::InspectorId;
use weijian_store::inspectors::{Inspector, Query as ListQuery};

#[derive(Serialize, ToSchema)]
pub struct SpecialtyView {
    pub key: String,
    pub label: String,
}

/// An inspector as the API shows it, with the certificate judged today.
#[derive(Serialize, ToSchema)]
pub struct InspectorView {
    pub id: String,
    pub name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub region_code: String,
    pub user_id: Option<String>,
    /// 执法证号.
    pub cert_no: String,
    pub cert_valid_from: String,
    pub cert_valid_until: String,
    /// not_yet_valid, valid, expiring (within 30 days), expired — as of today.
    pub certificate_state: String,
    pub certificate_state_label: String,
    /// Whether the inspector may be assigned to enforce today.
    pub may_enforce_today: bool,
    pub specialties: Vec<SpecialtyView>,
    /// active, suspended, retired
    pub status: String,
    pub status_label: String,
    pub phone: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

impl InspectorView {
    pub fn of(i: &Inspector, today: NaiveDate) -> InspectorView {
        let registry = Registry::official();
        let state = CertificateState::of(i, today);
        InspectorView {
            id: i.id.to_string(),
            name: i.data.name.clone(),
            unit_id: i.data.unit_id.to_string(),
            unit_name: i.unit_name.clone(),
            region_code: i.region_code.clone(),
            user_id: i.data.user_id.map(|u| u.to_string()),
            cert_no: i.data.cert_no.clone(),
            cert_valid_from: i.data.cert_valid_from.to_string(),
            cert_valid_until: i.data.cert_valid_until.to_string(),
            certificate_state: state.key().into(),
            certificate_state_label: state.label().into(),
            may_enforce_today: i.may_enforce_on(today),
            specialties: i
                .data
                .specialties
                .iter()
                .map(|k| SpecialtyView {
                    key: k.clone(),
                    label: registry.specialty(k).map(|s| s.label.clone()).unwrap_or_else(|| k.clone()),
                })
                .collect(),
            status: i.data.status.key().into(),
            status_label: i.data.status.label().into(),
            phone: i.data.phone.clone(),
            version: i.version,
            updated_at: weijian_store::time::to_db(i.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InspectorPage {
    pub items: Vec<InspectorView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InspectorListQuery {
    /// Words matched against name and certificate number.
    pub q: Option<String>,
    pub unit_id: Option<String>,
    /// A specialty key (or label).
    pub specialty: Option<String>,
    /// active, suspended, retired
    pub status: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<String>,
    /// The previous page's `next`.
    pub cursor: Option<String>,
}

/// Inspectors in the caller's jurisdiction, by name; keyset pages.
#[utoipa::path(get, path = "/api/v1/inspectors", tag = "registry", params(InspectorListQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = InspectorPage), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<InspectorListQuery>, QueryRejection>,
) -> Result<Json<InspectorPage>, ApiError> {
    let q = query(q)?;
    let (limit, after) = paging(q.limit.as_deref(), q.cursor.as_deref())?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            InspectorStatus::parse_key_or_label(s)
                .ok_or_else(|| invalid("field.invalid_choice", "status", "status 应为 active、suspended 或 retired"))?,
        ),
    };
    let query = ListQuery {
        q: q.q,
        unit_id: id_param(q.unit_id.as_deref(), "unit_id")?,
        specialty: di::specialty_filter(q.specialty.as_deref())?,
        status,
        after,
        limit,
    };
    let page = di::list(&state.store, &a.actor, &query).await?;
    let today = weijian_domain::input::today();
    Ok(Json(InspectorPage { items: page.items.iter().map(|i| InspectorView::of(i, today)).collect(), next: page.next }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectorRequest {
    pub name: String,
    /// The unit the inspector belongs to (its region owns the record).
    pub unit_id: String,
    /// A user account to link, if any.
    pub user_id: Option<String>,
    /// 执法证号.
    pub cert_no: String,
    /// YYYY-MM-DD
    pub cert_valid_from: String,
    /// YYYY-MM-DD; not before cert_valid_from.
    pub cert_valid_until: String,
    /// Specialty keys (or labels).
    #[serde(default)]
    pub specialties: Vec<String>,
    /// active (default), suspended, retired
    pub status: Option<String>,
    pub phone: Option<String>,
    /// PUT only: the version that was edited (a newer one on the server gives 409).
    pub version: Option<i64>,
}

impl InspectorRequest {
    fn input(self) -> (InspectorInput, Option<i64>) {
        (
            InspectorInput {
                name: self.name,
                unit_id: self.unit_id,
                user_id: self.user_id,
                cert_no: self.cert_no,
                cert_valid_from: self.cert_valid_from,
                cert_valid_until: self.cert_valid_until,
                specialties: self.specialties,
                status: self.status,
                phone: self.phone,
            },
            self.version,
        )
    }
}

/// Add an inspector to the directory (roles that keep it).
#[utoipa::path(post, path = "/api/v1/inspectors", tag = "registry", request_body = InspectorRequest,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = InspectorView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "单位或用户不在辖区内", body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    ApiJson(req): ApiJson<InspectorRequest>,
) -> Result<(StatusCode, Json<InspectorView>), ApiError> {
    let (input, _) = req.input();
    let i = di::create(&state.store, &a.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(InspectorView::of(&i, weijian_domain::input::today()))))
}

/// One inspector; 404 outside the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/inspectors/{id}", tag = "registry",
    params(("id" = String, Path, description = "执法人员标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = InspectorView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectorId>,
) -> Result<Json<InspectorView>, ApiError> {
    let i = di::get(&state.store, &a.actor, id).await?;
    Ok(Json(InspectorView::of(&i, weijian_domain::input::today())))
}

/// Replace an inspector's data (send `version` to guard against lost updates).
#[utoipa::path(put, path = "/api/v1/inspectors/{id}", tag = "registry", request_body = InspectorRequest,
    params(("id" = String, Path, description = "执法人员标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = InspectorView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectorId>,
    ApiJson(req): ApiJson<InspectorRequest>,
) -> Result<Json<InspectorView>, ApiError> {
    let (input, version) = req.input();
    let i = di::update(&state.store, &a.actor, id, version, &input).await?;
    Ok(Json(InspectorView::of(&i, weijian_domain::input::today())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EligibleQuery {
    /// YYYY-MM-DD; default today.
    pub date: Option<String>,
    /// A specialty key (or label).
    pub specialty: Option<String>,
    pub unit_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EligibleInspectors {
    pub date: String,
    pub items: Vec<InspectorView>,
}

/// Inspectors who may be assigned to enforce on a date: active, with a 执法证
/// valid that day (both ends included). The one rule for draws and inspections.
#[utoipa::path(get, path = "/api/v1/inspectors/eligible", tag = "registry", params(EligibleQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = EligibleInspectors), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn eligible(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<EligibleQuery>, QueryRejection>,
) -> Result<Json<EligibleInspectors>, ApiError> {
    let q = query(q)?;
    let day = match q.date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => weijian_domain::input::today(),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| invalid("request.invalid_date", "date", format!("“{s}”不是有效的日期，应为 YYYY-MM-DD")))?,
    };
    let unit_id = id_param(q.unit_id.as_deref(), "unit_id")?;
    let items = di::eligible_on(&state.store, &a.actor, day, unit_id, q.specialty.as_deref()).await?;
    Ok(Json(EligibleInspectors {
        date: day.to_string(),
        items: items.iter().map(|i| InspectorView::of(i, day)).collect(),
    }))
}
