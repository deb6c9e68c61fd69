//! 双随机 plans through the domain, on both backends: an item list published,
//! a plan published, frozen, drawn once with a beacon; the record verifies
//! against the snapshot; the refusals the issue names; jurisdiction.

use weijian_demo::registry::{self as demo_registry, DEMO_TARGETS};
use weijian_domain::random_plans::{self as plans, DrawRequest, PlanInput};
use weijian_domain::{inspection_items, ErrorKind};
use weijian_rules::inspection::{InspectionMethod, PlanStatus};
use weijian_store::inspection_items::{CheckPoint, InspectionItem, ItemListContent};
use weijian_store::inspection_tasks::{self, Query as TaskQuery};
use weijian_store::testing::actor;
use weijian_store::units::Unit;
use weijian_store::{audit, both_backends, inspectors, Actor, Store};

async fn unit(store: &Store, name: &str) -> Unit {
    let all = weijian_store::units::list(store, &Actor::system()).await.unwrap();
    all.into_iter().find(|u| u.name == name).unwrap()
}

fn items() -> ItemListContent {
    ItemListContent {
        items: vec![InspectionItem {
            code: "YL-01".into(),
            name: "医疗机构依法执业情况".into(),
            specialty: "medical_services".into(),
            target_categories: vec!["medical_institution".into(), "public_place".into()],
            content: "执业许可、人员资质、诊疗科目".into(),
            method: InspectionMethod::OnSite,
            legal_basis: "《医疗机构管理条例》".into(),
            checklist: vec![CheckPoint {
                text: "是否取得并悬挂《医疗机构执业许可证》".into(),
                legal_basis: "《医疗机构管理条例》第十四条".into(),
                violation_code: Some("MED-001".into()),
            }],
        }],
    }
}

fn plan_input(unit: &Unit, list_id: &str) -> PlanInput {
    let today = weijian_domain::input::today();
    PlanInput {
        unit_id: unit.id.to_string(),
        name: "2026年医疗机构双随机抽查".into(),
        item_list_id: list_id.into(),
        items: vec!["YL-01".into()],
        period_from: (today - chrono::Days::new(10)).to_string(),
        period_until: (today + chrono::Days::new(60)).to_string(),
        start_on: Some(today.to_string()),
        due_on: (today + chrono::Days::new(45)).to_string(),
        // Every stratum fully, so the draw's size is known.
        ratios: ["A", "B", "C", "D", "N"].into_iter().map(|k| (k.to_string(), 1000)).collect(),
        pool_specialties: vec!["medical_services".into(), "public_places".into(), "drinking_water".into()],
        ..Default::default()
    }
}

both_backends! {
    async fn plan_freeze_draw_verify_and_refusals(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let s = &db.store;
        let today = weijian_domain::input::today();
        demo_registry::seed(s, &DEMO_TARGETS[..1], 40, 7, today, |_, _| {}).await.unwrap();
        let chief = actor(s, "zq_chief").await;
        let institute = unit(s, "枣强县卫生监督所").await;

        // The item list: a plan may only cite a published version.
        let list = inspection_items::create_draft(s, &chief, institute.id, None).await.unwrap();
        let list = inspection_items::update_draft(s, &chief, list.id, "枣强县随机抽查事项清单", &items()).await.unwrap();
        let e = plans::create(s, &chief, &plan_input(&institute, &list.id.to_string())).await.unwrap_err();
        assert_eq!(e.code, "random_plan.item_list_unpublished");
        inspection_items::publish(s, &chief, list.id, None, &today.to_string()).await.unwrap();
        let mut input = plan_input(&institute, &list.id.to_string());
        input.items = vec!["NO-SUCH".into()];
        assert_eq!(plans::create(s, &chief, &input).await.unwrap_err().code, "random_plan.unknown_item");

        let plan = plans::create(s, &chief, &plan_input(&institute, &list.id.to_string())).await.unwrap();
        assert_eq!(plan.status, PlanStatus::Draft);
        assert_eq!(plan.data.target_categories, ["medical_institution", "public_place"], "from the item");
        // Not yet: freezing a draft, drawing an unfrozen plan.
        let e = plans::freeze(s, &chief, plan.id, None).await.unwrap_err();
        assert_eq!((e.kind, e.code), (ErrorKind::Conflict, "random_plan.transition_not_allowed"));
        let beacon = DrawRequest { beacon: "2026-11-26 体彩排列五 3 8 1 0 6".into(), beacon_source: "中国体育彩票排列五第26318期".into(), version: None };
        assert_eq!(plans::draw(s, &chief, plan.id, &beacon).await.unwrap_err().code, "random_plan.transition_not_allowed");
        let plan = plans::publish(s, &chief, plan.id, Some(plan.version)).await.unwrap();
        // A version the user did not see is stale: refused, and nothing is written.
        let chain = weijian_store::audit::count_events(s).await.unwrap();
        let e = plans::freeze(s, &chief, plan.id, Some(plan.version - 1)).await.unwrap_err();
        assert_eq!((e.kind, e.code), (ErrorKind::Conflict, "random_plan.stale"));
        assert_eq!(weijian_store::audit::count_events(s).await.unwrap(), chain);
        assert_eq!(plans::get(s, &chief, plan.id).await.unwrap().status, PlanStatus::Published);

        // A declared conflict; an inspector whose 执法证 has expired stays out of the pool.
        let all = inspectors::eligible_on(s, &chief, today, Some(institute.id), None).await.unwrap();
        let gao = all.iter().find(|i| i.data.name == "高振宇").unwrap();
        let expired = inspectors::list(s, &chief, &Default::default()).await.unwrap().items.into_iter().find(|i| i.data.name == "马丽娜").unwrap();
        let scope = weijian_store::random_plans::scope_entities(s, &plan).await.unwrap();
        assert!(!scope.is_empty());
        let conflicted = scope[0].0;
        plans::declare_conflict(s, &chief, gao.id, conflicted, "配偶在该机构任职").await.unwrap();

        // A third inspector valid to the due date, so that the recusal still leaves a pair for every entity.
        let mut third = gao.data.clone();
        third.name = "孙建国".into();
        third.user_id = None;
        third.cert_no = format!("{}X", gao.data.cert_no);
        third.cert_valid_until = plan.data.due_on;
        inspectors::create(s, &Actor::system(), &third).await.unwrap();

        let frozen = plans::freeze(s, &chief, plan.id, None).await.unwrap();
        assert_eq!(frozen.status, PlanStatus::Frozen);
        let (snapshot, record) = plans::documents(s, &chief, plan.id).await.unwrap();
        assert!(record.is_none());
        assert!(snapshot.starts_with(&format!("weijian-draw-v1\nplan:{}\n", plan.id)), "{snapshot}");
        assert!(snapshot.contains(&format!("\nr:{conflicted}:{}\n", gao.id)), "the recusal is frozen");
        assert!(!snapshot.contains(&expired.id.to_string()), "an expired certificate is not eligible");
        // Valid on the start day but lapsing before the due date: the drawn pair must hold to the end.
        let lapsing = all.iter().find(|i| i.data.name == "刘晓燕").unwrap();
        assert!(lapsing.may_enforce_on(today) && lapsing.data.cert_valid_until < plan.data.due_on);
        assert!(!snapshot.contains(&lapsing.id.to_string()), "a certificate lapsing before the due date is not eligible");
        assert!(snapshot.contains(&format!("\ni:{}\n", gao.id)), "one valid to the due date is");
        // The scope cannot change any more; freezing again is refused.
        let e = plans::update(s, &chief, plan.id, frozen.version, &plan_input(&institute, &list.id.to_string())).await.unwrap_err();
        assert_eq!(e.code, "random_plan.scope_frozen");
        assert_eq!(plans::freeze(s, &chief, plan.id, None).await.unwrap_err().code, "random_plan.transition_not_allowed");

        // Another county's chief sees nothing of it.
        let hk = actor(s, "hk_chief").await;
        assert_eq!(plans::get(s, &hk, plan.id).await.unwrap_err().kind, ErrorKind::NotFound);
        assert_eq!(plans::draw(s, &hk, plan.id, &beacon).await.unwrap_err().kind, ErrorKind::NotFound);
        // An inspector may not draw.
        let inspector = actor(s, "zq_inspector1").await;
        assert_eq!(plans::draw(s, &inspector, plan.id, &beacon).await.unwrap_err().kind, ErrorKind::Forbidden);

        let events = audit::count_events(s).await.unwrap();
        let (drawn, record) = plans::draw(s, &chief, plan.id, &beacon).await.unwrap();
        assert_eq!(drawn.status, PlanStatus::Drawn);
        assert_eq!(audit::count_events(s).await.unwrap(), events + 1, "one audited transaction");
        assert_eq!(record.selected_count(), scope.len(), "every stratum at 1000‰");
        let (snapshot, published) = plans::documents(s, &chief, plan.id).await.unwrap();
        let published = published.unwrap();
        assert_eq!(published, record.to_json());
        weijian_rules::draw::verify(&published, &snapshot).unwrap();
        // The public gets the commitment now, the record only with the results.
        let commitment = plans::public_draw(s, plan.id).await.unwrap();
        assert_eq!(commitment.record_sha256.as_deref(), Some(weijian_rules::draw::record_sha256(&published).as_str()));
        assert_eq!(commitment.beacon.as_deref(), Some(beacon.beacon.as_str()));
        assert_eq!(plans::public_record(s, plan.id).await.unwrap_err().code, "random_plan.record_not_released");
        for a in &record.assignments {
            assert_ne!(a.inspectors[0], a.inspectors[1]);
            assert!(!(a.entity == conflicted.to_string() && a.inspectors.contains(&gao.id.to_string())), "recused pair assigned");
        }
        // One task per selected entity, with its two inspectors and the plan's due date.
        let tasks = inspection_tasks::list(s, &chief, &TaskQuery { plan_id: Some(plan.id), limit: Some(200), ..Default::default() }).await.unwrap();
        assert_eq!(tasks.items.len(), record.selected_count());
        assert!(tasks.items.iter().all(|t| t.due_on == drawn.data.due_on && t.items == ["YL-01"]));
        // Never twice.
        let e = plans::draw(s, &chief, plan.id, &beacon).await.unwrap_err();
        assert_eq!((e.kind, e.code), (ErrorKind::Conflict, "random_plan.transition_not_allowed"));
        // 一公开 within 20 working days: a result recorded 40 days ago and not published is overdue.
        let task = &tasks.items[0];
        let inspector = actor(s, "zq_inspector1").await;
        let record = weijian_domain::inspections::InspectionInput {
            inspected_on: (today - chrono::Days::new(40)).to_string(),
            started_at: "09:00".into(),
            ended_at: "09:40".into(),
            place: "现场".into(),
            inspectors: task.inspectors.iter().map(|i| i.to_string()).collect(),
            party_signature: "absent".into(),
            outcome: "qualified".into(),
            ..Default::default()
        };
        weijian_domain::inspections::record(s, &inspector, task.id, &record).await.unwrap();
        assert_eq!(plans::get(s, &chief, plan.id).await.unwrap().status, PlanStatus::InProgress, "with its first record");
        let overdue = weijian_domain::inspections::overdue_publications(s, &chief, today).await.unwrap();
        let rule = weijian_rules::deadlines::get("random_results_publication").unwrap();
        let due = rule.due(weijian_rules::Calendar::official(), today - chrono::Days::new(40)).unwrap();
        assert_eq!(overdue, vec![(task.entity_name.clone(), today - chrono::Days::new(40), due)]);
        assert_eq!(weijian_domain::inspections::publish_results(s, &chief, plan.id).await.unwrap(), 1);
        assert!(weijian_domain::inspections::overdue_publications(s, &chief, today).await.unwrap().is_empty());
        assert_eq!(plans::get(s, &chief, plan.id).await.unwrap().status, PlanStatus::InProgress, "not all recorded yet");
        // Every other task recorded: completed; its results published: results published.
        for t in &tasks.items[1..] {
            let mut r = record.clone();
            r.inspected_on = today.to_string();
            r.inspectors = t.inspectors.iter().map(|i| i.to_string()).collect();
            weijian_domain::inspections::record(s, &inspector, t.id, &r).await.unwrap();
        }
        assert_eq!(plans::get(s, &chief, plan.id).await.unwrap().status, PlanStatus::Completed);
        let n = weijian_domain::inspections::publish_results(s, &chief, plan.id).await.unwrap();
        assert_eq!(n as usize, tasks.items.len() - 1);
        assert_eq!(plans::get(s, &chief, plan.id).await.unwrap().status, PlanStatus::ResultsPublished);
        // Public: listed, and its documents readable without an actor.
        let public = plans::public_draws(s, Some("131127")).await.unwrap();
        assert!(public.iter().any(|d| d.id == plan.id && d.status == PlanStatus::ResultsPublished));
        assert_eq!(plans::public_record(s, plan.id).await.unwrap(), published, "released with the results");
    }

    async fn a_pool_without_two_certified_inspectors_cannot_freeze(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let s = &db.store;
        let today = weijian_domain::input::today();
        demo_registry::seed(s, &DEMO_TARGETS[..1], 20, 7, today, |_, _| {}).await.unwrap();
        let chief = actor(s, "zq_chief").await;
        let institute = unit(s, "枣强县卫生监督所").await;
        let list = inspection_items::create_draft(s, &chief, institute.id, None).await.unwrap();
        inspection_items::update_draft(s, &chief, list.id, "清单", &items()).await.unwrap();
        inspection_items::publish(s, &chief, list.id, None, &today.to_string()).await.unwrap();
        // Only medical services: 张卫东 is valid, 马丽娜's certificate has expired.
        let mut input = plan_input(&institute, &list.id.to_string());
        input.pool_specialties = vec!["medical_services".into()];
        let plan = plans::create(s, &chief, &input).await.unwrap();
        plans::publish(s, &chief, plan.id, None).await.unwrap();
        let e = plans::freeze(s, &chief, plan.id, None).await.unwrap_err();
        assert_eq!((e.kind, e.code), (ErrorKind::Conflict, "random_plan.pool_too_small"));
        assert!(e.message.contains("只有 1 名"), "{}", e.message);
        assert!(plans::public_draws(s, None).await.unwrap().is_empty(), "nothing public before freezing");
        assert_eq!(plans::public_draw(s, plan.id).await.unwrap_err().kind, ErrorKind::NotFound);
        assert_eq!(plans::public_snapshot(s, plan.id).await.unwrap_err().kind, ErrorKind::NotFound);
        assert_eq!(plans::public_record(s, plan.id).await.unwrap_err().kind, ErrorKind::NotFound);
    }

    async fn a_large_draw_writes_every_task_in_batches(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let s = &db.store;
        let today = weijian_domain::input::today();
        // More tasks than one batch of the store's multi-row insert holds (500).
        demo_registry::seed(s, &DEMO_TARGETS[..1], 1_300, 7, today, |_, _| {}).await.unwrap();
        let chief = actor(s, "zq_chief").await;
        let institute = unit(s, "枣强县卫生监督所").await;
        let list = inspection_items::create_draft(s, &chief, institute.id, None).await.unwrap();
        inspection_items::update_draft(s, &chief, list.id, "清单", &items()).await.unwrap();
        inspection_items::publish(s, &chief, list.id, None, &today.to_string()).await.unwrap();
        let mut input = plan_input(&institute, &list.id.to_string());
        // Every inspector of the institute, whatever their specialty: 13 generated plus the demo's.
        input.pool_specialties = weijian_rules::registry::Registry::official().specialties.iter().map(|s| s.key.clone()).collect();
        let plan = plans::create(s, &chief, &input).await.unwrap();
        plans::publish(s, &chief, plan.id, None).await.unwrap();
        plans::freeze(s, &chief, plan.id, None).await.unwrap();
        let beacon = DrawRequest { beacon: "05 11 23 31".into(), beacon_source: "测试".into(), version: None };
        let (_, record) = plans::draw(s, &chief, plan.id, &beacon).await.unwrap();
        assert!(record.assignments.len() > 500, "{}", record.assignments.len());
        // One task per assignment, with that assignment's inspectors and its entity's own region.
        let mut tasks = Vec::new();
        let mut after = None;
        loop {
            let q = TaskQuery { plan_id: Some(plan.id), after, limit: Some(200), ..Default::default() };
            let page = inspection_tasks::list(s, &Actor::system(), &q).await.unwrap();
            tasks.extend(page.items);
            match page.next {
                Some(c) => after = weijian_store::page::Cursor::decode(&c),
                None => break,
            }
        }
        assert_eq!(tasks.len(), record.assignments.len());
        for a in &record.assignments {
            let t = tasks.iter().find(|t| t.entity_id.to_string() == a.entity).expect("a task per selected entity");
            let names: Vec<String> = t.inspectors.iter().map(|i| i.to_string()).collect();
            assert_eq!(names, a.inspectors);
            assert_eq!(t.region_code, "131127");
        }
    }
}
