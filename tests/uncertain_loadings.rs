//! Factor loadings as `[[uncertain]]` parameters: drawn within [-1, 1],
//! each run equal to a plain run with the drawn loading written in the
//! file, and refused where no loading is written or the support leaves
//! [-1, 1].

use crate::uncertainty::runs_equal_plain_runs;
use crate::util::{run_in, stderr};
use supplyrisk::sweep::SweepParam;

/// Two minerals' demands on a year factor and a named project on a trial
/// factor, with the loadings of one demand and of the project uncertain.
const LOADINGS: &str = r#"
[scenario]
name = "loadings"
start_year = 2026
years = 3
steps_per_year = 4
trials = 300
seed = 5

[[factor]]
id = "ev"
scope = "year"

[[factor]]
id = "capex"
scope = "trial"

[[mineral]]
id = "li"
demand = { base = 100.0, sigma = 0.3, factor = "ev", loading = 0.5 }

[[mineral]]
id = "ni"
demand = { base = 50.0, sigma = 0.2, factor = "ev", loading = 0.8 }

[[project]]
id = "p"
online_year = 2026.0
success_probability = 0.6
factor = "capex"
loading = 0.4

[[source]]
id = "li-mine"
mineral = "li"
capacity = 95.0

[[source]]
id = "li-new"
mineral = "li"
capacity = 20.0
project = "p"

[[source]]
id = "ni-mine"
mineral = "ni"
capacity = 52.0

[[uncertain]]
param = "mineral.li.demand.loading"
dist = { dist = "uniform", min = -1.0, max = 1.0 }

[[uncertain]]
param = "project.p.loading"
dist = { dist = "triangular", min = 0.0, mode = 0.5, max = 1.0 }
"#;

#[test]
fn factor_loadings_are_uncertain_parameters_and_each_run_is_a_plain_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("l.toml"), LOADINGS).unwrap();
    let o = run_in(
        d,
        &[
            "uncertainty",
            "l.toml",
            "--samples",
            "4",
            "--out",
            "out",
            "--no-plots",
            "--quiet",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(d.join("out/uncertainty_runs.csv")).unwrap();
    // The drawn loadings vary and lie in their supports.
    let loadings: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    assert!(loadings.iter().all(|x| (-1.0..=1.0).contains(x)));
    assert!(loadings.iter().any(|&x| x < 0.0) && loadings.iter().any(|&x| x > 0.0));
    let params = [
        SweepParam {
            kind: "mineral".into(),
            id: "li".into(),
            key: vec!["demand".into(), "loading".into()],
        },
        SweepParam {
            kind: "project".into(),
            id: "p".into(),
            key: vec!["loading".into()],
        },
    ];
    runs_equal_plain_runs(d, LOADINGS, &params, &csv, &[0, 5, 9, 15]);
    // A loading is held to [-1, 1], and must be written in the file.
    let base = LOADINGS.split("[[uncertain]]").next().unwrap();
    for (table, message) in [
        (
            "param = \"mineral.ni.demand.loading\"\ndist = { dist = \"uniform\", min = 0.5, max = 1.5 }",
            "allowed range",
        ),
        (
            "param = \"project.p.loading\"\ndist = { dist = \"uniform\", min = -1.2, max = 0.0 }",
            "allowed range",
        ),
        (
            "param = \"market.li.rest_of_world_demand.loading\"\ndist = 0.5",
            "with a market",
        ),
    ] {
        std::fs::write(d.join("bad.toml"), format!("{base}[[uncertain]]\n{table}\n")).unwrap();
        let o = run_in(d, &["uncertainty", "bad.toml", "--samples", "4", "--out", "o2"]);
        assert_eq!(o.status.code(), Some(2), "{table}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{table}: {}", stderr(&o));
        assert!(!d.join("o2").exists());
    }
    // Without a loading in the file there is nothing to vary.
    let plain = base.replace(", factor = \"ev\", loading = 0.8", "");
    std::fs::write(
        d.join("none.toml"),
        format!("{plain}[[uncertain]]\nparam = \"mineral.ni.demand.loading\"\ndist = 0.5\n"),
    )
    .unwrap();
    let o = run_in(
        d,
        &["uncertainty", "none.toml", "--samples", "4", "--out", "o3"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no value is written there"),
        "{}",
        stderr(&o)
    );
}
