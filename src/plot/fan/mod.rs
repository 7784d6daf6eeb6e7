//! Fan charts by year: a 5-95% band, a median line and a dashed line,
//! with labelled levels across the chart. Supply against mean demand
//! (`supply_<mineral>.png`, and the top panel of `compare_<mineral>.png`;
//! in a world market, what the consumer is served), the yearly average
//! price of a market against its spike threshold (`price_<mineral>.png`)
//! and a stockpile's stock against its capacity (`stock_<mineral>.png`).

mod draw;

pub(super) use draw::draw_fan;

use super::axes::{max_of, zero_floor_range, zoomed_range};
use crate::summary::Summary;

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
    /// Drawn on a logarithmic y axis (ticks at powers of two): a price
    /// that may reach many times its reference. Every value, `y_range`
    /// included, stays in its own units.
    pub log_scale: bool,
    /// The palette index of the first fan's colour (the others follow):
    /// 1 where a comparison's chart shows only the alternative, so that it
    /// keeps the alternative's colour.
    pub first_colour: usize,
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

/// How many times its lowest value a price fan's highest value must be for
/// a log axis: beyond it, on a linear axis, the reference price and the
/// spike threshold crowd together at the bottom.
const LOG_PRICE_RATIO: f64 = 12.0;

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
        log_scale: false,
        first_colour: 0,
    }
}

/// A result of one year, where the year has it.
type Yearly = fn(&crate::summary::YearSummary) -> Option<f64>;

/// The fan of `mineral` in one run: the band and median from `bands` (5th,
/// 50th and 95th percentiles, year by year) and the dashed line from
/// `line` (none without). `None` where a year lacks one of them.
fn fan_of(
    label: &str,
    summary: &Summary,
    mineral: &str,
    [p5, p50, p95]: [Yearly; 3],
    line: Option<Yearly>,
) -> Option<FanSeries> {
    let years = &summary.minerals.get(mineral)?.years;
    let get = |f: Yearly| years.iter().map(f).collect::<Option<Vec<f64>>>();
    Some(FanSeries {
        label: label.to_string(),
        p5: get(p5)?,
        p50: get(p50)?,
        p95: get(p95)?,
        demand: match line {
            Some(f) => get(f)?,
            None => Vec::new(),
        },
    })
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
    let mean: Yearly = |y| y.price_mean;
    let fans = runs
        .iter()
        .map(|(label, s)| {
            let bands: [Yearly; 3] = [|y| y.price_p5, |y| y.price_p50, |y| y.price_p95];
            fan_of(label, s, mineral, bands, one.then_some(mean))
        })
        .collect::<Option<Vec<FanSeries>>>()?;
    let top = max_of(fans.iter().flat_map(|f| f.p95.iter().chain(&f.demand))).max(spike_threshold);
    let bottom = fans
        .iter()
        .flat_map(|f| &f.p5)
        .copied()
        .fold(f64::INFINITY, f64::min);
    let (y_range, log_scale) = price_axis(bottom, top, spike_threshold);
    let from = if log_scale {
        " (log scale)"
    } else if y_range.0 > 0.0 {
        NOT_FROM_0
    } else {
        ""
    };
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
                label: spike_label(spike_threshold, one.then_some(m.p_price_spike).flatten()),
                strong: true,
            },
        ],
        demand_band: Vec::new(),
        log_scale,
        first_colour: 0,
    })
}

/// The label of a price chart's spike threshold. For one run it adds how
/// often some year of the horizon crosses it (`p_spike`): the bands are
/// each year's own range, so a threshold above every year's 95th
/// percentile may still be crossed in some year of many horizons.
fn spike_label(threshold: f64, p_spike: Option<f64>) -> String {
    let level = format!(
        "spike threshold: {} × reference",
        crate::output::fmt_multiple(threshold)
    );
    match p_spike {
        Some(p) => format!(
            "{level}; a spike year in {} of horizons",
            crate::output::fmt_share(p)
        ),
        None => level,
    }
}

/// The y range of a price fan whose bands reach from `bottom` to `top`
/// (price multiples, the spike threshold included in `top`), and whether
/// it is a log axis. Zoomed onto the bands, the reference price and the
/// spike threshold; a price that may reach many times its reference (or
/// fall far below it) on a log axis, where the reference and the
/// threshold keep their room.
fn price_axis(bottom: f64, top: f64, spike_threshold: f64) -> ((f64, f64), bool) {
    let bottom = bottom.min(1.0);
    if top > LOG_PRICE_RATIO * bottom {
        let doublings = (top / bottom).log2();
        let range = (
            bottom * (-0.04 * doublings).exp2(),
            top * (0.3 * doublings).exp2(),
        );
        (range, true)
    } else if bottom >= 0.45 * top {
        (zoomed_range(bottom, top), false)
    } else {
        let (lo, hi) = zero_floor_range(bottom, top);
        ((lo, hi.max(spike_threshold * 1.25)), false)
    }
}

/// `stock_<mineral>.png`: the stock of a mineral's stockpile at the end of
/// each year (5-95% range and median) against its capacity, for one run
/// or, in a comparison, for each run `(label, summary, capacity)` whose
/// mineral has a stockpile (a capacity). `None` when none has.
pub fn stock_fan(
    title: &str,
    runs: &[(&str, &Summary, Option<f64>)],
    mineral: &str,
) -> Option<FanChart> {
    let bands: [Yearly; 3] = [|y| y.stock_p5, |y| y.stock_p50, |y| y.stock_p95];
    // The runs with a stockpile: their place in `runs`, label and capacity.
    let (kept, fans): (Vec<(usize, &str, f64)>, Vec<FanSeries>) = runs
        .iter()
        .enumerate()
        .filter_map(|(i, &(label, s, c))| {
            Some(((i, label, c?), fan_of(label, s, mineral, bands, None)?))
        })
        .unzip();
    let &(first_colour, _, _) = kept.first()?;
    let first = runs[first_colour].1;
    let m = first.minerals.get(mineral)?;
    let capacities: Vec<f64> = kept.iter().map(|k| k.2).collect();
    let top = max_of(fans.iter().flat_map(|f| &f.p95).chain(&capacities));
    let bottom = fans
        .iter()
        .flat_map(|f| &f.p5)
        .copied()
        .fold(f64::INFINITY, f64::min);
    let alike = capacities.iter().all(|&c| c == capacities[0]);
    let levels = kept
        .iter()
        .filter(|k| !alike || k.0 == first_colour)
        .map(|&(_, label, c)| Level {
            y: c,
            label: format!(
                "{}capacity: {} {}",
                if alike {
                    String::new()
                } else {
                    format!("{label} ")
                },
                exact_enough(c),
                m.unit
            ),
            strong: true,
        })
        .collect();
    // One run of a comparison's two: named in the legend and the title.
    let (of, only) = match kept.as_slice() {
        [(_, label, _)] if runs.len() > 1 => (format!("{label}: "), format!(" ({label} only)")),
        _ => (String::new(), String::new()),
    };
    Some(FanChart {
        title: format!("{title}: {mineral} stockpile at the end of each year{only}"),
        y_label: format!("{mineral} in stock, {}", m.unit),
        years: first.calendar_years(),
        fans,
        y_range: zero_floor_range(bottom, top),
        words: FanWords {
            band: format!("{of}5-95% range of the stock"),
            median: format!("{of}median stock"),
            line: String::new(),
        },
        levels,
        demand_band: Vec::new(),
        log_scale: false,
        first_colour,
    })
}

/// A level's value to three significant figures without trailing zeros
/// (`30`, `0.395`, `1.32`), so a line drawn at it is read at its value.
fn exact_enough(v: f64) -> String {
    crate::output::without_trailing_zeros(super::labels::value_label(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_many_times_its_reference_goes_on_a_log_axis() {
        // Within a few doublings: linear, zoomed or from 0.
        let ((lo, hi), log) = price_axis(0.5, 4.0, 1.3);
        assert!(!log && lo == 0.0 && hi >= 4.0);
        let ((lo, hi), log) = price_axis(0.95, 1.3, 1.3);
        assert!(!log && lo > 0.0 && lo < 0.95 && hi > 1.3);
        // Past twelve times: a log axis holding the bands, with the same
        // room below and above (in doublings) whatever the span.
        for (bottom, top) in [(0.5, 6.5), (0.02, 1000.0), (1.0, 13.0), (1e-6, 1e12)] {
            let ((lo, hi), log) = price_axis(bottom, top, 1.3);
            let doublings = (top / bottom).log2();
            assert!(log, "{bottom}..{top}");
            assert!(((bottom / lo).log2() - 0.04 * doublings).abs() < 1e-9);
            assert!(((hi / top).log2() - 0.3 * doublings).abs() < 1e-9);
        }
        // The reference price always in range: a band wholly above 1.
        let ((lo, _), log) = price_axis(2.0, 40.0, 1.3);
        assert!(log && lo < 1.0);
    }

    #[test]
    fn a_level_is_labelled_to_three_significant_figures_without_trailing_zeros() {
        assert_eq!(exact_enough(30.0), "30");
        assert_eq!(exact_enough(0.395), "0.395");
        assert_eq!(exact_enough(1.3), "1.3");
        assert_eq!(exact_enough(2.5e-5), "2.50e-5");
        assert_eq!(exact_enough(17674.0), "17,674");
    }
}
