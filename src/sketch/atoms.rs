//! Atoms: a few values a sketch counts exactly, apart from its buckets.
//!
//! A point mass (full supply in a year without disruptions, a full
//! stockpile) is exact in a bucket only when no other value lies within
//! the bucket on both sides of it. A sketch made with atoms counts every
//! value equal to one of them exactly, outside the buckets, so a
//! percentile that falls on an atom is the atom itself. The atoms are
//! chosen before the run, the same in every shard (see
//! `engine::values::empty_sketches`), so sketches with atoms merge like
//! any others.
//!
//! For the order of the values, an atom lying inside a bucket's range
//! splits the bucket: the bucket's values between its ends are shared out
//! below and above the atom in proportion to the distances, and every
//! estimate stays inside the bucket.

use super::{Bucket, Sketch};

/// Most atoms a sketch has.
pub const MAX_ATOMS: usize = 4;

/// A value counted exactly, and how many times it occurred.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Atom {
    pub(super) value: f64,
    pub(super) count: u64,
}

/// `values` as atoms: positive and finite, increasing, distinct, at most
/// [`MAX_ATOMS`] of them (the first ones given), each counted 0 times.
pub(super) fn atoms_of(values: &[f64]) -> Vec<Atom> {
    let mut v: Vec<f64> = values
        .iter()
        .copied()
        .filter(|x| *x > 0.0 && x.is_finite())
        .take(MAX_ATOMS)
        .collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v.into_iter()
        .map(|value| Atom { value, count: 0 })
        .collect()
}

/// Whether saved atoms are valid: at most [`MAX_ATOMS`], positive and
/// finite, increasing.
pub(super) fn valid(atoms: &[Atom]) -> bool {
    atoms.len() <= MAX_ATOMS
        && atoms.iter().all(|a| a.value > 0.0 && a.value.is_finite())
        && atoms.windows(2).all(|w| w[0].value < w[1].value)
}

/// An atom as a bucket of equal values.
fn point(a: &Atom) -> Bucket {
    Bucket {
        count: a.count,
        lo: a.value,
        hi: a.value,
        at_lo: a.count,
        at_hi: a.count,
    }
}

/// `b` split at `v` (strictly inside its range): the part below and the
/// part above, its values between its ends shared out in proportion.
fn split(b: &Bucket, v: f64) -> (Bucket, Bucket) {
    let inner = b.count - b.at_lo - b.at_hi;
    let share = ((v - b.lo) / (b.hi - b.lo)).clamp(0.0, 1.0);
    let below = ((inner as f64 * share).round() as u64).min(inner);
    (
        Bucket {
            count: b.at_lo + below,
            lo: b.lo,
            hi: v,
            at_lo: b.at_lo,
            at_hi: 0,
        },
        Bucket {
            count: inner - below + b.at_hi,
            lo: v,
            hi: b.hi,
            at_lo: 0,
            at_hi: b.at_hi,
        },
    )
}

impl Sketch {
    /// The same sketch (empty), counting each of `values` exactly (see
    /// the module's documentation): positive, finite values, at most
    /// [`MAX_ATOMS`].
    pub fn with_atoms(mut self, values: &[f64]) -> Sketch {
        debug_assert!(self.is_empty(), "atoms are set before any value");
        self.atoms = atoms_of(values);
        self
    }

    /// The values counted exactly.
    pub fn atom_values(&self) -> Vec<f64> {
        self.atoms.iter().map(|a| a.value).collect()
    }

    /// Count `k` copies of `x` if it is an atom.
    #[inline(always)]
    pub(super) fn count_atom(&mut self, x: f64, k: u64) -> bool {
        match self.atoms.iter_mut().find(|a| a.value == x) {
            Some(a) => {
                a.count += k;
                true
            }
            None => false,
        }
    }

    /// `buckets` (increasing) with the atoms put in order among them as
    /// buckets of equal values; empty ones left out.
    pub(super) fn with_atoms_in_order(&self, buckets: Vec<Bucket>) -> Vec<Bucket> {
        if self.atoms.is_empty() {
            return buckets;
        }
        let mut out = Vec::with_capacity(buckets.len() + 2 * self.atoms.len());
        let mut atoms = self.atoms.iter().filter(|a| a.count > 0).peekable();
        for b in buckets {
            let mut rest = b;
            while let Some(a) = atoms.peek() {
                if a.value <= rest.lo {
                    out.push(point(a));
                } else if a.value < rest.hi {
                    let (below, above) = split(&rest, a.value);
                    out.push(below);
                    out.push(point(a));
                    rest = above;
                } else {
                    break;
                }
                atoms.next();
            }
            out.push(rest);
        }
        out.extend(atoms.map(point));
        out.retain(|b| b.count > 0);
        out
    }
}
