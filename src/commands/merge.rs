//! `supplyrisk merge SHARD_DIR... --out DIR`: the partial results of every
//! shard of a run (or uncertainty study) into the files the unsharded
//! command writes.

use super::run::{provenance, run_outputs, RunParts, RunReport};
use super::{check_memory, finish, prepare_out, with_threads, ScenarioText, SimOptions};
use crate::error::Result;
use crate::output::headline_table;
use crate::partial;
use crate::summary::Summary;
use std::path::PathBuf;

/// `supplyrisk merge`: read the partial results in `inputs` (folders of
/// `*.srpart` files, or the files themselves, in any order), check that
/// they are every slice of one run, and write into `opts.out` the
/// `summary.json`, `years.csv`, charts and `report.html` that the
/// unsharded run writes, byte for byte. The slices of an uncertainty
/// study write the study's files instead, as the unsharded `uncertainty`
/// command writes them.
///
/// # Errors
///
/// [`crate::Error::Input`] (exit status 2, nothing written) for missing,
/// repeated, mismatched or corrupt partial results.
pub fn merge(inputs: &[PathBuf], opts: &SimOptions) -> Result<RunReport> {
    let files = partial::find(inputs)?;
    merge_partials(partial::load(&files)?, opts)
}

/// [`merge`] of partial results already read (each with the name its
/// messages give it): with `opts.in_memory` nothing is written and the
/// report holds the outputs.
///
/// # Errors
///
/// As [`merge`].
pub fn merge_partials(
    partials: Vec<(PathBuf, partial::Partial)>,
    opts: &SimOptions,
) -> Result<RunReport> {
    super::on_pool(opts, || merge_partials_in_pool(partials, opts))
}

/// [`merge_partials`] on the pool of `opts.threads` threads, which everything
/// it runs in parallel uses.
fn merge_partials_in_pool(
    partials: Vec<(PathBuf, partial::Partial)>,
    opts: &SimOptions,
) -> Result<RunReport> {
    let out_dir = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join("merged"));
    if partial::check_set(&partials)? == partial::Kind::Study {
        let study = partial::merge_study(partials)?;
        let report = super::uncertainty::merge_study(study, &out_dir, opts)?;
        return Ok(RunReport {
            summary: None,
            out_dir,
            files: report.files,
            outputs: report.outputs,
            parts: None,
            warnings: report.warnings,
        });
    }
    let merged = partial::merge_run(partials)?;
    let scenario = merged.scenario;
    check_memory(
        &scenario,
        (merged.record.trials, merged.record.trials),
        false,
        1,
        opts,
    )?;
    let staging = prepare_out(&out_dir, "merge", opts)?;
    let agg = merged.record.finish().map_err(|e| {
        crate::error::InputError::file(
            "merge",
            format!("the partial results do not fit together: {e}"),
        )
    })?;
    let summary = with_threads(opts.threads, || Summary::new(&scenario, merged.seed, &agg))?;
    let source = provenance(
        &merged.scenario_file,
        &merged.scenario_text,
        agg.trials,
        merged.seed,
    );
    let outputs = run_outputs(&scenario, &summary, &agg, &source, opts)?;
    let warnings = super::run::run_warnings(&scenario, agg.trials);
    super::warn(&warnings, opts.quiet);
    let files = finish(staging, &outputs, opts.quiet, || headline_table(&summary))?;
    Ok(RunReport {
        summary: Some(summary),
        out_dir,
        files,
        outputs,
        parts: Some(RunParts {
            scenario,
            input: ScenarioText {
                file: merged.scenario_file,
                text: merged.scenario_text,
            },
            seed: merged.seed,
            agg,
            source,
        }),
        warnings,
    })
}
