//! Grouped vertical bars by mineral: supplier concentration
//! (`concentration.png`) and a comparison's risk reduction
//! (`risk_reduction.png`).

use super::axes::{max_of, round_ticks, TickedAxis};
use super::labels::{percent_label, tick_label};
use super::legend::{dashed_swatch, draw_whiskers, legend_box};
use super::style::{colour, Area, Look};
use super::Z95;
use crate::summary::Summary;
use plotters::prelude::*;

/// One group of bars (one colour), a value per category.
#[derive(Debug, Clone, PartialEq)]
pub struct BarGroup {
    /// Legend name.
    pub label: String,
    /// Bar heights, one per category.
    pub values: Vec<f64>,
    /// Error-bar half-widths, if any.
    pub err: Option<Vec<f64>>,
}

/// Grouped vertical bars by category, with optional reference lines.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// Chart title.
    pub title: String,
    /// Y-axis label, with units.
    pub y_label: String,
    /// X-axis label.
    pub x_label: String,
    /// Category names (x).
    pub categories: Vec<String>,
    /// Bar groups.
    pub groups: Vec<BarGroup>,
    /// Horizontal reference lines: `(y, label)`.
    pub reference_lines: Vec<(f64, String)>,
    /// Y-axis range.
    pub y_range: (f64, f64),
    /// Top of the scale, if any: ticks, labels and grid lines stop there
    /// (the range may extend above it to leave room for the legend).
    pub label_max: Option<f64>,
    /// Whether values are probabilities (tick labels in percent).
    pub percent: bool,
}

/// HHI thresholds of concentration used in antitrust practice.
pub const HHI_THRESHOLDS: [(f64, &str); 2] = [
    (1500.0, "HHI 1,500: moderately concentrated"),
    (2500.0, "HHI 2,500: highly concentrated"),
];

/// `concentration.png`: HHI without and with projects per mineral and,
/// where a mineral has stages, per stage: a world market's refined (or
/// product-level) output and its mines, a physical mineral's supply to
/// the consumer and its mines.
pub fn concentration_bars(summary: &Summary) -> BarChart {
    let mut categories = Vec::new();
    let (mut hhi, mut with) = (Vec::new(), Vec::new());
    let mut market = false;
    for (id, m) in &summary.minerals.0 {
        market |= m.currency.is_some();
        match (m.hhi_mine, m.hhi_mine_with_projects) {
            (Some(mine), Some(mine_with)) => {
                let product = if m.currency.is_some() {
                    "refined"
                } else {
                    "supply"
                };
                categories.push(format!("{id} {product}"));
                hhi.push(m.hhi);
                with.push(m.hhi_with_projects);
                categories.push(format!("{id} mines"));
                hhi.push(mine);
                with.push(mine_with);
            }
            _ => {
                categories.push(id.clone());
                hhi.push(m.hhi);
                with.push(m.hhi_with_projects);
            }
        }
    }
    let top = max_of(hhi.iter().chain(&with)).max(2500.0);
    let what = if market {
        "concentration by country (world markets: the world's output by stage)"
    } else {
        "supplier concentration by country"
    };
    BarChart {
        title: format!("{}: {what}", summary.scenario),
        y_label: "Herfindahl-Hirschman index (0-10,000)".to_string(),
        x_label: if categories.len() > summary.minerals.0.len() {
            "Mineral and stage".to_string()
        } else {
            "Mineral".to_string()
        },
        categories,
        // Without projects that change it, one bar a category.
        groups: if hhi == with {
            vec![BarGroup {
                label: "Existing sources (projects change none)".to_string(),
                values: hhi,
                err: None,
            }]
        } else {
            vec![
                BarGroup {
                    label: "Existing sources".to_string(),
                    values: hhi,
                    err: None,
                },
                BarGroup {
                    label: "With projects at full capacity".to_string(),
                    values: with,
                    err: None,
                },
            ]
        },
        reference_lines: HHI_THRESHOLDS
            .iter()
            .map(|(y, l)| (*y, l.to_string()))
            .collect(),
        // Headroom for the legend above the tallest bar; ticks stop at 10,000.
        y_range: (0.0, top * 1.5),
        label_max: Some(10_000.0),
        percent: false,
    }
}

/// The legend names of a comparison's two bar groups.
pub(super) fn scenario_names(cmp: &crate::compare::Comparison) -> (String, String) {
    (
        format!("baseline: {}", cmp.baseline.scenario),
        format!("alternative: {}", cmp.alternative.scenario),
    )
}

/// A comparison's two bar groups, baseline then alternative: each its
/// values and the half-widths of their error bars.
pub(super) fn two_groups(
    names: &(String, String),
    [(b, be), (a, ae)]: [(Vec<f64>, Vec<f64>); 2],
) -> Vec<BarGroup> {
    vec![
        BarGroup {
            label: names.0.clone(),
            values: b,
            err: Some(be),
        },
        BarGroup {
            label: names.1.clone(),
            values: a,
            err: Some(ae),
        },
    ]
}

/// The tops of bars with their error bars.
fn tops(groups: &[(Vec<f64>, Vec<f64>)]) -> Vec<f64> {
    groups
        .iter()
        .flat_map(|(v, e)| v.iter().zip(e).map(|(v, e)| v + e))
        .collect()
}

/// A panel of probabilities by mineral, its axis from 0 to a little above
/// the highest error bar (room for the legend), ticks up to 100%.
pub(super) fn chance_panel(
    title: &str,
    y_label: &str,
    categories: Vec<String>,
    groups: Vec<BarGroup>,
) -> BarChart {
    let top = groups
        .iter()
        .flat_map(|g| {
            let err = g.err.clone().unwrap_or_else(|| vec![0.0; g.values.len()]);
            tops(&[(g.values.clone(), err)])
        })
        .fold(0.0, f64::max);
    BarChart {
        title: title.to_string(),
        y_label: y_label.to_string(),
        x_label: "Mineral".to_string(),
        categories,
        groups,
        reference_lines: Vec::new(),
        y_range: (0.0, (top * 1.45).clamp(0.05, 1.45)),
        label_max: Some(1.0),
        percent: true,
    }
}

/// `risk_reduction.png`: per mineral, baseline and alternative
/// `eud_total` (as % of the baseline's, so minerals of different units
/// share an axis) and `p_any_shortfall`, with 95% error bars; then, for
/// the minerals both trade on a world market, the paired change of the
/// consumer's expected cost and the probability of a price-spike year
/// ([`super::market_bars::market_panels`]).
pub fn risk_reduction_bars(cmp: &crate::compare::Comparison) -> Vec<BarChart> {
    let ids: Vec<String> = cmp.minerals.0.iter().map(|(id, _)| id.clone()).collect();
    let pick = |s: &Summary,
                f: &dyn Fn(&crate::summary::MineralSummary) -> (f64, f64)|
     -> Vec<(f64, f64)> {
        ids.iter()
            .map(|id| s.minerals.get(id).map_or((0.0, 0.0), f))
            .collect()
    };
    let base_eud = pick(&cmp.baseline, &|m| (m.eud_total, m.eud_total_se));
    // The alternative's error bar is that of the paired change (common
    // random numbers): how sure the change is, 0 for a mineral the two
    // scenarios define alike.
    let paired = |id: &String| cmp.minerals.get(id).map_or(0.0, |c| c.delta.eud_total_se);
    let alt_eud: Vec<(f64, f64)> = ids
        .iter()
        .zip(pick(&cmp.alternative, &|m| (m.eud_total, 0.0)))
        .map(|(id, (v, _))| (v, paired(id)))
        .collect();
    let rel = |v: &[(f64, f64)]| -> (Vec<f64>, Vec<f64>) {
        v.iter()
            .zip(&base_eud)
            .map(|(&(x, se), &(b, _))| {
                if b > 0.0 {
                    (100.0 * x / b, Z95 * 100.0 * se / b)
                } else {
                    (0.0, 0.0)
                }
            })
            .unzip()
    };
    // The baseline is 100% of itself exactly: no error bar.
    let (bv, _) = rel(&base_eud);
    let be = vec![0.0; bv.len()];
    let (av, ae) = rel(&alt_eud);
    let p = |s: &Summary| -> (Vec<f64>, Vec<f64>) {
        pick(s, &|m| (m.p_any_shortfall, m.p_any_shortfall_se))
            .into_iter()
            .map(|(v, se)| (v, Z95 * se))
            .unzip()
    };
    let (bp, bpe) = p(&cmp.baseline);
    let (ap, ape) = p(&cmp.alternative);
    let names = scenario_names(cmp);
    let eud = [(bv, be), (av, ae)];
    let top_eud = max_of(tops(&eud).iter()).max(100.0);
    let mut panels = vec![
        BarChart {
            title: "Expected unserved demand over the horizon, % of baseline".to_string(),
            y_label: "Expected unserved demand, % of the baseline's".to_string(),
            x_label: "Mineral".to_string(),
            categories: ids.clone(),
            groups: two_groups(&names, eud),
            reference_lines: Vec::new(),
            y_range: (0.0, top_eud * 1.45),
            label_max: None,
            percent: false,
        },
        chance_panel(
            "Probability of at least one shortfall year, baseline vs alternative",
            "Probability of at least one shortfall year",
            ids,
            two_groups(&names, [(bp, bpe), (ap, ape)]),
        ),
    ];
    panels.extend(super::market_bars::market_panels(cmp));
    panels
}

/// Draw grouped vertical bars, with error bars and reference lines, as PNG bytes.
pub(super) fn draw_bars(
    root: &Area,
    data: &BarChart,
    look: &Look,
) -> std::result::Result<(), String> {
    let (sw, sh) = look.swatch();
    let n = data.categories.len().max(1);
    // Category i is centred on x = i, so integer ticks label categories.
    let (x0, x1) = (-0.5, n as f64 - 0.5);
    // Ticks and grid lines only up to `label_max`: the range above it is
    // room for the legend, not part of the scale.
    let (y0, y1) = data.y_range;
    let ticks = round_ticks(y0, data.label_max.map_or(y1, |m| m.min(y1)), 7);
    let ends: Vec<String> = ticks
        .iter()
        .map(|&y| {
            if data.percent {
                percent_label(y)
            } else {
                tick_label(y, y1 - y0)
            }
        })
        .collect();
    let mut chart = look
        .builder(root, &data.title, &ends)
        .build_cartesian_2d(
            x0..x1,
            TickedAxis {
                range: (y0..y1).into(),
                ticks,
            },
        )
        .map_err(|e| e.to_string())?;
    let cats = data.categories.clone();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc(&data.x_label)
        .y_desc(&data.y_label)
        .axis_desc_style(look.axis())
        .label_style(look.tick())
        .x_labels(n)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                cats.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| {
            if data.percent {
                percent_label(*y)
            } else {
                tick_label(*y, y1 - y0)
            }
        })
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    let g = data.groups.len().max(1) as f64;
    let width = 0.72 / g;
    let plot_width = chart.plotting_area().dim_in_pixel().0;
    let entries: Vec<String> = data
        .groups
        .iter()
        .map(|g| look.legend_entry(&g.label, plot_width))
        .collect();
    for (gi, group) in data.groups.iter().enumerate() {
        let c = colour(gi);
        let left = |i: usize| i as f64 - 0.36 + gi as f64 * width;
        chart
            .draw_series(group.values.iter().enumerate().map(|(i, v)| {
                Rectangle::new(
                    [(left(i) + 0.01, 0.0), (left(i) + width - 0.01, *v)],
                    c.filled(),
                )
            }))
            .map_err(|e| e.to_string())?
            .label(entries[gi].clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - sh), (x + sw, y + sh)], c.filled()));
        if let Some(err) = &group.err {
            let items: Vec<(f64, f64, f64)> = group
                .values
                .iter()
                .zip(err)
                .enumerate()
                .filter(|(_, (_, e))| **e > 0.0)
                .map(|(i, (v, e))| (left(i) + width / 2.0, v - e, v + e))
                .collect();
            draw_whiskers(
                &mut chart,
                &items,
                true,
                colour(7).stroke_width(look.stroke(2.5)),
                look.size.px(14.0) as i32,
            )?;
        }
    }
    // Reference lines: distinct greys and dash patterns, named in the legend.
    for (k, (y, label)) in data.reference_lines.iter().enumerate() {
        if *y > data.y_range.1 {
            continue;
        }
        let grey = if k % 2 == 0 {
            RGBColor(120, 120, 120)
        } else {
            RGBColor(40, 40, 40)
        };
        let style = grey.stroke_width(look.stroke(2.5));
        let (dash, gap) = if k % 2 == 0 { (6.0, 8.0) } else { (16.0, 8.0) };
        let pattern = (look.size.px(dash), look.size.px(gap));
        chart
            .draw_series(DashedLineSeries::new(
                [(x0, *y), (x1, *y)],
                pattern.0,
                pattern.1,
                style,
            ))
            .map_err(|e| e.to_string())?
            .label(label.clone())
            .legend(move |at| dashed_swatch(at, sw, pattern, style));
    }
    let labels: Vec<&str> = entries
        .iter()
        .map(String::as_str)
        .chain(data.reference_lines.iter().map(|(_, l)| l.as_str()))
        .collect();
    let mut samples = Vec::new();
    for (gi, group) in data.groups.iter().enumerate() {
        for (i, v) in group.values.iter().enumerate() {
            let left = i as f64 - 0.36 + gi as f64 * width;
            for a in 0..5 {
                for b in 0..=10 {
                    samples.push((left + width * a as f64 / 4.0, v * b as f64 / 10.0));
                }
            }
        }
    }
    legend_box(&mut chart, look, &samples, &labels)
}
