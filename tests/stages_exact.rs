//! Supply-chain stages worked out exactly (docs/model.md, "Supply-chain
//! stages"): feed or refining capacity decides the consumer's supply, an
//! outage of a refinery frees feed for the others while a restriction
//! does not, a market trades the feed-limited output, and a physical
//! stockpile follows the v1 rule on the output of stages.

use crate::market_exact::{close, some, Market, ALWAYS};
use crate::util::{mineral, scenario, summarise};

/// A physical mineral with stages: mines of 50 and 30 feed refineries of
/// 60 (access 0.5) and 40 (access 1); a product source of 10 (access
/// 0.7). Feed 80 keeps 80% of the refining capacity of 100 busy, so the
/// consumer gets 0.5 * 48 + 32 + 0.7 * 10 = 63 a year.
const STAGES: &str = r#"
[scenario]
name = "stages"
start_year = 2030
years = 3
steps_per_year = 4

[[mineral]]
id = "ni"
demand = { base = 70.0, growth = 0.05 }

[[source]]
id = "m1"
mineral = "ni"
stage = "mine"
country = "ID"
capacity = 50.0

[[source]]
id = "m2"
mineral = "ni"
stage = "mine"
country = "PH"
capacity = 30.0

[[source]]
id = "r1"
mineral = "ni"
stage = "refinery"
country = "CN"
capacity = 60.0
access = 0.5

[[source]]
id = "r2"
mineral = "ni"
stage = "refinery"
country = "JP"
capacity = 40.0

[[source]]
id = "p"
mineral = "ni"
country = "US"
capacity = 10.0
access = 0.7
"#;

/// `STAGES` with each `(from, to)` edit applied once, and `extra` added.
fn stages(edits: &[(&str, &str)], extra: &str) -> String {
    let text = edits.iter().fold(STAGES.to_string(), |t, (from, to)| {
        assert!(t.contains(from), "fixture edit {from:?} must apply");
        t.replacen(from, to, 1)
    });
    format!("{text}{extra}")
}

/// Annual demand of `STAGES`.
fn stage_demand(y: usize) -> f64 {
    70.0 * 1.05f64.powi(y as i32)
}

/// The consumer's annual supply is `supply` in every trial and year, and
/// the unserved amount is what demand exceeds it by.
#[track_caller]
fn check_supply(what: &str, text: &str, supply: f64) {
    let sum = summarise(&scenario(text), 5, 1_000);
    let m = mineral(&sum, "ni");
    for (y, ys) in m.years.iter().enumerate() {
        let tag = format!("{what}: year {y}");
        for q in [ys.supply_p5, ys.supply_p50, ys.supply_p95] {
            close(&format!("{tag} supply"), q, supply, 0.0);
        }
        close(
            &format!("{tag} eud"),
            ys.eud,
            (stage_demand(y) - supply).max(0.0),
            supply,
        );
        assert_eq!(ys.eud_se, 0.0, "{tag}: no randomness");
        assert_eq!(ys.price_mean, None, "{tag}: no market, no price");
    }
}

#[test]
fn stages_feed_or_refining_capacity_decides_the_consumers_supply() {
    // Feed 80 < capacity 100: each refinery runs at 80%.
    check_supply("feed-limited", STAGES, 0.5 * 48.0 + 32.0 + 7.0);
    // Ample feed (180): refineries run at capacity.
    let ample = stages(&[("capacity = 50.0", "capacity = 150.0")], "");
    check_supply("capacity-limited", &ample, 0.5 * 60.0 + 40.0 + 7.0);
    // A mine always down at severity 0.5: feed 55.
    let m1_down = format!("capacity = 50.0\ndisruption = {{ severity = 0.5, {ALWAYS} }}");
    let down = stages(&[("capacity = 50.0", &m1_down)], "");
    check_supply("mine down", &down, 0.5 * 33.0 + 22.0 + 7.0);
    // An outage of 0.8 x 0.5 at r1 lowers its capacity to 36: feed 80
    // now exceeds capacity 76, and r2 runs at capacity.
    let event = |kind: &str| {
        format!(
            "\n[[event]]\nid = \"e\"\nkind = \"{kind}\"\nseverity = 0.5\n{}\naffects = [ {{ source = \"r1\", exposure = 0.8 }} ]\n",
            ALWAYS.replace(", ", "\n")
        )
    };
    check_supply(
        "outage",
        &stages(&[], &event("outage")),
        0.5 * 36.0 + 40.0 + 7.0,
    );
    // A restriction of 0.8 x 0.5 at r1 bars 40% of what the consumer
    // would buy there, and frees no feed for r2.
    let restricted = stages(&[], &event("restriction"));
    check_supply("restriction", &restricted, 0.5 * 48.0 * 0.6 + 32.0 + 7.0);
    // Concentration: product-level capacity x access, and mine capacity.
    let sum = summarise(&scenario(STAGES), 5, 1_000);
    let m = mineral(&sum, "ni");
    let hhi = |caps: &[f64]| {
        let total: f64 = caps.iter().sum();
        caps.iter()
            .map(|c| 10_000.0 * (c / total).powi(2))
            .sum::<f64>()
    };
    close("hhi", m.hhi, hhi(&[30.0, 40.0, 7.0]), 0.0);
    close(
        "hhi_mine",
        some("hhi_mine", m.hhi_mine),
        hhi(&[50.0, 30.0]),
        0.0,
    );
    close(
        "hhi_mine_with_projects",
        some("hhi_mine", m.hhi_mine_with_projects),
        hhi(&[50.0, 30.0]),
        0.0,
    );
    assert_eq!(m.p_price_spike, None);
    assert_eq!(m.cost_total, None);
}

/// `STAGES` as a world market (no `access`): consumer 10 a year growing
/// 10%, rest of the world 100; output is min(feed, capacity) + 10 = 90.
fn market_stages(extra: &str) -> String {
    let text = stages(
        &[
            ("access = 0.5\n", ""),
            ("access = 0.7\n", ""),
            (
                "demand = { base = 70.0, growth = 0.05 }",
                "demand = { base = 10.0, growth = 0.1 }\nmarket = { rest_of_world_demand = { base = 100.0 }, reference_price = 4.0, demand_elasticity = -0.5 }",
            ),
        ],
        extra,
    );
    text.replacen("capacity = 40.0", "capacity = 40.0\nofftake = 0.5", 1)
}

/// A market with stages and no randomness: per year, what the consumer
/// may buy (`open`), the whole output and the offtake delivered, all per
/// year.
#[track_caller]
fn check_market_stages(what: &str, text: &str, open: f64, whole: f64, o: f64) {
    let sum = summarise(&scenario(text), 5, 1_000);
    let m = mineral(&sum, "ni");
    let k = Market {
        p: 4.0,
        e: -0.5,
        min: 0.5,
        max: 10.0,
    };
    for (y, ys) in m.years.iter().enumerate() {
        let tag = format!("{what}: year {y}");
        let dc = 10.0 * 1.1f64.powi(y as i32);
        let served = k.served(open, whole, dc, 100.0);
        let x = k.x(served);
        close(
            &format!("{tag} price"),
            some("price", ys.price_mean),
            x,
            0.0,
        );
        close(
            &format!("{tag} cost"),
            some("cost", ys.cost),
            k.cost(dc, x, o),
            k.p * dc,
        );
        close(
            &format!("{tag} eud"),
            ys.eud,
            dc * (1.0 - served).max(0.0),
            dc,
        );
        close(
            &format!("{tag} supply"),
            ys.supply_p50,
            dc * served.min(1.0),
            dc,
        );
    }
    let hhi = 10_000.0
        * ((60.0f64 / 110.0).powi(2) + (40.0f64 / 110.0).powi(2) + (10.0f64 / 110.0).powi(2));
    close("world hhi", m.hhi, hhi, 0.0);
}

#[test]
fn a_market_with_stages_trades_the_feed_limited_output() {
    // r2's offtake is half its output, 40 x 0.8.
    check_market_stages("plain", &market_stages(""), 90.0, 90.0, 16.0);
    let ban = |sources: &str| {
        format!(
            "\n[[event]]\nid = \"ban\"\nkind = \"restriction\"\nseverity = 1.0\n{}\naffects = [ {sources} ]\n",
            ALWAYS.replace(", ", "\n")
        )
    };
    // r1 barred: the consumer still buys 0.8 x 40 + 10 = 42, more than
    // it needs (trade is diverted, the price is the same).
    let r1 = ban("{ source = \"r1\" }");
    check_market_stages("r1 barred", &market_stages(&r1), 42.0, 90.0, 16.0);
    // Every product-level source barred: nothing is served, the price is
    // capped, the offtake delivers nothing.
    let all = ban("{ source = \"r1\" }, { source = \"r2\" }, { source = \"p\" }");
    check_market_stages("all barred", &market_stages(&all), 0.0, 90.0, 0.0);
}

#[test]
fn a_physical_stockpile_of_a_mineral_with_stages_follows_the_v1_rule() {
    // Supply 63 a year against demand 70: a gap of 1.75 a step, of which
    // the stock releases at most 1; it is empty after 3 steps.
    let text = stages(
        &[],
        "\n[[stockpile]]\nmineral = \"ni\"\ninitial = 3.0\nmax_release_per_year = 4.0\n",
    );
    let sum = summarise(&scenario(&text), 5, 1_000);
    let m = mineral(&sum, "ni");
    let unserved = [70.0 - 63.0 - 3.0, 73.5 - 63.0, stage_demand(2) - 63.0];
    for (y, ys) in m.years.iter().enumerate() {
        close(&format!("eud[{y}]"), ys.eud, unserved[y], 70.0);
        close(
            &format!("stock[{y}]"),
            some("stock", ys.stock_p50),
            0.0,
            1.0,
        );
    }
    assert_eq!(m.p_stock_empty, Some(1.0));
    // Ample feed, supply 77: it refills 0.5 a step up to 5, then releases
    // the gap of year 2 (0.175 over the year).
    let ample = stages(&[("capacity = 50.0", "capacity = 150.0")], "\n[[stockpile]]\nmineral = \"ni\"\ninitial = 1.0\ncapacity = 5.0\nmax_release_per_year = 4.0\nrefill_per_year = 2.0\n");
    let sum = summarise(&scenario(&ample), 5, 1_000);
    let m = mineral(&sum, "ni");
    let stock = [3.0, 5.0, 5.0 - (stage_demand(2) - 77.0)];
    for (y, ys) in m.years.iter().enumerate() {
        close(&format!("ample eud[{y}]"), ys.eud, 0.0, 70.0);
        close(
            &format!("ample stock[{y}]"),
            some("stock", ys.stock_p50),
            stock[y],
            1.0,
        );
    }
    assert_eq!(m.p_stock_empty, Some(0.0));
}
