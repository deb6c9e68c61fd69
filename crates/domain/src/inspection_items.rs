//! 抽查事项清单: who may draft and publish it, what a valid list is (codes
//! unique, specialties, categories and violation codes known), and the public
//! portal's read. Versions and publication are the store's versioned lists.

use crate::authz::{require, Permission};
use crate::duty_lists::parse_date;
use crate::error::{DomainError, DomainResult};
use std::collections::BTreeSet;
use weijian_rules::penalty::Catalog;
use weijian_rules::registry::Registry;
use weijian_store::ids::{InspectionItemListId, UnitId};
use weijian_store::inspection_items::{InspectionItemList, ItemListContent, ItemLists};
use weijian_store::versioned::{self, ListFilter};
use weijian_store::{Actor, Store, StoreError};

pub const ITEMS_MAX: usize = 300;
pub const POINTS_MAX: usize = 100;
const TEXT_MAX: usize = 2000;

pub async fn list(store: &Store, actor: &Actor, filter: &ListFilter) -> DomainResult<Vec<InspectionItemList>> {
    require(actor, Permission::ViewPlans)?;
    Ok(versioned::list::<ItemLists>(store, actor, filter).await?)
}

pub async fn get(store: &Store, actor: &Actor, id: InspectionItemListId) -> DomainResult<InspectionItemList> {
    require(actor, Permission::ViewPlans)?;
    Ok(versioned::get::<ItemLists>(store, actor, id).await?)
}

pub async fn create_draft(
    store: &Store,
    actor: &Actor,
    unit_id: UnitId,
    title: Option<&str>,
) -> DomainResult<InspectionItemList> {
    require(actor, Permission::ManagePlans)?;
    let title = title.map(str::trim).filter(|t| !t.is_empty());
    if let Some(t) = title {
        limit(t, "title", "清单标题", 100)?;
    }
    Ok(versioned::create_draft::<ItemLists>(store, actor, unit_id, title).await?)
}

pub async fn update_draft(
    store: &Store,
    actor: &Actor,
    id: InspectionItemListId,
    title: &str,
    content: &ItemListContent,
) -> DomainResult<InspectionItemList> {
    require(actor, Permission::ManagePlans)?;
    let title = title.trim();
    if title.is_empty() {
        return Err(DomainError::invalid("inspection_item_list.title_required", "title", "请填写清单标题"));
    }
    limit(title, "title", "清单标题", 100)?;
    let content = normalise(content);
    validate(&content)?;
    Ok(versioned::update_draft::<ItemLists>(store, actor, id, title, &content).await?)
}

pub async fn publish(
    store: &Store,
    actor: &Actor,
    id: InspectionItemListId,
    version: Option<i64>,
    effective_on: &str,
) -> DomainResult<InspectionItemList> {
    require(actor, Permission::ManagePlans)?;
    let effective_on = parse_date(effective_on)?;
    let current = versioned::get::<ItemLists>(store, actor, id).await?;
    weijian_store::lifecycle::next_in(
        &<ItemLists as versioned::ListKind>::AREA,
        current.status,
        versioned::ListAction::Publish,
    )
    .map_err(StoreError::from)?;
    validate(&current.content)?;
    if current.content.items.is_empty() {
        return Err(DomainError::invalid(
            "inspection_item_list.empty",
            "content.items",
            "至少填写一个抽查事项后才能发布",
        ));
    }
    Ok(versioned::publish::<ItemLists>(store, actor, id, version, effective_on).await?)
}

/// The public page of a region (a known six-digit code, else 404) with its lists in effect today.
pub async fn public_page(
    store: &Store,
    region_code: &str,
) -> DomainResult<(weijian_store::regions::Region, Vec<InspectionItemList>)> {
    let region = crate::duty_lists::public_region(store, region_code).await?;
    Ok((region, public_for_region(store, region_code).await?))
}

/// The public portal: per unit of the region, its list in effect today.
pub async fn public_for_region(store: &Store, region_code: &str) -> DomainResult<Vec<InspectionItemList>> {
    Ok(versioned::published_in_effect::<ItemLists>(store, region_code, crate::duty_lists::today()).await?)
}

fn normalise(c: &ItemListContent) -> ItemListContent {
    let mut c = c.clone();
    for item in &mut c.items {
        for s in [&mut item.code, &mut item.name, &mut item.specialty, &mut item.content, &mut item.legal_basis] {
            *s = s.trim().to_string();
        }
        for p in &mut item.checklist {
            p.text = p.text.trim().to_string();
            p.legal_basis = p.legal_basis.trim().to_string();
            p.violation_code = p.violation_code.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        }
    }
    c
}

/// Every item complete and every reference known; the error names the field as a path.
pub fn validate(c: &ItemListContent) -> DomainResult<()> {
    let registry = Registry::official();
    let catalog = Catalog::official();
    if c.items.len() > ITEMS_MAX {
        return Err(DomainError::invalid(
            "inspection_item_list.too_many_items",
            "content.items",
            format!("抽查事项不能超过 {ITEMS_MAX} 项"),
        ));
    }
    let mut codes = BTreeSet::new();
    for (i, item) in c.items.iter().enumerate() {
        let at = format!("content.items[{i}]");
        let what = format!("第 {} 个抽查事项", i + 1);
        required(&item.code, &format!("{at}.code"), &format!("{what}的编号"))?;
        if item.code.chars().any(|ch| ch.is_whitespace() || ch == ':' || ch == ',') || item.code.chars().count() > 30 {
            return Err(DomainError::invalid(
                "inspection_item_list.invalid_code",
                &format!("{at}.code"),
                format!("{what}的编号“{}”应为 30 字以内、不含空格、冒号或逗号", item.code),
            ));
        }
        if !codes.insert(item.code.as_str()) {
            return Err(DomainError::invalid(
                "inspection_item_list.duplicate_code",
                &format!("{at}.code"),
                format!("抽查事项编号“{}”重复", item.code),
            ));
        }
        required(&item.name, &format!("{at}.name"), &format!("{what}的名称"))?;
        required(&item.content, &format!("{at}.content"), &format!("{what}的检查内容"))?;
        required(&item.legal_basis, &format!("{at}.legal_basis"), &format!("{what}的依据"))?;
        if registry.specialties.iter().all(|s| s.key != item.specialty) {
            return Err(DomainError::invalid(
                "inspection_item_list.unknown_specialty",
                &format!("{at}.specialty"),
                format!("{what}的监管专业“{}”不存在", item.specialty),
            ));
        }
        if item.target_categories.is_empty() {
            return Err(DomainError::invalid(
                "inspection_item_list.no_categories",
                &format!("{at}.target_categories"),
                format!("{what}至少适用于一类监管对象"),
            ));
        }
        for cat in &item.target_categories {
            if registry.category(cat).is_none() {
                return Err(DomainError::invalid(
                    "inspection_item_list.unknown_category",
                    &format!("{at}.target_categories"),
                    format!("{what}的监管对象类别“{cat}”不存在"),
                ));
            }
        }
        if item.checklist.len() > POINTS_MAX {
            return Err(DomainError::invalid(
                "inspection_item_list.too_many_points",
                &format!("{at}.checklist"),
                format!("{what}的检查表不能超过 {POINTS_MAX} 项"),
            ));
        }
        for (j, p) in item.checklist.iter().enumerate() {
            let at = format!("{at}.checklist[{j}]");
            let what = format!("{what}检查表第 {} 项", j + 1);
            required(&p.text, &format!("{at}.text"), &format!("{what}的检查内容"))?;
            limit(&p.legal_basis, &format!("{at}.legal_basis"), &format!("{what}的依据"), TEXT_MAX)?;
            if let Some(code) = &p.violation_code {
                if catalog.get(code).is_none() {
                    return Err(DomainError::invalid(
                        "inspection_item_list.unknown_violation",
                        &format!("{at}.violation_code"),
                        format!("{what}对应的违法行为编码“{code}”不在裁量基准目录中"),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn required(s: &str, field: &str, what: &str) -> DomainResult<()> {
    if s.trim().is_empty() {
        return Err(DomainError::invalid("inspection_item_list.field_required", field, format!("{what}不能为空")));
    }
    limit(s, field, what, TEXT_MAX)
}

fn limit(s: &str, field: &str, what: &str, max: usize) -> DomainResult<()> {
    if s.chars().count() > max {
        return Err(DomainError::invalid(
            "inspection_item_list.text_too_long",
            field,
            format!("{what}不能超过 {max} 个字"),
        ));
    }
    Ok(())
}
