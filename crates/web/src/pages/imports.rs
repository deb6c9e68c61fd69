//! 导入导出: the upload form, templates and exports, and a job's progress page.

use super::{domain_error_page, render, Chrome};
use crate::api::imports::{duty_target, kind_of, mode_of, read_upload};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use weijian_domain::auth::Authenticated;
use weijian_domain::authz::{allows, Permission};
use weijian_exchange::{report, Import, Kind, Mode, RowProblem, Scope};
use weijian_store::ids::ImportJobId;
use weijian_store::imports::{ImportJob, JobStatus};

pub struct JobRow {
    pub id: String,
    pub kind_label: String,
    pub mode_label: String,
    pub file_name: String,
    pub status: String,
    pub status_label: String,
    pub phase: String,
    pub created_at: String,
    pub total: i64,
    pub processed: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub problem_count: i64,
    pub error: String,
}

impl From<&ImportJob> for JobRow {
    fn from(j: &ImportJob) -> Self {
        JobRow {
            id: j.id.to_string(),
            kind_label: Kind::parse(&j.kind).map(|k| k.label().to_string()).unwrap_or(j.kind.clone()),
            mode_label: Mode::parse(&j.mode).map(|m| m.label().to_string()).unwrap_or(j.mode.clone()),
            file_name: j.file_name.clone(),
            status: j.status.key().into(),
            status_label: j.status.label().into(),
            phase: match j.status {
                JobStatus::Validating => "已校验",
                JobStatus::Importing => "已写入",
                _ => "已处理",
            }
            .into(),
            created_at: weijian_store::time::display(j.created_at),
            total: j.total_rows,
            processed: j.processed_rows,
            created: j.created_rows,
            updated: j.updated_rows,
            unchanged: j.unchanged_rows,
            problem_count: j.problem_count,
            error: j.error.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    chrome: Chrome,
    kinds: Vec<(&'static str, &'static str)>,
    /// The kinds the actor may import.
    import_kinds: Vec<(&'static str, &'static str)>,
    can_import: bool,
    /// Units whose duty list the actor may import: (id, name).
    duty_units: Vec<(String, String)>,
    jobs: Vec<JobRow>,
    error: String,
}

async fn imports_page(state: &AppState, a: &Authenticated, status: StatusCode, error: String) -> Response {
    if !Kind::ALL.iter().any(|k| allows(&a.actor, k.view_permission())) {
        return domain_error_page(weijian_domain::DomainError::forbidden("您的角色无权执行此操作"));
    }
    let can_import = Kind::any_importable(&a.actor);
    let duty_units = if allows(&a.actor, Permission::ManageDutyLists) {
        let units = weijian_domain::org::list_units(&state.store, &a.actor).await.unwrap_or_default();
        units.into_iter().map(|u| (u.id.to_string(), u.name)).collect()
    } else {
        Vec::new()
    };
    let jobs = if can_import {
        weijian_exchange::jobs::recent(&state.store, &a.actor).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let page = ImportsPage {
        chrome: Chrome::new(&state.store, a, "/imports").await,
        kinds: Kind::ALL
            .iter()
            .filter(|k| allows(&a.actor, k.view_permission()))
            .map(|k| (k.key(), k.label()))
            .collect(),
        import_kinds: Kind::ALL
            .iter()
            .filter(|k| allows(&a.actor, k.manage_permission()))
            .map(|k| (k.key(), k.label()))
            .collect(),
        can_import,
        duty_units,
        jobs: jobs.iter().map(JobRow::from).collect(),
        error,
    };
    render(status, &page)
}

pub async fn index(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    imports_page(&state, &a, StatusCode::OK, String::new()).await
}

/// The upload form: kind, mode and file in one multipart body.
pub async fn upload(State(state): State<AppState>, CurrentUser(a): CurrentUser, req: Request) -> Response {
    let upload = match read_upload(req, &state, None).await {
        Ok(u) => u,
        Err(e) => return imports_page(&state, &a, e.status, e.body.message).await,
    };
    let kind = kind_of(upload.kind.as_deref().unwrap_or_default());
    let (kind, mode) = match (kind, mode_of(upload.mode.as_deref())) {
        (Ok(k), Ok(m)) => (k, m),
        (Err(e), _) | (_, Err(e)) => return imports_page(&state, &a, e.status, e.body.message).await,
    };
    let target = match duty_target(upload.unit_id.as_deref(), upload.duty_list_id.as_deref()) {
        Ok(t) => t.filter(|_| kind == Kind::DutyLists),
        Err(e) => return imports_page(&state, &a, e.status, e.body.message).await,
    };
    let scope = Scope { region: None, duty_list: target };
    match Import::prepare_in(&state.store, &a.actor, kind, mode, &upload.file_name, &upload.bytes, scope).await {
        Ok(import) => {
            let id = import.job().id;
            import.spawn();
            Redirect::to(&format!("/imports/{id}")).into_response()
        }
        Err(e) if e.kind == weijian_domain::ErrorKind::Forbidden => domain_error_page(e),
        Err(e) => imports_page(&state, &a, crate::error::status_of(e.kind), e.message).await,
    }
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobPage {
    chrome: Chrome,
    job: JobRow,
    running: bool,
    problems: Vec<RowProblem>,
}

pub async fn job(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<ImportJobId>,
) -> Response {
    let job = match weijian_exchange::jobs::get(&state.store, &a.actor, id).await {
        Ok(j) => j,
        Err(e) => return domain_error_page(e),
    };
    let running = job.status.running();
    let problems = job.problems.as_deref().map(report::parse).unwrap_or_default().into_iter().take(200).collect();
    let page =
        JobPage { chrome: Chrome::new(&state.store, &a, "/imports").await, job: JobRow::from(&job), running, problems };
    let mut res = render(StatusCode::OK, &page);
    if running {
        // Works without JavaScript: the browser reloads the page itself.
        res.headers_mut().insert(header::REFRESH, HeaderValue::from_static("2"));
    }
    res
}
