//! What the engine precomputes from a scenario before the first trial.

use super::chain::{uses_chain, ChainPlan, ChainSource};
use super::dependence::{factor_plans, project_plans, FactorPlan, Load, ProjectPlan};
use super::market::MarketPlan;
use super::process::ProcessPlan;
use crate::rng::EntityKey;
use crate::scenario::{Scenario, Stockpile};

/// Supply per step is kept in integer *units* of a power of two, `quantum`
/// (see [`MineralPlan::quantum`]): integer sums are exact and independent
/// of order, so losses can be subtracted over disrupted steps only, and
/// adding a source can never lower any step's supply, not even by rounding
/// (while the quantum stays the same: a source that lifts the mineral's
/// largest supply across a power of two doubles the quantum, and sums in
/// the new unit can differ from the old in their last bit).
#[inline(always)]
pub fn to_units(x: f64, inv_quantum: f64) -> i64 {
    round_to_int(x * inv_quantum)
}

/// The unit of supply and its reciprocal for a mineral whose largest
/// supply per step is `most`: `2^(E - 51)` with `2^E` the smallest power
/// of two at least `most`, so that sums of up to 2^52 units stay exact.
/// `E` is at least -971, so the reciprocal stays finite: a mineral whose
/// largest supply a step is below 2^-971 (only a share of about 1e-290 or
/// less gives one) is resolved less finely, and a supply below 2^-1023 a
/// step counts as 0 units.
pub fn quantum_of(most: f64) -> (f64, f64) {
    let exponent = if most > 0.0 {
        (most.log2().ceil() as i32).max(-971)
    } else {
        0
    };
    (2f64.powi(exponent - 51), 2f64.powi(51 - exponent))
}

/// `v` rounded to the nearest integer (ties to even), for `0 <= v < 2^52`:
/// exact, branch-free and monotone. `v + 2^52` rounds `v` to an integer,
/// since in `[2^52, 2^53)` the spacing of f64 is 1, and its bits are those
/// of 2^52 plus `v` rounded: read without a float-to-integer conversion.
#[inline(always)]
pub fn round_to_int(v: f64) -> i64 {
    const MAGIC: f64 = 4_503_599_627_370_496.0; // = 2^52

    debug_assert!((0.0..MAGIC).contains(&v));
    (v + MAGIC).to_bits() as i64 - MAGIC.to_bits() as i64
}

/// Per-mineral constants.
#[derive(Debug, Clone)]
pub struct MineralPlan {
    /// Supply per step, in units, of every existing source at full output
    /// plus firm supply: the starting point of each step before losses.
    pub base_units: i64,
    /// The unit of supply: `2^(E - 51)` with `2^E` at least the mineral's
    /// largest possible supply per step, so that every step's supply is
    /// below 2^51 units and sums keep (almost) f64 precision.
    pub quantum: f64,
    /// `1 / quantum` (exact: a power of two).
    pub inv_quantum: f64,
    /// `base * (1 + growth)^y` for each year index.
    pub trend: Vec<f64>,
    /// Demand noise.
    pub sigma: f64,
    /// Shortfall threshold, fraction of annual demand.
    pub threshold: f64,
    /// Stockpile, if any.
    pub stockpile: Option<Stockpile>,
    /// Sources whose supply can vary within a trial (projects, sources
    /// with a disruption process or hit by an event), in file order.
    pub dynamic_sources: Vec<usize>,
    /// Stream key of the demand noise.
    pub demand_key: EntityKey,
    /// The demand's loading on a year-scope factor.
    pub demand_load: Option<Load>,
    /// The rest of the world's demand's loading (market minerals).
    pub rest_load: Option<Load>,
    /// Channels, for a mineral with stages, restrictions or a market.
    pub chain: Option<ChainPlan>,
    /// The world market, if any.
    pub market: Option<MarketPlan>,
}

impl MineralPlan {
    /// The market's spike threshold, for a market mineral.
    pub fn spike_threshold(&self) -> Option<f64> {
        self.market.as_ref().map(|m| m.spike_threshold)
    }
}

/// Per-source constants.
#[derive(Debug, Clone)]
pub struct SourcePlan<'s> {
    /// `capacity * access`.
    pub normal_supply: f64,
    /// `(capacity * access) * dt`, one undisrupted step.
    pub step_supply: f64,
    /// `step_supply` in units of its mineral's quantum.
    pub step_units: i64,
    /// Own process, when it can go down.
    pub own: Option<ProcessPlan<'s>>,
    /// Its project's place in [`Plan::projects`], if a project.
    pub project: Option<usize>,
    /// `(event index, exposure)` of outage events that hit it.
    pub events: &'s [(usize, f64)],
    /// `(event index, exposure)` of restriction events that list it.
    pub restrictions: &'s [(usize, f64)],
    /// Stream key of the disruption process.
    pub disruption_key: EntityKey,
}

impl SourcePlan<'_> {
    /// Units lost at a step where the source's disruption factor (the
    /// product of `1 - exposure * severity`) is `factor`: full output less
    /// the disrupted output, each rounded to whole units.
    #[inline(always)]
    pub fn loss_units(&self, factor: f64, inv_quantum: f64) -> i64 {
        self.step_units - to_units(self.step_supply * factor, inv_quantum)
    }
}

/// Per-event constants.
#[derive(Debug, Clone)]
pub struct EventPlan<'s> {
    /// The process, when it can go down.
    pub process: Option<ProcessPlan<'s>>,
    /// Stream key.
    pub key: EntityKey,
}

/// Everything the trial loop needs, computed once per run.
#[derive(Debug, Clone)]
pub struct Plan<'s> {
    /// Number of steps.
    pub steps: usize,
    /// Steps per year.
    pub steps_per_year: usize,
    /// Number of years.
    pub years: usize,
    /// Step length in years.
    pub dt: f64,
    /// Midpoint time of each step, `start_year + (t + 0.5) dt`.
    pub midpoints: Vec<f64>,
    /// Per mineral.
    pub minerals: Vec<MineralPlan>,
    /// Per source.
    pub sources: Vec<SourcePlan<'s>>,
    /// Per event.
    pub events: Vec<EventPlan<'s>>,
    /// Per source: what it adds to its mineral's channels.
    pub chain_sources: Vec<ChainSource>,
    /// Shared factors.
    pub factors: Vec<FactorPlan>,
    /// Number of factor values a trial draws.
    pub factor_values: usize,
    /// The projects of the sources, a required project before those
    /// that require it.
    pub projects: Vec<ProjectPlan<'s>>,
}

impl<'s> Plan<'s> {
    /// Precompute the plan of `scenario`.
    pub fn new(scenario: &'s Scenario) -> Self {
        let steps = scenario.steps();
        let dt = scenario.dt();
        let start = scenario.start_year as f64;
        let midpoints = (0..steps).map(|t| start + (t as f64 + 0.5) * dt).collect();
        let (factors, factor_values) = factor_plans(scenario);
        let (projects, project_of) = project_plans(scenario, 0..scenario.sources.len(), &factors);
        let mut sources: Vec<SourcePlan> = scenario
            .sources
            .iter()
            .zip(&project_of)
            .map(|(s, &project)| {
                let normal_supply = s.capacity * s.access;
                SourcePlan {
                    normal_supply,
                    step_supply: normal_supply * dt,
                    step_units: 0,
                    own: s
                        .disruption
                        .as_ref()
                        .and_then(|p| ProcessPlan::new(p, steps, scenario.steps_per_year)),
                    project,
                    events: &s.events,
                    restrictions: &s.restrictions,
                    disruption_key: s.disruption_key,
                }
            })
            .collect();
        let events: Vec<EventPlan> = scenario
            .events
            .iter()
            .map(|e| EventPlan {
                process: ProcessPlan::new(&e.process, steps, scenario.steps_per_year),
                key: e.key,
            })
            .collect();
        let chain_sources: Vec<ChainSource> = scenario
            .sources
            .iter()
            .map(|s| ChainSource {
                stage: s.stage,
                step: s.capacity * dt,
                access: s.access,
                offtake: s.offtake,
            })
            .collect();
        let minerals = scenario
            .minerals
            .iter()
            .enumerate()
            .map(|(mi, m)| {
                // The largest possible supply per step sets the unit
                // (summed in ascending order: the same for any order of
                // sources).
                let most: f64 =
                    crate::stats::order_free_sum(m.sources.iter().map(|&i| sources[i].step_supply))
                        + m.firm_supply * dt;
                let (quantum, inv_quantum) = quantum_of(most);
                let mut base_units = to_units(m.firm_supply * dt, inv_quantum);
                let mut dynamic_sources = Vec::new();
                for &i in &m.sources {
                    let sp = &mut sources[i];
                    sp.step_units = to_units(sp.step_supply, inv_quantum);
                    let hit = sp
                        .events
                        .iter()
                        .any(|&(e, x)| x > 0.0 && events[e].process.is_some());
                    if sp.project.is_none() {
                        base_units += sp.step_units;
                    }
                    if sp.project.is_some() || sp.own.is_some() || hit {
                        dynamic_sources.push(i);
                    }
                }
                MineralPlan {
                    base_units,
                    quantum,
                    inv_quantum,
                    trend: (0..scenario.years).map(|y| m.demand.trend(y)).collect(),
                    sigma: m.demand.sigma,
                    threshold: m.shortfall_threshold,
                    stockpile: m.stockpile,
                    dynamic_sources,
                    demand_key: m.demand_key,
                    demand_load: Load::new(m.demand.factor, &factors),
                    rest_load: m
                        .market
                        .as_ref()
                        .and_then(|k| Load::new(k.rest_of_world.factor, &factors)),
                    chain: uses_chain(scenario, mi)
                        .then(|| ChainPlan::new(scenario, mi, &sources, &chain_sources, dt)),
                    market: m
                        .market
                        .as_ref()
                        .map(|k| MarketPlan::new(k, m.stockpile.as_ref(), scenario.years)),
                }
            })
            .collect();
        Plan {
            steps,
            steps_per_year: scenario.steps_per_year,
            years: scenario.years,
            dt,
            midpoints,
            minerals,
            sources,
            events,
            chain_sources,
            factors,
            factor_values,
            projects,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_of_supply_is_a_power_of_two_with_a_finite_reciprocal() {
        // 100 a step: 2^7 = 128 is the next power of two.
        assert_eq!(quantum_of(100.0), (2f64.powi(-44), 2f64.powi(44)));
        assert_eq!(quantum_of(128.0), (2f64.powi(-44), 2f64.powi(44)));
        assert_eq!(quantum_of(0.0), (2f64.powi(-51), 2f64.powi(51)));
        // A subnormal supply (a share of 1e-320): the unit stops at 2^-1022,
        // and the supply counts as 0 units instead of overflowing.
        let (q, inv) = quantum_of(30.0 * 1e-320);
        assert_eq!((q, inv), (2f64.powi(-1022), 2f64.powi(1022)));
        assert_eq!(to_units(30.0 * 1e-320, inv), 0);
        assert_eq!(to_units(100.0, quantum_of(100.0).1), 100 << 44);
    }
}
