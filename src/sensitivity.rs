//! Which disruptions drive the risk: each source's and each event's
//! disruption switched off (rate 0) in turn, with common random numbers,
//! and the paired change in `eud_total` and `p_any_shortfall`, ranked.

use crate::compare::MineralDelta;
use crate::engine::{self, Aggregate, Progress};
use crate::scenario::Scenario;
use crate::summary::OrderedMap;
use serde::Serialize;

/// One entity's effect on one mineral (a row of `sensitivity.json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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
    /// Change in `cost_total` (market minerals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_cost_total: Option<f64>,
    /// Its paired standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_cost_total_se: Option<f64>,
    /// Change in `p_price_spike` (market minerals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_p_price_spike: Option<f64>,
    /// Its paired standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_p_price_spike_se: Option<f64>,
}

/// Every disruption of the scenario switched off at once, for one mineral:
/// the total that the entities' separate effects add up to (roughly: they
/// interact), and what remains without any disruption.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AllOff {
    /// Change in `eud_total` with every disruption switched off.
    pub delta_eud_total: f64,
    /// Its paired standard error.
    pub delta_eud_total_se: f64,
    /// Change in `p_any_shortfall`.
    pub delta_p_any_shortfall: f64,
    /// Its paired standard error.
    pub delta_p_any_shortfall_se: f64,
    /// `eud_total` with no disruption at all: demand that supply cannot
    /// meet even undisrupted (demand outgrowing supply, late projects).
    pub eud_total_without_disruptions: f64,
    /// Its standard error.
    pub eud_total_without_disruptions_se: f64,
    /// Change in `cost_total` (market minerals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_cost_total: Option<f64>,
    /// Its paired standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_cost_total_se: Option<f64>,
    /// Change in `p_price_spike` (market minerals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_p_price_spike: Option<f64>,
    /// Its paired standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_p_price_spike_se: Option<f64>,
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
    /// Per mineral: every disruption switched off at once.
    pub all_disruptions_off: OrderedMap<AllOff>,
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
                delta_cost_total: d.cost_total,
                delta_cost_total_se: d.cost_total_se,
                delta_p_price_spike: d.p_price_spike,
                delta_p_price_spike_se: d.p_price_spike_se,
            });
        }
    }
    let quiet = without_disruptions(s);
    let run = engine::simulate(&quiet, seed, trials, progress);
    let all_off = s
        .minerals
        .iter()
        .enumerate()
        .map(|(m, mineral)| {
            let d = MineralDelta::new(&base.minerals[m], &run.minerals[m]);
            let left = &run.minerals[m].tally.total;
            let off = AllOff {
                delta_eud_total: d.eud_total,
                delta_eud_total_se: d.eud_total_se,
                delta_p_any_shortfall: d.p_any_shortfall,
                delta_p_any_shortfall_se: d.p_any_shortfall_se,
                eud_total_without_disruptions: left.mean,
                eud_total_without_disruptions_se: left.se(),
                delta_cost_total: d.cost_total,
                delta_cost_total_se: d.cost_total_se,
                delta_p_price_spike: d.p_price_spike,
                delta_p_price_spike_se: d.p_price_spike_se,
            };
            (mineral.id.clone(), off)
        })
        .collect();
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
        all_disruptions_off: OrderedMap(all_off),
    }
}

/// The scenario with every source's and event's disruption switched off
/// (rate 0). Streams are keyed by entity, so every other draw is as before.
pub fn without_disruptions(s: &Scenario) -> Scenario {
    let mut quiet = s.clone();
    for src in &mut quiet.sources {
        if let Some(d) = src.disruption.as_mut() {
            d.rate = 0.0;
        }
    }
    for e in &mut quiet.events {
        e.process.rate = 0.0;
    }
    quiet
}

/// Number of runs [`sensitivity`] makes (one per source and event, and one
/// with every disruption off).
pub fn runs(s: &Scenario) -> u64 {
    (s.sources.len() + s.events.len()) as u64 + 1
}
