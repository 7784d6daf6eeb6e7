//! The paired studies: compare, sensitivity, sweep and uncertainty, each
//! returning the files its command writes (name to bytes): the JSON the
//! pandas layer reads, the CSV tables and, when asked, the charts and page.

use crate::errors::OrRaise;
use crate::run::outputs_dict;
use crate::scenario::Scenario;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use supplyrisk::commands::{self, SweepOptions};

/// `supplyrisk compare BASELINE ALTERNATIVE`.
#[pyfunction]
#[pyo3(signature = (baseline, alternative, trials=None, seed=None, threads=None, charts=None))]
pub fn compare<'py>(
    py: Python<'py>,
    baseline: &Scenario,
    alternative: &Scenario,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    charts: Option<(u32, u32)>,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = crate::options(trials, seed, threads, charts)?;
    let report = py
        .detach(|| commands::compare_text(&baseline.input, &alternative.input, &opts))
        .or_raise()?;
    outputs_dict(py, &report.outputs)
}

/// `supplyrisk sensitivity SCENARIO`.
#[pyfunction]
#[pyo3(signature = (scenario, trials=None, seed=None, threads=None, charts=None))]
pub fn sensitivity<'py>(
    py: Python<'py>,
    scenario: &Scenario,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    charts: Option<(u32, u32)>,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = crate::options(trials, seed, threads, charts)?;
    let report = py
        .detach(|| commands::sensitivity_text(&scenario.input, &opts))
        .or_raise()?;
    outputs_dict(py, &report.outputs)
}

/// `supplyrisk sweep SCENARIO --param PARAM --values V,…`.
#[pyfunction]
#[pyo3(signature = (scenario, param, values, metrics=Vec::new(), trials=None, seed=None, threads=None, charts=None))]
#[allow(clippy::too_many_arguments)]
pub fn sweep<'py>(
    py: Python<'py>,
    scenario: &Scenario,
    param: String,
    values: Vec<f64>,
    metrics: Vec<String>,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    charts: Option<(u32, u32)>,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = crate::options(trials, seed, threads, charts)?;
    // Rust prints the shortest text that reads back as the same number.
    let listed: Vec<String> = values.iter().map(f64::to_string).collect();
    let sw = SweepOptions {
        param,
        values: Some(listed.join(",")),
        range: None,
        metrics,
    };
    let report = py
        .detach(|| commands::sweep_text(&scenario.input, &sw, &opts))
        .or_raise()?;
    outputs_dict(py, &report.outputs)
}

/// `supplyrisk uncertainty SCENARIO --samples N`.
#[pyfunction]
#[pyo3(signature = (scenario, samples=commands::DEFAULT_SAMPLES, trials=None, seed=None, threads=None, charts=None))]
pub fn uncertainty<'py>(
    py: Python<'py>,
    scenario: &Scenario,
    samples: usize,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    charts: Option<(u32, u32)>,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = crate::options(trials, seed, threads, charts)?;
    let report = py
        .detach(|| commands::uncertainty_text(&scenario.input, samples, &opts))
        .or_raise()?;
    outputs_dict(py, &report.outputs)
}
