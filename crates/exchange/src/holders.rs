//! Finding the registered entity a row names — a licence's holder, a
//! practitioner's primary institution — by its USCC, or by its name and
//! region, within what the actor may see. Lookups are cached per file.

use crate::file::RowRef;
use std::collections::HashMap;
use weijian_store::entities::{self, Entity, EntityData};
use weijian_store::ids::EntityId;
use weijian_store::{imports, time, Actor, Store, StoreResult};

/// How a sheet names the entity: its three columns and what it calls it.
pub struct Naming {
    pub uscc: &'static str,
    pub name: &'static str,
    pub region: &'static str,
    /// 持证单位, 第一执业机构 ...
    pub role: &'static str,
    /// What to import first when it is missing, e.g. 监管对象.
    pub import_first: &'static str,
}

/// Why no entity was found: (column, value, message).
pub type NotFound = (String, String, String);

/// Lookups by USCC or by region + name: the entity, or why none.
#[derive(Default)]
pub struct Holders(HashMap<String, Result<Entity, NotFound>>);

/// An entity standing in for one that was not found, so that the row's own
/// fields are still checked and every problem reported.
pub fn placeholder() -> Entity {
    let now = time::now();
    Entity { id: EntityId::new(), data: EntityData::named("", ""), version: 1, created_at: now, updated_at: now }
}

impl Holders {
    pub async fn find(
        &mut self,
        store: &Store,
        actor: &Actor,
        naming: &Naming,
        row: RowRef<'_>,
    ) -> StoreResult<Result<Entity, NotFound>> {
        let Naming { uscc: uscc_col, name: name_col, region: region_col, role, import_first } = *naming;
        let uscc = row.get(uscc_col).to_uppercase();
        let (name, region) = (row.get(name_col), row.get(region_col));
        let key = if !uscc.is_empty() { format!("u\n{uscc}") } else { format!("n\n{region}\n{name}") };
        if let Some(known) = self.0.get(&key) {
            return Ok(known.clone());
        }
        let mut conn = store.reader().acquire().await?;
        let found = if !uscc.is_empty() {
            match entities::find_natural(&mut conn, actor, Some(&uscc), "", "", None).await? {
                Some(e) => Ok(e),
                None => Err((
                    uscc_col.to_string(),
                    uscc.clone(),
                    format!("{role}未找到：统一社会信用代码 {uscc} 未登记，或不在您的辖区内（请先导入{import_first}）"),
                )),
            }
        } else if name.is_empty() || region.is_empty() {
            Err((uscc_col.to_string(), String::new(), format!("须填写{uscc_col}，或同时填写{name_col}和{region_col}")))
        } else {
            let ids = imports::entity_ids_by_name(&mut conn, actor, region, name).await?;
            drop(conn);
            match ids.as_slice() {
                [] => Err((
                    name_col.to_string(),
                    name.to_string(),
                    format!("{role}未找到：行政区划 {region} 内没有名为“{name}”的监管对象（请先导入{import_first}）"),
                )),
                [id] => Ok(entities::get(store, actor, *id).await?),
                _ => Err((
                    name_col.to_string(),
                    name.to_string(),
                    format!("行政区划 {region} 内有多家名为“{name}”的监管对象，请填写{uscc_col}"),
                )),
            }
        };
        self.0.insert(key, found.clone());
        Ok(found)
    }
}
