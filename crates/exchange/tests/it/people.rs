//! Practitioner (医务人员) and inspector (执法人员) sheets on both backends:
//! full problem reports that write nothing, idempotent re-imports, masked
//! 身份证号 in exports (and refused on import), an inspector round trip, and
//! the jurisdiction.

use crate::common::*;
use chrono::NaiveDate;
use weijian_exchange::{export, template, ExportQuery, Format, Import, Kind, Mode};
use weijian_rules::ids::{compose_citizen_id, mask_citizen_id};
use weijian_store::both_backends;
use weijian_store::imports::JobStatus;
use weijian_store::testing::{actor, count, csv};

fn id(serial: u16) -> String {
    compose_citizen_id("131127", NaiveDate::from_ymd_opt(1985, 6, 15).unwrap(), serial)
}

const P_HEADERS: &[&str] =
    &["姓名", "身份证号", "类别", "执业证书编号", "第一执业机构名称", "行政区划代码", "注册日期", "证书有效期至"];

fn practitioner_file(rows: &[[&str; 8]]) -> Vec<u8> {
    let mut all: Vec<&[&str]> = vec![P_HEADERS];
    all.extend(rows.iter().map(|r| &r[..]));
    csv(&all)
}

const I_HEADERS: &[&str] =
    &["姓名", "所属单位", "执法证号", "执法证起始日期", "执法证有效期至", "专业领域", "状态", "电话", "登录用户名"];

fn inspector_file(rows: &[[&str; 9]]) -> Vec<u8> {
    let mut all: Vec<&[&str]> = vec![I_HEADERS];
    all.extend(rows.iter().map(|r| &r[..]));
    csv(&all)
}

const HOSPITAL: &str = "枣强县人民医院";
const SUP: &str = "枣强县卫生监督所";

both_backends! {
    async fn bad_practitioner_and_inspector_files_are_reported_in_full_and_write_nothing(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let admin = actor(s, "zq_admin").await;
        let (a, b, c) = (id(1), id(2), id(3));
        let file = practitioner_file(&[
            ["甲医师", "110105194912310021", "医师", "P001", HOSPITAL, "131127", "", ""],
            ["乙医师", &a, "牙医", "P002", HOSPITAL, "131127", "", ""],
            ["丙护士", &b, "护士", "P003", HOSPITAL, "131127", "2024-05-01", "2023-05-01"],
            ["丁医师", &c, "医师", "P004", HOSPITAL, "131127", "", ""],
            ["戊医师", &c, "医师", "P005", HOSPITAL, "131127", "", ""],
            ["己医师", &id(4), "医师", "P004", HOSPITAL, "131127", "", ""],
            ["庚医师", &mask_citizen_id(&id(5)), "医师", "P006", HOSPITAL, "131127", "", ""],
            ["辛医师", &id(6), "医师", "P007", "无此医院", "131127", "", ""],
        ]);
        let (before, events) = (count(s, "practitioners").await, count(s, "audit_events").await);
        let job = import(s, &admin, Kind::Practitioners, Mode::AllOrNothing, "p.csv", &file).await;
        assert_eq!(job.status, JobStatus::Failed, "{job:?}");
        let ps = problems(&job);
        assert!(has(&ps, 2, "身份证号", "citizen_id.check"), "{ps:#?}");
        assert!(has(&ps, 3, "类别", "field.invalid_choice"), "{ps:#?}");
        assert!(has(&ps, 4, "证书有效期至", "practitioner.ends_before_start"), "{ps:#?}");
        assert!(has(&ps, 5, "身份证号", "import.duplicate_key"), "{ps:#?}");
        assert!(has(&ps, 6, "身份证号", "import.duplicate_key"), "{ps:#?}");
        assert!(has(&ps, 5, "执业证书编号", "import.duplicate_key"), "{ps:#?}");
        assert!(has(&ps, 7, "执业证书编号", "import.duplicate_key"), "{ps:#?}");
        assert!(has(&ps, 8, "身份证号", "practitioner.masked_id_number"), "{ps:#?}");
        assert!(ps.iter().any(|p| p.message.contains("身份证号已脱敏，无法导入")));
        assert!(!has(&ps, 8, "身份证号", "citizen_id.check") && !has(&ps, 8, "身份证号", "citizen_id.format"), "{ps:#?}");
        assert!(has(&ps, 9, "第一执业机构名称", "practitioner.institution_not_found"), "{ps:#?}");
        // The report never carries a full 身份证号.
        let report = job.problems.clone().unwrap_or_default();
        for full in [&a, &b, &c] {
            assert!(!report.contains(full.as_str()), "{report}");
        }
        assert_eq!(job.problem_count as usize, ps.len());
        assert!(ps.windows(2).all(|w| w[0].row <= w[1].row));
        assert_eq!((count(s, "practitioners").await, count(s, "audit_events").await), (before, events));

        let file = inspector_file(&[
            ["甲", SUP, "ZQ001", "2024-01-01", "2023-12-31", "学校卫生", "", "", ""],
            ["乙", "无此单位", "ZQ002", "2024-01-01", "2028-12-31", "", "", "", ""],
            ["丙", SUP, "ZQ003", "2024-01-01", "2028-12-31", "学校卫生、占星", "请假", "", ""],
            ["丁", SUP, "zq004", "2024-01-01", "2028-12-31", "", "", "", ""],
            ["戊", SUP, "ZQ004", "2024-01-01", "2028-12-31", "", "", "", "no_such_user"],
            ["己", SUP, "ZQ005", "2024-13-01", "", "", "", "123", ""],
            // The demo links zq_inspector1 to an inspector already.
            ["庚", SUP, "ZQ006", "2024-01-01", "2028-12-31", "", "", "", "zq_inspector1"],
        ]);
        let (before, events) = (count(s, "inspectors").await, count(s, "audit_events").await);
        let job = import(s, &admin, Kind::Inspectors, Mode::AllOrNothing, "i.csv", &file).await;
        assert_eq!(job.status, JobStatus::Failed, "{job:?}");
        let ps = problems(&job);
        assert!(has(&ps, 2, "执法证有效期至", "inspector.ends_before_start"), "{ps:#?}");
        assert!(has(&ps, 3, "所属单位", "inspector.unit_not_found"), "{ps:#?}");
        assert!(has(&ps, 4, "专业领域", "inspector.unknown_specialty"), "{ps:#?}");
        assert!(has(&ps, 4, "状态", "field.invalid_choice"), "{ps:#?}");
        assert!(has(&ps, 5, "执法证号", "import.duplicate_key"), "{ps:#?}");
        assert!(has(&ps, 6, "执法证号", "import.duplicate_key"), "{ps:#?}");
        assert!(has(&ps, 6, "登录用户名", "inspector.user_not_found"), "{ps:#?}");
        assert!(has(&ps, 7, "执法证起始日期", "field.invalid_date"), "{ps:#?}");
        assert!(has(&ps, 7, "执法证有效期至", "field.required"), "{ps:#?}");
        assert!(has(&ps, 7, "电话", "inspector.invalid_phone"), "{ps:#?}");
        assert!(has(&ps, 8, "登录用户名", "inspector.duplicate_user"), "{ps:#?}");
        assert_eq!((count(s, "inspectors").await, count(s, "audit_events").await), (before, events));
    }

    async fn clean_people_files_import_once_and_again_change_nothing(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let admin = actor(s, "zq_admin").await;
        let file = practitioner_file(&[
            ["甲医师", &id(1), "医师", "P001", HOSPITAL, "131127", "2020-07-01", ""],
            ["乙护士", &id(2).to_lowercase(), "护士", "N001", HOSPITAL, "131127", "2021-03-01", "2026-02-28"],
            ["丙技师", &id(3), "医技人员", "", HOSPITAL, "131127", "", ""],
        ]);
        let seeded = count(s, "practitioners").await;
        let first = import(s, &admin, Kind::Practitioners, Mode::AllOrNothing, "p.csv", &file).await;
        assert_eq!(first.status, JobStatus::Done, "{:#?} {:?}", problems(&first), first.error);
        assert_eq!((first.created_rows, first.updated_rows, first.unchanged_rows), (3, 0, 0));
        assert_eq!(count(s, "practitioners").await, seeded + 3);
        let events = count(s, "audit_events").await;
        let again = import(s, &admin, Kind::Practitioners, Mode::AllOrNothing, "p.csv", &file).await;
        assert_eq!((again.status, again.created_rows, again.updated_rows, again.unchanged_rows), (JobStatus::Done, 0, 0, 3));
        assert_eq!(count(s, "practitioners").await, seeded + 3);
        assert_eq!(count(s, "audit_events").await, events);
        // A change is one update and one batch event.
        let changed = String::from_utf8(file.clone()).unwrap().replace("\"P001\"", "\"P001A\"").into_bytes();
        let third = import(s, &admin, Kind::Practitioners, Mode::AllOrNothing, "p2.csv", &changed).await;
        assert_eq!((third.created_rows, third.updated_rows, third.unchanged_rows), (0, 1, 2), "{:#?}", problems(&third));
        assert_eq!(count(s, "audit_events").await, events + 1);
        let (action,): (String,) = sqlx::query_as("SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_one(s.reader()).await.unwrap();
        assert_eq!(action, "import.practitioners_batch");

        let file = inspector_file(&[
            ["张卫东", SUP, "ZQ001", "2024-01-01", "2028-12-31", "学校卫生、public_places", "在岗", "13800000001", "zq_chief"],
            ["刘晓燕", SUP, "ZQ002", "2024-01-01", "2028-12-31", "传染病防治,放射卫生", "暂停执法", "", ""],
        ]);
        let seeded = count(s, "inspectors").await;
        let first = import(s, &admin, Kind::Inspectors, Mode::AllOrNothing, "i.csv", &file).await;
        assert_eq!(first.status, JobStatus::Done, "{:#?} {:?}", problems(&first), first.error);
        assert_eq!(first.created_rows, 2);
        let events = count(s, "audit_events").await;
        let again = import(s, &admin, Kind::Inspectors, Mode::AllOrNothing, "i.csv", &file).await;
        assert_eq!((again.created_rows, again.updated_rows, again.unchanged_rows), (0, 0, 2));
        assert_eq!(count(s, "inspectors").await, seeded + 2);
        assert_eq!(count(s, "audit_events").await, events);
        let (action,): (String,) = sqlx::query_as(
            "SELECT action FROM audit_events WHERE action LIKE 'import.%' ORDER BY seq DESC LIMIT 1",
        )
        .fetch_one(s.reader()).await.unwrap();
        assert_eq!(action, "import.inspectors_batch");
    }

    async fn practitioner_exports_mask_id_numbers_and_inspectors_round_trip(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let admin = actor(s, "zq_admin").await;
        let seeded = count(s, "practitioners").await;
        // Templates import clean (the practitioner example names the entity template's example).
        for kind in [Kind::Entities, Kind::Practitioners, Kind::Inspectors] {
            let t = template(kind, Format::Csv).unwrap();
            let job = import(s, &admin, kind, Mode::AllOrNothing, &t.file_name, &t.bytes).await;
            assert_eq!(job.status, JobStatus::Done, "{kind:?}: {:#?} {:?}", problems(&job), job.error);
        }
        let (a, b) = (id(1), id(2));
        let file = practitioner_file(&[
            ["甲医师", &a, "医师", "P001", HOSPITAL, "131127", "2020-07-01", ""],
            ["乙护士", &b, "护士", "N001", HOSPITAL, "131127", "2021-03-01", "2026-02-28"],
        ]);
        let job = import(s, &admin, Kind::Practitioners, Mode::AllOrNothing, "p.csv", &file).await;
        assert_eq!(job.created_rows, 2, "{:#?}", problems(&job));
        for format in [Format::Csv, Format::Xlsx] {
            let out = export(s, &admin, Kind::Practitioners, format, &ExportQuery::default()).await.unwrap();
            let table = weijian_exchange::file::read(&out.file_name, &out.bytes).unwrap();
            let ids: Vec<String> = (0..table.rows.len()).map(|i| table.row(i).get("身份证号").to_string()).collect();
            assert!(ids.contains(&mask_citizen_id(&a)) && ids.contains(&mask_citizen_id(&b)), "{ids:?}");
            assert!(ids.iter().all(|i| i.contains('*')), "{ids:?}");
            if format == Format::Csv {
                let text = String::from_utf8(out.bytes.clone()).unwrap();
                assert!(!text.contains(&a) && !text.contains(&b), "{text}");
            }
            // Re-importing the export is refused row by row, and writes nothing.
            let back = import(s, &admin, Kind::Practitioners, Mode::AllOrNothing, &out.file_name, &out.bytes).await;
            assert_eq!(back.status, JobStatus::Failed);
            let ps = problems(&back);
            assert!(ps.iter().all(|p| p.code == "practitioner.masked_id_number"), "{ps:#?}");
            assert_eq!(ps.len(), table.rows.len());
        }
        assert_eq!(count(s, "practitioners").await, seeded + 3);
        // Filtered by category.
        let q = ExportQuery { kind: Some("护士".into()), ..ExportQuery::default() };
        let out = export(s, &admin, Kind::Practitioners, Format::Csv, &q).await.unwrap();
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(text.contains("乙护士") && !text.contains("甲医师"), "{text}");

        let file = inspector_file(&[
            ["张卫东", SUP, "ZQ001", "2024-01-01", "2028-12-31", "学校卫生、公共场所卫生", "在岗", "13800000001", "zq_chief"],
            ["刘晓燕", SUP, "ZQ002", "2024-01-01", "2028-12-31", "", "离岗退休", "0318-8221234", ""],
        ]);
        let job = import(s, &admin, Kind::Inspectors, Mode::AllOrNothing, "i.csv", &file).await;
        assert_eq!(job.created_rows, 2, "{:#?}", problems(&job));
        for format in [Format::Xlsx, Format::Csv] {
            let out = export(s, &admin, Kind::Inspectors, format, &ExportQuery::default()).await.unwrap();
            let back = import(s, &admin, Kind::Inspectors, Mode::AllOrNothing, &out.file_name, &out.bytes).await;
            assert_eq!(back.status, JobStatus::Done, "{:#?} {:?}", problems(&back), back.error);
            let rows = weijian_exchange::file::read(&out.file_name, &out.bytes).unwrap().rows.len() as i64;
            assert!(rows >= 3);
            assert_eq!((back.created_rows, back.updated_rows, back.unchanged_rows), (0, 0, rows), "{format:?}");
        }
        let out = export(s, &admin, Kind::Inspectors, Format::Csv, &ExportQuery::default()).await.unwrap();
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(text.contains("学校卫生、公共场所卫生") || text.contains("公共场所卫生、学校卫生"), "{text}");
        assert!(text.contains("zq_chief"), "{text}");
        // Exports stay in the caller's jurisdiction.
        let hk = actor(s, "hk_admin").await;
        for kind in [Kind::Practitioners, Kind::Inspectors] {
            let out = export(s, &hk, kind, Format::Csv, &ExportQuery::default()).await.unwrap();
            let text = String::from_utf8(out.bytes).unwrap();
            assert!(!text.contains("甲医师") && !text.contains("张卫东"), "{text}");
        }
    }

    async fn people_outside_the_jurisdiction_are_refused(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let zq = actor(s, "zq_admin").await;
        let hk = actor(s, "hk_admin").await;
        let (practitioners, inspectors) = (count(s, "practitioners").await, count(s, "inspectors").await);
        // A primary institution in another province is not found for this actor.
        let file = practitioner_file(&[
            ["甲医师", &id(1), "医师", "P001", HOSPITAL, "131127", "", ""],
            ["乙医师", &id(2), "医师", "P002", "海口市龙华区某口腔门诊部", "460100", "", ""],
        ]);
        let job = import(s, &zq, Kind::Practitioners, Mode::AllOrNothing, "p.csv", &file).await;
        assert!(has(&problems(&job), 3, "第一执业机构名称", "practitioner.institution_not_found"), "{:#?}", problems(&job));
        assert_eq!(count(s, "practitioners").await, practitioners);
        let job = import(s, &zq, Kind::Practitioners, Mode::CleanRowsOnly, "p.csv", &file).await;
        assert_eq!((job.status, job.created_rows), (JobStatus::Done, 1));
        // The same person registered in 枣强 cannot be taken over from 海口.
        let file = practitioner_file(&[["甲医师", &id(1), "医师", "P009", "海口市龙华区某口腔门诊部", "460100", "", ""]]);
        let job = import(s, &hk, Kind::Practitioners, Mode::AllOrNothing, "p.csv", &file).await;
        assert!(has(&problems(&job), 2, "身份证号", "practitioner.registered_elsewhere"), "{:#?}", problems(&job));
        assert_eq!(count(s, "practitioners").await, practitioners + 1);

        // Inspectors: a unit of another province, a user of another province.
        let file = inspector_file(&[
            ["甲", SUP, "ZQ001", "2024-01-01", "2028-12-31", "", "", "", ""],
            ["乙", "海口市卫生监督所", "HK001", "2024-01-01", "2028-12-31", "", "", "", ""],
            ["丙", SUP, "ZQ003", "2024-01-01", "2028-12-31", "", "", "", "hk_inspector1"],
        ]);
        let job = import(s, &zq, Kind::Inspectors, Mode::AllOrNothing, "i.csv", &file).await;
        let ps = problems(&job);
        assert!(has(&ps, 3, "所属单位", "inspector.unit_not_found"), "{ps:#?}");
        assert!(has(&ps, 4, "登录用户名", "inspector.user_not_found"), "{ps:#?}");
        assert_eq!(count(s, "inspectors").await, inspectors);
        let job = import(s, &zq, Kind::Inspectors, Mode::CleanRowsOnly, "i.csv", &file).await;
        assert_eq!((job.status, job.created_rows), (JobStatus::Done, 1));
        let file = inspector_file(&[["甲", "海口市卫生监督所", "ZQ001", "2024-01-01", "2028-12-31", "", "", "", ""]]);
        let job = import(s, &hk, Kind::Inspectors, Mode::AllOrNothing, "i.csv", &file).await;
        assert!(has(&problems(&job), 2, "执法证号", "inspector.registered_elsewhere"), "{:#?}", problems(&job));
        assert_eq!(count(s, "inspectors").await, inspectors + 1);
        // Inspectors may import practitioners but not the inspector directory.
        let inspector = actor(s, "zq_inspector1").await;
        assert!(Import::prepare(s, &inspector, Kind::Inspectors, Mode::AllOrNothing, "i.csv", &file, None).await.is_err());
        assert!(Import::prepare(s, &actor(s, "zq_leader").await, Kind::Practitioners, Mode::AllOrNothing, "p.csv",
            &practitioner_file(&[["甲", &id(7), "医师", "", HOSPITAL, "131127", "", ""]]), None).await.is_err());
    }
}
