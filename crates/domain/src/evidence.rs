//! Evidence attachments (证据附件): who may upload them, and what may be put
//! into which record.
//!
//! Uploading needs [`Permission::AttachEvidence`]: inspectors and section
//! chiefs for inspections, an institution's users for their own entity's
//! reports; 法制审核员 and 局领导 do not collect evidence (403
//! `attachment.role_not_allowed`). The role and the owner are settled before a
//! byte is received, so a refused upload stores nothing.
//!
//! Linking: an inspection record takes only files its own two inspectors
//! uploaded, and an institution's report only files its own users uploaded
//! for that entity (422 `attachment.not_own_evidence` otherwise): a record is
//! evidence of what those who sign it saw, not of what someone else supplied.

use crate::authz::{allows, Permission};
use crate::error::{DomainError, DomainResult, ErrorKind};
use weijian_rules::attachments::AttachmentKind;
use weijian_store::attachments::{self as store, AttachmentOwner, Staged, Upload};
pub use weijian_store::attachments::{Attachment, BlobDir, UploadError};
use weijian_store::ids::{AttachmentId, EntityId, InspectorId, UserId};
use weijian_store::{Actor, Store, StoreError};

fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> DomainError {
    DomainError::invalid(code, field, message)
}

/// Refuses a role that does not collect evidence.
pub fn may_upload(actor: &Actor) -> DomainResult<()> {
    if allows(actor, Permission::AttachEvidence) {
        Ok(())
    } else {
        Err(DomainError::new(
            ErrorKind::Forbidden,
            "attachment.role_not_allowed",
            "您的角色不能上传证据附件：证据由执法人员在检查中收集，单位用户只能为本单位的报告上传",
        ))
    }
}

/// An upload being received: its role and owner already checked.
pub struct Receiving {
    upload: Upload,
    owner: AttachmentOwner,
}

/// A complete upload, checked and staged, not yet stored.
pub struct Received {
    staged: Staged,
    owner: AttachmentOwner,
}

/// Starts an upload of `kind` about `entity` (an institution user's always
/// about its own entity), refused past `limit` bytes.
pub async fn begin_upload(
    store_: &Store,
    actor: &Actor,
    dir: &BlobDir,
    kind: AttachmentKind,
    limit: u64,
    entity: Option<EntityId>,
) -> DomainResult<Receiving> {
    may_upload(actor)?;
    let owner = store::owner_for(store_, actor, entity).await?;
    Ok(Receiving { upload: dir.upload(kind, limit), owner })
}

impl Receiving {
    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), UploadError> {
        self.upload.push(chunk).await
    }

    pub async fn finish(self) -> Result<Received, UploadError> {
        Ok(Received { staged: self.upload.finish().await?, owner: self.owner })
    }
}

/// Stores a received upload with its audit event.
pub async fn save(
    store_: &Store,
    actor: &Actor,
    dir: &BlobDir,
    received: Received,
    original_name: &str,
) -> DomainResult<Attachment> {
    may_upload(actor)?;
    Ok(store::create(store_, actor, dir, received.staged, &received.owner, original_name).await?)
}

/// An attachment's metadata, within the actor's jurisdiction.
pub async fn get(store_: &Store, actor: &Actor, id: AttachmentId) -> DomainResult<Attachment> {
    Ok(store::get(store_, actor, id).await?)
}

/// Where an attachment's bytes are, once checked present (a missing blob is
/// corruption, not "not found").
pub async fn content_path(dir: &BlobDir, a: &Attachment) -> DomainResult<std::path::PathBuf> {
    let (path, _file) = store::open(dir, a).await?;
    Ok(path)
}

/// The attachments linked to a record.
pub async fn of_owner(
    store_: &Store,
    actor: &Actor,
    owner_type: &str,
    owner_id: &str,
) -> DomainResult<Vec<Attachment>> {
    Ok(store::of_owner(store_, actor, owner_type, owner_id).await?)
}

/// This user's uploads about an entity not yet in a record (the photos of an
/// inspection being written, the files of a report being drafted).
pub async fn pending(store_: &Store, actor: &Actor, entity: EntityId) -> DomainResult<Vec<Attachment>> {
    Ok(store::pending(store_, actor, entity).await?)
}

/// Whose uploads a record may take.
enum Source<'a> {
    /// An inspection record: its inspectors' user accounts.
    Inspectors(&'a [UserId]),
    /// A report of the entity: its own users.
    Institution,
}

/// The offered ids, each checked and kept once, in order: in the actor's
/// scope, of this entity (or none yet), not linked to another record, and
/// uploaded by someone the record may take evidence from.
async fn checked(
    store_: &Store,
    actor: &Actor,
    entity: EntityId,
    ids: &[String],
    source: Source<'_>,
) -> DomainResult<Vec<String>> {
    let mut out = Vec::new();
    for raw in ids {
        let id: AttachmentId =
            raw.trim().parse().map_err(|_| invalid("request.invalid_id", "attachments", "附件标识无效"))?;
        let a = match store::get(store_, actor, id).await {
            Ok(a) => a,
            Err(StoreError::NotFound) => {
                return Err(invalid("attachment.not_found", "attachments", "附件不存在或不在您的辖区内，请重新上传"))
            }
            Err(e) => return Err(e.into()),
        };
        if a.entity_id.is_some_and(|e| e != entity) || a.owner_id.is_some() {
            return Err(invalid(
                "attachment.belongs_elsewhere",
                "attachments",
                format!("附件“{}”属于其他监管对象或记录", a.original_name),
            ));
        }
        let own = match source {
            Source::Inspectors(users) => a.uploaded_by.is_some_and(|u| users.contains(&u)),
            Source::Institution => a.uploader_entity_id == Some(entity),
        };
        if !own {
            let whose = match source {
                Source::Inspectors(_) => "本次检查的执法人员",
                Source::Institution => "本单位用户",
            };
            return Err(invalid(
                "attachment.not_own_evidence",
                "attachments",
                format!(
                    "附件“{}”由{}上传，不是{whose}上传的，不能作为本记录的证据",
                    a.original_name,
                    a.uploaded_by_name.as_deref().unwrap_or("系统")
                ),
            ));
        }
        if !out.contains(&id.to_string()) {
            out.push(id.to_string());
        }
    }
    Ok(out)
}

/// Evidence for an inspection record of `entity`: only files one of the
/// record's two inspectors uploaded.
pub async fn for_inspection(
    store_: &Store,
    actor: &Actor,
    entity: EntityId,
    inspectors: [InspectorId; 2],
    ids: &[String],
) -> DomainResult<Vec<String>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut users = Vec::new();
    for i in inspectors {
        let x = weijian_store::inspectors::get(store_, &Actor::system(), i).await?;
        users.extend(x.data.user_id);
    }
    checked(store_, actor, entity, ids, Source::Inspectors(&users)).await
}

/// Files for an institution's report about its own entity (a rectification
/// or self-inspection report): only files that entity's users uploaded.
pub(crate) async fn unlinked(
    store_: &Store,
    actor: &Actor,
    entity: EntityId,
    ids: &[String],
) -> DomainResult<Vec<String>> {
    checked(store_, actor, entity, ids, Source::Institution).await
}
