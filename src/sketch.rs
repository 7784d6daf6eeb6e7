//! A deterministic, mergeable quantile sketch for runs too large to keep
//! every trial's value.
//!
//! Positive values fall into buckets by their binary exponent and the top
//! [`MANTISSA_BITS`] bits of their mantissa, so a bucket spans at most
//! 2^-7 (0.78%) of its lower bound. Each bucket keeps its count and the
//! smallest and largest value it has seen; an estimate is the midpoint of
//! that range, so its relative error is at most half a bucket, **0.39%**,
//! and it is exact when a bucket holds a single value (point masses such
//! as "no disruption this year"). Zeros are counted exactly. Merging adds
//! counts and takes minima and maxima: the result does not depend on the
//! order of merges, so it is identical for any number of threads.

use serde::{Deserialize, Serialize};

/// Mantissa bits per bucket.
pub const MANTISSA_BITS: u32 = 7;
const PER_EXPONENT: usize = 1 << MANTISSA_BITS;
/// Binary exponents covered below and above the scale.
const BELOW: i32 = 40;
const ABOVE: i32 = 4;

/// A quantile sketch of non-negative values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    /// Exponent of the lowest regular bucket.
    min_exp: i32,
    /// Number of values.
    n: u64,
    /// Number of values <= 0.
    zero: u64,
    /// Per bucket: underflow, regular buckets, overflow.
    counts: Vec<u64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl Sketch {
    /// A sketch for values of the order of `scale` (it covers `scale`
    /// times 2^-40 to 2^4 in regular buckets; values outside go to an
    /// underflow or overflow bucket, still with exact minimum and maximum).
    pub fn new(scale: f64) -> Sketch {
        let e = if scale > 0.0 && scale.is_finite() {
            exponent(scale)
        } else {
            0
        };
        let buckets = (BELOW + ABOVE) as usize * PER_EXPONENT + 2;
        Sketch {
            min_exp: e - BELOW,
            n: 0,
            zero: 0,
            counts: vec![0; buckets],
            lo: vec![f64::INFINITY; buckets],
            hi: vec![f64::NEG_INFINITY; buckets],
        }
    }

    fn bucket(&self, x: f64) -> usize {
        let e = exponent(x);
        let last = self.counts.len() - 1;
        if e < self.min_exp {
            0
        } else if e >= self.min_exp + BELOW + ABOVE {
            last
        } else {
            let top = ((x.to_bits() >> (52 - MANTISSA_BITS)) as usize) & (PER_EXPONENT - 1);
            1 + (e - self.min_exp) as usize * PER_EXPONENT + top
        }
    }

    /// Add a value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        if x.is_nan() || x <= 0.0 {
            self.zero += 1;
            return;
        }
        let b = self.bucket(x);
        self.counts[b] += 1;
        if x < self.lo[b] {
            self.lo[b] = x;
        }
        if x > self.hi[b] {
            self.hi[b] = x;
        }
    }

    /// Add the values of `other` (a sketch of the same scale).
    pub fn merge(&mut self, other: &Sketch) {
        self.n += other.n;
        self.zero += other.zero;
        for b in 0..self.counts.len() {
            self.counts[b] += other.counts[b];
            self.lo[b] = self.lo[b].min(other.lo[b]);
            self.hi[b] = self.hi[b].max(other.hi[b]);
        }
    }

    /// Number of values.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Whether no value was added.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Non-empty buckets in increasing order: `(count, estimate, largest)`,
    /// with zeros first as `(zero, 0, 0)`.
    fn buckets(&self) -> impl DoubleEndedIterator<Item = (u64, f64, f64)> + '_ {
        std::iter::once((self.zero, 0.0, 0.0))
            .chain(
                (0..self.counts.len())
                    .map(|b| (self.counts[b], 0.5 * (self.lo[b] + self.hi[b]), self.hi[b])),
            )
            .filter(|(c, _, _)| *c > 0)
    }

    /// Estimate of the `q`-quantile: the order statistic of rank
    /// `floor((n - 1) q)`, within 0.39% (exact for zeros and single-valued
    /// buckets). 0 for an empty sketch.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        let rank = ((self.n - 1) as f64 * q.clamp(0.0, 1.0)).floor() as u64;
        let mut seen = 0u64;
        for (count, estimate, _) in self.buckets() {
            seen += count;
            if rank < seen {
                return estimate;
            }
        }
        self.buckets().last().map_or(0.0, |b| b.1)
    }

    /// Estimate of the mean of the largest `k` values.
    pub fn upper_mean(&self, k: u64) -> f64 {
        let k = k.min(self.n);
        if k == 0 {
            return 0.0;
        }
        let (mut left, mut sum) = (k, 0.0);
        for (count, estimate, _) in self.buckets().rev() {
            let take = count.min(left);
            sum += take as f64 * estimate;
            left -= take;
            if left == 0 {
                break;
            }
        }
        sum / k as f64
    }

    /// Points `(x, P(X > x))` at each bucket's largest value, increasing.
    pub fn exceedance(&self) -> Vec<(f64, f64)> {
        let n = self.n.max(1) as f64;
        let mut above = self.n;
        let mut out = Vec::new();
        for (count, _, largest) in self.buckets() {
            above -= count;
            out.push((largest, above as f64 / n));
        }
        out
    }
}

/// Unbiased binary exponent of a positive, finite value.
fn exponent(x: f64) -> i32 {
    ((x.to_bits() >> 52) & 0x7ff) as i32 - 1023
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::quantile;

    #[test]
    fn quantiles_are_within_the_documented_error() {
        // A continuous spread plus a point mass and zeros.
        let mut values: Vec<f64> = (0..100_000)
            .map(|i| 50.0 + (i as f64 * 0.618).sin() * 40.0)
            .collect();
        values.extend(std::iter::repeat_n(123.456, 20_000));
        values.extend(std::iter::repeat_n(0.0, 10_000));
        let mut s = Sketch::new(100.0);
        values.iter().for_each(|v| s.push(*v));
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.01, 0.05, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0] {
            let exact = sorted[((sorted.len() - 1) as f64 * q).floor() as usize];
            let est = s.quantile(q);
            assert!(
                (est - exact).abs() <= 0.0039 * exact.abs() + 1e-12,
                "q {q}: {est} vs {exact}"
            );
        }
        // Zeros and the point mass are exact.
        assert_eq!(s.quantile(0.0), 0.0);
        let mass_q = (sorted.iter().position(|v| *v == 123.456).unwrap() + 5) as f64
            / (sorted.len() - 1) as f64;
        assert_eq!(s.quantile(mass_q), 123.456);
        // The type-7 quantile of the exact values is close too.
        let exact = quantile(&values, 0.5);
        assert!((s.quantile(0.5) - exact).abs() <= 0.0039 * exact);
    }

    #[test]
    fn merging_in_any_order_gives_the_same_sketch() {
        let parts: Vec<Vec<f64>> = (0..5)
            .map(|p| (0..1000).map(|i| ((p * 1000 + i) as f64).sqrt()).collect())
            .collect();
        let sketch = |order: &[usize]| {
            let mut total = Sketch::new(30.0);
            for &p in order {
                let mut s = Sketch::new(30.0);
                parts[p].iter().for_each(|v| s.push(*v));
                total.merge(&s);
            }
            total
        };
        assert_eq!(sketch(&[0, 1, 2, 3, 4]), sketch(&[4, 2, 0, 3, 1]));
    }

    #[test]
    fn upper_mean_and_exceedance() {
        let mut s = Sketch::new(10.0);
        for v in [1.0, 2.0, 3.0, 4.0, 0.0] {
            s.push(v);
        }
        // Largest two: 4 and 3 (single-valued buckets: exact).
        assert_eq!(s.upper_mean(2), 3.5);
        let ex = s.exceedance();
        assert_eq!(ex.first(), Some(&(0.0, 0.8)));
        assert_eq!(ex.last(), Some(&(4.0, 0.0)));
        // Values far outside the scale still land somewhere sensible.
        let mut t = Sketch::new(1.0);
        t.push(1e30);
        t.push(1e-30);
        assert_eq!(t.quantile(1.0), 1e30);
        assert_eq!(t.quantile(0.0), 1e-30);
    }
}
