//! 监督覆盖率 per specialty: which specialties an inspection record checked
//! (kept beside the record, in its transaction), the counts of the coverage
//! report, and the entities not yet inspected. The report's arithmetic and
//! which categories a specialty supervises are the rules crate's.

use crate::ids::{parse_db, EntityId};
use crate::inspection_items::ItemListContent;
use crate::inspection_tasks::InspectionTask;
use crate::inspections::Inspection;
use crate::jurisdiction::{read_filter, Owner};
use crate::page::{self, Conditions, Cursor, Page};
use crate::{Actor, Store, StoreResult, WriteTx};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use weijian_rules::registry::EntityStatus;

const ENTITY_OWNER: Owner = Owner { region: "e.region_code", entity: Some("e.id") };

/// Writes the specialties a new record checked: those of the task's items and
/// of the items its results name, looked up in the task's published item list.
/// Call it in the transaction that inserts the record.
pub async fn mark(tx: &mut WriteTx, task: &InspectionTask, inspection: &Inspection) -> StoreResult<()> {
    let Some(list) = task.item_list_id else { return Ok(()) };
    let row = sqlx::query("SELECT content FROM inspection_item_lists WHERE id = $1")
        .bind(list.to_string())
        .fetch_optional(&mut *tx.conn())
        .await?;
    let Some(row) = row else { return Ok(()) };
    let content: ItemListContent = serde_json::from_str(&row.try_get::<String, _>("content")?)
        .map_err(|e| crate::StoreError::Corrupt(format!("抽查事项清单内容无法读取：{e}")))?;
    let codes: BTreeSet<&str> =
        task.items.iter().map(String::as_str).chain(inspection.data.results.iter().map(|r| r.item.as_str())).collect();
    let specialties: BTreeSet<&str> =
        codes.into_iter().filter_map(|c| content.item(c)).map(|i| i.specialty.as_str()).collect();
    for s in specialties {
        sqlx::query(
            "INSERT INTO inspection_specialties (inspection_id, specialty, entity_id, region_code, inspected_on) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(inspection.id.to_string())
        .bind(s)
        .bind(inspection.entity_id.to_string())
        .bind(&inspection.region_code)
        .bind(inspection.data.inspected_on.to_string())
        .execute(&mut *tx.conn())
        .await?;
    }
    Ok(())
}

/// The two counts of a coverage report, over operating entities of the scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Entities per category.
    pub supervised: BTreeMap<String, i64>,
    /// Distinct entities per (category, specialty) inspected for that specialty in the period.
    pub inspected: BTreeMap<(String, String), i64>,
}

fn scope(actor: &Actor, region_code: Option<&str>) -> Conditions {
    let mut c = Conditions::default();
    c.push_filter(read_filter(actor, ENTITY_OWNER, 1));
    c.push("e.status = ?", [EntityStatus::Operating.key().to_string()]);
    if let Some(code) = region_code {
        c.push(&page::in_region("e.region_code"), [code.to_string()]);
    }
    c
}

/// Counts for inspections dated `from` to `until` inclusive in the actor's
/// scope (optionally one region and below). Two grouped scans: entities over
/// their scope index, records over (entity, specialty, date); no per-row subquery.
pub async fn counts(
    store: &Store,
    actor: &Actor,
    region_code: Option<&str>,
    from: NaiveDate,
    until: NaiveDate,
) -> StoreResult<Counts> {
    let c = scope(actor, region_code);
    let sql = format!("SELECT e.category, COUNT(*) AS n FROM entities e WHERE {} GROUP BY e.category", c.sql());
    let mut out = Counts::default();
    for r in c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await? {
        out.supervised.insert(r.try_get("category")?, r.try_get("n")?);
    }
    let mut c = scope(actor, region_code);
    c.push("s.inspected_on >= ? AND s.inspected_on <= ?", [from.to_string(), until.to_string()]);
    let sql = format!(
        "SELECT e.category, s.specialty, COUNT(DISTINCT e.id) AS n FROM entities e \
         JOIN inspection_specialties s ON s.entity_id = e.id WHERE {} GROUP BY e.category, s.specialty",
        c.sql()
    );
    for r in c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await? {
        out.inspected.insert((r.try_get("category")?, r.try_get("specialty")?), r.try_get("n")?);
    }
    Ok(out)
}

/// An operating entity not inspected (for a specialty) in the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Uninspected {
    pub id: EntityId,
    pub name: String,
    pub category: String,
    pub region_code: String,
}

/// For which specialty: its key and the categories it supervises (rules data).
#[derive(Clone, Debug)]
pub struct SpecialtyScope<'a> {
    pub key: &'a str,
    pub categories: &'a [String],
}

#[derive(Clone, Debug)]
pub struct NeverInspectedQuery<'a> {
    pub region_code: Option<&'a str>,
    /// None: entities with no inspection at all in the period.
    pub specialty: Option<SpecialtyScope<'a>>,
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub after: Option<Cursor>,
    pub limit: Option<usize>,
}

/// Entities of the scope not inspected in the period (for the specialty, among
/// the categories it supervises), by name then id, in keyset pages. The NOT
/// EXISTS seeks one index per entity: (entity, specialty, date) or (entity, date).
pub async fn never_inspected(
    store: &Store,
    actor: &Actor,
    q: &NeverInspectedQuery<'_>,
) -> StoreResult<Page<Uninspected>> {
    let mut c = scope(actor, q.region_code);
    let period = [q.from.to_string(), q.until.to_string()];
    match &q.specialty {
        Some(s) => {
            if s.categories.is_empty() {
                return Ok(Page { items: vec![], next: None });
            }
            let marks = vec!["?"; s.categories.len()].join(", ");
            c.push(&format!("e.category IN ({marks})"), s.categories.iter().cloned());
            c.push(
                "NOT EXISTS (SELECT 1 FROM inspection_specialties s WHERE s.entity_id = e.id AND s.specialty = ? \
                 AND s.inspected_on >= ? AND s.inspected_on <= ?)",
                [s.key.to_string(), period[0].clone(), period[1].clone()],
            );
        }
        None => c.push(
            "NOT EXISTS (SELECT 1 FROM inspections i WHERE i.entity_id = e.id \
             AND i.inspected_on >= ? AND i.inspected_on <= ?)",
            period,
        ),
    }
    if let Some(after) = &q.after {
        c.push_after("e.name", "e.id", after);
    }
    let limit = page::clamp_limit(q.limit);
    let sql = format!(
        "SELECT e.id, e.name, e.category, e.region_code FROM entities e WHERE {} ORDER BY e.name, e.id LIMIT {}",
        c.sql(),
        limit + 1
    );
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(Uninspected {
                id: parse_db(&r.try_get::<String, _>("id")?)?,
                name: r.try_get("name")?,
                category: r.try_get("category")?,
                region_code: r.try_get("region_code")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |u| Cursor { key: u.name.clone(), id: u.id.to_string() }))
}
