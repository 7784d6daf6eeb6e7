//! Progress of the simulations a command runs: a bar on stderr, and a
//! [`ProgressFeed`] another thread reads (the Python package's progress
//! callback).

use super::{with_threads, SimOptions};
use crate::engine;
use crate::error::{Error, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// One simulation of a command: which (from 1), what it simulates (the
/// bar's label, such as `baseline`), and its trials, all and done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    /// Its number among the command's simulations, from 1.
    pub number: u64,
    /// What it simulates.
    pub label: String,
    /// Trials done so far.
    pub done: u64,
    /// Trials in all.
    pub total: u64,
}

/// Progress a command reports while it runs, read from another thread.
/// A command runs one or more simulations in turn (a comparison: the
/// baseline, then the alternative), each a [`Phase`].
#[derive(Debug, Default)]
pub struct ProgressFeed {
    /// Number, label and trials of the simulation under way.
    phase: Mutex<(u64, String, u64)>,
    /// Its trials done.
    done: AtomicU64,
}

impl ProgressFeed {
    /// The simulation under way, or the last one; `None` before the first.
    pub fn phase(&self) -> Option<Phase> {
        let phase = self
            .phase
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Read under the lock, so that the count is the phase's.
        let done = self.done.load(Ordering::Relaxed);
        let (number, label, total) = phase.clone();
        (number > 0).then(|| Phase {
            number,
            label,
            done: done.min(total),
            total,
        })
    }

    /// A new simulation of `total` trials starts.
    fn start(&self, label: &str, total: u64) {
        let mut phase = self
            .phase
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.done.store(0, Ordering::Relaxed);
        *phase = (phase.0 + 1, label.to_string(), total);
    }
}

/// Run `work` on `opts.threads` threads with a progress bar of `total`
/// trials on stderr (when it is a terminal and `quiet` is off) and in
/// `opts.feed`; `work` reports finished trials through the
/// [`engine::Progress`] it is given, which answers whether to go on (no
/// once `opts.cancel` is set).
///
/// # Errors
///
/// [`Error::Cancelled`] when `opts.cancel` was set; an error from starting
/// the worker threads.
pub fn with_progress<T: Send>(
    total: u64,
    label: &str,
    opts: &SimOptions,
    work: impl FnOnce(engine::Progress) -> T + Send,
) -> Result<T> {
    let bar = (!opts.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:40}] {human_pos}/{human_len} trials, {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(label.to_string());
        bar
    });
    let feed = opts.feed.as_deref();
    if let Some(f) = feed {
        f.start(label, total);
    }
    let cancelled = || {
        opts.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    };
    let progress = |n: u64| {
        if let Some(b) = &bar {
            b.inc(n);
        }
        if let Some(f) = feed {
            f.done.fetch_add(n, Ordering::Relaxed);
        }
        !cancelled()
    };
    let out = with_threads(opts.threads, || work(&progress))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if cancelled() {
        return Err(Error::Cancelled);
    }
    Ok(out)
}
