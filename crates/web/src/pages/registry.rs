//! Pages of the registries: the entity list with search, the entity file
//! (一户一档), registering an entity, and the licence list.

use super::{domain_error_page, render, Chrome};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::collections::BTreeMap;
use weijian_domain::authz::{allows, Permission};
use weijian_domain::entities::{self as domain, EntityFile, EntityInput};
use weijian_domain::input::today;
use weijian_rules::registry::{CreditGrade, EntityStatus, LicenceStatus, Registry, RiskGrade};
use weijian_store::entities::{Entity, Query as EntityQuery};
use weijian_store::ids::EntityId;
use weijian_store::licences::{Licence, Query as LicenceQuery};
use weijian_store::page::Cursor;

pub struct Choice {
    pub key: String,
    pub label: String,
    pub selected: bool,
}

fn choices<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>, current: &str) -> Vec<Choice> {
    items.into_iter().map(|(k, l)| Choice { key: k.into(), label: l.into(), selected: k == current }).collect()
}

pub struct EntityRow {
    pub id: String,
    pub name: String,
    pub uscc: String,
    pub category: String,
    pub status: String,
    pub risk: String,
    pub address: String,
}

impl From<&Entity> for EntityRow {
    fn from(e: &Entity) -> Self {
        EntityRow {
            id: e.id.to_string(),
            name: e.data.name.clone(),
            uscc: e.data.uscc.clone().unwrap_or_else(|| "（无）".into()),
            category: crate::api::entities::category_label(&e.data.category),
            status: e.data.status.label().into(),
            risk: e.data.risk_grade.map(|g| g.key().to_string()).unwrap_or_else(|| "—".into()),
            address: e.data.address.clone().unwrap_or_default(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListForm {
    q: Option<String>,
    category: Option<String>,
    status: Option<String>,
    risk_grade: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "entities.html")]
struct EntitiesPage {
    chrome: Chrome,
    q: String,
    categories: Vec<Choice>,
    statuses: Vec<Choice>,
    grades: Vec<Choice>,
    rows: Vec<EntityRow>,
    next_href: Option<String>,
    can_create: bool,
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub async fn entities(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Query(f): Query<ListForm>,
) -> Response {
    let registry = Registry::official();
    // Unknown filter values on a page are simply ignored (the API refuses them).
    let query = EntityQuery {
        q: nonempty(&f.q).map(str::to_string),
        category: nonempty(&f.category).and_then(|c| registry.category(c)).map(|c| c.key.clone()),
        status: nonempty(&f.status).and_then(EntityStatus::parse),
        risk_grade: nonempty(&f.risk_grade).and_then(RiskGrade::parse),
        after: nonempty(&f.cursor).and_then(Cursor::decode),
        ..Default::default()
    };
    let page = match domain::list(&state.store, &a.actor, &query).await {
        Ok(p) => p,
        Err(e) => return domain_error_page(e),
    };
    let next_href = page.next.map(|c| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("q", &f.q), ("category", &f.category), ("status", &f.status), ("risk_grade", &f.risk_grade)] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                s.append_pair(k, v);
            }
        }
        s.append_pair("cursor", &c);
        format!("/entities?{}", s.finish())
    });
    let current = |v: &Option<String>| v.clone().unwrap_or_default();
    render(
        StatusCode::OK,
        &EntitiesPage {
            q: current(&f.q),
            categories: choices(
                registry.categories.iter().map(|c| (c.key.as_str(), c.label.as_str())),
                &current(&f.category),
            ),
            statuses: choices(EntityStatus::ALL.iter().map(|s| (s.key(), s.label())), &current(&f.status)),
            grades: choices(RiskGrade::ALL.iter().map(|s| (s.key(), s.label())), &current(&f.risk_grade)),
            rows: page.items.iter().map(EntityRow::from).collect(),
            next_href,
            can_create: allows(&a.actor, Permission::ManageRegistry),
            chrome: Chrome::new(&state.store, &a, "/entities").await,
        },
    )
}

pub struct Fact {
    pub label: String,
    pub value: String,
}

pub struct LicenceRow {
    pub kind: String,
    pub number: String,
    pub valid_until: String,
    pub next_verification: String,
    pub status: String,
    pub status_key: String,
}

impl LicenceRow {
    fn new(l: &Licence, day: chrono::NaiveDate) -> Self {
        let status = l.status_on(day);
        LicenceRow {
            kind: crate::api::licences::kind_label(&l.data.kind),
            number: l.data.number.clone(),
            valid_until: l.data.valid_until.map(|d| d.to_string()).unwrap_or_else(|| "长期".into()),
            next_verification: l.data.next_verification_due.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            status: status.label().into(),
            status_key: status.key().into(),
        }
    }
}

pub struct StaffRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub cert: String,
    pub site: bool,
}

/// An inspection on the entity's file: date and times, outcome, findings, and
/// which of its documents to link (staff: both, issued on first opening; the
/// institution: those already issued).
pub struct InspectionRow {
    id: String,
    day: String,
    times: String,
    outcome: String,
    findings: String,
    opinion: bool,
    site_record: bool,
}

pub struct TimelineRow {
    pub at: String,
    pub who: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "entity.html")]
struct EntityPage {
    chrome: Chrome,
    name: String,
    facts: Vec<Fact>,
    warnings: Vec<String>,
    licences: Vec<LicenceRow>,
    staff: Vec<StaffRow>,
    /// Each inspection, newest first, with links to its documents.
    inspections: Vec<InspectionRow>,
    timeline: Vec<TimelineRow>,
    show_timeline: bool,
    id: String,
    can_edit: bool,
    /// An inspector may declare a conflict (回避) with the entity.
    can_declare_conflict: bool,
    /// A section chief may assign a patrol, complaint, pre-licence or campaign task.
    can_assign_task: bool,
}

pub async fn entity(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<EntityId>,
) -> Response {
    let EntityFile { entity, licences, staff, warnings, inspections, timeline } =
        match domain::file(&state.store, &a.actor, id).await {
            Ok(f) => f,
            Err(e) => return domain_error_page(e),
        };
    let d = &entity.data;
    let region = weijian_store::regions::get(&state.store, &d.region_code).await.map(|r| r.name).unwrap_or_default();
    let mut facts = vec![
        Fact { label: "类别".into(), value: crate::api::entities::category_label(&d.category) },
        Fact {
            label: "统一社会信用代码".into(),
            value: d.uscc.clone().unwrap_or_else(|| format!("无（{}）", d.uscc_exemption.clone().unwrap_or_default())),
        },
        Fact { label: "行政区划".into(), value: format!("{region}（{}）", d.region_code) },
        Fact { label: "经营状态".into(), value: d.status.label().into() },
        Fact { label: "风险等级".into(), value: d.risk_grade.map(|g| g.label()).unwrap_or("未评定").into() },
        Fact { label: "信用等级".into(), value: d.credit_grade.map(|g| g.label()).unwrap_or("未评定").into() },
    ];
    let opt = |label: &str, v: &Option<String>| v.as_ref().map(|v| Fact { label: label.into(), value: v.clone() });
    facts.extend(
        [
            opt("法定代表人", &d.legal_representative),
            opt("地址", &d.address),
            opt("网格", &d.grid),
            opt("联系人", &d.contact_person),
            opt("联系电话", &d.contact_phone),
        ]
        .into_iter()
        .flatten(),
    );
    if let Some(category) = Registry::official().category(&d.category) {
        for spec in &category.attributes {
            if let Some(v) = d.attributes.get(&spec.key) {
                facts.push(Fact { label: spec.label.clone(), value: v.to_string() });
            }
        }
    }
    let day = today();
    let institution = a.user.entity_id.is_some();
    let mut rows = Vec::new();
    for i in &inspections {
        let (opinion, site_record) = if institution {
            weijian_domain::inspections::issued_documents(&state.store, i.id).await.unwrap_or_default()
        } else {
            (true, i.data.started_at.is_some())
        };
        let clock = weijian_store::inspections::clock::to_text;
        rows.push(InspectionRow {
            id: i.id.to_string(),
            day: i.data.inspected_on.to_string(),
            times: match (i.data.started_at, i.data.ended_at) {
                (Some(s), Some(e)) => format!("{}–{}", clock(s), clock(e)),
                _ => String::new(),
            },
            outcome: i.data.outcome.label().to_string(),
            findings: i.data.findings.clone(),
            opinion,
            site_record,
        });
    }
    render(
        StatusCode::OK,
        &EntityPage {
            name: d.name.clone(),
            facts,
            warnings: warnings.into_iter().map(|w| w.message).collect(),
            licences: licences.iter().map(|l| LicenceRow::new(l, day)).collect(),
            staff: staff
                .primary
                .iter()
                .map(|p| (p, false))
                .chain(staff.sites.iter().map(|(_, p)| (p, true)))
                .map(|(p, site)| StaffRow {
                    id: p.id.to_string(),
                    name: p.data.name.clone(),
                    kind: p.data.kind.label().into(),
                    cert: p.data.practice_cert_no.clone().unwrap_or_default(),
                    site,
                })
                .collect(),
            inspections: rows,
            show_timeline: allows(&a.actor, Permission::ViewAudit),
            id: id.to_string(),
            can_edit: allows(&a.actor, Permission::ManageRegistry),
            can_declare_conflict: a.user.role == weijian_store::Role::Inspector,
            can_assign_task: allows(&a.actor, Permission::ManagePlans) && a.user.entity_id.is_none(),
            timeline: timeline
                .into_iter()
                .map(|e| TimelineRow {
                    at: weijian_store::time::display(e.occurred_at),
                    who: e.username.unwrap_or_default(),
                    summary: e.summary,
                })
                .collect(),
            chrome: Chrome::new(&state.store, &a, "/entities").await,
        },
    )
}

pub struct AttributeField {
    pub key: String,
    pub label: String,
    pub required: bool,
    pub integer: bool,
    pub choices: Vec<String>,
    pub value: String,
}

#[derive(Template)]
#[template(path = "entity_new.html")]
struct NewEntityPage {
    chrome: Chrome,
    title: &'static str,
    /// Where the form posts, and where switching the category reloads.
    action: String,
    switch_action: String,
    message: String,
    categories: Vec<Choice>,
    category: String,
    attributes: Vec<AttributeField>,
    statuses: Vec<Choice>,
    grades: Vec<Choice>,
    credit_grades: Vec<Choice>,
    /// Whether this user may change status and grades (else they show read-only).
    can_determine: bool,
    editing: bool,
    values: BTreeMap<String, String>,
}

impl NewEntityPage {
    fn value(&self, key: &str) -> String {
        self.values.get(key).cloned().unwrap_or_default()
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    category: Option<String>,
}

async fn new_entity_page(
    state: &AppState,
    a: &weijian_domain::auth::Authenticated,
    status: StatusCode,
    message: String,
    values: BTreeMap<String, String>,
    editing: Option<EntityId>,
) -> Response {
    let registry = Registry::official();
    let category = values.get("category").and_then(|c| registry.category(c)).unwrap_or(&registry.categories[0]);
    let attributes = category
        .attributes
        .iter()
        .map(|s| AttributeField {
            key: s.key.clone(),
            label: s.label.clone(),
            required: s.required,
            integer: s.kind == weijian_rules::registry::AttributeKind::Integer,
            choices: s.choices.clone(),
            value: values.get(&format!("attr.{}", s.key)).cloned().unwrap_or_default(),
        })
        .collect();
    let mut values = values;
    values.entry("region_code".into()).or_insert_with(|| a.user.region_code.clone());
    render(
        status,
        &NewEntityPage {
            title: if editing.is_some() { "修改监管对象" } else { "登记监管对象" },
            action: editing.map(|id| format!("/entities/{id}")).unwrap_or_else(|| "/entities".into()),
            switch_action: editing.map(|id| format!("/entities/{id}/edit")).unwrap_or_else(|| "/entities/new".into()),
            message,
            categories: choices(registry.categories.iter().map(|c| (c.key.as_str(), c.label.as_str())), &category.key),
            category: category.key.clone(),
            attributes,
            statuses: choices(
                EntityStatus::ALL.iter().map(|s| (s.key(), s.label())),
                values.get("status").map(String::as_str).unwrap_or("operating"),
            ),
            grades: choices(
                RiskGrade::ALL.iter().map(|s| (s.key(), s.label())),
                values.get("risk_grade").map(String::as_str).unwrap_or(""),
            ),
            credit_grades: choices(
                CreditGrade::ALL.iter().map(|s| (s.key(), s.label())),
                values.get("credit_grade").map(String::as_str).unwrap_or(""),
            ),
            can_determine: allows(&a.actor, Permission::ChangeEntityGrades),
            editing: editing.is_some(),
            values,
            chrome: Chrome::new(&state.store, a, "/entities").await,
        },
    )
}

pub async fn new_entity(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Query(q): Query<NewQuery>,
) -> Response {
    if !allows(&a.actor, Permission::ManageRegistry) {
        return domain_error_page(weijian_domain::DomainError::forbidden("您的角色无权登记监管对象"));
    }
    let mut values = BTreeMap::new();
    if let Some(c) = q.category {
        values.insert("category".to_string(), c);
    }
    new_entity_page(&state, &a, StatusCode::OK, String::new(), values, None).await
}

fn form_values(pairs: Vec<(String, String)>) -> BTreeMap<String, String> {
    pairs.into_iter().filter(|(k, _)| k != "csrf_token").collect()
}

fn entity_input(values: &BTreeMap<String, String>) -> EntityInput {
    let get = |k: &str| values.get(k).cloned().filter(|v| !v.trim().is_empty());
    EntityInput {
        region_code: get("region_code").unwrap_or_default(),
        name: get("name").unwrap_or_default(),
        uscc: get("uscc"),
        uscc_exemption: get("uscc_exemption"),
        category: get("category").unwrap_or_default(),
        attributes: values
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("attr.").map(|k| (k.to_string(), v.clone())))
            .collect(),
        legal_representative: get("legal_representative"),
        address: get("address"),
        grid: get("grid"),
        contact_person: get("contact_person"),
        contact_phone: get("contact_phone"),
        status: get("status"),
        risk_grade: get("risk_grade"),
        credit_grade: get("credit_grade"),
    }
}

pub async fn create_entity(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let values = form_values(pairs);
    match domain::create(&state.store, &a.actor, &entity_input(&values)).await {
        Ok(e) => Redirect::to(&format!("/entities/{}", e.id)).into_response(),
        Err(e) => new_entity_page(&state, &a, crate::error::status_of(e.kind), e.message, values, None).await,
    }
}

/// The form, filled with the entity as it is (or with another category's attributes).
pub async fn edit_entity(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<EntityId>,
    Query(q): Query<NewQuery>,
) -> Response {
    if !allows(&a.actor, Permission::ManageRegistry) {
        return domain_error_page(weijian_domain::DomainError::forbidden("您的角色无权修改监管对象"));
    }
    let e = match domain::get(&state.store, &a.actor, id).await {
        Ok(e) => e,
        Err(e) => return domain_error_page(e),
    };
    let d = &e.data;
    let mut values: BTreeMap<String, String> = [
        ("name", Some(d.name.clone())),
        ("uscc", d.uscc.clone()),
        ("uscc_exemption", d.uscc_exemption.clone()),
        ("region_code", Some(d.region_code.clone())),
        ("category", Some(q.category.unwrap_or_else(|| d.category.clone()))),
        ("legal_representative", d.legal_representative.clone()),
        ("address", d.address.clone()),
        ("grid", d.grid.clone()),
        ("contact_person", d.contact_person.clone()),
        ("contact_phone", d.contact_phone.clone()),
        ("status", Some(d.status.key().to_string())),
        ("risk_grade", d.risk_grade.map(|g| g.key().to_string())),
        ("credit_grade", d.credit_grade.map(|g| g.key().to_string())),
        ("version", Some(e.version.to_string())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
    .collect();
    for (k, v) in &d.attributes {
        values.insert(format!("attr.{k}"), v.to_string());
    }
    new_entity_page(&state, &a, StatusCode::OK, String::new(), values, Some(id)).await
}

pub async fn update_entity(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<EntityId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let values = form_values(pairs);
    let version = values.get("version").and_then(|v| v.parse::<i64>().ok());
    let reason = values.get("reason").cloned();
    match domain::update(&state.store, &a.actor, id, version, &entity_input(&values), reason.as_deref()).await {
        Ok(e) => Redirect::to(&format!("/entities/{}", e.id)).into_response(),
        Err(e) => new_entity_page(&state, &a, crate::error::status_of(e.kind), e.message, values, Some(id)).await,
    }
}

#[derive(Template)]
#[template(path = "licence_new.html")]
struct NewLicencePage {
    chrome: Chrome,
    entity_id: String,
    entity_name: String,
    message: String,
    kinds: Vec<Choice>,
    values: BTreeMap<String, String>,
}

impl NewLicencePage {
    fn value(&self, key: &str) -> String {
        self.values.get(key).cloned().unwrap_or_default()
    }
}

async fn new_licence_page(
    state: &AppState,
    a: &weijian_domain::auth::Authenticated,
    id: EntityId,
    status: StatusCode,
    message: String,
    values: BTreeMap<String, String>,
) -> Response {
    let e = match domain::get(&state.store, &a.actor, id).await {
        Ok(e) => e,
        Err(e) => return domain_error_page(e),
    };
    let registry = Registry::official();
    // The kinds the category requires come first.
    let required = registry.category(&e.data.category).map(|c| c.required_licences.clone()).unwrap_or_default();
    let mut kinds: Vec<_> = registry.licence_kinds.iter().collect();
    kinds.sort_by_key(|k| !required.contains(&k.key));
    let current = values.get("kind").cloned().unwrap_or_default();
    render(
        status,
        &NewLicencePage {
            entity_id: id.to_string(),
            entity_name: e.data.name.clone(),
            message,
            kinds: choices(kinds.iter().map(|k| (k.key.as_str(), k.label.as_str())), &current),
            values,
            chrome: Chrome::new(&state.store, a, "/entities").await,
        },
    )
}

pub async fn new_licence(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<EntityId>,
) -> Response {
    if !allows(&a.actor, Permission::ManageRegistry) {
        return domain_error_page(weijian_domain::DomainError::forbidden("您的角色无权登记许可证"));
    }
    new_licence_page(&state, &a, id, StatusCode::OK, String::new(), BTreeMap::new()).await
}

pub async fn create_licence(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<EntityId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let values = form_values(pairs);
    let get = |k: &str| values.get(k).cloned().filter(|v| !v.trim().is_empty());
    let input = weijian_domain::licences::LicenceInput {
        kind: get("kind").unwrap_or_default(),
        number: get("number").unwrap_or_default(),
        scope: get("scope"),
        issued_by: get("issued_by"),
        issued_on: get("issued_on").unwrap_or_default(),
        valid_until: get("valid_until"),
        last_verified_on: get("last_verified_on"),
        status: None,
    };
    match weijian_domain::licences::create(&state.store, &a.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/entities/{id}")).into_response(),
        Err(e) => new_licence_page(&state, &a, id, crate::error::status_of(e.kind), e.message, values).await,
    }
}

#[derive(Deserialize, Default)]
pub struct LicenceListForm {
    q: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
}

pub struct LicenceListRow {
    pub entity_id: String,
    pub entity_name: String,
    pub row: LicenceRow,
}

#[derive(Template)]
#[template(path = "licences.html")]
struct LicencesPage {
    chrome: Chrome,
    q: String,
    statuses: Vec<Choice>,
    rows: Vec<LicenceListRow>,
    next_href: Option<String>,
}

pub async fn licences(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Query(f): Query<LicenceListForm>,
) -> Response {
    let day = today();
    let query = LicenceQuery {
        q: nonempty(&f.q).map(str::to_string),
        status: nonempty(&f.status).and_then(LicenceStatus::parse),
        today: Some(day),
        after: nonempty(&f.cursor).and_then(Cursor::decode),
        ..Default::default()
    };
    let page = match weijian_domain::licences::list(&state.store, &a.actor, &query).await {
        Ok(p) => p,
        Err(e) => return domain_error_page(e),
    };
    let next_href = page.next.map(|c| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("q", &f.q), ("status", &f.status)] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                s.append_pair(k, v);
            }
        }
        s.append_pair("cursor", &c);
        format!("/licences?{}", s.finish())
    });
    render(
        StatusCode::OK,
        &LicencesPage {
            q: f.q.clone().unwrap_or_default(),
            statuses: choices(
                LicenceStatus::ALL.iter().map(|s| (s.key(), s.label())),
                f.status.as_deref().unwrap_or(""),
            ),
            rows: page
                .items
                .iter()
                .map(|l| LicenceListRow {
                    entity_id: l.data.entity_id.to_string(),
                    entity_name: l.entity_name.clone(),
                    row: LicenceRow::new(l, day),
                })
                .collect(),
            next_href,
            chrome: Chrome::new(&state.store, &a, "/licences").await,
        },
    )
}
