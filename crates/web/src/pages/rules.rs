//! Rules pages for staff: try the discretion engine, read the violation
//! catalog with its legal bases, the points rules, and the working-day
//! calendar (with the import of a new year for national administrators).

use super::{domain_error_page, render, Chrome};
use crate::api::penalty::{money_text, party};
use crate::extract::CurrentUser;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use weijian_domain::authz::{allows, Permission};
use weijian_rules::penalty::{self, Catalog, Circumstance, Evaluation, Facts, Party, Violation};
use weijian_rules::points::{Scheme, Subject};

/// The engine form as submitted (GET, so a result can be bookmarked and shared).
#[derive(Default)]
pub struct EngineForm {
    pub violation: String,
    pub party: String,
    pub illegal_income: String,
    pub amount_involved: String,
    pub circumstances: Vec<String>,
    pub q: String,
}

impl EngineForm {
    fn parse(raw: Option<&str>) -> EngineForm {
        let mut f = EngineForm::default();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let v = v.trim().to_string();
            match k.as_ref() {
                "violation" => f.violation = v,
                "party" => f.party = v,
                "illegal_income" => f.illegal_income = v,
                "amount_involved" => f.amount_involved = v,
                "circumstance" => f.circumstances.push(v),
                "q" => f.q = v,
                _ => {}
            }
        }
        f
    }

    pub fn checked(&self, code: &str) -> bool {
        self.circumstances.iter().any(|c| c == code)
    }

    pub fn is_citizen(&self) -> bool {
        self.party == "citizen"
    }
}

fn evaluate(form: &EngineForm) -> Result<Evaluation, String> {
    let money = |text: &str, field: &str| {
        if text.is_empty() {
            Ok(None)
        } else {
            money_text(text, field).map(Some).map_err(|e| e.body.message)
        }
    };
    let facts = Facts {
        illegal_income: money(&form.illegal_income, "违法所得")?,
        amount_involved: money(&form.amount_involved, "涉案金额")?,
    };
    let party: Party = party(Some(&form.party)).map_err(|e| e.body.message)?;
    let q = penalty::Query { violation: &form.violation, party, facts, circumstances: &form.circumstances };
    penalty::evaluate(Catalog::official(), &q).map_err(|e| e.to_string())
}

/// A catalog area with its violations, for the picker and the list.
pub struct Area<'a> {
    pub name: &'a str,
    pub violations: Vec<&'a Violation>,
}

fn areas<'a>(list: &[&'a Violation]) -> Vec<Area<'a>> {
    let mut out: Vec<Area<'a>> = Vec::new();
    for v in list {
        match out.iter_mut().find(|a| a.name == v.area) {
            Some(a) => a.violations.push(v),
            None => out.push(Area { name: &v.area, violations: vec![v] }),
        }
    }
    out
}

pub fn basis_text(v: &Violation) -> String {
    v.basis.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("、")
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage<'a> {
    chrome: Chrome,
    form: EngineForm,
    all: Vec<Area<'a>>,
    found: Vec<Area<'a>>,
    found_count: usize,
    selected: Option<&'a Violation>,
    general: &'a [Circumstance],
    result: Option<Evaluation>,
    error: String,
    policy: &'a penalty::Policy,
}

pub async fn engine(State(state): State<AppState>, CurrentUser(a): CurrentUser, RawQuery(raw): RawQuery) -> Response {
    let catalog = Catalog::official();
    let form = EngineForm::parse(raw.as_deref());
    let (result, error) = if form.violation.is_empty() {
        (None, String::new())
    } else {
        match evaluate(&form) {
            Ok(ev) => (Some(ev), String::new()),
            Err(e) => (None, e),
        }
    };
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let found: Vec<&Violation> = catalog.search(&form.q);
    let found_count = found.len();
    let all: Vec<&Violation> = catalog.violations.iter().collect();
    let page = RulesPage {
        chrome: Chrome::new(&state.store, &a, "/rules").await,
        selected: catalog.get(&form.violation),
        form,
        all: areas(&all),
        found: areas(&found),
        found_count,
        general: &catalog.policy.circumstance,
        result,
        error,
        policy: &catalog.policy,
    };
    render(status, &page)
}

#[derive(Template)]
#[template(path = "violation.html")]
struct ViolationPage<'a> {
    chrome: Chrome,
    v: &'a Violation,
}

pub async fn violation(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Path(code): Path<String>,
) -> Response {
    match Catalog::official().get(&code) {
        Some(v) => render(StatusCode::OK, &ViolationPage { chrome: Chrome::new(&state.store, &a, "/rules").await, v }),
        None => super::error_page(StatusCode::NOT_FOUND, "违法行为不存在", &format!("违法行为代码“{code}”不存在")),
    }
}

#[derive(Template)]
#[template(path = "points.html")]
struct PointsPage {
    chrome: Chrome,
    schemes: Vec<&'static Scheme>,
}

pub async fn points(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    let schemes = vec![Scheme::official(Subject::Institution), Scheme::official(Subject::Practitioner)];
    render(StatusCode::OK, &PointsPage { chrome: Chrome::new(&state.store, &a, "/rules").await, schemes })
}

pub struct YearRow {
    pub year: i32,
    pub notice: String,
    pub url: String,
    pub built_in: bool,
    pub holidays: String,
    pub makeup: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    years: Vec<YearRow>,
    can_import: bool,
    message: String,
    error: String,
    data: String,
}

async fn calendar_page(
    state: &AppState,
    a: &weijian_domain::auth::Authenticated,
    status: StatusCode,
    message: String,
    error: String,
    data: String,
) -> Response {
    let official = weijian_rules::Calendar::official();
    let years = state
        .calendar()
        .years()
        .map(|y| YearRow {
            year: y.year,
            notice: y.notice.clone(),
            url: y.url.clone(),
            built_in: official.knows(y.year),
            holidays: y
                .off
                .iter()
                .map(|p| format!("{} {}–{}", p.name, p.from.format("%m-%d"), p.to.format("%m-%d")))
                .collect::<Vec<_>>()
                .join("；"),
            makeup: y.work.iter().map(|w| w.date.format("%m-%d").to_string()).collect::<Vec<_>>().join("、"),
        })
        .collect();
    let page = CalendarPage {
        chrome: Chrome::new(&state.store, a, "/rules/calendar").await,
        years,
        can_import: allows(&a.actor, Permission::ManageCalendar),
        message,
        error,
        data,
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct Imported {
    pub imported: Option<String>,
}

pub async fn calendar(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    axum::extract::Query(q): axum::extract::Query<Imported>,
) -> Response {
    // Only years the calendar now knows are announced; the parameter is not trusted.
    let cal = state.calendar();
    let years: Vec<i32> = q
        .imported
        .unwrap_or_default()
        .split(',')
        .filter_map(|y| y.trim().parse().ok())
        .filter(|y| cal.knows(*y) && !weijian_rules::Calendar::official().knows(*y))
        .collect();
    let message = if years.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = years.iter().map(|y| y.to_string()).collect();
        format!("已导入 {} 年的节假日安排", list.join("、"))
    };
    calendar_page(&state, &a, StatusCode::OK, message, String::new(), String::new()).await
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    pub data: String,
}

pub async fn import_calendar(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    form: Result<Form<ImportForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return super::error_page(StatusCode::BAD_REQUEST, "请求无效", "提交的表单无效，请返回重试");
    };
    match weijian_domain::calendar::import(&state.store, &a.actor, &form.data).await {
        Ok(years) => {
            if let Err(e) = state.reload_calendar().await {
                return domain_error_page(e);
            }
            let list: Vec<String> = years.iter().map(|y| y.year.to_string()).collect();
            Redirect::to(&format!("/rules/calendar?imported={}", list.join(","))).into_response()
        }
        Err(e) if e.kind == weijian_domain::ErrorKind::Forbidden => domain_error_page(e),
        Err(e) => {
            let status = crate::error::status_of(e.kind);
            calendar_page(&state, &a, status, String::new(), e.message, form.data).await
        }
    }
}
