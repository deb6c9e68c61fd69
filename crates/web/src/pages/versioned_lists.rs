//! Pages shared by the lists a unit keeps in versions — 权责清单 and 抽查事项清单:
//! the versions of one's jurisdiction by region with the 新建版本 form, a
//! version's page with its publish form, and a region's public page (no
//! sign-in). What differs between the kinds — who may read and change them,
//! how the content reads, how a draft is edited — is each kind's [`ListPages`].

use super::{domain_error_page, render, Chrome};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::future::Future;
use weijian_domain::auth::Authenticated;
use weijian_domain::authz::{allows, Permission};
use weijian_domain::{org as dorg, DomainError, DomainResult};
use weijian_store::ids::UnitId;
use weijian_store::regions::Region;
use weijian_store::versioned::{ListKind, Versioned};
use weijian_store::{regions, time, Actor, Store};

/// What was typed into a version's forms, by field name, to show again after a refusal.
pub type Submitted = BTreeMap<String, String>;

/// What one kind of versioned list brings to the shared pages.
pub trait ListPages: ListKind {
    /// Where its staff pages live, e.g. `/duty-lists`.
    const BASE: &'static str;
    /// Its public page is `/public/regions/{code}/{PUBLIC_SEGMENT}`.
    const PUBLIC_SEGMENT: &'static str;
    /// The page heading, e.g. 权责清单.
    const HEADING: &'static str;
    /// What the list page says about the kind (plain text).
    const INTRO: &'static str;
    /// The public page's heading after the region's name.
    const PUBLIC_HEADING: &'static str;
    const VIEW: Permission;
    const MANAGE: Permission;

    fn list(store: &Store, actor: &Actor) -> impl Future<Output = DomainResult<Vec<Versioned<Self>>>> + Send;
    fn get(store: &Store, actor: &Actor, id: Self::Id) -> impl Future<Output = DomainResult<Versioned<Self>>> + Send;
    fn create_draft(
        store: &Store,
        actor: &Actor,
        unit_id: UnitId,
        title: Option<&str>,
    ) -> impl Future<Output = DomainResult<Versioned<Self>>> + Send;
    /// Publishes with the version the page showed (a stale page is a 409).
    fn publish(
        store: &Store,
        actor: &Actor,
        id: Self::Id,
        version: Option<i64>,
        effective_on: &str,
    ) -> impl Future<Output = DomainResult<Versioned<Self>>> + Send;
    /// The lifecycle actions the actor may take on the version now (domain::lifecycle).
    fn allowed_actions(actor: &Actor, list: &Versioned<Self>) -> Vec<&'static str>;
    fn public(
        store: &Store,
        region_code: &str,
    ) -> impl Future<Output = DomainResult<(Region, Vec<Versioned<Self>>)>> + Send;

    /// The content as read by staff and the public (escaped HTML).
    fn content_html(list: &Versioned<Self>) -> String;
    /// Links shown above the content (exports, imports); escaped HTML.
    fn links_html(_list: &Versioned<Self>, _can_edit: bool) -> String {
        String::new()
    }
    /// The draft's editing forms (escaped HTML), given the CSRF token and what was typed.
    fn editor_html(list: &Versioned<Self>, csrf: &str, submitted: &Submitted) -> String;
}

/// Renders a kind's own template into HTML for the shared pages.
pub fn html<T: Template>(t: &T) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "template failed");
        "<p class=\"alert\">内容生成失败</p>".into()
    })
}

/// A version's state as the pages say it.
pub fn state_label<K: ListKind>(l: &Versioned<K>, today: NaiveDate) -> &'static str {
    match (l.is_published(), l.in_effect_on(today)) {
        (false, _) => "草稿",
        (true, true) => "已发布",
        (true, false) => "已发布（尚未施行）",
    }
}

pub fn effective<K: ListKind>(l: &Versioned<K>) -> String {
    l.effective_on.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

pub struct VersionRow {
    pub id: String,
    pub unit_name: String,
    pub version_no: i64,
    pub title: String,
    pub state: &'static str,
    pub effective_on: String,
    pub updated: String,
}

pub struct RegionGroup {
    pub code: String,
    pub name: String,
    pub rows: Vec<VersionRow>,
}

pub struct UnitOption {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "versioned_lists.html")]
struct ListPage {
    chrome: Chrome,
    heading: &'static str,
    intro: &'static str,
    base: &'static str,
    public_segment: &'static str,
    groups: Vec<RegionGroup>,
    units: Vec<UnitOption>,
    can_manage: bool,
    message: String,
}

async fn list_page<K: ListPages>(state: &AppState, a: &Authenticated, status: StatusCode, message: String) -> Response {
    let lists = match K::list(&state.store, &a.actor).await {
        Ok(l) => l,
        Err(e) => return domain_error_page(e),
    };
    let today = weijian_domain::input::today();
    let mut groups: Vec<RegionGroup> = Vec::new();
    for l in &lists {
        if groups.last().is_none_or(|g| g.code != l.region_code) {
            let name = regions::get(&state.store, &l.region_code).await.map(|r| r.name).unwrap_or_default();
            groups.push(RegionGroup { code: l.region_code.clone(), name, rows: vec![] });
        }
        if let Some(g) = groups.last_mut() {
            g.rows.push(VersionRow {
                id: l.id.to_string(),
                unit_name: l.unit_name.clone(),
                version_no: l.version_no,
                title: l.title.clone(),
                state: state_label(l, today),
                effective_on: effective(l),
                updated: time::display(l.updated_at),
            });
        }
    }
    let can_manage = allows(&a.actor, K::MANAGE);
    let units = if can_manage {
        // Drafts are written in one's own region (an admin may also write below it).
        dorg::list_units(&state.store, &a.actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|u| u.region_code == a.user.region_code || allows(&a.actor, Permission::ManageOrganisation))
            .map(|u| UnitOption { id: u.id.to_string(), name: u.name })
            .collect()
    } else {
        vec![]
    };
    render(
        status,
        &ListPage {
            chrome: Chrome::new(&state.store, a, K::BASE).await,
            heading: K::HEADING,
            intro: K::INTRO,
            base: K::BASE,
            public_segment: K::PUBLIC_SEGMENT,
            groups,
            units,
            can_manage,
            message,
        },
    )
}

fn require<K: ListPages>(a: &Authenticated) -> Result<(), DomainError> {
    if allows(&a.actor, K::VIEW) {
        Ok(())
    } else {
        Err(DomainError::forbidden("您的角色无权查看此页面"))
    }
}

/// The versions in one's jurisdiction, by region, and the 新建版本 form.
pub async fn index<K: ListPages>(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    if let Err(e) = require::<K>(&a) {
        return domain_error_page(e);
    }
    list_page::<K>(&state, &a, StatusCode::OK, String::new()).await
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    title: String,
}

pub async fn create<K: ListPages>(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Form(f): Form<CreateForm>,
) -> Response {
    if let Err(e) = require::<K>(&a) {
        return domain_error_page(e);
    }
    let Ok(unit_id) = f.unit_id.parse() else {
        return list_page::<K>(&state, &a, StatusCode::UNPROCESSABLE_ENTITY, "请选择单位".into()).await;
    };
    match K::create_draft(&state.store, &a.actor, unit_id, Some(&f.title)).await {
        Ok(l) => Redirect::to(&format!("{}/{}", K::BASE, l.id)).into_response(),
        Err(e) => list_page::<K>(&state, &a, crate::error::status_of(e.kind), e.message).await,
    }
}

#[derive(Template)]
#[template(path = "versioned_list.html")]
struct DetailPage {
    chrome: Chrome,
    heading: &'static str,
    base: &'static str,
    id: String,
    title: String,
    unit_name: String,
    version_no: i64,
    state: &'static str,
    published: bool,
    effective_on: String,
    published_at: String,
    message: String,
    links_html: String,
    content_html: String,
    can_edit: bool,
    /// The publish form is offered only when the table and the role allow it.
    can_publish: bool,
    /// The version the page shows, sent back with the publish form.
    version: i64,
    editor_html: String,
    history_type: Option<&'static str>,
    today: NaiveDate,
}

/// A version's page; `submitted` keeps what a refused form held.
pub async fn detail_page<K: ListPages>(
    state: &AppState,
    a: &Authenticated,
    id: K::Id,
    status: StatusCode,
    message: String,
    submitted: &Submitted,
) -> Response {
    if let Err(e) = require::<K>(a) {
        return domain_error_page(e);
    }
    let list = match K::get(&state.store, &a.actor, id).await {
        Ok(l) => l,
        Err(e) => return domain_error_page(e),
    };
    let today = weijian_domain::input::today();
    let can_edit = !list.is_published() && allows(&a.actor, K::MANAGE);
    let csrf = a.session.as_ref().map(|s| s.csrf_token.clone()).unwrap_or_default();
    render(
        status,
        &DetailPage {
            chrome: Chrome::new(&state.store, a, K::BASE).await,
            heading: K::HEADING,
            base: K::BASE,
            id: list.id.to_string(),
            title: list.title.clone(),
            unit_name: list.unit_name.clone(),
            version_no: list.version_no,
            state: state_label(&list, today),
            published: list.is_published(),
            effective_on: effective(&list),
            published_at: list.published_at.map(time::display).unwrap_or_default(),
            message,
            links_html: K::links_html(&list, can_edit),
            content_html: K::content_html(&list),
            can_edit,
            can_publish: K::allowed_actions(&a.actor, &list).contains(&"publish"),
            version: list.version,
            editor_html: if can_edit { K::editor_html(&list, &csrf, submitted) } else { String::new() },
            history_type: allows(&a.actor, Permission::ViewAudit).then_some(K::OBJECT_TYPE),
            today,
        },
    )
}

pub async fn show<K: ListPages>(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<K::Id>,
) -> Response {
    detail_page::<K>(&state, &a, id, StatusCode::OK, String::new(), &Submitted::new()).await
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    effective_on: String,
    /// The version the page showed (a hidden field).
    #[serde(default)]
    version: Option<i64>,
}

pub async fn publish<K: ListPages>(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<K::Id>,
    Form(f): Form<PublishForm>,
) -> Response {
    if let Err(e) = require::<K>(&a) {
        return domain_error_page(e);
    }
    match K::publish(&state.store, &a.actor, id, f.version, &f.effective_on).await {
        Ok(l) => Redirect::to(&format!("{}/{}", K::BASE, l.id)).into_response(),
        Err(e) => detail_page::<K>(&state, &a, id, crate::error::status_of(e.kind), e.message, &Submitted::new()).await,
    }
}

pub struct PublicList {
    pub unit_name: String,
    pub title: String,
    pub version_no: i64,
    pub effective_on: String,
    pub content_html: String,
}

#[derive(Template)]
#[template(path = "public_lists.html")]
struct PublicPage {
    region: Region,
    heading: &'static str,
    lists: Vec<PublicList>,
    today: NaiveDate,
}

/// The public portal: no sign-in, only published versions in effect today.
pub async fn public<K: ListPages>(State(state): State<AppState>, Path(region_code): Path<String>) -> Response {
    match K::public(&state.store, &region_code).await {
        Ok((region, lists)) => render(
            StatusCode::OK,
            &PublicPage {
                region,
                heading: K::PUBLIC_HEADING,
                lists: lists
                    .iter()
                    .map(|l| PublicList {
                        unit_name: l.unit_name.clone(),
                        title: l.title.clone(),
                        version_no: l.version_no,
                        effective_on: effective(l),
                        content_html: K::content_html(l),
                    })
                    .collect(),
                today: weijian_domain::input::today(),
            },
        ),
        Err(e) => domain_error_page(e),
    }
}
