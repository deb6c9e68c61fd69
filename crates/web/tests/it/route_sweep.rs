//! Every route, swept with real ids. The OpenAPI document lists the API's
//! routes and the page router's source lists the pages', so a new route is
//! swept the day it is added: anonymous callers are refused on each route that
//! is not deliberately public; an administrator of another county and an
//! institution user, handed the ids of real objects that are not theirs, read
//! none of them and change nothing.

use crate::common::*;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use weijian_store::both_backends;

/// Routes open to anyone: signing in, the rules, the templates and the portal.
/// A new public route is added here on purpose, or the sweep fails.
const PUBLIC: &[&str] = &[
    "POST /api/v1/auth/login",
    "GET /api/v1/calendar/add-days",
    "GET /api/v1/calendar/add-working-days",
    "GET /api/v1/calendar/is-working-day",
    "GET /api/v1/calendar/years",
    "GET /api/v1/openapi.json",
    "GET /api/v1/public/draws",
    "GET /api/v1/public/draws/{id}",
    "GET /api/v1/public/draws/{id}/record",
    "GET /api/v1/public/draws/{id}/snapshot",
    "GET /api/v1/public/draws/{id}/substitutions",
    "GET /api/v1/public/inspection-results",
    "GET /api/v1/public/regions/{region_code}/duty-lists",
    "GET /api/v1/public/regions/{region_code}/inspection-items",
    "GET /api/v1/registry/vocabulary",
    "POST /api/v1/rules/penalty",
    "POST /api/v1/rules/penalty/check",
    "GET /api/v1/rules/violations",
    "GET /api/v1/rules/violations/{code}",
    "GET /api/v1/templates/{file}",
    "GET /api/v1/validate/citizen-id",
    "GET /api/v1/validate/uscc",
];

/// Pages open to anyone: the sign-in form and the portal.
const PUBLIC_PAGES: &[&str] = &[
    "GET /login",
    "POST /login",
    "GET /public/draws",
    "GET /public/inspection-results",
    "GET /public/regions/{region_code}/duty-lists",
    "GET /public/regions/{region_code}/inspection-items",
];

/// The caller's own account: not swept (signing out would end the sweep).
const OWN_ACCOUNT: &[&str] =
    &["POST /api/v1/auth/logout", "POST /api/v1/auth/password", "POST /logout", "POST /password", "GET /password"];

/// The table behind each kind of object a path names, and whether its rows
/// belong to an entity (so an institution may see its own).
const OBJECTS: &[(&str, &str, bool)] = &[
    ("entities", "entities", true),
    ("units", "units", false),
    ("users", "users", true),
    ("licences", "licences", true),
    ("practitioners", "practitioners", true),
    ("inspectors", "inspectors", false),
    ("duty-lists", "duty_lists", false),
    ("inspection-item-lists", "inspection_item_lists", false),
    ("random-plans", "random_plans", false),
    ("inspection-tasks", "inspection_tasks", true),
    ("inspections", "inspections", true),
    ("rectifications", "rectifications", true),
    ("attachments", "attachments", true),
    ("imports", "import_jobs", false),
    ("case-leads", "case_leads", true),
    ("self-inspections", "self_inspection_campaigns", false),
    ("inspection-campaigns", "inspection_campaigns", false),
    ("reports", "self_inspection_reports", true),
];

const ZAOQIANG: &str = "131127";
const HOSPITAL: &str = "枣强县人民医院";

struct Op {
    method: Method,
    path: String,
}

impl Op {
    fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Every operation of the API document, and whether it asks for credentials.
fn operations() -> Vec<(Op, bool)> {
    let doc: Value = serde_json::from_str(&weijian_web::openapi_json()).unwrap();
    let mut ops = Vec::new();
    for (path, methods) in doc["paths"].as_object().unwrap() {
        for (method, op) in methods.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            ops.push((Op { method, path: path.clone() }, secured));
        }
    }
    ops
}

/// Every page route and method, read from the page router's source.
fn page_operations() -> Vec<Op> {
    let src = include_str!("../../src/pages/mod.rs");
    let mut ops = Vec::new();
    let mut rest = src;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let open = rest.find('"').unwrap();
        let close = open + 1 + rest[open + 1..].find('"').unwrap();
        let path = rest[open + 1..close].to_string();
        // The handlers run to the next route or to the router function's end.
        let end = [rest.find(".route("), rest.find("\n}")].into_iter().flatten().min().unwrap_or(rest.len());
        let handlers = &rest[close..end];
        for (token, method) in [("get(", Method::GET), ("post(", Method::POST)] {
            let called = handlers.match_indices(token).any(|(i, _)| {
                let before = handlers[..i].chars().last();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if called {
                ops.push(Op { method, path: path.clone() });
            }
        }
    }
    assert!(ops.len() > 40, "the page router's routes were read: {}", ops.len());
    ops
}

/// Ids of real Zaoqiang objects that are not the hospital's: for each kind,
/// one row of the county, and for an entity's rows one of another entity.
async fn victims(app: &App, hospital: &str) -> BTreeMap<&'static str, String> {
    let mut ids = BTreeMap::new();
    for (kind, table, by_entity) in OBJECTS {
        let own = match (*kind, by_entity) {
            ("entities", _) => "id <> $2",
            ("users", _) => "(entity_id IS NULL OR entity_id <> $2)",
            (_, true) => "entity_id <> $2",
            (_, false) => "region_code <> $2",
        };
        let sql = format!("SELECT id FROM {table} WHERE region_code = $1 AND {own} ORDER BY id LIMIT 1");
        let id: Option<String> = sqlx::query_scalar(&sql)
            .bind(ZAOQIANG)
            .bind(if *by_entity { hospital } else { "" })
            .fetch_optional(app.store.reader())
            .await
            .unwrap();
        ids.insert(*kind, id.unwrap_or_else(|| panic!("the sweep needs a real {kind} of the county: seed one")));
    }
    let (practitioner, site): (String, String) = sqlx::query_as(
        "SELECT s.practitioner_id, s.id FROM practice_sites s JOIN practitioners p ON p.id = s.practitioner_id \
         WHERE s.region_code = $1 AND s.entity_id <> $2 AND p.entity_id <> $2 ORDER BY s.id LIMIT 1",
    )
    .bind(ZAOQIANG)
    .bind(hospital)
    .fetch_one(app.store.reader())
    .await
    .expect("a practice site of the county");
    ids.insert("practitioners", practitioner);
    // The campaign the report answers, so that the pair is real.
    let campaign: String = sqlx::query_scalar("SELECT campaign_id FROM self_inspection_reports WHERE id = $1")
        .bind(&ids["reports"])
        .fetch_one(app.store.reader())
        .await
        .unwrap();
    ids.insert("self-inspections", campaign);
    ids.insert("practice-sites", site);
    ids
}

/// The path with each parameter replaced by the victim of the kind it names.
fn fill(op: &Op, ids: &BTreeMap<&'static str, String>) -> String {
    let segments: Vec<&str> = op.path.split('/').collect();
    let mut out = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        if !seg.starts_with('{') {
            out.push(seg.to_string());
            continue;
        }
        let kind = match segments[i - 1] {
            "tasks" => "inspection-tasks",
            other => other,
        };
        let value = match (kind, *seg) {
            // POST /imports/{id} names what to import; GET /imports/{id}/{file} a report.
            ("imports", _) if op.method == Method::POST => "entities".to_string(),
            ("exports", "{file}") => "entities.csv".to_string(),
            ("violations", "{code}") => "PUB-003".to_string(),
            (_, "{region_code}") => ZAOQIANG.to_string(),
            // An item's position in a list, from 1.
            ("items", "{n}") => "1".to_string(),
            (_, "{file}") => "problems.csv".to_string(),
            _ => ids
                .get(kind)
                .unwrap_or_else(|| panic!("{}: no object known for {kind}: add it to OBJECTS", op.key()))
                .clone(),
        };
        out.push(value);
    }
    out.join("/")
}

async fn hospital_id(app: &App) -> String {
    sqlx::query_scalar("SELECT id FROM entities WHERE name = $1")
        .bind(HOSPITAL)
        .fetch_one(app.store.reader())
        .await
        .unwrap()
}

/// The number of audit events: a refused request writes none.
async fn audit_events(app: &App) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events").fetch_one(app.store.reader()).await.unwrap()
}

/// Staff of the county record a rectification order on an entity other than
/// the hospital, with a photo, so that every kind of object has a real row.
async fn seed_objects(app: &App) {
    let today = weijian_domain::input::today();
    let zaoqiang = &weijian_demo::registry::DEMO_TARGETS[..1];
    weijian_demo::registry::seed(&app.store, zaoqiang, 30, 11, today, |_, _| {}).await.unwrap();
    let chief = app.login("zq_chief").await;
    let plan = drawn_plan(app, &chief).await;
    let tasks = app.get(&format!("/api/v1/inspection-tasks?plan_id={plan}&limit=200"), Some(&chief)).await.json();
    // Evidence in a record must come from its own inspectors: tasks drawn for zq_inspector1.
    let user = app.id_of_user("zq_inspector1").await.parse().unwrap();
    let own =
        weijian_store::inspectors::of_user(&app.store, &weijian_store::Actor::system(), user).await.unwrap().unwrap();
    let own = json!(own.id.to_string());
    let mut others = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["entity_name"] != HOSPITAL && t["inspectors"].as_array().is_some_and(|i| i.contains(&own)));
    let inspector = app.login("zq_inspector1").await;
    // An order with a photo, and a case lead.
    for (task, outcome) in [(others.next(), "rectify"), (others.next(), "case_lead")] {
        let task = task.unwrap_or_else(|| panic!("two tasks of other entities: {tasks}"));
        let photo = app.upload_photo(&inspector, task["entity_id"].as_str().unwrap(), &tiny_jpeg(3)).await;
        assert_eq!(photo.status, StatusCode::CREATED, "{}", photo.text());
        let mut record = json!({
            "inspected_on": today.to_string(), "started_at": "09:00", "ended_at": "09:40", "place": "现场",
            "inspectors": task["inspectors"],
            "results": [{"item": "GG-01", "point": 1, "result": "fail", "note": "无健康证明"}],
            "findings": "从业人员无健康证明", "party_signature": "signed", "party_name": "负责人", "outcome": outcome,
            "attachments": [photo.json()["id"]],
        });
        if outcome == "rectify" {
            record["rectification"] = json!({"content": "取得健康证明", "days": 10, "working_days": true});
        }
        let uri = format!("/api/v1/inspection-tasks/{}/inspection", task["id"].as_str().unwrap());
        let r = app.call(Method::POST, &uri, Some(&inspector), true, Some(record)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    // A self-inspection of the county's medical institutions, answered by one of them.
    let campaign = json!({"title": "自查", "specialty": "medical_services", "categories": ["medical_institution"],
        "requirements": "对照检查", "working_days": 10});
    let r = app.call(Method::POST, "/api/v1/self-inspections", Some(&chief), true, Some(campaign)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let campaign = r.json()["id"].as_str().unwrap().parse().unwrap();
    let obliged: String = sqlx::query_scalar(
        "SELECT o.entity_id FROM self_inspection_obligations o JOIN entities e ON e.id = o.entity_id \
         WHERE o.campaign_id = $1 AND e.name <> $2 ORDER BY o.entity_id LIMIT 1",
    )
    .bind(r.json()["id"].as_str().unwrap())
    .bind(HOSPITAL)
    .fetch_one(app.store.reader())
    .await
    .unwrap();
    let report =
        weijian_domain::self_inspections::ReportInput { problems: "未发现问题".into(), ..Default::default() };
    let sys = weijian_store::Actor::system();
    weijian_domain::self_inspections::submit_for(&app.store, &sys, campaign, obliged.parse().unwrap(), &report)
        .await
        .unwrap();
    // A 专项检查 of the county's public places, its tasks generated.
    let lists = app.get("/api/v1/inspection-item-lists", Some(&chief)).await.json();
    let list =
        lists["items"].as_array().unwrap().iter().find(|l| l["status"] == "published").expect("a published list");
    let campaign = json!({"name": "公共场所专项检查", "specialty": "public_places", "item_list_id": list["id"],
        "starts_on": today.to_string(), "ends_on": (today + chrono::Days::new(30)).to_string(),
        "target": {"category": "public_place"}});
    let r = app.call(Method::POST, "/api/v1/inspection-campaigns", Some(&chief), true, Some(campaign)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let generate = json!({"inspector_ids": tasks["items"][0]["inspectors"]});
    let uri = format!("/api/v1/inspection-campaigns/{}/tasks", r.json()["id"].as_str().unwrap());
    let r = app.call(Method::POST, &uri, Some(&chief), true, Some(generate)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let admin = app.login("zq_admin").await;
    // A practitioner of one clinic who also practises at another (多点执业).
    let (practitioner, home): (String, String) = sqlx::query_as(
        "SELECT p.id, p.entity_id FROM practitioners p JOIN entities e ON e.id = p.entity_id \
         WHERE p.region_code = $1 AND e.name <> $2 ORDER BY p.id LIMIT 1",
    )
    .bind(ZAOQIANG)
    .bind(HOSPITAL)
    .fetch_one(app.store.reader())
    .await
    .unwrap();
    let other: String = sqlx::query_scalar(
        "SELECT id FROM entities WHERE region_code = $1 AND category = 'medical_institution' AND id <> $2 AND name <> $3 \
         ORDER BY id LIMIT 1",
    )
    .bind(ZAOQIANG)
    .bind(&home)
    .bind(HOSPITAL)
    .fetch_one(app.store.reader())
    .await
    .unwrap();
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/practitioners/{practitioner}/practice-sites"),
            Some(&admin),
            true,
            Some(json!({"entity_id": other})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // The county's registry exported and imported back: a real import job.
    let export = app.get("/api/v1/exports/entities.csv", Some(&admin)).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.text());
    let r = app
        .send(
            axum::http::Request::builder()
                .method(Method::POST)
                .uri("/api/v1/imports/entities?filename=entities.csv")
                .header(axum::http::header::COOKIE, &admin.cookie)
                .header("x-csrf-token", &admin.csrf)
                .body(axum::body::Body::from(export.body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "an import job: {}", r.text());
}

/// Sweeps every operation as `who`: reads return nothing of the victims
/// (refused, or only the caller's own data), changes are refused.
async fn sweep(app: &App, who: &Session, label: &str, ids: &BTreeMap<&'static str, String>, markers: &[String]) {
    let before = audit_events(app).await;
    for (op, secured) in operations() {
        if !secured || OWN_ACCOUNT.contains(&op.key().as_str()) {
            continue;
        }
        let uri = fill(&op, ids);
        let body = (op.method != Method::GET).then(|| json!({}));
        let r = app.call(op.method.clone(), &uri, Some(who), true, body).await;
        let status = r.status;
        assert!(status != StatusCode::INTERNAL_SERVER_ERROR, "{label}: {} {uri} → 500: {}", op.method, r.text());
        if op.method == Method::GET && status.is_success() {
            let text = r.text();
            for m in markers {
                assert!(!text.contains(m.as_str()), "{label}: {} {uri} shows {m}: {text}", op.method);
            }
        } else {
            assert!(status.is_client_error(), "{label}: {} {uri} → {status}: {}", op.method, r.text());
        }
    }
    assert_eq!(audit_events(app).await, before, "{label}: a refused request changed something");
}

/// The victims' county name, looked for on every page.
const COUNTY: &str = "枣强";

/// Pages of the built-in rules every region shares: their citations name
/// 枣强县's responsibility list as the source of the major-case criteria, so
/// the county's name there is a citation, not a leak (ids are still checked).
const SHARED_RULES_PAGES: &[&str] = &["GET /rules", "GET /rules/violations/{code}"];

/// Sweeps every page as `who`: a page shows nothing of the victims, and a form
/// posted with their ids changes nothing (refused, or sent back with an error).
async fn sweep_pages(app: &App, who: &Session, label: &str, ids: &BTreeMap<&'static str, String>, markers: &[String]) {
    let before = audit_events(app).await;
    for op in page_operations() {
        let key = op.key();
        if PUBLIC_PAGES.contains(&key.as_str()) || OWN_ACCOUNT.contains(&key.as_str()) {
            continue;
        }
        let uri = fill(&op, ids);
        let r =
            if op.method == Method::GET { app.get(&uri, Some(who)).await } else { app.form_raw(&uri, who, "").await };
        let status = r.status;
        assert!(!status.is_server_error(), "{label}: {key} {uri} → {status}: {}", r.text());
        if status.is_success() {
            let text = r.text();
            for m in markers {
                if m == COUNTY && SHARED_RULES_PAGES.contains(&key.as_str()) {
                    continue;
                }
                assert!(!text.contains(m.as_str()), "{label}: {key} {uri} shows {m}");
            }
        }
    }
    assert_eq!(audit_events(app).await, before, "{label}: a page changed something");
}

#[test]
fn every_route_is_either_public_on_purpose_or_asks_for_credentials() {
    let public: BTreeSet<String> = operations().into_iter().filter(|(_, s)| !s).map(|(op, _)| op.key()).collect();
    let expected: BTreeSet<String> = PUBLIC.iter().map(|s| s.to_string()).collect();
    assert_eq!(public, expected, "public routes changed: review them, then update PUBLIC");
}

both_backends! {
    async fn anonymous_callers_are_refused_on_every_route_that_is_not_public(db: &TestDb) {
        let app = app(db).await;
        seed_objects(&app).await;
        let ids = victims(&app, &hospital_id(&app).await).await;
        for (op, secured) in operations() {
            if !secured {
                continue;
            }
            let uri = fill(&op, &ids);
            let body = (op.method != Method::GET).then(|| json!({}));
            let r = app.call(op.method.clone(), &uri, None, false, body).await;
            assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "auth.required".to_string()), "{} {uri}", op.method);
        }
        for op in page_operations() {
            let key = op.key();
            if PUBLIC_PAGES.contains(&key.as_str()) {
                assert!(app.get(&fill(&op, &ids), None).await.status != StatusCode::UNAUTHORIZED || op.method == Method::POST, "{key} is public");
                continue;
            }
            let uri = fill(&op, &ids);
            let r = app.call(op.method.clone(), &uri, None, false, None).await;
            assert!(matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN), "{key} {uri} → {}", r.status);
            if op.method == Method::GET {
                assert!(r.text().contains("name=\"password\""), "{key} shows the sign-in form");
            }
        }
    }

    async fn another_countys_administrator_reads_and_changes_nothing_of_ours(db: &TestDb) {
        let app = app(db).await;
        seed_objects(&app).await;
        let hospital = hospital_id(&app).await;
        let ids = victims(&app, &hospital).await;
        let mut markers: Vec<String> = ids.values().cloned().collect();
        markers.push(hospital);
        markers.push(COUNTY.into());
        let hk = app.login("hk_admin").await;
        sweep(&app, &hk, "hk_admin", &ids, &markers).await;
        sweep_pages(&app, &hk, "hk_admin", &ids, &markers).await;
    }

    async fn an_institution_reads_and_changes_nothing_but_its_own(db: &TestDb) {
        let app = app(db).await;
        seed_objects(&app).await;
        let me = app.login("zq_hospital").await;
        let hospital = hospital_id(&app).await;
        let ids = victims(&app, &hospital).await;
        // What belongs to other entities of the county must never show, nor
        // which other entities there are.
        let mut markers: Vec<String> = OBJECTS
            .iter()
            .filter(|(_, _, by_entity)| *by_entity)
            .map(|(kind, _, _)| ids[kind].clone())
            .chain([ids["practice-sites"].clone()])
            .collect();
        let others: Vec<String> = sqlx::query_scalar("SELECT id FROM entities WHERE region_code = $1 AND id <> $2")
            .bind(ZAOQIANG)
            .bind(&hospital)
            .fetch_all(app.store.reader())
            .await
            .unwrap();
        assert!(others.len() >= 30, "the county's generated entities");
        markers.extend(others);
        sweep(&app, &me, "zq_hospital", &ids, &markers).await;
        sweep_pages(&app, &me, "zq_hospital", &ids, &markers).await;
    }
}
