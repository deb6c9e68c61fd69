//! A fresh, migrated database per test, on either backend.
//!
//! PostgreSQL tests use `WEIJIAN_TEST_PG` (a server URL, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`) and create a throwaway
//! database per test. Without it they are skipped locally — but under CI
//! (`CI=true`) a skipped PostgreSQL test is a failure.

use crate::{Backend, DatabaseUrl, Open, Store};
use std::path::PathBuf;

pub struct TestDb {
    pub store: Store,
    pub dir: PathBuf,
    pg_admin: Option<(String, String)>,
}

/// Runs one async test body on both backends.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($db:ident: &TestDb) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($db: &$crate::testing::TestDb) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::TestDb::new($crate::Backend::Sqlite).await.expect("sqlite test db");
                run(&db).await;
                db.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::testing::TestDb::postgres_or_skip().await else { return };
                run(&db).await;
                db.finish().await;
            }
        }
    )*};
}

fn pg_server() -> Option<String> {
    std::env::var("WEIJIAN_TEST_PG").ok().filter(|s| !s.is_empty())
}

impl TestDb {
    pub async fn postgres_or_skip() -> Option<TestDb> {
        if pg_server().is_none() {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("CI=true but WEIJIAN_TEST_PG is not set: PostgreSQL tests must run in CI");
            }
            eprintln!("skipped: set WEIJIAN_TEST_PG to run PostgreSQL tests");
            return None;
        }
        Some(TestDb::new(Backend::Postgres).await.expect("postgres test db"))
    }

    /// A new database on `backend`, migrated.
    pub async fn new(backend: Backend) -> Result<TestDb, crate::StoreError> {
        let dir = std::env::temp_dir().join(format!("weijian-test-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir)?;
        let (url, pg_admin) = Self::fresh_url(backend, &dir).await?;
        let store = Store::open(&url, Open::CreateIfMissing).await?;
        store.migrate().await?;
        Ok(TestDb { store, dir, pg_admin })
    }

    /// Another empty database of the same backend, not migrated (for restores).
    pub async fn sibling(&self) -> Result<TestDb, crate::StoreError> {
        let dir = std::env::temp_dir().join(format!("weijian-test-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir)?;
        let (url, pg_admin) = Self::fresh_url(self.store.backend(), &dir).await?;
        let store = Store::open(&url, Open::CreateIfMissing).await?;
        Ok(TestDb { store, dir, pg_admin })
    }

    async fn fresh_url(
        backend: Backend,
        dir: &std::path::Path,
    ) -> Result<(DatabaseUrl, Option<(String, String)>), crate::StoreError> {
        match backend {
            Backend::Sqlite => Ok((DatabaseUrl::Sqlite(dir.join("weijian.db")), None)),
            Backend::Postgres => {
                let server = pg_server().ok_or_else(|| crate::StoreError::Config("WEIJIAN_TEST_PG 未设置".into()))?;
                let name = format!("wj_test_{}", uuid::Uuid::now_v7().simple());
                sqlx::any::install_default_drivers();
                let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&server).await?;
                sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str()).await?;
                let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
                Ok((DatabaseUrl::Postgres(format!("{base}/{name}")), Some((server, name))))
            }
        }
    }

    pub fn url(&self) -> &DatabaseUrl {
        self.store.url()
    }

    pub async fn finish(self) {
        self.store.close().await;
        if let Some((server, name)) = self.pg_admin {
            if let Ok(mut admin) = <sqlx::AnyConnection as sqlx::Connection>::connect(&server).await {
                let _ = sqlx::Executor::execute(
                    &mut admin,
                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                )
                .await;
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The acting user `username` as a login from a client on the LAN makes it,
/// for tests that call the store or the use cases directly.
pub async fn actor(store: &Store, username: &str) -> crate::Actor {
    let (user, _) = crate::users::credentials(store, username).await.unwrap().expect("a user of that name");
    crate::users::actor_for(store, user.id, Some("10.0.0.1".into()), None).await.unwrap().1
}
