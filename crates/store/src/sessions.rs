//! Browser sessions. Only a hash of the session id is stored, so a database
//! leak does not hand out live sessions.

use crate::ids::{parse_db, UserId};
use crate::{time, Store, StoreResult, WriteTx};
use chrono::{DateTime, Utc};
use sqlx::Row;

#[derive(Clone, Debug)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
}

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: UserId,
    pub csrf_token: &'a str,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub async fn insert(tx: &mut WriteTx, s: NewSession<'_>) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
    )
    .bind(s.id_hash)
    .bind(s.user_id.to_string())
    .bind(s.csrf_token)
    .bind(time::to_db(s.now))
    .bind(time::to_db(s.expires_at))
    .bind(s.ip)
    .bind(s.user_agent)
    .execute(&mut *tx.conn())
    .await?;
    Ok(())
}

pub async fn find(store: &Store, id_hash: &str) -> StoreResult<Option<SessionRow>> {
    let Some(r) = sqlx::query(
        "SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, revoked_at FROM sessions WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(store.reader())
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(SessionRow {
        id_hash: r.try_get("id_hash")?,
        user_id: parse_db(&r.try_get::<String, _>("user_id")?)?,
        csrf_token: r.try_get("csrf_token")?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        last_seen_at: time::from_db(&r.try_get::<String, _>("last_seen_at")?)?,
        expires_at: time::from_db(&r.try_get::<String, _>("expires_at")?)?,
        revoked: r.try_get::<Option<String>, _>("revoked_at")?.is_some(),
    }))
}

/// Bookkeeping: moves the idle clock. Not a state change of anything supervised.
pub async fn touch(store: &Store, id_hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(time::to_db(now))
        .bind(id_hash)
        .execute(store.writer())
        .await?;
    Ok(())
}

pub async fn revoke(tx: &mut WriteTx, id_hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id_hash = $2 AND revoked_at IS NULL")
        .bind(time::to_db(now))
        .bind(id_hash)
        .execute(&mut *tx.conn())
        .await?;
    Ok(())
}

/// Bookkeeping: drops sessions that can no longer be used.
pub async fn purge_expired(store: &Store, now: DateTime<Utc>) -> StoreResult<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(time::to_db(now))
        .execute(store.writer())
        .await?;
    Ok(r.rows_affected())
}
