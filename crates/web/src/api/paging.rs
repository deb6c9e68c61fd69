//! Query parameters shared by the registries' list routes: `cursor`, `limit`, `q`.

use crate::error::ApiError;
use axum::http::StatusCode;
use weijian_store::page::Cursor;

pub fn cursor(raw: Option<&str>) -> Result<Option<Cursor>, ApiError> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Cursor::decode(s).map(Some).ok_or_else(|| {
            ApiError::new(StatusCode::BAD_REQUEST, "request.invalid_cursor", "分页游标无效，请从第一页重新开始")
                .with_field("cursor")
        }),
    }
}

pub fn limit(raw: Option<&str>) -> Result<Option<usize>, ApiError> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=weijian_store::page::MAX_LIMIT).contains(&n) => Ok(Some(n)),
            _ => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request.invalid_limit",
                format!("每页条数应为 1 到 {} 之间的整数", weijian_store::page::MAX_LIMIT),
            )
            .with_field("limit")),
        },
    }
}

/// A filter given by key; an unknown value is a 422 naming the parameter.
pub fn keyed<T>(raw: Option<&str>, field: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>, ApiError> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(s).map(Some).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request.invalid_filter",
                format!("参数 {field} 的取值“{s}”无效"),
            )
            .with_field(field)
        }),
    }
}

pub fn query_rejected() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "request.invalid_query", "查询参数无效")
}
