//! 自查 over HTTP: staff open, list, read and close campaigns and follow the
//! reports and the missing list; an institution user reads the campaigns it
//! is obliged under and submits its one report (attachments are uploaded first
//! through `/api/v1/attachments` and cited by id).

use super::paging;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, CurrentUser, OptionalVersion, PathId, VersionBody};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use weijian_domain::self_inspections::{self as domain, CampaignInput, ReportInput, ReviewInput};
use weijian_domain::DomainError;
use weijian_rules::self_inspection::CampaignStatus;
use weijian_store::ids::{SelfInspectionCampaignId, SelfInspectionReportId};
use weijian_store::self_inspections::{Campaign, Counts, Missing, Query as CampaignQuery, Report};
use weijian_store::time;

#[derive(Serialize, ToSchema)]
pub struct SelfInspectionCounts {
    /// Entities obliged to report (fixed when the campaign opened), in the caller's jurisdiction.
    pub obliged: i64,
    pub submitted: i64,
    pub missing: i64,
}

impl From<Counts> for SelfInspectionCounts {
    fn from(c: Counts) -> Self {
        SelfInspectionCounts { obliged: c.obliged, submitted: c.submitted, missing: c.missing }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SelfInspectionView {
    pub id: String,
    pub region_code: String,
    pub title: String,
    /// 监管专业 (registry specialty key).
    pub specialty: String,
    pub specialty_label: String,
    /// Entity category keys.
    pub categories: Vec<String>,
    pub requirements: String,
    pub item_list_id: Option<String>,
    pub items: Vec<String>,
    pub opened_on: String,
    pub deadline: String,
    /// open, closed
    pub status: String,
    pub status_label: String,
    /// Past the deadline (reports still accepted while open, marked late).
    pub overdue: bool,
    pub closed_at: Option<String>,
    pub version: i64,
    /// The actions this user may take now: close.
    pub allowed_actions: Vec<String>,
    /// Staff only: obliged / submitted / missing in the caller's jurisdiction.
    pub counts: Option<SelfInspectionCounts>,
}

fn specialty_label(key: &str) -> String {
    weijian_rules::registry::Registry::official().specialty(key).map(|s| s.label.clone()).unwrap_or_else(|| key.into())
}

impl SelfInspectionView {
    fn new(actor: &weijian_store::Actor, c: Campaign, counts: Option<Counts>) -> Self {
        let actions = weijian_domain::lifecycle::of_campaign(actor, c.status, &c.data.region_code);
        SelfInspectionView {
            allowed_actions: actions.into_iter().map(String::from).collect(),
            overdue: c.status == CampaignStatus::Open && domain::is_overdue(&c, weijian_domain::input::today()),
            id: c.id.to_string(),
            region_code: c.data.region_code,
            specialty_label: specialty_label(&c.data.specialty),
            specialty: c.data.specialty,
            title: c.data.title,
            categories: c.data.categories,
            requirements: c.data.requirements,
            item_list_id: c.data.item_list_id.map(|l| l.to_string()),
            items: c.data.items,
            opened_on: c.data.opened_on.to_string(),
            deadline: c.data.deadline.to_string(),
            status: c.status.key().into(),
            status_label: c.status.label().into(),
            closed_at: c.closed_at.map(time::to_db),
            version: c.version,
            counts: counts.map(Into::into),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SelfInspectionPage {
    pub items: Vec<SelfInspectionView>,
    pub next: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SelfInspectionReportView {
    pub id: String,
    pub campaign_id: String,
    pub entity_id: String,
    pub entity_name: String,
    pub region_code: String,
    pub problems: String,
    pub measures: String,
    /// `[{item, point, result, note}]`
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<weijian_store::inspections::PointRecord>,
    pub attachments: Vec<String>,
    pub submitted_at: String,
    pub submitted_by: Option<String>,
    /// Submitted after the campaign's deadline.
    pub late: bool,
    /// submitted, reviewed, returned
    pub status: String,
    pub status_label: String,
    pub review_comment: Option<String>,
    pub reviewed_at: Option<String>,
    pub version: i64,
    /// The actions this user may take now: accept, return (staff of the
    /// campaign's region), resubmit (the institution, once returned).
    pub allowed_actions: Vec<String>,
}

impl SelfInspectionReportView {
    /// The report as this user sees it, late or not by its campaign's deadline.
    fn new(actor: &weijian_store::Actor, r: Report, campaign: &Campaign) -> Self {
        let late = domain::is_late(campaign, &r);
        let actions = weijian_domain::lifecycle::of_report(actor, r.status, &campaign.data.region_code, r.entity_id);
        SelfInspectionReportView {
            allowed_actions: actions.into_iter().map(String::from).collect(),
            id: r.id.to_string(),
            campaign_id: r.campaign_id.to_string(),
            entity_id: r.entity_id.to_string(),
            entity_name: r.entity_name,
            region_code: r.region_code,
            problems: r.data.problems,
            measures: r.data.measures,
            results: r.data.results,
            attachments: r.data.attachments,
            submitted_at: time::to_db(r.submitted_at),
            submitted_by: r.submitted_by.map(|u| u.to_string()),
            late,
            status: r.status.key().into(),
            status_label: r.status.label().into(),
            review_comment: r.review_comment,
            reviewed_at: r.reviewed_at.map(time::to_db),
            version: r.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SelfInspectionReportPage {
    pub items: Vec<SelfInspectionReportView>,
    pub next: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MissingReportView {
    pub entity_id: String,
    pub entity_name: String,
    pub region_code: String,
    pub category: String,
    pub category_label: String,
    /// The deadline has passed without a report.
    pub overdue: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MissingReportPage {
    pub deadline: String,
    pub items: Vec<MissingReportView>,
    pub next: Option<String>,
}

/// A new campaign.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfInspectionBody {
    pub title: String,
    /// The region whose entities report; the caller's own by default.
    #[serde(default)]
    pub region_code: Option<String>,
    /// 监管专业: a specialty key (e.g. `medical_services`) or its label.
    pub specialty: String,
    /// Entity category keys or labels; empty: those the chosen items apply to.
    #[serde(default)]
    pub categories: Vec<String>,
    /// What to check and what to report.
    pub requirements: String,
    /// A published inspection item list, to self-check against its checklists.
    #[serde(default)]
    pub item_list_id: Option<String>,
    #[serde(default)]
    pub items: Vec<String>,
    /// The last day to report, `YYYY-MM-DD`, after today. Or give `working_days`.
    #[serde(default)]
    pub deadline: Option<String>,
    /// The deadline as this many working days from today (official calendar, with 调休).
    #[serde(default)]
    pub working_days: Option<u32>,
}

impl From<SelfInspectionBody> for CampaignInput {
    fn from(b: SelfInspectionBody) -> Self {
        CampaignInput {
            title: b.title,
            region_code: b.region_code,
            specialty: b.specialty,
            categories: b.categories,
            requirements: b.requirements,
            item_list_id: b.item_list_id,
            items: b.items,
            deadline: b.deadline,
            working_days: b.working_days,
        }
    }
}

/// An institution's report.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfInspectionReportBody {
    /// 自查发现的问题 (“未发现问题” when none).
    pub problems: String,
    /// 整改措施; required when a point is 不符合.
    #[serde(default)]
    pub measures: String,
    /// Every checklist point of the campaign's items:
    /// `[{"item": code, "point": index, "result": "pass|fail|not_applicable", "note": ""}]`
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<weijian_domain::inspections::PointInput>,
    /// Attachment ids uploaded through `/api/v1/attachments`.
    #[serde(default)]
    pub attachments: Vec<String>,
}

/// The bureau's review of a report.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfInspectionReviewBody {
    /// reviewed (已审阅) or returned (退回补正)
    pub outcome: String,
    /// Required when returning: what to correct.
    #[serde(default)]
    pub comment: Option<String>,
    /// The report's version as read; a stale one is refused (self_inspection_report.stale).
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignListQuery {
    /// open, closed
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

fn not_found() -> ApiError {
    DomainError::not_found().into()
}

/// Two ids from the path; anything that does not parse is a 404.
fn two_ids(
    path: Result<Path<(String, String)>, axum::extract::rejection::PathRejection>,
) -> Result<(SelfInspectionCampaignId, SelfInspectionReportId), ApiError> {
    let Ok(Path((a, b))) = path else { return Err(not_found()) };
    match (a.parse(), b.parse()) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        _ => Err(not_found()),
    }
}

async fn counts_for(state: &AppState, a: &weijian_domain::auth::Authenticated, c: &Campaign) -> Option<Counts> {
    if a.user.role == weijian_store::Role::Institution {
        return None;
    }
    domain::counts(&state.store, &a.actor, c.id).await.ok()
}

/// Opens a campaign and fixes the entities obliged to report (operating
/// entities of its categories in the region and below).
#[utoipa::path(post, path = "/api/v1/self-inspections", tag = "self_inspections", request_body = SelfInspectionBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = SelfInspectionView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    ApiJson(body): ApiJson<SelfInspectionBody>,
) -> Result<(StatusCode, Json<SelfInspectionView>), ApiError> {
    let (campaign, obliged) = domain::open(&state.store, &a.actor, &body.into()).await?;
    let counts = Counts { obliged, submitted: 0, missing: obliged };
    Ok((StatusCode::CREATED, Json(SelfInspectionView::new(&a.actor, campaign, Some(counts)))))
}

/// Campaigns the caller may see, newest first: staff those of their
/// jurisdiction; an institution those it is obliged under.
#[utoipa::path(get, path = "/api/v1/self-inspections", tag = "self_inspections", params(CampaignListQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = SelfInspectionPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<CampaignListQuery>, QueryRejection>,
) -> Result<Json<SelfInspectionPage>, ApiError> {
    let Query(q) = q.map_err(|_| paging::query_rejected())?;
    let query = CampaignQuery {
        status: paging::keyed(q.status.as_deref(), "status", CampaignStatus::parse)?,
        awaiting_report_of: None,
        after: paging::cursor(q.cursor.as_deref())?,
        limit: paging::limit(q.limit.as_deref())?,
    };
    let page = domain::list(&state.store, &a.actor, &query).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for c in page.items {
        let counts = counts_for(&state, &a, &c).await;
        items.push(SelfInspectionView::new(&a.actor, c, counts));
    }
    Ok(Json(SelfInspectionPage { items, next: page.next }))
}

#[utoipa::path(get, path = "/api/v1/self-inspections/{id}", tag = "self_inspections",
    params(("id" = String, Path, description = "自查标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = SelfInspectionView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<SelfInspectionCampaignId>,
) -> Result<Json<SelfInspectionView>, ApiError> {
    let c = domain::get(&state.store, &a.actor, id).await?;
    let counts = counts_for(&state, &a, &c).await;
    Ok(Json(SelfInspectionView::new(&a.actor, c, counts)))
}

/// Closes the campaign (audited); reports are refused from then on.
#[utoipa::path(post, path = "/api/v1/self-inspections/{id}/close", tag = "self_inspections",
    params(("id" = String, Path, description = "自查标识")), request_body(content = Option<VersionBody>),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = SelfInspectionView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<SelfInspectionCampaignId>,
    OptionalVersion(version): OptionalVersion,
) -> Result<Json<SelfInspectionView>, ApiError> {
    let c = domain::close(&state.store, &a.actor, id, version).await?;
    let counts = counts_for(&state, &a, &c).await;
    Ok(Json(SelfInspectionView::new(&a.actor, c, counts)))
}

/// The campaign's reports, by entity name: staff those of their
/// jurisdiction, an institution its own.
#[utoipa::path(get, path = "/api/v1/self-inspections/{id}/reports", tag = "self_inspections",
    params(("id" = String, Path, description = "自查标识"), PageQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = SelfInspectionReportPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn reports(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<SelfInspectionCampaignId>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<SelfInspectionReportPage>, ApiError> {
    let Query(q) = q.map_err(|_| paging::query_rejected())?;
    let after = paging::cursor(q.cursor.as_deref())?;
    let limit = paging::limit(q.limit.as_deref())?;
    let campaign = domain::get(&state.store, &a.actor, id).await?;
    let page = domain::reports(&state.store, &a.actor, id, after.as_ref(), limit).await?;
    let items = page.items.into_iter().map(|r| SelfInspectionReportView::new(&a.actor, r, &campaign)).collect();
    Ok(Json(SelfInspectionReportPage { items, next: page.next }))
}

/// Submits the caller's (an institution user's) report; once per entity. A
/// report after the deadline is accepted while the campaign is open and
/// marked late; after closing it is refused.
#[utoipa::path(post, path = "/api/v1/self-inspections/{id}/reports", tag = "self_inspections",
    params(("id" = String, Path, description = "自查标识")), request_body = SelfInspectionReportBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = SelfInspectionReportView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "已报送（self_inspection.already_submitted）或自查已结束（self_inspection.closed）", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<SelfInspectionCampaignId>,
    ApiJson(b): ApiJson<SelfInspectionReportBody>,
) -> Result<(StatusCode, Json<SelfInspectionReportView>), ApiError> {
    let input =
        ReportInput { problems: b.problems, measures: b.measures, results: b.results, attachments: b.attachments };
    let report = domain::submit(&state.store, &a.actor, id, &input).await?;
    let campaign = domain::get(&state.store, &a.actor, id).await?;
    Ok((StatusCode::CREATED, Json(SelfInspectionReportView::new(&a.actor, report, &campaign))))
}

#[utoipa::path(get, path = "/api/v1/self-inspections/{id}/reports/{report_id}", tag = "self_inspections",
    params(("id" = String, Path, description = "自查标识"), ("report_id" = String, Path, description = "自查报告标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = SelfInspectionReportView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_report(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    path: Result<Path<(String, String)>, axum::extract::rejection::PathRejection>,
) -> Result<Json<SelfInspectionReportView>, ApiError> {
    let (id, report_id) = two_ids(path)?;
    let report = domain::report(&state.store, &a.actor, id, report_id).await?;
    let campaign = domain::get(&state.store, &a.actor, id).await?;
    Ok(Json(SelfInspectionReportView::new(&a.actor, report, &campaign)))
}

/// Accepts a submitted report or returns it for correction (the institution
/// then submits it again).
#[utoipa::path(post, path = "/api/v1/self-inspections/{id}/reports/{report_id}/review", tag = "self_inspections",
    params(("id" = String, Path, description = "自查标识"), ("report_id" = String, Path, description = "自查报告标识")),
    request_body = SelfInspectionReviewBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = SelfInspectionReportView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    path: Result<Path<(String, String)>, axum::extract::rejection::PathRejection>,
    ApiJson(b): ApiJson<SelfInspectionReviewBody>,
) -> Result<Json<SelfInspectionReportView>, ApiError> {
    let (id, report_id) = two_ids(path)?;
    let input = ReviewInput { outcome: b.outcome, comment: b.comment, version: b.version };
    let report = domain::review(&state.store, &a.actor, id, report_id, &input).await?;
    let campaign = domain::get(&state.store, &a.actor, id).await?;
    Ok(Json(SelfInspectionReportView::new(&a.actor, report, &campaign)))
}

/// Obliged entities of the caller's jurisdiction that have not reported, by
/// name, each flagged overdue once the deadline has passed. Staff only.
#[utoipa::path(get, path = "/api/v1/self-inspections/{id}/missing", tag = "self_inspections",
    params(("id" = String, Path, description = "自查标识"), PageQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = MissingReportPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn missing(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<SelfInspectionCampaignId>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<MissingReportPage>, ApiError> {
    let Query(q) = q.map_err(|_| paging::query_rejected())?;
    let after = paging::cursor(q.cursor.as_deref())?;
    let limit = paging::limit(q.limit.as_deref())?;
    let page = domain::missing(&state.store, &a.actor, id, after.as_ref(), limit).await?;
    let campaign = domain::get(&state.store, &a.actor, id).await?;
    let overdue = domain::is_overdue(&campaign, weijian_domain::input::today());
    let items = page.items.into_iter().map(|m: Missing| MissingReportView {
        category_label: super::entities::category_label(&m.category),
        entity_id: m.entity_id.to_string(),
        entity_name: m.entity_name,
        region_code: m.region_code,
        category: m.category,
        overdue,
    });
    Ok(Json(MissingReportPage {
        deadline: campaign.data.deadline.to_string(),
        items: items.collect(),
        next: page.next,
    }))
}
