//! The HTTP contract, on both backends: auth, CSRF, jurisdiction, bad input,
//! audit, pages. Requests go through the whole application (all middleware).

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use weijian_domain::auth::AuthPolicy;
use weijian_store::testing::TestDb;
use weijian_store::{both_backends, Actor};
use weijian_web::{AppState, WebConfig};

use crate::common::*;

both_backends! {
    async fn login_contract_and_me(db: &TestDb) {
        let app = app(db).await;
        let r = app.login_resp("zq_inspector1", &app.passwords["zq_inspector1"]).await;
        assert_eq!(r.status, StatusCode::OK);
        let set = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"), "{set}");
        let body = r.json();
        assert_eq!(body["user"]["username"], "zq_inspector1");
        assert_eq!(body["csrf_token"].as_str().unwrap().len(), 64);
        let s = session_of(&r);
        let me = app.get("/api/v1/me", Some(&s)).await.json();
        assert_eq!(me["username"], "zq_inspector1");
        assert_eq!(me["role"], "inspector");
        assert_eq!(me["region_code"], "131127");
        for key in ["id", "name", "unit_id"] {
            assert!(me.get(key).is_some(), "{key}");
        }
        // Logout ends the session.
        let out = app.call(Method::POST, "/api/v1/auth/logout", Some(&s), true, None).await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        assert_eq!(app.get("/api/v1/me", Some(&s)).await.status, StatusCode::UNAUTHORIZED);
    }

    async fn wrong_password_then_throttled(db: &TestDb) {
        let app = app(db).await;
        let r = app.login_resp("zq_leader", "wrong-password").await;
        assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "auth.invalid_credentials".to_string()));
        let unknown = app.login_resp("no_such_user", "whatever").await;
        assert_eq!(unknown.code(), "auth.invalid_credentials");
        for _ in 0..4 {
            app.login_resp("zq_leader", "wrong-password").await;
        }
        // Five failures: even the right password is refused for a while.
        let r = app.login_resp("zq_leader", &app.passwords["zq_leader"]).await;
        assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "auth.too_many_attempts".to_string()));
        // Another account from another address is not affected.
        app.login("zq_chief").await;
    }

    async fn csrf_is_required_for_cookie_writes(db: &TestDb) {
        let app = app(db).await;
        let s = app.login("zq_admin").await;
        let unit = app.id_of_unit("枣强县卫生监督所").await;
        let body = json!({"username": "zq_new", "name": "新监督员", "role": "inspector", "unit_id": unit});
        let r = app.call(Method::POST, "/api/v1/users", Some(&s), false, Some(body.clone())).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "csrf.token_missing".to_string()));
        let wrong = Session { csrf: "0".repeat(64), ..s.clone() };
        let r = app.call(Method::POST, "/api/v1/users", Some(&wrong), true, Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(weijian_store::users::credentials(&app.store, "zq_new").await.unwrap().is_none());
        let r = app.call(Method::POST, "/api/v1/users", Some(&s), true, Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        // A form post without the token is refused as well.
        let req = Request::builder().method(Method::POST).uri("/logout")
            .header(header::COOKIE, &s.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("x=1")).unwrap();
        assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
        let req = Request::builder().method(Method::POST).uri("/logout")
            .header(header::COOKIE, &s.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf_token={}", s.csrf))).unwrap();
        assert_eq!(app.send(req).await.status, StatusCode::SEE_OTHER);
        // Cross-site posts are refused before anything else.
        let req = Request::builder().method(Method::POST).uri("/api/v1/auth/login")
            .header(header::HOST, "weijian.example").header(header::ORIGIN, "https://evil.example")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"username":"zq_admin","password":"x"}"#)).unwrap();
        let r = app.send(req).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "csrf.cross_origin".to_string()));
    }

    async fn bearer_tokens_carry_the_users_rights(db: &TestDb) {
        let app = app(db).await;
        let user = app.id_of_user("zq_admin").await;
        let token = weijian_domain::auth::issue_token(&app.store, &Actor::system(), user.parse().unwrap(), "测试").await.unwrap();
        let req = |m: Method, uri: &str, body: Option<Value>| {
            let b = Request::builder().method(m).uri(uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
            match body {
                Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())).unwrap(),
                None => b.body(Body::empty()).unwrap(),
            }
        };
        assert_eq!(app.send(req(Method::GET, "/api/v1/me", None)).await.json()["username"], "zq_admin");
        let unit = app.id_of_unit("枣强县卫生监督所").await;
        let r = app.send(req(Method::POST, "/api/v1/users", Some(json!({"username": "zq_tok", "name": "令牌", "role": "inspector", "unit_id": unit})))).await;
        assert_eq!(r.status, StatusCode::CREATED, "no CSRF token needed with a bearer token");
        let hk = app.id_of_unit("海口市卫生健康委员会").await;
        assert_eq!(app.send(req(Method::GET, &format!("/api/v1/units/{hk}"), None)).await.status, StatusCode::NOT_FOUND);
        let bad = Request::builder().uri("/api/v1/me").header(header::AUTHORIZATION, "Bearer wj_nope").body(Body::empty()).unwrap();
        assert_eq!(app.send(bad).await.code(), "auth.invalid_token");
    }

    async fn anonymous_and_expired_requests_get_401(db: &TestDb) {
        let app = app_with(db, AuthPolicy { absolute: chrono::Duration::seconds(1), ..AuthPolicy::default() }).await;
        let zq = app.id_of_unit("枣强县卫生健康局").await;
        let paths = ["/api/v1/me", "/api/v1/units", "/api/v1/users", &format!("/api/v1/units/{zq}"), "/api/v1/audit?object_type=unit&object_id=x"];
        for p in paths {
            let r = app.get(p, None).await;
            assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "auth.required".to_string()), "{p}");
        }
        for p in ["/api/v1/auth/logout", "/api/v1/auth/password", "/api/v1/users"] {
            assert_eq!(app.call(Method::POST, p, None, false, Some(json!({}))).await.status, StatusCode::UNAUTHORIZED, "{p}");
        }
        for p in ["/", "/units", "/users", "/password", "/users/new"] {
            let r = app.get(p, None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{p}");
            assert!(r.text().contains("name=\"password\""), "{p} shows the sign-in form");
        }
        let s = app.login("zq_inspector1").await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let r = app.get("/api/v1/me", Some(&s)).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "auth.session_expired".to_string()));
        assert_eq!(app.get("/units", Some(&s)).await.status, StatusCode::UNAUTHORIZED);
        // Public routes stay public.
        assert_eq!(app.get("/login", None).await.status, StatusCode::OK);
        assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
        assert_eq!(app.get("/api/v1/openapi.json", None).await.status, StatusCode::OK);
    }

    async fn jurisdiction_denials_through_api_and_ui(db: &TestDb) {
        let app = app(db).await;
        let zq = app.login("zq_inspector1").await;
        let hk_unit = app.id_of_unit("海口市卫生健康委员会").await;
        let hk_user = app.id_of_user("hk_inspector1").await;
        let zq_unit = app.id_of_unit("枣强县卫生健康局").await;
        for p in [format!("/api/v1/units/{hk_unit}"), format!("/api/v1/users/{hk_user}")] {
            let r = app.get(&p, Some(&zq)).await;
            assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found".to_string()), "{p}");
        }
        for p in [format!("/units/{hk_unit}"), format!("/users/{hk_user}")] {
            assert_eq!(app.get(&p, Some(&zq)).await.status, StatusCode::NOT_FOUND, "{p}");
        }
        let listed = app.get("/api/v1/users", Some(&zq)).await.json();
        assert!(listed.as_array().unwrap().iter().all(|u| u["region_code"] == "131127"));
        assert!(!app.get("/units", Some(&zq)).await.text().contains("海口"));

        // The city reads the county below it, not another province.
        let hs = app.login("hs_leader").await;
        assert_eq!(app.get(&format!("/api/v1/units/{zq_unit}"), Some(&hs)).await.json()["name"], "枣强县卫生健康局");
        assert_eq!(app.get(&format!("/units/{zq_unit}"), Some(&hs)).await.status, StatusCode::OK);
        assert_eq!(app.get(&format!("/api/v1/units/{hk_unit}"), Some(&hs)).await.status, StatusCode::NOT_FOUND);

        // Writes: a county admin cannot create a user in 海口 (the unit is not even visible),
        // a city leader may read the county but not write there.
        let zq_admin = app.login("zq_admin").await;
        let body = |unit: &str| json!({"username": "x_new", "name": "某人", "role": "inspector", "unit_id": unit});
        let r = app.call(Method::POST, "/api/v1/users", Some(&zq_admin), true, Some(body(&hk_unit))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.call(Method::POST, "/api/v1/users", Some(&hs), true, Some(body(&zq_unit))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // A 衡水 admin may create in 枣强 (below), per the admin role's explicit power.
        let hs_admin = app.login("hs_admin").await;
        let r = app.call(Method::POST, "/api/v1/users", Some(&hs_admin), true, Some(body(&zq_unit))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

        // An institution user sees only its own records.
        let inst = app.login("zq_hospital").await;
        let users = app.get("/api/v1/users", Some(&inst)).await.json();
        assert_eq!(users.as_array().unwrap().len(), 1);
        assert_eq!(users[0]["username"], "zq_hospital");
        let r = app.get("/api/v1/units", Some(&inst)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let colleague = app.id_of_user("zq_inspector1").await;
        assert_eq!(app.get(&format!("/api/v1/users/{colleague}"), Some(&inst)).await.status, StatusCode::NOT_FOUND);
    }

    async fn bad_input_gets_clear_4xx(db: &TestDb) {
        let app = app(db).await;
        let s = app.login("zq_admin").await;
        let raw = |uri: &str, ct: &str, body: Vec<u8>| {
            Request::builder().method(Method::POST).uri(uri)
                .header(header::COOKIE, &s.cookie).header("x-csrf-token", &s.csrf)
                .header(header::CONTENT_TYPE, ct).body(Body::from(body)).unwrap()
        };
        for uri in ["/api/v1/auth/login", "/api/v1/auth/password", "/api/v1/users"] {
            let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
                ("application/json", b"{,}".to_vec(), StatusCode::BAD_REQUEST, "request.malformed_json"),
                ("application/json", b"{\"na".to_vec(), StatusCode::BAD_REQUEST, "request.malformed_json"),
                ("application/json", b"{\"\xff\xfe\":1}".to_vec(), StatusCode::BAD_REQUEST, "request.malformed_json"),
                ("application/json", b"[1,2]".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field"),
                ("application/json", b"{\"username\":1,\"password\":true}".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field"),
                ("application/json", b"{\"nonsense\":1}".to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field"),
                ("text/plain", b"{}".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "request.content_type"),
                ("application/json", vec![b' '; 2 * 1024 * 1024], StatusCode::PAYLOAD_TOO_LARGE, "request.too_large"),
            ];
            for (ct, body, status, code) in cases {
                let r = app.send(raw(uri, ct, body)).await;
                assert_eq!((r.status, r.code()), (status, code.to_string()), "{uri}: {}", r.text());
                assert!(!r.json()["message"].as_str().unwrap().is_empty());
            }
        }
        // Unknown fields are named.
        let r = app.send(raw("/api/v1/auth/login", "application/json", br#"{"username":"a","password":"b","extra":1}"#.to_vec())).await;
        assert_eq!(r.json()["field"], "extra");
        // Domain validation: field and code.
        let unit = app.id_of_unit("枣强县卫生监督所").await;
        let r = app.call(Method::POST, "/api/v1/users", Some(&s), true, Some(json!({"username": "X!", "name": "某", "role": "inspector", "unit_id": unit}))).await;
        assert_eq!((r.status, r.code(), r.json()["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, "user.invalid_username".to_string(), json!("username")));
        let r = app.call(Method::POST, "/api/v1/users", Some(&s), true, Some(json!({"username": "ok_name", "name": "某", "role": "king", "unit_id": unit}))).await;
        assert_eq!(r.code(), "user.invalid_role");
        let r = app.call(Method::POST, "/api/v1/users", Some(&s), true, Some(json!({"username": "ok_name", "name": "某", "role": "inspector", "unit_id": "not-a-uuid"}))).await;
        assert_eq!(r.code(), "request.invalid_id");
        let r = app.call(Method::POST, "/api/v1/users", Some(&s), true, Some(json!({"username": "zq_leader", "name": "重名", "role": "inspector", "unit_id": unit}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "user.username_taken".to_string()));
        // Ids in paths and queries.
        for p in ["/api/v1/units/not-a-uuid", "/api/v1/users/%FF", "/api/v1/users/01a20575-0000-7000-8000-000000000000"] {
            assert_eq!(app.get(p, Some(&s)).await.status, StatusCode::NOT_FOUND, "{p}");
        }
        let r = app.get("/api/v1/audit?object_type=unit", Some(&s)).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "audit.missing_parameter".to_string()));
        let r = app.get("/api/v1/audit?object_type=spaceship&object_id=1", Some(&s)).await;
        assert_eq!(r.code(), "audit.unknown_object_type");
        let r = app.get("/api/v1/nowhere", Some(&s)).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "route.not_found".to_string()));
        let r = app.call(Method::DELETE, "/api/v1/me", Some(&s), true, None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        // Nothing already saved was lost: the account still signs in.
        app.login("zq_leader").await;
    }

    async fn first_login_requires_password_change(db: &TestDb) {
        let app = app(db).await;
        let admin = app.login("zq_admin").await;
        let unit = app.id_of_unit("枣强县卫生监督所").await;
        let r = app.call(Method::POST, "/api/v1/users", Some(&admin), true, Some(json!({"username": "zq_fresh", "name": "新人", "role": "inspector", "unit_id": unit}))).await;
        let initial = r.json()["initial_password"].as_str().unwrap().to_string();
        assert_eq!(r.json()["user"]["must_change_password"], true);
        let s = session_of(&app.login_resp("zq_fresh", &initial).await);
        let r = app.get("/api/v1/units", Some(&s)).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "auth.password_change_required".to_string()));
        let r = app.get("/units", Some(&s)).await;
        assert_eq!((r.status, r.headers.get(header::LOCATION).unwrap().to_str().unwrap()), (StatusCode::SEE_OTHER, "/password"));
        let weak = app.call(Method::POST, "/api/v1/auth/password", Some(&s), true, Some(json!({"current_password": initial, "new_password": "short"}))).await;
        assert_eq!((weak.status, weak.code()), (StatusCode::UNPROCESSABLE_ENTITY, "auth.weak_password".to_string()));
        let ok = app.call(Method::POST, "/api/v1/auth/password", Some(&s), true, Some(json!({"current_password": initial, "new_password": "Field-Work-2026"}))).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
        let renewed = session_of(&ok);
        assert_eq!(app.get("/api/v1/units", Some(&renewed)).await.status, StatusCode::OK);
        assert_eq!(app.get("/api/v1/me", Some(&s)).await.status, StatusCode::UNAUTHORIZED, "old session ended");
    }

    async fn changes_are_audited_with_request_context(db: &TestDb) {
        let app = app(db).await;
        let admin = app.login("zq_admin").await;
        let unit = app.id_of_unit("枣强县卫生监督所").await;
        let req = Request::builder().method(Method::POST).uri("/api/v1/users")
            .header(header::COOKIE, &admin.cookie).header("x-csrf-token", &admin.csrf)
            .header("x-request-id", "req-test-42").header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"username": "zq_audited", "name": "审计", "role": "inspector", "unit_id": unit}).to_string())).unwrap();
        let created = app.send(req).await;
        assert_eq!(created.headers.get("x-request-id").unwrap(), "req-test-42");
        let id = created.json()["user"]["id"].as_str().unwrap().to_string();
        let history = app.get(&format!("/api/v1/audit?object_type=user&object_id={id}"), Some(&admin)).await.json();
        let ev = &history[0];
        assert_eq!(ev["action"], "user.create");
        assert_eq!(ev["username"], "zq_admin");
        assert_eq!(ev["ip"], "10.0.0.7");
        assert_eq!(ev["request_id"], "req-test-42");
        assert!(ev["after_digest"].as_str().unwrap().len() == 64);
        // Inspectors may not read audit history; the page works for the admin.
        let insp = app.login("zq_inspector1").await;
        assert_eq!(app.get(&format!("/api/v1/audit?object_type=user&object_id={id}"), Some(&insp)).await.status, StatusCode::FORBIDDEN);
        assert!(app.get(&format!("/audit?object_type=user&object_id={id}"), Some(&admin)).await.text().contains("新增用户 zq_audited"));
        assert_eq!(weijian_store::audit::verify_chain(&app.store).await.unwrap().first_break, None);
    }

    async fn pages_sign_in_and_show_home(db: &TestDb) {
        let app = app(db).await;
        let form = format!("username=zq_inspector1&password={}&next=%2Funits", app.passwords["zq_inspector1"]);
        let req = Request::builder().method(Method::POST).uri("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(form)).unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/units");
        let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
        let s = Session { cookie, csrf: String::new() };
        let home = app.get("/", Some(&s)).await;
        let html = home.text();
        assert!(html.contains("枣强县") && html.contains("监督员") && html.contains("张卫东"), "{html}");
        assert!(html.contains("href=\"/units\""));
        assert!(!html.contains("<script"), "no inline script");
        let r = app.get("/units", Some(&s)).await;
        assert!(r.text().contains("枣强县卫生监督所"));
        // A wrong password shows the form again, with the reason, as 401.
        let req = Request::builder().method(Method::POST).uri("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from("username=zq_inspector1&password=nope")).unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.text().contains("用户名或密码错误"));
        // An open redirect through `next` is refused.
        let form = format!("username=zq_chief&password={}&next=%2F%2Fevil.example", app.passwords["zq_chief"]);
        let req = Request::builder().method(Method::POST).uri("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(form)).unwrap();
        assert_eq!(app.send(req).await.headers.get(header::LOCATION).unwrap(), "/");
    }

    async fn bad_form_input_on_pages_gets_4xx(db: &TestDb) {
        let app = app(db).await;
        let s = app.login("zq_admin").await;
        let form = |uri: &str, ct: &str, body: &[u8], with_session: bool| {
            let mut b = Request::builder().method(Method::POST).uri(uri).header(header::CONTENT_TYPE, ct);
            if with_session {
                b = b.header(header::COOKIE, &s.cookie).header("x-csrf-token", &s.csrf);
            }
            b.body(Body::from(body.to_vec())).unwrap()
        };
        let cases: Vec<(&str, &str, &[u8], bool)> = vec![
            ("/login", "application/x-www-form-urlencoded", b"username=only", false),
            ("/login", "application/x-www-form-urlencoded", b"username=%FF%FE&password=x", false),
            ("/login", "text/plain", b"username=a&password=b", false),
            ("/password", "application/x-www-form-urlencoded", b"current_password=x", true),
            ("/users", "application/x-www-form-urlencoded", b"username=x", true),
            ("/users", "application/x-www-form-urlencoded", b"username=ab_c&name=x&role=inspector&unit_id=nope", true),
        ];
        for (uri, ct, body, with_session) in cases {
            let r = app.send(form(uri, ct, body, with_session)).await;
            assert!(r.status.is_client_error(), "{uri} {:?}: {} {}", String::from_utf8_lossy(body), r.status, r.text());
        }
        for p in ["/audit", "/audit?object_type=unit", "/units/%FF", "/users/nope"] {
            let r = app.get(p, Some(&s)).await;
            assert!(r.status.is_client_error(), "{p}: {}", r.status);
        }
        // The account is intact after all that.
        app.login("zq_admin").await;
    }

    async fn rules_pages_and_calendar_import(db: &TestDb) {
        let app = app(db).await;
        let r = app.get("/rules", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let inspector = app.login("zq_inspector1").await;
        let r = app.get("/rules?violation=MCH-001&party=legal&illegal_income=8000&circumstance=cooperative", Some(&inspector)).await;
        assert_eq!(r.status, StatusCode::OK);
        let page = r.text();
        assert!(page.contains("24000.00元至40000.00元") && page.contains("从轻处罚"), "{page}");
        assert!(page.contains("母婴保健法实施办法》第四十条"));
        let r = app.get("/rules?violation=MED-001&illegal_income=abc", Some(&inspector)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("格式不正确"));
        let r = app.get("/rules?violation=NOPE-1", Some(&inspector)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("不存在"));
        let r = app.get("/rules?q=%E4%BC%A0%E6%9F%93%E7%97%85", Some(&inspector)).await; // 传染病
        assert!(r.text().contains("INF-001"));
        assert_eq!(app.get("/rules/violations/PUB-001", Some(&inspector)).await.status, StatusCode::OK);
        assert_eq!(app.get("/rules/violations/NOPE-1", Some(&inspector)).await.status, StatusCode::NOT_FOUND);
        assert!(app.get("/rules/points", Some(&inspector)).await.text().contains("20分以上"));
        let r = app.get("/rules/calendar", Some(&inspector)).await;
        assert!(r.text().contains("国务院办公厅关于2026年部分节假日安排的通知") && !r.text().contains("导入新年度"));

        let year = "[[year]]\nyear = 2027\nnotice = \"国务院办公厅关于2027年部分节假日安排的通知\"\nurl = \"https://www.gov.cn/2027\"\n\
            off = [{ name = \"元旦\", from = \"2027-01-01\", to = \"2027-01-03\" }]\nwork = [{ name = \"春节\", date = \"2027-02-06\" }]\n";
        let post = |s: Option<Session>, data: String| {
            let app = &app;
            async move { app.call(Method::POST, "/api/v1/calendar/years", s.as_ref(), true, Some(json!({"data": data}))).await }
        };
        assert_eq!(post(None, year.into()).await.status, StatusCode::UNAUTHORIZED);
        // A county administrator, and a provincial leader, may not change the national calendar.
        for who in ["zq_admin", "hb_leader"] {
            let r = post(Some(app.login(who).await), year.into()).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.text());
        }
        let admin = app.login("hb_admin").await;
        let r = post(Some(admin.clone()), year.replace("2027-02-06", "2027-02-08")).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "calendar.invalid_data".to_string()));
        let r = post(Some(admin.clone()), year.replace("2027", "2026").replace("02-06", "02-07")).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "calendar.year_built_in".to_string()));
        assert!(app.get("/api/v1/calendar/is-working-day?date=2027-02-06", None).await.code() == "calendar.unknown_year");
        let r = post(Some(admin.clone()), year.into()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["years"], json!([2027]));
        let j = app.get("/api/v1/calendar/is-working-day?date=2027-02-06", None).await.json();
        assert_eq!((j["working"].clone(), j["reason"].clone()), (json!(true), json!("春节调休上班")));
        let years = app.get("/api/v1/calendar/years", None).await.json();
        assert_eq!(years.as_array().unwrap().last().unwrap()["source"], "imported");

        // The page form: the administrator sees it; a bad year comes back with the reason and the text kept.
        let r = app.get("/rules/calendar", Some(&admin)).await;
        assert!(r.text().contains("导入新年度"));
        let submit = |data: String| {
            let body = format!("csrf_token={}&data={}", admin.csrf, form_urlencoded::byte_serialize(data.as_bytes()).collect::<String>());
            let req = Request::post("/rules/calendar").header(header::COOKIE, &admin.cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(body)).unwrap();
            app.send(req)
        };
        let r = submit(year.replace("2027", "2028").replace("02-06", "02-07")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("不是周末") && r.text().contains("2028-01-01"), "{}", r.text());
        let r = submit(year.replace("2027", "2028").replace("02-06", "02-05")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(app.get("/api/v1/calendar/is-working-day?date=2028-02-05", None).await.json()["working"] == json!(true));
        let history = weijian_store::audit::history(&app.store, &Actor::system(), "calendar_year", "2028").await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].username.as_deref(), Some("hb_admin"));
    }

    async fn headers_health_and_metrics(db: &TestDb) {
        let app = app(db).await;
        let r = app.get("/login", None).await;
        let csp = r.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        assert_eq!(r.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
        assert!(r.headers.get(header::REFERRER_POLICY).is_some());
        assert!(r.headers.get("x-request-id").is_some());
        assert_eq!(app.get("/healthz", None).await.json()["database"], "ok");
        let s = app.login("zq_chief").await;
        app.get("/api/v1/units", Some(&s)).await;
        let m = app.get("/metrics", None).await.text();
        assert!(m.contains("weijian_http_requests_total{method=\"GET\",route=\"/api/v1/units\",status=\"200\"} 1"), "{m}");
        assert!(m.contains("weijian_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/auth/login\",le=\"+Inf\"} 1"));
        assert!(m.contains("weijian_db_pool_connections{pool=\"write\"}"));
    }
}

#[test]
fn openapi_document_covers_every_route_and_matches_snapshot() {
    let doc = weijian_web::openapi_json();
    let v: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(v["openapi"].as_str().unwrap().chars().next(), Some('3'));
    let paths: Vec<&String> = v["paths"].as_object().unwrap().keys().collect();
    for p in [
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/password",
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/units/{id}",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/audit",
        "/api/v1/openapi.json",
    ] {
        assert!(paths.iter().any(|x| *x == p), "{p} missing");
    }
    // A parameter is "in: path" exactly when the route's template names it.
    for (path, ops) in v["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let templated = path.contains(&format!("{{{}}}", p["name"].as_str().unwrap()));
                assert_eq!(p["in"] == "path", templated, "{method} {path}: parameter {} is in {}", p["name"], p["in"]);
            }
        }
    }
    let snapshot = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::create_dir_all(std::path::Path::new(snapshot).parent().unwrap()).unwrap();
        std::fs::write(snapshot, &doc).unwrap();
    }
    let expected = std::fs::read_to_string(snapshot).expect("snapshot exists (UPDATE_SNAPSHOTS=1 to write it)");
    assert_eq!(doc, expected, "the API changed: review it, then UPDATE_SNAPSHOTS=1 cargo test");
}

/// The public rules endpoints touch no stored data; one backend is enough.
#[tokio::test]
async fn public_calendar_and_validation_endpoints() {
    let db = TestDb::new(weijian_store::Backend::Sqlite).await.unwrap();
    let state = AppState::new(db.store.clone(), AuthPolicy::default(), WebConfig::default());
    let app = App { router: weijian_web::app(state), passwords: HashMap::new(), store: db.store.clone() };
    let j = app.get("/api/v1/calendar/is-working-day?date=2026-02-14", None).await.json();
    assert_eq!(j, json!({"date": "2026-02-14", "working": true, "reason": "春节调休上班"}));
    let j = app.get("/api/v1/calendar/is-working-day?date=2026-10-03", None).await.json();
    assert_eq!((j["working"].clone(), j["reason"].clone()), (json!(false), json!("国庆节放假")));
    let j = app.get("/api/v1/calendar/add-working-days?from=2026-09-24&days=7", None).await.json();
    assert_eq!(j, json!({"from": "2026-09-24", "days": 7, "due": "2026-10-12"}));
    let j = app.get("/api/v1/calendar/add-days?from=2026-09-16&days=15", None).await.json();
    assert_eq!(j["due"], "2026-10-08");
    let j = app.get("/api/v1/validate/uscc?value=914403001922038216", None).await.json();
    assert_eq!(j, json!({"valid": true}));
    let j = app.get("/api/v1/validate/uscc?value=914403001922038217", None).await.json();
    assert_eq!(
        (j["valid"].clone(), j["code"].clone(), j["position"].clone()),
        (json!(false), json!("uscc.check"), json!(18))
    );
    let j = app.get("/api/v1/validate/citizen-id?value=11010519491231002X", None).await.json();
    assert_eq!(j["valid"], true);
    // Garbage is simply not a valid number.
    let j = app.get("/api/v1/validate/citizen-id?value=%FF%00", None).await.json();
    assert_eq!((j["valid"].clone(), j["code"].clone()), (json!(false), json!("citizen_id.length")));
    for (uri, code) in [
        ("/api/v1/calendar/is-working-day?date=2023-05-04", "calendar.unknown_year"),
        ("/api/v1/calendar/add-working-days?from=2026-12-20&days=30", "calendar.unknown_year"),
        ("/api/v1/calendar/is-working-day?date=2026-02-30", "request.invalid_date"),
        ("/api/v1/calendar/is-working-day?date=tomorrow", "request.invalid_date"),
        ("/api/v1/calendar/is-working-day", "request.missing_parameter"),
        ("/api/v1/calendar/add-days?from=2026-01-05&days=-3", "request.invalid_days"),
        ("/api/v1/calendar/add-days?from=2026-01-05&days=ten", "request.invalid_days"),
        ("/api/v1/calendar/add-days?from=2026-01-05&days=99999999999999999999", "request.invalid_days"),
        ("/api/v1/validate/uscc", "request.missing_parameter"),
    ] {
        let r = app.get(uri, None).await;
        assert!(r.status.is_client_error(), "{uri}: {}", r.status);
        assert_eq!(r.code(), code, "{uri}: {}", r.text());
    }
    db.finish().await;
}

async fn public_app() -> (TestDb, App) {
    let db = TestDb::new(weijian_store::Backend::Sqlite).await.unwrap();
    let state = AppState::new(db.store.clone(), AuthPolicy::default(), WebConfig::default());
    let app = App { router: weijian_web::app(state), passwords: HashMap::new(), store: db.store.clone() };
    (db, app)
}

#[tokio::test]
async fn public_penalty_endpoints() {
    let (db, app) = public_app().await;
    let post = |body: Value| app.call(Method::POST, "/api/v1/rules/penalty", None, false, Some(body));

    let list = app.get("/api/v1/rules/violations?q=%E6%AF%8D%E5%A9%B4", None).await.json(); // 母婴
    let list = list.as_array().unwrap();
    assert!(list.len() >= 3, "{list:?}");
    assert!(list.iter().all(|v| v["code"].is_string() && v["name"].is_string() && v["basis"].is_string()));
    let all = app.get("/api/v1/rules/violations", None).await.json();
    assert!(all.as_array().unwrap().len() >= 30);

    // 母婴保健 unlicensed services: income 8000 ≥ 5000 → 3–5 times.
    let r = post(json!({"violation": "MCH-001", "party": "legal",
        "facts": {"illegal_income": 8000, "amount_involved": null}, "circumstances": []}))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let text = r.text();
    assert!(text.contains(r#""legal":{"min":24000.00,"max":40000.00}"#), "money exact to the fen: {text}");
    let j = r.json();
    assert_eq!(j["suggested"], json!({"min": 28800.0, "max": 35200.0}), "30%–70% of 24,000–40,000");
    assert_eq!(j["tier"], "general");
    assert_eq!(j["kinds"], json!(["warning", "confiscate_income", "fine"]));
    assert!(j["basis"].as_array().unwrap().iter().any(|b| b.as_str().unwrap().contains("第四十条")));
    assert_eq!(
        (j["hearing_right"].clone(), j["simple_procedure"].clone(), j["major_case"].clone()),
        (json!(false), json!(false), json!(false))
    );
    assert!(j["explanation"].as_array().unwrap().len() >= 4);

    // Fractions of a yuan are kept exactly; one fen below the threshold changes the rule.
    let j =
        post(json!({"violation": "MCH-001", "party": "citizen", "facts": {"illegal_income": 4999.99}})).await.json();
    assert_eq!(j["legal"], json!({"min": 5000.0, "max": 20000.0}));
    let j =
        post(json!({"violation": "MED-001", "facts": {"illegal_income": 10000.01, "amount_involved": 120000}})).await;
    assert!(j.text().contains(r#""legal":{"min":50000.05,"max":200000.20}"#), "{}", j.text());
    assert_eq!(j.json()["major_case"], true);
    assert_eq!(j.json()["hearing_right"], true);

    // Circumstances move the tier.
    let j = post(json!({"violation": "PUB-001", "circumstances": ["first_offence"]})).await.json();
    assert_eq!(j["tier"], "waivable");
    let j =
        post(json!({"violation": "PUB-001", "party": "legal", "circumstances": ["three_months", "repeat_offence"]}))
            .await
            .json();
    assert_eq!((j["legal"]["max"].clone(), j["tier"].clone()), (json!(30000.0), json!("heavier")));

    for (body, code) in [
        (json!({"violation": "NOPE-999"}), "penalty.unknown_violation"),
        (json!({}), "request.missing_field"),
        (json!({"violation": "MED-001", "facts": {"illegal_income": -5}}), "penalty.negative_amount"),
        (json!({"violation": "MED-001", "facts": {"illegal_income": "abc"}}), "request.invalid_amount"),
        (json!({"violation": "MED-001", "facts": {"illegal_income": 1.234}}), "request.invalid_amount"),
        (json!({"violation": "MED-001", "facts": {"illegal_income": true}}), "request.invalid_amount"),
        (json!({"violation": "MED-001", "facts": {"illegal_income": 1e300}}), "request.invalid_amount"),
        (json!({"violation": "MED-001", "party": "robot"}), "penalty.invalid_party"),
        (json!({"violation": "MED-001", "circumstances": ["bribery"]}), "penalty.unknown_circumstance"),
        (json!({"violation": "DOC-001", "party": "legal"}), "penalty.party_not_applicable"),
        (json!({"violation": "MED-001", "circumstances": "repeat_offence"}), "request.invalid_field"),
        (json!({"violation": "MED-001", "circumstance": ["repeat_offence"]}), "request.invalid_field"),
        (json!({"violation": "MED-001", "illegal_income": 5000}), "request.invalid_field"),
    ] {
        let r = post(body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text());
        assert_eq!(r.code(), code, "{body}: {}", r.text());
        assert!(!r.json()["message"].as_str().unwrap().is_ascii(), "a Chinese message");
    }
    let r = app
        .send(
            Request::post("/api/v1/rules/penalty")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{not json"))
                .unwrap(),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "request.malformed_json".to_string()));
    let r = app.get("/api/v1/rules/violations/NOPE-1", None).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "penalty.unknown_violation".to_string()));
    let j = app.get("/api/v1/rules/violations/PUB-001", None).await.json();
    assert!(j["circumstances"].as_array().unwrap().iter().any(|c| c["code"] == "three_months"));

    // The check of a decided penalty lists each deviation.
    let r = app
        .call(
            Method::POST,
            "/api/v1/rules/penalty/check",
            None,
            false,
            Some(json!({
                "violation": "PUB-001", "party": "legal",
                "decision": {"kinds": ["warning", "revoke_licence"], "fine": 6000}
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["lawful"], false);
    let codes: Vec<&str> = j["deviations"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["kind_not_provided", "fine_above_maximum"]);
    let r = app
        .call(
            Method::POST,
            "/api/v1/rules/penalty/check",
            None,
            false,
            Some(json!({
        "violation": "PUB-001", "decision": {"kinds": ["jail"]}})),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "penalty.unknown_kind".to_string()));
    db.finish().await;
}

fn clinic(region: &str, name: &str, serial: u32) -> Value {
    json!({
        "region_code": region,
        "name": name,
        "uscc": weijian_rules::ids::compose_uscc("91", region, serial),
        "category": "医疗机构",
        "attributes": {"institution_type": "诊所", "beds": 0},
        "address": format!("{name}所在路1号"),
    })
}

both_backends! {
    async fn entity_registry_contract_and_jurisdiction(db: &TestDb) {
        let app = app(db).await;
        let zq = app.login("zq_inspector1").await;
        let r = app.call(Method::POST, "/api/v1/entities", Some(&zq), true, Some(clinic("131127", "枣强县康宁诊所", 1))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let e = r.json();
        for field in ["id", "name", "uscc", "region_code", "category", "status", "risk_grade", "credit_grade"] {
            assert!(e.get(field).is_some(), "entity JSON lacks {field}");
        }
        // Registered by an inspector: not graded (grading is the bureau's).
        assert_eq!((e["category"].as_str(), e["status"].as_str(), e["risk_grade"].as_str()), (Some("medical_institution"), Some("operating"), None));
        assert_eq!(e["attributes"]["beds"], 0);
        let id = e["id"].as_str().unwrap().to_string();

        // Another county: 海口's inspector neither sees nor lists it, and cannot register in 枣强.
        let hk = app.login("hk_inspector1").await;
        let r = app.get(&format!("/api/v1/entities/{id}"), Some(&hk)).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found".to_string()));
        assert_eq!(app.get(&format!("/api/v1/entities/{id}/file"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("/entities/{id}"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        let listed = app.get("/api/v1/entities?q=康宁", Some(&hk)).await.json();
        assert_eq!(listed["items"].as_array().unwrap().len(), 0);
        let r = app.call(Method::POST, "/api/v1/entities", Some(&hk), true, Some(clinic("131127", "越权诊所", 2))).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "jurisdiction.forbidden".to_string()));
        let r = app.call(Method::PUT, &format!("/api/v1/entities/{id}"), Some(&hk), true, Some(clinic("131127", "改名", 1))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The city above reads it; a leader may not write.
        let hs = app.login("hs_leader").await;
        assert_eq!(app.get(&format!("/api/v1/entities/{id}"), Some(&hs)).await.status, StatusCode::OK);
        let r = app.call(Method::POST, "/api/v1/entities", Some(&hs), true, Some(clinic("131100", "衡水诊所", 3))).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "auth.forbidden".to_string()));
        // An institution user sees its own entity only.
        let inst = app.login("zq_hospital").await;
        let own = app.get("/api/v1/entities", Some(&inst)).await.json();
        assert_eq!(own["items"].as_array().unwrap().len(), 1);
        assert_eq!(own["items"][0]["name"], "枣强县人民医院");
        let own_id = own["items"][0]["id"].as_str().unwrap().to_string();
        let own_file = app.get(&format!("/api/v1/entities/{own_id}/file"), Some(&inst)).await.json();
        let staff = own_file["practitioners"].as_array().unwrap();
        assert!(!staff.is_empty(), "the demo hospital has practitioners: {own_file}");
        assert!(staff.iter().all(|p| p["id_number"].as_str().unwrap().contains("**********")), "masked in the file");
        assert!(app.get(&format!("/entities/{own_id}"), Some(&inst)).await.text().contains("第一执业地点"));
        assert_eq!(app.get(&format!("/api/v1/entities/{id}"), Some(&inst)).await.status, StatusCode::NOT_FOUND);

        // Search finds a two-character word, the USCC and a licence number.
        let r = app.call(Method::POST, "/api/v1/licences", Some(&zq), true, Some(json!({
            "entity_id": id, "kind": "医疗机构执业许可证", "number": "PDY0001-131127", "issued_on": "2026-01-05"
        }))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let licence = r.json();
        assert_eq!(licence["valid_until"], "2031-01-04");
        assert_eq!(licence["next_verification_due"], "2027-01-04", "a clinic without beds: 校验 every year");
        let uscc = e["uscc"].as_str().unwrap();
        for q in ["诊所", "康宁", &uscc[..10], "pdy0001"] {
            let page = app.get(&format!("/api/v1/entities?q={}", enc(q)), Some(&zq)).await.json();
            assert!(page["items"].as_array().unwrap().iter().any(|x| x["id"] == id.as_str()), "q={q}: {page}");
        }
        let page = app.get(&format!("/api/v1/licences?q={}", enc("康宁")), Some(&zq)).await.json();
        assert_eq!(page["items"][0]["number"], "PDY0001-131127");
        let file = app.get(&format!("/api/v1/entities/{id}/file"), Some(&zq)).await.json();
        assert_eq!(file["licences"].as_array().unwrap().len(), 1);
        assert!(file["inspections"].as_array().unwrap().is_empty());
        let home = app.get("/", Some(&zq)).await.text();
        assert!(home.contains("需要关注") && home.contains("30 日内到期的执法证"), "{home}");
        assert!(!app.get("/", Some(&inst)).await.text().contains("需要关注"), "institutions see no staff panel");

        // Keyset pages: every entity exactly once, in name order.
        for i in 0..5 {
            let r = app.call(Method::POST, "/api/v1/entities", Some(&zq), true, Some(clinic("131127", &format!("枣强县分页诊所{i}"), 10 + i))).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        }
        let mut seen = vec![];
        let mut uri = "/api/v1/entities?q=分页&limit=2".to_string();
        loop {
            let page = app.get(&uri, Some(&zq)).await.json();
            seen.extend(page["items"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap().to_string()));
            match page["next"].as_str() {
                Some(c) => uri = format!("/api/v1/entities?q={}&limit=2&cursor={c}", enc("分页")),
                None => break,
            }
        }
        assert_eq!(seen, (0..5).map(|i| format!("枣强县分页诊所{i}")).collect::<Vec<_>>());
        // Equal names: the id breaks the tie, and a page boundary inside them loses no one.
        let mut ids = vec![];
        for i in 0..3 {
            let r = app.call(Method::POST, "/api/v1/entities", Some(&zq), true, Some(clinic("131127", "枣强县同名诊所", 20 + i))).await;
            ids.push(r.json()["id"].as_str().unwrap().to_string());
        }
        ids.sort();
        let mut seen = vec![];
        let mut uri = format!("/api/v1/entities?q={}&limit=2", enc("同名"));
        loop {
            let page = app.get(&uri, Some(&zq)).await.json();
            seen.extend(page["items"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()));
            match page["next"].as_str() {
                Some(c) => uri = format!("/api/v1/entities?q={}&limit=2&cursor={c}", enc("同名")),
                None => break,
            }
        }
        assert_eq!(seen, ids);

        // Optimistic concurrency: a stale version is refused, nothing overwritten.
        let mut body = clinic("131127", "枣强县康宁诊所（改）", 1);
        body["version"] = json!(1);
        let r = app.call(Method::PUT, &format!("/api/v1/entities/{id}"), Some(&zq), true, Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = app.call(Method::PUT, &format!("/api/v1/entities/{id}"), Some(&zq), true, Some(body)).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "entity.stale".to_string()));
        let history = weijian_store::audit::history(&app.store, &Actor::system(), "entity", &id).await.unwrap();
        assert_eq!(history.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["entity.create", "entity.update"]);
    }

    async fn registry_bad_input_gets_clear_4xx(db: &TestDb) {
        let app = app(db).await;
        let zq = app.login("zq_inspector1").await;
        let post = |body: Value| {
            let zq = zq.clone();
            let app = &app;
            async move { app.call(Method::POST, "/api/v1/entities", Some(&zq), true, Some(body)).await }
        };
        let with = |k: &str, v: Value| {
            let mut b = clinic("131127", "枣强县某诊所", 7);
            b[k] = v;
            b
        };
        for (body, code, field) in [
            (with("uscc", json!("91131127MA0000000X")), "entity.invalid_uscc", "uscc"),
            (with("uscc", json!(null)), "entity.uscc_required", "uscc"),
            (with("category", json!("餐饮店")), "entity.unknown_category", "category"),
            (with("attributes", json!({"institution_type": "诊所", "beds": "很多"})), "entity.invalid_attribute", "attributes"),
            (with("attributes", json!({"beds": 3})), "entity.invalid_attribute", "attributes"),
            (with("region_code", json!("999999")), "entity.unknown_region", "region_code"),
            (with("name", json!("  ")), "field.required", "name"),
            (with("risk_grade", json!("E")), "field.invalid_choice", "risk_grade"),
            (with("contact_phone", json!("12")), "entity.invalid_phone", "contact_phone"),
            (with("colour", json!("red")), "request.invalid_field", "colour"),
        ] {
            let r = post(body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}: {}", r.text());
            assert_eq!((r.code(), r.json()["field"].as_str().unwrap_or_default().to_string()), (code.to_string(), field.to_string()));
        }
        let r = post(clinic("131127", "枣强县甲诊所", 8)).await;
        assert_eq!(r.status, StatusCode::CREATED);
        let id = r.json()["id"].as_str().unwrap().to_string();
        let r = post(clinic("131127", "枣强县乙诊所", 8)).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "entity.duplicate_uscc".to_string()));
        for (uri, status, code) in [
            ("/api/v1/entities?cursor=zz", StatusCode::BAD_REQUEST, "request.invalid_cursor"),
            ("/api/v1/entities?limit=0", StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_limit"),
            ("/api/v1/entities?limit=abc", StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_limit"),
            ("/api/v1/entities?status=open", StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_filter"),
            ("/api/v1/entities?category=x", StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_filter"),
            ("/api/v1/licences?status=old", StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_filter"),
            ("/api/v1/entities/not-an-id", StatusCode::NOT_FOUND, "not_found"),
        ] {
            let r = app.get(uri, Some(&zq)).await;
            assert_eq!((r.status, r.code()), (status, code.to_string()), "{uri}");
        }
        let licence = |k: &str, v: Value| {
            let mut b = json!({"entity_id": id, "kind": "medical_practice", "number": "L-1", "issued_on": "2026-01-01"});
            b[k] = v;
            b
        };
        for (body, code) in [
            (licence("valid_until", json!("2025-12-31")), "licence.ends_before_start"),
            (licence("kind", json!("驾驶证")), "licence.unknown_kind"),
            (licence("issued_on", json!("2026-02-30")), "field.invalid_date"),
            (licence("entity_id", json!("nope")), "licence.entity_required"),
        ] {
            let r = app.call(Method::POST, "/api/v1/licences", Some(&zq), true, Some(body)).await;
            assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, code.to_string()), "{}", r.text());
        }
        let r = app.call(Method::POST, "/api/v1/licences", Some(&zq), true, Some(licence("number", json!("L-1")))).await;
        assert_eq!(r.status, StatusCode::CREATED);
        let lid = r.json()["id"].as_str().unwrap().to_string();
        let r = app.call(Method::POST, "/api/v1/licences", Some(&zq), true, Some(licence("number", json!("L-1")))).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "licence.duplicate_number".to_string()));
        // Revoking is a penalty decision's, never this route's.
        let mut body = licence("status", json!("revoked"));
        body["reason"] = json!("枣卫罚〔2026〕3号 吊销");
        let r = app.call(Method::PUT, &format!("/api/v1/licences/{lid}"), Some(&zq), true, Some(body)).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "licence.penalty_only".to_string()));
        // 注销 is a chief's and needs a reason; with one, the history keeps before and after.
        let chief = app.login("zq_chief").await;
        let r = app.call(Method::PUT, &format!("/api/v1/licences/{lid}"), Some(&chief), true, Some(licence("status", json!("cancelled")))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "licence.reason_required".to_string()));
        let mut body = licence("status", json!("cancelled"));
        body["reason"] = json!("机构申请注销");
        let r = app.call(Method::PUT, &format!("/api/v1/licences/{lid}"), Some(&chief), true, Some(body)).await;
        assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("cancelled")));
        let h = app.get(&format!("/api/v1/licences/{lid}/history"), Some(&zq)).await.json();
        assert_eq!(h.as_array().unwrap().iter().map(|c| c["action"].as_str().unwrap()).collect::<Vec<_>>(), ["create", "cancelled"]);
        assert_eq!(h[1]["before"]["record"], "valid");
        // The entity file warns: operating without an in-force licence.
        let file = app.get(&format!("/api/v1/entities/{id}/file"), Some(&zq)).await.json();
        assert!(file["warnings"].as_array().unwrap().iter().any(|w| w["code"] == "entity.licence_missing"), "{file}");
    }
}

both_backends! {
    async fn registry_pages_edit_and_register_licences(db: &TestDb) {
        let app = app(db).await;
        let zq = app.login("zq_inspector1").await;
        let r = app.call(Method::POST, "/api/v1/entities", Some(&zq), true, Some(clinic("131127", "枣强县页面诊所", 41))).await;
        let id = r.json()["id"].as_str().unwrap().to_string();
        let post = |uri: String, body: String| {
            let req = Request::builder()
                .method(Method::POST)
                .uri(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, &zq.cookie)
                .header("x-csrf-token", &zq.csrf)
                .body(Body::from(body))
                .unwrap();
            app.send(req)
        };
        // The edit form carries the version; saving changes the name and keeps the attributes.
        let form = app.get(&format!("/entities/{id}/edit"), Some(&zq)).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.text().contains("name=\"version\" value=\"1\""), "{}", form.text());
        let body = format!(
            "version=1&name={}&uscc={}&region_code=131127&category=medical_institution&attr.institution_type={}&attr.beds=30&status=operating",
            enc("枣强县页面诊所（新址）"),
            weijian_rules::ids::compose_uscc("91", "131127", 41),
            enc("诊所")
        );
        let r = post(format!("/entities/{id}"), body.clone()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let e = app.get(&format!("/api/v1/entities/{id}"), Some(&zq)).await.json();
        assert_eq!((e["name"].as_str(), e["attributes"]["beds"].as_i64()), (Some("枣强县页面诊所（新址）"), Some(30)));
        // The same stale form again: 409, and the page says why.
        let r = post(format!("/entities/{id}"), body).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text().contains("已被他人修改"));
        // A licence through the page; a bad date is a 422 page with the reason.
        let r = post(format!("/entities/{id}/licences"), "kind=medical_practice&number=PAGE-1&issued_on=2026-02-30".into()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("不是有效日期"));
        let r = post(format!("/entities/{id}/licences"), "kind=medical_practice&number=PAGE-1&issued_on=2026-03-01".into()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let file = app.get(&format!("/entities/{id}"), Some(&zq)).await.text();
        assert!(file.contains("PAGE-1") && file.contains("2027-02-28"), "30 beds: yearly 校验");
        // Another county's user can neither open the form nor post to it.
        let hk = app.login("hk_inspector1").await;
        assert_eq!(app.get(&format!("/entities/{id}/edit"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("/entities/{id}/licences/new"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        let leader = app.login("zq_leader").await;
        assert_eq!(app.get(&format!("/entities/{id}/edit"), Some(&leader)).await.status, StatusCode::FORBIDDEN);
        // The file's timeline holds the licence's events beside the entity's own, newest first;
        // the inspector (no audit access) gets none.
        let file = app.get(&format!("/api/v1/entities/{id}/file"), Some(&leader)).await.json();
        let actions: Vec<&str> = file["timeline"].as_array().unwrap().iter().map(|t| t["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["licence.create", "entity.update", "entity.create"], "{file}");
        let file = app.get(&format!("/api/v1/entities/{id}/file"), Some(&zq)).await.json();
        assert!(file["timeline"].as_array().unwrap().is_empty());
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
