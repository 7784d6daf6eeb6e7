//! The channels of a world market are built two ways: a source with no
//! restriction whose event intervals do not overlap one another adds each
//! disruption interval as a constant change over its span (own/event
//! overlaps corrected pair by pair), any other source follows its factors
//! step by step. Both must give the same output to the bit: a restriction
//! that never strikes moves every source it lists to the second way and
//! must change no result of any trial.

use crate::util::scenario;
use supplyrisk::engine::plan::Plan;
use supplyrisk::engine::trial::{simulate_trial, MineralOutcome, Workspace};
use supplyrisk::rng::TrialKey;
use supplyrisk::scenario::Scenario;

/// Product sources on a world market, disrupted often and at length so
/// that own intervals overlap event intervals in most trials: "solo" in
/// one event, "pair" in two events whose intervals may overlap each other,
/// "new" a project (ramping up, disrupted, in an event), and a steady
/// source. Years of quarterly and monthly steps both appear below.
const MARKET: &str = r#"
[scenario]
name = "two paths"
start_year = 2026
years = 6
steps_per_year = STEPS

[[mineral]]
id = "li"
demand = { base = 150.0, growth = 0.04, sigma = 0.08 }
market = { rest_of_world_demand = { base = 180.0, growth = 0.03, sigma = 0.04 }, reference_price = 12.0, demand_elasticity = -0.25 }

[[source]]
id = "solo"
mineral = "li"
capacity = 140.0
disruption = { rate = 1.5, severity = { dist = "uniform", min = 0.1, max = 1.0 }, duration_months = { dist = "exponential", mean = 3 } }

[[source]]
id = "pair"
mineral = "li"
capacity = 90.0
disruption = { rate = 1.0, severity = { dist = "beta", mean = 0.4, sd = 0.2 }, duration_months = { dist = "lognormal", median = 2, p90 = 7 } }

[[source]]
id = "new"
mineral = "li"
capacity = 60.0
project = { online_year = 2027.5, delay_months = { dist = "triangular", min = 0, mode = 6, max = 18 }, ramp_years = 1.5, success_probability = 0.8 }
disruption = { rate = 0.8, severity = 0.5, duration_months = 2 }

[[source]]
id = "steady"
mineral = "li"
capacity = 40.0

[[event]]
id = "strike"
rate = 1.2
severity = { dist = "uniform", min = 0.2, max = 0.9 }
duration_months = 4
affects = [ { source = "solo", exposure = 0.7 }, { source = "pair" }, { source = "new", exposure = 0.5 } ]

[[event]]
id = "storm"
rate = 1.0
severity = 0.6
duration_months = { dist = "uniform", min = 1, max = 6 }
affects = [ { source = "pair", exposure = 0.8 } ]
"#;

/// A restriction that never strikes in six years (an onset every 10^9
/// years on average), listing every disrupted source.
const NEVER: &str = r#"
[[event]]
id = "never"
kind = "restriction"
rate = 1e-9
severity = 1.0
duration_months = 12
affects = [ { source = "solo" }, { source = "pair" }, { source = "new" } ]
"#;

fn outcomes(s: &Scenario, trials: u64) -> Vec<MineralOutcome> {
    let plan = Plan::new(s);
    let mut ws = Workspace::new(&plan);
    (0..trials)
        .map(|t| {
            simulate_trial(&plan, TrialKey::new(31, t), &mut ws);
            ws.outcome[0].clone()
        })
        .collect()
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn a_source_gives_the_same_output_interval_by_interval_as_step_by_step() {
    for steps in ["12", "4"] {
        let text = MARKET.replace("STEPS", steps);
        let with_never = format!("{text}{NEVER}");
        let (a, b) = (scenario(&text), scenario(&with_never));
        let (fast, slow) = (outcomes(&a, 3_000), outcomes(&b, 3_000));
        let mut disrupted = 0;
        for (t, (x, y)) in fast.iter().zip(&slow).enumerate() {
            for (what, u, v) in [
                ("unserved", &x.unserved, &y.unserved),
                ("supply", &x.supply, &y.supply),
                ("price", &x.price, &y.price),
                ("cost", &x.cost, &y.cost),
            ] {
                assert!(
                    same_bits(u, v),
                    "{steps} steps a year, trial {t}: {what} {u:?} against {v:?}"
                );
            }
            disrupted += usize::from(x.price.iter().any(|&p| p > 1.0));
        }
        // The case is not vacuous: most trials see prices above reference.
        assert!(disrupted > 2_000, "{disrupted} trials with a price above 1");
    }
}

#[test]
fn a_project_at_full_output_from_the_start_is_an_existing_source_to_the_bit() {
    // Online at the first step at once: followed step by step for that
    // step only, then by its interval ends, against the existing source's
    // intervals added one by one.
    let project = "capacity = 140.0\nproject = { online_year = 2026.0, delay_months = 0, ramp_years = 0, success_probability = 1.0 }";
    for steps in ["12", "4"] {
        let text = MARKET.replace("STEPS", steps);
        let as_project = text.replacen("capacity = 140.0", project, 1);
        assert_ne!(text, as_project);
        let (a, b) = (scenario(&text), scenario(&as_project));
        for (t, (x, y)) in outcomes(&a, 2_000)
            .iter()
            .zip(&outcomes(&b, 2_000))
            .enumerate()
        {
            assert!(
                same_bits(&x.unserved, &y.unserved) && same_bits(&x.price, &y.price),
                "{steps} steps a year, trial {t}"
            );
            assert!(same_bits(&x.supply, &y.supply) && same_bits(&x.cost, &y.cost));
        }
    }
}
