//! Inspections beyond 双随机 over HTTP, on both backends: tasks a section chief
//! assigns by hand (patrol, complaint, pre-licence, campaign) answer with the
//! same view GET shows, bad input is refused by code, inspectors and other
//! jurisdictions are denied; a 专项检查 targets entities by category and
//! attribute, in its region only, and generates its tasks once.

use crate::common::*;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use weijian_rules::registry::{AttributeValue, EntityStatus};
use weijian_store::entities::EntityData;
use weijian_store::{both_backends, Actor};

const HAIKOU: &str = "460100";
const ZAOQIANG: &str = "131127";

fn content() -> Value {
    json!({"items": [
        {"code": "YL-01", "name": "医疗机构依法执业", "specialty": "medical_services",
         "target_categories": ["medical_institution"], "content": "执业许可、人员资质", "method": "on_site",
         "legal_basis": "《医疗机构管理条例》",
         "checklist": [{"text": "是否持有有效的《医疗机构执业许可证》"}, {"text": "卫生技术人员是否具备资质"}]},
        {"code": "GG-01", "name": "公共场所卫生", "specialty": "public_places",
         "target_categories": ["public_place"], "content": "卫生许可证", "method": "on_site",
         "legal_basis": "《公共场所卫生管理条例》", "checklist": [{"text": "是否持有卫生许可证"}]}
    ]})
}

/// Medical institutions by name (region, level, status); the demo generator
/// never makes a 三级 one, so the 三级 set is exactly these.
const HOSPITALS: &[(&str, &str, &str, EntityStatus)] = &[
    ("枣强县第一三级医院", ZAOQIANG, "三级", EntityStatus::Operating),
    ("枣强县第二三级医院", ZAOQIANG, "三级", EntityStatus::Operating),
    ("枣强县已关闭三级医院", ZAOQIANG, "三级", EntityStatus::Closed),
    ("枣强县二级医院", ZAOQIANG, "二级", EntityStatus::Operating),
    ("海口市三级医院", HAIKOU, "三级", EntityStatus::Operating),
];

struct Fixture {
    list: String,
    /// The inspector records of zq_inspector1 and zq_inspector2.
    pair: [String; 2],
    chief: Session,
    inspector: Session,
}

async fn fixture(app: &App) -> Fixture {
    let today = weijian_domain::input::today();
    let sys = Actor::system();
    weijian_demo::registry::seed(&app.store, &weijian_demo::registry::DEMO_TARGETS[..2], 6, 3, today, |_, _| {})
        .await
        .unwrap();
    for (name, region, level, status) in HOSPITALS {
        let mut data = EntityData::named(region, name);
        data.category = "medical_institution".into();
        data.status = *status;
        data.attributes = [
            ("institution_type".to_string(), AttributeValue::Text("综合医院".into())),
            ("level".to_string(), AttributeValue::Text(level.to_string())),
        ]
        .into();
        weijian_store::entities::create(&app.store, &sys, &data).await.unwrap();
    }
    let chief = app.login("zq_chief").await;
    let institute = app.id_of_unit("枣强县卫生监督所").await;
    let r = app.post("/api/v1/inspection-item-lists", &chief, json!({"unit_id": institute})).await;
    let list = r.json()["id"].as_str().unwrap().to_string();
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/inspection-item-lists/{list}"),
            Some(&chief),
            true,
            Some(json!({"title": "清单", "content": content()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .post(
            &format!("/api/v1/inspection-item-lists/{list}/publish"),
            &chief,
            json!({"effective_on": today.to_string()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let mut pair = Vec::new();
    for username in ["zq_inspector1", "zq_inspector2"] {
        let user = app.id_of_user(username).await.parse().unwrap();
        let i = weijian_store::inspectors::of_user(&app.store, &sys, user).await.unwrap().expect("an inspector record");
        assert!(i.may_enforce_on(today), "{username} is certified today");
        pair.push(i.id.to_string());
    }
    let inspector = app.login("zq_inspector1").await;
    Fixture { list, pair: [pair[0].clone(), pair[1].clone()], chief, inspector }
}

fn due(days: u64) -> String {
    (weijian_domain::input::today() + chrono::Days::new(days)).to_string()
}

async fn audit_events(app: &App) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events").fetch_one(app.store.reader()).await.unwrap()
}

fn campaign_body(list: &str, level: &str) -> Value {
    let today = weijian_domain::input::today();
    json!({"name": "三级医院依法执业专项检查", "specialty": "medical_services", "item_list_id": list,
        "starts_on": today.to_string(), "ends_on": due(30),
        "target": {"category": "medical_institution", "attributes": {"level": level}}})
}

both_backends! {
    async fn a_chief_assigns_a_patrol_task_and_the_answer_is_the_view_get_shows(db: &TestDb) {
        let app = app(db).await;
        let f = fixture(&app).await;
        let entity = app.id_of_entity("枣强县二级医院").await;
        let body = json!({"entity_id": entity, "source": "patrol", "inspector_ids": f.pair, "due_on": due(7)});
        let r = app.post("/api/v1/inspection-tasks", &f.chief, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let created = r.json();
        let id = created["id"].as_str().unwrap();
        let got = app.get(&format!("/api/v1/inspection-tasks/{id}"), Some(&f.chief)).await;
        assert_eq!(got.json(), created, "201 and GET show the same view");
        assert_eq!((created["source"].as_str(), created["source_label"].as_str()), (Some("patrol"), Some("日常巡查")));
        assert_eq!(created["items"], json!(["YL-01"]), "the current list's items for the entity's category");
        assert_eq!(created["campaign_id"], Value::Null);
        assert_eq!(created["inspectors"], json!(f.pair));

        // A pre-licence check with an item chosen.
        let body = json!({"entity_id": entity, "source": "pre_licence", "inspector_ids": f.pair, "due_on": due(3), "items": ["YL-01"]});
        let r = app.post("/api/v1/inspection-tasks", &f.chief, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["source_label"], "许可前检查");

        // The assigned inspector sees it in their list like a drawn task, and on /tasks.
        let mine = app.get("/api/v1/inspection-tasks?mine=true", Some(&f.inspector)).await.json();
        assert!(mine["items"].as_array().unwrap().iter().any(|t| t["id"] == id), "{mine}");
        let page = app.get("/tasks", Some(&f.inspector)).await;
        assert!(page.text().contains("枣强县二级医院") && page.text().contains("日常巡查"), "{}", page.text());
        // The inspector records it: the patrol task is an ordinary task.
        let record = json!({
            "inspected_on": weijian_domain::input::today().to_string(), "started_at": "09:00", "ended_at": "09:30",
            "place": "门诊楼", "inspectors": f.pair,
            "results": [{"item": "YL-01", "point": 0, "result": "pass"}],
            "party_signature": "signed", "party_name": "院长", "outcome": "qualified"
        });
        let r = app.post(&format!("/api/v1/inspection-tasks/{id}/inspection"), &f.inspector, record).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }

    async fn bad_tasks_are_refused_by_code_and_change_nothing(db: &TestDb) {
        let app = app(db).await;
        let f = fixture(&app).await;
        let entity = app.id_of_entity("枣强县二级医院").await;
        let today = weijian_domain::input::today();
        let base = json!({"entity_id": entity, "source": "patrol", "inspector_ids": f.pair, "due_on": due(7)});
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            b
        };
        let before = audit_events(&app).await;
        let cases = [
            (with("source", json!("random")), "inspection_task.random_by_draw"),
            (with("source", json!("reinspection")), "inspection_task.reinspection_by_order"),
            (with("source", json!("spaceflight")), "inspection_task.invalid_source"),
            (with("source", json!("campaign")), "inspection_task.campaign_required"),
            (with("campaign_id", json!(f.list)), "inspection_task.campaign_unexpected"),
            (with("inspector_ids", json!([f.pair[0]])), "inspection.two_inspectors_required"),
            (with("inspector_ids", json!([f.pair[0], f.pair[0]])), "inspection.two_inspectors_required"),
            (with("inspector_ids", json!([f.pair[0], "x"])), "request.invalid_id"),
            (with("due_on", json!((today - chrono::Days::new(1)).to_string())), "inspection_task.due_in_past"),
            (with("due_on", json!("明天")), "inspection_task.invalid_due_on"),
            (with("items", json!(["GG-99"])), "inspection_task.unknown_item"),
            (with("entity_id", json!("nope")), "request.invalid_id"),
        ];
        for (body, code) in cases {
            let r = app.post("/api/v1/inspection-tasks", &f.chief, body.clone()).await;
            assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, code.to_string()), "{body}: {}", r.text());
            assert!(r.json()["message"].as_str().unwrap().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "a Chinese message");
        }
        let r = app.post("/api/v1/inspection-tasks", &f.chief, json!({"entity_id": entity})).await;
        assert!(r.status.is_client_error(), "missing fields: {}", r.status);
        assert_eq!(audit_events(&app).await, before, "refusals write nothing");
        // A declared conflict (回避) of the second inspector with the entity.
        let r = app.post(&format!("/api/v1/inspectors/{}/conflicts", f.pair[1]), &f.chief, json!({"entity_id": entity, "reason": "配偶在该院工作"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let hk = app.login("hk_chief").await;
        let before = audit_events(&app).await;
        let r = app.post("/api/v1/inspection-tasks", &f.chief, base.clone()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "inspection_task.inspector_conflict".to_string()), "{}", r.text());
        // An inspector may not assign tasks.
        let r = app.post("/api/v1/inspection-tasks", &f.inspector, with("inspector_ids", json!(f.pair))).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "auth.forbidden".to_string()), "{}", r.text());
        // Haikou's chief cannot reach a Zaoqiang entity.
        let r = app.post("/api/v1/inspection-tasks", &hk, base.clone()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "inspection_task.entity_not_found".to_string()), "{}", r.text());
        assert_eq!(audit_events(&app).await, before, "refusals write nothing");
    }

    async fn a_campaign_targets_by_attribute_in_its_region_and_generates_its_tasks_once(db: &TestDb) {
        let app = app(db).await;
        let f = fixture(&app).await;
        // Bad campaigns first.
        let mut bad = campaign_body(&f.list, "四级");
        let r = app.post("/api/v1/inspection-campaigns", &f.chief, bad.clone()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "inspection_campaign.invalid_attribute".to_string()), "{}", r.text());
        bad["target"]["attributes"] = json!({"colour": "红"});
        let r = app.post("/api/v1/inspection-campaigns", &f.chief, bad.clone()).await;
        assert_eq!(r.code(), "inspection_campaign.unknown_attribute");
        let mut reversed = campaign_body(&f.list, "三级");
        reversed["ends_on"] = json!((weijian_domain::input::today() - chrono::Days::new(1)).to_string());
        let r = app.post("/api/v1/inspection-campaigns", &f.chief, reversed).await;
        assert_eq!(r.code(), "inspection_campaign.period_reversed");
        let mut unknown = campaign_body(&f.list, "三级");
        unknown["specialty"] = json!("astronomy");
        assert_eq!(app.post("/api/v1/inspection-campaigns", &f.chief, unknown).await.code(), "inspection_campaign.unknown_specialty");
        let r = app.post("/api/v1/inspection-campaigns", &f.inspector, campaign_body(&f.list, "三级")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "an inspector creates no campaign");

        let r = app.post("/api/v1/inspection-campaigns", &f.chief, campaign_body(&f.list, "三级")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let campaign = r.json();
        let id = campaign["id"].as_str().unwrap().to_string();
        // Operating 三级 institutions of Zaoqiang only: not the closed one, the 二级 one or Haikou's.
        assert_eq!(campaign["target_count"], 2, "{campaign}");
        assert_eq!((campaign["task_count"].as_i64(), campaign["items"].clone()), (Some(0), json!(["YL-01"])));
        assert_eq!(campaign["target_label"], "医疗机构（级别：三级）");
        assert_eq!(app.get(&format!("/api/v1/inspection-campaigns/{id}"), Some(&f.chief)).await.json(), campaign);
        let listed = app.get("/api/v1/inspection-campaigns", Some(&f.chief)).await.json();
        assert!(listed["items"].as_array().unwrap().iter().any(|c| c["id"] == id.as_str()));
        // Haikou's staff do not see it.
        let hk = app.login("hk_chief").await;
        assert_eq!(app.get(&format!("/api/v1/inspection-campaigns/{id}"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        let r = app.post(&format!("/api/v1/inspection-campaigns/{id}/tasks"), &hk, json!({"inspector_ids": f.pair})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
        let r = app.post(&format!("/api/v1/inspection-campaigns/{id}/tasks"), &f.inspector, json!({"inspector_ids": f.pair})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = app.post(&format!("/api/v1/inspection-campaigns/{id}/tasks"), &f.chief, json!({"inspector_ids": f.pair, "due_on": due(31)})).await;
        assert_eq!(r.code(), "inspection_campaign.due_after_end");

        let r = app.post(&format!("/api/v1/inspection-campaigns/{id}/tasks"), &f.chief, json!({"inspector_ids": f.pair})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let out = r.json();
        assert_eq!((out["created"].as_array().unwrap().len(), out["campaign"]["task_count"].as_i64()), (2, Some(2)), "{out}");
        let mut names = Vec::new();
        for t in out["created"].as_array().unwrap() {
            let task = app.get(&format!("/api/v1/inspection-tasks/{}", t.as_str().unwrap()), Some(&f.chief)).await.json();
            assert_eq!((task["source"].as_str(), task["campaign_id"].as_str()), (Some("campaign"), Some(id.as_str())));
            assert_eq!((task["due_on"].clone(), task["items"].clone()), (campaign["ends_on"].clone(), json!(["YL-01"])));
            names.push(task["entity_name"].as_str().unwrap().to_string());
        }
        names.sort();
        assert_eq!(names, ["枣强县第一三级医院", "枣强县第二三级医院"]);
        // Idempotent: again, nothing new and nothing audited.
        let before = audit_events(&app).await;
        let r = app.post(&format!("/api/v1/inspection-campaigns/{id}/tasks"), &f.chief, json!({"inspector_ids": f.pair})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!((r.json()["created"].as_array().unwrap().len(), r.json()["skipped_existing"].as_array().unwrap().len()), (0, 2));
        assert_eq!(audit_events(&app).await, before);
        // The inspector sees the campaign's tasks.
        let mine = app.get("/api/v1/inspection-tasks?mine=true", Some(&f.inspector)).await.json();
        let theirs = mine["items"].as_array().unwrap().iter().filter(|t| t["campaign_id"] == id.as_str()).count();
        assert_eq!(theirs, 2, "{mine}");
        // One task by hand for the campaign: only a target of it.
        let other = app.id_of_entity("枣强县二级医院").await;
        let r = app.post("/api/v1/inspection-tasks", &f.chief, json!({"entity_id": other, "source": "campaign", "campaign_id": id, "inspector_ids": f.pair, "due_on": due(5)})).await;
        assert_eq!(r.code(), "inspection_task.not_campaign_target", "{}", r.text());
    }

    async fn a_conflicted_pair_is_passed_over_for_that_entity(db: &TestDb) {
        let app = app(db).await;
        let f = fixture(&app).await;
        let r = app.post("/api/v1/inspection-campaigns", &f.chief, campaign_body(&f.list, "三级")).await;
        let id = r.json()["id"].as_str().unwrap().to_string();
        let first = app.id_of_entity("枣强县第一三级医院").await;
        let r = app.post(&format!("/api/v1/inspectors/{}/conflicts", f.pair[0]), &f.chief, json!({"entity_id": first, "reason": "曾在该院任职"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = app.post(&format!("/api/v1/inspection-campaigns/{id}/tasks"), &f.chief, json!({"inspector_ids": f.pair})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!((r.json()["created"].as_array().unwrap().len(), r.json()["skipped_conflicts"].clone()), (1, json!([first])));
    }

    async fn the_pages_create_a_campaign_its_tasks_and_a_patrol_task(db: &TestDb) {
        let app = app(db).await;
        let f = fixture(&app).await;
        let today = weijian_domain::input::today();
        let home = app.get("/", Some(&f.chief)).await.text();
        assert!(home.contains("href=\"/inspection-campaigns\""), "a nav entry for chiefs");
        assert!(!app.get("/", Some(&f.inspector)).await.text().contains("href=\"/inspection-campaigns\""));
        let r = app.form("/inspection-campaigns", Some(&f.chief), &[
            ("name", "三级医院专项"), ("specialty", "medical_services"), ("item_list_id", &f.list),
            ("category", "medical_institution"), ("attribute", "level=三级"),
            ("starts_on", &today.to_string()), ("ends_on", &due(20)),
        ]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let at = App::location(&r);
        let page = app.get(&at, Some(&f.chief)).await.text();
        assert!(page.contains("医疗机构（级别：三级）") && page.contains("2 户"), "{page}");
        let r = app.form(&format!("{at}/tasks"), Some(&f.chief), &[("inspector1", &f.pair[0]), ("inspector2", &f.pair[1]), ("due_on", "")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.text().contains("已生成 2 个检查任务"), "{}", r.text());
        // 新建检查任务 from the entity's page and the task list.
        let entity = app.id_of_entity("枣强县二级医院").await;
        assert!(app.get(&format!("/entities/{entity}"), Some(&f.chief)).await.text().contains(&format!("/tasks/new?entity_id={entity}")));
        assert!(app.get("/tasks", Some(&f.chief)).await.text().contains("href=\"/tasks/new\""));
        let search = app.get("/tasks/new?q=二级医院", Some(&f.chief)).await.text();
        assert!(search.contains(&format!("/tasks/new?entity_id={entity}")), "{search}");
        let r = app.form("/tasks/new", Some(&f.chief), &[
            ("entity_id", &entity), ("source", "complaint"), ("campaign_id", ""), ("inspector1", &f.pair[0]),
            ("inspector2", &f.pair[1]), ("due_on", &due(3)), ("items", ""),
        ]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let task = App::location(&r);
        let shown = app.get(&task, Some(&f.inspector)).await;
        assert_eq!(shown.status, StatusCode::OK, "the inspector opens it");
        let r = app.form("/tasks/new", Some(&f.chief), &[("entity_id", &entity), ("source", "random"), ("inspector1", &f.pair[0]), ("inspector2", &f.pair[1]), ("due_on", &due(3))]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("双随机任务只能由抽取产生"));
        assert_eq!(app.get("/tasks/new", Some(&f.inspector)).await.status, StatusCode::FORBIDDEN);
    }
}
