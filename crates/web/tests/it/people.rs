//! 医务人员 and 执法人员 over HTTP, on both backends, with the demo's users:
//! masking and the audited reveal, jurisdiction, eligibility, bad input, pages.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use weijian_store::{both_backends, Actor};

/// The first practitioner of the zq hospital (a demo doctor).
async fn zq_doctor(app: &App, s: &Session) -> Value {
    let r = app.get("/api/v1/practitioners?q=%E9%BD%90%E5%BB%BA%E5%8D%8E", Some(s)).await; // 齐建华
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"][0].clone()
}

fn check(r: &Resp, status: StatusCode, code: &str, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.text());
    assert_eq!(r.code(), code, "{what}: {}", r.text());
}

fn is_masked(n: &str) -> bool {
    n.len() == 18 && n[4..14].chars().all(|c| c == '*')
}

fn new_doctor(entity_id: &str, id_number: &str, cert: &str) -> Value {
    json!({"name": "测试医师", "id_number": id_number, "kind": "physician", "entity_id": entity_id,
           "practice_cert_no": cert, "registered_on": "2020-01-01"})
}

/// A valid 身份证号 for a fictional person born on `birth`.
fn citizen(region: &str, birth: &str, seq: u32) -> String {
    let first = format!("{region}{birth}{seq:03}");
    format!("{first}{}", weijian_rules::ids::citizen_id_check_char(&first).unwrap())
}

both_backends! {
    async fn masked_for_inspectors_revealed_and_audited_for_a_chief(db: &TestDb) {
        let app = app(db).await;
        let inspector = app.login("zq_inspector1").await;
        let doctor = zq_doctor(&app, &inspector).await;
        let id = doctor["id"].as_str().unwrap().to_string();
        let masked = doctor["id_number"].as_str().unwrap().to_string();
        assert!(is_masked(&masked), "{masked}");
        let r = app.get(&format!("/api/v1/practitioners/{id}"), Some(&inspector)).await;
        assert!(is_masked(r.json()["id_number"].as_str().unwrap()), "{}", r.text());
        assert!(!r.text().contains(&citizen("131127", "19760314", 131)));
        // The inspector's role may not reveal.
        let r = app.post(&format!("/api/v1/practitioners/{id}/reveal-id-number"), &inspector, json!({})).await;
        check(&r, StatusCode::FORBIDDEN, "auth.forbidden", "inspector reveal");
        // The section chief may, and the look is recorded.
        let chief = app.login("zq_chief").await;
        let r = app.post(&format!("/api/v1/practitioners/{id}/reveal-id-number"), &chief, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let full = r.json()["id_number"].as_str().unwrap().to_string();
        assert_eq!(full, citizen("131127", "19760314", 131));
        assert_eq!(weijian_rules::ids::mask_citizen_id(&full), masked);
        let events = weijian_store::audit::history(&app.store, &Actor::system(), "practitioner", &id).await.unwrap();
        let reveal = events.iter().find(|e| e.action == "practitioner.reveal_id_number").expect("a reveal event");
        assert_eq!(reveal.username.as_deref(), Some("zq_chief"));
        assert_eq!(reveal.ip.as_deref(), Some(CLIENT_IP), "the reveal records where it came from");
        // Pages: the inspector sees the mask and no button; the chief gets the button,
        // and posting it shows the number and writes a second event.
        let page = app.get(&format!("/practitioners/{id}"), Some(&inspector)).await.text();
        assert!(page.contains(&masked) && !page.contains("查看完整身份证号") && !page.contains(&full), "{page}");
        let page = app.get(&format!("/practitioners/{id}"), Some(&chief)).await.text();
        assert!(page.contains("查看完整身份证号") && !page.contains(&full));
        let r = app.form_raw(&format!("/practitioners/{id}/reveal-id-number"), &chief, "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.text().contains(&full));
        let events = weijian_store::audit::history(&app.store, &Actor::system(), "practitioner", &id).await.unwrap();
        assert_eq!(events.iter().filter(|e| e.action == "practitioner.reveal_id_number").count(), 2);
        let r = app.form_raw(&format!("/practitioners/{id}/reveal-id-number"), &inspector, "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // A list never carries a full number either.
        let list = app.get("/api/v1/practitioners?limit=200", Some(&chief)).await;
        for p in list.json()["items"].as_array().unwrap() {
            assert!(is_masked(p["id_number"].as_str().unwrap()), "{p}");
        }
        let html = app.get("/practitioners", Some(&chief)).await.text();
        assert!(html.contains(&masked) && !html.contains(&full));
    }

    async fn another_county_gets_404_and_403(db: &TestDb) {
        let app = app(db).await;
        let zq = app.login("zq_chief").await;
        let sd = app.login("sd_chief").await;
        let doctor = zq_doctor(&app, &zq).await;
        let pid = doctor["id"].as_str().unwrap();
        let inspectors = app.get("/api/v1/inspectors", Some(&zq)).await.json();
        let iid = inspectors["items"][0]["id"].as_str().unwrap().to_string();
        for uri in [format!("/api/v1/practitioners/{pid}"), format!("/api/v1/inspectors/{iid}"),
                    format!("/practitioners/{pid}"), format!("/inspectors/{iid}")] {
            let r = app.get(&uri, Some(&sd)).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        }
        let r = app.post(&format!("/api/v1/practitioners/{pid}/reveal-id-number"), &sd, json!({})).await;
        check(&r, StatusCode::NOT_FOUND, "not_found", "reveal elsewhere");
        let r = app.call(Method::PUT, &format!("/api/v1/practitioners/{pid}"), Some(&sd), true, Some(new_doctor(&app.id_of_entity("上党区人民医院").await, &citizen("140404", "19900101", 11), "X"))).await;
        check(&r, StatusCode::NOT_FOUND, "not_found", "update elsewhere");
        // Creating in the other county: forbidden.
        let zq_hospital = app.id_of_entity("枣强县人民医院").await;
        let r = app.post("/api/v1/practitioners", &sd, new_doctor(&zq_hospital, &citizen("140404", "19900101", 11), "SD-1")).await;
        check(&r, StatusCode::FORBIDDEN, "jurisdiction.forbidden", "practitioner elsewhere");
        let zq_unit = app.id_of_unit("枣强县卫生监督所").await;
        let r = app.post("/api/v1/inspectors", &sd, json!({"name": "外县", "unit_id": zq_unit, "cert_no": "SD-X",
            "cert_valid_from": "2025-01-01", "cert_valid_until": "2028-01-01"})).await;
        check(&r, StatusCode::FORBIDDEN, "jurisdiction.forbidden", "inspector elsewhere");
        let r = app.post(&format!("/api/v1/practitioners/{pid}/practice-sites"), &sd, json!({"entity_id": zq_hospital})).await;
        check(&r, StatusCode::NOT_FOUND, "not_found", "site elsewhere");
        // Lists stay inside: no zq names in sd's lists.
        let list = app.get("/api/v1/practitioners", Some(&sd)).await.text();
        assert!(!list.contains("齐建华") && list.contains("申永刚"), "{list}");
        let list = app.get("/api/v1/inspectors", Some(&sd)).await.text();
        assert!(!list.contains("张卫东") && list.contains("暴建军"), "{list}");
        // The hospital's own account sees its staff only, and no inspectors.
        let hospital = app.login("zq_hospital").await;
        let own = app.get("/api/v1/practitioners", Some(&hospital)).await.json();
        assert_eq!(own["items"].as_array().unwrap().len(), 3, "{own}");
        assert!(app.get("/api/v1/inspectors", Some(&hospital)).await.json()["items"].as_array().unwrap().is_empty());
        let r = app.post("/api/v1/practitioners", &hospital, new_doctor(&zq_hospital, &citizen("131127", "19900101", 11), "H-1")).await;
        check(&r, StatusCode::FORBIDDEN, "auth.forbidden", "institution creates");
    }

    async fn eligibility_on_a_date_through_the_api(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let unit = app.id_of_unit("枣强县卫生监督所").await;
        let mk = |name: &str, cert: &str, from: &str, until: &str, status: &str| json!({
            "name": name, "unit_id": unit, "cert_no": cert, "cert_valid_from": from, "cert_valid_until": until,
            "specialties": ["学校卫生"], "status": status});
        for body in [
            mk("末日", "E-1", "2030-01-01", "2031-06-30", "active"),
            mk("首日", "E-2", "2031-06-30", "2033-01-01", "active"),
            mk("过期", "E-3", "2030-01-01", "2031-06-29", "active"),
            mk("未生效", "E-4", "2031-07-01", "2033-01-01", "active"),
            mk("暂停", "E-5", "2030-01-01", "2033-01-01", "暂停执法"),
        ] {
            let r = app.post("/api/v1/inspectors", &chief, body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        }
        let r = app.get(&format!("/api/v1/inspectors/eligible?date=2031-06-30&specialty=school_health&unit_id={unit}"), Some(&chief)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let names: Vec<String> = r.json()["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_string()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, ["末日", "首日"], "{names:?}");
        for i in r.json()["items"].as_array().unwrap() {
            assert_eq!(i["certificate_state"], if i["name"] == "末日" { "expiring" } else { "valid" });
        }
        // Today: the demo's expired and suspended inspectors are out, the linked ones in.
        let today = app.get("/api/v1/inspectors/eligible", Some(&chief)).await.text();
        assert!(today.contains("张卫东") && today.contains("刘晓燕"), "{today}");
        assert!(!today.contains("马丽娜") && !today.contains("贾文涛"), "{today}");
        // The list shows the certificate state, and the page the badges.
        let list = app.get("/api/v1/inspectors?q=%E9%A9%AC%E4%B8%BD%E5%A8%9C", Some(&chief)).await.json(); // 马丽娜
        assert_eq!(list["items"][0]["certificate_state"], "expired");
        assert_eq!(list["items"][0]["may_enforce_today"], false);
        let html = app.get("/inspectors", Some(&chief)).await.text();
        assert!(html.contains("即将到期") && html.contains("已过期") && html.contains("badge expiring"), "{html}");
        // An update with the version it read.
        let created = app.get("/api/v1/inspectors?q=E-1", Some(&chief)).await.json()["items"][0].clone();
        let id = created["id"].as_str().unwrap();
        let mut body = mk("末日", "E-1", "2030-01-01", "2031-07-31", "active");
        body["version"] = json!(1);
        let r = app.call(Method::PUT, &format!("/api/v1/inspectors/{id}"), Some(&chief), true, Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["cert_valid_until"], "2031-07-31");
        let r = app.call(Method::PUT, &format!("/api/v1/inspectors/{id}"), Some(&chief), true, Some(body)).await;
        check(&r, StatusCode::CONFLICT, "inspector.stale", "stale inspector");
        // Inspectors may read the directory but not keep it.
        let inspector = app.login("zq_inspector1").await;
        assert_eq!(app.get("/api/v1/inspectors", Some(&inspector)).await.status, StatusCode::OK);
        let r = app.post("/api/v1/inspectors", &inspector, mk("某", "E-9", "2030-01-01", "2031-01-01", "active")).await;
        check(&r, StatusCode::FORBIDDEN, "auth.forbidden", "inspector keeps directory");
    }

    async fn practitioners_lifecycle_and_pages(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let hospital = app.id_of_entity("枣强县人民医院").await;
        let number = citizen("131127", "19911111", 22);
        let r = app.post("/api/v1/practitioners", &chief, new_doctor(&hospital, &number, "zq-new-1")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let p = r.json();
        assert!(is_masked(p["id_number"].as_str().unwrap()));
        assert_eq!(p["practice_cert_no"], "ZQ-NEW-1");
        let id = p["id"].as_str().unwrap().to_string();
        // Duplicates: same person; same certificate.
        let r = app.post("/api/v1/practitioners", &chief, new_doctor(&hospital, &number, "zq-new-2")).await;
        check(&r, StatusCode::CONFLICT, "practitioner.duplicate", "same person");
        assert!(r.json()["message"].as_str().unwrap().contains("枣强县人民医院"));
        let r = app.post("/api/v1/practitioners", &chief, new_doctor(&hospital, &citizen("131127", "19911111", 24), "ZQ-NEW-1")).await;
        check(&r, StatusCode::CONFLICT, "practitioner.duplicate", "same certificate");
        // Update with version; a stale one is refused.
        let mut body = new_doctor(&hospital, &number, "ZQ-NEW-1");
        body["practice_scope"] = json!("内科专业");
        body["version"] = json!(1);
        let r = app.call(Method::PUT, &format!("/api/v1/practitioners/{id}"), Some(&chief), true, Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["version"], 2);
        let r = app.call(Method::PUT, &format!("/api/v1/practitioners/{id}"), Some(&chief), true, Some(body)).await;
        check(&r, StatusCode::CONFLICT, "practitioner.stale", "stale");
        // A practice site, then it shows in the detail.
        let clinic = app.id_of_entity("恩察镇卫生院").await;
        let r = app.post(&format!("/api/v1/practitioners/{id}/practice-sites"), &chief, json!({"entity_id": clinic, "filed_on": "2026-03-01"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = app.post(&format!("/api/v1/practitioners/{id}/practice-sites"), &chief, json!({"entity_id": clinic})).await;
        check(&r, StatusCode::CONFLICT, "practice_site.duplicate", "site twice");
        let detail = app.get(&format!("/api/v1/practitioners/{id}"), Some(&chief)).await.json();
        assert_eq!(detail["practice_sites"][0]["entity_name"], "枣强县恩察镇卫生院");
        let site = detail["practice_sites"][0]["id"].as_str().unwrap().to_string();
        let end = format!("/api/v1/practitioners/{id}/practice-sites/{site}/end");
        let r = app.post(&end, &chief, json!({"ended_on": "2026-02-01"})).await;
        check(&r, StatusCode::CONFLICT, "practice_site.ends_before_filed", "ends before filed");
        let r = app.post(&end, &chief, json!({"ended_on": "2026-02-30"})).await;
        check(&r, StatusCode::UNPROCESSABLE_ENTITY, "field.invalid_date", "bad end date");
        let r = app.post(&format!("/api/v1/practitioners/{id}/practice-sites/nope/end"), &chief, json!({})).await;
        check(&r, StatusCode::NOT_FOUND, "not_found", "no such site");
        let r = app.post(&end, &chief, json!({"ended_on": "2026-09-30"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["ended_on"], "2026-09-30");
        let r = app.post(&end, &chief, json!({})).await;
        check(&r, StatusCode::CONFLICT, "practice_site.ended", "ended twice");
        // Search by name and certificate number, exact id number; never by a part of it.
        assert_eq!(app.get("/api/v1/practitioners?q=zq-new", Some(&chief)).await.json()["items"].as_array().unwrap().len(), 1);
        assert!(app.get("/api/v1/practitioners?q=19911111", Some(&chief)).await.json()["items"].as_array().unwrap().is_empty());
        assert_eq!(app.get(&format!("/api/v1/practitioners?id_number={number}"), Some(&chief)).await.json()["items"][0]["id"], id.as_str());
        // Keyset pages: limit 2 then the cursor.
        let first = app.get("/api/v1/practitioners?limit=2", Some(&chief)).await.json();
        assert_eq!(first["items"].as_array().unwrap().len(), 2);
        let next = first["next"].as_str().unwrap();
        let second = app.get(&format!("/api/v1/practitioners?limit=2&cursor={next}"), Some(&chief)).await.json();
        assert_ne!(second["items"][0]["id"], first["items"][0]["id"]);
        // Audit actions for the record.
        let actions: Vec<String> = weijian_store::audit::history(&app.store, &Actor::system(), "practitioner", &id).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["practitioner.create", "practitioner.update", "practitioner.add_site", "practitioner.end_site"]);
        // Pages: nav items, list with search, create forms.
        let home = app.get("/", Some(&chief)).await.text();
        assert!(home.contains("href=\"/practitioners\"") && home.contains("href=\"/inspectors\""));
        let html = app.get("/practitioners?q=%E6%B5%8B%E8%AF%95", Some(&chief)).await.text(); // 测试
        assert!(html.contains("测试医师") && !html.contains("齐建华"));
        assert_eq!(app.get("/practitioners/new", Some(&chief)).await.status, StatusCode::OK);
        let form = format!("name=%E6%9D%8E%E5%9B%9B&id_number={}&kind=nurse&entity_id={hospital}&registered_on=2024-01-01&cert_valid_until=2029-01-01", citizen("131127", "19950505", 46));
        let r = app.form_raw("/practitioners", &chief, &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = app.form_raw("/practitioners", &chief, &format!("name=x&id_number=110105194912310021&kind=nurse&entity_id={hospital}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("校验码"), "{}", r.text());
        let unit = app.id_of_unit("枣强县卫生监督所").await;
        let r = app.form_raw("/inspectors", &chief, &format!("name=%E7%8E%8B%E4%BA%94&unit_id={unit}&user_id=&cert_no=P-1&cert_valid_from=2025-01-01&cert_valid_until=2028-01-01&specialties=school_health&specialties=radiation")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let made = app.get("/api/v1/inspectors?q=P-1", Some(&chief)).await.json();
        assert_eq!(made["items"][0]["specialties"].as_array().unwrap().len(), 2, "{made}");
        let r = app.form_raw("/inspectors", &chief, &format!("name=x&unit_id={unit}&cert_no=P-2&cert_valid_from=2025-01-01&cert_valid_until=2024-01-01")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The institution's pages: practitioners yes, no inspectors nav.
        let hospital_user = app.login("zq_hospital").await;
        let home = app.get("/", Some(&hospital_user)).await.text();
        assert!(home.contains("href=\"/practitioners\"") && !home.contains("href=\"/inspectors\""));
    }

    async fn pages_turn_with_the_cursor(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let unit = app.id_of_unit("枣强县卫生监督所").await;
        for n in 0..50 {
            let body = json!({"name": format!("翻页{n:02}"), "unit_id": unit, "cert_no": format!("PG-{n:02}"),
                "cert_valid_from": "2025-01-01", "cert_valid_until": "2028-01-01"});
            let r = app.post("/api/v1/inspectors", &chief, body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        }
        let first = app.get("/inspectors", Some(&chief)).await.text();
        let start = first.find("href=\"/inspectors?cursor=").expect("a 下一页 link") + 6;
        let href = &first[start..start + first[start..].find('"').unwrap()];
        assert!(first.contains("下一页"));
        let second = app.get(&href.replace("&amp;", "&"), Some(&chief)).await;
        assert_eq!(second.status, StatusCode::OK);
        let second = second.text();
        assert!(!second.contains("下一页"), "the second page is the last");
        // Every one of the 50 appears on exactly one page.
        for n in 0..50 {
            let name = format!("翻页{n:02}<");
            assert_eq!(first.matches(&name).count() + second.matches(&name).count(), 1, "{name}");
        }
        // Exactly a page of matches: no 下一页.
        let r = app.get("/inspectors?q=%E7%BF%BB%E9%A1%B5", Some(&chief)).await.text(); // 翻页
        assert!(!r.contains("下一页"), "50 matches fit one page");
    }

    async fn bad_input_on_every_route_gets_a_coded_4xx(db: &TestDb) {
        let app = app(db).await;
        let s = app.login("zq_chief").await;
        let hospital = app.id_of_entity("枣强县人民医院").await;
        let doctor = zq_doctor(&app, &s).await;
        let pid = doctor["id"].as_str().unwrap().to_string();
        let iid = app.get("/api/v1/inspectors", Some(&s)).await.json()["items"][0]["id"].as_str().unwrap().to_string();
        let long = "字".repeat(51);
        let gets: Vec<(String, StatusCode, &str)> = vec![
            ("/api/v1/practitioners?limit=abc".into(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_limit"),
            ("/api/v1/practitioners?limit=0".into(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_limit"),
            ("/api/v1/practitioners?cursor=zz".into(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_cursor"),
            ("/api/v1/practitioners?kind=dentist".into(), StatusCode::UNPROCESSABLE_ENTITY, "field.invalid_choice"),
            ("/api/v1/practitioners?status=x".into(), StatusCode::UNPROCESSABLE_ENTITY, "field.invalid_choice"),
            ("/api/v1/practitioners?entity_id=x".into(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_id"),
            ("/api/v1/practitioners?id_number=1311".into(), StatusCode::UNPROCESSABLE_ENTITY, "citizen_id.length"),
            (format!("/api/v1/practitioners?q={long}"), StatusCode::UNPROCESSABLE_ENTITY, "search.too_long"),
            ("/api/v1/practitioners/nope".into(), StatusCode::NOT_FOUND, "not_found"),
            (format!("/api/v1/practitioners/{}", uuid_like()), StatusCode::NOT_FOUND, "not_found"),
            ("/api/v1/inspectors?limit=999".into(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_limit"),
            ("/api/v1/inspectors?cursor=00".into(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_cursor"),
            ("/api/v1/inspectors?status=x".into(), StatusCode::UNPROCESSABLE_ENTITY, "field.invalid_choice"),
            ("/api/v1/inspectors?specialty=astrology".into(), StatusCode::UNPROCESSABLE_ENTITY, "inspector.unknown_specialty"),
            ("/api/v1/inspectors?unit_id=x".into(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_id"),
            ("/api/v1/inspectors/nope".into(), StatusCode::NOT_FOUND, "not_found"),
            ("/api/v1/inspectors/eligible?date=2026-13-01".into(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_date"),
            ("/api/v1/inspectors/eligible?unit_id=x".into(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_id"),
            ("/api/v1/inspectors/eligible?specialty=x".into(), StatusCode::UNPROCESSABLE_ENTITY, "inspector.unknown_specialty"),
        ];
        for (uri, status, code) in gets {
            let r = app.get(&uri, Some(&s)).await;
            check(&r, status, code, &uri);
        }
        let unit = app.id_of_unit("枣强县卫生监督所").await;
        let good_inspector = json!({"name": "某", "unit_id": unit, "cert_no": "B-1", "cert_valid_from": "2025-01-01", "cert_valid_until": "2028-01-01"});
        let with = |base: &Value, k: &str, v: Value| { let mut b = base.clone(); b[k] = v; b };
        let good_doctor = new_doctor(&hospital, &citizen("131127", "19880808", 88), "B-DOC");
        let posts: Vec<WriteCase> = vec![
            (Method::POST, "/api/v1/practitioners".into(), json!({}), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field", Some("name")),
            (Method::POST, "/api/v1/practitioners".into(), with(&good_doctor, "extra", json!(1)), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field", Some("extra")),
            (Method::POST, "/api/v1/practitioners".into(), with(&good_doctor, "id_number", json!("110105194912310021")), StatusCode::UNPROCESSABLE_ENTITY, "citizen_id.check", Some("id_number")),
            (Method::POST, "/api/v1/practitioners".into(), with(&good_doctor, "id_number", json!("11010519491231")), StatusCode::UNPROCESSABLE_ENTITY, "citizen_id.length", Some("id_number")),
            (Method::POST, "/api/v1/practitioners".into(), with(&good_doctor, "kind", json!("dentist")), StatusCode::UNPROCESSABLE_ENTITY, "field.invalid_choice", Some("kind")),
            (Method::POST, "/api/v1/practitioners".into(), with(&good_doctor, "entity_id", json!("x")), StatusCode::UNPROCESSABLE_ENTITY, "field.invalid_id", Some("entity_id")),
            (Method::POST, "/api/v1/practitioners".into(), with(&good_doctor, "cert_valid_until", json!("2019-01-01")), StatusCode::UNPROCESSABLE_ENTITY, "practitioner.ends_before_start", Some("cert_valid_until")),
            (Method::POST, "/api/v1/practitioners".into(), with(&good_doctor, "registered_on", json!("2020-02-30")), StatusCode::UNPROCESSABLE_ENTITY, "field.invalid_date", Some("registered_on")),
            (Method::PUT, format!("/api/v1/practitioners/{pid}"), with(&good_doctor, "name", json!(" ")), StatusCode::UNPROCESSABLE_ENTITY, "field.required", Some("name")),
            (Method::PUT, format!("/api/v1/practitioners/{pid}"), with(&good_doctor, "version", json!("one")), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field", Some("version")),
            (Method::PUT, "/api/v1/practitioners/nope".into(), good_doctor.clone(), StatusCode::NOT_FOUND, "not_found", None),
            (Method::POST, "/api/v1/practitioners/nope/reveal-id-number".into(), json!({}), StatusCode::NOT_FOUND, "not_found", None),
            (Method::POST, format!("/api/v1/practitioners/{pid}/practice-sites"), json!({"entity_id": "x"}), StatusCode::UNPROCESSABLE_ENTITY, "field.invalid_id", Some("entity_id")),
            (Method::POST, format!("/api/v1/practitioners/{pid}/practice-sites"), json!({"entity_id": hospital}), StatusCode::CONFLICT, "practice_site.is_primary", None),
            (Method::POST, format!("/api/v1/practitioners/{pid}/practice-sites"), json!({"entity_id": hospital, "filed_on": "yesterday"}), StatusCode::UNPROCESSABLE_ENTITY, "field.invalid_date", Some("filed_on")),
            (Method::POST, format!("/api/v1/practitioners/{pid}/practice-sites"), json!({"site": 1}), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field", Some("site")),
            (Method::POST, "/api/v1/inspectors".into(), with(&good_inspector, "cert_valid_until", json!("2024-01-01")), StatusCode::UNPROCESSABLE_ENTITY, "inspector.ends_before_start", Some("cert_valid_until")),
            (Method::POST, "/api/v1/inspectors".into(), with(&good_inspector, "specialties", json!(["astrology"])), StatusCode::UNPROCESSABLE_ENTITY, "inspector.unknown_specialty", Some("specialties")),
            (Method::POST, "/api/v1/inspectors".into(), with(&good_inspector, "status", json!("asleep")), StatusCode::UNPROCESSABLE_ENTITY, "field.invalid_choice", Some("status")),
            (Method::POST, "/api/v1/inspectors".into(), with(&good_inspector, "phone", json!("12")), StatusCode::UNPROCESSABLE_ENTITY, "inspector.invalid_phone", Some("phone")),
            (Method::POST, "/api/v1/inspectors".into(), with(&good_inspector, "unit_id", json!("x")), StatusCode::UNPROCESSABLE_ENTITY, "field.invalid_id", Some("unit_id")),
            (Method::POST, "/api/v1/inspectors".into(), with(&good_inspector, "cert_valid_from", json!("")), StatusCode::UNPROCESSABLE_ENTITY, "field.required", Some("cert_valid_from")),
            (Method::POST, "/api/v1/inspectors".into(), with(&good_inspector, "bogus", json!(true)), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field", Some("bogus")),
            (Method::PUT, format!("/api/v1/inspectors/{iid}"), with(&good_inspector, "name", json!("")), StatusCode::UNPROCESSABLE_ENTITY, "field.required", Some("name")),
            (Method::PUT, "/api/v1/inspectors/nope".into(), good_inspector.clone(), StatusCode::NOT_FOUND, "not_found", None),
        ];
        for (method, uri, body, status, code, field) in posts {
            let r = app.call(method.clone(), &uri, Some(&s), true, Some(body.clone())).await;
            check(&r, status, code, &format!("{method} {uri} {body}"));
            if let Some(f) = field {
                assert_eq!(r.json()["field"], f, "{method} {uri} {body}: {}", r.text());
            }
        }
        // Duplicate certificate number.
        let r = app.post("/api/v1/inspectors", &s, good_inspector.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = app.post("/api/v1/inspectors", &s, with(&good_inspector, "name", json!("另一人"))).await;
        check(&r, StatusCode::CONFLICT, "inspector.duplicate_cert", "duplicate cert");
        // Malformed JSON and a wrong content type.
        let req = Request::builder().method(Method::POST).uri("/api/v1/practitioners").header(header::COOKIE, &s.cookie)
            .header("x-csrf-token", &s.csrf).header(header::CONTENT_TYPE, "application/json").body(Body::from("{")).unwrap();
        check(&app.send(req).await, StatusCode::BAD_REQUEST, "request.malformed_json", "malformed");
        let req = Request::builder().method(Method::POST).uri("/api/v1/inspectors").header(header::COOKIE, &s.cookie)
            .header("x-csrf-token", &s.csrf).header(header::CONTENT_TYPE, "text/plain").body(Body::from("{}")).unwrap();
        check(&app.send(req).await, StatusCode::UNSUPPORTED_MEDIA_TYPE, "request.content_type", "content type");
        // Pages: bad ids and cursors.
        for p in ["/practitioners/nope", "/inspectors/nope", "/practitioners?cursor=zz", "/inspectors?cursor=zz"] {
            let r = app.get(p, Some(&s)).await;
            assert!(r.status.is_client_error(), "{p}: {}", r.status);
        }
        let r = app.form_raw(&format!("/practitioners/{pid}/practice-sites"), &s, "entity_id=nope").await;
        assert!(r.status.is_client_error(), "{}", r.status);
        // Anonymous: 401.
        let r = app.send(Request::builder().uri("/api/v1/practitioners").body(Body::empty()).unwrap()).await;
        check(&r, StatusCode::UNAUTHORIZED, "auth.required", "anonymous");
    }
}

/// (method, uri, body, expected status, expected code, expected field)
type WriteCase = (Method, String, Value, StatusCode, &'static str, Option<&'static str>);

fn uuid_like() -> String {
    "0190a0b2-0000-7000-8000-000000000000".into()
}
