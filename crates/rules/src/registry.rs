//! The registry's vocabulary as data (data/registry.toml): entity categories and
//! their attributes, licence kinds with validity and 校验 cycles, inspector
//! specialties; and the few rules every module asks of them: a licence's status
//! on a day, when its next 校验 falls due, whether an enforcement certificate is
//! valid on a day.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const BUILT_IN: &str = include_str!("../data/registry.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    pub categories: Vec<Category>,
    pub licence_kinds: Vec<LicenceKind>,
    pub specialties: Vec<Specialty>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub key: String,
    pub label: String,
    /// Licence kinds an operating entity of this category must hold.
    pub required_licences: Vec<String>,
    pub attributes: Vec<AttributeSpec>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeKind {
    Text,
    Integer,
    Choice,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeSpec {
    pub key: String,
    pub label: String,
    pub kind: AttributeKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub choices: Vec<String>,
}

/// An attribute value after checking: integers are numbers, the rest text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttributeValue {
    Integer(i64),
    Text(String),
}

impl std::fmt::Display for AttributeValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AttributeValue::Integer(n) => write!(f, "{n}"),
            AttributeValue::Text(s) => f.write_str(s),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeError {
    pub key: String,
    pub message: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// A fixed cycle.
    #[serde(default)]
    pub months: Option<u32>,
    /// The cycle depends on the entity's bed count (医疗机构管理条例).
    #[serde(default)]
    pub by_beds: bool,
    #[serde(default)]
    pub months_below_100_beds: Option<u32>,
    #[serde(default)]
    pub months_from_100_beds: Option<u32>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceKind {
    pub key: String,
    pub label: String,
    /// Printed validity; None when the licence does not expire.
    #[serde(default)]
    pub valid_years: Option<u32>,
    /// From this many days before expiry the licence reads "expiring".
    pub renew_before_days: u32,
    #[serde(default)]
    pub verification: Option<Verification>,
    pub basis: String,
    pub status: crate::deadlines::Status,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Specialty {
    pub key: String,
    pub label: String,
    /// Entity categories under this specialty's supervision (its coverage denominator).
    #[serde(default)]
    pub categories: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("登记目录格式错误：{0}")]
    Parse(String),
    #[error("登记目录有误：{0}")]
    Invalid(String),
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();

/// The vocabulary compiled into the binary (a province starts its own from it).
pub const BUILT_IN_TOML: &str = BUILT_IN;

impl Registry {
    /// The vocabulary in force: the built-in one, unless a province's own was
    /// installed at start-up (`rules_dir/registry.toml`).
    pub fn official() -> &'static Registry {
        REGISTRY.get_or_init(|| Registry::from_toml(BUILT_IN).expect("the built-in registry vocabulary is valid"))
    }

    /// Reads a province's vocabulary: the checks of [`Registry::from_toml`], and
    /// every built-in key kept (records already stored name them; a province
    /// may add kinds and change labels and cycles, not remove any).
    pub fn parse_provincial(text: &str) -> Result<Registry, RegistryError> {
        let r = Registry::from_toml(text)?;
        let base = Registry::from_toml(BUILT_IN).expect("the built-in registry vocabulary is valid");
        let missing = base
            .categories
            .iter()
            .map(|c| &c.key)
            .filter(|k| r.category(k).is_none())
            .chain(base.licence_kinds.iter().map(|k| &k.key).filter(|k| r.licence_kind(k).is_none()))
            .chain(base.specialties.iter().map(|s| &s.key).filter(|k| r.specialty(k).is_none()))
            .cloned()
            .collect::<Vec<_>>();
        if !missing.is_empty() {
            return Err(RegistryError::Invalid(format!(
                "缺少内置的键：{}（只能增加或修改，不能删除）",
                missing.join("、")
            )));
        }
        Ok(r)
    }

    /// Puts a province's vocabulary in force; only before first use, once.
    pub fn install(registry: Registry) -> Result<(), String> {
        REGISTRY.set(registry).map_err(|_| "登记目录已在使用中，只能在启动时替换".to_string())
    }

    pub fn from_toml(text: &str) -> Result<Registry, RegistryError> {
        let r: Registry = toml::from_str(text).map_err(|e| RegistryError::Parse(e.to_string()))?;
        r.validate()?;
        Ok(r)
    }

    fn validate(&self) -> Result<(), RegistryError> {
        let mut seen = std::collections::BTreeSet::new();
        for k in self.categories.iter().map(|c| &c.key).chain(self.licence_kinds.iter().map(|k| &k.key)) {
            if !seen.insert(k.as_str()) {
                return Err(RegistryError::Invalid(format!("键“{k}”重复")));
            }
        }
        for c in &self.categories {
            for l in &c.required_licences {
                if self.licence_kind(l).is_none() {
                    return Err(RegistryError::Invalid(format!("类别 {} 要求的许可证种类 {l} 不存在", c.key)));
                }
            }
            for a in &c.attributes {
                if (a.kind == AttributeKind::Choice) == a.choices.is_empty() {
                    return Err(RegistryError::Invalid(format!("类别 {} 的属性 {} 的选项与类型不符", c.key, a.key)));
                }
            }
        }
        let mut specialties = std::collections::BTreeSet::new();
        for s in &self.specialties {
            if !specialties.insert(s.key.as_str()) {
                return Err(RegistryError::Invalid(format!("专业“{}”重复", s.key)));
            }
            if let Some(c) = s.categories.iter().find(|c| self.category(c).is_none()) {
                return Err(RegistryError::Invalid(format!("专业 {} 监管的类别 {c} 不存在", s.key)));
            }
        }
        for k in &self.licence_kinds {
            if let Some(v) = &k.verification {
                let ok = if v.by_beds {
                    v.months_below_100_beds.is_some() && v.months_from_100_beds.is_some()
                } else {
                    v.months.is_some()
                };
                if !ok {
                    return Err(RegistryError::Invalid(format!("许可证种类 {} 的校验周期不完整", k.key)));
                }
                let months = [v.months, v.months_below_100_beds, v.months_from_100_beds];
                if months.iter().flatten().any(|m| !(1..=120).contains(m)) {
                    return Err(RegistryError::Invalid(format!("许可证种类 {} 的校验周期应为1至120个月", k.key)));
                }
            }
        }
        Ok(())
    }

    pub fn category(&self, key: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.key == key)
    }

    /// A category by its key or its Chinese label (imports use labels).
    pub fn category_by_key_or_label(&self, s: &str) -> Option<&Category> {
        let s = s.trim();
        self.categories.iter().find(|c| c.key == s || c.label == s)
    }

    pub fn licence_kind(&self, key: &str) -> Option<&LicenceKind> {
        self.licence_kinds.iter().find(|k| k.key == key)
    }

    pub fn licence_kind_by_key_or_label(&self, s: &str) -> Option<&LicenceKind> {
        let s = s.trim();
        self.licence_kinds.iter().find(|k| k.key == s || k.label == s)
    }

    pub fn specialty(&self, key: &str) -> Option<&Specialty> {
        self.specialties.iter().find(|k| k.key == key)
    }

    pub fn specialty_by_key_or_label(&self, s: &str) -> Option<&Specialty> {
        let s = s.trim();
        self.specialties.iter().find(|k| k.key == s || k.label == s)
    }

    /// The specialties whose supervision covers entities of this category.
    pub fn specialties_supervising<'a>(&'a self, category: &'a str) -> impl Iterator<Item = &'a Specialty> + 'a {
        self.specialties.iter().filter(move |s| s.categories.iter().any(|c| c == category))
    }
}

impl Category {
    /// Checks raw attribute text against this category: unknown keys, missing
    /// required ones, non-integers and values outside the choices are refused.
    /// Empty values are dropped.
    pub fn check_attributes(
        &self,
        raw: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, AttributeValue>, AttributeError> {
        let mut out = BTreeMap::new();
        for (key, value) in raw {
            let Some(spec) = self.attributes.iter().find(|a| &a.key == key) else {
                return Err(AttributeError {
                    key: key.clone(),
                    message: format!("“{}”类别没有属性“{key}”", self.label),
                });
            };
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let checked = match spec.kind {
                AttributeKind::Text => AttributeValue::Text(value.to_string()),
                AttributeKind::Integer => match value.parse::<i64>() {
                    Ok(n) if (0..=10_000_000).contains(&n) => AttributeValue::Integer(n),
                    _ => {
                        return Err(AttributeError {
                            key: key.clone(),
                            message: format!("{}应为不小于0的整数，收到“{value}”", spec.label),
                        })
                    }
                },
                AttributeKind::Choice => {
                    if !spec.choices.iter().any(|c| c == value) {
                        return Err(AttributeError {
                            key: key.clone(),
                            message: format!("{}应为{}之一，收到“{value}”", spec.label, spec.choices.join("、")),
                        });
                    }
                    AttributeValue::Text(value.to_string())
                }
            };
            out.insert(key.clone(), checked);
        }
        if let Some(missing) = self.attributes.iter().find(|a| a.required && !out.contains_key(&a.key)) {
            return Err(AttributeError {
                key: missing.key.clone(),
                message: format!("“{}”类别须填写{}", self.label, missing.label),
            });
        }
        Ok(out)
    }

    /// The bed count, for licences whose 校验 cycle depends on it.
    pub fn beds(attributes: &BTreeMap<String, AttributeValue>) -> Option<i64> {
        match attributes.get("beds") {
            Some(AttributeValue::Integer(n)) => Some(*n),
            _ => None,
        }
    }
}

/// A licence's status as recorded by an act of the authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceRecord {
    Valid,
    Suspended,
    Revoked,
    Cancelled,
}

/// What a licence is on a given day: the record, read together with its dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceStatus {
    Valid,
    Expiring,
    Expired,
    Suspended,
    Revoked,
    Cancelled,
}

crate::keyed_enum!(LicenceRecord {
    Valid => ("valid", "有效"),
    Suspended => ("suspended", "暂停"),
    Revoked => ("revoked", "吊销"),
    Cancelled => ("cancelled", "注销"),
});

crate::keyed_enum!(LicenceStatus {
    Valid => ("valid", "有效"),
    Expiring => ("expiring", "即将到期"),
    Expired => ("expired", "已过期"),
    Suspended => ("suspended", "暂停"),
    Revoked => ("revoked", "吊销"),
    Cancelled => ("cancelled", "注销"),
});

impl LicenceStatus {
    /// Whether the holder may operate under it on that day.
    pub fn in_force(self) -> bool {
        matches!(self, LicenceStatus::Valid | LicenceStatus::Expiring)
    }
}

impl LicenceKind {
    /// The last day of validity for a licence issued on `issued` (inclusive):
    /// issued 2026-03-01 for 4 years → valid until 2030-02-28.
    pub fn default_valid_until(&self, issued: NaiveDate) -> Option<NaiveDate> {
        let years = self.valid_years?;
        issued.checked_add_months(Months::new(years * 12)).and_then(|d| d.pred_opt())
    }

    /// Months between two 校验, or None when the kind has none.
    pub fn verification_months(&self, beds: Option<i64>) -> Option<u32> {
        let v = self.verification.as_ref()?;
        if v.by_beds {
            // No bed count recorded: the shorter cycle, so nothing is missed.
            if beds.unwrap_or(0) >= 100 {
                v.months_from_100_beds
            } else {
                v.months_below_100_beds
            }
        } else {
            v.months
        }
    }

    /// When the next 校验 falls due, counting from the last one (or the issue date).
    pub fn next_verification_due(&self, since: NaiveDate, beds: Option<i64>) -> Option<NaiveDate> {
        let months = self.verification_months(beds)?;
        since.checked_add_months(Months::new(months)).and_then(|d| d.pred_opt())
    }

    pub fn status_on(&self, record: LicenceRecord, valid_until: Option<NaiveDate>, day: NaiveDate) -> LicenceStatus {
        match record {
            LicenceRecord::Suspended => LicenceStatus::Suspended,
            LicenceRecord::Revoked => LicenceStatus::Revoked,
            LicenceRecord::Cancelled => LicenceStatus::Cancelled,
            LicenceRecord::Valid => match valid_until {
                Some(until) if day > until => LicenceStatus::Expired,
                Some(until) if (until - day).num_days() < i64::from(self.renew_before_days) => LicenceStatus::Expiring,
                _ => LicenceStatus::Valid,
            },
        }
    }
}

/// Days before a certificate's expiry from which it is flagged.
pub const CERTIFICATE_WARNING_DAYS: i64 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectorStatus {
    Active,
    Suspended,
    Retired,
}

crate::keyed_enum!(InspectorStatus {
    Active => ("active", "在岗"),
    Suspended => ("suspended", "暂停执法"),
    Retired => ("retired", "离岗退休"),
});

/// The one rule for who may be assigned to enforce on a day: an active
/// inspector whose 执法证 is valid that day (both ends inclusive).
pub fn may_enforce_on(status: InspectorStatus, valid_from: NaiveDate, valid_until: NaiveDate, day: NaiveDate) -> bool {
    status == InspectorStatus::Active && valid_from <= day && day <= valid_until
}

/// Whether an inspector may be assigned for a whole period, `from` to
/// `until` (both inclusive): a drawn or substituted pair must stay valid to
/// the task's due date, not only on the day of the assignment.
pub fn may_enforce_throughout(
    status: InspectorStatus,
    valid_from: NaiveDate,
    valid_until: NaiveDate,
    from: NaiveDate,
    until: NaiveDate,
) -> bool {
    // The certificate's validity is one interval: both ends inside it cover the period.
    may_enforce_on(status, valid_from, valid_until, from)
        && may_enforce_on(status, valid_from, valid_until, until.max(from))
}

/// A certificate that runs out within [`CERTIFICATE_WARNING_DAYS`] of `day`.
pub fn certificate_expiring(valid_until: NaiveDate, day: NaiveDate) -> bool {
    let left = (valid_until - day).num_days();
    (0..CERTIFICATE_WARNING_DAYS).contains(&left)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityStatus {
    Operating,
    Suspended,
    Closed,
}

crate::keyed_enum!(EntityStatus {
    Operating => ("operating", "正常经营"),
    Suspended => ("suspended", "停业"),
    Closed => ("closed", "注销关闭"),
});

/// 风险等级: A lowest to D highest; drives sampling ratios.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RiskGrade {
    A,
    B,
    C,
    D,
}

crate::keyed_enum!(RiskGrade {
    A => ("A", "A（低风险）"),
    B => ("B", "B（较低风险）"),
    C => ("C", "C（较高风险）"),
    D => ("D", "D（高风险）"),
});

/// 信用等级: A best to D worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CreditGrade {
    A,
    B,
    C,
    D,
}

crate::keyed_enum!(CreditGrade {
    A => ("A", "A（守信）"),
    B => ("B", "B（基本守信）"),
    C => ("C", "C（失信）"),
    D => ("D", "D（严重失信）"),
});

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PractitionerKind {
    Physician,
    Nurse,
    Technician,
}

crate::keyed_enum!(PractitionerKind {
    Physician => ("physician", "医师"),
    Nurse => ("nurse", "护士"),
    Technician => ("technician", "医技人员"),
});

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PractitionerStatus {
    Practising,
    Suspended,
    Revoked,
    Cancelled,
}

crate::keyed_enum!(PractitionerStatus {
    Practising => ("practising", "执业"),
    Suspended => ("suspended", "暂停执业"),
    Revoked => ("revoked", "吊销"),
    Cancelled => ("cancelled", "注销"),
});

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_built_in_vocabulary_loads_and_every_required_licence_exists() {
        let r = Registry::official();
        assert!(r.categories.len() >= 12);
        let med = r.category("medical_institution").unwrap();
        assert_eq!(med.required_licences, ["medical_practice"]);
        assert_eq!(r.category_by_key_or_label("公共场所").unwrap().key, "public_place");
    }

    #[test]
    fn a_duplicate_key_or_a_missing_licence_kind_is_refused() {
        let dup = format!("{BUILT_IN}\n[[specialties]]\nkey = \"x\"\nlabel = \"x\"\n[[categories]]\nkey = \"other\"\nlabel = \"x\"\nrequired_licences = []\nattributes = []\n");
        assert!(matches!(Registry::from_toml(&dup), Err(RegistryError::Invalid(_))));
        let missing =
            BUILT_IN.replacen("required_licences = [\"medical_practice\"]", "required_licences = [\"nope\"]", 1);
        assert!(matches!(Registry::from_toml(&missing), Err(RegistryError::Invalid(_))));
    }

    #[test]
    fn specialties_name_existing_categories_and_a_hospital_falls_under_several() {
        let r = Registry::official();
        let med: Vec<&str> = r.specialties_supervising("medical_institution").map(|s| s.key.as_str()).collect();
        assert!(med.contains(&"medical_services") && med.contains(&"radiation"), "{med:?}");
        assert!(!med.contains(&"school_health"));
        assert!(r.specialties.iter().all(|s| !s.categories.is_empty()), "every specialty supervises something");
        let unknown = BUILT_IN.replacen("categories = [\"school\"]", "categories = [\"nope\"]", 1);
        assert!(matches!(Registry::from_toml(&unknown), Err(RegistryError::Invalid(_))));
    }

    #[test]
    fn attributes_are_checked_against_the_category() {
        let med = Registry::official().category("medical_institution").unwrap();
        let raw = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let ok = med.check_attributes(&raw(&[("institution_type", "诊所"), ("beds", "0"), ("level", "")])).unwrap();
        assert_eq!(ok.get("beds"), Some(&AttributeValue::Integer(0)));
        assert!(!ok.contains_key("level"), "empty values are dropped");
        let e = med.check_attributes(&raw(&[("institution_type", "诊所"), ("beds", "十")])).unwrap_err();
        assert_eq!(e.key, "beds");
        let e = med.check_attributes(&raw(&[("institution_type", "医院")])).unwrap_err();
        assert_eq!(e.key, "institution_type");
        let e = med.check_attributes(&raw(&[("beds", "10")])).unwrap_err();
        assert_eq!(e.key, "institution_type", "a required attribute is missing");
        let e = med.check_attributes(&raw(&[("institution_type", "诊所"), ("colour", "红")])).unwrap_err();
        assert_eq!(e.key, "colour");
    }

    #[test]
    fn verification_cycle_follows_the_bed_count() {
        let k = Registry::official().licence_kind("medical_practice").unwrap();
        assert_eq!(k.verification_months(Some(99)), Some(12));
        assert_eq!(k.verification_months(Some(100)), Some(36));
        assert_eq!(k.verification_months(None), Some(12));
        assert_eq!(k.next_verification_due(d("2026-03-01"), Some(20)), Some(d("2027-02-28")));
        assert_eq!(k.next_verification_due(d("2026-03-01"), Some(500)), Some(d("2029-02-28")));
        let water = Registry::official().licence_kind("water_supply_hygiene").unwrap();
        assert_eq!(water.next_verification_due(d("2026-03-01"), None), None);
    }

    #[test]
    fn a_provincial_vocabulary_may_change_a_cycle_but_not_drop_a_key() {
        // 海口 practises a yearly 年审 whatever the bed count.
        let yearly = BUILT_IN.replace(
            "verification = { by_beds = true, months_below_100_beds = 12, months_from_100_beds = 36 }",
            "verification = { months = 12 }",
        );
        let r = Registry::parse_provincial(&yearly).unwrap();
        let k = r.licence_kind("medical_practice").unwrap();
        assert_eq!(k.next_verification_due(d("2026-03-01"), Some(500)), Some(d("2027-02-28")));
        let dropped = BUILT_IN.replacen("key = \"medical_practice\"", "key = \"medical_practice_hk\"", 1);
        assert!(
            matches!(Registry::parse_provincial(&dropped), Err(RegistryError::Invalid(m)) if m.contains("medical_practice"))
        );
        let zero = BUILT_IN.replace("months_below_100_beds = 12", "months_below_100_beds = 0");
        assert!(matches!(Registry::parse_provincial(&zero), Err(RegistryError::Invalid(_))));
        assert!(matches!(Registry::parse_provincial("categories = 3"), Err(RegistryError::Parse(_))));
    }

    #[test]
    fn validity_ends_the_day_before_the_anniversary() {
        let k = Registry::official().licence_kind("public_place_hygiene").unwrap();
        assert_eq!(k.default_valid_until(d("2026-03-01")), Some(d("2030-02-28")));
        assert_eq!(k.default_valid_until(d("2024-02-29")), Some(d("2028-02-28")));
    }

    #[test]
    fn licence_status_on_a_day() {
        let k = Registry::official().licence_kind("public_place_hygiene").unwrap(); // renew 30 days before
        let until = Some(d("2026-12-31"));
        assert_eq!(k.status_on(LicenceRecord::Valid, until, d("2026-12-01")), LicenceStatus::Valid);
        assert_eq!(k.status_on(LicenceRecord::Valid, until, d("2026-12-02")), LicenceStatus::Expiring);
        assert_eq!(k.status_on(LicenceRecord::Valid, until, d("2026-12-31")), LicenceStatus::Expiring);
        assert_eq!(k.status_on(LicenceRecord::Valid, until, d("2027-01-01")), LicenceStatus::Expired);
        assert_eq!(k.status_on(LicenceRecord::Valid, None, d("2099-01-01")), LicenceStatus::Valid);
        assert_eq!(k.status_on(LicenceRecord::Revoked, until, d("2026-06-01")), LicenceStatus::Revoked);
        assert!(!LicenceStatus::Expired.in_force());
    }

    #[test]
    fn a_period_needs_the_certificate_valid_from_its_first_to_its_last_day() {
        let (from, until) = (d("2026-01-01"), d("2026-06-30"));
        let ok = |a: &str, b: &str| may_enforce_throughout(InspectorStatus::Active, from, until, d(a), d(b));
        assert!(ok("2026-03-01", "2026-06-30"));
        assert!(!ok("2026-03-01", "2026-07-01"), "lapses before the due date");
        assert!(!ok("2025-12-31", "2026-03-01"), "not yet valid on the first day");
        // A period already over (due before today) is judged on its first day.
        assert!(ok("2026-03-01", "2026-02-01"));
        assert!(!may_enforce_throughout(InspectorStatus::Suspended, from, until, d("2026-03-01"), d("2026-04-01")));
    }

    #[test]
    fn enforcement_is_allowed_only_on_valid_days_of_an_active_inspector() {
        let (from, until) = (d("2024-01-01"), d("2026-12-31"));
        assert!(may_enforce_on(InspectorStatus::Active, from, until, d("2024-01-01")));
        assert!(may_enforce_on(InspectorStatus::Active, from, until, d("2026-12-31")));
        assert!(!may_enforce_on(InspectorStatus::Active, from, until, d("2027-01-01")));
        assert!(!may_enforce_on(InspectorStatus::Active, from, until, d("2023-12-31")));
        assert!(!may_enforce_on(InspectorStatus::Suspended, from, until, d("2025-06-01")));
        assert!(certificate_expiring(until, d("2026-12-02")));
        assert!(!certificate_expiring(until, d("2026-12-01")));
        assert!(!certificate_expiring(until, d("2027-01-01")));
    }

    #[test]
    fn keyed_enums_round_trip() {
        for &s in LicenceStatus::ALL {
            assert_eq!(LicenceStatus::parse(s.key()), Some(s));
        }
        assert_eq!(RiskGrade::parse("C"), Some(RiskGrade::C));
        assert_eq!(EntityStatus::parse_key_or_label("停业"), Some(EntityStatus::Suspended));
    }
}
