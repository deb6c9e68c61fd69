//! The working-day calendar: official holidays and make-up working days (调休)
//! as data, and the day arithmetic every deadline is computed with.
//!
//! A computation that touches a year the calendar does not know fails with
//! `calendar.unknown_year`; it never guesses from weekdays alone.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// Why a day is or is not a working day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayKind {
    Workday,
    /// A Saturday or Sunday made a working day for the named holiday.
    AdjustedWorkday {
        holiday: String,
    },
    Weekend,
    Holiday {
        name: String,
    },
}

impl DayKind {
    pub fn is_working(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::AdjustedWorkday { .. })
    }

    /// In Chinese, for people.
    pub fn reason(&self) -> String {
        match self {
            DayKind::Workday => "工作日".into(),
            DayKind::AdjustedWorkday { holiday } => format!("{holiday}调休上班"),
            DayKind::Weekend => "周末".into(),
            DayKind::Holiday { name } => format!("{name}放假"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("工作日历中没有{0}年的节假日安排，请先导入该年的国务院办公厅通知")]
    UnknownYear(i32),
    #[error("日期超出可计算的范围")]
    OutOfRange,
    #[error("天数不能为负数")]
    NegativeDays,
    #[error("节假日数据有误：{0}")]
    InvalidData(String),
}

impl CalendarError {
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::UnknownYear(_) => "calendar.unknown_year",
            CalendarError::OutOfRange => "calendar.out_of_range",
            CalendarError::NegativeDays => "calendar.negative_days",
            CalendarError::InvalidData(_) => "calendar.invalid_data",
        }
    }
}

/// One year's official arrangement, as published.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct YearData {
    pub year: i32,
    /// The notice's title.
    pub notice: String,
    pub url: String,
    pub off: Vec<OffPeriod>,
    pub work: Vec<MakeUpDay>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OffPeriod {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MakeUpDay {
    pub name: String,
    pub date: NaiveDate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    year: Vec<YearData>,
}

#[derive(Clone, Debug, Default)]
pub struct Calendar {
    years: BTreeMap<i32, YearData>,
    days: HashMap<NaiveDate, DayKind>,
}

const BUILT_IN: &str = include_str!("../data/holidays.toml");

impl YearData {
    /// Checks a year's data before it is trusted: dates inside the year,
    /// ordered periods, make-up days on weekends, no day both off and on.
    pub fn validate(&self) -> Result<(), CalendarError> {
        let bad = |m: String| Err(CalendarError::InvalidData(format!("{}年：{m}", self.year)));
        if !(2000..=2100).contains(&self.year) {
            return bad("年份应在2000至2100之间".into());
        }
        if self.notice.trim().is_empty() || !self.url.starts_with("http") {
            return bad("须注明国务院办公厅通知的标题和网址".into());
        }
        if self.off.is_empty() {
            return bad("没有任何放假安排".into());
        }
        let mut seen = std::collections::HashSet::new();
        for p in &self.off {
            if p.from > p.to {
                return bad(format!("{}的开始日期晚于结束日期", p.name));
            }
            if p.from.year() != self.year || p.to.year() != self.year {
                return bad(format!("{}的日期不在本年内", p.name));
            }
            if (p.to - p.from).num_days() > 15 {
                return bad(format!("{}放假超过15天，请核对", p.name));
            }
            for d in p.from.iter_days().take_while(|d| *d <= p.to) {
                if !seen.insert(d) {
                    return bad(format!("{d}重复出现"));
                }
            }
        }
        for w in &self.work {
            if w.date.year() != self.year {
                return bad(format!("调休日{}不在本年内", w.date));
            }
            if !matches!(w.date.weekday(), Weekday::Sat | Weekday::Sun) {
                return bad(format!("调休上班日{}不是周末", w.date));
            }
            if !seen.insert(w.date) {
                return bad(format!("{}既是放假日又是调休上班日", w.date));
            }
        }
        Ok(())
    }
}

impl Calendar {
    /// The calendar compiled into the binary (2024 onwards, per the official notices).
    pub fn official() -> &'static Calendar {
        static CAL: OnceLock<Calendar> = OnceLock::new();
        CAL.get_or_init(|| Calendar::from_toml(BUILT_IN).expect("built-in holiday data is valid"))
    }

    pub fn from_toml(text: &str) -> Result<Calendar, CalendarError> {
        let file: File = toml::from_str(text).map_err(|e| CalendarError::InvalidData(e.to_string()))?;
        let mut cal = Calendar::default();
        for y in file.year {
            cal.add_year(y)?;
        }
        Ok(cal)
    }

    /// Reads years in the format of `data/holidays.toml` (`[[year]]` tables),
    /// each validated; for importing a newly published year.
    pub fn parse_years(text: &str) -> Result<Vec<YearData>, CalendarError> {
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text.as_bytes()[..s.start.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1);
            let at = line.map(|l| format!("第{l}行：")).unwrap_or_default();
            CalendarError::InvalidData(format!("TOML 格式错误，{at}{}", e.message()))
        })?;
        if file.year.is_empty() {
            return Err(CalendarError::InvalidData("没有任何年份（应为 [[year]] 表）".into()));
        }
        let mut seen = std::collections::HashSet::new();
        for y in &file.year {
            y.validate()?;
            if !seen.insert(y.year) {
                return Err(CalendarError::InvalidData(format!("{}年出现了两次", y.year)));
            }
        }
        Ok(file.year)
    }

    /// Adds (or replaces) one year, after validating it.
    pub fn add_year(&mut self, y: YearData) -> Result<(), CalendarError> {
        y.validate()?;
        self.days.retain(|d, _| d.year() != y.year);
        for p in &y.off {
            for d in p.from.iter_days().take_while(|d| *d <= p.to) {
                self.days.insert(d, DayKind::Holiday { name: p.name.clone() });
            }
        }
        for w in &y.work {
            self.days.insert(w.date, DayKind::AdjustedWorkday { holiday: w.name.clone() });
        }
        self.years.insert(y.year, y);
        Ok(())
    }

    pub fn years(&self) -> impl Iterator<Item = &YearData> {
        self.years.values()
    }

    pub fn knows(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    pub fn day(&self, date: NaiveDate) -> Result<DayKind, CalendarError> {
        if !self.knows(date.year()) {
            return Err(CalendarError::UnknownYear(date.year()));
        }
        Ok(match self.days.get(&date) {
            Some(k) => k.clone(),
            None if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) => DayKind::Weekend,
            None => DayKind::Workday,
        })
    }

    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.day(date)?.is_working())
    }

    /// The n-th working day after `from` (the start day is not counted).
    /// With n = 0, `from` itself.
    pub fn add_working_days(&self, from: NaiveDate, n: i64) -> Result<NaiveDate, CalendarError> {
        if n < 0 {
            return Err(CalendarError::NegativeDays);
        }
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = next(d)?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// A natural-day period: `from + n`, moved to the next working day when
    /// that last day is not a working day.
    pub fn add_days(&self, from: NaiveDate, n: i64) -> Result<NaiveDate, CalendarError> {
        if n < 0 {
            return Err(CalendarError::NegativeDays);
        }
        let mut d = from.checked_add_days(Days::new(n as u64)).ok_or(CalendarError::OutOfRange)?;
        while !self.is_working_day(d)? {
            d = next(d)?;
        }
        Ok(d)
    }

    /// Working days in (from, to]: how many working days of a period have passed.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
        if to <= from {
            return Ok(0);
        }
        let mut count = 0;
        let mut d = from;
        while d < to {
            d = next(d)?;
            if self.is_working_day(d)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

fn next(d: NaiveDate) -> Result<NaiveDate, CalendarError> {
    d.succ_opt().ok_or(CalendarError::OutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The official notices, transcribed independently of the data file:
    /// (year, days off, make-up working days).
    type Notice = (i32, &'static [(&'static str, &'static str)], &'static [&'static str]);

    const NOTICES: &[Notice] = &[
        (
            2024,
            &[
                ("2024-01-01", "2024-01-01"),
                ("2024-02-10", "2024-02-17"),
                ("2024-04-04", "2024-04-06"),
                ("2024-05-01", "2024-05-05"),
                ("2024-06-10", "2024-06-10"),
                ("2024-09-15", "2024-09-17"),
                ("2024-10-01", "2024-10-07"),
            ],
            &[
                "2024-02-04",
                "2024-02-18",
                "2024-04-07",
                "2024-04-28",
                "2024-05-11",
                "2024-09-14",
                "2024-09-29",
                "2024-10-12",
            ],
        ),
        (
            2025,
            &[
                ("2025-01-01", "2025-01-01"),
                ("2025-01-28", "2025-02-04"),
                ("2025-04-04", "2025-04-06"),
                ("2025-05-01", "2025-05-05"),
                ("2025-05-31", "2025-06-02"),
                ("2025-10-01", "2025-10-08"),
            ],
            &["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
        ),
        (
            2026,
            &[
                ("2026-01-01", "2026-01-03"),
                ("2026-02-15", "2026-02-23"),
                ("2026-04-04", "2026-04-06"),
                ("2026-05-01", "2026-05-05"),
                ("2026-06-19", "2026-06-21"),
                ("2026-09-25", "2026-09-27"),
                ("2026-10-01", "2026-10-07"),
            ],
            &["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
        ),
    ];

    #[test]
    fn every_day_of_2024_to_2026_matches_the_notices() {
        let cal = Calendar::official();
        for (year, off, work) in NOTICES {
            let mut day = NaiveDate::from_ymd_opt(*year, 1, 1).unwrap();
            while day.year() == *year {
                let is_off = off.iter().any(|(a, b)| day >= d(a) && day <= d(b));
                let is_makeup = work.iter().any(|w| d(w) == day);
                let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
                let expected = is_makeup || (!weekend && !is_off);
                assert_eq!(cal.is_working_day(day).unwrap(), expected, "{day}");
                day = day.succ_opt().unwrap();
            }
            for w in *work {
                assert!(matches!(cal.day(d(w)).unwrap(), DayKind::AdjustedWorkday { .. }), "{w}");
            }
        }
    }

    #[test]
    fn reasons_name_the_holiday() {
        let cal = Calendar::official();
        assert_eq!(cal.day(d("2026-02-17")).unwrap().reason(), "春节放假");
        assert_eq!(cal.day(d("2026-02-14")).unwrap().reason(), "春节调休上班");
        assert_eq!(cal.day(d("2026-11-21")).unwrap().reason(), "周末");
        assert_eq!(cal.day(d("2026-11-23")).unwrap().reason(), "工作日");
    }

    #[test]
    fn arithmetic_across_holidays() {
        let cal = Calendar::official();
        // From Thursday 2026-09-24, 7 working days cross 中秋, 国庆 and the Saturday make-up day 10-10.
        assert_eq!(cal.add_working_days(d("2026-09-24"), 7).unwrap(), d("2026-10-12"));
        assert_eq!(cal.add_working_days(d("2026-09-18"), 1).unwrap(), d("2026-09-20"), "Sunday make-up day counts");
        assert_eq!(cal.add_working_days(d("2026-11-20"), 0).unwrap(), d("2026-11-20"));
        // 15 natural days ending on a holiday move to the next working day.
        assert_eq!(cal.add_days(d("2026-09-16"), 15).unwrap(), d("2026-10-08"));
        assert_eq!(cal.add_days(d("2026-11-06"), 15).unwrap(), d("2026-11-23"), "Saturday → Monday");
        assert_eq!(cal.working_days_between(d("2026-09-24"), d("2026-10-12")).unwrap(), 7);
        assert_eq!(cal.working_days_between(d("2026-10-09"), d("2026-09-24")).unwrap(), 0);
    }

    #[test]
    fn unknown_years_are_an_error_never_a_guess() {
        let cal = Calendar::official();
        assert_eq!(cal.day(d("2023-06-01")), Err(CalendarError::UnknownYear(2023)));
        assert_eq!(cal.add_working_days(d("2026-12-28"), 10), Err(CalendarError::UnknownYear(2027)));
        assert_eq!(cal.add_days(d("2026-12-20"), 30), Err(CalendarError::UnknownYear(2027)));
        assert_eq!(CalendarError::UnknownYear(2027).code(), "calendar.unknown_year");
        assert_eq!(cal.add_working_days(d("2026-01-05"), -1), Err(CalendarError::NegativeDays));
    }

    #[test]
    fn bad_year_data_is_refused() {
        let mut cal = Calendar::official().clone();
        let year = |off: Vec<OffPeriod>, work: Vec<MakeUpDay>| YearData {
            year: 2027,
            notice: "n".into(),
            url: "https://www.gov.cn/".into(),
            off,
            work,
        };
        let p = |a: &str, b: &str| OffPeriod { name: "春节".into(), from: d(a), to: d(b) };
        let w = |a: &str| MakeUpDay { name: "春节".into(), date: d(a) };
        assert!(cal.add_year(year(vec![p("2027-02-10", "2027-02-05")], vec![])).is_err(), "reversed");
        assert!(cal.add_year(year(vec![p("2026-12-31", "2027-01-01")], vec![])).is_err(), "other year");
        assert!(cal.add_year(year(vec![p("2027-02-05", "2027-02-10")], vec![w("2027-02-08")])).is_err(), "a Monday");
        assert!(cal.add_year(year(vec![p("2027-02-05", "2027-02-10")], vec![w("2027-02-06")])).is_err(), "off and on");
        assert!(!cal.knows(2027));
        cal.add_year(year(vec![p("2027-02-05", "2027-02-10")], vec![w("2027-02-14")])).unwrap();
        assert!(cal.knows(2027));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn known_day() -> impl Strategy<Value = NaiveDate> {
            (0u64..1000).prop_map(|n| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Days::new(n))
        }

        proptest! {
            #[test]
            fn add_working_days_is_monotonic_and_lands_on_working_days(from in known_day(), n in 1i64..60) {
                let cal = Calendar::official();
                let (a, b) = (cal.add_working_days(from, n - 1), cal.add_working_days(from, n));
                if let (Ok(a), Ok(b)) = (a, b) {
                    prop_assert!(b > a);
                    prop_assert!(cal.is_working_day(b).unwrap());
                    prop_assert_eq!(cal.working_days_between(from, b).unwrap(), n);
                }
            }

            #[test]
            fn add_days_lands_on_a_working_day_no_earlier_than_the_period(from in known_day(), n in 0i64..120) {
                let cal = Calendar::official();
                if let Ok(due) = cal.add_days(from, n) {
                    prop_assert!(cal.is_working_day(due).unwrap());
                    prop_assert!(due >= from + Days::new(n as u64));
                }
            }
        }
    }

    #[test]
    fn a_new_year_is_parsed_and_validated_before_import() {
        let good = r#"
[[year]]
year = 2027
notice = "国务院办公厅关于2027年部分节假日安排的通知"
url = "https://www.gov.cn/zhengce/content/2027.htm"
off = [{ name = "元旦", from = "2027-01-01", to = "2027-01-03" }]
work = [{ name = "春节", date = "2027-02-06" }]
"#;
        let years = Calendar::parse_years(good).unwrap();
        assert_eq!(years[0].year, 2027);
        let mut cal = Calendar::official().clone();
        assert_eq!(cal.day(d("2027-01-04")).unwrap_err().code(), "calendar.unknown_year");
        cal.add_year(years[0].clone()).unwrap();
        assert_eq!(cal.day(d("2027-01-02")).unwrap(), DayKind::Holiday { name: "元旦".into() });
        assert!(cal.is_working_day(d("2027-02-06")).unwrap(), "a make-up Saturday");
        for (bad, needle) in [
            ("year = 2027", "节假日数据有误"),
            ("", "没有任何年份"),
            (&good.replace("2027-02-06", "2027-02-08"), "不是周末"),
            (&good.replace("to = \"2027-01-03\"", "to = \"2026-12-30\""), "开始日期晚于结束日期"),
            (&good.replace("https://", "ftp-"), "通知"),
            (&format!("{good}{good}"), "两次"),
        ] {
            let e = Calendar::parse_years(bad).unwrap_err();
            assert_eq!(e.code(), "calendar.invalid_data");
            assert!(e.to_string().contains(needle), "{needle}: {e}");
        }
    }
}
