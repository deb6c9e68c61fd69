//! The inspection of one task, on a phone: the entity, the checklist of the
//! task's items with 符合/不符合/不适用 per point, photos taken on the spot, the
//! party's signature or refusal, the outcome and, for 责令整改, the order.

use super::{domain_error_page, render, Chrome};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use askama::Template;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use weijian_domain::auth::Authenticated;
use weijian_domain::inspections::{self as domain, InspectionInput, OrderInput, PointInput};
use weijian_store::ids::InspectionTaskId;
use weijian_store::inspection_tasks::InspectionTask;

/// One checklist point as the form shows it.
struct PointRow {
    item: String,
    index: usize,
    text: String,
    basis: String,
}

struct ItemBlock {
    code: String,
    name: String,
    points: Vec<PointRow>,
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    chrome: Chrome,
    task: InspectionTask,
    address: String,
    items: Vec<ItemBlock>,
    /// This user's photos not yet in a record: (id, name, who uploaded it and when).
    photos: Vec<(String, String, String)>,
    today: String,
    /// When the form was rendered (Beijing): the inspection's start, to correct if need be.
    started_at: String,
    message: String,
    open: bool,
    /// Who replaced whom on this task, oldest first.
    substitutions: Vec<weijian_store::task_substitutions::Substitution>,
    /// For a section chief or leader on an open task: who may come instead
    /// (valid today and until the due date, not already on the task): (id, name).
    candidates: Vec<(String, String)>,
}

impl TaskPage {
    fn when(&self, s: &weijian_store::task_substitutions::Substitution) -> String {
        weijian_store::time::display(s.substituted_at)
    }
}

async fn task_page(
    state: &AppState,
    a: &Authenticated,
    id: InspectionTaskId,
    status: StatusCode,
    message: String,
) -> Response {
    let task = match weijian_domain::random_plans::task(&state.store, &a.actor, id).await {
        Ok(t) => t,
        Err(e) => return domain_error_page(e),
    };
    let list = domain::checklist_of(&state.store, &a.actor, &task).await.ok().flatten();
    let items = task
        .items
        .iter()
        .map(|code| {
            let item = list.as_ref().and_then(|l| l.item(code));
            ItemBlock {
                code: code.clone(),
                name: item.map(|i| i.name.clone()).unwrap_or_else(|| code.clone()),
                points: item
                    .map(|i| {
                        i.checklist
                            .iter()
                            .enumerate()
                            .map(|(n, p)| PointRow {
                                item: code.clone(),
                                index: n,
                                text: p.text.clone(),
                                basis: p.legal_basis.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let address = weijian_store::entities::get(&state.store, &a.actor, task.entity_id)
        .await
        .ok()
        .and_then(|e| e.data.address)
        .unwrap_or_default();
    let photos = weijian_domain::evidence::pending(&state.store, &a.actor, task.entity_id)
        .await
        .unwrap_or_default()
        .iter()
        .map(crate::api::attachments::page_line)
        .collect();
    let substitutions =
        weijian_domain::substitutions::of_task(&state.store, &a.actor, task.id).await.unwrap_or_default();
    let candidates = if weijian_domain::substitutions::may_substitute(&a.actor, &task) {
        let today = weijian_domain::input::today();
        weijian_domain::inspectors::eligible_on(&state.store, &a.actor, today, None, None)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|i| !task.inspectors.contains(&i.id) && i.may_enforce_throughout(today, task.due_on))
            .map(|i| (i.id.to_string(), format!("{}（{}）", i.data.name, i.unit_name)))
            .collect()
    } else {
        vec![]
    };
    render(
        status,
        &TaskPage {
            chrome: Chrome::new(&state.store, a, "/tasks").await,
            substitutions,
            candidates,
            open: task.status == weijian_rules::inspection::TaskStatus::Assigned,
            task,
            address,
            items,
            photos,
            today: weijian_domain::input::today().to_string(),
            started_at: weijian_domain::input::clock_now(),
            message,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionTaskId>,
) -> Response {
    task_page(&state, &a, id, StatusCode::OK, String::new()).await
}

/// A photo taken on the spot, stored at once; the record form then lists it.
pub async fn upload_photo(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionTaskId>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let task = match weijian_domain::random_plans::task(&state.store, &a.actor, id).await {
        Ok(t) => t,
        Err(e) => return domain_error_page(e),
    };
    let entity = task.entity_id.to_string();
    match crate::api::attachments::accept(&state, &a.actor, Some("photo"), Some(&entity), form).await {
        Ok(_) => Redirect::to(&format!("/tasks/{id}")).into_response(),
        Err(e) => task_page(&state, &a, id, e.status, e.body.message.clone()).await,
    }
}

/// The record form: repeated keys (results, photos) arrive as pairs.
pub async fn record(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionTaskId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let task = match weijian_domain::random_plans::task(&state.store, &a.actor, id).await {
        Ok(t) => t,
        Err(e) => return domain_error_page(e),
    };
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut results = Vec::new();
    for (k, v) in &pairs {
        // `r:{item}:{point}` = pass | fail | not_applicable; `n:{item}:{point}` = note.
        if let Some(rest) = k.strip_prefix("r:") {
            if let Some((item, point)) = rest.rsplit_once(':') {
                if let Ok(point) = point.parse() {
                    let note = field(&format!("n:{item}:{point}"));
                    results.push(PointInput { item: item.into(), point, result: v.clone(), note });
                }
            }
        }
    }
    let outcome = field("outcome");
    let rectification = (outcome == "rectify").then(|| OrderInput {
        content: field("rect_content"),
        days: field("rect_days").trim().parse().unwrap_or(0),
        working_days: field("rect_working") == "1",
    });
    let input = InspectionInput {
        inspected_on: field("inspected_on"),
        started_at: field("started_at"),
        // Left empty: the inspection ends when its record is saved.
        ended_at: Some(field("ended_at"))
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(weijian_domain::input::clock_now),
        place: field("place"),
        // The pair the page showed (hidden fields): if the task's pair changed
        // since, the record is refused rather than saved under other names.
        inspectors: {
            let shown: Vec<String> = pairs.iter().filter(|(k, _)| k == "inspector").map(|(_, v)| v.clone()).collect();
            if shown.is_empty() {
                task.inspectors.iter().map(|i| i.to_string()).collect()
            } else {
                shown
            }
        },
        results,
        findings: field("findings"),
        party_signature: field("party_signature"),
        party_name: Some(field("party_name")),
        outcome,
        attachments: pairs.iter().filter(|(k, _)| k == "photo").map(|(_, v)| v.clone()).collect(),
        rectification,
    };
    match domain::record(&state.store, &a.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/entities/{}", task.entity_id)).into_response(),
        Err(e) => task_page(&state, &a, id, crate::error::status_of(e.kind), e.message).await,
    }
}

#[derive(serde::Deserialize)]
pub struct SubstituteForm {
    #[serde(default)]
    replace: String,
    #[serde(default)]
    with: String,
    #[serde(default)]
    reason: String,
    /// The task's version the page showed (a hidden field).
    #[serde(default)]
    version: Option<i64>,
}

/// 更换执法人员 from the task page (section chief or leader).
pub async fn substitute(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<InspectionTaskId>,
    Form(f): Form<SubstituteForm>,
) -> Response {
    let input = weijian_domain::substitutions::SubstitutionInput {
        replace: f.replace,
        with: f.with,
        reason: f.reason,
        version: f.version,
    };
    match weijian_domain::substitutions::substitute(&state.store, &a.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/tasks/{id}")).into_response(),
        // Out of reach stays out of reach (404/403 pages); a refused substitution comes back with its reason.
        Err(e) if matches!(e.kind, weijian_domain::ErrorKind::Invalid | weijian_domain::ErrorKind::Conflict) => {
            task_page(&state, &a, id, crate::error::status_of(e.kind), e.message).await
        }
        Err(e) => domain_error_page(e),
    }
}
