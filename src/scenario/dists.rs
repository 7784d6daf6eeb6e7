//! Distributions as written in a scenario file, checked for the role they
//! play (a severity, a duration or delay) and built into [`Dist`]s.

use super::raw::{RawDist, RawDistTable};
use super::rules::FINITE;
use super::validate::Ctx;
use crate::dist::{Dist, DistSpec};
use crate::error::{clip, num, quote};

/// What a distribution is used for, which limits its support.
#[derive(Clone, Copy)]
pub enum Role {
    /// Fraction lost: support inside [0, 1], bounded kinds only.
    Severity,
    /// Durations and delays, months: non-negative (a duration beyond the
    /// horizon lasts to its end; a delay beyond it means never online).
    Months,
}

/// The kinds of `dist = "…"`, in the order messages list them.
const KINDS: [&str; 7] = [
    "fixed",
    "uniform",
    "triangular",
    "pert",
    "beta",
    "lognormal",
    "exponential",
];

/// The parameters a kind needs.
fn wanted(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "fixed" => &["value"],
        "uniform" => &["min", "max"],
        "triangular" | "pert" => &["min", "mode", "max"],
        "beta" => &["mean", "sd"],
        "lognormal" => &["median", "p90"],
        "exponential" => &["mean"],
        _ => return None,
    })
}

/// `dist = "beta", mean = 0.3, sd = 0.1`, numbers printed compactly.
pub fn describe_spec(spec: &DistSpec) -> String {
    let n = |x: f64| num(x);
    match *spec {
        DistSpec::Fixed { value } => n(value),
        DistSpec::Uniform { min, max } => {
            format!("dist = \"uniform\", min = {}, max = {}", n(min), n(max))
        }
        DistSpec::Triangular { min, mode, max } => format!(
            "dist = \"triangular\", min = {}, mode = {}, max = {}",
            n(min),
            n(mode),
            n(max)
        ),
        DistSpec::Pert { min, mode, max } => format!(
            "dist = \"pert\", min = {}, mode = {}, max = {}",
            n(min),
            n(mode),
            n(max)
        ),
        DistSpec::Beta { mean, sd } => {
            format!("dist = \"beta\", mean = {}, sd = {}", n(mean), n(sd))
        }
        DistSpec::LogNormal { median, p90 } => format!(
            "dist = \"lognormal\", median = {}, p90 = {}",
            n(median),
            n(p90)
        ),
        DistSpec::Exponential { mean } => format!("dist = \"exponential\", mean = {}", n(mean)),
    }
}

impl Ctx<'_> {
    /// Validate a distribution for `role`.
    pub fn dist(&mut self, key: &str, raw: &RawDist, role: Role) -> Option<Dist> {
        let spec = match raw {
            RawDist::Number(v) => {
                if !FINITE.holds(*v) {
                    self.error(key, format!("expected a finite number, found {}", num(*v)));
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
        let problem = match role {
            Role::Severity if matches!(spec, DistSpec::LogNormal { .. } | DistSpec::Exponential { .. }) => {
                Some(format!("expected a severity distribution bounded in [0, 1] (fixed, uniform, triangular, pert or beta), found dist = \"{kind}\""))
            }
            Role::Severity if lo < 0.0 || hi > 1.0 => Some(format!(
                "expected a severity in [0, 1], found {}",
                describe_spec(&spec)
            )),
            Role::Months if lo < 0.0 => Some(format!(
                "expected a non-negative duration or delay, found {}",
                describe_spec(&spec)
            )),
            _ => None,
        };
        match problem {
            Some(message) => {
                self.error(key, message);
                None
            }
            None => Some(dist),
        }
    }

    /// Map the table form to a spec: a known `dist`, the right parameters,
    /// no others.
    pub(super) fn dist_spec(&mut self, key: &str, t: &RawDistTable) -> Option<DistSpec> {
        // A missing or non-string `dist` was reported in stage one.
        let kind = t.dist.as_deref()?;
        let Some(wanted) = wanted(kind) else {
            let list: Vec<String> = KINDS.iter().map(|k| format!("\"{k}\"")).collect();
            self.error(
                &format!("{key}.dist"),
                format!("expected one of {}, found {}", list.join(", "), quote(kind)),
            );
            return None;
        };
        let mut ok = true;
        let mut values = Vec::with_capacity(wanted.len());
        for name in wanted {
            let sub = format!("{key}.{name}");
            match t.param(name) {
                None => {
                    self.error(
                        &sub,
                        format!(
                            "missing key `{name}` (dist = \"{kind}\" needs {})",
                            wanted.join(", ")
                        ),
                    );
                    ok = false;
                }
                Some(Err(message)) => {
                    self.error(&sub, message.clone());
                    ok = false;
                }
                Some(Ok(v)) => {
                    ok &= self.number(&sub, *v, FINITE);
                    values.push(*v);
                }
            }
        }
        for (name, _) in &t.params {
            if !wanted.contains(&name.as_str()) {
                self.error(
                    &format!("{key}.{}", clip(name)),
                    format!(
                        "unexpected key `{}` for dist = \"{kind}\" (expected {})",
                        clip(name),
                        wanted.join(", ")
                    ),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        Some(match (kind, values.as_slice()) {
            ("fixed", &[value]) => DistSpec::Fixed { value },
            ("uniform", &[min, max]) => DistSpec::Uniform { min, max },
            ("triangular", &[min, mode, max]) => DistSpec::Triangular { min, mode, max },
            ("pert", &[min, mode, max]) => DistSpec::Pert { min, mode, max },
            ("beta", &[mean, sd]) => DistSpec::Beta { mean, sd },
            ("lognormal", &[median, p90]) => DistSpec::LogNormal { median, p90 },
            ("exponential", &[mean]) => DistSpec::Exponential { mean },
            _ => return None,
        })
    }
}
