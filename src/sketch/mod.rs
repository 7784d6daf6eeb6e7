//! A deterministic, mergeable quantile sketch for runs too large to keep
//! every trial's value.
//!
//! Positive values fall into *fine buckets* by their binary exponent and
//! the top [`FINE_BITS`] bits of their mantissa, so a bucket spans at most
//! 2^-12 (0.024%) of its lower bound. Fine buckets are grouped in pages of
//! 32 (one page per 2^-7 of an octave), allocated when a value first lands
//! in them, so memory follows where the values are. Pages reach from 2^-40
//! times the sketch's scale up to the largest finite value: the table of
//! pages covers 2^4 times the scale at first, and grows when a larger
//! value arrives. Values below the lowest page (less than 2^-40 of the
//! scale) share one underflow bucket: their estimates are off by less
//! than 2^-40 of the scale. Infinities share an overflow bucket. Each bucket keeps its
//! count, the smallest and largest value it has seen, and how many values
//! equal each of them. The values equal to a bucket's smallest or largest
//! are answered exactly: a point mass (such as "no disruption this year",
//! full supply) is exact unless other values lie within 2^-12 of it on
//! both sides. The values in between are estimated by interpolating
//! between the two by rank, so every estimate lies within its bucket: a
//! relative error below 2^-12. Zeros are counted exactly.
//!
//! Merging adds counts and takes minima and maxima (with the counts of
//! values equal to them): the result does not depend on the order or
//! grouping of merges, so it is identical for any number of threads and
//! any split of a run into shards.

mod batch;
mod saved;
mod signed;

pub use batch::{Batch, Grouping, BATCH};
pub use signed::SignedSketch;

use std::cmp::Ordering;

/// Mantissa bits that pick a fine bucket within an octave.
pub const FINE_BITS: u32 = 12;
/// Mantissa bits that pick a page within an octave.
const PAGE_BITS: u32 = 7;
/// Fine buckets per page.
const PAGE: usize = 1 << (FINE_BITS - PAGE_BITS);
/// Binary exponents covered below the scale, and above it before the
/// table of pages grows.
const BELOW: i32 = 40;
const ABOVE: i32 = 4;
/// Range of the lowest page's exponent: pages hold normal numbers only.
const MIN_EXP: i32 = -1022;
const MAX_EXP: i32 = 1023 - BELOW - ABOVE + 1;
/// Pages in the table at first.
const SLOTS: usize = (BELOW + ABOVE) as usize * (1 << PAGE_BITS);

/// Pages from `2^min_exp` up to the largest finite value.
fn all_slots(min_exp: i32) -> usize {
    (1024 - min_exp) as usize * (1 << PAGE_BITS)
}

/// Count and range of the values of one bucket, with how many values
/// equal the smallest and the largest (so that a point mass at either end
/// of a bucket is answered exactly).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bucket {
    count: u64,
    lo: f64,
    hi: f64,
    at_lo: u64,
    at_hi: u64,
}

impl Bucket {
    const EMPTY: Bucket = Bucket {
        count: 0,
        lo: f64::INFINITY,
        hi: f64::NEG_INFINITY,
        at_lo: 0,
        at_hi: 0,
    };

    /// Count `k` copies of `x`.
    #[inline(always)]
    fn push_n(&mut self, x: f64, k: u64) {
        self.count += k;
        // Selects, not branches: which values extend a range is random.
        let (below, at_lo) = (x < self.lo, x == self.lo);
        self.at_lo = if below {
            k
        } else {
            self.at_lo + if at_lo { k } else { 0 }
        };
        self.lo = if below { x } else { self.lo };
        let (above, at_hi) = (x > self.hi, x == self.hi);
        self.at_hi = if above {
            k
        } else {
            self.at_hi + if at_hi { k } else { 0 }
        };
        self.hi = if above { x } else { self.hi };
    }

    fn merge(&mut self, other: &Bucket) {
        self.count += other.count;
        self.at_lo = match self.lo.total_cmp(&other.lo) {
            Ordering::Less => self.at_lo,
            Ordering::Equal => self.at_lo + other.at_lo,
            Ordering::Greater => other.at_lo,
        };
        self.at_hi = match self.hi.total_cmp(&other.hi) {
            Ordering::Greater => self.at_hi,
            Ordering::Equal => self.at_hi + other.at_hi,
            Ordering::Less => other.at_hi,
        };
        self.lo = self.lo.min(other.lo);
        self.hi = self.hi.max(other.hi);
    }

    /// Estimate of the `j`-th smallest of the bucket's values (0-based):
    /// exact among the values equal to the smallest or the largest, by
    /// rank between them otherwise.
    fn at(&self, j: u64) -> f64 {
        if j < self.at_lo || self.lo == self.hi {
            self.lo
        } else if j + self.at_hi >= self.count {
            self.hi
        } else {
            // Ranks at_lo .. count - at_hi lie strictly between lo and hi.
            let inner = (self.count - self.at_lo - self.at_hi + 1) as f64;
            let k = (j + 1 - self.at_lo) as f64;
            self.lo + (self.hi - self.lo) * (k / inner)
        }
    }

    /// Sum of the estimates of the bucket's largest `t` values.
    fn top_sum(&self, t: u64) -> f64 {
        (self.count - t..self.count).map(|j| self.at(j)).sum()
    }

    /// A bucket read from a file: consistent counts and a finite range.
    fn valid(&self) -> bool {
        self.count > 0
            && self.lo > 0.0
            && self.lo <= self.hi
            && self.hi.is_finite()
            && self.at_lo >= 1
            && self.at_hi >= 1
            && if self.lo == self.hi {
                self.at_lo == self.count && self.at_hi == self.count
            } else {
                self.at_lo + self.at_hi <= self.count
            }
    }
}

/// The fine buckets of one page (count and range side by side: one
/// cache line's worth of work per value).
#[derive(Debug, Clone, PartialEq)]
struct Page {
    buckets: [Bucket; PAGE],
}

impl Page {
    fn new() -> Box<Page> {
        Box::new(Page {
            buckets: [Bucket::EMPTY; PAGE],
        })
    }

    /// Number of values in the page.
    fn total(&self) -> u64 {
        self.buckets.iter().map(|b| b.count).sum()
    }
}

/// A quantile sketch of non-negative values.
#[derive(Clone, PartialEq)]
pub struct Sketch {
    /// Exponent of the lowest page.
    min_exp: i32,
    /// Bits of `2^min_exp`, the lowest value the pages hold.
    lowest_bits: u64,
    /// Number of values.
    n: u64,
    /// Number of values <= 0.
    zero: u64,
    /// Values below the lowest page.
    under: Bucket,
    /// Infinities.
    over: Bucket,
    /// Pages, allocated when first used: [`SLOTS`] at first, more (up to
    /// [`all_slots`]) when a value lands above them.
    pages: Vec<Option<Box<Page>>>,
}

impl Sketch {
    /// A sketch for values of the order of `scale`: fine buckets cover
    /// `scale` times 2^-40 and up (2^4 and below without growing the table
    /// of pages); smaller values still count, in an underflow bucket with
    /// exact minimum and maximum.
    pub fn new(scale: f64) -> Sketch {
        let e = if scale > 0.0 && scale.is_finite() {
            exponent(scale)
        } else {
            0
        };
        // (Kept inside the normal numbers, whatever the scale.)
        let min_exp = (e - BELOW).clamp(MIN_EXP, MAX_EXP);
        Sketch {
            min_exp,
            lowest_bits: lowest_bits(min_exp),
            n: 0,
            zero: 0,
            under: Bucket::EMPTY,
            over: Bucket::EMPTY,
            pages: vec![None; SLOTS],
        }
    }

    /// Add a value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        self.place(x, 1);
    }

    /// Add values. A run of equal values (a point mass, such as full
    /// supply or a full stockpile, in consecutive trials) is placed at
    /// once: the same buckets as one at a time, without a chain of
    /// updates of one bucket.
    pub fn push_all(&mut self, xs: &[f64]) {
        self.n += xs.len() as u64;
        let mut rest = xs;
        while let Some((&x, tail)) = rest.split_first() {
            let run = 1 + tail.iter().take_while(|&&y| y == x).count() as u64;
            self.place(x, run);
            rest = &rest[run as usize..];
        }
    }

    /// Put `k` counted copies of a value into its bucket.
    #[inline(always)]
    fn place(&mut self, x: f64, k: u64) {
        // Positive values at or above the lowest page (most of them):
        // their position is a subtraction of bit patterns.
        let from = x.to_bits().wrapping_sub(self.lowest_bits) >> (52 - FINE_BITS);
        if x > 0.0 && from < (SLOTS << (FINE_BITS - PAGE_BITS)) as u64 {
            let (slot, f) = (from as usize / PAGE, from as usize % PAGE);
            self.pages[slot].get_or_insert_with(Page::new).buckets[f].push_n(x, k);
        } else {
            self.place_outside(x, k);
        }
    }

    /// Zeros, values below the pages, values above the table of pages
    /// (which grows to take them) and infinities.
    #[cold]
    fn place_outside(&mut self, x: f64, k: u64) {
        if x.is_nan() || x <= 0.0 {
            self.zero += k;
        } else if exponent(x) < self.min_exp {
            self.under.push_n(x, k);
        } else {
            let from = (x.to_bits() - self.lowest_bits) >> (52 - FINE_BITS);
            let slot = from as usize / PAGE;
            if slot < all_slots(self.min_exp) {
                if self.pages.len() <= slot {
                    self.pages.resize(slot + 1, None);
                }
                let page = self.pages[slot].get_or_insert_with(Page::new);
                page.buckets[from as usize % PAGE].push_n(x, k);
            } else {
                self.over.push_n(x, k);
            }
        }
    }

    /// Add the values of `other`, a sketch of the same scale (its pages
    /// are moved where this sketch has none).
    ///
    /// # Panics
    ///
    /// If the scales differ (a sketch's scale comes from its scenario).
    pub fn merge(&mut self, other: Sketch) {
        assert_eq!(self.min_exp, other.min_exp, "sketches of different scales");
        self.n += other.n;
        self.zero += other.zero;
        self.under.merge(&other.under);
        self.over.merge(&other.over);
        if self.pages.len() < other.pages.len() {
            self.pages.resize(other.pages.len(), None);
        }
        for (mine, theirs) in self.pages.iter_mut().zip(other.pages) {
            let Some(theirs) = theirs else { continue };
            let Some(mine) = mine else {
                *mine = Some(theirs);
                continue;
            };
            for (a, b) in mine.buckets.iter_mut().zip(&theirs.buckets) {
                if b.count > 0 {
                    a.merge(b);
                }
            }
        }
    }

    /// Whether `other` covers the same range of values (sketches merge
    /// only with sketches of the same scale).
    pub fn same_scale(&self, other: &Sketch) -> bool {
        self.min_exp == other.min_exp
    }

    /// Number of values.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Whether no value was added.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Non-empty buckets in increasing order, zeros first (as a bucket
    /// of zeros).
    fn buckets(&self) -> impl DoubleEndedIterator<Item = Bucket> + '_ {
        let zero = Bucket {
            count: self.zero,
            lo: 0.0,
            hi: 0.0,
            at_lo: self.zero,
            at_hi: self.zero,
        };
        let paged = self
            .pages
            .iter()
            .flatten()
            .flat_map(|p| p.buckets.iter().copied());
        [zero, self.under]
            .into_iter()
            .chain(paged)
            .chain(std::iter::once(self.over))
            .filter(|b| b.count > 0)
    }

    /// Estimate of the value of 0-based rank `r` (`r < len`).
    pub(crate) fn at_rank(&self, r: u64) -> f64 {
        let mut left = r;
        if left < self.zero {
            return 0.0;
        }
        left -= self.zero;
        if left < self.under.count {
            return self.under.at(left);
        }
        left -= self.under.count;
        for page in self.pages.iter().flatten() {
            let total = page.total();
            if left >= total {
                left -= total;
                continue;
            }
            for b in &page.buckets {
                if left < b.count {
                    return b.at(left);
                }
                left -= b.count;
            }
        }
        self.over.at(left.min(self.over.count.saturating_sub(1)))
    }

    /// Estimate of the `q`-quantile, interpolating linearly between the
    /// values of ranks `floor(h)` and `floor(h) + 1`, `h = (n - 1) q`, as
    /// [`crate::stats::quantile`] does for exact values. 0 for an empty
    /// sketch.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        let h = (self.n - 1) as f64 * q.clamp(0.0, 1.0);
        let lo = h.floor() as u64;
        let frac = h - lo as f64;
        let x = self.at_rank(lo);
        if frac == 0.0 || lo + 1 >= self.n {
            x
        } else {
            x + frac * (self.at_rank(lo + 1) - x)
        }
    }

    /// Estimate of the mean of the largest `k` values.
    pub fn upper_mean(&self, k: u64) -> f64 {
        let k = k.min(self.n);
        if k == 0 {
            return 0.0;
        }
        let (mut left, mut sum) = (k, 0.0);
        for b in self.buckets().rev() {
            let take = b.count.min(left);
            sum += b.top_sum(take);
            left -= take;
            if left == 0 {
                break;
            }
        }
        sum / k as f64
    }

    /// Each non-empty bucket's `(smallest, largest, count)`, increasing.
    pub(crate) fn ranges(&self) -> impl DoubleEndedIterator<Item = (f64, f64, u64)> + '_ {
        self.buckets().map(|b| (b.lo, b.hi, b.count))
    }

    /// Points `(x, P(X > x))` at each bucket's largest value, increasing
    /// in `x`.
    pub fn exceedance(&self) -> Vec<(f64, f64)> {
        let n = self.n.max(1) as f64;
        let mut above = self.n;
        self.buckets()
            .map(|b| {
                above -= b.count;
                (b.hi, above as f64 / n)
            })
            .collect()
    }
}

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pages = self.pages.iter().flatten().count();
        f.debug_struct("Sketch")
            .field("min_exp", &self.min_exp)
            .field("n", &self.n)
            .field("zero", &self.zero)
            .field("under", &self.under)
            .field("over", &self.over)
            .field("pages", &pages)
            .finish()
    }
}

/// The bits of `2^e`, a normal number.
fn lowest_bits(e: i32) -> u64 {
    ((e + 1023) as u64) << 52
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
    fn quantiles_are_within_a_fine_bucket_and_exact_at_point_masses() {
        // A continuous spread plus a point mass and zeros.
        let mut values: Vec<f64> = (0..100_000)
            .map(|i| 50.0 + (i as f64 * 0.618).sin() * 40.0)
            .collect();
        values.extend(std::iter::repeat_n(123.456, 20_000));
        values.extend(std::iter::repeat_n(0.0, 10_000));
        let mut s = Sketch::new(100.0);
        values.iter().for_each(|v| s.push(*v));
        let bound = 2f64.powi(-(FINE_BITS as i32));
        for q in [0.0, 0.01, 0.05, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0] {
            let exact = quantile(&values, q);
            let est = s.quantile(q);
            assert!(
                (est - exact).abs() <= bound * exact.abs(),
                "q {q}: {est} vs {exact}"
            );
        }
        // Zeros, the point mass, and the extremes are exact.
        assert_eq!(s.quantile(0.0), 0.0);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let first_mass = sorted.iter().position(|&v| v == 123.456).unwrap();
        assert_eq!(s.at_rank(first_mass as u64 + 5), 123.456);
        assert_eq!(s.quantile(1.0), sorted[sorted.len() - 1]);
    }

    #[test]
    fn point_masses_at_either_end_of_a_bucket_are_exact_after_any_merge() {
        // Full supply 100 (a point mass) with values just below it in the
        // same fine bucket, and a point mass at 50 with values just above.
        let mut parts: Vec<Vec<f64>> = vec![Vec::new(); 3];
        for i in 0..3000 {
            let v = match i % 5 {
                0 | 1 => 100.0,
                2 => 100.0 - 1e-6 * (i as f64 + 1.0) / 3000.0,
                3 => 50.0,
                _ => 50.0 + 1e-6 * (i as f64 + 1.0) / 3000.0,
            };
            parts[i % 3].push(v);
        }
        let mut s = Sketch::new(100.0);
        for p in &parts {
            let mut t = Sketch::new(100.0);
            t.push_all(p);
            s.merge(t);
        }
        let mut all: Vec<f64> = parts.concat();
        all.sort_by(f64::total_cmp);
        for q in [0.05, 0.1, 0.15, 0.7, 0.9, 0.99] {
            let exact = quantile(&all, q);
            assert!(exact == 100.0 || exact == 50.0, "q {q}: {exact}");
            assert_eq!(s.quantile(q), exact, "q {q}");
        }
    }

    #[test]
    fn small_samples_are_exact() {
        // Few values: almost every bucket holds one, so every rank is exact.
        let values: Vec<f64> = (1..=500).map(|i| (i as f64).sqrt() * 3.7).collect();
        let mut s = Sketch::new(50.0);
        values.iter().for_each(|v| s.push(*v));
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for (r, v) in sorted.iter().enumerate() {
            assert_eq!(s.at_rank(r as u64), *v);
        }
        for q in [0.05, 0.5, 0.95, 0.99] {
            assert_eq!(s.quantile(q), quantile(&values, q));
        }
    }

    #[test]
    fn merging_in_any_order_or_grouping_gives_the_same_sketch() {
        let parts: Vec<Vec<f64>> = (0..5)
            .map(|p| (0..1000).map(|i| ((p * 1000 + i) as f64).sqrt()).collect())
            .collect();
        let sketch_of = |p: usize| {
            let mut s = Sketch::new(30.0);
            parts[p].iter().for_each(|v| s.push(*v));
            s
        };
        let sketch = |order: &[usize]| {
            let mut total = Sketch::new(30.0);
            for &p in order {
                total.merge(sketch_of(p));
            }
            total
        };
        let a = sketch(&[0, 1, 2, 3, 4]);
        assert_eq!(a, sketch(&[4, 2, 0, 3, 1]));
        // (0 + 1) + (2 + 3 + 4) grouped differently.
        let mut left = sketch(&[0, 1]);
        left.merge(sketch(&[2, 3, 4]));
        assert_eq!(a, left);
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

    #[test]
    fn values_far_above_the_scale_keep_the_bound_and_merge() {
        // Values 2^10 to 2^40 times the scale (a cost at a high price cap,
        // a demand far out in a wide tail), split over two sketches of
        // which one never sees them; and infinity, counted apart.
        let values: Vec<f64> = (0..20_000)
            .map(|i| 1e3 * (1.0 + (i as f64 * 0.37).sin().abs() * 1e9))
            .collect();
        let mut big = Sketch::new(1.0);
        values.iter().for_each(|&v| big.push(v));
        let mut small = Sketch::new(1.0);
        small.push(0.5);
        small.push(f64::INFINITY);
        // Merged both ways, and restored from its saved form.
        let mut a = small.clone();
        a.merge(big.clone());
        let mut b = big;
        b.merge(small);
        assert_eq!(a, b);
        let back: Sketch = postcard::from_bytes(&postcard::to_stdvec(&a).unwrap()).unwrap();
        assert_eq!(back, a);
        let mut all = values.clone();
        all.extend([0.5, f64::INFINITY]);
        let bound = 2f64.powi(-(FINE_BITS as i32));
        for q in [0.0, 0.05, 0.5, 0.95, 0.99] {
            let exact = quantile(&all, q);
            let est = a.quantile(q);
            assert!(
                (est - exact).abs() <= bound * exact,
                "q {q}: {est} vs {exact}"
            );
        }
        assert_eq!(a.at_rank(all.len() as u64 - 1), f64::INFINITY);
        assert_eq!(a.at_rank(0), 0.5);
    }

    #[test]
    fn serialises_and_restores_exactly_and_refuses_inconsistent_data() {
        let mut s = Sketch::new(10.0);
        for i in 0..3000 {
            s.push((i as f64 * 0.37).cos().abs() * 20.0);
        }
        s.push(1e-20);
        s.push(1e9);
        // A bucket's lowest and highest possible values (saved as their
        // low bits: all zero, all one), and a point mass.
        let top = f64::from_bits(8f64.to_bits() + (1 << (52 - FINE_BITS)) - 1);
        for x in [8.0, top, 8.0, 3.5, 3.5] {
            s.push(x);
        }
        let bytes = postcard::to_stdvec(&s).unwrap();
        let back: Sketch = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, s);
        // A count that does not add up is refused.
        let mut t = s.clone();
        t.n += 1;
        let bytes = postcard::to_stdvec(&t).unwrap();
        assert!(postcard::from_bytes::<Sketch>(&bytes).is_err());
        // So are an underflow bucket reaching into the pages or to
        // infinity, and an overflow bucket of finite values.
        let crafted = |under: Bucket, over: Bucket| {
            let mut t = s.clone();
            t.n += under.count + over.count - t.under.count - t.over.count;
            (t.under, t.over) = (under, over);
            postcard::from_bytes::<Sketch>(&postcard::to_stdvec(&t).unwrap())
        };
        let one = |lo: f64, hi: f64| Bucket {
            count: 2,
            lo,
            hi,
            at_lo: 1,
            at_hi: 1,
        };
        let inf = f64::INFINITY;
        let (under, over) = (s.under, s.over);
        assert!(crafted(one(1e-20, inf), over).is_err());
        assert!(crafted(one(1e-20, 1.0), over).is_err());
        assert!(crafted(under, one(1e9, 2e9)).is_err());
        assert!(
            crafted(under, one(inf, inf)).is_err(),
            "counts of a point mass"
        );
        let infinities = Bucket {
            count: 2,
            lo: inf,
            hi: inf,
            at_lo: 2,
            at_hi: 2,
        };
        assert!(crafted(under, infinities).is_ok());
    }
}
