//! Which disruptions drive the risk: each source's and each event's
//! disruption switched off (rate 0) in turn, with common random numbers,
//! and the paired change in `eud_total` and `p_any_shortfall`, ranked.

use crate::compare::MineralDelta;
use crate::engine::{self, Aggregate, Progress};
use crate::scenario::Scenario;
use crate::summary::OrderedMap;
use serde::Serialize;

/// One entity's effect on one mineral (a row of `sensitivity.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityEntry {
    /// Source or event id.
    pub entity: String,
    /// `"source"` or `"event"`.
    pub kind: &'static str,
    /// Change in `eud_total` with the entity's disruption switched off
    /// (negative: the entity adds that much expected unserved demand).
    pub delta_eud_total: f64,
    /// Its paired standard error.
    pub delta_eud_total_se: f64,
    /// Change in `p_any_shortfall`.
    pub delta_p_any_shortfall: f64,
    /// Its paired standard error.
    pub delta_p_any_shortfall_se: f64,
}

/// `sensitivity.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitivity {
    /// Seed of every run.
    pub seed: u64,
    /// Trials of every run.
    pub trials: u64,
    /// Per mineral: every source of the mineral and every event that hits
    /// one of them, most negative `delta_eud_total` first.
    pub minerals: OrderedMap<Vec<SensitivityEntry>>,
}

/// What to switch off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// A source's own disruption (index into `Scenario::sources`).
    Source(usize),
    /// A common-cause event (index into `Scenario::events`).
    Event(usize),
}

/// The minerals an entity can affect, in scenario order.
pub fn affected_minerals(s: &Scenario, e: Entity) -> Vec<usize> {
    let mut ms: Vec<usize> = match e {
        Entity::Source(i) => vec![s.sources[i].mineral],
        Entity::Event(i) => s.events[i]
            .affects
            .iter()
            .map(|&(src, _)| s.sources[src].mineral)
            .collect(),
    };
    ms.sort_unstable();
    ms.dedup();
    ms
}

/// The scenario restricted to the minerals `e` affects, with `e`'s
/// disruption switched off (rate 0). Returns the restricted scenario and
/// the kept mineral indexes (of `s`), in order.
pub fn switched_off(s: &Scenario, e: Entity) -> (Scenario, Vec<usize>) {
    let keep = affected_minerals(s, e);
    let mut off = s.only_minerals(&keep);
    match e {
        Entity::Source(i) => {
            let id = &s.sources[i].id;
            if let Some(j) = off.source_index(id) {
                if let Some(d) = off.sources[j].disruption.as_mut() {
                    d.rate = 0.0;
                }
            }
        }
        Entity::Event(i) => {
            if let Some(j) = off.event_index(&s.events[i].id) {
                off.events[j].process.rate = 0.0;
            }
        }
    }
    (off, keep)
}

/// Run the sensitivity analysis: one run per source and per event, each
/// restricted to the minerals it affects. `progress` receives trials done.
pub fn sensitivity(
    s: &Scenario,
    seed: u64,
    trials: u64,
    base: &Aggregate,
    progress: Option<Progress>,
) -> Sensitivity {
    let mut rows: Vec<Vec<SensitivityEntry>> = vec![Vec::new(); s.minerals.len()];
    let entities = (0..s.sources.len())
        .map(Entity::Source)
        .chain((0..s.events.len()).map(Entity::Event));
    for e in entities {
        let (off, keep) = switched_off(s, e);
        let run = engine::simulate(&off, seed, trials, progress);
        for (k, &m) in keep.iter().enumerate() {
            let d = MineralDelta::new(&base.minerals[m], &run.minerals[k]);
            let (entity, kind) = match e {
                Entity::Source(i) => (s.sources[i].id.clone(), "source"),
                Entity::Event(i) => (s.events[i].id.clone(), "event"),
            };
            rows[m].push(SensitivityEntry {
                entity,
                kind,
                delta_eud_total: d.eud_total,
                delta_eud_total_se: d.eud_total_se,
                delta_p_any_shortfall: d.p_any_shortfall,
                delta_p_any_shortfall_se: d.p_any_shortfall_se,
            });
        }
    }
    for r in &mut rows {
        r.sort_by(|a, b| {
            a.delta_eud_total
                .total_cmp(&b.delta_eud_total)
                .then(a.delta_p_any_shortfall.total_cmp(&b.delta_p_any_shortfall))
                .then(a.kind.cmp(b.kind))
                .then(a.entity.cmp(&b.entity))
        });
    }
    Sensitivity {
        seed,
        trials,
        minerals: OrderedMap(s.minerals.iter().map(|m| m.id.clone()).zip(rows).collect()),
    }
}

/// Number of runs [`sensitivity`] makes (one per source and event).
pub fn runs(s: &Scenario) -> u64 {
    (s.sources.len() + s.events.len()) as u64
}
