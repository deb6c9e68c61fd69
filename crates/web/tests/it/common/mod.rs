//! The HTTP test harness: the whole application on a test database, signed-in
//! sessions, and responses read as JSON or text.
#![allow(dead_code)]

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use tower::ServiceExt;
use weijian_domain::auth::AuthPolicy;
use weijian_store::testing::TestDb;
use weijian_store::Actor;
use weijian_web::{AppState, WebConfig};

pub struct App {
    pub router: Router,
    pub passwords: HashMap<String, String>,
    pub store: weijian_store::Store,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_string()
    }
}

/// A signed-in browser: the session cookie and its CSRF token.
#[derive(Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// The address every test request comes from.
pub const CLIENT_IP: &str = "10.0.0.7";

pub async fn app_with(db: &TestDb, policy: AuthPolicy) -> App {
    let config = WebConfig { attachments_dir: Some(db.dir.join("attachments")), ..WebConfig::default() };
    app_with_config(db, policy, config).await
}

/// The application with its own configuration (e.g. small attachment limits).
pub async fn app_with_config(db: &TestDb, policy: AuthPolicy, config: WebConfig) -> App {
    let accounts = weijian_demo::seed(&db.store).await.unwrap();
    let state = AppState::new(db.store.clone(), policy, config);
    let router = weijian_web::app(state).layer(MockConnectInfo(SocketAddr::new(CLIENT_IP.parse().unwrap(), 40000)));
    App { router, passwords: accounts.into_iter().map(|a| (a.username, a.password)).collect(), store: db.store.clone() }
}

pub async fn app(db: &TestDb) -> App {
    app_with(db, AuthPolicy::default()).await
}

impl App {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Resp { status, headers, body }
    }

    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        session: Option<&Session>,
        csrf: bool,
        body: Option<Value>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(s) = session {
            b = b.header(header::COOKIE, &s.cookie);
            if csrf {
                b = b.header("x-csrf-token", &s.csrf);
            }
        }
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(b.body(body).unwrap()).await
    }

    /// A browser form post (urlencoded, its CSRF token among the fields when signed in).
    pub async fn form(&self, uri: &str, s: Option<&Session>, fields: &[(&str, &str)]) -> Resp {
        let mut body = form_urlencoded::Serializer::new(String::new());
        if let Some(s) = s {
            body.append_pair("csrf_token", &s.csrf);
        }
        for (k, v) in fields {
            body.append_pair(k, v);
        }
        let mut b = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(s) = s {
            b = b.header(header::COOKIE, &s.cookie);
        }
        self.send(b.body(Body::from(body.finish())).unwrap()).await
    }

    /// Where a redirect points.
    pub fn location(r: &Resp) -> String {
        r.headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }

    pub async fn get(&self, uri: &str, s: Option<&Session>) -> Resp {
        self.call(Method::GET, uri, s, false, None).await
    }

    /// A JSON POST by a signed-in browser (with its CSRF token).
    pub async fn post(&self, uri: &str, s: &Session, body: Value) -> Resp {
        self.call(Method::POST, uri, Some(s), true, Some(body)).await
    }

    /// A form post with a body already urlencoded, by a signed-in browser.
    pub async fn form_raw(&self, uri: &str, s: &Session, body: &str) -> Resp {
        let req = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::COOKIE, &s.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf_token={}&{body}", s.csrf)))
            .unwrap();
        self.send(req).await
    }

    pub async fn login_resp(&self, username: &str, password: &str) -> Resp {
        self.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            false,
            Some(json!({"username": username, "password": password})),
        )
        .await
    }

    pub async fn login(&self, username: &str) -> Session {
        let r = self.login_resp(username, &self.passwords[username]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        session_of(&r)
    }

    /// The first entity whose name matches `name` (the registry's search).
    pub async fn id_of_entity(&self, name: &str) -> String {
        let q = weijian_store::entities::Query { q: Some(name.into()), ..Default::default() };
        weijian_store::entities::list(&self.store, &Actor::system(), &q).await.unwrap().items[0].id.to_string()
    }

    pub async fn id_of_unit(&self, name: &str) -> String {
        let units = weijian_store::units::list(&self.store, &Actor::system()).await.unwrap();
        units.into_iter().find(|u| u.name == name).unwrap().id.to_string()
    }

    /// Uploads a photo of an entity as multipart, as a phone would.
    pub async fn upload_photo(&self, s: &Session, entity_id: &str, bytes: &[u8]) -> Resp {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/attachments")
            .header(header::COOKIE, &s.cookie)
            .header("x-csrf-token", &s.csrf)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(Body::from(multipart(&[("kind", "photo"), ("entity_id", entity_id)], Some(("现场.jpg", bytes)))))
            .unwrap();
        self.send(req).await
    }

    pub async fn id_of_user(&self, username: &str) -> String {
        weijian_store::users::credentials(&self.store, username).await.unwrap().unwrap().0.id.to_string()
    }
}

pub fn session_of(r: &Resp) -> Session {
    let set = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
    let cookie = set.split(';').next().unwrap().to_string();
    let csrf = r.json()["csrf_token"].as_str().unwrap_or_default().to_string();
    Session { cookie, csrf }
}

pub const BOUNDARY: &str = "weijian-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart body: text fields, then the file part when given, in that order.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        // The declared Content-Type is a lie on purpose: it must not matter.
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                 Content-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A real 1×1 grey baseline JPEG: quantisation table, frame, one-code Huffman
/// tables, and a scan of one block (DC difference 0, then end of block).
pub fn tiny_jpeg(shade: u8) -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8];
    j.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
    j.extend(std::iter::repeat_n(shade.max(1), 64));
    j.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00]);
    for class in [0x00, 0x10] {
        j.extend_from_slice(&[0xFF, 0xC4, 0x00, 0x14, class, 1]);
        j.extend_from_slice(&[0; 15]);
        j.push(0x00);
    }
    j.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
    j.push(0x3F);
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

/// A one-item list (public places, two check points pointing at catalog codes).
pub fn item_list_content() -> Value {
    json!({"items": [{
        "code": "GG-01",
        "name": "公共场所卫生管理情况",
        "specialty": "public_places",
        "target_categories": ["public_place", "medical_institution"],
        "content": "卫生许可证、从业人员健康合格证明、卫生检测",
        "method": "on_site",
        "legal_basis": "《公共场所卫生管理条例》",
        "checklist": [
            {"text": "是否持有有效的《公共场所卫生许可证》", "legal_basis": "条例第八条", "violation_code": "PUB-001"},
            {"text": "从业人员是否取得有效健康合格证明", "violation_code": "PUB-003"}
        ]
    }]})
}

/// A published item list and a drawn plan over every entity in scope; the plan's id.
pub async fn drawn_plan(app: &App, chief: &Session) -> String {
    let today = weijian_domain::input::today();
    let institute = app.id_of_unit("枣强县卫生监督所").await;
    let r = app
        .call(Method::POST, "/api/v1/inspection-item-lists", Some(chief), true, Some(json!({"unit_id": institute})))
        .await;
    let list_id = r.json()["id"].as_str().unwrap().to_string();
    app.call(
        Method::PUT,
        &format!("/api/v1/inspection-item-lists/{list_id}"),
        Some(chief),
        true,
        Some(json!({"title": "清单", "content": item_list_content()})),
    )
    .await;
    app.call(
        Method::POST,
        &format!("/api/v1/inspection-item-lists/{list_id}/publish"),
        Some(chief),
        true,
        Some(json!({"effective_on": today.to_string()})),
    )
    .await;
    let plan = json!({
        "unit_id": institute, "name": "整改流程计划", "item_list_id": list_id, "items": ["GG-01"],
        "period_from": today.to_string(), "period_until": (today + chrono::Days::new(90)).to_string(),
        "due_on": (today + chrono::Days::new(60)).to_string(),
        "ratios": {"A": 1000, "B": 1000, "C": 1000, "D": 1000, "N": 1000},
        "pool_specialties": ["public_places", "medical_services", "drinking_water"]
    });
    let id = app.call(Method::POST, "/api/v1/random-plans", Some(chief), true, Some(plan)).await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for step in ["publish", "freeze"] {
        let r = app.call(Method::POST, &format!("/api/v1/random-plans/{id}/{step}"), Some(chief), true, None).await;
        assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.text());
    }
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/random-plans/{id}/draw"),
            Some(chief),
            true,
            Some(json!({"beacon": "7 7 7", "beacon_source": "测试"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    id
}
