//! 双随机 over HTTP, on both backends: an item list and a plan through the API,
//! freeze, the public snapshot, the draw with a beacon, the public record
//! verified against the snapshot; refusals, bad input and jurisdiction.

use crate::common::*;
use axum::http::{header, Method, StatusCode};
use serde_json::{json, Value};
use weijian_store::both_backends;

both_backends! {
    async fn random_plan_over_http_with_public_record(db: &TestDb) {
        let app = app(db).await;
        let today = weijian_domain::input::today();
        weijian_demo::registry::seed(&app.store, &weijian_demo::registry::DEMO_TARGETS[..1], 30, 3, today, |_, _| {}).await.unwrap();
        let chief = app.login("zq_chief").await;
        let institute = app.id_of_unit("枣强县卫生监督所").await;

        // The item list: draft, content, publish; a bad violation code is a 422 naming the field.
        let r = app.call(Method::POST, "/api/v1/inspection-item-lists", Some(&chief), true, Some(json!({"unit_id": institute}))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let list_id = r.json()["id"].as_str().unwrap().to_string();
        let mut bad = item_list_content();
        bad["items"][0]["checklist"][0]["violation_code"] = json!("XXX-999");
        let r = app.call(Method::PUT, &format!("/api/v1/inspection-item-lists/{list_id}"), Some(&chief), true, Some(json!({"title": "清单", "content": bad}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "inspection_item_list.unknown_violation".into()));
        assert_eq!(r.json()["field"], "content.items[0].checklist[0].violation_code");
        let r = app.call(Method::PUT, &format!("/api/v1/inspection-item-lists/{list_id}"), Some(&chief), true, Some(json!({"title": "枣强县随机抽查事项清单", "content": item_list_content()}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = app.call(Method::POST, &format!("/api/v1/inspection-item-lists/{list_id}/publish"), Some(&chief), true, Some(json!({"effective_on": today.to_string()}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let public = app.get("/api/v1/public/regions/131127/inspection-items", None).await.json();
        assert_eq!(public["items"][0]["content"]["items"][0]["code"], "GG-01");

        // The plan: bad input first.
        let plan = json!({
            "unit_id": institute, "name": "2026年公共场所双随机抽查", "item_list_id": list_id, "items": ["GG-01"],
            "period_from": today.to_string(), "period_until": (today + chrono::Days::new(90)).to_string(),
            "due_on": (today + chrono::Days::new(60)).to_string(),
            "ratios": {"A": 1000, "B": 1000, "C": 1000, "D": 1000, "N": 1000},
            "pool_specialties": ["public_places", "medical_services", "drinking_water"]
        });
        let mut reversed = plan.clone();
        reversed["period_until"] = json!("2020-01-01");
        let r = app.call(Method::POST, "/api/v1/random-plans", Some(&chief), true, Some(reversed)).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "random_plan.period_reversed".into()));
        let mut ratio = plan.clone();
        ratio["ratios"] = json!({"A": 1500});
        let r = app.call(Method::POST, "/api/v1/random-plans", Some(&chief), true, Some(ratio)).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "random_plan.invalid_ratio".into()));
        let r = app.call(Method::POST, "/api/v1/random-plans", Some(&chief), true, Some(json!({"name": 5}))).await;
        assert!(r.status.is_client_error(), "{}", r.status);

        let r = app.call(Method::POST, "/api/v1/random-plans", Some(&chief), true, Some(plan.clone())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_str().unwrap().to_string();
        // Nothing public before freezing.
        assert_eq!(app.get(&format!("/api/v1/public/draws/{id}/snapshot"), None).await.status, StatusCode::NOT_FOUND);
        let r = app.call(Method::POST, &format!("/api/v1/random-plans/{id}/freeze"), Some(&chief), true, None).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "random_plan.transition_not_allowed".into()));
        // allowed_actions follow the table and the role: a chief may publish the draft, an inspector nothing.
        let reader = app.login("zq_inspector1").await;
        let url = format!("/api/v1/random-plans/{id}");
        let draft = app.get(&url, Some(&chief)).await.json();
        assert_eq!((draft["status_label"].clone(), draft["allowed_actions"].clone()), (json!("草稿"), json!(["publish"])));
        assert_eq!(app.get(&url, Some(&reader)).await.json()["allowed_actions"], json!([]));
        // A stale version is 409 and changes nothing.
        let stale = json!({"version": draft["version"].as_i64().unwrap() - 1});
        let r = app.call(Method::POST, &format!("{url}/publish"), Some(&chief), true, Some(stale)).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "random_plan.stale".into()));
        assert_eq!(app.get(&url, Some(&chief)).await.json()["version"], draft["version"]);
        let current = json!({"version": draft["version"]});
        let r = app.call(Method::POST, &format!("{url}/publish"), Some(&chief), true, Some(current)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!((r.json()["status"].clone(), r.json()["allowed_actions"].clone()), (json!("published"), json!(["freeze"])));
        assert_eq!(app.get(&url, Some(&reader)).await.json()["allowed_actions"], json!([]));
        let r = app.call(Method::POST, &format!("/api/v1/random-plans/{id}/freeze"), Some(&chief), true, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let frozen = r.json();
        assert_eq!(frozen["status"], "frozen");

        // Another county: 404 everywhere; an inspector: 403 on writes.
        let hk = app.login("hk_chief").await;
        assert_eq!(app.get(&format!("/api/v1/random-plans/{id}"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("/api/v1/random-plans/{id}/snapshot"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        let beacon = json!({"beacon": "32 07 15 28 03 11", "beacon_source": "福利彩票双色球2026137期红球"});
        let r = app.call(Method::POST, &format!("/api/v1/random-plans/{id}/draw"), Some(&hk), true, Some(beacon.clone())).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let inspector = app.login("zq_inspector1").await;
        let r = app.call(Method::POST, &format!("/api/v1/random-plans/{id}/draw"), Some(&inspector), true, Some(beacon.clone())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The frozen scope cannot change.
        let mut changed = plan.clone();
        changed["version"] = frozen["version"].clone();
        changed["name"] = json!("改名");
        let r = app.call(Method::PUT, &format!("/api/v1/random-plans/{id}"), Some(&chief), true, Some(changed)).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "random_plan.scope_frozen".into()));
        // A draw needs the beacon's source.
        let r = app.call(Method::POST, &format!("/api/v1/random-plans/{id}/draw"), Some(&chief), true, Some(json!({"beacon": "1 2 3", "beacon_source": " "}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "draw.beacon_source_required".into()));

        // The snapshot is public before the draw, byte for byte what was hashed.
        let snapshot = app.get(&format!("/api/v1/public/draws/{id}/snapshot"), None).await;
        assert_eq!(snapshot.status, StatusCode::OK);
        assert!(snapshot.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
        let snapshot = snapshot.text();
        let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(snapshot.as_bytes()));
        assert_eq!(frozen["snapshot_hash"], hash);
        assert_eq!(app.get(&format!("/api/v1/public/draws/{id}/record"), None).await.code(), "random_plan.not_drawn");

        let r = app.call(Method::POST, &format!("/api/v1/random-plans/{id}/draw"), Some(&chief), true, Some(beacon.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let record = r.text();
        let r = app.call(Method::POST, &format!("/api/v1/random-plans/{id}/draw"), Some(&chief), true, Some(beacon)).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "random_plan.transition_not_allowed".into()));

        // Public: the commitment, not the record (it would warn the selected); staff read the record.
        let list = app.get("/api/v1/public/draws", None).await.json();
        let entry = list.as_array().unwrap().iter().find(|d| d["id"] == id.as_str()).cloned().unwrap();
        let record_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(record.as_bytes()));
        let commitment = json!({"id": id, "name": "2026年公共场所双随机抽查", "region_code": "131127", "status": "drawn",
            "snapshot_hash": hash, "beacon": "32 07 15 28 03 11", "beacon_source": "福利彩票双色球2026137期红球", "record_sha256": record_sha256});
        let mut listed = commitment.clone();
        listed["record_released"] = json!(false);
        assert_eq!(entry, listed);
        assert_eq!(app.get(&format!("/api/v1/public/draws/{id}"), None).await.json(), commitment);
        let r = app.get(&format!("/api/v1/public/draws/{id}/record"), None).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "random_plan.record_not_released".into()));
        assert_eq!(r.json()["message"], "抽取记录将在检查结果公开后公布");
        assert_eq!(app.get(&format!("/api/v1/random-plans/{id}/record"), Some(&chief)).await.text(), record);
        assert_eq!(app.get(&format!("/api/v1/random-plans/{id}/record"), None).await.status, StatusCode::UNAUTHORIZED);
        let hospital = app.login("zq_hospital").await;
        assert_eq!(app.get(&format!("/api/v1/random-plans/{id}/record"), Some(&hospital)).await.status, StatusCode::NOT_FOUND, "staff only");
        let confirmed = weijian_rules::draw::verify(&record, &snapshot).unwrap();
        let parsed: Value = serde_json::from_str(&record).unwrap();
        assert_eq!(parsed["beacon_source"], "福利彩票双色球2026137期红球");

        // The tasks: one per selected entity; an inspector sees theirs with `mine`.
        let tasks = app.get(&format!("/api/v1/inspection-tasks?plan_id={id}&limit=200"), Some(&chief)).await.json();
        let n = parsed["assignments"].as_array().unwrap().len();
        assert_eq!(tasks["items"].as_array().unwrap().len(), n);
        let _ = confirmed;
        let mine = app.get("/api/v1/inspection-tasks?mine=true&limit=200", Some(&inspector)).await.json();
        let zhang = weijian_store::inspectors::list(&app.store, &weijian_store::Actor::system(), &Default::default()).await.unwrap().items.into_iter().find(|i| i.data.name == "张卫东").unwrap();
        let expected = parsed["assignments"].as_array().unwrap().iter().filter(|a| a["inspectors"].as_array().unwrap().iter().any(|i| i == &json!(zhang.id.to_string()))).count();
        assert_eq!(mine["items"].as_array().unwrap().len(), expected);
        let task_id = tasks["items"][0]["id"].as_str().unwrap();
        assert_eq!(app.get(&format!("/api/v1/inspection-tasks/{task_id}"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get("/api/v1/inspection-tasks?status=nonsense", Some(&chief)).await.code(), "request.invalid_filter");
        assert_eq!(app.get("/api/v1/random-plans/not-an-id", Some(&chief)).await.status, StatusCode::NOT_FOUND);
        let r = app.get("/api/v1/inspection-tasks?mine=maybe", Some(&chief)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(!r.code().is_empty(), "a stable code: {}", r.text());
    }

    async fn conflicts_are_declared_by_the_inspector_or_a_chief(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let inspector = app.login("zq_inspector1").await;
        let all = weijian_store::inspectors::list(&app.store, &weijian_store::Actor::system(), &Default::default()).await.unwrap().items;
        let zhang = all.iter().find(|i| i.data.name == "张卫东").unwrap().id.to_string();
        let gao = all.iter().find(|i| i.data.name == "高振宇").unwrap().id.to_string();
        let entities = weijian_store::entities::list(&app.store, &weijian_store::Actor::system(), &weijian_store::entities::Query { region_code: Some("131127".into()), ..Default::default() }).await.unwrap().items;
        let entity = entities[0].id.to_string();
        let body = json!({"entity_id": entity, "reason": "近亲属在该单位任职"});
        // Their own: yes. Someone else's: no (an inspector is not a chief).
        let r = app.call(Method::POST, &format!("/api/v1/inspectors/{zhang}/conflicts"), Some(&inspector), true, Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = app.call(Method::POST, &format!("/api/v1/inspectors/{gao}/conflicts"), Some(&inspector), true, Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.call(Method::POST, &format!("/api/v1/inspectors/{gao}/conflicts"), Some(&chief), true, Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::CREATED);
        let r = app.call(Method::POST, &format!("/api/v1/inspectors/{gao}/conflicts"), Some(&chief), true, Some(body)).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "inspector_conflict.duplicate".into()));
        let r = app.call(Method::POST, &format!("/api/v1/inspectors/{gao}/conflicts"), Some(&chief), true, Some(json!({"entity_id": entity, "reason": ""}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "inspector_conflict.reason_required".into()));
        let hk = app.login("hk_chief").await;
        let r = app.call(Method::POST, &format!("/api/v1/inspectors/{gao}/conflicts"), Some(&hk), true, Some(json!({"entity_id": entity, "reason": "x"}))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let history = weijian_store::audit::history(&app.store, &weijian_store::Actor::system(), "inspector", &gao).await.unwrap();
        assert!(history.iter().any(|e| e.action == "inspector_conflict.declare"));
    }
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

both_backends! {
    async fn plan_pages_publish_freeze_draw_and_the_public_page(db: &TestDb) {
        let app = app(db).await;
        let today = weijian_domain::input::today();
        weijian_demo::registry::seed(&app.store, &weijian_demo::registry::DEMO_TARGETS[..1], 30, 3, today, |_, _| {}).await.unwrap();
        let chief = app.login("zq_chief").await;
        let institute = app.id_of_unit("枣强县卫生监督所").await;
        let r = app.call(Method::POST, "/api/v1/inspection-item-lists", Some(&chief), true, Some(json!({"unit_id": institute}))).await;
        let list_id = r.json()["id"].as_str().unwrap().to_string();
        app.call(Method::PUT, &format!("/api/v1/inspection-item-lists/{list_id}"), Some(&chief), true, Some(json!({"title": "清单", "content": item_list_content()}))).await;
        app.call(Method::POST, &format!("/api/v1/inspection-item-lists/{list_id}/publish"), Some(&chief), true, Some(json!({"effective_on": today.to_string()}))).await;
        let plan = json!({
            "unit_id": institute, "name": "页面抽查计划", "item_list_id": list_id, "items": ["GG-01"],
            "period_from": today.to_string(), "period_until": (today + chrono::Days::new(90)).to_string(),
            "due_on": (today + chrono::Days::new(60)).to_string(),
            "pool_specialties": ["public_places", "medical_services", "drinking_water"]
        });
        let id = app.call(Method::POST, "/api/v1/random-plans", Some(&chief), true, Some(plan)).await.json()["id"].as_str().unwrap().to_string();

        let list = app.get("/random-plans", Some(&chief)).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.text().contains("页面抽查计划"));
        // A draw before freezing is refused on the page with the reason.
        let r = form(&app, &chief, format!("/random-plans/{id}/draw"), "beacon=1&beacon_source=x".into()).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text().contains("不能执行“随机抽取”"), "{}", r.text());
        assert_eq!(form(&app, &chief, format!("/random-plans/{id}/publish"), String::new()).await.status, StatusCode::SEE_OTHER);
        assert_eq!(form(&app, &chief, format!("/random-plans/{id}/freeze"), String::new()).await.status, StatusCode::SEE_OTHER);
        let page = app.get(&format!("/random-plans/{id}"), Some(&chief)).await.text();
        assert!(page.contains("名录快照哈希") && page.contains("抽取"), "{page}");
        let r = form(&app, &chief, format!("/random-plans/{id}/draw"), "beacon=09+15+22&beacon_source=%E5%85%AC%E5%BC%80%E6%91%87%E5%8F%B7%E4%BC%9A".into()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = app.get(&format!("/random-plans/{id}"), Some(&chief)).await.text();
        assert!(page.contains("09 15 22") && page.contains("公开摇号会") && page.contains("检查任务"), "{page}");

        // The public page needs no sign-in; another county's chief cannot open the plan.
        let public = app.get("/public/draws", None).await;
        assert_eq!(public.status, StatusCode::OK);
        let text = public.text();
        assert!(text.contains("页面抽查计划") && text.contains("抽取记录将在检查结果公开后公布"), "{text}");
        assert!(!text.contains(&format!("/api/v1/public/draws/{id}/record")), "no link before the results: {text}");
        assert!(text.contains(&format!("/api/v1/public/draws/{id}/snapshot")));
        let hk = app.login("hk_chief").await;
        assert_eq!(app.get(&format!("/random-plans/{id}"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        // An inspector's task list on a phone: their own tasks only.
        let inspector = app.login("zq_inspector1").await;
        let tasks = app.get("/tasks", Some(&inspector)).await;
        assert_eq!(tasks.status, StatusCode::OK);
        assert!(tasks.text().contains("我的检查任务"));
    }
}

both_backends! {
    async fn inspection_record_rectification_order_and_report(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let plan = drawn_plan(&app, &chief).await;
        let tasks = app.get(&format!("/api/v1/inspection-tasks?plan_id={plan}&limit=200"), Some(&chief)).await.json();
        let task = tasks["items"].as_array().unwrap().iter().find(|t| t["entity_name"] == "枣强县人民医院").cloned().expect("the hospital is in scope");
        let task_id = task["id"].as_str().unwrap().to_string();
        let inspectors: Vec<String> = task["inspectors"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        let all = weijian_store::inspectors::list(&app.store, &weijian_store::Actor::system(), &Default::default()).await.unwrap().items;
        let expired = all.iter().find(|i| i.data.name == "马丽娜").unwrap().id.to_string();
        let today = weijian_domain::input::today().to_string();
        let record = |inspectors: Vec<String>| json!({
            "inspected_on": today, "started_at": "09:05", "ended_at": "10:40", "place": "枣强县人民医院门诊楼", "inspectors": inspectors,
            "results": [{"item": "GG-01", "point": 0, "result": "pass"}, {"item": "GG-01", "point": 1, "result": "fail", "note": "2名保洁员无健康证明"}],
            "findings": "部分从业人员未取得健康合格证明", "party_signature": "refused", "outcome": "rectify",
            "rectification": {"content": "安排从业人员体检，取得健康合格证明后上岗", "days": 10, "working_days": true}
        });
        let inspector = app.login("zq_inspector1").await;
        let uri = format!("/api/v1/inspection-tasks/{task_id}/inspection");
        // One inspector, or an expired certificate: refused, nothing saved.
        let r = app.call(Method::POST, &uri, Some(&inspector), true, Some(record(vec![inspectors[0].clone()]))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "inspection.two_inspectors_required".into()));
        let r = app.call(Method::POST, &uri, Some(&inspector), true, Some(record(vec![inspectors[0].clone(), expired.clone()]))).await;
        // An expired colleague was never drawn: the drawn pair binds, and names who they are.
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "inspection.not_assigned_inspectors".into()));
        assert!(!r.json()["message"].as_str().unwrap().contains("马丽娜"));
        let mut qualified = record(inspectors.clone());
        qualified["outcome"] = json!("qualified");
        qualified["rectification"] = Value::Null;
        let r = app.call(Method::POST, &uri, Some(&inspector), true, Some(qualified)).await;
        assert_eq!(r.code(), "inspection.qualified_with_failures");
        let mut bad_point = record(inspectors.clone());
        bad_point["results"][0]["point"] = json!(9);
        let r = app.call(Method::POST, &uri, Some(&inspector), true, Some(bad_point)).await;
        assert_eq!(r.code(), "inspection.unknown_point");
        // Another county's inspector: the task does not exist for them.
        let hk = app.login("hk_inspector1").await;
        assert_eq!(app.call(Method::POST, &uri, Some(&hk), true, Some(record(inspectors.clone()))).await.status, StatusCode::NOT_FOUND);

        // Evidence: a photo uploaded on the spot; another county's photo cannot be attached.
        let entity = task["entity_id"].as_str().unwrap().to_string();
        let photographer = pair_member(&app, &task).await;
        let photo = app.upload_photo(&photographer, &entity, &tiny_jpeg(9)).await;
        assert_eq!(photo.status, StatusCode::CREATED, "{}", photo.text());
        let photo_id = photo.json()["id"].as_str().unwrap().to_string();
        let mut with_foreign = record(inspectors.clone());
        with_foreign["attachments"] = json!([uuid_like()]);
        let r = app.call(Method::POST, &uri, Some(&inspector), true, Some(with_foreign)).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "attachment.not_found".into()));
        let mut with_photo = record(inspectors.clone());
        with_photo["attachments"] = json!([photo_id]);
        let r = app.call(Method::POST, &uri, Some(&inspector), true, Some(with_photo)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let saved = r.json();
        assert_eq!(saved["inspection"]["attachments"], json!([photo_id]));
        let linked = app.get(&format!("/api/v1/attachments/{photo_id}"), Some(&chief)).await.json();
        assert_eq!((linked["owner_type"].as_str(), linked["owner_id"].as_str()), (Some("inspection"), saved["inspection"]["id"].as_str()), "{linked}");
        let order = &saved["rectification"];
        let cal = weijian_rules::Calendar::official();
        let expected = cal.add_working_days(weijian_domain::input::today(), 10).unwrap().to_string();
        assert_eq!(order["deadline"], expected, "10 working days by the official calendar");
        assert_eq!(saved["inspection"]["party_signature"], "refused");
        // The 卫生监督意见书: the institution cannot see it before staff issue it; its 文号 is issued once.
        let inspection_id = saved["inspection"]["id"].as_str().unwrap().to_string();
        let pdf_uri = format!("/api/v1/inspections/{inspection_id}/opinion.pdf");
        let hospital = app.login("zq_hospital").await;
        assert_eq!(app.get(&pdf_uri, Some(&hospital)).await.code(), "document.not_issued");
        let pdf = app.get(&pdf_uri, Some(&chief)).await;
        assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.text());
        assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
        assert!(pdf.body.starts_with(b"%PDF-"));
        let disposition = pdf.headers[header::CONTENT_DISPOSITION].to_str().unwrap().to_string();
        assert!(disposition.contains(&enc_path("〔")), "{disposition}");
        let again = app.get(&pdf_uri, Some(&hospital)).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.headers[header::CONTENT_DISPOSITION].to_str().unwrap(), disposition, "the same number");
        assert_eq!(app.get(&pdf_uri, Some(&app.login("hk_clinic").await)).await.status, StatusCode::NOT_FOUND);
        // Not twice; the re-inspection task is due on the deadline.
        let r = app.call(Method::POST, &uri, Some(&inspector), true, Some(record(inspectors.clone()))).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "inspection_task.transition_not_allowed".into()));
        let re = order["reinspection_task_id"].as_str().unwrap();
        let re_task = app.get(&format!("/api/v1/inspection-tasks/{re}"), Some(&chief)).await.json();
        assert_eq!((re_task["source"].as_str(), re_task["due_on"].as_str()), (Some("reinspection"), Some(expected.as_str())));

        // 一公开: the plan's recorded result goes public once; an inspector may not publish.
        let publish = format!("/api/v1/random-plans/{plan}/publish-results");
        assert_eq!(app.call(Method::POST, &publish, Some(&inspector), true, None).await.status, StatusCode::FORBIDDEN);
        assert!(app.get("/api/v1/public/inspection-results", None).await.json().as_array().unwrap().is_empty());
        let r = app.call(Method::POST, &publish, Some(&chief), true, None).await;
        assert_eq!((r.status, r.json()["published"].as_i64()), (StatusCode::OK, Some(1)), "{}", r.text());
        let r = app.call(Method::POST, &publish, Some(&chief), true, None).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "publication.nothing_new".into()));
        let public = app.get("/api/v1/public/inspection-results?region_code=131127", None).await.json();
        assert_eq!(public[0]["entity_name"], "枣强县人民医院", "{public}");
        assert_eq!((public[0]["outcome"].as_str(), public[0]["rectification_status"].as_str()), (Some("rectify"), Some("open")));
        assert!(app.get("/public/inspection-results", None).await.text().contains("枣强县人民医院"));
        assert!(app.get("/api/v1/public/inspection-results?region_code=460100", None).await.json().as_array().unwrap().is_empty());
        // Home pages: the institution's order; the chief's coverage of the year.
        let home = app.get("/", Some(&hospital)).await.text();
        assert!(home.contains("整改通知") && home.contains("安排从业人员体检"), "{home}");
        let home = app.get("/", Some(&chief)).await.text();
        assert!(home.contains("各专业监督覆盖率") && home.contains("<svg class=\"coverage-chart\""), "{home}");
        // The institution sees its order (and only its own) and reports once.
        let mine = app.get("/api/v1/rectifications", Some(&hospital)).await.json();
        assert_eq!(mine["items"].as_array().unwrap().len(), 1);
        assert_eq!(mine["items"][0]["content"], "安排从业人员体检，取得健康合格证明后上岗");
        let other = app.login("hk_clinic").await;
        assert!(app.get("/api/v1/rectifications", Some(&other)).await.json()["items"].as_array().unwrap().is_empty());
        let id = order["id"].as_str().unwrap();
        let report = json!({"report": "已安排2名保洁员体检，取得健康合格证明"});
        let r = app.call(Method::POST, &format!("/api/v1/rectifications/{id}/report"), Some(&inspector), true, Some(report.clone())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "staff do not report for the institution");
        let r = app.call(Method::POST, &format!("/api/v1/rectifications/{id}/report"), Some(&other), true, Some(report.clone())).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.call(Method::POST, &format!("/api/v1/rectifications/{id}/report"), Some(&hospital), true, Some(report.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["status"], "reported");
        let r = app.call(Method::POST, &format!("/api/v1/rectifications/{id}/report"), Some(&hospital), true, Some(report)).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "rectification.transition_not_allowed".into()));
        // Coverage per specialty: the hospital was checked for a 公共场所 item only, a
        // specialty its category is not under, so it covers none of the hospital's.
        let cov = app.get("/api/v1/coverage", Some(&chief)).await.json();
        let line = |s: &str, c: &str| cov["items"].as_array().unwrap().iter().find(|l| l["specialty"] == s && l["category"] == c).cloned().unwrap();
        assert_eq!(line("medical_services", "medical_institution")["inspected"], 0, "{cov}");
        assert_eq!(line("radiation", "medical_institution")["inspected"], 0, "{cov}");
        assert_eq!(line("medical_services", "medical_institution")["target_permille"], 1000);
        let never = app.get("/api/v1/coverage/never-inspected?specialty=radiation&limit=200", Some(&chief)).await.json();
        assert!(never["items"].as_array().unwrap().iter().any(|e| e["id"] == entity.as_str()), "{never}");
        assert_eq!(app.get("/api/v1/coverage", Some(&hospital)).await.status, StatusCode::FORBIDDEN);
        let r = app.get("/api/v1/coverage?year=1800", Some(&chief)).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "coverage.invalid_year".into()));
        let r = app.get("/api/v1/coverage?specialty=nope", Some(&chief)).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "coverage.unknown_specialty".into()));
        // The hospital's file shows the inspection.
        let file = app.get(&format!("/api/v1/entities/{entity}/file"), Some(&hospital)).await.json();
        assert_eq!(file["inspections"][0]["outcome"], "rectify", "{file}");
    }
}

/// A signed-in user who is one of the task's two inspectors: evidence in its
/// record must come from them (of the demo's valid certificates only 高振宇's
/// has no account, so every drawn pair has one).
async fn pair_member(app: &App, task: &Value) -> Session {
    let sys = weijian_store::Actor::system();
    for id in task["inspectors"].as_array().unwrap() {
        let id = id.as_str().unwrap().parse().unwrap();
        let inspector = weijian_store::inspectors::get(&app.store, &sys, id).await.unwrap();
        if let Some(user) = inspector.data.user_id {
            let user = weijian_store::users::get(&app.store, &sys, user).await.unwrap();
            return app.login(&user.username).await;
        }
    }
    panic!("no inspector of the pair has an account: {task}");
}

fn uuid_like() -> String {
    "0190a0b2-0000-7000-8000-000000000abc".into()
}

fn enc_path(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

both_backends! {
    async fn the_phone_inspection_form_records_a_failed_point_with_a_photo(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let plan = drawn_plan(&app, &chief).await;
        let tasks = app.get(&format!("/api/v1/inspection-tasks?plan_id={plan}&limit=200"), Some(&chief)).await.json();
        let task = tasks["items"].as_array().unwrap().iter().find(|t| t["entity_name"] == "枣强县人民医院").cloned().unwrap();
        let id = task["id"].as_str().unwrap().to_string();
        // One of the drawn pair: the photo they take is evidence of their own record.
        let inspector = pair_member(&app, &task).await;
        let page = app.get(&format!("/tasks/{id}"), Some(&inspector)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("是否持有有效的《公共场所卫生许可证》"), "{}", page.text());
        // A photo from the phone's camera: multipart, the CSRF token in the action URL.
        let upload = axum::http::Request::builder()
            .method(Method::POST)
            .uri(format!("/tasks/{id}/photos?csrf_token={}", inspector.csrf))
            .header(header::COOKIE, &inspector.cookie)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(axum::body::Body::from(multipart(&[], Some(("现场.jpg", &tiny_jpeg(3))))))
            .unwrap();
        let r = app.send(upload).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = app.get(&format!("/tasks/{id}"), Some(&inspector)).await.text();
        let photo = page.split("name=\"photo\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("the photo is offered").to_string();
        // A disguised executable is refused on the page with the reason.
        let mut exe = b"MZ\x90\x00".to_vec();
        exe.extend(std::iter::repeat_n(0u8, 200));
        let upload = axum::http::Request::builder()
            .method(Method::POST)
            .uri(format!("/tasks/{id}/photos?csrf_token={}", inspector.csrf))
            .header(header::COOKIE, &inspector.cookie)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(axum::body::Body::from(multipart(&[], Some(("photo.jpg", &exe)))))
            .unwrap();
        let r = app.send(upload).await;
        assert!(r.status.is_client_error(), "{}", r.status);

        let body = format!(
            "inspected_on={}&started_at=00%3A00&ended_at=&place=%E9%97%A8%E8%AF%8A&r%3AGG-01%3A0=pass&r%3AGG-01%3A1=fail&n%3AGG-01%3A1=%E6%97%A0%E5%81%A5%E5%BA%B7%E8%AF%81&findings=&party_signature=refused&party_name=&outcome=rectify&rect_content=%E5%8F%96%E5%BE%97%E5%81%A5%E5%BA%B7%E8%AF%81%E6%98%8E&rect_days=10&photo={photo}",
            weijian_domain::input::today()
        );
        let r = form(&app, &inspector, format!("/tasks/{id}/inspection"), body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let hospital = app.login("zq_hospital").await;
        let home = app.get("/", Some(&hospital)).await.text();
        assert!(home.contains("整改通知") && home.contains("取得健康证明"), "{home}");
        let linked = app.get(&format!("/api/v1/attachments/{photo}"), Some(&chief)).await.json();
        assert_eq!(linked["owner_type"], "inspection");
        // The institution reports from its home page; the order then shows as reported, without the form.
        let order = home.split("action=\"/rectifications/").nth(1).and_then(|s| s.split('/').next()).expect("a report form").to_string();
        let r = form(&app, &hospital, format!("/rectifications/{order}/report"), "report=%E5%B7%B2%E4%BD%93%E6%A3%80".into()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let home = app.get("/", Some(&hospital)).await.text();
        assert!(home.contains("已报告整改情况") && !home.contains("提交整改报告"), "{home}");
        let r = form(&app, &inspector, format!("/rectifications/{order}/report"), "report=x".into()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "staff do not report for the institution");
        // The task is closed: the page says so and offers no form.
        let page = app.get(&format!("/tasks/{id}"), Some(&inspector)).await.text();
        assert!(page.contains("已检查") && !page.contains("保存检查记录"));
    }
}

/// Records a task as found compliant (both GG-01 points pass) by its own two inspectors.
async fn record_qualified(app: &App, inspector: &Session, task: &Value) -> Resp {
    let body = json!({
        "inspected_on": weijian_domain::input::today().to_string(), "started_at": "09:00", "ended_at": "09:50",
        "place": "现场", "inspectors": task["inspectors"].clone(),
        "results": [{"item": "GG-01", "point": 0, "result": "pass"}, {"item": "GG-01", "point": 1, "result": "pass"}],
        "findings": "", "party_signature": "signed", "party_name": "负责人", "outcome": "qualified"
    });
    let uri = format!("/api/v1/inspection-tasks/{}/inspection", task["id"].as_str().unwrap());
    app.call(Method::POST, &uri, Some(inspector), true, Some(body)).await
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes))
}

both_backends! {
    // 一公开 publishes results, not the list before the visit: a fresh draw's
    // commitment is public at once, its record only with the results, and the
    // record then released hashes to the commitment.
    async fn a_draw_record_is_public_only_with_its_results_and_hashes_to_its_commitment(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let plan = drawn_plan(&app, &chief).await;
        let commitment = app.get(&format!("/api/v1/public/draws/{plan}"), None).await;
        assert_eq!(commitment.status, StatusCode::OK);
        let commitment = commitment.json();
        let keys: Vec<&str> = commitment.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = vec!["id", "name", "region_code", "status", "snapshot_hash", "beacon", "beacon_source", "record_sha256"];
        expected.sort();
        assert_eq!(keys, expected, "exactly the commitment");
        assert_eq!((commitment["status"].as_str(), commitment["beacon"].as_str()), (Some("drawn"), Some("7 7 7")));
        let committed = commitment["record_sha256"].as_str().unwrap().to_string();
        assert_eq!(committed.len(), 64);
        let r = app.get(&format!("/api/v1/public/draws/{plan}/record"), None).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "random_plan.record_not_released".into()));
        // The snapshot stays public; its hash is the one committed at the freeze.
        let snapshot = app.get(&format!("/api/v1/public/draws/{plan}/snapshot"), None).await.text();
        assert_eq!(commitment["snapshot_hash"].as_str(), Some(sha256_hex(snapshot.as_bytes()).as_str()));

        // Every task recorded: still not public until the results are published.
        let inspector = app.login("zq_inspector1").await;
        let tasks = app.get(&format!("/api/v1/inspection-tasks?plan_id={plan}&limit=200"), Some(&chief)).await.json();
        let tasks = tasks["items"].as_array().unwrap().clone();
        assert!(!tasks.is_empty());
        for t in &tasks {
            let r = record_qualified(&app, &inspector, t).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        }
        assert_eq!(app.get(&format!("/api/v1/random-plans/{plan}"), Some(&chief)).await.json()["status"], "completed");
        assert_eq!(app.get(&format!("/api/v1/public/draws/{plan}/record"), None).await.code(), "random_plan.record_not_released");
        let r = app.call(Method::POST, &format!("/api/v1/random-plans/{plan}/publish-results"), Some(&chief), true, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());

        // Released: the bytes hash to the commitment made at the draw, and are the staff's record.
        let released = app.get(&format!("/api/v1/public/draws/{plan}/record"), None).await;
        assert_eq!(released.status, StatusCode::OK, "{}", released.text());
        assert_eq!(sha256_hex(&released.body), committed);
        assert_eq!(released.text(), app.get(&format!("/api/v1/random-plans/{plan}/record"), Some(&chief)).await.text());
        weijian_rules::draw::verify(&released.text(), &snapshot).unwrap();
        let after = app.get(&format!("/api/v1/public/draws/{plan}"), None).await.json();
        assert_eq!((after["status"].as_str(), after["record_sha256"].as_str()), (Some("results_published"), Some(committed.as_str())));
        let list = app.get("/api/v1/public/draws", None).await.json();
        let entry = list.as_array().unwrap().iter().find(|d| d["id"] == plan.as_str()).cloned().unwrap();
        assert_eq!(entry["record_released"], true);
        let page = app.get("/public/draws", None).await.text();
        assert!(page.contains(&format!("/api/v1/public/draws/{plan}/record")) && page.contains(&committed), "{page}");
        // Unknown or malformed ids: 404, never a 500.
        assert_eq!(app.get("/api/v1/public/draws/not-an-id", None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get("/api/v1/public/draws/0190a0b2-0000-7000-8000-000000000abc", None).await.status, StatusCode::NOT_FOUND);
    }

    async fn a_draw_record_is_released_once_the_plan_is_past_its_due_date(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let today = weijian_domain::input::today();
        let institute = app.id_of_unit("枣强县卫生监督所").await;
        let r = app.call(Method::POST, "/api/v1/inspection-item-lists", Some(&chief), true, Some(json!({"unit_id": institute}))).await;
        let list_id = r.json()["id"].as_str().unwrap().to_string();
        app.call(Method::PUT, &format!("/api/v1/inspection-item-lists/{list_id}"), Some(&chief), true, Some(json!({"title": "清单", "content": item_list_content()}))).await;
        app.call(Method::POST, &format!("/api/v1/inspection-item-lists/{list_id}/publish"), Some(&chief), true, Some(json!({"effective_on": (today - chrono::Days::new(120)).to_string()}))).await;
        // A plan of last quarter, drawn late: due yesterday (Beijing), results never published.
        let day = |n: u64| (today - chrono::Days::new(n)).to_string();
        let plan = json!({
            "unit_id": institute, "name": "上季度抽查计划", "item_list_id": list_id, "items": ["GG-01"],
            "period_from": day(90), "period_until": day(1), "start_on": day(90), "due_on": day(1),
            "ratios": {"A": 1000, "B": 1000, "C": 1000, "D": 1000, "N": 1000},
            "pool_specialties": ["public_places", "medical_services", "drinking_water"]
        });
        let r = app.call(Method::POST, "/api/v1/random-plans", Some(&chief), true, Some(plan)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_str().unwrap().to_string();
        for step in ["publish", "freeze"] {
            let r = app.call(Method::POST, &format!("/api/v1/random-plans/{id}/{step}"), Some(&chief), true, None).await;
            assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.text());
        }
        let r = app.get(&format!("/api/v1/public/draws/{id}/record"), None).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "random_plan.not_drawn".into()), "no record before the draw");
        let r = app.call(Method::POST, &format!("/api/v1/random-plans/{id}/draw"), Some(&chief), true, Some(json!({"beacon": "4 4 4", "beacon_source": "测试"}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let commitment = app.get(&format!("/api/v1/public/draws/{id}"), None).await.json();
        assert_eq!(commitment["status"], "drawn", "no result published");
        let released = app.get(&format!("/api/v1/public/draws/{id}/record"), None).await;
        assert_eq!(released.status, StatusCode::OK, "past its due date: {}", released.text());
        assert_eq!(commitment["record_sha256"].as_str(), Some(sha256_hex(&released.body).as_str()));
        assert_eq!(released.text(), r.text(), "the record answered at the draw");
    }

    // Inspections are unannounced: an institution never sees a pending task
    // about itself (who comes, by when) — not listed, not by id, not as a
    // form, not on its home page — only the record once it is made.
    async fn an_institution_sees_its_tasks_only_once_recorded(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let plan = drawn_plan(&app, &chief).await;
        let tasks = app.get(&format!("/api/v1/inspection-tasks?plan_id={plan}&limit=200"), Some(&chief)).await.json();
        let task = tasks["items"].as_array().unwrap().iter().find(|t| t["entity_name"] == "枣强县人民医院").cloned().expect("the hospital is drawn");
        let task_id = task["id"].as_str().unwrap().to_string();
        let hospital = app.login("zq_hospital").await;
        let names: Vec<String> = task["inspector_names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect();

        let pending_hidden = |what: &'static str| {
            let (app, hospital, task_id, names) = (&app, &hospital, task_id.clone(), names.clone());
            async move {
                let list = app.get("/api/v1/inspection-tasks?limit=200", Some(hospital)).await;
                assert_eq!(list.status, StatusCode::OK, "{what}");
                assert!(!list.text().contains(&task_id), "{what}: listed {}", list.text());
                let r = app.get(&format!("/api/v1/inspection-tasks/{task_id}"), Some(hospital)).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{what}: by id");
                assert_eq!(app.get(&format!("/tasks/{task_id}"), Some(hospital)).await.status, StatusCode::NOT_FOUND, "{what}: the form");
                let page = app.get("/tasks", Some(hospital)).await.text();
                assert!(!page.contains(&task_id), "{what}: the task page");
                let home = app.get("/", Some(hospital)).await.text();
                assert!(!home.contains(&task_id) && !names.iter().any(|n| home.contains(n.as_str())), "{what}: home {home}");
            }
        };
        pending_hidden("a drawn task").await;
        // The same pending task is plain to its inspectors' chief.
        assert_eq!(app.get(&format!("/api/v1/inspection-tasks/{task_id}"), Some(&chief)).await.status, StatusCode::OK);

        // Recorded with an order: the record and its task are the institution's to see.
        let inspector = app.login("zq_inspector1").await;
        let body = json!({
            "inspected_on": weijian_domain::input::today().to_string(), "started_at": "09:00", "ended_at": "09:50",
            "place": "门诊楼", "inspectors": task["inspectors"].clone(),
            "results": [{"item": "GG-01", "point": 0, "result": "pass"}, {"item": "GG-01", "point": 1, "result": "fail", "note": "无健康证明"}],
            "findings": "1名保洁员无健康证明", "party_signature": "signed", "party_name": "院办主任", "outcome": "rectify",
            "rectification": {"content": "取得健康合格证明后上岗", "days": 10, "working_days": true}
        });
        let r = app.call(Method::POST, &format!("/api/v1/inspection-tasks/{task_id}/inspection"), Some(&inspector), true, Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let saved = r.json();
        let seen = app.get(&format!("/api/v1/inspection-tasks/{task_id}"), Some(&hospital)).await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.text());
        assert_eq!(seen.json()["status"], "done");
        let list = app.get("/api/v1/inspection-tasks?limit=200", Some(&hospital)).await.json();
        assert_eq!(list["items"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect::<Vec<_>>(), vec![task_id.as_str()]);
        let page = app.get(&format!("/tasks/{task_id}"), Some(&hospital)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.text().contains("保存检查记录"), "no form on a recorded task");
        let orders = app.get("/api/v1/rectifications", Some(&hospital)).await.json();
        assert_eq!(orders["items"][0]["content"], "取得健康合格证明后上岗");

        // The re-inspection (复查) the order created is pending: hidden like any other.
        let re = saved["rectification"]["reinspection_task_id"].as_str().unwrap().to_string();
        assert_eq!(app.get(&format!("/api/v1/inspection-tasks/{re}"), Some(&chief)).await.json()["source"], "reinspection");
        assert_eq!(app.get(&format!("/api/v1/inspection-tasks/{re}"), Some(&hospital)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("/tasks/{re}"), Some(&hospital)).await.status, StatusCode::NOT_FOUND);
        // A patrol assigned by hand: hidden too.
        let patrol = weijian_store::inspection_tasks::TaskData {
            entity_id: task["entity_id"].as_str().unwrap().parse().unwrap(),
            source: weijian_rules::inspection::TaskSource::Patrol,
            item_list_id: app.get(&format!("/api/v1/random-plans/{plan}"), Some(&chief)).await.json()["item_list_id"].as_str().unwrap().parse().unwrap(),
            items: vec!["GG-01".into()],
            inspectors: [task["inspectors"][0].as_str().unwrap().parse().unwrap(), task["inspectors"][1].as_str().unwrap().parse().unwrap()],
            due_on: weijian_domain::input::today() + chrono::Days::new(7),
        };
        let patrol = weijian_store::inspection_tasks::create(&app.store, &weijian_store::Actor::system(), &patrol).await.unwrap();
        assert_eq!(app.get(&format!("/api/v1/inspection-tasks/{}", patrol.id), Some(&hospital)).await.status, StatusCode::NOT_FOUND);
        let list = app.get("/api/v1/inspection-tasks?limit=200", Some(&hospital)).await.json();
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "only the recorded task: {list}");
        let mine = app.get("/api/v1/inspection-tasks?status=assigned", Some(&hospital)).await.json();
        assert!(mine["items"].as_array().unwrap().is_empty(), "not even by asking for pending ones: {mine}");
    }
}
