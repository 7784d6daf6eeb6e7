//! The `supplyrisk` binary: parse arguments, call the library, map errors
//! to exit codes (0 success, 2 bad input, 1 anything else; 130 and 143
//! after SIGINT and SIGTERM).

mod cli;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;
use supplyrisk::commands;

/// A piece of an argument error's context as text (the first of a list).
fn context(e: &clap::Error, kind: clap::error::ContextKind) -> Option<String> {
    use clap::error::ContextValue;
    match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => v.first().cloned(),
        _ => None,
    }
}

/// A flag's value that its parser refused, in the form of every other
/// bad-input message: `error: command line: --flag: expected …, found …`.
/// `None` for other argument errors (unknown flags, missing arguments),
/// which keep the parser's own message and usage hint.
fn bad_value(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ErrorKind};
    if !matches!(
        e.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
    ) {
        return None;
    }
    let text = |kind| context(e, kind);
    let arg = text(ContextKind::InvalidArg)?;
    let flag = arg.split_whitespace().next()?;
    let value = text(ContextKind::InvalidValue).unwrap_or_default();
    let source = std::error::Error::source(e);
    let int = source.and_then(|s| s.downcast_ref::<std::num::ParseIntError>());
    let why = match (int.map(std::num::ParseIntError::kind), source) {
        // Any 64-bit seed is valid: its range is the whole message.
        (Some(_), _) if flag == "--seed" => format!("expected an integer from 0 to {}", u64::MAX),
        (Some(std::num::IntErrorKind::PosOverflow), _) => "expected a smaller whole number".into(),
        (Some(_), _) => "expected a whole number".into(),
        (None, Some(s)) => s.to_string(),
        (None, None) => "expected a valid value".to_string(),
    };
    let why = if why.contains("found") {
        why
    } else {
        format!("{why}, found '{value}'")
    };
    Some(format!("error: command line: {flag}: {why}"))
}

/// An unknown flag or two flags that exclude each other, in the same
/// one-line form, with the parser's suggestion of a similar flag. `None`
/// for the other argument errors (a missing argument), which keep the
/// parser's message and usage hint.
fn bad_flag(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ErrorKind};
    let text = |kind| context(e, kind);
    let flag = |arg: String| {
        arg.split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    match e.kind() {
        ErrorKind::UnknownArgument => {
            let arg = text(ContextKind::InvalidArg)?;
            if !arg.starts_with('-') {
                return Some(format!(
                    "error: command line: expected no more arguments, found '{arg}'; see --help"
                ));
            }
            let hint = text(ContextKind::SuggestedArg)
                .map(|s| format!("; did you mean '{}'?", flag(s)))
                .unwrap_or_default();
            Some(format!(
                "error: command line: {}: expected a flag of this command, found '{arg}'{hint} (see --help)",
                flag(arg.clone())
            ))
        }
        ErrorKind::ArgumentConflict => {
            let arg = flag(text(ContextKind::InvalidArg)?);
            let other = flag(text(ContextKind::PriorArg)?);
            Some(if arg == other {
                format!("error: command line: {arg}: expected it once, found it more than once")
            } else {
                format!("error: command line: {arg}: expected either {arg} or {other}, found both")
            })
        }
        _ => None,
    }
}

fn main() -> ExitCode {
    on_signals_remove_pending();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            match bad_value(&e).or_else(|| bad_flag(&e)) {
                Some(line) => supplyrisk::stderr_line!("{line}"),
                None => match e.print() {
                    // Help or version that stdout would not take (a closed
                    // pipe is not an error: the reader has what it wanted).
                    Err(w) if !e.use_stderr() && w.kind() != std::io::ErrorKind::BrokenPipe => {
                        supplyrisk::stderr_line!("error: could not write to standard output: {w}");
                        return ExitCode::from(1);
                    }
                    _ => {}
                },
            }
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Run {
            scenario,
            shard,
            per_trial,
            sim,
        } => {
            let opts = commands::SimOptions {
                shard,
                per_trial,
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
            max_memory,
        } => {
            cli::warn_threads(threads, quiet);
            let opts = commands::SimOptions {
                out,
                threads,
                no_plots,
                quiet,
                chart_size,
                max_memory,
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
        Command::Uncertainty {
            scenario,
            samples,
            shard,
            sim,
        } => {
            let opts = commands::SimOptions {
                shard,
                ..sim.into()
            };
            commands::uncertainty(&scenario, samples, &opts).map(|_| ())
        }
        Command::Validate { scenarios, quiet } => commands::validate(&scenarios, quiet),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            for line in e.to_string().lines() {
                supplyrisk::stderr_line!("error: {line}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// On SIGINT or SIGTERM: delete the temporary output folder (or shard
/// file) being written, then exit with 128 + the signal (130, 143).
#[cfg(unix)]
fn on_signals_remove_pending() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            supplyrisk::output::folder::remove_pending();
            std::process::exit(128 + sig);
        }
    });
}

#[cfg(not(unix))]
fn on_signals_remove_pending() {}
