//! Organisation pages: units, users, and an object's audit history.

use super::{domain_error_page, render, Chrome};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use weijian_domain::accounts::{self, CreateUser};
use weijian_domain::authz::{allows, require, Permission};
use weijian_domain::{history as hist, org as dorg};
use weijian_store::audit::AuditEvent;
use weijian_store::units::{Section, Unit};
use weijian_store::users::User;
use weijian_store::{time, Role};

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    chrome: Chrome,
    units: Vec<Unit>,
    regions: RegionNames,
}

/// Region code → name, so pages show 枣强县 rather than 131127.
pub struct RegionNames(std::collections::HashMap<String, String>);

impl RegionNames {
    async fn load(store: &weijian_store::Store) -> RegionNames {
        let all = weijian_store::regions::list_all(store).await.unwrap_or_default();
        RegionNames(all.into_iter().map(|r| (r.code, r.name)).collect())
    }

    pub fn name(&self, code: &str) -> String {
        match self.0.get(code) {
            Some(n) => format!("{n}（{code}）"),
            None => code.to_string(),
        }
    }
}

pub async fn units(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    match dorg::list_units(&state.store, &a.actor).await {
        Ok(units) => render(
            StatusCode::OK,
            &UnitsPage {
                chrome: Chrome::new(&state.store, &a, "/units").await,
                units,
                regions: RegionNames::load(&state.store).await,
            },
        ),
        Err(e) => domain_error_page(e),
    }
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    chrome: Chrome,
    regions: RegionNames,
    unit: Unit,
    sections: Vec<Section>,
    can_see_history: bool,
}

pub async fn unit(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<weijian_store::ids::UnitId>,
) -> Response {
    match dorg::get_unit(&state.store, &a.actor, id).await {
        Ok((unit, sections)) => render(
            StatusCode::OK,
            &UnitPage {
                chrome: Chrome::new(&state.store, &a, "/units").await,
                regions: RegionNames::load(&state.store).await,
                unit,
                sections,
                can_see_history: allows(&a.actor, Permission::ViewAudit),
            },
        ),
        Err(e) => domain_error_page(e),
    }
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    regions: RegionNames,
    users: Vec<User>,
    can_create: bool,
}

pub async fn users(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    match accounts::list(&state.store, &a.actor).await {
        Ok(users) => render(
            StatusCode::OK,
            &UsersPage {
                chrome: Chrome::new(&state.store, &a, "/users").await,
                regions: RegionNames::load(&state.store).await,
                users,
                can_create: allows(&a.actor, Permission::ManageUsers),
            },
        ),
        Err(e) => domain_error_page(e),
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    chrome: Chrome,
    regions: RegionNames,
    user: User,
    created_at: String,
    can_see_history: bool,
}

pub async fn user(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<weijian_store::ids::UserId>,
) -> Response {
    match accounts::get(&state.store, &a.actor, id).await {
        Ok(user) => render(
            StatusCode::OK,
            &UserPage {
                chrome: Chrome::new(&state.store, &a, "/users").await,
                regions: RegionNames::load(&state.store).await,
                created_at: time::display(user.created_at),
                user,
                can_see_history: allows(&a.actor, Permission::ViewAudit),
            },
        ),
        Err(e) => domain_error_page(e),
    }
}

pub struct RoleOption {
    key: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "user_new.html")]
struct NewUserPage {
    chrome: Chrome,
    units: Vec<Unit>,
    roles: Vec<RoleOption>,
    message: String,
}

async fn new_user_page(
    state: &AppState,
    a: &weijian_domain::auth::Authenticated,
    status: StatusCode,
    message: String,
) -> Response {
    if let Err(e) = require(&a.actor, Permission::ManageUsers) {
        return domain_error_page(e);
    }
    let units = dorg::list_units(&state.store, &a.actor).await.unwrap_or_default();
    // Institution accounts are opened from the entity registry, where the entity is chosen.
    let roles = Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Institution)
        .map(|r| RoleOption { key: r.key(), label: r.label() })
        .collect();
    render(status, &NewUserPage { chrome: Chrome::new(&state.store, a, "/users").await, units, roles, message })
}

pub async fn new_user(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    new_user_page(&state, &a, StatusCode::OK, String::new()).await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    name: String,
    role: String,
    unit_id: String,
    phone: Option<String>,
}

#[derive(Template)]
#[template(path = "user_created.html")]
struct CreatedPage {
    chrome: Chrome,
    user: User,
    initial_password: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Form(f): Form<NewUserForm>,
) -> Response {
    let Some(role) = Role::parse(&f.role) else {
        return new_user_page(&state, &a, StatusCode::UNPROCESSABLE_ENTITY, "请选择角色".into()).await;
    };
    let Ok(unit_id) = f.unit_id.parse() else {
        return new_user_page(&state, &a, StatusCode::UNPROCESSABLE_ENTITY, "请选择单位".into()).await;
    };
    let input = CreateUser {
        username: f.username.trim().to_string(),
        name: f.name,
        role,
        unit_id: Some(unit_id),
        entity_id: None,
        phone: f.phone.filter(|p| !p.trim().is_empty()),
        password: None,
    };
    match accounts::create(&state.store, &a.actor, input).await {
        Ok(c) => render(
            StatusCode::CREATED,
            &CreatedPage {
                chrome: Chrome::new(&state.store, &a, "/users").await,
                user: c.user,
                initial_password: c.initial_password,
            },
        ),
        Err(e) => new_user_page(&state, &a, crate::error::status_of(e.kind), e.message).await,
    }
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    object_type: String,
    object_id: String,
}

pub struct EventRow {
    seq: i64,
    at: String,
    who: String,
    ip: String,
    summary: String,
    hash: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    chrome: Chrome,
    events: Vec<EventRow>,
}

pub async fn history(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Query(q): Query<HistoryQuery>,
) -> Response {
    match hist::of_object(&state.store, &a.actor, &q.object_type, &q.object_id).await {
        Ok(events) => {
            let events = events
                .into_iter()
                .map(|e: AuditEvent| EventRow {
                    seq: e.seq,
                    at: time::display(e.occurred_at),
                    who: e.username.unwrap_or_default(),
                    ip: e.ip.unwrap_or_default(),
                    summary: e.summary,
                    hash: e.hash.chars().take(12).collect(),
                })
                .collect();
            render(StatusCode::OK, &HistoryPage { chrome: Chrome::new(&state.store, &a, "").await, events })
        }
        Err(e) => domain_error_page(e),
    }
}
