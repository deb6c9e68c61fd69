//! Sign-in, sign-out and the password change pages.

use super::{render, Chrome};
use crate::cookies::{clear_cookie, signed_in_headers};
use crate::extract::{CurrentUser, ReqOrigin};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use weijian_domain::auth;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    message: String,
    username: String,
}

/// Only local paths: a sign-in must never redirect to another site.
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && n != "/login")
        .unwrap_or_else(|| "/".into())
}

pub fn login_page(status: StatusCode, next: Option<String>, message: Option<String>, username: String) -> Response {
    render(status, &LoginPage { next: safe_next(next), message: message.unwrap_or_default(), username })
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(Query(q): Query<NextQuery>) -> Response {
    login_page(StatusCode::OK, q.next, None, String::new())
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    ReqOrigin(origin): ReqOrigin,
    Form(f): Form<LoginForm>,
) -> Response {
    match auth::login(&state.store, &state.policy, f.username.trim(), &f.password, &origin).await {
        Ok(s) => {
            let to = if s.user.must_change_password { "/password".to_string() } else { safe_next(f.next) };
            (signed_in_headers(&state, &s), Redirect::to(&to)).into_response()
        }
        Err(e) => login_page(crate::error::status_of(e.kind), f.next, Some(e.message), f.username),
    }
}

pub async fn logout(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    if let Err(e) = auth::logout(&state.store, &a).await {
        return super::domain_error_page(e);
    }
    (clear_cookie(&state), Redirect::to("/login")).into_response()
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    forced: bool,
    message: String,
    min_len: usize,
}

pub async fn password_form(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    let chrome = Chrome::new(&state.store, &a, "").await;
    render(
        StatusCode::OK,
        &PasswordPage {
            chrome,
            forced: a.user.must_change_password,
            message: String::new(),
            min_len: weijian_domain::passwords::MIN_LEN,
        },
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    ReqOrigin(origin): ReqOrigin,
    Form(f): Form<PasswordForm>,
) -> Response {
    let result = if f.new_password != f.confirm_password {
        Err(weijian_domain::DomainError::invalid(
            "auth.password_mismatch",
            "confirm_password",
            "两次输入的新密码不一致",
        ))
    } else {
        auth::change_password(&state.store, &state.policy, &a, &f.current_password, &f.new_password, &origin).await
    };
    match result {
        Ok(s) => (signed_in_headers(&state, &s), Redirect::to("/")).into_response(),
        Err(e) => {
            let chrome = Chrome::new(&state.store, &a, "").await;
            render(
                crate::error::status_of(e.kind),
                &PasswordPage {
                    chrome,
                    forced: a.user.must_change_password,
                    message: e.message,
                    min_len: weijian_domain::passwords::MIN_LEN,
                },
            )
        }
    }
}
