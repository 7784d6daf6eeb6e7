//! What stage one of loading ([`super::read`]) makes of the file: plain
//! structs that mirror it, before any range rule.
//!
//! Every key is optional here: a key that is missing, or whose value has
//! the wrong type, is `None` and has already been reported, so stage two
//! ([`super::validate`]) skips the rules that need it instead of stopping.
//! An entry of `[[mineral]]` (and the other lists) that is not a table is
//! kept as an empty entry, so that indexes in key paths stay those of the
//! file.

/// The whole file.
#[derive(Debug, Clone, Default)]
pub struct RawFile {
    /// `[scenario]`
    pub scenario: RawHeader,
    /// `[[mineral]]`
    pub mineral: Vec<RawMineral>,
    /// `[[source]]`
    pub source: Vec<RawSource>,
    /// `[[event]]`
    pub event: Vec<RawEvent>,
    /// `[[stockpile]]`
    pub stockpile: Vec<RawStockpile>,
    /// `[[factor]]`
    pub factor: Vec<RawFactor>,
    /// `[[project]]`: named projects.
    pub project: Vec<RawProject>,
    /// `[[uncertain]]`
    pub uncertain: Vec<super::uncertain::RawUncertain>,
}

/// `[scenario]`
#[derive(Debug, Clone, Default)]
pub struct RawHeader {
    /// Display name.
    pub name: Option<String>,
    /// Optional free text shown in reports (an extension of v1).
    pub description: Option<String>,
    /// First calendar year of the horizon.
    pub start_year: Option<i64>,
    /// Number of years simulated.
    pub years: Option<i64>,
    /// Steps per year (default 12).
    pub steps_per_year: Option<i64>,
    /// Default number of trials for the CLI.
    pub trials: Option<i64>,
    /// Default seed for the CLI.
    pub seed: Option<i64>,
}

/// `[[mineral]]`
#[derive(Debug, Clone, Default)]
pub struct RawMineral {
    /// Unique mineral id.
    pub id: Option<String>,
    /// Unit of capacities, demand and stocks (for example "kt").
    pub unit: Option<String>,
    /// Annual demand.
    pub demand: Option<RawDemand>,
    /// Fraction of annual demand above which a year is a shortfall year.
    pub shortfall_threshold: Option<f64>,
    /// The world market the mineral is traded on (v2).
    pub market: Option<RawMarket>,
}

/// `market = { rest_of_world_demand, reference_price, … }` (v2).
#[derive(Debug, Clone, Default)]
pub struct RawMarket {
    /// The rest of the world's demand (required).
    pub rest_of_world_demand: Option<RawDemand>,
    /// Price at which the market is in balance, currency per unit.
    pub reference_price: Option<f64>,
    /// Label of the currency (default "USD million").
    pub currency: Option<String>,
    /// Short-run price elasticity of demand, -1 < e < 0.
    pub demand_elasticity: Option<f64>,
    /// Cap on the price multiple (default 10).
    pub max_price: Option<f64>,
    /// Floor of the price multiple (default 0.5).
    pub min_price: Option<f64>,
    /// Price multiple above which a year is a spike year (default 1.5).
    pub spike_threshold: Option<f64>,
}

/// `demand = { base, growth, sigma }`
#[derive(Debug, Clone, Default)]
pub struct RawDemand {
    /// Demand in the first year (units per year).
    pub base: Option<f64>,
    /// Annual growth rate (default 0).
    pub growth: Option<f64>,
    /// Lognormal noise, per year (default 0).
    pub sigma: Option<f64>,
    /// Id of the year-scope factor its noise loads on.
    pub factor: Option<String>,
    /// Its loading on that factor, in [-1, 1].
    pub loading: Option<f64>,
}

/// `[[source]]`
#[derive(Debug, Clone, Default)]
pub struct RawSource {
    /// Unique source id.
    pub id: Option<String>,
    /// The mineral this source supplies.
    pub mineral: Option<String>,
    /// ISO 3166 alpha-2 country code, for concentration.
    pub country: Option<String>,
    /// Output in units per year.
    pub capacity: Option<f64>,
    /// Fraction of output the consumer can obtain in normal times.
    pub access: Option<f64>,
    /// The source's own disruption process.
    pub disruption: Option<RawDisruption>,
    /// Makes this source a project that starts later: an inline table,
    /// or the id of a named `[[project]]`.
    pub project: Option<RawProjectRef>,
    /// Supply-chain stage: "product" (default), "mine" or "refinery" (v2).
    pub stage: Option<String>,
    /// Share of output contracted to the consumer at the reference price (v2).
    pub offtake: Option<f64>,
}

/// `disruption = { rate, severity, duration_months }`
#[derive(Debug, Clone, Default)]
pub struct RawDisruption {
    /// Expected onsets per year while up.
    pub rate: Option<f64>,
    /// Fraction of output lost.
    pub severity: Option<RawDist>,
    /// How long a disruption lasts, in months.
    pub duration_months: Option<RawDist>,
    /// A disruption in progress when the horizon starts.
    pub initial: Option<RawInitial>,
}

/// `initial = { severity, months }`
#[derive(Debug, Clone, Default)]
pub struct RawInitial {
    /// Fraction of output lost while it lasts.
    pub severity: Option<RawDist>,
    /// How long it lasts from the start, in months.
    pub months: Option<f64>,
}

/// A source's `project` key.
#[derive(Debug, Clone)]
pub enum RawProjectRef {
    /// An inline table: a project of the source's own.
    Inline(RawProject),
    /// The id of a named `[[project]]`.
    Named(String),
}

/// `[[factor]]`
#[derive(Debug, Clone, Default)]
pub struct RawFactor {
    /// Unique factor id.
    pub id: Option<String>,
    /// "trial" or "year".
    pub scope: Option<String>,
}

/// `project = { online_year, delay_months, ramp_years, success_probability,
/// factor, loading, requires }`, or a `[[project]]` table (which has an
/// `id` too).
#[derive(Debug, Clone, Default)]
pub struct RawProject {
    /// Id of a named project (`None` inline).
    pub id: Option<String>,
    /// Planned time of first output (fractional calendar year).
    pub online_year: Option<f64>,
    /// Delay in months (default 0).
    pub delay_months: Option<RawDist>,
    /// Years from first output to full capacity (default 0).
    pub ramp_years: Option<f64>,
    /// Probability that the project ever produces (default 1).
    pub success_probability: Option<f64>,
    /// Id of the trial-scope factor its success loads on.
    pub factor: Option<String>,
    /// Its loading on that factor, in [-1, 1].
    pub loading: Option<f64>,
    /// Id of the project it requires.
    pub requires: Option<String>,
}

/// `[[event]]`
#[derive(Debug, Clone, Default)]
pub struct RawEvent {
    /// Unique event id.
    pub id: Option<String>,
    /// Expected onsets per year while up.
    pub rate: Option<f64>,
    /// Severity of the event.
    pub severity: Option<RawDist>,
    /// How long it lasts, in months.
    pub duration_months: Option<RawDist>,
    /// The sources it hits.
    pub affects: Vec<RawAffect>,
    /// "outage" (default) or "restriction" (v2).
    pub kind: Option<String>,
    /// A disruption in progress when the horizon starts.
    pub initial: Option<RawInitial>,
}

/// One entry of an event's `affects` list.
#[derive(Debug, Clone, Default)]
pub struct RawAffect {
    /// Id of the affected source.
    pub source: Option<String>,
    /// How much of the event's severity reaches that source (default 1).
    pub exposure: Option<f64>,
}

/// `[[stockpile]]`
#[derive(Debug, Clone, Default)]
pub struct RawStockpile {
    /// The mineral stored.
    pub mineral: Option<String>,
    /// Stock at the start (units).
    pub initial: Option<f64>,
    /// Largest stock (default `initial`).
    pub capacity: Option<f64>,
    /// Largest release per year.
    pub max_release_per_year: Option<f64>,
    /// Largest refill per year (default 0).
    pub refill_per_year: Option<f64>,
    /// Price multiple above which a market stockpile releases (v2).
    pub release_price: Option<f64>,
    /// Price multiple at or below which a market stockpile refills (v2).
    pub refill_price: Option<f64>,
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
/// needs, and whether the others belong, is checked in stage two, once the
/// `dist` is known.
#[derive(Debug, Clone, PartialEq)]
pub struct RawDistTable {
    /// The distribution's kind (`None` when missing or not a string).
    pub dist: Option<String>,
    /// Every other key in file order, with its number or the message
    /// saying why it is not one.
    pub params: Vec<(String, Result<f64, String>)>,
}

impl RawDistTable {
    /// The parameter `name`, if given.
    pub fn param(&self, name: &str) -> Option<&Result<f64, String>> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// The three parts every disruption process has, borrowed from either a
/// source's `disruption` table or an `[[event]]`.
#[derive(Debug, Clone, Copy)]
pub struct RawProcessParts<'a> {
    /// Onsets per year while up.
    pub rate: Option<f64>,
    /// Severity distribution.
    pub severity: Option<&'a RawDist>,
    /// Duration distribution, months.
    pub duration_months: Option<&'a RawDist>,
    /// The disruption in progress at the start, if any.
    pub initial: Option<&'a RawInitial>,
}

impl<'a> From<&'a RawDisruption> for RawProcessParts<'a> {
    fn from(d: &'a RawDisruption) -> Self {
        RawProcessParts {
            rate: d.rate,
            severity: d.severity.as_ref(),
            duration_months: d.duration_months.as_ref(),
            initial: d.initial.as_ref(),
        }
    }
}

impl<'a> From<&'a RawEvent> for RawProcessParts<'a> {
    fn from(e: &'a RawEvent) -> Self {
        RawProcessParts {
            rate: e.rate,
            severity: e.severity.as_ref(),
            duration_months: e.duration_months.as_ref(),
            initial: e.initial.as_ref(),
        }
    }
}
