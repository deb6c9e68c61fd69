//! Responsibility lists (权责清单) over HTTP, on both backends: the staff API,
//! its errors, jurisdiction, the pages, and the public portal without sign-in.

use crate::common::*;
use axum::http::{header, Method, StatusCode};
use serde_json::{json, Value};
use weijian_store::both_backends;

fn sample() -> Value {
    json!({
        "duties": [{"name": "负责公共卫生综合监督", "basis": "三定方案", "tasks": [
            {"name": "开展公共场所卫生监督检查", "section": "综合监督股"},
            {"name": "查处医疗服务违法行为", "section": "综合监督股", "remarks": "会同卫生监督所"}
        ]}],
        "boundaries": [{"matter": "二次供水", "our_part": "卫生许可与监督", "other_department": "县水务局", "their_part": "日常管理"}],
        "public_services": [{"name": "公共场所卫生许可", "content": "依申请办理", "handling_unit": "县政务服务中心", "phone": "0751-2800000"}]
    })
}

both_backends! {
    async fn api_draft_update_publish_and_errors(db: &TestDb) {
        let app = app(db).await;
        let s = app.login("wy_chief").await;
        let wy = app.id_of_unit("翁源县卫生健康局").await;

        // Create a draft; bad input first.
        let r = app.call(Method::POST, "/api/v1/duty-lists", Some(&s), true, Some(json!({"unit_id": "nope"}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "duty_list.invalid_unit_id".into()));
        let r = app.call(Method::POST, "/api/v1/duty-lists", Some(&s), true, Some(json!({"unit_id": wy, "extra": 1}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field".into()));
        let r = app.call(Method::POST, "/api/v1/duty-lists", Some(&s), true, Some(json!({"unit_id": wy}))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let v1 = r.json();
        assert_eq!((v1["version_no"].clone(), v1["status"].clone()), (json!(1), json!("draft")));
        assert_eq!(v1["content"], json!({"duties": [], "boundaries": [], "public_services": []}));
        let id = v1["id"].as_str().unwrap().to_string();
        let url = format!("/api/v1/duty-lists/{id}");

        // Replace the content: unknown fields, empty names and bad JSON are refused.
        let mut unknown = sample();
        unknown["duties"][0]["tasks"][0]["owner"] = json!("x");
        let r = app.call(Method::PUT, &url, Some(&s), true, Some(json!({"title": "翁源县卫健局权责清单", "content": unknown}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field".into()));
        let r = app.call(Method::PUT, &url, Some(&s), true, Some(json!({"title": "t", "content": sample(), "status": "published"}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field".into()));
        let mut empty_name = sample();
        empty_name["boundaries"][0]["matter"] = json!("");
        let r = app.call(Method::PUT, &url, Some(&s), true, Some(json!({"title": "t", "content": empty_name}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "duty_list.name_required".into()));
        assert_eq!(r.json()["field"], "content.boundaries[0].matter");
        let r = app.call(Method::PUT, &url, Some(&s), true, Some(json!({"title": " ", "content": sample()}))).await;
        assert_eq!(r.code(), "duty_list.title_required");
        let r = app.call(Method::PUT, &url, Some(&s), true, Some(json!({"title": "翁源县卫健局权责清单", "content": sample()}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["content"]["duties"][0]["tasks"][1]["remarks"], "会同卫生监督所");
        assert_eq!(r.json()["content"]["duties"][0]["tasks"][0]["remarks"], "");

        // Publish: the date is required and must be real.
        let publish = format!("{url}/publish");
        let r = app.call(Method::POST, &publish, Some(&s), true, Some(json!({}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field".into()));
        let r = app.call(Method::POST, &publish, Some(&s), true, Some(json!({"effective_on": "2026-02-30"}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "duty_list.invalid_effective_on".into()));
        let r = app.call(Method::POST, &publish, Some(&s), true, Some(json!({"effective_on": "2021-03-01"}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!((r.json()["status"].clone(), r.json()["effective_on"].clone()), (json!("published"), json!("2021-03-01")));

        // Published is immutable: 409 with a stable code.
        let r = app.call(Method::PUT, &url, Some(&s), true, Some(json!({"title": "改", "content": sample()}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "duty_list.published_immutable".into()));
        let r = app.call(Method::POST, &publish, Some(&s), true, Some(json!({"effective_on": "2022-01-01"}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "duty_list.transition_not_allowed".into()));

        // A new version copies the latest; only one draft at a time.
        let r = app.call(Method::POST, "/api/v1/duty-lists", Some(&s), true, Some(json!({"unit_id": wy}))).await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!((r.json()["version_no"].clone(), r.json()["title"].clone()), (json!(2), json!("翁源县卫健局权责清单")));
        assert_eq!(r.json()["content"], app.get(&url, Some(&s)).await.json()["content"]);
        let r = app.call(Method::POST, "/api/v1/duty-lists", Some(&s), true, Some(json!({"unit_id": wy}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "duty_list.draft_exists".into()));

        // The list: both versions, newest first, in the agreed shape.
        let page = app.get(&format!("/api/v1/duty-lists?unit_id={wy}"), Some(&s)).await.json();
        assert_eq!(page["next"], Value::Null);
        let versions: Vec<_> = page["items"].as_array().unwrap().iter().map(|i| i["version_no"].as_i64().unwrap()).collect();
        assert_eq!(versions, [2, 1]);
        assert!(page["items"][0].get("content").is_none());
        let r = app.get("/api/v1/duty-lists?unit_id=zzz", Some(&s)).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "duty_list.invalid_unit_id".into()));

        // The audit history of the version.
        let chief = app.login("wy_leader").await;
        let hist = app.get(&format!("/api/v1/audit?object_type=duty_list&object_id={id}"), Some(&chief)).await;
        assert_eq!(hist.status, StatusCode::OK, "{}", hist.text());
        let text = hist.text();
        for action in ["duty_list.create", "duty_list.update", "duty_list.publish"] {
            assert!(text.contains(action), "{action}: {text}");
        }
    }

    async fn api_roles_and_jurisdiction(db: &TestDb) {
        let app = app(db).await;
        let zq_unit = app.id_of_unit("枣强县卫生健康局").await;
        let zq = app.login("zq_inspector1").await;
        let listed = app.get("/api/v1/duty-lists", Some(&zq)).await.json();
        let items = listed["items"].as_array().unwrap();
        assert!(!items.is_empty() && items.iter().all(|i| i["region_code"] == "131127"));
        let zq_draft = items.iter().find(|i| i["status"] == "draft").unwrap()["id"].as_str().unwrap().to_string();

        // Sideways: 海口市 gets 404 for reads and writes of 枣强县's list.
        let hk = app.login("hk_chief").await;
        let url = format!("/api/v1/duty-lists/{zq_draft}");
        assert_eq!(app.get(&url, Some(&hk)).await.status, StatusCode::NOT_FOUND);
        let r = app.call(Method::PUT, &url, Some(&hk), true, Some(json!({"title": "x", "content": sample()}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found".into()));
        let r = app.call(Method::POST, &format!("{url}/publish"), Some(&hk), true, Some(json!({"effective_on": "2026-01-01"}))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.call(Method::POST, "/api/v1/duty-lists", Some(&hk), true, Some(json!({"unit_id": zq_unit}))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.get("/api/v1/duty-lists?region_code=131127", Some(&hk)).await.json();
        assert_eq!(r, json!({"items": [], "next": null}));
        assert!(app.get("/api/v1/duty-lists", Some(&hk)).await.json()["items"].as_array().unwrap().iter().all(|i| i["region_code"] == "460100"));

        // Upwards: 衡水市 reads 枣强县 but may not write there (403).
        let hs = app.login("hs_leader").await;
        assert_eq!(app.get(&url, Some(&hs)).await.status, StatusCode::OK);
        let r = app.call(Method::PUT, &url, Some(&hs), true, Some(json!({"title": "x", "content": sample()}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "jurisdiction.forbidden".into()));

        // An inspector may read, not write; an institution may not read; anonymous is 401.
        let r = app.call(Method::PUT, &url, Some(&zq), true, Some(json!({"title": "x", "content": sample()}))).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "auth.forbidden".into()));
        let inst = app.login("zq_hospital").await;
        assert_eq!(app.get("/api/v1/duty-lists", Some(&inst)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get("/api/v1/duty-lists", None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get(&url, None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get("/api/v1/duty-lists/not-an-id", Some(&zq)).await.status, StatusCode::NOT_FOUND);
    }

    async fn public_route_and_page_need_no_login_and_show_only_published(db: &TestDb) {
        let app = app(db).await;
        let r = app.get("/api/v1/public/regions/131127/duty-lists", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let j = r.json();
        assert_eq!((j["region_code"].clone(), j["region_name"].clone()), (json!("131127"), json!("枣强县")));
        let items = j["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "one unit with a list in effect");
        assert_eq!((items[0]["status"].clone(), items[0]["version_no"].clone()), (json!("published"), json!(1)));
        assert!(items[0]["content"]["duties"].as_array().unwrap().len() >= 5);
        // The demo draft (version 2) adds a task marked 修订中: it must not leak.
        assert!(!r.text().contains("修订中"));
        let hk = app.get("/api/v1/public/regions/460100/duty-lists", None).await.json();
        assert_eq!(hk["items"][0]["unit_name"], "海口市卫生健康委员会");
        assert!(app.get("/api/v1/public/regions/440229/duty-lists", None).await.json()["items"].as_array().unwrap().is_empty());
        let r = app.get("/api/v1/public/regions/999999/duty-lists", None).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found".into()));

        // The page: no session, the published list rendered, no draft content.
        let page = app.get("/public/regions/131127/duty-lists", None).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        for want in ["枣强县卫生健康局责任清单", "主要职责", "医政药政股", "职责边界", "县民政局", "公共服务事项", "8222796"] {
            assert!(html.contains(want), "{want}");
        }
        assert!(!html.contains("修订中"));
        assert_eq!(app.get("/public/regions/999999/duty-lists", None).await.status, StatusCode::NOT_FOUND);
        // Signed in makes no difference.
        let s = app.login("hk_inspector1").await;
        assert_eq!(app.get("/public/regions/131127/duty-lists", Some(&s)).await.status, StatusCode::OK);
    }

    async fn pages_create_edit_and_publish(db: &TestDb) {
        let app = app(db).await;
        let s = app.login("wy_admin").await;
        let home = app.get("/", Some(&s)).await.text();
        assert!(home.contains("href=\"/duty-lists\""), "nav entry");
        let index = app.get("/duty-lists", Some(&s)).await;
        assert_eq!(index.status, StatusCode::OK);
        assert!(index.text().contains("新建草稿"));
        let wy = app.id_of_unit("翁源县卫生健康局").await;
        let r = app.form("/duty-lists", Some(&s), &[("unit_id", &wy), ("title", "")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let at = r.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_string();
        let detail = app.get(&at, Some(&s)).await;
        assert_eq!(detail.status, StatusCode::OK);
        assert!(detail.text().contains("保存草稿") && detail.text().contains("发布本版本"));

        // Bad JSON re-shows the form with the text kept.
        let r = app.form(&at, Some(&s), &[("title", "翁源县清单"), ("content", "{\"duties\": [")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("不是有效的 JSON"));
        let r = app.form(&at, Some(&s), &[("title", "翁源县清单"), ("content", &sample().to_string())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = app.form(&format!("{at}/publish"), Some(&s), &[("effective_on", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("请填写施行日期"));
        let r = app.form(&format!("{at}/publish"), Some(&s), &[("effective_on", "2020-05-01")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let shown = app.get(&at, Some(&s)).await.text();
        assert!(shown.contains("2020-05-01") && shown.contains("开展公共场所卫生监督检查") && shown.contains("县水务局"));
        assert!(!shown.contains("保存草稿"), "a published version has no edit form");
        let r = app.form(&at, Some(&s), &[("title", "改"), ("content", &sample().to_string())]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        // Anonymous gets the sign-in form; another county gets 404.
        assert_eq!(app.get("/duty-lists", None).await.status, StatusCode::UNAUTHORIZED);
        let zq = app.login("zq_chief").await;
        assert_eq!(app.get(&at, Some(&zq)).await.status, StatusCode::NOT_FOUND);
        let r = app.form(&at, Some(&zq), &[("title", "改"), ("content", &sample().to_string())]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // An institution user has no nav entry.
        let inst = app.login("wy_hospital").await;
        assert!(!app.get("/", Some(&inst)).await.text().contains("href=\"/duty-lists\""));
    }
}
