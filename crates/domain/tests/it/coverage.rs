//! Coverage per specialty on the demo, against a count made here from the raw
//! rows: the records' checked items looked up in their item lists, never the
//! store's own `inspection_specialties`.

use chrono::Datelike;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use weijian_domain::coverage;
use weijian_rules::registry::{EntityStatus, Registry};
use weijian_store::inspection_items::ItemListContent;
use weijian_store::page::Cursor;
use weijian_store::testing::actor;
use weijian_store::{both_backends, Store};

const COUNTY: &str = "131127";

/// Operating entities of the county: id → category.
async fn supervised(store: &Store) -> BTreeMap<String, String> {
    let rows = sqlx::query("SELECT id, category FROM entities WHERE region_code = $1 AND status = $2")
        .bind(COUNTY)
        .bind(EntityStatus::Operating.key())
        .fetch_all(store.reader())
        .await
        .unwrap();
    rows.iter().map(|r| (r.get::<String, _>("id"), r.get::<String, _>("category"))).collect()
}

/// (entity, specialty) pairs inspected in `year`: every item a record's task
/// named or its results checked, looked up in the task's item list.
async fn covered(store: &Store, year: i32) -> BTreeSet<(String, String)> {
    let lists: BTreeMap<String, ItemListContent> = sqlx::query("SELECT id, content FROM inspection_item_lists")
        .fetch_all(store.reader())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("id"), serde_json::from_str(&r.get::<String, _>("content")).unwrap()))
        .collect();
    let rows = sqlx::query(
        "SELECT i.entity_id, i.inspected_on, i.results, t.items, t.item_list_id FROM inspections i \
         JOIN inspection_tasks t ON t.id = i.task_id WHERE i.region_code = $1",
    )
    .bind(COUNTY)
    .fetch_all(store.reader())
    .await
    .unwrap();
    let mut out = BTreeSet::new();
    for r in &rows {
        let on = chrono::NaiveDate::parse_from_str(&r.get::<String, _>("inspected_on"), "%Y-%m-%d").unwrap();
        let Some(list) = r.get::<Option<String>, _>("item_list_id").and_then(|l| lists.get(&l)) else { continue };
        if on.year() != year {
            continue;
        }
        let results: Vec<serde_json::Value> = serde_json::from_str(&r.get::<String, _>("results")).unwrap();
        let items: Vec<String> = serde_json::from_str(&r.get::<String, _>("items")).unwrap();
        let codes = items.into_iter().chain(results.iter().map(|p| p["item"].as_str().unwrap().to_string()));
        for code in codes {
            if let Some(item) = list.item(&code) {
                out.insert((r.get("entity_id"), item.specialty.clone()));
            }
        }
    }
    out
}

both_backends! {
    async fn coverage_and_the_never_inspected_list_are_exact_on_the_demo(db: &TestDb) {
        // The demo as `weijian demo` makes it, for 枣强县 alone at a small scale.
        let today = weijian_domain::input::today();
        let zq = &weijian_demo::registry::DEMO_TARGETS[..1];
        weijian_demo::seed(&db.store).await.unwrap();
        weijian_demo::registry::seed(&db.store, zq, 60, 2026, today, |_, _| {}).await.unwrap();
        weijian_demo::inspections::seed(&db.store, zq, today).await.unwrap();
        let chief = actor(&db.store, "zq_chief").await;
        let year = today.year();
        let entities = supervised(&db.store).await;
        let covered = covered(&db.store, year).await;
        assert!(!covered.is_empty(), "the demo records inspections this year");
        let report = coverage::report(&db.store, &chief, year, Some(COUNTY), None).await.unwrap();
        let mut some_gap = false;
        let mut lists: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for s in &Registry::official().specialties {
            let under: BTreeSet<&String> =
                entities.iter().filter(|(_, c)| s.categories.contains(c)).map(|(id, _)| id).collect();
            let expected: BTreeSet<String> =
                under.iter().filter(|id| !covered.contains(&((**id).clone(), s.key.clone()))).map(|id| (*id).clone()).collect();
            some_gap |= !expected.is_empty() && expected.len() < under.len();

            // Every page of the never-inspected list, as a chief of the county reads it.
            let mut listed = BTreeSet::new();
            let mut after = None;
            loop {
                let page = coverage::never_inspected(&db.store, &chief, year, Some(COUNTY), Some(&s.key), after, Some(50))
                    .await
                    .unwrap();
                for e in page.items {
                    assert!(listed.insert(e.id.to_string()), "{} listed twice for {}", e.name, s.key);
                }
                match page.next {
                    Some(n) => after = Some(Cursor::decode(&n).unwrap()),
                    None => break,
                }
            }
            assert_eq!(listed, expected, "never inspected for {}", s.key);
            lists.insert(s.key.clone(), listed);

            let total = report.iter().find(|l| l.specialty == s.key && l.category.is_none()).unwrap();
            assert_eq!(
                (total.supervised, total.inspected),
                (under.len() as i64, (under.len() - expected.len()) as i64),
                "report line of {}",
                s.key
            );
        }
        assert!(some_gap, "the demo has a specialty partly covered, so the comparison can tell a wrong list");

        // A medical institution inspected for a medical item only (医疗服务 or
        // 传染病防治) is covered for that specialty and not for 放射.
        let medical = ["medical_services", "infectious_disease"];
        let has = |id: &String, s: &str| covered.contains(&(id.clone(), s.to_string()));
        let (hospital, specialty) = entities
            .iter()
            .filter(|(id, c)| *c == "medical_institution" && !has(id, "radiation"))
            .find_map(|(id, _)| medical.iter().find(|s| has(id, s)).map(|s| (id, *s)))
            .expect("the demo inspected a medical institution for a medical item only");
        assert!(lists["radiation"].contains(hospital), "not covered for 放射");
        assert!(!lists[specialty].contains(hospital), "covered for {specialty}");
    }
}
