//! The saved form of a [`Sketch`] (in partial results of sharded runs):
//! its occupied fine buckets only, checked for consistency when read back.

use super::{lowest_bits, Bucket, Page, Sketch, MAX_EXP, MIN_EXP, PAGE, SLOTS};
use serde::{Deserialize, Serialize};

/// A bucket as saved: count, smallest, largest, and how many values equal
/// each of them.
type SavedBucket = (u64, f64, f64, u64, u64);

/// The serialised form: occupied fine buckets only.
#[derive(Serialize, Deserialize)]
struct SketchRepr<B> {
    min_exp: i32,
    n: u64,
    zero: u64,
    under: SavedBucket,
    over: SavedBucket,
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
    fn iter(&self) -> impl Iterator<Item = (u32, SavedBucket)> + '_ {
        let pages = self.0.pages.iter().enumerate();
        pages
            .filter_map(|(slot, page)| page.as_ref().map(|p| (slot, p)))
            .flat_map(|(slot, page)| {
                let buckets = page.buckets.iter().enumerate();
                buckets
                    .filter(|(_, b)| b.count > 0)
                    .map(move |(f, b)| ((slot * PAGE + f) as u32, saved(b)))
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
            buckets: Occupied(self),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Sketch {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let r = SketchRepr::<Vec<(u32, SavedBucket)>>::deserialize(d)?;
        let bucket = |(count, lo, hi, at_lo, at_hi): SavedBucket| -> Result<Bucket, D::Error> {
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
                Err(D::Error::custom("sketch bucket inconsistent"))
            }
        };
        if !(MIN_EXP..=MAX_EXP).contains(&r.min_exp) {
            return Err(D::Error::custom("sketch scale out of range"));
        }
        let mut sketch = Sketch {
            min_exp: r.min_exp,
            lowest_bits: lowest_bits(r.min_exp),
            n: r.n,
            zero: r.zero,
            under: bucket(r.under)?,
            over: bucket(r.over)?,
            pages: vec![None; SLOTS],
        };
        let mut counted = r
            .zero
            .saturating_add(sketch.under.count)
            .saturating_add(sketch.over.count);
        let mut last = None;
        for (index, b) in r.buckets {
            let (slot, f) = (index as usize / PAGE, index as usize % PAGE);
            let b = bucket(b)?;
            if slot >= SLOTS || b.count == 0 {
                return Err(D::Error::custom("sketch bucket out of range"));
            }
            if last.is_some_and(|l| l >= index) {
                return Err(D::Error::custom("sketch buckets out of order"));
            }
            last = Some(index);
            let page = sketch.pages[slot].get_or_insert_with(Page::new);
            page.buckets[f] = b;
            counted = counted.saturating_add(b.count);
        }
        if counted != sketch.n {
            return Err(D::Error::custom("sketch counts do not add up"));
        }
        Ok(sketch)
    }
}
