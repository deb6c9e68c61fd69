//! One store for SQLite and PostgreSQL. The server compiles once: both backends
//! go through sqlx's `Any` driver, with `$n` placeholders and portable column
//! types (TEXT, 64-bit INTEGER/BIGINT), so every query is the same text on both.

pub mod actor;
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod calendar_years;
pub mod case_leads;
mod columns;
pub mod coverage;
pub mod documents;
pub mod duty_lists;
pub mod entities;
mod error;
pub mod ids;
pub mod imports;
pub mod inspection_campaigns;
pub mod inspection_items;
pub mod inspection_tasks;
pub mod inspections;
pub mod inspector_conflicts;
pub mod inspectors;
pub mod jurisdiction;
pub mod licences;
pub mod lifecycle;
pub mod login_failures;
pub mod page;
pub mod practitioners;
pub mod random_plans;
pub mod rectifications;
pub mod regions;
pub mod schema;
pub mod self_inspections;
pub mod sessions;
pub mod task_substitutions;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;
pub mod tokens;
mod tx;
pub mod units;
pub mod users;
pub mod versioned;

pub use actor::{Actor, Role};
pub use error::{StoreError, StoreResult};
pub use tx::WriteTx;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A database URL that was understood. Unknown schemes are refused here, so no
/// typo can ever lead to a silently created empty database somewhere else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(StoreError::Config(format!("数据库地址缺少文件路径：{url}")));
            }
            Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(url.to_string()))
        } else {
            Err(StoreError::Config(format!("不支持的数据库地址“{url}”：应以 sqlite:// 或 postgres:// 开头")))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            DatabaseUrl::Sqlite(p) => Some(p),
            DatabaseUrl::Postgres(_) => None,
        }
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            // Never print a password.
            DatabaseUrl::Postgres(u) => match (u.find("://"), u.rfind('@')) {
                (Some(s), Some(at)) if at > s => write!(f, "{}://***{}", &u[..s], &u[at..]),
                _ => f.write_str(u),
            },
        }
    }
}

/// Whether opening may create a missing SQLite file. Only `migrate` and `demo`
/// create; everything else refuses a database that is not there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Open {
    Existing,
    CreateIfMissing,
}

#[derive(Clone)]
pub struct Store {
    /// SQLite: exactly one connection, so writers never race for the lock.
    write: AnyPool,
    read: AnyPool,
    backend: Backend,
    url: DatabaseUrl,
}

impl Store {
    pub async fn open(url: &DatabaseUrl, mode: Open) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    if !parent.is_dir() {
                        return Err(StoreError::Config(format!("数据库目录不存在：{}", parent.display())));
                    }
                }
                if mode == Open::Existing && !path.is_file() {
                    return Err(StoreError::Config(format!(
                        "数据库文件不存在：{}（先运行 weijian migrate 创建）",
                        path.display()
                    )));
                }
                let conn_url = format!("sqlite://{}?mode=rwc", path.display());
                let opts = AnyConnectOptions::from_str(&conn_url)?.disable_statement_logging();
                let write = AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(sqlite_session_setup)
                    .connect_with(opts.clone())
                    .await?;
                write.execute("PRAGMA journal_mode = WAL").await?;
                let read = AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(sqlite_session_setup)
                    .connect_with(opts)
                    .await?;
                let store = Store { write, read, backend: Backend::Sqlite, url: url.clone() };
                let ok: (String,) = sqlx::query_as("PRAGMA quick_check").fetch_one(&store.read).await?;
                if ok.0 != "ok" {
                    return Err(StoreError::Config(format!("SQLite 数据库完整性检查失败：{}", ok.0)));
                }
                Ok(store)
            }
            DatabaseUrl::Postgres(u) => {
                let opts = AnyConnectOptions::from_str(u)?.disable_statement_logging();
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // Below the HTTP timeout, so a slow query fails before the request does.
                            conn.execute("SET statement_timeout = '25s'; SET TIME ZONE 'UTC';").await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?;
                Ok(Store { write: pool.clone(), read: pool, backend: Backend::Postgres, url: url.clone() })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The pool for reads that need no transaction.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Bookkeeping writes that change no supervised state (session touch, login
    /// failures) go here; everything else goes through [`Store::begin`].
    pub(crate) fn writer(&self) -> &AnyPool {
        &self.write
    }

    pub async fn begin(&self) -> StoreResult<WriteTx> {
        WriteTx::begin(&self.write).await
    }

    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    pub fn pool_stats(&self) -> Vec<(&'static str, u32, usize)> {
        let mut out = vec![("write", self.write.size(), self.write.num_idle())];
        if self.backend == Backend::Sqlite {
            out.push(("read", self.read.size(), self.read.num_idle()));
        }
        out
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

fn sqlite_session_setup(
    conn: &mut sqlx::AnyConnection,
    _meta: sqlx::pool::PoolConnectionMetadata,
) -> BoxFuture<'_, Result<(), sqlx::Error>> {
    Box::pin(async move {
        // A page cache of 32 MiB (SQLite's default is 2 MiB): a province's draw
        // writes tens of thousands of tasks and reads hundreds of thousands of entities.
        conn.execute(
            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
             PRAGMA cache_size = -32768;",
        )
        .await?;
        Ok(())
    })
}
