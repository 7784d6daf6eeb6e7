//! Minerals with supply-chain stages, restrictions or a world market
//! (docs/model.md, "Supply-chain stages" and "World market"): each step's
//! output is gathered into a few *channels* of integer units (feed,
//! refining capacity, and per product level what the consumer may buy,
//! its offtake and the whole output), from which
//! [`super::market::serve_chain`] clears the step.
//!
//! Every source at full output is in the channels' starting values; a
//! source whose output varies (a project, or one with a disruption or
//! listed by an event) adds the change of its contribution at the steps
//! where it changes (where one of its intervals starts or ends, or a
//! project's output moves), so the channels are kept as changes from step
//! to step and serving sums them as it goes. Integer sums are exact and
//! independent of order, so adding a source never lowers a channel and
//! lifting a restriction moves units from "restricted" to "open" without
//! changing the whole.

use super::plan::{to_units, Plan, SourcePlan};
use super::process::Interval;
use super::trial::{
    events_overlap, for_each_piece, multiply_factors, sample_own, Piece, Workspace,
};
use crate::rng::TrialKey;
use crate::scenario::{Scenario, Stage};

/// Feed delivered by mines.
pub const FEED: usize = 0;
/// Refining capacity available.
pub const CAPACITY: usize = 1;
/// Refineries: output the consumer may buy (physical: times `access`).
pub const REF_OPEN: usize = 2;
/// Refineries: offtake delivered.
pub const REF_OFFTAKE: usize = 3;
/// Product sources: output the consumer may buy.
pub const PROD_OPEN: usize = 4;
/// Product sources: offtake delivered.
pub const PROD_OFFTAKE: usize = 5;
/// Product sources: whole output.
pub const PROD_TOTAL: usize = 6;
/// Number of channels.
pub const CHANNELS: usize = 7;
/// Values kept per step: the channels and one spare, so that a step's
/// values are one aligned row of eight (step-major layout:
/// `ch[t * ROW + channel]`).
pub const ROW: usize = 8;

/// What a source adds to the channels.
#[derive(Debug, Clone, Copy)]
pub struct ChainSource {
    /// Stage.
    pub stage: Stage,
    /// `capacity * dt`: one undisrupted step's output.
    pub step: f64,
    /// Share the consumer may buy in normal times (1 in a market).
    pub access: f64,
    /// Offtake share (0 outside a market).
    pub offtake: f64,
}

impl ChainSource {
    /// The source's contribution to each channel, `(channel, units)`, for
    /// output `q` of which the share `keep` is not restricted.
    #[inline(always)]
    pub fn units(&self, q: f64, keep: f64, inv_q: f64) -> [(usize, i64); 3] {
        let u = |x: f64| to_units(x, inv_q);
        match self.stage {
            Stage::Mine => [(FEED, u(q)), (FEED, 0), (FEED, 0)],
            Stage::Refinery => [
                (CAPACITY, u(q)),
                (REF_OPEN, u(self.access * q * keep)),
                (REF_OFFTAKE, u(self.offtake * q * keep)),
            ],
            Stage::Product => [
                (PROD_TOTAL, u(q)),
                (PROD_OPEN, u(self.access * q * keep)),
                (PROD_OFFTAKE, u(self.offtake * q * keep)),
            ],
        }
    }

    /// Add `sign` times the contribution [`ChainSource::units`] to step
    /// `t` of the channels `ch` (rows of [`ROW`] values per step).
    #[inline(always)]
    pub fn put(&self, ch: &mut [i64], t: usize, q: f64, keep: f64, sign: i64, inv_q: f64) {
        for (c, v) in self.units(q, keep, inv_q) {
            ch[t * ROW + c] += sign * v;
        }
    }
}

/// A mineral's chain constants.
#[derive(Debug, Clone)]
pub struct ChainPlan {
    /// Unit of the channels (a power of two, as for physical supply).
    pub quantum: f64,
    /// `1 / quantum`.
    pub inv_quantum: f64,
    /// Each channel's value at a step where every existing source is at
    /// full output and no restriction is in force, firm supply included
    /// (and 0 in the spare place).
    pub base: [i64; ROW],
    /// Whether the mineral has mines and refineries.
    pub stages: bool,
    /// Sources whose output varies, in file order.
    pub dynamic: Vec<usize>,
}

/// Whether mineral `m` is simulated through channels: it has stages, a
/// market, or a source listed by a restriction.
pub fn uses_chain(scenario: &Scenario, m: usize) -> bool {
    let mineral = &scenario.minerals[m];
    mineral.market.is_some()
        || mineral.sources.iter().any(|&i| {
            let s = &scenario.sources[i];
            s.stage != Stage::Product || !s.restrictions.is_empty()
        })
}

impl ChainPlan {
    /// The chain plan of mineral `m` (see [`uses_chain`]); `sources` are
    /// the run's source plans and `chain` their chain constants.
    pub fn new(
        scenario: &Scenario,
        m: usize,
        sources: &[SourcePlan],
        chain: &[ChainSource],
        dt: f64,
    ) -> ChainPlan {
        let mineral = &scenario.minerals[m];
        let firm = mineral.firm_supply * dt;
        let most =
            crate::stats::order_free_sum(mineral.sources.iter().map(|&i| chain[i].step)) + firm;
        let (quantum, inv_quantum) = super::plan::quantum_of(most);
        let mut base = [0i64; ROW];
        // Firm supply: never disrupted or restricted; in a market a firm
        // offtake.
        let firm_source = ChainSource {
            stage: Stage::Product,
            step: firm,
            access: 1.0,
            offtake: if mineral.market.is_some() { 1.0 } else { 0.0 },
        };
        firm_source.put(&mut base, 0, firm, 1.0, 1, inv_quantum);
        let mut dynamic = Vec::new();
        for &i in &mineral.sources {
            let (sp, cs) = (&sources[i], &chain[i]);
            if sp.project.is_none() {
                cs.put(&mut base, 0, cs.step, 1.0, 1, inv_quantum);
            }
            if sp.project.is_some()
                || sp.own.is_some()
                || !sp.events.is_empty()
                || !sp.restrictions.is_empty()
            {
                dynamic.push(i);
            }
        }
        let stages = mineral
            .sources
            .iter()
            .any(|&i| chain[i].stage != Stage::Product);
        ChainPlan {
            quantum,
            inv_quantum,
            base,
            stages,
            dynamic,
        }
    }
}

/// Fill the channels of chain mineral `m` for trial `key` into
/// `ws.channels[m]`, the event intervals having been drawn, as changes:
/// row `t` holds the channels at step `t` less those at the step before
/// (the first step's less [`ChainPlan::base`]), and `ws.changed[m][t]`
/// marks the rows that may be non-zero. The rows are all zero before
/// (serving clears them as it reads them).
pub fn fill_channels(plan: &Plan, cp: &ChainPlan, key: TrialKey, ws: &mut Workspace, m: usize) {
    let steps = plan.steps;
    ws.changed[m].fill(false);
    let inv_q = cp.inv_quantum;
    for &i in &cp.dynamic {
        let (sp, cs) = (&plan.sources[i], &plan.chain_sources[i]);
        if sp.project.is_none()
            && sp.restrictions.is_empty()
            && !events_overlap(sp, &ws.event_intervals)
        {
            add_pieces(
                steps,
                cs,
                sp,
                key,
                &ws.event_intervals,
                &mut ws.channels[m],
                &mut ws.changed[m],
                inv_q,
            );
            continue;
        }
        sample_own(sp, key, &mut ws.own);
        multiply_factors(&mut ws.factor, &ws.own, sp, &ws.event_intervals);
        for &(e, x) in sp.restrictions {
            for iv in &ws.event_intervals[e] {
                for f in &mut ws.rfactor[iv.start..iv.end] {
                    *f *= 1.0 - x * iv.severity;
                }
            }
        }
        let (factor, rfactor, ch) = (&mut ws.factor, &mut ws.rfactor, &mut ws.channels[m]);
        let changed = &mut ws.changed[m];
        // The contribution of output `q` of which the share `keep` is not
        // restricted; full output's, converted once.
        let full = cs.units(cs.step, 1.0, inv_q);
        let units = |(q, keep): (f64, f64)| {
            if (q, keep) == (cs.step, 1.0) {
                full
            } else {
                cs.units(q, keep, inv_q)
            }
        };
        // The source's contribution changes from `before` to `now` at step
        // `t` (the same channels, in the same order).
        let mut change = |t: usize, now: [(usize, i64); 3], before: [(usize, i64); 3]| {
            for ((c, a), (_, b)) in now.into_iter().zip(before) {
                ch[t * ROW + c] += a - b;
            }
            changed[t] = true;
        };
        // From step `from` on, the source's output is `cs.step * factor`
        // and changes only where one of its intervals starts or ends (each
        // such step once, however many intervals share it).
        let at = |t: usize| (cs.step * factor[t], rfactor[t]);
        let mut from = 0;
        if let Some(p) = sp.project {
            // A project adds its output step by step from the step it
            // comes online until it is fully ramped up (never: nothing).
            let Some(r) = ws.ramps[p] else {
                reset(factor, rfactor, &ws.own, sp, &ws.event_intervals);
                continue;
            };
            let mut before = (0.0, 1.0);
            let mut before_units = units(before);
            from = steps;
            for t in r.first_step..steps {
                let ramp = r.at(plan.midpoints[t]);
                // `cs.step * 1.0 * factor[t]` is `at(t)`, to the bit.
                let now = (cs.step * ramp * factor[t], rfactor[t]);
                if now != before {
                    let now_units = units(now);
                    change(t, now_units, before_units);
                    (before, before_units) = (now, now_units);
                }
                if ramp == 1.0 {
                    // A ramp never falls back.
                    from = t + 1;
                    break;
                }
            }
        }
        // An existing source starts in the channels at full output.
        let bounds = &mut ws.bounds;
        bounds.clear();
        for (list, _) in super::trial::source_intervals(&ws.own, sp, &ws.event_intervals) {
            bounds.extend(list.iter().flat_map(|iv| [iv.start, iv.end]));
        }
        for &(e, _) in sp.restrictions {
            let list = &ws.event_intervals[e];
            bounds.extend(list.iter().flat_map(|iv| [iv.start, iv.end]));
        }
        bounds.sort_unstable();
        bounds.dedup();
        for &t in bounds.iter().filter(|&&t| t >= from && t < steps) {
            let (now, before) = (at(t), if t == 0 { (cs.step, 1.0) } else { at(t - 1) });
            if now != before {
                change(t, units(now), units(before));
            }
        }
        reset(factor, rfactor, &ws.own, sp, &ws.event_intervals);
    }
}

/// An existing source with no restriction whose event intervals do not
/// overlap one another: each piece of [`for_each_piece`] changes its
/// contribution by a constant over its steps, written at its first step
/// and taken back at its end. The sums are exactly those of the source's
/// output step by step, in whole units, as for physical supply.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn add_pieces(
    steps: usize,
    cs: &ChainSource,
    sp: &SourcePlan,
    key: TrialKey,
    events: &[Vec<Interval>],
    ch: &mut [i64],
    changed: &mut [bool],
    inv_q: f64,
) {
    let full = cs.units(cs.step, 1.0, inv_q);
    // The change of the contribution from full output to output times `f`.
    let change = |f: f64| {
        let now = cs.units(cs.step * f, 1.0, inv_q);
        [0, 1, 2].map(|k| now[k].1 - full[k].1)
    };
    for_each_piece(sp, key, events, |start, end, piece| {
        let v = match piece {
            Piece::Down(f) => change(f),
            Piece::Overlap(f_own, f_event) => {
                let (both, own, event) = (change(f_own * f_event), change(f_own), change(f_event));
                [0, 1, 2].map(|k| both[k] - own[k] - event[k])
            }
        };
        for (t, sign) in [(start, 1), (end, -1)] {
            if t < steps {
                for (k, &(c, _)) in full.iter().enumerate() {
                    ch[t * ROW + c] += sign * v[k];
                }
                changed[t] = true;
            }
        }
    });
}

/// Set a source's factors back to 1 over every interval that touches it.
fn reset(
    factor: &mut [f64],
    rfactor: &mut [f64],
    own: &[super::process::Interval],
    sp: &SourcePlan,
    events: &[Vec<super::process::Interval>],
) {
    let lists = std::iter::once(own)
        .chain(sp.events.iter().map(|&(e, _)| &events[e][..]))
        .chain(sp.restrictions.iter().map(|&(e, _)| &events[e][..]));
    for list in lists {
        for iv in list {
            factor[iv.start..iv.end].fill(1.0);
            rfactor[iv.start..iv.end].fill(1.0);
        }
    }
}
