//! 专项检查 (special campaign): a named campaign of a region with its item
//! list and period, and the target set it inspects, chosen by an entity
//! category and attribute values (e.g. 医疗机构 of 级别 二级). A campaign has
//! no workflow of its own: it is created, and its tasks are generated.

use crate::registry::{AttributeKind, AttributeValue, Registry};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest period a campaign may run (a year and a day for leap years).
pub const MAX_CAMPAIGN_DAYS: i64 = 366;

/// Which entities a campaign targets: operating entities of `category` whose
/// attributes have these values (choice and integer attributes equal, text
/// attributes containing the value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetFilter {
    pub category: String,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// Why a filter or period was refused: a stable code, the field, a Chinese message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub field: String,
    pub message: String,
}

fn refuse(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Refusal {
    Refusal { code, field: field.into(), message: message.into() }
}

impl TargetFilter {
    /// Checks a filter against the registry: the category exists (key or
    /// label), each attribute is one of the category's, a choice is one of its
    /// choices, an integer is a number. Empty values are dropped.
    pub fn parse(
        registry: &Registry,
        category: &str,
        attributes: &BTreeMap<String, String>,
    ) -> Result<TargetFilter, Refusal> {
        let category = category.trim();
        if category.is_empty() {
            return Err(refuse("inspection_campaign.category_required", "category", "请选择专项检查的监管对象类别"));
        }
        let Some(cat) = registry.category_by_key_or_label(category) else {
            return Err(refuse(
                "inspection_campaign.unknown_category",
                "category",
                format!("未知的监管对象类别“{category}”"),
            ));
        };
        let mut out = BTreeMap::new();
        for (key, value) in attributes {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let field = format!("attributes.{key}");
            let Some(spec) = cat.attributes.iter().find(|a| &a.key == key || &a.label == key) else {
                return Err(refuse(
                    "inspection_campaign.unknown_attribute",
                    field,
                    format!("{}没有属性“{key}”", cat.label),
                ));
            };
            match spec.kind {
                AttributeKind::Choice if !spec.choices.iter().any(|c| c == value) => {
                    return Err(refuse(
                        "inspection_campaign.invalid_attribute",
                        field,
                        format!("{}应为 {} 之一", spec.label, spec.choices.join("、")),
                    ))
                }
                AttributeKind::Integer if value.parse::<i64>().is_err() => {
                    return Err(refuse(
                        "inspection_campaign.invalid_attribute",
                        field,
                        format!("{}应为整数", spec.label),
                    ))
                }
                _ => {}
            }
            out.insert(spec.key.clone(), value.to_string());
        }
        Ok(TargetFilter { category: cat.key.clone(), attributes: out })
    }

    /// Whether an entity of `category` with these attributes is in the target set.
    pub fn matches(&self, registry: &Registry, category: &str, attributes: &BTreeMap<String, AttributeValue>) -> bool {
        if category != self.category {
            return false;
        }
        let specs = registry.category(category).map(|c| c.attributes.as_slice()).unwrap_or_default();
        self.attributes.iter().all(|(key, wanted)| {
            let Some(have) = attributes.get(key) else { return false };
            let have = have.to_string();
            match specs.iter().find(|s| &s.key == key).map(|s| s.kind) {
                Some(AttributeKind::Text) => have.contains(wanted.as_str()),
                _ => &have == wanted,
            }
        })
    }

    /// The filter for people: 医疗机构（级别：二级）.
    pub fn describe(&self, registry: &Registry) -> String {
        let Some(cat) = registry.category(&self.category) else { return self.category.clone() };
        if self.attributes.is_empty() {
            return cat.label.clone();
        }
        let parts: Vec<String> = self
            .attributes
            .iter()
            .map(|(k, v)| {
                let label = cat.attributes.iter().find(|a| &a.key == k).map_or(k.as_str(), |a| a.label.as_str());
                format!("{label}：{v}")
            })
            .collect();
        format!("{}（{}）", cat.label, parts.join("，"))
    }
}

/// A campaign's period: it starts no later than it ends, ends no earlier than
/// `today` (a campaign is for inspecting, not for filing past work) and lasts
/// at most [`MAX_CAMPAIGN_DAYS`].
pub fn check_period(starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate) -> Result<(), Refusal> {
    if ends_on < starts_on {
        return Err(refuse("inspection_campaign.period_reversed", "ends_on", "结束日期不能早于开始日期"));
    }
    if ends_on < today {
        return Err(refuse("inspection_campaign.period_past", "ends_on", "结束日期不能早于今天"));
    }
    if (ends_on - starts_on).num_days() >= MAX_CAMPAIGN_DAYS {
        return Err(refuse(
            "inspection_campaign.period_too_long",
            "ends_on",
            format!("专项检查期限不能超过 {MAX_CAMPAIGN_DAYS} 日"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_filter_is_checked_against_the_category_and_its_choices() {
        let r = Registry::official();
        let f = TargetFilter::parse(r, "医疗机构", &attrs(&[("level", "二级"), ("beds", "")])).unwrap();
        assert_eq!(f.category, "medical_institution");
        assert_eq!(f.attributes, attrs(&[("level", "二级")]), "empty values are dropped");
        let by_label = TargetFilter::parse(r, "medical_institution", &attrs(&[("级别", "三级")])).unwrap();
        assert_eq!(by_label.attributes, attrs(&[("level", "三级")]));
        let e = TargetFilter::parse(r, "医疗机构", &attrs(&[("level", "四级")])).unwrap_err();
        assert_eq!((e.code, e.field.as_str()), ("inspection_campaign.invalid_attribute", "attributes.level"));
        let e = TargetFilter::parse(r, "医疗机构", &attrs(&[("colour", "红")])).unwrap_err();
        assert_eq!(e.code, "inspection_campaign.unknown_attribute");
        assert_eq!(
            TargetFilter::parse(r, "飞船", &attrs(&[])).unwrap_err().code,
            "inspection_campaign.unknown_category"
        );
        assert_eq!(TargetFilter::parse(r, " ", &attrs(&[])).unwrap_err().code, "inspection_campaign.category_required");
    }

    #[test]
    fn an_entity_matches_by_category_and_every_attribute() {
        let r = Registry::official();
        let f = TargetFilter::parse(r, "medical_institution", &attrs(&[("level", "二级")])).unwrap();
        let level = |v: &str| BTreeMap::from([("level".to_string(), AttributeValue::Text(v.into()))]);
        assert!(f.matches(r, "medical_institution", &level("二级")));
        assert!(!f.matches(r, "medical_institution", &level("一级")));
        assert!(!f.matches(r, "medical_institution", &BTreeMap::new()), "no value: not in the set");
        assert!(!f.matches(r, "public_place", &level("二级")), "another category");
        let beds = TargetFilter::parse(r, "medical_institution", &attrs(&[("beds", "100")])).unwrap();
        assert!(beds.matches(
            r,
            "medical_institution",
            &BTreeMap::from([("beds".into(), AttributeValue::Integer(100))])
        ));
        let text = TargetFilter::parse(r, "medical_institution", &attrs(&[("departments", "口腔")])).unwrap();
        let d = BTreeMap::from([("departments".to_string(), AttributeValue::Text("内科；口腔科".into()))]);
        assert!(text.matches(r, "medical_institution", &d), "text attributes match by containing");
        assert_eq!(f.describe(r), "医疗机构（级别：二级）");
    }

    #[test]
    fn a_period_runs_forward_into_today_or_later_for_at_most_a_year() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let today = d("2026-03-02");
        assert!(check_period(d("2026-03-01"), d("2026-06-30"), today).is_ok());
        assert_eq!(
            check_period(d("2026-06-30"), d("2026-03-01"), today).unwrap_err().code,
            "inspection_campaign.period_reversed"
        );
        assert_eq!(
            check_period(d("2026-01-01"), d("2026-03-01"), today).unwrap_err().code,
            "inspection_campaign.period_past"
        );
        assert_eq!(
            check_period(d("2026-03-02"), d("2027-03-03"), today).unwrap_err().code,
            "inspection_campaign.period_too_long"
        );
    }
}
