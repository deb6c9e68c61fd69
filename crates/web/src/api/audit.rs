use crate::error::{ApiError, ErrorBody};
use crate::extract::CurrentUser;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use weijian_domain::history;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// user, unit, section, entity, region, api_token, duty_list, attachment
    pub object_type: Option<String>,
    pub object_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub occurred_at: String,
    pub username: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub summary: String,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub hash: String,
}

/// An object's audit history (roles with audit access; jurisdiction applies).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(HistoryQuery),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<EventView>), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<HistoryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<EventView>>, ApiError> {
    let Query(q) = q.map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "request.invalid_query", "查询参数无效"))?;
    let missing = |f: &str| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "audit.missing_parameter", format!("缺少参数 {f}"))
            .with_field(f)
    };
    let object_type = q.object_type.ok_or_else(|| missing("object_type"))?;
    let object_id = q.object_id.ok_or_else(|| missing("object_id"))?;
    let events = history::of_object(&state.store, &a.actor, &object_type, &object_id).await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| EventView {
                seq: e.seq,
                occurred_at: weijian_store::time::to_db(e.occurred_at),
                username: e.username,
                ip: e.ip,
                request_id: e.request_id,
                action: e.action,
                summary: e.summary,
                before_digest: e.before_digest,
                after_digest: e.after_digest,
                hash: e.hash,
            })
            .collect(),
    ))
}
