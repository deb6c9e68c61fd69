//! Inspection records in the field: two inspectors each holding a valid 执法证
//! that day (the registry's rule), checklist results against the task's items,
//! the party's signature or its refusal, the outcome — and for 责令整改 the order
//! with its deadline from the working-day calendar. Institutions see their own
//! outcomes and orders (reports on orders: crate::rectifications).

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult, ErrorKind};
use crate::input;
use serde::Deserialize;
use weijian_rules::inspection::{
    rectification_deadline, InspectionOutcome, PartySignature, PointResult, RECTIFICATION_MAX_DAYS,
};
use weijian_store::ids::{InspectionTaskId, InspectorId};
use weijian_store::inspection_items::{ItemListContent, ItemLists};
use weijian_store::inspection_tasks::{self, InspectionTask};
use weijian_store::inspections::{
    self, clock, Inspection, InspectionData, OrderData, PointRecord, Rectification, RectificationQuery,
};
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
    /// When the inspection began that day, `HH:MM` (Beijing time).
    #[serde(default)]
    pub started_at: String,
    /// When it ended, `HH:MM`, not before it began.
    #[serde(default)]
    pub ended_at: String,
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
    let (started_at, ended_at) = times(&input.started_at, &input.ended_at)?;
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
    // The task's pair binds (drawn or assigned); a substitution changes it.
    crate::substitutions::check_pair(store, task, [*first, *second]).await?;
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
    let attachments =
        crate::evidence::for_inspection(store, actor, task.entity_id, [*first, *second], &input.attachments).await?;
    Ok((
        InspectionData {
            inspected_on,
            started_at: Some(started_at),
            ended_at: Some(ended_at),
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

/// The inspection's start and end on its day: both required, `HH:MM`, the end
/// not before the start (a 现场笔录 states both).
pub fn times(started: &str, ended: &str) -> DomainResult<(chrono::NaiveTime, chrono::NaiveTime)> {
    let read = |raw: &str, field: &'static str, what: &str| {
        if raw.trim().is_empty() {
            let code =
                if field == "started_at" { "inspection.started_at_required" } else { "inspection.ended_at_required" };
            return Err(invalid(code, field, format!("请填写检查{what}时间（时:分，如 09:30）")));
        }
        clock::parse(raw).ok_or_else(|| {
            invalid(
                "inspection.invalid_time",
                field,
                format!("检查{what}时间“{}”无效，应为 时:分（如 09:30）", raw.trim()),
            )
        })
    };
    let started_at = read(started, "started_at", "开始")?;
    let ended_at = read(ended, "ended_at", "结束")?;
    if ended_at < started_at {
        return Err(invalid(
            "inspection.ended_before_started",
            "ended_at",
            format!("检查结束时间 {} 早于开始时间 {}", clock::to_text(ended_at), clock::to_text(started_at)),
        ));
    }
    Ok((started_at, ended_at))
}

/// The catalog violation codes of the failed points, each once, in checklist order.
pub fn failed_violation_codes(checklist: Option<&ItemListContent>, results: &[PointRecord]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(list) = checklist else { return out };
    for r in results.iter().filter(|r| r.result == PointResult::Fail) {
        let code = list.item(&r.item).and_then(|i| i.checklist.get(r.point)).and_then(|p| p.violation_code.clone());
        if let Some(code) = code {
            if !out.contains(&code) {
                out.push(code);
            }
        }
    }
    out
}

/// Records the inspection of a task: for 责令整改 the order too; a re-inspection
/// (复查) closes the order it follows up; 建议立案, or a re-inspection that finds
/// the order not carried out, raises a case lead (案源) with the failed
/// points' violation codes — all in one transaction.
pub async fn record(
    store: &Store,
    actor: &Actor,
    task_id: InspectionTaskId,
    input: &InspectionInput,
) -> DomainResult<Recorded> {
    require(actor, Permission::RecordInspections)?;
    let task = inspection_tasks::get(store, actor, task_id).await?;
    let (data, order) = parse(store, actor, &task, input).await?;
    let checklist = checklist_of(store, actor, &task).await?;
    let codes = failed_violation_codes(checklist.as_ref(), &data.results);
    crate::recording::record(store, actor, &task, &data, order.as_ref(), &codes).await
}

pub use crate::recording::Recorded;

/// The inspectors of a record as documents name them, and the unit whose
/// documents they issue (the first inspector's).
async fn signers_of(
    store: &Store,
    inspection: &Inspection,
) -> DomainResult<(
    Vec<weijian_documents::Inspector>,
    Vec<Option<weijian_store::ids::UserId>>,
    weijian_store::ids::UnitId,
)> {
    let mut signers = Vec::new();
    let mut users = Vec::new();
    let mut unit = None;
    for i in inspection.data.inspectors {
        let x = inspectors::get(store, &Actor::system(), i).await?;
        unit.get_or_insert(x.data.unit_id);
        users.push(x.data.user_id);
        signers.push(weijian_documents::Inspector { name: x.data.name, certificate_no: x.data.cert_no });
    }
    let unit = unit.ok_or_else(|| DomainError::new(ErrorKind::Internal, "internal", "检查记录缺少执法人员"))?;
    Ok((signers, users, unit))
}

/// The 文号 of an inspection's document of `kind`: issued (audited, gapless per
/// issuing unit, kind and year) the first time staff ask for the document; an
/// institution sees the document only once issued.
async fn document_number(
    store: &Store,
    actor: &Actor,
    inspection: &Inspection,
    unit: weijian_store::ids::UnitId,
    kind: weijian_rules::documents::DocumentKind,
) -> DomainResult<weijian_store::documents::IssuedNumber> {
    use weijian_store::documents as numbers;
    let object_id = inspection.id.to_string();
    if let Some(n) = numbers::number_for(store, kind, "inspection", &object_id).await? {
        return Ok(n);
    }
    if actor.role() == Some(weijian_store::Role::Institution) {
        return Err(DomainError::new(
            ErrorKind::NotFound,
            "document.not_issued",
            format!("该检查的{}尚未出具", kind.name()),
        ));
    }
    let mut tx = store.begin().await?;
    let req = numbers::NumberRequest {
        unit_id: unit,
        kind,
        year: chrono::Datelike::year(&inspection.data.inspected_on),
        object_type: "inspection",
        object_id: object_id.clone(),
    };
    match numbers::allocate(&mut tx, actor, req).await {
        Ok(n) => {
            tx.commit().await?;
            Ok(n)
        }
        // Issued meanwhile by another request: that number stands.
        Err(StoreError::Conflict { code: "document.already_numbered", .. }) => {
            numbers::number_for(store, kind, "inspection", &object_id)
                .await?
                .ok_or_else(|| DomainError::new(ErrorKind::Internal, "internal", "文号状态不一致"))
        }
        Err(e) => Err(e.into()),
    }
}

fn party_of(d: &weijian_store::entities::EntityData) -> weijian_documents::Party {
    weijian_documents::Party {
        name: d.name.clone(),
        address: d.address.clone().unwrap_or_default(),
        legal_representative: d.legal_representative.clone().unwrap_or_default(),
        phone: d.contact_phone.clone(),
        uscc: d.uscc.clone(),
    }
}

/// The order an inspection issued, if any.
async fn order_of(
    store: &Store,
    actor: &Actor,
    id: weijian_store::ids::InspectionId,
) -> DomainResult<Option<Rectification>> {
    Ok(inspections::rectifications(
        store,
        actor,
        &RectificationQuery { inspection_id: Some(id), limit: Some(1), ..Default::default() },
    )
    .await?
    .items
    .into_iter()
    .next())
}

/// What a 卫生监督意见书 of an inspection says, with its 文号: the number is
/// issued (audited, gapless per issuing unit and year) the first time staff
/// ask for the document; institutions see it once issued.
pub async fn opinion(
    store: &Store,
    actor: &Actor,
    id: weijian_store::ids::InspectionId,
) -> DomainResult<weijian_documents::OpinionData> {
    use weijian_documents::{Inspectors, OpinionData};
    use weijian_rules::documents::DocumentKind;
    require(actor, Permission::ViewRegistry)?;
    let inspection = inspections::get(store, actor, id).await?;
    let entity = weijian_store::entities::get(store, actor, inspection.entity_id).await?;
    let (signers, _, unit) = signers_of(store, &inspection).await?;
    let issued = document_number(store, actor, &inspection, unit, DocumentKind::SupervisionOpinion).await?;
    let issuer = weijian_store::documents::issuer_for(store, &Actor::system(), issued.unit_id).await?;
    let order = order_of(store, actor, id).await?;
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
        party: party_of(&entity.data),
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

/// What the 现场笔录 of an inspection says, with its own 文号 (kind
/// site_record, issued like the opinion's): the time from–to, place, the two
/// inspectors and their 执法证 numbers, the party and the person present, each
/// checklist point with its result and note, the findings, the outcome and
/// the party's signature, refusal (attested by the inspectors) or absence.
/// Institutions read it once issued: the party receives a copy.
pub async fn site_record(
    store: &Store,
    actor: &Actor,
    id: weijian_store::ids::InspectionId,
) -> DomainResult<weijian_documents::SiteRecordData> {
    use weijian_documents::{CheckResult, CheckRow, Inspectors, PresentPerson, SiteRecordData};
    use weijian_rules::documents::DocumentKind;
    require(actor, Permission::ViewRegistry)?;
    let inspection = inspections::get(store, actor, id).await?;
    let d = &inspection.data;
    let (Some(started), Some(ended)) = (d.started_at, d.ended_at) else {
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "site_record.times_missing",
            "该检查记录没有检查起止时间（早于记录时间的版本），无法生成现场笔录",
        ));
    };
    let entity = weijian_store::entities::get(store, actor, inspection.entity_id).await?;
    let (signers, users, unit) = signers_of(store, &inspection).await?;
    let issued = document_number(store, actor, &inspection, unit, DocumentKind::SiteRecord).await?;
    let issuer = weijian_store::documents::issuer_for(store, &Actor::system(), issued.unit_id).await?;
    // The recorder is the inspector who saved the record, else the first one.
    let recorder = users
        .iter()
        .position(|u| u.is_some() && *u == inspection.recorded_by)
        .map_or_else(|| signers[0].name.clone(), |n| signers[n].name.clone());
    let task = inspection_tasks::get(store, &Actor::system(), inspection.task_id).await?;
    let checklist = checklist_of(store, &Actor::system(), &task).await?;
    let checklist_rows = d
        .results
        .iter()
        .map(|r| {
            let item = checklist.as_ref().and_then(|l| l.item(&r.item));
            let text = item.and_then(|i| i.checklist.get(r.point)).map(|p| p.text.clone());
            let point = match (item, text) {
                (Some(i), Some(t)) => format!("{}：{t}", i.name),
                _ => format!("{} 第 {} 项", r.item, r.point + 1),
            };
            CheckRow {
                point,
                result: match r.result {
                    PointResult::Pass => CheckResult::Compliant,
                    PointResult::Fail => CheckResult::NonCompliant,
                    PointResult::NotApplicable => CheckResult::NotApplicable,
                },
                note: r.note.clone(),
            }
        })
        .collect();
    let order = order_of(store, actor, id).await?;
    let conclusion = match (&d.outcome, order) {
        (InspectionOutcome::Rectify, Some(o)) => format!(
            "责令整改：{}，限于{}前改正。",
            o.content.trim_end_matches('。'),
            weijian_documents::chinese_date(o.deadline)
        ),
        (outcome, _) => format!("{}。", outcome.label()),
    };
    let present = d.party_name.clone().map(|name| {
        let position = match entity.data.legal_representative.as_deref() {
            Some(rep) if rep == name => "法定代表人（负责人）".to_string(),
            _ => String::new(),
        };
        PresentPerson { name, position, phone: None }
    });
    Ok(SiteRecordData {
        issuer: issuer.unit_name,
        doc_number: issued.doc_number,
        party: party_of(&entity.data),
        place: d.place.clone(),
        started_at: d.inspected_on.and_time(started),
        ended_at: d.inspected_on.and_time(ended),
        inspectors: Inspectors::new(signers)
            .map_err(|e| DomainError::new(ErrorKind::Internal, "document.invalid", e.to_string()))?,
        recorder,
        present,
        findings: d.findings.clone(),
        checklist: checklist_rows,
        conclusion,
        party_signature: match (d.party_signature, d.party_name.clone()) {
            (PartySignature::Signed, Some(name)) => weijian_documents::PartySignature::Signed { name },
            (PartySignature::Signed, None) => weijian_documents::PartySignature::Blank,
            (PartySignature::Refused, _) => weijian_documents::PartySignature::Refused { witness: None },
            (PartySignature::Absent, _) => weijian_documents::PartySignature::Absent,
        },
    })
}

/// Which of an inspection's documents already carry a 文号: (opinion, site record).
pub async fn issued_documents(store: &Store, id: weijian_store::ids::InspectionId) -> DomainResult<(bool, bool)> {
    use weijian_rules::documents::DocumentKind;
    use weijian_store::documents::number_for;
    let object = id.to_string();
    let opinion = number_for(store, DocumentKind::SupervisionOpinion, "inspection", &object).await?.is_some();
    let site = number_for(store, DocumentKind::SiteRecord, "inspection", &object).await?.is_some();
    Ok((opinion, site))
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

/// Assigns a task by hand (patrol, campaign, complaint, pre-licence): items of
/// a published list, two inspectors certified today, a due date not in the past.
pub async fn assign_task(
    store: &Store,
    actor: &Actor,
    data: &weijian_store::inspection_tasks::TaskData,
) -> DomainResult<InspectionTask> {
    assign_task_in(store, actor, data, None).await
}

/// [`assign_task`], the task filed under a 专项检查 when `campaign` is given.
pub async fn assign_task_in(
    store: &Store,
    actor: &Actor,
    data: &weijian_store::inspection_tasks::TaskData,
    campaign: Option<weijian_store::ids::InspectionCampaignId>,
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
        let i = match inspectors::get(store, actor, id).await {
            Ok(i) => i,
            Err(StoreError::NotFound) => {
                return Err(invalid(
                    "inspection.inspector_not_found",
                    "inspector_ids",
                    "执法人员不存在或不在您的辖区内",
                ))
            }
            Err(e) => return Err(e.into()),
        };
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
    Ok(inspection_tasks::create_in_campaign(store, actor, data, campaign).await?)
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
