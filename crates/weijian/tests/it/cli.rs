//! The binary's commands, run as a person would run them.

use crate::common::{text, url_of, weijian};
use std::process::{Command, Output};
use weijian_store::{both_backends, Backend};

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["demo", "--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["admin", "create-user", "--help"],
        vec!["admin", "token", "--help"],
        vec!["admin", "add-region", "--help"],
        vec!["admin", "add-unit", "--help"],
        vec!["admin", "set-issuer-code", "--help"],
        vec!["document", "sample", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["calendar", "add-working-days", "--help"],
        vec!["validate", "--help"],
        vec!["rules", "penalty", "--help"],
        vec!["rules", "violations", "--help"],
    ] {
        let o = weijian(&args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
}

#[test]
fn bad_database_urls_are_fatal_and_create_nothing() {
    let dir = std::env::temp_dir().join(format!("weijian-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let o = weijian(&["migrate", "--database", "mysql://localhost/weijian"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("不支持的数据库地址"), "{}", text(&o));
    let missing = dir.join("typo.db");
    let url = format!("sqlite://{}", missing.display());
    for args in [vec!["serve", "--database", &url], vec!["audit", "verify", "--database", &url]] {
        let o = weijian(&args);
        assert!(!o.status.success(), "{args:?}");
        assert!(text(&o).contains("数据库文件不存在"), "{}", text(&o));
    }
    assert!(!missing.exists(), "no empty database was created");
    let o = weijian(&["migrate", "--database", &format!("sqlite://{}/no/such/dir/x.db", dir.display())]);
    assert!(!o.status.success());
    // migrate creates a new database, and a second run has nothing to do.
    let o = weijian(&["migrate", "--database", &url]);
    assert!(o.status.success(), "{}", text(&o));
    let o = weijian(&["migrate", "--database", &url]);
    assert!(text(&o).contains("已是最新"));
    // A new deployment is set up from the command line.
    for args in [
        vec!["admin", "add-region", "--code", "130000", "--name", "河北省"],
        vec!["admin", "add-region", "--code", "131100", "--name", "衡水市", "--parent", "130000"],
        vec!["admin", "add-unit", "--region", "131100", "--name", "衡水市卫生健康委员会"],
        vec![
            "admin",
            "create-user",
            "--username",
            "hs_first",
            "--name",
            "首位",
            "--role",
            "admin",
            "--unit",
            "衡水市卫生健康委员会",
        ],
    ] {
        let mut args = args.clone();
        args.extend(["--database", &url]);
        let o = weijian(&args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
    for bad in [
        vec!["admin", "add-region", "--code", "13110X", "--name", "坏"],
        vec!["admin", "add-region", "--code", "131127", "--name", "枣强县", "--parent", "139900"],
        vec!["admin", "add-unit", "--region", "999999", "--name", "无"],
    ] {
        let mut args = bad.clone();
        args.extend(["--database", &url]);
        assert!(!weijian(&args).status.success(), "{bad:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

both_backends! {
    async fn audit_verify_names_the_tampered_position(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let url = url_of(db);
        let o = weijian(&["audit", "verify", "--database", &url]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("审计链完整"));
        let s = &db.store;
        match s.backend() {
            Backend::Sqlite => { sqlx::query("DROP TRIGGER audit_events_no_update").execute(s.reader()).await.unwrap(); }
            Backend::Postgres => { sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER USER").execute(s.reader()).await.unwrap(); }
        }
        sqlx::query("UPDATE audit_events SET summary = '改过' WHERE seq = 5").execute(s.reader()).await.unwrap();
        let o = weijian(&["audit", "verify", "--database", &url]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(text(&o).contains("#5"), "{}", text(&o));
    }

    async fn admin_creates_users_and_tokens(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let url = url_of(db);
        let o = weijian(&["admin", "create-user", "--database", &url, "--username", "zq_cli", "--name", "命令行", "--role", "inspector", "--unit", "枣强县卫生监督所"]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("初始密码"));
        let (user, _) = weijian_store::users::credentials(&db.store, "zq_cli").await.unwrap().unwrap();
        assert!(user.must_change_password);
        assert_eq!(user.region_code, "131127");
        let o = weijian(&["admin", "create-user", "--database", &url, "--username", "zq_cli2", "--name", "某", "--role", "emperor", "--unit", "枣强县卫生监督所"]);
        assert!(!o.status.success());
        let o = weijian(&["admin", "token", "--database", &url, "--user", "zq_cli"]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(String::from_utf8_lossy(&o.stdout).trim().starts_with("wj_"));
    }

    async fn calendar_import_extends_the_calendar(db: &TestDb) {
        let url = url_of(db);
        let file = db.dir.join("2027.toml");
        let year = "[[year]]\nyear = 2027\nnotice = \"国务院办公厅关于2027年部分节假日安排的通知\"\n\
            url = \"https://www.gov.cn/2027\"\noff = [{ name = \"元旦\", from = \"2027-01-01\", to = \"2027-01-03\" }]\n\
            work = [{ name = \"春节\", date = \"2027-02-06\" }]\n";
        std::fs::write(&file, year.replace("2027-02-06", "2027-02-08")).unwrap();
        let o = weijian(&["calendar", "import", file.to_str().unwrap(), "--database", &url]);
        assert_eq!(o.status.code(), Some(2), "a Monday cannot be a make-up day");
        assert!(text(&o).contains("calendar.invalid_data"), "{}", text(&o));
        std::fs::write(&file, year).unwrap();
        let o = weijian(&["calendar", "import", file.to_str().unwrap(), "--database", &url]);
        assert!(o.status.success(), "{}", text(&o));
        let o = weijian(&["calendar", "is-working-day", "2027-02-06", "--database", &url]);
        assert!(text(&o).contains("春节调休上班"), "{}", text(&o));
        let o = weijian(&["calendar", "years", "--json", "--database", &url]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v.as_array().unwrap().last().unwrap()["source"], "imported");
        // Without the database only the built-in years are known.
        assert!(text(&weijian(&["calendar", "is-working-day", "2027-02-06"])).contains("calendar.unknown_year"));
        let history = weijian_store::audit::history(&db.store, &weijian_store::Actor::system(), "calendar_year", "2027").await.unwrap();
        assert_eq!(history.len(), 1);
    }

    async fn backup_and_restore_commands_round_trip(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let url = url_of(db);
        let file = db.dir.join("b.tar.gz");
        let o = weijian(&["backup", "--database", &url, "--to", file.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        let target = db.sibling().await.unwrap();
        let o = weijian(&["restore", "--database", &url_of(&target), "--from", file.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        assert_eq!(
            weijian_store::backup::row_counts(&target.store).await.unwrap(),
            weijian_store::backup::row_counts(&db.store).await.unwrap()
        );
        assert_eq!(weijian_store::audit::chain_head(&target.store).await.unwrap(), weijian_store::audit::chain_head(&db.store).await.unwrap());
        target.finish().await;
    }
}

#[test]
fn document_sample_writes_a_pdf_and_a_broken_font_setting_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("weijian-cli-doc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (kind, name) in [("opinion", "opinion.pdf"), ("site-record", "site-record.pdf")] {
        let out = dir.join(name);
        let o = weijian(&["document", "sample", kind, out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF-"));
    }
    let config = dir.join("weijian.toml");
    std::fs::write(&config, "cjk_font = \"/nonexistent/font.ttc\"\n").unwrap();
    let out = dir.join("never.pdf");
    let o = weijian(&["document", "--config", config.to_str().unwrap(), "sample", "opinion", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("document.font_unusable"), "{}", text(&o));
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn calendar_and_validate_commands() {
    let o = weijian(&["calendar", "is-working-day", "2026-02-14"]);
    assert!(text(&o).contains("春节调休上班"), "{}", text(&o));
    let o = weijian(&["calendar", "add-working-days", "2026-09-24", "7", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["due"], "2026-10-12");
    let o = weijian(&["calendar", "add-days", "2026-09-16", "15"]);
    assert!(text(&o).contains("2026-10-08"));
    let o = weijian(&["calendar", "is-working-day", "2031-01-01"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("calendar.unknown_year"));
    assert!(!weijian(&["calendar", "is-working-day", "2026-02-30"]).status.success());
    assert!(weijian(&["validate", "uscc", "914403001922038216"]).status.success());
    let o = weijian(&["validate", "citizen-id", "110105194912310021", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["code"].as_str(), v["position"].as_u64()), (Some("citizen_id.check"), Some(18)));
}

#[test]
fn rules_commands() {
    let o = weijian(&["rules", "violations", "胎儿性别鉴定"]);
    assert!(o.status.success() && text(&o).contains("MCH-003"), "{}", text(&o));
    let o = weijian(&["rules", "violations", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().len() >= 30);

    let o = weijian(&["rules", "penalty", "--violation", "MCH-001", "--illegal-income", "5000", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains(r#""legal":{"min":15000.00,"max":25000.00}"#), "{out}");
    let o = weijian(&[
        "rules",
        "penalty",
        "--violation",
        "MCH-001",
        "--illegal-income",
        "4999.99",
        "--party",
        "citizen",
        "--circumstance",
        "cooperative",
    ]);
    let t = text(&o);
    assert!(t.contains("法定罚款：5000.00元至20000.00元") && t.contains("从轻处罚"), "{t}");

    for (args, code) in [
        (vec!["--violation", "NOPE-1"], "penalty.unknown_violation"),
        (vec!["--violation", "MED-001", "--illegal-income", "-1"], "penalty.negative_amount"),
        (vec!["--violation", "MED-001", "--party", "robot"], "penalty.invalid_party"),
        (vec!["--violation", "MED-001", "--circumstance", "bribery"], "penalty.unknown_circumstance"),
    ] {
        let o = weijian(&[&["rules", "penalty"][..], &args[..]].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(text(&o).contains(code), "{args:?}: {}", text(&o));
    }
    let o = weijian(&["rules", "penalty", "--violation", "MED-001", "--illegal-income", "abc"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("格式不正确"), "{}", text(&o));
}

#[test]
fn a_provinces_own_rules_replace_the_built_in_ones() {
    let dir = std::env::temp_dir().join(format!("weijian-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let builtin = include_str!("../../../rules/data/discretion.toml");
    std::fs::write(
        dir.join("discretion.toml"),
        builtin.replace("lighter = [0, 30], general = [30, 70]", "lighter = [0, 20], general = [20, 70]"),
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_weijian"))
            .args(args)
            .env("WEIJIAN_RULES_DIR", &dir)
            .env_remove("WEIJIAN_DATABASE")
            .env_remove("WEIJIAN_CONFIG")
            .output()
            .unwrap()
    };
    let o = run(&["rules", "penalty", "--violation", "PUB-001", "--circumstance", "cooperative"]);
    assert!(o.status.success(), "{}", text(&o));
    // 500–5000: the province's 从轻 band is 0–20 %, i.e. 500–1400.
    assert!(text(&o).contains("建议罚款：500.00元至1400.00元"), "{}", text(&o));
    std::fs::write(dir.join("points.toml"), "scheme = []").unwrap();
    let o = run(&["rules", "violations"]);
    assert_eq!(o.status.code(), Some(2), "a bad provincial file stops the program");
    assert!(text(&o).contains("记分规则无效"), "{}", text(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_provincial_registry_and_deadline_table_join_the_rules_dir() {
    let dir = std::env::temp_dir().join(format!("weijian-registry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_weijian"))
            .args(args)
            .env("WEIJIAN_RULES_DIR", &dir)
            .env_remove("WEIJIAN_DATABASE")
            .env_remove("WEIJIAN_CONFIG")
            .output()
            .unwrap()
    };
    let due =
        |o: &Output| serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["next_verification_due"].clone();
    let hospital =
        ["rules", "verification", "--kind", "医疗机构执业许可证", "--since", "2026-03-01", "--beds", "200", "--json"];
    // Built in: from 100 beds, every three years.
    let o = run(&hospital);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(due(&o), "2029-02-28");
    // 海口 practises a yearly 年审 whatever the bed count.
    let builtin = include_str!("../../../rules/data/registry.toml");
    let yearly = builtin.replace(
        "verification = { by_beds = true, months_below_100_beds = 12, months_from_100_beds = 36 }",
        "verification = { months = 12 }",
    );
    assert_ne!(yearly, builtin);
    std::fs::write(dir.join("registry.toml"), &yearly).unwrap();
    std::fs::write(dir.join("deadlines.toml"), include_str!("../../../rules/data/deadlines.toml")).unwrap();
    let o = run(&hospital);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(due(&o), "2027-02-28");
    // A broken file stops the program, naming the file and the problem.
    std::fs::write(dir.join("registry.toml"), yearly.replace("months = 12", "months = 0")).unwrap();
    let o = run(&hospital);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("registry.toml") && text(&o).contains("校验周期"), "{}", text(&o));
    std::fs::write(dir.join("registry.toml"), &yearly).unwrap();
    std::fs::write(dir.join("deadlines.toml"), "[[deadline]]\nkey = \"fine_payment\"\n").unwrap();
    let o = run(&["rules", "violations"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("deadlines.toml") && text(&o).contains("法定期限"), "{}", text(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}
