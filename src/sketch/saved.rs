//! The saved form of a [`Sketch`] (in partial results of sharded runs):
//! its occupied fine buckets only, checked for consistency when read back.

use super::{lowest_bits, Bucket, Page, Sketch, MAX_EXP, MIN_EXP, PAGE, SLOTS};
use serde::{Deserialize, Serialize};

/// A bucket as saved: count, smallest, largest, and how many values equal
/// each of them.
type SavedBucket = (u64, f64, f64, u64, u64);

/// The serialised form: occupied fine buckets only.
#[derive(Serialize, Deserialize)]
struct SketchRepr {
    min_exp: i32,
    n: u64,
    zero: u64,
    under: SavedBucket,
    over: SavedBucket,
    /// `(slot * 32 + fine bucket, bucket)`.
    buckets: Vec<(u32, SavedBucket)>,
}

fn saved(b: &Bucket) -> SavedBucket {
    (b.count, b.lo, b.hi, b.at_lo, b.at_hi)
}

impl Serialize for Sketch {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buckets = Vec::new();
        for (slot, page) in self.pages.iter().enumerate() {
            let Some(page) = page else { continue };
            for (f, b) in page.buckets.iter().enumerate() {
                if b.count > 0 {
                    buckets.push(((slot * PAGE + f) as u32, saved(b)));
                }
            }
        }
        SketchRepr {
            min_exp: self.min_exp,
            n: self.n,
            zero: self.zero,
            under: saved(&self.under),
            over: saved(&self.over),
            buckets,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Sketch {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let r = SketchRepr::deserialize(d)?;
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
