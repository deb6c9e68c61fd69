//! The demo: the five jurisdictions of the source documents, with their
//! parents, bureaus, supervision institutes, sections and users of every role.
//! Names follow the sources where they give them (sections of 枣强县 and 上党区,
//! 枣庄市's 2016 卫生计生 names); where a source names none (most supervision
//! institutes, 海口市's sections) the name is the usual form. People are fictional.
//!
//! A client of the domain, not part of it: the CLI's `demo` command and the tests seed with it.

mod duty_lists;
pub mod inspections;
mod people;
pub mod registry;
pub mod self_inspections;

use weijian_domain::accounts::{self, CreateUser};
use weijian_domain::passwords;
use weijian_domain::DomainResult;
use weijian_rules::RegionCode;
use weijian_store::units::{self, NewUnit, Unit, UnitKind};
use weijian_store::{entities, regions, Actor, Role, Store};

pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub region_code: String,
    pub unit: String,
}

struct RegionSeed {
    code: &'static str,
    name: &'static str,
    parent: Option<&'static str>,
}

const REGIONS: &[RegionSeed] = &[
    RegionSeed { code: "130000", name: "河北省", parent: None },
    RegionSeed { code: "131100", name: "衡水市", parent: Some("130000") },
    RegionSeed { code: "131127", name: "枣强县", parent: Some("131100") },
    RegionSeed { code: "460000", name: "海南省", parent: None },
    RegionSeed { code: "460100", name: "海口市", parent: Some("460000") },
    RegionSeed { code: "370000", name: "山东省", parent: None },
    RegionSeed { code: "370400", name: "枣庄市", parent: Some("370000") },
    RegionSeed { code: "440000", name: "广东省", parent: None },
    RegionSeed { code: "440200", name: "韶关市", parent: Some("440000") },
    RegionSeed { code: "440229", name: "翁源县", parent: Some("440200") },
    RegionSeed { code: "140000", name: "山西省", parent: None },
    RegionSeed { code: "140400", name: "长治市", parent: Some("140000") },
    RegionSeed { code: "140404", name: "上党区", parent: Some("140400") },
];

struct UnitSeed {
    key: &'static str,
    region: &'static str,
    name: &'static str,
    kind: UnitKind,
    parent: Option<&'static str>,
    sections: &'static [(&'static str, &'static str)],
}

const UNITS: &[UnitSeed] = &[
    UnitSeed {
        key: "hb",
        region: "130000",
        name: "河北省卫生健康委员会",
        kind: UnitKind::Bureau,
        parent: None,
        sections: &[],
    },
    UnitSeed {
        key: "hs",
        region: "131100",
        name: "衡水市卫生健康委员会",
        kind: UnitKind::Bureau,
        parent: None,
        sections: &[],
    },
    UnitSeed {
        key: "zq",
        region: "131127",
        name: "枣强县卫生健康局",
        kind: UnitKind::Bureau,
        parent: None,
        sections: &[
            ("医政药政股", "医疗机构、医务人员执业与医疗服务监管"),
            ("法制监督与科技教育股", "行政执法监督、法制审核与科教"),
            ("疾病预防控制股", "传染病、地方病与公共卫生防控"),
            ("规划财务股", "卫生健康规划与财务管理"),
            ("健康枣强指导股", "健康促进与爱国卫生"),
            ("人口监测与家庭发展股", "人口监测、生育服务与老龄工作"),
            ("基层卫生和妇幼健康股", "基层卫生与妇幼健康服务"),
            ("中医股", "中医药管理与发展"),
        ],
    },
    UnitSeed {
        key: "zq_sup",
        region: "131127",
        name: "枣强县卫生监督所",
        kind: UnitKind::SupervisionInstitute,
        parent: Some("zq"),
        sections: &[],
    },
    UnitSeed {
        key: "hk",
        region: "460100",
        name: "海口市卫生健康委员会",
        kind: UnitKind::Bureau,
        parent: None,
        sections: &[("综合监督科", "综合监督执法的组织协调"), ("医政医管科", "医疗机构与医疗质量管理")],
    },
    UnitSeed {
        key: "hk_sup",
        region: "460100",
        name: "海口市卫生监督所",
        kind: UnitKind::SupervisionInstitute,
        parent: Some("hk"),
        sections: &[],
    },
    UnitSeed {
        key: "zz",
        region: "370400",
        name: "枣庄市卫生和计划生育委员会",
        kind: UnitKind::Bureau,
        parent: None,
        sections: &[("法制与监督科", "综合监督的组织、督导与考核")],
    },
    UnitSeed {
        key: "zz_sup",
        region: "370400",
        name: "枣庄市卫生计生监督局",
        kind: UnitKind::SupervisionInstitute,
        parent: Some("zz"),
        sections: &[],
    },
    UnitSeed {
        key: "wy",
        region: "440229",
        name: "翁源县卫生健康局",
        kind: UnitKind::Bureau,
        parent: None,
        sections: &[("医政股", "医疗机构准入与医疗服务监管"), ("综合监督股", "综合监管制度落实与督查")],
    },
    UnitSeed {
        key: "wy_sup",
        region: "440229",
        name: "翁源县卫生监督所",
        kind: UnitKind::SupervisionInstitute,
        parent: Some("wy"),
        sections: &[],
    },
    UnitSeed {
        key: "sd",
        region: "140404",
        name: "长治市上党区卫生健康局",
        kind: UnitKind::Bureau,
        parent: None,
        sections: &[
            ("医政监督股", "医疗卫生全流程监管与审批衔接"),
            ("基层卫生股", "基层医疗卫生机构管理"),
            ("妇幼家庭发展股", "妇幼健康服务与家庭发展"),
            ("疾控股", "疾病预防控制与公共卫生"),
            ("宣传老龄股", "健康宣传与老龄工作"),
            ("办公室", "综合协调与信息公示"),
        ],
    },
    UnitSeed {
        key: "sd_sup",
        region: "140404",
        name: "上党区卫生监督所",
        kind: UnitKind::SupervisionInstitute,
        parent: Some("sd"),
        sections: &[],
    },
];

/// (unit key, 机关代字): the bureaus number documents; their institutes issue in their name.
const ISSUER_CODES: &[(&str, &str)] = &[
    ("hb", "冀卫"),
    ("hs", "衡卫"),
    ("zq", "枣卫"),
    ("hk", "海卫"),
    ("zz", "枣卫计"),
    ("wy", "翁卫"),
    ("sd", "上党卫"),
];

/// (username, name, role, unit key)
const PEOPLE: &[(&str, &str, Role, &str)] = &[
    ("hb_admin", "贾文博", Role::Admin, "hb"),
    ("hb_leader", "魏书华", Role::Leader, "hb"),
    ("hs_admin", "韩立新", Role::Admin, "hs"),
    ("hs_leader", "冯建国", Role::Leader, "hs"),
    ("hs_inspector", "吕静", Role::Inspector, "hs"),
    ("zq_admin", "赵志强", Role::Admin, "zq"),
    ("zq_leader", "孙国栋", Role::Leader, "zq"),
    ("zq_chief", "李春梅", Role::SectionChief, "zq"),
    ("zq_legal", "王立平", Role::LegalReviewer, "zq"),
    ("zq_inspector1", "张卫东", Role::Inspector, "zq_sup"),
    ("zq_inspector2", "刘晓燕", Role::Inspector, "zq_sup"),
    ("hk_admin", "符海涛", Role::Admin, "hk"),
    ("hk_leader", "王琼", Role::Leader, "hk"),
    ("hk_chief", "陈明珠", Role::SectionChief, "hk"),
    ("hk_legal", "吴德光", Role::LegalReviewer, "hk"),
    ("hk_inspector1", "林志远", Role::Inspector, "hk_sup"),
    ("hk_inspector2", "云秀英", Role::Inspector, "hk_sup"),
    ("zz_admin", "褚宏伟", Role::Admin, "zz"),
    ("zz_leader", "田玉山", Role::Leader, "zz"),
    ("zz_chief", "孔凡丽", Role::SectionChief, "zz"),
    ("zz_legal", "颜景涛", Role::LegalReviewer, "zz"),
    ("zz_inspector1", "邵明亮", Role::Inspector, "zz_sup"),
    ("zz_inspector2", "殷红霞", Role::Inspector, "zz_sup"),
    ("wy_admin", "邓永强", Role::Admin, "wy"),
    ("wy_leader", "曾庆华", Role::Leader, "wy"),
    ("wy_chief", "罗美玲", Role::SectionChief, "wy"),
    ("wy_legal", "温志军", Role::LegalReviewer, "wy"),
    ("wy_inspector1", "巫建平", Role::Inspector, "wy_sup"),
    ("wy_inspector2", "钟小芳", Role::Inspector, "wy_sup"),
    ("sd_admin", "申晓东", Role::Admin, "sd"),
    ("sd_leader", "郭宏亮", Role::Leader, "sd"),
    ("sd_chief", "牛丽娟", Role::SectionChief, "sd"),
    ("sd_legal", "秦守仁", Role::LegalReviewer, "sd"),
    ("sd_inspector1", "暴建军", Role::Inspector, "sd_sup"),
    ("sd_inspector2", "常翠萍", Role::Inspector, "sd_sup"),
];

/// (region, entity name, institution account username, its contact person)
pub(crate) const INSTITUTIONS: &[(&str, &str, &str, &str)] = &[
    ("131127", "枣强县人民医院", "zq_hospital", "何振华"),
    ("460100", "海口市龙华区某口腔门诊部", "hk_clinic", "黎晓春"),
    ("370400", "枣庄市某妇产医院", "zz_hospital", "褚秀兰"),
    ("440229", "翁源县人民医院", "wy_hospital", "黄伟"),
    ("140404", "长治市上党区人民医院", "sd_hospital", "李俊峰"),
];

/// The demo institutions' own entities: registered medical institutions.
fn institution(region: &str, name: &str) -> entities::EntityData {
    use weijian_rules::registry::{AttributeValue, RiskGrade};
    let (kind, beds) = if name.contains("门诊部") {
        ("门诊部", 0)
    } else if name.contains("妇产") {
        ("专科医院", 120)
    } else {
        ("综合医院", 450)
    };
    let mut data = entities::EntityData::named(region, name);
    data.category = "medical_institution".into();
    data.uscc = Some(weijian_rules::ids::compose_uscc("12", region, name.chars().count() as u32 * 7919));
    data.uscc_exemption = None;
    data.attributes.insert("institution_type".into(), AttributeValue::Text(kind.into()));
    data.attributes.insert("beds".into(), AttributeValue::Integer(beds));
    data.attributes.insert("level".into(), AttributeValue::Text(if beds >= 300 { "二级" } else { "一级" }.into()));
    data.risk_grade = Some(RiskGrade::C);
    data.address = Some(format!("{name}院区"));
    data
}

fn rc(s: &str) -> RegionCode {
    RegionCode::parse(s).expect("demo region codes are valid")
}

/// Fills an empty, migrated database; returns the accounts with their passwords.
pub async fn seed(store: &Store) -> DomainResult<Vec<DemoAccount>> {
    let sys = Actor::system();
    for r in REGIONS {
        regions::insert(store, &sys, &rc(r.code), r.name, r.parent.map(rc).as_ref()).await?;
    }
    let mut made: Vec<(&str, Unit)> = vec![];
    for u in UNITS {
        let parent = u.parent.and_then(|p| made.iter().find(|(k, _)| *k == p)).map(|(_, unit)| unit.id);
        let unit = units::create(
            store,
            &sys,
            NewUnit {
                region_code: u.region,
                name: u.name,
                kind: u.kind,
                parent_unit_id: parent,
                phone: None,
                address: None,
            },
        )
        .await?;
        for (name, duty) in u.sections {
            units::create_section(store, &sys, unit.id, name, Some(duty)).await?;
        }
        made.push((u.key, unit));
    }
    for (key, code) in ISSUER_CODES {
        let unit = &made.iter().find(|(k, _)| k == key).expect("unit key").1;
        weijian_domain::documents::set_issuer_code(store, &sys, unit.id, code).await?;
    }
    crate::duty_lists::seed(store, &made).await?;
    let mut accounts = vec![];
    for (username, name, role, unit_key) in PEOPLE {
        let unit = &made.iter().find(|(k, _)| k == unit_key).expect("unit key").1;
        let password = passwords::generate();
        let created = accounts::create_with(
            store,
            &sys,
            CreateUser {
                username: username.to_string(),
                name: name.to_string(),
                role: *role,
                unit_id: Some(unit.id),
                entity_id: None,
                phone: None,
                password: Some(password.clone()),
            },
            false,
        )
        .await?;
        accounts.push(DemoAccount {
            username: created.user.username,
            password,
            role: *role,
            region_code: unit.region_code.clone(),
            unit: unit.name.clone(),
        });
    }
    for (region, entity_name, username, contact) in INSTITUTIONS {
        let entity = entities::create(store, &sys, &institution(region, entity_name)).await?;
        let kind = weijian_rules::registry::Registry::official().licence_kind("medical_practice").expect("built in");
        let issued = chrono::NaiveDate::from_ymd_opt(2023, 3, 1).expect("date");
        let beds = weijian_rules::registry::Category::beds(&entity.data.attributes);
        weijian_store::licences::create(
            store,
            &sys,
            &weijian_store::licences::LicenceData {
                entity_id: entity.id,
                kind: kind.key.clone(),
                number: format!("PDY{}{:05}", region, entity_name.chars().count()),
                scope: Some("内科；外科；妇产科；儿科；医学影像科".into()),
                issued_by: None,
                issued_on: issued,
                valid_until: kind.default_valid_until(issued),
                last_verified_on: None,
                next_verification_due: kind.next_verification_due(issued, beds),
                record: weijian_rules::registry::LicenceRecord::Valid,
            },
        )
        .await?;
        let password = passwords::generate();
        accounts::create_with(
            store,
            &sys,
            CreateUser {
                username: username.to_string(),
                name: contact.to_string(),
                role: Role::Institution,
                unit_id: None,
                entity_id: Some(entity.id),
                phone: None,
                password: Some(password.clone()),
            },
            false,
        )
        .await?;
        accounts.push(DemoAccount {
            username: username.to_string(),
            password,
            role: Role::Institution,
            region_code: region.to_string(),
            unit: entity_name.to_string(),
        });
    }
    crate::people::seed(store).await?;
    Ok(accounts)
}
