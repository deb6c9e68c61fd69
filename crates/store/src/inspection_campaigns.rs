//! 专项检查 (special campaigns): a region's named campaign with its item list,
//! period and target filter, its target set read from the registry, and its
//! tasks inserted in bulk in one audited transaction.

use crate::audit::{Audited, Change};
use crate::columns;
use crate::ids::{
    parse_db, EntityId, InspectionCampaignId, InspectionItemListId, InspectionTaskId, InspectorId, UserId,
};
use crate::inspection_tasks::{self, NewTask};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::lifecycle;
use crate::page::{self, Conditions};
use crate::{time, Actor, Store, StoreError, StoreResult, WriteTx};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use weijian_rules::inspection::{TaskSource, TaskStatus};
use weijian_rules::inspection_campaign::TargetFilter;
use weijian_rules::registry::{AttributeValue, EntityStatus, Registry};

/// What a section chief sets when creating a campaign (checked by the domain).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CampaignData {
    pub region_code: String,
    pub name: String,
    /// 监管专业 (registry specialty key).
    pub specialty: String,
    pub item_list_id: InspectionItemListId,
    pub items: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub target: TargetFilter,
}

#[derive(Clone, Debug, Serialize)]
pub struct Campaign {
    pub id: InspectionCampaignId,
    #[serde(flatten)]
    pub data: CampaignData,
    pub created_by: Option<UserId>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Audited for Campaign {
    const OBJECT_TYPE: &'static str = "inspection_campaign";
    fn object_id(&self) -> String {
        self.id.to_string()
    }
    fn owning_region(&self) -> &str {
        &self.data.region_code
    }
}

// Staff of the region and above see a campaign; institutions never (unannounced).
const OWNER: Owner = Owner { region: "c.region_code", entity: None };
const COLUMNS: &str = "c.id, c.region_code, c.name, c.specialty, c.item_list_id, c.items, c.starts_on, c.ends_on, \
     c.category, c.attributes, c.created_by, c.version, c.created_at, c.updated_at";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Campaign> {
    Ok(Campaign {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        data: CampaignData {
            region_code: r.try_get("region_code")?,
            name: r.try_get("name")?,
            specialty: r.try_get("specialty")?,
            item_list_id: parse_db(&r.try_get::<String, _>("item_list_id")?)?,
            items: columns::json(r, "items")?,
            starts_on: time::required_date(r, "starts_on")?,
            ends_on: time::required_date(r, "ends_on")?,
            target: TargetFilter { category: r.try_get("category")?, attributes: columns::json(r, "attributes")? },
        },
        created_by: r.try_get::<Option<String>, _>("created_by")?.map(|s| parse_db(&s)).transpose()?,
        version: r.try_get("version")?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_db(&r.try_get::<String, _>("updated_at")?)?,
    })
}

fn json_text<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialises")
}

/// Creates a campaign of the data's region, audited.
pub async fn create(store: &Store, actor: &Actor, data: &CampaignData) -> StoreResult<Campaign> {
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &data.region_code, entity_id: None }).await?;
    let now = time::now();
    let campaign = Campaign {
        id: InspectionCampaignId::new(),
        data: data.clone(),
        created_by: actor.user_id(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO inspection_campaigns (id, region_code, name, specialty, item_list_id, items, starts_on, ends_on, \
         category, attributes, created_by, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13)",
    )
    .bind(campaign.id.to_string())
    .bind(&data.region_code)
    .bind(&data.name)
    .bind(&data.specialty)
    .bind(data.item_list_id.to_string())
    .bind(json_text(&data.items))
    .bind(data.starts_on.to_string())
    .bind(data.ends_on.to_string())
    .bind(&data.target.category)
    .bind(json_text(&data.target.attributes))
    .bind(campaign.created_by.map(|u| u.to_string()))
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .execute(&mut *tx.conn())
    .await?;
    let summary = format!("创建专项检查“{}”（{} 至 {}）", data.name, data.starts_on, data.ends_on);
    tx.audit(actor, Change::of("inspection_campaign.create", &campaign, summary, None)).await?;
    tx.commit().await?;
    Ok(campaign)
}

pub async fn get(store: &Store, actor: &Actor, id: InspectionCampaignId) -> StoreResult<Campaign> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM inspection_campaigns c WHERE c.id = $1 AND {}", f.sql);
    let r = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_optional(store.reader()).await?;
    from_row(&r.ok_or(StoreError::NotFound)?)
}

/// The most campaigns a list shows (a county runs a handful a year).
pub const LIST_LIMIT: usize = 200;

/// The campaigns in the actor's jurisdiction, newest first.
pub async fn list(store: &Store, actor: &Actor) -> StoreResult<Vec<Campaign>> {
    let f = read_filter(actor, OWNER, 1);
    let sql =
        format!("SELECT {COLUMNS} FROM inspection_campaigns c WHERE {} ORDER BY c.id DESC LIMIT {LIST_LIMIT}", f.sql);
    let rows = f.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    rows.iter().map(from_row).collect()
}

/// One entity of a campaign's target set.
#[derive(Clone, Debug, Serialize)]
pub struct Target {
    pub entity_id: EntityId,
    pub name: String,
    pub region_code: String,
}

/// The target set as the actor sees it: operating entities of the campaign's
/// category in its region and below, within the actor's jurisdiction, whose
/// attributes match the filter. Attributes are JSON text on both backends, so
/// the category narrows in SQL and the attribute values are compared here.
pub async fn targets(store: &Store, actor: &Actor, campaign: &Campaign) -> StoreResult<Vec<Target>> {
    let mut c = Conditions::default();
    c.push_filter(read_filter(actor, Owner { region: "e.region_code", entity: Some("e.id") }, 1));
    c.push(&page::in_region("e.region_code"), [campaign.data.region_code.clone()]);
    c.push("e.category = ?", [campaign.data.target.category.clone()]);
    c.push("e.status = ?", [EntityStatus::Operating.key().to_string()]);
    let sql = format!(
        "SELECT e.id, e.name, e.region_code, e.category, e.attributes FROM entities e WHERE {} ORDER BY e.name, e.id",
        c.sql()
    );
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let registry = Registry::official();
    let mut out = Vec::new();
    for r in &rows {
        let category: String = r.try_get("category")?;
        let attributes: BTreeMap<String, AttributeValue> = columns::json(r, "attributes")?;
        if campaign.data.target.matches(registry, &category, &attributes) {
            out.push(Target {
                entity_id: parse_db(&r.try_get::<String, _>("id")?)?,
                name: r.try_get("name")?,
                region_code: r.try_get("region_code")?,
            });
        }
    }
    Ok(out)
}

/// The campaign's tasks the actor sees: all of them, and those still open.
pub async fn task_counts(store: &Store, actor: &Actor, id: InspectionCampaignId) -> StoreResult<(i64, i64)> {
    let f = read_filter(actor, Owner { region: "t.region_code", entity: Some("t.entity_id") }, 2);
    let sql = format!("SELECT t.status FROM inspection_tasks t WHERE t.campaign_id = $1 AND {}", f.sql);
    let rows = f.bind(sqlx::query(&sql).bind(id.to_string())).fetch_all(store.reader()).await?;
    let mut open = 0;
    for r in &rows {
        if columns::keyed(r, "status", TaskStatus::parse)?.is_open() {
            open += 1;
        }
    }
    Ok((rows.len() as i64, open))
}

/// A task the domain planned for one target: who inspects it and by when.
#[derive(Clone, Debug, Serialize)]
pub struct PlannedTask {
    pub entity_id: EntityId,
    pub entity_name: String,
    pub region_code: String,
    pub inspectors: [InspectorId; 2],
    pub due_on: NaiveDate,
}

/// What a bulk creation did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Generated {
    pub created: Vec<InspectionTaskId>,
    /// Targets that already have an open task of the campaign.
    pub skipped_existing: Vec<EntityId>,
}

/// The entities with an open task of the campaign, read in the caller's transaction.
async fn entities_with_open_tasks(tx: &mut WriteTx, id: InspectionCampaignId) -> StoreResult<BTreeSet<EntityId>> {
    let open: Vec<TaskStatus> = TaskStatus::ALL.iter().copied().filter(|s| s.is_open()).collect();
    let mut c = Conditions::default();
    c.push("campaign_id = ?", [id.to_string()]);
    let (cond, keys) = lifecycle::in_states("status", &open);
    c.push(&cond, keys);
    let sql = format!("SELECT entity_id FROM inspection_tasks WHERE {}", c.sql());
    let rows = c.bind(sqlx::query(&sql)).fetch_all(&mut *tx.conn()).await?;
    rows.iter().map(|r| parse_db(&r.try_get::<String, _>("entity_id")?)).collect()
}

/// Inserts the planned tasks of a campaign in one transaction: each target
/// that has no open task of the campaign yet gets one (so running it twice
/// creates nothing new), each task audited in its entity's history, the whole
/// run audited on the campaign.
pub async fn insert_tasks(
    store: &Store,
    actor: &Actor,
    campaign: &Campaign,
    planned: &[PlannedTask],
) -> StoreResult<Generated> {
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &campaign.data.region_code, entity_id: None }).await?;
    let existing = entities_with_open_tasks(&mut tx, campaign.id).await?;
    let mut out = Generated::default();
    for p in planned {
        if existing.contains(&p.entity_id) {
            out.skipped_existing.push(p.entity_id);
            continue;
        }
        authorize_write(tx.conn(), actor, WriteTarget { region_code: &p.region_code, entity_id: None }).await?;
        let id = inspection_tasks::insert_in(
            &mut tx,
            NewTask {
                region_code: &p.region_code,
                entity_id: p.entity_id,
                source: TaskSource::Campaign,
                plan_id: None,
                item_list_id: Some(campaign.data.item_list_id),
                items: &campaign.data.items,
                inspectors: p.inspectors,
                due_on: p.due_on,
            },
        )
        .await?;
        inspection_tasks::set_campaign_in(&mut tx, id, campaign.id).await?;
        tx.audit(
            actor,
            Change {
                action: "inspection_task.create",
                object_type: "entity",
                object_id: p.entity_id.to_string(),
                region_code: Some(p.region_code.clone()),
                summary: format!("下达专项检查任务（{}）：{}，期限 {}", campaign.data.name, p.entity_name, p.due_on),
                before: None,
                after: Some(json!({"task_id": id, "campaign_id": campaign.id, "task": p})),
            },
        )
        .await?;
        out.created.push(id);
    }
    if out.created.is_empty() {
        // Nothing new: nothing to write or audit.
        tx.rollback().await?;
        return Ok(out);
    }
    let summary = format!(
        "专项检查“{}”生成任务 {} 个（已有任务跳过 {} 个）",
        campaign.data.name,
        out.created.len(),
        out.skipped_existing.len()
    );
    let mut change = Change::of("inspection_campaign.generate_tasks", campaign, summary, Some(campaign));
    change.after = Some(json!({"campaign_id": campaign.id, "created": out.created, "skipped": out.skipped_existing}));
    tx.audit(actor, change).await?;
    tx.commit().await?;
    Ok(out)
}
