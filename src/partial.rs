//! Partial results of a sharded run (`run --shard K/N`) and their merge.
//!
//! # File format (version 2)
//!
//! A partial result file, `partial-K-of-N.srpart`, holds:
//!
//! 1. the line `supplyrisk partial result` (the magic line);
//! 2. one line of JSON, the [`Header`]: format version, program version,
//!    the scenario (file name, text and SHA-256 of the text), seed,
//!    trials, the slice (`shard` K of `shards` N, its chunk range), and the
//!    length and CRC-32 of the body;
//! 3. the body: the slice's [`Record`] in the `postcard` binary encoding
//!    (every number bit for bit).
//!
//! [`merge`] accepts only a complete set of slices of one run, and
//! rebuilds the run's record exactly as the unsharded run makes it.

use crate::engine::{chunk_count, slice_chunks, Record, CHUNK_TRIALS};
use crate::error::{Error, InputError, Result};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The first line of a partial result file.
pub const MAGIC: &str = "supplyrisk partial result\n";
/// Version of the file format.
pub const FORMAT: u32 = 2;
/// Extension of partial result files.
pub const EXTENSION: &str = "srpart";

/// The program version written into partial results; merges accept only
/// partial results of the same version (their random draws and merge
/// order are part of the results).
pub fn program() -> String {
    format!("supplyrisk {}", env!("CARGO_PKG_VERSION"))
}

/// File name of slice `k` of `n`.
pub fn file_name(k: u64, n: u64) -> String {
    format!("partial-{k}-of-{n}.{EXTENSION}")
}

/// Hex SHA-256 of a scenario's text.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The header line of a partial result file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// File format version ([`FORMAT`]).
    pub format: u32,
    /// Program and version ([`program`]).
    pub program: String,
    /// The scenario file as given on the command line.
    pub scenario_file: String,
    /// Hex SHA-256 of the scenario text.
    pub scenario_sha256: String,
    /// The scenario text.
    pub scenario_text: String,
    /// Seed of the run.
    pub seed: u64,
    /// Trials of the whole run.
    pub trials: u64,
    /// Which slice (1-based).
    pub shard: u64,
    /// Of how many.
    pub shards: u64,
    /// The slice's chunks of [`CHUNK_TRIALS`] trials, `[start, end)`.
    pub chunks: [u64; 2],
    /// Length of the body in bytes.
    pub body_bytes: u64,
    /// CRC-32 of the body.
    pub body_crc32: u32,
}

/// A partial result: its header and record.
#[derive(Debug, Clone)]
pub struct Partial {
    /// The header.
    pub header: Header,
    /// The slice's record.
    pub record: Record,
}

/// The bytes of a partial result file for slice `shard` of `shards` of a
/// run of the scenario `scenario_text` (from `scenario_file`).
pub fn to_bytes(
    scenario_file: &str,
    scenario_text: &str,
    seed: u64,
    shard: u64,
    shards: u64,
    record: &Record,
) -> Vec<u8> {
    let body = postcard::to_stdvec(record).unwrap_or_default();
    let header = Header {
        format: FORMAT,
        program: program(),
        scenario_file: scenario_file.to_string(),
        scenario_sha256: sha256_hex(scenario_text),
        scenario_text: scenario_text.to_string(),
        seed,
        trials: record.trials,
        shard,
        shards,
        chunks: [record.chunks.start, record.chunks.end],
        body_bytes: body.len() as u64,
        body_crc32: crc32fast::hash(&body),
    };
    let mut out = MAGIC.as_bytes().to_vec();
    out.extend(serde_json::to_vec(&header).unwrap_or_default());
    out.push(b'\n');
    out.extend(body);
    out
}

/// Read a partial result file's bytes; `file` names it in messages.
///
/// # Errors
///
/// [`InputError`] (exit status 2) for a file that is not a partial result,
/// is truncated or corrupt, or is of another format version.
pub fn from_bytes(bytes: &[u8], file: &str) -> Result<Partial, InputError> {
    let bad = |what: String| InputError::file(file, what);
    let rest = bytes.strip_prefix(MAGIC.as_bytes()).ok_or_else(|| {
        bad(
            "expected a partial result of `supplyrisk run --shard`, found another kind of file"
                .into(),
        )
    })?;
    let line_end = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| bad("expected a header line, found a truncated file".into()))?;
    let header: Header = serde_json::from_slice(&rest[..line_end]).map_err(|e| {
        bad(format!(
            "expected a valid header, found a corrupt one ({e})"
        ))
    })?;
    if header.format != FORMAT {
        return Err(bad(format!(
            "expected partial result format {FORMAT}, found format {} (written by {}): merge with the program that wrote it",
            header.format, header.program
        )));
    }
    let body = &rest[line_end + 1..];
    if body.len() as u64 != header.body_bytes {
        return Err(bad(format!(
            "expected a body of {} bytes, found {}: the file is truncated or corrupt",
            header.body_bytes,
            body.len()
        )));
    }
    if crc32fast::hash(body) != header.body_crc32 {
        return Err(bad(
            "the body does not match its checksum: the file is corrupt".into(),
        ));
    }
    let record: Record = postcard::from_bytes(body).map_err(|e| {
        bad(format!(
            "expected a valid record, found a corrupt one ({e})"
        ))
    })?;
    Ok(Partial { header, record })
}

/// The partial result files of `paths`: each folder's `*.srpart` files
/// (sorted by name), and any file named directly.
///
/// # Errors
///
/// [`InputError`] for a path that does not exist or a folder without
/// partial results.
pub fn find(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        let shown = p.display().to_string();
        if p.is_dir() {
            let entries = std::fs::read_dir(p)
                .map_err(|e| InputError::file(&shown, format!("could not read the folder: {e}")))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == EXTENSION))
                .collect();
            if found.is_empty() {
                return Err(InputError::file(
                    &shown,
                    format!(
                        "expected partial results (*.{EXTENSION}) of `run --shard`, found none"
                    ),
                )
                .into());
            }
            found.sort();
            files.extend(found);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(InputError::file(&shown, "no such file or folder").into());
        }
    }
    Ok(files)
}

/// Load partial result files.
///
/// # Errors
///
/// [`InputError`] for files that cannot be read or are not valid partial
/// results; every such file is reported.
pub fn load(files: &[PathBuf]) -> Result<Vec<(PathBuf, Partial)>> {
    read_all(files.iter().map(|f| {
        let read = std::fs::read(f).map_err(|e| {
            InputError::file(
                f.display().to_string(),
                format!("could not read the file: {e}"),
            )
        });
        (f.clone(), read)
    }))
}

/// Partial results from their bytes, each with the name its messages
/// give it (a file, or any label for bytes held in memory), or the problem
/// met reading it.
///
/// # Errors
///
/// [`InputError`] for every item that could not be read or is not a valid
/// partial result.
pub fn read_all(
    items: impl IntoIterator<Item = (PathBuf, Result<Vec<u8>, InputError>)>,
) -> Result<Vec<(PathBuf, Partial)>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (name, bytes) in items {
        let shown = name.display().to_string();
        match bytes.and_then(|b| from_bytes(&b, &shown)) {
            Ok(p) => out.push((name, p)),
            Err(e) => problems.push(e),
        }
    }
    match problems.len() {
        0 => Ok(out),
        1 => Err(problems.remove(0).into()),
        _ => Err(Error::Inputs(problems)),
    }
}

/// A merged run: its scenario, the scenario file's name, the seed, and
/// the record of every trial.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The scenario, parsed from the text the partial results carry.
    pub scenario: Scenario,
    /// The scenario file as the shards were given it.
    pub scenario_file: String,
    /// The scenario text the shards ran.
    pub scenario_text: String,
    /// Seed of the run.
    pub seed: u64,
    /// The whole run's record.
    pub record: Record,
}

/// Merge the partial results of every slice of one run.
///
/// # Errors
///
/// [`InputError`] (exit status 2) when the partial results are not the
/// slices of one run: different scenarios, seeds, trials, slice counts or
/// program versions; a missing or repeated slice; or a record that does
/// not fit its header.
pub fn merge(partials: Vec<(PathBuf, Partial)>) -> Result<Merged> {
    let Some((first_path, first)) = partials.first() else {
        return Err(InputError::file("merge", "expected partial results, found none").into());
    };
    let first_file = first_path.display().to_string();
    let h0 = first.header.clone();
    let mut problems = Vec::new();
    let mut seen: Vec<Option<String>> = vec![None; h0.shards.min(1 << 20) as usize];
    for (path, p) in &partials {
        let file = path.display().to_string();
        let h = &p.header;
        let mut differs = |what: &str, mine: String, theirs: String| {
            problems.push(InputError::file(
                &file,
                format!("expected {what} {theirs} as in {first_file}, found {mine}: the partial results are not of one run"),
            ))
        };
        if h.program != h0.program {
            differs("a result of", h.program.clone(), h0.program.clone());
        }
        if h.scenario_sha256 != h0.scenario_sha256 {
            differs(
                "the scenario",
                format!(
                    "{} (sha256 {})",
                    h.scenario_file,
                    &h.scenario_sha256[..12.min(h.scenario_sha256.len())]
                ),
                format!(
                    "{} (sha256 {})",
                    h0.scenario_file,
                    &h0.scenario_sha256[..12.min(h0.scenario_sha256.len())]
                ),
            );
        }
        if h.seed != h0.seed {
            differs("seed", h.seed.to_string(), h0.seed.to_string());
        }
        if h.trials != h0.trials {
            differs("trials", h.trials.to_string(), h0.trials.to_string());
        }
        if h.shards != h0.shards {
            differs(
                "a split into",
                format!("{} shards", h.shards),
                format!("{} shards", h0.shards),
            );
            continue;
        }
        if h.shard == 0 || h.shard > h.shards {
            problems.push(InputError::file(
                &file,
                format!("expected shard 1 to {}, found {}", h.shards, h.shard),
            ));
            continue;
        }
        let expected = slice_chunks(h.trials, h.shard, h.shards);
        let record_chunks = [p.record.chunks.start, p.record.chunks.end];
        if [expected.start, expected.end] != h.chunks
            || record_chunks != h.chunks
            || p.record.trials != h.trials
        {
            problems.push(InputError::file(
                &file,
                format!(
                    "expected chunks {}..{} for shard {} of {}, found {}..{}: the file is corrupt",
                    expected.start, expected.end, h.shard, h.shards, h.chunks[0], h.chunks[1]
                ),
            ));
            continue;
        }
        if let Some(slot) = seen.get_mut((h.shard - 1) as usize) {
            match slot {
                Some(other) => problems.push(InputError::file(
                    &file,
                    format!(
                        "expected each shard once, found shard {}/{} again (also in {other})",
                        h.shard, h.shards
                    ),
                )),
                None => *slot = Some(file.clone()),
            }
        }
    }
    if problems.is_empty() {
        let missing: Vec<String> = seen
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_none())
            .map(|(k, _)| format!("{}/{}", k + 1, h0.shards))
            .collect();
        if !missing.is_empty() {
            // At most ten named, however many are missing.
            let mut named = missing
                .iter()
                .take(10)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if missing.len() > 10 {
                named += &format!(" and {} more", missing.len() - 10);
            }
            problems.push(InputError::file(
                "merge",
                format!(
                    "expected all {} shards of the run, found no partial result for shard {named}",
                    h0.shards
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(if problems.len() == 1 {
            problems.remove(0).into()
        } else {
            Error::Inputs(problems)
        });
    }
    let scenario = Scenario::from_toml_str(&h0.scenario_text, &h0.scenario_file)?;
    let mut records = Vec::with_capacity(partials.len());
    for (path, p) in partials {
        p.record.check(&scenario).map_err(|e| {
            InputError::file(
                path.display().to_string(),
                format!("the record does not fit its scenario ({e}): the file is corrupt"),
            )
        })?;
        records.push(p.record);
    }
    let record = Record::merge(records).map_err(|e| {
        InputError::file(
            "merge",
            format!("the partial results do not fit together: {e}"),
        )
    })?;
    Ok(Merged {
        scenario,
        scenario_text: h0.scenario_text,
        scenario_file: h0.scenario_file,
        seed: h0.seed,
        record,
    })
}

/// Check a `--shard K/N` request against a run of `trials` trials.
///
/// # Errors
///
/// A bad flag (exit status 2) unless `1 <= K <= N <= chunks`.
pub fn check_shard(shard: (u64, u64), trials: u64) -> Result<()> {
    let (k, n) = shard;
    let chunks = chunk_count(trials);
    if n == 0 || k == 0 || k > n {
        return Err(Error::bad_flag(
            "--shard",
            format!("expected K/N with 1 <= K <= N, found {k}/{n}"),
        ));
    }
    if n > chunks {
        return Err(Error::bad_flag(
            "--shard",
            format!(
                "expected at most {chunks} shards for {trials} trials (each shard runs whole chunks of {CHUNK_TRIALS} trials), found {n}"
            ),
        ));
    }
    Ok(())
}

/// Where slice `k` of `n` is written in `dir`.
pub fn path_in(dir: &Path, k: u64, n: u64) -> PathBuf {
    dir.join(file_name(k, n))
}
