//! Evidence attachments over HTTP, on both backends: upload and download,
//! content-type refusals, size limits, jurisdiction and the audit trail.

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use tower::ServiceExt;
use weijian_domain::auth::AuthPolicy;
use weijian_rules::attachments::Limits;
use weijian_store::{both_backends, Actor};
use weijian_web::{AppState, WebConfig};

use crate::common::{multipart, tiny_jpeg, BOUNDARY};

/// The photo limit in these tests: small, so "oversize" is cheap to send.
const PHOTO_LIMIT: u64 = 64 * 1024;

struct App {
    router: Router,
    passwords: HashMap<String, String>,
    store: weijian_store::Store,
    dir: PathBuf,
}

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }
    fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_string()
    }
    fn header(&self, name: header::HeaderName) -> String {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }
}

struct Session {
    cookie: String,
    csrf: String,
}

async fn app(db: &weijian_store::testing::TestDb) -> App {
    let accounts = weijian_demo::seed(&db.store).await.unwrap();
    let dir = db.dir.join("attachments");
    let config = WebConfig {
        attachments_dir: Some(dir.clone()),
        attachment_limits: Limits { photo: PHOTO_LIMIT, ..Limits::default() },
        ..WebConfig::default()
    };
    let state = AppState::new(db.store.clone(), AuthPolicy::default(), config);
    let router = weijian_web::app(state).layer(MockConnectInfo(SocketAddr::from(([10, 0, 0, 7], 40000))));
    App {
        router,
        passwords: accounts.into_iter().map(|a| (a.username, a.password)).collect(),
        store: db.store.clone(),
        dir,
    }
}

impl App {
    async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Resp { status, headers, body }
    }

    async fn login(&self, username: &str) -> Session {
        let req = Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"username": username, "password": self.passwords[username]}).to_string()))
            .unwrap();
        let r = self.send(req).await;
        assert_eq!(r.status, StatusCode::OK);
        let cookie = r.header(header::SET_COOKIE).split(';').next().unwrap().to_string();
        Session { cookie, csrf: r.json()["csrf_token"].as_str().unwrap().to_string() }
    }

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

    async fn get(&self, s: &Session, uri: &str) -> Resp {
        self.send(Request::get(uri).header(header::COOKIE, &s.cookie).body(Body::empty()).unwrap()).await
    }

    async fn entity_id(&self, name: &str) -> String {
        let q = weijian_store::entities::Query { q: Some(name.into()), ..Default::default() };
        weijian_store::entities::list(&self.store, &Actor::system(), &q).await.unwrap().items[0].id.to_string()
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
        let hospital = app.entity_id("枣强县人民医院").await;
        let jpeg = tiny_jpeg(7);
        let r = app.upload(&s, &[("kind", "photo"), ("entity_id", &hospital)], Some(("现场 照片.jpg", &jpeg))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
        let body = r.json();
        let id = body["id"].as_str().unwrap().to_string();
        assert_eq!(r.header(header::LOCATION), format!("/api/v1/attachments/{id}"));
        assert_eq!(body["media_type"], "image/jpeg");
        assert_eq!(body["kind"], "photo");
        assert_eq!(body["size"], jpeg.len());
        assert_eq!(body["original_name"], "现场 照片.jpg");
        assert_eq!(body["entity_id"], hospital.as_str());
        let sha = body["sha256"].as_str().unwrap().to_string();
        assert_eq!(sha.len(), 64);

        let meta = app.get(&s, &format!("/api/v1/attachments/{id}")).await;
        assert_eq!(meta.status, StatusCode::OK);
        assert_eq!(meta.json()["sha256"], sha.as_str());

        let content = app.get(&s, &format!("/api/v1/attachments/{id}/content")).await;
        assert_eq!(content.status, StatusCode::OK);
        assert_eq!(content.body, jpeg);
        assert_eq!(content.header(header::CONTENT_TYPE), "image/jpeg");
        assert_eq!(content.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(
            content.header(header::CONTENT_DISPOSITION),
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
        let r = app.get(&s, "/api/v1/attachments/not-an-id").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(app.rows().await, 0);
    }

    async fn other_counties_and_other_institutions_see_nothing(db: &TestDb) {
        let app = app(db).await;
        let zq = app.login("zq_inspector1").await;
        let hospital = app.entity_id("枣强县人民医院").await;
        let of_hospital = app.upload(&zq, &[("kind", "photo"), ("entity_id", &hospital)], Some(("a.jpg", &tiny_jpeg(4)))).await.json();
        let of_county = app.upload(&zq, &[("kind", "photo")], Some(("b.jpg", &tiny_jpeg(5)))).await.json();
        let (of_hospital, of_county) = (of_hospital["id"].as_str().unwrap(), of_county["id"].as_str().unwrap());

        let hk = app.login("hk_inspector1").await;
        for id in [of_hospital, of_county] {
            for uri in [format!("/api/v1/attachments/{id}"), format!("/api/v1/attachments/{id}/content")] {
                let r = app.get(&hk, &uri).await;
                assert_eq!((r.status, r.code().as_str()), (StatusCode::NOT_FOUND, "not_found"), "{uri}");
            }
        }
        // Nor may another county attach evidence to this county's entity.
        let r = app.upload(&hk, &[("kind", "photo"), ("entity_id", &hospital)], Some(("c.jpg", &tiny_jpeg(6)))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // The city above sees the county's.
        let hs = app.login("hs_inspector").await;
        assert_eq!(app.get(&hs, &format!("/api/v1/attachments/{of_county}")).await.status, StatusCode::OK);

        // The institution sees its own entity's attachments only.
        let inst = app.login("zq_hospital").await;
        assert_eq!(app.get(&inst, &format!("/api/v1/attachments/{of_hospital}/content")).await.status, StatusCode::OK);
        assert_eq!(app.get(&inst, &format!("/api/v1/attachments/{of_county}")).await.status, StatusCode::NOT_FOUND);
        // Its uploads belong to its own entity, whatever it does not say...
        let own = app.upload(&inst, &[("kind", "photo")], Some(("自查.jpg", &tiny_jpeg(8)))).await;
        assert_eq!(own.status, StatusCode::CREATED);
        assert_eq!(own.json()["entity_id"], hospital.as_str());
        // ...and it cannot attach to another institution.
        let other = app.entity_id("海口市龙华区某口腔门诊部").await;
        let r = app.upload(&inst, &[("kind", "photo"), ("entity_id", &other)], Some(("x.jpg", &tiny_jpeg(10)))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let clinic = app.login("hk_clinic").await;
        let own_id = own.json()["id"].as_str().unwrap().to_string();
        assert_eq!(app.get(&clinic, &format!("/api/v1/attachments/{own_id}")).await.status, StatusCode::NOT_FOUND);
    }

    async fn the_audit_trail_carries_the_hash(db: &TestDb) {
        let app = app(db).await;
        let s = app.login("zq_inspector1").await;
        let up = app.upload(&s, &[("kind", "photo")], Some(("现场.jpg", &tiny_jpeg(11)))).await.json();
        let (id, sha) = (up["id"].as_str().unwrap(), up["sha256"].as_str().unwrap());
        let admin = app.login("zq_admin").await;
        let r = app.get(&admin, &format!("/api/v1/audit?object_type=attachment&object_id={id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json());
        let events = r.json();
        assert_eq!(events.as_array().unwrap().len(), 1);
        assert_eq!(events[0]["action"], "attachment.upload");
        assert_eq!(events[0]["username"], "zq_inspector1");
        assert!(events[0]["summary"].as_str().unwrap().contains(sha), "{}", events[0]);
    }
}
