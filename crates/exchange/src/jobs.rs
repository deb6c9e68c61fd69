//! Import jobs: read the file up front (so that an unreadable file is refused
//! at once), then validate every row and write in batches, recording progress
//! on the job as it goes. The web layer runs [`Import::run`] in a background
//! task; the CLI awaits it with a progress bar.

use crate::duty_lists::{self, DutyListSheet};
use crate::file::{self, Table};
use crate::practitioners::PractitionerSheet;
use crate::sheet::{Context, Outcome, RowProblem, Sheet};
use crate::{entities::EntitySheet, inspectors::InspectorSheet, licences::LicenceSheet, report, Kind};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use weijian_domain::authz::{require, Permission};
use weijian_domain::{DomainError, DomainResult};
use weijian_store::audit::Change;
use weijian_store::ids::{DutyListId, ImportJobId};
use weijian_store::imports::{self, Counts, ImportJob, JobStatus, NewJob};
use weijian_store::units::Unit;
use weijian_store::{regions, Actor, Store, StoreError};

/// Rows written in one transaction (with one audit event).
pub const BATCH_ROWS: usize = 500;

/// The message jobs left running by a stopped server end with.
pub const INTERRUPTED: &str = "服务重启，导入中断，请重新导入";

/// What to do with a file that has problems.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Write nothing unless every row is clean (the default).
    AllOrNothing,
    /// Write the rows without problems and report the others.
    CleanRowsOnly,
}

impl Mode {
    pub fn key(self) -> &'static str {
        match self {
            Mode::AllOrNothing => "all_or_nothing",
            Mode::CleanRowsOnly => "clean_rows_only",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Mode::AllOrNothing => "全部无误才导入",
            Mode::CleanRowsOnly => "只导入无问题的行",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        [Mode::AllOrNothing, Mode::CleanRowsOnly].into_iter().find(|m| m.key() == s.trim())
    }
}

/// A step of a running job, for progress bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub status: JobStatus,
    pub processed: i64,
    pub total: i64,
}

/// A file read and a job recorded, ready to run.
pub struct Import {
    store: Store,
    actor: Actor,
    kind: Kind,
    mode: Mode,
    job: ImportJob,
    table: Table,
    within: Option<String>,
    /// Duty lists: the unit, and the version when one was named.
    duty: Option<(Unit, Option<DutyListId>)>,
}

/// Where an import writes beyond the actor's jurisdiction.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scope<'a> {
    /// Only this region's subtree (the CLI's --region); the job is filed under it.
    pub region: Option<&'a str>,
    /// Duty lists (required for them): the unit's draft or a named draft version.
    pub duty_list: Option<duty_lists::Target>,
}

/// Marks jobs a previous process left running as failed (call at start).
pub async fn fail_interrupted(store: &Store) -> DomainResult<u64> {
    Ok(imports::fail_interrupted(store, INTERRUPTED).await?)
}

fn require_importer(actor: &Actor) -> DomainResult<()> {
    if Kind::any_importable(actor) {
        Ok(())
    } else {
        Err(DomainError::forbidden("您的角色无权执行此操作"))
    }
}

/// A job in the actor's jurisdiction.
pub async fn get(store: &Store, actor: &Actor, id: ImportJobId) -> DomainResult<ImportJob> {
    require_importer(actor)?;
    Ok(imports::get(store, actor, id).await?)
}

pub async fn recent(store: &Store, actor: &Actor) -> DomainResult<Vec<ImportJob>> {
    require_importer(actor)?;
    Ok(imports::recent(store, actor, 20).await?)
}

fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if base.is_empty() {
        "上传文件".into()
    } else {
        base
    }
}

impl Import {
    /// Checks the actor may import, reads the file and records the job.
    /// `region` restricts the import to a region's subtree (the CLI's --region).
    pub async fn prepare(
        store: &Store,
        actor: &Actor,
        kind: Kind,
        mode: Mode,
        file_name: &str,
        bytes: &[u8],
        region: Option<&str>,
    ) -> DomainResult<Import> {
        Import::prepare_in(store, actor, kind, mode, file_name, bytes, Scope { region, duty_list: None }).await
    }

    /// [`Import::prepare`] with the whole scope; duty lists need their target.
    /// A target outside the jurisdiction is not found; a published version is
    /// refused (409 `duty_list.published_immutable`) before the file is read.
    pub async fn prepare_in(
        store: &Store,
        actor: &Actor,
        kind: Kind,
        mode: Mode,
        file_name: &str,
        bytes: &[u8],
        scope: Scope<'_>,
    ) -> DomainResult<Import> {
        if kind != Kind::DutyLists {
            require(actor, Permission::ManageRegistry)?;
        }
        require(actor, kind.manage_permission())?;
        let duty = match (kind, scope.duty_list) {
            (Kind::DutyLists, Some(target)) => Some(duty_lists::resolve(store, actor, target).await?),
            (Kind::DutyLists, None) => {
                return Err(DomainError::invalid("duty_list.unit_required", "unit_id", "导入权责清单须指定单位"))
            }
            _ => None,
        };
        let region = scope.region;
        let file_name = clean_file_name(file_name);
        // Reading a large workbook is CPU work: keep it off the async workers.
        let (name, owned) = (file_name.clone(), bytes.to_vec());
        let table = tokio::task::spawn_blocking(move || match kind {
            Kind::DutyLists => duty_lists::read(&name, &owned),
            _ => file::read(&name, &owned),
        })
        .await
        .map_err(|_| DomainError::new(weijian_domain::ErrorKind::Internal, "import.read_failed", "读取文件失败"))?
        .map_err(|e| DomainError::invalid(e.code, "file", e.message))?;
        let (region_code, within) = match (region, &duty) {
            // A duty list belongs to its unit's region.
            (_, Some((unit, _))) => (unit.region_code.clone(), None),
            (Some(code), None) => {
                let r = regions::get(store, code)
                    .await
                    .map_err(|_| DomainError::invalid("import.unknown_region", "region", "指定的行政区划代码不存在"))?;
                if let Some(own) = actor.region_code() {
                    let mine = regions::get(store, own.as_str()).await?;
                    if !r.path.starts_with(&mine.path) {
                        return Err(DomainError::forbidden("指定的行政区划不在您的辖区内"));
                    }
                }
                (r.code, Some(r.path))
            }
            (None, None) => match actor.region_code() {
                Some(own) => (own.to_string(), None),
                None => (imports::root_region(store).await?, None),
            },
        };
        let sha = hex::encode(Sha256::digest(bytes));
        let job = imports::create(
            store,
            actor,
            NewJob {
                kind: kind.key(),
                region_code: &region_code,
                file_name: &file_name,
                file_sha256: &sha,
                mode: mode.key(),
                total_rows: table.rows.len() as i64,
            },
        )
        .await?;
        Ok(Import { store: store.clone(), actor: actor.clone(), kind, mode, job, table, within, duty })
    }

    pub fn job(&self) -> &ImportJob {
        &self.job
    }

    /// Validates and writes; returns the job as it ended. Never panics on bad
    /// data: every failure ends the job as failed with its reason.
    pub async fn run(self, on_progress: &(dyn Fn(Progress) + Send + Sync)) -> ImportJob {
        let id = self.job.id;
        let outcome = match self.kind {
            Kind::Entities => run_sheet(&EntitySheet, &self, on_progress).await,
            Kind::Licences => run_sheet(&LicenceSheet, &self, on_progress).await,
            Kind::Practitioners => run_sheet(&PractitionerSheet, &self, on_progress).await,
            Kind::Inspectors => run_sheet(&InspectorSheet, &self, on_progress).await,
            Kind::DutyLists => match &self.duty {
                Some((unit, version)) => {
                    run_sheet(&DutyListSheet { unit: unit.clone(), version: *version }, &self, on_progress).await
                }
                None => Err(("导入权责清单须指定单位".to_string(), Counts::default())),
            },
        };
        if let Err((message, counts)) = outcome {
            if let Err(e) = imports::finish(&self.store, id, JobStatus::Failed, counts, Some(&message)).await {
                tracing::error!(error = %e, job = %id, "could not record a failed import");
            }
        }
        match imports::get(&self.store, &Actor::system(), id).await {
            Ok(job) => job,
            Err(_) => self.job,
        }
    }

    /// Runs in a background task.
    pub fn spawn(self) -> tokio::task::JoinHandle<ImportJob> {
        tokio::spawn(async move { self.run(&|_| {}).await })
    }
}

type Failure = (String, Counts);

fn store_failure(e: StoreError, counts: Counts) -> Failure {
    tracing::error!(error = %e, "import failed");
    let message = match e {
        StoreError::Forbidden(m) => m,
        StoreError::Conflict { message, .. } => message,
        _ => "数据库错误，导入中止".to_string(),
    };
    (message, counts)
}

async fn step(
    store: &Store,
    id: ImportJobId,
    status: JobStatus,
    counts: Counts,
    total: i64,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<(), Failure> {
    imports::progress(store, id, status, counts).await.map_err(|e| store_failure(e, counts))?;
    on_progress(Progress { status, processed: counts.processed, total });
    Ok(())
}

/// A row as the user finds it: 第 n 行, after its worksheet when there are several.
fn row_label(table: &Table, i: usize) -> String {
    let row = table.row(i);
    format!("{}第 {} 行", row.sheet(), row.number)
}

async fn run_sheet<S: Sheet>(
    sheet: &S,
    import: &Import,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<(), Failure> {
    let Import { store, actor, mode, job, table, within, .. } = import;
    let total = table.rows.len() as i64;
    let none = Counts::default();
    let fail = |e: StoreError| store_failure(e, Counts::default());

    // 1. The file: headers, then every row, then keys repeated within the file.
    // Rows are told apart by their index: worksheets of one workbook share row numbers.
    let mut problems = sheet.check_headers(table);
    let headers_unusable = problems.iter().any(|p| p.code == "import.missing_header");
    let mut records: Vec<(usize, S::Record)> = Vec::new();
    let mut bad_rows = std::collections::HashSet::new();
    if !headers_unusable {
        let mut cx = Context::<S::Cache>::new(store, actor, within.clone());
        sheet.prepare(&mut cx, table).await.map_err(fail)?;
        for i in 0..table.rows.len() {
            let row = table.row(i);
            match sheet.validate(&mut cx, row).await.map_err(fail)? {
                Ok(r) => records.push((i, r)),
                Err(ps) => {
                    bad_rows.insert(i);
                    problems.extend(ps.into_iter().map(|p| p.on_sheet(row.sheet())));
                }
            }
            if (i + 1) % 1000 == 0 {
                let counts = Counts { processed: i as i64 + 1, ..none };
                step(store, job.id, JobStatus::Validating, counts, total, on_progress).await?;
            }
        }
        let mut keys: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for i in 0..table.rows.len() {
            if let Some(k) = sheet.natural_key(table.row(i)) {
                keys.entry(k).or_default().push(i);
            }
        }
        let mut repeated: Vec<_> = keys.into_iter().filter(|(_, rows)| rows.len() > 1).collect();
        repeated.sort_by_key(|(_, rows)| rows[0]);
        for ((column, _), rows) in repeated {
            for &i in &rows {
                let row = table.row(i);
                // Another worksheet's row is named with its worksheet: 与职责边界第 3 行.
                let others: Vec<String> = rows
                    .iter()
                    .filter(|&&o| o != i)
                    .map(|&o| match table.row(o).sheet() == row.sheet() {
                        true => format!("第 {} 行", table.row(o).number),
                        false => row_label(table, o),
                    })
                    .collect();
                problems.push(
                    RowProblem::new(
                        row.number,
                        &column,
                        &sheet.report_value(&column, row.get(&column)),
                        "import.duplicate_key",
                        format!("与{}的{column}重复（文件内同一对象只能出现一次）", others.join("、")),
                    )
                    .on_sheet(row.sheet()),
                );
                bad_rows.insert(i);
            }
        }
        records.retain(|(i, _)| !bad_rows.contains(i));
    }
    // Worksheet and row order, and within a row the order in which the checks found them.
    let sheet_rank = |name: &str| table.sheets.iter().position(|(n, _)| n == name).unwrap_or(0);
    problems.sort_by_key(|p| (sheet_rank(&p.sheet), p.row));
    let report = (!problems.is_empty()).then(|| report::to_csv_text(&problems));
    imports::set_problems(store, job.id, problems.len() as i64, report.as_deref()).await.map_err(fail)?;
    let validated = Counts { processed: total, ..none };
    if headers_unusable || problems.iter().any(|p| p.row == 1) {
        return Err(("表头有问题，未导入任何数据。请对照模板改正表头后重新导入".into(), validated));
    }
    if !problems.is_empty() && *mode == crate::Mode::AllOrNothing {
        return Err((
            format!(
                "文件有 {} 个问题（涉及 {} 行），未导入任何数据。请下载问题清单，改正后重新导入",
                problems.len(),
                bad_rows.len()
            ),
            validated,
        ));
    }
    if records.is_empty() {
        return Err(("没有无问题的行可以导入".into(), validated));
    }
    step(store, job.id, JobStatus::Ready, validated, total, on_progress).await?;

    // 2. The writes, in batches.
    let mut counts = Counts { processed: 0, ..none };
    let skipped = total - records.len() as i64;
    step(store, job.id, JobStatus::Importing, counts, total, on_progress).await?;
    let job_id = job.id.to_string();
    for batch in records.chunks(BATCH_ROWS) {
        let mut tx = store.begin().await.map_err(|e| store_failure(e, counts))?;
        let mut batch_counts = Counts::default();
        let mut objects = Vec::with_capacity(batch.len());
        for (i, record) in batch {
            let (n, number) = (row_label(table, *i), table.row(*i).number);
            let written = match sheet.write(tx.conn(), actor, &job_id, record).await {
                Ok(w) => w,
                Err(e) => {
                    let _ = tx.rollback().await;
                    let (m, c) = store_failure(e, counts);
                    return Err((
                        format!(
                            "{n}写入失败：{m}。此前已写入的 {} 行保留；改正后可重新导入整个文件，已导入的行不会重复",
                            c.created + c.updated + c.unchanged
                        ),
                        c,
                    ));
                }
            };
            let outcome = match written.outcome {
                Outcome::Created => {
                    batch_counts.created += 1;
                    "created"
                }
                Outcome::Updated => {
                    batch_counts.updated += 1;
                    "updated"
                }
                Outcome::Unchanged => {
                    batch_counts.unchanged += 1;
                    "unchanged"
                }
            };
            if written.outcome != Outcome::Unchanged {
                objects.push(json!([number, written.object_id, outcome]));
            }
        }
        let (first, last) = (table.row(batch[0].0).number, table.row(batch[batch.len() - 1].0).number);
        if batch_counts.created + batch_counts.updated > 0 {
            let change = Change {
                action: sheet.batch_action(),
                object_type: "import_job",
                object_id: job_id.clone(),
                region_code: Some(job.region_code.clone()),
                summary: format!(
                    "批量导入{}（{}）第 {first}–{last} 行：新增 {}，更新 {}，未变 {}",
                    sheet.label(),
                    job.file_name,
                    batch_counts.created,
                    batch_counts.updated,
                    batch_counts.unchanged
                ),
                before: None,
                after: Some(json!({
                    "file_name": job.file_name,
                    "file_sha256": job.file_sha256,
                    "rows": [first, last],
                    "created": batch_counts.created,
                    "updated": batch_counts.updated,
                    "unchanged": batch_counts.unchanged,
                    "objects": objects,
                })),
            };
            let committed = async {
                tx.audit(actor, change).await?;
                tx.commit().await
            };
            committed.await.map_err(|e| store_failure(e, counts))?;
        } else {
            // Nothing changed: nothing to commit, nothing to audit.
            tx.rollback().await.map_err(|e| store_failure(e, counts))?;
        }
        counts.created += batch_counts.created;
        counts.updated += batch_counts.updated;
        counts.unchanged += batch_counts.unchanged;
        counts.processed += batch.len() as i64;
        step(store, job.id, JobStatus::Importing, counts, total, on_progress).await?;
    }
    counts.processed += skipped;
    imports::finish(store, job.id, JobStatus::Done, counts, None).await.map_err(|e| store_failure(e, counts))?;
    on_progress(Progress { status: JobStatus::Done, processed: counts.processed, total });
    Ok(())
}
