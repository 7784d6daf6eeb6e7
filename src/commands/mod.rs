//! The commands of the `supplyrisk` binary, as library functions: each
//! takes plain options, does its work and returns what it printed or wrote.
//! This module holds what they share; each command has its own module.

mod compare;
mod merge;
mod progress;
mod run;
mod sensitivity;
mod sweep;
mod uncertainty;

pub use compare::{compare, compare_text, CompareReport};
pub use merge::{merge, merge_partials};
pub use progress::{with_progress, Phase, ProgressFeed};
pub use run::{
    chart_context, provenance, run, run_outputs, run_text, validate, RunParts, RunReport,
};
pub use sensitivity::{sensitivity, sensitivity_text, SensitivityReport};
pub use sweep::{sweep, sweep_text, SweepOptions, SweepReport};
pub use uncertainty::{uncertainty, uncertainty_text, UncertaintyReport, DEFAULT_SAMPLES};

use crate::engine::{self, Aggregate};
use crate::error::{Error, InputError, Result};
use crate::output::folder::Staging;
use crate::output::memory::Need;
use crate::plot::ChartSize;
use crate::scenario::{Scenario, DEFAULT_SEED, DEFAULT_TRIALS};
use std::path::{Path, PathBuf};

/// Options shared by the commands that simulate.
#[derive(Debug, Clone, Default)]
pub struct SimOptions {
    /// Overrides the scenario's trial count.
    pub trials: Option<u64>,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Output folder; default `results/<scenario file stem>/`.
    pub out: Option<PathBuf>,
    /// Worker threads; default all cores. Results never depend on it.
    pub threads: Option<usize>,
    /// Write no charts.
    pub no_plots: bool,
    /// Print nothing but errors.
    pub quiet: bool,
    /// Size of the PNG charts.
    pub chart_size: ChartSize,
    /// `run --shard K/N`: simulate only the K-th of N slices of the trials;
    /// `uncertainty --shard K/N`: run only the K-th of N slices of the
    /// parameter sets.
    pub shard: Option<(u64, u64)>,
    /// `run --per-trial FILE`: also write every trial's horizon totals.
    pub per_trial: Option<PathBuf>,
    /// `run`: keep every trial's horizon results in the report's
    /// [`RunParts`] (as `per_trial` does) without writing them.
    pub keep_trials: bool,
    /// Most memory a run may need, in GiB (default
    /// [`crate::output::memory::DEFAULT_MAX_GIB`]); checked before simulating.
    pub max_memory: Option<f64>,
    /// Write nothing: the command returns its outputs (each file's name
    /// and bytes) in its report instead, as the Python package uses it.
    /// `out` is then ignored; with `quiet`, nothing is printed either.
    pub in_memory: bool,
    /// Set from any thread to cancel the command: its simulation stops
    /// after the chunks under way and it returns [`Error::Cancelled`],
    /// having written nothing.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Where the command reports its progress for a caller that shows it
    /// (as the Python package does); the bar on stderr is shown anyway
    /// unless `quiet`.
    pub feed: Option<std::sync::Arc<ProgressFeed>>,
}

/// The files a command writes, by name, rendered in memory.
pub type Outputs = Vec<(String, Vec<u8>)>;

/// A scenario's text and the name its messages give it: a file's path
/// as given, or any label for text that was never in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioText {
    /// The file (or label) named in messages and in the provenance line.
    pub file: String,
    /// The TOML text.
    pub text: String,
}

impl ScenarioText {
    /// Read a scenario file's text (see [`Scenario::read_text`]).
    ///
    /// # Errors
    ///
    /// [`Error::Input`] if the file cannot be read.
    pub fn read(path: &Path) -> Result<ScenarioText> {
        Ok(ScenarioText {
            file: path.display().to_string(),
            text: Scenario::read_text(path)?,
        })
    }

    /// Parse and validate the text (see [`Scenario::from_toml_str`]).
    ///
    /// # Errors
    ///
    /// [`Error::Input`] / [`Error::Inputs`] for every rule broken.
    pub fn parse(&self) -> Result<Scenario> {
        Scenario::from_toml_str(&self.text, &self.file)
    }
}

/// `opts` with `out` set to `default` when it is not given: the commands
/// that read files name their default output folder after them.
pub fn out_or(opts: &SimOptions, default: impl FnOnce() -> PathBuf) -> SimOptions {
    let mut o = opts.clone();
    o.out = Some(o.out.take().unwrap_or_else(default));
    o
}

/// Most trials `run` accepts (about an hour on two cores; memory stays flat).
pub const MAX_TRIALS: u64 = 1_000_000_000;
/// Most trials the paired commands (`compare`, `sensitivity`, `sweep`)
/// accept: they keep every trial's total, 10 bytes per trial and mineral.
pub const MAX_PAIRED_TRIALS: u64 = 50_000_000;

/// Trials and seed of a run: flags first, then the scenario (of `file`),
/// then defaults. At most `max` trials; too many from the file are blamed
/// on its `scenario.trials`.
pub fn resolve_trials_seed(
    scenario: &Scenario,
    file: &str,
    opts: &SimOptions,
    max: u64,
) -> Result<(u64, u64)> {
    check_trials_flag(opts, max)?;
    let trials = opts.trials.or(scenario.trials).unwrap_or(DEFAULT_TRIALS);
    if opts.trials.is_none() && trials > max {
        return Err(InputError {
            file: file.to_string(),
            position: None,
            key: Some("scenario.trials".to_string()),
            message: format!(
                "expected at most {max} trials for this command, found {trials}; give --trials to run fewer"
            ),
        }
        .into());
    }
    Ok((trials, opts.seed.or(scenario.seed).unwrap_or(DEFAULT_SEED)))
}

/// `--trials`, when given, from 1 to `max`.
fn check_trials_flag(opts: &SimOptions, max: u64) -> Result<()> {
    match opts.trials {
        Some(t) if t == 0 || t > max => Err(Error::bad_flag(
            "--trials",
            format!("expected an integer from 1 to {max}, found {t}"),
        )),
        _ => Ok(()),
    }
}

/// `--threads`, when given, at least 1.
fn check_threads_flag(threads: Option<usize>) -> Result<()> {
    match threads {
        Some(0) => Err(Error::bad_flag(
            "--threads",
            "expected an integer >= 1, found 0",
        )),
        _ => Ok(()),
    }
}

/// The checks of a command's flags that need no scenario: `--trials`
/// (at most `max`), `--threads` and the output folder `out` (unless
/// nothing is written there), so that their problems are reported with
/// the scenario's.
pub fn check_flags(opts: &SimOptions, max: u64, out: &Path) -> Result<()> {
    let out_ok = if opts.in_memory || opts.shard.is_some() {
        Ok(())
    } else {
        crate::output::folder::check_out(out)
    };
    let counts = crate::error::both(
        check_trials_flag(opts, max),
        check_threads_flag(opts.threads),
    );
    let memory = match opts.max_memory {
        Some(g) if !(g > 0.0 && g <= MAX_MEMORY_GIB) => Err(Error::bad_flag(
            "--max-memory",
            format!("expected a number of GiB above 0 and at most {MAX_MEMORY_GIB}, such as 16, found {g}"),
        )),
        _ => Ok(()),
    };
    let flags = crate::error::both(counts, memory).map(|_| ());
    crate::error::both(flags, out_ok).map(|_| ())
}

/// Largest `--max-memory`, in GiB.
pub const MAX_MEMORY_GIB: f64 = 1e6;

/// `read` (scenario files read), or its problem with those of the flags
/// [`check_flags`] checks: a file that cannot be read stops the command
/// before its scenario's rules are checked, not before its flags are.
/// `opts.out` is the output folder the command would write.
pub fn read_and_flags<T>(read: Result<T>, opts: &SimOptions, max: u64) -> Result<T> {
    read.map_err(|e| {
        let out = opts.out.clone().unwrap_or_default();
        match check_flags(opts, max, &out) {
            Ok(()) => e,
            Err(flags) => e.and(flags),
        }
    })
}

/// The default output folder of a scenario file: `results/<file stem>/`,
/// or `results/scenario/` when the stem is empty, `.` or `..` (a file
/// named `...toml` must not write into `results/` or the current folder).
pub fn default_out_dir(scenario_path: &Path) -> PathBuf {
    // `file_stem` keeps a leading dot's name whole: `.toml` is its own
    // stem, which would make a hidden folder.
    let name = scenario_path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned());
    let stem = match name.as_deref().and_then(|n| n.strip_suffix(".toml")) {
        Some(s) => Some(s.to_string()),
        None => scenario_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned()),
    };
    let stem = stem
        .filter(|s| !matches!(s.as_str(), "" | "." | ".."))
        .unwrap_or_else(|| "scenario".to_string());
    Path::new("results").join(stem)
}

/// Most worker threads: the cores available (1 if that is unknown).
pub fn max_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Run a command's work `f` on one pool of `opts.threads` threads (see
/// [`with_threads`]). A bad `--threads` is left for the command to report
/// with its other problems: `f` then runs on a pool of all cores and
/// refuses it before simulating.
pub(crate) fn on_pool<T: Send>(
    opts: &SimOptions,
    f: impl FnOnce() -> Result<T> + Send,
) -> Result<T> {
    with_threads(opts.threads.filter(|&n| n > 0), f)?
}

/// Run `f` on a rayon pool of `threads` threads (all cores when `None`),
/// at most [`max_threads`]: more only add contention. Called on a pool's
/// thread (a command's, which runs all of its work on one pool), `f` runs
/// there. The commands never use rayon's global pool, so a process that
/// forks after a command (Python's `multiprocessing`) can run commands in
/// the child: the global pool's threads would not be there.
pub fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T> {
    check_threads_flag(threads)?;
    if rayon::current_thread_index().is_some() {
        return Ok(f());
    }
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n.min(max_threads()));
    }
    let pool = builder
        .build()
        .map_err(|e| Error::Other(format!("could not start worker threads: {e}")))?;
    Ok(pool.install(f))
}

/// Simulate `trials` trials with a progress bar on stderr when it is a
/// terminal and `quiet` is off, keeping every trial's total (as paired
/// comparisons need).
pub fn simulate_with_progress(
    scenario: &Scenario,
    seed: u64,
    trials: u64,
    opts: &SimOptions,
    label: &str,
) -> Result<Aggregate> {
    simulate_keeping(scenario, seed, trials, opts, label, true)
}

/// [`simulate_with_progress`], keeping every trial's total only when
/// `keep_trials`.
pub fn simulate_keeping(
    scenario: &Scenario,
    seed: u64,
    trials: u64,
    opts: &SimOptions,
    label: &str,
    keep_trials: bool,
) -> Result<Aggregate> {
    let engine_opts = engine::Options { keep_trials };
    with_progress(trials, label, opts, |progress| {
        engine::simulate_with(scenario, seed, trials, Some(progress), engine_opts)
    })
}

/// Check `out` and create the temporary folder the command's files are
/// written into (see [`crate::output::folder`]). Called by every command
/// that writes results, before it simulates: a bad `--out` is bad input.
/// `None` when `opts.in_memory`: nothing is written.
///
/// # Errors
///
/// [`Error::Input`] when `out` is a file, a symbolic link, a folder holding
/// files supplyrisk did not write, or cannot be created.
pub fn prepare_out(out: &Path, command: &str, opts: &SimOptions) -> Result<Option<Staging>> {
    if opts.in_memory {
        return Ok(None);
    }
    Staging::begin(out, command, opts.quiet).map(Some)
}

/// Refuse, before simulating, a command whose estimated memory exceeds
/// `--max-memory` (see [`crate::output::memory`]). `trials` is the whole
/// run's, `simulated` the trials run here; `paired` commands keep every
/// trial's total; `copies` runs are held at once.
///
/// # Errors
///
/// [`Error::Input`] naming the estimate and the flag.
pub fn check_memory(
    scenario: &Scenario,
    (trials, simulated): (u64, u64),
    paired: bool,
    copies: u32,
    opts: &SimOptions,
) -> Result<()> {
    Need {
        minerals: scenario.minerals.len(),
        years: scenario.years,
        trials,
        simulated,
        paired,
        copies,
        threads: opts.threads.unwrap_or(usize::MAX).clamp(1, max_threads()),
    }
    .check(opts.max_memory)
}

/// Write the outputs into the temporary folder, swap it in as the output
/// folder and, unless `quiet`, print `report` (a heading and a table) and
/// where the results are. Returns the files written (none, and nothing
/// printed, without a staging folder: see [`prepare_out`]).
pub fn finish(
    staging: Option<Staging>,
    outputs: &[(String, Vec<u8>)],
    quiet: bool,
    report: impl FnOnce() -> String,
) -> Result<Vec<PathBuf>> {
    let Some(mut staging) = staging else {
        return Ok(Vec::new());
    };
    for (name, bytes) in outputs {
        staging.write(name, bytes)?;
    }
    let dir = staging.out().to_path_buf();
    let files = staging.commit()?;
    if !quiet {
        say(&format!("{}results in {}\n", report(), dir.display())).map_err(|e| {
            Error::Other(format!(
                "the results are in '{}', but printing their table failed: {e}",
                dir.display()
            ))
        })?;
    }
    Ok(files)
}

/// Print each of `warnings` on stderr as `warning: …`, unless `quiet`.
pub(crate) fn warn(warnings: &[String], quiet: bool) {
    if !quiet {
        for w in warnings {
            crate::stderr_line!("warning: {w}");
        }
    }
}

/// The notices of a scenario (see [`crate::scenario::notices`]), each
/// after `prefix`.
pub(crate) fn notices_after(scenario: &crate::scenario::Scenario, prefix: &str) -> Vec<String> {
    crate::scenario::notices::notices(scenario)
        .into_iter()
        .map(|n| format!("{prefix}{n}"))
        .collect()
}

/// The notices of a scenario whose parameters a study varies, each
/// marked as being of the scenario as written.
pub(crate) fn as_written_notices(scenario: &crate::scenario::Scenario) -> Vec<String> {
    notices_after(scenario, "the scenario as written: ")
}

pub use crate::output::count;

/// A large count in words: `3.3 million`, `1.2 billion`; plainly below a
/// million.
pub fn fmt_count(n: u64) -> String {
    let x = n as f64;
    let (v, word) = if x >= 1e12 {
        (x / 1e12, "trillion")
    } else if x >= 1e9 {
        (x / 1e9, "billion")
    } else if x >= 1e6 {
        (x / 1e6, "million")
    } else {
        return crate::output::group_thousands(&n.to_string());
    };
    let s = format!("{v:.1}");
    format!("{} {word}", s.strip_suffix(".0").unwrap_or(&s))
}

/// Write `text` to stdout. A closed pipe (`supplyrisk … | head`) is not an
/// error: the reader has what it wanted, so the rest is dropped quietly.
///
/// # Errors
///
/// [`Error::Other`] when stdout cannot be written for another reason (a
/// full disk behind a redirection): exit status 1.
pub fn say(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Other(format!(
            "could not write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}
