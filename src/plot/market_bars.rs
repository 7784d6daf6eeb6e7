//! The world-market panels of a comparison's `risk_reduction.png`: per
//! mineral traded on a world market in both scenarios, the consumer's
//! expected cost over the horizon and the probability of a price-spike
//! year, baseline against alternative.

use super::bars::{BarChart, BarGroup};
use super::Z95;
use crate::compare::Comparison;
use crate::summary::MineralSummary;

/// A value and the half-width of its 95% error bar.
type Bar = (f64, f64);

/// A mineral's baseline and alternative bars.
type Pair = (Bar, Bar);

/// The cost and price-spike panels for the minerals that both scenarios
/// trade on a world market (none without such a mineral). The
/// baseline's error bars are its own; the alternative's cost bar carries
/// the paired change's, like its unserved demand, and its spike chance
/// its own, like its chance of a shortfall year.
pub fn market_panels(cmp: &Comparison) -> Vec<BarChart> {
    let mut ids = Vec::new();
    let (mut cost, mut spike): (Vec<Pair>, Vec<Pair>) = (Vec::new(), Vec::new());
    let mut currencies: Vec<String> = Vec::new();
    for (id, mc) in &cmp.minerals.0 {
        let (Some(b), Some(a)) = (
            cmp.baseline.minerals.get(id),
            cmp.alternative.minerals.get(id),
        ) else {
            continue;
        };
        let Some((c, s)) = market_bars(b, a, mc.delta.cost_total_se) else {
            continue;
        };
        ids.push(id.clone());
        currencies.push(b.currency.clone().unwrap_or_default());
        cost.push(c);
        spike.push(s);
    }
    if ids.is_empty() {
        return Vec::new();
    }
    let one_currency = currencies.iter().all(|c| c == &currencies[0]);
    let (cost_ids, money) = if one_currency {
        (ids.clone(), currencies[0].clone())
    } else {
        let named = ids
            .iter()
            .zip(&currencies)
            .map(|(id, c)| format!("{id} ({c})"))
            .collect();
        (named, "in each market's currency".to_string())
    };
    let names = super::bars::scenario_names(cmp);
    vec![
        panel(
            "Consumer's expected cost over the horizon against reference prices, baseline vs alternative",
            &format!("Expected cost over the horizon, {money}"),
            cost_ids,
            &names,
            &cost,
            false,
        ),
        panel(
            "Probability of at least one price-spike year, baseline vs alternative",
            "Probability of at least one price-spike year",
            ids,
            &names,
            &spike,
            true,
        ),
    ]
}

/// A market mineral's cost and spike-chance bars in the two scenarios;
/// `None` unless both trade it on a world market. `paired_se` is the
/// standard error of the paired change of cost.
fn market_bars(
    b: &MineralSummary,
    a: &MineralSummary,
    paired_se: Option<f64>,
) -> Option<(Pair, Pair)> {
    let cost = (
        (b.cost_total?, Z95 * b.cost_total_se?),
        (a.cost_total?, Z95 * paired_se?),
    );
    let spike = (
        (b.p_price_spike?, Z95 * b.p_price_spike_se?),
        (a.p_price_spike?, Z95 * a.p_price_spike_se?),
    );
    Some((cost, spike))
}

/// One panel of baseline and alternative bars with their error bars, its
/// axis from 0 (or the lowest bar, for a negative cost) with room for the
/// legend above the highest.
fn panel(
    title: &str,
    y_label: &str,
    categories: Vec<String>,
    names: &(String, String),
    bars: &[Pair],
    percent: bool,
) -> BarChart {
    let group = |label: &String, pick: fn(&Pair) -> Bar| {
        let (values, err) = bars.iter().map(pick).unzip();
        BarGroup {
            label: label.clone(),
            values,
            err: Some(err),
        }
    };
    let ends = bars
        .iter()
        .flat_map(|&(b, a)| [b.0 - b.1, b.0 + b.1, a.0 - a.1, a.0 + a.1]);
    let (lo, hi) = ends.fold((0.0f64, 0.0f64), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let y_range = if percent {
        (0.0, (hi * 1.45).clamp(0.05, 1.45))
    } else {
        (
            lo - if lo < 0.0 { 0.05 * span } else { 0.0 },
            hi + 0.45 * span,
        )
    };
    BarChart {
        title: title.to_string(),
        y_label: y_label.to_string(),
        x_label: "Mineral".to_string(),
        categories,
        groups: vec![group(&names.0, |p| p.0), group(&names.1, |p| p.1)],
        reference_lines: Vec::new(),
        y_range,
        label_max: percent.then_some(1.0),
        percent,
    }
}
