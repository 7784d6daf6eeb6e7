//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use supplyrisk::engine;
use supplyrisk::engine::plan::Plan;
use supplyrisk::engine::trial::{simulate_trial, Workspace};
use supplyrisk::rng::TrialKey;
use supplyrisk::scenario::Scenario;
use supplyrisk::summary::{MineralSummary, Summary};

/// Path of the built binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_supplyrisk"))
}

/// Run the binary with `args` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("binary runs")
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Parse a scenario held in a string.
pub fn scenario(text: &str) -> Scenario {
    Scenario::from_toml_str(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// Run trials `0 .. n` of `s` with `seed`, handing each trial's workspace
/// to `f`.
pub fn each_trial(s: &Scenario, seed: u64, n: u64, mut f: impl FnMut(&Workspace)) {
    let plan = Plan::new(s);
    let mut ws = Workspace::new(&plan);
    for t in 0..n {
        simulate_trial(&plan, TrialKey::new(seed, t), &mut ws);
        f(&ws);
    }
}

/// Simulate and summarise.
pub fn summarise(s: &Scenario, seed: u64, trials: u64) -> Summary {
    let agg = engine::simulate(s, seed, trials, None);
    Summary::new(s, seed, &agg)
}

/// The summary of one mineral.
pub fn mineral<'a>(s: &'a Summary, id: &str) -> &'a MineralSummary {
    s.minerals.get(id).expect("mineral present")
}

/// Assert `|estimate - exact| <= z * se`, with a message.
#[track_caller]
pub fn assert_within(what: &str, estimate: f64, exact: f64, se: f64, z: f64) {
    assert!(
        (estimate - exact).abs() <= z * se,
        "{what}: estimate {estimate} vs exact {exact}, |diff| = {} > {z} x se {se}",
        (estimate - exact).abs()
    );
}

/// The example scenario shipped in `scenarios/`.
pub fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml")
}

/// A small scenario with every feature, used by many tests.
pub const FULL: &str = r#"
[scenario]
name = "full"
start_year = 2026
years = 4
steps_per_year = 12

[[mineral]]
id = "cu"
unit = "kt"
demand = { base = 100.0, growth = 0.03, sigma = 0.05 }

[[mineral]]
id = "co"
unit = "kt"
demand = { base = 10.0, growth = 0.05 }
shortfall_threshold = 0.1

[[source]]
id = "cu-cl"
mineral = "cu"
country = "CL"
capacity = 70.0
access = 0.9
disruption = { rate = 0.4, severity = { dist = "beta", mean = 0.3, sd = 0.15 }, duration_months = { dist = "lognormal", median = 2.0, p90 = 6.0 } }

[[source]]
id = "cu-pe"
mineral = "cu"
country = "PE"
capacity = 40.0
disruption = { rate = 0.6, severity = { dist = "triangular", min = 0.1, mode = 0.3, max = 0.8 }, duration_months = { dist = "uniform", min = 1, max = 4 } }

[[source]]
id = "cu-pk"
mineral = "cu"
country = "PK"
capacity = 20.0
access = 0.5
project = { online_year = 2027.5, delay_months = { dist = "triangular", min = 0, mode = 6, max = 18 }, ramp_years = 1.0, success_probability = 0.8 }
disruption = { rate = 0.3, severity = 0.5, duration_months = 3 }

[[source]]
id = "co-cd"
mineral = "co"
country = "CD"
capacity = 9.0
disruption = { rate = 0.3, severity = { dist = "pert", min = 0.2, mode = 0.5, max = 1.0 }, duration_months = { dist = "exponential", mean = 4 } }

[[source]]
id = "co-au"
mineral = "co"
country = "AU"
capacity = 3.0

[[event]]
id = "cn-controls"
rate = 0.25
severity = { dist = "uniform", min = 0.3, max = 0.9 }
duration_months = { dist = "pert", min = 2, mode = 6, max = 12 }
affects = [ { source = "co-cd", exposure = 1.0 }, { source = "cu-pe", exposure = 0.5 } ]

[[stockpile]]
mineral = "co"
initial = 1.0
capacity = 2.0
max_release_per_year = 3.0
refill_per_year = 1.0
"#;

/// A small scenario with every kind of dependence: demands loading on a
/// year-scope factor, two projects loading on a trial-scope factor, a
/// named project shared by two minerals' sources, a project that requires
/// it, and disruptions in progress at the start.
pub const DEPENDENCE: &str = r#"
[scenario]
name = "dependence"
start_year = 2026
years = 4
steps_per_year = 12

[[factor]]
id = "ev-boom"
scope = "year"

[[factor]]
id = "capex"
scope = "trial"

[[mineral]]
id = "ni"
unit = "kt"
demand = { base = 100.0, growth = 0.05, sigma = 0.15, factor = "ev-boom", loading = 0.8 }

[[mineral]]
id = "co"
unit = "kt"
demand = { base = 10.0, sigma = 0.1, factor = "ev-boom", loading = -0.5 }
shortfall_threshold = 0.1

[[project]]
id = "goongarrie"
online_year = 2027.0
delay_months = { dist = "uniform", min = 0, max = 18 }
ramp_years = 1.0
success_probability = 0.6
factor = "capex"
loading = 0.9

[[project]]
id = "goongarrie-2"
online_year = 2026.5
ramp_years = 0.5
success_probability = 0.7
requires = "goongarrie"

[[source]]
id = "ni-existing"
mineral = "ni"
capacity = 105.0
disruption = { rate = 0.5, severity = { dist = "uniform", min = 0.2, max = 0.6 }, duration_months = 3, initial = { severity = 0.3, months = 2 } }

[[source]]
id = "ni-goongarrie"
mineral = "ni"
capacity = 30.0
project = "goongarrie"

[[source]]
id = "co-goongarrie"
mineral = "co"
capacity = 3.0
project = "goongarrie"

[[source]]
id = "ni-phase-2"
mineral = "ni"
capacity = 20.0
project = "goongarrie-2"

[[source]]
id = "ni-other"
mineral = "ni"
capacity = 25.0
project = { online_year = 2027.5, success_probability = 0.5, factor = "capex", loading = 0.9 }

[[source]]
id = "co-existing"
mineral = "co"
capacity = 10.5
disruption = { rate = 0.3, severity = 0.5, duration_months = 4 }

[[event]]
id = "export-quota"
rate = 0.2
severity = 0.6
duration_months = 6
initial = { severity = { dist = "uniform", min = 0.1, max = 0.5 }, months = 5 }
affects = [ { source = "co-existing" }, { source = "ni-existing", exposure = 0.1 } ]

[[stockpile]]
mineral = "co"
initial = 1.0
capacity = 2.0
max_release_per_year = 2.0
refill_per_year = 0.5
"#;

/// A supply or price fan's axis holds every band, line, demand range and
/// level it draws, and is zoomed (said so on the axis, never below 0)
/// exactly when the data leave the lower 45% of an axis from 0 empty: for
/// one run without demand's range, when the lowest band edge or line is
/// at least 0.45 times the highest.
pub fn check_fan_axis(fan: &supplyrisk::plot::fan::FanChart) {
    let values: Vec<f64> = fan
        .fans
        .iter()
        .flat_map(|f| f.p5.iter().chain(&f.p50).chain(&f.p95).chain(&f.demand))
        .chain(fan.levels.iter().map(|l| &l.y))
        .copied()
        .collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (bottom, top) = fan.y_range;
    assert!(
        bottom <= lo && top >= hi,
        "{:?} against {lo}..{hi}",
        fan.y_range
    );
    for &(a, b) in &fan.demand_band {
        assert!(
            bottom <= a && b <= top,
            "demand range {a}..{b} outside {:?}",
            fan.y_range
        );
    }
    if fan.log_scale {
        // A log axis: above 0, and its label says so.
        assert!(bottom > 0.0 && fan.y_label.ends_with("(log scale)"));
        return;
    }
    let zoomed = bottom > 0.0;
    assert_eq!(
        zoomed,
        fan.y_label.ends_with("(axis not from 0)"),
        "{}",
        fan.y_label
    );
    // (Demand's range may take a zoomed axis back to 0.)
    if fan.fans.len() == 1 && fan.demand_band.is_empty() {
        assert_eq!(
            zoomed,
            lo >= 0.45 * hi,
            "{:?} against {lo}..{hi}",
            fan.y_range
        );
    }
}

/// The rows of a CSV file as maps from column name to cell.
pub fn csv_rows(path: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    csv_table(path).1
}

/// The header of a CSV file, and its rows as maps from column name to
/// cell.
pub fn csv_table(
    path: &std::path::Path,
) -> (Vec<String>, Vec<std::collections::HashMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}
