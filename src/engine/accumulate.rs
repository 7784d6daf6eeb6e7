//! Accumulating trial outcomes: running moments and counts for means and
//! probabilities, per-trial values (in trial order) for exact quantiles and
//! paired comparisons, and, for runs too large to keep every value,
//! mergeable sketches.

use super::trial::MineralOutcome;
use crate::sketch::Sketch;
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

/// Everything recorded about one mineral over a range of trials.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MineralAcc {
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
    /// Per trial: the horizon's total unserved amount.
    pub totals: Vec<f64>,
    /// Per trial: the number of shortfall years.
    pub years_short: Vec<u16>,
    /// Per year, per trial: annual accessible supply (empty when sketched
    /// or streamed).
    pub supply: Vec<Vec<f64>>,
    /// Per year: the [`SUPPLY_QUANTILES`] of annual supply, exact, when
    /// they were found while the trials ran (empty otherwise).
    #[serde(default)]
    pub supply_quantiles: Vec<Vec<f64>>,
    /// The [`TOTAL_QUANTILES`] of the horizon totals, exact, when they were
    /// found while the trials ran (empty otherwise).
    #[serde(default)]
    pub totals_quantiles: Vec<f64>,
    /// The mean of the largest `ceil(trials / CVAR_TAIL_DEN)` horizon
    /// totals, when found while the trials ran.
    #[serde(default)]
    pub totals_cvar: Option<f64>,
    /// Per year: sketch of annual supply, when per-trial values are not kept.
    pub supply_sketch: Vec<Sketch>,
    /// Sketch of the horizon totals, when per-trial totals are not kept.
    pub totals_sketch: Option<Sketch>,
}

impl MineralAcc {
    /// An empty accumulator for `years` years.
    pub fn new(years: usize) -> Self {
        MineralAcc {
            shortfall_count: vec![0; years],
            unserved: vec![Moments::default(); years],
            demand: vec![Moments::default(); years],
            any_count: 0,
            shortfall_years: Moments::default(),
            total: Moments::default(),
            totals: Vec::new(),
            years_short: Vec::new(),
            supply: (0..years).map(|_| Vec::new()).collect(),
            supply_quantiles: Vec::new(),
            totals_quantiles: Vec::new(),
            totals_cvar: None,
            supply_sketch: Vec::new(),
            totals_sketch: None,
        }
    }

    /// Add the moments and counts of `next`, whose trials follow these.
    pub fn merge_stats(&mut self, next: &MineralAcc) {
        for y in 0..self.shortfall_count.len() {
            self.shortfall_count[y] += next.shortfall_count[y];
            self.unserved[y].merge(&next.unserved[y]);
            self.demand[y].merge(&next.demand[y]);
        }
        self.any_count += next.any_count;
        self.shortfall_years.merge(&next.shortfall_years);
        self.total.merge(&next.total);
    }

    /// Whether quantiles were found while the trials ran.
    fn is_streamed(&self) -> bool {
        !self.supply_quantiles.is_empty() || self.totals_cvar.is_some()
    }

    /// Append the trials of `next`, which follow this accumulator's trials.
    ///
    /// # Panics
    ///
    /// If either holds streamed quantiles (`supply_quantiles`,
    /// `totals_quantiles`), which cannot be combined: runs meant to be
    /// appended turn streaming off (`Options::stream_quantiles`).
    pub fn append(&mut self, next: MineralAcc) {
        assert!(
            !self.is_streamed() && !next.is_streamed(),
            "streamed quantiles cannot be appended"
        );
        self.merge_stats(&next);
        self.totals.extend_from_slice(&next.totals);
        self.years_short.extend_from_slice(&next.years_short);
        for (mine, theirs) in self.supply.iter_mut().zip(next.supply) {
            mine.extend_from_slice(&theirs);
        }
        for (mine, theirs) in self.supply_sketch.iter_mut().zip(&next.supply_sketch) {
            mine.merge(theirs);
        }
        if let (Some(mine), Some(theirs)) =
            (self.totals_sketch.as_mut(), next.totals_sketch.as_ref())
        {
            mine.merge(theirs);
        }
    }
}

/// One chunk's moments and counts of one mineral, recorded while its
/// trials run (sums of deviations: no division per value) and turned into
/// a [`MineralAcc`] when the chunk ends.
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
        self.total.push(total);
        (total, short)
    }

    /// The chunk's moments and counts (no per-trial values).
    pub fn finish(&self) -> MineralAcc {
        let mut acc = MineralAcc::new(self.shortfall_count.len());
        acc.shortfall_count.clone_from(&self.shortfall_count);
        acc.unserved = self.unserved.moments();
        acc.demand = self.demand.moments();
        acc.any_count = self.any_count;
        acc.shortfall_years = self.shortfall_years.moments();
        acc.total = self.total.moments();
        acc
    }
}

/// The record of a contiguous range of trials, for every mineral.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Aggregate {
    /// Index of the first trial.
    pub first_trial: u64,
    /// Number of trials.
    pub trials: u64,
    /// Per mineral, in scenario order.
    pub minerals: Vec<MineralAcc>,
}

impl Aggregate {
    /// Append the trials of `next`, which must start where these end.
    pub fn append(&mut self, next: Aggregate) {
        if self.trials == 0 && self.minerals.is_empty() {
            *self = next;
            return;
        }
        debug_assert_eq!(self.first_trial + self.trials, next.first_trial);
        self.trials += next.trials;
        for (mine, theirs) in self.minerals.iter_mut().zip(next.minerals) {
            mine.append(theirs);
        }
    }
}
