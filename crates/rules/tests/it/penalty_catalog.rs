//! Boundary tests for every entry of the violation catalog.
//!
//! The expected ranges below are worked out by hand from the statutes, not by
//! the engine. `every_boundary_of_every_entry_is_tested` derives from the
//! catalog which points each rule has (the threshold itself, one fen below it,
//! no illegal income, each scale) and fails when a case for one is missing, so a
//! new entry cannot land without its table.

use weijian_rules::penalty::{evaluate, Catalog, Facts, FineRule, Party, Query, Violation};
use weijian_rules::Fen;

enum Expect {
    /// Legal fine range in yuan.
    Fine(&'static str, &'static str),
    /// The scale provides no fine.
    NoFine,
    /// The evaluation is refused with this error code.
    Error(&'static str),
}
use Expect::*;

struct Case {
    code: &'static str,
    party: Party,
    income: Option<&'static str>,
    circs: &'static [&'static str],
    expect: Expect,
}

macro_rules! case {
    ($code:literal, $party:ident, $income:expr, [$($c:literal),*], $expect:expr) => {
        Case { code: $code, party: Party::$party, income: $income, circs: &[$($c),*], expect: $expect }
    };
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    // 基本医疗卫生与健康促进法 99(1): 5–20 times, income 不足1万元 counted as 1万元.
    case!("MED-001", Legal, None, [], Fine("50000", "200000")),
    case!("MED-001", Legal, Some("9999.99"), [], Fine("50000", "200000")),
    case!("MED-001", Legal, Some("10000"), [], Fine("50000", "200000")),
    case!("MED-001", Legal, Some("10000.01"), [], Fine("50000.05", "200000.20")),
    case!("MED-001", Citizen, Some("6000"), [], Fine("50000", "200000")),
    // 99(2): 5–15 times, same floor; 情节严重 adds revocation, same fine.
    case!("MED-002", Legal, None, [], Fine("50000", "150000")),
    case!("MED-002", Legal, Some("9999.99"), [], Fine("50000", "150000")),
    case!("MED-002", Legal, Some("10000"), [], Fine("50000", "150000")),
    case!("MED-002", Legal, Some("10000.01"), [], Fine("50000.05", "150000.15")),
    case!("MED-002", Legal, None, ["serious"], Fine("50000", "150000")),
    case!("MED-002", Legal, Some("9999.99"), ["serious"], Fine("50000", "150000")),
    case!("MED-002", Legal, Some("10000"), ["serious"], Fine("50000", "150000")),
    case!("MED-002", Legal, Some("10000.01"), ["serious"], Fine("50000.05", "150000.15")),
    case!("MED-002", Legal, Some("30000"), ["serious"], Fine("150000", "450000")),
    // 医疗机构管理条例 (2022) 48: 警告 only; 造成危害后果 可以处1万–10万.
    case!("MED-010", Legal, None, [], NoFine),
    case!("MED-010", Legal, None, ["delayed_treatment"], Fine("10000", "100000")),
    case!("MED-010", Legal, None, ["mental_harm"], Fine("10000", "100000")),
    case!("MED-010", Legal, Some("2000"), ["other_harm"], Fine("10000", "100000")),
    case!("MED-010", Citizen, None, [], Error("penalty.party_not_applicable")),
    // 条例 (2022) 46: 超范围 1万–10万, same fine when serious; institutions only.
    case!("MED-003", Legal, None, [], Fine("10000", "100000")),
    case!("MED-003", Legal, None, ["serious"], Fine("10000", "100000")),
    case!("MED-003", Legal, Some("50000"), [], Fine("10000", "100000")),
    case!("MED-003", Citizen, None, [], Error("penalty.party_not_applicable")),
    // 47: 非卫生技术人员 1万–10万.
    case!("MED-004", Legal, None, [], Fine("10000", "100000")),
    case!("MED-004", Legal, None, ["serious"], Fine("10000", "100000")),
    // 44: 逾期不校验: order only; 拒不校验 revocation. No fine.
    case!("MED-005", Legal, None, [], NoFine),
    case!("MED-005", Legal, None, ["refused_inspection"], NoFine),
    // 43(2): 诊所未经备案 3万元以下; income does not move a fixed range.
    case!("MED-006", Citizen, None, [], Fine("0", "30000")),
    case!("MED-006", Legal, Some("8000"), [], Fine("0", "30000")),
    // 医师法 59: 2–10 times, 不足1万元 counted as 1万元.
    case!("DOC-001", Citizen, None, [], Fine("20000", "100000")),
    case!("DOC-001", Citizen, Some("9999.99"), [], Fine("20000", "100000")),
    case!("DOC-001", Citizen, Some("10000"), [], Fine("20000", "100000")),
    case!("DOC-001", Citizen, Some("10000.01"), [], Fine("20000.02", "100000.10")),
    // 医师法 56(2): 1万–3万.
    case!("DOC-002", Citizen, None, [], Fine("10000", "30000")),
    case!("DOC-002", Citizen, None, ["serious"], Fine("10000", "30000")),
    case!("DOC-002", Citizen, Some("800"), ["serious"], Fine("10000", "30000")),
    // 医师法 56(1), 56(3), 56(2) first half, 57: 1万–3万 in both scales; physicians only.
    case!("DOC-003", Citizen, None, [], Fine("10000", "30000")),
    case!("DOC-003", Citizen, None, ["serious"], Fine("10000", "30000")),
    case!("DOC-003", Legal, None, [], Error("penalty.party_not_applicable")),
    case!("DOC-004", Citizen, None, [], Fine("10000", "30000")),
    case!("DOC-004", Citizen, None, ["serious"], Fine("10000", "30000")),
    case!("DOC-004", Citizen, Some("40000"), [], Fine("10000", "30000")),
    case!("DOC-005", Citizen, None, [], Fine("10000", "30000")),
    case!("DOC-005", Citizen, None, ["serious"], Fine("10000", "30000")),
    case!("DOC-008", Citizen, None, [], Fine("10000", "30000")),
    case!("DOC-008", Citizen, None, ["serious"], Fine("10000", "30000")),
    // 55(1): 警告; serious suspension up to revocation. No fine.
    case!("DOC-006", Citizen, None, [], NoFine),
    case!("DOC-006", Citizen, None, ["serious"], NoFine),
    // 54(3): 2–5 times, income 不足1万元 counted as 1万元; serious adds revocation, same fine.
    case!("DOC-007", Citizen, None, [], Fine("20000", "50000")),
    case!("DOC-007", Citizen, Some("9999.99"), [], Fine("20000", "50000")),
    case!("DOC-007", Citizen, Some("10000"), [], Fine("20000", "50000")),
    case!("DOC-007", Citizen, Some("10000.01"), [], Fine("20000.02", "50000.05")),
    case!("DOC-007", Citizen, None, ["serious"], Fine("20000", "50000")),
    case!("DOC-007", Citizen, Some("9999.99"), ["serious"], Fine("20000", "50000")),
    case!("DOC-007", Citizen, Some("10000"), ["serious"], Fine("20000", "50000")),
    case!("DOC-007", Citizen, Some("10000.01"), ["serious"], Fine("20000.02", "50000.05")),
    case!("DOC-007", Legal, Some("30000"), ["serious"], Fine("60000", "150000")),
    // 母婴保健法实施办法 40: income 5000元以上 3–5 times; none or less 5000–20000.
    case!("MCH-001", Legal, None, [], Fine("5000", "20000")),
    case!("MCH-001", Legal, Some("4999.99"), [], Fine("5000", "20000")),
    case!("MCH-001", Legal, Some("5000"), [], Fine("15000", "25000")),
    case!("MCH-001", Legal, Some("8000"), [], Fine("24000", "40000")),
    case!("MCH-001", Citizen, Some("3000"), [], Fine("5000", "20000")),
    case!("MCH-002", Citizen, None, [], Fine("5000", "20000")),
    case!("MCH-002", Citizen, Some("4999.99"), [], Fine("5000", "20000")),
    case!("MCH-002", Citizen, Some("5000"), [], Fine("15000", "25000")),
    case!("MCH-002", Citizen, Some("0"), [], Fine("5000", "20000")),
    // 实施办法 42: warning; twice or for profit, revocation. No fine.
    case!("MCH-003", Citizen, None, [], NoFine),
    case!("MCH-003", Citizen, None, ["for_profit"], NoFine),
    case!("MCH-003", Legal, None, ["twice_or_more"], NoFine),
    case!("MCH-004", Citizen, None, [], NoFine),
    case!("MCH-004", Citizen, None, ["health_harm_serious"], NoFine),
    // 人类辅助生殖技术管理办法.
    case!("ART-001", Legal, None, [], Fine("0", "10000")),
    case!("ART-002", Legal, None, [], Fine("0", "3000")),
    case!("ART-002", Legal, None, ["serious"], Fine("0", "3000")),
    case!("ART-003", Legal, None, [], Fine("0", "30000")),
    // 公共场所卫生管理条例实施细则 35, 36, 38, 39.
    case!("PUB-001", Legal, None, [], Fine("500", "5000")),
    case!("PUB-001", Citizen, Some("12000"), [], Fine("500", "5000")),
    case!("PUB-001", Legal, None, ["three_months"], Fine("5000", "30000")),
    case!("PUB-001", Legal, None, ["forged_licence"], Fine("5000", "30000")),
    case!("PUB-002", Legal, None, [], Fine("0", "2000")),
    case!("PUB-002", Legal, None, ["overdue"], Fine("2000", "20000")),
    case!("PUB-002", Legal, None, ["serious"], Fine("2000", "20000")),
    case!("PUB-003", Legal, None, [], Fine("500", "5000")),
    case!("PUB-003", Legal, None, ["overdue"], Fine("5000", "15000")),
    case!("PUB-004", Legal, None, [], Fine("5000", "30000")),
    case!("PUB-004", Legal, None, ["serious"], Fine("5000", "30000")),
    // 护士条例 28: 警告; 逾期不改正 核减诊疗科目 or suspension. No fine. Institutions only.
    case!("NUR-001", Legal, None, [], NoFine),
    case!("NUR-001", Legal, None, ["overdue"], NoFine),
    case!("NUR-001", Citizen, None, [], Error("penalty.party_not_applicable")),
    case!("NUR-002", Legal, None, [], NoFine),
    case!("NUR-002", Legal, None, ["overdue"], NoFine),
    // 31: nurses only; 警告, serious suspension up to revocation. No fine.
    case!("NUR-003", Citizen, None, [], NoFine),
    case!("NUR-003", Citizen, None, ["serious"], NoFine),
    case!("NUR-003", Legal, None, [], Error("penalty.party_not_applicable")),
    case!("NUR-004", Citizen, None, [], NoFine),
    case!("NUR-004", Citizen, None, ["serious"], NoFine),
    // 生活饮用水卫生监督管理办法 25 (20–1000), 26 (20–5000), 27 (fixed alternative 500–10000).
    case!("WAT-001", Legal, None, [], Fine("20", "1000")),
    case!("WAT-001", Legal, Some("2000"), [], Fine("20", "1000")),
    case!("WAT-002", Citizen, None, [], Fine("20", "5000")),
    case!("WAT-002", Legal, Some("3000"), [], Fine("20", "5000")),
    case!("WAT-003", Legal, None, [], Fine("20", "5000")),
    case!("WAT-004", Legal, None, [], Fine("500", "10000")),
    case!("WAT-004", Citizen, Some("4000"), [], Fine("500", "10000")),
    // 传染病防治法 (2025) 104: 10万元以下 in both scales; institutions only.
    case!("INF-001", Legal, None, [], Fine("0", "100000")),
    case!("INF-001", Legal, None, ["serious"], Fine("0", "100000")),
    case!("INF-001", Citizen, None, [], Error("penalty.party_not_applicable")),
    case!("INF-002", Legal, None, [], Fine("0", "100000")),
    case!("INF-002", Legal, None, ["serious"], Fine("0", "100000")),
    // 107: 20万元以下; income confiscated but the fine range stays fixed.
    case!("INF-003", Legal, None, [], Fine("0", "200000")),
    case!("INF-003", Legal, None, ["serious"], Fine("0", "200000")),
    case!("INF-003", Legal, Some("50000"), [], Fine("0", "200000")),
    case!("INF-004", Legal, None, [], Fine("0", "200000")),
    case!("INF-004", Legal, None, ["serious"], Fine("0", "200000")),
    case!("INF-004", Citizen, Some("1500"), [], Fine("0", "200000")),
    // 111(2): 2万元以下, either party.
    case!("INF-005", Legal, None, [], Fine("0", "20000")),
    case!("INF-005", Citizen, None, [], Fine("0", "20000")),
    // 放射诊疗管理规定 38 (3000元以下), 39 (5000元以下), 41 (1万元以下).
    case!("RAD-001", Legal, None, [], Fine("0", "3000")),
    case!("RAD-001", Legal, None, ["serious"], Fine("0", "3000")),
    case!("RAD-002", Legal, None, [], Fine("0", "3000")),
    case!("RAD-002", Legal, None, ["serious"], Fine("0", "3000")),
    case!("RAD-003", Legal, None, [], Fine("0", "5000")),
    case!("RAD-003", Legal, None, ["serious"], Fine("0", "5000")),
    case!("RAD-004", Legal, None, [], Fine("0", "10000")),
    case!("RAD-004", Citizen, None, [], Error("penalty.party_not_applicable")),
    case!("RAD-005", Legal, None, [], Fine("0", "10000")),
    // 医疗废物管理条例 45: 警告; 逾期不改正 2000–5000.
    case!("WST-001", Legal, None, [], NoFine),
    case!("WST-001", Legal, None, ["overdue"], Fine("2000", "5000")),
    case!("WST-002", Legal, None, [], NoFine),
    case!("WST-002", Legal, None, ["overdue"], Fine("2000", "5000")),
    // 46: 可以并处5000元以下; 逾期不改正 5000–3万.
    case!("WST-003", Legal, None, [], Fine("0", "5000")),
    case!("WST-003", Legal, None, ["overdue"], Fine("5000", "30000")),
    // 47: 5000–1万; 逾期不改正 1万–3万.
    case!("WST-004", Legal, None, [], Fine("5000", "10000")),
    case!("WST-004", Legal, None, ["overdue"], Fine("10000", "30000")),
    case!("WST-004", Legal, Some("20000"), [], Fine("5000", "10000")),
    // 49: 1万–3万.
    case!("WST-005", Legal, None, [], Fine("10000", "30000")),
    // 消毒管理办法 41, 43: 5000元以下; 造成感染性疾病暴发 5000–2万.
    case!("DIS-001", Legal, None, [], Fine("0", "5000")),
    case!("DIS-001", Legal, None, ["infection_outbreak"], Fine("5000", "20000")),
    case!("DIS-002", Legal, None, [], Fine("0", "5000")),
    case!("DIS-002", Legal, None, ["infection_outbreak"], Fine("5000", "20000")),
    case!("DIS-003", Legal, None, [], Fine("0", "5000")),
    case!("DIS-003", Legal, None, ["infection_outbreak"], Fine("5000", "20000")),
    case!("DIS-004", Legal, None, [], Fine("0", "5000")),
    case!("DIS-004", Legal, None, ["infection_outbreak"], Fine("5000", "20000")),
    case!("DIS-004", Citizen, Some("1200"), [], Fine("0", "5000")),
];

fn fen(s: &str) -> Fen {
    Fen::parse_yuan(s).unwrap()
}

fn run(case: &Case) -> Result<weijian_rules::penalty::Evaluation, weijian_rules::penalty::PenaltyError> {
    let circs: Vec<String> = case.circs.iter().map(|c| c.to_string()).collect();
    let q = Query {
        violation: case.code,
        party: case.party,
        facts: Facts { illegal_income: case.income.map(fen), amount_involved: None },
        circumstances: &circs,
    };
    evaluate(Catalog::official(), &q)
}

#[test]
fn every_case_gives_its_legal_range() {
    for case in CASES {
        let what = format!("{} {:?} income {:?} {:?}", case.code, case.party, case.income, case.circs);
        match (&case.expect, run(case)) {
            (Fine(min, max), Ok(ev)) => {
                let legal = ev.legal.unwrap_or_else(|| panic!("{what}: no fine"));
                assert_eq!((legal.min, legal.max), (fen(min), fen(max)), "{what}");
                let s = ev.suggested.unwrap_or_else(|| panic!("{what}: no suggestion"));
                assert!(legal.min <= s.min && s.min <= s.max && s.max <= legal.max, "{what}: suggestion inside");
            }
            (NoFine, Ok(ev)) => assert!(ev.legal.is_none() && ev.suggested.is_none(), "{what}"),
            (Error(code), Err(e)) => assert_eq!(e.code(), *code, "{what}"),
            (_, got) => panic!("{what}: unexpected {got:?}"),
        }
    }
}

/// The scale a case falls under, as the catalog's README states the rule:
/// the first scale naming one of the case's circumstances, else the last.
fn scale_of(v: &Violation, circs: &[&str]) -> usize {
    v.scales.iter().position(|s| s.when_any.iter().any(|c| circs.contains(&c.as_str()))).unwrap_or(v.scales.len() - 1)
}

fn minus_fen(amount: i64) -> String {
    Fen(amount * 100 - 1).to_string()
}

#[test]
fn every_boundary_of_every_entry_is_tested() {
    let catalog = Catalog::official();
    let mut missing = Vec::new();
    for v in &catalog.violations {
        for (i, scale) in v.scales.iter().enumerate() {
            let cases: Vec<&Case> = CASES.iter().filter(|c| c.code == v.code && scale_of(v, c.circs) == i).collect();
            let has = |income: Option<&str>| cases.iter().any(|c| c.income.map(fen) == income.map(fen));
            let mut need = |income: Option<String>| {
                if !has(income.as_deref()) {
                    missing.push(format!("{} scale “{}” illegal income {:?}", v.code, scale.label, income));
                }
            };
            need(None);
            match &scale.fine {
                Some(FineRule::Multiple { floor: Some(t), .. }) | Some(FineRule::Multiple { applies: Some(t), .. }) => {
                    need(Some(t.amount.to_string()));
                    need(Some(minus_fen(t.amount)));
                }
                Some(FineRule::Multiple { .. }) if !cases.iter().any(|c| c.income.is_some()) => {
                    missing.push(format!("{} scale “{}”: a case with illegal income", v.code, scale.label));
                }
                _ => {}
            }
        }
    }
    assert!(missing.is_empty(), "untested boundaries:\n{}", missing.join("\n"));
}

#[test]
fn the_catalog_is_large_enough_and_cites_every_source_document_penalty() {
    let catalog = Catalog::official();
    assert!(catalog.violations.len() >= 30, "{} entries", catalog.violations.len());
    for (query, what) in [
        ("母婴保健技术许可 擅自从事", "母婴保健 unlicensed services"),
        ("母婴保健技术许可 医学证明", "母婴保健 unlicensed certificates"),
        ("胎儿性别鉴定", "胎儿性别鉴定"),
        ("非医疗机构 人类辅助生殖", "ART by a non-medical institution"),
        ("医疗机构 超范围开展人类辅助生殖", "ART by a medical institution"),
        ("代孕", "ART prohibited acts"),
        ("医疗机构出具虚假", "false certificates by institutions"),
        ("未经亲自诊查", "physicians signing without examination"),
        ("虚假医学证明文件 人员", "false certificates by MCH staff"),
    ] {
        assert!(!catalog.search(query).is_empty(), "{what}: nothing found for {query}");
    }
    for law in [
        "医疗机构管理条例",
        "医师法",
        "护士条例",
        "公共场所卫生管理条例",
        "生活饮用水卫生监督管理办法",
        "传染病防治法",
        "放射诊疗管理规定",
        "医疗废物管理条例",
        "消毒管理办法",
    ] {
        assert!(catalog.violations.iter().any(|v| v.basis.iter().any(|c| c.law.contains(law))), "no entry under {law}");
    }
}
