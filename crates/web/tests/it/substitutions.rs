//! The drawn pair binds: a record names the task's two inspectors or is
//! refused (API and page); a declared conflict bars an inspector from the
//! record; a section chief replaces an inspector with a reason (更换执法人员),
//! checked like a draw, audited, listed beside the plan's record and public
//! only once the record is.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::{json, Value};
use weijian_store::inspectors::{Inspector, InspectorData};
use weijian_store::{both_backends, Actor};

/// A drawn plan of Zaoqiang and one of its open tasks (not the hospital's).
async fn drawn_task(app: &App, chief: &Session) -> (String, Value) {
    let today = weijian_domain::input::today();
    weijian_demo::registry::seed(&app.store, &weijian_demo::registry::DEMO_TARGETS[..1], 30, 11, today, |_, _| {})
        .await
        .unwrap();
    let plan = drawn_plan(app, chief).await;
    let tasks = app.get(&format!("/api/v1/inspection-tasks?plan_id={plan}&limit=200"), Some(chief)).await.json();
    let task =
        tasks["items"].as_array().unwrap().iter().find(|t| t["entity_name"] != "枣强县人民医院").unwrap().clone();
    (plan, task)
}

/// A new inspector of the county institute whose certificate runs `days` from today.
async fn new_inspector(app: &App, name: &str, days: u64) -> Inspector {
    let today = weijian_domain::input::today();
    let unit = app.id_of_unit("枣强县卫生监督所").await.parse().unwrap();
    let data = InspectorData {
        user_id: None,
        name: name.into(),
        unit_id: unit,
        cert_no: format!("13112799{days:04}"),
        cert_valid_from: today - chrono::Days::new(365),
        cert_valid_until: today + chrono::Days::new(days),
        specialties: vec!["public_places".into()],
        status: weijian_rules::registry::InspectorStatus::Active,
        phone: None,
    };
    weijian_store::inspectors::create(&app.store, &Actor::system(), &data).await.unwrap()
}

fn record_body(inspectors: Value) -> Value {
    json!({
        "inspected_on": weijian_domain::input::today().to_string(), "started_at": "09:00", "ended_at": "09:40",
        "place": "现场", "inspectors": inspectors,
        "results": [{"item": "GG-01", "point": 0, "result": "pass"}, {"item": "GG-01", "point": 1, "result": "pass"}],
        "party_signature": "signed", "party_name": "负责人", "outcome": "qualified",
    })
}

/// The page form's fields for a qualified record, the pair as hidden fields.
fn record_form(inspectors: &[&str]) -> String {
    let mut body = form_urlencoded::Serializer::new(String::new());
    for i in inspectors {
        body.append_pair("inspector", i);
    }
    body.append_pair("inspected_on", &weijian_domain::input::today().to_string());
    body.append_pair("started_at", "09:00");
    body.append_pair("ended_at", "09:40");
    body.append_pair("place", "现场");
    body.append_pair("r:GG-01:0", "pass");
    body.append_pair("r:GG-01:1", "pass");
    body.append_pair("party_signature", "signed");
    body.append_pair("party_name", "负责人");
    body.append_pair("outcome", "qualified");
    body.finish()
}

fn ids(task: &Value) -> (String, String) {
    (task["inspectors"][0].as_str().unwrap().to_string(), task["inspectors"][1].as_str().unwrap().to_string())
}

async fn task_status(app: &App, chief: &Session, id: &str) -> String {
    app.get(&format!("/api/v1/inspection-tasks/{id}"), Some(chief)).await.json()["status"].as_str().unwrap().into()
}

both_backends! {
    async fn a_drawn_task_is_recorded_only_by_its_two_inspectors_in_either_order(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let inspector = app.login("zq_inspector1").await;
        let (_, task) = drawn_task(&app, &chief).await;
        let id = task["id"].as_str().unwrap();
        let (a, b) = ids(&task);
        let colleague = new_inspector(&app, "赵明", 400).await.id.to_string();
        let uri = format!("/api/v1/inspection-tasks/{id}/inspection");
        // Two certified colleagues, one of them not drawn: refused, by the API and by the page.
        let r = app.post(&uri, &inspector, record_body(json!([a, colleague]))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "inspection.not_assigned_inspectors".into()));
        assert!(r.json()["message"].as_str().unwrap().contains("更换执法人员"), "{}", r.text());
        let page = app.form_raw(&format!("/tasks/{id}/inspection"), &inspector, &record_form(&[&colleague, &b])).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.text());
        assert!(page.text().contains("本任务指派的执法人员是"), "{}", page.text());
        assert_eq!(task_status(&app, &chief, id).await, "assigned");
        // The drawn pair, named the other way round: recorded.
        let r = app.post(&uri, &inspector, record_body(json!([b, a]))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(task_status(&app, &chief, id).await, "done");
    }
}

both_backends! {
    async fn the_page_form_records_with_the_pair_it_shows(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let inspector = app.login("zq_inspector1").await;
        let (_, task) = drawn_task(&app, &chief).await;
        let id = task["id"].as_str().unwrap();
        let (a, b) = ids(&task);
        let form = app.get(&format!("/tasks/{id}"), Some(&inspector)).await.text();
        assert!(form.contains(&format!(r#"name="inspector" value="{a}""#)), "{form}");
        let r = app.form_raw(&format!("/tasks/{id}/inspection"), &inspector, &record_form(&[&a, &b])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(task_status(&app, &chief, id).await, "done");
    }
}

both_backends! {
    async fn an_inspector_who_declared_a_conflict_cannot_record_until_replaced(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let inspector = app.login("zq_inspector1").await;
        let (_, task) = drawn_task(&app, &chief).await;
        let id = task["id"].as_str().unwrap();
        let (a, b) = ids(&task);
        // Declared after the draw: the draw could not honour it, the record must.
        let r = app
            .post(&format!("/api/v1/inspectors/{a}/conflicts"), &chief,
                json!({"entity_id": task["entity_id"], "reason": "近亲属在该单位任职"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let uri = format!("/api/v1/inspection-tasks/{id}/inspection");
        let r = app.post(&uri, &inspector, record_body(json!([a, b]))).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "inspection.inspector_conflict".into()));
        assert!(r.json()["message"].as_str().unwrap().contains("回避"), "{}", r.text());
        let page = app.form_raw(&format!("/tasks/{id}/inspection"), &inspector, &record_form(&[&a, &b])).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.text().contains("登记回避"), "{}", page.text());
        assert_eq!(task_status(&app, &chief, id).await, "assigned");
        // Nor may the chief bring the conflicted one back in by a substitution.
        let newcomer = new_inspector(&app, "赵明", 400).await.id.to_string();
        let sub = format!("/api/v1/inspection-tasks/{id}/substitute");
        let r = app.post(&sub, &chief, json!({"replace": a, "with": newcomer, "reason": "申请回避"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = app.post(&sub, &chief, json!({"replace": newcomer, "with": a, "reason": "回避事由消除"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "inspection_task.inspector_conflict".into()));
        let r = app.post(&uri, &inspector, record_body(json!([newcomer, b]))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
}

both_backends! {
    async fn a_chief_substitutes_with_a_reason_and_everything_else_is_refused(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let inspector = app.login("zq_inspector1").await;
        let (plan, task) = drawn_task(&app, &chief).await;
        let id = task["id"].as_str().unwrap();
        let (a, b) = ids(&task);
        let version = task["version"].as_i64().unwrap();
        assert!(task["allowed_actions"].as_array().unwrap().contains(&json!("substitute")), "{task}");
        let mine = app.get(&format!("/api/v1/inspection-tasks/{id}"), Some(&inspector)).await.json();
        assert!(!mine["allowed_actions"].as_array().unwrap().contains(&json!("substitute")), "{mine}");
        let good = new_inspector(&app, "赵明", 400).await.id.to_string();
        // Valid today, lapsing before the task's due date (60 days).
        let lapsing = new_inspector(&app, "钱亮", 30).await.id.to_string();
        let uri = format!("/api/v1/inspection-tasks/{id}/substitute");
        let audit = |app: &App| {
            let store = app.store.clone();
            async move {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events").fetch_one(store.reader()).await.unwrap()
            }
        };
        let before = audit(&app).await;
        let r = app.post(&uri, &inspector, json!({"replace": a, "with": good, "reason": "因病"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let refused = [
            (json!({"replace": a, "with": good, "reason": "  "}), "inspection_task.reason_required", "reason"),
            (json!({"replace": good, "with": lapsing, "reason": "因病"}), "inspection_task.replace_not_assigned", "replace"),
            (json!({"replace": a, "with": b, "reason": "因病"}), "inspection_task.same_inspector", "with"),
            (json!({"replace": a, "with": lapsing, "reason": "因病"}), "inspection_task.inspector_not_eligible", "with"),
            (json!({"replace": a, "with": "x", "reason": "因病"}), "request.invalid_id", "with"),
        ];
        for (body, code, field) in refused {
            let r = app.post(&uri, &chief, body.clone()).await;
            assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, code.to_string()), "{body}: {}", r.text());
            assert_eq!(r.json()["field"], json!(field), "{body}");
        }
        let r = app.post(&uri, &chief, json!({"replace": a, "with": good, "reason": "因病", "version": version - 1})).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "inspection_task.stale".into()));
        let r = app.post(&uri, &chief, json!({"reason": "因病"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(audit(&app).await, before, "refusals change nothing");
        // Out of the chief's jurisdiction: another county's chief does not see the task.
        let other = app.login("hk_chief").await;
        assert_eq!(app.post(&uri, &other, json!({"replace": a, "with": good, "reason": "因病"})).await.status, StatusCode::NOT_FOUND);

        let before = audit(&app).await;
        let r = app.post(&uri, &chief, json!({"replace": a, "with": good, "reason": "张某因病住院", "version": version})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let after = r.json();
        assert_eq!(after["inspectors"], json!([good, b]), "the replaced one's place");
        assert_eq!(after["inspector_names"][0], json!("赵明"));
        assert_eq!(after["version"], json!(version + 1));
        assert_eq!(after["status"], json!("assigned"));
        assert_eq!(after, app.get(&format!("/api/v1/inspection-tasks/{id}"), Some(&chief)).await.json());
        assert_eq!(audit(&app).await, before + 1);
        let action: String = sqlx::query_scalar("SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_one(app.store.reader()).await.unwrap();
        assert_eq!(action, "inspection_task.substitute");
        // The replaced inspector no longer records it.
        let rec = format!("/api/v1/inspection-tasks/{id}/inspection");
        let r = app.post(&rec, &inspector, record_body(json!([a, b]))).await;
        assert_eq!(r.code(), "inspection.not_assigned_inspectors");

        // Staff see it beside the plan at once; the public only once the record is released.
        let staff = app.get(&format!("/api/v1/random-plans/{plan}/substitutions"), Some(&chief)).await.json();
        assert_eq!(staff.as_array().unwrap().len(), 1, "{staff}");
        assert_eq!((staff[0]["replaced"].clone(), staff[0]["with"].clone()), (json!(a), json!(good)));
        assert_eq!(staff[0]["reason"], json!("张某因病住院"));
        assert_eq!(staff[0]["substituted_by_name"], json!("李春梅"));
        assert!(app.get(&format!("/random-plans/{plan}"), Some(&chief)).await.text().contains("张某因病住院"));
        let public = format!("/api/v1/public/draws/{plan}/substitutions");
        let r = app.get(&public, None).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "random_plan.record_not_released".into()));
        assert!(!app.get("/public/draws", None).await.text().contains("张某因病住院"));
        // The due date passes: the record is released, and the substitution with it.
        let yesterday = weijian_domain::input::today() - chrono::Days::new(1);
        let mut tx = app.store.begin().await.unwrap();
        sqlx::query("UPDATE random_plans SET due_on = $1 WHERE id = $2")
            .bind(yesterday.to_string()).bind(&plan).execute(&mut *tx.conn()).await.unwrap();
        let change = weijian_store::audit::Change {
            action: "test.due_date_passed", object_type: "random_plan", object_id: plan.clone(),
            region_code: Some("131127".into()), summary: "测试：完成期限已过".into(), before: None, after: None,
        };
        tx.audit(&Actor::system(), change).await.unwrap();
        tx.commit().await.unwrap();
        let r = app.get(&public, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let rows = r.json();
        assert_eq!(rows[0]["replaced"], json!(a));
        assert_eq!(rows[0]["with_name"], json!("赵明"));
        assert_eq!(rows[0]["reason"], json!("张某因病住院"));
        assert!(rows[0].get("substituted_by_name").is_none(), "who decided stays internal: {rows}");
        let portal = app.get("/public/draws", None).await.text();
        assert!(portal.contains("张某因病住院") && portal.contains("赵明"), "{portal}");

        // A recorded task keeps its pair.
        let r = app.post(&rec, &inspector, record_body(json!([good, b]))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = app.post(&uri, &chief, json!({"replace": good, "with": a, "reason": "因病"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "inspection_task.not_open".into()));
    }
}

both_backends! {
    async fn the_task_page_offers_chiefs_the_substitution_and_shows_its_history(db: &TestDb) {
        let app = app(db).await;
        let chief = app.login("zq_chief").await;
        let inspector = app.login("zq_inspector1").await;
        let (_, task) = drawn_task(&app, &chief).await;
        let id = task["id"].as_str().unwrap();
        let (a, _) = ids(&task);
        let good = new_inspector(&app, "赵明", 400).await.id.to_string();
        new_inspector(&app, "钱亮", 30).await;
        let page = app.get(&format!("/tasks/{id}"), Some(&chief)).await.text();
        assert!(page.contains("更换执法人员") && page.contains("赵明"), "{page}");
        assert!(!page.contains("钱亮"), "a certificate lapsing before the due date is not offered");
        let theirs = app.get(&format!("/tasks/{id}"), Some(&inspector)).await.text();
        assert!(!theirs.contains(&format!("/tasks/{id}/substitute")), "an inspector is not offered the form");
        let form = |who: &Session, reason: &str| {
            let body = form_urlencoded::Serializer::new(String::new())
                .append_pair("replace", &a).append_pair("with", &good).append_pair("reason", reason).finish();
            let (app, who) = (&app, who.clone());
            async move { app.form_raw(&format!("/tasks/{id}/substitute"), &who, &body).await }
        };
        assert_eq!(form(&inspector, "因病").await.status, StatusCode::FORBIDDEN);
        let r = form(&chief, "").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("请写明更换执法人员的原因"), "{}", r.text());
        let r = form(&chief, "外出培训").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = app.get(&format!("/tasks/{id}"), Some(&inspector)).await.text();
        assert!(page.contains("执法人员更换记录") && page.contains("外出培训") && page.contains("李春梅"), "{page}");
    }
}
