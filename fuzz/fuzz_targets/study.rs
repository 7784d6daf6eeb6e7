//! `[[uncertain]]` tables (any bytes) appended to a fixed scenario with
//! every kind of parameter (`fuzz/study_base.toml`: a world market with
//! stages, a restriction, offtakes and a market stockpile; physical
//! minerals with factors of both scopes, named and inline projects, initial
//! spells and a stockpile) run through the whole `uncertainty` study in
//! memory without a panic: drawing the parameter sets, checking each drawn
//! set like a file, running every set, and the Sobol indices, spreads and
//! outputs. A study that runs serialises with every number finite (an
//! index that cannot be estimated is `null`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use supplyrisk::commands::{uncertainty_text, ScenarioText, SimOptions};
use supplyrisk::scenario::Scenario;

/// Base sets: the smallest design, `N (k + 2)` runs.
const SAMPLES: usize = 2;
/// Trials per parameter set.
const TRIALS: u64 = 20;
/// Inputs above this many entity-steps per run, or with more parameters
/// than this, are skipped so that one execution stays in the milliseconds.
const MAX_WORK: usize = 50_000;
const MAX_PARAMS: usize = 8;

/// The scenario the input's tables are appended to.
const BASE: &str = include_str!("../study_base.toml");

/// Every number of the JSON value is finite (`null`s are allowed).
fn no_infinity(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => n.as_f64().is_some_and(f64::is_finite),
        serde_json::Value::Array(a) => a.iter().all(no_infinity),
        serde_json::Value::Object(o) => o.values().all(no_infinity),
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(tables) = std::str::from_utf8(data) else {
        return;
    };
    let text = &format!("{BASE}\n{tables}");
    // Screen the size first: a valid scenario's entities and parameters.
    let Ok(s) = Scenario::from_toml_str(text, "fuzz.toml") else {
        return;
    };
    let entities = s.minerals.len() + s.sources.len() + s.events.len();
    let params = text.matches("[[uncertain]]").count();
    if params == 0 || params > MAX_PARAMS || s.steps().saturating_mul(entities) > MAX_WORK {
        return;
    }
    let input = ScenarioText {
        file: "fuzz.toml".to_string(),
        text: text.to_string(),
    };
    let opts = SimOptions {
        trials: Some(TRIALS),
        threads: Some(1),
        no_plots: true,
        quiet: true,
        in_memory: true,
        ..SimOptions::default()
    };
    let Ok(report) = uncertainty_text(&input, SAMPLES, &opts) else {
        return;
    };
    let result = report.result.expect("a whole study has its result");
    let value = serde_json::to_value(&result).expect("the study serialises");
    assert!(
        no_infinity(&value),
        "a number of the study is not finite: {value}"
    );
    serde_json::to_vec(&result).expect("the study serialises to bytes");
});
