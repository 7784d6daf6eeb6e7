//! `sweep`: each point is a plain run of the file with that value, bad
//! parameters and values are refused, and the scenario as written is
//! reported whether or not the file gives the parameter a number.

use crate::util::{run_in, stderr, stdout, FULL};

#[test]
fn a_sweep_point_equals_a_plain_run_with_that_value_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("full.toml"), FULL).unwrap();
    let o = run_in(
        dir.path(),
        &[
            "sweep",
            "full.toml",
            "--param",
            "source.cu-cl.access",
            "--values",
            "0.5,0.9,1",
            "--trials",
            "3000",
            "--seed",
            "3",
            "--out",
            "sw",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let sweep: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("sw/sweep.json")).unwrap()).unwrap();
    assert_eq!(sweep["file_value"].as_f64(), Some(0.9));
    // The scenario as written is reported too; the point at its value is
    // the same run, bit for bit, with no change from it.
    let written = &sweep["as_written"];
    assert_eq!(written["value"].as_f64(), Some(0.9));
    assert_eq!(written["minerals"], sweep["points"][1]["minerals"]);
    assert_eq!(
        written["minerals"]["cu"]["delta_eud_total"].as_f64(),
        Some(0.0)
    );
    let csv = std::fs::read_to_string(dir.path().join("sw/sweep.csv")).unwrap();
    let values: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(
        values.len(),
        3 * 2,
        "three points, the file's value among them once, two minerals: {values:?}"
    );
    let written_rows: Vec<&str> = csv
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(2) == Some("true"))
        .collect();
    assert_eq!(written_rows.len(), 2, "{csv}");
    assert!(written_rows
        .iter()
        .all(|l| l.split(',').nth(1) == Some("0.9")));
    assert!(values
        .windows(2)
        .all(|w| w[0].parse::<f64>().unwrap() <= w[1].parse::<f64>().unwrap()));
    assert!(
        dir.path().join("sw/sweep.csv").exists() && dir.path().join("sw/sweep_cu.png").exists()
    );
    assert!(
        !dir.path().join("sw/sweep_co.png").exists(),
        "cobalt does not vary"
    );
    let point = &sweep["points"][0];
    assert_eq!(point["value"].as_f64(), Some(0.5));
    std::fs::write(
        dir.path().join("half.toml"),
        FULL.replace("access = 0.9", "access = 0.5"),
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &[
            "run",
            "half.toml",
            "--trials",
            "3000",
            "--seed",
            "3",
            "--no-plots",
            "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let run: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("results/half/summary.json")).unwrap(),
    )
    .unwrap();
    for id in ["cu", "co"] {
        for key in [
            "p_any_shortfall",
            "p_any_shortfall_se",
            "expected_shortfall_years",
            "eud_total",
            "eud_total_se",
            "unserved_p95",
            "cvar95",
        ] {
            assert_eq!(
                point["minerals"][id][key], run["minerals"][id][key],
                "{id} {key}"
            );
        }
    }
    // The point at the file's own value has a change of exactly zero.
    assert_eq!(
        sweep["points"][1]["minerals"]["cu"]["delta_eud_total"].as_f64(),
        Some(0.0)
    );
    assert_eq!(
        sweep["points"][1]["minerals"]["cu"]["delta_eud_total_se"].as_f64(),
        Some(0.0)
    );
}

#[test]
fn sweeps_refuse_missing_keys_and_out_of_range_values_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("full.toml"), FULL).unwrap();
    for (args, fragment) in [
        (
            vec!["--param", "source.nope.access", "--values", "0.5"],
            "found none",
        ),
        (
            vec!["--param", "source.cu-cll.access", "--values", "0.5"],
            "expected a [[source]] with id = \"cu-cll\", found none (did you mean \"cu-cl\"?)",
        ),
        (
            vec!["--param", "source.cu-cl.acess", "--values", "0.5"],
            "unknown key `acess`",
        ),
        (
            vec!["--param", "source.cu-cl.access", "--values", "0.5,1.5"],
            "full.toml:24:1: source[0].access: with source.cu-cl.access = 1.5: expected a number with 0 < x <= 1, found 1.5",
        ),
        (
            vec!["--param", "planet.cu-cl.access", "--values", "0.5"],
            "--param",
        ),
        (
            vec!["--param", "source.cu-cl.access", "--range", "0:1"],
            "--range",
        ),
        (
            vec![
                "--param",
                "source.cu-cl.access",
                "--values",
                "0.5",
                "--metrics",
                "joy",
            ],
            "--metrics",
        ),
    ] {
        let mut all = vec!["sweep", "full.toml", "--trials", "100", "--out", "sw"];
        all.extend(args.iter());
        let o = run_in(dir.path(), &all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(fragment), "{args:?}: {}", stderr(&o));
        assert!(!dir.path().join("sw").exists());
    }
    // Every bad value is reported, with the bad flags, at once.
    let args = [
        "sweep",
        "full.toml",
        "--trials",
        "0",
        "--out",
        "sw",
        "--param",
        "source.cu-cl.access",
        "--values",
        "1.5,0.5,2,1.5",
        "--metrics",
        "joy",
    ];
    let o = run_in(dir.path(), &args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for part in ["--trials", "--metrics", "found 1.5", "found 2"] {
        assert!(err.contains(part), "expected '{part}' in {err}");
    }
    assert_eq!(err.matches("found 1.5").count(), 1, "{err}");
    assert!(!dir.path().join("sw").exists());
    // The refusal of a sweep of `param` over 0.5, `b` and `c`, exit 2 and
    // nothing written.
    let refused = |param: &str, b: &str, c: &str| {
        let values = format!("0.5,{b},{c}");
        let args = [
            "sweep",
            "full.toml",
            "--out",
            "sw",
            "--param",
            param,
            "--values",
            &values,
        ];
        let o = run_in(dir.path(), &args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(!dir.path().join("sw").exists());
        err
    };
    // An entity that is not there is said once, whatever the values.
    assert_eq!(
        refused("source.nope.access", "0.7", "0.9").trim_end(),
        "error: full.toml: source.nope.access: expected a [[source]] with id = \"nope\", found none"
    );
    // So is a key the format does not know, while a value that breaks a
    // rule is named with its value.
    let err = refused("source.cu-cl.acess", "0.7", "0.9");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: full.toml:")
            && err.contains(".acess: with source.cu-cl.acess at every value: unknown key `acess`"),
        "{err}"
    );
    let err = refused("source.cu-cl.access", "1.7", "1.9");
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(
        err.contains("access = 1.7") && err.contains("access = 1.9"),
        "{err}"
    );
}

#[test]
fn a_sweep_of_one_value_shows_what_it_changes_from_the_scenario_as_written() {
    // `access` of us-copper is left to its default: the scenario as
    // written has no value to be placed by among the points.
    let example = crate::util::example_path();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep_example(dir.path(), "source.us-copper.access", "0.5", "2000");
    assert!(
        out.lines()
            .any(|l| l.starts_with("0.5 ") && l.contains("copper")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("default (as written) ") && l.contains("copper")),
        "{out}"
    );
    // The scenario as written is reported all the same, without a value:
    // the results of a plain run with the same trials and seed.
    let sweep: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("s/sweep.json")).unwrap()).unwrap();
    assert!(sweep["as_written"]["value"].is_null());
    let o = run_in(
        dir.path(),
        &[
            "run",
            example.to_str().unwrap(),
            "--trials",
            "2000",
            "--no-plots",
            "--quiet",
            "--out",
            "r",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r/summary.json")).unwrap()).unwrap();
    for mineral in ["copper", "cobalt", "nickel", "lithium"] {
        let written = &sweep["as_written"]["minerals"][mineral];
        for key in ["eud_total", "p_any_shortfall", "cvar95"] {
            assert_eq!(
                written[key], summary["minerals"][mineral][key],
                "{mineral} {key}"
            );
        }
        assert_eq!(written["delta_eud_total"].as_f64(), Some(0.0));
    }
    // In sweep.csv it comes first, with an empty value.
    let csv = std::fs::read_to_string(dir.path().join("s/sweep.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 2 * 4, "{csv}");
    for (i, r) in rows.iter().enumerate() {
        let written = i < 4;
        assert_eq!(
            (r[1].is_empty(), r[2]),
            (written, if written { "true" } else { "false" }),
            "{csv}"
        );
    }
    assert!(
        out.contains(
            "left out of the table (their rows are in sweep.csv): cobalt, nickel, lithium."
        ),
        "{out}"
    );
}

#[test]
fn a_parameter_the_file_gives_as_a_distribution_is_not_called_a_default() {
    // us-copper's severity is a uniform distribution in the example.
    let dir = tempfile::tempdir().unwrap();
    let out = sweep_example(
        dir.path(),
        "source.us-copper.disruption.severity",
        "0.3",
        "500",
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("as written (not one number) ") && l.contains("copper")),
        "{out}"
    );
    assert!(
        out.contains("gives source.us-copper.disruption.severity a value that is not one number")
            && !out.contains("default"),
        "{out}"
    );
}

/// `sweep` of the example over `values` of `param` into `dir/s`, without
/// charts; returns what it prints.
fn sweep_example(dir: &std::path::Path, param: &str, values: &str, trials: &str) -> String {
    let example = crate::util::example_path();
    let o = run_in(
        dir,
        &[
            "sweep",
            example.to_str().unwrap(),
            "--param",
            param,
            "--values",
            values,
            "--trials",
            trials,
            "--no-plots",
            "--out",
            "s",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    stdout(&o)
}
