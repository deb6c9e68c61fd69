//! Inspectors (执法人员名录库): staff who may enforce, with their
//! enforcement certificate (执法证) and specialties. An inspector belongs to a
//! unit and to the unit's region; it may be linked to a user account.
//!
//! Who may be assigned on a day is decided by one rule,
//! `weijian_rules::registry::may_enforce_on`, applied in [`eligible_on`]:
//! every module that assigns inspectors (random draws, inspection records)
//! asks that function.

use crate::audit::{Audited, Change};
use crate::ids::{parse_db, InspectorId, UnitId, UserId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::page::{self, Conditions, Cursor, Page};
use crate::units::{self, Unit};
use crate::{time, users, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use weijian_rules::registry::{
    certificate_expiring, may_enforce_on, may_enforce_throughout, InspectorStatus, CERTIFICATE_WARNING_DAYS,
};

/// What a user may set on an inspector (checked by the domain).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InspectorData {
    pub user_id: Option<UserId>,
    pub name: String,
    pub unit_id: UnitId,
    /// 执法证号.
    pub cert_no: String,
    pub cert_valid_from: NaiveDate,
    pub cert_valid_until: NaiveDate,
    /// Specialty keys from the registry vocabulary.
    pub specialties: Vec<String>,
    pub status: InspectorStatus,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Inspector {
    pub id: InspectorId,
    #[serde(flatten)]
    pub data: InspectorData,
    pub region_code: String,
    pub unit_name: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Inspector {
    /// Whether this inspector may be assigned to enforce on `day` (the one rule).
    pub fn may_enforce_on(&self, day: NaiveDate) -> bool {
        may_enforce_on(self.data.status, self.data.cert_valid_from, self.data.cert_valid_until, day)
    }

    /// Whether this inspector may be assigned from `from` to `until` (a task's due date).
    pub fn may_enforce_throughout(&self, from: NaiveDate, until: NaiveDate) -> bool {
        may_enforce_throughout(self.data.status, self.data.cert_valid_from, self.data.cert_valid_until, from, until)
    }

    pub fn certificate_expiring(&self, day: NaiveDate) -> bool {
        certificate_expiring(self.data.cert_valid_until, day)
    }

    pub fn certificate_expired(&self, day: NaiveDate) -> bool {
        day > self.data.cert_valid_until
    }
}

const OWNER: Owner = Owner { region: "i.region_code", entity: None };
const COLUMNS: &str = "i.id, i.user_id, i.name, i.unit_id, i.region_code, i.cert_no, i.cert_valid_from, \
     i.cert_valid_until, i.specialties, i.status, i.phone, i.version, i.created_at, i.updated_at, \
     u.name AS unit_name";
const FROM: &str = "inspectors i JOIN units u ON u.id = i.unit_id";

fn date(r: &sqlx::any::AnyRow, col: &str) -> StoreResult<NaiveDate> {
    let s: String = r.try_get(col)?;
    s.parse().map_err(|_| StoreError::Corrupt(format!("无效的日期：{s}")))
}

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Inspector> {
    let status: String = r.try_get("status")?;
    let specialties: String = r.try_get("specialties")?;
    Ok(Inspector {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        data: InspectorData {
            user_id: r.try_get::<Option<String>, _>("user_id")?.map(|s| parse_db(&s)).transpose()?,
            name: r.try_get("name")?,
            unit_id: parse_db(&r.try_get::<String, _>("unit_id")?)?,
            cert_no: r.try_get("cert_no")?,
            cert_valid_from: date(r, "cert_valid_from")?,
            cert_valid_until: date(r, "cert_valid_until")?,
            specialties: specialties.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
            status: InspectorStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("无效的执法人员状态：{status}")))?,
            phone: r.try_get("phone")?,
        },
        region_code: r.try_get("region_code")?,
        unit_name: r.try_get("unit_name")?,
        version: r.try_get("version")?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_db(&r.try_get::<String, _>("updated_at")?)?,
    })
}

/// `,a,b,`: one `LIKE '%,key,%'` finds one specialty.
fn specialties_column(keys: &[String]) -> String {
    if keys.is_empty() {
        ",".into()
    } else {
        format!(",{},", keys.join(","))
    }
}

/// A certificate number or a user account is held by one inspector only.
async fn check_duplicate(
    conn: &mut AnyConnection,
    data: &InspectorData,
    except: Option<InspectorId>,
) -> StoreResult<()> {
    let except = except.map(|i| i.to_string()).unwrap_or_default();
    let taken: Option<(String,)> = sqlx::query_as("SELECT name FROM inspectors WHERE cert_no = $1 AND id <> $2")
        .bind(&data.cert_no)
        .bind(&except)
        .fetch_optional(&mut *conn)
        .await?;
    if taken.is_some() {
        return Err(StoreError::Conflict {
            code: "inspector.duplicate_cert",
            message: format!("执法证号 {} 已登记", data.cert_no),
        });
    }
    if let Some(user) = data.user_id {
        let linked: Option<(String,)> = sqlx::query_as("SELECT name FROM inspectors WHERE user_id = $1 AND id <> $2")
            .bind(user.to_string())
            .bind(&except)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some((name,)) = linked {
            return Err(StoreError::Conflict {
                code: "inspector.duplicate_user",
                message: format!("该用户账号已关联执法人员 {name}"),
            });
        }
    }
    Ok(())
}

fn duplicate(e: sqlx::Error) -> StoreError {
    StoreError::from(e).on_unique("inspector.duplicate_cert", || "执法证号或用户账号已被其他执法人员使用".into())
}

/// The unit (in the actor's scope) and, when linked, that the user is visible too.
async fn unit_and_user(store: &Store, actor: &Actor, data: &InspectorData) -> StoreResult<Unit> {
    let unit = units::get(store, actor, data.unit_id).await?;
    if let Some(user) = data.user_id {
        users::get(store, actor, user).await?;
    }
    Ok(unit)
}

pub async fn create(store: &Store, actor: &Actor, data: &InspectorData) -> StoreResult<Inspector> {
    let unit = unit_and_user(store, actor, data).await?;
    let mut tx = store.begin().await?;
    let i = insert(tx.conn(), actor, &unit, data).await?;
    tx.audit(
        actor,
        Change::of("inspector.create", &i, format!("登记执法人员 {}（{}）", i.data.name, i.unit_name), None),
    )
    .await?;
    tx.commit().await?;
    Ok(i)
}

/// The insert alone, for batching callers. `unit` must have been read in the actor's scope.
pub async fn insert(
    conn: &mut AnyConnection,
    actor: &Actor,
    unit: &Unit,
    data: &InspectorData,
) -> StoreResult<Inspector> {
    authorize_write(conn, actor, WriteTarget { region_code: &unit.region_code, entity_id: None }).await?;
    check_duplicate(conn, data, None).await?;
    let now = time::now();
    let i = Inspector {
        id: InspectorId::new(),
        data: data.clone(),
        region_code: unit.region_code.clone(),
        unit_name: unit.name.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO inspectors (id, user_id, name, unit_id, region_code, cert_no, cert_valid_from, \
         cert_valid_until, specialties, status, phone, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(i.id.to_string())
    .bind(data.user_id.map(|u| u.to_string()))
    .bind(&data.name)
    .bind(data.unit_id.to_string())
    .bind(&i.region_code)
    .bind(&data.cert_no)
    .bind(data.cert_valid_from.to_string())
    .bind(data.cert_valid_until.to_string())
    .bind(specialties_column(&data.specialties))
    .bind(data.status.key())
    .bind(&data.phone)
    .bind(i.version)
    .bind(time::to_db(now))
    .bind(time::to_db(now))
    .execute(&mut *conn)
    .await
    .map_err(duplicate)?;
    Ok(i)
}

/// Replaces an inspector's data; a move to another unit needs write access to both regions.
pub async fn update(
    store: &Store,
    actor: &Actor,
    id: InspectorId,
    expected_version: Option<i64>,
    data: &InspectorData,
) -> StoreResult<Inspector> {
    let before = get(store, actor, id).await?;
    let unit = unit_and_user(store, actor, data).await?;
    let mut tx = store.begin().await?;
    let after = replace(tx.conn(), actor, &before, &unit, expected_version, data).await?;
    tx.audit(
        actor,
        Change::of(
            "inspector.update",
            &after,
            format!("修改执法人员 {}（{}）", after.data.name, after.unit_name),
            Some(&before),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn replace(
    conn: &mut AnyConnection,
    actor: &Actor,
    before: &Inspector,
    unit: &Unit,
    expected_version: Option<i64>,
    data: &InspectorData,
) -> StoreResult<Inspector> {
    for region_code in [&before.region_code, &unit.region_code] {
        authorize_write(conn, actor, WriteTarget { region_code, entity_id: None }).await?;
    }
    check_duplicate(conn, data, Some(before.id)).await?;
    let version = expected_version.unwrap_or(before.version);
    let now = time::now();
    let done = sqlx::query(
        "UPDATE inspectors SET user_id = $1, name = $2, unit_id = $3, region_code = $4, cert_no = $5, \
         cert_valid_from = $6, cert_valid_until = $7, specialties = $8, status = $9, phone = $10, \
         version = version + 1, updated_at = $11 WHERE id = $12 AND version = $13",
    )
    .bind(data.user_id.map(|u| u.to_string()))
    .bind(&data.name)
    .bind(data.unit_id.to_string())
    .bind(&unit.region_code)
    .bind(&data.cert_no)
    .bind(data.cert_valid_from.to_string())
    .bind(data.cert_valid_until.to_string())
    .bind(specialties_column(&data.specialties))
    .bind(data.status.key())
    .bind(&data.phone)
    .bind(time::to_db(now))
    .bind(before.id.to_string())
    .bind(version)
    .execute(&mut *conn)
    .await
    .map_err(duplicate)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            code: "inspector.stale",
            message: "该执法人员信息已被他人修改，请刷新后重试".into(),
        });
    }
    Ok(Inspector {
        id: before.id,
        data: data.clone(),
        region_code: unit.region_code.clone(),
        unit_name: unit.name.clone(),
        version: version + 1,
        created_at: before.created_at,
        updated_at: now,
    })
}

impl Audited for Inspector {
    const OBJECT_TYPE: &'static str = "inspector";
    fn object_id(&self) -> String {
        self.id.to_string()
    }
    fn owning_region(&self) -> &str {
        &self.region_code
    }
}

pub async fn get(store: &Store, actor: &Actor, id: InspectorId) -> StoreResult<Inspector> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE i.id = $1 AND {}", f.sql);
    let r = f
        .bind(sqlx::query(&sql).bind(id.to_string()))
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&r)
}

/// The inspector linked to this user account, if the actor may see it.
pub async fn of_user(store: &Store, actor: &Actor, user_id: UserId) -> StoreResult<Option<Inspector>> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE i.user_id = $1 AND {}", f.sql);
    let r = f.bind(sqlx::query(&sql).bind(user_id.to_string())).fetch_optional(store.reader()).await?;
    r.as_ref().map(from_row).transpose()
}

/// The inspector with this 执法证号, if the actor may see it (imports' natural key).
pub async fn find_by_cert_no(conn: &mut AnyConnection, actor: &Actor, cert_no: &str) -> StoreResult<Option<Inspector>> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE i.cert_no = $1 AND {}", f.sql);
    let r = f.bind(sqlx::query(&sql).bind(cert_no)).fetch_optional(&mut *conn).await?;
    r.as_ref().map(from_row).transpose()
}

#[derive(Clone, Debug, Default)]
pub struct Query {
    /// Words matched against name and certificate number.
    pub q: Option<String>,
    pub unit_id: Option<UnitId>,
    pub specialty: Option<String>,
    pub status: Option<InspectorStatus>,
    pub after: Option<Cursor>,
    pub limit: Option<usize>,
}

fn filters(c: &mut Conditions, actor: &Actor, unit_id: Option<UnitId>, specialty: Option<&str>) {
    c.push_filter(read_filter(actor, OWNER, c.next()));
    if let Some(u) = unit_id {
        c.push("i.unit_id = ?", [u.to_string()]);
    }
    if let Some(s) = specialty {
        c.push("i.specialties LIKE ? ESCAPE '\\'", [page::contains_pattern(&format!(",{s},"))]);
    }
}

/// Inspectors by name, then id; keyset pages.
pub async fn list(store: &Store, actor: &Actor, query: &Query) -> StoreResult<Page<Inspector>> {
    let mut c = Conditions::default();
    filters(&mut c, actor, query.unit_id, query.specialty.as_deref());
    for word in page::search_words(query.q.as_deref()) {
        let p = page::contains_pattern(&word);
        c.push("(LOWER(i.name) LIKE ? ESCAPE '\\' OR LOWER(i.cert_no) LIKE ? ESCAPE '\\')", [p.clone(), p]);
    }
    if let Some(s) = query.status {
        c.push("i.status = ?", [s.key().to_string()]);
    }
    if let Some(after) = &query.after {
        c.push_after("i.name", "i.id", after);
    }
    let limit = page::clamp_limit(query.limit);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {} ORDER BY i.name, i.id LIMIT {}", c.sql(), limit + 1);
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(page::from_rows(items, limit, |i| Cursor { key: i.data.name.clone(), id: i.id.to_string() }))
}

/// Everyone in the actor's scope who may be assigned to enforce on `day`,
/// optionally of one unit and one specialty, by name. The SQL only narrows
/// the candidates; `may_enforce_on` decides.
pub async fn eligible_on(
    store: &Store,
    actor: &Actor,
    day: NaiveDate,
    unit_id: Option<UnitId>,
    specialty: Option<&str>,
) -> StoreResult<Vec<Inspector>> {
    let mut c = Conditions::default();
    filters(&mut c, actor, unit_id, specialty);
    c.push("i.status = ?", [InspectorStatus::Active.key().to_string()]);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {} ORDER BY i.name, i.id", c.sql());
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let all = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(all.into_iter().filter(|i| i.may_enforce_on(day)).collect())
}

/// Active inspectors whose certificate runs out within the warning period
/// from `day`, soonest first.
pub async fn expiring_certificates(store: &Store, actor: &Actor, day: NaiveDate) -> StoreResult<Vec<Inspector>> {
    let mut c = Conditions::default();
    filters(&mut c, actor, None, None);
    c.push("i.status = ?", [InspectorStatus::Active.key().to_string()]);
    // The last day `certificate_expiring` still flags.
    let horizon = day + chrono::Days::new(CERTIFICATE_WARNING_DAYS as u64 - 1);
    c.push("i.cert_valid_until >= ? AND i.cert_valid_until <= ?", [day.to_string(), horizon.to_string()]);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {} ORDER BY i.cert_valid_until, i.name, i.id", c.sql());
    let rows = c.bind(sqlx::query(&sql)).fetch_all(store.reader()).await?;
    let all = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(all.into_iter().filter(|i| i.certificate_expiring(day)).collect())
}
