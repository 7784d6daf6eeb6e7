//! Which disruptions drive the risk: each source's and each event's
//! disruption switched off (rate 0) in turn, then each shared factor (its
//! loadings set to 0) and each disruption in progress at the start, with
//! common random numbers, and the paired change in `eud_total` and
//! `p_any_shortfall`, ranked.

use crate::compare::{paired, MineralDelta, Paired};
use crate::engine::{self, Aggregate, Progress};
use crate::scenario::{Loading, Process, Scenario};
use crate::summary::OrderedMap;
use serde::Serialize;

/// One entity's effect on one mineral (a row of `sensitivity.json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SensitivityEntry {
    /// Source, event or factor id (for an initial disruption: its source's
    /// or event's).
    pub entity: String,
    /// `"source"`, `"event"`, `"factor"` or `"initial"`.
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
    /// `cost_total` with no disruption at all (market minerals): the
    /// consumer's cost of the price level alone; less `delta_cost_total`
    /// (paired), the disruptions' share of the cost as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_total_without_disruptions: Option<f64>,
    /// Its standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_total_without_disruptions_se: Option<f64>,
}

/// The results of a sensitivity analysis. `sensitivity.json` lists the
/// sources and events under `minerals` and the shared factors and initial
/// spells apart, under `other_drivers` (absent when there are none), so
/// that each list names an entity once and holds one kind of switch;
/// the tables, the CSV and the charts rank all of them together.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// Seed of every run.
    pub seed: u64,
    /// Trials of every run.
    pub trials: u64,
    /// Per mineral: every source of the mineral, every event that hits
    /// one of them, every factor that moves the mineral and every initial
    /// spell of those sources and events, most negative `delta_eud_total`
    /// first.
    pub minerals: OrderedMap<Vec<SensitivityEntry>>,
    /// Per mineral: every disruption switched off at once.
    pub all_disruptions_off: OrderedMap<AllOff>,
    /// Per mineral: how far the second entry lies behind the first, the
    /// paired change in `eud_total` from switching off the second instead
    /// of the first (0 or more, to rounding), with its paired standard
    /// error; `None` with fewer than two entries. Not part of
    /// `sensitivity.json`.
    pub runner_up_gap: OrderedMap<Option<Paired>>,
}

impl Sensitivity {
    /// Per mineral, the ranked entries whose kind `keep` accepts.
    fn only(&self, keep: impl Fn(&str) -> bool) -> OrderedMap<Vec<&SensitivityEntry>> {
        OrderedMap(
            self.minerals
                .0
                .iter()
                .map(|(id, es)| (id.clone(), es.iter().filter(|e| keep(e.kind)).collect()))
                .collect(),
        )
    }
}

impl Serialize for Sensitivity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            seed: u64,
            trials: u64,
            minerals: OrderedMap<Vec<&'a SensitivityEntry>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            other_drivers: Option<OrderedMap<Vec<&'a SensitivityEntry>>>,
            all_disruptions_off: &'a OrderedMap<AllOff>,
        }
        let switched = |k: &str| k == "source" || k == "event";
        let other = self.only(|k| !switched(k));
        Json {
            seed: self.seed,
            trials: self.trials,
            minerals: self.only(switched),
            other_drivers: other
                .0
                .iter()
                .any(|(_, es)| !es.is_empty())
                .then_some(other),
            all_disruptions_off: &self.all_disruptions_off,
        }
        .serialize(serializer)
    }
}

/// What to switch off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// A source's own disruption, its initial spell included (index into
    /// `Scenario::sources`).
    Source(usize),
    /// A common-cause event, its initial spell included (index into
    /// `Scenario::events`).
    Event(usize),
    /// A shared factor: every loading on it set to 0 (index into
    /// `Scenario::factors`).
    Factor(usize),
    /// The initial spell of a source's own disruption.
    SourceInitial(usize),
    /// The initial spell of an event.
    EventInitial(usize),
}

impl Entity {
    /// The id and kind reported for the entity.
    fn name(self, s: &Scenario) -> (String, &'static str) {
        match self {
            Entity::Source(i) => (s.sources[i].id.clone(), "source"),
            Entity::Event(i) => (s.events[i].id.clone(), "event"),
            Entity::Factor(f) => (s.factors[f].id.clone(), "factor"),
            Entity::SourceInitial(i) => (s.sources[i].id.clone(), "initial"),
            Entity::EventInitial(i) => (s.events[i].id.clone(), "initial"),
        }
    }
}

/// Every entity [`sensitivity`] switches off, in the order it runs them:
/// sources, events, factors, then initial spells (of sources, then of
/// events).
pub fn entities(s: &Scenario) -> Vec<Entity> {
    let initial = |p: Option<&Process>| p.is_some_and(|p| p.initial.is_some());
    (0..s.sources.len())
        .map(Entity::Source)
        .chain((0..s.events.len()).map(Entity::Event))
        .chain((0..s.factors.len()).map(Entity::Factor))
        .chain(
            (0..s.sources.len())
                .filter(|&i| initial(s.sources[i].disruption.as_ref()))
                .map(Entity::SourceInitial),
        )
        .chain(
            (0..s.events.len())
                .filter(|&i| initial(Some(&s.events[i].process)))
                .map(Entity::EventInitial),
        )
        .collect()
}

/// Whether project `p` loads on factor `f`, or requires (at any depth) a
/// project that does.
fn project_loads_on(s: &Scenario, mut p: usize, f: usize) -> bool {
    // `requires` has no cycles: a chain is at most as long as the list.
    for _ in 0..=s.projects.len() {
        let project = &s.projects[p];
        if project.factor.is_some_and(|l| l.factor == f) {
            return true;
        }
        match project.requires {
            Some(r) => p = r,
            None => return false,
        }
    }
    false
}

/// The minerals an entity can affect, in scenario order.
pub fn affected_minerals(s: &Scenario, e: Entity) -> Vec<usize> {
    let mut ms: Vec<usize> = match e {
        Entity::Source(i) | Entity::SourceInitial(i) => vec![s.sources[i].mineral],
        Entity::Event(i) | Entity::EventInitial(i) => s.events[i]
            .affects
            .iter()
            .map(|&(src, _)| s.sources[src].mineral)
            .collect(),
        Entity::Factor(f) => {
            let on = |l: Option<Loading>| l.is_some_and(|l| l.factor == f);
            let demands = s.minerals.iter().enumerate().filter_map(|(m, mineral)| {
                let rest = mineral.market.as_ref().map(|k| k.rest_of_world.factor);
                (on(mineral.demand.factor) || on(rest.flatten())).then_some(m)
            });
            let projects = s.sources.iter().filter_map(|src| {
                let p = src.project?;
                project_loads_on(s, p, f).then_some(src.mineral)
            });
            demands.chain(projects).collect()
        }
    };
    ms.sort_unstable();
    ms.dedup();
    ms
}

/// Switch a process off: rate 0 and no initial spell.
fn off(p: &mut Process) {
    p.rate = 0.0;
    p.initial = None;
}

/// The scenario restricted to the minerals `e` affects, with `e`
/// switched off: a disruption's rate set to 0 and its initial spell
/// removed, a factor's loadings set to 0, an initial spell removed.
/// Returns the restricted scenario and the kept mineral indexes (of `s`),
/// in order.
pub fn switched_off(s: &Scenario, e: Entity) -> (Scenario, Vec<usize>) {
    let keep = affected_minerals(s, e);
    let mut o = s.only_minerals(&keep);
    let process = match e {
        Entity::Source(i) | Entity::SourceInitial(i) => o
            .source_index(&s.sources[i].id)
            .and_then(|j| o.sources[j].disruption.as_mut()),
        Entity::Event(i) | Entity::EventInitial(i) => o
            .event_index(&s.events[i].id)
            .map(|j| &mut o.events[j].process),
        Entity::Factor(_) => None,
    };
    match e {
        Entity::Source(_) | Entity::Event(_) => process.into_iter().for_each(off),
        Entity::SourceInitial(_) | Entity::EventInitial(_) => {
            if let Some(p) = process {
                p.initial = None;
            }
        }
        Entity::Factor(f) => {
            let zero = |l: &mut Option<Loading>| {
                if let Some(l) = l.as_mut().filter(|l| l.factor == f) {
                    l.loading = 0.0;
                }
            };
            for m in &mut o.minerals {
                zero(&mut m.demand.factor);
                if let Some(k) = m.market.as_mut() {
                    zero(&mut k.rest_of_world.factor);
                }
            }
            for p in &mut o.projects {
                zero(&mut p.factor);
            }
        }
    }
    (o, keep)
}

/// Run the sensitivity analysis: one run per entity of [`entities`], each
/// restricted to the minerals it affects. `progress` receives trials done.
pub fn sensitivity(
    s: &Scenario,
    seed: u64,
    trials: u64,
    base: &Aggregate,
    progress: Option<Progress>,
) -> Sensitivity {
    let mut rows: Vec<Vec<SensitivityEntry>> = vec![Vec::new(); s.minerals.len()];
    // Per mineral, the two entries that rank first so far, with their
    // runs' horizon totals.
    let mut leads: Vec<Vec<(SensitivityEntry, Vec<f64>)>> = vec![Vec::new(); s.minerals.len()];
    for e in entities(s) {
        let (off, keep) = switched_off(s, e);
        let run = engine::simulate(&off, seed, trials, progress);
        for (k, &m) in keep.iter().enumerate() {
            let d = MineralDelta::new(&base.minerals[m], &run.minerals[k]);
            let (entity, kind) = e.name(s);
            let entry = SensitivityEntry {
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
            };
            let lead = &mut leads[m];
            if lead.len() < 2 || lead.iter().any(|(x, _)| rank(&entry, x).is_lt()) {
                lead.push((entry.clone(), run.minerals[k].totals.clone()));
                lead.sort_by(|a, b| rank(&a.0, &b.0));
                lead.truncate(2);
            }
            rows[m].push(entry);
        }
    }
    let runner_up_gap: Vec<Option<Paired>> = leads
        .iter()
        .map(|lead| match lead.as_slice() {
            [(_, first), (_, second)] => {
                Some(paired(first.iter().copied(), second.iter().copied()))
            }
            _ => None,
        })
        .collect();
    let quiet = without_disruptions(s);
    let run = engine::simulate(&quiet, seed, trials, progress);
    let all_off = s
        .minerals
        .iter()
        .enumerate()
        .map(|(m, mineral)| {
            let d = MineralDelta::new(&base.minerals[m], &run.minerals[m]);
            let left = &run.minerals[m].tally.total;
            let cost_left = run.minerals[m].tally.market.as_ref().map(|k| &k.cost_total);
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
                cost_total_without_disruptions: cost_left.map(|c| c.mean),
                cost_total_without_disruptions_se: cost_left.map(|c| c.se()),
            };
            (mineral.id.clone(), off)
        })
        .collect();
    for r in &mut rows {
        r.sort_by(rank);
    }
    let ids = || s.minerals.iter().map(|m| m.id.clone());
    Sensitivity {
        seed,
        trials,
        minerals: OrderedMap(ids().zip(rows).collect()),
        all_disruptions_off: OrderedMap(all_off),
        runner_up_gap: OrderedMap(ids().zip(runner_up_gap).collect()),
    }
}

/// The order of a mineral's entries: most negative `delta_eud_total`
/// first, then `delta_p_any_shortfall`, kind and entity.
fn rank(a: &SensitivityEntry, b: &SensitivityEntry) -> std::cmp::Ordering {
    a.delta_eud_total
        .total_cmp(&b.delta_eud_total)
        .then(a.delta_p_any_shortfall.total_cmp(&b.delta_p_any_shortfall))
        .then(a.kind.cmp(b.kind))
        .then(a.entity.cmp(&b.entity))
}

/// The scenario with every source's and event's disruption switched off
/// (rate 0, no initial spell). Streams are keyed by entity, so every other
/// draw is as before.
pub fn without_disruptions(s: &Scenario) -> Scenario {
    let mut quiet = s.clone();
    for src in &mut quiet.sources {
        if let Some(d) = src.disruption.as_mut() {
            off(d);
        }
    }
    for e in &mut quiet.events {
        off(&mut e.process);
    }
    quiet
}

/// Number of runs [`sensitivity`] makes (one per entity it switches off,
/// and one with every disruption off).
pub fn runs(s: &Scenario) -> u64 {
    entities(s).len() as u64 + 1
}
