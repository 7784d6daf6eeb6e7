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
pub mod streamed;
pub mod trial;

use crate::rng::TrialKey;
use crate::scenario::Scenario;
use crate::sketch::Sketch;
pub use accumulate::{Aggregate, ChunkRecorder, MineralAcc};
use plan::Plan;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::{Mutex, PoisonError};
use streamed::{Tallies, Windows};
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

/// Exact runs of at least this many trials find their quantiles while
/// they run (when [`Options::stream_quantiles`]): the first
/// [`PILOT_CHUNKS`] chunks place the windows, and sixteen times that pays
/// for it.
pub const STREAM_TRIALS: u64 = 16 * PILOT_CHUNKS * CHUNK_TRIALS;

/// Chunks whose annual supply and totals are kept to place the quantile
/// windows of a streamed run: 16,384 trials.
pub const PILOT_CHUNKS: u64 = 16;

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
    /// Keep every trial's horizon total and shortfall-year count in exact
    /// runs even where the summary does not need them because they were
    /// streamed (charts draw the totals' exceedance curve from them).
    /// Default true.
    pub keep_exact: bool,
    /// Largest run that reports exact quantiles (default [`EXACT_TRIALS`]).
    pub exact_trials: u64,
    /// Whether exact runs of at least [`STREAM_TRIALS`] find the quantiles
    /// of annual supply, and the quantiles and CVaR of the horizon totals,
    /// while the trials run, instead of from every trial's values (default
    /// true; see [`simulate_with`]). Aggregates meant to be appended must
    /// turn it off.
    pub stream_quantiles: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            keep_trials: true,
            keep_exact: true,
            exact_trials: EXACT_TRIALS,
            stream_quantiles: true,
        }
    }
}

/// The slices of the per-trial output arrays that one chunk fills.
struct ChunkView<'a> {
    index: usize,
    trials: Range<u64>,
    /// Per mineral; empty where totals are sketched, or streamed and not
    /// kept (outside the pilot).
    totals: Vec<&'a mut [f64]>,
    /// Per mineral; empty where not kept.
    years_short: Vec<&'a mut [u16]>,
    /// Per mineral and year; empty where supply is sketched or streamed.
    supply: Vec<Vec<&'a mut [f64]>>,
}

/// One chunk's values that a streamed run counts against its windows
/// without keeping them.
#[derive(Default)]
struct ChunkBuffers {
    /// Per mineral and year: annual supply.
    supply: Vec<Vec<Vec<f64>>>,
    /// Per mineral: horizon totals.
    totals: Vec<Vec<f64>>,
}

/// What the chunks one worker thread ran produced: each chunk's moments
/// and counts (merged later in chunk order), and sketches and window
/// tallies (merged in any order: they are exact).
#[derive(Default)]
struct Block {
    stats: Vec<(usize, Vec<MineralAcc>)>,
    /// Per mineral: annual-supply sketches and the totals sketch.
    sketches: Option<Vec<(Vec<Sketch>, Option<Sketch>)>>,
    /// Window tallies (streamed runs).
    tallies: Option<Tallies>,
    /// Values counted, not kept (streamed runs).
    buffers: ChunkBuffers,
    /// Scratch space reused by the block's chunks.
    workspace: Option<Workspace>,
}

impl Block {
    fn merge(mut self, mut other: Block) -> Block {
        self.stats.append(&mut other.stats);
        self.sketches = merge_either(self.sketches.take(), other.sketches, |a, b| {
            for ((sa, ta), (sb, tb)) in a.iter_mut().zip(&b) {
                sa.iter_mut().zip(sb).for_each(|(x, y)| x.merge(y));
                if let (Some(x), Some(y)) = (ta.as_mut(), tb.as_ref()) {
                    x.merge(y);
                }
            }
        });
        self.tallies = merge_either(self.tallies.take(), other.tallies, Tallies::merge);
        self
    }
}

/// `a` and `b` merged with `merge` where both are there, else whichever is.
fn merge_either<T>(a: Option<T>, b: Option<T>, merge: impl FnOnce(&mut T, T)) -> Option<T> {
    match (a, b) {
        (Some(mut a), Some(b)) => {
            merge(&mut a, b);
            Some(a)
        }
        (a, b) => a.or(b),
    }
}

/// `values` cut into consecutive pieces of the given widths.
fn pieces<'a, T>(mut values: &'a mut [T], widths: &[usize]) -> Vec<&'a mut [T]> {
    widths
        .iter()
        .map(|&w| {
            let (piece, rest) = std::mem::take(&mut values).split_at_mut(w);
            values = rest;
            piece
        })
        .collect()
}

/// A worker thread's [`Block`], on cache lines of its own: its scratch
/// space's bookkeeping is written at every trial, and sharing a line with
/// another thread's would make both wait on each other (10% slower).
#[repr(align(128))]
struct ThreadBlock(Mutex<Block>);

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
/// `opts.keep_trials`, and in exact runs (at most `opts.exact_trials`
/// trials) when `opts.keep_exact` or when the summary needs them;
/// otherwise totals and annual supply are sketched (large runs) or
/// streamed. Each chunk writes its trials straight into the final arrays:
/// nothing is copied or concatenated.
///
/// Exact runs of at least [`STREAM_TRIALS`] trials (with
/// `opts.stream_quantiles`) keep neither every trial's annual supply nor
/// (unless asked) its total: the first [`PILOT_CHUNKS`] chunks run first
/// and keep theirs, a random sample that places a narrow window of values
/// around each quantile's ranks, and around the upper tail of the totals
/// that CVaR averages ([`streamed`]); the other chunks then count their
/// values below each window and gather those inside as they run. The
/// quantiles and CVaR are exact: if a rank fell outside its window (eight
/// standard deviations of the sample: a chance far below one in a
/// billion), the run is repeated keeping every value, with the same trials
/// and so the same results.
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
    let streamed = exact && opts.stream_quantiles && n as u64 >= STREAM_TRIALS;
    let keep = opts.keep_trials || (exact && (opts.keep_exact || !streamed));
    let (minerals, years) = (plan.minerals.len(), plan.years);
    // Chunk c holds global trials c * CHUNK_TRIALS .. (c + 1) * CHUNK_TRIALS.
    let bounds: Vec<Range<u64>> = (range.start / CHUNK_TRIALS..range.end.div_ceil(CHUNK_TRIALS))
        .map(|c| (c * CHUNK_TRIALS).max(range.start)..((c + 1) * CHUNK_TRIALS).min(range.end))
        .collect();
    let width = |r: &Range<u64>| (r.end - r.start) as usize;
    // The chunks that keep every trial's annual supply (and total).
    let kept = match (exact, streamed) {
        (false, _) => 0,
        (true, true) => PILOT_CHUNKS as usize,
        (true, false) => bounds.len(),
    };
    let kept_trials: usize = bounds[..kept].iter().map(width).sum();
    // Per-trial totals: every trial's where kept, else the pilot's alone
    // where streamed (they place the windows).
    let totals_len = match (keep, streamed) {
        (true, _) => n,
        (false, true) => kept_trials,
        (false, false) => 0,
    };
    let mut totals: Vec<Vec<f64>> = (0..minerals).map(|_| vec![0.0; totals_len]).collect();
    let short_len = if keep { n } else { 0 };
    let mut years_short: Vec<Vec<u16>> = (0..minerals).map(|_| vec![0; short_len]).collect();
    let mut supply: Vec<Vec<Vec<f64>>> = (0..minerals)
        .map(|_| (0..years).map(|_| vec![0.0; kept_trials]).collect())
        .collect();
    // Each chunk's slices of the totals and shortfall-year counts. A
    // streamed run's pilot totals are split off first, to be read while
    // the later chunks fill the rest.
    let pilot_len = if streamed { kept_trials } else { 0 };
    let mut pilot_totals: Vec<&mut [f64]> = Vec::with_capacity(minerals);
    #[allow(clippy::type_complexity)]
    let mut parts: Vec<(Vec<&mut [f64]>, Vec<&mut [u16]>)> =
        bounds.iter().map(|_| (Vec::new(), Vec::new())).collect();
    let kept_widths: Vec<usize> = bounds
        .iter()
        .map(|r| if keep { width(r) } else { 0 })
        .collect();
    // The chunks whose totals are not the pilot's.
    let after_pilot = if streamed { kept } else { 0 };
    for (tv, yv) in totals.iter_mut().zip(years_short.iter_mut()) {
        let (pilot, rest) = tv.split_at_mut(pilot_len);
        pilot_totals.push(pilot);
        let later_parts = parts[after_pilot..].iter_mut();
        for (part, piece) in later_parts.zip(pieces(rest, &kept_widths[after_pilot..])) {
            part.0.push(piece);
        }
        for (part, piece) in parts.iter_mut().zip(pieces(yv, &kept_widths)) {
            part.1.push(piece);
        }
    }
    let later = parts.split_off(kept);
    let view = |index: usize, (totals, years_short)| ChunkView {
        index,
        trials: bounds[index].clone(),
        totals,
        years_short,
        supply: (0..minerals).map(|_| Vec::new()).collect(),
    };
    let mut first: Vec<ChunkView> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| view(i, p))
        .collect();
    // The pilot's values: annual supply (and streamed totals) chunk by chunk.
    let first_widths: Vec<usize> = first.iter().map(|v| width(&v.trials)).collect();
    if streamed {
        for p in pilot_totals.iter_mut() {
            for (v, piece) in first.iter_mut().zip(pieces(p, &first_widths)) {
                v.totals.push(piece);
            }
        }
    }
    for (m, sv) in supply.iter_mut().enumerate() {
        for year in sv.iter_mut() {
            for (v, piece) in first.iter_mut().zip(pieces(year, &first_widths)) {
                v.supply[m].push(piece);
            }
        }
    }
    let later: Vec<ChunkView> = later
        .into_iter()
        .enumerate()
        .map(|(i, p)| view(kept + i, p))
        .collect();
    let scales = sketch_scales(scenario);
    // Runs the views; with `windows`, annual supply and totals are counted
    // against the quantile windows instead of kept.
    let run = |views: Vec<ChunkView<'_>>, windows: Option<&Windows>| {
        // One block per worker thread, for whichever chunks it runs (a
        // rayon fold starts one for every piece of work it splits off,
        // each with its own scratch space, buffers and tallies to fill).
        let blocks: Vec<ThreadBlock> = (0..rayon::current_num_threads())
            .map(|_| ThreadBlock(Mutex::new(Block::default())))
            .collect();
        views.into_par_iter().for_each(|mut view| {
            let thread = rayon::current_thread_index().unwrap_or(0) % blocks.len();
            // (Poisoned only if a chunk panicked, which the panic reports.)
            let mut guard = blocks[thread]
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let block = &mut *guard;
            if !exact && block.sketches.is_none() {
                block.sketches = Some(
                    scales
                        .iter()
                        .map(|&(s, d)| {
                            let sup = (0..years).map(|_| Sketch::new(s)).collect();
                            (sup, (!keep).then(|| Sketch::new(d)))
                        })
                        .collect(),
                );
            }
            let ws = block.workspace.get_or_insert_with(|| Workspace::new(&plan));
            if windows.is_some() && block.buffers.totals.is_empty() {
                let chunk = || vec![0.0; CHUNK_TRIALS as usize];
                block.buffers = ChunkBuffers {
                    supply: (0..minerals)
                        .map(|_| (0..years).map(|_| chunk()).collect())
                        .collect(),
                    totals: (0..minerals).map(|_| chunk()).collect(),
                };
            }
            let stats = run_chunk(
                &plan,
                seed,
                &mut view,
                ws,
                block.sketches.as_mut(),
                &mut block.buffers,
            );
            if let Some(windows) = windows {
                let trials = width(&view.trials);
                let bufs = &block.buffers;
                let totals: Vec<&[f64]> = view
                    .totals
                    .iter()
                    .zip(&bufs.totals)
                    .map(|(kept, buf)| {
                        if kept.is_empty() {
                            &buf[..trials]
                        } else {
                            &kept[..]
                        }
                    })
                    .collect();
                block.tallies.get_or_insert_with(|| windows.tallies()).add(
                    windows,
                    &bufs.supply,
                    &totals,
                    trials,
                );
            }
            block.stats.push((view.index, stats));
            if let Some(p) = progress {
                p(width(&view.trials) as u64);
            }
        });
        blocks
            .into_iter()
            .map(|b| b.0.into_inner().unwrap_or_else(PoisonError::into_inner))
            .fold(Block::default(), Block::merge)
    };
    // Streamed runs hold the chunks after the pilot back until the pilot's
    // values have placed the windows; other runs take every chunk at once.
    let (first, later): (Vec<ChunkView>, _) = if streamed {
        (first, later)
    } else {
        (first.into_iter().chain(later).collect(), Vec::new())
    };
    let mut block = run(first, None);
    let mut found = Vec::new();
    if streamed {
        let pilot_totals: Vec<&[f64]> = pilot_totals.iter().map(|t| &**t).collect();
        let streamed_block = Windows::place(&supply, &pilot_totals, n).and_then(|windows| {
            let mut block = run(later, Some(&windows));
            let tallies = block.tallies.take()?;
            let q = tallies.finish(&windows, &supply, &pilot_totals)?;
            Some((block, q))
        });
        match streamed_block {
            Some((streamed_block, q)) => {
                found = q;
                block.stats.extend(streamed_block.stats);
            }
            None => {
                let opts = Options {
                    stream_quantiles: false,
                    ..opts
                };
                return simulate_with(scenario, seed, range, None, opts);
            }
        }
    }
    let mut parts = block.stats;
    parts.sort_unstable_by_key(|(i, _)| *i);
    let mut out: Vec<MineralAcc> = (0..minerals).map(|_| MineralAcc::new(years)).collect();
    for (_, chunk) in &parts {
        for (acc, c) in out.iter_mut().zip(chunk) {
            acc.merge_stats(c);
        }
    }
    let mut sketches = block.sketches;
    let mut found = found.into_iter();
    for (m, acc) in out.iter_mut().enumerate() {
        // (Where totals are streamed and not kept, the pilot's are not all.)
        if keep {
            acc.totals = std::mem::take(&mut totals[m]);
            acc.years_short = std::mem::take(&mut years_short[m]);
        }
        match found.next() {
            // (`acc.supply` stays empty: the pilot's values are not all.)
            Some(q) => {
                acc.supply_quantiles = q.supply;
                acc.totals_quantiles = q.totals;
                acc.totals_cvar = Some(q.cvar);
            }
            None => acc.supply = std::mem::take(&mut supply[m]),
        }
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
/// view or, where the view keeps none, into the block's sketches or (for
/// annual supply in streamed runs) its buffer; returns the chunk's moments
/// and counts.
fn run_chunk(
    plan: &Plan,
    seed: u64,
    view: &mut ChunkView,
    ws: &mut Workspace,
    mut sketches: Option<&mut Vec<(Vec<Sketch>, Option<Sketch>)>>,
    bufs: &mut ChunkBuffers,
) -> Vec<MineralAcc> {
    let mut stats: Vec<ChunkRecorder> = (0..plan.minerals.len())
        .map(|_| ChunkRecorder::new(plan.years))
        .collect();
    for (j, trial) in view.trials.clone().enumerate() {
        simulate_trial(plan, TrialKey::new(seed, trial), ws);
        for (m, ((acc, outcome), mp)) in stats
            .iter_mut()
            .zip(&ws.outcome)
            .zip(&plan.minerals)
            .enumerate()
        {
            let (total, short) = acc.record(outcome, mp.threshold);
            // Where the run sketches, values go to the block's sketches.
            let (supply_sketch, total_sketch) = match sketches.as_deref_mut() {
                Some(s) => {
                    let (sup, tot) = &mut s[m];
                    (Some(sup).filter(|v| !v.is_empty()), tot.as_mut())
                }
                None => (None, None),
            };
            match (total_sketch, view.totals[m].get_mut(j)) {
                (Some(t), _) => t.push(total),
                (None, Some(t)) => *t = total,
                // Streamed and not kept: counted from the block's buffer.
                (None, None) => bufs.totals[m][j] = total,
            }
            if let Some(s) = view.years_short[m].get_mut(j) {
                *s = short;
            }
            let supply = outcome.supply.iter();
            match (supply_sketch, view.supply[m].is_empty()) {
                (Some(sup), _) => sup.iter_mut().zip(supply).for_each(|(s, v)| s.push(*v)),
                (None, false) => view.supply[m]
                    .iter_mut()
                    .zip(supply)
                    .for_each(|(s, v)| s[j] = *v),
                (None, true) => bufs.supply[m]
                    .iter_mut()
                    .zip(supply)
                    .for_each(|(s, v)| s[j] = *v),
            }
        }
    }
    stats.iter().map(ChunkRecorder::finish).collect()
}
