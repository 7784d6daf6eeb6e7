//! Charts of `uncertainty`: each metric's spread across parameter sets
//! (`uncertainty_<mineral>.png`) and the Sobol indices of each parameter
//! (`sobol_<mineral>.png`), one panel per metric.

use super::output::{MetricResult, SobolRow, UncertaintyResult};
use crate::error::Result;
use crate::plot::histogram::{bins, HistogramChart, Mark};
use crate::plot::intervals::{range_of, IntervalChart, IntervalSeries};
use crate::plot::labels::{share_label, value_label};
use crate::plot::{file_safe, render_all, Chart, ChartFile, ChartSize};
use crate::scenario::Scenario;

/// What a metric is, in words.
pub fn metric_name(metric: &str) -> &str {
    match metric {
        "p_any_shortfall" => "probability of at least one shortfall year",
        "eud_total" => "expected unserved demand over the horizon",
        "cvar95" => "mean of the worst 5% of horizon unserved amounts",
        "cost_total" => "consumer's expected cost over the horizon",
        "p_price_spike" => "probability of at least one price-spike year",
        other => other,
    }
}

/// A metric's unit, of a mineral measured in `unit` on a market priced in
/// `currency` (`None` for probabilities).
pub fn metric_unit<'a>(metric: &str, unit: &'a str, currency: &'a str) -> Option<&'a str> {
    match metric {
        "eud_total" | "cvar95" => Some(unit),
        "cost_total" => Some(currency),
        _ => None,
    }
}

/// What a metric is, with its unit.
pub fn metric_words(metric: &str, unit: &str, currency: &str) -> String {
    match metric_unit(metric, unit, currency) {
        Some(u) => format!("{} ({u})", metric_name(metric)),
        None => metric_name(metric).to_string(),
    }
}

/// A metric's values across the parameter sets of A and B, with its
/// median, 5-95% range and mean marked.
fn spread_histogram(
    id: &str,
    name: &str,
    words: &str,
    unit: Option<&str>,
    r: &MetricResult,
) -> HistogramChart {
    let s = &r.spread;
    let (start, width, counts) = bins(&r.values);
    let percent = unit.is_none();
    let mark = |x: f64, what: &str, dashed: bool, colour: usize| Mark {
        x,
        label: match unit {
            None => format!("{what} {}", share_label(x)),
            Some(u) => format!("{what} {} {u}", value_label(x)),
        },
        dashed,
        colour,
    };
    let what = metric_name(name);
    HistogramChart {
        title: format!(
            "{id}: {what}, in the {} runs of A and B ({} base sets)",
            r.values.len(),
            r.values.len() / 2
        ),
        x_label: words.to_string(),
        y_label: "parameter sets".to_string(),
        start,
        width,
        counts,
        marks: vec![
            mark(s.p5, "5th percentile", true, 7),
            mark(s.p50, "median", false, 7),
            mark(s.mean, "mean", false, 1),
            mark(s.p95, "95th percentile", true, 7),
        ],
        note: None,
        percent,
    }
}

/// How far outside 0 to 1 a panel's axis reaches: estimates beyond are
/// drawn at its edge.
const SOBOL_AXIS: (f64, f64) = (-0.25, 1.25);

/// A metric's Sobol indices, one row per parameter that matters (a total
/// index, or the top of its interval, of at least 0.01; at most
/// [`SHOWN`], largest total first). Estimates outside 0 to 1 (estimation
/// error at few base sets) make the title say the indices are rough, and
/// those beyond -0.25 and 1.25 are drawn at the axis's edge, as its label
/// says.
fn sobol_panel(id: &str, name: &str, r: &MetricResult, samples: usize) -> IntervalChart {
    let matters = |x: &&SobolRow| {
        x.indices
            .total_hi
            .or(x.indices.total)
            .is_none_or(|t| t >= 0.01)
    };
    let rows: Vec<&SobolRow> = r.sobol.iter().filter(matters).take(SHOWN).collect();
    let left_out = r.sobol.len() - rows.len();
    let (mut outside, mut cut) = (false, false);
    let mut point = |v: Option<f64>, lo: Option<f64>, hi: Option<f64>| {
        v.map(|v| {
            let (lo, hi) = (lo.unwrap_or(v), hi.unwrap_or(v));
            outside |= [v, lo, hi].iter().any(|x| !(-0.05..=1.05).contains(x));
            let c = |x: f64| x.clamp(SOBOL_AXIS.0, SOBOL_AXIS.1);
            cut |= [v, lo, hi].iter().any(|&x| c(x) != x);
            (c(v), c(lo), c(hi))
        })
    };
    let total: Vec<_> = rows
        .iter()
        .map(|x| point(x.indices.total, x.indices.total_lo, x.indices.total_hi))
        .collect();
    let first: Vec<_> = rows
        .iter()
        .map(|x| point(x.indices.first, x.indices.first_lo, x.indices.first_hi))
        .collect();
    let series = vec![
        IntervalSeries {
            label: "total index, 95% interval".to_string(),
            points: total,
        },
        IntervalSeries {
            label: "first-order index, 95% interval".to_string(),
            points: first,
        },
    ];
    let shown = if cut {
        "Sobol index, cut at -0.25 and 1.25"
    } else {
        "Sobol index (share of variance)"
    };
    let x_label = match left_out {
        0 => shown.to_string(),
        1 => format!("{shown}; 1 smaller not shown"),
        n => format!("{shown}; {n} smaller not shown"),
    };
    let rough = if outside {
        format!(" (rough: {samples} base sets)")
    } else {
        String::new()
    };
    let (lo, hi) = range_of(&series, Some((0.0, 1.0)));
    let still = r.sobol.iter().all(|x| x.indices.total.is_none());
    let what = metric_name(name);
    IntervalChart {
        title: format!("{id}: share of the variance of the {what} due to each parameter{rough}"),
        x_label,
        labels: rows.iter().map(|x| x.param.clone()).collect(),
        x_range: (lo.max(SOBOL_AXIS.0 - 0.02), hi.min(SOBOL_AXIS.1 + 0.02)),
        series,
        note: still.then(|| format!("{name} does not vary across parameter sets")),
    }
}

/// Most parameters a Sobol panel shows.
const SHOWN: usize = 12;

/// Every chart of an uncertainty analysis.
///
/// # Errors
///
/// When a chart cannot be drawn.
pub fn charts(
    result: &UncertaintyResult,
    scenario: &Scenario,
    size: ChartSize,
    footer: &str,
) -> Result<Vec<ChartFile>> {
    let mut jobs = Vec::new();
    for ((id, metrics), m) in result.minerals.0.iter().zip(&scenario.minerals) {
        let currency = m.market.as_ref().map_or("", |k| k.currency.as_str());
        let mut spread = Vec::new();
        let mut sobol = Vec::new();
        for (name, r) in &metrics.0 {
            let words = metric_words(name, &m.unit, currency);
            let unit = metric_unit(name, &m.unit, currency);
            spread.push(Chart::Histogram(spread_histogram(
                id, name, &words, unit, r,
            )));
            sobol.push(Chart::Intervals(sobol_panel(id, name, r, result.samples)));
        }
        let safe = file_safe(id);
        jobs.push((
            format!("uncertainty_{safe}.png"),
            format!(
                "{id}: each metric across parameter sets (histogram, with its median, 5-95% range and mean)"
            ),
            spread,
        ));
        jobs.push((
            format!("sobol_{safe}.png"),
            format!("{id}: first-order and total Sobol indices of each uncertain parameter, with 95% bootstrap intervals"),
            sobol,
        ));
    }
    render_all(jobs, size, footer)
}
