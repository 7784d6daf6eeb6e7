//! `cost_exceedance.png`: the probability that the consumer's cost of a
//! world market's prices over the horizon exceeds x, per market mineral.

use super::{ExceedanceChart, ExceedanceCurve, THIN_TRIALS};
use crate::plot::labels::value_label;

/// One market mineral's cost for [`cost_exceedance_chart`]: its id, its
/// market's currency, the exceedance curve of the consumer's horizon cost
/// (see [`exceedance_curve`](super::exceedance_curve)) and the cost's 95th percentile.
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
    // Left of 0 at least a share of the axis for the word "saving".
    let lo = if lo < 0.0 && hi > 0.0 {
        lo.min(-SAVING_ROOM * hi / (1.0 - SAVING_ROOM))
    } else {
        lo
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

/// The least share of a cost axis that spans 0 left of 0, where the
/// words "← saving" go.
const SAVING_ROOM: f64 = 0.08;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::exceedance::exceedance_curve;

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
        // A curve that leaves the top just below 0 leaves room for the
        // word "saving" left of 0: 8% of the axis.
        let near = [(-5.0, 0.6), (1000.0, 0.0)];
        let ch = cost_exceedance_chart("T", vec![cost("li", &near, 900.0)]);
        let (x0, x1) = ch.x_range;
        assert!((x1 - (1000.0 + 0.04 * 1005.0)).abs() < 1e-9);
        assert!((-x0 / (x1 - x0) - 0.08).abs() < 1e-12, "{:?}", ch.x_range);
        assert_eq!(ch.curves[0].points[0], (x0, 1.0));
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
}
