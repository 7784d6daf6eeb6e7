//! Exact order statistics in one pass, for values whose first part is a
//! random sample of the whole (as a run's trials are: independent and
//! identically distributed).
//!
//! A sorted sample places each wanted rank in a window of values that
//! holds it with near certainty (eight binomial standard deviations either
//! side of the rank's place in the sample). A [`WindowTally`] then counts
//! the values below each window and gathers those inside it, branch-free,
//! from one array or chunk by chunk as values are produced. If each rank
//! falls inside its window, its value is the matching order statistic of
//! the gathered values: every value below a window is smaller than every
//! value in it, which is smaller than every value above. The check is
//! exact, so values whose start is not a fair sample only cost the caller's
//! fallback, never a wrong answer.

use super::select_rank;

/// Sample size the windows are placed from when the values are in memory.
pub const SAMPLE: usize = 16_384;

/// Most windows one tally handles (ranks whose windows overlap share one).
const MAX_WINDOWS: usize = 4;

/// Values handled between checks that the gathered values stay within
/// their room.
const BLOCK: usize = 4_096;

/// Windows of values around the ranks wanted among `n` values.
#[derive(Debug, Clone)]
pub struct RankWindows {
    /// The ranks wanted, in the caller's order.
    ranks: Vec<usize>,
    /// The window of each rank.
    which: Vec<usize>,
    /// Lowest value of each window (ascending, windows disjoint).
    lows: Vec<f64>,
    /// Highest value of each window.
    highs: Vec<f64>,
    /// Most values a window may gather (three times what the sample
    /// predicts, and a block more) before the tally gives up.
    room: Vec<usize>,
}

impl RankWindows {
    /// Windows for `ranks` (each below `n`) of `n` values whose random
    /// sample is `sample`; `None` when the sample is empty or the ranks
    /// need more than four separate windows.
    pub fn from_sample(sample: &[f64], n: usize, ranks: &[usize]) -> Option<Self> {
        let m = sample.len();
        if m == 0 || n == 0 {
            return None;
        }
        let mut sorted = sample.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        // Each rank's place in the sample and a span of eight binomial
        // standard deviations (and a few places) either side; spans merged
        // where they overlap (a quantile's two neighbouring ranks share one).
        let spans_of: Vec<(usize, usize)> = ranks
            .iter()
            .map(|&r| {
                let p = (r as f64 + 0.5) / n as f64;
                let place = (p * m as f64) as usize;
                let slack = (8.0 * (m as f64 * p * (1.0 - p)).sqrt()) as usize + 16;
                (place.saturating_sub(slack), (place + slack).min(m - 1))
            })
            .collect();
        let mut order = spans_of.clone();
        order.sort_unstable();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for (a, b) in order {
            match spans.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => spans.push((a, b)),
            }
        }
        if spans.len() > MAX_WINDOWS {
            return None;
        }
        let which = spans_of
            .iter()
            .map(|&(a, _)| spans.iter().position(|&(s, e)| s <= a && a <= e))
            .collect::<Option<Vec<usize>>>()?;
        let lows: Vec<f64> = spans.iter().map(|&(a, _)| sorted[a]).collect();
        let highs: Vec<f64> = spans.iter().map(|&(_, b)| sorted[b]).collect();
        let room = lows
            .iter()
            .zip(&highs)
            .map(|(&lo, &hi)| {
                let first = sorted.partition_point(|&x| x < lo);
                let past = sorted.partition_point(|&x| x <= hi);
                3 * (past - first) * (n / m + 1) + BLOCK
            })
            .collect();
        Some(RankWindows {
            ranks: ranks.to_vec(),
            which,
            lows,
            highs,
            room,
        })
    }

    /// An empty tally for these windows.
    pub fn tally(&self) -> WindowTally {
        let k = self.lows.len();
        WindowTally {
            below: vec![0; k],
            inside: vec![Vec::new(); k],
            len: vec![0; k],
            overflowed: false,
        }
    }
}

/// For each window: how many values lie below it, and the values in it.
/// Tallies of parts of the values merge in any order.
#[derive(Debug, Clone, Default)]
pub struct WindowTally {
    below: Vec<usize>,
    /// Buffers whose first `len` values are the values gathered (the rest
    /// is room to write into, branch-free).
    inside: Vec<Vec<f64>>,
    len: Vec<usize>,
    /// A window gathered more than its room: the sample was not fair, and
    /// the tally no longer gathers (its answer will be `None`).
    overflowed: bool,
}

impl WindowTally {
    /// Count and gather `values`.
    pub fn add(&mut self, w: &RankWindows, values: &[f64]) {
        for block in values.chunks(BLOCK) {
            if self.overflowed {
                return;
            }
            for (buf, &len) in self.inside.iter_mut().zip(&self.len) {
                if buf.len() <= len + block.len() {
                    buf.resize((2 * buf.len()).max(len + block.len() + 1), 0.0);
                }
            }
            match w.lows.len() {
                1 => self.add_block::<1>(w, block),
                2 => self.add_block::<2>(w, block),
                3 => self.add_block::<3>(w, block),
                _ => self.add_block::<4>(w, block),
            }
            if self.len.iter().zip(&w.room).any(|(&l, &r)| l > r) {
                self.overflowed = true;
                self.inside.iter_mut().for_each(|v| *v = Vec::new());
            }
        }
    }

    /// Branch-free: for a window holding a good share of the values,
    /// whether each belongs is a coin toss no branch predictor could learn.
    /// Each value is written to every window's buffer and kept where it
    /// belongs. The buffers have room for the block.
    fn add_block<const K: usize>(&mut self, w: &RankWindows, block: &[f64]) {
        let lows: [f64; K] = std::array::from_fn(|k| w.lows[k]);
        let highs: [f64; K] = std::array::from_fn(|k| w.highs[k]);
        let mut bufs = self.inside.iter_mut();
        let outs: [&mut [f64]; K] =
            std::array::from_fn(|_| bufs.next().map_or(&mut [][..], |v| &mut v[..]));
        let mut len: [usize; K] = std::array::from_fn(|k| self.len[k]);
        let mut below = [0usize; K];
        for &x in block {
            for k in 0..K {
                below[k] += usize::from(x < lows[k]);
                outs[k][len[k]] = x;
                len[k] += usize::from(x >= lows[k] && x <= highs[k]);
            }
        }
        self.len.copy_from_slice(&len);
        for (total, b) in self.below.iter_mut().zip(below) {
            *total += b;
        }
    }

    /// Add the tally of other values (any order: counts add, and the
    /// gathered values are a multiset).
    pub fn merge(&mut self, other: WindowTally) {
        self.overflowed |= other.overflowed;
        for k in 0..self.below.len() {
            self.below[k] += other.below[k];
            let theirs = &other.inside[k][..other.len[k].min(other.inside[k].len())];
            self.inside[k].truncate(self.len[k]);
            self.inside[k].extend_from_slice(theirs);
            self.len[k] = self.inside[k].len();
        }
    }

    /// The values at the windows' ranks (in the order given), or `None`
    /// if a rank fell outside its window or a window overflowed.
    pub fn finish(&self, w: &RankWindows) -> Option<Vec<f64>> {
        if self.overflowed || self.len.iter().zip(&w.room).any(|(&l, &r)| l > r) {
            return None;
        }
        w.ranks
            .iter()
            .zip(&w.which)
            .map(|(&r, &k)| {
                let within = r.checked_sub(self.below[k])?;
                let inside = &self.inside[k][..self.len[k]];
                (within < inside.len()).then(|| select_rank(inside, within))
            })
            .collect()
    }
}

/// The values at `ranks` of `values`, windows placed from its first
/// [`SAMPLE`] values; `None` when the array is too short for that to pay,
/// or a rank fell outside its window.
pub fn order_statistics(values: &[f64], ranks: &[usize]) -> Option<Vec<f64>> {
    let n = values.len();
    if n < 16 * SAMPLE {
        return None;
    }
    let w = RankWindows::from_sample(&values[..SAMPLE], n, ranks)?;
    let mut tally = w.tally();
    tally.add(&w, values);
    tally.finish(&w)
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

    #[test]
    fn tallies_of_parts_merged_in_any_order_equal_a_sort() {
        let mut rng = StreamRng::seed_from_u64(21);
        let n = 300_000;
        // Spread values with a point mass at the top, as annual supply has.
        let v: Vec<f64> = (0..n)
            .map(|i| {
                if i % 7 == 0 {
                    500.0
                } else {
                    rng.random::<f64>() * 500.0
                }
            })
            .collect();
        let s = sorted(&v);
        let ranks = [n / 20, n / 20 + 1, n / 2, n / 2 + 1, n - n / 20, n - 1];
        let w = RankWindows::from_sample(&v[..SAMPLE], n, &ranks).unwrap();
        // Uneven parts, merged last to first.
        let mut cuts = vec![0, 1, 1_000, 77_777, 150_000, 299_999, n];
        cuts.dedup();
        let mut parts: Vec<WindowTally> = cuts
            .windows(2)
            .map(|c| {
                let mut t = w.tally();
                t.add(&w, &v[c[0]..c[1]]);
                t
            })
            .collect();
        let mut merged = parts.pop().unwrap();
        while let Some(t) = parts.pop() {
            merged.merge(t);
        }
        let got = merged.finish(&w).expect("a fair sample places every rank");
        for (&r, g) in ranks.iter().zip(&got) {
            assert_eq!(g.to_bits(), s[r].to_bits(), "rank {r}");
        }
    }

    #[test]
    fn an_unfair_sample_gives_no_answer_rather_than_a_wrong_one() {
        let n = 300_000;
        let v: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let ranks = [n / 2];
        // Windows placed from the lowest values miss the median.
        let w = RankWindows::from_sample(&v[..SAMPLE], n, &ranks).unwrap();
        let mut t = w.tally();
        t.add(&w, &v);
        assert!(t.finish(&w).is_none());
        // And from a fair sample (every 18th value), it is found.
        let fair: Vec<f64> = v.iter().step_by(18).copied().collect();
        let w = RankWindows::from_sample(&fair, n, &ranks).unwrap();
        let mut t = w.tally();
        t.add(&w, &v);
        assert_eq!(t.finish(&w), Some(vec![(n / 2) as f64]));
    }
}
