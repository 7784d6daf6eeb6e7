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

#[test]
fn sketched_percentiles_on_point_masses_are_exact() {
    // Full supply in years without disruptions, projects online or not:
    // point masses with other values within 0.024% on both sides, which
    // a bucket alone answers only to within the bucket.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join("example-dependence.toml");
    let s = supplyrisk::scenario::Scenario::load(&path).unwrap();
    let (seed, n) = (1, EXACT_TRIALS + 1);
    let (minerals, years) = (s.minerals.len(), s.years);
    let mut supply = vec![vec![Vec::with_capacity(n as usize); years]; minerals];
    each_trial(&s, seed, n, |ws| {
        for (m, o) in ws.outcome.iter().enumerate() {
            for (y, v) in o.supply.iter().enumerate() {
                supply[m][y].push(*v);
            }
        }
    });
    let summary = summarise(&s, seed, n);
    let (mut on_masses, bound) = (0, 2f64.powi(-12));
    for (m, mineral) in s.minerals.iter().enumerate() {
        let ms = crate::util::mineral(&summary, &mineral.id);
        for (y, values) in supply[m].iter().enumerate() {
            let pairs = [
                (0.05, ms.years[y].supply_p5),
                (0.5, ms.years[y].supply_p50),
                (0.95, ms.years[y].supply_p95),
            ];
            for (q, sketched) in pairs {
                let exact = quantile(values, q);
                let share = values.iter().filter(|&&v| v == exact).count() as f64 / n as f64;
                let what = format!("{} {} p{}", mineral.id, y, q * 100.0);
                if share >= 0.03 {
                    on_masses += 1;
                    assert_eq!(sketched, exact, "{what}: a point mass of {share}");
                } else {
                    assert!(
                        (sketched - exact).abs() <= bound * exact,
                        "{what}: {sketched} vs {exact}"
                    );
                }
            }
        }
    }
    assert!(on_masses >= 20, "{on_masses} percentiles on point masses");
}
