//! 整改 (rectification): an order to correct a violation by a deadline, the
//! institution's report of its correction, and the re-inspection (复查) that
//! verifies it or finds it unresolved. Where an order stands and when it is
//! overdue are decided here, once.

use crate::lifecycle::sources;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RectificationStatus {
    Open,
    Reported,
    Verified,
    Unresolved,
}

crate::keyed_enum!(RectificationStatus {
    Open => ("open", "整改中"),
    Reported => ("reported", "已报告整改情况"),
    Verified => ("verified", "复查合格"),
    Unresolved => ("unresolved", "复查未整改到位"),
});

/// The longest correction period an inspector may set on the spot; longer
/// ones are decided by the bureau, not in the field.
pub const RECTIFICATION_MAX_DAYS: u32 = 90;

/// The deadline of a rectification order: `days` after the order, counted in
/// working days (the official calendar, with 调休) or natural days.
pub fn rectification_deadline(
    cal: &crate::Calendar,
    ordered_on: chrono::NaiveDate,
    days: u32,
    working_days: bool,
) -> Result<chrono::NaiveDate, String> {
    if !(1..=RECTIFICATION_MAX_DAYS).contains(&days) {
        return Err(format!("整改期限应为 1 到 {RECTIFICATION_MAX_DAYS} 日"));
    }
    let due = if working_days {
        cal.add_working_days(ordered_on, days.into())
    } else {
        cal.add_days(ordered_on, days.into())
    };
    due.map_err(|e| e.to_string())
}

/// What happens to an order: the institution reports, the re-inspection
/// verifies it or finds it unresolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RectificationAction {
    Report,
    Verify,
    Unresolved,
}

crate::keyed_enum!(RectificationAction {
    Report => ("report", "提交整改报告"),
    Verify => ("verify", "复查合格"),
    Unresolved => ("unresolved", "复查未整改到位"),
});

crate::lifecycle!(RectificationStatus, RectificationAction, "rectification", "整改通知", initial: Open, {
    (Open, Report) => Reported,
    (Open, Verify) => Verified,
    (Reported, Verify) => Verified,
    (Open, Unresolved) => Unresolved,
    (Reported, Unresolved) => Unresolved,
});

impl RectificationStatus {
    /// Still waiting for its re-inspection (the states a verdict may start from).
    pub fn awaits_reinspection(self) -> bool {
        Self::awaiting_reinspection().contains(&self)
    }

    /// The states [`awaits_reinspection`](Self::awaits_reinspection) holds for:
    /// SQL conditions bind these keys instead of spelling states out.
    pub fn awaiting_reinspection() -> Vec<RectificationStatus> {
        sources::<RectificationStatus>(RectificationAction::Verify)
    }
}

/// 逾期未整改: the deadline has passed (before `today`) and no re-inspection
/// has verified the correction or found it lacking. The one definition: the
/// overdue list and 转为案源 both ask this.
pub fn is_overdue(status: RectificationStatus, deadline: NaiveDate, today: NaiveDate) -> bool {
    status.awaits_reinspection() && deadline < today
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_overdue_only_after_its_deadline_and_before_its_verdict() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let deadline = d("2026-06-30");
        assert!(!is_overdue(RectificationStatus::Open, deadline, d("2026-06-30")));
        assert!(is_overdue(RectificationStatus::Open, deadline, d("2026-07-01")));
        assert!(is_overdue(RectificationStatus::Reported, deadline, d("2026-07-01")));
        assert!(!is_overdue(RectificationStatus::Verified, deadline, d("2026-07-01")));
        assert!(!is_overdue(RectificationStatus::Unresolved, deadline, d("2026-07-01")));
    }

    #[test]
    fn the_awaiting_states_come_from_the_table() {
        assert_eq!(
            RectificationStatus::awaiting_reinspection(),
            [RectificationStatus::Open, RectificationStatus::Reported]
        );
    }
}
