//! Drawing exceedance charts: curves, markers and their labels.

use super::ExceedanceChart;
use crate::plot::labels::{log_probability_label, tick_label, value_label};
use crate::plot::legend::{densify, draw_note, legend_box};
use crate::plot::style::{colour, Area, Look};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Draw exceedance curves, with markers at p90/p95/p99, as PNG bytes.
pub(in crate::plot) fn draw_exceedance(
    root: &Area,
    data: &ExceedanceChart,
    look: &Look,
) -> std::result::Result<(), String> {
    let (sw, _) = look.swatch();
    let log = data.log_y;
    // On a log axis, plot log10(p) on a linear axis with percentage labels.
    let ty = move |p: f64| if log { p.log10() } else { p };
    let (y0, y1) = (ty(data.y_range.0), ty(data.y_range.1));
    let (x0, x1) = data.x_range;
    let ends = if log {
        [log_probability_label(y0.floor()), log_probability_label(y1)]
    } else {
        ["100%".to_string(), String::new()]
    };
    let mut chart = look
        .builder(root, &data.title, &ends)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    let decades = (y1 - y0).ceil().max(1.0) as usize;
    chart
        .configure_mesh()
        .x_desc(&data.x_label)
        .y_desc(if log {
            "Probability of exceeding (log scale)"
        } else {
            "Probability of exceeding"
        })
        .axis_desc_style(look.axis())
        .label_style(look.tick())
        .x_labels(10)
        .y_labels(if log { decades + 1 } else { 11 })
        .x_label_formatter(&|x| tick_label(*x, x1 - x0))
        .y_label_formatter(&|y| {
            if log {
                log_probability_label(*y)
            } else {
                format!("{:.0}%", y * 100.0)
            }
        })
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    let w = look.stroke(3.5);
    let mut samples = Vec::new();
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
    // Unlabelled markers drawn so far: centre and radius, in pixels.
    let mut dots: Vec<((i32, i32), i32)> = Vec::new();
    if let Some((below, above)) = data.zero_line.as_ref().filter(|_| x0 < 0.0 && x1 > 0.0) {
        let grey = RGBColor(110, 110, 110);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, y0), (0.0, y1)],
                grey.stroke_width(look.stroke(2.0)),
            )))
            .map_err(|e| e.to_string())?;
        // The words sit near the bottom, either side of the line.
        let at = y0 + 0.04 * (y1 - y0);
        let gap = look.size.px(10.0) as i32;
        for (text, h, dx) in [(below, HPos::Right, -gap), (above, HPos::Left, gap)] {
            let arrowed = if dx < 0 {
                format!("← {text}")
            } else {
                format!("{text} →")
            };
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((0.0, at))
                        + Text::new(
                            arrowed,
                            (dx, 0),
                            look.tick().color(&grey).pos(Pos::new(h, VPos::Center)),
                        ),
                ))
                .map_err(|e| e.to_string())?;
            samples.extend((0..6).map(|k| (0.0, at + k as f64 * 0.01 * (y1 - y0))));
        }
    }
    for (i, c) in data.curves.iter().enumerate() {
        let col = colour(i);
        // Step function: P(X > x) holds from one distinct value to the next.
        let mut pts: Vec<(f64, f64)> = Vec::with_capacity(c.points.len() * 2);
        for win in c.points.windows(2) {
            let ((xa, pa), (xb, _)) = (win[0], win[1]);
            if pa > 0.0 || !log {
                pts.push((xa, ty(pa)));
                pts.push((xb, ty(pa)));
            }
        }
        samples.extend(densify(&pts, 6));
        chart
            .draw_series(LineSeries::new(pts, col.stroke_width(w)))
            .map_err(|e| e.to_string())?
            .label(c.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + sw, y)], col.stroke_width(w)));
        let r = look.size.px(9.0) as i32;
        let (dx, dy) = (r + look.size.px(4.0) as i32, r + look.size.px(2.0) as i32);
        let (left_px, right_px) = {
            let range = chart.plotting_area().get_pixel_range().0;
            (range.start, range.end)
        };
        let char_px = 0.6 * look.size.font(23.0) as f64;
        let line_px = look.size.font(23.0) as i32 + 2;
        for (name, x, p) in &c.markers {
            // A marker at 0 on an axis that starts there says nothing.
            if *x <= 0.0 && x0 >= 0.0 {
                continue;
            }
            let y = ty(*p);
            if name.is_empty() {
                // An unlabelled marker, ringed in white. One that would
                // cover another is drawn smaller, inside it, so that both
                // colours show (an outer ring and an inner dot).
                let at = chart.backend_coord(&(*x, y));
                let inner = dots
                    .iter()
                    .filter(|(c, rc)| {
                        let (ex, ey) = ((c.0 - at.0) as f64, (c.1 - at.1) as f64);
                        ex.hypot(ey) < f64::from(rc + r)
                    })
                    .map(|&(_, rc)| rc)
                    .min();
                let rr = inner.map_or(r, |rc| (rc * 11 / 20).max(3));
                dots.push((at, rr));
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((*x, y))
                            + Circle::new((0, 0), rr as u32 + 3, WHITE.filled())
                            + Circle::new((0, 0), rr as u32, col.filled()),
                    ))
                    .map_err(|e| e.to_string())?;
                continue;
            }
            let label = format!("{name}: {} {}", value_label(*x), data.unit)
                .trim_end()
                .to_string();
            // First curve: labels above right of the marker, below left
            // where that would run off the plot; others: below left (above
            // right is the first curve's). The curves fall to the right:
            // above right and below left of a marker are clear of its own
            // curve. A label that would overlap one already placed moves
            // to the next free place, further away step by step.
            let width = (char_px * label.chars().count() as f64) as i32;
            let at = chart.backend_coord(&(*x, y));
            let above = (HPos::Left, dx, VPos::Bottom, -dy);
            let below = (HPos::Right, -dx, VPos::Top, dy);
            let order = if i == 0 {
                [above, below]
            } else {
                [below, above]
            };
            let fits = |&(h, ox, v, oy): &(HPos, i32, VPos, i32)| {
                let b = label_box(at, (h, ox, v, oy), width, line_px);
                b.0 >= left_px && b.2 <= right_px && !placed.iter().any(|p| overlaps(p, &b))
            };
            let candidates = (0..5).flat_map(|k| {
                order
                    .into_iter()
                    .map(move |(h, ox, v, oy)| (h, ox, v, oy + oy.signum() * k * line_px))
            });
            let (h, ox, v, oy) = candidates.clone().find(|c| fits(c)).unwrap_or_else(|| {
                if at.0 - dx - width >= left_px {
                    below
                } else {
                    (HPos::Left, left_px + dx / 2 - at.0, VPos::Top, dy)
                }
            });
            placed.push(label_box(at, (h, ox, v, oy), width, line_px));
            // In the curve's colour, so each label says whose marker it is.
            let font = look.tick().color(&col).pos(Pos::new(h, v));
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((*x, y))
                        + Circle::new((0, 0), r as u32, col.filled())
                        + Text::new(label, (ox, oy), font),
                ))
                .map_err(|e| e.to_string())?;
        }
    }
    draw_note(&chart, look, &data.note, (x0, x1), (y0, y1))?;
    let labels: Vec<&str> = data.curves.iter().map(|c| c.label.as_str()).collect();
    legend_box(&mut chart, look, &samples, &labels)
}

/// The pixel box `(left, top, right, bottom)` of a label of `width` and
/// `height` anchored at `at` moved by `(ox, oy)` and aligned by `(h, v)`.
fn label_box(
    at: (i32, i32),
    (h, ox, v, oy): (HPos, i32, VPos, i32),
    width: i32,
    height: i32,
) -> (i32, i32, i32, i32) {
    let (ax, ay) = (at.0 + ox, at.1 + oy);
    let (l, r) = match h {
        HPos::Left => (ax, ax + width),
        HPos::Right => (ax - width, ax),
        HPos::Center => (ax - width / 2, ax + width / 2),
    };
    let (t, b) = match v {
        VPos::Bottom => (ay - height, ay),
        VPos::Top => (ay, ay + height),
        VPos::Center => (ay - height / 2, ay + height / 2),
    };
    (l, t, r, b)
}

/// Whether two pixel boxes overlap.
fn overlaps(a: &(i32, i32, i32, i32), b: &(i32, i32, i32, i32)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}
