//! # supplyrisk
//!
//! Monte Carlo supply-shortfall risk for critical minerals: how likely a
//! consumer is to run short of copper, cobalt, nickel or lithium, by how
//! much, how far a world market's price spikes and what that costs the
//! consumer, and how much a new source or a stockpile cuts that risk;
//! with parameter uncertainty and Sobol indices over a scenario's
//! uncertain inputs.
//!
//! The model and the scenario format are described in `docs/model.md`, the
//! command line in `docs/cli.md`. The crate is organised as:
//!
//! - [`scenario`]: loading and validating scenario files (two stages: raw
//!   serde structs, then checked domain types);
//! - [`dist`]: validated distributions from `rand_distr`;
//! - [`rng`]: random streams keyed by `(seed, trial, entity)`;
//! - [`engine`]: the parallel, chunked Monte Carlo core, and the records
//!   of slices of a run that merge into the whole run's;
//! - [`stats`], [`sketch`], [`distribution`], [`summary`],
//!   [`concentration`]: the metrics;
//! - [`partial`]: partial results of sharded runs and uncertainty
//!   studies, and their merge;
//! - [`compare`], [`cost_split`]: paired comparisons, equivalent firm
//!   supply and how much of a change in cost is price level or risk,
//!   sensitivity and sweeps;
//! - [`uncertainty`]: the Saltelli design over uncertain inputs, the
//!   spread of each result across it, and Sobol indices;
//! - [`plot`], [`report`]: PNG charts and the self-contained `report.html`;
//! - [`output`], [`tables`], [`commands`]: files, tables (printed, and as
//!   CSV) and the commands of the binary; each command also runs on a
//!   scenario's text and can return its files in memory instead of writing
//!   them, which is how the Python package (`python/`) calls it.
//!
//! ```
//! use supplyrisk::{engine, scenario::Scenario, summary::Summary};
//!
//! let text = r#"
//! [scenario]
//! name = "one source"
//! start_year = 2026
//! years = 2
//!
//! [[mineral]]
//! id = "cobalt"
//! unit = "kt"
//! demand = { base = 10.0 }
//!
//! [[source]]
//! id = "drc"
//! mineral = "cobalt"
//! capacity = 12.0
//! disruption = { rate = 0.5, severity = 0.5, duration_months = 6 }
//! "#;
//! let scenario = Scenario::from_toml_str(text, "example.toml")?;
//! let results = engine::simulate(&scenario, 7, 10_000, None);
//! let summary = Summary::new(&scenario, 7, &results);
//! let cobalt = summary.minerals.get("cobalt").unwrap();
//! assert!(cobalt.p_any_shortfall > 0.0 && cobalt.p_any_shortfall < 1.0);
//! # Ok::<(), supplyrisk::Error>(())
//! ```
#![deny(missing_docs)]

/// `eprintln!` that ignores a stderr it cannot write to (closed, or a full
/// disk behind it), where `eprintln!` would panic: a message is not a
/// result, and there is nowhere left to report the failure.
#[macro_export]
macro_rules! stderr_line {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod assumptions;
pub mod commands;
pub mod compare;
pub mod concentration;
pub mod cost_split;
pub mod dist;
pub mod distribution;
pub mod engine;
pub mod error;
pub mod output;
pub mod partial;
pub mod plot;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod select;
pub mod sensitivity;
pub mod sketch;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod tables;
pub mod uncertainty;
pub mod year_changes;

pub use error::{Error, InputError, Result};
