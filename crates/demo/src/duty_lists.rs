//! Demo responsibility lists, after the 枣强县 and 海口市 lists in the source
//! documents: their duties, sections, boundary partners and public services
//! carry over, retold in our own words. 海口市's effective date is illustrative.

use weijian_domain::duty_lists::{create_draft, publish, update_draft};
use weijian_domain::DomainResult;
use weijian_store::duty_lists::{Duty, DutyBoundary, DutyListContent, DutyTask, PublicService};
use weijian_store::units::Unit;
use weijian_store::{Actor, Store};

const ZQ_BASIS: &str = "《枣强县卫生健康局职能配置、内设机构和人员编制规定》";
const HK_BASIS: &str = "本单位职能配置、内设机构和人员编制规定（“三定”规定）";

fn duty(name: &str, basis: &str, tasks: &[(&str, &str)]) -> Duty {
    Duty {
        name: name.into(),
        basis: basis.into(),
        tasks: tasks
            .iter()
            .map(|(t, s)| DutyTask { name: (*t).into(), section: (*s).into(), remarks: String::new() })
            .collect(),
    }
}

fn boundary(matter: &str, ours: &str, other: &str, theirs: &str, basis: &str) -> DutyBoundary {
    DutyBoundary {
        matter: matter.into(),
        our_part: ours.into(),
        other_department: other.into(),
        their_part: theirs.into(),
        basis: basis.into(),
        cases: String::new(),
    }
}

fn service(name: &str, content: &str, unit: &str, phone: &str) -> PublicService {
    PublicService { name: name.into(), content: content.into(), handling_unit: unit.into(), phone: phone.into() }
}

fn zaoqiang() -> DutyListContent {
    const PLAN: &str = "规划财务股";
    const LAW: &str = "法制监督与科技教育股";
    const MED: &str = "医政药政股";
    const CDC: &str = "疾病预防控制股";
    const HEALTH: &str = "健康枣强指导股";
    const POP: &str = "人口监测与家庭发展股";
    const BASE: &str = "基层卫生和妇幼健康股";
    const TCM: &str = "中医股";
    DutyListContent {
        duties: vec![
            duty(
                "拟订并推行全县卫生健康政策和发展规划，统筹配置卫生健康资源，推动基本公共服务均等、普惠、便捷并向基层延伸",
                ZQ_BASIS,
                &[
                    ("起草全县卫生健康事业中长期发展规划", PLAN),
                    ("审查规范性文件的合法性，办理行政复议和行政应诉", LAW),
                    ("统筹全县卫生健康资源布局，指导区域卫生健康规划的编制和落实", PLAN),
                    ("推进卫生健康信息化建设，管理统计报表和文书档案", PLAN),
                    ("负责机关及预算单位的预决算、财务、资产管理和内部审计", PLAN),
                ],
            ),
            duty(
                "协调推进全县医药卫生体制改革，深化公立医院综合改革，健全现代医院管理制度",
                ZQ_BASIS,
                &[
                    ("研究提出医改政策和措施建议，承担医改具体工作", MED),
                    ("推进公立医院综合改革，建立公立医院运行监管和绩效考核制度", MED),
                    ("就药品价格和基本药物扶持政策会同有关部门提出建议", MED),
                ],
            ),
            duty(
                "组织落实疾病预防控制规划和免疫规划，负责卫生应急和突发公共卫生事件的防控与医疗救援",
                ZQ_BASIS,
                &[
                    ("组织实施重大疾病防治规划和国家免疫规划", CDC),
                    ("开展重点职业病监测和职业健康风险评估", CDC),
                    ("编制卫生应急预案，组织突发事件的监测预警、处置和紧急医学救援", CDC),
                    ("发布突发公共卫生事件应急处置信息", CDC),
                ],
            ),
            duty(
                "依职责监督管理职业卫生、放射卫生、环境卫生、学校卫生、公共场所卫生和饮用水卫生，负责传染病防治监督，健全综合监督体系",
                ZQ_BASIS,
                &[
                    ("承担公共卫生和医疗卫生监督，查处医疗服务市场的违法行为", LAW),
                    ("对学校卫生、公共场所、生活饮用水和传染病防治开展监督检查", LAW),
                    ("完善综合监督体系，指导和规范执法行为", LAW),
                    ("牵头落实控烟履约工作，承担县爱卫办日常工作", HEALTH),
                ],
            ),
            duty(
                "制定医疗机构和医疗服务行业管理办法并监督实施，做好行政许可事项的运行监管",
                ZQ_BASIS,
                &[
                    ("拟订医疗机构、医务人员、医疗技术、医疗质量安全和行风建设的管理规范并督促执行", MED),
                    ("办理医疗机构校验、卫生专业技术人员执业注册和医师定期考核", MED),
                    ("负责征兵体检、对口支援、医共体建设和医疗废物处置管理", MED),
                ],
            ),
            duty(
                "负责基层卫生、妇幼健康服务体系和全科医生队伍建设",
                ZQ_BASIS,
                &[
                    ("拟订基层卫生健康政策并组织实施，指导乡村医生管理", BASE),
                    ("推进妇幼健康服务体系建设，指导出生缺陷防治和人类辅助生殖技术管理", BASE),
                ],
            ),
            duty(
                "负责全县中医药事业发展，监管中医医疗、预防、保健、康复和临床用药",
                ZQ_BASIS,
                &[
                    ("编制中医药中长期发展规划，指导中医和中西医结合医疗机构", TCM),
                    ("组织中医药科研、人才培养和继续教育，推广新技术新成果", TCM),
                ],
            ),
            duty(
                "开展人口监测预警，完善生育政策，推进老龄事业和医养结合",
                ZQ_BASIS,
                &[
                    ("承担人口监测预警，完善生育政策，健全计划生育特殊家庭扶助制度", POP),
                    ("拟订应对人口老龄化和医养结合的政策措施", POP),
                ],
            ),
        ],
        boundaries: vec![
            boundary(
                "人口监测与人口发展",
                "开展人口监测预警，完善生育政策，就人口数量、素质、结构和分布提出与生育有关的政策建议",
                "县发展和改革局",
                "监测评估人口变动趋势，建立人口预测预报制度，开展重大决策人口影响评估，拟订全县人口发展战略",
                ZQ_BASIS,
            ),
            boundary(
                "老龄工作与养老服务",
                "拟订应对人口老龄化和医养结合政策，推进老年健康服务",
                "县民政局",
                "统筹和监管养老服务，拟订养老服务体系建设规划，承担老年人福利和特殊困难老年人救助",
                ZQ_BASIS,
            ),
            boundary(
                "食品安全风险监测",
                "负责食品安全风险监测，会同有关部门跟踪评价食品安全标准的执行",
                "县市场监督管理局",
                "对风险监测发现的问题作进一步调查；双方互相通报获知的食品安全信息",
                ZQ_BASIS,
            ),
            boundary(
                "医疗保障政策衔接",
                "在医疗、医保、医药、医价方面与医保部门衔接政策，协同推进改革",
                "县医疗保障局",
                "与卫生健康部门建立沟通协商机制，共同提高医疗资源使用效率和保障水平",
                ZQ_BASIS,
            ),
        ],
        public_services: vec![
            service("农村独生子女中考、高考加分", "符合条件的农村独生子女参加本省中考、高考时给予加分照顾", "人口家庭科", "8222796"),
            service("生育登记", "已婚夫妇自主安排生育的，办理一孩、二孩生育登记", "人口家庭科", "8222796"),
            service("人工终止妊娠审批", "怀孕 14 周以上因特殊情况确需终止妊娠的，依申请审批", "人口家庭科", "8222796"),
        ],
    }
}

fn haikou() -> DutyListContent {
    const SUP: &str = "综合监督科";
    const MED: &str = "医政医管科";
    DutyListContent {
        duties: vec![
            duty(
                "拟订并实施本市卫生健康政策法规和发展规划，提出推进自由贸易试验区和自由贸易港建设的卫生健康政策措施",
                HK_BASIS,
                &[
                    ("贯彻卫生健康和爱国卫生工作的方针政策与法律法规", ""),
                    ("落实省委、市委部署和自由贸易港建设中的卫生健康政策措施", ""),
                ],
            ),
            duty(
                "统筹全市卫生健康资源配置，推进基本医疗和基本公共卫生服务，指导基层和妇幼健康服务体系建设",
                HK_BASIS,
                &[
                    ("拟订社区卫生、妇幼卫生发展规划和服务标准并组织实施", ""),
                    ("指导农村卫生服务体系建设和乡村医生管理", ""),
                    ("组织卫生健康科研项目，推动科技创新", ""),
                ],
            ),
            duty(
                "协调推进全市医药卫生体制改革，深化公立医院综合改革，推进管办分离",
                HK_BASIS,
                &[("承担医改日常工作并提出重大政策建议", MED), ("推进公立医院综合改革和现代医院管理制度建设", MED)],
            ),
            duty(
                "拟订并实施疾病预防控制规划和免疫规划，负责卫生应急和重大活动医疗卫生保障",
                HK_BASIS,
                &[
                    ("监测和防治传染病、地方病和慢性非传染性疾病", ""),
                    ("开展突发公共卫生事件的监测预警、风险评估和应急处置", ""),
                    ("建设医疗急救平台，组织紧急医疗救援", ""),
                    ("依法发布突发公共卫生事件应急处置信息", ""),
                ],
            ),
            duty(
                "指导和规范卫生行政执法，依职责监督传染病防治、职业卫生、放射卫生、学校卫生、公共场所卫生和饮用水卫生",
                HK_BASIS,
                &[
                    ("培训、考核和监督全市卫生执法人员", SUP),
                    ("承担行政诉讼和重大处罚案件听证", SUP),
                    ("监管医疗服务，打击非法行医、非法胎儿性别鉴定和非法中期引产", SUP),
                    ("监督传染病防治并依法查处违法行为", SUP),
                    ("监督住宿、美容美发、沐浴、文化娱乐等公共场所卫生和生活饮用水卫生", SUP),
                ],
            ),
            duty(
                "负责医疗机构和医疗服务行业准入管理，建立医疗服务评价和监督管理体系",
                HK_BASIS,
                &[
                    ("拟订并实施医疗机构设置规划和医疗质量安全管理规范", MED),
                    ("组织医疗质量评价和监督", MED),
                    ("办理医师、护士执业注册", MED),
                    ("预防和调处医疗纠纷", MED),
                ],
            ),
            duty(
                "负责卫生健康行政许可审批",
                HK_BASIS,
                &[
                    ("医疗机构执业许可的设置审批、变更、登记和校验", MED),
                    ("公共场所和生活饮用水卫生许可的审批与复核", SUP),
                    ("放射诊疗建设项目职业病危害放射防护预评价审核和竣工验收", MED),
                ],
            ),
        ],
        boundaries: vec![
            boundary(
                "食品安全",
                "负责食品安全风险监测和食品安全事故的流行病学调查处置",
                "市市场监督管理局",
                "负责食品安全的综合协调",
                "",
            ),
            boundary(
                "二次供水监管",
                "审批二次供水设施卫生许可，对二次供水单位开展卫生监督和水质监测，查处卫生违法行为",
                "市水务局",
                "负责二次供水单位的日常管理，查处有关违法违规行为",
                "《中华人民共和国传染病防治法》《生活饮用水卫生监督管理办法》《海南省城镇饮用水卫生监督管理规定》",
            ),
            boundary(
                "老龄工作与医养结合",
                "拟订应对人口老龄化和医养结合政策，承担老年疾病防治、医疗照护和心理关怀服务",
                "市民政局",
                "统筹和监管养老服务，承担老年人福利和特殊困难老年人救助",
                "",
            ),
            boundary(
                "人口发展规划",
                "开展人口监测预警，完善生育政策并提出相关建议",
                "市发展和改革委员会",
                "监测评估人口变动趋势，开展重大决策人口影响评估，拟订人口发展战略",
                "《中华人民共和国人口与计划生育法》《海南省人口与计划生育条例》",
            ),
        ],
        public_services: vec![
            service(
                "病残儿医学鉴定",
                "子女有明显伤残或严重疾病、依法可申请再生育的，可申请医学鉴定",
                "海口市卫生健康委员会",
                "68723827",
            ),
            service("医疗机构执业登记校验", "医疗机构按期申请执业登记校验", "海口市卫生健康委员会", "68511093"),
            service(
                "医疗纠纷行政调解",
                "医患双方协商不成或不愿协商的，可申请卫生行政部门调解",
                "海口市卫生健康委员会",
                "68707046",
            ),
            service("职业病鉴定", "当事人对职业病诊断有异议的，可申请组织诊断鉴定", "医学会", "36633879"),
            service(
                "医师多机构执业备案",
                "医师在多个机构执业的，确定主要执业机构并办理备案",
                "海口市卫生健康委员会",
                "68511093",
            ),
        ],
    }
}

/// Published lists for the 枣强县 and 海口市 bureaus, and a newer draft for 枣强县.
pub async fn seed(store: &Store, made: &[(&str, Unit)]) -> DomainResult<()> {
    let sys = Actor::system();
    let unit = |key: &str| made.iter().find(|(k, _)| *k == key).map(|(_, u)| u.id).expect("demo unit key");
    for (key, title, content, effective_on) in [
        ("zq", "枣强县卫生健康局责任清单", zaoqiang(), "2019-09-17"),
        ("hk", "海口市卫生健康委员会权责清单", haikou(), "2020-01-01"),
    ] {
        let draft = create_draft(store, &sys, unit(key), Some(title)).await?;
        update_draft(store, &sys, draft.id, title, &content).await?;
        publish(store, &sys, draft.id, None, effective_on).await?;
    }
    // 枣强县 is revising its list: a second version, not yet published.
    let mut revised = zaoqiang();
    revised.duties[3].tasks.push(DutyTask {
        name: "推进医疗卫生行业综合监管信息化，归集监督执法数据".into(),
        section: "法制监督与科技教育股".into(),
        remarks: "修订中".into(),
    });
    let draft = create_draft(store, &sys, unit("zq"), None).await?;
    update_draft(store, &sys, draft.id, &draft.title, &revised).await?;
    Ok(())
}
