//! Tornado charts: the disruptions whose removal changes a mineral's
//! expected unserved demand the most (`tornado_<mineral>.png`).

use super::labels::tick_label;
use super::legend::{draw_note, draw_whiskers};
use super::style::{colour, Area, Look};
use super::Z95;
use plotters::prelude::*;

/// Horizontal bars, one per entity, most important at the top.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoChart {
    /// Chart title.
    pub title: String,
    /// X-axis label, with units.
    pub x_label: String,
    /// Entity names, top to bottom.
    pub labels: Vec<String>,
    /// Bar lengths (signed).
    pub values: Vec<f64>,
    /// Error-bar half-widths.
    pub err: Vec<f64>,
    /// X-axis range.
    pub x_range: (f64, f64),
    /// A note drawn in the plot area.
    pub note: Option<String>,
}

/// `tornado_<mineral>.png`: the `top` entities with the largest change in
/// `eud_total` when their disruption is switched off, with 95% error bars.
pub fn tornado(
    scenario: &str,
    mineral: &str,
    unit: &str,
    entries: &[crate::sensitivity::SensitivityEntry],
    top: usize,
) -> TornadoChart {
    let mut shown: Vec<&crate::sensitivity::SensitivityEntry> = entries.iter().collect();
    shown.sort_by(|a, b| b.delta_eud_total.abs().total_cmp(&a.delta_eud_total.abs()));
    shown.truncate(top);
    shown.sort_by(|a, b| a.delta_eud_total.total_cmp(&b.delta_eud_total));
    let values: Vec<f64> = shown.iter().map(|e| e.delta_eud_total).collect();
    let err: Vec<f64> = shown.iter().map(|e| Z95 * e.delta_eud_total_se).collect();
    let lo = values
        .iter()
        .zip(&err)
        .map(|(v, e)| v - e)
        .fold(0.0, f64::min);
    let hi = values
        .iter()
        .zip(&err)
        .map(|(v, e)| v + e)
        .fold(0.0, f64::max);
    let span = if hi - lo > 0.0 { hi - lo } else { 1.0 };
    let all_zero = values.iter().all(|v| *v == 0.0);
    TornadoChart {
        title: format!("{scenario}: drivers of {mineral} shortfall risk"),
        x_label: format!(
            "Change in expected unserved {mineral} with the disruption switched off, {unit}"
        ),
        labels: shown
            .iter()
            .map(|e| format!("{} ({})", e.entity, e.kind))
            .collect(),
        values,
        err,
        x_range: (lo - 0.08 * span, hi + 0.08 * span),
        note: all_zero.then(|| "No disruption changes the risk".to_string()),
    }
}

/// Draw horizontal bars by entity (a tornado), with 95% error bars.
pub(super) fn draw_tornado(
    root: &Area,
    data: &TornadoChart,
    look: &Look,
) -> std::result::Result<(), String> {
    let n = data.labels.len().max(1);
    let (x0, x1) = data.x_range;
    // Entity i (0 = top) is centred on y = n - 1 - i.
    let (y0, y1) = (-0.5, n as f64 - 0.5);
    let longest = data
        .labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(8) as f64;
    let label_area = (0.6 * look.size.font(23.0) as f64 * longest) as u32 + look.size.px(30.0);
    let (title, title_style) = look.fitted_title(&data.title, root.dim_in_pixel().0);
    let mut chart = ChartBuilder::on(root)
        .caption(title, title_style)
        .margin(look.size.px(30.0))
        .x_label_area_size(look.size.px(95.0))
        .y_label_area_size(label_area.max(look.size.px(130.0)))
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    let labels = data.labels.clone();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc(&data.x_label)
        .axis_desc_style(look.axis())
        .label_style(look.tick())
        .y_labels(n)
        .y_label_formatter(&|y| {
            let i = y.round();
            if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_labels(10)
        .x_label_formatter(&|x| tick_label(*x, x1 - x0))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(|e| e.to_string())?;
    let c = colour(5);
    chart
        .draw_series(data.values.iter().enumerate().map(|(i, v)| {
            let y = (n - 1 - i) as f64;
            Rectangle::new([(0.0, y - 0.34), (*v, y + 0.34)], c.filled())
        }))
        .map_err(|e| e.to_string())?;
    let black = colour(7);
    let items: Vec<(f64, f64, f64)> = data
        .values
        .iter()
        .zip(&data.err)
        .enumerate()
        .filter(|(_, (_, e))| **e > 0.0)
        .map(|(i, (v, e))| ((n - 1 - i) as f64, v - e, v + e))
        .collect();
    draw_whiskers(
        &mut chart,
        &items,
        false,
        black.stroke_width(look.stroke(2.5)),
        look.size.px(12.0) as i32,
    )?;
    chart
        .draw_series(LineSeries::new(
            [(0.0, y0), (0.0, y1)],
            black.stroke_width(look.stroke(2.0)),
        ))
        .map_err(|e| e.to_string())?;
    draw_note(&chart, look, &data.note, (x0, x1), (y0, y1))
}
