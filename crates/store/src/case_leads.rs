//! 案源 (case leads): where a possible case came from — an inspection that
//! concluded 建议立案, a re-inspection that found an order not carried out, an
//! overdue order turned into a lead by staff (later: complaints) — with the
//! violation codes of the failed checklist points, and the decision on it.
//! Institutions never see leads: the read filter finds none for them.

use crate::audit::{Audited, Change};
use crate::columns;
use crate::ids::{parse_db, CaseLeadId, EntityId, RectificationId, UserId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::lifecycle::{self, Row, Step};
use crate::page::{self, Conditions, Cursor, Page};
use crate::{time, Actor, Store, StoreError, StoreResult, WriteTx};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::Row as _;
use weijian_rules::case_leads::{CaseLeadAction, CaseLeadSource, CaseLeadStatus};
use weijian_rules::lifecycle::Lifecycle;
use weijian_rules::rectification::{is_overdue, RectificationStatus};

#[derive(Clone, Debug, Serialize)]
pub struct CaseLead {
    pub id: CaseLeadId,
    pub region_code: String,
    pub entity_id: EntityId,
    pub entity_name: String,
    pub source: CaseLeadSource,
    /// The inspection, order or complaint the lead came from.
    pub source_id: String,
    /// The order the lead follows up, if any.
    pub rectification_id: Option<RectificationId>,
    pub summary: String,
    /// Catalog violation codes (e.g. PUB-003) of the failed checklist points.
    pub violation_codes: Vec<String>,
    pub status: CaseLeadStatus,
    /// Why it was dismissed (or a note on acceptance).
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<UserId>,
    /// Who proposed the dismissal now (or last) under legal review, and when.
    pub dismissal_requested_by: Option<UserId>,
    /// Their display name.
    pub dismissal_requested_by_name: Option<String>,
    pub dismissal_requested_at: Option<DateTime<Utc>>,
    /// The 法制审核 of the dismissal: the reviewer, when, the decision
    /// (`approve` or `reject`) and the opinion.
    pub legal_review: Option<LegalReview>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<UserId>,
}

/// A legal reviewer's sign-off (or refusal) of a proposed dismissal.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct LegalReview {
    pub reviewer: Option<UserId>,
    pub reviewer_name: Option<String>,
    pub reviewed_at: DateTime<Utc>,
    pub approved: bool,
    pub opinion: String,
}

impl LegalReview {
    pub fn decision_key(&self) -> &'static str {
        if self.approved {
            "approve"
        } else {
            "reject"
        }
    }
}

impl Audited for CaseLead {
    const OBJECT_TYPE: &'static str = "case_lead";
    fn object_id(&self) -> String {
        self.id.to_string()
    }
    fn owning_region(&self) -> &str {
        &self.region_code
    }
}

/// A lead about to be created inside the caller's transaction.
pub struct NewLead<'a> {
    pub region_code: &'a str,
    pub entity_id: EntityId,
    pub entity_name: &'a str,
    pub source: CaseLeadSource,
    pub source_id: String,
    pub rectification_id: Option<RectificationId>,
    pub summary: String,
    pub violation_codes: Vec<String>,
}

const OWNER: Owner = Owner { region: "l.region_code", entity: None };

/// Creates a lead with its audit event in the caller's transaction. A second
/// lead from the same source record, or for the same order, is a conflict.
pub async fn insert(tx: &mut WriteTx, actor: &Actor, new: NewLead<'_>) -> StoreResult<CaseLead> {
    let now = time::now();
    let lead = CaseLead {
        id: CaseLeadId::new(),
        region_code: new.region_code.to_string(),
        entity_id: new.entity_id,
        entity_name: new.entity_name.to_string(),
        source: new.source,
        source_id: new.source_id,
        rectification_id: new.rectification_id,
        summary: new.summary,
        violation_codes: new.violation_codes,
        status: CaseLeadStatus::INITIAL,
        decision_reason: None,
        decided_at: None,
        decided_by: None,
        dismissal_requested_by: None,
        dismissal_requested_by_name: None,
        dismissal_requested_at: None,
        legal_review: None,
        version: 1,
        created_at: now,
        created_by: actor.user_id(),
    };
    sqlx::query(
        "INSERT INTO case_leads (id, region_code, entity_id, source, source_id, rectification_id, summary, \
         violation_codes, status, decision_reason, decided_at, decided_by, version, created_at, created_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, NULL, 1, $10, $11, $12)",
    )
    .bind(lead.id.to_string())
    .bind(&lead.region_code)
    .bind(lead.entity_id.to_string())
    .bind(lead.source.key())
    .bind(&lead.source_id)
    .bind(lead.rectification_id.map(|r| r.to_string()))
    .bind(&lead.summary)
    .bind(serde_json::to_string(&lead.violation_codes).expect("serialises"))
    .bind(lead.status.key())
    .bind(time::to_db(now))
    .bind(lead.created_by.map(|u| u.to_string()))
    .bind(time::to_db(now))
    .execute(&mut *tx.conn())
    .await
    .map_err(|e| {
        StoreError::from(e).on_unique("case_lead.already_exists", || "该记录已转为案源，不能重复登记".to_string())
    })?;
    tx.audit(
        actor,
        Change {
            action: "case_lead.create",
            object_type: "case_lead",
            object_id: lead.id.to_string(),
            region_code: Some(lead.region_code.clone()),
            summary: format!("登记案源：{}（{}）", lead.entity_name, lead.source.label()),
            before: None,
            after: Some(json!(lead)),
        },
    )
    .await?;
    Ok(lead)
}

/// Whether an order already has its lead (read inside the caller's transaction).
pub async fn exists_for_order(tx: &mut WriteTx, order: RectificationId) -> StoreResult<bool> {
    let row = sqlx::query("SELECT 1 AS one FROM case_leads WHERE rectification_id = $1")
        .bind(order.to_string())
        .fetch_optional(&mut *tx.conn())
        .await?;
    Ok(row.is_some())
}

/// 转为案源: staff turn an overdue order (deadline before `today`, not verified
/// nor already found unresolved) into a lead, once per order.
pub async fn from_overdue_order(
    store: &Store,
    actor: &Actor,
    order: &crate::rectifications::Rectification,
    today: NaiveDate,
    violation_codes: Vec<String>,
) -> StoreResult<CaseLead> {
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &order.region_code, entity_id: None }).await?;
    // The order's state as of this transaction, not as the caller read it.
    let row = sqlx::query("SELECT status, deadline FROM rectifications WHERE id = $1")
        .bind(order.id.to_string())
        .fetch_optional(&mut *tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let status = columns::keyed(&row, "status", RectificationStatus::parse)?;
    let deadline = time::required_date(&row, "deadline")?;
    if !is_overdue(status, deadline, today) {
        return Err(StoreError::Conflict {
            code: "case_lead.order_not_overdue",
            message: format!("该整改通知（期限 {deadline}，{}）未逾期或已复查，不能转为案源", status.label()),
        });
    }
    if exists_for_order(&mut tx, order.id).await? {
        return Err(StoreError::Conflict {
            code: "case_lead.already_exists",
            message: "该整改通知已转为案源，不能重复登记".into(),
        });
    }
    let lead = insert(
        &mut tx,
        actor,
        NewLead {
            region_code: &order.region_code,
            entity_id: order.entity_id,
            entity_name: &order.entity_name,
            source: CaseLeadSource::OverdueRectification,
            source_id: order.id.to_string(),
            rectification_id: Some(order.id),
            summary: format!(
                "{}逾期未完成整改（期限 {deadline}，{}）：{}",
                order.entity_name,
                status.label(),
                order.content
            ),
            violation_codes,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(lead)
}

const COLUMNS: &str = "l.id, l.region_code, l.entity_id, e.name AS entity_name, l.source, l.source_id, \
     l.rectification_id, l.summary, l.violation_codes, l.status, l.decision_reason, l.decided_at, l.decided_by, \
     l.dismissal_requested_by, l.dismissal_requested_at, l.legal_reviewed_by, l.legal_reviewed_at, \
     l.legal_review_decision, l.legal_review_opinion, l.version, l.created_at, l.created_by, \
     (SELECT u.name FROM users u WHERE u.id = l.dismissal_requested_by) AS requester_name, \
     (SELECT u.name FROM users u WHERE u.id = l.legal_reviewed_by) AS reviewer_name";

fn optional_time(r: &sqlx::any::AnyRow, col: &str) -> StoreResult<Option<DateTime<Utc>>> {
    r.try_get::<Option<String>, _>(col)?.map(|s| time::from_db(&s)).transpose()
}

fn review_of(r: &sqlx::any::AnyRow) -> StoreResult<Option<LegalReview>> {
    let Some(reviewed_at) = optional_time(r, "legal_reviewed_at")? else { return Ok(None) };
    let decision: Option<String> = r.try_get("legal_review_decision")?;
    let approved = match decision.as_deref() {
        Some("approve") => true,
        Some("reject") => false,
        other => return Err(StoreError::Corrupt(format!("无效的法制审核结论：{other:?}"))),
    };
    Ok(Some(LegalReview {
        reviewer: optional_id(r, "legal_reviewed_by")?,
        reviewer_name: r.try_get("reviewer_name")?,
        reviewed_at,
        approved,
        opinion: r.try_get::<Option<String>, _>("legal_review_opinion")?.unwrap_or_default(),
    }))
}

fn optional_id<T: std::str::FromStr>(r: &sqlx::any::AnyRow, col: &str) -> StoreResult<Option<T>> {
    r.try_get::<Option<String>, _>(col)?.map(|s| parse_db(&s)).transpose()
}

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<CaseLead> {
    Ok(CaseLead {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        region_code: r.try_get("region_code")?,
        entity_id: parse_db(&r.try_get::<String, _>("entity_id")?)?,
        entity_name: r.try_get("entity_name")?,
        source: columns::keyed(r, "source", CaseLeadSource::parse)?,
        source_id: r.try_get("source_id")?,
        rectification_id: optional_id(r, "rectification_id")?,
        summary: r.try_get("summary")?,
        violation_codes: columns::json(r, "violation_codes")?,
        status: columns::keyed(r, "status", CaseLeadStatus::parse)?,
        decision_reason: r.try_get("decision_reason")?,
        decided_at: optional_time(r, "decided_at")?,
        decided_by: optional_id(r, "decided_by")?,
        dismissal_requested_by: optional_id(r, "dismissal_requested_by")?,
        dismissal_requested_by_name: r.try_get("requester_name")?,
        dismissal_requested_at: optional_time(r, "dismissal_requested_at")?,
        legal_review: review_of(r)?,
        version: r.try_get("version")?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        created_by: optional_id(r, "created_by")?,
    })
}

pub async fn get(store: &Store, actor: &Actor, id: CaseLeadId) -> StoreResult<CaseLead> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!(
        "SELECT {COLUMNS} FROM case_leads l JOIN entities e ON e.id = l.entity_id WHERE l.id = $1 AND {}",
        f.sql
    );
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(store.reader()).await?;
    from_row(&r.ok_or(StoreError::NotFound)?)
}

#[derive(Clone, Debug, Default)]
pub struct Query {
    pub status: Option<CaseLeadStatus>,
    pub source: Option<CaseLeadSource>,
    pub entity_id: Option<EntityId>,
    /// Only this region and below (within the actor's own scope).
    pub region_code: Option<String>,
    pub after: Option<Cursor>,
    pub limit: Option<usize>,
}

/// Leads in the actor's scope, newest first, in keyset pages.
pub async fn list(store: &Store, actor: &Actor, q: &Query) -> StoreResult<Page<CaseLead>> {
    let mut c = Conditions::default();
    c.push_filter(read_filter(actor, OWNER, 1));
    if let Some(s) = q.status {
        c.push("l.status = ?", [s.key().to_string()]);
    }
    if let Some(s) = q.source {
        c.push("l.source = ?", [s.key().to_string()]);
    }
    if let Some(e) = q.entity_id {
        c.push("l.entity_id = ?", [e.to_string()]);
    }
    if let Some(code) = &q.region_code {
        c.push(&page::in_region("l.region_code"), [code.clone()]);
    }
    if let Some(after) = &q.after {
        // Newest first: the next page is what sorts before the cursor.
        c.push(
            "l.created_at <= ? AND (l.created_at < ? OR l.id < ?)",
            [after.key.clone(), after.key.clone(), after.id.clone()],
        );
    }
    let limit = page::clamp_limit(q.limit);
    let sql = format!(
        "SELECT {COLUMNS} FROM case_leads l JOIN entities e ON e.id = l.entity_id WHERE {} \
         ORDER BY l.created_at DESC, l.id DESC LIMIT {}",
        c.sql(),
        limit + 1
    );
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |l| Cursor { key: time::to_db(l.created_at), id: l.id.to_string() }))
}

/// The leads (in the actor's scope) of these orders, by order.
pub async fn of_orders(
    store: &Store,
    actor: &Actor,
    orders: &[RectificationId],
) -> StoreResult<std::collections::HashMap<RectificationId, CaseLeadId>> {
    let mut out = std::collections::HashMap::new();
    if orders.is_empty() {
        return Ok(out);
    }
    let mut c = Conditions::default();
    c.push_filter(read_filter(actor, OWNER, 1));
    let marks = vec!["?"; orders.len()].join(", ");
    c.push(&format!("l.rectification_id IN ({marks})"), orders.iter().map(|o| o.to_string()));
    let sql = format!("SELECT l.rectification_id, l.id FROM case_leads l WHERE {}", c.sql());
    for r in c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await? {
        let order: String = r.try_get("rectification_id")?;
        out.insert(parse_db(&order)?, parse_db(&r.try_get::<String, _>("id")?)?);
    }
    Ok(out)
}

/// Decides an open lead: accepted (for 立案) or dismissed with a reason. A
/// lead already decided is refused by the table; a race by the guarded step.
pub async fn decide(
    store: &Store,
    actor: &Actor,
    id: CaseLeadId,
    action: CaseLeadAction,
    version: Option<i64>,
    reason: Option<&str>,
) -> StoreResult<CaseLead> {
    let before = get(store, actor, id).await?;
    let step = Step::new(before.status, action)
        .version(version)
        .set("decision_reason", reason.map(String::from))
        .set("decided_by", actor.user_id().map(|u| u.to_string()));
    let now = step.now;
    let step = step.set("decided_at", Some(time::to_db(now)));
    let after = CaseLead {
        decision_reason: reason.map(String::from),
        decided_at: Some(now),
        decided_by: actor.user_id(),
        ..before.clone()
    };
    let summary = match reason {
        Some(r) => format!("案源{}：{}（{}）", action.label(), before.entity_name, r),
        None => format!("案源{}：{}", action.label(), before.entity_name),
    };
    take(store, actor, &before, step, after, summary).await
}

/// 提请法制审核: proposes dismissing a lead with the reason; the lead waits
/// for the legal reviewer. A former review's outcome is cleared (the audit
/// chain keeps it).
pub async fn request_dismissal(
    store: &Store,
    actor: &Actor,
    id: CaseLeadId,
    version: Option<i64>,
    reason: &str,
) -> StoreResult<CaseLead> {
    let before = get(store, actor, id).await?;
    let step = Step::new(before.status, CaseLeadAction::RequestDismissal)
        .version(version)
        .set("decision_reason", Some(reason.to_string()))
        .set("dismissal_requested_by", actor.user_id().map(|u| u.to_string()));
    let now = step.now;
    let step = step
        .set("dismissal_requested_at", Some(time::to_db(now)))
        .set("legal_reviewed_by", None)
        .set("legal_reviewed_at", None)
        .set("legal_review_decision", None)
        .set("legal_review_opinion", None);
    let after = CaseLead {
        decision_reason: Some(reason.to_string()),
        dismissal_requested_by: actor.user_id(),
        dismissal_requested_by_name: actor_name(store, actor).await?,
        dismissal_requested_at: Some(now),
        legal_review: None,
        ..before.clone()
    };
    let summary = format!("案源提请法制审核不予立案：{}（{}）", before.entity_name, reason);
    take(store, actor, &before, step, after, summary).await
}

/// 法制审核 of a proposed dismissal: approved, the lead is dismissed (decided
/// by the one who proposed it, signed off by the reviewer); rejected, it is
/// open again and the proposal's reason is withdrawn. The reviewer and the
/// opinion are kept on the lead either way.
pub async fn legal_review(
    store: &Store,
    actor: &Actor,
    id: CaseLeadId,
    approve: bool,
    version: Option<i64>,
    opinion: &str,
) -> StoreResult<CaseLead> {
    let before = get(store, actor, id).await?;
    let action = if approve { CaseLeadAction::ApproveDismissal } else { CaseLeadAction::RejectDismissal };
    let step = Step::new(before.status, action).version(version);
    let review = LegalReview {
        reviewer: actor.user_id(),
        reviewer_name: actor_name(store, actor).await?,
        reviewed_at: step.now,
        approved: approve,
        opinion: opinion.to_string(),
    };
    let mut step = step
        .set("legal_reviewed_by", review.reviewer.map(|u| u.to_string()))
        .set("legal_reviewed_at", Some(time::to_db(review.reviewed_at)))
        .set("legal_review_decision", Some(review.decision_key().to_string()))
        .set("legal_review_opinion", Some(opinion.to_string()));
    let mut after = CaseLead { legal_review: Some(review.clone()), ..before.clone() };
    if approve {
        step = step
            .set("decided_by", before.dismissal_requested_by.map(|u| u.to_string()))
            .set("decided_at", Some(time::to_db(review.reviewed_at)));
        after.decided_by = before.dismissal_requested_by;
        after.decided_at = Some(review.reviewed_at);
    } else {
        step = step.set("decision_reason", None);
        after.decision_reason = None;
    }
    let summary = format!("{}：{}（审核意见：{opinion}）", action.label(), before.entity_name);
    take(store, actor, &before, step, after, summary).await
}

/// The acting user's display name, for the record returned after a step.
async fn actor_name(store: &Store, actor: &Actor) -> StoreResult<Option<String>> {
    let Some(user) = actor.user_id() else { return Ok(None) };
    let row = sqlx::query("SELECT name FROM users WHERE id = $1")
        .bind(user.to_string())
        .fetch_optional(store.reader())
        .await?;
    Ok(row.map(|r| r.try_get("name")).transpose()?)
}

/// One audited step of a lead through the lifecycle table, in its own transaction.
async fn take(
    store: &Store,
    actor: &Actor,
    before: &CaseLead,
    step: Step<'_, CaseLeadStatus>,
    after: CaseLead,
    summary: String,
) -> StoreResult<CaseLead> {
    let mut tx = store.begin().await?;
    let row = Row { table: "case_leads", id: before.id.to_string(), region_code: &before.region_code, entity_id: None };
    let version = before.version + 1;
    let after =
        lifecycle::step(&mut tx, actor, row, step, before, |to| CaseLead { status: to, version, ..after }, summary)
            .await?;
    tx.commit().await?;
    Ok(after)
}
