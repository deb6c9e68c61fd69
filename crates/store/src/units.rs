//! Units (卫生健康局, 卫生监督所, 疾控中心 ...) and their sections (股室/科室).

use crate::audit::Change;
use crate::ids::{parse_db, SectionId, UnitId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::{time, Actor, Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Bureau,
    SupervisionInstitute,
    Cdc,
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 4] = [UnitKind::Bureau, UnitKind::SupervisionInstitute, UnitKind::Cdc, UnitKind::Other];

    pub fn key(self) -> &'static str {
        match self {
            UnitKind::Bureau => "bureau",
            UnitKind::SupervisionInstitute => "supervision_institute",
            UnitKind::Cdc => "cdc",
            UnitKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UnitKind::Bureau => "卫生健康行政部门",
            UnitKind::SupervisionInstitute => "卫生监督机构",
            UnitKind::Cdc => "疾病预防控制机构",
            UnitKind::Other => "其他",
        }
    }

    pub fn parse(key: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Unit {
    pub id: UnitId,
    pub region_code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_unit_id: Option<UnitId>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Section {
    pub id: SectionId,
    pub unit_id: UnitId,
    pub region_code: String,
    pub name: String,
    pub duty: Option<String>,
}

pub struct NewUnit<'a> {
    pub region_code: &'a str,
    pub name: &'a str,
    pub kind: UnitKind,
    pub parent_unit_id: Option<UnitId>,
    pub phone: Option<&'a str>,
    pub address: Option<&'a str>,
}

const OWNER: Owner = Owner { region: "region_code", entity: None };
const COLUMNS: &str = "id, region_code, name, kind, parent_unit_id, phone, address, created_at, updated_at";

fn unit_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Unit> {
    let kind: String = r.try_get("kind")?;
    Ok(Unit {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        region_code: r.try_get("region_code")?,
        name: r.try_get("name")?,
        kind: UnitKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("未知的单位类型：{kind}")))?,
        parent_unit_id: r.try_get::<Option<String>, _>("parent_unit_id")?.map(|s| parse_db(&s)).transpose()?,
        phone: r.try_get("phone")?,
        address: r.try_get("address")?,
        created_at: time::from_db(&r.try_get::<String, _>("created_at")?)?,
        updated_at: time::from_db(&r.try_get::<String, _>("updated_at")?)?,
    })
}

pub async fn create(store: &Store, actor: &Actor, new: NewUnit<'_>) -> StoreResult<Unit> {
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: new.region_code, entity_id: None }).await?;
    let now = time::now();
    let unit = Unit {
        id: UnitId::new(),
        region_code: new.region_code.to_string(),
        name: new.name.to_string(),
        kind: new.kind,
        parent_unit_id: new.parent_unit_id,
        phone: new.phone.map(str::to_string),
        address: new.address.map(str::to_string),
        created_at: now,
        updated_at: now,
    };
    sqlx::query(&format!("INSERT INTO units ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"))
        .bind(unit.id.to_string())
        .bind(&unit.region_code)
        .bind(&unit.name)
        .bind(unit.kind.key())
        .bind(unit.parent_unit_id.map(|u| u.to_string()))
        .bind(&unit.phone)
        .bind(&unit.address)
        .bind(time::to_db(now))
        .bind(time::to_db(now))
        .execute(&mut *tx.conn())
        .await
        .map_err(|e| {
            StoreError::from(e).on_unique("unit.duplicate", || format!("本地区已有名为“{}”的单位", unit.name))
        })?;
    tx.audit(
        actor,
        Change {
            action: "unit.create",
            object_type: "unit",
            object_id: unit.id.to_string(),
            region_code: Some(unit.region_code.clone()),
            summary: format!("新增单位 {}", unit.name),
            before: None,
            after: Some(json!(unit)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(unit)
}

pub async fn get(store: &Store, actor: &Actor, id: UnitId) -> StoreResult<Unit> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!("SELECT {COLUMNS} FROM units WHERE id = $1 AND {}", f.sql);
    let q = f.bind(sqlx::query(&sql).bind(id.to_string()));
    let r = q.fetch_optional(store.reader()).await?.ok_or(StoreError::NotFound)?;
    unit_from_row(&r)
}

pub async fn list(store: &Store, actor: &Actor) -> StoreResult<Vec<Unit>> {
    let f = read_filter(actor, OWNER, 1);
    let sql = format!("SELECT {COLUMNS} FROM units WHERE {} ORDER BY region_code, name", f.sql);
    let q = f.bind(sqlx::query(&sql));
    q.fetch_all(store.reader()).await?.iter().map(unit_from_row).collect()
}

pub async fn create_section(
    store: &Store,
    actor: &Actor,
    unit_id: UnitId,
    name: &str,
    duty: Option<&str>,
) -> StoreResult<Section> {
    let unit = get(store, actor, unit_id).await?;
    let mut tx = store.begin().await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &unit.region_code, entity_id: None }).await?;
    let now = time::to_db(time::now());
    let section = Section {
        id: SectionId::new(),
        unit_id,
        region_code: unit.region_code.clone(),
        name: name.to_string(),
        duty: duty.map(str::to_string),
    };
    sqlx::query(
        "INSERT INTO sections (id, unit_id, region_code, name, duty, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(section.id.to_string())
    .bind(unit_id.to_string())
    .bind(&section.region_code)
    .bind(&section.name)
    .bind(&section.duty)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx.conn())
    .await
    .map_err(|e| StoreError::from(e).on_unique("section.duplicate", || format!("{}已有名为“{name}”的股室", unit.name)))?;
    tx.audit(
        actor,
        Change {
            action: "section.create",
            object_type: "section",
            object_id: section.id.to_string(),
            region_code: Some(section.region_code.clone()),
            summary: format!("{}新增股室 {}", unit.name, section.name),
            before: None,
            after: Some(json!(section)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(section)
}

pub async fn sections_of(store: &Store, actor: &Actor, unit_id: UnitId) -> StoreResult<Vec<Section>> {
    let f = read_filter(actor, OWNER, 2);
    let sql = format!(
        "SELECT id, unit_id, region_code, name, duty FROM sections WHERE unit_id = $1 AND {} ORDER BY name",
        f.sql
    );
    let q = f.bind(sqlx::query(&sql).bind(unit_id.to_string()));
    let rows = q.fetch_all(store.reader()).await?;
    rows.iter()
        .map(|r| {
            Ok(Section {
                id: parse_db(&r.try_get::<String, _>("id")?)?,
                unit_id: parse_db(&r.try_get::<String, _>("unit_id")?)?,
                region_code: r.try_get("region_code")?,
                name: r.try_get("name")?,
                duty: r.try_get("duty")?,
            })
        })
        .collect()
}
