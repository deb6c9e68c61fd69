//! 案源 (case leads): staff of a region and below read them; inspectors and
//! section chiefs turn an overdue rectification order into one (转为案源, once
//! per order); leaders and section chiefs accept a lead or dismiss it with a
//! reason. Inspections raise leads themselves (see `inspections::record`).
//! Institutions never see leads.
//!
//! A lead whose violation is of the 一般 tier or above ("一般以上情形案件要全部
//! 立案查办") is not dismissed directly: a leader or chief proposes the
//! dismissal (`request_dismissal`), and it takes effect only when a legal
//! reviewer signs it off (`legal_review`, 法制审核); refused, the lead is open again.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult, ErrorKind};
use weijian_rules::case_leads::{dismissal_needs_legal_review, CaseLeadAction, DISMISS_REASON_MAX, REVIEW_OPINION_MAX};
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

fn reason_of(reason: &str) -> DomainResult<&str> {
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
    Ok(reason)
}

/// The actions this user may take on the lead now: the table's, as the role
/// permits, with the one dismissal path the lead's tier takes.
pub fn allowed_actions(actor: &Actor, lead: &CaseLead) -> Vec<&'static str> {
    let review = dismissal_needs_legal_review(&lead.violation_codes);
    let skip = if review { CaseLeadAction::Dismiss } else { CaseLeadAction::RequestDismissal };
    crate::lifecycle::of_case_lead(actor, lead.status, &lead.region_code)
        .into_iter()
        .filter(|a| *a != skip.key())
        .collect()
}

/// 不予立案: dismisses an open lead below the 一般 tier; the reason is
/// required. A 一般-tier-or-above lead is refused (409
/// `case_lead.legal_review_required`): its dismissal is proposed with
/// [`request_dismissal`] and takes effect on the legal reviewer's sign-off.
pub async fn dismiss(
    store: &Store,
    actor: &Actor,
    id: CaseLeadId,
    version: Option<i64>,
    reason: &str,
) -> DomainResult<CaseLead> {
    require(actor, Permission::DecideCaseLeads)?;
    let reason = reason_of(reason)?;
    let lead = case_leads::get(store, actor, id).await?;
    if lead.status.is_open() && dismissal_needs_legal_review(&lead.violation_codes) {
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "case_lead.legal_review_required",
            format!(
                "该案源涉及违法行为（{}），属一般以上情形，不予立案须提请法制审核",
                lead.violation_codes.join("、")
            ),
        ));
    }
    Ok(case_leads::decide(store, actor, id, CaseLeadAction::Dismiss, version, Some(reason)).await?)
}

/// 提请法制审核: proposes dismissing a 一般-tier-or-above lead, with the
/// reason; the lead waits for a legal reviewer. A lead below the tier is
/// dismissed directly instead (409 `case_lead.legal_review_not_needed`).
pub async fn request_dismissal(
    store: &Store,
    actor: &Actor,
    id: CaseLeadId,
    version: Option<i64>,
    reason: &str,
) -> DomainResult<CaseLead> {
    require(actor, Permission::DecideCaseLeads)?;
    let reason = reason_of(reason)?;
    let lead = case_leads::get(store, actor, id).await?;
    if lead.status.is_open() && !dismissal_needs_legal_review(&lead.violation_codes) {
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "case_lead.legal_review_not_needed",
            "该案源未涉及违法行为，可直接不予立案，无需法制审核",
        ));
    }
    Ok(case_leads::request_dismissal(store, actor, id, version, reason).await?)
}

/// The legal reviewer's decision on a proposed dismissal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewDecision {
    Approve,
    Reject,
}

impl ReviewDecision {
    pub fn parse(s: &str) -> Option<ReviewDecision> {
        match s.trim() {
            "approve" | "同意" => Some(ReviewDecision::Approve),
            "reject" | "不同意" => Some(ReviewDecision::Reject),
            _ => None,
        }
    }
}

/// 法制审核: a legal reviewer approves the proposed dismissal (the lead is
/// dismissed) or rejects it (the lead is open again), always with an opinion.
/// Only a legal reviewer (403 `case_lead.legal_reviewer_only`).
pub async fn legal_review(
    store: &Store,
    actor: &Actor,
    id: CaseLeadId,
    decision: &str,
    version: Option<i64>,
    opinion: &str,
) -> DomainResult<CaseLead> {
    if !crate::authz::allows(actor, Permission::ReviewDismissals) {
        return Err(DomainError::new(
            ErrorKind::Forbidden,
            "case_lead.legal_reviewer_only",
            "不予立案的法制审核须由法制审核人员进行",
        ));
    }
    let decision = ReviewDecision::parse(decision).ok_or_else(|| {
        DomainError::invalid(
            "case_lead.invalid_decision",
            "decision",
            "审核结论应为 approve（同意）或 reject（不同意）",
        )
    })?;
    let opinion = opinion.trim();
    if opinion.is_empty() {
        return Err(DomainError::invalid("case_lead.opinion_required", "opinion", "请填写法制审核意见"));
    }
    if opinion.chars().count() > REVIEW_OPINION_MAX {
        return Err(DomainError::invalid(
            "case_lead.opinion_too_long",
            "opinion",
            format!("审核意见不能超过 {REVIEW_OPINION_MAX} 字"),
        ));
    }
    let approve = decision == ReviewDecision::Approve;
    Ok(case_leads::legal_review(store, actor, id, approve, version, opinion).await?)
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
