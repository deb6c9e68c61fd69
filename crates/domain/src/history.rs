//! An object's audit history, for the roles that may see it.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult};
use weijian_store::audit::{self, AuditEvent};
use weijian_store::{Actor, Store};

pub const OBJECT_TYPES: &[&str] =
    &["user", "unit", "section", "entity", "region", "api_token", "duty_list", "attachment", "case_lead"];

pub async fn of_object(
    store: &Store,
    actor: &Actor,
    object_type: &str,
    object_id: &str,
) -> DomainResult<Vec<AuditEvent>> {
    require(actor, Permission::ViewAudit)?;
    if !OBJECT_TYPES.contains(&object_type) {
        return Err(DomainError::invalid("audit.unknown_object_type", "object_type", "未知的对象类型"));
    }
    if object_id.is_empty() || object_id.len() > 64 {
        return Err(DomainError::invalid("audit.invalid_object_id", "object_id", "对象标识无效"));
    }
    Ok(audit::history(store, actor, object_type, object_id).await?)
}
