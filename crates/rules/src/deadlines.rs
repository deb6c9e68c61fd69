//! Statutory deadlines as data (`data/deadlines.toml`), each with its legal
//! basis, how it counts days, and how sure we are of it; and the late-payment
//! surcharge of 行政处罚法 Art 72.

use crate::calendar::{Calendar, CalendarError};
use crate::money::Fen;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Count {
    Working,
    Natural,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    After,
    Before,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Verified,
    Secondary,
    Uncertain,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Verified => "已核对法律原文",
            Status::Secondary => "依据二手或地方来源，待核实",
            Status::Uncertain => "不确定，使用前请核实",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    pub key: String,
    pub name: String,
    pub days: u32,
    pub count: Count,
    pub direction: Direction,
    /// What the period runs from (or, for `before`, the event it precedes).
    pub start: String,
    pub basis: String,
    #[serde(default)]
    pub note: Option<String>,
    pub status: Status,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    deadline: Vec<Deadline>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("未知的法定期限：{0}")]
    Unknown(String),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl DeadlineError {
    pub fn code(&self) -> &'static str {
        match self {
            DeadlineError::Unknown(_) => "deadline.unknown",
            DeadlineError::Calendar(e) => e.code(),
        }
    }
}

static TABLE: OnceLock<Vec<Deadline>> = OnceLock::new();

/// The table compiled into the binary (a province starts its own from it).
pub const BUILT_IN: &str = include_str!("../data/deadlines.toml");

/// The table in force: built in, unless a province's own was installed at start-up.
pub fn all() -> &'static [Deadline] {
    TABLE.get_or_init(|| parse(BUILT_IN).expect("built-in deadline table is valid"))
}

/// Reads and checks a deadline table: unique keys, a basis and at least one
/// day each; a province's table must keep every built-in key (the code asks
/// for them by key), and may change days, counting and basis.
pub fn parse(text: &str) -> Result<Vec<Deadline>, String> {
    let file: File = toml::from_str(text).map_err(|e| format!("法定期限格式错误：{}", e.message()))?;
    let mut seen = std::collections::BTreeSet::new();
    for d in &file.deadline {
        if !seen.insert(d.key.as_str()) {
            return Err(format!("法定期限 {} 重复", d.key));
        }
        if d.days == 0 || d.days > 3650 || d.basis.trim().is_empty() {
            return Err(format!("法定期限 {}：天数应为1至3650，且须写明依据", d.key));
        }
    }
    if text != BUILT_IN {
        let base = parse(BUILT_IN)?;
        let missing: Vec<&str> = base.iter().map(|d| d.key.as_str()).filter(|k| !seen.contains(k)).collect();
        if !missing.is_empty() {
            return Err(format!("缺少内置的法定期限：{}（只能修改，不能删除）", missing.join("、")));
        }
    }
    Ok(file.deadline)
}

/// Puts a province's table in force; only before first use, once.
pub fn install(table: Vec<Deadline>) -> Result<(), String> {
    TABLE.set(table).map_err(|_| "法定期限表已在使用中，只能在启动时替换".to_string())
}

pub fn get(key: &str) -> Result<&'static Deadline, DeadlineError> {
    all().iter().find(|d| d.key == key).ok_or_else(|| DeadlineError::Unknown(key.to_string()))
}

impl Deadline {
    /// The due date for a period starting (or an event falling) on `date`.
    pub fn due(&self, cal: &Calendar, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        match (self.direction, self.count) {
            (Direction::After, Count::Working) => cal.add_working_days(date, self.days.into()),
            (Direction::After, Count::Natural) => cal.add_days(date, self.days.into()),
            // The latest working day N from which the period still ends on or before the event.
            (Direction::Before, count) => {
                let mut n = date.pred_opt().ok_or(CalendarError::OutOfRange)?;
                loop {
                    let end = match count {
                        Count::Working => cal.add_working_days(n, self.days.into())?,
                        Count::Natural => {
                            n.checked_add_days(chrono::Days::new(self.days.into())).ok_or(CalendarError::OutOfRange)?
                        }
                    };
                    if end <= date && cal.is_working_day(n)? {
                        return Ok(n);
                    }
                    n = n.pred_opt().ok_or(CalendarError::OutOfRange)?;
                }
            }
        }
    }
}

/// 加处罚款 (行政处罚法 Art 72): 3% of the fine for each day late, never more than
/// the fine itself. Rounded down to the fen.
pub fn late_payment_surcharge(fine: Fen, days_late: u32) -> Fen {
    let raw = i128::from(fine.0) * 3 * i128::from(days_late) / 100;
    Fen(raw.min(i128::from(fine.0)).max(0) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_table_is_complete_and_unique() {
        let keys: Vec<&str> = all().iter().map(|d| d.key.as_str()).collect();
        for k in [
            "case_decision",
            "double_publicity",
            "random_results_publication",
            "major_case_report",
            "oversight_review_request",
            "oversight_review_decision",
            "hearing_request",
            "hearing_notice",
            "fine_payment",
        ] {
            assert!(keys.contains(&k), "{k}");
        }
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), keys.len(), "keys are unique");
        assert!(all().iter().all(|d| !d.basis.is_empty() && d.days > 0));
        // 行政处罚法 Art 85: its 2/3/5/7-day periods are working days.
        for k in [
            "hearing_request",
            "hearing_notice",
            "decision_delivery",
            "evidence_preservation",
            "publication_withdrawal",
        ] {
            assert_eq!(get(k).unwrap().count, Count::Working, "{k}");
        }
        assert_eq!(get("fine_payment").unwrap().count, Count::Natural);
        assert_eq!(get("nope").unwrap_err().code(), "deadline.unknown");
    }

    #[test]
    fn a_provincial_table_is_checked() {
        let longer = BUILT_IN.replacen("days = 90", "days = 120", 1);
        assert_eq!(parse(&longer).unwrap().iter().find(|d| d.key == "case_decision").unwrap().days, 120);
        let dropped = BUILT_IN.replacen("key = \"case_decision\"", "key = \"case_decision_x\"", 1);
        assert!(parse(&dropped).unwrap_err().contains("case_decision"));
        assert!(parse(&BUILT_IN.replacen("days = 90", "days = 0", 1)).unwrap_err().contains("天数"));
        assert!(parse("deadline = 1").unwrap_err().contains("格式错误"));
    }

    #[test]
    fn due_dates_follow_the_calendar() {
        let cal = Calendar::official();
        // Notice of a hearing right on Thursday 2026-09-24: 5 working days cross 中秋 and 国庆.
        assert_eq!(get("hearing_request").unwrap().due(cal, d("2026-09-24")).unwrap(), d("2026-10-09"));
        // Fine decision received 2026-09-16: 15 natural days end on 10-01, a holiday → 10-08.
        assert_eq!(get("fine_payment").unwrap().due(cal, d("2026-09-16")).unwrap(), d("2026-10-08"));
        // A hearing on Monday 2026-11-30 needs notice 7 working days ahead: by Thursday 11-19.
        let notice = get("hearing_notice").unwrap().due(cal, d("2026-11-30")).unwrap();
        assert_eq!(notice, d("2026-11-19"));
        assert_eq!(cal.working_days_between(notice, d("2026-11-30")).unwrap(), 7, "7 working days lie between");
        assert_eq!(get("case_decision").unwrap().due(cal, d("2026-03-02")).unwrap(), d("2026-06-01"));
    }

    #[test]
    fn surcharge_is_three_percent_a_day_capped_at_the_fine() {
        let fine = Fen(500_000);
        assert_eq!(late_payment_surcharge(fine, 0), Fen(0));
        assert_eq!(late_payment_surcharge(fine, 1), Fen(15_000));
        assert_eq!(late_payment_surcharge(fine, 33), Fen(495_000));
        assert_eq!(late_payment_surcharge(fine, 34), fine, "capped at the fine");
        assert_eq!(late_payment_surcharge(fine, 1000), fine);
        assert_eq!(late_payment_surcharge(Fen(333), 1), Fen(9), "rounded down to the fen");
    }
}
