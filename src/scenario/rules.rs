//! The limits of a scenario file: the range of every number, the length
//! and characters of every text. The model sets the lower bounds; the upper
//! bounds are this program's, chosen far beyond any real analysis so that
//! every accepted scenario keeps every derived quantity (yearly demand,
//! horizon totals, shares, squares of sums) finite. docs/limits.md lists
//! them.

use crate::error::num;

/// Largest amount: demand base, source capacity, stockpile amounts and
/// flows, in units or units per year.
pub const MAX_AMOUNT: f64 = 1e15;
/// Largest trend demand in any year, `base (1 + growth)^y`, units per year.
pub const MAX_TREND_DEMAND: f64 = 1e15;
/// Largest lognormal demand noise per year.
pub const MAX_SIGMA: f64 = 10.0;

/// Smallest `start_year`.
pub const MIN_START_YEAR: i64 = -10_000;
/// Largest `start_year`.
pub const MAX_START_YEAR: i64 = 10_000;
/// Largest number of years (a guard against absurd allocations).
pub const MAX_YEARS: i64 = 1000;
/// Largest number of steps per year (docs/model.md).
pub const MAX_STEPS_PER_YEAR: i64 = 366;
/// Largest number of trials a file may ask for (as `run --trials` accepts).
pub const MAX_FILE_TRIALS: i64 = crate::commands::MAX_TRIALS as i64;

/// Longest id (minerals, sources, events), in characters.
pub const MAX_ID_CHARS: usize = 64;
/// Longest scenario name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
/// Longest unit, in characters.
pub const MAX_UNIT_CHARS: usize = 40;
/// Longest country code, in characters.
pub const MAX_COUNTRY_CHARS: usize = 32;

/// An interval of allowed numbers; NaN is never inside.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    lo: f64,
    lo_open: bool,
    hi: f64,
    hi_open: bool,
    /// Whether `hi` is a limit supplyrisk adds (docs/limits.md) above a
    /// range the model leaves open.
    hi_limit: bool,
}

impl Range {
    /// `lo <= x <= hi`
    pub const fn closed(lo: f64, hi: f64) -> Range {
        Range {
            lo,
            lo_open: false,
            hi,
            hi_open: false,
            hi_limit: false,
        }
    }

    /// `lo < x <= hi`
    pub const fn open_closed(lo: f64, hi: f64) -> Range {
        Range {
            lo,
            lo_open: true,
            hi,
            hi_open: false,
            hi_limit: false,
        }
    }

    /// `lo <= x < hi`
    pub const fn closed_open(lo: f64, hi: f64) -> Range {
        Range {
            lo,
            lo_open: false,
            hi,
            hi_open: true,
            hi_limit: false,
        }
    }

    /// `lo <= x`, any finite number: for keys the model leaves open above
    /// and whose every finite value the engine handles exactly (a rate, a
    /// duration, a ramp).
    pub const fn at_least(lo: f64) -> Range {
        Range::closed(lo, f64::MAX).limited()
    }

    /// The same range, its upper end marked as a limit supplyrisk adds
    /// where the model sets none.
    pub const fn limited(self) -> Range {
        Range {
            hi_limit: true,
            ..self
        }
    }

    /// Whether the upper end is a limit supplyrisk adds where the model
    /// sets none.
    pub fn upper_is_limit(self) -> bool {
        self.hi_limit
    }

    /// `(lo, lo_open, hi, hi_open)`.
    pub fn bounds(self) -> (f64, bool, f64, bool) {
        (self.lo, self.lo_open, self.hi, self.hi_open)
    }

    /// Whether `x` is inside.
    pub fn holds(self, x: f64) -> bool {
        let above = if self.lo_open {
            x > self.lo
        } else {
            x >= self.lo
        };
        let below = if self.hi_open {
            x < self.hi
        } else {
            x <= self.hi
        };
        above && below
    }

    /// "a number from 0 to 1e15", "a number with 0 < x <= 1".
    pub fn describe(self) -> String {
        let (lo, hi) = (num(self.lo), num(self.hi));
        if self.hi == f64::MAX && !self.hi_open {
            let (op, lo) = if self.lo == f64::MIN {
                return "a finite number".to_string();
            } else if self.lo_open {
                (">", lo)
            } else {
                (">=", lo)
            };
            return format!("a finite number {op} {lo}");
        }
        match (self.lo_open, self.hi_open) {
            (false, false) => format!("a number from {lo} to {hi}"),
            (true, false) => format!("a number with {lo} < x <= {hi}"),
            (false, true) => format!("a number with {lo} <= x < {hi}"),
            (true, true) => format!("a number with {lo} < x < {hi}"),
        }
    }
}

/// Capacities, stockpile amounts and flows.
pub const AMOUNT: Range = Range::closed(0.0, MAX_AMOUNT).limited();
/// `demand.base`
pub const BASE: Range = Range::open_closed(0.0, MAX_AMOUNT).limited();
/// `demand.growth`
/// (above, only the trend demand's limit, [`MAX_TREND_DEMAND`])
pub const GROWTH: Range = Range::open_closed(-1.0, f64::MAX).limited();
/// `demand.sigma`
pub const SIGMA: Range = Range::closed(0.0, MAX_SIGMA).limited();
/// `shortfall_threshold`
pub const THRESHOLD: Range = Range::closed_open(0.0, 1.0);
/// `access`, `success_probability`
pub const POSITIVE_FRACTION: Range = Range::open_closed(0.0, 1.0);
/// `exposure`
pub const FRACTION: Range = Range::closed(0.0, 1.0);
/// `rate`
pub const RATE: Range = Range::at_least(0.0);
/// `ramp_years`
pub const RAMP_YEARS: Range = Range::at_least(0.0);
/// The parameters of a duration or delay distribution, in months, and
/// `initial.months`: a spell beyond the horizon lasts to its end.
pub const MONTHS: Range = Range::at_least(0.0);
/// `offtake`
pub const OFFTAKE: Range = Range::closed(0.0, 1.0);
/// A demand's or project's `loading` on a factor.
pub const LOADING: Range = Range::closed(-1.0, 1.0);
/// Largest price multiple a market may allow (`max_price`).
pub const MAX_PRICE_MULTIPLE: f64 = 1e12;
/// Largest reference price, currency per unit.
pub const MAX_REFERENCE_PRICE: f64 = 1e15;
/// `market.reference_price`
pub const PRICE: Range = Range::open_closed(0.0, MAX_REFERENCE_PRICE).limited();
/// `market.demand_elasticity`
pub const ELASTICITY: Range = Range {
    lo: -1.0,
    lo_open: true,
    hi: 0.0,
    hi_open: true,
    hi_limit: false,
};
/// `market.max_price`
pub const MAX_PRICE: Range = Range::open_closed(1.0, MAX_PRICE_MULTIPLE).limited();
/// `market.min_price`
pub const MIN_PRICE: Range = Range {
    lo: 0.0,
    lo_open: true,
    hi: 1.0,
    hi_open: true,
    hi_limit: false,
};
/// `market.spike_threshold`, a stockpile's `release_price`
pub const ABOVE_ONE: Range = Range::open_closed(1.0, MAX_PRICE_MULTIPLE).limited();
/// A stockpile's `refill_price`
pub const REFILL_PRICE: Range = Range::open_closed(0.0, 1.0);
/// Distribution parameters before their own rules: any finite number.
pub const FINITE: Range = Range::closed(f64::MIN, f64::MAX);

/// `online_year`: any year, however far before the start (online
/// throughout) or after its end (never online within the horizon).
pub const ONLINE_YEAR: Range = FINITE;

/// What a free text allows: its longest length, and whether line breaks
/// and tabs are allowed (every other control character never is).
#[derive(Debug, Clone, Copy)]
pub struct TextRule {
    /// What it is, for messages: "a name".
    pub what: &'static str,
    /// Least number of characters.
    pub min_chars: usize,
    /// Largest number of characters.
    pub max_chars: usize,
    /// Whether `\n`, `\r` and `\t` are allowed.
    pub line_breaks: bool,
}

/// `scenario.name`
pub const NAME: TextRule = TextRule {
    what: "a name",
    min_chars: 0,
    max_chars: MAX_NAME_CHARS,
    line_breaks: false,
};
/// `scenario.description`
pub const DESCRIPTION: TextRule = TextRule {
    what: "a description",
    min_chars: 0,
    max_chars: MAX_DESCRIPTION_CHARS,
    line_breaks: true,
};
/// `mineral.unit`
pub const UNIT: TextRule = TextRule {
    what: "a unit such as \"kt\"",
    min_chars: 1,
    max_chars: MAX_UNIT_CHARS,
    line_breaks: false,
};
/// `market.currency`
pub const CURRENCY: TextRule = TextRule {
    what: "a currency label such as \"USD million\"",
    min_chars: 1,
    max_chars: MAX_UNIT_CHARS,
    line_breaks: false,
};
/// `source.country`
pub const COUNTRY: TextRule = TextRule {
    what: "a country code such as \"CL\"",
    min_chars: 1,
    max_chars: MAX_COUNTRY_CHARS,
    line_breaks: false,
};

impl TextRule {
    /// Whether `text` is allowed.
    pub fn holds(self, text: &str) -> bool {
        let allowed =
            |c: char| !c.is_control() || (self.line_breaks && matches!(c, '\n' | '\r' | '\t'));
        let n = text.chars().count();
        n >= self.min_chars && n <= self.max_chars && text.chars().all(allowed)
    }

    /// "a name of at most 200 characters without control characters".
    pub fn describe(self) -> String {
        let length = if self.min_chars == 0 {
            format!("at most {}", self.max_chars)
        } else {
            format!("{} to {}", self.min_chars, self.max_chars)
        };
        let controls = if self.line_breaks {
            "without control characters other than line breaks and tabs"
        } else {
            "without control characters"
        };
        format!("{} of {length} characters {controls}", self.what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_hold_and_describe_their_bounds() {
        assert!(AMOUNT.holds(0.0) && AMOUNT.holds(1e15) && !AMOUNT.holds(1.0000001e15));
        assert!(!AMOUNT.holds(f64::NAN) && !AMOUNT.holds(f64::INFINITY));
        assert!(!BASE.holds(0.0) && BASE.holds(1e-300));
        assert!(!GROWTH.holds(-1.0) && GROWTH.holds(1.5) && GROWTH.holds(f64::MAX));
        assert!(RATE.holds(f64::MAX) && !RATE.holds(f64::INFINITY) && !RATE.holds(-1e-300));
        assert!(!THRESHOLD.holds(1.0));
        assert!(FINITE.holds(f64::MAX) && !FINITE.holds(f64::NEG_INFINITY));
        assert_eq!(AMOUNT.describe(), "a number from 0 to 1e15");
        assert_eq!(POSITIVE_FRACTION.describe(), "a number with 0 < x <= 1");
        assert_eq!(THRESHOLD.describe(), "a number with 0 <= x < 1");
        assert_eq!(RATE.describe(), "a finite number >= 0");
        assert_eq!(GROWTH.describe(), "a finite number > -1");
        assert_eq!(ONLINE_YEAR.describe(), "a finite number");
    }

    #[test]
    fn texts_have_a_length_and_no_control_characters() {
        assert!(NAME.holds("") && NAME.holds(&"é".repeat(200)) && !NAME.holds(&"e".repeat(201)));
        assert!(!NAME.holds("a\u{1b}[31mb") && !NAME.holds("a\nb"));
        assert!(DESCRIPTION.holds("two\nlines\twith a tab") && !DESCRIPTION.holds("\u{7}"));
        assert!(!COUNTRY.holds("") && COUNTRY.holds("CL"));
        assert_eq!(
            COUNTRY.describe(),
            "a country code such as \"CL\" of 1 to 32 characters without control characters"
        );
    }
}
