//! `supplyrisk sensitivity SCENARIO`.

use super::{
    check_memory, default_out_dir, finish, out_or, prepare_out, resolve_trials_seed,
    simulate_with_progress, with_progress, with_threads, Outputs, ScenarioText, SimOptions,
};
use crate::error::{both, Result};
use crate::output::{chance_change, fmt_pm, json_bytes, run_line, text_table};
use crate::plot;
use crate::report::{Report, Table};
use crate::scenario::Scenario;
use crate::sensitivity::{self, Sensitivity};
use std::path::{Path, PathBuf};

/// What `sensitivity` did.
#[derive(Debug, Clone)]
pub struct SensitivityReport {
    /// The analysis.
    pub sensitivity: Sensitivity,
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

/// One row of a sensitivity table: the mineral, what was switched off,
/// the change of an amount (with its standard error) in `unit`, and the
/// change of a chance (with its standard error), in percentage points on
/// a `page`.
fn row(
    id: &str,
    what: String,
    (amount, amount_se): (f64, f64),
    unit: &str,
    (chance, chance_se): (f64, f64),
    page: bool,
) -> Vec<String> {
    vec![
        id.to_string(),
        what,
        format!("{} {unit}", fmt_pm(amount, amount_se)),
        chance_change(chance, chance_se, page),
    ]
}

/// Rows of the top `n` drivers of every mineral, after the change with
/// every disruption off at once; an entity without any effect (a change
/// of exactly 0) is no driver, and is left out. On a `page` changes of
/// probabilities are in percentage points.
fn driver_rows(sens: &Sensitivity, scenario: &Scenario, n: usize, page: bool) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for ((id, entries), m) in sens.minerals.0.iter().zip(&scenario.minerals) {
        let all = sens.all_disruptions_off.get(id).map(|a| {
            let change = (a.delta_eud_total, a.delta_eud_total_se);
            (
                ALL_OFF.to_string(),
                change,
                (a.delta_p_any_shortfall, a.delta_p_any_shortfall_se),
            )
        });
        let drivers = entries.iter().map(|e| {
            let change = (e.delta_eud_total, e.delta_eud_total_se);
            let what = format!("{} ({})", e.entity, e.kind);
            (
                what,
                change,
                (e.delta_p_any_shortfall, e.delta_p_any_shortfall_se),
            )
        });
        let with_effect = |r: &(String, (f64, f64), (f64, f64))| r.1 != (0.0, 0.0);
        let listed = all
            .into_iter()
            .filter(with_effect)
            .chain(drivers.filter(with_effect).take(n));
        rows.extend(
            listed.map(|(what, change, chance)| row(id, what, change, &m.unit, chance, page)),
        );
    }
    rows
}

/// Rows of the top `n` drivers of the consumer's cost of every mineral on
/// a world market, largest contribution (most negative change) first,
/// after the change with every disruption off at once; entities without
/// any effect left out; on a `page` changes of probabilities in
/// percentage points.
fn cost_rows(sens: &Sensitivity, scenario: &Scenario, n: usize, page: bool) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for ((id, entries), m) in sens.minerals.0.iter().zip(&scenario.minerals) {
        let Some(money) = m.market.as_ref().map(|k| &k.currency) else {
            continue;
        };
        let spike = |p: Option<f64>, se: Option<f64>| (p.unwrap_or(0.0), se.unwrap_or(0.0));
        let all = sens.all_disruptions_off.get(id).and_then(|a| {
            let change = (a.delta_cost_total?, a.delta_cost_total_se?);
            Some((
                ALL_OFF.to_string(),
                change,
                spike(a.delta_p_price_spike, a.delta_p_price_spike_se),
            ))
        });
        let mut drivers: Vec<_> = entries
            .iter()
            .filter_map(|e| {
                let change = (e.delta_cost_total?, e.delta_cost_total_se?);
                let what = format!("{} ({})", e.entity, e.kind);
                Some((
                    what,
                    change,
                    spike(e.delta_p_price_spike, e.delta_p_price_spike_se),
                ))
            })
            .collect();
        drivers.sort_by(|a, b| a.1 .0.total_cmp(&b.1 .0));
        let with_effect = |r: &(String, (f64, f64), (f64, f64))| r.1 != (0.0, 0.0);
        let listed = all
            .into_iter()
            .filter(with_effect)
            .chain(drivers.into_iter().filter(with_effect).take(n));
        rows.extend(
            listed.map(|(what, change, chance)| row(id, what, change, money, chance, page)),
        );
    }
    rows
}

/// Per world-market mineral, a sentence splitting its expected cost into
/// the price level alone (every disruption off) and what the disruptions
/// add (paired); none for a mineral without a market.
fn cost_split(sens: &Sensitivity, scenario: &Scenario) -> Vec<String> {
    sens.all_disruptions_off
        .0
        .iter()
        .zip(&scenario.minerals)
        .filter_map(|((id, a), m)| {
            let money = &m.market.as_ref()?.currency;
            let level = fmt_pm(
                a.cost_total_without_disruptions?,
                a.cost_total_without_disruptions_se?,
            );
            let added = fmt_pm(-a.delta_cost_total?, a.delta_cost_total_se?);
            Some(format!(
                "{id}: with no disruption at all the consumer's expected cost is {level} {money} (the price level alone); the disruptions add {added} {money} (paired)"
            ))
        })
        .collect()
}

/// The row of every disruption switched off at once, above a mineral's
/// drivers: the scale against which each driver's share is read.
const ALL_OFF: &str = "every disruption (all at once)";

const COST_HEADER: [&str; 4] = [
    "world market",
    "switched off",
    "change in cost_total",
    "change in p_price_spike",
];

const HEADER: [&str; 4] = [
    "mineral",
    "switched off",
    "change in eud_total",
    "change in p_any_shortfall",
];

/// `supplyrisk sensitivity`: switch each source's and each event's
/// disruption off in turn (common random numbers) and rank the paired
/// changes; write `sensitivity.json` and, unless `no_plots`,
/// `tornado_<mineral>.png` and `sensitivity.html`.
///
/// # Errors
///
/// [`crate::Error::Input`] for a bad scenario or flag; nothing is written then.
pub fn sensitivity(path: &Path, opts: &SimOptions) -> Result<SensitivityReport> {
    let opts = out_or(opts, || default_out_dir(path));
    let input = super::read_and_flags(ScenarioText::read(path), &opts, super::MAX_PAIRED_TRIALS)?;
    sensitivity_text(&input, &opts)
}

/// [`sensitivity()`] of a scenario's text: `opts.out` is the output folder
/// (default `results/scenario/`); with `opts.in_memory` nothing is
/// written and the report holds the outputs.
///
/// # Errors
///
/// As [`sensitivity()`].
pub fn sensitivity_text(input: &ScenarioText, opts: &SimOptions) -> Result<SensitivityReport> {
    super::on_pool(opts, || sensitivity_text_in_pool(input, opts))
}

/// [`sensitivity_text`] on the pool of `opts.threads` threads, which everything
/// it runs in parallel uses.
fn sensitivity_text_in_pool(input: &ScenarioText, opts: &SimOptions) -> Result<SensitivityReport> {
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(Path::new("")));
    let (scenario, ()) = both(
        input.parse(),
        super::check_flags(opts, super::MAX_PAIRED_TRIALS, &out_dir),
    )?;
    let text = &input.text;
    let (trials, seed) =
        resolve_trials_seed(&scenario, &input.file, opts, super::MAX_PAIRED_TRIALS)?;
    check_memory(&scenario, (trials, trials), true, 2, opts)?;
    let staging = prepare_out(&out_dir, "sensitivity", opts)?;
    let warnings = crate::scenario::notices::notices(&scenario);
    super::warn(&warnings, opts.quiet);
    let runs = sensitivity::runs(&scenario);
    if !opts.quiet {
        crate::stderr_line!(
            "sensitivity: {} of {} ({} trials)",
            super::count(runs + 1, "run", "runs"),
            super::count(trials, "trial", "trials"),
            super::fmt_count((runs + 1).saturating_mul(trials))
        );
    }
    let base = simulate_with_progress(&scenario, seed, trials, opts, "baseline")?;
    let sens = with_progress(
        runs * trials,
        "switching off each disruption",
        opts,
        |progress| sensitivity::sensitivity(&scenario, seed, trials, &base, Some(progress)),
    )?;
    crate::output::check_finite("sensitivity.json", &sens)?;
    let json = json_bytes(&sens);
    let cost = cost_rows(&sens, &scenario, 5, false);
    let mut outputs = vec![
        ("sensitivity.json".to_string(), json.clone()),
        (
            "sensitivity.csv".to_string(),
            crate::tables::sensitivity_csv(&sens)?,
        ),
    ];
    if !opts.no_plots {
        let source = super::provenance(&input.file, text, trials, seed);
        let charts = with_threads(opts.threads, || {
            plot::sensitivity_charts(&sens, &scenario, opts.chart_size, &source)
        })??;
        outputs.extend(charts.iter().map(|c| (c.name.clone(), c.png.clone())));
        let mut page = Report {
            title: format!("{}: what drives the risk", scenario.name),
            findings: sens
                .minerals
                .0
                .iter()
                .filter_map(|(id, entries)| {
                    let top = entries.first().filter(|e| e.delta_eud_total < 0.0)?;
                    let mineral = scenario.mineral_index(id).map(|i| &scenario.minerals[i]);
                    let unit = mineral.map_or("", |m| m.unit.as_str());
                    let market = mineral.and_then(|m| m.market.as_ref());
                    let what = crate::year_changes::unserved_of(id, market.is_some());
                    let cost = match (market, top.delta_cost_total, top.delta_cost_total_se) {
                        (Some(k), Some(c), Some(se)) => {
                            format!(", and the consumer's expected cost by {} {}", fmt_pm(c, se), k.currency)
                        }
                        _ => String::new(),
                    };
                    let change = fmt_pm(top.delta_eud_total, top.delta_eud_total_se);
                    let switched = format!("changes expected {what} over the horizon by {change} {unit}{cost}");
                    Some(match (entries.get(1), sens.runner_up_gap.get(id)) {
                        (Some(next), Some(Some(gap))) if gap.delta < crate::plot::Z95 * gap.se => format!(
                            "{id}: the largest drivers are {} ({}) and {} ({}), which this run does not tell apart (switching off the second instead leaves {} {unit} more, paired); switching off the first {switched}.",
                            top.entity,
                            top.kind,
                            next.entity,
                            next.kind,
                            fmt_pm(gap.delta, gap.se)
                        ),
                        _ => format!("{id}: the largest driver is {} ({}); switching it off {switched}.", top.entity, top.kind),
                    })
                })
                .chain(cost_split(&sens, &scenario).into_iter().map(|l| format!("{l}.")))
                .collect(),
            provenance: Some(source),
            paragraphs: vec![
                "Each source's own disruption, and each common-cause event, is switched off (rate 0, with any disruption in progress at the start) in turn, with the same seed and trials as the scenario as written; so is each shared factor (kind factor: every loading on it set to 0, which makes what loads on it independent) and each disruption in progress at the start alone (kind initial). The change in expected unserved demand and in the probability of any shortfall year is measured trial by trial (common random numbers), with paired standard errors. The most negative change marks the largest contribution to risk.".to_string(),
            ],
            facts: vec![("trials".into(), crate::output::group_thousands(&trials.to_string())), ("seed".into(), seed.to_string())],
            tables: std::iter::once(Table {
                caption: "Every disruption switched off at once, then the top five drivers per mineral (± paired standard error)".into(),
                header: crate::report::page_header(&HEADER),
                rows: driver_rows(&sens, &scenario, 5, true),
            })
            .chain((!cost.is_empty()).then(|| Table {
                caption: "Every disruption switched off at once, then the top five drivers of the consumer's cost per world-market mineral (± paired standard error)".into(),
                header: crate::report::page_header(&COST_HEADER),
                rows: cost_rows(&sens, &scenario, 5, true),
            }))
            .collect(),
            charts,
            raw_json: Some((
                "sensitivity.json".into(),
                String::from_utf8_lossy(&json).into_owned(),
            )),
            glossary_extra: crate::report::market_glossary(scenario.has_market()),
        };
        // What was assumed, after the results.
        page.tables
            .extend(crate::assumptions::input_tables(&scenario));
        outputs.push(("sensitivity.html".to_string(), page.to_html().into_bytes()));
    }
    let heading = format!("{}: sensitivity", scenario.name);
    let files = finish(staging, &outputs, opts.quiet, || {
        run_line(&heading, trials, seed, scenario.start_year, scenario.years)
            + &text_table(&HEADER, &driver_rows(&sens, &scenario, 5, false))
            + &if cost.is_empty() {
                String::new()
            } else {
                let split: String = cost_split(&sens, &scenario)
                    .iter()
                    .map(|l| crate::output::wrap(l, crate::output::WIDTH))
                    .collect();
                "\n".to_string() + &text_table(&COST_HEADER, &cost) + &split
            }
    })?;
    Ok(SensitivityReport {
        sensitivity: sens,
        out_dir,
        files,
        outputs,
        warnings,
    })
}
