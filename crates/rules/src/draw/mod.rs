//! The verifiable random draw (双随机), spec version 1 (`../shared/design/draw-spec.md` beside the repository).
//!
//! The flow for a plan:
//! 1. [`Snapshot::freeze`] a [`DrawInput`] (strata, inspector pool, recusals): the
//!    lists are checked, deduplicated and sorted, and the snapshot text and its
//!    hash are fixed. Both are published before the beacon exists.
//! 2. When the beacon is known, [`Snapshot::draw`] gives the [`DrawRecord`], whose
//!    JSON ([`DrawRecord::to_json`]) is published beside the snapshot text.
//! 3. Anyone re-derives it with [`verify`] from those two files alone.
//!
//! Everything here is pure: no clock, no database, no randomness of its own.

mod chacha;
mod record;
mod select;
mod snapshot;
mod verify;

pub use chacha::{chacha20_block, uniform, Keystream, WordSource};
pub use record::{Assignment, DrawRecord, RecordError, StratumRecord};
pub use select::sample_size;
pub use snapshot::{Snapshot, SnapshotError};
pub use verify::{verify, Confirmation, Difference, StratumSummary, VerifyError};

use sha2::{Digest, Sha256};

/// The first line of a snapshot and the `spec` field of a record.
pub const SPEC: &str = "weijian-draw-v1";

/// What a plan freezes before the draw. Lists may come in any order and with
/// repeats; [`Snapshot::freeze`] normalises them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DrawInput {
    pub plan_id: String,
    /// In the plan's order (for example risk grades A, B, C, D).
    pub strata: Vec<Stratum>,
    pub inspectors: Vec<String>,
    pub recusals: Vec<Recusal>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stratum {
    pub name: String,
    /// Sampling ratio in thousandths, 0..=1000.
    pub permille: u32,
    pub entity_ids: Vec<String>,
}

/// An entity and an inspector who must not be assigned together (回避).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Recusal {
    pub entity: String,
    pub inspector: String,
}

/// The public value drawn after the snapshot was published, kept verbatim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Beacon {
    value: String,
    source: String,
}

impl Beacon {
    /// `value` is kept byte for byte (no trimming): the seed depends on it.
    pub fn new(value: impl Into<String>, source: impl Into<String>) -> Result<Beacon, DrawError> {
        let (value, source) = (value.into(), source.into());
        if value.trim().is_empty() {
            return Err(DrawError::EmptyBeacon);
        }
        Ok(Beacon { value, source })
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn source(&self) -> &str {
        &self.source
    }
}

/// Which kind of identifier was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    Stratum,
    Entity,
    Inspector,
}

impl IdKind {
    fn label(self) -> &'static str {
        match self {
            IdKind::Stratum => "层名",
            IdKind::Entity => "检查对象编号",
            IdKind::Inspector => "执法人员编号",
        }
    }
}

impl std::fmt::Display for IdKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("{kind}“{value}”无效：{reason}")]
    InvalidId { kind: IdKind, value: String, reason: &'static str },
    #[error("计划编号无效：{0}")]
    InvalidPlanId(&'static str),
    #[error("层“{stratum}”的抽查比例 {permille}‰ 无效：应为 0 到 1000 之间的整数")]
    InvalidPermille { stratum: String, permille: u32 },
    #[error("层名“{0}”重复")]
    DuplicateStratum(String),
    #[error("检查对象“{entity}”同时出现在层“{first}”和层“{second}”中")]
    EntityInTwoStrata { entity: String, first: String, second: String },
    #[error("随机数来源（公开随机值）不能为空")]
    EmptyBeacon,
    #[error("检查对象“{entity}”（层“{stratum}”）回避后可分派的执法人员只有 {eligible} 名，不足 2 名，抽取失败")]
    Understaffed { entity: String, stratum: String, eligible: usize },
}

impl DrawError {
    pub fn code(&self) -> &'static str {
        match self {
            DrawError::InvalidId { .. } => "draw.invalid_id",
            DrawError::InvalidPlanId(_) => "draw.invalid_plan_id",
            DrawError::InvalidPermille { .. } => "draw.invalid_permille",
            DrawError::DuplicateStratum(_) => "draw.duplicate_stratum",
            DrawError::EntityInTwoStrata { .. } => "draw.entity_in_two_strata",
            DrawError::EmptyBeacon => "draw.empty_beacon",
            DrawError::Understaffed { .. } => "draw.understaffed",
        }
    }

    /// The same in English, for the bilingual verifier output.
    pub fn message_en(&self) -> String {
        match self {
            DrawError::InvalidId { kind, value, .. } => {
                let kind = match kind {
                    IdKind::Stratum => "stratum name",
                    IdKind::Entity => "entity id",
                    IdKind::Inspector => "inspector id",
                };
                format!("invalid {kind} {value:?}: must be non-empty, without ':' or line breaks")
            }
            DrawError::InvalidPlanId(_) => "invalid plan id: must be non-empty, without line breaks".into(),
            DrawError::InvalidPermille { stratum, permille } => {
                format!("stratum {stratum}: permille {permille} is outside 0..=1000")
            }
            DrawError::DuplicateStratum(name) => format!("stratum name {name} appears twice"),
            DrawError::EntityInTwoStrata { entity, first, second } => {
                format!("entity {entity} is in both stratum {first} and stratum {second}")
            }
            DrawError::EmptyBeacon => "the beacon is empty".into(),
            DrawError::Understaffed { entity, stratum, eligible } => format!(
                "entity {entity} (stratum {stratum}): only {eligible} inspector(s) remain after recusals, fewer than 2"
            ),
        }
    }
}

/// Checks a stratum name, entity id or inspector id: UTF-8 (by type), not empty,
/// without ':' (the snapshot's field separator) or line breaks.
pub fn check_id(kind: IdKind, value: &str) -> Result<(), DrawError> {
    let reason = if value.is_empty() {
        "不能为空"
    } else if value.contains(':') {
        "不能包含冒号“:”"
    } else if value.contains(['\n', '\r']) {
        "不能包含换行符"
    } else {
        return Ok(());
    };
    Err(DrawError::InvalidId { kind, value: value.to_string(), reason })
}

/// Checks a plan id: not empty, without line breaks (':' is allowed).
pub fn check_plan_id(value: &str) -> Result<(), DrawError> {
    if value.is_empty() {
        Err(DrawError::InvalidPlanId("不能为空"))
    } else if value.contains(['\n', '\r']) {
        Err(DrawError::InvalidPlanId("不能包含换行符"))
    } else {
        Ok(())
    }
}

/// The commitment to a draw record published at the draw: the lowercase hex
/// SHA-256 of the record's exact bytes (as served, UTF-8), so the record
/// released later can be checked with any `sha256sum`.
pub fn record_sha256(record: &str) -> String {
    sha256_hex(record.as_bytes())
}

/// Lowercase hex SHA-256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The seed of spec section 3: SHA-256(snapshot_hash + "\n" + beacon).
pub fn seed(snapshot_hash: &str, beacon: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(snapshot_hash.as_bytes());
    h.update(b"\n");
    h.update(beacon.as_bytes());
    h.finalize().into()
}
