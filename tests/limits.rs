//! The limits of docs/limits.md: a scenario at every bound runs to the
//! end with finite results and charts; input files, thread counts and
//! output folders that could hang the program or write in the wrong place
//! are refused or tamed.

use crate::util::{bin, run_in, stderr};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use supplyrisk::commands::{default_out_dir, max_threads, with_threads};
use supplyrisk::dist::Z90;
use supplyrisk::scenario::Scenario;

/// Run the binary with `args` in `dir`, killing it after `limit`.
fn run_within(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    // Drain both pipes while waiting, so a chatty child never blocks.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).unwrap();
            bytes
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("supplyrisk {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// A scenario with every number at (or a hair inside) its bound: amounts
/// of 1e15, a growth that takes demand to 1e15 in the last of 1000 years
/// of 366 steps, sigma 10, the largest finite rates, durations and delays
/// of infinite mean, the narrowest beta, the longest ids, name and unit,
/// projects 10^300 years before and after the start, a world market at
/// its largest reference price and price multiples.
fn at_the_bounds() -> String {
    let years = 1000;
    let growth = (1e3f64.powf(1.0 / (years - 1) as f64) - 1.0) * (1.0 - 1e-9);
    let sigma: f64 = 35.0;
    let median = 1e-20;
    let p90 = median * (sigma * Z90).exp();
    let rate = f64::MAX;
    let mineral = format!("{}A", "m".repeat(63));
    let source = "s".repeat(64);
    format!(
        r#"[scenario]
name = "{name}"
description = """{description}
and a second line"""
start_year = 10000
years = {years}
steps_per_year = 366
trials = 1000000000
seed = 9223372036854775807

[[mineral]]
id = "{mineral}"
unit = "{unit}"
demand = {{ base = 1e12, growth = {growth:?}, sigma = 10 }}
shortfall_threshold = 0.999999

[[mineral]]
id = "tiny"
demand = {{ base = 1e-300, growth = -0.999999, sigma = 10 }}
shortfall_threshold = 0

[[mineral]]
id = "world"
demand = {{ base = 1e15, sigma = 10 }}
market = {{ rest_of_world_demand = {{ base = 1e12, growth = {growth:?}, sigma = 10 }}, reference_price = 1e15, demand_elasticity = -1e-9, max_price = 1e12, min_price = 1e-300, spike_threshold = 999999999999.9999 }}

[[source]]
id = "{source}"
mineral = "{mineral}"
country = "{country}"
capacity = 1e15
disruption = {{ rate = {rate:?}, severity = {{ dist = "beta", mean = 0.5, sd = 1e-6 }}, duration_months = {{ dist = "lognormal", median = {median:?}, p90 = {p90:?} }}, initial = {{ severity = 1, months = 1e300 }} }}

[[source]]
id = "late"
mineral = "{mineral}"
capacity = 1e15
access = 1e-300
project = {{ online_year = 1e300, delay_months = {{ dist = "pert", min = 0, mode = 0, max = 1e300 }}, ramp_years = 1e300, success_probability = 1e-300 }}
disruption = {{ rate = {rate:?}, severity = 1, duration_months = {{ dist = "exponential", mean = 1e300 }} }}

[[source]]
id = "early"
mineral = "{mineral}"
capacity = 1e15
project = {{ online_year = -1e300, delay_months = {{ dist = "uniform", min = 0, max = 1e300 }}, ramp_years = 1e-300 }}

[[source]]
id = "none"
mineral = "tiny"
capacity = 0

[[source]]
id = "mine"
mineral = "world"
stage = "mine"
capacity = 1e15
disruption = {{ rate = 1e300, severity = 1, duration_months = 1e300 }}

[[source]]
id = "refinery"
mineral = "world"
stage = "refinery"
capacity = 1e15
offtake = 1

[[event]]
id = "{event}"
rate = {rate:?}
severity = {{ dist = "triangular", min = 0, mode = 1, max = 1 }}
duration_months = 1e300
affects = [ {{ source = "{source}", exposure = 1 }}, {{ source = "late" }} ]

[[stockpile]]
mineral = "{mineral}"
initial = 1e15
capacity = 1e15
max_release_per_year = 1e15
refill_per_year = 1e15

[[stockpile]]
mineral = "world"
initial = 1e15
max_release_per_year = 1e15
refill_per_year = 1e15
release_price = 999999999999.9999
refill_price = 1e-300
"#,
        name = "N".repeat(200),
        description = "d".repeat(9_000),
        unit = "u".repeat(40),
        country = "C".repeat(32),
        event = "e".repeat(64),
    )
}

/// The same at the lower calendar bounds: the earliest start, one year of
/// one step, a project 10^300 years before it.
fn at_the_early_bounds() -> String {
    r#"[scenario]
name = ""
start_year = -10000
years = 1
steps_per_year = 1

[[mineral]]
id = "a"
demand = { base = 1e15, growth = 1e300, sigma = 10 }

[[source]]
id = "b"
mineral = "a"
capacity = 1e15
project = { online_year = -1e300, delay_months = 1e300, ramp_years = 1.7976931348623157e308 }
disruption = { rate = 1.7976931348623157e308, severity = 1, duration_months = 1e300, initial = { severity = 0.5, months = 1.7976931348623157e308 } }
"#
    .to_string()
}

#[test]
fn the_extreme_scenarios_are_valid_and_their_demand_stays_finite() {
    for text in [at_the_bounds(), at_the_early_bounds()] {
        let s = Scenario::from_toml_str(&text, "bounds.toml").unwrap_or_else(|e| panic!("{e}"));
        for m in &s.minerals {
            let trends: Vec<f64> = (0..s.years).map(|y| m.demand.trend(y)).collect();
            assert!(trends.iter().all(|d| d.is_finite() && *d <= 1e15));
            assert!(trends.iter().sum::<f64>() <= 1e18);
        }
    }
}

/// Every number in a JSON value is finite: serde_json writes NaN and
/// infinities as `null`, and the summary has no other nulls.
fn assert_no_null(v: &serde_json::Value, path: &str) {
    match v {
        serde_json::Value::Null => panic!("{path} is null"),
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                assert_no_null(x, &format!("{path}[{i}]"));
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                assert_no_null(x, &format!("{path}.{k}"));
            }
        }
        _ => {}
    }
}

#[test]
fn a_scenario_at_every_bound_runs_to_finite_results_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    for (file, text) in [
        ("bounds.toml", at_the_bounds()),
        ("early.toml", at_the_early_bounds()),
    ] {
        std::fs::write(dir.path().join(file), text).unwrap();
        let limit = Duration::from_secs(300);
        let o = run_within(
            dir.path(),
            &[
                "run",
                file,
                "--trials",
                "50",
                "--no-plots",
                "--out",
                "plain",
            ],
            limit,
        );
        assert_eq!(o.status.code(), Some(0), "{file}: {}", stderr(&o));
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("plain/summary.json")).unwrap())
                .unwrap();
        assert_no_null(&summary, file);
        assert_eq!(summary["trials"], 50);
        let csv = std::fs::read_to_string(dir.path().join("plain/years.csv")).unwrap();
        for line in csv.lines().skip(1) {
            // Empty cells: a stockpile's columns in the rows of a mineral
            // without one.
            for field in line.split(',').skip(2).filter(|f| !f.is_empty()) {
                let x: f64 = field.parse().unwrap_or_else(|_| panic!("{file}: {line}"));
                assert!(x.is_finite(), "{file}: {line}");
            }
        }
        // Charts of the same results: drawn, not hanging.
        let o = run_within(
            dir.path(),
            &[
                "run",
                file,
                "--trials",
                "50",
                "--chart-size",
                "400x300",
                "--out",
                "charts",
            ],
            limit,
        );
        assert_eq!(o.status.code(), Some(0), "{file}: {}", stderr(&o));
        let pngs = std::fs::read_dir(dir.path().join("charts"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "png")
            })
            .count();
        assert!(pngs >= 4, "{file}: {pngs} charts");
        std::fs::remove_dir_all(dir.path().join("plain")).unwrap();
        std::fs::remove_dir_all(dir.path().join("charts")).unwrap();
    }
}

#[test]
fn files_too_large_and_files_that_are_not_files_are_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    // 17 MiB of spaces: valid TOML, if it were read.
    std::fs::write(dir.path().join("big.toml"), vec![b' '; 17 << 20]).unwrap();
    std::fs::create_dir(dir.path().join("folder.toml")).unwrap();
    let mut cases = vec![
        ("big.toml", "big.toml: file is larger than 16 MiB"),
        (
            "folder.toml",
            "folder.toml: expected a scenario file, found a directory",
        ),
    ];
    if cfg!(unix) && Path::new("/dev/zero").exists() {
        cases.push((
            "/dev/zero",
            "/dev/zero: expected a scenario file, found a device",
        ));
    }
    for (file, message) in cases {
        for command in ["validate", "run"] {
            let o = run_within(dir.path(), &[command, file], Duration::from_secs(20));
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{command} {file}: {err}");
            assert!(err.contains(message), "{command} {file}: {err}");
        }
    }
    assert!(!dir.path().join("results").exists());
}

#[test]
fn reading_stops_at_the_cap() {
    // A file of exactly the cap is read (and refused only as TOML).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.toml");
    let mut text = vec![b'#'; 16 << 20];
    text[(16 << 20) - 1] = b'\n';
    std::fs::write(&path, text).unwrap();
    let e = Scenario::load(&path).unwrap_err().to_string();
    assert!(
        e.contains("found an empty file") || e.contains("missing key"),
        "{e}"
    );
    assert!(!e.contains("larger than"), "{e}");
}

#[test]
fn a_file_named_dots_writes_under_results_scenario() {
    for name in ["...toml", "..toml", ".toml", "dir/.toml", "..", ".", "/"] {
        let out = default_out_dir(Path::new(name));
        assert_eq!(out, Path::new("results/scenario"), "{name}");
    }
    assert_eq!(
        default_out_dir(Path::new("scenarios/us.toml")),
        Path::new("results/us")
    );
    assert_eq!(
        default_out_dir(Path::new("scenarios/us.2026")),
        Path::new("results/us")
    );
    assert_eq!(
        default_out_dir(Path::new(".hidden.toml")),
        Path::new("results/.hidden")
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("...toml"),
        "[scenario]\nname = \"x\"\nstart_year = 2026\nyears = 1\n[[mineral]]\nid = \"cu\"\ndemand = { base = 1 }\n[[source]]\nid = \"s\"\nmineral = \"cu\"\ncapacity = 1\n",
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &["run", "...toml", "--trials", "20", "--no-plots", "--quiet"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.path().join("results/scenario/summary.json").exists());
    assert!(!dir.path().join("summary.json").exists());
    assert!(!dir.path().join("results/summary.json").exists());
}

#[test]
fn threads_beyond_the_cores_are_capped_with_a_warning() {
    let cap = max_threads();
    assert_eq!(
        with_threads(Some(100_000), rayon::current_num_threads).unwrap(),
        cap
    );
    assert_eq!(
        with_threads(Some(1), rayon::current_num_threads).unwrap(),
        1
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.toml"),
        "[scenario]\nname = \"x\"\nstart_year = 2026\nyears = 1\n[[mineral]]\nid = \"cu\"\ndemand = { base = 1 }\n[[source]]\nid = \"s\"\nmineral = \"cu\"\ncapacity = 1\n",
    )
    .unwrap();
    let shard = [
        "run", "t.toml", "--trials", "50", "--shard", "1/1", "--out", "s",
    ];
    let o = run_within(dir.path(), &shard, Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run = ["run", "t.toml", "--trials", "50", "--out", "r"];
    let merge = ["merge", "s", "--out", "m"];
    for args in [&run[..], &merge[..]] {
        let args = [args, &["--no-plots", "--threads", "100000"]].concat();
        let o = run_within(dir.path(), &args, Duration::from_secs(60));
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert!(
            err.contains(&format!(
                "warning: --threads 100000 is more than the {cap} cores available; using {cap}"
            )),
            "{args:?}: {err}"
        );
        let quiet: Vec<&str> = args.iter().copied().chain(["--quiet"]).collect();
        let o = run_within(dir.path(), &quiet, Duration::from_secs(60));
        assert_eq!(o.status.code(), Some(0));
        assert!(stderr(&o).is_empty(), "{args:?}: {}", stderr(&o));
    }
}
