//! The home page's 监督覆盖率 panel for leaders and section chiefs: one bar per
//! specialty against the 100% target as server-rendered SVG (no script), and
//! the same figures per category in a table beneath it. Each bar links to
//! the page of that specialty's entities not yet inspected this year.

use super::{domain_error_page, error_page, render, Chrome};
use crate::extract::CurrentUser;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use weijian_domain::ErrorKind;
use weijian_rules::coverage::{Line, TARGET_PERMILLE};
use weijian_rules::registry::Registry;
use weijian_store::page::Cursor;
use weijian_store::{Actor, Store};

/// Chart geometry in viewBox units: a label line, then the bar, per specialty.
const WIDTH: i64 = 360;
const ROW: i64 = 42;
const TOP: i64 = 26;

struct Bar {
    /// The specialty's key: its bar links to its never-inspected list.
    key: String,
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
                    key: l.specialty.clone(),
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

/// One entity on the never-inspected page.
struct EntityRow {
    id: String,
    name: String,
    category: String,
    region_code: String,
}

#[derive(Template)]
#[template(path = "never_inspected.html")]
struct NeverInspectedPage {
    chrome: Chrome,
    year: i32,
    /// The specialty's key ("" for all) and its label.
    specialty: String,
    specialty_label: String,
    region_code: String,
    specialties: Vec<(String, String)>,
    entities: Vec<EntityRow>,
    /// The query of the next page (urlencoded), if any.
    next: Option<String>,
    first_page: bool,
}

#[derive(Deserialize)]
pub struct NeverInspectedForm {
    #[serde(default)]
    specialty: Option<String>,
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    region_code: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
}

/// The entities not yet inspected this year for a specialty (all when none
/// is chosen), in pages of 50, each linking to its file. Reached from the
/// coverage chart's bars on the home page.
pub async fn never_inspected(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<NeverInspectedForm>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return error_page(StatusCode::BAD_REQUEST, "查询参数无效", "查询参数无效");
    };
    let year = match q.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => chrono::Datelike::year(&weijian_domain::input::today()),
        Some(s) => match s.parse() {
            Ok(y) => y,
            Err(_) => return error_page(StatusCode::BAD_REQUEST, "查询参数无效", "年份应为 2000 到 2100 之间的整数"),
        },
    };
    let specialty = q.specialty.unwrap_or_default().trim().to_string();
    let region_code = q.region_code.unwrap_or_default().trim().to_string();
    let cursor = match q.cursor.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => match Cursor::decode(c) {
            Some(c) => Some(c),
            None => return error_page(StatusCode::BAD_REQUEST, "查询参数无效", "分页位置无效"),
        },
    };
    let first_page = cursor.is_none();
    let page = weijian_domain::coverage::never_inspected(
        &state.store,
        &a.actor,
        year,
        Some(region_code.as_str()).filter(|s| !s.is_empty()),
        Some(specialty.as_str()).filter(|s| !s.is_empty()),
        cursor,
        Some(50),
    )
    .await;
    let page = match page {
        Ok(p) => p,
        // A bad year or specialty in the address is the request's fault.
        Err(e) if e.kind == ErrorKind::Invalid => {
            return error_page(StatusCode::BAD_REQUEST, "查询参数无效", &e.message)
        }
        Err(e) => return domain_error_page(e),
    };
    let registry = Registry::official();
    let chosen = registry.specialty_by_key_or_label(&specialty);
    let next = page.next.map(|n| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("specialty", chosen.map_or("", |s| s.key.as_str()))
            .append_pair("year", &year.to_string())
            .append_pair("region_code", &region_code)
            .append_pair("cursor", &n)
            .finish()
    });
    render(
        StatusCode::OK,
        &NeverInspectedPage {
            chrome: Chrome::new(&state.store, &a, "/").await,
            year,
            specialty: chosen.map(|s| s.key.clone()).unwrap_or_default(),
            specialty_label: chosen.map(|s| s.label.clone()).unwrap_or_else(|| "全部专业".into()),
            region_code,
            specialties: registry.specialties.iter().map(|s| (s.key.clone(), s.label.clone())).collect(),
            entities: page
                .items
                .into_iter()
                .map(|u| EntityRow {
                    id: u.id.to_string(),
                    category: crate::api::entities::category_label(&u.category),
                    name: u.name,
                    region_code: u.region_code,
                })
                .collect(),
            next,
            first_page,
        },
    )
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
