//! 案源 (case leads): where a possible enforcement case came from and where its
//! lead stands. A lead is accepted (the case-handling module turns it into a
//! 立案) or dismissed with a reason; either decision is final.

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
    Accepted,
    Dismissed,
}

crate::keyed_enum!(CaseLeadStatus {
    Open => ("open", "待处理"),
    Accepted => ("accepted", "已受理"),
    Dismissed => ("dismissed", "不予立案"),
});

/// The decision on a lead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseLeadAction {
    Accept,
    Dismiss,
}

crate::keyed_enum!(CaseLeadAction {
    Accept => ("accept", "受理"),
    Dismiss => ("dismiss", "不予立案"),
});

crate::lifecycle!(CaseLeadStatus, CaseLeadAction, "case_lead", "案源", initial: Open, {
    (Open, Accept) => Accepted,
    (Open, Dismiss) => Dismissed,
});

impl CaseLeadStatus {
    /// Only an open lead may still be decided.
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
    }
}
