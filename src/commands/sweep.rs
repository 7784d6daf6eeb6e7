//! `supplyrisk sweep SCENARIO --param KIND.ID.KEY (--values … | --range …)`.

use super::{
    check_memory, default_out_dir, finish, out_or, prepare_out, resolve_trials_seed,
    simulate_with_progress, with_progress, with_threads, Outputs, ScenarioText, SimOptions,
};
use crate::engine;
use crate::error::{num, Error, InputError, Result};
use crate::output::{fmt_pm, json_bytes, run_line, text_table};
use crate::plot::{self, lines::SWEEP_METRICS};
use crate::report::{Report, Table};
use crate::scenario::Scenario;
use crate::summary::Summary;
use crate::sweep::{
    parse_values, point_metrics, point_scenario, AsWritten, Sweep, SweepParam, SweepPoint,
};
use std::path::{Path, PathBuf};

/// What to sweep.
#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    /// `KIND.ID.KEY`, for example `source.chile-copper.access`.
    pub param: String,
    /// `a,b,c`.
    pub values: Option<String>,
    /// `FROM:TO:COUNT`.
    pub range: Option<String>,
    /// Metrics to chart (keys of `sweep.json`); empty: `eud_total` and
    /// `p_any_shortfall`, and `cost_total` and `p_price_spike` where a
    /// mineral trades on a world market.
    pub metrics: Vec<String>,
}

/// What `sweep` did.
#[derive(Debug, Clone)]
pub struct SweepReport {
    /// The sweep.
    pub sweep: Sweep,
    /// The folder written.
    pub out_dir: PathBuf,
    /// The files written (none when in memory).
    pub files: Vec<PathBuf>,
    /// Each output's name and bytes, in order.
    pub outputs: Outputs,
    /// The warnings printed on stderr (unless `quiet`), without their
    /// `warning: ` prefix.
    pub warnings: Vec<String>,
}

/// The minerals whose results are the same at every value, in words
/// (their rows are left out of the tables), if any.
fn unchanged(sweep: &Sweep, scenario: &Scenario) -> Option<String> {
    let ids: Vec<&str> = scenario
        .minerals
        .iter()
        .map(|m| m.id.as_str())
        .filter(|id| !sweep.changes(id))
        .collect();
    if ids.len() == scenario.minerals.len() {
        return Some(
            "No mineral's results change at any value (the rows are in sweep.csv).".into(),
        );
    }
    (!ids.is_empty()).then(|| {
        format!(
            "Unchanged at every value, so left out of the table (their rows are in sweep.csv): {}.",
            ids.join(", ")
        )
    })
}

/// Where the file gives the parameter no number, what the changes are
/// measured from: the scenario as written, whose results `run` reports.
fn not_in_file(sweep: &Sweep) -> Option<String> {
    let label = sweep.written_label()?;
    let what = if sweep.file_writes {
        "a value that is not one number (such as a distribution)"
    } else {
        "no value (its default applies)"
    };
    Some(format!(
        "The file gives {} {what}: changes are from the scenario as written, the rows \"{label}\", whose results are those of `run` with the same trials and seed.",
        sweep.parameter
    ))
}

/// The table's rows: one per value and mineral whose results change.
fn sweep_rows(sweep: &Sweep, scenario: &Scenario, page: bool) -> Vec<Vec<String>> {
    let market = scenario.has_market();
    let changing: Vec<&str> = scenario
        .minerals
        .iter()
        .map(|m| m.id.as_str())
        .filter(|id| sweep.changes(id))
        .collect();
    let mut rows = Vec::new();
    for (value, minerals, written) in sweep.listed() {
        let label = match value {
            None => sweep.written_label().unwrap_or_default().to_string(),
            Some(v) if written => format!("{} (as written)", num(v)),
            Some(v) => num(v),
        };
        for (id, m) in minerals
            .0
            .iter()
            .filter(|(id, _)| changing.contains(&id.as_str()))
        {
            let mineral = scenario.mineral_index(id).map(|i| &scenario.minerals[i]);
            let unit = mineral.map_or("", |m| m.unit.as_str());
            let mut row = vec![
                label.clone(),
                id.clone(),
                format!("{} {unit}", fmt_pm(m.eud_total, m.eud_total_se)),
                format!("{} {unit}", fmt_pm(m.delta_eud_total, m.delta_eud_total_se)),
                if page {
                    crate::output::fmt_pct_pm(m.p_any_shortfall, m.p_any_shortfall_se)
                } else {
                    fmt_pm(m.p_any_shortfall, m.p_any_shortfall_se)
                },
            ];
            if market {
                let currency = mineral
                    .and_then(|m| m.market.as_ref())
                    .map_or("", |k| k.currency.as_str());
                let cell = |v: Option<f64>, se: Option<f64>| match (v, se) {
                    (Some(v), Some(se)) => format!("{} {currency}", fmt_pm(v, se)),
                    _ => String::new(),
                };
                row.push(cell(m.cost_total, m.cost_total_se));
                row.push(cell(m.delta_cost_total, m.delta_cost_total_se));
            }
            rows.push(row);
        }
    }
    rows
}

/// The printed table's header: with cost columns where a mineral trades
/// on a world market.
fn header(scenario: &Scenario) -> Vec<&'static str> {
    let mut h = vec![
        "value",
        "mineral",
        "eud_total",
        "change from file (paired se)",
        "p_any_shortfall",
    ];
    if scenario.has_market() {
        h.extend(["cost_total", "cost change from file (paired se)"]);
    }
    h
}

/// The problems of a sweep's points with each one that every one of the
/// `n` values gives alike (an unknown key, a rule the value does not
/// touch) said once, `with PARAM at every value`, not once a value.
/// Problems that differ from value to value stay as they are.
fn once_for_all_values(e: Error, param: &SweepParam, n: usize) -> Error {
    let problems = match e {
        Error::Input(p) => vec![*p],
        Error::Inputs(ps) => ps,
        other => return other,
    };
    // What a problem says after its `with PARAM = VALUE: `.
    let said = |p: &InputError| {
        let message = p
            .message
            .split_once(": ")
            .map_or(p.message.as_str(), |(_, m)| m);
        (p.key.clone(), message.to_string())
    };
    let mut kept: Vec<InputError> = Vec::new();
    for p in &problems {
        let alike = problems.iter().filter(|q| said(q) == said(p)).count();
        if n < 2 || alike < n {
            kept.push(p.clone());
        } else if !kept
            .iter()
            .any(|k| k.key == p.key && k.message.ends_with(&said(p).1))
        {
            kept.push(InputError {
                message: format!("with {param} at every value: {}", said(p).1),
                ..p.clone()
            });
        }
    }
    match crate::error::none(kept) {
        Err(e) => e,
        Ok(()) => Error::Inputs(problems),
    }
}

/// `supplyrisk sweep`: run the scenario with one parameter set to each
/// value in turn (common random numbers across points) and write
/// `sweep.json`, `sweep.csv` and, unless `no_plots`, `sweep_<mineral>.png`
/// and `sweep.html`. Every value is checked before anything runs.
///
/// # Errors
///
/// [`Error::Input`] for a bad scenario, parameter, value list, metric, or
/// a value the scenario rules refuse; nothing is written then.
pub fn sweep(path: &Path, sw: &SweepOptions, opts: &SimOptions) -> Result<SweepReport> {
    let opts = out_or(opts, || default_out_dir(path));
    let input = super::read_and_flags(ScenarioText::read(path), &opts, super::MAX_PAIRED_TRIALS)?;
    sweep_text(&input, sw, &opts)
}

/// [`sweep`] of a scenario's text: `opts.out` is the output folder
/// (default `results/scenario/`); with `opts.in_memory` nothing is
/// written and the report holds the outputs.
///
/// # Errors
///
/// As [`sweep`].
pub fn sweep_text(
    input: &ScenarioText,
    sw: &SweepOptions,
    opts: &SimOptions,
) -> Result<SweepReport> {
    super::on_pool(opts, || sweep_text_in_pool(input, sw, opts))
}

/// [`sweep_text`] on the pool of `opts.threads` threads, which everything
/// it runs in parallel uses.
fn sweep_text_in_pool(
    input: &ScenarioText,
    sw: &SweepOptions,
    opts: &SimOptions,
) -> Result<SweepReport> {
    let (text, file) = (&input.text, &input.file);
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(Path::new("")));
    let param = SweepParam::parse(&sw.param).map_err(|m| Error::bad_flag("--param", m));
    let values = parse_values(sw.values.as_deref(), sw.range.as_deref());
    let known: Vec<&str> = SWEEP_METRICS.iter().map(|(k, _, _)| *k).collect();
    let metrics_ok = crate::error::all(sw.metrics.iter().map(|m| {
        if known.contains(&m.as_str()) {
            Ok(())
        } else {
            Err(Error::bad_flag(
                "--metrics",
                format!("expected some of {}, found '{m}'", known.join(", ")),
            ))
        }
    }));
    // A value given twice is one point.
    let values = values.map(|mut values| {
        let mut seen = Vec::new();
        values.retain(|v| {
            let first = !seen.contains(v);
            seen.push(*v);
            first
        });
        values
    });
    let parsed = input.parse();
    // Each point's scenario, checked when the file and the flags that
    // make the points are good (a bad file would fail at every point).
    let points: Result<Vec<(f64, Scenario)>> = match (&parsed, &param, &values) {
        // Whether the parameter's entity and tables are there does not
        // depend on its value: said once, not once a value.
        (Ok(_), Ok(param), Ok(values)) => match param.apply(text, 0.0) {
            Err(m) => Err(InputError::file(file, format!("{param}: {m}")).into()),
            Ok(_) => crate::error::all(
                values
                    .iter()
                    .map(|&v| point_scenario(text, file, param, v).map(|s| (v, s))),
            )
            .map_err(|e| once_for_all_values(e, param, values.len())),
        },
        _ => Ok(Vec::new()),
    };
    let (((scenario, ()), ((param, _), ())), points) = crate::error::both(
        crate::error::both(
            crate::error::both(
                parsed,
                super::check_flags(opts, super::MAX_PAIRED_TRIALS, &out_dir),
            ),
            crate::error::both(crate::error::both(param, values), metrics_ok.map(|_| ())),
        ),
        points,
    )?;
    let metrics: Vec<String> = if sw.metrics.is_empty() {
        let mut m = vec!["eud_total".to_string(), "p_any_shortfall".to_string()];
        if scenario.has_market() {
            m.extend(["cost_total".to_string(), "p_price_spike".to_string()]);
        }
        m
    } else {
        sw.metrics.clone()
    };
    let (trials, seed) = resolve_trials_seed(&scenario, file, opts, super::MAX_PAIRED_TRIALS)?;
    // What the file writes for the parameter, read once.
    let written = param.written(text);
    let file_value = written.as_ref().and_then(crate::sweep::number);
    // A value the file already gives is the scenario as written: one run.
    let fresh = points
        .iter()
        .filter(|(v, _)| file_value != Some(*v))
        .count();
    check_memory(&scenario, (trials, trials), true, 2, opts)?;
    let staging = prepare_out(&out_dir, "sweep", opts)?;
    let warnings = super::as_written_notices(&scenario);
    super::warn(&warnings, opts.quiet);
    if !opts.quiet {
        let runs = fresh as u64 + 1;
        crate::stderr_line!(
            "sweep: {} of {} ({} trials)",
            super::count(runs, "run", "runs"),
            super::count(trials, "trial", "trials"),
            super::fmt_count(runs.saturating_mul(trials))
        );
    }
    let base = simulate_with_progress(&scenario, seed, trials, opts, "scenario as written")?;
    let total = trials * fresh as u64;
    let swept: Vec<SweepPoint> =
        with_progress(total, &format!("sweeping {param}"), opts, |progress| {
            points
                .iter()
                .map(|(v, s)| {
                    let minerals = if file_value == Some(*v) {
                        point_metrics(&Summary::new(s, seed, &base), &base, &base)
                    } else {
                        let agg = engine::simulate(s, seed, trials, Some(progress));
                        point_metrics(&Summary::new(s, seed, &agg), &agg, &base)
                    };
                    SweepPoint {
                        value: *v,
                        minerals,
                    }
                })
                .collect()
        })?;
    let sweep = Sweep {
        parameter: param.to_string(),
        file_value,
        file_writes: written.is_some(),
        seed,
        trials,
        points: swept,
        as_written: AsWritten {
            value: file_value,
            minerals: point_metrics(&Summary::new(&scenario, seed, &base), &base, &base),
        },
    };
    crate::output::check_finite("sweep.json", &sweep)?;
    let json = json_bytes(&sweep);
    let mut outputs = vec![
        ("sweep.json".to_string(), json.clone()),
        ("sweep.csv".to_string(), crate::tables::sweep_csv(&sweep)?),
    ];
    if !opts.no_plots {
        let source = super::provenance(file, text, trials, seed);
        let charts = with_threads(opts.threads, || {
            plot::sweep_charts(&sweep, &scenario, &metrics, opts.chart_size, &source)
        })??;
        outputs.extend(charts.iter().map(|c| (c.name.clone(), c.png.clone())));
        let mut page = Report {
            title: format!("{}: sweep of {param}", scenario.name),
            findings: Vec::new(),
            provenance: Some(source),
            paragraphs: std::iter::once(format!(
                "The scenario ran once as written ({param} {}) and once per other value below, all with the same seed and trials, so differences between points are measured trial by trial (common random numbers). Changes are relative to the scenario as written, with paired standard errors.",
                match (sweep.file_value, sweep.file_writes) {
                    (Some(v), _) => format!("= {}", num(v)),
                    (None, false) => "not set: its default".to_string(),
                    (None, true) => "as written: not one number".to_string(),
                }
            ))
            .chain(unchanged(&sweep, &scenario))
            .chain(not_in_file(&sweep))
            .collect(),
            facts: vec![("trials".into(), crate::output::group_thousands(&trials.to_string())), ("seed".into(), seed.to_string())],
            tables: vec![Table {
                caption: "Results per value (± one standard error)".into(),
                header: crate::report::page_header(&header(&scenario)),
                rows: sweep_rows(&sweep, &scenario, true),
            }],
            charts,
            raw_json: Some((
                "sweep.json".into(),
                String::from_utf8_lossy(&json).into_owned(),
            )),
            glossary_extra: crate::report::market_glossary(scenario.has_market()),
        };
        // What was assumed, after the results.
        page.tables
            .extend(crate::assumptions::input_tables(&scenario));
        outputs.push(("sweep.html".to_string(), page.to_html().into_bytes()));
    }
    let heading = format!("{}: sweep of {param}", scenario.name);
    let files = finish(staging, &outputs, opts.quiet, || {
        run_line(&heading, trials, seed, scenario.start_year, scenario.years)
            + &text_table(&header(&scenario), &sweep_rows(&sweep, &scenario, false))
            + &unchanged(&sweep, &scenario).map_or_else(String::new, |u| format!("{u}\n"))
            + &not_in_file(&sweep).map_or_else(String::new, |u| format!("{u}\n"))
    })?;
    Ok(SweepReport {
        sweep,
        out_dir,
        files,
        outputs,
        warnings,
    })
}
