//! Value stability: the `summary.json` of a few small runs is pinned, so
//! that any change of random draws, of the order of floating-point merges
//! or of a formula is deliberate and visible. After such a change, run
//! `SUPPLYRISK_BLESS=1 cargo test value_stability` to rewrite the pinned
//! files, and say why in the commit.

use crate::util::{example_path, scenario, FULL};
use std::path::PathBuf;
use supplyrisk::engine;
use supplyrisk::output::json_bytes;
use supplyrisk::scenario::Scenario;
use supplyrisk::summary::Summary;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// The summary bytes of `s` at `trials` and `seed` equal the pinned file.
fn pinned(name: &str, s: &Scenario, seed: u64, trials: u64) {
    let bytes = json_bytes(&Summary::new(
        s,
        seed,
        &engine::simulate(s, seed, trials, None),
    ));
    let path = golden(name);
    if std::env::var_os("SUPPLYRISK_BLESS").is_some() {
        std::fs::write(&path, &bytes).unwrap();
    }
    let want = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes == want,
        "{name}: the results changed (if deliberately, rerun with SUPPLYRISK_BLESS=1):\n{}",
        String::from_utf8_lossy(&bytes)
    );
}

#[test]
fn value_stability_of_a_small_run_with_every_feature() {
    pinned("full-2000-seed1.json", &scenario(FULL), 1, 2_000);
}

#[test]
fn value_stability_of_the_example_scenario() {
    let s = Scenario::load(&example_path()).unwrap();
    pinned("example-3000-seed5.json", &s, 5, 3_000);
}

#[test]
fn value_stability_of_a_sketched_run() {
    // Above the exact-quantile limit: the sketch's quantiles are pinned too.
    pinned(
        "full-sketched-seed2.json",
        &scenario(FULL),
        2,
        engine::EXACT_TRIALS + 1,
    );
}
