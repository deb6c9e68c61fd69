//! Generated registry data: the demo's few hundred entities a jurisdiction, and
//! the province-sized dataset the benchmarks run on. Deterministic (a fixed
//! seed), names and numbers fictional but shaped like the real ones, every
//! identifier valid. Written in batches, one audit event a batch.

use chrono::{Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use weijian_domain::DomainResult;
use weijian_rules::ids::{compose_citizen_id, compose_uscc};
use weijian_rules::registry::Category;
use weijian_rules::registry::{
    AttributeValue, CreditGrade, EntityStatus, InspectorStatus, LicenceRecord, PractitionerKind, PractitionerStatus,
    Registry, RiskGrade,
};
use weijian_store::audit::Change;
use weijian_store::entities::{self, EntityData};
use weijian_store::inspectors::{self, InspectorData};
use weijian_store::licences::{self, LicenceData};
use weijian_store::practitioners::{self, PractitionerData};
use weijian_store::units::{self, UnitKind};
use weijian_store::{Actor, Store};

/// A region to fill: its code, its name as used in addresses and licence
/// numbers, and the province abbreviation printed on licences.
pub struct Target<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub abbreviation: &'a str,
}

/// The demo's five jurisdictions (the regions of the source documents).
pub const DEMO_TARGETS: &[Target<'static>] = &[
    Target { code: "131127", name: "枣强县", abbreviation: "冀" },
    Target { code: "460100", name: "海口市", abbreviation: "琼" },
    Target { code: "370400", name: "枣庄市", abbreviation: "鲁" },
    Target { code: "440229", name: "翁源县", abbreviation: "粤" },
    Target { code: "140404", name: "上党区", abbreviation: "晋" },
];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    pub entities: usize,
    pub licences: usize,
    pub practitioners: usize,
    pub inspectors: usize,
}

/// Weights per category, in ‰ of entities (every category appears).
const MIX: &[(&str, u32)] = &[
    ("medical_institution", 340),
    ("public_place", 300),
    ("water_supply", 50),
    ("school", 100),
    ("radiation", 30),
    ("occupational_employer", 50),
    ("occupational_service", 10),
    ("maternal_family_planning", 20),
    ("blood", 5),
    ("disinfectant_producer", 20),
    ("water_product_producer", 15),
    ("elderly_care", 40),
    ("other", 20),
];

const TOWNS: &[&str] = &[
    "城关", "东关", "西关", "南街", "北街", "新华", "建设", "人民", "和平", "解放", "长安", "永安", "兴隆", "太平",
    "安乐", "东湖", "西湖", "龙泉", "青山", "白塔", "红旗", "光明", "幸福", "富强", "振兴", "朝阳", "迎宾", "滨河",
];
const ROADS: &[&str] =
    &["中山路", "人民路", "解放路", "建设街", "文化路", "胜利街", "团结路", "育才路", "商业街", "迎宾大道"];
const BRANDS: &[&str] = &[
    "金源", "鸿运", "华美", "银河", "佳和", "盛世", "锦程", "天悦", "瑞丰", "嘉禾", "福满", "如意", "康乐", "顺达",
    "宏图", "君悦", "名流", "靓丽", "清泉", "碧水", "雅致", "尚品", "欣然", "百合", "东方", "恒信", "华润", "友谊",
];
const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"];
const GIVEN: &[&str] =
    &["建国", "秀英", "志强", "桂兰", "伟", "芳", "海燕", "国华", "丽娟", "俊杰", "晓东", "春梅", "明", "静"];

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

fn category(rng: &mut StdRng) -> &'static str {
    let mut roll = rng.gen_range(0..1000u32);
    for (key, weight) in MIX {
        if roll < *weight {
            return key;
        }
        roll -= weight;
    }
    "other"
}

fn person(rng: &mut StdRng) -> String {
    format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN))
}

fn text(s: &str) -> AttributeValue {
    AttributeValue::Text(s.to_string())
}

/// Name, attributes and whether the holder is a public institution (USCC "12...").
fn shape(rng: &mut StdRng, category: &str, place: &str, n: usize) -> (String, BTreeMap<String, AttributeValue>, bool) {
    let town = pick(rng, TOWNS);
    let brand = pick(rng, BRANDS);
    let mut a = BTreeMap::new();
    let (name, public) = match category {
        "medical_institution" => {
            let (kind, name, beds, public): (&str, String, i64, bool) = match rng.gen_range(0..10) {
                0 => ("综合医院", format!("{place}{brand}医院"), rng.gen_range(100..600), false),
                1 => ("乡镇卫生院", format!("{place}{town}镇卫生院"), rng.gen_range(20..99), true),
                2 => ("社区卫生服务中心", format!("{place}{town}社区卫生服务中心"), rng.gen_range(0..50), true),
                3 => ("村卫生室", format!("{place}{town}乡{brand}村卫生室"), 0, false),
                4 => ("门诊部", format!("{place}{brand}口腔门诊部"), 0, false),
                5 => ("中医诊所", format!("{place}{}氏中医诊所", pick(rng, SURNAMES)), 0, false),
                6 => ("专科医院", format!("{place}{brand}眼科医院"), rng.gen_range(20..150), false),
                _ => ("诊所", format!("{place}{town}{brand}诊所"), 0, false),
            };
            a.insert("institution_type".into(), text(kind));
            a.insert("beds".into(), AttributeValue::Integer(beds));
            a.insert("profit".into(), text(if public { "非营利性" } else { "营利性" }));
            a.insert(
                "level".into(),
                text(if beds >= 300 {
                    "二级"
                } else if beds > 0 {
                    "一级"
                } else {
                    "未定级"
                }),
            );
            (name, public)
        }
        "public_place" => {
            let (kind, suffix) = *pick(
                rng,
                &[
                    ("住宿", "宾馆"),
                    ("住宿", "酒店"),
                    ("沐浴", "浴池"),
                    ("美容美发", "美容美发店"),
                    ("美容美发", "理发店"),
                    ("文化娱乐", "KTV"),
                    ("游泳场所", "游泳馆"),
                    ("体育健身", "健身中心"),
                ],
            );
            a.insert("place_type".into(), text(kind));
            a.insert("area_m2".into(), AttributeValue::Integer(rng.gen_range(40..3000)));
            (format!("{place}{brand}{suffix}"), false)
        }
        "water_supply" => {
            if rng.gen_bool(0.3) {
                a.insert("supply_type".into(), text("集中式供水"));
                a.insert("daily_tonnes".into(), AttributeValue::Integer(rng.gen_range(500..50000)));
                (format!("{place}{town}水厂"), true)
            } else {
                a.insert("supply_type".into(), text("二次供水"));
                (format!("{place}{brand}小区二次供水设施"), false)
            }
        }
        "school" => {
            let (kind, suffix) =
                *pick(rng, &[("幼儿园", "幼儿园"), ("小学", "小学"), ("初级中学", "中学"), ("高级中学", "高级中学")]);
            a.insert("school_type".into(), text(kind));
            a.insert("students".into(), AttributeValue::Integer(rng.gen_range(80..3000)));
            (format!("{place}{town}{suffix}"), true)
        }
        "radiation" => {
            a.insert("radiation_types".into(), text("X射线影像诊断"));
            a.insert("devices".into(), AttributeValue::Integer(rng.gen_range(1..6)));
            (format!("{place}{brand}医学影像诊断中心"), false)
        }
        "occupational_employer" => {
            a.insert("industry".into(), text(pick::<&str>(rng, &["建材", "铸造", "化工", "家具制造", "纺织"])));
            a.insert("hazard_level".into(), text(pick::<&str>(rng, &["一般", "较重", "严重"])));
            a.insert("exposed_workers".into(), AttributeValue::Integer(rng.gen_range(5..400)));
            (format!("{place}{brand}{}有限公司", pick(rng, &["建材", "机械", "化工", "家具", "纺织"])), false)
        }
        "occupational_service" => (format!("{place}{brand}职业卫生技术服务有限公司"), false),
        "maternal_family_planning" => {
            a.insert("services".into(), text("婚前医学检查、助产技术"));
            (format!("{place}{town}妇幼保健计划生育服务站"), true)
        }
        "blood" => {
            a.insert("blood_type".into(), text("一般血站"));
            (format!("{place}中心血站{}", if n > 0 { format!("第{n}采血点") } else { String::new() }), true)
        }
        "disinfectant_producer" => (format!("{place}{brand}消毒用品有限公司"), false),
        "water_product_producer" => (format!("{place}{brand}净水设备有限公司"), false),
        "elderly_care" => {
            a.insert("beds".into(), AttributeValue::Integer(rng.gen_range(20..300)));
            a.insert("medical_integration".into(), text(pick::<&str>(rng, &["内设医疗机构", "签约合作"])));
            (format!("{place}{brand}颐养院"), false)
        }
        _ => (format!("{place}{brand}卫生用品店"), false),
    };
    (name, a, public)
}

/// Fills each target with `per_region` entities and their licences.
/// `serial_base` keeps identifiers unique when called more than once.
pub async fn seed(
    store: &Store,
    targets: &[Target<'_>],
    per_region: usize,
    seed: u64,
    today: NaiveDate,
    mut progress: impl FnMut(usize, usize),
) -> DomainResult<Generated> {
    let registry = Registry::official();
    let sys = Actor::system();
    let mut rng = StdRng::seed_from_u64(seed);
    let total = per_region * targets.len();
    let mut out = Generated::default();
    const BATCH: usize = 500;
    let mut serial = 0u32;
    let mut done = 0usize;
    let all_units = units::list(store, &sys).await?;
    let specialties: Vec<String> = registry.specialties.iter().map(|s| s.key.clone()).collect();
    for target in targets {
        // One inspector per hundred entities, at the region's supervision institute.
        let unit = all_units
            .iter()
            .filter(|u| u.region_code == target.code)
            .max_by_key(|u| u.kind == UnitKind::SupervisionInstitute)
            .cloned();
        if let Some(unit) = unit {
            let wanted = per_region / 100;
            let mut tx = store.begin().await?;
            for i in 0..wanted {
                let from = today - Days::new(rng.gen_range(30..1800));
                let until = match i % 50 {
                    0 => today - Days::new(rng.gen_range(1..60)),
                    1 | 2 => today + Days::new(rng.gen_range(0..30)),
                    _ => from.checked_add_months(chrono::Months::new(60)).expect("date").max(today + Days::new(31)),
                };
                let mut mine: Vec<String> = (0..2).map(|_| pick(&mut rng, &specialties).clone()).collect();
                mine.sort();
                mine.dedup();
                let data = InspectorData {
                    user_id: None,
                    name: person(&mut rng),
                    unit_id: unit.id,
                    cert_no: format!("{}G{}{:06}", target.abbreviation, target.code, i + 1),
                    cert_valid_from: from,
                    cert_valid_until: until,
                    specialties: mine,
                    status: if i % 40 == 39 { InspectorStatus::Suspended } else { InspectorStatus::Active },
                    phone: None,
                };
                inspectors::insert(tx.conn(), &sys, &unit, &data).await?;
                out.inspectors += 1;
            }
            tx.audit(
                &sys,
                Change {
                    action: "demo.generate_inspectors",
                    object_type: "region",
                    object_id: target.code.to_string(),
                    region_code: Some(target.code.to_string()),
                    summary: format!("生成{}演示执法人员 {wanted} 名", target.name),
                    before: None,
                    after: None,
                },
            )
            .await?;
            tx.commit().await?;
        }
        let mut made = 0usize;
        while made < per_region {
            let batch = BATCH.min(per_region - made);
            let mut tx = store.begin().await?;
            let mut licences_here = 0;
            for _ in 0..batch {
                serial += 1;
                let cat = category(&mut rng);
                let (mut name, attributes, public) = shape(&mut rng, cat, target.name, made);
                // Names repeat across a big dataset; a branch number keeps them apart, as real registers do.
                if made >= 200 && rng.gen_bool(0.5) {
                    name = format!("{name}（{}店）", serial % 997 + 1);
                }
                let individual = rng.gen_ratio(1, 50) && cat == "public_place";
                let kind = if public {
                    "12"
                } else if cat == "elderly_care" {
                    "52"
                } else {
                    "91"
                };
                let status = match rng.gen_range(0..100) {
                    0..=93 => EntityStatus::Operating,
                    94..=97 => EntityStatus::Suspended,
                    _ => EntityStatus::Closed,
                };
                let town = pick(&mut rng, TOWNS);
                let data = EntityData {
                    region_code: target.code.to_string(),
                    name,
                    uscc: (!individual).then(|| compose_uscc(kind, target.code, serial)),
                    uscc_exemption: individual.then(|| "个体经营者，未取得统一社会信用代码".to_string()),
                    category: cat.to_string(),
                    attributes,
                    legal_representative: Some(person(&mut rng)),
                    address: Some(format!(
                        "{}{}镇{}{}号",
                        target.name,
                        town,
                        pick(&mut rng, ROADS),
                        rng.gen_range(1..400)
                    )),
                    grid: Some(format!("{town}第{}网格", rng.gen_range(1..9))),
                    contact_person: Some(person(&mut rng)),
                    contact_phone: Some(format!("1{}{:09}", rng.gen_range(3..10), rng.gen_range(0..1_000_000_000u32))),
                    status,
                    risk_grade: Some(match rng.gen_range(0..100) {
                        0..=39 => RiskGrade::A,
                        40..=74 => RiskGrade::B,
                        75..=92 => RiskGrade::C,
                        _ => RiskGrade::D,
                    }),
                    credit_grade: Some(match rng.gen_range(0..100) {
                        0..=59 => CreditGrade::A,
                        60..=89 => CreditGrade::B,
                        90..=97 => CreditGrade::C,
                        _ => CreditGrade::D,
                    }),
                };
                let category = registry.category(cat).expect("generated categories exist");
                let beds = weijian_rules::registry::Category::beds(&data.attributes);
                let mut planned = Vec::new();
                for kind_key in &category.required_licences {
                    // Some operate without: the registry's warnings have something to find.
                    if rng.gen_ratio(1, 40) {
                        continue;
                    }
                    let kind = registry.licence_kind(kind_key).expect("required kinds exist");
                    let roll = rng.gen_range(0..100);
                    let issued = match (roll, kind.valid_years) {
                        // Expired: issued a full validity plus a little ago.
                        (0..=4, Some(y)) => today - Days::new(u64::from(y) * 365 + rng.gen_range(5..200)),
                        // Expiring: its validity ends within the renewal lead.
                        (5..=9, Some(y)) => {
                            today
                                - Days::new(
                                    u64::from(y) * 365 - rng.gen_range(1..u64::from(kind.renew_before_days.max(2))),
                                )
                        }
                        _ => today - Days::new(rng.gen_range(30..1400)),
                    };
                    let number = format!(
                        "{}卫{}〔{}〕{}{:07}",
                        target.abbreviation,
                        licence_word(kind_key),
                        chrono::Datelike::year(&issued),
                        &target.code[..4],
                        serial
                    );
                    planned.push(LicenceData {
                        entity_id: Default::default(),
                        kind: kind_key.clone(),
                        number,
                        scope: None,
                        issued_by: Some(format!("{}卫生健康局", target.name)),
                        issued_on: issued,
                        valid_until: kind.default_valid_until(issued),
                        last_verified_on: None,
                        next_verification_due: kind.next_verification_due(issued, beds),
                        record: if status == EntityStatus::Closed {
                            LicenceRecord::Cancelled
                        } else {
                            LicenceRecord::Valid
                        },
                    });
                }
                let numbers: Vec<String> = planned.iter().map(|l| l.number.clone()).collect();
                let entity = entities::insert_with_numbers(tx.conn(), &sys, &data, &numbers).await?;
                for mut l in planned {
                    l.entity_id = entity.id;
                    licences::insert_without_search(tx.conn(), &sys, &entity, &l).await?;
                    licences_here += 1;
                }
                let staff = match (cat, Category::beds(&entity.data.attributes)) {
                    ("medical_institution", Some(beds)) if beds >= 100 => rng.gen_range(4..10),
                    ("medical_institution", Some(beds)) if beds > 0 => rng.gen_range(1..4),
                    ("medical_institution" | "maternal_family_planning", _) => rng.gen_range(0..2),
                    _ => 0,
                };
                for _ in 0..staff {
                    let n = out.practitioners;
                    let kind = if rng.gen_bool(0.55) { PractitionerKind::Physician } else { PractitionerKind::Nurse };
                    let registered = today - Days::new(rng.gen_range(100..7000));
                    // Sequences 900–999 and births from 1955 on keep generated numbers apart from the demo's people.
                    let birth = NaiveDate::from_ymd_opt(1955, 1, 1).expect("date") + Days::new((n / 100) as u64);
                    let data = PractitionerData {
                        name: person(&mut rng),
                        id_number: compose_citizen_id(target.code, birth, 900 + (n % 100) as u16),
                        kind,
                        qualification_no: Some(format!("Q{}{:08}", target.code, n)),
                        practice_cert_no: Some(format!(
                            "{}{}{:08}",
                            kind.key().to_uppercase().chars().next().unwrap_or('P'),
                            target.code,
                            n
                        )),
                        practice_category: Some(
                            (if kind == PractitionerKind::Nurse {
                                "护理"
                            } else {
                                *pick(&mut rng, &["临床", "口腔", "中医", "公共卫生"])
                            })
                            .to_string(),
                        ),
                        practice_scope: None,
                        entity_id: entity.id,
                        status: PractitionerStatus::Practising,
                        registered_on: Some(registered),
                        cert_valid_until: (kind == PractitionerKind::Nurse)
                            .then(|| registered.checked_add_months(chrono::Months::new(60)).and_then(|d| d.pred_opt()))
                            .flatten(),
                    };
                    practitioners::insert(tx.conn(), &sys, &entity, &data).await?;
                    out.practitioners += 1;
                }
            }
            tx.audit(
                &sys,
                Change {
                    action: "demo.generate_registry",
                    object_type: "region",
                    object_id: target.code.to_string(),
                    region_code: Some(target.code.to_string()),
                    summary: format!("生成{}演示监管对象 {batch} 户、许可证 {licences_here} 件", target.name),
                    before: None,
                    after: None,
                },
            )
            .await?;
            tx.commit().await?;
            made += batch;
            done += batch;
            out.entities += batch;
            out.licences += licences_here;
            progress(done, total);
        }
    }
    Ok(out)
}

fn licence_word(kind: &str) -> &'static str {
    match kind {
        "medical_practice" => "医证字",
        "public_place_hygiene" => "公证字",
        "water_supply_hygiene" => "水证字",
        "radiation_practice" => "放证字",
        "maternal_health_service" => "母证字",
        "blood_station_practice" => "血证字",
        "disinfectant_production" => "消证字",
        _ => "证字",
    }
}
