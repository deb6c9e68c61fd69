//! 双随机 through the store on the province-sized dataset (issue 5 target: a
//! freeze and a draw together under 1 second on 2 cores, snapshot hashing
//! included).
//!
//! `cargo bench -p weijian --bench draw` generates 200,000 entities (as
//! `benches/registry.rs` does, here all in one county so that one plan's scope
//! covers them all) with 2,000 inspectors into a temporary SQLite database, and
//! into PostgreSQL too when WEIJIAN_BENCH_PG names a server (e.g.
//! postgres://postgres@127.0.0.1:5432/postgres). It publishes an item list and,
//! for each round, a plan over every category: then times the domain's
//! `freeze` (the scope read from the registry by the store, the inspector pool
//! and recusals, the snapshot text and its SHA-256, stored in one audited
//! transaction) and `draw` (the snapshot re-read and parsed, the draw, the
//! record and one inspection task per selected entity written in one audited
//! transaction). WEIJIAN_BENCH_ENTITIES overrides the 200,000 entities and
//! WEIJIAN_BENCH_ROUNDS the 3 rounds.

use std::time::{Duration, Instant};
use weijian_domain::demo_registry::{self, DEMO_TARGETS};
use weijian_domain::random_plans::{self as plans, DrawRequest, PlanInput};
use weijian_domain::{demo_inspections, inspection_items};
use weijian_rules::registry::Registry;
use weijian_store::units::{self, UnitKind};
use weijian_store::{Actor, DatabaseUrl, Open, Store};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

async fn run(store: &Store, name: &str) {
    let entities = env_number("WEIJIAN_BENCH_ENTITIES", 200_000);
    let rounds = env_number("WEIJIAN_BENCH_ROUNDS", 3);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let sys = Actor::system();
    weijian_domain::demo::seed(store).await.unwrap();
    let t = Instant::now();
    let made = demo_registry::seed(store, &DEMO_TARGETS[..1], entities, 2026, today, |_, _| {}).await.unwrap();
    println!(
        "\n{name}: generated {} entities and {} inspectors in one county in {:.0} s\n",
        made.entities,
        made.inspectors,
        t.elapsed().as_secs_f64()
    );
    if store.backend() == weijian_store::Backend::Postgres {
        sqlx::Executor::execute(store.reader(), "VACUUM ANALYZE").await.unwrap();
    }
    let unit = units::list(store, &sys)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.region_code == "131127" && u.kind == UnitKind::SupervisionInstitute)
        .expect("the county's supervision institute");
    let list = inspection_items::create_draft(store, &sys, unit.id, Some("基准测试抽查事项清单")).await.unwrap();
    let content = demo_inspections::items("BENCH");
    inspection_items::update_draft(store, &sys, list.id, &list.title, &content).await.unwrap();
    inspection_items::publish(store, &sys, list.id, "2026-01-01").await.unwrap();
    let registry = Registry::official();
    println!(
        "| round | in scope | selected | freeze | draw | freeze + draw |\n| ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    let mut totals = Vec::new();
    for round in 1..=rounds {
        let input = PlanInput {
            unit_id: unit.id.to_string(),
            name: format!("基准测试计划 {round}"),
            item_list_id: list.id.to_string(),
            items: content.items.iter().map(|i| i.code.clone()).collect(),
            period_from: today.to_string(),
            period_until: (today + chrono::Days::new(90)).to_string(),
            due_on: (today + chrono::Days::new(60)).to_string(),
            target_categories: registry.categories.iter().map(|c| c.key.clone()).collect(),
            pool_specialties: registry.specialties.iter().map(|s| s.key.clone()).collect(),
            ..Default::default()
        };
        let plan = plans::create(store, &sys, &input).await.unwrap();
        let plan = plans::publish(store, &sys, plan.id).await.unwrap();
        let in_scope = weijian_store::random_plans::scope_entities(store, &plan).await.unwrap().len();
        let t = Instant::now();
        plans::freeze(store, &sys, plan.id).await.unwrap();
        let freeze = t.elapsed();
        let beacon = DrawRequest { beacon: format!("基准 {round} 07 15 28"), beacon_source: "基准测试".into() };
        let t = Instant::now();
        let (_, record) = plans::draw(store, &sys, plan.id, &beacon).await.unwrap();
        let draw = t.elapsed();
        println!(
            "| {round} | {in_scope} | {} | {} | {} | {} |",
            record.assignments.len(),
            ms(freeze),
            ms(draw),
            ms(freeze + draw)
        );
        totals.push(freeze + draw);
    }
    totals.sort();
    println!("\n{name}: freeze + draw median {}, worst {}", ms(totals[totals.len() / 2]), ms(totals[totals.len() - 1]));
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("weijian-bench-draw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = DatabaseUrl::Sqlite(dir.join("bench.db"));
        let store = Store::open(&url, Open::CreateIfMissing).await.unwrap();
        store.migrate().await.unwrap();
        run(&store, "SQLite").await;
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        if let Ok(server) = std::env::var("WEIJIAN_BENCH_PG") {
            let db = format!("weijian_bench_draw_{}", std::process::id());
            sqlx::any::install_default_drivers();
            let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&server).await.unwrap();
            sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {db}").as_str()).await.unwrap();
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            let store =
                Store::open(&DatabaseUrl::Postgres(format!("{base}/{db}")), Open::CreateIfMissing).await.unwrap();
            store.migrate().await.unwrap();
            run(&store, "PostgreSQL").await;
            store.close().await;
            let _ = sqlx::Executor::execute(&mut admin, format!("DROP DATABASE {db} WITH (FORCE)").as_str()).await;
        }
    });
}
