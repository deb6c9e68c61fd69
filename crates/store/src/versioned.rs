//! Lists a unit keeps in versions and publishes: the responsibility list
//! (权责清单) and the inspection item list (抽查事项清单) share this.
//!
//! A version starts as a draft (a copy of the unit's latest version) and is
//! published with an effective date; a published version never changes again.
//! The content is one JSON document of the kind's typed structs.

use crate::audit::{Audited, Change};
use crate::ids::{parse_db, UnitId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::lifecycle::{self, Row, Step};
use crate::{time, units, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use sqlx::{AnyConnection, Row as _};
use std::fmt::{Debug, Display};
use std::str::FromStr;
use weijian_rules::lifecycle::Area;

/// What distinguishes one kind of versioned list from another.
pub trait ListKind: Clone + Debug + 'static {
    type Id: Copy + Debug + Display + FromStr + Serialize + PartialEq + Send + Sync;
    type Content: Clone + Debug + Default + PartialEq + Serialize + DeserializeOwned + Send + Sync;
    const TABLE: &'static str;
    /// The audit object type and the prefix of its actions (`<type>.publish`).
    const OBJECT_TYPE: &'static str;
    /// Its Chinese name, in titles and messages.
    const NOUN: &'static str;
    const CODE_IMMUTABLE: &'static str;
    const CODE_DRAFT_EXISTS: &'static str;
    const CODE_VERSION_CONFLICT: &'static str;
    /// Its lifecycle area: `<OBJECT_TYPE>` with its own refusal codes.
    const AREA: Area;
    fn new_id() -> Self::Id;
}

pub use weijian_rules::versioned_list::{ListAction, ListStatus};

#[derive(Clone, Debug, Serialize)]
#[serde(bound(serialize = ""))]
pub struct Versioned<K: ListKind> {
    pub id: K::Id,
    pub unit_id: UnitId,
    /// Read with the list (not stored in the row).
    pub unit_name: String,
    pub region_code: String,
    pub version_no: i64,
    pub title: String,
    pub status: ListStatus,
    pub effective_on: Option<NaiveDate>,
    pub content: K::Content,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl<K: ListKind> Audited for Versioned<K> {
    const OBJECT_TYPE: &'static str = K::OBJECT_TYPE;
    fn object_id(&self) -> String {
        self.id.to_string()
    }
    fn owning_region(&self) -> &str {
        &self.region_code
    }
}

impl<K: ListKind> Versioned<K> {
    pub fn is_published(&self) -> bool {
        self.status == ListStatus::Published
    }

    /// Published and in effect on `day`.
    pub fn in_effect_on(&self, day: NaiveDate) -> bool {
        self.is_published() && self.effective_on.is_some_and(|d| d <= day)
    }
}

const OWNER: Owner = Owner { region: "d.region_code", entity: None };

fn select<K: ListKind>() -> String {
    format!(
        "SELECT d.id, d.unit_id, u.name AS unit_name, d.region_code, d.version_no, d.title, d.status, \
         d.effective_on, d.content, d.published_at, d.version, d.created_at, d.updated_at \
         FROM {} d JOIN units u ON u.id = d.unit_id",
        K::TABLE
    )
}

fn from_row<K: ListKind>(r: &sqlx::any::AnyRow) -> StoreResult<Versioned<K>> {
    let status: String = r.try_get("status")?;
    let content: String = r.try_get("content")?;
    let id: String = r.try_get("id")?;
    Ok(Versioned {
        id: id.parse().map_err(|_| StoreError::Corrupt(format!("无效的标识符：{id}")))?,
        unit_id: parse_db(&r.try_get::<String, _>("unit_id")?)?,
        unit_name: r.try_get("unit_name")?,
        region_code: r.try_get("region_code")?,
        version_no: r.try_get("version_no")?,
        title: r.try_get("title")?,
        status: ListStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("未知的{}状态：{status}", K::NOUN)))?,
        effective_on: time::date_column(r, "effective_on")?,
        content: serde_json::from_str(&content)
            .map_err(|e| StoreError::Corrupt(format!("{}内容无法解析：{e}", K::NOUN)))?,
        published_at: r.try_get::<Option<String>, _>("published_at")?.map(|s| time::from_db(&s)).transpose()?,
        version: r.try_get("version")?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_db(&r.try_get::<String, _>("updated_at")?)?,
    })
}

fn content_json<K: ListKind>(content: &K::Content) -> StoreResult<String> {
    serde_json::to_string(content).map_err(|e| StoreError::Corrupt(format!("{}内容无法保存：{e}", K::NOUN)))
}

pub fn immutable<K: ListKind>() -> StoreError {
    StoreError::Conflict {
        code: K::CODE_IMMUTABLE, message: "该版本已发布，不能再修改；请新建版本".into()
    }
}

fn change<'a, K: ListKind>(
    action: &'a str,
    after: &Versioned<K>,
    summary: String,
    before: Option<&Versioned<K>>,
) -> Change<'a> {
    Change {
        action,
        object_type: K::OBJECT_TYPE,
        object_id: after.id.to_string(),
        region_code: Some(after.region_code.clone()),
        summary,
        before: before.map(|b| json!(b)),
        after: Some(json!(after)),
    }
}

/// Starts a new draft version for a unit: a copy of its latest version (or an
/// empty list for the first). Refused while the unit already has a draft.
pub async fn create_draft<K: ListKind>(
    store: &Store,
    actor: &Actor,
    unit_id: UnitId,
    title: Option<&str>,
) -> StoreResult<Versioned<K>> {
    let unit = units::get(store, actor, unit_id).await?;
    let mut tx = store.begin().await?;
    let list = insert_draft::<K>(tx.conn(), actor, &unit, title).await?;
    let action = format!("{}.create", K::OBJECT_TYPE);
    let summary = format!("新建{}{}第 {} 版草稿", unit.name, K::NOUN, list.version_no);
    tx.audit(actor, change(&action, &list, summary, None)).await?;
    tx.commit().await?;
    Ok(list)
}

/// The unit's newest version, if it has any.
pub async fn latest_of_unit<K: ListKind>(
    conn: &mut AnyConnection,
    actor: &Actor,
    unit_id: UnitId,
) -> StoreResult<Option<Versioned<K>>> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("{} WHERE d.unit_id = $1 AND {} ORDER BY d.version_no DESC LIMIT 1", select::<K>(), f.sql);
    let r = f.bind(sqlx::query(&sql).bind(unit_id.to_string())).fetch_optional(&mut *conn).await?;
    r.map(|r| from_row(&r)).transpose()
}

/// Inserts a unit's next version as a draft, in the caller's transaction (which
/// audits it): a copy of the latest version, refused while a draft exists.
pub async fn insert_draft<K: ListKind>(
    conn: &mut AnyConnection,
    actor: &Actor,
    unit: &units::Unit,
    title: Option<&str>,
) -> StoreResult<Versioned<K>> {
    authorize_write(conn, actor, WriteTarget { region_code: &unit.region_code, entity_id: None }).await?;
    let latest = sqlx::query(&format!("{} WHERE d.unit_id = $1 ORDER BY d.version_no DESC LIMIT 1", select::<K>()))
        .bind(unit.id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| from_row::<K>(&r))
        .transpose()?;
    if let Some(l) = &latest {
        if l.status == ListStatus::Draft {
            return Err(StoreError::Conflict {
                code: K::CODE_DRAFT_EXISTS,
                message: format!("{}已有未发布的草稿（第 {} 版），请先完成或发布该草稿", unit.name, l.version_no),
            });
        }
    }
    let now = time::now();
    let list = Versioned::<K> {
        id: K::new_id(),
        unit_id: unit.id,
        unit_name: unit.name.clone(),
        region_code: unit.region_code.clone(),
        version_no: latest.as_ref().map_or(1, |l| l.version_no + 1),
        title: match (title, &latest) {
            (Some(t), _) => t.to_string(),
            (None, Some(l)) => l.title.clone(),
            (None, None) => format!("{}{}", unit.name, K::NOUN),
        },
        status: ListStatus::Draft,
        effective_on: None,
        content: latest.as_ref().map(|l| l.content.clone()).unwrap_or_default(),
        published_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(&format!(
        "INSERT INTO {} (id, unit_id, region_code, version_no, title, status, effective_on, content, \
         published_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, NULL, $8, $9)",
        K::TABLE
    ))
    .bind(list.id.to_string())
    .bind(unit.id.to_string())
    .bind(&list.region_code)
    .bind(list.version_no)
    .bind(&list.title)
    .bind(list.status.key())
    .bind(content_json::<K>(&list.content)?)
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        StoreError::from(e).on_unique(K::CODE_VERSION_CONFLICT, || "另一用户刚刚新建了版本，请刷新后重试".into())
    })?;
    Ok(list)
}

pub async fn get<K: ListKind>(store: &Store, actor: &Actor, id: K::Id) -> StoreResult<Versioned<K>> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("{} WHERE d.id = $1 AND {}", select::<K>(), f.sql);
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(store.reader()).await?;
    from_row(&r.ok_or(StoreError::NotFound)?)
}

/// Which versions a listing wants; both parts optional.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub unit_id: Option<UnitId>,
    /// Exactly this region (its units), not the regions below it.
    pub region_code: Option<String>,
}

/// Every version in the actor's jurisdiction that matches the filter: by
/// region, unit, newest version first.
pub async fn list<K: ListKind>(store: &Store, actor: &Actor, filter: &ListFilter) -> StoreResult<Vec<Versioned<K>>> {
    let mut c = crate::page::Conditions::default();
    c.push_filter(read_filter(actor, OWNER, 1));
    if let Some(u) = filter.unit_id {
        c.push("d.unit_id = ?", [u.to_string()]);
    }
    if let Some(r) = &filter.region_code {
        c.push("d.region_code = ?", [r.clone()]);
    }
    let sql =
        format!("{} WHERE {} ORDER BY d.region_code, u.name, d.unit_id, d.version_no DESC", select::<K>(), c.sql());
    c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?.iter().map(from_row).collect()
}

/// A version read in the caller's transaction (within the actor's read scope).
async fn read_in<K: ListKind>(conn: &mut AnyConnection, actor: &Actor, id: K::Id) -> StoreResult<Versioned<K>> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("{} WHERE d.id = $1 AND {}", select::<K>(), f.sql);
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(&mut *conn).await?;
    from_row::<K>(&r.ok_or(StoreError::NotFound)?)
}

/// A version read in the caller's transaction, checked to be a draft the
/// actor may change: a published version answers 409 (the kind's immutable code).
pub async fn draft_in<K: ListKind>(conn: &mut AnyConnection, actor: &Actor, id: K::Id) -> StoreResult<Versioned<K>> {
    let current = read_in::<K>(conn, actor, id).await?;
    authorize_write(conn, actor, WriteTarget { region_code: &current.region_code, entity_id: None }).await?;
    if !current.status.is_editable() {
        return Err(immutable::<K>());
    }
    Ok(current)
}

/// Replaces a draft's content in the caller's transaction, which audits the
/// change (an import batch). A version published meanwhile is refused.
pub async fn save_content_in<K: ListKind>(
    conn: &mut AnyConnection,
    id: K::Id,
    content: &K::Content,
) -> StoreResult<()> {
    let done = sqlx::query(&format!(
        "UPDATE {} SET content = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND status = $4",
        K::TABLE
    ))
    .bind(content_json::<K>(content)?)
    .bind(time::to_db(time::now()))
    .bind(id.to_string())
    .bind(ListStatus::Draft.key())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(immutable::<K>());
    }
    Ok(())
}

/// Replaces a draft's title and content. A published version is refused.
pub async fn update_draft<K: ListKind>(
    store: &Store,
    actor: &Actor,
    id: K::Id,
    title: &str,
    content: &K::Content,
) -> StoreResult<Versioned<K>> {
    let mut tx = store.begin().await?;
    let before = draft_in::<K>(tx.conn(), actor, id).await?;
    let now = time::now();
    let done = sqlx::query(&format!(
        "UPDATE {} SET title = $1, content = $2, updated_at = $3, version = version + 1 WHERE id = $4 AND status = $5",
        K::TABLE
    ))
    .bind(title)
    .bind(content_json::<K>(content)?)
    .bind(time::to_db(now))
    .bind(id.to_string())
    .bind(ListStatus::Draft.key())
    .execute(&mut *tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(immutable::<K>());
    }
    let after = Versioned {
        title: title.to_string(),
        content: content.clone(),
        version: before.version + 1,
        updated_at: now,
        ..before.clone()
    };
    let action = format!("{}.update", K::OBJECT_TYPE);
    let summary = format!("修改{}{}第 {} 版草稿", after.unit_name, K::NOUN, after.version_no);
    tx.audit(actor, change(&action, &after, summary, Some(&before))).await?;
    tx.commit().await?;
    Ok(after)
}

/// Publishes a draft, effective from `effective_on`. From then on it never changes.
pub async fn publish<K: ListKind>(
    store: &Store,
    actor: &Actor,
    id: K::Id,
    version: Option<i64>,
    effective_on: NaiveDate,
) -> StoreResult<Versioned<K>> {
    let mut tx = store.begin().await?;
    let before = read_in::<K>(tx.conn(), actor, id).await?;
    let step = Step::new(before.status, ListAction::Publish)
        .in_area(&K::AREA)
        .version(version)
        .set("effective_on", Some(effective_on.to_string()));
    let now = step.now;
    let step = step.set("published_at", Some(time::to_db(now)));
    let after = |to| Versioned {
        status: to,
        effective_on: Some(effective_on),
        published_at: Some(now),
        version: before.version + 1,
        updated_at: now,
        ..before.clone()
    };
    let summary = format!("发布{}{}第 {} 版，自 {} 起施行", before.unit_name, K::NOUN, before.version_no, effective_on);
    let row = Row { table: K::TABLE, id: id.to_string(), region_code: &before.region_code, entity_id: None };
    let after = lifecycle::step(&mut tx, actor, row, step, &before, after, summary).await?;
    tx.commit().await?;
    Ok(after)
}

/// For the public portal, no actor: for each unit of exactly this region, the
/// newest published version in effect on `today`. Drafts are never read here.
pub async fn published_in_effect<K: ListKind>(
    store: &Store,
    region_code: &str,
    today: NaiveDate,
) -> StoreResult<Vec<Versioned<K>>> {
    let sql = format!(
        "{} WHERE d.region_code = $1 AND d.status = $3 AND d.effective_on <= $2 \
         ORDER BY u.name, d.unit_id, d.version_no DESC",
        select::<K>()
    );
    let rows = sqlx::query(&sql)
        .bind(region_code)
        .bind(today.to_string())
        .bind(ListStatus::Published.key())
        .fetch_all(store.reader())
        .await?;
    let mut out: Vec<Versioned<K>> = vec![];
    for r in &rows {
        let l = from_row::<K>(r)?;
        if out.last().is_none_or(|p| p.unit_id != l.unit_id) {
            out.push(l);
        }
    }
    Ok(out)
}
