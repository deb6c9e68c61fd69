//! The 双随机 editing pages over HTTP, on both backends: the plan form (create,
//! edit, errors by field, a frozen plan refused), the item list pages (items and
//! checklists edited, an unknown violation code refused, publish, the public
//! page) and the 回避 declaration page — with the denials on every route.

use crate::common::*;
use axum::http::{Method, StatusCode};
use serde_json::json;
use weijian_store::{both_backends, Actor};

/// A published item list of 枣强县卫生监督所 (through the API); its id.
async fn published_list(app: &App, chief: &Session, institute: &str) -> String {
    let r = app
        .call(Method::POST, "/api/v1/inspection-item-lists", Some(chief), true, Some(json!({"unit_id": institute})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let content = json!({"items": [{
        "code": "GG-01", "name": "公共场所卫生管理情况", "specialty": "public_places",
        "target_categories": ["public_place", "medical_institution"],
        "content": "卫生许可证、从业人员健康合格证明", "method": "on_site", "legal_basis": "《公共场所卫生管理条例》",
        "checklist": [{"text": "是否持有有效的卫生许可证", "violation_code": "PUB-001"}]
    }]});
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/inspection-item-lists/{id}"),
            Some(chief),
            true,
            Some(json!({"title": "枣强县抽查事项清单", "content": content})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let today = weijian_domain::input::today().to_string();
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/inspection-item-lists/{id}/publish"),
            Some(chief),
            true,
            Some(json!({"effective_on": today})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    id
}

fn day(offset: u64) -> String {
    (weijian_domain::input::today() + chrono::Days::new(offset)).to_string()
}

/// The plan form's fields, as a browser sends them.
fn plan_fields<'a>(
    name: &'a str,
    list: &'a str,
    from: &'a str,
    until: &'a str,
    due: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("item_list_id", list),
        ("items", "GG-01"),
        ("period_from", from),
        ("period_until", until),
        ("start_on", ""),
        ("due_on", due),
        ("target_statuses", "operating"),
        ("ratio.A", "1000"),
        ("ratio.B", "1000"),
        ("ratio.C", "1000"),
        ("ratio.D", "1000"),
        ("ratio.N", "1000"),
        ("pool_unit_id", ""),
        ("pool_specialties", "public_places"),
        ("pool_specialties", "medical_services"),
        ("pool_specialties", "drinking_water"),
    ]
}

both_backends! {
    async fn plan_form_creates_edits_shows_errors_and_refuses_a_frozen_plan(db: &TestDb) {
        let app = app(db).await;
        let today = weijian_domain::input::today();
        weijian_demo::registry::seed(&app.store, &weijian_demo::registry::DEMO_TARGETS[..1], 30, 3, today, |_, _| {}).await.unwrap();
        let chief = app.login("zq_chief").await;
        let institute = app.id_of_unit("枣强县卫生监督所").await;
        let list = published_list(&app, &chief, &institute).await;

        // The list page offers the form; the form lists the items and the default ratios.
        assert!(app.get("/random-plans", Some(&chief)).await.text().contains("/random-plans/new"));
        let page = app.get("/random-plans/new", Some(&chief)).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        for want in ["GG-01", "公共场所卫生管理情况", "name=\"ratio.D\" inputmode=\"numeric\" size=\"5\" value=\"300\"", "value=\"50\"", "枣强县卫生监督所"] {
            assert!(html.contains(want), "{want}: {html}");
        }

        // Errors: every problem by its field, the typed values kept, a 422.
        let (from, until, due) = (day(0), day(90), day(60));
        let mut bad = plan_fields("", &list, &from, "2020-01-01", &due);
        bad.retain(|(k, _)| *k != "items" && *k != "ratio.A");
        bad.push(("ratio.A", "五十"));
        bad.push(("unit_id", institute.as_str()));
        let r = app.form("/random-plans", Some(&chief), &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let html = r.text();
        for want in ["计划名称不能为空", "请至少选择一个抽查事项", "早于期间起", "“五十”应为 0 到 1000 之间的整数", "value=\"五十\"", "class=\"field-error\""] {
            assert!(html.contains(want), "{want}: {html}");
        }
        assert!(html.contains(&format!("value=\"{due}\"")), "the due date typed is kept");

        let mut good = plan_fields("页面新建的抽查计划", &list, &from, &until, &due);
        good.push(("unit_id", institute.as_str()));
        let r = app.form("/random-plans", Some(&chief), &good).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let at = App::location(&r);
        let id = at.trim_start_matches("/random-plans/").to_string();
        let plan = app.get(&format!("/api/v1/random-plans/{id}"), Some(&chief)).await.json();
        assert_eq!((plan["name"].clone(), plan["status"].clone()), (json!("页面新建的抽查计划"), json!("draft")));
        assert_eq!(plan["ratios"], json!({"A": 1000, "B": 1000, "C": 1000, "D": 1000, "N": 1000}));
        assert_eq!(plan["pool_specialties"], json!(["public_places", "medical_services", "drinking_water"]));
        assert!(app.get(&at, Some(&chief)).await.text().contains(&format!("/random-plans/{id}/edit")));

        // Edit: the form is filled; a change is saved and audited; a stale version is refused.
        let edit = app.get(&format!("/random-plans/{id}/edit"), Some(&chief)).await;
        assert_eq!(edit.status, StatusCode::OK);
        assert!(edit.text().contains("页面新建的抽查计划") && edit.text().contains("name=\"version\" value=\"1\""));
        let mut changed = plan_fields("页面修改后的抽查计划", &list, &from, &until, &due);
        changed.push(("version", "1"));
        let r = app.form(&at, Some(&chief), &changed).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(app.get(&at, Some(&chief)).await.text().contains("页面修改后的抽查计划"));
        let history = weijian_store::audit::history(&app.store, &Actor::system(), "random_plan", &id).await.unwrap();
        assert!(history.iter().any(|e| e.action == "random_plan.update"));
        let r = app.form(&at, Some(&chief), &changed).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text().contains("已被他人修改"), "{}", r.text());
        let mut no_items = plan_fields("页面修改后的抽查计划", &list, &from, &until, &due);
        no_items.retain(|(k, _)| *k != "items");
        no_items.push(("version", "2"));
        let r = app.form(&at, Some(&chief), &no_items).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("请至少选择一个抽查事项"));

        // Published: still editable. Frozen: no edit offered, a forged post refused in Chinese.
        assert_eq!(app.form(&format!("{at}/publish"), Some(&chief), &[]).await.status, StatusCode::SEE_OTHER);
        assert!(app.get(&at, Some(&chief)).await.text().contains(&format!("/random-plans/{id}/edit")));
        assert_eq!(app.form(&format!("{at}/freeze"), Some(&chief), &[]).await.status, StatusCode::SEE_OTHER);
        let frozen = app.get(&at, Some(&chief)).await.text();
        assert!(!frozen.contains(&format!("/random-plans/{id}/edit")), "no edit link on a frozen plan");
        let r = app.get(&format!("/random-plans/{id}/edit"), Some(&chief)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text().contains("抽查范围不能再修改"), "{}", r.text());
        let mut forged = plan_fields("冻结后偷偷改名", &list, &from, &until, &due);
        forged.push(("version", "4"));
        let r = app.form(&at, Some(&chief), &forged).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text().contains("抽查范围不能再修改"), "{}", r.text());
        // Even a forged post with nonsense in it gets the same refusal, never a 500.
        let r = app.form(&at, Some(&chief), &[("name", ""), ("ratio.A", "x"), ("version", "zz")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(app.get(&format!("/api/v1/random-plans/{id}"), Some(&chief)).await.json()["name"], "页面修改后的抽查计划");

        // Denials on every new route: another county, an inspector, an institution, nobody.
        let hk = app.login("hk_chief").await;
        assert_eq!(app.get(&format!("/random-plans/{id}/edit"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.form(&at, Some(&hk), &changed).await.status, StatusCode::NOT_FOUND);
        let mut sideways = plan_fields("跨辖区计划", &list, &from, &until, &due);
        sideways.push(("unit_id", institute.as_str()));
        let r = app.form("/random-plans", Some(&hk), &sideways).await;
        assert!(r.status.is_client_error() && r.status != StatusCode::METHOD_NOT_ALLOWED, "{}", r.status);
        assert!(r.text().contains("不在您的辖区内"), "{}", r.text());
        for user in ["zq_inspector1", "zq_hospital"] {
            let s = app.login(user).await;
            assert_eq!(app.get("/random-plans/new", Some(&s)).await.status, StatusCode::FORBIDDEN, "{user}");
            assert_eq!(app.form("/random-plans", Some(&s), &good).await.status, StatusCode::FORBIDDEN, "{user}");
            let r = app.get(&format!("/random-plans/{id}/edit"), Some(&s)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
            assert_eq!(app.form(&at, Some(&s), &changed).await.status, StatusCode::FORBIDDEN, "{user}");
        }
        assert_eq!(app.get("/random-plans/new", None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get(&format!("/random-plans/{id}/edit"), None).await.status, StatusCode::UNAUTHORIZED);
        assert!(app.form("/random-plans", None, &good).await.status.is_client_error());
        assert!(app.form(&at, None, &changed).await.status.is_client_error());
        let count = app.get("/api/v1/random-plans", Some(&chief)).await.json()["items"].as_array().unwrap().len();
        assert_eq!(count, 1, "no refused post created a plan");
    }

    async fn item_list_pages_edit_items_checklists_and_publish(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let institute = app.id_of_unit("枣强县卫生监督所").await;
        let index = app.get("/inspection-item-lists", Some(&chief)).await;
        assert_eq!(index.status, StatusCode::OK);
        assert!(index.text().contains("新建草稿"));
        let r = app.form("/inspection-item-lists", Some(&chief), &[("unit_id", &institute), ("title", "枣强县随机抽查事项清单")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let at = App::location(&r);
        let id = at.trim_start_matches("/inspection-item-lists/").to_string();
        let detail = app.get(&at, Some(&chief)).await.text();
        assert!(detail.contains("新增抽查事项") && detail.contains("发布本版本"), "{detail}");
        let new = app.get(&format!("{at}/items/new"), Some(&chief)).await;
        assert_eq!(new.status, StatusCode::OK);
        assert!(new.text().contains("<option value=\"PUB-001\">"), "the catalog's codes are offered");

        // An unknown violation code is refused at its field, the typed values kept.
        let item = |code: &'static str| -> Vec<(&'static str, &'static str)> {
            vec![
                ("code", "GG-01"), ("name", "公共场所卫生监督检查"), ("specialty", "public_places"),
                ("target_categories", "public_place"), ("method", "on_site"),
                ("content", "卫生许可证、健康合格证明"), ("legal_basis", "《公共场所卫生管理条例》"),
                ("point.0.order", "2"), ("point.0.text", "从业人员持有健康合格证明"), ("point.0.legal_basis", "条例第七条"), ("point.0.violation_code", code),
                ("point.1.order", "1"), ("point.1.text", "持有有效的卫生许可证"), ("point.1.legal_basis", "条例第八条"), ("point.1.violation_code", "PUB-001"),
                ("point.2.order", "3"), ("point.2.text", ""), ("point.2.legal_basis", ""), ("point.2.violation_code", ""),
            ]
        };
        let r = app.form(&format!("{at}/items"), Some(&chief), &item("XXX-999")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let html = r.text();
        assert!(html.contains("违法行为编码“XXX-999”不在裁量基准目录中"), "{html}");
        assert!(html.contains("value=\"XXX-999\"") && html.contains("value=\"从业人员持有健康合格证明\""), "{html}");
        assert!(html.contains("class=\"field-error\""));
        // Saved in the order of 序号, the empty row dropped.
        let r = app.form(&format!("{at}/items"), Some(&chief), &item("PUB-003")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let saved = app.get(&format!("/api/v1/inspection-item-lists/{id}"), Some(&chief)).await.json();
        let points = saved["content"]["items"][0]["checklist"].as_array().unwrap().clone();
        let texts: Vec<&str> = points.iter().map(|p| p["text"].as_str().unwrap()).collect();
        assert_eq!(texts, ["持有有效的卫生许可证", "从业人员持有健康合格证明"]);
        assert_eq!(points[1], json!({"text": "从业人员持有健康合格证明", "legal_basis": "条例第七条", "violation_code": "PUB-003"}));

        // A second item with the same code is refused; then added, edited, deleted.
        let r = app.form(&format!("{at}/items"), Some(&chief), &item("PUB-003")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("编号“GG-01”重复"));
        let mut second = item("");
        second[0] = ("code", "YS-01");
        second[1] = ("name", "生活饮用水卫生监督检查");
        assert_eq!(app.form(&format!("{at}/items"), Some(&chief), &second).await.status, StatusCode::SEE_OTHER);
        let edit = app.get(&format!("{at}/items/1"), Some(&chief)).await;
        assert_eq!(edit.status, StatusCode::OK);
        assert!(edit.text().contains("value=\"GG-01\""));
        let mut renamed = item("PUB-003");
        renamed[1] = ("name", "公共场所卫生监督检查（改）");
        assert_eq!(app.form(&format!("{at}/items/1"), Some(&chief), &renamed).await.status, StatusCode::SEE_OTHER);
        assert_eq!(app.form(&format!("{at}/items/2/delete"), Some(&chief), &[]).await.status, StatusCode::SEE_OTHER);
        assert_eq!(app.get(&format!("{at}/items/2"), Some(&chief)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.form(&at, Some(&chief), &[("title", "枣强县抽查事项清单（2026）")]).await.status, StatusCode::SEE_OTHER);
        let saved = app.get(&format!("/api/v1/inspection-item-lists/{id}"), Some(&chief)).await.json();
        assert_eq!(saved["title"], "枣强县抽查事项清单（2026）");
        assert_eq!(saved["content"]["items"].as_array().unwrap().len(), 1);
        assert_eq!(saved["content"]["items"][0]["name"], "公共场所卫生监督检查（改）");
        let history = weijian_store::audit::history(&app.store, &Actor::system(), "inspection_item_list", &id).await.unwrap();
        assert!(history.iter().filter(|e| e.action == "inspection_item_list.update").count() >= 4);

        // Denials before publishing: another county, an inspector (reads, never writes), an institution, nobody.
        let hk = app.login("hk_chief").await;
        assert_eq!(app.get(&at, Some(&hk)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&format!("{at}/items/new"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.form(&format!("{at}/items"), Some(&hk), &item("PUB-003")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.form(&format!("{at}/items/1/delete"), Some(&hk), &[]).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.form(&format!("{at}/publish"), Some(&hk), &[("effective_on", "2026-01-01")]).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.form("/inspection-item-lists", Some(&hk), &[("unit_id", &institute)]).await.status, StatusCode::NOT_FOUND);
        let inspector = app.login("zq_inspector1").await;
        assert_eq!(app.get(&at, Some(&inspector)).await.status, StatusCode::OK);
        assert!(!app.get(&at, Some(&inspector)).await.text().contains("新增抽查事项"));
        assert_eq!(app.get(&format!("{at}/items/new"), Some(&inspector)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.form(&format!("{at}/items"), Some(&inspector), &item("PUB-003")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.form(&format!("{at}/items/1"), Some(&inspector), &item("PUB-003")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.form(&format!("{at}/items/1/delete"), Some(&inspector), &[]).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.form(&at, Some(&inspector), &[("title", "改")]).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.form(&format!("{at}/publish"), Some(&inspector), &[("effective_on", "2026-01-01")]).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.form("/inspection-item-lists", Some(&inspector), &[("unit_id", &institute)]).await.status, StatusCode::FORBIDDEN);
        let hospital = app.login("zq_hospital").await;
        assert_eq!(app.get("/inspection-item-lists", Some(&hospital)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get(&at, Some(&hospital)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get(&format!("{at}/items/new"), Some(&hospital)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.form(&format!("{at}/items"), Some(&hospital), &item("PUB-003")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.form("/inspection-item-lists", Some(&hospital), &[("unit_id", &institute)]).await.status, StatusCode::FORBIDDEN);
        assert!(!app.get("/", Some(&hospital)).await.text().contains("href=\"/inspection-item-lists\""));
        assert_eq!(app.get("/inspection-item-lists", None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get(&at, None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get(&format!("{at}/items/1"), None).await.status, StatusCode::UNAUTHORIZED);
        assert!(app.form(&format!("{at}/items"), None, &item("PUB-003")).await.status.is_client_error());

        // Nothing public before publishing; then the public page shows it, no sign-in.
        assert!(!app.get("/public/regions/131127/inspection-items", None).await.text().contains("GG-01"));
        let today = weijian_domain::input::today().to_string();
        let r = app.form(&format!("{at}/publish"), Some(&chief), &[("effective_on", &today)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let shown = app.get(&at, Some(&chief)).await.text();
        assert!(shown.contains("已发布的版本不能修改") && !shown.contains("新增抽查事项"), "{shown}");
        assert_eq!(app.get(&format!("{at}/items/new"), Some(&chief)).await.status, StatusCode::CONFLICT);
        let r = app.form(&format!("{at}/items/1"), Some(&chief), &item("PUB-003")).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text().contains("该版本已发布"));
        let public = app.get("/public/regions/131127/inspection-items", None).await;
        assert_eq!(public.status, StatusCode::OK);
        for want in ["枣强县随机抽查事项清单", "公共场所卫生监督检查（改）", "持有有效的卫生许可证", "PUB-003"] {
            assert!(public.text().contains(want), "{want}");
        }
        assert_eq!(app.get("/public/regions/999999/inspection-items", None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get("/public/regions/abc/inspection-items", None).await.status, StatusCode::NOT_FOUND);
        assert!(app.get("/inspection-item-lists", Some(&chief)).await.text().contains("/public/regions/131127/inspection-items"));
    }

    async fn conflict_declaration_page(db: &TestDb) {
        let app = app(db).await;
        let entities = weijian_store::entities::list(&app.store, &Actor::system(), &weijian_store::entities::Query { region_code: Some("131127".into()), ..Default::default() }).await.unwrap().items;
        let entity = entities[0].id.to_string();
        let name = entities[0].data.name.clone();
        let inspector = app.login("zq_inspector1").await;
        assert!(app.get(&format!("/entities/{entity}"), Some(&inspector)).await.text().contains(&format!("/conflicts?entity_id={entity}")));
        assert!(app.get("/tasks", Some(&inspector)).await.text().contains("href=\"/conflicts\""));
        let empty = app.get("/conflicts", Some(&inspector)).await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(empty.text().contains("张卫东"));
        let page = app.get(&format!("/conflicts?entity_id={entity}"), Some(&inspector)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains(&name) && page.text().contains("提交回避申报"));

        // The reason is required; then declared, listed and audited; never twice.
        let r = app.form("/conflicts", Some(&inspector), &[("entity_id", &entity), ("reason", "  ")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("请填写回避事由"), "{}", r.text());
        let r = app.form("/conflicts", Some(&inspector), &[("entity_id", &entity), ("reason", "配偶在该单位任职")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let listed = app.get(&App::location(&r), Some(&inspector)).await.text();
        assert!(listed.contains("回避申报已登记") && listed.contains(&name) && listed.contains("配偶在该单位任职"), "{listed}");
        let zhang = weijian_store::inspectors::list(&app.store, &Actor::system(), &Default::default()).await.unwrap().items.into_iter().find(|i| i.data.name == "张卫东").unwrap();
        let history = weijian_store::audit::history(&app.store, &Actor::system(), "inspector", &zhang.id.to_string()).await.unwrap();
        assert!(history.iter().any(|e| e.action == "inspector_conflict.declare" && e.summary.contains("配偶在该单位任职")));
        let r = app.form("/conflicts", Some(&inspector), &[("entity_id", &entity), ("reason", "再报一次")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text().contains("回避情形已登记"));
        let r = app.form("/conflicts", Some(&inspector), &[("entity_id", "not-an-id"), ("reason", "x")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Another county's inspector does not see the entity; a chief without an
        // inspector record, an institution and nobody cannot declare.
        let hk = app.login("hk_inspector1").await;
        assert_eq!(app.get(&format!("/conflicts?entity_id={entity}"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.form("/conflicts", Some(&hk), &[("entity_id", &entity), ("reason", "x")]).await.status, StatusCode::NOT_FOUND);
        assert!(!app.get("/conflicts", Some(&hk)).await.text().contains(&name));
        for user in ["zq_chief", "zq_hospital"] {
            let s = app.login(user).await;
            assert_eq!(app.get("/conflicts", Some(&s)).await.status, StatusCode::FORBIDDEN, "{user}");
            let r = app.form("/conflicts", Some(&s), &[("entity_id", &entity), ("reason", "x")]).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        }
        assert_eq!(app.get("/conflicts", None).await.status, StatusCode::UNAUTHORIZED);
        assert!(app.form("/conflicts", None, &[("entity_id", &entity), ("reason", "x")]).await.status.is_client_error());
        let n = weijian_store::inspector_conflicts::of_inspector(&app.store, &Actor::system(), zhang.id).await.unwrap().len();
        assert_eq!(n, 1);
    }
}
