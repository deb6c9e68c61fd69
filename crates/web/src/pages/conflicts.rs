//! 回避申报: an inspector declares a conflict of interest with an entity —
//! from the entity's page or a task — and sees the conflicts they declared.
//! The declaration is the domain's (audited; no draw assigns the pair).

use super::{domain_error_page, render, Chrome};
use crate::extract::CurrentUser;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use weijian_domain::auth::Authenticated;
use weijian_domain::random_plans as plans;
use weijian_domain::DomainError;
use weijian_store::ids::EntityId;
use weijian_store::inspector_conflicts::InspectorConflict;
use weijian_store::time;

pub struct ConflictRow {
    pub entity_id: String,
    pub entity_name: String,
    pub reason: String,
    pub declared_at: String,
}

impl From<&InspectorConflict> for ConflictRow {
    fn from(c: &InspectorConflict) -> Self {
        ConflictRow {
            entity_id: c.entity_id.to_string(),
            entity_name: c.entity_name.clone(),
            reason: c.reason.clone(),
            declared_at: time::display(c.declared_at),
        }
    }
}

#[derive(Template)]
#[template(path = "conflicts.html")]
struct ConflictsPage {
    chrome: Chrome,
    inspector_name: String,
    conflicts: Vec<ConflictRow>,
    /// The entity being declared: (id, name).
    entity: Option<(String, String)>,
    reason: String,
    message: String,
    notice: String,
}

#[derive(Deserialize, Default)]
pub struct ConflictQuery {
    entity_id: Option<String>,
    declared: Option<String>,
}

fn entity_id(raw: &str) -> Result<EntityId, DomainError> {
    raw.trim().parse().map_err(|_| DomainError::invalid("request.invalid_id", "entity_id", "请选择要回避的监管对象"))
}

async fn page(
    state: &AppState,
    a: &Authenticated,
    status: StatusCode,
    entity: Option<&str>,
    reason: String,
    message: String,
    notice: String,
) -> Response {
    let (me, conflicts) = match plans::own_conflicts(&state.store, &a.actor).await {
        Ok(v) => v,
        Err(e) => return domain_error_page(e),
    };
    let entity = match entity.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => {
            let found = match entity_id(raw) {
                Ok(id) => weijian_domain::entities::get(&state.store, &a.actor, id).await,
                Err(e) => Err(e),
            };
            match found {
                Ok(e) => Some((e.id.to_string(), e.data.name)),
                // An entity outside one's jurisdiction is not there (404, as everywhere).
                Err(e) => return domain_error_page(e),
            }
        }
    };
    render(
        status,
        &ConflictsPage {
            chrome: Chrome::new(&state.store, a, "/conflicts").await,
            inspector_name: me.data.name.clone(),
            conflicts: conflicts.iter().map(ConflictRow::from).collect(),
            entity,
            reason,
            message,
            notice,
        },
    )
}

/// One's declared conflicts, and the form for `?entity_id=`.
pub async fn index(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Query(q): Query<ConflictQuery>,
) -> Response {
    let notice = if q.declared.is_some() {
        "回避申报已登记，抽取时不会再把您分配到该单位。".to_string()
    } else {
        String::new()
    };
    page(&state, &a, StatusCode::OK, q.entity_id.as_deref(), String::new(), String::new(), notice).await
}

#[derive(Deserialize)]
pub struct DeclareForm {
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    reason: String,
}

pub async fn declare(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Form(f): Form<DeclareForm>,
) -> Response {
    let result = match entity_id(&f.entity_id) {
        Ok(id) => plans::declare_own_conflict(&state.store, &a.actor, id, &f.reason).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to("/conflicts?declared=1").into_response(),
        Err(e) => {
            let status = crate::error::status_of(e.kind);
            if matches!(e.kind, weijian_domain::ErrorKind::Forbidden | weijian_domain::ErrorKind::NotFound) {
                return domain_error_page(e);
            }
            let entity = Some(f.entity_id.as_str()).filter(|_| e.field.as_deref() != Some("entity_id"));
            page(&state, &a, status, entity, f.reason, e.message, String::new()).await
        }
    }
}
