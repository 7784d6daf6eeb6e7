//! The finished distribution of a quantity over a run's trials (a year's
//! supply, the horizon's total unserved amount): every trial's value, or a
//! [`Sketch`] of them, with the same questions asked of either.

use crate::sketch::{SignedSketch, Sketch};
use crate::stats::{cvar_upper_within, quantiles_within, upper_tail_len};

/// Where a quantity's values went.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// Every trial's value, in trial order: exact answers.
    Values(Vec<f64>),
    /// A sketch: answers within a fine bucket (see [`crate::sketch`]).
    Sketch(Sketch),
    /// A sketch of values of either sign.
    Signed(SignedSketch),
}

impl Distribution {
    /// Number of values.
    pub fn len(&self) -> u64 {
        match self {
            Distribution::Values(v) => v.len() as u64,
            Distribution::Sketch(s) => s.len(),
            Distribution::Signed(s) => s.len(),
        }
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The quantiles `qs` (linear interpolation between order statistics,
    /// as [`crate::stats::quantile`]). `range` is where the values mostly
    /// lie, which speeds up exact selection (any range gives exact results).
    pub fn quantiles(&self, qs: &[f64], range: Option<(f64, f64)>) -> Vec<f64> {
        match self {
            Distribution::Values(v) => quantiles_within(v, qs, range),
            Distribution::Sketch(s) => qs.iter().map(|&q| s.quantile(q)).collect(),
            Distribution::Signed(s) => qs.iter().map(|&q| s.quantile(q)).collect(),
        }
    }

    /// Mean of the largest `ceil(n / tail_den)` values (at least one).
    pub fn upper_mean(&self, tail_den: usize, range: Option<(f64, f64)>) -> f64 {
        match self {
            Distribution::Values(v) => cvar_upper_within(v, tail_den, range),
            Distribution::Sketch(s) if s.is_empty() => 0.0,
            Distribution::Sketch(s) => {
                s.upper_mean(upper_tail_len(s.len() as usize, tail_den) as u64)
            }
            Distribution::Signed(s) if s.is_empty() => 0.0,
            Distribution::Signed(s) => {
                s.upper_mean(upper_tail_len(s.len() as usize, tail_den) as u64)
            }
        }
    }

    /// The exceedance curve `(x, P(X > x))`, increasing in `x`, starting at
    /// `(0, 1)` when no value is 0, thinned to about `max_points` points
    /// spaced evenly in log-probability so the tail keeps its detail.
    pub fn exceedance(&self, max_points: usize) -> Vec<(f64, f64)> {
        let distinct = match self {
            Distribution::Values(values) => distinct_exceedance(values),
            Distribution::Sketch(s) => s.exceedance(),
            Distribution::Signed(s) => s.exceedance(),
        };
        thin_exceedance(distinct, self.len(), max_points)
    }
}

/// `(v, P(X > v))` at every distinct value `v` of `values`, increasing.
fn distinct_exceedance(values: &[f64]) -> Vec<(f64, f64)> {
    let n = values.len();
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let v = sorted[i];
        let mut j = i;
        while j < n && sorted[j] == v {
            j += 1;
        }
        out.push((v, (n - j) as f64 / n as f64));
        i = j;
    }
    out
}

/// Keep points of `distinct` (from `n` values) at log-spaced exceedance
/// levels, plus the first and last, with `(0, 1)` in front when the
/// smallest value is above 0.
fn thin_exceedance(distinct: Vec<(f64, f64)>, n: u64, max_points: usize) -> Vec<(f64, f64)> {
    let mut points = Vec::new();
    let Some(&(first, _)) = distinct.first() else {
        return points;
    };
    if first > 0.0 {
        points.push((0.0, 1.0));
    }
    let keep = max_points.max(2);
    if distinct.len() <= keep {
        points.extend(distinct);
        return points;
    }
    let mut last_level = f64::INFINITY;
    let step = (n.max(2) as f64).ln() / keep as f64;
    let last = distinct.len() - 1;
    for (k, &(v, p)) in distinct.iter().enumerate() {
        let level = if p > 0.0 { p.ln() } else { f64::NEG_INFINITY };
        if k == 0 || k == last || last_level - level >= step {
            points.push((v, p));
            last_level = level;
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_sketched_answers_agree_on_few_values() {
        let values = vec![0.0, 3.0, 1.0, 2.0, 0.0, 5.0, 4.0];
        let mut s = Sketch::new(4.0);
        values.iter().for_each(|&v| s.push(v));
        let (exact, sketched) = (Distribution::Values(values), Distribution::Sketch(s));
        let qs = [0.0, 0.5, 0.9, 1.0];
        assert_eq!(exact.quantiles(&qs, None), sketched.quantiles(&qs, None));
        assert_eq!(exact.upper_mean(20, None), 5.0);
        assert_eq!(sketched.upper_mean(20, None), 5.0);
        assert_eq!(exact.exceedance(100), sketched.exceedance(100));
        assert_eq!(
            exact.exceedance(100),
            vec![
                (0.0, 5.0 / 7.0),
                (1.0, 4.0 / 7.0),
                (2.0, 3.0 / 7.0),
                (3.0, 2.0 / 7.0),
                (4.0, 1.0 / 7.0),
                (5.0, 0.0)
            ]
        );
    }

    #[test]
    fn exceedance_starts_at_zero_and_is_thinned_to_log_spaced_levels() {
        let values: Vec<f64> = (1..=100_000).map(f64::from).collect();
        let curve = Distribution::Values(values).exceedance(50);
        assert_eq!(curve[0], (0.0, 1.0));
        assert_eq!(*curve.last().unwrap(), (100_000.0, 0.0));
        assert!(curve.len() <= 60, "{} points", curve.len());
        assert!(curve
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 >= w[1].1));
        assert!(Distribution::Values(Vec::new()).exceedance(10).is_empty());
    }
}
