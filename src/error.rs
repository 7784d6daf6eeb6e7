//! Error types: what went wrong with an input file, and everything else.
//!
//! Input problems ([`InputError`]) always point at the input: the file, the
//! line and column where the TOML gives them, the key path
//! (`source[3].disruption.rate`) and what was expected versus what was
//! found. The binary maps them to exit status 2; [`Error::exit_code`] says
//! which status each error deserves.

use std::fmt;
use std::path::PathBuf;

/// A problem with something the user gave us: a scenario file, a flag
/// value, a missing file. Always reported with exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file the problem is in (or the flag, for command-line problems).
    pub file: String,
    /// 1-based line and column, where known.
    pub position: Option<(usize, usize)>,
    /// Key path of the offending value, such as `source[3].disruption.rate`.
    pub key: Option<String>,
    /// What was wrong: normally "expected …, found …".
    pub message: String,
}

impl InputError {
    /// An error about a whole file (unreadable, empty, …).
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            file: file.into(),
            position: None,
            key: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    /// `file:line:col: key: message`, with control characters escaped so
    /// that nothing in a file (or its name) can drive the terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", escape_controls(&self.file))?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        if let Some(key) = &self.key {
            if !key.is_empty() {
                write!(f, ": {}", escape_controls(key))?;
            }
        }
        write!(f, ": {}", escape_controls(&self.message))
    }
}

/// Most characters of user text (an id, a string, a key) echoed in a message.
pub const ECHO_CHARS: usize = 80;

/// `text` with every control character (ESC, newline, the C1 controls, …)
/// written as a Rust escape such as `\u{1b}`.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// User text as a message echoes it: at most [`ECHO_CHARS`] characters
/// (then an ellipsis), control characters escaped.
pub fn clip(text: &str) -> String {
    match text.char_indices().nth(ECHO_CHARS) {
        Some((end, _)) => format!("{}…", escape_controls(&text[..end])),
        None => escape_controls(text),
    }
}

/// [`clip`] in double quotes: `"copper"`.
pub fn quote(text: &str) -> String {
    format!("\"{}\"", clip(text))
}

/// A number as messages print it: plainly when its magnitude is from 1e-4
/// to below 1e9 (`0.25`, `5300`), in exponent form otherwise (`1e12`,
/// `1e-300`), never with hundreds of digits.
pub fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-4..1e9).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

impl std::error::Error for InputError {}

/// Every error the library returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad input: an invalid scenario, a bad flag value, a missing file,
    /// shards that do not fit together. Exit status 2.
    #[error("{0}")]
    Input(Box<InputError>),
    /// Several bad inputs at once (for example `validate a.toml b.toml`).
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Inputs(Vec<InputError>),
    /// Writing an output file failed. Exit status 1.
    #[error("could not write '{path}': {source}")]
    Write {
        /// The file that could not be written.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// Any other failure. Exit status 1.
    #[error("{0}")]
    Other(String),
    /// The caller cancelled the command (see
    /// `commands::SimOptions::cancel`) before it finished; nothing was
    /// written. Exit status 1.
    #[error("cancelled")]
    Cancelled,
}

impl Error {
    /// The process exit status this error maps to: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) | Error::Inputs(_) => 2,
            _ => 1,
        }
    }

    /// Shorthand for a bad command-line value.
    pub fn bad_flag(flag: &str, message: impl Into<String>) -> Self {
        Error::Input(Box::new(InputError {
            file: "command line".to_string(),
            position: None,
            key: Some(flag.to_string()),
            message: message.into(),
        }))
    }
}

impl Error {
    /// The input problems of `self` and `other` together (exit status
    /// 2); any other error of the two as it is, `self`'s first.
    pub fn and(self, other: Error) -> Error {
        match (self.into_inputs(), other.into_inputs()) {
            (Ok(mut a), Ok(b)) => {
                a.extend(b);
                Error::Inputs(a)
            }
            (Err(e), _) | (_, Err(e)) => e,
        }
    }

    fn into_inputs(self) -> std::result::Result<Vec<InputError>, Error> {
        match self {
            Error::Input(e) => Ok(vec![*e]),
            Error::Inputs(es) => Ok(es),
            other => Err(other),
        }
    }
}

/// `Ok` when no input problem was found, else all of `problems` as one
/// error (exit status 2).
///
/// # Errors
///
/// [`Error::Input`] for one problem, [`Error::Inputs`] for several.
pub fn none(mut problems: Vec<InputError>) -> Result<()> {
    match problems.len() {
        0 => Ok(()),
        1 => Err(problems.remove(0).into()),
        _ => Err(Error::Inputs(problems)),
    }
}

/// Both results, or the problems of both (see [`Error::and`]).
///
/// # Errors
///
/// The error of either, or of both together.
pub fn both<A, B>(a: Result<A>, b: Result<B>) -> Result<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        (Err(x), Err(y)) => Err(x.and(y)),
    }
}

/// The values of all `results`, or the problems of all that failed
/// together (see [`Error::and`]).
///
/// # Errors
///
/// The errors of every failed result, together.
pub fn all<T>(results: impl IntoIterator<Item = Result<T>>) -> Result<Vec<T>> {
    let mut values = Vec::new();
    let mut problems: Option<Error> = None;
    for r in results {
        match r {
            Ok(v) => values.push(v),
            Err(e) => {
                problems = Some(match problems {
                    Some(p) => p.and(e),
                    None => e,
                })
            }
        }
    }
    problems.map_or(Ok(values), Err)
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(Box::new(e))
    }
}

/// Result type of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_error_names_file_position_key_and_message() {
        let e = InputError {
            file: "a.toml".into(),
            position: Some((3, 7)),
            key: Some("source[0].capacity".into()),
            message: "expected a number >= 0, found -1".into(),
        };
        assert_eq!(
            e.to_string(),
            "a.toml:3:7: source[0].capacity: expected a number >= 0, found -1"
        );
        assert_eq!(Error::from(e).exit_code(), 2);
        assert_eq!(Error::Other("x".into()).exit_code(), 1);
    }

    #[test]
    fn echoed_text_is_clipped_and_escaped() {
        assert_eq!(quote("copper"), "\"copper\"");
        assert_eq!(quote("a\u{1b}[31mb"), "\"a\\u{1b}[31mb\"");
        let long = "x".repeat(1_000_000);
        let q = quote(&long);
        assert_eq!(
            q.chars().count(),
            ECHO_CHARS + 3,
            "80 characters, an ellipsis, two quotes"
        );
        assert!(q.ends_with("…\""));
        assert_eq!(clip(&"é".repeat(81)), format!("{}…", "é".repeat(80)));
        let e = InputError {
            file: "a\u{9b}b.toml".into(),
            position: None,
            key: Some("x\ny".into()),
            message: "found \u{7}".into(),
        };
        assert_eq!(e.to_string(), "a\\u{9b}b.toml: x\\u{a}y: found \\u{7}");
    }

    #[test]
    fn numbers_print_compactly() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-0.2), "-0.2");
        assert_eq!(num(5300.0), "5300");
        assert_eq!(num(1e12), "1e12");
        assert_eq!(num(1.5e308), "1.5e308");
        assert_eq!(num(1e-300), "1e-300");
        assert_eq!(num(-1e-300), "-1e-300");
        assert_eq!(num(f64::NAN), "NaN");
        assert_eq!(num(f64::INFINITY), "inf");
        assert_eq!(num(123_456_789.0), "123456789");
    }
}
