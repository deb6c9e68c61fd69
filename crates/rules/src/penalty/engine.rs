//! Evaluation: violation + facts → legal range, tier, suggestion, procedure.

use super::catalog::{Catalog, FineRule, Scale, Violation};
use super::{Effect, Party, PenaltyError, PenaltyKind, Tier};
use crate::deadlines::Status;
use crate::money::Fen;
use serde::Serialize;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// 违法所得; `None` when there was none or it is unknown.
    pub illegal_income: Option<Fen>,
    /// 涉案金额.
    pub amount_involved: Option<Fen>,
}

#[derive(Clone, Debug)]
pub struct Query<'a> {
    pub violation: &'a str,
    pub party: Party,
    pub facts: Facts,
    pub circumstances: &'a [String],
}

/// An inclusive range of money.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Range {
    pub min: Fen,
    pub max: Fen,
}

impl Range {
    fn position(&self, per_cent: u32) -> Fen {
        let span = i128::from(self.max.0 - self.min.0);
        Fen(self.min.0 + (span * i128::from(per_cent) / 100) as i64)
    }

    pub fn contains(&self, v: Fen) -> bool {
        self.min <= v && v <= self.max
    }
}

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}元至{}元", self.min, self.max)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KindLine {
    pub kind: PenaltyKind,
    pub label: &'static str,
    /// Left to discretion by the statute.
    pub optional: bool,
    /// One of a "X或者Y" group: exactly one of the group is imposed.
    pub either: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub violation: String,
    pub name: String,
    pub scale: String,
    /// The fine the law allows; `None` when the statute provides no fine.
    pub legal: Option<Range>,
    /// The tier's part of the legal range; `None` when no fine applies or no penalty is due.
    pub suggested: Option<Range>,
    pub tier: Tier,
    pub kinds: Vec<KindLine>,
    /// The kinds for people: "警告、罚款（可选）、吊销许可证或者吊销执业证书（择一）".
    pub kinds_text: String,
    pub suspension_months: Option<(u32, u32)>,
    pub measures: Vec<String>,
    pub basis: Vec<String>,
    pub hearing_right: bool,
    pub simple_procedure: bool,
    pub major_case: bool,
    /// 减轻处罚 (行政处罚法 Art 32) makes a fine below the legal minimum lawful.
    pub below_minimum_allowed: bool,
    pub explanation: Vec<String>,
    pub status: Status,
}

/// The circumstances a query names, resolved to their names and effects.
pub(super) struct Resolved<'c> {
    pub items: Vec<(&'c str, &'c [Effect])>,
}

impl Resolved<'_> {
    pub fn has(&self, e: Effect) -> bool {
        self.items.iter().any(|(_, effects)| effects.contains(&e))
    }

    fn named(&self, e: Effect) -> Vec<&str> {
        self.items.iter().filter(|(_, effects)| effects.contains(&e)).map(|(n, _)| *n).collect()
    }
}

pub(super) fn resolve<'c>(
    catalog: &'c Catalog,
    v: &'c Violation,
    circumstances: &[String],
) -> Result<Resolved<'c>, PenaltyError> {
    let mut items = Vec::new();
    for code in circumstances {
        if let Some(c) = catalog.circumstance(code) {
            items.push((c.name.as_str(), c.effects.as_slice()));
        } else if let Some(c) = v.circumstances.iter().find(|c| &c.code == code) {
            items.push((c.name.as_str(), c.effects.as_slice()));
        } else {
            return Err(PenaltyError::UnknownCircumstance(code.clone()));
        }
    }
    Ok(Resolved { items })
}

fn times(amount: Fen, n: u32) -> Result<Fen, PenaltyError> {
    amount.0.checked_mul(i64::from(n)).map(Fen).ok_or(PenaltyError::AmountTooLarge)
}

fn yuan(y: i64) -> Fen {
    Fen(y * 100)
}

fn show_income(income: Option<Fen>) -> String {
    match income {
        Some(i) if i.0 > 0 => format!("违法所得{i}元"),
        _ => "没有违法所得".into(),
    }
}

/// The legal fine range for a rule and the facts, with the steps that led there.
fn legal_range(rule: &FineRule, income: Option<Fen>, steps: &mut Vec<String>) -> Result<Range, PenaltyError> {
    match rule {
        FineRule::Range { min, max } => {
            let r = Range { min: yuan(*min), max: yuan(*max) };
            if *min == 0 {
                steps.push(format!("法定罚款为{max}元以下，即{r}"));
            } else {
                steps.push(format!("法定罚款为{min}元以上{max}元以下"));
            }
            Ok(r)
        }
        FineRule::Multiple { min_times, max_times, floor, applies, otherwise } => {
            let base = match (applies, otherwise, floor) {
                (Some(applies), Some(otherwise), _) => match income {
                    Some(i) if i.0 > 0 && applies.admits(i) => {
                        steps.push(format!("{}，属于“违法所得{applies}”，按违法所得的倍数计算", show_income(income)));
                        i
                    }
                    _ => {
                        let r = Range { min: yuan(otherwise.min), max: yuan(otherwise.max) };
                        steps.push(format!(
                            "{}，不属于“违法所得{applies}”，适用固定幅度{}元以上{}元以下",
                            show_income(income),
                            otherwise.min,
                            otherwise.max
                        ));
                        return Ok(r);
                    }
                },
                (_, _, Some(floor)) => {
                    let i = income.unwrap_or_default();
                    if floor.admits(i) {
                        steps.push(format!("{}，违法所得{floor}的按{}元计算", show_income(income), floor.amount));
                        floor.fen()
                    } else {
                        steps.push(format!("{}，以此为计算基数", show_income(income)));
                        i
                    }
                }
                _ => match income {
                    Some(i) if i.0 > 0 => {
                        steps.push(format!("{}，以此为计算基数", show_income(income)));
                        i
                    }
                    _ => return Err(PenaltyError::IllegalIncomeRequired),
                },
            };
            let r = Range { min: times(base, *min_times)?, max: times(base, *max_times)? };
            steps.push(format!("法定罚款为{base}元的{min_times}倍以上{max_times}倍以下，即{r}"));
            Ok(r)
        }
    }
}

fn pick_scale<'v>(v: &'v Violation, circumstances: &[String]) -> &'v Scale {
    v.scales
        .iter()
        .find(|s| s.when_any.iter().any(|c| circumstances.contains(c)))
        .or_else(|| v.scales.last())
        .expect("validated: a default scale exists")
}

fn parse_party_check(v: &Violation, party: Party) -> Result<(), PenaltyError> {
    if v.parties.is_empty() || v.parties.contains(&party) {
        Ok(())
    } else {
        Err(PenaltyError::PartyNotApplicable(v.parties[0].label()))
    }
}

pub fn evaluate(catalog: &Catalog, q: &Query<'_>) -> Result<Evaluation, PenaltyError> {
    let v = catalog.get(q.violation).ok_or_else(|| PenaltyError::UnknownViolation(q.violation.to_string()))?;
    if q.facts.illegal_income.is_some_and(|x| x.0 < 0) {
        return Err(PenaltyError::NegativeAmount("违法所得"));
    }
    if q.facts.amount_involved.is_some_and(|x| x.0 < 0) {
        return Err(PenaltyError::NegativeAmount("涉案金额"));
    }
    parse_party_check(v, q.party)?;
    let resolved = resolve(catalog, v, q.circumstances)?;
    let policy = &catalog.policy;
    let scale = pick_scale(v, q.circumstances);

    let mut steps = Vec::new();
    let mut basis: Vec<String> = v.basis.iter().map(|c| c.to_string()).collect();
    for c in scale.basis.iter().map(|c| c.to_string()) {
        if !basis.contains(&c) {
            basis.push(c);
        }
    }
    steps.push(format!("违法行为：{}（{}），依据{}", v.name, v.code, basis.join("、")));
    if scale.when_any.is_empty() {
        steps.push(format!("适用幅度：{}", scale.label));
    } else {
        let hit: Vec<&str> = v
            .circumstances
            .iter()
            .filter(|c| scale.when_any.contains(&c.code) && q.circumstances.contains(&c.code))
            .map(|c| c.name.as_str())
            .collect();
        steps.push(format!("存在“{}”情形，适用幅度：{}", hit.join("、"), scale.label));
    }

    let legal = scale.fine.as_ref().map(|rule| legal_range(rule, q.facts.illegal_income, &mut steps)).transpose()?;

    for (name, effects) in &resolved.items {
        let labels: Vec<&str> = effects.iter().map(|e| e.label()).collect();
        steps.push(format!("情节“{name}”：{}", labels.join("，")));
    }
    let heavy = resolved.has(Effect::Heavier);
    let must_mitigate = resolved.has(Effect::Mitigate);
    let light = must_mitigate || resolved.has(Effect::Lighter);
    let tier = if resolved.has(Effect::Exempt) {
        Tier::Exempt
    } else if resolved.has(Effect::Waivable) && !heavy {
        Tier::Waivable
    } else if must_mitigate {
        // 行政处罚法 Arts 30, 32: "应当从轻或者减轻" — an aggravating fact of the benchmark cannot undo it.
        Tier::Lighter
    } else if heavy && light {
        Tier::General
    } else if light {
        Tier::Lighter
    } else if heavy {
        Tier::Heavier
    } else {
        Tier::General
    };
    if heavy && light && !must_mitigate {
        steps.push("同时存在从轻与从重情节，相互抵消后按一般处罚裁量".into());
    }
    if heavy && must_mitigate {
        steps.push("存在法定应当从轻或者减轻的情节，从重情节不改变从轻处罚".into());
    }
    let band = match tier {
        Tier::Exempt => None,
        Tier::Waivable | Tier::Lighter => Some(policy.tiers.lighter),
        Tier::General => Some(policy.tiers.general),
        Tier::Heavier => Some(policy.tiers.heavier),
    };
    let suggested = match (legal, band) {
        (Some(l), Some((lo, hi))) => Some(Range { min: l.position(lo), max: l.position(hi) }),
        _ => None,
    };
    match (tier, suggested, band) {
        (Tier::Exempt, _, _) => {
            steps.push(format!("裁量阶次：不予处罚（{}），仍应责令改正", resolved.named(Effect::Exempt).join("、")))
        }
        (Tier::Waivable, s, _) => {
            steps.push("裁量阶次：可以不予处罚（初次违法、危害后果轻微并及时改正，行政处罚法第三十三条第一款）".into());
            if let Some(s) = s {
                steps.push(format!("如决定处罚，建议按从轻处罚：{s}"));
            }
        }
        (t, Some(s), Some((lo, hi))) => steps.push(format!("裁量阶次：{}，取法定幅度的{lo}%至{hi}%：{s}", t.label())),
        (t, _, _) => steps.push(format!("裁量阶次：{}（该违法行为无罚款，按处罚种类裁量）", t.label())),
    }
    let below_minimum_allowed = resolved.has(Effect::Mitigate);
    if below_minimum_allowed {
        steps.push("存在应当从轻或者减轻处罚的情节，可以在法定最低限以下减轻处罚（行政处罚法第三十二条）".into());
    }

    let kinds: Vec<_> = scale
        .kinds
        .iter()
        .map(|k| KindLine {
            kind: *k,
            label: k.label(),
            optional: scale.optional.contains(k),
            either: scale.either.contains(k),
        })
        .collect();
    steps.push(format!("处罚种类：{}", scale.kinds_text()));
    if !v.measures.is_empty() {
        steps.push(format!("同时{}", v.measures.join("、")));
    }

    // A scale without penalty kinds (处分 by the employer, say) is not an administrative penalty.
    let exempt = tier == Tier::Exempt || scale.kinds.is_empty();
    if scale.kinds.is_empty() {
        steps.push("该情形不属于行政处罚，不适用听证和简易程序".into());
    }
    let hearing_right = !exempt && hearing(catalog, q, scale, suggested, &mut steps);
    let simple_procedure = !exempt && simple(catalog, q.party, scale, suggested, &mut steps);
    let major_case = major(catalog, q, &resolved, &mut steps);

    if v.status != Status::Verified {
        steps.push(format!("注意：本条目{}", v.status.label()));
    }
    if let Some(note) = &v.note {
        steps.push(format!("说明：{note}"));
    }
    if policy.tiers_status != Status::Verified {
        steps.push(format!("注意：裁量阶次的比例划分{}（{}）", policy.tiers_status.label(), policy.tiers_basis));
    }

    Ok(Evaluation {
        violation: v.code.clone(),
        name: v.name.clone(),
        scale: scale.label.clone(),
        legal,
        suggested,
        tier,
        kinds,
        kinds_text: scale.kinds_text(),
        suspension_months: scale.suspension_months,
        measures: v.measures.clone(),
        basis,
        hearing_right,
        simple_procedure,
        major_case,
        below_minimum_allowed,
        explanation: steps,
        status: v.status,
    })
}

/// 行政处罚法 Art 63: a heavy kind, or a fine or confiscation of a large amount.
fn hearing(catalog: &Catalog, q: &Query<'_>, scale: &Scale, suggested: Option<Range>, steps: &mut Vec<String>) -> bool {
    let rule = &catalog.policy.hearing;
    let large = match q.party {
        Party::Citizen => rule.citizen_fine,
        Party::Legal => rule.legal_fine,
    };
    let mut required_heavy: Vec<String> = scale
        .kinds
        .iter()
        .filter(|k| rule.kinds.contains(k) && !scale.optional.contains(k) && !scale.either.contains(k))
        .map(|k| k.label().to_string())
        .collect();
    // "吊销X或者撤销Y": whichever is chosen is heavy.
    if !scale.either.is_empty() && scale.either.iter().all(|k| rule.kinds.contains(k)) {
        required_heavy.push(scale.either.iter().map(|k| k.label()).collect::<Vec<_>>().join("或者"));
    }
    if !required_heavy.is_empty() {
        steps.push(format!("拟{}，当事人有权要求听证（{}）", required_heavy.join("、"), rule.basis));
        return true;
    }
    if let Some(s) = suggested.filter(|s| large.admits(s.max)) {
        steps.push(format!(
            "建议罚款上限{}元达到{}较大数额罚款标准（{}），当事人有权要求听证；听证标准{}",
            s.max,
            q.party.label(),
            large,
            rule.status.label()
        ));
        return true;
    }
    if let Some(i) = q.facts.illegal_income.filter(|i| large.admits(*i)) {
        if scale.kinds.contains(&PenaltyKind::ConfiscateIncome) {
            steps.push(format!("没收违法所得{i}元属较大数额，当事人有权要求听证（{}）", rule.basis));
            return true;
        }
    }
    let possible: Vec<&str> = scale.kinds.iter().filter(|k| rule.kinds.contains(k)).map(|k| k.label()).collect();
    if possible.is_empty() {
        steps.push(format!("按建议幅度处罚不属于听证范围（较大数额标准：{}{}）", q.party.label(), large));
    } else {
        steps.push(format!("如决定{}，当事人有权要求听证；仅按建议罚款处罚则不属于听证范围", possible.join("或")));
    }
    false
}

/// 行政处罚法 Art 51: a warning, or a fine within the party's limit, and nothing heavier.
fn simple(catalog: &Catalog, party: Party, scale: &Scale, suggested: Option<Range>, steps: &mut Vec<String>) -> bool {
    let rule = &catalog.policy.simple_procedure;
    let limit = match party {
        Party::Citizen => rule.citizen_max,
        Party::Legal => rule.legal_max,
    };
    let light = |k: &PenaltyKind| matches!(k, PenaltyKind::Warning | PenaltyKind::Fine);
    let required_ok =
        scale.kinds.iter().filter(|k| !scale.optional.contains(k) && !scale.either.contains(k)).all(light);
    let either_ok = scale.either.is_empty() || scale.either.iter().any(light);
    let fine_required = scale.kinds.contains(&PenaltyKind::Fine) && !scale.optional.contains(&PenaltyKind::Fine);
    let allowed = required_ok && either_ok && (!fine_required || suggested.is_some_and(|s| limit.admits(s.max)));
    if allowed {
        steps.push(format!(
            "事实确凿、有法定依据的，可以适用简易程序当场作出处罚决定（{}：警告或者罚款{}）",
            party.label(),
            limit
        ));
    } else {
        steps.push(format!("不适用简易程序（{}当场处罚限于警告或者罚款{}），应当适用普通程序", party.label(), limit));
    }
    allowed
}

/// Seed 000 (重大案件督办): amount involved of 10万元 or more, or grave circumstances.
fn major(catalog: &Catalog, q: &Query<'_>, resolved: &Resolved<'_>, steps: &mut Vec<String>) -> bool {
    let rule = &catalog.policy.major_case;
    // The amount involved is never less than the illegal income.
    let amount = match (q.facts.amount_involved, q.facts.illegal_income) {
        (Some(a), Some(i)) => Some(a.max(i)),
        (a, i) => a.or(i),
    };
    let by_amount = amount.filter(|a| rule.amount_involved.admits(*a));
    let by_circumstance = resolved.named(Effect::Major);
    if let Some(a) = by_amount {
        steps.push(format!("涉案金额{a}元，达到“{}”，属于重大案件（{}）", rule.amount_involved, rule.basis));
    }
    if !by_circumstance.is_empty() {
        steps.push(format!("存在“{}”情节，属于重大案件（{}）", by_circumstance.join("、"), rule.basis));
    }
    let is_major = by_amount.is_some() || !by_circumstance.is_empty();
    if is_major {
        steps.push("查实后2个工作日内逐级上报（法定期限表 major_case_report）".into());
    }
    is_major
}
