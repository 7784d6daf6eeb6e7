//! Writing results: the output folder ([`folder`]), `summary.json`,
//! `years.csv` and the headline table printed to stdout.

pub mod folder;
pub mod memory;
mod numbers;

use crate::error::{Error, Result};
use crate::summary::{MineralSummary, Summary};
use std::fmt::Write as _;

pub use crate::tables::years_csv;
pub use numbers::*;

/// Write one file atomically, outside any results folder (the examples
/// write figures into `docs/` this way): into a new temporary file
/// `.<name>.tmp-<pid>-<random>` beside it, flushed to disk, then renamed
/// over `path`. Results folders are written by [`folder::Staging`].
///
/// A symbolic link is followed: the file it points to is replaced, not
/// the link. A path that is not a regular file (a pipe, a terminal) is
/// written to as it is, since it cannot be replaced. A path that names
/// this process's standard output or error (`/dev/stdout`, `/dev/fd/2`,
/// `/proc/self/fd/1`, or a link to one) is written through that stream,
/// where it stands, as the shell would: whatever the stream leads to,
/// a file included, is never replaced.
///
/// # Errors
///
/// [`Error::Write`] when the file cannot be written.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let werr = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(stream) = standard_stream(path) {
        let mut w: Box<dyn std::io::Write> = match stream {
            Stream::Out => Box::new(std::io::stdout().lock()),
            Stream::Err => Box::new(std::io::stderr().lock()),
        };
        return w.write_all(bytes).and_then(|()| w.flush()).map_err(werr);
    }
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if link {
        if let Ok(target) = std::fs::canonicalize(path) {
            return write_atomic(&target, bytes);
        }
    }
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(werr)?;
        return f.write_all(bytes).and_then(|()| f.flush()).map_err(werr);
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A failure names the file asked for, not the temporary one.
    folder::place(dir, &name, bytes)
        .map(|_| ())
        .map_err(|e| match e {
            Error::Write { source, .. } => werr(source),
            other => other,
        })
}

/// This process's standard output or error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Out,
    Err,
}

/// The standard stream that `path` names, directly or through symbolic
/// links: `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`,
/// `/proc/thread-self/fd/N` or `/proc/<this process>/fd/N`, N 1 or 2.
fn standard_stream(path: &std::path::Path) -> Option<Stream> {
    let pid = std::process::id().to_string();
    let mut p = path.to_path_buf();
    // A chain of links longer than the system's own limit is not followed.
    for _ in 0..40 {
        let text = p.to_string_lossy();
        let fd = match text.as_ref() {
            "/dev/stdout" => Some("1"),
            "/dev/stderr" => Some("2"),
            t => t
                .strip_prefix("/dev/fd/")
                .or_else(|| t.strip_prefix("/proc/self/fd/"))
                .or_else(|| t.strip_prefix("/proc/thread-self/fd/"))
                .or_else(|| {
                    t.strip_prefix("/proc/")
                        .and_then(|r| r.strip_prefix(pid.as_str()))
                        .and_then(|r| r.strip_prefix("/fd/"))
                }),
        };
        match fd {
            Some("1") => return Some(Stream::Out),
            Some("2") => return Some(Stream::Err),
            Some(_) => return None,
            None => {}
        }
        let target = std::fs::read_link(&p).ok()?;
        p = match p.parent() {
            Some(dir) if target.is_relative() => dir.join(target),
            _ => target,
        };
    }
    None
}

/// Keys of result files whose value may be `null` by design
/// (`risk_reduction` and `equivalent_firm_supply` of a comparison, the
/// file value of a sweep's parameter).
const NULLABLE: [&str; 3] = ["risk_reduction", "equivalent_firm_supply", "file_value"];

/// Whole key paths whose value may be `null` by design (a sweep's scenario
/// as written, where the file gives the parameter no number).
const NULLABLE_PATHS: [&str; 1] = ["as_written.value"];

/// Check that every number of a result is finite before it is written
/// (JSON has no NaN or infinity: they would become `null`).
///
/// # Errors
///
/// [`Error::Other`] (exit status 1) naming the first number that is not
/// finite, so that no such number reaches a file.
pub fn check_finite<T: serde::Serialize>(what: &str, value: &T) -> Result<()> {
    fn walk(v: &serde_json::Value, path: &mut Vec<String>) -> Option<String> {
        match v {
            serde_json::Value::Null => {
                let last = path.last().map(String::as_str).unwrap_or("");
                // A change by year of a run of one chunk has no standard
                // error.
                let by_year_se = path.iter().any(|k| k == "by_year") && last.ends_with("_se");
                let at = path.join(".");
                let nullable = NULLABLE.contains(&last) || NULLABLE_PATHS.contains(&at.as_str());
                (!nullable && !by_year_se).then_some(at)
            }
            serde_json::Value::Array(a) => a.iter().enumerate().find_map(|(i, x)| {
                path.push(i.to_string());
                let found = walk(x, path);
                path.pop();
                found
            }),
            serde_json::Value::Object(o) => o.iter().find_map(|(k, x)| {
                path.push(k.clone());
                let found = walk(x, path);
                path.pop();
                found
            }),
            _ => None,
        }
    }
    let json = serde_json::to_value(value)
        .map_err(|e| Error::Other(format!("could not format {what}: {e}")))?;
    match walk(&json, &mut Vec::new()) {
        None => Ok(()),
        Some(path) => Err(Error::Other(format!(
            "the results are not finite ({what}: {path} is not a finite number): the scenario's amounts or rates are too extreme for floating-point arithmetic; nothing was written"
        ))),
    }
}

/// Any result file (`summary.json`, `comparison.json`, …) as JSON bytes:
/// pretty-printed, with a final newline.
pub fn json_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// A plain-text table: the first column left-aligned, the others
/// right-aligned, columns two spaces apart.
pub fn text_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for cells in std::iter::once(&header).chain(rows) {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                let pad = " ".repeat(w - c.chars().count());
                if i == 0 {
                    format!("{c}{pad}")
                } else {
                    format!("{pad}{c}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    }
    out
}

/// Columns of printed sentences (findings under a table).
pub const WIDTH: usize = 100;

/// `text` broken into lines of at most `width` characters at spaces
/// (a longer word stands alone), continuation lines indented by two
/// spaces; each line ends with a newline.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = "  ".to_string();
        } else if len > 0 {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// The first line of a command's report: scenario, trials, seed, horizon.
pub fn run_line(name: &str, trials: u64, seed: u64, start_year: i64, years: usize) -> String {
    format!(
        "{name} — {}, seed {seed}, {start_year}–{}\n",
        count(trials, "trial", "trials"),
        start_year + years as i64 - 1
    )
}

/// The headline table: one row per mineral with `p_any_shortfall ± se`,
/// `eud_total ± se`, `unserved_p95`, and `hhi` without and with projects;
/// then, when some mineral is traded on a world market, one row per such
/// mineral with `p_price_spike ± se`, `cost_total ± se` and `cost_p95` in
/// its currency (see [`market_table`]); then one row per stockpile (see
/// [`stockpile_table`]).
pub fn headline_table(summary: &Summary) -> String {
    let rows: Vec<Vec<String>> = summary
        .minerals
        .0
        .iter()
        .map(|(id, m)| {
            vec![
                id.clone(),
                fmt_pm(m.p_any_shortfall, m.p_any_shortfall_se),
                format!("{} {}", fmt_pm(m.eud_total, m.eud_total_se), m.unit),
                format!("{} {}", fmt_sig(m.unserved_p95), m.unit),
                fmt_index(m.hhi),
                fmt_index(m.hhi_with_projects),
            ]
        })
        .collect();
    let mut out = run_line(
        &summary.scenario,
        summary.trials,
        summary.seed,
        summary.start_year,
        summary.years,
    );
    out.push_str(&text_table(
        &[
            "mineral",
            "p_any_shortfall",
            "eud_total",
            "unserved_p95",
            "hhi",
            "with projects",
        ],
        &rows,
    ));
    out.push_str(&market_table(summary));
    out.push_str(&stockpile_table(summary));
    out
}

/// The stockpile rows of the headline table: per mineral with a
/// stockpile, `p_stock_empty ± se` and the stock at the end of the last
/// year (median, and 5th to 95th percentile); empty when no mineral has a
/// stockpile. It starts with a blank line.
pub fn stockpile_table(summary: &Summary) -> String {
    let rows: Vec<Vec<String>> = summary
        .minerals
        .0
        .iter()
        .filter_map(|(id, m)| {
            let p = m.p_stock_empty?;
            let [lo, mid, hi] = m.end_stock()?;
            Some(vec![
                id.clone(),
                fmt_pm(p, m.p_stock_empty_se.unwrap_or(0.0)),
                format!("{} {}", fmt_sig(mid), m.unit),
                format!("{} – {} {}", fmt_sig(lo), fmt_sig(hi), m.unit),
            ])
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let last_year = summary.start_year + summary.years as i64 - 1;
    let median = format!("stock_p50 {last_year}");
    let table = text_table(
        &["stockpile", "p_stock_empty", &median, "stock_p5 – p95"],
        &rows,
    );
    format!("\n{table}{STOCK_NOTE}\n")
}

/// What the stockpile table gives, under it.
pub const STOCK_NOTE: &str =
    "p_stock_empty: chance it runs out in some step it releases; stock at the end of the last year";

/// What `cost_total` measures, under the market table.
pub const COST_NOTE: &str =
    "cost_total: what the consumer pays above buying at the reference price (negative: below)";

/// A world-market mineral's cells of a market table: its id,
/// `p_price_spike ± se`, `cost_total ± se` and `cost_p95` in its currency;
/// `None` for a mineral without a market.
pub fn market_cells(id: &str, m: &MineralSummary) -> Option<Vec<String>> {
    let currency = m.currency.as_deref()?;
    let (p, p_se) = (m.p_price_spike?, m.p_price_spike_se.unwrap_or(0.0));
    let (c, c_se) = (m.cost_total?, m.cost_total_se.unwrap_or(0.0));
    Some(vec![
        id.to_string(),
        fmt_pm(p, p_se),
        format!("{} {currency}", fmt_pm(c, c_se)),
        m.cost_p95
            .map(|q| format!("{} {currency}", fmt_sig(q)))
            .unwrap_or_default(),
    ])
}

/// The market rows of the headline table ([`market_cells`] per market
/// mineral); empty when no mineral has a market. It starts with a blank
/// line.
pub fn market_table(summary: &Summary) -> String {
    let rows: Vec<Vec<String>> = summary
        .minerals
        .0
        .iter()
        .filter_map(|(id, m)| market_cells(id, m))
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let table = text_table(
        &["world market", "p_price_spike", "cost_total", "cost_p95"],
        &rows,
    );
    format!("\n{table}{COST_NOTE}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        let w = wrap("aaa bbb ccc ddd", 8);
        assert_eq!(w, "aaa bbb\n  ccc\n  ddd\n");
        assert!(w.lines().all(|l| l.chars().count() <= 8));
        assert_eq!(wrap("short", 100), "short\n");
    }

    #[test]
    fn results_that_are_not_finite_are_refused_with_the_path_of_the_number() {
        #[derive(serde::Serialize)]
        struct R {
            ok: f64,
            risk_reduction: Option<f64>,
            years: Vec<f64>,
        }
        let good = R {
            ok: 1.0,
            risk_reduction: None,
            years: vec![0.0, 2.0],
        };
        assert!(check_finite("x", &good).is_ok());
        let bad = R {
            years: vec![0.0, f64::NAN],
            ..good
        };
        let e = check_finite("summary.json", &bad).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(
            e.to_string()
                .contains("summary.json: years.1 is not a finite number"),
            "{e}"
        );
        let inf = R {
            ok: f64::INFINITY,
            risk_reduction: Some(0.5),
            years: vec![],
        };
        assert!(check_finite("x", &inf).is_err());
    }

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_follows_links_and_writes_into_what_it_cannot_replace() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.csv");
        std::fs::write(&target, b"old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        // A named pipe stays a pipe, and its reader gets the bytes.
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || std::fs::read(fifo).unwrap())
            };
            write_atomic(&fifo, b"through").unwrap();
            assert_eq!(reader.join().unwrap(), b"through");
            assert!(!std::fs::metadata(&fifo).unwrap().is_file());
        }
    }
}
