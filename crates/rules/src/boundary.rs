//! Chinese legal boundary words, encoded once.
//!
//! 《立法法》 usage and the 行政处罚法's own reading: 以上, 以下 and 以内 include
//! the number itself; 不满, 不足 and 超过 exclude it. Every threshold in the
//! rules data names its word, and only this module decides what it admits.

use crate::money::Fen;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum Word {
    /// ≥ n
    #[serde(rename = "以上")]
    AtLeast,
    /// ≤ n
    #[serde(rename = "以下")]
    AtMost,
    /// ≤ n (a period or amount "within")
    #[serde(rename = "以内")]
    Within,
    /// < n
    #[serde(rename = "不满")]
    Under,
    /// < n (the same as 不满, the wording of some statutes)
    #[serde(rename = "不足")]
    ShortOf,
    /// > n
    #[serde(rename = "超过")]
    Over,
}

impl Word {
    pub fn chinese(self) -> &'static str {
        match self {
            Word::AtLeast => "以上",
            Word::AtMost => "以下",
            Word::Within => "以内",
            Word::Under => "不满",
            Word::ShortOf => "不足",
            Word::Over => "超过",
        }
    }

    /// Whether the bound word includes the number itself.
    pub fn inclusive(self) -> bool {
        matches!(self, Word::AtLeast | Word::AtMost | Word::Within)
    }

    /// Whether `value` satisfies "`limit` + word".
    pub fn admits<T: Ord>(self, value: T, limit: T) -> bool {
        match self {
            Word::AtLeast => value >= limit,
            Word::AtMost | Word::Within => value <= limit,
            Word::Under | Word::ShortOf => value < limit,
            Word::Over => value > limit,
        }
    }
}

/// An amount with its boundary word, as a statute states it: "5000元以上".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Whole yuan, as statutes state them.
    pub amount: i64,
    pub word: Word,
}

impl Threshold {
    pub fn fen(&self) -> Fen {
        Fen(self.amount * 100)
    }

    pub fn admits(&self, value: Fen) -> bool {
        self.word.admits(value, self.fen())
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}元{}", self.amount, self.word.chinese())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inclusive_words_include_the_number_exclusive_ones_do_not() {
        let n = Fen(500_000);
        let below = Fen(499_999);
        let above = Fen(500_001);
        let cases = [
            (Word::AtLeast, [false, true, true]),
            (Word::AtMost, [true, true, false]),
            (Word::Within, [true, true, false]),
            (Word::Under, [true, false, false]),
            (Word::ShortOf, [true, false, false]),
            (Word::Over, [false, false, true]),
        ];
        for (word, expected) in cases {
            let got = [word.admits(below, n), word.admits(n, n), word.admits(above, n)];
            assert_eq!(got, expected, "{}", word.chinese());
            assert_eq!(word.inclusive(), word.admits(n, n), "{}", word.chinese());
        }
    }

    #[test]
    fn thresholds_read_as_written() {
        let t: Threshold = toml::from_str("amount = 100000\nword = \"以上\"").unwrap();
        assert!(t.admits(Fen(10_000_000)), "10万元以上 includes 10万");
        assert!(!t.admits(Fen(9_999_999)), "one fen below is not 10万元以上");
        assert_eq!(t.to_string(), "100000元以上");
        let t: Threshold = toml::from_str("amount = 5000\nword = \"不足\"").unwrap();
        assert!(t.admits(Fen(499_999)) && !t.admits(Fen(500_000)));
        assert!(toml::from_str::<Threshold>("amount = 1\nword = \"左右\"").is_err(), "unknown words are refused");
    }
}
