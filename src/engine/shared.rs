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
use super::CHUNK_TRIALS;
use crate::sketch::{Batch, Grouping, SignedSketch, Sketch, BATCH};
use rayon::prelude::*;
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

/// Most values a thread holds for one sketch: from [`BATCH`] on it pushes
/// them when the sketch is free, and it waits for the sketch rather than
/// hold more than this after its next chunk.
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

/// The lock of `m`, waited for (its data stays usable if a thread
/// panicked holding it: that panic is reported anyway).
fn wait_for<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What `m` holds, whether or not a thread panicked holding it.
fn unlocked<T>(m: Mutex<T>) -> T {
    m.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// The lock of `m`, waited for when `wait`, else only if it is free.
fn lock<T>(m: &Mutex<T>, wait: bool) -> Option<MutexGuard<'_, T>> {
    if wait {
        return Some(wait_for(m));
    }
    match m.try_lock() {
        Ok(g) => Some(g),
        Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// Push `batch` with `push` into the sketch under `m` if it holds a full
/// batch and the sketch is free, or (waiting for the sketch) if another
/// chunk's values would take it past [`HOLD_MAX`].
fn offer<T>(m: &Mutex<T>, batch: &mut Batch, push: impl FnOnce(&mut T, &mut Batch)) {
    if batch.len() < BATCH {
        return;
    }
    let wait = batch.len() + CHUNK_TRIALS as usize > HOLD_MAX;
    if let Some(mut sketch) = lock(m, wait) {
        push(&mut sketch, batch);
    }
}

/// Where a sketch's held values go at the end of a run.
enum Target<'a> {
    Plain(&'a Mutex<Sketch>),
    Signed(&'a Mutex<SignedSketch>),
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
        let all = |v: Vec<Mutex<Sketch>>| v.into_iter().map(unlocked).collect();
        MineralSketches {
            supply: all(self.supply),
            price: all(self.price),
            stock: all(self.stock),
            totals: unlocked(self.totals),
            cost: self.cost.map(unlocked),
        }
    }

    /// Push the batches of `pending` that are full into their sketches
    /// where these are free, and those that are fuller still in any case.
    pub fn offer(&self, pending: &mut Pending, g: &mut Grouping) {
        let pairs = [
            (&self.supply, &mut pending.supply),
            (&self.price, &mut pending.price),
            (&self.stock, &mut pending.stock),
        ];
        for (sketches, batches) in pairs {
            for (s, b) in sketches.iter().zip(batches.iter_mut()) {
                offer(s, b, |s, b| b.flush(s, g));
            }
        }
        offer(&self.totals, &mut pending.totals, |s, b| b.flush(s, g));
        if let Some(c) = &self.cost {
            offer(c, &mut pending.cost, |c, b| b.flush_signed(c));
        }
    }
}

/// Push every value the threads still hold (`held[thread][mineral]`) into
/// the sketches of `shared`, sketch by sketch in parallel on the current
/// thread pool (pushed by each thread in turn, they would take a serial
/// phase at the end of the run).
pub fn flush_all(shared: &[SharedSketches], mut held: Vec<Vec<Pending>>) {
    type Series = fn(&mut Pending) -> &mut Vec<Batch>;
    let mut jobs: Vec<(Target<'_>, Vec<Batch>)> = Vec::new();
    for (m, sk) in shared.iter().enumerate() {
        let series: [(&Vec<Mutex<Sketch>>, Series); 3] = [
            (&sk.supply, |p| &mut p.supply),
            (&sk.price, |p| &mut p.price),
            (&sk.stock, |p| &mut p.stock),
        ];
        for (locks, pick) in series {
            for (i, lock) in locks.iter().enumerate() {
                let batches = gather(&mut held, m, |p| pick(p).get_mut(i));
                jobs.push((Target::Plain(lock), batches));
            }
        }
        let totals = gather(&mut held, m, |p| Some(&mut p.totals));
        jobs.push((Target::Plain(&sk.totals), totals));
        if let Some(c) = &sk.cost {
            jobs.push((
                Target::Signed(c),
                gather(&mut held, m, |p| Some(&mut p.cost)),
            ));
        }
    }
    jobs.into_par_iter()
        .filter(|(_, batches)| !batches.is_empty())
        .for_each(|(target, batches)| match target {
            Target::Plain(lock) => {
                let (mut sketch, mut g) = (wait_for(lock), Grouping::default());
                for mut b in batches {
                    b.flush(&mut sketch, &mut g);
                }
            }
            Target::Signed(lock) => {
                let mut sketch = wait_for(lock);
                for mut b in batches {
                    b.flush_signed(&mut sketch);
                }
            }
        });
}

/// Every thread's non-empty batch `pick` of mineral `m`, taken out.
fn gather(
    held: &mut [Vec<Pending>],
    m: usize,
    pick: impl Fn(&mut Pending) -> Option<&mut Batch>,
) -> Vec<Batch> {
    held.iter_mut()
        .filter_map(|thread| thread.get_mut(m))
        .filter_map(|p| pick(p).map(std::mem::take))
        .filter(|b| !b.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> MineralSketches {
        MineralSketches {
            supply: vec![Sketch::new(10.0); 2],
            price: Vec::new(),
            stock: vec![Sketch::new(5.0)],
            totals: Sketch::new(100.0),
            cost: Some(SignedSketch::new(50.0)),
        }
    }

    /// Value `j` of chunk `c` of thread `t` for series `k`: spread over
    /// many pages, with repeats, zeros and (for the cost) negatives.
    fn value(t: usize, c: usize, j: usize, k: usize) -> f64 {
        let i = ((t * 7919 + c) * 1024 + j) * 5 + k;
        let x = ((i as f64) * 0.618_033_988_75).fract();
        match i % 9 {
            0 => 0.0,
            1 => 5.0,
            _ if k == 4 => 100.0 * (x - 0.3),
            _ => 10.0 * x.powi(1 + (i % 4) as i32),
        }
    }

    /// A thread's chunk `c` held in `p`.
    fn hold(p: &mut Pending, t: usize, c: usize) {
        let chunk = |k| (0..CHUNK_TRIALS as usize).map(move |j| value(t, c, j, k));
        let batches = p.supply.iter_mut().chain(&mut p.stock);
        for (k, b) in batches.enumerate() {
            b.extend(&chunk(k).collect::<Vec<_>>());
        }
        p.totals.extend(&chunk(3).collect::<Vec<_>>());
        p.cost.extend(&chunk(4).collect::<Vec<_>>());
    }

    fn pending() -> Pending {
        Pending {
            supply: vec![Batch::default(); 2],
            stock: vec![Batch::default()],
            ..Pending::default()
        }
    }

    #[test]
    fn threads_sharing_sketches_lose_and_repeat_no_value() {
        let (threads, chunks) = (8, 100); // 3 batches a thread per sketch
        let shared = SharedSketches::new(empty());
        let held: Vec<Vec<Pending>> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    let shared = &shared;
                    s.spawn(move || {
                        let (mut p, mut g) = (pending(), Grouping::default());
                        for c in 0..chunks {
                            hold(&mut p, t, c);
                            shared.offer(&mut p, &mut g);
                            assert!(p.totals.len() <= HOLD_MAX);
                        }
                        vec![p]
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        flush_all(std::slice::from_ref(&shared), held);
        let mut want = empty();
        for (t, c) in (0..threads).flat_map(|t| (0..chunks).map(move |c| (t, c))) {
            let mut p = pending();
            hold(&mut p, t, c);
            let sketches = want.supply.iter_mut().chain(&mut want.stock);
            let batches = p.supply.iter().chain(&p.stock);
            let pairs = sketches.zip(batches).chain([(&mut want.totals, &p.totals)]);
            for (sketch, b) in pairs {
                b.values().iter().for_each(|&x| sketch.push(x));
            }
            if let Some(cost) = &mut want.cost {
                cost.push_all(p.cost.values());
            }
        }
        assert_eq!(shared.into_inner(), want);
    }

    #[test]
    fn a_busy_sketch_is_skipped_until_its_values_would_pass_the_limit() {
        let shared = SharedSketches::new(empty());
        let (mut p, mut g) = (pending(), Grouping::default());
        let busy = shared.totals.lock().unwrap();
        // A full batch, its sketch busy: held back, the others pushed.
        let full = BATCH / CHUNK_TRIALS as usize;
        (0..full).for_each(|c| hold(&mut p, 0, c));
        shared.offer(&mut p, &mut g);
        assert_eq!(p.totals.len(), BATCH);
        assert!(p.supply[0].is_empty() && p.cost.is_empty());
        // Held back until one more chunk would take it past the limit:
        // then it waits for the sketch.
        let last = HOLD_MAX / CHUNK_TRIALS as usize;
        (full..last).for_each(|c| hold(&mut p, 0, c));
        std::thread::scope(|s| {
            let waiting = s.spawn(|| {
                shared.offer(&mut p, &mut g);
                p.totals.len()
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(!waiting.is_finished(), "it waits for the sketch");
            drop(busy);
            assert_eq!(waiting.join().unwrap(), 0);
        });
        assert_eq!(shared.into_inner().totals.len(), HOLD_MAX as u64);
    }
}
