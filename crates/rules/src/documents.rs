//! Enforcement documents (执法文书): their kinds, from `data/documents.toml`, and
//! the document number (文号) they carry, e.g. 枣卫监意〔2026〕15号.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 卫生监督意见书
    SupervisionOpinion,
    /// 现场笔录
    SiteRecord,
    /// 责令改正通知书
    RectificationNotice,
    /// 立案审批表
    CaseFiling,
    /// 行政处罚决定书
    PenaltyDecision,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct KindSpec {
    pub key: String,
    /// The title printed on the document.
    pub name: String,
    /// The word in the document number after the unit's code (监意 in 枣卫监意).
    pub word: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    kind: Vec<KindSpec>,
}

fn table() -> &'static [KindSpec] {
    static TABLE: OnceLock<Vec<KindSpec>> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str::<File>(include_str!("../data/documents.toml")).expect("built-in document table is valid").kind
    })
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 5] = [
        DocumentKind::SupervisionOpinion,
        DocumentKind::SiteRecord,
        DocumentKind::RectificationNotice,
        DocumentKind::CaseFiling,
        DocumentKind::PenaltyDecision,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DocumentKind::SupervisionOpinion => "supervision_opinion",
            DocumentKind::SiteRecord => "site_record",
            DocumentKind::RectificationNotice => "rectification_notice",
            DocumentKind::CaseFiling => "case_filing",
            DocumentKind::PenaltyDecision => "penalty_decision",
        }
    }

    pub fn parse(key: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.key() == key)
    }

    pub fn spec(self) -> &'static KindSpec {
        // The table test proves every kind has its row.
        table().iter().find(|s| s.key == self.key()).expect("every document kind is in documents.toml")
    }

    /// The title printed on the document, e.g. 卫生监督意见书.
    pub fn name(self) -> &'static str {
        &self.spec().name
    }

    pub fn word(self) -> &'static str {
        &self.spec().word
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IssuerCodeError {
    #[error("发文机关代字应为 1 至 8 个汉字，实际为“{0}”")]
    Invalid(String),
}

impl IssuerCodeError {
    pub fn code(&self) -> &'static str {
        "document.issuer_code_invalid"
    }
}

/// 机关代字: the short code of the issuing unit in its document numbers, e.g. 枣卫.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct IssuerCode(String);

impl IssuerCode {
    pub fn parse(s: &str) -> Result<IssuerCode, IssuerCodeError> {
        let s = s.trim();
        let n = s.chars().count();
        if (1..=8).contains(&n) && s.chars().all(is_han) {
            Ok(IssuerCode(s.to_string()))
        } else {
            Err(IssuerCodeError::Invalid(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2EBEF}')
}

/// A document number: the issuer's code, the kind's word, the year in 六角括号
/// 〔〕 (never 【】 or ()), and the number without leading zeros.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DocNumber {
    pub issuer: IssuerCode,
    pub kind: DocumentKind,
    pub year: i32,
    pub number: u32,
}

impl fmt::Display for DocNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}〔{}〕{}号", self.issuer.as_str(), self.kind.word(), self.year, self.number)
    }
}

impl Serialize for DocNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_and_the_kinds_agree() {
        let keys: Vec<&str> = table().iter().map(|s| s.key.as_str()).collect();
        let kinds: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.key()).collect();
        assert_eq!(keys, kinds, "documents.toml lists exactly the kinds, in order");
        let mut words: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.word()).collect();
        words.sort();
        words.dedup();
        assert_eq!(words.len(), DocumentKind::ALL.len(), "two kinds sharing a word would share numbers on paper");
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.key()), Some(k));
        }
    }

    #[test]
    fn numbers_format_with_hexagonal_brackets_and_no_padding() {
        let n = DocNumber {
            issuer: IssuerCode::parse("枣卫").unwrap(),
            kind: DocumentKind::SupervisionOpinion,
            year: 2026,
            number: 15,
        };
        assert_eq!(n.to_string(), "枣卫监意〔2026〕15号");
        let n = DocNumber { kind: DocumentKind::PenaltyDecision, number: 1, ..n };
        assert_eq!(n.to_string(), "枣卫罚〔2026〕1号");
        assert_eq!(serde_json::to_value(&n).unwrap(), serde_json::json!("枣卫罚〔2026〕1号"));
    }

    #[test]
    fn issuer_codes_are_one_to_eight_han_characters() {
        assert_eq!(IssuerCode::parse(" 枣卫 ").unwrap().as_str(), "枣卫");
        for bad in ["", "ZW", "枣 卫", "枣卫1", "一二三四五六七八九"] {
            assert!(IssuerCode::parse(bad).is_err(), "{bad:?} is refused");
        }
    }
}
