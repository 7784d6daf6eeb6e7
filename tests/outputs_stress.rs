//! The output folder under stress: a link planted in it, two runs into
//! one folder at once, a full disk.

use crate::outputs::{example_run, names};
use crate::util::{bin, example_path, stderr};
use std::process::{Command, Stdio};

#[cfg(unix)]
#[test]
fn a_symlink_planted_in_a_results_folder_is_never_written_through() {
    // A link named like a temporary file inside an existing results folder
    // (pointing at a file elsewhere): the folder now holds a file the
    // program did not write, so the run is refused and the target is
    // untouched.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = example_run(d, "res", &["--no-plots"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::write(d.join("precious"), "keep me").unwrap();
    let link = format!(".summary.json.tmp-{}", std::process::id());
    std::os::unix::fs::symlink(d.join("precious"), d.join("res").join(&link)).unwrap();
    let o = example_run(d, "res", &["--no-plots", "--seed", "9"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("precious")).unwrap(),
        "keep me"
    );
    assert!(std::fs::symlink_metadata(d.join("res/summary.json"))
        .unwrap()
        .file_type()
        .is_file());
}

#[test]
fn two_runs_into_one_folder_at_once_leave_one_complete_run() {
    // Two runs with different seeds race into the same folder, several
    // times: whichever wins, the folder holds one run's files, all of them,
    // and nothing else (years.csv agrees with summary.json).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let example = example_path();
    for round in 0..4 {
        let children: Vec<_> = ["1", "2"]
            .iter()
            .map(|seed| {
                Command::new(bin())
                    .args([
                        "run",
                        example.to_str().unwrap(),
                        "--trials",
                        "3000",
                        "--seed",
                        seed,
                        "--no-plots",
                        "--quiet",
                        "--out",
                        "race",
                    ])
                    .current_dir(d)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let ok = children
            .into_iter()
            .map(|mut c| c.wait().unwrap().success())
            .filter(|&s| s)
            .count();
        assert!(ok >= 1, "round {round}: no run succeeded");
        assert_eq!(
            names(&d.join("race")),
            [".supplyrisk", "summary.csv", "summary.json", "years.csv"],
            "round {round}"
        );
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join("race/summary.json")).unwrap()).unwrap();
        let p0 = summary["minerals"]["copper"]["years"][0]["p_shortfall"]
            .as_f64()
            .unwrap();
        let csv = std::fs::read_to_string(d.join("race/years.csv")).unwrap();
        let first = csv.lines().nth(1).unwrap();
        assert!(first.starts_with("copper,2026,"), "{first}");
        let cell: f64 = first.split(',').nth(3).unwrap().parse().unwrap();
        assert_eq!(
            cell, p0,
            "round {round}: years.csv and summary.json of one run"
        );
        // Nothing temporary is left beside the folder.
        assert_eq!(names(d), ["race"], "round {round}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_leaves_the_previous_run_whole_and_nothing_half_written() {
    // A 256 KiB file system: a run without charts fits, one with charts
    // does not. Mounting needs root (as CI runs); elsewhere the test says
    // so and checks nothing.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(d)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small file system here (needs root)");
        return;
    }
    let o = example_run(d, "res", &["--no-plots", "--seed", "1"]);
    let first_ok = o.status.code() == Some(0);
    let full = example_run(d, "res", &["--seed", "2"]);
    let after = names(&d.join("res"));
    let seed = std::fs::read_to_string(d.join("res/summary.json")).unwrap_or_default();
    let beside = names(d);
    let _ = Command::new("umount").arg(d).status();
    assert!(first_ok, "{}", stderr(&o));
    assert_eq!(full.status.code(), Some(1), "{}", stderr(&full));
    assert!(stderr(&full).contains("No space left"), "{}", stderr(&full));
    assert_eq!(
        after,
        [".supplyrisk", "summary.csv", "summary.json", "years.csv"]
    );
    assert!(
        seed.contains("\"seed\": 1,"),
        "the first run's files, whole"
    );
    assert_eq!(beside, ["res"], "no half-written folder left beside it");
}
