//! Demo 双随机: each demo jurisdiction's supervision institute publishes an
//! inspection item list (items after the national random-inspection areas:
//! public places, drinking water, schools, medical services, infectious
//! disease, radiation), with three plans: one whose inspections are recorded
//! and results published (its draw record public), one drawn a month ago and
//! in progress (only its commitment public), and one frozen, awaiting its
//! beacon. Beacons are marked as demo values. A 专项检查 of the 一级 medical
//! institutions runs this quarter with its tasks generated. Two public places of
//! each jurisdiction were ordered to correct a month ago: one re-inspection
//! found the order not carried out (a case lead, 案源), the other order is
//! overdue, waiting for its re-inspection or to be turned into a lead.

use crate::registry::Target;
use chrono::{Datelike, Days, NaiveDate};
use weijian_domain::inspection_items;
use weijian_domain::random_plans::{self, DrawRequest, PlanInput};
use weijian_domain::DomainResult;
use weijian_rules::inspection::InspectionMethod;
use weijian_rules::registry::Registry;
use weijian_store::inspection_items::{CheckPoint, InspectionItem, ItemListContent};
use weijian_store::units::{self, UnitKind};
use weijian_store::{Actor, Store};

fn point(text: &str, basis: &str, violation: Option<&str>) -> CheckPoint {
    CheckPoint { text: text.into(), legal_basis: basis.into(), violation_code: violation.map(String::from) }
}

#[allow(clippy::too_many_arguments)]
fn item(
    code: &str,
    name: &str,
    specialty: &str,
    categories: &[&str],
    content: &str,
    method: InspectionMethod,
    basis: &str,
    checklist: Vec<CheckPoint>,
) -> InspectionItem {
    InspectionItem {
        code: code.into(),
        name: name.into(),
        specialty: specialty.into(),
        target_categories: categories.iter().map(|c| c.to_string()).collect(),
        content: content.into(),
        method,
        legal_basis: basis.into(),
        checklist,
    }
}

/// The items every demo jurisdiction lists (codes prefixed by its abbreviation).
pub fn items(prefix: &str) -> ItemListContent {
    const PUBLIC: &str = "《公共场所卫生管理条例》及其实施细则";
    const MED: &str = "《医疗机构管理条例》《医师法》《护士条例》";
    ItemListContent {
        items: vec![
            item(
                &format!("{prefix}-GG-01"),
                "公共场所卫生监督检查",
                "public_places",
                &["public_place"],
                "卫生许可证、从业人员健康合格证明、顾客用品用具清洗消毒、卫生检测情况",
                InspectionMethod::OnSite,
                PUBLIC,
                vec![
                    point("持有有效的《公共场所卫生许可证》并在显著位置公示", "条例第八条", Some("PUB-001")),
                    point("直接为顾客服务的从业人员持有有效健康合格证明", "条例第七条", Some("PUB-003")),
                    point(
                        "按规定对顾客用品用具清洗、消毒、保洁，不重复使用一次性用品",
                        "实施细则第十四条",
                        Some("PUB-002"),
                    ),
                    point("按规定开展空气、水质等卫生检测并公示结果", "实施细则第十九条", Some("PUB-002")),
                ],
            ),
            item(
                &format!("{prefix}-YS-01"),
                "生活饮用水卫生监督检查",
                "drinking_water",
                &["water_supply"],
                "供水单位卫生许可、直接供管水人员健康体检、水质检测",
                InspectionMethod::OnSite,
                "《生活饮用水卫生监督管理办法》",
                vec![
                    point("持有有效的供水单位卫生许可证", "办法第七条", Some("INF-003")),
                    point("直接从事供、管水的人员取得体检合格证", "办法第十一条", Some("WAT-001")),
                    point("按规定开展水质自检并保存记录", "办法第六条", None),
                ],
            ),
            item(
                &format!("{prefix}-XX-01"),
                "学校卫生监督检查",
                "school_health",
                &["school"],
                "教学环境、生活饮用水、传染病防控制度落实情况",
                InspectionMethod::OnSite,
                "《学校卫生工作条例》",
                vec![
                    point("教室采光、照明、课桌椅符合卫生标准", "条例第六条", None),
                    point("建立传染病疫情报告和晨午检制度", "《传染病防治法》", None),
                ],
            ),
            item(
                &format!("{prefix}-YL-01"),
                "医疗机构依法执业监督检查",
                "medical_services",
                &["medical_institution", "elderly_care"],
                "执业许可与校验、诊疗科目、卫生技术人员资质、病历管理",
                InspectionMethod::OnSite,
                MED,
                vec![
                    point("取得《医疗机构执业许可证》并按期校验", "条例第十四条、第二十二条", Some("MED-001")),
                    point("诊疗活动未超出登记的诊疗科目", "条例第二十七条", Some("MED-003")),
                    point("未使用非卫生技术人员从事医疗卫生技术工作", "条例第二十八条", Some("MED-004")),
                    point("护士配备数量符合标准", "《护士条例》第二十条", Some("NUR-002")),
                ],
            ),
            item(
                &format!("{prefix}-CR-01"),
                "传染病防治与消毒隔离监督检查",
                "infectious_disease",
                &["medical_institution"],
                "疫情报告、消毒隔离、医疗废物处置",
                InspectionMethod::OnSite,
                "《传染病防治法》《医疗废物管理条例》",
                vec![
                    point("按规定报告传染病疫情", "《传染病防治法》第三十条", Some("INF-001")),
                    point("医疗废物分类收集、专用包装", "《医疗废物管理条例》第十六条", Some("WST-003")),
                    point("消毒灭菌效果定期监测", "《消毒管理办法》", Some("DIS-002")),
                ],
            ),
            item(
                &format!("{prefix}-FS-01"),
                "放射诊疗监督检查",
                "radiation",
                &["radiation"],
                "放射诊疗许可、工作人员资质与个人剂量监测、防护设施",
                InspectionMethod::OnSite,
                "《放射诊疗管理规定》",
                vec![
                    point("取得放射诊疗许可", "规定第十六条", Some("RAD-001")),
                    point("工作人员个人剂量监测和职业健康检查", "规定第二十三条", Some("RAD-005")),
                ],
            ),
        ],
    }
}

/// The demo's lists and plans for each target; `today` anchors the dates.
pub async fn seed(store: &Store, targets: &[Target<'_>], today: NaiveDate) -> DomainResult<()> {
    let sys = Actor::system();
    let all_units = units::list(store, &sys).await?;
    let year = today.year();
    for (n, target) in targets.iter().enumerate() {
        let Some(unit) = all_units
            .iter()
            .filter(|u| u.region_code == target.code)
            .max_by_key(|u| u.kind == UnitKind::SupervisionInstitute)
        else {
            continue;
        };
        let list =
            inspection_items::create_draft(store, &sys, unit.id, Some(&format!("{}随机抽查事项清单", target.name)))
                .await?;
        let prefix = format!("{}{}", target.abbreviation, &target.code[4..]);
        inspection_items::update_draft(store, &sys, list.id, &list.title, &items(&prefix)).await?;
        inspection_items::publish(store, &sys, list.id, None, &(today - Days::new(60)).to_string()).await?;
        let codes: Vec<String> = items(&prefix).items.into_iter().map(|i| i.code).collect();
        let plan = |name: String, start: NaiveDate, picked: &[String]| PlanInput {
            unit_id: unit.id.to_string(),
            name,
            item_list_id: list.id.to_string(),
            items: picked.to_vec(),
            period_from: start.to_string(),
            period_until: (start + Days::new(120)).to_string(),
            start_on: Some(start.to_string()),
            due_on: (start + Days::new(90)).to_string(),
            // The institute's whole certified staff: a small county cannot match specialties.
            pool_specialties: Registry::official().specialties.iter().map(|s| s.key.clone()).collect(),
            ..Default::default()
        };
        // Drawn last quarter, every task recorded, the results published: infectious
        // disease control in medical institutions (every demo county has some).
        let done = random_plans::create(
            store,
            &sys,
            &PlanInput {
                ratios: [("A", 20), ("B", 20), ("C", 20), ("D", 20), ("N", 20)].map(|(k, v)| (k.into(), v)).into(),
                ..plan(format!("{year}年{}传染病防治双随机抽查", target.name), today - Days::new(100), &codes[4..5])
            },
        )
        .await?;
        random_plans::publish(store, &sys, done.id, None).await?;
        random_plans::freeze(store, &sys, done.id, None).await?;
        let beacon = DrawRequest {
            beacon: format!("演示随机数 {:05}", 16_807 * (n as u64 + 1) % 100_000),
            beacon_source: "演示数据：公开摇号会议现场宣读的随机数（非真实开奖结果）".into(),
            version: None,
        };
        random_plans::draw(store, &sys, done.id, &beacon).await?;
        results_published(store, &done, &items(&prefix), today - Days::new(100)).await?;
        // Drawn a month ago: medical institutions and public places.
        let drawn = random_plans::create(
            store,
            &sys,
            &plan(format!("{year}年{}医疗机构和公共场所双随机抽查", target.name), today - Days::new(30), &codes[..4]),
        )
        .await?;
        random_plans::publish(store, &sys, drawn.id, None).await?;
        random_plans::freeze(store, &sys, drawn.id, None).await?;
        let beacon = DrawRequest {
            beacon: format!("演示随机数 {:05}", 48_271 * (n as u64 + 1) % 100_000),
            beacon_source: "演示数据：公开摇号会议现场宣读的随机数（非真实开奖结果）".into(),
            version: None,
        };
        random_plans::draw(store, &sys, drawn.id, &beacon).await?;
        // Frozen today, waiting for the public beacon: water and schools.
        let waiting = random_plans::create(
            store,
            &sys,
            &plan(format!("{year}年{}供水单位和学校卫生双随机抽查", target.name), today, &codes[1..3]),
        )
        .await?;
        random_plans::publish(store, &sys, waiting.id, None).await?;
        random_plans::freeze(store, &sys, waiting.id, None).await?;
        // A routine patrol of the jurisdiction's demo institution by the inspectors
        // who have accounts, so a demo inspector finds it on the phone.
        patrol(store, target, unit.id, list.id, &codes[3], today).await?;
        campaign(store, target, unit.id, list.id, today).await?;
        follow_ups(store, target, unit.id, list.id, &codes[0], today).await?;
    }
    Ok(())
}

/// Records every task of a drawn plan as found compliant on `day` (the day
/// its inspectors' certificates were checked for the draw), then publishes
/// the results: the plan's draw record is then public.
async fn results_published(
    store: &Store,
    plan: &weijian_store::random_plans::RandomPlan,
    content: &ItemListContent,
    day: NaiveDate,
) -> DomainResult<()> {
    use weijian_domain::inspections::{publish_results, record, InspectionInput, PointInput};
    let sys = Actor::system();
    let q = weijian_store::inspection_tasks::Query { plan_id: Some(plan.id), limit: Some(500), ..Default::default() };
    let tasks = weijian_store::inspection_tasks::list(store, &sys, &q).await?.items;
    for task in &tasks {
        let input = InspectionInput {
            inspected_on: day.to_string(),
            started_at: "14:00".into(),
            ended_at: "15:10".into(),
            place: task.entity_name.clone(),
            inspectors: task.inspectors.iter().map(|i| i.to_string()).collect(),
            results: content
                .items
                .iter()
                .filter(|i| task.items.contains(&i.code))
                .flat_map(|i| {
                    (0..i.checklist.len()).map(|point| PointInput {
                        item: i.code.clone(),
                        point,
                        result: "pass".into(),
                        note: String::new(),
                    })
                })
                .collect(),
            findings: "检查事项各项内容均符合要求。".into(),
            party_signature: "signed".into(),
            party_name: Some("负责人".into()),
            outcome: "qualified".into(),
            attachments: vec![],
            rectification: None,
        };
        record(store, &sys, task.id, &input).await?;
    }
    if !tasks.is_empty() {
        publish_results(store, &sys, plan.id).await?;
    }
    Ok(())
}

/// Two public places ordered a month ago to have their staff examined: the
/// first re-inspected on its deadline and found unresolved (建议立案, a case
/// lead with the failed point's violation code), the second left overdue.
async fn follow_ups(
    store: &Store,
    target: &Target<'_>,
    unit: weijian_store::ids::UnitId,
    list: weijian_store::ids::InspectionItemListId,
    item: &str,
    today: NaiveDate,
) -> DomainResult<()> {
    use weijian_domain::inspections::{record, InspectionInput, OrderInput, PointInput};
    let sys = Actor::system();
    let q = weijian_store::entities::Query {
        region_code: Some(target.code.to_string()),
        category: Some("public_place".into()),
        limit: Some(2),
        ..Default::default()
    };
    let places = weijian_store::entities::list(store, &sys, &q).await?.items;
    let ordered_on = today - Days::new(30);
    let then = weijian_store::inspectors::eligible_on(store, &sys, ordered_on, Some(unit), None).await?;
    let mut staff = weijian_store::inspectors::eligible_on(store, &sys, today, Some(unit), None).await?;
    staff.retain(|i| then.iter().any(|t| t.id == i.id));
    staff.sort_by_key(|i| i.data.user_id.is_none());
    let [first, second, ..] = staff.as_slice() else { return Ok(()) };
    let inspection = |day: NaiveDate, place: &str, outcome: &str, order: bool| InspectionInput {
        inspected_on: day.to_string(),
        started_at: "09:30".into(),
        ended_at: "10:40".into(),
        place: place.to_string(),
        inspectors: vec![first.id.to_string(), second.id.to_string()],
        results: vec![
            PointInput { item: item.into(), point: 0, result: "pass".into(), note: String::new() },
            PointInput {
                item: item.into(),
                point: 1,
                result: "fail".into(),
                note: "2名服务人员未取得健康合格证明".into(),
            },
        ],
        findings: "现场查见2名直接为顾客服务的人员未能出示有效健康合格证明。".into(),
        party_signature: "signed".into(),
        party_name: Some("店长".into()),
        outcome: outcome.into(),
        attachments: vec![],
        rectification: order.then(|| OrderInput {
            content: "组织直接为顾客服务的人员进行健康检查，取得健康合格证明后方可上岗".into(),
            days: 10,
            working_days: false,
        }),
    };
    for (n, place) in places.iter().enumerate() {
        let data = weijian_store::inspection_tasks::TaskData {
            entity_id: place.id,
            source: weijian_rules::inspection::TaskSource::Patrol,
            item_list_id: list,
            items: vec![item.to_string()],
            inspectors: [first.id, second.id],
            due_on: today,
        };
        let task = weijian_domain::inspections::assign_task(store, &sys, &data).await?;
        let address = place.data.address.clone().unwrap_or_else(|| place.data.name.clone());
        let done =
            record(store, &sys, task.id, &inspection(ordered_on + Days::new(n as u64 * 5), &address, "rectify", true))
                .await?;
        // The first is re-inspected on its deadline: still not corrected.
        if let (0, Some(order)) = (n, done.rectification) {
            if let Some(re) = order.reinspection_task_id.filter(|_| order.deadline <= today) {
                record(store, &sys, re, &inspection(order.deadline, &address, "case_lead", false)).await?;
            }
        }
    }
    Ok(())
}

/// A 专项检查 of the jurisdiction's 一级 medical institutions running this
/// quarter, its tasks generated for the inspectors who have accounts.
async fn campaign(
    store: &Store,
    target: &Target<'_>,
    unit: weijian_store::ids::UnitId,
    list: weijian_store::ids::InspectionItemListId,
    today: NaiveDate,
) -> DomainResult<()> {
    use weijian_domain::inspection_campaigns::{self as campaigns, CampaignInput, GenerateInput, TargetInput};
    let sys = Actor::system();
    let input = CampaignInput {
        name: format!("{}年{}一级医疗机构依法执业专项检查", today.year(), target.name),
        region_code: Some(target.code.to_string()),
        specialty: "medical_services".into(),
        item_list_id: list.to_string(),
        items: vec![],
        starts_on: (today - Days::new(10)).to_string(),
        ends_on: (today + Days::new(60)).to_string(),
        target: TargetInput {
            category: "medical_institution".into(),
            attributes: [("level".to_string(), "一级".to_string())].into(),
        },
    };
    let campaign = campaigns::create(store, &sys, &input).await?;
    let mut staff = weijian_store::inspectors::eligible_on(store, &sys, today, Some(unit), None).await?;
    staff.sort_by_key(|i| i.data.user_id.is_none());
    if let [first, second, ..] = staff.as_slice() {
        let pair =
            GenerateInput { inspector_ids: vec![first.id.to_string(), second.id.to_string()], ..Default::default() };
        campaigns::generate(store, &sys, campaign.id, &pair).await?;
    }
    Ok(())
}

async fn patrol(
    store: &Store,
    target: &Target<'_>,
    unit: weijian_store::ids::UnitId,
    list: weijian_store::ids::InspectionItemListId,
    item: &str,
    today: NaiveDate,
) -> DomainResult<()> {
    let sys = Actor::system();
    let Some((_, institution, _, _)) = crate::INSTITUTIONS.iter().find(|(code, ..)| *code == target.code) else {
        return Ok(());
    };
    let q = weijian_store::entities::Query { q: Some(institution.to_string()), ..Default::default() };
    let Some(entity) = weijian_store::entities::list(store, &sys, &q).await?.items.into_iter().next() else {
        return Ok(());
    };
    let mut staff = weijian_store::inspectors::eligible_on(store, &sys, today, Some(unit), None).await?;
    // Inspectors with an account first: they can open the task.
    staff.sort_by_key(|i| i.data.user_id.is_none());
    if let [first, second, ..] = staff.as_slice() {
        let data = weijian_store::inspection_tasks::TaskData {
            entity_id: entity.id,
            source: weijian_rules::inspection::TaskSource::Patrol,
            item_list_id: list,
            items: vec![item.to_string()],
            inspectors: [first.id, second.id],
            due_on: today + Days::new(14),
        };
        weijian_domain::inspections::assign_task(store, &sys, &data).await?;
    }
    Ok(())
}
