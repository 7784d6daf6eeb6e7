//! Charts: PNG files an analyst can paste into a briefing.
//!
//! Each chart kind has its own module, holding its data (series, labels,
//! ranges: what tests check), the functions that build that data from
//! results, and its drawing with plotters: [`fan`] (supply, price and
//! stock by year), [`lines`], [`exceedance`] (unserved amounts and costs),
//! [`bars`], [`tornado`], [`intervals`] and [`histogram`]. The same chart kinds serve
//! `run` and the comparison commands. What they share lives in [`style`]
//! (font, palette, sizes, rendering to PNG), [`labels`], [`axes`] and
//! [`legend`].

pub mod axes;
pub mod bars;
pub mod changes;
pub mod exceedance;
pub mod fan;
pub mod histogram;
pub mod intervals;
pub mod labels;
pub mod legend;
pub mod lines;
pub mod market_bars;
pub mod style;
pub mod tornado;

use crate::error::Result;
use crate::summary::Summary;
use bars::BarChart;
use exceedance::ExceedanceChart;
use fan::FanChart;
use lines::LineChart;
use rayon::prelude::*;
pub use style::ChartSize;
use style::Look;
use tornado::TornadoChart;

/// Any chart, for a panel of a PNG.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Supply fans.
    Fan(FanChart),
    /// Lines by x.
    Lines(LineChart),
    /// Exceedance curves.
    Exceedance(ExceedanceChart),
    /// Grouped vertical bars.
    Bars(BarChart),
    /// Horizontal bars by entity.
    Tornado(TornadoChart),
    /// Estimates with intervals, by row.
    Intervals(intervals::IntervalChart),
    /// Counts of values in bins, with marks.
    Histogram(histogram::HistogramChart),
}

/// Draw `panels`, stacked top to bottom, each of `size`, into one PNG,
/// with `footer` (where the results come from) in small grey type along
/// the bottom edge when it is not empty.
pub fn png(panels: &[Chart], size: ChartSize, footer: &str) -> Result<Vec<u8>> {
    png_and_panels(panels, size, footer).map(|(whole, _)| whole)
}

/// [`png`], and for a figure of several panels the same figure cut
/// between its panels, one PNG each (the last with the footer).
fn png_and_panels(
    panels: &[Chart],
    size: ChartSize,
    footer: &str,
) -> Result<(Vec<u8>, Vec<Vec<u8>>)> {
    let n = panels.len().max(1) as u32;
    let total = ChartSize {
        width: size.width,
        height: size.height * n,
    };
    // Panels of one figure share a title size: the smallest that fits
    // each of their titles.
    let title_px = panels
        .iter()
        .map(|c| style::fit_title(c.title(), size.font(40.0), size.width).1)
        .min()
        .unwrap_or(size.font(40.0));
    let look = Look { size, title_px };
    let strip = if footer.is_empty() {
        0
    } else {
        look.footer_height()
    };
    let rgb = style::render_rgb(total, "a chart", |root| {
        let root = if footer.is_empty() {
            root.clone()
        } else {
            let strip = look.footer_height();
            let (body, bottom) = root.split_vertically(total.height.saturating_sub(strip));
            style::draw_footer(&bottom, footer, &look)?;
            body
        };
        let areas = root.split_evenly((n as usize, 1));
        for (area, chart) in areas.iter().zip(panels) {
            match chart {
                Chart::Fan(d) => fan::draw_fan(area, d, &look)?,
                Chart::Lines(d) => lines::draw_lines(area, d, &look)?,
                Chart::Exceedance(d) => exceedance::draw_exceedance(area, d, &look)?,
                Chart::Bars(d) => bars::draw_bars(area, d, &look)?,
                Chart::Tornado(d) => tornado::draw_tornado(area, d, &look)?,
                Chart::Intervals(d) => intervals::draw_intervals(area, d, &look)?,
                Chart::Histogram(d) => histogram::draw_histogram(area, d, &look)?,
            }
        }
        Ok(())
    })?;
    let whole = style::encode_rows(&rgb, total.width, 0..total.height, "a chart")?;
    if n == 1 {
        return Ok((whole, Vec::new()));
    }
    // Where the panels meet, as the body (the canvas above the footer) is
    // split evenly among them.
    let body = total.height.saturating_sub(strip);
    let edge = |k: u32| if k == n { total.height } else { k * body / n };
    let parts = (0..n)
        .map(|k| style::encode_rows(&rgb, total.width, edge(k)..edge(k + 1), "a chart"))
        .collect::<Result<_>>()?;
    Ok((whole, parts))
}

impl Chart {
    /// The panel's title.
    pub fn title(&self) -> &str {
        match self {
            Chart::Fan(d) => &d.title,
            Chart::Lines(d) => &d.title,
            Chart::Exceedance(d) => &d.title,
            Chart::Bars(d) => &d.title,
            Chart::Tornado(d) => &d.title,
            Chart::Intervals(d) => &d.title,
            Chart::Histogram(d) => &d.title,
        }
    }
}

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959963984540054;

/// One rendered chart.
#[derive(Debug, Clone)]
pub struct ChartFile {
    /// File name, such as `supply_copper.png`.
    pub name: String,
    /// One-line description for reports.
    pub caption: String,
    /// PNG bytes.
    pub png: Vec<u8>,
    /// For a figure of panels stacked top to bottom: the same figure cut
    /// between its panels, one PNG each (the last with the footer), so
    /// that a printed page can take the panels a page at a time, each at
    /// full width. Empty for a figure of one panel.
    pub panels: Vec<Vec<u8>>,
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

/// What a mineral's charts need beyond its summary (plain numbers from
/// the scenario and the run): its market's reference price and spike
/// threshold with the exceedance curve of the consumer's horizon cost, and
/// its stockpile's capacity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MineralContext {
    /// For a mineral traded on a world market.
    pub market: Option<MarketContext>,
    /// Capacity of the mineral's stockpile, if it has one.
    pub stock_capacity: Option<f64>,
    /// Per year, the 5th and 95th percentiles of the consumer's demand
    /// (empty when demand has no noise).
    pub demand_band: Vec<(f64, f64)>,
    /// The share of demand that must go unserved for a shortfall year
    /// (`None`: not known, left unsaid).
    pub shortfall_threshold: Option<f64>,
}

/// What a shortfall year is for a mineral of `context`, for a label:
/// "over 5% of demand unserved" ("priced out or rationed" on a
/// world market).
pub fn threshold_words(context: &MineralContext) -> Option<String> {
    let how = if context.market.is_some() {
        "priced out or rationed"
    } else {
        "unserved"
    };
    context
        .shortfall_threshold
        .map(|t| format!("over {} of demand {how}", labels::percent_label(t)))
}

/// Whether the minerals' shortfall thresholds differ (then each label says
/// its own).
pub fn thresholds_differ(context: &[MineralContext]) -> bool {
    let mut t = context.iter().filter_map(|c| c.shortfall_threshold);
    t.next().is_some_and(|first| t.any(|x| x != first))
}

/// A world market's numbers for its charts.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketContext {
    /// Currency per unit of the mineral at a price multiple of 1.
    pub reference_price: f64,
    /// A year whose average price multiple is above this is a spike year.
    pub spike_threshold: f64,
    /// `(x, P(cost > x))` of the consumer's cost over the horizon.
    pub cost_curve: Vec<(f64, f64)>,
}

/// Every chart of `run`: a supply fan and an exceedance curve per
/// mineral, a price fan per mineral traded on a world market and a stock
/// fan per mineral with a stockpile, the consumer's cost of the markets'
/// prices, the shortfall probabilities, and concentration. `curves` holds
/// each mineral's exceedance curve of the horizon totals and `context` what
/// else its charts need, both in scenario order
/// ([`crate::summary::exceedance_curves`]).
pub fn run_charts(
    summary: &Summary,
    curves: &[Vec<(f64, f64)>],
    context: &[MineralContext],
    size: ChartSize,
    footer: &str,
) -> Result<Vec<ChartFile>> {
    let title = &summary.scenario;
    let mut jobs: Vec<(String, String, Vec<Chart>)> = vec![(
        "shortfall_probability.png".to_string(),
        "Probability that each year is a shortfall year, by mineral, with 95% error bars"
            .to_string(),
        vec![Chart::Lines(lines::shortfall_lines(summary, context))],
    )];
    let mut costs = Vec::new();
    let none = MineralContext::default();
    for (i, ((id, m), curve)) in summary.minerals.0.iter().zip(curves).enumerate() {
        let safe = file_safe(id);
        let cx = context.get(i).unwrap_or(&none);
        let supply_caption = if m.currency.is_some() {
            format!("{id}: annual amount served to the consumer in the world market (5-95% range and median; never more than that year's demand, which varies around its mean) against mean demand")
        } else {
            format!("{id}: annual accessible supply (5-95% range and median) against mean demand")
        };
        jobs.push((
            format!("supply_{safe}.png"),
            supply_caption,
            vec![Chart::Fan(
                fan::supply_fan(title, &[(title.as_str(), summary)], id)
                    .with_demand_band(cx.demand_band.clone()),
            )],
        ));
        if let Some(k) = &cx.market {
            if let Some(price) = fan::price_fan(
                title,
                &[(title, summary)],
                id,
                k.reference_price,
                k.spike_threshold,
            ) {
                jobs.push((
                    format!("price_{safe}.png"),
                    format!("{id}: the year's average world price as a multiple of the reference price (5-95% range, median and mean), against the spike threshold"),
                    vec![Chart::Fan(price)],
                ));
            }
            if let (Some(currency), Some(p95)) = (&m.currency, m.cost_p95) {
                costs.push(exceedance::CostCurve {
                    mineral: id.clone(),
                    currency: currency.clone(),
                    curve: exceedance::exceedance_curve(id, &k.cost_curve, summary.trials),
                    p95,
                });
            }
        }
        if let Some(stock) = cx
            .stock_capacity
            .and_then(|c| fan::stock_fan(title, &[(title, summary, Some(c))], id))
        {
            jobs.push((
                format!("stock_{safe}.png"),
                format!("{id}: stock held in the stockpile at the end of each year (5-95% range and median), against its capacity"),
                vec![Chart::Fan(stock)],
            ));
        }
        jobs.push((
            format!("exceedance_{safe}.png"),
            format!("{id}: probability that the horizon's total unserved amount exceeds x"),
            vec![Chart::Exceedance(in_market(
                exceedance::exceedance_chart(
                    title,
                    id,
                    &m.unit,
                    vec![(
                        exceedance::exceedance_curve(title, curve, summary.trials),
                        tail_quantiles(summary, id),
                    )],
                ),
                id,
                m.currency.is_some(),
            ))],
        ));
    }
    if !costs.is_empty() {
        jobs.push((
            "cost_exceedance.png".to_string(),
            "Probability that the consumer's cost of world-market prices over the horizon exceeds x (the loss against paying the reference price, less the gain on fixed-price offtake; negative when prices stay low), with the 1-in-20 cost marked".to_string(),
            vec![Chart::Exceedance(exceedance::cost_exceedance_chart(title, costs))],
        ));
    }
    jobs.push((
        "concentration.png".to_string(),
        "Supplier concentration (HHI by country) without and with projects".to_string(),
        vec![Chart::Bars(bars::concentration_bars(summary))],
    ));
    render_all(jobs, size, footer)
}

/// Draw charts in parallel, keeping their order: `(file name, caption,
/// panels stacked top to bottom)`.
pub fn render_all(
    jobs: Vec<(String, String, Vec<Chart>)>,
    size: ChartSize,
    footer: &str,
) -> Result<Vec<ChartFile>> {
    jobs.into_par_iter()
        .map(|(name, caption, panels)| {
            png_and_panels(&panels, size, footer).map(|(png, panels)| ChartFile {
                name,
                caption,
                png,
                panels,
            })
        })
        .collect()
}

/// `chart` of mineral `id`, said to be of demand priced out or rationed
/// when `market`.
fn in_market(
    chart: exceedance::ExceedanceChart,
    id: &str,
    market: bool,
) -> exceedance::ExceedanceChart {
    if market {
        chart.priced_out(id)
    } else {
        chart
    }
}

/// Charts of `compare`: per shared mineral both supply fans and both
/// exceedance curves (`compare_<mineral>.png`, two panels; then both
/// price fans, for a mineral on a world market; last, the stock of the
/// stockpile either scenario has), the changes by year
/// (`change_<mineral>.png`) and `risk_reduction.png`.
/// `base` and `alt` hold each run's exceedance curves, in its scenario's
/// mineral order; `context` each scenario's minerals (the baseline's for
/// their markets, both for their stockpiles).
pub fn compare_charts(
    cmp: &crate::compare::Comparison,
    base: &[Vec<(f64, f64)>],
    alt: &[Vec<(f64, f64)>],
    (context, alt_context): (&[MineralContext], &[MineralContext]),
    size: ChartSize,
    footer: &str,
) -> Result<Vec<ChartFile>> {
    // The two scenarios' names where they fit a title, else their roles.
    let names = format!("{} vs {}", cmp.alternative.scenario, cmp.baseline.scenario);
    let title = if names.chars().count() <= 60 {
        names.as_str()
    } else {
        "Alternative vs baseline"
    };
    let mut jobs: Vec<(String, String, Vec<Chart>)> = Vec::new();
    for (id, mc) in &cmp.minerals.0 {
        let index = |s: &Summary| s.minerals.0.iter().position(|(k, _)| k == id);
        let (Some(bi), Some(ai)) = (index(&cmp.baseline), index(&cmp.alternative)) else {
            continue;
        };
        // A mineral both scenarios define alike gives the same results to
        // the bit: one fan and one curve, said to be both.
        let same = base[bi] == alt[ai]
            && cmp.baseline.minerals.0[bi].1 == cmp.alternative.minerals.0[ai].1;
        let (fan, ex) = if same {
            let both = format!("{title} (the same in both)");
            let fan = fan::supply_fan(&both, &[("both", &cmp.baseline)], id);
            let ex = exceedance::exceedance_chart(
                &both,
                id,
                &mc.unit,
                vec![(
                    exceedance::exceedance_curve("both", &base[bi], cmp.trials),
                    tail_quantiles(&cmp.baseline, id),
                )],
            );
            (fan, ex)
        } else {
            let fan = fan::supply_fan(
                title,
                &[
                    ("baseline", &cmp.baseline),
                    ("alternative", &cmp.alternative),
                ],
                id,
            );
            let ex = exceedance::exceedance_chart(
                title,
                id,
                &mc.unit,
                vec![
                    (
                        exceedance::exceedance_curve("baseline", &base[bi], cmp.trials),
                        tail_quantiles(&cmp.baseline, id),
                    ),
                    (
                        exceedance::exceedance_curve("alternative", &alt[ai], cmp.trials),
                        tail_quantiles(&cmp.alternative, id),
                    ),
                ],
            );
            (fan, ex)
        };
        let market = context.get(bi).and_then(|c| c.market.as_ref());
        let runs: Vec<(&str, &Summary)> = if same {
            vec![("both", &cmp.baseline)]
        } else {
            vec![
                ("baseline", &cmp.baseline),
                ("alternative", &cmp.alternative),
            ]
        };
        let price = market.and_then(|k| {
            let title = if same {
                format!("{title} (the same in both)")
            } else {
                title.to_string()
            };
            fan::price_fan(&title, &runs, id, k.reference_price, k.spike_threshold)
        });
        let capacity = |cx: &[MineralContext], i: usize| cx.get(i).and_then(|c| c.stock_capacity);
        // A stockpile in only one scenario keeps that scenario's colour.
        let stock = if same {
            let title = format!("{title} (the same in both)");
            fan::stock_fan(
                &title,
                &[("both", &cmp.baseline, capacity(context, bi))],
                id,
            )
        } else {
            let runs = [
                ("baseline", &cmp.baseline, capacity(context, bi)),
                ("alternative", &cmp.alternative, capacity(alt_context, ai)),
            ];
            fan::stock_fan(title, &runs, id)
        };
        let mut panels = vec![
            Chart::Fan(fan),
            Chart::Exceedance(in_market(ex, id, market.is_some())),
        ];
        panels.extend(price.map(Chart::Fan));
        let caption = match (market.is_some(), stock.is_some()) {
            (true, true) => {
                "amounts served, demand priced out or rationed, prices and the stockpile's stock"
            }
            (true, false) => "amounts served, demand priced out or rationed, and prices",
            (false, true) => "supply fans, shortfall exceedance and the stockpile's stock",
            (false, false) => "supply fans and shortfall exceedance",
        };
        panels.extend(stock.map(Chart::Fan));
        let currency = cmp
            .baseline
            .minerals
            .get(id)
            .and_then(|m| m.currency.as_deref());
        let currency = currency.filter(|_| mc.delta.cost_total.is_some());
        let changes = changes::change_bars(title, id, mc, currency, cmp.trials);
        if !changes.is_empty() {
            jobs.push((
                format!("change_{}.png", file_safe(id)),
                format!(
                    "{id}: what the alternative changes, year by year, with paired 95% intervals"
                ),
                changes.into_iter().map(Chart::Bars).collect(),
            ));
        }
        jobs.push((
            format!("compare_{}.png", file_safe(id)),
            format!("{id}: {caption}, baseline vs alternative (same trials)"),
            panels,
        ));
    }
    jobs.push((
        "risk_reduction.png".to_string(),
        "Expected unserved demand (% of baseline) and probability of any shortfall year, and for world-market minerals the paired change of the consumer's expected cost and the probability of a price-spike year, baseline vs alternative, with 95% error bars".to_string(),
        bars::risk_reduction_bars(cmp).into_iter().map(Chart::Bars).collect(),
    ));
    render_all(jobs, size, footer)
}

/// Entities shown in a tornado chart.
pub const TORNADO_TOP: usize = 15;

/// `tornado_<mineral>.png` for every mineral of a sensitivity analysis.
pub fn sensitivity_charts(
    sens: &crate::sensitivity::Sensitivity,
    scenario: &crate::scenario::Scenario,
    size: ChartSize,
    footer: &str,
) -> Result<Vec<ChartFile>> {
    let jobs = sens
        .minerals
        .0
        .iter()
        .zip(&scenario.minerals)
        .map(|((id, entries), m)| {
            let all_off = sens.all_disruptions_off.get(id);
            let chart = |measure| {
                Chart::Tornado(tornado::tornado(&scenario.name, id, &m.unit, measure, entries, all_off, TORNADO_TOP))
            };
            let unserved = chart(tornado::Measure::Unserved { market: m.market.is_some() });
            let (what, panels) = match &m.market {
                // On a world market the cost leads, as in the tables.
                Some(k) => (
                    "the consumer's expected cost, and in expected demand priced out or rationed,",
                    vec![chart(tornado::Measure::Cost { currency: &k.currency }), unserved],
                ),
                None => ("expected unserved demand", vec![unserved]),
            };
            (
                format!("tornado_{}.png", file_safe(id)),
                format!("{id}: change in {what} when each disruption is switched off (top {TORNADO_TOP}, 95% error bars)"),
                panels,
            )
        })
        .collect();
    render_all(jobs, size, footer)
}

/// `sweep_<mineral>.png` (one panel per metric) for every mineral whose
/// results change across the sweep.
pub fn sweep_charts(
    sweep: &crate::sweep::Sweep,
    scenario: &crate::scenario::Scenario,
    metrics: &[String],
    size: ChartSize,
    footer: &str,
) -> Result<Vec<ChartFile>> {
    let mut jobs = Vec::new();
    for m in &scenario.minerals {
        if !sweep.changes(&m.id) {
            continue;
        }
        // Price and cost metrics only for a mineral on a world market, the
        // cost in the market's currency.
        let panels: Vec<Chart> = metrics
            .iter()
            .filter_map(|metric| {
                let unit = match (metric.as_str(), &m.market) {
                    ("cost_total", Some(k)) => k.currency.as_str(),
                    ("cost_total" | "p_price_spike", None) => return None,
                    _ => m.unit.as_str(),
                };
                Some(Chart::Lines(lines::sweep_lines(
                    sweep, &m.id, &m.unit, unit, metric,
                )))
            })
            .collect();
        if panels.is_empty() {
            continue;
        }
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
    render_all(jobs, size, footer)
}
