//! 自查 storage: the obliged set fixed at opening, one report per entity, the
//! missing list and counts, closing, review and resubmission, and who sees
//! what. Every test runs on SQLite and on PostgreSQL.

use chrono::{Days, NaiveDate};
use weijian_rules::registry::EntityStatus;
use weijian_rules::self_inspection::{CampaignStatus, ReportAction, ReportStatus};
use weijian_store::entities::{self, Entity, EntityData};
use weijian_store::ids::EntityId;
use weijian_store::self_inspections::{self as si, CampaignData, Counts, Query, ReportData};
use weijian_store::testing::{self, TWO_PROVINCES};
use weijian_store::units::{Unit, UnitKind};
use weijian_store::{audit, both_backends, Actor, Role, Store, StoreError};

struct Fixture {
    zq_chief: Actor,
    hk_chief: Actor,
    /// Two operating hospitals in 枣强县 (obliged), a closed clinic, a barber's (another category).
    hospital: Entity,
    clinic: Entity,
    barber: Entity,
    hospital_user: Actor,
    clinic_user: Actor,
    barber_user: Actor,
}

async fn entity(store: &Store, region: &str, name: &str, category: &str, status: EntityStatus) -> Entity {
    let mut d = EntityData::named(region, name);
    d.category = category.into();
    d.status = status;
    entities::create(store, &Actor::system(), &d).await.unwrap()
}

async fn user(
    store: &Store,
    username: &str,
    role: Role,
    region: &str,
    unit: Option<&Unit>,
    entity: Option<EntityId>,
) -> Actor {
    testing::user(store, username, role, region, unit, entity).await.1
}

async fn fixture(store: &Store) -> Fixture {
    testing::regions(store, TWO_PROVINCES).await;
    let zq = testing::unit(store, "131127", "枣强县卫生健康局", UnitKind::Bureau, None).await;
    let hk = testing::unit(store, "460100", "海口市卫生健康委员会", UnitKind::Bureau, None).await;
    let hospital = entity(store, "131127", "枣强县人民医院", "medical_institution", EntityStatus::Operating).await;
    let clinic = entity(store, "131127", "枣强县某诊所", "medical_institution", EntityStatus::Operating).await;
    entity(store, "131127", "枣强县某已注销诊所", "medical_institution", EntityStatus::Closed).await;
    let barber = entity(store, "131127", "枣强县某理发店", "public_place", EntityStatus::Operating).await;
    entity(store, "460100", "海口市某医院", "medical_institution", EntityStatus::Operating).await;
    Fixture {
        zq_chief: user(store, "zq_chief", Role::SectionChief, "131127", Some(&zq), None).await,
        hk_chief: user(store, "hk_chief", Role::SectionChief, "460100", Some(&hk), None).await,
        hospital_user: user(store, "zq_hospital", Role::Institution, "131127", None, Some(hospital.id)).await,
        clinic_user: user(store, "zq_clinic", Role::Institution, "131127", None, Some(clinic.id)).await,
        barber_user: user(store, "zq_barber", Role::Institution, "131127", None, Some(barber.id)).await,
        hospital,
        clinic,
        barber,
    }
}

fn campaign(region: &str, categories: &[&str]) -> CampaignData {
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    CampaignData {
        region_code: region.into(),
        title: "2026年医疗机构依法执业自查".into(),
        specialty: "medical_services".into(),
        categories: categories.iter().map(|c| c.to_string()).collect(),
        requirements: "对照执业许可、诊疗科目逐项自查".into(),
        item_list_id: None,
        items: vec![],
        opened_on: today,
        deadline: today + Days::new(20),
    }
}

fn report(text: &str) -> ReportData {
    ReportData { problems: text.into(), measures: "已整改".into(), results: vec![], attachments: vec![] }
}

fn conflict_code(e: StoreError) -> &'static str {
    match e {
        StoreError::Conflict { code, .. } => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

both_backends! {
    async fn the_obliged_set_is_fixed_and_each_entity_reports_once(db: &TestDb) {
        let s = &db.store;
        let f = fixture(s).await;
        let data = campaign("131127", &["medical_institution"]);
        assert_eq!(si::scope_count(s, &data).await.unwrap(), 2, "operating medical institutions only");

        // Another region's chief may not open a campaign here.
        let e = si::open(s, &f.hk_chief, &data).await.unwrap_err();
        assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
        let (c, obliged) = si::open(s, &f.zq_chief, &data).await.unwrap();
        assert_eq!((obliged, c.status), (2, CampaignStatus::Open));

        // A medical institution registered afterwards does not move the goalposts.
        entity(s, "131127", "枣强县新开诊所", "medical_institution", EntityStatus::Operating).await;
        assert_eq!(si::counts(s, &f.zq_chief, c.id).await.unwrap(), Counts { obliged: 2, submitted: 0, missing: 2 });

        // Who sees the campaign.
        assert_eq!(si::get(s, &f.hospital_user, c.id).await.unwrap().id, c.id);
        assert!(matches!(si::get(s, &f.hk_chief, c.id).await, Err(StoreError::NotFound)));
        assert!(matches!(si::get(s, &f.barber_user, c.id).await, Err(StoreError::NotFound)), "not obliged");
        assert!(si::list(s, &f.barber_user, &Query::default()).await.unwrap().items.is_empty());
        assert!(si::list(s, &f.hk_chief, &Query::default()).await.unwrap().items.is_empty());
        let awaiting = Query { awaiting_report_of: Some(f.hospital.id), ..Default::default() };
        assert_eq!(si::list(s, &f.hospital_user, &awaiting).await.unwrap().items.len(), 1);

        // The hospital reports; a second report is refused.
        let r = si::submit(s, &f.hospital_user, &c, f.hospital.id, &report("未发现问题")).await.unwrap();
        assert_eq!((r.status, r.entity_name.as_str()), (ReportStatus::Submitted, "枣强县人民医院"));
        let e = si::submit(s, &f.hospital_user, &c, f.hospital.id, &report("再报一次")).await.unwrap_err();
        assert_eq!(conflict_code(e), "self_inspection.already_submitted");
        assert!(si::list(s, &f.hospital_user, &awaiting).await.unwrap().items.is_empty(), "no longer awaiting");
        // An institution user cannot report for another entity.
        let e = si::submit(s, &f.hospital_user, &c, f.clinic.id, &report("冒报")).await.unwrap_err();
        assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
        // Nor can an entity outside the set.
        let e = si::submit(s, &f.barber_user, &c, f.barber.id, &report("不在范围")).await.unwrap_err();
        assert_eq!(conflict_code(e), "self_inspection.not_obliged");

        // Counts, the missing list and the reports, each in the viewer's scope.
        assert_eq!(si::counts(s, &f.zq_chief, c.id).await.unwrap(), Counts { obliged: 2, submitted: 1, missing: 1 });
        let missing = si::missing(s, &f.zq_chief, c.id, None, None).await.unwrap().items;
        assert_eq!(missing.iter().map(|m| m.entity_name.as_str()).collect::<Vec<_>>(), ["枣强县某诊所"]);
        assert_eq!(si::reports(s, &f.zq_chief, c.id, None, None).await.unwrap().items.len(), 1);
        assert!(si::reports(s, &f.clinic_user, c.id, None, None).await.unwrap().items.is_empty(), "not another's report");
        assert!(matches!(si::get_report(s, &f.clinic_user, r.id).await, Err(StoreError::NotFound)));
        assert!(matches!(si::get_report(s, &f.hk_chief, r.id).await, Err(StoreError::NotFound)));
        assert_eq!(si::get_report(s, &f.hospital_user, r.id).await.unwrap().id, r.id);

        // Returned for correction, then submitted again; a second review of a reviewed report is refused.
        let returned = si::review(s, &f.zq_chief, &c, &r, ReportAction::Return, None, Some("请补充护士配备情况")).await.unwrap();
        assert_eq!(returned.status, ReportStatus::Returned);
        let again = si::submit(s, &f.hospital_user, &c, f.hospital.id, &report("护士配备不足")).await.unwrap();
        assert_eq!((again.id, again.status, again.version), (r.id, ReportStatus::Submitted, 3));
        let e = si::review(s, &f.hk_chief, &c, &again, ReportAction::Accept, None, None).await.unwrap_err();
        assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
        // A version the reviewer did not see is stale: 409, nothing changes, the chain does not grow.
        let chain = audit::count_events(s).await.unwrap();
        let e = si::review(s, &f.zq_chief, &c, &again, ReportAction::Accept, Some(again.version - 1), None).await;
        assert_eq!(conflict_code(e.unwrap_err()), "self_inspection_report.stale");
        assert_eq!(audit::count_events(s).await.unwrap(), chain);
        assert_eq!(si::get_report(s, &f.zq_chief, r.id).await.unwrap().status, ReportStatus::Submitted);
        let reviewed =
            si::review(s, &f.zq_chief, &c, &again, ReportAction::Accept, Some(again.version), None).await.unwrap();
        let e = si::review(s, &f.zq_chief, &c, &reviewed, ReportAction::Return, None, Some("x")).await.unwrap_err();
        assert_eq!(conflict_code(e), "self_inspection_report.transition_not_allowed");

        // Closing ends reporting; closing twice is refused; another region may not close.
        let e = si::close(s, &f.hk_chief, &c, None).await.unwrap_err();
        assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
        let closed = si::close(s, &f.zq_chief, &c, None).await.unwrap();
        assert_eq!(closed.status, CampaignStatus::Closed);
        let e = si::submit(s, &f.clinic_user, &closed, f.clinic.id, &report("迟到")).await.unwrap_err();
        assert_eq!(conflict_code(e), "self_inspection.closed");
        // Even with a stale copy that still says open: the guard is in SQL.
        let e = si::submit(s, &f.clinic_user, &c, f.clinic.id, &report("迟到")).await.unwrap_err();
        assert_eq!(conflict_code(e), "self_inspection.closed");
        // Closing again: a stale copy loses the race, a fresh one is refused by the table.
        assert_eq!(conflict_code(si::close(s, &f.zq_chief, &c, None).await.unwrap_err()), "self_inspection.stale");
        let e = si::close(s, &f.zq_chief, &closed, None).await.unwrap_err();
        assert_eq!(conflict_code(e), "self_inspection.transition_not_allowed");

        // Every step is in the audit trail, and the chain holds.
        let history = audit::history(s, &Actor::system(), "self_inspection", &c.id.to_string()).await.unwrap();
        let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["self_inspection.open", "self_inspection.close"]);
        let history = audit::history(s, &Actor::system(), "self_inspection_report", &r.id.to_string()).await.unwrap();
        let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["self_inspection.submit", "self_inspection.review", "self_inspection.submit", "self_inspection.review"]);
        assert!(audit::verify_chain(s).await.unwrap().first_break.is_none());
    }

    async fn a_campaign_for_nobody_is_refused_and_writes_nothing(db: &TestDb) {
        let s = &db.store;
        let f = fixture(s).await;
        let before = audit::verify_chain(s).await.unwrap().events;
        let e = si::open(s, &f.zq_chief, &campaign("131127", &["water_supply"])).await.unwrap_err();
        assert_eq!(conflict_code(e), "self_inspection.no_entities");
        assert_eq!(audit::verify_chain(s).await.unwrap().events, before);
        assert!(si::list(s, &Actor::system(), &Query::default()).await.unwrap().items.is_empty());

        // A city's campaign obliges its counties' entities; the county's staff
        // see it (their entities must answer) but may not close it.
        let city = user(s, "hs_admin", Role::Admin, "131100", None, None).await;
        let (c, obliged) = si::open(s, &city, &campaign("131100", &["medical_institution", "public_place"])).await.unwrap();
        assert_eq!(obliged, 3);
        assert_eq!(si::get(s, &f.zq_chief, c.id).await.unwrap().id, c.id);
        assert_eq!(si::get(s, &f.barber_user, c.id).await.unwrap().id, c.id);
        assert!(matches!(si::close(s, &f.zq_chief, &c, None).await, Err(StoreError::Forbidden(_))));
        assert!(matches!(si::get(s, &f.hk_chief, c.id).await, Err(StoreError::NotFound)));
    }
}
