//! What some chunks of a run recorded ([`Record`]), how the records of a
//! run's slices merge, and how a whole run's record is finished into an
//! [`Aggregate`].

use super::accumulate::{Aggregate, MineralAcc, MineralTally};
use super::tree::{self, AssembleError, Node};
use super::{chunk_count, empty_sketches, keeps_values, CHUNK_TRIALS};
use crate::distribution::Distribution;
use crate::scenario::Scenario;
use crate::sketch::{SignedSketch, Sketch};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;

/// One mineral's values over consecutive trials (runs that keep them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MineralValues {
    /// Per year: annual accessible supply, per trial.
    pub supply: Vec<Vec<f64>>,
    /// Horizon totals, per trial.
    pub totals: Vec<f64>,
    /// Per year: mean price multiple, per trial (market minerals).
    pub price: Vec<Vec<f64>>,
    /// Per year: stock at the end of the year, per trial (stockpiles).
    pub stock: Vec<Vec<f64>>,
    /// Horizon cost, per trial (market minerals).
    pub cost: Vec<f64>,
}

/// One mineral's sketches (runs too large to keep every value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MineralSketches {
    /// Per year: annual accessible supply.
    pub supply: Vec<Sketch>,
    /// Horizon totals.
    pub totals: Sketch,
    /// Per year: mean price multiple (market minerals).
    pub price: Vec<Sketch>,
    /// Per year: stock at the end of the year (stockpiles).
    pub stock: Vec<Sketch>,
    /// Horizon cost (market minerals).
    pub cost: Option<SignedSketch>,
}

/// One mineral's per-trial results, in trial order, kept for paired
/// comparisons.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PerTrial {
    /// Horizon total unserved amount.
    pub totals: Vec<f64>,
    /// Number of shortfall years.
    pub years_short: Vec<u16>,
    /// Horizon cost (market minerals; else empty).
    pub cost: Vec<f64>,
    /// Whether the price spiked (market minerals; else empty).
    pub spike: Vec<bool>,
    /// Each chunk's means by year, in chunk order.
    pub batches: Vec<YearMeans>,
}

impl PerTrial {
    fn extend(&mut self, next: PerTrial) {
        self.totals.extend(next.totals);
        self.years_short.extend(next.years_short);
        self.cost.extend(next.cost);
        self.spike.extend(next.spike);
        self.batches.extend(next.batches);
    }
}

/// One chunk's means by year of one mineral, kept with the per-trial
/// results: two runs of the same trials have the same chunks, so the
/// chunks are paired batches for the standard error of a change by year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct YearMeans {
    /// Trials in the chunk.
    pub n: u64,
    /// Per year: the mean unserved amount.
    pub unserved: Vec<f64>,
    /// Per year: the mean of the year's mean price multiple (market
    /// minerals; else empty).
    pub price: Vec<f64>,
    /// Per year: the mean cost (market minerals; else empty).
    pub cost: Vec<f64>,
}

impl YearMeans {
    /// The means of a chunk's tally.
    pub fn of(t: &MineralTally) -> YearMeans {
        let means = |m: &[crate::stats::Moments]| m.iter().map(|x| x.mean).collect();
        YearMeans {
            n: t.total.n,
            unserved: means(&t.unserved),
            price: t.market.as_ref().map_or_else(Vec::new, |k| means(&k.price)),
            cost: t.market.as_ref().map_or_else(Vec::new, |k| means(&k.cost)),
        }
    }
}

/// The distributions behind quantiles, per mineral.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Values {
    /// Every value of the record's trials, in trial order.
    Kept(Vec<MineralValues>),
    /// Sketches of them.
    Sketched(Vec<MineralSketches>),
}

/// What the chunks `chunks` of a run of `trials` trials recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Trials of the whole run.
    pub trials: u64,
    /// The chunks simulated.
    pub chunks: Range<u64>,
    /// Per node of the merge tree that covers `chunks`, left to right: the
    /// tally of every mineral.
    pub nodes: Vec<(Node, Vec<MineralTally>)>,
    /// The distributions.
    pub values: Values,
    /// Per mineral, when kept: every trial's horizon results (not part
    /// of a saved record).
    #[serde(skip)]
    pub per_trial: Vec<PerTrial>,
}

/// One mineral's finished distributions.
struct Dists {
    supply: Vec<Distribution>,
    price: Vec<Distribution>,
    stock: Vec<Distribution>,
    totals: Distribution,
    cost: Option<Distribution>,
}

/// Why records could not be merged or finished.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// Records of runs of different sizes.
    #[error("the records are of runs of different sizes ({0} and {1} trials)")]
    Trials(u64, u64),
    /// A chunk no record holds.
    #[error("no record holds chunk {0} (trials {1}..)")]
    Missing(u64, u64),
    /// Chunks held twice.
    #[error("chunks {0:?} are held by two records")]
    Overlap(Range<u64>),
    /// A record whose contents do not fit its scenario or chunks.
    #[error("{0}")]
    Shape(String),
}

/// `a` merged with `b`, mineral by mineral.
pub fn merge_tallies(a: &mut [MineralTally], b: &[MineralTally]) {
    a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
}

/// `a` merged with `b`, mineral by mineral.
pub fn merge_sketches(a: &mut [MineralSketches], b: Vec<MineralSketches>) {
    for (x, y) in a.iter_mut().zip(b) {
        for (mine, theirs) in [
            (&mut x.supply, y.supply),
            (&mut x.price, y.price),
            (&mut x.stock, y.stock),
        ] {
            mine.iter_mut().zip(theirs).for_each(|(s, t)| s.merge(t));
        }
        x.totals.merge(y.totals);
        if let (Some(c), Some(d)) = (&mut x.cost, y.cost) {
            c.merge(d);
        }
    }
}

impl Record {
    /// Number of trials the record's chunks hold.
    pub fn trials_held(&self) -> u64 {
        let end = (self.chunks.end * CHUNK_TRIALS).min(self.trials);
        end.saturating_sub(self.chunks.start * CHUNK_TRIALS)
    }

    /// Number of values the record's distributions hold, over all series.
    fn values_held(&self) -> u64 {
        match &self.values {
            Values::Kept(v) => v
                .iter()
                .map(|m| {
                    let series = |s: &Vec<Vec<f64>>| s.iter().map(Vec::len).sum::<usize>();
                    series(&m.supply)
                        + series(&m.price)
                        + series(&m.stock)
                        + m.totals.len()
                        + m.cost.len()
                })
                .sum::<usize>() as u64,
            Values::Sketched(s) => s
                .iter()
                .map(|m| {
                    let series = |s: &Vec<Sketch>| s.iter().map(Sketch::len).sum::<u64>();
                    series(&m.supply)
                        + series(&m.price)
                        + series(&m.stock)
                        + m.totals.len()
                        + m.cost.as_ref().map_or(0, SignedSketch::len)
                })
                .sum(),
        }
    }

    /// Check that the record fits `scenario` and its own chunks: the right
    /// tree nodes, tallies and values of the right shapes and sizes (and
    /// sketches with the atoms of the run with `seed`), as a record read
    /// from a file must.
    ///
    /// # Errors
    ///
    /// [`RecordError::Shape`] saying what does not fit.
    pub fn check(&self, scenario: &Scenario, seed: u64) -> Result<(), RecordError> {
        let empty = if keeps_values(self.trials) {
            Vec::new()
        } else {
            empty_sketches(scenario, seed, self.trials)
        };
        self.check_with(scenario, &empty)
    }

    /// [`Record::check`] against `empty`, the run's empty sketches
    /// ([`empty_sketches`]; none for a run that keeps its values), made
    /// once for the records of every slice of a run.
    ///
    /// # Errors
    ///
    /// As [`Record::check`].
    pub fn check_with(
        &self,
        scenario: &Scenario,
        empty: &[MineralSketches],
    ) -> Result<(), RecordError> {
        let bad = |what: &str| Err(RecordError::Shape(what.to_string()));
        let total = chunk_count(self.trials);
        if self.chunks.start > self.chunks.end || self.chunks.end > total {
            return bad("its chunks lie outside the run");
        }
        if self.chunks.is_empty() {
            // The record of a shard past the run's chunks: nothing in it.
            return if self.nodes.is_empty() && self.values_held() == 0 {
                Ok(())
            } else {
                bad("its chunks are none, yet it holds results")
            };
        }
        let nodes: Vec<Node> = self.nodes.iter().map(|(n, _)| *n).collect();
        if nodes != tree::cover(self.chunks.clone(), total) {
            return bad("its tallies are not those of its chunks");
        }
        let (minerals, years) = (scenario.minerals.len(), scenario.years);
        let held = self.trials_held();
        let mut counted = 0;
        for (node, tally) in &self.nodes {
            let node_trials = {
                let c = node.chunks(total);
                (c.end * CHUNK_TRIALS).min(self.trials) - c.start * CHUNK_TRIALS
            };
            if tally.len() != minerals
                || tally
                    .iter()
                    .any(|t| !t.fits(years) || t.trials() != node_trials)
            {
                return bad("its tallies do not fit the scenario");
            }
            counted += node_trials;
        }
        if counted != held {
            return bad("its tallies do not count its trials");
        }
        match (&self.values, keeps_values(self.trials)) {
            (Values::Kept(v), true) => {
                let fits = |(m, i): (&MineralValues, usize)| {
                    let (market, stock) = super::values::series_of(scenario, i);
                    let series = |s: &Vec<Vec<f64>>, on: bool| {
                        s.len() == if on { years } else { 0 }
                            && s.iter().all(|s| s.len() as u64 == held)
                    };
                    m.totals.len() as u64 == held
                        && series(&m.supply, true)
                        && series(&m.price, market)
                        && series(&m.stock, stock)
                        && m.cost.len() as u64 == if market { held } else { 0 }
                };
                if v.len() != minerals || !v.iter().zip(0..).all(fits) {
                    return bad("its values do not fit the scenario");
                }
            }
            (Values::Sketched(s), false) => {
                let fits = |(m, e): (&MineralSketches, &MineralSketches)| {
                    let series = |a: &Vec<Sketch>, b: &Vec<Sketch>| {
                        a.len() == b.len()
                            && a.iter()
                                .zip(b)
                                .all(|(a, b)| a.same_scale(b) && a.len() == held)
                    };
                    let cost = match (&m.cost, &e.cost) {
                        (None, None) => true,
                        (Some(a), Some(b)) => a.same_scale(b) && a.len() == held,
                        _ => false,
                    };
                    series(&m.supply, &e.supply)
                        && series(&m.price, &e.price)
                        && series(&m.stock, &e.stock)
                        && m.totals.same_scale(&e.totals)
                        && m.totals.len() == held
                        && cost
                };
                if s.len() != minerals || empty.len() != minerals || !s.iter().zip(empty).all(fits)
                {
                    return bad("its sketches do not fit the scenario");
                }
            }
            _ => return bad("its values are not kept as a run of its size keeps them"),
        }
        Ok(())
    }

    /// Merge the records of slices of one run (in any order) into the
    /// record of the slices together.
    ///
    /// # Errors
    ///
    /// [`RecordError`] for records of runs of different sizes or
    /// overlapping chunks. Gaps are allowed here ([`Record::finish`]
    /// refuses them).
    pub fn merge(mut records: Vec<Record>) -> Result<Record, RecordError> {
        // The records of shards past the run's chunks hold nothing.
        if records.iter().any(|r| !r.chunks.is_empty()) {
            records.retain(|r| !r.chunks.is_empty());
        }
        records.sort_by_key(|r| r.chunks.start);
        let mut iter = records.into_iter();
        let Some(mut acc) = iter.next() else {
            return Err(RecordError::Missing(0, 0));
        };
        for next in iter {
            if next.trials != acc.trials {
                return Err(RecordError::Trials(acc.trials, next.trials));
            }
            if next.chunks.start < acc.chunks.end {
                return Err(RecordError::Overlap(
                    next.chunks.start..acc.chunks.end.min(next.chunks.end),
                ));
            }
            acc.chunks = acc.chunks.start..next.chunks.end;
            acc.nodes.extend(next.nodes);
            match (&mut acc.values, next.values) {
                (Values::Kept(a), Values::Kept(b)) => {
                    for (x, y) in a.iter_mut().zip(b) {
                        for (mine, theirs) in [
                            (&mut x.supply, y.supply),
                            (&mut x.price, y.price),
                            (&mut x.stock, y.stock),
                        ] {
                            mine.iter_mut().zip(theirs).for_each(|(s, t)| s.extend(t));
                        }
                        x.totals.extend(y.totals);
                        x.cost.extend(y.cost);
                    }
                }
                (Values::Sketched(a), Values::Sketched(b)) => merge_sketches(a, b),
                _ => {
                    return Err(RecordError::Shape(
                        "records keep their values differently".into(),
                    ))
                }
            }
            for (x, y) in acc.per_trial.iter_mut().zip(next.per_trial) {
                x.extend(y);
            }
        }
        Ok(acc)
    }

    /// The record of a finished run that holds all of it, as if read back
    /// from a one-slice partial result: each mineral's whole tally at the
    /// merge tree's root, and its distributions. [`Record::finish`] gives
    /// back `agg` without its per-trial results (which a saved record does
    /// not hold), so a finished run can be saved and merged again.
    ///
    /// # Errors
    ///
    /// [`RecordError::Shape`] when `agg`'s distributions are not kept as a
    /// run of its size keeps them.
    pub fn of_whole(agg: &Aggregate) -> Result<Record, RecordError> {
        let bad = || RecordError::Shape("its distributions are not those of its size".into());
        let total = chunk_count(agg.trials);
        let tallies = agg.minerals.iter().map(|m| m.tally.clone()).collect();
        let values = if keeps_values(agg.trials) {
            let kept = |d: &Distribution| match d {
                Distribution::Values(v) => Ok(v.clone()),
                _ => Err(bad()),
            };
            let yearly = |s: &[Distribution]| s.iter().map(kept).collect::<Result<Vec<_>, _>>();
            let minerals = agg.minerals.iter().map(|m| {
                Ok(MineralValues {
                    supply: yearly(&m.supply)?,
                    totals: kept(&m.totals_dist)?,
                    price: yearly(&m.price)?,
                    stock: yearly(&m.stock)?,
                    cost: m.cost_dist.as_ref().map_or(Ok(Vec::new()), kept)?,
                })
            });
            Values::Kept(minerals.collect::<Result<_, RecordError>>()?)
        } else {
            let sketch = |d: &Distribution| match d {
                Distribution::Sketch(s) => Ok(s.clone()),
                _ => Err(bad()),
            };
            let yearly = |s: &[Distribution]| s.iter().map(sketch).collect::<Result<Vec<_>, _>>();
            let signed = |d: &Distribution| match d {
                Distribution::Signed(s) => Ok(s.clone()),
                _ => Err(bad()),
            };
            let minerals = agg.minerals.iter().map(|m| {
                Ok(MineralSketches {
                    supply: yearly(&m.supply)?,
                    totals: sketch(&m.totals_dist)?,
                    price: yearly(&m.price)?,
                    stock: yearly(&m.stock)?,
                    cost: m.cost_dist.as_ref().map(signed).transpose()?,
                })
            });
            Values::Sketched(minerals.collect::<Result<_, RecordError>>()?)
        };
        Ok(Record {
            trials: agg.trials,
            chunks: 0..total,
            nodes: vec![(Node::root(total), tallies)],
            values,
            per_trial: Vec::new(),
        })
    }

    /// The finished run, from a record that holds all of it.
    ///
    /// # Errors
    ///
    /// [`RecordError::Missing`] if a chunk is not held (the record is of
    /// part of the run), [`RecordError::Overlap`] if tallies overlap.
    pub fn finish(self) -> Result<Aggregate, RecordError> {
        let total = chunk_count(self.trials);
        let nodes: BTreeMap<Node, Vec<MineralTally>> = self.nodes.into_iter().collect();
        let merge = |mut a: Vec<MineralTally>, b: Vec<MineralTally>| {
            merge_tallies(&mut a, &b);
            a
        };
        let tally = tree::assemble(nodes, total, &merge).map_err(|e| match e {
            AssembleError::Missing(c) => RecordError::Missing(c, c * CHUNK_TRIALS),
            AssembleError::Extra(n) => {
                let c = n.first().map_or(0..0, |n| n.chunks(total));
                RecordError::Overlap(c)
            }
        })?;
        let dists: Vec<Dists> = match self.values {
            Values::Kept(v) => v
                .into_iter()
                .map(|m| {
                    let yearly =
                        |s: Vec<Vec<f64>>| s.into_iter().map(Distribution::Values).collect();
                    Dists {
                        supply: yearly(m.supply),
                        price: yearly(m.price),
                        stock: yearly(m.stock),
                        totals: Distribution::Values(m.totals),
                        cost: (!m.cost.is_empty()).then_some(Distribution::Values(m.cost)),
                    }
                })
                .collect(),
            Values::Sketched(s) => s
                .into_iter()
                .map(|m| {
                    let yearly = |s: Vec<Sketch>| s.into_iter().map(Distribution::Sketch).collect();
                    Dists {
                        supply: yearly(m.supply),
                        price: yearly(m.price),
                        stock: yearly(m.stock),
                        totals: Distribution::Sketch(m.totals),
                        cost: m.cost.map(Distribution::Signed),
                    }
                })
                .collect(),
        };
        let mut per_trial = self.per_trial.into_iter();
        let minerals = tally
            .into_iter()
            .zip(dists)
            .map(|(tally, d)| {
                let p = per_trial.next().unwrap_or_default();
                MineralAcc {
                    tally,
                    supply: d.supply,
                    totals_dist: d.totals,
                    totals: p.totals,
                    years_short: p.years_short,
                    price: d.price,
                    stock: d.stock,
                    cost_dist: d.cost,
                    market_trials: p.cost.into_iter().zip(p.spike).collect(),
                    batches: p.batches,
                }
            })
            .collect();
        Ok(Aggregate {
            trials: self.trials,
            minerals,
        })
    }
}
