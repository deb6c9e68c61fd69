//! Imports and exports of the registries: upload a CSV or XLSX file, follow
//! the background job, download its problem report, templates and exports.

use crate::error::ApiError;
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use weijian_domain::DomainError;
use weijian_exchange::duty_lists::Target;
use weijian_exchange::{report, Download, ExportQuery, Format, Import, Kind, Mode, Scope};
use weijian_store::ids::{DutyListId, ImportJobId, UnitId};
use weijian_store::imports::ImportJob;

/// Largest file an import accepts (the rest of the application keeps its 1 MiB limit).
pub const IMPORT_LIMIT: usize = 50 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .layer(DefaultBodyLimit::max(IMPORT_LIMIT))
        .routes(routes!(get_job))
        .routes(routes!(problems))
        .routes(routes!(template))
        .routes(routes!(export))
}

pub fn kind_of(key: &str) -> Result<Kind, ApiError> {
    Kind::parse(key).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "import.unknown_kind",
            format!("不支持导入导出“{key}”：可用的有 entities、licences、practitioners、inspectors、duty-lists"),
        )
    })
}

pub fn mode_of(key: Option<&str>) -> Result<Mode, ApiError> {
    match key.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(Mode::AllOrNothing),
        Some(k) => Mode::parse(k).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import.invalid_mode",
                "导入方式应为 all_or_nothing（全部无误才导入）或 clean_rows_only（只导入无问题的行）",
            )
            .with_field("mode")
        }),
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "request.too_large",
        format!("文件超过上限（{} MB），请拆分后分批导入", IMPORT_LIMIT / 1024 / 1024),
    )
}

/// Where a duty-list import writes: the version named (a draft), else the unit's draft.
pub fn duty_target(unit_id: Option<&str>, duty_list_id: Option<&str>) -> Result<Option<Target>, ApiError> {
    let given = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let bad = |field: &str| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_id", "编号格式无效").with_field(field)
    };
    if let Some(id) = given(duty_list_id) {
        return Ok(Some(Target::Version(id.parse::<DutyListId>().map_err(|_| bad("duty_list_id"))?)));
    }
    match given(unit_id) {
        Some(id) => Ok(Some(Target::Unit(id.parse::<UnitId>().map_err(|_| bad("unit_id"))?))),
        None => Ok(None),
    }
}

/// A file split off a name like `entities.csv`.
pub fn split_file(name: &str) -> Option<(&str, Format)> {
    let (stem, ext) = name.rsplit_once('.')?;
    Some((stem, Format::parse(ext)?))
}

/// A download with a file name the browser keeps (RFC 5987 for Chinese names).
pub fn download(d: Download) -> Response {
    let encoded: String = d
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition =
        format!("attachment; filename=\"download.{}\"; filename*=UTF-8''{encoded}", extension(&d.file_name));
    let mut res = (StatusCode::OK, d.bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(d.content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn extension(name: &str) -> &str {
    name.rsplit_once('.').map(|(_, e)| e).filter(|e| e.is_ascii()).unwrap_or("bin")
}

/// One problem of an import, as the report lists it.
#[derive(Serialize, ToSchema)]
pub struct ProblemView {
    /// The worksheet, when the file's data spans several (a duty list's workbook); else empty.
    pub sheet: String,
    /// Spreadsheet row (the header is row 1).
    pub row: usize,
    /// Chinese column header.
    pub column: String,
    pub value: String,
    pub message: String,
    pub code: String,
}

/// An import job and its progress.
#[derive(Serialize, ToSchema)]
pub struct JobView {
    pub id: String,
    /// entities, licences, practitioners, inspectors or duty-lists
    pub kind: String,
    /// all_or_nothing or clean_rows_only
    pub mode: String,
    /// validating, ready, importing, done or failed
    pub status: String,
    pub status_label: String,
    pub file_name: String,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub created_rows: i64,
    pub updated_rows: i64,
    pub unchanged_rows: i64,
    pub problem_count: i64,
    /// Why the job did not (fully) import.
    pub error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
    /// The first 100 problems; the report has them all.
    pub problems: Vec<ProblemView>,
    /// Where the full problem report is, when there are problems.
    pub problems_csv: Option<String>,
}

impl From<&ImportJob> for JobView {
    fn from(j: &ImportJob) -> Self {
        let problems = j
            .problems
            .as_deref()
            .map(report::parse)
            .unwrap_or_default()
            .into_iter()
            .take(100)
            .map(|p| ProblemView {
                sheet: p.sheet,
                row: p.row,
                column: p.column,
                value: p.value,
                message: p.message,
                code: p.code,
            })
            .collect();
        JobView {
            id: j.id.to_string(),
            kind: j.kind.clone(),
            mode: j.mode.clone(),
            status: j.status.key().into(),
            status_label: j.status.label().into(),
            file_name: j.file_name.clone(),
            total_rows: j.total_rows,
            processed_rows: j.processed_rows,
            created_rows: j.created_rows,
            updated_rows: j.updated_rows,
            unchanged_rows: j.unchanged_rows,
            problem_count: j.problem_count,
            error: j.error.clone(),
            created_at: weijian_store::time::to_db(j.created_at),
            finished_at: j.finished_at.map(weijian_store::time::to_db),
            problems,
            problems_csv: j.problems.as_ref().map(|_| format!("/api/v1/imports/{}/problems.csv", j.id)),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// all_or_nothing (default) or clean_rows_only
    pub mode: Option<String>,
    /// The file's name, for a raw body (a multipart upload carries its own).
    pub filename: Option<String>,
    /// Duty lists: import into this unit's draft (made if it has none).
    pub unit_id: Option<String>,
    /// Duty lists: import into this version, which must be a draft (else 409).
    pub duty_list_id: Option<String>,
}

/// The uploaded file: a multipart form (`file`, optional `mode`) or the raw body.
pub struct Upload {
    pub file_name: String,
    pub bytes: Bytes,
    pub mode: Option<String>,
    /// The registry, when a form chooses it (the page's upload form).
    pub kind: Option<String>,
    /// Duty lists: the unit or version, when a form chooses it.
    pub unit_id: Option<String>,
    pub duty_list_id: Option<String>,
}

pub async fn read_upload(req: Request, state: &AppState, query_name: Option<String>) -> Result<Upload, ApiError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "request.unreadable", "无法读取上传的文件")
            }
        })?;
        return Ok(Upload {
            file_name: query_name.unwrap_or_else(|| "上传文件".into()),
            bytes,
            mode: None,
            kind: None,
            unit_id: None,
            duty_list_id: None,
        });
    }
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "request.unreadable", "上传的表单无法读取"))?;
    let mut upload = Upload {
        file_name: String::new(),
        bytes: Bytes::new(),
        mode: None,
        kind: None,
        unit_id: None,
        duty_list_id: None,
    };
    let mut got_file = false;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(ApiError::new(StatusCode::BAD_REQUEST, "request.unreadable", "上传的表单无法读取")),
        };
        match field.name().unwrap_or_default() {
            "file" => {
                upload.file_name = field.file_name().unwrap_or("上传文件").to_string();
                upload.bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        too_large()
                    } else {
                        ApiError::new(StatusCode::BAD_REQUEST, "request.unreadable", "上传的文件无法读取")
                    }
                })?;
                got_file = true;
            }
            "mode" => upload.mode = field.text().await.ok(),
            "kind" => upload.kind = field.text().await.ok(),
            "unit_id" => upload.unit_id = field.text().await.ok(),
            "duty_list_id" => upload.duty_list_id = field.text().await.ok(),
            _ => {}
        }
    }
    if !got_file {
        return Err(
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "import.no_file", "请选择要导入的文件").with_field("file")
        );
    }
    Ok(upload)
}

/// Starts an import: the file is read and checked at once, then validated
/// row by row and written in the background. Follow it at `Location`.
/// Duty lists go into a unit's draft (`unit_id`) or a named draft (`duty_list_id`).
#[utoipa::path(post, path = "/api/v1/imports/{id}", tag = "imports",
    params(("id" = String, Path, description = "要导入的内容：entities（监管对象）、licences（许可证）、practitioners（医务人员）、inspectors（执法人员）或 duty-lists（权责清单，须指定 unit_id 或 duty_list_id）"), UploadQuery),
    request_body(content = Vec<u8>, description = "CSV（UTF-8 或 GBK）或 XLSX 文件：multipart 表单的 file 字段，或整个请求体",
        content_type = "multipart/form-data"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 202, body = JobView, description = "已受理，后台校验与导入"),
        (status = 403, body = crate::ErrorBody),
        (status = 404, description = "未知的种类；单位或版本不存在或不在辖区内", body = crate::ErrorBody),
        (status = 409, description = "权责清单版本已发布，不能导入", body = crate::ErrorBody),
        (status = 413, body = crate::ErrorBody),
        (status = 422, description = "空文件、不是表格、导入方式无效、未指定单位", body = crate::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    axum::extract::Path(kind): axum::extract::Path<String>,
    Query(q): Query<UploadQuery>,
    req: Request,
) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    let mut mode = mode_of(q.mode.as_deref())?;
    let mut target = duty_target(q.unit_id.as_deref(), q.duty_list_id.as_deref())?;
    let upload = read_upload(req, &state, q.filename).await?;
    if upload.mode.is_some() {
        mode = mode_of(upload.mode.as_deref())?;
    }
    if target.is_none() {
        target = duty_target(upload.unit_id.as_deref(), upload.duty_list_id.as_deref())?;
    }
    let scope = Scope { region: None, duty_list: target.filter(|_| kind == Kind::DutyLists) };
    let import =
        Import::prepare_in(&state.store, &a.actor, kind, mode, &upload.file_name, &upload.bytes, scope).await?;
    let view = JobView::from(import.job());
    let location = format!("/api/v1/imports/{}", view.id);
    import.spawn();
    let mut res = (StatusCode::ACCEPTED, Json(view)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// An import job's progress and outcome.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports",
    params(("id" = String, Path, description = "导入任务编号")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = JobView), (status = 404, body = crate::ErrorBody)))]
pub async fn get_job(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<ImportJobId>,
) -> Result<Json<JobView>, ApiError> {
    let job = weijian_exchange::jobs::get(&state.store, &a.actor, id).await?;
    Ok(Json(JobView::from(&job)))
}

/// The problem report of an import: `problems.csv` or `problems.xlsx`.
#[utoipa::path(get, path = "/api/v1/imports/{id}/{file}", tag = "imports",
    params(("id" = String, Path, description = "导入任务编号"), ("file" = String, Path, description = "problems.csv 或 problems.xlsx")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "问题清单：行号、列、值、问题、问题代码"), (status = 404, body = crate::ErrorBody)))]
pub async fn problems(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    axum::extract::Path((id, file)): axum::extract::Path<(String, String)>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::from(DomainError::not_found());
    let id: ImportJobId = id.parse().map_err(|_| not_found())?;
    let format = match split_file(&file) {
        Some(("problems", f)) => f,
        _ => return Err(not_found()),
    };
    let job = weijian_exchange::jobs::get(&state.store, &a.actor, id).await?;
    let bytes = report::render(job.problems.as_deref().unwrap_or(report_header()), format)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.code, e.message))?;
    Ok(download(Download {
        file_name: format!("问题清单-{}.{}", job.file_name, format.extension()),
        content_type: format.content_type(),
        bytes,
    }))
}

fn report_header() -> &'static str {
    "行号,列,值,问题,问题代码\r\n"
}

/// The import template of a registry: `entities.csv`, `licences.xlsx` ...
/// (the header row and one example row).
#[utoipa::path(get, path = "/api/v1/templates/{file}", tag = "imports",
    params(("file" = String, Path, description = "entities、licences、practitioners、inspectors 或 duty-lists，加 .csv 或 .xlsx，如 practitioners.xlsx；权责清单的 Excel 模板每部分一个工作表")),
    responses((status = 200, description = "模板文件"), (status = 404, body = crate::ErrorBody)))]
pub async fn template(
    CurrentUser(_a): CurrentUser,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<Response, ApiError> {
    let (kind, format) = split_file(&file)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "import.unknown_file", "模板应为 .csv 或 .xlsx"))?;
    Ok(download(weijian_exchange::template(kind_of(kind)?, format)?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// Search words (name, USCC, address, licence number).
    pub q: Option<String>,
    /// Entities: only this region and those below it.
    pub region_code: Option<String>,
    /// Entities: a category key.
    pub category: Option<String>,
    /// Licences: a licence kind key.
    pub licence_kind: Option<String>,
    /// Practitioners: physician, nurse or technician (or 医师, 护士, 医技人员).
    pub practitioner_kind: Option<String>,
    /// Inspectors: a specialty key or label.
    pub specialty: Option<String>,
    /// Duty lists: the version to export ...
    pub duty_list_id: Option<String>,
    /// ... or the unit whose newest version to export.
    pub unit_id: Option<String>,
}

/// Everything of a registry the caller may see, as a file that imports back
/// unchanged — except practitioners: their 身份证号 are exported masked.
#[utoipa::path(get, path = "/api/v1/exports/{file}", tag = "imports",
    params(("file" = String, Path, description = "entities、licences、practitioners、inspectors 或 duty-lists，加 .csv 或 .xlsx；医务人员的身份证号导出时脱敏；权责清单导出一个版本（duty_list_id 或 unit_id）"), ExportParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "导出文件（CSV 带 BOM）"), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    axum::extract::Path(file): axum::extract::Path<String>,
    q: Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let (kind, format) = split_file(&file)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "export.unknown_file", "导出文件应为 .csv 或 .xlsx"))?;
    let kind = kind_of(kind)?;
    let Query(p) =
        q.map_err(|_| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_query", "查询参数无效"))?;
    let kind_filter = match kind {
        Kind::Licences => p.licence_kind,
        Kind::Practitioners => p.practitioner_kind,
        Kind::Inspectors => p.specialty,
        Kind::Entities | Kind::DutyLists => None,
    };
    let query = ExportQuery {
        q: p.q,
        region_code: p.region_code,
        category: p.category,
        kind: kind_filter,
        duty_list_id: p.duty_list_id,
        unit_id: p.unit_id,
    };
    Ok(download(weijian_exchange::export(&state.store, &a.actor, kind, format, &query).await?))
}
