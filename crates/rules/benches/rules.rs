//! Throughput of the pure rules: `cargo bench -p weijian-rules`.
//! A plain harness (no extra dependencies): each case runs for about a
//! second after a warm-up and reports the mean time per call and calls per
//! second. Figures go to docs/benchmarks.md.

use chrono::NaiveDate;
use std::hint::black_box;
use std::time::{Duration, Instant};
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
}
