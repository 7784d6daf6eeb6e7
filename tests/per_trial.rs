//! `run --per-trial`: every trial's horizon totals, consistent with the
//! summary, and where the file may be written.

use crate::util::{csv_rows, example_path, run_in, stderr};

#[test]
fn per_trial_writes_every_trials_totals_whose_mean_is_eud_total() {
    let dir = tempfile::tempdir().unwrap();
    let example = example_path();
    let o = run_in(
        dir.path(),
        &[
            "run",
            example.to_str().unwrap(),
            "--trials",
            "2500",
            "--no-plots",
            "--quiet",
            "--out",
            "r",
            "--per-trial",
            "totals.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = csv_rows(&dir.path().join("totals.csv"));
    assert_eq!(rows.len(), 2500);
    assert_eq!(rows[7]["trial"], "7");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r/summary.json")).unwrap()).unwrap();
    for (id, m) in summary["minerals"].as_object().unwrap() {
        let mean = rows
            .iter()
            .map(|r| r[id.as_str()].parse::<f64>().unwrap())
            .sum::<f64>()
            / 2500.0;
        let eud = m["eud_total"].as_f64().unwrap();
        assert!(
            (mean - eud).abs() <= 1e-9 * eud.abs().max(1e-300),
            "{id}: {mean} vs {eud}"
        );
    }
    // Not with --shard: a shard holds part of the trials.
    let o = run_in(
        dir.path(),
        &[
            "run",
            example.to_str().unwrap(),
            "--shard",
            "1/2",
            "--per-trial",
            "x.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_per_trial_file_inside_out_is_written_with_the_run_and_replaced_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let example = example_path();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            example.to_str().unwrap(),
            "--trials",
            "300",
            "--no-plots",
            "--quiet",
            "--out",
            "r",
        ];
        args.extend_from_slice(extra);
        run_in(dir.path(), &args)
    };
    // A new folder, then the same folder again (written by supplyrisk).
    for path in ["r/totals.csv", "./r/totals.csv"] {
        let o = run(&["--per-trial", path]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(csv_rows(&dir.path().join("r/totals.csv")).len(), 300);
        let marker = std::fs::read_to_string(dir.path().join("r/.supplyrisk")).unwrap();
        assert!(marker.lines().any(|l| l == "totals.csv"), "{marker}");
    }
    // The next run into the folder replaces it, per-trial file included.
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!dir.path().join("r/totals.csv").exists());
    assert!(dir.path().join("r/summary.json").exists());
    // Deeper inside, or named like one of the run's files: bad input,
    // before anything is simulated or written.
    let before = std::fs::read(dir.path().join("r/summary.json")).unwrap();
    for path in ["r/sub/totals.csv", "r/years.csv", "r/supply_copper.png"] {
        let o = run(&["--per-trial", path, "--seed", "5"]);
        assert_eq!(o.status.code(), Some(2), "{path}");
        assert!(stderr(&o).contains("--per-trial"), "{}", stderr(&o));
    }
    // Elsewhere: a folder, or a file in a folder that does not exist.
    std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
    for (path, expect) in [
        ("elsewhere", "expected a file, found the folder 'elsewhere'"),
        (
            "missing/totals.csv",
            "found no folder 'missing' (for 'missing/totals.csv')",
        ),
    ] {
        let o = run(&["--per-trial", path, "--seed", "5"]);
        assert_eq!(o.status.code(), Some(2), "{path}");
        assert!(stderr(&o).contains(expect), "{}", stderr(&o));
    }
    assert_eq!(
        std::fs::read(dir.path().join("r/summary.json")).unwrap(),
        before
    );
}

#[test]
fn per_trial_into_standard_output_redirected_to_a_file_adds_to_it() {
    // `(echo A; supplyrisk run … --per-trial /dev/stdout) > file` must
    // leave A in the file: the stream is written where it stands, never
    // replaced, whichever name leads to it.
    let dir = tempfile::tempdir().unwrap();
    let example = example_path();
    std::os::unix::fs::symlink("/dev/stdout", dir.path().join("out-link")).unwrap();
    for (i, name) in ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "out-link"]
        .iter()
        .enumerate()
    {
        let path = dir.path().join(format!("captured-{i}.txt"));
        std::fs::write(&path, "A\n").unwrap();
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        let o = std::process::Command::new(crate::util::bin())
            .current_dir(dir.path())
            .args([
                "run",
                example.to_str().unwrap(),
                "--trials",
                "3",
                "--no-plots",
                "--quiet",
                "--out",
                &format!("r{i}"),
                "--per-trial",
                name,
            ])
            .stdout(file)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("A\ntrial,copper,"), "{name}: {text}");
        assert_eq!(text.lines().count(), 1 + 1 + 3, "{name}: {text}");
    }
}

#[test]
fn per_trial_onto_the_scenario_itself_or_onto_out_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(example_path(), d.join("base.toml")).unwrap();
    std::os::unix::fs::symlink("base.toml", d.join("link.toml")).unwrap();
    let text = std::fs::read(d.join("base.toml")).unwrap();
    for (scenario, per_trial, expect) in [
        (
            "base.toml",
            "base.toml",
            "other than the scenario being simulated",
        ),
        (
            "base.toml",
            "link.toml",
            "other than the scenario being simulated",
        ),
        (
            "link.toml",
            "./base.toml",
            "other than the scenario being simulated",
        ),
        ("base.toml", "r", "is the --out folder itself"),
    ] {
        let o = run_in(
            d,
            &[
                "run",
                scenario,
                "--trials",
                "300",
                "--no-plots",
                "--quiet",
                "--out",
                "r",
                "--per-trial",
                per_trial,
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{per_trial}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{}", stderr(&o));
        assert!(!d.join("r").exists(), "nothing written");
        assert_eq!(std::fs::read(d.join("base.toml")).unwrap(), text);
    }
}
