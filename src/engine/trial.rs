//! One trial: sample every process, build each mineral's supply per step,
//! serve demand from supply and the stockpile, and total the year's outcome.
//!
//! Supply per step is kept in integer units (see [`super::plan::to_units`])
//! as a *difference array*: every existing source starts at full output,
//! and a disruption interval changes supply by a constant loss from its
//! first down step and back at its end, two writes whatever its length.
//! Serving demand walks the steps once, summing the changes. Integer sums
//! are exact, so the result does not depend on the order of sources, and
//! adding a source can never lower any step's supply. All scratch space
//! lives in a [`Workspace`] reused across trials: nothing is allocated per
//! trial.

use super::dependence::{draw_factors, start_projects, Load, Ramp};
use super::plan::{to_units, MineralPlan, Plan, SourcePlan};
use super::process::Interval;
use crate::rng::{EntityKey, TrialKey};
use crate::scenario::Stockpile;
use rand_distr::{Distribution, StandardNormal};

/// What one trial produced for one mineral, per year index.
#[derive(Debug, Clone, Default)]
pub struct MineralOutcome {
    /// Unserved amount in each year, units.
    pub unserved: Vec<f64>,
    /// Demand drawn for each year, units.
    pub demand: Vec<f64>,
    /// Accessible supply in each year, units (in a market: the amount
    /// served to the consumer).
    pub supply: Vec<f64>,
    /// Market minerals: the mean price multiple of each year.
    pub price: Vec<f64>,
    /// Market minerals: the consumer's cost in each year.
    pub cost: Vec<f64>,
    /// Minerals with a stockpile: the stock at the end of each year.
    pub stock: Vec<f64>,
    /// Whether the stockpile was empty at the end of a step in which it
    /// released.
    pub stock_empty: bool,
}

/// Scratch space for trials, allocated once per chunk of trials.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Change of a mineral's supply at each step, in units: supply at step
    /// `t` is `base_units + delta[0] + ... + delta[t]`. One extra slot takes
    /// changes at the horizon. All zero between minerals (serving demand
    /// clears it as it reads).
    delta: Vec<i64>,
    /// Product of a source's disruption factors per step; 1.0 everywhere
    /// between uses.
    pub(super) factor: Vec<f64>,
    pub(super) own: Vec<Interval>,
    pub(super) event_intervals: Vec<Vec<Interval>>,
    /// Per step, the product of a source's restriction factors; 1.0
    /// everywhere between uses.
    pub(super) rfactor: Vec<f64>,
    /// Per mineral, its channels if it is a chain mineral (see
    /// [`super::chain`]).
    pub(super) channels: Vec<Vec<i64>>,
    /// Per chain mineral and step: whether the step's channels may differ
    /// from the step before's (false: they are equal).
    pub(super) changed: Vec<Vec<bool>>,
    /// The steps where a source's intervals start or end.
    pub(super) bounds: Vec<usize>,
    /// The rest of the world's demand per year (market minerals).
    pub(super) rest: Vec<f64>,
    /// The trial's factor values (see [`super::dependence`]).
    pub(super) factors: Vec<f64>,
    /// Per project of the plan: its timing in the trial, or `None` if it
    /// never produces.
    pub(super) ramps: Vec<Option<Ramp>>,
    /// The last trial's outcome, per mineral.
    pub outcome: Vec<MineralOutcome>,
}

impl Workspace {
    /// Scratch space sized for `plan`.
    pub fn new(plan: &Plan) -> Self {
        let per_year = || vec![0.0; plan.years];
        Workspace {
            delta: vec![0; plan.steps + 1],
            factor: vec![1.0; plan.steps],
            own: Vec::with_capacity(16),
            rfactor: vec![1.0; plan.steps],
            channels: plan
                .minerals
                .iter()
                .map(|mp| match mp.chain {
                    Some(_) => vec![0; super::chain::ROW * plan.steps],
                    None => Vec::new(),
                })
                .collect(),
            changed: plan
                .minerals
                .iter()
                .map(|mp| match mp.chain {
                    Some(_) => vec![false; plan.steps],
                    None => Vec::new(),
                })
                .collect(),
            bounds: Vec::with_capacity(64),
            rest: vec![0.0; plan.years],
            factors: vec![0.0; plan.factor_values],
            ramps: vec![None; plan.projects.len()],
            event_intervals: vec![Vec::with_capacity(16); plan.events.len()],
            outcome: (0..plan.minerals.len())
                .map(|_| MineralOutcome {
                    unserved: per_year(),
                    demand: per_year(),
                    supply: per_year(),
                    price: per_year(),
                    cost: per_year(),
                    stock: per_year(),
                    stock_empty: false,
                })
                .collect(),
        }
    }
}

/// Change supply by `v` units over steps `start .. end`.
#[inline(always)]
fn add_span(delta: &mut [i64], start: usize, end: usize, v: i64) {
    delta[start] += v;
    delta[end] -= v;
}

/// Whether `iv` overlaps an interval of `list` (sorted and disjoint).
/// Branch-free over the list: the intervals that end by `iv.start` are a
/// prefix of those that start before `iv.end`, and one of the rest
/// overlaps `iv` exactly when that prefix is shorter.
#[inline]
fn overlaps(list: &[Interval], iv: &Interval) -> bool {
    let (mut ended, mut started) = (0usize, 0usize);
    for other in list {
        ended += usize::from(other.end <= iv.start);
        started += usize::from(other.start < iv.end);
    }
    started > ended
}

/// Demand per step, in units, below which serving counts in whole units
/// (`to_units` is exact below 2^51).
const UNIT_LIMIT: f64 = 2_251_799_813_685_248.0; // 2^51

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

/// Run trial `key` of `plan`; the outcome is left in `ws.outcome`.
pub fn simulate_trial(plan: &Plan, key: TrialKey, ws: &mut Workspace) {
    draw_factors(&plan.factors, key, &mut ws.factors);
    start_projects(plan, key, &ws.factors, &mut ws.ramps);
    for (e, ev) in plan.events.iter().enumerate() {
        let out = &mut ws.event_intervals[e];
        out.clear();
        if let Some(process) = &ev.process {
            process.sample_into(&mut key.stream(ev.key), out);
        }
    }
    for (m, mp) in plan.minerals.iter().enumerate() {
        let (factors, out) = (&ws.factors, &mut ws.outcome[m]);
        draw_demand(
            &mp.trend,
            mp.sigma,
            key,
            mp.demand_key,
            mp.demand_load,
            factors,
            &mut out.demand,
        );
        if let Some(cp) = &mp.chain {
            if let Some(k) = &mp.market {
                draw_demand(
                    &k.rest_trend,
                    k.rest_sigma,
                    key,
                    k.rest_key,
                    mp.rest_load,
                    factors,
                    &mut ws.rest,
                );
            }
            super::chain::fill_channels(plan, cp, key, ws, m);
            let (ch, rest, out) = (&mut ws.channels[m], &ws.rest, &mut ws.outcome[m]);
            super::market::serve_chain(plan, mp, cp, ch, &ws.changed[m], rest, out);
            continue;
        }
        for &i in &mp.dynamic_sources {
            let sp = &plan.sources[i];
            match sp.project {
                Some(p) => add_project(plan, mp, sp, p, key, ws),
                None => add_losses(mp, sp, key, ws),
            }
        }
        serve_demand(plan, mp, &mut ws.delta, &mut ws.outcome[m]);
    }
}

/// Take an existing source's losses over its down steps. Its supply at a
/// step is `capacity * access * (1 - s_own) * Π (1 - exposure * s_event) * dt`,
/// rounded to whole units: the pieces of [`for_each_piece`], or, where two
/// event intervals overlap, the factors multiplied step by step.
fn add_losses(mp: &MineralPlan, sp: &SourcePlan, key: TrialKey, ws: &mut Workspace) {
    let inv_q = mp.inv_quantum;
    let loss = |f: f64| sp.loss_units(f, inv_q);
    let events = &ws.event_intervals;
    let delta = &mut ws.delta;
    if !events_overlap(sp, events) {
        for_each_piece(sp, key, events, |start, end, piece| {
            let v = match piece {
                Piece::Down(f) => -loss(f),
                Piece::Overlap(f_own, f_event) => {
                    loss(f_own) + loss(f_event) - loss(f_own * f_event)
                }
            };
            add_span(delta, start, end, v);
        });
        return;
    }
    let own = &mut ws.own;
    sample_own(sp, key, own);
    let factor = &mut ws.factor;
    multiply_factors(factor, own, sp, events);
    take_step_losses(factor, delta, own, sp, events, 0, inv_q);
}

/// Whether an event interval of a source overlaps one of an earlier event
/// it lists (each list is disjoint; with one event, never).
#[inline(always)]
pub(super) fn events_overlap(sp: &SourcePlan, events: &[Vec<Interval>]) -> bool {
    sp.events.len() > 1
        && sp.events.iter().enumerate().any(|(k, &(e, _))| {
            events[e].iter().any(|iv| {
                sp.events[..k]
                    .iter()
                    .any(|&(f, _)| overlaps(&events[f], iv))
            })
        })
}

/// One constant piece of a source's disruption, over a span of steps.
#[derive(Debug, Clone, Copy)]
pub(super) enum Piece {
    /// Output times this factor (`1 - severity` of an own interval, or
    /// `1 - exposure * severity` of an event's) instead of full output.
    Down(f64),
    /// Where an own interval with factor `.0` overlaps an event's with
    /// factor `.1`: output times their product, where the two `Down`
    /// pieces counted each factor alone.
    Overlap(f64, f64),
}

/// Call `add(start, end, piece)` for each constant piece of an existing
/// source's disruption: its own intervals as they are drawn, each with its
/// overlaps with the event intervals (rare: the branch is predictable),
/// then the event intervals. The pieces add up exactly in whole units
/// while a step is down at most once on its own and once in an event,
/// which holds unless two event intervals overlap ([`events_overlap`]).
#[inline(always)]
pub(super) fn for_each_piece(
    sp: &SourcePlan,
    key: TrialKey,
    events: &[Vec<Interval>],
    mut add: impl FnMut(usize, usize, Piece),
) {
    if let Some(process) = &sp.own {
        process.for_each(&mut key.stream(sp.disruption_key), |iv| {
            let f_own = 1.0 - iv.severity;
            add(iv.start, iv.end, Piece::Down(f_own));
            for &(e, x) in sp.events {
                for ev in &events[e] {
                    if iv.start < ev.end && ev.start < iv.end {
                        let f_event = 1.0 - x * ev.severity;
                        let (start, end) = (iv.start.max(ev.start), iv.end.min(ev.end));
                        add(start, end, Piece::Overlap(f_own, f_event));
                    }
                }
            }
        });
    }
    for &(e, x) in sp.events {
        for ev in &events[e] {
            add(ev.start, ev.end, Piece::Down(1.0 - x * ev.severity));
        }
    }
}

/// A source's own down intervals, into `own` (cleared first).
#[inline(always)]
pub(super) fn sample_own(sp: &SourcePlan, key: TrialKey, own: &mut Vec<Interval>) {
    own.clear();
    if let Some(process) = &sp.own {
        process.sample_into(&mut key.stream(sp.disruption_key), own);
    }
}

/// Take each down step's loss from step `from` on, from the factor
/// [`multiply_factors`] left there: once per step, though overlapping
/// intervals cover it twice or more. Every factor the source touched is
/// left at 1 for the next source.
// Steps are indexed: a step's factor and its change of supply go together.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn take_step_losses(
    factor: &mut [f64],
    delta: &mut [i64],
    own: &[Interval],
    sp: &SourcePlan,
    events: &[Vec<Interval>],
    from: usize,
    inv_q: f64,
) {
    for (list, _) in source_intervals(own, sp, events) {
        for iv in list {
            for t in iv.start..iv.end {
                let f = factor[t];
                if f != 1.0 {
                    if t >= from {
                        add_span(delta, t, t + 1, -sp.loss_units(f, inv_q));
                    }
                    factor[t] = 1.0;
                }
            }
        }
    }
}

/// Every interval list that touches a source, with its exposure: its own
/// (exposure 1), then each event's in the order the source lists them.
pub(super) fn source_intervals<'a>(
    own: &'a [Interval],
    sp: &'a SourcePlan,
    events: &'a [Vec<Interval>],
) -> impl Iterator<Item = (&'a [Interval], f64)> {
    std::iter::once((own, 1.0)).chain(sp.events.iter().map(|&(e, x)| (&events[e][..], x)))
}

/// Multiply into `factor` each step's disruption factors of a source
/// (`1 - exposure * severity`), list by list as [`source_intervals`] gives
/// them.
pub(super) fn multiply_factors(
    factor: &mut [f64],
    own: &[Interval],
    sp: &SourcePlan,
    events: &[Vec<Interval>],
) {
    for (list, x) in source_intervals(own, sp, events) {
        for iv in list {
            for f in &mut factor[iv.start..iv.end] {
                *f *= 1.0 - x * iv.severity;
            }
        }
    }
}

/// Add a project's output from the step it comes online: ramped and
/// disrupted output step by step while it ramps up, then its full output
/// less the losses of its down steps. Its supply at a step is
/// `capacity * access * ramp * (1 - s_own) * Π (1 - exposure * s_event) * dt`,
/// rounded to whole units.
fn add_project(
    plan: &Plan,
    mp: &MineralPlan,
    sp: &SourcePlan,
    p: usize,
    key: TrialKey,
    ws: &mut Workspace,
) {
    let Some(r) = ws.ramps[p] else {
        return; // never produces
    };
    let own = &mut ws.own;
    sample_own(sp, key, own);
    let (events, factor, delta) = (&ws.event_intervals, &mut ws.factor, &mut ws.delta);
    multiply_factors(factor, own, sp, events);
    let inv_q = mp.inv_quantum;
    // Ramping up: each step's own value, written as its change from the
    // step before (one write per step, none read back by the next).
    let mut full = r.first_step;
    let mut last = 0;
    while full < plan.steps {
        let ramp = r.at(plan.midpoints[full]);
        if ramp == 1.0 {
            break;
        }
        let v = to_units((sp.normal_supply * ramp) * plan.dt * factor[full], inv_q);
        delta[full] += v - last;
        last = v;
        full += 1;
    }
    // Fully ramped (ramp never falls back): full output less losses.
    delta[full] += sp.step_units - last;
    delta[plan.steps] -= sp.step_units;
    take_step_losses(factor, delta, own, sp, events, full, inv_q);
}

/// Call `f(k, d)` for each step's change of supply `d` in `steps`, `k`
/// being the step's place in its group of four: partial sums indexed by
/// `k` stay in registers, four independent chains of additions.
#[inline(always)]
fn for_each_in_fours(steps: &mut [i64], mut f: impl FnMut(usize, &mut i64)) {
    let mut quads = steps.chunks_exact_mut(4);
    for quad in &mut quads {
        for (k, d) in quad.iter_mut().enumerate() {
            f(k, d);
        }
    }
    for (k, d) in quads.into_remainder().iter_mut().enumerate() {
        f(k, d);
    }
}

/// Draw each year's demand `trend * exp(sigma Z - sigma^2 / 2)` into
/// `out`, from the stream of `entity` (docs/model.md section 5). With a
/// `load` on a year-scope factor whose values are in `factors`,
/// `Z = loading * F_y + sqrt(1 - loading^2) * Z_own`, `Z_own` drawn as
/// without one (docs/dependence.md).
pub(super) fn draw_demand(
    trend: &[f64],
    sigma: f64,
    key: TrialKey,
    entity: EntityKey,
    load: Option<Load>,
    factors: &[f64],
    out: &mut [f64],
) {
    if sigma > 0.0 {
        let mut rng = key.stream(entity);
        let s = sigma;
        match load {
            None => {
                for (d, trend) in out.iter_mut().zip(trend) {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    *d = trend * (s * z - s * s / 2.0).exp();
                }
            }
            Some(l) => {
                let shared = &factors[l.at..l.at + out.len()];
                for ((d, trend), f) in out.iter_mut().zip(trend).zip(shared) {
                    let z_own: f64 = StandardNormal.sample(&mut rng);
                    let z = l.loading * f + l.own * z_own;
                    *d = trend * (s * z - s * s / 2.0).exp();
                }
            }
        }
    } else {
        out.copy_from_slice(trend);
    }
}

/// A physical stockpile's rule per step (docs/model.md section 6).
#[derive(Debug, Clone, Copy)]
pub(super) struct StockRule {
    capacity: f64,
    max_release: f64,
    max_refill: f64,
}

impl StockRule {
    /// The rule of `sp` for steps of `dt` years.
    pub(super) fn new(sp: &Stockpile, dt: f64) -> StockRule {
        StockRule {
            capacity: sp.capacity,
            max_release: sp.max_release_per_year * dt,
            max_refill: sp.refill_per_year * dt,
        }
    }

    /// Serve `step_demand` from supply `s` and `stock`; returns the
    /// unserved amount and sets `empty` when a release leaves no stock.
    #[inline(always)]
    pub(super) fn step(&self, stock: &mut f64, s: f64, step_demand: f64, empty: &mut bool) -> f64 {
        if s > step_demand {
            // Surplus: refill (nothing to do when the stock is full).
            // = stock + min(refill, surplus, capacity - stock),
            // written so that rounding stays monotone in supply.
            if *stock < self.capacity {
                *stock = min(
                    *stock + min(self.max_refill, s - step_demand),
                    self.capacity,
                );
            }
            0.0
        } else {
            // release = min(gap, stock, max_release), and
            // stock - release is max(stock - min(gap,
            // max_release), 0) exactly: two steps on the chain
            // through the stock instead of three.
            let gap = step_demand - s;
            let wanted = min(gap, self.max_release);
            let release = min(wanted, *stock);
            *stock = max0(*stock - wanted);
            // (A branch, rarely taken: cheaper than folding the test in.)
            if *stock == 0.0 && release > 0.0 {
                *empty = true;
            }
            gap - release
        }
    }
}

/// Serve the year's demand (drawn into `out.demand`) step by step from
/// supply and the stockpile (docs/model.md sections 5–6), and total the
/// year. Supply comes from the mineral's base output and the changes in
/// `delta`, which are cleared as they are read.
fn serve_demand(plan: &Plan, mp: &MineralPlan, delta: &mut [i64], out: &mut MineralOutcome) {
    let dt = plan.dt;
    let spy = plan.steps_per_year;
    let q = mp.quantum;
    let mut stock = mp.stockpile.map_or(0.0, |s| s.initial);
    out.stock_empty = false;
    // Supply in units at the current step.
    let mut units = mp.base_units;
    // Supply in units at the next step, clearing its change.
    let mut next = |d: &mut i64| {
        units += *d;
        *d = 0;
        units
    };
    for y in 0..plan.years {
        let step_demand = out.demand[y] * dt;
        let mut unserved = 0.0;
        let year_supply;
        let steps = &mut delta[y * spy..(y + 1) * spy];
        match mp.stockpile {
            None if step_demand * mp.inv_quantum < UNIT_LIMIT => {
                // In whole units: exact integer sums (any order gives the
                // same), converted once a year.
                let demand = to_units(step_demand, mp.inv_quantum);
                let (mut sup, mut uns) = (0i64, 0i64);
                for d in steps.iter_mut() {
                    let s = next(d);
                    sup += s;
                    uns += (demand - s).max(0);
                }
                year_supply = sup as f64 * q;
                unserved = uns as f64 * q;
            }
            None => {
                // Demand beyond the unit range: four independent partial
                // sums in floating point.
                let (mut sup, mut uns) = ([0.0f64; 4], [0.0f64; 4]);
                for_each_in_fours(steps, |k, d| {
                    let s = next(d) as f64 * q;
                    sup[k] += s;
                    uns[k] += max0(step_demand - s);
                });
                year_supply = (sup[0] + sup[1]) + (sup[2] + sup[3]);
                unserved = (uns[0] + uns[1]) + (uns[2] + uns[3]);
            }
            Some(sp) => {
                let rule = StockRule::new(&sp, dt);
                let mut sup = [0.0f64; 4];
                for_each_in_fours(steps, |k, d| {
                    let s = next(d) as f64 * q;
                    sup[k] += s;
                    unserved += rule.step(&mut stock, s, step_demand, &mut out.stock_empty);
                });
                year_supply = (sup[0] + sup[1]) + (sup[2] + sup[3]);
            }
        }
        out.unserved[y] = unserved;
        out.supply[y] = year_supply;
        out.stock[y] = stock;
    }
    // Changes at the horizon are never read.
    delta[plan.steps] = 0;
}
