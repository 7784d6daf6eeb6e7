//! What `uncertainty` writes: `uncertainty.json`, `uncertainty_runs.csv`
//! and the printed table.

use super::lead::{lead_words, leaders, shared_lead};
use super::{noise_share, sobol, spread, Design, Indices, Outputs, Spread};
use crate::dist::DistSpec;
use crate::error::Result;
use crate::plot::labels::value_label;
use crate::summary::{OrderedMap, Summary};
use crate::tables::cell;
use serde::Serialize;
use serde_json::{json, Value};

/// The metrics of a mineral: name, and whether it is only for market
/// minerals.
pub const METRICS: [(&str, bool); 5] = [
    ("p_any_shortfall", false),
    ("eud_total", false),
    ("cvar95", false),
    ("cost_total", true),
    ("p_price_spike", true),
];

/// A metric's value and standard error (`None` for `cvar95`) in one run.
pub fn metric(s: &Summary, mineral: usize, name: &str) -> Option<(f64, Option<f64>)> {
    let m = &s.minerals.0.get(mineral)?.1;
    match name {
        "p_any_shortfall" => Some((m.p_any_shortfall, Some(m.p_any_shortfall_se))),
        "eud_total" => Some((m.eud_total, Some(m.eud_total_se))),
        "cvar95" => Some((m.cvar95, None)),
        "cost_total" => Some((m.cost_total?, m.cost_total_se)),
        "p_price_spike" => Some((m.p_price_spike?, m.p_price_spike_se)),
        _ => None,
    }
}

/// One run's results: per mineral, per metric, `(value, se)`.
pub type RunMetrics = Vec<Vec<(String, f64, Option<f64>)>>;

/// The results of one run, for every mineral and its metrics.
pub fn run_metrics(s: &Summary, market: &[bool]) -> RunMetrics {
    (0..s.minerals.0.len())
        .map(|m| {
            METRICS
                .iter()
                .filter(|(_, only_market)| !only_market || market[m])
                .filter_map(|(name, _)| metric(s, m, name).map(|(v, se)| (name.to_string(), v, se)))
                .collect()
        })
        .collect()
}

/// One parameter's indices in `uncertainty.json`.
#[derive(Debug, Clone, Serialize)]
pub struct SobolRow {
    /// `KIND.ID.KEY`.
    pub param: String,
    /// The indices.
    #[serde(flatten)]
    pub indices: Indices,
}

/// One metric of one mineral in `uncertainty.json`.
#[derive(Debug, Clone, Serialize)]
pub struct MetricResult {
    /// Spread over the runs of A and B.
    #[serde(flatten)]
    pub spread: Spread,
    /// Share of the variance that is Monte Carlo noise (absent without a
    /// standard error, null when the variance is 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise_share: Option<Option<f64>>,
    /// Indices, largest total first.
    pub sobol: Vec<SobolRow>,
    /// The metric in each run of A and B, for charts (not written to
    /// `uncertainty.json`: `uncertainty_runs.csv` holds every run).
    #[serde(skip)]
    pub values: Vec<f64>,
}

/// An uncertain parameter in `uncertainty.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Parameter {
    /// `KIND.ID.KEY`.
    pub param: String,
    /// `{ "dist": …, parameters }`.
    pub dist: Value,
}

/// `uncertainty.json`.
#[derive(Debug, Clone, Serialize)]
pub struct UncertaintyResult {
    /// Seed of every run.
    pub seed: u64,
    /// Trials of every run.
    pub trials: u64,
    /// Base sets N.
    pub samples: usize,
    /// The parameters and their distributions.
    pub parameters: Vec<Parameter>,
    /// Per mineral, per metric.
    pub minerals: OrderedMap<OrderedMap<MetricResult>>,
}

/// A distribution as `{ "dist": …, parameters }`.
pub fn dist_json(spec: &DistSpec) -> Value {
    match *spec {
        DistSpec::Fixed { value } => json!({"dist": "fixed", "value": value}),
        DistSpec::Uniform { min, max } => json!({"dist": "uniform", "min": min, "max": max}),
        DistSpec::Triangular { min, mode, max } => {
            json!({"dist": "triangular", "min": min, "mode": mode, "max": max})
        }
        DistSpec::Pert { min, mode, max } => {
            json!({"dist": "pert", "min": min, "mode": mode, "max": max})
        }
        DistSpec::Beta { mean, sd } => json!({"dist": "beta", "mean": mean, "sd": sd}),
        DistSpec::LogNormal { median, p90 } => {
            json!({"dist": "lognormal", "median": median, "p90": p90})
        }
        DistSpec::Exponential { mean } => json!({"dist": "exponential", "mean": mean}),
    }
}

/// The estimates of every mineral and metric from the runs' results (in
/// the design's order).
pub fn estimate(
    design: &Design,
    params: &[String],
    minerals: &[String],
    results: &[RunMetrics],
    seed: u64,
) -> OrderedMap<OrderedMap<MetricResult>> {
    let (n, k) = (design.samples, design.params);
    let mut out = Vec::new();
    for (m, id) in minerals.iter().enumerate() {
        let mut metrics = Vec::new();
        for (j, (name, _, se)) in results[0][m].iter().enumerate() {
            let f = |run: usize| results[run][m][j].1;
            let s = |run: usize| results[run][m][j].2.unwrap_or(0.0);
            let o = Outputs::from_runs(n, k, f);
            let both: Vec<f64> = o.a.iter().chain(&o.b).copied().collect();
            let noise = se.map(|_| {
                let se_a: Vec<f64> = (0..n).map(s).collect();
                let se_b: Vec<f64> = (n..2 * n).map(s).collect();
                noise_share(&o, &se_a, &se_b)
            });
            let mut rows: Vec<SobolRow> = sobol(&o, seed)
                .into_iter()
                .zip(params)
                .map(|(indices, p)| SobolRow {
                    param: p.clone(),
                    indices,
                })
                .collect();
            let key = |r: &SobolRow| r.indices.total.unwrap_or(f64::NEG_INFINITY);
            rows.sort_by(|x, y| key(y).total_cmp(&key(x)));
            metrics.push((
                name.clone(),
                MetricResult {
                    spread: spread(&both),
                    noise_share: noise,
                    sobol: rows,
                    values: both,
                },
            ));
        }
        out.push((id.clone(), OrderedMap(metrics)));
    }
    OrderedMap(out)
}

/// `uncertainty_runs.csv`.
///
/// # Errors
///
/// When the CSV cannot be written.
pub fn runs_csv(
    design: &Design,
    params: &[String],
    minerals: &[String],
    results: &[RunMetrics],
) -> Result<Vec<u8>> {
    let mut header = vec!["matrix".to_string(), "row".to_string()];
    header.extend(params.iter().cloned());
    if let Some(first) = results.first() {
        for (m, id) in minerals.iter().enumerate() {
            for (name, _, se) in &first[m] {
                header.push(format!("{id}.{name}"));
                if se.is_some() {
                    header.push(format!("{id}.{name}_se"));
                }
            }
        }
    }
    let mut rows = Vec::with_capacity(results.len());
    for ((matrix, row, values), res) in design.runs.iter().zip(results) {
        let mut rec = vec![matrix.to_string(), row.to_string()];
        rec.extend(values.iter().map(|&v| cell(v)));
        for mineral in res {
            for &(_, v, se) in mineral {
                rec.push(cell(v));
                if let Some(se) = se {
                    rec.push(cell(se));
                }
            }
        }
        rows.push(rec);
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    crate::tables::csv_bytes("uncertainty_runs.csv", &header, rows)
}

/// Columns of `uncertainty.csv`.
pub const SUMMARY_COLUMNS: [&str; 14] = [
    "mineral",
    "metric",
    "param",
    "first",
    "first_lo",
    "first_hi",
    "total",
    "total_lo",
    "total_hi",
    "mean",
    "p5",
    "p50",
    "p95",
    "noise_share",
];

/// `uncertainty.csv`: `uncertainty.json` as one table, one row per
/// mineral, metric and parameter (in the JSON's order: largest total
/// index first), the metric's spread repeated on each of its rows. Empty
/// cells stand for indices that do not exist (a metric that does not
/// vary) and for a noise share that does not (`cvar95`, or no variance).
///
/// # Errors
///
/// [`crate::Error::Other`] if the CSV cannot be formatted.
pub fn summary_csv(result: &UncertaintyResult) -> Result<Vec<u8>> {
    let opt = |x: Option<f64>| x.map(cell).unwrap_or_default();
    let mut rows = Vec::new();
    for (id, metrics) in &result.minerals.0 {
        for (name, r) in &metrics.0 {
            let s = r.spread;
            let spread = [s.mean, s.p5, s.p50, s.p95].map(cell);
            let noise = opt(r.noise_share.flatten());
            for row in &r.sobol {
                let i = &row.indices;
                let mut rec = vec![id.clone(), name.clone(), row.param.clone()];
                rec.extend(
                    [
                        i.first, i.first_lo, i.first_hi, i.total, i.total_lo, i.total_hi,
                    ]
                    .map(opt),
                );
                rec.extend(spread.iter().cloned());
                rec.push(noise.clone());
                rows.push(rec);
            }
        }
    }
    crate::tables::csv_bytes("uncertainty.csv", &SUMMARY_COLUMNS, rows)
}

/// How far outside 0 to 1 an index may lie before it is called out:
/// estimation error alone moves indices that little at any design size.
const OUTSIDE: f64 = 0.05;

/// Per mineral and metric, how many indices lie outside 0 to 1 (beyond
/// 0.05) and the furthest of them, in words: a sign that the base sets are too few for the
/// indices, and for their bootstrap intervals, which treat the base sets
/// as independent draws. `named` gives a metric's name from its key (the
/// key itself on the console, words before it on a page).
pub fn indices_outside(result: &UncertaintyResult, named: impl Fn(&str) -> String) -> Vec<String> {
    let mut out = Vec::new();
    for (id, metrics) in &result.minerals.0 {
        for (name, r) in &metrics.0 {
            let mut outside: Vec<_> = r
                .sobol
                .iter()
                .flat_map(|s| {
                    let i = s.indices;
                    [("total", i.total), ("first-order", i.first)]
                        .into_iter()
                        .filter_map(move |(kind, v)| v.map(|v| (s.param.as_str(), kind, v)))
                })
                .map(|(param, kind, v)| (param, kind, v, (v - 1.0).max(-v)))
                .filter(|x| x.3 > OUTSIDE)
                .collect();
            // The furthest first; of two as far, the first listed (a
            // parameter's total index before its first-order one).
            outside.sort_by(|a, b| b.3.total_cmp(&a.3));
            let metric = named(name);
            match outside.as_slice() {
                [] => {}
                [(param, kind, v, _)] => out.push(format!(
                    "{id} {metric}: the {kind} index of {param} is {v:.2}, outside 0 to 1"
                )),
                [(param, kind, v, _), ..] => out.push(format!(
                    "{id} {metric}: {} indices are outside 0 to 1, the furthest the {kind} index of {param} ({v:.2})",
                    outside.len()
                )),
            }
        }
    }
    out
}

/// What to do about [`indices_outside`], for `samples` base sets.
pub fn outside_advice(samples: usize) -> String {
    format!(
        "estimation error puts indices outside 0 to 1 with {samples} base sets: read the indices as rough, and their intervals as too narrow (a bootstrap over the base sets treats them as independent draws, which the rows of a quasi-random design are not); use more --samples ({} or more)",
        (samples * 4).max(256)
    )
}

/// Terms of an uncertainty study's page.
pub const GLOSSARY: [(&str, &str); 4] = [
    ("spread (mean, p5 – p95)", "How a result varies across the parameter sets of the two base matrices: its mean, and the 5th and 95th percentiles over those sets. Each set's value is itself a Monte Carlo estimate (see noise share)."),
    ("first-order Sobol index", "The share of a result's variance across parameter sets that one uncertain parameter explains on its own (0 to 1). The first-order indices of all parameters add up to 1 when the parameters do not interact."),
    ("total Sobol index", "The share of a result's variance that involves a parameter at all, alone or through its interactions with others (0 to 1): a parameter whose total index is near 0 could be fixed anywhere in its range without changing the result. Estimates can stray outside 0 to 1 when the base sets are few; the interval in brackets is a 95% bootstrap interval over the base sets."),
    ("noise share", "The part of the spread across parameter sets that is Monte Carlo noise of each set's own run (the mean squared standard error over the variance). When it is large, the indices describe noise: use more --trials."),
];

fn g(x: f64) -> String {
    crate::output::fmt_sig(x)
}

/// One sentence per mineral for the page: how far its expected unserved
/// demand (and, on a world market, the consumer's expected cost) ranges
/// across the parameter sets, and the parameter that drives it most.
/// `unit(mineral, metric)` gives a metric's unit, as in [`table_rows`].
pub fn findings(
    result: &UncertaintyResult,
    unit: impl Fn(&str, &str) -> Option<String>,
) -> Vec<String> {
    let part = |id: &str, name: &str, r: &MetricResult| {
        let what = super::charts::metric_name(name);
        let unit = unit(id, name).map_or(String::new(), |u| format!(" {u}"));
        let s = &r.spread;
        let lead = leaders(r.sobol.iter().map(|x| (x.param.as_str(), &x.indices)));
        let driver = match lead_words(&lead, str::to_string, "total index") {
            w if s.p5 < s.p95 && !w.is_empty() => format!(", most of all through {w}"),
            _ => String::new(),
        };
        let whose = if what.starts_with("consumer's") {
            "the"
        } else {
            "its"
        };
        format!(
            "{whose} {what} runs from {}{unit} to {}{unit} (5th to 95th percentile; median {}{unit}){driver}",
            value_label(s.p5),
            value_label(s.p95),
            value_label(s.p50)
        )
    };
    result
        .minerals
        .0
        .iter()
        .filter_map(|(id, metrics)| {
            let parts: Vec<String> = ["eud_total", "cost_total"]
                .iter()
                .filter_map(|name| metrics.get(name).map(|r| part(id, name, r)))
                .collect();
            (!parts.is_empty())
                .then(|| format!("{id}: across the parameter sets, {}.", parts.join("; ")))
        })
        .collect()
}

/// The printed table: per mineral and metric, the spread and the
/// parameter with the largest total index. `unit` gives a metric's unit
/// (none for probabilities), written after its name. On a `page` a metric
/// is named in words before its key, and probabilities are in percent.
pub fn table_rows(
    result: &UncertaintyResult,
    unit: impl Fn(&str, &str) -> Option<String>,
    page: bool,
) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (id, metrics) in &result.minerals.0 {
        for (name, r) in &metrics.0 {
            let named = if page {
                crate::report::column(name)
            } else {
                name.clone()
            };
            let unit = unit(id, name);
            let percent = page && unit.is_none();
            let g = |x: f64| {
                if percent {
                    format!("{}%", g(100.0 * x))
                } else {
                    g(x)
                }
            };
            let metric = match unit {
                Some(u) => format!("{named} ({u})"),
                None => named,
            };
            let top = r.sobol.first().map_or("-".to_string(), |s| {
                match (s.indices.total, s.indices.total_lo, s.indices.total_hi) {
                    (Some(t), Some(lo), Some(hi)) => {
                        let mark = if shared_lead(&r.sobol) { " *" } else { "" };
                        format!("{} {:.2} [{:.2}, {:.2}]{mark}", s.param, t, lo, hi)
                    }
                    (Some(t), _, _) => format!("{} {:.2}", s.param, t),
                    _ => "- (no variance)".to_string(),
                }
            });
            let noise = match r.noise_share {
                Some(Some(x)) => format!("{x:.2}"),
                Some(None) | None => "-".to_string(),
            };
            rows.push(vec![
                id.clone(),
                metric,
                g(r.spread.mean),
                format!("{} – {}", g(r.spread.p5), g(r.spread.p95)),
                top,
                noise,
            ]);
        }
    }
    rows
}

/// Columns of the printed table.
pub const HEADER: [&str; 6] = [
    "mineral",
    "metric",
    "mean",
    "p5 – p95",
    "largest total index [95%]",
    "noise",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uncertainty::Spread;

    fn row(param: &str, first: f64, total: f64) -> SobolRow {
        SobolRow {
            param: param.into(),
            indices: Indices {
                first: Some(first),
                first_lo: None,
                first_hi: None,
                total: Some(total),
                total_lo: None,
                total_hi: None,
            },
        }
    }

    #[test]
    fn the_index_furthest_outside_0_to_1_is_named_once_per_metric() {
        let metric = |sobol: Vec<SobolRow>| MetricResult {
            spread: Spread {
                mean: 0.0,
                p5: 0.0,
                p50: 0.0,
                p95: 0.0,
            },
            noise_share: None,
            sobol,
            values: Vec::new(),
        };
        let minerals = OrderedMap(vec![(
            "copper".to_string(),
            OrderedMap(vec![
                // Within the slack: nothing said.
                ("a".to_string(), metric(vec![row("x", -0.04, 1.04)])),
                // Two outside: the furthest (a first-order index below 0).
                (
                    "b".to_string(),
                    metric(vec![row("x", 0.5, 1.2), row("y", -0.3, 0.1)]),
                ),
                // One outside: named alone.
                ("c".to_string(), metric(vec![row("x", 0.5, 1.2)])),
                // Both indices of one parameter as far outside: the total.
                ("d".to_string(), metric(vec![row("z", 1.38, 1.38)])),
            ]),
        )]);
        let result = UncertaintyResult {
            seed: 1,
            trials: 10,
            samples: 16,
            parameters: Vec::new(),
            minerals,
        };
        let notes = indices_outside(&result, str::to_string);
        assert_eq!(
            notes,
            vec![
                "copper b: 2 indices are outside 0 to 1, the furthest the first-order index of y (-0.30)",
                "copper c: the total index of x is 1.20, outside 0 to 1",
                "copper d: 2 indices are outside 0 to 1, the furthest the total index of z (1.38)",
            ]
        );
        let named = indices_outside(&result, |m| format!("metric {m}"));
        assert!(
            named[0].starts_with("copper metric b: 2 indices"),
            "{named:?}"
        );
        assert!(outside_advice(16).contains("256 or more"));
        assert!(outside_advice(256).contains("1024 or more"));
    }

    #[test]
    fn a_finding_per_mineral_gives_the_spread_and_the_driver() {
        let spread = Spread {
            mean: 5.0,
            p5: 1.5,
            p50: 4.0,
            p95: 12.0,
        };
        let with = |sobol: Vec<SobolRow>| MetricResult {
            spread,
            noise_share: None,
            sobol,
            values: Vec::new(),
        };
        let result = UncertaintyResult {
            seed: 1,
            trials: 10,
            samples: 16,
            parameters: Vec::new(),
            minerals: OrderedMap(vec![(
                "copper".to_string(),
                OrderedMap(vec![
                    ("p_any_shortfall".to_string(), with(Vec::new())),
                    ("eud_total".to_string(), with(vec![row("growth", 0.5, 0.8)])),
                ]),
            )]),
        };
        let unit = |_: &str, metric: &str| (metric == "eud_total").then(|| "kt".to_string());
        assert_eq!(
            findings(&result, unit),
            vec!["copper: across the parameter sets, its expected unserved demand over the horizon runs from 1.50 kt to 12.0 kt (5th to 95th percentile; median 4.00 kt), most of all through growth (total index 0.80).".to_string()]
        );
        // The console names metrics by key and gives chances as shares; a
        // page names them in words and gives chances in percent.
        let mut result = result;
        result.minerals.0[0].1 .0[0].1.spread = Spread {
            mean: 0.137,
            p5: 0.02531,
            p50: 0.1,
            p95: 0.3872,
        };
        let chance = |page: bool| table_rows(&result, unit, page)[0][1..4].to_vec();
        assert_eq!(
            chance(false),
            ["p_any_shortfall", "0.1370", "0.02531 – 0.3872"]
        );
        assert_eq!(
            chance(true),
            [
                "P(any shortfall year) p_any_shortfall",
                "13.70%",
                "2.531% – 38.72%"
            ]
        );
        assert_eq!(
            table_rows(&result, unit, true)[1][1],
            "expected unserved eud_total (kt)"
        );
    }
}
