//! Import jobs (导入任务): a registry import running in the background, with its
//! progress, counts and problem report. The job row is bookkeeping, like a
//! session: it changes no supervised state, so it is written without an audit
//! event. The rows an import writes go through the registries' own insert and
//! replace, in transactions that each carry one audit event.

use crate::ids::{parse_db, EntityId, ImportJobId};
use crate::jurisdiction::{read_filter, Owner};
use crate::{time, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

/// Where a job stands. Validating → failed (problems, all-or-nothing) or
/// ready → importing → done; failed also when the write or the server stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Validating,
    Ready,
    Importing,
    Done,
    Failed,
}

impl JobStatus {
    pub const ALL: [JobStatus; 5] =
        [JobStatus::Validating, JobStatus::Ready, JobStatus::Importing, JobStatus::Done, JobStatus::Failed];

    pub fn key(self) -> &'static str {
        match self {
            JobStatus::Validating => "validating",
            JobStatus::Ready => "ready",
            JobStatus::Importing => "importing",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            JobStatus::Validating => "正在校验",
            JobStatus::Ready => "校验通过，等待写入",
            JobStatus::Importing => "正在导入",
            JobStatus::Done => "已完成",
            JobStatus::Failed => "未导入",
        }
    }

    pub fn parse(key: &str) -> Option<JobStatus> {
        JobStatus::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn running(self) -> bool {
        matches!(self, JobStatus::Validating | JobStatus::Ready | JobStatus::Importing)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ImportJob {
    pub id: ImportJobId,
    pub kind: String,
    pub region_code: String,
    pub user_id: Option<String>,
    pub file_name: String,
    pub file_sha256: String,
    pub mode: String,
    pub status: JobStatus,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub created_rows: i64,
    pub updated_rows: i64,
    pub unchanged_rows: i64,
    pub problem_count: i64,
    /// The problem report as CSV text (header line first).
    #[serde(skip)]
    pub problems: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// What a new job records.
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub region_code: &'a str,
    pub file_name: &'a str,
    pub file_sha256: &'a str,
    pub mode: &'a str,
    pub total_rows: i64,
}

/// Progress and outcome counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub processed: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
}

const OWNER: Owner = Owner { region: "region_code", entity: None };
const COLUMNS: &str = "id, kind, region_code, user_id, file_name, file_sha256, mode, status, total_rows, \
     processed_rows, created_rows, updated_rows, unchanged_rows, problem_count, problems, error, created_at, \
     updated_at, finished_at";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<ImportJob> {
    let status: String = r.try_get("status")?;
    Ok(ImportJob {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        kind: r.try_get("kind")?,
        region_code: r.try_get("region_code")?,
        user_id: r.try_get("user_id")?,
        file_name: r.try_get("file_name")?,
        file_sha256: r.try_get("file_sha256")?,
        mode: r.try_get("mode")?,
        status: JobStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("无效的导入任务状态：{status}")))?,
        total_rows: r.try_get("total_rows")?,
        processed_rows: r.try_get("processed_rows")?,
        created_rows: r.try_get("created_rows")?,
        updated_rows: r.try_get("updated_rows")?,
        unchanged_rows: r.try_get("unchanged_rows")?,
        problem_count: r.try_get("problem_count")?,
        problems: r.try_get("problems")?,
        error: r.try_get("error")?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_db(&r.try_get::<String, _>("updated_at")?)?,
        finished_at: r.try_get::<Option<String>, _>("finished_at")?.map(|s| time::from_db(&s)).transpose()?,
    })
}

/// Records a new job in `validating`. The caller has checked the actor may import.
pub async fn create(store: &Store, actor: &Actor, job: NewJob<'_>) -> StoreResult<ImportJob> {
    let now = time::now();
    let id = ImportJobId::new();
    sqlx::query(&format!(
        "INSERT INTO import_jobs ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, 0, 0, 0, NULL, NULL, $10, $10, NULL)"
    ))
    .bind(id.to_string())
    .bind(job.kind)
    .bind(job.region_code)
    .bind(actor.user_id().map(|u| u.to_string()))
    .bind(job.file_name)
    .bind(job.file_sha256)
    .bind(job.mode)
    .bind(JobStatus::Validating.key())
    .bind(job.total_rows)
    .bind(time::to_db(now))
    .execute(store.writer())
    .await?;
    get(store, &Actor::system(), id).await
}

/// A job, if it lies in the actor's jurisdiction.
pub async fn get(store: &Store, actor: &Actor, id: ImportJobId) -> StoreResult<ImportJob> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM import_jobs WHERE id = $1 AND {}", f.sql);
    let r = f
        .bind(sqlx::query(&sql).bind(id.to_string()))
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

/// The newest jobs in the actor's jurisdiction.
pub async fn recent(store: &Store, actor: &Actor, limit: usize) -> StoreResult<Vec<ImportJob>> {
    let f = read_filter(actor, OWNER, 1);
    let sql = format!(
        "SELECT {COLUMNS} FROM import_jobs WHERE {} ORDER BY created_at DESC, id DESC LIMIT {}",
        f.sql,
        limit.clamp(1, 200)
    );
    let rows = f.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    rows.iter().map(from_row).collect()
}

/// Moves a job on and records its progress.
pub async fn progress(store: &Store, id: ImportJobId, status: JobStatus, counts: Counts) -> StoreResult<()> {
    sqlx::query(
        "UPDATE import_jobs SET status = $1, processed_rows = $2, created_rows = $3, updated_rows = $4, \
         unchanged_rows = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(status.key())
    .bind(counts.processed)
    .bind(counts.created)
    .bind(counts.updated)
    .bind(counts.unchanged)
    .bind(time::to_db(time::now()))
    .bind(id.to_string())
    .execute(store.writer())
    .await?;
    Ok(())
}

/// Stores the validation's outcome: the number of problems and the report.
pub async fn set_problems(store: &Store, id: ImportJobId, count: i64, report: Option<&str>) -> StoreResult<()> {
    sqlx::query("UPDATE import_jobs SET problem_count = $1, problems = $2, updated_at = $3 WHERE id = $4")
        .bind(count)
        .bind(report)
        .bind(time::to_db(time::now()))
        .bind(id.to_string())
        .execute(store.writer())
        .await?;
    Ok(())
}

/// Ends a job: done, or failed with the reason.
pub async fn finish(
    store: &Store,
    id: ImportJobId,
    status: JobStatus,
    counts: Counts,
    error: Option<&str>,
) -> StoreResult<()> {
    let now = time::to_db(time::now());
    sqlx::query(
        "UPDATE import_jobs SET status = $1, processed_rows = $2, created_rows = $3, updated_rows = $4, \
         unchanged_rows = $5, error = $6, updated_at = $7, finished_at = $7 WHERE id = $8",
    )
    .bind(status.key())
    .bind(counts.processed)
    .bind(counts.created)
    .bind(counts.updated)
    .bind(counts.unchanged)
    .bind(error)
    .bind(now)
    .bind(id.to_string())
    .execute(store.writer())
    .await?;
    Ok(())
}

/// At start: jobs a previous process left running can never finish. Marks
/// them failed with `reason` and returns how many there were.
pub async fn fail_interrupted(store: &Store, reason: &str) -> StoreResult<u64> {
    let now = time::to_db(time::now());
    let done = sqlx::query(
        "UPDATE import_jobs SET status = $3, error = $1, updated_at = $2, finished_at = $2 \
         WHERE status IN ($4, $5, $6)",
    )
    .bind(reason)
    .bind(now)
    .bind(JobStatus::Failed.key())
    .bind(JobStatus::Validating.key())
    .bind(JobStatus::Ready.key())
    .bind(JobStatus::Importing.key())
    .execute(store.writer())
    .await?;
    Ok(done.rows_affected())
}

/// The top of the region tree (the region a system-run import is filed under).
pub async fn root_region(store: &Store) -> StoreResult<String> {
    let r: Option<(String,)> =
        sqlx::query_as("SELECT code FROM regions WHERE parent_code IS NULL ORDER BY code LIMIT 1")
            .fetch_optional(store.reader())
            .await?;
    r.map(|r| r.0).ok_or_else(|| StoreError::Config("尚未设置行政区划".into()))
}

/// Entities of this name in this region that the actor may see (a licence
/// import names its holder this way when there is no USCC).
pub async fn entity_ids_by_name(
    conn: &mut AnyConnection,
    actor: &Actor,
    region_code: &str,
    name: &str,
) -> StoreResult<Vec<EntityId>> {
    let f = read_filter(actor, Owner { region: "region_code", entity: Some("id") }, 3);
    let sql = format!("SELECT id FROM entities WHERE region_code = $1 AND name = $2 AND {} ORDER BY id LIMIT 5", f.sql);
    let rows = f.bind(sqlx::query(&sql).bind(region_code).bind(name)).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| parse_db(&r.try_get::<String, _>("id")?)).collect()
}

/// Which of these USCCs are registered anywhere, with the owning region
/// (checked against the actor's write rights, so an import never collides
/// with an entity it may not change).
pub async fn registered_usccs(conn: &mut AnyConnection, usccs: &[String]) -> StoreResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for chunk in usccs.chunks(200) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT uscc, region_code FROM entities WHERE uscc IN ({})", marks.join(", "));
        let mut q = sqlx::query(&sql);
        for u in chunk {
            q = q.bind(u.as_str());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push((r.try_get("uscc")?, r.try_get("region_code")?));
        }
    }
    Ok(out)
}

/// A licence registered anywhere, as an import meets it.
pub struct RegisteredLicence {
    pub kind: String,
    pub number: String,
    pub region_code: String,
    pub entity_id: EntityId,
    /// The recorded status's key (valid, suspended ...).
    pub status: String,
}

/// Which of these (kind, number) licences are registered anywhere, with their region, holder and status.
pub async fn registered_licences(
    conn: &mut AnyConnection,
    keys: &[(String, String)],
) -> StoreResult<Vec<RegisteredLicence>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(100) {
        let marks: Vec<String> =
            (0..chunk.len()).map(|i| format!("(kind = ${} AND number = ${})", 2 * i + 1, 2 * i + 2)).collect();
        let sql =
            format!("SELECT kind, number, region_code, entity_id, status FROM licences WHERE {}", marks.join(" OR "));
        let mut q = sqlx::query(&sql);
        for (k, n) in chunk {
            q = q.bind(k.as_str()).bind(n.as_str());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push(RegisteredLicence {
                kind: r.try_get("kind")?,
                number: r.try_get("number")?,
                region_code: r.try_get("region_code")?,
                entity_id: parse_db(&r.try_get::<String, _>("entity_id")?)?,
                status: r.try_get("status")?,
            });
        }
    }
    Ok(out)
}

/// A practitioner registered anywhere, as an import meets it (by 身份证号 or
/// by 执业证书编号). The 身份证号 stays in memory only, for comparison.
pub struct RegisteredPractitioner {
    pub id_number: String,
    pub kind: String,
    pub practice_cert_no: Option<String>,
    pub region_code: String,
}

/// Practitioners registered anywhere with one of these 身份证号 or 执业证书编号.
pub async fn registered_practitioners(
    conn: &mut AnyConnection,
    id_numbers: &[String],
    cert_nos: &[String],
) -> StoreResult<Vec<RegisteredPractitioner>> {
    let mut out = Vec::new();
    for (column, values) in [("id_number", id_numbers), ("practice_cert_no", cert_nos)] {
        for chunk in values.chunks(200) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id_number, kind, practice_cert_no, region_code FROM practitioners WHERE {column} IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for v in chunk {
                q = q.bind(v.as_str());
            }
            for r in q.fetch_all(&mut *conn).await? {
                out.push(RegisteredPractitioner {
                    id_number: r.try_get("id_number")?,
                    kind: r.try_get("kind")?,
                    practice_cert_no: r.try_get("practice_cert_no")?,
                    region_code: r.try_get("region_code")?,
                });
            }
        }
    }
    Ok(out)
}

/// An inspector registered anywhere, as an import meets it.
pub struct RegisteredInspector {
    pub cert_no: String,
    pub user_id: Option<String>,
    pub region_code: String,
}

/// Inspectors registered anywhere with one of these 执法证号 or linked to one of these users.
pub async fn registered_inspectors(
    conn: &mut AnyConnection,
    cert_nos: &[String],
    user_ids: &[String],
) -> StoreResult<Vec<RegisteredInspector>> {
    let mut out = Vec::new();
    for (column, values) in [("cert_no", cert_nos), ("user_id", user_ids)] {
        for chunk in values.chunks(200) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT cert_no, user_id, region_code FROM inspectors WHERE {column} IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for v in chunk {
                q = q.bind(v.as_str());
            }
            for r in q.fetch_all(&mut *conn).await? {
                out.push(RegisteredInspector {
                    cert_no: r.try_get("cert_no")?,
                    user_id: r.try_get("user_id")?,
                    region_code: r.try_get("region_code")?,
                });
            }
        }
    }
    Ok(out)
}
