//! Charts: PNG files an analyst can paste into a briefing.
//!
//! [`data`] turns results into chart data (series, labels, ranges), which
//! tests check; [`draw`] renders it with plotters. The same chart kinds
//! (fan, lines, exceedance, bars) serve `run` and the comparison commands.

pub mod data;
pub mod draw;

use crate::engine::Aggregate;
use crate::error::Result;
use crate::summary::Summary;
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

/// A chart waiting to be drawn.
enum Job {
    Fan(data::FanChart),
    Lines(data::LineChart),
    Exceedance(data::ExceedanceChart),
    Bars(data::BarChart),
}

impl Job {
    fn draw(&self, size: ChartSize) -> Result<Vec<u8>> {
        match self {
            Job::Fan(d) => draw::fan_chart(d, size),
            Job::Lines(d) => draw::line_chart(d, size),
            Job::Exceedance(d) => draw::exceedance_chart(d, size),
            Job::Bars(d) => draw::bar_chart(d, size),
        }
    }
}

/// The `[p90, p95, p99]` quantiles of a mineral's horizon total.
fn tail_quantiles(summary: &Summary, mineral: &str) -> [f64; 3] {
    summary.minerals.get(mineral).map_or([0.0; 3], |m| {
        [m.unserved_p90, m.unserved_p95, m.unserved_p99]
    })
}

/// Every chart of `run` (CLI.md): a supply fan and an exceedance curve per
/// mineral, the shortfall probabilities, and concentration.
pub fn run_charts(summary: &Summary, agg: &Aggregate, size: ChartSize) -> Result<Vec<ChartFile>> {
    let title = &summary.scenario;
    let mut jobs: Vec<(String, String, Job)> = vec![(
        "shortfall_probability.png".to_string(),
        "Probability that each year is a shortfall year, by mineral, with 95% error bars"
            .to_string(),
        Job::Lines(data::shortfall_lines(summary)),
    )];
    for ((id, m), acc) in summary.minerals.0.iter().zip(&agg.minerals) {
        let safe = file_safe(id);
        jobs.push((
            format!("supply_{safe}.png"),
            format!("{id}: annual accessible supply (5-95% range and median) against mean demand"),
            Job::Fan(data::supply_fan(title, &[(title.as_str(), summary)], id)),
        ));
        jobs.push((
            format!("exceedance_{safe}.png"),
            format!("{id}: probability that the horizon's total unserved amount exceeds x"),
            Job::Exceedance(data::exceedance_chart(
                title,
                id,
                &m.unit,
                &[(title.as_str(), &acc.totals, tail_quantiles(summary, id))],
            )),
        ));
    }
    jobs.push((
        "concentration.png".to_string(),
        "Supplier concentration (HHI by country) without and with projects".to_string(),
        Job::Bars(data::concentration_bars(summary)),
    ));
    render_all(jobs, size)
}

/// Draw jobs in parallel, keeping their order.
fn render_all(jobs: Vec<(String, String, Job)>, size: ChartSize) -> Result<Vec<ChartFile>> {
    jobs.into_par_iter()
        .map(|(name, caption, job)| job.draw(size).map(|png| ChartFile { name, caption, png }))
        .collect()
}
