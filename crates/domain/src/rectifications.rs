//! 整改 (rectification orders) as their users see them: staff list the orders
//! in their region (and which are overdue); the institution inspected reports
//! its correction. An order is issued and closed by inspection records
//! (crate::recording), never by hand.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult, ErrorKind};
use weijian_store::ids::RectificationId;
use weijian_store::page::Page;
use weijian_store::rectifications::{self as store, Rectification, RectificationQuery};
use weijian_store::{Actor, Store};

/// Orders in the actor's scope (an institution: its own), soonest deadline first.
pub async fn list(store: &Store, actor: &Actor, q: &RectificationQuery) -> DomainResult<Page<Rectification>> {
    require(actor, Permission::ViewRegistry)?;
    Ok(store::list(store, actor, q).await?)
}

/// The institution reports its correction.
pub async fn report(
    store: &Store,
    actor: &Actor,
    id: RectificationId,
    version: Option<i64>,
    text: &str,
    attachments: &[String],
) -> DomainResult<Rectification> {
    require(actor, Permission::ViewRegistry)?;
    if actor.role() != Some(weijian_store::Role::Institution) && actor.role().is_some() {
        return Err(DomainError::new(
            ErrorKind::Forbidden,
            "rectification.institution_only",
            "整改报告由被检查单位提交",
        ));
    }
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 5000 {
        return Err(DomainError::invalid("rectification.report_required", "report", "请填写整改情况（5000 字以内）"));
    }
    let order = store::get(store, actor, id).await?;
    let attachments = crate::evidence::unlinked(store, actor, order.entity_id, attachments).await?;
    Ok(store::report(store, actor, id, version, text, &attachments).await?)
}
