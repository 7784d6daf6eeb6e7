//! Charts: PNG files an analyst can paste into a briefing.
//!
//! [`data`] turns results into chart data (series, labels, ranges), which
//! tests check; [`draw`] renders it with plotters. The same chart kinds
//! (fan, lines, exceedance, bars) serve `run` and the comparison commands.

pub mod data;
pub mod draw;

use crate::error::Result;
use crate::summary::Summary;
use data::Chart;
pub use draw::ChartSize;
use rayon::prelude::*;

/// One rendered chart.
#[derive(Debug, Clone)]
pub struct ChartFile {
    /// File name, such as `supply_copper.png`.
    pub name: String,
    /// One-line description for reports.
    pub caption: String,
    /// PNG bytes.
    pub png: Vec<u8>,
}

/// A mineral id made safe for a file name: letters, digits, `.`, `_` and
/// `-` are kept, anything else becomes `_`.
pub fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The `[p90, p95, p99]` quantiles of a mineral's horizon total.
fn tail_quantiles(summary: &Summary, mineral: &str) -> [f64; 3] {
    summary.minerals.get(mineral).map_or([0.0; 3], |m| {
        [m.unserved_p90, m.unserved_p95, m.unserved_p99]
    })
}

/// Every chart of `run`: a supply fan and an exceedance curve per
/// mineral, the shortfall probabilities, and concentration. `curves` holds
/// each mineral's exceedance curve of the horizon totals, in scenario order
/// ([`crate::summary::exceedance_curves`]).
pub fn run_charts(
    summary: &Summary,
    curves: &[Vec<(f64, f64)>],
    size: ChartSize,
) -> Result<Vec<ChartFile>> {
    let title = &summary.scenario;
    let mut jobs: Vec<(String, String, Vec<Chart>)> = vec![(
        "shortfall_probability.png".to_string(),
        "Probability that each year is a shortfall year, by mineral, with 95% error bars"
            .to_string(),
        vec![Chart::Lines(data::shortfall_lines(summary))],
    )];
    for ((id, m), curve) in summary.minerals.0.iter().zip(curves) {
        let safe = file_safe(id);
        jobs.push((
            format!("supply_{safe}.png"),
            format!("{id}: annual accessible supply (5-95% range and median) against mean demand"),
            vec![Chart::Fan(data::supply_fan(
                title,
                &[(title.as_str(), summary)],
                id,
            ))],
        ));
        jobs.push((
            format!("exceedance_{safe}.png"),
            format!("{id}: probability that the horizon's total unserved amount exceeds x"),
            vec![Chart::Exceedance(data::exceedance_chart(
                title,
                id,
                &m.unit,
                vec![(
                    data::exceedance_curve(title, curve),
                    tail_quantiles(summary, id),
                )],
            ))],
        ));
    }
    jobs.push((
        "concentration.png".to_string(),
        "Supplier concentration (HHI by country) without and with projects".to_string(),
        vec![Chart::Bars(data::concentration_bars(summary))],
    ));
    render_all(jobs, size)
}

/// Draw charts in parallel, keeping their order: `(file name, caption,
/// panels stacked top to bottom)`.
pub fn render_all(
    jobs: Vec<(String, String, Vec<Chart>)>,
    size: ChartSize,
) -> Result<Vec<ChartFile>> {
    jobs.into_par_iter()
        .map(|(name, caption, panels)| {
            draw::png(&panels, size).map(|png| ChartFile { name, caption, png })
        })
        .collect()
}

/// Charts of `compare`: per shared mineral both supply fans and both
/// exceedance curves (`compare_<mineral>.png`, two panels), and
/// `risk_reduction.png`. `base` and `alt` hold each run's exceedance
/// curves, in its scenario's mineral order.
pub fn compare_charts(
    cmp: &crate::compare::Comparison,
    base: &[Vec<(f64, f64)>],
    alt: &[Vec<(f64, f64)>],
    size: ChartSize,
) -> Result<Vec<ChartFile>> {
    let title = "Baseline vs alternative";
    let mut jobs: Vec<(String, String, Vec<Chart>)> = Vec::new();
    for (id, mc) in &cmp.minerals.0 {
        let index = |s: &Summary| s.minerals.0.iter().position(|(k, _)| k == id);
        let (Some(bi), Some(ai)) = (index(&cmp.baseline), index(&cmp.alternative)) else {
            continue;
        };
        let fan = data::supply_fan(
            title,
            &[
                ("baseline", &cmp.baseline),
                ("alternative", &cmp.alternative),
            ],
            id,
        );
        let ex = data::exceedance_chart(
            title,
            id,
            &mc.unit,
            vec![
                (
                    data::exceedance_curve("baseline", &base[bi]),
                    tail_quantiles(&cmp.baseline, id),
                ),
                (
                    data::exceedance_curve("alternative", &alt[ai]),
                    tail_quantiles(&cmp.alternative, id),
                ),
            ],
        );
        jobs.push((
            format!("compare_{}.png", file_safe(id)),
            format!(
                "{id}: supply fans and shortfall exceedance, baseline vs alternative (same trials)"
            ),
            vec![Chart::Fan(fan), Chart::Exceedance(ex)],
        ));
    }
    jobs.push((
        "risk_reduction.png".to_string(),
        "Expected unserved demand (% of baseline) and probability of any shortfall year, baseline vs alternative, with 95% error bars".to_string(),
        data::risk_reduction_bars(cmp).into_iter().map(Chart::Bars).collect(),
    ));
    render_all(jobs, size)
}

/// Entities shown in a tornado chart.
pub const TORNADO_TOP: usize = 15;

/// `tornado_<mineral>.png` for every mineral of a sensitivity analysis.
pub fn sensitivity_charts(
    sens: &crate::sensitivity::Sensitivity,
    scenario: &crate::scenario::Scenario,
    size: ChartSize,
) -> Result<Vec<ChartFile>> {
    let jobs = sens
        .minerals
        .0
        .iter()
        .zip(&scenario.minerals)
        .map(|((id, entries), m)| {
            (
                format!("tornado_{}.png", file_safe(id)),
                format!("{id}: change in expected unserved demand when each disruption is switched off (top {TORNADO_TOP}, 95% error bars)"),
                vec![Chart::Tornado(data::tornado(&scenario.name, id, &m.unit, entries, TORNADO_TOP))],
            )
        })
        .collect();
    render_all(jobs, size)
}

/// `sweep_<mineral>.png` (one panel per metric) for every mineral whose
/// results change across the sweep.
pub fn sweep_charts(
    sweep: &crate::sweep::Sweep,
    scenario: &crate::scenario::Scenario,
    metrics: &[String],
    size: ChartSize,
) -> Result<Vec<ChartFile>> {
    let mut jobs = Vec::new();
    for m in &scenario.minerals {
        let values: Vec<_> = sweep
            .points
            .iter()
            .filter_map(|p| p.minerals.get(&m.id))
            .collect();
        if values.windows(2).all(|w| w[0] == w[1]) {
            continue;
        }
        let panels = metrics
            .iter()
            .map(|metric| Chart::Lines(data::sweep_lines(sweep, &m.id, &m.unit, metric)))
            .collect();
        jobs.push((
            format!("sweep_{}.png", file_safe(&m.id)),
            format!(
                "{}: {} against {}, with 95% bands",
                m.id,
                metrics.join(", "),
                sweep.parameter
            ),
            panels,
        ));
    }
    render_all(jobs, size)
}
