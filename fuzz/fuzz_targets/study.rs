//! `[[uncertain]]` tables (any bytes) appended to a fixed scenario with
//! every kind of parameter (`fuzz/study_base.toml`) run through the whole
//! `uncertainty` study in memory without a panic: drawing the parameter
//! sets, checking each drawn set like a file, running every set, and the
//! Sobol indices, spreads and outputs. A study that runs serialises with
//! every number finite (an index that cannot be estimated is `null`).
#![no_main]

#[path = "common/study.rs"]
mod study;

use libfuzzer_sys::fuzz_target;
use supplyrisk::scenario::Scenario;

/// Base sets: the smallest design, `N (k + 2)` runs.
const SAMPLES: usize = 2;
/// Inputs above this many entity-steps per run, or with more parameters
/// than this, are skipped so that one execution stays in the milliseconds.
const MAX_WORK: usize = 50_000;
const MAX_PARAMS: usize = 8;

fuzz_target!(|data: &[u8]| {
    let Ok(tables) = std::str::from_utf8(data) else {
        return;
    };
    let text = format!("{}\n{tables}", study::BASE);
    // Screen the size first: a valid scenario's entities and parameters.
    let Ok(s) = Scenario::from_toml_str(&text, "fuzz.toml") else {
        return;
    };
    let entities = s.minerals.len() + s.sources.len() + s.events.len();
    let params = text.matches("[[uncertain]]").count();
    if params == 0 || params > MAX_PARAMS || s.steps().saturating_mul(entities) > MAX_WORK {
        return;
    }
    study::run(text, SAMPLES);
});
