//! The penalty discretion engine (裁量基准): from a violation and the facts of a
//! case to the legal range, the tier, a suggested range and the procedural
//! consequences; and the check of a decided penalty against the same rules.
//!
//! The law lives in data: `data/violations.toml` (one entry per violation with
//! its legal basis and scales) and `data/discretion.toml` (tiers, procedural
//! thresholds, the general circumstances of the 行政处罚法).

mod catalog;
mod check;
mod engine;

pub use catalog::{
    Catalog, Circumstance, Citation, FineRule, OwnCircumstance, Policy, Scale, Violation, YuanRange, BUILT_IN_POLICY,
    BUILT_IN_VIOLATIONS,
};
pub use check::{check, CheckReport, Decision, Deviation, Severity};
pub use engine::{evaluate, Evaluation, Facts, KindLine, Query, Range};

use serde::{Deserialize, Serialize};

/// Party type: 公民 or 法人/其他组织. The simple procedure and the hearing
/// threshold differ between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Citizen,
    Legal,
}

impl Party {
    pub fn parse(s: &str) -> Option<Party> {
        match s {
            "citizen" | "公民" => Some(Party::Citizen),
            "legal" | "法人" | "法人或者其他组织" => Some(Party::Legal),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Party::Citizen => "公民",
            Party::Legal => "法人或者其他组织",
        }
    }
}

/// The penalty kinds of 行政处罚法 Art 9 as health statutes name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyKind {
    Warning,
    Criticism,
    Fine,
    ConfiscateIncome,
    ConfiscateProperty,
    SuspendLicence,
    SuspendPractice,
    SuspendBusiness,
    RevokeLicence,
    RevokeCertificate,
    RevokeQualification,
    Close,
    BarPractice,
}

impl PenaltyKind {
    pub const ALL: [PenaltyKind; 13] = [
        PenaltyKind::Warning,
        PenaltyKind::Criticism,
        PenaltyKind::Fine,
        PenaltyKind::ConfiscateIncome,
        PenaltyKind::ConfiscateProperty,
        PenaltyKind::SuspendLicence,
        PenaltyKind::SuspendPractice,
        PenaltyKind::SuspendBusiness,
        PenaltyKind::RevokeLicence,
        PenaltyKind::RevokeCertificate,
        PenaltyKind::RevokeQualification,
        PenaltyKind::Close,
        PenaltyKind::BarPractice,
    ];

    pub fn key(self) -> &'static str {
        match self {
            PenaltyKind::Warning => "warning",
            PenaltyKind::Criticism => "criticism",
            PenaltyKind::Fine => "fine",
            PenaltyKind::ConfiscateIncome => "confiscate_income",
            PenaltyKind::ConfiscateProperty => "confiscate_property",
            PenaltyKind::SuspendLicence => "suspend_licence",
            PenaltyKind::SuspendPractice => "suspend_practice",
            PenaltyKind::SuspendBusiness => "suspend_business",
            PenaltyKind::RevokeLicence => "revoke_licence",
            PenaltyKind::RevokeCertificate => "revoke_certificate",
            PenaltyKind::RevokeQualification => "revoke_qualification",
            PenaltyKind::Close => "close",
            PenaltyKind::BarPractice => "bar_practice",
        }
    }

    pub fn parse(s: &str) -> Option<PenaltyKind> {
        PenaltyKind::ALL.into_iter().find(|k| k.key() == s || k.label() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            PenaltyKind::Warning => "警告",
            PenaltyKind::Criticism => "通报批评",
            PenaltyKind::Fine => "罚款",
            PenaltyKind::ConfiscateIncome => "没收违法所得",
            PenaltyKind::ConfiscateProperty => "没收非法财物",
            PenaltyKind::SuspendLicence => "暂扣许可证件",
            PenaltyKind::SuspendPractice => "责令暂停执业活动",
            PenaltyKind::SuspendBusiness => "责令停业整顿",
            PenaltyKind::RevokeLicence => "吊销许可证",
            PenaltyKind::RevokeCertificate => "吊销执业证书",
            PenaltyKind::RevokeQualification => "撤销执业资格",
            PenaltyKind::Close => "责令关闭",
            PenaltyKind::BarPractice => "限制从业",
        }
    }

    pub fn is_suspension(self) -> bool {
        matches!(self, PenaltyKind::SuspendPractice | PenaltyKind::SuspendBusiness | PenaltyKind::SuspendLicence)
    }
}

/// What a circumstance does to the evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Selects a violation's heavier or lighter legal scale ("有下列情形之一的").
    Scale,
    /// 不予处罚 (行政处罚法 Art 33(1) minor and corrected, no fault, Art 30 under 14 ...).
    Exempt,
    /// 可以不予处罚 (Art 33(1) 首违不罚).
    Waivable,
    /// 应当从轻或者减轻 (Art 32): the lighter tier, and below the minimum is lawful.
    Mitigate,
    /// 从轻 under the discretion benchmark.
    Lighter,
    /// 从重.
    Heavier,
    /// Makes the case a major case (重大案件).
    Major,
}

impl Effect {
    pub fn label(self) -> &'static str {
        match self {
            Effect::Scale => "适用另一法定幅度",
            Effect::Exempt => "不予处罚",
            Effect::Waivable => "可以不予处罚",
            Effect::Mitigate => "应当从轻或者减轻处罚",
            Effect::Lighter => "从轻处罚",
            Effect::Heavier => "从重处罚",
            Effect::Major => "属于重大案件",
        }
    }
}

/// The discretion tier (裁量阶次) the facts put the case in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Exempt,
    Waivable,
    Lighter,
    General,
    Heavier,
}

impl Tier {
    pub fn label(self) -> &'static str {
        match self {
            Tier::Exempt => "不予处罚",
            Tier::Waivable => "可以不予处罚（首违不罚）",
            Tier::Lighter => "从轻处罚",
            Tier::General => "一般处罚",
            Tier::Heavier => "从重处罚",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PenaltyError {
    #[error("违法行为代码“{0}”不存在，请先查询违法行为目录")]
    UnknownViolation(String),
    #[error("情节代码“{0}”不适用于该违法行为")]
    UnknownCircumstance(String),
    #[error("{0}不能为负数")]
    NegativeAmount(&'static str),
    #[error("该违法行为按违法所得的倍数计算罚款，须提供大于零的违法所得金额")]
    IllegalIncomeRequired,
    #[error("金额过大，超出可计算的范围")]
    AmountTooLarge,
    #[error("该违法行为的当事人只能是{0}")]
    PartyNotApplicable(&'static str),
}

impl PenaltyError {
    pub fn code(&self) -> &'static str {
        match self {
            PenaltyError::UnknownViolation(_) => "penalty.unknown_violation",
            PenaltyError::UnknownCircumstance(_) => "penalty.unknown_circumstance",
            PenaltyError::NegativeAmount(_) => "penalty.negative_amount",
            PenaltyError::IllegalIncomeRequired => "penalty.illegal_income_required",
            PenaltyError::AmountTooLarge => "penalty.amount_too_large",
            PenaltyError::PartyNotApplicable(_) => "penalty.party_not_applicable",
        }
    }
}

#[cfg(test)]
mod tests;
