//! Turns the measurements of `scripts/bench.sh` into the tables and charts
//! of BENCHMARKS.md: whole-process trials per second against threads
//! (`docs/img/bench_threads.png`) and criterion's scaling with sources and
//! years (`docs/img/bench_size.png`), drawn with the project's own charts.
//!
//! Usage: `cargo run --release --example bench_charts -- TRIALS`.

use std::collections::BTreeMap;
use std::path::Path;
use supplyrisk::output::write_atomic;
use supplyrisk::plot::lines::{LineChart, LineSeries};
use supplyrisk::plot::{png, Chart, ChartSize};

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Median time per iteration (ns) of a criterion benchmark, if measured.
fn criterion_ns(id: &str) -> Option<f64> {
    let path = Path::new("target/criterion")
        .join(id)
        .join("new/estimates.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn line(
    title: &str,
    x_label: &str,
    x: Vec<f64>,
    integer: bool,
    series: Vec<LineSeries>,
) -> LineChart {
    let top = series
        .iter()
        .flat_map(|s| s.y.iter().copied())
        .fold(0.0, f64::max);
    LineChart {
        title: title.to_string(),
        x_label: x_label.to_string(),
        y_label: "Trials per second".to_string(),
        x,
        x_integer: integer,
        x_log: false,
        y_is_probability: false,
        err_as_band: false,
        series,
        y_range: (0.0, (top * 1.25).max(1.0)),
        note: None,
        mark_x: None,
    }
}

fn main() {
    let trials: f64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000.0);
    // Whole process: threads -> (seconds per run, peak KB).
    let text = std::fs::read_to_string("target/bench/whole_process.csv")
        .expect("run scripts/bench.sh first");
    let mut by_threads: BTreeMap<u32, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for row in text.lines().skip(1) {
        let f: Vec<&str> = row.split(',').collect();
        if let [t, _, s, kb] = f[..] {
            let e = by_threads.entry(t.parse().unwrap_or(1)).or_default();
            e.0.push(s.parse().unwrap_or(f64::NAN));
            e.1.push(kb.parse().unwrap_or(0.0));
        }
    }
    println!("| threads | median s | min–max s | trials/s (median) | speed-up | peak memory |");
    println!("|---:|---:|---:|---:|---:|---:|");
    let mut xs = Vec::new();
    let mut rates = Vec::new();
    let mut base = None;
    for (t, (secs, kb)) in &mut by_threads {
        let (lo, hi) = (
            secs.iter().copied().fold(f64::INFINITY, f64::min),
            secs.iter().copied().fold(0.0, f64::max),
        );
        let med = median(secs);
        let rate = trials / med;
        let base_rate = *base.get_or_insert(rate);
        let peak = kb.iter().copied().fold(0.0, f64::max) / 1024.0;
        println!(
            "| {t} | {med:.2} | {lo:.2}–{hi:.2} | {rate:.0} | {:.2}x | {peak:.0} MiB |",
            rate / base_rate
        );
        xs.push(f64::from(*t));
        rates.push(rate);
    }
    let ideal: Vec<f64> = xs.iter().map(|t| rates[0] * t).collect();
    let target = vec![500_000.0; xs.len()];
    let threads_chart = line(
        "supplyrisk run, realistic scenario, 1,000,000 trials: throughput by threads",
        "Threads",
        xs,
        true,
        vec![
            LineSeries {
                label: "measured (whole process, median of runs)".into(),
                y: rates,
                err: None,
            },
            LineSeries {
                label: "perfect scaling from 1 thread".into(),
                y: ideal,
                err: None,
            },
            LineSeries {
                label: "goal: 500,000 trials/s".into(),
                y: target,
                err: None,
            },
        ],
    );
    // Criterion: scaling with sources per mineral and with years.
    let size_series = |group: &str, params: &[usize]| -> (Vec<f64>, Vec<f64>) {
        params
            .iter()
            .filter_map(|p| {
                criterion_ns(&format!("size/{group}/{p}"))
                    .map(|ns| (*p as f64, 20_000.0 / (ns * 1e-9)))
            })
            .unzip()
    };
    let (sx, sy) = size_series("sources_per_mineral", &[2, 7, 14, 28]);
    let (yx, yy) = size_series("years", &[5, 10, 20, 40]);
    println!("\n| sources per mineral (4 minerals, 10 years) | trials/s |\n|---:|---:|");
    for (x, y) in sx.iter().zip(&sy) {
        println!("| {x} | {y:.0} |");
    }
    println!("\n| years (4 x 7 sources) | trials/s |\n|---:|---:|");
    for (x, y) in yx.iter().zip(&yy) {
        println!("| {x} | {y:.0} |");
    }
    let size_charts = vec![
        Chart::Lines(line(
            "Throughput against sources per mineral (4 minerals, 10 years, all threads)",
            "Disrupted sources per mineral",
            sx,
            false,
            vec![LineSeries {
                label: "criterion median".into(),
                y: sy,
                err: None,
            }],
        )),
        Chart::Lines(line(
            "Throughput against horizon length (4 x 7 sources, all threads)",
            "Years (monthly steps)",
            yx,
            false,
            vec![LineSeries {
                label: "criterion median".into(),
                y: yy,
                err: None,
            }],
        )),
    ];
    let size = ChartSize::default();
    write_atomic(
        Path::new("docs/img/bench_threads.png"),
        &png(&[Chart::Lines(threads_chart)], size, "").expect("chart"),
    )
    .expect("write");
    write_atomic(
        Path::new("docs/img/bench_size.png"),
        &png(&size_charts, size, "").expect("chart"),
    )
    .expect("write");
    for id in [
        "sampling/beta_gamma_ratio",
        "sampling/beta_rand_distr",
        "sampling/lognormal",
        "sampling/gap_exp1",
        "sampling/keyed_stream_seed",
        "trial/realistic",
    ] {
        if let Some(ns) = criterion_ns(id) {
            println!("{id}: {ns:.1} ns");
        }
    }
}
