//! Failed sign-ins, counted per account and per IP for throttling.

use crate::ids::EventId;
use crate::{time, Store, StoreResult};
use chrono::{DateTime, Utc};

pub async fn record(store: &Store, username: &str, ip: &str) -> StoreResult<()> {
    sqlx::query("INSERT INTO login_failures (id, username, ip, occurred_at) VALUES ($1, $2, $3, $4)")
        .bind(EventId::new().to_string())
        .bind(username)
        .bind(ip)
        .bind(time::to_db(time::now()))
        .execute(store.writer())
        .await?;
    Ok(())
}

/// Failures since `since`: (for this account, from this IP).
pub async fn count_since(store: &Store, username: &str, ip: &str, since: DateTime<Utc>) -> StoreResult<(i64, i64)> {
    let since = time::to_db(since);
    let (by_user,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE username = $1 AND occurred_at >= $2")
            .bind(username)
            .bind(&since)
            .fetch_one(store.reader())
            .await?;
    let (by_ip,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE ip = $1 AND occurred_at >= $2")
        .bind(ip)
        .bind(&since)
        .fetch_one(store.reader())
        .await?;
    Ok((by_user, by_ip))
}

/// A successful sign-in clears the account's failures (not the IP's).
pub async fn clear_user(store: &Store, username: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1").bind(username).execute(store.writer()).await?;
    Ok(())
}
