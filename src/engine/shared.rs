//! The sketches of a sketched run: one set for all worker threads, so that
//! memory does not grow with the number of threads, each sketch under a
//! lock of its own. A thread holds back a batch of values per sketch
//! ([`Pending`]) and pushes it when it is full and the sketch is free; a
//! sketch does not depend on the order in which values arrive, so neither
//! does the run.
//!
//! Pushing one batch takes a fraction of a millisecond and each sketch has
//! its own lock, so threads rarely meet; when they do, the later one goes
//! on simulating and offers its batch again after its next chunk, and
//! waits only once it holds [`HOLD_MAX`] values for that sketch.

use super::record::MineralSketches;
use crate::sketch::{Batch, Grouping, SignedSketch, Sketch, BATCH};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

/// Most values a thread holds for one sketch: from [`BATCH`] on it pushes
/// them when the sketch is free, from this on it waits for it.
pub const HOLD_MAX: usize = 2 * BATCH;

/// One mineral's sketches, each under its own lock.
#[derive(Debug)]
pub struct SharedSketches {
    supply: Vec<Mutex<Sketch>>,
    price: Vec<Mutex<Sketch>>,
    stock: Vec<Mutex<Sketch>>,
    totals: Mutex<Sketch>,
    cost: Option<Mutex<SignedSketch>>,
}

/// One mineral's values held back from its sketches by one thread, to be
/// pushed a batch at a time (they spread over many of a sketch's pages,
/// see [`crate::sketch::Batch`]).
#[derive(Debug, Clone, Default)]
pub struct Pending {
    pub(super) supply: Vec<Batch>,
    pub(super) price: Vec<Batch>,
    pub(super) stock: Vec<Batch>,
    pub(super) totals: Batch,
    pub(super) cost: Batch,
}

/// The lock of `m`, waited for when `wait`, else only if it is free.
fn lock<T>(m: &Mutex<T>, wait: bool) -> Option<MutexGuard<'_, T>> {
    if wait {
        return Some(m.lock().unwrap_or_else(PoisonError::into_inner));
    }
    match m.try_lock() {
        Ok(g) => Some(g),
        Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// Push `batch` with `push` into the sketch under `m` if it holds a full
/// batch and the sketch is free, or it holds [`HOLD_MAX`] values, or
/// `all` (every value, waiting for the sketch).
fn offer<T>(m: &Mutex<T>, batch: &mut Batch, all: bool, push: impl FnOnce(&mut T, &mut Batch)) {
    if batch.is_empty() || (!all && batch.len() < BATCH) {
        return;
    }
    if let Some(mut sketch) = lock(m, all || batch.len() >= HOLD_MAX) {
        push(&mut sketch, batch);
    }
}

impl SharedSketches {
    /// Shared sketches, starting from `sk`.
    pub fn new(sk: MineralSketches) -> SharedSketches {
        let locked = |v: Vec<Sketch>| v.into_iter().map(Mutex::new).collect();
        SharedSketches {
            supply: locked(sk.supply),
            price: locked(sk.price),
            stock: locked(sk.stock),
            totals: Mutex::new(sk.totals),
            cost: sk.cost.map(Mutex::new),
        }
    }

    /// The sketches, every thread's values pushed.
    pub fn into_inner(self) -> MineralSketches {
        let inner = |m: Mutex<Sketch>| m.into_inner().unwrap_or_else(PoisonError::into_inner);
        let all = |v: Vec<Mutex<Sketch>>| v.into_iter().map(inner).collect();
        MineralSketches {
            supply: all(self.supply),
            price: all(self.price),
            stock: all(self.stock),
            totals: inner(self.totals),
            cost: self
                .cost
                .map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner)),
        }
    }

    /// Push the batches of `pending` that are full into their sketches
    /// where these are free (every value held, waiting for them, when
    /// `all`).
    pub fn offer(&self, pending: &mut Pending, g: &mut Grouping, all: bool) {
        let pairs = [
            (&self.supply, &mut pending.supply),
            (&self.price, &mut pending.price),
            (&self.stock, &mut pending.stock),
        ];
        for (sketches, batches) in pairs {
            for (s, b) in sketches.iter().zip(batches.iter_mut()) {
                offer(s, b, all, |s, b| b.flush(s, g));
            }
        }
        offer(&self.totals, &mut pending.totals, all, |s, b| b.flush(s, g));
        if let Some(c) = &self.cost {
            offer(c, &mut pending.cost, all, |c, b| b.flush_signed(c));
        }
    }
}
