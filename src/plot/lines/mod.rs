//! Line charts: the probability of a shortfall year by year
//! (`shortfall_probability.png`) and a sweep's metrics against the swept
//! parameter (`sweep_<mineral>.png`).

mod draw;

pub(super) use draw::draw_lines;

use super::Z95;
use crate::summary::Summary;

/// One line of a line chart, with optional symmetric error bars.
#[derive(Debug, Clone, PartialEq)]
pub struct LineSeries {
    /// Legend name.
    pub label: String,
    /// Values, one per x.
    pub y: Vec<f64>,
    /// Half-widths of the error bars (same length as `y`), if any.
    pub err: Option<Vec<f64>>,
}

/// Lines by year (or by any numeric x).
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Chart title.
    pub title: String,
    /// X-axis label.
    pub x_label: String,
    /// Y-axis label, with units.
    pub y_label: String,
    /// X values shared by all series.
    pub x: Vec<f64>,
    /// Whether x values are integers such as calendar years or thread
    /// counts (labels without decimals).
    pub x_integer: bool,
    /// Whether the x axis is logarithmic (ticks at powers of ten): swept
    /// values that span two decades or more.
    pub x_log: bool,
    /// Whether y values are probabilities (labels in percent).
    pub y_is_probability: bool,
    /// Draw `err` as a shaded band rather than as error bars.
    pub err_as_band: bool,
    /// The lines.
    pub series: Vec<LineSeries>,
    /// Y-axis range.
    pub y_range: (f64, f64),
    /// A note drawn in the plot area (for example "no shortfall in any trial").
    pub note: Option<String>,
    /// An x value marked with a dashed vertical line and its label (a
    /// sweep's value as written in the scenario file).
    pub mark_x: Option<(f64, String)>,
}

/// A sweep's parameter `KIND.ID.KEY` in words, with its unit where it has
/// one: `event.cn-export-controls.rate` is "onset rate of event
/// cn-export-controls, per year".
pub fn parameter_words(param: &str, unit: &str) -> String {
    const KEYS: [(&str, &str, &str); 27] = [
        ("disruption.rate", "disruption onset rate", "per year"),
        ("rate", "onset rate", "per year"),
        ("capacity", "capacity", "U per year"),
        ("access", "share the consumer obtains", ""),
        ("demand.base", "demand in the first year", "U"),
        ("demand.growth", "annual demand growth", ""),
        ("demand.sigma", "demand noise (sigma)", ""),
        (
            "shortfall_threshold",
            "shortfall threshold",
            "share of demand",
        ),
        ("initial", "initial stock", "U"),
        ("max_release_per_year", "largest release", "U per year"),
        ("refill_per_year", "largest refill", "U per year"),
        (
            "project.success_probability",
            "project success probability",
            "",
        ),
        ("project.online_year", "project online year", ""),
        ("project.ramp_years", "project ramp-up", "years"),
        ("disruption.severity", "disruption severity", ""),
        ("severity", "severity", ""),
        ("offtake", "offtake share", ""),
        ("exposure", "exposure", ""),
        ("reference_price", "reference price", ""),
        ("demand_elasticity", "demand elasticity", ""),
        ("max_price", "price cap", "x reference"),
        ("min_price", "price floor", "x reference"),
        ("spike_threshold", "spike threshold", "x reference"),
        ("release_price", "release price", "x reference"),
        ("refill_price", "refill price", "x reference"),
        (
            "rest_of_world_demand.base",
            "rest of the world's demand",
            "U",
        ),
        (
            "rest_of_world_demand.growth",
            "rest of the world's demand growth",
            "",
        ),
    ];
    let Some((kind, rest)) = param.split_once('.') else {
        return param.to_string();
    };
    for (key, words, u) in KEYS {
        if let Some(id) = rest.strip_suffix(key).and_then(|r| r.strip_suffix('.')) {
            let u = u.replace('U', unit);
            let unit_part = if u.is_empty() {
                String::new()
            } else {
                format!(", {u}")
            };
            // A market's key, addressed through its mineral or directly.
            let market = id.strip_suffix(".market").filter(|_| kind == "mineral");
            return match (kind, market) {
                ("market", _) => format!("{words} of the {id} market{unit_part}"),
                (_, Some(m)) => format!("{words} of the {m} market{unit_part}"),
                _ => format!("{words} of {kind} {id}{unit_part}"),
            };
        }
    }
    param.to_string()
}

/// `shortfall_probability.png`: `p_shortfall` by year, one line per
/// mineral, with 95% error bars (± 1.96 standard errors).
pub fn shortfall_lines(summary: &Summary, context: &[super::MineralContext]) -> LineChart {
    // What a shortfall year is: in each label where the minerals' words
    // differ (thresholds, or world-market and physical minerals side by
    // side), else once on the axis.
    let words = |i: usize| context.get(i).and_then(super::threshold_words);
    let differ = super::thresholds_differ(context)
        || (1..summary.minerals.0.len()).any(|i| words(i) != words(0));
    let series: Vec<LineSeries> = summary
        .minerals
        .0
        .iter()
        .enumerate()
        .map(|(i, (id, m))| LineSeries {
            label: match words(i).filter(|_| differ) {
                Some(w) => format!("{id} ({w})"),
                None => id.clone(),
            },
            y: m.years.iter().map(|y| y.p_shortfall).collect(),
            err: Some(m.years.iter().map(|y| Z95 * y.p_shortfall_se).collect()),
        })
        .collect();
    let top = series
        .iter()
        .flat_map(|s| s.y.iter().zip(s.err.iter().flatten()).map(|(y, e)| y + e))
        .fold(0.0, f64::max);
    let all_zero = series.iter().all(|s| s.y.iter().all(|v| *v == 0.0));
    LineChart {
        title: format!("{}: probability of a shortfall year", summary.scenario),
        x_label: "Year".to_string(),
        y_label: match words(0).filter(|_| !differ) {
            Some(w) => format!("Probability of a shortfall year: {w}"),
            None => "Probability of a shortfall year".to_string(),
        },
        x: summary.calendar_years().iter().map(|&y| y as f64).collect(),
        x_integer: true,
        x_log: false,
        y_is_probability: true,
        err_as_band: false,
        series,
        y_range: (0.0, (top * 1.12).clamp(0.05, 1.0)),
        note: all_zero.then(|| "No shortfall year in any trial".to_string()),
        mark_x: None,
    }
}

/// A sweep metric: `(json key, axis label, is a probability)`.
pub const SWEEP_METRICS: [(&str, &str, bool); 7] = [
    (
        "eud_total",
        "Expected unserved demand over the horizon",
        false,
    ),
    (
        "p_any_shortfall",
        "Probability of at least one shortfall year",
        true,
    ),
    (
        "expected_shortfall_years",
        "Expected number of shortfall years",
        false,
    ),
    (
        "unserved_p95",
        "95th percentile of total unserved amount",
        false,
    ),
    (
        "cvar95",
        "Mean total unserved amount in the worst 5% of trials",
        false,
    ),
    (
        "cost_total",
        "Consumer's expected cost over the horizon (world market)",
        false,
    ),
    (
        "p_price_spike",
        "Probability of a price spike year (world market)",
        true,
    ),
];

/// One panel of `sweep_<mineral>.png`: `metric` (in `unit`) against the
/// parameter's value (an amount of it in `mineral_unit`), with a 95% band
/// where the metric has a standard error.
pub fn sweep_lines(
    sweep: &crate::sweep::Sweep,
    mineral: &str,
    mineral_unit: &str,
    unit: &str,
    metric: &str,
) -> LineChart {
    let get = |m: &crate::sweep::SweepMetrics| -> Option<(f64, Option<f64>)> {
        Some(match metric {
            "p_any_shortfall" => (m.p_any_shortfall, Some(m.p_any_shortfall_se)),
            "expected_shortfall_years" => (
                m.expected_shortfall_years,
                Some(m.expected_shortfall_years_se),
            ),
            "unserved_p95" => (m.unserved_p95, None),
            "cvar95" => (m.cvar95, None),
            "cost_total" => (m.cost_total?, m.cost_total_se),
            "p_price_spike" => (m.p_price_spike?, m.p_price_spike_se),
            _ => (m.eud_total, Some(m.eud_total_se)),
        })
    };
    let points: Vec<(f64, f64, Option<f64>)> = sweep
        .by_value()
        .into_iter()
        .filter_map(|r| {
            let (v, se) = get(r.minerals.get(mineral)?)?;
            Some((r.value, v, se))
        })
        .collect();
    let (label, is_prob) = SWEEP_METRICS
        .iter()
        .find(|(k, _, _)| *k == metric)
        .map_or(("", false), |(_, l, p)| (*l, *p));
    let y: Vec<f64> = points.iter().map(|p| p.1).collect();
    let err: Option<Vec<f64>> = points.iter().map(|p| p.2.map(|se| Z95 * se)).collect();
    let words = parameter_words(&sweep.parameter, mineral_unit);
    let series_label = if err.is_some() {
        format!("{mineral} (95% band)")
    } else {
        mineral.to_string()
    };
    let x_log = spans_decades(points.iter().map(|p| p.0));
    let top = y
        .iter()
        .zip(err.iter().flatten().chain(std::iter::repeat(&0.0)))
        .map(|(v, e)| v + e)
        .fold(0.0, f64::max);
    // A cost may be negative (prices below the reference): the axis then
    // reaches below 0.
    let bottom = y
        .iter()
        .zip(err.iter().flatten().chain(std::iter::repeat(&0.0)))
        .map(|(v, e)| v - e)
        .fold(0.0, f64::min);
    LineChart {
        // The parameter is on the x axis: the title names what is drawn.
        title: format!("{mineral}: {}", label.to_lowercase()),
        x_label: {
            let mut w = words.clone();
            if let Some(first) = w.get(..1) {
                w.replace_range(..1, &first.to_uppercase());
            }
            if x_log {
                w.push_str(" (log scale)");
            }
            w
        },
        y_label: if is_prob {
            label.to_string()
        } else {
            format!("{label}, {unit}")
        },
        x: points.iter().map(|p| p.0).collect(),
        x_integer: false,
        x_log,
        y_is_probability: is_prob,
        err_as_band: true,
        series: vec![LineSeries {
            label: series_label,
            y,
            err,
        }],
        y_range: match (is_prob, top > 0.0) {
            (true, _) => (0.0, (top * 1.15).clamp(0.05, 1.0)),
            (false, true) => (bottom * 1.15, top * 1.15),
            (false, false) if bottom < 0.0 => (bottom * 1.15, 0.0),
            (false, false) => (0.0, 1.0),
        },
        note: None,
        mark_x: sweep
            .file_value
            .map(|v| (v, "as in the scenario file".to_string())),
    }
}

/// Draw a line chart with optional error bars as PNG bytes.
/// Whether values (at least three of them) are all positive and span two
/// decades or more: on a linear axis, most of them would crowd near 0.
fn spans_decades(values: impl Iterator<Item = f64> + Clone) -> bool {
    let lo = values.clone().fold(f64::INFINITY, f64::min);
    let hi = values.clone().fold(0.0, f64::max);
    values.count() >= 3 && lo > 0.0 && hi >= 100.0 * lo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cost_panel_gives_the_parameter_in_the_mineral_s_unit_and_the_cost_in_currency() {
        let sweep = crate::sweep::Sweep {
            parameter: "market.copper.rest_of_world_demand.base".into(),
            file_value: None,
            file_writes: false,
            seed: 0,
            trials: 1,
            points: Vec::new(),
            as_written: crate::sweep::AsWritten {
                value: None,
                minerals: crate::summary::OrderedMap(Vec::new()),
            },
        };
        let chart = sweep_lines(&sweep, "copper", "kt", "USD million", "cost_total");
        assert!(chart.x_label.ends_with(", kt"), "{}", chart.x_label);
        assert!(
            chart.y_label.ends_with(", USD million"),
            "{}",
            chart.y_label
        );
    }

    #[test]
    fn swept_values_over_decades_go_on_a_log_axis() {
        let decades = [0.001, 0.01, 0.15, 10.0];
        assert!(spans_decades(decades.iter().copied()));
        // Less than two decades, a zero, or only two values: linear.
        assert!(!spans_decades([0.5, 1.0, 49.0].iter().copied()));
        assert!(!spans_decades([0.0, 0.01, 10.0].iter().copied()));
        assert!(!spans_decades([0.01, 10.0].iter().copied()));
        let chart = LineChart {
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            x: decades.to_vec(),
            x_integer: false,
            x_log: true,
            y_is_probability: false,
            err_as_band: true,
            series: Vec::new(),
            y_range: (0.0, 1.0),
            note: None,
            mark_x: Some((0.1, "as in the scenario file".into())),
        };
        let logs = chart.in_log10();
        for (l, x) in logs.x.iter().zip(decades) {
            assert!((l - x.log10()).abs() < 1e-15);
        }
        assert!((logs.mark_x.unwrap().0 + 1.0).abs() < 1e-15);
        // A file value of 0 has no place on a log axis.
        let zero = LineChart {
            mark_x: Some((0.0, "as in the scenario file".into())),
            ..chart
        };
        assert!(zero.in_log10().mark_x.is_none());
    }

    #[test]
    fn sweep_parameters_read_as_words_with_their_units() {
        assert_eq!(
            parameter_words("event.cn-export-controls.rate", "kt"),
            "onset rate of event cn-export-controls, per year"
        );
        assert_eq!(
            parameter_words("source.chile-copper.disruption.rate", "kt"),
            "disruption onset rate of source chile-copper, per year"
        );
        assert_eq!(
            parameter_words("stockpile.cobalt.initial", "kt"),
            "initial stock of stockpile cobalt, kt"
        );
        assert_eq!(
            parameter_words("source.reko-diq.project.success_probability", "kt"),
            "project success probability of source reko-diq"
        );
        assert_eq!(
            parameter_words("mineral.copper.market.demand_elasticity", "kt"),
            "demand elasticity of the copper market"
        );
        assert_eq!(
            parameter_words("market.nickel.rest_of_world_demand.base", "kt"),
            "rest of the world's demand of the nickel market, kt"
        );
        assert_eq!(parameter_words("odd", "kt"), "odd");
    }
}
