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
