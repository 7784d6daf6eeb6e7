//! A second, deliberately naive implementation of the model (docs/model.md,
//! docs/dependence.md), written from the text step by step (a Bernoulli
//! draw per up step, the supply formula of section 4 evaluated for every
//! source at every step, project success as a normal shock below
//! `Phi^-1(success_probability)`, its own random streams). The fast engine
//! must agree with it within standard errors on every metric, for several
//! step lengths.

use crate::util::{scenario, summarise, DEPENDENCE, FULL};
use rand::rngs::Xoshiro256PlusPlus;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal, StandardUniform};
use statrs::distribution::{ContinuousCDF, Normal};
use supplyrisk::scenario::{FactorScope, Loading, Process, Scenario};
use supplyrisk::summary::Summary;

/// A process's state in the naive simulation.
#[derive(Clone, Copy, Default)]
pub(crate) struct State {
    remaining: usize,
    severity: f64,
}

impl State {
    /// The state at step 0: down for the initial spell's steps, if any.
    fn start(p: &Process, spy: usize, rng: &mut Xoshiro256PlusPlus) -> State {
        match &p.initial {
            None => State::default(),
            Some(i) => State {
                remaining: (i.months * spy as f64 / 12.0).round().max(1.0) as usize,
                severity: i.severity.sample(rng),
            },
        }
    }

    /// docs/model.md section 3 for one step; returns the step's severity.
    pub(crate) fn step(&mut self, p: &Process, spy: usize, rng: &mut Xoshiro256PlusPlus) -> f64 {
        if self.remaining == 0 {
            let prob = 1.0 - (-p.rate / spy as f64).exp();
            let u: f64 = StandardUniform.sample(rng);
            if u < prob {
                self.severity = p.severity.sample(rng);
                let d = p.duration_months.sample(rng);
                self.remaining = (d * spy as f64 / 12.0).round().max(1.0) as usize;
            }
        }
        if self.remaining > 0 {
            self.remaining -= 1;
            self.severity
        } else {
            0.0
        }
    }
}

/// Per-mineral sums over trials.
#[derive(Clone, Default)]
struct RefMineral {
    short: Vec<f64>,
    u_sum: Vec<f64>,
    u_sq: Vec<f64>,
    any: f64,
    total_sum: f64,
    total_sq: f64,
    years_sum: f64,
    years_sq: f64,
    supply: Vec<Vec<f64>>,
}

fn reference(s: &Scenario, seed: u64, trials: usize) -> Vec<RefMineral> {
    let spy = s.steps_per_year;
    let steps = s.steps();
    let dt = 1.0 / spy as f64;
    let mut acc = vec![
        RefMineral {
            short: vec![0.0; s.years],
            u_sum: vec![0.0; s.years],
            u_sq: vec![0.0; s.years],
            supply: vec![Vec::new(); s.years],
            ..Default::default()
        };
        s.minerals.len()
    ];
    for trial in 0..trials {
        let mut rng =
            Xoshiro256PlusPlus::seed_from_u64(seed.wrapping_mul(1_000_003) + trial as u64);
        // Factors: one value per trial or per year.
        let factor: Vec<Vec<f64>> = s
            .factors
            .iter()
            .map(|f| {
                let n = if f.scope == FactorScope::Year {
                    s.years
                } else {
                    1
                };
                (0..n).map(|_| StandardNormal.sample(&mut rng)).collect()
            })
            .collect();
        // A standard normal shock loading on value `k` of a factor.
        let shock = |l: Option<Loading>, k: usize, rng: &mut Xoshiro256PlusPlus| {
            let own: f64 = StandardNormal.sample(rng);
            match l {
                None => own,
                Some(l) => l.loading * factor[l.factor][k] + (1.0 - l.loading.powi(2)).sqrt() * own,
            }
        };
        // Projects: online time or None, each once, a required project
        // before those that require it.
        let mut fate: Vec<Option<Option<f64>>> = vec![None; s.projects.len()];
        while fate.iter().any(Option::is_none) {
            for (j, p) in s.projects.iter().enumerate() {
                let required = match p.requires {
                    None => Some(None),
                    Some(r) => fate[r].map(Some),
                };
                let (None, Some(required)) = (fate[j], required) else {
                    continue;
                };
                let z = shock(p.factor, 0, &mut rng);
                let c = Normal::standard().inverse_cdf(p.success_probability);
                let own = p.online_year + p.delay_months.sample(&mut rng) / 12.0;
                fate[j] = Some(match required {
                    Some(None) => None,
                    _ if z >= c => None,
                    Some(Some(r)) => Some(own.max(r)),
                    None => Some(own),
                });
            }
        }
        let online: Vec<Option<f64>> = s
            .sources
            .iter()
            .map(|src| src.project.and_then(|p| fate[p].flatten()))
            .collect();
        let demand: Vec<Vec<f64>> = s
            .minerals
            .iter()
            .map(|m| {
                (0..s.years)
                    .map(|y| {
                        let z = shock(m.demand.factor, y, &mut rng);
                        let sg = m.demand.sigma;
                        m.demand.base
                            * (1.0 + m.demand.growth).powf(y as f64)
                            * (sg * z - sg * sg / 2.0).exp()
                    })
                    .collect()
            })
            .collect();
        let mut ev_state: Vec<State> = s
            .events
            .iter()
            .map(|e| State::start(&e.process, spy, &mut rng))
            .collect();
        let mut src_state: Vec<State> = s
            .sources
            .iter()
            .map(|src| match &src.disruption {
                Some(p) => State::start(p, spy, &mut rng),
                None => State::default(),
            })
            .collect();
        let mut stock: Vec<f64> = s
            .minerals
            .iter()
            .map(|m| m.stockpile.map_or(0.0, |p| p.initial))
            .collect();
        let mut u_year = vec![vec![0.0; s.years]; s.minerals.len()];
        let mut s_year = vec![vec![0.0; s.years]; s.minerals.len()];
        for t in 0..steps {
            let y = t / spy;
            let tm = s.start_year as f64 + (t as f64 + 0.5) * dt;
            let ev_sev: Vec<f64> = s
                .events
                .iter()
                .zip(ev_state.iter_mut())
                .map(|(e, st)| st.step(&e.process, spy, &mut rng))
                .collect();
            let mut supply = vec![0.0; s.minerals.len()];
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
                let mut x = src.capacity * src.access * ramp * (1.0 - own);
                for e in &s.events {
                    if let Some(&(_, exposure)) = e.affects.iter().find(|(si, _)| *si == i) {
                        let ei = s.events.iter().position(|o| o.id == e.id).unwrap();
                        x *= 1.0 - exposure * ev_sev[ei];
                    }
                }
                supply[src.mineral] += x * dt;
            }
            for (m, mineral) in s.minerals.iter().enumerate() {
                let dstep = demand[m][y] * dt;
                let g = (dstep - supply[m]).max(0.0);
                let unserved = match mineral.stockpile {
                    None => g,
                    Some(p) => {
                        let release = g.min(stock[m]).min(p.max_release_per_year * dt);
                        stock[m] -= release;
                        if supply[m] > dstep {
                            stock[m] += (p.refill_per_year * dt)
                                .min(supply[m] - dstep)
                                .min(p.capacity - stock[m]);
                        }
                        g - release
                    }
                };
                u_year[m][y] += unserved;
                s_year[m][y] += supply[m];
            }
        }
        for (m, mineral) in s.minerals.iter().enumerate() {
            let a = &mut acc[m];
            let mut total = 0.0;
            let mut nshort = 0.0;
            for y in 0..s.years {
                let u = u_year[m][y];
                total += u;
                if u > mineral.shortfall_threshold * demand[m][y] {
                    a.short[y] += 1.0;
                    nshort += 1.0;
                }
                a.u_sum[y] += u;
                a.u_sq[y] += u * u;
                a.supply[y].push(s_year[m][y]);
            }
            if nshort > 0.0 {
                a.any += 1.0;
            }
            a.total_sum += total;
            a.total_sq += total * total;
            a.years_sum += nshort;
            a.years_sq += nshort * nshort;
        }
    }
    acc
}

/// Mean and standard error from a sum and a sum of squares.
fn mean_se(sum: f64, sq: f64, n: f64) -> (f64, f64) {
    let mean = sum / n;
    let var = ((sq - sum * sum / n) / (n - 1.0)).max(0.0);
    (mean, (var / n).sqrt())
}

#[track_caller]
fn agree(what: &str, a: f64, se_a: f64, b: f64, se_b: f64) {
    let se = (se_a * se_a + se_b * se_b).sqrt();
    assert!(
        (a - b).abs() <= 4.5 * se + 1e-12 * a.abs().max(b.abs()),
        "{what}: engine {a} (se {se_a}) vs reference {b} (se {se_b})"
    );
}

/// The engine's quantile `x` of annual supply must sit at the reference's
/// quantile level `q`: the reference's share of values below `x` at most
/// `q + tol` and its share at or below `x` at least `q - tol` (which allows
/// for atoms), with `tol` from both samples' binomial errors.
#[track_caller]
pub(crate) fn quantile_agrees(what: &str, x: f64, q: f64, reference: &[f64], n_engine: f64) {
    let n = reference.len() as f64;
    let eps = 1e-9 * x.abs().max(1.0);
    let below = reference.iter().filter(|v| **v < x - eps).count() as f64 / n;
    let at_or_below = reference.iter().filter(|v| **v <= x + eps).count() as f64 / n;
    let tol = 4.5 * (q * (1.0 - q) * (1.0 / n + 1.0 / n_engine)).sqrt();
    assert!(
        below <= q + tol && at_or_below >= q - tol,
        "{what}: engine quantile {x} sits between reference levels {below} and {at_or_below}, expected {q} ± {tol}"
    );
}

fn compare(text: &str, trials_engine: u64, trials_ref: usize) {
    let s = scenario(text);
    let sum: Summary = summarise(&s, 2026, trials_engine);
    let r = reference(&s, 77, trials_ref);
    let n = trials_ref as f64;
    let ne = trials_engine as f64;
    let pse = |p: f64| (p * (1.0 - p) / n).sqrt();
    for (m, mineral) in s.minerals.iter().enumerate() {
        let e = sum.minerals.get(&mineral.id).unwrap();
        let a = &r[m];
        let id = &mineral.id;
        for y in 0..s.years {
            let ey = &e.years[y];
            let p = a.short[y] / n;
            agree(
                &format!("{id} p_shortfall[{y}]"),
                ey.p_shortfall,
                ey.p_shortfall_se,
                p,
                pse(p),
            );
            let (mu, se) = mean_se(a.u_sum[y], a.u_sq[y], n);
            agree(&format!("{id} eud[{y}]"), ey.eud, ey.eud_se, mu, se);
            let mut sup = a.supply[y].clone();
            sup.sort_by(f64::total_cmp);
            for (q, x) in [
                (0.05, ey.supply_p5),
                (0.5, ey.supply_p50),
                (0.95, ey.supply_p95),
            ] {
                quantile_agrees(&format!("{id} supply q{q} [{y}]"), x, q, &sup, ne);
            }
        }
        let p = a.any / n;
        agree(
            &format!("{id} p_any_shortfall"),
            e.p_any_shortfall,
            e.p_any_shortfall_se,
            p,
            pse(p),
        );
        let (mu, se) = mean_se(a.total_sum, a.total_sq, n);
        agree(
            &format!("{id} eud_total"),
            e.eud_total,
            e.eud_total_se,
            mu,
            se,
        );
        let (mu, se) = mean_se(a.years_sum, a.years_sq, n);
        agree(
            &format!("{id} expected_shortfall_years"),
            e.expected_shortfall_years,
            e.expected_shortfall_years_se,
            mu,
            se,
        );
    }
}

#[test]
fn engine_agrees_with_naive_reference_monthly() {
    compare(FULL, 100_000, 60_000);
}

#[test]
fn engine_agrees_with_naive_reference_quarterly() {
    compare(
        &FULL.replace("steps_per_year = 12", "steps_per_year = 4"),
        100_000,
        60_000,
    );
}

#[test]
fn engine_agrees_with_naive_reference_weekly() {
    compare(
        &FULL.replace("steps_per_year = 12", "steps_per_year = 52"),
        60_000,
        30_000,
    );
}

#[test]
fn engine_agrees_with_naive_reference_with_dependence() {
    compare(DEPENDENCE, 100_000, 60_000);
}

#[test]
fn engine_agrees_with_naive_reference_with_dependence_quarterly() {
    compare(
        &DEPENDENCE.replace("steps_per_year = 12", "steps_per_year = 4"),
        60_000,
        40_000,
    );
}
