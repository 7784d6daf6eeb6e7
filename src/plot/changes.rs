//! `change_<mineral>.png`: what the alternative of a comparison changes
//! year by year, as bars with paired 95% intervals: the expected unserved
//! amount and, on a world market, the yearly average price and the
//! consumer's expected cost.

use super::bars::{BarChart, BarGroup};
use crate::compare::MineralComparison;
use crate::year_changes::{changes_anything, t95, unserved_words};

/// What a panel shows: per year, the change and its standard error.
struct Series {
    title: String,
    y_label: String,
    values: Vec<f64>,
    se: Vec<Option<f64>>,
}

/// The panels of `change_<mineral>.png` for mineral `id` of a comparison
/// of `trials` trials; `currency` is the mineral's on a world market in
/// both runs. Empty when the alternative changes nothing in any year.
pub fn change_bars(
    title: &str,
    id: &str,
    mc: &MineralComparison,
    currency: Option<&str>,
    trials: u64,
) -> Vec<BarChart> {
    let years = &mc.by_year;
    if !changes_anything(years) {
        return Vec::new();
    }
    let unserved = unserved_words(currency.is_some());
    let mut panels = vec![Series {
        title: format!("{title}: change in {id} expected {unserved}, by year"),
        y_label: format!("{id}, {} (alternative − baseline)", mc.unit),
        values: years.iter().map(|y| y.eud).collect(),
        se: years.iter().map(|y| y.eud_se).collect(),
    }];
    if let Some(money) = currency {
        panels.push(Series {
            title: format!("{title}: change in the {id} price, yearly average"),
            y_label: "percentage points of the reference price".to_string(),
            values: years
                .iter()
                .map(|y| 100.0 * y.price_mean.unwrap_or(0.0))
                .collect(),
            se: years
                .iter()
                .map(|y| y.price_mean_se.map(|s| 100.0 * s))
                .collect(),
        });
        panels.push(Series {
            title: format!("{title}: change in the consumer's expected {id} cost, by year"),
            y_label: format!("{money} (alternative − baseline)"),
            values: years.iter().map(|y| y.cost.unwrap_or(0.0)).collect(),
            se: years.iter().map(|y| y.cost_se).collect(),
        });
    }
    let chunks = crate::engine::chunk_count(trials) as usize;
    let z = t95(chunks);
    let categories: Vec<String> = years.iter().map(|y| y.year.to_string()).collect();
    panels
        .into_iter()
        .map(|p| {
            let err: Vec<f64> = p.se.iter().map(|s| s.map_or(0.0, |s| z * s)).collect();
            let lo = p.values.iter().zip(&err).map(|(v, e)| v - e);
            let hi = p.values.iter().zip(&err).map(|(v, e)| v + e);
            let lo = lo.fold(0.0, f64::min);
            let hi = hi.fold(0.0, f64::max);
            let span = if hi > lo { hi - lo } else { 1.0 };
            let interval = if p.se.iter().any(Option::is_some) {
                "change, with its 95% interval (paired, from chunk means)"
            } else {
                "change (too few trials for an interval)"
            };
            BarChart {
                title: p.title,
                y_label: p.y_label,
                x_label: "Year".to_string(),
                categories: categories.clone(),
                groups: vec![BarGroup {
                    label: interval.to_string(),
                    values: p.values,
                    err: Some(err),
                }],
                reference_lines: vec![(0.0, "no change".to_string())],
                // Room for the legend above the bars or below them.
                y_range: (lo - 0.12 * span, hi + 0.45 * span),
                label_max: None,
                percent: false,
            }
        })
        .collect()
}
