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

mod address;

use super::raw::{RawDist, RawFile};
use super::rules::Range;
use super::validate::Ctx;
use crate::dist::{Dist, DistSpec};
use crate::error::{num, quote, Error, InputError};
pub use address::KINDS;
use address::{set, slot, split, written};

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
    /// The key's allowed values.
    range: Range,
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

impl Uncertain {
    /// The parameter's value at `u` of its distribution (`0 < u < 1`).
    /// The support may end at an open bound of the key (drawn with
    /// probability zero), yet in floating point a strongly U-shaped beta's
    /// quantile rounds to that end for a share of `u` near 0 or 1 (0.6% of
    /// a beta of shapes 0.12): such a value is moved to the nearest number
    /// inside the bound, which the exact quantile lies beyond.
    pub fn value_at(&self, u: f64) -> f64 {
        let v = self.dist.inverse_cdf(u);
        let (lo, lo_open, hi, hi_open) = self.range.bounds();
        if lo_open && v <= lo {
            next_up(lo)
        } else if hi_open && v >= hi {
            -next_up(-hi)
        } else {
            v
        }
    }
}

/// The smallest number above a finite `x`.
fn next_up(x: f64) -> f64 {
    if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
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
                range,
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

    /// The Saltelli design of the parameters with `n` base sets, scrambled
    /// by `seed` (see [`crate::uncertainty::design`]), each value drawn by
    /// [`Uncertain::value_at`].
    pub fn design(&self, n: usize, seed: u64) -> crate::uncertainty::Design {
        crate::uncertainty::design_with(self.params.len(), n, seed, |j, u| {
            self.params[j].value_at(u)
        })
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
