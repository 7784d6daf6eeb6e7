//! Results are fixed by the scenario and seed: identical bytes for any
//! number of threads and for repeated runs; another seed gives others.

use crate::util::{scenario, FULL};
use supplyrisk::engine;
use supplyrisk::output::json_bytes;
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
        json_bytes(&Summary::new(&s, 9, &whole)),
        json_bytes(&Summary::new(&s, 9, &parts))
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

/// A run of `range` that streams its quantiles or keeps every value
/// (and, streamed, keeps every trial's total or not).
fn streamed_or_kept(
    threads: usize,
    range: std::ops::Range<u64>,
    stream: bool,
    keep_exact: bool,
) -> engine::Aggregate {
    let s = scenario(FULL);
    let opts = engine::Options {
        stream_quantiles: stream,
        keep_trials: false,
        keep_exact,
        ..engine::Options::default()
    };
    on_threads(threads, || engine::simulate_with(&s, 11, range, None, opts))
}

#[test]
fn streamed_quantiles_equal_those_of_every_value_kept() {
    // Just above the streaming threshold, starting and ending mid-chunk.
    let range = 500..engine::STREAM_TRIALS + 1_700;
    let s = scenario(FULL);
    let streamed = streamed_or_kept(1, range.clone(), true, false);
    let kept = streamed_or_kept(2, range.clone(), false, false);
    let n = (range.end - range.start) as usize;
    for (a, b) in streamed.minerals.iter().zip(&kept.minerals) {
        // Streamed: quantiles and CVaR found while running, no per-trial
        // supply or totals.
        assert!(a.supply.iter().all(Vec::is_empty));
        assert!(a.totals.is_empty() && a.years_short.is_empty());
        assert_eq!(a.supply_quantiles.len(), s.years);
        assert_eq!(a.totals_quantiles.len(), 4);
        assert!(a.totals_cvar.is_some());
        // Kept: every value, nothing streamed.
        assert!(b.supply_quantiles.is_empty() && b.totals_cvar.is_none());
        assert!(b.supply[0].len() == n && b.totals.len() == n);
    }
    let bytes = |agg: &engine::Aggregate| json_bytes(&Summary::new(&s, 11, agg));
    assert_eq!(bytes(&streamed), bytes(&kept));
    // Any thread count; totals kept for charts or not.
    let charted = streamed_or_kept(2, range, true, true);
    assert_eq!(bytes(&streamed), bytes(&charted));
    for (a, b) in charted.minerals.iter().zip(&kept.minerals) {
        assert_eq!(a.totals, b.totals);
        assert_eq!(a.years_short, b.years_short);
        assert!(a.totals_cvar.is_some());
    }
}

/// A run forced to use sketches (as runs above the exact-quantile limit do).
fn sketched(threads: usize, trials: u64) -> (Vec<u8>, Summary) {
    let s = scenario(FULL);
    let opts = engine::Options {
        keep_trials: false,
        exact_trials: 1_000,
        ..engine::Options::default()
    };
    let agg = on_threads(threads, || {
        engine::simulate_with(&s, 5, 0..trials, None, opts)
    });
    assert!(agg.minerals[0].totals.is_empty() && agg.minerals[0].supply[0].is_empty());
    let sum = Summary::new(&s, 5, &agg);
    (json_bytes(&sum), sum)
}

#[test]
fn sketched_runs_are_identical_for_any_thread_count_and_close_to_exact() {
    let (one, sk) = sketched(1, 30_000);
    assert_eq!(one, sketched(2, 30_000).0);
    assert_eq!(one, sketched(4, 30_000).0);
    let full = engine::simulate(&scenario(FULL), 5, 30_000, None);
    let exact = Summary::new(&scenario(FULL), 5, &full);
    // The order statistic of rank floor((n - 1) q), which the sketch estimates.
    let order_stat = |values: &[f64], q: f64| {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * q).floor() as usize]
    };
    let within = |x: f64, y: f64| (x - y).abs() <= 0.0039 * x.abs() + 1e-12;
    for (m, ((id, a), (_, b))) in exact.minerals.0.iter().zip(&sk.minerals.0).enumerate() {
        // Means and probabilities do not depend on the sketch at all.
        assert_eq!(
            (a.eud_total, a.p_any_shortfall, a.eud_total_se),
            (b.eud_total, b.p_any_shortfall, b.eud_total_se),
            "{id}"
        );
        let totals = &full.minerals[m].totals;
        for (q, est) in [
            (0.5, b.unserved_p50),
            (0.9, b.unserved_p90),
            (0.95, b.unserved_p95),
            (0.99, b.unserved_p99),
        ] {
            let x = order_stat(totals, q);
            assert!(
                within(x, est),
                "{id} q{q}: order statistic {x} vs sketch {est}"
            );
        }
        // cvar95: each value is estimated within 0.39%, so is their mean.
        assert!(
            within(a.cvar95, b.cvar95),
            "{id}: cvar95 {} vs {}",
            a.cvar95,
            b.cvar95
        );
        for (y, yb) in b.years.iter().enumerate() {
            let supply = &full.minerals[m].supply[y];
            for (q, est) in [
                (0.05, yb.supply_p5),
                (0.5, yb.supply_p50),
                (0.95, yb.supply_p95),
            ] {
                let x = order_stat(supply, q);
                assert!(
                    within(x, est),
                    "{id} {}: supply q{q} {x} vs sketch {est}",
                    yb.year
                );
            }
        }
    }
}
