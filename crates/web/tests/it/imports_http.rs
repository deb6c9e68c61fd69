//! The import and export routes over HTTP, on both backends: uploads (raw and
//! multipart), progress, problem reports, templates, exports, the page, and
//! every way an upload can be refused — for the registries and duty lists.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::Value;
use weijian_store::duty_lists::{DutyList, ListFilter};
use weijian_store::testing::{uscc, TestDb};
use weijian_store::{both_backends, Actor};

impl App {
    /// A raw-body upload through the API.
    async fn upload(&self, uri: &str, s: &Session, bytes: Vec<u8>) -> Resp {
        let req = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::COOKIE, &s.cookie)
            .header("x-csrf-token", &s.csrf)
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(bytes))
            .unwrap();
        self.send(req).await
    }

    /// Polls a job until it stops running.
    async fn wait(&self, id: &str, s: &Session) -> Value {
        for _ in 0..600 {
            let j = self.get(&format!("/api/v1/imports/{id}"), Some(s)).await.json();
            if !["validating", "ready", "importing"].contains(&j["status"].as_str().unwrap()) {
                return j;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("job {id} did not finish");
    }
}

fn entities_csv(rows: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut s = String::from("名称,统一社会信用代码,行政区划代码,类别\r\n");
    for (name, uscc, category) in rows {
        s.push_str(&format!("{name},{uscc},131127,{category}\r\n"));
    }
    s.into_bytes()
}

fn multipart(boundary: &str, fields: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, file, value) in fields {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n")
                    .as_bytes(),
            ),
            None => out.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// A unit's id and its versions, newest first.
async fn unit_lists(db: &TestDb, name: &str) -> (String, Vec<DutyList>) {
    let sys = Actor::system();
    let unit = weijian_store::units::list(&db.store, &sys).await.unwrap().into_iter().find(|u| u.name == name).unwrap();
    let filter = ListFilter { unit_id: Some(unit.id), region_code: None };
    (unit.id.to_string(), weijian_store::duty_lists::list(&db.store, &sys, &filter).await.unwrap())
}

fn duty_csv(rows: &[&str]) -> Vec<u8> {
    let headers = weijian_exchange::duty_lists::headers().join(",");
    let mut s = format!("{headers}\r\n");
    let width = weijian_exchange::duty_lists::headers().len();
    for r in rows {
        let mut cells: Vec<&str> = r.split(',').collect();
        cells.resize(width, "");
        s.push_str(&cells.join(","));
        s.push_str("\r\n");
    }
    s.into_bytes()
}

both_backends! {
    async fn duty_lists_go_in_and_out_with_clear_codes(db: &TestDb) {
        let app = app(db).await;
        let admin = app.login("zq_admin").await;
        let (zq, zq_lists) = unit_lists(db, "枣强县卫生健康局").await;
        let (draft, published) = (&zq_lists[0], &zq_lists[1]);
        let (hk, hk_lists) = unit_lists(db, "海口市卫生健康委员会").await;
        // 部分, 序号, 主要职责, 职责依据, 具体工作事项 ...
        let ok = duty_csv(&["职责事项,9,统筹行业综合监管,,汇总监督执法数据"]);
        for (uri, status, code) in [
            ("/api/v1/imports/duty-lists".to_string(), StatusCode::UNPROCESSABLE_ENTITY, "duty_list.unit_required"),
            ("/api/v1/imports/duty-lists?unit_id=nonsense".into(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_id"),
            (format!("/api/v1/imports/duty-lists?duty_list_id={}", published.id), StatusCode::CONFLICT, "duty_list.published_immutable"),
            (format!("/api/v1/imports/duty-lists?unit_id={hk}"), StatusCode::NOT_FOUND, "not_found"),
            (format!("/api/v1/imports/duty-lists?duty_list_id={}", hk_lists[0].id), StatusCode::NOT_FOUND, "not_found"),
        ] {
            let r = app.upload(&uri, &admin, ok.clone()).await;
            assert_eq!((r.status, r.code().as_str()), (status, code), "{uri}: {}", r.text());
        }
        // An inspector reads lists but may not import them.
        let inspector = app.login("zq_inspector1").await;
        let r = app.upload(&format!("/api/v1/imports/duty-lists?unit_id={zq}"), &inspector, ok.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // A leader edits duty lists: the import lands in the unit's draft.
        let leader = app.login("zq_leader").await;
        let r = app.upload(&format!("/api/v1/imports/duty-lists?unit_id={zq}&filename=d.csv"), &leader, ok.clone()).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
        let done = app.wait(r.json()["id"].as_str().unwrap(), &leader).await;
        assert_eq!((done["status"].as_str(), done["created_rows"].as_i64()), (Some("done"), Some(1)), "{done}");
        assert_eq!(done["kind"], "duty-lists");
        let (_, now) = unit_lists(db, "枣强县卫生健康局").await;
        assert_eq!(now[0].id, draft.id);
        assert!(now[0].content.duties.iter().any(|d| d.name == "统筹行业综合监管"));
        assert_eq!(now[1].content, published.content);

        // A bad workbook: the report names worksheet, row and column.
        let mut content = published.content.clone();
        content.public_services[0].phone = "电话待定".into();
        let xlsx = weijian_exchange::duty_lists::workbook(Some(&content)).unwrap();
        let r = app.upload(&format!("/api/v1/imports/duty-lists?duty_list_id={}&filename=d.xlsx", draft.id), &admin, xlsx).await;
        let id = r.json()["id"].as_str().unwrap().to_string();
        let failed = app.wait(&id, &admin).await;
        assert_eq!(failed["status"], "failed");
        let p = &failed["problems"][0];
        assert_eq!((p["sheet"].as_str(), p["row"].as_i64(), p["column"].as_str()), (Some("公共服务"), Some(2), Some("联系电话")), "{failed}");
        assert_eq!(p["code"], "duty_list.invalid_phone");
        let report = app.get(&format!("/api/v1/imports/{id}/problems.csv"), Some(&admin)).await;
        assert!(report.text().contains("工作表,行号,列,值,问题"), "{}", report.text());

        // Exports: one version; none named is 422, another county's is 404.
        let x = app.get(&format!("/api/v1/exports/duty-lists.xlsx?duty_list_id={}", published.id), Some(&admin)).await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.body.starts_with(b"PK"));
        let c = app.get(&format!("/api/v1/exports/duty-lists.csv?unit_id={zq}"), Some(&admin)).await;
        assert_eq!(c.status, StatusCode::OK);
        assert!(c.text().starts_with("\u{feff}部分,序号,主要职责") && c.text().contains("统筹行业综合监管"), "{}", c.text());
        for (uri, status, code) in [
            ("/api/v1/exports/duty-lists.csv".to_string(), StatusCode::UNPROCESSABLE_ENTITY, "duty_list.version_required"),
            ("/api/v1/exports/duty-lists.csv?unit_id=nonsense".into(), StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_id"),
            (format!("/api/v1/exports/duty-lists.xlsx?duty_list_id={}", hk_lists[0].id), StatusCode::NOT_FOUND, "not_found"),
            (format!("/api/v1/exports/duty-lists.xlsx?unit_id={hk}"), StatusCode::NOT_FOUND, "not_found"),
        ] {
            let r = app.get(&uri, Some(&admin)).await;
            assert_eq!((r.status, r.code().as_str()), (status, code), "{uri}: {}", r.text());
        }
        // Templates.
        assert!(app.get("/api/v1/templates/duty-lists.xlsx", Some(&admin)).await.body.starts_with(b"PK"));
        let t = app.get("/api/v1/templates/duty-lists.csv", Some(&admin)).await;
        assert!(t.text().contains("部分") && t.text().contains("职责边界") && t.text().contains("公共服务"));

        // The page offers the kind and the unit, and imports from the form.
        let page = app.get("/imports", Some(&admin)).await.text();
        assert!(page.contains("value=\"duty-lists\"") && page.contains(&format!("value=\"{zq}\"")), "{page}");
        let unit = zq.clone().into_bytes();
        let body = multipart("b0undary", &[("kind", None, b"duty-lists"), ("unit_id", None, &unit), ("file", Some("d.csv"), &ok)]);
        let req = Request::post(format!("/imports?csrf_token={}", admin.csrf))
            .header(header::COOKIE, &admin.cookie)
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=b0undary")
            .body(Body::from(body))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let id = r.headers.get(header::LOCATION).unwrap().to_str().unwrap().trim_start_matches("/imports/").to_string();
        let again = app.wait(&id, &admin).await;
        assert_eq!((again["status"].as_str(), again["unchanged_rows"].as_i64()), (Some("done"), Some(1)), "{again}");
    }

    async fn upload_follow_download_and_export(db: &TestDb) {
        let app = app(db).await;
        let admin = app.login("zq_admin").await;
        let a = uscc(1, "131127");
        let file = entities_csv(&[("枣强县甲医院", &a, "其他"), ("枣强县乙诊所", &uscc(2, "131127"), "其他")]);
        let r = app.upload("/api/v1/imports/entities?filename=e.csv", &admin, file.clone()).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
        let id = r.json()["id"].as_str().unwrap().to_string();
        assert_eq!(r.headers.get(header::LOCATION).unwrap(), &format!("/api/v1/imports/{id}"));
        let done = app.wait(&id, &admin).await;
        assert_eq!((done["status"].as_str(), done["created_rows"].as_i64()), (Some("done"), Some(2)), "{done}");
        assert_eq!(done["file_name"], "e.csv");
        // Again: nothing new.
        let r = app.upload("/api/v1/imports/entities?filename=e.csv&mode=all_or_nothing", &admin, file).await;
        let again = app.wait(r.json()["id"].as_str().unwrap(), &admin).await;
        assert_eq!((again["created_rows"].as_i64(), again["unchanged_rows"].as_i64()), (Some(0), Some(2)));

        // A bad file: the job fails and its report names row and column.
        let bad = entities_csv(&[("丙", "91131127MA0000000X", "其他"), ("丁", &uscc(4, "131127"), "宠物店")]);
        let r = app.upload("/api/v1/imports/entities?filename=bad.csv", &admin, bad).await;
        let id = r.json()["id"].as_str().unwrap().to_string();
        let failed = app.wait(&id, &admin).await;
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["problems"][0]["row"], 2);
        assert_eq!(failed["problems"][0]["column"], "统一社会信用代码");
        assert_eq!(failed["problems"][1]["column"], "类别");
        let report = app.get(&format!("/api/v1/imports/{id}/problems.csv"), Some(&admin)).await;
        assert_eq!(report.status, StatusCode::OK);
        assert!(report.body.starts_with(b"\xEF\xBB\xBF"));
        assert!(report.text().contains("行号,列,值,问题"), "{}", report.text());
        assert!(report.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().contains("filename*=UTF-8''"));
        let xlsx = app.get(&format!("/api/v1/imports/{id}/problems.xlsx"), Some(&admin)).await;
        assert!(xlsx.body.starts_with(b"PK"));
        assert_eq!(app.get(&format!("/api/v1/imports/{id}/problems.pdf"), Some(&admin)).await.status, StatusCode::NOT_FOUND);

        // Another jurisdiction sees neither the job nor the data.
        let hk = app.login("hk_admin").await;
        assert_eq!(app.get(&format!("/api/v1/imports/{id}"), Some(&hk)).await.status, StatusCode::NOT_FOUND);
        let theirs = app.get("/api/v1/exports/entities.csv", Some(&hk)).await;
        assert!(!theirs.text().contains("枣强县甲医院"));
        let ours = app.get("/api/v1/exports/entities.csv", Some(&admin)).await;
        assert_eq!(ours.status, StatusCode::OK);
        assert!(ours.body.starts_with(b"\xEF\xBB\xBF") && ours.text().contains("枣强县甲医院"));
        let filtered = app.get("/api/v1/exports/entities.xlsx?q=%E4%B9%99", Some(&admin)).await;
        assert!(filtered.body.starts_with(b"PK"));
        assert_eq!(app.get("/api/v1/exports/licences.csv", Some(&admin)).await.status, StatusCode::OK);

        // Templates.
        for (uri, status) in [
            ("/api/v1/templates/entities.xlsx", StatusCode::OK),
            ("/api/v1/templates/licences.csv", StatusCode::OK),
            ("/api/v1/templates/practitioners.xlsx", StatusCode::OK),
            ("/api/v1/templates/inspectors.csv", StatusCode::OK),
            ("/api/v1/exports/inspectors.xlsx?specialty=school_health", StatusCode::OK),
            ("/api/v1/exports/inspectors.csv?specialty=astrology", StatusCode::UNPROCESSABLE_ENTITY),
            ("/api/v1/templates/pets.csv", StatusCode::NOT_FOUND),
            ("/api/v1/templates/entities.pdf", StatusCode::NOT_FOUND),
            ("/api/v1/exports/pets.xlsx", StatusCode::NOT_FOUND),
        ] {
            assert_eq!(app.get(uri, Some(&admin)).await.status, status, "{uri}");
        }
        let t = app.get("/api/v1/templates/entities.csv", Some(&admin)).await;
        assert!(t.text().contains("统一社会信用代码") && t.text().contains("床位数"));
        // Practitioner exports carry 身份证号 masked only.
        let p = app.get("/api/v1/exports/practitioners.csv?practitioner_kind=nurse", Some(&admin)).await;
        assert_eq!(p.status, StatusCode::OK);
        let text = p.text();
        assert!(text.starts_with("\u{feff}姓名,身份证号"), "{text}");
        for line in text.lines().skip(1) {
            let id = line.split(',').nth(1).unwrap_or_default();
            assert!(id.contains("**********"), "{line}");
        }
    }

    async fn uploads_are_refused_with_clear_errors(db: &TestDb) {
        let app = app(db).await;
        let admin = app.login("zq_admin").await;
        let ok = entities_csv(&[("甲", &uscc(1, "131127"), "其他")]);
        let r = app.upload("/api/v1/imports/pets", &admin, ok.clone()).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "import.unknown_kind".to_string()));
        let r = app.upload("/api/v1/imports/entities?mode=sometimes", &admin, ok.clone()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "import.invalid_mode".to_string()));
        let r = app.upload("/api/v1/imports/entities", &admin, Vec::new()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "import.empty_file".to_string()));
        let r = app.upload("/api/v1/imports/entities?filename=a.png", &admin, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0".to_vec()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "import.not_spreadsheet".to_string()));
        let r = app.upload("/api/v1/imports/entities?filename=a.xlsx", &admin, b"PK\x03\x04broken".to_vec()).await;
        assert_eq!(r.code(), "import.not_spreadsheet");
        // Over the import limit: 413. Over the global 1 MiB but under it: accepted.
        let r = app.upload("/api/v1/imports/entities", &admin, vec![b'a'; 50 * 1024 * 1024 + 1]).await;
        assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "request.too_large".to_string()));
        let mut big = String::from("名称,统一社会信用代码,行政区划代码,类别\r\n");
        let mut i = 0;
        while big.len() < 2 * 1024 * 1024 {
            big.push_str(&format!("单位{i},,131127,不存在的类别\r\n"));
            i += 1;
        }
        let r = app.upload("/api/v1/imports/entities?filename=big.csv", &admin, big.into_bytes()).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
        let j = app.wait(r.json()["id"].as_str().unwrap(), &admin).await;
        assert_eq!(j["status"], "failed");
        // The API needs the CSRF header with a session, and the right role.
        let req = Request::post("/api/v1/imports/entities").header(header::COOKIE, &admin.cookie).body(Body::from(ok.clone())).unwrap();
        assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
        let leader = app.login("zq_leader").await;
        assert_eq!(app.upload("/api/v1/imports/entities", &leader, ok.clone()).await.status, StatusCode::FORBIDDEN);
        // Multipart through the API, the mode as a field.
        let body = multipart("XyZ", &[("mode", None, b"clean_rows_only"), ("file", Some("m.csv"), &ok)]);
        let req = Request::post("/api/v1/imports/entities")
            .header(header::COOKIE, &admin.cookie)
            .header("x-csrf-token", &admin.csrf)
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XyZ")
            .body(Body::from(body))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
        assert_eq!((r.json()["mode"].as_str(), r.json()["file_name"].as_str()), (Some("clean_rows_only"), Some("m.csv")));
        app.wait(r.json()["id"].as_str().unwrap(), &admin).await;
    }

    async fn the_page_uploads_and_shows_progress(db: &TestDb) {
        let app = app(db).await;
        let admin = app.login("zq_admin").await;
        let page = app.get("/imports", Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("导入导出") && page.text().contains("enctype=\"multipart/form-data\""));
        let file = entities_csv(&[("甲", &uscc(1, "131127"), "其他")]);
        let body = multipart("b0undary", &[("kind", None, b"entities"), ("mode", None, b"all_or_nothing"), ("file", Some("甲.csv"), &file)]);
        let post = |uri: String| {
            Request::post(uri)
                .header(header::COOKIE, &admin.cookie)
                .header(header::CONTENT_TYPE, "multipart/form-data; boundary=b0undary")
                .body(Body::from(body.clone()))
                .unwrap()
        };
        // Without the token in the action URL: refused.
        assert_eq!(app.send(post("/imports".into())).await.status, StatusCode::FORBIDDEN);
        let r = app.send(post(format!("/imports?csrf_token={}", admin.csrf))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let location = r.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_string();
        let id = location.trim_start_matches("/imports/").to_string();
        app.wait(&id, &admin).await;
        let job = app.get(&location, Some(&admin)).await;
        assert_eq!(job.status, StatusCode::OK);
        assert!(job.text().contains("<progress") && job.text().contains("新增 1 行"), "{}", job.text());
        assert!(job.headers.get(header::REFRESH).is_none(), "a finished job stops refreshing");
        // An empty file is shown on the form again.
        let empty = multipart("b0undary", &[("kind", None, b"entities"), ("file", Some("e.csv"), b"")]);
        let req = Request::post(format!("/imports?csrf_token={}", admin.csrf))
            .header(header::COOKIE, &admin.cookie)
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=b0undary")
            .body(Body::from(empty))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("文件为空"));
        assert!(app.get("/imports", Some(&admin)).await.text().contains("甲.csv"));
    }
}
