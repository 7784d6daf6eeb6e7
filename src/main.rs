//! The `supplyrisk` binary: parse arguments, call the library, map errors
//! to exit codes (0 success, 2 bad input, 1 anything else).

mod cli;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;
use supplyrisk::commands;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Run {
            scenario,
            shard,
            sim,
        } => {
            let opts = commands::SimOptions {
                shard,
                ..sim.into()
            };
            commands::run(&scenario, &opts).map(|_| ())
        }
        Command::Merge {
            shards,
            out,
            threads,
            no_plots,
            quiet,
            chart_size,
        } => {
            let opts = commands::SimOptions {
                out,
                threads,
                no_plots,
                quiet,
                chart_size,
                ..Default::default()
            };
            commands::merge(&shards, &opts).map(|_| ())
        }
        Command::Compare {
            baseline,
            alternative,
            sim,
        } => commands::compare(&baseline, &alternative, &sim.into()).map(|_| ()),
        Command::Sensitivity { scenario, sim } => {
            commands::sensitivity(&scenario, &sim.into()).map(|_| ())
        }
        Command::Sweep {
            scenario,
            param,
            values,
            range,
            metrics,
            sim,
        } => {
            let sweep = commands::SweepOptions {
                param,
                values,
                range,
                metrics,
            };
            commands::sweep(&scenario, &sweep, &sim.into()).map(|_| ())
        }
        Command::Validate { scenarios, quiet } => commands::validate(&scenarios, quiet),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            for line in e.to_string().lines() {
                eprintln!("error: {line}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
