//! The pilot that picks each sketch's atoms: the values a sketched run
//! counts exactly (see [`crate::sketch`]'s atoms).
//!
//! The pilot simulates the run's first chunk of trials (trials 0 to
//! 1,023 of the run's seed, whatever part of the run is being simulated),
//! so every shard of a run picks the same atoms and their sketches merge.
//! A value is an atom of a series when at least 10 of those trials
//! (about 1%) give exactly it: full supply in a year without
//! disruptions, a full stockpile, the price at its cap. Each series keeps
//! its 4 most frequent (zeros are counted exactly anyway).

use super::plan::Plan;
use super::trial::Workspace;
use super::{chunk_buffers, simulate_into, CHUNK_TRIALS};
use crate::scenario::Scenario;
use crate::sketch::MAX_ATOMS;

/// Trials of the pilot: the run's first chunk.
pub const PILOT_TRIALS: u64 = CHUNK_TRIALS;

/// Times a value must occur in the pilot to be an atom.
const MIN_OCCURRENCES: usize = 10;

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
        v.extend([2.0; 10]);
        v.extend([3.0; 9]);
        v.extend((0..100).map(|i| 1.0 + f64::from(i) * 0.01));
        v.extend([9.0; 12]);
        v.extend([8.0; 11]);
        v.extend([10.0; 10]);
        // Zeros and values under 10 times are left out; of 7.5 (30), 9
        // (12), 8 (11), 2 and 10 (10 each), the smaller of the last two.
        assert_eq!(frequent(&v), vec![2.0, 7.5, 8.0, 9.0]);
        assert!(frequent(&[f64::NAN; 20]).is_empty());
    }
}
