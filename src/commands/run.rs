//! `supplyrisk run` and `supplyrisk validate`.

use super::{default_out_dir, finish, resolve_trials_seed, simulate_keeping, SimOptions};
use crate::error::{Error, Result};
use crate::output::{headline_table, json_bytes, years_csv};
use crate::plot;
use crate::report;
use crate::scenario::Scenario;
use crate::summary::Summary;
use std::path::{Path, PathBuf};

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
    let (trials, seed) = resolve_trials_seed(&scenario, opts, super::MAX_TRIALS)?;
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(scenario_path));
    let agg = simulate_keeping(&scenario, seed, trials, opts, &scenario.name, false)?;
    let summary = Summary::new(&scenario, seed, &agg);
    // Everything is rendered before anything is written.
    let json = json_bytes(&summary);
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
    let files = finish(&out_dir, &outputs, opts.quiet, || headline_table(&summary))?;
    Ok(RunReport {
        summary,
        out_dir,
        files,
    })
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
                    super::say(&format!(
                        "{}: ok — \"{}\", {} minerals, {} sources, {} events, {} years x {} steps\n",
                        p.display(),
                        s.name,
                        s.minerals.len(),
                        s.sources.len(),
                        s.events.len(),
                        s.years,
                        s.steps_per_year
                    ));
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
