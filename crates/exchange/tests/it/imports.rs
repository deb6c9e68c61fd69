//! Imports and exports end to end on both backends: every problem reported
//! with its row and column, nothing written from a bad file, idempotent
//! re-imports, clean-rows-only, XLSX round trips, jurisdiction, and a large
//! file as a background job.

use crate::common::*;
use weijian_exchange::{export, template, ExportQuery, Format, Import, Kind, Mode};
use weijian_store::imports::JobStatus;
use weijian_store::testing::TestDb;
use weijian_store::testing::{actor, count, csv, uscc};
use weijian_store::{both_backends, Store};

const ENTITY_HEADERS: &[&str] =
    &["名称", "统一社会信用代码", "无代码原因", "行政区划代码", "类别", "医疗机构类别", "床位数", "地址"];

fn entity_file(rows: &[[&str; 8]]) -> Vec<u8> {
    let mut all: Vec<&[&str]> = vec![ENTITY_HEADERS];
    all.extend(rows.iter().map(|r| &r[..]));
    csv(&all)
}

const LICENCE_HEADERS: &[&str] = &["持证单位统一社会信用代码", "许可证种类", "许可证编号", "发证日期", "有效期至"];

both_backends! {
    async fn a_bad_file_is_reported_in_full_and_writes_nothing(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let admin = actor(s, "zq_admin").await;
        let good = uscc(1, "131127");
        let file = entity_file(&[
            ["枣强县第一诊所", &good, "", "131127", "医疗机构", "诊所", "5", "枣强镇"],
            ["枣强县第二诊所", "91131127MA0000000X", "", "131127", "医疗机构", "诊所", "", ""],
            ["某宠物店", &uscc(2, "131127"), "", "131127", "宠物店", "", "", ""],
            ["枣强县第一诊所分部", &good, "", "131127", "医疗机构", "诊所", "abc", ""],
        ]);
        let (entities, events) = (count(s, "entities").await, count(s, "audit_events").await);
        let job = import(s, &admin, Kind::Entities, Mode::AllOrNothing, "bad.csv", &file).await;
        assert_eq!(job.status, JobStatus::Failed, "{job:?}");
        let ps = problems(&job);
        assert!(has(&ps, 3, "统一社会信用代码", "entity.invalid_uscc"), "{ps:#?}");
        assert!(has(&ps, 4, "类别", "entity.unknown_category"), "{ps:#?}");
        assert!(has(&ps, 2, "统一社会信用代码", "import.duplicate_key"), "{ps:#?}");
        assert!(has(&ps, 5, "统一社会信用代码", "import.duplicate_key"), "{ps:#?}");
        assert!(has(&ps, 5, "床位数", "entity.invalid_attribute"), "{ps:#?}");
        assert_eq!(job.problem_count as usize, ps.len());
        assert!(ps.windows(2).all(|w| w[0].row <= w[1].row), "sorted by row");
        assert!(job.error.as_deref().unwrap_or_default().contains("未导入任何数据"));
        assert_eq!((count(s, "entities").await, count(s, "audit_events").await), (entities, events));

        // Licences: end before start, the same number twice, a holder not found.
        let holder = uscc(10, "131127");
        let ok = import(s, &admin, Kind::Entities, Mode::AllOrNothing, "one.csv",
            &entity_file(&[["枣强县人民医院", &holder, "", "131127", "医疗机构", "综合医院", "300", "枣强镇"]])).await;
        assert_eq!((ok.status, ok.created_rows), (JobStatus::Done, 1), "{ok:?}");
        let file = csv(&[
            LICENCE_HEADERS,
            &[&holder, "医疗机构执业许可证", "PDY0001", "2024-03-01", "2029-02-28"],
            &[&holder, "医疗机构执业许可证", "PDY0002", "2024-03-01", "2023-12-31"],
            &[&holder, "医疗机构执业许可证", "PDY0001", "2024-05-01", ""],
            &[&uscc(99, "131127"), "医疗机构执业许可证", "PDY0003", "2024-03-01", ""],
            &[&holder, "宠物诊疗许可证", "PDY0004", "2024-03-01", ""],
        ]);
        let (licences, events) = (count(s, "licences").await, count(s, "audit_events").await);
        let job = import(s, &admin, Kind::Licences, Mode::AllOrNothing, "licences.csv", &file).await;
        assert_eq!(job.status, JobStatus::Failed);
        let ps = problems(&job);
        assert!(has(&ps, 3, "有效期至", "licence.ends_before_start"), "{ps:#?}");
        assert!(has(&ps, 2, "许可证编号", "import.duplicate_key"), "{ps:#?}");
        assert!(has(&ps, 4, "许可证编号", "import.duplicate_key"), "{ps:#?}");
        assert!(has(&ps, 5, "持证单位统一社会信用代码", "licence.holder_not_found"), "{ps:#?}");
        assert!(has(&ps, 6, "许可证种类", "licence.unknown_kind"), "{ps:#?}");
        assert_eq!((count(s, "licences").await, count(s, "audit_events").await), (licences, events));

        // Headers: an unknown column and a missing required one, on row 1.
        let job = import(s, &admin, Kind::Entities, Mode::CleanRowsOnly, "h.csv",
            &csv(&[&["名称", "行政区划代码", "备注"], &["甲", "131127", "x"]])).await;
        assert_eq!(job.status, JobStatus::Failed);
        let ps = problems(&job);
        assert!(has(&ps, 1, "备注", "import.unknown_header"), "{ps:#?}");
        assert!(has(&ps, 1, "类别", "import.missing_header"), "{ps:#?}");
        assert_eq!(count(s, "entities").await, entities + 1);
    }

    async fn a_clean_file_imports_once_and_again_changes_nothing(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let admin = actor(s, "zq_admin").await;
        let (a, b) = (uscc(1, "131127"), uscc(2, "131127"));
        let file = csv(&[
            &["名称", "统一社会信用代码", "无代码原因", "行政区划代码", "类别", "医疗机构类别", "床位数", "场所类型", "地址"],
            &["枣强县人民医院", &a, "", "131127", "医疗机构", "综合医院", "300", "", "枣强镇"],
            &["枣强县某宾馆", &b, "", "131127", "公共场所", "", "", "住宿", "枣强镇"],
            &["王某诊所", "", "个体从业者", "131127", "医疗机构", "诊所", "", "", "大营镇"],
        ]);
        let entities = count(s, "entities").await;
        let first = import(s, &admin, Kind::Entities, Mode::AllOrNothing, "e.csv", &file).await;
        assert_eq!(first.status, JobStatus::Done, "{:#?} {:?}", problems(&first), first.error);
        assert_eq!((first.created_rows, first.updated_rows, first.unchanged_rows), (3, 0, 0));
        assert_eq!((first.processed_rows, first.total_rows), (3, 3));
        assert_eq!(count(s, "entities").await, entities + 3);
        let events = count(s, "audit_events").await;
        let again = import(s, &admin, Kind::Entities, Mode::AllOrNothing, "e.csv", &file).await;
        assert_eq!((again.status, again.created_rows, again.updated_rows, again.unchanged_rows), (JobStatus::Done, 0, 0, 3));
        assert_eq!(count(s, "entities").await, entities + 3);
        assert_eq!(count(s, "audit_events").await, events, "an import that changes nothing is not an event");

        // One change: one update, one batch event naming the job.
        let changed = String::from_utf8(file.clone()).unwrap().replace("\"300\"", "\"320\"").into_bytes();
        let third = import(s, &admin, Kind::Entities, Mode::AllOrNothing, "e2.csv", &changed).await;
        assert_eq!((third.created_rows, third.updated_rows, third.unchanged_rows), (0, 1, 2));
        assert_eq!(count(s, "audit_events").await, events + 1);
        let (action, object_type, object_id): (String, String, String) = sqlx::query_as(
            "SELECT action, object_type, object_id FROM audit_events ORDER BY seq DESC LIMIT 1",
        )
        .fetch_one(s.reader())
        .await
        .unwrap();
        assert_eq!((action.as_str(), object_type.as_str(), object_id), ("import.entities_batch", "import_job", third.id.to_string()));

        // Licences by USCC and by name + region; then again: unchanged.
        let file = csv(&[
            &["持证单位统一社会信用代码", "持证单位名称", "行政区划代码", "许可证种类", "许可证编号", "发证日期", "有效期至", "状态"],
            &[&a, "", "", "医疗机构执业许可证", "PDY0001", "2024-03-01", "2029-02-28", "有效"],
            &["", "王某诊所", "131127", "医疗机构执业许可证", "PDY0002", "2024/3/1", "", ""],
        ]);
        let licences_before = count(s, "licences").await;
        let l1 = import(s, &admin, Kind::Licences, Mode::AllOrNothing, "l.csv", &file).await;
        assert_eq!((l1.status, l1.created_rows), (JobStatus::Done, 2), "{:#?} {:?}", problems(&l1), l1.error);
        let l2 = import(s, &admin, Kind::Licences, Mode::AllOrNothing, "l.csv", &file).await;
        assert_eq!((l2.created_rows, l2.updated_rows, l2.unchanged_rows), (0, 0, 2));
        assert_eq!(count(s, "licences").await, licences_before + 2);
    }

    async fn clean_rows_only_writes_the_good_rows(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let admin = actor(s, "zq_admin").await;
        let file = entity_file(&[
            ["甲诊所", &uscc(1, "131127"), "", "131127", "医疗机构", "诊所", "", ""],
            ["乙诊所", "123", "", "131127", "医疗机构", "诊所", "", ""],
            ["丙诊所", &uscc(3, "131127"), "", "131127", "医疗机构", "诊所", "", ""],
        ]);
        let entities = count(s, "entities").await;
        let job = import(s, &admin, Kind::Entities, Mode::CleanRowsOnly, "c.csv", &file).await;
        assert_eq!((job.status, job.created_rows, job.problem_count), (JobStatus::Done, 2, 1), "{job:?}");
        assert!(has(&problems(&job), 3, "统一社会信用代码", "entity.invalid_uscc"));
        assert_eq!(count(s, "entities").await, entities + 2);
        assert_eq!(job.processed_rows, 3);
    }

    async fn xlsx_export_imports_back_unchanged_and_templates_import_clean(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let admin = actor(s, "zq_admin").await;
        // The templates' example rows are themselves clean.
        for kind in [Kind::Entities, Kind::Licences] {
            for format in [Format::Xlsx, Format::Csv] {
                let t = template(kind, format).unwrap();
                let job = import(s, &admin, kind, Mode::AllOrNothing, &t.file_name, &t.bytes).await;
                assert_eq!(job.status, JobStatus::Done, "{kind:?} {format:?}: {:#?} {:?}", problems(&job), job.error);
            }
        }
        let file = entity_file(&[
            ["甲医院", &uscc(1, "131127"), "", "131127", "医疗机构", "专科医院", "80", "枣强镇\"东\"街"],
            ["李某诊所", "", "个体从业者", "131127", "医疗机构", "诊所", "", ""],
        ]);
        let job = import(s, &admin, Kind::Entities, Mode::AllOrNothing, "e.csv", &file).await;
        assert_eq!(job.created_rows, 2, "{:#?}", problems(&job));
        for kind in [Kind::Entities, Kind::Licences] {
            let out = export(s, &admin, kind, Format::Xlsx, &ExportQuery::default()).await.unwrap();
            assert!(out.file_name.ends_with(".xlsx"));
            let back = import(s, &admin, kind, Mode::AllOrNothing, &out.file_name, &out.bytes).await;
            assert_eq!(back.status, JobStatus::Done, "{:#?} {:?}", problems(&back), back.error);
            assert_eq!((back.created_rows, back.updated_rows), (0, 0), "{kind:?}");
            assert!(back.unchanged_rows >= 1);
            let csv = export(s, &admin, kind, Format::Csv, &ExportQuery::default()).await.unwrap();
            assert!(csv.bytes.starts_with(b"\xEF\xBB\xBF"));
            let back = import(s, &admin, kind, Mode::AllOrNothing, &csv.file_name, &csv.bytes).await;
            assert_eq!((back.created_rows, back.updated_rows), (0, 0), "{kind:?}");
        }
        // Exports stay in the caller's jurisdiction.
        let other = actor(s, "hk_admin").await;
        let out = export(s, &other, Kind::Entities, Format::Csv, &ExportQuery::default()).await.unwrap();
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(!text.contains("甲医院"), "{text}");
    }

    async fn rows_outside_the_jurisdiction_are_refused_per_row(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let file = entity_file(&[
            ["甲诊所", &uscc(1, "131127"), "", "131127", "医疗机构", "诊所", "", ""],
            ["海口某诊所", &uscc(2, "460100"), "", "460100", "医疗机构", "诊所", "", ""],
            ["无此地诊所", &uscc(3, "131127"), "", "999999", "医疗机构", "诊所", "", ""],
        ]);
        let entities = count(s, "entities").await;
        let zq = actor(s, "zq_admin").await;
        let job = import(s, &zq, Kind::Entities, Mode::AllOrNothing, "j.csv", &file).await;
        let ps = problems(&job);
        assert!(has(&ps, 3, "行政区划代码", "jurisdiction.forbidden"), "{ps:#?}");
        assert!(has(&ps, 4, "行政区划代码", "entity.unknown_region"), "{ps:#?}");
        assert_eq!(count(s, "entities").await, entities);
        // A city inspector may not write the county below (only administrators may).
        let hs = actor(s, "hs_inspector").await;
        let job = import(s, &hs, Kind::Entities, Mode::CleanRowsOnly, "j.csv", &file).await;
        assert!(has(&problems(&job), 2, "行政区划代码", "jurisdiction.forbidden"));
        assert_eq!(job.created_rows, 0);
        // clean_rows_only still writes the rows that are the actor's to write.
        let job = import(s, &zq, Kind::Entities, Mode::CleanRowsOnly, "j.csv", &file).await;
        assert_eq!((job.status, job.created_rows), (JobStatus::Done, 1));
        // A USCC already registered by another region cannot be taken over.
        let hk = actor(s, "hk_admin").await;
        let job = import(s, &hk, Kind::Entities, Mode::AllOrNothing, "k.csv",
            &entity_file(&[["甲诊所", &uscc(1, "131127"), "", "460100", "医疗机构", "诊所", "", ""]])).await;
        assert!(has(&problems(&job), 2, "统一社会信用代码", "entity.registered_elsewhere"), "{:#?}", problems(&job));
        // Roles without the right to manage the registry cannot import at all.
        let leader = actor(s, "zq_leader").await;
        assert!(Import::prepare(s, &leader, Kind::Entities, Mode::AllOrNothing, "x.csv", &file, None).await.is_err());
    }

    async fn an_inspectors_import_changes_no_grade_status_or_licence_status(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let (chief, inspector) = (actor(s, "zq_chief").await, actor(s, "zq_inspector1").await);
        let headers: &[&str] = &["名称", "统一社会信用代码", "行政区划代码", "类别", "医疗机构类别", "风险等级", "信用等级", "经营状态"];
        let (a, b) = (uscc(31, "131127"), uscc(32, "131127"));
        let row = |name: &'static str, u: &str, risk: &'static str| -> Vec<String> {
            [name, u, "131127", "医疗机构", "诊所", risk, "A", "正常经营"].iter().map(|c| c.to_string()).collect()
        };
        let file = |rows: &[Vec<String>]| {
            let rows: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
            let mut all: Vec<&[&str]> = vec![headers];
            all.extend(rows.iter().map(|r| &r[..]));
            csv(&all)
        };
        let graded = file(&[row("枣强县甲诊所", &a, "B")]);
        let job = import(s, &chief, Kind::Entities, Mode::AllOrNothing, "graded.csv", &graded).await;
        assert_eq!((job.status, job.created_rows), (JobStatus::Done, 1), "{job:?}");
        // The same file again is no change, so the inspector may import it.
        let job = import(s, &inspector, Kind::Entities, Mode::AllOrNothing, "same.csv", &graded).await;
        assert_eq!((job.status, job.unchanged_rows), (JobStatus::Done, 1), "{job:?}");
        let events = count(s, "audit_events").await;
        // A changed grade, and a new entity graded by the inspector: both refused, per row.
        let job = import(s, &inspector, Kind::Entities, Mode::CleanRowsOnly, "regrade.csv",
            &file(&[row("枣强县甲诊所", &a, "D"), row("枣强县乙诊所", &b, "")])).await;
        let ps = problems(&job);
        assert!(has(&ps, 2, "风险等级", "entity.determination_forbidden"), "{ps:#?}");
        assert!(has(&ps, 3, "信用等级", "entity.determination_forbidden"), "{ps:#?}");
        assert_eq!(job.created_rows + job.updated_rows, 0, "{job:?}");
        assert_eq!(count(s, "audit_events").await, events);

        // Licences: 吊销 is refused to every role, 注销 to the inspector.
        let lh: &[&str] = &["持证单位统一社会信用代码", "许可证种类", "许可证编号", "发证日期", "状态"];
        let job = import(s, &chief, Kind::Licences, Mode::AllOrNothing, "l.csv",
            &csv(&[lh, &[&a, "医疗机构执业许可证", "IMP-1", "2024-03-01", "有效"]])).await;
        assert_eq!(job.status, JobStatus::Done, "{job:?}");
        for (who, status, code) in [
            (&inspector, "注销", "auth.forbidden"),
            (&inspector, "吊销", "licence.penalty_only"),
            (&chief, "吊销", "licence.penalty_only"),
            (&chief, "暂停", "licence.penalty_only"),
        ] {
            let job = import(s, who, Kind::Licences, Mode::AllOrNothing, "l2.csv",
                &csv(&[lh, &[&a, "医疗机构执业许可证", "IMP-1", "2024-03-01", status]])).await;
            assert!(has(&problems(&job), 2, "状态", code), "{status}: {job:?}");
        }
        let job = import(s, &chief, Kind::Licences, Mode::AllOrNothing, "l3.csv",
            &csv(&[lh, &[&a, "医疗机构执业许可证", "IMP-1", "2024-03-01", "注销"]])).await;
        assert_eq!((job.status, job.updated_rows), (JobStatus::Done, 1), "{job:?}");
    }

    async fn unreadable_files_are_refused_and_interrupted_jobs_fail(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let admin = actor(s, "zq_admin").await;
        for (bytes, code) in [
            (&b""[..], "import.empty_file"),
            (&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], "import.not_spreadsheet"),
            ("名称,类别\r\n".as_bytes(), "import.no_rows"),
        ] {
            let e = Import::prepare(s, &admin, Kind::Entities, Mode::AllOrNothing, "f.csv", bytes, None).await.err().unwrap();
            assert_eq!(e.code, code);
        }
        let pending = Import::prepare(s, &admin, Kind::Entities, Mode::AllOrNothing, "f.csv",
            &entity_file(&[["甲", &uscc(1, "131127"), "", "131127", "其他", "", "", ""]]), None).await.unwrap();
        let id = pending.job().id;
        drop(pending);
        assert_eq!(weijian_exchange::jobs::fail_interrupted(s).await.unwrap(), 1);
        let job = weijian_exchange::jobs::get(s, &admin, id).await.unwrap();
        assert_eq!((job.status, job.error.as_deref()), (JobStatus::Failed, Some("服务重启，导入中断，请重新导入")));
        // Jobs are seen only within the jurisdiction.
        assert!(weijian_exchange::jobs::get(s, &actor(s, "hk_admin").await, id).await.is_err());
    }
}

/// 100,000 rows as a background job, progress rising as it runs (SQLite, as the acceptance asks).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_rows_import_in_the_background() {
    let db = TestDb::new(weijian_store::Backend::Sqlite).await.unwrap();
    let s = &db.store;
    weijian_demo::seed(s).await.unwrap();
    let admin = actor(s, "zq_admin").await;
    const N: u32 = 100_000;
    let mut text = String::from("名称,统一社会信用代码,行政区划代码,类别,地址\r\n");
    for i in 0..N {
        text.push_str(&format!("单位{i},{},131127,其他,枣强镇{i}号\r\n", uscc(i + 1, "131127")));
    }
    let started = std::time::Instant::now();
    let import =
        Import::prepare(s, &admin, Kind::Entities, Mode::AllOrNothing, "big.csv", text.as_bytes(), None).await.unwrap();
    let id = import.job().id;
    let handle = import.spawn();
    let mut seen = Vec::new();
    loop {
        let job = weijian_exchange::jobs::get(s, &admin, id).await.unwrap();
        if seen.last() != Some(&(job.status, job.processed_rows)) {
            seen.push((job.status, job.processed_rows));
        }
        if !job.status.running() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let job = handle.await.unwrap();
    eprintln!("100k rows in {:?}; progress seen: {} steps", started.elapsed(), seen.len());
    assert_eq!((job.status, job.created_rows, job.processed_rows), (JobStatus::Done, N as i64, N as i64), "{job:?}");
    let importing: Vec<i64> = seen.iter().filter(|(st, _)| *st == JobStatus::Importing).map(|(_, n)| *n).collect();
    assert!(importing.len() >= 3, "progress observed while importing: {seen:?}");
    assert!(importing.windows(2).all(|w| w[0] < w[1]), "progress only rises: {importing:?}");
    assert!(importing.iter().any(|n| *n > 0 && *n < N as i64), "{importing:?}");
    assert_eq!(count(s, "entities").await, N as i64 + entity_seeds(s).await);
    db.finish().await;
}

async fn entity_seeds(s: &Store) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM entities WHERE name NOT LIKE '单位%'")
        .fetch_one(s.reader())
        .await
        .unwrap();
    n
}
