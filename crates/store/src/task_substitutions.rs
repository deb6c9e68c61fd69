//! 更换执法人员: one of a task's two inspectors replaced, with a written
//! reason, by a section chief or leader (the domain checks who and whom).
//! Not a status change: the task keeps its state, its inspector column and
//! version change, the substitution is kept as a row and the audit change is
//! written, all in one transaction. The draw record is never touched: the
//! substitutions are listed beside it.

use crate::audit::Change;
use crate::ids::{parse_db, EntityId, InspectionTaskId, InspectorId, RandomPlanId, TaskSubstitutionId, UserId};
use crate::inspection_tasks::{self, InspectionTask};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::lifecycle;
use crate::{time, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use weijian_rules::inspection::TaskStatus;
use weijian_rules::lifecycle::Lifecycle;

#[derive(Clone, Debug, Serialize)]
pub struct Substitution {
    pub id: TaskSubstitutionId,
    pub task_id: InspectionTaskId,
    pub plan_id: Option<RandomPlanId>,
    pub region_code: String,
    pub entity_id: EntityId,
    pub entity_name: String,
    /// Whether the entity is an individual (no 统一社会信用代码): the portal redacts its name.
    pub individual: bool,
    pub replaced: InspectorId,
    pub replaced_name: String,
    pub with: InspectorId,
    pub with_name: String,
    pub reason: String,
    pub substituted_by: Option<UserId>,
    pub substituted_by_name: Option<String>,
    pub substituted_at: DateTime<Utc>,
}

/// What the caller checked: the task as read (its version guards the
/// update), which of its two inspectors goes, who comes, and why.
pub struct NewSubstitution<'a> {
    pub task: &'a InspectionTask,
    pub replaced: InspectorId,
    pub with: InspectorId,
    pub reason: &'a str,
}

/// Replaces the inspector and records the substitution; the task after it.
/// A task recorded, cancelled or changed since it was read is 409
/// `inspection_task.stale`.
pub async fn substitute(store: &Store, actor: &Actor, new: NewSubstitution<'_>) -> StoreResult<InspectionTask> {
    let task = new.task;
    let column = match task.inspectors.iter().position(|i| *i == new.replaced) {
        Some(0) => "inspector1_id",
        Some(_) => "inspector2_id",
        None => {
            return Err(StoreError::Conflict {
                code: "inspection_task.stale",
                message: "该任务的执法人员已变更，请刷新后重试".into(),
            })
        }
    };
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &task.region_code, entity_id: None }).await?;
    let now = time::now();
    // Only an open task, and only as it was read: the states are the rules' keys, bound.
    let open: Vec<TaskStatus> = TaskStatus::ALL.iter().copied().filter(|s| s.is_open()).collect();
    let marks: Vec<String> = (0..open.len()).map(|i| format!("${}", i + 5)).collect();
    let sql = format!(
        "UPDATE inspection_tasks SET {column} = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND version = $4 AND status IN ({})",
        marks.join(", ")
    );
    let mut q = sqlx::query(&sql)
        .bind(new.with.to_string())
        .bind(time::to_db(now))
        .bind(task.id.to_string())
        .bind(task.version);
    for s in &open {
        q = q.bind(s.key());
    }
    if q.execute(&mut *tx.conn()).await?.rows_affected() == 0 {
        return Err(lifecycle::stale(&TaskStatus::AREA));
    }
    let id = TaskSubstitutionId::new();
    sqlx::query(
        "INSERT INTO task_substitutions (id, task_id, plan_id, region_code, entity_id, replaced_id, with_id, reason, \
         substituted_by, substituted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.to_string())
    .bind(task.id.to_string())
    .bind(task.plan_id.map(|p| p.to_string()))
    .bind(&task.region_code)
    .bind(task.entity_id.to_string())
    .bind(new.replaced.to_string())
    .bind(new.with.to_string())
    .bind(new.reason)
    .bind(actor.user_id().map(|u| u.to_string()))
    .bind(time::to_db(now))
    .execute(&mut *tx.conn())
    .await?;
    let after = after_in(&mut tx, task.id).await?;
    let name_of = |t: &InspectionTask, i: InspectorId| {
        t.inspectors.iter().position(|x| *x == i).map(|n| t.inspector_names[n].clone()).unwrap_or_default()
    };
    let summary = format!(
        "更换{}检查任务的执法人员：{}改为{}（{}）",
        task.entity_name,
        name_of(task, new.replaced),
        name_of(&after, new.with),
        new.reason
    );
    let mut change = Change::of("inspection_task.substitute", &after, summary, Some(task));
    change.after = Some(serde_json::json!({"task": after, "substitution": {
        "id": id, "replaced": new.replaced, "with": new.with, "reason": new.reason}}));
    tx.audit(actor, change).await?;
    tx.commit().await?;
    Ok(after)
}

/// The task as the transaction sees it after the update.
async fn after_in(tx: &mut crate::WriteTx, id: InspectionTaskId) -> StoreResult<InspectionTask> {
    inspection_tasks::get_in(tx, id).await
}

const OWNER: Owner = Owner { region: "s.region_code", entity: None };
const COLUMNS: &str = "s.id, s.task_id, s.plan_id, s.region_code, s.entity_id, e.name AS entity_name, \
     e.uscc AS entity_uscc, s.replaced_id, r.name AS replaced_name, s.with_id, w.name AS with_name, s.reason, \
     s.substituted_by, u.name AS substituted_by_name, s.substituted_at";
const FROM: &str = "task_substitutions s JOIN entities e ON e.id = s.entity_id \
     JOIN inspectors r ON r.id = s.replaced_id JOIN inspectors w ON w.id = s.with_id \
     LEFT JOIN users u ON u.id = s.substituted_by";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Substitution> {
    Ok(Substitution {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        task_id: parse_db(&r.try_get::<String, _>("task_id")?)?,
        plan_id: r.try_get::<Option<String>, _>("plan_id")?.map(|s| parse_db(&s)).transpose()?,
        region_code: r.try_get("region_code")?,
        entity_id: parse_db(&r.try_get::<String, _>("entity_id")?)?,
        entity_name: r.try_get("entity_name")?,
        individual: r.try_get::<Option<String>, _>("entity_uscc")?.is_none(),
        replaced: parse_db(&r.try_get::<String, _>("replaced_id")?)?,
        replaced_name: r.try_get("replaced_name")?,
        with: parse_db(&r.try_get::<String, _>("with_id")?)?,
        with_name: r.try_get("with_name")?,
        reason: r.try_get("reason")?,
        substituted_by: r.try_get::<Option<String>, _>("substituted_by")?.map(|s| parse_db(&s)).transpose()?,
        substituted_by_name: r.try_get("substituted_by_name")?,
        substituted_at: time::from_db(&r.try_get::<String, _>("substituted_at")?)?,
    })
}

/// Which substitutions to list: of one task or of one plan's tasks.
#[derive(Clone, Copy, Debug)]
pub enum Of {
    Task(InspectionTaskId),
    Plan(RandomPlanId),
}

fn target(of: Of) -> (&'static str, String) {
    match of {
        Of::Task(t) => ("s.task_id = $1", t.to_string()),
        Of::Plan(p) => ("s.plan_id = $1", p.to_string()),
    }
}

/// Substitutions in the actor's jurisdiction, oldest first (staff: at any time).
pub async fn list(store: &Store, actor: &Actor, of: Of) -> StoreResult<Vec<Substitution>> {
    let f = read_filter(actor, OWNER, 2);
    let (cond, value) = target(of);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {cond} AND {} ORDER BY s.substituted_at, s.id", f.sql);
    let rows = f.bind(sqlx::query(&sql).bind(value)).fetch_all(store.reader()).await?;
    rows.iter().map(from_row).collect()
}

/// A plan's substitutions with no actor, for the portal: the caller decides
/// whether the plan's record is released (before that they would warn the entity).
pub async fn of_plan_public(store: &Store, plan: RandomPlanId) -> StoreResult<Vec<Substitution>> {
    let (cond, value) = target(Of::Plan(plan));
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {cond} ORDER BY s.substituted_at, s.id");
    let rows = sqlx::query(&sql).bind(value).fetch_all(store.reader()).await?;
    rows.iter().map(from_row).collect()
}
