//! API tokens for integrations. Stored as SHA-256 hashes; they carry the rights
//! of the user they belong to.

use crate::ids::{parse_db, TokenId, UserId};
use crate::{time, Store, StoreResult, WriteTx};
use sqlx::Row;

pub async fn insert(tx: &mut WriteTx, id: TokenId, user_id: UserId, token_hash: &str, name: &str) -> StoreResult<()> {
    sqlx::query("INSERT INTO api_tokens (id, user_id, token_hash, name, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.to_string())
        .bind(user_id.to_string())
        .bind(token_hash)
        .bind(name)
        .bind(time::to_db(time::now()))
        .execute(&mut *tx.conn())
        .await?;
    Ok(())
}

/// The user a live (not revoked) token belongs to.
pub async fn user_for(store: &Store, token_hash: &str) -> StoreResult<Option<(TokenId, UserId)>> {
    let r = sqlx::query("SELECT id, user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
        .bind(token_hash)
        .fetch_optional(store.reader())
        .await?;
    match r {
        None => Ok(None),
        Some(r) => {
            Ok(Some((parse_db(&r.try_get::<String, _>("id")?)?, parse_db(&r.try_get::<String, _>("user_id")?)?)))
        }
    }
}

/// Bookkeeping: when the token was last used.
pub async fn touch(store: &Store, id: TokenId) -> StoreResult<()> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(time::to_db(time::now()))
        .bind(id.to_string())
        .execute(store.writer())
        .await?;
    Ok(())
}
