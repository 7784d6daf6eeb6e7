//! The real binary, end to end.

use crate::util::{example_path, run_in, stderr, stdout};

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
        "mineral,year,demand_mean,p_shortfall,p_shortfall_se,eud,eud_se,supply_p5,supply_p50,supply_p95"
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
fn derived_us_scenarios_keep_the_baseline_body_verbatim() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let base = read("us-2026-baseline.toml");
    let body = &base[base
        .find("# ================================================================== COPPER")
        .unwrap()..];
    for f in ["us-2026-diversified.toml", "us-2026-project-vault.toml"] {
        assert!(
            read(f).contains(body),
            "{f} no longer contains the baseline's sources and events"
        );
    }
    // The stress case differs only in the cn-export-controls event.
    let stress = read("us-2026-china-controls-stress.toml");
    let before = &body[..body.find("[[event]]\nid = \"cn-export-controls\"").unwrap()];
    let after = &body[body
        .find("[[event]]\nid = \"drc-cobalt-export-policy\"")
        .unwrap()..];
    assert!(stress.contains(before) && stress.contains(after));
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

#[test]
fn the_scenario_snippets_of_the_docs_are_valid_scenarios() {
    // Every ```toml block of README.md and docs/model.md passes `validate`.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for doc in ["README.md", "docs/model.md"] {
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
    assert!(checked >= 2, "found {checked} snippets");
}
