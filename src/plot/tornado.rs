//! Tornado charts: the disruptions whose removal changes a mineral's
//! expected unserved demand the most (`tornado_<mineral>.png`).

use super::axes::row_chart;
use super::labels::{amount_label, percent_label};
use super::legend::{draw_note, draw_whiskers};
use super::style::{colour, fit_line, Area, Look, FONT};
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
    /// The bar of every disruption switched off at once, `(value, error
    /// half-width)`, drawn at the top in its own colour.
    pub total: Option<(f64, f64)>,
    /// Lines printed under the chart.
    pub footnotes: Vec<String>,
}

/// The label of the total bar.
pub const TOTAL_LABEL: &str = "all disruptions off, together";

/// What a tornado chart measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure<'a> {
    /// Expected unserved demand, in the mineral's unit (`market`: demand
    /// priced out or rationed on a world market).
    Unserved {
        /// Whether the mineral trades on a world market.
        market: bool,
    },
    /// The consumer's expected cost on a world market, in `currency`.
    Cost {
        /// The market's currency label.
        currency: &'a str,
    },
}

type Entry = crate::sensitivity::SensitivityEntry;
type AllOff = crate::sensitivity::AllOff;

impl Measure<'_> {
    /// An entity's change and its standard error (`None`: not measured).
    fn of(self, e: &Entry) -> Option<(f64, f64)> {
        match self {
            Measure::Unserved { .. } => Some((e.delta_eud_total, e.delta_eud_total_se)),
            Measure::Cost { .. } => Some((e.delta_cost_total?, e.delta_cost_total_se?)),
        }
    }

    /// The change with every disruption switched off together.
    fn of_all(self, a: &AllOff) -> Option<(f64, f64)> {
        match self {
            Measure::Unserved { .. } => Some((a.delta_eud_total, a.delta_eud_total_se)),
            Measure::Cost { .. } => Some((a.delta_cost_total?, a.delta_cost_total_se?)),
        }
    }
}

/// `tornado_<mineral>.png`: the `top` entities with the largest change in
/// `measure` when their disruption is switched off, with 95% error bars;
/// on top, the bar of every disruption switched off together (`all_off`),
/// the total the entities' effects compare with. Entities without any
/// effect (a change of exactly 0) are not drawn but named under the chart,
/// with (for unserved demand) what remains without any disruption.
pub fn tornado(
    scenario: &str,
    mineral: &str,
    unit: &str,
    measure: Measure,
    entries: &[Entry],
    all_off: Option<&AllOff>,
    top: usize,
) -> TornadoChart {
    let change = |e: &Entry| measure.of(e).unwrap_or((0.0, 0.0));
    let no_effect = |e: &&Entry| change(e) == (0.0, 0.0);
    let mut shown: Vec<&Entry> = entries.iter().filter(|e| !no_effect(e)).collect();
    shown.sort_by(|a, b| change(b).0.abs().total_cmp(&change(a).0.abs()));
    let hidden = shown.len().saturating_sub(top);
    shown.truncate(top);
    shown.sort_by(|a, b| change(a).0.total_cmp(&change(b).0));
    let values: Vec<f64> = shown.iter().map(|e| change(e).0).collect();
    let err: Vec<f64> = shown.iter().map(|e| Z95 * change(e).1).collect();
    let total = all_off
        .and_then(|a| measure.of_all(a))
        .filter(|&t| t != (0.0, 0.0))
        .map(|(v, se)| (v, Z95 * se));
    let ends = values
        .iter()
        .zip(&err)
        .chain(total.iter().map(|(v, e)| (v, e)));
    let (lo, hi) = ends.fold((0.0f64, 0.0f64), |(lo, hi), (v, e)| {
        (lo.min(v - e), hi.max(v + e))
    });
    let span = if hi - lo > 0.0 { hi - lo } else { 1.0 };
    let mut footnotes = Vec::new();
    if let (Some(a), Measure::Unserved { market }) = (all_off, measure) {
        footnotes.push(remaining(a, mineral, unit, market));
    }
    let zero: Vec<String> = entries
        .iter()
        .filter(|e| no_effect(e))
        .map(|e| e.entity.clone())
        .collect();
    if !zero.is_empty() {
        let mut names = zero.iter().take(6).cloned().collect::<Vec<_>>().join(", ");
        if zero.len() > 6 {
            names += &format!(" and {} more", zero.len() - 6);
        }
        footnotes.push(format!("No effect in any trial (not drawn): {names}."));
    }
    if hidden > 0 {
        footnotes.push(if hidden == 1 {
            "1 smaller effect not drawn; it is in sensitivity.csv.".to_string()
        } else {
            format!("{hidden} smaller effects not drawn; all are in sensitivity.csv.")
        });
    }
    let (title, x_label) = match measure {
        Measure::Unserved { market: false } => (
            format!("{scenario}: drivers of {mineral} shortfall risk"),
            format!("Change in expected unserved {mineral}, each driver switched off in turn, {unit}"),
        ),
        Measure::Unserved { market: true } => (
            format!("{scenario}: drivers of {mineral} shortfall risk"),
            format!("Change in expected {mineral} demand priced out or rationed, each driver switched off, {unit}"),
        ),
        Measure::Cost { currency } => (
            format!("{scenario}: drivers of the consumer's {mineral} cost"),
            format!("Change in the consumer's expected {mineral} cost, each driver switched off in turn, {currency}"),
        ),
    };
    TornadoChart {
        title,
        x_label,
        labels: shown
            .iter()
            .map(|e| format!("{} ({})", e.entity, e.kind))
            .collect(),
        values,
        err,
        x_range: (lo - 0.08 * span, hi + 0.08 * span),
        note: (shown.is_empty() && total.is_none()).then(|| {
            match measure {
                Measure::Cost { .. } => "No disruption changes the cost",
                Measure::Unserved { .. } => "No disruption changes the risk",
            }
            .to_string()
        }),
        total,
        footnotes,
    }
}

/// What would go unserved (or be priced out) with no disruption at all.
fn remaining(a: &AllOff, mineral: &str, unit: &str, market: bool) -> String {
    let left = a.eud_total_without_disruptions;
    // The scenario as written: what is left plus what the disruptions add.
    let with = left - a.delta_eud_total;
    let (gone, why) = if market {
        (
            "be priced out or rationed",
            "demand above what the world's supply serves at the reference price",
        )
    } else {
        ("go unserved", "supply short of demand")
    };
    if amount_label(left) == "0" {
        let none = if market { "no demand for" } else { "no" };
        format!("Without any disruption, {none} {mineral} would {gone} over the horizon.")
    } else if with > 0.0 {
        format!(
            "Without any disruption, {} {unit} of {mineral} ({} of the expected amount) would still {gone}: {why}.",
            amount_label(left),
            percent_label((left / with).min(1.0))
        )
    } else {
        format!(
            "Without any disruption, {} {unit} of {mineral} would still {gone}: {why}.",
            amount_label(left)
        )
    }
}

/// Draw horizontal bars by entity (a tornado), with 95% error bars.
pub(super) fn draw_tornado(
    root: &Area,
    data: &TornadoChart,
    look: &Look,
) -> std::result::Result<(), String> {
    // The total bar first (at the top), then the entities.
    let mut labels = data.labels.clone();
    let mut values = data.values.clone();
    let mut err = data.err.clone();
    if let Some((v, e)) = data.total {
        labels.insert(0, TOTAL_LABEL.to_string());
        values.insert(0, v);
        err.insert(0, e);
    }
    let first_entity = usize::from(data.total.is_some());
    let n = labels.len().max(1);
    let (x0, x1) = data.x_range;
    // Entity i (0 = top) is centred on y = n - 1 - i.
    let (y0, y1) = (-0.5, n as f64 - 0.5);
    // Footnotes get a strip of their own under the chart.
    let line = look.size.px(30.0);
    let strip = if data.footnotes.is_empty() {
        0
    } else {
        data.footnotes.len() as u32 * line + line / 2
    };
    let (_, height) = root.dim_in_pixel();
    let (area, foot) = root.split_vertically(height.saturating_sub(strip));
    let mut chart = row_chart(&area, look, &data.title, &data.x_label, &labels, (x0, x1))?;
    chart
        .draw_series(values.iter().enumerate().map(|(i, v)| {
            let y = (n - 1 - i) as f64;
            let c = if i < first_entity {
                colour(0)
            } else {
                colour(5)
            };
            Rectangle::new([(0.0, y - 0.34), (*v, y + 0.34)], c.filled())
        }))
        .map_err(|e| e.to_string())?;
    let black = colour(7);
    let items: Vec<(f64, f64, f64)> = values
        .iter()
        .zip(&err)
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
    draw_note(&chart, look, &data.note, (x0, x1), (y0, y1))?;
    let left = look.size.px(30.0);
    let width = foot.dim_in_pixel().0.saturating_sub(2 * left);
    // Shrunk (then cut) to the chart's width, as the footer is, all at the
    // size the longest needs.
    let px = data
        .footnotes
        .iter()
        .map(|t| fit_line(t, look.size.font(23.0), width).1)
        .min()
        .unwrap_or(0);
    for (k, text) in data.footnotes.iter().enumerate() {
        foot.draw(&Text::new(
            fit_line(text, px, width).0,
            (left as i32, k as i32 * line as i32),
            (FONT, px).into_font(),
        ))
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitivity::{AllOff, SensitivityEntry};

    const PHYSICAL: Measure = Measure::Unserved { market: false };

    fn entry(entity: &str, d: f64, se: f64) -> SensitivityEntry {
        SensitivityEntry {
            entity: entity.to_string(),
            kind: "source",
            delta_eud_total: d,
            delta_eud_total_se: se,
            delta_p_any_shortfall: 0.0,
            delta_p_any_shortfall_se: 0.0,
            ..SensitivityEntry::default()
        }
    }

    #[test]
    fn zero_effects_are_named_not_drawn_and_the_total_comes_first() {
        let entries = [
            entry("a", -5.0, 0.2),
            entry("quiet", 0.0, 0.0),
            entry("b", -1.0, 0.1),
            entry("c", -0.5, 0.1),
        ];
        let all_off = AllOff {
            delta_eud_total: -7.0,
            delta_eud_total_se: 0.3,
            delta_p_any_shortfall: -0.1,
            delta_p_any_shortfall_se: 0.01,
            eud_total_without_disruptions: 12.0,
            eud_total_without_disruptions_se: 0.5,
            ..AllOff::default()
        };
        let t = tornado("S", "cu", "kt", PHYSICAL, &entries, Some(&all_off), 2);
        assert_eq!(t.labels, ["a (source)", "b (source)"]);
        assert_eq!(t.total, Some((-7.0, Z95 * 0.3)));
        assert!(t.x_range.0 < -7.0 - Z95 * 0.3);
        // 12 of the 12 + 7 expected: 63%.
        assert!(t.footnotes[0].starts_with("Without any disruption, 12 kt of cu (63% of the expected amount) would still go unserved"));
        let none_left = AllOff {
            eud_total_without_disruptions: 0.0,
            ..all_off.clone()
        };
        let t0 = tornado("S", "cu", "kt", PHYSICAL, &entries, Some(&none_left), 2);
        assert_eq!(
            t0.footnotes[0],
            "Without any disruption, no cu would go unserved over the horizon."
        );
        assert!(t.footnotes[1].contains("not drawn): quiet."));
        assert!(t.footnotes[2].starts_with("1 smaller effect"));
        assert!(t.note.is_none());
        // Nothing at all: the note says so.
        let t = tornado(
            "S",
            "cu",
            "kt",
            PHYSICAL,
            &[entry("quiet", 0.0, 0.0)],
            None,
            5,
        );
        assert!(t.labels.is_empty() && t.total.is_none());
        assert_eq!(t.note.as_deref(), Some("No disruption changes the risk"));
    }

    #[test]
    fn a_cost_tornado_ranks_by_the_change_in_cost_in_the_currency() {
        let priced = |entity: &str, eud: f64, cost: f64| SensitivityEntry {
            delta_cost_total: Some(cost),
            delta_cost_total_se: Some(if cost == 0.0 { 0.0 } else { 1.0 }),
            ..entry(entity, eud, 0.1)
        };
        // Ranked by cost, not by unserved demand.
        let entries = [
            priced("a", -5.0, -10.0),
            priced("b", -1.0, -40.0),
            priced("c", -0.5, 0.0),
        ];
        let all_off = AllOff {
            delta_eud_total: -7.0,
            delta_cost_total: Some(-55.0),
            delta_cost_total_se: Some(2.0),
            eud_total_without_disruptions: 3.0,
            ..AllOff::default()
        };
        let cost = Measure::Cost {
            currency: "USD million",
        };
        let t = tornado("S", "cu", "kt", cost, &entries, Some(&all_off), 5);
        assert_eq!(t.labels, ["b (source)", "a (source)"]);
        assert_eq!(t.values, [-40.0, -10.0]);
        assert_eq!(t.total, Some((-55.0, Z95 * 2.0)));
        assert!(
            t.x_label.ends_with("switched off in turn, USD million"),
            "{}",
            t.x_label
        );
        assert!(t.title.contains("drivers of the consumer's cu cost"));
        // No remaining-demand line; the entity whose cost does not move is named.
        assert_eq!(t.footnotes, ["No effect in any trial (not drawn): c."]);
        // Unserved demand on a world market is priced out or rationed.
        let t = tornado(
            "S",
            "cu",
            "kt",
            Measure::Unserved { market: true },
            &entries,
            Some(&all_off),
            5,
        );
        assert!(
            t.footnotes[0].contains("would still be priced out or rationed"),
            "{}",
            t.footnotes[0]
        );
    }
}
