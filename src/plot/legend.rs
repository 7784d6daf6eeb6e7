//! Legends, notes and error whiskers: where the legend goes (the corner
//! the data leaves free) and how it, a note or an error bar is drawn.

use super::style::{ChartWith, Look};
use plotters::prelude::*;

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
    let count = |corner: Corner| {
        let (bx, by) = corner_box(corner, x, y, frac);
        samples
            .iter()
            .filter(|(px, py)| *px >= bx.0 && *px <= bx.1 && *py >= by.0 && *py <= by.1)
            .count()
    };
    [
        Corner::UpperRight,
        Corner::UpperLeft,
        Corner::LowerRight,
        Corner::LowerLeft,
    ]
    .into_iter()
    .min_by_key(|c| count(*c))
    .unwrap_or(Corner::UpperRight)
}

/// The x and y spans of a legend box (`frac`: its width and height as
/// fractions of the plot) in `corner` of a plot over `x` and `y`.
pub fn corner_box(
    corner: Corner,
    x: (f64, f64),
    y: (f64, f64),
    frac: (f64, f64),
) -> ((f64, f64), (f64, f64)) {
    let (w, h) = (frac.0 * (x.1 - x.0), frac.1 * (y.1 - y.0));
    match corner {
        Corner::UpperRight => ((x.1 - w, x.1), (y.1 - h, y.1)),
        Corner::UpperLeft => ((x.0, x.0 + w), (y.1 - h, y.1)),
        Corner::LowerRight => ((x.1 - w, x.1), (y.0, y.0 + h)),
        Corner::LowerLeft => ((x.0, x.0 + w), (y.0, y.0 + h)),
    }
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

/// A legend swatch for a dashed line drawn with `dash` and `gap` pixels:
/// two dashes from `(x, y)`, shortened to fit `width` pixels, so the legend
/// shows the line's pattern.
pub(super) fn dashed_swatch<'a, DB: DrawingBackend + 'a>(
    (x, y): (i32, i32),
    width: i32,
    (dash, gap): (u32, u32),
    style: ShapeStyle,
) -> impl IntoDynElement<'a, DB, (i32, i32)> {
    let gap = (gap as i32).min(width / 3);
    let dash = (dash as i32).min((width - gap) / 2).max(1);
    EmptyElement::at((x, y))
        + PathElement::new(vec![(0, 0), (dash, 0)], style)
        + PathElement::new(vec![(dash + gap, 0), (2 * dash + gap, 0)], style)
}

/// The legend box of `labels` as fractions of a plot `plot` pixels wide
/// and high (at most 1 each).
pub(super) fn legend_fraction(look: &Look, labels: &[&str], plot: (u32, u32)) -> (f64, f64) {
    let font = look.size.font(24.0) as f64;
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(10) as f64;
    // Box: margin + swatch + text (about 0.55 em a character), rows of about 1.15 em.
    let box_w = look.size.px(16.0) as f64
        + look.size.px(44.0) as f64
        + 0.58 * font * longest
        + look.size.px(20.0) as f64;
    let box_h = look.size.px(16.0) as f64
        + (labels.len().max(1) as f64) * 1.2 * font
        + look.size.px(14.0) as f64;
    (
        (box_w / plot.0.max(1) as f64).min(1.0),
        (box_h / plot.1.max(1) as f64).min(1.0),
    )
}

/// Draw the legend in the corner of the plot with the fewest `samples`.
/// `labels` are the legend's entries, used to estimate the box's size.
pub(super) fn legend_box<'a, 'b: 'a, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartWith<'a, 'b, Y>,
    look: &Look,
    samples: &[(f64, f64)],
    labels: &[&str],
) -> std::result::Result<(), String> {
    let x = chart.x_range();
    let y = chart.y_range();
    let frac = legend_fraction(look, labels, chart.plotting_area().dim_in_pixel());
    let pos = match least_crowded_corner(samples, (x.start, x.end), (y.start, y.end), frac) {
        Corner::UpperRight => SeriesLabelPosition::UpperRight,
        Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
        Corner::LowerRight => SeriesLabelPosition::LowerRight,
        Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
    };
    chart
        .configure_series_labels()
        .position(pos)
        .margin(look.size.px(16.0))
        .legend_area_size(look.size.px(44.0))
        .label_font(look.legend())
        .background_style(WHITE.mix(0.88))
        .border_style(RGBColor(160, 160, 160))
        .draw()
        .map_err(|e| e.to_string())
}

pub(super) fn draw_note<'a, 'b: 'a, Y: Ranged<ValueType = f64>>(
    chart: &ChartWith<'a, 'b, Y>,
    look: &Look,
    note: &Option<String>,
    x: (f64, f64),
    y: (f64, f64),
) -> std::result::Result<(), String> {
    if let Some(text) = note {
        chart
            .plotting_area()
            .draw(&Text::new(
                text.clone(),
                ((x.0 + x.1) / 2.0, (y.0 + y.1) / 2.0),
                look.note(),
            ))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Whiskers (error bars without a centre marker): for each `(at, lo, hi)`
/// a line from `lo` to `hi` at `at` with end caps of `cap` pixels each
/// side; vertical bars when `vertical`, else horizontal.
pub(super) fn draw_whiskers<'a, 'b: 'a, Y: Ranged<ValueType = f64>>(
    chart: &mut ChartWith<'a, 'b, Y>,
    items: &[(f64, f64, f64)],
    vertical: bool,
    style: ShapeStyle,
    cap: i32,
) -> std::result::Result<(), String> {
    let point = |at: f64, v: f64| if vertical { (at, v) } else { (v, at) };
    let tick = move |at: f64, v: f64| {
        let offsets = if vertical {
            vec![(-cap, 0), (cap, 0)]
        } else {
            vec![(0, -cap), (0, cap)]
        };
        EmptyElement::at(point(at, v)) + PathElement::new(offsets, style)
    };
    chart
        .draw_series(
            items
                .iter()
                .map(|&(at, lo, hi)| PathElement::new(vec![point(at, lo), point(at, hi)], style)),
        )
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(
            items
                .iter()
                .flat_map(|&(at, lo, hi)| [tick(at, lo), tick(at, hi)]),
        )
        .map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
