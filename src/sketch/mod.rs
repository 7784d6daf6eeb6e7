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
//! than 2^-40 of the scale. Infinities share an overflow bucket.
//!
//! Each bucket keeps its count, the smallest and largest value it has
//! seen, and how many values equal each of them. The values equal to a
//! bucket's smallest or largest are answered exactly. The values in
//! between are estimated by interpolating between the two by rank, so
//! every estimate lies within its bucket: a relative error below 2^-12.
//! Zeros are counted exactly, and so are a sketch's *atoms*, up to
//! [`MAX_ATOMS`] values chosen before the run (point masses such as full
//! supply in a year without disruptions): see the `atoms` module.
//!
//! Merging adds counts and takes minima and maxima (with the counts of
//! values equal to them): the result does not depend on the order or
//! grouping of merges, so it is identical for any number of threads and
//! any split of a run into shards.

mod atoms;
mod batch;
mod saved;
mod signed;

pub use atoms::MAX_ATOMS;
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
    /// Values counted exactly, apart from the buckets (see [`atoms`]).
    atoms: Vec<atoms::Atom>,
    /// Finds a value's atom.
    finder: atoms::Finder,
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
            atoms: Vec::new(),
            finder: atoms::Finder::new(&[]),
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
        if !self.atoms.is_empty() && self.count_atom(x, k) {
            return;
        }
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
        assert!(self.same_scale(&other), "sketches of different scales");
        for (mine, theirs) in self.atoms.iter_mut().zip(&other.atoms) {
            mine.count += theirs.count;
        }
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

    /// Whether `other` covers the same range of values with the same
    /// atoms (sketches merge only with sketches of the same scale).
    pub fn same_scale(&self, other: &Sketch) -> bool {
        self.min_exp == other.min_exp
            && self.atoms.len() == other.atoms.len()
            && self
                .atoms
                .iter()
                .zip(&other.atoms)
                .all(|(a, b)| a.value == b.value)
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
    /// of zeros), atoms among them as buckets of equal values.
    fn buckets(&self) -> Vec<Bucket> {
        self.with_atoms_in_order(self.bucket_iter().collect())
    }

    /// Non-empty buckets in increasing order, zeros first (as a bucket
    /// of zeros), without the atoms.
    fn bucket_iter(&self) -> impl DoubleEndedIterator<Item = Bucket> + '_ {
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
        if !self.atoms.is_empty() {
            return rank_in(&self.buckets(), r);
        }
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
        // With atoms, the buckets in order are built once for both ranks.
        let ordered = (!self.atoms.is_empty()).then(|| self.buckets());
        let at = |r: u64| match &ordered {
            Some(b) => rank_in(b, r),
            None => self.at_rank(r),
        };
        let x = at(lo);
        if frac == 0.0 || lo + 1 >= self.n {
            x
        } else {
            x + frac * (at(lo + 1) - x)
        }
    }

    /// Estimate of the mean of the largest `k` values.
    pub fn upper_mean(&self, k: u64) -> f64 {
        let k = k.min(self.n);
        if k == 0 {
            return 0.0;
        }
        let (mut left, mut sum) = (k, 0.0);
        for b in self.buckets().into_iter().rev() {
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
    pub(crate) fn ranges(&self) -> impl DoubleEndedIterator<Item = (f64, f64, u64)> {
        self.buckets().into_iter().map(|b| (b.lo, b.hi, b.count))
    }

    /// Points `(x, P(X > x))` at each bucket's largest value, increasing
    /// in `x`.
    pub fn exceedance(&self) -> Vec<(f64, f64)> {
        let n = self.n.max(1) as f64;
        let mut above = self.n;
        let points = self.buckets().into_iter().map(|b| {
            above -= b.count;
            (b.hi, above as f64 / n)
        });
        last_of_each_x(points)
    }

    /// Estimates of the values of the ranks `ranks` (each `< len`), in
    /// order, the buckets put in order once.
    pub(crate) fn values_at(&self, ranks: std::ops::Range<u64>) -> Vec<f64> {
        if self.atoms.is_empty() {
            return ranks.map(|r| self.at_rank(r)).collect();
        }
        let buckets = self.buckets();
        ranks.map(|r| rank_in(&buckets, r)).collect()
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

/// Exceedance points with the last of each run of equal `x` only: an
/// atom inside a bucket's range splits it into parts that end at the
/// atom, and only the point after the atom's own values counts them.
fn last_of_each_x(points: impl Iterator<Item = (f64, f64)>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for p in points {
        if out.last().is_some_and(|l| l.0 == p.0) {
            out.pop();
        }
        out.push(p);
    }
    out
}

/// Estimate of the value of 0-based rank `r` among the values of
/// `buckets`, in increasing order (the largest value past the end).
fn rank_in(buckets: &[Bucket], r: u64) -> f64 {
    let mut left = r;
    for b in buckets {
        if left < b.count {
            return b.at(left);
        }
        left -= b.count;
    }
    buckets.last().map_or(0.0, |b| b.hi)
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
mod tests;
