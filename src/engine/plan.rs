//! What the engine precomputes from a scenario before the first trial.

use crate::rng::EntityKey;
use crate::scenario::{Process, Project, Scenario, Stockpile};

/// Per-mineral constants.
#[derive(Debug, Clone)]
pub struct MineralPlan {
    /// Supply per step of the sources that never vary (existing, no
    /// disruption process, hit by no event) plus firm supply: the sum, in
    /// file order, of `(capacity * access) * dt`.
    pub base_step_supply: f64,
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
}

/// Per-source constants.
#[derive(Debug, Clone)]
pub struct SourcePlan<'s> {
    /// `capacity * access`.
    pub normal_supply: f64,
    /// `(capacity * access) * dt`, one undisrupted step.
    pub step_supply: f64,
    /// Own process and `rate * dt`, when the rate is positive.
    pub own: Option<(&'s Process, f64)>,
    /// Project timing, if a project.
    pub project: Option<&'s Project>,
    /// `(event index, exposure)` of events that hit it.
    pub events: &'s [(usize, f64)],
    /// Stream key of the disruption process.
    pub disruption_key: EntityKey,
    /// Stream key of the project draws.
    pub project_key: EntityKey,
}

/// Per-event constants.
#[derive(Debug, Clone)]
pub struct EventPlan<'s> {
    /// The process.
    pub process: &'s Process,
    /// `rate * dt`.
    pub rate_dt: f64,
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
}

impl<'s> Plan<'s> {
    /// Precompute the plan of `scenario`.
    pub fn new(scenario: &'s Scenario) -> Self {
        let steps = scenario.steps();
        let dt = scenario.dt();
        let start = scenario.start_year as f64;
        let midpoints = (0..steps).map(|t| start + (t as f64 + 0.5) * dt).collect();
        let sources: Vec<SourcePlan> = scenario
            .sources
            .iter()
            .map(|s| {
                let normal_supply = s.capacity * s.access;
                SourcePlan {
                    normal_supply,
                    step_supply: normal_supply * dt,
                    own: s
                        .disruption
                        .as_ref()
                        .filter(|p| p.rate > 0.0)
                        .map(|p| (p, p.rate * dt)),
                    project: s.project.as_ref(),
                    events: &s.events,
                    disruption_key: s.disruption_key,
                    project_key: s.project_key,
                }
            })
            .collect();
        let events: Vec<EventPlan> = scenario
            .events
            .iter()
            .map(|e| EventPlan {
                process: &e.process,
                rate_dt: e.process.rate * dt,
                key: e.key,
            })
            .collect();
        let minerals = scenario
            .minerals
            .iter()
            .map(|m| {
                let mut base = 0.0;
                let mut dynamic_sources = Vec::new();
                for &i in &m.sources {
                    let sp = &sources[i];
                    let hit = sp
                        .events
                        .iter()
                        .any(|&(e, x)| x > 0.0 && events[e].rate_dt > 0.0);
                    if sp.project.is_some() || sp.own.is_some() || hit {
                        dynamic_sources.push(i);
                    } else {
                        base += sp.step_supply;
                    }
                }
                if m.firm_supply != 0.0 {
                    base += m.firm_supply * dt;
                }
                MineralPlan {
                    base_step_supply: base,
                    trend: (0..scenario.years).map(|y| m.demand.trend(y)).collect(),
                    sigma: m.demand.sigma,
                    threshold: m.shortfall_threshold,
                    stockpile: m.stockpile,
                    dynamic_sources,
                    demand_key: m.demand_key,
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
        }
    }
}
