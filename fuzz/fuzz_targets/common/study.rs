//! What the `study` and `study_values` targets share: the base scenario
//! their `[[uncertain]]` tables are appended to, and running a study of
//! scenario text in memory with its checks.

use supplyrisk::commands::{uncertainty_text, ScenarioText, SimOptions};

/// The scenario the tables are appended to: a world market with stages, a
/// restriction, offtakes and a market stockpile; physical minerals with
/// factors of both scopes, named and inline projects, initial spells and a
/// stockpile.
pub const BASE: &str = include_str!("../../study_base.toml");

/// Trials per parameter set.
const TRIALS: u64 = 20;

/// Every number of the JSON value is finite (`null`s are allowed: an index
/// that cannot be estimated).
fn no_infinity(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => n.as_f64().is_some_and(f64::is_finite),
        serde_json::Value::Array(a) => a.iter().all(no_infinity),
        serde_json::Value::Object(o) => o.values().all(no_infinity),
        _ => true,
    }
}

/// Run the `uncertainty` study of `text` with `samples` base sets, one
/// thread, no charts, nothing written. A study refused as bad input is
/// fine; one that runs must serialise with every number finite.
pub fn run(text: String, samples: usize) {
    let input = ScenarioText {
        file: "fuzz.toml".to_string(),
        text,
    };
    let opts = SimOptions {
        trials: Some(TRIALS),
        threads: Some(1),
        no_plots: true,
        quiet: true,
        in_memory: true,
        ..SimOptions::default()
    };
    let Ok(report) = uncertainty_text(&input, samples, &opts) else {
        return;
    };
    let result = report.result.expect("a whole study has its result");
    let value = serde_json::to_value(&result).expect("the study serialises");
    assert!(
        no_infinity(&value),
        "a number of the study is not finite: {value}"
    );
    serde_json::to_vec(&result).expect("the study serialises to bytes");
}
