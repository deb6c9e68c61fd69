//! 医务人员 and 执法人员 pages: lists with search and "下一页", details, and
//! simple create forms. The 身份证号 is shown masked; a permitted role may
//! post the 查看完整身份证号 form, which is audit-logged.

use super::{domain_error_page, render, Chrome};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use weijian_domain::auth::Authenticated;
use weijian_domain::authz::{allows, Permission};
use weijian_domain::inspectors::{self as di, CertificateState, InspectorInput};
use weijian_domain::practitioners::{self as dp, PracticeSiteInput, PractitionerInput};
use weijian_domain::{accounts, entities as de, input, org, DomainError};
use weijian_rules::registry::{PractitionerKind, Registry};
use weijian_store::ids::{InspectorId, PractitionerId};
use weijian_store::inspectors::{self as si, Inspector};
use weijian_store::page::Cursor;
use weijian_store::practitioners::{self as sp, PracticeSite, Practitioner};
use weijian_store::Role;

#[derive(Deserialize, Default)]
pub struct ListParams {
    q: Option<String>,
    cursor: Option<String>,
}

fn params(q: Result<Query<ListParams>, QueryRejection>) -> Result<(String, Option<Cursor>), DomainError> {
    let Query(p) = q.map_err(|_| DomainError::invalid("request.invalid_query", "", "查询参数无效"))?;
    let cursor = match p.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(Cursor::decode(c).ok_or_else(|| {
            DomainError::invalid("request.invalid_cursor", "cursor", "翻页参数无效，请从第一页重新查看")
        })?),
    };
    Ok((p.q.unwrap_or_default().trim().to_string(), cursor))
}

fn next_href(path: &str, q: &str, next: Option<String>) -> Option<String> {
    next.map(|n| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !q.is_empty() {
            s.append_pair("q", q);
        }
        s.append_pair("cursor", &n);
        format!("{path}?{}", s.finish())
    })
}

/// (id, name) of the entities the actor may pick from.
async fn entity_choices(state: &AppState, a: &Authenticated) -> Vec<(String, String)> {
    let q = weijian_store::entities::Query { limit: Some(200), ..Default::default() };
    de::list(&state.store, &a.actor, &q)
        .await
        .map(|p| p.items.into_iter().map(|e| (e.id.to_string(), e.data.name)).collect())
        .unwrap_or_default()
}

// ---- 医务人员 ----

#[derive(Template)]
#[template(path = "practitioners.html")]
struct PractitionersPage {
    chrome: Chrome,
    q: String,
    items: Vec<Practitioner>,
    next_href: Option<String>,
    can_create: bool,
}

pub async fn practitioners(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<ListParams>, QueryRejection>,
) -> Response {
    let (q, after) = match params(q) {
        Ok(v) => v,
        Err(e) => return domain_error_page(e),
    };
    let query = sp::Query { q: Some(q.clone()).filter(|q| !q.is_empty()), after, ..Default::default() };
    match dp::list(&state.store, &a.actor, &query).await {
        Ok(page) => render(
            StatusCode::OK,
            &PractitionersPage {
                chrome: Chrome::new(&state.store, &a, "/practitioners").await,
                next_href: next_href("/practitioners", &q, page.next),
                q,
                items: page.items,
                can_create: allows(&a.actor, Permission::ManageRegistry),
            },
        ),
        Err(e) => domain_error_page(e),
    }
}

#[derive(Template)]
#[template(path = "practitioner.html")]
struct PractitionerPage {
    chrome: Chrome,
    p: Practitioner,
    id_number: String,
    revealed: bool,
    message: String,
    sites: Vec<PracticeSite>,
    entities: Vec<(String, String)>,
    can_reveal: bool,
    can_manage: bool,
    can_see_history: bool,
}

async fn practitioner_page(
    state: &AppState,
    a: &Authenticated,
    id: PractitionerId,
    reveal: bool,
    status: StatusCode,
    message: String,
) -> Response {
    let p = match dp::get(&state.store, &a.actor, id).await {
        Ok(p) => p,
        Err(e) => return domain_error_page(e),
    };
    let id_number = if reveal {
        match dp::reveal_id_number(&state.store, &a.actor, id).await {
            Ok(n) => n,
            Err(e) => return domain_error_page(e),
        }
    } else {
        p.data.id_number.clone()
    };
    let sites = dp::sites(&state.store, &a.actor, id).await.unwrap_or_default();
    let can_manage = allows(&a.actor, Permission::ManageRegistry);
    let entities = if can_manage {
        entity_choices(state, a)
            .await
            .into_iter()
            .filter(|(eid, _)| {
                *eid != p.data.entity_id.to_string() && !sites.iter().any(|s| s.entity_id.to_string() == *eid)
            })
            .collect()
    } else {
        Vec::new()
    };
    render(
        status,
        &PractitionerPage {
            chrome: Chrome::new(&state.store, a, "/practitioners").await,
            p,
            id_number,
            revealed: reveal,
            message,
            sites,
            entities,
            can_reveal: allows(&a.actor, Permission::RevealIdNumbers),
            can_manage,
            can_see_history: allows(&a.actor, Permission::ViewAudit),
        },
    )
}

pub async fn practitioner(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<PractitionerId>,
) -> Response {
    practitioner_page(&state, &a, id, false, StatusCode::OK, String::new()).await
}

/// The deliberate look at the full number: a POST (with the CSRF token), audit-logged.
pub async fn reveal_id_number(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<PractitionerId>,
) -> Response {
    practitioner_page(&state, &a, id, true, StatusCode::OK, String::new()).await
}

#[derive(Deserialize)]
pub struct SiteForm {
    entity_id: String,
    filed_on: Option<String>,
}

pub async fn add_practice_site(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<PractitionerId>,
    Form(f): Form<SiteForm>,
) -> Response {
    let input = PracticeSiteInput { entity_id: f.entity_id, filed_on: f.filed_on };
    match dp::add_practice_site(&state.store, &a.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/practitioners/{id}")).into_response(),
        Err(e) if e.kind == weijian_domain::ErrorKind::NotFound => domain_error_page(e),
        Err(e) => practitioner_page(&state, &a, id, false, crate::error::status_of(e.kind), e.message).await,
    }
}

#[derive(Deserialize, Default)]
pub struct PractitionerForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    qualification_no: String,
    #[serde(default)]
    practice_cert_no: String,
    #[serde(default)]
    practice_category: String,
    #[serde(default)]
    practice_scope: String,
    #[serde(default)]
    registered_on: String,
    #[serde(default)]
    cert_valid_until: String,
}

#[derive(Template)]
#[template(path = "practitioner_new.html")]
struct NewPractitionerPage {
    chrome: Chrome,
    form: PractitionerForm,
    kinds: Vec<(String, String)>,
    entities: Vec<(String, String)>,
    message: String,
}

async fn new_practitioner_page(
    state: &AppState,
    a: &Authenticated,
    status: StatusCode,
    form: PractitionerForm,
    message: String,
) -> Response {
    if let Err(e) = weijian_domain::authz::require(&a.actor, Permission::ManageRegistry) {
        return domain_error_page(e);
    }
    render(
        status,
        &NewPractitionerPage {
            chrome: Chrome::new(&state.store, a, "/practitioners").await,
            form,
            kinds: PractitionerKind::ALL.iter().map(|k| (k.key().to_string(), k.label().to_string())).collect(),
            entities: entity_choices(state, a).await,
            message,
        },
    )
}

pub async fn new_practitioner(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    new_practitioner_page(&state, &a, StatusCode::OK, PractitionerForm::default(), String::new()).await
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

pub async fn create_practitioner(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Form(f): Form<PractitionerForm>,
) -> Response {
    let input = PractitionerInput {
        name: f.name.clone(),
        id_number: f.id_number.clone(),
        kind: f.kind.clone(),
        qualification_no: some(&f.qualification_no),
        practice_cert_no: some(&f.practice_cert_no),
        practice_category: some(&f.practice_category),
        practice_scope: some(&f.practice_scope),
        entity_id: f.entity_id.clone(),
        status: None,
        registered_on: some(&f.registered_on),
        cert_valid_until: some(&f.cert_valid_until),
    };
    match dp::create(&state.store, &a.actor, &input).await {
        Ok(p) => Redirect::to(&format!("/practitioners/{}", p.id)).into_response(),
        Err(e) => new_practitioner_page(&state, &a, crate::error::status_of(e.kind), f, e.message).await,
    }
}

// ---- 执法人员 ----

/// An inspector with its certificate badge as of today.
pub struct InspectorRow {
    i: Inspector,
    badge: &'static str,
    badge_class: &'static str,
    specialties: String,
}

impl InspectorRow {
    fn of(i: Inspector, today: chrono::NaiveDate) -> InspectorRow {
        let state = CertificateState::of(&i, today);
        let badge_class = match state {
            CertificateState::Expiring => "expiring",
            CertificateState::Expired => "expired",
            CertificateState::NotYetValid => "expiring",
            CertificateState::Valid => "",
        };
        let registry = Registry::official();
        let specialties = i
            .data
            .specialties
            .iter()
            .map(|k| registry.specialty(k).map(|s| s.label.clone()).unwrap_or_else(|| k.clone()))
            .collect::<Vec<_>>()
            .join("、");
        InspectorRow { badge: state.label(), badge_class, specialties, i }
    }
}

#[derive(Template)]
#[template(path = "inspectors.html")]
struct InspectorsPage {
    chrome: Chrome,
    q: String,
    items: Vec<InspectorRow>,
    next_href: Option<String>,
    can_create: bool,
}

pub async fn inspectors(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<ListParams>, QueryRejection>,
) -> Response {
    let (q, after) = match params(q) {
        Ok(v) => v,
        Err(e) => return domain_error_page(e),
    };
    let query = si::Query { q: Some(q.clone()).filter(|q| !q.is_empty()), after, ..Default::default() };
    let today = input::today();
    match di::list(&state.store, &a.actor, &query).await {
        Ok(page) => render(
            StatusCode::OK,
            &InspectorsPage {
                chrome: Chrome::new(&state.store, &a, "/inspectors").await,
                next_href: next_href("/inspectors", &q, page.next),
                q,
                items: page.items.into_iter().map(|i| InspectorRow::of(i, today)).collect(),
                can_create: allows(&a.actor, Permission::ManageInspectors),
            },
        ),
        Err(e) => domain_error_page(e),
    }
}

#[derive(Template)]
#[template(path = "inspector.html")]
struct InspectorPage {
    chrome: Chrome,
    r: InspectorRow,
    may_enforce: bool,
    can_see_history: bool,
}

pub async fn inspector(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectorId>,
) -> Response {
    let today = input::today();
    match di::get(&state.store, &a.actor, id).await {
        Ok(i) => render(
            StatusCode::OK,
            &InspectorPage {
                chrome: Chrome::new(&state.store, &a, "/inspectors").await,
                may_enforce: i.may_enforce_on(today),
                r: InspectorRow::of(i, today),
                can_see_history: allows(&a.actor, Permission::ViewAudit),
            },
        ),
        Err(e) => domain_error_page(e),
    }
}

#[derive(Default)]
pub struct InspectorForm {
    name: String,
    unit_id: String,
    user_id: String,
    cert_no: String,
    cert_valid_from: String,
    cert_valid_until: String,
    specialties: Vec<String>,
    phone: String,
}

impl InspectorForm {
    /// Repeated `specialties` checkboxes need the raw pairs.
    fn from_pairs(pairs: Vec<(String, String)>) -> InspectorForm {
        let mut f = InspectorForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "name" => f.name = v,
                "unit_id" => f.unit_id = v,
                "user_id" => f.user_id = v,
                "cert_no" => f.cert_no = v,
                "cert_valid_from" => f.cert_valid_from = v,
                "cert_valid_until" => f.cert_valid_until = v,
                "specialties" => f.specialties.push(v),
                "phone" => f.phone = v,
                _ => {}
            }
        }
        f
    }

    fn has_specialty(&self, key: &str) -> bool {
        self.specialties.iter().any(|s| s == key)
    }
}

#[derive(Template)]
#[template(path = "inspector_new.html")]
struct NewInspectorPage {
    chrome: Chrome,
    form: InspectorForm,
    units: Vec<(String, String)>,
    users: Vec<(String, String)>,
    specialties: Vec<(String, String)>,
    message: String,
}

async fn new_inspector_page(
    state: &AppState,
    a: &Authenticated,
    status: StatusCode,
    form: InspectorForm,
    message: String,
) -> Response {
    if let Err(e) = weijian_domain::authz::require(&a.actor, Permission::ManageInspectors) {
        return domain_error_page(e);
    }
    let units = org::list_units(&state.store, &a.actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u.id.to_string(), u.name))
        .collect();
    let users = accounts::list(&state.store, &a.actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|u| u.role != Role::Institution)
        .map(|u| (u.id.to_string(), format!("{}（{}）", u.name, u.username)))
        .collect();
    render(
        status,
        &NewInspectorPage {
            chrome: Chrome::new(&state.store, a, "/inspectors").await,
            form,
            units,
            users,
            specialties: Registry::official().specialties.iter().map(|s| (s.key.clone(), s.label.clone())).collect(),
            message,
        },
    )
}

pub async fn new_inspector(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    new_inspector_page(&state, &a, StatusCode::OK, InspectorForm::default(), String::new()).await
}

pub async fn create_inspector(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = InspectorForm::from_pairs(pairs);
    let input = InspectorInput {
        name: f.name.clone(),
        unit_id: f.unit_id.clone(),
        user_id: some(&f.user_id),
        cert_no: f.cert_no.clone(),
        cert_valid_from: f.cert_valid_from.clone(),
        cert_valid_until: f.cert_valid_until.clone(),
        specialties: f.specialties.clone(),
        status: None,
        phone: some(&f.phone),
    };
    match di::create(&state.store, &a.actor, &input).await {
        Ok(i) => Redirect::to(&format!("/inspectors/{}", i.id)).into_response(),
        Err(e) => new_inspector_page(&state, &a, crate::error::status_of(e.kind), f, e.message).await,
    }
}
