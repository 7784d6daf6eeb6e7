//! Supply fans: the 5-95% band and median of annual supply against mean
//! demand (`supply_<mineral>.png`, and the top panel of
//! `compare_<mineral>.png`).

use super::axes::{max_of, year_axis, zoomed_range};
use super::labels::tick_label;
use super::legend::{dashed_swatch, densify, legend_box};
use super::style::{colour, Area, Look};
use crate::summary::Summary;
use plotters::prelude::*;

/// A band (5th–95th percentile), a median line and a reference line per
/// year: supply against demand.
#[derive(Debug, Clone, PartialEq)]
pub struct FanSeries {
    /// Legend name of the run (scenario name, or "baseline"/"alternative").
    pub label: String,
    /// Lower edge of the band.
    pub p5: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// Upper edge of the band.
    pub p95: Vec<f64>,
    /// Mean demand.
    pub demand: Vec<f64>,
}

/// A fan chart: one or more supply fans by year.
#[derive(Debug, Clone, PartialEq)]
pub struct FanChart {
    /// Chart title.
    pub title: String,
    /// Y-axis label, with units.
    pub y_label: String,
    /// Calendar years (x).
    pub years: Vec<i64>,
    /// One fan per run.
    pub fans: Vec<FanSeries>,
    /// Y-axis range.
    pub y_range: (f64, f64),
}

/// `supply_<mineral>.png`: fans of annual accessible supply against mean
/// demand, for one or more runs of the same mineral.
pub fn supply_fan(title: &str, runs: &[(&str, &Summary)], mineral: &str) -> FanChart {
    let mut fans = Vec::new();
    let mut unit = String::new();
    let mut years = Vec::new();
    for (label, s) in runs {
        let Some(m) = s.minerals.get(mineral) else {
            continue;
        };
        unit = m.unit.clone();
        years = s.calendar_years();
        fans.push(FanSeries {
            label: label.to_string(),
            p5: m.years.iter().map(|y| y.supply_p5).collect(),
            p50: m.years.iter().map(|y| y.supply_p50).collect(),
            p95: m.years.iter().map(|y| y.supply_p95).collect(),
            demand: m.years.iter().map(|y| y.demand_mean).collect(),
        });
    }
    let top = max_of(fans.iter().flat_map(|f| f.p95.iter().chain(&f.demand)));
    let bottom = fans
        .iter()
        .flat_map(|f| f.p5.iter().chain(&f.demand))
        .copied()
        .fold(f64::INFINITY, f64::min);
    FanChart {
        title: format!("{title}: {mineral} supply vs demand"),
        y_label: format!("{mineral}, {unit} per year"),
        years,
        fans,
        y_range: zoomed_range(bottom, top),
    }
}

/// Draw a fan chart (supply band, median, mean demand) as PNG bytes.
pub(super) fn draw_fan(
    root: &Area,
    data: &FanChart,
    look: &Look,
) -> std::result::Result<(), String> {
    let (sw, sh) = look.swatch();
    let (x0, x1) = year_axis(&data.years);
    let mut chart = look
        .builder(root, &data.title)
        .build_cartesian_2d(x0..x1, data.y_range.0..data.y_range.1)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("Year")
        .y_desc(&data.y_label)
        .axis_desc_style(look.axis())
        .label_style(look.tick())
        .x_labels(data.years.len().min(16))
        .x_label_formatter(&|x| format!("{:.0}", x))
        .y_label_formatter(&|y| tick_label(*y, data.y_range.1 - data.y_range.0))
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
        labels.push(format!("{}5-95% range of supply", prefix(fan)));
        labels.push(format!("{}median supply", prefix(fan)));
    }
    labels.push("mean demand".to_string());
    let w = look.stroke(3.5);
    for (i, fan) in data.fans.iter().enumerate() {
        let c = colour(i);
        let mut band = line(&fan.p95);
        band.extend(line(&fan.p5).into_iter().rev());
        let fill = c.mix(if two { 0.18 } else { 0.25 });
        chart
            .draw_series(std::iter::once(Polygon::new(band, fill.filled())))
            .map_err(|e| e.to_string())?
            .label(labels[2 * i].clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - sh), (x + sw, y + sh)], fill.filled()));
        chart
            .draw_series(LineSeries::new(line(&fan.p50), c.stroke_width(w)))
            .map_err(|e| e.to_string())?
            .label(labels[2 * i + 1].clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + sw, y)], c.stroke_width(w)));
    }
    // Mean demand: dashed black (the same for every run of a comparison).
    if let Some(fan) = data.fans.first() {
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
            .label("mean demand")
            .legend(move |at| dashed_swatch(at, sw, pattern, style));
    }
    let mut samples = Vec::new();
    for fan in &data.fans {
        for values in [&fan.p5, &fan.p50, &fan.p95, &fan.demand] {
            samples.extend(densify(&line(values), 12));
        }
        let (lo, hi) = (densify(&line(&fan.p5), 12), densify(&line(&fan.p95), 12));
        for (a, b) in lo.iter().zip(&hi) {
            samples.extend((1..8).map(|k| (a.0, a.1 + (b.1 - a.1) * k as f64 / 8.0)));
        }
    }
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    legend_box(&mut chart, look, &samples, &labels)
}
