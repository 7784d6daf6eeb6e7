//! The Monte Carlo engine.
//!
//! Trials are cut into fixed chunks of [`CHUNK_TRIALS`] (chunk `c` holds
//! trials `c * CHUNK_TRIALS ..`), whatever the number of threads. Chunks run
//! in parallel with rayon, each with its own [`trial::Workspace`], and are
//! appended in chunk order, so every statistic is bit-identical for any
//! thread count. The random numbers of an entity in a trial depend only on
//! `(seed, trial index, entity key)` (see [`crate::rng`]).

pub mod accumulate;
pub mod plan;
pub mod process;
pub mod trial;

use crate::rng::TrialKey;
use crate::scenario::Scenario;
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

/// Run the trials `range` (global trial indexes) of `scenario` with `seed`
/// on the current rayon thread pool.
pub fn simulate_range(
    scenario: &Scenario,
    seed: u64,
    range: Range<u64>,
    progress: Option<Progress>,
) -> Aggregate {
    let plan = Plan::new(scenario);
    let first_chunk = range.start / CHUNK_TRIALS;
    let end_chunk = range.end.div_ceil(CHUNK_TRIALS);
    let chunks: Vec<Aggregate> = (first_chunk..end_chunk)
        .into_par_iter()
        .map(|c| {
            let lo = (c * CHUNK_TRIALS).max(range.start);
            let hi = ((c + 1) * CHUNK_TRIALS).min(range.end);
            let agg = run_chunk(&plan, seed, lo..hi);
            if let Some(p) = progress {
                p(hi - lo);
            }
            agg
        })
        .collect();
    let mut total = Aggregate {
        first_trial: range.start,
        trials: 0,
        minerals: Vec::new(),
    };
    for chunk in chunks {
        total.append(chunk);
    }
    if total.minerals.is_empty() {
        total.minerals = empty_minerals(&plan, 0);
    }
    total
}

/// Run trials `0 .. trials` of `scenario` with `seed`.
pub fn simulate(
    scenario: &Scenario,
    seed: u64,
    trials: u64,
    progress: Option<Progress>,
) -> Aggregate {
    simulate_range(scenario, seed, 0..trials, progress)
}

fn empty_minerals(plan: &Plan, capacity: usize) -> Vec<MineralAcc> {
    (0..plan.minerals.len())
        .map(|_| MineralAcc::new(plan.years, capacity))
        .collect()
}

/// Run a range of trials on the calling thread.
fn run_chunk(plan: &Plan, seed: u64, range: Range<u64>) -> Aggregate {
    let n = (range.end - range.start) as usize;
    let mut ws = Workspace::new(plan);
    let mut minerals = empty_minerals(plan, n);
    for trial in range.clone() {
        simulate_trial(plan, TrialKey::new(seed, trial), &mut ws);
        for ((acc, outcome), mp) in minerals.iter_mut().zip(&ws.outcome).zip(&plan.minerals) {
            acc.record(outcome, mp.threshold);
        }
    }
    Aggregate {
        first_trial: range.start,
        trials: n as u64,
        minerals,
    }
}
