//! Streaming statistics that merge deterministically.
//!
//! [`Moments`] is Welford's running mean and sum of squared deviations;
//! chunks are merged with Chan's formula *in chunk order*, so results do
//! not depend on how many threads ran the chunks. Within a chunk the
//! engine records [`ShiftedSums`] (and [`ShiftedSeries`], the same for a
//! value per year at once), which cost no division per value.
//! [`quantile`] and [`cvar_upper`] work on the per-trial values of a whole
//! run, without changing them.

use serde::{Deserialize, Serialize};

/// Count, mean and sum of squared deviations of a stream of numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Number of values.
    pub n: u64,
    /// Mean of the values.
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
}

impl Moments {
    /// Add one value (Welford).
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Append the values summarised by `other` (Chan et al.).
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let d = other.mean - self.mean;
        let nf = n as f64;
        self.mean += d * (other.n as f64 / nf);
        self.m2 += other.m2 + d * d * (self.n as f64 * other.n as f64 / nf);
        self.n = n;
    }

    /// Sample variance (denominator `n - 1`); 0 for fewer than two values.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).max(0.0)
        }
    }

    /// Standard error of the mean: sample standard deviation over `sqrt(n)`.
    pub fn se(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            (self.variance() / self.n as f64).sqrt()
        }
    }
}

/// Moments of a short stream (one chunk of trials) as sums of deviations
/// from its first value: two additions and a multiplication per value, no
/// division. [`ShiftedSums::moments`] turns them into [`Moments`]. With a
/// shift drawn from the stream itself, `s2 - s1^2 / n` loses only about
/// `(first - mean)^2 / variance` ulps of the sum of squared deviations.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ShiftedSums {
    n: u64,
    shift: f64,
    s1: f64,
    s2: f64,
}

impl ShiftedSums {
    /// Add one value.
    #[inline(always)]
    pub fn push(&mut self, x: f64) {
        if self.n == 0 {
            self.shift = x;
        }
        let d = x - self.shift;
        self.n += 1;
        self.s1 += d;
        self.s2 += d * d;
    }

    /// Count, mean and sum of squared deviations of the values pushed.
    pub fn moments(&self) -> Moments {
        shifted_moments(self.n, self.shift, self.s1, self.s2)
    }
}

/// [`Moments`] of `n` values whose deviations from `shift` sum to `s1`
/// and whose squared deviations sum to `s2`.
fn shifted_moments(n: u64, shift: f64, s1: f64, s2: f64) -> Moments {
    if n == 0 {
        return Moments::default();
    }
    let nf = n as f64;
    Moments {
        n,
        mean: shift + s1 / nf,
        m2: (s2 - s1 * s1 / nf).max(0.0),
    }
}

/// [`ShiftedSums`] of several streams that each receive one value at every
/// push (one trial's value for each year), kept as arrays so that a push
/// is one loop the compiler vectorises. Each stream's sums are, bit for
/// bit, those its own [`ShiftedSums`] would hold.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftedSeries {
    n: u64,
    shift: Vec<f64>,
    s1: Vec<f64>,
    s2: Vec<f64>,
}

impl ShiftedSeries {
    /// Sums for `streams` streams, none pushed yet.
    pub fn new(streams: usize) -> Self {
        ShiftedSeries {
            n: 0,
            shift: vec![0.0; streams],
            s1: vec![0.0; streams],
            s2: vec![0.0; streams],
        }
    }

    /// Add one value to each stream (`xs[k]` to stream `k`).
    ///
    /// # Panics
    ///
    /// If `xs` does not hold one value per stream.
    #[inline(always)]
    pub fn push(&mut self, xs: &[f64]) {
        assert_eq!(xs.len(), self.shift.len(), "one value per stream");
        if self.n == 0 {
            self.shift.copy_from_slice(xs);
        }
        self.n += 1;
        let sums = self.s1.iter_mut().zip(self.s2.iter_mut());
        for ((x, shift), (s1, s2)) in xs.iter().zip(&self.shift).zip(sums) {
            let d = x - shift;
            *s1 += d;
            *s2 += d * d;
        }
    }

    /// Each stream's count, mean and sum of squared deviations.
    pub fn moments(&self) -> Vec<Moments> {
        (0..self.shift.len())
            .map(|k| shifted_moments(self.n, self.shift[k], self.s1[k], self.s2[k]))
            .collect()
    }
}

/// Standard error of a probability estimated from `n` trials:
/// `sqrt(p (1 - p) / n)`.
pub fn probability_se(p: f64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        (p * (1.0 - p) / n as f64).max(0.0).sqrt()
    }
}

/// The `q`-quantile of `values` by linear interpolation between order
/// statistics (Hyndman–Fan type 7, NumPy's default): with `h = (n - 1) q`,
/// `x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)])`.
/// Returns 0 for an empty slice.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    quantiles(values, &[q])[0]
}

/// Several quantiles of the same values (each as [`quantile`]), from one
/// pass of exact selection ([`crate::select`]); `values` is not changed.
pub fn quantiles(values: &[f64], qs: &[f64]) -> Vec<f64> {
    quantiles_within(values, qs, None)
}

/// [`quantiles`] given where the values (mostly) lie, which saves a pass
/// over them (see [`crate::select::order_statistics_within`]).
pub fn quantiles_within(values: &[f64], qs: &[f64], range: Option<(f64, f64)>) -> Vec<f64> {
    let n = values.len();
    if n == 0 {
        return vec![0.0; qs.len()];
    }
    let points = QuantilePoints::new(n, qs);
    points.interpolate(&crate::select::order_statistics_within(
        values,
        &points.ranks(),
        range,
    ))
}

/// Where quantiles of `n` values lie (as [`quantile`] defines them): for
/// each, its lower rank and the weight of the next rank.
#[derive(Debug, Clone)]
pub struct QuantilePoints {
    n: usize,
    points: Vec<(usize, f64)>,
}

impl QuantilePoints {
    /// The points of quantiles `qs` of `n >= 1` values.
    pub fn new(n: usize, qs: &[f64]) -> Self {
        let points = qs
            .iter()
            .map(|&q| {
                let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
                let lo = h.floor() as usize;
                (lo, h - lo as f64)
            })
            .collect();
        QuantilePoints { n, points }
    }

    /// The ranks whose values the quantiles need: two per quantile.
    pub fn ranks(&self) -> Vec<usize> {
        self.points
            .iter()
            .flat_map(|&(lo, _)| [lo, (lo + 1).min(self.n - 1)])
            .collect()
    }

    /// The quantiles, from the values at [`QuantilePoints::ranks`].
    pub fn interpolate(&self, x: &[f64]) -> Vec<f64> {
        self.points
            .iter()
            .enumerate()
            .map(|(i, &(lo, frac))| {
                let (x_lo, x_hi) = (x[2 * i], x[2 * i + 1]);
                if frac == 0.0 || lo + 1 >= self.n {
                    x_lo
                } else {
                    x_lo + frac * (x_hi - x_lo)
                }
            })
            .collect()
    }
}

/// Mean of the largest `ceil(tail * n)` values, with `tail = 1 / tail_den`
/// computed in integers (`cvar95`: `tail_den = 20`); `values` is not
/// changed.
pub fn cvar_upper(values: &[f64], tail_den: usize) -> f64 {
    cvar_upper_within(values, tail_den, None)
}

/// [`cvar_upper`] given where the values (mostly) lie.
pub fn cvar_upper_within(values: &[f64], tail_den: usize, range: Option<(f64, f64)>) -> f64 {
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    let k = upper_tail_len(n, tail_den);
    mean_of_sorted(&crate::select::top_sorted_within(values, n - k, range))
}

/// How many of `n >= 1` values the upper tail `1 / tail_den` holds:
/// `ceil(n / tail_den)`, at least one.
pub fn upper_tail_len(n: usize, tail_den: usize) -> usize {
    n.div_ceil(tail_den).max(1)
}

/// The sum of `values` added in ascending order (by [`f64::total_cmp`]),
/// so that it depends only on the values, not on the order they come in
/// (the order of sources in a scenario file, for example).
pub fn order_free_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.into_iter().collect();
    v.sort_unstable_by(f64::total_cmp);
    v.iter().sum()
}

/// The mean of values sorted ascending by [`f64::total_cmp`], summed in
/// that order, so that it depends only on the values.
pub fn mean_of_sorted(sorted: &[f64]) -> f64 {
    sorted.iter().sum::<f64>() / sorted.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_match_two_pass_formulas_and_merge_in_order() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 37) % 101) as f64 * 0.5 + 3.0)
            .collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        let mut whole = Moments::default();
        xs.iter().for_each(|x| whole.push(*x));
        assert!((whole.mean - mean).abs() < 1e-12);
        assert!((whole.variance() - var).abs() < 1e-9);
        let mut merged = Moments::default();
        for chunk in xs.chunks(128) {
            let mut c = Moments::default();
            chunk.iter().for_each(|x| c.push(*x));
            merged.merge(&c);
        }
        assert!((merged.mean - mean).abs() < 1e-12);
        assert!((merged.variance() - var).abs() < 1e-9);
        assert!((merged.se() - (var / 1000.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn shifted_sums_agree_with_welford_and_are_exact_for_constants() {
        // Far from zero, with a first value well away from the mean.
        let xs: Vec<f64> = (0..1024)
            .map(|i| 1e6 + ((i * 37) % 101) as f64 * 0.5 - if i == 0 { 40.0 } else { 0.0 })
            .collect();
        let (mut w, mut s) = (Moments::default(), ShiftedSums::default());
        xs.iter().for_each(|&x| {
            w.push(x);
            s.push(x);
        });
        let m = s.moments();
        assert_eq!(m.n, w.n);
        assert!((m.mean - w.mean).abs() <= 1e-15 * w.mean);
        assert!((m.m2 - w.m2).abs() <= 1e-12 * w.m2, "{} vs {}", m.m2, w.m2);
        let mut c = ShiftedSums::default();
        (0..100).for_each(|_| c.push(2.5));
        assert_eq!(
            c.moments(),
            Moments {
                n: 100,
                mean: 2.5,
                m2: 0.0
            }
        );
        assert_eq!(ShiftedSums::default().moments(), Moments::default());
    }

    #[test]
    fn shifted_series_hold_each_streams_shifted_sums_bit_for_bit() {
        // Ten streams of different scales, pushed a trial at a time.
        let trials: Vec<Vec<f64>> = (0..1000)
            .map(|i| {
                (0..10)
                    .map(|k| (k as f64 + 1.0) * 1e3 + ((i * (k + 7) * 37) % 101) as f64 * 0.25)
                    .collect()
            })
            .collect();
        let mut series = ShiftedSeries::new(10);
        let mut each = vec![ShiftedSums::default(); 10];
        for xs in &trials {
            series.push(xs);
            each.iter_mut().zip(xs).for_each(|(s, &x)| s.push(x));
        }
        let expected: Vec<Moments> = each.iter().map(ShiftedSums::moments).collect();
        assert_eq!(series.moments(), expected);
        assert!(expected.iter().all(|m| m.n == 1000 && m.m2 > 0.0));
        assert_eq!(ShiftedSeries::new(3).moments(), vec![Moments::default(); 3]);
    }

    #[test]
    fn quantile_interpolates_like_numpy() {
        let v = vec![4.0, 1.0, 3.0, 2.0];
        // numpy.quantile([1,2,3,4], [0, .5, .9, 1]) = [1, 2.5, 3.7, 4]
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert!((quantile(&v, 0.9) - 3.7).abs() < 1e-12);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
        assert_eq!(quantiles(&v, &[0.9, 0.0]), vec![quantile(&v, 0.9), 1.0]);
    }

    #[test]
    fn cvar_is_mean_of_top_ceil_five_percent() {
        // 41 values 0..=40: ceil(0.05 * 41) = 3, top three are 38, 39, 40.
        let v: Vec<f64> = (0..=40).rev().map(f64::from).collect();
        assert_eq!(cvar_upper(&v, 20), 39.0);
        assert_eq!(cvar_upper(&[7.0], 20), 7.0);
    }

    #[test]
    fn probability_se_formula() {
        assert_eq!(probability_se(0.5, 100), 0.05);
        assert_eq!(probability_se(0.0, 100), 0.0);
    }
}
