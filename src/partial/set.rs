//! A set of partial results: the checks that they are every slice of one
//! run or study, and their merge.

use super::{Body, Partial};
use crate::engine::Record;
use crate::error::{Error, InputError, Result};
use crate::scenario::Scenario;
use crate::uncertainty::output::RunMetrics;
use std::path::PathBuf;

/// What a partial result is a slice of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A plain run (`run --shard`): the slice is a range of trials.
    Run,
    /// An uncertainty study (`uncertainty --shard`): the slice is a range
    /// of parameter sets.
    Study,
}

impl Kind {
    /// What the whole is called in messages: `run` or `uncertainty study`.
    pub fn whole(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Study => "uncertainty study",
        }
    }

    /// The command that writes this kind of partial result.
    pub fn command(self) -> &'static str {
        match self {
            Kind::Run => "run --shard",
            Kind::Study => "uncertainty --shard",
        }
    }

    /// What the body holds, in messages.
    pub fn body(self) -> &'static str {
        match self {
            Kind::Run => "record",
            Kind::Study => "list of parameter set results",
        }
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

/// A merged uncertainty study: what its shards ran and the results of
/// every parameter set, in design order.
#[derive(Debug, Clone)]
pub struct MergedStudy {
    /// The scenario file as the shards were given it.
    pub scenario_file: String,
    /// The scenario text the shards ran.
    pub scenario_text: String,
    /// Seed of every run.
    pub seed: u64,
    /// Trials of every run.
    pub trials: u64,
    /// Base parameter sets of the design.
    pub samples: u64,
    /// The uncertain parameters the shards ran, in the scenario's order.
    pub parameters: Vec<String>,
    /// Every parameter set's results, in design order.
    pub results: Vec<RunMetrics>,
}

/// The partial result the others are compared with: the first of those
/// of the run that most of them belong to, so that messages name the odd
/// ones out.
fn reference(partials: &[(PathBuf, Partial)]) -> Option<&(PathBuf, Partial)> {
    let identity = |p: &Partial| {
        let h = &p.header;
        let study = h.study.as_ref().map(|s| (s.samples, &s.parameters, s.runs));
        format!(
            "{:?} {} {} {} {} {} {study:?}",
            h.kind(),
            h.program,
            h.scenario_sha256,
            h.seed,
            h.trials,
            h.shards
        )
    };
    let mut counts = std::collections::HashMap::new();
    for (_, p) in partials {
        *counts.entry(identity(p)).or_insert(0u64) += 1;
    }
    let most = counts.values().copied().max()?;
    partials.iter().find(|(_, p)| counts[&identity(p)] == most)
}

/// Check that `partials` are every slice, once, of one run or one study:
/// the same program, scenario, seed, trials, kind, study design and
/// number of shards; each slice where its shard number puts it; none
/// missing or repeated. Returns their kind. (Whether each body covers its
/// slice is checked as it is decoded, by [`Partial::body`].)
///
/// # Errors
///
/// [`InputError`] (exit status 2) naming each problem found.
pub fn check_set(partials: &[(PathBuf, Partial)]) -> Result<Kind> {
    let Some((first_path, first)) = reference(partials) else {
        return Err(InputError::file("merge", "expected partial results, found none").into());
    };
    let first_file = first_path.display().to_string();
    let h0 = &first.header;
    let kind = h0.kind();
    let mut problems = Vec::new();
    if let Some((path, other)) = partials.iter().find(|(_, p)| p.header.kind() != kind) {
        let other = other.header.kind();
        return Err(InputError::file(
            path.display().to_string(),
            format!(
                "expected a partial result of `{}` as in {first_file}, found one of `{}`: partial results of a run and of an uncertainty study do not merge",
                kind.command(),
                other.command()
            ),
        )
        .into());
    }
    let mut seen: Vec<Option<String>> = vec![None; h0.shards.min(1 << 20) as usize];
    for (path, p) in partials {
        let file = path.display().to_string();
        let h = &p.header;
        for (what, mine, theirs) in h.differences(h0) {
            problems.push(InputError::file(
                &file,
                format!("expected {what} {theirs} as in {first_file}, found {mine}: the partial results are not of one {}", kind.whole()),
            ));
        }
        if h.shards != h0.shards {
            continue;
        }
        if h.shard == 0 || h.shard > h.shards {
            problems.push(InputError::file(
                &file,
                format!("expected shard 1 to {}, found {}", h.shards, h.shard),
            ));
            continue;
        }
        let expected = h.expected_slice();
        if [expected.start, expected.end] != h.slice {
            problems.push(InputError::file(
                &file,
                format!(
                    "expected the slice {}..{} for shard {} of {}, found {}..{}: the file is corrupt",
                    expected.start, expected.end, h.shard, h.shards, h.slice[0], h.slice[1]
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
                    "expected all {} shards of the {}, found no partial result for shard {named}",
                    h0.shards,
                    kind.whole()
                ),
            ));
        }
    }
    crate::error::none(problems).map(|()| kind)
}

/// A partial result that is not of the kind `want`.
fn wrong_kind(path: &std::path::Path, want: Kind) -> InputError {
    let other = match want {
        Kind::Run => Kind::Study,
        Kind::Study => Kind::Run,
    };
    InputError::file(
        path.display().to_string(),
        format!(
            "expected a partial result of `{}`, found one of `{}`",
            want.command(),
            other.command()
        ),
    )
}

/// Refuse a set of partial results of another kind than `want` (a set
/// that passed [`check_set`] is all of one kind), before any body is
/// decoded.
fn of_kind(partials: &[(PathBuf, Partial)], want: Kind) -> Result<()> {
    match partials.first() {
        Some((path, p)) if p.header.kind() != want => Err(wrong_kind(path, want).into()),
        _ => Ok(()),
    }
}

/// Partial results in shard order, after [`check_set`].
fn in_order(mut partials: Vec<(PathBuf, Partial)>) -> Result<Vec<(PathBuf, Partial)>> {
    check_set(&partials)?;
    partials.sort_by_key(|(_, p)| p.header.shard);
    Ok(partials)
}

/// Merge the partial results of every slice of one run.
///
/// # Errors
///
/// [`InputError`] (exit status 2) when the partial results are not the
/// slices of one run (see [`check_set`]), are slices of a study, or hold
/// a record that does not fit its header.
pub fn merge_run(partials: Vec<(PathBuf, Partial)>) -> Result<Merged> {
    let partials = in_order(partials)?;
    of_kind(&partials, Kind::Run)?;
    let h0 = partials[0].1.header.clone();
    let scenario = Scenario::from_toml_str(&h0.scenario_text, &h0.scenario_file)?;
    // One slice decoded at a time and merged into the slices before it;
    // after a problem, the rest are still read for theirs.
    let mut merged: Option<Record> = None;
    let mut problems = Vec::new();
    // The sketches' scales and atoms every slice's must have (found once).
    let empty = if crate::engine::keeps_values(h0.trials) {
        Vec::new()
    } else {
        crate::engine::empty_sketches(&scenario, h0.seed, h0.trials)
    };
    for (path, p) in partials {
        let file = path.display().to_string();
        let record = match p.body() {
            Ok(Body::Run(record)) => record,
            Ok(Body::Study(_)) => {
                problems.push(wrong_kind(&path, Kind::Run));
                continue;
            }
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        if let Err(e) = record.check_with(&scenario, &empty) {
            problems.push(InputError::file(
                &file,
                format!("the record does not fit its scenario ({e}): the file is corrupt"),
            ));
            continue;
        }
        if !problems.is_empty() {
            continue;
        }
        merged = Some(match merged.take() {
            None => record,
            Some(before) => Record::merge(vec![before, record]).map_err(|e| {
                InputError::file(
                    &file,
                    format!("the partial result does not fit the ones before it: {e}"),
                )
            })?,
        });
    }
    crate::error::none(problems)?;
    let record = merged.ok_or_else(|| Error::Other("no partial result to merge".into()))?;
    Ok(Merged {
        scenario,
        scenario_text: h0.scenario_text,
        scenario_file: h0.scenario_file,
        seed: h0.seed,
        record,
    })
}

/// Merge the partial results of every slice of one uncertainty study:
/// the results of every parameter set, in design order. Whether they fit
/// the scenario's design is for the study to check.
///
/// # Errors
///
/// [`InputError`] (exit status 2) when the partial results are not the
/// slices of one study (see [`check_set`]) or are slices of a run.
pub fn merge_study(partials: Vec<(PathBuf, Partial)>) -> Result<MergedStudy> {
    let partials = in_order(partials)?;
    of_kind(&partials, Kind::Study)?;
    let h0 = partials[0].1.header.clone();
    let (samples, parameters) = h0
        .study
        .as_ref()
        .map_or((0, Vec::new()), |s| (s.samples, s.parameters.clone()));
    let mut results = Vec::new();
    let mut problems = Vec::new();
    for (path, p) in partials {
        match p.body() {
            Ok(Body::Study(runs)) => results.extend(runs),
            Ok(Body::Run(_)) => problems.push(wrong_kind(&path, Kind::Study)),
            Err(e) => problems.push(e),
        }
    }
    crate::error::none(problems)?;
    Ok(MergedStudy {
        scenario_file: h0.scenario_file,
        scenario_text: h0.scenario_text,
        seed: h0.seed,
        trials: h0.trials,
        samples,
        parameters,
        results,
    })
}
