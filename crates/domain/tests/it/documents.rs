//! Documents through the domain: the demo's numbering, the year from the
//! document's date, and the errors people see.

use chrono::NaiveDate;
use weijian_domain::documents::{self, DocumentKind, Documents, FontConfig};
use weijian_domain::ErrorKind;
use weijian_store::testing::actor;
use weijian_store::units::Unit;
use weijian_store::{both_backends, Actor, Store};

async fn unit(store: &Store, name: &str) -> Unit {
    let all = weijian_store::units::list(store, &Actor::system()).await.unwrap();
    all.into_iter().find(|u| u.name == name).unwrap()
}

both_backends! {
    async fn the_demo_institute_numbers_in_its_bureaus_name_by_the_documents_year(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let s = &db.store;
        let inspector = actor(s, "zq_inspector1").await;
        let institute = unit(s, "枣强县卫生监督所").await;
        let issuer = documents::issuer_for(s, &inspector, institute.id).await.unwrap();
        assert_eq!((issuer.unit_name.as_str(), issuer.code.as_str()), ("枣强县卫生健康局", "枣卫"));
        let date = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let mut tx = s.begin().await.unwrap();
        let n = documents::allocate_number(&mut tx, &inspector, institute.id, DocumentKind::SupervisionOpinion, date, "inspection", "i-1".into())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(n.doc_number.to_string(), "枣卫监意〔2026〕1号");
    }

    async fn a_malformed_issuer_code_is_refused_with_its_field(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let s = &db.store;
        let bureau = unit(s, "枣强县卫生健康局").await;
        let err = documents::set_issuer_code(s, &Actor::system(), bureau.id, "ZQ-1").await.unwrap_err();
        assert_eq!((err.kind, err.code, err.field.as_deref()), (ErrorKind::Invalid, "document.issuer_code_invalid", Some("code")));
    }
}

#[test]
fn a_missing_font_is_unavailable_with_the_package_to_install() {
    let empty = std::env::temp_dir().join(format!("weijian-domain-no-fonts-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let docs = Documents::new(FontConfig::only(None, Some(empty.clone())));
    let err = docs.supervision_opinion(&documents::sample_opinion()).unwrap_err();
    assert_eq!((err.kind, err.code), (ErrorKind::Unavailable, "document.font_missing"));
    assert!(err.message.contains("fonts-noto-cjk"), "{}", err.message);
    std::fs::remove_dir_all(&empty).unwrap();
}

#[test]
fn invalid_document_data_is_an_input_error_not_an_internal_one() {
    let docs = Documents::new(FontConfig::new(None, None));
    let mut data = documents::sample_opinion();
    data.opinion = "  ".into();
    let err = docs.supervision_opinion(&data).unwrap_err();
    assert_eq!((err.kind, err.code), (ErrorKind::Invalid, "document.invalid"));
}
