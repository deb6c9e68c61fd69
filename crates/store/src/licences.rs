//! Licences (许可证) of supervised entities, with their full change history
//! (licence_changes keeps before and after; the audit chain only digests).
//! Status on a day is read off the record and the dates by the rules crate;
//! the stored `renew_from` lets lists filter "expiring" with an index.

use crate::audit::{Audited, Change};
use crate::entities;
use crate::ids::{parse_db, EntityId, LicenceId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::page::{self, Conditions, Cursor, Page};
use crate::{time, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::{AnyConnection, Row};
use weijian_rules::registry::{LicenceRecord, LicenceStatus, Registry};

/// What a user sets on a licence; dates derived from the rules come filled in.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LicenceData {
    pub entity_id: EntityId,
    pub kind: String,
    pub number: String,
    pub scope: Option<String>,
    pub issued_by: Option<String>,
    pub issued_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub last_verified_on: Option<NaiveDate>,
    pub next_verification_due: Option<NaiveDate>,
    pub record: LicenceRecord,
}

#[derive(Clone, Debug, Serialize)]
pub struct Licence {
    pub id: LicenceId,
    #[serde(flatten)]
    pub data: LicenceData,
    pub region_code: String,
    pub entity_name: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Licence {
    pub fn status_on(&self, day: NaiveDate) -> LicenceStatus {
        match Registry::official().licence_kind(&self.data.kind) {
            Some(k) => k.status_on(self.data.record, self.data.valid_until, day),
            // A kind no longer in the vocabulary: judge by the dates alone.
            None => match (self.data.record, self.data.valid_until) {
                (LicenceRecord::Valid, Some(u)) if day > u => LicenceStatus::Expired,
                (LicenceRecord::Valid, _) => LicenceStatus::Valid,
                (LicenceRecord::Suspended, _) => LicenceStatus::Suspended,
                (LicenceRecord::Revoked, _) => LicenceStatus::Revoked,
                (LicenceRecord::Cancelled, _) => LicenceStatus::Cancelled,
            },
        }
    }
}

/// One entry of a licence's history.
#[derive(Clone, Debug, Serialize)]
pub struct LicenceChange {
    pub changed_at: DateTime<Utc>,
    pub changed_by: String,
    pub action: String,
    pub reason: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: serde_json::Value,
}

const OWNER: Owner = Owner { region: "l.region_code", entity: Some("l.entity_id") };
const COLUMNS: &str = "l.id, l.entity_id, l.region_code, l.kind, l.number, l.scope, l.issued_by, l.issued_on, \
     l.valid_until, l.last_verified_on, l.next_verification_due, l.status, l.version, l.created_at, l.updated_at, \
     e.name AS entity_name";
const FROM: &str = "licences l JOIN entities e ON e.id = l.entity_id";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Licence> {
    let status: String = r.try_get("status")?;
    Ok(Licence {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        data: LicenceData {
            entity_id: parse_db(&r.try_get::<String, _>("entity_id")?)?,
            kind: r.try_get("kind")?,
            number: r.try_get("number")?,
            scope: r.try_get("scope")?,
            issued_by: r.try_get("issued_by")?,
            issued_on: time::date_column(r, "issued_on")?
                .ok_or_else(|| StoreError::Corrupt("许可证缺少发证日期".into()))?,
            valid_until: time::date_column(r, "valid_until")?,
            last_verified_on: time::date_column(r, "last_verified_on")?,
            next_verification_due: time::date_column(r, "next_verification_due")?,
            record: LicenceRecord::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("无效的许可证状态：{status}")))?,
        },
        region_code: r.try_get("region_code")?,
        entity_name: r.try_get("entity_name")?,
        version: r.try_get("version")?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_db(&r.try_get::<String, _>("updated_at")?)?,
    })
}

fn renew_from(d: &LicenceData) -> Option<String> {
    let lead = Registry::official().licence_kind(&d.kind).map(|k| k.renew_before_days).unwrap_or(30);
    d.valid_until.and_then(|u| u.checked_sub_days(chrono::Days::new(u64::from(lead)))).map(|x| x.to_string())
}

fn duplicate(e: sqlx::Error, d: &LicenceData) -> StoreError {
    StoreError::from(e).on_unique("licence.duplicate_number", || format!("许可证编号 {} 已登记", d.number))
}

pub async fn create(store: &Store, actor: &Actor, data: &LicenceData) -> StoreResult<Licence> {
    let entity = entities::get(store, actor, data.entity_id).await?;
    let mut tx = store.begin().await?;
    let l = insert(tx.conn(), actor, &entity, data).await?;
    tx.audit(
        actor,
        Change::of("licence.create", &l, format!("登记许可证 {}（{}）", l.data.number, l.entity_name), None),
    )
    .await?;
    tx.commit().await?;
    Ok(l)
}

/// The insert with its history row, for callers batching writes (imports).
/// `entity` must have been read in the actor's scope.
pub async fn insert(
    conn: &mut AnyConnection,
    actor: &Actor,
    entity: &entities::Entity,
    data: &LicenceData,
) -> StoreResult<Licence> {
    let l = insert_without_search(conn, actor, entity, data).await?;
    entities::refresh_search(conn, data.entity_id).await?;
    Ok(l)
}

/// The insert for bulk generators that put the number in the entity's search
/// column themselves (`entities::insert_with_numbers`).
pub async fn insert_without_search(
    conn: &mut AnyConnection,
    actor: &Actor,
    entity: &entities::Entity,
    data: &LicenceData,
) -> StoreResult<Licence> {
    authorize_write(conn, actor, WriteTarget { region_code: &entity.data.region_code, entity_id: Some(entity.id) })
        .await?;
    let now = time::now();
    let l = Licence {
        id: LicenceId::new(),
        data: data.clone(),
        region_code: entity.data.region_code.clone(),
        entity_name: entity.data.name.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO licences (id, entity_id, region_code, kind, number, scope, issued_by, issued_on, valid_until, \
         last_verified_on, next_verification_due, renew_from, status, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(l.id.to_string())
    .bind(data.entity_id.to_string())
    .bind(&l.region_code)
    .bind(&data.kind)
    .bind(&data.number)
    .bind(&data.scope)
    .bind(&data.issued_by)
    .bind(data.issued_on.to_string())
    .bind(data.valid_until.map(|d| d.to_string()))
    .bind(data.last_verified_on.map(|d| d.to_string()))
    .bind(data.next_verification_due.map(|d| d.to_string()))
    .bind(renew_from(data))
    .bind(data.record.key())
    .bind(l.version)
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .execute(&mut *conn)
    .await
    .map_err(|e| duplicate(e, data))?;
    record_change(conn, actor, &l, "create", None, None).await?;
    Ok(l)
}

async fn record_change(
    conn: &mut AnyConnection,
    actor: &Actor,
    l: &Licence,
    action: &str,
    reason: Option<&str>,
    before: Option<&Licence>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO licence_changes (id, licence_id, region_code, changed_at, changed_by, action, reason, \
         before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(l.id.to_string())
    .bind(&l.region_code)
    .bind(time::to_db(l.updated_at))
    .bind(actor.username())
    .bind(action)
    .bind(reason)
    .bind(before.map(|b| json!(b.data).to_string()))
    .bind(json!(l.data).to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces a licence's data (a change, a 校验, a suspension, a revocation ...),
/// keeping the full before/after in its history with the reason given.
pub async fn update(
    store: &Store,
    actor: &Actor,
    id: LicenceId,
    expected_version: Option<i64>,
    data: &LicenceData,
    reason: Option<&str>,
) -> StoreResult<Licence> {
    let before = get(store, actor, id).await?;
    if data.entity_id != before.data.entity_id {
        return Err(StoreError::Conflict {
            code: "licence.holder_fixed", message: "许可证的持证单位不能更改".into()
        });
    }
    let mut tx = store.begin().await?;
    let after = replace(tx.conn(), actor, &before, expected_version, data, reason).await?;
    tx.audit(
        actor,
        Change::of(
            "licence.update",
            &after,
            match reason {
                Some(r) => format!("变更许可证 {}（{}）；原因：{r}", after.data.number, after.entity_name),
                None => format!("变更许可证 {}（{}）", after.data.number, after.entity_name),
            },
            Some(&before),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The update with its history row, for batching callers.
pub async fn replace(
    conn: &mut AnyConnection,
    actor: &Actor,
    before: &Licence,
    expected_version: Option<i64>,
    data: &LicenceData,
    reason: Option<&str>,
) -> StoreResult<Licence> {
    authorize_write(
        conn,
        actor,
        WriteTarget { region_code: &before.region_code, entity_id: Some(before.data.entity_id) },
    )
    .await?;
    let version = expected_version.unwrap_or(before.version);
    let now = time::now();
    let done = sqlx::query(
        "UPDATE licences SET kind = $1, number = $2, scope = $3, issued_by = $4, issued_on = $5, valid_until = $6, \
         last_verified_on = $7, next_verification_due = $8, renew_from = $9, status = $10, version = version + 1, \
         updated_at = $11 WHERE id = $12 AND version = $13",
    )
    .bind(&data.kind)
    .bind(&data.number)
    .bind(&data.scope)
    .bind(&data.issued_by)
    .bind(data.issued_on.to_string())
    .bind(data.valid_until.map(|d| d.to_string()))
    .bind(data.last_verified_on.map(|d| d.to_string()))
    .bind(data.next_verification_due.map(|d| d.to_string()))
    .bind(renew_from(data))
    .bind(data.record.key())
    .bind(time::to_db(now))
    .bind(before.id.to_string())
    .bind(version)
    .execute(&mut *conn)
    .await
    .map_err(|e| duplicate(e, data))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            code: "licence.stale",
            message: "该许可证已被他人修改，请刷新后重试".into(),
        });
    }
    let after = Licence { data: data.clone(), version: version + 1, updated_at: now, ..before.clone() };
    let action = if data.record != before.data.record { data.record.key() } else { "update" };
    record_change(conn, actor, &after, action, reason, Some(before)).await?;
    entities::refresh_search(conn, data.entity_id).await?;
    Ok(after)
}

impl Audited for Licence {
    const OBJECT_TYPE: &'static str = "licence";
    fn object_id(&self) -> String {
        self.id.to_string()
    }
    fn owning_region(&self) -> &str {
        &self.region_code
    }
}

pub async fn get(store: &Store, actor: &Actor, id: LicenceId) -> StoreResult<Licence> {
    let mut conn = store.reader().acquire().await?;
    get_in(&mut conn, actor, id).await
}

/// One licence read on the caller's connection (inside its transaction).
pub async fn get_in(conn: &mut AnyConnection, actor: &Actor, id: LicenceId) -> StoreResult<Licence> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE l.id = $1 AND {}", f.sql);
    let r =
        f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(&mut *conn).await?.ok_or(StoreError::NotFound)?;
    from_row(&r)
}

/// The licence of this kind and number, if the actor may see it (imports).
pub async fn find_by_number(
    conn: &mut AnyConnection,
    actor: &Actor,
    kind: &str,
    number: &str,
) -> StoreResult<Option<Licence>> {
    let f = read_filter(actor, OWNER, 3);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE l.kind = $1 AND l.number = $2 AND {}", f.sql);
    let r = f.bind(sqlx::query(&sql).bind(kind).bind(number)).fetch_optional(&mut *conn).await?;
    r.as_ref().map(from_row).transpose()
}

pub async fn history(store: &Store, actor: &Actor, id: LicenceId) -> StoreResult<Vec<LicenceChange>> {
    get(store, actor, id).await?;
    let rows = sqlx::query(
        "SELECT changed_at, changed_by, action, reason, before_json, after_json FROM licence_changes \
         WHERE licence_id = $1 ORDER BY changed_at, id",
    )
    .bind(id.to_string())
    .fetch_all(store.reader())
    .await?;
    let json = |s: String| serde_json::from_str(&s).map_err(|_| StoreError::Corrupt("许可证变更记录无效".into()));
    rows.iter()
        .map(|r| {
            Ok(LicenceChange {
                changed_at: time::from_db(&r.try_get::<String, _>("changed_at")?)?,
                changed_by: r.try_get("changed_by")?,
                action: r.try_get("action")?,
                reason: r.try_get("reason")?,
                before: r.try_get::<Option<String>, _>("before_json")?.map(json).transpose()?,
                after: json(r.try_get("after_json")?)?,
            })
        })
        .collect()
}

/// A status filter that the dates decide (see `Licence::status_on`).
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub q: Option<String>,
    pub entity_id: Option<EntityId>,
    pub kind: Option<String>,
    pub status: Option<LicenceStatus>,
    /// The day statuses are judged on.
    pub today: Option<NaiveDate>,
    pub after: Option<Cursor>,
    pub limit: Option<usize>,
}

fn conditions(actor: &Actor, query: &Query) -> Conditions {
    let mut c = Conditions::default();
    c.push_filter(read_filter(actor, OWNER, 1));
    for word in page::search_words(query.q.as_deref()) {
        c.push(
            "(LOWER(l.number) LIKE ? ESCAPE '\\' OR e.search_text LIKE ? ESCAPE '\\')",
            [page::contains_pattern(&word), page::contains_pattern(&word)],
        );
    }
    if let Some(e) = query.entity_id {
        c.push("l.entity_id = ?", [e.to_string()]);
    }
    if let Some(k) = &query.kind {
        c.push("l.kind = ?", [k.clone()]);
    }
    if let Some(status) = query.status {
        let today =
            query.today.unwrap_or_else(|| time::now().with_timezone(&time::shanghai()).date_naive()).to_string();
        let valid = LicenceRecord::Valid.key().to_string();
        match status {
            LicenceStatus::Valid => {
                c.push("l.status = ? AND (l.renew_from IS NULL OR l.renew_from > ?)", [valid, today])
            }
            LicenceStatus::Expiring => {
                c.push("l.status = ? AND l.renew_from <= ? AND l.valid_until >= ?", [valid, today.clone(), today])
            }
            LicenceStatus::Expired => c.push("l.status = ? AND l.valid_until < ?", [valid, today]),
            other => c.push("l.status = ?", [other.key().to_string()]),
        }
    }
    c
}

/// Licences by number, then id; keyset pages.
pub async fn list(store: &Store, actor: &Actor, query: &Query) -> StoreResult<Page<Licence>> {
    let mut c = conditions(actor, query);
    if let Some(after) = &query.after {
        c.push_after("l.number", "l.id", after);
    }
    let limit = page::clamp_limit(query.limit);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {} ORDER BY l.number, l.id LIMIT {}", c.sql(), limit + 1);
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |l| Cursor { key: l.data.number.clone(), id: l.id.to_string() }))
}

/// How many licences the query matches (home-page counts); cursor and limit are ignored.
pub async fn count(store: &Store, actor: &Actor, query: &Query) -> StoreResult<i64> {
    let c = conditions(actor, query);
    let sql = format!("SELECT COUNT(*) AS n FROM {FROM} WHERE {}", c.sql());
    let r = c.bind(sqlx::query(&sql)).fetch_one(store.reader()).await?;
    Ok(r.try_get("n")?)
}

/// All licences of one entity (the entity file), in the actor's scope.
pub async fn of_entity(store: &Store, actor: &Actor, entity_id: EntityId) -> StoreResult<Vec<Licence>> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE l.entity_id = $1 AND {} ORDER BY l.kind, l.number", f.sql);
    let rows = f.bind(sqlx::query(&sql).bind(entity_id.to_string())).fetch_all(store.reader()).await?;
    rows.iter().map(from_row).collect()
}
