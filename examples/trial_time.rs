//! One-thread time per trial of a scenario, for comparing builds of the
//! engine quickly: `cargo run --release --example trial_time -- FILE [TRIALS]`
//! prints the best of seven passes over `TRIALS` trials (default 200,000)
//! in ns per trial. Run two builds alternately (the machine drifts); see
//! BENCHMARKS.md.

use std::time::Instant;
use supplyrisk::engine::{plan::Plan, trial::simulate_trial, trial::Workspace};
use supplyrisk::rng::TrialKey;
use supplyrisk::scenario::Scenario;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: trial_time FILE [TRIALS]");
        std::process::exit(2);
    };
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let scenario = match Scenario::load(std::path::Path::new(path)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let plan = Plan::new(&scenario);
    let mut ws = Workspace::new(&plan);
    let mut best = f64::INFINITY;
    for pass in 0..7 {
        let start = Instant::now();
        let mut sink = 0.0;
        for i in 0..n {
            simulate_trial(&plan, TrialKey::new(7, pass * n + i), &mut ws);
            sink += ws.outcome[0].unserved[0];
        }
        std::hint::black_box(sink);
        best = best.min(start.elapsed().as_secs_f64() / n as f64 * 1e9);
    }
    println!("{path}: {best:.1} ns per trial (best of 7 passes of {n})");
}
