//! Fan charts by year: a 5-95% band, a median line and a dashed line,
//! with labelled levels across the chart. Supply against mean demand
//! (`supply_<mineral>.png`, and the top panel of `compare_<mineral>.png`;
//! in a world market, what the consumer is served), the yearly average
//! price of a market against its spike threshold (`price_<mineral>.png`)
//! and a stockpile's stock against its capacity (`stock_<mineral>.png`).

use super::axes::{max_of, year_axis, zero_floor_range, zoomed_range};
use super::labels::tick_label;
use super::legend::{dashed_swatch, densify, legend_box};
use super::style::{colour, Area, Chart2d, Look, FONT, PALETTE};
use crate::summary::Summary;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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
    /// The dashed line: mean demand (supply fans) or the mean (price
    /// fans); empty for none.
    pub demand: Vec<f64>,
}

/// What a fan's parts stand for, as its legend says: the band, the median
/// line and the dashed line.
#[derive(Debug, Clone, PartialEq)]
pub struct FanWords {
    /// The band, such as "5-95% range of supply".
    pub band: String,
    /// The median line.
    pub median: String,
    /// The dashed line, such as "mean demand".
    pub line: String,
}

/// A horizontal line across a fan chart, labelled on the chart at its
/// right end (a spike threshold, a stockpile's capacity).
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// Where it is, in y units.
    pub y: f64,
    /// Its label, such as "spike threshold: 1.5 x reference price".
    pub label: String,
    /// Drawn dashed in a strong colour (a threshold), else as a thin grey
    /// line (a reference).
    pub strong: bool,
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
    /// What the band, the median and the dashed line stand for.
    pub words: FanWords,
    /// Horizontal lines with their labels.
    pub levels: Vec<Level>,
    /// Per year, the 5th and 95th percentiles of demand (thin dotted
    /// lines; empty for none).
    pub demand_band: Vec<(f64, f64)>,
}

impl FanChart {
    /// The chart with demand's 5–95% range by year drawn too (the y range
    /// widened to hold it).
    pub fn with_demand_band(mut self, band: Vec<(f64, f64)>) -> FanChart {
        if band.len() == self.years.len() && band.iter().any(|b| b.0 < b.1) {
            let top = band.iter().map(|b| b.1).fold(self.y_range.1, f64::max);
            let bottom = band.iter().map(|b| b.0).fold(f64::INFINITY, f64::min);
            if self.y_range.0 > 0.0 && (bottom < self.y_range.0 || top > self.y_range.1) {
                // Zoomed: onto the bands and demand's range together.
                let low = self.fans.iter().flat_map(|f| f.p5.iter().chain(&f.demand));
                let low = low.copied().fold(bottom, f64::min);
                let high = self.fans.iter().flat_map(|f| f.p95.iter().chain(&f.demand));
                self.y_range = zoomed_range(low, high.copied().fold(top, f64::max));
                if self.y_range.0 == 0.0 {
                    // Demand's range reaches far down: from 0 after all.
                    let label = self.y_label.strip_suffix(NOT_FROM_0);
                    self.y_label = label.unwrap_or(&self.y_label).to_string();
                }
            } else {
                self.y_range.1 = self.y_range.1.max(top * 1.02);
            }
            self.demand_band = band;
        }
        self
    }
}

/// What the y label of a zoomed fan ends with.
const NOT_FROM_0: &str = " (axis not from 0)";

/// `supply_<mineral>.png`: fans of annual accessible supply against mean
/// demand, for one or more runs of the same mineral. For a mineral traded
/// on a world market the fan is of what the consumer is served (never more
/// than its demand).
pub fn supply_fan(title: &str, runs: &[(&str, &Summary)], mineral: &str) -> FanChart {
    let mut fans = Vec::new();
    let mut unit = String::new();
    let mut years = Vec::new();
    let mut market = false;
    for (label, s) in runs {
        let Some(m) = s.minerals.get(mineral) else {
            continue;
        };
        unit = m.unit.clone();
        market |= m.currency.is_some();
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
    let (what, band, median) = if market {
        (
            "served to the consumer",
            "5-95% range served to consumer",
            "median served to consumer",
        )
    } else {
        ("supply", "5-95% range of supply", "median supply")
    };
    // Zoomed onto the bands, where a gap of a few per cent between supply
    // and demand (or between two runs) shows; from 0 where the bands reach
    // far down anyway.
    let y_range = if fans.len() > 1 || bottom >= 0.45 * top {
        zoomed_range(bottom, top)
    } else {
        zero_floor_range(bottom, top)
    };
    let from = if y_range.0 > 0.0 { NOT_FROM_0 } else { "" };
    FanChart {
        title: format!("{title}: {mineral} {what} vs demand"),
        y_label: format!("{mineral}, {unit} per year{from}"),
        years,
        fans,
        y_range,
        words: FanWords {
            band: band.to_string(),
            median: median.to_string(),
            line: "mean demand".to_string(),
        },
        levels: Vec::new(),
        demand_band: Vec::new(),
    }
}

/// `price_<mineral>.png`: the yearly average price multiple of a mineral
/// traded on a world market (5-95% range, median and mean by year) against
/// its spike threshold and the reference price; `reference_price` is in
/// the mineral's currency per unit. `None` when the mineral has no price.
/// For several runs (a comparison), one fan per run and no mean line.
pub fn price_fan(
    title: &str,
    runs: &[(&str, &Summary)],
    mineral: &str,
    reference_price: f64,
    spike_threshold: f64,
) -> Option<FanChart> {
    let (_, first) = runs.first()?;
    let m = first.minerals.get(mineral)?;
    let currency = m.currency.as_deref()?;
    let one = runs.len() == 1;
    let fans = runs
        .iter()
        .map(|(label, s)| {
            let years = &s.minerals.get(mineral)?.years;
            let get = |f: fn(&crate::summary::YearSummary) -> Option<f64>| -> Option<Vec<f64>> {
                years.iter().map(f).collect()
            };
            Some(FanSeries {
                label: label.to_string(),
                p5: get(|y| y.price_p5)?,
                p50: get(|y| y.price_p50)?,
                p95: get(|y| y.price_p95)?,
                demand: if one {
                    get(|y| y.price_mean)?
                } else {
                    Vec::new()
                },
            })
        })
        .collect::<Option<Vec<FanSeries>>>()?;
    let top = max_of(fans.iter().flat_map(|f| f.p95.iter().chain(&f.demand))).max(spike_threshold);
    let bottom = fans
        .iter()
        .flat_map(|f| &f.p5)
        .copied()
        .fold(f64::INFINITY, f64::min);
    // Zoomed onto the bands, the reference price and the spike threshold.
    let bottom = bottom.min(1.0);
    let y_range = if bottom >= 0.45 * top {
        zoomed_range(bottom, top)
    } else {
        let (lo, hi) = zero_floor_range(bottom, top);
        (lo, hi.max(spike_threshold * 1.25))
    };
    let from = if y_range.0 > 0.0 { NOT_FROM_0 } else { "" };
    Some(FanChart {
        title: format!("{title}: {mineral} price, yearly average"),
        y_label: format!(
            // The price as written in the scenario (shortest exact form).
            "price multiple, 1 = reference {} {currency}/{}{from}",
            crate::error::num(reference_price),
            m.unit
        ),
        years: first.calendar_years(),
        fans,
        y_range,
        words: FanWords {
            band: "5-95% range of the yearly average price".to_string(),
            median: if one { "median" } else { "median price" }.to_string(),
            line: "mean".to_string(),
        },
        levels: vec![
            Level {
                y: 1.0,
                label: "reference price".to_string(),
                strong: false,
            },
            Level {
                y: spike_threshold,
                label: format!(
                    "spike threshold: {} × reference",
                    crate::output::fmt_multiple(spike_threshold)
                ),
                strong: true,
            },
        ],
        demand_band: Vec::new(),
    })
}

/// `stock_<mineral>.png`: the stock of a mineral's stockpile at the end of
/// each year (5-95% range and median) against its capacity. `None` when
/// the mineral has no stockpile.
pub fn stock_fan(title: &str, summary: &Summary, mineral: &str, capacity: f64) -> Option<FanChart> {
    let m = summary.minerals.get(mineral)?;
    let get = |f: fn(&crate::summary::YearSummary) -> Option<f64>| -> Option<Vec<f64>> {
        m.years.iter().map(f).collect()
    };
    let fan = FanSeries {
        label: title.to_string(),
        p5: get(|y| y.stock_p5)?,
        p50: get(|y| y.stock_p50)?,
        p95: get(|y| y.stock_p95)?,
        demand: Vec::new(),
    };
    let top = max_of(&fan.p95).max(capacity);
    let bottom = fan.p5.iter().copied().fold(f64::INFINITY, f64::min);
    Some(FanChart {
        title: format!("{title}: {mineral} stockpile at the end of each year"),
        y_label: format!("{mineral} in stock, {}", m.unit),
        years: summary.calendar_years(),
        fans: vec![fan],
        y_range: zero_floor_range(bottom, top),
        words: FanWords {
            band: "5-95% range of the stock".to_string(),
            median: "median stock".to_string(),
            line: String::new(),
        },
        levels: vec![Level {
            y: capacity,
            label: format!(
                "capacity: {} {}",
                super::labels::amount_label(capacity),
                m.unit
            ),
            strong: true,
        }],
        demand_band: Vec::new(),
    })
}

/// Draw a fan chart (supply band, median, mean demand) as PNG bytes.
pub(super) fn draw_fan(
    root: &Area,
    data: &FanChart,
    look: &Look,
) -> std::result::Result<(), String> {
    let (sw, sh) = look.swatch();
    let (x0, x1) = year_axis(&data.years);
    let (y0, y1) = data.y_range;
    let ends = [tick_label(y0, y1 - y0), tick_label(y1, y1 - y0)];
    let mut chart = look
        .builder(root, &data.title, &ends)
        .build_cartesian_2d(x0..x1, y0..y1)
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
        labels.push(format!("{}{}", prefix(fan), data.words.band));
        labels.push(format!("{}{}", prefix(fan), data.words.median));
    }
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
        if two {
            // Overlapping bands blend: each band's edges in its colour,
            // dashed for the second run, tell them apart.
            let edge = c.stroke_width(look.stroke(1.4));
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
                .draw_series(LineSeries::new(line(&fan.p50), colour(i).stroke_width(w)))
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
/// placed lie, on a pale box so that it reads over the band. Returns points
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
        // Candidate boxes [left, right, bottom, top], in order of preference.
        let w = (0.6 * font * level.label.chars().count() as f64 + 2.0 * pad) * per_px_x;
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
            let clash = placed.iter().filter(|p| overlaps(b, p)).count() * 1_000;
            outside + clash + lines.iter().filter(|p| inside(b, p)).count()
        };
        let Some(b) = candidates.iter().min_by_key(|b| score(b)).copied() else {
            continue;
        };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(b[0], b[2]), (b[1], b[3])],
                WHITE.mix(0.75).filled(),
            )))
            .map_err(|e| e.to_string())?;
        let text = (FONT, font as u32)
            .into_font()
            .color(&colour)
            .pos(Pos::new(HPos::Center, VPos::Center));
        chart
            .draw_series(std::iter::once(Text::new(
                level.label.clone(),
                ((b[0] + b[1]) / 2.0, (b[2] + b[3]) / 2.0),
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
