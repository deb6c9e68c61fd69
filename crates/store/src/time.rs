//! Timestamps are UTC, written by the application (never a database default)
//! as fixed-width RFC 3339 text, so they sort as text on both backends.
//! They are shown in Asia/Shanghai, which has had no daylight saving since 1991.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn from_db(s: &str) -> Result<DateTime<Utc>, crate::StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| crate::StoreError::Corrupt(format!("无效的时间：{s}")))
}

/// A calendar-date column (`YYYY-MM-DD` text), NULL as None.
pub fn date_column(r: &sqlx::any::AnyRow, col: &str) -> Result<Option<chrono::NaiveDate>, crate::StoreError> {
    use sqlx::Row;
    r.try_get::<Option<String>, _>(col)?
        .map(|s| s.parse().map_err(|_| crate::StoreError::Corrupt(format!("无效的日期：{s}"))))
        .transpose()
}

/// A calendar-date column that may not be NULL.
pub fn required_date(r: &sqlx::any::AnyRow, col: &str) -> Result<chrono::NaiveDate, crate::StoreError> {
    date_column(r, col)?.ok_or_else(|| crate::StoreError::Corrupt(format!("缺少日期：{col}")))
}

pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// For display: `2026-11-22 14:05`, Beijing time.
pub fn display(t: DateTime<Utc>) -> String {
    t.with_timezone(&shanghai()).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_shows_beijing_time() {
        let t = DateTime::parse_from_rfc3339("2026-11-22T22:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(to_db(t), "2026-11-22T22:30:00.000000Z");
        assert_eq!(from_db(&to_db(t)).unwrap(), t);
        assert_eq!(display(t), "2026-11-23 06:30");
    }
}
