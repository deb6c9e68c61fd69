//! Roles match the law, through HTTP on both backends: a 监督员 keeps master
//! data but neither changes a licence's status nor an entity's grades or status;
//! 吊销/暂扣 only follow a penalty decision; the bureau's acts need a reason.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use weijian_store::testing::actor;
use weijian_store::{audit, both_backends, Actor, Store};

use crate::common::*;

async fn chain_len(store: &Store) -> i64 {
    audit::verify_chain(store).await.unwrap().events
}

fn clinic(name: &str, serial: u32) -> Value {
    json!({
        "region_code": "131127",
        "name": name,
        "uscc": weijian_rules::ids::compose_uscc("91", "131127", serial),
        "category": "医疗机构",
        "attributes": {"institution_type": "诊所", "beds": 0},
        "address": format!("{name}所在路1号"),
    })
}

fn with(mut body: Value, pairs: &[(&str, Value)]) -> Value {
    for (k, v) in pairs {
        body[*k] = v.clone();
    }
    body
}

async fn put(app: &App, uri: &str, s: &Session, body: Value) -> Resp {
    app.call(Method::PUT, uri, Some(s), true, Some(body)).await
}

/// The summaries of an object's audit events, oldest first.
async fn summaries(app: &App, object_type: &str, id: &str) -> Vec<String> {
    audit::history(&app.store, &Actor::system(), object_type, id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.summary)
        .collect()
}

both_backends! {
    async fn licence_status_is_the_bureaus_and_revocation_only_a_penaltys(db: &TestDb) {
        let app = app(db).await;
        let inspector = app.login("zq_inspector1").await;
        let chief = app.login("zq_chief").await;
        let r = app.post("/api/v1/entities", &inspector, clinic("枣强县许可诊所", 501)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let entity = r.json()["id"].as_str().unwrap().to_string();
        let licence = json!({"entity_id": entity, "kind": "medical_practice", "number": "ROLE-1", "issued_on": "2026-01-05"});
        // Registering a licence is master data: the inspector may.
        let r = app.post("/api/v1/licences", &inspector, licence.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let uri = format!("/api/v1/licences/{}", r.json()["id"].as_str().unwrap());
        // Nor may anyone register one as already revoked.
        let r = app.post("/api/v1/licences", &chief, with(licence.clone(), &[("number", json!("ROLE-2")), ("status", json!("revoked")), ("reason", json!("旧证"))])).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "licence.penalty_only".to_string()), "{}", r.text());

        let before = chain_len(&app.store).await;
        let reason = json!("枣卫罚〔2026〕3号");
        for (who, status, code) in [
            (&inspector, "revoked", "licence.penalty_only"),
            (&inspector, "suspended", "licence.penalty_only"),
            (&inspector, "cancelled", "auth.forbidden"),
            (&chief, "revoked", "licence.penalty_only"),
            (&chief, "suspended", "licence.penalty_only"),
        ] {
            let r = put(&app, &uri, who, with(licence.clone(), &[("status", json!(status)), ("reason", reason.clone())])).await;
            assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, code.to_string()), "{status}: {}", r.text());
            assert!(!r.json()["message"].as_str().unwrap().is_empty());
        }
        let r = put(&app, &uri, &inspector, with(licence.clone(), &[("status", json!("revoked")), ("reason", reason.clone())])).await;
        assert_eq!(r.json()["message"], "吊销、暂扣许可证须经行政处罚决定");
        assert_eq!(chain_len(&app.store).await, before, "a refused change writes nothing");
        assert_eq!(app.get(&uri, Some(&inspector)).await.json()["status"], "valid");

        // 注销 by a chief: a reason is required and bounded, then it is kept.
        let cancel = with(licence.clone(), &[("status", json!("cancelled"))]);
        let r = put(&app, &uri, &chief, cancel.clone()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "licence.reason_required".to_string()));
        let r = put(&app, &uri, &chief, with(cancel.clone(), &[("reason", json!("   "))])).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "licence.reason_required".to_string()));
        let r = put(&app, &uri, &chief, with(cancel.clone(), &[("reason", json!("长".repeat(501)))])).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "field.too_long".to_string()));
        assert_eq!(chain_len(&app.store).await, before);
        let r = put(&app, &uri, &chief, with(cancel, &[("reason", json!("机构申请注销，枣卫注〔2026〕1号"))])).await;
        assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("cancelled")), "{}", r.text());
        assert_eq!(chain_len(&app.store).await, before + 1);
        let h = app.get(&format!("{uri}/history"), Some(&chief)).await.json();
        assert_eq!(h[1]["action"], "cancelled");
        assert_eq!(h[1]["reason"], "机构申请注销，枣卫注〔2026〕1号");
        let id = uri.rsplit('/').next().unwrap();
        assert!(summaries(&app, "licence", id).await.last().unwrap().contains("机构申请注销"), "the reason is in the event");
    }

    async fn a_penalty_decision_revokes_through_the_domain(db: &TestDb) {
        use weijian_domain::licences::{apply_penalty, Penalty};
        let app = app(db).await;
        let inspector = app.login("zq_inspector1").await;
        let r = app.post("/api/v1/entities", &inspector, clinic("枣强县处罚诊所", 502)).await;
        let entity = r.json()["id"].as_str().unwrap().to_string();
        let r = app.post("/api/v1/licences", &inspector, json!({"entity_id": entity, "kind": "medical_practice", "number": "PEN-1", "issued_on": "2026-01-05"})).await;
        let id: weijian_store::ids::LicenceId = r.json()["id"].as_str().unwrap().parse().unwrap();
        let (chief, inspector_actor) = (actor(&app.store, "zq_chief").await, actor(&app.store, "zq_inspector1").await);

        let before = chain_len(&app.store).await;
        let mut tx = app.store.begin().await.unwrap();
        let e = apply_penalty(&mut tx, &inspector_actor, id, Penalty::Revoke, "枣卫罚〔2026〕9号").await.unwrap_err();
        assert_eq!(e.code, "auth.forbidden");
        let e = apply_penalty(&mut tx, &chief, id, Penalty::Suspend, " ").await.unwrap_err();
        assert_eq!(e.code, "licence.decision_required");
        drop(tx);
        assert_eq!(chain_len(&app.store).await, before);

        let mut tx = app.store.begin().await.unwrap();
        let l = apply_penalty(&mut tx, &chief, id, Penalty::Suspend, "枣卫罚〔2026〕9号").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(l.data.record, weijian_rules::registry::LicenceRecord::Suspended);
        let mut tx = app.store.begin().await.unwrap();
        let l = apply_penalty(&mut tx, &chief, id, Penalty::Revoke, "枣卫罚〔2026〕10号").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(l.data.record, weijian_rules::registry::LicenceRecord::Revoked);
        assert_eq!(chain_len(&app.store).await, before + 2);
        let mut tx = app.store.begin().await.unwrap();
        let e = apply_penalty(&mut tx, &chief, id, Penalty::Suspend, "枣卫罚〔2026〕11号").await.unwrap_err();
        assert_eq!(e.code, "licence.not_in_force");
        drop(tx);
        let h = app.get(&format!("/api/v1/licences/{id}/history"), Some(&inspector)).await.json();
        let actions: Vec<&str> = h.as_array().unwrap().iter().map(|c| c["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["create", "suspended", "revoked"]);
        assert_eq!(h[2]["reason"], "行政处罚决定 枣卫罚〔2026〕10号");
        // Once revoked, no form brings it back: that too is for a decision.
        let chief_s = app.login("zq_chief").await;
        let r = put(&app, &format!("/api/v1/licences/{id}"), &chief_s, json!({"kind": "medical_practice", "number": "PEN-1", "issued_on": "2026-01-05", "status": "valid", "reason": "误操作"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "licence.penalty_only".to_string()));
    }

    async fn grades_and_status_are_changed_by_chiefs_with_a_reason(db: &TestDb) {
        let app = app(db).await;
        let inspector = app.login("zq_inspector1").await;
        let chief = app.login("zq_chief").await;
        let leader = app.login("zq_leader").await;
        // A new entity's grades are a determination too.
        let r = app.post("/api/v1/entities", &inspector, with(clinic("枣强县越权诊所", 503), &[("risk_grade", json!("B"))])).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "entity.determination_forbidden".to_string()), "{}", r.text());
        let body = with(clinic("枣强县分级诊所", 504), &[("risk_grade", json!("B")), ("credit_grade", json!("A"))]);
        let r = app.post("/api/v1/entities", &chief, body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let uri = format!("/api/v1/entities/{}", r.json()["id"].as_str().unwrap());
        let id = uri.rsplit('/').next().unwrap().to_string();

        let before = chain_len(&app.store).await;
        for change in [
            vec![("risk_grade", json!("C"))],
            vec![("credit_grade", json!("D"))],
            vec![("credit_grade", Value::Null)],
            vec![("status", json!("suspended"))],
            // The whole request is refused, its ordinary change too.
            vec![("name", json!("枣强县分级诊所（新）")), ("risk_grade", json!("A"))],
        ] {
            let mut change = change;
            change.push(("reason", json!("现场检查发现")));
            let r = put(&app, &uri, &inspector, with(body.clone(), &change)).await;
            assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "entity.determination_forbidden".to_string()), "{change:?}: {}", r.text());
        }
        assert_eq!(chain_len(&app.store).await, before, "refusals write nothing");
        let e = app.get(&uri, Some(&inspector)).await.json();
        assert_eq!((e["name"].as_str(), e["risk_grade"].as_str(), e["version"].as_i64()), (Some("枣强县分级诊所"), Some("B"), Some(1)));
        // Master data alone is the inspector's.
        let r = put(&app, &uri, &inspector, with(body.clone(), &[("contact_person", json!("王五"))])).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());

        // A chief regrades with a reason; without one it is refused.
        let regrade = with(body.clone(), &[("contact_person", json!("王五")), ("risk_grade", json!("C"))]);
        let r = put(&app, &uri, &chief, regrade.clone()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "entity.reason_required".to_string()));
        let r = put(&app, &uri, &chief, with(regrade.clone(), &[("reason", json!("2026年度风险评估，枣卫监〔2026〕5号"))])).await;
        assert_eq!((r.status, r.json()["risk_grade"].as_str()), (StatusCode::OK, Some("C")), "{}", r.text());
        let last = summaries(&app, "entity", &id).await.pop().unwrap();
        assert!(last.contains("风险等级 B→C") && last.contains("2026年度风险评估"), "{last}");
        // A leader may change a grade, not the master data.
        let credit = with(regrade.clone(), &[("credit_grade", json!("B")), ("reason", json!("信用评价结果"))]);
        let r = put(&app, &uri, &leader, credit).await;
        assert_eq!((r.status, r.json()["credit_grade"].as_str()), (StatusCode::OK, Some("B")), "{}", r.text());
        let r = put(&app, &uri, &leader, with(regrade, &[("credit_grade", json!("B")), ("name", json!("改名"))])).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "auth.forbidden".to_string()));
    }

    async fn the_entity_form_keeps_determinations_away_from_inspectors(db: &TestDb) {
        let app = app(db).await;
        let inspector = app.login("zq_inspector1").await;
        let chief = app.login("zq_chief").await;
        let body = with(clinic("枣强县表单诊所", 505), &[("risk_grade", json!("B")), ("credit_grade", json!("A"))]);
        let id = app.post("/api/v1/entities", &chief, body).await.json()["id"].as_str().unwrap().to_string();
        let form = app.get(&format!("/entities/{id}/edit"), Some(&inspector)).await.text();
        assert!(!form.contains("<select name=\"risk_grade\"") && form.contains("name=\"risk_grade\" value=\"B\""), "{form}");
        assert!(form.contains("name=\"credit_grade\" value=\"A\""), "the credit grade is sent back, not lost");
        let chief_form = app.get(&format!("/entities/{id}/edit"), Some(&chief)).await.text();
        assert!(chief_form.contains("<select name=\"risk_grade\"") && chief_form.contains("name=\"reason\""));
        let fields = |risk: &'static str| {
            vec![
                ("version", "1"), ("name", "枣强县表单诊所"), ("region_code", "131127"), ("category", "medical_institution"),
                ("attr.institution_type", "诊所"), ("attr.beds", "0"), ("address", "枣强县表单诊所所在路1号"),
                ("status", "operating"), ("risk_grade", risk), ("credit_grade", "A"),
            ]
        };
        let uscc = weijian_rules::ids::compose_uscc("91", "131127", 505);
        let mut tampered = fields("D");
        tampered.push(("uscc", uscc.as_str()));
        let before = chain_len(&app.store).await;
        let r = app.form(&format!("/entities/{id}"), Some(&inspector), &tampered).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        assert_eq!(chain_len(&app.store).await, before);
        // The form as the inspector got it saves (grades unchanged).
        let mut same = fields("B");
        same.push(("uscc", uscc.as_str()));
        let r = app.form(&format!("/entities/{id}"), Some(&inspector), &same).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let e = app.get(&format!("/api/v1/entities/{id}"), Some(&chief)).await.json();
        assert_eq!((e["risk_grade"].as_str(), e["credit_grade"].as_str()), (Some("B"), Some("A")));
    }
}
