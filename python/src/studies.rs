//! The paired studies: compare, sensitivity, sweep and uncertainty, each
//! returning the files its command writes (name to bytes): the JSON the
//! pandas layer reads, the CSV tables and, when asked, the charts and page.

use crate::run::outputs_dict;
use crate::scenario::Scenario;
use crate::PyInt;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use supplyrisk::commands::{self, Outputs, SimOptions, SweepOptions};

/// The options every study takes: trials, seed, threads, chart size and
/// progress callback.
type Common<'py> = (
    Option<PyInt>,
    Option<PyInt>,
    Option<PyInt>,
    Option<(PyInt, PyInt)>,
    Option<Bound<'py, PyAny>>,
);

/// A study's files (name to bytes) and its warnings.
type Written<'py> = (Bound<'py, PyDict>, Vec<String>);

/// Run a study with the `common` options, without holding the
/// interpreter's lock and cancelled by Ctrl-C, and return the files it
/// writes with the warnings the command line would print.
fn study<'py>(
    py: Python<'py>,
    (trials, seed, threads, charts, progress): Common<'py>,
    run: impl FnOnce(&SimOptions) -> supplyrisk::Result<(Outputs, Vec<String>)> + Send,
) -> PyResult<Written<'py>> {
    let opts = crate::options(trials, seed, threads, charts)?;
    let (outputs, warnings) = crate::interruptible(py, opts, progress.as_ref(), run)?;
    let warnings = crate::errors::warnings_in_python_terms(&warnings);
    Ok((outputs_dict(py, &outputs)?, warnings))
}

/// `supplyrisk compare BASELINE ALTERNATIVE`.
#[pyfunction]
#[pyo3(signature = (baseline, alternative, trials=None, seed=None, threads=None, charts=None, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn compare<'py>(
    py: Python<'py>,
    baseline: &Scenario,
    alternative: &Scenario,
    trials: Option<PyInt>,
    seed: Option<PyInt>,
    threads: Option<PyInt>,
    charts: Option<(PyInt, PyInt)>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Written<'py>> {
    study(py, (trials, seed, threads, charts, progress), |opts| {
        let r = commands::compare_text(&baseline.input, &alternative.input, opts)?;
        Ok((r.outputs, r.warnings))
    })
}

/// `supplyrisk sensitivity SCENARIO`.
#[pyfunction]
#[pyo3(signature = (scenario, trials=None, seed=None, threads=None, charts=None, progress=None))]
pub fn sensitivity<'py>(
    py: Python<'py>,
    scenario: &Scenario,
    trials: Option<PyInt>,
    seed: Option<PyInt>,
    threads: Option<PyInt>,
    charts: Option<(PyInt, PyInt)>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Written<'py>> {
    study(py, (trials, seed, threads, charts, progress), |opts| {
        let r = commands::sensitivity_text(&scenario.input, opts)?;
        Ok((r.outputs, r.warnings))
    })
}

/// `supplyrisk sweep SCENARIO --param PARAM --values V,…`.
#[pyfunction]
#[pyo3(signature = (scenario, param, values, metrics=Vec::new(), trials=None, seed=None, threads=None, charts=None, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn sweep<'py>(
    py: Python<'py>,
    scenario: &Scenario,
    param: String,
    values: Vec<f64>,
    metrics: Vec<String>,
    trials: Option<PyInt>,
    seed: Option<PyInt>,
    threads: Option<PyInt>,
    charts: Option<(PyInt, PyInt)>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Written<'py>> {
    if values.is_empty() {
        return Err(crate::errors::bad_argument(
            "values",
            "expected at least one value, found none".into(),
        ));
    }
    // Rust prints the shortest text that reads back as the same number.
    let listed: Vec<String> = values.iter().map(f64::to_string).collect();
    let sw = SweepOptions {
        param,
        values: Some(listed.join(",")),
        range: None,
        metrics,
    };
    study(py, (trials, seed, threads, charts, progress), |opts| {
        let r = commands::sweep_text(&scenario.input, &sw, opts)?;
        Ok((r.outputs, r.warnings))
    })
}

/// `supplyrisk uncertainty SCENARIO --samples N`.
#[pyfunction]
#[pyo3(signature = (scenario, samples=commands::DEFAULT_SAMPLES as PyInt, trials=None, seed=None, threads=None, charts=None, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn uncertainty<'py>(
    py: Python<'py>,
    scenario: &Scenario,
    samples: PyInt,
    trials: Option<PyInt>,
    seed: Option<PyInt>,
    threads: Option<PyInt>,
    charts: Option<(PyInt, PyInt)>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Written<'py>> {
    let samples = crate::whole_usize("samples", Some(samples))?.unwrap_or_default();
    study(py, (trials, seed, threads, charts, progress), |opts| {
        let r = commands::uncertainty_text(&scenario.input, samples, opts)?;
        Ok((r.outputs, r.warnings))
    })
}
