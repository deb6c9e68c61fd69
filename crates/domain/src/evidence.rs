//! Evidence attachments (证据附件) offered with a record or a report: they
//! must exist in the actor's scope, belong to the record's entity (or to none
//! yet) and not be linked to another record.

use crate::error::{DomainError, DomainResult};
use weijian_store::{Actor, Store, StoreError};

fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> DomainError {
    DomainError::invalid(code, field, message)
}

/// The offered ids, each checked and kept once, in order.
pub(crate) async fn unlinked(
    store: &Store,
    actor: &Actor,
    entity: weijian_store::ids::EntityId,
    ids: &[String],
) -> DomainResult<Vec<String>> {
    let mut out = Vec::new();
    for raw in ids {
        let id: weijian_store::ids::AttachmentId =
            raw.trim().parse().map_err(|_| invalid("request.invalid_id", "attachments", "附件标识无效"))?;
        let a = match weijian_store::attachments::get(store, actor, id).await {
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
        if !out.contains(&id.to_string()) {
            out.push(id.to_string());
        }
    }
    Ok(out)
}
