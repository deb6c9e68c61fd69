//! Public, read-only rules: the working-day calendar and identifier checks.
//! No sign-in needed; the paths and fields are a stable contract.

use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use weijian_rules::ids::{CitizenId, Uscc};
use weijian_rules::CalendarError;

/// Longest period a query may ask for: ten years of days.
const MAX_DAYS: i64 = 3650;

fn invalid(code: &str, field: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_field(field)
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(v)| v).map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "request.invalid_query", "查询参数无效"))
}

fn date(value: Option<&str>, field: &str) -> Result<NaiveDate, ApiError> {
    let v = value.ok_or_else(|| invalid("request.missing_parameter", field, format!("缺少参数 {field}")))?;
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| invalid("request.invalid_date", field, format!("“{v}”不是有效的日期，应为 YYYY-MM-DD")))
}

fn days(value: Option<&str>) -> Result<i64, ApiError> {
    let v = value.ok_or_else(|| invalid("request.missing_parameter", "days", "缺少参数 days"))?;
    match v.parse::<i64>() {
        Ok(n) if (0..=MAX_DAYS).contains(&n) => Ok(n),
        _ => Err(invalid("request.invalid_days", "days", format!("days 应为0至{MAX_DAYS}之间的整数"))),
    }
}

fn calendar_error(e: CalendarError) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DateQuery {
    /// YYYY-MM-DD
    pub date: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WorkingDay {
    pub date: String,
    pub working: bool,
    /// 工作日, 周末, 春节放假, 春节调休上班 ...
    pub reason: String,
}

/// Whether a date is a working day, and why.
#[utoipa::path(get, path = "/api/v1/calendar/is-working-day", tag = "rules", params(DateQuery),
    responses((status = 200, body = WorkingDay), (status = 422, description = "日期无效或年份未知 (calendar.unknown_year)", body = ErrorBody)))]
pub async fn is_working_day(
    State(state): State<AppState>,
    q: Result<Query<DateQuery>, QueryRejection>,
) -> Result<Json<WorkingDay>, ApiError> {
    let q = query(q)?;
    let d = date(q.date.as_deref(), "date")?;
    let kind = state.calendar().day(d).map_err(calendar_error)?;
    Ok(Json(WorkingDay { date: d.to_string(), working: kind.is_working(), reason: kind.reason() }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// YYYY-MM-DD; the start day is not counted.
    pub from: Option<String>,
    pub days: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Due {
    pub from: String,
    pub days: i64,
    pub due: String,
}

/// The date N working days after `from`.
#[utoipa::path(get, path = "/api/v1/calendar/add-working-days", tag = "rules", params(PeriodQuery),
    responses((status = 200, body = Due), (status = 422, body = ErrorBody)))]
pub async fn add_working_days(
    State(state): State<AppState>,
    q: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<Json<Due>, ApiError> {
    let q = query(q)?;
    let (from, n) = (date(q.from.as_deref(), "from")?, days(q.days.as_deref())?);
    let due = state.calendar().add_working_days(from, n).map_err(calendar_error)?;
    Ok(Json(Due { from: from.to_string(), days: n, due: due.to_string() }))
}

/// The end of an N natural-day period from `from`, moved to the next working day if needed.
#[utoipa::path(get, path = "/api/v1/calendar/add-days", tag = "rules", params(PeriodQuery),
    responses((status = 200, body = Due), (status = 422, body = ErrorBody)))]
pub async fn add_days(
    State(state): State<AppState>,
    q: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<Json<Due>, ApiError> {
    let q = query(q)?;
    let (from, n) = (date(q.from.as_deref(), "from")?, days(q.days.as_deref())?);
    let due = state.calendar().add_days(from, n).map_err(calendar_error)?;
    Ok(Json(Due { from: from.to_string(), days: n, due: due.to_string() }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValueQuery {
    pub value: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Validation {
    pub valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// 1-based position of the offending character, when one is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
}

fn validation<T>(r: Result<T, weijian_rules::ids::IdError>) -> Json<Validation> {
    Json(match r {
        Ok(_) => Validation { valid: true, code: None, message: None, position: None },
        Err(e) => {
            Validation { valid: false, code: Some(e.code.into()), message: Some(e.message), position: e.position }
        }
    })
}

fn value(q: Result<Query<ValueQuery>, QueryRejection>) -> Result<String, ApiError> {
    query(q)?.value.ok_or_else(|| invalid("request.missing_parameter", "value", "缺少参数 value"))
}

/// Checks a 统一社会信用代码 (GB 32100-2015).
#[utoipa::path(get, path = "/api/v1/validate/uscc", tag = "rules", params(ValueQuery),
    responses((status = 200, body = Validation), (status = 422, body = ErrorBody)))]
pub async fn validate_uscc(q: Result<Query<ValueQuery>, QueryRejection>) -> Result<Json<Validation>, ApiError> {
    Ok(validation(Uscc::parse(&value(q)?)))
}

/// Checks a 公民身份号码 (GB 11643-1999); the birth date may not lie after today (Beijing time).
#[utoipa::path(get, path = "/api/v1/validate/citizen-id", tag = "rules", params(ValueQuery),
    responses((status = 200, body = Validation), (status = 422, body = ErrorBody)))]
pub async fn validate_citizen_id(q: Result<Query<ValueQuery>, QueryRejection>) -> Result<Json<Validation>, ApiError> {
    let today = weijian_store::time::now().with_timezone(&weijian_store::time::shanghai()).date_naive();
    Ok(validation(CitizenId::parse(&value(q)?, today)))
}

#[derive(Serialize, ToSchema)]
pub struct CalendarYear {
    pub year: i32,
    pub notice: String,
    pub url: String,
    /// built_in (shipped with the release) or imported
    pub source: String,
    pub holidays: usize,
    pub makeup_days: usize,
}

/// The years the working-day calendar knows, and where each came from.
#[utoipa::path(get, path = "/api/v1/calendar/years", tag = "rules",
    responses((status = 200, body = [CalendarYear])))]
pub async fn calendar_years(State(state): State<AppState>) -> Json<Vec<CalendarYear>> {
    let official = weijian_rules::Calendar::official();
    Json(
        state
            .calendar()
            .years()
            .map(|y| CalendarYear {
                year: y.year,
                notice: y.notice.clone(),
                url: y.url.clone(),
                source: if official.knows(y.year) { "built_in" } else { "imported" }.into(),
                holidays: y.off.len(),
                makeup_days: y.work.len(),
            })
            .collect(),
    )
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportYears {
    /// One or more `[[year]]` tables in the TOML format of the built-in data.
    pub data: String,
}

#[derive(Serialize, ToSchema)]
pub struct Imported {
    pub years: Vec<i32>,
}

/// Imports a newly published year (system administrators of a top-level region only).
#[utoipa::path(post, path = "/api/v1/calendar/years", tag = "rules", request_body = ImportYears,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = Imported),
        (status = 403, body = ErrorBody), (status = 409, description = "内置年份 (calendar.year_built_in)", body = ErrorBody),
        (status = 422, description = "数据无效 (calendar.invalid_data)", body = ErrorBody)))]
pub async fn import_calendar_years(
    State(state): State<AppState>,
    crate::extract::CurrentUser(a): crate::extract::CurrentUser,
    crate::extract::ApiJson(body): crate::extract::ApiJson<ImportYears>,
) -> Result<(StatusCode, Json<Imported>), ApiError> {
    let years = weijian_domain::calendar::import(&state.store, &a.actor, &body.data).await?;
    state.reload_calendar().await?;
    Ok((StatusCode::CREATED, Json(Imported { years: years.iter().map(|y| y.year).collect() })))
}
