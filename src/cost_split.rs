//! A lower price, or less risk? How much of an alternative's change in a
//! world-market mineral's cost is the price level it brings in any case,
//! and how much is disruption risk it takes away (or adds).
//!
//! A source that adds to world supply lowers the price in every step it
//! produces, disrupted or not. The same two scenarios run again with every
//! disruption switched off ([`crate::sensitivity::without_disruptions`]:
//! same seed, so every other draw is the same, trial by trial) measure
//! that price-level effect alone; the rest of the change, paired trial by
//! trial, is what the alternative does to disruption risk.

use crate::compare::{paired, Comparison, Paired};
use crate::engine::{Aggregate, MineralAcc};
use crate::scenario::Scenario;
use serde::Serialize;

/// A change in a world-market mineral's `cost_total` split in two
/// (`comparison.json`, per mineral, under `cost_split`). The parts add up
/// to the whole change (`delta.cost_total`), up to rounding.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CostSplit {
    /// The change with no disruption in either scenario: the price level
    /// the alternative brings in any case.
    pub price_level: f64,
    /// Its paired standard error.
    pub price_level_se: f64,
    /// The rest of the change: disruption risk the alternative adds
    /// (positive) or takes away (negative), paired trial by trial.
    pub disruption_risk: f64,
    /// Its paired standard error.
    pub disruption_risk_se: f64,
}

/// Per trial, the change in a world-market mineral's cost over the
/// horizon from `base` to `alt` (empty for a physical mineral).
pub fn cost_changes(base: &MineralAcc, alt: &MineralAcc) -> Vec<f64> {
    base.market_trials
        .iter()
        .zip(&alt.market_trials)
        .map(|(b, a)| a.0 - b.0)
        .collect()
}

/// Per-trial changes as written (`with`) and with no disruption in either
/// scenario (`level`), as paired estimates: the whole change, its price
/// level, and the rest (disruption risk).
pub fn split_changes(with: &[f64], level: &[f64]) -> (Paired, Paired, Paired) {
    let zero = || std::iter::repeat(0.0);
    (
        paired(zero(), with.iter().copied()),
        paired(zero(), level.iter().copied()),
        paired(level.iter().copied(), with.iter().copied()),
    )
}

/// The split of a world-market mineral's change in cost from `base` to
/// `alt`, where `base0` and `alt0` are the same runs with every disruption
/// switched off; `None` for a physical mineral.
pub fn cost_split(
    (base, alt): (&MineralAcc, &MineralAcc),
    (base0, alt0): (&MineralAcc, &MineralAcc),
) -> Option<CostSplit> {
    if base.market_trials.is_empty() || alt.market_trials.is_empty() {
        return None;
    }
    let (_, level, risk) = split_changes(&cost_changes(base, alt), &cost_changes(base0, alt0));
    Some(CostSplit {
        price_level: level.delta,
        price_level_se: level.se,
        disruption_risk: risk.delta,
        disruption_risk_se: risk.se,
    })
}

/// Set the [`CostSplit`] of every world-market mineral of `c` (a
/// comparison of `base_s` and `alt_s`), from the two runs as written and
/// the same two with every disruption switched off (`base0`, `alt0`).
pub fn add_cost_splits(
    c: &mut Comparison,
    (base_s, alt_s): (&Scenario, &Scenario),
    (base, alt): (&Aggregate, &Aggregate),
    (base0, alt0): (&Aggregate, &Aggregate),
) {
    for (id, mc) in &mut c.minerals.0 {
        let (Some(b), Some(a)) = (base_s.mineral_index(id), alt_s.mineral_index(id)) else {
            continue;
        };
        mc.cost_split = cost_split(
            (&base.minerals[b], &alt.minerals[a]),
            (&base0.minerals[b], &alt0.minerals[a]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_are_paired_estimates_that_add_up_to_the_whole() {
        let with = [-5.0, -3.0, -4.0, -8.0];
        let level = [-3.0, -3.0, -2.0, -4.0];
        let (whole, lvl, risk) = split_changes(&with, &level);
        assert_eq!(whole.delta, -5.0);
        assert_eq!(lvl.delta, -3.0);
        // Per trial the rest is -2, 0, -2, -4: mean -2, sample variance
        // 8/3, over 4 trials.
        assert_eq!(risk.delta, -2.0);
        assert!((risk.se - (8.0f64 / 3.0 / 4.0).sqrt()).abs() < 1e-15);
        // Nothing disrupted in either run: no risk, exactly.
        let (_, _, none) = split_changes(&level, &level);
        assert_eq!((none.delta, none.se), (0.0, 0.0));
    }
}
