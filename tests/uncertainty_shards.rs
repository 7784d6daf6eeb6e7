//! `uncertainty --shard K/N` and `merge`, through the real binary: a merge
//! of a study's shards writes the unsharded study's files byte for byte,
//! and shard sets that are not the slices of one study are refused with
//! exit status 2 and nothing written.

use crate::shards::{assert_same_files, ok, refused};
use crate::uncertainty::TWO;
use crate::util::{run_in, stderr, stdout};
use std::path::Path;

/// 4 base sets of the two parameters of [`TWO`]: 16 parameter sets.
const SAMPLES: &str = "4";
const TRIALS: &str = "200";
const SEED: &str = "3";

/// Write [`TWO`] as `u.toml` in `d`.
fn scenario(d: &Path) {
    std::fs::write(d.join("u.toml"), TWO).unwrap();
}

/// The study of `u.toml` with `extra` flags, into `out`; a `--samples`,
/// `--trials` or `--seed` in `extra` replaces the study's.
fn study(d: &Path, out: &str, extra: &[&str]) {
    let mut args = vec!["uncertainty", "u.toml", "--out", out, "--quiet"];
    for (flag, value) in [
        ("--samples", SAMPLES),
        ("--trials", TRIALS),
        ("--seed", SEED),
    ] {
        if !extra.contains(&flag) {
            args.extend([flag, value]);
        }
    }
    args.extend(extra);
    ok(d, &args);
}

/// Shards `ks` of `n` of the study of `u.toml`, into `out`, with `extra`
/// flags (as [`study`]).
fn study_shards(d: &Path, out: &str, n: u64, ks: &[u64], extra: &[&str]) {
    for k in ks {
        let shard = format!("{k}/{n}");
        let mut flags = vec!["--shard", shard.as_str()];
        flags.extend(extra);
        study(d, out, &flags);
    }
}

/// The bytes of `dir/name`.
fn read(d: &Path, dir: &str, name: &str) -> Vec<u8> {
    std::fs::read(d.join(dir).join(name)).unwrap_or_else(|e| panic!("{dir}/{name}: {e}"))
}

#[test]
fn merged_study_shards_write_the_unsharded_studys_files_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    scenario(d);
    let size = ["--chart-size", "640x400"];
    study(d, "whole", &size);
    // One shard; an even split (8 + 8 sets); an uneven one (5 + 5 + 6),
    // run out of order, merged with charts and the page; more shards than
    // sets (two run none).
    let eighteen: Vec<u64> = (1..=18).rev().collect();
    for (n, ks) in [
        (1u64, vec![1u64]),
        (2, vec![1, 2]),
        (3, vec![3, 1, 2]),
        (18, eighteen),
    ] {
        let parts = format!("parts-{n}");
        let merged = format!("merged-{n}");
        study_shards(d, &parts, n, &ks, &["--no-plots"]);
        if n == 3 {
            ok(
                d,
                &[
                    "merge", &parts, "--out", &merged, "--quiet", size[0], size[1],
                ],
            );
            assert_same_files(&d.join("whole"), &d.join(&merged));
        } else {
            ok(
                d,
                &["merge", &parts, "--out", &merged, "--no-plots", "--quiet"],
            );
        }
        for f in ["uncertainty.json", "uncertainty_runs.csv"] {
            assert!(
                read(d, "whole", f) == read(d, &merged, f),
                "{f} differs after merging {n} shards"
            );
        }
    }
    // The merged study has its bootstrap intervals and every run.
    let v: serde_json::Value =
        serde_json::from_slice(&read(d, "merged-2", "uncertainty.json")).unwrap();
    assert_eq!(v["samples"], 4);
    let sobol = &v["minerals"]["cu"]["eud_total"]["sobol"][0];
    assert!(sobol["total_lo"].is_number() && sobol["total_hi"].is_number());
    let csv = String::from_utf8(read(d, "merged-3", "uncertainty_runs.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 16);
}

#[test]
fn a_study_shard_writes_a_partial_result_and_says_which_sets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    scenario(d);
    let o = run_in(
        d,
        &[
            "uncertainty",
            "u.toml",
            "--samples",
            SAMPLES,
            "--trials",
            TRIALS,
            "--shard",
            "2/3",
            "--out",
            "p",
            "--no-plots",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("parameter sets 6 to 10 of 16"),
        "{}",
        stdout(&o)
    );
    assert!(d.join("p/partial-2-of-3.srpart").is_file());
    assert!(!d.join("p/uncertainty.json").exists());
    let help = run_in(d, &["uncertainty", "--help"]);
    assert!(stdout(&help).contains("--shard <K/N>"), "{}", stdout(&help));
}

/// Shards 1..=3 of 3 of the study, in `parts`.
fn good_parts(d: &Path) {
    scenario(d);
    study_shards(d, "parts", 3, &[1, 2, 3], &[]);
}

/// A folder `name` with shards 1 and 3 of `parts` and every file of
/// `other`.
fn mixed(d: &Path, name: &str, other: Option<&str>) {
    let m = d.join(name);
    std::fs::create_dir(&m).unwrap();
    for k in [1, 3] {
        let f = format!("partial-{k}-of-3.srpart");
        std::fs::copy(d.join("parts").join(&f), m.join(&f)).unwrap();
    }
    for e in other
        .map(|o| std::fs::read_dir(d.join(o)).unwrap())
        .into_iter()
        .flatten()
    {
        let e = e.unwrap();
        if e.file_name() != ".supplyrisk" {
            std::fs::copy(e.path(), m.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn a_missing_or_repeated_study_shard_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    good_parts(d);
    mixed(d, "two", None);
    refused(
        d,
        &["two"],
        "expected all 3 shards of the uncertainty study, found no partial result for shard 2/3",
    );
    refused(d, &["parts", "two"], "found shard 1/3 again");
}

#[test]
fn study_shards_of_different_studies_or_of_a_run_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    good_parts(d);
    study_shards(d, "seed", 3, &[2], &["--seed", "4"]);
    study_shards(d, "samples", 3, &[2], &["--samples", "8"]);
    study_shards(d, "trials", 3, &[2], &["--trials", "300"]);
    mixed(d, "m-seed", Some("seed"));
    mixed(d, "m-samples", Some("samples"));
    mixed(d, "m-trials", Some("trials"));
    refused(d, &["m-seed"], "expected seed 3");
    refused(d, &["m-samples"], "expected samples 4");
    refused(d, &["m-trials"], "expected trials 200");
    // Another scenario: one parameter's distribution changed.
    std::fs::write(
        d.join("v.toml"),
        TWO.replacen("max = 130.0", "max = 131.0", 1),
    )
    .unwrap();
    ok(
        d,
        &[
            "uncertainty",
            "v.toml",
            "--samples",
            SAMPLES,
            "--trials",
            TRIALS,
            "--seed",
            SEED,
            "--shard",
            "2/3",
            "--out",
            "v",
            "--quiet",
        ],
    );
    mixed(d, "m-scenario", Some("v"));
    refused(d, &["m-scenario"], "expected the scenario");
    // A plain run's shard with a study's.
    ok(
        d,
        &[
            "run", "u.toml", "--trials", TRIALS, "--seed", SEED, "--shard", "1/1", "--out", "run",
            "--quiet",
        ],
    );
    mixed(d, "m-kind", Some("run"));
    refused(
        d,
        &["m-kind"],
        "partial results of a run and of an uncertainty study do not merge",
    );
    refused(d, &["run", "parts"], "do not merge");
}

#[test]
fn corrupt_study_shards_and_bad_shard_flags_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    good_parts(d);
    let bytes = read(d, "parts", "partial-2-of-3.srpart");
    let spoil = |name: &str, b: &[u8]| {
        mixed(d, name, None);
        std::fs::write(d.join(name).join("partial-2-of-3.srpart"), b).unwrap();
    };
    spoil("truncated", &bytes[..bytes.len() - 10]);
    refused(d, &["truncated"], "truncated or corrupt");
    let mut flipped = bytes.clone();
    let at = flipped.len() - 5;
    flipped[at] ^= 0x10;
    spoil("flipped", &flipped);
    refused(d, &["flipped"], "checksum");
    // A header whose values changed is corrupt ...
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let from = "\"parameters\":[\"source.cu.mine.capacity\"";
    let to = "\"parameters\":[\"source.cu.mine.access\"";
    assert!(text.contains(from));
    let magic = supplyrisk::partial::MAGIC.len();
    let header_end = magic + bytes[magic..].iter().position(|&c| c == b'\n').unwrap();
    let header = String::from_utf8(bytes[..header_end].to_vec()).unwrap();
    spoil(
        "header",
        &[
            header.replacen(from, to, 1).as_bytes(),
            &bytes[header_end..],
        ]
        .concat(),
    );
    refused(d, &["header"], "does not match its checksum");
    // ... and headers edited alike in every shard, with checksums that fit,
    // agree with one another but not with the scenario.
    std::fs::create_dir(d.join("edited")).unwrap();
    for k in 1..=3 {
        let name = format!("partial-{k}-of-3.srpart");
        let b = read(d, "parts", &name);
        let end = magic + b[magic..].iter().position(|&c| c == b'\n').unwrap();
        let mut header: supplyrisk::partial::Header =
            serde_json::from_slice(&b[magic..end]).unwrap();
        let study = header.study.as_mut().unwrap();
        assert_eq!(study.parameters[0], "source.cu.mine.capacity");
        study.parameters[0] = "source.cu.mine.access".into();
        header.crc32 = supplyrisk::partial::checksum(&header, &b[end + 1..]);
        let line = serde_json::to_vec(&header).unwrap();
        let edited = [&b[..magic], &line, &b[end..]].concat();
        std::fs::write(d.join("edited").join(&name), edited).unwrap();
    }
    refused(d, &["edited"], "do not fit the study's design");
    for (shard, expect) in [
        ("0/3", "1 <= K <= N"),
        ("1/1048577", "at most 1048576 shards"),
    ] {
        let o = run_in(
            d,
            &[
                "uncertainty",
                "u.toml",
                "--samples",
                SAMPLES,
                "--trials",
                TRIALS,
                "--shard",
                shard,
                "--out",
                "s",
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{shard}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{shard}: {}", stderr(&o));
        assert!(!d.join("s").exists());
    }
}
