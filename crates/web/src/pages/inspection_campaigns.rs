//! 专项检查 and hand-assigned tasks as pages: section chiefs list and create
//! campaigns (target set chosen by category and an attribute), see the target
//! set's size and generate its tasks; the 新建检查任务 form (patrol, complaint,
//! pre-licence, campaign) is reached from the task list and an entity's page.

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
use weijian_domain::assigned_tasks::{self, TaskInput};
use weijian_domain::auth::Authenticated;
use weijian_domain::authz::{allows, Permission};
use weijian_domain::inspection_campaigns::{
    self as domain, CampaignInput, CampaignSummary, GenerateInput, TargetInput,
};
use weijian_rules::inspection::TaskSource;
use weijian_rules::registry::{AttributeKind, Registry};
use weijian_store::ids::{EntityId, InspectionCampaignId};
use weijian_store::inspection_items::ItemLists;
use weijian_store::inspection_tasks::{InspectionTask, Query as TaskQuery};
use weijian_store::{inspection_tasks, versioned};

const ACTIVE: &str = "/inspection-campaigns";

/// (value, label) pairs for a select.
type Choices = Vec<(String, String)>;

/// A choice attribute of a category the campaign form offers: `category|key`, its label, its choices.
struct AttributeChoice {
    category: String,
    key: String,
    label: String,
    choices: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct CampaignForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    specialty: String,
    #[serde(default)]
    item_list_id: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    category: String,
    /// `key=value` of one attribute of the category, or empty.
    #[serde(default)]
    attribute: String,
}

#[derive(Template)]
#[template(path = "inspection_campaigns.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<CampaignSummary>,
    can_manage: bool,
    specialties: Choices,
    categories: Choices,
    attributes: Vec<AttributeChoice>,
    lists: Choices,
    message: String,
    form: CampaignForm,
}

impl ListPage {
    fn target_label(&self, s: &CampaignSummary) -> String {
        s.campaign.data.target.describe(Registry::official())
    }
}

fn staff_only(a: &Authenticated) -> Option<Response> {
    (a.user.role == weijian_store::Role::Institution || !allows(&a.actor, Permission::ViewPlans)).then(|| {
        domain_error_page(weijian_domain::DomainError::new(
            weijian_domain::ErrorKind::Forbidden,
            "inspection_campaign.staff_only",
            "此页面仅供监管人员使用",
        ))
    })
}

async fn list_page(
    state: &AppState,
    a: &Authenticated,
    status: StatusCode,
    message: String,
    form: CampaignForm,
) -> Response {
    if let Some(r) = staff_only(a) {
        return r;
    }
    let campaigns = match domain::list(&state.store, &a.actor).await {
        Ok(c) => c,
        Err(e) => return domain_error_page(e),
    };
    let mut rows = Vec::new();
    for c in campaigns {
        match domain::summary(&state.store, &a.actor, c).await {
            Ok(s) => rows.push(s),
            Err(e) => return domain_error_page(e),
        }
    }
    let can_manage = allows(&a.actor, Permission::ManagePlans);
    let registry = Registry::official();
    let lists = if can_manage {
        versioned::list::<ItemLists>(&state.store, &a.actor, &Default::default())
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|l| l.is_published())
            .map(|l| (l.id.to_string(), format!("{}（第 {} 版，{}）", l.title, l.version_no, l.unit_name)))
            .collect()
    } else {
        vec![]
    };
    let attributes = registry
        .categories
        .iter()
        .flat_map(|c| {
            c.attributes.iter().filter(|s| s.kind == AttributeKind::Choice).map(|s| AttributeChoice {
                category: c.label.clone(),
                key: s.key.clone(),
                label: s.label.clone(),
                choices: s.choices.clone(),
            })
        })
        .collect();
    render(
        status,
        &ListPage {
            chrome: Chrome::new(&state.store, a, ACTIVE).await,
            rows,
            can_manage,
            specialties: registry.specialties.iter().map(|s| (s.key.clone(), s.label.clone())).collect(),
            categories: registry.categories.iter().map(|c| (c.key.clone(), c.label.clone())).collect(),
            attributes,
            lists,
            message,
            form,
        },
    )
}

pub async fn index(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    list_page(&state, &a, StatusCode::OK, String::new(), CampaignForm::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Form(form): Form<CampaignForm>,
) -> Response {
    // One attribute from the form, `key=value`; the API takes any number.
    let attributes: BTreeMap<String, String> =
        form.attribute.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).into_iter().collect();
    let input = CampaignInput {
        name: form.name.clone(),
        region_code: None,
        specialty: form.specialty.clone(),
        item_list_id: form.item_list_id.clone(),
        items: vec![],
        starts_on: form.starts_on.clone(),
        ends_on: form.ends_on.clone(),
        target: TargetInput { category: form.category.clone(), attributes },
    };
    match domain::create(&state.store, &a.actor, &input).await {
        Ok(c) => Redirect::to(&format!("/inspection-campaigns/{}", c.id)).into_response(),
        Err(e) => list_page(&state, &a, crate::error::status_of(e.kind), e.message, form).await,
    }
}

#[derive(Template)]
#[template(path = "inspection_campaign.html")]
struct DetailPage {
    chrome: Chrome,
    summary: CampaignSummary,
    specialty: String,
    target_label: String,
    targets: Vec<(String, String)>,
    more_targets: bool,
    tasks: Vec<InspectionTask>,
    can_manage: bool,
    inspectors: Choices,
    message: String,
}

/// Eligible inspectors today (id, name), for the pair selects.
async fn inspector_choices(state: &AppState, a: &Authenticated) -> Choices {
    weijian_domain::inspectors::eligible_on(&state.store, &a.actor, weijian_domain::input::today(), None, None)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|i| (i.id.to_string(), format!("{}（{}）", i.data.name, i.unit_name)))
        .collect()
}

/// How many targets the page lists by name.
const TARGETS_SHOWN: usize = 100;

async fn detail_page(
    state: &AppState,
    a: &Authenticated,
    id: InspectionCampaignId,
    status: StatusCode,
    message: String,
) -> Response {
    if let Some(r) = staff_only(a) {
        return r;
    }
    let campaign = match domain::get(&state.store, &a.actor, id).await {
        Ok(c) => c,
        Err(e) => return domain_error_page(e),
    };
    let targets = domain::targets(&state.store, &a.actor, &campaign).await.unwrap_or_default();
    let summary = match domain::summary(&state.store, &a.actor, campaign).await {
        Ok(s) => s,
        Err(e) => return domain_error_page(e),
    };
    let q = TaskQuery { campaign_id: Some(id), limit: Some(200), ..Default::default() };
    let tasks = inspection_tasks::list(&state.store, &a.actor, &q).await.map(|p| p.items).unwrap_or_default();
    let can_manage = allows(&a.actor, Permission::ManagePlans);
    let registry = Registry::official();
    render(
        status,
        &DetailPage {
            chrome: Chrome::new(&state.store, a, ACTIVE).await,
            specialty: registry
                .specialty(&summary.campaign.data.specialty)
                .map_or(summary.campaign.data.specialty.clone(), |s| s.label.clone()),
            target_label: summary.campaign.data.target.describe(registry),
            more_targets: targets.len() > TARGETS_SHOWN,
            targets: targets.into_iter().take(TARGETS_SHOWN).map(|t| (t.entity_id.to_string(), t.name)).collect(),
            summary,
            tasks,
            inspectors: if can_manage { inspector_choices(state, a).await } else { vec![] },
            can_manage,
            message,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionCampaignId>,
) -> Response {
    detail_page(&state, &a, id, StatusCode::OK, String::new()).await
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct GenerateForm {
    #[serde(default)]
    inspector1: String,
    #[serde(default)]
    inspector2: String,
    #[serde(default)]
    due_on: String,
}

pub async fn generate(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionCampaignId>,
    Form(form): Form<GenerateForm>,
) -> Response {
    let input = GenerateInput {
        inspector_ids: vec![form.inspector1, form.inspector2],
        pairs: vec![],
        due_on: Some(form.due_on).filter(|d| !d.trim().is_empty()),
    };
    match domain::generate(&state.store, &a.actor, id, &input).await {
        Ok(out) => {
            let mut message = format!(
                "已生成 {} 个检查任务；已有未完成任务而跳过 {} 户",
                out.generated.created.len(),
                out.generated.skipped_existing.len()
            );
            if !out.skipped_conflicts.is_empty() {
                message.push_str(&format!("；因执法人员申报回避未能指派 {} 户", out.skipped_conflicts.len()));
            }
            detail_page(&state, &a, id, StatusCode::OK, message).await
        }
        Err(e) => detail_page(&state, &a, id, crate::error::status_of(e.kind), e.message).await,
    }
}

// ---- 新建检查任务 --------------------------------------------------------------

#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewTaskQuery {
    #[serde(default)]
    entity_id: Option<String>,
    /// A name to search the registry for.
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    campaign_id: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct TaskForm {
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    campaign_id: String,
    #[serde(default)]
    inspector1: String,
    #[serde(default)]
    inspector2: String,
    #[serde(default)]
    due_on: String,
    /// Item codes separated by commas or 、; empty: the default items.
    #[serde(default)]
    items: String,
}

#[derive(Template)]
#[template(path = "task_new.html")]
struct TaskFormPage {
    chrome: Chrome,
    /// The chosen entity (id, name), or the search results to choose from.
    entity: Option<(String, String)>,
    q: String,
    found: Choices,
    sources: Choices,
    campaigns: Choices,
    inspectors: Choices,
    message: String,
    form: TaskForm,
}

async fn task_form(
    state: &AppState,
    a: &Authenticated,
    status: StatusCode,
    message: String,
    q: String,
    form: TaskForm,
) -> Response {
    if let Err(e) = weijian_domain::authz::require(&a.actor, Permission::ManagePlans) {
        return domain_error_page(e);
    }
    let entity = match form.entity_id.trim().parse::<EntityId>() {
        Ok(id) => match weijian_domain::entities::get(&state.store, &a.actor, id).await {
            Ok(e) => Some((e.id.to_string(), e.data.name)),
            Err(e) => return domain_error_page(e),
        },
        Err(_) => None,
    };
    let found = if entity.is_none() && !q.trim().is_empty() {
        let query = weijian_store::entities::Query { q: Some(q.clone()), limit: Some(20), ..Default::default() };
        weijian_domain::entities::list(&state.store, &a.actor, &query)
            .await
            .map(|p| p.items)
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.id.to_string(), e.data.name))
            .collect()
    } else {
        vec![]
    };
    let campaigns = domain::list(&state.store, &a.actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.id.to_string(), c.data.name))
        .collect();
    render(
        status,
        &TaskFormPage {
            chrome: Chrome::new(&state.store, a, "/tasks").await,
            entity,
            q,
            found,
            sources: TaskSource::BY_HAND.iter().map(|s| (s.key().to_string(), s.label().to_string())).collect(),
            campaigns,
            inspectors: inspector_choices(state, a).await,
            message,
            form,
        },
    )
}

pub async fn new_task(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Query(q): Query<NewTaskQuery>,
) -> Response {
    let campaign_id = q.campaign_id.unwrap_or_default();
    let form = TaskForm {
        entity_id: q.entity_id.unwrap_or_default(),
        source: if campaign_id.is_empty() {
            TaskSource::Patrol.key().into()
        } else {
            TaskSource::Campaign.key().into()
        },
        campaign_id,
        ..Default::default()
    };
    task_form(&state, &a, StatusCode::OK, String::new(), q.q.unwrap_or_default(), form).await
}

pub async fn create_task(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Form(form): Form<TaskForm>,
) -> Response {
    let items: Vec<String> =
        form.items.split([',', '，', '、', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    let input = TaskInput {
        entity_id: form.entity_id.clone(),
        source: form.source.clone(),
        inspector_ids: vec![form.inspector1.clone(), form.inspector2.clone()],
        due_on: form.due_on.clone(),
        items: Some(items).filter(|i| !i.is_empty()),
        campaign_id: Some(form.campaign_id.clone()).filter(|c| !c.trim().is_empty()),
    };
    match assigned_tasks::create(&state.store, &a.actor, &input).await {
        Ok(t) => Redirect::to(&format!("/tasks/{}", t.id)).into_response(),
        Err(e) => task_form(&state, &a, crate::error::status_of(e.kind), e.message, String::new(), form).await,
    }
}
