//! Storage tests: every one runs on SQLite and on PostgreSQL.

use weijian_rules::attachments::AttachmentKind;
use weijian_store::attachments::{self, BlobDir};
use weijian_store::audit::{self, Change};
use weijian_store::entities::EntityData;
use weijian_store::testing::{regions, unit, user_in, TestDb, TWO_PROVINCES};
use weijian_store::units::{self, NewUnit, UnitKind};
use weijian_store::users::{self, NewUser};
use weijian_store::{both_backends, entities, Actor, Backend, Role, Store, StoreError};

/// 河北 → 衡水 → 枣强, and 海南 → 海口, each with a bureau.
async fn fixture(store: &Store) -> (units::Unit, units::Unit, units::Unit) {
    regions(store, TWO_PROVINCES).await;
    let zq = unit(store, "131127", "枣强县卫生健康局", UnitKind::Bureau, None).await;
    let hs = unit(store, "131100", "衡水市卫生健康委员会", UnitKind::Bureau, None).await;
    let hk = unit(store, "460100", "海口市卫生健康委员会", UnitKind::Bureau, None).await;
    (zq, hs, hk)
}

both_backends! {
    async fn jurisdiction_scopes_reads_and_writes(db: &TestDb) {
        let s = &db.store;
        let (zq, hs, hk) = fixture(s).await;
        let (_, zq_inspector) = user_in(s, "zq_insp", Role::Inspector, &zq).await;
        let (_, hs_leader) = user_in(s, "hs_leader", Role::Leader, &hs).await;
        let (hk_user, _) = user_in(s, "hk_insp", Role::Inspector, &hk).await;

        // A county inspector cannot see a 海口 unit or user: not found, not forbidden.
        assert!(matches!(units::get(s, &zq_inspector, hk.id).await, Err(StoreError::NotFound)));
        assert!(matches!(users::get(s, &zq_inspector, hk_user.id).await, Err(StoreError::NotFound)));
        let listed: Vec<_> = units::list(s, &zq_inspector).await.unwrap().into_iter().map(|u| u.name).collect();
        assert_eq!(listed, vec!["枣强县卫生健康局"]);

        // The city reads its county below it, but not its sibling province's city.
        assert_eq!(units::get(s, &hs_leader, zq.id).await.unwrap().name, "枣强县卫生健康局");
        assert!(matches!(units::get(s, &hs_leader, hk.id).await, Err(StoreError::NotFound)));

        // Writes: own region only; a leader may not write below; nobody writes elsewhere.
        let new = |region| NewUnit { region_code: region, name: "某卫生监督所", kind: UnitKind::SupervisionInstitute, parent_unit_id: None, phone: None, address: None };
        assert!(matches!(units::create(s, &zq_inspector, new("460100")).await, Err(StoreError::Forbidden(_))));
        assert!(matches!(units::create(s, &hs_leader, new("131127")).await, Err(StoreError::Forbidden(_))));
        units::create(s, &zq_inspector, new("131127")).await.unwrap();

        // An admin of the city may write in the county below, never in 海口.
        let (_, hs_admin) = user_in(s, "hs_admin", Role::Admin, &hs).await;
        units::create(s, &hs_admin, NewUnit { name: "枣强县疾病预防控制中心", ..new("131127") }).await.unwrap();
        assert!(matches!(units::create(s, &hs_admin, new("460100")).await, Err(StoreError::Forbidden(_))));
    }

    async fn institution_user_sees_only_its_own(db: &TestDb) {
        let s = &db.store;
        let (zq, _, _) = fixture(s).await;
        let sys = Actor::system();
        let clinic = entities::create(s, &sys, &EntityData::named("131127", "枣强县某诊所")).await.unwrap();
        let other = entities::create(s, &sys, &EntityData::named("131127", "枣强县另一诊所")).await.unwrap();
        let (colleague, _) = user_in(s, "zq_insp", Role::Inspector, &zq).await;
        let inst = users::create(s, &sys, NewUser {
            username: "clinic", name: "诊所", role: Role::Institution, region_code: "131127",
            unit_id: None, section_id: None, entity_id: Some(clinic.id), phone: None,
            password_hash: "x", must_change_password: false,
        }).await.unwrap();
        let (_, actor) = users::actor_for(s, inst.id, None, None).await.unwrap();
        assert_eq!(entities::get(s, &actor, clinic.id).await.unwrap().data.name, "枣强县某诊所");
        assert!(matches!(entities::get(s, &actor, other.id).await, Err(StoreError::NotFound)));
        assert!(matches!(users::get(s, &actor, colleague.id).await, Err(StoreError::NotFound)));
        assert_eq!(users::list(s, &actor).await.unwrap().len(), 1);
        assert!(units::list(s, &actor).await.unwrap().is_empty());
        assert!(matches!(units::get(s, &actor, zq.id).await, Err(StoreError::NotFound)));
    }

    async fn audit_chain_verifies_and_history_is_scoped(db: &TestDb) {
        let s = &db.store;
        let (zq, _, hk) = fixture(s).await;
        let report = audit::verify_chain(s).await.unwrap();
        assert_eq!(report.first_break, None);
        assert_eq!(report.events, 8);
        assert_eq!(report.head_seq, 8);
        let (_, zq_insp) = user_in(s, "zq_insp", Role::Inspector, &zq).await;
        let own = audit::history(s, &zq_insp, "unit", &zq.id.to_string()).await.unwrap();
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].action, "unit.create");
        assert!(audit::history(s, &zq_insp, "unit", &hk.id.to_string()).await.unwrap().is_empty());
    }

    async fn a_failed_transaction_leaves_no_audit_event(db: &TestDb) {
        let s = &db.store;
        fixture(s).await;
        let before = audit::count_events(s).await.unwrap();
        // Duplicate name: the insert fails after the transaction began.
        let dup = units::create(s, &Actor::system(), NewUnit {
            region_code: "131127", name: "枣强县卫生健康局", kind: UnitKind::Bureau,
            parent_unit_id: None, phone: None, address: None,
        }).await;
        assert!(matches!(dup, Err(StoreError::Conflict { code: "unit.duplicate", .. })));
        // An audit event written and then rolled back leaves nothing either.
        let mut tx = s.begin().await.unwrap();
        tx.audit(&Actor::system(), Change {
            action: "test.rollback", object_type: "test", object_id: "1".into(), region_code: None,
            summary: "回滚".into(), before: None, after: None,
        }).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(audit::count_events(s).await.unwrap(), before);
        assert_eq!(audit::verify_chain(s).await.unwrap().first_break, None);
        // A change without an audit event cannot commit.
        let tx = s.begin().await.unwrap();
        assert!(tx.commit().await.is_err());
    }

    async fn audit_rows_are_append_only(db: &TestDb) {
        let s = &db.store;
        fixture(s).await;
        assert!(sqlx::query("UPDATE audit_events SET summary = 'x' WHERE seq = 1").execute(s.reader()).await.is_err());
        assert!(sqlx::query("DELETE FROM audit_events WHERE seq = 1").execute(s.reader()).await.is_err());
    }

    async fn tampering_is_found_at_its_position(db: &TestDb) {
        for tamper in ["alter", "delete", "insert", "delete_last"] {
            let fresh = db.sibling().await.unwrap();
            let s = &fresh.store;
            s.migrate().await.unwrap();
            fixture(s).await;
            drop_append_only_guard(s).await;
            let sql = match tamper {
                "alter" => "UPDATE audit_events SET summary = '篡改' WHERE seq = 3".to_string(),
                "delete" => "DELETE FROM audit_events WHERE seq = 4".to_string(),
                "delete_last" => "DELETE FROM audit_events WHERE seq = 8".to_string(),
                _ => "INSERT INTO audit_events (seq, id, occurred_at, action, object_type, object_id, summary, prev_hash, hash) \
                      SELECT 9, 'forged', occurred_at, action, object_type, object_id, summary, hash, hash FROM audit_events WHERE seq = 8".to_string(),
            };
            sqlx::query(&sql).execute(s.reader()).await.unwrap();
            let report = audit::verify_chain(s).await.unwrap();
            let brk = report.first_break.unwrap_or_else(|| panic!("{tamper} not detected"));
            let expected = match tamper { "alter" => 3, "delete" => 4, "delete_last" => 8, _ => 9 };
            assert_eq!(brk.seq, expected, "{tamper}: {}", brk.message);
            fresh.finish().await;
        }
    }

    async fn backup_during_writes_restores_equal(db: &TestDb) {
        let s = db.store.clone();
        fixture(&s).await;
        let attachments = db.dir.join("attachments");
        std::fs::create_dir_all(attachments.join("ab")).unwrap();
        std::fs::write(attachments.join("ab/abcdef"), b"evidence").unwrap();
        // And one real attachment, stored by its content.
        let entity = entities::create(&s, &Actor::system(), &EntityData::named("131127", "备份附件单位")).await.unwrap();
        let blobs = BlobDir::new(&attachments);
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR backup evidence".to_vec();
        let mut upload = blobs.upload(AttachmentKind::Photo, 1024);
        upload.push(&png).await.unwrap();
        let staged = upload.finish().await.unwrap();
        let owner = attachments::owner_for(&s, &Actor::system(), Some(entity.id)).await.unwrap();
        let attachment = attachments::create(&s, &Actor::system(), &blobs, staged, &owner, "现场.png").await.unwrap();
        let writer = {
            let s = s.clone();
            tokio::spawn(async move {
                for i in 0..40 {
                    entities::create(&s, &Actor::system(), &EntityData::named("131127", &format!("并发写入单位{i}"))).await.unwrap();
                }
            })
        };
        let file = db.dir.join("backup.tar.gz");
        let manifest = weijian_store::backup::backup(&s, Some(&attachments), &file).await.unwrap();
        writer.await.unwrap();

        let target = db.sibling().await.unwrap();
        let target_attachments = target.dir.join("attachments");
        let restored = weijian_store::backup::restore(&target.store, Some(&target_attachments), &file).await.unwrap();
        assert_eq!(restored, manifest);
        assert_eq!(weijian_store::backup::row_counts(&target.store).await.unwrap(), manifest.tables);
        let (seq, hash) = audit::chain_head(&target.store).await.unwrap();
        assert_eq!((seq, hash), (manifest.audit_head_seq, manifest.audit_head_hash.clone()));
        // The snapshot is consistent: the chain it holds verifies end to end.
        assert_eq!(audit::verify_chain(&target.store).await.unwrap().first_break, None);
        assert_eq!(std::fs::read(target_attachments.join("ab/abcdef")).unwrap(), b"evidence");
        let restored_row = attachments::get(&target.store, &Actor::system(), attachment.id).await.unwrap();
        assert_eq!(restored_row.sha256, attachment.sha256);
        let target_blobs = BlobDir::new(&target_attachments);
        assert_eq!(std::fs::read(target_blobs.path_of(&restored_row.sha256)).unwrap(), png);
        // A second restore into the now non-empty database is refused.
        assert!(weijian_store::backup::restore(&target.store, None, &file).await.is_err());
        target.finish().await;
    }

    async fn every_table_is_listed_for_backup(db: &TestDb) {
        let described = weijian_store::schema::describe(&db.store).await.unwrap();
        let mut listed: Vec<&str> = weijian_store::schema::TABLES.iter().map(|t| t.0).collect();
        listed.sort();
        assert_eq!(described.keys().map(String::as_str).collect::<Vec<_>>(), listed);
    }
}

async fn drop_append_only_guard(s: &Store) {
    let stmts: &[&str] = match s.backend() {
        Backend::Sqlite => &["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"],
        Backend::Postgres => &["ALTER TABLE audit_events DISABLE TRIGGER USER"],
    };
    for sql in stmts {
        sqlx::query(sql).execute(s.reader()).await.unwrap();
    }
}

#[tokio::test]
async fn schema_parity_between_backends() {
    let lite = TestDb::new(Backend::Sqlite).await.unwrap();
    let Some(pg) = TestDb::postgres_or_skip().await else {
        return;
    };
    let a = weijian_store::schema::describe(&lite.store).await.unwrap();
    let b = weijian_store::schema::describe(&pg.store).await.unwrap();
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "tables differ");
    for (table, info) in &a {
        assert_eq!(info.columns, b[table].columns, "columns of {table} differ");
        assert_eq!(info.indexes, b[table].indexes, "indexes of {table} differ");
    }
    lite.finish().await;
    pg.finish().await;
}

#[test]
fn migration_sets_have_the_same_files() {
    let dir = |b: &str| {
        let mut v: Vec<String> = std::fs::read_dir(format!("{}/migrations/{b}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(dir("sqlite"), dir("postgres"));
}

#[test]
fn unknown_database_urls_are_refused() {
    for bad in ["mysql://x/y", "weijian.db", "sqlite://", "sqlite:weijian.db"] {
        assert!(weijian_store::DatabaseUrl::parse(bad).is_err(), "{bad}");
    }
    assert!(weijian_store::DatabaseUrl::parse("sqlite://./weijian.db").is_ok());
}
