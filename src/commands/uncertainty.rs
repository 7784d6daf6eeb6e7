//! `supplyrisk uncertainty SCENARIO --samples N`: the spread of each
//! result across parameter sets drawn from the scenario's `[[uncertain]]`
//! tables, and Sobol indices of each parameter.

use super::{
    check_memory, default_out_dir, finish, out_or, prepare_out, resolve_trials_seed, with_progress,
    with_threads, Outputs, ScenarioText, SimOptions,
};
use crate::engine;
use crate::error::{Error, InputError, Result};
use crate::output::{json_bytes, run_line, text_table};
use crate::report::{Report, Table};
use crate::scenario::validate::parse_study;
use crate::summary::Summary;
use crate::uncertainty::output::{
    dist_json, estimate, run_metrics, runs_csv, table_rows, Parameter, RunMetrics,
    UncertaintyResult, HEADER,
};
use crate::uncertainty::{design, Matrix, MAX_PARAMS, MAX_SAMPLES};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Default base sets.
pub const DEFAULT_SAMPLES: usize = 256;
/// Default trials per run when the scenario gives none.
pub const DEFAULT_UNCERTAINTY_TRIALS: u64 = 20_000;
/// A noise share above this is worth a warning: more trials are needed.
pub const NOISE_WARNING: f64 = 0.2;

/// What `uncertainty` did.
#[derive(Debug, Clone)]
pub struct UncertaintyReport {
    /// `uncertainty.json`'s content.
    pub result: UncertaintyResult,
    /// The folder written.
    pub out_dir: PathBuf,
    /// The files written (none when in memory).
    pub files: Vec<PathBuf>,
    /// Each output's name and bytes, in order.
    pub outputs: Outputs,
}

/// `supplyrisk uncertainty`: draw `samples` base parameter sets (Saltelli
/// design, `samples (k + 2)` runs), run the scenario for each with the
/// same seed and trials, and write `uncertainty.json` and
/// `uncertainty_runs.csv`. Every set is checked before anything runs.
///
/// # Errors
///
/// [`Error::Input`] for a bad scenario, a scenario without `[[uncertain]]`
/// tables, a bad `--samples`, or a drawn set the scenario rules refuse;
/// nothing is written then.
pub fn uncertainty(path: &Path, samples: usize, opts: &SimOptions) -> Result<UncertaintyReport> {
    let input = ScenarioText::read(path)?;
    uncertainty_text(&input, samples, &out_or(opts, || default_out_dir(path)))
}

/// [`uncertainty`] of a scenario's text: `opts.out` is the output folder
/// (default `results/scenario/`); with `opts.in_memory` nothing is
/// written and the report holds the outputs.
///
/// # Errors
///
/// As [`uncertainty`].
pub fn uncertainty_text(
    input: &ScenarioText,
    samples: usize,
    opts: &SimOptions,
) -> Result<UncertaintyReport> {
    let (text, file) = (&input.text, &input.file);
    let (scenario, study) = parse_study(text, file)?;
    if study.is_empty() {
        return Err(InputError::file(
            file.as_str(),
            "expected at least one [[uncertain]] table (param = \"KIND.ID.KEY\", dist = …) for the uncertainty command, found none",
        )
        .into());
    }
    if !samples.is_power_of_two() || !(2..=MAX_SAMPLES).contains(&samples) {
        return Err(Error::bad_flag(
            "--samples",
            format!("expected a power of two from 2 to {MAX_SAMPLES}, found {samples}"),
        ));
    }
    let k = study.params.len();
    if k > MAX_PARAMS {
        return Err(InputError::file(
            file.as_str(),
            format!("expected at most {MAX_PARAMS} [[uncertain]] tables, found {k}"),
        )
        .into());
    }
    let mut o = opts.clone();
    if o.trials.is_none() && scenario.trials.is_none() {
        o.trials = Some(DEFAULT_UNCERTAINTY_TRIALS);
    }
    let (trials, seed) = resolve_trials_seed(&scenario, &o, super::MAX_TRIALS)?;
    let dists: Vec<_> = study.params.iter().map(|u| u.dist).collect();
    let plan = design(&dists, samples, seed);
    // Every set is checked before anything runs; the scenarios are built
    // again one at a time as they run, so memory does not grow with N.
    let build = |(matrix, row, values): &(Matrix, usize, Vec<f64>)| {
        study.scenario(values, text, file).map_err(|e| match e {
            Error::Input(mut b) => {
                b.message = format!("parameter set {matrix} row {row}, {}", b.message);
                Error::Input(b)
            }
            other => other,
        })
    };
    for run in &plan.runs {
        build(run)?;
    }
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(Path::new("")));
    check_memory(&scenario, (trials, trials), false, 1, opts)?;
    let staging = prepare_out(&out_dir, "uncertainty", opts)?;
    let runs = plan.runs.len() as u64;
    if !opts.quiet {
        eprintln!(
            "uncertainty: {} parameters, {} of {trials} trials ({} trials)",
            k,
            super::count(runs, "run", "runs"),
            super::fmt_count(runs.saturating_mul(trials))
        );
    }
    let market: Vec<bool> = scenario
        .minerals
        .iter()
        .map(|m| m.market.is_some())
        .collect();
    let label = format!("{} parameter sets", runs);
    let results: Vec<RunMetrics> =
        with_progress(runs.saturating_mul(trials), &label, opts, |progress| {
            // Sets run side by side on the pool (each run's results do not
            // depend on how its trials are scheduled), so no run's last
            // chunks leave a core idle; results are collected in set order.
            plan.runs
                .par_iter()
                .map(|run| {
                    let s = build(run)?;
                    let agg = engine::simulate_with(
                        &s,
                        seed,
                        trials,
                        Some(progress),
                        engine::Options { keep_trials: false },
                    );
                    Ok(run_metrics(&Summary::new(&s, seed, &agg), &market))
                })
                .collect::<Result<_>>()
        })??;
    let params: Vec<String> = study.params.iter().map(|u| u.param.clone()).collect();
    let minerals: Vec<String> = scenario.minerals.iter().map(|m| m.id.clone()).collect();
    let result = UncertaintyResult {
        seed,
        trials,
        samples,
        parameters: study
            .params
            .iter()
            .map(|u| Parameter {
                param: u.param.clone(),
                dist: dist_json(u.dist.spec()),
            })
            .collect(),
        minerals: estimate(&plan, &params, &minerals, &results, seed),
    };
    if !opts.quiet {
        for (id, metrics) in &result.minerals.0 {
            for (name, r) in &metrics.0 {
                if let Some(Some(x)) = r.noise_share {
                    if x > NOISE_WARNING {
                        eprintln!("warning: {id} {name}: {:.0}% of the spread across parameter sets is Monte Carlo noise; use more --trials", x * 100.0);
                    }
                }
            }
        }
    }
    // Indices may be null (a metric that does not vary), so only the
    // spreads are checked for numbers too large for floating point.
    crate::output::check_finite(
        "uncertainty.json",
        &result
            .minerals
            .0
            .iter()
            .map(|(_, m)| m.0.iter().map(|(_, r)| r.spread).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
    )?;
    let mut outputs = vec![
        ("uncertainty.json".to_string(), json_bytes(&result)),
        (
            "uncertainty_runs.csv".to_string(),
            runs_csv(&plan, &params, &minerals, &results)?,
        ),
    ];
    if !opts.no_plots {
        let source = super::provenance(file, text, trials, seed);
        let charts = with_threads(opts.threads, || {
            crate::uncertainty::charts::charts(&result, &scenario, opts.chart_size, &source)
        })??;
        outputs.extend(charts.iter().map(|c| (c.name.clone(), c.png.clone())));
        let json = String::from_utf8_lossy(&outputs[0].1).into_owned();
        let mut page = Report {
            title: format!("{}: parameter uncertainty", scenario.name),
            findings: Vec::new(),
            provenance: Some(source),
            paragraphs: vec![format!(
                "The scenario ran once for each of {runs} parameter sets drawn from its {k} [[uncertain]] tables ({samples} base sets in a Saltelli design), all with the same seed and trials (common random numbers). The spread is over the {} sets of the two base matrices. A parameter's first-order index is the share of a result's variance across sets that it explains alone; its total index adds its interactions with the others. Intervals are 95% bootstrap intervals over the base sets. The noise share is the part of the spread that is Monte Carlo noise of the runs themselves: when it is large, use more trials.",
                2 * samples
            )],
            facts: vec![
                ("trials per set".into(), trials.to_string()),
                ("seed".into(), seed.to_string()),
                ("base sets".into(), samples.to_string()),
            ],
            tables: vec![Table {
                caption: "Spread across parameter sets and the largest total index".into(),
                header: HEADER.map(String::from).to_vec(),
                rows: table_rows(&result),
            }],
            charts,
            raw_json: Some(json),
            glossary_extra: Vec::new(),
        };
        // What was assumed, after the results.
        page.tables
            .extend(crate::assumptions::input_tables(&scenario));
        outputs.push(("uncertainty.html".to_string(), page.to_html().into_bytes()));
    }
    let heading = format!(
        "{}: uncertainty over {k} parameters, {samples} base sets",
        scenario.name
    );
    let files = finish(staging, &outputs, opts.quiet, || {
        run_line(&heading, trials, seed, scenario.start_year, scenario.years)
            + &text_table(&HEADER, &table_rows(&result))
    })?;
    Ok(UncertaintyReport {
        result,
        out_dir,
        files,
        outputs,
    })
}
