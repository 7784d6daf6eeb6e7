//! Limits that keep the program from hanging or writing in the wrong
//! place: input files larger than 16 MiB, directories and devices are
//! refused quickly; thread counts beyond the cores are cut to them; a file
//! named `...toml` writes under `results/scenario/`.

use crate::util::{bin, run_in, stderr};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use supplyrisk::commands::{default_out_dir, max_threads, with_threads};
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
    for name in ["...toml", "..toml", "..", ".", "/"] {
        let out = default_out_dir(Path::new(name));
        assert_eq!(out, Path::new("results/scenario"), "{name}");
    }
    assert_eq!(
        default_out_dir(Path::new("scenarios/us.toml")),
        Path::new("results/us")
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("...toml"),
        "[scenario]\nname = \"x\"\nstart_year = 2026\nyears = 1\n[[mineral]]\nid = \"cu\"\ndemand = { base = 1 }\n",
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
        "[scenario]\nname = \"x\"\nstart_year = 2026\nyears = 1\n[[mineral]]\nid = \"cu\"\ndemand = { base = 1 }\n",
    )
    .unwrap();
    let args = [
        "run",
        "t.toml",
        "--trials",
        "50",
        "--no-plots",
        "--threads",
        "100000",
    ];
    let o = run_within(dir.path(), &args, Duration::from_secs(60));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "warning: --threads 100000 is more than the {cap} cores available; using {cap}"
        )),
        "{err}"
    );
    let quiet: Vec<&str> = args.iter().copied().chain(["--quiet"]).collect();
    let o = run_within(dir.path(), &quiet, Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}
