//! Exact order statistics of large arrays without sorting or copying them.
//!
//! A run that keeps every trial's values needs a few order statistics of
//! each year's supply and of the horizon totals (quantiles, and the top 5%
//! for CVaR). Selecting in place would reorder the caller's array, so it
//! would need a copy; sorting costs `n log n`. Instead a pass counts the
//! values in each of [`BUCKETS`] equal-width buckets of their range (given,
//! or found by one more pass; a monotone map, so buckets are ordered like
//! their values), a second gathers only the buckets that hold the wanted
//! ranks, and selection finishes inside them.
//!
//! The answers are exactly the values sorting by [`f64::total_cmp`] would
//! put at those ranks.

/// Arrays at most this long are simply copied and sorted.
const SMALL: usize = 4096;

/// Number of buckets (their counts fit in the first-level cache).
pub const BUCKETS: usize = 8192;

/// Equal-width buckets over the range of the values; finite values only.
struct Buckets {
    min: f64,
    scale: f64,
    counts: Vec<usize>,
}

/// Independent count tables used while counting: a long run of values in
/// one bucket (a point mass) then increments four counters in turn
/// instead of waiting on one.
const LANES: usize = 4;

impl Buckets {
    /// Buckets of the values of `parts` (taken together) over `range`
    /// (`(low, high)`), or over the values' own range (one more pass) when
    /// none is given. Any range gives exact results, since values outside
    /// it fall into the end buckets; a range that fits the values makes the
    /// buckets small.
    fn new(parts: &[&[f64]], range: Option<(f64, f64)>) -> Self {
        let (min, max) = range.unwrap_or_else(|| {
            let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
            for &x in parts.iter().flat_map(|p| p.iter()) {
                min = if x < min { x } else { min };
                max = if x > max { x } else { max };
            }
            (min, max)
        });
        // (x - min) * scale lies in [0, BUCKETS) for every value in range.
        // Computed so that it cannot overflow even for the widest finite
        // range.
        let half_range = max / 2.0 - min / 2.0;
        let scale = (BUCKETS as f64 - 1.0) / 2.0 / half_range;
        // A zero, subnormal or inverted range: everything in bucket 0.
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            0.0
        };
        let mut b = Buckets {
            min,
            scale,
            counts: vec![0; BUCKETS],
        };
        // Counted in u32 lanes, added to the counts before they could
        // overflow.
        let mut lanes = vec![0u32; LANES * BUCKETS];
        let mut pending = 0usize;
        for block in parts.iter().flat_map(|p| p.chunks(u32::MAX as usize)) {
            if pending + block.len() > u32::MAX as usize {
                b.take_lanes(&mut lanes);
                pending = 0;
            }
            pending += block.len();
            let mut quads = block.chunks_exact(LANES);
            for quad in &mut quads {
                for (k, &x) in quad.iter().enumerate() {
                    lanes[k * BUCKETS + b.of(x)] += 1;
                }
            }
            for &x in quads.remainder() {
                lanes[b.of(x)] += 1;
            }
        }
        b.take_lanes(&mut lanes);
        b
    }

    /// Add the lanes' counts to the buckets' and clear the lanes.
    fn take_lanes(&mut self, lanes: &mut [u32]) {
        for (i, c) in self.counts.iter_mut().enumerate() {
            *c += (0..LANES)
                .map(|k| lanes[k * BUCKETS + i] as usize)
                .sum::<usize>();
        }
        lanes.fill(0);
    }

    /// The bucket of `x`: monotone in `x`.
    #[inline(always)]
    fn of(&self, x: f64) -> usize {
        // Clamped to the table before truncation (which then cannot
        // overflow); both clamps are monotone, and NaN (0 times an
        // infinite difference) goes to bucket 0.
        let top = (BUCKETS - 1) as f64;
        let i = (x - self.min) * self.scale;
        let i = if i > 0.0 { i } else { 0.0 };
        (if i < top { i } else { top }) as u32 as usize
    }

    /// The bucket holding the value of `rank` and how many values lie in
    /// lower buckets.
    fn locate(&self, rank: usize) -> (usize, usize) {
        let mut below = 0usize;
        for (b, &c) in self.counts.iter().enumerate() {
            if rank < below + c {
                return (b, below);
            }
            below += c;
        }
        unreachable!("rank {rank} beyond {below} values")
    }

    /// The values of `parts` in bucket `b`.
    fn gather(&self, parts: &[&[f64]], b: usize) -> Vec<f64> {
        self.gather_many::<1>(parts, [b]).pop().unwrap_or_default()
    }

    /// The values of `values` in each of the buckets `targets`, in one
    /// pass and branch-free: for a bucket holding a good share of the
    /// values, whether each belongs is a coin toss no branch predictor
    /// could learn. Each value is written to every output and kept where
    /// it belongs.
    fn gather_many<const K: usize>(&self, parts: &[&[f64]], targets: [usize; K]) -> Vec<Vec<f64>> {
        let mut outs: [Vec<f64>; K] =
            std::array::from_fn(|k| vec![0.0; self.counts[targets[k]] + 1]);
        let mut len = [0usize; K];
        for &x in parts.iter().flat_map(|p| p.iter()) {
            let b = self.of(x);
            for k in 0..K {
                outs[k][len[k]] = x;
                len[k] += usize::from(b == targets[k]);
            }
        }
        outs.into_iter()
            .zip(len)
            .map(|(mut v, n)| {
                v.truncate(n);
                v
            })
            .collect()
    }

    /// [`Buckets::gather_many`] for any number of distinct buckets.
    fn gather_all(&self, parts: &[&[f64]], targets: &[usize]) -> Vec<Vec<f64>> {
        match *targets {
            [a] => self.gather_many(parts, [a]),
            [a, b] => self.gather_many(parts, [a, b]),
            [a, b, c] => self.gather_many(parts, [a, b, c]),
            [a, b, c, d] => self.gather_many(parts, [a, b, c, d]),
            _ => targets
                .chunks(4)
                .flat_map(|c| self.gather_all(parts, c))
                .collect(),
        }
    }
}

/// The value of rank `r` among `values`: small sets are selected
/// directly; larger ones are bucketed again by their own range, and only
/// the bucket holding the rank is kept, so a point mass (many equal
/// values, as annual supply has at its undisrupted level) is isolated in a
/// bucket of equal values within a level or two.
fn select_rank(values: &[f64], r: usize) -> f64 {
    let first = values[0];
    if values.iter().all(|x| x.to_bits() == first.to_bits()) {
        return first;
    }
    if values.len() > SMALL {
        let buckets = Buckets::new(&[values], None);
        let (b, below) = buckets.locate(r);
        // Bucketing separates these values unless their range is too
        // narrow to scale (or they are zeros of both signs).
        if buckets.counts[b] < values.len() {
            return select_rank(&buckets.gather(&[values], b), r - below);
        }
    }
    let mut v = values.to_vec();
    *v.select_nth_unstable_by(r, f64::total_cmp).1
}

/// The values at the 0-based `ranks` of `values` in ascending
/// [`f64::total_cmp`] order, in the order the ranks are given. Every rank
/// must be below `values.len()`, and every value finite.
pub fn order_statistics(values: &[f64], ranks: &[usize]) -> Vec<f64> {
    order_statistics_within(values, ranks, None)
}

/// [`order_statistics`] given where the values (mostly) lie, which saves
/// a pass over them: `range` only sizes the buckets, so values outside it
/// still give exact results.
pub fn order_statistics_within(
    values: &[f64],
    ranks: &[usize],
    range: Option<(f64, f64)>,
) -> Vec<f64> {
    let n = values.len();
    assert!(ranks.iter().all(|&r| r < n), "rank beyond {n} values");
    order_statistics_bucketed(&[values], ranks, range)
}

/// [`order_statistics_within`] of the values of `parts` taken together,
/// few values are sorted, more are bucketed (two passes over the parts, none copied).
fn order_statistics_bucketed(
    parts: &[&[f64]],
    ranks: &[usize],
    range: Option<(f64, f64)>,
) -> Vec<f64> {
    if parts.iter().map(|p| p.len()).sum::<usize>() <= SMALL {
        let mut sorted = parts.concat();
        sorted.sort_unstable_by(f64::total_cmp);
        return ranks.iter().map(|&r| sorted[r]).collect();
    }
    let buckets = Buckets::new(parts, range);
    // Each rank's bucket and its rank within; each bucket gathered once.
    let located: Vec<(usize, usize)> = ranks
        .iter()
        .map(|&r| {
            let (b, below) = buckets.locate(r);
            (b, r - below)
        })
        .collect();
    let mut targets: Vec<usize> = located.iter().map(|&(b, _)| b).collect();
    targets.sort_unstable();
    targets.dedup();
    let bins = buckets.gather_all(parts, &targets);
    located
        .iter()
        .map(|&(b, r)| {
            let slot = targets.binary_search(&b).unwrap_or_default();
            select_rank(&bins[slot], r)
        })
        .collect()
}

/// The values of rank `from` and above, sorted ascending by
/// [`f64::total_cmp`] (empty when `from >= values.len()`). Every value
/// must be finite.
pub fn top_sorted(values: &[f64], from: usize) -> Vec<f64> {
    top_sorted_within(values, from, None)
}

/// [`top_sorted`] given where the values (mostly) lie (see
/// [`order_statistics_within`]).
pub fn top_sorted_within(values: &[f64], from: usize, range: Option<(f64, f64)>) -> Vec<f64> {
    let n = values.len();
    if from >= n {
        return Vec::new();
    }
    // Candidates, and how many values below `from` they still hold.
    let (mut top, skip) = if n <= SMALL {
        (values.to_vec(), from)
    } else {
        // Everything from the bucket holding rank `from` upwards.
        let buckets = Buckets::new(&[values], range);
        let (b, below) = buckets.locate(from);
        // Branch-free, as in `gather_many`.
        let mut kept = vec![0.0; n - below + 1];
        let mut len = 0;
        for &x in values {
            kept[len] = x;
            len += usize::from(buckets.of(x) >= b);
        }
        kept.truncate(len);
        (kept, from - below)
    };
    top.select_nth_unstable_by(skip, f64::total_cmp);
    top.drain(..skip);
    top.sort_unstable_by(f64::total_cmp);
    top
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::StreamRng;
    use rand::{RngExt, SeedableRng};

    fn sorted(v: &[f64]) -> Vec<f64> {
        let mut s = v.to_vec();
        s.sort_unstable_by(f64::total_cmp);
        s
    }

    /// Large arrays of several shapes: spread, clustered in one binade,
    /// with a heavy point mass at zero, with negatives and -0.0, constant.
    fn cases() -> Vec<Vec<f64>> {
        let mut rng = StreamRng::seed_from_u64(5);
        let n = 50_000;
        let spread: Vec<f64> = (0..n).map(|_| rng.random::<f64>() * 1e6).collect();
        let clustered: Vec<f64> = (0..n).map(|_| 2048.0 + rng.random::<f64>()).collect();
        let zeros: Vec<f64> = (0..n)
            .map(|i| if i % 10 < 7 { 0.0 } else { rng.random::<f64>() })
            .collect();
        let signed: Vec<f64> = (0..n)
            .map(|i| match i % 5 {
                0 => -0.0,
                1 => 0.0,
                _ => rng.random::<f64>() - 0.5,
            })
            .collect();
        vec![
            spread,
            clustered,
            zeros,
            signed,
            vec![3.5; n],
            vec![1.0, 2.0],
        ]
    }

    #[test]
    fn order_statistics_equal_those_of_a_full_sort() {
        for v in cases() {
            let s = sorted(&v);
            let n = v.len();
            let ranks: Vec<usize> = [0, 1, n / 20, n / 2, n / 2 + 1, n - n / 100, n - 1]
                .into_iter()
                .filter(|&r| r < n)
                .collect();
            let got = order_statistics(&v, &ranks);
            for (&r, g) in ranks.iter().zip(&got) {
                assert_eq!(g.to_bits(), s[r].to_bits(), "rank {r} of {n}");
            }
            // Any range hint gives the same answers: fitting, too narrow
            // (values outside it), far off, inverted.
            for hint in [(s[0], s[n - 1]), (0.3, 0.4), (1e9, 2e9), (1.0, -1.0)] {
                let got = order_statistics_within(&v, &ranks, Some(hint));
                for (&r, g) in ranks.iter().zip(&got) {
                    assert_eq!(g.to_bits(), s[r].to_bits(), "rank {r} of {n}, {hint:?}");
                }
            }
        }
    }

    #[test]
    fn top_sorted_equals_the_tail_of_a_full_sort() {
        for v in cases() {
            let s = sorted(&v);
            let n = v.len();
            for from in [0, n / 2, n - n.div_ceil(20), n - 1, n] {
                let top = top_sorted(&v, from);
                let bits = |x: &[f64]| x.iter().map(|y| y.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&top), bits(&s[from..]), "from {from} of {n}");
                let hinted = top_sorted_within(&v, from, Some((0.3, 0.4)));
                assert_eq!(
                    bits(&hinted),
                    bits(&s[from..]),
                    "from {from} of {n}, hinted"
                );
            }
        }
    }

    #[test]
    fn extreme_ranges_stay_inside_the_table() {
        let mut v = vec![0.0; SMALL + 10];
        v[0] = -f64::MAX;
        v[1] = f64::MAX;
        v[2] = 1e-310;
        let s = sorted(&v);
        let ranks = [0, 1, 2, SMALL, SMALL + 9];
        let got = order_statistics(&v, &ranks);
        for (&r, g) in ranks.iter().zip(&got) {
            assert_eq!(g.to_bits(), s[r].to_bits(), "rank {r}");
        }
        assert_eq!(top_sorted(&v, SMALL + 8), vec![1e-310, f64::MAX]);
    }
}
