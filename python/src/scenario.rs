//! `Scenario`: a validated scenario and the text it was loaded from.

use crate::errors::OrRaise;
use crate::run::RunResult;
use crate::PyInt;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use std::path::PathBuf;
use supplyrisk::commands::{self, ScenarioText};
use supplyrisk::sweep::{with_values, SweepParam};
use supplyrisk::InputError;

/// A validated scenario: its text, the name messages give it, and the
/// scenario the library built from it.
#[pyclass(frozen, module = "supplyrisk._native")]
pub struct Scenario {
    /// The text and its name.
    pub input: ScenarioText,
    /// The validated scenario.
    pub scenario: supplyrisk::scenario::Scenario,
}

impl Scenario {
    /// Validate `input` (without the GIL).
    fn parse(py: Python<'_>, input: ScenarioText) -> PyResult<Scenario> {
        let scenario = py.detach(|| input.parse()).or_raise()?;
        Ok(Scenario { input, scenario })
    }
}

#[pymethods]
impl Scenario {
    /// A scenario from TOML text; `file` names it in messages.
    #[staticmethod]
    fn from_text(py: Python<'_>, text: String, file: String) -> PyResult<Scenario> {
        Scenario::parse(py, ScenarioText { file, text })
    }

    /// A scenario from a file, labelled `file` (default: its path) in
    /// messages once it is read.
    #[staticmethod]
    #[pyo3(signature = (path, file=None))]
    fn from_path(py: Python<'_>, path: PathBuf, file: Option<String>) -> PyResult<Scenario> {
        let mut input = py.detach(|| ScenarioText::read(&path)).or_raise()?;
        if let Some(file) = file {
            input.file = file;
        }
        Scenario::parse(py, input)
    }

    /// The scenario with each `KIND.ID.KEY` address set to its value, in
    /// order, validated like a file.
    fn with_values(&self, py: Python<'_>, values: Vec<(String, f64)>) -> PyResult<Scenario> {
        let mut parsed = Vec::with_capacity(values.len());
        for (address, value) in values {
            let param = SweepParam::parse(&address).map_err(|message| {
                crate::errors::to_py(
                    InputError {
                        file: self.input.file.clone(),
                        position: None,
                        key: Some(address.clone()),
                        message,
                    }
                    .into(),
                )
            })?;
            parsed.push((param, value));
        }
        let (text, file, scenario) = py
            .detach(|| with_values(&self.input.text, &self.input.file, &parsed))
            .or_raise()?;
        Ok(Scenario {
            input: ScenarioText { file, text },
            scenario,
        })
    }

    /// Simulate the whole run (keeping every trial's horizon totals with
    /// `per_trial`).
    #[pyo3(signature = (trials=None, seed=None, threads=None, max_memory=None, per_trial=false, progress=None))]
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        py: Python<'_>,
        trials: Option<PyInt>,
        seed: Option<PyInt>,
        threads: Option<PyInt>,
        max_memory: Option<f64>,
        per_trial: bool,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<RunResult> {
        let mut opts = crate::options(trials, seed, threads, None)?;
        opts.max_memory = max_memory;
        opts.keep_trials = per_trial;
        let threads = opts.threads;
        let report = crate::interruptible(py, opts, progress.as_ref(), |o| {
            commands::run_text(&self.input, o)
        })?;
        RunResult::new(report, threads)
    }

    /// Simulate slice `shard` of `shards` of the run: its partial result's
    /// bytes.
    #[pyo3(signature = (shard, shards, trials=None, seed=None, threads=None, max_memory=None, progress=None))]
    #[allow(clippy::too_many_arguments)]
    fn run_shard<'py>(
        &self,
        py: Python<'py>,
        shard: PyInt,
        shards: PyInt,
        trials: Option<PyInt>,
        seed: Option<PyInt>,
        threads: Option<PyInt>,
        max_memory: Option<f64>,
        progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let mut opts = crate::options(trials, seed, threads, None)?;
        // Checked here, not by the library, to speak of the pair the
        // caller gave rather than the command line's `K/N`.
        let (k, n) = match (u64::try_from(shard), u64::try_from(shards)) {
            (Ok(k @ 1..), Ok(n)) if k <= n => (k, n),
            // More shards than 64 bits hold: the library's limit, told
            // with the number given.
            (Ok(1..), Err(_)) if shards > 0 => {
                return Err(crate::errors::bad_argument(
                    "shard",
                    format!(
                        "expected at most {} shards, found {shards}",
                        supplyrisk::partial::MAX_SHARDS
                    ),
                ))
            }
            _ => return Err(bad_shard(shard, shards)),
        };
        opts.shard = Some((k, n));
        opts.max_memory = max_memory;
        let report = crate::interruptible(py, opts, progress.as_ref(), |o| {
            commands::run_text(&self.input, o)
        })?;
        let bytes = report.outputs.into_iter().next().map(|(_, b)| b);
        Ok(PyBytes::new(py, &bytes.unwrap_or_default()))
    }

    /// The scenario's display name.
    #[getter]
    fn name(&self) -> &str {
        &self.scenario.name
    }

    /// Its description, if any.
    #[getter]
    fn description(&self) -> Option<&str> {
        self.scenario.description.as_deref()
    }

    /// The file (or label) messages name.
    #[getter]
    fn file(&self) -> &str {
        &self.input.file
    }

    /// The TOML text.
    #[getter]
    fn text(&self) -> &str {
        &self.input.text
    }

    /// First calendar year.
    #[getter]
    fn start_year(&self) -> i64 {
        self.scenario.start_year
    }

    /// Years simulated.
    #[getter]
    fn years(&self) -> usize {
        self.scenario.years
    }

    /// Trials the scenario asks for, if any.
    #[getter]
    fn trials(&self) -> Option<u64> {
        self.scenario.trials
    }

    /// Seed the scenario gives, if any.
    #[getter]
    fn seed(&self) -> Option<u64> {
        self.scenario.seed
    }

    /// Mineral ids, in file order.
    #[getter]
    fn minerals(&self) -> Vec<String> {
        self.scenario
            .minerals
            .iter()
            .map(|m| m.id.clone())
            .collect()
    }

    /// Source ids, in file order.
    #[getter]
    fn sources(&self) -> Vec<String> {
        self.scenario.sources.iter().map(|s| s.id.clone()).collect()
    }

    /// Event ids, in file order.
    #[getter]
    fn events(&self) -> Vec<String> {
        self.scenario.events.iter().map(|e| e.id.clone()).collect()
    }

    /// Pickled as its text and name (validated again when unpickled).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let make = py.get_type::<Scenario>().getattr("from_text")?;
        let args = (self.input.text.clone(), self.input.file.clone());
        (make, args).into_pyobject(py)
    }
}

/// The error of a `shard=(k, n)` outside `1 <= k <= n`.
fn bad_shard(shard: PyInt, shards: PyInt) -> PyErr {
    crate::errors::bad_argument(
        "shard",
        format!("expected (k, n) with 1 <= k <= n, found ({shard}, {shards})"),
    )
}
