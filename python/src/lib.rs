//! `supplyrisk._native`: the Python extension module. Conversion and glue
//! only: every result comes from the library's commands run in memory
//! (`SimOptions::in_memory`), with the GIL released while they work
//! (`Python::detach`, pyo3's name for what was `allow_threads`). A command
//! that simulates runs on a thread of its own while the calling thread
//! checks for signals, so Ctrl-C (or a notebook's interrupt) cancels it
//! (`interruptible`). The pandas layer is pure Python
//! (`python/supplyrisk/`).

mod errors;
mod run;
mod scenario;
mod studies;

use errors::OrRaise;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;
use supplyrisk::commands::{self, Phase, ProgressFeed, SimOptions};
use supplyrisk::plot::ChartSize;

/// How often a waiting call checks for signals.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// Run `work` with `opts` on a thread of its own, without the
/// interpreter's lock, while this thread checks for signals every
/// [`SIGNAL_CHECK`]: on a signal whose handler raises (Ctrl-C's
/// `KeyboardInterrupt`), the work is cancelled (it stops after the chunks
/// under way), and its exception is raised once the work has stopped.
/// `progress`, if given, is called on this thread as
/// `progress(number, label, done, total)` whenever a simulation of the
/// command has moved on (see [`Watch`]); an exception it raises cancels
/// the work as a signal does.
fn interruptible<T: Send>(
    py: Python<'_>,
    mut opts: SimOptions,
    progress: Option<&Bound<'_, PyAny>>,
    work: impl FnOnce(&SimOptions) -> supplyrisk::Result<T> + Send,
) -> PyResult<T> {
    let cancel = Arc::new(AtomicBool::new(false));
    opts.cancel = Some(cancel.clone());
    let mut watch = progress.map(|f| Watch::new(f, &mut opts));
    let opts = &opts;
    std::thread::scope(|s| {
        let (tx, mut rx) = mpsc::channel();
        let worker = s.spawn(move || {
            // (The receiver may be gone: nothing then waits for the result.)
            let _ = tx.send(work(opts));
        });
        let mut raised = None;
        loop {
            let (got, back) = py.detach(move || (rx.recv_timeout(SIGNAL_CHECK), rx));
            rx = back;
            match got {
                Ok(result) if raised.is_none() => {
                    let result = result.or_raise()?;
                    // The last simulation's end.
                    if let Some(w) = &mut watch {
                        w.report()?;
                    }
                    return Ok(result);
                }
                Ok(_) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if raised.is_none() {
                        let reported = watch.as_mut().map_or(Ok(()), Watch::report);
                        if let Err(e) = reported.and_then(|()| py.check_signals()) {
                            cancel.store(true, Ordering::Relaxed);
                            raised = Some(e);
                        }
                    }
                }
                // The worker ended without a result: it panicked.
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    if let Err(panic) = py.detach(|| worker.join()) {
                        std::panic::resume_unwind(panic);
                    }
                    break;
                }
            }
        }
        Err(raised.unwrap_or_else(|| {
            errors::to_py(supplyrisk::Error::Other(
                "the command ended without a result".into(),
            ))
        }))
    })
}

/// A Python progress callback and the feed it is called from.
struct Watch<'a, 'py> {
    callback: &'a Bound<'py, PyAny>,
    feed: Arc<ProgressFeed>,
    /// The phase last reported.
    last: Option<Phase>,
}

impl<'a, 'py> Watch<'a, 'py> {
    /// A watch calling `callback`, fed by the command run with `opts`.
    fn new(callback: &'a Bound<'py, PyAny>, opts: &mut SimOptions) -> Self {
        let feed = Arc::new(ProgressFeed::default());
        opts.feed = Some(feed.clone());
        Watch {
            callback,
            feed,
            last: None,
        }
    }

    /// Call the callback if the command has moved on since it was last
    /// called.
    fn report(&mut self) -> PyResult<()> {
        let now = self.feed.phase();
        if now.is_some() && now != self.last {
            if let Some(p) = &now {
                self.callback
                    .call1((p.number, p.label.as_str(), p.done, p.total))?;
            }
            self.last = now;
        }
        Ok(())
    }
}

/// An integer argument as Python gives it, of any sign: taken as `i128`
/// and checked by [`whole`], so that a negative count is bad input that
/// names its argument (an unsigned parameter would raise an
/// `OverflowError` that names nothing).
type PyInt = i128;

/// The value of the integer argument `name`, which must not be negative
/// (the library checks the rest of its range): a value out of range gets
/// the message the library gives for the argument.
fn whole(name: &str, v: Option<PyInt>) -> PyResult<Option<u64>> {
    let expected = || match name {
        "trials" => format!("an integer from 1 to {}", commands::MAX_TRIALS),
        "threads" => "an integer >= 1".to_string(),
        "samples" => format!(
            "a power of two from 1 to {}",
            supplyrisk::uncertainty::MAX_SAMPLES
        ),
        _ => format!("an integer from 0 to {}", u64::MAX),
    };
    v.map(|v| {
        u64::try_from(v)
            .map_err(|_| errors::bad_argument(name, format!("expected {}, found {v}", expected())))
    })
    .transpose()
}

/// [`whole`], for a count of things in memory (threads, samples).
fn whole_usize(name: &str, v: Option<PyInt>) -> PyResult<Option<usize>> {
    whole(name, v)?
        .map(|v| {
            usize::try_from(v).map_err(|_| {
                errors::bad_argument(name, format!("expected at most {}, found {v}", usize::MAX))
            })
        })
        .transpose()
}

/// Options of a command run from Python: nothing written, nothing printed.
fn options(
    trials: Option<PyInt>,
    seed: Option<PyInt>,
    threads: Option<PyInt>,
    charts: Option<(PyInt, PyInt)>,
) -> PyResult<SimOptions> {
    let (trials, seed) = (whole("trials", trials)?, whole("seed", seed)?);
    let threads = whole_usize("threads", threads)?;
    let chart_size = match charts {
        Some((w, h)) => ChartSize::parse(&format!("{w}x{h}")).ok_or_else(|| {
            errors::bad_argument(
                "chart_size",
                format!(
                    "expected (width, height) in pixels (320-8000, 240-8000), found ({w}, {h})"
                ),
            )
        })?,
        None => ChartSize::default(),
    };
    Ok(SimOptions {
        trials,
        seed,
        threads,
        no_plots: charts.is_none(),
        quiet: true,
        chart_size,
        in_memory: true,
        ..SimOptions::default()
    })
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ScenarioError", py.get_type::<errors::ScenarioError>())?;
    m.add("SupplyriskError", py.get_type::<errors::SupplyriskError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("PROGRAM", supplyrisk::partial::program())?;
    m.add("MAX_SHARDS", supplyrisk::partial::MAX_SHARDS)?;
    m.add_class::<scenario::Scenario>()?;
    m.add_class::<run::RunResult>()?;
    m.add_function(wrap_pyfunction!(errors::argument_error, m)?)?;
    m.add_function(wrap_pyfunction!(run::merge, m)?)?;
    m.add_function(wrap_pyfunction!(run::partial_header, m)?)?;
    m.add_function(wrap_pyfunction!(studies::compare, m)?)?;
    m.add_function(wrap_pyfunction!(studies::sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(studies::sweep, m)?)?;
    m.add_function(wrap_pyfunction!(studies::uncertainty, m)?)?;
    Ok(())
}
