//! The working-day calendar in use: the years built into the binary plus the
//! years an administrator imported since (the State Council publishes each
//! year's arrangement in the autumn before it).

use crate::authz::{self, Permission};
use crate::{DomainError, DomainResult, ErrorKind};
use weijian_rules::calendar::YearData;
use weijian_rules::Calendar;
use weijian_store::{calendar_years, regions, Actor, Store};

/// The built-in calendar with every imported year added.
pub async fn load(store: &Store) -> DomainResult<Calendar> {
    let mut cal = Calendar::official().clone();
    for y in calendar_years::list(store).await? {
        // A release that ships a year supersedes an earlier import of it.
        if Calendar::official().knows(y.data.year) {
            continue;
        }
        // Stored years were validated on import; a row that no longer validates is skipped loudly.
        if let Err(e) = cal.add_year(y.data) {
            tracing::error!(error = %e, "an imported calendar year is invalid and was not loaded");
        }
    }
    Ok(cal)
}

/// The calendar is national: only the system or an administrator of a
/// top-level region (no region above it) may change it.
async fn require_calendar_admin(store: &Store, actor: &Actor) -> DomainResult<()> {
    authz::require(actor, Permission::ManageCalendar)?;
    if let Some(code) = actor.region_code() {
        if regions::get(store, code.as_str()).await?.parent_code.is_some() {
            return Err(DomainError::forbidden("工作日历全国通用，只能由最高一级辖区的系统管理员导入"));
        }
    }
    Ok(())
}

/// Validates and stores the years in `text` (the `[[year]]` TOML format of the
/// built-in data); returns them. Built-in years cannot be overridden.
pub async fn import(store: &Store, actor: &Actor, text: &str) -> DomainResult<Vec<YearData>> {
    require_calendar_admin(store, actor).await?;
    let years = Calendar::parse_years(text).map_err(|e| DomainError::invalid(e.code(), "data", e.to_string()))?;
    if let Some(y) = years.iter().find(|y| Calendar::official().knows(y.year)) {
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "calendar.year_built_in",
            format!("{}年已内置于系统（依据国务院办公厅通知），不能通过导入修改", y.year),
        ));
    }
    calendar_years::save(store, actor, &years).await?;
    Ok(years)
}

#[cfg(test)]
mod tests {
    use super::*;
    use weijian_store::{audit, both_backends, users};

    const Y2027: &str = r#"
[[year]]
year = 2027
notice = "国务院办公厅关于2027年部分节假日安排的通知"
url = "https://www.gov.cn/zhengce/content/2027.htm"
off = [{ name = "元旦", from = "2027-01-01", to = "2027-01-03" }]
work = [{ name = "春节", date = "2027-02-06" }]
"#;

    async fn actor(store: &Store, username: &str) -> Actor {
        let (user, _) = users::credentials(store, username).await.unwrap().unwrap();
        users::actor_for(store, user.id, None, None).await.unwrap().1
    }

    both_backends! {
        async fn an_admin_imports_a_new_year_audited(db: &TestDb) {
            crate::demo::seed(&db.store).await.unwrap();
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
}
