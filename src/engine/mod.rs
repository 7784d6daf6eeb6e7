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
use crate::select::windows::{RankWindows, WindowTally};
use crate::sketch::Sketch;
use crate::stats::QuantilePoints;
use accumulate::SUPPLY_QUANTILES;
pub use accumulate::{Aggregate, ChunkRecorder, MineralAcc};
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

/// Exact runs of at least this many trials find supply quantiles while
/// they run (when [`Options::stream_supply`]): the first [`PILOT_CHUNKS`]
/// chunks place the windows, and sixteen times that pays for it.
pub const STREAM_TRIALS: u64 = 16 * PILOT_CHUNKS * CHUNK_TRIALS;

/// Chunks whose annual supply is kept to place the quantile windows of a
/// streamed run: 16,384 trials.
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
    /// Largest run that reports exact quantiles (default [`EXACT_TRIALS`]).
    pub exact_trials: u64,
    /// Whether exact runs of at least [`STREAM_TRIALS`] find the quantiles
    /// of annual supply while the trials run instead of keeping every
    /// trial's value (default true; see [`simulate_with`]). Aggregates
    /// meant to be appended must turn it off.
    pub stream_supply: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            keep_trials: true,
            exact_trials: EXACT_TRIALS,
            stream_supply: true,
        }
    }
}

/// The slices of the per-trial output arrays that one chunk fills.
struct ChunkView<'a> {
    index: usize,
    trials: Range<u64>,
    totals: Vec<&'a mut [f64]>,
    years_short: Vec<&'a mut [u16]>,
    /// Per mineral and year; empty where supply is sketched or streamed.
    supply: Vec<Vec<&'a mut [f64]>>,
}

/// What a group of chunks run by one rayon task produced: each chunk's
/// moments and counts (merged later in chunk order), and sketches and
/// window tallies (merged in any order: they are exact).
#[derive(Default)]
struct Block {
    stats: Vec<(usize, Vec<MineralAcc>)>,
    /// Per mineral: annual-supply sketches and the totals sketch.
    sketches: Option<Vec<(Vec<Sketch>, Option<Sketch>)>>,
    /// Per mineral and year: window tallies of annual supply (streamed runs).
    tallies: Vec<Vec<WindowTally>>,
    /// Per mineral and year: one chunk's annual supply (streamed runs).
    supply_buf: Vec<Vec<Vec<f64>>>,
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
        if self.tallies.is_empty() {
            self.tallies = other.tallies;
        } else {
            for (mine, theirs) in self.tallies.iter_mut().zip(other.tallies) {
                mine.iter_mut().zip(theirs).for_each(|(x, y)| x.merge(y));
            }
        }
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
///
/// Exact runs of at least [`STREAM_TRIALS`] trials (with
/// `opts.stream_supply`) do not keep every trial's annual supply: the first
/// [`PILOT_CHUNKS`] chunks run first and keep theirs, a random sample that
/// places a narrow window of values around each quantile's ranks
/// ([`crate::select::windows`]); the other chunks then count their values
/// below each window and gather those inside as they run. The quantiles
/// are exact: if a rank fell outside its window (eight standard deviations
/// of the sample: a chance far below one in a billion), the run is
/// repeated keeping every value, with the same trials and so the same
/// results.
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
    let streamed = exact && opts.stream_supply && n as u64 >= STREAM_TRIALS;
    let (minerals, years) = (plan.minerals.len(), plan.years);
    // Chunk c holds global trials c * CHUNK_TRIALS .. (c + 1) * CHUNK_TRIALS.
    let bounds: Vec<Range<u64>> = (range.start / CHUNK_TRIALS..range.end.div_ceil(CHUNK_TRIALS))
        .map(|c| (c * CHUNK_TRIALS).max(range.start)..((c + 1) * CHUNK_TRIALS).min(range.end))
        .collect();
    let width = |r: &Range<u64>| (r.end - r.start) as usize;
    // The chunks that keep every trial's annual supply.
    let kept = match (exact, streamed) {
        (false, _) => 0,
        (true, true) => PILOT_CHUNKS as usize,
        (true, false) => bounds.len(),
    };
    let kept_trials: usize = bounds[..kept].iter().map(width).sum();
    let sized = |on: bool| if on { n } else { 0 };
    let mut totals: Vec<Vec<f64>> = (0..minerals).map(|_| vec![0.0; sized(keep)]).collect();
    let mut years_short: Vec<Vec<u16>> = (0..minerals).map(|_| vec![0; sized(keep)]).collect();
    let mut supply: Vec<Vec<Vec<f64>>> = (0..minerals)
        .map(|_| (0..years).map(|_| vec![0.0; kept_trials]).collect())
        .collect();
    // Each chunk's slices of the totals and shortfall-year counts.
    #[allow(clippy::type_complexity)]
    let mut parts: Vec<(Vec<&mut [f64]>, Vec<&mut [u16]>)> =
        bounds.iter().map(|_| (Vec::new(), Vec::new())).collect();
    for (tv, yv) in totals.iter_mut().zip(years_short.iter_mut()) {
        let (mut t, mut y): (&mut [f64], &mut [u16]) = (tv, yv);
        for (r, part) in bounds.iter().zip(parts.iter_mut()) {
            let w = if keep { width(r) } else { 0 };
            let (a, rest) = std::mem::take(&mut t).split_at_mut(w);
            let (b, rest_y) = std::mem::take(&mut y).split_at_mut(w);
            part.0.push(a);
            part.1.push(b);
            t = rest;
            y = rest_y;
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
    for (m, sv) in supply.iter_mut().enumerate() {
        for year in sv.iter_mut() {
            let mut s: &mut [f64] = year;
            for v in first.iter_mut() {
                let (a, rest) = std::mem::take(&mut s).split_at_mut(width(&v.trials));
                v.supply[m].push(a);
                s = rest;
            }
        }
    }
    let later: Vec<ChunkView> = later
        .into_iter()
        .enumerate()
        .map(|(i, p)| view(kept + i, p))
        .collect();
    let scales = sketch_scales(scenario);
    // Runs the views; with `windows`, annual supply is counted against the
    // quantile windows of each mineral and year instead of kept.
    let run = |views: Vec<ChunkView>, windows: Option<&[Vec<RankWindows>]>| {
        views
            .into_par_iter()
            .fold(Block::default, |mut block, mut view| {
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
                if windows.is_some() && block.supply_buf.is_empty() {
                    block.supply_buf = (0..minerals)
                        .map(|_| {
                            (0..years)
                                .map(|_| vec![0.0; CHUNK_TRIALS as usize])
                                .collect()
                        })
                        .collect();
                }
                let stats = run_chunk(
                    &plan,
                    seed,
                    &mut view,
                    ws,
                    block.sketches.as_mut(),
                    &mut block.supply_buf,
                );
                if let Some(windows) = windows {
                    tally_chunk(&mut block, windows, width(&view.trials));
                }
                block.stats.push((view.index, stats));
                if let Some(p) = progress {
                    p(width(&view.trials) as u64);
                }
                block
            })
            .reduce(Block::default, Block::merge)
    };
    // Streamed runs hold the chunks after the pilot back until the pilot's
    // supply has placed the windows; other runs take every chunk at once.
    let (first, later): (Vec<ChunkView>, _) = if streamed {
        (first, later)
    } else {
        (first.into_iter().chain(later).collect(), Vec::new())
    };
    let mut block = run(first, None);
    let mut supply_quantiles = Vec::new();
    if streamed {
        let windows = supply_windows(&supply, n);
        let streamed_block = run(later, Some(&windows));
        match streamed_quantiles(&windows, &supply, streamed_block.tallies, n) {
            Some(q) => supply_quantiles = q,
            None => {
                let opts = Options {
                    stream_supply: false,
                    ..opts
                };
                return simulate_with(scenario, seed, range, None, opts);
            }
        }
        block.stats.extend(streamed_block.stats);
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
    let mut supply_quantiles = supply_quantiles.into_iter();
    for (m, acc) in out.iter_mut().enumerate() {
        acc.totals = std::mem::take(&mut totals[m]);
        acc.years_short = std::mem::take(&mut years_short[m]);
        if streamed {
            // (`acc.supply` stays empty: the pilot's values are not all.)
            acc.supply_quantiles = supply_quantiles.next().unwrap_or_default();
        } else {
            acc.supply = std::mem::take(&mut supply[m]);
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

/// The ranks the supply quantiles of `n` trials need.
fn supply_points(n: usize) -> QuantilePoints {
    QuantilePoints::new(n, &SUPPLY_QUANTILES)
}

/// Per mineral and year: windows around the supply quantiles' ranks among
/// `n` trials, placed from the pilot trials' annual supply.
fn supply_windows(pilot: &[Vec<Vec<f64>>], n: usize) -> Vec<Vec<RankWindows>> {
    let ranks = supply_points(n).ranks();
    pilot
        .par_iter()
        .map(|years| {
            years
                .iter()
                .map(|sample| {
                    // Three quantiles need at most three windows.
                    RankWindows::from_sample(sample, n, &ranks)
                        .expect("a non-empty pilot and at most three windows")
                })
                .collect()
        })
        .collect()
}

/// Count one chunk's annual supply, left in the block's buffer by
/// [`run_chunk`], against the windows.
fn tally_chunk(block: &mut Block, windows: &[Vec<RankWindows>], trials: usize) {
    if block.tallies.is_empty() {
        block.tallies = windows
            .iter()
            .map(|ws| ws.iter().map(RankWindows::tally).collect())
            .collect();
    }
    for ((tallies, ws), bufs) in block.tallies.iter_mut().zip(windows).zip(&block.supply_buf) {
        for ((t, w), buf) in tallies.iter_mut().zip(ws).zip(bufs) {
            t.add(w, &buf[..trials]);
        }
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
    supply_buf: &mut [Vec<Vec<f64>>],
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
            match total_sketch {
                Some(t) => t.push(total),
                None => {
                    view.totals[m][j] = total;
                    view.years_short[m][j] = short;
                }
            }
            let supply = outcome.supply.iter();
            match (supply_sketch, view.supply[m].is_empty()) {
                (Some(sup), _) => sup.iter_mut().zip(supply).for_each(|(s, v)| s.push(*v)),
                (None, false) => view.supply[m]
                    .iter_mut()
                    .zip(supply)
                    .for_each(|(s, v)| s[j] = *v),
                (None, true) => supply_buf[m]
                    .iter_mut()
                    .zip(supply)
                    .for_each(|(s, v)| s[j] = *v),
            }
        }
    }
    stats.iter().map(ChunkRecorder::finish).collect()
}

/// The supply quantiles per mineral and year from the pilot's values and
/// the other chunks' tallies, or `None` if a rank fell outside its window.
fn streamed_quantiles(
    windows: &[Vec<RankWindows>],
    pilot: &[Vec<Vec<f64>>],
    tallies: Vec<Vec<WindowTally>>,
    n: usize,
) -> Option<Vec<Vec<Vec<f64>>>> {
    let points = supply_points(n);
    windows
        .par_iter()
        .zip(pilot)
        .zip(tallies)
        .map(|((ws, ps), ts)| {
            ws.iter()
                .zip(ps)
                .zip(ts)
                .map(|((w, p), mut t)| {
                    t.add(w, p);
                    Some(points.interpolate(&t.finish(w)?))
                })
                .collect::<Option<Vec<Vec<f64>>>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::quantiles;

    const SCENARIO: &str = r#"
[scenario]
name = "windows"
start_year = 2026
years = 2

[[mineral]]
id = "m"
demand = { base = 100.0 }

[[source]]
id = "a"
mineral = "m"
capacity = 120.0
disruption = { rate = 2.0, severity = { dist = "uniform", min = 0.1, max = 0.9 }, duration_months = { dist = "fixed", value = 2.0 } }
"#;

    #[test]
    fn streamed_quantiles_are_exact_or_detect_misplaced_windows() {
        let s = Scenario::from_toml_str(SCENARIO, "windows.toml").unwrap();
        let n = STREAM_TRIALS as usize;
        let opts = Options {
            stream_supply: false,
            ..Options::default()
        };
        let kept = simulate_with(&s, 3, 0..n as u64, None, opts);
        let pilot_len = (PILOT_CHUNKS * CHUNK_TRIALS) as usize;
        let per_year = |f: &dyn Fn(&[f64]) -> Vec<f64>| -> Vec<Vec<Vec<f64>>> {
            kept.minerals
                .iter()
                .map(|m| m.supply.iter().map(|y| f(y)).collect())
                .collect()
        };
        let pilot = per_year(&|y| y[..pilot_len].to_vec());
        // The tallies of the trials after the pilot.
        let rest = |windows: &[Vec<RankWindows>]| -> Vec<Vec<WindowTally>> {
            windows
                .iter()
                .zip(&kept.minerals)
                .map(|(ws, m)| {
                    ws.iter()
                        .zip(&m.supply)
                        .map(|(w, y)| {
                            let mut t = w.tally();
                            t.add(w, &y[pilot_len..]);
                            t
                        })
                        .collect()
                })
                .collect()
        };
        let windows = supply_windows(&pilot, n);
        let found = streamed_quantiles(&windows, &pilot, rest(&windows), n).expect("a fair pilot");
        for (q, m) in found.iter().zip(&kept.minerals) {
            for (q, y) in q.iter().zip(&m.supply) {
                assert_eq!(q, &quantiles(y, &SUPPLY_QUANTILES));
            }
        }
        // Windows placed from the largest values instead of the pilot miss
        // the lower ranks: no answer (the run would repeat keeping every
        // value), never a wrong one.
        let top = per_year(&|y| {
            let mut v = y.to_vec();
            v.sort_unstable_by(f64::total_cmp);
            v[n - pilot_len..].to_vec()
        });
        let windows = supply_windows(&top, n);
        assert!(streamed_quantiles(&windows, &pilot, rest(&windows), n).is_none());
    }
}
