//! `weijian import` and `weijian export`: the registries and responsibility
//! lists from and to CSV/XLSX files, run by the operator as the system (every
//! batch is audited).

use anyhow::{anyhow, Context, Result};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use weijian_exchange::duty_lists::{self, Target};
use weijian_exchange::{ExportQuery, Format, Import, Kind, Mode, Progress, Scope};
use weijian_store::imports::JobStatus;
use weijian_store::{Actor, Store};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    Entities,
    Licences,
    Practitioners,
    Inspectors,
    DutyLists,
}

impl KindArg {
    fn kind(self) -> Kind {
        match self {
            KindArg::Entities => Kind::Entities,
            KindArg::Licences => Kind::Licences,
            KindArg::Practitioners => Kind::Practitioners,
            KindArg::Inspectors => Kind::Inspectors,
            KindArg::DutyLists => Kind::DutyLists,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ModeArg {
    AllOrNothing,
    CleanRowsOnly,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    Csv,
    Xlsx,
}

/// A progress line on stderr: redrawn in place on a terminal, a line per
/// tenth otherwise (logs stay short).
struct Bar {
    tty: bool,
    last: Mutex<(Option<JobStatus>, i64)>,
}

impl Bar {
    fn show(&self, p: Progress) {
        let Ok(mut last) = self.last.lock() else { return };
        let phase = match p.status {
            JobStatus::Validating => "校验",
            JobStatus::Ready | JobStatus::Importing => "写入",
            JobStatus::Done | JobStatus::Failed => "完成",
        };
        let pct = if p.total > 0 { p.processed * 100 / p.total } else { 100 };
        let tenth = pct / 10;
        let mut err = std::io::stderr();
        if self.tty {
            let filled = (pct / 5) as usize;
            let _ = write!(
                err,
                "\r{phase} [{}{}] {:>3}% {}/{} 行",
                "#".repeat(filled),
                "-".repeat(20 - filled.min(20)),
                pct,
                p.processed,
                p.total
            );
            if matches!(p.status, JobStatus::Done | JobStatus::Failed) {
                let _ = writeln!(err);
            }
        } else if last.0 != Some(p.status) || last.1 != tenth {
            let _ = writeln!(err, "{phase} {pct}% {}/{} 行", p.processed, p.total);
        }
        *last = (Some(p.status), tenth);
    }
}

/// Which duty list: `--duty-list ID` (a version), else `--unit ID-or-name`.
pub struct DutyArgs {
    pub unit: Option<String>,
    pub duty_list: Option<String>,
}

async fn duty_target(store: &Store, kind: KindArg, duty: &DutyArgs, verb: &str) -> Result<Option<Target>> {
    if !matches!(kind, KindArg::DutyLists) {
        if duty.unit.is_some() || duty.duty_list.is_some() {
            return Err(anyhow!("--unit 和 --duty-list 只用于 duty-lists（权责清单）"));
        }
        return Ok(None);
    }
    if let Some(id) = &duty.duty_list {
        return Ok(Some(Target::Version(
            id.trim().parse().map_err(|_| anyhow!("--duty-list 不是有效的清单版本编号"))?,
        )));
    }
    let Some(unit) = &duty.unit else {
        return Err(anyhow!("{verb}权责清单须用 --unit 指定单位（编号或名称），或用 --duty-list 指定版本"));
    };
    let unit = duty_lists::find_unit(store, &Actor::system(), unit)
        .await
        .map_err(|e| anyhow!("{}（{}）", e.message, e.code))?;
    Ok(Some(Target::Unit(unit.id)))
}

pub async fn import(
    store: &Store,
    kind: KindArg,
    file: &Path,
    mode: ModeArg,
    region: Option<&str>,
    duty: &DutyArgs,
) -> Result<i32> {
    let target = duty_target(store, kind, duty, "导入").await?;
    let bytes = std::fs::read(file).with_context(|| format!("无法读取 {}", file.display()))?;
    let mode = match mode {
        ModeArg::AllOrNothing => Mode::AllOrNothing,
        ModeArg::CleanRowsOnly => Mode::CleanRowsOnly,
    };
    let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let scope = Scope { region, duty_list: target };
    let import = Import::prepare_in(store, &Actor::system(), kind.kind(), mode, &name, &bytes, scope)
        .await
        .map_err(|e| anyhow!("{}（{}）", e.message, e.code))?;
    let bar = Bar { tty: std::io::stderr().is_terminal(), last: Mutex::new((None, -1)) };
    let job = import.run(&|p| bar.show(p)).await;
    println!(
        "导入任务 {}：{}。共 {} 行，新增 {}，更新 {}，未变 {}，问题 {} 个。",
        job.id,
        job.status.label(),
        job.total_rows,
        job.created_rows,
        job.updated_rows,
        job.unchanged_rows,
        job.problem_count
    );
    if let Some(e) = &job.error {
        println!("{e}");
    }
    if let Some(report) = &job.problems {
        let path = report_path(file);
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(report.as_bytes());
        std::fs::write(&path, bytes).with_context(|| format!("无法写入问题清单 {}", path.display()))?;
        println!("问题清单：{}", path.display());
        for p in weijian_exchange::report::parse(report).iter().take(10) {
            println!("  {}第 {} 行 {}：{}", p.sheet, p.row, p.column, p.message);
        }
    }
    Ok(if job.status == JobStatus::Done { 0 } else { 1 })
}

fn report_path(file: &Path) -> PathBuf {
    let stem = file.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "导入".into());
    file.with_file_name(format!("{stem}.问题清单.csv"))
}

pub async fn export(
    store: &Store,
    kind: KindArg,
    format: FormatArg,
    out: &Path,
    q: Option<String>,
    region: Option<String>,
    duty: &DutyArgs,
) -> Result<i32> {
    let format = match format {
        FormatArg::Csv => Format::Csv,
        FormatArg::Xlsx => Format::Xlsx,
    };
    let unit_id = match duty_target(store, kind, duty, "导出").await? {
        Some(Target::Unit(u)) if duty.duty_list.is_none() => Some(u.to_string()),
        _ => None,
    };
    let query =
        ExportQuery { q, region_code: region, duty_list_id: duty.duty_list.clone(), unit_id, ..ExportQuery::default() };
    let d = weijian_exchange::export(store, &Actor::system(), kind.kind(), format, &query)
        .await
        .map_err(|e| anyhow!("{}（{}）", e.message, e.code))?;
    std::fs::write(out, &d.bytes).with_context(|| format!("无法写入 {}", out.display()))?;
    println!("已导出到 {}（{} 字节）", out.display(), d.bytes.len());
    Ok(0)
}
