//! The output folder: one complete run per folder, refusals before
//! simulating, signals, the memory guard and the work announced up front.

use crate::util::{bin, example_path, run_in, stderr, FULL};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) fn names(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The example at 2,000 trials into `out`, small charts, with `extra`
/// flags; stderr as a user sees it.
fn example_run_loud(d: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let example = example_path();
    let mut args = vec![
        "run",
        example.to_str().unwrap(),
        "--trials",
        "2000",
        "--out",
        out,
        "--chart-size",
        "320x240",
    ];
    args.extend_from_slice(extra);
    run_in(d, &args)
}

/// As [`example_run_loud`], quiet.
pub(crate) fn example_run(d: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let mut extra = extra.to_vec();
    extra.push("--quiet");
    example_run_loud(d, out, &extra)
}

#[test]
fn a_rerun_replaces_the_whole_folder_and_leaves_nothing_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = example_run(d, "res", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(d.join("res/report.html").exists());
    assert!(d.join("res/supply_copper.png").exists());
    // A rerun without charts: the old charts and report are gone.
    let o = example_run(d, "res", &["--no-plots", "--seed", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        names(&d.join("res")),
        [".supplyrisk", "summary.csv", "summary.json", "years.csv"]
    );
    assert_eq!(
        std::fs::read_to_string(d.join("res/.supplyrisk")).unwrap(),
        "supplyrisk run\nsummary.json\nyears.csv\nsummary.csv\n"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("res/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["seed"], 3);
    assert_eq!(names(d), ["res"], "no temporary or old folder left");
}

#[test]
fn out_ending_in_a_dot_names_the_folder_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // New, then replaced; and an empty folder given so.
    for out in ["res/.", "res/./"] {
        let o = example_run(d, out, &["--no-plots"]);
        assert_eq!(o.status.code(), Some(0), "{out}: {}", stderr(&o));
        assert!(d.join("res/summary.json").exists());
    }
    std::fs::create_dir(d.join("empty")).unwrap();
    let o = example_run(d, "empty/.", &["--no-plots"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(d.join("empty/summary.json").exists());
    assert_eq!(names(d), ["empty", "res"], "nothing left beside them");
}

#[test]
fn results_of_another_command_are_replaced_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = example_run(d, "res", &["--no-plots"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The same command again: nothing to say.
    let o = example_run_loud(d, "res", &["--no-plots"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("note:"), "{}", stderr(&o));
    let example = example_path();
    let sens = [
        "sensitivity",
        example.to_str().unwrap(),
        "--trials",
        "500",
        "--out",
        "res",
        "--no-plots",
    ];
    let o = run_in(d, &sens);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("held the results of `run`, now replaced by those of `sensitivity`"),
        "{}",
        stderr(&o)
    );
    assert!(d.join("res/sensitivity.json").exists() && !d.join("res/summary.json").exists());
    // Quiet: nothing but errors.
    let o = example_run(d, "res", &["--no-plots"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
}

#[test]
fn a_folder_around_another_commands_results_is_refused_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let refused = |out: &str, expected: &str| {
        let o = example_run(d, out, &["--no-plots"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{}", stderr(&o));
    };
    let ran = |out: &str| {
        let o = example_run(d, out, &["--no-plots"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    };
    // Results in a/inner, then a run into a: refused, since replacing a
    // would delete them.
    ran("a/inner");
    refused(
        "a",
        "'a' holds the results folder 'inner' of another command",
    );
    assert_eq!(names(&d.join("a")), ["inner"]);
    // Results in b, then a run into b/inside: refused, since b's next run
    // would delete them.
    ran("b");
    refused("b/inside", "'b/inside' lies inside '");
    refused(
        "b/inside",
        "another command's results folder, whose next run would delete it",
    );
    assert!(!d.join("b/inside").exists());
    // `..` counts where it leads: b/../c lies beside b, and a path through
    // a folder that does not exist is refused before anything is made.
    ran("b/../c");
    assert!(d.join("c/summary.json").is_file());
    refused("nothing/../b/inside", "lies inside '");
    assert!(!d.join("nothing").exists());
    // Nor may a per-trial file go into another command's results folder.
    let example = example_path();
    let o = run_in(
        d,
        &[
            "run",
            example.to_str().unwrap(),
            "--trials",
            "1000",
            "--out",
            "e",
            "--per-trial",
            "b/trials.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--per-trial: expected a file outside other commands' results folders, found 'b/trials.csv' inside '"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("e").exists() && !d.join("b/trials.csv").exists());
    // A results folder put inside b by hand: b is not replaced either.
    std::fs::rename(d.join("a/inner"), d.join("b/inner")).unwrap();
    let before = names(&d.join("b"));
    refused(
        "b",
        "'b' holds the results folder 'inner' of another command",
    );
    assert_eq!(names(&d.join("b")), before);
    assert!(d.join("b/inner/summary.json").is_file());
}

#[test]
fn an_empty_folder_is_used_and_a_foreign_one_refused_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("empty")).unwrap();
    let o = example_run(d, "empty", &["--no-plots"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(d.join("empty/summary.json").exists());

    std::fs::create_dir(d.join("mine")).unwrap();
    std::fs::write(d.join("mine/notes.txt"), "keep me").unwrap();
    // Huge trials: refused at once, so nothing is simulated.
    let started = Instant::now();
    let example = example_path();
    let o = run_in(
        d,
        &[
            "run",
            example.to_str().unwrap(),
            "--trials",
            "900000000",
            "--out",
            "mine",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        stderr(&o).contains("holds files supplyrisk did not write; choose an empty or new folder"),
        "{}",
        stderr(&o)
    );
    assert_eq!(names(&d.join("mine")), ["notes.txt"]);

    // A results folder with a file added by hand is not replaced either.
    std::fs::write(d.join("empty/notes.txt"), "keep me").unwrap();
    let o = example_run(d, "empty", &["--no-plots"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("'notes.txt'"), "{}", stderr(&o));
    assert_eq!(names(d), ["empty", "mine"]);
}

#[test]
fn a_file_a_link_or_an_unwritable_place_as_out_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("file"), "x").unwrap();
    for (out, says) in [
        ("file", "is a file, not a folder"),
        ("file/sub", "cannot be used"),
    ] {
        for cmd in [
            &["run"][..],
            &["sensitivity"],
            &["sweep", "--values", "1,2"],
        ] {
            let mut args: Vec<&str> = cmd.to_vec();
            let p = d.join("full.toml");
            std::fs::write(&p, FULL).unwrap();
            args.extend(["full.toml", "--out", out, "--trials", "50000000"]);
            if cmd[0] == "sweep" {
                args.extend(["--param", "source.cu-cl.capacity"]);
            }
            let o = run_in(d, &args);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
            assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
        }
    }
    #[cfg(unix)]
    {
        std::fs::create_dir(d.join("target")).unwrap();
        std::os::unix::fs::symlink(d.join("target"), d.join("link")).unwrap();
        let o = example_run(d, "link", &[]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
        assert!(names(&d.join("target")).is_empty());
    }
}

#[test]
fn compare_and_merge_check_out_first_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("full.toml"), FULL).unwrap();
    std::fs::create_dir(d.join("mine")).unwrap();
    std::fs::write(d.join("mine/x"), "x").unwrap();
    let o = run_in(
        d,
        &[
            "compare",
            "full.toml",
            "full.toml",
            "--out",
            "mine",
            "--trials",
            "40000000",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("did not write"), "{}", stderr(&o));
    for k in ["1/2", "2/2"] {
        let o = run_in(
            d,
            &[
                "run",
                "full.toml",
                "--trials",
                "3000",
                "--shard",
                k,
                "--out",
                "parts",
                "--quiet",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert_eq!(
        names(&d.join("parts")),
        [
            ".supplyrisk",
            "partial-1-of-2.srpart",
            "partial-2-of-2.srpart"
        ]
    );
    let o = run_in(d, &["merge", "parts", "--out", "mine"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Results never go into a folder of shards, shards never into results.
    let o = run_in(d, &["merge", "parts", "--out", "parts"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run_in(
        d,
        &["merge", "parts", "--out", "merged", "--no-plots", "--quiet"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_in(
        d,
        &[
            "run",
            "full.toml",
            "--trials",
            "3000",
            "--shard",
            "1/2",
            "--out",
            "merged",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not partial results"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn sigint_and_sigterm_remove_the_half_written_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let example = example_path();
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let mut child = Command::new(bin())
            .args([
                "run",
                example.to_str().unwrap(),
                "--trials",
                "200000000",
                "--out",
                "res",
                "--quiet",
            ])
            .current_dir(d)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while !names(d).iter().any(|n| n.starts_with(".res.partial-")) {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no partial folder"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(200));
        let k = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(k.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "SIG{signal}");
        assert!(names(d).is_empty(), "SIG{signal} left {:?}", names(d));
    }
}

#[test]
fn folders_left_by_dead_runs_are_named_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The pid of a process that has ended.
    let mut done = Command::new(bin())
        .arg("--version")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = done.id();
    done.wait().unwrap();
    let left = format!(".res.partial-{pid}-0badcafe");
    std::fs::create_dir(d.join(&left)).unwrap();
    std::fs::write(d.join(&left).join("summary.json"), "{").unwrap();
    let o = example_run_loud(d, "res", &["--no-plots"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let warnings: Vec<&str> = std::str::from_utf8(&o.stderr)
        .unwrap()
        .lines()
        .filter(|l| l.contains(&left))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", stderr(&o));
    assert!(warnings[0].starts_with("warning: left by interrupted supplyrisk runs"));
    assert_eq!(names(d), [left.as_str(), "res"]);
    let o = example_run(d, "res", &["--no-plots"]);
    assert!(o.stderr.is_empty(), "--quiet: {}", stderr(&o));
}

#[test]
fn the_memory_guard_refuses_before_simulating_and_can_be_raised() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let big = FULL
        .replace("years = 4", "years = 1000")
        .replace("growth = 0.03", "growth = 0.0")
        .replace("growth = 0.05", "growth = 0.0");
    std::fs::write(d.join("big.toml"), big).unwrap();
    let o = run_in(
        d,
        &[
            "run",
            "big.toml",
            "--trials",
            "131072",
            "--out",
            "r",
            "--max-memory",
            "3",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("--max-memory"), "{e}");
    assert!(e.contains("3.91 GiB"), "{e}");
    assert!(e.contains("limit of 3 GiB"), "{e}");
    assert!(
        e.contains("2 minerals x 1,000 years x 131,072 trials"),
        "{e}"
    );
    assert_eq!(names(d), ["big.toml"], "nothing written");
    let o = run_in(
        d,
        &[
            "sensitivity",
            "big.toml",
            "--trials",
            "100000",
            "--out",
            "r",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("limit of 4 GiB"), "{}", stderr(&o));
    // The example at 2000 trials needs well under 1 MiB.
    let o = example_run(d, "r", &["--no-plots", "--max-memory", "0.0001"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = example_run(d, "r", &["--no-plots", "--max-memory", "0.01"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = example_run(d, "r", &["--max-memory", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn sensitivity_and_sweep_announce_their_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("full.toml"), FULL).unwrap();
    let o = run_in(
        d,
        &["sensitivity", "full.toml", "--trials", "500", "--no-plots"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // 5 sources, 1 event, all disruptions off together, and the scenario
    // as written.
    assert!(
        stderr(&o).contains("sensitivity: 8 runs of 500 trials (4,000 trials)"),
        "{}",
        stderr(&o)
    );
    let o = run_in(
        d,
        &[
            "sweep",
            "full.toml",
            "--param",
            "source.cu-cl.capacity",
            "--values",
            "50,60,70",
            "--trials",
            "500000",
            "--no-plots",
            "--out",
            "sw",
            "--max-memory",
            "0.001",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run_in(
        d,
        &[
            "sweep",
            "full.toml",
            "--param",
            "source.cu-cl.capacity",
            "--values",
            "50,60,70",
            "--trials",
            "500",
            "--no-plots",
            "--out",
            "sw",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("sweep: 3 runs of 500 trials (1,500 trials)"),
        "{}",
        stderr(&o)
    );
    let o = run_in(
        d,
        &[
            "sensitivity",
            "full.toml",
            "--trials",
            "500",
            "--no-plots",
            "--quiet",
            "--out",
            "s2",
        ],
    );
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
}
