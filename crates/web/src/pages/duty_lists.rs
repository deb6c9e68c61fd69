//! Responsibility list pages (权责清单): the shared versioned-list pages
//! (crate::pages::versioned_lists) with the list's content tables, export
//! links, and a draft edited as one JSON document.

use super::versioned_lists::{self as vl, html, ListPages, Submitted};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use weijian_domain::authz::Permission;
use weijian_domain::duty_lists as dl;
use weijian_domain::DomainResult;
use weijian_store::duty_lists::{DutyList, DutyListContent, DutyLists};
use weijian_store::ids::{DutyListId, UnitId};
use weijian_store::regions::Region;
use weijian_store::{Actor, Store};

#[derive(Template)]
#[template(path = "duty_list_content.html")]
struct Content<'a> {
    list: &'a DutyList,
}

#[derive(Template)]
#[template(path = "duty_list_editor.html")]
struct Editor<'a> {
    id: String,
    csrf: &'a str,
    title: String,
    content: String,
}

#[derive(Template)]
#[template(path = "duty_list_links.html")]
struct Links {
    id: String,
    can_edit: bool,
}

impl ListPages for DutyLists {
    const BASE: &'static str = "/duty-lists";
    const PUBLIC_SEGMENT: &'static str = "duty-lists";
    const HEADING: &'static str = "权责清单";
    const INTRO: &'static str = "各单位的主要职责、具体工作事项、职责边界和公共服务事项，按版本管理：新版本以草稿开始（复制上一版本），发布后不可再修改。公众可在各地区的公开页面查看现行清单，无需登录。";
    const PUBLIC_HEADING: &'static str = "卫生健康部门权责清单";
    const VIEW: Permission = Permission::ViewDutyLists;
    const MANAGE: Permission = Permission::ManageDutyLists;

    async fn list(store: &Store, actor: &Actor) -> DomainResult<Vec<DutyList>> {
        dl::list(store, actor, &Default::default()).await
    }

    async fn get(store: &Store, actor: &Actor, id: DutyListId) -> DomainResult<DutyList> {
        dl::get(store, actor, id).await
    }

    async fn create_draft(
        store: &Store,
        actor: &Actor,
        unit_id: UnitId,
        title: Option<&str>,
    ) -> DomainResult<DutyList> {
        dl::create_draft(store, actor, unit_id, title).await
    }

    async fn publish(
        store: &Store,
        actor: &Actor,
        id: DutyListId,
        version: Option<i64>,
        effective_on: &str,
    ) -> DomainResult<DutyList> {
        dl::publish(store, actor, id, version, effective_on).await
    }

    fn allowed_actions(actor: &Actor, list: &DutyList) -> Vec<&'static str> {
        weijian_domain::lifecycle::of_duty_list(actor, list.status, &list.region_code)
    }

    async fn public(store: &Store, region_code: &str) -> DomainResult<(Region, Vec<DutyList>)> {
        dl::public_for_region(store, region_code).await
    }

    fn content_html(list: &DutyList) -> String {
        html(&Content { list })
    }

    fn links_html(list: &DutyList, can_edit: bool) -> String {
        html(&Links { id: list.id.to_string(), can_edit })
    }

    fn editor_html(list: &DutyList, csrf: &str, submitted: &Submitted) -> String {
        html(&Editor {
            id: list.id.to_string(),
            csrf,
            title: submitted.get("title").cloned().unwrap_or_else(|| list.title.clone()),
            content: submitted
                .get("content")
                .cloned()
                .unwrap_or_else(|| serde_json::to_string_pretty(&list.content).unwrap_or_default()),
        })
    }
}

#[derive(Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: String,
}

/// Saves a draft's title and content (one JSON document); a refusal keeps the text.
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<DutyListId>,
    Form(f): Form<UpdateForm>,
) -> Response {
    let submitted: Submitted =
        [("title".to_string(), f.title.clone()), ("content".to_string(), f.content.clone())].into();
    let content: DutyListContent = match serde_json::from_str(&f.content) {
        Ok(c) => c,
        Err(e) => {
            let message = format!("清单内容不是有效的 JSON 或含有未知字段：{e}");
            let status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            return vl::detail_page::<DutyLists>(&state, &a, id, status, message, &submitted).await;
        }
    };
    match dl::update_draft(&state.store, &a.actor, id, &f.title, &content).await {
        Ok(l) => Redirect::to(&format!("/duty-lists/{}", l.id)).into_response(),
        Err(e) => {
            let status = crate::error::status_of(e.kind);
            vl::detail_page::<DutyLists>(&state, &a, id, status, e.message, &submitted).await
        }
    }
}
