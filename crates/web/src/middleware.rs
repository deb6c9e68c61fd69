//! Request context (id, client IP, security headers), authentication with CSRF
//! checks in one place, and the operational routes.

use crate::error::ApiError;
use crate::extract::AuthFailure;
use crate::AppState;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use weijian_domain::auth::{self, Authenticated, Origin};

pub const SESSION_COOKIE: &str = "weijian_session";

#[derive(Clone, Debug, Default)]
pub struct RequestContext {
    pub request_id: String,
    pub ip: String,
    pub user_agent: Option<String>,
}

fn valid_request_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub async fn request_context(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|s| valid_request_id(s))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .or_else(|| req.extensions().get::<MockConnectInfo<SocketAddr>>().map(|c| c.0))
        .map(|a| a.ip().to_string());
    let trust_proxy = state.config.trust_proxy;
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(|s| s.trim().to_string());
    let ip = match (trust_proxy, forwarded) {
        (true, Some(f)) if !f.is_empty() => f,
        _ => peer.unwrap_or_else(|| "unknown".into()),
    };
    let user_agent =
        req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(256).collect());
    req.extensions_mut().insert(RequestContext { request_id: request_id.clone(), ip, user_agent });
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
             base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// An unsafe request from another site is refused, whatever it carries.
fn cross_site(headers: &HeaderMap) -> bool {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    origin == "null" || origin_host != host
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn refuse(path: &str, e: ApiError) -> Response {
    if is_api(path) {
        e.into_response()
    } else {
        crate::pages::error_page(e.status, "请求被拒绝", &e.body.message)
    }
}

/// Paths a user who must change their password may still use.
fn allowed_before_password_change(path: &str) -> bool {
    matches!(path, "/password" | "/logout" | "/api/v1/me" | "/api/v1/auth/logout" | "/api/v1/auth/password")
        || path.starts_with("/static/")
}

/// Authenticates by bearer token or session cookie, enforces CSRF on unsafe
/// cookie requests, and the first-login password change. Handlers only read
/// the outcome (see `CurrentUser`).
pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let unsafe_method = is_unsafe(req.method());
    if unsafe_method && cross_site(req.headers()) {
        return refuse(&path, ApiError::new(StatusCode::FORBIDDEN, "csrf.cross_origin", "拒绝跨站提交的请求"));
    }
    let ctx = req.extensions().get::<RequestContext>().cloned().unwrap_or_default();
    let origin = Origin { ip: Some(ctx.ip), user_agent: ctx.user_agent, request_id: Some(ctx.request_id) };

    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| s.trim().to_string());
    let (outcome, from_cookie) = if let Some(token) = bearer {
        (Some(auth::authenticate_token(&state.store, &token, &origin).await), false)
    } else if let Some(token) = cookie_value(req.headers(), SESSION_COOKIE) {
        (Some(auth::authenticate_session(&state.store, &state.policy, &token, &origin).await), true)
    } else {
        (None, false)
    };

    let mut req = req;
    match outcome {
        None => {}
        Some(Err(e)) if !from_cookie => return ApiError::from(e).into_response(),
        Some(Err(e)) => {
            req.extensions_mut().insert(AuthFailure(e));
        }
        Some(Ok(a)) => {
            if unsafe_method && from_cookie {
                let (ok, rebuilt) = csrf_ok(req, &a).await;
                req = rebuilt;
                if !ok {
                    return refuse(
                        &path,
                        ApiError::new(
                            StatusCode::FORBIDDEN,
                            "csrf.token_missing",
                            "缺少或错误的 CSRF 令牌，请刷新页面后重试",
                        ),
                    );
                }
            }
            if a.user.must_change_password && !allowed_before_password_change(&path) {
                return if is_api(&path) {
                    ApiError::new(StatusCode::FORBIDDEN, "auth.password_change_required", "首次登录须先修改密码")
                        .into_response()
                } else {
                    Redirect::to("/password").into_response()
                };
            }
            req.extensions_mut().insert(Arc::new(a));
        }
    }
    next.run(req).await
}

/// The session's CSRF token must come in `X-CSRF-Token`, or as the
/// `csrf_token` field of a form (of the action URL's query for a multipart
/// upload). The body is read and handed on intact.
async fn csrf_ok(req: Request, a: &Authenticated) -> (bool, Request) {
    let Some(session) = &a.session else {
        return (true, req);
    };
    let expected = session.csrf_token.as_bytes();
    if let Some(h) = req.headers().get("x-csrf-token") {
        return (constant_time_eq(h.as_bytes(), expected), req);
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        // File uploads (imports) may be far larger than a form: the page puts
        // the token in the form's action URL instead of reading the body here.
        let ok = form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "csrf_token")
            .is_some_and(|(_, v)| constant_time_eq(v.as_bytes(), expected));
        return (ok, req);
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form {
        return (false, req);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::BODY_LIMIT).await else {
        return (false, Request::from_parts(parts, Body::empty()));
    };
    let ok = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf_token")
        .is_some_and(|(_, v)| constant_time_eq(v.as_bytes(), expected));
    (ok, Request::from_parts(parts, Body::from(bytes)))
}

/// How long a request may take: above the database statement timeout (25 s),
/// so a slow query fails first.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(30);
/// An attachment upload may be a 200 MB video arriving over a phone connection.
pub const UPLOAD_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// Answers 503 when a request runs past its deadline.
pub async fn deadline(req: Request, next: Next) -> Response {
    let upload = req.method() == Method::POST && req.uri().path() == crate::api::attachments::UPLOAD_PATH;
    let limit = if upload { UPLOAD_DEADLINE } else { REQUEST_DEADLINE };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

pub fn operational_routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(crate::metrics::render))
        .route("/static/app.css", get(stylesheet))
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, axum::Json(serde_json::json!({"status": "ok", "database": "ok"}))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "error", "database": "unavailable"})),
            )
                .into_response()
        }
    }
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../static/app.css"),
    )
        .into_response()
}
