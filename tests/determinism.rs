//! Results are fixed by the scenario and seed: identical bytes for any
//! number of threads and for repeated runs; another seed gives others.

use crate::util::{scenario, FULL};
use supplyrisk::commands::with_threads;
use supplyrisk::engine;
use supplyrisk::output::summary_json;
use supplyrisk::summary::Summary;

fn summary_bytes(threads: usize, seed: u64, trials: u64) -> Vec<u8> {
    let s = scenario(FULL);
    // 5,000 trials span several 1,024-trial chunks, the last one partial.
    let agg = with_threads(Some(threads), || engine::simulate(&s, seed, trials, None)).unwrap();
    summary_json(&Summary::new(&s, seed, &agg))
}

#[test]
fn one_two_and_four_threads_give_identical_summary_bytes() {
    let one = summary_bytes(1, 5, 5_000);
    assert_eq!(one, summary_bytes(2, 5, 5_000));
    assert_eq!(one, summary_bytes(4, 5, 5_000));
}

#[test]
fn repeated_runs_are_identical_and_another_seed_differs() {
    let a = summary_bytes(2, 5, 3_000);
    assert_eq!(a, summary_bytes(2, 5, 3_000));
    assert_ne!(a, summary_bytes(2, 6, 3_000));
}

#[test]
fn a_run_is_the_concatenation_of_its_trial_ranges() {
    // Trials 0..3000 equal trials 0..2048 followed by 2048..3000.
    let s = scenario(FULL);
    let whole = engine::simulate(&s, 9, 3_000, None);
    let mut parts = engine::simulate_range(&s, 9, 0..2_048, None);
    parts.append(engine::simulate_range(&s, 9, 2_048..3_000, None));
    assert_eq!(whole.minerals[0].totals, parts.minerals[0].totals);
    assert_eq!(whole.minerals[1].supply, parts.minerals[1].supply);
    assert_eq!(
        summary_json(&Summary::new(&s, 9, &whole)),
        summary_json(&Summary::new(&s, 9, &parts))
    );
}

#[test]
fn year_grids_are_minerals_by_years() {
    let s = scenario(FULL);
    let sum = Summary::new(&s, 3, &engine::simulate(&s, 3, 500, None));
    let g = sum.grid(|y| y.eud);
    assert_eq!(g.dim(), (2, 4));
    assert_eq!(g[[1, 2]], sum.minerals.0[1].1.years[2].eud);
    assert_eq!(sum.calendar_years(), vec![2026, 2027, 2028, 2029]);
}
