//! Scenarios: the validated description of what is simulated.
//!
//! Loading has two stages. [`read`] reads the TOML document into the plain
//! structs of [`raw`], checking its shape (unknown keys, missing keys,
//! types); [`validate`] checks every rule of docs/model.md sections 9–10 and the
//! limits of [`rules`], and builds the domain types below, with
//! distributions already constructed, so the simulation cannot fail.
//! Neither stage stops at the first problem. Errors name the file,
//! line:column, key path, and what was expected versus found.

mod chain_rules;
mod dependence;
mod dists;
pub mod ids;
pub mod locate;
pub mod notices;
pub mod raw;
pub mod read;
mod restrict;
pub mod rules;
pub mod uncertain;
pub mod validate;

use crate::dist::Dist;
use crate::error::{Error, InputError};
use crate::rng::EntityKey;
use std::io::Read;
use std::path::Path;

/// Largest scenario file read, in bytes (16 MiB); reading stops there.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Default number of trials when neither the file nor the flags give one.
pub const DEFAULT_TRIALS: u64 = 100_000;
/// Default seed when neither the file nor the flags give one.
pub const DEFAULT_SEED: u64 = 0;
/// Default steps per year.
pub const DEFAULT_STEPS_PER_YEAR: usize = 12;
/// Default shortfall threshold (fraction of annual demand).
pub const DEFAULT_SHORTFALL_THRESHOLD: f64 = 0.05;

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Display name.
    pub name: String,
    /// Free text for reports.
    pub description: Option<String>,
    /// First calendar year.
    pub start_year: i64,
    /// Number of years.
    pub years: usize,
    /// Steps per year.
    pub steps_per_year: usize,
    /// Trials the file asks for, if any.
    pub trials: Option<u64>,
    /// Seed the file gives, if any.
    pub seed: Option<u64>,
    /// Minerals, in file order.
    pub minerals: Vec<Mineral>,
    /// Sources, in file order.
    pub sources: Vec<Source>,
    /// Common-cause events, in file order.
    pub events: Vec<Event>,
    /// Shared factors, in file order.
    pub factors: Vec<Factor>,
    /// Every project: the sources' inline projects in source order, then
    /// the named `[[project]]` tables in file order. Sources refer to
    /// them by index.
    pub projects: Vec<Project>,
}

/// One mineral the consumer needs.
#[derive(Debug, Clone)]
pub struct Mineral {
    /// Unique id.
    pub id: String,
    /// Unit of capacity, demand and stock.
    pub unit: String,
    /// Annual demand.
    pub demand: Demand,
    /// Fraction of annual demand above which a year is a shortfall year.
    pub shortfall_threshold: f64,
    /// The mineral's stockpile, if any.
    pub stockpile: Option<Stockpile>,
    /// Indexes into [`Scenario::sources`] of this mineral's sources, in file order.
    pub sources: Vec<usize>,
    /// Extra constant, never-disrupted supply in units per year (0 in a
    /// scenario file; used to find equivalent firm supply).
    pub firm_supply: f64,
    /// Stream key of the demand noise.
    pub demand_key: EntityKey,
    /// The world market, when the mineral is traded on one.
    pub market: Option<Market>,
}

/// A world market of which the consumer is a part (docs/model.md, world
/// market).
#[derive(Debug, Clone, PartialEq)]
pub struct Market {
    /// The rest of the world's annual demand.
    pub rest_of_world: Demand,
    /// Price at which the market is in balance, `currency` per unit.
    pub reference_price: f64,
    /// Label of the currency of costs.
    pub currency: String,
    /// Short-run price elasticity of demand, in (-1, 0).
    pub elasticity: f64,
    /// Cap on the price multiple.
    pub max_price: f64,
    /// Floor of the price multiple.
    pub min_price: f64,
    /// A year whose mean price multiple exceeds this is a spike year.
    pub spike_threshold: f64,
    /// Stream key of the rest of the world's demand noise.
    pub rest_key: EntityKey,
}

/// Default currency label of a market.
pub const DEFAULT_CURRENCY: &str = "USD million";
/// Default cap on the price multiple.
pub const DEFAULT_MAX_PRICE: f64 = 10.0;
/// Default floor of the price multiple.
pub const DEFAULT_MIN_PRICE: f64 = 0.5;
/// Default spike threshold (price multiple).
pub const DEFAULT_SPIKE_THRESHOLD: f64 = 1.5;
/// Default price multiple above which a market stockpile releases.
pub const DEFAULT_RELEASE_PRICE: f64 = 1.5;
/// Default price multiple at or below which a market stockpile refills.
pub const DEFAULT_REFILL_PRICE: f64 = 1.0;

/// Where in the supply chain a source stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stage {
    /// Output in the form the consumer buys (v1).
    #[default]
    Product,
    /// Feed (ore or concentrate), in units of contained mineral.
    Mine,
    /// Processing capacity, in product units per year.
    Refinery,
}

impl Stage {
    /// Whether the source's output is product (refinery or product source).
    pub fn is_product_level(self) -> bool {
        self != Stage::Mine
    }
}

/// What an event does to the sources it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EventKind {
    /// Output is lost (v1).
    #[default]
    Outage,
    /// Output is not lost but may not be sold to the consumer.
    Restriction,
}

/// `D(y) = base (1 + growth)^y eps`, `eps = exp(sigma Z - sigma^2 / 2)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Demand {
    /// Demand in year index 0, units per year.
    pub base: f64,
    /// Annual growth.
    pub growth: f64,
    /// Lognormal noise.
    pub sigma: f64,
    /// The year-scope factor its noise loads on, if any.
    pub factor: Option<Loading>,
}

impl Demand {
    /// Demand in year index `y` before noise: `base * (1 + growth)^y`.
    pub fn trend(&self, y: usize) -> f64 {
        self.base * (1.0 + self.growth).powf(y as f64)
    }
}

/// A source of one mineral.
#[derive(Debug, Clone)]
pub struct Source {
    /// Unique id.
    pub id: String,
    /// Index into [`Scenario::minerals`].
    pub mineral: usize,
    /// Country code, if given.
    pub country: Option<String>,
    /// Output, units per year.
    pub capacity: f64,
    /// Fraction of output the consumer obtains in normal times.
    pub access: f64,
    /// Own disruption process, if any.
    pub disruption: Option<Process>,
    /// The project the source belongs to, if it is one: an index into
    /// [`Scenario::projects`].
    pub project: Option<usize>,
    /// Outage events that hit this source: `(event index, exposure)`, in
    /// event file order.
    pub events: Vec<(usize, f64)>,
    /// Stream key of the disruption process.
    pub disruption_key: EntityKey,
    /// Supply-chain stage.
    pub stage: Stage,
    /// Share of output delivered to the consumer at the reference price
    /// (in a market; 0 otherwise).
    pub offtake: f64,
    /// Restriction events that list this source: `(event index,
    /// exposure)`, in event file order (outages are in `events`).
    pub restrictions: Vec<(usize, f64)>,
}

impl Source {
    /// Record that event `e` of `kind` lists this source with `exposure`.
    pub fn wire_event(&mut self, kind: EventKind, e: usize, exposure: f64) {
        match kind {
            EventKind::Outage => self.events.push((e, exposure)),
            EventKind::Restriction => self.restrictions.push((e, exposure)),
        }
    }
}

/// An up/down disruption process (docs/model.md section 3).
#[derive(Debug, Clone)]
pub struct Process {
    /// Expected onsets per year while up.
    pub rate: f64,
    /// Fraction of output lost while down, in [0, 1].
    pub severity: Dist,
    /// Duration of one disruption, months (non-negative).
    pub duration_months: Dist,
    /// A disruption in progress when the horizon starts, if any.
    pub initial: Option<Initial>,
}

/// A disruption in progress at the start of the horizon
/// (docs/dependence.md).
#[derive(Debug, Clone)]
pub struct Initial {
    /// Fraction of output lost while it lasts, in [0, 1].
    pub severity: Dist,
    /// How long it lasts from the start, months (non-negative).
    pub months: f64,
}

/// When and whether a project produces (docs/model.md section 4,
/// docs/dependence.md).
#[derive(Debug, Clone)]
pub struct Project {
    /// The project's id: its source's id for an inline project.
    pub id: String,
    /// Planned first output, fractional calendar year.
    pub online_year: f64,
    /// Delay, months (non-negative).
    pub delay_months: Dist,
    /// Years from first output to full capacity.
    pub ramp_years: f64,
    /// Probability that it ever produces (given that the project it
    /// requires does).
    pub success_probability: f64,
    /// The trial-scope factor its success loads on, if any.
    pub factor: Option<Loading>,
    /// The project it requires (an index into [`Scenario::projects`]).
    pub requires: Option<usize>,
    /// Stream key of its success and delay draws.
    pub key: EntityKey,
}

/// A shared standard-normal shock (docs/dependence.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// Unique id.
    pub id: String,
    /// One draw per trial, or one per trial and year.
    pub scope: FactorScope,
    /// Stream key of its draws.
    pub key: EntityKey,
}

/// How often a factor is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorScope {
    /// Once per trial (projects load on it).
    Trial,
    /// Once per trial and year (demands load on it).
    Year,
}

/// A loading on a factor: the entity's standard-normal shock is
/// `loading * F + sqrt(1 - loading^2) * Z_own`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loading {
    /// Index into [`Scenario::factors`].
    pub factor: usize,
    /// In [-1, 1].
    pub loading: f64,
}

/// A common-cause event hitting several sources at once.
#[derive(Debug, Clone)]
pub struct Event {
    /// Unique id.
    pub id: String,
    /// The event's process.
    pub process: Process,
    /// Sources hit: `(source index, exposure)`.
    pub affects: Vec<(usize, f64)>,
    /// Stream key of the event's process.
    pub key: EntityKey,
    /// Outage or restriction.
    pub kind: EventKind,
}

/// A mineral's stockpile (docs/model.md section 6).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stockpile {
    /// Stock at the start, units.
    pub initial: f64,
    /// Largest stock, units.
    pub capacity: f64,
    /// Largest release, units per year.
    pub max_release_per_year: f64,
    /// Largest refill, units per year.
    pub refill_per_year: f64,
    /// In a market: price multiple above which it releases.
    pub release_price: f64,
    /// In a market: price multiple at or below which it refills.
    pub refill_price: f64,
}

impl Scenario {
    /// Parse and validate scenario text. `file` names the text in errors.
    ///
    /// # Errors
    ///
    /// [`Error::Input`] (or [`Error::Inputs`] when several rules are
    /// broken) for any rule of docs/model.md sections 9–10 that is broken.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Scenario, Error> {
        validate::parse(text, file)
    }

    /// Read, parse and validate a scenario file.
    ///
    /// # Errors
    ///
    /// [`Error::Input`] if the file cannot be read or is not a valid scenario.
    pub fn load(path: &Path) -> Result<Scenario, Error> {
        Scenario::load_with_text(path).map(|(s, _)| s)
    }

    /// [`Scenario::load`], also returning the file's text (for its hash
    /// in the results' provenance).
    ///
    /// # Errors
    ///
    /// As [`Scenario::load`].
    pub fn load_with_text(path: &Path) -> Result<(Scenario, String), Error> {
        let text = Scenario::read_text(path)?;
        let scenario = Scenario::from_toml_str(&text, &path.display().to_string())?;
        Ok((scenario, text))
    }

    /// Read a scenario file's text: at most [`MAX_FILE_BYTES`], from a
    /// regular file (or a pipe), never a directory or a device.
    ///
    /// # Errors
    ///
    /// [`Error::Input`] if the file cannot be read, is not a regular file
    /// or a pipe, is larger than [`MAX_FILE_BYTES`], or is not UTF-8.
    pub fn read_text(path: &Path) -> Result<String, Error> {
        let file = path.display().to_string();
        let unreadable =
            |e: std::io::Error| InputError::file(&file, format!("could not read the file: {e}"));
        let handle = std::fs::File::open(path).map_err(unreadable)?;
        let kind = handle.metadata().map_err(unreadable)?.file_type();
        if let Some(found) = not_a_file(kind) {
            return Err(InputError::file(
                &file,
                format!("expected a scenario file, found {found}"),
            )
            .into());
        }
        let mut bytes = Vec::new();
        handle
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(InputError::file(
                &file,
                format!(
                    "file is larger than {} MiB, the most a scenario file may hold",
                    MAX_FILE_BYTES >> 20
                ),
            )
            .into());
        }
        Ok(String::from_utf8(bytes)
            .map_err(|_| InputError::file(&file, "expected UTF-8 text, found invalid bytes"))?)
    }

    /// Number of simulation steps, `years * steps_per_year`.
    pub fn steps(&self) -> usize {
        self.years * self.steps_per_year
    }

    /// Step length in years.
    pub fn dt(&self) -> f64 {
        1.0 / self.steps_per_year as f64
    }

    /// The most mineral `m` can get in a year: every source's capacity
    /// times access (projects fully ramped) plus firm supply.
    pub fn max_annual_supply(&self, m: usize) -> f64 {
        let mineral = &self.minerals[m];
        // Summed in ascending order: the same for any order of sources.
        crate::stats::order_free_sum(
            mineral
                .sources
                .iter()
                .map(|&i| self.sources[i].capacity * self.sources[i].access),
        ) + mineral.firm_supply
    }

    /// Calendar year of year index `y`.
    pub fn calendar_year(&self, y: usize) -> i64 {
        self.start_year + y as i64
    }

    /// Whether some mineral trades on a world market.
    pub fn has_market(&self) -> bool {
        self.minerals.iter().any(|m| m.market.is_some())
    }

    /// Index of the mineral with this id.
    pub fn mineral_index(&self, id: &str) -> Option<usize> {
        self.minerals.iter().position(|m| m.id == id)
    }
}

/// What a file of type `kind` is, if it is not something to read a
/// scenario from: regular files and pipes (`<(…)`) are.
fn not_a_file(kind: std::fs::FileType) -> Option<&'static str> {
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return None;
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("a device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    Some("something that is not a regular file")
}
