//! Drawing a line chart: lines with error bars or bands, a marked x
//! value and a note, on a linear or a log x axis, with the legend where it
//! hides the least.

use super::LineChart;
use crate::plot::axes::year_axis;
use crate::plot::labels::{percent_label, power_of_ten_label, tick_label};
use crate::plot::legend::{densify, draw_note, draw_whiskers, legend_box};
use crate::plot::style::{colour, Area, Look};
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
    let mut chart = look
        .builder(root, &data.title, &ends)
        .build_cartesian_2d(x0..x1, y0 - room..y1 + room)
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
    let samples: Vec<(f64, f64)> = data
        .series
        .iter()
        .flat_map(|s| {
            densify(
                &data
                    .x
                    .iter()
                    .copied()
                    .zip(s.y.iter().copied())
                    .collect::<Vec<_>>(),
                12,
            )
        })
        .collect();
    // The legend keeps clear of the mark's label too (about a fifth of
    // the axis wide, at the top).
    let mut samples = samples;
    if let Some((x, _)) = &data.mark_x {
        let (ylo, yhi) = data.y_range;
        let y = yhi - (yhi - ylo) * 0.03;
        samples.extend((0..=8).map(|k| (x + (x1 - x0) * 0.22 * f64::from(k) / 8.0, y)));
    }
    let labels: Vec<&str> = data.series.iter().map(|s| s.label.as_str()).collect();
    legend_box(&mut chart, look, &samples, &labels)
}
