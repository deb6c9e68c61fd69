//! The published record (spec section 7). Field order is the spec's; the JSON is
//! pretty-printed with a final newline so that a record file is reproducible byte
//! for byte.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawRecord {
    pub spec: String,
    pub plan_id: String,
    pub snapshot_hash: String,
    pub beacon: String,
    pub beacon_source: String,
    /// Lowercase hex of the 32 seed bytes.
    pub seed: String,
    pub strata: Vec<StratumRecord>,
    pub assignments: Vec<Assignment>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StratumRecord {
    pub name: String,
    pub permille: u32,
    pub k: usize,
    /// In draw order.
    pub selected: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub entity: String,
    /// The first and the second inspector drawn (always two in a valid record;
    /// a list so that a verifier can report a tampered length as a difference).
    pub inspectors: Vec<String>,
}

/// A record file that is not valid record JSON.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("抽取记录不是有效的 JSON 记录：{0}")]
pub struct RecordError(pub String);

impl RecordError {
    pub fn code(&self) -> &'static str {
        "draw.record_malformed"
    }

    pub fn message_en(&self) -> String {
        format!("the record is not valid record JSON: {}", self.0)
    }
}

impl DrawRecord {
    /// The canonical published form.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a record always serialises");
        s.push('\n');
        s
    }

    pub fn from_json(text: &str) -> Result<DrawRecord, RecordError> {
        serde_json::from_str(text).map_err(|e| RecordError(e.to_string()))
    }

    /// How many entities were selected in all strata.
    pub fn selected_count(&self) -> usize {
        self.strata.iter().map(|s| s.selected.len()).sum()
    }
}
