//! Checking a study's parameter sets before anything runs: every set of
//! `uncertainty`'s design, or the base sets of its default design for
//! `validate`.

use super::{InputError, Study, DEFAULT_SAMPLES, SETS_REPORTED};
use crate::error::{Error, Result};
use crate::scenario::validate::parse_study;
use crate::scenario::Scenario;
use crate::uncertainty::{Design, Matrix, MAX_PARAMS};
use rayon::prelude::*;

/// The scenario of `text` with one run's parameter values; a problem's
/// message names the run's matrix and row.
pub(super) fn build_set(
    study: &Study,
    text: &str,
    file: &str,
    (matrix, row, values): &(Matrix, usize, Vec<f64>),
) -> Result<Scenario> {
    study.scenario(values, text, file).map_err(|e| {
        let prefix = |mut b: InputError| {
            b.message = format!("parameter set {matrix} row {row}, {}", b.message);
            b
        };
        match e {
            Error::Input(b) => Error::Input(Box::new(prefix(*b))),
            Error::Inputs(bs) => Error::Inputs(bs.into_iter().map(prefix).collect()),
            other => other,
        }
    })
}

/// Check every parameter set of `design`: the problems of the first few
/// sets that break a rule of the scenario, with the number of the others.
pub(super) fn check_sets(study: &Study, design: &Design, text: &str, file: &str) -> Result<()> {
    let broken: Vec<Error> = design
        .runs
        .par_iter()
        .filter_map(|run| build_set(study, text, file, run).err())
        .collect();
    let others = broken.len().saturating_sub(SETS_REPORTED);
    let shown = broken.into_iter().take(SETS_REPORTED).map(Err::<(), _>);
    match crate::error::all(shown) {
        Ok(_) => Ok(()),
        Err(e) if others == 0 => Err(e),
        Err(e) => Err(e.and(
            InputError::file(
                file,
                format!(
                    "{others} more of the {} parameter sets {} a rule of the scenario",
                    design.runs.len(),
                    if others == 1 { "breaks" } else { "break" }
                ),
            )
            .into(),
        )),
    }
}

/// What `uncertainty` would refuse in a valid scenario's text: the problems
/// of the base parameter sets (matrices A and B, where every parameter
/// takes its whole range of values) of its default design
/// ([`DEFAULT_SAMPLES`] base sets, the file's seed), as `validate` reports
/// them. Empty when the file has no `[[uncertain]]` tables or every one of
/// those sets keeps the rules. The sets that mix A and B are left to
/// `uncertainty` itself: checking them costs `k / 2` times as much.
pub(in crate::commands) fn design_problems(text: &str, file: &str) -> Vec<InputError> {
    let Ok((scenario, study)) = parse_study(text, file) else {
        return Vec::new();
    };
    let k = study.params.len();
    if k > MAX_PARAMS {
        return vec![too_many(file, k)];
    }
    if k == 0 {
        return Vec::new();
    }
    let seed = scenario.seed.unwrap_or(crate::scenario::DEFAULT_SEED);
    let mut base = study.design(DEFAULT_SAMPLES, seed);
    base.runs.truncate(2 * DEFAULT_SAMPLES);
    match check_sets(&study, &base, text, file) {
        Err(Error::Input(e)) => vec![*e],
        Err(Error::Inputs(es)) => es,
        _ => Vec::new(),
    }
}

/// The problem of a file with more `[[uncertain]]` tables than a study takes.
pub(super) fn too_many(file: &str, k: usize) -> InputError {
    InputError::file(
        file,
        format!("expected at most {MAX_PARAMS} [[uncertain]] tables, found {k}"),
    )
}
