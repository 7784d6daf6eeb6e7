//! A second, deliberately naive implementation of supply-chain stages,
//! restrictions and the world market (docs/model.md), written from the
//! text step by step: its own random streams, a Bernoulli draw per up
//! step, every source's output `q_i` evaluated at every step, then feed
//! `F`, capacity `C`, product output `Y_j`, restricted shares `rho_k`,
//! offtake `O`, free and restricted supply `Qf`, `Qr`, the market's
//! stockpile rule and clearing, or the physical serving without a market.
//! The engine must agree with it within standard errors on every result,
//! at two step lengths.

use crate::reference::{quantile_agrees, State};
use crate::util::{scenario, summarise};
use rand::rngs::Xoshiro256PlusPlus;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal, StandardUniform};
use supplyrisk::scenario::{Demand, EventKind, Scenario, Stage};
use supplyrisk::summary::Summary;

/// One trial's results for one mineral.
#[derive(Clone, Default)]
struct Trial {
    unserved: Vec<f64>,
    demand: Vec<f64>,
    supply: Vec<f64>,
    price: Vec<f64>,
    cost: Vec<f64>,
    stock: Vec<f64>,
    stock_empty: bool,
}

/// Demand of year `y` (section 5).
fn draw(d: &Demand, y: usize, rng: &mut Xoshiro256PlusPlus) -> f64 {
    let z: f64 = StandardNormal.sample(rng);
    let s = d.sigma;
    d.base * (1.0 + d.growth).powf(y as f64) * (s * z - s * s / 2.0).exp()
}

/// Every trial of the naive simulation: `[trial][mineral]`.
fn reference(s: &Scenario, seed: u64, trials: usize) -> Vec<Vec<Trial>> {
    (0..trials).map(|t| naive_trial(s, seed, t)).collect()
}

fn naive_trial(s: &Scenario, seed: u64, trial: usize) -> Vec<Trial> {
    let spy = s.steps_per_year;
    let dt = 1.0 / spy as f64;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed.wrapping_mul(1_000_003) + trial as u64);
    let online: Vec<Option<f64>> = s
        .sources
        .iter()
        .map(|src| {
            src.project.map(|p| &s.projects[p]).and_then(|p| {
                let u: f64 = StandardUniform.sample(&mut rng);
                (u < p.success_probability)
                    .then(|| p.online_year + p.delay_months.sample(&mut rng) / 12.0)
            })
        })
        .collect();
    let mut out: Vec<Trial> = s
        .minerals
        .iter()
        .map(|m| Trial {
            demand: (0..s.years).map(|y| draw(&m.demand, y, &mut rng)).collect(),
            unserved: vec![0.0; s.years],
            supply: vec![0.0; s.years],
            price: vec![0.0; s.years],
            cost: vec![0.0; s.years],
            stock: vec![0.0; s.years],
            stock_empty: false,
        })
        .collect();
    let rest: Vec<Vec<f64>> = s
        .minerals
        .iter()
        .map(|m| match &m.market {
            Some(k) => (0..s.years)
                .map(|y| draw(&k.rest_of_world, y, &mut rng))
                .collect(),
            None => Vec::new(),
        })
        .collect();
    let mut ev_state = vec![State::default(); s.events.len()];
    let mut src_state = vec![State::default(); s.sources.len()];
    let mut stock: Vec<f64> = s
        .minerals
        .iter()
        .map(|m| m.stockpile.map_or(0.0, |p| p.initial))
        .collect();
    for t in 0..s.steps() {
        let y = t / spy;
        let tm = s.start_year as f64 + (t as f64 + 0.5) * dt;
        let ev_sev: Vec<f64> = s
            .events
            .iter()
            .zip(ev_state.iter_mut())
            .map(|(e, st)| st.step(&e.process, spy, &mut rng))
            .collect();
        // Every source's output q_i (without access) and restricted share.
        let mut q = vec![0.0; s.sources.len()];
        let mut rho = vec![0.0; s.sources.len()];
        for (i, src) in s.sources.iter().enumerate() {
            let own = match &src.disruption {
                Some(p) => src_state[i].step(p, spy, &mut rng),
                None => 0.0,
            };
            let ramp = match (src.project.map(|p| &s.projects[p]), online[i]) {
                (None, _) => 1.0,
                (Some(_), None) => 0.0,
                (Some(p), Some(on)) => {
                    if tm < on {
                        0.0
                    } else if p.ramp_years == 0.0 {
                        1.0
                    } else {
                        ((tm - on) / p.ramp_years).min(1.0)
                    }
                }
            };
            let mut x = src.capacity * ramp * (1.0 - own) * dt;
            let mut keep = 1.0;
            for (e, ev) in s.events.iter().enumerate() {
                for &(si, exposure) in &ev.affects {
                    if si == i {
                        match ev.kind {
                            EventKind::Outage => x *= 1.0 - exposure * ev_sev[e],
                            EventKind::Restriction => keep *= 1.0 - exposure * ev_sev[e],
                        }
                    }
                }
            }
            q[i] = x;
            rho[i] = 1.0 - keep;
        }
        for (m, mineral) in s.minerals.iter().enumerate() {
            let of = |stage: Stage| -> f64 {
                mineral
                    .sources
                    .iter()
                    .filter(|&&i| s.sources[i].stage == stage)
                    .map(|&i| q[i])
                    .sum()
            };
            let (feed, cap) = (of(Stage::Mine), of(Stage::Refinery));
            // Product output Y of each product-level source.
            let y_of = |i: usize| match s.sources[i].stage {
                Stage::Mine => 0.0,
                Stage::Refinery if cap > 0.0 => q[i] * (feed / cap).min(1.0),
                Stage::Refinery => 0.0,
                Stage::Product => q[i],
            };
            let o = &mut out[m];
            let dc = o.demand[y] * dt;
            let Some(k) = &mineral.market else {
                let supply: f64 = mineral
                    .sources
                    .iter()
                    .map(|&i| s.sources[i].access * y_of(i) * (1.0 - rho[i]))
                    .sum();
                let g = (dc - supply).max(0.0);
                let unserved = match mineral.stockpile {
                    None => g,
                    Some(p) => {
                        let release = g.min(stock[m]).min(p.max_release_per_year * dt);
                        stock[m] -= release;
                        o.stock_empty |= release > 0.0 && stock[m] == 0.0;
                        if supply > dc {
                            stock[m] += (p.refill_per_year * dt)
                                .min(supply - dc)
                                .min(p.capacity - stock[m]);
                        }
                        g - release
                    }
                };
                o.unserved[y] += unserved;
                o.supply[y] += supply;
                o.stock[y] = stock[m];
                continue;
            };
            let dr = rest[m][y] * dt;
            let (mut offtake, mut free, mut barred) = (0.0, 0.0, 0.0);
            for &i in &mineral.sources {
                let (yk, r, ok) = (y_of(i), rho[i], s.sources[i].offtake);
                offtake += ok * yk * (1.0 - r);
                free += (1.0 - ok) * yk * (1.0 - r);
                barred += yk * r;
            }
            let e = k.elasticity;
            let price = |served: f64| {
                if served <= 0.0 {
                    k.max_price
                } else {
                    served.powf(1.0 / e).clamp(k.min_price, k.max_price)
                }
            };
            let served_with = |kk: f64| {
                let a = (free + offtake + kk) / dc;
                let r = (free + offtake + kk + barred) / (dc + dr);
                a.min(r).max(0.0)
            };
            let mut kk = 0.0;
            if let Some(p) = mineral.stockpile {
                let x0 = price(served_with(0.0));
                let (tr, tf) = (p.release_price.powf(e), p.refill_price.powf(e));
                if x0 > p.release_price {
                    let want = (tr * dc - (free + offtake))
                        .max(tr * (dc + dr) - (free + offtake + barred))
                        .max(0.0);
                    kk = stock[m].min(p.max_release_per_year * dt).min(want);
                    stock[m] -= kk;
                    o.stock_empty |= kk > 0.0 && stock[m] <= 0.0;
                } else if x0 <= p.refill_price {
                    let room = (free + offtake - tf * dc)
                        .min(free + offtake + barred - tf * (dc + dr))
                        .max(0.0);
                    let b = (p.refill_per_year * dt)
                        .min(p.capacity - stock[m])
                        .min(room);
                    kk = -b;
                    stock[m] += b;
                }
                o.stock[y] = stock[m];
            }
            let served = served_with(kk);
            let x = price(served);
            o.unserved[y] += dc * (1.0 - served).max(0.0);
            o.supply[y] += dc * served.min(1.0);
            o.price[y] += x / spy as f64;
            o.cost[y] += k.reference_price
                * (dc * (x.powf(1.0 + e) - 1.0) / (1.0 + e) - (x - 1.0) * offtake);
        }
    }
    out
}

/// Mean and standard error of `values`.
fn mean_se(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.collect();
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Engine and reference agree within 4.5 standard errors of their
/// difference (both samples' errors combined).
#[track_caller]
fn agree(what: &str, (a, se_a): (f64, f64), (b, se_b): (f64, f64)) {
    let se = (se_a * se_a + se_b * se_b).sqrt();
    assert!(
        (a - b).abs() <= 4.5 * se + 1e-12 * a.abs().max(b.abs()),
        "{what}: engine {a} (se {se_a}) vs reference {b} (se {se_b})"
    );
}

/// The value of an optional result, which must be present.
#[track_caller]
fn some(what: &str, v: Option<f64>) -> f64 {
    v.unwrap_or_else(|| panic!("{what} is absent"))
}

/// Hold the engine (`trials_engine` trials) to the reference
/// (`trials_ref` trials) on every result of every mineral.
fn compare(text: &str, trials_engine: u64, trials_ref: usize) {
    let s = scenario(text);
    let sum: Summary = summarise(&s, 2026, trials_engine);
    let runs = reference(&s, 91, trials_ref);
    let ne = trials_engine as f64;
    let prob = |hits: usize| {
        let p = hits as f64 / trials_ref as f64;
        (p, (p * (1.0 - p) / trials_ref as f64).sqrt())
    };
    for (m, mineral) in s.minerals.iter().enumerate() {
        let e = sum.minerals.get(&mineral.id).unwrap();
        let r: Vec<&Trial> = runs.iter().map(|t| &t[m]).collect();
        let tag = |w: &str| format!("spy {}: {} {w}", s.steps_per_year, mineral.id);
        let thr = mineral.shortfall_threshold;
        let short = |t: &Trial, y: usize| t.unserved[y] > thr * t.demand[y];
        let quantiles = |what: &str, values: Vec<f64>, qs: [Option<f64>; 3]| {
            let mut v = values;
            v.sort_by(f64::total_cmp);
            for (q, x) in [0.05, 0.5, 0.95].into_iter().zip(qs) {
                quantile_agrees(&tag(&format!("{what} q{q}")), some(what, x), q, &v, ne);
            }
        };
        for (y, ey) in e.years.iter().enumerate() {
            let at = |w: &str| format!("{w}[{y}]");
            let hits = r.iter().filter(|t| short(t, y)).count();
            agree(
                &tag(&at("p_shortfall")),
                (ey.p_shortfall, ey.p_shortfall_se),
                prob(hits),
            );
            let u = mean_se(r.iter().map(|t| t.unserved[y]));
            agree(&tag(&at("eud")), (ey.eud, ey.eud_se), u);
            let supply = r.iter().map(|t| t.supply[y]).collect();
            quantiles(
                &at("supply"),
                supply,
                [Some(ey.supply_p5), Some(ey.supply_p50), Some(ey.supply_p95)],
            );
            if mineral.market.is_some() {
                let price = mean_se(r.iter().map(|t| t.price[y]));
                let engine = (some("price", ey.price_mean), some("se", ey.price_mean_se));
                agree(&tag(&at("price_mean")), engine, price);
                let cost = mean_se(r.iter().map(|t| t.cost[y]));
                agree(
                    &tag(&at("cost")),
                    (some("cost", ey.cost), some("se", ey.cost_se)),
                    cost,
                );
                let prices = r.iter().map(|t| t.price[y]).collect();
                quantiles(
                    &at("price"),
                    prices,
                    [ey.price_p5, ey.price_p50, ey.price_p95],
                );
            } else {
                assert_eq!(ey.price_mean, None);
                assert_eq!(ey.cost, None);
            }
            if mineral.stockpile.is_some() {
                let stock = r.iter().map(|t| t.stock[y]).collect();
                quantiles(
                    &at("stock"),
                    stock,
                    [ey.stock_p5, ey.stock_p50, ey.stock_p95],
                );
            } else {
                assert_eq!(ey.stock_p50, None);
            }
        }
        let years = 0..s.years;
        let any = r
            .iter()
            .filter(|t| years.clone().any(|y| short(t, y)))
            .count();
        agree(
            &tag("p_any_shortfall"),
            (e.p_any_shortfall, e.p_any_shortfall_se),
            prob(any),
        );
        let n_short = mean_se(
            r.iter()
                .map(|t| years.clone().filter(|&y| short(t, y)).count() as f64),
        );
        let engine = (e.expected_shortfall_years, e.expected_shortfall_years_se);
        agree(&tag("expected_shortfall_years"), engine, n_short);
        let total = mean_se(r.iter().map(|t| t.unserved.iter().sum()));
        agree(&tag("eud_total"), (e.eud_total, e.eud_total_se), total);
        if let Some(k) = &mineral.market {
            let cost = mean_se(r.iter().map(|t| t.cost.iter().sum()));
            let engine = (
                some("cost_total", e.cost_total),
                some("se", e.cost_total_se),
            );
            agree(&tag("cost_total"), engine, cost);
            let mut costs: Vec<f64> = r.iter().map(|t| t.cost.iter().sum()).collect();
            costs.sort_by(f64::total_cmp);
            quantile_agrees(
                &tag("cost_p95"),
                some("cost_p95", e.cost_p95),
                0.95,
                &costs,
                ne,
            );
            let spikes = r
                .iter()
                .filter(|t| t.price.iter().any(|&x| x > k.spike_threshold))
                .count();
            let engine = (
                some("p_price_spike", e.p_price_spike),
                some("se", e.p_price_spike_se),
            );
            agree(&tag("p_price_spike"), engine, prob(spikes));
        }
        if mineral.stockpile.is_some() {
            let empty = r.iter().filter(|t| t.stock_empty).count();
            let engine = (
                some("p_stock_empty", e.p_stock_empty),
                some("se", e.p_stock_empty_se),
            );
            agree(&tag("p_stock_empty"), engine, prob(empty));
        }
    }
}

/// A world market with stages (a mine project), an outage event hitting a
/// mine and a refinery, a restriction of a refinery and a product source,
/// offtakes on a refinery and a product source, and a market stockpile;
/// both demands noisy.
const MARKET: &str = r#"
[scenario]
name = "market reference"
start_year = 2026
years = 3
steps_per_year = 12

[[mineral]]
id = "co"
unit = "kt"
demand = { base = 45.0, growth = 0.04, sigma = 0.08 }
market = { rest_of_world_demand = { base = 155.0, growth = 0.03, sigma = 0.03 }, reference_price = 33.0, currency = "USD million", demand_elasticity = -0.3, max_price = 6.0, min_price = 0.6, spike_threshold = 1.4 }

[[source]]
id = "drc-mine"
mineral = "co"
stage = "mine"
country = "CD"
capacity = 150.0
disruption = { rate = 0.4, severity = { dist = "beta", mean = 0.4, sd = 0.2 }, duration_months = { dist = "lognormal", median = 3.0, p90 = 9.0 } }

[[source]]
id = "au-mine"
mineral = "co"
stage = "mine"
country = "AU"
capacity = 50.0

[[source]]
id = "id-mine"
mineral = "co"
stage = "mine"
country = "ID"
capacity = 30.0
project = { online_year = 2027.25, delay_months = { dist = "triangular", min = 0, mode = 4, max = 12 }, ramp_years = 0.5, success_probability = 0.7 }

[[source]]
id = "cn-ref"
mineral = "co"
stage = "refinery"
country = "CN"
capacity = 170.0

[[source]]
id = "fi-ref"
mineral = "co"
stage = "refinery"
country = "FI"
capacity = 35.0
offtake = 0.6
disruption = { rate = 0.5, severity = 0.6, duration_months = { dist = "uniform", min = 1, max = 4 } }

[[source]]
id = "recycling"
mineral = "co"
country = "US"
capacity = 8.0
offtake = 1.0

[[event]]
id = "drc-unrest"
rate = 0.3
severity = { dist = "uniform", min = 0.2, max = 0.6 }
duration_months = { dist = "exponential", mean = 5 }
affects = [ { source = "drc-mine" }, { source = "fi-ref", exposure = 0.3 } ]

[[event]]
id = "cn-ban"
kind = "restriction"
rate = 0.35
severity = { dist = "pert", min = 0.5, mode = 0.9, max = 1.0 }
duration_months = { dist = "triangular", min = 2, mode = 6, max = 12 }
affects = [ { source = "cn-ref" }, { source = "recycling", exposure = 0.4 } ]

[[stockpile]]
mineral = "co"
initial = 3.0
capacity = 5.0
max_release_per_year = 4.0
refill_per_year = 2.0
release_price = 1.3
refill_price = 0.95
"#;

/// Physical minerals: one with stages (a mine project, access on
/// refineries and a product source), an outage event and a restriction,
/// and a stockpile; one without stages whose product source is
/// restricted by the same event.
const PHYSICAL: &str = r#"
[scenario]
name = "physical chain reference"
start_year = 2026
years = 3
steps_per_year = 12

[[mineral]]
id = "ni"
unit = "kt"
demand = { base = 58.0, growth = 0.03, sigma = 0.05 }

[[mineral]]
id = "w"
unit = "t"
demand = { base = 20.0, growth = 0.02 }
shortfall_threshold = 0.1

[[source]]
id = "m1"
mineral = "ni"
stage = "mine"
country = "ID"
capacity = 50.0
disruption = { rate = 0.6, severity = { dist = "beta", mean = 0.5, sd = 0.2 }, duration_months = { dist = "lognormal", median = 2.0, p90 = 6.0 } }

[[source]]
id = "m2"
mineral = "ni"
stage = "mine"
country = "PH"
capacity = 30.0

[[source]]
id = "m3"
mineral = "ni"
stage = "mine"
country = "AU"
capacity = 20.0
project = { online_year = 2027.0, delay_months = { dist = "uniform", min = 0, max = 12 }, ramp_years = 1.0, success_probability = 0.6 }

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
access = 0.9
disruption = { rate = 0.4, severity = 0.7, duration_months = { dist = "triangular", min = 1, mode = 2, max = 6 } }

[[source]]
id = "p"
mineral = "ni"
country = "US"
capacity = 10.0
access = 0.7

[[source]]
id = "w-cn"
mineral = "w"
country = "CN"
capacity = 30.0
access = 0.6

[[source]]
id = "w-at"
mineral = "w"
country = "AT"
capacity = 5.0
disruption = { rate = 0.5, severity = 0.5, duration_months = 3 }

[[event]]
id = "typhoon"
rate = 0.5
severity = { dist = "uniform", min = 0.3, max = 0.9 }
duration_months = 2
affects = [ { source = "m2" }, { source = "r2", exposure = 0.5 } ]

[[event]]
id = "cn-quota"
kind = "restriction"
rate = 0.4
severity = { dist = "triangular", min = 0.3, mode = 0.6, max = 1.0 }
duration_months = { dist = "exponential", mean = 6 }
affects = [ { source = "r1", exposure = 0.8 }, { source = "p", exposure = 0.3 }, { source = "w-cn" } ]

[[stockpile]]
mineral = "ni"
initial = 5.0
capacity = 8.0
max_release_per_year = 6.0
refill_per_year = 2.0
"#;

/// `text` at `spy` steps per year.
fn at_steps(text: &str, spy: usize) -> String {
    let from = "steps_per_year = 12";
    assert!(text.contains(from), "fixture");
    text.replacen(from, &format!("steps_per_year = {spy}"), 1)
}

#[test]
fn the_market_agrees_with_the_naive_reference_monthly() {
    compare(MARKET, 100_000, 50_000);
}

#[test]
fn the_market_agrees_with_the_naive_reference_quarterly() {
    compare(&at_steps(MARKET, 4), 100_000, 50_000);
}

#[test]
fn physical_stages_agree_with_the_naive_reference_monthly() {
    compare(PHYSICAL, 100_000, 50_000);
}

#[test]
fn physical_stages_agree_with_the_naive_reference_quarterly() {
    compare(&at_steps(PHYSICAL, 4), 100_000, 50_000);
}
