//! Re-deriving a published draw from its two files and naming the first
//! difference (spec section 7).

use super::{sha256_hex, Beacon, DrawError, DrawRecord, RecordError, Snapshot, SnapshotError, SPEC};

/// What a successful verification confirms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmation {
    pub plan_id: String,
    pub snapshot_hash: String,
    pub beacon: String,
    pub beacon_source: String,
    /// In plan order.
    pub strata: Vec<StratumSummary>,
    pub selected: usize,
    pub assignments: usize,
    pub inspectors: usize,
    pub recusals: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StratumSummary {
    pub name: String,
    pub permille: u32,
    /// N, the eligible entities in the snapshot.
    pub eligible: usize,
    /// k, the number selected.
    pub selected: usize,
}

/// The first place where the record and the re-derivation disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    Spec {
        record: String,
    },
    SnapshotHash {
        record: String,
        computed: String,
    },
    PlanId {
        record: String,
        snapshot: String,
    },
    Seed {
        record: String,
        derived: String,
    },
    StrataCount {
        record: usize,
        snapshot: usize,
    },
    StratumName {
        index: usize,
        record: String,
        snapshot: String,
    },
    Permille {
        stratum: String,
        record: u32,
        snapshot: u32,
    },
    SampleSize {
        stratum: String,
        record: usize,
        snapshot: usize,
    },
    SelectedCount {
        stratum: String,
        record: usize,
        derived: usize,
    },
    Selected {
        stratum: String,
        index: usize,
        record: String,
        derived: String,
    },
    AssignmentCount {
        record: usize,
        derived: usize,
    },
    AssignedEntity {
        index: usize,
        record: String,
        derived: String,
    },
    Inspectors {
        index: usize,
        entity: String,
        record: Vec<String>,
        derived: Vec<String>,
    },
    /// The snapshot and beacon give no valid draw at all (for example an entity
    /// that cannot get two inspectors), yet a record was published.
    DrawFails(DrawError),
}

impl Difference {
    pub fn code(&self) -> &'static str {
        match self {
            Difference::Spec { .. } => "draw.unsupported_spec",
            Difference::SnapshotHash { .. } => "draw.snapshot_hash_mismatch",
            Difference::PlanId { .. } => "draw.plan_mismatch",
            Difference::Seed { .. } => "draw.seed_mismatch",
            Difference::StrataCount { .. }
            | Difference::StratumName { .. }
            | Difference::Permille { .. }
            | Difference::SampleSize { .. } => "draw.strata_mismatch",
            Difference::SelectedCount { .. } | Difference::Selected { .. } => "draw.selection_mismatch",
            Difference::AssignmentCount { .. } | Difference::AssignedEntity { .. } | Difference::Inspectors { .. } => {
                "draw.assignment_mismatch"
            }
            Difference::DrawFails(_) => "draw.rederivation_failed",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            Difference::Spec { record } => format!("记录的规范版本为“{record}”，本程序只能核验“{SPEC}”"),
            Difference::SnapshotHash { record, computed } => format!(
                "快照哈希不一致：记录为 {record}，按快照文件计算为 {computed}（快照文件与记录不对应，或其一被改动过）"
            ),
            Difference::PlanId { record, snapshot } => {
                format!("计划编号不一致：记录为“{record}”，快照为“{snapshot}”")
            }
            Difference::Seed { record, derived } => format!(
                "种子不一致：记录为 {record}，由快照哈希和公开随机值重新推算为 {derived}（公开随机值或种子被改动过）"
            ),
            Difference::StrataCount { record, snapshot } => {
                format!("层数不一致：记录有 {record} 层，快照有 {snapshot} 层")
            }
            Difference::StratumName { index, record, snapshot } => format!(
                "第 {} 层的名称不一致：记录为“{record}”，快照为“{snapshot}”（层的顺序或名称被改动过）",
                index + 1
            ),
            Difference::Permille { stratum, record, snapshot } => {
                format!("层“{stratum}”的抽查比例不一致：记录为 {record}‰，快照为 {snapshot}‰")
            }
            Difference::SampleSize { stratum, record, snapshot } => {
                format!("层“{stratum}”的应抽数量 k 不一致：记录为 {record}，快照为 {snapshot}")
            }
            Difference::SelectedCount { stratum, record, derived } => {
                format!("层“{stratum}”抽中的数量不一致：记录有 {record} 个，重新推算应为 {derived} 个")
            }
            Difference::Selected { stratum, index, record, derived } => {
                format!("层“{stratum}”抽中名单第 {} 位不一致：记录为“{record}”，重新推算为“{derived}”", index + 1)
            }
            Difference::AssignmentCount { record, derived } => {
                format!("执法人员分派条数不一致：记录有 {record} 条，重新推算应为 {derived} 条")
            }
            Difference::AssignedEntity { index, record, derived } => {
                format!("第 {} 条分派的检查对象不一致：记录为“{record}”，重新推算为“{derived}”", index + 1)
            }
            Difference::Inspectors { entity, record, derived, .. } => format!(
                "检查对象“{entity}”的执法人员不一致：记录为“{}”，重新推算为“{}”",
                record.join("、"),
                derived.join("、")
            ),
            Difference::DrawFails(e) => format!("按快照和公开随机值重新推算时抽取失败：{e}"),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            Difference::Spec { record } => format!("record spec is {record:?}; only {SPEC} can be verified"),
            Difference::SnapshotHash { record, computed } => {
                format!("snapshot hash: record says {record}, the snapshot file hashes to {computed}")
            }
            Difference::PlanId { record, snapshot } => {
                format!("plan_id: record says {record:?}, snapshot says {snapshot:?}")
            }
            Difference::Seed { record, derived } => {
                format!("seed: record says {record}, re-derived {derived} from the snapshot hash and the beacon")
            }
            Difference::StrataCount { record, snapshot } => {
                format!("number of strata: record says {record}, snapshot says {snapshot}")
            }
            Difference::StratumName { index, record, snapshot } => {
                format!("strata[{index}] name: record says {record:?}, snapshot says {snapshot:?}")
            }
            Difference::Permille { stratum, record, snapshot } => {
                format!("stratum {stratum} permille: record says {record}, snapshot says {snapshot}")
            }
            Difference::SampleSize { stratum, record, snapshot } => {
                format!("stratum {stratum} k: record says {record}, snapshot says {snapshot}")
            }
            Difference::SelectedCount { stratum, record, derived } => {
                format!("stratum {stratum} selected count: record says {record}, re-derived {derived}")
            }
            Difference::Selected { stratum, index, record, derived } => {
                format!("stratum {stratum} selected[{index}]: record says {record}, re-derived {derived}")
            }
            Difference::AssignmentCount { record, derived } => {
                format!("number of assignments: record says {record}, re-derived {derived}")
            }
            Difference::AssignedEntity { index, record, derived } => {
                format!("assignments[{index}] entity: record says {record}, re-derived {derived}")
            }
            Difference::Inspectors { index, entity, record, derived } => {
                format!("assignments[{index}] ({entity}) inspectors: record says {record:?}, re-derived {derived:?}")
            }
            Difference::DrawFails(e) => format!("re-deriving the draw fails: {}", e.message_en()),
        }
    }
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message_zh())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The record file is not a record: nothing was compared.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The snapshot file is malformed: nothing was compared.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// Both files are readable and they disagree.
    #[error("{0}")]
    Mismatch(Difference),
}

impl VerifyError {
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Record(e) => e.code(),
            VerifyError::Snapshot(e) => e.code(),
            VerifyError::Mismatch(d) => d.code(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            VerifyError::Record(e) => e.message_en(),
            VerifyError::Snapshot(e) => e.message_en(),
            VerifyError::Mismatch(d) => d.message_en(),
        }
    }
}

/// Re-derives the draw from the published snapshot text and the record's beacon,
/// and compares every field of the record in order: spec, snapshot hash, plan,
/// seed, strata (name, permille, k, each selected id), then each assignment.
pub fn verify(record_json: &str, snapshot_text: &str) -> Result<Confirmation, VerifyError> {
    let record = DrawRecord::from_json(record_json)?;
    let snapshot = Snapshot::parse(snapshot_text)?;
    compare(&record, &snapshot).map_err(VerifyError::Mismatch)
}

fn compare(record: &DrawRecord, snapshot: &Snapshot) -> Result<Confirmation, Difference> {
    if record.spec != SPEC {
        return Err(Difference::Spec { record: record.spec.clone() });
    }
    // The text parsed canonically, so its hash is the hash of the file as given.
    debug_assert_eq!(snapshot.hash(), sha256_hex(snapshot.text().as_bytes()));
    if record.snapshot_hash != snapshot.hash() {
        return Err(Difference::SnapshotHash {
            record: record.snapshot_hash.clone(),
            computed: snapshot.hash().into(),
        });
    }
    if record.plan_id != snapshot.plan_id() {
        return Err(Difference::PlanId { record: record.plan_id.clone(), snapshot: snapshot.plan_id().into() });
    }
    let derived_seed = hex::encode(super::seed(snapshot.hash(), &record.beacon));
    if record.seed != derived_seed {
        return Err(Difference::Seed { record: record.seed.clone(), derived: derived_seed });
    }
    let derived = Beacon::new(record.beacon.clone(), record.beacon_source.clone())
        .and_then(|b| snapshot.draw(&b))
        .map_err(Difference::DrawFails)?;
    if record.strata.len() != derived.strata.len() {
        return Err(Difference::StrataCount { record: record.strata.len(), snapshot: derived.strata.len() });
    }
    for (index, (r, d)) in record.strata.iter().zip(&derived.strata).enumerate() {
        if r.name != d.name {
            return Err(Difference::StratumName { index, record: r.name.clone(), snapshot: d.name.clone() });
        }
        let stratum = d.name.clone();
        if r.permille != d.permille {
            return Err(Difference::Permille { stratum, record: r.permille, snapshot: d.permille });
        }
        if r.k != d.k {
            return Err(Difference::SampleSize { stratum, record: r.k, snapshot: d.k });
        }
        if let Some((index, (x, y))) = r.selected.iter().zip(&d.selected).enumerate().find(|(_, (x, y))| x != y) {
            return Err(Difference::Selected { stratum, index, record: x.clone(), derived: y.clone() });
        }
        if r.selected.len() != d.selected.len() {
            return Err(Difference::SelectedCount { stratum, record: r.selected.len(), derived: d.selected.len() });
        }
    }
    for (index, (r, d)) in record.assignments.iter().zip(&derived.assignments).enumerate() {
        if r.entity != d.entity {
            return Err(Difference::AssignedEntity { index, record: r.entity.clone(), derived: d.entity.clone() });
        }
        if r.inspectors != d.inspectors {
            return Err(Difference::Inspectors {
                index,
                entity: d.entity.clone(),
                record: r.inspectors.clone(),
                derived: d.inspectors.clone(),
            });
        }
    }
    if record.assignments.len() != derived.assignments.len() {
        return Err(Difference::AssignmentCount {
            record: record.assignments.len(),
            derived: derived.assignments.len(),
        });
    }
    Ok(Confirmation {
        plan_id: derived.plan_id.clone(),
        snapshot_hash: derived.snapshot_hash.clone(),
        beacon: derived.beacon.clone(),
        beacon_source: derived.beacon_source.clone(),
        strata: snapshot
            .strata()
            .iter()
            .zip(snapshot.sample_sizes())
            .map(|(s, &k)| StratumSummary {
                name: s.name.clone(),
                permille: s.permille,
                eligible: s.entity_ids.len(),
                selected: k,
            })
            .collect(),
        selected: derived.selected_count(),
        assignments: derived.assignments.len(),
        inspectors: snapshot.inspectors().len(),
        recusals: snapshot.recusals().len(),
    })
}
