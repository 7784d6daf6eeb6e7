//! The memory guard: before simulating, estimate the memory a command
//! needs and refuse (exit status 2) above `--max-memory` (default
//! [`DEFAULT_MAX_GIB`] GiB), rather than be killed by the system halfway.
//!
//! The estimate, in bytes, for one run of `M` minerals, `Y` years and `T`
//! trials:
//!
//! - runs that keep every value (at most [`engine::EXACT_TRIALS`] trials):
//!   `2 × 8 × M × (Y + 1) × T` (every trial's annual supply and horizon
//!   total, held twice while they are gathered);
//! - larger runs, which sketch them: `M × (Y + 1) × 1 MiB × 2` (a
//!   generous size for one sketch; the worker threads share one set, and
//!   as much again is counted for writing or merging it), plus
//!   the values each worker thread holds back to sketch a batch at a time,
//!   with room to group one batch: `(M × (3 Y + 2) + 1) × HOLD × 8 ×
//!   threads` (supply, price and stock a year, the horizon's total and
//!   cost; at most [`engine::HOLD_MAX`] values each, twice
//!   [`crate::sketch::BATCH`]);
//! - plus, for the paired commands (`compare`, `sensitivity`, `sweep`),
//!   `10 × M × T` (every trial's total and number of shortfall years);
//!
//! times the number of runs held at once: 3 for `compare` (both scenarios
//! and the bisection for equivalent firm supply), 2 for `sensitivity` and
//! `sweep` (the scenario as written and the run in progress), 1 otherwise.

use crate::engine;
use crate::error::{Error, Result};

/// Default `--max-memory`, in GiB.
pub const DEFAULT_MAX_GIB: f64 = 4.0;

/// Bytes counted for one sketch.
const SKETCH_BYTES: f64 = 1024.0 * 1024.0;

/// Bytes of one sketched quantity's values a thread may hold back.
const HOLD_BYTES: f64 = (engine::HOLD_MAX * 8) as f64;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// What a command will simulate.
#[derive(Debug, Clone, Copy)]
pub struct Need {
    /// Minerals of the scenario (the larger one for `compare`).
    pub minerals: usize,
    /// Years of the horizon.
    pub years: usize,
    /// Trials of the whole run (they decide whether values are kept).
    pub trials: u64,
    /// Trials simulated here (fewer for a shard).
    pub simulated: u64,
    /// Whether every trial's total is kept (paired commands).
    pub paired: bool,
    /// Runs held at once.
    pub copies: u32,
    /// Worker threads.
    pub threads: usize,
}

impl Need {
    /// The estimate in bytes, and how it was reached.
    pub fn estimate(&self) -> (f64, String) {
        let m = self.minerals as f64;
        let y = self.years as f64 + 1.0;
        let t = self.simulated as f64;
        let (values, how) = if engine::keeps_values(self.trials) {
            (
                2.0 * 8.0 * m * y * t,
                format!(
                    "{} x {} x {}, every value kept",
                    super::count(self.minerals as u64, "mineral", "minerals"),
                    super::count(self.years as u64, "year", "years"),
                    super::count(self.simulated, "trial", "trials")
                ),
            )
        } else {
            let threads = self.threads as f64;
            // Held back per sketch, and as many again to group one batch.
            let waiting = (m * (3.0 * (y - 1.0) + 2.0) + 1.0) * HOLD_BYTES * threads;
            (
                m * y * SKETCH_BYTES * 2.0 + waiting,
                format!(
                    "{} x {} of sketches, and values held back by {}",
                    super::count(self.minerals as u64, "mineral", "minerals"),
                    super::count(self.years as u64, "year", "years"),
                    super::count(self.threads as u64, "thread", "threads")
                ),
            )
        };
        let paired = if self.paired { 10.0 * m * t } else { 0.0 };
        let copies = f64::from(self.copies);
        let how = match (self.paired, self.copies) {
            (false, 1) => how,
            (false, c) => format!("{how}, {c} runs at once"),
            (true, c) => format!("{how}, plus 10 bytes per trial and mineral, {c} runs at once"),
        };
        (copies * (values + paired), how)
    }

    /// Refuse when the estimate is above `max_gib` (default
    /// [`DEFAULT_MAX_GIB`]).
    ///
    /// # Errors
    ///
    /// [`Error::Input`] naming the estimate and `--max-memory`.
    pub fn check(&self, max_gib: Option<f64>) -> Result<()> {
        let limit = max_gib.unwrap_or(DEFAULT_MAX_GIB);
        let (bytes, how) = self.estimate();
        if bytes <= limit * GIB {
            return Ok(());
        }
        Err(Error::bad_flag(
            "--max-memory",
            format!(
                "this needs about {} GiB of memory ({how}), more than the limit of {} GiB; raise the limit with --max-memory, or use fewer trials, years or minerals",
                gib(bytes),
                crate::error::num(limit)
            ),
        ))
    }
}

/// Bytes as GiB with three significant digits.
fn gib(bytes: f64) -> String {
    let g = bytes / GIB;
    if g >= 100.0 {
        format!("{g:.0}")
    } else if g >= 10.0 {
        format!("{g:.1}")
    } else if g >= 0.01 {
        format!("{g:.2}")
    } else {
        // Never "0.00": a need is never nothing.
        format!("{g:.2e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(trials: u64, paired: bool, copies: u32) -> Need {
        Need {
            minerals: 4,
            years: 10,
            trials,
            simulated: trials,
            paired,
            copies,
            threads: 2,
        }
    }

    #[test]
    fn kept_values_and_sketches_are_counted() {
        let (b, _) = need(100_000, false, 1).estimate();
        assert_eq!(b, 2.0 * 8.0 * 4.0 * 11.0 * 100_000.0);
        // Sketches counted twice, and 4 x 32 quantities of at most
        // 2 x 2^15 values held per thread (2 threads).
        let sketched = 4.0 * 11.0 * SKETCH_BYTES * 2.0 + (4.0 * 32.0 + 1.0) * 65536.0 * 8.0 * 2.0;
        let (b, _) = need(1_000_000, false, 1).estimate();
        assert_eq!(b, sketched);
        let (b, _) = need(1_000_000, true, 2).estimate();
        assert_eq!(b, 2.0 * (sketched + 40.0 * 1e6));
    }

    #[test]
    fn above_the_limit_is_refused_with_the_estimate() {
        assert!(need(100_000, false, 1).check(None).is_ok());
        let e = need(50_000_000, true, 3).check(None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("--max-memory"), "{e}");
        assert!(e.to_string().contains("GiB of memory"), "{e}");
        assert!(need(50_000_000, true, 3).check(Some(8.0)).is_ok());
    }

    #[test]
    fn a_small_need_is_never_said_to_be_nothing() {
        assert_eq!(gib(1.5 * GIB), "1.50");
        assert_eq!(gib(0.5 * GIB), "0.50");
        assert_eq!(gib(3.5e-5 * GIB), "3.50e-5");
        let e = need(1_000, false, 1).check(Some(1e-300)).unwrap_err();
        assert!(!e.to_string().contains("about 0.00 GiB"), "{e}");
    }
}
