//! 自查 use cases on the demo data, on both backends: the demo's campaign, and a
//! report answered against a checklist point by point.

use weijian_demo::registry::{self as demo_registry, DEMO_TARGETS};
use weijian_domain::inspections::PointInput;
use weijian_domain::self_inspections::{self as si, CampaignInput, ReportInput};
use weijian_rules::inspection::PointResult;
use weijian_rules::self_inspection::{CampaignStatus, ReportStatus};
use weijian_store::inspection_items::ItemLists;
use weijian_store::self_inspections::Query;
use weijian_store::testing::actor;
use weijian_store::{both_backends, versioned};

fn point(item: &str, n: usize, result: &str) -> PointInput {
    PointInput { item: item.into(), point: n, result: result.into(), note: String::new() }
}

both_backends! {
    async fn the_demo_campaign_and_a_checklist_report(db: &TestDb) {
        let s = &db.store;
        weijian_demo::seed(s).await.unwrap();
        let today = weijian_domain::input::today();
        demo_registry::seed(s, &DEMO_TARGETS[..1], 30, 5, today, |_, _| {}).await.unwrap();
        weijian_demo::inspections::seed(s, &DEMO_TARGETS[..1], today).await.unwrap();
        weijian_demo::self_inspections::seed(s, &DEMO_TARGETS[..1], today).await.unwrap();
        let chief = actor(s, "zq_chief").await;
        let hospital = actor(s, "zq_hospital").await;

        // The demo: one open campaign, the hospital's report in (one point failed, measures given), others missing.
        let campaigns = si::list(s, &chief, &Query::default()).await.unwrap().items;
        assert_eq!(campaigns.len(), 1);
        let demo = &campaigns[0];
        assert_eq!((demo.status, demo.data.items.len()), (CampaignStatus::Open, 1));
        let cal = weijian_domain::calendar::load(s).await.unwrap();
        assert_eq!(demo.data.deadline, cal.add_working_days(today, 15).unwrap());
        let counts = si::counts(s, &chief, demo.id).await.unwrap();
        assert!(counts.obliged > 1 && counts.submitted == 1 && counts.missing == counts.obliged - 1, "{counts:?}");
        let reports = si::reports(s, &hospital, demo.id, None, None).await.unwrap().items;
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].entity_name, "枣强县人民医院");
        assert_eq!(reports[0].data.results.iter().filter(|r| r.result == PointResult::Fail).count(), 1);
        assert!(!reports[0].data.measures.is_empty());
        assert!(!si::is_late(demo, &reports[0]));

        // A second campaign on the same checklist; the hospital answers it point by point.
        let lists = versioned::published_in_effect::<ItemLists>(s, "131127", today).await.unwrap();
        let list = &lists[0];
        let item = list.content.items.iter().find(|i| i.specialty == "public_places").unwrap().clone();
        let yl = list.content.items.iter().find(|i| i.specialty == "medical_services").unwrap().clone();
        let input = CampaignInput {
            title: "医疗机构传染病防治自查".into(),
            specialty: "medical_services".into(),
            requirements: "对照检查表逐项自查".into(),
            item_list_id: Some(list.id.to_string()),
            items: vec![yl.code.clone()],
            working_days: Some(5),
            ..Default::default()
        };
        let mut unlisted = input.clone();
        unlisted.items = vec!["NOPE-01".into()];
        assert_eq!(si::open(s, &chief, &unlisted).await.unwrap_err().code, "self_inspection.unknown_item");
        // Categories default to those the item applies to.
        let (c, _) = si::open(s, &chief, &input).await.unwrap();
        assert_eq!(c.data.categories, yl.target_categories);

        let all_pass: Vec<PointInput> = (0..yl.checklist.len()).map(|n| point(&yl.code, n, "符合")).collect();
        let report = |results: Vec<PointInput>, measures: &str| ReportInput {
            problems: "未发现问题".into(),
            measures: measures.into(),
            results,
            attachments: vec![],
        };
        let code = |r: Result<_, weijian_domain::DomainError>| r.map(|_: weijian_store::self_inspections::Report| ()).unwrap_err().code;
        assert_eq!(code(si::submit(s, &hospital, c.id, &report(all_pass[1..].to_vec(), "")).await), "self_inspection.point_missing");
        let mut other = all_pass.clone();
        other.push(point(&item.code, 0, "pass"));
        assert_eq!(code(si::submit(s, &hospital, c.id, &report(other, "")).await), "self_inspection.unknown_item");
        let mut twice = all_pass.clone();
        twice.push(point(&yl.code, 0, "pass"));
        assert_eq!(code(si::submit(s, &hospital, c.id, &report(twice, "")).await), "self_inspection.duplicate_point");
        let mut beyond = all_pass.clone();
        beyond.push(point(&yl.code, yl.checklist.len(), "pass"));
        assert_eq!(code(si::submit(s, &hospital, c.id, &report(beyond, "")).await), "self_inspection.unknown_point");
        let mut failed = all_pass.clone();
        failed[0].result = "不符合".into();
        assert_eq!(code(si::submit(s, &hospital, c.id, &report(failed.clone(), "")).await), "self_inspection.measures_required");
        failed[1].result = "maybe".into();
        assert_eq!(code(si::submit(s, &hospital, c.id, &report(failed.clone(), "x")).await), "self_inspection.invalid_result");
        failed[1].result = "not_applicable".into();
        let done = si::submit(s, &hospital, c.id, &report(failed, "已补齐执业许可证校验材料")).await.unwrap();
        assert_eq!((done.status, done.data.results.len()), (ReportStatus::Submitted, yl.checklist.len()));
        assert_eq!(done.data.results[0].result, PointResult::Fail);

        // A campaign without a checklist takes no results.
        let plain = CampaignInput { item_list_id: None, items: vec![], categories: vec!["medical_institution".into()], ..input };
        let (plain, _) = si::open(s, &chief, &plain).await.unwrap();
        assert_eq!(code(si::submit(s, &hospital, plain.id, &report(all_pass, "")).await), "self_inspection.unexpected_results");
    }
}
