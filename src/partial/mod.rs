//! Partial results of a sharded run (`run --shard K/N`) or uncertainty
//! study (`uncertainty --shard K/N`), and their merge.
//!
//! # File format (version 6)
//!
//! A partial result file, `partial-K-of-N.srpart`, holds:
//!
//! 1. the line `supplyrisk partial result` (the magic line);
//! 2. one line of JSON, the [`Header`]: format version, program version,
//!    the scenario (file name, text and SHA-256 of the text), seed,
//!    trials, the slice (`shard` K of `shards` N and its range), for a
//!    study its [`Study`] (base sets, parameters, parameter sets), the
//!    length of the body, and a CRC-32 of the header's other fields and
//!    the body ([`checksum`]), so that a change anywhere is found;
//! 3. the body, in the `postcard` binary encoding (every number bit for
//!    bit; a sketch's buckets packed by their low bits): a run's slice is
//!    its [`Record`] (the slice's range counts chunks of
//!    [`CHUNK_TRIALS`](crate::engine::CHUNK_TRIALS) trials); a study's slice is the results
//!    of its parameter sets ([`RunMetrics`], one per set; the range counts
//!    parameter sets in the order of the study's design).
//!
//! [`merge_run`] and [`merge_study`] accept only a complete set of slices
//! of one run or study (checked by [`check_set`]), and rebuild its record
//! or results exactly as the unsharded command makes them.

mod folder;
mod read;
mod set;

pub use folder::check_folder;
pub use read::{find, from_bytes, load, read_all};
pub use set::{check_set, merge_run, merge_study, Kind, Merged, MergedStudy};

use crate::engine::{slice_chunks, slice_of, Record};
use crate::error::{Error, Result};
use crate::uncertainty::output::RunMetrics;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The first line of a partial result file.
pub const MAGIC: &str = "supplyrisk partial result\n";
/// Version of the file format.
pub const FORMAT: u32 = 6;
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

/// The keys every format's header has.
#[derive(Deserialize)]
struct Version {
    format: u32,
    #[serde(default)]
    program: String,
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
    /// Trials of the whole run (of each parameter set, for a study).
    pub trials: u64,
    /// Which slice (1-based).
    pub shard: u64,
    /// Of how many.
    pub shards: u64,
    /// The slice, `[start, end)`: of a run, its chunks of [`CHUNK_TRIALS`](crate::engine::CHUNK_TRIALS)
    /// trials; of a study, its parameter sets in design order.
    pub slice: [u64; 2],
    /// What a study's slices share beyond the run's keys; absent for a run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub study: Option<Study>,
    /// Length of the body in bytes.
    pub body_bytes: u64,
    /// [`checksum`] of the header's other fields and the body.
    pub crc32: u32,
}

/// What the slices of one uncertainty study share beyond a run's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Study {
    /// Base parameter sets `N` of the design.
    pub samples: u64,
    /// The uncertain parameters, `KIND.ID.KEY`, in the scenario's order.
    pub parameters: Vec<String>,
    /// Parameter sets of the whole design, `N (k + 2)`.
    pub runs: u64,
}

impl Header {
    /// Whether this is a slice of a run or of a study.
    pub fn kind(&self) -> Kind {
        if self.study.is_some() {
            Kind::Study
        } else {
            Kind::Run
        }
    }

    /// How this header's run differs from `reference`'s, beyond the
    /// slice: `(what, this one's, the reference's)` for the program,
    /// scenario, seed, trials, a study's design and the number of shards
    /// (the kind of result is compared apart).
    pub fn differences(&self, reference: &Header) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        let mut differs = |what, mine: String, theirs: String| {
            if mine != theirs {
                out.push((what, mine, theirs));
            }
        };
        differs(
            "a result of",
            self.program.clone(),
            reference.program.clone(),
        );
        if self.scenario_sha256 != reference.scenario_sha256 {
            let named = |h: &Header| {
                format!(
                    "{} (sha256 {})",
                    h.scenario_file,
                    &h.scenario_sha256[..12.min(h.scenario_sha256.len())]
                )
            };
            differs("the scenario", named(self), named(reference));
        }
        differs("seed", self.seed.to_string(), reference.seed.to_string());
        differs(
            "trials",
            self.trials.to_string(),
            reference.trials.to_string(),
        );
        if let (Some(s), Some(s0)) = (&self.study, &reference.study) {
            differs("samples", s.samples.to_string(), s0.samples.to_string());
            differs(
                "the parameters",
                s.parameters.join(", "),
                s0.parameters.join(", "),
            );
            let sets = |n: u64| crate::commands::count(n, "parameter set", "parameter sets");
            differs("a design of", sets(s.runs), sets(s0.runs));
        }
        let split = |n: u64| crate::commands::count(n, "shard", "shards");
        differs("a split into", split(self.shards), split(reference.shards));
        out
    }

    /// The range the slice must cover for its `shard` of `shards`.
    pub fn expected_slice(&self) -> Range<u64> {
        match &self.study {
            None => slice_chunks(self.trials, self.shard, self.shards),
            Some(s) => slice_of(s.runs, self.shard, self.shards),
        }
    }
}

/// The body of a partial result.
#[derive(Debug, Clone)]
pub enum Body {
    /// A run's slice: its record.
    Run(Record),
    /// A study's slice: the results of its parameter sets, in design order.
    Study(Vec<RunMetrics>),
}

impl Body {
    /// Whether the body covers the slice its header names.
    pub fn fits(&self, header: &Header) -> bool {
        match self {
            Body::Run(r) => {
                [r.chunks.start, r.chunks.end] == header.slice && r.trials == header.trials
            }
            Body::Study(runs) => {
                header.slice[1].checked_sub(header.slice[0]) == Some(runs.len() as u64)
            }
        }
    }
}

/// A partial result: its header, checked, and where its body is read
/// from (see [`Partial::body`]).
#[derive(Debug, Clone)]
pub struct Partial {
    /// The header.
    pub header: Header,
    /// The body's bytes, or the file that holds them.
    raw: read::Raw,
}

/// The run a partial result belongs to: the scenario (as given on the
/// command line, and its text), seed and trials.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The scenario file as given on the command line.
    pub file: &'a str,
    /// The scenario text.
    pub text: &'a str,
    /// Seed of the run.
    pub seed: u64,
    /// Trials of the whole run (of each parameter set, for a study).
    pub trials: u64,
}

/// The bytes of a partial result file for slice `shard` of `shards`
/// (covering `slice`) of the run or study (`study`) of `source`.
pub fn to_bytes(
    source: Source<'_>,
    (shard, shards): (u64, u64),
    slice: Range<u64>,
    study: Option<Study>,
    body: &Body,
) -> Vec<u8> {
    // The body is written in place after the magic line, and the header,
    // which names its length and checksum, slid in before it: the file's
    // bytes are built in one buffer.
    let mut out = MAGIC.as_bytes().to_vec();
    let at = out.len();
    out = match body {
        Body::Run(record) => postcard::to_extend(record, out),
        Body::Study(runs) => postcard::to_extend(runs, out),
    }
    .unwrap_or_else(|_| MAGIC.as_bytes().to_vec());
    let body = &out[at..];
    let header = Header {
        body_bytes: body.len() as u64,
        ..header(source, (shard, shards), slice, study)
    };
    let header = Header {
        crc32: checksum(&header, body),
        ..header
    };
    let mut line = serde_json::to_vec(&header).unwrap_or_default();
    line.push(b'\n');
    out.splice(at..at, line);
    out
}

/// The header of slice `shard` of `shards` (covering `slice`) of the run
/// or study (`study`) of `source`, before its body: no body, no checksum.
pub fn header(
    source: Source<'_>,
    (shard, shards): (u64, u64),
    slice: Range<u64>,
    study: Option<Study>,
) -> Header {
    Header {
        format: FORMAT,
        program: program(),
        scenario_file: source.file.to_string(),
        scenario_sha256: sha256_hex(source.text),
        scenario_text: source.text.to_string(),
        seed: source.seed,
        trials: source.trials,
        shard,
        shards,
        slice: [slice.start, slice.end],
        study,
        body_bytes: 0,
        crc32: 0,
    }
}

/// The CRC-32 a header carries: of its fields other than `crc32`
/// (their `postcard` encoding, with `crc32` taken as 0) followed by the
/// body. A changed value anywhere in the file, the scenario's text
/// included, fails it.
pub fn checksum(header: &Header, body: &[u8]) -> u32 {
    let fields = postcard::to_stdvec(&Header {
        crc32: 0,
        ..header.clone()
    })
    .unwrap_or_default();
    let mut crc = crc32fast::Hasher::new();
    crc.update(&fields);
    crc.update(body);
    crc.finalize()
}

/// Check a `run --shard K/N` request. `N` may exceed the run's chunks
/// (of [`CHUNK_TRIALS`](crate::engine::CHUNK_TRIALS) trials each): the shards past them run no trial and
/// write an empty partial result, which `merge` takes like any other.
///
/// # Errors
///
/// A bad flag (exit status 2) unless `1 <= K <= N <= MAX_SHARDS`.
pub fn check_shard(shard: (u64, u64)) -> Result<()> {
    check_split(shard)
}

/// Check an `uncertainty --shard K/N` request: as [`check_shard`], the
/// shards past the study's parameter sets running none.
///
/// # Errors
///
/// A bad flag (exit status 2) unless `1 <= K <= N <= MAX_SHARDS`.
pub fn check_study_shard(shard: (u64, u64)) -> Result<()> {
    check_split(shard)
}

/// Most shards a run or study may be split into.
pub const MAX_SHARDS: u64 = 1 << 20;

/// `1 <= K <= N <= MAX_SHARDS`.
fn check_split((k, n): (u64, u64)) -> Result<()> {
    if n == 0 || k == 0 || k > n {
        return Err(Error::bad_flag(
            "--shard",
            format!("expected K/N with 1 <= K <= N, found {k}/{n}"),
        ));
    }
    if n > MAX_SHARDS {
        return Err(Error::bad_flag(
            "--shard",
            format!("expected at most {MAX_SHARDS} shards, found {n}"),
        ));
    }
    Ok(())
}

/// Where slice `k` of `n` is written in `dir`.
pub fn path_in(dir: &Path, k: u64, n: u64) -> PathBuf {
    dir.join(file_name(k, n))
}
