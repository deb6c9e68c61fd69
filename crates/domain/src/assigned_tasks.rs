//! Inspection tasks assigned by hand (日常巡查, 专项检查, 投诉举报核查, 许可前检查):
//! what `POST /api/v1/inspection-tasks` and the 新建检查任务 form send, checked
//! and handed to [`crate::inspections::assign_task_in`].
//!
//! Where the items come from: a campaign's task takes the campaign's item list
//! (and its items unless chosen); any other task takes the newest published
//! 抽查事项清单 of the entity's region, and, unless chosen, every item of it that
//! applies to the entity's category.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult};
use crate::input;
use serde::Deserialize;
use weijian_rules::inspection::TaskSource;
use weijian_rules::registry::Registry;
use weijian_store::ids::{EntityId, InspectionCampaignId};
use weijian_store::inspection_items::{InspectionItemList, ItemLists};
use weijian_store::inspection_tasks::{InspectionTask, TaskData};
use weijian_store::versioned::ListFilter;
use weijian_store::{
    entities, inspection_campaigns, inspector_conflicts, inspectors, versioned, Actor, Store, StoreError,
};

fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> DomainError {
    DomainError::invalid(code, field, message)
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub entity_id: String,
    /// patrol, campaign, complaint, pre_licence (or their Chinese labels)
    pub source: String,
    /// The two assigned inspectors.
    #[serde(default)]
    pub inspector_ids: Vec<String>,
    pub due_on: String,
    /// Item codes; absent: see the module's note.
    #[serde(default)]
    pub items: Option<Vec<String>>,
    /// Required for, and only for, `campaign`.
    #[serde(default)]
    pub campaign_id: Option<String>,
}

/// The newest published item list of a region (lists come newest version first).
pub async fn current_item_list(
    store: &Store,
    actor: &Actor,
    region_code: &str,
) -> DomainResult<Option<InspectionItemList>> {
    let filter = ListFilter { region_code: Some(region_code.to_string()), ..Default::default() };
    let lists = versioned::list::<ItemLists>(store, actor, &filter).await?;
    Ok(lists.into_iter().filter(|l| l.is_published()).max_by_key(|l| (l.published_at, l.version_no)))
}

/// Checks a hand-assigned task and creates it.
pub async fn create(store: &Store, actor: &Actor, input: &TaskInput) -> DomainResult<InspectionTask> {
    require(actor, Permission::ManagePlans)?;
    let entity_id: EntityId =
        input.entity_id.trim().parse().map_err(|_| invalid("request.invalid_id", "entity_id", "监管对象标识无效"))?;
    let source = TaskSource::parse_key_or_label(input.source.trim()).ok_or_else(|| {
        invalid("inspection_task.invalid_source", "source", "任务来源应为日常巡查、专项检查、投诉举报核查或许可前检查")
    })?;
    match source {
        TaskSource::Random => {
            return Err(invalid("inspection_task.random_by_draw", "source", "双随机任务只能由抽取产生"));
        }
        TaskSource::Reinspection => {
            return Err(invalid(
                "inspection_task.reinspection_by_order",
                "source",
                "复查任务随责令整改通知自动生成，不能手工下达",
            ));
        }
        _ => {}
    }
    let due_on = input::parse_date(&input.due_on)
        .ok_or_else(|| invalid("inspection_task.invalid_due_on", "due_on", "完成期限应为有效日期，格式 YYYY-MM-DD"))?;
    let entity = match entities::get(store, actor, entity_id).await {
        Ok(e) => e,
        Err(StoreError::NotFound) => {
            return Err(invalid("inspection_task.entity_not_found", "entity_id", "监管对象不存在或不在您的辖区内"))
        }
        Err(e) => return Err(e.into()),
    };
    let inspectors = crate::inspection_campaigns::pair(store, actor, &input.inspector_ids, "inspector_ids").await?;
    let campaign_id = input.campaign_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let campaign = match (source, campaign_id) {
        (TaskSource::Campaign, None) => {
            return Err(invalid("inspection_task.campaign_required", "campaign_id", "专项检查任务须指定所属专项检查"))
        }
        (TaskSource::Campaign, Some(raw)) => {
            let id: InspectionCampaignId =
                raw.parse().map_err(|_| invalid("request.invalid_id", "campaign_id", "专项检查标识无效"))?;
            match inspection_campaigns::get(store, actor, id).await {
                Ok(c) => Some(c),
                Err(StoreError::NotFound) => {
                    return Err(invalid(
                        "inspection_task.campaign_not_found",
                        "campaign_id",
                        "专项检查不存在或不在您的辖区内",
                    ))
                }
                Err(e) => return Err(e.into()),
            }
        }
        (_, Some(_)) => {
            return Err(invalid(
                "inspection_task.campaign_unexpected",
                "campaign_id",
                "只有专项检查任务才能指定所属专项检查",
            ))
        }
        (_, None) => None,
    };
    if let Some(c) = &campaign {
        if !c.data.target.matches(Registry::official(), &entity.data.category, &entity.data.attributes) {
            return Err(invalid(
                "inspection_task.not_campaign_target",
                "entity_id",
                format!(
                    "{}不属于专项检查“{}”的检查对象（{}）",
                    entity.data.name,
                    c.data.name,
                    c.data.target.describe(Registry::official())
                ),
            ));
        }
    }
    let chosen: Vec<String> =
        input.items.iter().flatten().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).fold(
            Vec::new(),
            |mut v, c| {
                if !v.contains(&c) {
                    v.push(c);
                }
                v
            },
        );
    let (item_list_id, items) = match &campaign {
        Some(c) => {
            if let Some(code) = chosen.iter().find(|code| !c.data.items.contains(code)) {
                return Err(invalid(
                    "inspection_task.unknown_item",
                    "items",
                    format!("检查事项“{code}”不属于该专项检查"),
                ));
            }
            (c.data.item_list_id, if chosen.is_empty() { c.data.items.clone() } else { chosen })
        }
        None => {
            let Some(list) = current_item_list(store, actor, &entity.data.region_code).await? else {
                return Err(invalid(
                    "inspection_task.no_item_list",
                    "items",
                    "监管对象所在辖区没有已发布的抽查事项清单",
                ));
            };
            let items = if chosen.is_empty() {
                list.content
                    .items
                    .iter()
                    .filter(|i| i.target_categories.contains(&entity.data.category))
                    .map(|i| i.code.clone())
                    .collect::<Vec<_>>()
            } else {
                chosen
            };
            if items.is_empty() {
                return Err(invalid(
                    "inspection_task.no_items_for_category",
                    "items",
                    "现行抽查事项清单中没有适用于该监管对象类别的事项，请指定检查事项",
                ));
            }
            (list.id, items)
        }
    };
    // 回避: neither inspector may have declared a conflict with the entity.
    for (e, i) in inspector_conflicts::among(store, actor, &inspectors).await? {
        if e == entity.id {
            let name = inspectors::get(store, actor, i).await.map(|i| i.data.name).unwrap_or_default();
            return Err(invalid(
                "inspection_task.inspector_conflict",
                "inspector_ids",
                format!("{name}已就{}申报回避，不能指派", entity.data.name),
            ));
        }
    }
    let data = TaskData { entity_id: entity.id, source, item_list_id, items, inspectors, due_on };
    crate::inspections::assign_task_in(store, actor, &data, campaign.map(|c| c.id)).await
}
