//! Throughput of the pure rules: `cargo bench -p weijian-rules`.
//! A plain harness (no extra dependencies): each case runs for about a
//! second after a warm-up and reports the mean time per call and calls per
//! second. Figures go to docs/benchmarks.md.

use chrono::NaiveDate;
use std::hint::black_box;
use std::time::{Duration, Instant};
use weijian_rules::draw::{self, Beacon, DrawInput, Recusal, Snapshot, Stratum};
use weijian_rules::penalty::{self, Catalog, Decision, Facts, Party, PenaltyKind, Query};
use weijian_rules::points::{Event, Scheme, Subject};
use weijian_rules::{Calendar, Fen};

fn bench(name: &str, f: impl FnMut()) {
    bench_ops(name, 1, f)
}

/// `ops`: how many operations one call of `f` performs; figures are per operation.
fn bench_ops(name: &str, ops: u64, mut f: impl FnMut()) {
    for _ in 0..1_000 {
        f();
    }
    let mut calls: u64 = 0;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) {
        for _ in 0..100 {
            f();
        }
        calls += 100;
    }
    let per_op = start.elapsed().as_nanos() as f64 / (calls * ops) as f64;
    println!("{name:<60} {:>8.2} µs/op {:>10.0} ops/s", per_op / 1000.0, 1e9 / per_op);
}

fn main() {
    let catalog = Catalog::official();
    let none: Vec<String> = vec![];
    let circs: Vec<String> = vec!["cooperative".into(), "repeat_offence".into()];

    bench("evaluate: MED-001, income 6000 (floor multiple)", || {
        let facts = Facts { illegal_income: Some(Fen(600_000)), amount_involved: None };
        let q = Query { violation: "MED-001", party: Party::Legal, facts, circumstances: &none };
        black_box(penalty::evaluate(catalog, black_box(&q)).unwrap());
    });
    bench("evaluate: PUB-001, two circumstances", || {
        let q = Query { violation: "PUB-001", party: Party::Legal, facts: Facts::default(), circumstances: &circs };
        black_box(penalty::evaluate(catalog, black_box(&q)).unwrap());
    });
    let codes: Vec<&str> = catalog.violations.iter().map(|v| v.code.as_str()).collect();
    let n = codes.len();
    bench_ops(&format!("evaluate: each of the {n} catalog entries in turn (mean)"), n as u64, || {
        for code in &codes {
            let party = if catalog.get(code).unwrap().parties.contains(&Party::Citizen) {
                Party::Citizen
            } else {
                Party::Legal
            };
            let facts = Facts { illegal_income: Some(Fen(1_234_500)), amount_involved: None };
            let q = Query { violation: code, party, facts, circumstances: &none };
            black_box(penalty::evaluate(catalog, black_box(&q)).unwrap());
        }
    });
    bench("check: a decided PUB-001 penalty", || {
        let q = Query { violation: "PUB-001", party: Party::Legal, facts: Facts::default(), circumstances: &none };
        let d = Decision { kinds: vec![PenaltyKind::Warning], fine: Some(Fen(200_000)), ..Decision::default() };
        black_box(penalty::check(catalog, black_box(&q), &d).unwrap());
    });
    bench("catalog search: 母婴保健", || {
        black_box(catalog.search(black_box("母婴保健")));
    });
    let cal = Calendar::official();
    let from = NaiveDate::from_ymd_opt(2026, 9, 24).unwrap();
    bench("calendar: add_working_days(2026-09-24, 20)", || {
        black_box(cal.add_working_days(black_box(from), 20).unwrap());
    });
    let scheme = Scheme::official(Subject::Institution);
    let events: Vec<Event> =
        (1..=12).map(|m| Event { date: NaiveDate::from_ymd_opt(2026, m, 10).unwrap(), rule: "I-04".into() }).collect();
    let as_of = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    bench("points: standing of 12 events", || {
        black_box(scheme.standing(black_box(&events), as_of).unwrap());
    });
    random_draw();
}

/// Times `f` once as a warm-up and then `runs` times; prints the mean and the fastest.
fn bench_runs<T>(name: &str, runs: u32, mut f: impl FnMut() -> T) -> T {
    let mut out = f();
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        out = black_box(f());
        times.push(start.elapsed());
    }
    let mean = times.iter().sum::<Duration>() / runs;
    let min = times.iter().min().unwrap();
    println!("{name:<60} {:>8.1} ms mean {:>8.1} ms fastest ({runs} runs)", ms(mean), ms(*min));
    out
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The province-sized draw: 200,000 entities in 4 strata (2%, 5%, 10%, 20%),
/// 2,000 inspectors and 500 recusals, ids as long as the store's UUIDs.
fn random_draw() {
    const ENTITIES: usize = 200_000;
    let id = |i: usize| format!("01930000-0000-7000-8000-{i:012}");
    // Listed in a scrambled order, as a query may return them: freezing sorts.
    let scrambled = |i: usize| (i * 7_919) % ENTITIES;
    let strata: Vec<Stratum> = [("A", 20), ("B", 50), ("C", 100), ("D", 200)]
        .into_iter()
        .enumerate()
        .map(|(s, (name, permille))| Stratum {
            name: name.into(),
            permille,
            entity_ids: (0..ENTITIES).map(scrambled).filter(|e| e % 4 == s).map(id).collect(),
        })
        .collect();
    let inspectors: Vec<String> = (0..2_000).map(|i| format!("01940000-0000-7000-8000-{i:012}")).collect();
    let recusals: Vec<Recusal> =
        (0..500).map(|i| Recusal { entity: id(i * 397), inspector: inspectors[(i * 13) % 2_000].clone() }).collect();
    let input = DrawInput { plan_id: "2026-省级双随机-基准".into(), strata, inspectors, recusals };
    let beacon = Beacon::new("福彩3D 2026052期开奖号码 4 1 7", "benchmark").unwrap();

    let snapshot = bench_runs("draw: freeze 200,000 entities (sort, snapshot text, SHA-256)", 5, || {
        Snapshot::freeze(input.clone()).unwrap()
    });
    let record =
        bench_runs("draw: select 18,500 and assign 2 of 2,000 inspectors each", 5, || snapshot.draw(&beacon).unwrap());
    bench_runs("draw: whole draw from the inputs (freeze + draw)", 5, || {
        Snapshot::freeze(input.clone()).unwrap().draw(&beacon).unwrap()
    });
    let json = record.to_json();
    bench_runs("draw: verify the published files (parse, hash, re-derive)", 5, || {
        draw::verify(&json, snapshot.text()).unwrap()
    });
    println!(
        "  snapshot {:.1} MB, record {:.1} MB, {} selected",
        snapshot.text().len() as f64 / 1e6,
        json.len() as f64 / 1e6,
        record.selected_count()
    );
}
