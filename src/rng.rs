//! Random streams keyed by `(seed, trial, entity)` (MODEL.md section 8).
//!
//! Each entity (a source, an event, a mineral's demand) gets, in each
//! trial, its own generator seeded from a hash of the run's seed, the trial
//! index and the entity's key. The entity key hashes the entity's *kind*
//! and *id* (never its position in the file) plus a purpose tag, so adding,
//! removing or reordering other entities leaves its draws untouched: this
//! is what makes comparisons use common random numbers.
//!
//! The generator is `Xoshiro256PlusPlus` from `rand`, named explicitly (never
//! `StdRng`, whose algorithm may change between versions). Trial and entity
//! keys are mixed with SplitMix64's finaliser, and `seed_from_u64` expands
//! their XOR with SplitMix64, so neighbouring trials and entities get
//! unrelated streams.

use rand::rngs::Xoshiro256PlusPlus;
use rand::SeedableRng;

/// The generator used for every stream.
pub type StreamRng = Xoshiro256PlusPlus;

/// SplitMix64's output function: a bijective 64-bit mixer.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What an entity's stream drives; one entity may need several
/// independent streams (a project's start and its disruptions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A source's or event's disruption process.
    Disruption,
    /// A project's success and delay.
    Project,
    /// A mineral's demand noise.
    Demand,
}

/// The key of one entity's stream: a hash of `(kind, id, purpose)`,
/// computed once at load time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntityKey(pub u64);

impl EntityKey {
    /// Key for the entity of `kind` ("source", "event", "mineral") named
    /// `id`, for `purpose`. FNV-1a over the bytes, then mixed.
    pub fn new(kind: &str, id: &str, purpose: Purpose) -> Self {
        let mut h: u64 = 0xCBF2_9CE4_8422_2325;
        let tag: &[u8] = match purpose {
            Purpose::Disruption => b"disruption",
            Purpose::Project => b"project",
            Purpose::Demand => b"demand",
        };
        for part in [kind.as_bytes(), &[0xFF], id.as_bytes(), &[0xFF], tag] {
            for &b in part {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01B3);
            }
        }
        EntityKey(mix64(h))
    }
}

/// The part of a stream's seed shared by all entities of one trial.
#[derive(Debug, Clone, Copy)]
pub struct TrialKey(u64);

impl TrialKey {
    /// Key of trial `trial` (0-based, global index) of a run with `seed`.
    #[inline]
    pub fn new(seed: u64, trial: u64) -> Self {
        TrialKey(mix64(mix64(seed) ^ trial))
    }

    /// The generator for `entity` in this trial.
    #[inline]
    pub fn stream(self, entity: EntityKey) -> StreamRng {
        // Both keys are already mixed; `seed_from_u64` expands their XOR
        // with SplitMix64 (four independent mixes, no serial one first).
        StreamRng::seed_from_u64(self.0 ^ entity.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn keys_depend_on_kind_id_and_purpose() {
        let a = EntityKey::new("source", "cl", Purpose::Disruption);
        assert_eq!(a, EntityKey::new("source", "cl", Purpose::Disruption));
        assert_ne!(a, EntityKey::new("event", "cl", Purpose::Disruption));
        assert_ne!(a, EntityKey::new("source", "cl", Purpose::Project));
        assert_ne!(a, EntityKey::new("source", "cm", Purpose::Disruption));
        // The separator keeps ("ab","c") and ("a","bc") apart.
        assert_ne!(
            EntityKey::new("ab", "c", Purpose::Demand),
            EntityKey::new("a", "bc", Purpose::Demand)
        );
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let e = EntityKey::new("source", "x", Purpose::Disruption);
        let draw = |seed, trial| TrialKey::new(seed, trial).stream(e).next_u64();
        assert_eq!(draw(1, 5), draw(1, 5));
        assert_ne!(draw(1, 5), draw(1, 6));
        assert_ne!(draw(1, 5), draw(2, 5));
    }
}
