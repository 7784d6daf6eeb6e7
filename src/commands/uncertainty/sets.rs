//! Checking a study's parameter sets before anything runs: every set of
//! `uncertainty`'s design, or the base sets of its default design for
//! `validate`; and a warning when the sets make a large study.

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

/// Trials in all above which a study is worth a warning before it runs.
const LARGE_STUDY: u64 = 100_000_000;

/// The warning before a study (or a `shard` of one) of `runs` runs of
/// `trials` trials each, when it simulates more than [`LARGE_STUDY`]
/// trials; `None` when it does not.
pub(super) fn large_study(runs: u64, trials: u64, shard: bool) -> Option<String> {
    let all = runs.saturating_mul(trials);
    (all > LARGE_STUDY).then(|| {
        format!(
            "a large study: {} trials {}, {} runs each as long as a `run` of the file with {} trials; --trials sets the trials of each run (the noise share says whether fewer are enough), --samples the base sets",
            crate::commands::fmt_count(all),
            if shard { "in this shard" } else { "in all" },
            crate::output::group_thousands(&runs.to_string()),
            crate::output::group_thousands(&trials.to_string()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_study_above_100_million_trials_says_its_size_and_what_sets_it() {
        assert_eq!(large_study(5_000, 20_000, false), None);
        assert_eq!(
            large_study(5_888, 50_000, false).as_deref(),
            Some("a large study: 294.4 million trials in all, 5,888 runs each as long as a `run` of the file with 50,000 trials; --trials sets the trials of each run (the noise share says whether fewer are enough), --samples the base sets")
        );
        // The boundary: 100 million is not above it, one trial more is.
        assert_eq!(large_study(1, LARGE_STUDY, false), None);
        assert!(large_study(1, LARGE_STUDY + 1, false).is_some());
        assert!(large_study(u64::MAX, u64::MAX, false).is_some());
        // A shard speaks of its own runs.
        assert!(large_study(2_000, 60_000, true).is_some_and(
            |w| w.starts_with("a large study: 120 million trials in this shard, 2,000 runs")
        ));
    }
}
