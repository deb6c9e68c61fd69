//! Reading typed values out of text columns: JSON documents and keyed enums.
//! A value that does not parse is corruption, never a user error.

use crate::{StoreError, StoreResult};
use sqlx::Row;

/// A JSON column.
pub(crate) fn json<T: serde::de::DeserializeOwned>(r: &sqlx::any::AnyRow, col: &str) -> StoreResult<T> {
    let text: String = r.try_get(col)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("{col} 无法解析：{e}")))
}

/// A column holding an enum's key.
pub(crate) fn keyed<T>(r: &sqlx::any::AnyRow, col: &str, parse: fn(&str) -> Option<T>) -> StoreResult<T> {
    let s: String = r.try_get(col)?;
    parse(&s).ok_or_else(|| StoreError::Corrupt(format!("{col} 的取值“{s}”未知")))
}
