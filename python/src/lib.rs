//! `supplyrisk._native`: the Python extension module. Conversion and glue
//! only: every result comes from the library's commands run in memory
//! (`SimOptions::in_memory`), with the GIL released while they work
//! (`Python::detach`, pyo3's name for what was `allow_threads`). The pandas
//! layer is pure Python (`python/supplyrisk/`).

mod errors;
mod run;
mod scenario;
mod studies;

use pyo3::prelude::*;
use supplyrisk::commands::SimOptions;
use supplyrisk::plot::ChartSize;

/// Options of a command run from Python: nothing written, nothing printed.
fn options(
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    charts: Option<(u32, u32)>,
) -> PyResult<SimOptions> {
    let chart_size = match charts {
        Some((w, h)) => ChartSize::parse(&format!("{w}x{h}")).ok_or_else(|| {
            errors::bad_argument(
                "chart_size",
                format!(
                    "expected (width, height) in pixels (320-8000, 240-8000), found ({w}, {h})"
                ),
            )
        })?,
        None => ChartSize::default(),
    };
    Ok(SimOptions {
        trials,
        seed,
        threads,
        no_plots: charts.is_none(),
        quiet: true,
        chart_size,
        in_memory: true,
        ..SimOptions::default()
    })
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ScenarioError", py.get_type::<errors::ScenarioError>())?;
    m.add("SupplyriskError", py.get_type::<errors::SupplyriskError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("PROGRAM", supplyrisk::partial::program())?;
    m.add_class::<scenario::Scenario>()?;
    m.add_class::<run::RunResult>()?;
    m.add_function(wrap_pyfunction!(run::merge, m)?)?;
    m.add_function(wrap_pyfunction!(run::partial_header, m)?)?;
    m.add_function(wrap_pyfunction!(studies::compare, m)?)?;
    m.add_function(wrap_pyfunction!(studies::sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(studies::sweep, m)?)?;
    m.add_function(wrap_pyfunction!(studies::uncertainty, m)?)?;
    Ok(())
}
