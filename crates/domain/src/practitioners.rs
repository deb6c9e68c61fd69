//! Practitioners (医务人员): parsing what users send, permission checks, and
//! the masking of 身份证号.
//!
//! Masking: every read here hands out the number masked
//! (`weijian_rules::ids::mask_citizen_id`, the one masking function, also for
//! exports). The full number comes only from [`reveal_id_number`], which needs
//! `Permission::RevealIdNumbers` and writes an audit event for each look.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult};
use crate::input::{self, Fields, Problem};
use chrono::NaiveDate;
use serde::Deserialize;
use weijian_rules::ids::CitizenId;
use weijian_rules::registry::{PractitionerKind, PractitionerStatus};
use weijian_store::ids::{EntityId, PracticeSiteId, PractitionerId};
use weijian_store::page::Page;
use weijian_store::practitioners::{self, EntityStaff, PracticeSite, Practitioner, PractitionerData, Query};
use weijian_store::{Actor, Store};

pub use weijian_rules::ids::mask_citizen_id;

/// A practitioner as sent by a form, the API or an import row.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PractitionerInput {
    pub name: String,
    pub id_number: String,
    /// physician, nurse, technician, or 医师, 护士, 医技人员.
    pub kind: String,
    pub qualification_no: Option<String>,
    pub practice_cert_no: Option<String>,
    pub practice_category: Option<String>,
    pub practice_scope: Option<String>,
    /// The primary institution (an entity id).
    pub entity_id: String,
    /// practising (default), suspended, revoked, cancelled, or their labels.
    pub status: Option<String>,
    pub registered_on: Option<String>,
    pub cert_valid_until: Option<String>,
}

impl PractitionerInput {
    /// Every problem at once; `today` bounds the birth date in the 身份证号.
    pub fn parse(&self, today: NaiveDate) -> Result<PractitionerData, Vec<Problem>> {
        let mut f = Fields::default();
        let name = f.required("name", "姓名", &self.name, 50);
        let id_number = if self.id_number.trim().is_empty() {
            f.problem("field.required", "id_number", "", "身份证号不能为空");
            String::new()
        } else {
            match CitizenId::parse(&self.id_number, today) {
                Ok(id) => id.as_str().to_string(),
                Err(e) => {
                    // The rejected value is not echoed back in full either.
                    f.problem(e.code, "id_number", &mask_citizen_id(&self.id_number), format!("身份证号无效：{e}"));
                    String::new()
                }
            }
        };
        let kind = match PractitionerKind::parse_key_or_label(&self.kind) {
            Some(k) => Some(k),
            None => {
                f.problem(
                    "field.invalid_choice",
                    "kind",
                    &self.kind,
                    format!("人员类别“{}”无效，应为医师、护士或医技人员", self.kind.trim()),
                );
                None
            }
        };
        let entity_id = match self.entity_id.trim() {
            "" => {
                f.problem("field.required", "entity_id", "", "第一执业机构不能为空");
                None
            }
            s => match s.parse::<EntityId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    f.problem("field.invalid_id", "entity_id", s, "第一执业机构的标识格式无效");
                    None
                }
            },
        };
        let status = match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => PractitionerStatus::Practising,
            Some(s) => PractitionerStatus::parse_key_or_label(s).unwrap_or_else(|| {
                f.problem(
                    "field.invalid_choice",
                    "status",
                    s,
                    format!("执业状态“{s}”无效，应为执业、暂停执业、吊销或注销"),
                );
                PractitionerStatus::Practising
            }),
        };
        let registered_on = f.date("registered_on", "注册日期", self.registered_on.as_deref());
        let cert_valid_until = f.date("cert_valid_until", "注册有效期至", self.cert_valid_until.as_deref());
        if let (Some(from), Some(until)) = (registered_on, cert_valid_until) {
            if until < from {
                f.problem(
                    "practitioner.ends_before_start",
                    "cert_valid_until",
                    &until.to_string(),
                    format!("注册有效期至（{until}）早于注册日期（{from}）"),
                );
            }
        }
        if registered_on.is_some_and(|d| d > today) {
            f.problem("practitioner.registered_in_future", "registered_on", "", "注册日期晚于今天");
        }
        let data = PractitionerData {
            name,
            id_number,
            kind: kind.unwrap_or(PractitionerKind::Physician),
            qualification_no: f.optional("qualification_no", "资格证书编号", self.qualification_no.as_deref(), 60),
            practice_cert_no: f
                .optional("practice_cert_no", "执业证书编号", self.practice_cert_no.as_deref(), 60)
                .map(|s| s.to_uppercase()),
            practice_category: f.optional("practice_category", "执业类别", self.practice_category.as_deref(), 50),
            practice_scope: f.optional("practice_scope", "执业范围", self.practice_scope.as_deref(), 200),
            entity_id: entity_id.unwrap_or_default(),
            status,
            registered_on,
            cert_valid_until,
        };
        f.finish(data)
    }
}

/// The institution a write names must be one the actor may see; one that is
/// not (or does not exist) is refused as outside the jurisdiction, the same
/// answer either way.
async fn institution_in_scope(store: &Store, actor: &Actor, entity_id: EntityId) -> DomainResult<()> {
    match weijian_store::entities::get(store, actor, entity_id).await {
        Ok(_) => Ok(()),
        Err(weijian_store::StoreError::NotFound) => Err(DomainError::new(
            crate::ErrorKind::Forbidden,
            "jurisdiction.forbidden",
            "该机构不存在或不在您的辖区内，不能在此登记",
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn create(store: &Store, actor: &Actor, input: &PractitionerInput) -> DomainResult<Practitioner> {
    require(actor, Permission::ManageRegistry)?;
    let data = input.parse(input::today()).map_err(input::first)?;
    institution_in_scope(store, actor, data.entity_id).await?;
    Ok(practitioners::create(store, actor, &data).await?.masked())
}

pub async fn update(
    store: &Store,
    actor: &Actor,
    id: PractitionerId,
    expected_version: Option<i64>,
    input: &PractitionerInput,
) -> DomainResult<Practitioner> {
    require(actor, Permission::ManageRegistry)?;
    let data = input.parse(input::today()).map_err(input::first)?;
    practitioners::get(store, actor, id).await?;
    institution_in_scope(store, actor, data.entity_id).await?;
    Ok(practitioners::update(store, actor, id, expected_version, &data).await?.masked())
}

/// The practitioner with the 身份证号 masked.
pub async fn get(store: &Store, actor: &Actor, id: PractitionerId) -> DomainResult<Practitioner> {
    require(actor, Permission::ViewRegistry)?;
    Ok(practitioners::get(store, actor, id).await?.masked())
}

/// The full 身份证号: a deliberate act of a permitted role, audit-logged.
pub async fn reveal_id_number(store: &Store, actor: &Actor, id: PractitionerId) -> DomainResult<String> {
    require(actor, Permission::RevealIdNumbers)?;
    Ok(practitioners::reveal_id_number(store, actor, id).await?)
}

/// Validates list filters that come as text; the id-number filter is exact.
pub async fn list(store: &Store, actor: &Actor, query: &Query) -> DomainResult<Page<Practitioner>> {
    require(actor, Permission::ViewRegistry)?;
    if query.q.as_deref().is_some_and(|q| q.chars().count() > 50) {
        return Err(DomainError::invalid("search.too_long", "q", "搜索词不能超过50个字"));
    }
    let mut query = query.clone();
    if let Some(n) = query.id_number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        match CitizenId::parse(n, input::today()) {
            Ok(id) => query.id_number = Some(id.as_str().to_string()),
            Err(e) => return Err(DomainError::invalid(e.code, "id_number", format!("身份证号无效：{e}"))),
        }
    } else {
        query.id_number = None;
    }
    Ok(practitioners::list(store, actor, &query).await?.map(Practitioner::masked))
}

/// Who practises at an entity (primary and further sites), masked.
pub async fn of_entity(store: &Store, actor: &Actor, entity_id: EntityId) -> DomainResult<EntityStaff> {
    require(actor, Permission::ViewRegistry)?;
    let staff = practitioners::of_entity(store, actor, entity_id).await?;
    Ok(EntityStaff {
        primary: staff.primary.into_iter().map(Practitioner::masked).collect(),
        sites: staff.sites.into_iter().map(|(s, p)| (s, p.masked())).collect(),
    })
}

pub async fn sites(store: &Store, actor: &Actor, id: PractitionerId) -> DomainResult<Vec<PracticeSite>> {
    require(actor, Permission::ViewRegistry)?;
    Ok(practitioners::sites_of(store, actor, id).await?)
}

/// A practice site filing as sent.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PracticeSiteInput {
    pub entity_id: String,
    /// Empty: today.
    pub filed_on: Option<String>,
}

impl PracticeSiteInput {
    pub fn parse(&self, today: NaiveDate) -> Result<(EntityId, NaiveDate), Vec<Problem>> {
        let mut f = Fields::default();
        let entity_id = match self.entity_id.trim().parse::<EntityId>() {
            Ok(id) => id,
            Err(_) => {
                f.problem("field.invalid_id", "entity_id", self.entity_id.trim(), "执业机构的标识格式无效");
                EntityId::default()
            }
        };
        let filed_on = f.date("filed_on", "备案日期", self.filed_on.as_deref()).unwrap_or(today);
        f.finish((entity_id, filed_on))
    }
}

pub async fn add_practice_site(
    store: &Store,
    actor: &Actor,
    id: PractitionerId,
    input: &PracticeSiteInput,
) -> DomainResult<PracticeSite> {
    require(actor, Permission::ManageRegistry)?;
    let (entity_id, filed_on) = input.parse(input::today()).map_err(input::first)?;
    practitioners::get(store, actor, id).await?;
    institution_in_scope(store, actor, entity_id).await?;
    Ok(practitioners::add_practice_site(store, actor, id, entity_id, filed_on).await?)
}

pub async fn end_practice_site(
    store: &Store,
    actor: &Actor,
    id: PractitionerId,
    site_id: PracticeSiteId,
    ended_on: Option<&str>,
) -> DomainResult<PracticeSite> {
    require(actor, Permission::ManageRegistry)?;
    let mut f = Fields::default();
    let ended_on = f.date("ended_on", "终止日期", ended_on).unwrap_or_else(input::today);
    f.finish(()).map_err(input::first)?;
    Ok(practitioners::end_practice_site(store, actor, id, site_id, ended_on).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PractitionerInput {
        PractitionerInput {
            name: "测试医师".into(),
            id_number: "11010519491231002x".into(),
            kind: "医师".into(),
            entity_id: EntityId::new().to_string(),
            practice_cert_no: Some("abc123".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_record_parses_and_normalises() {
        let d = input().parse(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).unwrap();
        assert_eq!(d.id_number, "11010519491231002X");
        assert_eq!(d.kind, PractitionerKind::Physician);
        assert_eq!(d.practice_cert_no.as_deref(), Some("ABC123"));
        assert_eq!(d.status, PractitionerStatus::Practising);
    }

    #[test]
    fn every_problem_is_named_and_the_bad_number_is_not_echoed() {
        let bad = PractitionerInput {
            name: " ".into(),
            id_number: "110105194912310021".into(),
            kind: "dentist".into(),
            entity_id: "nope".into(),
            registered_on: Some("2026-05-01".into()),
            cert_valid_until: Some("2025-05-01".into()),
            ..Default::default()
        };
        let p = bad.parse(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()).unwrap_err();
        let fields: Vec<_> = p.iter().map(|p| (p.field, p.code)).collect();
        assert_eq!(
            fields,
            [
                ("name", "field.required"),
                ("id_number", "citizen_id.check"),
                ("kind", "field.invalid_choice"),
                ("entity_id", "field.invalid_id"),
                ("cert_valid_until", "practitioner.ends_before_start"),
            ]
        );
        assert_eq!(p[1].value, "1101**********0021");
    }

    #[test]
    fn masking_keeps_four_and_four() {
        assert_eq!(mask_citizen_id("11010519491231002X"), "1101**********002X");
        assert_eq!(mask_citizen_id("1101**********002X"), "1101**********002X");
        assert_eq!(mask_citizen_id("123"), "***");
    }
}
