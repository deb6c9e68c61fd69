//! The working-day calendar through the domain, on both backends: who may
//! import a year, what a bad year gets, and the audit of each import.

use weijian_domain::calendar::{import, load};
use weijian_domain::ErrorKind;
use weijian_store::testing::actor;
use weijian_store::{audit, both_backends, Actor};

const Y2027: &str = r#"
[[year]]
year = 2027
notice = "国务院办公厅关于2027年部分节假日安排的通知"
url = "https://www.gov.cn/zhengce/content/2027.htm"
off = [{ name = "元旦", from = "2027-01-01", to = "2027-01-03" }]
work = [{ name = "春节", date = "2027-02-06" }]
"#;

both_backends! {
    async fn an_admin_imports_a_new_year_audited(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let before = load(&db.store).await.unwrap();
        assert!(!before.knows(2027));

        // A county administrator may not change the national calendar; nor may a leader.
        for who in ["zq_admin", "hs_leader"] {
            let e = import(&db.store, &actor(&db.store, who).await, Y2027).await.unwrap_err();
            assert_eq!(e.kind, ErrorKind::Forbidden, "{who}");
        }
        let events = audit::verify_chain(&db.store).await.unwrap().events;

        let admin = actor(&db.store, "hb_admin").await;
        let e = import(&db.store, &admin, &Y2027.replace("2027-02-06", "2027-02-08")).await.unwrap_err();
        assert_eq!((e.kind, e.code), (ErrorKind::Invalid, "calendar.invalid_data"));
        let e = import(&db.store, &admin, &Y2027.replace("2027", "2026").replace("02-06", "02-07")).await.unwrap_err();
        assert_eq!(e.code, "calendar.year_built_in");
        assert_eq!(audit::verify_chain(&db.store).await.unwrap().events, events, "refusals write nothing");

        let years = import(&db.store, &admin, Y2027).await.unwrap();
        assert_eq!(years[0].year, 2027);
        let cal = load(&db.store).await.unwrap();
        assert!(cal.is_working_day("2027-02-06".parse().unwrap()).unwrap());
        assert!(!cal.is_working_day("2027-01-01".parse().unwrap()).unwrap());
        // Re-importing replaces the year; each import is one audit event.
        import(&db.store, &admin, &Y2027.replace("to = \"2027-01-03\"", "to = \"2027-01-01\"")).await.unwrap();
        let cal = load(&db.store).await.unwrap();
        assert!(cal.is_working_day("2027-01-04".parse().unwrap()).unwrap());
        let report = audit::verify_chain(&db.store).await.unwrap();
        assert_eq!(report.events, events + 2);
        assert!(report.first_break.is_none());
        let history = audit::history(&db.store, &Actor::system(), "calendar_year", "2027").await.unwrap();
        let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["calendar.import_year", "calendar.replace_year"]);
    }
}
