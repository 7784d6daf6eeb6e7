//! Draws that tie entities together within a trial (docs/dependence.md):
//! shared factors, drawn once per trial before anything else, and
//! projects, each started once per trial (however many sources share it),
//! a required project before the projects that require it.

use super::plan::Plan;
use crate::rng::{EntityKey, TrialKey};
use crate::scenario::{FactorScope, Loading, Project, Scenario};
use rand_distr::{Distribution, StandardNormal, StandardUniform};
use statrs::distribution::{ContinuousCDF, Normal};

/// Where a factor's draws go among a trial's factor values.
#[derive(Debug, Clone, Copy)]
pub struct FactorPlan {
    key: EntityKey,
    /// First value.
    at: usize,
    /// Number of values: 1 for a trial-scope factor, one per year for a
    /// year-scope one.
    len: usize,
}

/// The places of every factor of `scenario` among a trial's factor
/// values, and the number of values.
pub fn factor_plans(scenario: &Scenario) -> (Vec<FactorPlan>, usize) {
    let mut at = 0;
    let plans = scenario
        .factors
        .iter()
        .map(|f| {
            let len = match f.scope {
                FactorScope::Trial => 1,
                FactorScope::Year => scenario.years,
            };
            at += len;
            FactorPlan {
                key: f.key,
                at: at - len,
                len,
            }
        })
        .collect();
    (plans, at)
}

/// Draw every factor's standard-normal values for trial `key` into
/// `values`, each from its own stream, in year order.
pub fn draw_factors(factors: &[FactorPlan], key: TrialKey, values: &mut [f64]) {
    for f in factors {
        let mut rng = key.stream(f.key);
        for v in &mut values[f.at..f.at + f.len] {
            *v = StandardNormal.sample(&mut rng);
        }
    }
}

/// A loading with its factor's first value among a trial's factor
/// values: the shock is `loading * F + own * Z_own`, `own = sqrt(1 -
/// loading^2)`.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Index of the factor's (first) value.
    pub at: usize,
    /// The loading.
    pub loading: f64,
    /// `sqrt(1 - loading^2)`.
    pub own: f64,
}

impl Load {
    /// The load of `loading`, or `None` for a loading of 0, which draws
    /// exactly as no factor does.
    pub fn new(loading: Option<Loading>, factors: &[FactorPlan]) -> Option<Load> {
        let l = loading.filter(|l| l.loading != 0.0)?;
        Some(Load {
            at: factors[l.factor].at,
            loading: l.loading,
            own: (1.0 - l.loading * l.loading).max(0.0).sqrt(),
        })
    }
}

/// A successful project's timing in one trial.
#[derive(Debug, Clone, Copy)]
pub struct Ramp {
    /// First step whose midpoint is at or after `online`.
    pub first_step: usize,
    /// When it comes online, fractional calendar year.
    online: f64,
    /// `1 / ramp_years`, or 0 for an instant start.
    inv_ramp_years: f64,
}

impl Ramp {
    /// `ramp(t)` at midpoint time `tm` (docs/model.md section 4).
    #[inline]
    pub fn at(&self, tm: f64) -> f64 {
        if tm < self.online {
            0.0
        } else if self.inv_ramp_years == 0.0 {
            1.0
        } else {
            let x = (tm - self.online) * self.inv_ramp_years;
            if x < 1.0 {
                x
            } else {
                1.0
            }
        }
    }
}

/// A project's constants.
#[derive(Debug, Clone)]
pub struct ProjectPlan<'s> {
    project: &'s Project,
    /// The place of the project it requires (always an earlier one).
    requires: Option<usize>,
    /// Its loading on a trial-scope factor, with `Phi^-1(success_probability)`.
    load: Option<(Load, f64)>,
    /// `1 / ramp_years`, or 0 for an instant start.
    inv_ramp_years: f64,
}

/// The projects that the sources `used` (indexes into
/// `scenario.sources`) belong to, and those they require, each once, in an
/// order where a required project comes before those that require it;
/// and for each source its project's place in that order.
pub fn project_plans<'s>(
    scenario: &'s Scenario,
    used: impl Iterator<Item = usize>,
    factors: &[FactorPlan],
) -> (Vec<ProjectPlan<'s>>, Vec<Option<usize>>) {
    let mut place: Vec<Option<usize>> = vec![None; scenario.projects.len()];
    let mut plans = Vec::new();
    for i in used {
        let Some(p) = scenario.sources[i].project else {
            continue;
        };
        // The chain of requirements from `p` down to one already placed
        // (or to the end), placed from its far end.
        let (mut chain, mut q) = (vec![p], p);
        while let Some(r) = scenario.projects[q].requires {
            if place[r].is_some() || chain.contains(&r) {
                break;
            }
            chain.push(r);
            q = r;
        }
        for &q in chain.iter().rev() {
            if place[q].is_some() {
                continue;
            }
            let project = &scenario.projects[q];
            place[q] = Some(plans.len());
            plans.push(ProjectPlan {
                project,
                requires: project.requires.and_then(|r| place[r]),
                load: Load::new(project.factor, factors)
                    .map(|l| (l, threshold(project.success_probability))),
                inv_ramp_years: if project.ramp_years > 0.0 {
                    1.0 / project.ramp_years
                } else {
                    0.0
                },
            });
        }
    }
    let of_source = scenario
        .sources
        .iter()
        .map(|s| s.project.and_then(|p| place[p]))
        .collect();
    (plans, of_source)
}

/// `Phi^-1(p)`: a standard normal shock below it has probability `p`.
fn threshold(p: f64) -> f64 {
    if p >= 1.0 {
        f64::INFINITY
    } else {
        Normal::standard().inverse_cdf(p)
    }
}

/// Whether a project whose own uniform draw is `u` succeeds, its factor
/// being `f`: when `loading * f + own * Z_own < c` with
/// `Z_own = Phi^-1(u)`, that is when `u < Phi((c - loading * f) / own)`
/// (for `own = 0`, when `loading * f < c`).
#[inline]
fn succeeds(u: f64, load: &Load, c: f64, f: f64) -> bool {
    let t = c - load.loading * f;
    if load.own > 0.0 {
        u < Normal::standard().cdf(t / load.own)
    } else {
        t > 0.0
    }
}

/// Start every project of `plan` in trial `key`, the factors having been
/// drawn into `factors`: its timing in `ramps`, or `None` if it never
/// produces. A project whose required project fails fails too; one that
/// succeeds comes online no earlier than the project it requires.
pub fn start_projects(plan: &Plan, key: TrialKey, factors: &[f64], ramps: &mut [Option<Ramp>]) {
    for (j, pp) in plan.projects.iter().enumerate() {
        let required = match pp.requires {
            Some(r) => match ramps[r] {
                Some(ramp) => Some(ramp),
                None => {
                    ramps[j] = None;
                    continue;
                }
            },
            None => None,
        };
        ramps[j] = start(plan, pp, key, factors, required);
    }
}

/// One project's draws: success, then delay.
#[inline]
fn start(
    plan: &Plan,
    pp: &ProjectPlan,
    key: TrialKey,
    factors: &[f64],
    required: Option<Ramp>,
) -> Option<Ramp> {
    let p = pp.project;
    let mut rng = key.stream(p.key);
    let u: f64 = StandardUniform.sample(&mut rng);
    let success = match &pp.load {
        None => u < p.success_probability,
        Some((load, c)) => succeeds(u, load, *c, factors[load.at]),
    };
    if !success {
        return None;
    }
    let delay = p.delay_months.sample(&mut rng);
    let mut online = p.online_year + delay / 12.0;
    if let Some(r) = required {
        online = online.max(r.online);
    }
    Some(Ramp {
        first_step: plan.midpoints.partition_point(|&tm| tm < online),
        online,
        inv_ramp_years: pp.inv_ramp_years,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::trial::{simulate_trial, Workspace};

    #[test]
    fn the_rest_of_the_world_demand_loads_on_its_factor() {
        // The consumer's and the rest of the world's demand for copper on
        // one year-scope factor: their shocks correlate by 0.7 x 0.6.
        let s = Scenario::from_toml_str(
            r#"
[scenario]
name = "market factor"
start_year = 2026
years = 5

[[factor]]
id = "cycle"
scope = "year"

[[mineral]]
id = "cu"
demand = { base = 10.0, sigma = 0.2, factor = "cycle", loading = 0.7 }
market = { rest_of_world_demand = { base = 1000.0, growth = 0.02, sigma = 0.1, factor = "cycle", loading = 0.6 }, reference_price = 9.0, demand_elasticity = -0.2 }

[[source]]
id = "cu-a"
mineral = "cu"
capacity = 1000.0
"#,
            "test.toml",
        )
        .unwrap();
        let plan = Plan::new(&s);
        let mut ws = Workspace::new(&plan);
        let market = s.minerals[0].market.as_ref().unwrap();
        let shock =
            |d: f64, trend: f64, sigma: f64| ((d / trend).ln() + sigma * sigma / 2.0) / sigma;
        let (mut sxy, mut sxx, mut syy, mut n) = (0.0, 0.0, 0.0, 0.0);
        for t in 0..20_000 {
            simulate_trial(&plan, TrialKey::new(3, t), &mut ws);
            for y in 0..5 {
                let x = shock(ws.outcome[0].demand[y], s.minerals[0].demand.trend(y), 0.2);
                let r = shock(ws.rest[y], market.rest_of_world.trend(y), 0.1);
                (sxy, sxx, syy, n) = (sxy + x * r, sxx + x * x, syy + r * r, n + 1.0);
            }
        }
        // Means are 0 and variances 1 by construction; the sample
        // correlation's standard error is (1 - rho^2) / sqrt(n).
        let (rho, corr) = (0.7 * 0.6, sxy / (sxx * syy).sqrt());
        assert!(
            (corr - rho).abs() < 4.5 * (1.0 - rho * rho) / f64::sqrt(n),
            "{corr}"
        );
    }

    #[test]
    fn projects_are_placed_after_the_projects_they_require() {
        let s = Scenario::from_toml_str(
            r#"
[scenario]
name = "chain of projects"
start_year = 2026
years = 2

[[mineral]]
id = "li"
demand = { base = 1.0 }

[[project]]
id = "c"
online_year = 2027
requires = "b"

[[project]]
id = "b"
online_year = 2027
requires = "a"

[[source]]
id = "x"
mineral = "li"
capacity = 1.0
project = "c"

[[source]]
id = "a"
mineral = "li"
capacity = 1.0
project = { online_year = 2026 }

[[source]]
id = "y"
mineral = "li"
capacity = 1.0
project = "b"
"#,
            "test.toml",
        )
        .unwrap();
        let (plans, of_source) = project_plans(&s, 0..3, &[]);
        let ids: Vec<&str> = plans.iter().map(|p| p.project.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(of_source, [Some(2), Some(0), Some(1)]);
        assert_eq!(
            plans.iter().map(|p| p.requires).collect::<Vec<_>>(),
            [None, Some(0), Some(1)]
        );
        // Only the projects of the sources asked for, and what they
        // require (here source a's).
        let (plans, of_source) = project_plans(&s, 2..3, &[]);
        assert_eq!(plans.len(), 2);
        assert_eq!(of_source, [None, Some(0), Some(1)]);
    }
}
