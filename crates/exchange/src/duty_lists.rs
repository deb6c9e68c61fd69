//! Responsibility lists (权责清单) as a sheet: one version of one unit's list,
//! in three parts — 职责事项 (a row per task, its duty repeated on each row),
//! 职责边界 and 公共服务.
//!
//! XLSX: one worksheet per part, each with its own columns. CSV holds one
//! table only, so a CSV file is the three parts stacked, told apart by a 部分
//! column, under the union of the columns (a part leaves the others' empty).
//! One file rather than three keeps an export one download, an import one job
//! with one report, and lets the same file go back in unchanged; a workbook
//! with a 部分 column on a single worksheet reads the same way.
//!
//! An import merges into the unit's draft (created, as a copy of the latest
//! version, by the first batch that changes something), keyed on natural keys:
//! a duty by its title, a task by its duty and title, a boundary by its matter,
//! a service by its name. A published version is never written.

use crate::file::{RowRef, SheetData, Table};
use crate::sheet::{default_header_check, Column, Context, ExportQuery, Outcome, RowProblem, Sheet, Written};
use std::collections::{HashMap, HashSet};
use weijian_domain::authz::{require, Permission};
use weijian_domain::duty_lists::{ITEMS_MAX, TEXT_MAX};
use weijian_domain::{DomainError, DomainResult};
use weijian_rules::ids::Phone;
use weijian_store::duty_lists::{self, Duty, DutyBoundary, DutyList, DutyListContent, DutyTask, PublicService};
use weijian_store::ids::{DutyListId, UnitId};
use weijian_store::units::{self, Unit};
use weijian_store::{Actor, Store, StoreError, StoreResult};

pub const LABEL: &str = "权责清单";

pub const PART: &str = "部分";
pub const ORDER: &str = "序号";
pub const DUTY: &str = "主要职责";
pub const DUTY_BASIS: &str = "职责依据";
pub const TASK: &str = "具体工作事项";
pub const SECTION: &str = "责任股室";
pub const REMARKS: &str = "备注";
pub const MATTER: &str = "管理事项";
pub const OUR_PART: &str = "本部门职责";
pub const OTHER: &str = "相关部门";
pub const THEIR_PART: &str = "相关部门职责";
pub const BOUNDARY_BASIS: &str = "相关依据";
pub const CASES: &str = "案例";
pub const SERVICE: &str = "公共服务事项";
pub const CONTENT: &str = "主要内容";
pub const HANDLING_UNIT: &str = "承办机构";
pub const PHONE: &str = "联系电话";

/// The three parts, in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    Duties,
    Boundaries,
    Services,
}

impl Part {
    pub const ALL: [Part; 3] = [Part::Duties, Part::Boundaries, Part::Services];

    /// Its worksheet's name, and its value in the CSV's 部分 column.
    pub fn label(self) -> &'static str {
        match self {
            Part::Duties => "职责事项",
            Part::Boundaries => "职责边界",
            Part::Services => "公共服务",
        }
    }

    pub fn parse(s: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.label() == s.trim())
    }

    /// (header, required, note) of the part's own columns.
    fn spec(self) -> &'static [(&'static str, bool, &'static str)] {
        match self {
            Part::Duties => &[
                (ORDER, false, "主要职责的序号（正整数），新增的职责按序号排位；同一职责各行相同"),
                (DUTY, true, "必填；一项职责有多个具体工作事项时，每个事项一行，职责重复填写"),
                (DUTY_BASIS, false, "可留空；同一职责各行相同"),
                (TASK, true, "职责下的具体工作事项；可留空（只登记职责）"),
                (SECTION, false, "本单位已登记的股室名称"),
                (REMARKS, false, "可留空"),
            ],
            Part::Boundaries => &[
                (MATTER, true, "必填，不得重复"),
                (OUR_PART, true, "必填"),
                (OTHER, true, "必填，如：县市场监督管理局"),
                (THEIR_PART, true, "必填"),
                (BOUNDARY_BASIS, false, "可留空"),
                (CASES, false, "可留空"),
            ],
            Part::Services => &[
                (SERVICE, true, "必填，不得重复"),
                (CONTENT, false, "可留空"),
                (HANDLING_UNIT, false, "可留空"),
                (PHONE, false, "手机、带区号的固定电话、本地号码（7至8位）或12345等热线"),
            ],
        }
    }

    pub fn columns(self) -> Vec<Column> {
        self.spec().iter().map(|(h, r, n)| Column::new(*h, *r, *n)).collect()
    }

    pub fn headers(self) -> Vec<String> {
        self.spec().iter().map(|(h, ..)| h.to_string()).collect()
    }

    fn owns(self, header: &str) -> bool {
        self.spec().iter().any(|(h, ..)| *h == header)
    }

    fn example(self) -> Vec<Vec<String>> {
        let rows: &[&[&str]] = match self {
            Part::Duties => &[
                &[
                    "1",
                    "依法开展公共卫生监督执法",
                    "《示例县卫生健康局职能配置、内设机构和人员编制规定》",
                    "开展公共场所卫生监督检查",
                    "",
                    "",
                ],
                &[
                    "1",
                    "依法开展公共卫生监督执法",
                    "《示例县卫生健康局职能配置、内设机构和人员编制规定》",
                    "查处违反公共卫生法律法规的行为",
                    "",
                    "",
                ],
            ],
            Part::Boundaries => &[&[
                "二次供水卫生",
                "负责二次供水的卫生监督",
                "县住房和城乡建设局",
                "负责二次供水设施的建设管理",
                "《生活饮用水卫生监督管理办法》",
                "",
            ]],
            Part::Services => &[&["公共场所卫生许可", "依申请核发公共场所卫生许可证", "县卫生健康局", "0318-8221234"]],
        };
        rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }
}

/// Every column of the stacked table (the CSV): 部分, then each part's.
pub fn columns() -> Vec<Column> {
    let mut out = vec![Column::new(PART, true, "职责事项、职责边界或公共服务，决定本行填写哪些列")];
    for p in Part::ALL {
        out.extend(p.columns().into_iter().map(|mut c| {
            c.required = false;
            c
        }));
    }
    out
}

pub fn headers() -> Vec<String> {
    columns().into_iter().map(|c| c.header).collect()
}

fn part_of(row: RowRef<'_>) -> Option<Part> {
    match row.sheet() {
        "" => Part::parse(row.get(PART)),
        sheet => Part::parse(sheet),
    }
}

/// A part's rows spread into the stacked table's columns.
fn stacked(part: Part, rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let own = part.headers();
    rows.into_iter()
        .map(|r| {
            headers()
                .iter()
                .map(|h| match own.iter().position(|o| o == h) {
                    Some(i) => r.get(i).cloned().unwrap_or_default(),
                    None if h == PART => part.label().to_string(),
                    None => String::new(),
                })
                .collect()
        })
        .collect()
}

/// A version's rows of one part, a value per column of the part.
pub fn part_rows(content: &DutyListContent, part: Part) -> Vec<Vec<String>> {
    match part {
        Part::Duties => {
            let mut out = Vec::new();
            for (i, d) in content.duties.iter().enumerate() {
                let head = [(i + 1).to_string(), d.name.clone(), d.basis.clone()];
                if d.tasks.is_empty() {
                    out.push(head.iter().cloned().chain([String::new(), String::new(), String::new()]).collect());
                }
                for t in &d.tasks {
                    out.push(
                        head.iter().cloned().chain([t.name.clone(), t.section.clone(), t.remarks.clone()]).collect(),
                    );
                }
            }
            out
        }
        Part::Boundaries => content
            .boundaries
            .iter()
            .map(|b| {
                vec![
                    b.matter.clone(),
                    b.our_part.clone(),
                    b.other_department.clone(),
                    b.their_part.clone(),
                    b.basis.clone(),
                    b.cases.clone(),
                ]
            })
            .collect(),
        Part::Services => content
            .public_services
            .iter()
            .map(|s| vec![s.name.clone(), s.content.clone(), s.handling_unit.clone(), s.phone.clone()])
            .collect(),
    }
}

/// The whole version as the stacked table's rows (the CSV).
pub fn all_rows(content: &DutyListContent) -> Vec<Vec<String>> {
    Part::ALL.into_iter().flat_map(|p| stacked(p, part_rows(content, p))).collect()
}

/// The template's rows: one or two examples per part.
pub fn example_rows() -> Vec<Vec<String>> {
    Part::ALL.into_iter().flat_map(|p| stacked(p, p.example())).collect()
}

/// A version as a workbook: one worksheet per part, each with its columns.
pub fn workbook(content: Option<&DutyListContent>) -> Result<Vec<u8>, crate::FileError> {
    let parts: Vec<(Part, Vec<String>, Vec<Vec<String>>)> = Part::ALL
        .into_iter()
        .map(|p| (p, p.headers(), content.map(|c| part_rows(c, p)).unwrap_or_else(|| p.example())))
        .collect();
    let sheets: Vec<SheetData<'_>> =
        parts.iter().map(|(p, h, r)| SheetData { name: p.label(), headers: h, rows: r }).collect();
    crate::file::write_xlsx_book(&sheets)
}

/// Reads an uploaded file: the parts' worksheets of a workbook, or one table
/// with a 部分 column (CSV, or a workbook of one worksheet).
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Table, crate::FileError> {
    let names: Vec<&str> = Part::ALL.iter().map(|p| p.label()).collect();
    crate::file::read_parts(file_name, bytes, &names, &headers())
}

/// Which version an import writes: a unit's draft (made if it has none), or
/// a version named by id, which must be a draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Unit(UnitId),
    Version(DutyListId),
}

/// The target checked: the unit (in the actor's jurisdiction, writable) and
/// the version named, if one was. A published version is refused with 409.
pub async fn resolve(store: &Store, actor: &Actor, target: Target) -> DomainResult<(Unit, Option<DutyListId>)> {
    require(actor, Permission::ManageDutyLists)?;
    let (unit_id, version) = match target {
        Target::Unit(u) => (u, None),
        Target::Version(id) => {
            let list = duty_lists::get(store, actor, id).await?;
            if list.is_published() {
                return Err(duty_lists::immutable().into());
            }
            (list.unit_id, Some(id))
        }
    };
    let unit = units::get(store, actor, unit_id).await?;
    let mut conn = store.reader().acquire().await.map_err(StoreError::from)?;
    let target = weijian_store::jurisdiction::WriteTarget { region_code: &unit.region_code, entity_id: None };
    weijian_store::jurisdiction::authorize_write(&mut conn, actor, target).await?;
    Ok((unit, version))
}

/// A unit named by its id or, among the units the actor may see, its name.
pub async fn find_unit(store: &Store, actor: &Actor, key: &str) -> DomainResult<Unit> {
    let key = key.trim();
    if let Ok(id) = key.parse::<UnitId>() {
        return Ok(units::get(store, actor, id).await?);
    }
    let named: Vec<Unit> = units::list(store, actor).await?.into_iter().filter(|u| u.name == key).collect();
    match named.len() {
        1 => Ok(named.into_iter().next().expect("one unit")),
        0 => Err(DomainError::invalid(
            "duty_list.unit_not_found",
            "unit",
            format!("单位“{key}”不存在，或不在您的辖区内"),
        )),
        _ => Err(DomainError::invalid(
            "duty_list.unit_ambiguous",
            "unit",
            format!("您的辖区内有多个名为“{key}”的单位，请用单位编号指定"),
        )),
    }
}

/// The version an export writes: the one named, else the unit's newest.
pub async fn version_to_export(store: &Store, actor: &Actor, query: &ExportQuery) -> DomainResult<DutyList> {
    require(actor, Permission::ViewDutyLists)?;
    let bad_id = |field: &str| DomainError::invalid("request.invalid_id", field, "编号格式无效");
    if let Some(id) = query.duty_list_id.as_deref().filter(|s| !s.trim().is_empty()) {
        let id: DutyListId = id.trim().parse().map_err(|_| bad_id("duty_list_id"))?;
        return Ok(duty_lists::get(store, actor, id).await?);
    }
    let Some(unit) = query.unit_id.as_deref().filter(|s| !s.trim().is_empty()) else {
        return Err(DomainError::invalid(
            "duty_list.version_required",
            "duty_list_id",
            "请指定要导出的权责清单版本（duty_list_id）或单位（unit_id）",
        ));
    };
    let unit: UnitId = unit.trim().parse().map_err(|_| bad_id("unit_id"))?;
    units::get(store, actor, unit).await?;
    let mut conn = store.reader().acquire().await.map_err(StoreError::from)?;
    match duty_lists::latest_of_unit(&mut conn, actor, unit).await? {
        Some(l) => Ok(l),
        None => Err(DomainError::new(weijian_domain::ErrorKind::NotFound, "duty_list.none", "该单位还没有权责清单")),
    }
}

/// A checked row.
#[derive(Clone, Debug)]
pub enum Item {
    /// A duty, with one of its tasks unless the row only names the duty.
    Duty {
        order: Option<usize>,
        name: String,
        basis: String,
        task: Option<DutyTask>,
    },
    Boundary(DutyBoundary),
    Service(PublicService),
}

/// The importing sheet, bound to its unit (and version, when one was named).
pub struct DutyListSheet {
    pub unit: Unit,
    pub version: Option<DutyListId>,
}

#[derive(Default)]
pub struct Cache {
    /// The unit's registered sections; none registered means none to check against.
    sections: Vec<String>,
    /// Duty title → (row, 序号, 依据) as first seen in the file.
    duties: HashMap<String, (usize, String, String)>,
    /// The keys the version will hold (what it has, then the file's), to
    /// refuse the row that would take a part past [`ITEMS_MAX`] before writing.
    keys: HashSet<(Part, String)>,
    tasks: HashMap<String, HashSet<String>>,
}

/// A public service's phone: one the rules parse, or a bare local number
/// (7 to 8 digits, not starting 0 or 1), as published lists often give it.
fn phone_problem(raw: &str) -> Option<String> {
    let local = (7..=8).contains(&raw.len())
        && raw.chars().all(|c| c.is_ascii_digit())
        && !raw.starts_with('0')
        && !raw.starts_with('1');
    match Phone::parse(raw) {
        Ok(_) => None,
        Err(_) if local => None,
        Err(e) => Some(format!("联系电话无效：{e}")),
    }
}

impl DutyListSheet {
    fn check_text(n: usize, column: &str, value: &str, required: bool, out: &mut Vec<RowProblem>) {
        if required && value.is_empty() {
            out.push(RowProblem::new(n, column, "", "duty_list.name_required", format!("{column}不能为空")));
        } else if value.chars().count() > TEXT_MAX {
            let shown: String = value.chars().take(20).collect();
            out.push(RowProblem::new(
                n,
                column,
                &format!("{shown}…"),
                "duty_list.text_too_long",
                format!("{column}不能超过 {TEXT_MAX} 个字"),
            ));
        }
    }
}

fn header_problems(part: Part, headers: &[String], sheet: &str) -> Vec<RowProblem> {
    let table = Table::new(headers.to_vec(), Vec::new());
    default_header_check(&part.columns(), &table).into_iter().map(|p| p.on_sheet(sheet)).collect()
}

impl Sheet for DutyListSheet {
    type Record = Item;
    type Cache = Cache;

    fn label(&self) -> &'static str {
        LABEL
    }

    fn batch_action(&self) -> &'static str {
        "import.duty_lists_batch"
    }

    fn columns(&self) -> Vec<Column> {
        columns()
    }

    fn example(&self) -> Vec<String> {
        example_rows().into_iter().next().unwrap_or_default()
    }

    /// A workbook's worksheets each against their part's columns; one table
    /// against the stacked columns.
    fn check_headers(&self, table: &Table) -> Vec<RowProblem> {
        if table.sheets.is_empty() {
            return default_header_check(&columns(), table);
        }
        let mut out = Vec::new();
        for (name, headers) in &table.sheets {
            if let Some(part) = Part::parse(name) {
                out.extend(header_problems(part, headers, name));
            }
        }
        out
    }

    fn natural_key(&self, row: RowRef<'_>) -> Option<(String, String)> {
        let part = part_of(row)?;
        let key = |column: &str, parts: &[&str]| {
            (!parts[0].is_empty()).then(|| (column.to_string(), format!("{}\n{}", part.label(), parts.join("\n"))))
        };
        match part {
            Part::Duties if row.get(TASK).is_empty() => key(DUTY, &[row.get(DUTY)]),
            Part::Duties => key(TASK, &[row.get(DUTY), row.get(TASK)]).filter(|_| !row.get(DUTY).is_empty()),
            Part::Boundaries => key(MATTER, &[row.get(MATTER)]),
            Part::Services => key(SERVICE, &[row.get(SERVICE)]),
        }
    }

    async fn prepare(&self, cx: &mut Context<'_, Cache>, _table: &Table) -> StoreResult<()> {
        cx.cache.sections =
            units::sections_of(cx.store, cx.actor, self.unit.id).await?.into_iter().map(|s| s.name).collect();
        // What the import starts from: the named draft, else the unit's newest version (a new draft copies it).
        let base = match self.version {
            Some(id) => Some(duty_lists::get(cx.store, cx.actor, id).await?),
            None => {
                let mut conn = cx.store.reader().acquire().await?;
                duty_lists::latest_of_unit(&mut conn, cx.actor, self.unit.id).await?
            }
        };
        if let Some(c) = base.map(|l| l.content) {
            for d in c.duties {
                cx.cache.keys.insert((Part::Duties, d.name.clone()));
                cx.cache.tasks.insert(d.name, d.tasks.into_iter().map(|t| t.name).collect());
            }
            cx.cache.keys.extend(c.boundaries.into_iter().map(|b| (Part::Boundaries, b.matter)));
            cx.cache.keys.extend(c.public_services.into_iter().map(|s| (Part::Services, s.name)));
        }
        Ok(())
    }

    async fn validate(
        &self,
        cx: &mut Context<'_, Cache>,
        row: RowRef<'_>,
    ) -> StoreResult<Result<Item, Vec<RowProblem>>> {
        let n = row.number;
        let mut problems = Vec::new();
        let Some(part) = part_of(row) else {
            let value = row.get(PART);
            let message = if value.is_empty() {
                "请填写部分：职责事项、职责边界或公共服务".to_string()
            } else {
                format!("部分“{value}”无效，应为职责事项、职责边界或公共服务")
            };
            return Ok(Err(vec![RowProblem::new(n, PART, value, "duty_list.unknown_part", message)]));
        };
        // A value under another part's column would be silently lost.
        for h in headers().iter().filter(|h| h.as_str() != PART && !part.owns(h)) {
            let value = row.get(h);
            if !value.is_empty() {
                problems.push(RowProblem::new(
                    n,
                    h,
                    value,
                    "duty_list.wrong_part",
                    format!("“{h}”不属于{}，本行不应填写（请核对部分列）", part.label()),
                ));
            }
        }
        let item = match part {
            Part::Duties => {
                let (name, basis, task) = (row.get(DUTY), row.get(DUTY_BASIS), row.get(TASK));
                let (section, remarks) = (row.get(SECTION), row.get(REMARKS));
                Self::check_text(n, DUTY, name, true, &mut problems);
                Self::check_text(n, DUTY_BASIS, basis, false, &mut problems);
                Self::check_text(n, TASK, task, false, &mut problems);
                Self::check_text(n, SECTION, section, false, &mut problems);
                Self::check_text(n, REMARKS, remarks, false, &mut problems);
                let order_raw = row.get(ORDER);
                let order = match order_raw {
                    "" => None,
                    raw => match raw.parse::<usize>() {
                        Ok(o) if o >= 1 => Some(o),
                        _ => {
                            problems.push(RowProblem::new(
                                n,
                                ORDER,
                                raw,
                                "duty_list.invalid_order",
                                "序号应为正整数，如 1、2、3",
                            ));
                            None
                        }
                    },
                };
                if task.is_empty() {
                    for (column, value) in [(SECTION, section), (REMARKS, remarks)] {
                        if !value.is_empty() {
                            problems.push(RowProblem::new(
                                n,
                                column,
                                value,
                                "duty_list.task_required",
                                format!("填写了{column}，但没有填写具体工作事项"),
                            ));
                        }
                    }
                }
                if !section.is_empty()
                    && !cx.cache.sections.is_empty()
                    && !cx.cache.sections.iter().any(|s| s == section)
                {
                    problems.push(RowProblem::new(
                        n,
                        SECTION,
                        section,
                        "duty_list.unknown_section",
                        format!(
                            "{}没有名为“{section}”的股室（已登记：{}）",
                            self.unit.name,
                            cx.cache.sections.join("、")
                        ),
                    ));
                }
                // The rows of one duty must agree on what belongs to the duty.
                if !name.is_empty() {
                    match cx.cache.duties.get(name) {
                        None => {
                            cx.cache.duties.insert(name.to_string(), (n, order_raw.to_string(), basis.to_string()));
                        }
                        Some((first, o, b)) => {
                            if o != order_raw {
                                problems.push(RowProblem::new(
                                    n,
                                    ORDER,
                                    order_raw,
                                    "duty_list.inconsistent_duty",
                                    format!("同一主要职责的序号与第 {first} 行不一致（第 {first} 行为“{o}”）"),
                                ));
                            }
                            if b != basis {
                                problems.push(RowProblem::new(
                                    n,
                                    DUTY_BASIS,
                                    basis,
                                    "duty_list.inconsistent_duty",
                                    format!("同一主要职责的职责依据与第 {first} 行不一致"),
                                ));
                            }
                        }
                    }
                }
                Item::Duty {
                    order,
                    name: name.to_string(),
                    basis: basis.to_string(),
                    task: (!task.is_empty()).then(|| DutyTask {
                        name: task.to_string(),
                        section: section.to_string(),
                        remarks: remarks.to_string(),
                    }),
                }
            }
            Part::Boundaries => {
                let b = DutyBoundary {
                    matter: row.get(MATTER).to_string(),
                    our_part: row.get(OUR_PART).to_string(),
                    other_department: row.get(OTHER).to_string(),
                    their_part: row.get(THEIR_PART).to_string(),
                    basis: row.get(BOUNDARY_BASIS).to_string(),
                    cases: row.get(CASES).to_string(),
                };
                for (column, value, required) in [
                    (MATTER, &b.matter, true),
                    (OUR_PART, &b.our_part, true),
                    (OTHER, &b.other_department, true),
                    (THEIR_PART, &b.their_part, true),
                    (BOUNDARY_BASIS, &b.basis, false),
                    (CASES, &b.cases, false),
                ] {
                    Self::check_text(n, column, value, required, &mut problems);
                }
                Item::Boundary(b)
            }
            Part::Services => {
                let s = PublicService {
                    name: row.get(SERVICE).to_string(),
                    content: row.get(CONTENT).to_string(),
                    handling_unit: row.get(HANDLING_UNIT).to_string(),
                    phone: row.get(PHONE).to_string(),
                };
                Self::check_text(n, SERVICE, &s.name, true, &mut problems);
                Self::check_text(n, CONTENT, &s.content, false, &mut problems);
                Self::check_text(n, HANDLING_UNIT, &s.handling_unit, false, &mut problems);
                if !s.phone.is_empty() {
                    if let Some(message) = phone_problem(&s.phone) {
                        problems.push(RowProblem::new(n, PHONE, &s.phone, "duty_list.invalid_phone", message));
                    }
                }
                Item::Service(s)
            }
        };
        if problems.is_empty() {
            if let Some(p) = over_limit(&mut cx.cache, n, &item) {
                problems.push(p);
            }
        }
        Ok(if problems.is_empty() { Ok(item) } else { Err(problems) })
    }

    async fn write(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        _job: &str,
        item: &Item,
    ) -> StoreResult<Written> {
        let list = match self.version {
            Some(id) => duty_lists::draft_in(conn, actor, id).await?,
            None => match duty_lists::latest_of_unit(conn, actor, self.unit.id).await? {
                Some(l) if !l.is_published() => l,
                // The batch's transaction carries the new draft and its audit event.
                _ => duty_lists::insert_draft(conn, actor, &self.unit, None).await?,
            },
        };
        let mut content = list.content.clone();
        let outcome = merge(&mut content, item);
        if outcome != Outcome::Unchanged {
            let too_many = content.duties.len() > ITEMS_MAX
                || content.boundaries.len() > ITEMS_MAX
                || content.public_services.len() > ITEMS_MAX
                || content.duties.iter().any(|d| d.tasks.len() > ITEMS_MAX);
            if too_many {
                return Err(StoreError::Conflict {
                    code: "duty_list.too_many_items",
                    message: format!("权责清单每部分（及每项职责的具体工作事项）不能超过 {ITEMS_MAX} 项"),
                });
            }
            duty_lists::save_content_in(conn, list.id, &content).await?;
        }
        Ok(Written { outcome, object_id: list.id.to_string() })
    }

    async fn export(&self, store: &Store, actor: &Actor, query: &ExportQuery) -> DomainResult<Vec<Vec<String>>> {
        Ok(all_rows(&version_to_export(store, actor, query).await?.content))
    }
}

/// Counts the row's new keys in; the problem when one takes its part past the limit.
fn over_limit(cache: &mut Cache, n: usize, item: &Item) -> Option<RowProblem> {
    let (part, key, column) = match item {
        Item::Duty { name, .. } => (Part::Duties, name, DUTY),
        Item::Boundary(b) => (Part::Boundaries, &b.matter, MATTER),
        Item::Service(s) => (Part::Services, &s.name, SERVICE),
    };
    let count = |cache: &Cache| cache.keys.iter().filter(|(p, _)| *p == part).count();
    if cache.keys.insert((part, key.clone())) && count(cache) > ITEMS_MAX {
        return Some(RowProblem::new(
            n,
            column,
            key,
            "duty_list.too_many_items",
            format!("{}不能超过 {ITEMS_MAX} 项（连同清单中已有的）", part.label()),
        ));
    }
    if let Item::Duty { name, task: Some(t), .. } = item {
        let tasks = cache.tasks.entry(name.clone()).or_default();
        if tasks.insert(t.name.clone()) && tasks.len() > ITEMS_MAX {
            return Some(RowProblem::new(
                n,
                TASK,
                &t.name,
                "duty_list.too_many_items",
                format!("一项主要职责的具体工作事项不能超过 {ITEMS_MAX} 项（连同清单中已有的）"),
            ));
        }
    }
    None
}

/// Puts a row into the content: created, updated (something differed) or unchanged.
pub fn merge(content: &mut DutyListContent, item: &Item) -> Outcome {
    fn upsert<T: PartialEq + Clone>(items: &mut Vec<T>, new: &T, same: impl Fn(&T) -> bool) -> Outcome {
        match items.iter_mut().find(|i| same(i)) {
            None => {
                items.push(new.clone());
                Outcome::Created
            }
            Some(old) if old == new => Outcome::Unchanged,
            Some(old) => {
                *old = new.clone();
                Outcome::Updated
            }
        }
    }
    match item {
        Item::Duty { order, name, basis, task } => {
            let (i, mut outcome) = match content.duties.iter().position(|d| &d.name == name) {
                Some(i) => (i, Outcome::Unchanged),
                None => {
                    // 序号 places a new duty; existing ones keep their place, so that a
                    // file listing only some duties does not reorder the others.
                    let at = order.map_or(content.duties.len(), |o| (o - 1).min(content.duties.len()));
                    content.duties.insert(at, Duty { name: name.clone(), basis: basis.clone(), tasks: Vec::new() });
                    (at, Outcome::Created)
                }
            };
            let duty = &mut content.duties[i];
            if &duty.basis != basis {
                duty.basis = basis.clone();
                outcome = Outcome::Updated;
            }
            if let Some(t) = task {
                match upsert(&mut duty.tasks, t, |k| k.name == t.name) {
                    Outcome::Unchanged => {}
                    o if outcome == Outcome::Unchanged => outcome = o,
                    _ => {}
                }
            }
            outcome
        }
        Item::Boundary(b) => upsert(&mut content.boundaries, b, |x| x.matter == b.matter),
        Item::Service(s) => upsert(&mut content.public_services, s, |x| x.name == s.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_take_published_local_numbers_and_refuse_garbage() {
        for ok in ["8222796", "68511093", "0318-8221234", "13800000000", "12345"] {
            assert_eq!(phone_problem(ok), None, "{ok}");
        }
        for bad in ["电话待定", "123", "0123456"] {
            assert!(phone_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn merging_the_same_rows_twice_changes_nothing() {
        let rows = [
            Item::Duty { order: Some(1), name: "甲".into(), basis: "依据".into(), task: None },
            Item::Duty {
                order: Some(1),
                name: "甲".into(),
                basis: "依据".into(),
                task: Some(DutyTask { name: "事项".into(), section: "股".into(), remarks: String::new() }),
            },
            Item::Service(PublicService { name: "服务".into(), ..Default::default() }),
        ];
        let mut c = DutyListContent::default();
        let first: Vec<Outcome> = rows.iter().map(|r| merge(&mut c, r)).collect();
        assert_eq!(first, [Outcome::Created, Outcome::Created, Outcome::Created]);
        let once = c.clone();
        assert!(rows.iter().all(|r| merge(&mut c, r) == Outcome::Unchanged));
        assert_eq!(c, once);
        assert_eq!(c.duties[0].tasks.len(), 1);
    }
}
