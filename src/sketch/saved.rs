//! The saved form of a [`Sketch`] (in partial results of sharded runs):
//! its occupied fine buckets only, checked for consistency when read back.
//!
//! A fine bucket's values share their exponent and top mantissa bits with
//! the bucket's lower bound, so a bucket in the pages is saved by its
//! distance from the one before and by the low 40 bits of its smallest and
//! largest value (5 bytes each): about 15 bytes a bucket instead of 25. A
//! value read back lies in its bucket by construction.

use super::atoms::{self, Atom};
use super::{
    all_slots, lowest_bits, Bucket, Page, Sketch, FINE_BITS, MAX_EXP, MIN_EXP, PAGE, SLOTS,
};
use serde::{Deserialize, Serialize};

/// A bucket as saved whole (the underflow and overflow buckets): count,
/// smallest, largest, and how many values equal each of them.
type SavedBucket = (u64, f64, f64, u64, u64);

/// A bucket of the pages as saved: how many buckets lie between it and
/// the one saved before, its count, the low bits of its smallest and
/// largest value, and how many values equal each of them.
type Packed = (u32, u64, Low, Low, u64, u64);

/// The low [`LOW_BITS`] bits of a value, little-endian.
type Low = [u8; 5];

/// Bits of a value below those its fine bucket fixes.
const LOW_BITS: u32 = 52 - FINE_BITS;

/// The serialised form: occupied fine buckets only.
#[derive(Serialize)]
struct SketchRepr<B> {
    min_exp: i32,
    n: u64,
    zero: u64,
    under: SavedBucket,
    over: SavedBucket,
    /// `(value, count)` of each atom.
    atoms: Vec<(f64, u64)>,
    /// `(slot * 32 + fine bucket, bucket)`.
    buckets: B,
}

fn saved(b: &Bucket) -> SavedBucket {
    (b.count, b.lo, b.hi, b.at_lo, b.at_hi)
}

/// A sketch's occupied buckets, serialised as they are read (a sketch of
/// a large run has hundreds of thousands).
struct Occupied<'a>(&'a Sketch);

impl Occupied<'_> {
    /// The occupied buckets, with their index (`slot * 32 + fine bucket`).
    fn buckets(&self) -> impl Iterator<Item = (usize, &Bucket)> + '_ {
        let pages = self.0.pages.iter().enumerate();
        pages
            .filter_map(|(slot, page)| page.as_ref().map(|p| (slot, p)))
            .flat_map(|(slot, page)| {
                let buckets = page.buckets.iter().enumerate();
                buckets
                    .filter(|(_, b)| b.count > 0)
                    .map(move |(f, b)| (slot * PAGE + f, b))
            })
    }

    /// The occupied buckets, packed.
    fn iter(&self) -> impl Iterator<Item = Packed> + '_ {
        let low = |x: f64| -> Low {
            let bits = x.to_bits().wrapping_sub(self.0.lowest_bits) & ((1 << LOW_BITS) - 1);
            let b = bits.to_le_bytes();
            [b[0], b[1], b[2], b[3], b[4]]
        };
        let mut next = 0;
        self.buckets().map(move |(index, b)| {
            let gap = (index - next) as u32;
            next = index + 1;
            (gap, b.count, low(b.lo), low(b.hi), b.at_lo, b.at_hi)
        })
    }
}

impl Serialize for Occupied<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.iter().count()))?;
        for item in self.iter() {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

impl Serialize for Sketch {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SketchRepr {
            min_exp: self.min_exp,
            n: self.n,
            zero: self.zero,
            under: saved(&self.under),
            over: saved(&self.over),
            atoms: self.atoms.iter().map(|a| (a.value, a.count)).collect(),
            buckets: Occupied(self),
        }
        .serialize(s)
    }
}

/// A sketch's saved fields, read in order (a visitor for postcard's
/// sequence of struct fields).
struct SketchVisitor;

/// Reads the saved buckets straight into `sketch`'s pages, adding their
/// counts to `counted` (no list of buckets in between: a sketch of a
/// large run has hundreds of thousands).
struct IntoPages<'a> {
    sketch: &'a mut Sketch,
    counted: &'a mut u64,
}

/// A saved bucket checked for consistency (an empty one is the empty
/// bucket).
fn checked<E: serde::de::Error>((count, lo, hi, at_lo, at_hi): SavedBucket) -> Result<Bucket, E> {
    let b = Bucket {
        count,
        lo,
        hi,
        at_lo,
        at_hi,
    };
    if count == 0 {
        Ok(Bucket::EMPTY)
    } else if b.valid() {
        Ok(b)
    } else {
        Err(E::custom("sketch bucket inconsistent"))
    }
}

/// The saved underflow bucket: consistent, and below the lowest page.
fn checked_under<E: serde::de::Error>(saved: SavedBucket, min_exp: i32) -> Result<Bucket, E> {
    let b = checked(saved)?;
    if b.count > 0 && b.hi >= f64::from_bits(lowest_bits(min_exp)) {
        return Err(E::custom("sketch underflow bucket above the lowest page"));
    }
    Ok(b)
}

/// The saved overflow bucket: empty, or infinities only.
fn checked_over<E: serde::de::Error>(saved: SavedBucket) -> Result<Bucket, E> {
    let (count, lo, hi, at_lo, at_hi) = saved;
    if count == 0 {
        return checked(saved);
    }
    let inf = f64::INFINITY;
    if lo == inf && hi == inf && at_lo == count && at_hi == count {
        Ok(Bucket {
            count,
            lo,
            hi,
            at_lo,
            at_hi,
        })
    } else {
        Err(E::custom("sketch overflow bucket holds finite values"))
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for IntoPages<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for IntoPages<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a sketch's buckets")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        use serde::de::Error;
        let sketch = self.sketch;
        let mut next = 0u64;
        while let Some((gap, count, lo, hi, at_lo, at_hi)) = seq.next_element::<Packed>()? {
            // Buckets in increasing order by construction: each one at
            // least one past the one before.
            let index = next + u64::from(gap);
            if index >= (all_slots(sketch.min_exp) * PAGE) as u64 || count == 0 {
                return Err(A::Error::custom("sketch bucket out of range"));
            }
            next = index + 1;
            let value = |low: Low| {
                let mut b = [0u8; 8];
                b[..5].copy_from_slice(&low);
                let bits = sketch.lowest_bits + (index << LOW_BITS) + u64::from_le_bytes(b);
                f64::from_bits(bits)
            };
            let b = checked((count, value(lo), value(hi), at_lo, at_hi))?;
            let (slot, f) = (index as usize / PAGE, index as usize % PAGE);
            if sketch.pages.len() <= slot {
                sketch.pages.resize(slot + 1, None);
            }
            let page = sketch.pages[slot].get_or_insert_with(Page::new);
            page.buckets[f] = b;
            *self.counted = self.counted.saturating_add(b.count);
        }
        Ok(())
    }
}

impl<'de> serde::de::Visitor<'de> for SketchVisitor {
    type Value = Sketch;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a sketch")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Sketch, A::Error> {
        use serde::de::Error;
        let field = |name: &str| A::Error::custom(format!("sketch without its {name}"));
        let min_exp: i32 = seq.next_element()?.ok_or_else(|| field("scale"))?;
        let n: u64 = seq.next_element()?.ok_or_else(|| field("count"))?;
        let zero: u64 = seq.next_element()?.ok_or_else(|| field("zeros"))?;
        let under: SavedBucket = seq.next_element()?.ok_or_else(|| field("underflow"))?;
        let over: SavedBucket = seq.next_element()?.ok_or_else(|| field("overflow"))?;
        let atoms: Vec<(f64, u64)> = seq.next_element()?.ok_or_else(|| field("atoms"))?;
        if !(MIN_EXP..=MAX_EXP).contains(&min_exp) {
            return Err(A::Error::custom("sketch scale out of range"));
        }
        let atoms: Vec<Atom> = atoms
            .into_iter()
            .map(|(value, count)| Atom { value, count })
            .collect();
        if !atoms::valid(&atoms) {
            return Err(A::Error::custom(
                "sketch atoms out of order or out of range",
            ));
        }
        let mut sketch = Sketch {
            min_exp,
            lowest_bits: lowest_bits(min_exp),
            n,
            zero,
            under: checked_under(under, min_exp)?,
            over: checked_over(over)?,
            pages: vec![None; SLOTS],
            finder: atoms::Finder::new(&atoms),
            atoms,
        };
        let mut counted = zero
            .saturating_add(sketch.under.count)
            .saturating_add(sketch.over.count);
        for a in &sketch.atoms {
            counted = counted.saturating_add(a.count);
        }
        let seed = IntoPages {
            sketch: &mut sketch,
            counted: &mut counted,
        };
        seq.next_element_seed(seed)?
            .ok_or_else(|| field("buckets"))?;
        if counted != sketch.n {
            return Err(A::Error::custom("sketch counts do not add up"));
        }
        Ok(sketch)
    }
}

impl<'de> Deserialize<'de> for Sketch {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const FIELDS: &[&str] = &["min_exp", "n", "zero", "under", "over", "atoms", "buckets"];
        d.deserialize_struct("SketchRepr", FIELDS, SketchVisitor)
    }
}
