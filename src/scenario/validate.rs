//! Loading a scenario: parse the TOML, read its shape ([`super::read`]),
//! then check every rule of docs/model.md sections 9–10 and the limits of
//! [`super::rules`], and build the validated [`Scenario`].
//!
//! All problems found are reported together, in file order, each with the
//! file, the line and column, the key path and "expected …, found …".

use super::dists::Role;
use super::ids::Ids;
use super::locate::{line_col, Locator};
use super::raw::{RawDemand, RawFile, RawProcessParts};
use super::read::{Problem, Reader};
use super::rules::{self, Range, TextRule, MAX_TREND_DEMAND};
use super::uncertain::Study;
use super::{
    Demand, Event, EventKind, Mineral, Process, Scenario, Source, Stage, Stockpile,
    DEFAULT_REFILL_PRICE, DEFAULT_RELEASE_PRICE, DEFAULT_SHORTFALL_THRESHOLD,
    DEFAULT_STEPS_PER_YEAR,
};
use crate::error::{num, quote, Error, InputError};
use crate::rng::{EntityKey, Purpose};
use std::collections::{HashMap, HashSet};
use toml::de::DeTable;

pub use super::rules::MAX_YEARS;

/// Most problems reported for one file; a line then says how many more
/// there are.
pub const MAX_REPORTED: usize = 100;

/// Parse and validate `text`; `file` names it in messages.
pub fn parse(text: &str, file: &str) -> Result<Scenario, Error> {
    parse_study(text, file).map(|(s, _)| s)
}

/// [`parse`], also returning the file's `[[uncertain]]` parameters.
pub fn parse_study(text: &str, file: &str) -> Result<(Scenario, Study), Error> {
    if text.trim().is_empty() {
        return Err(InputError::file(
            file,
            "expected a scenario with a [scenario] table and at least one [[mineral]], found an empty file",
        )
        .into());
    }
    let doc = DeTable::parse(text).map_err(|e| {
        let message = e.message().trim();
        // The span of a key given twice is the second one: name it.
        let key = e
            .span()
            .and_then(|s| text.get(s))
            .map(|k| k.trim().trim_matches(['"', '\'']))
            .filter(|k| message == "duplicate key" && !k.is_empty() && !k.contains('\n'));
        InputError {
            file: file.to_string(),
            position: e.span().map(|s| line_col(text, s.start)),
            key: None,
            message: match key {
                Some(k) => format!(
                    "TOML syntax error: duplicate key {}: a key or table may be given only once",
                    crate::error::quote(k)
                ),
                None => format!("TOML syntax error: {message}"),
            },
        }
    })?;
    let mut reader = Reader::default();
    let raw = reader.file(doc.get_ref());
    let mut ctx = Ctx {
        locator: Locator::from_doc(text, doc),
        problems: reader.problems,
    };
    let scenario = build(&raw, &mut ctx);
    let study = ctx.uncertain(&raw);
    let mut problems = ctx.problems;
    match scenario {
        Some(s) if problems.is_empty() => return Ok((s, study)),
        None if problems.is_empty() => problems.push(Problem {
            at: None,
            key: None,
            message: "could not be read as a scenario".to_string(),
        }),
        _ => {}
    }
    Err(report(problems, text, file))
}

/// Build the scenario of plain structs made from `text` (with values
/// changed in memory), checked like a file; positions are looked up in
/// `text` only when a rule is broken.
pub fn rebuild(raw: &RawFile, text: &str, file: &str) -> Result<Scenario, Error> {
    let mut ctx = Ctx {
        locator: Locator::blank(text),
        problems: Vec::new(),
    };
    if let Some(s) = build(raw, &mut ctx) {
        if ctx.problems.is_empty() {
            return Ok(s);
        }
    }
    let mut ctx = Ctx {
        locator: Locator::new(text),
        problems: Vec::new(),
    };
    build(raw, &mut ctx);
    let mut problems = ctx.problems;
    if problems.is_empty() {
        problems.push(Problem {
            at: None,
            key: None,
            message: "could not be read as a scenario".to_string(),
        });
    }
    Err(report(problems, text, file))
}

/// The error reporting `problems`, in file order, at most [`MAX_REPORTED`].
fn report(mut problems: Vec<Problem>, text: &str, file: &str) -> Error {
    // File order; problems without a position (the whole file) first.
    problems.sort_by_key(|p| p.at);
    let more = problems.len().saturating_sub(MAX_REPORTED);
    let mut errors: Vec<InputError> = problems
        .into_iter()
        .take(MAX_REPORTED)
        .map(|p| p.place(file, text))
        .collect();
    if more > 0 {
        errors.push(InputError::file(
            file,
            format!("{more} more problems not shown (at most {MAX_REPORTED} are reported)"),
        ));
    }
    if errors.len() == 1 {
        errors.remove(0).into()
    } else {
        Error::Inputs(errors)
    }
}

/// Collects problems with where they are.
pub struct Ctx<'a> {
    locator: Locator<'a>,
    problems: Vec<Problem>,
}

impl Ctx<'_> {
    /// Record a problem with the value at key path `key`.
    pub fn error(&mut self, key: &str, message: String) {
        self.problems.push(Problem {
            at: self.locator.offset(key),
            key: Some(key.to_string()),
            message,
        });
    }

    /// Check a number against a range; on failure record the error and
    /// return `false`.
    pub fn number(&mut self, key: &str, x: f64, range: Range) -> bool {
        if range.holds(x) {
            true
        } else {
            self.error(
                key,
                format!("expected {}, found {}", range.describe(), num(x)),
            );
            false
        }
    }

    /// [`Ctx::number`] for a value that may be missing (already reported):
    /// the value when it is there and in range.
    pub(super) fn required(&mut self, key: &str, x: Option<f64>, range: Range) -> Option<f64> {
        x.filter(|&x| self.number(key, x, range))
    }

    /// Check an optional number, `default` when absent.
    pub(super) fn optional(
        &mut self,
        key: &str,
        x: Option<f64>,
        default: f64,
        range: Range,
    ) -> Option<f64> {
        let x = x.unwrap_or(default);
        self.number(key, x, range).then_some(x)
    }

    pub(super) fn text(&mut self, key: &str, text: Option<&str>, rule: TextRule) {
        if let Some(t) = text {
            if !rule.holds(t) {
                self.error(
                    key,
                    format!("expected {}, found {}", rule.describe(), quote(t)),
                );
            }
        }
    }

    pub(super) fn id(&mut self, key: &str, id: Option<&str>, ids: &mut Ids, index: usize) {
        if let Some(message) = id.and_then(|id| ids.check(id, index)) {
            self.error(key, message);
        }
    }

    fn process(&mut self, key: &str, raw: RawProcessParts<'_>) -> Option<Process> {
        let rate = self.required(&format!("{key}.rate"), raw.rate, rules::RATE);
        let severity = raw
            .severity
            .and_then(|d| self.dist(&format!("{key}.severity"), d, Role::Severity));
        let duration = raw
            .duration_months
            .and_then(|d| self.dist(&format!("{key}.duration_months"), d, Role::Months));
        let initial = match raw.initial {
            None => Some(None),
            Some(i) => self.initial(&format!("{key}.initial"), i).map(Some),
        };
        Some(Process {
            rate: rate?,
            severity: severity?,
            duration_months: duration?,
            initial: initial?,
        })
    }

    /// A demand table at `key`, checked (with its trend over `years`
    /// years, when known): `None` when a rule is broken (reported).
    pub(super) fn demand(
        &mut self,
        key: &str,
        d: &RawDemand,
        years: Option<i64>,
    ) -> Option<Demand> {
        let base = self.required(&format!("{key}.base"), d.base, rules::BASE);
        let growth = self.optional(&format!("{key}.growth"), d.growth, 0.0, rules::GROWTH);
        let sigma = self.optional(&format!("{key}.sigma"), d.sigma, 0.0, rules::SIGMA);
        let demand = Demand {
            base: base?,
            growth: growth?,
            sigma: sigma?,
            factor: None,
        };
        if let Some(years) = years {
            self.trend_demand(key, demand, years);
        }
        Some(demand)
    }

    /// The trend demand of the last year, `base (1 + growth)^(years - 1)`,
    /// must stay at most [`MAX_TREND_DEMAND`]; so then does every year's
    /// (with a negative growth the first year's is the largest, and it is
    /// at most `base`).
    fn trend_demand(&mut self, key: &str, demand: Demand, years: i64) {
        let last = demand.trend((years - 1) as usize);
        if last.is_nan() || last > MAX_TREND_DEMAND {
            self.error(
                &format!("{key}.growth"),
                format!(
                    "expected a growth that keeps the last year's trend demand, base (1 + growth)^(years - 1), at most {} units per year, found {} (base {}, growth {}, {years} years)",
                    num(MAX_TREND_DEMAND),
                    num(last),
                    num(demand.base),
                    num(demand.growth)
                ),
            );
        }
    }
}

/// Build the scenario, recording every problem in `ctx`. Returns `None`
/// when something could not be built.
fn build(raw: &RawFile, ctx: &mut Ctx) -> Option<Scenario> {
    let h = &raw.scenario;
    ctx.text("scenario.name", h.name.as_deref(), rules::NAME);
    ctx.text(
        "scenario.description",
        h.description.as_deref(),
        rules::DESCRIPTION,
    );
    let steps_per_year = h.steps_per_year.unwrap_or(DEFAULT_STEPS_PER_YEAR as i64);
    if raw.mineral.is_empty() {
        ctx.error(
            "mineral",
            "expected at least one [[mineral]] table, found none".to_string(),
        );
    }

    // Minerals.
    let mut mineral_ids = Ids::new("mineral", true);
    let mut minerals = Vec::with_capacity(raw.mineral.len());
    for (i, m) in raw.mineral.iter().enumerate() {
        let k = format!("mineral[{i}]");
        let id = m.id.clone().unwrap_or_default();
        ctx.id(&format!("{k}.id"), m.id.as_deref(), &mut mineral_ids, i);
        ctx.text(&format!("{k}.unit"), m.unit.as_deref(), rules::UNIT);
        let demand = m
            .demand
            .as_ref()
            .and_then(|d| ctx.demand(&format!("{k}.demand"), d, h.years))
            .unwrap_or(Demand {
                base: 1.0,
                growth: 0.0,
                sigma: 0.0,
                factor: None,
            });
        let threshold = m.shortfall_threshold.unwrap_or(DEFAULT_SHORTFALL_THRESHOLD);
        ctx.number(
            &format!("{k}.shortfall_threshold"),
            threshold,
            rules::THRESHOLD,
        );
        minerals.push(Mineral {
            demand_key: EntityKey::new("mineral", &id, Purpose::Demand),
            id,
            unit: m.unit.clone().unwrap_or_else(|| "units".to_string()),
            demand,
            shortfall_threshold: threshold,
            stockpile: None,
            sources: Vec::new(),
            firm_supply: 0.0,
            market: None,
        });
    }
    let mut mineral_index = HashMap::new();
    for (i, m) in raw.mineral.iter().enumerate() {
        if let Some(id) = &m.id {
            mineral_index.entry(id.as_str()).or_insert(i);
        }
    }

    // Sources.
    let mut source_ids = Ids::new("source", false);
    let mut sources = Vec::with_capacity(raw.source.len());
    for (i, s) in raw.source.iter().enumerate() {
        let k = format!("source[{i}]");
        let id = s.id.clone().unwrap_or_default();
        ctx.id(&format!("{k}.id"), s.id.as_deref(), &mut source_ids, i);
        let mineral = s
            .mineral
            .as_deref()
            .and_then(|m| mineral_index.get(m).copied());
        if let (None, Some(name)) = (mineral, &s.mineral) {
            ctx.error(
                &format!("{k}.mineral"),
                format!(
                    "expected the id of a [[mineral]], found {}{} (source {})",
                    quote(name),
                    super::ids::id_hint(name, mineral_index.keys().copied()),
                    quote(&id)
                ),
            );
        }
        let capacity = ctx.required(&format!("{k}.capacity"), s.capacity, rules::AMOUNT);
        let access = s.access.unwrap_or(1.0);
        ctx.number(&format!("{k}.access"), access, rules::POSITIVE_FRACTION);
        ctx.text(
            &format!("{k}.country"),
            s.country.as_deref(),
            rules::COUNTRY,
        );
        let disruption = s
            .disruption
            .as_ref()
            .and_then(|d| ctx.process(&format!("{k}.disruption"), RawProcessParts::from(d)));
        sources.push(Source {
            disruption_key: EntityKey::new("source", &id, Purpose::Disruption),
            id,
            mineral: mineral.unwrap_or(0),
            country: s.country.clone(),
            capacity: capacity.unwrap_or(0.0),
            access,
            disruption,
            project: None,
            events: Vec::new(),
            stage: Stage::Product,
            offtake: 0.0,
            restrictions: Vec::new(),
        });
    }
    // A mineral nobody supplies has no risk to measure (every unit of its
    // demand would be unserved) and no concentration: refuse it.
    for (i, m) in raw.mineral.iter().enumerate() {
        let Some(id) = m.id.as_deref() else { continue };
        if !raw.source.iter().any(|s| s.mineral.as_deref() == Some(id)) {
            ctx.error(
                &format!("mineral[{i}].id"),
                format!(
                    "expected at least one [[source]] with mineral = {}, found none",
                    quote(id)
                ),
            );
        }
    }
    let mut source_index = HashMap::new();
    for (i, s) in raw.source.iter().enumerate() {
        if let Some(id) = &s.id {
            source_index.entry(id.as_str()).or_insert(i);
        }
    }

    // Events.
    let mut event_ids = Ids::new("event", false);
    let mut events = Vec::with_capacity(raw.event.len());
    for (i, e) in raw.event.iter().enumerate() {
        let k = format!("event[{i}]");
        let id = e.id.clone().unwrap_or_default();
        ctx.id(&format!("{k}.id"), e.id.as_deref(), &mut event_ids, i);
        let process = ctx.process(&k, RawProcessParts::from(e));
        let mut affects = Vec::with_capacity(e.affects.len());
        let mut hit = HashSet::new();
        for (j, a) in e.affects.iter().enumerate() {
            let ak = format!("{k}.affects[{j}]");
            let exposure = a.exposure.unwrap_or(1.0);
            ctx.number(&format!("{ak}.exposure"), exposure, rules::FRACTION);
            let Some(name) = &a.source else { continue };
            match source_index.get(name.as_str()) {
                None => ctx.error(
                    &format!("{ak}.source"),
                    format!(
                        "expected the id of a [[source]], found {}{} (event {})",
                        quote(name),
                        super::ids::id_hint(name, source_index.keys().copied()),
                        quote(&id)
                    ),
                ),
                Some(&si) if !hit.insert(si) => ctx.error(
                    &format!("{ak}.source"),
                    format!(
                        "expected each source once per event, found {} again",
                        quote(name)
                    ),
                ),
                Some(&si) => affects.push((si, exposure)),
            }
        }
        if let Some(process) = process {
            events.push(Event {
                key: EntityKey::new("event", &id, Purpose::Disruption),
                id,
                process,
                affects,
                kind: EventKind::Outage,
            });
        }
    }

    // Stockpiles.
    let mut stock_of: HashMap<usize, usize> = HashMap::new();
    for (i, p) in raw.stockpile.iter().enumerate() {
        let k = format!("stockpile[{i}]");
        let initial = ctx.required(&format!("{k}.initial"), p.initial, rules::AMOUNT);
        let capacity = ctx.required(
            &format!("{k}.capacity"),
            p.capacity.or(p.initial),
            rules::AMOUNT,
        );
        if let (Some(initial), Some(capacity)) = (initial, capacity) {
            if initial > capacity {
                ctx.error(
                    &format!("{k}.initial"),
                    format!(
                        "expected initial <= capacity ({}), found {}",
                        num(capacity),
                        num(initial)
                    ),
                );
            }
        }
        let release = ctx.required(
            &format!("{k}.max_release_per_year"),
            p.max_release_per_year,
            rules::AMOUNT,
        );
        let refill = ctx.optional(
            &format!("{k}.refill_per_year"),
            p.refill_per_year,
            0.0,
            rules::AMOUNT,
        );
        let Some(name) = &p.mineral else { continue };
        match mineral_index.get(name.as_str()) {
            None => ctx.error(
                &format!("{k}.mineral"),
                format!(
                    "expected the id of a [[mineral]], found {}{}",
                    quote(name),
                    super::ids::id_hint(name, mineral_index.keys().copied())
                ),
            ),
            Some(&m) => {
                if let Some(first) = stock_of.insert(m, i) {
                    ctx.error(
                        &format!("{k}.mineral"),
                        format!("expected at most one stockpile per mineral, found a second for {} (first: stockpile[{first}])", quote(name)),
                    );
                } else if let (
                    Some(min),
                    Some(initial),
                    Some(capacity),
                    Some(release),
                    Some(refill),
                ) = (minerals.get_mut(m), initial, capacity, release, refill)
                {
                    min.stockpile = Some(Stockpile {
                        initial,
                        capacity,
                        max_release_per_year: release,
                        refill_per_year: refill,
                        release_price: DEFAULT_RELEASE_PRICE,
                        refill_price: DEFAULT_REFILL_PRICE,
                    });
                }
            }
        }
    }

    super::chain_rules::check(raw, ctx, &mut minerals, &mut sources, &mut events);
    let (factors, projects) = super::dependence::check(raw, ctx, &mut minerals, &mut sources);

    if !ctx.problems.is_empty() {
        return None;
    }
    // Wire sources to minerals and events to sources, in file order.
    for (i, s) in sources.iter().enumerate() {
        minerals[s.mineral].sources.push(i);
    }
    for (e, ev) in events.iter().enumerate() {
        for &(s, exposure) in &ev.affects {
            sources[s].wire_event(ev.kind, e, exposure);
        }
    }
    Some(Scenario {
        name: h.name.clone()?,
        description: h.description.clone(),
        start_year: h.start_year?,
        years: h.years? as usize,
        steps_per_year: steps_per_year as usize,
        trials: h.trials.map(|t| t as u64),
        seed: h.seed.map(|s| s as u64),
        minerals,
        sources,
        events,
        factors,
        projects,
    })
}
