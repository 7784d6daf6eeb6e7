//! One trial: sample every process, build each mineral's supply per step,
//! serve demand from supply and stockpile, and total the year's outcome.
//!
//! Supply per step starts from the summed supply of the sources that never
//! vary (a constant), then adds each varying source's supply: a projects'
//! ramp and the disruption factors are applied only over the steps they
//! touch. All scratch space lives in a [`Workspace`] reused across trials:
//! nothing is allocated per trial.

use super::plan::{MineralPlan, Plan, SourcePlan};
use super::process::{sample_intervals, Interval};
use crate::rng::TrialKey;
use crate::scenario::Project;
use rand_distr::{Distribution, StandardNormal, StandardUniform};

/// What one trial produced for one mineral, per year index.
#[derive(Debug, Clone, Default)]
pub struct MineralOutcome {
    /// Unserved amount in each year, units.
    pub unserved: Vec<f64>,
    /// Demand drawn for each year, units.
    pub demand: Vec<f64>,
    /// Accessible supply in each year, units.
    pub supply: Vec<f64>,
}

/// Scratch space for trials, allocated once per chunk of trials.
#[derive(Debug, Clone)]
pub struct Workspace {
    supply: Vec<f64>,
    /// One source's supply per step.
    contribution: Vec<f64>,
    own: Vec<Interval>,
    event_intervals: Vec<Vec<Interval>>,
    /// The last trial's outcome, per mineral.
    pub outcome: Vec<MineralOutcome>,
}

impl Workspace {
    /// Scratch space sized for `plan`.
    pub fn new(plan: &Plan) -> Self {
        let per_year = || vec![0.0; plan.years];
        Workspace {
            supply: vec![0.0; plan.steps],
            contribution: vec![0.0; plan.steps],
            own: Vec::with_capacity(16),
            event_intervals: vec![Vec::with_capacity(16); plan.events.len()],
            outcome: (0..plan.minerals.len())
                .map(|_| MineralOutcome {
                    unserved: per_year(),
                    demand: per_year(),
                    supply: per_year(),
                })
                .collect(),
        }
    }
}

/// A successful project's timing in one trial.
#[derive(Debug, Clone, Copy)]
struct Ramp {
    /// First step whose midpoint is at or after `online`.
    first_step: usize,
    online: f64,
    ramp_years: f64,
}

impl Ramp {
    /// `ramp(t)` at midpoint time `tm` (MODEL.md section 4).
    #[inline]
    fn at(&self, tm: f64) -> f64 {
        if tm < self.online {
            0.0
        } else if self.ramp_years == 0.0 {
            1.0
        } else {
            ((tm - self.online) / self.ramp_years).min(1.0)
        }
    }
}

/// Run trial `key` of `plan`; the outcome is left in `ws.outcome`.
pub fn simulate_trial(plan: &Plan, key: TrialKey, ws: &mut Workspace) {
    let spy = plan.steps_per_year as f64;
    for (e, ev) in plan.events.iter().enumerate() {
        let out = &mut ws.event_intervals[e];
        out.clear();
        if ev.rate_dt > 0.0 {
            let mut rng = key.stream(ev.key);
            sample_intervals(ev.process, ev.rate_dt, plan.steps, spy, &mut rng, out);
        }
    }
    for (m, mp) in plan.minerals.iter().enumerate() {
        ws.supply.fill(mp.base_step_supply);
        for &i in &mp.dynamic_sources {
            add_source(plan, &plan.sources[i], key, ws);
        }
        serve_demand(plan, mp, key, &ws.supply, &mut ws.outcome[m]);
    }
}

/// Draw a project's success and delay: its timing, or `None` if it never
/// produces.
fn start_project(plan: &Plan, sp: &SourcePlan, p: &Project, key: TrialKey) -> Option<Ramp> {
    let mut rng = key.stream(sp.project_key);
    let u: f64 = StandardUniform.sample(&mut rng);
    if u >= p.success_probability {
        return None;
    }
    let delay = p.delay_months.sample(&mut rng);
    let online = p.online_year + delay / 12.0;
    Some(Ramp {
        first_step: plan.midpoints.partition_point(|&tm| tm < online),
        online,
        ramp_years: p.ramp_years,
    })
}

/// Add a dynamic source's supply at every step:
/// `capacity * access * ramp * (1 - s_own) * Π (1 - exposure * s_event) * dt`.
///
/// Supply only ever grows by non-negative contributions, added in a fixed
/// order (static sources first, then dynamic ones in file order). Since
/// floating-point rounding is monotone, adding a source can then never
/// lower any step's supply, not even by rounding: comparisons that add
/// supply give deltas that are exactly `<= 0` trial by trial.
fn add_source(plan: &Plan, sp: &SourcePlan, key: TrialKey, ws: &mut Workspace) {
    let ramp = match sp.project {
        Some(p) => match start_project(plan, sp, p, key) {
            Some(r) => Some(r),
            None => return, // never produces
        },
        None => None,
    };
    ws.own.clear();
    if let Some((process, rate_dt)) = sp.own {
        let mut rng = key.stream(sp.disruption_key);
        let spy = plan.steps_per_year as f64;
        sample_intervals(process, rate_dt, plan.steps, spy, &mut rng, &mut ws.own);
    }
    let events = &ws.event_intervals;
    let hit = sp
        .events
        .iter()
        .any(|&(e, x)| x > 0.0 && !events[e].is_empty());
    let supply = &mut ws.supply;
    if ramp.is_none() && ws.own.is_empty() && !hit {
        // Undisrupted all along in this trial.
        for s in supply.iter_mut() {
            *s += sp.step_supply;
        }
        return;
    }
    // The source's own output per step, then its disruption factors.
    let c = &mut ws.contribution;
    match ramp {
        None => c.fill(sp.step_supply),
        Some(r) => {
            c[..r.first_step].fill(0.0);
            for (v, &tm) in c[r.first_step..]
                .iter_mut()
                .zip(&plan.midpoints[r.first_step..])
            {
                *v = (sp.normal_supply * r.at(tm)) * plan.dt;
            }
        }
    }
    for iv in &ws.own {
        for v in &mut c[iv.start..iv.end] {
            *v *= 1.0 - iv.severity;
        }
    }
    for &(e, x) in sp.events {
        for iv in &events[e] {
            for v in &mut c[iv.start..iv.end] {
                *v *= 1.0 - x * iv.severity;
            }
        }
    }
    for (s, v) in supply.iter_mut().zip(c.iter()) {
        *s += *v;
    }
}

/// Draw the year's demand, serve it step by step from supply and the
/// stockpile (MODEL.md sections 5–6), and total the year.
fn serve_demand(
    plan: &Plan,
    mp: &MineralPlan,
    key: TrialKey,
    supply: &[f64],
    out: &mut MineralOutcome,
) {
    if mp.sigma > 0.0 {
        let mut rng = key.stream(mp.demand_key);
        let s = mp.sigma;
        for (d, trend) in out.demand.iter_mut().zip(&mp.trend) {
            let z: f64 = StandardNormal.sample(&mut rng);
            *d = trend * (s * z - s * s / 2.0).exp();
        }
    } else {
        out.demand.copy_from_slice(&mp.trend);
    }
    let dt = plan.dt;
    let spy = plan.steps_per_year;
    let mut stock = mp.stockpile.map_or(0.0, |s| s.initial);
    for y in 0..plan.years {
        let step_demand = out.demand[y] * dt;
        let mut unserved = 0.0;
        let mut year_supply = 0.0;
        let steps = &supply[y * spy..(y + 1) * spy];
        match mp.stockpile {
            None => {
                for &s in steps {
                    let s = s.max(0.0);
                    year_supply += s;
                    unserved += (step_demand - s).max(0.0);
                }
            }
            Some(sp) => {
                let max_release = sp.max_release_per_year * dt;
                let max_refill = sp.refill_per_year * dt;
                for &s in steps {
                    let s = s.max(0.0);
                    year_supply += s;
                    let gap = (step_demand - s).max(0.0);
                    let release = gap.min(stock).min(max_release);
                    stock -= release;
                    unserved += gap - release;
                    if s > step_demand {
                        // = stock + min(refill, surplus, capacity - stock),
                        // written so that rounding stays monotone in supply.
                        stock = (stock + max_refill.min(s - step_demand)).min(sp.capacity);
                    }
                }
            }
        }
        out.unserved[y] = unserved;
        out.supply[y] = year_supply;
    }
}
