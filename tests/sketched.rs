//! Runs of more than `EXACT_TRIALS` trials estimate percentiles from
//! sketches: every estimate lies within 2^-12 of the exact order
//! statistic of the same trials, also for values far above the scale the
//! sketch was made for (a horizon cost at a high price cap reaches
//! hundreds of times the cost at the reference price).

use crate::util::{each_trial, mineral, scenario, summarise};
use supplyrisk::engine::EXACT_TRIALS;
use supplyrisk::stats::quantile;

/// A one-year market whose price cap (50 times the reference) and low
/// elasticity put a fifth of the trials' costs above 12 times the horizon
/// demand at the reference price.
const CAPPED: &str = r#"
[scenario]
name = "cost at a high cap"
start_year = 2026
years = 1
steps_per_year = 12

[[mineral]]
id = "lo"
unit = "kt"
demand = { base = 60.0 }
market = { rest_of_world_demand = { base = 40.0 }, reference_price = 3.0, demand_elasticity = -0.1, max_price = 50.0, min_price = 0.01, spike_threshold = 2.0 }

[[source]]
id = "a"
mineral = "lo"
capacity = 70.0
disruption = { rate = 0.5, severity = { dist = "uniform", min = 0.2, max = 0.9 }, duration_months = 4 }

[[source]]
id = "b"
mineral = "lo"
capacity = 30.0
"#;

#[test]
fn sketched_cost_percentiles_far_above_the_scale_are_within_a_bucket() {
    let s = scenario(CAPPED);
    let (seed, n) = (3, EXACT_TRIALS + 1);
    let mut costs = Vec::with_capacity(n as usize);
    each_trial(&s, seed, n, |ws| {
        costs.push(ws.outcome[0].cost.iter().sum::<f64>())
    });
    // The sketch's scale is the horizon demand at the reference price,
    // 180: its first table of pages reaches 2^11 (2^4 above the scale's
    // octave), and more than 5% of the costs, p95 among them, lie above.
    let top = 2f64.powi((60.0f64 * 3.0).log2().floor() as i32 + 4);
    let above = costs.iter().filter(|&&c| c > top).count();
    assert!(above > n as usize / 20, "{above} of {n} costs above {top}");
    let summary = summarise(&s, seed, n);
    let m = mineral(&summary, "lo");
    let exact = quantile(&costs, 0.95);
    let sketched = m.cost_p95.expect("a market mineral has cost_p95");
    let bound = 2f64.powi(-12) * exact.abs();
    assert!(
        (sketched - exact).abs() <= bound,
        "cost_p95 {sketched} against the exact {exact}"
    );
}
