//! `supplyrisk compare BASELINE ALTERNATIVE`.

mod findings;
mod split;

use super::{
    check_memory, finish, out_or, prepare_out, resolve_trials_seed, simulate_with_progress,
    with_threads, Outputs, ScenarioText, SimOptions,
};
use crate::compare::{check_comparable, compare as compare_runs, Comparison};
use crate::error::{both, Result};
use crate::output::{chance, chance_change, fmt_digits, fmt_pm, json_bytes, run_line, text_table};
use crate::plot;
use crate::report::{Report, Table};
use crate::scenario::Scenario;
use crate::summary::exceedance_curves;
use findings::{by_mineral, efs_notes, findings, market_findings, within_noise};
use indicatif::ProgressBar;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// What `compare` did.
#[derive(Debug, Clone)]
pub struct CompareReport {
    /// The comparison.
    pub comparison: Comparison,
    /// The folder written.
    pub out_dir: PathBuf,
    /// The files written (none when in memory).
    pub files: Vec<PathBuf>,
    /// Each output's name and bytes, in order.
    pub outputs: Outputs,
    /// Warnings about the two scenarios (printed on stderr unless
    /// `quiet`), without their `warning: ` prefix.
    pub warnings: Vec<String>,
}

/// The default output folder: `results/<baseline stem>-vs-<alternative stem>/`.
pub fn default_compare_dir(base: &Path, alt: &Path) -> PathBuf {
    let stem = |p: &Path| {
        p.file_stem()
            .map_or("scenario".to_string(), |s| s.to_string_lossy().into_owned())
    };
    Path::new("results").join(format!("{}-vs-{}", stem(base), stem(alt)))
}

/// Rows of the first comparison table: per mineral, both `eud_total`s, the
/// paired change and the risk reduction.
fn eud_rows(c: &Comparison) -> Vec<Vec<String>> {
    c.minerals
        .0
        .iter()
        .filter_map(|(id, mc)| {
            let b = c.baseline.minerals.get(id)?;
            let a = c.alternative.minerals.get(id)?;
            let u = &mc.unit;
            Some(vec![
                id.clone(),
                format!("{} {u}", fmt_pm(b.eud_total, b.eud_total_se)),
                format!("{} {u}", fmt_pm(a.eud_total, a.eud_total_se)),
                format!("{} {u}", fmt_pm(mc.delta.eud_total, mc.delta.eud_total_se)),
                mc.risk_reduction
                    .map_or("n/a".into(), |r| format!("{:.1}%", 100.0 * r)),
            ])
        })
        .collect()
}

/// Rows of the second table: both `p_any_shortfall`s with the paired
/// change, and equivalent firm supply; probabilities in percent on a
/// `page`.
fn shortfall_rows(c: &Comparison, page: bool) -> Vec<Vec<String>> {
    c.minerals
        .0
        .iter()
        .filter_map(|(id, mc)| {
            let b = c.baseline.minerals.get(id)?;
            let a = c.alternative.minerals.get(id)?;
            Some(vec![
                id.clone(),
                format!(
                    "{} → {}",
                    chance(b.p_any_shortfall, page),
                    chance(a.p_any_shortfall, page)
                ),
                chance_change(mc.delta.p_any_shortfall, mc.delta.p_any_shortfall_se, page),
                match mc.equivalent_firm_supply {
                    None => "n/a (not better)".into(),
                    Some(_) if within_noise(mc) => "n/a (within noise)".into(),
                    Some(f) => format!("{} {}/yr", fmt_digits(f, 2), mc.unit),
                },
            ])
        })
        .collect()
}

/// Header of the market table.
const MARKET_HEADER: [&str; 5] = [
    "mineral",
    "cost_total baseline",
    "alternative",
    "change (paired se)",
    "p_price_spike change",
];

/// Rows of the market table: for each mineral on a world market in both
/// scenarios, the consumer's expected cost in each and the paired change,
/// and the paired change of the chance of a price spike (in percentage
/// points on a `page`).
fn market_rows(c: &Comparison, page: bool) -> Vec<Vec<String>> {
    c.minerals
        .0
        .iter()
        .filter_map(|(id, mc)| {
            let b = c.baseline.minerals.get(id)?;
            let a = c.alternative.minerals.get(id)?;
            let d = &mc.delta;
            let money = b.currency.as_deref().unwrap_or("");
            Some(vec![
                id.clone(),
                format!("{} {money}", fmt_pm(b.cost_total?, b.cost_total_se?)),
                format!("{} {money}", fmt_pm(a.cost_total?, a.cost_total_se?)),
                format!("{} {money}", fmt_pm(d.cost_total?, d.cost_total_se?)),
                chance_change(d.p_price_spike?, d.p_price_spike_se?, page),
            ])
        })
        .collect()
}

/// The baseline's input tables, then per table the alternative's rows
/// that are not the baseline's (added or changed), where there are any.
fn input_differences(base: &Scenario, alt: &Scenario) -> Vec<Table> {
    let before = crate::assumptions::input_tables_beside(base, &[alt]);
    let after = crate::assumptions::input_tables_beside(alt, &[base]);
    let mut tables: Vec<Table> = before
        .iter()
        .cloned()
        .map(|mut t| {
            t.caption = format!("{} (baseline: {})", t.caption, base.name);
            t
        })
        .collect();
    for t in after {
        let old = before
            .iter()
            .find(|b| b.caption == t.caption && b.header == t.header);
        let rows: Vec<Vec<String>> = t
            .rows
            .iter()
            .filter(|r| old.is_none_or(|b| !b.rows.contains(r)))
            .cloned()
            .collect();
        if !rows.is_empty() {
            tables.push(Table {
                caption: format!(
                    "{} (alternative: {}): {}",
                    t.caption,
                    alt.name,
                    if old.is_some() {
                        "only the rows that differ from the baseline's"
                    } else {
                        "not in the baseline"
                    }
                ),
                header: t.header,
                rows,
            });
        }
    }
    tables
}

const EUD_HEADER: [&str; 5] = [
    "mineral",
    "eud_total baseline",
    "alternative",
    "change (paired se)",
    "risk_reduction",
];

const SHORTFALL_HEADER: [&str; 4] = [
    "mineral",
    "p_any_shortfall",
    "change (paired se)",
    "equivalent firm supply",
];

/// `supplyrisk compare`: run both scenarios with the same seed and trials
/// (common random numbers) and write `comparison.json` and, unless
/// `no_plots`, `compare_<mineral>.png`, `risk_reduction.png` and
/// `report.html`. Trials and seed come from the flags, else the baseline's
/// `[scenario]`, else the defaults.
///
/// # Errors
///
/// [`crate::Error::Input`] for bad scenarios, scenarios with different
/// horizons or steps, or no shared mineral; nothing is written then.
pub fn compare(base_path: &Path, alt_path: &Path, opts: &SimOptions) -> Result<CompareReport> {
    // Both files' problems are reported together: an unreadable file, or
    // (in `compare_text`) every rule either breaks.
    let opts = out_or(opts, || default_compare_dir(base_path, alt_path));
    let (base, alt) = (ScenarioText::read(base_path), ScenarioText::read(alt_path));
    // Where one file cannot be read, the other's rules are checked here.
    let checked = |read: Result<ScenarioText>, other_read: bool| match read {
        Ok(t) if !other_read => t.parse().map(|_| t),
        read => read,
    };
    let (base_read, alt_read) = (base.is_ok(), alt.is_ok());
    let read = both(checked(base, alt_read), checked(alt, base_read));
    let (base, alt) = super::read_and_flags(read, &opts, super::MAX_PAIRED_TRIALS)?;
    compare_text(&base, &alt, &opts)
}

/// [`compare`] of two scenarios' texts: `opts.out` is the output folder
/// (default `results/comparison/`); with `opts.in_memory` nothing is
/// written and the report holds the outputs.
///
/// # Errors
///
/// As [`compare`].
pub fn compare_text(
    base_in: &ScenarioText,
    alt_in: &ScenarioText,
    opts: &SimOptions,
) -> Result<CompareReport> {
    super::on_pool(opts, || compare_text_in_pool(base_in, alt_in, opts))
}

/// [`compare_text`] on the pool of `opts.threads` threads, which everything
/// it runs in parallel uses.
fn compare_text_in_pool(
    base_in: &ScenarioText,
    alt_in: &ScenarioText,
    opts: &SimOptions,
) -> Result<CompareReport> {
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join("comparison"));
    // Two scenarios that do not pair are reported with the flags' problems.
    let paired = both(base_in.parse(), alt_in.parse()).and_then(|(base_s, alt_s)| {
        check_comparable(&base_s, &alt_s, &alt_in.file, &alt_in.text)?;
        Ok((base_s, alt_s))
    });
    let ((base_s, alt_s), ()) = both(
        paired,
        super::check_flags(opts, super::MAX_PAIRED_TRIALS, &out_dir),
    )?;
    let (base_text, alt_text) = (&base_in.text, &alt_in.text);
    let (trials, seed) =
        resolve_trials_seed(&base_s, &base_in.file, opts, super::MAX_PAIRED_TRIALS)?;
    let warnings: Vec<String> =
        ignored_settings((&base_s, &alt_s), &alt_in.file, opts, (trials, seed))
            .into_iter()
            .chain(crate::compare::unshared_minerals(
                &base_s,
                &alt_s,
                &alt_in.file,
            ))
            .chain(super::notices_after(
                &base_s,
                &format!("{}: ", base_in.file),
            ))
            .chain(super::notices_after(&alt_s, &format!("{}: ", alt_in.file)))
            .collect();
    super::warn(&warnings, opts.quiet);
    let larger = if alt_s.minerals.len() > base_s.minerals.len() {
        &alt_s
    } else {
        &base_s
    };
    let splits = split::wanted(&base_s, &alt_s);
    check_memory(
        larger,
        (trials, trials),
        true,
        if splits { 4 } else { 3 },
        opts,
    )?;
    let staging = prepare_out(&out_dir, "compare", opts)?;
    let base = simulate_with_progress(&base_s, seed, trials, opts, "baseline")?;
    let alt = simulate_with_progress(&alt_s, seed, trials, opts, "alternative")?;
    // Equivalent firm supply bisects over further runs: show it is working.
    let spinner = (!opts.quiet && std::io::stderr().is_terminal()).then(|| {
        let sp = ProgressBar::new_spinner();
        sp.set_message("finding equivalent firm supply (bisection with common random numbers)");
        sp.enable_steady_tick(std::time::Duration::from_millis(120));
        sp
    });
    let mut comparison = with_threads(opts.threads, || {
        compare_runs(&base_s, &alt_s, seed, &base, &alt, true)
    })?;
    if let Some(sp) = spinner {
        sp.finish_and_clear();
    }
    if splits {
        let quiet = split::quiet_runs((&base_s, &alt_s), seed, trials, opts)?;
        crate::cost_split::add_cost_splits(
            &mut comparison,
            (&base_s, &alt_s),
            (&base, &alt),
            (&quiet.0, &quiet.1),
        );
    }
    crate::output::check_finite("comparison.json", &comparison)?;
    let json = json_bytes(&comparison);
    let market = market_rows(&comparison, false);
    let mut outputs = vec![
        ("comparison.json".to_string(), json.clone()),
        (
            "comparison.csv".to_string(),
            crate::tables::comparison_csv(&comparison)?,
        ),
        (
            "comparison_years.csv".to_string(),
            crate::tables::comparison_years_csv(&comparison)?,
        ),
    ];
    if !opts.no_plots {
        let both = format!(
            "baseline {}, alternative {}; {}",
            super::run::scenario_words(&base_in.file, base_text),
            super::run::scenario_words(&alt_in.file, alt_text),
            super::run::run_words(trials, seed)
        );
        let charts = with_threads(opts.threads, || {
            plot::compare_charts(
                &comparison,
                &exceedance_curves(&base),
                &exceedance_curves(&alt),
                (
                    &super::chart_context(&base_s, &base),
                    &super::chart_context(&alt_s, &alt),
                ),
                opts.chart_size,
                &both,
            )
        })??;
        outputs.extend(charts.iter().map(|c| (c.name.clone(), c.png.clone())));
        let mut page = Report {
            title: format!("{} vs {}", comparison.alternative.scenario, comparison.baseline.scenario),
            findings: by_mineral(
                &comparison,
                findings(&comparison)
                    .into_iter()
                    .chain(market_findings(&comparison, &base_s, &alt_s))
                    .chain(split::findings(&comparison))
                    .chain(crate::year_changes::timing_findings(&comparison))
                    .collect(),
            ),
            provenance: Some(both),
            paragraphs: vec![
                format!("Baseline: {}. {}", base_s.name, base_s.description.clone().unwrap_or_default()),
                format!("Alternative: {}. {}", alt_s.name, alt_s.description.clone().unwrap_or_default()),
                "Both scenarios ran with the same seed and trials. Every source, event and demand draws from a random stream keyed by its id, so the two runs share the random history of every entity they have in common: each change is measured trial by trial, and its standard error is that of the paired differences. Equivalent firm supply is the constant, never-disrupted supply that, added to the baseline, gives the alternative's expected unserved demand.".to_string(),
            ],
            facts: vec![
                ("trials".into(), crate::output::group_thousands(&trials.to_string())),
                ("seed".into(), seed.to_string()),
                ("horizon".into(), format!("{}–{}", base_s.start_year, base_s.start_year + base_s.years as i64 - 1)),
            ],
            tables: vec![
                Table {
                    caption: "Expected unserved demand over the horizon, alternative vs baseline (± one standard error; the change with its paired standard error)".into(),
                    header: crate::report::page_header(&EUD_HEADER),
                    rows: eud_rows(&comparison),
                },
                Table {
                    caption: "Probability of at least one shortfall year, and equivalent firm supply".into(),
                    header: crate::report::page_header(&SHORTFALL_HEADER),
                    rows: shortfall_rows(&comparison, true),
                },
            ]
            .into_iter()
            .chain((!market.is_empty()).then(|| Table {
                caption: "Consumer's expected cost over the horizon (loss of consumer surplus against the reference price, less the gain on offtakes), and the change in the chance of a price spike year".into(),
                header: crate::report::page_header(&MARKET_HEADER),
                rows: market_rows(&comparison, true),
            }))
            .chain(splits.then(|| Table {
                caption: format!("Price level or disruption risk? The change in the consumer's expected cost split in two ({})", split::NOTE),
                header: crate::report::page_header(&split::HEADER),
                rows: split::rows(&comparison),
            }))
            .chain(stock_tables(&comparison))
            .chain(crate::year_changes::year_tables(&comparison))
            .collect(),
            charts,
            raw_json: Some((
                "comparison.json".into(),
                String::from_utf8_lossy(&json).into_owned(),
            )),
            glossary_extra: {
                let mut g: Vec<(String, String)> = crate::report::COMPARE_GLOSSARY
                    .iter()
                    .map(|(t, m)| (t.to_string(), m.to_string()))
                    .collect();
                g.extend(crate::report::glossary_extra(&comparison.baseline));
                if splits {
                    g.extend(split::GLOSSARY.iter().map(|(t, m)| (t.to_string(), m.to_string())));
                }
                for term in crate::report::glossary_extra(&comparison.alternative) {
                    if !g.contains(&term) {
                        g.push(term);
                    }
                }
                g
            },
        };
        // What the scenarios assumed, after the results: the baseline's
        // inputs, then only the alternative's rows that differ.
        page.tables.extend(input_differences(&base_s, &alt_s));
        outputs.push(("report.html".to_string(), page.to_html().into_bytes()));
    }
    let files = finish(staging, &outputs, opts.quiet, || {
        let prose = [
            format!("Alternative: {}", comparison.alternative.scenario),
            format!("Baseline: {}", comparison.baseline.scenario),
        ];
        let notes = efs_notes(&comparison, &base_s, &alt_s);
        let wrapped = |lines: &[String]| -> String {
            lines
                .iter()
                .map(|l| crate::output::wrap(l, crate::output::WIDTH))
                .collect::<Vec<_>>()
                .join("")
        };
        wrapped(&prose)
            + run_line("", trials, seed, base_s.start_year, base_s.years)
                .trim_start_matches([' ', '—'])
            + &text_table(&EUD_HEADER, &eud_rows(&comparison))
            + "\n"
            + &text_table(&SHORTFALL_HEADER, &shortfall_rows(&comparison, false))
            + "\n"
            + &if market.is_empty() {
                String::new()
            } else {
                text_table(&MARKET_HEADER, &market)
                    + "\n"
                    + &wrapped(&market_findings(&comparison, &base_s, &alt_s))
                    + &split::block(&comparison)
            }
            + &wrapped(&crate::year_changes::timing_findings(&comparison))
            + &wrapped(&notes)
    })?;
    Ok(CompareReport {
        warnings,
        comparison,
        out_dir,
        files,
        outputs,
    })
}

/// A warning when the alternative's `[scenario]` asks for other trials or
/// another seed than the comparison runs with (the flags', else the
/// baseline's, else the defaults), which it ignores.
fn ignored_settings(
    (base, alt): (&Scenario, &Scenario),
    file: &str,
    opts: &SimOptions,
    (trials, seed): (u64, u64),
) -> Option<String> {
    let mut ignored = Vec::new();
    if let Some(t) = alt.trials.filter(|&t| t != trials && opts.trials.is_none()) {
        ignored.push(format!("trials = {t}"));
    }
    if let Some(s) = alt.seed.filter(|&s| s != seed && opts.seed.is_none()) {
        ignored.push(format!("seed = {s}"));
    }
    let from = |flag: bool, in_base: bool, name: &str| match (flag, in_base) {
        (true, _) => format!("given by --{name}"),
        (false, true) => "the baseline's".to_string(),
        (false, false) => "the default".to_string(),
    };
    (!ignored.is_empty()).then(|| {
        format!(
            "{file} gives {}, ignored: both scenarios run with {trials} trials ({}) and seed {seed} ({}); --trials and --seed choose them",
            ignored.join(" and "),
            from(opts.trials.is_some(), base.trials.is_some(), "trials"),
            from(opts.seed.is_some(), base.seed.is_some(), "seed"),
        )
    })
}

/// The stockpile tables of the baseline and of the alternative, each where
/// it has a stockpile: how often each runs empty and what it holds at the
/// end of the horizon.
fn stock_tables(c: &Comparison) -> impl Iterator<Item = Table> + '_ {
    [("Baseline", &c.baseline), ("Alternative", &c.alternative)]
        .into_iter()
        .filter_map(|(which, summary)| {
            let mut t = crate::report::stock_table(summary)?;
            t.caption = format!("{which}: {}", t.caption);
            Some(t)
        })
}

#[cfg(test)]
mod tests {
    use super::input_differences;
    use crate::scenario::Scenario;

    #[test]
    fn the_alternatives_inputs_show_only_what_differs() {
        let text = |capacity: &str, stock: &str| {
            format!(
                "[scenario]\nname = \"s\"\nstart_year = 2030\nyears = 2\n\n[[mineral]]\nid = \"m\"\ndemand = {{ base = 10.0 }}\n\n[[source]]\nid = \"a\"\nmineral = \"m\"\ncapacity = 8.0\n\n[[source]]\nid = \"b\"\nmineral = \"m\"\ncapacity = {capacity}\n{stock}"
            )
        };
        let base = Scenario::from_toml_str(&text("1.0", ""), "b.toml").unwrap();
        let stock = "\n[[stockpile]]\nmineral = \"m\"\ninitial = 2.0\nmax_release_per_year = 1.0\n";
        let alt = Scenario::from_toml_str(&text("3.0", stock), "a.toml").unwrap();
        let tables = input_differences(&base, &alt);
        let sources: Vec<_> = tables
            .iter()
            .filter(|t| t.caption.starts_with("Inputs: sources"))
            .collect();
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[0].rows.len(), 2, "the baseline's every source");
        assert!(sources[1]
            .caption
            .ends_with("only the rows that differ from the baseline's"));
        assert_eq!(sources[1].rows.len(), 1, "source b only");
        assert_eq!(sources[1].rows[0][0], "b");
        assert!(tables
            .iter()
            .any(|t| t.caption.starts_with("Inputs: stockpiles")
                && t.caption.ends_with("not in the baseline")));
        // The same scenario twice: the baseline's tables only.
        let same = input_differences(&base, &base);
        assert!(same.iter().all(|t| t.caption.contains("(baseline: ")));
        assert!(
            same[0].header.iter().all(|h| h != "project"),
            "no project, no column"
        );
        // A project in the alternative only: both tables get the column, so
        // the rows of the sources that did not change still match.
        let project = "project = { online_year = 2031 }\n";
        let alt = Scenario::from_toml_str(&text(&format!("1.0\n{project}"), ""), "a.toml").unwrap();
        let tables = input_differences(&base, &alt);
        assert_eq!(tables[0].header, tables[1].header);
        assert!(tables[0].header.iter().any(|h| h == "project"));
        assert!(tables[0].caption.contains("projects: first output"));
        assert_eq!(tables[1].rows.len(), 1, "source b only");
        assert_eq!(tables[0].rows[1][0..2], ["b".to_string(), "m".to_string()]);
    }
}
