//! GB/T 2260 administrative region codes (行政区划代码).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Province-level prefixes in force under GB/T 2260 (incl. 台湾 71, 香港 81, 澳门 82).
const PROVINCE_PREFIXES: &[u8] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82,
];

/// A six-digit region code that passed validation. It cannot hold an invalid value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    City,
    County,
}

impl RegionLevel {
    pub fn label(self) -> &'static str {
        match self {
            RegionLevel::Province => "省级",
            RegionLevel::City => "市级",
            RegionLevel::County => "县级",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("行政区划代码应为6位数字，实际为{0}位")]
    Length(usize),
    #[error("行政区划代码第{position}位应为数字，实际为“{found}”")]
    NotDigit { position: usize, found: char },
    #[error("行政区划代码前两位“{0}”不是有效的省级代码")]
    UnknownProvince(String),
}

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, RegionCodeError> {
        let count = s.chars().count();
        if count != 6 {
            return Err(RegionCodeError::Length(count));
        }
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(RegionCodeError::NotDigit { position: i + 1, found: c });
        }
        let prefix: u8 = s[..2].parse().expect("two ascii digits");
        if !PROVINCE_PREFIXES.contains(&prefix) {
            return Err(RegionCodeError::UnknownProvince(s[..2].to_string()));
        }
        Ok(RegionCode(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level follows from the code: ..0000 province, ....00 city, else county.
    pub fn level(&self) -> RegionLevel {
        if &self.0[2..] == "0000" {
            RegionLevel::Province
        } else if &self.0[4..] == "00" {
            RegionLevel::City
        } else {
            RegionLevel::County
        }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        RegionCode::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_code() {
        assert_eq!(RegionCode::parse("130000").unwrap().level(), RegionLevel::Province);
        assert_eq!(RegionCode::parse("131100").unwrap().level(), RegionLevel::City);
        assert_eq!(RegionCode::parse("131127").unwrap().level(), RegionLevel::County);
        assert_eq!(RegionCode::parse("460100").unwrap().level(), RegionLevel::City);
    }

    #[test]
    fn rejects_with_a_precise_reason() {
        assert_eq!(RegionCode::parse("13112"), Err(RegionCodeError::Length(5)));
        assert_eq!(RegionCode::parse("1311a7"), Err(RegionCodeError::NotDigit { position: 5, found: 'a' }));
        assert_eq!(RegionCode::parse("991127"), Err(RegionCodeError::UnknownProvince("99".into())));
        assert_eq!(RegionCode::parse("13112７"), Err(RegionCodeError::NotDigit { position: 6, found: '７' }));
    }
}
