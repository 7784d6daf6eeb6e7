//! The world-market panels of a comparison's `risk_reduction.png`: per
//! mineral traded on a world market in both scenarios, the paired change
//! of the consumer's expected cost over the horizon, and the probability
//! of a price-spike year in each scenario.

use super::bars::{chance_panel, two_groups, BarChart, BarGroup};
use super::Z95;
use crate::compare::Comparison;

/// The cost and price-spike panels for the minerals that both scenarios
/// trade on a world market (none without such a mineral).
///
/// The cost panel shows the change itself, alternative minus baseline,
/// with its paired 95% interval: the two runs' costs are each uncertain
/// by far more than their paired difference (common random numbers), so
/// two bars with their own error bars would hide a clear change, and a
/// baseline bar with its own and an alternative bar with the paired one
/// would misstate the alternative's level. The spike panel gives each
/// scenario's chance with its own error bar, as the shortfall panel does.
pub fn market_panels(cmp: &Comparison) -> Vec<BarChart> {
    let mut ids = Vec::new();
    let mut currencies: Vec<String> = Vec::new();
    let (mut change, mut change_err) = (Vec::new(), Vec::new());
    // The change's two parts, where the comparison split it.
    let mut parts = [(Vec::new(), Vec::new()), (Vec::new(), Vec::new())];
    let mut spikes = [(Vec::new(), Vec::new()), (Vec::new(), Vec::new())];
    for (id, mc) in &cmp.minerals.0 {
        let (Some(b), Some(a)) = (
            cmp.baseline.minerals.get(id),
            cmp.alternative.minerals.get(id),
        ) else {
            continue;
        };
        let d = &mc.delta;
        let (Some(cost), Some(cost_se), Some(currency)) =
            (d.cost_total, d.cost_total_se, b.currency.as_ref())
        else {
            continue;
        };
        let run_spikes = [b, a].map(|m| (m.p_price_spike, m.p_price_spike_se));
        let [(Some(pb), Some(sb)), (Some(pa), Some(sa))] = run_spikes else {
            continue;
        };
        ids.push(id.clone());
        currencies.push(currency.clone());
        change.push(cost);
        change_err.push(Z95 * cost_se);
        if let Some(x) = mc.cost_split {
            let halves = [
                (x.price_level, x.price_level_se),
                (x.disruption_risk, x.disruption_risk_se),
            ];
            for (part, (v, se)) in parts.iter_mut().zip(halves) {
                part.0.push(v);
                part.1.push(Z95 * se);
            }
        }
        for (run, (p, se)) in spikes.iter_mut().zip([(pb, sb), (pa, sa)]) {
            run.0.push(p);
            run.1.push(Z95 * se);
        }
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
    let mut groups = vec![BarGroup {
        label: "alternative minus baseline (paired, 95% interval); below 0: a saving".to_string(),
        values: change,
        err: Some(change_err),
    }];
    // Every mineral's change split, or none shown.
    if parts[0].0.len() == ids.len() {
        let [(level, level_err), (risk, risk_err)] = parts;
        groups[0].label = "whole change (paired, 95% interval); below 0: a saving".to_string();
        groups.push(BarGroup {
            label: "of which price level: the change with no disruption in either scenario"
                .to_string(),
            values: level,
            err: Some(level_err),
        });
        groups.push(BarGroup {
            label: "of which disruption risk: the rest, paired trial by trial".to_string(),
            values: risk,
            err: Some(risk_err),
        });
    }
    vec![
        change_panel(cost_ids, &money, groups),
        chance_panel(
            "Probability of at least one price-spike year, baseline vs alternative",
            "Probability of at least one price-spike year",
            ids,
            two_groups(&names, spikes),
        ),
    ]
}

/// The panel of the paired change of the consumer's expected cost per
/// mineral, in `money`, with its 95% interval (each group's `err`,
/// half-widths), and its parts where the comparison split it; the axis
/// spans 0 and every interval, with room for the legend above.
fn change_panel(categories: Vec<String>, money: &str, groups: Vec<BarGroup>) -> BarChart {
    let (lo, hi) = groups
        .iter()
        .flat_map(|g| g.values.iter().zip(g.err.iter().flatten()))
        .flat_map(|(v, e)| [v - e, v + e])
        .fold((0.0f64, 0.0f64), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let title = if groups.len() > 1 {
        "Change in the consumer's expected cost over the horizon, alternative minus baseline: price level and disruption risk"
    } else {
        "Change in the consumer's expected cost over the horizon, alternative minus baseline"
    };
    BarChart {
        title: title.to_string(),
        y_label: format!("Change in expected cost, {money}"),
        x_label: "Mineral".to_string(),
        categories,
        reference_lines: Vec::new(),
        y_range: (
            lo - if lo < 0.0 { 0.05 * span } else { 0.0 },
            hi + 0.45 * span,
        ),
        groups,
        label_max: None,
        percent: false,
    }
}
