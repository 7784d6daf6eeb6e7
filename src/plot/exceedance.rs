//! Exceedance curves: the probability that a horizon's total unserved
//! amount exceeds x, with p90/p95/p99 marked (`exceedance_<mineral>.png`,
//! and the bottom panel of `compare_<mineral>.png`), and that the
//! consumer's cost of a world market's prices over the horizon exceeds x,
//! with p95 marked (`cost_exceedance.png`).

use super::labels::{log_probability_label, tick_label, value_label};
use super::legend::{densify, draw_note, legend_box};
use super::style::{colour, Area, Look};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One exceedance curve: `P(total unserved > x)` against `x`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceedanceCurve {
    /// Legend name.
    pub label: String,
    /// `(x, P(X > x))` points, x increasing, probability decreasing.
    pub points: Vec<(f64, f64)>,
    /// Marked quantiles: `(name, x, P(X > x))`, e.g. ("p95", 48.7, 0.05).
    pub markers: Vec<(String, f64, f64)>,
    /// Whether the curve was cut where too few trials lie beyond x.
    pub cut: bool,
}

/// A curve stops where fewer than this many trials lie beyond x: further
/// out it would be the noise of a handful of trials.
pub const THIN_TRIALS: f64 = 30.0;

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
    /// Words either side of a grey line at x = 0, drawn when the axis
    /// spans 0 (`("saving", "cost")`: a cost may be negative).
    pub zero_line: Option<(String, String)>,
}

/// An exceedance curve `(x, P(X > x))` of a run of `trials` trials, as
/// the results give it (see [`crate::summary::exceedance_curves`]), up to
/// the first point beyond which fewer than [`THIN_TRIALS`] trials lie.
/// Runs of fewer than 1,000 trials are too small for the cut: their whole
/// curve is thin, and `run` warns about it.
pub fn exceedance_curve(label: &str, points: &[(f64, f64)], trials: u64) -> ExceedanceCurve {
    let floor = THIN_TRIALS / trials.max(1) as f64;
    let keep = points
        .iter()
        .position(|p| trials >= 1_000 && p.1 < floor)
        .map_or(points.len(), |i| i + 1);
    ExceedanceCurve {
        label: label.to_string(),
        points: points[..keep].to_vec(),
        markers: Vec::new(),
        cut: keep < points.len(),
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
            c.label = "P(total > x)".to_string();
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
    let markers_max = curves
        .iter()
        .flat_map(|c| c.markers.iter().map(|m| m.1))
        .fold(0.0, f64::max);
    x_max = x_max.max(markers_max);
    let cut = curves.iter().any(|c| c.cut);
    let log_y = any_positive && smallest_p < 0.05;
    let y_range = if log_y {
        (smallest_p / 3.0, 1.0)
    } else {
        (0.0, 1.0)
    };
    ExceedanceChart {
        unit: unit.to_string(),
        title: format!("{title}: {mineral}, total unserved over the horizon (any amount)"),
        x_label: if cut && any_positive {
            format!(
                "Total unserved {mineral} over the horizon, {unit} (curves stop where fewer than {THIN_TRIALS} trials lie beyond x)"
            )
        } else {
            format!("Total unserved {mineral} over the horizon, {unit}")
        },
        x_range: if x_max > 0.0 {
            (0.0, x_max * 1.05)
        } else {
            (0.0, 1.0)
        },
        y_range,
        log_y,
        note: (!any_positive).then(|| "No unserved demand in any trial".to_string()),
        zero_line: None,
        curves,
    }
}

impl ExceedanceChart {
    /// The chart of a mineral traded on a world market, whose unserved
    /// demand is demand priced out or rationed: its title and axis say so.
    pub fn priced_out(mut self, mineral: &str) -> ExceedanceChart {
        let from = format!("{mineral}, total unserved over the horizon (any amount)");
        let to = format!("{mineral} demand priced out or rationed over the horizon (any amount)");
        self.title = self.title.replace(&from, &to);
        let from = format!("Total unserved {mineral} over the horizon");
        let to = format!("{mineral} demand priced out or rationed over the horizon");
        self.x_label = self.x_label.replace(&from, &to);
        self
    }
}

/// One market mineral's cost for [`cost_exceedance_chart`]: its id, its
/// market's currency, the exceedance curve of the consumer's horizon cost
/// (see [`exceedance_curve`]) and the cost's 95th percentile.
#[derive(Debug, Clone, PartialEq)]
pub struct CostCurve {
    /// Mineral id.
    pub mineral: String,
    /// Currency of the cost.
    pub currency: String,
    /// `P(cost > x)` against `x`.
    pub curve: ExceedanceCurve,
    /// `cost_p95`.
    pub p95: f64,
}

/// `cost_exceedance.png`: per mineral traded on a world market, the
/// probability that the consumer's cost over the horizon exceeds x, with
/// p95 marked. The cost may be negative (prices below the reference
/// price), so x may start below 0.
pub fn cost_exceedance_chart(title: &str, costs: Vec<CostCurve>) -> ExceedanceChart {
    let one_currency = costs
        .first()
        .map(|c| c.currency.clone())
        .filter(|cur| costs.iter().all(|c| &c.currency == cur));
    let mut smallest_p = 1.0f64;
    let mut hi = f64::NEG_INFINITY;
    let mut cut = false;
    let curves: Vec<ExceedanceCurve> = costs
        .into_iter()
        .map(|c| {
            let mut curve = c.curve;
            // The p95 in the legend, its marker unlabelled: with several
            // minerals' curves crossing near 0, labels beside the markers
            // would cover the curves and each other.
            let p95 = value_label(c.p95);
            curve.label = match &one_currency {
                Some(_) => format!("{}: 1 in 20 above {p95} {}", c.mineral, c.currency),
                None => format!("{} ({}): 1 in 20 above {p95}", c.mineral, c.currency),
            };
            curve.markers = vec![(String::new(), c.p95, 0.05)];
            for &(x, p) in &curve.points {
                hi = hi.max(x).max(c.p95);
                if p > 0.0 {
                    smallest_p = smallest_p.min(p);
                }
            }
            cut |= curve.cut;
            curve
        })
        .collect();
    let log_y = smallest_p < 0.05;
    let y_range = if log_y {
        (smallest_p / 3.0, 1.0)
    } else {
        (0.0, 1.0)
    };
    // Where the curves leave the top of the chart: within half a percent
    // of its height of 100%, a curve is a flat line along the top.
    let top = if log_y {
        10f64.powf(0.005 * y_range.0.log10())
    } else {
        0.995
    };
    let lo = curves
        .iter()
        .flat_map(|c| {
            let marked = c.markers.iter().map(|m| m.1);
            marked.chain(std::iter::once(leaves_top(&c.points, top)))
        })
        .fold(f64::INFINITY, f64::min);
    let (lo, hi) = if lo.is_finite() && hi > lo {
        let pad = 0.04 * (hi - lo);
        (if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad)
    } else if lo.is_finite() {
        (lo.min(0.0) - 1.0, hi.max(0.0) + 1.0)
    } else {
        (0.0, 1.0)
    };
    // Each curve starts at the left of the axis: at the probability of its
    // last point left of it, or at 100% where none is (below the smallest
    // cost every trial exceeds x).
    let mut curves = curves;
    for c in &mut curves {
        let left = c.points.partition_point(|&(x, _)| x < lo);
        let start = left.checked_sub(1).map_or(1.0, |i| c.points[i].1);
        c.points.drain(..left);
        if let Some(&(x, p)) = c.points.first() {
            if p < start && x > lo {
                c.points.insert(0, (lo, start));
            }
        }
    }
    let in_currency = one_currency.as_deref().map_or_else(
        || "in each market's currency".to_string(),
        |c| c.to_string(),
    );
    let mut x_label = format!("Consumer's cost over the horizon, {in_currency}");
    if cut {
        x_label.push_str(&format!(
            " (curves stop where fewer than {THIN_TRIALS} trials lie beyond x)"
        ));
    }
    ExceedanceChart {
        title: format!("{title}: consumer's cost over the horizon against reference prices"),
        x_label,
        curves,
        x_range: (lo, hi),
        y_range,
        log_y,
        note: None,
        unit: one_currency.unwrap_or_default(),
        zero_line: Some(("saving".to_string(), "cost".to_string())),
    }
}

/// Where a cost curve leaves the top of the chart: the cost of its last
/// point at which at least a share `top` of trials exceed it (its first
/// point where none does). Left of it the curve runs flat along the top,
/// so the axis need not reach the smallest cost of all.
fn leaves_top(points: &[(f64, f64)], top: f64) -> f64 {
    let above = points.partition_point(|&(_, p)| p >= top);
    points
        .get(above.saturating_sub(1))
        .map_or(f64::INFINITY, |&(x, _)| x)
}

/// Draw exceedance curves, with markers at p90/p95/p99, as PNG bytes.
pub(super) fn draw_exceedance(
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The chart curve of per-trial totals, as a run's results give it.
    fn curve_of(label: &str, totals: &[f64], max_points: usize) -> ExceedanceCurve {
        let points =
            crate::distribution::Distribution::Values(totals.to_vec()).exceedance(max_points);
        exceedance_curve(label, &points, totals.len() as u64)
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
    fn exceedance_curve_is_thinned_and_stops_where_30_trials_remain() {
        let totals: Vec<f64> = (0..100_000).map(|i| i as f64).collect();
        let c = curve_of("x", &totals, 200);
        assert!(c.points.len() <= 260, "{} points", c.points.len());
        assert!(c.cut);
        // The last point is the first beyond which fewer than 30 remain.
        let (x, p) = *c.points.last().unwrap();
        assert!(p < 30.0 / 1e5 && p * 1e5 > 20.0, "({x}, {p})");
        let before = c.points[c.points.len() - 2].1;
        assert!(before * 1e5 >= 30.0);
        assert!(c
            .points
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 >= w[1].1));
    }

    #[test]
    fn cost_axis_starts_where_a_curve_leaves_the_top() {
        let cost = |mineral: &str, points: &[(f64, f64)], p95| CostCurve {
            mineral: mineral.into(),
            currency: "USD".into(),
            curve: exceedance_curve(mineral, points, 100_000),
            p95,
        };
        // A long left tail above 99.5% on a linear axis: the axis starts
        // at its last point there (-10), less 4% of the span, not at -1,000.
        let long = [(-1000.0, 0.9999), (-10.0, 0.995), (0.0, 0.98), (200.0, 0.0)];
        let ch = cost_exceedance_chart("T", vec![cost("cu", &long, 150.0)]);
        let pad = 0.04 * 210.0;
        assert!(
            (ch.x_range.0 - (-10.0 - pad)).abs() < 1e-9,
            "{:?}",
            ch.x_range
        );
        assert!((ch.x_range.1 - (200.0 + pad)).abs() < 1e-9);
        // The curve enters at the probability of the point it dropped.
        assert_eq!(ch.curves[0].points[0], (ch.x_range.0, 0.9999));
        assert_eq!(&ch.curves[0].points[1..], &long[1..]);
        // A second curve that leaves the top further left sets the axis;
        // one whose first point is below 99% keeps it, and enters at 100%.
        let early = [(-50.0, 0.995), (-40.0, 0.5), (10.0, 0.0)];
        let low = [(20.0, 0.6), (60.0, 0.0)];
        let ch = cost_exceedance_chart(
            "T",
            vec![
                cost("cu", &long, 150.0),
                cost("ni", &early, -45.0),
                cost("li", &low, 55.0),
            ],
        );
        let pad = 0.04 * 250.0;
        assert!(
            (ch.x_range.0 - (-50.0 - pad)).abs() < 1e-9,
            "{:?}",
            ch.x_range
        );
        assert_eq!(ch.curves[0].points[0], (ch.x_range.0, 0.9999));
        assert_eq!(ch.curves[1].points[0], (ch.x_range.0, 1.0));
        assert_eq!(&ch.curves[1].points[1..], &early[..]);
        assert_eq!(ch.curves[2].points[0], (ch.x_range.0, 1.0));
        // Costs that leave the top above 0 keep 0 at the left.
        let ch = cost_exceedance_chart("T", vec![cost("li", &low, 55.0)]);
        assert_eq!(ch.x_range.0, 0.0);
        // On a log axis down to 1/3 of 0.1%, half a percent of the height
        // below the top is 96.1%: 97% is still flat along it, 99.4% was
        // not on the linear axis above.
        let tail = [(-1000.0, 0.994), (-10.0, 0.97), (0.0, 0.5), (90.0, 0.001)];
        let ch = cost_exceedance_chart("T", vec![cost("co", &tail, 50.0)]);
        assert!(ch.log_y);
        let top = 10f64.powf(0.005 * (0.001f64 / 3.0).log10());
        assert!((top - 0.9608).abs() < 1e-4, "{top}");
        let pad = 0.04 * 100.0;
        assert!(
            (ch.x_range.0 - (-10.0 - pad)).abs() < 1e-9,
            "{:?}",
            ch.x_range
        );
        assert_eq!(ch.curves[0].points[0], (ch.x_range.0, 0.994));
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
        // The curve stops at the first point below 30 trials in 10,000;
        // the axis goes a third lower.
        let smallest = ch.curves[0].points.last().unwrap().1;
        assert!(smallest < 0.003 && smallest > 0.002, "{smallest}");
        assert!((ch.y_range.0 - smallest / 3.0).abs() < 1e-12 && ch.y_range.1 == 1.0);
        assert_eq!(ch.curves[0].label, "P(total > x)");
        assert_eq!(ch.curves[0].markers.len(), 3);
        assert!(ch.note.is_none());
        assert!(ch
            .x_label
            .contains("curves stop where fewer than 30 trials lie beyond x"));
        assert!(ch
            .title
            .contains("total unserved over the horizon (any amount)"));
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
