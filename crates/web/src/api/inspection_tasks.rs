//! Inspection tasks assigned by hand: a section chief sends one patrol,
//! campaign, complaint or pre-licence task; the answer is the task exactly as
//! `GET /api/v1/inspection-tasks/{id}` shows it.

use super::random_plans::{task_view, TaskView};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, CurrentUser};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use weijian_domain::assigned_tasks::{self, TaskInput};

/// A task to assign by hand.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    pub entity_id: String,
    /// patrol, campaign, complaint, pre_licence (random and reinspection are refused: a draw or an order makes them)
    pub source: String,
    /// The two assigned inspectors, certified today, without a declared conflict (回避) with the entity.
    pub inspector_ids: Vec<String>,
    /// `YYYY-MM-DD`, not before today.
    pub due_on: String,
    /// Item codes. Absent: a campaign task takes the campaign's items; any other task every item of the
    /// newest published item list of the entity's region that applies to the entity's category.
    #[serde(default)]
    pub items: Option<Vec<String>>,
    /// Required for `campaign`, refused otherwise.
    #[serde(default)]
    pub campaign_id: Option<String>,
}

/// Assigns a task by hand (section chief): two inspectors and a due date; 201 with the task.
#[utoipa::path(post, path = "/api/v1/inspection-tasks", tag = "random_inspections", request_body = TaskBody,
    security(("session" = []), ("bearer" = [])),
    responses((status = 201, body = TaskView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_task(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    ApiJson(body): ApiJson<TaskBody>,
) -> Result<(StatusCode, Json<TaskView>), ApiError> {
    let input = TaskInput {
        entity_id: body.entity_id,
        source: body.source,
        inspector_ids: body.inspector_ids,
        due_on: body.due_on,
        items: body.items,
        campaign_id: body.campaign_id,
    };
    let task = assigned_tasks::create(&state.store, &a.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(task_view(&a.actor, task))))
}
