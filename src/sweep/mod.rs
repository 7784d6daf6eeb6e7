//! Sweeping one parameter over a list or range of values, with common
//! random numbers across points.
//!
//! A parameter is addressed as `KIND.ID.KEY`: `KIND` is `source`, `event`,
//! `mineral`, `stockpile` (a stockpile's `ID` is its mineral), `market`
//! (a mineral's world market: `market.cobalt.reference_price`) or
//! `project` (a named `[[project]]`: `project.goongarrie.success_probability`), `ID` the
//! entity's id and `KEY` a dotted path inside its table, for example
//! `source.chile-copper.access`, `source.reko-diq.project.success_probability`,
//! `event.cn-export-controls.rate`, `stockpile.cobalt.initial`,
//! `mineral.copper.demand.growth`,
//! `event.cn-export-controls.affects.china-cobalt.exposure`. Each point is the scenario file with
//! that one value replaced and then loaded as any file is, so every rule of
//! the format applies and a point's results equal, bit for bit, a plain
//! `run` of a file holding that value.

mod results;

pub use results::{point_metrics, AsWritten, Sweep, SweepMetrics, SweepPoint, ValueRow};

use crate::error::{Error, InputError, Result};
use crate::scenario::Scenario;

/// A parameter to sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepParam {
    /// `source`, `event`, `mineral`, `stockpile`, `market` or `project`.
    pub kind: String,
    /// Entity id (for a stockpile: its mineral).
    pub id: String,
    /// Key path inside the entity's table.
    pub key: Vec<String>,
}

impl std::fmt::Display for SweepParam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.kind, self.id, self.key.join("."))
    }
}

impl SweepParam {
    /// Parse `KIND.ID.KEY`, taking the first part after the kind as the
    /// id. Ids may contain dots: applied to a file, the longest id of an
    /// entity of the file that leaves a key wins ([`SweepParam::apply`]).
    ///
    /// # Errors
    ///
    /// A message saying what was expected.
    pub fn parse(text: &str) -> std::result::Result<SweepParam, String> {
        let expected = "expected KIND.ID.KEY with KIND one of source, event, mineral, stockpile, market, project (for example source.chile-copper.access)";
        let (kind, rest) = text
            .split_once('.')
            .ok_or_else(|| format!("{expected}, found '{text}'"))?;
        if ![
            "source",
            "event",
            "mineral",
            "stockpile",
            "market",
            "project",
        ]
        .contains(&kind)
        {
            return Err(format!("{expected}, found kind '{kind}'"));
        }
        let (id, key) = rest
            .split_once('.')
            .ok_or_else(|| format!("{expected}, found '{text}'"))?;
        let key: Vec<String> = key.split('.').map(str::to_string).collect();
        if id.is_empty() || key.iter().any(String::is_empty) {
            return Err(format!("{expected}, found '{text}'"));
        }
        Ok(SweepParam {
            kind: kind.to_string(),
            id: id.to_string(),
            key,
        })
    }

    fn field(&self) -> &'static str {
        if self.kind == "stockpile" {
            "mineral"
        } else {
            "id"
        }
    }

    /// The array of tables the entity is in (a market is in its mineral).
    fn array(&self) -> &str {
        if self.kind == "market" {
            "mineral"
        } else {
            &self.kind
        }
    }

    /// The key path inside the entity's table.
    fn path(&self) -> Vec<String> {
        let inside = (self.kind == "market").then(|| "market".to_string());
        inside.into_iter().chain(self.key.iter().cloned()).collect()
    }

    /// Whether `t` is the table of the entity `id` of this parameter's
    /// kind (its `id`, or a stockpile's `mineral`).
    fn is_entity(&self, t: &toml::Table, id: &str) -> bool {
        t.get(self.field()).and_then(toml::Value::as_str) == Some(id)
    }

    /// Whether the document has the entity `id` of this parameter's kind
    /// (for a market: a mineral with a market).
    fn has(&self, doc: &toml::Table, id: &str) -> bool {
        doc.get(self.array())
            .and_then(toml::Value::as_array)
            .is_some_and(|items| {
                items.iter().filter_map(toml::Value::as_table).any(|t| {
                    self.is_entity(t, id) && (self.kind != "market" || t.contains_key("market"))
                })
            })
    }

    /// This parameter with the longest id of an entity of `doc` that
    /// leaves a key (ids may contain dots): `source.a.b.capacity` is the
    /// capacity of source `a.b` when there is one. Unchanged when no id
    /// matches.
    fn resolved(&self, doc: &toml::Table) -> SweepParam {
        let parts: Vec<&str> = std::iter::once(self.id.as_str())
            .chain(self.key.iter().map(String::as_str))
            .flat_map(|p| p.split('.'))
            .collect();
        crate::scenario::ids::longest_id(&parts, |id| self.has(doc, id)).map_or_else(
            || self.clone(),
            |(id, key)| SweepParam {
                kind: self.kind.clone(),
                id,
                key: key.iter().map(|k| k.to_string()).collect(),
            },
        )
    }

    /// The entity's table in a parsed scenario document.
    fn entity<'a>(
        &self,
        doc: &'a mut toml::Table,
    ) -> std::result::Result<&'a mut toml::Table, String> {
        let field = self.field();
        let kind = self.array().to_string();
        let items = doc
            .get_mut(&kind)
            .and_then(toml::Value::as_array_mut)
            .ok_or_else(|| {
                format!(
                    "expected a [[{kind}]] with {field} = \"{}\", found no [[{kind}]] at all",
                    self.id
                )
            })?;
        let ids: Vec<String> = items
            .iter()
            .filter_map(|t| t.get(field)?.as_str().map(str::to_string))
            .collect();
        let t = items
            .iter_mut()
            .filter_map(toml::Value::as_table_mut)
            .find(|t| self.is_entity(t, &self.id))
            .ok_or_else(|| {
                format!(
                    "expected a [[{kind}]] with {field} = \"{}\", found none{}",
                    self.id,
                    crate::scenario::ids::id_hint(&self.id, ids.iter().map(String::as_str))
                )
            })?;
        if self.kind == "market" && !t.contains_key("market") {
            return Err(format!(
                "expected a [[mineral]] with id = \"{}\" and a `market` table, found one without (a physical mineral)",
                self.id
            ));
        }
        Ok(t)
    }

    /// The value the file gives, if it is a number.
    pub fn current(&self, text: &str) -> Option<f64> {
        number(&self.written(text)?)
    }

    /// The value the file gives, whatever it is (a number, a
    /// distribution's table, …); `None` where the file does not write the
    /// key and its default applies.
    pub fn written(&self, text: &str) -> Option<toml::Value> {
        let mut doc: toml::Table = toml::from_str(text).ok()?;
        let p = self.resolved(&doc);
        let (t, last) = p.table(&mut doc, false).ok()?;
        t.get(&last).cloned()
    }

    /// The table that holds this parameter in `doc`, and its key there;
    /// with `create`, tables on the way are created when missing. An
    /// event's `affects.SOURCE.exposure` is the exposure in the entry of
    /// its `affects` list for `SOURCE` (whose id may contain dots).
    fn table<'a>(
        &self,
        doc: &'a mut toml::Table,
        create: bool,
    ) -> std::result::Result<(&'a mut toml::Table, String), String> {
        let mut t = self.entity(doc)?;
        let path = self.path();
        if let (true, ["affects", source @ .., "exposure"]) = (
            self.kind == "event",
            path.iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
        ) {
            let source = source.join(".");
            let entries = t
                .get_mut("affects")
                .and_then(toml::Value::as_array_mut)
                .map_or(&mut [][..], |a| a.as_mut_slice());
            let of = |e: &toml::Value| {
                e.get("source")
                    .and_then(toml::Value::as_str)
                    .map(str::to_string)
            };
            let listed: Vec<String> = entries.iter().filter_map(of).collect();
            let hint = crate::scenario::ids::id_hint(&source, listed.iter().map(String::as_str));
            let entry = entries
                .iter_mut()
                .find(|e| of(e).as_deref() == Some(source.as_str()))
                .and_then(toml::Value::as_table_mut)
                .ok_or_else(|| {
                    format!("expected an entry for source \"{source}\" in the event's `affects`, found none{hint}")
                })?;
            return Ok((entry, "exposure".to_string()));
        }
        let Some((last, on_the_way)) = path.split_last() else {
            return Err("expected a key, found none".to_string());
        };
        for k in on_the_way {
            let next = if create {
                t.entry(k.clone())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            } else {
                t.get_mut(k)
                    .ok_or_else(|| format!("expected `{k}`, found none"))?
            };
            let found = next.type_str();
            t = next.as_table_mut().ok_or_else(|| {
                format!(
                    "expected `{k}` to be a table, found {} {found}{}",
                    if found.starts_with(['a', 'i']) {
                        "an"
                    } else {
                        "a"
                    },
                    if k == "affects" && self.kind == "event" {
                        " (an exposure is addressed as affects.SOURCE.exposure)"
                    } else {
                        ""
                    }
                )
            })?;
        }
        Ok((t, last.clone()))
    }

    /// `text` with this parameter set to `value` (tables on the way are
    /// created when missing).
    ///
    /// # Errors
    ///
    /// A message when the entity does not exist or the path crosses a
    /// value that is not a table.
    pub fn apply(&self, text: &str, value: f64) -> std::result::Result<String, String> {
        let mut doc: toml::Table = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let p = self.resolved(&doc);
        let (t, last) = p.table(&mut doc, true)?;
        t.insert(last, toml::Value::Float(value));
        toml::to_string(&doc).map_err(|e| e.to_string())
    }
}

/// A value the file writes, if it is a number.
pub fn number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// Parse `--values a,b,c` or `--range FROM:TO:COUNT` (COUNT evenly spaced
/// values from FROM to TO, both included).
///
/// # Errors
///
/// [`Error::Input`] naming the flag, for anything but finite numbers and a
/// count of at least 2.
pub fn parse_values(values: Option<&str>, range: Option<&str>) -> Result<Vec<f64>> {
    let number = |flag: &str, s: &str| -> Result<f64> {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                Error::bad_flag(
                    flag,
                    format!("expected a finite number, found '{}'", s.trim()),
                )
            })
    };
    match (values, range) {
        (Some(v), None) => {
            let out: Vec<f64> = v
                .split(',')
                .map(|s| number("--values", s))
                .collect::<Result<_>>()?;
            if out.is_empty() {
                return Err(Error::bad_flag("--values", "expected at least one value"));
            }
            Ok(out)
        }
        (None, Some(r)) => {
            let parts: Vec<&str> = r.split(':').collect();
            if parts.len() != 3 {
                return Err(Error::bad_flag(
                    "--range",
                    format!("expected FROM:TO:COUNT such as 0:1:11, found '{r}'"),
                ));
            }
            let (from, to) = (number("--range", parts[0])?, number("--range", parts[1])?);
            let count: usize = parts[2]
                .trim()
                .parse()
                .ok()
                .filter(|c| (2..=1000).contains(c))
                .ok_or_else(|| {
                    Error::bad_flag(
                        "--range",
                        format!("expected a COUNT from 2 to 1000, found '{}'", parts[2]),
                    )
                })?;
            // Rounded to 12 significant digits, so 0:0.6:7 gives 0.1, not 0.09999999999999999.
            let tidy = |v: f64| format!("{v:.11e}").parse::<f64>().unwrap_or(v);
            Ok((0..count)
                .map(|i| {
                    if i + 1 == count {
                        to
                    } else {
                        tidy(from + (to - from) * i as f64 / (count - 1) as f64)
                    }
                })
                .collect())
        }
        _ => Err(Error::bad_flag(
            "--values",
            "expected exactly one of --values a,b,c or --range FROM:TO:COUNT",
        )),
    }
}

/// The scenario of one sweep point, validated like a file.
///
/// # Errors
///
/// [`Error::Input`] naming the parameter and value when the entity is
/// missing or the value breaks a rule (for example an access above 1).
pub fn point_scenario(text: &str, file: &str, param: &SweepParam, value: f64) -> Result<Scenario> {
    with_values(text, file, &[(param.clone(), value)]).map(|(_, _, s)| s)
}

/// `text` with each parameter set to its value in turn, then validated
/// like a file: the new text, its label (`FILE with P = V, Q = W`) and
/// the scenario. A scenario with one value changed is what one point of a
/// sweep runs.
///
/// # Errors
///
/// [`Error::Input`] when an entity is missing or a value breaks a rule of
/// the format: in `file`, at the line and column where the file as
/// written has the problem's key (or the table the key would go in), its
/// message starting `with P = V, Q = W: `.
pub fn with_values(
    text: &str,
    file: &str,
    values: &[(SweepParam, f64)],
) -> Result<(String, String, Scenario)> {
    let set: Vec<String> = values
        .iter()
        .map(|(p, v)| format!("{p} = {}", crate::error::num(*v)))
        .collect();
    let with = format!("with {}", set.join(", "));
    let label = format!("{file} {with}");
    let mut changed = text.to_string();
    for (param, value) in values {
        changed = param
            .apply(&changed, *value)
            .map_err(|m| InputError::file(file, format!("{with}: {m}")))?;
    }
    let scenario = Scenario::from_toml_str(&changed, &label).map_err(|e| {
        // A problem is placed where the file as written has its key (or
        // the table the key was added to): the changed text is nowhere to
        // be read.
        let locator = crate::scenario::locate::Locator::new(text);
        let relabel = |mut e: InputError| {
            e.file = file.to_string();
            e.position = e.key.as_deref().and_then(|k| locator.position(k));
            e.message = format!("{with}: {}", e.message);
            e
        };
        match e {
            Error::Input(b) => Error::Input(Box::new(relabel(*b))),
            Error::Inputs(v) => Error::Inputs(v.into_iter().map(relabel).collect()),
            other => other,
        }
    })?;
    Ok((changed, label, scenario))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[scenario]\nname = \"s\"\nstart_year = 2026\nyears = 1\n[[mineral]]\nid = \"cu\"\ndemand = { base = 10.0 }\n[[source]]\nid = \"a.b\"\nmineral = \"cu\"\ncapacity = 12.0\n[[stockpile]]\nmineral = \"cu\"\ninitial = 1.0\nmax_release_per_year = 1.0\n";

    #[test]
    fn parameters_parse_and_refuse_garbage() {
        let p = SweepParam::parse("source.chile.disruption.rate").unwrap();
        assert_eq!((p.kind.as_str(), p.id.as_str()), ("source", "chile"));
        assert_eq!(p.key, vec!["disruption", "rate"]);
        assert_eq!(p.to_string(), "source.chile.disruption.rate");
        for bad in [
            "",
            "source",
            "source.x",
            "planet.x.rate",
            "source..rate",
            "source.x.",
        ] {
            assert!(SweepParam::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_and_ranges() {
        assert_eq!(
            parse_values(Some("0.1, 0.2,1"), None).unwrap(),
            vec![0.1, 0.2, 1.0]
        );
        assert_eq!(
            parse_values(None, Some("0:1:5")).unwrap(),
            vec![0.0, 0.25, 0.5, 0.75, 1.0]
        );
        assert_eq!(
            parse_values(None, Some("0:0.6:7")).unwrap(),
            vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
        );
        for (v, r) in [
            (Some("a"), None),
            (Some("nan"), None),
            (None, Some("0:1")),
            (None, Some("0:1:1")),
            (None, None),
            (Some("1"), Some("0:1:3")),
        ] {
            assert!(parse_values(v, r).is_err(), "{v:?} {r:?}");
        }
    }

    #[test]
    fn apply_sets_existing_and_new_keys_and_revalidates() {
        // An id with a dot: the longest id in the file wins.
        let cap = SweepParam::parse("source.a.b.capacity").unwrap();
        assert_eq!(cap.current(TEXT), Some(12.0));
        let s = point_scenario(TEXT, "f.toml", &cap, 5.0).unwrap();
        assert_eq!(s.sources[0].capacity, 5.0);
        // With a source `a` too, `a.b` still wins; `source.a.capacity` is `a`'s.
        let both = format!("{TEXT}[[source]]\nid = \"a\"\nmineral = \"cu\"\ncapacity = 3.0\n");
        let s = point_scenario(&both, "f.toml", &cap, 5.0).unwrap();
        assert_eq!((s.sources[0].capacity, s.sources[1].capacity), (5.0, 3.0));
        let a = SweepParam::parse("source.a.capacity").unwrap();
        assert_eq!(a.current(&both), Some(3.0));
        let stock = SweepParam::parse("stockpile.cu.initial").unwrap();
        assert_eq!(stock.current(TEXT), Some(1.0));
        let s = point_scenario(TEXT, "f.toml", &stock, 0.5).unwrap();
        assert_eq!(s.minerals[0].stockpile.unwrap().initial, 0.5);
        // initial above capacity (default = initial) is fine; a negative one is refused.
        let e = point_scenario(TEXT, "f.toml", &stock, -1.0)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                "f.toml:14:1: stockpile[0].initial: with stockpile.cu.initial = -1: expected"
            ),
            "{e}"
        );
        let missing = SweepParam::parse("event.nope.rate").unwrap();
        assert!(point_scenario(TEXT, "f.toml", &missing, 1.0)
            .unwrap_err()
            .to_string()
            .contains("[[event]]"));
        // A market key of a physical mineral is refused as such, not by
        // the keys a new market table would lack.
        let market = SweepParam::parse("market.cu.max_price").unwrap();
        let e = point_scenario(TEXT, "f.toml", &market, 5.0)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                "expected a [[mineral]] with id = \"cu\" and a `market` table, found one without"
            ) && !e.contains("missing key"),
            "{e}"
        );
    }

    #[test]
    fn an_exposure_is_addressed_by_its_source_in_affects() {
        let text = format!("{TEXT}[[source]]\nid = \"c\"\nmineral = \"cu\"\ncapacity = 2.0\n[[event]]\nid = \"e\"\nrate = 0.1\nseverity = 0.5\nduration_months = 6\naffects = [ {{ source = \"c\" }}, {{ source = \"a.b\", exposure = 0.3 }} ]\n");
        let dotted = SweepParam::parse("event.e.affects.a.b.exposure").unwrap();
        assert_eq!(dotted.current(&text), Some(0.3));
        let s = point_scenario(&text, "f.toml", &dotted, 0.8).unwrap();
        assert_eq!(s.events[0].affects, vec![(1, 1.0), (0, 0.8)]);
        // An entry without an exposure (the default) gets one.
        let plain = SweepParam::parse("event.e.affects.c.exposure").unwrap();
        assert_eq!(plain.current(&text), None);
        let s = point_scenario(&text, "f.toml", &plain, 0.25).unwrap();
        assert_eq!(s.events[0].affects, vec![(1, 0.25), (0, 0.3)]);
        for (param, message) in [
            (
                "event.e.affects.d.exposure",
                "expected an entry for source \"d\" in the event's `affects`",
            ),
            (
                "event.e.affects.c",
                "found an array (an exposure is addressed as affects.SOURCE.exposure)",
            ),
        ] {
            let e = point_scenario(&text, "f.toml", &SweepParam::parse(param).unwrap(), 0.5)
                .unwrap_err()
                .to_string();
            assert!(e.contains(message), "{param}: {e}");
        }
    }

    #[test]
    fn a_named_project_is_addressed_as_project() {
        let text = format!("{TEXT}[[project]]\nid = \"p\"\nonline_year = 2027\n[[source]]\nid = \"b\"\nmineral = \"cu\"\ncapacity = 1.0\nproject = \"p\"\n");
        let p = SweepParam::parse("project.p.success_probability").unwrap();
        assert_eq!(p.current(&text), None, "not written: the default");
        let s = point_scenario(&text, "f.toml", &p, 0.25).unwrap();
        assert_eq!(s.projects[0].success_probability, 0.25);
    }
}
