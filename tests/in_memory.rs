//! The commands run on a scenario's text with their outputs kept in memory
//! (as the Python package runs them) give the files the commands write.

use std::path::{Path, PathBuf};
use supplyrisk::commands::{self, ScenarioText, SimOptions, SweepOptions};
use supplyrisk::{partial, sweep, Error};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/example.toml");

fn opts(trials: u64) -> SimOptions {
    SimOptions {
        trials: Some(trials),
        seed: Some(5),
        quiet: true,
        chart_size: supplyrisk::plot::ChartSize {
            width: 480,
            height: 320,
        },
        ..SimOptions::default()
    }
}

fn in_memory(trials: u64) -> SimOptions {
    SimOptions {
        in_memory: true,
        ..opts(trials)
    }
}

/// Every output file in `dir` (not the folder's hidden marker), by name.
fn written(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .map(|name| {
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            (name, bytes)
        })
        .collect();
    files.sort();
    files
}

fn sorted(mut outputs: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    outputs.sort();
    outputs
}

#[test]
fn run_in_memory_gives_the_files_run_writes_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let on_disk = commands::run(
        Path::new(EXAMPLE),
        &SimOptions {
            out: Some(out.clone()),
            ..opts(2000)
        },
    )
    .unwrap();
    let input = ScenarioText::read(Path::new(EXAMPLE)).unwrap();
    let never = dir.path().join("never");
    let memory = commands::run_text(
        &input,
        &SimOptions {
            out: Some(never.clone()),
            ..in_memory(2000)
        },
    )
    .unwrap();
    assert!(!never.exists() && memory.files.is_empty());
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&sorted(memory.outputs.clone())),
        names(&written(&out))
    );
    assert_eq!(sorted(memory.outputs), written(&out));
    assert_eq!(sorted(on_disk.outputs), written(&out));
    assert!(memory.parts.is_some());
}

#[test]
fn shards_in_memory_merge_into_the_plain_run() {
    let input = ScenarioText::read(Path::new(EXAMPLE)).unwrap();
    let plain = commands::run_text(&input, &in_memory(5000)).unwrap();
    let parts: Vec<(PathBuf, Result<Vec<u8>, _>)> = [3, 1, 2]
        .iter()
        .map(|&k| {
            let shard = SimOptions {
                shard: Some((k, 3)),
                ..in_memory(5000)
            };
            let report = commands::run_text(&input, &shard).unwrap();
            assert!(report.summary.is_none() && report.parts.is_none());
            let (name, bytes) = report.outputs.into_iter().next().unwrap();
            assert_eq!(name, partial::file_name(k, 3));
            (PathBuf::from(name), Ok(bytes))
        })
        .collect();
    let merged =
        commands::merge_partials(partial::read_all(parts).unwrap(), &in_memory(5000)).unwrap();
    assert_eq!(merged.outputs, plain.outputs);
    let bad = partial::read_all([(PathBuf::from("x"), Ok(b"nonsense".to_vec()))]);
    assert!(matches!(bad, Err(Error::Input(_))));
}

#[test]
fn a_finished_run_saved_as_its_one_slice_merges_back_byte_for_byte() {
    // Exact (every value kept) and sketched sizes, a physical and a market
    // scenario (signed cost sketches): the saved whole, merged, is the run,
    // charts included; and its record finishes to the same aggregate.
    let market = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/example-market.toml");
    for (file, trials) in [(EXAMPLE, 3000), (EXAMPLE, 140_000), (market, 140_000)] {
        let input = ScenarioText::read(Path::new(file)).unwrap();
        let with_charts = SimOptions {
            no_plots: false,
            ..in_memory(trials)
        };
        let plain = commands::run_text(&input, &with_charts).unwrap();
        let parts = plain.parts.as_ref().unwrap();
        let record = supplyrisk::engine::Record::of_whole(&parts.agg).unwrap();
        assert_eq!(
            record.clone().finish().unwrap(),
            parts.agg,
            "{file} {trials}"
        );
        let saved = parts.to_partial().unwrap();
        let read = partial::read_all([(PathBuf::from("saved"), Ok(saved))]).unwrap();
        assert_eq!(read[0].1.header.shard, 1);
        assert_eq!(read[0].1.header.shards, 1);
        let merged = commands::merge_partials(read, &with_charts).unwrap();
        assert_eq!(merged.outputs, plain.outputs, "{file} {trials}");
        assert!(merged.outputs.iter().any(|(n, _)| n.ends_with(".png")));
    }
}

#[test]
fn sweep_in_memory_gives_the_files_sweep_writes() {
    let dir = tempfile::tempdir().unwrap();
    let sw = SweepOptions {
        param: "source.chile-copper.access".into(),
        values: Some("0.4,0.8".into()),
        ..SweepOptions::default()
    };
    let out = dir.path().join("sweep");
    let path = Path::new(EXAMPLE);
    commands::sweep(
        path,
        &sw,
        &SimOptions {
            out: Some(out.clone()),
            ..opts(1024)
        },
    )
    .unwrap();
    let input = ScenarioText::read(path).unwrap();
    let memory = commands::sweep_text(&input, &sw, &in_memory(1024)).unwrap();
    assert_eq!(sorted(memory.outputs), written(&out));
}

#[test]
fn with_values_sets_every_address_and_names_them_in_errors() {
    let text = std::fs::read_to_string(EXAMPLE).unwrap();
    let p = |s: &str| sweep::SweepParam::parse(s).unwrap();
    let (changed, label, scenario) = sweep::with_values(
        &text,
        "example.toml",
        &[
            (p("source.chile-copper.access"), 0.25),
            (p("mineral.copper.demand.growth"), 0.5),
        ],
    )
    .unwrap();
    assert_eq!(
        label,
        "example.toml with source.chile-copper.access = 0.25, mineral.copper.demand.growth = 0.5"
    );
    let chile = scenario
        .sources
        .iter()
        .find(|s| s.id == "chile-copper")
        .unwrap();
    assert_eq!(chile.access, 0.25);
    assert_eq!(scenario.minerals[0].demand.growth, 0.5);
    assert_eq!(
        p("source.chile-copper.access").current(&changed),
        Some(0.25)
    );
    let err = sweep::with_values(
        &text,
        "example.toml",
        &[(p("source.chile-copper.access"), 2.0)],
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("example.toml:")
            && err.contains(".access: with source.chile-copper.access = 2: expected"),
        "{err}"
    );
}

#[test]
fn a_cancelled_command_stops_early_and_returns_cancelled() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let input = ScenarioText::read(Path::new(EXAMPLE)).unwrap();
    // Cancelled before it starts: each worker simulates at most one chunk
    // (of a run that keeps every trial, and of a sketched one), and
    // nothing comes back; the same for a comparison.
    let cancel = Arc::new(AtomicBool::new(true));
    let cancelled = |trials: u64| SimOptions {
        cancel: Some(cancel.clone()),
        ..in_memory(trials)
    };
    for trials in [100_000, 50_000_000] {
        let run = commands::run_text(&input, &cancelled(trials));
        assert!(matches!(run, Err(Error::Cancelled)), "{trials}");
    }
    let compared = commands::compare_text(&input, &input, &cancelled(100_000));
    assert!(matches!(compared, Err(Error::Cancelled)));
    let o = cancelled(50_000_000);
    // Cancelled from another thread while it runs.
    let setter = {
        let cancel = cancel.clone();
        cancel.store(false, Ordering::Relaxed);
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            cancel.store(true, Ordering::Relaxed);
        })
    };
    assert!(matches!(
        commands::run_text(&input, &o),
        Err(Error::Cancelled)
    ));
    setter.join().unwrap();
    // Not cancelled: the same results as without a flag.
    cancel.store(false, Ordering::Relaxed);
    let with_flag = SimOptions {
        cancel: Some(cancel),
        ..in_memory(3000)
    };
    let a = commands::run_text(&input, &with_flag).unwrap().outputs;
    let b = commands::run_text(&input, &in_memory(3000))
        .unwrap()
        .outputs;
    assert_eq!(a, b);
}

#[test]
fn a_progress_feed_ends_at_the_last_simulation_s_total() {
    use std::sync::Arc;
    let input = ScenarioText::read(Path::new(EXAMPLE)).unwrap();
    let feed = Arc::new(commands::ProgressFeed::default());
    assert_eq!(feed.phase(), None);
    let o = SimOptions {
        feed: Some(feed.clone()),
        ..in_memory(5000)
    };
    let watched = commands::compare_text(&input, &input, &o).unwrap();
    let phase = commands::Phase {
        number: 2,
        label: "alternative".into(),
        done: 5000,
        total: 5000,
    };
    assert_eq!(feed.phase(), Some(phase));
    let plain = commands::compare_text(&input, &input, &in_memory(5000)).unwrap();
    assert_eq!(watched.outputs, plain.outputs);
}

#[test]
fn a_memory_limit_out_of_range_is_bad_input() {
    let input = ScenarioText::read(Path::new(EXAMPLE)).unwrap();
    for g in [-1.0, 0.0, f64::NAN, 2e6] {
        let o = SimOptions {
            max_memory: Some(g),
            ..in_memory(100)
        };
        let e = commands::run_text(&input, &o).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{g}");
        assert!(
            e.to_string()
                .contains("--max-memory: expected a number of GiB above 0 and at most 1000000"),
            "{e}"
        );
    }
}
