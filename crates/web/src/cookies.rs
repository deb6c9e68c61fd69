//! The session cookie: HttpOnly, SameSite=Lax, Secure when served over TLS.

use crate::middleware::SESSION_COOKIE;
use crate::AppState;
use axum::http::{header, HeaderMap, HeaderValue};
use weijian_domain::auth::SignedIn;

fn cookie(state: &AppState, token: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("cookie is ascii")
}

pub fn signed_in_headers(state: &AppState, s: &SignedIn) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::SET_COOKIE, cookie(state, &s.session_token, state.policy.absolute.num_seconds()));
    h
}

pub fn clear_cookie(state: &AppState) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::SET_COOKIE, cookie(state, "", 0));
    h
}
