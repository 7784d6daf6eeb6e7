//! A restriction event whose law is computed exactly (docs/model.md,
//! "World market"): with severity 1 and spells of a fixed number of steps
//! the event's state is a Markov chain, and the law of each year's number
//! of restricted steps, found by dynamic programming, gives every result.

use crate::market_exact::{some, Market};
use crate::util::{mineral, scenario, summarise};
use supplyrisk::summary::YearSummary;

/// The law of a process with onset probability `p` per up step and spells
/// of `n` steps: per year, the probability of each number of down steps
/// (0 ..= spy), and the probability that some year's count `c` makes
/// `flag(y, c)` true. The chain's state is the phase at the start of a
/// step: 0 = up (it may go down at this step), `r >= 1` = down at this
/// step with `r` steps of its spell left, this one included.
// The chain's phases and counts are natural indexes.
#[allow(clippy::needless_range_loop)]
fn down_counts(
    years: usize,
    spy: usize,
    p: f64,
    n: usize,
    flag: &dyn Fn(usize, usize) -> bool,
) -> (Vec<Vec<f64>>, f64) {
    // start[phase][flag] at the start of a year.
    let mut start = vec![[0.0f64; 2]; n + 1];
    start[0][0] = 1.0;
    let mut laws = Vec::new();
    for y in 0..years {
        // joint[phase][flag][count]
        let mut joint = vec![vec![vec![0.0f64; spy + 1]; 2]; n + 1];
        for ph in 0..=n {
            for f in 0..2 {
                joint[ph][f][0] = start[ph][f];
            }
        }
        for _ in 0..spy {
            let mut next = vec![vec![vec![0.0f64; spy + 1]; 2]; n + 1];
            for ph in 0..=n {
                for f in 0..2 {
                    for c in 0..spy {
                        let q = joint[ph][f][c];
                        if ph == 0 {
                            next[0][f][c] += q * (1.0 - p);
                            next[n - 1][f][c + 1] += q * p;
                        } else {
                            next[ph - 1][f][c + 1] += q;
                        }
                    }
                }
            }
            joint = next;
        }
        let mut law = vec![0.0; spy + 1];
        start = vec![[0.0f64; 2]; n + 1];
        for ph in 0..=n {
            for f in 0..2 {
                for c in 0..=spy {
                    let q = joint[ph][f][c];
                    law[c] += q;
                    start[ph][usize::from(f == 1 || flag(y, c))] += q;
                }
            }
        }
        laws.push(law);
    }
    (laws, start.iter().map(|f| f[1]).sum())
}

/// Mean and standard error over `trials` of `f(count)` under `law`.
fn moments(law: &[f64], f: impl Fn(usize) -> f64, trials: f64) -> (f64, f64) {
    let mean: f64 = law.iter().enumerate().map(|(c, q)| q * f(c)).sum();
    let sq: f64 = law.iter().enumerate().map(|(c, q)| q * f(c).powi(2)).sum();
    (mean, ((sq - mean * mean).max(0.0) / trials).sqrt())
}

/// `|engine - exact| <= 4 se` with the exact law's `se`; the engine's own
/// standard error must be close to it (within 20%) where it is not tiny.
#[track_caller]
fn within(what: &str, got: f64, got_se: f64, (exact, se): (f64, f64)) {
    assert!(
        (got - exact).abs() <= 4.0 * se + 1e-12 * exact.abs(),
        "{what}: engine {got} vs exact {exact}, |diff| {} > 4 x se {se}",
        (got - exact).abs()
    );
    if se > 1e-9 * exact.abs().max(1e-9) {
        let ratio = got_se / se;
        assert!(
            (0.8..1.25).contains(&ratio),
            "{what}: engine se {got_se} vs exact se {se}"
        );
    }
}

/// The engine's quantile `x` of a discrete law (`values[c]` with
/// probability `law[c]`) must sit at level `q`: the exact probability
/// below `x` at most `q + tol`, at or below it at least `q - tol`.
#[track_caller]
fn quantile_at(what: &str, x: f64, q: f64, law: &[f64], values: &[f64], trials: f64) {
    let eps = 1e-9 * x.abs().max(1.0);
    let cdf = |keep: &dyn Fn(f64) -> bool| -> f64 {
        law.iter()
            .zip(values)
            .filter(|(_, v)| keep(**v))
            .map(|(p, _)| p)
            .sum()
    };
    let below = cdf(&|v| v < x - eps);
    let at_or_below = cdf(&|v| v <= x + eps);
    let tol = 4.0 * (q * (1.0 - q) / trials).sqrt();
    assert!(
        below <= q + tol && at_or_below >= q - tol,
        "{what}: engine quantile {x} lies between exact levels {below} and {at_or_below}, expected {q} +- {tol}"
    );
}

/// One product source of 78 restricted by an event of severity 1 and
/// exposure 1, and a free one of 17 with an offtake of 30%: while the
/// event is in force the consumer can buy only the free 17 (`a < r`), and
/// the price jumps. The event's state is a Markov chain; the law of each year's
/// number of restricted steps gives every result exactly.
fn check_restriction_chain(spy: usize, rate: f64, months: f64, n: usize) {
    let years = 3;
    let trials = 100_000u64;
    let text = format!(
        r#"
[scenario]
name = "restriction chain"
start_year = 2030
years = {years}
steps_per_year = {spy}

[[mineral]]
id = "x"
demand = {{ base = 30.0, growth = 0.1 }}
shortfall_threshold = 0.12
market = {{ rest_of_world_demand = {{ base = 70.0 }}, reference_price = 50.0, demand_elasticity = -0.5, spike_threshold = 1.4 }}

[[source]]
id = "cn"
mineral = "x"
capacity = 78.0

[[source]]
id = "free"
mineral = "x"
capacity = 17.0
offtake = 0.3

[[event]]
id = "ban"
kind = "restriction"
rate = {rate}
severity = 1.0
duration_months = {months}
affects = [ {{ source = "cn" }} ]
"#
    );
    let sum = summarise(&scenario(&text), 7, trials);
    let m = mineral(&sum, "x");
    let nt = trials as f64;
    let k = Market {
        p: 50.0,
        e: -0.5,
        min: 0.5,
        max: 10.0,
    };
    let dt = 1.0 / spy as f64;
    let spyf = spy as f64;
    // Per year and per number of restricted steps c: the year's unserved
    // amount, mean price, cost and served amount.
    type Year = [Vec<f64>; 4];
    let per_year: Vec<Year> = (0..years)
        .map(|y| {
            let (dc, dr) = (30.0 * 1.1f64.powi(y as i32) * dt, 70.0 * dt);
            let (all, free, o) = (95.0 * dt, 17.0 * dt, 0.3 * 17.0 * dt);
            let up = k.served(all, all, dc, dr);
            let down = k.served(free, all, dc, dr);
            assert!(free / dc < all / (dc + dr), "fixture: the ban must bind");
            let (xu, xd) = (k.x(up), k.x(down));
            let per_c = |f: &dyn Fn(f64, f64) -> f64| -> Vec<f64> {
                (0..=spy)
                    .map(|c| {
                        let c = c as f64;
                        c * f(down, xd) + (spyf - c) * f(up, xu)
                    })
                    .collect()
            };
            [
                per_c(&|s, _| dc * (1.0 - s).max(0.0)),
                per_c(&|_, x| x / spyf),
                per_c(&|_, x| k.cost(dc, x, o)),
                per_c(&|s, _| dc * s.min(1.0)),
            ]
        })
        .collect();
    let demand = |y: usize| 30.0 * 1.1f64.powi(y as i32);
    let short = |y: usize, c: usize| per_year[y][0][c] > 0.12 * demand(y);
    let spike = |y: usize, c: usize| per_year[y][1][c] > 1.4;
    for (y, [u, x, ..]) in per_year.iter().enumerate() {
        for (c, (u, x)) in u.iter().zip(x).enumerate() {
            let near = (u - 0.12 * demand(y)).abs() < 1e-6 || (x - 1.4).abs() < 1e-6;
            assert!(
                !near,
                "fixture: year {y}, {c} steps: a value at a threshold"
            );
        }
    }
    let p = 1.0 - (-rate / spyf).exp();
    let (laws, p_any) = down_counts(years, spy, p, n, &short);
    let (_, p_spike) = down_counts(years, spy, p, n, &spike);
    let prob = |p: f64| (p, (p * (1.0 - p) / nt).sqrt());
    let (mut eud_total, mut cost_total) = (0.0, 0.0);
    for (y, (law, [u, x, cost, supply])) in laws.iter().zip(&per_year).enumerate() {
        let ys: &YearSummary = &m.years[y];
        let tag = |w: &str| format!("spy {spy}: {w}[{y}]");
        let eud = moments(law, |c| u[c], nt);
        within(&tag("eud"), ys.eud, ys.eud_se, eud);
        eud_total += eud.0;
        let price = moments(law, |c| x[c], nt);
        within(
            &tag("price_mean"),
            some("price", ys.price_mean),
            some("se", ys.price_mean_se),
            price,
        );
        let c_y = moments(law, |c| cost[c], nt);
        within(
            &tag("cost"),
            some("cost", ys.cost),
            some("se", ys.cost_se),
            c_y,
        );
        cost_total += c_y.0;
        let p_short: f64 = (0..=spy).filter(|&c| short(y, c)).map(|c| law[c]).sum();
        within(
            &tag("p_shortfall"),
            ys.p_shortfall,
            ys.p_shortfall_se,
            prob(p_short),
        );
        for (q, v) in [
            (0.05, ys.supply_p5),
            (0.5, ys.supply_p50),
            (0.95, ys.supply_p95),
        ] {
            quantile_at(&tag(&format!("supply q{q}")), v, q, law, supply, nt);
        }
        for (q, v) in [
            (0.05, ys.price_p5),
            (0.5, ys.price_p50),
            (0.95, ys.price_p95),
        ] {
            quantile_at(
                &tag(&format!("price q{q}")),
                some("price q", v),
                q,
                law,
                x,
                nt,
            );
        }
    }
    let tag = |w: &str| format!("spy {spy}: {w}");
    within(
        &tag("p_any_shortfall"),
        m.p_any_shortfall,
        m.p_any_shortfall_se,
        prob(p_any),
    );
    let spike_se = some("se", m.p_price_spike_se);
    within(
        &tag("p_price_spike"),
        some("spike", m.p_price_spike),
        spike_se,
        prob(p_spike),
    );
    let se = m.eud_total_se;
    assert!(
        (m.eud_total - eud_total).abs() <= 4.0 * se,
        "{}",
        tag("eud_total")
    );
    let se = some("se", m.cost_total_se);
    let got = some("cost_total", m.cost_total);
    assert!(
        (got - cost_total).abs() <= 4.0 * se,
        "{}: {got} vs {cost_total}",
        tag("cost_total")
    );
}

#[test]
fn a_restriction_of_two_month_spells_matches_dynamic_programming() {
    // 2-month bans, about one onset a year.
    check_restriction_chain(12, 1.2, 2.0, 2);
}

#[test]
fn a_restriction_of_one_step_spells_matches_dynamic_programming() {
    // Quarterly steps and 3-month bans: a fresh draw every step.
    check_restriction_chain(4, 0.8, 3.0, 1);
}
