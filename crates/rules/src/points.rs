//! 不良执业行为记分 (bad-practice points): rules as data (`data/points.toml`),
//! counted per cycle; bands of the running total carry consequences.

use crate::boundary::Word;
use crate::deadlines::Status;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Institution,
    Practitioner,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cycle {
    /// 1 January to 31 December: the total starts again each year.
    CalendarYear,
    /// The twelve months up to the day of the standing.
    Rolling12Months,
}

impl Cycle {
    pub fn label(self) -> &'static str {
        match self {
            Cycle::CalendarYear => "自然年度",
            Cycle::Rolling12Months => "滚动十二个月",
        }
    }

    /// The first day of the cycle that contains `as_of`.
    pub fn start(self, as_of: NaiveDate) -> NaiveDate {
        match self {
            Cycle::CalendarYear => NaiveDate::from_ymd_opt(as_of.year(), 1, 1).expect("1 January exists"),
            Cycle::Rolling12Months => {
                as_of.checked_sub_months(Months::new(12)).and_then(|d| d.succ_opt()).unwrap_or(NaiveDate::MIN)
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PointBound {
    pub points: u32,
    pub word: Word,
}

impl std::fmt::Display for PointBound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}分{}", self.points, self.word.chinese())
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub from: PointBound,
    #[serde(default)]
    pub to: Option<PointBound>,
    pub consequences: Vec<String>,
}

impl Band {
    pub fn contains(&self, total: u32) -> bool {
        self.from.word.admits(total, self.from.points) && self.to.is_none_or(|t| t.word.admits(total, t.points))
    }

    pub fn label(&self) -> String {
        match &self.to {
            Some(to) => format!("{}{}", self.from, to),
            None => self.from.to_string(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PointRule {
    pub code: String,
    pub behaviour: String,
    pub points: u32,
    pub basis: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub subject: Subject,
    pub name: String,
    pub cycle: Cycle,
    pub basis: String,
    pub status: Status,
    pub rules: Vec<PointRule>,
    pub bands: Vec<Band>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    scheme: Vec<Scheme>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PointsError {
    #[error("记分规则“{0}”不存在")]
    UnknownRule(String),
    #[error("记分日期 {0} 晚于计算日期")]
    FutureEvent(NaiveDate),
}

impl PointsError {
    pub fn code(&self) -> &'static str {
        match self {
            PointsError::UnknownRule(_) => "points.unknown_rule",
            PointsError::FutureEvent(_) => "points.future_event",
        }
    }
}

/// One recorded behaviour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub date: NaiveDate,
    pub rule: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counted {
    pub date: NaiveDate,
    pub rule: String,
    pub behaviour: String,
    pub points: u32,
    /// The running total after this event.
    pub total: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Crossing {
    pub band: String,
    /// The date of the event that brought the total into the band.
    pub on: NaiveDate,
    pub consequences: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub cycle_start: NaiveDate,
    pub as_of: NaiveDate,
    pub total: u32,
    pub counted: Vec<Counted>,
    /// Every band the total has entered this cycle, in order.
    pub crossed: Vec<Crossing>,
    /// The consequences of the band the total is in now.
    pub consequences_due: Vec<String>,
    /// Points still to go before the next band, if there is one.
    pub to_next_band: Option<u32>,
}

static SCHEMES: OnceLock<Vec<Scheme>> = OnceLock::new();

pub const BUILT_IN: &str = include_str!("../data/points.toml");

impl Scheme {
    /// The scheme in force for a subject: built in, unless a province's own was installed.
    pub fn official(subject: Subject) -> &'static Scheme {
        let all = SCHEMES.get_or_init(|| Scheme::parse_all(BUILT_IN).expect("built-in points rules are valid"));
        all.iter().find(|s| s.subject == subject).expect("a scheme for each subject")
    }

    /// Reads and checks a points file: one scheme per subject, unique rule
    /// codes, bands that meet without gap or overlap, the last one open.
    pub fn parse_all(text: &str) -> Result<Vec<Scheme>, String> {
        let file: File = toml::from_str(text).map_err(|e| format!("记分规则格式错误：{}", e.message()))?;
        for subject in [Subject::Institution, Subject::Practitioner] {
            if file.scheme.iter().filter(|s| s.subject == subject).count() != 1 {
                return Err(format!("记分规则须且只须有一个 {subject:?} 方案"));
            }
        }
        for s in &file.scheme {
            let mut codes = std::collections::HashSet::new();
            if let Some(r) = s.rules.iter().find(|r| !codes.insert(r.code.as_str()) || r.points == 0) {
                return Err(format!("{}：规则 {} 重复或分值为零", s.name, r.code));
            }
            let Some(last) = s.bands.last() else { return Err(format!("{}：没有分档", s.name)) };
            if last.to.is_some() {
                return Err(format!("{}：最后一档应无上限", s.name));
            }
            for pair in s.bands.windows(2) {
                let ok = pair[0].to.is_some_and(|to| {
                    to.points == pair[1].from.points && to.word.inclusive() != pair[1].from.word.inclusive()
                });
                if !ok {
                    return Err(format!("{}：分档“{}”与“{}”不衔接", s.name, pair[0].label(), pair[1].label()));
                }
            }
        }
        Ok(file.scheme)
    }

    /// Puts a province's points rules in force; only before first use, once.
    pub fn install(schemes: Vec<Scheme>) -> Result<(), String> {
        SCHEMES.set(schemes).map_err(|_| "记分规则已在使用中，只能在启动时替换".to_string())
    }

    pub fn rule(&self, code: &str) -> Option<&PointRule> {
        self.rules.iter().find(|r| r.code == code)
    }

    fn band_of(&self, total: u32) -> Option<&Band> {
        self.bands.iter().find(|b| b.contains(total))
    }

    /// The standing on `as_of`: events of the current cycle, the total and the bands crossed.
    pub fn standing(&self, events: &[Event], as_of: NaiveDate) -> Result<Standing, PointsError> {
        let start = self.cycle.start(as_of);
        let mut events: Vec<&Event> = events.iter().collect();
        events.sort_by_key(|e| e.date);
        let mut total = 0u32;
        let mut counted = Vec::new();
        let mut crossed: Vec<Crossing> = Vec::new();
        for e in events {
            let rule = self.rule(&e.rule).ok_or_else(|| PointsError::UnknownRule(e.rule.clone()))?;
            if e.date > as_of {
                return Err(PointsError::FutureEvent(e.date));
            }
            if e.date < start {
                continue;
            }
            let before = self.band_of(total).map(Band::label);
            total = total.saturating_add(rule.points);
            counted.push(Counted {
                date: e.date,
                rule: rule.code.clone(),
                behaviour: rule.behaviour.clone(),
                points: rule.points,
                total,
            });
            // One event can jump over a band: every band passed is recorded.
            for band in &self.bands {
                let reached = band.from.word.admits(total, band.from.points);
                let label = band.label();
                if reached && before.as_ref() != Some(&label) && !crossed.iter().any(|c| c.band == label) {
                    crossed.push(Crossing { band: label, on: e.date, consequences: band.consequences.clone() });
                }
            }
        }
        let consequences_due = self.band_of(total).map(|b| b.consequences.clone()).unwrap_or_default();
        let to_next_band = self
            .bands
            .iter()
            .filter(|b| !b.from.word.admits(total, b.from.points))
            .map(|b| {
                let first = if b.from.word.inclusive() { b.from.points } else { b.from.points + 1 };
                first - total
            })
            .min();
        Ok(Standing { cycle_start: start, as_of, total, counted, crossed, consequences_due, to_next_band })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ev(date: &str, rule: &str) -> Event {
        Event { date: d(date), rule: rule.into() }
    }

    #[test]
    fn bands_are_contiguous_and_use_the_legal_words() {
        for subject in [Subject::Institution, Subject::Practitioner] {
            let s = Scheme::official(subject);
            assert!(!s.rules.is_empty() && !s.bands.is_empty());
            for pair in s.bands.windows(2) {
                let to = pair[0].to.expect("only the last band is open");
                assert_eq!(to.points, pair[1].from.points, "{}: bands meet", s.name);
                assert_ne!(to.word.inclusive(), pair[1].from.word.inclusive(), "{}: no gap or overlap", s.name);
            }
            assert!(s.bands.last().unwrap().to.is_none());
        }
    }

    #[test]
    fn the_total_counts_the_current_cycle_only() {
        let s = Scheme::official(Subject::Institution);
        let events = [ev("2025-12-31", "I-10"), ev("2026-02-01", "I-05"), ev("2026-03-01", "I-07")];
        let st = s.standing(&events, d("2026-06-30")).unwrap();
        assert_eq!(st.cycle_start, d("2026-01-01"));
        assert_eq!(st.total, 10, "last year's 10 points are not counted");
        assert_eq!(st.counted.len(), 2);
        assert!(st.crossed.is_empty() && st.consequences_due.is_empty());
        assert_eq!(st.to_next_band, Some(2), "12以上 is two points away");
    }

    #[test]
    fn thresholds_include_their_number() {
        let s = Scheme::official(Subject::Institution);
        // 6 + 6 = 12: "12分以上" includes 12.
        let st = s.standing(&[ev("2026-03-01", "I-07"), ev("2026-04-01", "I-08")], d("2026-05-01")).unwrap();
        assert_eq!(st.total, 12);
        assert_eq!(st.crossed.len(), 1);
        assert_eq!(st.crossed[0].band, "12分以上16分不满");
        assert_eq!(st.crossed[0].on, d("2026-04-01"));
        assert_eq!(st.consequences_due, ["约谈医疗机构主要负责人", "责令限期整改"]);
        assert_eq!(st.to_next_band, Some(4));
        // 11 points is below the first band ("不满" excludes, "以上" includes).
        let st = s.standing(&[ev("2026-03-01", "I-10"), ev("2026-04-01", "I-01")], d("2026-05-01")).unwrap();
        assert_eq!((st.total, st.crossed.len()), (11, 0));
    }

    #[test]
    fn one_event_can_cross_several_bands() {
        let s = Scheme::official(Subject::Institution);
        let events = [ev("2026-01-10", "I-10"), ev("2026-02-10", "I-05"), ev("2026-03-10", "I-10")];
        let st = s.standing(&events, d("2026-12-31")).unwrap();
        assert_eq!(st.total, 24);
        let bands: Vec<&str> = st.crossed.iter().map(|c| c.band.as_str()).collect();
        assert_eq!(bands, ["12分以上16分不满", "16分以上20分不满", "20分以上"]);
        assert!(st.crossed.iter().skip(1).all(|c| c.on == d("2026-03-10")));
        assert!(st.consequences_due.iter().any(|c| c.contains("暂缓校验")));
        assert_eq!(st.to_next_band, None);
    }

    #[test]
    fn rolling_cycle_and_bad_events() {
        assert_eq!(Cycle::Rolling12Months.start(d("2026-06-30")), d("2025-07-01"));
        assert_eq!(Cycle::CalendarYear.start(d("2026-06-30")), d("2026-01-01"));
        let s = Scheme::official(Subject::Practitioner);
        assert_eq!(s.standing(&[ev("2026-01-01", "X-99")], d("2026-02-01")).unwrap_err().code(), "points.unknown_rule");
        assert_eq!(s.standing(&[ev("2026-03-01", "P-01")], d("2026-02-01")).unwrap_err().code(), "points.future_event");
        let st = s.standing(&[ev("2026-01-05", "P-06")], d("2026-02-01")).unwrap();
        assert_eq!(st.crossed.len(), 2, "12 points pass the 6 and the 12 band at once");
    }

    #[test]
    fn a_provincial_file_is_checked_before_use() {
        assert_eq!(Scheme::parse_all(BUILT_IN).unwrap().len(), 2);
        let gap =
            BUILT_IN.replacen("to = { points = 16, word = \"不满\" }", "to = { points = 15, word = \"不满\" }", 1);
        assert!(Scheme::parse_all(&gap).unwrap_err().contains("不衔接"));
        let overlap =
            BUILT_IN.replacen("to = { points = 16, word = \"不满\" }", "to = { points = 16, word = \"以下\" }", 1);
        assert!(Scheme::parse_all(&overlap).unwrap_err().contains("不衔接"));
        let zero = BUILT_IN.replacen("points = 1, basis", "points = 0, basis", 1);
        assert!(Scheme::parse_all(&zero).unwrap_err().contains("分值为零"));
        assert!(Scheme::parse_all("scheme = []").unwrap_err().contains("方案"));
    }
}
