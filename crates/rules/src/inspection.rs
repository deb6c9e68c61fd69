//! 双随机 and inspections: a random plan's lifecycle, its strata and sampling
//! ratios, the methods of an inspection item, where an inspection task comes
//! from and where it stands.

use crate::registry::RiskGrade;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

// 整改 has its own module; these names stay reachable from here.
pub use crate::rectification::{rectification_deadline, RectificationStatus, RECTIFICATION_MAX_DAYS};

/// 抽查计划 lifecycle. Scope (entities, ratios, pool) may change only before
/// freezing; a frozen plan is drawn once; the rest follows the inspections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    Published,
    Frozen,
    Drawn,
    InProgress,
    Completed,
    ResultsPublished,
}

crate::keyed_enum!(PlanStatus {
    Draft => ("draft", "草稿"),
    Published => ("published", "已发布"),
    Frozen => ("frozen", "已冻结待抽取"),
    Drawn => ("drawn", "已抽取"),
    InProgress => ("in_progress", "检查中"),
    Completed => ("completed", "已完成"),
    ResultsPublished => ("results_published", "结果已公开"),
});

/// What moves a plan along: staff publish, freeze and draw it; its first
/// record starts it and its last completes it; publishing its results ends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanAction {
    Publish,
    Freeze,
    Draw,
    Start,
    Complete,
    PublishResults,
}

crate::keyed_enum!(PlanAction {
    Publish => ("publish", "发布"),
    Freeze => ("freeze", "冻结名录快照"),
    Draw => ("draw", "随机抽取"),
    Start => ("start", "开始检查"),
    Complete => ("complete", "完成检查"),
    PublishResults => ("publish_results", "公开检查结果"),
});

crate::lifecycle!(PlanStatus, PlanAction, "random_plan", "抽查计划", initial: Draft, {
    (Draft, Publish) => Published,
    (Published, Freeze) => Frozen,
    (Frozen, Draw) => Drawn,
    (Drawn, Start) => InProgress,
    (Drawn, Complete) => Completed,
    (InProgress, Complete) => Completed,
    (Completed, PublishResults) => ResultsPublished,
});

impl PlanStatus {
    /// The states whose scope (items, targets, ratios, pool, dates) may still
    /// change: before the snapshot is frozen.
    pub const SCOPE_EDITABLE: [PlanStatus; 2] = [PlanStatus::Draft, PlanStatus::Published];

    /// Whether the plan's scope may still change.
    pub fn scope_editable(self) -> bool {
        Self::SCOPE_EDITABLE.contains(&self)
    }

    /// Whether the public may see the plan's snapshot (and record, once drawn).
    pub fn is_public(self) -> bool {
        !matches!(self, PlanStatus::Draft | PlanStatus::Published)
    }
}

/// 检查方式 of an inspection item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionMethod {
    OnSite,
    Documentary,
    Sampling,
}

crate::keyed_enum!(InspectionMethod {
    OnSite => ("on_site", "现场检查"),
    Documentary => ("documentary", "书面检查"),
    Sampling => ("sampling", "抽样检测"),
});

/// Where an inspection task came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskSource {
    Random,
    Complaint,
    Campaign,
    Patrol,
    Reinspection,
    PreLicence,
}

crate::keyed_enum!(TaskSource {
    Random => ("random", "双随机抽查"),
    Complaint => ("complaint", "投诉举报核查"),
    Campaign => ("campaign", "专项检查"),
    Patrol => ("patrol", "日常巡查"),
    Reinspection => ("reinspection", "复查"),
    PreLicence => ("pre_licence", "许可前检查"),
});

impl TaskSource {
    /// The sources a section chief assigns by hand; a draw makes `random`
    /// tasks and an order its `reinspection` task.
    pub const BY_HAND: [TaskSource; 4] =
        [TaskSource::Patrol, TaskSource::Campaign, TaskSource::Complaint, TaskSource::PreLicence];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Assigned,
    Done,
    Cancelled,
}

crate::keyed_enum!(TaskStatus {
    Assigned => ("assigned", "待检查"),
    Done => ("done", "已检查"),
    Cancelled => ("cancelled", "已取消"),
});

/// What may happen to a task: it is recorded once, or cancelled while open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskAction {
    Record,
    Cancel,
}

crate::keyed_enum!(TaskAction {
    Record => ("record", "记录检查"),
    Cancel => ("cancel", "取消任务"),
});

crate::lifecycle!(TaskStatus, TaskAction, "inspection_task", "检查任务", initial: Assigned, {
    (Assigned, Record) => Done,
    (Assigned, Cancel) => Cancelled,
});

impl TaskStatus {
    /// Still to be inspected.
    pub fn is_open(self) -> bool {
        crate::lifecycle::allows(self, TaskAction::Record)
    }
}

/// The stratum name of entities without a risk grade yet.
pub const UNGRADED: &str = "N";

/// The stratum an entity falls in: its risk grade's key, or [`UNGRADED`].
pub fn stratum_of(grade: Option<RiskGrade>) -> &'static str {
    grade.map_or(UNGRADED, RiskGrade::key)
}

/// Sampling ratios per stratum in per mille, in the order strata are drawn:
/// A, B, C, D, then the ungraded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratios(pub BTreeMap<String, u16>);

impl Default for Ratios {
    /// Higher risk, more inspections: 5 % of the lowest-risk entities (the
    /// local floor the sources name), up to 30 % of the highest; the ungraded
    /// are sampled like the lowest until graded.
    fn default() -> Self {
        Ratios([("A", 50), ("B", 100), ("C", 200), ("D", 300), (UNGRADED, 50)].map(|(k, v)| (k.into(), v)).into())
    }
}

impl Ratios {
    /// Every stratum in plan order with its ratio (0 when not given).
    pub fn strata(&self) -> Vec<(&'static str, u16)> {
        RiskGrade::ALL
            .iter()
            .map(|g| g.key())
            .chain([UNGRADED])
            .map(|name| (name, self.0.get(name).copied().unwrap_or(0)))
            .collect()
    }

    /// Reads `{"A": 50, ...}`; every key a stratum, every value 0..=1000.
    pub fn parse(map: &BTreeMap<String, i64>) -> Result<Ratios, String> {
        let mut out = BTreeMap::new();
        for (k, v) in map {
            if !(RiskGrade::parse(k).is_some() || k == UNGRADED) {
                return Err(format!("抽查比例的风险等级“{k}”不存在（应为 A、B、C、D 或 N 未定级）"));
            }
            if !(0..=1000).contains(v) {
                return Err(format!("风险等级 {k} 的抽查比例 {v}‰ 超出 0–1000‰"));
            }
            out.insert(k.clone(), *v as u16);
        }
        if out.values().all(|v| *v == 0) {
            return Err("抽查比例不能全部为 0".into());
        }
        Ok(Ratios(out))
    }
}

/// One checklist point's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointResult {
    Pass,
    Fail,
    NotApplicable,
}

crate::keyed_enum!(PointResult {
    Pass => ("pass", "符合"),
    Fail => ("fail", "不符合"),
    NotApplicable => ("not_applicable", "不适用"),
});

/// What an inspection concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionOutcome {
    Qualified,
    Rectify,
    CaseLead,
}

crate::keyed_enum!(InspectionOutcome {
    Qualified => ("qualified", "合格"),
    Rectify => ("rectify", "责令整改"),
    CaseLead => ("case_lead", "建议立案"),
});

/// The party's signature on the record: signed, refused (noted), or absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartySignature {
    Signed,
    Refused,
    Absent,
}

crate::keyed_enum!(PartySignature {
    Signed => ("signed", "当事人已签字"),
    Refused => ("refused", "当事人拒绝签字"),
    Absent => ("absent", "当事人不在场"),
});

/// 一公开 publishes results, not the list before the visit: a draw's record
/// (who is inspected, by whom) is released once the plan's results are
/// published or its due date (Beijing) has passed; until then only its
/// commitment (beacon and the record's SHA-256) is public.
pub fn draw_record_released(status: PlanStatus, due_on: chrono::NaiveDate, today: chrono::NaiveDate) -> bool {
    status == PlanStatus::ResultsPublished || (status.is_public() && today > due_on)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strata_run_in_grade_order_with_the_ungraded_last() {
        let r = Ratios([("D".to_string(), 300)].into());
        assert_eq!(r.strata(), [("A", 0), ("B", 0), ("C", 0), ("D", 300), ("N", 0)]);
        assert_eq!(Ratios::default().strata()[0], ("A", 50));
    }

    #[test]
    fn ratios_refuse_unknown_strata_and_out_of_range_values() {
        let parse = |pairs: &[(&str, i64)]| Ratios::parse(&pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect());
        assert!(parse(&[("A", 50), ("N", 1000)]).is_ok());
        assert!(parse(&[("E", 50)]).unwrap_err().contains("E"));
        assert!(parse(&[("A", 1001)]).unwrap_err().contains("1001"));
        assert!(parse(&[("A", -1)]).is_err());
        assert!(parse(&[("A", 0)]).unwrap_err().contains("全部为 0"));
    }

    #[test]
    fn rectification_deadlines_count_working_or_natural_days() {
        let cal = crate::Calendar::official();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let working = rectification_deadline(cal, d("2026-09-30"), 5, true).unwrap();
        assert_eq!(working, cal.add_working_days(d("2026-09-30"), 5).unwrap());
        assert!(working > d("2026-10-07"), "the National Day holiday is not counted");
        // Natural days: 5 days run to 10-05, inside the holiday, so the period ends on the next working day.
        assert_eq!(rectification_deadline(cal, d("2026-09-30"), 5, false).unwrap(), d("2026-10-08"));
        assert_eq!(rectification_deadline(cal, d("2026-11-02"), 3, false).unwrap(), d("2026-11-05"));
        assert!(rectification_deadline(cal, d("2026-09-30"), 0, false).is_err());
        assert!(rectification_deadline(cal, d("2026-09-30"), 91, false).is_err());
    }

    #[test]
    fn only_unfrozen_plans_change_scope_and_only_frozen_ones_are_public() {
        for s in PlanStatus::ALL {
            assert_eq!(s.scope_editable(), !s.is_public(), "{s:?}");
        }
        assert_eq!(stratum_of(None), "N");
        assert_eq!(stratum_of(Some(RiskGrade::C)), "C");
    }

    #[test]
    fn a_draw_record_is_released_with_the_results_or_after_the_due_date() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let due = d("2026-06-30");
        for &s in PlanStatus::ALL {
            let expected = s == PlanStatus::ResultsPublished;
            assert_eq!(draw_record_released(s, due, d("2026-06-01")), expected, "{s:?} before the due date");
            assert_eq!(draw_record_released(s, due, due), expected, "{s:?} on the due date");
            assert_eq!(draw_record_released(s, due, d("2026-07-01")), s.is_public(), "{s:?} after the due date");
        }
    }
}
