//! 自查 (self-inspection): a bureau opens a campaign for a supervision
//! specialty; the operating entities of its categories in the region and below
//! are obliged to report, a set fixed in the same transaction that opens the
//! campaign; each obliged entity sends one report (text, checklist results,
//! attachments) while the campaign is open; the bureau reviews and closes.
//!
//! Who sees what: staff see the campaigns of their region and below, and
//! also a campaign of a higher region that obliges entities in their region
//! (the county follows up its own entities under a city's campaign); an
//! institution user sees only the campaigns its entity is obliged under and
//! only its own report. Both through [`read_filter`], nowhere else.

use crate::audit::{Audited, Change};
use crate::columns;
use crate::ids::{parse_db, EntityId, InspectionItemListId, SelfInspectionCampaignId, SelfInspectionReportId, UserId};
use crate::inspections::PointRecord;
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::lifecycle::{self, Row, Step};
use crate::page::{self, Conditions, Cursor, Page};
use crate::{time, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::Row as _;
use weijian_rules::lifecycle::Lifecycle;
use weijian_rules::registry::EntityStatus;
use weijian_rules::self_inspection::{CampaignAction, CampaignStatus, ReportAction, ReportStatus};

/// What the bureau sets when it opens a campaign (checked by the domain).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CampaignData {
    pub region_code: String,
    pub title: String,
    /// 监管专业 (registry specialty key).
    pub specialty: String,
    /// Entity category keys whose operating entities must report.
    pub categories: Vec<String>,
    pub requirements: String,
    /// A published 抽查事项清单 version and the items whose checklists the reports answer.
    pub item_list_id: Option<InspectionItemListId>,
    pub items: Vec<String>,
    pub opened_on: NaiveDate,
    pub deadline: NaiveDate,
}

#[derive(Clone, Debug, Serialize)]
pub struct Campaign {
    pub id: SelfInspectionCampaignId,
    #[serde(flatten)]
    pub data: CampaignData,
    pub status: CampaignStatus,
    pub opened_by: Option<UserId>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<UserId>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Audited for Campaign {
    const OBJECT_TYPE: &'static str = "self_inspection";
    fn object_id(&self) -> String {
        self.id.to_string()
    }
    fn owning_region(&self) -> &str {
        &self.data.region_code
    }
}

/// What an institution reports (checked by the domain).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportData {
    /// 自查发现的问题.
    pub problems: String,
    /// 整改措施.
    pub measures: String,
    pub results: Vec<PointRecord>,
    /// Attachment ids.
    pub attachments: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub id: SelfInspectionReportId,
    pub campaign_id: SelfInspectionCampaignId,
    pub entity_id: EntityId,
    pub entity_name: String,
    pub region_code: String,
    #[serde(flatten)]
    pub data: ReportData,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: Option<UserId>,
    pub status: ReportStatus,
    pub review_comment: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<UserId>,
    pub version: i64,
}

impl Audited for Report {
    const OBJECT_TYPE: &'static str = "self_inspection_report";
    fn object_id(&self) -> String {
        self.id.to_string()
    }
    fn owning_region(&self) -> &str {
        &self.region_code
    }
}

/// An obliged entity that has not reported.
#[derive(Clone, Debug, Serialize)]
pub struct Missing {
    pub entity_id: EntityId,
    pub entity_name: String,
    pub region_code: String,
    pub category: String,
}

/// A campaign's numbers within the viewer's scope.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub obliged: i64,
    pub submitted: i64,
    pub missing: i64,
}

const COLUMNS: &str = "c.id, c.region_code, c.title, c.specialty, c.categories, c.requirements, c.item_list_id, \
     c.items, c.opened_on, c.deadline, c.status, c.opened_by, c.closed_at, c.closed_by, c.version, c.created_at, \
     c.updated_at";
const REPORT_COLUMNS: &str = "r.id, r.campaign_id, r.entity_id, e.name AS entity_name, r.region_code, r.problems, \
     r.measures, r.results, r.attachments, r.submitted_at, r.submitted_by, r.status, r.review_comment, \
     r.reviewed_at, r.reviewed_by, r.version";
const REPORT_OWNER: Owner = Owner { region: "r.region_code", entity: Some("r.entity_id") };
const OBLIGATION_OWNER: Owner = Owner { region: "o.region_code", entity: Some("o.entity_id") };

/// The campaigns the actor may see: its region's and below, or those obliging
/// entities it may see. Placeholders from `next`.
fn visible(conditions: &mut Conditions, actor: &Actor) {
    let own = read_filter(actor, Owner { region: "c.region_code", entity: None }, conditions.next());
    let n = conditions.next() + own.binds.len();
    let obliged = read_filter(actor, OBLIGATION_OWNER, n);
    conditions.clauses.push(format!(
        "(({}) OR c.id IN (SELECT o.campaign_id FROM self_inspection_obligations o WHERE {}))",
        own.sql, obliged.sql
    ));
    conditions.binds.extend(own.binds);
    conditions.binds.extend(obliged.binds);
}

fn stamp(r: &sqlx::any::AnyRow, col: &str) -> StoreResult<Option<DateTime<Utc>>> {
    r.try_get::<Option<String>, _>(col)?.map(|s| time::from_db(&s)).transpose()
}

fn optional_id<T: std::str::FromStr>(r: &sqlx::any::AnyRow, col: &str) -> StoreResult<Option<T>> {
    r.try_get::<Option<String>, _>(col)?.map(|s| parse_db(&s)).transpose()
}

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Campaign> {
    Ok(Campaign {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        data: CampaignData {
            region_code: r.try_get("region_code")?,
            title: r.try_get("title")?,
            specialty: r.try_get("specialty")?,
            categories: columns::json(r, "categories")?,
            requirements: r.try_get("requirements")?,
            item_list_id: optional_id(r, "item_list_id")?,
            items: columns::json(r, "items")?,
            opened_on: time::required_date(r, "opened_on")?,
            deadline: time::required_date(r, "deadline")?,
        },
        status: columns::keyed(r, "status", CampaignStatus::parse)?,
        opened_by: optional_id(r, "opened_by")?,
        closed_at: stamp(r, "closed_at")?,
        closed_by: optional_id(r, "closed_by")?,
        version: r.try_get("version")?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_db(&r.try_get::<String, _>("updated_at")?)?,
    })
}

fn report_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Report> {
    Ok(Report {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        campaign_id: parse_db(&r.try_get::<String, _>("campaign_id")?)?,
        entity_id: parse_db(&r.try_get::<String, _>("entity_id")?)?,
        entity_name: r.try_get("entity_name")?,
        region_code: r.try_get("region_code")?,
        data: ReportData {
            problems: r.try_get("problems")?,
            measures: r.try_get("measures")?,
            results: columns::json(r, "results")?,
            attachments: columns::json(r, "attachments")?,
        },
        submitted_at: time::from_db(&r.try_get::<String, _>("submitted_at")?)?,
        submitted_by: optional_id(r, "submitted_by")?,
        status: columns::keyed(r, "status", ReportStatus::parse)?,
        review_comment: r.try_get("review_comment")?,
        reviewed_at: stamp(r, "reviewed_at")?,
        reviewed_by: optional_id(r, "reviewed_by")?,
        version: r.try_get("version")?,
    })
}

fn json_text<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialises")
}

/// The entities a campaign would oblige: operating, of its categories, in its
/// region and below. A WHERE clause over `entities e` and its binds, numbered from `$next`.
fn scope(data: &CampaignData, next: usize) -> (String, Vec<String>) {
    let region = page::in_region("e.region_code").replace('?', &format!("${next}"));
    let marks: Vec<String> = (0..data.categories.len()).map(|i| format!("${}", next + 2 + i)).collect();
    let clause = format!("{region} AND e.status = ${} AND e.category IN ({})", next + 1, marks.join(", "));
    let mut binds = vec![data.region_code.clone(), EntityStatus::Operating.key().to_string()];
    binds.extend(data.categories.iter().cloned());
    (clause, binds)
}

/// How many entities a campaign with these settings would oblige today.
pub async fn scope_count(store: &Store, data: &CampaignData) -> StoreResult<i64> {
    if data.categories.is_empty() {
        return Ok(0);
    }
    let (clause, binds) = scope(data, 1);
    let sql = format!("SELECT COUNT(*) AS n FROM entities e WHERE {clause}");
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b.as_str());
    }
    Ok(q.fetch_one(store.reader()).await?.try_get("n")?)
}

/// Opens a campaign and fixes the set of obliged entities, in one audited
/// transaction. A campaign that would oblige nobody is refused.
pub async fn open(store: &Store, actor: &Actor, data: &CampaignData) -> StoreResult<(Campaign, i64)> {
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &data.region_code, entity_id: None }).await?;
    let now = time::now();
    let campaign = Campaign {
        id: SelfInspectionCampaignId::new(),
        data: data.clone(),
        status: CampaignStatus::Open,
        opened_by: actor.user_id(),
        closed_at: None,
        closed_by: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO self_inspection_campaigns (id, region_code, title, specialty, categories, requirements, \
         item_list_id, items, opened_on, deadline, status, opened_by, closed_at, closed_by, version, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL, 1, $13, $14)",
    )
    .bind(campaign.id.to_string())
    .bind(&data.region_code)
    .bind(&data.title)
    .bind(&data.specialty)
    .bind(json_text(&data.categories))
    .bind(&data.requirements)
    .bind(data.item_list_id.map(|l| l.to_string()))
    .bind(json_text(&data.items))
    .bind(data.opened_on.to_string())
    .bind(data.deadline.to_string())
    .bind(campaign.status.key())
    .bind(campaign.opened_by.map(|u| u.to_string()))
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .execute(&mut *tx.conn())
    .await?;
    let obliged = if data.categories.is_empty() {
        0
    } else {
        let (clause, binds) = scope(data, 2);
        let sql = format!(
            "INSERT INTO self_inspection_obligations (campaign_id, entity_id, region_code) \
             SELECT $1, e.id, e.region_code FROM entities e WHERE {clause}"
        );
        let mut q = sqlx::query(&sql).bind(campaign.id.to_string());
        for b in &binds {
            q = q.bind(b.as_str());
        }
        q.execute(&mut *tx.conn()).await?.rows_affected() as i64
    };
    if obliged == 0 {
        tx.rollback().await?;
        return Err(StoreError::Conflict {
            code: "self_inspection.no_entities",
            message: "该辖区内没有所选类别的正常经营单位，自查无对象".into(),
        });
    }
    let summary = format!("发起自查“{}”：{} 户须在 {} 前报送", data.title, obliged, data.deadline);
    let mut change = Change::of("self_inspection.open", &campaign, summary, None);
    change.after = Some(json!({"campaign": campaign, "obliged": obliged}));
    tx.audit(actor, change).await?;
    tx.commit().await?;
    Ok((campaign, obliged))
}

pub async fn get(store: &Store, actor: &Actor, id: SelfInspectionCampaignId) -> StoreResult<Campaign> {
    let mut c = Conditions::default();
    c.push("c.id = ?", [id.to_string()]);
    visible(&mut c, actor);
    let sql = format!("SELECT {COLUMNS} FROM self_inspection_campaigns c WHERE {}", c.sql());
    let r = c.bind(sqlx::query(&sql)).fetch_optional(store.reader()).await?;
    from_row(&r.ok_or(StoreError::NotFound)?)
}

#[derive(Clone, Debug, Default)]
pub struct Query {
    pub status: Option<CampaignStatus>,
    /// Only open campaigns obliging this entity that still wait for its
    /// report (none yet, or one returned for correction).
    pub awaiting_report_of: Option<EntityId>,
    pub after: Option<Cursor>,
    pub limit: Option<usize>,
}

/// Newest first.
pub async fn list(store: &Store, actor: &Actor, q: &Query) -> StoreResult<Page<Campaign>> {
    let mut c = Conditions::default();
    visible(&mut c, actor);
    if let Some(s) = q.status {
        c.push("c.status = ?", [s.key().to_string()]);
    }
    if let Some(e) = q.awaiting_report_of {
        c.push(
            "c.status = ? AND c.id IN (SELECT o.campaign_id FROM self_inspection_obligations o WHERE o.entity_id = ?) \
             AND NOT EXISTS (SELECT 1 FROM self_inspection_reports r WHERE r.campaign_id = c.id \
             AND r.entity_id = ? AND r.status <> ?)",
            [CampaignStatus::Open.key().to_string(), e.to_string(), e.to_string(), ReportStatus::Returned.key().into()],
        );
    }
    if let Some(after) = &q.after {
        c.push("c.id < ?", [after.id.clone()]);
    }
    let limit = page::clamp_limit(q.limit);
    let sql = format!(
        "SELECT {COLUMNS} FROM self_inspection_campaigns c WHERE {} ORDER BY c.id DESC LIMIT {}",
        c.sql(),
        limit + 1
    );
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |x| Cursor { key: String::new(), id: x.id.to_string() }))
}

/// Obliged, submitted and missing within the actor's scope (the campaign must be visible).
pub async fn counts(store: &Store, actor: &Actor, id: SelfInspectionCampaignId) -> StoreResult<Counts> {
    let f = read_filter(actor, OBLIGATION_OWNER, 2);
    let sql = format!(
        "SELECT COUNT(*) AS obliged, SUM(CASE WHEN EXISTS (SELECT 1 FROM self_inspection_reports r \
         WHERE r.campaign_id = o.campaign_id AND r.entity_id = o.entity_id) THEN 1 ELSE 0 END) AS submitted \
         FROM self_inspection_obligations o WHERE o.campaign_id = $1 AND {}",
        f.sql
    );
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_one(store.reader()).await?;
    let obliged: i64 = r.try_get("obliged")?;
    let submitted = r.try_get::<Option<i64>, _>("submitted")?.unwrap_or(0);
    Ok(Counts { obliged, submitted, missing: obliged - submitted })
}

/// Open → closed. Reports are refused from now on.
pub async fn close(store: &Store, actor: &Actor, campaign: &Campaign, version: Option<i64>) -> StoreResult<Campaign> {
    let mut tx = store.begin().await?;
    let step = Step::new(campaign.status, CampaignAction::Close)
        .version(version)
        .set("closed_by", actor.user_id().map(|u| u.to_string()));
    let now = step.now;
    let step = step.set("closed_at", Some(time::to_db(now)));
    let row = Row {
        table: "self_inspection_campaigns",
        id: campaign.id.to_string(),
        region_code: &campaign.data.region_code,
        entity_id: None,
    };
    let (submitted, obliged): (i64, i64) = {
        let r = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM self_inspection_reports WHERE campaign_id = $1) AS submitted, \
             (SELECT COUNT(*) FROM self_inspection_obligations WHERE campaign_id = $1) AS obliged",
        )
        .bind(campaign.id.to_string())
        .fetch_one(&mut *tx.conn())
        .await?;
        (r.try_get("submitted")?, r.try_get("obliged")?)
    };
    let after = |to| Campaign {
        status: to,
        closed_at: Some(now),
        closed_by: actor.user_id(),
        version: campaign.version + 1,
        updated_at: now,
        ..campaign.clone()
    };
    let summary = format!(
        "结束自查“{}”：应报 {obliged} 户，已报 {submitted} 户，未报 {} 户",
        campaign.data.title,
        obliged - submitted
    );
    let after = lifecycle::step(&mut tx, actor, row, step, campaign, after, summary).await?;
    tx.commit().await?;
    Ok(after)
}

/// Whether the entity is obliged under the campaign (read by the domain before it checks a report).
pub async fn is_obliged(store: &Store, campaign: SelfInspectionCampaignId, entity: EntityId) -> StoreResult<bool> {
    let r = sqlx::query("SELECT 1 AS one FROM self_inspection_obligations WHERE campaign_id = $1 AND entity_id = $2")
        .bind(campaign.to_string())
        .bind(entity.to_string())
        .fetch_optional(store.reader())
        .await?;
    Ok(r.is_some())
}

/// The entity's report to the campaign, if any (within the actor's scope).
pub async fn report_of(
    store: &Store,
    actor: &Actor,
    campaign: SelfInspectionCampaignId,
    entity: EntityId,
) -> StoreResult<Option<Report>> {
    let f = read_filter(actor, REPORT_OWNER, 3);
    let sql = format!(
        "SELECT {REPORT_COLUMNS} FROM self_inspection_reports r JOIN entities e ON e.id = r.entity_id \
         WHERE r.campaign_id = $1 AND r.entity_id = $2 AND {}",
        f.sql
    );
    let r = f
        .bind(sqlx::query(&sql).bind(campaign.to_string()).bind(entity.to_string()))
        .fetch_optional(store.reader())
        .await?;
    r.as_ref().map(report_from_row).transpose()
}

fn closed(campaign: &Campaign) -> StoreError {
    StoreError::Conflict {
        code: "self_inspection.closed",
        message: format!("自查“{}”已结束，不再接收自查报告", campaign.data.title),
    }
}

fn already(campaign: &Campaign) -> StoreError {
    StoreError::Conflict {
        code: "self_inspection.already_submitted",
        message: format!(
            "本单位已报送“{}”的自查报告，每家单位只报送一份；如需更正请联系监督机构退回",
            campaign.data.title
        ),
    }
}

/// The entity's report: the first one, or again after the bureau returned it
/// for correction. The campaign must still be open (checked in SQL, so a
/// report racing the close loses) and the entity obliged; a second report is
/// refused. Attachments are linked in the same audited transaction.
pub async fn submit(
    store: &Store,
    actor: &Actor,
    campaign: &Campaign,
    entity_id: EntityId,
    data: &ReportData,
) -> StoreResult<Report> {
    let existing = report_of(store, actor, campaign.id, entity_id).await?;
    let mut tx = store.begin().await?;
    let region: Option<(String,)> =
        sqlx::query_as("SELECT region_code FROM self_inspection_obligations WHERE campaign_id = $1 AND entity_id = $2")
            .bind(campaign.id.to_string())
            .bind(entity_id.to_string())
            .fetch_optional(&mut *tx.conn())
            .await?;
    let Some((region_code,)) = region else {
        return Err(StoreError::Conflict {
            code: "self_inspection.not_obliged",
            message: format!("本单位不在自查“{}”的报送范围内", campaign.data.title),
        });
    };
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &region_code, entity_id: Some(entity_id) }).await?;
    let now = time::now();
    // Guarded by the campaign's status in the same statement: a report
    // racing the close loses.
    let open_guard = "EXISTS (SELECT 1 FROM self_inspection_campaigns c WHERE c.id = ? AND c.status = ?)";
    let open_key = CampaignStatus::INITIAL.key().to_string();
    let report = match &existing {
        Some(before) if before.status != ReportStatus::Returned => return Err(already(campaign)),
        Some(before) => {
            let step = Step::new(before.status, ReportAction::Resubmit)
                .set("problems", Some(data.problems.clone()))
                .set("measures", Some(data.measures.clone()))
                .set("results", Some(json_text(&data.results)))
                .set("attachments", Some(json_text(&data.attachments)))
                .set("submitted_by", actor.user_id().map(|u| u.to_string()))
                .guarded(open_guard, vec![campaign.id.to_string(), open_key.clone()])
                .audited_as("self_inspection.submit");
            let now = step.now;
            let step = step.set("submitted_at", Some(time::to_db(now)));
            let after = |to| Report {
                data: data.clone(),
                submitted_at: now,
                submitted_by: actor.user_id(),
                status: to,
                version: before.version + 1,
                ..before.clone()
            };
            let summary = format!("{}补正后重新报送自查“{}”的自查报告", before.entity_name, campaign.data.title);
            let row = Row {
                table: "self_inspection_reports",
                id: before.id.to_string(),
                region_code: &region_code,
                entity_id: Some(entity_id),
            };
            let report = match lifecycle::step(&mut tx, actor, row, step, before, after, summary).await {
                Err(StoreError::Conflict { code, .. }) if code == ReportStatus::AREA.stale => {
                    return Err(closed_or_already(store, campaign).await)
                }
                other => other?,
            };
            for a in &data.attachments {
                crate::attachments::link(
                    &mut tx,
                    actor,
                    parse_db(a)?,
                    "self_inspection_report",
                    &report.id.to_string(),
                )
                .await?;
            }
            tx.commit().await?;
            return Ok(report);
        }
        None => {
            let id = SelfInspectionReportId::new();
            let sql = "INSERT INTO self_inspection_reports (id, campaign_id, entity_id, region_code, problems, \
                       measures, results, attachments, submitted_at, submitted_by, status, review_comment, \
                       reviewed_at, reviewed_by, version, created_at, updated_at) \
                       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL, NULL, 1, $9, $9 WHERE "
                .to_string()
                + &open_guard.replacen('?', "$2", 1).replacen('?', "$12", 1);
            let done = sqlx::query(&sql)
                .bind(id.to_string())
                .bind(campaign.id.to_string())
                .bind(entity_id.to_string())
                .bind(&region_code)
                .bind(&data.problems)
                .bind(&data.measures)
                .bind(json_text(&data.results))
                .bind(json_text(&data.attachments))
                .bind(time::to_db(now))
                .bind(actor.user_id().map(|u| u.to_string()))
                .bind(ReportStatus::INITIAL.key())
                .bind(&open_key)
                .execute(&mut *tx.conn())
                .await
                .map_err(|e| {
                    StoreError::from(e).on_unique("self_inspection.already_submitted", || already(campaign).to_string())
                })?;
            if done.rows_affected() == 0 {
                return Err(closed(campaign));
            }
            let entity_name: (String,) = sqlx::query_as("SELECT name FROM entities WHERE id = $1")
                .bind(entity_id.to_string())
                .fetch_one(&mut *tx.conn())
                .await?;
            Report {
                id,
                campaign_id: campaign.id,
                entity_id,
                entity_name: entity_name.0,
                region_code: region_code.clone(),
                data: data.clone(),
                submitted_at: now,
                submitted_by: actor.user_id(),
                status: ReportStatus::Submitted,
                review_comment: None,
                reviewed_at: None,
                reviewed_by: None,
                version: 1,
            }
        }
    };
    for a in &data.attachments {
        crate::attachments::link(&mut tx, actor, parse_db(a)?, "self_inspection_report", &report.id.to_string())
            .await?;
    }
    let summary = format!("{}报送自查“{}”的自查报告", report.entity_name, campaign.data.title);
    tx.audit(actor, Change::of("self_inspection.submit", &report, summary, existing.as_ref())).await?;
    tx.commit().await?;
    Ok(report)
}

/// Why a guarded resubmission changed nothing: the campaign closed, or the report is no longer returned.
async fn closed_or_already(store: &Store, campaign: &Campaign) -> StoreError {
    match sqlx::query("SELECT status FROM self_inspection_campaigns WHERE id = $1")
        .bind(campaign.id.to_string())
        .fetch_optional(store.reader())
        .await
    {
        Ok(Some(r)) if r.try_get::<String, _>("status").ok().as_deref() == Some("closed") => closed(campaign),
        _ => already(campaign),
    }
}

pub async fn get_report(store: &Store, actor: &Actor, id: SelfInspectionReportId) -> StoreResult<Report> {
    let f = read_filter(actor, REPORT_OWNER, 2);
    let sql = format!(
        "SELECT {REPORT_COLUMNS} FROM self_inspection_reports r JOIN entities e ON e.id = r.entity_id \
         WHERE r.id = $1 AND {}",
        f.sql
    );
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(store.reader()).await?;
    report_from_row(&r.ok_or(StoreError::NotFound)?)
}

/// The campaign's reports in the actor's scope (an institution: its own), by entity name.
pub async fn reports(
    store: &Store,
    actor: &Actor,
    campaign: SelfInspectionCampaignId,
    after: Option<&Cursor>,
    limit: Option<usize>,
) -> StoreResult<Page<Report>> {
    let mut c = Conditions::default();
    c.push("r.campaign_id = ?", [campaign.to_string()]);
    c.push_filter(read_filter(actor, REPORT_OWNER, c.next()));
    if let Some(after) = after {
        c.push_after("e.name", "r.id", after);
    }
    let limit = page::clamp_limit(limit);
    let sql = format!(
        "SELECT {REPORT_COLUMNS} FROM self_inspection_reports r JOIN entities e ON e.id = r.entity_id \
         WHERE {} ORDER BY e.name, r.id LIMIT {}",
        c.sql(),
        limit + 1
    );
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows.iter().map(report_from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |r| Cursor { key: r.entity_name.clone(), id: r.id.to_string() }))
}

/// Obliged entities in the actor's scope without a report, by name.
pub async fn missing(
    store: &Store,
    actor: &Actor,
    campaign: SelfInspectionCampaignId,
    after: Option<&Cursor>,
    limit: Option<usize>,
) -> StoreResult<Page<Missing>> {
    let mut c = Conditions::default();
    c.push("o.campaign_id = ?", [campaign.to_string()]);
    c.push_filter(read_filter(actor, OBLIGATION_OWNER, c.next()));
    c.push(
        "NOT EXISTS (SELECT 1 FROM self_inspection_reports r WHERE r.campaign_id = o.campaign_id \
         AND r.entity_id = o.entity_id)",
        [],
    );
    if let Some(after) = after {
        c.push_after("e.name", "e.id", after);
    }
    let limit = page::clamp_limit(limit);
    let sql = format!(
        "SELECT e.id, e.name, o.region_code, e.category FROM self_inspection_obligations o \
         JOIN entities e ON e.id = o.entity_id WHERE {} ORDER BY e.name, e.id LIMIT {}",
        c.sql(),
        limit + 1
    );
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(Missing {
                entity_id: parse_db(&r.try_get::<String, _>("id")?)?,
                entity_name: r.try_get("name")?,
                region_code: r.try_get("region_code")?,
                category: r.try_get("category")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |m| Cursor { key: m.entity_name.clone(), id: m.entity_id.to_string() }))
}

/// The bureau's review of a submitted report: accepted, or returned for
/// correction with a comment. Only the campaign's own region reviews.
pub async fn review(
    store: &Store,
    actor: &Actor,
    campaign: &Campaign,
    report: &Report,
    action: ReportAction,
    version: Option<i64>,
    comment: Option<&str>,
) -> StoreResult<Report> {
    let mut tx = store.begin().await?;
    let step = Step::new(report.status, action)
        .version(version)
        .set("review_comment", comment.map(String::from))
        .set("reviewed_by", actor.user_id().map(|u| u.to_string()))
        .audited_as("self_inspection.review");
    let now = step.now;
    let step = step.set("reviewed_at", Some(time::to_db(now)));
    let after = |to| Report {
        status: to,
        review_comment: comment.map(String::from),
        reviewed_at: Some(now),
        reviewed_by: actor.user_id(),
        version: report.version + 1,
        ..report.clone()
    };
    let summary = match action {
        ReportAction::Return => format!("退回{}的自查报告补正：{}", report.entity_name, comment.unwrap_or_default()),
        _ => format!("审阅{}的自查报告", report.entity_name),
    };
    // Only the campaign's own region reviews.
    let row = Row {
        table: "self_inspection_reports",
        id: report.id.to_string(),
        region_code: &campaign.data.region_code,
        entity_id: None,
    };
    let after = lifecycle::step(&mut tx, actor, row, step, report, after, summary).await?;
    tx.commit().await?;
    Ok(after)
}
