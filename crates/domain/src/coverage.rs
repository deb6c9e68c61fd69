//! 监督覆盖率 per specialty (seed 002: "各个专业监督覆盖率均达到100%"): the
//! year's report and the entities not yet inspected, for staff of the scope.
//! Which categories a specialty supervises is registry data; an entity is
//! covered for a specialty only by a record of an item of that specialty.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult};
use chrono::NaiveDate;
use weijian_rules::coverage::{self as rules, Line};
use weijian_rules::registry::{Registry, Specialty};
use weijian_store::coverage::{self as store_coverage, NeverInspectedQuery, SpecialtyScope, Uninspected};
use weijian_store::page::{Cursor, Page};
use weijian_store::{Actor, Store};

/// The first and last day of a calendar year the report may ask for.
pub fn year_bounds(year: i32) -> DomainResult<(NaiveDate, NaiveDate)> {
    if !(2000..=2100).contains(&year) {
        return Err(DomainError::invalid("coverage.invalid_year", "year", "年份应在 2000 到 2100 之间"));
    }
    match (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31)) {
        (Some(from), Some(until)) => Ok((from, until)),
        _ => Err(DomainError::invalid("coverage.invalid_year", "year", "年份无效")),
    }
}

/// A specialty by key or Chinese label; empty means all.
pub fn specialty(raw: Option<&str>) -> DomainResult<Option<&'static Specialty>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Registry::official().specialty_by_key_or_label(s).map(Some).ok_or_else(|| {
            DomainError::invalid("coverage.unknown_specialty", "specialty", format!("监督专业“{s}”不存在"))
        }),
    }
}

/// Staff of the scope read coverage; an institution does not (it is the
/// supervisor's planning figure, not the institution's own record).
fn require_staff(actor: &Actor) -> DomainResult<()> {
    require(actor, Permission::ViewPlans)
}

/// The year's report: per specialty its total line, then its categories.
pub async fn report(
    store: &Store,
    actor: &Actor,
    year: i32,
    region_code: Option<&str>,
    specialty_key: Option<&str>,
) -> DomainResult<Vec<Line>> {
    require_staff(actor)?;
    let (from, until) = year_bounds(year)?;
    let only = specialty(specialty_key)?;
    let counts = store_coverage::counts(store, actor, region_code, from, until).await?;
    Ok(rules::lines(Registry::official(), &counts.supervised, &counts.inspected, only.map(|s| s.key.as_str())))
}

/// Operating entities not inspected that year: for the specialty (among the
/// categories it supervises), or at all when none is given.
#[allow(clippy::too_many_arguments)]
pub async fn never_inspected(
    store: &Store,
    actor: &Actor,
    year: i32,
    region_code: Option<&str>,
    specialty_key: Option<&str>,
    after: Option<Cursor>,
    limit: Option<usize>,
) -> DomainResult<Page<Uninspected>> {
    require_staff(actor)?;
    let (from, until) = year_bounds(year)?;
    let only = specialty(specialty_key)?;
    let q = NeverInspectedQuery {
        region_code,
        specialty: only.map(|s| SpecialtyScope { key: &s.key, categories: &s.categories }),
        from,
        until,
        after,
        limit,
    };
    Ok(store_coverage::never_inspected(store, actor, &q).await?)
}
