//! `supplyrisk run` and `supplyrisk validate`.

use super::{
    check_memory, default_out_dir, finish, out_or, prepare_out, resolve_trials_seed,
    simulate_keeping, with_progress, with_threads, Outputs, ScenarioText, SimOptions,
};
use crate::engine::{self, Aggregate};
use crate::error::{both, Error, Result};
use crate::output::folder;
use crate::output::{check_finite, headline_table, json_bytes, years_csv};
use crate::partial;
use crate::plot;
use crate::report;
use crate::scenario::Scenario;
use crate::summary::{exceedance_curves, Summary};
use std::path::{Path, PathBuf};

/// What `run` (or `merge`) did.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The results (none for a shard, which writes a partial result).
    pub summary: Option<Summary>,
    /// The folder written.
    pub out_dir: PathBuf,
    /// The files written, in order (none when in memory).
    pub files: Vec<PathBuf>,
    /// Each output's name and bytes, in order: a shard's partial result,
    /// or `summary.json`, `years.csv`, … as [`run_outputs`] renders them.
    pub outputs: Outputs,
    /// What the outputs are rendered from (none for a shard), so that more
    /// can be rendered later (the charts of a run made without them).
    pub parts: Option<RunParts>,
    /// Warnings about the scenario and the run (printed on stderr unless
    /// `quiet`), without their `warning: ` prefix.
    pub warnings: Vec<String>,
}

/// What a whole run's outputs are rendered from besides its summary.
#[derive(Debug, Clone)]
pub struct RunParts {
    /// The scenario run.
    pub scenario: Scenario,
    /// The text it was read from, and the file its messages name.
    pub input: ScenarioText,
    /// Seed of the run.
    pub seed: u64,
    /// Its aggregated results.
    pub agg: Aggregate,
    /// Where the results come from ([`provenance`]).
    pub source: String,
}

/// `supplyrisk run`: simulate a scenario and write `summary.json`,
/// `years.csv` and (unless `no_plots`) the charts and `report.html` into the
/// output folder; print the headline table unless quiet. With `shard`
/// `(K, N)`, simulate only the K-th of N slices of the trials and write its
/// partial result (see [`crate::partial`]) instead.
///
/// # Errors
///
/// [`Error::Input`] for a bad scenario or flag (nothing is written), or
/// [`Error::Write`] when an output cannot be written.
pub fn run(scenario_path: &Path, opts: &SimOptions) -> Result<RunReport> {
    let opts = out_or(opts, || default_out_dir(scenario_path));
    let input = super::read_and_flags(ScenarioText::read(scenario_path), &opts, super::MAX_TRIALS)?;
    run_text(&input, &opts)
}

/// [`run`] of a scenario's text: `opts.out` is the output folder (default
/// `results/scenario/`); with `opts.in_memory` nothing is written and the
/// report holds the outputs.
///
/// # Errors
///
/// As [`run`].
pub fn run_text(input: &ScenarioText, opts: &SimOptions) -> Result<RunReport> {
    super::on_pool(opts, || run_text_in_pool(input, opts))
}

/// [`run_text`] on the pool of `opts.threads` threads, which everything
/// it runs in parallel uses.
fn run_text_in_pool(input: &ScenarioText, opts: &SimOptions) -> Result<RunReport> {
    let (file, text) = (input.file.as_str(), input.text.as_str());
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(Path::new("")));
    let (scenario, ()) = both(
        input.parse(),
        super::check_flags(opts, super::MAX_TRIALS, &out_dir),
    )?;
    let (trials, seed) = resolve_trials_seed(&scenario, file, opts, super::MAX_TRIALS)?;
    if let Some(shard) = opts.shard {
        return run_shard(
            &scenario,
            (file, text),
            (trials, seed),
            shard,
            &out_dir,
            opts,
        );
    }
    let keep = opts.per_trial.is_some() || opts.keep_trials;
    check_memory(&scenario, (trials, trials), keep, 1, opts)?;
    let per_trial_in_out = match &opts.per_trial {
        Some(f) if !opts.in_memory => match name_in(f, &out_dir)? {
            None => {
                check_per_trial(f, Path::new(file))?;
                None
            }
            inside => inside,
        },
        _ => None,
    };
    let staging = prepare_out(&out_dir, "run", opts)?;
    let agg = simulate_keeping(&scenario, seed, trials, opts, &scenario.name, keep)?;
    let summary = Summary::new(&scenario, seed, &agg);
    let source = provenance(file, text, trials, seed);
    let mut outputs = run_outputs(&scenario, &summary, &agg, &source, opts)?;
    if let Some(f) = &opts.per_trial {
        let csv = crate::tables::per_trial_csv(&scenario, &agg)?;
        match per_trial_in_out {
            // Written with the run's files, and listed with them.
            Some(name) => outputs.push((name, csv)),
            None => crate::output::write_atomic(f, &csv)?,
        }
    }
    let warnings = run_warnings(&scenario, trials);
    super::warn(&warnings, opts.quiet);
    let files = finish(staging, &outputs, opts.quiet, || headline_table(&summary))?;
    Ok(RunReport {
        summary: Some(summary),
        out_dir,
        files,
        outputs,
        parts: Some(RunParts {
            scenario,
            input: input.clone(),
            seed,
            agg,
            source,
        }),
        warnings,
    })
}

/// The warnings of a whole run of `trials` trials (in one piece, or
/// merged from its shards): the scenario's notices, then those of too few
/// trials.
pub(super) fn run_warnings(scenario: &Scenario, trials: u64) -> Vec<String> {
    let mut warnings = crate::scenario::notices::notices(scenario);
    warnings.extend(crate::summary::too_few_trials(trials));
    warnings
}

impl RunParts {
    /// The whole run as the partial result of its one slice (`1` of `1`):
    /// a file `merge` turns back into the run's outputs, byte for byte, so
    /// finished results can be saved and rendered later. Per-trial results
    /// (kept for comparisons) are not part of it.
    ///
    /// # Errors
    ///
    /// [`Error::Other`] if the run's distributions are not those of its
    /// size (they always are for a run this library finished).
    pub fn to_partial(&self) -> Result<Vec<u8>> {
        let record = crate::engine::Record::of_whole(&self.agg)
            .map_err(|e| Error::Other(format!("the run cannot be saved: {e}")))?;
        let source = partial::Source {
            file: &self.input.file,
            text: &self.input.text,
            seed: self.seed,
            trials: self.agg.trials,
        };
        let chunks = record.chunks.clone();
        Ok(partial::to_bytes(
            source,
            (1, 1),
            chunks,
            None,
            &partial::Body::Run(record),
        ))
    }
}

/// Check, before simulating, that a per-trial file outside the output
/// folder can be written: not the scenario file being simulated (nor a
/// link to it), not a folder, in a folder that exists, and not inside
/// another command's results folder (whose next run would refuse a file
/// it did not write).
fn check_per_trial(file: &Path, scenario: &Path) -> Result<()> {
    let bad = |m: String| Err(Error::bad_flag("--per-trial", m));
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(file), std::fs::canonicalize(scenario)) {
        if a == b {
            return bad(format!(
                "expected a file other than the scenario being simulated, found '{}'; choose another name",
                file.display()
            ));
        }
    }
    if let Some(outer) = folder::results_folder_around(file) {
        return bad(format!(
            "expected a file outside other commands' results folders, found '{}' inside '{}'; write it into --out, or elsewhere",
            file.display(),
            outer.display()
        ));
    }
    if file.is_dir() {
        return bad(format!(
            "expected a file, found the folder '{}'",
            file.display()
        ));
    }
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return bad(format!(
            "expected a file in an existing folder, found no folder '{}' (for '{}')",
            parent.display(),
            file.display()
        ));
    }
    Ok(())
}

/// The name of `file` when it lies directly in the output folder `out`
/// (a per-trial file there is written with the run's files), `None` when
/// it lies elsewhere. Paths are compared as written, made absolute.
///
/// # Errors
///
/// [`Error::Input`] for a file deeper inside `out`, or named like one of
/// the files `run` writes.
fn name_in(file: &Path, out: &Path) -> Result<Option<String>> {
    let plain = |p: &Path| -> PathBuf {
        let p = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        p.components()
            .filter(|c| *c != std::path::Component::CurDir)
            .collect()
    };
    let (file_abs, out_abs) = (plain(file), plain(out));
    if !file_abs.starts_with(&out_abs) {
        return Ok(None);
    }
    let bad = |why: &str| {
        Err(Error::bad_flag(
            "--per-trial",
            format!("'{}' {why}", file.display()),
        ))
    };
    let name = match file_abs.strip_prefix(&out_abs).map(|rest| rest.to_str()) {
        Ok(Some("")) => return bad("is the --out folder itself; choose a file in it or elsewhere"),
        Ok(Some(name)) if !name.contains('/') => name.to_string(),
        _ => return bad("lies inside the --out folder but not directly in it; choose a file directly in it or elsewhere"),
    };
    let taken = name.starts_with('.')
        || name.ends_with(".png")
        || ["summary.json", "summary.csv", "years.csv", "report.html"].contains(&name.as_str());
    if taken {
        return bad("is named like a file run writes into --out; choose another name");
    }
    Ok(Some(name))
}

/// Where a run's results come from, as its page says: the scenario file's
/// name (not its folder, so that shards run from anywhere agree), the
/// first 12 hex digits of the SHA-256 of its text, trials and seed.
pub fn provenance(file: &str, text: &str, trials: u64, seed: u64) -> String {
    format!(
        "scenario {}, {}",
        scenario_words(file, text),
        run_words(trials, seed)
    )
}

/// A scenario file as a run's source line names it: its name and the first
/// 12 hex digits of the SHA-256 of its text.
pub fn scenario_words(file: &str, text: &str) -> String {
    let name = Path::new(file)
        .file_name()
        .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned());
    format!("{name} (SHA-256 {}…)", &partial::sha256_hex(text)[..12])
}

/// Trials, seed and program, as a run's source line ends.
pub fn run_words(trials: u64, seed: u64) -> String {
    format!(
        "{}, seed {seed}, {}",
        crate::output::count(trials, "trial", "trials"),
        partial::program()
    )
}

/// Everything `run` writes for a finished run, rendered before anything
/// is written: `summary.json`, `years.csv` and, unless `no_plots`, the
/// charts and `report.html` (whose `source` line says where the results
/// come from, see [`provenance`]). `merge` writes the same.
pub fn run_outputs(
    scenario: &Scenario,
    summary: &Summary,
    agg: &Aggregate,
    source: &str,
    opts: &SimOptions,
) -> Result<Vec<(String, Vec<u8>)>> {
    super::on_pool(opts, || {
        run_outputs_in_pool(scenario, summary, agg, source, opts)
    })
}

/// [`run_outputs`] on the pool of `opts.threads` threads, which everything
/// it runs in parallel uses.
fn run_outputs_in_pool(
    scenario: &Scenario,
    summary: &Summary,
    agg: &Aggregate,
    source: &str,
    opts: &SimOptions,
) -> Result<Vec<(String, Vec<u8>)>> {
    check_finite("summary.json", summary)?;
    let json = json_bytes(summary);
    let mut outputs: Vec<(String, Vec<u8>)> = vec![
        ("summary.json".to_string(), json.clone()),
        ("years.csv".to_string(), years_csv(summary)?),
        (
            "summary.csv".to_string(),
            crate::tables::summary_csv(summary)?,
        ),
    ];
    if !opts.no_plots {
        let context = chart_context(scenario, agg);
        let charts = with_threads(opts.threads, || {
            plot::run_charts(
                summary,
                &exceedance_curves(agg),
                &context,
                opts.chart_size,
                source,
            )
        })??;
        outputs.extend(charts.iter().map(|c| (c.name.clone(), c.png.clone())));
        let mut page = report::run_report(
            summary,
            &context,
            scenario.description.as_deref(),
            Some(source.to_string()),
            charts,
            &String::from_utf8_lossy(&json),
        );
        report::insert_start_findings(&mut page.findings, scenario);
        // What was assumed, then the results year by year.
        page.tables
            .extend(crate::assumptions::input_tables(scenario));
        page.tables.push(crate::assumptions::year_table(summary));
        outputs.push(("report.html".to_string(), page.to_html().into_bytes()));
    }
    Ok(outputs)
}

/// What each mineral's charts need beyond the summary, in scenario order:
/// its market's reference price, spike threshold and the exceedance curve
/// of the consumer's horizon cost; its stockpile's capacity.
pub fn chart_context(scenario: &Scenario, agg: &Aggregate) -> Vec<plot::MineralContext> {
    scenario
        .minerals
        .iter()
        .zip(&agg.minerals)
        .map(|(m, acc)| plot::MineralContext {
            market: m.market.as_ref().map(|k| plot::MarketContext {
                reference_price: k.reference_price,
                spike_threshold: k.spike_threshold,
                cost_curve: acc
                    .cost_dist
                    .as_ref()
                    .map(|d| d.exceedance(crate::summary::EXCEEDANCE_POINTS))
                    .unwrap_or_default(),
            }),
            stock_capacity: m.stockpile.map(|s| s.capacity),
            demand_band: demand_band(scenario, m),
            shortfall_threshold: Some(m.shortfall_threshold),
        })
        .collect()
}

/// Per year, the 5th and 95th percentiles of a mineral's demand, which
/// is lognormal: `trend * exp(sigma z - sigma^2 / 2)` at `z = ±1.645`
/// (empty without noise).
fn demand_band(scenario: &Scenario, m: &crate::scenario::Mineral) -> Vec<(f64, f64)> {
    const Z95: f64 = 1.6448536269514722;
    let s = m.demand.sigma;
    if s <= 0.0 {
        return Vec::new();
    }
    (0..scenario.years)
        .map(|y| {
            let t = m.demand.trend(y);
            let at = |z: f64| t * (s * z - s * s / 2.0).exp();
            (at(-Z95), at(Z95))
        })
        .collect()
}

/// `run --shard K/N`: simulate the slice and write its partial result.
fn run_shard(
    scenario: &Scenario,
    (file, text): (&str, &str),
    (trials, seed): (u64, u64),
    (k, n): (u64, u64),
    out_dir: &Path,
    opts: &SimOptions,
) -> Result<RunReport> {
    partial::check_shard((k, n))?;
    let chunks = engine::slice_chunks(trials, k, n);
    let first = chunks.start * engine::CHUNK_TRIALS;
    let last = (chunks.end * engine::CHUNK_TRIALS).min(trials);
    super::check_memory(scenario, (trials, last - first), false, 1, opts)?;
    let source = partial::Source {
        file,
        text,
        seed,
        trials,
    };
    let mine = partial::header(source, (k, n), chunks.clone(), None);
    if !opts.in_memory {
        folder::check_shards(out_dir, opts.quiet)?;
        partial::check_folder(out_dir, &mine)?;
    }
    let label = format!("{} (shard {k}/{n})", scenario.name);
    let record = with_progress(last - first, &label, opts, |progress| {
        let keep = engine::Options { keep_trials: false };
        engine::record(scenario, seed, trials, chunks.clone(), Some(progress), keep)
    })?;
    let bytes = partial::to_bytes(source, (k, n), chunks, None, &partial::Body::Run(record));
    let name = partial::file_name(k, n);
    if opts.in_memory {
        return Ok(RunReport {
            summary: None,
            out_dir: out_dir.to_path_buf(),
            files: Vec::new(),
            outputs: vec![(name, bytes)],
            parts: None,
            warnings: Vec::new(),
        });
    }
    // Again: another run's shard may have written into the folder since.
    partial::check_folder(out_dir, &mine)?;
    let files = vec![folder::write_shard(out_dir, &name, &bytes)?];
    if !opts.quiet && opts.chart_size != crate::plot::ChartSize::default() {
        crate::stderr_line!("warning: --chart-size has no effect on a shard, which draws no chart: give it to merge");
    }
    if !opts.quiet && first == last {
        let chunks = engine::slice_chunks(trials, 1, 1).end;
        crate::stderr_line!(
            "warning: shard {k}/{n} runs no trial: the run's {} make {} of {}, fewer than its {n} shards, so some shards run none (merge still needs each shard's partial result)",
            crate::output::count(trials, "trial", "trials"),
            crate::output::count(chunks, "chunk", "chunks"),
            crate::output::group_thousands(&engine::CHUNK_TRIALS.to_string())
        );
    }
    if !opts.quiet {
        super::say(&format!(
            "{} — shard {k}/{n}: {} of {trials}, seed {seed}\npartial result in {}\n",
            scenario.name,
            crate::output::numbered(first, last, "trial", "trials"),
            files[0].display()
        ))?;
    }
    Ok(RunReport {
        summary: None,
        out_dir: out_dir.to_path_buf(),
        files,
        outputs: vec![(name, bytes)],
        parts: None,
        warnings: Vec::new(),
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
        match Scenario::load_with_text(p) {
            Ok((s, text)) => {
                if !quiet {
                    let n = |k: usize, one: &str, many: &str| super::count(k as u64, one, many);
                    super::say(&format!(
                        "{}: ok — \"{}\", {}, {}, {}, {} x {}\n",
                        p.display(),
                        s.name,
                        n(s.minerals.len(), "mineral", "minerals"),
                        n(s.sources.len(), "source", "sources"),
                        n(s.events.len(), "event", "events"),
                        n(s.years, "year", "years"),
                        n(s.steps_per_year, "step", "steps"),
                    ))?;
                    for w in crate::scenario::notices::notices(&s) {
                        crate::stderr_line!("warning: {}: {w}", p.display());
                    }
                    let refused =
                        super::uncertainty::design_problems(&text, &p.display().to_string());
                    if !refused.is_empty() {
                        crate::stderr_line!(
                            "warning: {}: `uncertainty` would refuse this file (checked at its default {} base sets, seed {}):",
                            p.display(),
                            super::uncertainty::DEFAULT_SAMPLES,
                            s.seed.unwrap_or(crate::scenario::DEFAULT_SEED)
                        );
                        for e in refused {
                            crate::stderr_line!("warning: {e}");
                        }
                    }
                }
            }
            Err(Error::Input(e)) => problems.push(*e),
            Err(Error::Inputs(es)) => problems.extend(es),
            Err(other) => return Err(other),
        }
    }
    crate::error::none(problems)
}
