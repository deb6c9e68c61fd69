//! Responsibility lists (权责清单): one unit's duties (主要职责) and their tasks
//! (具体工作事项), the duty boundaries with other departments (职责边界) and the
//! public services it offers (公共服务事项), kept in versions.
//!
//! A version starts as a draft (a copy of the unit's latest version) and is
//! published with an effective date; a published version never changes again.
//! The content is one JSON document of the typed structs below.

use crate::audit::Change;
use crate::ids::{parse_db, DutyListId, UnitId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::{time, units, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{AnyConnection, Row};

/// The whole list: duties with their tasks, duty boundaries, public services.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyListContent {
    #[serde(default)]
    pub duties: Vec<Duty>,
    #[serde(default)]
    pub boundaries: Vec<DutyBoundary>,
    #[serde(default)]
    pub public_services: Vec<PublicService>,
}

/// 主要职责: what the unit answers for, on what basis, broken into tasks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duty {
    pub name: String,
    /// The legal or organisational basis (三定方案, a statute ...).
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub tasks: Vec<DutyTask>,
}

/// 具体工作事项, with the section (股室) responsible for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyTask {
    pub name: String,
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub remarks: String,
}

/// 职责边界: a matter shared with another department, who does which part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyBoundary {
    pub matter: String,
    pub our_part: String,
    pub other_department: String,
    pub their_part: String,
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub cases: String,
}

/// 公共服务事项: a service offered to the public.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicService {
    pub name: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub handling_unit: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyListStatus {
    Draft,
    Published,
}

impl DutyListStatus {
    pub fn key(self) -> &'static str {
        match self {
            DutyListStatus::Draft => "draft",
            DutyListStatus::Published => "published",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DutyListStatus::Draft => "草稿",
            DutyListStatus::Published => "已发布",
        }
    }

    pub fn parse(key: &str) -> Option<DutyListStatus> {
        [DutyListStatus::Draft, DutyListStatus::Published].into_iter().find(|s| s.key() == key)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct DutyList {
    pub id: DutyListId,
    pub unit_id: UnitId,
    /// Read with the list (not stored in the row).
    pub unit_name: String,
    pub region_code: String,
    pub version_no: i64,
    pub title: String,
    pub status: DutyListStatus,
    pub effective_on: Option<NaiveDate>,
    pub content: DutyListContent,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl DutyList {
    pub fn is_published(&self) -> bool {
        self.status == DutyListStatus::Published
    }

    /// Published and in effect on `day`.
    pub fn in_effect_on(&self, day: NaiveDate) -> bool {
        self.is_published() && self.effective_on.is_some_and(|d| d <= day)
    }
}

const OWNER: Owner = Owner { region: "d.region_code", entity: None };
const SELECT: &str = "SELECT d.id, d.unit_id, u.name AS unit_name, d.region_code, d.version_no, d.title, d.status, \
     d.effective_on, d.content, d.published_at, d.created_at, d.updated_at \
     FROM duty_lists d JOIN units u ON u.id = d.unit_id";
const DATE: &str = "%Y-%m-%d";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<DutyList> {
    let status: String = r.try_get("status")?;
    let content: String = r.try_get("content")?;
    let effective_on: Option<String> = r.try_get("effective_on")?;
    Ok(DutyList {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        unit_id: parse_db(&r.try_get::<String, _>("unit_id")?)?,
        unit_name: r.try_get("unit_name")?,
        region_code: r.try_get("region_code")?,
        version_no: r.try_get("version_no")?,
        title: r.try_get("title")?,
        status: DutyListStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("未知的权责清单状态：{status}")))?,
        effective_on: effective_on
            .map(|s| NaiveDate::parse_from_str(&s, DATE).map_err(|_| StoreError::Corrupt(format!("无效的日期：{s}"))))
            .transpose()?,
        content: serde_json::from_str(&content)
            .map_err(|e| StoreError::Corrupt(format!("权责清单内容无法解析：{e}")))?,
        published_at: r.try_get::<Option<String>, _>("published_at")?.map(|s| time::from_db(&s)).transpose()?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_db(&r.try_get::<String, _>("updated_at")?)?,
    })
}

fn content_json(content: &DutyListContent) -> StoreResult<String> {
    serde_json::to_string(content).map_err(|e| StoreError::Corrupt(format!("权责清单内容无法保存：{e}")))
}

pub fn immutable() -> StoreError {
    StoreError::Conflict {
        code: "duty_list.published_immutable",
        message: "该版本已发布，不能再修改；请新建版本".into(),
    }
}

/// Starts a new draft version for a unit: a copy of its latest version (or an
/// empty list for the first). Refused while the unit already has a draft.
pub async fn create_draft(store: &Store, actor: &Actor, unit_id: UnitId, title: Option<&str>) -> StoreResult<DutyList> {
    let unit = units::get(store, actor, unit_id).await?;
    let mut tx = store.begin().await?;
    let list = insert_draft(tx.conn(), actor, &unit, title).await?;
    tx.audit(
        actor,
        Change {
            action: "duty_list.create",
            object_type: "duty_list",
            object_id: list.id.to_string(),
            region_code: Some(list.region_code.clone()),
            summary: format!("新建{}权责清单第 {} 版草稿", unit.name, list.version_no),
            before: None,
            after: Some(json!(list)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(list)
}

/// The unit's newest version, if it has any.
pub async fn latest_of_unit(conn: &mut AnyConnection, actor: &Actor, unit_id: UnitId) -> StoreResult<Option<DutyList>> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("{SELECT} WHERE d.unit_id = $1 AND {} ORDER BY d.version_no DESC LIMIT 1", f.sql);
    let r = f.bind(sqlx::query(&sql).bind(unit_id.to_string())).fetch_optional(&mut *conn).await?;
    r.map(|r| from_row(&r)).transpose()
}

/// Inserts a unit's next version as a draft, in the caller's transaction (which
/// audits it): a copy of the latest version, refused while a draft exists.
pub async fn insert_draft(
    conn: &mut AnyConnection,
    actor: &Actor,
    unit: &units::Unit,
    title: Option<&str>,
) -> StoreResult<DutyList> {
    authorize_write(conn, actor, WriteTarget { region_code: &unit.region_code, entity_id: None }).await?;
    let latest = sqlx::query(&format!("{SELECT} WHERE d.unit_id = $1 ORDER BY d.version_no DESC LIMIT 1"))
        .bind(unit.id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| from_row(&r))
        .transpose()?;
    if let Some(l) = &latest {
        if l.status == DutyListStatus::Draft {
            return Err(StoreError::Conflict {
                code: "duty_list.draft_exists",
                message: format!("{}已有未发布的草稿（第 {} 版），请先完成或发布该草稿", unit.name, l.version_no),
            });
        }
    }
    let now = time::now();
    let list = DutyList {
        id: DutyListId::new(),
        unit_id: unit.id,
        unit_name: unit.name.clone(),
        region_code: unit.region_code.clone(),
        version_no: latest.as_ref().map_or(1, |l| l.version_no + 1),
        title: match (title, &latest) {
            (Some(t), _) => t.to_string(),
            (None, Some(l)) => l.title.clone(),
            (None, None) => format!("{}权责清单", unit.name),
        },
        status: DutyListStatus::Draft,
        effective_on: None,
        content: latest.as_ref().map(|l| l.content.clone()).unwrap_or_default(),
        published_at: None,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO duty_lists (id, unit_id, region_code, version_no, title, status, effective_on, content, \
         published_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, NULL, $8, $9)",
    )
    .bind(list.id.to_string())
    .bind(unit.id.to_string())
    .bind(&list.region_code)
    .bind(list.version_no)
    .bind(&list.title)
    .bind(list.status.key())
    .bind(content_json(&list.content)?)
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        StoreError::from(e).on_unique("duty_list.version_conflict", || "另一用户刚刚新建了版本，请刷新后重试".into())
    })?;
    Ok(list)
}

pub async fn get(store: &Store, actor: &Actor, id: DutyListId) -> StoreResult<DutyList> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("{SELECT} WHERE d.id = $1 AND {}", f.sql);
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
pub async fn list(store: &Store, actor: &Actor, filter: &ListFilter) -> StoreResult<Vec<DutyList>> {
    let mut cond = String::new();
    let mut binds: Vec<String> = vec![];
    if let Some(u) = filter.unit_id {
        binds.push(u.to_string());
        cond.push_str(&format!("d.unit_id = ${} AND ", binds.len()));
    }
    if let Some(r) = &filter.region_code {
        binds.push(r.clone());
        cond.push_str(&format!("d.region_code = ${} AND ", binds.len()));
    }
    let f = read_filter(actor, OWNER, binds.len() + 1);
    let sql = format!("{SELECT} WHERE {cond}{} ORDER BY d.region_code, u.name, d.unit_id, d.version_no DESC", f.sql);
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b.as_str());
    }
    f.bind(q).fetch_all(store.reader()).await?.iter().map(from_row).collect()
}

/// Reads the version inside the write transaction and checks it may change.
async fn draft_for_write(tx: &mut crate::WriteTx, actor: &Actor, id: DutyListId) -> StoreResult<DutyList> {
    draft_in(tx.conn(), actor, id).await
}

/// A version read in the caller's transaction, checked to be a draft the
/// actor may change: a published version answers 409 `duty_list.published_immutable`.
pub async fn draft_in(conn: &mut AnyConnection, actor: &Actor, id: DutyListId) -> StoreResult<DutyList> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("{SELECT} WHERE d.id = $1 AND {}", f.sql);
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(&mut *conn).await?;
    let current = from_row(&r.ok_or(StoreError::NotFound)?)?;
    authorize_write(conn, actor, WriteTarget { region_code: &current.region_code, entity_id: None }).await?;
    if current.is_published() {
        return Err(immutable());
    }
    Ok(current)
}

/// Replaces a draft's content in the caller's transaction, which audits the
/// change (an import batch). A version published meanwhile is refused.
pub async fn save_content_in(conn: &mut AnyConnection, id: DutyListId, content: &DutyListContent) -> StoreResult<()> {
    let done = sqlx::query("UPDATE duty_lists SET content = $1, updated_at = $2 WHERE id = $3 AND status = 'draft'")
        .bind(content_json(content)?)
        .bind(time::to_db(time::now()))
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() != 1 {
        return Err(immutable());
    }
    Ok(())
}

/// Replaces a draft's title and content. A published version is refused.
pub async fn update_draft(
    store: &Store,
    actor: &Actor,
    id: DutyListId,
    title: &str,
    content: &DutyListContent,
) -> StoreResult<DutyList> {
    let mut tx = store.begin().await?;
    let before = draft_for_write(&mut tx, actor, id).await?;
    let now = time::now();
    let done = sqlx::query(
        "UPDATE duty_lists SET title = $1, content = $2, updated_at = $3 WHERE id = $4 AND status = 'draft'",
    )
    .bind(title)
    .bind(content_json(content)?)
    .bind(time::to_db(now))
    .bind(id.to_string())
    .execute(&mut *tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(immutable());
    }
    let after = DutyList { title: title.to_string(), content: content.clone(), updated_at: now, ..before.clone() };
    tx.audit(
        actor,
        Change {
            action: "duty_list.update",
            object_type: "duty_list",
            object_id: id.to_string(),
            region_code: Some(after.region_code.clone()),
            summary: format!("修改{}权责清单第 {} 版草稿", after.unit_name, after.version_no),
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Publishes a draft, effective from `effective_on`. From then on it never changes.
pub async fn publish(store: &Store, actor: &Actor, id: DutyListId, effective_on: NaiveDate) -> StoreResult<DutyList> {
    let mut tx = store.begin().await?;
    let before = draft_for_write(&mut tx, actor, id).await?;
    let now = time::now();
    let done = sqlx::query(
        "UPDATE duty_lists SET status = 'published', effective_on = $1, published_at = $2, updated_at = $3 \
         WHERE id = $4 AND status = 'draft'",
    )
    .bind(effective_on.format(DATE).to_string())
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .bind(id.to_string())
    .execute(&mut *tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(immutable());
    }
    let after = DutyList {
        status: DutyListStatus::Published,
        effective_on: Some(effective_on),
        published_at: Some(now),
        updated_at: now,
        ..before.clone()
    };
    tx.audit(
        actor,
        Change {
            action: "duty_list.publish",
            object_type: "duty_list",
            object_id: id.to_string(),
            region_code: Some(after.region_code.clone()),
            summary: format!(
                "发布{}权责清单第 {} 版，自 {} 起施行",
                after.unit_name,
                after.version_no,
                effective_on.format(DATE)
            ),
            before: Some(json!(before)),
            after: Some(json!(after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// For the public portal, no actor: for each unit of exactly this region, the
/// newest published version in effect on `today`. Drafts are never read here.
pub async fn published_in_effect(store: &Store, region_code: &str, today: NaiveDate) -> StoreResult<Vec<DutyList>> {
    let sql = format!(
        "{SELECT} WHERE d.region_code = $1 AND d.status = 'published' AND d.effective_on <= $2 \
         ORDER BY u.name, d.unit_id, d.version_no DESC"
    );
    let rows =
        sqlx::query(&sql).bind(region_code).bind(today.format(DATE).to_string()).fetch_all(store.reader()).await?;
    let mut out: Vec<DutyList> = vec![];
    for r in &rows {
        let l = from_row(r)?;
        if out.last().is_none_or(|p| p.unit_id != l.unit_id) {
            out.push(l);
        }
    }
    Ok(out)
}
