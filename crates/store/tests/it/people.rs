//! Practitioners and inspectors in the store, on SQLite and PostgreSQL:
//! duplicates, masking and the audited reveal, jurisdiction, keyset pages,
//! practice sites, and the eligibility rule on boundary days.

use chrono::NaiveDate;
use weijian_rules::registry::{InspectorStatus, PractitionerKind, PractitionerStatus};
use weijian_store::entities::{self, Entity, EntityData};
use weijian_store::inspectors::{self, InspectorData};
use weijian_store::practitioners::{self, PractitionerData};
use weijian_store::testing::{regions, unit, user_in};
use weijian_store::units::{self, NewUnit, Unit, UnitKind};
use weijian_store::users::{self, NewUser};
use weijian_store::{audit, both_backends, Actor, Role, Store, StoreError};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Two counties of 衡水: 枣强县 and 桃城区, each with an institute and a hospital.
struct World {
    zq_unit: Unit,
    tc_unit: Unit,
    zq_hospital: Entity,
    tc_hospital: Entity,
    zq_chief: Actor,
    tc_chief: Actor,
}

async fn world(store: &Store) -> World {
    let sys = Actor::system();
    regions(store, HENGSHUI_TWO_COUNTIES).await;
    let zq_unit = unit(store, "131127", "枣强县卫生监督所", UnitKind::SupervisionInstitute, None).await;
    let tc_unit = unit(store, "131102", "桃城区卫生监督所", UnitKind::SupervisionInstitute, None).await;
    let zq_hospital = entities::create(store, &sys, &EntityData::named("131127", "枣强县人民医院")).await.unwrap();
    let tc_hospital = entities::create(store, &sys, &EntityData::named("131102", "桃城区人民医院")).await.unwrap();
    let zq_chief = staff(store, "zq_chief", Role::SectionChief, &zq_unit).await;
    let tc_chief = staff(store, "tc_chief", Role::SectionChief, &tc_unit).await;
    World { zq_unit, tc_unit, zq_hospital, tc_hospital, zq_chief, tc_chief }
}

const HENGSHUI_TWO_COUNTIES: &[(&str, &str, Option<&str>)] = &[
    ("130000", "河北省", None),
    ("131100", "衡水市", Some("130000")),
    ("131127", "枣强县", Some("131100")),
    ("131102", "桃城区", Some("131100")),
];

async fn staff(store: &Store, username: &str, role: Role, unit: &Unit) -> Actor {
    user_in(store, username, role, unit).await.1
}

fn doctor(name: &str, id_number: &str, cert: &str, at: &Entity) -> PractitionerData {
    PractitionerData {
        name: name.into(),
        id_number: id_number.into(),
        kind: PractitionerKind::Physician,
        qualification_no: None,
        practice_cert_no: Some(cert.into()),
        practice_category: Some("临床".into()),
        practice_scope: None,
        entity_id: at.id,
        status: PractitionerStatus::Practising,
        registered_on: None,
        cert_valid_until: None,
    }
}

fn inspector(unit: &Unit, name: &str, cert: &str, from: &str, until: &str, status: InspectorStatus) -> InspectorData {
    InspectorData {
        user_id: None,
        name: name.into(),
        unit_id: unit.id,
        cert_no: cert.into(),
        cert_valid_from: d(from),
        cert_valid_until: d(until),
        specialties: vec!["school_health".into(), "public_places".into()],
        status,
        phone: None,
    }
}

const ID_A: &str = "131127198001010019";
const ID_B: &str = "131102198505050025";

fn code_of(e: StoreError) -> (&'static str, String) {
    match e {
        StoreError::Conflict { code, message } => (code, message),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

both_backends! {
    async fn duplicate_registrations_are_refused_with_the_existing_record_named(db: &TestDb) {
        let s = &db.store;
        let w = world(s).await;
        let a = weijian_rules::ids::CitizenId::parse(ID_A, d("2026-01-01"));
        assert!(a.is_ok(), "fixture number valid: {a:?}");
        let first = practitioners::create(s, &w.zq_chief, &doctor("齐建华", ID_A, "110131127000001", &w.zq_hospital)).await.unwrap();
        // Same person again, under another certificate.
        let (code, message) = code_of(
            practitioners::create(s, &w.zq_chief, &doctor("齐建华", ID_A, "110131127000002", &w.zq_hospital)).await.unwrap_err(),
        );
        assert_eq!(code, "practitioner.duplicate");
        assert!(message.contains("齐建华") && message.contains("枣强县人民医院"), "{message}");
        // Same kind and certificate number, another person.
        let (code, _) = code_of(
            practitioners::create(s, &w.zq_chief, &doctor("宋雅琴", ID_B, "110131127000001", &w.zq_hospital)).await.unwrap_err(),
        );
        assert_eq!(code, "practitioner.duplicate");
        // From another county the record is not named.
        let (code, message) = code_of(
            practitioners::create(s, &w.tc_chief, &doctor("齐建华", ID_A, "110131102000009", &w.tc_hospital)).await.unwrap_err(),
        );
        assert_eq!(code, "practitioner.duplicate");
        assert!(!message.contains("齐建华") && message.contains("其他辖区"), "{message}");
        // An update may keep its own numbers, but not take another's.
        let second = practitioners::create(s, &w.zq_chief, &doctor("宋雅琴", ID_B, "110131127000003", &w.zq_hospital)).await.unwrap();
        let same = practitioners::update(s, &w.zq_chief, first.id, Some(1), &PractitionerData { practice_scope: Some("内科".into()), ..first.data.clone() }).await.unwrap();
        assert_eq!(same.version, 2);
        let e = practitioners::update(s, &w.zq_chief, second.id, None, &PractitionerData { id_number: ID_A.into(), ..second.data.clone() }).await.unwrap_err();
        assert_eq!(code_of(e).0, "practitioner.duplicate");
        // A stale version is refused.
        let e = practitioners::update(s, &w.zq_chief, first.id, Some(1), &first.data).await.unwrap_err();
        assert_eq!(code_of(e).0, "practitioner.stale");
        // Inspectors: one certificate number, one linked account.
        let i = inspectors::create(s, &w.zq_chief, &inspector(&w.zq_unit, "高振宇", "ZQ001", "2025-01-01", "2027-12-31", InspectorStatus::Active)).await.unwrap();
        let e = inspectors::create(s, &w.zq_chief, &inspector(&w.zq_unit, "马丽娜", "ZQ001", "2025-01-01", "2027-12-31", InspectorStatus::Active)).await.unwrap_err();
        assert_eq!(code_of(e).0, "inspector.duplicate_cert");
        let updated = inspectors::update(s, &w.zq_chief, i.id, Some(1), &InspectorData { phone: Some("13800000000".into()), ..i.data.clone() }).await.unwrap();
        assert_eq!(updated.version, 2);
    }

    async fn id_numbers_serialise_masked_and_a_reveal_is_audited(db: &TestDb) {
        let s = &db.store;
        let w = world(s).await;
        let p = practitioners::create(s, &w.zq_chief, &doctor("齐建华", ID_A, "110131127000001", &w.zq_hospital)).await.unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert!(!json.contains(ID_A) && json.contains("1311**********0019"), "{json}");
        assert_eq!(p.clone().masked().data.id_number, "1311**********0019");
        let before = audit::history(s, &w.zq_chief, "practitioner", &p.id.to_string()).await.unwrap().len();
        let full = practitioners::reveal_id_number(s, &w.zq_chief, p.id).await.unwrap();
        assert_eq!(full, ID_A);
        let events = audit::history(s, &w.zq_chief, "practitioner", &p.id.to_string()).await.unwrap();
        assert_eq!(events.len(), before + 1);
        let last = events.last().unwrap();
        assert_eq!(last.action, "practitioner.reveal_id_number");
        assert_eq!(last.username.as_deref(), Some("zq_chief"));
        assert!(!last.summary.contains(ID_A));
        // No reveal of a practitioner outside one's jurisdiction.
        assert!(matches!(practitioners::reveal_id_number(s, &w.tc_chief, p.id).await, Err(StoreError::NotFound)));
        // The number is not searchable by a part of it; exactly, it is found.
        let q = |q: &str| practitioners::Query { q: Some(q.into()), ..Default::default() };
        assert!(practitioners::list(s, &w.zq_chief, &q("19800101")).await.unwrap().items.is_empty());
        assert_eq!(practitioners::list(s, &w.zq_chief, &q("齐建")).await.unwrap().items.len(), 1);
        assert_eq!(practitioners::list(s, &w.zq_chief, &q("000001")).await.unwrap().items.len(), 1);
        let exact = practitioners::Query { id_number: Some(ID_A.into()), ..Default::default() };
        assert_eq!(practitioners::list(s, &w.zq_chief, &exact).await.unwrap().items.len(), 1);
        let mut conn = s.reader().acquire().await.unwrap();
        assert!(practitioners::find_by_id_number(&mut conn, &w.zq_chief, ID_A).await.unwrap().is_some());
        assert!(practitioners::find_by_id_number(&mut conn, &w.tc_chief, ID_A).await.unwrap().is_none());
    }

    async fn counties_see_and_write_only_their_own(db: &TestDb) {
        let s = &db.store;
        let w = world(s).await;
        let p = practitioners::create(s, &w.zq_chief, &doctor("齐建华", ID_A, "110131127000001", &w.zq_hospital)).await.unwrap();
        let i = inspectors::create(s, &w.zq_chief, &inspector(&w.zq_unit, "高振宇", "ZQ001", "2025-01-01", "2027-12-31", InspectorStatus::Active)).await.unwrap();
        assert!(matches!(practitioners::get(s, &w.tc_chief, p.id).await, Err(StoreError::NotFound)));
        assert!(matches!(inspectors::get(s, &w.tc_chief, i.id).await, Err(StoreError::NotFound)));
        assert!(practitioners::list(s, &w.tc_chief, &Default::default()).await.unwrap().items.is_empty());
        assert!(inspectors::list(s, &w.tc_chief, &Default::default()).await.unwrap().items.is_empty());
        assert!(inspectors::eligible_on(s, &w.tc_chief, d("2026-01-01"), None, None).await.unwrap().is_empty());
        // Writing into the other county: the hospital and the unit are not even found.
        let e = practitioners::create(s, &w.tc_chief, &doctor("宋雅琴", ID_B, "X1", &w.zq_hospital)).await.unwrap_err();
        assert!(matches!(e, StoreError::NotFound), "{e:?}");
        // The city sees both counties but may not write into them (not an admin).
        let hs_unit = units::create(s, &Actor::system(), NewUnit { region_code: "131100", name: "衡水市卫生健康委员会", kind: UnitKind::Bureau, parent_unit_id: None, phone: None, address: None }).await.unwrap();
        let city = staff(s, "hs_chief", Role::SectionChief, &hs_unit).await;
        assert_eq!(practitioners::get(s, &city, p.id).await.unwrap().data.name, "齐建华");
        let e = practitioners::create(s, &city, &doctor("宋雅琴", ID_B, "X1", &w.zq_hospital)).await.unwrap_err();
        assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
        let e = inspectors::create(s, &city, &inspector(&w.tc_unit, "孙庆祥", "TC9", "2025-01-01", "2027-12-31", InspectorStatus::Active)).await.unwrap_err();
        assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
        // An institution user sees its own staff only, and no inspectors.
        let hospital_user = users::create(s, &Actor::system(), NewUser {
            username: "zq_hospital", name: "何振华", role: Role::Institution, region_code: "131127", unit_id: None,
            section_id: None, entity_id: Some(w.zq_hospital.id), phone: None, password_hash: "x", must_change_password: false,
        }).await.unwrap();
        let (_, hospital) = users::actor_for(s, hospital_user.id, None, None).await.unwrap();
        assert_eq!(practitioners::list(s, &hospital, &Default::default()).await.unwrap().items.len(), 1);
        assert!(inspectors::list(s, &hospital, &Default::default()).await.unwrap().items.is_empty());
    }

    async fn practice_sites_and_the_entity_staff(db: &TestDb) {
        let s = &db.store;
        let w = world(s).await;
        let clinic = entities::create(s, &Actor::system(), &EntityData::named("131127", "枣强县恩察镇卫生院")).await.unwrap();
        let p = practitioners::create(s, &w.zq_chief, &doctor("齐建华", ID_A, "110131127000001", &w.zq_hospital)).await.unwrap();
        let site = practitioners::add_practice_site(s, &w.zq_chief, p.id, clinic.id, d("2026-03-01")).await.unwrap();
        let e = practitioners::add_practice_site(s, &w.zq_chief, p.id, clinic.id, d("2026-03-02")).await.unwrap_err();
        assert_eq!(code_of(e).0, "practice_site.duplicate");
        let e = practitioners::add_practice_site(s, &w.zq_chief, p.id, w.zq_hospital.id, d("2026-03-02")).await.unwrap_err();
        assert_eq!(code_of(e).0, "practice_site.is_primary");
        let staff = practitioners::of_entity(s, &w.zq_chief, clinic.id).await.unwrap();
        assert!(staff.primary.is_empty());
        assert_eq!(staff.sites.len(), 1);
        assert_eq!(staff.sites[0].1.data.name, "齐建华");
        assert_eq!(practitioners::of_entity(s, &w.zq_chief, w.zq_hospital.id).await.unwrap().primary.len(), 1);
        let e = practitioners::end_practice_site(s, &w.zq_chief, p.id, site.id, d("2026-02-01")).await.unwrap_err();
        assert_eq!(code_of(e).0, "practice_site.ends_before_filed");
        let ended = practitioners::end_practice_site(s, &w.zq_chief, p.id, site.id, d("2026-09-30")).await.unwrap();
        assert_eq!(ended.ended_on, Some(d("2026-09-30")));
        let sites = practitioners::sites_of(s, &w.zq_chief, p.id).await.unwrap();
        assert_eq!(sites[0].ended_on, Some(d("2026-09-30")));
        let actions: Vec<String> = audit::history(s, &w.zq_chief, "practitioner", &p.id.to_string()).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["practitioner.create", "practitioner.add_site", "practitioner.end_site"]);
    }

    async fn eligibility_follows_the_one_rule_on_boundary_days(db: &TestDb) {
        let s = &db.store;
        let w = world(s).await;
        let c = &w.zq_chief;
        let mk = |name: &'static str, cert: &'static str, from: &'static str, until: &'static str, status| {
            inspector(&w.zq_unit, name, cert, from, until, status)
        };
        for data in [
            mk("甲", "C1", "2025-01-01", "2026-06-30", InspectorStatus::Active),
            mk("乙", "C2", "2026-06-30", "2028-01-01", InspectorStatus::Active),
            mk("丙", "C3", "2025-01-01", "2026-06-29", InspectorStatus::Active),
            mk("丁", "C4", "2026-07-01", "2028-01-01", InspectorStatus::Active),
            mk("戊", "C5", "2025-01-01", "2028-01-01", InspectorStatus::Suspended),
            mk("己", "C6", "2025-01-01", "2028-01-01", InspectorStatus::Retired),
        ] {
            inspectors::create(s, c, &data).await.unwrap();
        }
        let mut other = mk("庚", "C7", "2025-01-01", "2028-01-01", InspectorStatus::Active);
        other.specialties = vec!["radiation".into()];
        inspectors::create(s, c, &other).await.unwrap();
        let names = |v: Vec<inspectors::Inspector>| v.into_iter().map(|i| i.data.name).collect::<Vec<_>>();
        // 甲 on its last day, 乙 on its first; expired, not yet valid, suspended and retired are out.
        let day = d("2026-06-30");
        assert_eq!(names(inspectors::eligible_on(s, c, day, None, None).await.unwrap()), ["乙", "庚", "甲"]);
        assert_eq!(names(inspectors::eligible_on(s, c, day, None, Some("school_health")).await.unwrap()), ["乙", "甲"]);
        assert_eq!(names(inspectors::eligible_on(s, c, day, None, Some("radiation")).await.unwrap()), ["庚"]);
        assert_eq!(names(inspectors::eligible_on(s, c, day, Some(w.tc_unit.id), None).await.unwrap()), Vec::<String>::new());
        assert_eq!(names(inspectors::eligible_on(s, c, d("2026-07-01"), Some(w.zq_unit.id), None).await.unwrap()), ["丁", "乙", "庚"]);
        // Expiring: active, running out within 30 days of the day.
        assert_eq!(names(inspectors::expiring_certificates(s, c, d("2026-06-10")).await.unwrap()), ["丙", "甲"]);
        // Lists: filters and keyset pages.
        let q = inspectors::Query { status: Some(InspectorStatus::Active), limit: Some(2), ..Default::default() };
        let first = inspectors::list(s, c, &q).await.unwrap();
        assert_eq!(first.items.len(), 2);
        let cursor = weijian_store::page::Cursor::decode(first.next.as_deref().unwrap()).unwrap();
        let second = inspectors::list(s, c, &inspectors::Query { after: Some(cursor), ..q.clone() }).await.unwrap();
        assert_eq!(second.items.len(), 2);
        let cursor = weijian_store::page::Cursor::decode(second.next.as_deref().unwrap()).unwrap();
        let third = inspectors::list(s, c, &inspectors::Query { after: Some(cursor), ..q.clone() }).await.unwrap();
        assert_eq!(third.items.len(), 1);
        assert!(third.next.is_none());
        let mut seen: Vec<_> = first.items.iter().chain(&second.items).chain(&third.items).map(|i| i.id).collect();
        seen.dedup();
        assert_eq!(seen.len(), 5);
        let search = inspectors::Query { q: Some("c7".into()), ..Default::default() };
        assert_eq!(names(inspectors::list(s, c, &search).await.unwrap().items), ["庚"]);
        let spec = inspectors::Query { specialty: Some("radiation".into()), ..Default::default() };
        assert_eq!(names(inspectors::list(s, c, &spec).await.unwrap().items), ["庚"]);
    }
}
