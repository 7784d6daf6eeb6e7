//! Random streams keyed by `(seed, trial, entity)` (docs/model.md section 8).
//!
//! Each entity (a source, an event, a mineral's demand) gets, in each
//! trial, its own generator seeded from a hash of the run's seed, the trial
//! index and the entity's key. The entity key hashes the entity's *kind*
//! and *id* (never its position in the file) plus a purpose tag, so adding,
//! removing or reordering other entities leaves its draws untouched: this
//! is what makes comparisons use common random numbers.
//!
//! The generator is wyrand ([`StreamRng`]), named and implemented here
//! (never `StdRng`, whose algorithm may change between versions). Trial and
//! entity keys are mixed with SplitMix64's finaliser, and their XOR is the
//! stream's starting state, so neighbouring trials and entities get
//! unrelated streams.

use rand::{SeedableRng, TryRng};
use std::convert::Infallible;

/// The generator of every stream: wyrand, Wang Yi's generator from wyhash
/// (final version 4.2, the constants the `fastrand` crate uses). Its state
/// is a 64-bit Weyl sequence, `s += 0x2d35_8dcc_aa6c_78a5`, and each output
/// folds the 128-bit product `s * (s ^ 0x8bb8_4b93_962e_acc9)` to 64 bits
/// (high half XOR low half); its author reports that it passes BigCrush
/// and PractRand. A stream draws a few hundred numbers at most, far from
/// its period of 2^64. Two of a run's streams overlap only if their
/// starting states are within a few hundred steps of one another on the
/// Weyl sequence: about 10^-17 for a pair, about 4 in 1,000 runs of a
/// million trials for any pair of their 38 million streams.
///
/// Chosen over `rand`'s `Xoshiro256PlusPlus` for speed (BENCHMARKS.md):
/// half the instructions per draw, and a key is a starting state as it is,
/// where a 256-bit state needs four SplitMix64 mixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRng {
    state: u64,
}

impl StreamRng {
    /// The generator whose Weyl sequence starts at `state` (any value).
    #[inline]
    pub fn from_state(state: u64) -> Self {
        StreamRng { state }
    }
}

impl TryRng for StreamRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.try_next_u64().map(|v| (v >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.state = self.state.wrapping_add(0x2d35_8dcc_aa6c_78a5);
        let t = u128::from(self.state) * u128::from(self.state ^ 0x8bb8_4b93_962e_acc9);
        Ok((t as u64) ^ (t >> 64) as u64)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        rand::rand_core::utils::fill_bytes_via_next_word(dst, || self.try_next_u64())
    }
}

impl SeedableRng for StreamRng {
    type Seed = [u8; 8];

    /// Starts at the seed's little-endian value.
    fn from_seed(seed: [u8; 8]) -> Self {
        StreamRng::from_state(u64::from_le_bytes(seed))
    }

    /// Starts at `mix64(state)`, so that small, neighbouring seeds (as
    /// tests use) give unrelated streams.
    fn seed_from_u64(state: u64) -> Self {
        StreamRng::from_state(mix64(state))
    }
}

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
    /// The noise of the rest of the world's demand for a market mineral.
    RestOfWorld,
    /// A shared factor's standard-normal draws.
    Factor,
}

/// The key of one entity's stream: a hash of `(kind, id, purpose)`,
/// computed once at load time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntityKey(pub u64);

impl EntityKey {
    /// Key for the entity of `kind` ("source", "event", "mineral",
    /// "project", "factor") named `id`, for `purpose`. FNV-1a over the
    /// bytes, then mixed.
    pub fn new(kind: &str, id: &str, purpose: Purpose) -> Self {
        let mut h: u64 = 0xCBF2_9CE4_8422_2325;
        let tag: &[u8] = match purpose {
            Purpose::Disruption => b"disruption",
            Purpose::Project => b"project",
            Purpose::Demand => b"demand",
            Purpose::RestOfWorld => b"rest-of-world-demand",
            Purpose::Factor => b"factor",
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
        // Both keys are already mixed: their XOR is the starting state.
        StreamRng::from_state(self.0 ^ entity.0)
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
    fn the_generator_is_wyrand_as_fastrand_implements_it() {
        for seed in [0, 1, 0x2d35_8dcc_aa6c_78a5, u64::MAX, 0x1234_5678_9abc_def0] {
            let mut ours = StreamRng::from_state(seed);
            let mut reference = fastrand::Rng::with_seed(seed);
            for _ in 0..1_000 {
                assert_eq!(ours.next_u64(), reference.u64(..), "seed {seed}");
            }
        }
        // Bytes and 32-bit words come from the same 64-bit outputs.
        let mut a = StreamRng::from_state(7);
        let mut b = a.clone();
        let mut bytes = [0u8; 12];
        a.fill_bytes(&mut bytes);
        assert_eq!(bytes[..8], b.next_u64().to_le_bytes());
        assert_eq!(bytes[8..], b.next_u64().to_le_bytes()[..4]);
        assert_eq!(a.next_u32(), (b.next_u64() >> 32) as u32);
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
