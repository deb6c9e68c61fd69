//! Migrations (one set per backend, kept in step by the schema-parity test),
//! the list of tables, and catalog introspection.

use crate::{Backend, Store, StoreError, StoreResult};
use sqlx::migrate::{Migrate, MigrateError, Migrator};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// Every table, in an order where each row's references come before it,
/// with the column that gives its rows a stable order.
pub const TABLES: &[(&str, &str)] = &[
    ("regions", "code"),
    ("units", "id"),
    ("sections", "id"),
    ("entities", "id"),
    ("entity_search", "entity_id"),
    ("users", "id"),
    ("user_roles", "user_id, role"),
    ("licences", "id"),
    ("licence_changes", "id"),
    ("practitioners", "id"),
    ("practice_sites", "id"),
    ("inspectors", "id"),
    ("duty_lists", "id"),
    ("inspection_item_lists", "id"),
    ("random_plans", "id"),
    ("inspection_campaigns", "id"),
    ("inspector_conflicts", "id"),
    ("inspection_tasks", "id"),
    ("task_substitutions", "id"),
    ("inspections", "id"),
    ("inspection_specialties", "inspection_id, specialty"),
    ("rectifications", "id"),
    ("case_leads", "id"),
    ("self_inspection_campaigns", "id"),
    ("self_inspection_obligations", "campaign_id, entity_id"),
    ("self_inspection_reports", "id"),
    ("import_jobs", "id"),
    ("attachments", "id"),
    ("document_issuers", "unit_id"),
    ("document_number_series", "unit_id, kind, year"),
    ("document_numbers", "id"),
    ("sessions", "id_hash"),
    ("api_tokens", "id"),
    ("login_failures", "id"),
    ("calendar_years", "year"),
    ("audit_events", "seq"),
    ("audit_head", "id"),
];

/// Tables a backup leaves out: live sign-in state that must not come back.
pub const EPHEMERAL: &[&str] = &["sessions", "login_failures"];

pub fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    }
}

impl Store {
    /// Versions already applied.
    pub async fn applied_migrations(&self) -> StoreResult<Vec<i64>> {
        let mut conn = self.writer().acquire().await?;
        conn.ensure_migrations_table().await.map_err(|e| StoreError::Migrate(e.to_string()))?;
        let applied = conn.list_applied_migrations().await.map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(applied.into_iter().map(|m| m.version).collect())
    }

    /// `(version, description)` of migrations not yet applied.
    pub async fn pending_migrations(&self) -> StoreResult<Vec<(i64, String)>> {
        let applied = self.applied_migrations().await?;
        Ok(migrator(self.backend())
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .map(|m| (m.version, m.description.to_string()))
            .collect())
    }

    /// Applies pending migrations up to `up_to` (all when None). A failure names
    /// the migration and carries the database's own message.
    pub async fn migrate_to(&self, up_to: Option<i64>) -> StoreResult<()> {
        let all = migrator(self.backend());
        let subset = Migrator {
            migrations: all.iter().filter(|m| up_to.is_none_or(|v| m.version <= v)).cloned().collect::<Vec<_>>().into(),
            ..Migrator::DEFAULT
        };
        subset.run(self.writer()).await.map_err(|e| match e {
            MigrateError::ExecuteMigration(err, version) => {
                let name =
                    all.iter().find(|m| m.version == version).map(|m| m.description.to_string()).unwrap_or_default();
                StoreError::Migrate(format!("迁移 {version}_{name} 执行失败：{err}"))
            }
            other => StoreError::Migrate(other.to_string()),
        })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        self.migrate_to(None).await
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// Normalised across backends: `int`, `text`, `real`, `blob`.
    pub kind: String,
    pub nullable: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Index {
    pub name: String,
    pub columns: String,
    pub unique: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableInfo {
    pub columns: Vec<Column>,
    pub indexes: BTreeSet<Index>,
}

fn normalise(t: &str) -> String {
    match t.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "int8" => "int".into(),
        "text" => "text".into(),
        "real" | "double precision" => "real".into(),
        "blob" | "bytea" => "blob".into(),
        other => other.into(),
    }
}

/// Tables, columns, nullability and indexes (primary keys aside) as the catalog has them.
pub async fn describe(store: &Store) -> StoreResult<BTreeMap<String, TableInfo>> {
    let pool = store.reader();
    let mut out = BTreeMap::new();
    match store.backend() {
        Backend::Sqlite => {
            let tables: Vec<(String,)> = sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await?;
            for (t,) in tables {
                let mut info = TableInfo::default();
                for r in sqlx::query("SELECT name, type, \"notnull\" AS nn FROM pragma_table_info($1) ORDER BY cid")
                    .bind(&t)
                    .fetch_all(pool)
                    .await?
                {
                    info.columns.push(Column {
                        name: r.try_get("name")?,
                        kind: normalise(&r.try_get::<String, _>("type")?),
                        nullable: r.try_get::<i64, _>("nn")? == 0,
                    });
                }
                let idx: Vec<(String, i64)> =
                    sqlx::query_as("SELECT name, \"unique\" FROM pragma_index_list($1) WHERE origin = 'c'")
                        .bind(&t)
                        .fetch_all(pool)
                        .await?;
                for (name, unique) in idx {
                    let cols: Vec<(String,)> = sqlx::query_as("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                        .bind(&name)
                        .fetch_all(pool)
                        .await?;
                    let columns = cols.into_iter().map(|c| c.0).collect::<Vec<_>>().join(",");
                    info.indexes.insert(Index { name, columns, unique: unique != 0 });
                }
                out.insert(t, info);
            }
        }
        Backend::Postgres => {
            let tables: Vec<(String,)> = sqlx::query_as(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await?;
            for (t,) in tables {
                let mut info = TableInfo::default();
                for r in sqlx::query(
                    "SELECT column_name::text AS name, data_type::text AS type, is_nullable::text AS nullable \
                     FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 \
                     ORDER BY ordinal_position",
                )
                .bind(&t)
                .fetch_all(pool)
                .await?
                {
                    info.columns.push(Column {
                        name: r.try_get("name")?,
                        kind: normalise(&r.try_get::<String, _>("type")?),
                        nullable: r.try_get::<String, _>("nullable")? == "YES",
                    });
                }
                let idx: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT i.relname::text, string_agg(a.attname::text, ',' ORDER BY k.n), MAX(ix.indisunique::int)::int8 \
                     FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid \
                     JOIN pg_namespace s ON s.oid = t.relnamespace \
                     JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) ON true \
                     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                     WHERE t.relname = $1 AND s.nspname = current_schema() AND NOT ix.indisprimary \
                     GROUP BY i.relname",
                )
                .bind(&t)
                .fetch_all(pool)
                .await?;
                for (name, columns, unique) in idx {
                    info.indexes.insert(Index { name, columns, unique: unique != 0 });
                }
                out.insert(t, info);
            }
        }
    }
    Ok(out)
}
