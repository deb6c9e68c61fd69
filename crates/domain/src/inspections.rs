//! Inspection records in the field: two inspectors each holding a valid 执法证
//! that day (the registry's rule), checklist results against the task's items,
//! the party's signature or its refusal, the outcome — and for 责令整改 the order
//! with its deadline from the working-day calendar. Institutions see their own
//! outcomes and orders and report their correction.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult, ErrorKind};
use crate::input;
use serde::Deserialize;
use weijian_rules::inspection::{
    rectification_deadline, InspectionOutcome, PartySignature, PointResult, RECTIFICATION_MAX_DAYS,
};
use weijian_store::ids::{InspectionTaskId, InspectorId, RectificationId};
use weijian_store::inspection_items::{ItemListContent, ItemLists};
use weijian_store::inspection_tasks::{self, InspectionTask};
use weijian_store::inspections::{
    self, Inspection, InspectionData, OrderData, PointRecord, Rectification, RectificationQuery,
};
use weijian_store::page::Page;
use weijian_store::{inspectors, random_plans, versioned, Actor, Store, StoreError};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointInput {
    pub item: String,
    /// The point's position in the item's checklist, from 0.
    pub point: usize,
    /// pass, fail, not_applicable (or 符合, 不符合, 不适用)
    pub result: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// What must be corrected.
    pub content: String,
    /// 1–90 days from the inspection.
    pub days: u32,
    /// Count working days (the official calendar) instead of natural days.
    #[serde(default)]
    pub working_days: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectionInput {
    pub inspected_on: String,
    pub place: String,
    /// The two inspectors' ids.
    #[serde(default)]
    pub inspectors: Vec<String>,
    #[serde(default)]
    pub results: Vec<PointInput>,
    #[serde(default)]
    pub findings: String,
    /// signed, refused, absent
    pub party_signature: String,
    pub party_name: Option<String>,
    /// qualified, rectify, case_lead
    pub outcome: String,
    #[serde(default)]
    pub attachments: Vec<String>,
    pub rectification: Option<OrderInput>,
}

fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> DomainError {
    DomainError::invalid(code, field, message)
}

/// The checklist a task's results are checked against: its item list's.
pub async fn checklist_of(
    store: &Store,
    actor: &Actor,
    task: &InspectionTask,
) -> DomainResult<Option<ItemListContent>> {
    let Some(list_id) = task.item_list_id else { return Ok(None) };
    let list = versioned::get::<ItemLists>(store, actor, list_id).await?;
    Ok(Some(list.content))
}

async fn parse(
    store: &Store,
    actor: &Actor,
    task: &InspectionTask,
    input: &InspectionInput,
) -> DomainResult<(InspectionData, Option<OrderData>)> {
    let inspected_on = input::parse_date(&input.inspected_on)
        .ok_or_else(|| invalid("inspection.invalid_date", "inspected_on", "检查日期应为有效日期，格式 YYYY-MM-DD"))?;
    if inspected_on > input::today() {
        return Err(invalid("inspection.future_date", "inspected_on", "检查日期不能晚于今天"));
    }
    let place = input.place.trim();
    if place.is_empty() || place.chars().count() > 200 {
        return Err(invalid("inspection.place_required", "place", "请填写检查地点（200 字以内）"));
    }
    // Two inspectors, both certified that day (行政处罚法 Art 42: at least two enforcers).
    let mut ids: Vec<InspectorId> = Vec::new();
    for raw in &input.inspectors {
        let id: InspectorId =
            raw.trim().parse().map_err(|_| invalid("request.invalid_id", "inspectors", "执法人员标识无效"))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let [first, second] = ids.as_slice() else {
        return Err(invalid(
            "inspection.two_inspectors_required",
            "inspectors",
            format!("监督检查须由两名执法人员进行，本记录有 {} 名", ids.len()),
        ));
    };
    for id in [first, second] {
        let inspector = match inspectors::get(store, actor, *id).await {
            Ok(i) => i,
            Err(StoreError::NotFound) => {
                return Err(invalid("inspection.inspector_not_found", "inspectors", "执法人员不存在或不在您的辖区内"))
            }
            Err(e) => return Err(e.into()),
        };
        if !inspector.may_enforce_on(inspected_on) {
            return Err(invalid(
                "inspection.inspector_not_eligible",
                "inspectors",
                format!("{}在 {inspected_on} 未持有效执法证或不在岗，不能参与检查", inspector.data.name),
            ));
        }
    }
    let checklist = checklist_of(store, actor, task).await?;
    let mut results = Vec::new();
    for (n, p) in input.results.iter().enumerate() {
        let field = format!("results[{n}]");
        if !task.items.contains(&p.item) {
            return Err(invalid("inspection.unknown_item", &field, format!("检查事项“{}”不属于本任务", p.item)));
        }
        if let Some(list) = &checklist {
            let points = list.item(&p.item).map_or(0, |i| i.checklist.len());
            if p.point >= points {
                return Err(invalid(
                    "inspection.unknown_point",
                    &field,
                    format!("检查事项“{}”的检查表没有第 {} 项", p.item, p.point + 1),
                ));
            }
        }
        let result = PointResult::parse_key_or_label(&p.result)
            .ok_or_else(|| invalid("inspection.invalid_result", &field, "检查结果应为符合、不符合或不适用"))?;
        if results.iter().any(|r: &PointRecord| r.item == p.item && r.point == p.point) {
            return Err(invalid("inspection.duplicate_point", &field, "同一检查项填写了两次"));
        }
        results.push(PointRecord { item: p.item.clone(), point: p.point, result, note: p.note.trim().to_string() });
    }
    let signature = PartySignature::parse_key_or_label(&input.party_signature).ok_or_else(|| {
        invalid("inspection.invalid_signature", "party_signature", "当事人签字情况应为已签字、拒绝签字或不在场")
    })?;
    let party_name = input.party_name.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    if signature == PartySignature::Signed && party_name.is_none() {
        return Err(invalid("inspection.party_name_required", "party_name", "当事人已签字时请填写签字人姓名"));
    }
    let outcome = InspectionOutcome::parse_key_or_label(&input.outcome)
        .ok_or_else(|| invalid("inspection.invalid_outcome", "outcome", "检查结论应为合格、责令整改或建议立案"))?;
    let failed = results.iter().any(|r| r.result == PointResult::Fail);
    if outcome == InspectionOutcome::Qualified && failed {
        return Err(invalid("inspection.qualified_with_failures", "outcome", "有不符合项时检查结论不能为合格"));
    }
    let findings = input.findings.trim().to_string();
    if findings.chars().count() > 5000 {
        return Err(invalid("inspection.findings_too_long", "findings", "检查情况不能超过 5000 字"));
    }
    let order = match (outcome, &input.rectification) {
        (InspectionOutcome::Rectify, Some(o)) => {
            let content = o.content.trim();
            if content.is_empty() {
                return Err(invalid("rectification.content_required", "rectification.content", "请填写责令整改的内容"));
            }
            let cal = crate::calendar::load(store).await?;
            let deadline = rectification_deadline(&cal, inspected_on, o.days, o.working_days).map_err(|m| {
                invalid(
                    "rectification.invalid_days",
                    "rectification.days",
                    format!("{m}（最长 {RECTIFICATION_MAX_DAYS} 日）"),
                )
            })?;
            Some(OrderData { content: content.to_string(), deadline })
        }
        (InspectionOutcome::Rectify, None) => {
            return Err(invalid("rectification.required", "rectification", "结论为责令整改时须填写整改内容和期限"))
        }
        (_, Some(_)) => {
            return Err(invalid("rectification.unexpected", "rectification", "只有结论为责令整改时才能下达整改通知"))
        }
        (_, None) => None,
    };
    let attachments = evidence_of(store, actor, task.entity_id, &input.attachments).await?;
    Ok((
        InspectionData {
            inspected_on,
            place: place.to_string(),
            inspectors: [*first, *second],
            results,
            findings,
            party_signature: signature,
            party_name,
            outcome,
            attachments,
        },
        order,
    ))
}

/// Attachment ids that exist in the actor's scope, belong to this entity (or
/// to none yet) and are not linked to another record.
async fn evidence_of(
    store: &Store,
    actor: &Actor,
    entity: weijian_store::ids::EntityId,
    ids: &[String],
) -> DomainResult<Vec<String>> {
    let mut out = Vec::new();
    for raw in ids {
        let id: weijian_store::ids::AttachmentId =
            raw.trim().parse().map_err(|_| invalid("request.invalid_id", "attachments", "附件标识无效"))?;
        let a = match weijian_store::attachments::get(store, actor, id).await {
            Ok(a) => a,
            Err(StoreError::NotFound) => {
                return Err(invalid("attachment.not_found", "attachments", "附件不存在或不在您的辖区内，请重新上传"))
            }
            Err(e) => return Err(e.into()),
        };
        if a.entity_id.is_some_and(|e| e != entity) || a.owner_id.is_some() {
            return Err(invalid(
                "attachment.belongs_elsewhere",
                "attachments",
                format!("附件“{}”属于其他监管对象或记录", a.original_name),
            ));
        }
        if !out.contains(&id.to_string()) {
            out.push(id.to_string());
        }
    }
    Ok(out)
}

/// Records the inspection of a task (and the order, for 责令整改).
pub async fn record(
    store: &Store,
    actor: &Actor,
    task_id: InspectionTaskId,
    input: &InspectionInput,
) -> DomainResult<(Inspection, Option<Rectification>)> {
    require(actor, Permission::RecordInspections)?;
    let task = inspection_tasks::get(store, actor, task_id).await?;
    let (data, order) = parse(store, actor, &task, input).await?;
    Ok(inspections::record(store, actor, &task, &data, order.as_ref()).await?)
}

pub async fn rectifications(store: &Store, actor: &Actor, q: &RectificationQuery) -> DomainResult<Page<Rectification>> {
    require(actor, Permission::ViewRegistry)?;
    Ok(inspections::rectifications(store, actor, q).await?)
}

/// The institution reports its correction.
pub async fn report(
    store: &Store,
    actor: &Actor,
    id: RectificationId,
    text: &str,
    attachments: &[String],
) -> DomainResult<Rectification> {
    require(actor, Permission::ViewRegistry)?;
    if actor.role() != Some(weijian_store::Role::Institution) && actor.role().is_some() {
        return Err(DomainError::new(
            ErrorKind::Forbidden,
            "rectification.institution_only",
            "整改报告由被检查单位提交",
        ));
    }
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 5000 {
        return Err(invalid("rectification.report_required", "report", "请填写整改情况（5000 字以内）"));
    }
    let order = inspections::get_rectification(store, actor, id).await?;
    let attachments = evidence_of(store, actor, order.entity_id, attachments).await?;
    Ok(inspections::report(store, actor, id, text, &attachments).await?)
}

/// 监督覆盖率 of a calendar year per category, in the actor's scope.
pub async fn coverage(
    store: &Store,
    actor: &Actor,
    year: i32,
    region_code: Option<&str>,
) -> DomainResult<Vec<weijian_store::inspections::CoverageLine>> {
    require(actor, Permission::ViewRegistry)?;
    let (Some(from), Some(until)) =
        (chrono::NaiveDate::from_ymd_opt(year, 1, 1), chrono::NaiveDate::from_ymd_opt(year, 12, 31))
    else {
        return Err(invalid("coverage.invalid_year", "year", "年份无效"));
    };
    if !(2000..=2100).contains(&year) {
        return Err(invalid("coverage.invalid_year", "year", "年份应在 2000 到 2100 之间"));
    }
    Ok(inspections::coverage(store, actor, region_code, from, until).await?)
}

pub async fn never_inspected(
    store: &Store,
    actor: &Actor,
    after: Option<&weijian_store::page::Cursor>,
    limit: Option<usize>,
) -> DomainResult<Page<(weijian_store::ids::EntityId, String, String)>> {
    require(actor, Permission::ViewRegistry)?;
    Ok(inspections::never_inspected(store, actor, after, limit).await?)
}

/// What a 卫生监督意见书 of an inspection says, with its 文号: the number is
/// issued (audited, gapless per issuing unit and year) the first time staff
/// ask for the document; institutions see it once issued.
pub async fn opinion(
    store: &Store,
    actor: &Actor,
    id: weijian_store::ids::InspectionId,
) -> DomainResult<weijian_documents::OpinionData> {
    use weijian_documents::{Inspector as Signer, Inspectors, OpinionData, Party};
    use weijian_rules::documents::DocumentKind;
    use weijian_store::documents as numbers;
    require(actor, Permission::ViewRegistry)?;
    let inspection = inspections::get(store, actor, id).await?;
    let entity = weijian_store::entities::get(store, actor, inspection.entity_id).await?;
    let mut signers = Vec::new();
    let mut unit = None;
    for i in inspection.data.inspectors {
        let x = inspectors::get(store, &Actor::system(), i).await?;
        unit.get_or_insert(x.data.unit_id);
        signers.push(Signer { name: x.data.name, certificate_no: x.data.cert_no });
    }
    let unit = unit.ok_or_else(|| DomainError::new(ErrorKind::Internal, "internal", "检查记录缺少执法人员"))?;
    let kind = DocumentKind::SupervisionOpinion;
    let object_id = id.to_string();
    let issued = match numbers::number_for(store, kind, "inspection", &object_id).await? {
        Some(n) => n,
        None if actor.role() == Some(weijian_store::Role::Institution) => {
            return Err(DomainError::new(ErrorKind::NotFound, "document.not_issued", "该检查的卫生监督意见书尚未出具"))
        }
        None => {
            let mut tx = store.begin().await?;
            let date = inspection.data.inspected_on;
            let req = numbers::NumberRequest {
                unit_id: unit,
                kind,
                year: chrono::Datelike::year(&date),
                object_type: "inspection",
                object_id: object_id.clone(),
            };
            match numbers::allocate(&mut tx, actor, req).await {
                Ok(n) => {
                    tx.commit().await?;
                    n
                }
                // Issued meanwhile by another request: that number stands.
                Err(StoreError::Conflict { code: "document.already_numbered", .. }) => {
                    numbers::number_for(store, kind, "inspection", &object_id)
                        .await?
                        .ok_or_else(|| DomainError::new(ErrorKind::Internal, "internal", "文号状态不一致"))?
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let issuer = numbers::issuer_for(store, &Actor::system(), issued.unit_id).await?;
    let order = inspections::rectifications(
        store,
        actor,
        &RectificationQuery { inspection_id: Some(id), limit: Some(1), ..Default::default() },
    )
    .await?
    .items
    .into_iter()
    .next();
    let d = &entity.data;
    let opinion = match inspection.data.outcome {
        InspectionOutcome::Qualified => "经检查，未发现违反卫生法律法规的行为。请继续依法执业，落实各项卫生管理制度。".to_string(),
        InspectionOutcome::Rectify => "经检查，发现上述问题，违反了有关卫生法律法规的规定。责令你单位按下列要求限期改正，并将整改情况书面报告我单位。".to_string(),
        InspectionOutcome::CaseLead => "经检查，发现涉嫌违反卫生法律法规的行为，我单位将依法进一步调查处理。".to_string(),
    };
    let failed: Vec<String> = inspection
        .data
        .results
        .iter()
        .filter(|r| r.result == PointResult::Fail)
        .map(|r| if r.note.is_empty() { format!("{} 第 {} 项不符合", r.item, r.point + 1) } else { r.note.clone() })
        .collect();
    let findings = match (inspection.data.findings.is_empty(), failed.is_empty()) {
        (false, _) => inspection.data.findings.clone(),
        (true, false) => failed.join("；"),
        (true, true) => "现场检查未发现问题。".to_string(),
    };
    Ok(OpinionData {
        issuer: issuer.unit_name,
        doc_number: issued.doc_number,
        party: Party {
            name: d.name.clone(),
            address: d.address.clone().unwrap_or_default(),
            legal_representative: d.legal_representative.clone().unwrap_or_default(),
            phone: d.contact_phone.clone(),
            uscc: d.uscc.clone(),
        },
        findings,
        opinion,
        rectification: order.map(|o| weijian_documents::Rectification { content: o.content, deadline: o.deadline }),
        inspectors: Inspectors::new(signers)
            .map_err(|e| DomainError::new(ErrorKind::Internal, "document.invalid", e.to_string()))?,
        party_signature: match (inspection.data.party_signature, inspection.data.party_name) {
            (PartySignature::Signed, Some(name)) => weijian_documents::PartySignature::Signed { name },
            (PartySignature::Refused, _) => weijian_documents::PartySignature::Refused { witness: None },
            _ => weijian_documents::PartySignature::Blank,
        },
        date: inspection.data.inspected_on,
    })
}

/// 一公开: publishes the plan's recorded results not yet public; how many.
pub async fn publish_results(
    store: &Store,
    actor: &Actor,
    plan_id: weijian_store::ids::RandomPlanId,
) -> DomainResult<u64> {
    require(actor, Permission::ManagePlans)?;
    let plan = random_plans::get(store, actor, plan_id).await?;
    if plan.status.scope_editable() || plan.status == weijian_rules::inspection::PlanStatus::Frozen {
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "publication.not_drawn",
            "计划尚未抽取，没有可公开的检查结果",
        ));
    }
    Ok(inspections::publish_plan_results(store, actor, &plan).await?)
}

/// The name of an individual (个体经营者) on the portal: its first character
/// and the last two (usually the trade: 理发店), the rest masked — the
/// personal name inside a sole trader's business name is personal data.
pub fn redact_individual(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= 3 {
        return chars.first().map(|c| format!("{c}**")).unwrap_or_default();
    }
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{}{}{tail}", chars[0], "*".repeat(chars.len() - 3))
}

/// Published results for the portal, individuals' names redacted.
pub async fn public_results(
    store: &Store,
    region_code: Option<&str>,
) -> DomainResult<Vec<weijian_store::inspections::PublicResult>> {
    let mut rows = inspections::public_results(store, region_code, 500).await?;
    for r in &mut rows {
        if r.individual {
            r.entity_name = redact_individual(&r.entity_name);
        }
    }
    Ok(rows)
}

/// Random inspections whose result should have been public by `today`: the
/// statutory table's `random_results_publication` (20 working days from the
/// check) on the working-day calendar. (entity name, inspected on, due).
pub async fn overdue_publications(
    store: &Store,
    actor: &Actor,
    today: chrono::NaiveDate,
) -> DomainResult<Vec<(String, chrono::NaiveDate, chrono::NaiveDate)>> {
    require(actor, Permission::ViewRegistry)?;
    let rule = weijian_rules::deadlines::get("random_results_publication")
        .map_err(|e| DomainError::new(ErrorKind::Internal, e.code(), e.to_string()))?;
    let cal = crate::calendar::load(store).await?;
    let mut out = Vec::new();
    for (_, name, day) in inspections::unpublished_random(store, actor).await? {
        // A year the calendar does not know yet: no verdict rather than a wrong one.
        if let Ok(due) = rule.due(&cal, day) {
            if due < today {
                out.push((name, day, due));
            }
        }
    }
    Ok(out)
}

/// Assigns a task by hand (patrol, campaign, complaint): items of a published
/// list, two inspectors certified today, a due date not in the past.
pub async fn assign_task(
    store: &Store,
    actor: &Actor,
    data: &weijian_store::inspection_tasks::TaskData,
) -> DomainResult<InspectionTask> {
    require(actor, Permission::ManagePlans)?;
    if data.source == weijian_rules::inspection::TaskSource::Random {
        return Err(invalid("inspection_task.random_by_draw", "source", "双随机任务只能由抽取产生"));
    }
    let today = input::today();
    if data.due_on < today {
        return Err(invalid("inspection_task.due_in_past", "due_on", "完成期限不能早于今天"));
    }
    if data.inspectors[0] == data.inspectors[1] {
        return Err(invalid("inspection.two_inspectors_required", "inspectors", "须指派两名不同的执法人员"));
    }
    for id in data.inspectors {
        let i = inspectors::get(store, actor, id).await?;
        if !i.may_enforce_on(today) {
            return Err(invalid(
                "inspection.inspector_not_eligible",
                "inspectors",
                format!("{}今日未持有效执法证或不在岗，不能指派", i.data.name),
            ));
        }
    }
    let list = versioned::get::<ItemLists>(store, actor, data.item_list_id).await?;
    if !list.is_published() || data.items.is_empty() || data.items.iter().any(|c| list.content.item(c).is_none()) {
        return Err(invalid("inspection_task.unknown_item", "items", "检查事项须来自已发布的抽查事项清单"));
    }
    Ok(inspection_tasks::create(store, actor, data).await?)
}

#[cfg(test)]
mod tests {
    use super::redact_individual;

    #[test]
    fn individuals_names_keep_only_their_first_character_and_trade() {
        assert_eq!(redact_individual("张秀美理发店"), "张***发店");
        assert_eq!(redact_individual("李记"), "李**");
        assert_eq!(redact_individual(""), "");
    }
}
