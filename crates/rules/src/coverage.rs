//! 监督覆盖率 per specialty (专业): which entities a specialty supervises (the
//! registry's `categories` of each specialty), the target, and the lines of the
//! report built from two counts the store makes. Seed 002 sets the target:
//! "年内各个专业监督覆盖率均达到100%".

use crate::registry::Registry;
use std::collections::BTreeMap;

/// The yearly target of every specialty, in per mille (seed 002: 100%).
pub const TARGET_PERMILLE: i64 = 1000;

/// `part / whole` in per mille, rounded down; 0 when nothing is supervised.
pub fn rate_permille(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        0
    } else {
        part.clamp(0, whole) * 1000 / whole
    }
}

/// One line of the report: a specialty's total (`category` None) or one of
/// the categories it supervises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub specialty: String,
    pub category: Option<String>,
    /// Operating entities of the scope under this specialty (and category).
    pub supervised: i64,
    /// Of them, inspected that year for an item of this specialty.
    pub inspected: i64,
}

impl Line {
    pub fn rate_permille(&self) -> i64 {
        rate_permille(self.inspected, self.supervised)
    }

    pub fn met(&self) -> bool {
        self.supervised > 0 && self.rate_permille() >= TARGET_PERMILLE
    }
}

/// The report from the store's counts: `supervised` per category and
/// `inspected` per (category, specialty), distinct entities. Each specialty in
/// registry order (only `only` when given) gives its total line, then one line
/// per supervised category that has entities in the scope.
pub fn lines(
    registry: &Registry,
    supervised: &BTreeMap<String, i64>,
    inspected: &BTreeMap<(String, String), i64>,
    only: Option<&str>,
) -> Vec<Line> {
    let mut out = Vec::new();
    for s in registry.specialties.iter().filter(|s| only.is_none_or(|k| k == s.key)) {
        let parts: Vec<Line> = s
            .categories
            .iter()
            .filter_map(|c| {
                let n = *supervised.get(c)?;
                (n > 0).then(|| Line {
                    specialty: s.key.clone(),
                    category: Some(c.clone()),
                    supervised: n,
                    inspected: inspected.get(&(c.clone(), s.key.clone())).copied().unwrap_or(0).min(n),
                })
            })
            .collect();
        out.push(Line {
            specialty: s.key.clone(),
            category: None,
            supervised: parts.iter().map(|l| l.supervised).sum(),
            inspected: parts.iter().map(|l| l.inspected).sum(),
        });
        out.extend(parts);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts() -> (BTreeMap<String, i64>, BTreeMap<(String, String), i64>) {
        let supervised = [("medical_institution", 10), ("radiation", 2), ("school", 0)]
            .into_iter()
            .map(|(k, n)| (k.to_string(), n))
            .collect();
        let inspected = [(("medical_institution", "medical_services"), 4), (("radiation", "radiation"), 2)]
            .into_iter()
            .map(|((c, s), n)| ((c.to_string(), s.to_string()), n))
            .collect();
        (supervised, inspected)
    }

    #[test]
    fn a_category_counts_as_inspected_only_for_the_specialty_of_the_item() {
        let (sup, ins) = counts();
        let r = Registry::official();
        let rad = lines(r, &sup, &ins, Some("radiation"));
        // Total, then radiation centres (2 of 2) and hospitals (0 of 10: inspected for 医疗 only).
        assert_eq!(rad[0], Line { specialty: "radiation".into(), category: None, supervised: 12, inspected: 2 });
        let hospitals = rad.iter().find(|l| l.category.as_deref() == Some("medical_institution")).unwrap();
        assert_eq!((hospitals.supervised, hospitals.inspected), (10, 0));
        let med = lines(r, &sup, &ins, Some("medical_services"));
        assert_eq!((med[0].supervised, med[0].inspected, med[0].rate_permille()), (10, 4, 400));
    }

    #[test]
    fn every_specialty_has_a_total_line_and_empty_categories_are_left_out() {
        let (sup, ins) = counts();
        let r = Registry::official();
        let all = lines(r, &sup, &ins, None);
        assert_eq!(all.iter().filter(|l| l.category.is_none()).count(), r.specialties.len());
        assert!(all.iter().all(|l| l.category.as_deref() != Some("school")), "no school in the scope");
        let school = all.iter().find(|l| l.specialty == "school_health").unwrap();
        assert_eq!((school.supervised, school.rate_permille(), school.met()), (0, 0, false));
    }

    #[test]
    fn the_rate_is_rounded_down_and_bounded() {
        assert_eq!(rate_permille(2, 3), 666);
        assert_eq!(rate_permille(5, 0), 0);
        assert_eq!(rate_permille(7, 5), 1000);
        assert!(Line { specialty: "x".into(), category: None, supervised: 3, inspected: 3 }.met());
    }
}
