//! The region tree (GB/T 2260). Each row stores its path from the root, so a
//! jurisdiction is one `LIKE 'path%'` away.

use crate::audit::Change;
use crate::{Actor, Store, StoreError, StoreResult};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use weijian_rules::RegionCode;

#[derive(Clone, Debug, Serialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub level: String,
    pub path: String,
}

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Region> {
    Ok(Region {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        parent_code: r.try_get("parent_code")?,
        level: r.try_get("level")?,
        path: r.try_get("path")?,
    })
}

pub async fn get(store: &Store, code: &str) -> StoreResult<Region> {
    let r = sqlx::query("SELECT code, name, parent_code, level, path FROM regions WHERE code = $1")
        .bind(code)
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

pub async fn list_all(store: &Store) -> StoreResult<Vec<Region>> {
    let rows = sqlx::query("SELECT code, name, parent_code, level, path FROM regions ORDER BY code")
        .fetch_all(store.reader())
        .await?;
    rows.iter().map(from_row).collect()
}

/// Adds a region under its parent (regions are reference data: only the system adds them).
pub async fn insert(
    store: &Store,
    actor: &Actor,
    code: &RegionCode,
    name: &str,
    parent: Option<&RegionCode>,
) -> StoreResult<Region> {
    if !actor.is_system() {
        return Err(StoreError::Forbidden("只有系统可以维护行政区划".into()));
    }
    let mut tx = store.begin().await?;
    let parent_path = match parent {
        Some(p) => {
            let row: Option<(String,)> = sqlx::query_as("SELECT path FROM regions WHERE code = $1")
                .bind(p.as_str())
                .fetch_optional(&mut *tx.conn())
                .await?;
            Some(
                row.ok_or(StoreError::Conflict {
                    code: "region.parent_missing",
                    message: format!("上级行政区划{p}不存在"),
                })?
                .0,
            )
        }
        None => None,
    };
    let path = format!("{}{}/", parent_path.as_deref().unwrap_or("/"), code);
    let region = Region {
        code: code.to_string(),
        name: name.to_string(),
        parent_code: parent.map(|p| p.to_string()),
        level: format!("{:?}", code.level()).to_lowercase(),
        path,
    };
    sqlx::query("INSERT INTO regions (code, name, parent_code, level, path) VALUES ($1, $2, $3, $4, $5)")
        .bind(&region.code)
        .bind(&region.name)
        .bind(&region.parent_code)
        .bind(&region.level)
        .bind(&region.path)
        .execute(&mut *tx.conn())
        .await?;
    tx.audit(
        actor,
        Change {
            action: "region.create",
            object_type: "region",
            object_id: region.code.clone(),
            region_code: Some(region.code.clone()),
            summary: format!("新增行政区划 {} {}", region.code, region.name),
            before: None,
            after: Some(json!(region)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(region)
}
