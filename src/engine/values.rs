//! The values a chunk of trials leaves behind beyond its tallies: every
//! trial's yearly supply, price and stock and its horizon totals (runs
//! that keep them), and the sketches of larger runs.

use super::accumulate::TrialTotals;
use super::record::{MineralSketches, MineralValues, YearMeans};
use super::shared::Pending;
use super::trial::MineralOutcome;
use super::CHUNK_TRIALS;
use crate::scenario::Scenario;
use crate::sketch::{Batch, SignedSketch, Sketch};

/// One mineral's values over some trials, in trial order.
#[derive(Debug, Clone, Default)]
pub struct ChunkValues {
    /// Per year: annual supply.
    pub supply: Vec<Vec<f64>>,
    /// Per year: mean price multiple (market minerals).
    pub price: Vec<Vec<f64>>,
    /// Per year: stock at the end of the year (minerals with a stockpile).
    pub stock: Vec<Vec<f64>>,
    /// Horizon totals of the unserved amount.
    pub totals: Vec<f64>,
    /// Shortfall years (kept for pairing).
    pub years_short: Vec<u16>,
    /// Horizon cost (market minerals).
    pub cost: Vec<f64>,
    /// Whether the price spiked (market minerals, kept for pairing).
    pub spike: Vec<bool>,
    /// Each chunk's means by year (kept for pairing), in chunk order.
    pub batches: Vec<YearMeans>,
}

/// Which yearly series a mineral has: `(market, stockpile)`.
pub fn series_of(scenario: &Scenario, m: usize) -> (bool, bool) {
    let mineral = &scenario.minerals[m];
    (mineral.market.is_some(), mineral.stockpile.is_some())
}

impl ChunkValues {
    /// Buffers for one chunk of a mineral with the given series.
    pub fn buffers(years: usize, (market, stock): (bool, bool)) -> ChunkValues {
        let chunk = || vec![0.0; CHUNK_TRIALS as usize];
        let yearly = |on: bool| {
            if on {
                (0..years).map(|_| chunk()).collect()
            } else {
                Vec::new()
            }
        };
        ChunkValues {
            supply: yearly(true),
            price: yearly(market),
            stock: yearly(stock),
            totals: chunk(),
            years_short: vec![0; CHUNK_TRIALS as usize],
            cost: if market { chunk() } else { Vec::new() },
            spike: if market {
                vec![false; CHUNK_TRIALS as usize]
            } else {
                Vec::new()
            },
            batches: Vec::new(),
        }
    }

    /// Store trial `j` of the chunk.
    #[inline]
    pub fn store(&mut self, j: usize, outcome: &MineralOutcome, t: TrialTotals) {
        self.totals[j] = t.total;
        self.years_short[j] = t.short;
        let pairs = [
            (&mut self.supply, &outcome.supply),
            (&mut self.price, &outcome.price),
            (&mut self.stock, &outcome.stock),
        ];
        for (series, values) in pairs {
            for (s, v) in series.iter_mut().zip(values) {
                s[j] = *v;
            }
        }
        if !self.cost.is_empty() {
            self.cost[j] = t.cost;
            self.spike[j] = t.spike;
        }
    }

    /// The first `n` trials' values that a run keeps: the distributions
    /// when `exact`, the per-trial results when `keep`.
    pub fn kept(&self, n: usize, exact: bool, keep: bool) -> ChunkValues {
        let yearly = |series: &Vec<Vec<f64>>, on: bool| -> Vec<Vec<f64>> {
            if on {
                series.iter().map(|s| s[..n].to_vec()).collect()
            } else {
                Vec::new()
            }
        };
        let part = |v: &Vec<f64>, on: bool| if on { v[..n].to_vec() } else { Vec::new() };
        ChunkValues {
            supply: yearly(&self.supply, exact),
            price: yearly(&self.price, exact),
            stock: yearly(&self.stock, exact),
            totals: part(&self.totals, exact || keep),
            years_short: if keep {
                self.years_short[..n].to_vec()
            } else {
                Vec::new()
            },
            cost: part(&self.cost, (exact || keep) && !self.cost.is_empty()),
            spike: if keep && !self.spike.is_empty() {
                self.spike[..n].to_vec()
            } else {
                Vec::new()
            },
            batches: Vec::new(),
        }
    }

    /// Room for the per-trial results (totals, shortfall years) of `n`
    /// trials.
    pub fn reserve_trials(&mut self, n: usize) {
        self.totals.reserve_exact(n);
        self.years_short.reserve_exact(n);
    }

    /// Append the values of the trials that follow these.
    pub fn extend(&mut self, next: ChunkValues) {
        for (mine, theirs) in [
            (&mut self.supply, next.supply),
            (&mut self.price, next.price),
            (&mut self.stock, next.stock),
        ] {
            if mine.is_empty() {
                *mine = vec![Vec::new(); theirs.len()];
            }
            mine.iter_mut().zip(theirs).for_each(|(a, s)| a.extend(s));
        }
        self.totals.extend(next.totals);
        self.years_short.extend(next.years_short);
        self.cost.extend(next.cost);
        self.spike.extend(next.spike);
        self.batches.extend(next.batches);
    }

    /// The distributions' values (moved out; the totals and costs are
    /// copied when `keep` leaves them for the per-trial results too).
    pub fn take_values(&mut self, keep: bool) -> MineralValues {
        let take = |v: &mut Vec<f64>| {
            if keep {
                v.clone()
            } else {
                std::mem::take(v)
            }
        };
        MineralValues {
            totals: take(&mut self.totals),
            cost: take(&mut self.cost),
            supply: std::mem::take(&mut self.supply),
            price: std::mem::take(&mut self.price),
            stock: std::mem::take(&mut self.stock),
        }
    }

    /// Hold the first `n` trials' values for the sketches in `pending`.
    pub fn hold(&self, n: usize, pending: &mut Pending) {
        let pairs = [
            (&mut pending.supply, &self.supply),
            (&mut pending.price, &self.price),
            (&mut pending.stock, &self.stock),
        ];
        for (batches, series) in pairs {
            batches.resize_with(series.len(), Batch::default);
            for (b, values) in batches.iter_mut().zip(series) {
                b.extend(&values[..n]);
            }
        }
        pending.totals.extend(&self.totals[..n]);
        if !self.cost.is_empty() {
            pending.cost.extend(&self.cost[..n]);
        }
    }
}

/// Empty sketches for every mineral of a run of `trials` trials of
/// `scenario` with `seed`, with the atoms its pilot picks
/// ([`super::pilot`]). Scales: the largest annual supply (or, in a
/// market, demand), expected total demand, the largest price multiple,
/// the stockpile's capacity and expected total cost at the reference
/// price.
pub fn empty_sketches(scenario: &Scenario, seed: u64, trials: u64) -> Vec<MineralSketches> {
    let years = scenario.years;
    let positive = |x: f64| x.max(f64::MIN_POSITIVE);
    let atoms = super::pilot::atoms(scenario, seed, trials);
    scenario
        .minerals
        .iter()
        .zip(atoms)
        .enumerate()
        .map(|(i, (m, a))| {
            let demand: f64 = (0..years).map(|y| m.demand.trend(y)).sum();
            let supply = match &m.market {
                Some(_) => (0..years).map(|y| m.demand.trend(y)).fold(0.0, f64::max),
                None => scenario.max_annual_supply(i),
            };
            let yearly = |scale: f64, atoms: &[Vec<f64>]| {
                (0..years)
                    .map(|y| {
                        let s = Sketch::new(positive(scale));
                        s.with_atoms(atoms.get(y).map_or(&[][..], Vec::as_slice))
                    })
                    .collect()
            };
            MineralSketches {
                supply: yearly(supply, &a.supply),
                totals: Sketch::new(positive(demand)).with_atoms(&a.totals),
                price: m
                    .market
                    .as_ref()
                    .map_or_else(Vec::new, |k| yearly(k.max_price, &a.price)),
                stock: m
                    .stockpile
                    .map_or_else(Vec::new, |s| yearly(s.capacity, &a.stock)),
                cost: m.market.as_ref().map(|k| {
                    SignedSketch::new(positive(demand * k.reference_price))
                        .with_atoms(&a.cost.0, &a.cost.1)
                }),
            }
        })
        .collect()
}
