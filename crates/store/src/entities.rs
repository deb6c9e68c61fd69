//! Supervised entities (监管对象). This is the core every registry extends;
//! issue 4's registry adds categories, licences and the entity file.

use crate::audit::Change;
use crate::ids::{parse_db, EntityId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::{time, Actor, Store, StoreError, StoreResult};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

#[derive(Clone, Debug, Serialize)]
pub struct Entity {
    pub id: EntityId,
    pub region_code: String,
    pub name: String,
    pub uscc: Option<String>,
}

const OWNER: Owner = Owner { region: "region_code", entity: Some("id") };

pub async fn create(
    store: &Store,
    actor: &Actor,
    region_code: &str,
    name: &str,
    uscc: Option<&str>,
) -> StoreResult<Entity> {
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code, entity_id: None }).await?;
    let e =
        Entity { id: EntityId::new(), region_code: region_code.into(), name: name.into(), uscc: uscc.map(Into::into) };
    let now = time::to_db(time::now());
    sqlx::query(
        "INSERT INTO entities (id, region_code, name, uscc, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(e.id.to_string())
    .bind(&e.region_code)
    .bind(&e.name)
    .bind(&e.uscc)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx.conn())
    .await?;
    tx.audit(
        actor,
        Change {
            action: "entity.create",
            object_type: "entity",
            object_id: e.id.to_string(),
            region_code: Some(e.region_code.clone()),
            summary: format!("新增监管对象 {}", e.name),
            before: None,
            after: Some(json!(e)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

pub async fn get(store: &Store, actor: &Actor, id: EntityId) -> StoreResult<Entity> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT id, region_code, name, uscc FROM entities WHERE id = $1 AND {}", f.sql);
    let r = f
        .bind(sqlx::query(&sql).bind(id.to_string()))
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(Entity {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        region_code: r.try_get("region_code")?,
        name: r.try_get("name")?,
        uscc: r.try_get("uscc")?,
    })
}
