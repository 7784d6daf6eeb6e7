//! `[[uncertain]]` tables: a parameter of the scenario, addressed as
//! `KIND.ID.KEY`, and the distribution its value is drawn from
//! (docs/model.md, parameter uncertainty).
//!
//! The tables are checked when the file is loaded (a plain `run` refuses
//! invalid ones): the address must hit a number written in the file, the
//! same parameter may not be given twice, and the distribution's support
//! must lie inside the key's allowed range (an unbounded one where the
//! model sets no largest value, its tail inside supplyrisk's limit). A
//! drawn parameter set is applied to the file's plain structs in memory
//! ([`Study::scenario`]) and
//! checked by the same rules as a file, so a set that breaks a rule between
//! keys (`min <= mode <= max`, `initial <= capacity`, …) is refused with
//! its values, and a set's scenario is the one a file holding those values
//! would give.

use super::raw::{RawDist, RawFile, RawProject, RawProjectRef};
use super::rules::{self, Range};
use super::validate::Ctx;
use crate::dist::{Dist, DistSpec};
use crate::error::{num, quote, Error, InputError};

/// One `[[uncertain]]` table as written.
#[derive(Debug, Clone, Default)]
pub struct RawUncertain {
    /// `param = "KIND.ID.KEY"`.
    pub param: Option<String>,
    /// `dist = …`.
    pub dist: Option<RawDist>,
}

/// A checked uncertain parameter.
#[derive(Debug, Clone)]
pub struct Uncertain {
    /// `KIND.ID.KEY` as written.
    pub param: String,
    /// The distribution its values are drawn from.
    pub dist: Dist,
    /// Where it is: kind, entity id, key path.
    kind: String,
    id: String,
    key: Vec<String>,
}

/// The uncertain parameters of a file, with the file's plain structs to
/// apply drawn values to.
#[derive(Debug, Clone, Default)]
pub struct Study {
    /// The parameters, in file order.
    pub params: Vec<Uncertain>,
    raw: RawFile,
}

/// The kinds of `KIND.ID.KEY`.
pub const KINDS: [&str; 6] = [
    "source",
    "event",
    "mineral",
    "stockpile",
    "project",
    "market",
];

/// Where a value lives in the plain structs.
enum Slot<'r> {
    /// A plain number.
    Num(&'r mut Option<f64>),
    /// A distribution as a whole (a plain number), or one of its
    /// parameters.
    Dist(&'r mut Option<RawDist>, Option<String>),
}

/// Allowed values of a distribution's parameters, by role.
const SEVERITY: Range = Range::closed(0.0, 1.0);
const MONTHS: Range = rules::MONTHS;

fn num_slot(x: &mut Option<f64>, range: Range) -> Result<(Slot<'_>, Range), String> {
    Ok((Slot::Num(x), range))
}

fn dist_slot<'r>(
    d: &'r mut Option<RawDist>,
    rest: &[&str],
    range: Range,
) -> Result<(Slot<'r>, Range), String> {
    match rest {
        [] => Ok((Slot::Dist(d, None), range)),
        [p] => Ok((Slot::Dist(d, Some((*p).to_string())), range)),
        _ => Err(unknown()),
    }
}

fn unknown() -> String {
    "no such key".to_string()
}

/// The number of a disruption process (a source's `disruption` or an
/// event) at `key`: `rate`, `severity[.p]`, `duration_months[.p]`,
/// `initial.severity[.p]`, `initial.months`.
fn process_slot<'r>(
    rate: &'r mut Option<f64>,
    severity: &'r mut Option<RawDist>,
    duration: &'r mut Option<RawDist>,
    initial: &'r mut Option<super::raw::RawInitial>,
    key: &[&str],
) -> Result<(Slot<'r>, Range), String> {
    match key {
        ["rate"] => num_slot(rate, rules::RATE),
        ["severity", rest @ ..] => dist_slot(severity, rest, SEVERITY),
        ["duration_months", rest @ ..] => dist_slot(duration, rest, MONTHS),
        ["initial", rest @ ..] => {
            let i = initial.as_mut().ok_or_else(unknown)?;
            match rest {
                ["severity", rest @ ..] => dist_slot(&mut i.severity, rest, SEVERITY),
                ["months"] => num_slot(&mut i.months, rules::MONTHS),
                _ => Err(unknown()),
            }
        }
        _ => Err(unknown()),
    }
}

fn demand_slot<'r>(
    d: Option<&'r mut super::raw::RawDemand>,
    key: &[&str],
) -> Result<(Slot<'r>, Range), String> {
    let d = d.ok_or_else(unknown)?;
    match key {
        ["base"] => num_slot(&mut d.base, rules::BASE),
        ["growth"] => num_slot(&mut d.growth, rules::GROWTH),
        ["sigma"] => num_slot(&mut d.sigma, rules::SIGMA),
        ["loading"] => num_slot(&mut d.loading, rules::LOADING),
        _ => Err(unknown()),
    }
}

/// Whether an entity of `kind` with `id` is in the file.
fn has(raw: &RawFile, kind: &str, id: &str) -> bool {
    let id = Some(id);
    match kind {
        "source" => raw.source.iter().any(|s| s.id.as_deref() == id),
        "event" => raw.event.iter().any(|e| e.id.as_deref() == id),
        "mineral" => raw.mineral.iter().any(|m| m.id.as_deref() == id),
        "market" => raw
            .mineral
            .iter()
            .any(|m| m.id.as_deref() == id && m.market.is_some()),
        "stockpile" => raw.stockpile.iter().any(|s| s.mineral.as_deref() == id),
        "project" => raw.project.iter().any(|p| p.id.as_deref() == id),
        _ => false,
    }
}

/// The slot of `key` in a project's table (inline or named).
fn project_slot<'r>(p: &'r mut RawProject, key: &[&str]) -> Result<(Slot<'r>, Range), String> {
    match key {
        ["online_year"] => num_slot(&mut p.online_year, rules::FINITE),
        ["ramp_years"] => num_slot(&mut p.ramp_years, rules::RAMP_YEARS),
        ["success_probability"] => num_slot(&mut p.success_probability, rules::POSITIVE_FRACTION),
        ["loading"] => num_slot(&mut p.loading, rules::LOADING),
        ["delay_months", rest @ ..] => dist_slot(&mut p.delay_months, rest, MONTHS),
        _ => Err(unknown()),
    }
}

/// The slot of `key` in entity `id` of `kind`, with the key's allowed
/// range and its key path in the file.
fn slot<'r>(
    raw: &'r mut RawFile,
    kind: &str,
    id: &str,
    key: &[&str],
) -> Result<(Slot<'r>, Range, String), String> {
    let want = Some(id);
    let (slot, path) = match kind {
        "source" => {
            let i = raw.source.iter().position(|s| s.id.as_deref() == want);
            let i = i.ok_or_else(unknown)?;
            let s = &mut raw.source[i];
            let slot = match key {
                ["capacity"] => num_slot(&mut s.capacity, rules::AMOUNT),
                ["access"] => num_slot(&mut s.access, rules::POSITIVE_FRACTION),
                ["offtake"] => num_slot(&mut s.offtake, rules::OFFTAKE),
                ["disruption", rest @ ..] => {
                    let d = s.disruption.as_mut().ok_or_else(unknown)?;
                    process_slot(
                        &mut d.rate,
                        &mut d.severity,
                        &mut d.duration_months,
                        &mut d.initial,
                        rest,
                    )
                }
                ["project", rest @ ..] => match s.project.as_mut() {
                    Some(RawProjectRef::Inline(p)) => project_slot(p, rest),
                    _ => Err(unknown()),
                },
                _ => Err(unknown()),
            }?;
            (slot, format!("source[{i}]"))
        }
        "event" => {
            let i = raw.event.iter().position(|e| e.id.as_deref() == want);
            let i = i.ok_or_else(unknown)?;
            let e = &mut raw.event[i];
            if let ["affects", source @ .., "exposure"] = key {
                let source = Some(source.join("."));
                let j = e.affects.iter().position(|a| a.source == source);
                let j = j.ok_or_else(unknown)?;
                let slot = num_slot(&mut e.affects[j].exposure, rules::FRACTION)?;
                return Ok((slot.0, slot.1, format!("event[{i}].affects[{j}].exposure")));
            }
            let slot = process_slot(
                &mut e.rate,
                &mut e.severity,
                &mut e.duration_months,
                &mut e.initial,
                key,
            )?;
            (slot, format!("event[{i}]"))
        }
        "mineral" => {
            let i = raw.mineral.iter().position(|m| m.id.as_deref() == want);
            let i = i.ok_or_else(unknown)?;
            let m = &mut raw.mineral[i];
            let slot = match key {
                ["demand", rest @ ..] => demand_slot(m.demand.as_mut(), rest),
                ["shortfall_threshold"] => num_slot(&mut m.shortfall_threshold, rules::THRESHOLD),
                _ => Err(unknown()),
            }?;
            (slot, format!("mineral[{i}]"))
        }
        "market" => {
            let i = raw.mineral.iter().position(|m| m.id.as_deref() == want);
            let i = i.ok_or_else(unknown)?;
            let m = raw.mineral[i].market.as_mut().ok_or_else(unknown)?;
            let slot = match key {
                ["rest_of_world_demand", rest @ ..] => {
                    demand_slot(m.rest_of_world_demand.as_mut(), rest)
                }
                ["reference_price"] => num_slot(&mut m.reference_price, rules::PRICE),
                ["demand_elasticity"] => num_slot(&mut m.demand_elasticity, rules::ELASTICITY),
                ["max_price"] => num_slot(&mut m.max_price, rules::MAX_PRICE),
                ["min_price"] => num_slot(&mut m.min_price, rules::MIN_PRICE),
                ["spike_threshold"] => num_slot(&mut m.spike_threshold, rules::ABOVE_ONE),
                _ => Err(unknown()),
            }?;
            (slot, format!("mineral[{i}].market"))
        }
        "project" => {
            let i = raw.project.iter().position(|p| p.id.as_deref() == want);
            let i = i.ok_or_else(unknown)?;
            (
                project_slot(&mut raw.project[i], key)?,
                format!("project[{i}]"),
            )
        }
        "stockpile" => {
            let i = raw
                .stockpile
                .iter()
                .position(|s| s.mineral.as_deref() == want);
            let i = i.ok_or_else(unknown)?;
            let s = &mut raw.stockpile[i];
            let slot = match key {
                ["initial"] => num_slot(&mut s.initial, rules::AMOUNT),
                ["capacity"] => num_slot(&mut s.capacity, rules::AMOUNT),
                ["max_release_per_year"] => num_slot(&mut s.max_release_per_year, rules::AMOUNT),
                ["refill_per_year"] => num_slot(&mut s.refill_per_year, rules::AMOUNT),
                ["release_price"] => num_slot(&mut s.release_price, rules::ABOVE_ONE),
                ["refill_price"] => num_slot(&mut s.refill_price, rules::REFILL_PRICE),
                _ => Err(unknown()),
            }?;
            (slot, format!("stockpile[{i}]"))
        }
        _ => return Err(unknown()),
    };
    Ok((slot.0, slot.1, format!("{path}.{}", key.join("."))))
}

/// Split `KIND.ID.KEY`: the longest id of an entity of `KIND` in the file
/// that leaves a non-empty key wins.
fn split<'t>(raw: &RawFile, text: &'t str) -> Result<(&'t str, String, Vec<&'t str>), String> {
    let parts: Vec<&str> = text.split('.').collect();
    let kind = parts[0];
    if !KINDS.contains(&kind) {
        return Err(format!(
            "expected KIND.ID.KEY with KIND one of {}, found {}",
            KINDS.join(", "),
            quote(text)
        ));
    }
    if parts.len() < 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(format!(
            "expected KIND.ID.KEY (for example source.chile-copper.capacity), found {}",
            quote(text)
        ));
    }
    if let Some((id, key)) = super::ids::longest_id(&parts[1..], |id| has(raw, kind, id)) {
        return Ok((kind, id, key.to_vec()));
    }
    let what = if kind == "market" {
        "the id of a [[mineral]] with a market"
    } else if kind == "stockpile" {
        "the mineral id of a [[stockpile]]"
    } else if kind == "project" {
        "the id of a [[project]] table"
    } else {
        "an id in the file"
    };
    Err(format!(
        "expected {what} after `{kind}.`, found {}",
        quote(text)
    ))
}

/// Whether `spec`'s support lies in `range`; an open bound may be an end
/// of the support of a continuous distribution (drawn with probability
/// zero).
fn support_inside(spec: &DistSpec, range: Range) -> bool {
    let (lo, hi) = spec.support();
    let (rlo, _, rhi, _) = range.bounds();
    let continuous = !matches!(spec, DistSpec::Fixed { .. });
    let end_ok = |x: f64, bound: f64| range.holds(x) || (continuous && x == bound);
    // Where the model leaves the key unbounded above, an unbounded
    // support (lognormal, exponential) is the model's to allow; its tail
    // is held to supplyrisk's own limit by [`TAIL`].
    let unbounded_ok = range.upper_is_limit() && hi == f64::INFINITY;
    end_ok(lo, rlo) && (end_ok(hi, rhi) || unbounded_ok)
}

/// Share of an unbounded distribution's draws allowed beyond the limit
/// supplyrisk adds to a key the model leaves open above: so small that a
/// study all but never draws one (it draws `2N` values of a parameter, at
/// most 131,072: a chance near 10^-4), so that a distribution `validate`
/// accepts does not fail a study. A drawn value beyond the limit is still
/// refused with its set.
const TAIL: f64 = 1e-9;

/// For an unbounded distribution over a key with a limit above: its value
/// with only [`TAIL`] of the draws above it, when that is beyond the limit.
fn tail_beyond_limit(dist: &Dist, range: Range) -> Option<f64> {
    if !range.upper_is_limit() || dist.spec().support().1 != f64::INFINITY {
        return None;
    }
    let q = dist.inverse_cdf(1.0 - TAIL);
    (!range.holds(q)).then_some(q)
}

/// Set the value at `slot`.
fn set(slot: Slot, v: f64) {
    match slot {
        Slot::Num(x) => *x = Some(v),
        Slot::Dist(d, None) => *d = Some(RawDist::Number(v)),
        Slot::Dist(d, Some(p)) => {
            if let Some(RawDist::Table(t)) = d {
                if let Some(entry) = t.params.iter_mut().find(|(k, _)| *k == p) {
                    entry.1 = Ok(v);
                }
            }
        }
    }
}

/// The number written at `slot`, or why there is none.
fn written(slot: &Slot) -> Result<f64, String> {
    match slot {
        Slot::Num(Some(x)) => Ok(*x),
        Slot::Num(None) => Err("no value is written there".to_string()),
        Slot::Dist(Some(RawDist::Number(x)), None) => Ok(*x),
        Slot::Dist(Some(RawDist::Table(_)), None) => Err(
            "a distribution table is written there; address one of its parameters (KEY.min, KEY.mean, …)".to_string(),
        ),
        Slot::Dist(Some(RawDist::Table(t)), Some(p)) => match t.param(p) {
            Some(Ok(x)) => Ok(*x),
            _ => Err(format!("the distribution there has no parameter `{p}`")),
        },
        Slot::Dist(Some(RawDist::Number(_)), Some(_)) => {
            Err("a plain number is written there; address the key itself".to_string())
        }
        Slot::Dist(None, _) => Err("no value is written there".to_string()),
    }
}

impl Ctx<'_> {
    /// Check every `[[uncertain]]` table of `raw` (problems are recorded).
    pub(super) fn uncertain(&mut self, raw: &RawFile) -> Study {
        let mut probe = raw.clone();
        let mut params: Vec<Uncertain> = Vec::new();
        let mut seen: Vec<(String, usize)> = Vec::new();
        for (i, u) in raw.uncertain.iter().enumerate() {
            let k = format!("uncertain[{i}]");
            // The parameter's address; where it is bad, its distribution
            // is still checked on its own.
            let param = 'param: {
                let Some(text) = &u.param else {
                    break 'param None;
                };
                let pk = format!("{k}.param");
                let (kind, id, key) = match split(raw, text) {
                    Ok(x) => x,
                    Err(m) => {
                        self.error(&pk, m);
                        break 'param None;
                    }
                };
                let (range, keypath) = match slot(&mut probe, kind, &id, &key) {
                    Ok((s, range, keypath)) => match written(&s) {
                        Ok(_) => (range, keypath),
                        Err(why) => {
                            self.error(
                                &pk,
                                format!("expected the address of a number written in the file, found {} ({why})", quote(text)),
                            );
                            break 'param None;
                        }
                    },
                    Err(_) => {
                        self.error(
                            &pk,
                            format!(
                                "expected an uncertain number of {kind} {} (such as {}), found key {}",
                                quote(&id),
                                examples(kind),
                                quote(&key.join("."))
                            ),
                        );
                        break 'param None;
                    }
                };
                if let Some((_, first)) = seen.iter().find(|(p, _)| *p == keypath) {
                    self.error(
                        &pk,
                        format!("expected each parameter once, found {} again (first in uncertain[{first}])", quote(text)),
                    );
                    break 'param None;
                }
                seen.push((keypath.clone(), i));
                Some((text, kind, id, key, range))
            };
            let Some((text, kind, id, key, range)) = param else {
                self.uncertain_dist(&format!("{k}.dist"), u.dist.as_ref());
                continue;
            };
            let Some(dist) = self.uncertain_dist(&format!("{k}.dist"), u.dist.as_ref()) else {
                continue;
            };
            if !support_inside(dist.spec(), range) {
                let (lo, hi) = dist.spec().support();
                self.error(
                    &format!("{k}.dist"),
                    format!(
                        "expected a distribution whose values lie in the allowed range of {text} ({}), found {} with values from {} to {}",
                        range.describe(),
                        super::dists::describe_spec(dist.spec()),
                        num(lo),
                        num(hi)
                    ),
                );
                continue;
            }
            if let Some(q) = tail_beyond_limit(&dist, range) {
                self.error(
                    &format!("{k}.dist"),
                    format!(
                        "expected a distribution whose upper tail stays inside the allowed range of {text} ({}), found {} with one draw in 10^9 above {}",
                        range.describe(),
                        super::dists::describe_spec(dist.spec()),
                        crate::output::fmt_sci(q)
                    ),
                );
                continue;
            }
            if let Some(n) = dist.shapes_beyond_quantiles() {
                self.error(
                    &format!("{k}.dist"),
                    format!(
                        "expected a beta with a + b = mean (1 - mean) / sd^2 - 1 at most {} (a study draws it through its quantile function, which is not reliable for narrower betas; use a larger sd, or a fixed value), found {} with a + b = {}",
                        num(crate::dist::MAX_QUANTILE_SHAPES),
                        super::dists::describe_spec(dist.spec()),
                        crate::output::fmt_sci(n)
                    ),
                );
                continue;
            }
            params.push(Uncertain {
                param: text.clone(),
                dist,
                kind: kind.to_string(),
                id,
                key: key.iter().map(|s| s.to_string()).collect(),
            });
        }
        Study {
            params,
            raw: raw.clone(),
        }
    }

    fn uncertain_dist(&mut self, key: &str, raw: Option<&RawDist>) -> Option<Dist> {
        let spec = match raw? {
            RawDist::Number(v) => DistSpec::Fixed { value: *v },
            RawDist::Table(t) => self.dist_spec(key, t)?,
        };
        match Dist::new(spec) {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(
                    key,
                    format!(
                        "expected {} for dist = \"{}\", found {}",
                        e.0,
                        spec.kind(),
                        super::dists::describe_spec(&spec)
                    ),
                );
                None
            }
        }
    }
}

fn examples(kind: &str) -> &'static str {
    match kind {
        "source" => "capacity, access, offtake, disruption.rate, disruption.severity.max, disruption.initial.severity, project.success_probability",
        "event" => "rate, severity.mode, duration_months.mean, initial.months, affects.<source id>.exposure",
        "mineral" => "demand.base, demand.growth, demand.sigma, demand.loading, shortfall_threshold",
        "market" => "reference_price, demand_elasticity, rest_of_world_demand.growth, rest_of_world_demand.loading",
        "stockpile" => "initial, capacity, max_release_per_year",
        "project" => "online_year, success_probability, loading, delay_months.max",
        _ => "a key written in its table",
    }
}

impl Study {
    /// Whether the file has no `[[uncertain]]` table.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// The scenario with the parameters set to `values` (in
    /// [`Study::params`] order), checked like a file. `text` and `file` are
    /// the file's, for the positions of problems.
    ///
    /// # Errors
    ///
    /// [`Error::Input`] (or [`Error::Inputs`]) when the set breaks a rule
    /// of the format; each message starts with the parameter values.
    pub fn scenario(
        &self,
        values: &[f64],
        text: &str,
        file: &str,
    ) -> Result<super::Scenario, Error> {
        let mut raw = self.raw.clone();
        raw.uncertain.clear();
        for (u, &v) in self.params.iter().zip(values) {
            let key: Vec<&str> = u.key.iter().map(String::as_str).collect();
            if let Ok((s, _, _)) = slot(&mut raw, &u.kind, &u.id, &key) {
                set(s, v);
            }
        }
        super::validate::rebuild(&raw, text, file).map_err(|e| {
            let with: Vec<String> = self
                .params
                .iter()
                .zip(values)
                .map(|(u, v)| format!("{} = {}", u.param, num(*v)))
                .collect();
            let label = |mut e: InputError| {
                e.message = format!("with {}: {}", with.join(", "), e.message);
                e
            };
            match e {
                Error::Input(b) => Error::Input(Box::new(label(*b))),
                Error::Inputs(v) => Error::Inputs(v.into_iter().map(label).collect()),
                other => other,
            }
        })
    }
}
