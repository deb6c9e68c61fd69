//! The documents themselves: 卫生监督意见书 and 现场笔录, from plain data.

use crate::layout::{size, Align, Column, Composer, Style, Weight};
use crate::{DocumentError, Fonts};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};
use weijian_rules::documents::{DocNumber, DocumentKind, IssuerCode};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspector {
    pub name: String,
    /// 执法证号
    pub certificate_no: String,
}

/// The inspectors who act: at least two, each named with a certificate, no one twice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Inspectors(Vec<Inspector>);

impl Inspectors {
    pub fn new(list: Vec<Inspector>) -> Result<Inspectors, DocumentError> {
        if list.len() < 2 {
            return Err(DocumentError::Invalid("执法人员不得少于两人".into()));
        }
        if list.iter().any(|i| i.name.trim().is_empty() || i.certificate_no.trim().is_empty()) {
            return Err(DocumentError::Invalid("每名执法人员都应有姓名和执法证号".into()));
        }
        for (n, i) in list.iter().enumerate() {
            if list[..n].iter().any(|j| j.certificate_no == i.certificate_no) {
                return Err(DocumentError::Invalid(format!("执法证号 {} 重复", i.certificate_no)));
            }
        }
        Ok(Inspectors(list))
    }

    pub fn list(&self) -> &[Inspector] {
        &self.0
    }
}

/// 被监督单位 / 被检查单位.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub address: String,
    /// 法定代表人（负责人）
    pub legal_representative: String,
    pub phone: Option<String>,
    /// 统一社会信用代码, when the party has one.
    pub uscc: Option<String>,
}

/// How the party's signature stands on the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PartySignature {
    /// Printed with a line to sign on paper.
    Blank,
    /// Signed; the name is printed.
    Signed { name: String },
    /// 当事人拒绝签字: the inspectors note the refusal, with a witness if there was one.
    Refused { witness: Option<String> },
    /// 当事人不在场: the inspectors note the absence.
    Absent,
}

/// 责令改正: what to correct and by when (a date from the rules calendar).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rectification {
    pub content: String,
    pub deadline: NaiveDate,
}

/// 卫生监督意见书.
#[derive(Clone, Debug, Serialize)]
pub struct OpinionData {
    /// The unit in whose name the document is issued, e.g. 枣强县卫生健康局.
    pub issuer: String,
    pub doc_number: DocNumber,
    pub party: Party,
    /// 监督检查情况
    pub findings: String,
    /// 监督意见
    pub opinion: String,
    pub rectification: Option<Rectification>,
    pub inspectors: Inspectors,
    pub party_signature: PartySignature,
    pub date: NaiveDate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    Compliant,
    NonCompliant,
    NotApplicable,
}

impl CheckResult {
    pub fn label(self) -> &'static str {
        match self {
            CheckResult::Compliant => "符合",
            CheckResult::NonCompliant => "不符合",
            CheckResult::NotApplicable => "不适用",
        }
    }
}

/// One checked point of a checklist (检查表).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRow {
    pub point: String,
    pub result: CheckResult,
    pub note: String,
}

/// Who was present for the party (在场人).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentPerson {
    pub name: String,
    pub position: String,
    pub phone: Option<String>,
}

/// 现场笔录.
#[derive(Clone, Debug, Serialize)]
pub struct SiteRecordData {
    pub issuer: String,
    pub doc_number: DocNumber,
    pub party: Party,
    /// 检查地点
    pub place: String,
    pub started_at: NaiveDateTime,
    pub ended_at: NaiveDateTime,
    pub inspectors: Inspectors,
    /// 记录人
    pub recorder: String,
    pub present: Option<PresentPerson>,
    /// 现场检查情况
    pub findings: String,
    pub checklist: Vec<CheckRow>,
    /// 检查结论 (and an order's content and deadline); empty to leave it out.
    pub conclusion: String,
    pub party_signature: PartySignature,
}

/// 2026年3月5日
pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// 2026年3月5日9时05分
pub fn chinese_time(t: NaiveDateTime) -> String {
    format!("{}{}时{:02}分", chinese_date(t.date()), t.hour(), t.minute())
}

fn expect_kind(n: &DocNumber, kind: DocumentKind) -> Result<(), DocumentError> {
    if n.kind == kind {
        Ok(())
    } else {
        Err(DocumentError::Invalid(format!("文号 {n} 不是{}的文号", kind.name())))
    }
}

fn required(value: &str, what: &str) -> Result<(), DocumentError> {
    if value.trim().is_empty() {
        Err(DocumentError::Invalid(format!("{what}不能为空")))
    } else {
        Ok(())
    }
}

fn heading_block(c: &mut Composer<'_>, issuer: &str, kind: DocumentKind, number: &DocNumber) {
    c.line(issuer, Style { size: size::XIAO_ER, weight: Weight::Bold }, Align::Centre);
    c.gap(4.0);
    c.line(kind.name(), Style { size: size::ERHAO, weight: Weight::Bold }, Align::Centre);
    c.gap(6.0);
    c.line(&number.to_string(), Style::BODY, Align::Right);
    c.gap(8.0);
}

fn party_block(c: &mut Composer<'_>, label: &str, party: &Party) {
    c.field(label, &party.name);
    c.field("地址", &party.address);
    c.field_pair(
        ("法定代表人（负责人）", &party.legal_representative),
        ("联系电话", party.phone.as_deref().unwrap_or("")),
    );
    if let Some(uscc) = &party.uscc {
        c.field("统一社会信用代码", uscc);
    }
}

fn party_signature_line(c: &mut Composer<'_>, label: &str, signature: &PartySignature, date: Option<NaiveDate>) {
    let date = date.map(chinese_date).unwrap_or_else(|| "    年    月    日".into());
    let value = match signature {
        PartySignature::Blank => format!("＿＿＿＿＿＿＿＿＿＿    {date}"),
        PartySignature::Signed { name } => format!("{name}    {date}"),
        PartySignature::Refused { witness: Some(w) } => format!("当事人拒绝签字（见证人：{w}）    {date}"),
        PartySignature::Refused { witness: None } => format!("当事人拒绝签字（由执法人员注明）    {date}"),
        PartySignature::Absent => format!("当事人不在场（由执法人员注明）    {date}"),
    };
    c.field(label, &value);
}

fn inspector_signatures(c: &mut Composer<'_>, inspectors: &Inspectors) {
    for i in inspectors.list() {
        c.field_pair(("监督员签名", &format!("＿＿＿＿＿＿（{}）", i.name)), ("执法证号", &i.certificate_no));
    }
}

/// Renders a 卫生监督意见书.
pub fn render_supervision_opinion(fonts: &Fonts, d: &OpinionData) -> Result<Vec<u8>, DocumentError> {
    expect_kind(&d.doc_number, DocumentKind::SupervisionOpinion)?;
    required(&d.issuer, "发文单位")?;
    required(&d.party.name, "被监督单位")?;
    required(&d.opinion, "监督意见")?;
    if let Some(r) = &d.rectification {
        required(&r.content, "责令改正内容")?;
        if r.deadline < d.date {
            return Err(DocumentError::Invalid("改正期限不能早于意见书日期".into()));
        }
    }
    let mut c = Composer::new(fonts);
    heading_block(&mut c, &d.issuer, DocumentKind::SupervisionOpinion, &d.doc_number);
    party_block(&mut c, "被监督单位", &d.party);
    c.gap(6.0);
    if !d.findings.trim().is_empty() {
        c.heading("监督检查情况：");
        c.paragraphs(&d.findings, Style::BODY);
    }
    c.heading("卫生监督意见：");
    c.paragraphs(&d.opinion, Style::BODY);
    if let Some(r) = &d.rectification {
        c.paragraphs(
            &format!("责令你单位于{}前改正以下问题：{}", chinese_date(r.deadline), r.content.trim()),
            Style::BODY,
        );
    }
    c.gap(10.0);
    // The signatures and the seal stay together on one page.
    c.keep(Style::BODY.size * 1.5 * (d.inspectors.list().len() as f32 + 5.0) + 20.0);
    inspector_signatures(&mut c, &d.inspectors);
    party_signature_line(&mut c, "被监督单位签收", &d.party_signature, None);
    c.gap(12.0);
    c.line(&format!("{}（印章）", d.issuer), Style::BODY, Align::Right);
    c.line(&chinese_date(d.date), Style::BODY, Align::Right);
    c.gap(6.0);
    c.line("本意见书一式两份，一份交被监督单位，一份存档。", Style::TABLE, Align::Left);
    c.finish(DocumentKind::SupervisionOpinion.name(), d.date)
}

/// Renders a 现场笔录.
pub fn render_site_record(fonts: &Fonts, d: &SiteRecordData) -> Result<Vec<u8>, DocumentError> {
    expect_kind(&d.doc_number, DocumentKind::SiteRecord)?;
    required(&d.issuer, "发文单位")?;
    required(&d.party.name, "被检查单位")?;
    required(&d.place, "检查地点")?;
    required(&d.recorder, "记录人")?;
    if d.ended_at < d.started_at {
        return Err(DocumentError::Invalid("检查结束时间不能早于开始时间".into()));
    }
    let mut c = Composer::new(fonts);
    heading_block(&mut c, &d.issuer, DocumentKind::SiteRecord, &d.doc_number);
    let end = if d.ended_at.date() == d.started_at.date() {
        format!("{}时{:02}分", d.ended_at.hour(), d.ended_at.minute())
    } else {
        chinese_time(d.ended_at)
    };
    c.field("检查时间", &format!("{}至{}", chinese_time(d.started_at), end));
    c.field("检查地点", &d.place);
    party_block(&mut c, "被检查单位", &d.party);
    if let Some(p) = &d.present {
        let phone = p.phone.as_deref().map(|ph| format!("，联系电话 {ph}")).unwrap_or_default();
        let position = if p.position.trim().is_empty() { String::new() } else { format!("（{}）", p.position) };
        c.field("在场人", &format!("{}{position}{phone}", p.name));
    }
    let names: Vec<String> =
        d.inspectors.list().iter().map(|i| format!("{}（执法证号 {}）", i.name, i.certificate_no)).collect();
    c.field("监督员", &names.join("\n"));
    c.field("记录人", &d.recorder);
    c.gap(6.0);
    c.heading("告知事项：");
    c.paragraphs(
        &format!(
            "我们是{}的卫生监督员，已向你出示执法证件。现依法对你单位进行监督检查，请予配合。\
             你有权申请执法人员回避，有陈述和申辩的权利；你应当如实回答询问、提供有关材料，不得拒绝或者阻挠检查。",
            d.issuer
        ),
        Style::BODY,
    );
    c.heading("现场检查情况：");
    c.paragraphs(if d.findings.trim().is_empty() { "（无）" } else { &d.findings }, Style::BODY);
    if !d.checklist.is_empty() {
        c.gap(4.0);
        c.heading("检查项目及结果：");
        let rows: Vec<Vec<String>> = d
            .checklist
            .iter()
            .enumerate()
            .map(|(i, r)| vec![(i + 1).to_string(), r.point.clone(), r.result.label().to_string(), r.note.clone()])
            .collect();
        c.table(
            &[
                Column { header: "序号", share: 0.08, centred: true },
                Column { header: "检查内容", share: 0.52, centred: false },
                Column { header: "结果", share: 0.12, centred: true },
                Column { header: "备注", share: 0.28, centred: false },
            ],
            &rows,
        );
    }
    if !d.conclusion.trim().is_empty() {
        c.gap(4.0);
        c.heading("检查结论：");
        c.paragraphs(&d.conclusion, Style::BODY);
    }
    c.gap(10.0);
    c.keep(Style::BODY.size * 1.5 * (d.inspectors.list().len() as f32 + 5.0));
    c.paragraphs("以上笔录已阅，与事实相符。", Style::BODY);
    party_signature_line(&mut c, "被检查人签名", &d.party_signature, None);
    if matches!(d.party_signature, PartySignature::Refused { .. } | PartySignature::Absent) {
        let what =
            if d.party_signature == PartySignature::Absent { "当事人不在场" } else { "当事人拒绝签字" };
        c.paragraphs(&format!("{what}，以上情况由下列执法人员共同见证并签名确认。"), Style::BODY);
    }
    inspector_signatures(&mut c, &d.inspectors);
    c.field_pair(
        ("记录人签名", &format!("＿＿＿＿＿＿（{}）", d.recorder)),
        ("日期", &chinese_date(d.started_at.date())),
    );
    c.finish(DocumentKind::SiteRecord.name(), d.started_at.date())
}

fn sample_party() -> Party {
    Party {
        name: "枣强县康宁医院".into(),
        address: "河北省衡水市枣强县枣强镇建设街88号".into(),
        legal_representative: "王建民".into(),
        phone: Some("0318-8221234".into()),
        uscc: Some("12131127MB0123456X".into()),
    }
}

fn sample_inspectors() -> Inspectors {
    Inspectors::new(vec![
        Inspector { name: "张卫东".into(), certificate_no: "冀G131127000001".into() },
        Inspector { name: "刘晓燕".into(), certificate_no: "冀G131127000002".into() },
    ])
    .expect("two distinct sample inspectors")
}

fn sample_number(kind: DocumentKind, number: u32) -> DocNumber {
    DocNumber { issuer: IssuerCode::parse("枣卫").expect("valid code"), kind, year: 2026, number }
}

/// A fixed 卫生监督意见书 for looking at the output (`weijian document sample opinion`) and for tests.
pub fn sample_opinion() -> OpinionData {
    OpinionData {
        issuer: "枣强县卫生健康局".into(),
        doc_number: sample_number(DocumentKind::SupervisionOpinion, 15),
        party: sample_party(),
        findings: "2026年3月5日，我局卫生监督员对你单位进行监督检查，发现：1.医疗废物暂存处未设置明显的警示标识；\
                   2.口腔科使用的部分器械未按规定进行灭菌并记录，灭菌记录不完整；3.抽查医务人员执业注册信息，均与执业地点相符。"
            .into(),
        opinion: "你单位上述第1、2项行为不符合《医疗废物管理条例》和《医疗机构消毒技术规范》（WS/T 367-2012）的有关规定。"
            .into(),
        rectification: Some(Rectification {
            content: "在医疗废物暂存处设置警示标识；口腔器械严格执行“一人一用一灭菌”，完整记录灭菌过程，并将整改情况书面报告我局。"
                .into(),
            deadline: NaiveDate::from_ymd_opt(2026, 3, 19).expect("valid date"),
        }),
        inspectors: sample_inspectors(),
        party_signature: PartySignature::Blank,
        date: NaiveDate::from_ymd_opt(2026, 3, 5).expect("valid date"),
    }
}

/// A fixed 现场笔录 (`weijian document sample site-record`).
pub fn sample_site_record() -> SiteRecordData {
    let at = |h, m| NaiveDate::from_ymd_opt(2026, 3, 5).and_then(|d| d.and_hms_opt(h, m, 0)).expect("valid time");
    let row = |point: &str, result, note: &str| CheckRow { point: point.into(), result, note: note.into() };
    SiteRecordData {
        issuer: "枣强县卫生健康局".into(),
        doc_number: sample_number(DocumentKind::SiteRecord, 7),
        party: sample_party(),
        place: "枣强县康宁医院门诊楼及医疗废物暂存处".into(),
        started_at: at(9, 30),
        ended_at: at(11, 5),
        inspectors: sample_inspectors(),
        recorder: "刘晓燕".into(),
        present: Some(PresentPerson {
            name: "李秀兰".into(),
            position: "院长".into(),
            phone: Some("13903181234".into()),
        }),
        findings: "经出示执法证件，在院长李秀兰陪同下检查。医疗废物暂存处未设置警示标识，医疗废物交接登记完整；\
                   口腔科2台牙科手机未见灭菌记录；现场抽查执业医师5名，执业注册信息均与执业地点相符。"
            .into(),
        checklist: vec![
            row("《医疗机构执业许可证》在有效期内并按核准的诊疗科目执业", CheckResult::Compliant, ""),
            row("医疗废物暂存处设置明显的警示标识", CheckResult::NonCompliant, "暂存处门口未设警示标识"),
            row("口腔器械一人一用一灭菌并记录", CheckResult::NonCompliant, "2台牙科手机无灭菌记录"),
            row("放射诊疗许可与设备相符", CheckResult::NotApplicable, "未开展放射诊疗"),
            row("医务人员执业注册信息与执业地点相符", CheckResult::Compliant, "抽查5名"),
        ],
        conclusion:
            "责令整改：在医疗废物暂存处设置警示标识；口腔器械严格执行“一人一用一灭菌”并记录，2026年3月19日前改正。"
                .into(),
        party_signature: PartySignature::Blank,
    }
}
