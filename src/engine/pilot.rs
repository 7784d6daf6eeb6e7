//! The pilot that picks each sketch's atoms: the values a sketched run
//! counts exactly (see [`crate::sketch`]'s atoms).
//!
//! The pilot simulates the run's first chunk of trials (trials 0 to
//! 1,023 of the run's seed, whatever part of the run is being simulated),
//! so every shard of a run picks the same atoms and their sketches merge.
//! A value is an atom of a series when at least 3 of those trials (about
//! 0.3%) give exactly it: full supply in a year without disruptions, a
//! full stockpile, a stock refilled for a whole number of steps, the
//! price at its cap. Each series keeps its 16 most frequent (zeros are
//! counted exactly anyway).

use super::plan::Plan;
use super::trial::Workspace;
use super::{chunk_buffers, simulate_into, CHUNK_TRIALS};
use crate::scenario::Scenario;
use crate::sketch::MAX_ATOMS;

/// Trials of the pilot: the run's first chunk.
pub const PILOT_TRIALS: u64 = CHUNK_TRIALS;

/// Times a value must occur in the pilot to be an atom.
const MIN_OCCURRENCES: usize = 3;

/// One mineral's atoms, series by series.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MineralAtoms {
    /// Per year: annual supply.
    pub supply: Vec<Vec<f64>>,
    /// Horizon totals of the unserved amount.
    pub totals: Vec<f64>,
    /// Per year: mean price multiple.
    pub price: Vec<Vec<f64>>,
    /// Per year: stock at the end of the year.
    pub stock: Vec<Vec<f64>>,
    /// Horizon costs at or above zero, and magnitudes of negative ones.
    pub cost: (Vec<f64>, Vec<f64>),
}

/// Every mineral's atoms for a run of `trials` trials of `scenario` with
/// `seed`, from its first `min(trials, PILOT_TRIALS)` trials.
pub fn atoms(scenario: &Scenario, seed: u64, trials: u64) -> Vec<MineralAtoms> {
    let plan = Plan::new(scenario);
    let mut ws = Workspace::new(&plan);
    let n = trials.min(PILOT_TRIALS) as usize;
    let mut buffers = chunk_buffers(scenario, &plan);
    simulate_into(&plan, seed, 0..n as u64, &mut ws, &mut buffers);
    let yearly = |series: &[Vec<f64>]| series.iter().map(|s| frequent(&s[..n])).collect();
    buffers
        .iter()
        .map(|b| {
            let cost = b.cost.get(..n).unwrap_or_default();
            let negative: Vec<f64> = cost.iter().filter(|c| **c < 0.0).map(|c| -c).collect();
            MineralAtoms {
                supply: yearly(&b.supply),
                totals: frequent(&b.totals[..n]),
                price: yearly(&b.price),
                stock: yearly(&b.stock),
                cost: (frequent(cost), frequent(&negative)),
            }
        })
        .collect()
}

/// The positive values that occur at least [`MIN_OCCURRENCES`] times in
/// `values`, the most frequent [`MAX_ATOMS`] of them (the smaller first
/// among equally frequent ones), in increasing order.
fn frequent(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values
        .iter()
        .copied()
        .filter(|x| *x > 0.0 && x.is_finite())
        .collect();
    v.sort_by(f64::total_cmp);
    let mut runs: Vec<(usize, f64)> = v
        .chunk_by(|a, b| a == b)
        .filter(|r| r.len() >= MIN_OCCURRENCES)
        .map(|r| (r.len(), r[0]))
        .collect();
    runs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.total_cmp(&b.1)));
    runs.truncate(MAX_ATOMS);
    let mut atoms: Vec<f64> = runs.into_iter().map(|(_, x)| x).collect();
    atoms.sort_by(f64::total_cmp);
    atoms
}

#[cfg(test)]
mod tests {
    use super::frequent;

    #[test]
    fn frequent_values_are_the_repeated_positive_ones() {
        let mut v = vec![0.0; 50];
        v.extend([7.5; 30]);
        v.extend([2.0; 3]);
        v.extend([3.0; 2]);
        v.extend((0..100).map(|i| 1.0 + f64::from(i) * 0.01));
        // 14 values 4 times each (10 to 23), then 25 and 26 three times.
        for i in 10..24 {
            v.extend([f64::from(i); 4]);
        }
        v.extend([25.0, 26.0, 26.0, 25.0, 25.0, 26.0]);
        // Zeros and values under 3 times are left out; of 7.5 (30), the
        // fourteen values 4 times each and 2, 25 and 26 (3 times each), the
        // 16 most frequent: the smallest of the last three.
        let mut want = vec![2.0, 7.5];
        want.extend((10..24).map(f64::from));
        assert_eq!(super::MAX_ATOMS, 16);
        assert_eq!(frequent(&v), want);
        assert!(frequent(&[f64::NAN; 20]).is_empty());
        assert!(frequent(&[f64::INFINITY; 20]).is_empty());
    }
}
