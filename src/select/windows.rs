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
//!
//! A window of a single value (a point mass in the sample, as annual supply
//! has at its undisrupted level, or a mineral whose supply never varies)
//! is counted instead of gathered: the values below it and those not above
//! it place its ranks, and no memory is spent on copies of one number.

use super::{order_statistics_bucketed, select_rank};

/// Sample size the windows are placed from when the values are in memory.
pub const SAMPLE: usize = 16_384;

/// Most thresholds one tally handles: three windows, even if each is a
/// point mass (two thresholds each).
const MAX_SLOTS: usize = 6;

/// Values handled between checks that the gathered values stay within
/// their room.
const BLOCK: usize = 4_096;

/// How a tally treats one window of values.
#[derive(Debug, Clone, Copy)]
enum Window {
    /// Values in the window are gathered (in slot `slot`).
    Range { slot: usize },
    /// The window is a single value, `value`, carried by many equal values
    /// (a point mass, as annual supply has at its undisrupted level): they
    /// are counted, not gathered. Slot `slot` counts the values below it,
    /// slot `slot + 1` those not above it.
    Point { slot: usize, value: f64 },
}

/// Windows of values around the ranks wanted among `n` values.
#[derive(Debug, Clone)]
pub struct RankWindows {
    /// The ranks wanted, in the caller's order.
    ranks: Vec<usize>,
    /// The window of each rank.
    which: Vec<usize>,
    /// The windows, ascending and disjoint.
    windows: Vec<Window>,
    /// Per slot: a tally counts the values below `lows[s]` and gathers
    /// those in `lows[s] ..= highs[s]` (none, for a point's slots).
    lows: Vec<f64>,
    highs: Vec<f64>,
    /// Most values a slot may gather (three times what the sample
    /// predicts, and a block more) before the tally gives up.
    room: Vec<usize>,
    /// With a tail: its first rank and the slot of the (last) window that
    /// gathers every value from some way below that rank upwards.
    tail: Option<(usize, usize)>,
}

/// The next float above a finite, non-zero `v` (`f64::next_up` is newer
/// than this crate's minimum Rust).
fn next_above(v: f64) -> f64 {
    let bits = v.to_bits();
    f64::from_bits(if v > 0.0 { bits + 1 } else { bits - 1 })
}

impl RankWindows {
    /// Windows for `ranks` (each below `n`) of `n` values whose random
    /// sample is `sample`; `None` when the sample is empty or the ranks
    /// need more than three separate windows.
    pub fn from_sample(sample: &[f64], n: usize, ranks: &[usize]) -> Option<Self> {
        Self::place(sample, n, ranks, None)
    }

    /// [`RankWindows::from_sample`] that also finds every value from rank
    /// `tail` (below `n`) up, sorted ([`WindowTally::finish_with_tail`]):
    /// the last window then gathers everything from a little below that
    /// rank upwards, however large.
    pub fn with_tail(sample: &[f64], n: usize, ranks: &[usize], tail: usize) -> Option<Self> {
        Self::place(sample, n, ranks, Some(tail))
    }

    fn place(sample: &[f64], n: usize, ranks: &[usize], tail: Option<usize>) -> Option<Self> {
        let m = sample.len();
        if m == 0 || n == 0 || tail.is_some_and(|t| t >= n) {
            return None;
        }
        let mut sorted = sample.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        // Each rank's place in the sample and a span of eight binomial
        // standard deviations (and a few places) either side; spans merged
        // where they overlap (a quantile's two neighbouring ranks share one).
        let span = |r: usize| {
            let p = (r as f64 + 0.5) / n as f64;
            let place = (p * m as f64) as usize;
            let slack = (8.0 * (m as f64 * p * (1.0 - p)).sqrt()) as usize + 16;
            (place.saturating_sub(slack), (place + slack).min(m - 1))
        };
        let spans_of: Vec<(usize, usize)> = ranks.iter().map(|&r| span(r)).collect();
        // The tail's span reaches the top of the sample.
        let tail_span = tail.map(|t| (span(t).0, m - 1));
        let mut order = spans_of.clone();
        order.extend(tail_span);
        order.sort_unstable();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for (a, b) in order {
            match spans.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => spans.push((a, b)),
            }
        }
        // Their values, merged again where they meet (one point mass can
        // hold several spans).
        let mut values: Vec<(f64, f64)> = Vec::new();
        let mut merged_into = Vec::with_capacity(spans.len());
        for &(a, b) in &spans {
            let (lo, hi) = (sorted[a], sorted[b]);
            match values.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => values.push((lo, hi)),
            }
            merged_into.push(values.len() - 1);
        }
        let which = spans_of
            .iter()
            .map(|&(a, _)| {
                let span = spans.iter().position(|&(s, e)| s <= a && a <= e)?;
                Some(merged_into[span])
            })
            .collect::<Option<Vec<usize>>>()?;
        let (mut windows, mut lows, mut highs, mut room) = (vec![], vec![], vec![], vec![]);
        let last = values.len() - 1;
        let mut tail_slot = None;
        for (k, &(lo, mut hi)) in values.iter().enumerate() {
            // The tail's window (the last: its span reaches the top)
            // gathers every value from its low end up.
            let is_tail = tail.is_some() && k == last;
            // A zero is left to gathering: -0.0 and 0.0 compare equal but
            // sort apart.
            if lo.to_bits() == hi.to_bits() && lo != 0.0 && !is_tail {
                windows.push(Window::Point {
                    slot: lows.len(),
                    value: lo,
                });
                lows.extend([lo, next_above(lo)]);
                highs.extend([f64::NEG_INFINITY; 2]);
                room.extend([BLOCK; 2]);
            } else {
                windows.push(Window::Range { slot: lows.len() });
                let first = sorted.partition_point(|&x| x < lo);
                let past = sorted.partition_point(|&x| x <= hi);
                if is_tail {
                    tail_slot = Some(lows.len());
                    hi = f64::INFINITY;
                }
                lows.push(lo);
                highs.push(hi);
                room.push(3 * (past - first) * (n / m + 1) + BLOCK);
            }
        }
        if lows.len() > MAX_SLOTS {
            return None;
        }
        Some(RankWindows {
            ranks: ranks.to_vec(),
            which,
            windows,
            lows,
            highs,
            room,
            tail: tail.zip(tail_slot),
        })
    }

    /// The places, among the ranks, of the ranks window `k` holds.
    fn ranks_in(&self, k: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.ranks.len()).filter(move |&i| self.which[i] == k)
    }

    /// The slots of the windows that gather their values (not points).
    fn gathering(&self) -> impl Iterator<Item = usize> + '_ {
        self.windows.iter().filter_map(|w| match *w {
            Window::Range { slot } => Some(slot),
            Window::Point { .. } => None,
        })
    }

    /// An empty tally for these windows.
    pub fn tally(&self) -> WindowTally {
        let k = self.lows.len();
        WindowTally {
            below: vec![0; k],
            inside: vec![Vec::new(); k],
            len: vec![0; k],
            merged: vec![Vec::new(); k],
            overflowed: false,
        }
    }
}

/// For each slot of the windows: how many values lie below it, and the
/// values in it. Tallies of parts of the values merge in any order.
#[derive(Debug, Clone, Default)]
pub struct WindowTally {
    below: Vec<usize>,
    /// Buffers whose first `len` values are the values gathered (the rest
    /// is room to write into, branch-free).
    inside: Vec<Vec<f64>>,
    len: Vec<usize>,
    /// Per slot: the values gathered by the tallies merged into this one,
    /// as they gathered them (a merge copies nothing).
    merged: Vec<Vec<Vec<f64>>>,
    /// A slot gathered more than its room: the sample was not fair, and
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
            // Room for the block where values are gathered: the Vec's
            // capacity grows by doubling, and only the new room is zeroed.
            for slot in w.gathering() {
                let (buf, len) = (&mut self.inside[slot], self.len[slot]);
                if buf.len() <= len + block.len() {
                    buf.resize(len + block.len() + 1, 0.0);
                }
            }
            self.add_block(w, block);
            if self.len.iter().zip(&w.room).any(|(&l, &r)| l > r) {
                self.overflowed = true;
                self.inside.iter_mut().for_each(|v| *v = Vec::new());
            }
        }
    }

    /// Two branch-free passes: each slot's count of values below it (a
    /// comparison the compiler vectorises), then, for each window that
    /// gathers, every value written to its buffer and kept where it belongs
    /// (whether a value belongs is a coin toss no branch predictor could
    /// learn). The buffers have room for the block.
    fn add_block(&mut self, w: &RankWindows, block: &[f64]) {
        for (below, &low) in self.below.iter_mut().zip(&w.lows) {
            *below += block.iter().map(|&x| usize::from(x < low)).sum::<usize>();
        }
        for slot in w.gathering() {
            let (low, high) = (w.lows[slot], w.highs[slot]);
            // A slice, so that its start and length stay in registers
            // (through a `Vec`, both are reloaded after every store).
            let out: &mut [f64] = &mut self.inside[slot];
            let mut len = self.len[slot];
            for &x in block {
                out[len] = x;
                len += usize::from(x >= low && x <= high);
            }
            self.len[slot] = len;
        }
    }

    /// Add the tally of other values (any order: counts add, and the
    /// gathered values are a multiset).
    pub fn merge(&mut self, other: WindowTally) {
        self.overflowed |= other.overflowed;
        let theirs = other.inside.into_iter().zip(other.len).zip(other.merged);
        for (k, ((mut inside, len), mut merged)) in theirs.enumerate() {
            self.below[k] += other.below[k];
            // (An overflowed tally's buffers are empty.)
            inside.truncate(len);
            if !inside.is_empty() {
                self.merged[k].push(inside);
            }
            self.merged[k].append(&mut merged);
        }
    }

    /// How many values slot `k` gathered, merged tallies' included.
    fn gathered(&self, k: usize) -> usize {
        self.len[k] + self.merged[k].iter().map(Vec::len).sum::<usize>()
    }

    /// The values slot `k` gathered, its own and merged tallies', in parts.
    fn parts(&self, k: usize) -> Vec<&[f64]> {
        let own = &self.inside[k][..self.len[k]];
        std::iter::once(own)
            .chain(self.merged[k].iter().map(Vec::as_slice))
            .collect()
    }

    /// The values at the windows' ranks (in the order given), or `None`
    /// if a rank fell outside its window or a window overflowed.
    pub fn finish(&self, w: &RankWindows) -> Option<Vec<f64>> {
        self.check(w)?;
        let mut out = vec![0.0; w.ranks.len()];
        for k in 0..w.windows.len() {
            for (i, v) in self.window_values(w, k)? {
                out[i] = v;
            }
        }
        Some(out)
    }

    /// [`WindowTally::finish`] for windows placed with a tail
    /// ([`RankWindows::with_tail`]): the values at the ranks, and every
    /// value from the tail's rank up, sorted ascending by
    /// [`f64::total_cmp`]. `None` as for `finish`, or if the tail's rank
    /// fell below its window, or the windows have no tail.
    pub fn finish_with_tail(mut self, w: &RankWindows) -> Option<(Vec<f64>, Vec<f64>)> {
        self.check(w)?;
        let (from, tail_slot) = w.tail?;
        let below = self.below[tail_slot];
        // Every value from the window's low end up is in it, so the tail
        // is its values from place `within` up.
        let within = from.checked_sub(below)?;
        let mut lower = std::mem::take(&mut self.inside[tail_slot]);
        lower.truncate(self.len[tail_slot]);
        lower.reserve(self.gathered(tail_slot) - lower.len());
        self.merged[tail_slot]
            .iter()
            .for_each(|v| lower.extend_from_slice(v));
        if within >= lower.len() {
            return None;
        }
        lower.select_nth_unstable_by(within, f64::total_cmp);
        let mut top = lower.split_off(within);
        top.sort_unstable_by(f64::total_cmp);
        let mut out = vec![0.0; w.ranks.len()];
        for k in 0..w.windows.len() {
            if matches!(w.windows[k], Window::Range { slot } if slot == tail_slot) {
                for i in w.ranks_in(k) {
                    let r = w.ranks[i];
                    out[i] = match r.checked_sub(from) {
                        Some(j) => top[j],
                        // Below the tail, within the window: among the rest.
                        None => select_rank(&lower, r.checked_sub(below)?),
                    };
                }
            } else {
                for (i, v) in self.window_values(w, k)? {
                    out[i] = v;
                }
            }
        }
        Some((out, top))
    }

    /// `Some` unless the tally overflowed (its windows were misplaced).
    fn check(&self, w: &RankWindows) -> Option<()> {
        let fits = (0..self.len.len()).all(|k| self.gathered(k) <= w.room[k]);
        (!self.overflowed && fits).then_some(())
    }

    /// The values of the ranks window `k` holds, each with its place
    /// among the ranks; `None` if one fell outside the window. A window's
    /// ranks (a quantile's two neighbours) are selected together: one pass
    /// counts the gathered values in buckets of the window's range, a
    /// second gathers the buckets that hold the ranks.
    fn window_values(&self, w: &RankWindows, k: usize) -> Option<Vec<(usize, f64)>> {
        let mine: Vec<usize> = w.ranks_in(k).collect();
        if mine.is_empty() {
            return Some(Vec::new());
        }
        match w.windows[k] {
            Window::Range { slot } => {
                let inside = self.parts(slot);
                let gathered = self.gathered(slot);
                let local = mine
                    .iter()
                    .map(|&i| {
                        let within = w.ranks[i].checked_sub(self.below[slot])?;
                        (within < gathered).then_some(within)
                    })
                    .collect::<Option<Vec<usize>>>()?;
                let range = (w.lows[slot], w.highs[slot]);
                let range = Some(range).filter(|(_, high)| high.is_finite());
                let values = order_statistics_bucketed(&inside, &local, range);
                Some(mine.into_iter().zip(values).collect())
            }
            Window::Point { slot, value } => mine
                .into_iter()
                .map(|i| {
                    let r = w.ranks[i];
                    (self.below[slot] <= r && r < self.below[slot + 1]).then_some((i, value))
                })
                .collect(),
        }
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
    fn point_masses_are_counted_not_gathered() {
        let mut rng = StreamRng::seed_from_u64(4);
        let n = 300_000;
        let cases: [(&str, Vec<f64>); 4] = [
            // Undisrupted supply: a mass at the top holding p50 and p95.
            (
                "top",
                (0..n)
                    .map(|i| {
                        if i % 5 < 3 {
                            1915.2
                        } else {
                            rng.random::<f64>() * 1900.0
                        }
                    })
                    .collect(),
            ),
            ("constant", vec![-7.25; n]),
            // Zeros are gathered (-0.0 and 0.0 compare equal), still exactly.
            (
                "zeros",
                (0..n)
                    .map(|i| match i % 10 {
                        0..=5 => 0.0,
                        6 => -0.0,
                        _ => rng.random::<f64>(),
                    })
                    .collect(),
            ),
            // Two masses next to each other, each holding a quantile.
            (
                "two",
                (0..n)
                    .map(|i| if i % 2 == 0 { 1.0 } else { 1.0 + f64::EPSILON })
                    .collect(),
            ),
        ];
        for (name, v) in cases {
            let s = sorted(&v);
            let ranks = [
                n / 20,
                n / 20 + 1,
                n / 2,
                n / 2 + 1,
                n - n / 20,
                n - n / 20 + 1,
            ];
            let w = RankWindows::from_sample(&v[..SAMPLE], n, &ranks).unwrap();
            let mut t = w.tally();
            t.add(&w, &v);
            let got = t.finish(&w).expect("a fair sample");
            for (&r, g) in ranks.iter().zip(&got) {
                assert_eq!(g.to_bits(), s[r].to_bits(), "{name} rank {r}");
            }
            // A window of one non-zero value gathers nothing (a window
            // spanning two masses, or zeros, gathers them).
            let gathered: usize = t.len.iter().sum();
            if name == "top" || name == "constant" {
                assert!(gathered < n / 10, "{name}: {gathered} values gathered");
            }
        }
    }

    #[test]
    fn a_tail_is_every_value_from_its_rank_up_sorted() {
        let mut rng = StreamRng::seed_from_u64(8);
        let n = 300_000;
        let cases: [(&str, Vec<f64>); 3] = [
            // Horizon totals: a mass of zeros, a long upper tail.
            (
                "totals",
                (0..n)
                    .map(|i| {
                        if i % 3 == 0 {
                            0.0
                        } else {
                            let u: f64 = rng.random();
                            -(1.0 - u).ln() * 50.0
                        }
                    })
                    .collect(),
            ),
            // A point mass at the top: the tail is never a point window.
            (
                "mass",
                (0..n)
                    .map(|i| if i % 4 == 0 { rng.random() } else { 9.5 })
                    .collect(),
            ),
            ("constant", vec![3.25; n]),
        ];
        let k = n / 20;
        let ranks = [n / 2, n / 2 + 1, n - k - 1, n - k, n - n / 100];
        for (name, v) in cases {
            let s = sorted(&v);
            let w = RankWindows::with_tail(&v[..SAMPLE], n, &ranks, n - k).unwrap();
            let mut parts = [w.tally(), w.tally()];
            parts[0].add(&w, &v[..123_457]);
            parts[1].add(&w, &v[123_457..]);
            let [mut t, rest] = parts;
            t.merge(rest);
            let (got, top) = t.finish_with_tail(&w).expect("a fair sample");
            for (&r, g) in ranks.iter().zip(&got) {
                assert_eq!(g.to_bits(), s[r].to_bits(), "{name} rank {r}");
            }
            let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&top), bits(&s[n - k..]), "{name}");
        }
        // Placed from the lowest values, the tail's window would gather
        // nearly every value (more than its room); placed from the
        // highest, it starts above the tail's rank: no answer either way.
        let v: Vec<f64> = (0..n).map(|i| i as f64).collect();
        for sample in [&v[..SAMPLE], &v[n - SAMPLE..]] {
            let w = RankWindows::with_tail(sample, n, &[], n - k).unwrap();
            let mut t = w.tally();
            t.add(&w, &v);
            assert!(t.finish_with_tail(&w).is_none());
        }
        // Windows without a tail have none to give.
        let w = RankWindows::from_sample(&v[..SAMPLE], n, &[0]).unwrap();
        assert!(w.tally().finish_with_tail(&w).is_none());
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
