//! One trial: sample every process, build each mineral's supply per step,
//! serve demand from supply and stockpile, and total the year's outcome.
//!
//! Supply per step is kept in integer units (see [`super::plan::to_units`]):
//! it starts at every existing source's full output, loses each disrupted
//! source's shortfall over its down steps only, and gains each successful
//! project's ramped output. Integer sums are exact, so the result does not
//! depend on the order of sources, and adding a source can never lower any
//! step's supply. All scratch space lives in a [`Workspace`] reused across
//! trials: nothing is allocated per trial.

use super::plan::{to_units, MineralPlan, Plan, SourcePlan};
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
    /// Supply per step, in units of the mineral's quantum (integers held
    /// in f64: sums of them are exact).
    units: Vec<f64>,
    /// Product of a source's disruption factors per step; 1.0 everywhere
    /// between uses.
    factor: Vec<f64>,
    own: Vec<Interval>,
    /// A source's intervals as `(start, end, factor)`.
    spans: Vec<(usize, usize, f64)>,
    event_intervals: Vec<Vec<Interval>>,
    /// The last trial's outcome, per mineral.
    pub outcome: Vec<MineralOutcome>,
}

impl Workspace {
    /// Scratch space sized for `plan`.
    pub fn new(plan: &Plan) -> Self {
        let per_year = || vec![0.0; plan.years];
        Workspace {
            units: vec![0.0; plan.steps],
            factor: vec![1.0; plan.steps],
            own: Vec::with_capacity(16),
            spans: Vec::with_capacity(32),
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

/// `max(x, 0)` for values that are never NaN (cheaper than `f64::max`).
#[inline(always)]
fn max0(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

/// `min(a, b)` for values that are never NaN (cheaper than `f64::min`).
#[inline(always)]
fn min(a: f64, b: f64) -> f64 {
    if a < b {
        a
    } else {
        b
    }
}

/// A successful project's timing in one trial.
#[derive(Debug, Clone, Copy)]
struct Ramp {
    /// First step whose midpoint is at or after `online`.
    first_step: usize,
    online: f64,
    /// `1 / ramp_years`, or 0 for an instant start.
    inv_ramp_years: f64,
}

impl Ramp {
    /// `ramp(t)` at midpoint time `tm` (MODEL.md section 4).
    #[inline]
    fn at(&self, tm: f64) -> f64 {
        if tm < self.online {
            0.0
        } else if self.inv_ramp_years == 0.0 {
            1.0
        } else {
            min((tm - self.online) * self.inv_ramp_years, 1.0)
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
        ws.units.fill(mp.base_units);
        for &i in &mp.dynamic_sources {
            add_source(plan, mp, &plan.sources[i], key, ws);
        }
        serve_demand(plan, mp, key, &ws.units, &mut ws.outcome[m]);
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
        inv_ramp_years: if p.ramp_years > 0.0 {
            1.0 / p.ramp_years
        } else {
            0.0
        },
    })
}

/// Apply a varying source: add a project's output from the step it comes
/// online, or take an existing source's losses over its down steps. Its
/// supply at a step is
/// `capacity * access * ramp * (1 - s_own) * Π (1 - exposure * s_event) * dt`,
/// rounded to whole units; units add exactly, so only the steps where
/// something happens are touched.
// Steps are indexed because a step's supply needs its ramp and factor.
#[allow(clippy::needless_range_loop)]
fn add_source(plan: &Plan, mp: &MineralPlan, sp: &SourcePlan, key: TrialKey, ws: &mut Workspace) {
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
    let units = &mut ws.units;
    let inv_q = mp.inv_quantum;
    // Every interval that touches this source: its own, then each event's.
    let intervals = || {
        ws.own
            .iter()
            .chain(sp.events.iter().flat_map(|&(e, _)| events[e].iter()))
    };
    if ramp.is_none() {
        // Existing source: each interval with its factor. When none overlap
        // (the common case) each has one constant loss.
        let spans = &mut ws.spans;
        spans.clear();
        spans.extend(
            ws.own
                .iter()
                .map(|iv| (iv.start, iv.end, 1.0 - iv.severity)),
        );
        for &(e, x) in sp.events {
            spans.extend(
                events[e]
                    .iter()
                    .map(|iv| (iv.start, iv.end, 1.0 - x * iv.severity)),
            );
        }
        spans.sort_unstable_by_key(|s| s.0);
        if spans.windows(2).all(|w| w[0].1 <= w[1].0) {
            for &(start, end, f) in spans.iter() {
                let loss = sp.step_units - to_units(sp.step_supply * f, inv_q);
                for u in &mut units[start..end] {
                    *u -= loss;
                }
            }
            return;
        }
    }
    // A project, or overlapping intervals: multiply the factors per step.
    let factor = &mut ws.factor;
    for iv in &ws.own {
        for f in &mut factor[iv.start..iv.end] {
            *f *= 1.0 - iv.severity;
        }
    }
    for &(e, x) in sp.events {
        for iv in &events[e] {
            for f in &mut factor[iv.start..iv.end] {
                *f *= 1.0 - x * iv.severity;
            }
        }
    }
    match ramp {
        Some(r) => {
            // A project adds its (ramped, disrupted) output from its first
            // step; once fully ramped, undisrupted steps add a constant.
            for t in r.first_step..plan.steps {
                let (ramp, f) = (r.at(plan.midpoints[t]), factor[t]);
                units[t] += if ramp == 1.0 && f == 1.0 {
                    sp.step_units
                } else {
                    to_units((sp.normal_supply * ramp) * plan.dt * f, inv_q)
                };
            }
            for iv in intervals() {
                factor[iv.start..iv.end].fill(1.0);
            }
        }
        None => {
            // Take each step's loss once (overlapping intervals cover it
            // twice) and leave its factor at 1 for the next source.
            for iv in intervals() {
                for t in iv.start..iv.end {
                    let f = factor[t];
                    if f != 1.0 {
                        units[t] -= sp.step_units - to_units(sp.step_supply * f, inv_q);
                        factor[t] = 1.0;
                    }
                }
            }
        }
    }
}

/// Draw the year's demand, serve it step by step from supply and the
/// stockpile (MODEL.md sections 5–6), and total the year.
fn serve_demand(
    plan: &Plan,
    mp: &MineralPlan,
    key: TrialKey,
    units: &[f64],
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
        let year_supply;
        let steps = &units[y * spy..(y + 1) * spy];
        let q = mp.quantum;
        match mp.stockpile {
            None => {
                // Four independent partial sums: the additions are not one
                // long dependency chain.
                let (mut sup, mut uns) = ([0.0f64; 4], [0.0f64; 4]);
                let mut quads = steps.chunks_exact(4);
                for quad in &mut quads {
                    for k in 0..4 {
                        let s = quad[k] * q;
                        sup[k] += s;
                        uns[k] += max0(step_demand - s);
                    }
                }
                for (k, &u) in quads.remainder().iter().enumerate() {
                    let s = u * q;
                    sup[k] += s;
                    uns[k] += max0(step_demand - s);
                }
                year_supply = (sup[0] + sup[1]) + (sup[2] + sup[3]);
                unserved = (uns[0] + uns[1]) + (uns[2] + uns[3]);
            }
            Some(sp) => {
                let max_release = sp.max_release_per_year * dt;
                let max_refill = sp.refill_per_year * dt;
                let mut sup = [0.0f64; 4];
                for (i, &u) in steps.iter().enumerate() {
                    let s = u * q;
                    sup[i % 4] += s;
                    if s > step_demand {
                        // Surplus: refill (nothing to do when the stock is full).
                        // = stock + min(refill, surplus, capacity - stock),
                        // written so that rounding stays monotone in supply.
                        if stock < sp.capacity {
                            stock = min(stock + min(max_refill, s - step_demand), sp.capacity);
                        }
                    } else {
                        let gap = step_demand - s;
                        let release = min(min(gap, stock), max_release);
                        stock -= release;
                        unserved += gap - release;
                    }
                }
                year_supply = (sup[0] + sup[1]) + (sup[2] + sup[3]);
            }
        }
        out.unserved[y] = unserved;
        out.supply[y] = year_supply;
    }
}
