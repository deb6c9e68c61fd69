//! The problem report: one line per problem with the row and column as the
//! user sees them in the spreadsheet. Stored as CSV text on the job; served
//! as CSV (with a BOM) or XLSX.

use crate::file::{self, FileError, Format};
use crate::sheet::RowProblem;

/// The report's columns.
pub const HEADERS: [&str; 5] = ["行号", "列", "值", "问题", "问题代码"];

/// At most this many problems are listed; the count covers all of them.
pub const MAX_LISTED: usize = 20_000;

fn headers() -> Vec<String> {
    HEADERS.iter().map(|h| h.to_string()).collect()
}

fn rows(problems: &[RowProblem]) -> Vec<Vec<String>> {
    problems
        .iter()
        .take(MAX_LISTED)
        .map(|p| vec![p.row.to_string(), p.column.clone(), p.value.clone(), p.message.clone(), p.code.clone()])
        .collect()
}

/// The report as stored: CSV text without a BOM.
pub fn to_csv_text(problems: &[RowProblem]) -> String {
    let mut rows = rows(problems);
    if problems.len() > MAX_LISTED {
        rows.push(vec![
            String::new(),
            String::new(),
            String::new(),
            format!("另有 {} 个问题未列出，请先改正以上问题后重新导入", problems.len() - MAX_LISTED),
            "import.more_problems".into(),
        ]);
    }
    let bytes = file::write_csv(&headers(), &rows);
    String::from_utf8_lossy(&bytes[3..]).into_owned()
}

/// Reads a stored report back.
pub fn parse(text: &str) -> Vec<RowProblem> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .map(|r| RowProblem {
            row: r.get(0).and_then(|v| v.parse().ok()).unwrap_or(0),
            column: r.get(1).unwrap_or_default().to_string(),
            value: r.get(2).unwrap_or_default().to_string(),
            message: r.get(3).unwrap_or_default().to_string(),
            code: r.get(4).unwrap_or_default().to_string(),
        })
        .collect()
}

/// The stored report as a file to download.
pub fn render(text: &str, format: Format) -> Result<Vec<u8>, FileError> {
    let problems = parse(text);
    let rows: Vec<Vec<String>> = problems
        .iter()
        .map(|p| {
            let row = if p.row == 0 { String::new() } else { p.row.to_string() };
            vec![row, p.column.clone(), p.value.clone(), p.message.clone(), p.code.clone()]
        })
        .collect();
    file::write(format, "问题清单", &headers(), &rows)
}
