//! 整改 (rectification orders): staff and the institution list the orders they
//! may see; the institution reports its correction. Orders are issued and
//! closed by inspection records (super::inspections).

use super::paging;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, CurrentUser, PathId};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use weijian_domain::rectifications as domain;
use weijian_rules::inspection::RectificationStatus;
use weijian_store::ids::RectificationId;
use weijian_store::rectifications::{Rectification, RectificationQuery};
use weijian_store::time;

#[derive(Serialize, ToSchema)]
pub struct RectificationView {
    pub id: String,
    pub inspection_id: String,
    pub entity_id: String,
    pub entity_name: String,
    pub content: String,
    pub ordered_on: String,
    pub deadline: String,
    /// open, reported, verified, unresolved
    pub status: String,
    pub status_label: String,
    pub report: Option<String>,
    pub report_attachments: Vec<String>,
    pub reported_at: Option<String>,
    pub reinspection_task_id: Option<String>,
    /// The re-inspection record that verified the order or found it unresolved.
    pub reinspection_id: Option<String>,
    pub version: i64,
    /// The actions this user may take now: report (the institution itself).
    pub allowed_actions: Vec<String>,
}

impl From<Rectification> for RectificationView {
    fn from(r: Rectification) -> Self {
        RectificationView {
            id: r.id.to_string(),
            inspection_id: r.inspection_id.to_string(),
            entity_id: r.entity_id.to_string(),
            entity_name: r.entity_name,
            content: r.content,
            ordered_on: r.ordered_on.to_string(),
            deadline: r.deadline.to_string(),
            status: r.status.key().into(),
            status_label: r.status.label().into(),
            report: r.report,
            report_attachments: r.report_attachments,
            reported_at: r.reported_at.map(time::to_db),
            reinspection_task_id: r.reinspection_task_id.map(|t| t.to_string()),
            reinspection_id: r.reinspection_id.map(|i| i.to_string()),
            version: r.version,
            allowed_actions: vec![],
        }
    }
}

/// The order as this user sees it, with the actions they may take now.
fn rectification_view(actor: &weijian_store::Actor, r: Rectification) -> RectificationView {
    let actions = weijian_domain::lifecycle::of_rectification(actor, r.status, &r.region_code, r.entity_id);
    RectificationView { allowed_actions: actions.into_iter().map(String::from).collect(), ..RectificationView::from(r) }
}

#[derive(Serialize, ToSchema)]
pub struct RectificationPage {
    pub items: Vec<RectificationView>,
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RectificationListQuery {
    pub status: Option<String>,
    /// `true`: open orders past their deadline.
    pub overdue: Option<bool>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Rectification orders in the caller's scope (an institution: its own), soonest deadline first.
#[utoipa::path(get, path = "/api/v1/rectifications", tag = "random_inspections", params(RectificationListQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = RectificationPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn rectifications(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<RectificationListQuery>, QueryRejection>,
) -> Result<Json<RectificationPage>, ApiError> {
    let Query(q) = q.map_err(|_| paging::query_rejected())?;
    let query = RectificationQuery {
        entity_id: None,
        inspection_id: None,
        status: paging::keyed(q.status.as_deref(), "status", RectificationStatus::parse)?,
        overdue_on: q.overdue.unwrap_or(false).then(weijian_domain::input::today),
        after: paging::cursor(q.cursor.as_deref())?,
        limit: paging::limit(q.limit.as_deref())?,
    };
    let page = domain::list(&state.store, &a.actor, &query).await?;
    Ok(Json(RectificationPage {
        items: page.items.into_iter().map(|r| rectification_view(&a.actor, r)).collect(),
        next: page.next,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// What was corrected, and how.
    pub report: String,
    #[serde(default)]
    pub attachments: Vec<String>,
    /// The order's version as read; a stale one is refused (rectification.stale).
    #[serde(default)]
    pub version: Option<i64>,
}

/// The institution reports its correction (once; the re-inspection follows).
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/report", tag = "random_inspections",
    params(("id" = String, Path, description = "整改通知标识")), request_body = ReportBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = RectificationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RectificationId>,
    ApiJson(b): ApiJson<ReportBody>,
) -> Result<Json<RectificationView>, ApiError> {
    Ok(Json(rectification_view(
        &a.actor,
        domain::report(&state.store, &a.actor, id, b.version, &b.report, &b.attachments).await?,
    )))
}
