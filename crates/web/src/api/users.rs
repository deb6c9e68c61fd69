use super::auth::UserView;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, CurrentUser, PathId};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use weijian_domain::accounts::{self, CreateUser};
use weijian_store::Role;

/// Users in the caller's jurisdiction (an institution user sees only its own accounts).
#[utoipa::path(get, path = "/api/v1/users", tag = "organisation",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<UserView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Result<Json<Vec<UserView>>, ApiError> {
    let users = accounts::list(&state.store, &a.actor).await?;
    Ok(Json(users.iter().map(UserView::from).collect()))
}

/// One user; 404 outside the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "organisation",
    params(("id" = String, Path, description = "用户标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<weijian_store::ids::UserId>,
) -> Result<Json<UserView>, ApiError> {
    let user = accounts::get(&state.store, &a.actor, id).await?;
    Ok(Json(UserView::from(&user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub username: String,
    pub name: String,
    /// admin, leader, section_chief, inspector, legal_reviewer, institution
    pub role: String,
    /// Required for staff.
    pub unit_id: Option<String>,
    /// Required for institution users: the supervised entity.
    pub entity_id: Option<String>,
    pub phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: UserView,
    /// Shown once; the user must change it at first sign-in.
    pub initial_password: String,
}

/// Create a user (admin). A password is generated and must be changed at first sign-in.
#[utoipa::path(post, path = "/api/v1/users", tag = "organisation", request_body = NewUserRequest,
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 201, body = CreatedUser),
        (status = 422, description = "字段无效", body = ErrorBody),
        (status = 403, description = "无权限或超出辖区", body = ErrorBody),
        (status = 404, description = "单位不在辖区内", body = ErrorBody),
        (status = 409, description = "用户名已被使用", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    ApiJson(req): ApiJson<NewUserRequest>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    let role = Role::parse(&req.role).ok_or_else(|| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "user.invalid_role", "未知的角色").with_field("role")
    })?;
    let created = accounts::create(
        &state.store,
        &a.actor,
        CreateUser {
            username: req.username,
            name: req.name,
            role,
            unit_id: id_field(req.unit_id.as_deref(), "unit_id")?,
            entity_id: id_field(req.entity_id.as_deref(), "entity_id")?,
            phone: req.phone,
            password: None,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser { user: UserView::from(&created.user), initial_password: created.initial_password }),
    ))
}

fn id_field<T: std::str::FromStr>(v: Option<&str>, field: &str) -> Result<Option<T>, ApiError> {
    v.map(|s| {
        s.parse().map_err(|_| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_id", "标识格式无效").with_field(field)
        })
    })
    .transpose()
}
