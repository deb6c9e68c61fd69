//! Jurisdiction (辖区), enforced here and nowhere else.
//!
//! Reads: a user sees rows whose region lies in the subtree of their own
//! region; an institution user sees only rows of its own entity. Every scoped
//! query in the store takes its WHERE fragment from [`read_filter`]; a row
//! outside the scope is simply not found, so its existence does not leak.
//!
//! Writes: [`authorize_write`] allows one's own region, and the subtree below
//! it only for a role that explicitly may write there.

use crate::actor::{Actor, Standing};
use crate::ids::EntityId;
use crate::{StoreError, StoreResult};
use sqlx::AnyConnection;

/// How a table records who owns a row.
#[derive(Clone, Copy, Debug)]
pub struct Owner {
    /// The (qualified) column holding the row's region code.
    pub region: &'static str,
    /// The column holding the supervised entity, for tables an institution may see.
    pub entity: Option<&'static str>,
}

/// A WHERE fragment and the values it binds, numbered from the caller's next placeholder.
pub struct Filter {
    pub sql: String,
    pub binds: Vec<String>,
}

pub fn read_filter(actor: &Actor, owner: Owner, next_placeholder: usize) -> Filter {
    match &actor.standing {
        Standing::System => Filter { sql: "1 = 1".into(), binds: vec![] },
        Standing::User { entity_id: Some(entity), .. } => match owner.entity {
            Some(col) => Filter { sql: format!("{col} = ${next_placeholder}"), binds: vec![entity.to_string()] },
            None => Filter { sql: "1 = 0".into(), binds: vec![] },
        },
        Standing::User { region_path, .. } => Filter {
            sql: format!("{} IN (SELECT code FROM regions WHERE path LIKE ${next_placeholder})", owner.region),
            binds: vec![format!("{region_path}%")],
        },
    }
}

/// What a write touches: the region that owns it and, for entity records, the entity.
pub struct WriteTarget<'a> {
    pub region_code: &'a str,
    pub entity_id: Option<EntityId>,
}

pub async fn authorize_write(conn: &mut AnyConnection, actor: &Actor, target: WriteTarget<'_>) -> StoreResult<()> {
    let Standing::User { role, region_code, region_path, entity_id, .. } = &actor.standing else {
        return Ok(());
    };
    if let Some(own) = entity_id {
        return if target.entity_id == Some(*own) {
            Ok(())
        } else {
            Err(StoreError::Forbidden("机构用户只能操作本机构的数据".into()))
        };
    }
    if target.region_code == region_code.as_str() {
        return Ok(());
    }
    if role.writes_subordinate_regions() {
        let path: Option<(String,)> = sqlx::query_as("SELECT path FROM regions WHERE code = $1")
            .bind(target.region_code)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some((path,)) = path {
            if path.starts_with(region_path.as_str()) {
                return Ok(());
            }
        }
    }
    Err(StoreError::Forbidden("无权操作本辖区以外的数据".into()))
}

pub type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

impl Filter {
    /// Binds the filter's values after the caller's own.
    pub fn bind<'q>(&'q self, mut q: AnyQuery<'q>) -> AnyQuery<'q> {
        for b in &self.binds {
            q = q.bind(b.as_str());
        }
        q
    }
}
