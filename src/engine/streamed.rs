//! Exact quantiles found while a run's trials run, for runs of at least
//! [`super::STREAM_TRIALS`] trials: the quantiles of annual supply, and the
//! quantiles and upper tail (for CVaR) of the horizon totals.
//!
//! The pilot chunks run first and keep their values: a random sample that
//! places a narrow window of values around each wanted rank
//! ([`crate::select::windows`]). Every later chunk counts its values below
//! each window and gathers those inside ([`Tallies`]); the tallies of
//! parts of the run merge in any order. Finishing adds the pilot's values
//! and selects within the windows. The answers are exact, or `None` if a
//! rank fell outside its window (the caller then runs again keeping every
//! value).

use super::accumulate::{CVAR_TAIL_DEN, SUPPLY_QUANTILES, TOTAL_QUANTILES};
use crate::select::windows::{RankWindows, WindowTally};
use crate::stats::{mean_of_sorted, upper_tail_len, QuantilePoints};
use rayon::prelude::*;

/// What a streamed run found for one mineral.
#[derive(Debug, Clone, PartialEq)]
pub struct MineralQuantiles {
    /// Per year: the [`SUPPLY_QUANTILES`] of annual supply.
    pub supply: Vec<Vec<f64>>,
    /// The [`TOTAL_QUANTILES`] of the horizon totals.
    pub totals: Vec<f64>,
    /// The mean of the largest `ceil(n / CVAR_TAIL_DEN)` horizon totals.
    pub cvar: f64,
}

/// The windows of a run of `n` trials: per mineral, those of annual supply
/// in each year and those of the horizon totals (with the CVaR tail).
#[derive(Debug, Clone)]
pub struct Windows {
    n: usize,
    supply: Vec<Vec<RankWindows>>,
    totals: Vec<RankWindows>,
}

impl Windows {
    /// Windows for a run of `n` trials placed from the pilot's values: per
    /// mineral, annual supply per year and the horizon totals. `None` if
    /// the wanted ranks need more windows than a tally handles.
    pub fn place(
        pilot_supply: &[Vec<Vec<f64>>],
        pilot_totals: &[&[f64]],
        n: usize,
    ) -> Option<Self> {
        let supply_ranks = QuantilePoints::new(n, &SUPPLY_QUANTILES).ranks();
        let total_ranks = QuantilePoints::new(n, &TOTAL_QUANTILES).ranks();
        let tail = n - upper_tail_len(n, CVAR_TAIL_DEN);
        let (supply, totals) = rayon::join(
            || {
                pilot_supply
                    .par_iter()
                    .map(|years| {
                        years
                            .iter()
                            .map(|sample| RankWindows::from_sample(sample, n, &supply_ranks))
                            .collect::<Option<Vec<_>>>()
                    })
                    .collect::<Option<Vec<_>>>()
            },
            || {
                pilot_totals
                    .par_iter()
                    .map(|sample| RankWindows::with_tail(sample, n, &total_ranks, tail))
                    .collect::<Option<Vec<_>>>()
            },
        );
        Some(Windows {
            n,
            supply: supply?,
            totals: totals?,
        })
    }

    /// Empty tallies for these windows.
    pub fn tallies(&self) -> Tallies {
        Tallies {
            supply: self
                .supply
                .iter()
                .map(|ws| ws.iter().map(RankWindows::tally).collect())
                .collect(),
            totals: self.totals.iter().map(RankWindows::tally).collect(),
        }
    }
}

/// Counts below, and values inside, each window of a [`Windows`], from
/// part of a run's trials.
#[derive(Debug, Clone)]
pub struct Tallies {
    supply: Vec<Vec<WindowTally>>,
    totals: Vec<WindowTally>,
}

impl Tallies {
    /// Count some trials' values: per mineral, annual supply per year
    /// (the first `trials` values of each buffer) and the horizon totals.
    pub fn add(&mut self, w: &Windows, supply: &[Vec<Vec<f64>>], totals: &[&[f64]], trials: usize) {
        let minerals = self.supply.iter_mut().zip(&w.supply).zip(supply);
        for ((tallies, windows), years) in minerals {
            for ((t, w), values) in tallies.iter_mut().zip(windows).zip(years) {
                t.add(w, &values[..trials]);
            }
        }
        for ((t, w), values) in self.totals.iter_mut().zip(&w.totals).zip(totals) {
            t.add(w, values);
        }
    }

    /// Add the tallies of other trials (any order).
    pub fn merge(&mut self, other: Tallies) {
        for (mine, theirs) in self.supply.iter_mut().zip(other.supply) {
            mine.iter_mut().zip(theirs).for_each(|(x, y)| x.merge(y));
        }
        self.totals
            .iter_mut()
            .zip(other.totals)
            .for_each(|(x, y)| x.merge(y));
    }

    /// Per mineral, the quantiles of the whole run, given the tallies of
    /// every trial but the pilot's and the pilot's own values; `None` if
    /// a rank fell outside its window.
    pub fn finish(
        self,
        w: &Windows,
        pilot_supply: &[Vec<Vec<f64>>],
        pilot_totals: &[&[f64]],
    ) -> Option<Vec<MineralQuantiles>> {
        let supply_points = QuantilePoints::new(w.n, &SUPPLY_QUANTILES);
        let total_points = QuantilePoints::new(w.n, &TOTAL_QUANTILES);
        let tallies = self.supply.into_par_iter().zip(self.totals);
        let windows = w.supply.par_iter().zip(&w.totals);
        let pilot = pilot_supply.par_iter().zip(pilot_totals);
        tallies
            .zip(windows)
            .zip(pilot)
            .map(|(((supply, mut totals), (sw, tw)), (ps, pt))| {
                let (supply, totals) = rayon::join(
                    || {
                        supply
                            .into_par_iter()
                            .zip(sw)
                            .zip(ps)
                            .map(|((mut t, w), p)| {
                                t.add(w, p);
                                Some(supply_points.interpolate(&t.finish(w)?))
                            })
                            .collect::<Option<Vec<_>>>()
                    },
                    || {
                        totals.add(tw, pt);
                        let (values, top) = totals.finish_with_tail(tw)?;
                        Some((total_points.interpolate(&values), mean_of_sorted(&top)))
                    },
                );
                let (totals, cvar) = totals?;
                Some(MineralQuantiles {
                    supply: supply?,
                    totals,
                    cvar,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{simulate_with, Options, CHUNK_TRIALS, PILOT_CHUNKS, STREAM_TRIALS};
    use crate::scenario::Scenario;
    use crate::stats::{cvar_upper, quantiles};

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

    fn refs(t: &[Vec<f64>]) -> Vec<&[f64]> {
        t.iter().map(Vec::as_slice).collect()
    }

    #[test]
    fn streamed_quantiles_and_cvar_are_exact_or_detect_misplaced_windows() {
        let s = Scenario::from_toml_str(SCENARIO, "windows.toml").unwrap();
        let n = STREAM_TRIALS as usize;
        let opts = Options {
            stream_quantiles: false,
            ..Options::default()
        };
        let kept = simulate_with(&s, 3, 0..n as u64, None, opts);
        let pilot_len = (PILOT_CHUNKS * CHUNK_TRIALS) as usize;
        // Per mineral: `f` of each year's annual supply, and of the totals.
        type Picked = (Vec<Vec<Vec<f64>>>, Vec<Vec<f64>>);
        let pick = |f: &dyn Fn(&[f64]) -> Vec<f64>| -> Picked {
            let m = &kept.minerals;
            (
                m.iter()
                    .map(|m| m.supply.iter().map(|y| f(y)).collect())
                    .collect(),
                m.iter().map(|m| f(&m.totals)).collect(),
            )
        };
        let (pilot_supply, pilot_totals) = pick(&|v| v[..pilot_len].to_vec());
        let (rest_supply, rest_totals) = pick(&|v| v[pilot_len..].to_vec());
        // The tallies of the trials after the pilot, finished with the pilot.
        let finish = |w: &Windows| {
            let mut t = w.tallies();
            t.add(w, &rest_supply, &refs(&rest_totals), n - pilot_len);
            t.finish(w, &pilot_supply, &refs(&pilot_totals))
        };
        let w = Windows::place(&pilot_supply, &refs(&pilot_totals), n).unwrap();
        let found = finish(&w).expect("a fair pilot");
        for (q, m) in found.iter().zip(&kept.minerals) {
            for (q, y) in q.supply.iter().zip(&m.supply) {
                assert_eq!(q, &quantiles(y, &SUPPLY_QUANTILES));
            }
            assert!(q.totals[0] > 0.0, "a scenario with shortfalls");
            assert_eq!(q.totals, quantiles(&m.totals, &TOTAL_QUANTILES));
            let cvar = cvar_upper(&m.totals, CVAR_TAIL_DEN);
            assert_eq!(q.cvar.to_bits(), cvar.to_bits());
        }
        // Windows placed from the largest values instead of the pilot's
        // miss the lower ranks: no answer (the run would repeat keeping
        // every value), never a wrong one; for supply or totals alone.
        let (top_supply, top_totals) = pick(&|v| {
            let mut v = v.to_vec();
            v.sort_unstable_by(f64::total_cmp);
            v[n - pilot_len..].to_vec()
        });
        let top = refs(&top_totals);
        let pilot = refs(&pilot_totals);
        for (supply, totals) in [
            (&top_supply, &top),
            (&pilot_supply, &top),
            (&top_supply, &pilot),
        ] {
            let w = Windows::place(supply, totals, n).unwrap();
            assert!(finish(&w).is_none());
        }
    }
}
