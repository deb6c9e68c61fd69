//! The home page's 监督覆盖率 panel for leaders and section chiefs: one bar per
//! specialty against the 100% target as server-rendered SVG (no script), and
//! the same figures per category in a table beneath it.

use askama::Template;
use weijian_rules::coverage::{Line, TARGET_PERMILLE};
use weijian_store::{Actor, Store};

/// Chart geometry in viewBox units: a label line, then the bar, per specialty.
const WIDTH: i64 = 360;
const ROW: i64 = 42;
const TOP: i64 = 26;

struct Bar {
    label: String,
    /// "63.2%（12/19）" or "无监管对象".
    value: String,
    /// Accessible description of the bar.
    title: String,
    y_text: i64,
    y_bar: i64,
    width: i64,
    met: bool,
}

struct Row {
    specialty: String,
    category: String,
    supervised: i64,
    inspected: i64,
    rate: String,
    total: bool,
}

#[derive(Template)]
#[template(path = "coverage_panel.html")]
pub struct CoveragePanel {
    year: i32,
    bars: Vec<Bar>,
    rows: Vec<Row>,
    height: i64,
    target_x: i64,
    target_label: String,
}

fn percent(l: &Line) -> String {
    format!("{:.1}%", l.rate_permille() as f64 / 10.0)
}

impl CoveragePanel {
    pub fn new(year: i32, lines: &[Line]) -> CoveragePanel {
        let label = |k: &str| crate::api::coverage::specialty_label(k);
        let bars: Vec<Bar> = lines
            .iter()
            .filter(|l| l.category.is_none())
            .enumerate()
            .map(|(n, l)| {
                let top = TOP + n as i64 * ROW;
                let value = if l.supervised == 0 {
                    "无监管对象".to_string()
                } else {
                    format!("{}（{}/{}）", percent(l), l.inspected, l.supervised)
                };
                Bar {
                    title: format!(
                        "{}：监管对象 {} 户，已检查 {} 户，覆盖率 {}",
                        label(&l.specialty),
                        l.supervised,
                        l.inspected,
                        percent(l)
                    ),
                    label: label(&l.specialty),
                    value,
                    y_text: top + 13,
                    y_bar: top + 19,
                    width: l.rate_permille() * WIDTH / TARGET_PERMILLE.max(1),
                    met: l.met(),
                }
            })
            .collect();
        let rows = lines
            .iter()
            .map(|l| Row {
                specialty: label(&l.specialty),
                category: l
                    .category
                    .as_deref()
                    .map(crate::api::entities::category_label)
                    .unwrap_or_else(|| "合计".into()),
                supervised: l.supervised,
                inspected: l.inspected,
                rate: if l.supervised == 0 { "—".into() } else { percent(l) },
                total: l.category.is_none(),
            })
            .collect();
        CoveragePanel {
            year,
            height: TOP + bars.len() as i64 * ROW + 4,
            bars,
            rows,
            target_x: WIDTH * TARGET_PERMILLE.min(1000) / 1000,
            target_label: format!("目标 {}%", TARGET_PERMILLE / 10),
        }
    }
}

/// The rendered panel for the actor's scope this year, or None for roles that
/// do not see it (or when the report cannot be read: the home page still opens).
pub async fn panel(store: &Store, actor: &Actor, year: i32) -> Option<String> {
    let lines = weijian_domain::coverage::report(store, actor, year, None, None).await.ok()?;
    CoveragePanel::new(year, &lines).render().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(specialty: &str, category: Option<&str>, supervised: i64, inspected: i64) -> Line {
        Line { specialty: specialty.into(), category: category.map(String::from), supervised, inspected }
    }

    #[test]
    fn one_bar_per_specialty_scaled_to_the_target_with_titles() {
        let lines = [
            line("radiation", None, 4, 1),
            line("radiation", Some("radiation"), 4, 1),
            line("public_places", None, 2, 2),
            line("school_health", None, 0, 0),
        ];
        let html = CoveragePanel::new(2026, &lines).render().unwrap();
        if let Ok(path) = std::env::var("WEIJIAN_COVERAGE_HTML") {
            std::fs::write(path, &html).unwrap();
        }
        assert_eq!(html.matches("class=\"bar ").count(), 3, "one bar per specialty, not per category");
        assert!(html.contains("<title>放射卫生：监管对象 4 户，已检查 1 户，覆盖率 25.0%</title>"), "{html}");
        assert!(html.contains(&format!("width=\"{}\"", WIDTH / 4)), "25% is a quarter of the track");
        assert!(html.contains("class=\"bar met\""), "a specialty at 100% is drawn as met");
        assert!(html.contains("无监管对象"));
        assert!(html.contains("viewBox=\"0 0 360 "), "scales with the page");
        assert!(!html.contains("<script"));
    }
}
