//! Document numbers (文号): every test runs on SQLite and on PostgreSQL.

use weijian_rules::documents::{DocumentKind, IssuerCode};
use weijian_store::documents::{self, NumberRequest};
use weijian_store::testing::{regions, unit, user_in, TWO_PROVINCES};
use weijian_store::units::{Unit, UnitKind};
use weijian_store::{audit, both_backends, Actor, Role, Store, StoreError};

struct Fixture {
    /// 枣强县卫生健康局, code 枣卫.
    bureau: Unit,
    /// 枣强县卫生监督所 under the bureau, no code of its own.
    institute: Unit,
    /// 海口市卫生健康委员会, no code.
    haikou: Unit,
}

async fn fixture(store: &Store) -> Fixture {
    let sys = Actor::system();
    regions(store, TWO_PROVINCES).await;
    let bureau = unit(store, "131127", "枣强县卫生健康局", UnitKind::Bureau, None).await;
    let institute = unit(store, "131127", "枣强县卫生监督所", UnitKind::SupervisionInstitute, Some(bureau.id)).await;
    let haikou = unit(store, "460100", "海口市卫生健康委员会", UnitKind::Bureau, None).await;
    documents::set_issuer_code(store, &sys, bureau.id, &IssuerCode::parse("枣卫").unwrap()).await.unwrap();
    Fixture { bureau, institute, haikou }
}

fn request(unit: &Unit, kind: DocumentKind, year: i32, object_id: &str) -> NumberRequest<'static> {
    NumberRequest { unit_id: unit.id, kind, year, object_type: "inspection", object_id: object_id.into() }
}

/// Allocates and commits in one transaction of its own.
async fn issue(store: &Store, actor: &Actor, req: NumberRequest<'_>) -> Result<String, StoreError> {
    let mut tx = store.begin().await?;
    let issued = documents::allocate(&mut tx, actor, req).await?;
    tx.commit().await?;
    Ok(issued.doc_number.to_string())
}

both_backends! {
    async fn numbers_run_per_unit_kind_and_year_and_read_like_the_bureaus(db: &TestDb) {
        let f = fixture(&db.store).await;
        let sys = Actor::system();
        let s = &db.store;
        assert_eq!(issue(s, &sys, request(&f.bureau, DocumentKind::SupervisionOpinion, 2026, "a")).await.unwrap(), "枣卫监意〔2026〕1号");
        assert_eq!(issue(s, &sys, request(&f.bureau, DocumentKind::SupervisionOpinion, 2026, "b")).await.unwrap(), "枣卫监意〔2026〕2号");
        // Another kind and another year start their own series.
        assert_eq!(issue(s, &sys, request(&f.bureau, DocumentKind::SiteRecord, 2026, "a")).await.unwrap(), "枣卫监笔〔2026〕1号");
        assert_eq!(issue(s, &sys, request(&f.bureau, DocumentKind::SupervisionOpinion, 2027, "c")).await.unwrap(), "枣卫监意〔2027〕1号");
        // The institute has no code: it issues in the bureau's name, in the bureau's series.
        assert_eq!(issue(s, &sys, request(&f.institute, DocumentKind::SupervisionOpinion, 2026, "d")).await.unwrap(), "枣卫监意〔2026〕3号");
        let listed = documents::issued(s, &sys, f.bureau.id, DocumentKind::SupervisionOpinion, 2026).await.unwrap();
        let numbers: Vec<String> = listed.iter().map(|n| n.doc_number.to_string()).collect();
        assert_eq!(numbers, ["枣卫监意〔2026〕1号", "枣卫监意〔2026〕2号", "枣卫监意〔2026〕3号"]);
        assert_eq!(listed[2].object_id, "d");
    }

    async fn a_rolled_back_document_gives_its_number_back(db: &TestDb) {
        let f = fixture(&db.store).await;
        let sys = Actor::system();
        let events_before = audit::count_events(&db.store).await.unwrap();
        let mut tx = db.store.begin().await.unwrap();
        let taken = documents::allocate(&mut tx, &sys, request(&f.bureau, DocumentKind::SupervisionOpinion, 2026, "x")).await.unwrap();
        assert_eq!(taken.doc_number.number, 1);
        tx.rollback().await.unwrap();
        assert_eq!(audit::count_events(&db.store).await.unwrap(), events_before, "the audit event went with it");
        let again = issue(&db.store, &sys, request(&f.bureau, DocumentKind::SupervisionOpinion, 2026, "x")).await.unwrap();
        assert_eq!(again, "枣卫监意〔2026〕1号");
    }

    async fn twenty_concurrent_allocations_give_one_to_twenty(db: &TestDb) {
        let f = fixture(&db.store).await;
        let mut tasks = vec![];
        for i in 0..20 {
            let store = db.store.clone();
            let unit = f.bureau.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                let n = documents::allocate(&mut tx, &Actor::system(), request(&unit, DocumentKind::SupervisionOpinion, 2026, &i.to_string()))
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                n.doc_number.number
            }));
        }
        let mut got = vec![];
        for t in tasks {
            got.push(t.await.unwrap());
        }
        got.sort();
        assert_eq!(got, (1..=20).collect::<Vec<u32>>(), "no gaps, no duplicates");
        let listed = documents::issued(&db.store, &Actor::system(), f.bureau.id, DocumentKind::SupervisionOpinion, 2026).await.unwrap();
        assert_eq!(listed.len(), 20);
        assert_eq!(audit::verify_chain(&db.store).await.unwrap().first_break, None);
    }

    async fn the_allocation_is_audited_in_its_transaction(db: &TestDb) {
        let f = fixture(&db.store).await;
        let inspector = user_in(&db.store, "zq_inspector", Role::Inspector, &f.institute).await.1;
        let mut tx = db.store.begin().await.unwrap();
        let issued = documents::allocate(&mut tx, &inspector, request(&f.institute, DocumentKind::SiteRecord, 2026, "i1")).await.unwrap();
        tx.commit().await.unwrap();
        let history = audit::history(&db.store, &Actor::system(), "document_number", &issued.id.to_string()).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].action, "document_number.issue");
        assert_eq!(history[0].username.as_deref(), Some("zq_inspector"));
        assert!(history[0].summary.contains("枣卫监笔〔2026〕1号"), "{}", history[0].summary);
    }

    async fn a_document_is_numbered_once(db: &TestDb) {
        let f = fixture(&db.store).await;
        let sys = Actor::system();
        issue(&db.store, &sys, request(&f.bureau, DocumentKind::SupervisionOpinion, 2026, "same")).await.unwrap();
        let err = issue(&db.store, &sys, request(&f.bureau, DocumentKind::SupervisionOpinion, 2026, "same")).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { code: "document.already_numbered", .. }), "{err:?}");
        // The refused attempt rolled back with its transaction: the next number is 2, not 3.
        let next = issue(&db.store, &sys, request(&f.bureau, DocumentKind::SupervisionOpinion, 2026, "other")).await.unwrap();
        assert_eq!(next, "枣卫监意〔2026〕2号");
    }

    async fn a_unit_without_a_code_is_told_to_set_one(db: &TestDb) {
        let f = fixture(&db.store).await;
        let err = issue(&db.store, &Actor::system(), request(&f.haikou, DocumentKind::SupervisionOpinion, 2026, "h")).await.unwrap_err();
        match err {
            StoreError::Conflict { code, message } => {
                assert_eq!(code, "document.issuer_code_missing");
                assert!(message.contains("海口市卫生健康委员会"), "{message}");
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    async fn numbering_stays_within_jurisdiction(db: &TestDb) {
        let f = fixture(&db.store).await;
        let outsider = user_in(&db.store, "hk_inspector", Role::Inspector, &f.haikou).await.1;
        let err = issue(&db.store, &outsider, request(&f.bureau, DocumentKind::SupervisionOpinion, 2026, "o")).await.unwrap_err();
        assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
        assert!(matches!(
            documents::issuer_for(&db.store, &outsider, f.bureau.id).await,
            Err(StoreError::NotFound)
        ));
        let err = documents::set_issuer_code(&db.store, &outsider, f.bureau.id, &IssuerCode::parse("海卫").unwrap()).await.unwrap_err();
        assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
        let listed = documents::issued(&db.store, &outsider, f.bureau.id, DocumentKind::SupervisionOpinion, 2026).await.unwrap();
        assert!(listed.is_empty());
    }
}
