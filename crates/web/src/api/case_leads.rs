//! 案源 (case leads): staff of a region and below list and read them, turn an
//! overdue rectification order into one (转为案源), and accept or dismiss them.
//! Institutions never see leads (403).

use super::paging;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, CurrentUser, PathId};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use weijian_domain::case_leads as domain;
use weijian_rules::case_leads::{dismissal_needs_legal_review, CaseLeadSource, CaseLeadStatus};
use weijian_store::case_leads::{CaseLead, Query as LeadQuery};
use weijian_store::ids::{CaseLeadId, EntityId, RectificationId};
use weijian_store::time;

#[derive(Serialize, ToSchema)]
pub struct CaseLeadView {
    pub id: String,
    pub region_code: String,
    pub entity_id: String,
    pub entity_name: String,
    /// inspection, unresolved_reinspection, overdue_rectification, complaint
    pub source: String,
    pub source_label: String,
    /// The inspection, order or complaint the lead came from.
    pub source_id: String,
    /// The rectification order the lead follows up, if any.
    pub rectification_id: Option<String>,
    pub summary: String,
    /// Catalog violation codes of the failed checklist points (for the case's discretion).
    pub violation_codes: Vec<String>,
    /// open, pending_legal_review, accepted, dismissed
    pub status: String,
    pub status_label: String,
    /// Whether dismissing it needs a legal reviewer's sign-off (its violation
    /// is of the 一般 tier or above).
    pub dismissal_needs_legal_review: bool,
    /// Why it was (or is proposed to be) dismissed, or a note on acceptance.
    pub decision_reason: Option<String>,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    /// Who proposed the dismissal under (or after) legal review, and when.
    pub dismissal_requested_by: Option<String>,
    pub dismissal_requested_at: Option<String>,
    /// The 法制审核 of the proposed dismissal, once made.
    pub legal_review: Option<LegalReviewView>,
    pub created_at: String,
    pub created_by: Option<String>,
    pub version: i64,
    /// The actions this user may take now: accept, dismiss, request_dismissal,
    /// approve_dismissal, reject_dismissal.
    pub allowed_actions: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LegalReviewView {
    /// The legal reviewer's user id.
    pub reviewer: Option<String>,
    pub reviewed_at: String,
    /// approve or reject
    pub decision: String,
    pub opinion: String,
}

impl From<CaseLead> for CaseLeadView {
    fn from(l: CaseLead) -> Self {
        CaseLeadView {
            id: l.id.to_string(),
            region_code: l.region_code,
            entity_id: l.entity_id.to_string(),
            entity_name: l.entity_name,
            source: l.source.key().into(),
            source_label: l.source.label().into(),
            source_id: l.source_id,
            rectification_id: l.rectification_id.map(|r| r.to_string()),
            summary: l.summary,
            violation_codes: l.violation_codes.clone(),
            status: l.status.key().into(),
            status_label: l.status.label().into(),
            dismissal_needs_legal_review: dismissal_needs_legal_review(&l.violation_codes),
            decision_reason: l.decision_reason,
            decided_at: l.decided_at.map(time::to_db),
            decided_by: l.decided_by.map(|u| u.to_string()),
            dismissal_requested_by: l.dismissal_requested_by.map(|u| u.to_string()),
            dismissal_requested_at: l.dismissal_requested_at.map(time::to_db),
            legal_review: l.legal_review.map(|r| LegalReviewView {
                reviewer: r.reviewer.map(|u| u.to_string()),
                reviewed_at: time::to_db(r.reviewed_at),
                decision: r.decision_key().into(),
                opinion: r.opinion,
            }),
            created_at: time::to_db(l.created_at),
            created_by: l.created_by.map(|u| u.to_string()),
            version: l.version,
            allowed_actions: vec![],
        }
    }
}

/// The lead as this user sees it, with the actions they may take now.
fn view(actor: &weijian_store::Actor, l: CaseLead) -> CaseLeadView {
    let actions = domain::allowed_actions(actor, &l);
    CaseLeadView { allowed_actions: actions.into_iter().map(String::from).collect(), ..CaseLeadView::from(l) }
}

#[derive(Serialize, ToSchema)]
pub struct CaseLeadPage {
    pub items: Vec<CaseLeadView>,
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseLeadListQuery {
    /// open, pending_legal_review, accepted, dismissed
    pub status: Option<String>,
    /// inspection, unresolved_reinspection, overdue_rectification, complaint
    pub source: Option<String>,
    pub entity_id: Option<String>,
    /// Only this region and below.
    pub region_code: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Case leads in the caller's jurisdiction, newest first (staff only).
#[utoipa::path(get, path = "/api/v1/case-leads", tag = "case_leads", params(CaseLeadListQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = CaseLeadPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<CaseLeadListQuery>, QueryRejection>,
) -> Result<Json<CaseLeadPage>, ApiError> {
    let Query(q) = q.map_err(|_| paging::query_rejected())?;
    let entity_id = match q.entity_id.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(s.parse::<EntityId>().map_err(|_| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_id", "监管对象标识无效")
                .with_field("entity_id")
        })?),
    };
    let query = LeadQuery {
        status: paging::keyed(q.status.as_deref(), "status", CaseLeadStatus::parse)?,
        source: paging::keyed(q.source.as_deref(), "source", CaseLeadSource::parse)?,
        entity_id,
        region_code: q.region_code.filter(|s| !s.is_empty()),
        after: paging::cursor(q.cursor.as_deref())?,
        limit: paging::limit(q.limit.as_deref())?,
    };
    let page = domain::list(&state.store, &a.actor, &query).await?;
    Ok(Json(CaseLeadPage { items: page.items.into_iter().map(|l| view(&a.actor, l)).collect(), next: page.next }))
}

/// One case lead.
#[utoipa::path(get, path = "/api/v1/case-leads/{id}", tag = "case_leads",
    params(("id" = String, Path, description = "案源标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = CaseLeadView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<CaseLeadId>,
) -> Result<Json<CaseLeadView>, ApiError> {
    Ok(Json(view(&a.actor, domain::get(&state.store, &a.actor, id).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// Why (required to dismiss; an optional note to accept).
    #[serde(default)]
    pub reason: Option<String>,
    /// The lead's version as read; a stale one is refused (case_lead.stale).
    #[serde(default)]
    pub version: Option<i64>,
}

/// 不予立案: dismisses an open lead below the 一般 tier with its reason
/// (leaders and section chiefs). A lead naming a violation (一般 tier or
/// above) is refused with 409 `case_lead.legal_review_required` and nothing
/// changes: its dismissal is proposed at `request-dismissal` instead.
#[utoipa::path(post, path = "/api/v1/case-leads/{id}/dismiss", tag = "case_leads",
    params(("id" = String, Path, description = "案源标识")), request_body = DecisionBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = CaseLeadView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dismiss(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<CaseLeadId>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> Result<Json<CaseLeadView>, ApiError> {
    let reason = b.reason.unwrap_or_default();
    Ok(Json(view(&a.actor, domain::dismiss(&state.store, &a.actor, id, b.version, &reason).await?)))
}

/// 提请法制审核: proposes dismissing a 一般-tier-or-above lead with its reason
/// (leaders and section chiefs); the lead waits, `pending_legal_review`, for a
/// legal reviewer. A lead below the tier is dismissed directly (409
/// `case_lead.legal_review_not_needed`).
#[utoipa::path(post, path = "/api/v1/case-leads/{id}/request-dismissal", tag = "case_leads",
    params(("id" = String, Path, description = "案源标识")), request_body = DecisionBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = CaseLeadView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request_dismissal(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<CaseLeadId>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> Result<Json<CaseLeadView>, ApiError> {
    let reason = b.reason.unwrap_or_default();
    Ok(Json(view(&a.actor, domain::request_dismissal(&state.store, &a.actor, id, b.version, &reason).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalReviewBody {
    /// approve（同意不予立案）or reject（不同意，案源退回待处理）
    pub decision: String,
    /// The legal reviewer's opinion (required).
    #[serde(default)]
    pub opinion: String,
    /// The lead's version as read; a stale one is refused (case_lead.stale).
    #[serde(default)]
    pub version: Option<i64>,
}

/// 法制审核 of a proposed dismissal (legal reviewers only, 403
/// `case_lead.legal_reviewer_only`): `approve` dismisses the lead, `reject`
/// returns it to open; the reviewer and the opinion are recorded and audited.
#[utoipa::path(post, path = "/api/v1/case-leads/{id}/legal-review", tag = "case_leads",
    params(("id" = String, Path, description = "案源标识")), request_body = LegalReviewBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = CaseLeadView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn legal_review(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<CaseLeadId>,
    ApiJson(b): ApiJson<LegalReviewBody>,
) -> Result<Json<CaseLeadView>, ApiError> {
    let lead = domain::legal_review(&state.store, &a.actor, id, &b.decision, b.version, &b.opinion).await?;
    Ok(Json(view(&a.actor, lead)))
}

/// Accepts an open lead for 立案 (leaders and section chiefs).
#[utoipa::path(post, path = "/api/v1/case-leads/{id}/accept", tag = "case_leads",
    params(("id" = String, Path, description = "案源标识")), request_body = DecisionBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = CaseLeadView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<CaseLeadId>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> Result<Json<CaseLeadView>, ApiError> {
    Ok(Json(view(&a.actor, domain::accept(&state.store, &a.actor, id, b.version, b.reason.as_deref()).await?)))
}

/// 转为案源: an overdue rectification order (deadline passed, not verified)
/// becomes a case lead, once per order (a second time is a 409).
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/case-lead", tag = "case_leads",
    params(("id" = String, Path, description = "整改通知标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = CaseLeadView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn from_order(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RectificationId>,
) -> Result<(StatusCode, Json<CaseLeadView>), ApiError> {
    let lead = domain::from_overdue_order(&state.store, &a.actor, id, weijian_domain::input::today()).await?;
    Ok((StatusCode::CREATED, Json(view(&a.actor, lead))))
}
