//! Behaviour of the engine and the check on known catalog entries; the
//! per-entry boundary table is tests/it/penalty_catalog.rs.

use super::*;
use crate::money::Fen;

fn y(s: &str) -> Fen {
    Fen::parse_yuan(s).unwrap()
}

fn eval(code: &str, party: Party, income: Option<&str>, circs: &[&str]) -> Result<Evaluation, PenaltyError> {
    let circs: Vec<String> = circs.iter().map(|c| c.to_string()).collect();
    let facts = Facts { illegal_income: income.map(y), amount_involved: None };
    evaluate(Catalog::official(), &Query { violation: code, party, facts, circumstances: &circs })
}

fn range(r: Option<Range>) -> (String, String) {
    let r = r.expect("a range");
    (r.min.to_string(), r.max.to_string())
}

fn r(a: &str, b: &str) -> (String, String) {
    (a.into(), b.into())
}

#[test]
fn tiers_take_their_share_of_the_legal_range() {
    // 50,000–200,000: 从轻 0–30%, 一般 30–70%, 从重 70–100%.
    let general = eval("MED-001", Party::Legal, Some("6000"), &[]).unwrap();
    assert_eq!(general.tier, Tier::General);
    assert_eq!(range(general.suggested), r("95000.00", "155000.00"));
    let lighter = eval("MED-001", Party::Legal, None, &["cooperative"]).unwrap();
    assert_eq!((lighter.tier, range(lighter.suggested)), (Tier::Lighter, r("50000.00", "95000.00")));
    let heavier = eval("MED-001", Party::Legal, None, &["repeat_offence"]).unwrap();
    assert_eq!((heavier.tier, range(heavier.suggested)), (Tier::Heavier, r("155000.00", "200000.00")));
    let both = eval("MED-001", Party::Legal, None, &["cooperative", "repeat_offence"]).unwrap();
    assert_eq!(both.tier, Tier::General, "lighter and heavier circumstances offset");
    assert!(!lighter.below_minimum_allowed, "从轻 stays within the range");
    assert!(eval("MED-001", Party::Legal, None, &["confessed"]).unwrap().below_minimum_allowed, "Art 32 allows 减轻");
}

#[test]
fn exemptions_and_first_offences() {
    let ev = eval("PUB-001", Party::Legal, None, &["minor_and_corrected"]).unwrap();
    assert_eq!(ev.tier, Tier::Exempt);
    assert!(ev.suggested.is_none() && ev.legal.is_some(), "the legal range is still shown");
    assert!(!ev.hearing_right && !ev.simple_procedure);
    let ev = eval("PUB-001", Party::Legal, None, &["first_offence"]).unwrap();
    assert_eq!(ev.tier, Tier::Waivable);
    assert_eq!(range(ev.suggested), r("500.00", "1850.00"), "if punished, the lighter band");
    let ev = eval("PUB-001", Party::Legal, None, &["first_offence", "repeat_offence"]).unwrap();
    assert_eq!(ev.tier, Tier::Heavier, "an aggravating fact rules out 首违不罚");
}

#[test]
fn simple_procedure_follows_article_51() {
    // Warning with an optional fine of up to 2000: a legal person may be fined on the spot.
    assert!(eval("PUB-002", Party::Legal, None, &[]).unwrap().simple_procedure);
    // 500–5000 general band 1850–3650 exceeds 3000; the lighter band 500–1850 does not.
    assert!(!eval("PUB-001", Party::Legal, None, &[]).unwrap().simple_procedure);
    assert!(eval("PUB-001", Party::Legal, None, &["cooperative"]).unwrap().simple_procedure);
    // A citizen's limit is 200 yuan.
    assert!(!eval("PUB-001", Party::Citizen, None, &["cooperative"]).unwrap().simple_procedure);
    // Confiscation is not a simple-procedure penalty.
    assert!(!eval("MCH-001", Party::Legal, None, &[]).unwrap().simple_procedure);
    // "警告" alone.
    assert!(eval("MCH-003", Party::Citizen, None, &[]).unwrap().simple_procedure);
}

#[test]
fn hearing_right_follows_article_63() {
    // Suggested maximum 155,000 reaches the legal person's large-fine threshold of 100,000.
    assert!(eval("MED-001", Party::Legal, None, &[]).unwrap().hearing_right);
    assert!(!eval("PUB-001", Party::Legal, None, &[]).unwrap().hearing_right);
    // Suspension of practice is itself a hearing trigger.
    assert!(eval("DOC-002", Party::Citizen, None, &["serious"]).unwrap().hearing_right);
    // A citizen: 1万–3万 general band 16,000–24,000 reaches the citizen threshold of 10,000.
    assert!(eval("DOC-002", Party::Citizen, None, &[]).unwrap().hearing_right);
    // An optional revocation alone does not make the suggested penalty hearing-bound.
    assert!(!eval("PUB-002", Party::Legal, None, &["serious"]).unwrap().hearing_right);
}

#[test]
fn major_case_at_one_hundred_thousand_yuan_inclusive() {
    let circs: Vec<String> = vec![];
    let major = |amount: &str| {
        let facts = Facts { illegal_income: None, amount_involved: Some(y(amount)) };
        let q = Query { violation: "PUB-001", party: Party::Legal, facts, circumstances: &circs };
        evaluate(Catalog::official(), &q).unwrap().major_case
    };
    assert!(major("100000"), "10万元（含）以上");
    assert!(!major("99999.99"), "one fen below");
    assert!(major("250000"));
    assert!(!eval("PUB-001", Party::Legal, None, &[]).unwrap().major_case);
    assert!(eval("PUB-001", Party::Legal, Some("100000"), &[]).unwrap().major_case, "income is part of the amount");
    assert!(eval("PUB-001", Party::Legal, None, &["obstruction"]).unwrap().major_case);
    assert!(eval("PUB-001", Party::Legal, None, &["media_exposure"]).unwrap().major_case);
}

#[test]
fn bad_queries_are_refused_with_codes() {
    let code = |r: Result<Evaluation, PenaltyError>| r.unwrap_err().code();
    assert_eq!(code(eval("NOPE-1", Party::Legal, None, &[])), "penalty.unknown_violation");
    assert_eq!(code(eval("PUB-001", Party::Legal, None, &["bribed"])), "penalty.unknown_circumstance");
    assert_eq!(code(eval("PUB-001", Party::Legal, Some("-1"), &[])), "penalty.negative_amount");
    assert_eq!(code(eval("DOC-001", Party::Legal, None, &[])), "penalty.party_not_applicable");
    // Another violation's own circumstance does not apply here.
    assert_eq!(code(eval("PUB-003", Party::Legal, None, &["three_months"])), "penalty.unknown_circumstance");
    assert_eq!(code(eval("MED-001", Party::Legal, Some("5000000000000000"), &[])), "penalty.amount_too_large");
    assert!(eval("pub-001", Party::Legal, None, &[]).is_ok(), "codes are case-insensitive");
}

#[test]
fn the_explanation_walks_through_every_step() {
    let ev = eval("MCH-001", Party::Legal, Some("4999.99"), &["cooperative"]).unwrap();
    let text = ev.explanation.join("\n");
    for needle in [
        "母婴保健法实施办法》第四十条",
        "不属于“违法所得5000元以上”",
        "5000元以上20000元以下",
        "从轻",
        "听证",
        "简易程序",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
    let ev = eval("MCH-001", Party::Legal, Some("5000"), &[]).unwrap();
    assert!(ev.explanation.join("\n").contains("属于“违法所得5000元以上”"));
    let ev = eval("ART-001", Party::Legal, None, &[]).unwrap();
    assert!(ev.explanation.iter().any(|s| s.contains("不确定")), "uncertain entries say so");
}

fn decide(code: &str, party: Party, circs: &[&str], kinds: &[PenaltyKind], fine: Option<&str>) -> CheckReport {
    let circs: Vec<String> = circs.iter().map(|c| c.to_string()).collect();
    let q = Query { violation: code, party, facts: Facts::default(), circumstances: &circs };
    let d = Decision { kinds: kinds.to_vec(), fine: fine.map(y), ..Decision::default() };
    check(Catalog::official(), &q, &d).unwrap()
}

fn codes(r: &CheckReport) -> Vec<&'static str> {
    r.deviations.iter().map(|d| d.code).collect()
}

use PenaltyKind::*;

#[test]
fn a_lawful_decision_in_its_tier_has_no_deviation() {
    let r = decide("PUB-001", Party::Legal, &[], &[Warning], Some("2000"));
    assert!(r.deviations.is_empty(), "{:?}", r.deviations);
    assert!(r.lawful() && !r.hearing_right);
}

#[test]
fn fines_outside_the_law_are_unlawful() {
    let r = decide("PUB-001", Party::Legal, &[], &[Warning], Some("499.99"));
    assert_eq!(codes(&r), ["fine_below_minimum"]);
    assert!(!r.lawful());
    let r = decide("PUB-001", Party::Legal, &[], &[Warning], Some("5000.01"));
    assert_eq!(codes(&r), ["fine_above_maximum"]);
    // The maximum itself is lawful (以下 includes it), though above the general band.
    let r = decide("PUB-001", Party::Legal, &[], &[Warning], Some("5000"));
    assert_eq!(codes(&r), ["fine_outside_tier"]);
    assert!(r.lawful());
    // Mitigation (Art 32) allows going below the minimum with reasons.
    let r = decide("PUB-001", Party::Legal, &["reduced_harm"], &[Warning], Some("300"));
    assert_eq!(codes(&r), ["fine_below_minimum_mitigated"]);
    assert!(r.lawful());
}

#[test]
fn kinds_are_checked_against_the_statute() {
    let r = decide("PUB-001", Party::Legal, &[], &[Warning, RevokeLicence], Some("2000"));
    assert_eq!(codes(&r), ["kind_not_provided"]);
    let r = decide("PUB-001", Party::Legal, &[], &[], Some("2000"));
    assert_eq!(codes(&r), ["required_kind_missing"], "警告 is required");
    let r = decide("PUB-001", Party::Legal, &[], &[Warning], None);
    assert_eq!(codes(&r), ["required_kind_missing"], "the fine is required");
    // "或者": revoking both is not what the statute provides.
    let r = decide("MCH-004", Party::Citizen, &["other_serious"], &[RevokeQualification, RevokeCertificate], None);
    assert_eq!(codes(&r), ["one_of_exceeded"]);
    let r = decide("PUB-001", Party::Legal, &["no_fault"], &[Warning], None);
    assert_eq!(codes(&r), ["penalised_though_exempt"]);
    assert!(decide("PUB-001", Party::Legal, &["no_fault"], &[], None).deviations.is_empty());
}

#[test]
fn suspension_months_and_procedure() {
    let circs = vec!["serious".to_string()];
    let q = Query { violation: "DOC-002", party: Party::Citizen, facts: Facts::default(), circumstances: &circs };
    let d = Decision {
        kinds: vec![Warning, ConfiscateIncome, SuspendPractice],
        fine: Some(y("20000")),
        suspension_months: Some(13),
        simple_procedure: false,
    };
    let r = check(Catalog::official(), &q, &d).unwrap();
    assert_eq!(codes(&r), ["suspension_out_of_range"]);
    assert!(r.hearing_right);
    let ok = Decision { suspension_months: Some(12), ..d.clone() };
    let r = check(Catalog::official(), &q, &ok).unwrap();
    assert!(r.deviations.is_empty(), "{:?}", r.deviations);

    let circs: Vec<String> = vec![];
    let q = Query { violation: "PUB-002", party: Party::Legal, facts: Facts::default(), circumstances: &circs };
    let on_spot = |fine: &str| Decision {
        kinds: vec![Warning],
        fine: Some(y(fine)),
        simple_procedure: true,
        ..Decision::default()
    };
    assert!(check(Catalog::official(), &q, &on_spot("2000")).unwrap().lawful(), "2000 is within 3000元以下");
    let r = check(Catalog::official(), &q, &on_spot("3000.01")).unwrap();
    assert!(r.deviations.iter().any(|d| d.code == "simple_procedure_not_allowed"));
}

#[test]
fn decided_hearing_right_depends_on_the_decided_amount() {
    assert!(!decide("MED-001", Party::Legal, &[], &[ConfiscateIncome], Some("99999.99")).hearing_right);
    assert!(decide("MED-001", Party::Legal, &[], &[ConfiscateIncome], Some("100000")).hearing_right);
}

#[test]
fn mandatory_mitigation_is_not_undone_by_aggravation() {
    let ev = eval("MED-001", Party::Legal, None, &["confessed", "repeat_offence"]).unwrap();
    assert_eq!(ev.tier, Tier::Lighter, "Art 32 says 应当");
    assert!(ev.below_minimum_allowed);
    let ev = eval("MED-001", Party::Legal, None, &["cooperative", "repeat_offence"]).unwrap();
    assert_eq!(ev.tier, Tier::General, "benchmark circumstances offset each other");
}

#[test]
fn confiscation_needs_something_to_confiscate() {
    // No illegal income and no goods: a fine alone is the lawful decision.
    let r = decide("MED-001", Party::Legal, &[], &[], Some("100000"));
    assert!(r.deviations.is_empty(), "{:?}", r.deviations);
    let circs: Vec<String> = vec![];
    let facts = Facts { illegal_income: Some(y("5000")), amount_involved: None };
    let q = Query { violation: "MED-001", party: Party::Legal, facts, circumstances: &circs };
    let d = Decision { fine: Some(y("100000")), ..Decision::default() };
    let r = check(Catalog::official(), &q, &d).unwrap();
    assert_eq!(codes(&r), ["required_kind_missing"], "income was made: it must be confiscated");
}

#[test]
fn an_either_group_takes_exactly_one() {
    // 传染病防治法: 警告或者通报批评.
    assert!(decide("INF-001", Party::Legal, &[], &[Criticism], None).deviations.is_empty());
    assert!(decide("INF-001", Party::Legal, &[], &[Warning], None).deviations.is_empty());
    assert_eq!(codes(&decide("INF-001", Party::Legal, &[], &[Warning, Criticism], None)), ["one_of_exceeded"]);
    assert_eq!(codes(&decide("INF-001", Party::Legal, &[], &[], Some("50000"))), ["required_kind_missing"]);
    // A revocation that must be chosen gives the hearing right.
    let ev = eval("MCH-003", Party::Citizen, None, &["twice_or_more"]).unwrap();
    assert!(ev.hearing_right && !ev.simple_procedure);
    assert!(ev.kinds_text.contains("撤销执业资格或者吊销执业证书（择一）"), "{}", ev.kinds_text);
}

#[test]
fn deciding_nothing_where_the_law_requires_a_penalty() {
    assert_eq!(codes(&decide("PUB-001", Party::Legal, &[], &[], None)), ["no_penalty_decided"]);
    assert!(decide("PUB-001", Party::Legal, &["first_offence"], &[], None).deviations.is_empty(), "首违不罚");
    // Not an administrative penalty at all: no procedure applies.
    let ev = eval("MCH-004", Party::Citizen, None, &[]).unwrap();
    assert!(!ev.simple_procedure && !ev.hearing_right);
    assert!(decide("MCH-004", Party::Citizen, &[], &[], None).deviations.is_empty());
}
