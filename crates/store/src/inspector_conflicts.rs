//! 回避: an inspector's declared conflict of interest with an entity. A draw
//! never assigns the pair (they are the snapshot's recusals).

use crate::audit::Change;
use crate::ids::{parse_db, EntityId, InspectorConflictId, InspectorId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::{entities, inspectors, time, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

#[derive(Clone, Debug, Serialize)]
pub struct InspectorConflict {
    pub id: InspectorConflictId,
    pub inspector_id: InspectorId,
    pub entity_id: EntityId,
    /// Read with the declaration, for pages.
    pub entity_name: String,
    pub region_code: String,
    pub reason: String,
    pub declared_at: DateTime<Utc>,
}

const OWNER: Owner = Owner { region: "c.region_code", entity: None };

/// Records the conflict; declaring the same pair twice is a conflict error.
pub async fn declare(
    store: &Store,
    actor: &Actor,
    inspector_id: InspectorId,
    entity_id: EntityId,
    reason: &str,
) -> StoreResult<InspectorConflict> {
    let inspector = inspectors::get(store, actor, inspector_id).await?;
    let entity = entities::get(store, actor, entity_id).await?;
    let mut tx = store.begin().await?;
    // Written in the inspector's region: their unit keeps the declaration.
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &inspector.region_code, entity_id: None }).await?;
    let c = InspectorConflict {
        id: InspectorConflictId::new(),
        inspector_id,
        entity_id,
        entity_name: entity.data.name.clone(),
        region_code: inspector.region_code.clone(),
        reason: reason.to_string(),
        declared_at: time::now(),
    };
    sqlx::query(
        "INSERT INTO inspector_conflicts (id, inspector_id, entity_id, region_code, reason, declared_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(c.id.to_string())
    .bind(inspector_id.to_string())
    .bind(entity_id.to_string())
    .bind(&c.region_code)
    .bind(reason)
    .bind(time::to_db(c.declared_at))
    .execute(&mut *tx.conn())
    .await
    .map_err(|e| {
        StoreError::from(e).on_unique("inspector_conflict.duplicate", || {
            format!("{}与{}的回避情形已登记", inspector.data.name, entity.data.name)
        })
    })?;
    tx.audit(
        actor,
        Change {
            action: "inspector_conflict.declare",
            object_type: "inspector",
            object_id: inspector_id.to_string(),
            region_code: Some(c.region_code.clone()),
            summary: format!("登记回避：{}与{}（{}）", inspector.data.name, entity.data.name, reason),
            before: None,
            after: Some(json!(c)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// Every declared pair among these inspectors, as (entity, inspector).
pub async fn among(
    store: &Store,
    actor: &Actor,
    inspectors: &[InspectorId],
) -> StoreResult<Vec<(EntityId, InspectorId)>> {
    let mut out = Vec::new();
    // Bounded IN lists: a province pool has thousands of inspectors.
    for chunk in inspectors.chunks(500) {
        let f = read_filter(actor, OWNER, chunk.len() + 1);
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT c.entity_id, c.inspector_id FROM inspector_conflicts c WHERE c.inspector_id IN ({}) AND {}",
            marks.join(", "),
            f.sql
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.to_string());
        }
        for r in f.bind(q).fetch_all(store.reader()).await? {
            out.push((
                parse_db(&r.try_get::<String, _>("entity_id")?)?,
                parse_db(&r.try_get::<String, _>("inspector_id")?)?,
            ));
        }
    }
    Ok(out)
}

/// An inspector's declarations, newest first.
pub async fn of_inspector(
    store: &Store,
    actor: &Actor,
    inspector_id: InspectorId,
) -> StoreResult<Vec<InspectorConflict>> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!(
        "SELECT c.id, c.inspector_id, c.entity_id, e.name AS entity_name, c.region_code, c.reason, c.declared_at \
         FROM inspector_conflicts c JOIN entities e ON e.id = c.entity_id \
         WHERE c.inspector_id = $1 AND {} ORDER BY c.declared_at DESC, c.id DESC",
        f.sql
    );
    let rows = f.bind(sqlx::query(&sql).bind(inspector_id.to_string())).fetch_all(store.reader()).await?;
    rows.iter()
        .map(|r| {
            Ok(InspectorConflict {
                id: parse_db(&r.try_get::<String, _>("id")?)?,
                inspector_id: parse_db(&r.try_get::<String, _>("inspector_id")?)?,
                entity_id: parse_db(&r.try_get::<String, _>("entity_id")?)?,
                entity_name: r.try_get("entity_name")?,
                region_code: r.try_get("region_code")?,
                reason: r.try_get("reason")?,
                declared_at: time::from_db(&r.try_get::<String, _>("declared_at")?)?,
            })
        })
        .collect()
}
