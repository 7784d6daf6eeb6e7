//! The Monte Carlo engine.
//!
//! Trials are cut into fixed chunks of [`CHUNK_TRIALS`] (chunk `c` holds
//! trials `c * CHUNK_TRIALS ..`), whatever the number of threads. Chunks run
//! in parallel with rayon; each writes its trials' values in place, its
//! moments are merged in chunk order, and sketches merge exactly in any
//! order, so every statistic is bit-identical for any thread count. The random numbers of an entity in a trial depend only on
//! `(seed, trial index, entity key)` (see [`crate::rng`]).

pub mod accumulate;
pub mod plan;
pub mod process;
pub mod trial;

use crate::rng::TrialKey;
use crate::scenario::Scenario;
use crate::sketch::Sketch;
pub use accumulate::{Aggregate, MineralAcc};
use plan::Plan;
use rayon::prelude::*;
use std::ops::Range;
use trial::{simulate_trial, Workspace};

/// Trials per chunk. Part of the definition of a run's results: changing
/// it changes the order of floating-point merges (not the statistics).
pub const CHUNK_TRIALS: u64 = 1024;

/// Receives the number of trials finished, chunk by chunk, from any thread.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// Runs of at most this many trials keep every trial's annual supply and
/// report exact quantiles; larger runs use [`crate::sketch::Sketch`]
/// (at most 0.39% relative error), which keeps memory flat.
pub const EXACT_TRIALS: u64 = 1_000_000;

/// Run trials `0 .. trials` of `scenario` with `seed`, keeping every
/// trial's horizon total and shortfall-year count (as comparisons need).
pub fn simulate(
    scenario: &Scenario,
    seed: u64,
    trials: u64,
    progress: Option<Progress>,
) -> Aggregate {
    simulate_range(scenario, seed, 0..trials, progress)
}

/// [`simulate`] for the trials `range` (global trial indexes).
pub fn simulate_range(
    scenario: &Scenario,
    seed: u64,
    range: Range<u64>,
    progress: Option<Progress>,
) -> Aggregate {
    simulate_with(scenario, seed, range, progress, Options::default())
}

/// What a run keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Keep every trial's horizon total and shortfall-year count even when
    /// the run is sketched (paired comparisons need them).
    pub keep_trials: bool,
    /// Largest run that keeps every value for exact quantiles
    /// (default [`EXACT_TRIALS`]).
    pub exact_trials: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            keep_trials: true,
            exact_trials: EXACT_TRIALS,
        }
    }
}

/// The slices of the per-trial output arrays that one chunk fills.
struct ChunkView<'a> {
    index: usize,
    trials: Range<u64>,
    totals: Vec<&'a mut [f64]>,
    years_short: Vec<&'a mut [u16]>,
    supply: Vec<Vec<&'a mut [f64]>>,
}

/// What a group of chunks run by one rayon task produced: each chunk's
/// moments and counts (merged later in chunk order), and sketches (merged
/// in any order: they are exact).
#[derive(Default)]
struct Block {
    stats: Vec<(usize, Vec<MineralAcc>)>,
    /// Per mineral: annual-supply sketches and the totals sketch.
    sketches: Option<Vec<(Vec<Sketch>, Option<Sketch>)>>,
    /// Scratch space reused by the block's chunks.
    workspace: Option<Workspace>,
}

impl Block {
    fn merge(mut self, mut other: Block) -> Block {
        self.stats.append(&mut other.stats);
        self.sketches = match (self.sketches.take(), other.sketches.take()) {
            (Some(mut a), Some(b)) => {
                for ((sa, ta), (sb, tb)) in a.iter_mut().zip(&b) {
                    sa.iter_mut().zip(sb).for_each(|(x, y)| x.merge(y));
                    if let (Some(x), Some(y)) = (ta.as_mut(), tb.as_ref()) {
                        x.merge(y);
                    }
                }
                Some(a)
            }
            (a, b) => a.or(b),
        };
        self
    }
}

/// Sketch scales per mineral: the largest annual supply, and expected total
/// demand over the horizon.
fn sketch_scales(scenario: &Scenario) -> Vec<(f64, f64)> {
    scenario
        .minerals
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let supply = scenario.max_annual_supply(i);
            let demand: f64 = (0..scenario.years).map(|y| m.demand.trend(y)).sum();
            (supply.max(f64::MIN_POSITIVE), demand.max(f64::MIN_POSITIVE))
        })
        .collect()
}

/// Run the trials `range` of `scenario` with `seed` on the current rayon
/// pool. Per-trial totals and shortfall-year counts are kept when
/// `opts.keep_trials` or when the run is small enough for exact quantiles
/// (`opts.exact_trials`); otherwise totals and annual supply are sketched.
/// Each chunk writes its trials straight into the final arrays: nothing is
/// copied or concatenated.
pub fn simulate_with(
    scenario: &Scenario,
    seed: u64,
    range: Range<u64>,
    progress: Option<Progress>,
    opts: Options,
) -> Aggregate {
    let plan = Plan::new(scenario);
    let n = (range.end - range.start) as usize;
    let exact = n as u64 <= opts.exact_trials;
    let keep = opts.keep_trials || exact;
    let (minerals, years) = (plan.minerals.len(), plan.years);
    let sized = |on: bool| if on { n } else { 0 };
    let mut totals: Vec<Vec<f64>> = (0..minerals).map(|_| vec![0.0; sized(keep)]).collect();
    let mut years_short: Vec<Vec<u16>> = (0..minerals).map(|_| vec![0; sized(keep)]).collect();
    let mut supply: Vec<Vec<Vec<f64>>> = (0..minerals)
        .map(|_| (0..years).map(|_| vec![0.0; sized(exact)]).collect())
        .collect();
    // Chunk c holds global trials c * CHUNK_TRIALS .. (c + 1) * CHUNK_TRIALS.
    let bounds: Vec<Range<u64>> = (range.start / CHUNK_TRIALS..range.end.div_ceil(CHUNK_TRIALS))
        .map(|c| (c * CHUNK_TRIALS).max(range.start)..((c + 1) * CHUNK_TRIALS).min(range.end))
        .collect();
    let mut views: Vec<ChunkView> = bounds
        .iter()
        .enumerate()
        .map(|(index, r)| ChunkView {
            index,
            trials: r.clone(),
            totals: Vec::new(),
            years_short: Vec::new(),
            supply: (0..minerals).map(|_| Vec::new()).collect(),
        })
        .collect();
    let width = |r: &Range<u64>, on: bool| if on { (r.end - r.start) as usize } else { 0 };
    for (m, ((tv, yv), sv)) in totals
        .iter_mut()
        .zip(years_short.iter_mut())
        .zip(supply.iter_mut())
        .enumerate()
    {
        let (mut t, mut y): (&mut [f64], &mut [u16]) = (tv, yv);
        for v in views.iter_mut() {
            let w = width(&v.trials, keep);
            let (a, rest) = std::mem::take(&mut t).split_at_mut(w);
            let (b, rest_y) = std::mem::take(&mut y).split_at_mut(w);
            v.totals.push(a);
            v.years_short.push(b);
            t = rest;
            y = rest_y;
        }
        for year in sv.iter_mut() {
            let mut s: &mut [f64] = year;
            for v in views.iter_mut() {
                let (a, rest) = std::mem::take(&mut s).split_at_mut(width(&v.trials, exact));
                v.supply[m].push(a);
                s = rest;
            }
        }
    }
    let scales = sketch_scales(scenario);
    let sketch_supply = !exact;
    let sketch_totals = !keep;
    let block = views
        .into_par_iter()
        .fold(Block::default, |mut block, mut view| {
            if (sketch_supply || sketch_totals) && block.sketches.is_none() {
                block.sketches = Some(
                    scales
                        .iter()
                        .map(|&(s, d)| {
                            let sup = if sketch_supply {
                                (0..years).map(|_| Sketch::new(s)).collect()
                            } else {
                                Vec::new()
                            };
                            (sup, sketch_totals.then(|| Sketch::new(d)))
                        })
                        .collect(),
                );
            }
            let ws = block.workspace.get_or_insert_with(|| Workspace::new(&plan));
            let stats = run_chunk(&plan, seed, &mut view, ws, block.sketches.as_mut());
            block.stats.push((view.index, stats));
            if let Some(p) = progress {
                p(view.trials.end - view.trials.start);
            }
            block
        })
        .reduce(Block::default, Block::merge);
    let mut parts = block.stats;
    parts.sort_unstable_by_key(|(i, _)| *i);
    let mut out: Vec<MineralAcc> = (0..minerals).map(|_| MineralAcc::new(years)).collect();
    for (_, chunk) in &parts {
        for (acc, c) in out.iter_mut().zip(chunk) {
            acc.merge_stats(c);
        }
    }
    let mut sketches = block.sketches;
    for (m, acc) in out.iter_mut().enumerate() {
        acc.totals = std::mem::take(&mut totals[m]);
        acc.years_short = std::mem::take(&mut years_short[m]);
        acc.supply = std::mem::take(&mut supply[m]);
        if let Some(sk) = sketches.as_mut() {
            let (sup, tot) = std::mem::take(&mut sk[m]);
            acc.supply_sketch = sup;
            acc.totals_sketch = tot;
        }
    }
    Aggregate {
        first_trial: range.start,
        trials: n as u64,
        minerals: out,
    }
}

/// Run one chunk on the calling thread, writing per-trial values into its
/// view or, where the view keeps none, into the block's sketches; returns
/// the chunk's moments and counts.
fn run_chunk(
    plan: &Plan,
    seed: u64,
    view: &mut ChunkView,
    ws: &mut Workspace,
    mut sketches: Option<&mut Vec<(Vec<Sketch>, Option<Sketch>)>>,
) -> Vec<MineralAcc> {
    let mut stats: Vec<MineralAcc> = (0..plan.minerals.len())
        .map(|_| MineralAcc::new(plan.years))
        .collect();
    for (j, trial) in view.trials.clone().enumerate() {
        simulate_trial(plan, TrialKey::new(seed, trial), ws);
        for (m, ((acc, outcome), mp)) in stats
            .iter_mut()
            .zip(&ws.outcome)
            .zip(&plan.minerals)
            .enumerate()
        {
            let (total, short) = acc.record_stats(outcome, mp.threshold);
            // Where the run sketches, values go to the block's sketches.
            let (supply_sketch, total_sketch) = match sketches.as_deref_mut() {
                Some(s) => {
                    let (sup, tot) = &mut s[m];
                    (Some(sup).filter(|v| !v.is_empty()), tot.as_mut())
                }
                None => (None, None),
            };
            match total_sketch {
                Some(t) => t.push(total),
                None => {
                    view.totals[m][j] = total;
                    view.years_short[m][j] = short;
                }
            }
            match supply_sketch {
                Some(sup) => sup
                    .iter_mut()
                    .zip(&outcome.supply)
                    .for_each(|(s, v)| s.push(*v)),
                None => view.supply[m]
                    .iter_mut()
                    .zip(&outcome.supply)
                    .for_each(|(s, v)| s[j] = *v),
            }
        }
    }
    stats
}
