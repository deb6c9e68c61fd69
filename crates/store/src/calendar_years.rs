//! Years of the working-day calendar imported after the release. The data is
//! the validated `YearData` as JSON; the rules crate stays free of storage.

use crate::audit::Change;
use crate::{time, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use weijian_rules::calendar::YearData;

#[derive(Clone, Debug, Serialize)]
pub struct StoredYear {
    pub data: YearData,
    pub imported_by: Option<String>,
    pub imported_at: DateTime<Utc>,
}

pub async fn list(store: &Store) -> StoreResult<Vec<StoredYear>> {
    let rows = sqlx::query("SELECT data, imported_by, imported_at FROM calendar_years ORDER BY year")
        .fetch_all(store.reader())
        .await?;
    rows.iter()
        .map(|r| {
            let data: String = r.try_get("data")?;
            Ok(StoredYear {
                data: serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("无效的节假日数据：{e}")))?,
                imported_by: r.try_get("imported_by")?,
                imported_at: time::from_db(&r.try_get::<String, _>("imported_at")?)?,
            })
        })
        .collect()
}

/// Stores (or replaces) validated years, one audit event each, in one transaction.
/// Who may do it is the domain's decision; the year data must already be validated.
pub async fn save(store: &Store, actor: &Actor, years: &[YearData]) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let now = time::to_db(time::now());
    for y in years {
        let before: Option<(String,)> = sqlx::query_as("SELECT data FROM calendar_years WHERE year = $1")
            .bind(i64::from(y.year))
            .fetch_optional(&mut *tx.conn())
            .await?;
        let data = serde_json::to_string(y).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if before.is_some() {
            sqlx::query(
                "UPDATE calendar_years SET notice = $2, url = $3, data = $4, imported_by = $5, imported_at = $6 \
                 WHERE year = $1",
            )
        } else {
            sqlx::query(
                "INSERT INTO calendar_years (year, notice, url, data, imported_by, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
        }
        .bind(i64::from(y.year))
        .bind(&y.notice)
        .bind(&y.url)
        .bind(&data)
        .bind(actor.user_id().map(|u| u.to_string()))
        .bind(&now)
        .execute(&mut *tx.conn())
        .await?;
        let verb = if before.is_some() { "替换" } else { "导入" };
        tx.audit(
            actor,
            Change {
                action: if before.is_some() { "calendar.replace_year" } else { "calendar.import_year" },
                object_type: "calendar_year",
                object_id: y.year.to_string(),
                region_code: None,
                summary: format!("{verb}{}年节假日安排（{}）", y.year, y.notice),
                before: before.and_then(|(b,)| serde_json::from_str(&b).ok()),
                after: Some(json!(y)),
            },
        )
        .await?;
    }
    tx.commit().await
}
