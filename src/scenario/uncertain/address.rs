//! Where a `KIND.ID.KEY` address of an `[[uncertain]]` table points in a
//! file's plain structs, the range of values the key allows, and reading
//! and writing the number there.

use crate::error::quote;
use crate::scenario::raw::{RawDist, RawFile, RawProject, RawProjectRef};
use crate::scenario::rules::{self, Range};

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
pub(super) enum Slot<'r> {
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
    initial: &'r mut Option<crate::scenario::raw::RawInitial>,
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
    d: Option<&'r mut crate::scenario::raw::RawDemand>,
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
pub(super) fn slot<'r>(
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
pub(super) fn split<'t>(
    raw: &RawFile,
    text: &'t str,
) -> Result<(&'t str, String, Vec<&'t str>), String> {
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
    if let Some((id, key)) = crate::scenario::ids::longest_id(&parts[1..], |id| has(raw, kind, id))
    {
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

/// Set the value at `slot`.
pub(super) fn set(slot: Slot, v: f64) {
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
pub(super) fn written(slot: &Slot) -> Result<f64, String> {
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
