use crate::cookies::{clear_cookie, signed_in_headers};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, CurrentUser, ReqOrigin};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use weijian_domain::auth;
use weijian_store::users::User;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// A user as the API shows them.
#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub name: String,
    /// admin, leader, section_chief, inspector, legal_reviewer, institution
    pub role: String,
    pub role_label: String,
    pub region_code: String,
    pub unit_id: Option<String>,
    pub entity_id: Option<String>,
    pub status: String,
    pub must_change_password: bool,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.to_string(),
            username: u.username.clone(),
            name: u.name.clone(),
            role: u.role.key().into(),
            role_label: u.role.label().into(),
            region_code: u.region_code.clone(),
            unit_id: u.unit_id.map(|v| v.to_string()),
            entity_id: u.entity_id.map(|v| v.to_string()),
            status: u.status.key().into(),
            must_change_password: u.must_change_password,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub user: UserView,
    /// Send as `X-CSRF-Token` on unsafe requests made with the session cookie.
    pub csrf_token: String,
}

fn signed_in(state: &AppState, s: auth::SignedIn) -> Response {
    let headers = signed_in_headers(state, &s);
    (headers, Json(LoginResponse { user: UserView::from(&s.user), csrf_token: s.csrf_token })).into_response()
}

/// Sign in with username and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "已登录", body = LoginResponse),
        (status = 401, description = "用户名或密码错误 (auth.invalid_credentials)", body = ErrorBody),
        (status = 429, description = "失败次数过多 (auth.too_many_attempts)", body = ErrorBody),
        (status = 400, description = "请求体无效", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ReqOrigin(origin): ReqOrigin,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    if req.username.len() > 64 || req.password.len() > 256 {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "auth.invalid_credentials", "用户名或密码错误"));
    }
    let s = auth::login(&state.store, &state.policy, req.username.trim(), &req.password, &origin).await?;
    Ok(signed_in(&state, s))
}

/// End the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    security(("session" = []), ("bearer" = [])),
    responses((status = 204, description = "已退出"), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Result<Response, ApiError> {
    auth::logout(&state.store, &a).await?;
    Ok((StatusCode::NO_CONTENT, clear_cookie(&state)).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Change one's own password (required at first sign-in). Other sessions end; a new cookie is set.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "已修改", body = LoginResponse),
        (status = 422, description = "密码不符合要求", body = ErrorBody),
        (status = 401, body = ErrorBody),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    ReqOrigin(origin): ReqOrigin,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<Response, ApiError> {
    let s = auth::change_password(&state.store, &state.policy, &a, &req.current_password, &req.new_password, &origin)
        .await?;
    Ok(signed_in(&state, s))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub name: String,
    pub role: String,
    pub region_code: String,
    pub unit_id: Option<String>,
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(CurrentUser(a): CurrentUser) -> Json<Me> {
    let u = &a.user;
    Json(Me {
        id: u.id.to_string(),
        username: u.username.clone(),
        name: u.name.clone(),
        role: u.role.key().into(),
        region_code: u.region_code.clone(),
        unit_id: u.unit_id.map(|v| v.to_string()),
    })
}
