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
//! Which value is an atom is looked up without branches or a loop over
//! the atoms: a value's bits, multiplied by a constant and shifted, pick
//! one slot of a small table, where the constant is the first of a fixed
//! sequence that gives each atom a slot of its own. A value is an atom
//! exactly when its bits equal those in its slot.
//!
//! Which value is an atom is looked up without branches or a loop over
//! the atoms: a value's bits, multiplied by a constant and shifted, pick
//! one slot of a small table, where the constant is the first of a fixed
//! sequence that gives each atom a slot of its own. A value is an atom
//! exactly when its bits equal those in its slot.
//!
//! For the order of the values, an atom lying inside a bucket's range
//! splits the bucket: the bucket's values between its ends are shared out
//! below and above the atom in proportion to the distances, and every
//! estimate stays inside the bucket.

use super::{Bucket, Sketch};

/// Most atoms a sketch has.
pub const MAX_ATOMS: usize = 16;

/// Bits of a slot of the table that finds atoms (64 slots for at most 16
/// atoms: a constant giving each its own slot comes within a few tries).
const SLOT_BITS: u32 = 6;

/// Finds a value's atom: per slot, `(bits, atom index + 1)`, or `(0, 0)`
/// where empty (0 is the bit pattern of +0.0, never an atom).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Finder {
    multiplier: u64,
    slots: Box<[(u64, u8); 1 << SLOT_BITS]>,
}

impl Finder {
    /// The finder of `atoms` (distinct values, at most [`MAX_ATOMS`]).
    pub(super) fn new(atoms: &[Atom]) -> Finder {
        let mut f = Finder {
            multiplier: 0,
            slots: Box::new([(0, 0); 1 << SLOT_BITS]),
        };
        if atoms.is_empty() {
            return f;
        }
        // Odd multipliers from a fixed sequence (SplitMix64's increment):
        // the first that puts every atom in a slot of its own. With 16
        // atoms in 64 slots about one in seven does. Should none of a
        // million do, the last atom is left to the buckets (which hold
        // any value correctly, only less exactly).
        let mut m = 0u64;
        let found = (0..1 << 20).any(|_| {
            m = m.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut used = 0u64;
            atoms.iter().all(|a| {
                let slot = 1u64 << Self::slot_of(a.value.to_bits(), m | 1);
                let free = used & slot == 0;
                used |= slot;
                free
            })
        });
        if !found {
            return Finder::new(&atoms[..atoms.len() - 1]);
        }
        f.multiplier = m | 1;
        for (i, a) in atoms.iter().enumerate() {
            let slot = Self::slot_of(a.value.to_bits(), f.multiplier);
            f.slots[slot] = (a.value.to_bits(), (i + 1) as u8);
        }
        f
    }

    #[inline(always)]
    fn slot_of(bits: u64, multiplier: u64) -> usize {
        (bits.wrapping_mul(multiplier) >> (64 - SLOT_BITS)) as usize
    }

    /// `1 +` the index of the atom equal to `x`, or 0 where `x` is none.
    #[inline(always)]
    pub(super) fn find(&self, x: f64) -> usize {
        let (bits, index) = self.slots[Self::slot_of(x.to_bits(), self.multiplier)];
        // A select, not a branch: which values are atoms is random.
        if bits == x.to_bits() {
            index as usize
        } else {
            0
        }
    }
}

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
        self.finder = Finder::new(&self.atoms);
        self
    }

    /// The values counted exactly.
    pub fn atom_values(&self) -> Vec<f64> {
        self.atoms.iter().map(|a| a.value).collect()
    }

    /// Count `k` copies of `x` if it is an atom.
    #[inline(always)]
    pub(super) fn count_atom(&mut self, x: f64, k: u64) -> bool {
        match self.finder.find(x) {
            0 => false,
            i => {
                self.atoms[i - 1].count += k;
                true
            }
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
