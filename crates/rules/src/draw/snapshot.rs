//! The frozen inputs and their text (spec sections 1 and 2), both ways: built from
//! a [`DrawInput`], or parsed back from a published snapshot file.

use super::{check_id, check_plan_id, sample_size, sha256_hex, DrawError, DrawInput, IdKind, Recusal, Stratum, SPEC};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt::Write;

/// A checked, normalised [`DrawInput`] with its snapshot text and hash. The only
/// way to a draw: holding one proves the inputs are valid and frozen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    input: DrawInput,
    ks: Vec<usize>,
    text: String,
    hash: String,
}

/// Recusal lines sort by the whole line's bytes ("r:" + entity + ":" + inspector),
/// which differs from sorting by (entity, inspector) when one id prefixes another.
fn line_order(a: &Recusal, b: &Recusal) -> Ordering {
    let bytes = |r: &Recusal| {
        let (e, i) = (r.entity.as_bytes().iter(), r.inspector.as_bytes().iter());
        e.chain(b":").chain(i).copied().collect::<Vec<u8>>()
    };
    // The common case (different entities with no prefix relation) needs no allocation.
    match a.entity.as_bytes().iter().zip(b.entity.as_bytes()).find(|(x, y)| x != y) {
        Some((x, y)) => x.cmp(y),
        None => bytes(a).cmp(&bytes(b)),
    }
}

impl Snapshot {
    /// Checks every id and ratio, deduplicates and byte-sorts every list, computes
    /// each stratum's k, and builds the snapshot text and its hash.
    pub fn freeze(mut input: DrawInput) -> Result<Snapshot, DrawError> {
        check_plan_id(&input.plan_id)?;
        for st in &mut input.strata {
            check_id(IdKind::Stratum, &st.name)?;
            if st.permille > 1000 {
                return Err(DrawError::InvalidPermille { stratum: st.name.clone(), permille: st.permille });
            }
            for e in &st.entity_ids {
                check_id(IdKind::Entity, e)?;
            }
            st.entity_ids.sort_unstable();
            st.entity_ids.dedup();
        }
        let mut names: HashMap<&str, ()> = HashMap::new();
        let mut owner: HashMap<&str, &str> = HashMap::new();
        for st in &input.strata {
            if names.insert(&st.name, ()).is_some() {
                return Err(DrawError::DuplicateStratum(st.name.clone()));
            }
            for e in &st.entity_ids {
                if let Some(first) = owner.insert(e, &st.name) {
                    return Err(DrawError::EntityInTwoStrata {
                        entity: e.clone(),
                        first: first.to_string(),
                        second: st.name.clone(),
                    });
                }
            }
        }
        for i in &input.inspectors {
            check_id(IdKind::Inspector, i)?;
        }
        input.inspectors.sort_unstable();
        input.inspectors.dedup();
        for r in &input.recusals {
            check_id(IdKind::Entity, &r.entity)?;
            check_id(IdKind::Inspector, &r.inspector)?;
        }
        input.recusals.sort_unstable_by(line_order);
        input.recusals.dedup();
        let ks: Vec<usize> = input.strata.iter().map(|s| sample_size(s.entity_ids.len(), s.permille)).collect();
        let text = render(&input, &ks);
        let hash = sha256_hex(text.as_bytes());
        Ok(Snapshot { input, ks, text, hash })
    }

    /// Reads a published snapshot back. The text must be exactly what
    /// [`Snapshot::freeze`] would write (sorted, deduplicated, right k, "\n" line
    /// ends), otherwise the error names the first offending line.
    pub fn parse(text: &str) -> Result<Snapshot, SnapshotError> {
        let input = parse_lines(text)?;
        // parse_lines made every check of freeze with a line number; this cannot fail.
        let snapshot = Snapshot::freeze(input).map_err(|e| SnapshotError::new(1, e.to_string(), e.message_en()))?;
        let mut theirs = text.split_inclusive('\n');
        for (n, ours) in snapshot.text.split_inclusive('\n').enumerate() {
            match theirs.next() {
                Some(line) if line == ours => {}
                Some(_) => return Err(not_canonical(n + 1, ours)),
                None => return Err(SnapshotError::new(n + 1, "文件提前结束", "the file ends early")),
            }
        }
        if theirs.next().is_some() {
            let n = snapshot.text.lines().count() + 1;
            return Err(SnapshotError::new(n, "最后一段之后还有多余的行", "extra lines after the last section"));
        }
        Ok(snapshot)
    }

    pub fn plan_id(&self) -> &str {
        &self.input.plan_id
    }

    /// The strata in plan order, each with its sorted entity ids.
    pub fn strata(&self) -> &[Stratum] {
        &self.input.strata
    }

    /// The number to select from each stratum, in plan order.
    pub fn sample_sizes(&self) -> &[usize] {
        &self.ks
    }

    /// The inspector pool, sorted.
    pub fn inspectors(&self) -> &[String] {
        &self.input.inspectors
    }

    /// The recusals, sorted by their snapshot lines.
    pub fn recusals(&self) -> &[Recusal] {
        &self.input.recusals
    }

    /// The normalised input (what a verifier recovers from the text).
    pub fn input(&self) -> &DrawInput {
        &self.input
    }

    pub fn into_input(self) -> DrawInput {
        self.input
    }

    /// The snapshot text, to publish before the beacon exists.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Lowercase hex SHA-256 of [`Snapshot::text`].
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

fn render(input: &DrawInput, ks: &[usize]) -> String {
    let ids: usize = input.strata.iter().flat_map(|s| &s.entity_ids).map(|e| e.len() + 3).sum::<usize>()
        + input.inspectors.iter().map(|i| i.len() + 3).sum::<usize>()
        + input.recusals.iter().map(|r| r.entity.len() + r.inspector.len() + 4).sum::<usize>();
    let mut t = String::with_capacity(ids + 64 * (input.strata.len() + 2) + input.plan_id.len());
    let line = |t: &mut String, parts: &[&str]| {
        for p in parts {
            t.push_str(p);
        }
        t.push('\n');
    };
    line(&mut t, &[SPEC]);
    line(&mut t, &["plan:", &input.plan_id]);
    for (st, k) in input.strata.iter().zip(ks) {
        let _ = writeln!(t, "stratum:{}:{}:{}", st.name, st.permille, k);
        for e in &st.entity_ids {
            line(&mut t, &["e:", e]);
        }
    }
    line(&mut t, &["inspectors"]);
    for i in &input.inspectors {
        line(&mut t, &["i:", i]);
    }
    line(&mut t, &["recusals"]);
    for r in &input.recusals {
        line(&mut t, &["r:", &r.entity, ":", &r.inspector]);
    }
    t
}

/// A malformed snapshot file: the 1-based line and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("快照第 {line} 行：{zh}")]
pub struct SnapshotError {
    pub line: usize,
    pub zh: String,
    pub en: String,
}

impl SnapshotError {
    fn new(line: usize, zh: impl Into<String>, en: impl Into<String>) -> SnapshotError {
        SnapshotError { line, zh: zh.into(), en: en.into() }
    }

    pub fn code(&self) -> &'static str {
        "draw.snapshot_malformed"
    }

    pub fn message_en(&self) -> String {
        format!("snapshot line {}: {}", self.line, self.en)
    }
}

fn not_canonical(line: usize, expected: &str) -> SnapshotError {
    let expected = expected.trim_end_matches('\n');
    SnapshotError::new(
        line,
        format!("不是规范形式，此处应为“{expected}”（各列表须去重并按字节升序排列，k 须为 ceil(N×比例/1000)）"),
        format!(
            "not in canonical form, expected {expected:?} here \
             (lists deduplicated and byte-sorted, k = ceil(N*permille/1000))"
        ),
    )
}

/// A decimal number as the snapshot writes it: ASCII digits, no sign, no leading zero.
fn number(s: &str) -> Option<usize> {
    let canonical = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if canonical {
        s.parse().ok()
    } else {
        None
    }
}

fn id_error(line: usize, e: DrawError) -> SnapshotError {
    SnapshotError::new(line, e.to_string(), e.message_en())
}

/// The line-by-line reading; ordering and k are checked afterwards against the
/// re-rendered text.
fn parse_lines(text: &str) -> Result<DrawInput, SnapshotError> {
    // The first offending line is reported, so the final "\n" is checked last.
    let body = text.strip_suffix('\n');
    let total = body.unwrap_or(text).split('\n').count();
    let mut lines = body.unwrap_or(text).split('\n').enumerate().map(|(i, l)| {
        if l.contains('\r') {
            Err(SnapshotError::new(i + 1, "含有回车符（行尾须为“\\n”，不能是“\\r\\n”）", "contains a carriage return"))
        } else {
            Ok((i + 1, l))
        }
    });
    let mut next = |want: &str| -> Result<(usize, &str), SnapshotError> {
        lines.next().unwrap_or_else(|| {
            Err(SnapshotError::new(
                total + 1,
                format!("文件提前结束，缺少“{want}”"),
                format!("the file ends before {want:?}"),
            ))
        })
    };
    let (n, l) = next(SPEC)?;
    if l != SPEC {
        return Err(SnapshotError::new(n, format!("第一行应为“{SPEC}”"), format!("the first line must be {SPEC:?}")));
    }
    let (n, l) = next("plan:")?;
    let Some(plan_id) = l.strip_prefix("plan:") else {
        return Err(SnapshotError::new(n, "应为“plan:<计划编号>”", "expected \"plan:<plan_id>\""));
    };
    check_plan_id(plan_id).map_err(|e| SnapshotError::new(n, e.to_string(), e.message_en()))?;
    let mut input = DrawInput { plan_id: plan_id.to_string(), ..DrawInput::default() };
    let mut stratum_line: HashMap<String, usize> = HashMap::new();
    let mut entity_line: HashMap<String, usize> = HashMap::new();
    loop {
        let (n, l) = next("inspectors")?;
        if l == "inspectors" {
            break;
        }
        if let Some(rest) = l.strip_prefix("stratum:") {
            let parts: Vec<&str> = rest.split(':').collect();
            let [name, permille, k] = parts[..] else {
                return Err(SnapshotError::new(
                    n,
                    "应为“stratum:<层名>:<比例>:<k>”",
                    "expected \"stratum:<name>:<permille>:<k>\"",
                ));
            };
            check_id(IdKind::Stratum, name).map_err(|e| id_error(n, e))?;
            let permille = number(permille).filter(|p| *p <= 1000).ok_or_else(|| {
                SnapshotError::new(
                    n,
                    "比例应为 0 到 1000 之间的整数（无前导零）",
                    "permille must be an integer 0..=1000 (no leading zero)",
                )
            })?;
            number(k).ok_or_else(|| {
                SnapshotError::new(
                    n,
                    "k 应为非负整数（无前导零）",
                    "k must be a non-negative integer (no leading zero)",
                )
            })?;
            if let Some(first) = stratum_line.insert(name.to_string(), n) {
                return Err(SnapshotError::new(
                    n,
                    format!("层名“{name}”与第 {first} 行重复"),
                    format!("stratum {name} already appears on line {first}"),
                ));
            }
            input.strata.push(Stratum { name: name.to_string(), permille: permille as u32, entity_ids: Vec::new() });
        } else if let Some(id) = l.strip_prefix("e:") {
            let Some(st) = input.strata.last_mut() else {
                return Err(SnapshotError::new(
                    n,
                    "“e:”行之前缺少“stratum:”行",
                    "an \"e:\" line before any \"stratum:\" line",
                ));
            };
            check_id(IdKind::Entity, id).map_err(|e| id_error(n, e))?;
            if let Some(first) = entity_line.insert(id.to_string(), n) {
                return Err(SnapshotError::new(
                    n,
                    format!("检查对象“{id}”与第 {first} 行重复"),
                    format!("entity {id} already appears on line {first}"),
                ));
            }
            st.entity_ids.push(id.to_string());
        } else {
            return Err(SnapshotError::new(
                n,
                "应为“stratum:”“e:”或“inspectors”行",
                "expected a \"stratum:\", \"e:\" or \"inspectors\" line",
            ));
        }
    }
    loop {
        let (n, l) = next("recusals")?;
        if l == "recusals" {
            break;
        }
        let Some(id) = l.strip_prefix("i:") else {
            return Err(SnapshotError::new(
                n,
                "应为“i:<执法人员编号>”或“recusals”行",
                "expected an \"i:\" or \"recusals\" line",
            ));
        };
        check_id(IdKind::Inspector, id).map_err(|e| id_error(n, e))?;
        input.inspectors.push(id.to_string());
    }
    for line in lines {
        let (n, l) = line?;
        let parts: Vec<&str> = l.strip_prefix("r:").map(|r| r.split(':').collect()).unwrap_or_default();
        let [entity, inspector] = parts[..] else {
            return Err(SnapshotError::new(
                n,
                "应为“r:<检查对象编号>:<执法人员编号>”",
                "expected \"r:<entity id>:<inspector id>\"",
            ));
        };
        check_id(IdKind::Entity, entity).map_err(|e| id_error(n, e))?;
        check_id(IdKind::Inspector, inspector).map_err(|e| id_error(n, e))?;
        input.recusals.push(Recusal { entity: entity.to_string(), inspector: inspector.to_string() });
    }
    if body.is_none() {
        return Err(SnapshotError::new(
            total,
            "缺少结尾的换行符（每一行都须以“\\n”结尾）",
            "the last line lacks its final \"\\n\"",
        ));
    }
    Ok(input)
}
