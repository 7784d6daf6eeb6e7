//! Exact order statistics of large arrays without sorting or copying them.
//!
//! A run of a million trials keeps a million values per year and mineral,
//! and the summary needs a few order statistics of each (quantiles, and
//! the top 5% for CVaR). Selecting in place would reorder the caller's
//! array, so it would need a copy; sorting costs `n log n`. Instead, one
//! pass counts the values per bucket of the top 16 bits of an
//! order-preserving integer key, a second pass gathers only the buckets
//! that hold the wanted ranks, and selection finishes inside them. The
//! answers are exactly the values sorting by [`f64::total_cmp`] would put
//! at those ranks.

/// Arrays at most this long are simply copied and sorted.
const SMALL: usize = 4096;

/// Bits of the key that pick a bucket.
const BUCKET_BITS: u32 = 16;

/// An integer key with the order of [`f64::total_cmp`]: negative values
/// have all bits flipped, non-negative ones only the sign bit.
#[inline(always)]
fn key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// The bucket of `x`.
#[inline(always)]
fn bucket(x: f64) -> usize {
    (key(x) >> (64 - BUCKET_BITS)) as usize
}

/// Number of values in each bucket.
fn histogram(values: &[f64]) -> Vec<u64> {
    let mut hist = vec![0u64; 1 << BUCKET_BITS];
    for &x in values {
        hist[bucket(x)] += 1;
    }
    hist
}

/// The bucket holding the value of `rank` and how many values lie in
/// lower buckets.
fn locate(hist: &[u64], rank: usize) -> (usize, usize) {
    let mut below = 0usize;
    for (b, &c) in hist.iter().enumerate() {
        let c = c as usize;
        if rank < below + c {
            return (b, below);
        }
        below += c;
    }
    unreachable!("rank {rank} beyond {below} values")
}

/// The values at the 0-based `ranks` of `values` in ascending
/// [`f64::total_cmp`] order, in the order the ranks are given. Every rank
/// must be below `values.len()`.
pub fn order_statistics(values: &[f64], ranks: &[usize]) -> Vec<f64> {
    let n = values.len();
    assert!(ranks.iter().all(|&r| r < n), "rank beyond {n} values");
    if n <= SMALL {
        let mut sorted = values.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        return ranks.iter().map(|&r| sorted[r]).collect();
    }
    let hist = histogram(values);
    // Each wanted bucket gets a slot; each rank, its slot and its rank
    // within the bucket.
    let mut slot_of = vec![usize::MAX; 1 << BUCKET_BITS];
    let mut bins: Vec<Vec<f64>> = Vec::new();
    let wanted: Vec<(usize, usize)> = ranks
        .iter()
        .map(|&r| {
            let (b, below) = locate(&hist, r);
            if slot_of[b] == usize::MAX {
                slot_of[b] = bins.len();
                bins.push(Vec::with_capacity(hist[b] as usize));
            }
            (slot_of[b], r - below)
        })
        .collect();
    for &x in values {
        let s = slot_of[bucket(x)];
        if s != usize::MAX {
            bins[s].push(x);
        }
    }
    wanted
        .iter()
        .map(|&(s, r)| *bins[s].select_nth_unstable_by(r, f64::total_cmp).1)
        .collect()
}

/// The values of rank `from` and above, sorted ascending by
/// [`f64::total_cmp`] (empty when `from >= values.len()`).
pub fn top_sorted(values: &[f64], from: usize) -> Vec<f64> {
    let n = values.len();
    if from >= n {
        return Vec::new();
    }
    // Candidates, and how many values below `from` they still hold.
    let (mut top, skip) = if n <= SMALL {
        (values.to_vec(), from)
    } else {
        // Everything from the bucket holding rank `from` upwards.
        let (b, below) = locate(&histogram(values), from);
        let kept: Vec<f64> = values.iter().copied().filter(|&x| bucket(x) >= b).collect();
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
            }
        }
    }

    #[test]
    fn keys_order_like_total_cmp() {
        let xs = [-1e300, -2.0, -0.5, -0.0, 0.0, 1e-310, 0.5, 2.0, 1e300];
        for w in xs.windows(2) {
            assert!(key(w[0]) < key(w[1]), "{} {}", w[0], w[1]);
        }
    }
}
