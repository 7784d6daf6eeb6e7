//! The library's errors as Python exceptions: bad input (a scenario, an
//! argument, a partial result) raises `ScenarioError`, a `ValueError`,
//! whose text is the command line's error text with flags named as the
//! arguments of the call; anything else raises `SupplyriskError`.

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use supplyrisk::{Error, InputError};

create_exception!(
    supplyrisk,
    ScenarioError,
    PyValueError,
    "Bad input: its text is the command line's error text (file:line:column: key: message), with flags named as the arguments of the call."
);
create_exception!(
    supplyrisk,
    SupplyriskError,
    PyRuntimeError,
    "A failure that is not bad input."
);

/// A problem's parts as a dict: file, line, column, key, message.
fn parts<'py>(py: Python<'py>, e: &InputError) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("file", &e.file)?;
    d.set_item("line", e.position.map(|p| p.0))?;
    d.set_item("column", e.position.map(|p| p.1))?;
    d.set_item("key", e.key.as_deref().filter(|k| !k.is_empty()))?;
    d.set_item("message", &e.message)?;
    d.set_item("text", e.to_string())?;
    Ok(d)
}

/// What the library calls the command line, where the problem is a flag.
const COMMAND_LINE: &str = "command line";

/// A problem as a Python caller meets it: a flag of the command line
/// (`command line: --max-memory: …`) is an argument of the call
/// (`arguments: max_memory: …`), as are the arguments the glue checks
/// itself ([`bad_argument`]).
fn as_argument(mut e: InputError) -> InputError {
    e.message = in_python_terms(&e.message);
    if e.file == COMMAND_LINE {
        e.file = "arguments".into();
        e.key = e
            .key
            .map(|k| k.strip_prefix("--").unwrap_or(&k).replace('-', "_"));
    }
    e
}

/// The command line's flags that messages and warnings name as advice.
const ADVISED_FLAGS: [&str; 8] = [
    "trials",
    "samples",
    "seed",
    "max-memory",
    "threads",
    "shard",
    "chart-size",
    "per-trial",
];

/// A message or warning of the library as a Python caller reads it: a
/// flag it names as advice (`use more --trials`, `raise the limit with
/// --max-memory`) is the argument of that name (`trials`, `max_memory`).
/// Only those flags are rewritten, only as words of their own (after a
/// space, an opening parenthesis or the start, and before a space or
/// punctuation), and never inside backticks (commands meant for the
/// command line, `` `supplyrisk run --shard` ``) or double quotes (ids
/// and paths, which may hold anything).
pub fn in_python_terms(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut backticks, mut quotes) = (false, false);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let word_starts = out.is_empty() || out.ends_with([' ', '(']);
        let flag = (!backticks && !quotes && word_starts)
            .then(|| rest.strip_prefix("--"))
            .flatten()
            .and_then(|after| {
                ADVISED_FLAGS.iter().find_map(|name| {
                    let tail = after.strip_prefix(name)?;
                    let ends = tail.is_empty() || tail.starts_with([' ', ',', ';', ':', '.', ')']);
                    ends.then_some((name, tail))
                })
            });
        if let Some((name, tail)) = flag {
            out.push_str(&name.replace('-', "_"));
            rest = tail;
            continue;
        }
        backticks ^= c == '`';
        quotes ^= c == '"' && !backticks;
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Warnings of the library as a Python caller reads them
/// ([`in_python_terms`]).
pub fn warnings_in_python_terms(warnings: &[String]) -> Vec<String> {
    warnings.iter().map(|w| in_python_terms(w)).collect()
}

/// The Python exception of a library error. A `ScenarioError` carries the
/// first problem's parts as attributes (`file`, `line`, `column`, `key`,
/// `message`) and every problem in `errors`, a list of dicts.
pub fn to_py(e: Error) -> PyErr {
    let problems: Vec<InputError> = match e {
        Error::Input(b) => vec![as_argument(*b)],
        Error::Inputs(v) => v.into_iter().map(as_argument).collect(),
        e => return SupplyriskError::new_err(e.to_string()),
    };
    let text = Error::Inputs(problems.clone()).to_string();
    Python::attach(|py| {
        let err = ScenarioError::new_err(text);
        let attach = || -> PyResult<()> {
            let value = err.value(py);
            let all = problems
                .iter()
                .map(|p| parts(py, p))
                .collect::<PyResult<Vec<_>>>()?;
            if let Some(first) = all.first() {
                for (k, v) in first.iter() {
                    value.setattr(k.extract::<String>()?, v)?;
                }
            }
            value.setattr("errors", all)?;
            Ok(())
        };
        match attach() {
            Ok(()) => err,
            Err(other) => other,
        }
    })
}

/// A bad argument of a Python call, as the library reports a bad flag.
pub fn bad_argument(name: &str, message: String) -> PyErr {
    to_py(Error::bad_flag(name, message))
}

/// The `ScenarioError` of a bad argument `name` that the pure-Python
/// layer finds (`message`: what was expected and what was found), with
/// the attributes of the library's.
#[pyfunction]
pub fn argument_error(py: Python<'_>, name: &str, message: String) -> Py<PyAny> {
    bad_argument(name, message).into_value(py).into_any()
}

/// `Result<T, supplyrisk::Error>` into a Python result.
pub trait OrRaise<T> {
    /// The value, or the error as a Python exception.
    fn or_raise(self) -> PyResult<T>;
}

impl<T> OrRaise<T> for Result<T, Error> {
    fn or_raise(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

#[cfg(test)]
mod tests {
    use super::in_python_terms;

    #[test]
    fn flags_named_as_advice_become_argument_names() {
        for (cli, python) in [
            ("noise; use more --trials", "noise; use more trials"),
            (
                "limit of 0.5 GiB; raise the limit with --max-memory, or use fewer trials",
                "limit of 0.5 GiB; raise the limit with max_memory, or use fewer trials",
            ),
            (
                "--trials and --seed choose them",
                "trials and seed choose them",
            ),
            (
                "found those of `uncertainty --shard`: merge them with `supplyrisk merge`",
                "found those of `uncertainty --shard`: merge them with `supplyrisk merge`",
            ),
            (
                "a range 1--5 and a dash -- alone",
                "a range 1--5 and a dash -- alone",
            ),
            ("no flag at all", "no flag at all"),
            // Ids and paths are left alone, as are flags no advice names.
            (
                "cu: found \"--copper\" (did you mean \"copper\"?); use more --trials.",
                "cu: found \"--copper\" (did you mean \"copper\"?); use more trials.",
            ),
            (
                "/tmp/--dir/alt.toml gives seed = 9, ignored (given by --seed)",
                "/tmp/--dir/alt.toml gives seed = 9, ignored (given by seed)",
            ),
            ("--trialsx and --values", "--trialsx and --values"),
            ("event --quota: no source", "event --quota: no source"),
        ] {
            assert_eq!(in_python_terms(cli), python);
        }
    }
}
