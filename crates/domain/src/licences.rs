//! Licences: parsing, the dates the rules derive (validity, next 校验), and
//! permission checks.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult, ErrorKind};
use crate::input::{self, Fields, Problem};
use serde::Deserialize;
use weijian_rules::registry::{Category, LicenceRecord, Registry};
use weijian_store::audit::Change;
use weijian_store::entities::Entity;
use weijian_store::ids::{EntityId, LicenceId};
use weijian_store::licences::{self, Licence, LicenceChange, LicenceData, Query};
use weijian_store::page::Page;
use weijian_store::{entities, Actor, Store, WriteTx};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct LicenceInput {
    /// A licence kind key or its Chinese label.
    pub kind: String,
    pub number: String,
    pub scope: Option<String>,
    pub issued_by: Option<String>,
    pub issued_on: String,
    /// Empty: the kind's printed validity from the issue date.
    pub valid_until: Option<String>,
    pub last_verified_on: Option<String>,
    /// valid, suspended, revoked, cancelled (or their labels); empty: valid.
    pub status: Option<String>,
}

impl LicenceInput {
    /// Every problem at once. The holder gives the bed count the 校验 cycle may depend on.
    pub fn parse(&self, holder: &Entity) -> Result<LicenceData, Vec<Problem>> {
        let mut f = Fields::default();
        let registry = Registry::official();
        let kind = registry.licence_kind_by_key_or_label(&self.kind);
        if kind.is_none() {
            f.problem(
                "licence.unknown_kind",
                "kind",
                &self.kind,
                format!(
                    "未知的许可证种类“{}”，应为：{}",
                    self.kind.trim(),
                    registry.licence_kinds.iter().map(|k| k.label.as_str()).collect::<Vec<_>>().join("、")
                ),
            );
        }
        let number = f.required("number", "许可证编号", &self.number, 60);
        let issued_on = f.date("issued_on", "发证日期", Some(&self.issued_on));
        if self.issued_on.trim().is_empty() {
            f.problem("field.required", "issued_on", "", "发证日期不能为空");
        }
        let given_until = f.date("valid_until", "有效期至", self.valid_until.as_deref());
        let last_verified_on = f.date("last_verified_on", "上次校验日期", self.last_verified_on.as_deref());
        let record = match self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => LicenceRecord::Valid,
            Some(s) => LicenceRecord::parse_key_or_label(s).unwrap_or_else(|| {
                f.problem(
                    "field.invalid_choice",
                    "status",
                    s,
                    format!("许可证状态“{s}”无效，应为有效、暂停、吊销或注销"),
                );
                LicenceRecord::Valid
            }),
        };
        let valid_until = match (given_until, issued_on, kind) {
            (Some(u), _, _) => Some(u),
            (None, Some(issued), Some(k)) => k.default_valid_until(issued),
            _ => None,
        };
        if let (Some(issued), Some(until)) = (issued_on, valid_until) {
            if until < issued {
                f.problem(
                    "licence.ends_before_start",
                    "valid_until",
                    &until.to_string(),
                    format!("有效期至（{until}）早于发证日期（{issued}）"),
                );
            }
        }
        if let (Some(issued), Some(last)) = (issued_on, last_verified_on) {
            if last < issued {
                f.problem(
                    "licence.verified_before_issue",
                    "last_verified_on",
                    &last.to_string(),
                    "上次校验日期早于发证日期",
                );
            }
        }
        let beds = Category::beds(&holder.data.attributes);
        let next_verification_due = match (kind, last_verified_on.or(issued_on)) {
            (Some(k), Some(since)) => k.next_verification_due(since, beds),
            _ => None,
        };
        let data = LicenceData {
            entity_id: holder.id,
            kind: kind.map(|k| k.key.clone()).unwrap_or_default(),
            number,
            scope: f.optional("scope", "许可范围", self.scope.as_deref(), 500),
            issued_by: f.optional("issued_by", "发证机关", self.issued_by.as_deref(), 100),
            issued_on: issued_on.unwrap_or_default(),
            valid_until,
            last_verified_on,
            next_verification_due,
            record,
        };
        f.finish(data)
    }
}

/// The longest written reason for a status change.
pub const REASON_MAX_CHARS: usize = 500;

/// The written reason a determination needs: required, at most [`REASON_MAX_CHARS`].
pub fn written_reason<'a>(code_required: &'static str, reason: Option<&'a str>) -> DomainResult<&'a str> {
    let r = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| DomainError::invalid(code_required, "reason", "变更须写明原因和依据"))?;
    if r.chars().count() > REASON_MAX_CHARS {
        return Err(DomainError::invalid("field.too_long", "reason", format!("原因不能超过{REASON_MAX_CHARS}个字")));
    }
    Ok(r)
}

fn penalty_only() -> DomainError {
    DomainError::new(ErrorKind::Forbidden, "licence.penalty_only", "吊销、暂扣许可证须经行政处罚决定")
}

/// Whether the actor may move a licence's recorded status from `before` (None:
/// a new licence) to `after` outside a penalty decision. 吊销/暂扣 (and undoing
/// a 吊销) are penalties, refused here for every role; 注销/撤销 and the end of a
/// 暂扣 are the bureau's acts, for those holding [`Permission::ChangeLicenceStatus`].
pub fn check_record_change(actor: &Actor, before: Option<LicenceRecord>, after: LicenceRecord) -> DomainResult<()> {
    if before.unwrap_or(LicenceRecord::Valid) == after {
        return Ok(());
    }
    if matches!(after, LicenceRecord::Suspended | LicenceRecord::Revoked) || before == Some(LicenceRecord::Revoked) {
        return Err(penalty_only());
    }
    require(actor, Permission::ChangeLicenceStatus)
}

pub async fn create(store: &Store, actor: &Actor, entity_id: EntityId, input: &LicenceInput) -> DomainResult<Licence> {
    require(actor, Permission::ManageRegistry)?;
    let holder = entities::get(store, actor, entity_id).await?;
    let data = input.parse(&holder).map_err(input::first)?;
    check_record_change(actor, None, data.record)?;
    Ok(licences::create(store, actor, &data).await?)
}

pub async fn update(
    store: &Store,
    actor: &Actor,
    id: LicenceId,
    expected_version: Option<i64>,
    input: &LicenceInput,
    reason: Option<&str>,
) -> DomainResult<Licence> {
    require(actor, Permission::ManageRegistry)?;
    let current = licences::get(store, actor, id).await?;
    let holder = entities::get(store, actor, current.data.entity_id).await?;
    let data = input.parse(&holder).map_err(input::first)?;
    check_record_change(actor, Some(current.data.record), data.record)?;
    let reason = if data.record != current.data.record {
        Some(written_reason("licence.reason_required", reason)?)
    } else {
        reason.map(str::trim).filter(|r| !r.is_empty())
    };
    Ok(licences::update(store, actor, id, expected_version, &data, reason).await?)
}

/// A penalty a decision imposes on a licence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Penalty {
    /// 暂扣许可证
    Suspend,
    /// 吊销许可证
    Revoke,
}

impl Penalty {
    fn record(self) -> LicenceRecord {
        match self {
            Penalty::Suspend => LicenceRecord::Suspended,
            Penalty::Revoke => LicenceRecord::Revoked,
        }
    }
}

/// Carries out a penalty decision (行政处罚决定书, by its 文号) on a licence,
/// inside the caller's transaction: the cases module decides, this records.
/// The licence's history keeps the decision as the reason; the audit event is
/// written in `tx`, which the caller commits with the rest of the decision.
pub async fn apply_penalty(
    tx: &mut WriteTx,
    actor: &Actor,
    id: LicenceId,
    penalty: Penalty,
    decision_ref: &str,
) -> DomainResult<Licence> {
    require(actor, Permission::ApplyPenalties)?;
    let decision_ref = decision_ref.trim();
    if decision_ref.is_empty() || decision_ref.chars().count() > 100 {
        return Err(DomainError::invalid(
            "licence.decision_required",
            "decision_ref",
            "须写明行政处罚决定书文号（不超过100字）",
        ));
    }
    let before = licences::get_in(tx.conn(), actor, id).await?;
    let allowed = match penalty {
        Penalty::Suspend => before.data.record == LicenceRecord::Valid,
        Penalty::Revoke => matches!(before.data.record, LicenceRecord::Valid | LicenceRecord::Suspended),
    };
    if !allowed {
        return Err(DomainError::new(
            ErrorKind::Conflict,
            "licence.not_in_force",
            format!("该许可证已{}，不能再{}", before.data.record.label(), penalty.record().label()),
        ));
    }
    let data = LicenceData { record: penalty.record(), ..before.data.clone() };
    let reason = format!("行政处罚决定 {decision_ref}");
    let after = licences::replace(tx.conn(), actor, &before, Some(before.version), &data, Some(&reason)).await?;
    tx.audit(
        actor,
        Change::of(
            "licence.penalty",
            &after,
            format!("依{reason}{}许可证 {}（{}）", penalty.record().label(), after.data.number, after.entity_name),
            Some(&before),
        ),
    )
    .await?;
    Ok(after)
}

pub async fn get(store: &Store, actor: &Actor, id: LicenceId) -> DomainResult<Licence> {
    require(actor, Permission::ViewRegistry)?;
    Ok(licences::get(store, actor, id).await?)
}

pub async fn history(store: &Store, actor: &Actor, id: LicenceId) -> DomainResult<Vec<LicenceChange>> {
    require(actor, Permission::ViewRegistry)?;
    Ok(licences::history(store, actor, id).await?)
}

pub async fn list(store: &Store, actor: &Actor, query: &Query) -> DomainResult<Page<Licence>> {
    require(actor, Permission::ViewRegistry)?;
    if query.q.as_deref().is_some_and(|q| q.chars().count() > 50) {
        return Err(DomainError::invalid("search.too_long", "q", "搜索词不能超过50个字"));
    }
    Ok(licences::list(store, actor, query).await?)
}
