//! Stage one of loading: plain serde structs that mirror the scenario file.
//!
//! Unknown keys are denied everywhere. Integers are read as `i64` and
//! numbers as `f64` so that range checks happen in stage two
//! ([`super::validate`]), where they can name the key and the rule.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    /// `[scenario]`
    pub scenario: RawHeader,
    /// `[[mineral]]`
    #[serde(default)]
    pub mineral: Vec<RawMineral>,
    /// `[[source]]`
    #[serde(default)]
    pub source: Vec<RawSource>,
    /// `[[event]]`
    #[serde(default)]
    pub event: Vec<RawEvent>,
    /// `[[stockpile]]`
    #[serde(default)]
    pub stockpile: Vec<RawStockpile>,
}

/// `[scenario]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    /// Display name.
    pub name: String,
    /// Optional free text shown in reports (an extension of v1).
    pub description: Option<String>,
    /// First calendar year of the horizon.
    pub start_year: i64,
    /// Number of years simulated.
    pub years: i64,
    /// Steps per year (default 12).
    pub steps_per_year: Option<i64>,
    /// Default number of trials for the CLI.
    pub trials: Option<i64>,
    /// Default seed for the CLI.
    pub seed: Option<i64>,
}

/// `[[mineral]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMineral {
    /// Unique mineral id.
    pub id: String,
    /// Unit of capacities, demand and stocks (for example "kt").
    pub unit: Option<String>,
    /// Annual demand.
    pub demand: RawDemand,
    /// Fraction of annual demand above which a year is a shortfall year.
    pub shortfall_threshold: Option<f64>,
}

/// `demand = { base, growth, sigma }`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDemand {
    /// Demand in the first year (units per year).
    pub base: f64,
    /// Annual growth rate (default 0).
    pub growth: Option<f64>,
    /// Lognormal noise, per year (default 0).
    pub sigma: Option<f64>,
}

/// `[[source]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    /// Unique source id.
    pub id: String,
    /// The mineral this source supplies.
    pub mineral: String,
    /// ISO 3166 alpha-2 country code, for concentration.
    pub country: Option<String>,
    /// Output in units per year.
    pub capacity: f64,
    /// Fraction of output the consumer can obtain in normal times.
    pub access: Option<f64>,
    /// The source's own disruption process.
    pub disruption: Option<RawDisruption>,
    /// Makes this source a project that starts later.
    pub project: Option<RawProject>,
}

/// `disruption = { rate, severity, duration_months }`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDisruption {
    /// Expected onsets per year while up.
    pub rate: f64,
    /// Fraction of output lost.
    pub severity: RawDist,
    /// How long a disruption lasts, in months.
    pub duration_months: RawDist,
}

/// `project = { online_year, delay_months, ramp_years, success_probability }`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProject {
    /// Planned time of first output (fractional calendar year).
    pub online_year: f64,
    /// Delay in months (default 0).
    pub delay_months: Option<RawDist>,
    /// Years from first output to full capacity (default 0).
    pub ramp_years: Option<f64>,
    /// Probability that the project ever produces (default 1).
    pub success_probability: Option<f64>,
}

/// `[[event]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    /// Unique event id.
    pub id: String,
    /// Expected onsets per year while up.
    pub rate: f64,
    /// Severity of the event.
    pub severity: RawDist,
    /// How long it lasts, in months.
    pub duration_months: RawDist,
    /// The sources it hits.
    pub affects: Vec<RawAffect>,
}

/// One entry of an event's `affects` list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAffect {
    /// Id of the affected source.
    pub source: String,
    /// How much of the event's severity reaches that source (default 1).
    pub exposure: Option<f64>,
}

/// `[[stockpile]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStockpile {
    /// The mineral stored.
    pub mineral: String,
    /// Stock at the start (units).
    pub initial: f64,
    /// Largest stock (default `initial`).
    pub capacity: Option<f64>,
    /// Largest release per year.
    pub max_release_per_year: f64,
    /// Largest refill per year (default 0).
    pub refill_per_year: Option<f64>,
}

/// A distribution as written: a plain number, or an inline table with
/// `dist` and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum RawDist {
    /// A plain number (same as `dist = "fixed"`).
    Number(f64),
    /// `{ dist = "…", … }`
    Table(RawDistTable),
}

/// The inline-table form of a distribution. Which parameters a `dist`
/// needs is checked in stage two.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDistTable {
    /// The distribution's kind.
    pub dist: String,
    /// `fixed`
    pub value: Option<f64>,
    /// `uniform`, `triangular`, `pert`
    pub min: Option<f64>,
    /// `triangular`, `pert`
    pub mode: Option<f64>,
    /// `uniform`, `triangular`, `pert`
    pub max: Option<f64>,
    /// `beta`, `exponential`
    pub mean: Option<f64>,
    /// `beta`
    pub sd: Option<f64>,
    /// `lognormal`
    pub median: Option<f64>,
    /// `lognormal`
    pub p90: Option<f64>,
}

impl<'de> Deserialize<'de> for RawDist {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DistVisitor;
        impl<'de> Visitor<'de> for DistVisitor {
            type Value = RawDist;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a distribution table such as { dist = \"beta\", mean = 0.3, sd = 0.1 }")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDist, E> {
                Ok(RawDist::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDist, E> {
                Ok(RawDist::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDist, E> {
                Ok(RawDist::Number(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawDist, A::Error> {
                RawDistTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(RawDist::Table)
            }
        }
        deserializer.deserialize_any(DistVisitor)
    }
}

/// The three parts every disruption process has, borrowed from either a
/// source's `disruption` table or an `[[event]]`.
#[derive(Debug, Clone, Copy)]
pub struct RawProcessParts<'a> {
    /// Onsets per year while up.
    pub rate: f64,
    /// Severity distribution.
    pub severity: &'a RawDist,
    /// Duration distribution, months.
    pub duration_months: &'a RawDist,
}

impl<'a> From<&'a RawDisruption> for RawProcessParts<'a> {
    fn from(d: &'a RawDisruption) -> Self {
        RawProcessParts {
            rate: d.rate,
            severity: &d.severity,
            duration_months: &d.duration_months,
        }
    }
}

impl<'a> From<&'a RawEvent> for RawProcessParts<'a> {
    fn from(e: &'a RawEvent) -> Self {
        RawProcessParts {
            rate: e.rate,
            severity: &e.severity,
            duration_months: &e.duration_months,
        }
    }
}
