//! Writing results: the output folder ([`folder`]), `summary.json`,
//! `years.csv` and the headline table printed to stdout.

pub mod folder;
pub mod memory;

use crate::error::{Error, Result};
use crate::summary::Summary;
use std::fmt::Write as _;

pub use crate::tables::years_csv;

/// `n` with the singular or plural noun: `1 run`, `33 runs`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

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
    match standard_stream(path) {
        Some(Stream::Out) => {
            let mut out = std::io::stdout().lock();
            return out.write_all(bytes).and_then(|()| out.flush()).map_err(werr);
        }
        Some(Stream::Err) => {
            let mut err = std::io::stderr().lock();
            return err.write_all(bytes).and_then(|()| err.flush()).map_err(werr);
        }
        None => {}
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

/// Format a number with four significant digits, without scientific
/// notation for everyday magnitudes.
pub fn fmt_sig(x: f64) -> String {
    fmt_digits(x, 4)
}

/// As [`fmt_sig`], without trailing zeros: `80`, `1836`, `0.125`.
pub fn fmt_short(x: f64) -> String {
    let s = fmt_sig(x);
    if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A probability in percent to one decimal, never rounded to a certainty
/// it is not: "over 99.9%", "under 0.1%".
pub fn fmt_share(p: f64) -> String {
    let s = format!("{:.1}%", 100.0 * p);
    match s.as_str() {
        "100.0%" if p < 1.0 => "over 99.9%".to_string(),
        "0.0%" if p > 0.0 => "under 0.1%".to_string(),
        _ => s,
    }
}

/// A price multiple in words: `1.5`, `2`; from a million on in exponent
/// form (`1e11`).
pub fn fmt_multiple(x: f64) -> String {
    if x.abs() >= 1e6 {
        return fmt_exp(x);
    }
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `x` to three significant figures in exponent form, without trailing
/// zeros: `2.5e12`, `1e300`, `-1.23e9`.
pub fn fmt_exp(x: f64) -> String {
    trimmed_exp(x, 2)
}

/// `x` in exponent form with `decimals` decimals in the mantissa, less
/// its trailing zeros.
fn trimmed_exp(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$e}");
    let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    format!("{mantissa}e{exponent}")
}

/// For amounts of a million up to a thousand trillion, the divisor and
/// word that name them in prose: `(1e9, "billion")`.
pub fn large_scale(x: f64) -> Option<(f64, &'static str)> {
    let a = x.abs();
    if !(1e6..1e15).contains(&a) {
        None
    } else if a >= 1e12 {
        Some((1e12, "trillion"))
    } else if a >= 1e9 {
        Some((1e9, "billion"))
    } else {
        Some((1e6, "million"))
    }
}

/// `s`, a formatted number, with commas between thousands in its integer
/// part: `598630.5` becomes `598,630.5`, `-1737` becomes `-1,737`.
pub fn group_thousands(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (int, tail) = rest.split_at(end);
    if int.len() < 4 {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(tail);
    out
}

/// A concentration index (0 to 10,000) as a whole number, thousands
/// separated: `2,841`.
pub fn fmt_index(hhi: f64) -> String {
    group_thousands(&format!("{hhi:.0}"))
}

/// `x` to `sig` significant digits (at least; whole numbers keep all
/// their digits): thousands separated, in words from a
/// million (`15.63 billion`), in scientific notation below 1e-4 and from
/// 1e15.
pub fn fmt_digits(x: f64, sig: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    if let Some((d, word)) = large_scale(x) {
        return format!("{} {word}", plain_digits(x / d, sig));
    }
    let a = x.abs();
    if !(1e-4..1e15).contains(&a) {
        let d = (sig - 1).max(0) as usize;
        return format!("{x:.d$e}");
    }
    group_thousands(&plain_digits(x, sig))
}

/// `x` to four significant digits for messages about inputs, without
/// trailing zeros, in scientific notation outside 1e-4 to 1e9 (`2.5e11`,
/// `1.867e14`), as limits are written.
pub fn fmt_sci(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 || !x.is_finite() || (1e-4..1e9).contains(&a) {
        return fmt_short(x);
    }
    trimmed_exp(x, 3)
}

/// `x` to `sig` significant digits in plain decimals.
fn plain_digits(x: f64, sig: i32) -> String {
    let digits = (sig - 1 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.digits$}")
}

/// Format `value ± se` to the precision the standard error supports, by
/// the particle physicists' rule: the standard error's three leading digits
/// from 100 to 354 keep two significant digits, from 355 to 949 one, and
/// from 950 up it is rounded up to two (`0.00096` becomes `0.0010`); the
/// value is given to the same decimal place. Values below 0.001 in size
/// (with a standard error below it too) are written in scientific
/// notation (`2.5e-5 ± 1.6e-5`), never as `0.0000`.
pub fn fmt_pm(value: f64, se: f64) -> String {
    if value.is_finite() && se.is_finite() {
        if let Some((d, word)) = large_scale(value.abs().max(se)) {
            return format!("{} {word}", fmt_pm(value / d, se / d));
        }
    }
    if !se.is_finite() || se <= 0.0 || !value.is_finite() {
        return format!("{} ± 0", fmt_sig(value));
    }
    if se < 1e-12 * value.abs() {
        return format!("{} ± {se:.1e}", fmt_sig(value));
    }
    let exp = se.log10().floor() as i32;
    let lead = (se / 10f64.powi(exp - 2)).round();
    // Significant digits of the standard error, and its exponent after a
    // round-up from 950..999 to 1000.
    let (digits, exp) = match lead as i64 {
        i64::MIN..=354 => (2, exp),
        355..=949 => (1, exp),
        _ => (2, exp + 1),
    };
    if value != 0.0 && value.abs() < 1e-3 && se < 1e-3 {
        // Scientific: the value to the standard error's last digit.
        let value_exp = value.abs().log10().floor() as i32;
        let last = exp - digits + 1;
        let sig = (value_exp - last + 1).clamp(1, 6) as usize;
        return format!(
            "{value:.prec$e} ± {se:.se_prec$e}",
            prec = sig - 1,
            se_prec = (digits - 1) as usize
        );
    }
    let decimals = (digits - 1 - exp).clamp(0, 12) as usize;
    format!(
        "{} ± {}",
        group_thousands(&format!("{value:.decimals$}")),
        group_thousands(&format!("{se:.decimals$}"))
    )
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

/// The first line of a command's report: scenario, trials, seed, horizon.
pub fn run_line(name: &str, trials: u64, seed: u64, start_year: i64, years: usize) -> String {
    format!(
        "{name} — {trials} trials, seed {seed}, {start_year}–{}\n",
        start_year + years as i64 - 1
    )
}

/// The headline table: one row per mineral with `p_any_shortfall ± se`,
/// `eud_total ± se`, `unserved_p95`, and `hhi` without and with projects;
/// then, when some mineral is traded on a world market, one row per such
/// mineral with `p_price_spike ± se`, `cost_total ± se` and `cost_p95` in
/// its currency (see [`market_table`]).
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
    out
}

/// What `cost_total` measures, under the market table.
pub const COST_NOTE: &str =
    "cost_total: what the consumer pays above buying at the reference price (negative: below)";

/// The market rows of the headline table: per market mineral,
/// `p_price_spike ± se`, `cost_total ± se` and `cost_p95` in its currency;
/// empty when no mineral has a market. It starts with a blank line.
pub fn market_table(summary: &Summary) -> String {
    let rows: Vec<Vec<String>> = summary
        .minerals
        .0
        .iter()
        .filter_map(|(id, m)| {
            let currency = m.currency.as_deref()?;
            let (p, p_se) = (m.p_price_spike?, m.p_price_spike_se.unwrap_or(0.0));
            let (c, c_se) = (m.cost_total?, m.cost_total_se.unwrap_or(0.0));
            Some(vec![
                id.clone(),
                fmt_pm(p, p_se),
                format!("{} {currency}", fmt_pm(c, c_se)),
                m.cost_p95
                    .map(|q| format!("{} {currency}", fmt_sig(q)))
                    .unwrap_or_default(),
            ])
        })
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
    fn a_share_is_never_rounded_to_a_certainty() {
        assert_eq!(fmt_share(0.9996), "over 99.9%");
        assert_eq!(fmt_share(1.0), "100.0%");
        assert_eq!(fmt_share(0.0004), "under 0.1%");
        assert_eq!(fmt_share(0.0), "0.0%");
        assert_eq!(fmt_share(0.1536), "15.4%");
    }

    #[test]
    fn price_multiples_stay_short() {
        assert_eq!(fmt_multiple(1.5), "1.5");
        assert_eq!(fmt_multiple(2.0), "2");
        assert_eq!(fmt_multiple(999_999.0), "999999");
        assert_eq!(fmt_multiple(1e11), "1e11");
        assert_eq!(fmt_exp(2.5e12), "2.5e12");
        assert_eq!(fmt_exp(-1.2345e9), "-1.23e9");
    }

    #[test]
    fn fmt_sig_keeps_four_significant_digits() {
        assert_eq!(fmt_sig(0.0), "0");
        assert_eq!(fmt_sig(1234.567), "1,235");
        assert_eq!(fmt_sig(12.34567), "12.35");
        assert_eq!(fmt_sig(0.0123456), "0.01235");
        assert_eq!(fmt_sig(2.5e10), "25.00 billion");
        assert_eq!(fmt_sig(-3_760_501_871.0), "-3.761 billion");
        assert_eq!(fmt_sig(598_630.4), "598,630");
        assert_eq!(fmt_sig(5300.0), "5,300");
        assert_eq!(fmt_sig(-1737.2), "-1,737");
        assert_eq!(fmt_sig(999.94), "999.9");
        assert_eq!(fmt_sig(2.5e15), "2.500e15");
        assert_eq!(fmt_sig(1.5e-5), "1.500e-5");
    }

    #[test]
    fn fmt_pm_quotes_to_the_precision_the_standard_error_supports() {
        // 487 -> one digit; 157 -> two; 250 -> two.
        assert_eq!(fmt_pm(228.0312, 0.4875), "228.0 ± 0.5");
        assert_eq!(fmt_pm(0.549, 0.00157), "0.5490 ± 0.0016");
        assert_eq!(fmt_pm(12345.6, 250.0), "12,346 ± 250");
        assert_eq!(fmt_pm(142_970.2, 1292.4), "142,970 ± 1,292");
        assert_eq!(fmt_pm(6182.0, 91.0), "6,182 ± 91");
        // Large amounts in words, the standard error on the same scale.
        assert_eq!(fmt_pm(3_760_501_871.0, 96_835_650.0), "3.76 ± 0.10 billion");
        assert_eq!(
            fmt_pm(-26_304_149_012.0, 703_315_808.0),
            "-26.3 ± 0.7 billion"
        );
        assert_eq!(fmt_pm(1_234_567.0, 2_000_000.0), "1.2 ± 2.0 million");
        assert_eq!(fmt_pm(1.0, 0.0), "1.000 ± 0");
        // No spurious digits near 1; 950..999 rounds up to two digits.
        assert_eq!(fmt_pm(0.99999, 0.0000071), "0.999990 ± 0.000007");
        assert_eq!(fmt_pm(0.10359, 0.00096), "0.1036 ± 0.0010");
        // Tiny values in scientific notation, never "0.0000".
        assert_eq!(fmt_pm(0.000025, 0.0000158), "2.5e-5 ± 1.6e-5");
        assert_eq!(fmt_pm(0.00012, 0.0000071), "1.20e-4 ± 7e-6");
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
