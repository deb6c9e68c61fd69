//! The demo's people: the inspector directory of every demo jurisdiction
//! (the supervision-institute staff linked to their accounts, a few without
//! accounts, some certificates running out and one expired) and doctors and
//! nurses at the demo institutions, a few with further practice sites.
//! Everyone is fictional; 身份证号 are generated with a valid check digit.

use chrono::{Days, Months, NaiveDate};
use weijian_domain::input;
use weijian_domain::DomainResult;
use weijian_rules::ids::citizen_id_check_char;
use weijian_rules::registry::{InspectorStatus, PractitionerKind, PractitionerStatus};
use weijian_store::entities::{self, EntityData};
use weijian_store::inspectors::{self, InspectorData};
use weijian_store::practitioners::{self, PractitionerData};
use weijian_store::{units, users, Actor, Store};

/// Certificate validity relative to the day the demo is seeded.
#[derive(Clone, Copy)]
enum Cert {
    /// Valid for years yet.
    Long,
    /// Runs out within the warning period (days left).
    Expiring(u64),
    /// Ran out this many days ago.
    Expired(u64),
}

/// (unit name, linked username or None, name, specialties, certificate, status)
type InspectorSeed = (&'static str, Option<&'static str>, &'static str, &'static [&'static str], Cert, InspectorStatus);

const INSPECTORS: &[InspectorSeed] = &[
    (
        "枣强县卫生监督所",
        Some("zq_inspector1"),
        "张卫东",
        &["medical_services", "infectious_disease"],
        Cert::Long,
        InspectorStatus::Active,
    ),
    (
        "枣强县卫生监督所",
        Some("zq_inspector2"),
        "刘晓燕",
        &["public_places", "school_health"],
        Cert::Expiring(12),
        InspectorStatus::Active,
    ),
    ("枣强县卫生监督所", None, "高振宇", &["drinking_water", "public_places"], Cert::Long, InspectorStatus::Active),
    ("枣强县卫生监督所", None, "马丽娜", &["medical_services"], Cert::Expired(20), InspectorStatus::Active),
    ("枣强县卫生监督所", None, "贾文涛", &["occupational", "radiation"], Cert::Long, InspectorStatus::Suspended),
    (
        "衡水市卫生健康委员会",
        Some("hs_inspector"),
        "吕静",
        &["medical_services", "blood"],
        Cert::Long,
        InspectorStatus::Active,
    ),
    (
        "海口市卫生监督所",
        Some("hk_inspector1"),
        "林志远",
        &["medical_services", "radiation"],
        Cert::Long,
        InspectorStatus::Active,
    ),
    (
        "海口市卫生监督所",
        Some("hk_inspector2"),
        "云秀英",
        &["public_places", "drinking_water"],
        Cert::Expiring(25),
        InspectorStatus::Active,
    ),
    ("海口市卫生监督所", None, "符丽华", &["school_health", "infectious_disease"], Cert::Long, InspectorStatus::Active),
    (
        "枣庄市卫生计生监督局",
        Some("zz_inspector1"),
        "邵明亮",
        &["maternal_child", "medical_services"],
        Cert::Long,
        InspectorStatus::Active,
    ),
    (
        "枣庄市卫生计生监督局",
        Some("zz_inspector2"),
        "殷红霞",
        &["disinfection", "infectious_disease"],
        Cert::Long,
        InspectorStatus::Active,
    ),
    ("枣庄市卫生计生监督局", None, "孙庆祥", &["occupational"], Cert::Expiring(5), InspectorStatus::Active),
    (
        "翁源县卫生监督所",
        Some("wy_inspector1"),
        "巫建平",
        &["medical_services", "public_places"],
        Cert::Long,
        InspectorStatus::Active,
    ),
    (
        "翁源县卫生监督所",
        Some("wy_inspector2"),
        "钟小芳",
        &["school_health", "drinking_water"],
        Cert::Long,
        InspectorStatus::Active,
    ),
    ("翁源县卫生监督所", None, "赖国平", &["infectious_disease"], Cert::Long, InspectorStatus::Active),
    (
        "上党区卫生监督所",
        Some("sd_inspector1"),
        "暴建军",
        &["medical_services", "occupational"],
        Cert::Long,
        InspectorStatus::Active,
    ),
    (
        "上党区卫生监督所",
        Some("sd_inspector2"),
        "常翠萍",
        &["public_places", "school_health"],
        Cert::Expiring(18),
        InspectorStatus::Active,
    ),
    ("上党区卫生监督所", None, "郝志刚", &["drinking_water", "disinfection"], Cert::Long, InspectorStatus::Active),
];

/// (institution, name, kind, birth date YYYYMMDD, sequence, practice category)
const PRACTITIONERS: &[(&str, &str, PractitionerKind, &str, u32, &str)] = &[
    ("枣强县人民医院", "齐建华", PractitionerKind::Physician, "19760314", 131, "临床"),
    ("枣强县人民医院", "宋雅琴", PractitionerKind::Physician, "19850922", 242, "临床"),
    ("枣强县人民医院", "韩冬梅", PractitionerKind::Nurse, "19900607", 368, "护理"),
    ("海口市龙华区某口腔门诊部", "陈少华", PractitionerKind::Physician, "19820118", 115, "口腔"),
    ("海口市龙华区某口腔门诊部", "吉小敏", PractitionerKind::Nurse, "19960430", 206, "护理"),
    ("枣庄市某妇产医院", "褚慧敏", PractitionerKind::Physician, "19790809", 324, "临床"),
    ("枣庄市某妇产医院", "王秀芬", PractitionerKind::Nurse, "19880216", 188, "护理"),
    ("翁源县人民医院", "邱文辉", PractitionerKind::Physician, "19740527", 53, "临床"),
    ("翁源县人民医院", "何丽萍", PractitionerKind::Nurse, "19921103", 262, "护理"),
    ("长治市上党区人民医院", "申永刚", PractitionerKind::Physician, "19800725", 137, "中医"),
    ("长治市上党区人民医院", "李晓红", PractitionerKind::Nurse, "19940312", 228, "护理"),
];

/// (region, a second institution for practice sites, practitioner who files a site there)
const SITES: &[(&str, &str, &str)] =
    &[("131127", "枣强县恩察镇卫生院", "齐建华"), ("140404", "长治市上党区某中医诊所", "申永刚")];

/// A fictional but well-formed 身份证号: region, birth date, sequence, check digit.
pub fn citizen_id(region: &str, birth: &str, sequence: u32) -> String {
    let first17 = format!("{region}{birth}{sequence:03}");
    let check = citizen_id_check_char(&first17).expect("digits");
    format!("{first17}{check}")
}

fn cert_dates(today: NaiveDate, cert: Cert) -> (NaiveDate, NaiveDate) {
    let from = today - Months::new(30);
    let until = match cert {
        Cert::Long => today + Months::new(30),
        Cert::Expiring(days) => today + Days::new(days),
        Cert::Expired(days) => today - Days::new(days),
    };
    (from, until)
}

pub async fn seed(store: &Store) -> DomainResult<()> {
    let sys = Actor::system();
    let today = input::today();
    let all_units = units::list(store, &sys).await?;
    for (n, (unit_name, username, name, specialties, cert, status)) in INSPECTORS.iter().enumerate() {
        let unit = all_units.iter().find(|u| u.name == *unit_name).expect("demo unit");
        let user_id = match username {
            Some(u) => users::credentials(store, u).await?.map(|(user, _)| user.id),
            None => None,
        };
        let (from, until) = cert_dates(today, *cert);
        let data = InspectorData {
            user_id,
            name: name.to_string(),
            unit_id: unit.id,
            cert_no: format!("{}{:08}", unit.region_code, 20230000 + n),
            cert_valid_from: from,
            cert_valid_until: until,
            specialties: specialties.iter().map(|s| s.to_string()).collect(),
            status: *status,
            phone: None,
        };
        inspectors::create(store, &sys, &data).await?;
    }
    let all_entities =
        entities::list(store, &sys, &entities::Query { limit: Some(200), ..Default::default() }).await?.items;
    let mut made = Vec::new();
    for (n, (institution, name, kind, birth, seq, category)) in PRACTITIONERS.iter().enumerate() {
        let entity = all_entities.iter().find(|e| e.data.name == *institution).expect("demo institution");
        let registered_on = today - Months::new(48 + 6 * n as u32);
        let prefix = match kind {
            PractitionerKind::Physician => "110",
            PractitionerKind::Nurse => "201",
            PractitionerKind::Technician => "301",
        };
        let data = PractitionerData {
            name: name.to_string(),
            id_number: citizen_id(&entity.data.region_code, birth, *seq),
            kind: *kind,
            qualification_no: Some(format!("{}{}{:06}", &birth[..4], entity.data.region_code, 100 + n)),
            practice_cert_no: Some(format!("{prefix}{}{:06}", entity.data.region_code, 500 + n)),
            practice_category: Some(category.to_string()),
            practice_scope: Some(format!("{category}专业")),
            entity_id: entity.id,
            status: PractitionerStatus::Practising,
            registered_on: Some(registered_on),
            // A nurse's registration runs five years from the last renewal.
            cert_valid_until: (*kind == PractitionerKind::Nurse)
                .then(|| registered_on + Months::new(60) - Days::new(1))
                .map(|d| if d < today { d + Months::new(60) } else { d }),
        };
        made.push(practitioners::create(store, &sys, &data).await?);
    }
    for (region, site_name, who) in SITES {
        let site = entities::create(store, &sys, &EntityData::named(region, site_name)).await?;
        let p = made.iter().find(|p| p.data.name == *who).expect("demo practitioner");
        practitioners::add_practice_site(store, &sys, p.id, site.id, today - Days::new(200)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use weijian_rules::ids::CitizenId;

    #[test]
    fn generated_numbers_pass_the_check() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for (_, _, _, birth, seq, _) in PRACTITIONERS {
            let n = citizen_id("131127", birth, *seq);
            assert!(CitizenId::parse(&n, today).is_ok(), "{n}");
        }
    }
}
