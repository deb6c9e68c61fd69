//! Inspectors (执法人员名录库): parsing, permissions, and the certificate
//! state shown next to each inspector. Assignment eligibility is the rules
//! crate's `may_enforce_on`, applied by `weijian_store::inspectors::eligible_on`.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult};
use crate::input::{self, Fields, Problem};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use weijian_rules::ids::Phone;
use weijian_rules::registry::{InspectorStatus, Registry};
use weijian_store::ids::{InspectorId, UnitId, UserId};
use weijian_store::inspectors::{self, Inspector, InspectorData, Query};
use weijian_store::page::Page;
use weijian_store::{Actor, Store};

/// An inspector as sent by a form, the API or an import row.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct InspectorInput {
    pub name: String,
    pub unit_id: String,
    /// The linked user account, if any.
    pub user_id: Option<String>,
    pub cert_no: String,
    pub cert_valid_from: String,
    pub cert_valid_until: String,
    /// Specialty keys or labels.
    #[serde(default)]
    pub specialties: Vec<String>,
    /// active (default), suspended, retired, or their labels.
    pub status: Option<String>,
    pub phone: Option<String>,
}

fn id_field<T: std::str::FromStr>(f: &mut Fields, field: &'static str, label: &str, v: &str) -> Option<T> {
    match v.trim().parse() {
        Ok(id) => Some(id),
        Err(_) => {
            f.problem("field.invalid_id", field, v.trim(), format!("{label}的标识格式无效"));
            None
        }
    }
}

/// A specialty key from its key or label.
pub fn specialty_key(s: &str) -> Option<String> {
    Registry::official().specialty_by_key_or_label(s.trim()).map(|k| k.key.clone())
}

impl InspectorInput {
    pub fn parse(&self) -> Result<InspectorData, Vec<Problem>> {
        let mut f = Fields::default();
        let name = f.required("name", "姓名", &self.name, 50);
        let unit_id: Option<UnitId> = if self.unit_id.trim().is_empty() {
            f.problem("field.required", "unit_id", "", "所属单位不能为空");
            None
        } else {
            id_field(&mut f, "unit_id", "所属单位", &self.unit_id)
        };
        let user_id: Option<UserId> = match self.user_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => id_field(&mut f, "user_id", "关联用户", s),
            None => None,
        };
        let cert_no = f.required("cert_no", "执法证号", &self.cert_no, 40).to_uppercase();
        let from = f.date("cert_valid_from", "执法证有效期起", Some(&self.cert_valid_from));
        if self.cert_valid_from.trim().is_empty() {
            f.problem("field.required", "cert_valid_from", "", "执法证有效期起不能为空");
        }
        let until = f.date("cert_valid_until", "执法证有效期至", Some(&self.cert_valid_until));
        if self.cert_valid_until.trim().is_empty() {
            f.problem("field.required", "cert_valid_until", "", "执法证有效期至不能为空");
        }
        if let (Some(a), Some(b)) = (from, until) {
            if b < a {
                f.problem(
                    "inspector.ends_before_start",
                    "cert_valid_until",
                    &b.to_string(),
                    format!("执法证有效期至（{b}）早于有效期起（{a}）"),
                );
            }
        }
        let mut specialties = Vec::new();
        for s in self.specialties.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            match specialty_key(s) {
                Some(k) if !specialties.contains(&k) => specialties.push(k),
                Some(_) => {}
                None => f.problem(
                    "inspector.unknown_specialty",
                    "specialties",
                    s,
                    format!(
                        "未知的执法专业“{s}”，应为：{}",
                        Registry::official()
                            .specialties
                            .iter()
                            .map(|k| k.label.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                ),
            }
        }
        let status = match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => InspectorStatus::Active,
            Some(s) => InspectorStatus::parse_key_or_label(s).unwrap_or_else(|| {
                f.problem("field.invalid_choice", "status", s, format!("状态“{s}”无效，应为在岗、暂停执法或离岗退休"));
                InspectorStatus::Active
            }),
        };
        let phone = match self.phone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(raw) => match Phone::parse(raw) {
                Ok(_) => Some(raw.to_string()),
                Err(e) => {
                    f.problem("inspector.invalid_phone", "phone", raw, format!("联系电话无效：{e}"));
                    None
                }
            },
            None => None,
        };
        let data = InspectorData {
            user_id,
            name,
            unit_id: unit_id.unwrap_or_default(),
            cert_no,
            cert_valid_from: from.unwrap_or_default(),
            cert_valid_until: until.unwrap_or_default(),
            specialties,
            status,
            phone,
        };
        f.finish(data)
    }
}

/// The 执法证 as seen on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateState {
    NotYetValid,
    Valid,
    /// Valid, running out within the warning period.
    Expiring,
    Expired,
}

impl CertificateState {
    pub fn of(i: &Inspector, day: NaiveDate) -> CertificateState {
        if day < i.data.cert_valid_from {
            CertificateState::NotYetValid
        } else if i.certificate_expired(day) {
            CertificateState::Expired
        } else if i.certificate_expiring(day) {
            CertificateState::Expiring
        } else {
            CertificateState::Valid
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            CertificateState::NotYetValid => "not_yet_valid",
            CertificateState::Valid => "valid",
            CertificateState::Expiring => "expiring",
            CertificateState::Expired => "expired",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CertificateState::NotYetValid => "尚未生效",
            CertificateState::Valid => "有效",
            CertificateState::Expiring => "即将到期",
            CertificateState::Expired => "已过期",
        }
    }
}

/// The unit (and linked user) a write names must be visible to the actor;
/// otherwise the write is refused as outside the jurisdiction.
async fn references_in_scope(store: &Store, actor: &Actor, data: &InspectorData) -> DomainResult<()> {
    let outside = |what: &str| {
        DomainError::new(crate::ErrorKind::Forbidden, "jurisdiction.forbidden", format!("{what}不存在或不在您的辖区内"))
    };
    match weijian_store::units::get(store, actor, data.unit_id).await {
        Ok(_) => {}
        Err(weijian_store::StoreError::NotFound) => return Err(outside("所属单位")),
        Err(e) => return Err(e.into()),
    }
    if let Some(user) = data.user_id {
        match weijian_store::users::get(store, actor, user).await {
            Ok(_) => {}
            Err(weijian_store::StoreError::NotFound) => return Err(outside("关联的用户账号")),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

pub async fn create(store: &Store, actor: &Actor, input: &InspectorInput) -> DomainResult<Inspector> {
    require(actor, Permission::ManageInspectors)?;
    let data = input.parse().map_err(input::first)?;
    references_in_scope(store, actor, &data).await?;
    Ok(inspectors::create(store, actor, &data).await?)
}

pub async fn update(
    store: &Store,
    actor: &Actor,
    id: InspectorId,
    expected_version: Option<i64>,
    input: &InspectorInput,
) -> DomainResult<Inspector> {
    require(actor, Permission::ManageInspectors)?;
    let data = input.parse().map_err(input::first)?;
    inspectors::get(store, actor, id).await?;
    references_in_scope(store, actor, &data).await?;
    Ok(inspectors::update(store, actor, id, expected_version, &data).await?)
}

pub async fn get(store: &Store, actor: &Actor, id: InspectorId) -> DomainResult<Inspector> {
    require(actor, Permission::ViewRegistry)?;
    Ok(inspectors::get(store, actor, id).await?)
}

pub async fn list(store: &Store, actor: &Actor, query: &Query) -> DomainResult<Page<Inspector>> {
    require(actor, Permission::ViewRegistry)?;
    if query.q.as_deref().is_some_and(|q| q.chars().count() > 50) {
        return Err(DomainError::invalid("search.too_long", "q", "搜索词不能超过50个字"));
    }
    Ok(inspectors::list(store, actor, query).await?)
}

/// Checks a specialty filter given as key or label.
pub fn specialty_filter(s: Option<&str>) -> DomainResult<Option<String>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => specialty_key(s).map(Some).ok_or_else(|| {
            DomainError::invalid("inspector.unknown_specialty", "specialty", format!("未知的执法专业“{s}”"))
        }),
    }
}

/// Who may be assigned to enforce on `day` (the one eligibility rule).
pub async fn eligible_on(
    store: &Store,
    actor: &Actor,
    day: NaiveDate,
    unit_id: Option<UnitId>,
    specialty: Option<&str>,
) -> DomainResult<Vec<Inspector>> {
    require(actor, Permission::ViewRegistry)?;
    let specialty = specialty_filter(specialty)?;
    Ok(inspectors::eligible_on(store, actor, day, unit_id, specialty.as_deref()).await?)
}

pub async fn expiring_certificates(store: &Store, actor: &Actor, day: NaiveDate) -> DomainResult<Vec<Inspector>> {
    require(actor, Permission::ViewRegistry)?;
    Ok(inspectors::expiring_certificates(store, actor, day).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_dates_and_specialties_are_checked() {
        let i = InspectorInput {
            name: "测试".into(),
            unit_id: UnitId::new().to_string(),
            cert_no: "hb-001".into(),
            cert_valid_from: "2026-01-01".into(),
            cert_valid_until: "2025-12-31".into(),
            specialties: vec!["学校卫生".into(), "astrology".into()],
            ..Default::default()
        };
        let p = i.parse().unwrap_err();
        assert_eq!(
            p.iter().map(|p| p.code).collect::<Vec<_>>(),
            ["inspector.ends_before_start", "inspector.unknown_specialty"]
        );
        let ok =
            InspectorInput { cert_valid_until: "2026-01-01".into(), specialties: vec!["学校卫生".into()], ..i };
        let d = ok.parse().unwrap();
        assert_eq!((d.cert_no.as_str(), d.specialties), ("HB-001", vec!["school_health".to_string()]));
    }
}
