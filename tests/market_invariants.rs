//! Invariants of stages, restrictions and the world market that hold
//! trial by trial (docs/model.md, "Supply-chain stages" and "World
//! market"), checked with common random numbers: each trial of two
//! scenarios is run with the same key, and the entities both define draw
//! the same numbers. More supply (a product source or a mine) never
//! raises the consumer's unserved amount or the price in any year; lifting
//! a restriction neither; an offtake changes the cost and nothing else.

use crate::util::scenario;
use supplyrisk::engine::plan::Plan;
use supplyrisk::engine::trial::{simulate_trial, MineralOutcome, Workspace};
use supplyrisk::rng::TrialKey;
use supplyrisk::scenario::Scenario;

/// Trials per comparison.
const TRIALS: u64 = 2_000;

/// Every trial's outcome of the first mineral of `s`, trials `0..TRIALS`
/// with `seed`.
fn outcomes(s: &Scenario, seed: u64) -> Vec<MineralOutcome> {
    let plan = Plan::new(s);
    let mut ws = Workspace::new(&plan);
    (0..TRIALS)
        .map(|t| {
            simulate_trial(&plan, TrialKey::new(seed, t), &mut ws);
            ws.outcome[0].clone()
        })
        .collect()
}

/// The unit of account of the first mineral's channels: sums are exact
/// and comparable between two scenarios only while it is the same.
fn quantum(s: &Scenario) -> f64 {
    let plan = Plan::new(s);
    plan.minerals[0]
        .chain
        .as_ref()
        .expect("a chain mineral")
        .quantum
}

/// A world market with stages: mines of 120 (disrupted) and 60, a
/// refinery of 150 that a restriction may bar and one of 40 (disrupted,
/// with an offtake), a product source of 10 also listed by the
/// restriction, a steady product source of 12. Both demands are noisy;
/// output is about world demand, so prices fall below 1 as well as rise.
const MARKET: &str = r#"
[scenario]
name = "invariants"
start_year = 2026
years = 3
steps_per_year = 12

[[mineral]]
id = "co"
demand = { base = 60.0, growth = 0.03, sigma = 0.1 }
market = { rest_of_world_demand = { base = 140.0, growth = 0.02, sigma = 0.05 }, reference_price = 30.0, demand_elasticity = -0.3, max_price = 5.0 }

[[source]]
id = "mine-a"
mineral = "co"
stage = "mine"
capacity = 120.0
disruption = { rate = 0.8, severity = { dist = "uniform", min = 0.2, max = 1.0 }, duration_months = { dist = "exponential", mean = 3 } }

[[source]]
id = "mine-b"
mineral = "co"
stage = "mine"
capacity = 60.0

[[source]]
id = "ref-cn"
mineral = "co"
stage = "refinery"
capacity = 150.0

[[source]]
id = "ref-fi"
mineral = "co"
stage = "refinery"
capacity = 40.0
offtake = 0.2
disruption = { rate = 0.6, severity = 0.7, duration_months = 2 }

[[source]]
id = "recycling"
mineral = "co"
capacity = 10.0
offtake = 0.5

[[source]]
id = "steady"
mineral = "co"
capacity = 12.0

[[event]]
id = "unrest"
rate = 0.5
severity = { dist = "uniform", min = 0.3, max = 0.9 }
duration_months = 4
affects = [ { source = "mine-a" }, { source = "ref-fi", exposure = 0.5 } ]

[[event]]
id = "ban"
kind = "restriction"
rate = 0.7
severity = { dist = "triangular", min = 0.4, mode = 0.9, max = 1.0 }
duration_months = { dist = "uniform", min = 1, max = 8 }
affects = [ { source = "ref-cn" }, { source = "recycling", exposure = 0.6 } ]
"#;

/// A market stockpile for [`MARKET`].
const MARKET_STOCK: &str = r#"
[[stockpile]]
mineral = "co"
initial = 4.0
capacity = 6.0
max_release_per_year = 6.0
refill_per_year = 3.0
release_price = 1.3
refill_price = 0.9
"#;

/// The consumer buys from stages with access on the refineries and a
/// product source; a restriction bars part of one refinery's output and
/// of the product source.
const PHYSICAL: &str = r#"
[scenario]
name = "physical invariants"
start_year = 2026
years = 3
steps_per_year = 12

[[mineral]]
id = "ni"
demand = { base = 60.0, growth = 0.03, sigma = 0.1 }

[[source]]
id = "mine-a"
mineral = "ni"
stage = "mine"
capacity = 50.0
disruption = { rate = 0.8, severity = { dist = "uniform", min = 0.2, max = 1.0 }, duration_months = 3 }

[[source]]
id = "mine-b"
mineral = "ni"
stage = "mine"
capacity = 35.0
project = { online_year = 2027.0, delay_months = { dist = "uniform", min = 0, max = 12 }, ramp_years = 1.0, success_probability = 0.7 }

[[source]]
id = "ref-cn"
mineral = "ni"
stage = "refinery"
capacity = 60.0
access = 0.6

[[source]]
id = "ref-jp"
mineral = "ni"
stage = "refinery"
capacity = 40.0
disruption = { rate = 0.5, severity = 0.6, duration_months = 2 }

[[source]]
id = "product"
mineral = "ni"
capacity = 10.0
access = 0.7

[[event]]
id = "ban"
kind = "restriction"
rate = 0.7
severity = { dist = "triangular", min = 0.3, mode = 0.7, max = 1.0 }
duration_months = { dist = "uniform", min = 1, max = 8 }
affects = [ { source = "ref-cn", exposure = 0.8 }, { source = "product", exposure = 0.5 } ]
"#;

/// A physical stockpile for [`PHYSICAL`].
const PHYSICAL_STOCK: &str = r#"
[[stockpile]]
mineral = "ni"
initial = 4.0
capacity = 6.0
max_release_per_year = 6.0
refill_per_year = 3.0
"#;

/// `text` with `from` replaced once by `to` (which must apply).
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "fixture edit {from:?} must apply");
    text.replacen(from, to, 1)
}

/// `text` without its `[[event]]` table whose id is `id` (the last table
/// of the file, or followed by a blank line).
fn without_event(text: &str, id: &str) -> String {
    let start = text
        .find(&format!("[[event]]\nid = \"{id}\""))
        .expect("fixture: the event exists");
    let end = text[start..]
        .find("\n\n")
        .map_or(text.len(), |e| start + e + 1);
    format!("{}{}", &text[..start], &text[end..])
}

/// How far the better scenario may fall behind, relative to the size of
/// the quantity compared (0: not at all).
type Slack = f64;

/// In every trial and year, the scenario `b` (more supply, or a
/// restriction lifted) serves at least as much as `a`, at a price no
/// higher, and keeps at least as much stock; each within `slack` times
/// the size of the quantity.
#[track_caller]
fn never_worse(what: &str, a: &str, b: &str, slack: Slack) {
    let (sa, sb) = (scenario(a), scenario(b));
    assert_eq!(
        quantum(&sa),
        quantum(&sb),
        "{what}: fixture changes the unit"
    );
    for seed in [1, 2] {
        let (oa, ob) = (outcomes(&sa, seed), outcomes(&sb, seed));
        let mut better = 0;
        for (t, (x, y)) in oa.iter().zip(&ob).enumerate() {
            for yr in 0..x.unserved.len() {
                let at = format!("{what}: seed {seed}, trial {t}, year {yr}");
                let d = x.demand[yr];
                assert_eq!(d, y.demand[yr], "{at}: demand is common");
                let (ua, ub) = (x.unserved[yr], y.unserved[yr]);
                assert!(ub <= ua + slack * d, "{at}: unserved {ub} > {ua}");
                assert!(
                    y.supply[yr] >= x.supply[yr] - slack * d,
                    "{at}: supply {} < {}",
                    y.supply[yr],
                    x.supply[yr]
                );
                let (pa, pb) = (x.price[yr], y.price[yr]);
                assert!(pb <= pa + slack * pa, "{at}: price {pb} > {pa}");
                let (ka, kb) = (x.stock[yr], y.stock[yr]);
                assert!(kb >= ka - slack * 6.0, "{at}: stock {kb} < {ka}");
                better += usize::from(ub < ua || pb < pa);
            }
        }
        // The change must matter somewhere, or the test proves nothing.
        assert!(
            better > 100,
            "{what}: seed {seed}: better in {better} years only"
        );
    }
}

/// Slack of exact comparisons.
const EXACT: Slack = 0.0;

/// With a market stockpile the release is computed from the supply it
/// tops up (`tr * D - Q`, then added back to `Q`), so two scenarios that
/// should serve the same ratio can differ in the last bits, and the
/// difference carries on through the stock.
const STOCK_ROUNDING: Slack = 1e-12;

/// A product source of 15, disrupted, and listed by the restriction.
const NEW_PRODUCT: &str = r#"
[[source]]
id = "new-product"
mineral = "MINERAL"
capacity = 15.0
disruption = { rate = 1.0, severity = 0.5, duration_months = 2 }
"#;

/// A mine project of 40, disrupted.
const NEW_MINE: &str = r#"
[[source]]
id = "new-mine"
mineral = "MINERAL"
stage = "mine"
capacity = 40.0
project = { online_year = 2026.5, ramp_years = 0.5, success_probability = 0.8 }
disruption = { rate = 1.0, severity = 0.8, duration_months = 3 }
"#;

/// Check every "never worse" change of `base` (mineral `id`), with
/// `stock` added to both sides and comparisons within `slack`.
fn check_changes(base: &str, id: &str, stock: &str, slack: Slack) {
    let a = format!("{base}{stock}");
    let source = |s: &str| s.replace("MINERAL", id);
    let product = format!("{a}{}", source(NEW_PRODUCT));
    never_worse("a product source added", &a, &product, slack);
    // The same source barred in part by the restriction: still more supply.
    let listed = edit(
        &product,
        "affects = [ { source = \"ref-cn\"",
        "affects = [ { source = \"new-product\", exposure = 0.7 }, { source = \"ref-cn\"",
    );
    never_worse("a restricted product source added", &a, &listed, slack);
    let mine = format!("{a}{}", source(NEW_MINE));
    never_worse("a mine added", &a, &mine, slack);
    never_worse("a restriction lifted", &a, &without_event(&a, "ban"), slack);
}

#[test]
fn in_a_market_more_supply_or_a_lifted_restriction_never_raises_unserved_or_price() {
    check_changes(MARKET, "co", "", EXACT);
}

#[test]
fn with_a_market_stockpile_the_same_holds_to_the_last_bits() {
    check_changes(MARKET, "co", MARKET_STOCK, STOCK_ROUNDING);
}

#[test]
fn in_a_physical_chain_more_supply_or_a_lifted_restriction_never_raises_unserved() {
    check_changes(PHYSICAL, "ni", "", EXACT);
    // The physical stockpile's rule is monotone in supply, also in its
    // rounding.
    check_changes(PHYSICAL, "ni", PHYSICAL_STOCK, EXACT);
}

/// Whether `a` and `b` served, priced and stocked every trial alike, to
/// the bit; returns their costs per trial and year.
#[track_caller]
fn same_but_cost(
    what: &str,
    a: &Scenario,
    b: &Scenario,
    seed: u64,
) -> Vec<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let (oa, ob) = (outcomes(a, seed), outcomes(b, seed));
    oa.iter()
        .zip(&ob)
        .enumerate()
        .map(|(t, (x, y))| {
            let at = format!("{what}: seed {seed}, trial {t}");
            assert_eq!(x.unserved, y.unserved, "{at}: unserved");
            assert_eq!(x.supply, y.supply, "{at}: served amount");
            assert_eq!(x.price, y.price, "{at}: price");
            assert_eq!(x.stock, y.stock, "{at}: stock");
            assert_eq!(x.stock_empty, y.stock_empty, "{at}: empty stock");
            (x.cost.clone(), y.cost.clone(), x.price.clone())
        })
        .collect()
}

#[test]
fn an_offtake_on_a_steady_source_changes_the_cost_by_its_hedge_alone() {
    // 50% of a steady 12 a year: the consumer gains (x - 1) x 0.5 x 12 dt
    // at reference price 30 at every step, the year's mean price less 1
    // times 0.5 x 12 x 30 over the year. Exact even with a stockpile: what
    // the consumer may buy includes its offtake either way.
    for stock in ["", MARKET_STOCK] {
        let a = scenario(&format!("{MARKET}{stock}"));
        let b = scenario(&edit(
            &format!("{MARKET}{stock}"),
            "capacity = 12.0\n",
            "capacity = 12.0\nofftake = 0.5\n",
        ));
        let (mut falls, mut rises) = (0, 0);
        for (t, (ca, cb, price)) in same_but_cost("offtake", &a, &b, 3).iter().enumerate() {
            for y in 0..ca.len() {
                let hedge = 30.0 * 0.5 * 12.0 * (price[y] - 1.0);
                let tol = 1e-9 * (ca[y].abs() + 30.0 * 6.0);
                assert!(
                    (ca[y] - cb[y] - hedge).abs() <= tol,
                    "trial {t}, year {y}: cost {} -> {}, expected a change of {}",
                    ca[y],
                    cb[y],
                    -hedge
                );
                if price[y] > 1.0 + 1e-9 {
                    assert!(
                        cb[y] < ca[y],
                        "trial {t}, year {y}: price above 1, cost not lower"
                    );
                    falls += 1;
                } else if price[y] < 1.0 - 1e-9 {
                    assert!(
                        cb[y] > ca[y],
                        "trial {t}, year {y}: price below 1, cost not higher"
                    );
                    rises += 1;
                }
            }
        }
        assert!(
            falls > 100 && rises > 100,
            "fixture: {falls} years above 1, {rises} below"
        );
    }
}

#[test]
fn an_offtake_on_a_disrupted_or_restricted_refinery_lowers_the_cost_when_prices_are_high() {
    // World demand of 210 without noise against at most 202 of output:
    // the price is above 1 at every step, so a larger offtake lowers every
    // year's cost (the stockpile never buys, and sells only down to 1.3).
    let tight = edit(
        &edit(MARKET, "sigma = 0.1 }", "}"),
        "base = 140.0, growth = 0.02, sigma = 0.05",
        "base = 150.0",
    );
    for stock in ["", MARKET_STOCK] {
        let text = format!("{tight}{stock}");
        let a = scenario(&text);
        for (what, from, to) in [
            ("disrupted refinery", "offtake = 0.2", "offtake = 0.6"),
            (
                "restricted refinery",
                "capacity = 150.0\n",
                "capacity = 150.0\nofftake = 0.3\n",
            ),
        ] {
            let b = scenario(&edit(&text, from, to));
            let mut lower = 0;
            for (t, (ca, cb, price)) in same_but_cost(what, &a, &b, 4).iter().enumerate() {
                for y in 0..ca.len() {
                    assert!(
                        price[y] >= 1.0,
                        "fixture: trial {t}, year {y}: price {}",
                        price[y]
                    );
                    assert!(
                        cb[y] <= ca[y],
                        "{what}: trial {t}, year {y}: cost {} -> {}",
                        ca[y],
                        cb[y]
                    );
                    lower += usize::from(cb[y] < ca[y]);
                }
            }
            assert_eq!(
                lower,
                3 * TRIALS as usize,
                "{what}: every year's cost falls"
            );
        }
    }
}
