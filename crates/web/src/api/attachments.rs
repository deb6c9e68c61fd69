//! Evidence attachments over HTTP: a streamed multipart upload, its
//! metadata, and its content served only from the content-addressed store
//! with the detected type.

use crate::error::ApiError;
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use tower::ServiceExt;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use weijian_domain::evidence::{self as domain, Attachment, BlobDir, Received, UploadError};
use weijian_domain::DomainError;
use weijian_rules::attachments::{display_name, download_name, human_size, AttachmentKind, Refusal};
use weijian_store::ids::{AttachmentId, EntityId};

pub const UPLOAD_PATH: &str = "/api/v1/attachments";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // The per-kind limits are enforced while the file streams in (they are
        // configuration, this router is not), so the global 1 MiB cap is lifted here only.
        .routes(routes!(upload))
        .layer(DefaultBodyLimit::disable())
        .routes(routes!(get))
        .routes(routes!(content))
}

/// An attachment's metadata.
#[derive(Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: String,
    /// SHA-256 of the content, 64 hex digits.
    pub sha256: String,
    /// Bytes.
    pub size: i64,
    /// Detected from the content, not from the name.
    pub media_type: String,
    /// photo, audio, video or document
    pub kind: String,
    pub kind_label: String,
    /// The uploaded file's name, for display only.
    pub original_name: String,
    pub region_code: String,
    pub entity_id: Option<String>,
    /// The uploader's user id (none for the system).
    pub uploaded_by: Option<String>,
    /// The uploader's display name.
    pub uploaded_by_name: Option<String>,
    pub uploaded_at: String,
    /// What it is attached to, once linked (inspection, rectification...).
    pub owner_type: Option<String>,
    pub owner_id: Option<String>,
    /// Where to download the content.
    pub content_url: String,
}

impl From<&Attachment> for AttachmentView {
    fn from(a: &Attachment) -> Self {
        AttachmentView {
            id: a.id.to_string(),
            sha256: a.sha256.to_string(),
            size: a.size,
            media_type: a.media_type.clone(),
            kind: a.kind.key().into(),
            kind_label: a.kind.label().into(),
            original_name: a.original_name.clone(),
            region_code: a.region_code.clone(),
            entity_id: a.entity_id.map(|e| e.to_string()),
            uploaded_by: a.uploaded_by.map(|u| u.to_string()),
            uploaded_by_name: a.uploaded_by_name.clone(),
            uploaded_at: weijian_store::time::to_db(a.uploaded_at),
            owner_type: a.owner_type.clone(),
            owner_id: a.owner_id.clone(),
            content_url: format!("{UPLOAD_PATH}/{}/content", a.id),
        }
    }
}

/// An attachment as the pages list it: (id, file name, who uploaded it and when).
pub(crate) fn page_line(a: &Attachment) -> (String, String, String) {
    let who = a.uploaded_by_name.clone().unwrap_or_else(|| "系统".into());
    (a.id.to_string(), a.original_name.clone(), format!("{who} 上传于 {}", weijian_store::time::display(a.uploaded_at)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// photo, audio, video or document (or the form's `kind` field, before `file`).
    pub kind: Option<String>,
    /// The supervised entity the evidence concerns (or the form's `entity_id` field).
    pub entity_id: Option<String>,
}

/// The multipart form, for the document only: the handler reads it as a stream.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// photo（照片）, audio（录音）, video（录像）or document（文档）; must come before `file`.
    kind: String,
    /// Optional; must come before `file`. An institution user's uploads always belong to its own entity.
    entity_id: Option<String>,
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

fn invalid(status: StatusCode, code: &str, field: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(status, code, message).with_field(field)
}

fn parse_kind(s: &str) -> Result<AttachmentKind, ApiError> {
    AttachmentKind::parse_key_or_label(s).ok_or_else(|| {
        invalid(
            StatusCode::UNPROCESSABLE_ENTITY,
            "attachment.invalid_kind",
            "kind",
            "附件类型应为 photo（照片）、audio（录音）、video（录像）或 document（文档）",
        )
    })
}

fn parse_entity(s: &str) -> Result<Option<EntityId>, ApiError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| {
        invalid(StatusCode::UNPROCESSABLE_ENTITY, "attachment.invalid_entity", "entity_id", "监管对象编号格式不正确")
    })
}

fn unreadable(e: MultipartError) -> ApiError {
    tracing::debug!(error = %e, "multipart upload unreadable");
    ApiError::new(StatusCode::BAD_REQUEST, "request.unreadable", "上传的表单无法读取")
}

/// A short text field, read without ever holding more than a few hundred bytes.
async fn small_text(mut field: Field<'_>, name: &str) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > 256 {
            return Err(invalid(StatusCode::UNPROCESSABLE_ENTITY, "attachment.field_too_long", name, "表单字段过长"));
        }
    }
    String::from_utf8(bytes).map_err(|_| {
        invalid(StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field", name, "表单字段不是有效的 UTF-8 文本")
    })
}

fn refused(e: UploadError) -> ApiError {
    match e {
        UploadError::TooLarge { kind, limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "attachment.too_large",
            format!("附件超过上限：{}最大 {}", kind.label(), human_size(limit)),
        )
        .with_field("file"),
        UploadError::Empty => invalid(StatusCode::UNPROCESSABLE_ENTITY, "attachment.empty", "file", "上传的文件是空的"),
        UploadError::Refused(r @ Refusal::Unsupported(_)) => {
            invalid(StatusCode::UNSUPPORTED_MEDIA_TYPE, r.code(), "file", r.message())
        }
        UploadError::Refused(r @ Refusal::Mismatch { .. }) => {
            invalid(StatusCode::UNPROCESSABLE_ENTITY, r.code(), "file", r.message())
        }
        UploadError::Store(e) => DomainError::from(e).into(),
    }
}

fn blob_dir(state: &AppState) -> Result<BlobDir, ApiError> {
    state.config.attachments_dir.as_ref().map(BlobDir::new).ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "attachment.not_configured",
            "未配置附件存储目录，暂不能上传附件",
        )
    })
}

/// Receives one multipart upload (fields `kind`, `entity_id`, then `file`;
/// `kind`/`entity_id` may come as defaults) and hands it to the domain, which
/// decides who may upload and whose it is before a byte is received: the API's
/// route and the pages' upload forms share this.
pub(crate) async fn accept(
    state: &AppState,
    actor: &weijian_store::Actor,
    default_kind: Option<&str>,
    default_entity: Option<&str>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Attachment, ApiError> {
    // A role that collects no evidence is refused before the form is read.
    domain::may_upload(actor)?;
    let blobs = blob_dir(state)?;
    let mut form = form.map_err(|_| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.content_type",
            "请以 multipart/form-data 表单上传附件",
        )
    })?;
    let mut kind = default_kind.map(parse_kind).transpose()?;
    let mut entity = match default_entity {
        Some(s) => parse_entity(s)?,
        None => None,
    };
    let mut staged: Option<(Received, String)> = None;
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        if staged.is_some() {
            return Err(invalid(
                StatusCode::UNPROCESSABLE_ENTITY,
                "attachment.field_order",
                &name,
                "一次只能上传一个文件，且 kind、entity_id 字段须在 file 之前",
            ));
        }
        match name.as_str() {
            "kind" => kind = Some(parse_kind(&small_text(field, "kind").await?)?),
            "entity_id" => entity = parse_entity(&small_text(field, "entity_id").await?)?,
            "file" => {
                let kind = kind.ok_or_else(|| {
                    invalid(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "attachment.kind_required",
                        "kind",
                        "请指定附件类型（kind 字段须在 file 之前，或放在查询参数中）",
                    )
                })?;
                let original = display_name(field.file_name().unwrap_or_default());
                staged = Some((receive(&blobs, state, actor, kind, entity, field).await?, original));
            }
            other => {
                return Err(invalid(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "attachment.unknown_field",
                    other,
                    format!("未知的表单字段“{other}”：可用的有 kind、entity_id、file"),
                ))
            }
        }
    }
    let Some((received, original)) = staged else {
        return Err(invalid(StatusCode::UNPROCESSABLE_ENTITY, "attachment.no_file", "file", "请选择要上传的文件"));
    };
    Ok(domain::save(&state.store, actor, &blobs, received, &original).await?)
}

/// Uploads one evidence file. Its type is judged by its content (a photo must
/// be JPEG, PNG, WebP or HEIC; a recording MP3, M4A/AAC, AMR or MP4/3GP; a
/// video MP4, MOV or 3GP; a document PDF, DOCX or XLSX without macros) and
/// its size against the kind's limit while it streams in. Identical content
/// is stored once; each upload is its own record.
#[utoipa::path(post, path = "/api/v1/attachments", tag = "attachments",
    params(UploadParams),
    request_body(content = UploadForm, content_type = "multipart/form-data",
        description = "multipart 表单：kind、entity_id（可选）在前，file 在后"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = AttachmentView, description = "已保存"),
        (status = 400, description = "表单无法读取", body = crate::ErrorBody),
        (status = 403, description = "无权在该辖区或机构下上传；法制审核员、局领导不能上传（attachment.role_not_allowed）", body = crate::ErrorBody),
        (status = 404, description = "监管对象不存在或不在辖区内", body = crate::ErrorBody),
        (status = 413, description = "超过该类附件的大小上限（attachment.too_large）", body = crate::ErrorBody),
        (status = 415, description = "不接受的文件类型，如可执行程序（attachment.unsupported_type）", body = crate::ErrorBody),
        (status = 422, description = "内容与声明的类型不符（attachment.type_mismatch）、缺少字段或空文件", body = crate::ErrorBody),
        (status = 503, description = "未配置附件存储目录", body = crate::ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Query(q): Query<UploadParams>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let saved = accept(&state, &a.actor, q.kind.as_deref(), q.entity_id.as_deref(), form).await?;
    let view = AttachmentView::from(&saved);
    let mut res = (StatusCode::CREATED, Json(view)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{UPLOAD_PATH}/{}", saved.id)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Streams the file field into a staged upload, chunk by chunk, once the
/// domain has accepted who uploads it and about what.
async fn receive(
    blobs: &BlobDir,
    state: &AppState,
    actor: &weijian_store::Actor,
    kind: AttachmentKind,
    entity: Option<EntityId>,
    mut field: Field<'_>,
) -> Result<Received, ApiError> {
    let limit = state.config.attachment_limits.of(kind);
    let mut upload = domain::begin_upload(&state.store, actor, blobs, kind, limit, entity).await?;
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        upload.push(&chunk).await.map_err(refused)?;
    }
    upload.finish().await.map_err(refused)
}

/// An attachment's metadata (404 outside one's jurisdiction; an institution
/// user sees only its own entity's).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "attachments",
    params(("id" = String, Path, description = "附件编号")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = AttachmentView), (status = 404, body = crate::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<AttachmentId>,
) -> Result<Json<AttachmentView>, ApiError> {
    let found = domain::get(&state.store, &a.actor, id).await?;
    Ok(Json(AttachmentView::from(&found)))
}

/// RFC 5987 `ext-value` characters that need no escaping.
fn attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b)
}

/// `attachment` with an ASCII fallback name and the real (Chinese) name encoded per RFC 5987/6266.
pub(crate) fn content_disposition(name: &str, extension: &str) -> String {
    let encoded: String =
        name.bytes().map(|b| if attr_char(b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    format!("attachment; filename=\"attachment.{extension}\"; filename*=UTF-8''{encoded}")
}

/// The content, as a download of its detected type. Served from the
/// content-addressed store only; supports Range requests for long videos.
#[utoipa::path(get, path = "/api/v1/attachments/{id}/content", tag = "attachments",
    params(("id" = String, Path, description = "附件编号")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "文件内容，Content-Type 为检测出的类型，以附件形式下载"),
        (status = 206, description = "部分内容（Range 请求）"),
        (status = 404, body = crate::ErrorBody)))]
pub async fn content(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<AttachmentId>,
    req: Request,
) -> Result<Response, ApiError> {
    let found = domain::get(&state.store, &a.actor, id).await?;
    let blobs = blob_dir(&state)?;
    let path = domain::content_path(&blobs, &found).await?;
    let served = tower_http::services::ServeFile::new(path)
        .oneshot(req)
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务器内部错误，请稍后重试"))?;
    let mut res = served.map(Body::new);
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&found.media_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let name = download_name(&found.original_name, &found.media_type);
    let extension = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("bin").to_string();
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&name, &extension)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_are_encoded_and_the_fallback_is_ascii() {
        let d = content_disposition("现场 照片\";.jpg", "jpg");
        assert_eq!(
            d,
            "attachment; filename=\"attachment.jpg\"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA%20%E7%85%A7%E7%89%87%22%3B.jpg"
        );
        assert!(d.is_ascii());
    }

    #[test]
    fn kinds_parse_by_key_or_label() {
        assert_eq!(parse_kind("photo").unwrap(), AttachmentKind::Photo);
        assert_eq!(parse_kind("录音").unwrap(), AttachmentKind::Audio);
        assert_eq!(parse_kind("exe").unwrap_err().body.code, "attachment.invalid_kind");
        assert!(weijian_rules::attachments::accepted_formats(AttachmentKind::Photo).contains("HEIC"));
    }
}
