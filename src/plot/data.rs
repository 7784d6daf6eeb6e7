//! What each chart shows, as plain data: series, labels and axis ranges.
//! Built from results here and drawn by [`super::draw`]; tests check this
//! data rather than pixels.

use crate::summary::Summary;

/// A band (5th–95th percentile), a median line and a reference line per
/// year: supply against demand.
#[derive(Debug, Clone, PartialEq)]
pub struct FanSeries {
    /// Legend name of the run (scenario name, or "baseline"/"alternative").
    pub label: String,
    /// Lower edge of the band.
    pub p5: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// Upper edge of the band.
    pub p95: Vec<f64>,
    /// Mean demand.
    pub demand: Vec<f64>,
}

/// A fan chart: one or more supply fans by year.
#[derive(Debug, Clone, PartialEq)]
pub struct FanChart {
    /// Chart title.
    pub title: String,
    /// Y-axis label, with units.
    pub y_label: String,
    /// Calendar years (x).
    pub years: Vec<i64>,
    /// One fan per run.
    pub fans: Vec<FanSeries>,
    /// Y-axis range.
    pub y_range: (f64, f64),
}

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
}

/// One exceedance curve: `P(total unserved > x)` against `x`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceedanceCurve {
    /// Legend name.
    pub label: String,
    /// `(x, P(X > x))` points, x increasing, probability decreasing.
    pub points: Vec<(f64, f64)>,
    /// Marked quantiles: `(name, x, P(X > x))`, e.g. ("p95", 48.7, 0.05).
    pub markers: Vec<(String, f64, f64)>,
}

/// An exceedance chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceedanceChart {
    /// Chart title.
    pub title: String,
    /// X-axis label, with units.
    pub x_label: String,
    /// The curves.
    pub curves: Vec<ExceedanceCurve>,
    /// X-axis range.
    pub x_range: (f64, f64),
    /// Y-axis range (probability).
    pub y_range: (f64, f64),
    /// Whether the probability axis is logarithmic (values span decades).
    pub log_y: bool,
    /// A note drawn in the plot area.
    pub note: Option<String>,
    /// Unit of x, for marker labels.
    pub unit: String,
}

/// One group of bars (one colour), a value per category.
#[derive(Debug, Clone, PartialEq)]
pub struct BarGroup {
    /// Legend name.
    pub label: String,
    /// Bar heights, one per category.
    pub values: Vec<f64>,
    /// Error-bar half-widths, if any.
    pub err: Option<Vec<f64>>,
}

/// Grouped vertical bars by category, with optional reference lines.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Chart title.
    pub title: String,
    /// Y-axis label, with units.
    pub y_label: String,
    /// X-axis label.
    pub x_label: String,
    /// Category names (x).
    pub categories: Vec<String>,
    /// Bar groups.
    pub groups: Vec<BarGroup>,
    /// Horizontal reference lines: `(y, label)`.
    pub reference_lines: Vec<(f64, String)>,
    /// Y-axis range.
    pub y_range: (f64, f64),
    /// Top of the scale, if any: ticks, labels and grid lines stop there
    /// (the range may extend above it to leave room for the legend).
    pub label_max: Option<f64>,
    /// Whether values are probabilities (tick labels in percent).
    pub percent: bool,
}

/// Horizontal bars, one per entity, most important at the top.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoChart {
    /// Chart title.
    pub title: String,
    /// X-axis label, with units.
    pub x_label: String,
    /// Entity names, top to bottom.
    pub labels: Vec<String>,
    /// Bar lengths (signed).
    pub values: Vec<f64>,
    /// Error-bar half-widths.
    pub err: Vec<f64>,
    /// X-axis range.
    pub x_range: (f64, f64),
    /// A note drawn in the plot area.
    pub note: Option<String>,
}

/// Any chart, for a panel of a PNG.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Supply fans.
    Fan(FanChart),
    /// Lines by x.
    Lines(LineChart),
    /// Exceedance curves.
    Exceedance(ExceedanceChart),
    /// Grouped vertical bars.
    Bars(BarChart),
    /// Horizontal bars by entity.
    Tornado(TornadoChart),
}

/// A corner of the plot area, for the legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    /// Top right.
    UpperRight,
    /// Top left.
    UpperLeft,
    /// Bottom right.
    LowerRight,
    /// Bottom left.
    LowerLeft,
}

/// The corner whose legend box (`frac`: its width and height as fractions
/// of the plot) holds the fewest of `samples`; ties go to the first of
/// upper right, upper left, lower right, lower left.
pub fn least_crowded_corner(
    samples: &[(f64, f64)],
    x: (f64, f64),
    y: (f64, f64),
    frac: (f64, f64),
) -> Corner {
    let (w, h) = (frac.0 * (x.1 - x.0), frac.1 * (y.1 - y.0));
    let corners = [
        (Corner::UpperRight, (x.1 - w, x.1), (y.1 - h, y.1)),
        (Corner::UpperLeft, (x.0, x.0 + w), (y.1 - h, y.1)),
        (Corner::LowerRight, (x.1 - w, x.1), (y.0, y.0 + h)),
        (Corner::LowerLeft, (x.0, x.0 + w), (y.0, y.0 + h)),
    ];
    let count = |bx: (f64, f64), by: (f64, f64)| {
        samples
            .iter()
            .filter(|(px, py)| *px >= bx.0 && *px <= bx.1 && *py >= by.0 && *py <= by.1)
            .count()
    };
    corners
        .iter()
        .min_by_key(|(_, bx, by)| count(*bx, *by))
        .map_or(Corner::UpperRight, |c| c.0)
}

/// Points along a polyline, `per_segment` per segment, for
/// [`least_crowded_corner`].
pub fn densify(points: &[(f64, f64)], per_segment: usize) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * per_segment.max(1));
    for w in points.windows(2) {
        for k in 0..per_segment.max(1) {
            let t = k as f64 / per_segment.max(1) as f64;
            out.push((
                w[0].0 + t * (w[1].0 - w[0].0),
                w[0].1 + t * (w[1].1 - w[0].1),
            ));
        }
    }
    out.extend(points.last().copied());
    out
}

/// A y range from 0 to a little above `max` (at least `min_top`), so that
/// an all-zero series still gets a sensible axis.
pub fn zero_based_range(max: f64, min_top: f64) -> (f64, f64) {
    let top = if max.is_finite() && max > 0.0 {
        max * 1.08
    } else {
        0.0
    };
    (0.0, top.max(min_top))
}

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959963984540054;

fn max_of<'a>(values: impl IntoIterator<Item = &'a f64>) -> f64 {
    values
        .into_iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max)
}

/// `supply_<mineral>.png`: fans of annual accessible supply against mean
/// demand, for one or more runs of the same mineral.
pub fn supply_fan(title: &str, runs: &[(&str, &Summary)], mineral: &str) -> FanChart {
    let mut fans = Vec::new();
    let mut unit = String::new();
    let mut years = Vec::new();
    for (label, s) in runs {
        let Some(m) = s.minerals.get(mineral) else {
            continue;
        };
        unit = m.unit.clone();
        years = s.calendar_years();
        fans.push(FanSeries {
            label: label.to_string(),
            p5: m.years.iter().map(|y| y.supply_p5).collect(),
            p50: m.years.iter().map(|y| y.supply_p50).collect(),
            p95: m.years.iter().map(|y| y.supply_p95).collect(),
            demand: m.years.iter().map(|y| y.demand_mean).collect(),
        });
    }
    let top = max_of(fans.iter().flat_map(|f| f.p95.iter().chain(&f.demand)));
    let bottom = fans
        .iter()
        .flat_map(|f| f.p5.iter().chain(&f.demand))
        .copied()
        .fold(f64::INFINITY, f64::min);
    FanChart {
        title: format!("{title}: {mineral} supply vs demand"),
        y_label: format!("{mineral}, {unit} per year"),
        years,
        fans,
        y_range: zoomed_range(bottom, top),
    }
}

/// A y range around `[lo, hi]` with room above and, for the legend, below;
/// never below 0, and sensible when `lo == hi` or nothing is finite.
pub fn zoomed_range(lo: f64, hi: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() || hi < lo {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    let span = if span > 1e-9 * hi.abs().max(1.0) {
        span
    } else {
        (0.1 * hi.abs()).max(1.0)
    };
    let bottom = lo - 0.6 * span;
    if bottom >= 0.0 {
        (bottom, hi + 0.12 * span)
    } else {
        // Clamped at 0: no free band below the data, so leave one on top.
        (0.0, hi + 0.4 * span)
    }
}

/// `shortfall_probability.png`: `p_shortfall` by year, one line per
/// mineral, with 95% error bars (± 1.96 standard errors).
pub fn shortfall_lines(summary: &Summary) -> LineChart {
    let series: Vec<LineSeries> = summary
        .minerals
        .0
        .iter()
        .map(|(id, m)| LineSeries {
            label: id.clone(),
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
        y_label: "Probability of a shortfall year".to_string(),
        x: summary.calendar_years().iter().map(|&y| y as f64).collect(),
        x_integer: true,
        y_is_probability: true,
        err_as_band: false,
        series,
        y_range: (0.0, (top * 1.12).clamp(0.05, 1.0)),
        note: all_zero.then(|| "No shortfall year in any trial".to_string()),
    }
}

/// An exceedance curve `(x, P(X > x))` of a run, as the results give it
/// (see [`crate::summary::exceedance_curves`]).
pub fn exceedance_curve(label: &str, points: &[(f64, f64)]) -> ExceedanceCurve {
    ExceedanceCurve {
        label: label.to_string(),
        points: points.to_vec(),
        markers: Vec::new(),
    }
}

/// `exceedance_<mineral>.png` for one or more runs: `(label, curve, p90,
/// p95, p99)` per run.
pub fn exceedance_chart(
    title: &str,
    mineral: &str,
    unit: &str,
    runs: Vec<(ExceedanceCurve, [f64; 3])>,
) -> ExceedanceChart {
    let mut curves: Vec<ExceedanceCurve> = Vec::new();
    let mut smallest_p = 1.0f64;
    let mut x_max = 0.0f64;
    let single = runs.len() == 1;
    for (mut c, q) in runs {
        // A single curve needs no run name: say what it is instead.
        if single {
            c.label = "P(total unserved > x)".to_string();
        }
        for (name, x, p) in [
            ("p90", q[0], 0.10),
            ("p95", q[1], 0.05),
            ("p99", q[2], 0.01),
        ] {
            c.markers.push((name.to_string(), x, p));
        }
        if let Some(min_p) = c
            .points
            .iter()
            .map(|p| p.1)
            .filter(|p| *p > 0.0)
            .reduce(f64::min)
        {
            smallest_p = smallest_p.min(min_p);
        }
        x_max = x_max.max(c.points.iter().map(|p| p.0).fold(0.0, f64::max));
        curves.push(c);
    }
    let any_positive = curves
        .iter()
        .any(|c| c.points.iter().any(|p| p.0 > 0.0 && p.1 >= 0.0));
    let log_y = any_positive && smallest_p < 0.05;
    let y_range = if log_y {
        (smallest_p / 3.0, 1.0)
    } else {
        (0.0, 1.0)
    };
    ExceedanceChart {
        unit: unit.to_string(),
        title: format!("{title}: {mineral} shortfall exceedance"),
        x_label: format!("Total unserved {mineral} over the horizon, {unit}"),
        x_range: if x_max > 0.0 {
            (0.0, x_max * 1.05)
        } else {
            (0.0, 1.0)
        },
        y_range,
        log_y,
        note: (!any_positive).then(|| "No unserved demand in any trial".to_string()),
        curves,
    }
}

/// HHI thresholds of concentration used in antitrust practice.
pub const HHI_THRESHOLDS: [(f64, &str); 2] = [
    (1500.0, "HHI 1,500: moderately concentrated"),
    (2500.0, "HHI 2,500: highly concentrated"),
];

/// `concentration.png`: HHI without and with projects per mineral.
pub fn concentration_bars(summary: &Summary) -> BarChart {
    let categories: Vec<String> = summary
        .minerals
        .0
        .iter()
        .map(|(id, _)| id.clone())
        .collect();
    let hhi: Vec<f64> = summary.minerals.0.iter().map(|(_, m)| m.hhi).collect();
    let with: Vec<f64> = summary
        .minerals
        .0
        .iter()
        .map(|(_, m)| m.hhi_with_projects)
        .collect();
    let top = max_of(hhi.iter().chain(&with)).max(2500.0);
    BarChart {
        title: format!("{}: supplier concentration by country", summary.scenario),
        y_label: "Herfindahl-Hirschman index (0-10,000)".to_string(),
        x_label: "Mineral".to_string(),
        categories,
        groups: vec![
            BarGroup {
                label: "Existing sources".to_string(),
                values: hhi,
                err: None,
            },
            BarGroup {
                label: "With projects at full capacity".to_string(),
                values: with,
                err: None,
            },
        ],
        reference_lines: HHI_THRESHOLDS
            .iter()
            .map(|(y, l)| (*y, l.to_string()))
            .collect(),
        // Headroom for the legend above the tallest bar; ticks stop at 10,000.
        y_range: (0.0, top * 1.5),
        label_max: Some(10_000.0),
        percent: false,
    }
}

/// `risk_reduction.png`: per mineral, baseline and alternative
/// `eud_total` (as % of the baseline's, so minerals of different units
/// share an axis) and `p_any_shortfall`, with 95% error bars.
pub fn risk_reduction_bars(cmp: &crate::compare::Comparison) -> [BarChart; 2] {
    let ids: Vec<String> = cmp.minerals.0.iter().map(|(id, _)| id.clone()).collect();
    let pick = |s: &Summary,
                f: &dyn Fn(&crate::summary::MineralSummary) -> (f64, f64)|
     -> Vec<(f64, f64)> {
        ids.iter()
            .map(|id| s.minerals.get(id).map_or((0.0, 0.0), f))
            .collect()
    };
    let base_eud = pick(&cmp.baseline, &|m| (m.eud_total, m.eud_total_se));
    let alt_eud = pick(&cmp.alternative, &|m| (m.eud_total, m.eud_total_se));
    let rel = |v: &[(f64, f64)]| -> (Vec<f64>, Vec<f64>) {
        v.iter()
            .zip(&base_eud)
            .map(|(&(x, se), &(b, _))| {
                if b > 0.0 {
                    (100.0 * x / b, Z95 * 100.0 * se / b)
                } else {
                    (0.0, 0.0)
                }
            })
            .unzip()
    };
    let (bv, be) = rel(&base_eud);
    let (av, ae) = rel(&alt_eud);
    let p = |s: &Summary| -> (Vec<f64>, Vec<f64>) {
        pick(s, &|m| (m.p_any_shortfall, m.p_any_shortfall_se))
            .into_iter()
            .map(|(v, se)| (v, Z95 * se))
            .unzip()
    };
    let (bp, bpe) = p(&cmp.baseline);
    let (ap, ape) = p(&cmp.alternative);
    let names = (
        format!("baseline: {}", cmp.baseline.scenario),
        format!("alternative: {}", cmp.alternative.scenario),
    );
    let groups = |b: Vec<f64>, be: Vec<f64>, a: Vec<f64>, ae: Vec<f64>| {
        vec![
            BarGroup {
                label: names.0.clone(),
                values: b,
                err: Some(be),
            },
            BarGroup {
                label: names.1.clone(),
                values: a,
                err: Some(ae),
            },
        ]
    };
    let top_eud = max_of(
        bv.iter()
            .zip(&be)
            .chain(av.iter().zip(&ae))
            .map(|(v, e)| v + e)
            .collect::<Vec<_>>()
            .iter(),
    )
    .max(100.0);
    let top_p = max_of(
        bp.iter()
            .zip(&bpe)
            .chain(ap.iter().zip(&ape))
            .map(|(v, e)| v + e)
            .collect::<Vec<_>>()
            .iter(),
    );
    [
        BarChart {
            title: "Expected unserved demand over the horizon, % of baseline".to_string(),
            y_label: "eud_total, % of baseline".to_string(),
            x_label: "Mineral".to_string(),
            categories: ids.clone(),
            groups: groups(bv, be, av, ae),
            reference_lines: Vec::new(),
            y_range: (0.0, top_eud * 1.45),
            label_max: None,
            percent: false,
        },
        BarChart {
            title: "Probability of at least one shortfall year, baseline vs alternative"
                .to_string(),
            y_label: "Probability of at least one shortfall year".to_string(),
            x_label: "Mineral".to_string(),
            categories: ids,
            groups: groups(bp, bpe, ap, ape),
            reference_lines: Vec::new(),
            y_range: (0.0, (top_p * 1.45).clamp(0.05, 1.45)),
            label_max: Some(1.0),
            percent: true,
        },
    ]
}

/// `tornado_<mineral>.png`: the `top` entities with the largest change in
/// `eud_total` when their disruption is switched off, with 95% error bars.
pub fn tornado(
    scenario: &str,
    mineral: &str,
    unit: &str,
    entries: &[crate::sensitivity::SensitivityEntry],
    top: usize,
) -> TornadoChart {
    let mut shown: Vec<&crate::sensitivity::SensitivityEntry> = entries.iter().collect();
    shown.sort_by(|a, b| b.delta_eud_total.abs().total_cmp(&a.delta_eud_total.abs()));
    shown.truncate(top);
    shown.sort_by(|a, b| a.delta_eud_total.total_cmp(&b.delta_eud_total));
    let values: Vec<f64> = shown.iter().map(|e| e.delta_eud_total).collect();
    let err: Vec<f64> = shown.iter().map(|e| Z95 * e.delta_eud_total_se).collect();
    let lo = values
        .iter()
        .zip(&err)
        .map(|(v, e)| v - e)
        .fold(0.0, f64::min);
    let hi = values
        .iter()
        .zip(&err)
        .map(|(v, e)| v + e)
        .fold(0.0, f64::max);
    let span = if hi - lo > 0.0 { hi - lo } else { 1.0 };
    let all_zero = values.iter().all(|v| *v == 0.0);
    TornadoChart {
        title: format!("{scenario}: drivers of {mineral} shortfall risk"),
        x_label: format!(
            "Change in expected unserved {mineral} with the disruption switched off, {unit}"
        ),
        labels: shown
            .iter()
            .map(|e| format!("{} ({})", e.entity, e.kind))
            .collect(),
        values,
        err,
        x_range: (lo - 0.08 * span, hi + 0.08 * span),
        note: all_zero.then(|| "No disruption changes the risk".to_string()),
    }
}

/// A sweep metric: `(json key, axis label, is a probability)`.
pub const SWEEP_METRICS: [(&str, &str, bool); 5] = [
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
];

/// One panel of `sweep_<mineral>.png`: `metric` against the parameter's
/// value with a 95% band where the metric has a standard error.
pub fn sweep_lines(
    sweep: &crate::sweep::Sweep,
    mineral: &str,
    unit: &str,
    metric: &str,
) -> LineChart {
    let get = |m: &crate::sweep::SweepMetrics| -> (f64, Option<f64>) {
        match metric {
            "p_any_shortfall" => (m.p_any_shortfall, Some(m.p_any_shortfall_se)),
            "expected_shortfall_years" => (
                m.expected_shortfall_years,
                Some(m.expected_shortfall_years_se),
            ),
            "unserved_p95" => (m.unserved_p95, None),
            "cvar95" => (m.cvar95, None),
            _ => (m.eud_total, Some(m.eud_total_se)),
        }
    };
    let points: Vec<(f64, f64, Option<f64>)> = sweep
        .points
        .iter()
        .filter_map(|p| {
            p.minerals
                .get(mineral)
                .map(|m| (p.value, get(m).0, get(m).1))
        })
        .collect();
    let (label, is_prob) = SWEEP_METRICS
        .iter()
        .find(|(k, _, _)| *k == metric)
        .map_or(("", false), |(_, l, p)| (*l, *p));
    let y: Vec<f64> = points.iter().map(|p| p.1).collect();
    let err: Option<Vec<f64>> = points.iter().map(|p| p.2.map(|se| Z95 * se)).collect();
    let top = y
        .iter()
        .zip(err.iter().flatten().chain(std::iter::repeat(&0.0)))
        .map(|(v, e)| v + e)
        .fold(0.0, f64::max);
    LineChart {
        title: format!("{mineral}: {metric} against {}", sweep.parameter),
        x_label: sweep.parameter.clone(),
        y_label: if is_prob {
            label.to_string()
        } else {
            format!("{label}, {unit}")
        },
        x: points.iter().map(|p| p.0).collect(),
        x_integer: false,
        y_is_probability: is_prob,
        err_as_band: true,
        series: vec![LineSeries {
            label: format!("{mineral} {metric} (95% band)"),
            y,
            err,
        }],
        y_range: match (is_prob, top > 0.0) {
            (true, _) => (0.0, (top * 1.15).clamp(0.05, 1.0)),
            (false, true) => (0.0, top * 1.15),
            (false, false) => (0.0, 1.0),
        },
        note: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_based_range_handles_all_zero_and_positive() {
        assert_eq!(zero_based_range(0.0, 1.0), (0.0, 1.0));
        assert_eq!(zero_based_range(f64::NEG_INFINITY, 1.0), (0.0, 1.0));
        let (lo, hi) = zero_based_range(100.0, 1.0);
        assert_eq!(lo, 0.0);
        assert!((hi - 108.0).abs() < 1e-9);
    }

    #[test]
    fn legend_goes_where_the_data_is_not() {
        // A line rising from lower left to upper right: upper left is free.
        let rising = densify(&[(0.0, 0.0), (10.0, 10.0)], 50);
        assert_eq!(
            least_crowded_corner(&rising, (0.0, 10.0), (0.0, 10.0), (0.4, 0.3)),
            Corner::UpperLeft
        );
        // A flat line near the top: the lower corners are free.
        let top = densify(&[(0.0, 9.5), (10.0, 9.5)], 50);
        assert_eq!(
            least_crowded_corner(&top, (0.0, 10.0), (0.0, 10.0), (0.4, 0.3)),
            Corner::LowerRight
        );
        assert_eq!(
            densify(&[(0.0, 0.0), (1.0, 2.0)], 2),
            vec![(0.0, 0.0), (0.5, 1.0), (1.0, 2.0)]
        );
    }

    #[test]
    fn zoomed_range_leaves_room_and_stays_non_negative() {
        let (lo, hi) = zoomed_range(2000.0, 2100.0);
        assert!((lo - 1940.0).abs() < 1e-9 && (hi - 2112.0).abs() < 1e-9);
        // Clamped at 0: the free band moves to the top.
        assert_eq!(zoomed_range(10.0, 1000.0), (0.0, 1000.0 + 0.4 * 990.0));
        assert_eq!(zoomed_range(0.0, 0.0), (0.0, 0.4));
        let (lo, hi) = zoomed_range(500.0, 500.0);
        assert!(lo < 500.0 && hi > 500.0);
        assert_eq!(zoomed_range(f64::INFINITY, f64::NEG_INFINITY), (0.0, 1.0));
    }

    /// The chart curve of per-trial totals, as a run's results give it.
    fn curve_of(label: &str, totals: &[f64], max_points: usize) -> ExceedanceCurve {
        let points =
            crate::distribution::Distribution::Values(totals.to_vec()).exceedance(max_points);
        exceedance_curve(label, &points)
    }

    #[test]
    fn exceedance_curve_counts_values_strictly_above() {
        // Values 0, 0, 1, 2, 2: P(X > 0) = 3/5, P(X > 1) = 2/5, P(X > 2) = 0.
        let c = curve_of("x", &[2.0, 0.0, 1.0, 0.0, 2.0], 100);
        assert_eq!(c.points, vec![(0.0, 0.6), (1.0, 0.4), (2.0, 0.0)]);
        // Without zeros the curve starts at (0, 1).
        let c = curve_of("x", &[3.0, 1.0], 100);
        assert_eq!(c.points, vec![(0.0, 1.0), (1.0, 0.5), (3.0, 0.0)]);
    }

    #[test]
    fn exceedance_curve_is_thinned_but_keeps_the_tail() {
        let totals: Vec<f64> = (0..100_000).map(|i| i as f64).collect();
        let c = curve_of("x", &totals, 200);
        assert!(c.points.len() <= 260, "{} points", c.points.len());
        assert_eq!(c.points.last().unwrap(), &(99_999.0, 0.0));
        // The tail keeps points down to the smallest probabilities.
        assert!(c.points.iter().any(|p| p.1 > 0.0 && p.1 <= 1e-4));
        assert!(c
            .points
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 >= w[1].1));
    }

    #[test]
    fn exceedance_chart_goes_log_when_tails_span_decades() {
        let totals: Vec<f64> = (0..10_000)
            .map(|i| if i < 9_000 { 0.0 } else { i as f64 })
            .collect();
        let ch = exceedance_chart(
            "S",
            "cu",
            "kt",
            vec![(curve_of("S", &totals, 400), [1.0, 2.0, 3.0])],
        );
        assert!(ch.log_y);
        // Smallest positive exceedance is 1/10,000; the axis goes a third lower.
        assert!((ch.y_range.0 - 1e-4 / 3.0).abs() < 1e-12 && ch.y_range.1 == 1.0);
        assert_eq!(ch.curves[0].label, "P(total unserved > x)");
        assert_eq!(ch.curves[0].markers.len(), 3);
        assert!(ch.note.is_none());
        let zeros = vec![0.0; 100];
        let ch = exceedance_chart(
            "S",
            "cu",
            "kt",
            vec![(curve_of("S", &zeros, 400), [0.0; 3])],
        );
        assert!(!ch.log_y);
        assert_eq!(ch.x_range, (0.0, 1.0));
        assert_eq!(ch.y_range, (0.0, 1.0));
        assert!(ch.note.is_some());
    }
}
