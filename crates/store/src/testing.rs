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

/// A region code the test spells out (a bad one is a bug in the test).
pub fn rc(code: &str) -> weijian_rules::RegionCode {
    weijian_rules::RegionCode::parse(code).unwrap()
}

/// 河北省 → 衡水市 → 枣强县 and 海南省 → 海口市: two provinces, for jurisdiction tests.
pub const TWO_PROVINCES: &[(&str, &str, Option<&str>)] = &[
    ("130000", "河北省", None),
    ("131100", "衡水市", Some("130000")),
    ("131127", "枣强县", Some("131100")),
    ("460000", "海南省", None),
    ("460100", "海口市", Some("460000")),
];

/// Inserts `(code, name, parent)` regions, parents first, as the system.
pub async fn regions(store: &Store, list: &[(&str, &str, Option<&str>)]) {
    for (code, name, parent) in list {
        let parent = parent.map(rc);
        crate::regions::insert(store, &crate::Actor::system(), &rc(code), name, parent.as_ref()).await.unwrap();
    }
}

/// A unit created by the system.
pub async fn unit(
    store: &Store,
    region: &str,
    name: &str,
    kind: crate::units::UnitKind,
    parent: Option<crate::ids::UnitId>,
) -> crate::units::Unit {
    let new =
        crate::units::NewUnit { region_code: region, name, kind, parent_unit_id: parent, phone: None, address: None };
    crate::units::create(store, &crate::Actor::system(), new).await.unwrap()
}

/// A user (of a unit, an entity or neither) that cannot log in, and its actor.
pub async fn user(
    store: &Store,
    username: &str,
    role: crate::Role,
    region: &str,
    unit: Option<&crate::units::Unit>,
    entity: Option<crate::ids::EntityId>,
) -> (crate::users::User, crate::Actor) {
    let new = crate::users::NewUser {
        username,
        name: username,
        role,
        region_code: region,
        unit_id: unit.map(|u| u.id),
        section_id: None,
        entity_id: entity,
        phone: None,
        password_hash: "x",
        must_change_password: false,
    };
    let u = crate::users::create(store, &crate::Actor::system(), new).await.unwrap();
    crate::users::actor_for(store, u.id, None, None).await.unwrap()
}

/// A member of `unit`'s staff, and its actor.
pub async fn user_in(
    store: &Store,
    username: &str,
    role: crate::Role,
    unit: &crate::units::Unit,
) -> (crate::users::User, crate::Actor) {
    user(store, username, role, &unit.region_code, Some(unit), None).await
}

/// A CSV file (quoted cells, CRLF lines) as a registry export or a person writes it.
pub fn csv(rows: &[&[&str]]) -> Vec<u8> {
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// A valid 统一社会信用代码 for a serial number and a region.
pub fn uscc(n: u32, region: &str) -> String {
    use weijian_rules::ids::{org_code_check_char, uscc_check_char};
    let org8 = format!("{n:08}");
    let org = format!("{org8}{}", org_code_check_char(&org8).unwrap());
    let first17 = format!("91{region}{org}");
    format!("{first17}{}", uscc_check_char(&first17).unwrap())
}

/// The rows of `table` (a name the test spells out, never input).
pub async fn count(store: &Store, table: &str) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(store.reader()).await.unwrap();
    n
}
