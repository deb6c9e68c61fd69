//! 整改 (rectification orders) on pages: the institution reports its
//! correction from its home page.

use super::domain_error_page;
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use weijian_domain::rectifications as domain;

#[derive(serde::Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    report: String,
    /// The version the page showed (a hidden field): a stale one is refused.
    #[serde(default)]
    version: Option<i64>,
}

/// The institution's report of its correction, from its home page.
pub async fn report(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<weijian_store::ids::RectificationId>,
    Form(f): Form<ReportForm>,
) -> Response {
    match domain::report(&state.store, &a.actor, id, f.version, &f.report, &[]).await {
        Ok(_) => Redirect::to("/").into_response(),
        Err(e) => domain_error_page(e),
    }
}
