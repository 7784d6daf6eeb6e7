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
    /// Trials in which the stockpile ran empty in a step it released
    /// (0 without a stockpile).
    pub stock_empty_count: u64,
    /// Price and cost, for a mineral traded on a world market.
    pub market: Option<MarketTally>,
}

/// Moments and counts of a market mineral's price and cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MarketTally {
    /// Per year: moments of the year's mean price multiple.
    pub price: Vec<Moments>,
    /// Per year: moments of the consumer's cost.
    pub cost: Vec<Moments>,
    /// Moments of the consumer's cost over the horizon.
    pub cost_total: Moments,
    /// Trials in which some year's mean price exceeded the spike threshold.
    pub spike_count: u64,
}

impl MarketTally {
    fn merge(&mut self, next: &MarketTally) {
        for (a, b) in self.price.iter_mut().zip(&next.price) {
            a.merge(b);
        }
        for (a, b) in self.cost.iter_mut().zip(&next.cost) {
            a.merge(b);
        }
        self.cost_total.merge(&next.cost_total);
        self.spike_count += next.spike_count;
    }
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
        self.stock_empty_count += next.stock_empty_count;
        if let (Some(a), Some(b)) = (&mut self.market, &next.market) {
            a.merge(b);
        }
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
            && self.market.as_ref().is_none_or(|m| {
                m.price.len() == years && m.cost.len() == years && m.cost_total.n == self.total.n
            })
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
    /// Per year: the mean price multiple (market minerals; else empty).
    pub price: Vec<Distribution>,
    /// Per year: the stock at the end of the year (minerals with a
    /// stockpile; else empty).
    pub stock: Vec<Distribution>,
    /// The consumer's cost over the horizon (market minerals).
    pub cost_dist: Option<Distribution>,
    /// Per trial, kept with `totals`: the consumer's cost over the
    /// horizon and whether some year's price spiked (market minerals).
    pub market_trials: Vec<(f64, bool)>,
    /// Kept with `totals`: each chunk's means by year, in chunk order.
    pub batches: Vec<super::record::YearMeans>,
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
    /// The shortfall threshold, raised by [`THRESHOLD_ROUNDING`] of itself.
    short_above: f64,
    shortfall_count: Vec<u64>,
    /// Per year: sums of the unserved amount.
    unserved: ShiftedSeries,
    /// Per year: sums of the demand drawn.
    demand: ShiftedSeries,
    any_count: u64,
    shortfall_years: ShiftedSums,
    total: ShiftedSums,
    stock_empty_count: u64,
    market: Option<MarketRecorder>,
}

/// A chunk's sums of a market mineral's price and cost.
#[derive(Debug, Clone)]
struct MarketRecorder {
    price: ShiftedSeries,
    cost: ShiftedSeries,
    cost_total: ShiftedSums,
    spike_count: u64,
    /// The spike threshold, raised by [`THRESHOLD_ROUNDING`] of itself.
    spike_above: f64,
}

/// How far above a threshold, as a share of it, a year's sum over its
/// steps must be to cross it: more than the rounding error of summing a
/// year's steps (at most about 1e-14 for 52 steps), so that a year held at
/// the threshold is never a spike year (a stockpile whose release price is
/// the spike threshold) or a shortfall year (supply short of demand by
/// exactly the shortfall threshold) by a rounding error, whatever the
/// number of steps.
pub const THRESHOLD_ROUNDING: f64 = 1e-12;

/// What one trial gave for one mineral, beyond its yearly outcome.
#[derive(Debug, Clone, Copy, Default)]
pub struct TrialTotals {
    /// The horizon's total unserved amount.
    pub total: f64,
    /// Number of shortfall years.
    pub short: u16,
    /// The consumer's cost over the horizon (market minerals; else 0).
    pub cost: f64,
    /// Whether some year's mean price exceeded the spike threshold.
    pub spike: bool,
}

impl ChunkRecorder {
    /// An empty record for `years` years of a mineral with shortfall
    /// threshold `shortfall_threshold`; `spike_threshold` is the market's,
    /// for a market mineral.
    pub fn new(years: usize, shortfall_threshold: f64, spike_threshold: Option<f64>) -> Self {
        ChunkRecorder {
            short_above: shortfall_threshold * (1.0 + THRESHOLD_ROUNDING),
            shortfall_count: vec![0; years],
            unserved: ShiftedSeries::new(years),
            demand: ShiftedSeries::new(years),
            any_count: 0,
            shortfall_years: ShiftedSums::default(),
            total: ShiftedSums::default(),
            stock_empty_count: 0,
            market: spike_threshold.map(|t| MarketRecorder {
                price: ShiftedSeries::new(years),
                cost: ShiftedSeries::new(years),
                cost_total: ShiftedSums::default(),
                spike_count: 0,
                spike_above: t * (1.0 + THRESHOLD_ROUNDING),
            }),
        }
    }

    /// Record one trial. A year is a shortfall year when its unserved
    /// amount exceeds the shortfall threshold times its demand (by more
    /// than [`THRESHOLD_ROUNDING`] of that).
    #[inline]
    pub fn record(&mut self, outcome: &MineralOutcome) -> TrialTotals {
        let mut total = 0.0;
        let mut short = 0u16;
        let (unserved, demand) = (&outcome.unserved, &outcome.demand);
        for (y, count) in self.shortfall_count.iter_mut().enumerate() {
            total += unserved[y];
            let is_short = unserved[y] > self.short_above * demand[y];
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
        self.stock_empty_count += u64::from(outcome.stock_empty);
        let mut out = TrialTotals {
            total,
            short,
            ..TrialTotals::default()
        };
        if let Some(m) = &mut self.market {
            out.cost = outcome.cost.iter().sum();
            out.spike = outcome.price.iter().any(|&x| x > m.spike_above);
            m.price.push(&outcome.price);
            m.cost.push(&outcome.cost);
            m.cost_total.push(out.cost);
            m.spike_count += u64::from(out.spike);
        }
        out
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
            stock_empty_count: self.stock_empty_count,
            market: self.market.as_ref().map(|m| MarketTally {
                price: m.price.moments(),
                cost: m.cost.moments(),
                cost_total: m.cost_total.moments(),
                spike_count: m.spike_count,
            }),
        }
    }
}
