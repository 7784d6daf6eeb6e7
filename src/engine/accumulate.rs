//! What a run records about each mineral: moments and counts for means
//! and probabilities ([`MineralTally`], merged along the chunk tree), and
//! the distributions that quantiles need (every value, or a sketch).

use super::trial::MineralOutcome;
use crate::distribution::Distribution;
use crate::stats::{Moments, ShiftedSeries, ShiftedSums};
use serde::{Deserialize, Serialize};

/// The quantiles of annual supply every run reports (p5, p50, p95).
pub const SUPPLY_QUANTILES: [f64; 3] = [0.05, 0.5, 0.95];

/// The quantiles of the horizon's total unserved amount every run reports
/// (`unserved_p50`, `_p90`, `_p95`, `_p99`).
pub const TOTAL_QUANTILES: [f64; 4] = [0.5, 0.9, 0.95, 0.99];

/// `cvar95` is the mean of the largest `ceil(trials / CVAR_TAIL_DEN)`
/// horizon totals.
pub const CVAR_TAIL_DEN: usize = 20;

/// Moments and counts of one mineral over some trials.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MineralTally {
    /// Per year: trials in which the year was a shortfall year.
    pub shortfall_count: Vec<u64>,
    /// Per year: moments of the unserved amount.
    pub unserved: Vec<Moments>,
    /// Per year: moments of the demand drawn.
    pub demand: Vec<Moments>,
    /// Trials with at least one shortfall year.
    pub any_count: u64,
    /// Moments of the number of shortfall years per trial.
    pub shortfall_years: Moments,
    /// Moments of the horizon's total unserved amount.
    pub total: Moments,
}

impl MineralTally {
    /// An empty tally for `years` years.
    pub fn new(years: usize) -> Self {
        MineralTally {
            shortfall_count: vec![0; years],
            unserved: vec![Moments::default(); years],
            demand: vec![Moments::default(); years],
            ..MineralTally::default()
        }
    }

    /// Add the tally of `next`, whose trials follow these.
    pub fn merge(&mut self, next: &MineralTally) {
        for y in 0..self.shortfall_count.len() {
            self.shortfall_count[y] += next.shortfall_count[y];
            self.unserved[y].merge(&next.unserved[y]);
            self.demand[y].merge(&next.demand[y]);
        }
        self.any_count += next.any_count;
        self.shortfall_years.merge(&next.shortfall_years);
        self.total.merge(&next.total);
    }

    /// Number of trials tallied.
    pub fn trials(&self) -> u64 {
        self.total.n
    }

    /// Whether the shapes agree with a run of `years` years (a check on
    /// tallies read from a file).
    pub fn fits(&self, years: usize) -> bool {
        self.shortfall_count.len() == years
            && self.unserved.len() == years
            && self.demand.len() == years
    }
}

/// Everything a finished run knows about one mineral.
#[derive(Debug, Clone, PartialEq)]
pub struct MineralAcc {
    /// Moments and counts.
    pub tally: MineralTally,
    /// Per year: annual accessible supply.
    pub supply: Vec<Distribution>,
    /// The horizon's total unserved amount.
    pub totals_dist: Distribution,
    /// Per trial, in trial order: the horizon's total unserved amount
    /// (kept when paired comparisons need it, else empty).
    pub totals: Vec<f64>,
    /// Per trial: the number of shortfall years (kept with `totals`).
    pub years_short: Vec<u16>,
}

/// A finished run: per mineral, in scenario order.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// Number of trials.
    pub trials: u64,
    /// Per mineral.
    pub minerals: Vec<MineralAcc>,
}

/// One chunk's moments and counts of one mineral, recorded while its
/// trials run (sums of deviations: no division per value) and turned into
/// a [`MineralTally`] when the chunk ends.
#[derive(Debug, Clone)]
pub struct ChunkRecorder {
    shortfall_count: Vec<u64>,
    /// Per year: sums of the unserved amount.
    unserved: ShiftedSeries,
    /// Per year: sums of the demand drawn.
    demand: ShiftedSeries,
    any_count: u64,
    shortfall_years: ShiftedSums,
    total: ShiftedSums,
}

impl ChunkRecorder {
    /// An empty record for `years` years.
    pub fn new(years: usize) -> Self {
        ChunkRecorder {
            shortfall_count: vec![0; years],
            unserved: ShiftedSeries::new(years),
            demand: ShiftedSeries::new(years),
            any_count: 0,
            shortfall_years: ShiftedSums::default(),
            total: ShiftedSums::default(),
        }
    }

    /// Record one trial; returns its horizon total and number of
    /// shortfall years. A year is a shortfall year when its unserved amount
    /// exceeds `threshold` times its demand.
    #[inline]
    pub fn record(&mut self, outcome: &MineralOutcome, threshold: f64) -> (f64, u16) {
        let mut total = 0.0;
        let mut short = 0u16;
        let (unserved, demand) = (&outcome.unserved, &outcome.demand);
        for (y, count) in self.shortfall_count.iter_mut().enumerate() {
            total += unserved[y];
            let is_short = unserved[y] > threshold * demand[y];
            short += u16::from(is_short);
            *count += u64::from(is_short);
        }
        self.unserved.push(unserved);
        self.demand.push(demand);
        self.any_count += u64::from(short > 0);
        self.shortfall_years.push(f64::from(short));
        debug_assert!(
            total.is_finite() && total >= 0.0,
            "a trial's unserved total is {total}: validation should keep every scenario finite"
        );
        self.total.push(total);
        (total, short)
    }

    /// The chunk's tally.
    pub fn finish(&self) -> MineralTally {
        MineralTally {
            shortfall_count: self.shortfall_count.clone(),
            unserved: self.unserved.moments(),
            demand: self.demand.moments(),
            any_count: self.any_count,
            shortfall_years: self.shortfall_years.moments(),
            total: self.total.moments(),
        }
    }
}
