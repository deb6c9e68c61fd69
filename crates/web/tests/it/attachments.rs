//! Evidence attachments over HTTP, on both backends: upload and download,
//! content-type refusals, size limits, jurisdiction and the audit trail; who
//! may upload (not the legal reviewer nor the leader), whose files go into
//! which record, and that every attachment shows its uploader and time.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use weijian_domain::auth::AuthPolicy;
use weijian_rules::attachments::Limits;
use weijian_store::testing::TestDb;
use weijian_store::{both_backends, Actor};
use weijian_web::WebConfig;

/// The photo limit in these tests: small, so "oversize" is cheap to send.
const PHOTO_LIMIT: u64 = 64 * 1024;

/// The shared harness with a small photo limit, and where the blobs land.
struct Evidence {
    app: App,
    dir: PathBuf,
}

impl std::ops::Deref for Evidence {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

async fn app(db: &TestDb) -> Evidence {
    let dir = db.dir.join("attachments");
    let config = WebConfig {
        attachments_dir: Some(dir.clone()),
        attachment_limits: Limits { photo: PHOTO_LIMIT, ..Limits::default() },
        ..WebConfig::default()
    };
    Evidence { app: app_with_config(db, AuthPolicy::default(), config).await, dir }
}

fn header_of(r: &Resp, name: header::HeaderName) -> String {
    r.headers.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

impl Evidence {
    async fn upload(&self, s: &Session, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Resp {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/attachments")
            .header(header::COOKIE, &s.cookie)
            .header("x-csrf-token", &s.csrf)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(Body::from(multipart(fields, file)))
            .unwrap();
        self.send(req).await
    }

    async fn rows(&self) -> i64 {
        sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM attachments").fetch_one(self.store.reader()).await.unwrap().0
    }

    /// Stored blobs (uploads in progress aside, which must be gone too: see `temp_files`).
    fn blobs(&self) -> Vec<PathBuf> {
        files_under(&self.dir.join("sha256"))
    }

    fn temp_files(&self) -> Vec<PathBuf> {
        files_under(&self.dir.join("tmp"))
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// A Windows PE: the DOS header ("MZ", e_lfanew) and the "PE\0\0" signature.
fn windows_exe() -> Vec<u8> {
    let mut pe = vec![0u8; 1024];
    pe[..2].copy_from_slice(b"MZ");
    pe[0x3C] = 0x80;
    pe[0x80..0x84].copy_from_slice(b"PE\0\0");
    pe[0x84..0x86].copy_from_slice(&[0x64, 0x86]);
    pe
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

both_backends! {
    async fn a_photo_comes_back_identical_with_safe_headers(db: &TestDb) {
        let app = app(db).await;
        let s = app.login("zq_inspector1").await;
        let hospital = app.id_of_entity("枣强县人民医院").await;
        let jpeg = tiny_jpeg(7);
        let r = app.upload(&s, &[("kind", "photo"), ("entity_id", &hospital)], Some(("现场 照片.jpg", &jpeg))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
        let body = r.json();
        let id = body["id"].as_str().unwrap().to_string();
        assert_eq!(header_of(&r, header::LOCATION), format!("/api/v1/attachments/{id}"));
        assert_eq!(body["media_type"], "image/jpeg");
        assert_eq!(body["kind"], "photo");
        assert_eq!(body["size"], jpeg.len());
        assert_eq!(body["original_name"], "现场 照片.jpg");
        assert_eq!(body["entity_id"], hospital.as_str());
        let sha = body["sha256"].as_str().unwrap().to_string();
        assert_eq!(sha.len(), 64);

        let meta = app.get(&format!("/api/v1/attachments/{id}"), Some(&s)).await;
        assert_eq!(meta.status, StatusCode::OK);
        assert_eq!(meta.json()["sha256"], sha.as_str());

        let content = app.get(&format!("/api/v1/attachments/{id}/content"), Some(&s)).await;
        assert_eq!(content.status, StatusCode::OK);
        assert_eq!(content.body, jpeg);
        assert_eq!(header_of(&content, header::CONTENT_TYPE), "image/jpeg");
        assert_eq!(header_of(&content, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(
            header_of(&content, header::CONTENT_DISPOSITION),
            "attachment; filename=\"attachment.jpg\"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA%20%E7%85%A7%E7%89%87.jpg"
        );
        // The blob sits at the path its hash gives, nowhere else.
        assert_eq!(app.blobs(), vec![app.dir.join("sha256").join(&sha[..2]).join(&sha[2..4]).join(&sha)]);
    }

    async fn the_same_content_twice_is_two_records_and_one_blob(db: &TestDb) {
        let app = app(db).await;
        let s = app.login("zq_inspector1").await;
        let jpeg = tiny_jpeg(9);
        let a = app.upload(&s, &[("kind", "photo")], Some(("a.jpg", &jpeg))).await;
        let b = app.upload(&s, &[("kind", "photo")], Some(("b.jpg", &jpeg))).await;
        assert_eq!((a.status, b.status), (StatusCode::CREATED, StatusCode::CREATED));
        assert_ne!(a.json()["id"], b.json()["id"]);
        assert_eq!(a.json()["sha256"], b.json()["sha256"]);
        assert_eq!(app.rows().await, 2);
        assert_eq!(app.blobs().len(), 1);
    }

    async fn disguised_and_oversize_files_are_refused_and_nothing_is_stored(db: &TestDb) {
        let app = app(db).await;
        let s = app.login("zq_inspector1").await;
        let r = app.upload(&s, &[("kind", "photo")], Some(("photo.jpg", &windows_exe()))).await;
        assert_eq!((r.status, r.code().as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "attachment.unsupported_type"));
        assert!(r.json()["message"].as_str().unwrap().contains("Windows 可执行程序"), "{}", r.json());
        let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
        elf.resize(256, 0);
        let r = app.upload(&s, &[("kind", "document")], Some(("报告.pdf", &elf))).await;
        assert_eq!((r.status, r.code().as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "attachment.unsupported_type"));
        let r = app.upload(&s, &[("kind", "photo")], Some(("run.jpg", b"#!/bin/sh\necho owned\n"))).await;
        assert_eq!(r.code(), "attachment.unsupported_type");
        let r = app.upload(&s, &[("kind", "audio")], Some(("录音.mp3", PNG))).await;
        assert_eq!((r.status, r.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "attachment.type_mismatch"));
        // A real JPEG padded past the photo limit.
        let mut big = tiny_jpeg(3);
        big.resize(PHOTO_LIMIT as usize + 1, 0);
        let r = app.upload(&s, &[("kind", "photo")], Some(("big.jpg", &big))).await;
        assert_eq!((r.status, r.code().as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "attachment.too_large"));
        assert!(r.json()["message"].as_str().unwrap().contains("64 KB"), "{}", r.json());
        assert_eq!(app.rows().await, 0);
        assert!(app.blobs().is_empty(), "{:?}", app.blobs());
        assert!(app.temp_files().is_empty(), "{:?}", app.temp_files());
    }

    async fn malformed_forms_are_clear_4xx(db: &TestDb) {
        let app = app(db).await;
        let s = app.login("zq_inspector1").await;
        let jpeg = tiny_jpeg(1);
        let r = app.upload(&s, &[], Some(("a.jpg", &jpeg))).await;
        assert_eq!((r.status, r.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "attachment.kind_required"));
        let r = app.upload(&s, &[("kind", "exe")], Some(("a.jpg", &jpeg))).await;
        assert_eq!(r.code(), "attachment.invalid_kind");
        let r = app.upload(&s, &[("kind", "photo")], None).await;
        assert_eq!(r.code(), "attachment.no_file");
        let r = app.upload(&s, &[("kind", "photo")], Some(("empty.jpg", b""))).await;
        assert_eq!(r.code(), "attachment.empty");
        let r = app.upload(&s, &[("kind", "photo"), ("path", "../../x")], Some(("a.jpg", &jpeg))).await;
        assert_eq!(r.code(), "attachment.unknown_field");
        let r = app.upload(&s, &[("kind", "photo"), ("entity_id", "not-a-uuid")], Some(("a.jpg", &jpeg))).await;
        assert_eq!(r.code(), "attachment.invalid_entity");
        let req = Request::post("/api/v1/attachments")
            .header(header::COOKIE, &s.cookie)
            .header("x-csrf-token", &s.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        assert_eq!(app.send(req).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let r = app.get("/api/v1/attachments/not-an-id", Some(&s)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(app.rows().await, 0);
    }

    async fn other_counties_and_other_institutions_see_nothing(db: &TestDb) {
        let app = app(db).await;
        let zq = app.login("zq_inspector1").await;
        let hospital = app.id_of_entity("枣强县人民医院").await;
        let of_hospital = app.upload(&zq, &[("kind", "photo"), ("entity_id", &hospital)], Some(("a.jpg", &tiny_jpeg(4)))).await.json();
        let of_county = app.upload(&zq, &[("kind", "photo")], Some(("b.jpg", &tiny_jpeg(5)))).await.json();
        let (of_hospital, of_county) = (of_hospital["id"].as_str().unwrap(), of_county["id"].as_str().unwrap());

        let hk = app.login("hk_inspector1").await;
        for id in [of_hospital, of_county] {
            for uri in [format!("/api/v1/attachments/{id}"), format!("/api/v1/attachments/{id}/content")] {
                let r = app.get(&uri, Some(&hk)).await;
                assert_eq!((r.status, r.code().as_str()), (StatusCode::NOT_FOUND, "not_found"), "{uri}");
            }
        }
        // Nor may another county attach evidence to this county's entity.
        let r = app.upload(&hk, &[("kind", "photo"), ("entity_id", &hospital)], Some(("c.jpg", &tiny_jpeg(6)))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // The city above sees the county's.
        let hs = app.login("hs_inspector").await;
        assert_eq!(app.get(&format!("/api/v1/attachments/{of_county}"), Some(&hs)).await.status, StatusCode::OK);

        // The institution sees its own entity's attachments only.
        let inst = app.login("zq_hospital").await;
        assert_eq!(app.get(&format!("/api/v1/attachments/{of_hospital}/content"), Some(&inst)).await.status, StatusCode::OK);
        assert_eq!(app.get(&format!("/api/v1/attachments/{of_county}"), Some(&inst)).await.status, StatusCode::NOT_FOUND);
        // Its uploads belong to its own entity, whatever it does not say...
        let own = app.upload(&inst, &[("kind", "photo")], Some(("自查.jpg", &tiny_jpeg(8)))).await;
        assert_eq!(own.status, StatusCode::CREATED);
        assert_eq!(own.json()["entity_id"], hospital.as_str());
        // ...and it cannot attach to another institution.
        let other = app.id_of_entity("海口市龙华区某口腔门诊部").await;
        let r = app.upload(&inst, &[("kind", "photo"), ("entity_id", &other)], Some(("x.jpg", &tiny_jpeg(10)))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let clinic = app.login("hk_clinic").await;
        let own_id = own.json()["id"].as_str().unwrap().to_string();
        assert_eq!(app.get(&format!("/api/v1/attachments/{own_id}"), Some(&clinic)).await.status, StatusCode::NOT_FOUND);
    }

    async fn the_audit_trail_carries_the_hash(db: &TestDb) {
        let app = app(db).await;
        let s = app.login("zq_inspector1").await;
        let up = app.upload(&s, &[("kind", "photo")], Some(("现场.jpg", &tiny_jpeg(11)))).await.json();
        let (id, sha) = (up["id"].as_str().unwrap(), up["sha256"].as_str().unwrap());
        let admin = app.login("zq_admin").await;
        let r = app.get(&format!("/api/v1/audit?object_type=attachment&object_id={id}"), Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json());
        let events = r.json();
        assert_eq!(events.as_array().unwrap().len(), 1);
        assert_eq!(events[0]["action"], "attachment.upload");
        assert_eq!(events[0]["username"], "zq_inspector1");
        assert!(events[0]["summary"].as_str().unwrap().contains(sha), "{}", events[0]);
    }
}

/// A published item list of 枣强县 and a patrol of the hospital assigned to
/// zq_inspector1 and zq_inspector2: (task id, hospital id).
async fn patrol_of_the_hospital(app: &App) -> (String, String) {
    let chief = app.login("zq_chief").await;
    let today = weijian_domain::input::today();
    let institute = app.id_of_unit("枣强县卫生监督所").await;
    let r = app.post("/api/v1/inspection-item-lists", &chief, json!({"unit_id": institute})).await;
    let list = r.json()["id"].as_str().unwrap().to_string();
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/inspection-item-lists/{list}"),
            Some(&chief),
            true,
            Some(json!({"title": "清单", "content": item_list_content()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .post(
            &format!("/api/v1/inspection-item-lists/{list}/publish"),
            &chief,
            json!({"effective_on": today.to_string()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let sys = Actor::system();
    let mut pair = vec![];
    for username in ["zq_inspector1", "zq_inspector2"] {
        let user = app.id_of_user(username).await.parse().unwrap();
        pair.push(weijian_store::inspectors::of_user(&app.store, &sys, user).await.unwrap().unwrap().id);
    }
    let hospital = app.id_of_entity("枣强县人民医院").await;
    let data = weijian_store::inspection_tasks::TaskData {
        entity_id: hospital.parse().unwrap(),
        source: weijian_rules::inspection::TaskSource::Patrol,
        item_list_id: list.parse().unwrap(),
        items: vec!["GG-01".into()],
        inspectors: [pair[0], pair[1]],
        due_on: today + chrono::Days::new(10),
    };
    let task = weijian_domain::inspections::assign_task(&app.store, &sys, &data).await.unwrap();
    (task.id.to_string(), hospital)
}

/// The record of the patrol by its pair, with these attachments.
async fn record_body(app: &App, task: &str, outcome: &str, attachments: &[&str]) -> Value {
    let chief = app.login("zq_chief").await;
    let t = app.get(&format!("/api/v1/inspection-tasks/{task}"), Some(&chief)).await.json();
    let failed = outcome == "rectify";
    let mut v = json!({
        "inspected_on": weijian_domain::input::today().to_string(), "started_at": "09:00", "ended_at": "10:00",
        "place": "门诊楼", "inspectors": t["inspectors"].clone(),
        "results": [
            {"item": "GG-01", "point": 0, "result": "pass"},
            {"item": "GG-01", "point": 1, "result": if failed { "fail" } else { "pass" }}
        ],
        "findings": "", "party_signature": "signed", "party_name": "李院长", "outcome": outcome,
        "attachments": attachments,
    });
    if failed {
        v["rectification"] = json!({"content": "安排从业人员体检", "days": 10});
    }
    v
}

both_backends! {
    async fn legal_reviewers_and_leaders_upload_no_evidence(db: &TestDb) {
        let app = app(db).await;
        let hospital = app.id_of_entity("枣强县人民医院").await;
        for username in ["zq_legal", "zq_leader"] {
            let s = app.login(username).await;
            let r = app.upload(&s, &[("kind", "photo"), ("entity_id", &hospital)], Some(("现场.jpg", &tiny_jpeg(2)))).await;
            assert_eq!((r.status, r.code().as_str()), (StatusCode::FORBIDDEN, "attachment.role_not_allowed"), "{username}: {}", r.text());
            assert!(!r.json()["message"].as_str().unwrap().is_empty());
        }
        // Not from the task page's photo form either.
        let (task, _) = patrol_of_the_hospital(&app).await;
        let leader = app.login("zq_leader").await;
        let req = Request::builder()
            .method(Method::POST)
            .uri(format!("/tasks/{task}/photos?csrf_token={}", leader.csrf))
            .header(header::COOKIE, &leader.cookie)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(Body::from(multipart(&[], Some(("现场.jpg", &tiny_jpeg(3))))))
            .unwrap();
        assert_eq!(app.send(req).await.status.as_u16() / 100, 4);
        assert_eq!(app.rows().await, 0);
        assert!(app.blobs().is_empty() && app.temp_files().is_empty());
        let events = sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM audit_events WHERE action = 'attachment.upload'")
            .fetch_one(app.store.reader()).await.unwrap().0;
        assert_eq!(events, 0);
    }

    async fn a_record_takes_only_its_own_inspectors_evidence(db: &TestDb) {
        let app = app(db).await;
        let (task, hospital) = patrol_of_the_hospital(&app).await;
        let first = app.login("zq_inspector1").await;
        let second = app.login("zq_inspector2").await;
        let chief = app.login("zq_chief").await;
        let institution = app.login("zq_hospital").await;
        let photo = |s: Session, shade: u8| {
            let (app, hospital) = (&app, hospital.clone());
            async move {
                let r = app.upload(&s, &[("kind", "photo"), ("entity_id", &hospital)], Some(("现场.jpg", &tiny_jpeg(shade)))).await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
                r.json()["id"].as_str().unwrap().to_string()
            }
        };
        let of_second = photo(second.clone(), 20).await;
        let of_chief = photo(chief.clone(), 21).await;
        let of_institution = photo(institution.clone(), 22).await;
        let uri = format!("/api/v1/inspection-tasks/{task}/inspection");
        // Someone else's file — a colleague outside the pair, the inspected institution — is refused, nothing written.
        for other in [&of_chief, &of_institution] {
            let body = record_body(&app, &task, "qualified", &[&of_second, other]).await;
            let r = app.post(&uri, &first, body).await;
            assert_eq!((r.status, r.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "attachment.not_own_evidence"), "{}", r.text());
            assert_eq!(r.json()["field"], "attachments");
        }
        let t = app.get(&format!("/api/v1/inspection-tasks/{task}"), Some(&chief)).await.json();
        assert_eq!(t["status"], "assigned", "nothing recorded");
        for id in [&of_second, &of_chief, &of_institution] {
            let a = app.get(&format!("/api/v1/attachments/{id}"), Some(&chief)).await.json();
            assert!(a["owner_id"].is_null(), "{a}");
        }
        let links = sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM audit_events WHERE action = 'attachment.link'")
            .fetch_one(app.store.reader()).await.unwrap().0;
        assert_eq!(links, 0);
        // The partner's photo goes in: it is evidence of this record's own pair.
        let body = record_body(&app, &task, "rectify", &[&of_second]).await;
        let r = app.post(&uri, &first, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let saved = r.json();
        assert_eq!(saved["inspection"]["attachments"], json!([of_second]));
        let order = saved["rectification"]["id"].as_str().unwrap().to_string();

        // The institution's report takes only its own users' files for its entity.
        let report = format!("/api/v1/rectifications/{order}/report");
        let r = app.post(&report, &institution, json!({"report": "已安排体检", "attachments": [of_chief]})).await;
        assert_eq!((r.status, r.code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "attachment.not_own_evidence"), "{}", r.text());
        assert!(r.json()["message"].as_str().unwrap().contains("李春梅"), "names the uploader: {}", r.text());
        let orders = app.get("/api/v1/rectifications?limit=200", Some(&chief)).await.json();
        let o = orders["items"].as_array().unwrap().iter().find(|o| o["id"] == order.as_str()).unwrap().clone();
        assert_eq!((o["status"].as_str(), o["report"].is_null()), (Some("open"), true), "nothing reported: {o}");
        let r = app.post(&report, &institution, json!({"report": "已安排体检", "attachments": [of_institution]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let a = app.get(&format!("/api/v1/attachments/{of_institution}"), Some(&chief)).await.json();
        assert_eq!(a["owner_type"], "rectification");
    }

    async fn every_attachment_shows_who_uploaded_it_and_when(db: &TestDb) {
        let app = app(db).await;
        let (task, hospital) = patrol_of_the_hospital(&app).await;
        let s = app.login("zq_inspector1").await;
        let r = app.upload(&s, &[("kind", "photo"), ("entity_id", &hospital)], Some(("门诊.jpg", &tiny_jpeg(30)))).await;
        let up = r.json();
        assert_eq!(up["uploaded_by"].as_str().unwrap(), app.id_of_user("zq_inspector1").await);
        assert_eq!(up["uploaded_by_name"], "张卫东");
        assert!(!up["uploaded_at"].as_str().unwrap().is_empty());
        let id = up["id"].as_str().unwrap();
        let meta = app.get(&format!("/api/v1/attachments/{id}"), Some(&app.login("zq_chief").await)).await.json();
        assert_eq!((meta["uploaded_by_name"].as_str(), meta["uploaded_at"].as_str()), (Some("张卫东"), up["uploaded_at"].as_str()));
        // The task page lists the photo with its uploader and time.
        let page = app.get(&format!("/tasks/{task}"), Some(&s)).await.text();
        assert!(page.contains("门诊.jpg") && page.contains("张卫东 上传于"), "{page}");
    }
}
