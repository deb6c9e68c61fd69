//! Spreadsheet files in and out: CSV (UTF-8 with or without BOM, or GB18030 as
//! Excel in China writes it) and XLSX. A file becomes a [`Table`]: the header
//! row and the data rows as text, each row numbered as the user sees it in
//! the spreadsheet (the header is row 1).

use std::collections::HashMap;
use std::io::Cursor;

/// A file format for downloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Why a file could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub code: &'static str,
    pub message: String,
}

impl FileError {
    fn new(code: &'static str, message: impl Into<String>) -> FileError {
        FileError { code, message: message.into() }
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A sheet read from a file.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub headers: Vec<String>,
    index: HashMap<String, usize>,
    /// (spreadsheet row number, cells); blank rows are left out.
    pub rows: Vec<(usize, Vec<String>)>,
    /// For worksheets read together ([`Table::stack`]): each one's name and
    /// own header row, in workbook order. Empty for a single sheet.
    pub sheets: Vec<(String, Vec<String>)>,
    /// The worksheet (index into `sheets`) of each row, when stacked.
    row_sheet: Vec<usize>,
}

impl Table {
    pub fn new(headers: Vec<String>, rows: Vec<(usize, Vec<String>)>) -> Table {
        let headers: Vec<String> = headers.into_iter().map(|h| clean_header(&h)).collect();
        let mut index = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            if !h.is_empty() {
                index.entry(h.clone()).or_insert(i);
            }
        }
        Table { headers, index, rows, sheets: Vec::new(), row_sheet: Vec::new() }
    }

    /// Worksheets of one workbook as one table: the rows of each, in order,
    /// under `headers` (a worksheet's columns found by name; those not in
    /// `headers` are dropped, and left for the sheet's header check to name).
    /// Rows keep their worksheet and its row numbers, so reports point where
    /// the user looks.
    pub fn stack(headers: Vec<String>, parts: Vec<(String, Table)>) -> Table {
        let mut out = Table::new(headers, Vec::new());
        for (name, part) in parts {
            let at: Vec<Option<usize>> = out.headers.iter().map(|h| part.column(h)).collect();
            let sheet = out.sheets.len();
            for (number, cells) in &part.rows {
                let row = at.iter().map(|i| i.and_then(|i| cells.get(i)).cloned().unwrap_or_default()).collect();
                out.rows.push((*number, row));
                out.row_sheet.push(sheet);
            }
            out.sheets.push((name, part.headers));
        }
        out
    }

    /// The worksheet of row `i` ("" unless stacked).
    pub fn sheet_of(&self, i: usize) -> &str {
        self.row_sheet.get(i).and_then(|s| self.sheets.get(*s)).map(|(n, _)| n.as_str()).unwrap_or("")
    }

    pub fn has(&self, header: &str) -> bool {
        self.index.contains_key(header)
    }

    pub fn column(&self, header: &str) -> Option<usize> {
        self.index.get(header).copied()
    }

    pub fn row(&self, i: usize) -> RowRef<'_> {
        let (number, cells) = &self.rows[i];
        RowRef { table: self, index: i, number: *number, cells }
    }
}

/// One data row, read by header.
#[derive(Clone, Copy)]
pub struct RowRef<'a> {
    table: &'a Table,
    /// Position in the table (unique even when worksheets share row numbers).
    pub index: usize,
    pub number: usize,
    cells: &'a [String],
}

impl<'a> RowRef<'a> {
    /// The worksheet the row is on ("" for a single sheet).
    pub fn sheet(&self) -> &'a str {
        self.table.sheet_of(self.index)
    }

    /// The trimmed cell under `header` ("" when the column or the cell is absent).
    pub fn get(&self, header: &str) -> &'a str {
        self.table.column(header).and_then(|i| self.cells.get(i)).map(|s| s.trim()).unwrap_or("")
    }

    /// The cell, or None when empty.
    pub fn opt(&self, header: &str) -> Option<String> {
        let v = self.get(header);
        (!v.is_empty()).then(|| v.to_string())
    }
}

/// Excel puts a BOM or stray spaces around headers; some people add a trailing "*" for required columns.
fn clean_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().trim_end_matches(['*', '＊']).trim().to_string()
}

/// Reads a CSV or XLSX file. The name only helps: the content decides.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Table, FileError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FileError::new("import.empty_file", "文件为空"));
    }
    let table = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(FileError::new(
            "import.old_excel",
            "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入",
        ));
    } else if file_name.to_ascii_lowercase().ends_with(".xlsx") {
        return Err(FileError::new("import.not_spreadsheet", "文件扩展名为 .xlsx，但内容不是有效的 Excel 文件"));
    } else {
        read_csv(bytes)?
    };
    if table.headers.iter().all(|h| h.is_empty()) {
        return Err(FileError::new("import.no_header", "文件第一行应为表头（列名），但第一行为空"));
    }
    if table.rows.is_empty() {
        return Err(FileError::new("import.no_rows", "文件只有表头，没有数据行"));
    }
    Ok(table)
}

/// Text of a CSV file: UTF-8 (a BOM is dropped), else GB18030 (GBK is a subset).
pub fn decode_text(bytes: &[u8]) -> Result<String, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(FileError::new("import.not_spreadsheet", "文件既不是 UTF-8 也不是 GBK/GB18030 编码的 CSV"));
            }
            text.into_owned()
        }
    };
    // Binary content (an image, a PDF, a zip renamed .csv) has control characters a CSV never has.
    let control = text.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')).count();
    if control > 0 {
        return Err(FileError::new("import.not_spreadsheet", "文件不是 CSV 或 XLSX 表格（含有二进制内容）"));
    }
    Ok(text)
}

fn read_csv(bytes: &[u8]) -> Result<Table, FileError> {
    let text = decode_text(bytes)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut headers = None;
    let mut rows = Vec::new();
    // A record is a spreadsheet row (a quoted cell may span lines); the header is row 1.
    for (index, record) in reader.records().enumerate() {
        let line = index + 1;
        let record = record.map_err(|_| {
            FileError::new("import.bad_csv", format!("CSV 格式错误（第 {} 行附近）：引号不成对或字段无法读取", line))
        })?;
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        if headers.is_none() {
            headers = Some(cells);
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push((line, cells));
    }
    Ok(Table::new(headers.unwrap_or_default(), rows))
}

/// Reads an XLSX file whose data sits on several named worksheets (权责清单's
/// 职责事项, 职责边界, 公共服务): those of `names` the workbook has, stacked
/// under `headers`; other worksheets (a 说明 page, say) are not data. A
/// workbook with none of them is read as one sheet, like [`read`] does.
pub fn read_parts(file_name: &str, bytes: &[u8], names: &[&str], headers: &[String]) -> Result<Table, FileError> {
    use calamine::Reader;
    if !bytes.starts_with(b"PK\x03\x04") {
        return read(file_name, bytes);
    }
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|_| bad_xlsx())?;
    let all = book.sheet_names();
    if !all.iter().any(|n| names.contains(&n.trim())) {
        return read(file_name, bytes);
    }
    let mut parts = Vec::new();
    for name in all {
        if !names.contains(&name.trim()) {
            continue;
        }
        let range = book.worksheet_range(&name).map_err(|_| bad_xlsx())?;
        let part = table_of(&range);
        if part.headers.iter().all(|h| h.is_empty()) && part.rows.is_empty() {
            continue;
        }
        parts.push((name.trim().to_string(), part));
    }
    let table = Table::stack(headers.to_vec(), parts);
    if table.rows.is_empty() {
        return Err(FileError::new("import.no_rows", "工作簿中没有数据行"));
    }
    Ok(table)
}

fn bad_xlsx() -> FileError {
    FileError::new("import.not_spreadsheet", "无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式")
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, FileError> {
    use calamine::Reader;
    let bad = bad_xlsx;
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|_| bad())?;
    let name = book.sheet_names().first().cloned().ok_or_else(bad)?;
    let range = book.worksheet_range(&name).map_err(|_| bad())?;
    Ok(table_of(&range))
}

/// One worksheet as a table, cells as text the way the user typed them.
fn table_of(range: &calamine::Range<calamine::Data>) -> Table {
    use calamine::Data;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let pad = first_col as usize;
    let mut headers = None;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let mut cells: Vec<String> = vec![String::new(); pad];
        cells.extend(row.iter().map(|c| match c {
            Data::Empty => String::new(),
            Data::String(s) => s.clone(),
            Data::Int(n) => n.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
            Data::DateTime(d) => {
                let (y, m, day, ..) = d.to_ymd_hms_milli();
                format!("{y:04}-{m:02}-{day:02}")
            }
            Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
            Data::DurationIso(s) => s.clone(),
            Data::Error(_) => "#错误".to_string(),
        }));
        let number = first_row as usize + i + 1;
        if headers.is_none() {
            // Rows above the header are empty and are not part of the range.
            headers = Some(cells);
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push((number, cells));
    }
    Table::new(headers.unwrap_or_default(), rows)
}

/// A CSV file with a UTF-8 BOM, so that Excel on Windows opens it as UTF-8.
pub fn write_csv(headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let _ = w.write_record(headers);
        for r in rows {
            let _ = w.write_record(r);
        }
        let _ = w.flush();
    }
    out
}

/// An XLSX workbook of one sheet: a bold header row and text cells (so codes
/// with leading zeros or eighteen digits stay as they are).
pub fn write_xlsx(sheet_name: &str, headers: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, FileError> {
    write_xlsx_book(&[SheetData { name: sheet_name, headers, rows }])
}

/// One worksheet to write.
pub struct SheetData<'a> {
    pub name: &'a str,
    pub headers: &'a [String],
    pub rows: &'a [Vec<String>],
}

/// An XLSX workbook of several worksheets, each written as [`write_xlsx`] does.
pub fn write_xlsx_book(sheets: &[SheetData<'_>]) -> Result<Vec<u8>, FileError> {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    for s in sheets {
        add_worksheet(&mut book, s)?;
    }
    book.save_to_buffer().map_err(xlsx_failed)
}

fn xlsx_failed(e: rust_xlsxwriter::XlsxError) -> FileError {
    FileError::new("export.failed", format!("生成 Excel 文件失败：{e}"))
}

fn add_worksheet(book: &mut rust_xlsxwriter::Workbook, data: &SheetData<'_>) -> Result<(), FileError> {
    use rust_xlsxwriter::Format as CellFormat;
    let fail = xlsx_failed;
    let SheetData { name: sheet_name, headers, rows } = *data;
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).map_err(fail)?;
    let bold = CellFormat::new().set_bold().set_num_format("@");
    let text = CellFormat::new().set_num_format("@");
    for (c, h) in headers.iter().enumerate() {
        let width = (h.chars().count() as f64 * 2.2 + 2.0).clamp(8.0, 40.0);
        sheet.set_column_width(c as u16, width).map_err(fail)?;
        sheet.set_column_format(c as u16, &text).map_err(fail)?;
        sheet.write_string_with_format(0, c as u16, h, &bold).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string_with_format(r as u32 + 1, c as u16, v, &text).map_err(fail)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    Ok(())
}

/// Writes in the chosen format.
pub fn write(format: Format, sheet_name: &str, headers: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, FileError> {
    match format {
        Format::Csv => Ok(write_csv(headers, rows)),
        Format::Xlsx => write_xlsx(sheet_name, headers, rows),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_with_bom_and_gb18030_reads_the_same() {
        let text = "名称,行政区划代码\r\n枣强县人民医院,131127\r\n\r\n第二家,131127\r\n";
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        for bytes in [text.as_bytes().to_vec(), bom, gbk.into_owned()] {
            let t = read("a.csv", &bytes).unwrap();
            assert_eq!(t.headers, ["名称", "行政区划代码"]);
            assert_eq!(t.rows.len(), 2);
            assert_eq!(t.row(0).get("名称"), "枣强县人民医院");
            // Lines without any cell are no rows; rows are numbered as Excel shows them.
            assert_eq!((t.row(0).number, t.row(1).number), (2, 3));
        }
    }

    #[test]
    fn xlsx_round_trips_with_row_numbers() {
        let headers = vec!["名称".to_string(), "统一社会信用代码".to_string()];
        let rows = vec![vec!["甲".to_string(), "000000000000000001".to_string()], vec!["乙".into(), "".into()]];
        let bytes = write_xlsx("监管对象", &headers, &rows).unwrap();
        let t = read("x.xlsx", &bytes).unwrap();
        assert_eq!(t.headers, headers);
        assert_eq!(t.row(0).get("统一社会信用代码"), "000000000000000001");
        assert_eq!((t.row(0).number, t.row(1).number), (2, 3));
        let csv = write_csv(&headers, &rows);
        assert!(csv.starts_with(b"\xEF\xBB\xBF"));
        let t = read("x.csv", &csv).unwrap();
        assert_eq!(t.row(1).get("名称"), "乙");
    }

    #[test]
    fn named_worksheets_stack_and_keep_their_row_numbers() {
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let a_rows = vec![h(&["甲", "1"]), h(&["乙", "2"])];
        let b_rows = vec![h(&["丙"])];
        let note_rows = vec![h(&["说明文字"])];
        let bytes = write_xlsx_book(&[
            SheetData { name: "说明", headers: &h(&["说明"]), rows: &note_rows },
            SheetData { name: "甲表", headers: &h(&["名称", "序号"]), rows: &a_rows },
            SheetData { name: "乙表", headers: &h(&["事项"]), rows: &b_rows },
        ])
        .unwrap();
        let t = read_parts("x.xlsx", &bytes, &["甲表", "乙表"], &h(&["部分", "名称", "序号", "事项"])).unwrap();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.sheets.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["甲表", "乙表"]);
        let (a, c) = (t.row(1), t.row(2));
        assert_eq!((a.sheet(), a.number, a.get("名称"), a.get("序号")), ("甲表", 3, "乙", "2"));
        assert_eq!((c.sheet(), c.number, c.get("事项"), c.get("名称")), ("乙表", 2, "丙", ""));
        // Without the named worksheets, the first one is read as usual.
        let t = read_parts("x.xlsx", &bytes, &["别的表"], &h(&["说明"])).unwrap();
        assert_eq!((t.row(0).get("说明"), t.row(0).sheet()), ("说明文字", ""));
    }

    #[test]
    fn what_is_not_a_spreadsheet_is_named() {
        assert_eq!(read("a.csv", b"").unwrap_err().code, "import.empty_file");
        assert_eq!(read("a.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err().code, "import.not_spreadsheet");
        assert_eq!(read("a.xlsx", b"PK\x03\x04garbage").unwrap_err().code, "import.not_spreadsheet");
        assert_eq!(read("a.xlsx", b"hello").unwrap_err().code, "import.not_spreadsheet");
        assert_eq!(read("a.csv", "名称,地址\n".as_bytes()).unwrap_err().code, "import.no_rows");
        assert_eq!(read("a.csv", b"\xD0\xCF\x11\xE0\xA1\xB1").unwrap_err().code, "import.old_excel");
    }
}
