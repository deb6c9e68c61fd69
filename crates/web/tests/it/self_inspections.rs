//! 自查 over HTTP, on both backends: a chief opens a campaign, institutions
//! report (one each, attachments checked by content), the missing list and
//! counts, review, closing; bad input with its codes; and the denials: another
//! region's chief, an institution of another entity, an institution not
//! obliged, staff without the right, anonymous.

use crate::common::*;
use axum::http::{header, Method, StatusCode};
use serde_json::{json, Value};
use weijian_domain::accounts::{self, CreateUser};
use weijian_store::entities::{self, EntityData};
use weijian_store::{both_backends, Actor, Role};

/// Registers an operating entity in 枣强县 with an institution account; signs it in.
async fn institution(app: &App, name: &str, category: &str, username: &str) -> (String, Session) {
    let mut data = EntityData::named("131127", name);
    data.category = category.into();
    let entity = entities::create(&app.store, &Actor::system(), &data).await.unwrap();
    let password = weijian_domain::passwords::generate();
    accounts::create_with(
        &app.store,
        &Actor::system(),
        CreateUser {
            username: username.into(),
            name: "联系人".into(),
            role: Role::Institution,
            unit_id: None,
            entity_id: Some(entity.id),
            phone: None,
            password: Some(password.clone()),
        },
        false,
    )
    .await
    .unwrap();
    let r = app.login_resp(username, &password).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    (entity.id.to_string(), session_of(&r))
}

fn campaign() -> Value {
    json!({
        "title": "2026年医疗机构依法执业自查",
        "specialty": "medical_services",
        "categories": ["medical_institution"],
        "requirements": "对照执业许可、诊疗科目、人员资质逐项自查，如实报送。",
        "working_days": 10
    })
}

async fn form(app: &App, s: &Session, uri: &str, body: String) -> Resp {
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

/// A multipart upload of one file with the given fields, to any route.
async fn upload(app: &App, s: &Session, uri: &str, fields: &[(&str, &str)], name: &str, bytes: &[u8]) -> Resp {
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, &s.cookie)
        .header("x-csrf-token", &s.csrf)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(axum::body::Body::from(multipart(fields, Some((name, bytes)))))
        .unwrap();
    app.send(req).await
}

/// A Windows executable (DOS header and PE signature).
fn windows_exe() -> Vec<u8> {
    let mut pe = vec![0u8; 512];
    pe[..2].copy_from_slice(b"MZ");
    pe[0x3C] = 0x80;
    pe[0x80..0x84].copy_from_slice(b"PE\0\0");
    pe
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

both_backends! {
    async fn a_campaign_from_opening_to_closing(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let hospital = app.login("zq_hospital").await;
        let (clinic_id, clinic) = institution(&app, "枣强县某口腔诊所", "medical_institution", "zq_dental").await;
        let (_, eye) = institution(&app, "枣强县某眼科诊所", "medical_institution", "zq_eye").await;
        let (_, barber) = institution(&app, "枣强县某理发店", "public_place", "zq_barber").await;

        // Opening: 15 working days on the official calendar; three operating medical institutions.
        let r = app.call(Method::POST, "/api/v1/self-inspections", Some(&chief), true, Some(campaign())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let c = r.json();
        let id = c["id"].as_str().unwrap().to_string();
        let today = weijian_domain::input::today();
        let due = weijian_rules::Calendar::official().add_working_days(today, 10).unwrap();
        assert_eq!(c["deadline"], due.to_string());
        assert_eq!(c["counts"], json!({"obliged": 3, "submitted": 0, "missing": 3}));
        assert_eq!((c["status"].as_str(), c["overdue"].as_bool()), (Some("open"), Some(false)));

        // A medical institution registered later is not obliged.
        let (_, late_comer) = institution(&app, "枣强县新开诊所", "medical_institution", "zq_new").await;
        assert_eq!(app.get(&format!("/api/v1/self-inspections/{id}"), Some(&late_comer)).await.status, StatusCode::NOT_FOUND);

        // Who sees it: the region's staff and the obliged institutions; not another region, not the barber.
        let url = format!("/api/v1/self-inspections/{id}");
        assert_eq!(app.get("/api/v1/self-inspections", Some(&chief)).await.json()["items"].as_array().unwrap().len(), 1);
        let hk = app.login("hk_chief").await;
        assert!(app.get("/api/v1/self-inspections", Some(&hk)).await.json()["items"].as_array().unwrap().is_empty());
        assert_eq!(app.get(&url, Some(&hk)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("{url}/missing"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&url, Some(&barber)).await.status, StatusCode::NOT_FOUND);
        assert!(app.get("/api/v1/self-inspections", Some(&barber)).await.json()["items"].as_array().unwrap().is_empty());
        let mine = app.get(&url, Some(&hospital)).await;
        assert_eq!(mine.status, StatusCode::OK);
        assert!(mine.json()["counts"].is_null(), "an institution sees no counts");
        let r = app.get(&format!("{url}/missing"), Some(&hospital)).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "self_inspection.staff_only".into()));
        assert_eq!(app.get("/api/v1/self-inspections", None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get(&url, None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get(&format!("{url}/reports"), None).await.status, StatusCode::UNAUTHORIZED);

        // The institution's home page lists it, with a link to the form.
        let home = app.get("/", Some(&hospital)).await.text();
        assert!(home.contains("待提交的自查") && home.contains(&format!("/self-inspections/{id}/report")), "{home}");
        assert!(!app.get("/", Some(&barber)).await.text().contains("待提交的自查"));

        // Attachments: a PDF is taken; an executable dressed as a PDF is refused, by the API and by the page.
        let r = upload(&app, &hospital, "/api/v1/attachments", &[("kind", "document")], "自查报告.pdf", PDF).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let pdf_id = r.json()["id"].as_str().unwrap().to_string();
        let r = upload(&app, &hospital, "/api/v1/attachments", &[("kind", "document")], "自查报告.pdf", &windows_exe()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "attachment.unsupported_type".into()));
        let page_upload = format!("/self-inspections/{id}/attachments");
        let r = upload(&app, &hospital, &page_upload, &[("kind", "document")], "盖章版.pdf", &windows_exe()).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let r = upload(&app, &barber, &page_upload, &[("kind", "document")], "a.pdf", PDF).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "not obliged: no upload either");

        // Staff do not submit; the not-obliged barber's campaign does not exist for it.
        let body = json!({"problems": "未发现问题", "attachments": [pdf_id]});
        let reports = format!("{url}/reports");
        let r = app.call(Method::POST, &reports, Some(&chief), true, Some(body.clone())).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "self_inspection.institution_only".into()));
        let r = app.call(Method::POST, &reports, Some(&barber), true, Some(json!({"problems": "未发现问题"}))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.call(Method::POST, &reports, Some(&hospital), true, Some(json!({"problems": "  "}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "self_inspection.problems_required".into()));

        // The hospital reports once; the second is a 409.
        let r = app.call(Method::POST, &reports, Some(&hospital), true, Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let report = r.json();
        let report_id = report["id"].as_str().unwrap().to_string();
        assert_eq!((report["late"].as_bool(), report["status"].as_str()), (Some(false), Some("submitted")));
        assert_eq!(report["attachments"], json!([pdf_id]));
        let r = app.call(Method::POST, &reports, Some(&hospital), true, Some(json!({"problems": "再报一次"}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "self_inspection.already_submitted".into()));
        let a = app.get(&format!("/api/v1/attachments/{pdf_id}"), Some(&hospital)).await.json();
        assert_eq!((a["owner_type"].as_str(), a["owner_id"].as_str()), (Some("self_inspection_report"), Some(report_id.as_str())));
        assert!(!app.get("/", Some(&hospital)).await.text().contains("待提交的自查"));

        // Another institution never sees the hospital's report.
        let one = format!("{url}/reports/{report_id}");
        assert_eq!(app.get(&one, Some(&clinic)).await.status, StatusCode::NOT_FOUND);
        assert!(app.get(&reports, Some(&clinic)).await.json()["items"].as_array().unwrap().is_empty());
        assert_eq!(app.get(&one, Some(&hk)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&one, Some(&hospital)).await.status, StatusCode::OK);
        assert_eq!(app.get(&format!("{url}/reports/not-an-id"), Some(&chief)).await.status, StatusCode::NOT_FOUND);

        // The eye clinic reports through the page form.
        let r = form(&app, &eye, &format!("/self-inspections/{id}/report"), format!("csrf_token={}&problems=%E6%9C%AA%E5%8F%91%E7%8E%B0%E9%97%AE%E9%A2%98", eye.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

        // The chief: counts, reports, and the missing list (the dental clinic).
        let c = app.get(&url, Some(&chief)).await.json();
        assert_eq!(c["counts"], json!({"obliged": 3, "submitted": 2, "missing": 1}));
        assert_eq!(app.get(&reports, Some(&chief)).await.json()["items"].as_array().unwrap().len(), 2);
        let missing = app.get(&format!("{url}/missing"), Some(&chief)).await.json();
        assert_eq!(missing["items"].as_array().unwrap().len(), 1);
        assert_eq!((missing["items"][0]["entity_id"].as_str(), missing["items"][0]["overdue"].as_bool()), (Some(clinic_id.as_str()), Some(false)));
        let page = app.get(&format!("/self-inspections/{id}"), Some(&chief)).await;
        assert_eq!(page.status, StatusCode::OK);
        let page = page.text();
        assert!(page.contains("枣强县某口腔诊所") && page.contains("未报送") && page.contains("枣强县人民医院"), "{page}");
        let list = app.get("/self-inspections", Some(&chief)).await.text();
        assert!(list.contains("2026年医疗机构依法执业自查") && list.contains("发起自查"), "{list}");
        assert_eq!(app.get("/self-inspections", Some(&hospital)).await.status, StatusCode::FORBIDDEN);
        assert!(app.get(&format!("/self-inspections/{id}/reports/{report_id}"), Some(&chief)).await.text().contains("自查报告.pdf"));

        // Review: returning needs a comment; the hospital corrects and submits again.
        let review = format!("{one}/review");
        let r = app.call(Method::POST, &review, Some(&chief), true, Some(json!({"outcome": "returned"}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "self_inspection.comment_required".into()));
        let inspector = app.login("zq_inspector1").await;
        let r = app.call(Method::POST, &review, Some(&inspector), true, Some(json!({"outcome": "reviewed"}))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.call(Method::POST, &review, Some(&chief), true, Some(json!({"outcome": "returned", "comment": "请补充护士配备情况"}))).await;
        assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("returned")), "{}", r.text());
        assert!(app.get("/", Some(&hospital)).await.text().contains("待提交的自查"), "returned: awaiting again");
        let r = app.call(Method::POST, &reports, Some(&hospital), true, Some(json!({"problems": "护士配备不足", "measures": "已招聘护士 6 名"}))).await;
        assert_eq!((r.status, r.json()["id"].as_str()), (StatusCode::CREATED, Some(report_id.as_str())), "{}", r.text());
        let r = app.call(Method::POST, &review, Some(&chief), true, Some(json!({"outcome": "reviewed"}))).await;
        assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("reviewed")));

        // Closing: not by another region, not by an inspector; then reports are refused.
        let close = format!("{url}/close");
        assert_eq!(app.call(Method::POST, &close, Some(&hk), true, None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.call(Method::POST, &close, Some(&inspector), true, None).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.call(Method::POST, &close, Some(&hospital), true, None).await.status, StatusCode::FORBIDDEN);
        let r = app.call(Method::POST, &close, Some(&chief), true, None).await;
        assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("closed")));
        let r = app.call(Method::POST, &close, Some(&chief), true, None).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "self_inspection.transition_not_allowed".into()));
        let r = app.call(Method::POST, &reports, Some(&clinic), true, Some(json!({"problems": "未发现问题"}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "self_inspection.closed".into()));
        let missing = app.get(&format!("{url}/missing"), Some(&chief)).await.json();
        assert_eq!(missing["items"].as_array().unwrap().len(), 1);

        // The audit trail holds the opening, the submissions, the reviews and the closing.
        let sys = Actor::system();
        let h = weijian_store::audit::history(&app.store, &sys, "self_inspection", &id).await.unwrap();
        assert_eq!(h.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["self_inspection.open", "self_inspection.close"]);
        let h = weijian_store::audit::history(&app.store, &sys, "self_inspection_report", &report_id).await.unwrap();
        assert_eq!(h.iter().filter(|e| e.action == "self_inspection.submit").count(), 2);
        assert_eq!(h.iter().filter(|e| e.action == "self_inspection.review").count(), 2);
    }

    async fn bad_input_is_refused_with_its_code(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let post = |body: Value| {
            let chief = chief.clone();
            let app = &app;
            async move { app.call(Method::POST, "/api/v1/self-inspections", Some(&chief), true, Some(body)).await }
        };
        let with = |key: &str, v: Value| {
            let mut b = campaign();
            b[key] = v;
            b
        };
        let today = weijian_domain::input::today();
        let cases = [
            (with("title", json!("  ")), "field.required", "title"),
            (with("categories", json!(["美容院"])), "self_inspection.unknown_category", "categories"),
            (with("specialty", json!("astrology")), "self_inspection.unknown_specialty", "specialty"),
            (with("categories", json!(["water_supply"])), "self_inspection.no_entities", "categories"),
            (with("working_days", json!(0)), "self_inspection.invalid_working_days", "working_days"),
            (with("items", json!(["X-01"])), "self_inspection.item_list_required", "item_list_id"),
        ];
        for (body, code, field) in cases {
            let r = post(body).await;
            assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, code.to_string()), "{}", r.text());
            assert_eq!(r.json()["field"], field);
        }
        let mut dated = campaign();
        dated.as_object_mut().unwrap().remove("working_days");
        for (day, code) in [
            (today, "self_inspection.deadline_not_after_opening"),
            (today - chrono::Days::new(3), "self_inspection.deadline_not_after_opening"),
            (today + chrono::Days::new(400), "self_inspection.deadline_too_far"),
        ] {
            dated["deadline"] = json!(day.to_string());
            let r = post(dated.clone()).await;
            assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, code.to_string()), "{}", r.text());
        }
        dated["deadline"] = json!("2026-02-30");
        assert_eq!(post(dated.clone()).await.code(), "field.invalid_date");
        dated["deadline"] = json!((today + chrono::Days::new(30)).to_string());
        dated["working_days"] = json!(5);
        assert_eq!(post(dated.clone()).await.code(), "self_inspection.deadline_twice");
        dated.as_object_mut().unwrap().remove("working_days");
        let r = post(json!({"title": 5})).await;
        assert!(r.status.is_client_error(), "{}", r.status);
        let r = post(with("unknown", json!(1))).await;
        assert!(r.status.is_client_error(), "{}", r.status);

        // Who may open: not an inspector, not an institution, not another region's area.
        let inspector = app.login("zq_inspector1").await;
        let r = app.call(Method::POST, "/api/v1/self-inspections", Some(&inspector), true, Some(campaign())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let hospital = app.login("zq_hospital").await;
        let r = app.call(Method::POST, "/api/v1/self-inspections", Some(&hospital), true, Some(campaign())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.call(Method::POST, "/api/v1/self-inspections", Some(&chief), true, Some(with("region_code", json!("460100")))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = app.call(Method::POST, "/api/v1/self-inspections", None, false, Some(campaign())).await;
        assert!(matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN), "{}", r.status);

        // Nothing was opened; then a dated campaign opens, and the page form shows a refusal in Chinese.
        assert!(app.get("/api/v1/self-inspections", Some(&chief)).await.json()["items"].as_array().unwrap().is_empty());
        let r = post(dated).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = form(&app, &chief, "/self-inspections", format!("csrf_token={}&title=&specialty=medical_services&category=medical_institution&requirements=x&working_days=5", chief.csrf)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("自查名称不能为空"), "{}", r.text());
        let r = form(&app, &chief, "/self-inspections", format!("csrf_token={}&title=%E5%AD%A6%E6%A0%A1%E8%87%AA%E6%9F%A5&specialty=school_health&category=medical_institution&requirements=x&working_days=5", chief.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    }
}
