//! The commands of the `supplyrisk` binary, as library functions: each
//! takes plain options, does its work and returns what it printed or wrote.

use crate::engine::{self, Aggregate};
use crate::error::{Error, Result};
use crate::output::{create_dir, headline_table, summary_json, write_atomic, years_csv};
use crate::plot::{self, ChartSize};
use crate::report;
use crate::scenario::{Scenario, DEFAULT_SEED, DEFAULT_TRIALS};
use crate::summary::Summary;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
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
}

/// What `run` did.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The results.
    pub summary: Summary,
    /// The folder written.
    pub out_dir: PathBuf,
    /// The files written, in order.
    pub files: Vec<PathBuf>,
}

/// Trials and seed of a run: flags first, then the scenario, then defaults.
pub fn resolve_trials_seed(scenario: &Scenario, opts: &SimOptions) -> Result<(u64, u64)> {
    let trials = opts.trials.or(scenario.trials).unwrap_or(DEFAULT_TRIALS);
    if trials == 0 {
        return Err(Error::bad_flag(
            "--trials",
            "expected an integer >= 1, found 0",
        ));
    }
    Ok((trials, opts.seed.or(scenario.seed).unwrap_or(DEFAULT_SEED)))
}

/// The default output folder of a scenario file: `results/<file stem>/`.
pub fn default_out_dir(scenario_path: &Path) -> PathBuf {
    let stem = scenario_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_string());
    Path::new("results").join(stem)
}

/// Run `f` on a rayon pool of `threads` threads (all cores when `None`).
pub fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            return Err(Error::bad_flag(
                "--threads",
                "expected an integer >= 1, found 0",
            ));
        }
        builder = builder.num_threads(n);
    }
    let pool = builder
        .build()
        .map_err(|e| Error::Other(format!("could not start worker threads: {e}")))?;
    Ok(pool.install(f))
}

/// Simulate `trials` trials with a progress bar on stderr when it is a
/// terminal and `quiet` is off.
pub fn simulate_with_progress(
    scenario: &Scenario,
    seed: u64,
    trials: u64,
    opts: &SimOptions,
    label: &str,
) -> Result<Aggregate> {
    let bar = if !opts.quiet && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(trials);
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:40}] {human_pos}/{human_len} trials, {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(label.to_string());
        Some(bar)
    } else {
        None
    };
    let progress = |n: u64| {
        if let Some(b) = &bar {
            b.inc(n);
        }
    };
    let agg = with_threads(opts.threads, || {
        engine::simulate(scenario, seed, trials, Some(&progress))
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(agg)
}

/// `supplyrisk run`: simulate a scenario and write `summary.json`,
/// `years.csv` and (unless `no_plots`) the charts and `report.html` into the
/// output folder; print the headline table unless quiet.
///
/// # Errors
///
/// [`Error::Input`] for a bad scenario or flag (nothing is written), or
/// [`Error::Write`] when an output cannot be written.
pub fn run(scenario_path: &Path, opts: &SimOptions) -> Result<RunReport> {
    let scenario = Scenario::load(scenario_path)?;
    let (trials, seed) = resolve_trials_seed(&scenario, opts)?;
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(scenario_path));
    let agg = simulate_with_progress(&scenario, seed, trials, opts, &scenario.name)?;
    let summary = Summary::new(&scenario, seed, &agg);
    // Everything is rendered before anything is written.
    let json = summary_json(&summary);
    let mut outputs: Vec<(String, Vec<u8>)> = vec![
        ("summary.json".to_string(), json.clone()),
        ("years.csv".to_string(), years_csv(&summary)?),
    ];
    if !opts.no_plots {
        let charts = plot::run_charts(&summary, &agg, opts.chart_size)?;
        outputs.extend(charts.iter().map(|c| (c.name.clone(), c.png.clone())));
        let page = report::run_report(
            &summary,
            scenario.description.as_deref(),
            charts,
            &String::from_utf8_lossy(&json),
        );
        outputs.push(("report.html".to_string(), page.to_html().into_bytes()));
    }
    let files = write_outputs(&out_dir, &outputs)?;
    if !opts.quiet {
        print!("{}", headline_table(&summary));
        println!("results in {}", out_dir.display());
    }
    Ok(RunReport {
        summary,
        out_dir,
        files,
    })
}

/// Create `dir` and write each `(file name, bytes)` into it atomically.
pub fn write_outputs(dir: &Path, outputs: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    create_dir(dir)?;
    outputs
        .iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            write_atomic(&path, bytes).map(|()| path)
        })
        .collect()
}

/// `supplyrisk validate`: check each file; report every problem of every
/// file. Prints one line per valid file unless `quiet`.
///
/// # Errors
///
/// [`Error::Input`] / [`Error::Inputs`] listing every problem found.
pub fn validate(paths: &[PathBuf], quiet: bool) -> Result<()> {
    let mut problems = Vec::new();
    for p in paths {
        match Scenario::load(p) {
            Ok(s) => {
                if !quiet {
                    println!(
                        "{}: ok — \"{}\", {} minerals, {} sources, {} events, {} years x {} steps",
                        p.display(),
                        s.name,
                        s.minerals.len(),
                        s.sources.len(),
                        s.events.len(),
                        s.years,
                        s.steps_per_year
                    );
                }
            }
            Err(Error::Input(e)) => problems.push(*e),
            Err(Error::Inputs(es)) => problems.extend(es),
            Err(other) => return Err(other),
        }
    }
    match problems.len() {
        0 => Ok(()),
        1 => Err(Error::Input(Box::new(problems.remove(0)))),
        _ => Err(Error::Inputs(problems)),
    }
}
