//! The one audited lifecycle step every workflow takes (rules::lifecycle
//! holds the tables). It authorises the write, asks the table where the
//! action leads, moves the row only `WHERE status = <from> [AND version =
//! <seen>]` so a lost race or a stale form changes nothing (409
//! `<area>.stale`), and writes the audit change derived from before and
//! after, all inside the caller's transaction so the domain can chain steps.
//!
//! No other SQL in the store writes a status (a test greps for it).

use crate::audit::{Audited, Change};
use crate::ids::EntityId;
use crate::jurisdiction::{authorize_write, WriteTarget};
use crate::{time, Actor, StoreError, StoreResult, WriteTx};
use chrono::{DateTime, Utc};
use weijian_rules::keyed::Keyed;
use weijian_rules::lifecycle::{self, Area, Lifecycle, NotAllowed};
pub use weijian_rules::lifecycle::{actions, allows, next, next_in};

impl From<NotAllowed> for StoreError {
    fn from(e: NotAllowed) -> StoreError {
        StoreError::Conflict { code: e.code, message: e.message }
    }
}

/// The stale-version conflict of an area.
pub fn stale(area: &Area) -> StoreError {
    StoreError::Conflict { code: area.stale, message: area.stale_message() }
}

/// The row a step moves and whose jurisdiction authorises it.
pub struct Row<'a> {
    pub table: &'static str,
    pub id: String,
    pub region_code: &'a str,
    /// Set when an institution user may take the step on its own entity's row.
    pub entity_id: Option<EntityId>,
}

/// One step: from the state the caller read, by an action, with the version
/// the user saw (None: any) and the other columns the step sets.
pub struct Step<'a, S: Lifecycle> {
    /// Usually `&S::AREA`; a shared enum (the versioned lists) names its own.
    pub area: &'a Area,
    pub from: S,
    pub action: S::Action,
    pub version: Option<i64>,
    pub sets: Vec<(&'static str, Option<String>)>,
    pub now: DateTime<Utc>,
    /// The audit action when it is not `<area>.<action>`: kept where the
    /// chain already names the event otherwise (e.g. `self_inspection.review`).
    pub audit_action: Option<&'static str>,
    /// One more condition on the row (its `?` marks bound to the values),
    /// e.g. that the report's campaign is still open.
    pub guard: Option<(String, Vec<String>)>,
}

impl<'a, S: Lifecycle> Step<'a, S> {
    pub fn new(from: S, action: S::Action) -> Step<'a, S> {
        Step {
            area: &S::AREA,
            from,
            action,
            version: None,
            sets: vec![],
            now: time::now(),
            audit_action: None,
            guard: None,
        }
    }

    pub fn version(mut self, version: Option<i64>) -> Self {
        self.version = version;
        self
    }

    pub fn set(mut self, column: &'static str, value: Option<String>) -> Self {
        self.sets.push((column, value));
        self
    }

    pub fn in_area(mut self, area: &'a Area) -> Self {
        self.area = area;
        self
    }

    pub fn guarded(mut self, clause: &str, values: Vec<String>) -> Self {
        self.guard = Some((clause.to_string(), values));
        self
    }

    pub fn audited_as(mut self, action: &'static str) -> Self {
        self.audit_action = Some(action);
        self
    }

    /// Where the step leads, or the table's refusal (409 `<area>.transition_not_allowed`).
    pub fn to(&self) -> StoreResult<S> {
        Ok(lifecycle::next_in(self.area, self.from, self.action)?)
    }
}

/// Takes the step inside `tx`: `after` builds the record in its new state
/// (given the state the table leads to and the new version) and `summary`
/// is the audit line. Returns the record after the step.
pub async fn step<S: Lifecycle, T: Audited>(
    tx: &mut WriteTx,
    actor: &Actor,
    row: Row<'_>,
    step: Step<'_, S>,
    before: &T,
    after: impl FnOnce(S) -> T,
    summary: String,
) -> StoreResult<T> {
    let to = step.to()?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: row.region_code, entity_id: row.entity_id }).await?;
    let mut sql = format!("UPDATE {} SET status = $1, version = version + 1, updated_at = $2", row.table);
    for (i, (col, _)) in step.sets.iter().enumerate() {
        sql.push_str(&format!(", {col} = ${}", i + 3));
    }
    let n = step.sets.len() + 3;
    sql.push_str(&format!(" WHERE id = ${n} AND status = ${}", n + 1));
    let mut next = n + 2;
    if step.version.is_some() {
        sql.push_str(&format!(" AND version = ${next}"));
        next += 1;
    }
    if let Some((clause, _)) = &step.guard {
        sql.push_str(" AND ");
        for (i, part) in clause.split('?').enumerate() {
            if i > 0 {
                sql.push_str(&format!("${next}"));
                next += 1;
            }
            sql.push_str(part);
        }
    }
    let mut q = sqlx::query(&sql).bind(to.key()).bind(time::to_db(step.now));
    for (_, v) in &step.sets {
        q = q.bind(v.clone());
    }
    q = q.bind(row.id).bind(step.from.key());
    if let Some(v) = step.version {
        q = q.bind(v);
    }
    for v in step.guard.iter().flat_map(|(_, values)| values) {
        q = q.bind(v.clone());
    }
    if q.execute(&mut *tx.conn()).await?.rows_affected() == 0 {
        return Err(stale(step.area));
    }
    let after = after(to);
    let action = match step.audit_action {
        Some(a) => a.to_string(),
        None => format!("{}.{}", step.area.key, step.action.key()),
    };
    tx.audit(actor, Change::of(&action, &after, summary, Some(before))).await?;
    Ok(after)
}

/// `<column> IN (?, ?, …)` over the keys of some states, for the page
/// conditions: predicates bind the states the rules name, never literals.
pub fn in_states<S: Keyed + Copy>(column: &str, states: &[S]) -> (String, Vec<String>) {
    let marks = vec!["?"; states.len().max(1)].join(", ");
    let mut keys: Vec<String> = states.iter().map(|s| s.key().to_string()).collect();
    if keys.is_empty() {
        // IN () is not SQL; a key no row has keeps the condition false.
        keys.push(String::new());
    }
    (format!("{column} IN ({marks})"), keys)
}
