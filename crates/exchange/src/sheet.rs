//! A sheet kind: what one registry needs to be imported and exported. A new
//! registry (practitioners, inspectors, duty lists) plugs in by implementing
//! [`Sheet`] and adding itself to [`crate::Kind`]; reading files, the problem
//! report, duplicate keys, batches, audit events and jobs are shared.

use crate::file::{RowRef, Table};
use std::collections::HashMap;
use std::future::Future;
use weijian_domain::input::Problem;
use weijian_domain::DomainResult;
use weijian_store::jurisdiction::{authorize_write, WriteTarget};
use weijian_store::{regions, Actor, Store, StoreResult};

/// One column of a sheet.
#[derive(Clone, Debug)]
pub struct Column {
    /// The Chinese header, as written in the file's first row.
    pub header: String,
    /// The header must be present (a value may still be optional).
    pub required: bool,
    /// A hint shown under the template's columns.
    pub note: String,
}

impl Column {
    pub fn new(header: impl Into<String>, required: bool, note: impl Into<String>) -> Column {
        Column { header: header.into(), required, note: note.into() }
    }
}

/// One problem of the file, where the user will look for it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RowProblem {
    /// The worksheet, when a file's data spans several ("" otherwise).
    pub sheet: String,
    /// The spreadsheet row (the header is row 1).
    pub row: usize,
    /// The Chinese header of the column ("" for the whole row).
    pub column: String,
    pub value: String,
    /// Why, in Chinese.
    pub message: String,
    /// Stable `area.reason`.
    pub code: String,
}

impl RowProblem {
    pub fn new(row: usize, column: &str, value: &str, code: &str, message: impl Into<String>) -> RowProblem {
        RowProblem {
            sheet: String::new(),
            row,
            column: column.into(),
            value: value.into(),
            message: message.into(),
            code: code.into(),
        }
    }

    /// The same problem, placed on a worksheet.
    pub fn on_sheet(mut self, sheet: &str) -> RowProblem {
        self.sheet = sheet.to_string();
        self
    }

    /// A domain parser's problem, its field named by the sheet's header.
    pub fn from_domain(row: usize, column: &str, p: &Problem) -> RowProblem {
        RowProblem::new(row, column, &p.value, p.code, p.message.clone())
    }
}

/// What writing one record did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// The record a row wrote, for the batch's audit event.
pub struct Written {
    pub outcome: Outcome,
    pub object_id: String,
}

/// Filters of an export, as the lists take them.
#[derive(Clone, Debug, Default)]
pub struct ExportQuery {
    pub q: Option<String>,
    pub region_code: Option<String>,
    pub category: Option<String>,
    /// Licence kind; practitioner category (医师 ...); inspector specialty.
    pub kind: Option<String>,
    /// Duty lists: the version to export ...
    pub duty_list_id: Option<String>,
    /// ... or the unit whose newest version to export.
    pub unit_id: Option<String>,
}

/// What validation may look up, with caches so that a large file asks the
/// database once per region or holder rather than once per row.
pub struct Context<'a, C> {
    pub store: &'a Store,
    pub actor: &'a Actor,
    /// The import is restricted to this region's subtree (its path), if set.
    pub within: Option<String>,
    regions: HashMap<String, Result<(), (String, String)>>,
    /// The sheet's own cache.
    pub cache: C,
}

impl<'a, C: Default> Context<'a, C> {
    pub fn new(store: &'a Store, actor: &'a Actor, within: Option<String>) -> Self {
        Context { store, actor, within, regions: HashMap::new(), cache: C::default() }
    }
}

impl<C> Context<'_, C> {
    /// Whether the actor may write records of this region: Err((code, message)).
    pub async fn region_writable(&mut self, code: &str) -> StoreResult<Result<(), (String, String)>> {
        if let Some(known) = self.regions.get(code) {
            return Ok(known.clone());
        }
        let verdict = match regions::get(self.store, code).await {
            Err(weijian_store::StoreError::NotFound) => {
                Err(("entity.unknown_region".to_string(), format!("行政区划代码“{code}”不存在")))
            }
            Err(e) => return Err(e),
            Ok(region) => {
                if self.within.as_deref().is_some_and(|w| !region.path.starts_with(w)) {
                    Err((
                        "import.outside_region".to_string(),
                        format!("{}（{}）不在本次导入指定的行政区划内", region.name, region.code),
                    ))
                } else {
                    let mut conn = self.store.reader().acquire().await?;
                    match authorize_write(&mut conn, self.actor, WriteTarget { region_code: code, entity_id: None })
                        .await
                    {
                        Ok(()) => Ok(()),
                        Err(weijian_store::StoreError::Forbidden(m)) => Err((
                            "jurisdiction.forbidden".to_string(),
                            format!("{m}：{}（{}）不在您可以维护的辖区内", region.name, region.code),
                        )),
                        Err(e) => return Err(e),
                    }
                }
            }
        };
        self.regions.insert(code.to_string(), verdict.clone());
        Ok(verdict)
    }
}

/// A registry as a spreadsheet.
pub trait Sheet: Send + Sync + 'static {
    /// A checked row, ready to write.
    type Record: Send + Sync + 'static;
    /// What validation caches beyond regions.
    type Cache: Default + Send + Sync;

    /// The registry's name in Chinese, e.g. 监管对象 (sheet names, messages).
    fn label(&self) -> &'static str;

    /// The audit action of one batch, e.g. `import.entities_batch`.
    fn batch_action(&self) -> &'static str;

    /// Columns in file order.
    fn columns(&self) -> Vec<Column>;

    /// The template's example row, a value per column.
    fn example(&self) -> Vec<String>;

    /// Problems of the header row itself: by default, unknown columns and
    /// missing required ones. Each is reported on row 1.
    fn check_headers(&self, table: &Table) -> Vec<RowProblem> {
        default_header_check(&self.columns(), table)
    }

    /// The row's natural key with the column to report a duplicate under,
    /// read from the raw cells (so that duplicates are found even in bad rows).
    fn natural_key(&self, row: RowRef<'_>) -> Option<(String, String)>;

    /// A cell's value as the problem report may show it (a 身份证号 masked, say).
    fn report_value(&self, _column: &str, value: &str) -> String {
        value.to_string()
    }

    /// Looks up what the whole file needs at once (existing keys, say).
    fn prepare<'a>(
        &'a self,
        cx: &'a mut Context<'_, Self::Cache>,
        table: &'a Table,
    ) -> impl Future<Output = StoreResult<()>> + Send + 'a;

    /// Every problem of one row, or the record to write.
    fn validate<'a>(
        &'a self,
        cx: &'a mut Context<'_, Self::Cache>,
        row: RowRef<'a>,
    ) -> impl Future<Output = StoreResult<Result<Self::Record, Vec<RowProblem>>>> + Send + 'a;

    /// Writes one record in the batch's transaction: created, updated only if
    /// something changed, or unchanged. Idempotent on the natural key.
    fn write<'a>(
        &'a self,
        conn: &'a mut sqlx::AnyConnection,
        actor: &'a Actor,
        job: &'a str,
        record: &'a Self::Record,
    ) -> impl Future<Output = StoreResult<Written>> + Send + 'a;

    /// The rows of an export, a value per column, in the caller's jurisdiction.
    fn export<'a>(
        &'a self,
        store: &'a Store,
        actor: &'a Actor,
        query: &'a ExportQuery,
    ) -> impl Future<Output = DomainResult<Vec<Vec<String>>>> + Send + 'a;
}

pub fn default_header_check(columns: &[Column], table: &Table) -> Vec<RowProblem> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for h in &table.headers {
        if h.is_empty() {
            continue;
        }
        if !seen.insert(h.as_str()) {
            out.push(RowProblem::new(1, h, h, "import.duplicate_header", format!("表头“{h}”出现了不止一次")));
        } else if !columns.iter().any(|c| &c.header == h) {
            out.push(RowProblem::new(
                1,
                h,
                h,
                "import.unknown_header",
                format!("未知的列“{h}”，请使用模板中的列名（可下载模板对照）"),
            ));
        }
    }
    for c in columns.iter().filter(|c| c.required) {
        if !table.has(&c.header) {
            out.push(RowProblem::new(1, &c.header, "", "import.missing_header", format!("缺少必需的列“{}”", c.header)));
        }
    }
    out
}
