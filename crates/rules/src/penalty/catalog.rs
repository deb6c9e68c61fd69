//! The violation catalog (`data/violations.toml`) and the discretion policy
//! (`data/discretion.toml`): data reviewed like code, checked when loaded.

use super::{Effect, Party, PenaltyKind};
use crate::boundary::Threshold;
use crate::deadlines::Status;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::OnceLock;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    pub law: String,
    pub article: String,
}

impl std::fmt::Display for Citation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "《{}》{}", self.law, self.article)
    }
}

/// A fixed fine range in whole yuan: "500元以上5000元以下". A missing minimum is
/// a maximum-only rule ("3000元以下").
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct YuanRange {
    #[serde(default)]
    pub min: i64,
    pub max: i64,
}

/// How the statute sets the fine.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum FineRule {
    /// A fixed range, or a maximum only when `min` is absent.
    Range {
        #[serde(default)]
        min: i64,
        max: i64,
    },
    /// A multiple of the illegal income. `floor`: income meeting this bound is
    /// counted as the floor amount ("不足1万元的，按1万元计算"). `applies`: the
    /// multiple applies only to income meeting this bound, `otherwise` (no
    /// income, or income outside the bound) gives a fixed range.
    Multiple {
        min_times: u32,
        max_times: u32,
        #[serde(default)]
        floor: Option<Threshold>,
        #[serde(default)]
        applies: Option<Threshold>,
        #[serde(default)]
        otherwise: Option<YuanRange>,
    },
}

/// One legal scale of a violation: the kinds and fine that apply, either by
/// default or when one of `when_any` circumstances is present.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub label: String,
    #[serde(default)]
    pub when_any: Vec<String>,
    /// The penalty kinds the statute provides for this scale.
    pub kinds: Vec<PenaltyKind>,
    /// Kinds the statute leaves to discretion ("可以并处", "情节严重的").
    #[serde(default)]
    pub optional: Vec<PenaltyKind>,
    /// The statute says "X或者Y": exactly one of these kinds is imposed
    /// (they are among `kinds`, not among `optional`).
    #[serde(default)]
    pub either: Vec<PenaltyKind>,
    #[serde(default)]
    pub fine: Option<FineRule>,
    /// Months of 暂停执业 / 停业整顿 the statute allows, inclusive.
    #[serde(default)]
    pub suspension_months: Option<(u32, u32)>,
    #[serde(default)]
    pub basis: Vec<Citation>,
}

impl Scale {
    /// "警告、没收违法所得、罚款（可选）", with an either-group as "吊销许可证或者吊销执业证书".
    pub fn kinds_text(&self) -> String {
        if self.kinds.is_empty() {
            return "无行政处罚".into();
        }
        let mut parts: Vec<String> = self
            .kinds
            .iter()
            .filter(|k| !self.either.contains(k))
            .map(|k| if self.optional.contains(k) { format!("{}（可选）", k.label()) } else { k.label().to_string() })
            .collect();
        if !self.either.is_empty() {
            let group: Vec<&str> = self.either.iter().map(|k| k.label()).collect();
            parts.push(format!("{}（择一）", group.join("或者")));
        }
        parts.join("、")
    }
}

/// A circumstance named by one violation's own statute.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OwnCircumstance {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub effects: Vec<Effect>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    pub code: String,
    pub name: String,
    /// The supervision area (医疗服务, 公共场所卫生 ...), for browsing.
    pub area: String,
    pub basis: Vec<Citation>,
    /// 责令改正, 责令停止执业活动 ...: orders that accompany the penalty but are not penalty kinds.
    #[serde(default)]
    pub measures: Vec<String>,
    /// Who can commit it; both when absent.
    #[serde(default)]
    pub parties: Vec<Party>,
    #[serde(default)]
    pub circumstances: Vec<OwnCircumstance>,
    pub scales: Vec<Scale>,
    pub status: Status,
    #[serde(default)]
    pub note: Option<String>,
}

/// A general circumstance of the 行政处罚法 or of the discretion policy.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Circumstance {
    pub code: String,
    pub name: String,
    pub effects: Vec<Effect>,
    pub basis: String,
}

/// Where each tier sits in the legal range, in per cent from the minimum.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TierSplit {
    pub lighter: (u32, u32),
    pub general: (u32, u32),
    pub heavier: (u32, u32),
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SimpleProcedure {
    pub citizen_max: Threshold,
    pub legal_max: Threshold,
    pub basis: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HearingRule {
    /// "较大数额罚款": set by each province; see `status`.
    pub citizen_fine: Threshold,
    pub legal_fine: Threshold,
    pub kinds: Vec<PenaltyKind>,
    pub basis: String,
    pub status: Status,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MajorCaseRule {
    pub amount_involved: Threshold,
    pub basis: String,
    pub status: Status,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub tiers: TierSplit,
    pub tiers_basis: String,
    pub tiers_status: Status,
    pub simple_procedure: SimpleProcedure,
    pub hearing: HearingRule,
    pub major_case: MajorCaseRule,
    pub circumstance: Vec<Circumstance>,
}

#[derive(Clone, Debug)]
pub struct Catalog {
    pub policy: Policy,
    pub violations: Vec<Violation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ViolationFile {
    violation: Vec<Violation>,
}

static CATALOG: OnceLock<Catalog> = OnceLock::new();

pub const BUILT_IN_POLICY: &str = include_str!("../../data/discretion.toml");
pub const BUILT_IN_VIOLATIONS: &str = include_str!("../../data/violations.toml");

impl Catalog {
    /// The catalog in force: the one compiled into the binary, unless a
    /// province's own was installed at start-up.
    pub fn official() -> &'static Catalog {
        CATALOG.get_or_init(|| {
            Catalog::parse(BUILT_IN_POLICY, BUILT_IN_VIOLATIONS)
                .unwrap_or_else(|e| panic!("built-in penalty catalog is invalid: {e}"))
        })
    }

    /// Puts a province's catalog in force; only before first use, once.
    pub fn install(catalog: Catalog) -> Result<(), String> {
        CATALOG.set(catalog).map_err(|_| "裁量基准已在使用中，只能在启动时替换".to_string())
    }

    pub fn parse(policy: &str, violations: &str) -> Result<Catalog, String> {
        let policy: Policy = toml::from_str(policy).map_err(|e| format!("discretion policy: {e}"))?;
        let file: ViolationFile = toml::from_str(violations).map_err(|e| format!("violations: {e}"))?;
        let catalog = Catalog { policy, violations: file.violation };
        catalog.validate()?;
        Ok(catalog)
    }

    pub fn get(&self, code: &str) -> Option<&Violation> {
        self.violations.iter().find(|v| v.code.eq_ignore_ascii_case(code))
    }

    pub fn circumstance(&self, code: &str) -> Option<&Circumstance> {
        self.policy.circumstance.iter().find(|c| c.code == code)
    }

    /// Violations whose code, name, area or basis contain every word of `query`.
    pub fn search(&self, query: &str) -> Vec<&Violation> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        self.violations
            .iter()
            .filter(|v| {
                let text = format!(
                    "{} {} {} {}",
                    v.code.to_lowercase(),
                    v.name,
                    v.area,
                    v.basis.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" ")
                );
                words.iter().all(|w| text.contains(w.as_str()))
            })
            .collect()
    }

    /// Structural checks a reviewer should not have to do by eye.
    fn validate(&self) -> Result<(), String> {
        let p = &self.policy;
        for (name, (lo, hi)) in
            [("lighter", p.tiers.lighter), ("general", p.tiers.general), ("heavier", p.tiers.heavier)]
        {
            if lo > hi || hi > 100 {
                return Err(format!("tier {name}: {lo}..{hi} is not a range within 0..100"));
            }
        }
        let mut general = HashSet::new();
        for c in &p.circumstance {
            if !general.insert(c.code.as_str()) {
                return Err(format!("circumstance {} appears twice", c.code));
            }
            if c.effects.contains(&Effect::Scale) {
                return Err(format!("circumstance {}: only a violation's own circumstance selects a scale", c.code));
            }
        }
        let mut codes = HashSet::new();
        for v in &self.violations {
            let err = |m: &str| Err(format!("violation {}: {m}", v.code));
            if !codes.insert(v.code.to_uppercase()) {
                return err("code appears twice");
            }
            if v.name.is_empty() || v.basis.is_empty() {
                return err("needs a name and a legal basis");
            }
            let own: HashSet<&str> = v.circumstances.iter().map(|c| c.code.as_str()).collect();
            if v.circumstances.iter().any(|c| general.contains(c.code.as_str())) {
                return err("an own circumstance reuses a general code");
            }
            let defaults = v.scales.iter().filter(|s| s.when_any.is_empty()).count();
            if defaults != 1 || !v.scales.last().is_some_and(|s| s.when_any.is_empty()) {
                return err("needs exactly one default scale (no when_any), placed last");
            }
            for s in &v.scales {
                if let Some(c) = s.when_any.iter().find(|c| !own.contains(c.as_str())) {
                    return err(&format!("scale {} names unknown circumstance {c}", s.label));
                }
                if let Some(k) = s.optional.iter().find(|k| !s.kinds.contains(k)) {
                    return err(&format!("optional kind {k:?} is not among the scale's kinds"));
                }
                if !s.either.is_empty()
                    && (s.either.len() < 2 || s.either.iter().any(|k| !s.kinds.contains(k) || s.optional.contains(k)))
                {
                    return err(&format!("scale {}: `either` needs two or more of the kinds, none optional", s.label));
                }
                if s.fine.is_some() != s.kinds.contains(&PenaltyKind::Fine) {
                    return err(&format!("scale {}: a fine rule exactly when the kinds include a fine", s.label));
                }
                if let Some((lo, hi)) = s.suspension_months {
                    if lo > hi || !s.kinds.iter().any(|k| k.is_suspension()) {
                        return err("suspension months need a suspension kind and lo ≤ hi");
                    }
                }
                match &s.fine {
                    Some(FineRule::Range { min, max }) if *min < 0 || min > max || *max <= 0 => {
                        return err(&format!("scale {}: bad range {min}..{max}", s.label));
                    }
                    Some(FineRule::Multiple { min_times, max_times, floor, applies, otherwise }) => {
                        if min_times > max_times || *max_times == 0 {
                            return err("bad multiple");
                        }
                        if applies.is_some() != otherwise.is_some() {
                            return err("`applies` and `otherwise` go together");
                        }
                        if floor.is_some() && applies.is_some() {
                            return err("a multiple has a floor or an alternative range, not both");
                        }
                        if let Some(o) = otherwise {
                            if o.min < 0 || o.min > o.max {
                                return err("bad `otherwise` range");
                            }
                        }
                    }
                    _ => {}
                }
            }
            for c in &v.circumstances {
                let selects = v.scales.iter().any(|s| s.when_any.contains(&c.code));
                if selects != c.effects.contains(&Effect::Scale) {
                    return err(&format!("circumstance {}: effect `scale` exactly when a scale names it", c.code));
                }
            }
        }
        Ok(())
    }
}
