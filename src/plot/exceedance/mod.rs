//! Exceedance curves: the probability that a horizon's total unserved
//! amount exceeds x, with p90/p95/p99 marked (`exceedance_<mineral>.png`,
//! and the bottom panel of `compare_<mineral>.png`), and that the
//! consumer's cost of a world market's prices over the horizon exceeds x,
//! with p95 marked (`cost_exceedance.png`).

mod cost;
mod draw;

pub use cost::{cost_exceedance_chart, CostCurve};
pub(super) use draw::draw_exceedance;

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
