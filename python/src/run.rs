//! A whole run's results, and the merge of partial results.

use crate::errors::OrRaise;
use crate::PyInt;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::path::PathBuf;
use supplyrisk::commands::{self, Outputs, RunParts, RunReport, SimOptions};
use supplyrisk::partial;
use supplyrisk::summary::Summary;
use supplyrisk::Error;

/// The results of a whole run (plain or merged): the outputs `run` writes,
/// rendered in memory, and what more of them is rendered from.
#[pyclass(frozen, module = "supplyrisk._native")]
pub struct RunResult {
    summary: Summary,
    parts: RunParts,
    outputs: Outputs,
    threads: Option<usize>,
    warnings: Vec<String>,
}

impl RunResult {
    /// From a run's report (which holds a whole run's results).
    pub fn new(report: RunReport, threads: Option<usize>) -> PyResult<RunResult> {
        match (report.summary, report.parts) {
            (Some(summary), Some(parts)) => Ok(RunResult {
                summary,
                parts,
                outputs: report.outputs,
                threads,
                warnings: crate::errors::warnings_in_python_terms(&report.warnings),
            }),
            _ => Err(crate::errors::to_py(Error::Other(
                "expected the results of a whole run, found a partial result".into(),
            ))),
        }
    }
}

/// A named column of numbers: a mineral's id and its values' bytes.
type Column<'py> = (String, Bound<'py, PyBytes>);

/// Outputs as a dict of name to bytes, in order.
pub fn outputs_dict<'py>(py: Python<'py>, outputs: &Outputs) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, bytes) in outputs {
        d.set_item(name, PyBytes::new(py, bytes))?;
    }
    Ok(d)
}

#[pymethods]
impl RunResult {
    /// The files `run --no-plots` writes (`summary.json`, `years.csv`,
    /// `summary.csv`), name to bytes.
    fn outputs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        outputs_dict(py, &self.outputs)
    }

    /// Everything `run` writes, charts and `report.html` included, name to
    /// bytes, rendered now at `width` x `height` pixels.
    #[pyo3(signature = (width=None, height=None))]
    fn render<'py>(
        &self,
        py: Python<'py>,
        width: Option<PyInt>,
        height: Option<PyInt>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let d = supplyrisk::plot::ChartSize::default();
        let size = (
            width.unwrap_or(d.width.into()),
            height.unwrap_or(d.height.into()),
        );
        let opts = crate::options(None, None, None, Some(size)).map_err(|_| {
            use supplyrisk::plot::ChartSize;
            let fits = |n: &PyInt, range: &std::ops::RangeInclusive<u32>| {
                u32::try_from(*n).is_ok_and(|n| range.contains(&n))
            };
            let (w, h) = (ChartSize::WIDTHS, ChartSize::HEIGHTS);
            let name = match (fits(&size.0, &w), fits(&size.1, &h)) {
                (false, true) => "width",
                (true, false) => "height",
                _ => "width, height",
            };
            crate::errors::bad_argument(
                name,
                format!(
                    "expected a width of {}-{} and a height of {}-{} pixels, found {} x {}",
                    w.start(),
                    w.end(),
                    h.start(),
                    h.end(),
                    size.0,
                    size.1
                ),
            )
        })?;
        let opts = SimOptions {
            threads: self.threads,
            ..opts
        };
        let p = &self.parts;
        let outputs = py
            .detach(|| commands::run_outputs(&p.scenario, &self.summary, &p.agg, &p.source, &opts))
            .or_raise()?;
        outputs_dict(py, &outputs)
    }

    /// Warnings about the scenario and the run, as the command line
    /// prints them (without `warning: `).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// The whole run as the partial result of its one slice (1 of 1):
    /// `merge` turns it back into this result, byte for byte.
    fn partial<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py.detach(|| self.parts.to_partial()).or_raise()?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Every trial's horizon total unserved amount, per mineral in
    /// scenario order: its id and the values as little-endian `f64`
    /// bytes (what the command line's `--per-trial` file holds); `None`
    /// for a run that did not keep its trials.
    fn per_trial<'py>(&self, py: Python<'py>) -> PyResult<Option<Vec<Column<'py>>>> {
        let agg = &self.parts.agg;
        let kept = agg
            .minerals
            .iter()
            .all(|m| m.totals.len() as u64 == agg.trials);
        if !kept {
            return Ok(None);
        }
        let columns = self.parts.scenario.minerals.iter().zip(&agg.minerals);
        columns
            .map(|(mineral, m)| {
                let bytes = PyBytes::new_with(py, m.totals.len() * 8, |buf| {
                    for (cell, x) in buf.chunks_exact_mut(8).zip(&m.totals) {
                        cell.copy_from_slice(&x.to_le_bytes());
                    }
                    Ok(())
                })?;
                Ok((mineral.id.clone(), bytes))
            })
            .collect::<PyResult<_>>()
            .map(Some)
    }

    /// Trials of the run.
    #[getter]
    fn trials(&self) -> u64 {
        self.summary.trials
    }

    /// Seed of the run.
    #[getter]
    fn seed(&self) -> u64 {
        self.summary.seed
    }

    /// Where the results come from: scenario file, hash of its text,
    /// trials, seed, program.
    #[getter]
    fn source(&self) -> &str {
        &self.parts.source
    }
}

/// Merge the partial results of every slice of one run: `partials`
/// (their bytes, named in messages by `labels`, else `partials[i]`) and
/// the `.srpart` files of `paths` (files, or folders of them, found and
/// read as the command line's `merge` does).
#[pyfunction]
#[pyo3(signature = (partials, threads=None, labels=None, paths=Vec::new()))]
pub fn merge(
    py: Python<'_>,
    partials: Vec<Bound<'_, PyBytes>>,
    threads: Option<PyInt>,
    labels: Option<Vec<String>>,
    paths: Vec<PathBuf>,
) -> PyResult<RunResult> {
    let opts = crate::options(None, None, threads, None)?;
    let threads = opts.threads;
    let partials: Vec<Vec<u8>> = partials.iter().map(|b| b.as_bytes().to_vec()).collect();
    let labels: Vec<String> = match labels {
        Some(l) if l.len() == partials.len() => l,
        _ => (0..partials.len())
            .map(|i| format!("partials[{i}]"))
            .collect(),
    };
    let report = py
        .detach(|| {
            let named = partials
                .into_iter()
                .zip(labels)
                .map(|(b, label)| (PathBuf::from(label), Ok(b)));
            let in_memory = partial::read_all(named);
            let from_files = partial::find(&paths).and_then(|files| partial::load(&files));
            let (mut parts, files) = supplyrisk::error::both(in_memory, from_files)?;
            parts.extend(files);
            if partial::check_set(&parts)? == partial::Kind::Study {
                return Err(supplyrisk::InputError::file(
                    "merge",
                    "expected partial results of a run (`run --shard`), found those of an uncertainty study (`uncertainty --shard`): merge them with `supplyrisk merge` on the command line",
                )
                .into());
            }
            commands::merge_partials(parts, &opts)
        })
        .or_raise()?;
    RunResult::new(report, threads)
}

/// The header of a partial result (its bytes), as JSON text.
#[pyfunction]
pub fn partial_header(data: &[u8]) -> PyResult<String> {
    let p =
        partial::from_bytes(data, "partial result").map_err(|e| crate::errors::to_py(e.into()))?;
    serde_json::to_string(&p.header).map_err(|e| crate::errors::to_py(Error::Other(e.to_string())))
}
