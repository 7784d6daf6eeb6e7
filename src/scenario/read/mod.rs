//! Stage one of loading: read the parsed TOML document into the plain
//! structs of [`super::raw`], checking the file's shape: unknown keys,
//! missing keys, the type of every value, and the range of every integer
//! (an out-of-range integer may not even fit an `i64`).
//!
//! Nothing stops at the first problem: a value of the wrong type is
//! reported and read as missing, so one run reports every type error,
//! unknown key and missing key of the file, and stage two still checks the
//! rest. Every problem names the file, the line and column, the key path
//! and what was expected versus found.

use super::locate::line_col;
use super::raw::{
    RawAffect, RawDisruption, RawDist, RawDistTable, RawEvent, RawFile, RawHeader, RawMineral,
    RawSource, RawStockpile,
};
use super::rules::{
    MAX_FILE_TRIALS, MAX_START_YEAR, MAX_STEPS_PER_YEAR, MAX_YEARS, MIN_START_YEAR,
};
use crate::error::{clip, quote, InputError};
use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

type Value<'i> = Spanned<DeValue<'i>>;
type Key<'i> = Spanned<DeString<'i>>;

/// What a distribution is, for messages about a value that is none.
const DIST_EXPECTED: &str =
    "a number or a distribution table such as { dist = \"beta\", mean = 0.3, sd = 0.1 }";

/// A problem found while loading, before it is placed: the byte offset
/// of the value (or table) at fault, where known. Lines and columns are
/// found only for the problems reported, so a file with a million
/// problems costs no more than one with a hundred.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Byte offset in the text.
    pub at: Option<usize>,
    /// Key path, such as `source[3].disruption.rate`.
    pub key: Option<String>,
    /// "expected …, found …".
    pub message: String,
}

impl Problem {
    /// The problem as reported: `file`, line and column in `text`.
    pub fn place(self, file: &str, text: &str) -> InputError {
        InputError {
            file: file.to_string(),
            position: self.at.map(|a| line_col(text, a)),
            key: self.key,
            message: self.message,
        }
    }
}

/// Reads one document, collecting problems.
#[derive(Default)]
pub struct Reader {
    /// Every problem found so far.
    pub problems: Vec<Problem>,
}

/// A table being read: its key path (empty for the document) and where it
/// starts in the text.
#[derive(Clone, Copy)]
pub(super) struct Tab<'d, 'i> {
    table: &'d DeTable<'i>,
    at: usize,
}

/// How a value was found, for "expected …, found …".
fn found(v: &DeValue) -> String {
    match v {
        DeValue::String(s) => format!("string {}", quote(s)),
        DeValue::Integer(i) => format!("integer {}", clip(&i.to_string())),
        DeValue::Float(f) => format!("number {}", clip(f.as_str())),
        DeValue::Boolean(b) => format!("boolean {b}"),
        DeValue::Datetime(_) => "a date-time".to_string(),
        DeValue::Array(_) => "an array".to_string(),
        DeValue::Table(_) => "a table".to_string(),
    }
}

/// A number value: `None` if the value is not a number, `Err(literal)` if
/// it is one too large for an `f64` (such as `1e400`). The TOML literals
/// `inf` and `nan` are read as such (stage two refuses them).
fn number(v: &DeValue) -> Option<Result<f64, String>> {
    match v {
        DeValue::Float(f) => {
            let s = f.as_str();
            Some(match s.parse::<f64>() {
                Ok(x) if x.is_finite() || s.contains("inf") || s.contains("nan") => Ok(x),
                _ => Err(clip(s)),
            })
        }
        DeValue::Integer(i) => {
            let x = if i.radix() == 10 {
                i.as_str().parse::<f64>().ok()
            } else {
                u128::from_str_radix(i.as_str(), i.radix())
                    .ok()
                    .map(|u| u as f64)
            };
            Some(
                x.filter(|x| x.is_finite())
                    .ok_or_else(|| clip(&i.to_string())),
            )
        }
        _ => None,
    }
}

pub(super) fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Where a key stands: its own span where the file names it, else its
/// value's (headers of `[[arrays]]` have keys without useful spans).
fn at_of(key: &Key, value: &Value) -> usize {
    let span = key.span();
    if span.end > span.start {
        span.start
    } else {
        value.span().start
    }
}

impl Reader {
    fn error(&mut self, at: Option<usize>, key: &str, message: String) {
        self.problems.push(Problem {
            at,
            key: (!key.is_empty()).then(|| key.to_string()),
            message,
        });
    }

    /// Report the keys of `t` that are not in `allowed`.
    pub(super) fn unknown_keys(&mut self, t: Tab, path: &str, allowed: &[&str]) {
        for (k, v) in t.table.iter() {
            let name: &str = k.get_ref();
            if !allowed.contains(&name) {
                let list: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
                let hint = crate::scenario::ids::closest(name, allowed.iter().copied())
                    .map_or_else(String::new, |a| format!(" (did you mean `{a}`?)"));
                self.error(
                    Some(at_of(k, v)),
                    &child(path, &clip(name)),
                    format!(
                        "unknown key `{}`{hint}, expected one of {}",
                        clip(name),
                        list.join(", ")
                    ),
                );
            }
        }
    }

    /// The value of `key` in `t`, reporting it missing when `required`.
    fn get<'d, 'i>(
        &mut self,
        t: Tab<'d, 'i>,
        path: &str,
        key: &str,
        required: bool,
    ) -> Option<(usize, &'d DeValue<'i>)> {
        let hit = t.table.iter().find(|(k, _)| {
            let name: &str = k.get_ref();
            name == key
        });
        match hit {
            Some((k, v)) => Some((at_of(k, v), v.get_ref())),
            None => {
                if required {
                    let at = (!path.is_empty()).then_some(t.at);
                    self.error(at, path, format!("missing key `{key}`"));
                }
                None
            }
        }
    }

    fn wrong_type(&mut self, at: usize, path: &str, expected: &str, v: &DeValue) {
        self.error(
            Some(at),
            path,
            format!("expected {expected}, found {}", found(v)),
        );
    }

    pub(super) fn float(&mut self, t: Tab, path: &str, key: &str, required: bool) -> Option<f64> {
        let (at, v) = self.get(t, path, key, required)?;
        let p = child(path, key);
        match number(v) {
            Some(Ok(x)) => Some(x),
            Some(Err(literal)) => {
                self.error(
                    Some(at),
                    &p,
                    format!("expected a finite number, found {literal}"),
                );
                None
            }
            None => {
                self.wrong_type(at, &p, "a number", v);
                None
            }
        }
    }

    fn integer(
        &mut self,
        t: Tab,
        path: &str,
        key: &str,
        required: bool,
        lo: i64,
        hi: i64,
    ) -> Option<i64> {
        let (at, v) = self.get(t, path, key, required)?;
        let expected = format!("an integer from {lo} to {hi}");
        match v {
            DeValue::Integer(i) => {
                let x = i64::from_str_radix(i.as_str(), i.radix())
                    .ok()
                    .filter(|x| (lo..=hi).contains(x));
                if x.is_none() {
                    self.error(
                        Some(at),
                        &child(path, key),
                        format!("expected {expected}, found {}", clip(&i.to_string())),
                    );
                }
                x
            }
            _ => {
                self.wrong_type(at, &child(path, key), &expected, v);
                None
            }
        }
    }

    pub(super) fn string(
        &mut self,
        t: Tab,
        path: &str,
        key: &str,
        required: bool,
    ) -> Option<String> {
        let (at, v) = self.get(t, path, key, required)?;
        match v {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(at, &child(path, key), "a string", v);
                None
            }
        }
    }

    pub(super) fn table<'d, 'i>(
        &mut self,
        t: Tab<'d, 'i>,
        path: &str,
        key: &str,
        required: bool,
    ) -> Option<Tab<'d, 'i>> {
        let (at, v) = self.get(t, path, key, required)?;
        match v {
            DeValue::Table(table) => Some(Tab { table, at }),
            _ => {
                self.wrong_type(at, &child(path, key), "a table", v);
                None
            }
        }
    }

    /// The tables of the array `key`, each with its key path. An element
    /// that is not a table is reported and given as `None`, so that the
    /// others keep their indexes.
    fn tables<'d, 'i>(
        &mut self,
        t: Tab<'d, 'i>,
        path: &str,
        key: &str,
    ) -> Vec<(String, Option<Tab<'d, 'i>>)> {
        let Some((at, v)) = self.get(t, path, key, false) else {
            return Vec::new();
        };
        let p = child(path, key);
        let DeValue::Array(items) = v else {
            self.wrong_type(at, &p, "an array of tables", v);
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let ip = format!("{p}[{i}]");
                let tab = match item.get_ref() {
                    DeValue::Table(table) => Some(Tab {
                        table,
                        at: item.span().start,
                    }),
                    other => {
                        self.wrong_type(item.span().start, &ip, "a table", other);
                        None
                    }
                };
                (ip, tab)
            })
            .collect()
    }

    fn dist(&mut self, t: Tab, path: &str, key: &str, required: bool) -> Option<RawDist> {
        let (at, v) = self.get(t, path, key, required)?;
        let p = child(path, key);
        match (number(v), v) {
            (Some(Ok(x)), _) => Some(RawDist::Number(x)),
            (Some(Err(literal)), _) => {
                self.error(
                    Some(at),
                    &p,
                    format!("expected a finite number, found {literal}"),
                );
                None
            }
            (None, DeValue::Table(table)) => {
                let tab = Tab { table, at };
                let dist = self.string(tab, &p, "dist", true);
                let params = table
                    .iter()
                    .filter(|(k, _)| {
                        let name: &str = k.get_ref();
                        name != "dist"
                    })
                    .map(|(k, v)| {
                        let value = match number(v.get_ref()) {
                            Some(Ok(x)) => Ok(x),
                            Some(Err(literal)) => {
                                Err(format!("expected a finite number, found {literal}"))
                            }
                            None => Err(format!("expected a number, found {}", found(v.get_ref()))),
                        };
                        (k.get_ref().to_string(), value)
                    })
                    .collect();
                Some(RawDist::Table(RawDistTable { dist, params }))
            }
            (None, _) => {
                self.wrong_type(at, &p, DIST_EXPECTED, v);
                None
            }
        }
    }

    /// Read the whole document.
    pub fn file(&mut self, doc: &DeTable) -> RawFile {
        let root = Tab { table: doc, at: 0 };
        self.unknown_keys(
            root,
            "",
            &[
                "scenario",
                "mineral",
                "source",
                "event",
                "stockpile",
                "factor",
                "project",
                "uncertain",
            ],
        );
        let scenario = match self.table(root, "", "scenario", true) {
            Some(t) => self.header(t),
            None => RawHeader::default(),
        };
        let mut file = RawFile {
            scenario,
            ..RawFile::default()
        };
        for (p, t) in self.tables(root, "", "mineral") {
            file.mineral
                .push(t.map(|t| self.mineral(t, &p)).unwrap_or_default());
        }
        for (p, t) in self.tables(root, "", "source") {
            file.source
                .push(t.map(|t| self.source(t, &p)).unwrap_or_default());
        }
        for (p, t) in self.tables(root, "", "event") {
            file.event
                .push(t.map(|t| self.event(t, &p)).unwrap_or_default());
        }
        for (p, t) in self.tables(root, "", "stockpile") {
            file.stockpile
                .push(t.map(|t| self.stockpile(t, &p)).unwrap_or_default());
        }
        for (p, t) in self.tables(root, "", "factor") {
            file.factor
                .push(t.map(|t| self.factor(t, &p)).unwrap_or_default());
        }
        for (p, t) in self.tables(root, "", "project") {
            file.project
                .push(t.map(|t| self.named_project(t, &p)).unwrap_or_default());
        }
        file.uncertain = self.uncertain_tables(root);
        file
    }

    fn header(&mut self, t: Tab) -> RawHeader {
        let p = "scenario";
        self.unknown_keys(
            t,
            p,
            &[
                "name",
                "description",
                "start_year",
                "years",
                "steps_per_year",
                "trials",
                "seed",
            ],
        );
        RawHeader {
            name: self.string(t, p, "name", true),
            description: self.string(t, p, "description", false),
            start_year: self.integer(t, p, "start_year", true, MIN_START_YEAR, MAX_START_YEAR),
            years: self.integer(t, p, "years", true, 1, MAX_YEARS),
            steps_per_year: self.integer(t, p, "steps_per_year", false, 1, MAX_STEPS_PER_YEAR),
            trials: self.integer(t, p, "trials", false, 1, MAX_FILE_TRIALS),
            seed: self.integer(t, p, "seed", false, 0, i64::MAX),
        }
    }

    fn mineral(&mut self, t: Tab, p: &str) -> RawMineral {
        self.unknown_keys(
            t,
            p,
            &["id", "unit", "demand", "shortfall_threshold", "market"],
        );
        let demand = self
            .table(t, p, "demand", true)
            .map(|d| self.demand(d, &child(p, "demand")));
        RawMineral {
            id: self.string(t, p, "id", true),
            unit: self.string(t, p, "unit", false),
            demand,
            shortfall_threshold: self.float(t, p, "shortfall_threshold", false),
            market: self
                .table(t, p, "market", false)
                .map(|m| self.market(m, &child(p, "market"))),
        }
    }

    fn source(&mut self, t: Tab, p: &str) -> RawSource {
        self.unknown_keys(
            t,
            p,
            &[
                "id",
                "mineral",
                "country",
                "capacity",
                "access",
                "disruption",
                "project",
                "stage",
                "offtake",
            ],
        );
        let disruption = self.table(t, p, "disruption", false).map(|d| {
            let dp = child(p, "disruption");
            self.unknown_keys(d, &dp, &["rate", "severity", "duration_months", "initial"]);
            RawDisruption {
                rate: self.float(d, &dp, "rate", true),
                severity: self.dist(d, &dp, "severity", true),
                duration_months: self.dist(d, &dp, "duration_months", true),
                initial: self.initial(d, &dp),
            }
        });
        let project = self.project_ref(t, p);
        RawSource {
            id: self.string(t, p, "id", true),
            mineral: self.string(t, p, "mineral", true),
            country: self.string(t, p, "country", false),
            capacity: self.float(t, p, "capacity", true),
            access: self.float(t, p, "access", false),
            disruption,
            project,
            stage: self.string(t, p, "stage", false),
            offtake: self.float(t, p, "offtake", false),
        }
    }

    fn event(&mut self, t: Tab, p: &str) -> RawEvent {
        self.unknown_keys(
            t,
            p,
            &[
                "id",
                "kind",
                "rate",
                "severity",
                "duration_months",
                "affects",
                "initial",
            ],
        );
        let mut affects = Vec::new();
        if self.get(t, p, "affects", true).is_some() {
            for (ap, a) in self.tables(t, p, "affects") {
                affects.push(
                    a.map(|a| {
                        self.unknown_keys(a, &ap, &["source", "exposure"]);
                        RawAffect {
                            source: self.string(a, &ap, "source", true),
                            exposure: self.float(a, &ap, "exposure", false),
                        }
                    })
                    .unwrap_or_default(),
                );
            }
        }
        RawEvent {
            id: self.string(t, p, "id", true),
            rate: self.float(t, p, "rate", true),
            severity: self.dist(t, p, "severity", true),
            duration_months: self.dist(t, p, "duration_months", true),
            affects,
            kind: self.string(t, p, "kind", false),
            initial: self.initial(t, p),
        }
    }

    fn stockpile(&mut self, t: Tab, p: &str) -> RawStockpile {
        self.unknown_keys(
            t,
            p,
            &[
                "mineral",
                "initial",
                "capacity",
                "max_release_per_year",
                "refill_per_year",
                "release_price",
                "refill_price",
            ],
        );
        RawStockpile {
            mineral: self.string(t, p, "mineral", true),
            initial: self.float(t, p, "initial", true),
            capacity: self.float(t, p, "capacity", false),
            max_release_per_year: self.float(t, p, "max_release_per_year", true),
            refill_per_year: self.float(t, p, "refill_per_year", false),
            release_price: self.float(t, p, "release_price", false),
            refill_price: self.float(t, p, "refill_price", false),
        }
    }
}

mod dependence;
mod market;
#[cfg(test)]
mod tests;
mod uncertain;
