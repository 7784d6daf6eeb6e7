//! Results are fixed by the scenario and seed: identical bytes for any
//! number of threads, for repeated runs, and for any split of the trials
//! into slices that are merged afterwards; another seed gives others.

use crate::util::{scenario, FULL};
use supplyrisk::engine::{self, record, slice_chunks, tree, Options, Record};
use supplyrisk::output::json_bytes;
use supplyrisk::scenario::Scenario;
use supplyrisk::summary::Summary;

/// Run `f` on exactly `threads` threads, even more than there are cores
/// (which `commands::with_threads` would not allow).
fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn summary_bytes(threads: usize, seed: u64, trials: u64) -> Vec<u8> {
    let s = scenario(FULL);
    // 5,000 trials span several 1,024-trial chunks, the last one partial.
    let agg = on_threads(threads, || engine::simulate(&s, seed, trials, None));
    json_bytes(&Summary::new(&s, seed, &agg))
}

#[test]
fn one_two_and_four_threads_give_identical_summary_bytes() {
    let one = summary_bytes(1, 5, 5_000);
    assert_eq!(one, summary_bytes(2, 5, 5_000));
    assert_eq!(one, summary_bytes(4, 5, 5_000));
}

#[test]
fn sketched_runs_are_identical_on_any_number_of_threads() {
    // Threads push their batches into one shared set of sketches, in an
    // order that depends on timing: eight threads contend for them.
    let trials = engine::EXACT_TRIALS + 40_000;
    let one = summary_bytes(1, 8, trials);
    assert_eq!(one, summary_bytes(3, 8, trials));
    assert_eq!(one, summary_bytes(8, 8, trials));
}

#[test]
fn repeated_runs_are_identical_and_another_seed_differs() {
    let a = summary_bytes(2, 5, 3_000);
    assert_eq!(a, summary_bytes(2, 5, 3_000));
    assert_ne!(a, summary_bytes(2, 6, 3_000));
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

const NO_TRIALS: Options = Options { keep_trials: false };

/// The summary bytes of a run of `trials` split into the slices with
/// chunk bounds `bounds`, each run on `threads` threads, merged in reverse
/// order (through their serialised form, as shards are).
fn merged_bytes(s: &Scenario, trials: u64, bounds: &[u64], threads: usize) -> Vec<u8> {
    let mut records: Vec<Record> = bounds
        .windows(2)
        .map(|w| {
            let r = on_threads(threads, || {
                record(s, 4, trials, w[0]..w[1], None, NO_TRIALS)
            });
            r.check(s, 4).unwrap();
            let bytes = postcard::to_stdvec(&r).unwrap();
            postcard::from_bytes(&bytes).unwrap()
        })
        .collect();
    records.reverse();
    let agg = Record::merge(records).unwrap().finish().unwrap();
    json_bytes(&Summary::new(s, 4, &agg))
}

/// Several splits of a run: halves, uneven thirds, one slice per chunk,
/// and the `n`-way slices of `--shard K/n` for n = 1, 2, 3, 7 and for
/// three more shards than chunks (three of them empty).
fn splits(trials: u64) -> Vec<Vec<u64>> {
    let chunks = engine::chunk_count(trials);
    let mut out = vec![
        vec![0, chunks / 2, chunks],
        vec![0, 1, chunks - 1, chunks],
        (0..=chunks).collect(),
    ];
    for n in [1, 2, 3, 7, chunks + 3] {
        let mut b: Vec<u64> = (1..=n).map(|k| slice_chunks(trials, k, n).start).collect();
        b.push(chunks);
        out.push(b);
    }
    out
}

#[test]
fn any_split_into_slices_merges_to_the_bytes_of_the_whole_run() {
    let s = scenario(FULL);
    // Exact quantiles (every value kept), then sketched ones.
    for trials in [9_000, engine::EXACT_TRIALS + 2_500] {
        assert_eq!(engine::keeps_values(trials), trials == 9_000);
        let whole = json_bytes(&Summary::new(
            &s,
            4,
            &engine::simulate_with(&s, 4, trials, None, NO_TRIALS),
        ));
        let many = trials < 20_000;
        for (i, bounds) in splits(trials).iter().enumerate() {
            if !many && bounds.len() > 12 {
                continue; // one slice per chunk: 131 slices, slow in debug builds
            }
            let threads = 1 + i % 3;
            assert_eq!(
                merged_bytes(&s, trials, bounds, threads),
                whole,
                "{trials} trials split at {bounds:?}"
            );
        }
    }
}

#[test]
fn chunk_tallies_are_merged_along_the_tree_not_in_another_order() {
    // Each chunk run alone; merged in the tree's order they give the
    // engine's bits, merged one after another (a left fold) they do not:
    // the order is part of the result, and the engine keeps it.
    let s = scenario(FULL);
    let trials = 7_000;
    let chunks = engine::chunk_count(trials);
    let tally_of = |c: u64| {
        let r = record(&s, 4, trials, c..c + 1, None, NO_TRIALS);
        assert_eq!(r.nodes.len(), 1);
        r.nodes[0].1.clone()
    };
    let merge = |mut a: Vec<engine::MineralTally>, b: Vec<engine::MineralTally>| {
        a.iter_mut().zip(&b).for_each(|(x, y)| x.merge(y));
        a
    };
    let whole = engine::simulate_with(&s, 4, trials, None, NO_TRIALS);
    let engine_tally: Vec<_> = whole.minerals.iter().map(|m| m.tally.clone()).collect();
    let tree_order = tree::fold(tree::Node::root(chunks), chunks, &tally_of, &merge);
    assert_eq!(tree_order, engine_tally);
    let left_fold = (1..chunks).map(tally_of).fold(tally_of(0), merge);
    assert_ne!(
        left_fold, engine_tally,
        "a left fold happened to give the tree's bits: the test cannot tell orders apart"
    );
}

#[test]
fn sketched_totals_quantiles_are_within_a_fine_bucket_of_the_exact_ones() {
    // A sketched run that also keeps every trial's total: the sketch's
    // quantiles and CVaR against those of the kept totals.
    let s = scenario(FULL);
    let trials = engine::EXACT_TRIALS + 1_000;
    let agg = engine::simulate(&s, 2, trials, None);
    let sum = Summary::new(&s, 2, &agg);
    let bound = 2f64.powi(-(supplyrisk::sketch::FINE_BITS as i32));
    for (m, (id, ms)) in sum.minerals.0.iter().enumerate() {
        let totals = &agg.minerals[m].totals;
        assert_eq!(totals.len() as u64, trials);
        for (q, est) in [
            (0.5, ms.unserved_p50),
            (0.9, ms.unserved_p90),
            (0.95, ms.unserved_p95),
            (0.99, ms.unserved_p99),
        ] {
            let exact = supplyrisk::stats::quantile(totals, q);
            assert!(
                (est - exact).abs() <= bound * exact,
                "{id} q{q}: exact {exact} vs sketch {est}"
            );
        }
        let exact = supplyrisk::stats::cvar_upper(totals, 20);
        assert!((ms.cvar95 - exact).abs() <= bound * exact, "{id} cvar95");
    }
}
