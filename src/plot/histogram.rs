//! Histograms of values with their summary marked: a metric across the
//! parameter sets of an uncertainty analysis (`uncertainty_<mineral>.png`),
//! with its median, 5–95% range and mean as vertical lines.

use super::axes::round_ticks;
use super::labels::{percent_label, tick_label};
use super::legend::{dashed_swatch, legend_box};
use super::style::{colour, Area, Look};
use plotters::prelude::*;

/// A vertical line across a histogram, named in the legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Where, in x units.
    pub x: f64,
    /// Legend entry, such as "median 0.085".
    pub label: String,
    /// Dashed (a range's ends) rather than solid.
    pub dashed: bool,
    /// Palette index of its colour.
    pub colour: usize,
}

/// Counts of values in equal bins, with marks.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramChart {
    /// Chart title.
    pub title: String,
    /// X-axis label, with units.
    pub x_label: String,
    /// Y-axis label: what is counted.
    pub y_label: String,
    /// Left edge of the first bin and the bins' common width.
    pub start: f64,
    /// Width of each bin (0 when every value is the same: one bar).
    pub width: f64,
    /// Values per bin.
    pub counts: Vec<u64>,
    /// Vertical lines.
    pub marks: Vec<Mark>,
    /// A note drawn in the plot area.
    pub note: Option<String>,
    /// Whether the values are probabilities (the axis in percent).
    pub percent: bool,
}

/// Bins for `values` (finite ones only): about `1.5 sqrt(n)` of them,
/// between 10 and 40, of a round width. Returns the first edge,
/// the width and the counts.
pub fn bins(values: &[f64]) -> (f64, f64, Vec<u64>) {
    let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if finite.is_empty() {
        return (0.0, 0.0, Vec::new());
    }
    if hi <= lo {
        return (lo, 0.0, vec![finite.len() as u64]);
    }
    let wanted = (1.5 * (finite.len() as f64).sqrt())
        .round()
        .clamp(10.0, 40.0);
    // A round width nearest (by ratio) the one wanted: 1, 2, 2.5 or 5
    // times a power of ten.
    let raw = (hi - lo) / wanted;
    let ten = 10f64.powf(raw.log10().floor());
    let width = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * ten)
        .min_by(|a, b| (a / raw).ln().abs().total_cmp(&(b / raw).ln().abs()))
        .unwrap_or(ten);
    let start = (lo / width).floor() * width;
    // The last bin is closed: a largest value on an edge (a probability
    // of 1) ends the last bin rather than opening one of its own.
    let n = (((hi - start) / width).ceil() as usize).max(1);
    let mut counts = vec![0u64; n];
    for x in finite {
        let k = (((x - start) / width).floor() as usize).min(n - 1);
        counts[k] += 1;
    }
    (start, width, counts)
}

/// Draw a histogram.
pub(super) fn draw_histogram(
    root: &Area,
    data: &HistogramChart,
    look: &Look,
) -> std::result::Result<(), String> {
    let (sw, _) = look.swatch();
    let end = data.start + data.width * data.counts.len() as f64;
    let (mut x0, mut x1) = (data.start, end);
    for m in &data.marks {
        x0 = x0.min(m.x);
        x1 = x1.max(m.x);
    }
    let pad = if x1 > x0 {
        0.04 * (x1 - x0)
    } else {
        0.1 * x0.abs().max(1.0)
    };
    let (x0, x1) = (x0 - pad, x1 + pad);
    let top = data.counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    // Room above the tallest bar for the legend.
    let y1 = top * 1.45;
    let mut chart = look
        .builder(root, &data.title, &[format!("{y1:.0}")])
        .build_cartesian_2d(x0..x1, 0.0..y1)
        .map_err(|e| e.to_string())?;
    let ticks = round_ticks(x0, x1, 8);
    chart
        .configure_mesh()
        .x_desc(&data.x_label)
        .y_desc(&data.y_label)
        .axis_desc_style(look.axis())
        .label_style(look.tick())
        .x_labels(ticks.len().max(2))
        .x_label_formatter(&|x| {
            if data.percent {
                percent_label(*x)
            } else {
                tick_label(*x, x1 - x0)
            }
        })
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    let bar = colour(0).mix(0.45);
    // One bar of no width (every value the same) is drawn a little wide.
    let half = if data.width > 0.0 {
        0.0
    } else {
        0.01 * (x1 - x0)
    };
    let mut samples = Vec::new();
    for (k, &c) in data.counts.iter().enumerate() {
        let left = data.start + data.width * k as f64 - half;
        let right = left + data.width + 2.0 * half;
        if c > 0 {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(left, 0.0), (right, c as f64)],
                    bar.filled(),
                )))
                .map_err(|e| e.to_string())?;
        }
        let steps = 6;
        samples.extend((0..=steps).flat_map(|i| {
            let x = left + (right - left) * i as f64 / steps as f64;
            (0..=4).map(move |j| (x, c as f64 * j as f64 / 4.0))
        }));
    }
    let w = look.stroke(3.0);
    let pattern = (look.size.px(12.0), look.size.px(8.0));
    for m in &data.marks {
        let style = colour(m.colour).stroke_width(w);
        let line = vec![(m.x, 0.0), (m.x, top * 1.08)];
        samples.extend((0..=8).map(|j| (m.x, top * 1.08 * j as f64 / 8.0)));
        if m.dashed {
            chart
                .draw_series(DashedLineSeries::new(line, pattern.0, pattern.1, style))
                .map_err(|e| e.to_string())?
                .label(m.label.clone())
                .legend(move |at| dashed_swatch(at, sw, pattern, style));
        } else {
            chart
                .draw_series(LineSeries::new(line, style))
                .map_err(|e| e.to_string())?
                .label(m.label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + sw, y)], style));
        }
    }
    super::legend::draw_note(&chart, look, &data.note, (x0, x1), (0.0, y1))?;
    let labels: Vec<&str> = data.marks.iter().map(|m| m.label.as_str()).collect();
    legend_box(&mut chart, look, &samples, &labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_round_and_hold_every_value() {
        let values: Vec<f64> = (0..100).map(|i| 0.013 + 0.0037 * i as f64).collect();
        let (start, width, counts) = bins(&values);
        // 100 values over 0.366: 15 bins wanted, 0.0244 each: 0.025.
        assert_eq!(width, 0.025);
        assert_eq!(start, 0.0);
        assert_eq!(counts.iter().sum::<u64>(), 100);
        assert!(start + width * counts.len() as f64 > 0.013 + 0.0037 * 99.0);
        // Width 1 (nearest 9 / 10); a value on an edge goes into the bin
        // that starts there, but the largest closes the last bin.
        let (start, width, c) = bins(&[0.0, 0.3, 1.0, 9.0]);
        assert_eq!((start, width), (0.0, 1.0));
        assert_eq!(c, vec![2, 1, 0, 0, 0, 0, 0, 0, 1]);
        // Probabilities up to 1: no bin beyond 1.
        let (start, width, c) = bins(&[0.0, 0.5, 1.0, 1.0]);
        assert!(start + width * c.len() as f64 <= 1.0 + 1e-12);
        assert_eq!(c.last(), Some(&2));
    }

    #[test]
    fn equal_values_make_one_bar_and_nothing_finite_none() {
        assert_eq!(bins(&[2.5, 2.5, 2.5]), (2.5, 0.0, vec![3]));
        assert_eq!(bins(&[f64::NAN]), (0.0, 0.0, Vec::new()));
    }
}
