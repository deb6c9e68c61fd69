//! User accounts and their roles.

use crate::actor::Standing;
use crate::audit::Change;
use crate::ids::{parse_db, EntityId, SectionId, UnitId, UserId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::{time, Actor, Role, Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use weijian_rules::RegionCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Disabled,
}

impl UserStatus {
    pub fn key(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            UserStatus::Active => "正常",
            UserStatus::Disabled => "停用",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub region_code: String,
    pub unit_id: Option<UnitId>,
    pub section_id: Option<SectionId>,
    pub entity_id: Option<EntityId>,
    pub phone: Option<String>,
    pub status: UserStatus,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub region_code: &'a str,
    pub unit_id: Option<UnitId>,
    pub section_id: Option<SectionId>,
    pub entity_id: Option<EntityId>,
    pub phone: Option<&'a str>,
    pub password_hash: &'a str,
    pub must_change_password: bool,
}

const OWNER: Owner = Owner { region: "u.region_code", entity: Some("u.entity_id") };
const SELECT: &str = "SELECT u.id, u.username, u.name, u.region_code, u.unit_id, u.section_id, u.entity_id, u.phone, \
     u.status, u.must_change_password, u.created_at, u.updated_at, \
     (SELECT MIN(r.role) FROM user_roles r WHERE r.user_id = u.id) AS role FROM users u";

fn opt_id<T: std::str::FromStr>(r: &sqlx::any::AnyRow, col: &str) -> StoreResult<Option<T>> {
    r.try_get::<Option<String>, _>(col)?.map(|s| parse_db(&s)).transpose()
}

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<User> {
    let role: Option<String> = r.try_get("role")?;
    let role = role
        .as_deref()
        .and_then(Role::parse)
        .ok_or_else(|| StoreError::Corrupt(format!("用户缺少有效角色：{role:?}")))?;
    let status: String = r.try_get("status")?;
    Ok(User {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        username: r.try_get("username")?,
        name: r.try_get("name")?,
        role,
        region_code: r.try_get("region_code")?,
        unit_id: opt_id(r, "unit_id")?,
        section_id: opt_id(r, "section_id")?,
        entity_id: opt_id(r, "entity_id")?,
        phone: r.try_get("phone")?,
        status: if status == "active" { UserStatus::Active } else { UserStatus::Disabled },
        must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_db(&r.try_get::<String, _>("updated_at")?)?,
    })
}

pub async fn create(store: &Store, actor: &Actor, new: NewUser<'_>) -> StoreResult<User> {
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: new.region_code, entity_id: new.entity_id }).await?;
    let now = time::now();
    let user = User {
        id: UserId::new(),
        username: new.username.to_string(),
        name: new.name.to_string(),
        role: new.role,
        region_code: new.region_code.to_string(),
        unit_id: new.unit_id,
        section_id: new.section_id,
        entity_id: new.entity_id,
        phone: new.phone.map(str::to_string),
        status: UserStatus::Active,
        must_change_password: new.must_change_password,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO users (id, username, name, region_code, unit_id, section_id, entity_id, phone, password_hash, \
         must_change_password, status, password_changed_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(user.id.to_string())
    .bind(&user.username)
    .bind(&user.name)
    .bind(&user.region_code)
    .bind(user.unit_id.map(|v| v.to_string()))
    .bind(user.section_id.map(|v| v.to_string()))
    .bind(user.entity_id.map(|v| v.to_string()))
    .bind(&user.phone)
    .bind(new.password_hash)
    .bind(i64::from(user.must_change_password))
    .bind(user.status.key())
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .execute(&mut *tx.conn())
    .await
    .map_err(|e| {
        StoreError::from(e).on_unique("user.username_taken", || format!("用户名“{}”已被使用", user.username))
    })?;
    sqlx::query("INSERT INTO user_roles (user_id, role, region_code) VALUES ($1, $2, $3)")
        .bind(user.id.to_string())
        .bind(user.role.key())
        .bind(&user.region_code)
        .execute(&mut *tx.conn())
        .await?;
    tx.audit(
        actor,
        Change {
            action: "user.create",
            object_type: "user",
            object_id: user.id.to_string(),
            region_code: Some(user.region_code.clone()),
            summary: format!("新增用户 {}（{}，{}）", user.username, user.name, user.role.label()),
            before: None,
            after: Some(json!(user)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn get(store: &Store, actor: &Actor, id: UserId) -> StoreResult<User> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("{SELECT} WHERE u.id = $1 AND {}", f.sql);
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(store.reader()).await?;
    from_row(&r.ok_or(StoreError::NotFound)?)
}

pub async fn list(store: &Store, actor: &Actor) -> StoreResult<Vec<User>> {
    let f = read_filter(actor, OWNER, 1);
    let sql = format!("{SELECT} WHERE {} ORDER BY u.region_code, u.username", f.sql);
    f.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?.iter().map(from_row).collect()
}

/// For authentication only: the account and its password hash, by username.
pub async fn credentials(store: &Store, username: &str) -> StoreResult<Option<(User, String)>> {
    let sql = SELECT.replace(" FROM users u", ", u.password_hash FROM users u") + " WHERE u.username = $1";
    let Some(r) = sqlx::query(&sql).bind(username).fetch_optional(store.reader()).await? else {
        return Ok(None);
    };
    Ok(Some((from_row(&r)?, r.try_get("password_hash")?)))
}

/// For authentication only: the Actor a signed-in user acts as.
pub async fn actor_for(
    store: &Store,
    id: UserId,
    ip: Option<String>,
    request_id: Option<String>,
) -> StoreResult<(User, Actor)> {
    let sql = SELECT
        .replace(" FROM users u", ", g.path AS region_path FROM users u JOIN regions g ON g.code = u.region_code")
        + " WHERE u.id = $1";
    let r = sqlx::query(&sql).bind(id.to_string()).fetch_optional(store.reader()).await?.ok_or(StoreError::NotFound)?;
    let user = from_row(&r)?;
    let region_path: String = r.try_get("region_path")?;
    let actor = Actor {
        standing: Standing::User {
            user_id: user.id,
            username: user.username.clone(),
            role: user.role,
            region_code: RegionCode::parse(&user.region_code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            region_path,
            unit_id: user.unit_id,
            entity_id: user.entity_id,
        },
        ip,
        request_id,
    };
    Ok((user, actor))
}

/// Sets a new password hash. Users change their own; an admin resets others'.
pub async fn set_password(store: &Store, actor: &Actor, id: UserId, hash: &str, must_change: bool) -> StoreResult<()> {
    let user = get(store, actor, id).await?;
    let mut tx = store.begin().await?;
    if actor.user_id() != Some(id) {
        authorize_write(tx.conn(), actor, WriteTarget { region_code: &user.region_code, entity_id: user.entity_id })
            .await?;
    }
    let now = time::to_db(time::now());
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = $2, password_changed_at = $3, updated_at = $3 WHERE id = $4",
    )
    .bind(hash)
    .bind(i64::from(must_change))
    .bind(&now)
    .bind(id.to_string())
    .execute(&mut *tx.conn())
    .await?;
    // A changed password ends every other session of the account.
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(&now)
        .bind(id.to_string())
        .execute(&mut *tx.conn())
        .await?;
    tx.audit(
        actor,
        Change {
            action: if actor.user_id() == Some(id) { "user.password_change" } else { "user.password_reset" },
            object_type: "user",
            object_id: id.to_string(),
            region_code: Some(user.region_code.clone()),
            summary: format!(
                "{}用户 {} 的密码",
                if actor.user_id() == Some(id) { "修改" } else { "重置" },
                user.username
            ),
            before: None,
            after: Some(json!({"must_change_password": must_change})),
        },
    )
    .await?;
    tx.commit().await
}
