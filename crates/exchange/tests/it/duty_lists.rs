//! Responsibility lists (权责清单) as files on both backends: a bad file is
//! reported in full and writes nothing, a clean one imports once and again
//! changes nothing, a published version is never written, XLSX and CSV
//! exports import back to the same list, and another county's units are out
//! of reach.

use crate::common::{has, problems};
use weijian_exchange::duty_lists::Target;
use weijian_exchange::{export, template, ExportQuery, Format, Import, Kind, Mode, Scope};
use weijian_store::duty_lists::{self, DutyList, DutyListContent, ListFilter};
use weijian_store::ids::UnitId;
use weijian_store::imports::{ImportJob, JobStatus};
use weijian_store::testing::{actor, count, csv};
use weijian_store::{both_backends, units, Actor, Store};

async fn unit(store: &Store, name: &str) -> UnitId {
    units::list(store, &Actor::system()).await.unwrap().into_iter().find(|u| u.name == name).unwrap().id
}

/// The unit's versions, newest first.
async fn versions(store: &Store, unit_id: UnitId) -> Vec<DutyList> {
    duty_lists::list(store, &Actor::system(), &ListFilter { unit_id: Some(unit_id), region_code: None }).await.unwrap()
}

async fn import(store: &Store, actor: &Actor, target: Target, mode: Mode, name: &str, bytes: &[u8]) -> ImportJob {
    let scope = Scope { region: None, duty_list: Some(target) };
    Import::prepare_in(store, actor, Kind::DutyLists, mode, name, bytes, scope).await.unwrap().run(&|_| {}).await
}

/// A row of the stacked (CSV) file: part, then the cells by header.
fn row(part: &str, cells: &[(&str, &str)]) -> Vec<String> {
    weijian_exchange::duty_lists::headers()
        .iter()
        .map(|h| match h.as_str() {
            "部分" => part.to_string(),
            h => cells.iter().find(|(k, _)| *k == h).map(|(_, v)| v.to_string()).unwrap_or_default(),
        })
        .collect()
}

fn file(rows: &[Vec<String>]) -> Vec<u8> {
    let headers = weijian_exchange::duty_lists::headers();
    let mut all: Vec<Vec<&str>> = vec![headers.iter().map(String::as_str).collect()];
    all.extend(rows.iter().map(|r| r.iter().map(String::as_str).collect()));
    let refs: Vec<&[&str]> = all.iter().map(Vec::as_slice).collect();
    csv(&refs)
}

fn clean_rows() -> Vec<Vec<String>> {
    vec![
        row("职责事项", &[("序号", "1"), ("主要职责", "依法开展公共卫生监督"), ("职责依据", "三定规定")]),
        row(
            "职责事项",
            &[
                ("序号", "1"),
                ("主要职责", "依法开展公共卫生监督"),
                ("职责依据", "三定规定"),
                ("具体工作事项", "公共场所监督检查"),
            ],
        ),
        row(
            "职责事项",
            &[("序号", "2"), ("主要职责", "查处违法行为"), ("具体工作事项", "立案调查"), ("备注", "含听证")],
        ),
        row(
            "职责边界",
            &[
                ("管理事项", "二次供水"),
                ("本部门职责", "卫生监督"),
                ("相关部门", "县住建局"),
                ("相关部门职责", "设施管理"),
            ],
        ),
        row("公共服务", &[("公共服务事项", "投诉举报受理"), ("承办机构", "枣强县卫生监督所"), ("联系电话", "12345")]),
    ]
}

const ZQ: &str = "枣强县卫生健康局";
const ZQ_SUP: &str = "枣强县卫生监督所";

both_backends! {
    async fn a_bad_duty_list_file_is_reported_in_full_and_writes_nothing(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let admin = actor(s, "zq_admin").await;
        let zq = unit(s, ZQ).await;
        let before = versions(s, zq).await;
        let bad = file(&[
            row("职责事项", &[("序号", "1"), ("主要职责", ""), ("具体工作事项", "无主的事项")]),
            row("职责事项", &[("序号", "2"), ("主要职责", "甲职责"), ("具体工作事项", "乙事项"), ("责任股室", "无此股")]),
            row(
                "职责边界",
                &[("管理事项", "二次供水"), ("本部门职责", "卫生监督"), ("相关部门", ""), ("相关部门职责", "日常管理")],
            ),
            row("公共服务", &[("公共服务事项", "生育登记"), ("联系电话", "电话待定")]),
            row("其他", &[("主要职责", "丙")]),
            row("职责事项", &[("序号", "3"), ("主要职责", "丁职责"), ("联系电话", "12345")]),
            row("职责事项", &[("序号", "一"), ("主要职责", "戊职责")]),
            row("职责事项", &[("序号", "4"), ("主要职责", "甲职责"), ("具体工作事项", "己事项")]),
            row("公共服务", &[("公共服务事项", "生育登记")]),
        ]);
        let (lists, events) = (count(s, "duty_lists").await, count(s, "audit_events").await);
        let job = import(s, &admin, Target::Unit(zq), Mode::AllOrNothing, "bad.csv", &bad).await;
        assert_eq!(job.status, JobStatus::Failed, "{job:?}");
        let ps = problems(&job);
        assert!(has(&ps, 2, "主要职责", "duty_list.name_required"), "{ps:#?}");
        assert!(has(&ps, 3, "责任股室", "duty_list.unknown_section"), "{ps:#?}");
        assert!(has(&ps, 4, "相关部门", "duty_list.name_required"), "{ps:#?}");
        assert!(has(&ps, 5, "联系电话", "duty_list.invalid_phone"), "{ps:#?}");
        assert!(has(&ps, 6, "部分", "duty_list.unknown_part"), "{ps:#?}");
        assert!(has(&ps, 7, "联系电话", "duty_list.wrong_part"), "{ps:#?}");
        assert!(has(&ps, 8, "序号", "duty_list.invalid_order"), "{ps:#?}");
        assert!(has(&ps, 9, "序号", "duty_list.inconsistent_duty"), "{ps:#?}");
        assert!(has(&ps, 5, "公共服务事项", "import.duplicate_key"), "{ps:#?}");
        assert!(has(&ps, 10, "公共服务事项", "import.duplicate_key"), "{ps:#?}");
        // Each problem says what, where and why in Chinese.
        let section = ps.iter().find(|p| p.code == "duty_list.unknown_section").unwrap();
        assert_eq!(section.value, "无此股");
        assert!(section.message.contains("医政药政股"), "{}", section.message);
        assert_eq!(job.problem_count as usize, ps.len());
        assert_eq!((count(s, "duty_lists").await, count(s, "audit_events").await), (lists, events));
        let after = versions(s, zq).await;
        assert_eq!(after.iter().map(|l| &l.content).collect::<Vec<_>>(), before.iter().map(|l| &l.content).collect::<Vec<_>>());

        // In a workbook, each problem names its worksheet and that worksheet's row.
        let mut content = before[0].content.clone();
        content.boundaries[0].other_department.clear();
        content.public_services[0].phone = "123".into();
        let d = weijian_exchange::duty_lists::workbook(Some(&content)).unwrap();
        let job = import(s, &admin, Target::Unit(zq), Mode::AllOrNothing, "bad.xlsx", &d).await;
        assert_eq!(job.status, JobStatus::Failed);
        let ps = problems(&job);
        assert_eq!(ps.len(), 2, "{ps:#?}");
        assert_eq!((ps[0].sheet.as_str(), ps[0].row, ps[0].column.as_str()), ("职责边界", 2, "相关部门"));
        assert_eq!((ps[1].sheet.as_str(), ps[1].row, ps[1].column.as_str()), ("公共服务", 2, "联系电话"));
        assert!(job.problems.as_deref().unwrap().starts_with("工作表,行号"));
        assert_eq!((count(s, "duty_lists").await, count(s, "audit_events").await), (lists, events));
    }

    async fn a_clean_file_imports_once_and_again_changes_nothing(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let admin = actor(s, "zq_admin").await;
        let sup = unit(s, ZQ_SUP).await;
        assert!(versions(s, sup).await.is_empty());
        let clean = file(&clean_rows());
        let (lists, events) = (count(s, "duty_lists").await, count(s, "audit_events").await);
        let first = import(s, &admin, Target::Unit(sup), Mode::AllOrNothing, "c.csv", &clean).await;
        assert_eq!(first.status, JobStatus::Done, "{:#?} {:?}", problems(&first), first.error);
        // The duty-only row creates the duty; its task row then creates the task.
        assert_eq!((first.created_rows, first.updated_rows, first.unchanged_rows), (5, 0, 0));
        // The draft was made in the batch, under the batch's one audit event.
        assert_eq!(count(s, "duty_lists").await, lists + 1);
        assert_eq!(count(s, "audit_events").await, events + 1);
        let (action,): (String,) = sqlx::query_as("SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_one(s.reader()).await.unwrap();
        assert_eq!(action, "import.duty_lists_batch");
        let draft = versions(s, sup).await.remove(0);
        assert!(!draft.is_published());
        let c = &draft.content;
        assert_eq!(c.duties.len(), 2);
        assert_eq!((c.duties[0].name.as_str(), c.duties[0].basis.as_str()), ("依法开展公共卫生监督", "三定规定"));
        assert_eq!(c.duties[0].tasks.len(), 1);
        assert_eq!(c.duties[1].tasks[0].remarks, "含听证");
        assert_eq!(c.boundaries[0].other_department, "县住建局");
        assert_eq!(c.public_services[0].phone, "12345");

        let events = count(s, "audit_events").await;
        let again = import(s, &admin, Target::Unit(sup), Mode::AllOrNothing, "c.csv", &clean).await;
        assert_eq!((again.status, again.created_rows, again.updated_rows, again.unchanged_rows), (JobStatus::Done, 0, 0, 5));
        assert_eq!(count(s, "duty_lists").await, lists + 1);
        assert_eq!(count(s, "audit_events").await, events);
        assert_eq!(versions(s, sup).await[0].content, draft.content);

        // A changed task is one update; clean rows only writes the good rows.
        let mut rows = clean_rows();
        rows[2] = row("职责事项", &[("序号", "2"), ("主要职责", "查处违法行为"), ("具体工作事项", "立案调查"), ("备注", "")]);
        rows.push(row("公共服务", &[("公共服务事项", ""), ("联系电话", "12345")]));
        let job = import(s, &admin, Target::Unit(sup), Mode::CleanRowsOnly, "c2.csv", &file(&rows)).await;
        assert_eq!(job.status, JobStatus::Done, "{:?}", job.error);
        assert_eq!((job.created_rows, job.updated_rows, job.unchanged_rows, job.problem_count), (0, 1, 4, 1));
        assert_eq!(versions(s, sup).await[0].content.duties[1].tasks[0].remarks, "");
        assert_eq!(count(s, "audit_events").await, events + 1);
    }

    async fn a_published_version_is_never_written(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let admin = actor(s, "zq_admin").await;
        let zq = unit(s, ZQ).await;
        let published = versions(s, zq).await.into_iter().find(|l| l.is_published()).unwrap();
        let scope = Scope { region: None, duty_list: Some(Target::Version(published.id)) };
        let clean = file(&clean_rows());
        let err = Import::prepare_in(s, &admin, Kind::DutyLists, Mode::AllOrNothing, "c.csv", &clean, scope)
            .await
            .err()
            .unwrap();
        assert_eq!((err.kind, err.code), (weijian_domain::ErrorKind::Conflict, "duty_list.published_immutable"));
        assert!(err.message.contains("已发布"), "{}", err.message);
        // Without a target there is nothing to import into.
        let scope = Scope::default();
        let err = Import::prepare_in(s, &admin, Kind::DutyLists, Mode::AllOrNothing, "c.csv", &clean, scope)
            .await
            .err()
            .unwrap();
        assert_eq!(err.code, "duty_list.unit_required");

        // 海口市's list is published with no draft: an import makes a new draft, the published one stays.
        let hk_admin = actor(s, "hk_admin").await;
        let hk = unit(s, "海口市卫生健康委员会").await;
        let before = versions(s, hk).await;
        assert_eq!(before.len(), 1);
        let mut rows = clean_rows();
        rows.retain(|r| r[0] != "职责事项");
        let job = import(s, &hk_admin, Target::Unit(hk), Mode::AllOrNothing, "c.csv", &file(&rows)).await;
        assert_eq!(job.status, JobStatus::Done, "{:#?} {:?}", problems(&job), job.error);
        let after = versions(s, hk).await;
        assert_eq!(after.len(), 2);
        assert_eq!((after[0].version_no, after[0].is_published()), (2, false));
        assert_eq!(after[1].content, before[0].content);
        assert_eq!(after[0].content.duties, before[0].content.duties);
        assert_eq!(after[0].content.boundaries.len(), before[0].content.boundaries.len() + 1);
    }

    async fn exports_in_xlsx_and_csv_import_back_to_the_same_list(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let admin = actor(s, "zq_admin").await;
        let zq = unit(s, ZQ).await;
        let all = versions(s, zq).await;
        let (draft, published) = (&all[0], &all[1]);
        assert!(!draft.is_published() && published.is_published());
        for format in [Format::Xlsx, Format::Csv] {
            let q = ExportQuery { duty_list_id: Some(published.id.to_string()), ..ExportQuery::default() };
            let d = export(s, &admin, Kind::DutyLists, format, &q).await.unwrap();
            assert!(d.file_name.starts_with("枣强县卫生健康局权责清单第1版"), "{}", d.file_name);
            // Empty the draft, then import the published version's file into it.
            weijian_domain::duty_lists::update_draft(s, &admin, draft.id, &draft.title, &DutyListContent::default())
                .await
                .unwrap();
            let job = import(s, &admin, Target::Version(draft.id), Mode::AllOrNothing, &d.file_name, &d.bytes).await;
            assert_eq!(job.status, JobStatus::Done, "{format:?}: {:#?} {:?}", problems(&job), job.error);
            let now = duty_lists::get(s, &admin, draft.id).await.unwrap();
            assert_eq!(now.content, published.content, "{format:?}");
            assert_eq!(versions(s, zq).await.len(), 2);
        }
        // The unit alone exports its newest version (the draft).
        let q = ExportQuery { unit_id: Some(zq.to_string()), ..ExportQuery::default() };
        let d = export(s, &admin, Kind::DutyLists, Format::Csv, &q).await.unwrap();
        assert!(d.file_name.ends_with("第2版草稿.csv"), "{}", d.file_name);
        let err = export(s, &admin, Kind::DutyLists, Format::Csv, &ExportQuery::default()).await.err().unwrap();
        assert_eq!(err.code, "duty_list.version_required");

        // Templates import clean into a unit without sections.
        let sup = unit(s, ZQ_SUP).await;
        for format in [Format::Xlsx, Format::Csv] {
            let t = template(Kind::DutyLists, format).unwrap();
            let job = import(s, &admin, Target::Unit(sup), Mode::AllOrNothing, &t.file_name, &t.bytes).await;
            assert_eq!(job.status, JobStatus::Done, "{format:?}: {:#?} {:?}", problems(&job), job.error);
        }
        let c = &versions(s, sup).await[0].content;
        assert_eq!((c.duties.len(), c.duties[0].tasks.len(), c.boundaries.len(), c.public_services.len()), (1, 2, 1, 1));
    }

    async fn another_countys_units_are_out_of_reach(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let zq_admin = actor(s, "zq_admin").await;
        let hk = unit(s, "海口市卫生健康委员会").await;
        let hk_list = versions(s, hk).await.remove(0);
        let clean = file(&clean_rows());
        for target in [Target::Unit(hk), Target::Version(hk_list.id)] {
            let scope = Scope { region: None, duty_list: Some(target) };
            let err = Import::prepare_in(s, &zq_admin, Kind::DutyLists, Mode::AllOrNothing, "c.csv", &clean, scope)
                .await
                .err()
                .unwrap();
            assert_eq!(err.kind, weijian_domain::ErrorKind::NotFound, "{target:?}: {err:?}");
        }
        for q in [
            ExportQuery { duty_list_id: Some(hk_list.id.to_string()), ..ExportQuery::default() },
            ExportQuery { unit_id: Some(hk.to_string()), ..ExportQuery::default() },
        ] {
            let err = export(s, &zq_admin, Kind::DutyLists, Format::Xlsx, &q).await.err().unwrap();
            assert_eq!(err.kind, weijian_domain::ErrorKind::NotFound, "{q:?}");
        }
        // An inspector may read lists but not import them.
        let inspector = actor(s, "zq_inspector1").await;
        let scope = Scope { region: None, duty_list: Some(Target::Unit(unit(s, ZQ).await)) };
        let err = Import::prepare_in(s, &inspector, Kind::DutyLists, Mode::AllOrNothing, "c.csv", &clean, scope)
            .await
            .err()
            .unwrap();
        assert_eq!(err.kind, weijian_domain::ErrorKind::Forbidden);
    }

    async fn a_part_past_its_limit_is_refused_before_anything_is_written(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let admin = actor(s, "zq_admin").await;
        let sup = unit(s, ZQ_SUP).await;
        let names: Vec<String> = (1..=weijian_domain::duty_lists::ITEMS_MAX + 1).map(|i| format!("服务{i}")).collect();
        let rows: Vec<Vec<String>> = names.iter().map(|n| row("公共服务", &[("公共服务事项", n)])).collect();
        let job = import(s, &admin, Target::Unit(sup), Mode::AllOrNothing, "many.csv", &file(&rows)).await;
        assert_eq!(job.status, JobStatus::Failed);
        let ps = problems(&job);
        assert_eq!(ps.len(), 1, "{ps:#?}");
        assert!(has(&ps, rows.len() + 1, "公共服务事项", "duty_list.too_many_items"), "{ps:#?}");
        assert!(versions(s, sup).await.is_empty());
    }
}
