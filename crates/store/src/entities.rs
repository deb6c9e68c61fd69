//! Supervised entities (监管对象): the registry every module hangs off.
//! Values arrive checked (the domain parses USCC, category attributes, grades);
//! this module stores them, keeps the search column in step, and lists them
//! with keyset pages inside the actor's jurisdiction.

use crate::audit::{Audited, Change};
use crate::ids::{parse_db, EntityId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::page::{self, Conditions, Cursor, Page};
use crate::{time, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;
use weijian_rules::registry::{AttributeValue, CreditGrade, EntityStatus, RiskGrade};

/// What a user may set on an entity.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntityData {
    pub region_code: String,
    pub name: String,
    pub uscc: Option<String>,
    /// Why there is no USCC; set exactly when `uscc` is None.
    pub uscc_exemption: Option<String>,
    pub category: String,
    pub attributes: BTreeMap<String, AttributeValue>,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    pub grid: Option<String>,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
    pub status: EntityStatus,
    pub risk_grade: Option<RiskGrade>,
    pub credit_grade: Option<CreditGrade>,
}

impl EntityData {
    /// A minimal operating entity of category `other` (tests, the demo's institution accounts).
    pub fn named(region_code: &str, name: &str) -> EntityData {
        EntityData {
            region_code: region_code.into(),
            name: name.into(),
            uscc: None,
            uscc_exemption: Some("未登记".into()),
            category: "other".into(),
            attributes: BTreeMap::new(),
            legal_representative: None,
            address: None,
            grid: None,
            contact_person: None,
            contact_phone: None,
            status: EntityStatus::Operating,
            risk_grade: None,
            credit_grade: None,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Entity {
    pub id: EntityId,
    #[serde(flatten)]
    pub data: EntityData,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const OWNER: Owner = Owner { region: "region_code", entity: Some("id") };
const COLUMNS: &str = "id, region_code, name, uscc, uscc_exemption, category, attributes, legal_representative, \
     address, grid, contact_person, contact_phone, status, risk_grade, credit_grade, version, created_at, updated_at";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Entity> {
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("监管对象的{what}无效：{v}"));
    let status: String = r.try_get("status")?;
    let attributes: String = r.try_get("attributes")?;
    let grade = |col: &str| -> StoreResult<Option<String>> { Ok(r.try_get::<Option<String>, _>(col)?) };
    Ok(Entity {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        data: EntityData {
            region_code: r.try_get("region_code")?,
            name: r.try_get("name")?,
            uscc: r.try_get("uscc")?,
            uscc_exemption: r.try_get("uscc_exemption")?,
            category: r.try_get("category")?,
            attributes: serde_json::from_str(&attributes).map_err(|_| corrupt("属性", &attributes))?,
            legal_representative: r.try_get("legal_representative")?,
            address: r.try_get("address")?,
            grid: r.try_get("grid")?,
            contact_person: r.try_get("contact_person")?,
            contact_phone: r.try_get("contact_phone")?,
            status: EntityStatus::parse(&status).ok_or_else(|| corrupt("状态", &status))?,
            risk_grade: grade("risk_grade")?
                .map(|g| RiskGrade::parse(&g).ok_or_else(|| corrupt("风险等级", &g)))
                .transpose()?,
            credit_grade: grade("credit_grade")?
                .map(|g| CreditGrade::parse(&g).ok_or_else(|| corrupt("信用等级", &g)))
                .transpose()?,
        },
        version: r.try_get("version")?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_db(&r.try_get::<String, _>("updated_at")?)?,
    })
}

fn duplicate(e: sqlx::Error, d: &EntityData) -> StoreError {
    StoreError::from(e).on_unique("entity.duplicate_uscc", || {
        format!("统一社会信用代码 {} 已登记", d.uscc.as_deref().unwrap_or_default())
    })
}

pub async fn create(store: &Store, actor: &Actor, data: &EntityData) -> StoreResult<Entity> {
    let mut tx = store.begin().await?;
    let e = insert(tx.conn(), actor, data).await?;
    tx.audit(actor, Change::of("entity.create", &e, format!("新增监管对象 {}", e.data.name), None)).await?;
    tx.commit().await?;
    Ok(e)
}

/// The insert alone, for callers that batch several writes in one transaction (imports).
pub async fn insert(conn: &mut AnyConnection, actor: &Actor, data: &EntityData) -> StoreResult<Entity> {
    insert_with_numbers(conn, actor, data, &[]).await
}

/// The insert with the licence numbers the entity is about to get already in
/// its search column (bulk generators insert licences without a refresh).
pub async fn insert_with_numbers(
    conn: &mut AnyConnection,
    actor: &Actor,
    data: &EntityData,
    licence_numbers: &[String],
) -> StoreResult<Entity> {
    authorize_write(conn, actor, WriteTarget { region_code: &data.region_code, entity_id: None }).await?;
    let now = time::now();
    let e = Entity { id: EntityId::new(), data: data.clone(), version: 1, created_at: now, updated_at: now };
    sqlx::query(&format!(
        "INSERT INTO entities ({COLUMNS}, search_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
    ))
    .bind(e.id.to_string())
    .bind(&data.region_code)
    .bind(&data.name)
    .bind(&data.uscc)
    .bind(&data.uscc_exemption)
    .bind(&data.category)
    .bind(attributes_json(data))
    .bind(&data.legal_representative)
    .bind(&data.address)
    .bind(&data.grid)
    .bind(&data.contact_person)
    .bind(&data.contact_phone)
    .bind(data.status.key())
    .bind(data.risk_grade.map(|g| g.key()))
    .bind(data.credit_grade.map(|g| g.key()))
    .bind(e.version)
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .bind(search_text(data, licence_numbers))
    .execute(&mut *conn)
    .await
    .map_err(|err| duplicate(err, data))?;
    sync_search(conn, e.id, data, &search_text(data, licence_numbers)).await?;
    Ok(e)
}

fn attributes_json(d: &EntityData) -> String {
    serde_json::to_string(&d.attributes).unwrap_or_else(|_| "{}".into())
}

/// Writes the entity's row of the narrow list table (see migration 0004).
async fn sync_search(conn: &mut AnyConnection, id: EntityId, d: &EntityData, text: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM entity_search WHERE entity_id = $1").bind(id.to_string()).execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO entity_search (name, entity_id, region_code, category, status, risk_grade, search_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&d.name)
    .bind(id.to_string())
    .bind(&d.region_code)
    .bind(&d.category)
    .bind(d.status.key())
    .bind(d.risk_grade.map(|g| g.key()))
    .bind(text)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn search_text(d: &EntityData, licence_numbers: &[String]) -> String {
    let mut parts = vec![d.name.as_str(), d.uscc.as_deref().unwrap_or(""), d.address.as_deref().unwrap_or("")];
    parts.extend(licence_numbers.iter().map(String::as_str));
    page::search_text(parts)
}

/// Recomputes the search column after the entity's licences changed.
pub(crate) async fn refresh_search(conn: &mut AnyConnection, id: EntityId) -> StoreResult<()> {
    let r = sqlx::query(&format!("SELECT {COLUMNS} FROM entities WHERE id = $1"))
        .bind(id.to_string())
        .fetch_one(&mut *conn)
        .await?;
    let e = from_row(&r)?;
    let numbers: Vec<(String,)> = sqlx::query_as("SELECT number FROM licences WHERE entity_id = $1 ORDER BY number")
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let numbers: Vec<String> = numbers.into_iter().map(|n| n.0).collect();
    let text = search_text(&e.data, &numbers);
    sqlx::query("UPDATE entities SET search_text = $1 WHERE id = $2")
        .bind(&text)
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    sync_search(conn, id, &e.data, &text).await
}

/// Replaces an entity's data. `expected_version` guards against overwriting a
/// change made since the editor loaded the record; `note` (what changed and
/// why) goes into the audit event's summary.
pub async fn update(
    store: &Store,
    actor: &Actor,
    id: EntityId,
    expected_version: Option<i64>,
    data: &EntityData,
    note: Option<&str>,
) -> StoreResult<Entity> {
    let before = get(store, actor, id).await?;
    let mut tx = store.begin().await?;
    let after = replace(tx.conn(), actor, &before, expected_version, data).await?;
    let summary = match note {
        Some(n) => format!("修改监管对象 {}：{n}", after.data.name),
        None => format!("修改监管对象 {}", after.data.name),
    };
    tx.audit(actor, Change::of("entity.update", &after, summary, Some(&before))).await?;
    tx.commit().await?;
    Ok(after)
}

/// The update alone (imports batch it). `before` must have been read in the actor's scope.
pub async fn replace(
    conn: &mut AnyConnection,
    actor: &Actor,
    before: &Entity,
    expected_version: Option<i64>,
    data: &EntityData,
) -> StoreResult<Entity> {
    // Both the old and the new region must be the actor's to write.
    for region_code in [&before.data.region_code, &data.region_code] {
        authorize_write(conn, actor, WriteTarget { region_code, entity_id: Some(before.id) }).await?;
    }
    let version = expected_version.unwrap_or(before.version);
    let now = time::now();
    let numbers: Vec<(String,)> = sqlx::query_as("SELECT number FROM licences WHERE entity_id = $1 ORDER BY number")
        .bind(before.id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let numbers: Vec<String> = numbers.into_iter().map(|n| n.0).collect();
    let done = sqlx::query(
        "UPDATE entities SET region_code = $1, name = $2, uscc = $3, uscc_exemption = $4, category = $5, \
         attributes = $6, legal_representative = $7, address = $8, grid = $9, contact_person = $10, \
         contact_phone = $11, status = $12, risk_grade = $13, credit_grade = $14, search_text = $15, \
         version = version + 1, updated_at = $16 WHERE id = $17 AND version = $18",
    )
    .bind(&data.region_code)
    .bind(&data.name)
    .bind(&data.uscc)
    .bind(&data.uscc_exemption)
    .bind(&data.category)
    .bind(attributes_json(data))
    .bind(&data.legal_representative)
    .bind(&data.address)
    .bind(&data.grid)
    .bind(&data.contact_person)
    .bind(&data.contact_phone)
    .bind(data.status.key())
    .bind(data.risk_grade.map(|g| g.key()))
    .bind(data.credit_grade.map(|g| g.key()))
    .bind(search_text(data, &numbers))
    .bind(time::to_db(now))
    .bind(before.id.to_string())
    .bind(version)
    .execute(&mut *conn)
    .await
    .map_err(|err| duplicate(err, data))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            code: "entity.stale",
            message: "该监管对象已被他人修改，请刷新后重试".into(),
        });
    }
    sync_search(conn, before.id, data, &search_text(data, &numbers)).await?;
    Ok(Entity {
        id: before.id,
        data: data.clone(),
        version: version + 1,
        created_at: before.created_at,
        updated_at: now,
    })
}

impl Audited for Entity {
    const OBJECT_TYPE: &'static str = "entity";
    fn object_id(&self) -> String {
        self.id.to_string()
    }
    fn owning_region(&self) -> &str {
        &self.data.region_code
    }
}

pub async fn get(store: &Store, actor: &Actor, id: EntityId) -> StoreResult<Entity> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM entities WHERE id = $1 AND {}", f.sql);
    let r = f
        .bind(sqlx::query(&sql).bind(id.to_string()))
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

/// The entity with this USCC, or else with this name and address in this
/// region: an import's natural key. Read within the actor's scope.
pub async fn find_natural(
    conn: &mut AnyConnection,
    actor: &Actor,
    uscc: Option<&str>,
    region_code: &str,
    name: &str,
    address: Option<&str>,
) -> StoreResult<Option<Entity>> {
    let mut c = Conditions::default();
    match uscc {
        Some(u) => c.push("uscc = ?", [u.to_string()]),
        None => {
            c.push("uscc IS NULL AND region_code = ? AND name = ?", [region_code.to_string(), name.to_string()]);
            c.push("COALESCE(address, '') = ?", [address.unwrap_or_default().to_string()]);
        }
    }
    c.push_filter(read_filter(actor, OWNER, c.next()));
    let sql = format!("SELECT {COLUMNS} FROM entities WHERE {} LIMIT 1", c.sql());
    let r = c.bind(sqlx::query(&sql)).fetch_optional(&mut *conn).await?;
    r.as_ref().map(from_row).transpose()
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// By name, then id.
    #[default]
    Name,
    /// Newest first (ids are time-ordered).
    Newest,
}

#[derive(Clone, Debug, Default)]
pub struct Query {
    pub q: Option<String>,
    /// Only this region and the regions below it.
    pub region_code: Option<String>,
    pub category: Option<String>,
    pub status: Option<EntityStatus>,
    pub risk_grade: Option<RiskGrade>,
    pub sort: Sort,
    pub after: Option<Cursor>,
    pub limit: Option<usize>,
}

/// Lists read the narrow, name-ordered `entity_search` table (`s`) and fetch the
/// page's full rows from `entities` (`e`) by key.
const SEARCH_OWNER: Owner = Owner { region: "s.region_code", entity: Some("s.entity_id") };

pub async fn list(store: &Store, actor: &Actor, query: &Query) -> StoreResult<Page<Entity>> {
    let mut c = Conditions::default();
    c.push_filter(read_filter(actor, SEARCH_OWNER, 1));
    for word in page::search_words(query.q.as_deref()) {
        c.push("s.search_text LIKE ? ESCAPE '\\'", [page::contains_pattern(&word)]);
    }
    if let Some(region) = &query.region_code {
        c.push(&page::in_region("s.region_code"), [region.clone()]);
    }
    if let Some(category) = &query.category {
        c.push("s.category = ?", [category.clone()]);
    }
    if let Some(status) = query.status {
        c.push("s.status = ?", [status.key().to_string()]);
    }
    if let Some(grade) = query.risk_grade {
        c.push("s.risk_grade = ?", [grade.key().to_string()]);
    }
    let order = match query.sort {
        Sort::Name => {
            if let Some(after) = &query.after {
                c.push_after("s.name", "s.entity_id", after);
            }
            "s.name, s.entity_id"
        }
        Sort::Newest => {
            if let Some(after) = &query.after {
                c.push("s.entity_id < ?", [after.id.clone()]);
            }
            "s.entity_id DESC"
        }
    };
    let limit = page::clamp_limit(query.limit);
    let columns = COLUMNS.split(", ").map(|col| format!("e.{}", col.trim())).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT {columns} FROM entity_search s JOIN entities e ON e.id = s.entity_id WHERE {} ORDER BY {order} LIMIT {}",
        c.sql(),
        limit + 1
    );
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |e| {
        let key = match query.sort {
            Sort::Name => e.data.name.clone(),
            Sort::Newest => String::new(),
        };
        Cursor { key, id: e.id.to_string() }
    }))
}
