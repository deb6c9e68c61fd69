//! Recording an inspection, across aggregates in one transaction: the task
//! is recorded (its lifecycle step), the record inserted, the plan moved
//! along (started by its first record, completed by its last), a followed-up
//! order closed by the re-inspection's verdict, a new order issued with its
//! re-inspection task, and a case lead raised — each a small store step on
//! the one `WriteTx` begun and committed here.

use crate::error::DomainResult;
use serde::Serialize;
use weijian_rules::case_leads::CaseLeadSource;
use weijian_rules::inspection::{InspectionOutcome, PlanAction, TaskAction, TaskSource};
use weijian_rules::lifecycle::allows;
use weijian_rules::rectification::{RectificationAction, RectificationStatus};
use weijian_store::audit::Change;
use weijian_store::case_leads::{self, CaseLead, NewLead};
use weijian_store::ids::InspectionTaskId;
use weijian_store::inspection_tasks::{self, InspectionTask, NewTask};
use weijian_store::inspections::{self, Inspection, InspectionData};
use weijian_store::lifecycle::Step;
use weijian_store::rectifications::{self, NewOrder, OrderData, Rectification};
use weijian_store::{random_plans, Actor, Store, WriteTx};

/// What recording an inspection did: the record, the order it issued, the
/// order it followed up (a re-inspection), and the case lead it raised.
#[derive(Clone, Debug, Serialize)]
pub struct Recorded {
    pub inspection: Inspection,
    pub rectification: Option<Rectification>,
    pub followed_up: Option<Rectification>,
    pub case_lead: Option<CaseLead>,
}

/// Records a checked inspection of an open task (the caller parsed and
/// checked `data`, `order` and the violation codes).
pub(crate) async fn record(
    store: &Store,
    actor: &Actor,
    task: &InspectionTask,
    data: &InspectionData,
    order: Option<&OrderData>,
    violation_codes: &[String],
) -> DomainResult<Recorded> {
    let mut tx = store.begin().await?;
    let summary = format!("记录{}的检查任务", task.entity_name);
    // As read: a substitution meanwhile changed the pair that was checked (409 stale).
    let step = Step::new(task.status, TaskAction::Record).version(Some(task.version));
    inspection_tasks::step_in(&mut tx, actor, task, step, summary).await?;
    // A re-inspection follows up an order still awaiting it.
    let follows = if task.source == TaskSource::Reinspection {
        Some(rectifications::followed_up_by(&mut tx, task).await?)
    } else {
        None
    };
    let inspection = inspections::insert_in(&mut tx, actor, task, data).await?;
    if let Some(plan_id) = task.plan_id {
        advance_plan(&mut tx, actor, store, plan_id).await?;
    }
    let followed_up = match follows {
        None => None,
        Some(before) => {
            let verdict = if data.outcome == InspectionOutcome::Qualified {
                RectificationAction::Verify
            } else {
                RectificationAction::Unresolved
            };
            Some(rectifications::close_in(&mut tx, actor, &before, verdict, inspection.id).await?)
        }
    };
    let rectification = match order {
        None => None,
        Some(o) => Some(issue_order(&mut tx, task, data, &inspection, o).await?),
    };
    let summary = match &rectification {
        Some(r) => format!("记录{}的监督检查：{}，限 {} 前整改", task.entity_name, data.outcome.label(), r.deadline),
        None => format!("记录{}的监督检查：{}", task.entity_name, data.outcome.label()),
    };
    tx.audit(
        actor,
        Change {
            action: "inspection.record",
            object_type: "entity",
            object_id: task.entity_id.to_string(),
            region_code: Some(task.region_code.clone()),
            summary,
            before: None,
            after: Some(serde_json::json!({"inspection": inspection, "rectification": rectification})),
        },
    )
    .await?;
    let case_lead = raise_lead(&mut tx, actor, &inspection, followed_up.as_ref(), violation_codes).await?;
    tx.commit().await?;
    Ok(Recorded { inspection, rectification, followed_up, case_lead })
}

/// The plan starts with its first record and completes with its last.
async fn advance_plan(
    tx: &mut WriteTx,
    actor: &Actor,
    store: &Store,
    plan_id: weijian_store::ids::RandomPlanId,
) -> DomainResult<()> {
    let plan = random_plans::get(store, &Actor::system(), plan_id).await?;
    let action = if inspection_tasks::plan_has_open_tasks(tx, plan_id).await? {
        PlanAction::Start
    } else {
        PlanAction::Complete
    };
    if allows(plan.status, action) {
        let summary = format!("抽查计划“{}”{}", plan.data.name, action.label());
        random_plans::step_in(tx, actor, &plan, Step::new(plan.status, action), summary).await?;
    }
    Ok(())
}

/// Issues a 责令整改 order with its re-inspection task for the deadline, by the same two inspectors.
async fn issue_order(
    tx: &mut WriteTx,
    task: &InspectionTask,
    data: &InspectionData,
    inspection: &Inspection,
    o: &OrderData,
) -> DomainResult<Rectification> {
    let reinspection: InspectionTaskId = inspection_tasks::insert_in(
        tx,
        NewTask {
            region_code: &task.region_code,
            entity_id: task.entity_id,
            source: TaskSource::Reinspection,
            plan_id: None,
            item_list_id: task.item_list_id,
            items: &task.items,
            inspectors: data.inspectors,
            due_on: o.deadline,
        },
    )
    .await?;
    let order = NewOrder {
        inspection_id: inspection.id,
        task,
        ordered_on: data.inspected_on,
        order: o,
        reinspection_task_id: reinspection,
    };
    Ok(rectifications::insert_in(tx, order).await?)
}

fn clip(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// The case lead an inspection raises: 建议立案, or a re-inspection that found
/// its order unresolved (unless that order already has its lead).
async fn raise_lead(
    tx: &mut WriteTx,
    actor: &Actor,
    inspection: &Inspection,
    followed_up: Option<&Rectification>,
    violation_codes: &[String],
) -> DomainResult<Option<CaseLead>> {
    let findings = if inspection.data.findings.is_empty() {
        String::new()
    } else {
        format!("。检查情况：{}", clip(&inspection.data.findings, 300))
    };
    let (source, rectification_id, summary) = match followed_up {
        Some(order) if order.status == RectificationStatus::Unresolved => {
            if case_leads::exists_for_order(tx, order.id).await? {
                return Ok(None);
            }
            (
                CaseLeadSource::UnresolvedReinspection,
                Some(order.id),
                format!(
                    "{} 复查{}未按要求整改到位（整改期限 {}）：{}{findings}",
                    inspection.data.inspected_on,
                    inspection.entity_name,
                    order.deadline,
                    clip(&order.content, 300)
                ),
            )
        }
        Some(_) => return Ok(None),
        None if inspection.data.outcome == InspectionOutcome::CaseLead => (
            CaseLeadSource::Inspection,
            None,
            format!("{} 监督检查{}，结论为建议立案{findings}", inspection.data.inspected_on, inspection.entity_name),
        ),
        None => return Ok(None),
    };
    let lead = case_leads::insert(
        tx,
        actor,
        NewLead {
            region_code: &inspection.region_code,
            entity_id: inspection.entity_id,
            entity_name: &inspection.entity_name,
            source,
            source_id: inspection.id.to_string(),
            rectification_id,
            summary,
            violation_codes: violation_codes.to_vec(),
        },
    )
    .await?;
    Ok(Some(lead))
}
