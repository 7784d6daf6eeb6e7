//! Criterion benchmarks of the engine: distribution sampling, one trial of
//! the realistic-size scenario, full runs (trials per second), thread
//! scaling, and scaling with the number of sources and years.
//!
//! `cargo bench --bench engine` runs them all; BENCHMARKS.md reports the
//! figures and how to reproduce them (`scripts/bench.sh`).

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};
use std::hint::black_box;
use std::path::Path;
use supplyrisk::commands::with_threads;
use supplyrisk::dist::{Dist, DistSpec};
use supplyrisk::engine::{self, plan::Plan, trial::simulate_trial, trial::Workspace};
use supplyrisk::rng::{EntityKey, Purpose, StreamRng, TrialKey};
use supplyrisk::scenario::Scenario;
use supplyrisk::summary::Summary;

/// The realistic-size benchmark scenario (shipped in benches/scenarios).
fn realistic() -> Scenario {
    Scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scenarios/realistic.toml"))
        .expect("benchmark scenario")
}

/// The same scenario on world markets, with mines and refineries.
fn realistic_market() -> Scenario {
    Scenario::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scenarios/realistic-market.toml"),
    )
    .expect("benchmark scenario")
}

/// A synthetic scenario with `sources` disrupted sources per mineral (4
/// minerals) over `years` years: for scaling curves.
pub fn synthetic(sources: usize, years: usize) -> Scenario {
    let mut text = format!("[scenario]\nname = \"scaling\"\nstart_year = 2026\nyears = {years}\n");
    for m in 0..4 {
        text += &format!("[[mineral]]\nid = \"m{m}\"\ndemand = {{ base = 100.0, sigma = 0.05 }}\n");
        for s in 0..sources {
            text += &format!(
                "[[source]]\nid = \"m{m}-s{s}\"\nmineral = \"m{m}\"\ncapacity = {:.4}\ndisruption = {{ rate = 0.25, severity = {{ dist = \"beta\", mean = 0.3, sd = 0.15 }}, duration_months = {{ dist = \"lognormal\", median = 2.0, p90 = 6.0 }} }}\n",
                110.0 / sources as f64
            );
        }
    }
    Scenario::from_toml_str(&text, "synthetic.toml").expect("synthetic scenario")
}

fn sampling(c: &mut Criterion) {
    let mut g = c.benchmark_group("sampling");
    g.throughput(Throughput::Elements(1));
    let specs = [
        (
            "beta_gamma_ratio",
            DistSpec::Beta {
                mean: 0.3,
                sd: 0.15,
            },
        ),
        ("beta_rand_distr", DistSpec::Beta { mean: 0.1, sd: 0.2 }),
        (
            "lognormal",
            DistSpec::LogNormal {
                median: 2.0,
                p90: 6.0,
            },
        ),
        (
            "triangular",
            DistSpec::Triangular {
                min: 0.0,
                mode: 6.0,
                max: 36.0,
            },
        ),
        (
            "pert",
            DistSpec::Pert {
                min: 0.1,
                mode: 0.3,
                max: 0.8,
            },
        ),
        ("uniform", DistSpec::Uniform { min: 0.3, max: 0.9 }),
        ("exponential", DistSpec::Exponential { mean: 12.0 }),
    ];
    for (name, spec) in specs {
        let d = Dist::new(spec).expect("valid");
        let mut rng = StreamRng::seed_from_u64(1);
        g.bench_function(name, |b| b.iter(|| black_box(d.sample(&mut rng))));
    }
    let mut rng = StreamRng::seed_from_u64(2);
    g.bench_function("gap_exp1", |b| {
        b.iter(|| {
            let e: f64 = Exp1.sample(&mut rng);
            black_box(e)
        })
    });
    let key = EntityKey::new("source", "chile-copper", Purpose::Disruption);
    let mut trial = 0u64;
    g.bench_function("keyed_stream_seed", |b| {
        b.iter(|| {
            trial += 1;
            black_box(TrialKey::new(7, trial).stream(key))
        })
    });
    g.finish();
}

fn one_trial(c: &mut Criterion) {
    let s = realistic();
    let plan = Plan::new(&s);
    let mut ws = Workspace::new(&plan);
    let mut trial = 0u64;
    let mut g = c.benchmark_group("trial");
    g.throughput(Throughput::Elements(1));
    g.bench_function("realistic", |b| {
        b.iter(|| {
            trial += 1;
            simulate_trial(&plan, TrialKey::new(7, trial), &mut ws);
            black_box(ws.outcome[0].unserved[0])
        })
    });
    // The same sources on world markets, with stages: the market's cost
    // per trial against the physical model's.
    let market = realistic_market();
    let market_plan = Plan::new(&market);
    let mut market_ws = Workspace::new(&market_plan);
    g.bench_function("realistic_market", |b| {
        b.iter(|| {
            trial += 1;
            simulate_trial(&market_plan, TrialKey::new(7, trial), &mut market_ws);
            black_box(market_ws.outcome[0].unserved[0])
        })
    });
    // The sampling floor inside a trial: every source's own disruption
    // process (keyed stream, gaps, severities, durations), nothing applied.
    g.bench_function("realistic_own_processes_only", |b| {
        b.iter(|| {
            trial += 1;
            let key = TrialKey::new(7, trial);
            let mut lost = 0.0;
            for sp in &plan.sources {
                if let Some(p) = &sp.own {
                    p.for_each(&mut key.stream(sp.disruption_key), |iv| {
                        lost += iv.severity * (iv.end - iv.start) as f64
                    });
                }
            }
            black_box(lost)
        })
    });
    g.finish();
}

fn full_runs(c: &mut Criterion) {
    let s = realistic();
    let mut g = c.benchmark_group("run");
    g.sample_size(10);
    for trials in [10_000u64, 100_000] {
        g.throughput(Throughput::Elements(trials));
        g.bench_with_input(
            BenchmarkId::new("simulate_and_summarise", trials),
            &trials,
            |b, &n| {
                b.iter(|| {
                    let agg = engine::simulate(&s, 7, n, None);
                    black_box(Summary::new(&s, 7, &agg))
                })
            },
        );
    }
    g.finish();
    // A million trials as `run --no-plots` simulates them: quantiles
    // sketched, no per-trial arrays kept.
    let trials = 1_000_000u64;
    let opts = engine::Options { keep_trials: false };
    let mut g = c.benchmark_group("run_sketched");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(25));
    g.throughput(Throughput::Elements(trials));
    g.bench_function(BenchmarkId::new("simulate_and_summarise", trials), |b| {
        b.iter(|| {
            let agg = engine::simulate_with(&s, 7, trials, None, opts);
            black_box(Summary::new(&s, 7, &agg))
        })
    });
    g.finish();
}

fn thread_scaling(c: &mut Criterion) {
    let s = realistic();
    let trials = 100_000u64;
    let mut g = c.benchmark_group("threads");
    g.sample_size(10);
    g.throughput(Throughput::Elements(trials));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in (0..)
        .map(|k| 1usize << k)
        .take_while(|&t| t <= cores.max(2))
    {
        g.bench_with_input(BenchmarkId::from_parameter(threads), &threads, |b, &t| {
            b.iter(|| {
                with_threads(Some(t), || {
                    black_box(engine::simulate(&s, 7, trials, None).trials)
                })
            })
        });
    }
    g.finish();
}

fn size_scaling(c: &mut Criterion) {
    let trials = 20_000u64;
    let mut g = c.benchmark_group("size");
    g.sample_size(10);
    g.throughput(Throughput::Elements(trials));
    for sources in [2usize, 7, 14, 28] {
        let s = synthetic(sources, 10);
        g.bench_with_input(
            BenchmarkId::new("sources_per_mineral", sources),
            &s,
            |b, s| {
                b.iter_batched(
                    || (),
                    |()| black_box(engine::simulate(s, 7, trials, None).trials),
                    BatchSize::SmallInput,
                )
            },
        );
    }
    for years in [5usize, 10, 20, 40] {
        let s = synthetic(7, years);
        g.bench_with_input(BenchmarkId::new("years", years), &s, |b, s| {
            b.iter(|| black_box(engine::simulate(s, 7, trials, None).trials))
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    sampling,
    one_trial,
    full_runs,
    thread_scaling,
    size_scaling
);
criterion_main!(benches);
