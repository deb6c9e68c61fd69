//! The problem report: one line per problem with the row and column as the
//! user sees them in the spreadsheet. Stored as CSV text on the job; served
//! as CSV (with a BOM) or XLSX.

use crate::file::{self, FileError, Format};
use crate::sheet::RowProblem;

/// The report's columns.
pub const HEADERS: [&str; 5] = ["行号", "列", "值", "问题", "问题代码"];

/// Put first when the file's data spans several worksheets (权责清单's workbook).
pub const SHEET: &str = "工作表";

/// At most this many problems are listed; the count covers all of them.
pub const MAX_LISTED: usize = 20_000;

fn with_sheets(problems: &[RowProblem]) -> bool {
    problems.iter().any(|p| !p.sheet.is_empty())
}

fn headers(sheets: bool) -> Vec<String> {
    sheets.then(|| SHEET.to_string()).into_iter().chain(HEADERS.iter().map(|h| h.to_string())).collect()
}

/// A problem's cells; the row left empty when it is about the whole file.
fn line(p: &RowProblem, sheets: bool, blank_row_zero: bool) -> Vec<String> {
    let row = if blank_row_zero && p.row == 0 { String::new() } else { p.row.to_string() };
    let cells = [row, p.column.clone(), p.value.clone(), p.message.clone(), p.code.clone()];
    sheets.then(|| p.sheet.clone()).into_iter().chain(cells).collect()
}

fn rows(problems: &[RowProblem]) -> Vec<Vec<String>> {
    let sheets = with_sheets(problems);
    problems.iter().take(MAX_LISTED).map(|p| line(p, sheets, false)).collect()
}

/// The report as stored: CSV text without a BOM.
pub fn to_csv_text(problems: &[RowProblem]) -> String {
    let mut rows = rows(problems);
    let sheets = with_sheets(problems);
    if problems.len() > MAX_LISTED {
        let more = RowProblem::new(
            0,
            "",
            "",
            "import.more_problems",
            format!("另有 {} 个问题未列出，请先改正以上问题后重新导入", problems.len() - MAX_LISTED),
        );
        rows.push(line(&more, sheets, true));
    }
    let bytes = file::write_csv(&headers(sheets), &rows);
    String::from_utf8_lossy(&bytes[3..]).into_owned()
}

/// Reads a stored report back (with or without the worksheet column).
pub fn parse(text: &str) -> Vec<RowProblem> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let sheets = reader.headers().is_ok_and(|h| h.get(0) == Some(SHEET));
    let at = usize::from(sheets);
    reader
        .records()
        .filter_map(Result::ok)
        .map(|r| {
            let cell = |i: usize| r.get(i + at).unwrap_or_default().to_string();
            RowProblem {
                sheet: if sheets { r.get(0).unwrap_or_default().to_string() } else { String::new() },
                row: r.get(at).and_then(|v| v.parse().ok()).unwrap_or(0),
                column: cell(1),
                value: cell(2),
                message: cell(3),
                code: cell(4),
            }
        })
        .collect()
}

/// The stored report as a file to download.
pub fn render(text: &str, format: Format) -> Result<Vec<u8>, FileError> {
    let problems = parse(text);
    let sheets = with_sheets(&problems);
    let rows: Vec<Vec<String>> = problems.iter().map(|p| line(p, sheets, true)).collect();
    file::write(format, "问题清单", &headers(sheets), &rows)
}
