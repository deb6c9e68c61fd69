//! The inspection's times and its 现场笔录, re-inspection (复查) outcomes and case
//! leads (案源) over HTTP, on both backends: validation, the PDF and its gapless
//! 文号, verified and unresolved orders, leads raised by inspections and by
//! 转为案源, decisions, and the denials (other region, institution, anonymous).

use crate::common::*;
use axum::http::{header, Method, StatusCode};
use serde_json::{json, Value};
use weijian_rules::inspection::TaskSource;
use weijian_store::ids::{InspectionItemListId, InspectorId};
use weijian_store::{both_backends, Actor};

fn item_list_content() -> Value {
    json!({"items": [{
        "code": "GG-01",
        "name": "公共场所卫生管理情况",
        "specialty": "public_places",
        "target_categories": ["public_place", "medical_institution"],
        "content": "卫生许可证、从业人员健康合格证明",
        "method": "on_site",
        "legal_basis": "《公共场所卫生管理条例》",
        "checklist": [
            {"text": "是否持有有效的《公共场所卫生许可证》", "violation_code": "PUB-001"},
            {"text": "从业人员是否取得有效健康合格证明", "violation_code": "PUB-003"},
            {"text": "是否公示卫生检测结果"}
        ]
    }]})
}

/// A published item list, two inspectors of 枣强县卫生监督所 certified 60 days
/// back and today, and the demo's entities of 枣强县.
struct Fixture {
    list: InspectionItemListId,
    inspectors: [InspectorId; 2],
    entities: Vec<(String, String)>,
}

async fn fixture(app: &App) -> Fixture {
    let today = weijian_domain::input::today();
    let sys = Actor::system();
    weijian_demo::registry::seed(&app.store, &weijian_demo::registry::DEMO_TARGETS[..1], 12, 3, today, |_, _| {})
        .await
        .unwrap();
    let chief = app.login("zq_chief").await;
    let institute = app.id_of_unit("枣强县卫生监督所").await;
    let r = app
        .call(Method::POST, "/api/v1/inspection-item-lists", Some(&chief), true, Some(json!({"unit_id": institute})))
        .await;
    let list = r.json()["id"].as_str().unwrap().to_string();
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/inspection-item-lists/{list}"),
            Some(&chief),
            true,
            Some(json!({"title": "清单", "content": item_list_content()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/inspection-item-lists/{list}/publish"),
            Some(&chief),
            true,
            Some(json!({"effective_on": today.to_string()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let unit = institute.parse().unwrap();
    let then =
        weijian_store::inspectors::eligible_on(&app.store, &sys, today - chrono::Days::new(60), Some(unit), None)
            .await
            .unwrap();
    let now = weijian_store::inspectors::eligible_on(&app.store, &sys, today, Some(unit), None).await.unwrap();
    let both: Vec<InspectorId> = then.iter().filter(|i| now.iter().any(|n| n.id == i.id)).map(|i| i.id).collect();
    assert!(both.len() >= 2, "two inspectors certified throughout");
    let q =
        weijian_store::entities::Query { region_code: Some("131127".into()), limit: Some(50), ..Default::default() };
    let entities = weijian_store::entities::list(&app.store, &sys, &q)
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.data.name != "枣强县人民医院")
        .map(|e| (e.id.to_string(), e.data.name))
        .collect::<Vec<_>>();
    assert!(entities.len() >= 6, "{}", entities.len());
    Fixture { list: list.parse().unwrap(), inspectors: [both[0], both[1]], entities }
}

impl Fixture {
    /// A task assigned by hand (patrol, or a re-inspection).
    async fn task(&self, app: &App, entity: &str, source: TaskSource) -> String {
        let data = weijian_store::inspection_tasks::TaskData {
            entity_id: entity.parse().unwrap(),
            source,
            item_list_id: self.list,
            items: vec!["GG-01".into()],
            inspectors: self.inspectors,
            due_on: weijian_domain::input::today() + chrono::Days::new(10),
        };
        weijian_domain::inspections::assign_task(&app.store, &Actor::system(), &data).await.unwrap().id.to_string()
    }

    /// A record: point 1 failed when `fail`, the outcome, an order for `rectify`.
    fn record(&self, on: chrono::NaiveDate, fail: bool, outcome: &str) -> Value {
        let mut v = json!({
            "inspected_on": on.to_string(), "started_at": "09:05", "ended_at": "10:40", "place": "经营场所",
            "inspectors": self.inspectors.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
            "results": [
                {"item": "GG-01", "point": 0, "result": "pass"},
                {"item": "GG-01", "point": 1, "result": if fail { "fail" } else { "pass" }, "note": if fail { "2名从业人员无健康证明" } else { "" }},
                {"item": "GG-01", "point": 2, "result": if fail { "fail" } else { "not_applicable" }}
            ],
            "findings": if fail { "部分从业人员未取得健康合格证明" } else { "" },
            "party_signature": "signed", "party_name": "王经理", "outcome": outcome
        });
        if outcome == "rectify" {
            v["rectification"] = json!({"content": "安排从业人员体检", "days": 10});
        }
        v
    }
}

async fn post(app: &App, s: &Session, uri: &str, body: Value) -> Resp {
    app.call(Method::POST, uri, Some(s), true, Some(body)).await
}

async fn form(app: &App, s: &Session, uri: String, body: String) -> Resp {
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &s.cookie)
        .header("x-csrf-token", &s.csrf)
        .body(axum::body::Body::from(body))
        .unwrap();
    app.send(req).await
}

/// Percent-encoding as Content-Disposition's `filename*` and forms use it: ASCII letters and digits stay.
fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

both_backends! {
    async fn inspection_times_are_required_and_ordered(db: &TestDb) {
        let app = app(db).await;
        let f = fixture(&app).await;
        let inspector = app.login("zq_inspector1").await;
        let task = f.task(&app, &f.entities[0].0, TaskSource::Patrol).await;
        let uri = format!("/api/v1/inspection-tasks/{task}/inspection");
        let today = weijian_domain::input::today();
        let cases = [
            (json!(null), json!("10:00"), "inspection.started_at_required", "started_at"),
            (json!("09:00"), json!(""), "inspection.ended_at_required", "ended_at"),
            (json!("9点"), json!("10:00"), "inspection.invalid_time", "started_at"),
            (json!("09:00"), json!("25:00"), "inspection.invalid_time", "ended_at"),
            (json!("10:30"), json!("10:29"), "inspection.ended_before_started", "ended_at"),
        ];
        for (start, end, code, field) in cases {
            let mut body = f.record(today, false, "qualified");
            body["started_at"] = start.clone();
            body["ended_at"] = end.clone();
            if start.is_null() {
                body.as_object_mut().unwrap().remove("started_at");
            }
            let r = post(&app, &inspector, &uri, body).await;
            assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, code.to_string()), "{start} {end}: {}", r.text());
            assert_eq!(r.json()["field"], field);
            assert!(!r.json()["message"].as_str().unwrap().is_empty());
        }
        // Equal times are fine; the record gives them back as HH:MM.
        let mut body = f.record(today, false, "qualified");
        body["started_at"] = json!("10:30:59");
        body["ended_at"] = json!("10:30");
        let r = post(&app, &inspector, &uri, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let saved = r.json();
        assert_eq!((saved["inspection"]["started_at"].as_str(), saved["inspection"]["ended_at"].as_str()), (Some("10:30"), Some("10:30")));
        assert!(saved["followed_up"].is_null() && saved["case_lead"].is_null(), "a qualified patrol raises nothing");

        // The phone form: the start is pre-filled with the time the form was shown.
        let other = f.task(&app, &f.entities[1].0, TaskSource::Patrol).await;
        let page = app.get(&format!("/tasks/{other}"), Some(&inspector)).await.text();
        let shown = page.split("name=\"started_at\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("a start time").to_string();
        assert!(weijian_store::inspections::clock::parse(&shown).is_some(), "{shown}");
        assert!(page.contains("name=\"ended_at\" value=\"\""), "the end is left to the save");
    }
}

both_backends! {
    async fn the_site_record_pdf_has_its_own_gapless_number(db: &TestDb) {
        let app = app(db).await;
        let f = fixture(&app).await;
        let inspector = app.login("zq_inspector1").await;
        let chief = app.login("zq_chief").await;
        let today = weijian_domain::input::today();
        let mut ids = vec![];
        for (n, signature) in ["refused", "absent"].iter().enumerate() {
            let task = f.task(&app, &f.entities[n].0, TaskSource::Patrol).await;
            let mut body = f.record(today, true, "rectify");
            body["party_signature"] = json!(signature);
            let r = post(&app, &inspector, &format!("/api/v1/inspection-tasks/{task}/inspection"), body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            ids.push(r.json()["inspection"]["id"].as_str().unwrap().to_string());
        }
        let uri = |id: &str| format!("/api/v1/inspections/{id}/site-record.pdf");
        // Denials first: anonymous, another county, an institution (not its record).
        assert_eq!(app.get(&uri(&ids[0]), None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get(&uri(&ids[0]), Some(&app.login("hk_chief").await)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&uri(&ids[0]), Some(&app.login("zq_hospital").await)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&uri("not-an-id"), Some(&chief)).await.status.as_u16() / 100, 4);

        let pdf = app.get(&uri(&ids[0]), Some(&inspector)).await;
        assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.text());
        assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
        assert!(pdf.body.starts_with(b"%PDF-"));
        let disposition = pdf.headers[header::CONTENT_DISPOSITION].to_str().unwrap().to_string();
        let year = chrono::Datelike::year(&today);
        assert!(disposition.contains(&enc(&format!("监笔〔{year}〕1号"))), "{disposition}");
        // The same number the second time, for anyone who may read it.
        let again = app.get(&uri(&ids[0]), Some(&chief)).await;
        assert_eq!(again.headers[header::CONTENT_DISPOSITION].to_str().unwrap(), disposition);
        let second = app.get(&uri(&ids[1]), Some(&chief)).await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.text());
        assert!(second.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains(&enc(&format!("监笔〔{year}〕2号"))));
        // The opinion's series is separate: its first number is 1 too.
        let opinion = app.get(&format!("/api/v1/inspections/{}/opinion.pdf", ids[1]), Some(&chief)).await;
        assert!(opinion.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains(&enc(&format!("监意〔{year}〕1号"))));
        // Gapless: the series holds 1 and 2, one per inspection.
        let numbers = weijian_store::documents::number_for(&app.store, weijian_rules::documents::DocumentKind::SiteRecord, "inspection", &ids[0]).await.unwrap().unwrap();
        let series = weijian_store::documents::issued(&app.store, &Actor::system(), numbers.unit_id, weijian_rules::documents::DocumentKind::SiteRecord, year).await.unwrap();
        assert_eq!(series.iter().map(|n| n.doc_number.number).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(series.iter().map(|n| n.object_id.clone()).collect::<Vec<_>>(), ids);

        // The entity's file links both documents of the record.
        let page = app.get(&format!("/entities/{}", f.entities[0].0), Some(&chief)).await.text();
        assert!(page.contains(&format!("/api/v1/inspections/{}/site-record.pdf", ids[0])) && page.contains("09:05–10:40"), "{page}");
    }
}

both_backends! {
    async fn the_institution_reads_its_site_record_once_issued(db: &TestDb) {
        let app = app(db).await;
        let f = fixture(&app).await;
        let hospital_id = weijian_store::entities::list(&app.store, &Actor::system(), &weijian_store::entities::Query { q: Some("枣强县人民医院".into()), ..Default::default() })
            .await.unwrap().items[0].id.to_string();
        let inspector = app.login("zq_inspector1").await;
        let task = f.task(&app, &hospital_id, TaskSource::Patrol).await;
        let r = post(&app, &inspector, &format!("/api/v1/inspection-tasks/{task}/inspection"), f.record(weijian_domain::input::today(), false, "qualified")).await;
        let id = r.json()["inspection"]["id"].as_str().unwrap().to_string();
        let uri = format!("/api/v1/inspections/{id}/site-record.pdf");
        let hospital = app.login("zq_hospital").await;
        assert_eq!(app.get(&uri, Some(&hospital)).await.code(), "document.not_issued");
        let file = app.get(&format!("/entities/{hospital_id}"), Some(&hospital)).await.text();
        assert!(!file.contains("site-record.pdf"), "no link before it is issued");
        assert_eq!(app.get(&uri, Some(&inspector)).await.status, StatusCode::OK);
        let pdf = app.get(&uri, Some(&hospital)).await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert!(pdf.body.starts_with(b"%PDF-"));
        let file = app.get(&format!("/entities/{hospital_id}"), Some(&hospital)).await.text();
        assert!(file.contains("site-record.pdf") && !file.contains("opinion.pdf"), "only what was issued");
        // Another institution never.
        assert_eq!(app.get(&uri, Some(&app.login("hk_clinic").await)).await.status, StatusCode::NOT_FOUND);
    }
}

both_backends! {
    async fn reinspections_verify_or_find_orders_unresolved_and_raise_leads(db: &TestDb) {
        let app = app(db).await;
        let f = fixture(&app).await;
        let inspector = app.login("zq_inspector1").await;
        let chief = app.login("zq_chief").await;
        let today = weijian_domain::input::today();
        let record = |task: &str| format!("/api/v1/inspection-tasks/{task}/inspection");
        let mut orders = vec![];
        for (entity, _) in &f.entities[..3] {
            let task = f.task(&app, entity, TaskSource::Patrol).await;
            let r = post(&app, &inspector, &record(&task), f.record(today, true, "rectify")).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            orders.push(r.json()["rectification"].clone());
        }
        // Verified: the re-inspection is qualified.
        let re = orders[0]["reinspection_task_id"].as_str().unwrap();
        let r = post(&app, &inspector, &record(re), f.record(today, false, "qualified")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let done = r.json();
        assert_eq!(done["followed_up"]["id"], orders[0]["id"]);
        assert_eq!(done["followed_up"]["status"], "verified");
        assert_eq!(done["followed_up"]["reinspection_id"], done["inspection"]["id"], "the order links its re-inspection");
        assert!(done["case_lead"].is_null());
        let listed = app.get("/api/v1/rectifications?status=verified", Some(&chief)).await.json();
        assert_eq!(listed["items"][0]["reinspection_id"], done["inspection"]["id"]);
        let history = app.get(&format!("/api/v1/audit?object_type=entity&object_id={}", f.entities[0].0), Some(&chief)).await.json();
        assert!(history.as_array().unwrap().iter().any(|e| e["action"] == "rectification.verify"), "{history}");

        // Unresolved: the re-inspection finds the point still failed; a lead with its violation codes.
        let re = orders[1]["reinspection_task_id"].as_str().unwrap();
        let r = post(&app, &inspector, &record(re), f.record(today, true, "case_lead")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let done = r.json();
        assert_eq!(done["followed_up"]["status"], "unresolved");
        let lead = &done["case_lead"];
        assert_eq!((lead["source"].as_str(), lead["status"].as_str()), (Some("unresolved_reinspection"), Some("open")), "{lead}");
        assert_eq!(lead["violation_codes"], json!(["PUB-003"]), "the failed points' catalog codes (point 3 has none)");
        assert_eq!(lead["rectification_id"], orders[1]["id"]);
        assert_eq!(lead["source_id"], done["inspection"]["id"]);
        assert_eq!(lead["entity_id"].as_str(), Some(f.entities[1].0.as_str()));
        let events = app.get(&format!("/api/v1/audit?object_type=case_lead&object_id={}", lead["id"].as_str().unwrap()), Some(&chief)).await.json();
        assert_eq!(events[0]["action"], "case_lead.create", "{events}");

        // A re-inspection assigned by hand follows up the entity's open order...
        let by_hand = f.task(&app, &f.entities[2].0, TaskSource::Reinspection).await;
        let r = post(&app, &inspector, &record(&by_hand), f.record(today, false, "qualified")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["followed_up"]["id"], orders[2]["id"]);
        // ...so the order's own re-inspection task finds it closed: refused, nothing saved.
        let re = orders[2]["reinspection_task_id"].as_str().unwrap();
        let r = post(&app, &inspector, &record(re), f.record(today, true, "rectify")).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "rectification.transition_not_allowed".to_string()), "{}", r.text());
        let task = app.get(&format!("/api/v1/inspection-tasks/{re}"), Some(&chief)).await.json();
        assert_eq!(task["status"], "assigned", "rolled back");
        // A re-inspection of an entity without an open order is refused.
        let nothing = f.task(&app, &f.entities[3].0, TaskSource::Reinspection).await;
        let r = post(&app, &inspector, &record(&nothing), f.record(today, false, "qualified")).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "reinspection.no_open_order".to_string()));

        // 建议立案 on an ordinary inspection raises a lead of its own.
        let task = f.task(&app, &f.entities[4].0, TaskSource::Patrol).await;
        let r = post(&app, &inspector, &record(&task), f.record(today, true, "case_lead")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let lead = r.json()["case_lead"].clone();
        assert_eq!((lead["source"].as_str(), lead["violation_codes"].clone()), (Some("inspection"), json!(["PUB-003"])));
        assert!(lead["rectification_id"].is_null());
        let leads = app.get("/api/v1/case-leads", Some(&chief)).await.json();
        assert_eq!(leads["items"].as_array().unwrap().len(), 2, "{leads}");
        assert_eq!(leads["items"][0]["id"], lead["id"], "newest first");
    }
}

both_backends! {
    async fn an_overdue_order_becomes_a_lead_once_and_leads_are_decided(db: &TestDb) {
        let app = app(db).await;
        let f = fixture(&app).await;
        let inspector = app.login("zq_inspector1").await;
        let chief = app.login("zq_chief").await;
        let hospital = app.login("zq_hospital").await;
        let hk = app.login("hk_chief").await;
        let today = weijian_domain::input::today();
        // An order of 40 days ago with 10 days to correct: overdue. One of today: not yet.
        let old = f.task(&app, &f.entities[0].0, TaskSource::Patrol).await;
        let r = post(&app, &inspector, &format!("/api/v1/inspection-tasks/{old}/inspection"), f.record(today - chrono::Days::new(40), true, "rectify")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let overdue = r.json()["rectification"]["id"].as_str().unwrap().to_string();
        let fresh = f.task(&app, &f.entities[1].0, TaskSource::Patrol).await;
        let r = post(&app, &inspector, &format!("/api/v1/inspection-tasks/{fresh}/inspection"), f.record(today, true, "rectify")).await;
        let current = r.json()["rectification"]["id"].as_str().unwrap().to_string();

        let convert = |id: &str| format!("/api/v1/rectifications/{id}/case-lead");
        let r = app.call(Method::POST, &convert(&current), Some(&inspector), true, None).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "case_lead.order_not_overdue".to_string()));
        // Denials: anonymous, the institution, another county.
        assert_eq!(app.call(Method::POST, &convert(&overdue), None, false, None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.call(Method::POST, &convert(&overdue), Some(&hospital), true, None).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.call(Method::POST, &convert(&overdue), Some(&hk), true, None).await.status, StatusCode::NOT_FOUND);
        // The home page offers 转为案源 for the overdue order.
        let home = app.get("/", Some(&chief)).await.text();
        assert!(home.contains(&format!("action=\"/rectifications/{overdue}/case-lead\"")), "{home}");
        let r = app.call(Method::POST, &convert(&overdue), Some(&inspector), true, None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let lead = r.json();
        assert_eq!((lead["source"].as_str(), lead["source_id"].as_str()), (Some("overdue_rectification"), Some(overdue.as_str())));
        assert_eq!(lead["violation_codes"], json!(["PUB-003"]));
        let r = app.call(Method::POST, &convert(&overdue), Some(&chief), true, None).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "case_lead.already_exists".to_string()), "only once");
        let home = app.get("/", Some(&chief)).await.text();
        assert!(home.contains("已转为案源") && !home.contains(&format!("action=\"/rectifications/{overdue}/case-lead\"")));
        // Its re-inspection, unresolved, raises no second lead for the same order.
        let re = app.get("/api/v1/rectifications?status=open&limit=200", Some(&chief)).await.json();
        let task = re["items"].as_array().unwrap().iter().find(|o| o["id"] == overdue.as_str()).unwrap()["reinspection_task_id"].as_str().unwrap().to_string();
        let r = post(&app, &inspector, &format!("/api/v1/inspection-tasks/{task}/inspection"), f.record(today, true, "rectify")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["followed_up"]["status"], "unresolved");
        assert!(r.json()["case_lead"].is_null(), "{}", r.text());

        // Reading: staff of the county; never the institution; not another county; not anonymous.
        let id = lead["id"].as_str().unwrap().to_string();
        let one = format!("/api/v1/case-leads/{id}");
        assert_eq!(app.get(&one, Some(&inspector)).await.json()["entity_name"], f.entities[0].1.as_str());
        assert_eq!(app.get(&one, Some(&hk)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&one, Some(&hospital)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get(&one, None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get("/api/v1/case-leads", Some(&hospital)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get("/api/v1/case-leads", None).await.status, StatusCode::UNAUTHORIZED);
        assert!(app.get("/api/v1/case-leads", Some(&hk)).await.json()["items"].as_array().unwrap().is_empty());
        // The city above sees the county's leads.
        let city = app.get("/api/v1/case-leads", Some(&app.login("hs_leader").await)).await;
        assert_eq!(city.json()["items"].as_array().unwrap().len(), 1, "{}", city.text());
        // Filters and keyset pages.
        let filtered = app.get("/api/v1/case-leads?source=overdue_rectification&status=open", Some(&chief)).await.json();
        assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
        assert!(app.get("/api/v1/case-leads?source=inspection", Some(&chief)).await.json()["items"].as_array().unwrap().is_empty());
        assert_eq!(app.get("/api/v1/case-leads?status=closed", Some(&chief)).await.code(), "request.invalid_filter");
        assert_eq!(app.get("/api/v1/case-leads?cursor=zz", Some(&chief)).await.code(), "request.invalid_cursor");
        let task = f.task(&app, &f.entities[2].0, TaskSource::Patrol).await;
        post(&app, &inspector, &format!("/api/v1/inspection-tasks/{task}/inspection"), f.record(today, true, "case_lead")).await;
        let first = app.get("/api/v1/case-leads?limit=1", Some(&chief)).await.json();
        let next = first["next"].as_str().expect("a second page").to_string();
        let second = app.get(&format!("/api/v1/case-leads?limit=1&cursor={next}"), Some(&chief)).await.json();
        assert_eq!(second["items"].as_array().unwrap().len(), 1);
        assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);
        assert!(second["next"].is_null());

        // Dismissing needs a reason and a role that decides; another county cannot.
        // The lead names PUB-003: 一般 tier, so its dismissal goes through legal review.
        let dismiss = format!("/api/v1/case-leads/{id}/dismiss");
        let request = format!("/api/v1/case-leads/{id}/request-dismissal");
        // allowed_actions follow the table and the role; a stale version changes nothing.
        let lead_url = format!("/api/v1/case-leads/{id}");
        let open = app.get(&lead_url, Some(&chief)).await.json();
        assert_eq!(open["allowed_actions"], json!(["accept", "request_dismissal"]));
        assert_eq!(open["dismissal_needs_legal_review"], json!(true));
        assert_eq!(app.get(&lead_url, Some(&inspector)).await.json()["allowed_actions"], json!([]));
        let r = post(&app, &chief, &dismiss, json!({"reason": "情节轻微"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "case_lead.legal_review_required".to_string()), "{}", r.text());
        assert_eq!(app.get(&lead_url, Some(&chief)).await.json()["version"], open["version"], "nothing changed");
        let stale = json!({"reason": "过期的页面", "version": open["version"].as_i64().unwrap() - 1});
        let r = post(&app, &chief, &request, stale).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "case_lead.stale".to_string()));
        assert_eq!(app.get(&lead_url, Some(&chief)).await.json()["status"], "open");
        let r = post(&app, &chief, &request, json!({"reason": "  "})).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "case_lead.reason_required".to_string()));
        assert_eq!(post(&app, &inspector, &request, json!({"reason": "x"})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(post(&app, &hospital, &request, json!({"reason": "x"})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(post(&app, &hk, &request, json!({"reason": "x"})).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.call(Method::POST, &request, None, false, Some(json!({"reason": "x"}))).await.status, StatusCode::UNAUTHORIZED);
        let r = post(&app, &chief, &request, json!({"reason": "已于复查前完成整改，情节轻微", "version": open["version"]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!((r.json()["status"].as_str(), r.json()["decision_reason"].as_str()), (Some("pending_legal_review"), Some("已于复查前完成整改，情节轻微")));
        assert_eq!(r.json()["allowed_actions"], json!([]), "the chief waits for the review");
        let legal = app.login("zq_legal").await;
        let pending = app.get(&lead_url, Some(&legal)).await.json();
        assert_eq!(pending["allowed_actions"], json!(["approve_dismissal", "reject_dismissal"]));
        let r = post(&app, &legal, &format!("/api/v1/case-leads/{id}/legal-review"), json!({"decision": "approve", "opinion": "同意：违法事实轻微并已及时纠正，未造成危害后果", "version": pending["version"]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!((r.json()["status"].as_str(), r.json()["decision_reason"].as_str()), (Some("dismissed"), Some("已于复查前完成整改，情节轻微")));
        assert_eq!(r.json()["allowed_actions"], json!([]), "a decided lead offers nothing");
        let r = post(&app, &chief, &request, json!({"reason": "再次"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "case_lead.transition_not_allowed".to_string()));
        let r = post(&app, &chief, &format!("/api/v1/case-leads/{id}/accept"), json!({})).await;
        assert_eq!(r.code(), "case_lead.transition_not_allowed");
        let events = app.get(&format!("/api/v1/audit?object_type=case_lead&object_id={id}"), Some(&chief)).await.json();
        let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"case_lead.create") && actions.contains(&"case_lead.request_dismissal") && actions.contains(&"case_lead.approve_dismissal"), "{actions:?}");
        // The other lead is accepted.
        let other = second["items"][0]["id"].as_str().unwrap();
        let other = if other == id { first["items"][0]["id"].as_str().unwrap().to_string() } else { other.to_string() };
        let r = post(&app, &chief, &format!("/api/v1/case-leads/{other}/accept"), json!({"reason": "立案调查"})).await;
        assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("accepted")), "{}", r.text());
    }
}

both_backends! {
    async fn the_case_lead_pages_list_show_and_dismiss(db: &TestDb) {
        let app = app(db).await;
        let f = fixture(&app).await;
        let inspector = app.login("zq_inspector1").await;
        let chief = app.login("zq_chief").await;
        let task = f.task(&app, &f.entities[0].0, TaskSource::Patrol).await;
        let r = post(&app, &inspector, &format!("/api/v1/inspection-tasks/{task}/inspection"), f.record(weijian_domain::input::today(), true, "case_lead")).await;
        let id = r.json()["case_lead"]["id"].as_str().unwrap().to_string();
        let list = app.get("/case-leads", Some(&chief)).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.text().contains(&f.entities[0].1) && list.text().contains("PUB-003"), "{}", list.text());
        assert!(app.get("/", Some(&chief)).await.text().contains("href=\"/case-leads\""), "in the navigation");
        assert_eq!(app.get("/case-leads", Some(&app.login("zq_hospital").await)).await.status, StatusCode::FORBIDDEN);
        assert!(!app.get("/case-leads", Some(&app.login("hk_chief").await)).await.text().contains(&f.entities[0].1));
        assert_eq!(app.get(&format!("/case-leads/{id}"), Some(&app.login("hk_chief").await)).await.status, StatusCode::NOT_FOUND);
        // PUB-003 is 一般 tier: the chief's page offers the proposal for legal review, not a direct dismissal.
        let page = app.get(&format!("/case-leads/{id}"), Some(&chief)).await.text();
        assert!(page.contains("拟不予立案的理由") && !page.contains(&format!("action=\"/case-leads/{id}/dismiss\"")) && page.contains("/rules/violations/PUB-003"), "{page}");
        assert!(page.contains("name=\"version\" value=\"1\""), "each form carries the version it showed");
        // The inspector reads it but has no decision forms.
        assert!(!app.get(&format!("/case-leads/{id}"), Some(&inspector)).await.text().contains("不予立案的理由"));
        // A direct dismissal form post is refused with the message; an empty reason too.
        let r = form(&app, &chief, format!("/case-leads/{id}/dismiss"), format!("reason={}", enc("经核实不构成违法"))).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text().contains("须提请法制审核"), "{}", r.text());
        let r = form(&app, &chief, format!("/case-leads/{id}/request-dismissal"), "reason=".into()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("请填写不予立案的理由"));
        let r = form(&app, &chief, format!("/case-leads/{id}/request-dismissal"), format!("reason={}&version=1", enc("经核实不构成违法"))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        // The legal reviewer finds it on the home page and in the list, and reviews it on the lead's page.
        let legal = app.login("zq_legal").await;
        let home = app.get("/", Some(&legal)).await.text();
        assert!(home.contains("待法制审核的不予立案") && home.contains(&format!("/case-leads/{id}")), "{home}");
        assert!(app.get("/case-leads", Some(&legal)).await.text().contains(&f.entities[0].1), "pending ones by default for the reviewer");
        assert!(!app.get("/", Some(&chief)).await.text().contains("待法制审核的不予立案"));
        let page = app.get(&format!("/case-leads/{id}"), Some(&legal)).await.text();
        assert!(page.contains("同意不予立案") && page.contains("不同意，退回待处理") && !page.contains("拟不予立案的理由"), "{page}");
        assert!(!app.get(&format!("/case-leads/{id}"), Some(&chief)).await.text().contains("审核意见<"), "the chief has no review form");
        let r = form(&app, &legal, format!("/case-leads/{id}/legal-review"), format!("decision=reject&version=2&opinion={}", enc("事实不清，应立案调查"))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = app.get(&format!("/case-leads/{id}"), Some(&chief)).await.text();
        assert!(page.contains("不同意不予立案：事实不清，应立案调查") && page.contains("王立平") && page.contains("拟不予立案的理由"), "{page}");
        assert!(app.get("/case-leads", Some(&chief)).await.text().contains(&f.entities[0].1), "open again");
    }
}

both_backends! {
    async fn a_general_tier_dismissal_needs_the_legal_reviewers_sign_off(db: &TestDb) {
        let app = app(db).await;
        let f = fixture(&app).await;
        let inspector = app.login("zq_inspector1").await;
        let chief = app.login("zq_chief").await;
        let leader = app.login("zq_leader").await;
        let legal = app.login("zq_legal").await;
        let hk_legal = app.login("hk_legal").await;
        let today = weijian_domain::input::today();
        // One lead naming PUB-003 (一般 tier) and one naming no violation.
        let task = f.task(&app, &f.entities[0].0, TaskSource::Patrol).await;
        let r = post(&app, &inspector, &format!("/api/v1/inspection-tasks/{task}/inspection"), f.record(today, true, "case_lead")).await;
        let general = r.json()["case_lead"]["id"].as_str().unwrap().to_string();
        let task = f.task(&app, &f.entities[1].0, TaskSource::Patrol).await;
        let r = post(&app, &inspector, &format!("/api/v1/inspection-tasks/{task}/inspection"), f.record(today, false, "case_lead")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let minor = r.json()["case_lead"]["id"].as_str().unwrap().to_string();
        assert_eq!(r.json()["case_lead"]["violation_codes"], json!([]));
        let url = |id: &str, tail: &str| format!("/api/v1/case-leads/{id}{tail}");
        let get = |s: &Session, id: &str| {
            let (app, u) = (&app, url(id, ""));
            let s = s.clone();
            async move { app.get(&u, Some(&s)).await.json() }
        };

        // allowed_actions by role and tier: the decider's dismissal path follows the tier; the reviewer has nothing open.
        assert_eq!(get(&chief, &general).await["allowed_actions"], json!(["accept", "request_dismissal"]));
        assert_eq!(get(&leader, &general).await["allowed_actions"], json!(["accept", "request_dismissal"]));
        assert_eq!(get(&chief, &minor).await["allowed_actions"], json!(["accept", "dismiss"]));
        assert_eq!(get(&legal, &general).await["allowed_actions"], json!([]));
        assert_eq!(get(&inspector, &general).await["allowed_actions"], json!([]));
        // Below the tier: dismissed directly; a request for review is refused.
        let r = post(&app, &chief, &url(&minor, "/request-dismissal"), json!({"reason": "不需要"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "case_lead.legal_review_not_needed".to_string()));
        let r = post(&app, &chief, &url(&minor, "/dismiss"), json!({"reason": "复核未发现违法行为"})).await;
        assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("dismissed")), "{}", r.text());
        assert!(r.json()["legal_review"].is_null());

        // 一般 tier: a direct dismissal is refused and changes nothing, for the leader as for the chief.
        for s in [&chief, &leader] {
            let r = post(&app, s, &url(&general, "/dismiss"), json!({"reason": "情节轻微"})).await;
            assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "case_lead.legal_review_required".to_string()));
        }
        let lead = get(&chief, &general).await;
        assert_eq!((lead["status"].as_str(), lead["version"].as_i64()), (Some("open"), Some(1)));
        // The legal reviewer cannot review what nobody proposed, nor propose or dismiss.
        let review = url(&general, "/legal-review");
        let r = post(&app, &legal, &review, json!({"decision": "approve", "opinion": "同意"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "case_lead.transition_not_allowed".to_string()));
        assert_eq!(post(&app, &legal, &url(&general, "/request-dismissal"), json!({"reason": "x"})).await.status, StatusCode::FORBIDDEN);

        let r = post(&app, &leader, &url(&general, "/request-dismissal"), json!({"reason": "当事人已自行纠正", "version": 1})).await;
        assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("pending_legal_review")), "{}", r.text());
        assert_eq!(r.json()["dismissal_requested_by"].as_str().unwrap(), app.id_of_user("zq_leader").await);
        // Nobody but a legal reviewer signs it off: 403 and nothing changes.
        for s in [&inspector, &chief, &leader] {
            let r = post(&app, s, &review, json!({"decision": "approve", "opinion": "同意"})).await;
            assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "case_lead.legal_reviewer_only".to_string()));
        }
        // Another county's legal reviewer does not find it.
        assert_eq!(post(&app, &hk_legal, &review, json!({"decision": "approve", "opinion": "同意"})).await.status, StatusCode::NOT_FOUND);
        assert_eq!(get(&chief, &general).await["status"], "pending_legal_review");
        assert_eq!(get(&chief, &general).await["allowed_actions"], json!([]));
        assert_eq!(get(&legal, &general).await["allowed_actions"], json!(["approve_dismissal", "reject_dismissal"]));
        // Bad input: a clear 422 each.
        let r = post(&app, &legal, &review, json!({"decision": "approve", "opinion": "  "})).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "case_lead.opinion_required".to_string()));
        let r = post(&app, &legal, &review, json!({"decision": "maybe", "opinion": "再议"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "case_lead.invalid_decision".to_string()));
        let r = post(&app, &legal, &review, json!({"decision": "approve", "opinion": "同意", "version": 1})).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "case_lead.stale".to_string()));

        // Rejected: open again, with the reviewer's opinion kept.
        let r = post(&app, &legal, &review, json!({"decision": "reject", "opinion": "涉及从业人员健康证明，应当立案", "version": 2})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let lead = r.json();
        assert_eq!(lead["status"], "open");
        assert!(lead["decision_reason"].is_null(), "the proposal is withdrawn");
        assert_eq!((lead["legal_review"]["decision"].as_str(), lead["legal_review"]["opinion"].as_str()), (Some("reject"), Some("涉及从业人员健康证明，应当立案")));
        let legal_id = app.id_of_user("zq_legal").await;
        assert_eq!(lead["legal_review"]["reviewer"].as_str(), Some(legal_id.as_str()));
        // Proposed again and approved: dismissed, decided by the proposer, signed off by the reviewer.
        let r = post(&app, &chief, &url(&general, "/request-dismissal"), json!({"reason": "补充材料证明已纠正"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.json()["legal_review"].is_null(), "a new proposal waits for a new review");
        let r = post(&app, &legal, &review, json!({"decision": "approve", "opinion": "同意不予立案"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let lead = r.json();
        assert_eq!((lead["status"].as_str(), lead["decision_reason"].as_str()), (Some("dismissed"), Some("补充材料证明已纠正")));
        assert_eq!(lead["decided_by"].as_str().unwrap(), app.id_of_user("zq_chief").await);
        assert_eq!((lead["legal_review"]["decision"].as_str(), lead["legal_review"]["reviewer"].as_str()), (Some("approve"), Some(legal_id.as_str())));
        assert_eq!(lead["allowed_actions"], json!([]));
        // The audit chain has every step, the reviewer's under their own name.
        let events = app.get(&format!("/api/v1/audit?object_type=case_lead&object_id={general}"), Some(&chief)).await.json();
        let steps: Vec<(String, String)> = events.as_array().unwrap().iter()
            .map(|e| (e["action"].as_str().unwrap().to_string(), e["username"].as_str().unwrap_or_default().to_string()))
            .collect();
        for (action, user) in [("case_lead.request_dismissal", "zq_leader"), ("case_lead.reject_dismissal", "zq_legal"), ("case_lead.request_dismissal", "zq_chief"), ("case_lead.approve_dismissal", "zq_legal")] {
            assert!(steps.contains(&(action.to_string(), user.to_string())), "{action} by {user}: {steps:?}");
        }
        let approve = events.as_array().unwrap().iter().find(|e| e["action"] == "case_lead.approve_dismissal").unwrap();
        assert!(approve["summary"].as_str().unwrap().contains("同意不予立案"), "{approve}");
    }
}
