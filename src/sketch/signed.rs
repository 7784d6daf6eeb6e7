//! A sketch of values of either sign (a consumer's cost, which is negative
//! when prices stay below the reference): one [`Sketch`] of the values at
//! or above zero and one of the magnitudes of the negative ones.

use super::Sketch;
use serde::{Deserialize, Serialize};

/// A quantile sketch of values of either sign, mergeable in any order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedSketch {
    /// Values `>= 0`.
    pos: Sketch,
    /// Magnitudes of values `< 0`.
    neg: Sketch,
}

impl SignedSketch {
    /// A sketch for values of magnitude of the order of `scale`.
    pub fn new(scale: f64) -> SignedSketch {
        SignedSketch {
            pos: Sketch::new(scale),
            neg: Sketch::new(scale),
        }
    }

    /// The same sketch (empty), counting exactly the values `pos` (at or
    /// above zero) and the negative values of magnitudes `neg`.
    pub fn with_atoms(self, pos: &[f64], neg: &[f64]) -> SignedSketch {
        SignedSketch {
            pos: self.pos.with_atoms(pos),
            neg: self.neg.with_atoms(neg),
        }
    }

    /// Add values.
    pub fn push_all(&mut self, xs: &[f64]) {
        for &x in xs {
            if x < 0.0 {
                self.neg.push(-x);
            } else {
                self.pos.push(x);
            }
        }
    }

    /// Add the values of `other`, a sketch of the same scale.
    pub fn merge(&mut self, other: SignedSketch) {
        self.pos.merge(other.pos);
        self.neg.merge(other.neg);
    }

    /// Whether `other` covers the same range of values.
    pub fn same_scale(&self, other: &SignedSketch) -> bool {
        self.pos.same_scale(&other.pos) && self.neg.same_scale(&other.neg)
    }

    /// Number of values.
    pub fn len(&self) -> u64 {
        self.pos.len() + self.neg.len()
    }

    /// Whether no value was added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Estimate of the value of 0-based rank `r` (`r < len`).
    pub(super) fn at_rank(&self, r: u64) -> f64 {
        let n_neg = self.neg.len();
        if r < n_neg {
            -self.neg.at_rank(n_neg - 1 - r)
        } else {
            self.pos.at_rank(r - n_neg)
        }
    }

    /// Estimate of the `q`-quantile, interpolated between ranks as
    /// [`Sketch::quantile`]. 0 for an empty sketch.
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.len();
        if n == 0 {
            return 0.0;
        }
        let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
        let lo = h.floor() as u64;
        let frac = h - lo as f64;
        let x = self.at_rank(lo);
        if frac == 0.0 || lo + 1 >= n {
            x
        } else {
            x + frac * (self.at_rank(lo + 1) - x)
        }
    }

    /// Estimate of the mean of the largest `k` values.
    pub fn upper_mean(&self, k: u64) -> f64 {
        let k = k.min(self.len());
        if k == 0 {
            return 0.0;
        }
        let (n, n_neg) = (self.len(), self.neg.len());
        // Ranks n - k .. n, the negative ones (if any) first, each side's
        // buckets put in order once.
        let first = n - k;
        let negative = if first < n_neg {
            let mut m = self.neg.values_at(0..n_neg - first);
            m.reverse();
            m.into_iter().map(|v| -v).collect()
        } else {
            Vec::new()
        };
        let positive = self.pos.values_at(first.saturating_sub(n_neg)..n - n_neg);
        negative.into_iter().chain(positive).sum::<f64>() / k as f64
    }

    /// Points `(x, P(X > x))` at each bucket's largest value, increasing
    /// in `x`.
    pub fn exceedance(&self) -> Vec<(f64, f64)> {
        let n = self.len().max(1) as f64;
        let mut above = self.len();
        let negative = self.neg.ranges().rev().map(|(lo, _, c)| (-lo, c));
        let positive = self.pos.ranges().map(|(_, hi, c)| (hi, c));
        let points = negative.chain(positive).map(|(x, c)| {
            above -= c;
            (x, above as f64 / n)
        });
        super::last_of_each_x(points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::quantile;

    #[test]
    fn quantiles_of_values_of_both_signs_match_exact_ones_within_a_bucket() {
        let values: Vec<f64> = (0..20_000)
            .map(|i| (i as f64 * 0.618).sin() * 40.0 - 10.0)
            .collect();
        let mut s = SignedSketch::new(50.0);
        s.push_all(&values);
        assert_eq!(s.len(), 20_000);
        let bound = 2f64.powi(-(super::super::FINE_BITS as i32));
        for q in [0.0, 0.05, 0.3, 0.5, 0.9, 0.95, 1.0] {
            let exact = quantile(&values, q);
            let est = s.quantile(q);
            assert!(
                (est - exact).abs() <= bound * exact.abs() + 1e-12,
                "q {q}: {est} vs {exact}"
            );
        }
        let curve = s.exceedance();
        assert!(curve[0].0 < 0.0 && curve.last().unwrap().1 == 0.0);
        assert!(curve
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 >= w[1].1));
    }
}
