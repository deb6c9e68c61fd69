//! 案源 (case leads): staff of a region and below read them; inspectors and
//! section chiefs turn an overdue rectification order into one (转为案源, once
//! per order); leaders and section chiefs accept a lead or dismiss it with a
//! reason. Inspections raise leads themselves (see `inspections::record`).
//! Institutions never see leads.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult};
use weijian_rules::case_leads::{CaseLeadAction, DISMISS_REASON_MAX};
use weijian_store::case_leads::{self, CaseLead, Query};
use weijian_store::ids::{CaseLeadId, RectificationId};
use weijian_store::page::Page;
use weijian_store::{inspection_tasks, inspections, Actor, Store};

pub async fn list(store: &Store, actor: &Actor, q: &Query) -> DomainResult<Page<CaseLead>> {
    require(actor, Permission::ViewCaseLeads)?;
    Ok(case_leads::list(store, actor, q).await?)
}

pub async fn get(store: &Store, actor: &Actor, id: CaseLeadId) -> DomainResult<CaseLead> {
    require(actor, Permission::ViewCaseLeads)?;
    Ok(case_leads::get(store, actor, id).await?)
}

/// The leads of these orders, by order (empty for a role that may not see leads).
pub async fn of_orders(
    store: &Store,
    actor: &Actor,
    orders: &[RectificationId],
) -> DomainResult<std::collections::HashMap<RectificationId, CaseLeadId>> {
    if !crate::authz::allows(actor, Permission::ViewCaseLeads) {
        return Ok(Default::default());
    }
    Ok(case_leads::of_orders(store, actor, orders).await?)
}

/// 不予立案: dismisses an open lead; the reason is required.
pub async fn dismiss(
    store: &Store,
    actor: &Actor,
    id: CaseLeadId,
    version: Option<i64>,
    reason: &str,
) -> DomainResult<CaseLead> {
    require(actor, Permission::DecideCaseLeads)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DomainError::invalid("case_lead.reason_required", "reason", "请填写不予立案的理由"));
    }
    if reason.chars().count() > DISMISS_REASON_MAX {
        return Err(DomainError::invalid(
            "case_lead.reason_too_long",
            "reason",
            format!("理由不能超过 {DISMISS_REASON_MAX} 字"),
        ));
    }
    Ok(case_leads::decide(store, actor, id, CaseLeadAction::Dismiss, version, Some(reason)).await?)
}

/// Accepts an open lead for 立案 (the case module takes it from there).
pub async fn accept(
    store: &Store,
    actor: &Actor,
    id: CaseLeadId,
    version: Option<i64>,
    note: Option<&str>,
) -> DomainResult<CaseLead> {
    require(actor, Permission::DecideCaseLeads)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > DISMISS_REASON_MAX) {
        return Err(DomainError::invalid(
            "case_lead.reason_too_long",
            "reason",
            format!("说明不能超过 {DISMISS_REASON_MAX} 字"),
        ));
    }
    Ok(case_leads::decide(store, actor, id, CaseLeadAction::Accept, version, note).await?)
}

/// 转为案源: an order whose deadline has passed (by `today`, Beijing) without a
/// verified correction becomes a lead, with the violation codes of the points
/// its inspection failed. Only once per order.
pub async fn from_overdue_order(
    store: &Store,
    actor: &Actor,
    id: RectificationId,
    today: chrono::NaiveDate,
) -> DomainResult<CaseLead> {
    require(actor, Permission::RegisterCaseLeads)?;
    let order = inspections::get_rectification(store, actor, id).await?;
    let inspection = inspections::get(store, actor, order.inspection_id).await?;
    let task = inspection_tasks::get(store, &Actor::system(), inspection.task_id).await?;
    let checklist = crate::inspections::checklist_of(store, &Actor::system(), &task).await?;
    let codes = crate::inspections::failed_violation_codes(checklist.as_ref(), &inspection.data.results);
    Ok(case_leads::from_overdue_order(store, actor, &order, today, codes).await?)
}
