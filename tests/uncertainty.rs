//! Parameter uncertainty: the Sobol estimators on a function with known
//! indices and the `uncertainty` command's indices and runs against
//! plain runs.

use crate::util::{run_in, stderr};
use serde_json::Value;
use std::path::Path;
use supplyrisk::dist::{Dist, DistSpec};
use supplyrisk::sweep::SweepParam;
use supplyrisk::uncertainty::{design, sobol, Outputs};

/// Ishigami with a = 7, b = 0.1: S = (0.3139, 0.4424, 0), ST = (0.5576,
/// 0.4424, 0.2437).
#[test]
fn ishigami_indices_lie_in_their_bootstrap_intervals() {
    let pi = std::f64::consts::PI;
    let u = Dist::new(DistSpec::Uniform { min: -pi, max: pi }).unwrap();
    let n = 8192;
    let d = design(&[u, u, u], n, 11);
    let f = |x: &[f64]| x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin();
    let y: Vec<f64> = d.runs.iter().map(|(_, _, x)| f(x)).collect();
    let o = Outputs {
        a: y[..n].to_vec(),
        b: y[n..2 * n].to_vec(),
        ab: (0..3)
            .map(|i| y[(2 + i) * n..(3 + i) * n].to_vec())
            .collect(),
    };
    let idx = sobol(&o, 5);
    let first = [0.3139, 0.4424, 0.0];
    let total = [0.5576, 0.4424, 0.2437];
    for i in 0..3 {
        let s = idx[i];
        let (lo, hi) = (s.first_lo.unwrap(), s.first_hi.unwrap());
        assert!(
            lo <= first[i] && first[i] <= hi,
            "S{}: {lo}..{hi} vs {}",
            i + 1,
            first[i]
        );
        let (lo, hi) = (s.total_lo.unwrap(), s.total_hi.unwrap());
        assert!(
            lo <= total[i] && total[i] <= hi,
            "ST{}: {lo}..{hi} vs {}",
            i + 1,
            total[i]
        );
        assert!(hi - lo < 0.1, "ST{} interval too wide: {lo}..{hi}", i + 1);
    }
}

#[test]
fn a_constant_function_has_null_indices() {
    let o = Outputs {
        a: vec![1.0; 8],
        b: vec![1.0; 8],
        ab: vec![vec![1.0; 8]],
    };
    let idx = sobol(&o, 1);
    assert!(idx[0].first.is_none() && idx[0].total.is_none());
}

/// Copper's results depend only on its mine's capacity, nickel's only on
/// its mine's disruption rate (random streams are keyed by entity).
pub(crate) const TWO: &str = r#"
[scenario]
name = "u"
start_year = 2026
years = 3
steps_per_year = 4
trials = 400
seed = 7

[[mineral]]
id = "cu"
demand = { base = 100.0, sigma = 0.1 }

[[mineral]]
id = "ni"
demand = { base = 50.0, sigma = 0.1 }

[[source]]
id = "cu.mine"
mineral = "cu"
capacity = 100.0
disruption = { rate = 0.5, severity = { dist = "uniform", min = 0.2, max = 0.6 }, duration_months = 3 }

[[source]]
id = "ni-mine"
mineral = "ni"
capacity = 55.0
disruption = { rate = 0.5, severity = 0.5, duration_months = 3 }

[[stockpile]]
mineral = "cu"
initial = 5.0
capacity = 10.0
max_release_per_year = 5.0

[[uncertain]]
param = "source.cu.mine.capacity"
dist = { dist = "uniform", min = 90.0, max = 130.0 }

[[uncertain]]
param = "source.ni-mine.disruption.rate"
dist = { dist = "triangular", min = 0.1, mode = 0.5, max = 1.0 }
"#;

fn run_two(dir: &Path) -> Value {
    std::fs::write(dir.join("u.toml"), TWO).unwrap();
    let o = run_in(
        dir,
        &[
            "uncertainty",
            "u.toml",
            "--samples",
            "16",
            "--out",
            "out",
            "--quiet",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&std::fs::read(dir.join("out/uncertainty.json")).unwrap()).unwrap()
}

fn index(v: &Value, mineral: &str, metric: &str, param: &str, which: &str) -> f64 {
    let rows = v["minerals"][mineral][metric]["sobol"].as_array().unwrap();
    let row = rows.iter().find(|r| r["param"] == param).unwrap();
    row[which].as_f64().unwrap()
}

#[test]
fn a_parameter_without_effect_has_index_zero_and_a_sole_driver_total_one() {
    let dir = tempfile::tempdir().unwrap();
    let v = run_two(dir.path());
    for f in [
        "uncertainty_cu.png",
        "sobol_cu.png",
        "uncertainty_ni.png",
        "sobol_ni.png",
        "uncertainty.html",
        "uncertainty.csv",
        "uncertainty_runs.csv",
    ] {
        assert!(dir.path().join("out").join(f).is_file(), "{f}");
    }
    assert_eq!(v["samples"], 16);
    assert_eq!(v["trials"], 400);
    assert_eq!(v["parameters"][0]["dist"]["dist"], "uniform");
    for (mineral, own, other) in [
        (
            "cu",
            "source.cu.mine.capacity",
            "source.ni-mine.disruption.rate",
        ),
        (
            "ni",
            "source.ni-mine.disruption.rate",
            "source.cu.mine.capacity",
        ),
    ] {
        for metric in ["p_any_shortfall", "eud_total", "cvar95"] {
            assert_eq!(index(&v, mineral, metric, other, "first"), 0.0);
            assert_eq!(index(&v, mineral, metric, other, "total"), 0.0);
        }
        let t = index(&v, mineral, "eud_total", own, "total");
        assert!((t - 1.0).abs() < 0.25, "{mineral}: total {t}");
        let sobol = v["minerals"][mineral]["eud_total"]["sobol"]
            .as_array()
            .unwrap();
        assert_eq!(sobol[0]["param"], own, "sorted by total");
        assert!(v["minerals"][mineral]["cvar95"]
            .get("noise_share")
            .is_none());
        assert!(v["minerals"][mineral]["eud_total"]["noise_share"].is_number());
    }
}

#[test]
fn uncertainty_csv_is_its_json_as_one_table() {
    let dir = tempfile::tempdir().unwrap();
    let v = run_two(dir.path());
    let mut csv = csv::Reader::from_path(dir.path().join("out/uncertainty.csv")).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, supplyrisk::uncertainty::output::SUMMARY_COLUMNS);
    let cell = |s: &str| (!s.is_empty()).then(|| s.parse::<f64>().unwrap());
    let json = |x: Option<&Value>| x.and_then(Value::as_f64);
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    // Two minerals, three metrics, two parameters.
    assert_eq!(rows.len(), 12);
    for rec in &rows {
        let (mineral, metric) = (&rec[0], &rec[1]);
        let r = &v["minerals"][mineral][metric];
        let sobol = r["sobol"].as_array().unwrap();
        // Within a metric, the rows come in the JSON's order.
        let of_metric: Vec<&str> = rows
            .iter()
            .filter(|x| (&x[0], &x[1]) == (mineral, metric))
            .map(|x| &x[2])
            .collect();
        let params: Vec<&str> = sobol.iter().map(|x| x["param"].as_str().unwrap()).collect();
        assert_eq!(of_metric, params, "{mineral} {metric}");
        let row = sobol.iter().find(|x| x["param"] == rec[2]).unwrap();
        for (i, key) in header.iter().enumerate().skip(3) {
            let from_json = if i < 9 {
                json(row.get(key))
            } else {
                json(r.get(key))
            };
            assert_eq!(cell(&rec[i]), from_json, "{mineral} {metric} {key}");
        }
    }
    // cvar95 has no noise share: its cells are empty.
    assert!(rows.iter().any(|r| &r[1] == "cvar95" && r[13].is_empty()));
}

#[test]
fn one_base_set_is_a_design_of_k_plus_2_runs_with_the_indices_of_its_formulas() {
    // N = 1 (2^0): rows A, B, AB1, AB2. With f centred by the mean of
    // f(A) and f(B) and V their population variance,
    // S_i = fc(B) (f(AB_i) - f(A)) / V and ST_i = (f(A) - f(AB_i))^2 / (2 V).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("u.toml"), TWO).unwrap();
    let args = [
        "uncertainty",
        "u.toml",
        "--samples",
        "1",
        "--out",
        "out",
        "--quiet",
    ];
    let o = run_in(d, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value =
        serde_json::from_slice(&std::fs::read(d.join("out/uncertainty.json")).unwrap()).unwrap();
    assert_eq!(v["samples"], 1);
    let csv = std::fs::read_to_string(d.join("out/uncertainty_runs.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let matrices: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(matrices, ["A", "B", "AB1", "AB2"]);
    let col = header.iter().position(|h| *h == "ni.eud_total").unwrap();
    let f: Vec<f64> = rows.iter().map(|r| r[col].parse().unwrap()).collect();
    let centre = (f[0] + f[1]) / 2.0;
    let var = ((f[0] - centre).powi(2) + (f[1] - centre).powi(2)) / 2.0;
    assert!(var > 0.0);
    let param = "source.ni-mine.disruption.rate";
    let first = (f[1] - centre) * (f[3] - f[0]) / var;
    let total = (f[0] - f[3]).powi(2) / (2.0 * var);
    for (which, want) in [("first", first), ("total", total)] {
        let got = index(&v, "ni", "eud_total", param, which);
        assert!(
            (got - want).abs() <= 1e-12 * want.abs().max(1.0),
            "{which}: {got} vs {want}"
        );
    }
    // Zero base sets is no design.
    let o = run_in(
        d,
        &["uncertainty", "u.toml", "--samples", "0", "--out", "zero"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("a power of two from 1 to"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("zero").exists());
}

#[test]
fn each_run_equals_a_plain_run_with_its_values() {
    let dir = tempfile::tempdir().unwrap();
    run_two(dir.path());
    let csv = std::fs::read_to_string(dir.path().join("out/uncertainty_runs.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header[..4],
        [
            "matrix",
            "row",
            "source.cu.mine.capacity",
            "source.ni-mine.disruption.rate"
        ]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 16 * 4);
    assert_eq!(
        (rows[0][0], rows[16][0], rows[63][0], rows[63][1]),
        ("A", "B", "AB2", "15")
    );
    let params = [
        SweepParam {
            kind: "source".into(),
            id: "cu.mine".into(),
            key: vec!["capacity".into()],
        },
        SweepParam {
            kind: "source".into(),
            id: "ni-mine".into(),
            key: vec!["disruption".into(), "rate".into()],
        },
    ];
    runs_equal_plain_runs(dir.path(), TWO, &params, &csv, &[0, 21, 40, 63]);
}

/// Rows `which` of `csv` (an `uncertainty_runs.csv` of the study of
/// `text` with `params`, at the file's trials and seed) equal, metric for
/// metric, plain runs of `text` with the rows' values written in.
pub(crate) fn runs_equal_plain_runs(
    dir: &Path,
    text: &str,
    params: &[SweepParam],
    csv: &str,
    which: &[usize],
) {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let k = params.len();
    for &r in which {
        let row = &rows[r];
        let mut text = text.to_string();
        for (j, param) in params.iter().enumerate() {
            assert_eq!(header[2 + j], param.to_string());
            text = param.apply(&text, row[2 + j].parse().unwrap()).unwrap();
        }
        std::fs::write(dir.join("p.toml"), &text).unwrap();
        let o = run_in(
            dir,
            &["run", "p.toml", "--out", "plain", "--no-plots", "--quiet"],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let s: Value =
            serde_json::from_slice(&std::fs::read(dir.join("plain/summary.json")).unwrap())
                .unwrap();
        for (c, name) in header.iter().enumerate().skip(2 + k) {
            let (mineral, metric) = name.split_once('.').unwrap();
            let plain = s["minerals"][mineral][metric].as_f64().unwrap();
            let ours: f64 = row[c].parse().unwrap();
            assert_eq!(ours, plain, "row {r}, {name}");
        }
    }
}

/// `TWO` with `[[uncertain]]` tables replaced by `tables`.
#[test]
fn a_market_mineral_has_cost_and_price_spike_metrics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(root.join("scenarios/example-market.toml")).unwrap();
    text.push_str(
        "\n[[uncertain]]\nparam = \"market.copper.demand_elasticity\"\ndist = { dist = \"uniform\", min = -0.3, max = -0.1 }\n\
         \n[[uncertain]]\nparam = \"stockpile.copper.initial\"\ndist = { dist = \"uniform\", min = 50, max = 263 }\n",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.toml"), &text).unwrap();
    let args = [
        "uncertainty",
        "m.toml",
        "--samples",
        "2",
        "--trials",
        "100",
        "--out",
        "o",
        "--no-plots",
        "--quiet",
    ];
    let o = run_in(dir.path(), &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("o/uncertainty.json")).unwrap())
            .unwrap();
    let cu = &v["minerals"]["copper"];
    for metric in [
        "p_any_shortfall",
        "eud_total",
        "cvar95",
        "cost_total",
        "p_price_spike",
    ] {
        assert_eq!(cu[metric]["sobol"].as_array().unwrap().len(), 2, "{metric}");
    }
    assert!(v["minerals"]["cobalt"].get("cost_total").is_none());
    let csv = std::fs::read_to_string(dir.path().join("o/uncertainty_runs.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains(",copper.cost_total,copper.cost_total_se,copper.p_price_spike,"),
        "{header}"
    );
    assert!(!header.contains("cobalt.cost_total"));
    assert_eq!(csv.lines().count(), 1 + 2 * 4);
}

#[test]
fn few_trials_warn_that_noise_is_a_large_share_of_the_spread() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("u.toml"), TWO).unwrap();
    let args = [
        "uncertainty",
        "u.toml",
        "--samples",
        "4",
        "--trials",
        "20",
        "--out",
        "o",
        "--no-plots",
    ];
    let o = run_in(dir.path(), &args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Monte Carlo noise; use more --trials"),
        "{}",
        stderr(&o)
    );
    let v: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("o/uncertainty.json")).unwrap())
            .unwrap();
    assert!(
        v["minerals"]["cu"]["p_any_shortfall"]["noise_share"]
            .as_f64()
            .unwrap()
            > 0.2
    );
}
