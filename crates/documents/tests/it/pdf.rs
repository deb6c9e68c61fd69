//! The PDFs: they need a CJK font on the machine (Debian's fonts-noto-cjk, which
//! .ci/run installs); without one these tests fail and say so.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;
use weijian_documents::{
    render_site_record, render_supervision_opinion, sample_opinion, sample_site_record, DocumentError, FontConfig,
    Fonts, Inspector, Inspectors, PartySignature,
};

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        Fonts::discover(&FontConfig::new(None, None)).unwrap_or_else(|e| panic!("these tests need a CJK font: {e}"))
    })
}

/// The text of every page, decoded through each font's ToUnicode map (the way a
/// PDF reader extracts or searches text). Written here because the parsers on
/// crates.io refuse the PostScript comments at the head of these CMaps.
fn page_texts(pdf: &[u8]) -> Vec<String> {
    use lopdf::{content::Content, Object};
    let doc = lopdf::Document::load_mem(pdf).expect("a readable PDF");
    let mut out = vec![];
    for (_, page) in doc.get_pages() {
        let mut maps: HashMap<Vec<u8>, HashMap<u16, char>> = HashMap::new();
        for (name, font) in doc.get_page_fonts(page).expect("page fonts") {
            let cmap = font.get(b"ToUnicode").and_then(Object::as_reference).expect("a ToUnicode map");
            let stream = doc.get_object(cmap).and_then(Object::as_stream).expect("a CMap stream");
            let text = String::from_utf8(stream.decompressed_content().expect("inflates")).expect("ASCII CMap");
            maps.insert(name, parse_bfchar(&text));
        }
        let content = Content::decode(&doc.get_page_content(page).expect("content")).expect("operators");
        let mut text = String::new();
        let mut current: Option<&HashMap<u16, char>> = None;
        for op in &content.operations {
            match op.operator.as_str() {
                "Tf" => current = op.operands[0].as_name().ok().and_then(|n| maps.get(n)),
                "Tj" | "TJ" => {
                    let strings: Vec<&Object> = match &op.operands[0] {
                        Object::Array(items) => items.iter().collect(),
                        other => vec![other],
                    };
                    for s in strings {
                        if let Object::String(bytes, _) = s {
                            for code in bytes.chunks(2) {
                                let code = u16::from_be_bytes([code[0], *code.get(1).unwrap_or(&0)]);
                                text.push(current.and_then(|m| m.get(&code)).copied().unwrap_or('\u{FFFD}'));
                            }
                        }
                    }
                }
                "ET" => text.push('\n'),
                _ => {}
            }
        }
        out.push(text);
    }
    out
}

/// `<0001> <67A3>` lines of a CMap's bfchar sections.
fn parse_bfchar(cmap: &str) -> HashMap<u16, char> {
    let mut map = HashMap::new();
    let mut inside = false;
    for line in cmap.lines() {
        let line = line.trim();
        if line.ends_with("beginbfchar") {
            inside = true;
        } else if line == "endbfchar" {
            inside = false;
        } else if inside {
            let hex: Vec<&str> = line.split(['<', '>', ' ']).filter(|s| !s.is_empty()).collect();
            let code = u16::from_str_radix(hex[0], 16).expect("a code");
            let units: Vec<u16> = hex[1]
                .as_bytes()
                .chunks(4)
                .map(|c| u16::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
                .collect();
            let c = char::decode_utf16(units).next().expect("one character").expect("valid UTF-16");
            map.insert(code, c);
        }
    }
    map
}

/// Extracted text without the spaces and line breaks extraction inserts between runs.
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_opinion_is_a_small_pdf_with_an_embedded_subset_font_and_extractable_text() {
    let pdf = render_supervision_opinion(fonts(), &sample_opinion()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(contains(&pdf, b"/FontFile2") || contains(&pdf, b"/FontFile3"), "the font is embedded");
    assert!(contains(&pdf, b"/ToUnicode"), "text maps back to Unicode");
    // The whole font file is 20+ MB: only a subset of the used glyphs may be in there.
    assert!(pdf.len() < 300_000, "a one-page document is small, got {} bytes", pdf.len());
    let pages = page_texts(&pdf);
    assert_eq!(pages.len(), 1);
    let text = squeeze(&pages[0]);
    for expected in ["卫生监督意见书", "枣卫监意〔2026〕15号", "枣强县康宁医院", "2026年3月19日前改正", "第1页共1页"]
    {
        assert!(text.contains(expected), "{expected} is in the text: {text}");
    }
}

#[test]
fn the_site_record_carries_its_checklist_and_number() {
    let pdf = render_site_record(fonts(), &sample_site_record()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() < 300_000, "got {} bytes", pdf.len());
    let text = squeeze(&page_texts(&pdf).concat());
    for expected in
        ["现场笔录", "枣卫监笔〔2026〕7号", "检查项目及结果", "不符合", "不适用", "2026年3月5日9时30分至11时05分"]
    {
        assert!(text.contains(expected), "{expected} is in the text: {text}");
    }
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let hash = |pdf: Vec<u8>| hex::encode(Sha256::digest(pdf));
    let a = hash(render_supervision_opinion(fonts(), &sample_opinion()).unwrap());
    let b = hash(render_supervision_opinion(fonts(), &sample_opinion()).unwrap());
    assert_eq!(a, b);
    let mut other = sample_opinion();
    other.doc_number.number = 16;
    assert_ne!(a, hash(render_supervision_opinion(fonts(), &other).unwrap()));
}

#[test]
fn a_long_finding_spills_onto_a_numbered_second_page() {
    let mut d = sample_opinion();
    d.findings = "监督员现场检查发现，该单位医疗废物暂存处未按规定设置警示标识，部分器械灭菌记录缺失。".repeat(22);
    let pdf = render_supervision_opinion(fonts(), &d).unwrap();
    let pages = page_texts(&pdf);
    assert_eq!(pages.len(), 2, "two pages");
    assert!(squeeze(&pages[0]).contains("第1页共2页"));
    assert!(squeeze(&pages[1]).contains("第2页共2页"));
    // The signatures and seal come after the findings, on the last page.
    assert!(squeeze(&pages[1]).contains("（印章）"));
}

#[test]
fn a_long_checklist_repeats_its_header_on_the_next_page() {
    let mut d = sample_site_record();
    let row = d.checklist[1].clone();
    d.checklist = (0..40).map(|_| row.clone()).collect();
    let pdf = render_site_record(fonts(), &d).unwrap();
    let pages = page_texts(&pdf);
    assert!(pages.len() >= 2);
    for p in &pages {
        assert!(squeeze(p).contains("序号检查内容结果备注"), "each page of the table has the header: {p}");
    }
}

#[test]
fn a_refused_signature_is_noted() {
    let mut d = sample_opinion();
    d.party_signature = PartySignature::Refused { witness: Some("赵某（村委会主任）".into()) };
    let text = squeeze(&page_texts(&render_supervision_opinion(fonts(), &d).unwrap()).concat());
    assert!(text.contains("当事人拒绝签字（见证人：赵某（村委会主任））"), "{text}");
}

#[test]
fn without_a_cjk_font_the_error_names_the_package() {
    let empty = std::env::temp_dir().join(format!("weijian-no-fonts-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let err = Fonts::discover(&FontConfig::only(None, Some(empty.clone()))).unwrap_err();
    assert!(matches!(err, DocumentError::FontMissing));
    assert_eq!(err.code(), "document.font_missing");
    assert!(err.to_string().contains("fonts-noto-cjk"), "{err}");
    std::fs::remove_dir_all(&empty).unwrap();
}

#[test]
fn a_configured_font_that_is_not_a_font_is_refused_with_its_path() {
    let path = std::env::temp_dir().join(format!("weijian-not-a-font-{}.ttf", std::process::id()));
    std::fs::write(&path, b"not a font").unwrap();
    let err = Fonts::discover(&FontConfig::new(Some(path.clone()), None)).unwrap_err();
    assert_eq!(err.code(), "document.font_unusable");
    assert!(err.to_string().contains(&path.display().to_string()));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_configured_font_file_is_used_and_its_simplified_chinese_face_chosen() {
    let path = PathBuf::from(&fonts().regular.path);
    let chosen = Fonts::discover(&FontConfig::only(Some(path.clone()), None)).unwrap();
    assert_eq!(chosen.regular.path, path);
    if chosen.regular.family.contains("CJK") {
        assert!(chosen.regular.family.ends_with(" SC"), "{}", chosen.regular.family);
    }
}

#[test]
fn documents_that_the_law_does_not_allow_are_refused() {
    let one = Inspectors::new(vec![Inspector { name: "张卫东".into(), certificate_no: "冀G1".into() }]);
    assert_eq!(one.unwrap_err().code(), "document.invalid");
    let twice = Inspectors::new(vec![
        Inspector { name: "张卫东".into(), certificate_no: "冀G1".into() },
        Inspector { name: "刘晓燕".into(), certificate_no: "冀G1".into() },
    ]);
    assert!(twice.is_err());
    let mut d = sample_opinion();
    d.doc_number.kind = weijian_rules::documents::DocumentKind::SiteRecord;
    assert_eq!(render_supervision_opinion(fonts(), &d).unwrap_err().code(), "document.invalid");
    let mut d = sample_opinion();
    d.rectification.as_mut().unwrap().deadline = d.date.pred_opt().unwrap();
    assert_eq!(render_supervision_opinion(fonts(), &d).unwrap_err().code(), "document.invalid");
    let mut d = sample_site_record();
    d.ended_at = d.started_at - chrono::Duration::minutes(1);
    assert_eq!(render_site_record(fonts(), &d).unwrap_err().code(), "document.invalid");
}

#[test]
fn the_site_record_notes_an_absent_or_refusing_party_and_states_its_conclusion() {
    let mut d = sample_site_record();
    d.party_signature = PartySignature::Absent;
    let text = squeeze(&page_texts(&render_site_record(fonts(), &d).unwrap()).concat());
    assert!(text.contains("当事人不在场（由执法人员注明）"), "{text}");
    assert!(text.contains("以上情况由下列执法人员共同见证并签名确认"), "{text}");
    assert!(text.contains("检查结论") && text.contains("2026年3月19日前改正"), "{text}");
    d.party_signature = PartySignature::Refused { witness: None };
    let text = squeeze(&page_texts(&render_site_record(fonts(), &d).unwrap()).concat());
    assert!(text.contains("当事人拒绝签字（由执法人员注明）") && text.contains("共同见证"), "{text}");
    d.party_signature = PartySignature::Signed { name: "李秀兰".into() };
    d.present.as_mut().unwrap().position = String::new();
    let text = squeeze(&page_texts(&render_site_record(fonts(), &d).unwrap()).concat());
    assert!(!text.contains("共同见证") && text.contains("在场人：李秀兰，"), "{text}");
}
