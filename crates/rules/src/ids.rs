//! Identifiers: 统一社会信用代码 (GB 32100-2015), 公民身份号码 (GB 11643-1999),
//! telephone numbers. Each parser says exactly what is wrong and where.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::fmt;

/// Why an identifier was refused: a stable code, the 1-based position when one
/// character is at fault, and a Chinese message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IdError {
    pub code: &'static str,
    pub position: Option<usize>,
    pub message: String,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IdError {}

fn err(code: &'static str, position: Option<usize>, message: String) -> IdError {
    IdError { code, position, message }
}

/// The 31 characters of GB 32100 (no I, O, S, V, Z); a character's value is its index.
pub const USCC_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Registration authorities (登记管理部门) and the organisation types each may issue.
const AUTHORITIES: &[(char, &str, &str)] = &[
    ('1', "机构编制", "1239"),
    ('2', "外交", "19"),
    ('3', "司法行政", "123459"),
    ('4', "文化", "19"),
    ('5', "民政", "1239"),
    ('6', "旅游", "129"),
    ('7', "宗教", "1239"),
    ('8', "工会", "19"),
    ('9', "市场监督管理（工商）", "123"),
    ('A', "中央军委改革和编制办公室", "19"),
    ('N', "农业", "1239"),
    ('Y', "其他", "1"),
];

fn uscc_value(c: char) -> Option<u32> {
    USCC_CHARSET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters (which must be in the charset).
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (i, c) in first17.chars().enumerate() {
        sum += uscc_value(c)? * USCC_WEIGHTS.get(i)?;
    }
    let c = (31 - sum % 31) % 31;
    USCC_CHARSET.chars().nth(c as usize)
}

/// The check character of a 9-character 组织机构代码 (GB 11714) from its first 8.
pub fn org_code_check_char(first8: &str) -> Option<char> {
    let mut sum = 0;
    for (i, c) in first8.chars().enumerate() {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 55,
            _ => return None,
        };
        sum += v * ORG_WEIGHTS.get(i)?;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10)?,
    })
}

/// A 统一社会信用代码 that passed every check.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Uscc(String);

impl Uscc {
    pub fn parse(input: &str) -> Result<Uscc, IdError> {
        let s = input.trim().to_ascii_uppercase();
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 18 {
            return Err(err("uscc.length", None, format!("统一社会信用代码应为18位，实际为{}位", chars.len())));
        }
        for (i, c) in chars.iter().enumerate() {
            if uscc_value(*c).is_none() {
                return Err(err(
                    "uscc.character",
                    Some(i + 1),
                    format!(
                        "第{}位“{c}”不是统一社会信用代码允许的字符（数字及除 I、O、S、V、Z 以外的大写字母）",
                        i + 1
                    ),
                ));
            }
        }
        let Some((_, authority, types)) = AUTHORITIES.iter().find(|(a, _, _)| *a == chars[0]) else {
            return Err(err("uscc.authority", Some(1), format!("第1位“{}”不是有效的登记管理部门代码", chars[0])));
        };
        if !types.contains(chars[1]) {
            return Err(err(
                "uscc.organisation_type",
                Some(2),
                format!(
                    "第2位“{}”不是{authority}登记的机构类别代码（应为 {}）",
                    chars[1],
                    types.chars().collect::<Vec<_>>().iter().map(char::to_string).collect::<Vec<_>>().join("、")
                ),
            ));
        }
        let region: String = chars[2..8].iter().collect();
        if region != "100000" {
            if let Some(i) = region.chars().position(|c| !c.is_ascii_digit()) {
                return Err(err(
                    "uscc.region",
                    Some(3 + i),
                    format!("第{}位应为数字（第3至8位是行政区划代码）", 3 + i),
                ));
            }
            if let Err(e) = crate::RegionCode::parse(&region) {
                return Err(err("uscc.region", Some(3), format!("第3至8位“{region}”不是有效的行政区划代码：{e}")));
            }
        }
        let org: String = chars[8..17].iter().collect();
        if let Some(i) = org[..8].chars().position(|c| !c.is_ascii_alphanumeric()) {
            return Err(err("uscc.organisation_code", Some(9 + i), format!("第{}位不符合组织机构代码规则", 9 + i)));
        }
        let org_check = org_code_check_char(&org[..8]).expect("alphanumeric");
        if chars[16] != org_check {
            return Err(err(
                "uscc.organisation_code_check",
                Some(17),
                format!("第17位（组织机构代码校验码）应为“{org_check}”，实际为“{}”", chars[16]),
            ));
        }
        let first17: String = chars[..17].iter().collect();
        let check = uscc_check_char(&first17).expect("charset checked");
        if chars[17] != check {
            return Err(err("uscc.check", Some(18), format!("第18位（校验码）应为“{check}”，实际为“{}”", chars[17])));
        }
        Ok(Uscc(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

pub fn citizen_id_check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (i, c) in first17.chars().enumerate() {
        sum += c.to_digit(10)? * ID_WEIGHTS.get(i)?;
    }
    Some(ID_CHECK[(sum % 11) as usize] as char)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// A 公民身份号码 that passed every check. Its address code is not checked
/// against today's region list: codes are retired, numbers stay valid.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CitizenId(String);

impl fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CitizenId({})", self.masked())
    }
}

impl CitizenId {
    /// `today` bounds the birth date (no one is born in the future).
    pub fn parse(input: &str, today: NaiveDate) -> Result<CitizenId, IdError> {
        let s = input.trim().to_ascii_uppercase();
        let chars: Vec<char> = s.chars().collect();
        if chars.len() == 15 && chars.iter().all(char::is_ascii_digit) {
            return Err(err("citizen_id.old_format", None, "这是15位旧身份证号码，请填写18位号码".into()));
        }
        if chars.len() != 18 {
            return Err(err("citizen_id.length", None, format!("公民身份号码应为18位，实际为{}位", chars.len())));
        }
        if let Some(i) = chars[..17].iter().position(|c| !c.is_ascii_digit()) {
            return Err(err(
                "citizen_id.character",
                Some(i + 1),
                format!("第{}位应为数字，实际为“{}”", i + 1, chars[i]),
            ));
        }
        if !(chars[17].is_ascii_digit() || chars[17] == 'X') {
            return Err(err("citizen_id.character", Some(18), format!("第18位应为数字或 X，实际为“{}”", chars[17])));
        }
        let prefix: u32 = s[..2].parse().expect("digits");
        if crate::RegionCode::parse(&format!("{prefix:02}0000")).is_err() {
            return Err(err("citizen_id.region", Some(1), format!("前两位“{prefix:02}”不是有效的省级行政区划代码")));
        }
        let (y, m, d): (i32, u32, u32) =
            (s[6..10].parse().unwrap(), s[10..12].parse().unwrap(), s[12..14].parse().unwrap());
        let Some(birth) = NaiveDate::from_ymd_opt(y, m, d) else {
            return Err(err("citizen_id.birth_date", Some(7), format!("第7至14位“{}”不是真实的日期", &s[6..14])));
        };
        if birth > today {
            return Err(err("citizen_id.birth_date", Some(7), format!("出生日期{birth}晚于今天")));
        }
        if birth.year() < 1900 {
            return Err(err("citizen_id.birth_date", Some(7), format!("出生日期{birth}早于1900年")));
        }
        let check = citizen_id_check_char(&s[..17]).expect("digits");
        if chars[17] != check {
            return Err(err(
                "citizen_id.check",
                Some(18),
                format!("第18位（校验码）应为“{check}”，实际为“{}”", chars[17]),
            ));
        }
        Ok(CitizenId(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked at parse")
    }

    pub fn sex(&self) -> Sex {
        if self.0.as_bytes()[16] % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// As shown to roles that do not need the number: `1311**********123X`.
    pub fn masked(&self) -> String {
        mask_citizen_id(&self.0)
    }
}

/// The one masking of a 身份证号 for display, exports and logs: the first four
/// and last four characters stay, the rest become `*`. Works on a stored
/// number without re-checking it, and on an already masked one (unchanged).
pub fn mask_citizen_id(number: &str) -> String {
    let chars: Vec<char> = number.trim().chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

/// A telephone number: a mainland mobile, a landline with its area code, or a
/// government service hotline (12345, 12320 ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "number", rename_all = "snake_case")]
pub enum Phone {
    Mobile(String),
    Landline(String),
    Hotline(String),
}

impl Phone {
    pub fn parse(input: &str) -> Result<Phone, IdError> {
        let s: String = input.trim().chars().filter(|c| *c != ' ').collect();
        let s = s.strip_prefix("+86").or_else(|| s.strip_prefix("0086")).map(str::to_string).unwrap_or(s);
        let digits = |x: &str| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit());
        if s.len() == 11 && digits(&s) && s.starts_with('1') {
            if !matches!(s.as_bytes()[1], b'3'..=b'9') {
                return Err(err("phone.mobile_prefix", Some(2), format!("手机号第2位应为3至9，实际为“{}”", &s[1..2])));
            }
            return Ok(Phone::Mobile(s));
        }
        if s.len() == 5 && s.starts_with("123") && digits(&s) {
            return Ok(Phone::Hotline(s));
        }
        // 0AA(A)-NNNNNNN(N)[-EXT], with or without the first hyphen.
        let (main, ext) = match s.match_indices('-').nth(1) {
            Some((i, _)) => (&s[..i], Some(&s[i + 1..])),
            None => (s.as_str(), None),
        };
        if let Some(e) = ext {
            if !digits(e) || e.len() > 6 {
                return Err(err("phone.extension", None, "分机号应为1至6位数字".into()));
            }
        }
        let (area, local) = match main.split_once('-') {
            Some((a, l)) => (a.to_string(), l.to_string()),
            None if main.starts_with('0') && digits(main) => {
                // Without a hyphen: three-digit area codes start 01 or 02, the rest take four.
                let cut = if main.starts_with("01") || main.starts_with("02") { 3 } else { 4 };
                (main.get(..cut).unwrap_or_default().to_string(), main.get(cut..).unwrap_or_default().to_string())
            }
            None => {
                return Err(err(
                    "phone.format",
                    None,
                    format!("“{input}”不是有效的电话号码：手机号为11位，固定电话须带区号"),
                ))
            }
        };
        if !digits(&area) || !area.starts_with('0') || !(3..=4).contains(&area.len()) {
            return Err(err("phone.area_code", Some(1), format!("区号“{area}”无效：应以0开头，共3至4位")));
        }
        if !digits(&local) || !(7..=8).contains(&local.len()) || local.starts_with('0') || local.starts_with('1') {
            return Err(err(
                "phone.local_number",
                None,
                format!("号码“{local}”无效：固定电话号码为7至8位，且不以0或1开头"),
            ));
        }
        let mut out = format!("{area}-{local}");
        if let Some(e) = ext {
            out.push('-');
            out.push_str(e);
        }
        Ok(Phone::Landline(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn known_codes() {
        for ok in ["914403001922038216", "91440300708461136T", "9144030071526726XG", "91440300708461136t"] {
            Uscc::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        // Mock data that fails: its embedded organisation code is already wrong.
        assert_eq!(Uscc::parse("91110108717809965C").unwrap_err().code, "uscc.organisation_code_check");
        let e = Uscc::parse("914403001922038217").unwrap_err();
        assert_eq!((e.code, e.position), ("uscc.check", Some(18)));
        assert!(e.message.contains("应为“6”"), "{}", e.message);
        assert_eq!(Uscc::parse("9144030070846113").unwrap_err().code, "uscc.length");
        assert_eq!(Uscc::parse("91440300708461I36T").unwrap_err().position, Some(15));
        assert_eq!(Uscc::parse("B14403001922038216").unwrap_err().code, "uscc.authority");
        assert_eq!(Uscc::parse("954403001922038216").unwrap_err().code, "uscc.organisation_type");
        CitizenId::parse("11010519491231002X", today()).unwrap();
        CitizenId::parse("11010519491231002x", today()).unwrap();
        let id = CitizenId::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
    }

    #[test]
    fn citizen_id_reasons() {
        let e = |s: &str| CitizenId::parse(s, today()).unwrap_err();
        assert_eq!(e("110105194912310021").code, "citizen_id.check");
        assert_eq!(e("110105194902300021").code, "citizen_id.birth_date");
        assert_eq!(e("11010520991231002X").code, "citizen_id.birth_date");
        assert_eq!(e("110105491231002").code, "citizen_id.old_format");
        assert_eq!(e("11010519491231A02X").position, Some(15));
        assert_eq!(e("99010519491231002X").code, "citizen_id.region");
    }

    #[test]
    fn phones() {
        assert_eq!(Phone::parse("13912345678"), Ok(Phone::Mobile("13912345678".into())));
        assert_eq!(Phone::parse("+86 139 1234 5678"), Ok(Phone::Mobile("13912345678".into())));
        assert_eq!(Phone::parse("0318-8222796"), Ok(Phone::Landline("0318-8222796".into())));
        assert_eq!(Phone::parse("03188222796"), Ok(Phone::Landline("0318-8222796".into())));
        assert_eq!(Phone::parse("010-12345678").unwrap_err().code, "phone.local_number");
        assert_eq!(Phone::parse("01062345678-123"), Err(Phone::parse("01062345678-123").unwrap_err()));
        assert_eq!(Phone::parse("010-62345678-123"), Ok(Phone::Landline("010-62345678-123".into())));
        assert_eq!(Phone::parse("12320"), Ok(Phone::Hotline("12320".into())));
        assert_eq!(Phone::parse("12012345678").unwrap_err().code, "phone.mobile_prefix");
        assert!(Phone::parse("8222796").is_err(), "a landline needs its area code");
    }

    fn charset() -> Vec<char> {
        USCC_CHARSET.chars().collect()
    }

    prop_compose! {
        fn valid_uscc()(auth in 0usize..AUTHORITIES.len(), t in 0usize..6, region in prop::sample::select(vec!["131127", "460100", "370400", "440229", "140404", "100000"]),
                        org in "[0-9A-Z]{8}") -> String {
            let (a, _, types) = AUTHORITIES[auth];
            let ty = types.chars().nth(t % types.len()).unwrap();
            let org9 = format!("{org}{}", org_code_check_char(&org).unwrap());
            let first17 = format!("{a}{ty}{region}{org9}");
            // The organisation code may use I, O, S, V or Z, which GB 32100 cannot carry.
            let first17: String = first17.chars().map(|c| if USCC_CHARSET.contains(c) { c } else { '0' }).collect();
            format!("{first17}{}", uscc_check_char(&first17).unwrap())
        }
    }

    proptest! {
        #[test]
        fn generated_uscc_validate_and_every_corruption_is_caught(code in valid_uscc(), pos in 0usize..18, k in 1usize..31) {
            // Replacing a letter of the org code by '0' may break its own check: skip those.
            prop_assume!(org_code_check_char(&code[8..16]) == code.chars().nth(16));
            prop_assert!(Uscc::parse(&code).is_ok(), "{}", code);
            let cs = charset();
            let mut chars: Vec<char> = code.chars().collect();
            let idx = cs.iter().position(|c| *c == chars[pos]).unwrap();
            chars[pos] = cs[(idx + k) % 31];
            let corrupted: String = chars.into_iter().collect();
            prop_assert!(Uscc::parse(&corrupted).is_err(), "{} → {}", code, corrupted);
        }

        #[test]
        fn generated_citizen_ids_validate_and_every_corruption_is_caught(
            region in prop::sample::select(vec!["131127", "460100", "370400", "440229", "140404"]),
            days in 0i64..40_000, seq in 0u32..1000, pos in 0usize..18, k in 1u32..10,
        ) {
            let birth = NaiveDate::from_ymd_opt(1910, 1, 1).unwrap() + chrono::Days::new(days as u64);
            prop_assume!(birth <= today());
            let first17 = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
            let id = format!("{first17}{}", citizen_id_check_char(&first17).unwrap());
            prop_assert!(CitizenId::parse(&id, today()).is_ok(), "{}", id);
            let mut chars: Vec<char> = id.chars().collect();
            let alphabet: Vec<char> = "0123456789X".chars().collect();
            let limit = if pos == 17 { 11 } else { 10 };
            let i = alphabet.iter().position(|c| *c == chars[pos]).unwrap();
            chars[pos] = alphabet[(i + k as usize) % limit];
            let corrupted: String = chars.into_iter().collect();
            prop_assert!(CitizenId::parse(&corrupted, today()).is_err(), "{} → {}", id, corrupted);
        }
    }
}

/// A valid 统一社会信用代码 built from its parts: `kind` is the authority and
/// organisation-type characters (e.g. "12" for a public institution, "91" for
/// a company), `region` six digits, `serial` the organisation code's first
/// eight digits. For demo data and tests.
pub fn compose_uscc(kind: &str, region: &str, serial: u32) -> String {
    let org8 = format!("{:08}", serial % 100_000_000);
    let org_check = org_code_check_char(&org8).expect("digits");
    let first17 = format!("{kind}{region}{org8}{org_check}");
    let check = uscc_check_char(&first17).expect("charset");
    format!("{first17}{check}")
}

/// A valid 18-digit 公民身份号码 for demo data and tests.
pub fn compose_citizen_id(region: &str, birth: chrono::NaiveDate, serial: u16) -> String {
    let first17 = format!("{region}{}{:03}", birth.format("%Y%m%d"), serial % 1000);
    let check = citizen_id_check_char(&first17).expect("digits");
    format!("{first17}{check}")
}

#[cfg(test)]
mod compose_tests {
    use super::*;

    #[test]
    fn composed_identifiers_parse() {
        for serial in [0, 1, 12345678, 99999999] {
            for kind in ["12", "91", "52"] {
                let u = compose_uscc(kind, "131127", serial);
                assert!(Uscc::parse(&u).is_ok(), "{u}");
            }
        }
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let id = compose_citizen_id("131127", chrono::NaiveDate::from_ymd_opt(1980, 5, 17).unwrap(), 123);
        assert!(CitizenId::parse(&id, today).is_ok(), "{id}");
    }
}
