//! Responsibility list pages (权责清单): the staff list and a version's page with
//! its edit and publish forms; and the public portal page, no sign-in.

use super::{domain_error_page, render, Chrome};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use weijian_domain::auth::Authenticated;
use weijian_domain::authz::{allows, Permission};
use weijian_domain::duty_lists as dl;
use weijian_domain::org as dorg;
use weijian_store::duty_lists::{DutyList, DutyListContent};
use weijian_store::ids::DutyListId;
use weijian_store::regions::Region;
use weijian_store::time;
use weijian_store::units::Unit;

const ACTIVE: &str = "/duty-lists";

/// Dates and times as the pages show them.
pub struct Shown;

impl Shown {
    pub fn date(&self, l: &DutyList) -> String {
        l.effective_on.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
    }

    pub fn updated(&self, l: &DutyList) -> String {
        time::display(l.updated_at)
    }

    pub fn published(&self, l: &DutyList) -> String {
        l.published_at.map(time::display).unwrap_or_default()
    }

    pub fn state(&self, l: &DutyList, today: &chrono::NaiveDate) -> &'static str {
        match (l.is_published(), l.in_effect_on(*today)) {
            (false, _) => "草稿",
            (true, true) => "已发布",
            (true, false) => "已发布（尚未施行）",
        }
    }
}

#[derive(Template)]
#[template(path = "duty_lists.html")]
struct ListPage {
    chrome: Chrome,
    lists: Vec<DutyList>,
    units: Vec<Unit>,
    can_manage: bool,
    message: String,
    shown: Shown,
    today: chrono::NaiveDate,
    public_region: String,
}

async fn list_page(state: &AppState, a: &Authenticated, status: StatusCode, message: String) -> Response {
    let lists = match dl::list(&state.store, &a.actor, &Default::default()).await {
        Ok(l) => l,
        Err(e) => return domain_error_page(e),
    };
    let can_manage = allows(&a.actor, Permission::ManageDutyLists);
    let units = if can_manage {
        let own = a.user.region_code.clone();
        // Drafts are written in one's own region (an admin may also write below it).
        dorg::list_units(&state.store, &a.actor)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|u| u.region_code == own || allows(&a.actor, Permission::ManageOrganisation))
            .collect()
    } else {
        vec![]
    };
    render(
        status,
        &ListPage {
            chrome: Chrome::new(&state.store, a, ACTIVE).await,
            lists,
            units,
            can_manage,
            message,
            shown: Shown,
            today: dl::today(),
            public_region: a.user.region_code.clone(),
        },
    )
}

pub async fn index(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    list_page(&state, &a, StatusCode::OK, String::new()).await
}

#[derive(Deserialize)]
pub struct CreateForm {
    unit_id: String,
    #[serde(default)]
    title: String,
}

pub async fn create(State(state): State<AppState>, CurrentUser(a): CurrentUser, Form(f): Form<CreateForm>) -> Response {
    let Ok(unit_id) = f.unit_id.parse() else {
        return list_page(&state, &a, StatusCode::UNPROCESSABLE_ENTITY, "请选择单位".into()).await;
    };
    match dl::create_draft(&state.store, &a.actor, unit_id, Some(&f.title)).await {
        Ok(l) => Redirect::to(&format!("/duty-lists/{}", l.id)).into_response(),
        Err(e) => list_page(&state, &a, crate::error::status_of(e.kind), e.message).await,
    }
}

#[derive(Template)]
#[template(path = "duty_list.html")]
struct DetailPage {
    chrome: Chrome,
    list: DutyList,
    can_edit: bool,
    can_see_history: bool,
    title_value: String,
    content_json: String,
    message: String,
    shown: Shown,
    today: chrono::NaiveDate,
}

async fn detail_page(
    state: &AppState,
    a: &Authenticated,
    id: DutyListId,
    status: StatusCode,
    message: String,
    submitted: Option<(String, String)>,
) -> Response {
    let list = match dl::get(&state.store, &a.actor, id).await {
        Ok(l) => l,
        Err(e) => return domain_error_page(e),
    };
    let (title_value, content_json) = submitted
        .unwrap_or_else(|| (list.title.clone(), serde_json::to_string_pretty(&list.content).unwrap_or_default()));
    render(
        status,
        &DetailPage {
            chrome: Chrome::new(&state.store, a, ACTIVE).await,
            can_edit: !list.is_published() && allows(&a.actor, Permission::ManageDutyLists),
            can_see_history: allows(&a.actor, Permission::ViewAudit),
            list,
            title_value,
            content_json,
            message,
            shown: Shown,
            today: dl::today(),
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<DutyListId>,
) -> Response {
    detail_page(&state, &a, id, StatusCode::OK, String::new(), None).await
}

#[derive(Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: String,
}

pub async fn update(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<DutyListId>,
    Form(f): Form<UpdateForm>,
) -> Response {
    let submitted = Some((f.title.clone(), f.content.clone()));
    let content: DutyListContent = match serde_json::from_str(&f.content) {
        Ok(c) => c,
        Err(e) => {
            let message = format!("清单内容不是有效的 JSON 或含有未知字段：{e}");
            return detail_page(&state, &a, id, StatusCode::UNPROCESSABLE_ENTITY, message, submitted).await;
        }
    };
    match dl::update_draft(&state.store, &a.actor, id, &f.title, &content).await {
        Ok(l) => Redirect::to(&format!("/duty-lists/{}", l.id)).into_response(),
        Err(e) => detail_page(&state, &a, id, crate::error::status_of(e.kind), e.message, submitted).await,
    }
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    effective_on: String,
}

pub async fn publish(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<DutyListId>,
    Form(f): Form<PublishForm>,
) -> Response {
    match dl::publish(&state.store, &a.actor, id, &f.effective_on).await {
        Ok(l) => Redirect::to(&format!("/duty-lists/{}", l.id)).into_response(),
        Err(e) => detail_page(&state, &a, id, crate::error::status_of(e.kind), e.message, None).await,
    }
}

#[derive(Template)]
#[template(path = "public_duty_lists.html")]
struct PublicPage {
    region: Region,
    lists: Vec<DutyList>,
    shown: Shown,
    today: chrono::NaiveDate,
}

/// The public portal: no sign-in, only published versions in effect today.
pub async fn public(State(state): State<AppState>, Path(region_code): Path<String>) -> Response {
    match dl::public_for_region(&state.store, &region_code).await {
        Ok((region, lists)) => render(StatusCode::OK, &PublicPage { region, lists, shown: Shown, today: dl::today() }),
        Err(e) => domain_error_page(e),
    }
}
