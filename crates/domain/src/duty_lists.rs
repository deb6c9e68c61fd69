//! Responsibility lists (权责清单): who may see and change them, what a valid
//! list looks like, and the public portal's read.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult};
use chrono::NaiveDate;
use weijian_store::duty_lists::{self, DutyList, DutyListContent, DutyLists, ListFilter};
use weijian_store::ids::{DutyListId, UnitId};
use weijian_store::regions::{self, Region};
use weijian_store::versioned::{ListAction, ListKind};
use weijian_store::{time, Actor, Store, StoreError};

pub const TITLE_MAX: usize = 100;
/// Long enough for a statute's article list; short enough to catch a paste gone wrong.
pub const TEXT_MAX: usize = 2000;
pub const ITEMS_MAX: usize = 500;

/// Today in Beijing: what "in effect" is measured against.
pub fn today() -> NaiveDate {
    time::now().with_timezone(&time::shanghai()).date_naive()
}

pub async fn list(store: &Store, actor: &Actor, filter: &ListFilter) -> DomainResult<Vec<DutyList>> {
    require(actor, Permission::ViewDutyLists)?;
    Ok(duty_lists::list(store, actor, filter).await?)
}

pub async fn get(store: &Store, actor: &Actor, id: DutyListId) -> DomainResult<DutyList> {
    require(actor, Permission::ViewDutyLists)?;
    Ok(duty_lists::get(store, actor, id).await?)
}

/// A new draft version for a unit, copied from its latest version.
pub async fn create_draft(
    store: &Store,
    actor: &Actor,
    unit_id: UnitId,
    title: Option<&str>,
) -> DomainResult<DutyList> {
    require(actor, Permission::ManageDutyLists)?;
    let title = title.map(str::trim).filter(|t| !t.is_empty());
    if let Some(t) = title {
        check_title(t)?;
    }
    Ok(duty_lists::create_draft(store, actor, unit_id, title).await?)
}

/// Replaces a draft's title and content (a published version answers 409).
pub async fn update_draft(
    store: &Store,
    actor: &Actor,
    id: DutyListId,
    title: &str,
    content: &DutyListContent,
) -> DomainResult<DutyList> {
    require(actor, Permission::ManageDutyLists)?;
    let title = title.trim();
    check_title(title)?;
    let content = normalise(content);
    validate(&content)?;
    Ok(duty_lists::update_draft(store, actor, id, title, &content).await?)
}

/// Publishes a draft; `effective_on` is `YYYY-MM-DD` and required.
pub async fn publish(
    store: &Store,
    actor: &Actor,
    id: DutyListId,
    version: Option<i64>,
    effective_on: &str,
) -> DomainResult<DutyList> {
    require(actor, Permission::ManageDutyLists)?;
    let effective_on = parse_date(effective_on)?;
    let current = duty_lists::get(store, actor, id).await?;
    weijian_store::lifecycle::next_in(&<DutyLists as ListKind>::AREA, current.status, ListAction::Publish)
        .map_err(StoreError::from)?;
    validate(&current.content)?;
    if current.content.duties.is_empty() {
        return Err(DomainError::invalid("duty_list.empty", "content.duties", "至少填写一项主要职责后才能发布"));
    }
    Ok(duty_lists::publish(store, actor, id, version, effective_on).await?)
}

/// The public portal: a region and, per unit, its list in effect today. No
/// sign-in, so no jurisdiction; only published versions are ever returned.
pub async fn public_for_region(store: &Store, region_code: &str) -> DomainResult<(Region, Vec<DutyList>)> {
    let region = public_region(store, region_code).await?;
    let lists = duty_lists::published_in_effect(store, region_code, today()).await?;
    Ok((region, lists))
}

/// A region named in a public address: six digits and known, else 404.
pub async fn public_region(store: &Store, region_code: &str) -> DomainResult<Region> {
    if region_code.len() != 6 || !region_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DomainError::not_found());
    }
    Ok(regions::get(store, region_code).await?)
}

pub fn parse_date(s: &str) -> DomainResult<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return Err(DomainError::invalid("duty_list.effective_on_required", "effective_on", "请填写施行日期"));
    }
    if s.len() != 10 {
        return Err(bad_date());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad_date())
}

fn bad_date() -> DomainError {
    DomainError::invalid("duty_list.invalid_effective_on", "effective_on", "施行日期应为有效日期，格式 YYYY-MM-DD")
}

fn check_title(t: &str) -> DomainResult<()> {
    if t.is_empty() {
        return Err(DomainError::invalid("duty_list.title_required", "title", "请填写清单标题"));
    }
    if t.chars().count() > TITLE_MAX {
        return Err(DomainError::invalid(
            "duty_list.title_too_long",
            "title",
            format!("标题不能超过 {TITLE_MAX} 个字"),
        ));
    }
    Ok(())
}

/// Trims every text, so "  " counts as empty and stored text is tidy.
pub fn normalise(c: &DutyListContent) -> DutyListContent {
    let mut c = c.clone();
    let t = |s: &mut String| *s = s.trim().to_string();
    for d in &mut c.duties {
        t(&mut d.name);
        t(&mut d.basis);
        for k in &mut d.tasks {
            t(&mut k.name);
            t(&mut k.section);
            t(&mut k.remarks);
        }
    }
    for b in &mut c.boundaries {
        for s in
            [&mut b.matter, &mut b.our_part, &mut b.other_department, &mut b.their_part, &mut b.basis, &mut b.cases]
        {
            t(s);
        }
    }
    for p in &mut c.public_services {
        for s in [&mut p.name, &mut p.content, &mut p.handling_unit, &mut p.phone] {
            t(s);
        }
    }
    c
}

/// Names must be there; texts must not run away. The error names the field as
/// a path, e.g. `content.duties[2].tasks[0].name`, and says where in Chinese.
pub fn validate(c: &DutyListContent) -> DomainResult<()> {
    let too_many = |field: &str, what: &str| {
        DomainError::invalid("duty_list.too_many_items", field, format!("{what}不能超过 {ITEMS_MAX} 项"))
    };
    if c.duties.len() > ITEMS_MAX {
        return Err(too_many("content.duties", "主要职责"));
    }
    if c.boundaries.len() > ITEMS_MAX {
        return Err(too_many("content.boundaries", "职责边界"));
    }
    if c.public_services.len() > ITEMS_MAX {
        return Err(too_many("content.public_services", "公共服务事项"));
    }
    for (i, d) in c.duties.iter().enumerate() {
        let at = format!("content.duties[{i}]");
        let n = i + 1;
        required(&d.name, &format!("{at}.name"), &format!("第 {n} 项主要职责的内容"))?;
        limit(&d.basis, &format!("{at}.basis"), &format!("第 {n} 项主要职责的依据"))?;
        if d.tasks.len() > ITEMS_MAX {
            return Err(too_many(&format!("{at}.tasks"), &format!("第 {n} 项主要职责的具体工作事项")));
        }
        for (j, k) in d.tasks.iter().enumerate() {
            let at = format!("{at}.tasks[{j}]");
            let what = format!("第 {n} 项主要职责的第 {} 项具体工作事项", j + 1);
            required(&k.name, &format!("{at}.name"), &what)?;
            limit(&k.section, &format!("{at}.section"), &format!("{what}的责任股室"))?;
            limit(&k.remarks, &format!("{at}.remarks"), &format!("{what}的备注"))?;
        }
    }
    for (i, b) in c.boundaries.iter().enumerate() {
        let at = format!("content.boundaries[{i}]");
        let what = format!("第 {} 条职责边界", i + 1);
        required(&b.matter, &format!("{at}.matter"), &format!("{what}的管理事项"))?;
        required(&b.our_part, &format!("{at}.our_part"), &format!("{what}的本部门职责"))?;
        required(&b.other_department, &format!("{at}.other_department"), &format!("{what}的相关部门"))?;
        required(&b.their_part, &format!("{at}.their_part"), &format!("{what}的相关部门职责"))?;
        limit(&b.basis, &format!("{at}.basis"), &format!("{what}的相关依据"))?;
        limit(&b.cases, &format!("{at}.cases"), &format!("{what}的案例"))?;
    }
    for (i, p) in c.public_services.iter().enumerate() {
        let at = format!("content.public_services[{i}]");
        let what = format!("第 {} 项公共服务事项", i + 1);
        required(&p.name, &format!("{at}.name"), &format!("{what}的名称"))?;
        limit(&p.content, &format!("{at}.content"), &format!("{what}的主要内容"))?;
        limit(&p.handling_unit, &format!("{at}.handling_unit"), &format!("{what}的承办机构"))?;
        limit(&p.phone, &format!("{at}.phone"), &format!("{what}的联系电话"))?;
        if p.phone.chars().count() > 40 {
            return Err(DomainError::invalid(
                "duty_list.text_too_long",
                &format!("{at}.phone"),
                format!("{what}的联系电话过长"),
            ));
        }
    }
    Ok(())
}

fn required(s: &str, field: &str, what: &str) -> DomainResult<()> {
    if s.trim().is_empty() {
        return Err(DomainError::invalid("duty_list.name_required", field, format!("{what}不能为空")));
    }
    limit(s, field, what)
}

fn limit(s: &str, field: &str, what: &str) -> DomainResult<()> {
    if s.chars().count() > TEXT_MAX {
        return Err(DomainError::invalid("duty_list.text_too_long", field, format!("{what}不能超过 {TEXT_MAX} 个字")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use weijian_store::duty_lists::{Duty, DutyBoundary, DutyTask, PublicService};

    fn sample() -> DutyListContent {
        DutyListContent {
            duties: vec![Duty {
                name: "负责公共卫生监督".into(),
                basis: "三定方案".into(),
                tasks: vec![DutyTask {
                    name: "开展监督检查".into(),
                    section: "综合监督股".into(),
                    remarks: String::new(),
                }],
            }],
            boundaries: vec![DutyBoundary {
                matter: "二次供水".into(),
                our_part: "卫生监督".into(),
                other_department: "水务局".into(),
                their_part: "日常管理".into(),
                ..Default::default()
            }],
            public_services: vec![PublicService { name: "执业登记校验".into(), ..Default::default() }],
        }
    }

    #[test]
    fn names_are_required_and_errors_point_at_the_field() {
        assert!(validate(&sample()).is_ok());
        let mut c = sample();
        c.duties[0].tasks[0].name = "  ".into();
        let e = validate(&normalise(&c)).unwrap_err();
        assert_eq!(e.code, "duty_list.name_required");
        assert_eq!(e.field.as_deref(), Some("content.duties[0].tasks[0].name"));
        assert!(e.message.contains("第 1 项主要职责的第 1 项具体工作事项"), "{}", e.message);
        let mut c = sample();
        c.boundaries[0].other_department.clear();
        assert_eq!(validate(&c).unwrap_err().field.as_deref(), Some("content.boundaries[0].other_department"));
        let mut c = sample();
        c.public_services[0].name.clear();
        assert_eq!(validate(&c).unwrap_err().field.as_deref(), Some("content.public_services[0].name"));
    }

    #[test]
    fn effective_dates_are_strict() {
        assert_eq!(parse_date("2026-01-01").unwrap(), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(parse_date("").unwrap_err().code, "duty_list.effective_on_required");
        for bad in ["2026-02-30", "2026-1-1", "20260101", "明天"] {
            assert_eq!(parse_date(bad).unwrap_err().code, "duty_list.invalid_effective_on", "{bad}");
        }
    }
}
