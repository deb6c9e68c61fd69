//! Parsing raw input (API bodies, forms, import rows) field by field. Each
//! problem names its field and says in Chinese what is wrong, so an import can
//! report every problem of a row and a form can show them next to the field.

use crate::error::DomainError;
use chrono::NaiveDate;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub value: String,
    pub message: String,
    /// Stable code, `area.reason`.
    pub code: &'static str,
}

impl Problem {
    pub fn new(code: &'static str, field: &'static str, value: &str, message: impl Into<String>) -> Problem {
        Problem { field, value: value.to_string(), message: message.into(), code }
    }
}

/// The first problem as a use-case error (forms and the API stop at one).
pub fn first(problems: Vec<Problem>) -> DomainError {
    match problems.into_iter().next() {
        Some(p) => DomainError::invalid(p.code, p.field, p.message),
        None => DomainError::invalid("request.invalid", "", "输入有误"),
    }
}

/// Collects problems while a record is parsed.
#[derive(Default)]
pub struct Fields {
    pub problems: Vec<Problem>,
}

impl Fields {
    pub fn problem(&mut self, code: &'static str, field: &'static str, value: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(code, field, value, message));
    }

    /// Trimmed text, required, at most `max` characters.
    pub fn required(&mut self, field: &'static str, label: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.problem("field.required", field, value, format!("{label}不能为空"));
        } else if v.chars().count() > max {
            self.problem("field.too_long", field, value, format!("{label}不能超过{max}个字"));
        }
        v.to_string()
    }

    /// Trimmed text or None when empty, at most `max` characters.
    pub fn optional(&mut self, field: &'static str, label: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        if v.chars().count() > max {
            self.problem("field.too_long", field, v, format!("{label}不能超过{max}个字"));
        }
        Some(v.to_string())
    }

    /// A date written YYYY-MM-DD (also YYYY/MM/DD and YYYY.MM.DD, as spreadsheets write them).
    pub fn date(&mut self, field: &'static str, label: &str, value: Option<&str>) -> Option<NaiveDate> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        match parse_date(v) {
            Some(d) => Some(d),
            None => {
                self.problem(
                    "field.invalid_date",
                    field,
                    v,
                    format!("{label}“{v}”不是有效日期（应为 2026-01-31 的形式）"),
                );
                None
            }
        }
    }

    pub fn finish<T>(self, value: T) -> Result<T, Vec<Problem>> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(self.problems)
        }
    }
}

pub fn parse_date(v: &str) -> Option<NaiveDate> {
    let normal: String = v.trim().chars().map(|c| if c == '/' || c == '.' { '-' } else { c }).collect();
    NaiveDate::parse_from_str(&normal, "%Y-%m-%d").ok().filter(|d| (1949..=2200).contains(&chrono::Datelike::year(d)))
}

/// Today in Beijing.
pub fn today() -> NaiveDate {
    weijian_store::time::now().with_timezone(&weijian_store::time::shanghai()).date_naive()
}

/// The time of day in Beijing, to the minute, as `HH:MM`.
pub fn clock_now() -> String {
    weijian_store::time::now().with_timezone(&weijian_store::time::shanghai()).format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_collect_every_problem() {
        let mut f = Fields::default();
        let name = f.required("name", "名称", "  ", 10);
        let long = f.optional("address", "地址", Some("一二三四五六"), 5);
        let d = f.date("issued_on", "发证日期", Some("2026-02-30"));
        assert_eq!((name.as_str(), long.as_deref(), d), ("", Some("一二三四五六"), None));
        let p = f.finish(()).unwrap_err();
        assert_eq!(p.iter().map(|p| p.field).collect::<Vec<_>>(), ["name", "address", "issued_on"]);
    }

    #[test]
    fn spreadsheet_dates_are_understood() {
        assert_eq!(parse_date("2026/3/5"), NaiveDate::from_ymd_opt(2026, 3, 5));
        assert_eq!(parse_date("2026.03.05"), NaiveDate::from_ymd_opt(2026, 3, 5));
        assert_eq!(parse_date("26-03-05"), None);
    }
}
