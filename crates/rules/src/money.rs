//! Money: integer fen (分) everywhere inside, decimal yuan only at the edges.
//! Never a float: a fine of 0.1 + 0.2 yuan must be exactly 3 jiao.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fen(pub i64);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("金额不能为空")]
    Empty,
    #[error("金额“{0}”格式不正确：应为数字，最多两位小数，如 5000 或 1234.50")]
    Format(String),
    #[error("金额“{0}”超出可处理的范围")]
    Overflow(String),
    #[error("金额不能为负数")]
    Negative,
}

impl Fen {
    pub fn from_yuan(yuan: i64) -> Option<Fen> {
        yuan.checked_mul(100).map(Fen)
    }

    /// Parses decimal yuan such as `5000`, `1234.5`, `0.07` or `-12.30`.
    pub fn parse_yuan(s: &str) -> Result<Fen, MoneyError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits = |x: &str| x.chars().all(|c| c.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 2 || (body.contains('.') && frac.is_empty())
        {
            return Err(MoneyError::Format(s.to_string()));
        }
        let overflow = || MoneyError::Overflow(s.to_string());
        let yuan: i64 = int.parse().map_err(|_| overflow())?;
        let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| overflow())?;
        let fen = yuan.checked_mul(100).and_then(|v| v.checked_add(cents)).ok_or_else(overflow)?;
        Ok(Fen(if neg { -fen } else { fen }))
    }

    /// An amount of a case (income, fine): decimal yuan, not negative.
    pub fn parse_amount(s: &str) -> Result<Fen, MoneyError> {
        let fen = Fen::parse_yuan(s)?;
        if fen.0 < 0 {
            return Err(MoneyError::Negative);
        }
        Ok(fen)
    }

    pub fn checked_add(self, o: Fen) -> Option<Fen> {
        self.0.checked_add(o.0).map(Fen)
    }
}

/// Shown as yuan with two decimals: `1234.50`.
impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_shows_exactly() {
        assert_eq!(Fen::parse_yuan("5000"), Ok(Fen(500_000)));
        assert_eq!(Fen::parse_yuan("1234.5"), Ok(Fen(123_450)));
        assert_eq!(Fen::parse_yuan("0.07"), Ok(Fen(7)));
        assert_eq!(Fen::parse_yuan("-12.30"), Ok(Fen(-1230)));
        assert_eq!(Fen(123_450).to_string(), "1234.50");
        assert_eq!(Fen(-7).to_string(), "-0.07");
        assert_eq!(Fen::parse_yuan("0.1").unwrap().checked_add(Fen::parse_yuan("0.2").unwrap()), Some(Fen(30)));
    }

    #[test]
    fn refuses_what_is_not_money() {
        for bad in ["1.234", "1,000", "abc", "1.", ".5", "1e3", "--1", " "] {
            assert!(Fen::parse_yuan(bad).is_err(), "{bad}");
        }
        assert!(matches!(Fen::parse_yuan("99999999999999999999"), Err(MoneyError::Overflow(_))));
        assert_eq!(Fen::parse_amount("-0.01"), Err(MoneyError::Negative));
        assert_eq!(Fen::parse_amount("0"), Ok(Fen(0)));
    }
}
