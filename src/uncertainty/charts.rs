//! Charts of `uncertainty`: each metric's spread across parameter sets
//! (`uncertainty_<mineral>.png`) and the Sobol indices of each parameter
//! (`sobol_<mineral>.png`), one panel per metric.

use super::output::{MetricResult, SobolRow, UncertaintyResult};
use crate::error::Result;
use crate::plot::histogram::{bins, HistogramChart, Mark};
use crate::plot::intervals::{range_of, IntervalChart, IntervalSeries};
use crate::plot::labels::amount_label;
use crate::plot::{file_safe, render_all, Chart, ChartFile, ChartSize};
use crate::scenario::Scenario;

/// What a metric is, with its unit.
pub fn metric_words(metric: &str, unit: &str, currency: &str) -> String {
    match metric {
        "p_any_shortfall" => "probability of at least one shortfall year".to_string(),
        "eud_total" => format!("expected unserved demand over the horizon ({unit})"),
        "cvar95" => format!("mean of the worst 5% of horizon unserved amounts ({unit})"),
        "cost_total" => format!("consumer's expected cost over the horizon ({currency})"),
        "p_price_spike" => "probability of at least one price-spike year".to_string(),
        other => other.to_string(),
    }
}

/// A metric's values across the parameter sets of A and B, with its
/// median, 5-95% range and mean marked.
fn spread_histogram(id: &str, words: &str, r: &MetricResult) -> HistogramChart {
    let s = &r.spread;
    let (start, width, counts) = bins(&r.values);
    let mark = |x: f64, what: &str, dashed: bool, colour: usize| Mark {
        x,
        label: format!("{what} {}", amount_label(x)),
        dashed,
        colour,
    };
    let what = words.split(" (").next().unwrap_or(words);
    HistogramChart {
        title: format!("{id}: {what}, across {} parameter sets", r.values.len()),
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
            spread.push(Chart::Histogram(spread_histogram(id, &words, r)));
            // The parameters that matter: a total index (or the top of its
            // interval) of at least 0.01, at most SHOWN of them (the rows
            // are sorted by total index, largest first).
            let matters = |x: &&SobolRow| {
                x.indices
                    .total_hi
                    .or(x.indices.total)
                    .is_none_or(|t| t >= 0.01)
            };
            let rows: Vec<&SobolRow> = r.sobol.iter().filter(matters).take(SHOWN).collect();
            let left_out = r.sobol.len() - rows.len();
            let labels: Vec<String> = rows.iter().map(|x| x.param.clone()).collect();
            let point = |v: Option<f64>, lo: Option<f64>, hi: Option<f64>| {
                v.map(|v| (v, lo.unwrap_or(v), hi.unwrap_or(v)))
            };
            let series = vec![
                IntervalSeries {
                    label: "total index, 95% interval".to_string(),
                    points: rows
                        .iter()
                        .map(|x| point(x.indices.total, x.indices.total_lo, x.indices.total_hi))
                        .collect(),
                },
                IntervalSeries {
                    label: "first-order index, 95% interval".to_string(),
                    points: rows
                        .iter()
                        .map(|x| point(x.indices.first, x.indices.first_lo, x.indices.first_hi))
                        .collect(),
                },
            ];
            let still = r.sobol.iter().all(|x| x.indices.total.is_none());
            sobol.push(Chart::Intervals(IntervalChart {
                title: format!("{id}: share of the variance of {name} due to each parameter"),
                x_label: match left_out {
                    0 => "Sobol index (share of variance)".to_string(),
                    1 => "Sobol index; 1 parameter with smaller indices not shown".to_string(),
                    n => format!("Sobol index; {n} parameters with smaller indices not shown"),
                },
                labels,
                x_range: range_of(&series, Some((0.0, 1.0))),
                series,
                note: still.then(|| format!("{name} does not vary across parameter sets")),
            }));
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
