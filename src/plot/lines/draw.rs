//! Drawing a line chart: lines with error bars or bands, a marked x
//! value and a note, on a linear or a log x axis, with the legend where it
//! hides the least.

use super::LineChart;
use crate::plot::axes::{year_axis, TickedAxis};
use crate::plot::labels::{percent_label, power_of_ten_label, tick_label};
use crate::plot::legend::{
    corner_box, densify, draw_note, draw_whiskers, least_crowded_corner, legend_box,
    legend_fraction,
};
use crate::plot::style::{colour, Area, Look};
use plotters::coord::ranged1d::{BoldPoints, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

impl LineChart {
    /// The chart with its x values (and the marked one) replaced by their
    /// base-10 logarithms; a mark at 0 or below, which a log axis cannot
    /// show, dropped.
    pub(super) fn in_log10(&self) -> LineChart {
        LineChart {
            x: self.x.iter().map(|x| x.log10()).collect(),
            mark_x: self
                .mark_x
                .clone()
                .filter(|m| m.0 > 0.0)
                .map(|(x, label)| (x.log10(), label)),
            ..self.clone()
        }
    }
}

/// Draw a line chart (lines with error bars or bands, a marked x value, a
/// note and the legend) on `root`.
pub(in crate::plot) fn draw_lines(
    root: &Area,
    data: &LineChart,
    look: &Look,
) -> std::result::Result<(), String> {
    // A log axis is drawn as a linear one of the values' logarithms.
    let in_logs;
    let data = if data.x_log {
        in_logs = data.in_log10();
        &in_logs
    } else {
        data
    };
    let (sw, _) = look.swatch();
    let (x0, x1) = if data.x_integer {
        let years: Vec<i64> = data.x.iter().map(|x| *x as i64).collect();
        year_axis(&years)
    } else {
        let lo = data.x.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = data.x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let pad = if hi > lo { (hi - lo) * 0.04 } else { 1.0 };
        (lo - pad, hi + pad)
    };
    let (y0, y1) = data.y_range;
    let ends = [y0, y1].map(|y| {
        if data.y_is_probability {
            percent_label(y)
        } else {
            tick_label(y, y1 - y0)
        }
    });
    // A probability of exactly 0 or 1 would be drawn on the frame and
    // hidden by it: a little room beyond both ends, outside the ticks.
    let room = if data.y_is_probability {
        0.015 * (y1 - y0)
    } else {
        0.0
    };
    let samples = samples(data, (x0, x1));
    let labels: Vec<&str> = data.series.iter().map(|s| s.label.as_str()).collect();
    // Ticks and grid lines as plotters would place them on the range; the
    // room above it, where the legend goes, has none.
    let range = RangedCoordf64::from(y0 - room..y1 + room);
    let ticks = range.key_points(BoldPoints(11));
    let top = if data.y_is_probability {
        let plot = look.plot_size(root.dim_in_pixel(), &data.title, &ends);
        let frac = legend_fraction(look, &labels, plot);
        legend_top(&samples, (x0, x1), (y0 - room, y1 + room), frac)
    } else {
        y1 + room
    };
    let mut chart = look
        .builder(root, &data.title, &ends)
        .build_cartesian_2d(
            x0..x1,
            TickedAxis {
                range: (y0 - room..top).into(),
                ticks,
            },
        )
        .map_err(|e| e.to_string())?;
    let is_year = data.x_integer;
    chart
        .configure_mesh()
        .x_desc(&data.x_label)
        .y_desc(&data.y_label)
        .axis_desc_style(look.axis())
        .label_style(look.tick())
        .x_labels(if is_year {
            data.x.len().min(16)
        } else if data.x_log {
            // A tick at each power of ten while they fit.
            ((x1 - x0).floor() as usize + 1).clamp(2, 12)
        } else {
            10
        })
        .x_label_formatter(&|x| {
            if is_year {
                format!("{:.0}", x)
            } else if data.x_log {
                power_of_ten_label(*x)
            } else {
                tick_label(*x, x1 - x0)
            }
        })
        .y_label_formatter(&|y| {
            if data.y_is_probability {
                percent_label(*y)
            } else {
                tick_label(*y, data.y_range.1 - data.y_range.0)
            }
        })
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    let w = look.stroke(3.5);
    for (i, s) in data.series.iter().enumerate() {
        let c = colour(i);
        let pts: Vec<(f64, f64)> = data.x.iter().copied().zip(s.y.iter().copied()).collect();
        if let (Some(err), true) = (&s.err, data.err_as_band) {
            let mut band: Vec<(f64, f64)> = pts
                .iter()
                .zip(err)
                .map(|(&(x, y), e)| (x, (y + e).min(data.y_range.1)))
                .collect();
            band.extend(
                pts.iter()
                    .zip(err)
                    .rev()
                    .map(|(&(x, y), e)| (x, (y - e).max(data.y_range.0))),
            );
            chart
                .draw_series(std::iter::once(Polygon::new(band, c.mix(0.2).filled())))
                .map_err(|e| e.to_string())?;
        } else if let Some(err) = &s.err {
            let cap = look.size.px(12.0);
            // Error bars shorter than a marker would only blur it.
            let visible = 0.012 * (data.y_range.1 - data.y_range.0);
            let items: Vec<(f64, f64, f64)> = pts
                .iter()
                .zip(err)
                .filter(|(_, e)| **e > visible)
                .map(|(&(x, y), e)| (x, (y - e).max(data.y_range.0), (y + e).min(data.y_range.1)))
                .collect();
            draw_whiskers(
                &mut chart,
                &items,
                true,
                c.stroke_width(look.stroke(2.5)),
                cap as i32,
            )?;
        }
        chart
            .draw_series(plotters::series::LineSeries::new(
                pts.clone(),
                c.stroke_width(w),
            ))
            .map_err(|e| e.to_string())?
            .label(s.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + sw, y)], c.stroke_width(w)));
        // Filled markers: a hollow one would hide the middle of its error
        // bar behind a white speck.
        let r = look.size.px(5.0) as i32;
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, r, c.filled())))
            .map_err(|e| e.to_string())?;
    }
    if let Some((x, label)) = &data.mark_x {
        let grey = RGBColor(90, 90, 90);
        let (ylo, yhi) = data.y_range;
        let dashes = (0..20).map(|k| {
            let a = ylo + (yhi - ylo) * k as f64 / 20.0;
            let b = a + (yhi - ylo) * 0.6 / 20.0;
            PathElement::new(vec![(*x, a), (*x, b)], grey.stroke_width(look.stroke(2.0)))
        });
        chart.draw_series(dashes).map_err(|e| e.to_string())?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!(" {label}"),
                (*x, yhi - (yhi - ylo) * 0.03),
                look.tick(),
            )))
            .map_err(|e| e.to_string())?;
    }
    draw_note(&chart, look, &data.note, (x0, x1), data.y_range)?;
    legend_box(&mut chart, look, &samples, &labels)
}

/// The top of a y axis over `y` for lines through `samples`, with a
/// legend box `frac` of the plot: `y.1` if a corner is free for it, else
/// (a probability of 100% across, others below) high enough for the box
/// to sit above `y.1`, where the scale has no ticks.
fn legend_top(samples: &[(f64, f64)], x: (f64, f64), y: (f64, f64), frac: (f64, f64)) -> f64 {
    let corner = least_crowded_corner(samples, x, y, frac);
    let (bx, by) = corner_box(corner, x, y, frac);
    let crowded = samples
        .iter()
        .any(|p| p.0 >= bx.0 && p.0 <= bx.1 && p.1 >= by.0 && p.1 <= by.1);
    if crowded {
        let h = frac.1.min(0.5);
        // The box's bottom, a fraction h of the new span below its top,
        // just above y.1.
        (y.1 - h * y.0) / (1.0 - h) + 0.015 * (y.1 - y.0)
    } else {
        y.1
    }
}

/// Points along the chart's lines, and along the label of its marked x
/// value, for the legend to keep clear of.
fn samples(data: &LineChart, (x0, x1): (f64, f64)) -> Vec<(f64, f64)> {
    let mut samples: Vec<(f64, f64)> = data
        .series
        .iter()
        .flat_map(|s| {
            let points: Vec<(f64, f64)> = data.x.iter().copied().zip(s.y.iter().copied()).collect();
            densify(&points, 12)
        })
        .collect();
    // The mark's label is about a fifth of the axis wide, at the top.
    if let Some((x, _)) = &data.mark_x {
        let (ylo, yhi) = data.y_range;
        let y = yhi - (yhi - ylo) * 0.03;
        samples.extend((0..=8).map(|k| (x + (x1 - x0) * 0.22 * f64::from(k) / 8.0, y)));
    }
    samples
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::legend::Corner;

    #[test]
    fn lines_that_crowd_every_corner_get_room_above_the_scale_for_the_legend() {
        let x = (2025.6, 2035.4);
        let y = (-0.015, 1.015);
        let line = |p: f64| -> Vec<(f64, f64)> { densify(&[(2026.0, p), (2035.0, p)], 12) };
        let frac = (0.4, 0.2);
        // A line at 30%: the upper corners are free.
        assert_eq!(legend_top(&line(0.3), x, y, frac), y.1);
        // Lines at 100% and at 0%: every corner holds a line.
        let both: Vec<(f64, f64)> = line(1.0).into_iter().chain(line(0.0)).collect();
        let top = legend_top(&both, x, y, frac);
        assert!(top > y.1);
        // On the new axis, an upper corner's box clears the lines.
        let (_, by) = corner_box(Corner::UpperRight, x, (y.0, top), frac);
        assert!(by.0 > y.1, "{by:?}");
    }
}
