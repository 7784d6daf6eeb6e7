//! Drawing a fan chart: its bands, lines and labelled levels on a linear
//! or a log axis, with the legend where it hides the least.

use super::{FanChart, FanSeries, Level};
use crate::plot::axes::year_axis;
use crate::plot::labels::{power_of_two_label, tick_label};
use crate::plot::legend::{dashed_swatch, densify, legend_box};
use crate::plot::style::{colour, Area, Chart2d, Look, FONT, PALETTE};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

impl FanChart {
    /// The chart with every y value (bands, lines, levels and range)
    /// replaced by its base-2 logarithm.
    fn in_log2(&self) -> FanChart {
        let logs = |v: &[f64]| v.iter().map(|y| y.log2()).collect::<Vec<f64>>();
        FanChart {
            fans: self
                .fans
                .iter()
                .map(|f| FanSeries {
                    label: f.label.clone(),
                    p5: logs(&f.p5),
                    p50: logs(&f.p50),
                    p95: logs(&f.p95),
                    demand: logs(&f.demand),
                })
                .collect(),
            y_range: (self.y_range.0.log2(), self.y_range.1.log2()),
            levels: self
                .levels
                .iter()
                .map(|l| Level {
                    y: l.y.log2(),
                    ..l.clone()
                })
                .collect(),
            demand_band: self
                .demand_band
                .iter()
                .map(|b| (b.0.log2(), b.1.log2()))
                .collect(),
            ..self.clone()
        }
    }
}

/// Draw a fan chart (supply band, median, mean demand) as PNG bytes.
pub(in crate::plot) fn draw_fan(
    root: &Area,
    data: &FanChart,
    look: &Look,
) -> std::result::Result<(), String> {
    // A log axis is drawn as a linear one of the values' base-2 logarithms.
    let in_logs;
    let data = if data.log_scale {
        in_logs = data.in_log2();
        &in_logs
    } else {
        data
    };
    let (sw, sh) = look.swatch();
    let (x0, x1) = year_axis(&data.years);
    let (y0, y1) = data.y_range;
    let y_tick = |y: f64| {
        if data.log_scale {
            power_of_two_label(y)
        } else {
            tick_label(y, y1 - y0)
        }
    };
    let ends = [y_tick(y0.ceil()), y_tick(y1.floor())];
    let mut chart = look
        .builder(root, &data.title, &ends)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    // On a log axis, a tick at each power of two while they fit.
    let y_ticks = if data.log_scale {
        ((y1 - y0).floor() as usize + 1).clamp(2, 12)
    } else {
        11
    };
    chart
        .configure_mesh()
        .x_desc("Year")
        .y_desc(&data.y_label)
        .axis_desc_style(look.axis())
        .label_style(look.tick())
        .x_labels(data.years.len().min(16))
        .x_label_formatter(&|x| format!("{:.0}", x))
        .y_labels(y_ticks)
        .y_label_formatter(&|y| y_tick(*y))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    let xs: Vec<f64> = data.years.iter().map(|&y| y as f64).collect();
    let line = |values: &[f64]| -> Vec<(f64, f64)> {
        xs.iter().copied().zip(values.iter().copied()).collect()
    };
    let two = data.fans.len() > 1;
    let prefix = |fan: &FanSeries| {
        if two {
            format!("{}: ", fan.label)
        } else {
            String::new()
        }
    };
    let mut labels: Vec<String> = Vec::new();
    for fan in &data.fans {
        labels.push(format!("{}{}", prefix(fan), data.words.band));
        labels.push(format!("{}{}", prefix(fan), data.words.median));
    }
    let w = look.stroke(3.5);
    for (i, fan) in data.fans.iter().enumerate() {
        let c = colour(data.first_colour + i);
        let mut band = line(&fan.p95);
        band.extend(line(&fan.p5).into_iter().rev());
        // A second run's band is its edges alone: two filled bands would
        // blend where they overlap into a colour the legend does not name.
        let fill = c.mix(if i > 0 {
            0.0
        } else if two {
            0.18
        } else {
            0.25
        });
        // The edges of an unfilled band are drawn stronger.
        let edge = c.stroke_width(look.stroke(if i > 0 { 2.2 } else { 1.4 }));
        chart
            .draw_series(std::iter::once(Polygon::new(band, fill.filled())))
            .map_err(|e| e.to_string())?
            .label(labels[2 * i].clone())
            .legend(move |(x, y)| {
                let corners = [(x, y - sh), (x + sw, y + sh)];
                if i > 0 {
                    Rectangle::new(corners, edge)
                } else {
                    Rectangle::new(corners, fill.filled())
                }
            });
        if two {
            // Each band's edges in its colour, dashed for the second run.
            let pattern = (look.size.px(6.0), look.size.px(5.0));
            for values in [&fan.p5, &fan.p95] {
                if i == 0 {
                    chart.draw_series(LineSeries::new(line(values), edge))
                } else {
                    chart.draw_series(DashedLineSeries::new(
                        line(values),
                        pattern.0,
                        pattern.1,
                        edge,
                    ))
                }
                .map_err(|e| e.to_string())?;
            }
        }
        chart
            .draw_series(LineSeries::new(line(&fan.p50), c.stroke_width(w)))
            .map_err(|e| e.to_string())?
            .label(labels[2 * i + 1].clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + sw, y)], c.stroke_width(w)));
    }
    // Mean demand: dashed black (the same for every run of a comparison).
    if let Some(fan) = data.fans.first().filter(|f| !f.demand.is_empty()) {
        labels.push(data.words.line.clone());
        let w = look.stroke(3.0);
        let style = colour(7).stroke_width(w);
        let pattern = (look.size.px(14.0), look.size.px(9.0));
        chart
            .draw_series(DashedLineSeries::new(
                line(&fan.demand),
                pattern.0,
                pattern.1,
                style,
            ))
            .map_err(|e| e.to_string())?
            .label(data.words.line.clone())
            .legend(move |at| dashed_swatch(at, sw, pattern, style));
    }
    let mut lines = Vec::new();
    if !data.demand_band.is_empty() {
        let label = "demand, 5-95% range".to_string();
        labels.push(label.clone());
        let style = colour(7).mix(0.7).stroke_width(look.stroke(1.6));
        let pattern = (look.size.px(4.0), look.size.px(6.0));
        for (k, edge) in [0usize, 1].into_iter().enumerate() {
            let values: Vec<f64> = data
                .demand_band
                .iter()
                .map(|b| if edge == 0 { b.0 } else { b.1 })
                .collect();
            let series = chart
                .draw_series(DashedLineSeries::new(
                    line(&values),
                    pattern.0,
                    pattern.1,
                    style,
                ))
                .map_err(|e| e.to_string())?;
            if k == 0 {
                series
                    .label(label.clone())
                    .legend(move |at| dashed_swatch(at, sw, pattern, style));
            }
            lines.extend(densify(&line(&values), 12));
        }
    }
    for fan in &data.fans {
        for values in [&fan.p5, &fan.p50, &fan.p95, &fan.demand] {
            lines.extend(densify(&line(values), 12));
        }
    }
    let mut samples = draw_levels(&mut chart, data, look, &lines)?;
    // The medians again, over the levels: a stock held at its capacity,
    // or a price at its threshold, stays in sight.
    if !data.levels.is_empty() {
        for (i, fan) in data.fans.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(
                    line(&fan.p50),
                    colour(data.first_colour + i).stroke_width(w),
                ))
                .map_err(|e| e.to_string())?;
        }
    }
    samples.extend(lines);
    for fan in &data.fans {
        let (lo, hi) = (densify(&line(&fan.p5), 12), densify(&line(&fan.p95), 12));
        for (a, b) in lo.iter().zip(&hi) {
            samples.extend((1..8).map(|k| (a.0, a.1 + (b.1 - a.1) * k as f64 / 8.0)));
        }
    }
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    legend_box(&mut chart, look, &samples, &labels)
}

/// Draw the chart's levels: a line across the plot and its label just
/// above or below it, at its right or left end, wherever the fewest of
/// `lines` (points along the chart's lines) and of the labels already
/// placed lie, with a white halo so that it reads over the band. Returns points
/// where the levels and labels are, for the legend to keep clear of.
fn draw_levels<'a, 'b: 'a>(
    chart: &mut Chart2d<'a, 'b>,
    data: &FanChart,
    look: &Look,
    lines: &[(f64, f64)],
) -> std::result::Result<Vec<(f64, f64)>, String> {
    let (x0, x1) = year_axis(&data.years);
    let (pw, ph) = chart.plotting_area().dim_in_pixel();
    let (y0, y1) = data.y_range;
    let per_px_x = (x1 - x0) / pw.max(1) as f64;
    let per_px_y = (y1 - y0) / ph.max(1) as f64;
    let font = look.size.font(23.0) as f64;
    let pad = look.size.px(8.0) as f64;
    let mut samples = Vec::new();
    let mut placed: Vec<[f64; 4]> = Vec::new();
    for level in data.levels.iter().filter(|l| l.y > y0 && l.y < y1) {
        let (colour, width) = if level.strong {
            (PALETTE[5], look.stroke(3.0))
        } else {
            (RGBColor(110, 110, 110), look.stroke(2.0))
        };
        let style = colour.stroke_width(width);
        let line = vec![(x0, level.y), (x1, level.y)];
        if level.strong {
            let (dash, gap) = (look.size.px(18.0), look.size.px(10.0));
            chart
                .draw_series(DashedLineSeries::new(line.clone(), dash, gap, style))
                .map_err(|e| e.to_string())?;
        } else {
            chart
                .draw_series(LineSeries::new(line.clone(), style))
                .map_err(|e| e.to_string())?;
        }
        let text = (FONT, font as u32)
            .into_font()
            .color(&colour)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let text_px = chart
            .plotting_area()
            .estimate_text_size(&level.label, &text)
            .map_or(0.6 * font * level.label.chars().count() as f64, |(w, _)| {
                f64::from(w)
            });
        // Candidate boxes [left, right, bottom, top], in order of preference.
        let w = (text_px + 2.0 * pad) * per_px_x;
        let h = (font * 1.25 + pad) * per_px_y;
        let gap = 0.5 * pad * per_px_y;
        let (right_end, left_end) = (x1 - 2.0 * pad * per_px_x, x0 + 2.0 * pad * per_px_x);
        let candidates = [
            [right_end - w, right_end, level.y + gap, level.y + gap + h],
            [right_end - w, right_end, level.y - gap - h, level.y - gap],
            [left_end, left_end + w, level.y + gap, level.y + gap + h],
            [left_end, left_end + w, level.y - gap - h, level.y - gap],
        ];
        let inside =
            |b: &[f64; 4], p: &(f64, f64)| p.0 >= b[0] && p.0 <= b[1] && p.1 >= b[2] && p.1 <= b[3];
        let overlaps =
            |a: &[f64; 4], b: &[f64; 4]| a[0] < b[1] && b[0] < a[1] && a[2] < b[3] && b[2] < a[3];
        let score = |b: &[f64; 4]| {
            let outside = if b[2] < y0 || b[3] > y1 { 10_000 } else { 0 };
            // Neither over another label nor across another level's line.
            let clash = placed.iter().filter(|p| overlaps(b, p)).count()
                + data
                    .levels
                    .iter()
                    .filter(|o| b[2] < o.y && o.y < b[3])
                    .count();
            outside + clash * 1_000 + lines.iter().filter(|p| inside(b, p)).count()
        };
        let Some(b) = candidates.iter().min_by_key(|b| score(b)).copied() else {
            continue;
        };
        // A white halo (the text drawn in white around its place) keeps
        // the label legible over a band without hiding the band.
        let centre = ((b[0] + b[1]) / 2.0, (b[2] + b[3]) / 2.0);
        let halo = look.size.px(2.0) as i32;
        let white = text.color(&WHITE);
        for (dx, dy) in [
            (-1, -1),
            (0, -1),
            (1, -1),
            (-1, 0),
            (1, 0),
            (-1, 1),
            (0, 1),
            (1, 1),
        ] {
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at(centre)
                        + Text::new(level.label.clone(), (dx * halo, dy * halo), white.clone()),
                ))
                .map_err(|e| e.to_string())?;
        }
        chart
            .draw_series(std::iter::once(Text::new(
                level.label.clone(),
                centre,
                text,
            )))
            .map_err(|e| e.to_string())?;
        samples.extend(densify(&line, 40));
        for k in 0..=8 {
            let x = b[0] + (b[1] - b[0]) * k as f64 / 8.0;
            samples.extend([(x, b[2]), (x, b[3])]);
        }
        placed.push(b);
    }
    Ok(samples)
}
