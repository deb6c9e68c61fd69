//! `weijian draw verify`, run as an auditor would on the two published files.

use crate::common::weijian;
use std::path::{Path, PathBuf};
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The rules crate's golden draw: a record and the snapshot it was drawn from.
fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/tests/data").join(name)
}

fn scratch(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("weijian-draw-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn verify(record: &Path, snapshot: &Path) -> Output {
    weijian(&["draw", "verify", record.to_str().unwrap(), snapshot.to_str().unwrap()])
}

#[test]
fn draw_verify_has_help() {
    for args in [vec!["draw", "--help"], vec!["draw", "verify", "--help"]] {
        let o = weijian(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_published_draw_verifies_with_its_confirmation() {
    let o = verify(&golden("draw-golden-record.json"), &golden("draw-golden-snapshot.txt"));
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    for words in [
        "核验通过",
        "The draw verifies",
        "计划：2026-双随机-001",
        "快照哈希：c98fdfa1",
        "层 B：比例 150‰，名录 8 户，抽中 2 户",
        "共抽中 7 户，分派 7 组执法人员（执法人员 6 名，回避 2 对）",
    ] {
        assert!(out.contains(words), "missing {words:?} in\n{out}");
    }
}

#[test]
fn an_altered_record_fails_with_the_first_difference() {
    let record = std::fs::read_to_string(golden("draw-golden-record.json")).unwrap();
    // The golden record selects ENT-B001 then ENT-B004 in stratum B.
    assert!(record.contains("\"ENT-B004\""));
    let altered = scratch("altered.json", &record.replacen("\"ENT-B004\"", "\"ENT-B007\"", 1));
    let o = verify(&altered, &golden("draw-golden-snapshot.txt"));
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("核验不通过（draw.selection_mismatch）"), "{out}");
    assert!(out.contains("stratum B selected[1]: record says ENT-B007, re-derived ENT-B004"), "{out}");
}

#[test]
fn an_altered_snapshot_fails_on_its_hash() {
    let text = std::fs::read_to_string(golden("draw-golden-snapshot.txt")).unwrap();
    let altered = scratch("altered.txt", &text.replace("i:INS-006\n", "i:INS-007\n"));
    let o = verify(&golden("draw-golden-record.json"), &altered);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("draw.snapshot_hash_mismatch"), "{}", stdout(&o));
}

#[test]
fn unreadable_or_malformed_files_exit_2() {
    let snapshot = golden("draw-golden-snapshot.txt");
    let record = golden("draw-golden-record.json");
    let o = verify(Path::new("/nonexistent/record.json"), &snapshot);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("无法读取抽取记录"), "{}", stderr(&o));
    let text = std::fs::read_to_string(&snapshot).unwrap();
    let crlf = scratch("crlf.txt", &text.replace('\n', "\r\n"));
    let o = verify(&record, &crlf);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("快照第 1 行"), "{}", stderr(&o));
    assert!(stderr(&o).contains("draw.snapshot_malformed"), "{}", stderr(&o));
    let o = verify(&scratch("bad.json", "not json"), &snapshot);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("draw.record_malformed"), "{}", stderr(&o));
    // The files swapped by mistake: neither parses as what it should be.
    let o = verify(&snapshot, &record);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// The demo's draws, in every jurisdiction: one whose results are published
/// (its record public, hashing to its commitment), one drawn and in progress
/// (its commitment public, its record not yet), one frozen (its snapshot
/// only). Every drawn record verifies with the CLI against its snapshot.
#[tokio::test]
async fn the_demo_draws_verify_from_their_public_files() {
    let dir = std::env::temp_dir().join(format!("weijian-draw-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = weijian(&["demo", "--data", dir.to_str().unwrap(), "--no-serve"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let url = weijian_store::DatabaseUrl::Sqlite(dir.join("weijian.db"));
    let store = weijian_store::Store::open(&url, weijian_store::Open::Existing).await.unwrap();
    use weijian_domain::random_plans as plans;
    use weijian_rules::inspection::PlanStatus;
    let draws = plans::public_draws(&store, None).await.unwrap();
    let count = |s: PlanStatus| draws.iter().filter(|d| d.status == s).count();
    assert_eq!(
        (
            count(PlanStatus::ResultsPublished),
            count(PlanStatus::Drawn) + count(PlanStatus::InProgress),
            count(PlanStatus::Frozen)
        ),
        (5, 5, 5),
        "one of each in every demo jurisdiction"
    );
    let today = weijian_domain::input::today();
    for d in draws.iter().filter(|d| d.status != PlanStatus::Frozen) {
        let (snapshot, record) = plans::documents(&store, &weijian_store::Actor::system(), d.id).await.unwrap();
        let record = record.unwrap();
        assert_eq!(
            d.record_sha256.as_deref(),
            Some(weijian_rules::draw::record_sha256(&record).as_str()),
            "{}",
            d.name
        );
        match plans::public_record(&store, d.id).await {
            Ok(public) => {
                assert_eq!(d.status, PlanStatus::ResultsPublished, "{}", d.name);
                assert_eq!(public, record);
            }
            Err(e) => {
                assert!(!d.record_released(today), "{}", d.name);
                assert_eq!(e.code, "random_plan.record_not_released", "{}", d.name);
            }
        }
        let record_file = scratch(&format!("{}-record.json", d.id), &record);
        let snapshot_file = scratch(&format!("{}-snapshot.txt", d.id), &snapshot);
        let o = verify(&record_file, &snapshot_file);
        assert_eq!(o.status.code(), Some(0), "{}: {}{}", d.name, stdout(&o), stderr(&o));
    }
    // Every drawn plan names only inspectors whose 执法证 holds from its start to its due date.
    let sys = weijian_store::Actor::system();
    for d in draws.iter().filter(|d| d.status != PlanStatus::Frozen) {
        let plan = plans::get(&store, &sys, d.id).await.unwrap();
        let q = weijian_store::inspection_tasks::Query { plan_id: Some(d.id), limit: Some(500), ..Default::default() };
        let tasks = weijian_store::inspection_tasks::list(&store, &sys, &q).await.unwrap().items;
        assert!(!tasks.is_empty(), "{}", d.name);
        for t in tasks {
            for i in t.inspectors {
                let i = weijian_store::inspectors::get(&store, &sys, i).await.unwrap();
                assert!(
                    i.may_enforce_throughout(plan.data.start_on, plan.data.due_on),
                    "{}: {} (执法证至 {}) drawn for {} due {}",
                    d.name,
                    i.data.name,
                    i.data.cert_valid_until,
                    t.entity_name,
                    plan.data.due_on
                );
            }
        }
    }
    substitution_keeps_the_draw_verifiable(&store, &draws).await;
    for d in draws.iter().filter(|d| d.status == PlanStatus::Frozen) {
        let snapshot = plans::public_snapshot(&store, d.id).await.unwrap();
        assert!(snapshot.starts_with("weijian-draw-v1\n") && d.record_sha256.is_none(), "{}", d.name);
        assert_eq!(plans::public_record(&store, d.id).await.unwrap_err().code, "random_plan.not_drawn");
    }
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A chief replaces an inspector on a drawn plan in progress: the record and
/// its commitment stay as drawn and the CLI still verifies them; the
/// substitution is listed for staff, and publicly only once the record is.
async fn substitution_keeps_the_draw_verifiable(
    store: &weijian_store::Store,
    draws: &[weijian_store::random_plans::PublicDraw],
) {
    use weijian_domain::random_plans as plans;
    use weijian_domain::substitutions::{self, SubstitutionInput};
    use weijian_rules::inspection::{PlanStatus, TaskStatus};
    let sys = weijian_store::Actor::system();
    let today = weijian_domain::input::today();
    let d = draws.iter().find(|d| matches!(d.status, PlanStatus::Drawn | PlanStatus::InProgress)).unwrap();
    let plan = plans::get(store, &sys, d.id).await.unwrap();
    let q = weijian_store::inspection_tasks::Query {
        plan_id: Some(d.id),
        status: Some(TaskStatus::Assigned),
        limit: Some(1),
        ..Default::default()
    };
    let task = weijian_store::inspection_tasks::list(store, &sys, &q).await.unwrap().items.remove(0);
    let data = weijian_store::inspectors::InspectorData {
        user_id: None,
        name: "替补执法员".into(),
        unit_id: plan.data.pool_unit_id.unwrap_or(plan.data.unit_id),
        cert_no: "DEMO-SUB-0001".into(),
        cert_valid_from: today - chrono::Days::new(30),
        cert_valid_until: task.due_on + chrono::Days::new(30),
        specialties: vec!["public_places".into()],
        status: weijian_rules::registry::InspectorStatus::Active,
        phone: None,
    };
    let newcomer = weijian_store::inspectors::create(store, &sys, &data).await.unwrap();
    let before = plans::documents(store, &sys, d.id).await.unwrap();
    let input = SubstitutionInput {
        replace: task.inspectors[0].to_string(),
        with: newcomer.id.to_string(),
        reason: "原执法人员因病住院".into(),
        version: Some(task.version),
    };
    let after = substitutions::substitute(store, &sys, task.id, &input).await.unwrap();
    assert_eq!(after.inspectors, [newcomer.id, task.inspectors[1]]);
    assert_eq!(plans::documents(store, &sys, d.id).await.unwrap(), before, "the draw's files are untouched");
    assert_eq!(plans::public_draw(store, d.id).await.unwrap().record_sha256, d.record_sha256);
    let (snapshot, record) = before;
    let o =
        verify(&scratch("substituted-record.json", &record.unwrap()), &scratch("substituted-snapshot.txt", &snapshot));
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let listed = substitutions::of_plan(store, &sys, d.id).await.unwrap();
    assert_eq!((listed.len(), listed[0].replaced, listed[0].with), (1, task.inspectors[0], newcomer.id));
    let e = substitutions::public_of_plan(store, d.id).await.unwrap_err();
    assert_eq!(e.code, "random_plan.record_not_released");
    // The published plan's tasks are all recorded: nothing left to substitute.
    let done = draws.iter().find(|d| d.status == PlanStatus::ResultsPublished).unwrap();
    let q = weijian_store::inspection_tasks::Query { plan_id: Some(done.id), limit: Some(1), ..Default::default() };
    let task = weijian_store::inspection_tasks::list(store, &sys, &q).await.unwrap().items.remove(0);
    let input = SubstitutionInput { replace: task.inspectors[0].to_string(), version: None, ..input };
    assert_eq!(
        substitutions::substitute(store, &sys, task.id, &input).await.unwrap_err().code,
        "inspection_task.not_open"
    );
    assert!(substitutions::public_of_plan(store, done.id).await.unwrap().is_empty());
}
