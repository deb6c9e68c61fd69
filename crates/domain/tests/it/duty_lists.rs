//! Responsibility lists (权责清单) through the domain, on both backends: draft →
//! publish, immutability, new versions copy the latest, jurisdiction, audit.

use weijian_domain::duty_lists as dl;
use weijian_domain::ErrorKind;
use weijian_store::duty_lists::{self, Duty, DutyListContent, DutyListStatus, DutyTask, ListFilter};
use weijian_store::testing::actor;
use weijian_store::units::Unit;
use weijian_store::{audit, both_backends, Actor, Store};

async fn unit(store: &Store, name: &str) -> Unit {
    let all = weijian_store::units::list(store, &Actor::system()).await.unwrap();
    all.into_iter().find(|u| u.name == name).unwrap()
}

fn content(duty: &str) -> DutyListContent {
    DutyListContent {
        duties: vec![Duty {
            name: duty.into(),
            basis: "三定方案".into(),
            tasks: vec![DutyTask {
                name: "开展监督检查".into(), section: "综合监督股".into(), remarks: String::new()
            }],
        }],
        ..Default::default()
    }
}

both_backends! {
    async fn draft_publish_immutable_and_new_version_copies(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let s = &db.store;
        let chief = actor(s, "wy_chief").await;
        let bureau = unit(s, "翁源县卫生健康局").await;
        let events_before = audit::count_events(s).await.unwrap();

        let v1 = dl::create_draft(s, &chief, bureau.id, None).await.unwrap();
        assert_eq!((v1.version_no, v1.status), (1, DutyListStatus::Draft));
        assert_eq!(v1.title, "翁源县卫生健康局权责清单");
        assert!(v1.content.duties.is_empty());
        // An empty list cannot be published; a second draft cannot be started.
        let e = dl::publish(s, &chief, v1.id, None, "2026-01-01").await.unwrap_err();
        assert_eq!((e.kind, e.code), (ErrorKind::Invalid, "duty_list.empty"));
        let e = dl::create_draft(s, &chief, bureau.id, None).await.unwrap_err();
        assert_eq!((e.kind, e.code), (ErrorKind::Conflict, "duty_list.draft_exists"));

        // Invalid content is refused with the field's path.
        let mut bad = content("负责综合监督");
        bad.duties[0].tasks[0].name = " ".into();
        let e = dl::update_draft(s, &chief, v1.id, "翁源县卫健局权责清单", &bad).await.unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("duty_list.name_required", Some("content.duties[0].tasks[0].name")));

        dl::update_draft(s, &chief, v1.id, "翁源县卫健局权责清单", &content("负责综合监督")).await.unwrap();
        let e = dl::publish(s, &chief, v1.id, None, "2026-13-01").await.unwrap_err();
        assert_eq!(e.code, "duty_list.invalid_effective_on");
        let e = dl::publish(s, &chief, v1.id, None, "").await.unwrap_err();
        assert_eq!(e.code, "duty_list.effective_on_required");
        let p = dl::publish(s, &chief, v1.id, None, "2020-01-01").await.unwrap();
        assert!(p.is_published() && p.published_at.is_some());
        assert_eq!(p.effective_on.unwrap().to_string(), "2020-01-01");

        // Published: immutable, through the domain and the store alike.
        let e = dl::update_draft(s, &chief, v1.id, "改标题", &content("改内容")).await.unwrap_err();
        assert_eq!((e.kind, e.code), (ErrorKind::Conflict, "duty_list.published_immutable"));
        let e = dl::publish(s, &chief, v1.id, None, "2021-01-01").await.unwrap_err();
        assert_eq!(e.code, "duty_list.transition_not_allowed");
        let e = duty_lists::update_draft(s, &chief, v1.id, "改标题", &content("改内容")).await.unwrap_err();
        assert!(matches!(e, weijian_store::StoreError::Conflict { code: "duty_list.published_immutable", .. }));
        let again = dl::get(s, &chief, v1.id).await.unwrap();
        assert_eq!((again.title.as_str(), again.content.clone()), ("翁源县卫健局权责清单", content("负责综合监督")));

        // A new version is a draft copy of the latest.
        let v2 = dl::create_draft(s, &chief, bureau.id, None).await.unwrap();
        assert_eq!((v2.version_no, v2.status), (2, DutyListStatus::Draft));
        assert_eq!((v2.title.as_str(), &v2.content), ("翁源县卫健局权责清单", &content("负责综合监督")));
        dl::update_draft(s, &chief, v2.id, "第二版", &content("负责综合监督（修订）")).await.unwrap();
        assert_eq!(dl::get(s, &chief, v1.id).await.unwrap().content, content("负责综合监督"));

        // The public read sees version 1 only (version 2 is a draft).
        let (_, public) = dl::public_for_region(s, "440229").await.unwrap();
        assert_eq!(public.len(), 1);
        assert_eq!(public[0].id, v1.id);

        // Every change wrote its event, in the object's history.
        let hist = audit::history(s, &Actor::system(), "duty_list", &v1.id.to_string()).await.unwrap();
        let actions: Vec<_> = hist.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["duty_list.create", "duty_list.update", "duty_list.publish"]);
        assert!(hist.iter().all(|e| e.username.as_deref() == Some("wy_chief") && e.region_code.as_deref() == Some("440229")));
        // create+update+publish of v1, create+update of v2; refusals wrote nothing.
        assert_eq!(audit::count_events(s).await.unwrap(), events_before + 5);
        assert!(audit::verify_chain(s).await.unwrap().first_break.is_none());
    }

    async fn jurisdiction_and_roles(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let s = &db.store;
        let zq_bureau = unit(s, "枣强县卫生健康局").await;
        let hk_bureau = unit(s, "海口市卫生健康委员会").await;
        let zq_lists = dl::list(s, &actor(s, "zq_chief").await, &ListFilter { unit_id: Some(zq_bureau.id), region_code: None }).await.unwrap();
        // The demo: version 1 published, version 2 a draft.
        assert_eq!(zq_lists.iter().map(|l| (l.version_no, l.status)).collect::<Vec<_>>(),
            [(2, DutyListStatus::Draft), (1, DutyListStatus::Published)]);
        let zq_draft = zq_lists[0].id;

        // Sideways: 海口市 neither reads nor edits 枣强县's list (404).
        let hk = actor(s, "hk_chief").await;
        assert_eq!(dl::get(s, &hk, zq_draft).await.unwrap_err().kind, ErrorKind::NotFound);
        let e = dl::update_draft(s, &hk, zq_draft, "篡改", &content("篡改")).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert_eq!(dl::publish(s, &hk, zq_draft, None, "2026-01-01").await.unwrap_err().kind, ErrorKind::NotFound);
        assert_eq!(dl::create_draft(s, &hk, zq_bureau.id, None).await.unwrap_err().kind, ErrorKind::NotFound);
        assert!(dl::list(s, &hk, &ListFilter::default()).await.unwrap().iter().all(|l| l.region_code == "460100"));
        let by_region = ListFilter { unit_id: None, region_code: Some("131127".into()) };
        assert!(dl::list(s, &hk, &by_region).await.unwrap().is_empty());

        // Upwards: 衡水市's leader reads 枣强县 but may not write there (403).
        let hs = actor(s, "hs_leader").await;
        assert_eq!(dl::get(s, &hs, zq_draft).await.unwrap().unit_id, zq_bureau.id);
        assert_eq!(dl::list(s, &hs, &by_region).await.unwrap().len(), 2);
        let both = ListFilter { unit_id: Some(zq_bureau.id), region_code: Some("131100".into()) };
        assert!(dl::list(s, &hs, &both).await.unwrap().is_empty());
        let e = dl::update_draft(s, &hs, zq_draft, "市里改", &content("市里改")).await.unwrap_err();
        assert_eq!((e.kind, e.code), (ErrorKind::Forbidden, "jurisdiction.forbidden"));

        // Roles: an inspector reads but does not manage; an institution does not read.
        let inspector = actor(s, "zq_inspector1").await;
        assert_eq!(dl::get(s, &inspector, zq_draft).await.unwrap().id, zq_draft);
        let e = dl::update_draft(s, &inspector, zq_draft, "x", &content("x")).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Forbidden);
        let inst = actor(s, "zq_hospital").await;
        assert_eq!(dl::list(s, &inst, &ListFilter::default()).await.unwrap_err().kind, ErrorKind::Forbidden);

        // 海口市 publishes its own; the draft of 枣强县 never reaches the portal.
        let (region, public) = dl::public_for_region(s, "131127").await.unwrap();
        assert_eq!(region.name, "枣强县");
        assert_eq!(public.iter().map(|l| l.version_no).collect::<Vec<_>>(), [1]);
        assert!(public.iter().all(|l| l.is_published()));
        let (_, hk_public) = dl::public_for_region(s, "460100").await.unwrap();
        assert_eq!(hk_public[0].unit_id, hk_bureau.id);
        assert_eq!(dl::public_for_region(s, "999999").await.unwrap_err().kind, ErrorKind::NotFound);
        assert_eq!(dl::public_for_region(s, "abc").await.unwrap_err().kind, ErrorKind::NotFound);
    }

    async fn future_effective_date_is_not_yet_public(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let s = &db.store;
        let hk = actor(s, "hk_leader").await;
        let hk_bureau = unit(s, "海口市卫生健康委员会").await;
        let v2 = dl::create_draft(s, &hk, hk_bureau.id, Some("海口市卫健委权责清单（2099年版）")).await.unwrap();
        assert_eq!(v2.version_no, 2);
        dl::publish(s, &hk, v2.id, None, "2099-01-01").await.unwrap();
        let (_, public) = dl::public_for_region(s, "460100").await.unwrap();
        assert_eq!(public.iter().map(|l| l.version_no).collect::<Vec<_>>(), [1]);
    }
}
