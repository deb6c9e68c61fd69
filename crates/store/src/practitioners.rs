//! Practitioners (医务人员): doctors, nurses and technicians registered at a
//! primary institution, with their further practice sites (多机构执业备案).
//!
//! A practitioner belongs to the region of the primary institution, and to
//! that institution for its own users. The 身份证号 is stored in full but
//! serialises masked (so audit digests and JSON never carry it); the one way
//! to read it in full is [`reveal_id_number`], which writes an audit event.

use crate::audit::{Audited, Change};
use crate::entities::{self, Entity};
use crate::ids::{parse_db, EntityId, PracticeSiteId, PractitionerId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::page::{self, Conditions, Cursor, Page};
use crate::{time, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Serialize, Serializer};
use serde_json::json;
use sqlx::{AnyConnection, Row};
use weijian_rules::ids::mask_citizen_id;
use weijian_rules::registry::{PractitionerKind, PractitionerStatus};

fn serialize_masked<S: Serializer>(number: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&mask_citizen_id(number))
}

/// What a user may set on a practitioner (values arrive checked by the domain).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PractitionerData {
    pub name: String,
    /// The full 身份证号 in memory; masked whenever serialised.
    #[serde(serialize_with = "serialize_masked")]
    pub id_number: String,
    pub kind: PractitionerKind,
    /// 资格证书编号.
    pub qualification_no: Option<String>,
    /// 执业证书编号.
    pub practice_cert_no: Option<String>,
    /// 执业类别 (临床, 口腔, 中医, 公共卫生 ...).
    pub practice_category: Option<String>,
    /// 执业范围.
    pub practice_scope: Option<String>,
    /// The primary institution (第一执业地点).
    pub entity_id: EntityId,
    pub status: PractitionerStatus,
    pub registered_on: Option<NaiveDate>,
    /// Nurses' registrations run five years; physicians' certificates do not expire.
    pub cert_valid_until: Option<NaiveDate>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Practitioner {
    pub id: PractitionerId,
    #[serde(flatten)]
    pub data: PractitionerData,
    pub region_code: String,
    pub entity_name: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Practitioner {
    /// The same record with the 身份证号 masked in memory too (what reads hand out).
    pub fn masked(mut self) -> Practitioner {
        self.data.id_number = mask_citizen_id(&self.data.id_number);
        self
    }
}

/// A further practice site of a practitioner.
#[derive(Clone, Debug, Serialize)]
pub struct PracticeSite {
    pub id: PracticeSiteId,
    pub practitioner_id: PractitionerId,
    pub entity_id: EntityId,
    pub entity_name: String,
    pub region_code: String,
    pub filed_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

const OWNER: Owner = Owner { region: "p.region_code", entity: Some("p.entity_id") };
const SITE_OWNER: Owner = Owner { region: "s.region_code", entity: Some("s.entity_id") };
const COLUMNS: &str = "p.id, p.name, p.id_number, p.kind, p.qualification_no, p.practice_cert_no, \
     p.practice_category, p.practice_scope, p.entity_id, p.region_code, p.status, p.registered_on, \
     p.cert_valid_until, p.version, p.created_at, p.updated_at, e.name AS entity_name";
const FROM: &str = "practitioners p JOIN entities e ON e.id = p.entity_id";
const SITE_COLUMNS: &str =
    "s.id, s.practitioner_id, s.entity_id, s.region_code, s.filed_on, s.ended_on, s.created_at, e.name AS entity_name";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Practitioner> {
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("医务人员的{what}无效：{v}"));
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    Ok(Practitioner {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        data: PractitionerData {
            name: r.try_get("name")?,
            id_number: r.try_get("id_number")?,
            kind: PractitionerKind::parse(&kind).ok_or_else(|| corrupt("类别", &kind))?,
            qualification_no: r.try_get("qualification_no")?,
            practice_cert_no: r.try_get("practice_cert_no")?,
            practice_category: r.try_get("practice_category")?,
            practice_scope: r.try_get("practice_scope")?,
            entity_id: parse_db(&r.try_get::<String, _>("entity_id")?)?,
            status: PractitionerStatus::parse(&status).ok_or_else(|| corrupt("执业状态", &status))?,
            registered_on: time::date_column(r, "registered_on")?,
            cert_valid_until: time::date_column(r, "cert_valid_until")?,
        },
        region_code: r.try_get("region_code")?,
        entity_name: r.try_get("entity_name")?,
        version: r.try_get("version")?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_db(&r.try_get::<String, _>("updated_at")?)?,
    })
}

fn site_from_row(r: &sqlx::any::AnyRow) -> StoreResult<PracticeSite> {
    Ok(PracticeSite {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        practitioner_id: parse_db(&r.try_get::<String, _>("practitioner_id")?)?,
        entity_id: parse_db(&r.try_get::<String, _>("entity_id")?)?,
        entity_name: r.try_get("entity_name")?,
        region_code: r.try_get("region_code")?,
        filed_on: time::date_column(r, "filed_on")?
            .ok_or_else(|| StoreError::Corrupt("执业地点缺少备案日期".into()))?,
        ended_on: time::date_column(r, "ended_on")?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
    })
}

/// Name and certificate numbers; never the 身份证号 (no partial matching on it).
fn search_text(d: &PractitionerData) -> String {
    page::search_text([
        d.name.as_str(),
        d.qualification_no.as_deref().unwrap_or(""),
        d.practice_cert_no.as_deref().unwrap_or(""),
    ])
}

/// Refuses a second registration of the same person (身份证号) or of the same
/// certificate (kind + 执业证书编号), naming the existing record when the
/// actor may see it. Checked before writing, so the transaction stays usable
/// on PostgreSQL; the unique indexes remain the last word under races.
async fn check_duplicate(
    conn: &mut AnyConnection,
    actor: &Actor,
    data: &PractitionerData,
    except: Option<PractitionerId>,
) -> StoreResult<()> {
    let except = except.map(|i| i.to_string()).unwrap_or_default();
    let rows = sqlx::query(
        "SELECT p.id, p.id_number FROM practitioners p \
         WHERE (p.id_number = $1 OR (p.kind = $2 AND p.practice_cert_no = $3)) AND p.id <> $4",
    )
    .bind(&data.id_number)
    .bind(data.kind.key())
    .bind(&data.practice_cert_no)
    .bind(&except)
    .fetch_all(&mut *conn)
    .await?;
    let Some(row) = rows.first() else { return Ok(()) };
    let existing_id: String = row.try_get("id")?;
    let same_person = row.try_get::<String, _>("id_number")? == data.id_number;
    let what = if same_person { "该身份证号" } else { "该执业证书编号" };
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT p.name, e.name AS entity_name FROM {FROM} WHERE p.id = $1 AND {}", f.sql);
    let visible = f.bind(sqlx::query(&sql).bind(&existing_id)).fetch_optional(&mut *conn).await?;
    let message = match visible {
        Some(r) => {
            let name: String = r.try_get("name")?;
            let entity: String = r.try_get("entity_name")?;
            format!("{what}已登记：{name}（{entity}），请勿重复登记")
        }
        None => format!("{what}已在其他辖区登记，请联系其第一执业机构所在地的卫生健康部门"),
    };
    Err(StoreError::Conflict { code: "practitioner.duplicate", message })
}

fn duplicate(e: sqlx::Error) -> StoreError {
    StoreError::from(e).on_unique("practitioner.duplicate", || "该身份证号或执业证书编号已登记，请勿重复登记".into())
}

pub async fn create(store: &Store, actor: &Actor, data: &PractitionerData) -> StoreResult<Practitioner> {
    let institution = entities::get(store, actor, data.entity_id).await?;
    let mut tx = store.begin().await?;
    let p = insert(tx.conn(), actor, &institution, data).await?;
    tx.audit(
        actor,
        Change::of("practitioner.create", &p, format!("登记医务人员 {}（{}）", p.data.name, p.entity_name), None),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// The insert alone, for callers batching writes (imports). `institution`
/// (the primary institution) must have been read in the actor's scope.
pub async fn insert(
    conn: &mut AnyConnection,
    actor: &Actor,
    institution: &Entity,
    data: &PractitionerData,
) -> StoreResult<Practitioner> {
    authorize_write(
        conn,
        actor,
        WriteTarget { region_code: &institution.data.region_code, entity_id: Some(institution.id) },
    )
    .await?;
    check_duplicate(conn, actor, data, None).await?;
    let now = time::now();
    let p = Practitioner {
        id: PractitionerId::new(),
        data: data.clone(),
        region_code: institution.data.region_code.clone(),
        entity_name: institution.data.name.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO practitioners (id, name, id_number, kind, qualification_no, practice_cert_no, \
         practice_category, practice_scope, entity_id, region_code, status, registered_on, cert_valid_until, \
         search_text, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(p.id.to_string())
    .bind(&data.name)
    .bind(&data.id_number)
    .bind(data.kind.key())
    .bind(&data.qualification_no)
    .bind(&data.practice_cert_no)
    .bind(&data.practice_category)
    .bind(&data.practice_scope)
    .bind(data.entity_id.to_string())
    .bind(&p.region_code)
    .bind(data.status.key())
    .bind(data.registered_on.map(|d| d.to_string()))
    .bind(data.cert_valid_until.map(|d| d.to_string()))
    .bind(search_text(data))
    .bind(p.version)
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .execute(&mut *conn)
    .await
    .map_err(duplicate)?;
    Ok(p)
}

/// Replaces a practitioner's data; `expected_version` guards against
/// overwriting a change made since the editor loaded the record. A move to
/// another primary institution needs write access to both.
pub async fn update(
    store: &Store,
    actor: &Actor,
    id: PractitionerId,
    expected_version: Option<i64>,
    data: &PractitionerData,
) -> StoreResult<Practitioner> {
    let before = get(store, actor, id).await?;
    let institution = entities::get(store, actor, data.entity_id).await?;
    let mut tx = store.begin().await?;
    let after = replace(tx.conn(), actor, &before, &institution, expected_version, data).await?;
    tx.audit(
        actor,
        Change::of(
            "practitioner.update",
            &after,
            format!("修改医务人员 {}（{}）", after.data.name, after.entity_name),
            Some(&before),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The update alone (imports batch it). `before` and `institution` must have
/// been read in the actor's scope.
pub async fn replace(
    conn: &mut AnyConnection,
    actor: &Actor,
    before: &Practitioner,
    institution: &Entity,
    expected_version: Option<i64>,
    data: &PractitionerData,
) -> StoreResult<Practitioner> {
    for (region_code, entity_id) in
        [(&before.region_code, before.data.entity_id), (&institution.data.region_code, institution.id)]
    {
        authorize_write(conn, actor, WriteTarget { region_code, entity_id: Some(entity_id) }).await?;
    }
    check_duplicate(conn, actor, data, Some(before.id)).await?;
    let version = expected_version.unwrap_or(before.version);
    let now = time::now();
    let done = sqlx::query(
        "UPDATE practitioners SET name = $1, id_number = $2, kind = $3, qualification_no = $4, \
         practice_cert_no = $5, practice_category = $6, practice_scope = $7, entity_id = $8, region_code = $9, \
         status = $10, registered_on = $11, cert_valid_until = $12, search_text = $13, version = version + 1, \
         updated_at = $14 WHERE id = $15 AND version = $16",
    )
    .bind(&data.name)
    .bind(&data.id_number)
    .bind(data.kind.key())
    .bind(&data.qualification_no)
    .bind(&data.practice_cert_no)
    .bind(&data.practice_category)
    .bind(&data.practice_scope)
    .bind(data.entity_id.to_string())
    .bind(&institution.data.region_code)
    .bind(data.status.key())
    .bind(data.registered_on.map(|d| d.to_string()))
    .bind(data.cert_valid_until.map(|d| d.to_string()))
    .bind(search_text(data))
    .bind(time::to_db(now))
    .bind(before.id.to_string())
    .bind(version)
    .execute(&mut *conn)
    .await
    .map_err(duplicate)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            code: "practitioner.stale",
            message: "该医务人员信息已被他人修改，请刷新后重试".into(),
        });
    }
    Ok(Practitioner {
        id: before.id,
        data: data.clone(),
        region_code: institution.data.region_code.clone(),
        entity_name: institution.data.name.clone(),
        version: version + 1,
        created_at: before.created_at,
        updated_at: now,
    })
}

// Serialising masks the 身份证号, so the digests never encode it.
impl Audited for Practitioner {
    const OBJECT_TYPE: &'static str = "practitioner";
    fn object_id(&self) -> String {
        self.id.to_string()
    }
    fn owning_region(&self) -> &str {
        &self.region_code
    }
}

/// The practitioner with the 身份证号 in memory in full: for the domain to
/// mask or, through [`reveal_id_number`], to show.
pub async fn get(store: &Store, actor: &Actor, id: PractitionerId) -> StoreResult<Practitioner> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE p.id = $1 AND {}", f.sql);
    let r = f
        .bind(sqlx::query(&sql).bind(id.to_string()))
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

/// The full 身份证号, with a `practitioner.reveal_id_number` audit event
/// written first: no look goes unrecorded. Whether the actor's role may look
/// is the domain's decision.
pub async fn reveal_id_number(store: &Store, actor: &Actor, id: PractitionerId) -> StoreResult<String> {
    let p = get(store, actor, id).await?;
    let mut tx = store.begin().await?;
    tx.audit(
        actor,
        Change {
            action: "practitioner.reveal_id_number",
            object_type: "practitioner",
            object_id: p.id.to_string(),
            region_code: Some(p.region_code.clone()),
            summary: format!("查看医务人员 {}（{}）的完整身份证号", p.data.name, p.entity_name),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(p.data.id_number)
}

/// The practitioner with exactly this 身份证号, if the actor may see it
/// (imports' natural key; staff's exact look-up).
pub async fn find_by_id_number(
    conn: &mut AnyConnection,
    actor: &Actor,
    id_number: &str,
) -> StoreResult<Option<Practitioner>> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE p.id_number = $1 AND {}", f.sql);
    let r = f.bind(sqlx::query(&sql).bind(id_number)).fetch_optional(&mut *conn).await?;
    r.as_ref().map(from_row).transpose()
}

#[derive(Clone, Debug, Default)]
pub struct Query {
    /// Words matched against name and certificate numbers.
    pub q: Option<String>,
    /// An exact 身份证号 (never a part of one).
    pub id_number: Option<String>,
    pub kind: Option<PractitionerKind>,
    pub status: Option<PractitionerStatus>,
    /// Only practitioners whose primary institution is this entity.
    pub entity_id: Option<EntityId>,
    pub after: Option<Cursor>,
    pub limit: Option<usize>,
}

/// Practitioners by name, then id; keyset pages.
pub async fn list(store: &Store, actor: &Actor, query: &Query) -> StoreResult<Page<Practitioner>> {
    let mut c = Conditions::default();
    c.push_filter(read_filter(actor, OWNER, 1));
    for word in page::search_words(query.q.as_deref()) {
        c.push("p.search_text LIKE ? ESCAPE '\\'", [page::contains_pattern(&word)]);
    }
    if let Some(n) = &query.id_number {
        c.push("p.id_number = ?", [n.clone()]);
    }
    if let Some(k) = query.kind {
        c.push("p.kind = ?", [k.key().to_string()]);
    }
    if let Some(s) = query.status {
        c.push("p.status = ?", [s.key().to_string()]);
    }
    if let Some(e) = query.entity_id {
        c.push("p.entity_id = ?", [e.to_string()]);
    }
    if let Some(after) = &query.after {
        c.push_after("p.name", "p.id", after);
    }
    let limit = page::clamp_limit(query.limit);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {} ORDER BY p.name, p.id LIMIT {}", c.sql(), limit + 1);
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |p| Cursor { key: p.data.name.clone(), id: p.id.to_string() }))
}

/// Who practises at one entity: those whose primary institution it is, and
/// those with a practice site there (with the site).
pub struct EntityStaff {
    pub primary: Vec<Practitioner>,
    pub sites: Vec<(PracticeSite, Practitioner)>,
}

pub async fn of_entity(store: &Store, actor: &Actor, entity_id: EntityId) -> StoreResult<EntityStaff> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE p.entity_id = $1 AND {} ORDER BY p.name, p.id", f.sql);
    let rows = f.bind(sqlx::query(&sql).bind(entity_id.to_string())).fetch_all(store.reader()).await?;
    let primary = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    // A site is visible to whoever may see the site's entity.
    let f = read_filter(actor, SITE_OWNER, 2);
    let sql = format!(
        "SELECT {SITE_COLUMNS} FROM practice_sites s JOIN entities e ON e.id = s.entity_id \
         WHERE s.entity_id = $1 AND {} ORDER BY s.filed_on, s.id",
        f.sql
    );
    let rows = f.bind(sqlx::query(&sql).bind(entity_id.to_string())).fetch_all(store.reader()).await?;
    let mut sites = Vec::new();
    for r in &rows {
        let site = site_from_row(r)?;
        let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE p.id = $1");
        let p = sqlx::query(&sql).bind(site.practitioner_id.to_string()).fetch_one(store.reader()).await?;
        sites.push((site, from_row(&p)?));
    }
    Ok(EntityStaff { primary, sites })
}

/// The practice sites of a practitioner the actor may see.
pub async fn sites_of(store: &Store, actor: &Actor, id: PractitionerId) -> StoreResult<Vec<PracticeSite>> {
    get(store, actor, id).await?;
    let sql = format!(
        "SELECT {SITE_COLUMNS} FROM practice_sites s JOIN entities e ON e.id = s.entity_id \
         WHERE s.practitioner_id = $1 ORDER BY s.filed_on, s.id"
    );
    let rows = sqlx::query(&sql).bind(id.to_string()).fetch_all(store.reader()).await?;
    rows.iter().map(site_from_row).collect()
}

fn site_change<'a>(action: &'a str, p: &Practitioner, site: &PracticeSite, summary: String) -> Change<'a> {
    Change {
        action,
        object_type: "practitioner",
        object_id: p.id.to_string(),
        region_code: Some(p.region_code.clone()),
        summary,
        before: None,
        after: Some(json!(site)),
    }
}

/// Files a further practice site (多机构执业备案). Written by the primary
/// institution's regulator; the site's entity must be visible to the actor.
pub async fn add_practice_site(
    store: &Store,
    actor: &Actor,
    id: PractitionerId,
    entity_id: EntityId,
    filed_on: NaiveDate,
) -> StoreResult<PracticeSite> {
    let p = get(store, actor, id).await?;
    let site_entity = entities::get(store, actor, entity_id).await?;
    if entity_id == p.data.entity_id {
        return Err(StoreError::Conflict {
            code: "practice_site.is_primary",
            message: "该机构已是此人的第一执业机构".into(),
        });
    }
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &p.region_code, entity_id: Some(p.data.entity_id) })
        .await?;
    let now = time::now();
    let site = PracticeSite {
        id: PracticeSiteId::new(),
        practitioner_id: p.id,
        entity_id,
        entity_name: site_entity.data.name.clone(),
        region_code: site_entity.data.region_code.clone(),
        filed_on,
        ended_on: None,
        created_at: now,
    };
    sqlx::query(
        "INSERT INTO practice_sites (id, practitioner_id, entity_id, region_code, filed_on, ended_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6)",
    )
    .bind(site.id.to_string())
    .bind(p.id.to_string())
    .bind(entity_id.to_string())
    .bind(&site.region_code)
    .bind(filed_on.to_string())
    .bind(time::to_db(now))
    .execute(tx.conn())
    .await
    .map_err(|e| {
        StoreError::from(e).on_unique("practice_site.duplicate", || format!("已备案在{}执业", site_entity.data.name))
    })?;
    tx.audit(
        actor,
        site_change(
            "practitioner.add_site",
            &p,
            &site,
            format!("备案医务人员 {} 在{}执业", p.data.name, site.entity_name),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(site)
}

/// Ends a practice site on a day (the record stays, with its end date).
pub async fn end_practice_site(
    store: &Store,
    actor: &Actor,
    id: PractitionerId,
    site_id: PracticeSiteId,
    ended_on: NaiveDate,
) -> StoreResult<PracticeSite> {
    let p = get(store, actor, id).await?;
    let site = sites_of(store, actor, id).await?.into_iter().find(|s| s.id == site_id).ok_or(StoreError::NotFound)?;
    if site.ended_on.is_some() {
        return Err(StoreError::Conflict {
            code: "practice_site.ended", message: "该执业地点备案已终止".into()
        });
    }
    if ended_on < site.filed_on {
        return Err(StoreError::Conflict {
            code: "practice_site.ends_before_filed",
            message: format!("终止日期早于备案日期（{}）", site.filed_on),
        });
    }
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &p.region_code, entity_id: Some(p.data.entity_id) })
        .await?;
    sqlx::query("UPDATE practice_sites SET ended_on = $1 WHERE id = $2 AND ended_on IS NULL")
        .bind(ended_on.to_string())
        .bind(site.id.to_string())
        .execute(tx.conn())
        .await?;
    let ended = PracticeSite { ended_on: Some(ended_on), ..site };
    tx.audit(
        actor,
        site_change(
            "practitioner.end_site",
            &p,
            &ended,
            format!("终止医务人员 {} 在{}的执业备案", p.data.name, ended.entity_name),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}
