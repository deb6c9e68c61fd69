//! 案源 (case leads): where a possible enforcement case came from and where its
//! lead stands. A lead is accepted (the case-handling module turns it into a
//! 立案) or dismissed with a reason; either decision is final. A lead whose
//! violation is of the 一般 tier or above is dismissed only after a legal
//! reviewer's sign-off (法制审核): "一般以上情形案件要全部立案查办".

use serde::{Deserialize, Serialize};

/// Where a case lead came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseLeadSource {
    /// An inspection concluded 建议立案.
    Inspection,
    /// A re-inspection (复查) found the order not carried out.
    UnresolvedReinspection,
    /// A rectification order's deadline passed without a verified correction.
    OverdueRectification,
    /// A complaint or report (投诉举报); the complaints module will create these.
    Complaint,
}

crate::keyed_enum!(CaseLeadSource {
    Inspection => ("inspection", "监督检查建议立案"),
    UnresolvedReinspection => ("unresolved_reinspection", "复查未整改到位"),
    OverdueRectification => ("overdue_rectification", "逾期未整改"),
    Complaint => ("complaint", "投诉举报"),
});

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseLeadStatus {
    Open,
    /// A dismissal was proposed and waits for the legal reviewer's sign-off.
    PendingLegalReview,
    Accepted,
    Dismissed,
}

crate::keyed_enum!(CaseLeadStatus {
    Open => ("open", "待处理"),
    PendingLegalReview => ("pending_legal_review", "不予立案待法制审核"),
    Accepted => ("accepted", "已受理"),
    Dismissed => ("dismissed", "不予立案"),
});

/// The decision on a lead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseLeadAction {
    Accept,
    /// Direct dismissal: only for a lead below the 一般 tier.
    Dismiss,
    /// Proposes dismissing a 一般-tier-or-above lead, for legal review.
    RequestDismissal,
    /// The legal reviewer signs the dismissal off: it takes effect.
    ApproveDismissal,
    /// The legal reviewer refuses it: the lead is open again.
    RejectDismissal,
}

crate::keyed_enum!(CaseLeadAction {
    Accept => ("accept", "受理"),
    Dismiss => ("dismiss", "不予立案"),
    RequestDismissal => ("request_dismissal", "提请法制审核不予立案"),
    ApproveDismissal => ("approve_dismissal", "法制审核同意不予立案"),
    RejectDismissal => ("reject_dismissal", "法制审核不同意不予立案"),
});

crate::lifecycle!(CaseLeadStatus, CaseLeadAction, "case_lead", "案源", initial: Open, {
    (Open, Accept) => Accepted,
    (Open, Dismiss) => Dismissed,
    (Open, RequestDismissal) => PendingLegalReview,
    (PendingLegalReview, ApproveDismissal) => Dismissed,
    (PendingLegalReview, RejectDismissal) => Open,
});

/// Whether dismissing a lead with these violation codes needs a legal
/// reviewer's sign-off. The discretion benchmark puts a violation in the 一般
/// tier unless facts established by a case (从轻, 首违不罚, 不予处罚) say
/// otherwise — the penalty engine's default with no circumstances — and a lead
/// has no such findings yet. So a lead naming any violation is 一般 or above;
/// only a lead that names none (no violation identified) is below it.
pub fn dismissal_needs_legal_review(violation_codes: &[String]) -> bool {
    violation_codes.iter().any(|c| !c.trim().is_empty())
}

/// The longest 法制审核 opinion.
pub const REVIEW_OPINION_MAX: usize = 2000;

impl CaseLeadStatus {
    /// A lead not yet finally decided (open, or its dismissal under review).
    pub fn is_open(self) -> bool {
        !crate::lifecycle::is_terminal(self)
    }
}

/// The longest reason a dismissal may give.
pub const DISMISS_REASON_MAX: usize = 2000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_labels_parse() {
        for s in CaseLeadSource::ALL {
            assert_eq!(CaseLeadSource::parse(s.key()), Some(*s));
            assert_eq!(CaseLeadSource::parse_key_or_label(s.label()), Some(*s));
        }
        for s in CaseLeadStatus::ALL {
            assert_eq!(CaseLeadStatus::parse(s.key()), Some(*s));
        }
        assert!(CaseLeadStatus::Open.is_open() && !CaseLeadStatus::Dismissed.is_open());
        assert!(CaseLeadStatus::PendingLegalReview.is_open());
        crate::lifecycle::check_table::<CaseLeadStatus>().unwrap();
    }

    #[test]
    fn a_general_tier_dismissal_goes_through_legal_review() {
        use crate::lifecycle::next;
        assert_eq!(
            next(CaseLeadStatus::Open, CaseLeadAction::RequestDismissal),
            Ok(CaseLeadStatus::PendingLegalReview)
        );
        assert_eq!(
            next(CaseLeadStatus::PendingLegalReview, CaseLeadAction::ApproveDismissal),
            Ok(CaseLeadStatus::Dismissed)
        );
        assert_eq!(next(CaseLeadStatus::PendingLegalReview, CaseLeadAction::RejectDismissal), Ok(CaseLeadStatus::Open));
        // Under review nothing else moves it, and a review needs a request first.
        let e = next(CaseLeadStatus::PendingLegalReview, CaseLeadAction::Accept).unwrap_err();
        assert_eq!(e.code, "case_lead.transition_not_allowed");
        assert!(next(CaseLeadStatus::Open, CaseLeadAction::ApproveDismissal).is_err());
        assert!(dismissal_needs_legal_review(&["PUB-003".into()]));
        assert!(!dismissal_needs_legal_review(&[]));
    }
}
