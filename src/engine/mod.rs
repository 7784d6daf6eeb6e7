//! The Monte Carlo engine.
//!
//! Trials are cut into fixed chunks of [`CHUNK_TRIALS`] (chunk `c` holds
//! trials `c * CHUNK_TRIALS ..`), whatever the number of threads or
//! shards. Chunks run in parallel with rayon. What a run records is
//! chosen from its total number of trials alone, never from the part of
//! it being simulated:
//!
//! - every chunk's moments and counts ([`accumulate::MineralTally`]),
//!   merged along a fixed binary tree over the chunk indexes
//!   ([`tree`]), so the floating-point result is the same for any number
//!   of threads and any chunk-aligned split into shards;
//! - the distributions behind quantiles: every trial's values in runs of
//!   at most [`EXACT_TRIALS`] trials (exact quantiles), else a
//!   [`crate::sketch::Sketch`] (merged exactly in any order);
//! - on request, every trial's horizon total and number of shortfall
//!   years, for paired comparisons.
//!
//! [`record()`] simulates some chunks into a [`Record`]; records of the
//! slices of a run merge into the record of the whole ([`Record::merge`]),
//! which [`Record::finish`] turns into an [`Aggregate`]. The random numbers
//! of an entity in a trial depend only on `(seed, trial index, entity
//! key)` (see [`crate::rng`]).

pub mod accumulate;
pub mod chain;
pub mod dependence;
pub mod market;
pub mod pilot;
pub mod plan;
pub mod process;
pub mod record;
mod shared;
pub mod tree;
pub mod trial;
pub mod values;

use crate::rng::TrialKey;
use crate::scenario::Scenario;
use crate::sketch::Grouping;
use accumulate::ChunkRecorder;
pub use accumulate::{Aggregate, MineralAcc, MineralTally};
use plan::Plan;
use rayon::prelude::*;
pub use record::{MineralSketches, MineralValues, PerTrial, Record, Values, YearMeans};
pub use shared::HOLD_MAX;
use shared::{Pending, SharedSketches};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use tree::Node;
use trial::{simulate_trial, Workspace};
pub use values::empty_sketches;
use values::{series_of, ChunkValues};

/// Trials per chunk. Part of the definition of a run's results: changing
/// it changes the order of floating-point merges (not the statistics).
pub const CHUNK_TRIALS: u64 = 1024;

/// Runs of at most this many trials keep every trial's annual supply and
/// horizon total and report exact quantiles; larger runs sketch them (see
/// [`crate::sketch`]), which keeps memory flat.
pub const EXACT_TRIALS: u64 = 1 << 17;

/// Receives the number of trials finished, chunk by chunk, from any
/// thread, and answers whether to go on: `false` asks the engine to stop,
/// and the chunks not yet begun then simulate no trial (the caller
/// discards what the engine returns).
pub type Progress<'a> = &'a (dyn Fn(u64) -> bool + Sync);

/// Number of chunks of a run of `trials` trials.
pub fn chunk_count(trials: u64) -> u64 {
    trials.div_ceil(CHUNK_TRIALS)
}

/// The chunks of slice `k` (1-based) of `n` contiguous slices of a run of
/// `trials` trials: `floor((k - 1) C / n) .. floor(k C / n)` of its `C`
/// chunks. Uneven when `n` does not divide `C`; empty when `n > C`.
pub fn slice_chunks(trials: u64, k: u64, n: u64) -> Range<u64> {
    slice_of(chunk_count(trials), k, n)
}

/// Slice `k` (1-based) of `n` contiguous slices of `0..total`:
/// `floor((k - 1) total / n) .. floor(k total / n)`. Uneven when `n` does
/// not divide `total`; empty when `n > total`.
pub fn slice_of(total: u64, k: u64, n: u64) -> Range<u64> {
    let c = u128::from(total);
    let at = |i: u64| (u128::from(i) * c / u128::from(n.max(1))) as u64;
    at(k.saturating_sub(1))..at(k)
}

/// Whether a run of `trials` trials keeps every value (exact quantiles).
pub fn keeps_values(trials: u64) -> bool {
    trials <= EXACT_TRIALS
}

/// What a run keeps beyond its tallies and distributions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Keep every trial's horizon total and number of shortfall years
    /// (paired comparisons need them).
    pub keep_trials: bool,
}

/// Run trials `0 .. trials` of `scenario` with `seed`, keeping every
/// trial's horizon total and shortfall-year count (as comparisons need).
pub fn simulate(
    scenario: &Scenario,
    seed: u64,
    trials: u64,
    progress: Option<Progress>,
) -> Aggregate {
    simulate_with(
        scenario,
        seed,
        trials,
        progress,
        Options { keep_trials: true },
    )
}

/// Run trials `0 .. trials` of `scenario` with `seed` on the current rayon
/// pool, keeping what `opts` asks for.
pub fn simulate_with(
    scenario: &Scenario,
    seed: u64,
    trials: u64,
    progress: Option<Progress>,
    opts: Options,
) -> Aggregate {
    let whole = record(
        scenario,
        seed,
        trials,
        0..chunk_count(trials),
        progress,
        opts,
    );
    whole
        .finish()
        .unwrap_or_else(|e| unreachable!("a whole run's record is complete: {e}"))
}

/// What a node of the merge tree produced: its tally, and its chunks'
/// values where they are kept, in chunk order.
struct NodeOut {
    tally: Vec<MineralTally>,
    chunks: Vec<Vec<ChunkValues>>,
}

impl NodeOut {
    fn merge(mut self, right: NodeOut) -> NodeOut {
        record::merge_tallies(&mut self.tally, &right.tally);
        self.chunks.extend(right.chunks);
        self
    }
}

/// A worker thread's scratch space, buffers and sketches, on cache lines
/// of its own: its bookkeeping is written at every trial, and sharing a
/// line with another thread's would make both wait on each other.
#[repr(align(128))]
struct ThreadBlock(Mutex<Block>);

#[derive(Default)]
struct Block {
    workspace: Option<Workspace>,
    /// Per mineral: the chunk being run's values.
    buffers: Vec<ChunkValues>,
    /// Per mineral, in sketched runs: values not yet in the sketches.
    pending: Vec<Pending>,
    grouping: Grouping,
}

/// Everything the chunks of one call of [`record`] share.
struct Run<'a> {
    scenario: &'a Scenario,
    plan: Plan<'a>,
    seed: u64,
    trials: u64,
    exact: bool,
    keep: bool,
    blocks: Vec<ThreadBlock>,
    /// Per mineral, the sketches (sketched runs).
    sketches: Vec<SharedSketches>,
    progress: Option<Progress<'a>>,
    /// Set when `progress` asked to stop.
    stopped: AtomicBool,
}

impl Run<'_> {
    /// Simulate chunk `c` (none of its trials once asked to stop).
    fn chunk(&self, c: u64) -> NodeOut {
        let first = c * CHUNK_TRIALS;
        let end = if self.stopped.load(Ordering::Relaxed) {
            first
        } else {
            ((c + 1) * CHUNK_TRIALS).min(self.trials)
        };
        let trials = first..end;
        let n = (trials.end - trials.start) as usize;
        let plan = &self.plan;
        let thread = rayon::current_thread_index().unwrap_or(0) % self.blocks.len();
        // (Poisoned only if a chunk panicked, which the panic reports.)
        let mut guard = self.blocks[thread]
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let block = &mut *guard;
        let ws = block.workspace.get_or_insert_with(|| Workspace::new(plan));
        if block.buffers.is_empty() {
            block.buffers = chunk_buffers(self.scenario, plan);
        }
        let recorders = simulate_into(plan, self.seed, trials, ws, &mut block.buffers);
        let tally: Vec<MineralTally> = recorders.iter().map(ChunkRecorder::finish).collect();
        let values: Vec<ChunkValues> = block
            .buffers
            .iter()
            .zip(&tally)
            .map(|(buf, t)| {
                let mut kept = buf.kept(n, self.exact, self.keep);
                if self.keep {
                    kept.batches.push(YearMeans::of(t));
                }
                kept
            })
            .collect();
        if !self.exact {
            block
                .pending
                .resize_with(plan.minerals.len(), Pending::default);
            let per_mineral = block.buffers.iter().zip(&mut block.pending);
            for ((buf, pending), shared) in per_mineral.zip(&self.sketches) {
                buf.hold(n, pending);
                shared.offer(pending, &mut block.grouping);
            }
        }
        if let Some(p) = self.progress {
            if !p(n as u64) {
                self.stopped.store(true, Ordering::Relaxed);
            }
        }
        NodeOut {
            tally,
            chunks: vec![values],
        }
    }
}

/// Buffers for a chunk's values of every mineral of `scenario`.
fn chunk_buffers(scenario: &Scenario, plan: &Plan) -> Vec<ChunkValues> {
    (0..plan.minerals.len())
        .map(|m| ChunkValues::buffers(plan.years, series_of(scenario, m)))
        .collect()
}

/// Simulate `trials` (at most [`CHUNK_TRIALS`]) of a run with `seed`,
/// storing the `j`-th of them at `j` in each mineral's `buffers`; returns
/// each mineral's tallies of them.
#[inline]
fn simulate_into(
    plan: &Plan,
    seed: u64,
    trials: Range<u64>,
    ws: &mut Workspace,
    buffers: &mut [ChunkValues],
) -> Vec<ChunkRecorder> {
    let mut recorders: Vec<ChunkRecorder> = plan
        .minerals
        .iter()
        .map(|mp| ChunkRecorder::new(plan.years, mp.threshold, mp.spike_threshold()))
        .collect();
    for (j, trial) in trials.enumerate() {
        simulate_trial(plan, TrialKey::new(seed, trial), ws);
        let per_mineral = recorders.iter_mut().zip(&ws.outcome);
        for ((rec, outcome), buf) in per_mineral.zip(buffers.iter_mut()) {
            let totals = rec.record(outcome);
            buf.store(j, outcome, totals);
        }
    }
    recorders
}

/// Simulate the chunks `chunks` of a run of `trials` trials of `scenario`
/// with `seed`, on the current rayon pool, into a [`Record`] that merges
/// with the records of the run's other chunks.
pub fn record(
    scenario: &Scenario,
    seed: u64,
    trials: u64,
    chunks: Range<u64>,
    progress: Option<Progress>,
    opts: Options,
) -> Record {
    let total_chunks = chunk_count(trials);
    let chunks = chunks.start.min(total_chunks)..chunks.end.min(total_chunks);
    let run = Run {
        scenario,
        plan: Plan::new(scenario),
        seed,
        trials,
        exact: keeps_values(trials),
        keep: opts.keep_trials,
        blocks: (0..rayon::current_num_threads())
            .map(|_| ThreadBlock(Mutex::new(Block::default())))
            .collect(),
        sketches: if keeps_values(trials) {
            Vec::new()
        } else {
            let empty = empty_sketches(scenario, seed, trials).into_iter();
            empty.map(SharedSketches::new).collect()
        },
        progress,
        stopped: AtomicBool::new(false),
    };
    let nodes: Vec<Node> = tree::cover(chunks.clone(), total_chunks);
    let outs: Vec<NodeOut> = nodes
        .par_iter()
        .map(|&node| tree::fold(node, total_chunks, &|c| run.chunk(c), &NodeOut::merge))
        .collect();
    let minerals = scenario.minerals.len();
    let mut kept: Vec<ChunkValues> = vec![ChunkValues::default(); minerals];
    if opts.keep_trials {
        // Room for every trial at once, not grown by doubling.
        let held = (chunks.end * CHUNK_TRIALS).min(trials) - chunks.start * CHUNK_TRIALS;
        for k in &mut kept {
            k.reserve_trials(held as usize);
        }
    }
    let mut tallies = Vec::with_capacity(outs.len());
    for (node, out) in nodes.into_iter().zip(outs) {
        for chunk in out.chunks {
            for (all, c) in kept.iter_mut().zip(chunk) {
                all.extend(c);
            }
        }
        tallies.push((node, out.tally));
    }
    let values = if run.exact {
        Values::Kept(kept.iter_mut().map(|k| k.take_values(run.keep)).collect())
    } else {
        let held = run.blocks.into_iter().map(|b| {
            let block = b.0.into_inner().unwrap_or_else(PoisonError::into_inner);
            block.pending
        });
        shared::flush_all(&run.sketches, held.collect());
        let sketches = run.sketches.into_iter();
        let sketches = sketches.map(SharedSketches::into_inner).collect();
        Values::Sketched(sketches)
    };
    Record {
        trials,
        chunks,
        nodes: tallies,
        values,
        per_trial: if opts.keep_trials {
            kept.into_iter()
                .map(|k| PerTrial {
                    totals: k.totals,
                    years_short: k.years_short,
                    cost: k.cost,
                    spike: k.spike,
                    batches: k.batches,
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}
