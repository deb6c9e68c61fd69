//! 自查 (self-inspection): a campaign a bureau opens for a supervision
//! specialty, and the report each obliged entity sends back. Where each stands.

use serde::{Deserialize, Serialize};

/// A campaign is open until the bureau closes it; closing is final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    Open,
    Closed,
}

crate::keyed_enum!(CampaignStatus {
    Open => ("open", "进行中"),
    Closed => ("closed", "已结束"),
});

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignAction {
    Close,
}

crate::keyed_enum!(CampaignAction {
    Close => ("close", "结束自查"),
});

crate::lifecycle!(CampaignStatus, CampaignAction, "self_inspection", "自查", initial: Open, {
    (Open, Close) => Closed,
});

impl CampaignStatus {
    /// Reports are taken (and sent back for correction) only while open.
    pub fn is_open(self) -> bool {
        crate::lifecycle::allows(self, CampaignAction::Close)
    }
}

/// A report as the bureau's review left it: waiting, accepted, or sent back
/// for correction (the institution then submits it again).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Submitted,
    Reviewed,
    Returned,
}

crate::keyed_enum!(ReportStatus {
    Submitted => ("submitted", "已提交待审阅"),
    Reviewed => ("reviewed", "已审阅"),
    Returned => ("returned", "退回补正"),
});

/// The bureau accepts or returns a submitted report; a returned one is submitted again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportAction {
    Accept,
    Return,
    Resubmit,
}

crate::keyed_enum!(ReportAction {
    Accept => ("accept", "审阅通过"),
    Return => ("return", "退回补正"),
    Resubmit => ("resubmit", "重新提交"),
});

crate::lifecycle!(ReportStatus, ReportAction, "self_inspection_report", "自查报告", initial: Submitted, {
    (Submitted, Accept) => Reviewed,
    (Submitted, Return) => Returned,
    (Returned, Resubmit) => Submitted,
});

/// The longest a campaign may run, in natural days from its opening.
pub const MAX_CAMPAIGN_DAYS: i64 = 366;

/// Whether a report sent on `submitted_on` (a Beijing date) came after the
/// deadline day (a report on the deadline day itself is on time).
pub fn is_late(deadline: chrono::NaiveDate, submitted_on: chrono::NaiveDate) -> bool {
    submitted_on > deadline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_by_key_and_label() {
        assert_eq!(CampaignStatus::parse_key_or_label("已结束"), Some(CampaignStatus::Closed));
        assert_eq!(ReportStatus::parse("returned"), Some(ReportStatus::Returned));
        assert_eq!(ReportStatus::parse("done"), None);
    }

    #[test]
    fn the_deadline_day_itself_is_on_time() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(!is_late(d("2026-06-30"), d("2026-06-30")));
        assert!(is_late(d("2026-06-30"), d("2026-07-01")));
    }
}
