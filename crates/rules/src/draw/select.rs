//! The draw itself (spec sections 5 and 6): entities by partial Fisher–Yates per
//! stratum, then two inspectors per selected entity, on one keystream.

use super::record::{Assignment, DrawRecord, StratumRecord};
use super::{seed, uniform, Beacon, DrawError, Keystream, Snapshot, WordSource, SPEC};
use std::collections::HashMap;

/// k = ceil(N × permille / 1000) in integers, never more than N.
pub fn sample_size(n: usize, permille: u32) -> usize {
    let k = (n as u128 * u128::from(permille)).div_ceil(1000);
    k.min(n as u128) as usize
}

impl Snapshot {
    /// Performs the draw with `beacon`. Fails only when some selected entity
    /// cannot get two inspectors (the error names it): never under-staffed.
    pub fn draw(&self, beacon: &Beacon) -> Result<DrawRecord, DrawError> {
        let seed = seed(self.hash(), beacon.value());
        let mut words = Keystream::new(&seed);
        let selected = select(self, &mut words);
        let assignments = assign(self, &selected, &mut words)?;
        Ok(DrawRecord {
            spec: SPEC.to_string(),
            plan_id: self.plan_id().to_string(),
            snapshot_hash: self.hash().to_string(),
            beacon: beacon.value().to_string(),
            beacon_source: beacon.source().to_string(),
            seed: hex::encode(seed),
            strata: self
                .strata()
                .iter()
                .zip(self.sample_sizes())
                .zip(&selected)
                .map(|((st, &k), sel)| StratumRecord {
                    name: st.name.clone(),
                    permille: st.permille,
                    k,
                    selected: sel.iter().map(|e| e.to_string()).collect(),
                })
                .collect(),
            assignments,
        })
    }
}

/// For each stratum in plan order: for i in 0..k, j = i + uniform(N - i), swap.
fn select<'a>(snapshot: &'a Snapshot, words: &mut impl WordSource) -> Vec<Vec<&'a str>> {
    let mut out = Vec::with_capacity(snapshot.strata().len());
    for (st, &k) in snapshot.strata().iter().zip(snapshot.sample_sizes()) {
        let mut a: Vec<&str> = st.entity_ids.iter().map(String::as_str).collect();
        let n = a.len();
        for i in 0..k {
            let j = i + uniform(words, (n - i) as u64) as usize;
            a.swap(i, j);
        }
        a.truncate(k);
        out.push(a);
    }
    out
}

/// Two inspectors for each selected entity, in selection order, with the load
/// cap ceil(2T/P) and the recusals (spec section 6).
fn assign(
    snapshot: &Snapshot,
    selected: &[Vec<&str>],
    words: &mut impl WordSource,
) -> Result<Vec<Assignment>, DrawError> {
    let pool = snapshot.inspectors();
    let total: usize = selected.iter().map(Vec::len).sum();
    if total == 0 {
        return Ok(Vec::new());
    }
    // With an empty pool the first entity fails below; the cap is then irrelevant.
    let cap = (2 * total).div_ceil(pool.len().max(1));
    // Pool positions recused per entity; recusals naming someone outside the pool change nothing.
    let mut recused: HashMap<&str, Vec<usize>> = HashMap::new();
    for r in snapshot.recusals() {
        if let Ok(i) = pool.binary_search(&r.inspector) {
            recused.entry(r.entity.as_str()).or_default().push(i);
        }
    }
    let mut load = vec![0usize; pool.len()];
    let mut eligible: Vec<usize> = Vec::with_capacity(pool.len());
    let mut out = Vec::with_capacity(total);
    for (st, entities) in snapshot.strata().iter().zip(selected) {
        for &entity in entities {
            let barred = recused.get(entity).map(Vec::as_slice).unwrap_or(&[]);
            eligible.clear();
            eligible.extend((0..pool.len()).filter(|i| load[*i] < cap && !barred.contains(i)));
            if eligible.len() < 2 {
                // The cap gives way for this entity only; recusals never do.
                eligible.clear();
                eligible.extend((0..pool.len()).filter(|i| !barred.contains(i)));
            }
            if eligible.len() < 2 {
                return Err(DrawError::Understaffed {
                    entity: entity.to_string(),
                    stratum: st.name.clone(),
                    eligible: eligible.len(),
                });
            }
            let first = eligible.remove(uniform(words, eligible.len() as u64) as usize);
            let second = eligible[uniform(words, eligible.len() as u64) as usize];
            load[first] += 1;
            load[second] += 1;
            out.push(Assignment {
                entity: entity.to_string(),
                inspectors: vec![pool[first].clone(), pool[second].clone()],
            });
        }
    }
    Ok(out)
}
