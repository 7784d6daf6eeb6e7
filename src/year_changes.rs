//! What a change of the supply base does year by year: the paired change
//! of each year's expected unserved amount and, on a world market, of the
//! year's mean price multiple and expected cost, with standard errors from
//! paired batch means.
//!
//! A run keeps no per-trial values by year (that would cost 8 bytes per
//! trial, year, mineral and series), but two runs of the same trials have
//! the same chunks of [`crate::engine::CHUNK_TRIALS`] trials, and each
//! chunk's mean is kept. The chunk means of the per-trial differences are
//! independent batches: their spread gives the standard error of the
//! change, with `C - 1` degrees of freedom for `C` chunks.

use crate::engine::{MineralAcc, YearMeans};
use crate::summary::MineralSummary;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// One year's paired changes, alternative minus baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct YearChange {
    /// Calendar year.
    pub year: i64,
    /// Change of the year's expected unserved amount (`eud`).
    pub eud: f64,
    /// Its standard error (null with fewer than two chunks).
    pub eud_se: Option<f64>,
    /// Change of the year's mean price multiple (`price_mean`; world
    /// markets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_mean: Option<f64>,
    /// Its standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_mean_se: Option<f64>,
    /// Change of the year's expected cost (`cost`; world markets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// Its standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_se: Option<f64>,
}

/// Standard error of the mean of paired differences from batch means:
/// `base` and `alt` hold the same chunks' `(trials, mean)`. With `d_c` the
/// difference of chunk `c`'s means, `n_c` its trials, `N` all trials and
/// `d` the mean difference, `sqrt(C / (C - 1) * sum(n_c^2 (d_c - d)^2)) / N`
/// (for chunks of equal size, the sample standard deviation of the `d_c`
/// over `sqrt(C)`). `None` with fewer than two chunks or chunks that do
/// not match.
pub fn batch_se(base: &[(u64, f64)], alt: &[(u64, f64)]) -> Option<f64> {
    let c = base.len();
    if c < 2 || alt.len() != c || base.iter().zip(alt).any(|(b, a)| b.0 != a.0) {
        return None;
    }
    let n: f64 = base.iter().map(|b| b.0 as f64).sum();
    let d = |(b, a): (&(u64, f64), &(u64, f64))| (b.0 as f64, a.1 - b.1);
    let mean = base.iter().zip(alt).map(d).map(|(w, x)| w * x).sum::<f64>() / n;
    let ss: f64 = base
        .iter()
        .zip(alt)
        .map(d)
        .map(|(w, x)| (w * (x - mean)).powi(2))
        .sum();
    Some((c as f64 / (c - 1) as f64 * ss).sqrt() / n)
}

/// Half-width of the two-sided 95% interval of a change estimated from
/// `chunks` batches: `t(0.975, chunks - 1)` standard errors.
pub fn t95(chunks: usize) -> f64 {
    let dof = chunks.saturating_sub(1).max(1) as f64;
    StudentsT::new(0.0, 1.0, dof).map_or(f64::NAN, |t| t.inverse_cdf(0.975))
}

/// One series of a mineral's chunk means, year `y`.
fn series(b: &[YearMeans], y: usize, f: fn(&YearMeans) -> &Vec<f64>) -> Vec<(u64, f64)> {
    b.iter()
        .map(|m| (m.n, f(m).get(y).copied().unwrap_or(0.0)))
        .collect()
}

/// The year-by-year changes of one mineral: the changes of the reported
/// means (`base_sum`, `alt_sum`), with standard errors from the runs' chunk
/// means (`base`, `alt`; empty when not kept: no standard errors).
pub fn year_changes(
    base_sum: &MineralSummary,
    alt_sum: &MineralSummary,
    base: &MineralAcc,
    alt: &MineralAcc,
) -> Vec<YearChange> {
    let (b, a) = (&base.batches, &alt.batches);
    let se =
        |y: usize, f: fn(&YearMeans) -> &Vec<f64>| batch_se(&series(b, y, f), &series(a, y, f));
    let market = base_sum.currency.is_some() && alt_sum.currency.is_some();
    base_sum
        .years
        .iter()
        .zip(&alt_sum.years)
        .enumerate()
        .map(|(y, (by, ay))| {
            let change = |f: fn(&crate::summary::YearSummary) -> Option<f64>| {
                if market {
                    Some(f(ay)? - f(by)?)
                } else {
                    None
                }
            };
            YearChange {
                year: by.year,
                eud: ay.eud - by.eud,
                eud_se: se(y, |m| &m.unserved),
                price_mean: change(|s| s.price_mean),
                price_mean_se: change(|s| s.price_mean).and_then(|_| se(y, |m| &m.price)),
                cost: change(|s| s.cost),
                cost_se: change(|s| s.cost).and_then(|_| se(y, |m| &m.cost)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_se_of_equal_chunks_is_the_spread_of_their_differences() {
        // Differences 1, 2, 3, 6: mean 3, sample variance 14/3; se over 2.
        let base = [(10, 0.0), (10, 1.0), (10, 2.0), (10, 3.0)];
        let alt = [(10, 1.0), (10, 3.0), (10, 5.0), (10, 9.0)];
        let se = batch_se(&base, &alt).unwrap();
        assert!((se - (14.0f64 / 3.0 / 4.0).sqrt()).abs() < 1e-15, "{se}");
        // Identical runs: exactly 0; too few or mismatched chunks: none.
        assert_eq!(batch_se(&base, &base), Some(0.0));
        assert_eq!(batch_se(&base[..1], &alt[..1]), None);
        assert_eq!(batch_se(&base, &alt[..3]), None);
        let other = [(10, 1.0), (10, 3.0), (10, 5.0), (9, 9.0)];
        assert_eq!(batch_se(&base, &other), None);
    }

    #[test]
    fn t95_approaches_the_normal_quantile() {
        assert!((t95(2) - 12.706204736).abs() < 1e-6);
        assert!((t95(31) - 2.042272456).abs() < 1e-6);
        assert!((t95(100_000) - 1.959963985).abs() < 1e-3);
    }
}
