//! Evidence attachments (证据附件): photos, recordings, videos and documents
//! that inspections, rectification reports and self-inspection reports
//! reference by id.
//!
//! The bytes are content-addressed: a blob lives at `sha256/ab/cd/<hash>`
//! under the attachments directory, a path derived from the hash alone, so no
//! name a user sends ever reaches the file system and identical content is
//! stored once. Each upload is its own row (who, when, for which entity), and
//! the row and its audit event — carrying the hash — are written in one
//! transaction.
//!
//! An upload streams through [`Upload`]: the size limit is checked before each
//! chunk is written, the type is judged from the first bytes before anything
//! touches the disk, and the bytes go to a temporary file (fsync, then rename
//! into place). A refused upload leaves neither a row nor a blob.

use crate::audit::{Audited, Change};
use crate::ids::{parse_db, AttachmentId, EntityId, UserId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::{entities, time, Actor, Store, StoreError, StoreResult, WriteTx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use weijian_rules::attachments::{
    human_size, judge, office_format, sniff, zip_directory, zip_names, AttachmentKind, Format, Refusal, HEAD_LEN,
    ZIP_TAIL_LEN,
};

/// A SHA-256 as 64 lowercase hex digits: the only thing a blob path is built from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Hex(String);

impl Sha256Hex {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Sha256Hex {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(Sha256Hex(s.to_string()))
        } else {
            Err(StoreError::Corrupt(format!("无效的 SHA-256：{s}")))
        }
    }
}

impl fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Sha256Hex {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// The attachments directory.
#[derive(Clone, Debug)]
pub struct BlobDir {
    root: PathBuf,
}

/// Where uploads in progress are written; backups leave it out.
pub const TEMP_SUBDIR: &str = "tmp";

impl BlobDir {
    pub fn new(root: impl Into<PathBuf>) -> BlobDir {
        BlobDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `sha256/ab/cd/abcd…`: two fan-out levels keep directories small.
    pub fn path_of(&self, sha256: &Sha256Hex) -> PathBuf {
        let h = sha256.as_str();
        self.root.join("sha256").join(&h[..2]).join(&h[2..4]).join(h)
    }

    /// Starts receiving an upload of `kind`, refusing it past `limit` bytes.
    pub fn upload(&self, kind: AttachmentKind, limit: u64) -> Upload {
        Upload {
            dir: self.clone(),
            kind,
            limit,
            pending: Vec::new(),
            judged: None,
            file: None,
            hasher: Sha256::new(),
            size: 0,
        }
    }
}

/// Why an upload was not stored.
#[derive(Debug)]
pub enum UploadError {
    TooLarge { kind: AttachmentKind, limit: u64 },
    Empty,
    Refused(Refusal),
    Store(StoreError),
}

impl From<std::io::Error> for UploadError {
    fn from(e: std::io::Error) -> Self {
        UploadError::Store(StoreError::Io(e))
    }
}

impl From<StoreError> for UploadError {
    fn from(e: StoreError) -> Self {
        UploadError::Store(e)
    }
}

/// A temporary file that is removed unless it was moved into place.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// An upload being received, chunk by chunk.
pub struct Upload {
    dir: BlobDir,
    kind: AttachmentKind,
    limit: u64,
    /// The first bytes, held until there are enough to judge the type.
    pending: Vec<u8>,
    /// The verdict on the first bytes; `Some(None)` is a ZIP still to be checked.
    judged: Option<Option<Format>>,
    file: Option<(tokio::fs::File, TempFile)>,
    hasher: Sha256,
    size: u64,
}

impl Upload {
    /// Takes the next chunk. Past the limit nothing more is written; a
    /// refused type is refused before anything is written.
    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), UploadError> {
        if self.size + chunk.len() as u64 > self.limit {
            return Err(UploadError::TooLarge { kind: self.kind, limit: self.limit });
        }
        self.size += chunk.len() as u64;
        self.hasher.update(chunk);
        match &mut self.file {
            Some((file, _)) => file.write_all(chunk).await?,
            None => {
                self.pending.extend_from_slice(chunk);
                if self.pending.len() >= HEAD_LEN {
                    self.judge_and_open().await?;
                }
            }
        }
        Ok(())
    }

    async fn judge_and_open(&mut self) -> Result<(), UploadError> {
        if self.pending.is_empty() {
            return Err(UploadError::Empty);
        }
        let verdict =
            judge(self.kind, sniff(&self.pending[..self.pending.len().min(HEAD_LEN)])).map_err(UploadError::Refused)?;
        self.judged = Some(verdict);
        let temp_dir = self.dir.root.join(TEMP_SUBDIR);
        tokio::fs::create_dir_all(&temp_dir).await?;
        let temp = TempFile { path: temp_dir.join(format!("{}.part", uuid::Uuid::now_v7())), keep: false };
        let mut file = tokio::fs::OpenOptions::new().write(true).read(true).create_new(true).open(&temp.path).await?;
        file.write_all(&self.pending).await?;
        self.pending = Vec::new();
        self.file = Some((file, temp));
        Ok(())
    }

    /// Ends the upload: the file is complete, synced and checked.
    pub async fn finish(mut self) -> Result<Staged, UploadError> {
        if self.file.is_none() {
            self.judge_and_open().await?;
        }
        let (mut file, temp) = self.file.take().expect("opened above");
        file.flush().await?;
        file.sync_all().await?;
        let format = match self.judged.flatten() {
            Some(f) => f,
            None => office_document(&mut file, self.size).await?,
        };
        let sha256 = Sha256Hex(hex::encode(self.hasher.finalize()));
        Ok(Staged { temp, sha256, size: self.size, kind: self.kind, format })
    }
}

/// Reads a ZIP's central directory from the file to tell an office document
/// from any other archive.
async fn office_document(file: &mut tokio::fs::File, size: u64) -> Result<Format, UploadError> {
    let not_office = || UploadError::Refused(Refusal::Unsupported("压缩文件已损坏或不是 Office 文档".into()));
    let tail_len = size.min(ZIP_TAIL_LEN as u64);
    let mut tail = vec![0u8; tail_len as usize];
    file.seek(std::io::SeekFrom::Start(size - tail_len)).await?;
    file.read_exact(&mut tail).await?;
    let (offset, len) = zip_directory(&tail).ok_or_else(not_office)?;
    // An office file's directory is a few KB; a huge one is not worth reading.
    if offset.checked_add(len).is_none_or(|end| end > size) || len > 4 * 1024 * 1024 {
        return Err(not_office());
    }
    let mut directory = vec![0u8; len as usize];
    file.seek(std::io::SeekFrom::Start(offset)).await?;
    file.read_exact(&mut directory).await?;
    let names = zip_names(&directory).ok_or_else(not_office)?;
    office_format(&names).map_err(UploadError::Refused)
}

/// A complete, checked upload in its temporary file, not yet in the store.
/// Dropping it removes the file.
pub struct Staged {
    temp: TempFile,
    pub sha256: Sha256Hex,
    pub size: u64,
    pub kind: AttachmentKind,
    pub format: Format,
}

impl Staged {
    /// Moves the blob to its content address (synced file, rename, synced
    /// directory). Content already there is kept and this copy dropped.
    async fn persist(mut self, dir: &BlobDir) -> StoreResult<()> {
        let dest = dir.path_of(&self.sha256);
        if tokio::fs::try_exists(&dest).await? {
            return Ok(());
        }
        let parent = dest.parent().expect("blob paths have parents");
        tokio::fs::create_dir_all(parent).await?;
        tokio::fs::rename(&self.temp.path, &dest).await?;
        self.temp.keep = true;
        #[cfg(unix)]
        std::fs::File::open(parent)?.sync_all()?;
        Ok(())
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Attachment {
    pub id: AttachmentId,
    pub sha256: Sha256Hex,
    pub size: i64,
    /// Detected from the content.
    pub media_type: String,
    #[serde(serialize_with = "kind_key")]
    pub kind: AttachmentKind,
    /// The uploaded file's name, sanitised; for display only.
    pub original_name: String,
    pub region_code: String,
    pub entity_id: Option<EntityId>,
    pub uploaded_by: Option<UserId>,
    /// The uploader's display name (None for the system).
    pub uploaded_by_name: Option<String>,
    /// The uploader's own entity when an institution user uploaded it: who
    /// may put it in which record depends on it.
    pub uploader_entity_id: Option<EntityId>,
    pub uploaded_at: DateTime<Utc>,
    /// What it is attached to, once linked: `inspection`, `rectification`...
    pub owner_type: Option<String>,
    pub owner_id: Option<String>,
}

fn kind_key<S: serde::Serializer>(k: &AttachmentKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(k.key())
}

impl Audited for Attachment {
    const OBJECT_TYPE: &'static str = "attachment";
    fn object_id(&self) -> String {
        self.id.to_string()
    }
    fn owning_region(&self) -> &str {
        &self.region_code
    }
}

const OWNER: Owner = Owner { region: "region_code", entity: Some("entity_id") };
const COLUMNS: &str = "id, sha256, size, media_type, kind, original_name, region_code, entity_id, uploaded_by, \
     uploaded_at, owner_type, owner_id, \
     (SELECT u.name FROM users u WHERE u.id = attachments.uploaded_by) AS uploaded_by_name, \
     (SELECT u.entity_id FROM users u WHERE u.id = attachments.uploaded_by) AS uploader_entity_id";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Attachment> {
    let kind: String = r.try_get("kind")?;
    Ok(Attachment {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        sha256: r.try_get::<String, _>("sha256")?.parse()?,
        size: r.try_get("size")?,
        media_type: r.try_get("media_type")?,
        kind: AttachmentKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("无效的附件类型：{kind}")))?,
        original_name: r.try_get("original_name")?,
        region_code: r.try_get("region_code")?,
        entity_id: r.try_get::<Option<String>, _>("entity_id")?.map(|s| parse_db(&s)).transpose()?,
        uploaded_by: r.try_get::<Option<String>, _>("uploaded_by")?.map(|s| parse_db(&s)).transpose()?,
        uploaded_by_name: r.try_get("uploaded_by_name")?,
        uploader_entity_id: r.try_get::<Option<String>, _>("uploader_entity_id")?.map(|s| parse_db(&s)).transpose()?,
        uploaded_at: time::from_db(&r.try_get::<String, _>("uploaded_at")?)?,
        owner_type: r.try_get("owner_type")?,
        owner_id: r.try_get("owner_id")?,
    })
}

/// Who an attachment will belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentOwner {
    pub region_code: String,
    pub entity_id: Option<EntityId>,
}

/// Decides, before any byte is received, whom an upload belongs to and that
/// the actor may write there: the named entity (which must be visible), an
/// institution user's own entity, or else the actor's own region.
pub async fn owner_for(store: &Store, actor: &Actor, entity_id: Option<EntityId>) -> StoreResult<AttachmentOwner> {
    let own_entity = match &actor.standing {
        crate::actor::Standing::User { entity_id, .. } => *entity_id,
        crate::actor::Standing::System => None,
    };
    let owner = match entity_id.or(own_entity) {
        Some(id) => {
            let e = entities::get(store, actor, id).await?;
            AttachmentOwner { region_code: e.data.region_code, entity_id: Some(e.id) }
        }
        None => match actor.region_code() {
            Some(r) => AttachmentOwner { region_code: r.as_str().to_string(), entity_id: None },
            None => {
                return Err(StoreError::Conflict {
                    code: "attachment.owner_required",
                    message: "系统上传附件须指定监管对象".into(),
                })
            }
        },
    };
    let mut conn = store.reader().acquire().await?;
    authorize_write(&mut conn, actor, WriteTarget { region_code: &owner.region_code, entity_id: owner.entity_id })
        .await?;
    Ok(owner)
}

/// Stores a checked upload: the blob first, then the row and its audit event
/// in one transaction. Should the transaction fail, the blob stays behind as
/// an orphan, which is harmless: it is addressed by its content, so nothing
/// names it, nothing serves it without a row, and the next upload of the same
/// bytes simply reuses it.
pub async fn create(
    store: &Store,
    actor: &Actor,
    dir: &BlobDir,
    staged: Staged,
    owner: &AttachmentOwner,
    original_name: &str,
) -> StoreResult<Attachment> {
    let (uploaded_by_name, uploader_entity_id) = match actor.user_id() {
        Some(user) => {
            let r = sqlx::query("SELECT name, entity_id FROM users WHERE id = $1")
                .bind(user.to_string())
                .fetch_optional(store.reader())
                .await?
                .ok_or(StoreError::NotFound)?;
            let entity = r.try_get::<Option<String>, _>("entity_id")?.map(|s| parse_db(&s)).transpose()?;
            (Some(r.try_get::<String, _>("name")?), entity)
        }
        None => (None, None),
    };
    let a = Attachment {
        id: AttachmentId::new(),
        sha256: staged.sha256.clone(),
        size: staged.size as i64,
        media_type: staged.format.media_type(staged.kind).to_string(),
        kind: staged.kind,
        original_name: original_name.to_string(),
        region_code: owner.region_code.clone(),
        entity_id: owner.entity_id,
        uploaded_by: actor.user_id(),
        uploaded_by_name,
        uploader_entity_id,
        uploaded_at: time::now(),
        owner_type: None,
        owner_id: None,
    };
    staged.persist(dir).await?;
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &a.region_code, entity_id: a.entity_id }).await?;
    sqlx::query(
        "INSERT INTO attachments (id, sha256, size, media_type, kind, original_name, region_code, entity_id, \
         uploaded_by, uploaded_at, owner_type, owner_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(a.id.to_string())
    .bind(a.sha256.as_str())
    .bind(a.size)
    .bind(&a.media_type)
    .bind(a.kind.key())
    .bind(&a.original_name)
    .bind(&a.region_code)
    .bind(a.entity_id.map(|e| e.to_string()))
    .bind(a.uploaded_by.map(|u| u.to_string()))
    .bind(time::to_db(a.uploaded_at))
    .bind(None::<String>)
    .bind(None::<String>)
    .execute(&mut *tx.conn())
    .await?;
    let summary = format!(
        "上传{}“{}”（{}，{}），SHA-256 {}",
        a.kind.label(),
        a.original_name,
        a.media_type,
        human_size(a.size as u64),
        a.sha256
    );
    tx.audit(actor, Change::of("attachment.upload", &a, summary, None)).await?;
    tx.commit().await?;
    Ok(a)
}

/// An attachment, if the actor's jurisdiction covers it.
pub async fn get(store: &Store, actor: &Actor, id: AttachmentId) -> StoreResult<Attachment> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE id = $1 AND {}", f.sql);
    let r = f
        .bind(sqlx::query(&sql).bind(id.to_string()))
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

/// The attachments of one record, oldest first, within the actor's jurisdiction.
pub async fn of_owner(store: &Store, actor: &Actor, owner_type: &str, owner_id: &str) -> StoreResult<Vec<Attachment>> {
    let f = read_filter(actor, OWNER, 3);
    let sql = format!(
        "SELECT {COLUMNS} FROM attachments WHERE owner_type = $1 AND owner_id = $2 AND {} ORDER BY uploaded_at, id",
        f.sql
    );
    let rows = f.bind(sqlx::query(&sql).bind(owner_type).bind(owner_id)).fetch_all(store.reader()).await?;
    rows.iter().map(from_row).collect()
}

/// Attaches an upload to the record that cites it, inside that record's
/// transaction. An attachment belongs to one record: linking it elsewhere is refused.
pub async fn link(
    tx: &mut WriteTx,
    actor: &Actor,
    id: AttachmentId,
    owner_type: &str,
    owner_id: &str,
) -> StoreResult<Attachment> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE id = $1 AND {}", f.sql);
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(&mut *tx.conn()).await?;
    let before = from_row(&r.ok_or(StoreError::NotFound)?)?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &before.region_code, entity_id: before.entity_id })
        .await?;
    match (&before.owner_type, &before.owner_id) {
        (Some(t), Some(i)) if t == owner_type && i == owner_id => return Ok(before),
        (None, None) => {}
        _ => {
            return Err(StoreError::Conflict {
                code: "attachment.already_linked",
                message: "该附件已属于其他记录，请重新上传".into(),
            })
        }
    }
    let done =
        sqlx::query("UPDATE attachments SET owner_type = $1, owner_id = $2 WHERE id = $3 AND owner_type IS NULL")
            .bind(owner_type)
            .bind(owner_id)
            .bind(id.to_string())
            .execute(&mut *tx.conn())
            .await?;
    if done.rows_affected() != 1 {
        // Linked by someone else since it was read.
        return Err(StoreError::Conflict {
            code: "attachment.already_linked",
            message: "该附件已属于其他记录，请重新上传".into(),
        });
    }
    let after = Attachment { owner_type: Some(owner_type.into()), owner_id: Some(owner_id.into()), ..before.clone() };
    let summary = format!("附件“{}”归入 {owner_type} {owner_id}", after.original_name);
    tx.audit(actor, Change::of("attachment.link", &after, summary, Some(&before))).await?;
    Ok(after)
}

/// Opens an attachment's bytes. A row whose blob is missing means the
/// attachments directory was lost or not restored: corruption, not "not found".
pub async fn open(dir: &BlobDir, a: &Attachment) -> StoreResult<(PathBuf, tokio::fs::File)> {
    let path = dir.path_of(&a.sha256);
    match tokio::fs::File::open(&path).await {
        Ok(f) => Ok((path, f)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(StoreError::Corrupt(format!("附件 {} 的内容文件缺失（SHA-256 {}）", a.id, a.sha256)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Attachments of an entity this user uploaded and has not yet attached to a
/// record (the photos taken during an inspection still being written).
pub async fn pending(store: &Store, actor: &Actor, entity_id: EntityId) -> StoreResult<Vec<Attachment>> {
    let Some(user) = actor.user_id() else { return Ok(vec![]) };
    let f = read_filter(actor, OWNER, 3);
    let sql = format!(
        "SELECT {COLUMNS} FROM attachments WHERE entity_id = $1 AND uploaded_by = $2 AND owner_id IS NULL AND {} \
         ORDER BY uploaded_at",
        f.sql
    );
    let q = f.bind(sqlx::query(&sql).bind(entity_id.to_string()).bind(user.to_string()));
    q.fetch_all(store.reader()).await?.iter().map(from_row).collect()
}
