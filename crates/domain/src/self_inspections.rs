//! 自查 (self-inspection): a section chief opens a campaign for a supervision
//! specialty and entity categories of the region; the operating entities of
//! those categories in the region and below must send their self-inspection
//! report (the problems found, the measures taken, the campaign's checklist
//! answered point by point, attachments) by the deadline; who has not is listed.
//!
//! The deadline is a date after the opening day, or N working days from it on
//! the official calendar. A report that arrives after the deadline is still
//! accepted while the campaign is open, and is marked late (逾期报送): the
//! bureau wants the report, and lateness is a fact to record, not a reason to
//! lose it. Closing the campaign ends all reporting.

use crate::authz::{allows, require, Permission};
use crate::error::{DomainError, DomainResult, ErrorKind};
use crate::input::{self, Fields};
use crate::inspections::PointInput;
use serde::Deserialize;
use weijian_rules::inspection::PointResult;
use weijian_rules::registry::Registry;
use weijian_rules::self_inspection::{CampaignStatus, ReportAction, ReportStatus, MAX_CAMPAIGN_DAYS};
use weijian_store::actor::Standing;
use weijian_store::ids::{EntityId, InspectionItemListId, SelfInspectionCampaignId, SelfInspectionReportId};
use weijian_store::inspection_items::{ItemListContent, ItemLists};
use weijian_store::inspections::PointRecord;
use weijian_store::page::{Cursor, Page};
use weijian_store::self_inspections::{
    self as store_si, Campaign, CampaignData, Counts, Missing, Query, Report, ReportData,
};
use weijian_store::{regions, versioned, Actor, Role, Store, StoreError};

/// The most working days a campaign may be given.
pub const MAX_WORKING_DAYS: u32 = 250;
const MAX_TEXT: usize = 5000;
const MAX_ATTACHMENTS: usize = 20;

/// A campaign as sent by a form or the API.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    pub title: String,
    /// The region whose entities report; the actor's own when empty.
    #[serde(default)]
    pub region_code: Option<String>,
    /// 监管专业: a registry specialty key or label.
    pub specialty: String,
    /// Entity category keys or labels; empty: those the chosen items apply to.
    #[serde(default)]
    pub categories: Vec<String>,
    pub requirements: String,
    #[serde(default)]
    pub item_list_id: Option<String>,
    #[serde(default)]
    pub items: Vec<String>,
    /// The last day to report (YYYY-MM-DD), after today; or give `working_days`.
    #[serde(default)]
    pub deadline: Option<String>,
    /// The deadline as this many working days from today (official calendar).
    #[serde(default)]
    pub working_days: Option<u32>,
}

/// A report as sent by the institution.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// 自查发现的问题 (write 未发现问题 when there were none).
    pub problems: String,
    /// 整改措施; required when a checklist point is 不符合.
    #[serde(default)]
    pub measures: String,
    /// One result per checklist point of the campaign's items.
    #[serde(default)]
    pub results: Vec<PointInput>,
    #[serde(default)]
    pub attachments: Vec<String>,
}

/// The bureau's review: `reviewed` or `returned` (with a comment).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub outcome: String,
    #[serde(default)]
    pub comment: Option<String>,
    /// The report's version the reviewer saw; a stale one is refused.
    #[serde(default)]
    pub version: Option<i64>,
}

fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> DomainError {
    DomainError::invalid(code, field, message)
}

/// Staff of a jurisdiction (not an institution): the missing list and the counts are theirs.
fn require_staff(actor: &Actor) -> DomainResult<()> {
    require(actor, Permission::ViewRegistry)?;
    if actor.role() == Some(Role::Institution) {
        return Err(DomainError::new(ErrorKind::Forbidden, "self_inspection.staff_only", "此功能仅供监管人员使用"));
    }
    Ok(())
}

/// The entity an institution user acts for.
pub fn own_entity(actor: &Actor) -> Option<EntityId> {
    match &actor.standing {
        Standing::User { entity_id, .. } => *entity_id,
        Standing::System => None,
    }
}

impl CampaignInput {
    /// Checks everything but the item list and the region (see [`open`]).
    fn parse(&self, cal: &weijian_rules::Calendar, today: chrono::NaiveDate) -> Result<CampaignData, DomainError> {
        let mut f = Fields::default();
        let registry = Registry::official();
        let title = f.required("title", "自查名称", &self.title, 100);
        let requirements = f.required("requirements", "自查要求", &self.requirements, MAX_TEXT);
        let specialty = match registry.specialty_by_key_or_label(self.specialty.trim()) {
            Some(s) => s.key.clone(),
            None if self.specialty.trim().is_empty() => {
                f.problem("field.required", "specialty", "", "监管专业不能为空");
                String::new()
            }
            None => {
                let s = self.specialty.trim();
                f.problem("self_inspection.unknown_specialty", "specialty", s, format!("未知的监管专业“{s}”"));
                String::new()
            }
        };
        let mut categories = Vec::new();
        for c in self.categories.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            match registry.category_by_key_or_label(c) {
                Some(cat) if !categories.contains(&cat.key) => categories.push(cat.key.clone()),
                Some(_) => {}
                None => {
                    f.problem("self_inspection.unknown_category", "categories", c, format!("未知的监管对象类别“{c}”"))
                }
            }
        }
        let mut items: Vec<String> = Vec::new();
        for code in self.items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            if !items.iter().any(|c| c == code) {
                items.push(code.to_string());
            }
        }
        let item_list_id: Option<InspectionItemListId> =
            match self.item_list_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => None,
                Some(s) => s.parse().map(Some).unwrap_or_else(|_| {
                    f.problem("field.invalid_id", "item_list_id", s, "抽查事项清单的标识格式无效");
                    None
                }),
            };
        let deadline = match (self.deadline.as_deref().map(str::trim).filter(|s| !s.is_empty()), self.working_days) {
            (Some(_), Some(_)) => {
                f.problem("self_inspection.deadline_twice", "deadline", "", "报送截止日期与工作日数只能填写一项");
                None
            }
            (None, None) => {
                f.problem("self_inspection.deadline_required", "deadline", "", "请填写报送截止日期或工作日数");
                None
            }
            (Some(d), None) => match f.date("deadline", "报送截止日期", Some(d)) {
                Some(d) if d <= today => {
                    f.problem(
                        "self_inspection.deadline_not_after_opening",
                        "deadline",
                        &d.to_string(),
                        format!("报送截止日期（{d}）须晚于发起日期（{today}）"),
                    );
                    None
                }
                Some(d) if (d - today).num_days() > MAX_CAMPAIGN_DAYS => {
                    f.problem(
                        "self_inspection.deadline_too_far",
                        "deadline",
                        &d.to_string(),
                        format!("报送截止日期不能晚于发起后 {MAX_CAMPAIGN_DAYS} 日"),
                    );
                    None
                }
                other => other,
            },
            (None, Some(n)) if !(1..=MAX_WORKING_DAYS).contains(&n) => {
                f.problem(
                    "self_inspection.invalid_working_days",
                    "working_days",
                    &n.to_string(),
                    format!("工作日数应为 1 到 {MAX_WORKING_DAYS}"),
                );
                None
            }
            (None, Some(n)) => match cal.add_working_days(today, n.into()) {
                Ok(d) => Some(d),
                Err(e) => {
                    f.problem("self_inspection.calendar_unknown", "working_days", &n.to_string(), e.to_string());
                    None
                }
            },
        };
        if !f.problems.is_empty() {
            return Err(input::first(f.problems));
        }
        Ok(CampaignData {
            region_code: self.region_code.as_deref().map(str::trim).unwrap_or_default().to_string(),
            title,
            specialty,
            categories,
            requirements,
            item_list_id,
            items,
            opened_on: today,
            deadline: deadline.unwrap_or(today),
        })
    }
}

/// The checklist of a campaign's items, when it has an item list.
pub async fn checklist(store: &Store, campaign: &Campaign) -> DomainResult<Option<ItemListContent>> {
    let Some(id) = campaign.data.item_list_id else { return Ok(None) };
    // The campaign is visible to the actor already; its list is public once published.
    let list = versioned::get::<ItemLists>(store, &Actor::system(), id).await?;
    Ok(Some(list.content))
}

/// Opens a campaign; returns it with the number of entities obliged to report.
pub async fn open(store: &Store, actor: &Actor, input: &CampaignInput) -> DomainResult<(Campaign, i64)> {
    require(actor, Permission::ManagePlans)?;
    let cal = crate::calendar::load(store).await?;
    let mut data = input.parse(&cal, input::today())?;
    if data.region_code.is_empty() {
        data.region_code = match actor.region_code() {
            Some(r) => r.as_str().to_string(),
            None => return Err(invalid("field.required", "region_code", "请指定辖区")),
        };
    }
    match regions::get(store, &data.region_code).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => {
            return Err(invalid(
                "self_inspection.unknown_region",
                "region_code",
                format!("行政区划“{}”不存在", data.region_code),
            ))
        }
        Err(e) => return Err(e.into()),
    }
    match data.item_list_id {
        None if !data.items.is_empty() => {
            return Err(invalid(
                "self_inspection.item_list_required",
                "item_list_id",
                "选择检查事项时须指定抽查事项清单",
            ))
        }
        None => {}
        Some(id) => {
            let list = match versioned::get::<ItemLists>(store, actor, id).await {
                Ok(l) => l,
                Err(StoreError::NotFound) => {
                    return Err(invalid(
                        "self_inspection.item_list_not_found",
                        "item_list_id",
                        "抽查事项清单不存在或不在您的辖区内",
                    ))
                }
                Err(e) => return Err(e.into()),
            };
            if !list.is_published() {
                return Err(invalid(
                    "self_inspection.item_list_unpublished",
                    "item_list_id",
                    "只能选用已发布的抽查事项清单",
                ));
            }
            if data.items.is_empty() {
                return Err(invalid("self_inspection.no_items", "items", "请至少选择一个自查事项"));
            }
            for code in &data.items {
                let Some(item) = list.content.item(code) else {
                    return Err(invalid(
                        "self_inspection.unknown_item",
                        "items",
                        format!("抽查事项清单中没有事项“{code}”"),
                    ));
                };
                if data.categories.is_empty() {
                    for c in &item.target_categories {
                        if !data.categories.contains(c) {
                            data.categories.push(c.clone());
                        }
                    }
                }
            }
        }
    }
    if data.categories.is_empty() {
        return Err(invalid("self_inspection.no_categories", "categories", "请选择须开展自查的监管对象类别"));
    }
    if store_si::scope_count(store, &data).await? == 0 {
        return Err(invalid(
            "self_inspection.no_entities",
            "categories",
            "该辖区内没有所选类别的正常经营单位，自查无对象",
        ));
    }
    Ok(store_si::open(store, actor, &data).await?)
}

pub async fn list(store: &Store, actor: &Actor, q: &Query) -> DomainResult<Page<Campaign>> {
    require(actor, Permission::ViewRegistry)?;
    Ok(store_si::list(store, actor, q).await?)
}

pub async fn get(store: &Store, actor: &Actor, id: SelfInspectionCampaignId) -> DomainResult<Campaign> {
    require(actor, Permission::ViewRegistry)?;
    Ok(store_si::get(store, actor, id).await?)
}

/// Obliged / submitted / missing within the viewer's jurisdiction.
pub async fn counts(store: &Store, actor: &Actor, id: SelfInspectionCampaignId) -> DomainResult<Counts> {
    require_staff(actor)?;
    store_si::get(store, actor, id).await?;
    Ok(store_si::counts(store, actor, id).await?)
}

pub async fn close(
    store: &Store,
    actor: &Actor,
    id: SelfInspectionCampaignId,
    version: Option<i64>,
) -> DomainResult<Campaign> {
    require(actor, Permission::ManagePlans)?;
    let campaign = store_si::get(store, actor, id).await?;
    Ok(store_si::close(store, actor, &campaign, version).await?)
}

/// The obliged entities without a report (in the viewer's jurisdiction).
pub async fn missing(
    store: &Store,
    actor: &Actor,
    id: SelfInspectionCampaignId,
    after: Option<&Cursor>,
    limit: Option<usize>,
) -> DomainResult<Page<Missing>> {
    require_staff(actor)?;
    store_si::get(store, actor, id).await?;
    Ok(store_si::missing(store, actor, id, after, limit).await?)
}

/// The campaign's reports: staff see those of their jurisdiction, an institution its own.
pub async fn reports(
    store: &Store,
    actor: &Actor,
    id: SelfInspectionCampaignId,
    after: Option<&Cursor>,
    limit: Option<usize>,
) -> DomainResult<Page<Report>> {
    require(actor, Permission::ViewRegistry)?;
    store_si::get(store, actor, id).await?;
    Ok(store_si::reports(store, actor, id, after, limit).await?)
}

/// One report of the campaign (404 when it is another campaign's or out of scope).
pub async fn report(
    store: &Store,
    actor: &Actor,
    id: SelfInspectionCampaignId,
    report_id: SelfInspectionReportId,
) -> DomainResult<Report> {
    require(actor, Permission::ViewRegistry)?;
    store_si::get(store, actor, id).await?;
    let r = store_si::get_report(store, actor, report_id).await?;
    if r.campaign_id != id {
        return Err(DomainError::not_found());
    }
    Ok(r)
}

/// The checklist results: every point of the campaign's items once, and nothing else.
fn check_results(
    checklist: Option<&ItemListContent>,
    items: &[String],
    input: &[PointInput],
) -> DomainResult<Vec<PointRecord>> {
    let Some(list) = checklist else {
        if input.is_empty() {
            return Ok(vec![]);
        }
        return Err(invalid("self_inspection.unexpected_results", "results", "本次自查没有检查表，无需逐项填写结果"));
    };
    let mut out: Vec<PointRecord> = Vec::new();
    for (n, p) in input.iter().enumerate() {
        let field = format!("results[{n}]");
        let points = list.item(&p.item).filter(|_| items.contains(&p.item)).map(|i| i.checklist.len());
        let Some(points) = points else {
            return Err(invalid("self_inspection.unknown_item", &field, format!("自查事项“{}”不属于本次自查", p.item)));
        };
        if p.point >= points {
            return Err(invalid(
                "self_inspection.unknown_point",
                &field,
                format!("自查事项“{}”的检查表没有第 {} 项", p.item, p.point + 1),
            ));
        }
        let result = PointResult::parse_key_or_label(&p.result)
            .ok_or_else(|| invalid("self_inspection.invalid_result", &field, "自查结果应为符合、不符合或不适用"))?;
        if out.iter().any(|r| r.item == p.item && r.point == p.point) {
            return Err(invalid("self_inspection.duplicate_point", &field, "同一检查项填写了两次"));
        }
        let note = p.note.trim();
        if note.chars().count() > 500 {
            return Err(invalid("field.too_long", &field, "说明不能超过500个字"));
        }
        out.push(PointRecord { item: p.item.clone(), point: p.point, result, note: note.to_string() });
    }
    for code in items {
        let Some(item) = list.item(code) else { continue };
        for (n, point) in item.checklist.iter().enumerate() {
            if !out.iter().any(|r| &r.item == code && r.point == n) {
                return Err(invalid(
                    "self_inspection.point_missing",
                    "results",
                    format!("请填写“{}”第 {} 项（{}）的自查结果", item.name, n + 1, point.text),
                ));
            }
        }
    }
    Ok(out)
}

/// Attachment ids in the actor's scope, of this entity (or none yet), not yet linked elsewhere.
async fn attachments_of(store: &Store, actor: &Actor, entity: EntityId, ids: &[String]) -> DomainResult<Vec<String>> {
    if ids.len() > MAX_ATTACHMENTS {
        return Err(invalid(
            "self_inspection.too_many_attachments",
            "attachments",
            format!("附件不能超过 {MAX_ATTACHMENTS} 个"),
        ));
    }
    crate::evidence::unlinked(store, actor, entity, ids).await
}

/// The institution's report to a campaign it is obliged under.
pub async fn submit(
    store: &Store,
    actor: &Actor,
    id: SelfInspectionCampaignId,
    input: &ReportInput,
) -> DomainResult<Report> {
    require(actor, Permission::ViewRegistry)?;
    let Some(entity) = own_entity(actor) else {
        return Err(DomainError::new(
            ErrorKind::Forbidden,
            "self_inspection.institution_only",
            "自查报告由被监管单位的机构用户报送",
        ));
    };
    submit_for(store, actor, id, entity, input).await
}

/// A report for `entity` (the system's demo seeding uses this directly).
pub async fn submit_for(
    store: &Store,
    actor: &Actor,
    id: SelfInspectionCampaignId,
    entity: EntityId,
    input: &ReportInput,
) -> DomainResult<Report> {
    let campaign = store_si::get(store, actor, id).await?;
    if campaign.status == CampaignStatus::Closed {
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "self_inspection.closed",
            format!("自查“{}”已结束，不再接收自查报告", campaign.data.title),
        ));
    }
    if !store_si::is_obliged(store, id, entity).await? {
        return Err(DomainError::new(
            ErrorKind::Forbidden,
            "self_inspection.not_obliged",
            "本单位不在该次自查的报送范围内",
        ));
    }
    let problems = input.problems.trim();
    if problems.is_empty() || problems.chars().count() > MAX_TEXT {
        return Err(invalid(
            "self_inspection.problems_required",
            "problems",
            "请填写自查发现的问题（5000 字以内；未发现问题的请写明“未发现问题”）",
        ));
    }
    let measures = input.measures.trim();
    if measures.chars().count() > MAX_TEXT {
        return Err(invalid("field.too_long", "measures", "整改措施不能超过5000个字"));
    }
    let list = checklist(store, &campaign).await?;
    let results = check_results(list.as_ref(), &campaign.data.items, &input.results)?;
    if measures.is_empty() && results.iter().any(|r| r.result == PointResult::Fail) {
        return Err(invalid("self_inspection.measures_required", "measures", "有不符合项时须填写整改措施"));
    }
    let attachments = attachments_of(store, actor, entity, &input.attachments).await?;
    let data = ReportData { problems: problems.to_string(), measures: measures.to_string(), results, attachments };
    Ok(store_si::submit(store, actor, &campaign, entity, &data).await?)
}

/// The bureau accepts a report or returns it for correction.
pub async fn review(
    store: &Store,
    actor: &Actor,
    id: SelfInspectionCampaignId,
    report_id: SelfInspectionReportId,
    input: &ReviewInput,
) -> DomainResult<Report> {
    require(actor, Permission::ManagePlans)?;
    let outcome = match ReportStatus::parse_key_or_label(&input.outcome) {
        Some(o @ (ReportStatus::Reviewed | ReportStatus::Returned)) => o,
        _ => {
            return Err(invalid(
                "self_inspection.invalid_outcome",
                "outcome",
                "审阅结果应为 reviewed（已审阅）或 returned（退回补正）",
            ))
        }
    };
    let comment = input.comment.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if comment.is_some_and(|c| c.chars().count() > 1000) {
        return Err(invalid("field.too_long", "comment", "审阅意见不能超过1000个字"));
    }
    if outcome == ReportStatus::Returned && comment.is_none() {
        return Err(invalid("self_inspection.comment_required", "comment", "退回补正时请写明需要补正的内容"));
    }
    let campaign = store_si::get(store, actor, id).await?;
    let report = store_si::get_report(store, actor, report_id).await?;
    if report.campaign_id != id {
        return Err(DomainError::not_found());
    }
    if campaign.status == CampaignStatus::Closed && outcome == ReportStatus::Returned {
        return Err(DomainError::new(ErrorKind::Conflict, "self_inspection.closed", "自查已结束，不能再退回补正"));
    }
    let action = if outcome == ReportStatus::Returned { ReportAction::Return } else { ReportAction::Accept };
    Ok(store_si::review(store, actor, &campaign, &report, action, input.version, comment).await?)
}

/// Whether the report came after the campaign's deadline (by its Beijing date).
pub fn is_late(campaign: &Campaign, report: &Report) -> bool {
    let day = report.submitted_at.with_timezone(&weijian_store::time::shanghai()).date_naive();
    weijian_rules::self_inspection::is_late(campaign.data.deadline, day)
}

/// Whether the deadline has passed with the campaign still waiting for reports.
pub fn is_overdue(campaign: &Campaign, today: chrono::NaiveDate) -> bool {
    today > campaign.data.deadline
}

/// May the actor open, close and review campaigns (for pages).
pub fn may_manage(actor: &Actor) -> bool {
    allows(actor, Permission::ManagePlans) && actor.role() != Some(Role::Institution)
}
