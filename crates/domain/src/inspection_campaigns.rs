//! 专项检查 (special campaigns): a section chief names a campaign of the
//! region with its specialty, a published item list (all its items of that
//! specialty for the target category, unless chosen), a period and a target
//! filter (a category and attribute values); the target set is what the
//! registry holds today; the campaign's tasks are created in bulk, each target
//! once while its task is open, with inspector pairs taken in turn (a pair with
//! a declared conflict for an entity is passed over for it).

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult};
use crate::input;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use weijian_rules::inspection_campaign::{check_period, Refusal, TargetFilter};
use weijian_rules::registry::Registry;
use weijian_store::ids::{EntityId, InspectionCampaignId, InspectionItemListId, InspectorId};
use weijian_store::inspection_campaigns::{self as store_c, Campaign, CampaignData, Generated, PlannedTask, Target};
use weijian_store::inspection_items::ItemLists;
use weijian_store::{inspector_conflicts, inspectors, regions, versioned, Actor, Store, StoreError};

fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> DomainError {
    DomainError::invalid(code, field, message)
}

fn refused(r: Refusal) -> DomainError {
    DomainError::invalid(r.code, &r.field, r.message)
}

/// The target filter as sent: a category key or label, attribute values by key or label.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    pub category: String,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// A campaign as sent by a form or the API.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    pub name: String,
    /// The region whose entities are targeted; the actor's own when absent.
    #[serde(default)]
    pub region_code: Option<String>,
    /// 监管专业: a registry specialty key or label.
    pub specialty: String,
    pub item_list_id: String,
    /// Item codes of the list; absent or empty: every item of the specialty for the target category.
    #[serde(default)]
    pub items: Vec<String>,
    pub starts_on: String,
    pub ends_on: String,
    pub target: TargetInput,
}

/// Who inspects a campaign's targets: one pair for all (`inspector_ids`) or
/// pairs taken in turn (`pairs`); the due date defaults to the campaign's end.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateInput {
    #[serde(default)]
    pub inspector_ids: Vec<String>,
    #[serde(default)]
    pub pairs: Vec<Vec<String>>,
    #[serde(default)]
    pub due_on: Option<String>,
}

/// What a bulk creation did, with the targets no pair could take (回避).
#[derive(Clone, Debug, Default)]
pub struct GenerateOutcome {
    pub generated: Generated,
    pub skipped_conflicts: Vec<EntityId>,
}

/// A campaign with its counts as the viewer sees them.
#[derive(Clone, Debug)]
pub struct CampaignSummary {
    pub campaign: Campaign,
    pub target_count: i64,
    pub task_count: i64,
    pub open_task_count: i64,
}

fn required(field: &str, label: &str, value: &str, max: usize) -> DomainResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(invalid("field.required", field, format!("{label}不能为空")));
    }
    if v.chars().count() > max {
        return Err(invalid("field.too_long", field, format!("{label}不能超过 {max} 字")));
    }
    Ok(v.to_string())
}

fn date(field: &str, label: &str, value: &str) -> DomainResult<chrono::NaiveDate> {
    input::parse_date(value).ok_or_else(|| {
        invalid("inspection_campaign.invalid_date", field, format!("{label}应为有效日期，格式 YYYY-MM-DD"))
    })
}

/// Creates a campaign after checking every field against the registry and the item list.
pub async fn create(store: &Store, actor: &Actor, input: &CampaignInput) -> DomainResult<Campaign> {
    require(actor, Permission::ManagePlans)?;
    let registry = Registry::official();
    let name = required("name", "专项检查名称", &input.name, 100)?;
    let specialty = match registry.specialty_by_key_or_label(input.specialty.trim()) {
        Some(s) => s.key.clone(),
        None if input.specialty.trim().is_empty() => {
            return Err(invalid("field.required", "specialty", "监管专业不能为空"))
        }
        None => {
            return Err(invalid(
                "inspection_campaign.unknown_specialty",
                "specialty",
                format!("未知的监管专业“{}”", input.specialty.trim()),
            ))
        }
    };
    let target = TargetFilter::parse(registry, &input.target.category, &input.target.attributes).map_err(refused)?;
    let starts_on = date("starts_on", "开始日期", &input.starts_on)?;
    let ends_on = date("ends_on", "结束日期", &input.ends_on)?;
    check_period(starts_on, ends_on, input::today()).map_err(refused)?;
    let region_code = match input.region_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(r) => r.to_string(),
        None => match actor.region_code() {
            Some(r) => r.as_str().to_string(),
            None => return Err(invalid("field.required", "region_code", "请指定辖区")),
        },
    };
    match regions::get(store, &region_code).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => {
            return Err(invalid(
                "inspection_campaign.unknown_region",
                "region_code",
                format!("行政区划“{region_code}”不存在"),
            ))
        }
        Err(e) => return Err(e.into()),
    }
    let item_list_id: InspectionItemListId = input
        .item_list_id
        .trim()
        .parse()
        .map_err(|_| invalid("request.invalid_id", "item_list_id", "抽查事项清单标识无效"))?;
    let list = match versioned::get::<ItemLists>(store, actor, item_list_id).await {
        Ok(l) => l,
        Err(StoreError::NotFound) => {
            return Err(invalid(
                "inspection_campaign.item_list_not_found",
                "item_list_id",
                "抽查事项清单不存在或不在您的辖区内",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    if !list.is_published() {
        return Err(invalid(
            "inspection_campaign.item_list_unpublished",
            "item_list_id",
            "只能选用已发布的抽查事项清单",
        ));
    }
    let mut items: Vec<String> = Vec::new();
    for code in input.items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let Some(item) = list.content.item(code) else {
            return Err(invalid(
                "inspection_campaign.unknown_item",
                "items",
                format!("抽查事项清单中没有事项“{code}”"),
            ));
        };
        if !item.target_categories.contains(&target.category) {
            return Err(invalid(
                "inspection_campaign.item_not_for_category",
                "items",
                format!("事项“{}”不适用于所选监管对象类别", item.name),
            ));
        }
        if !items.iter().any(|c| c == code) {
            items.push(code.to_string());
        }
    }
    if items.is_empty() {
        items = list
            .content
            .items
            .iter()
            .filter(|i| i.specialty == specialty && i.target_categories.contains(&target.category))
            .map(|i| i.code.clone())
            .collect();
    }
    if items.is_empty() {
        return Err(invalid(
            "inspection_campaign.no_items",
            "items",
            "该清单没有适用于所选专业和监管对象类别的检查事项",
        ));
    }
    let data = CampaignData { region_code, name, specialty, item_list_id, items, starts_on, ends_on, target };
    Ok(store_c::create(store, actor, &data).await?)
}

pub async fn list(store: &Store, actor: &Actor) -> DomainResult<Vec<Campaign>> {
    require(actor, Permission::ViewPlans)?;
    Ok(store_c::list(store, actor).await?)
}

pub async fn get(store: &Store, actor: &Actor, id: InspectionCampaignId) -> DomainResult<Campaign> {
    require(actor, Permission::ViewPlans)?;
    Ok(store_c::get(store, actor, id).await?)
}

/// The campaign with its target set's size and its tasks, within the viewer's jurisdiction.
pub async fn summary(store: &Store, actor: &Actor, campaign: Campaign) -> DomainResult<CampaignSummary> {
    require(actor, Permission::ViewPlans)?;
    let target_count = store_c::targets(store, actor, &campaign).await?.len() as i64;
    let (task_count, open_task_count) = store_c::task_counts(store, actor, campaign.id).await?;
    Ok(CampaignSummary { campaign, target_count, task_count, open_task_count })
}

/// The entities the campaign targets, as the viewer sees them.
pub async fn targets(store: &Store, actor: &Actor, campaign: &Campaign) -> DomainResult<Vec<Target>> {
    require(actor, Permission::ViewPlans)?;
    Ok(store_c::targets(store, actor, campaign).await?)
}

fn inspector_id(raw: &str, field: &str) -> DomainResult<InspectorId> {
    raw.trim().parse().map_err(|_| invalid("request.invalid_id", field, "执法人员标识无效"))
}

/// Two different inspectors, both of the actor's jurisdiction and certified today.
pub async fn pair(store: &Store, actor: &Actor, raw: &[String], field: &str) -> DomainResult<[InspectorId; 2]> {
    let ids = raw.iter().map(|r| inspector_id(r, field)).collect::<DomainResult<Vec<_>>>()?;
    let [a, b] = ids.as_slice() else {
        return Err(invalid(
            "inspection.two_inspectors_required",
            field,
            format!("监督检查须由两名执法人员进行，此处有 {} 名", ids.len()),
        ));
    };
    if a == b {
        return Err(invalid("inspection.two_inspectors_required", field, "须指派两名不同的执法人员"));
    }
    let today = input::today();
    for id in [a, b] {
        let i = match inspectors::get(store, actor, *id).await {
            Ok(i) => i,
            Err(StoreError::NotFound) => {
                return Err(invalid("inspection.inspector_not_found", field, "执法人员不存在或不在您的辖区内"))
            }
            Err(e) => return Err(e.into()),
        };
        if !i.may_enforce_on(today) {
            return Err(invalid(
                "inspection.inspector_not_eligible",
                field,
                format!("{}今日未持有效执法证或不在岗，不能指派", i.data.name),
            ));
        }
    }
    Ok([*a, *b])
}

/// Creates the campaign's tasks for its target set in the actor's
/// jurisdiction: idempotent (a target with an open task of the campaign is
/// skipped), all in one transaction.
pub async fn generate(
    store: &Store,
    actor: &Actor,
    id: InspectionCampaignId,
    input: &GenerateInput,
) -> DomainResult<GenerateOutcome> {
    require(actor, Permission::ManagePlans)?;
    let campaign = store_c::get(store, actor, id).await?;
    let mut pairs = Vec::new();
    if input.pairs.is_empty() {
        pairs.push(pair(store, actor, &input.inspector_ids, "inspector_ids").await?);
    } else if !input.inspector_ids.is_empty() {
        return Err(invalid("inspection_campaign.pairs_twice", "pairs", "inspector_ids 与 pairs 只能填写一项"));
    } else {
        for (n, p) in input.pairs.iter().enumerate() {
            pairs.push(pair(store, actor, p, &format!("pairs[{n}]")).await?);
        }
    }
    let today = input::today();
    let due_on = match input.due_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => date("due_on", "完成期限", d)?,
        None => campaign.data.ends_on,
    };
    if due_on < today {
        return Err(invalid("inspection_task.due_in_past", "due_on", "完成期限不能早于今天"));
    }
    if due_on > campaign.data.ends_on {
        return Err(invalid(
            "inspection_campaign.due_after_end",
            "due_on",
            format!("完成期限不能晚于专项检查结束日期（{}）", campaign.data.ends_on),
        ));
    }
    let everyone: Vec<InspectorId> = pairs.iter().flatten().copied().collect::<BTreeSet<_>>().into_iter().collect();
    let conflicts: BTreeSet<(EntityId, InspectorId)> =
        inspector_conflicts::among(store, actor, &everyone).await?.into_iter().collect();
    let targets = store_c::targets(store, actor, &campaign).await?;
    let mut planned = Vec::new();
    let mut skipped_conflicts = Vec::new();
    let mut turn = 0;
    for t in targets {
        // The next pair in turn that has declared no conflict with this entity.
        let free = (0..pairs.len())
            .map(|k| pairs[(turn + k) % pairs.len()])
            .find(|p| p.iter().all(|i| !conflicts.contains(&(t.entity_id, *i))));
        match free {
            Some(inspectors) => {
                turn += 1;
                planned.push(PlannedTask {
                    entity_id: t.entity_id,
                    entity_name: t.name,
                    region_code: t.region_code,
                    inspectors,
                    due_on,
                });
            }
            None => skipped_conflicts.push(t.entity_id),
        }
    }
    let generated = store_c::insert_tasks(store, actor, &campaign, &planned).await?;
    Ok(GenerateOutcome { generated, skipped_conflicts })
}
