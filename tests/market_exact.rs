//! Exact solutions of the world market (docs/model.md, "World market"):
//! markets without randomness worked out by hand year by year (interior
//! prices, the floor, the cap, offtakes), and a market stockpile that
//! releases at its most or down to the release price, and refills at its
//! most or up to the refill price. The helpers here serve the other exact
//! tests of v2 too.

use crate::util::{mineral, scenario, summarise};
use supplyrisk::summary::MineralSummary;

/// Relative tolerance of the exact cases (sums of a year's steps).
const REL: f64 = 1e-9;

/// `got` within [`REL`] of `want`, relative to `scale` (or to `want`).
#[track_caller]
pub(crate) fn close(what: &str, got: f64, want: f64, scale: f64) {
    let tol = REL * want.abs().max(scale.abs()).max(1e-300);
    assert!(
        (got - want).abs() <= tol,
        "{what}: engine {got}, exact {want} (|diff| {} > {tol})",
        (got - want).abs()
    );
}

/// The unwrapped value of an optional result, which must be present.
#[track_caller]
pub(crate) fn some(what: &str, v: Option<f64>) -> f64 {
    v.unwrap_or_else(|| panic!("{what} is absent"))
}

/// A market's pricing rule, as the model states it.
#[derive(Clone, Copy)]
pub(crate) struct Market {
    /// Reference price.
    pub(crate) p: f64,
    /// Elasticity.
    pub(crate) e: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

impl Market {
    /// `served = max(0, min(a, r))`, `a = open / Dc`, `r = whole / (Dc + Dr)`.
    pub(crate) fn served(&self, open: f64, whole: f64, dc: f64, dr: f64) -> f64 {
        (open / dc).min(whole / (dc + dr)).max(0.0)
    }

    /// `x = clamp(served^(1/e), min_price, max_price)`.
    pub(crate) fn x(&self, served: f64) -> f64 {
        if served <= 0.0 {
            self.max
        } else {
            served.powf(1.0 / self.e).clamp(self.min, self.max)
        }
    }

    /// Cost of demand `dc` at multiple `x` with offtake `o` (same period).
    pub(crate) fn cost(&self, dc: f64, x: f64, o: f64) -> f64 {
        let e = self.e;
        self.p * (dc * (x.powf(1.0 + e) - 1.0) / (1.0 + e) - (x - 1.0) * o)
    }
}

/// Three market minerals without randomness: an interior price, a glut
/// held at the price floor, a tight market at the cap.
const PLAIN: &str = r#"
[scenario]
name = "plain market"
start_year = 2030
years = 3
steps_per_year = 12

[[mineral]]
id = "mid"
unit = "kt"
demand = { base = 10.0, growth = 0.1 }
market = { rest_of_world_demand = { base = 90.0, growth = 0.02 }, reference_price = 20.0, currency = "EUR million", demand_elasticity = -0.25, spike_threshold = 1.3 }

[[mineral]]
id = "glut"
demand = { base = 10.0, growth = 0.2 }
market = { rest_of_world_demand = { base = 90.0, growth = 0.1 }, reference_price = 5.0, demand_elasticity = -0.25, min_price = 0.6 }

[[mineral]]
id = "tight"
demand = { base = 10.0, growth = -0.1 }
market = { rest_of_world_demand = { base = 90.0, growth = -0.2 }, reference_price = 7.0, demand_elasticity = -0.4, max_price = 6.0 }

[[source]]
id = "mid-a"
mineral = "mid"
country = "CL"
capacity = 80.0

[[source]]
id = "mid-b"
mineral = "mid"
country = "AU"
capacity = 15.0
offtake = 0.4

[[source]]
id = "glut-a"
mineral = "glut"
capacity = 130.0
offtake = 0.1

[[source]]
id = "tight-a"
mineral = "tight"
country = "CD"
capacity = 30.0
offtake = 0.5

[[source]]
id = "tight-b"
mineral = "tight"
country = "CD"
capacity = 10.0
"#;

/// Check a market mineral without randomness against the contract's
/// formulas applied to whole years (the price is the same at every step
/// of a year): `cap` is the world's capacity, `o` the offtake per year,
/// `spike` the spike threshold; returns the price multiple of each year.
fn check_plain(
    m: &MineralSummary,
    k: Market,
    (dc, dr): ([f64; 3], [f64; 3]),
    (cap, o): (f64, f64),
    spike: f64,
) -> [f64; 3] {
    let mut cost_total = 0.0;
    let mut spiked = false;
    let mut xs = [0.0; 3];
    for y in 0..3 {
        let ys = &m.years[y];
        let served = k.served(cap, cap, dc[y], dr[y]);
        let x = k.x(served);
        xs[y] = x;
        let cost = k.cost(dc[y], x, o);
        cost_total += cost;
        assert!(
            (x - spike).abs() > 1e-6,
            "fixture: a price at the threshold"
        );
        spiked |= x > spike;
        let tag = |w: &str| format!("{w}[{y}]");
        close(&tag("demand_mean"), ys.demand_mean, dc[y], 0.0);
        close(
            &tag("price_mean"),
            some("price_mean", ys.price_mean),
            x,
            0.0,
        );
        for q in [ys.price_p5, ys.price_p50, ys.price_p95] {
            close(&tag("price quantile"), some("price_p*", q), x, 0.0);
        }
        assert_eq!(ys.price_mean_se, Some(0.0), "{}", tag("price_mean_se"));
        assert_eq!(ys.cost_se, Some(0.0), "{}", tag("cost_se"));
        close(&tag("cost"), some("cost", ys.cost), cost, k.p * dc[y]);
        close(&tag("eud"), ys.eud, dc[y] * (1.0 - served).max(0.0), dc[y]);
        // Strictly above the threshold, by more than the rounding error
        // of a year's sum: "mid" in 2030 (95 against 10 + 90) goes
        // without exactly 5% of its demand, which is not a shortfall.
        let above = 0.05 * dc[y] * (1.0 + 1e-12);
        let p_short = f64::from(u8::from(dc[y] * (1.0 - served) > above));
        assert_eq!(ys.p_shortfall, p_short, "{}", tag("p_shortfall"));
        for q in [ys.supply_p5, ys.supply_p50, ys.supply_p95] {
            close(&tag("supply quantile"), q, dc[y] * served.min(1.0), dc[y]);
        }
        assert_eq!(ys.stock_p50, None, "no stockpile, no stock");
    }
    assert_eq!(m.p_price_spike, Some(f64::from(u8::from(spiked))));
    assert_eq!(m.p_price_spike_se, Some(0.0));
    close(
        "cost_total",
        some("cost_total", m.cost_total),
        cost_total,
        k.p * dc[0],
    );
    close(
        "cost_p95",
        some("cost_p95", m.cost_p95),
        cost_total,
        k.p * dc[0],
    );
    assert_eq!(m.cost_total_se, Some(0.0));
    assert_eq!(m.p_stock_empty, None);
    assert_eq!(m.hhi_mine, None, "no stages, no mine concentration");
    xs
}

/// `base * (1 + growth)^y` for three years.
fn trend(base: f64, growth: f64) -> [f64; 3] {
    [0, 1, 2].map(|y| base * (1.0 + growth).powi(y))
}

#[test]
fn a_market_without_randomness_follows_the_formulas_year_by_year() {
    let sum = summarise(&scenario(PLAIN), 3, 2_000);
    let k = |p, e, min, max| Market { p, e, min, max };
    // Interior prices; 40% of the 15 kt source is an offtake.
    let mid = mineral(&sum, "mid");
    let xs = check_plain(
        mid,
        k(20.0, -0.25, 0.5, 10.0),
        (trend(10.0, 0.1), trend(90.0, 0.02)),
        (95.0, 0.4 * 15.0),
        1.3,
    );
    assert!(xs.iter().all(|&x| x > 1.0 && x < 10.0), "fixture: {xs:?}");
    assert_eq!(mid.currency.as_deref(), Some("EUR million"));
    let share = |c: f64| 10_000.0 * (c / 95.0).powi(2);
    close("hhi", mid.hhi, share(80.0) + share(15.0), 0.0);
    // Surplus: the price sits on its floor; the offtake, paid at the
    // reference price, costs more than the cheap market saves.
    let glut = mineral(&sum, "glut");
    let xs = check_plain(
        glut,
        k(5.0, -0.25, 0.6, 10.0),
        (trend(10.0, 0.2), trend(90.0, 0.1)),
        (130.0, 13.0),
        1.5,
    );
    assert!(xs[0] == 0.6 && xs[2] > 0.6, "fixture: {xs:?}");
    assert!(some("cost_total", glut.cost_total) > 0.0);
    assert_eq!(glut.currency.as_deref(), Some("USD million"));
    // Scarcity: the price is capped in the first year only.
    let tight = mineral(&sum, "tight");
    let xs = check_plain(
        tight,
        k(7.0, -0.4, 0.5, 6.0),
        (trend(10.0, -0.1), trend(90.0, -0.2)),
        (40.0, 15.0),
        1.5,
    );
    assert!(xs[0] == 6.0 && xs[1] < 6.0, "fixture: {xs:?}");
    close("one country", tight.hhi, 10_000.0, 0.0);
}

/// A process that is down from the first step to beyond the horizon: its
/// onset probability per step, `1 - exp(-1000 dt)`, is 1 in floating
/// point for the step lengths used here.
pub(crate) const ALWAYS: &str = "rate = 1000, duration_months = 120";

/// Per year of four steps, the stockpile releasing `ks[t]` at step `t`
/// (< 0 when it buys): the mean price multiple, the unserved amount and
/// the cost. `open`, `whole`, `dc` and `dr` are per step.
fn with_stock(
    k: Market,
    (open, whole): (f64, f64),
    (dc, dr): (f64, f64),
    ks: &[f64],
) -> Vec<[f64; 3]> {
    ks.chunks(4)
        .map(|year| {
            let mut out = [0.0; 3];
            for &kk in year {
                let served = k.served(open + kk, whole + kk, dc, dr);
                let x = k.x(served);
                out[0] += x / 4.0;
                out[1] += dc * (1.0 - served).max(0.0);
                out[2] += k.cost(dc, x, 0.0);
            }
            out
        })
        .collect()
}

/// The release of each of 12 steps of a stockpile holding `stock` that
/// releases `min(stock, most, want)` at every step.
fn releases(mut stock: f64, most: f64, want: f64) -> Vec<f64> {
    (0..12)
        .map(|_| {
            let k = stock.min(most).min(want);
            stock -= k;
            k
        })
        .collect()
}

/// Quarterly steps, consumer 10 a year, rest of the world 90; one source
/// (or two with a restriction) and a stockpile.
fn stock_market(sources: &str, stock: &str) -> String {
    format!(
        r#"
[scenario]
name = "market stockpile"
start_year = 2030
years = 3
steps_per_year = 4

[[mineral]]
id = "co"
demand = {{ base = 10.0 }}
market = {{ rest_of_world_demand = {{ base = 90.0 }}, reference_price = 30.0, demand_elasticity = -0.5 }}
{sources}
[[stockpile]]
mineral = "co"
{stock}
"#
    )
}

/// Check price, unserved amount, cost, end-of-year stock and
/// `p_stock_empty` of `stock_market`.
#[track_caller]
fn check_stock(
    what: &str,
    text: &str,
    (open, whole): (f64, f64),
    ks: &[f64],
    stock: [f64; 3],
    empty: f64,
) {
    let sum = summarise(&scenario(text), 9, 1_000);
    let m = mineral(&sum, "co");
    let k = Market {
        p: 30.0,
        e: -0.5,
        min: 0.5,
        max: 10.0,
    };
    let years = with_stock(k, (open / 4.0, whole / 4.0), (2.5, 22.5), ks);
    for (y, (ys, [x, u, cost])) in m.years.iter().zip(years).enumerate() {
        let tag = format!("{what}: year {y}");
        close(
            &format!("{tag} price"),
            some("price", ys.price_mean),
            x,
            0.0,
        );
        close(&format!("{tag} eud"), ys.eud, u, 10.0);
        close(&format!("{tag} cost"), some("cost", ys.cost), cost, 300.0);
        for q in [ys.stock_p5, ys.stock_p50, ys.stock_p95] {
            close(&format!("{tag} stock"), some("stock", q), stock[y], 10.0);
        }
    }
    assert_eq!(m.p_stock_empty, Some(empty), "{what}: p_stock_empty");
}

#[test]
fn a_market_stockpile_releases_when_the_price_is_high_and_refills_when_low() {
    let one =
        |cap: f64| format!("\n[[source]]\nid = \"a\"\nmineral = \"co\"\ncapacity = {cap:?}\n");
    // Price 0.8^-2 = 1.5625 > 1.2: the stock releases its most, 0.5 a
    // step, until it is empty after 6 steps.
    let text = stock_market(&one(80.0), "initial = 3.0\ncapacity = 4.0\nmax_release_per_year = 2.0\nrefill_per_year = 1.0\nrelease_price = 1.2");
    let ks = releases(3.0, 0.5, f64::INFINITY);
    assert_eq!(ks[5], 0.5, "fixture");
    check_stock(
        "at its most",
        &text,
        (80.0, 80.0),
        &ks,
        [1.0, 0.0, 0.0],
        1.0,
    );
    // Release price 1.5: the stock releases what brings the price down to
    // 1.5 (1.5^-0.5 x 25 - 20 a step), lasting the horizon.
    let want = 1.5f64.powf(-0.5) * 25.0 - 20.0;
    let text = stock_market(&one(80.0), "initial = 10.0\nmax_release_per_year = 10.0");
    let stock = [1.0, 2.0, 3.0].map(|y| 10.0 - 4.0 * y * want);
    check_stock(
        "to the release price",
        &text,
        (80.0, 80.0),
        &[want; 12],
        stock,
        0.0,
    );
    // Surplus (price 1.1^-2 < 1): it buys its most, 0.5 a step, until full.
    let text = stock_market(
        &one(110.0),
        "initial = 1.0\ncapacity = 3.75\nmax_release_per_year = 2.0\nrefill_per_year = 2.0",
    );
    let mut ks = vec![-0.5; 5];
    ks.extend([-0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    check_stock(
        "refill at its most",
        &text,
        (110.0, 110.0),
        &ks,
        [3.0, 3.75, 3.75],
        0.0,
    );
    // Slight surplus: it buys only what keeps the price at 1 (0.25 a step).
    let text = stock_market(
        &one(101.0),
        "initial = 0.0\ncapacity = 2.5\nmax_release_per_year = 2.0\nrefill_per_year = 5.0",
    );
    let mut ks = vec![-0.25; 10];
    ks.extend([0.0, 0.0]);
    check_stock(
        "refill to the refill price",
        &text,
        (101.0, 101.0),
        &ks,
        [1.0, 2.0, 2.5],
        0.0,
    );
    // A ban on 94 of 95 in force throughout: the consumer's price is set
    // by the free 1 (a < r), and the stock releases what brings it down
    // to 1.5 on the consumer's side, 1.5^-0.5 x 2.5 - 1 / 4 a step, until
    // it is empty.
    let two = format!(
        "{}{}\n[[event]]\nid = \"ban\"\nkind = \"restriction\"\nseverity = 1.0\n{}\naffects = [ {{ source = \"cn\" }} ]\n",
        one(1.0),
        one(94.0).replace("\"a\"", "\"cn\""),
        ALWAYS.replace(", ", "\n")
    );
    let text = stock_market(
        &two,
        "initial = 10.0\nmax_release_per_year = 10.0\nrelease_price = 1.5",
    );
    let want = 1.5f64.powf(-0.5) * 2.5 - 1.0 / 4.0;
    let ks = releases(10.0, 2.5, want);
    assert!(
        ks[0] == want && ks[5] < want && ks[6] == 0.0,
        "fixture: {ks:?}"
    );
    let stock = [10.0 - 4.0 * want, 0.0, 0.0];
    check_stock("restricted", &text, (1.0, 95.0), &ks, stock, 1.0);
}

#[test]
fn a_price_held_at_the_spike_threshold_by_the_stockpile_is_not_a_spike() {
    // Monthly steps, one source of 90 against 10 + 90: the price would be
    // (90 / 100)^(1 / -0.15) = 2.02; the stock (ample, released at up to
    // 1,000 a year) brings it down to its release price, 1.3, at every
    // step. At a threshold of 1.3 no year is a spike year (a spike year's
    // mean is strictly above it); just below, every trial has one.
    let text = |threshold: f64| {
        format!(
            r#"
[scenario]
name = "held at the threshold"
start_year = 2030
years = 2
steps_per_year = 12

[[mineral]]
id = "m"
demand = {{ base = 10.0 }}
market = {{ rest_of_world_demand = {{ base = 90.0 }}, reference_price = 10.0, demand_elasticity = -0.15, spike_threshold = {threshold:?} }}

[[source]]
id = "s"
mineral = "m"
capacity = 90.0

[[stockpile]]
mineral = "m"
initial = 1000.0
max_release_per_year = 1000.0
release_price = 1.3
"#
        )
    };
    let k = Market {
        p: 10.0,
        e: -0.15,
        min: 0.5,
        max: 10.0,
    };
    for (threshold, spikes) in [(1.3, 0.0), (1.2999, 1.0)] {
        let sum = summarise(&scenario(&text(threshold)), 3, 500);
        let m = mineral(&sum, "m");
        assert_eq!(
            some("p_price_spike", m.p_price_spike),
            spikes,
            "threshold {threshold}"
        );
        for ys in &m.years {
            close("price", some("price", ys.price_mean), 1.3, 0.0);
            // Each step's cost is that of the release price itself.
            let want = 12.0 * k.cost(10.0 / 12.0, 1.3, 0.0);
            close("cost", some("cost", ys.cost), want, 0.0);
        }
    }
}

#[test]
fn a_year_priced_out_by_exactly_its_threshold_is_not_a_shortfall_year() {
    // The consumer's 10 and the rest of the world's 90 against 95: served
    // ratio 0.95, so the consumer goes without exactly 5% of its demand, its
    // shortfall threshold, at every step: not a shortfall year at any step
    // count. Against 94.99 every year is one.
    for spy in [1, 12, 52] {
        for (capacity, short) in [(95.0, 0.0), (94.99, 1.0)] {
            let text = format!(
                "[scenario]\nname = \"priced out at the threshold\"\nstart_year = 2030\nyears = 2\nsteps_per_year = {spy}\n\n[[mineral]]\nid = \"m\"\ndemand = {{ base = 10.0 }}\nmarket = {{ rest_of_world_demand = {{ base = 90.0 }}, reference_price = 10.0, demand_elasticity = -0.15 }}\n\n[[source]]\nid = \"s\"\nmineral = \"m\"\ncapacity = {capacity:?}\n"
            );
            let sum = summarise(&scenario(&text), 1, 20);
            let m = mineral(&sum, "m");
            let what = format!("{spy} steps a year, capacity {capacity}");
            assert_eq!(m.p_any_shortfall, short, "{what}");
            assert!(m.years.iter().all(|y| y.p_shortfall == short), "{what}");
        }
    }
}
