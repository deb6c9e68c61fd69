//! Inspection records: an inspector records a task's inspection (its orders
//! are in super::rectifications), and the records' documents and publication.

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
use weijian_domain::inspections::{self as domain, InspectionInput};
use weijian_store::ids::InspectionTaskId;
use weijian_store::inspections::{clock, Inspection};
use weijian_store::time;

#[derive(Serialize, ToSchema)]
pub struct InspectionView {
    pub id: String,
    pub task_id: String,
    pub entity_id: String,
    pub entity_name: String,
    pub inspected_on: String,
    /// `HH:MM`, Beijing time; null on records made before times were kept.
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub place: String,
    pub inspectors: Vec<String>,
    /// `[{item, point, result, note}]`
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<weijian_store::inspections::PointRecord>,
    pub findings: String,
    pub party_signature: String,
    pub party_name: Option<String>,
    /// qualified, rectify, case_lead
    pub outcome: String,
    pub outcome_label: String,
    pub attachments: Vec<String>,
}

impl From<Inspection> for InspectionView {
    fn from(i: Inspection) -> Self {
        InspectionView {
            id: i.id.to_string(),
            task_id: i.task_id.to_string(),
            entity_id: i.entity_id.to_string(),
            entity_name: i.entity_name,
            inspected_on: i.data.inspected_on.to_string(),
            started_at: i.data.started_at.map(clock::to_text),
            ended_at: i.data.ended_at.map(clock::to_text),
            place: i.data.place,
            inspectors: i.data.inspectors.iter().map(|x| x.to_string()).collect(),
            results: i.data.results,
            findings: i.data.findings,
            party_signature: i.data.party_signature.key().into(),
            party_name: i.data.party_name,
            outcome: i.data.outcome.key().into(),
            outcome_label: i.data.outcome.label().into(),
            attachments: i.data.attachments,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RecordedInspection {
    pub inspection: InspectionView,
    /// The order this inspection issued (责令整改).
    pub rectification: Option<super::rectifications::RectificationView>,
    /// The order this re-inspection (复查) closed: verified or unresolved.
    pub followed_up: Option<super::rectifications::RectificationView>,
    /// The case lead (案源) raised: 建议立案, or an unresolved re-inspection.
    pub case_lead: Option<super::case_leads::CaseLeadView>,
}

/// The inspection record as sent from the field.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionBody {
    /// `YYYY-MM-DD`, not in the future.
    pub inspected_on: String,
    /// Required: when the inspection began that day, `HH:MM` (Beijing time).
    #[serde(default)]
    pub started_at: String,
    /// Required: when it ended, `HH:MM`, not before `started_at`.
    #[serde(default)]
    pub ended_at: String,
    pub place: String,
    /// Exactly two inspector ids, each with a 执法证 valid that day.
    pub inspectors: Vec<String>,
    /// `[{"item": code, "point": index, "result": "pass|fail|not_applicable", "note": ""}]`
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<weijian_domain::inspections::PointInput>,
    #[serde(default)]
    pub findings: String,
    /// signed, refused, absent
    pub party_signature: String,
    pub party_name: Option<String>,
    /// qualified, rectify, case_lead
    pub outcome: String,
    /// Attachment ids.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// Required for `rectify`: `{"content", "days" (1–90), "working_days"}`.
    #[schema(value_type = Option<Object>)]
    pub rectification: Option<weijian_domain::inspections::OrderInput>,
}

/// Records a task's inspection; `rectify` also issues the order (deadline from
/// the working-day calendar) and creates the re-inspection task for its deadline.
/// A re-inspection task's record closes the order it follows up (verified when
/// `qualified`, else unresolved); `case_lead`, or an unresolved re-inspection,
/// raises a case lead with the failed points' violation codes.
#[utoipa::path(post, path = "/api/v1/inspection-tasks/{id}/inspection", tag = "random_inspections",
    params(("id" = String, Path, description = "检查任务标识")), request_body = InspectionBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = RecordedInspection), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionTaskId>,
    ApiJson(b): ApiJson<InspectionBody>,
) -> Result<(StatusCode, Json<RecordedInspection>), ApiError> {
    let input = InspectionInput {
        inspected_on: b.inspected_on,
        started_at: b.started_at,
        ended_at: b.ended_at,
        place: b.place,
        inspectors: b.inspectors,
        results: b.results,
        findings: b.findings,
        party_signature: b.party_signature,
        party_name: b.party_name,
        outcome: b.outcome,
        attachments: b.attachments,
        rectification: b.rectification,
    };
    let done = domain::record(&state.store, &a.actor, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(RecordedInspection {
            inspection: done.inspection.into(),
            rectification: done.rectification.map(Into::into),
            followed_up: done.followed_up.map(Into::into),
            case_lead: done.case_lead.map(Into::into),
        }),
    ))
}

/// A rendered document as the response: `application/pdf`, named by its 文号.
fn pdf_response(name: &str, pdf: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (axum::http::header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                super::attachments::content_disposition(&format!("{name}.pdf"), "pdf"),
            ),
        ],
        pdf,
    )
        .into_response()
}

/// Layout and font subsetting are CPU work: off the async workers.
async fn render_off_thread(
    job: impl FnOnce() -> Result<Vec<u8>, weijian_domain::DomainError> + Send + 'static,
) -> Result<Vec<u8>, ApiError> {
    Ok(tokio::task::spawn_blocking(job)
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "文书生成失败"))??)
}

/// The inspection's 卫生监督意见书 as PDF, with its 文号 (issued on first request
/// by staff; an institution gets it once issued).
#[utoipa::path(get, path = "/api/v1/inspections/{id}/opinion.pdf", tag = "random_inspections",
    params(("id" = String, Path, description = "检查记录标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "卫生监督意见书（PDF）", content_type = "application/pdf"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn opinion_pdf(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<weijian_store::ids::InspectionId>,
) -> Result<axum::response::Response, ApiError> {
    let data = domain::opinion(&state.store, &a.actor, id).await?;
    let name = data.doc_number.to_string();
    let docs = state.documents.clone();
    let pdf = render_off_thread(move || docs.supervision_opinion(&data)).await?;
    Ok(pdf_response(&name, pdf))
}

/// The inspection's 现场笔录 as PDF, with its own 文号 (kind `site_record`,
/// issued on first request by staff of the region, gapless per issuing unit
/// and year): time from–to, place, the inspectors and their 执法证 numbers, the
/// party, each checklist point with its result, findings, outcome and the
/// signature, refusal or absence. The institution inspected may read it once
/// issued (the party receives a copy); a record without times is a 409.
#[utoipa::path(get, path = "/api/v1/inspections/{id}/site-record.pdf", tag = "random_inspections",
    params(("id" = String, Path, description = "检查记录标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, description = "现场笔录（PDF）", content_type = "application/pdf"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn site_record_pdf(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<weijian_store::ids::InspectionId>,
) -> Result<axum::response::Response, ApiError> {
    let data = domain::site_record(&state.store, &a.actor, id).await?;
    let name = data.doc_number.to_string();
    let docs = state.documents.clone();
    let pdf = render_off_thread(move || docs.site_record(&data)).await?;
    Ok(pdf_response(&name, pdf))
}

#[derive(Serialize, ToSchema)]
pub struct PublishedCount {
    /// Results that went public with this request.
    pub published: u64,
}

/// 一公开: publishes the plan's recorded results not yet public (on the portal
/// within 20 working days of the check; overdue ones are warnings).
#[utoipa::path(post, path = "/api/v1/random-plans/{id}/publish-results", tag = "random_inspections",
    params(("id" = String, Path, description = "抽查计划标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = PublishedCount), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn publish_results(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<weijian_store::ids::RandomPlanId>,
) -> Result<Json<PublishedCount>, ApiError> {
    Ok(Json(PublishedCount { published: domain::publish_results(&state.store, &a.actor, id).await? }))
}

#[derive(Serialize, ToSchema)]
pub struct PublicResultView {
    pub plan_name: String,
    pub region_code: String,
    /// An individual's name is redacted.
    pub entity_name: String,
    pub items: Vec<String>,
    pub inspected_on: String,
    pub outcome: String,
    pub outcome_label: String,
    /// open, reported, verified, unresolved; null without an order.
    pub rectification_status: Option<String>,
    pub rectification_label: Option<String>,
    pub published_at: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicResultQuery {
    /// Only this region and below.
    pub region_code: Option<String>,
}

/// Public, no sign-in: published results of random inspections, newest first.
#[utoipa::path(get, path = "/api/v1/public/inspection-results", tag = "random_inspections", params(PublicResultQuery),
    responses((status = 200, body = Vec<PublicResultView>), (status = 400, body = ErrorBody)))]
pub async fn public_results(
    State(state): State<AppState>,
    q: Result<Query<PublicResultQuery>, QueryRejection>,
) -> Result<Json<Vec<PublicResultView>>, ApiError> {
    let Query(q) = q.map_err(|_| paging::query_rejected())?;
    let region = q.region_code.filter(|s| !s.is_empty());
    let rows = domain::public_results(&state.store, region.as_deref()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| PublicResultView {
                plan_name: r.plan_name,
                region_code: r.region_code,
                entity_name: r.entity_name,
                items: r.items,
                inspected_on: r.inspected_on.to_string(),
                outcome: r.outcome.key().into(),
                outcome_label: r.outcome.label().into(),
                rectification_status: r.rectification.map(|s| s.key().into()),
                rectification_label: r.rectification.map(|s| s.label().into()),
                published_at: time::to_db(r.published_at),
            })
            .collect(),
    ))
}
