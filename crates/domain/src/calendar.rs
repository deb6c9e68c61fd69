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
