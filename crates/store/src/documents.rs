//! Document numbers (文号): issuing units' codes and gapless numbering per
//! issuing unit, kind and year.
//!
//! A number is taken inside the caller's transaction, next to the document it
//! numbers: a rolled-back document gives its number back, so the issued numbers
//! of a series are always 1..=n. The series row is the counter; a unique index
//! on the issued numbers is the last line of defence.

use crate::audit::Change;
use crate::ids::{parse_db, DocumentNumberId, UnitId};
use crate::jurisdiction::{authorize_write, read_filter, Owner, WriteTarget};
use crate::{time, Actor, Store, StoreError, StoreResult, WriteTx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::{AnyConnection, Row};
use weijian_rules::documents::{DocNumber, DocumentKind, IssuerCode};

/// A unit's code in document numbers (机关代字).
#[derive(Clone, Debug, Serialize)]
pub struct Issuer {
    pub unit_id: UnitId,
    pub unit_name: String,
    pub region_code: String,
    pub code: IssuerCode,
}

/// What the caller numbers: one document of one kind, for one year.
pub struct NumberRequest<'a> {
    /// The unit issuing the document; without a code of its own, its nearest parent with one issues it.
    pub unit_id: UnitId,
    pub kind: DocumentKind,
    /// The year of the document's date (Asia/Shanghai).
    pub year: i32,
    /// The document the number goes on, e.g. ("inspection", id).
    pub object_type: &'a str,
    pub object_id: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct IssuedNumber {
    pub id: DocumentNumberId,
    /// The unit whose series it is.
    pub unit_id: UnitId,
    pub region_code: String,
    pub doc_number: DocNumber,
    pub object_type: String,
    pub object_id: String,
    pub issued_at: DateTime<Utc>,
}

const OWNER: Owner = Owner { region: "region_code", entity: None };

/// Sets (or replaces) a unit's code.
pub async fn set_issuer_code(store: &Store, actor: &Actor, unit_id: UnitId, code: &IssuerCode) -> StoreResult<Issuer> {
    let mut tx = store.begin().await?;
    let (name, region_code, _) = unit_row(tx.conn(), unit_id).await?.ok_or(StoreError::NotFound)?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &region_code, entity_id: None }).await?;
    let before: Option<(String,)> = sqlx::query_as("SELECT code FROM document_issuers WHERE unit_id = $1")
        .bind(unit_id.to_string())
        .fetch_optional(&mut *tx.conn())
        .await?;
    sqlx::query(
        "INSERT INTO document_issuers (unit_id, region_code, code, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (unit_id) DO UPDATE SET code = excluded.code, updated_at = excluded.updated_at",
    )
    .bind(unit_id.to_string())
    .bind(&region_code)
    .bind(code.as_str())
    .bind(time::to_db(time::now()))
    .execute(&mut *tx.conn())
    .await?;
    let issuer = Issuer { unit_id, unit_name: name, region_code, code: code.clone() };
    tx.audit(
        actor,
        Change {
            action: "document_issuer.set",
            object_type: "unit",
            object_id: unit_id.to_string(),
            region_code: Some(issuer.region_code.clone()),
            summary: format!("{}的发文机关代字设为“{}”", issuer.unit_name, code.as_str()),
            before: before.map(|b| json!({ "code": b.0 })),
            after: Some(json!(issuer)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(issuer)
}

/// (name, region_code, parent) of a unit.
async fn unit_row(conn: &mut AnyConnection, id: UnitId) -> StoreResult<Option<(String, String, Option<String>)>> {
    Ok(sqlx::query_as("SELECT name, region_code, parent_unit_id FROM units WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?)
}

/// The unit that issues in `unit_id`'s name: itself when it has a code, else its nearest parent with one.
async fn resolve_issuer(conn: &mut AnyConnection, unit_id: UnitId) -> StoreResult<Issuer> {
    let (first_name, _, _) = unit_row(conn, unit_id).await?.ok_or(StoreError::NotFound)?;
    let mut current = Some(unit_id);
    // Unit trees are shallow; the bound guards against a cycle in bad data.
    for _ in 0..16 {
        let Some(id) = current else { break };
        let Some((name, region_code, parent)) = unit_row(conn, id).await? else { break };
        let code: Option<(String,)> = sqlx::query_as("SELECT code FROM document_issuers WHERE unit_id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        if let Some((code,)) = code {
            let code = IssuerCode::parse(&code).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            return Ok(Issuer { unit_id: id, unit_name: name, region_code, code });
        }
        current = parent.map(|p| parse_db(&p)).transpose()?;
    }
    Err(StoreError::Conflict {
        code: "document.issuer_code_missing",
        message: format!(
            "“{first_name}”及其上级单位都未设置发文机关代字，无法编制文号：请先在单位设置中填写（如“枣卫”）"
        ),
    })
}

/// The issuer that numbers `unit_id`'s documents, for display before issuing.
pub async fn issuer_for(store: &Store, actor: &Actor, unit_id: UnitId) -> StoreResult<Issuer> {
    let f = read_filter(actor, OWNER, 2);
    let visible = format!("SELECT 1 FROM units WHERE id = $1 AND {}", f.sql);
    f.bind(sqlx::query(&visible).bind(unit_id.to_string()))
        .fetch_optional(store.reader())
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut conn = store.reader().acquire().await?;
    resolve_issuer(&mut conn, unit_id).await
}

/// Takes the next number of the series inside the caller's transaction and
/// records which document carries it, with its audit event.
pub async fn allocate(tx: &mut WriteTx, actor: &Actor, req: NumberRequest<'_>) -> StoreResult<IssuedNumber> {
    // Take the audit chain's lock first, as every audited write ends by doing:
    // a caller that already audited holds it, so the series lock below is
    // always taken second and two numbering transactions cannot deadlock.
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(&mut *tx.conn()).await?;
    let issuer = resolve_issuer(tx.conn(), req.unit_id).await?;
    authorize_write(tx.conn(), actor, WriteTarget { region_code: &issuer.region_code, entity_id: None }).await?;
    let row = sqlx::query(
        "INSERT INTO document_number_series (unit_id, kind, year, region_code, last_number) VALUES ($1, $2, $3, $4, 1) \
         ON CONFLICT (unit_id, kind, year) DO UPDATE SET last_number = document_number_series.last_number + 1 \
         RETURNING last_number",
    )
    .bind(issuer.unit_id.to_string())
    .bind(req.kind.key())
    .bind(i64::from(req.year))
    .bind(&issuer.region_code)
    .fetch_one(&mut *tx.conn())
    .await?;
    let number: i64 = row.try_get("last_number")?;
    let number = u32::try_from(number).map_err(|_| StoreError::Corrupt(format!("文号序号越界：{number}")))?;
    let issued = IssuedNumber {
        id: DocumentNumberId::new(),
        unit_id: issuer.unit_id,
        region_code: issuer.region_code.clone(),
        doc_number: DocNumber { issuer: issuer.code.clone(), kind: req.kind, year: req.year, number },
        object_type: req.object_type.to_string(),
        object_id: req.object_id,
        issued_at: time::now(),
    };
    sqlx::query(
        "INSERT INTO document_numbers (id, unit_id, region_code, kind, year, number, doc_number, object_type, \
         object_id, issued_at, issued_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(issued.id.to_string())
    .bind(issued.unit_id.to_string())
    .bind(&issued.region_code)
    .bind(req.kind.key())
    .bind(i64::from(req.year))
    .bind(i64::from(number))
    .bind(issued.doc_number.to_string())
    .bind(&issued.object_type)
    .bind(&issued.object_id)
    .bind(time::to_db(issued.issued_at))
    .bind(actor.user_id().map(|u| u.to_string()))
    .execute(&mut *tx.conn())
    .await
    .map_err(|e| {
        StoreError::from(e)
            .on_unique("document.already_numbered", || format!("该{}已有文号，不能重复编号", req.kind.name()))
    })?;
    tx.audit(
        actor,
        Change {
            action: "document_number.issue",
            object_type: "document_number",
            object_id: issued.id.to_string(),
            region_code: Some(issued.region_code.clone()),
            summary: format!("{}编号 {}", req.kind.name(), issued.doc_number),
            before: None,
            after: Some(json!(issued)),
        },
    )
    .await?;
    Ok(issued)
}

/// The numbers issued in one series, in order.
pub async fn issued(
    store: &Store,
    actor: &Actor,
    unit_id: UnitId,
    kind: DocumentKind,
    year: i32,
) -> StoreResult<Vec<IssuedNumber>> {
    let f = read_filter(actor, OWNER, 4);
    let sql = format!(
        "SELECT id, unit_id, region_code, number, doc_number, object_type, object_id, issued_at \
         FROM document_numbers WHERE unit_id = $1 AND kind = $2 AND year = $3 AND {} ORDER BY number",
        f.sql
    );
    let q = f.bind(sqlx::query(&sql).bind(unit_id.to_string()).bind(kind.key()).bind(i64::from(year)));
    let rows = q.fetch_all(store.reader()).await?;
    rows.iter().map(|r| issued_from_row(r, kind, year)).collect()
}

fn issued_from_row(r: &sqlx::any::AnyRow, kind: DocumentKind, year: i32) -> StoreResult<IssuedNumber> {
    let number: i64 = r.try_get("number")?;
    let number = u32::try_from(number).map_err(|_| StoreError::Corrupt(format!("文号序号越界：{number}")))?;
    // The code as printed then (a unit's code may change later).
    let printed: String = r.try_get("doc_number")?;
    let code = printed
        .strip_suffix(&format!("{}〔{year}〕{number}号", kind.word()))
        .and_then(|c| IssuerCode::parse(c).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("无法解析的文号：{printed}")))?;
    Ok(IssuedNumber {
        id: parse_db(&r.try_get::<String, _>("id")?)?,
        unit_id: parse_db(&r.try_get::<String, _>("unit_id")?)?,
        region_code: r.try_get("region_code")?,
        doc_number: DocNumber { issuer: code, kind, year, number },
        object_type: r.try_get("object_type")?,
        object_id: r.try_get("object_id")?,
        issued_at: time::from_db(&r.try_get::<String, _>("issued_at")?)?,
    })
}

/// The number a document of `kind` for this object already has, if any.
/// Read without a jurisdiction filter: the caller has checked the object.
pub async fn number_for(
    store: &Store,
    kind: DocumentKind,
    object_type: &str,
    object_id: &str,
) -> StoreResult<Option<IssuedNumber>> {
    let r = sqlx::query(
        "SELECT id, unit_id, region_code, number, doc_number, object_type, object_id, issued_at, year          FROM document_numbers WHERE kind = $1 AND object_type = $2 AND object_id = $3",
    )
    .bind(kind.key())
    .bind(object_type)
    .bind(object_id)
    .fetch_optional(store.reader())
    .await?;
    match r {
        None => Ok(None),
        Some(r) => {
            let year: i64 = r.try_get("year")?;
            let year = i32::try_from(year).map_err(|_| StoreError::Corrupt(format!("文号年份越界：{year}")))?;
            issued_from_row(&r, kind, year).map(Some)
        }
    }
}
