//! `run --shard K/N` and `merge`, through the real binary: a merge of the
//! shards writes the unsharded run's files byte for byte, and shard sets
//! that are not the slices of one run are refused with exit status 2 and
//! nothing written.

use crate::util::{example_path, run_in, stderr};
use std::path::{Path, PathBuf};

/// Run the binary in `dir`, asserting success.
pub(crate) fn ok(dir: &Path, args: &[&str]) {
    let o = run_in(dir, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
}

/// The shards `ks` of `n` of the example at `trials` and `seed`, into `to`.
fn shards(dir: &Path, to: &str, trials: &str, seed: &str, n: u64, ks: &[u64]) {
    shards_of(&example_path(), dir, to, trials, seed, n, ks);
}

/// The shards `ks` of `n` of scenario `example` at `trials` and `seed`,
/// into `to`.
fn shards_of(example: &Path, dir: &Path, to: &str, trials: &str, seed: &str, n: u64, ks: &[u64]) {
    for k in ks {
        let shard = format!("{k}/{n}");
        ok(
            dir,
            &[
                "run",
                example.to_str().unwrap(),
                "--trials",
                trials,
                "--seed",
                seed,
                "--shard",
                &shard,
                "--out",
                to,
                "--quiet",
            ],
        );
    }
}

/// Every file of folder `a` is in `b` with the same bytes, and `b` holds
/// no other (but the marker, whose first line names the command: `run` or
/// `merge`).
pub(crate) fn assert_same_files(a: &Path, b: &Path) {
    let names = |d: &Path| {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != ".supplyrisk")
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(a), names(b));
    for name in names(a) {
        assert!(
            std::fs::read(a.join(&name)).unwrap() == std::fs::read(b.join(&name)).unwrap(),
            "{} differs",
            name.to_string_lossy()
        );
    }
}

#[test]
fn merged_shards_write_the_unsharded_runs_files_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let example = example_path();
    // An exact size with charts and report, split unevenly into 3 (shards
    // run out of order, into one folder), and into one folder per shard.
    ok(
        d,
        &[
            "run",
            example.to_str().unwrap(),
            "--trials",
            "5000",
            "--seed",
            "11",
            "--out",
            "whole",
            "--chart-size",
            "640x400",
            "--quiet",
        ],
    );
    shards(d, "parts", "5000", "11", 3, &[2, 3, 1]);
    ok(
        d,
        &[
            "merge",
            "parts",
            "--out",
            "merged",
            "--chart-size",
            "640x400",
            "--quiet",
        ],
    );
    assert_same_files(&d.join("whole"), &d.join("merged"));
    // More shards than the run's 5 chunks: the shards past them run no
    // trial, and the merge is the same.
    shards(d, "many", "5000", "11", 8, &[8, 1, 2, 3, 4, 5, 6, 7]);
    ok(
        d,
        &[
            "merge",
            "many",
            "--out",
            "merged8",
            "--chart-size",
            "640x400",
            "--quiet",
        ],
    );
    assert_same_files(&d.join("whole"), &d.join("merged8"));
    for k in 1..=5 {
        shards(d, &format!("each/{k}"), "5000", "11", 5, &[k]);
    }
    let each: Vec<String> = (1..=5).map(|k| format!("each/{k}")).collect();
    let mut args = vec!["merge"];
    args.extend(each.iter().map(String::as_str));
    args.extend(["--out", "merged5", "--no-plots", "--quiet"]);
    ok(d, &args);
    for f in ["summary.json", "years.csv"] {
        assert_eq!(
            std::fs::read(d.join("whole").join(f)).unwrap(),
            std::fs::read(d.join("merged5").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn shards_started_together_into_one_new_folder_all_succeed() {
    // As a job array starts them: every shard at once, into one folder
    // that none has created yet, each writing the folder's marker and its
    // partial result beside the others' temporary files.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let example = example_path();
    for round in 0..3 {
        let to = format!("parts{round}");
        let children: Vec<_> = (1..=8)
            .map(|k| {
                std::process::Command::new(crate::util::bin())
                    .args(["run", example.to_str().unwrap(), "--trials", "2000"])
                    .args(["--seed", "5", "--threads", "1", "--quiet", "--out", &to])
                    .args(["--shard", &format!("{k}/8")])
                    .current_dir(d)
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (k, child) in children.into_iter().enumerate() {
            let o = child.wait_with_output().unwrap();
            assert_eq!(o.status.code(), Some(0), "shard {}: {}", k + 1, stderr(&o));
        }
        let out = format!("merged{round}");
        ok(d, &["merge", &to, "--out", &out, "--no-plots", "--quiet"]);
    }
    for round in 1..3 {
        assert_same_files(&d.join("merged0"), &d.join(format!("merged{round}")));
    }
}

#[test]
fn merged_shards_of_a_world_market_run_are_the_unsharded_run_byte_for_byte() {
    // Prices, costs, stocks and the signed cost distribution merge too,
    // exactly (a small run keeps every value) and sketched (above the
    // exact-quantile limit).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let market = example_path().with_file_name("example-market.toml");
    for (trials, n) in [("3000", 3u64), ("140000", 2)] {
        let whole = format!("whole-{trials}");
        let parts = format!("parts-{trials}");
        let merged = format!("merged-{trials}");
        let m = market.to_str().unwrap();
        ok(
            d,
            &[
                "run",
                m,
                "--trials",
                trials,
                "--seed",
                "3",
                "--out",
                &whole,
                "--no-plots",
                "--quiet",
            ],
        );
        let ks: Vec<u64> = (1..=n).rev().collect();
        shards_of(&market, d, &parts, trials, "3", n, &ks);
        ok(
            d,
            &["merge", &parts, "--out", &merged, "--no-plots", "--quiet"],
        );
        assert_same_files(&d.join(&whole), &d.join(&merged));
    }
}

/// A folder of valid shards 1..=3 of 3 of the example (5,000 trials,
/// seed 11), for the refusal tests to spoil.
fn good_parts(d: &Path) -> PathBuf {
    shards(d, "parts", "5000", "11", 3, &[1, 2, 3]);
    d.join("parts")
}

/// `merge` of `inputs` fails with exit status 2, a message containing
/// `expect`, and no output folder.
pub(crate) fn refused(d: &Path, inputs: &[&str], expect: &str) {
    let mut args = vec!["merge"];
    args.extend(inputs);
    args.extend(["--out", "merged", "--no-plots"]);
    let o = run_in(d, &args);
    assert_eq!(o.status.code(), Some(2), "{inputs:?}: {}", stderr(&o));
    assert!(
        stderr(&o).contains(expect),
        "expected '{expect}' in: {}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"));
    assert!(!d.join("merged").exists(), "nothing written");
}

#[test]
fn a_missing_or_repeated_shard_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let parts = good_parts(d);
    std::fs::create_dir(d.join("two")).unwrap();
    for k in [1, 3] {
        let name = format!("partial-{k}-of-3.srpart");
        std::fs::copy(parts.join(&name), d.join("two").join(&name)).unwrap();
    }
    refused(d, &["two"], "no partial result for shard 2/3");
    refused(d, &["parts", "two"], "found shard 1/3 again");
    // One folder given twice, or a file with its folder, is read once.
    let once = ["parts", "parts", "parts/partial-2-of-3.srpart"];
    let mut args = vec!["merge"];
    args.extend(once);
    args.extend(["--out", "twice", "--no-plots", "--quiet"]);
    let o = run_in(d, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::create_dir(d.join("empty")).unwrap();
    refused(d, &["empty"], "found none");
    refused(d, &["nowhere"], "no such file or folder");
}

#[test]
fn shards_of_different_runs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    good_parts(d);
    // Shard 2 of another seed, of other trials, of another split.
    for (folder, trials, seed, n) in [
        ("seed", "5000", "12", 3),
        ("trials", "6000", "11", 3),
        ("split", "5000", "11", 4),
    ] {
        shards(d, folder, trials, seed, n, &[2]);
    }
    let mixed = |name: &str, other: &str| {
        let m = d.join(name);
        std::fs::create_dir(&m).unwrap();
        for k in [1, 3] {
            let f = format!("partial-{k}-of-3.srpart");
            std::fs::copy(d.join("parts").join(&f), m.join(&f)).unwrap();
        }
        for e in std::fs::read_dir(d.join(other)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), m.join(e.file_name())).unwrap();
        }
    };
    mixed("m-seed", "seed");
    mixed("m-trials", "trials");
    mixed("m-split", "split");
    refused(d, &["m-seed"], "expected seed 11");
    refused(d, &["m-trials"], "expected trials 5000");
    refused(d, &["m-split"], "expected a split into 3 shards");
    // Another scenario: the same example with one number changed.
    let text =
        std::fs::read_to_string(example_path())
            .unwrap()
            .replacen("seed = 2026", "seed = 2027", 1);
    std::fs::write(d.join("other.toml"), text).unwrap();
    ok(
        d,
        &[
            "run",
            "other.toml",
            "--trials",
            "5000",
            "--seed",
            "11",
            "--shard",
            "2/3",
            "--out",
            "o",
            "--quiet",
        ],
    );
    mixed("m-scenario", "o");
    refused(d, &["m-scenario"], "expected the scenario");
}

#[test]
fn truncated_corrupt_and_foreign_partial_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let parts = good_parts(d);
    let second = parts.join("partial-2-of-3.srpart");
    let bytes = std::fs::read(&second).unwrap();
    let spoil = |name: &str, b: &[u8]| {
        let m = d.join(name);
        std::fs::create_dir(&m).unwrap();
        for k in [1, 3] {
            let f = format!("partial-{k}-of-3.srpart");
            std::fs::copy(parts.join(&f), m.join(&f)).unwrap();
        }
        std::fs::write(m.join("partial-2-of-3.srpart"), b).unwrap();
    };
    spoil("truncated", &bytes[..bytes.len() - 100]);
    refused(d, &["truncated"], "truncated or corrupt");
    let mut flipped = bytes.clone();
    let at = flipped.len() - 50;
    flipped[at] ^= 0x10;
    spoil("flipped", &flipped);
    refused(d, &["flipped"], "checksum");
    spoil("foreign", b"{\"not\": \"a partial result\"}\n");
    refused(d, &["foreign"], "another kind of file");
    // A partial result of another format version.
    let text = String::from_utf8_lossy(&bytes[..200]).into_owned();
    assert!(text.contains("\"format\":6"), "{text}");
    // The header with each `(from, to)` replaced once.
    let edited = |changes: &[(&str, &str)]| -> Vec<u8> {
        let header_end = bytes.iter().skip(26).position(|&b| b == b'\n').unwrap() + 26;
        let mut header = String::from_utf8(bytes[..header_end].to_vec()).unwrap();
        for (from, to) in changes {
            assert!(header.contains(from), "{from}");
            header = header.replacen(from, to, 1);
        }
        [header.as_bytes(), &bytes[header_end..]].concat()
    };
    // The header's values changed, one at a time: the scenario's text (its
    // name, as a merge would print it), the seed, the scenario file.
    for (name, from, to) in [
        ("text", "Example", "Xxample"),
        ("seed", "\"seed\":11", "\"seed\":12"),
        ("file", "\"scenario_file\":\"", "\"scenario_file\":\"x"),
    ] {
        spoil(name, &edited(&[(from, to)]));
        refused(d, &[name], "does not match its checksum");
    }
    spoil("newer", &edited(&[("\"format\":6", "\"format\":7")]));
    refused(
        d,
        &["newer"],
        "expected partial result format 6, found format 7",
    );
    // An older one, whose header has other keys.
    let older = edited(&[
        ("\"format\":6", "\"format\":2"),
        ("\"slice\":", "\"chunks\":"),
    ]);
    spoil("older", &older);
    refused(
        d,
        &["older"],
        "expected partial result format 6, found format 2",
    );
}

/// `bytes` of a partial result with its body replaced by `body`, the
/// header's length and checksum made to fit (so the body reaches the
/// decoder).
fn with_body(bytes: &[u8], body: &[u8]) -> Vec<u8> {
    refitted(bytes, body, |_| {})
}

/// `bytes` of a partial result with its body replaced by `body` and its
/// header edited by `edit`, the header's length and checksum made to fit.
fn refitted(
    bytes: &[u8],
    body: &[u8],
    edit: impl FnOnce(&mut supplyrisk::partial::Header),
) -> Vec<u8> {
    let magic = supplyrisk::partial::MAGIC.len();
    let end = magic + bytes[magic..].iter().position(|&b| b == b'\n').unwrap();
    let mut header: supplyrisk::partial::Header =
        serde_json::from_slice(&bytes[magic..end]).unwrap();
    edit(&mut header);
    header.body_bytes = body.len() as u64;
    header.crc32 = supplyrisk::partial::checksum(&header, body);
    let header = serde_json::to_vec(&header).unwrap();
    [&bytes[..magic], &header, b"\n", body].concat()
}

#[test]
fn partial_results_of_another_program_or_with_a_wrong_scenario_hash_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let parts = good_parts(d);
    let f = parts.join("partial-2-of-3.srpart");
    let bytes = std::fs::read(&f).unwrap();
    let magic = supplyrisk::partial::MAGIC.len();
    let body_start = magic + bytes[magic..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let body = &bytes[body_start..];
    // Checksums refitted: the framing holds, the header's claims do not.
    std::fs::write(
        &f,
        refitted(&bytes, body, |h| h.program = "supplyrisk 9.9.9".into()),
    )
    .unwrap();
    refused(
        d,
        &["parts"],
        "found one of supplyrisk 9.9.9: merge with the program that wrote it",
    );
    std::fs::write(
        &f,
        refitted(&bytes, body, |h| h.scenario_sha256 = "ab".into()),
    )
    .unwrap();
    refused(d, &["parts"], "does not match its SHA-256");
}

#[test]
fn bodies_that_do_not_decode_are_refused_each_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let parts = good_parts(d);
    // Shards 1 and 3 with bodies cut short (checksums refitted): both are
    // named, though each is found only as it is decoded.
    for k in [1, 3] {
        let f = parts.join(format!("partial-{k}-of-3.srpart"));
        let bytes = std::fs::read(&f).unwrap();
        let start = bytes.len() - 2000;
        std::fs::write(&f, with_body(&bytes, &bytes[start..start + 1000])).unwrap();
    }
    refused(d, &["parts"], "expected a valid record");
    refused(d, &["parts"], "partial-1-of-3.srpart");
    refused(d, &["parts"], "partial-3-of-3.srpart");
}

#[test]
fn a_partial_file_that_changes_during_the_merge_is_refused() {
    use supplyrisk::{commands, partial};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let parts = good_parts(d);
    let files = partial::find(std::slice::from_ref(&parts)).unwrap();
    let read = partial::load(&files).unwrap();
    // Shard 2 replaced by shard 2 of another seed after it was read.
    shards(d, "other", "5000", "12", 3, &[2]);
    let name = "partial-2-of-3.srpart";
    std::fs::copy(d.join("other").join(name), parts.join(name)).unwrap();
    let opts = commands::SimOptions {
        out: Some(d.join("merged")),
        quiet: true,
        no_plots: true,
        ..Default::default()
    };
    let e = commands::merge_partials(read, &opts).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("changed while"), "{e}");
    assert!(!d.join("merged").exists(), "nothing written");
}

#[test]
fn a_shard_of_another_run_is_refused_before_it_writes_and_merge_names_the_odd_one_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let parts = good_parts(d);
    let bytes = |k: u64| std::fs::read(parts.join(format!("partial-{k}-of-3.srpart"))).unwrap();
    let before: Vec<Vec<u8>> = (1..=3).map(bytes).collect();
    let shard = |seed: &str, trials: &str, k_of_n: &str| {
        let example = example_path();
        let args = [
            "run",
            example.to_str().unwrap(),
            "--trials",
            trials,
            "--seed",
            seed,
            "--shard",
            k_of_n,
            "--out",
            "parts",
            "--quiet",
        ];
        run_in(d, &args)
    };
    // Another seed, other trials, another split: refused, every file
    // left as it was.
    for (seed, trials, k_of_n, expect) in [
        ("12", "5000", "2/3", "one of another run (seed 11, not 12)"),
        ("11", "6000", "2/3", "(trials 5000, not 6000)"),
        ("11", "5000", "2/4", "(a split into 3 shards, not 4 shards)"),
    ] {
        let o = shard(seed, trials, k_of_n);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{expect}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("partial-1-of-3.srpart"),
            "{}",
            stderr(&o)
        );
        let after: Vec<Vec<u8>> = (1..=3).map(bytes).collect();
        assert!(after == before, "files unchanged");
    }
    // A study's shard into a run's folder.
    let study = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example-uncertainty.toml");
    let o = run_in(
        d,
        &[
            "uncertainty",
            study.to_str().unwrap(),
            "--samples",
            "2",
            "--trials",
            "100",
            "--shard",
            "1/3",
            "--out",
            "parts",
            "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o)
        .contains("found a partial result of `run --shard`, not of `uncertainty --shard`"));
    // A rerun of one of the run's own shards replaces it, with the same
    // bytes.
    let o = shard("11", "5000", "2/3");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(bytes(2) == before[1]);
    // Merged with two shards of another run, the odd one out is named,
    // whichever comes first.
    shards(d, "s12", "5000", "12", 3, &[1]);
    std::fs::create_dir(d.join("odd")).unwrap();
    std::fs::copy(
        d.join("s12/partial-1-of-3.srpart"),
        d.join("odd/partial-1-of-3.srpart"),
    )
    .unwrap();
    for k in [2, 3] {
        let name = format!("partial-{k}-of-3.srpart");
        std::fs::copy(parts.join(&name), d.join("odd").join(&name)).unwrap();
    }
    refused(d, &["odd"], "partial-1-of-3.srpart: expected seed 11 as in");
}
