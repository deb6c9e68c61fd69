//! Online backup and restore, the same for both backends: a consistent
//! snapshot of every table (one read transaction) plus the attachment store,
//! in a gzipped tar with a manifest. A backup from SQLite restores into
//! PostgreSQL and back, which is also how a county moves to a province.

use crate::schema::{migrator, EPHEMERAL, TABLES};
use crate::{Backend, Store, StoreError, StoreResult};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Column, Executor, Row, TypeInfo, ValueRef};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "weijian-backup/1";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub source_backend: String,
    pub migrations: Vec<i64>,
    pub tables: BTreeMap<String, u64>,
    pub audit_head_seq: i64,
    pub audit_head_hash: String,
    /// Relative path → SHA-256 of each attachment file.
    pub attachments: BTreeMap<String, String>,
}

fn value_of(row: &AnyRow, i: usize) -> StoreResult<Value> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let kind = raw.type_info().name().to_ascii_uppercase();
    Ok(match kind.as_str() {
        "BIGINT" | "INTEGER" | "SMALLINT" => Value::from(row.try_get::<i64, _>(i)?),
        "DOUBLE" | "REAL" => Value::from(row.try_get::<f64, _>(i)?),
        "BOOLEAN" => Value::from(row.try_get::<bool, _>(i)?),
        "BLOB" => serde_json::json!({ "hex": hex::encode(row.try_get::<Vec<u8>, _>(i)?) }),
        _ => Value::from(row.try_get::<String, _>(i)?),
    })
}

fn files_under(dir: &Path) -> StoreResult<Vec<PathBuf>> {
    let mut out = vec![];
    if !dir.is_dir() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn sha256_file(p: &Path) -> StoreResult<String> {
    let mut f = File::open(p)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Writes a backup to `to` (atomically: a partial file is renamed at the end).
pub async fn backup(store: &Store, attachments_dir: Option<&Path>, to: &Path) -> StoreResult<Manifest> {
    let work = to.with_extension("parts");
    fs::create_dir_all(&work)?;
    let result = backup_into(store, attachments_dir, to, &work).await;
    let _ = fs::remove_dir_all(&work);
    result
}

async fn backup_into(store: &Store, attachments_dir: Option<&Path>, to: &Path, work: &Path) -> StoreResult<Manifest> {
    let migrations = store.applied_migrations().await?;
    // Before a migration (the pre-migration backup) later tables do not exist yet.
    let present = crate::schema::describe(store).await?;
    let mut conn = store.reader().acquire().await?;
    // One read transaction: every table from the same snapshot while writers go on.
    conn.execute("BEGIN").await?;
    if store.backend() == Backend::Postgres {
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
    }
    let mut tables = BTreeMap::new();
    let mut head = (0i64, String::new());
    for (table, order) in TABLES.iter().filter(|(t, _)| !EPHEMERAL.contains(t) && present.contains_key(*t)) {
        let path = work.join(format!("{table}.jsonl"));
        let mut out = BufWriter::new(File::create(&path)?);
        let sql = format!("SELECT * FROM {table} ORDER BY {order}");
        let mut rows = conn.fetch(sql.as_str());
        let mut n = 0u64;
        while let Some(row) = rows.try_next().await? {
            let mut obj = Map::new();
            for (i, col) in row.columns().iter().enumerate() {
                obj.insert(col.name().to_string(), value_of(&row, i)?);
            }
            if *table == "audit_head" {
                head = (
                    obj.get("seq").and_then(Value::as_i64).unwrap_or_default(),
                    obj.get("hash").and_then(Value::as_str).unwrap_or_default().to_string(),
                );
            }
            serde_json::to_writer(&mut out, &obj).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            out.write_all(b"\n")?;
            n += 1;
        }
        drop(rows);
        out.flush()?;
        tables.insert(table.to_string(), n);
    }
    conn.execute("COMMIT").await?;
    drop(conn);

    // Blobs are listed after the snapshot: every blob a backed-up row names is
    // there (blobs are never deleted); newer ones come along as harmless extras.
    // Uploads still in progress (the temporary directory) are left out.
    let mut attachments = BTreeMap::new();
    let files = match attachments_dir {
        Some(dir) => files_under(dir)?
            .into_iter()
            .map(|p| (p.strip_prefix(dir).unwrap().to_path_buf(), p))
            .filter(|(rel, _)| !rel.starts_with(crate::attachments::TEMP_SUBDIR))
            .collect(),
        None => vec![],
    };
    for (rel, p) in &files {
        attachments.insert(rel.to_string_lossy().replace('\\', "/"), sha256_file(p)?);
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: crate::time::to_db(crate::time::now()),
        source_backend: store.backend().name().into(),
        migrations,
        tables,
        audit_head_seq: head.0,
        audit_head_hash: head.1,
        attachments,
    };

    let partial = to.with_extension("partial");
    {
        let gz = flate2::write::GzEncoder::new(File::create(&partial)?, flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        let manifest_json = serde_json::to_vec_pretty(&manifest).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut header = tar::Header::new_gnu();
        header.set_size(manifest_json.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, "manifest.json", manifest_json.as_slice())?;
        for table in manifest.tables.keys() {
            tar.append_path_with_name(work.join(format!("{table}.jsonl")), format!("tables/{table}.jsonl"))?;
        }
        for (rel, p) in &files {
            tar.append_path_with_name(p, Path::new("attachments").join(rel))?;
        }
        tar.into_inner()?.finish()?.sync_all()?;
    }
    fs::rename(&partial, to)?;
    Ok(manifest)
}

/// Restores a backup into an empty database (created and migrated here) and
/// an empty attachment directory.
pub async fn restore(store: &Store, attachments_dir: Option<&Path>, from: &Path) -> StoreResult<Manifest> {
    let work = work_dir()?;
    let result = restore_from(store, attachments_dir, from, &work).await;
    let _ = fs::remove_dir_all(&work);
    result
}

/// A private working directory: concurrent restores (even of equally named files) never share one.
fn work_dir() -> StoreResult<PathBuf> {
    let dir = std::env::temp_dir().join(format!("weijian-restore-{}", uuid::Uuid::now_v7()));
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn restore_from(
    store: &Store,
    attachments_dir: Option<&Path>,
    from: &Path,
    work: &Path,
) -> StoreResult<Manifest> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(File::open(from)?));
    archive.unpack(work)?;
    let manifest: Manifest = serde_json::from_slice(&fs::read(work.join("manifest.json"))?)
        .map_err(|e| StoreError::Corrupt(format!("备份清单无法读取：{e}")))?;
    if manifest.format != FORMAT {
        return Err(StoreError::Corrupt(format!("不支持的备份格式：{}", manifest.format)));
    }
    let known: Vec<i64> = migrator(store.backend()).iter().map(|m| m.version).collect();
    if let Some(v) = manifest.migrations.iter().find(|v| !known.contains(v)) {
        return Err(StoreError::Corrupt(format!("备份来自更新的版本（迁移 {v}），请先升级 weijian")));
    }
    // Bring the schema to the backup's version, load, then apply the rest.
    store.migrate_to(manifest.migrations.iter().max().copied()).await?;
    let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(store.reader()).await?;
    let (events,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_events").fetch_one(store.reader()).await?;
    if users > 0 || events > 0 {
        return Err(StoreError::Conflict {
            code: "restore.target_not_empty",
            message: "目标数据库不是空库，拒绝恢复".into(),
        });
    }
    if let Some(dir) = attachments_dir {
        if !files_under(dir)?.is_empty() {
            return Err(StoreError::Conflict {
                code: "restore.target_not_empty",
                message: "目标附件目录不是空的，拒绝恢复".into(),
            });
        }
    }

    let mut tx = store.writer().begin().await?;
    sqlx::query("DELETE FROM audit_head").execute(&mut *tx).await?;
    for (table, _) in TABLES.iter().filter(|(t, _)| manifest.tables.contains_key(*t)) {
        let file = BufReader::new(File::open(work.join("tables").join(format!("{table}.jsonl")))?);
        for line in file.lines() {
            let obj: Map<String, Value> =
                serde_json::from_str(&line?).map_err(|e| StoreError::Corrupt(format!("{table} 数据无法读取：{e}")))?;
            let cols: Vec<&String> = obj.keys().collect();
            let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                cols.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "),
                placeholders.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for c in &cols {
                q = match &obj[*c] {
                    Value::Null => q.bind(None::<String>),
                    Value::Bool(b) => q.bind(i64::from(*b)),
                    Value::Number(n) if n.is_i64() => q.bind(n.as_i64()),
                    Value::Number(n) => q.bind(n.as_f64()),
                    Value::String(s) => q.bind(s.clone()),
                    Value::Object(o) => q.bind(
                        hex::decode(o.get("hex").and_then(Value::as_str).unwrap_or_default())
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    ),
                    Value::Array(_) => return Err(StoreError::Corrupt(format!("{table}.{c} 的值无法恢复"))),
                };
            }
            q.execute(&mut *tx).await?;
        }
    }
    tx.commit().await?;
    store.migrate().await?;

    if let Some(dir) = attachments_dir {
        for (rel, sha) in &manifest.attachments {
            // A manifest names files inside the attachment directory, nothing else.
            if !Path::new(rel).components().all(|c| matches!(c, std::path::Component::Normal(_))) {
                return Err(StoreError::Corrupt(format!("备份清单中的附件路径无效：{rel}")));
            }
            let src = work.join("attachments").join(rel);
            if sha256_file(&src)? != *sha {
                return Err(StoreError::Corrupt(format!("附件 {rel} 与备份清单的哈希不符")));
            }
            let dst = dir.join(rel);
            if let Some(parent) = dst.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::copy(&src, &dst)?;
        }
    }
    Ok(manifest)
}

/// Row counts of every backed-up table, for comparing a restore with its source.
pub async fn row_counts(store: &Store) -> StoreResult<BTreeMap<String, u64>> {
    let mut out = BTreeMap::new();
    for (table, _) in TABLES.iter().filter(|(t, _)| !EPHEMERAL.contains(t)) {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(store.reader()).await?;
        out.insert(table.to_string(), n as u64);
    }
    Ok(out)
}
