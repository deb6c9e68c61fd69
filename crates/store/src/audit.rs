//! The audit trail (执法全过程记录): one event per state change, written in the
//! same transaction, chained by SHA-256 in a gapless sequence.
//!
//! hash(n) = SHA-256(hash(n-1) ‖ "\n" ‖ canonical(n)), where canonical(n) is the
//! JSON array of the event's fields in a fixed order. The genesis hash is 64 zeros.

use crate::actor::{Actor, Standing};
use crate::ids::EventId;
use crate::jurisdiction::{read_filter, Owner};
use crate::{time, Store, StoreResult, WriteTx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::Row;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a use case says about the change it made.
pub struct Change<'a> {
    /// `area.verb`, e.g. `user.create`.
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: String,
    /// The region that owns the object (drives who may read its history).
    pub region_code: Option<String>,
    /// A short Chinese line for people reading the history.
    pub summary: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// A record whose changes are audited with its whole serialised state as the
/// before/after digests.
pub trait Audited: serde::Serialize {
    const OBJECT_TYPE: &'static str;
    fn object_id(&self) -> String;
    /// The region that owns the record.
    fn owning_region(&self) -> &str;
}

impl<'a> Change<'a> {
    /// The change of one audited record, `before` being its state before the write.
    pub fn of<T: Audited>(action: &'a str, after: &T, summary: String, before: Option<&T>) -> Change<'a> {
        Change {
            action,
            object_type: T::OBJECT_TYPE,
            object_id: after.object_id(),
            region_code: Some(after.owning_region().to_string()),
            summary,
            before: before.map(|b| serde_json::json!(b)),
            after: Some(serde_json::json!(after)),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub unit_id: Option<String>,
    pub region_code: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub summary: String,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// SHA-256 of a value's canonical JSON (object keys sorted).
pub fn digest(v: &Value) -> String {
    hex::encode(Sha256::digest(v.to_string().as_bytes()))
}

impl AuditEvent {
    fn canonical(&self) -> String {
        json!([
            self.seq,
            self.id,
            time::to_db(self.occurred_at),
            self.user_id,
            self.username,
            self.unit_id,
            self.region_code,
            self.ip,
            self.request_id,
            self.action,
            self.object_type,
            self.object_id,
            self.summary,
            self.before_digest,
            self.after_digest,
        ])
        .to_string()
    }

    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.prev_hash.as_bytes());
        h.update(b"\n");
        h.update(self.canonical().as_bytes());
        hex::encode(h.finalize())
    }
}

impl WriteTx {
    /// Appends one event to the chain. Locking the head row serialises writers
    /// on PostgreSQL; on SQLite the single writer connection already does.
    pub async fn audit(&mut self, actor: &Actor, change: Change<'_>) -> StoreResult<()> {
        let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *self.conn())
            .await?;
        let seq: i64 = head.try_get("seq")?;
        let prev_hash: String = head.try_get("hash")?;
        let (user_id, unit_id) = match &actor.standing {
            Standing::System => (None, None),
            Standing::User { user_id, unit_id, .. } => (Some(user_id.to_string()), unit_id.map(|u| u.to_string())),
        };
        let mut ev = AuditEvent {
            seq,
            id: EventId::new().to_string(),
            occurred_at: time::now(),
            user_id,
            username: Some(actor.username().to_string()),
            unit_id,
            region_code: change.region_code,
            ip: actor.ip.clone(),
            request_id: actor.request_id.clone(),
            action: change.action.to_string(),
            object_type: change.object_type.to_string(),
            object_id: change.object_id,
            summary: change.summary,
            before_digest: change.before.as_ref().map(digest),
            after_digest: change.after.as_ref().map(digest),
            prev_hash,
            hash: String::new(),
        };
        ev.hash = ev.compute_hash();
        sqlx::query(
            "INSERT INTO audit_events (seq, id, occurred_at, user_id, username, unit_id, region_code, ip, request_id, \
             action, object_type, object_id, summary, before_digest, after_digest, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(ev.seq)
        .bind(&ev.id)
        .bind(time::to_db(ev.occurred_at))
        .bind(&ev.user_id)
        .bind(&ev.username)
        .bind(&ev.unit_id)
        .bind(&ev.region_code)
        .bind(&ev.ip)
        .bind(&ev.request_id)
        .bind(&ev.action)
        .bind(&ev.object_type)
        .bind(&ev.object_id)
        .bind(&ev.summary)
        .bind(&ev.before_digest)
        .bind(&ev.after_digest)
        .bind(&ev.prev_hash)
        .bind(&ev.hash)
        .execute(&mut *self.conn())
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&ev.hash).execute(&mut *self.conn()).await?;
        self.audited = true;
        Ok(())
    }
}

const EVENT_COLUMNS: &str = "seq, id, occurred_at, user_id, username, unit_id, region_code, ip, request_id, action, \
     object_type, object_id, summary, before_digest, after_digest, prev_hash, hash";

fn event_from_row(r: &sqlx::any::AnyRow) -> StoreResult<AuditEvent> {
    Ok(AuditEvent {
        seq: r.try_get("seq")?,
        id: r.try_get("id")?,
        occurred_at: time::from_db(&r.try_get::<String, _>("occurred_at")?)?,
        user_id: r.try_get("user_id")?,
        username: r.try_get("username")?,
        unit_id: r.try_get("unit_id")?,
        region_code: r.try_get("region_code")?,
        ip: r.try_get("ip")?,
        request_id: r.try_get("request_id")?,
        action: r.try_get("action")?,
        object_type: r.try_get("object_type")?,
        object_id: r.try_get("object_id")?,
        summary: r.try_get("summary")?,
        before_digest: r.try_get("before_digest")?,
        after_digest: r.try_get("after_digest")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// The first place where the chain does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    /// The sequence number where the break was found.
    pub seq: i64,
    pub message: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChainReport {
    pub events: i64,
    pub head_seq: i64,
    pub head_hash: String,
    pub first_break: Option<ChainBreak>,
}

pub async fn chain_head(store: &Store) -> StoreResult<(i64, String)> {
    let r = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(store.reader()).await?;
    Ok((r.try_get("seq")?, r.try_get("hash")?))
}

/// Walks the whole chain in pages and reports the first event that was altered,
/// removed or inserted.
pub async fn verify_chain(store: &Store) -> StoreResult<ChainReport> {
    let (head_seq, head_hash) = chain_head(store).await?;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    let mut count = 0i64;
    let brk = |seq: i64, message: String| Some(ChainBreak { seq, message });
    let mut first_break = None;
    'pages: loop {
        let rows =
            sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT 5000"))
                .bind(expected_seq)
                .fetch_all(store.reader())
                .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let ev = event_from_row(r)?;
            count += 1;
            if ev.seq != expected_seq {
                first_break = brk(expected_seq, format!("第 {expected_seq} 条审计事件缺失（已被删除）"));
                break 'pages;
            }
            if ev.prev_hash != prev {
                first_break =
                    brk(ev.seq, format!("第 {} 条审计事件的前序哈希与上一条不符（有事件被删除或插入）", ev.seq));
                break 'pages;
            }
            if ev.compute_hash() != ev.hash {
                first_break = brk(ev.seq, format!("第 {} 条审计事件的内容与其哈希不符（已被篡改）", ev.seq));
                break 'pages;
            }
            prev = ev.hash;
            expected_seq += 1;
        }
    }
    if first_break.is_none() {
        let last = expected_seq - 1;
        if last > head_seq {
            first_break = brk(head_seq + 1, format!("第 {} 条起的审计事件不在链头记录内（被插入）", head_seq + 1));
        } else if last < head_seq {
            first_break = brk(last + 1, format!("第 {} 条起的审计事件缺失（已被删除）", last + 1));
        } else if prev != head_hash {
            first_break = brk(last, format!("第 {last} 条审计事件与链头哈希不符"));
        }
    }
    Ok(ChainReport { events: count, head_seq, head_hash, first_break })
}

/// An object's history, limited to what the actor's jurisdiction covers.
pub async fn history(store: &Store, actor: &Actor, object_type: &str, object_id: &str) -> StoreResult<Vec<AuditEvent>> {
    let f = read_filter(actor, Owner { region: "region_code", entity: None }, 3);
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM audit_events WHERE object_type = $1 AND object_id = $2 AND {} ORDER BY seq",
        f.sql
    );
    let q = f.bind(sqlx::query(&sql).bind(object_type).bind(object_id));
    let rows = q.fetch_all(store.reader()).await?;
    rows.iter().map(event_from_row).collect()
}

/// The merged history of several objects (an entity and its licences, say), in
/// chain order, limited to what the actor's jurisdiction covers.
pub async fn history_of(store: &Store, actor: &Actor, objects: &[(&str, String)]) -> StoreResult<Vec<AuditEvent>> {
    if objects.is_empty() {
        return Ok(Vec::new());
    }
    let mut c = crate::page::Conditions::default();
    c.push_filter(read_filter(actor, Owner { region: "region_code", entity: None }, 1));
    let mut any = Vec::new();
    let mut binds = Vec::new();
    for (object_type, object_id) in objects {
        any.push("(object_type = ? AND object_id = ?)");
        binds.push(object_type.to_string());
        binds.push(object_id.clone());
    }
    c.push(&format!("({})", any.join(" OR ")), binds);
    let sql = format!("SELECT {EVENT_COLUMNS} FROM audit_events WHERE {} ORDER BY seq", c.sql());
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    rows.iter().map(event_from_row).collect()
}

/// Used by tests and the CLI to find an event's position.
pub async fn count_events(store: &Store) -> StoreResult<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_events").fetch_one(store.reader()).await?;
    Ok(n)
}
