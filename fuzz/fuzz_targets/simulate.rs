//! Any valid scenario simulates without a panic, and its summary keeps the
//! invariants of docs/fuzzing.md: finite numbers, probabilities in [0, 1],
//! non-negative amounts and standard errors, ordered quantiles, prices
//! within their cap and floor, stocks between empty and full, and a
//! summary that serialises to JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use supplyrisk::engine;
use supplyrisk::scenario::{Market, Scenario, Stockpile};
use supplyrisk::summary::{MineralSummary, Summary};

/// Trials per input: a few chunks' worth would be slow; 40 trials still
/// reach every code path of a trial, the tallies and the quantiles.
const TRIALS: u64 = 40;

/// Inputs above this many entity-steps (`years * steps_per_year *
/// (minerals + sources + events)`) are skipped, so that one execution stays
/// in the milliseconds; the parse target covers them as text.
const MAX_WORK: usize = 200_000;

fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a one-thread pool")
    })
}

/// `a <= b`, allowing the last-bit rounding of an interpolation or a mean
/// (`x + w (y - x)` and `sum / k` can land an ulp or two beyond the order
/// statistics they lie between).
fn le(a: f64, b: f64) -> bool {
    a <= b || a - b <= 1e-12 * a.abs().max(b.abs())
}

fn probability(p: f64) -> bool {
    (0.0..=1.0).contains(&p)
}

/// Every number of the JSON value is finite (serde_json writes NaN and
/// infinities as `null`, and the summary has no optional field).
fn all_finite(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::Number(n) => n.as_f64().is_some_and(f64::is_finite),
        serde_json::Value::Array(a) => a.iter().all(all_finite),
        serde_json::Value::Object(o) => o.values().all(all_finite),
        _ => true,
    }
}

/// `a <= b <= c`, as [`le`].
fn ordered(q: &[f64]) -> bool {
    q.windows(2).all(|w| le(w[0], w[1]))
}

/// A world-market mineral's price, spike and cost results: present exactly
/// on a market; probabilities in [0, 1]; yearly price multiples (averages
/// of capped and floored multiples) within the cap and the floor, their
/// quantiles ordered; costs finite (a saving is negative).
fn world_market(id: &str, m: &MineralSummary, market: Option<&Market>) {
    let Some(k) = market else {
        assert!(m.p_price_spike.is_none() && m.cost_total.is_none(), "{id}");
        assert!(m
            .years
            .iter()
            .all(|y| y.price_mean.is_none() && y.cost.is_none()));
        return;
    };
    let p = m.p_price_spike.expect("a market's p_price_spike");
    assert!(probability(p), "{id}: p_price_spike {p}");
    assert!(m.p_price_spike_se.is_some_and(|se| se >= 0.0), "{id}");
    let cost = [m.cost_total, m.cost_total_se, m.cost_p95];
    assert!(
        cost.iter().all(|c| c.is_some_and(f64::is_finite)),
        "{id}: {cost:?}"
    );
    assert!(m.cost_total_se.is_some_and(|se| se >= 0.0), "{id}");
    let within = |x: f64| le(k.min_price, x) && le(x, k.max_price);
    for y in &m.years {
        let q = [y.price_p5, y.price_p50, y.price_p95].map(|q| q.expect("price quantiles"));
        let mean = y.price_mean.expect("a market's price_mean");
        assert!(
            ordered(&q) && within(q[0]) && within(q[2]) && within(mean),
            "{id} {}: price mean {mean}, quantiles {q:?}, floor {}, cap {}",
            y.year,
            k.min_price,
            k.max_price
        );
        assert!(
            y.price_mean_se.is_some_and(|se| se >= 0.0),
            "{id} {}",
            y.year
        );
        assert!(y.cost.is_some_and(f64::is_finite), "{id} {}", y.year);
        assert!(y.cost_se.is_some_and(|se| se >= 0.0), "{id} {}", y.year);
    }
}

/// A stockpile's results: present exactly with a stockpile; the chance of
/// running empty in [0, 1]; end-of-year stock quantiles ordered, between
/// empty and full.
fn stockpile(id: &str, m: &MineralSummary, stock: Option<&Stockpile>) {
    let Some(sp) = stock else {
        assert!(m.p_stock_empty.is_none(), "{id}");
        assert!(m.years.iter().all(|y| y.stock_p50.is_none()), "{id}");
        return;
    };
    let p = m.p_stock_empty.expect("a stockpile's p_stock_empty");
    assert!(probability(p), "{id}: p_stock_empty {p}");
    assert!(m.p_stock_empty_se.is_some_and(|se| se >= 0.0), "{id}");
    for y in &m.years {
        let q = [y.stock_p5, y.stock_p50, y.stock_p95].map(|q| q.expect("stock quantiles"));
        assert!(
            ordered(&q) && q[0] >= 0.0 && le(q[2], sp.capacity),
            "{id} {}: stock quantiles {q:?}, capacity {}",
            y.year,
            sp.capacity
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(s) = Scenario::from_toml_str(text, "fuzz.toml") else {
        return;
    };
    let entities = s.minerals.len() + s.sources.len() + s.events.len();
    if s.steps().saturating_mul(entities) > MAX_WORK {
        return;
    }
    let seed = s.seed.unwrap_or(0);
    let summary = pool().install(|| {
        let agg = engine::simulate(&s, seed, TRIALS, None);
        for m in &agg.minerals {
            assert_eq!(m.totals.len() as u64, TRIALS);
            assert!(
                m.totals.iter().all(|t| t.is_finite() && *t >= 0.0),
                "{:?}",
                m.totals
            );
        }
        Summary::new(&s, seed, &agg)
    });
    assert_eq!(summary.trials, TRIALS);
    assert_eq!(summary.minerals.0.len(), s.minerals.len());
    let years = s.years as f64;
    for ((id, m), mineral) in summary.minerals.0.iter().zip(&s.minerals) {
        assert_eq!(id, &mineral.id);
        world_market(id, m, mineral.market.as_ref());
        stockpile(id, m, mineral.stockpile.as_ref());
        assert!(
            probability(m.p_any_shortfall),
            "{id}: p_any_shortfall {}",
            m.p_any_shortfall
        );
        assert!(m.p_any_shortfall_se >= 0.0, "{id}: p_any_shortfall_se");
        assert!(
            (0.0..=years).contains(&m.expected_shortfall_years),
            "{id}: expected_shortfall_years {}",
            m.expected_shortfall_years
        );
        assert!(m.expected_shortfall_years_se >= 0.0, "{id}");
        assert!(m.eud_total >= 0.0, "{id}: eud_total {}", m.eud_total);
        assert!(
            m.eud_total_se >= 0.0,
            "{id}: eud_total_se {}",
            m.eud_total_se
        );
        assert!(
            m.unserved_share >= 0.0,
            "{id}: unserved_share {}",
            m.unserved_share
        );
        let q = [
            m.unserved_p50,
            m.unserved_p90,
            m.unserved_p95,
            m.unserved_p99,
        ];
        assert!(q[0] >= 0.0, "{id}: unserved_p50 {}", q[0]);
        assert!(ordered(&q), "{id}: unserved quantiles {q:?}");
        // CVaR95 is the mean of the largest ceil(n / 20) totals, all at or
        // above the order statistic behind p95; with few trials it can be
        // below p99 (which interpolates towards the largest total), so only
        // p95 <= cvar95 is required.
        assert!(
            le(m.unserved_p95, m.cvar95),
            "{id}: p95 {} > cvar95 {}",
            q[2],
            m.cvar95
        );
        for h in [m.hhi, m.hhi_with_projects] {
            assert!(h >= 0.0 && le(h, 10_000.0), "{id}: hhi {h}");
        }
        assert_eq!(m.years.len(), s.years);
        for y in &m.years {
            assert!(
                probability(y.p_shortfall),
                "{id} {}: p_shortfall {}",
                y.year,
                y.p_shortfall
            );
            // A year short is a trial with some year short.
            assert!(y.p_shortfall <= m.p_any_shortfall, "{id} {}", y.year);
            assert!(
                y.p_shortfall_se >= 0.0 && y.eud >= 0.0 && y.eud_se >= 0.0,
                "{id} {}",
                y.year
            );
            assert!(
                y.demand_mean >= 0.0,
                "{id} {}: demand_mean {}",
                y.year,
                y.demand_mean
            );
            let sq = [y.supply_p5, y.supply_p50, y.supply_p95];
            assert!(sq[0] >= 0.0, "{id} {}: supply_p5 {}", y.year, sq[0]);
            assert!(ordered(&sq), "{id} {}: supply quantiles {sq:?}", y.year);
        }
    }
    let value = serde_json::to_value(&summary).expect("the summary serialises");
    assert!(
        all_finite(&value),
        "a number of the summary is not finite: {value}"
    );
    serde_json::to_vec(&summary).expect("the summary serialises to bytes");
});
