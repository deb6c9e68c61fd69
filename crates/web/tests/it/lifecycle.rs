//! The lifecycle layer over HTTP, for every workflow, on both backends: an
//! action the table does not allow in the current state is a 409
//! `<area>.transition_not_allowed` naming the state, a stale `version` is a
//! 409 `<area>.stale`, and neither changes the object (status, version) or
//! grows the audit chain; `allowed_actions` differs by role as the tables in
//! domain::lifecycle say. The objects are the demo's, for 枣强县.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::{json, Value};
use weijian_rules::case_leads::CaseLeadStatus;
use weijian_rules::inspection::{PlanStatus, RectificationStatus, TaskStatus};
use weijian_rules::self_inspection::{CampaignStatus, ReportStatus};
use weijian_rules::versioned_list::ListStatus;
use weijian_store::both_backends;

/// The demo as `weijian demo` makes it, for 枣强县 alone at a small scale.
async fn demo(db: &weijian_store::testing::TestDb) -> App {
    let app = app(db).await;
    let today = weijian_domain::input::today();
    let zq = &weijian_demo::registry::DEMO_TARGETS[..1];
    weijian_demo::registry::seed(&app.store, zq, 30, 7, today, |_, _| {}).await.unwrap();
    weijian_demo::inspections::seed(&app.store, zq, today).await.unwrap();
    weijian_demo::self_inspections::seed(&app.store, zq, today).await.unwrap();
    app
}

async fn chain(app: &App) -> (i64, String) {
    weijian_store::audit::chain_head(&app.store).await.unwrap()
}

/// What a refusal must leave alone: the object's status and version, and the audit chain.
struct Seen {
    status: Value,
    version: Value,
    chain: (i64, String),
}

async fn seen(app: &App, object: &Value) -> Seen {
    Seen { status: object["status"].clone(), version: object["version"].clone(), chain: chain(app).await }
}

async fn assert_unchanged(app: &App, before: &Seen, now: &Value, what: &str) {
    assert_eq!((&now["status"], &now["version"]), (&before.status, &before.version), "{what}: the object changed");
    assert_eq!(chain(app).await, before.chain, "{what}: the audit chain grew");
}

/// A 409 with `code`; for a refused transition the message names the current state.
fn assert_refused(r: &Resp, code: &str, state_label: Option<&str>) {
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, code.to_string()), "{}", r.text());
    if let Some(label) = state_label {
        let message = r.json()["message"].as_str().unwrap_or_default().to_string();
        assert!(message.contains(label), "the refusal names the state “{label}”: {message}");
    }
}

fn stale(v: &Value) -> Value {
    json!({"version": v["version"].as_i64().unwrap() - 1})
}

fn actions(v: &Value) -> Value {
    v["allowed_actions"].clone()
}

fn find<'a>(items: &'a Value, what: &str, pred: impl Fn(&Value) -> bool) -> &'a Value {
    items["items"].as_array().unwrap().iter().find(|v| pred(v)).unwrap_or_else(|| panic!("{what} in {items}"))
}

both_backends! {
    async fn random_plans_refuse_out_of_state_and_stale_actions_and_offer_by_role(db: &TestDb) {
        let app = demo(db).await;
        let chief = app.login("zq_chief").await;
        let leader = app.login("zq_leader").await;
        let inspector = app.login("zq_inspector1").await;
        let plans = app.get("/api/v1/random-plans?limit=200", Some(&chief)).await.json();
        let frozen = find(&plans, "a frozen plan", |p| p["status"] == "frozen").clone();
        let url = format!("/api/v1/random-plans/{}", frozen["id"].as_str().unwrap());

        // Only a section chief (ManagePlans) may draw it; a leader or an inspector nothing.
        assert_eq!(actions(&app.get(&url, Some(&chief)).await.json()), json!(["draw"]));
        assert_eq!(actions(&app.get(&url, Some(&leader)).await.json()), json!([]));
        assert_eq!(actions(&app.get(&url, Some(&inspector)).await.json()), json!([]));

        let before = seen(&app, &frozen).await;
        let r = app.post(&format!("{url}/publish"), &chief, json!({"version": frozen["version"]})).await;
        assert_refused(&r, "random_plan.transition_not_allowed", Some(PlanStatus::Frozen.label()));
        assert_unchanged(&app, &before, &app.get(&url, Some(&chief)).await.json(), "publishing a frozen plan").await;

        let mut body = stale(&frozen);
        body["beacon"] = json!("32 07 15 28 03 11");
        body["beacon_source"] = json!("福利彩票双色球2026137期红球");
        let r = app.post(&format!("{url}/draw"), &chief, body).await;
        assert_refused(&r, "random_plan.stale", None);
        assert_unchanged(&app, &before, &app.get(&url, Some(&chief)).await.json(), "a stale draw").await;

        // The page offers the chief the draw form only, with the version it shows; a leader no form.
        let page_url = format!("/random-plans/{}", frozen["id"].as_str().unwrap());
        let page = app.get(&page_url, Some(&chief)).await.text();
        assert!(page.contains(&format!("action=\"{page_url}/draw\"")), "{page}");
        assert!(!page.contains(&format!("action=\"{page_url}/publish\"")) && !page.contains(&format!("action=\"{page_url}/freeze\"")));
        assert!(page.contains(&format!("name=\"version\" value=\"{}\"", frozen["version"])), "{page}");
        assert!(!app.get(&page_url, Some(&leader)).await.text().contains(&format!("action=\"{page_url}/draw\"")));
        // A stale page's draw is the 409 message, not a draw.
        let old = (frozen["version"].as_i64().unwrap() - 1).to_string();
        let fields = [("beacon", "32 07 15 28 03 11"), ("beacon_source", "福利彩票双色球2026137期红球"), ("version", old.as_str())];
        let r = app.form(&format!("{page_url}/draw"), Some(&chief), &fields).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
        assert!(r.text().contains("已被他人修改"), "{}", r.text());
        assert_unchanged(&app, &before, &app.get(&url, Some(&chief)).await.json(), "a stale draw page").await;
    }

    async fn the_never_inspected_page_lists_what_the_api_lists_and_the_chart_links_to_it(db: &TestDb) {
        let app = demo(db).await;
        let chief = app.login("zq_chief").await;
        // Each specialty's bar on the home page links to its list.
        let home = app.get("/", Some(&chief)).await.text();
        let year = chrono::Datelike::year(&weijian_domain::input::today());
        assert!(home.contains(&format!("/coverage/never-inspected?specialty=medical_services&amp;year={year}")), "{home}");
        let mut seen_any = 0;
        for specialty in ["medical_services", "radiation", ""] {
            let api = app.get(&format!("/api/v1/coverage/never-inspected?specialty={specialty}&limit=200"), Some(&chief)).await.json();
            let expected: Vec<&Value> = api["items"].as_array().unwrap().iter().collect();
            let mut listed = Vec::new();
            let mut url = format!("/coverage/never-inspected?specialty={specialty}&year={year}");
            // Every page, following 下一页 until there is none.
            loop {
                let r = app.get(&url, Some(&chief)).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text());
                let page = r.text();
                for e in &expected {
                    let link = format!("<a href=\"/entities/{}\">", e["id"].as_str().unwrap());
                    if page.contains(&link) {
                        listed.push(e["id"].clone());
                    }
                }
                let Some(end) = page.find("\">下一页</a>") else { break };
                let start = page[..end].rfind("href=\"").unwrap() + "href=\"".len();
                url = page[start..end].replace("&amp;", "&");
            }
            listed.sort_by_key(|v| v.to_string());
            listed.dedup();
            assert_eq!(listed.len(), expected.len(), "{specialty}: the page lists every entity the API lists");
            seen_any += listed.len();
        }
        assert!(seen_any > 0, "the demo leaves some entities uninspected");
        // Bad input is the request's fault; an institution does not read coverage.
        let r = app.get("/coverage/never-inspected?specialty=天文", Some(&chief)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("天文"), "{}", r.text());
        assert_eq!(app.get("/coverage/never-inspected?year=abc", Some(&chief)).await.status, StatusCode::BAD_REQUEST);
        let hospital = app.login("zq_hospital").await;
        assert_eq!(app.get("/coverage/never-inspected", Some(&hospital)).await.status, StatusCode::FORBIDDEN);
    }

    async fn tasks_and_orders_refuse_out_of_state_and_stale_actions_and_offer_by_role(db: &TestDb) {
        let app = demo(db).await;
        let chief = app.login("zq_chief").await;
        let leader = app.login("zq_leader").await;
        let inspector = app.login("zq_inspector1").await;
        let hospital = app.login("zq_hospital").await;
        let tasks = app.get("/api/v1/inspection-tasks?mine=true&status=assigned&limit=200", Some(&inspector)).await.json();
        let task = find(&tasks, "the demo patrol", |t| t["source"] == "patrol").clone();
        let url = format!("/api/v1/inspection-tasks/{}", task["id"].as_str().unwrap());

        // An inspector records; a chief records, cancels or substitutes; a leader only substitutes.
        assert_eq!(actions(&app.get(&url, Some(&inspector)).await.json()), json!(["record"]));
        assert_eq!(actions(&app.get(&url, Some(&chief)).await.json()), json!(["record", "cancel", "substitute"]));
        assert_eq!(actions(&app.get(&url, Some(&leader)).await.json()), json!(["substitute"]));

        // The patrol finds something to correct: an order for the hospital.
        let record = json!({
            "inspected_on": weijian_domain::input::today().to_string(), "started_at": "09:00", "ended_at": "10:00",
            "place": "门诊楼", "inspectors": task["inspectors"], "party_signature": "absent",
            "outcome": "rectify", "rectification": {"content": "完善医疗废物交接登记", "days": 10}
        });
        let r = app.post(&format!("{url}/inspection"), &inspector, record.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let order_id = r.json()["rectification"]["id"].as_str().unwrap().to_string();

        // The task is done: recording it again is refused and changes nothing.
        let done = app.get(&url, Some(&inspector)).await.json();
        assert_eq!((done["status"].clone(), actions(&done)), (json!("done"), json!([])));
        let before = seen(&app, &done).await;
        let r = app.post(&format!("{url}/inspection"), &inspector, record).await;
        assert_refused(&r, "inspection_task.transition_not_allowed", Some(TaskStatus::Done.label()));
        assert_unchanged(&app, &before, &app.get(&url, Some(&inspector)).await.json(), "recording a done task").await;

        // The order: only the institution itself may report on it.
        let open = order(&app, &hospital, &order_id).await;
        assert_eq!((open["status"].clone(), actions(&open)), (json!("open"), json!(["report"])));
        assert_eq!(actions(&order(&app, &chief, &order_id).await), json!([]));
        assert_eq!(actions(&order(&app, &inspector, &order_id).await), json!([]));

        let report_url = format!("/api/v1/rectifications/{order_id}/report");
        // Its home page offers the report form with the order's version; a stale page is a 409.
        let home = app.get("/", Some(&hospital)).await.text();
        assert!(home.contains(&format!("/rectifications/{order_id}/report")), "{home}");
        assert!(home.contains(&format!("name=\"version\" value=\"{}\"", open["version"])), "{home}");
        let before = seen(&app, &open).await;
        let old = (open["version"].as_i64().unwrap() - 1).to_string();
        let r = app.form(&format!("/rectifications/{order_id}/report"), Some(&hospital), &[("report", "已整改"), ("version", &old)]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
        assert!(r.text().contains("已被他人修改"), "{}", r.text());
        assert_unchanged(&app, &before, &order(&app, &hospital, &order_id).await, "a stale report page").await;
        let mut body = stale(&open);
        body["report"] = json!("已补全交接登记");
        let r = app.post(&report_url, &hospital, body).await;
        assert_refused(&r, "rectification.stale", None);
        assert_unchanged(&app, &before, &order(&app, &hospital, &order_id).await, "a stale report").await;

        let r = app.post(&report_url, &hospital, json!({"report": "已补全交接登记", "version": open["version"]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!((r.json()["status"].clone(), actions(&r.json())), (json!("reported"), json!([])));
        let reported = order(&app, &hospital, &order_id).await;
        // The institution's home page no longer offers the report form.
        let home = app.get("/", Some(&hospital)).await.text();
        assert!(!home.contains(&format!("/rectifications/{order_id}/report")), "a reported order offers no form: {home}");
        let before = seen(&app, &reported).await;
        let r = app.post(&report_url, &hospital, json!({"report": "再次报告", "version": reported["version"]})).await;
        assert_refused(&r, "rectification.transition_not_allowed", Some(RectificationStatus::Reported.label()));
        assert_unchanged(&app, &before, &order(&app, &hospital, &order_id).await, "reporting twice").await;
    }

    async fn case_leads_refuse_out_of_state_and_stale_actions_and_offer_by_role(db: &TestDb) {
        let app = demo(db).await;
        let chief = app.login("zq_chief").await;
        let leader = app.login("zq_leader").await;
        let inspector = app.login("zq_inspector1").await;
        // The demo's overdue order becomes a lead (转为案源).
        let overdue = app.get("/api/v1/rectifications?overdue=true", Some(&chief)).await.json();
        let order = find(&overdue, "an overdue order", |_| true).clone();
        let r = app.post(&format!("/api/v1/rectifications/{}/case-lead", order["id"].as_str().unwrap()), &chief, json!({})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let url = format!("/api/v1/case-leads/{}", r.json()["id"].as_str().unwrap());

        // Those who decide leads (chief, leader) may accept it; an inspector may not.
        let lead = app.get(&url, Some(&chief)).await.json();
        assert!(actions(&lead).as_array().unwrap().contains(&json!("accept")), "{lead}");
        assert!(actions(&app.get(&url, Some(&leader)).await.json()).as_array().unwrap().contains(&json!("accept")));
        assert_eq!(actions(&app.get(&url, Some(&inspector)).await.json()), json!([]));

        let before = seen(&app, &lead).await;
        let r = app.post(&format!("{url}/accept"), &chief, stale(&lead)).await;
        assert_refused(&r, "case_lead.stale", None);
        assert_unchanged(&app, &before, &app.get(&url, Some(&chief)).await.json(), "a stale acceptance").await;

        let r = app.post(&format!("{url}/accept"), &chief, json!({"version": lead["version"]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let accepted = app.get(&url, Some(&chief)).await.json();
        assert_eq!((accepted["status"].clone(), actions(&accepted)), (json!("accepted"), json!([])));
        let before = seen(&app, &accepted).await;
        let r = app.post(&format!("{url}/accept"), &leader, json!({"version": accepted["version"]})).await;
        assert_refused(&r, "case_lead.transition_not_allowed", Some(CaseLeadStatus::Accepted.label()));
        assert_unchanged(&app, &before, &app.get(&url, Some(&chief)).await.json(), "accepting twice").await;
    }

    async fn self_inspections_refuse_out_of_state_and_stale_actions_and_offer_by_role(db: &TestDb) {
        let app = demo(db).await;
        let chief = app.login("zq_chief").await;
        let leader = app.login("zq_leader").await;
        let hospital = app.login("zq_hospital").await;
        let campaigns = app.get("/api/v1/self-inspections", Some(&chief)).await.json();
        let campaign = find(&campaigns, "the demo campaign", |c| c["status"] == "open").clone();
        let url = format!("/api/v1/self-inspections/{}", campaign["id"].as_str().unwrap());
        let reports = app.get(&format!("{url}/reports"), Some(&chief)).await.json();
        let report_url = format!("{url}/reports/{}", find(&reports, "the hospital's report", |_| true)["id"].as_str().unwrap());

        // The campaign: a chief closes it; a leader and the institution do not.
        assert_eq!(actions(&app.get(&url, Some(&chief)).await.json()), json!(["close"]));
        assert_eq!(actions(&app.get(&url, Some(&leader)).await.json()), json!([]));
        assert_eq!(actions(&app.get(&url, Some(&hospital)).await.json()), json!([]));

        // The report: the chief reviews it; the institution waits.
        let report = app.get(&report_url, Some(&chief)).await.json();
        assert_eq!((report["status"].clone(), actions(&report)), (json!("submitted"), json!(["accept", "return"])));
        assert_eq!(actions(&app.get(&report_url, Some(&hospital)).await.json()), json!([]));
        assert_eq!(actions(&app.get(&report_url, Some(&leader)).await.json()), json!([]));

        let before = seen(&app, &report).await;
        let mut body = stale(&report);
        body["outcome"] = json!("returned");
        body["comment"] = json!("请补充护士招聘的证明材料");
        let r = app.post(&format!("{report_url}/review"), &chief, body.clone()).await;
        assert_refused(&r, "self_inspection_report.stale", None);
        assert_unchanged(&app, &before, &app.get(&report_url, Some(&chief)).await.json(), "a stale review").await;

        body["version"] = report["version"].clone();
        let r = app.post(&format!("{report_url}/review"), &chief, body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        // Returned: now it is the institution's turn, not the chief's.
        let returned = app.get(&report_url, Some(&chief)).await.json();
        assert_eq!((returned["status"].clone(), actions(&returned)), (json!("returned"), json!([])));
        assert_eq!(actions(&app.get(&report_url, Some(&hospital)).await.json()), json!(["resubmit"]));
        let before = seen(&app, &returned).await;
        let r = app.post(&format!("{report_url}/review"), &chief, json!({"outcome": "reviewed", "version": returned["version"]})).await;
        assert_refused(&r, "self_inspection_report.transition_not_allowed", Some(ReportStatus::Returned.label()));
        assert_unchanged(&app, &before, &app.get(&report_url, Some(&chief)).await.json(), "accepting a returned report").await;

        // Closing: a stale version first, then closing twice.
        let open = app.get(&url, Some(&chief)).await.json();
        let before = seen(&app, &open).await;
        let r = app.post(&format!("{url}/close"), &chief, stale(&open)).await;
        assert_refused(&r, "self_inspection.stale", None);
        assert_unchanged(&app, &before, &app.get(&url, Some(&chief)).await.json(), "a stale close").await;
        let r = app.post(&format!("{url}/close"), &chief, json!({"version": open["version"]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let closed = app.get(&url, Some(&chief)).await.json();
        assert_eq!((closed["status"].clone(), actions(&closed)), (json!("closed"), json!([])));
        let before = seen(&app, &closed).await;
        let r = app.post(&format!("{url}/close"), &chief, json!({"version": closed["version"]})).await;
        assert_refused(&r, "self_inspection.transition_not_allowed", Some(CampaignStatus::Closed.label()));
        assert_unchanged(&app, &before, &app.get(&url, Some(&chief)).await.json(), "closing twice").await;
    }

    async fn versioned_lists_refuse_out_of_state_and_stale_publishing_and_offer_by_role(db: &TestDb) {
        let app = demo(db).await;
        let chief = app.login("zq_chief").await;
        let leader = app.login("zq_leader").await;
        let inspector = app.login("zq_inspector1").await;
        let today = weijian_domain::input::today().to_string();

        // Duty lists: a chief and a leader may publish the draft (ManageDutyLists), an inspector not.
        let lists = app.get("/api/v1/duty-lists?region_code=131127", Some(&chief)).await.json();
        let draft = find(&lists, "the demo's draft duty list", |l| l["status"] == "draft").clone();
        let published = find(&lists, "the published duty list", |l| l["status"] == "published").clone();
        let draft_url = format!("/api/v1/duty-lists/{}", draft["id"].as_str().unwrap());
        let published_url = format!("/api/v1/duty-lists/{}", published["id"].as_str().unwrap());
        assert_eq!((draft["status_label"].clone(), actions(&draft)), (json!(ListStatus::Draft.label()), json!(["publish"])));
        assert_eq!(actions(&app.get(&draft_url, Some(&leader)).await.json()), json!(["publish"]));
        assert_eq!(actions(&app.get(&draft_url, Some(&inspector)).await.json()), json!([]));
        assert_eq!(actions(&app.get(&published_url, Some(&chief)).await.json()), json!([]));

        let before = seen(&app, &draft).await;
        let mut body = stale(&draft);
        body["effective_on"] = json!(today);
        let r = app.post(&format!("{draft_url}/publish"), &chief, body).await;
        assert_refused(&r, "duty_list.stale", None);
        assert_unchanged(&app, &before, &app.get(&draft_url, Some(&chief)).await.json(), "a stale publish").await;
        let before = seen(&app, &published).await;
        let r = app.post(&format!("{published_url}/publish"), &chief, json!({"effective_on": today, "version": published["version"]})).await;
        assert_refused(&r, "duty_list.transition_not_allowed", Some(ListStatus::Published.label()));
        assert_unchanged(&app, &before, &app.get(&published_url, Some(&chief)).await.json(), "publishing twice").await;

        // Item lists: only a chief (ManagePlans) may publish a draft; a leader and an inspector not.
        let lists = app.get("/api/v1/inspection-item-lists?region_code=131127", Some(&chief)).await.json();
        let published = find(&lists, "the demo's item list", |l| l["status"] == "published").clone();
        let r = app.post("/api/v1/inspection-item-lists", &chief, json!({"unit_id": published["unit_id"]})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let draft = r.json();
        let draft_url = format!("/api/v1/inspection-item-lists/{}", draft["id"].as_str().unwrap());
        let published_url = format!("/api/v1/inspection-item-lists/{}", published["id"].as_str().unwrap());
        assert_eq!((draft["status_label"].clone(), actions(&draft)), (json!(ListStatus::Draft.label()), json!(["publish"])));
        assert_eq!(actions(&app.get(&draft_url, Some(&leader)).await.json()), json!([]));
        assert_eq!(actions(&app.get(&draft_url, Some(&inspector)).await.json()), json!([]));
        assert_eq!(actions(&app.get(&published_url, Some(&chief)).await.json()), json!([]));

        let before = seen(&app, &draft).await;
        let mut body = stale(&draft);
        body["effective_on"] = json!(today);
        let r = app.post(&format!("{draft_url}/publish"), &chief, body).await;
        assert_refused(&r, "inspection_item_list.stale", None);
        assert_unchanged(&app, &before, &app.get(&draft_url, Some(&chief)).await.json(), "a stale publish").await;
        let before = seen(&app, &published).await;
        let r = app.post(&format!("{published_url}/publish"), &chief, json!({"effective_on": today, "version": published["version"]})).await;
        assert_refused(&r, "inspection_item_list.transition_not_allowed", Some(ListStatus::Published.label()));
        assert_unchanged(&app, &before, &app.get(&published_url, Some(&chief)).await.json(), "publishing twice").await;

        // The page: its publish form carries the version it showed, so a stale
        // page gets the 409 message instead of publishing what it did not show.
        let draft = app.get(&format!("/api/v1/duty-lists/{}", lists_draft_id(&app, &chief).await), Some(&chief)).await.json();
        let page_url = format!("/duty-lists/{}", draft["id"].as_str().unwrap());
        let page = app.get(&page_url, Some(&chief)).await.text();
        assert!(page.contains(&format!("name=\"version\" value=\"{}\"", draft["version"])), "{page}");
        assert!(!app.get(&page_url, Some(&inspector)).await.text().contains("发布本版本"), "no publish form for an inspector");
        let before = seen(&app, &draft).await;
        let old = (draft["version"].as_i64().unwrap() - 1).to_string();
        let r = app.form(&format!("{page_url}/publish"), Some(&chief), &[("effective_on", &today), ("version", &old)]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text().contains("已被他人修改"), "{}", r.text());
        assert_unchanged(&app, &before, &app.get(&format!("/api/v1/duty-lists/{}", draft["id"].as_str().unwrap()), Some(&chief)).await.json(), "a stale page").await;
    }
}

async fn lists_draft_id(app: &App, chief: &Session) -> String {
    let lists = app.get("/api/v1/duty-lists?region_code=131127", Some(chief)).await.json();
    find(&lists, "the draft duty list", |l| l["status"] == "draft")["id"].as_str().unwrap().to_string()
}

/// An order as `s` sees it in the list of orders.
async fn order(app: &App, s: &Session, id: &str) -> Value {
    let page = app.get("/api/v1/rectifications?limit=200", Some(s)).await.json();
    find(&page, "the new order", |o| o["id"] == id).clone()
}
