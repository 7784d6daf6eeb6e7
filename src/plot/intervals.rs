//! Interval charts: rows of estimates with their intervals, a marker per
//! series on each row (`sobol_<mineral>.png`: first-order and total Sobol
//! indices per parameter; `uncertainty_<mineral>.png`: each metric's
//! spread across parameter sets).

use super::axes::row_chart;
use super::legend::{draw_note, legend_box};
use super::style::{colour, Area, Look};
use plotters::prelude::*;

/// One series: a name and, per row, `(value, lo, hi)` or nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalSeries {
    /// Legend name.
    pub label: String,
    /// Per row, top to bottom.
    pub points: Vec<Option<(f64, f64, f64)>>,
}

/// Rows of estimates with intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalChart {
    /// Chart title.
    pub title: String,
    /// X-axis label, with units.
    pub x_label: String,
    /// Row names, top to bottom.
    pub labels: Vec<String>,
    /// The series.
    pub series: Vec<IntervalSeries>,
    /// X-axis range.
    pub x_range: (f64, f64),
    /// A note drawn in the plot area.
    pub note: Option<String>,
}

/// The x range that holds every interval, at least `[lo, hi]`, with a
/// margin of 5% each side.
pub fn range_of(series: &[IntervalSeries], at_least: Option<(f64, f64)>) -> (f64, f64) {
    let (mut lo, mut hi) = at_least.unwrap_or((f64::INFINITY, f64::NEG_INFINITY));
    for p in series.iter().flat_map(|s| s.points.iter().flatten()) {
        for x in [p.0, p.1, p.2] {
            if x.is_finite() {
                lo = lo.min(x);
                hi = hi.max(x);
            }
        }
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    (lo - 0.05 * span, hi + 0.05 * span)
}

/// Draw an interval chart.
pub(super) fn draw_intervals(
    root: &Area,
    data: &IntervalChart,
    look: &Look,
) -> std::result::Result<(), String> {
    let n = data.labels.len().max(1);
    let (x0, x1) = data.x_range;
    let (y0, y1) = (-0.5, n as f64 - 0.5);
    let mut chart = row_chart(
        root,
        look,
        &data.title,
        &data.x_label,
        &data.labels,
        (x0, x1),
    )?;
    let k = data.series.len().max(1) as f64;
    let radius = look.size.px(9.0) as i32;
    let mut samples = Vec::new();
    for (s, series) in data.series.iter().enumerate() {
        let c = colour([0, 1, 2, 3][s % 4]);
        let offset = if k > 1.0 {
            0.22 - 0.44 * s as f64 / (k - 1.0)
        } else {
            0.0
        };
        let rows: Vec<(f64, f64, f64, f64)> = series
            .points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|(v, lo, hi)| ((n - 1 - i) as f64 + offset, v, lo, hi)))
            .collect();
        for &(y, v, lo, hi) in &rows {
            chart
                .draw_series(LineSeries::new(
                    [(lo, y), (hi, y)],
                    c.stroke_width(look.stroke(3.0)),
                ))
                .map_err(|e| e.to_string())?;
            samples.extend([(lo, y), (v, y), (hi, y)]);
        }
        chart
            .draw_series(
                rows.iter()
                    .map(|&(y, v, _, _)| Circle::new((v, y), radius, c.filled())),
            )
            .map_err(|e| e.to_string())?
            .label(series.label.clone())
            .legend(move |(x, y)| Circle::new((x + 10, y), radius, c.filled()));
    }
    draw_note(&chart, look, &data.note, (x0, x1), (y0, y1))?;
    let names: Vec<&str> = data.series.iter().map(|s| s.label.as_str()).collect();
    legend_box(&mut chart, look, &samples, &names)
}
