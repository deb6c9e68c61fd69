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
//! WEIJIAN_BENCH_ROUNDS the 3 rounds; WEIJIAN_BENCH_BREAKDOWN=1 adds a plan
//! timed step by step; WEIJIAN_BENCH_KEEP=1 keeps the SQLite database.

use std::time::{Duration, Instant};
use weijian_demo::inspections as demo_inspections;
use weijian_demo::registry::{self as demo_registry, DEMO_TARGETS};
use weijian_domain::inspection_items;
use weijian_domain::random_plans::{self as plans, DrawRequest, PlanInput};
use weijian_rules::registry::Registry;
use weijian_store::units::{self, UnitKind};
use weijian_store::{Actor, DatabaseUrl, Open, Store};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// This process's CPU time so far, all threads, user and system (Linux; 10 ms
/// ticks). With SQLite all the work is in the process, so this is what the
/// draw costs whatever else the machine runs; with PostgreSQL the server's part is not in it.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<u64>().ok()).sum();
    Duration::from_millis(ticks * 10)
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

async fn run(store: &Store, name: &str) {
    let entities = env_number("WEIJIAN_BENCH_ENTITIES", 200_000);
    let rounds = env_number("WEIJIAN_BENCH_ROUNDS", 3);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let sys = Actor::system();
    weijian_demo::seed(store).await.unwrap();
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
    inspection_items::publish(store, &sys, list.id, None, "2026-01-01").await.unwrap();
    let registry = Registry::official();
    println!(
        "| round | in scope | selected | freeze | draw | freeze + draw | CPU of this process |\n\
         | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    let mut totals = Vec::new();
    let base_input = PlanInput {
        unit_id: unit.id.to_string(),
        name: String::new(),
        item_list_id: list.id.to_string(),
        items: content.items.iter().map(|i| i.code.clone()).collect(),
        period_from: today.to_string(),
        period_until: (today + chrono::Days::new(90)).to_string(),
        due_on: (today + chrono::Days::new(60)).to_string(),
        target_categories: registry.categories.iter().map(|c| c.key.clone()).collect(),
        pool_specialties: registry.specialties.iter().map(|s| s.key.clone()).collect(),
        ..Default::default()
    };
    for round in 1..=rounds {
        let input = PlanInput { name: format!("基准测试计划 {round}"), ..base_input.clone() };
        let plan = plans::create(store, &sys, &input).await.unwrap();
        let plan = plans::publish(store, &sys, plan.id, None).await.unwrap();
        let (t, c) = (Instant::now(), cpu());
        plans::freeze(store, &sys, plan.id, None).await.unwrap();
        let freeze = t.elapsed();
        let beacon =
            DrawRequest {
                beacon: format!("基准 {round} 07 15 28"), beacon_source: "基准测试".into(), version: None
            };
        let t = Instant::now();
        let (_, record) = plans::draw(store, &sys, plan.id, &beacon).await.unwrap();
        let draw = t.elapsed();
        let spent = cpu() - c;
        let in_scope = weijian_store::random_plans::scope_entities(store, &plan).await.unwrap().len();
        println!(
            "| {round} | {in_scope} | {} | {} | {} | {} | {} |",
            record.assignments.len(),
            ms(freeze),
            ms(draw),
            ms(freeze + draw),
            ms(spent)
        );
        totals.push(freeze + draw);
    }
    if std::env::var_os("WEIJIAN_BENCH_BREAKDOWN").is_some() {
        let mut input = base_input.clone();
        input.name = "基准测试计划（分步）".into();
        breakdown(store, &input).await;
    }
    totals.sort();
    println!("\n{name}: freeze + draw median {}, worst {}", ms(totals[totals.len() / 2]), ms(totals[totals.len() - 1]));
}

/// The same steps one by one, to see where the time goes.
async fn breakdown(store: &Store, input: &PlanInput) {
    use weijian_rules::draw::{Beacon, Snapshot};
    use weijian_store::random_plans as rp;
    let sys = Actor::system();
    let plan = plans::create(store, &sys, input).await.unwrap();
    let plan = plans::publish(store, &sys, plan.id, None).await.unwrap();
    let mut steps: Vec<(&str, Duration)> = Vec::new();
    let t = Instant::now();
    let scope = rp::scope_entities(store, &plan).await.unwrap();
    steps.push(("freeze: read the scope's entities (store)", t.elapsed()));
    let t = Instant::now();
    let draw_input = plans::draw_input(store, &sys, &plan).await.unwrap();
    steps.push(("freeze: the whole draw input (scope, pool, recusals)", t.elapsed()));
    let t = Instant::now();
    let snapshot = Snapshot::freeze(draw_input).unwrap();
    steps.push(("freeze: snapshot text and SHA-256", t.elapsed()));
    let t = Instant::now();
    let plan = rp::freeze(store, &sys, &plan, None, snapshot.text(), snapshot.hash()).await.unwrap();
    steps.push(("freeze: store the snapshot (audited)", t.elapsed()));
    let t = Instant::now();
    let (text, _) = rp::documents(store, plan.id).await.unwrap();
    steps.push(("draw: read the snapshot back", t.elapsed()));
    let t = Instant::now();
    let snapshot = Snapshot::parse(&text).unwrap();
    steps.push(("draw: parse the snapshot", t.elapsed()));
    let t = Instant::now();
    let record = snapshot.draw(&Beacon::new("基准 分步", "基准测试").unwrap()).unwrap();
    steps.push(("draw: select and assign", t.elapsed()));
    let t = Instant::now();
    let tasks: Vec<rp::DrawnTask> = record
        .assignments
        .iter()
        .map(|a| rp::DrawnTask {
            entity_id: a.entity.parse().unwrap(),
            inspectors: [a.inspectors[0].parse().unwrap(), a.inspectors[1].parse().unwrap()],
        })
        .collect();
    let json = record.to_json();
    steps.push(("draw: the record as JSON", t.elapsed()));
    let t = Instant::now();
    rp::record_draw(store, &sys, &plan, None, "基准 分步", "基准测试", &json, &tasks).await.unwrap();
    steps.push(("draw: store the record and the tasks (audited)", t.elapsed()));
    println!("\n| step ({} in scope, {} tasks) | time |\n| --- | ---: |", scope.len(), tasks.len());
    for (label, d) in steps {
        println!("| {label} | {} |", ms(d));
    }
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
        if std::env::var_os("WEIJIAN_BENCH_KEEP").is_some() {
            println!("\nkept the SQLite database {}", dir.join("bench.db").display());
        } else {
            let _ = std::fs::remove_dir_all(&dir);
        }
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
