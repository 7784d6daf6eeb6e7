//! Command-line definition (clap). Parsing only: the work is in the library.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use supplyrisk::commands::{SimOptions, MAX_MEMORY_GIB};
use supplyrisk::plot::ChartSize;

/// Monte Carlo supply-shortfall risk for critical minerals.
#[derive(Debug, Parser)]
#[command(name = "supplyrisk", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario: summary.json, years.csv, charts, report.html
    /// and a headline table.
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Simulate only the K-th of N contiguous slices of the trials and
        /// write its partial result (partial-K-of-N.srpart) to --out;
        /// `merge` the N partial results into the whole run's files.
        #[arg(long, value_name = "K/N", value_parser = parse_shard, allow_hyphen_values = true)]
        shard: Option<(u64, u64)>,
        /// Also write every trial's horizon total unserved amount per
        /// mineral to FILE (CSV: trial, then one column per mineral).
        #[arg(long, value_name = "FILE", conflicts_with = "shard")]
        per_trial: Option<PathBuf>,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Merge the partial results of every shard of a run or uncertainty
    /// study (folders of *.srpart files, in any order) into the files the
    /// unsharded command writes, byte for byte.
    Merge {
        /// Folders (or files) holding the partial results.
        #[arg(required = true, value_name = "SHARD_DIR")]
        shards: Vec<PathBuf>,
        /// Output folder (default: results/merged/).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Worker threads for the summary and charts (default: all cores).
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
        /// Write no charts and no HTML page.
        #[arg(long)]
        no_plots: bool,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
        /// Size of the PNG charts, WIDTHxHEIGHT in pixels.
        #[arg(long, value_name = "WxH", default_value = "1600x1000", value_parser = parse_chart_size)]
        chart_size: ChartSize,
        /// Most memory the run may need, in GiB (default 4); a run estimated
        /// to need more is refused before it starts.
        #[arg(long, value_name = "GIB", value_parser = parse_gib, allow_negative_numbers = true)]
        max_memory: Option<f64>,
    },
    /// Compare two scenarios with common random numbers: paired changes,
    /// risk reduction and equivalent firm supply.
    #[command(mut_arg("trials", |a| a.help("Number of trials (default: the baseline's, else 100000)")))]
    #[command(mut_arg("seed", |a| a.help("Seed (default: the baseline's, else 0)")))]
    #[command(mut_arg("out", |a| a.help("Output folder (default: results/<baseline stem>-vs-<alternative stem>/)")))]
    Compare {
        /// Baseline scenario file.
        baseline: PathBuf,
        /// Alternative scenario file.
        alternative: PathBuf,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Rank what drives the risk: each disruption switched off in turn.
    Sensitivity {
        /// Scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Vary one parameter over values, with common random numbers.
    #[command(group(clap::ArgGroup::new("points").required(true).args(["values", "range"])))]
    Sweep {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Parameter as KIND.ID.KEY, e.g. source.chile-copper.access,
        /// event.cn-export-controls.rate, stockpile.cobalt.initial,
        /// mineral.copper.demand.growth, source.reko-diq.project.success_probability.
        #[arg(long, value_name = "KIND.ID.KEY")]
        param: String,
        /// Values, comma-separated, e.g. 0.05,0.1,0.2.
        #[arg(long, value_name = "A,B,...", allow_hyphen_values = true)]
        values: Option<String>,
        /// COUNT evenly spaced values from FROM to TO, e.g. 0:0.5:11.
        #[arg(long, value_name = "FROM:TO:COUNT", allow_hyphen_values = true)]
        range: Option<String>,
        /// Metrics to chart: eud_total, p_any_shortfall,
        /// expected_shortfall_years, unserved_p95, cvar95, and for world
        /// markets cost_total, p_price_spike [default: eud_total,
        /// p_any_shortfall, and cost_total, p_price_spike where a mineral
        /// trades on a world market].
        #[arg(long, value_name = "M,...", value_delimiter = ',')]
        metrics: Vec<String>,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Spread of each result across parameter sets drawn from the
    /// scenario's [[uncertain]] tables, and Sobol indices of each parameter.
    #[command(mut_arg("trials", |a| a.help("Trials per parameter set (default: the scenario's, else 20000)")))]
    Uncertainty {
        /// Scenario file (TOML) with [[uncertain]] tables.
        scenario: PathBuf,
        /// Base parameter sets N, a power of two (N (k + 2) runs for k
        /// parameters).
        #[arg(long, value_name = "N", default_value_t = supplyrisk::commands::DEFAULT_SAMPLES)]
        samples: usize,
        /// Run only the K-th of N contiguous slices of the parameter sets
        /// (in design order) and write its partial result
        /// (partial-K-of-N.srpart) to --out; `merge` the N partial results
        /// into the study's files.
        #[arg(long, value_name = "K/N", value_parser = parse_shard, allow_hyphen_values = true)]
        shard: Option<(u64, u64)>,
        #[command(flatten)]
        sim: SimArgs,
    },
    /// Check scenario files without simulating.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
}

/// Flags shared by the commands that simulate.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Number of trials (default: the scenario's, else 100000).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub trials: Option<u64>,
    /// Seed (default: the scenario's, else 0).
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Output folder (default: results/<scenario file stem>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores); results never depend on it.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Write no charts and no HTML page.
    #[arg(long)]
    pub no_plots: bool,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
    /// Size of the PNG charts, WIDTHxHEIGHT in pixels.
    #[arg(long, value_name = "WxH", default_value = "1600x1000", value_parser = parse_chart_size)]
    pub chart_size: ChartSize,
    /// Most memory a run may need, in GiB (default 4); a run estimated to
    /// need more is refused before it starts.
    #[arg(long, value_name = "GIB", value_parser = parse_gib, allow_negative_numbers = true)]
    pub max_memory: Option<f64>,
}

fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let parsed = text
        .split_once('/')
        .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
    match parsed {
        Some((k, n)) if k >= 1 && k <= n => Ok((k, n)),
        _ => Err(format!(
            "expected K/N with 1 <= K <= N, such as 3/8, found '{text}'"
        )),
    }
}

fn parse_gib(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(x) if x > 0.0 && x <= MAX_MEMORY_GIB => Ok(x),
        _ => Err(format!(
            "expected a number of GiB above 0 and at most {MAX_MEMORY_GIB}, such as 16, found '{text}'"
        )),
    }
}

fn parse_chart_size(text: &str) -> Result<ChartSize, String> {
    ChartSize::parse(text).ok_or_else(|| {
        let (w, h) = (ChartSize::WIDTHS, ChartSize::HEIGHTS);
        format!(
            "expected WIDTHxHEIGHT in pixels ({}-{} x {}-{}), such as 1600x1000, found '{text}'",
            w.start(),
            w.end(),
            h.start(),
            h.end()
        )
    })
}

/// Warn on stderr (unless `quiet`) when `--threads` asks for more threads
/// than there are cores: the library uses at most that many.
pub fn warn_threads(threads: Option<usize>, quiet: bool) {
    let cap = supplyrisk::commands::max_threads();
    if let Some(n) = threads.filter(|&n| n > cap) {
        if !quiet {
            supplyrisk::stderr_line!(
                "warning: --threads {n} is more than the {cap} cores available; using {cap}"
            );
        }
    }
}

impl From<SimArgs> for SimOptions {
    /// The options, with [`warn_threads`].
    fn from(a: SimArgs) -> Self {
        warn_threads(a.threads, a.quiet);
        SimOptions {
            trials: a.trials,
            seed: a.seed,
            out: a.out,
            threads: a.threads,
            no_plots: a.no_plots,
            quiet: a.quiet,
            chart_size: a.chart_size,
            shard: None,
            per_trial: None,
            keep_trials: false,
            max_memory: a.max_memory,
            in_memory: false,
            cancel: None,
            feed: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
