//! `supplyrisk uncertainty SCENARIO --samples N`: the spread of each
//! result across parameter sets drawn from the scenario's `[[uncertain]]`
//! tables, and Sobol indices of each parameter.

use super::{
    check_memory, default_out_dir, finish, out_or, prepare_out, resolve_trials_seed, with_progress,
    with_threads, Outputs, ScenarioText, SimOptions,
};
mod sets;

use crate::engine;
use crate::error::{Error, InputError, Result};
use crate::output::folder::Staging;
use crate::output::{json_bytes, run_line, text_table};
use crate::partial::{self, MergedStudy};
use crate::report::{Report, Table};
use crate::scenario::uncertain::Study;
use crate::scenario::validate::parse_study;
use crate::scenario::Scenario;
use crate::summary::Summary;
use crate::uncertainty::lead::{any_shared_lead, SHARED_NOTE};
use crate::uncertainty::output::{
    dist_json, estimate, indices_outside, outside_advice, run_metrics, runs_csv, table_rows,
    Parameter, RunMetrics, UncertaintyResult, GLOSSARY, HEADER, METRICS,
};
use crate::uncertainty::{Design, Matrix, MAX_PARAMS, MAX_SAMPLES};
use rayon::prelude::*;
pub(super) use sets::design_problems;
use sets::{build_set, check_sets, large_study, too_many};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Default base sets.
pub const DEFAULT_SAMPLES: usize = 256;
/// Default trials per run when the scenario gives none.
pub const DEFAULT_UNCERTAINTY_TRIALS: u64 = 20_000;
/// A noise share above this is worth a warning: more trials are needed.
pub const NOISE_WARNING: f64 = 0.2;
/// Parameter sets whose problems are reported in full when several break
/// a rule; the others are counted.
const SETS_REPORTED: usize = 5;

/// What `uncertainty` did.
#[derive(Debug, Clone)]
pub struct UncertaintyReport {
    /// `uncertainty.json`'s content (none for a shard, which writes a
    /// partial result).
    pub result: Option<UncertaintyResult>,
    /// The folder written.
    pub out_dir: PathBuf,
    /// The files written (none when in memory).
    pub files: Vec<PathBuf>,
    /// Each output's name and bytes, in order (a shard's: its partial
    /// result).
    pub outputs: Outputs,
    /// Warnings about the indices (printed on stderr unless `quiet`),
    /// without their `warning: ` prefix.
    pub warnings: Vec<String>,
}

/// `supplyrisk uncertainty`: draw `samples` base parameter sets (Saltelli
/// design, `samples (k + 2)` runs), run the scenario for each with the
/// same seed and trials, and write `uncertainty.json` and
/// `uncertainty_runs.csv`. Every set is checked before anything runs.
/// With `opts.shard` `(K, N)`, run only the K-th of N contiguous slices of
/// the parameter sets (in design order) and write its partial result (see
/// [`crate::partial`]) instead; `merge` of all N writes the study's files.
///
/// # Errors
///
/// [`Error::Input`] for a bad scenario, a scenario without `[[uncertain]]`
/// tables, a bad `--samples` or `--shard`, or a drawn set the scenario
/// rules refuse; nothing is written then.
pub fn uncertainty(path: &Path, samples: usize, opts: &SimOptions) -> Result<UncertaintyReport> {
    let opts = out_or(opts, || default_out_dir(path));
    let input = super::read_and_flags(ScenarioText::read(path), &opts, super::MAX_TRIALS)?;
    uncertainty_text(&input, samples, &opts)
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
    super::on_pool(opts, || uncertainty_text_in_pool(input, samples, opts))
}

/// [`uncertainty_text`] on the pool of `opts.threads` threads, which everything
/// it runs in parallel uses.
fn uncertainty_text_in_pool(
    input: &ScenarioText,
    samples: usize,
    opts: &SimOptions,
) -> Result<UncertaintyReport> {
    let plan = Plan::new(input.text.clone(), input.file.clone(), samples, opts)?;
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(Path::new("")));
    if let Some(shard) = opts.shard {
        return plan.run_shard(shard, &out_dir, opts);
    }
    check_memory(&plan.scenario, (plan.trials, plan.trials), false, 1, opts)?;
    let staging = prepare_out(&out_dir, "uncertainty", opts)?;
    let results = plan.run_sets(0..plan.design.runs.len(), opts)?;
    plan.write(results, staging, out_dir, opts)
}

/// `merge` of the slices of an uncertainty study: check that the merged
/// results fit the study's design, then write into `out_dir` the files the
/// unsharded `uncertainty` command writes, byte for byte (the estimates
/// and their bootstrap intervals come from the runs' results and the seed
/// alone).
///
/// # Errors
///
/// [`Error::Input`] (nothing written) when the scenario the shards carry
/// is refused, or the results do not fit its design.
pub fn merge_study(
    study: MergedStudy,
    out_dir: &Path,
    opts: &SimOptions,
) -> Result<UncertaintyReport> {
    let o = SimOptions {
        trials: Some(study.trials),
        seed: Some(study.seed),
        ..opts.clone()
    };
    let samples = usize::try_from(study.samples).unwrap_or(usize::MAX);
    let plan = Plan::new(study.scenario_text, study.scenario_file, samples, &o)?;
    plan.check_results(&study.parameters, &study.results)?;
    check_memory(&plan.scenario, (plan.trials, plan.trials), false, 1, opts)?;
    let staging = prepare_out(out_dir, "merge", opts)?;
    plan.write(study.results, staging, out_dir.to_path_buf(), &o)
}

/// A checked study: its scenario, parameters, trials, seed and design.
struct Plan {
    text: String,
    file: String,
    scenario: Scenario,
    study: Study,
    samples: usize,
    trials: u64,
    seed: u64,
    design: Design,
    /// Whether each mineral has a market (its metrics include cost and
    /// price spikes).
    market: Vec<bool>,
}

impl Plan {
    /// Parse the scenario, check the flags, draw the design and check every
    /// parameter set.
    fn new(text: String, file: String, samples: usize, opts: &SimOptions) -> Result<Plan> {
        let out = opts
            .out
            .clone()
            .unwrap_or_else(|| default_out_dir(Path::new("")));
        let samples_ok = if samples.is_power_of_two() && samples <= MAX_SAMPLES {
            Ok(())
        } else {
            Err(Error::bad_flag(
                "--samples",
                format!("expected a power of two from 1 to {MAX_SAMPLES}, found {samples}"),
            ))
        };
        let (((scenario, study), ()), ()) = crate::error::both(
            crate::error::both(
                parse_study(&text, &file),
                super::check_flags(opts, super::MAX_TRIALS, &out),
            ),
            samples_ok,
        )?;
        if study.is_empty() {
            return Err(InputError::file(
                &file,
                "expected at least one [[uncertain]] table (param = \"KIND.ID.KEY\", dist = …) for the uncertainty command, found none",
            )
            .into());
        }
        let k = study.params.len();
        if k > MAX_PARAMS {
            return Err(too_many(&file, k).into());
        }
        let mut o = opts.clone();
        if o.trials.is_none() && scenario.trials.is_none() {
            o.trials = Some(DEFAULT_UNCERTAINTY_TRIALS);
        }
        let (trials, seed) = resolve_trials_seed(&scenario, &file, &o, super::MAX_TRIALS)?;
        let design = study.design(samples, seed);
        let market = scenario
            .minerals
            .iter()
            .map(|m| m.market.is_some())
            .collect();
        let plan = Plan {
            text,
            file,
            scenario,
            study,
            samples,
            trials,
            seed,
            design,
            market,
        };
        // Every set is checked before anything runs; the scenarios are
        // built again one at a time as they run, so memory does not grow
        // with N.
        check_sets(&plan.study, &plan.design, &plan.text, &plan.file)?;
        Ok(plan)
    }

    /// The scenario with one run's parameter values.
    fn build(&self, run: &(Matrix, usize, Vec<f64>)) -> Result<Scenario> {
        build_set(&self.study, &self.text, &self.file, run)
    }

    /// The `KIND.ID.KEY` of each parameter.
    fn params(&self) -> Vec<String> {
        self.study.params.iter().map(|u| u.param.clone()).collect()
    }

    /// Run the parameter sets `sets` (design order) and return their
    /// results in that order.
    fn run_sets(&self, sets: Range<usize>, opts: &SimOptions) -> Result<Vec<RunMetrics>> {
        let runs = sets.len() as u64;
        let trials = self.trials;
        if !opts.quiet {
            crate::stderr_line!(
                "uncertainty: {}, {} of {} ({} trials)",
                super::count(self.study.params.len() as u64, "parameter", "parameters"),
                super::count(runs, "run", "runs"),
                super::count(trials, "trial", "trials"),
                super::fmt_count(runs.saturating_mul(trials))
            );
            if let Some(w) = large_study(runs, trials, opts.shard.is_some()) {
                crate::stderr_line!("warning: {w}");
            }
        }
        let label = format!("{runs} parameter sets");
        with_progress(runs.saturating_mul(trials), &label, opts, |progress| {
            // Sets run side by side on the pool (each run's results do not
            // depend on how its trials are scheduled), so no run's last
            // chunks leave a core idle; results are collected in set order.
            self.design.runs[sets]
                .par_iter()
                .map(|run| {
                    let s = self.build(run)?;
                    let agg = engine::simulate_with(
                        &s,
                        self.seed,
                        trials,
                        Some(progress),
                        engine::Options { keep_trials: false },
                    );
                    Ok(run_metrics(
                        &Summary::new(&s, self.seed, &agg),
                        &self.market,
                    ))
                })
                .collect::<Result<_>>()
        })?
    }

    /// `uncertainty --shard K/N`: run the slice's parameter sets and write
    /// its partial result.
    fn run_shard(
        &self,
        (k, n): (u64, u64),
        out_dir: &Path,
        opts: &SimOptions,
    ) -> Result<UncertaintyReport> {
        let total = self.design.runs.len() as u64;
        partial::check_study_shard((k, n))?;
        let slice = engine::slice_of(total, k, n);
        check_memory(&self.scenario, (self.trials, self.trials), false, 1, opts)?;
        let source = partial::Source {
            file: &self.file,
            text: &self.text,
            seed: self.seed,
            trials: self.trials,
        };
        let study = partial::Study {
            samples: self.samples as u64,
            parameters: self.params(),
            runs: total,
        };
        let mine = partial::header(source, (k, n), slice.clone(), Some(study.clone()));
        if !opts.in_memory {
            crate::output::folder::check_shards(out_dir, opts.quiet)?;
            partial::check_folder(out_dir, &mine)?;
        }
        let sets = slice.start as usize..slice.end as usize;
        let results = self.run_sets(sets, opts)?;
        let (first, last) = (slice.start, slice.end);
        let bytes = partial::to_bytes(
            source,
            (k, n),
            slice,
            Some(study),
            &partial::Body::Study(results),
        );
        let name = partial::file_name(k, n);
        let files = if opts.in_memory {
            Vec::new()
        } else {
            // Again: another run's shard may have written since.
            partial::check_folder(out_dir, &mine)?;
            vec![crate::output::folder::write_shard(out_dir, &name, &bytes)?]
        };
        if !opts.quiet && !files.is_empty() {
            super::say(&format!(
                "{} — uncertainty shard {k}/{n}: {} of {total}, {} trials each, seed {}\npartial result in {}\n",
                self.scenario.name,
                crate::output::numbered(first, last, "parameter set", "parameter sets"),
                self.trials,
                self.seed,
                files[0].display()
            ))?;
        }
        Ok(UncertaintyReport {
            result: None,
            out_dir: out_dir.to_path_buf(),
            files,
            outputs: vec![(name, bytes)],
            warnings: large_study(last - first, self.trials, true)
                .into_iter()
                .collect(),
        })
    }

    /// Check that merged results are of this study's `parameters`, one per
    /// parameter set of the design, each with the metrics this scenario's
    /// minerals have.
    fn check_results(&self, parameters: &[String], results: &[RunMetrics]) -> Result<()> {
        let corrupt = |what: String| -> Result<()> {
            Err(InputError::file(
                "merge",
                format!(
                    "the partial results do not fit the study's design: {what}; a file is corrupt"
                ),
            )
            .into())
        };
        if parameters != self.params().as_slice() {
            return corrupt(format!(
                "expected the parameters {}, found {}",
                self.params().join(", "),
                parameters.join(", ")
            ));
        }
        if results.len() != self.design.runs.len() {
            return corrupt(format!(
                "expected {} parameter sets, found {}",
                self.design.runs.len(),
                results.len()
            ));
        }
        let expected: Vec<Vec<(&str, bool)>> = self
            .market
            .iter()
            .map(|&market| {
                METRICS
                    .iter()
                    .filter(|(_, only_market)| !only_market || market)
                    .map(|(name, _)| (*name, *name != "cvar95"))
                    .collect()
            })
            .collect();
        for (i, run) in results.iter().enumerate() {
            let shape: Vec<Vec<(&str, bool)>> = run
                .iter()
                .map(|m| {
                    m.iter()
                        .map(|(n, _, se)| (n.as_str(), se.is_some()))
                        .collect()
                })
                .collect();
            if shape != expected {
                return corrupt(format!("parameter set {i} has other metrics"));
            }
        }
        Ok(())
    }

    /// Estimate the spread and indices from every set's results and write
    /// the study's files through `staging` into `out_dir`.
    fn write(
        &self,
        results: Vec<RunMetrics>,
        staging: Option<Staging>,
        out_dir: PathBuf,
        opts: &SimOptions,
    ) -> Result<UncertaintyReport> {
        let (k, samples, trials, seed) = (
            self.study.params.len(),
            self.samples,
            self.trials,
            self.seed,
        );
        let scenario = &self.scenario;
        let runs = self.design.runs.len();
        let params = self.params();
        let minerals: Vec<String> = scenario.minerals.iter().map(|m| m.id.clone()).collect();
        let result = UncertaintyResult {
            seed,
            trials,
            samples,
            parameters: self
                .study
                .params
                .iter()
                .map(|u| Parameter {
                    param: u.param.clone(),
                    dist: dist_json(u.dist.spec()),
                })
                .collect(),
            minerals: estimate(&self.design, &params, &minerals, &results, seed),
        };
        let outside = indices_outside(&result, str::to_string);
        // What the scenario as written is noticed for, then the study's
        // own warnings.
        let mut warnings = super::as_written_notices(scenario);
        warnings.extend(outside.iter().cloned());
        if !outside.is_empty() {
            warnings.push(outside_advice(samples));
        }
        for (id, metrics) in &result.minerals.0 {
            for (name, r) in &metrics.0 {
                if let Some(Some(x)) = r.noise_share {
                    if x > 1.0 {
                        warnings.push(format!("{id} {name}: each run's Monte Carlo noise is larger than the spread across parameter sets (its variance {x:.1} times the spread's), so the indices may measure noise; use more --trials"));
                    } else if x > NOISE_WARNING {
                        warnings.push(format!("{id} {name}: {:.0}% of the spread across parameter sets is Monte Carlo noise; use more --trials", x * 100.0));
                    }
                }
            }
        }
        super::warn(&warnings, opts.quiet);
        // Said before the runs began; the report keeps it too.
        warnings.extend(large_study(runs as u64, trials, false));
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
                "uncertainty.csv".to_string(),
                crate::uncertainty::output::summary_csv(&result)?,
            ),
            (
                "uncertainty_runs.csv".to_string(),
                runs_csv(&self.design, &params, &minerals, &results)?,
            ),
        ];
        let unit = |id: &str, metric: &str| metric_unit(scenario, id, metric);
        if !opts.no_plots {
            let source = super::provenance(&self.file, &self.text, trials, seed);
            let charts = with_threads(opts.threads, || {
                crate::uncertainty::charts::charts(&result, scenario, opts.chart_size, &source)
            })??;
            outputs.extend(charts.iter().map(|c| (c.name.clone(), c.png.clone())));
            let json = String::from_utf8_lossy(&outputs[0].1).into_owned();
            let mut page = Report {
                title: format!("{}: parameter uncertainty", scenario.name),
                findings: {
                    let mut notes = crate::uncertainty::output::findings(&result, unit);
                    if !outside.is_empty() {
                        let outside = indices_outside(&result, crate::report::column);
                        notes.extend(outside.iter().map(|n| format!("Caution: {n}.")));
                        notes.push(format!("So {}.", outside_advice(samples)));
                    }
                    notes
                },
                provenance: Some(source),
                paragraphs: vec![format!(
                    "The scenario ran once for each of {runs} parameter sets drawn from its {k} [[uncertain]] tables ({samples} base sets in a Saltelli design), all with the same seed and trials (common random numbers). The spread is over the {} sets of the two base matrices. A parameter's first-order index is the share of a result's variance across sets that it explains alone; its total index adds its interactions with the others. Intervals are 95% bootstrap intervals over the base sets. The noise share is the part of the spread that is Monte Carlo noise of the runs themselves: when it is large, use more trials.",
                    2 * samples
                )],
                facts: vec![
                    ("trials per set".into(), crate::output::group_thousands(&trials.to_string())),
                    ("seed".into(), seed.to_string()),
                    ("base sets".into(), crate::output::group_thousands(&samples.to_string())),
                ],
                tables: vec![
                    Table {
                        caption: match any_shared_lead(&result) {
                            true => format!("Spread across parameter sets and the largest total index ({SHARED_NOTE})"),
                            false => "Spread across parameter sets and the largest total index".into(),
                        },
                        header: HEADER.map(String::from).to_vec(),
                        rows: table_rows(&result, unit, true),
                    },
                    Table {
                        caption: "The uncertain parameters and the distributions they are drawn from".into(),
                        header: vec!["parameter".into(), "distribution".into()],
                        rows: self
                            .study
                            .params
                            .iter()
                            .map(|u| vec![u.param.clone(), crate::assumptions::dist_words(&u.dist)])
                            .collect(),
                    },
                ],
                charts,
                raw_json: Some(("uncertainty.json".into(), json)),
                glossary_extra: glossary(scenario),
            };
            // What was assumed, after the results.
            page.tables
                .extend(crate::assumptions::input_tables(scenario));
            outputs.push(("uncertainty.html".to_string(), page.to_html().into_bytes()));
        }
        let heading = format!(
            "{}: uncertainty over {}, {samples} base sets",
            scenario.name,
            super::count(k as u64, "parameter", "parameters")
        );
        let files = finish(staging, &outputs, opts.quiet, || {
            run_line(&heading, trials, seed, scenario.start_year, scenario.years)
                + &text_table(&HEADER, &table_rows(&result, unit, false))
                + &match any_shared_lead(&result) {
                    true => crate::output::wrap(SHARED_NOTE, crate::output::WIDTH),
                    false => String::new(),
                }
        })?;
        Ok(UncertaintyReport {
            result: Some(result),
            out_dir,
            files,
            outputs,
            warnings,
        })
    }
}

/// The unit of a metric of mineral `id`: the mineral's for amounts, the
/// market's currency for cost, none for probabilities.
fn metric_unit(scenario: &Scenario, id: &str, metric: &str) -> Option<String> {
    let m = scenario.minerals.iter().find(|m| m.id == id)?;
    let currency = m.market.as_ref().map(|k| k.currency.as_str());
    if metric == "cost_total" && currency.is_none() {
        return None;
    }
    crate::uncertainty::charts::metric_unit(metric, &m.unit, currency.unwrap_or(""))
        .map(str::to_string)
}

/// The page's terms: the study's own, then the world market's where a
/// mineral has one.
fn glossary(scenario: &Scenario) -> Vec<(String, String)> {
    GLOSSARY
        .iter()
        .map(|(t, m)| (t.to_string(), m.to_string()))
        .chain(crate::report::market_glossary(scenario.has_market()))
        .collect()
}
