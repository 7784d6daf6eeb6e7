//! Stage two of loading: check every rule of MODEL.md sections 9–10 and
//! build the validated [`Scenario`].
//!
//! All problems found are reported together, each with the file, the line
//! and column, the key path and "expected …, found …".

use super::locate::{line_col, Locator};
use super::raw::{RawDist, RawDistTable, RawFile, RawProcessParts};
use super::{
    Demand, Event, Mineral, Process, Project, Scenario, Source, Stockpile,
    DEFAULT_SHORTFALL_THRESHOLD, DEFAULT_STEPS_PER_YEAR,
};
use crate::dist::{Dist, DistSpec};
use crate::error::{Error, InputError};
use crate::rng::{EntityKey, Purpose};
use std::collections::HashMap;

/// Largest number of years accepted (a guard against absurd allocations;
/// MODEL.md sets no upper bound).
pub const MAX_YEARS: i64 = 1000;

/// Parse and validate `text`; `file` names it in messages.
pub fn parse(text: &str, file: &str) -> Result<Scenario, Error> {
    if text.trim().is_empty() {
        return Err(InputError::file(
            file,
            "expected a scenario with a [scenario] table and at least one [[mineral]], found an empty file",
        )
        .into());
    }
    let raw = parse_raw(text, file)?;
    let mut ctx = Ctx {
        file,
        locator: Locator::new(text),
        errors: Vec::new(),
    };
    let scenario = build(&raw, &mut ctx);
    match (scenario, ctx.errors.len()) {
        (Some(s), 0) => Ok(s),
        _ if ctx.errors.len() == 1 => Err(ctx.errors.remove(0).into()),
        _ => Err(Error::Inputs(ctx.errors)),
    }
}

/// Stage one: TOML syntax and the shape of the file (types, unknown keys,
/// missing keys), with the key path from `serde_path_to_error`.
fn parse_raw(text: &str, file: &str) -> Result<RawFile, InputError> {
    let de = toml::Deserializer::parse(text).map_err(|e| InputError {
        file: file.to_string(),
        position: e.span().map(|s| line_col(text, s.start)),
        key: None,
        message: format!("TOML syntax error: {}", e.message().trim()),
    })?;
    serde_path_to_error::deserialize::<_, RawFile>(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let key = if path == "." { None } else { Some(path) };
        let position = inner
            .span()
            .map(|s| line_col(text, s.start))
            .or_else(|| key.as_deref().and_then(|k| Locator::new(text).position(k)));
        InputError {
            file: file.to_string(),
            position,
            key,
            message: humanize(inner.message()),
        }
    })
}

/// Turn serde's wording into "expected …, found …".
fn humanize(message: &str) -> String {
    let message = message.trim();
    let type_name = |s: &str| -> String {
        match s.trim() {
            "f64" => "a number".to_string(),
            "i64" => "an integer".to_string(),
            "a string" | "string" => "a string".to_string(),
            other => other.to_string(),
        }
    };
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((found, expected)) = rest.split_once(", expected ") {
                return format!("expected {}, found {}", type_name(expected), found);
            }
        }
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return format!("unknown key {rest}");
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("missing key {rest}");
    }
    message.to_string()
}

/// Collects errors with their positions.
struct Ctx<'a> {
    file: &'a str,
    locator: Locator<'a>,
    errors: Vec<InputError>,
}

/// A range rule for one number.
#[derive(Clone, Copy)]
enum Rule {
    Any,
    Positive,
    NonNegative,
    GreaterThanMinusOne,
    /// 0 < x <= 1
    OpenUnit,
    /// 0 <= x <= 1
    ClosedUnit,
    /// 0 <= x < 1
    HalfOpenUnit,
}

impl Rule {
    fn holds(self, x: f64) -> bool {
        match self {
            Rule::Any => true,
            Rule::Positive => x > 0.0,
            Rule::NonNegative => x >= 0.0,
            Rule::GreaterThanMinusOne => x > -1.0,
            Rule::OpenUnit => x > 0.0 && x <= 1.0,
            Rule::ClosedUnit => (0.0..=1.0).contains(&x),
            Rule::HalfOpenUnit => (0.0..1.0).contains(&x),
        }
    }
    fn describe(self) -> &'static str {
        match self {
            Rule::Any => "a finite number",
            Rule::Positive => "a number > 0",
            Rule::NonNegative => "a number >= 0",
            Rule::GreaterThanMinusOne => "a number > -1",
            Rule::OpenUnit => "a number with 0 < x <= 1",
            Rule::ClosedUnit => "a number with 0 <= x <= 1",
            Rule::HalfOpenUnit => "a number with 0 <= x < 1",
        }
    }
}

/// What a distribution is used for, which limits its support.
#[derive(Clone, Copy)]
enum Role {
    /// Fraction lost: support inside [0, 1], bounded kinds only.
    Severity,
    /// Durations and delays: non-negative.
    NonNegative,
}

impl Ctx<'_> {
    fn error(&mut self, key: &str, message: String) {
        self.errors.push(InputError {
            file: self.file.to_string(),
            position: self.locator.position(key),
            key: Some(key.to_string()),
            message,
        });
    }

    /// Check a number against a rule; on failure record the error and
    /// return `false`.
    fn number(&mut self, key: &str, x: f64, rule: Rule) -> bool {
        if !x.is_finite() {
            self.error(key, format!("expected a finite number, found {x}"));
            false
        } else if !rule.holds(x) {
            self.error(key, format!("expected {}, found {x}", rule.describe()));
            false
        } else {
            true
        }
    }

    fn integer(&mut self, key: &str, x: i64, lo: i64, hi: i64) -> bool {
        if x < lo || x > hi {
            let expected = if hi == i64::MAX {
                format!("an integer >= {lo}")
            } else {
                format!("an integer from {lo} to {hi}")
            };
            self.error(key, format!("expected {expected}, found {x}"));
            false
        } else {
            true
        }
    }

    fn id(
        &mut self,
        key: &str,
        id: &str,
        kind: &str,
        seen: &mut HashMap<String, usize>,
        index: usize,
    ) {
        if id.trim().is_empty() {
            self.error(key, "expected a non-empty id, found \"\"".to_string());
        } else if let Some(first) = seen.insert(id.to_string(), index) {
            self.error(
                key,
                format!("expected a unique {kind} id, found \"{id}\" again (first used by {kind}[{first}])"),
            );
            seen.insert(id.to_string(), first);
        }
    }

    /// Validate a distribution for `role`.
    fn dist(&mut self, key: &str, raw: &RawDist, role: Role) -> Option<Dist> {
        let spec = match raw {
            RawDist::Number(v) => {
                if !v.is_finite() {
                    self.error(key, format!("expected a finite number, found {v}"));
                    return None;
                }
                DistSpec::Fixed { value: *v }
            }
            RawDist::Table(t) => self.dist_spec(key, t)?,
        };
        let kind = spec.kind();
        let (lo, hi) = spec.support();
        let dist = match Dist::new(spec) {
            Ok(d) => d,
            Err(e) => {
                self.error(
                    key,
                    format!(
                        "expected {} for dist = \"{kind}\", found {}",
                        e.0,
                        describe_spec(&spec)
                    ),
                );
                return None;
            }
        };
        match role {
            Role::Severity => {
                if matches!(
                    spec,
                    DistSpec::LogNormal { .. } | DistSpec::Exponential { .. }
                ) {
                    self.error(
                        key,
                        format!("expected a severity distribution bounded in [0, 1] (fixed, uniform, triangular, pert or beta), found dist = \"{kind}\""),
                    );
                    return None;
                }
                if lo < 0.0 || hi > 1.0 {
                    self.error(
                        key,
                        format!(
                            "expected a severity in [0, 1], found {}",
                            describe_spec(&spec)
                        ),
                    );
                    return None;
                }
            }
            Role::NonNegative => {
                if lo < 0.0 {
                    self.error(
                        key,
                        format!(
                            "expected a non-negative duration or delay, found {}",
                            describe_spec(&spec)
                        ),
                    );
                    return None;
                }
            }
        }
        Some(dist)
    }

    /// Map the table form to a spec: the right parameters, no others.
    fn dist_spec(&mut self, key: &str, t: &RawDistTable) -> Option<DistSpec> {
        let given: [(&str, Option<f64>); 8] = [
            ("value", t.value),
            ("min", t.min),
            ("mode", t.mode),
            ("max", t.max),
            ("mean", t.mean),
            ("sd", t.sd),
            ("median", t.median),
            ("p90", t.p90),
        ];
        let wanted: &[&str] = match t.dist.as_str() {
            "fixed" => &["value"],
            "uniform" => &["min", "max"],
            "triangular" | "pert" => &["min", "mode", "max"],
            "beta" => &["mean", "sd"],
            "lognormal" => &["median", "p90"],
            "exponential" => &["mean"],
            other => {
                self.error(
                    &format!("{key}.dist"),
                    format!("expected one of \"fixed\", \"uniform\", \"triangular\", \"pert\", \"beta\", \"lognormal\", \"exponential\", found \"{other}\""),
                );
                return None;
            }
        };
        let mut ok = true;
        for (name, value) in given {
            let sub = format!("{key}.{name}");
            match (wanted.contains(&name), value) {
                (true, None) => {
                    self.error(
                        &sub,
                        format!(
                            "missing key `{name}` (dist = \"{}\" needs {})",
                            t.dist,
                            wanted.join(", ")
                        ),
                    );
                    ok = false;
                }
                (false, Some(_)) => {
                    self.error(
                        &sub,
                        format!(
                            "unexpected key `{name}` for dist = \"{}\" (expected {})",
                            t.dist,
                            wanted.join(", ")
                        ),
                    );
                    ok = false;
                }
                (true, Some(v)) => ok &= self.number(&sub, v, Rule::Any),
                (false, None) => {}
            }
        }
        if !ok {
            return None;
        }
        let g = |x: Option<f64>| x.unwrap_or(f64::NAN);
        Some(match t.dist.as_str() {
            "fixed" => DistSpec::Fixed { value: g(t.value) },
            "uniform" => DistSpec::Uniform {
                min: g(t.min),
                max: g(t.max),
            },
            "triangular" => DistSpec::Triangular {
                min: g(t.min),
                mode: g(t.mode),
                max: g(t.max),
            },
            "pert" => DistSpec::Pert {
                min: g(t.min),
                mode: g(t.mode),
                max: g(t.max),
            },
            "beta" => DistSpec::Beta {
                mean: g(t.mean),
                sd: g(t.sd),
            },
            "lognormal" => DistSpec::LogNormal {
                median: g(t.median),
                p90: g(t.p90),
            },
            _ => DistSpec::Exponential { mean: g(t.mean) },
        })
    }

    fn process(&mut self, key: &str, raw: RawProcessParts<'_>) -> Option<Process> {
        let rate_ok = self.number(&format!("{key}.rate"), raw.rate, Rule::NonNegative);
        let severity = self.dist(&format!("{key}.severity"), raw.severity, Role::Severity);
        let duration = self.dist(
            &format!("{key}.duration_months"),
            raw.duration_months,
            Role::NonNegative,
        );
        match (rate_ok, severity, duration) {
            (true, Some(severity), Some(duration_months)) => Some(Process {
                rate: raw.rate,
                severity,
                duration_months,
            }),
            _ => None,
        }
    }
}

fn describe_spec(spec: &DistSpec) -> String {
    match *spec {
        DistSpec::Fixed { value } => format!("{value}"),
        DistSpec::Uniform { min, max } => format!("dist = \"uniform\", min = {min}, max = {max}"),
        DistSpec::Triangular { min, mode, max } => {
            format!("dist = \"triangular\", min = {min}, mode = {mode}, max = {max}")
        }
        DistSpec::Pert { min, mode, max } => {
            format!("dist = \"pert\", min = {min}, mode = {mode}, max = {max}")
        }
        DistSpec::Beta { mean, sd } => format!("dist = \"beta\", mean = {mean}, sd = {sd}"),
        DistSpec::LogNormal { median, p90 } => {
            format!("dist = \"lognormal\", median = {median}, p90 = {p90}")
        }
        DistSpec::Exponential { mean } => format!("dist = \"exponential\", mean = {mean}"),
    }
}

/// Build the scenario, recording every problem in `ctx`. Returns `None`
/// when something could not be built.
fn build(raw: &RawFile, ctx: &mut Ctx) -> Option<Scenario> {
    let h = &raw.scenario;
    ctx.integer("scenario.years", h.years, 1, MAX_YEARS);
    let steps_per_year = h.steps_per_year.unwrap_or(DEFAULT_STEPS_PER_YEAR as i64);
    ctx.integer("scenario.steps_per_year", steps_per_year, 1, 366);
    if let Some(t) = h.trials {
        ctx.integer("scenario.trials", t, 1, i64::MAX);
    }
    if let Some(s) = h.seed {
        ctx.integer("scenario.seed", s, 0, i64::MAX);
    }
    if raw.mineral.is_empty() {
        ctx.error(
            "mineral",
            "expected at least one [[mineral]] table, found none".to_string(),
        );
    }

    // Minerals.
    let mut mineral_ids = HashMap::new();
    let mut minerals = Vec::with_capacity(raw.mineral.len());
    for (i, m) in raw.mineral.iter().enumerate() {
        let k = format!("mineral[{i}]");
        ctx.id(&format!("{k}.id"), &m.id, "mineral", &mut mineral_ids, i);
        ctx.number(&format!("{k}.demand.base"), m.demand.base, Rule::Positive);
        let growth = m.demand.growth.unwrap_or(0.0);
        ctx.number(
            &format!("{k}.demand.growth"),
            growth,
            Rule::GreaterThanMinusOne,
        );
        let sigma = m.demand.sigma.unwrap_or(0.0);
        ctx.number(&format!("{k}.demand.sigma"), sigma, Rule::NonNegative);
        let threshold = m.shortfall_threshold.unwrap_or(DEFAULT_SHORTFALL_THRESHOLD);
        ctx.number(
            &format!("{k}.shortfall_threshold"),
            threshold,
            Rule::HalfOpenUnit,
        );
        minerals.push(Mineral {
            id: m.id.clone(),
            unit: m.unit.clone().unwrap_or_else(|| "units".to_string()),
            demand: Demand {
                base: m.demand.base,
                growth,
                sigma,
            },
            shortfall_threshold: threshold,
            stockpile: None,
            sources: Vec::new(),
            firm_supply: 0.0,
            demand_key: EntityKey::new("mineral", &m.id, Purpose::Demand),
        });
    }
    let mineral_of = |id: &str| raw.mineral.iter().position(|m| m.id == id);

    // Sources.
    let mut source_ids = HashMap::new();
    let mut sources = Vec::with_capacity(raw.source.len());
    for (i, s) in raw.source.iter().enumerate() {
        let k = format!("source[{i}]");
        ctx.id(&format!("{k}.id"), &s.id, "source", &mut source_ids, i);
        let mineral = mineral_of(&s.mineral);
        if mineral.is_none() {
            ctx.error(
                &format!("{k}.mineral"),
                format!(
                    "expected the id of a [[mineral]], found \"{}\" (source \"{}\")",
                    s.mineral, s.id
                ),
            );
        }
        ctx.number(&format!("{k}.capacity"), s.capacity, Rule::NonNegative);
        let access = s.access.unwrap_or(1.0);
        ctx.number(&format!("{k}.access"), access, Rule::OpenUnit);
        if let Some(c) = &s.country {
            if c.trim().is_empty() {
                ctx.error(
                    &format!("{k}.country"),
                    "expected a country code such as \"CL\", found \"\"".to_string(),
                );
            }
        }
        let disruption = s
            .disruption
            .as_ref()
            .and_then(|d| ctx.process(&format!("{k}.disruption"), RawProcessParts::from(d)));
        let project = s.project.as_ref().and_then(|p| {
            let pk = format!("{k}.project");
            let online_ok = ctx.number(&format!("{pk}.online_year"), p.online_year, Rule::Any);
            let delay = match &p.delay_months {
                Some(d) => ctx.dist(&format!("{pk}.delay_months"), d, Role::NonNegative),
                None => Some(Dist::fixed(0.0)),
            };
            let ramp_years = p.ramp_years.unwrap_or(0.0);
            let ramp_ok = ctx.number(&format!("{pk}.ramp_years"), ramp_years, Rule::NonNegative);
            let success = p.success_probability.unwrap_or(1.0);
            let success_ok = ctx.number(
                &format!("{pk}.success_probability"),
                success,
                Rule::OpenUnit,
            );
            match (online_ok && ramp_ok && success_ok, delay) {
                (true, Some(delay_months)) => Some(Project {
                    online_year: p.online_year,
                    delay_months,
                    ramp_years,
                    success_probability: success,
                }),
                _ => None,
            }
        });
        sources.push(Source {
            id: s.id.clone(),
            mineral: mineral.unwrap_or(0),
            country: s.country.clone(),
            capacity: s.capacity,
            access,
            disruption,
            project,
            events: Vec::new(),
            disruption_key: EntityKey::new("source", &s.id, Purpose::Disruption),
            project_key: EntityKey::new("source", &s.id, Purpose::Project),
        });
    }
    let source_of = |id: &str| raw.source.iter().position(|s| s.id == id);

    // Events.
    let mut event_ids = HashMap::new();
    let mut events = Vec::with_capacity(raw.event.len());
    for (i, e) in raw.event.iter().enumerate() {
        let k = format!("event[{i}]");
        ctx.id(&format!("{k}.id"), &e.id, "event", &mut event_ids, i);
        let process = ctx.process(&k, RawProcessParts::from(e));
        let mut affects = Vec::with_capacity(e.affects.len());
        for (j, a) in e.affects.iter().enumerate() {
            let ak = format!("{k}.affects[{j}]");
            let exposure = a.exposure.unwrap_or(1.0);
            ctx.number(&format!("{ak}.exposure"), exposure, Rule::ClosedUnit);
            match source_of(&a.source) {
                None => ctx.error(
                    &format!("{ak}.source"),
                    format!(
                        "expected the id of a [[source]], found \"{}\" (event \"{}\")",
                        a.source, e.id
                    ),
                ),
                Some(si) if affects.iter().any(|(s, _)| *s == si) => ctx.error(
                    &format!("{ak}.source"),
                    format!(
                        "expected each source once per event, found \"{}\" again",
                        a.source
                    ),
                ),
                Some(si) => affects.push((si, exposure)),
            }
        }
        if let Some(process) = process {
            events.push(Event {
                id: e.id.clone(),
                process,
                affects,
                key: EntityKey::new("event", &e.id, Purpose::Disruption),
            });
        }
    }

    // Stockpiles.
    let mut stock_of: HashMap<usize, usize> = HashMap::new();
    for (i, p) in raw.stockpile.iter().enumerate() {
        let k = format!("stockpile[{i}]");
        let mineral = mineral_of(&p.mineral);
        let initial_ok = ctx.number(&format!("{k}.initial"), p.initial, Rule::NonNegative);
        let capacity = p.capacity.unwrap_or(p.initial);
        let capacity_ok = ctx.number(&format!("{k}.capacity"), capacity, Rule::NonNegative);
        if initial_ok && capacity_ok && p.initial > capacity {
            ctx.error(
                &format!("{k}.initial"),
                format!(
                    "expected initial <= capacity ({capacity}), found {}",
                    p.initial
                ),
            );
        }
        ctx.number(
            &format!("{k}.max_release_per_year"),
            p.max_release_per_year,
            Rule::NonNegative,
        );
        let refill = p.refill_per_year.unwrap_or(0.0);
        ctx.number(&format!("{k}.refill_per_year"), refill, Rule::NonNegative);
        match mineral {
            None => ctx.error(
                &format!("{k}.mineral"),
                format!("expected the id of a [[mineral]], found \"{}\"", p.mineral),
            ),
            Some(m) => {
                if let Some(first) = stock_of.insert(m, i) {
                    ctx.error(
                        &format!("{k}.mineral"),
                        format!("expected at most one stockpile per mineral, found a second for \"{}\" (first: stockpile[{first}])", p.mineral),
                    );
                } else if let Some(min) = minerals.get_mut(m) {
                    min.stockpile = Some(Stockpile {
                        initial: p.initial,
                        capacity,
                        max_release_per_year: p.max_release_per_year,
                        refill_per_year: refill,
                    });
                }
            }
        }
    }

    if !ctx.errors.is_empty() {
        return None;
    }
    // Wire sources to minerals and events to sources, in file order.
    for (i, s) in sources.iter().enumerate() {
        minerals[s.mineral].sources.push(i);
    }
    for (e, ev) in events.iter().enumerate() {
        for &(s, exposure) in &ev.affects {
            sources[s].events.push((e, exposure));
        }
    }
    Some(Scenario {
        name: h.name.clone(),
        description: h.description.clone(),
        start_year: h.start_year,
        years: h.years as usize,
        steps_per_year: steps_per_year as usize,
        trials: h.trials.map(|t| t as u64),
        seed: h.seed.map(|s| s as u64),
        minerals,
        sources,
        events,
    })
}
