//! The pair binds. A task's two inspectors — drawn (双随机) or assigned by a
//! section chief (patrol, campaign, complaint, re-inspection) — are the two
//! who record its inspection; an inspector who declared a conflict with the
//! entity (回避) takes no part in it, whenever the declaration was made.
//! The way to change the pair is a substitution (更换执法人员): a section chief
//! or leader replaces one of the two with a written reason, the newcomer
//! checked on the day as a draw would check them (执法证 valid today and
//! until the due date, in post, no declared conflict). The draw record is
//! never changed; its substitutions are listed beside it, publicly once the
//! record is released.

use crate::authz::{allows, require, Permission};
use crate::error::{DomainError, DomainResult, ErrorKind};
use crate::input;
use serde::Deserialize;
use weijian_store::ids::{InspectionTaskId, InspectorId, RandomPlanId};
use weijian_store::inspection_tasks::{self, InspectionTask};
use weijian_store::task_substitutions::{self, NewSubstitution, Of, Substitution};
use weijian_store::{inspector_conflicts, inspectors, random_plans, Actor, Store, StoreError};

fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> DomainError {
    DomainError::invalid(code, field, message)
}

/// Refuses a record that names another pair than the task's (order does not
/// matter), or an inspector who declared a conflict with the entity.
pub(crate) async fn check_pair(store: &Store, task: &InspectionTask, named: [InspectorId; 2]) -> DomainResult<()> {
    let same = named.iter().all(|i| task.inspectors.contains(i)) && task.inspectors.iter().all(|i| named.contains(i));
    if !same {
        return Err(invalid(
            "inspection.not_assigned_inspectors",
            "inspectors",
            format!(
                "本任务指派的执法人员是{}、{}，检查记录须由这两人作出；如需更换，请由股室负责人办理更换执法人员",
                task.inspector_names[0], task.inspector_names[1]
            ),
        ));
    }
    conflict_free(store, task, &task.inspectors, "inspection.inspector_conflict", "inspectors").await
}

/// Refuses any of `ids` who declared a conflict with the task's entity. The
/// declaration is read whatever the actor's scope (an inspector of a unit
/// above declares in its own region): it is a bar, not a disclosure.
async fn conflict_free(
    store: &Store,
    task: &InspectionTask,
    ids: &[InspectorId],
    code: &'static str,
    field: &str,
) -> DomainResult<()> {
    let declared = inspector_conflicts::among(store, &Actor::system(), ids).await?;
    if let Some((_, who)) = declared.iter().find(|(e, _)| *e == task.entity_id) {
        let name = match task.inspectors.iter().position(|i| i == who) {
            Some(n) => task.inspector_names[n].clone(),
            None => inspectors::get(store, &Actor::system(), *who).await?.data.name,
        };
        return Err(invalid(
            code,
            field,
            format!("{name}已就{}登记回避，不能参与该检查；请由股室负责人更换执法人员", task.entity_name),
        ));
    }
    Ok(())
}

/// A substitution as a form or the API sends it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SubstitutionInput {
    /// The inspector who leaves: one of the task's two.
    pub replace: String,
    /// The inspector who comes.
    pub with: String,
    pub reason: String,
    /// The task's version as read; a newer one refuses the substitution.
    #[serde(default)]
    pub version: Option<i64>,
}

fn inspector_id(raw: &str, field: &str) -> DomainResult<InspectorId> {
    raw.trim().parse().map_err(|_| invalid("request.invalid_id", field, "执法人员标识无效"))
}

/// Whether the actor may substitute on this task now: its role, and the task open.
pub fn may_substitute(actor: &Actor, task: &InspectionTask) -> bool {
    allows(actor, Permission::SubstituteInspectors) && task.status.is_open()
}

/// Replaces one of an open task's inspectors; the task after it.
pub async fn substitute(
    store: &Store,
    actor: &Actor,
    task_id: InspectionTaskId,
    input: &SubstitutionInput,
) -> DomainResult<InspectionTask> {
    require(actor, Permission::SubstituteInspectors)?;
    let task = inspection_tasks::get(store, actor, task_id).await?;
    if let Some(v) = input.version.filter(|v| *v != task.version) {
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "inspection_task.stale",
            format!("检查任务已被修改（您看到的是第 {v} 版，当前为第 {} 版），请刷新后重试", task.version),
        ));
    }
    if !task.status.is_open() {
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "inspection_task.not_open",
            format!("该任务{}，不能更换执法人员", task.status.label()),
        ));
    }
    let replaced = inspector_id(&input.replace, "replace")?;
    let Some(stays) =
        task.inspectors.iter().copied().find(|i| *i != replaced).filter(|_| task.inspectors.contains(&replaced))
    else {
        return Err(invalid(
            "inspection_task.replace_not_assigned",
            "replace",
            format!("被更换的执法人员须是本任务的{}或{}", task.inspector_names[0], task.inspector_names[1]),
        ));
    };
    let with = inspector_id(&input.with, "with")?;
    if with == replaced || with == stays {
        return Err(invalid("inspection_task.same_inspector", "with", "新执法人员已是本任务的执法人员"));
    }
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(invalid("inspection_task.reason_required", "reason", "请写明更换执法人员的原因（500 字以内）"));
    }
    let newcomer = match inspectors::get(store, actor, with).await {
        Ok(i) => i,
        Err(StoreError::NotFound) => {
            return Err(invalid("inspection_task.inspector_not_found", "with", "执法人员不存在或不在您的辖区内"))
        }
        Err(e) => return Err(e.into()),
    };
    let today = input::today();
    if !newcomer.may_enforce_throughout(today, task.due_on) {
        return Err(invalid(
            "inspection_task.inspector_not_eligible",
            "with",
            format!(
                "{}自今日至任务完成期限 {} 未持续持有有效执法证或不在岗，不能更换为本任务的执法人员",
                newcomer.data.name, task.due_on
            ),
        ));
    }
    conflict_free(store, &task, &[with], "inspection_task.inspector_conflict", "with").await?;
    Ok(task_substitutions::substitute(store, actor, NewSubstitution { task: &task, replaced, with, reason }).await?)
}

/// A task's substitutions, oldest first (staff of its jurisdiction).
pub async fn of_task(store: &Store, actor: &Actor, task_id: InspectionTaskId) -> DomainResult<Vec<Substitution>> {
    require(actor, Permission::ViewPlans)?;
    inspection_tasks::get(store, actor, task_id).await?;
    Ok(task_substitutions::list(store, actor, Of::Task(task_id)).await?)
}

/// A plan's substitutions, oldest first: staff see them at any time.
pub async fn of_plan(store: &Store, actor: &Actor, plan_id: RandomPlanId) -> DomainResult<Vec<Substitution>> {
    require(actor, Permission::ViewPlans)?;
    random_plans::get(store, actor, plan_id).await?;
    Ok(task_substitutions::list(store, actor, Of::Plan(plan_id)).await?)
}

/// Public: a plan's substitutions, only once its record is released (the
/// same rule as the record: before the visits they would warn the entity);
/// individuals' names redacted as in the published results.
pub async fn public_of_plan(store: &Store, plan_id: RandomPlanId) -> DomainResult<Vec<Substitution>> {
    let draw = random_plans::public_draw(store, plan_id).await?;
    if draw.record_sha256.is_none() {
        return Err(crate::random_plans::not_drawn());
    }
    if !draw.record_released(input::today()) {
        return Err(DomainError::new(
            ErrorKind::NotFound,
            "random_plan.record_not_released",
            "抽取记录及执法人员更换情况将在检查结果公开后公布",
        ));
    }
    let mut rows = task_substitutions::of_plan_public(store, plan_id).await?;
    for r in &mut rows {
        if r.individual {
            r.entity_name = crate::inspections::redact_individual(&r.entity_name);
        }
        // Who decided is internal staff data; who replaced whom and why is public.
        r.substituted_by = None;
        r.substituted_by_name = None;
    }
    Ok(rows)
}
