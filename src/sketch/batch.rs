//! Values pushed many at a time, grouped by page first.
//!
//! Values spread over many pages (such as a stockpile's end-of-year stock,
//! which after partial releases lies anywhere between empty and full, over
//! a thousand pages and more) land on a page that is rarely in the cache
//! when pushed one at a time. Gathered into a [`Batch`] of thousands and
//! grouped by page with one counting pass, each page is fetched once for
//! all of its values. A sketch does not depend on the order in which its
//! values are added, so a batched sketch is the same, bit for bit, as one
//! pushed value by value.

use super::{Page, SignedSketch, Sketch, FINE_BITS, MAX_ATOMS, PAGE, PAGE_BITS, SLOTS};

/// The first group of atoms; groups before it are 0 (outside the pages)
/// and the pages' slots plus 1.
const ATOM_GROUP: usize = SLOTS + 1;

/// Groups in all.
const GROUPS: usize = ATOM_GROUP + MAX_ATOMS;

/// Values gathered before they are grouped and pushed (at least: a
/// batch may hold more while its sketch is busy).
pub const BATCH: usize = 1 << 15;

/// Values waiting to go into one sketch.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    values: Vec<f64>,
}

/// Scratch space for grouping values by page (one per thread, shared by
/// its batches).
#[derive(Debug, Clone, Default)]
pub struct Grouping {
    /// Per page, plus one group in front for values outside the pages:
    /// where its values go next in `sorted`.
    next: Vec<u32>,
    /// The values, grouped.
    sorted: Vec<f64>,
    /// The groups with values: group, and where its values start and end
    /// in `sorted`.
    nonempty: Vec<(u32, u32, u32)>,
}

impl Batch {
    /// Add values to the batch.
    pub fn extend(&mut self, xs: &[f64]) {
        self.values.extend_from_slice(xs);
    }

    /// Number of values waiting.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// The values waiting.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Whether no value is waiting.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Push the values waiting into `sketch`.
    pub fn flush(&mut self, sketch: &mut Sketch, g: &mut Grouping) {
        sketch.push_grouped(&self.values, g);
        self.values.clear();
    }

    /// Push the values waiting into a signed sketch (values of either
    /// sign, which [`SignedSketch`] splits by sign).
    pub fn flush_signed(&mut self, sketch: &mut SignedSketch) {
        sketch.push_all(&self.values);
        self.values.clear();
    }
}

impl Sketch {
    /// Group `xs` of this sketch: 0 for a value outside the pages
    /// (zeros, values below or above them), 1 + its page's slot for a
    /// value in them, `ATOM_GROUP + i` for the `i`-th atom.
    #[inline(always)]
    fn group(&self, x: f64) -> usize {
        let from = x.to_bits().wrapping_sub(self.lowest_bits) >> (52 - FINE_BITS);
        let paged = x > 0.0 && from < (SLOTS << (FINE_BITS - PAGE_BITS)) as u64;
        let k = if paged { from as usize / PAGE + 1 } else { 0 };
        match self.finder.find(x) {
            0 => k,
            i => ATOM_GROUP + i - 1,
        }
    }

    /// Add values, grouped by page: the same sketch as
    /// [`Sketch::push_all`], with each page fetched once.
    pub fn push_grouped(&mut self, xs: &[f64], g: &mut Grouping) {
        self.n += xs.len() as u64;
        // Count each group's values, then turn counts into positions.
        g.next.clear();
        g.next.resize(GROUPS + 1, 0);
        for &x in xs {
            g.next[self.group(x) + 1] += 1;
        }
        let mut at = 0;
        for n in g.next.iter_mut() {
            at += *n;
            *n = at;
        }
        // Each group's values in order, then its page's buckets.
        g.sorted.resize(xs.len(), 0.0);
        for &x in xs {
            let k = self.group(x);
            g.sorted[g.next[k] as usize] = x;
            g.next[k] += 1;
        }
        // `next[k]` is now where group `k` ends. The groups with values:
        g.nonempty.clear();
        let mut start = 0;
        for (k, &end) in g.next[..GROUPS].iter().enumerate() {
            if end as usize > start {
                g.nonempty.push((k as u32, start as u32, end));
            }
            start = end as usize;
        }
        for (at, &(k, start, end)) in g.nonempty.iter().enumerate() {
            // The next group's page is fetched while this one's values go
            // in: pages lie anywhere in memory, out of the hardware's
            // reach to predict.
            if let Some(&(next, _, _)) = g.nonempty.get(at + 1) {
                let next = next as usize;
                if let Some(Some(p)) = (next < ATOM_GROUP).then(|| &self.pages[next - 1]) {
                    prefetch(p);
                }
            }
            if k as usize >= ATOM_GROUP {
                self.atoms[k as usize - ATOM_GROUP].count += u64::from(end - start);
                continue;
            }
            let values = &g.sorted[start as usize..end as usize];
            if k == 0 {
                for &x in values {
                    if x > 0.0 {
                        self.place_outside(x, 1);
                    } else {
                        self.zero += 1;
                    }
                }
                continue;
            }
            let page = self.pages[k as usize - 1].get_or_insert_with(Page::new);
            let mut i = 0;
            while let Some(&x) = values.get(i) {
                let run = 1 + values[i + 1..].iter().take_while(|&&y| y == x).count();
                let f = (x.to_bits().wrapping_sub(self.lowest_bits) >> (52 - FINE_BITS)) as usize;
                page.buckets[f % PAGE].push_n(x, run as u64);
                i += run;
            }
        }
    }
}

/// Ask for a page's cache lines ahead of use.
#[inline(always)]
fn prefetch(page: &Page) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let base = std::ptr::from_ref(page).cast::<i8>();
        // Every line, the one of the last byte too (a page need not start
        // on a line).
        let size = std::mem::size_of::<Page>();
        for line in (0..size).step_by(64).chain([size - 1]) {
            // SAFETY: a prefetch is a hint; it never faults or reads into
            // the program, whatever the address.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(base.wrapping_add(line)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = page;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batched_sketch_is_the_sketch_pushed_value_by_value() {
        // Zeros, a full stock, values spread over many octaves, values
        // below and above the pages, repeated values; two atoms in one
        // page (0.7 and the next value up), one below the pages, one
        // above them, one that never occurs.
        let next_up = f64::from_bits(0.7f64.to_bits() + 1);
        let values: Vec<f64> = (0..100_000)
            .map(|i| match i % 9 {
                0 => 0.0,
                1 => 1.4,
                2 => 1.4 * ((i as f64) * 0.37).sin().abs().powi(9),
                3 => 1e-30,
                4 => 1e9 + (i % 5) as f64,
                5 => 0.7,
                6 => next_up,
                _ => 1.4 * ((i as f64) * 0.011).cos().abs(),
            })
            .collect();
        let atoms = [1e-30, 0.7, next_up, 1e9 + 2.0, 0.9];
        for sketch in [Sketch::new(1.4), Sketch::new(1.4).with_atoms(&atoms)] {
            let mut one = sketch.clone();
            values.iter().for_each(|&x| one.push(x));
            let (mut batched, mut batch, mut g) = (sketch, Batch::default(), Grouping::default());
            for part in values.chunks(1024) {
                batch.extend(part);
                if batch.len() >= BATCH {
                    batch.flush(&mut batched, &mut g);
                }
            }
            batch.flush(&mut batched, &mut g);
            assert!(batch.is_empty());
            assert_eq!(batched, one);
            assert_eq!(batched.len(), values.len() as u64);
        }
        // The atoms counted apart: each holds its values and no bucket
        // does.
        let mut with = Sketch::new(1.4).with_atoms(&atoms);
        let mut g = Grouping::default();
        with.push_grouped(&values, &mut g);
        let count = |v: f64| values.iter().filter(|&&x| x == v).count() as u64;
        for a in &with.atoms {
            assert_eq!(a.count, count(a.value), "atom {}", a.value);
        }
        assert_eq!(with.atoms.len(), atoms.len());
        let in_buckets: u64 = with.bucket_iter().map(|b| b.count).sum();
        let atom_values: u64 = atoms.iter().map(|&v| count(v)).sum();
        assert_eq!(in_buckets + atom_values, values.len() as u64);
    }
}
