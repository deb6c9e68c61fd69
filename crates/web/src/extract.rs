//! Extractors: the signed-in user, the request's origin, and JSON bodies whose
//! every rejection is a clear 4xx in our error format.

use crate::error::ApiError;
use crate::middleware::RequestContext;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use weijian_domain::auth::{Authenticated, Origin};
use weijian_domain::DomainError;

/// The signed-in user of this request (set by the authenticate middleware).
pub struct CurrentUser(pub Arc<Authenticated>);

/// Why a request carries no user, when it tried to (an expired session, say).
#[derive(Clone)]
pub struct AuthFailure(pub DomainError);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<Arc<Authenticated>>() {
            return Ok(CurrentUser(a.clone()));
        }
        let failure = parts.extensions.get::<AuthFailure>().map(|f| f.0.clone());
        if parts.uri.path().starts_with("/api/") {
            Err(match failure {
                Some(e) => ApiError::from(e).into_response(),
                None => ApiError::unauthenticated().into_response(),
            })
        } else {
            let next = parts.uri.path_and_query().map(|p| p.as_str().to_string());
            let message = failure.map(|f| f.message);
            Err(crate::pages::login_required(next, message))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ReqOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ctx = parts.extensions.get::<RequestContext>().cloned().unwrap_or_default();
        Ok(ReqOrigin(Origin { ip: Some(ctx.ip), user_agent: ctx.user_agent, request_id: Some(ctx.request_id) }))
    }
}

/// Where the request came from, for audit events and throttling.
pub struct ReqOrigin(pub Origin);

/// `Json<T>` whose rejections are our JSON errors. Request structs use
/// `#[serde(deny_unknown_fields)]`, so unknown fields are refused too.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// The body of an action route that needs nothing but may name the version
/// the user saw: none, `{}`, or `{"version": n}`. A stale version is then 409.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    /// The object's version as read; when given, a newer one refuses the action (`<area>.stale`).
    #[serde(default)]
    pub version: Option<i64>,
}

/// [`VersionBody`] from an empty or JSON body.
pub struct OptionalVersion(pub Option<i64>);

impl<S: Send + Sync> FromRequest<S> for OptionalVersion {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "request.unreadable", "无法读取请求体"))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalVersion(None));
        }
        match serde_json::from_slice::<VersionBody>(&bytes) {
            Ok(b) => Ok(OptionalVersion(b.version)),
            Err(e) if e.is_data() => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request.invalid_field",
                format!("请求字段不符合要求：{e}"),
            )
            .with_field("version")),
            Err(_) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "request.malformed_json",
                "请求体不是有效的 JSON（或含有非 UTF-8 字节）",
            )),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    match r {
        JsonRejection::JsonDataError(e) => {
            let detail = e.body_text();
            let detail =
                detail.trim_start_matches("Failed to deserialize the JSON body into the target type: ").to_string();
            let mut err = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request.invalid_field",
                format!("请求字段不符合要求：{detail}"),
            );
            err.body.field = offending_field(&detail);
            err
        }
        JsonRejection::JsonSyntaxError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "request.malformed_json",
            "请求体不是有效的 JSON（或含有非 UTF-8 字节）",
        ),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.content_type",
            "请求须使用 Content-Type: application/json",
        ),
        JsonRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request.too_large",
            format!("请求体超过上限（{} KB）", crate::BODY_LIMIT / 1024),
        ),
        other => ApiError::new(other.status(), "request.unreadable", "无法读取请求体"),
    }
}

/// The field serde complained about: `unknown field `x``, `missing field `x``, or a `path: ...` prefix.
fn offending_field(detail: &str) -> Option<String> {
    for marker in ["unknown field `", "missing field `"] {
        if let Some(rest) = detail.split(marker).nth(1) {
            return rest.split('`').next().map(str::to_string);
        }
    }
    let (path, _) = detail.split_once(": ")?;
    (!path.contains(' ')).then(|| path.to_string())
}

/// An id from the path. Anything that does not parse (bad UTF-8 included) is
/// answered like an id we do not have: 404.
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: std::str::FromStr + Send> FromRequestParts<S> for PathId<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let parsed = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|axum::extract::Path(s)| s.parse::<T>().ok());
        match parsed {
            Some(v) => Ok(PathId(v)),
            None if parts.uri.path().starts_with("/api/") => {
                Err(ApiError::from(DomainError::not_found()).into_response())
            }
            None => Err(crate::pages::domain_error_page(DomainError::not_found())),
        }
    }
}
