//! The real binary, end to end.

use crate::util::{csv_rows, example_path, run_in, stderr, stdout};

#[test]
fn run_writes_summary_and_years_and_prints_the_headline_table() {
    let dir = tempfile::tempdir().unwrap();
    let example = example_path();
    let o = run_in(
        dir.path(),
        &[
            "run",
            example.to_str().unwrap(),
            "--trials",
            "3000",
            "--seed",
            "4",
            "--no-plots",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = dir.path().join("results/example");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["trials"], 3000);
    assert_eq!(summary["seed"], 4);
    let minerals = summary["minerals"].as_object().unwrap();
    assert_eq!(minerals.len(), 4);
    for (id, m) in minerals {
        for key in [
            "unit",
            "p_any_shortfall",
            "p_any_shortfall_se",
            "expected_shortfall_years",
            "expected_shortfall_years_se",
            "eud_total",
            "eud_total_se",
            "unserved_share",
            "unserved_p50",
            "unserved_p90",
            "unserved_p95",
            "unserved_p99",
            "cvar95",
            "hhi",
            "hhi_with_projects",
            "years",
        ] {
            assert!(m.get(key).is_some(), "{id} lacks {key}");
        }
        assert_eq!(m["years"].as_array().unwrap().len(), 10);
        assert!(
            stdout(&o).lines().any(|l| l.starts_with(id.as_str())),
            "table row for {id}"
        );
    }
    let csv = std::fs::read_to_string(out.join("years.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "mineral,year,demand_mean,p_shortfall,p_shortfall_se,eud,eud_se,supply_p5,supply_p50,supply_p95,stock_p5,stock_p50,stock_p95"
    );
    assert_eq!(lines.count(), 40);
    // No temporary files are left behind.
    for entry in std::fs::read_dir(&out).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp-"), "leftover {name}");
    }
}

#[test]
fn quiet_prints_nothing_and_out_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let example = example_path();
    let o = run_in(
        dir.path(),
        &[
            "run",
            example.to_str().unwrap(),
            "--trials",
            "500",
            "--quiet",
            "--out",
            "here/there",
            "--no-plots",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    assert!(dir.path().join("here/there/summary.json").exists());
}

#[test]
fn thread_count_never_changes_summary_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let example = example_path();
    let mut outputs = Vec::new();
    for threads in ["1", "3"] {
        let out = format!("t{threads}");
        let o = run_in(
            dir.path(),
            &[
                "run",
                example.to_str().unwrap(),
                "--trials",
                "2500",
                "--threads",
                threads,
                "--out",
                &out,
                "--quiet",
                "--no-plots",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        outputs.push(std::fs::read(dir.path().join(out).join("summary.json")).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<String> = std::fs::read_dir(&scenarios)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let o = run_in(dir.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).lines().filter(|l| l.contains(": ok")).count(),
        files.len()
    );
}

#[test]
fn help_and_version_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--help", "--version"] {
        let o = run_in(dir.path(), &[flag]);
        assert_eq!(o.status.code(), Some(0));
        assert!(!o.stdout.is_empty());
    }
}

#[test]
fn bad_arguments_get_one_line_in_the_form_of_every_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let example = crate::util::example_path();
    let file = example.to_str().unwrap();
    for (args, expect) in [
        (
            vec!["run", file, "--seed", "-1"],
            "error: command line: --seed: expected an integer from 0 to 18446744073709551615, found '-1'",
        ),
        (
            vec!["run", file, "--seed", "18446744073709551616"],
            "error: command line: --seed: expected an integer from 0 to 18446744073709551615, found '18446744073709551616'",
        ),
        (
            vec!["run", file, "--threads", "-2"],
            "error: command line: --threads: expected a whole number, found '-2'",
        ),
        (
            vec!["run", file, "--trails", "5"],
            "error: command line: --trails: expected a flag of this command, found '--trails'; did you mean '--trials'? (see --help)",
        ),
        (
            vec!["sweep", file, "--param", "a.b.c", "--values", "1", "--range", "0:1:3"],
            "error: command line: --values: expected either --values or --range, found both",
        ),
        (
            vec!["run", file, "--chart-size", "10x10"],
            "error: command line: --chart-size: expected WIDTHxHEIGHT in pixels (320-8000 x 240-8000), such as 1600x1000, found '10x10'",
        ),
        (
            vec!["run", file, "--seed", "1", "--seed", "2"],
            "error: command line: --seed: expected it once, found it more than once",
        ),
        (
            vec!["run", file, "--quiet", "--quiet"],
            "error: command line: --quiet: expected it once, found it more than once",
        ),
        (
            vec!["run", file, "other.toml"],
            "error: command line: expected no more arguments, found 'other.toml'; see --help",
        ),
    ] {
        let o = run_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(crate::util::stderr(&o).trim_end(), expect, "{args:?}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn derived_us_scenarios_keep_the_baseline_body_verbatim() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let base = read("us-2026-baseline.toml");
    let start = base
        .find("# ==================================================================== COPPER")
        .unwrap();
    let end = base
        .find("# ============================================================== UNCERTAINTY")
        .unwrap();
    let body = &base[start..end];
    for f in ["us-2026-diversified.toml", "us-2026-project-vault.toml"] {
        assert!(
            read(f).contains(body),
            "{f} no longer contains the baseline's sources and events"
        );
    }
    // The stress case differs only in its Chinese export-control events.
    let stress = read("us-2026-china-controls-stress.toml");
    let before = &body[..body.find("[[event]]\nid = \"cn-export-controls\"").unwrap()];
    assert!(stress.contains(before));
    assert!(stress.contains("id = \"cn-export-ban-world\""));
}

#[test]
fn a_closed_stdout_pipe_is_not_a_panic() {
    // `supplyrisk validate … | head -1`: the reader goes away early.
    let example = example_path();
    let mut child = std::process::Command::new(crate::util::bin())
        .args([
            "validate",
            example.to_str().unwrap(),
            example.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0));
}

/// A full disk behind stdout (`> /dev/full`) is an error (exit 1) that
/// says the results were written nonetheless; one behind stderr only loses
/// the messages.
#[cfg(target_os = "linux")]
#[test]
fn a_stdout_that_cannot_be_written_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let example = example_path();
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let run = |args: &[&str]| {
        std::process::Command::new(crate::util::bin())
            .args(args)
            .current_dir(dir.path())
            .stdout(full())
            .output()
            .unwrap()
    };
    let example = example.to_str().unwrap();
    let run_example = |out: &str, extra: &[&str]| {
        let args = [
            "run",
            example,
            "--trials",
            "1000",
            "--no-plots",
            "--out",
            out,
        ];
        run(&[&args[..], extra].concat())
    };
    let o = run_example("r", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error: the results are in 'r', but printing their table failed: could not write to standard output: "),
        "{}",
        stderr(&o)
    );
    assert!(dir.path().join("r/summary.json").is_file());
    let o = run(&["validate", example]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("error: could not write to standard output: "));
    // With --quiet nothing is printed, so nothing fails.
    let o = run_example("q", &["--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for flag in ["--help", "--version"] {
        let o = run(&[flag]);
        assert_eq!(o.status.code(), Some(1), "{flag}: {}", stderr(&o));
        assert!(stderr(&o).starts_with("error: could not write to standard output: "));
    }
    // A stderr that cannot be written loses the messages, not the exit
    // status (and is no panic, which would exit 101).
    let quiet_err = |args: &[&str]| {
        std::process::Command::new(crate::util::bin())
            .args(args)
            .current_dir(dir.path())
            .stderr(full())
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(quiet_err(&["validate", "missing.toml"]), Some(2));
    assert_eq!(quiet_err(&["run", example, "--trials", "0"]), Some(2));
    assert_eq!(
        quiet_err(&[
            "run",
            example,
            "--trials",
            "500",
            "--no-plots",
            "--out",
            "w"
        ]),
        Some(0)
    );
}

#[test]
fn the_scenario_snippets_of_the_docs_are_valid_scenarios() {
    // Every ```toml block of README.md, docs/model.md and docs/dependence.md
    // passes `validate`.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for doc in ["README.md", "docs/model.md", "docs/dependence.md"] {
        let text = std::fs::read_to_string(root.join(doc)).unwrap();
        for (i, block) in text.split("```toml\n").skip(1).enumerate() {
            let toml = block.split("```").next().unwrap();
            let file = dir
                .path()
                .join(format!("{}-{i}.toml", doc.replace('/', "-")));
            std::fs::write(&file, toml).unwrap();
            let o = run_in(dir.path(), &["validate", file.to_str().unwrap()]);
            assert_eq!(o.status.code(), Some(0), "{doc} block {i}: {}", stderr(&o));
            checked += 1;
        }
    }
    assert!(checked >= 3, "found {checked} snippets");
}

#[test]
fn every_printed_table_is_also_written_as_csv_with_the_json_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let example = example_path();
    let diversified = example.with_file_name("example-diversified.toml");
    let common = ["--trials", "1500", "--seed", "2", "--no-plots", "--quiet"];
    let cmd = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(common);
        let o = run_in(d, &all);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    };
    let ex = example.to_str().unwrap();
    cmd(&["run", ex, "--out", "run"]);
    cmd(&["compare", ex, diversified.to_str().unwrap(), "--out", "cmp"]);
    cmd(&["sensitivity", ex, "--out", "sens"]);
    let json = |p: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(d.join(p)).unwrap()).unwrap()
    };
    let num = |s: &str| s.parse::<f64>().unwrap();
    // summary.csv: one row per mineral, every horizon metric.
    let summary = json("run/summary.json");
    let rows = csv_rows(&d.join("run/summary.csv"));
    assert_eq!(rows.len(), summary["minerals"].as_object().unwrap().len());
    for row in &rows {
        let m = &summary["minerals"][row["mineral"].as_str()];
        for key in [
            "p_any_shortfall",
            "eud_total_se",
            "unserved_p99",
            "cvar95",
            "hhi_with_projects",
        ] {
            assert_eq!(num(&row[key]), m[key].as_f64().unwrap(), "{key}");
        }
    }
    // comparison.csv: the paired changes and risk reduction.
    let cmp = json("cmp/comparison.json");
    let rows = csv_rows(&d.join("cmp/comparison.csv"));
    assert_eq!(rows.len(), cmp["minerals"].as_object().unwrap().len());
    for row in &rows {
        let m = &cmp["minerals"][row["mineral"].as_str()];
        assert_eq!(
            num(&row["delta_eud_total"]),
            m["delta"]["eud_total"].as_f64().unwrap()
        );
        assert_eq!(
            num(&row["delta_p_any_shortfall_se"]),
            m["delta"]["p_any_shortfall_se"].as_f64().unwrap()
        );
        match m["risk_reduction"].as_f64() {
            Some(r) => assert_eq!(num(&row["risk_reduction"]), r),
            None => assert_eq!(row["risk_reduction"], ""),
        }
    }
    // sensitivity.csv: every entity of every mineral, in ranked order.
    let sens = json("sens/sensitivity.json");
    let rows = csv_rows(&d.join("sens/sensitivity.csv"));
    let entries: usize = sens["minerals"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_array().unwrap().len())
        .sum();
    assert_eq!(rows.len(), entries);
    for row in &rows {
        let rank: usize = row["rank"].parse().unwrap();
        let e = &sens["minerals"][row["mineral"].as_str()][rank - 1];
        assert_eq!(row["entity"], e["entity"].as_str().unwrap());
        assert_eq!(
            num(&row["delta_eud_total"]),
            e["delta_eud_total"].as_f64().unwrap()
        );
    }
}

#[test]
fn compare_prints_at_most_100_columns() {
    let dir = tempfile::tempdir().unwrap();
    let example = example_path();
    let alt = example.with_file_name("example-diversified.toml");
    let o = run_in(
        dir.path(),
        &[
            "compare",
            example.to_str().unwrap(),
            alt.to_str().unwrap(),
            "--trials",
            "1500",
            "--no-plots",
            "--out",
            "c",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for line in out.lines().filter(|l| !l.starts_with("results in")) {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    assert!(out.contains("equivalent firm supply") && out.contains("n/a (not better)"));
}

#[test]
fn the_report_opens_with_key_findings_and_says_where_its_numbers_come_from() {
    let dir = tempfile::tempdir().unwrap();
    let example = example_path();
    let o = run_in(
        dir.path(),
        &[
            "run",
            example.to_str().unwrap(),
            "--trials",
            "2000",
            "--seed",
            "8",
            "--chart-size",
            "400x300",
            "--out",
            "r",
            "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(dir.path().join("r/report.html")).unwrap();
    let text = std::fs::read_to_string(&example).unwrap();
    let hash = supplyrisk::partial::sha256_hex(&text);
    let source = format!(
        "scenario example.toml (SHA-256 {}…), 2,000 trials, seed 8",
        &hash[..12]
    );
    assert!(page.contains(&source), "provenance line");
    let findings = page.find("<h2>Key findings</h2>").expect("key findings");
    assert!(
        findings < page.find("<table").unwrap(),
        "findings come first"
    );
    assert!(
        page.contains("<li>copper: at least one shortfall year (over 5% of demand unserved) in ")
    );
    assert!(page.contains("-year horizons;"));
}

#[test]
fn a_flag_value_the_parser_refuses_is_reported_like_any_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let example = example_path();
    let ex = example.to_str().unwrap();
    for (args, flag, found) in [
        (
            vec!["--seed", "99999999999999999999999"],
            "--seed",
            "'99999999999999999999999'",
        ),
        (vec!["--threads", "x"], "--threads", "'x'"),
        (vec!["--shard", "3/2"], "--shard", "'3/2'"),
        (vec!["--chart-size", "10x"], "--chart-size", "'10x'"),
    ] {
        let mut all = vec!["run", ex, "--out", "r"];
        all.extend(args);
        let o = run_in(dir.path(), &all);
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        let line = err.lines().next().unwrap_or_default();
        assert!(
            line.starts_with(&format!("error: command line: {flag}: expected"))
                && line.ends_with(&format!("found {found}")),
            "{err}"
        );
        assert!(!dir.path().join("r").exists());
    }
}
