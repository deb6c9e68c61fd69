//! Demo 自查: each demo jurisdiction has one open self-inspection campaign for
//! its medical institutions (医疗服务), answered against the medical-services
//! item of its published item list. The demo institution's own hospital has
//! reported; the other obliged entities are still missing.

use crate::registry::Target;
use chrono::NaiveDate;
use weijian_domain::inspections::PointInput;
use weijian_domain::self_inspections::{self, CampaignInput, ReportInput};
use weijian_domain::DomainResult;
use weijian_store::inspection_items::ItemLists;
use weijian_store::{entities, versioned, Actor, Store};

const CATEGORY: &str = "medical_institution";
const SPECIALTY: &str = "medical_services";

/// One campaign per target (opened today, due in 15 working days).
pub async fn seed(store: &Store, targets: &[Target<'_>], today: NaiveDate) -> DomainResult<()> {
    let sys = Actor::system();
    for target in targets {
        let lists = versioned::published_in_effect::<ItemLists>(store, target.code, today).await?;
        let picked = lists.iter().find_map(|l| {
            let item = l
                .content
                .items
                .iter()
                .find(|i| i.specialty == SPECIALTY && i.target_categories.iter().any(|c| c == CATEGORY))?;
            Some((l.id, item.code.clone(), item.checklist.len()))
        });
        let input = CampaignInput {
            title: format!("{}医疗机构依法执业自查", target.name),
            region_code: Some(target.code.to_string()),
            specialty: SPECIALTY.into(),
            categories: vec![CATEGORY.into()],
            requirements: "各医疗机构对照检查表逐项自查执业许可与校验、诊疗科目、卫生技术人员资质、护士配备等情况，\
                           如实填写自查结果；发现问题的写明整改措施和完成时限，并上传自查报告（加盖公章的 PDF）。"
                .into(),
            item_list_id: picked.as_ref().map(|p| p.0.to_string()),
            items: picked.as_ref().map(|p| vec![p.1.clone()]).unwrap_or_default(),
            deadline: None,
            working_days: Some(15),
        };
        let (campaign, _) = match self_inspections::open(store, &sys, &input).await {
            Ok(c) => c,
            // A jurisdiction without medical institutions gets no campaign.
            Err(e) if e.code == "self_inspection.no_entities" => continue,
            Err(e) => return Err(e),
        };
        let Some((_, institution, _, _)) = crate::INSTITUTIONS.iter().find(|(code, ..)| *code == target.code) else {
            continue;
        };
        let q = entities::Query { q: Some(institution.to_string()), ..Default::default() };
        let Some(entity) = entities::list(store, &sys, &q).await?.items.into_iter().next() else { continue };
        if !weijian_store::self_inspections::is_obliged(store, campaign.id, entity.id).await? {
            continue;
        }
        let results = match &picked {
            Some((_, code, points)) => (0..*points)
                .map(|n| PointInput {
                    item: code.clone(),
                    point: n,
                    // The nurse staffing point is the one the hospital found short.
                    result: if n + 1 == *points { "fail" } else { "pass" }.into(),
                    note: if n + 1 == *points {
                        "内科病区护士配备不足，床护比 1:0.35".into()
                    } else {
                        String::new()
                    },
                })
                .collect(),
            None => vec![],
        };
        let report = ReportInput {
            problems: "内科病区护士配备未达到床护比 1:0.4 的标准。".into(),
            measures: "已招聘护士 6 名，预计下月完成岗前培训后上岗；期间从外科病区调配 2 名护士支援。".into(),
            results,
            attachments: vec![],
        };
        self_inspections::submit_for(store, &sys, campaign.id, entity.id, &report).await?;
    }
    Ok(())
}
