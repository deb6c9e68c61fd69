//! The check of a DECIDED penalty against the engine: every deviation from
//! the law (unlawful) or from the discretion benchmark (advisory). Enforcement
//! oversight and legal review run every decision through it.

use super::engine::{evaluate, resolve, Evaluation, Query};
use super::{Catalog, Effect, Party, PenaltyError, PenaltyKind, Tier};
use crate::money::Fen;
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    pub kinds: Vec<PenaltyKind>,
    pub fine: Option<Fen>,
    pub suspension_months: Option<u32>,
    /// Decided on the spot under the simple procedure (当场处罚).
    pub simple_procedure: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Outside what the law allows.
    Unlawful,
    /// Lawful, but outside the benchmark; the decision must give its reasons.
    Advisory,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deviation {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    pub evaluation: Evaluation,
    pub deviations: Vec<Deviation>,
    /// Whether the decided penalty gives the party a hearing right.
    pub hearing_right: bool,
}

impl CheckReport {
    pub fn lawful(&self) -> bool {
        self.deviations.iter().all(|d| d.severity == Severity::Advisory)
    }
}

pub fn check(catalog: &Catalog, q: &Query<'_>, decided: &Decision) -> Result<CheckReport, PenaltyError> {
    let ev = evaluate(catalog, q)?;
    let v = catalog.get(q.violation).expect("evaluate found it");
    let resolved = resolve(catalog, v, q.circumstances)?;
    let mitigated = resolved.has(Effect::Mitigate);
    let mut kinds = decided.kinds.clone();
    if decided.fine.is_some() && !kinds.contains(&PenaltyKind::Fine) {
        kinds.push(PenaltyKind::Fine);
    }
    kinds.sort();
    kinds.dedup();
    let mut out = Vec::new();
    let mut flag = |code, severity, message: String| out.push(Deviation { code, severity, message });

    if decided.fine.is_some_and(|f| f.0 < 0) {
        return Err(PenaltyError::NegativeAmount("罚款"));
    }
    if ev.tier == Tier::Exempt && !kinds.is_empty() {
        flag(
            "penalised_though_exempt",
            Severity::Unlawful,
            "依法应当不予处罚的情形下作出了行政处罚（行政处罚法第三十条、第三十三条）".into(),
        );
    }
    let provided: Vec<PenaltyKind> = ev.kinds.iter().map(|k| k.kind).collect();
    for k in kinds.iter().filter(|k| !provided.contains(k)) {
        flag(
            "kind_not_provided",
            Severity::Unlawful,
            format!("处罚种类“{}”不在法定处罚种类（{}）之内", k.label(), labels(&provided)),
        );
    }
    let punishable = !matches!(ev.tier, Tier::Exempt | Tier::Waivable) && !ev.kinds.is_empty();
    if punishable && kinds.is_empty() {
        flag("no_penalty_decided", Severity::Unlawful, "依法应当给予行政处罚而未处罚，且不存在不予处罚的情节".into());
    }
    let group: Vec<PenaltyKind> = ev.kinds.iter().filter(|k| k.either).map(|k| k.kind).collect();
    let chosen = kinds.iter().filter(|k| group.contains(k)).count();
    if chosen > 1 {
        flag(
            "one_of_exceeded",
            Severity::Unlawful,
            format!("法律规定{}只能择一适用", labels(&group).replace('、', "或者")),
        );
    }
    if punishable && !kinds.is_empty() {
        // 减轻处罚 may replace a kind by a lighter one; otherwise the statute requires it.
        let severity = if mitigated { Severity::Advisory } else { Severity::Unlawful };
        if !group.is_empty() && chosen == 0 {
            let text = labels(&group).replace('、', "或者");
            flag("required_kind_missing", severity, format!("法律规定应当给予{text}（择一），决定中没有"));
        }
        let has_income = q.facts.illegal_income.is_some_and(|i| i.0 > 0);
        for k in ev.kinds.iter().filter(|k| !k.optional && !k.either && !kinds.contains(&k.kind)) {
            // Confiscation needs something to confiscate: income, or goods the case file lists.
            let nothing_to_take = match k.kind {
                PenaltyKind::ConfiscateIncome => !has_income,
                PenaltyKind::ConfiscateProperty => true,
                _ => false,
            };
            if !nothing_to_take {
                flag("required_kind_missing", severity, format!("法律规定应当给予“{}”，决定中没有", k.label));
            }
        }
    }

    match (decided.fine, ev.legal) {
        (Some(fine), Some(legal)) => {
            if fine < legal.min {
                if mitigated {
                    flag(
                        "fine_below_minimum_mitigated",
                        Severity::Advisory,
                        format!("罚款{fine}元低于法定最低{}元，属减轻处罚，须在决定中写明减轻的理由", legal.min),
                    );
                } else {
                    flag(
                        "fine_below_minimum",
                        Severity::Unlawful,
                        format!("罚款{fine}元低于法定最低{}元，且没有应当减轻处罚的情节", legal.min),
                    );
                }
            }
            if fine > legal.max {
                flag("fine_above_maximum", Severity::Unlawful, format!("罚款{fine}元超过法定最高{}元", legal.max));
            }
            if let Some(s) = ev.suggested.filter(|s| legal.contains(fine) && !s.contains(fine)) {
                flag(
                    "fine_outside_tier",
                    Severity::Advisory,
                    format!("罚款{fine}元在法定幅度内，但不在{}建议幅度{s}内，须说明理由", ev.tier.label()),
                );
            }
        }
        (None, Some(_)) if kinds.contains(&PenaltyKind::Fine) => {
            flag("fine_amount_missing", Severity::Unlawful, "决定罚款但没有写明金额".into());
        }
        _ => {}
    }

    if let (Some(m), Some((lo, hi))) = (decided.suspension_months, ev.suspension_months) {
        if m < lo || m > hi {
            flag(
                "suspension_out_of_range",
                Severity::Unlawful,
                format!("暂停执业或停业{m}个月，不在法定的{lo}至{hi}个月之内"),
            );
        }
    }

    if decided.simple_procedure {
        let rule = &catalog.policy.simple_procedure;
        let limit = match q.party {
            Party::Citizen => rule.citizen_max,
            Party::Legal => rule.legal_max,
        };
        let heavy = kinds.iter().any(|k| !matches!(k, PenaltyKind::Warning | PenaltyKind::Fine));
        let over = decided.fine.is_some_and(|f| !limit.admits(f));
        if heavy || over {
            flag(
                "simple_procedure_not_allowed",
                Severity::Unlawful,
                format!(
                    "简易程序只能给予警告或者罚款{limit}（{}，{}），本决定应适用普通程序",
                    q.party.label(),
                    rule.basis
                ),
            );
        }
    }

    let rule = &catalog.policy.hearing;
    let large = match q.party {
        Party::Citizen => rule.citizen_fine,
        Party::Legal => rule.legal_fine,
    };
    let hearing_right = kinds.iter().any(|k| rule.kinds.contains(k))
        || decided.fine.is_some_and(|f| large.admits(f))
        || (kinds.contains(&PenaltyKind::ConfiscateIncome) && q.facts.illegal_income.is_some_and(|i| large.admits(i)));

    Ok(CheckReport { evaluation: ev, deviations: out, hearing_right })
}

fn labels(kinds: &[PenaltyKind]) -> String {
    kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join("、")
}
