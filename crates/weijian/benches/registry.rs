//! Registry lists and search on the province-sized dataset (issue 4 targets:
//! p95 under 50 ms for a list page, under 100 ms for a search, on 2 cores).
//!
//! `cargo bench -p weijian --bench registry` generates the dataset (200,000
//! entities with their licences, as `weijian demo --scale province` does) into
//! a temporary SQLite database, and into PostgreSQL too when
//! WEIJIAN_BENCH_PG names a server (e.g. postgres://postgres@127.0.0.1:5432/postgres);
//! then times list pages and searches through the same store functions the API
//! calls. WEIJIAN_BENCH_PER_REGION overrides the 40,000 entities per region;
//! WEIJIAN_BENCH_KEEP keeps the PostgreSQL database for looking at query plans.

use std::time::{Duration, Instant};
use weijian_demo::registry::{self as demo_registry, DEMO_TARGETS};
use weijian_rules::RegionCode;
use weijian_store::actor::Standing;
use weijian_store::entities::{self, Query, Sort};
use weijian_store::page::Page;
use weijian_store::{Actor, DatabaseUrl, Open, Role, Store};

fn county_inspector() -> Actor {
    Actor {
        standing: Standing::User {
            user_id: Default::default(),
            username: "bench".into(),
            role: Role::Inspector,
            region_code: RegionCode::parse("131127").unwrap(),
            region_path: "/130000/131100/131127/".into(),
            unit_id: None,
            entity_id: None,
        },
        ip: None,
        request_id: None,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn time_case(store: &Store, actor: &Actor, label: &str, queries: &[Query]) {
    let mut samples = Vec::new();
    // Warm-up, then 5 rounds over the queries.
    for q in queries {
        let _ = entities::list(store, actor, q).await.unwrap();
    }
    let mut found = 0;
    for _ in 0..5 {
        for q in queries {
            let t = Instant::now();
            let page: Page<_> = entities::list(store, actor, q).await.unwrap();
            samples.push(t.elapsed());
            found += page.items.len();
        }
    }
    samples.sort();
    println!(
        "| {label} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {} |",
        samples.len(),
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.95).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3,
        found / samples.len().max(1),
    );
}

async fn run(store: &Store, name: &str) {
    let per_region: usize =
        std::env::var("WEIJIAN_BENCH_PER_REGION").ok().and_then(|s| s.parse().ok()).unwrap_or(40_000);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    weijian_demo::seed(store).await.unwrap();
    let t = Instant::now();
    let made = demo_registry::seed(store, DEMO_TARGETS, per_region, 2026, today, |_, _| {}).await.unwrap();
    println!(
        "\n{name}: generated {} entities and {} licences in {:.0} s\n",
        made.entities,
        made.licences,
        t.elapsed().as_secs_f64()
    );
    // Fresh statistics, as PostgreSQL's autovacuum would leave them.
    if store.backend() == weijian_store::Backend::Postgres {
        sqlx::Executor::execute(store.reader(), "VACUUM ANALYZE").await.unwrap();
    }
    println!("| case | queries | p50 | p95 | max | rows/page |\n| --- | ---: | ---: | ---: | ---: | ---: |");
    let system = Actor::system();
    let county = county_inspector();
    // First pages and pages deep into the list (a cursor from a name in the middle).
    let mut list = vec![Query::default(), Query { sort: Sort::Newest, ..Default::default() }];
    for key in ["枣庄市", "海口市金源", "翁源县", "上党区碧水"] {
        list.push(Query {
            after: Some(weijian_store::page::Cursor { key: key.into(), id: uuid_zero() }),
            ..Default::default()
        });
    }
    time_case(store, &system, "list page, whole dataset (50 rows)", &list).await;
    let filtered: Vec<Query> = ["medical_institution", "public_place", "school", "water_supply"]
        .into_iter()
        .map(|c| Query { category: Some(c.into()), ..Default::default() })
        .collect();
    time_case(store, &county, "list page, one county, by category", &filtered).await;
    let words = ["诊所", "宾馆", "城关", "卫生院", "碧水", "中山路", "91131127", "冀卫医证字", "不存在的名称"];
    let searches: Vec<Query> = words.iter().map(|w| Query { q: Some(w.to_string()), ..Default::default() }).collect();
    time_case(store, &system, "search, whole dataset", &searches).await;
    time_case(store, &county, "search, one county (40,000 entities)", &searches).await;
}

fn uuid_zero() -> String {
    "00000000-0000-7000-8000-000000000000".into()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("weijian-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = DatabaseUrl::Sqlite(dir.join("bench.db"));
        let store = Store::open(&url, Open::CreateIfMissing).await.unwrap();
        store.migrate().await.unwrap();
        run(&store, "SQLite").await;
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        if let Ok(server) = std::env::var("WEIJIAN_BENCH_PG") {
            let db = format!("weijian_bench_{}", std::process::id());
            sqlx::any::install_default_drivers();
            let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&server).await.unwrap();
            sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {db}").as_str()).await.unwrap();
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            let store =
                Store::open(&DatabaseUrl::Postgres(format!("{base}/{db}")), Open::CreateIfMissing).await.unwrap();
            store.migrate().await.unwrap();
            run(&store, "PostgreSQL").await;
            store.close().await;
            if std::env::var_os("WEIJIAN_BENCH_KEEP").is_some() {
                println!("\nkept the PostgreSQL database {db} for inspection");
            } else {
                let _ = sqlx::Executor::execute(&mut admin, format!("DROP DATABASE {db} WITH (FORCE)").as_str()).await;
            }
        }
    });
}
