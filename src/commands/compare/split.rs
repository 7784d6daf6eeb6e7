//! `compare` on world markets: both scenarios run again with every
//! disruption switched off, to split each change in cost into the price
//! level the alternative brings in any case and the disruption risk it
//! takes away or adds.

use super::super::{simulate_with_progress, SimOptions};
use crate::compare::Comparison;
use crate::engine::Aggregate;
use crate::error::Result;
use crate::output::{fmt_pm, text_table, wrap, WIDTH};
use crate::scenario::Scenario;
use crate::sensitivity::without_disruptions;

/// Whether some mineral is on a world market in both scenarios, so that
/// its change in cost can be split.
pub(super) fn wanted(base: &Scenario, alt: &Scenario) -> bool {
    base.minerals.iter().any(|m| {
        m.market.is_some()
            && alt
                .mineral_index(&m.id)
                .is_some_and(|a| alt.minerals[a].market.is_some())
    })
}

/// Both scenarios with every disruption switched off, run with the
/// comparison's seed and trials.
pub(super) fn quiet_runs(
    (base, alt): (&Scenario, &Scenario),
    seed: u64,
    trials: u64,
    opts: &SimOptions,
) -> Result<(Aggregate, Aggregate)> {
    Ok((
        simulate_with_progress(
            &without_disruptions(base),
            seed,
            trials,
            opts,
            "baseline, no disruptions",
        )?,
        simulate_with_progress(
            &without_disruptions(alt),
            seed,
            trials,
            opts,
            "alternative, no disruptions",
        )?,
    ))
}

/// Header of the split table.
pub(super) const HEADER: [&str; 4] = [
    "mineral",
    "change in cost_total",
    "price level",
    "disruption risk",
];

/// What the split table's columns measure, under it.
pub(super) const NOTE: &str = "price level: the change with every disruption switched off in both scenarios; disruption risk: the rest of the change, paired trial by trial";

/// Rows of the split table: per world-market mineral, the change in
/// `cost_total` and its two parts, each with its paired standard error.
pub(super) fn rows(c: &Comparison) -> Vec<Vec<String>> {
    c.minerals
        .0
        .iter()
        .filter_map(|(id, mc)| {
            let split = mc.cost_split?;
            let money = c.baseline.minerals.get(id)?.currency.clone()?;
            let d = &mc.delta;
            Some(vec![
                id.clone(),
                format!("{} {money}", fmt_pm(d.cost_total?, d.cost_total_se?)),
                format!(
                    "{} {money}",
                    fmt_pm(split.price_level, split.price_level_se)
                ),
                format!(
                    "{} {money}",
                    fmt_pm(split.disruption_risk, split.disruption_risk_se)
                ),
            ])
        })
        .collect()
}

/// A sentence per world-market mineral: how much of the change in cost is
/// the price level, and what the rest does to disruption risk.
pub(super) fn findings(c: &Comparison) -> Vec<String> {
    c.minerals
        .0
        .iter()
        .filter_map(|(id, mc)| {
            let split = mc.cost_split?;
            let money = c.baseline.minerals.get(id)?.currency.clone()?;
            let level = fmt_pm(split.price_level, split.price_level_se);
            let which = match split.price_level {
                x if x < 0.0 => "a lower price level",
                x if x > 0.0 => "a higher price level",
                _ => "the price level",
            };
            let (r, se) = (split.disruption_risk, split.disruption_risk_se);
            let rest = match r {
                _ if r == 0.0 && se == 0.0 => "none of it is disruption risk".to_string(),
                _ if r.abs() < crate::plot::Z95 * se => {
                    format!("what it does to disruption risk is within noise ({} {money}, paired)", fmt_pm(r, se))
                }
                _ if r < 0.0 => format!("beyond that it takes away {} {money} of disruption risk (paired)", fmt_pm(-r, se)),
                _ => format!("beyond that it adds {} {money} of disruption risk (paired)", fmt_pm(r, se)),
            };
            Some(format!(
                "{id}: of the change in expected cost, {level} {money} is {which}, which the alternative brings even with no disruption in either scenario; {rest}."
            ))
        })
        .collect()
}

/// The console's split: the table, what it measures and the sentences;
/// empty when no change in cost was split. It starts with a blank line.
pub(super) fn block(c: &Comparison) -> String {
    let rows = rows(c);
    if rows.is_empty() {
        return String::new();
    }
    let sentences: String = findings(c).iter().map(|l| wrap(l, WIDTH)).collect();
    format!(
        "\n{}{}{sentences}",
        text_table(&HEADER, &rows),
        wrap(NOTE, WIDTH)
    )
}

/// The split's terms, for the page's glossary.
pub(super) const GLOSSARY: [(&str, &str); 2] = [
    (
        "price level",
        "The part of a change in the consumer's expected cost that the alternative brings with no disruption at all: both scenarios run again with every disruption switched off (same seed, so every other draw is the same), and the change between those two runs. A source that adds to world supply lowers the price in every year it produces, disrupted or not. It is priced with the short-run demand elasticity, which overstates how far a lasting addition to supply moves the price once other producers and buyers adjust: read it as an upper bound.",
    ),
    (
        "disruption risk",
        "The rest of a change in the consumer's expected cost, paired trial by trial: what the alternative does to the cost of disruptions (negative: risk taken away). Together with the price level it makes up the whole change.",
    ),
];
