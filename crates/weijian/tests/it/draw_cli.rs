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
    for d in draws.iter().filter(|d| d.status == PlanStatus::Frozen) {
        let snapshot = plans::public_snapshot(&store, d.id).await.unwrap();
        assert!(snapshot.starts_with("weijian-draw-v1\n") && d.record_sha256.is_none(), "{}", d.name);
        assert_eq!(plans::public_record(&store, d.id).await.unwrap_err().code, "random_plan.not_drawn");
    }
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
