//! What diversification buys: compare and equivalent firm supply.

use crate::util::{run_in, scenario, stderr, stdout, FULL};
use supplyrisk::compare::{compare, MineralDelta};
use supplyrisk::engine;

/// New copper supply of every kind (static, disrupted, project, hit by a
/// new event that also hits an existing source) and a new cobalt source.
const MORE_SUPPLY: &str = r#"
[[source]]
id = "cu-us-new"
mineral = "cu"
country = "US"
capacity = 5.0

[[source]]
id = "cu-au-new"
mineral = "cu"
country = "AU"
capacity = 12.0
access = 0.7
disruption = { rate = 0.8, severity = { dist = "beta", mean = 0.5, sd = 0.2 }, duration_months = { dist = "lognormal", median = 2.0, p90 = 5.0 } }

[[source]]
id = "cu-project-new"
mineral = "cu"
country = "AR"
capacity = 15.0
project = { online_year = 2027.2, delay_months = { dist = "uniform", min = 0, max = 12 }, ramp_years = 0.5, success_probability = 0.7 }
disruption = { rate = 0.5, severity = 1.0, duration_months = 2 }

[[event]]
id = "new-andean-event"
rate = 0.4
severity = { dist = "uniform", min = 0.2, max = 1.0 }
duration_months = 3
affects = [ { source = "cu-au-new", exposure = 0.5 }, { source = "cu-project-new" } ]

[[source]]
id = "co-new"
mineral = "co"
country = "PH"
capacity = 1.0
disruption = { rate = 0.3, severity = 0.6, duration_months = 4 }
"#;

#[test]
fn adding_sources_never_increases_any_trials_unserved_amount() {
    let base_s = scenario(FULL);
    let alt_s = scenario(&format!("{FULL}{MORE_SUPPLY}"));
    let base = engine::simulate(&base_s, 31, 20_000, None);
    let alt = engine::simulate(&alt_s, 31, 20_000, None);
    for m in 0..2 {
        let (b, a) = (&base.minerals[m], &alt.minerals[m]);
        let worse = b
            .totals
            .iter()
            .zip(&a.totals)
            .filter(|(x, y)| y > x)
            .count();
        assert_eq!(
            worse, 0,
            "mineral {m}: {worse} trials with more unserved demand"
        );
        assert!(b
            .years_short
            .iter()
            .zip(&a.years_short)
            .all(|(x, y)| y <= x));
        let d = MineralDelta::new(b, a);
        assert!(
            d.eud_total <= 0.0 && d.p_any_shortfall <= 0.0 && d.expected_shortfall_years <= 0.0,
            "{d:?}"
        );
        assert!(d.eud_total < 0.0, "the new supply must help somewhere");
    }
}

#[test]
fn an_identical_mineral_has_delta_exactly_zero_and_paired_se_zero() {
    // The alternative adds only cobalt sources: copper is defined identically.
    let base_s = scenario(FULL);
    let alt_s = scenario(&format!(
        "{FULL}{}",
        &MORE_SUPPLY[MORE_SUPPLY.find("[[source]]\nid = \"co-new\"").unwrap()..]
    ));
    let base = engine::simulate(&base_s, 5, 5_000, None);
    let alt = engine::simulate(&alt_s, 5, 5_000, None);
    let c = compare(&base_s, &alt_s, 5, &base, &alt, false);
    let cu = c.minerals.get("cu").unwrap();
    assert_eq!(
        (
            cu.delta.eud_total,
            cu.delta.eud_total_se,
            cu.delta.p_any_shortfall,
            cu.delta.p_any_shortfall_se
        ),
        (0.0, 0.0, 0.0, 0.0)
    );
    assert_eq!(
        (
            cu.delta.expected_shortfall_years,
            cu.delta.expected_shortfall_years_se
        ),
        (0.0, 0.0)
    );
    assert_eq!(cu.risk_reduction, Some(0.0));
    assert!(c.minerals.get("co").unwrap().delta.eud_total < 0.0);
}

#[test]
fn paired_standard_error_is_below_the_unpaired_one() {
    let base_s = scenario(FULL);
    let alt_s = scenario(&format!("{FULL}{MORE_SUPPLY}"));
    let base = engine::simulate(&base_s, 8, 20_000, None);
    let alt = engine::simulate(&alt_s, 8, 20_000, None);
    let c = compare(&base_s, &alt_s, 8, &base, &alt, false);
    for id in ["cu", "co"] {
        let (b, a) = (
            c.baseline.minerals.get(id).unwrap(),
            c.alternative.minerals.get(id).unwrap(),
        );
        let d = &c.minerals.get(id).unwrap().delta;
        let unpaired = (b.eud_total_se.powi(2) + a.eud_total_se.powi(2)).sqrt();
        assert!(
            d.eud_total_se < unpaired,
            "{id}: paired {} vs unpaired {unpaired}",
            d.eud_total_se
        );
        let unpaired_p = (b.p_any_shortfall_se.powi(2) + a.p_any_shortfall_se.powi(2)).sqrt();
        assert!(d.p_any_shortfall_se < unpaired_p, "{id}");
    }
}

#[test]
fn equivalent_firm_supply_as_a_source_reproduces_the_alternative_within_one_percent() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), FULL).unwrap();
    std::fs::write(dir.path().join("alt.toml"), format!("{FULL}{MORE_SUPPLY}")).unwrap();
    let args = [
        "compare",
        "base.toml",
        "alt.toml",
        "--trials",
        "6000",
        "--seed",
        "12",
        "--no-plots",
        "--quiet",
    ];
    let o = run_in(dir.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cmp: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("results/base-vs-alt/comparison.json")).unwrap(),
    )
    .unwrap();
    for id in ["cu", "co"] {
        let efs = cmp["minerals"][id]["equivalent_firm_supply"]
            .as_f64()
            .expect("a positive firm supply");
        let target = cmp["alternative"]["minerals"][id]["eud_total"]
            .as_f64()
            .unwrap();
        assert!(efs > 0.0);
        let firm =
            format!("\n[[source]]\nid = \"firm-{id}\"\nmineral = \"{id}\"\ncapacity = {efs:?}\n");
        std::fs::write(dir.path().join("firm.toml"), format!("{FULL}{firm}")).unwrap();
        let o = run_in(
            dir.path(),
            &[
                "run",
                "firm.toml",
                "--trials",
                "6000",
                "--seed",
                "12",
                "--no-plots",
                "--quiet",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let s: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.path().join("results/firm/summary.json")).unwrap(),
        )
        .unwrap();
        let got = s["minerals"][id]["eud_total"].as_f64().unwrap();
        assert!(
            (got - target).abs() <= 0.01 * target,
            "{id}: firm supply {efs} gives {got}, alternative {target}"
        );
    }
}

#[test]
fn equivalent_firm_supply_is_null_when_the_alternative_is_not_better() {
    let base_s = scenario(FULL);
    let base = engine::simulate(&base_s, 2, 2_000, None);
    let c = compare(&base_s, &base_s, 2, &base, &base, true);
    assert!(c
        .minerals
        .0
        .iter()
        .all(|(_, m)| m.equivalent_firm_supply.is_none()));
}

#[test]
fn compare_writes_json_charts_report_and_a_table() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), FULL).unwrap();
    std::fs::write(dir.path().join("alt.toml"), format!("{FULL}{MORE_SUPPLY}")).unwrap();
    let o = run_in(
        dir.path(),
        &[
            "compare",
            "base.toml",
            "alt.toml",
            "--trials",
            "2000",
            "--out",
            "cmp",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l.starts_with("cu ")) && out.contains("risk_reduction"),
        "{out}"
    );
    // The page's finding for each mineral names what changes, then its
    // chance.
    let page = std::fs::read_to_string(dir.path().join("cmp/report.html")).unwrap();
    assert!(
        page.contains("cu: the alternative changes expected unserved cu by ")
            && page.contains(", and the chance of at least one shortfall year from "),
        "{page}"
    );
    for f in [
        "comparison.json",
        "compare_cu.png",
        "compare_co.png",
        "risk_reduction.png",
        "report.html",
    ] {
        assert!(dir.path().join("cmp").join(f).exists(), "{f}");
    }
    let cmp: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("cmp/comparison.json")).unwrap())
            .unwrap();
    for key in ["seed", "trials", "baseline", "alternative", "minerals"] {
        assert!(cmp.get(key).is_some(), "{key}");
    }
    let d = &cmp["minerals"]["cu"]["delta"];
    for key in [
        "p_any_shortfall",
        "p_any_shortfall_se",
        "eud_total",
        "eud_total_se",
        "expected_shortfall_years",
        "expected_shortfall_years_se",
    ] {
        assert!(d[key].is_number(), "{key}");
    }
    let rr = cmp["minerals"]["cu"]["risk_reduction"].as_f64().unwrap();
    let (b, a) = (
        cmp["baseline"]["minerals"]["cu"]["eud_total"]
            .as_f64()
            .unwrap(),
        cmp["alternative"]["minerals"]["cu"]["eud_total"]
            .as_f64()
            .unwrap(),
    );
    assert!((rr - (1.0 - a / b)).abs() < 1e-12);
}

#[test]
fn scenarios_with_different_horizons_or_steps_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), FULL).unwrap();
    for (name, text) in [
        ("longer.toml", FULL.replace("years = 4", "years = 5")),
        (
            "weekly.toml",
            FULL.replace("steps_per_year = 12", "steps_per_year = 52"),
        ),
        (
            "later.toml",
            FULL.replace("start_year = 2026", "start_year = 2027"),
        ),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
        let o = run_in(
            dir.path(),
            &[
                "compare",
                "base.toml",
                name,
                "--trials",
                "100",
                "--out",
                "x",
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(
            stderr(&o).contains(name) && stderr(&o).contains("expected the baseline's horizon"),
            "{}",
            stderr(&o)
        );
        assert!(!dir.path().join("x").exists());
    }
}

#[test]
fn the_alternatives_own_trials_and_seed_are_named_when_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let with = |extra: &str| FULL.replacen("years = 4", &format!("years = 4\n{extra}"), 1);
    std::fs::write(d.join("base.toml"), with("trials = 300\nseed = 5")).unwrap();
    std::fs::write(d.join("alt.toml"), with("trials = 200\nseed = 6")).unwrap();
    let o = run_in(
        d,
        &[
            "compare",
            "base.toml",
            "alt.toml",
            "--out",
            "x",
            "--no-plots",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("warning: alt.toml gives trials = 200 and seed = 6, ignored: both scenarios run with 300 trials (the baseline's) and seed 5 (the baseline's); --trials and --seed choose them"),
        "{e}"
    );
    // One flag: the other setting still comes from the baseline.
    let o = run_in(
        d,
        &[
            "compare",
            "base.toml",
            "alt.toml",
            "--seed",
            "3",
            "--out",
            "w",
            "--no-plots",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("gives trials = 200, ignored: both scenarios run with 300 trials (the baseline's) and seed 3 (given by --seed)"),
        "{}",
        stderr(&o)
    );
    // Flags that set both, or --quiet: no warning.
    let args = ["--trials", "100", "--seed", "1", "--out", "y", "--no-plots"];
    let o = run_in(
        d,
        &[&["compare", "base.toml", "alt.toml"][..], &args].concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let o = run_in(
        d,
        &[
            "compare",
            "base.toml",
            "alt.toml",
            "--out",
            "z",
            "--no-plots",
            "--quiet",
        ],
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn a_mineral_on_a_world_market_is_not_compared_with_a_physical_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let (physical, market) = (root.join("example.toml"), root.join("example-market.toml"));
    for (base, alt) in [(&physical, &market), (&market, &physical)] {
        let o = run_in(
            dir.path(),
            &[
                "compare",
                base.to_str().unwrap(),
                alt.to_str().unwrap(),
                "--trials",
                "100",
                "--out",
                "x",
            ],
        );
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        assert!(
            err.contains(alt.file_name().unwrap().to_str().unwrap())
                && err.contains("model the mineral the same way"),
            "{err}"
        );
        // The alternative's mineral is named by key, at its line and column.
        let (at, key) = err
            .split_once(".toml:")
            .and_then(|(_, rest)| rest.split_once(": "))
            .map(|(at, rest)| (at, rest.split(": ").next().unwrap_or("")))
            .unwrap_or_default();
        assert!(
            at.split(':')
                .all(|n| n.parse::<usize>().is_ok_and(|n| n > 0))
                && at.contains(':'),
            "{err}"
        );
        assert!(
            key.starts_with("mineral[") && (key.ends_with(']') || key.ends_with("].market")),
            "{err}"
        );
        assert!(!dir.path().join("x").exists());
    }
}

#[test]
fn equivalent_firm_supply_of_a_change_within_its_noise_is_said_to_measure_noise() {
    // Correlation alone leaves cobalt's expected unserved demand where it
    // was, up to noise (-0.013 ± 0.009 kt at the files' 100,000 trials).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (base, alt) = (
        root.join("scenarios/example-dependence-independent.toml"),
        root.join("scenarios/example-dependence.toml"),
    );
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(
        dir.path(),
        &[
            "compare",
            base.to_str().unwrap(),
            alt.to_str().unwrap(),
            "--no-plots",
            "--out",
            "c",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("cobalt ") && l.ends_with("n/a (within noise)")),
        "{out}"
    );
    assert!(
        out.contains(
            "cobalt: no clear change (-0.013 ± 0.009 kt, under 1.96 paired standard errors)"
        ),
        "{out}"
    );
    // comparison.json still holds the firm supply found.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("c/comparison.json")).unwrap())
            .unwrap();
    assert!(
        json["minerals"]["cobalt"]["equivalent_firm_supply"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}

#[test]
fn minerals_in_only_one_scenario_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let (four, cobalt) = (
        root.join("example.toml"),
        root.join("example-uncertainty.toml"),
    );
    for (base, alt, expect) in [
        (&four, &cobalt, "example-uncertainty.toml has no copper, nickel, lithium: only the minerals both scenarios have are compared"),
        (&cobalt, &four, "the baseline has no copper, nickel, lithium: only"),
    ] {
        let args = [
            "compare",
            base.to_str().unwrap(),
            alt.to_str().unwrap(),
            "--trials",
            "100",
            "--out",
            "x",
            "--no-plots",
        ];
        let o = run_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{}", stderr(&o));
    }
}
