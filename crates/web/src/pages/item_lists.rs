//! 抽查事项清单 pages: the shared versioned-list pages
//! (crate::pages::versioned_lists) with the items and their checklists, and a
//! draft edited item by item — each item on its own form with its ordered
//! checklist points (检查内容, 依据, 违法行为编码 of the discretion catalog).

use super::versioned_lists::{self as vl, html, ListPages, Submitted};
use super::{domain_error_page, render, Chrome};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::collections::BTreeMap;
use weijian_domain::auth::Authenticated;
use weijian_domain::authz::{allows, Permission};
use weijian_domain::{inspection_items as items, DomainError, DomainResult, ErrorKind};
use weijian_rules::inspection::InspectionMethod;
use weijian_rules::penalty::Catalog;
use weijian_rules::registry::Registry;
use weijian_store::ids::{InspectionItemListId, UnitId};
use weijian_store::inspection_items::{CheckPoint, InspectionItem, InspectionItemList, ItemLists};
use weijian_store::regions::Region;
use weijian_store::{Actor, Store};

const BASE: &str = "/inspection-item-lists";

/// An item as the pages show it: labels instead of keys.
pub struct ItemView {
    pub n: usize,
    pub code: String,
    pub name: String,
    pub specialty: String,
    pub categories: String,
    pub content: String,
    pub method: String,
    pub legal_basis: String,
    pub points: Vec<PointView>,
}

pub struct PointView {
    pub text: String,
    pub legal_basis: String,
    pub violation_code: String,
    pub violation_name: String,
}

fn specialty_label(key: &str) -> String {
    Registry::official().specialties.iter().find(|s| s.key == key).map_or_else(|| key.to_string(), |s| s.label.clone())
}

fn category_label(key: &str) -> String {
    Registry::official().category(key).map_or_else(|| key.to_string(), |c| c.label.clone())
}

fn views(list: &InspectionItemList) -> Vec<ItemView> {
    let catalog = Catalog::official();
    list.content
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| ItemView {
            n: i + 1,
            code: item.code.clone(),
            name: item.name.clone(),
            specialty: specialty_label(&item.specialty),
            categories: item.target_categories.iter().map(|c| category_label(c)).collect::<Vec<_>>().join("、"),
            content: item.content.clone(),
            method: item.method.label().to_string(),
            legal_basis: item.legal_basis.clone(),
            points: item
                .checklist
                .iter()
                .map(|p| {
                    let code = p.violation_code.clone().unwrap_or_default();
                    PointView {
                        violation_name: catalog.get(&code).map(|v| v.name.clone()).unwrap_or_default(),
                        violation_code: code,
                        text: p.text.clone(),
                        legal_basis: p.legal_basis.clone(),
                    }
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "item_list_content.html")]
struct Content {
    items: Vec<ItemView>,
}

#[derive(Template)]
#[template(path = "item_list_editor.html")]
struct Editor<'a> {
    id: String,
    csrf: &'a str,
    title: String,
    items: Vec<ItemView>,
}

impl ListPages for ItemLists {
    const BASE: &'static str = BASE;
    const PUBLIC_SEGMENT: &'static str = "inspection-items";
    const HEADING: &'static str = "抽查事项清单";
    const INTRO: &'static str = "双随机抽查“一单两库”中的“一单”：各单位可以抽查的事项，每项有适用的监管对象类别、检查方式、依据和检查表。按版本管理：新版本以草稿开始（复制上一版本），发布后不可再修改；抽查计划只能引用已发布的版本。公众可在各地区的公开页面查看现行清单，无需登录。";
    const PUBLIC_HEADING: &'static str = "随机抽查事项清单";
    const VIEW: Permission = Permission::ViewPlans;
    const MANAGE: Permission = Permission::ManagePlans;

    async fn list(store: &Store, actor: &Actor) -> DomainResult<Vec<InspectionItemList>> {
        items::list(store, actor, &Default::default()).await
    }

    async fn get(store: &Store, actor: &Actor, id: InspectionItemListId) -> DomainResult<InspectionItemList> {
        items::get(store, actor, id).await
    }

    async fn create_draft(
        store: &Store,
        actor: &Actor,
        unit_id: UnitId,
        title: Option<&str>,
    ) -> DomainResult<InspectionItemList> {
        items::create_draft(store, actor, unit_id, title).await
    }

    async fn publish(
        store: &Store,
        actor: &Actor,
        id: InspectionItemListId,
        version: Option<i64>,
        effective_on: &str,
    ) -> DomainResult<InspectionItemList> {
        items::publish(store, actor, id, version, effective_on).await
    }

    fn allowed_actions(actor: &Actor, list: &InspectionItemList) -> Vec<&'static str> {
        weijian_domain::lifecycle::of_item_list(actor, list.status, &list.region_code)
    }

    async fn public(store: &Store, region_code: &str) -> DomainResult<(Region, Vec<InspectionItemList>)> {
        items::public_page(store, region_code).await
    }

    fn content_html(list: &InspectionItemList) -> String {
        html(&Content { items: views(list) })
    }

    fn editor_html(list: &InspectionItemList, csrf: &str, submitted: &Submitted) -> String {
        html(&Editor {
            id: list.id.to_string(),
            csrf,
            title: submitted.get("title").cloned().unwrap_or_else(|| list.title.clone()),
            items: views(list),
        })
    }
}

#[derive(Deserialize)]
pub struct TitleForm {
    #[serde(default)]
    title: String,
}

/// Renames a draft (its items are kept).
pub async fn update_title(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionItemListId>,
    Form(f): Form<TitleForm>,
) -> Response {
    let result = match items::get(&state.store, &a.actor, id).await {
        Ok(list) => items::update_draft(&state.store, &a.actor, id, &f.title, &list.content).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("{BASE}/{id}")).into_response(),
        Err(e) => {
            let submitted: Submitted = [("title".to_string(), f.title)].into();
            vl::detail_page::<ItemLists>(&state, &a, id, crate::error::status_of(e.kind), e.message, &submitted).await
        }
    }
}

/// One checklist row of the item form.
#[derive(Clone, Debug, Default)]
pub struct PointRow {
    pub order: String,
    pub text: String,
    pub legal_basis: String,
    pub violation_code: String,
}

/// The item form as typed.
#[derive(Clone, Debug, Default)]
pub struct ItemForm {
    pub code: String,
    pub name: String,
    pub specialty: String,
    pub target_categories: Vec<String>,
    pub content: String,
    pub method: String,
    pub legal_basis: String,
    pub points: Vec<PointRow>,
}

/// Blank rows offered under the points, for adding.
const BLANK_ROWS: usize = 3;

impl ItemForm {
    fn of_item(item: &InspectionItem) -> ItemForm {
        ItemForm {
            code: item.code.clone(),
            name: item.name.clone(),
            specialty: item.specialty.clone(),
            target_categories: item.target_categories.clone(),
            content: item.content.clone(),
            method: item.method.key().to_string(),
            legal_basis: item.legal_basis.clone(),
            points: item
                .checklist
                .iter()
                .enumerate()
                .map(|(j, p)| PointRow {
                    order: (j + 1).to_string(),
                    text: p.text.clone(),
                    legal_basis: p.legal_basis.clone(),
                    violation_code: p.violation_code.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// `point.{row}.{field}` for the checklist rows; the rest by name.
    fn from_pairs(pairs: Vec<(String, String)>) -> ItemForm {
        let mut f = ItemForm::default();
        let mut rows: BTreeMap<usize, PointRow> = BTreeMap::new();
        for (k, v) in pairs {
            match k.as_str() {
                "code" => f.code = v,
                "name" => f.name = v,
                "specialty" => f.specialty = v,
                "target_categories" => f.target_categories.push(v),
                "content" => f.content = v,
                "method" => f.method = v,
                "legal_basis" => f.legal_basis = v,
                other => {
                    let mut parts = other.splitn(3, '.');
                    if let (Some("point"), Some(row), Some(field)) = (parts.next(), parts.next(), parts.next()) {
                        let Ok(row) = row.parse::<usize>() else { continue };
                        if row > 1000 {
                            continue;
                        }
                        let r = rows.entry(row).or_default();
                        match field {
                            "order" => r.order = v,
                            "text" => r.text = v,
                            "legal_basis" => r.legal_basis = v,
                            "violation_code" => r.violation_code = v,
                            _ => {}
                        }
                    }
                }
            }
        }
        // Rows left empty are dropped; the rest go in the order typed (序号), then as listed.
        let mut points: Vec<(usize, PointRow)> = rows
            .into_values()
            .filter(|r| ![&r.text, &r.legal_basis, &r.violation_code].iter().all(|s| s.trim().is_empty()))
            .enumerate()
            .collect();
        points.sort_by_key(|(i, r)| (r.order.trim().parse::<usize>().unwrap_or(usize::MAX), *i));
        f.points =
            points.into_iter().enumerate().map(|(j, (_, r))| PointRow { order: (j + 1).to_string(), ..r }).collect();
        f
    }

    /// The item to save, or the problem the form itself can see (an unknown method).
    fn to_item(&self) -> Result<InspectionItem, DomainError> {
        let method = InspectionMethod::parse(self.method.trim())
            .ok_or_else(|| DomainError::invalid("inspection_item_list.invalid_method", "method", "请选择检查方式"))?;
        Ok(InspectionItem {
            code: self.code.clone(),
            name: self.name.clone(),
            specialty: self.specialty.clone(),
            target_categories: self.target_categories.clone(),
            content: self.content.clone(),
            method,
            legal_basis: self.legal_basis.clone(),
            checklist: self
                .points
                .iter()
                .map(|p| CheckPoint {
                    text: p.text.clone(),
                    legal_basis: p.legal_basis.clone(),
                    violation_code: Some(p.violation_code.trim().to_string()).filter(|c| !c.is_empty()),
                })
                .collect(),
        })
    }

    fn has_category(&self, key: &str) -> bool {
        self.target_categories.iter().any(|c| c == key)
    }

    /// The points and a few blank rows.
    fn rows(&self) -> Vec<(usize, PointRow)> {
        let n = self.points.len();
        self.points
            .iter()
            .cloned()
            .chain((0..BLANK_ROWS).map(|k| PointRow { order: (n + k + 1).to_string(), ..Default::default() }))
            .enumerate()
            .collect()
    }
}

pub struct Opt {
    pub key: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "item_form.html")]
struct ItemPage {
    chrome: Chrome,
    list_id: String,
    list_title: String,
    /// 1-based position of the item edited; None for a new item.
    n: Option<usize>,
    form: ItemForm,
    message: String,
    /// Problems by form field (`code`, `point.0.violation_code` ...).
    errors: BTreeMap<String, String>,
    specialties: Vec<Opt>,
    categories: Vec<Opt>,
    methods: Vec<Opt>,
    violations: Vec<Opt>,
}

impl ItemPage {
    fn error(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }

    fn point_error(&self, row: &usize, field: &str) -> String {
        self.error(&format!("point.{row}.{field}"))
    }
}

/// A domain field path of item `i` as the form's field: `content.items[i].checklist[j].x` → `point.j.x`.
fn form_field(path: &str, i: usize) -> Option<String> {
    let rest = path.strip_prefix(&format!("content.items[{i}]."))?;
    match rest.strip_prefix("checklist[") {
        Some(p) => {
            let (j, field) = p.split_once("].")?;
            Some(format!("point.{j}.{field}"))
        }
        None => Some(rest.to_string()),
    }
}

#[allow(clippy::too_many_arguments)]
async fn item_page(
    state: &AppState,
    a: &Authenticated,
    list: &InspectionItemList,
    n: Option<usize>,
    status: StatusCode,
    form: ItemForm,
    message: String,
    errors: BTreeMap<String, String>,
) -> Response {
    let registry = Registry::official();
    let opt = |k: &str, l: &str| Opt { key: k.to_string(), label: l.to_string() };
    render(
        status,
        &ItemPage {
            chrome: Chrome::new(&state.store, a, BASE).await,
            list_id: list.id.to_string(),
            list_title: list.title.clone(),
            n,
            form,
            message,
            errors,
            specialties: registry.specialties.iter().map(|s| opt(&s.key, &s.label)).collect(),
            categories: registry.categories.iter().map(|c| opt(&c.key, &c.label)).collect(),
            methods: InspectionMethod::ALL.iter().map(|m| opt(m.key(), m.label())).collect(),
            violations: Catalog::official().violations.iter().map(|v| opt(&v.code, &v.name)).collect(),
        },
    )
}

/// The list if the actor may edit it now: a plan manager, and a draft.
async fn editable_draft(
    state: &AppState,
    a: &Authenticated,
    id: InspectionItemListId,
) -> Result<InspectionItemList, Response> {
    if !allows(&a.actor, Permission::ManagePlans) {
        return Err(domain_error_page(DomainError::forbidden("您的角色无权编辑抽查事项清单")));
    }
    let list = items::get(&state.store, &a.actor, id).await.map_err(domain_error_page)?;
    if list.is_published() {
        let e = DomainError::from(weijian_store::versioned::immutable::<ItemLists>());
        return Err(
            vl::detail_page::<ItemLists>(state, a, id, StatusCode::CONFLICT, e.message, &Submitted::new()).await
        );
    }
    Ok(list)
}

fn list_id(raw: &str) -> Result<InspectionItemListId, DomainError> {
    raw.parse().map_err(|_| DomainError::not_found())
}

/// 1-based position of an existing item.
fn position(list: &InspectionItemList, n: &str) -> Result<usize, DomainError> {
    n.parse::<usize>().ok().filter(|n| (1..=list.content.items.len()).contains(n)).ok_or_else(DomainError::not_found)
}

pub async fn new_item(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionItemListId>,
) -> Response {
    let list = match editable_draft(&state, &a, id).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let form = ItemForm { method: InspectionMethod::OnSite.key().into(), ..Default::default() };
    item_page(&state, &a, &list, None, StatusCode::OK, form, String::new(), BTreeMap::new()).await
}

/// The editable draft and the item position a `{id}/items/{n}` path names.
async fn draft_item(
    state: &AppState,
    a: &Authenticated,
    id: &str,
    n: &str,
) -> Result<(InspectionItemListId, InspectionItemList, usize), Response> {
    let id = list_id(id).map_err(domain_error_page)?;
    let list = editable_draft(state, a, id).await?;
    let n = position(&list, n).map_err(domain_error_page)?;
    Ok((id, list, n))
}

pub async fn edit_item(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Path((id, n)): Path<(String, String)>,
) -> Response {
    let (_, list, n) = match draft_item(&state, &a, &id, &n).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let form = ItemForm::of_item(&list.content.items[n - 1]);
    item_page(&state, &a, &list, Some(n), StatusCode::OK, form, String::new(), BTreeMap::new()).await
}

/// Saves the item into the draft (appended, or in place of item `n`); the
/// domain checks the whole list and its answer is shown at the field.
async fn save_item(
    state: &AppState,
    a: &Authenticated,
    id: InspectionItemListId,
    n: Option<&str>,
    pairs: Vec<(String, String)>,
) -> Response {
    let list = match editable_draft(state, a, id).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let n = match n.map(|n| position(&list, n)).transpose() {
        Ok(n) => n,
        Err(e) => return domain_error_page(e),
    };
    let form = ItemForm::from_pairs(pairs);
    let index = n.map_or(list.content.items.len(), |n| n - 1);
    let result = match form.to_item() {
        Ok(item) => {
            let mut content = list.content.clone();
            match n {
                Some(_) => content.items[index] = item,
                None => content.items.push(item),
            }
            items::update_draft(&state.store, &a.actor, id, &list.title, &content).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("{BASE}/{id}")).into_response(),
        Err(e) if matches!(e.kind, ErrorKind::Forbidden | ErrorKind::NotFound) => domain_error_page(e),
        Err(e) => {
            let mut errors = BTreeMap::new();
            if let Some(field) =
                e.field.as_deref().and_then(|f| form_field(f, index).or_else(|| (f == "method").then(|| f.to_string())))
            {
                errors.insert(field, e.message.clone());
            }
            let status = crate::error::status_of(e.kind);
            item_page(state, a, &list, n, status, form, e.message, errors).await
        }
    }
}

pub async fn create_item(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionItemListId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    save_item(&state, &a, id, None, pairs).await
}

pub async fn update_item(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Path((id, n)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    match list_id(&id) {
        Ok(id) => save_item(&state, &a, id, Some(&n), pairs).await,
        Err(e) => domain_error_page(e),
    }
}

/// Removes item `n` from the draft.
pub async fn delete_item(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Path((id, n)): Path<(String, String)>,
) -> Response {
    let (id, list, n) = match draft_item(&state, &a, &id, &n).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let mut content = list.content.clone();
    content.items.remove(n - 1);
    match items::update_draft(&state.store, &a.actor, id, &list.title, &content).await {
        Ok(_) => Redirect::to(&format!("{BASE}/{id}")).into_response(),
        Err(e) => {
            let status = crate::error::status_of(e.kind);
            vl::detail_page::<ItemLists>(&state, &a, id, status, e.message, &Submitted::new()).await
        }
    }
}
