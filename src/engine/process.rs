//! Sampling a disruption process as a list of down intervals
//! (docs/model.md section 3, in its inter-onset form).
//!
//! While a process is up, it goes down at each step with probability
//! `p = 1 - exp(-rate dt)`. The number of whole steps `K` before the next
//! onset is therefore geometric: `P(K >= k) = (1 - p)^k = exp(-k rate dt)`.
//! With `E` a standard exponential draw (`rand_distr::Exp1`),
//! `K = floor(E / (rate dt))` has exactly that law, since
//! `P(floor(E / (rate dt)) >= k) = P(E >= k rate dt) = exp(-k rate dt)`.
//! One draw per onset replaces one Bernoulli draw per step. (The engine
//! multiplies by a precomputed `1 / (rate dt)` instead of dividing.)
//!
//! A process with an `initial` spell (docs/dependence.md) is down from
//! step 0 for its `n` steps with a severity drawn first from its stream;
//! it is up at step `n`, where the same geometric gaps start.

use super::plan::round_to_int;
use crate::dist::{Dist, DistSpec};
use crate::scenario::Process;
use rand::Rng;
use rand_distr::{Distribution, Exp1, Normal};

/// Steps `start .. end` during which a process is down with `severity`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// First down step.
    pub start: usize,
    /// One past the last down step.
    pub end: usize,
    /// Fraction of output lost.
    pub severity: f64,
}

/// Number of steps a disruption of `months` lasts:
/// `max(1, round(months * steps_per_year / 12))`, rounding half away from
/// zero; durations beyond any horizon saturate at `i64::MAX`.
#[inline(always)]
pub fn duration_steps(months: f64, steps_per_year: f64) -> i64 {
    let x = months * steps_per_year / 12.0;
    if x >= 4.0e15 {
        // Beyond any horizon (and beyond exact integer arithmetic); `as`
        // saturates.
        return x as i64;
    }
    // Round half away from zero for x >= 0 without a libm call: the
    // fractional part x - trunc(x) is exact for x < 2^52. Branch-free: the
    // half is a coin toss no predictor can learn.
    let whole = x as i64;
    let rounded = whole + i64::from(x - whole as f64 >= 0.5);
    rounded.max(1)
}

/// Half-step boundaries kept for lognormal durations: enough for 17 steps.
const LOG_BOUNDS: usize = 16;

/// Cells per unit of log-duration in [`LogSteps`]: at least one cell
/// between two boundaries, whose closest pair (`ln(16.5 / 15.5)`) is
/// 0.0625 apart.
const CELLS_PER_LOG: f64 = 20.0;

/// Room for the cells spanning the boundaries (`ln(16.5 / 1.5) * 20`,
/// about 48, plus the cells at either end); a power of two, so that an
/// index can be masked instead of checked.
const CELLS: usize = 64;

/// The number of steps of a lognormal duration, from the log of its
/// months, without an exponential.
///
/// `round(months * steps_per_year / 12) >= k + 1` exactly when
/// `ln(months) >= ln((k + 0.5) * 12 / steps_per_year)`, so the rounded
/// number of steps is one more than the number of these half-step
/// boundaries the log reaches. The boundaries are found by a table instead
/// of one comparison each: the log's *cell* (a monotone function of it,
/// [`LogSteps::cell`]) tells how many boundaries lie in cells below it, all
/// reached, and one comparison decides the one boundary its own cell may
/// hold. Exact by construction, since the cell of a value is computed the
/// same way as the cells of the boundaries.
#[derive(Debug, Clone, Copy)]
struct LogSteps {
    /// `ln((k + 1.5) * 12 / steps_per_year)` for `k = 0 .. LOG_BOUNDS`,
    /// then NaN, which no value reaches (not even `+inf`).
    bounds: [f64; LOG_BOUNDS + 1],
    /// Per cell: the number of boundaries in lower cells.
    reached_below: [u8; CELLS],
}

impl LogSteps {
    /// The table for steps of `1 / steps_per_year` years, or `None` if two
    /// boundaries share a cell (not at any step length: checked, not
    /// assumed).
    fn new(steps_per_year: f64) -> Option<Self> {
        let mut bounds = [f64::NAN; LOG_BOUNDS + 1];
        for (k, b) in bounds.iter_mut().take(LOG_BOUNDS).enumerate() {
            *b = ((k as f64 + 1.5) * 12.0 / steps_per_year).ln();
        }
        let mut table = LogSteps {
            bounds,
            reached_below: [0; CELLS],
        };
        let cells: Vec<usize> = bounds[..LOG_BOUNDS]
            .iter()
            .map(|&b| table.cell(b))
            .collect();
        let distinct = cells.windows(2).all(|w| w[0] < w[1]);
        if !distinct || cells[LOG_BOUNDS - 1] + 1 >= CELLS {
            return None;
        }
        for (i, r) in table.reached_below.iter_mut().enumerate() {
            *r = cells.iter().filter(|&&c| c < i).count() as u8;
        }
        Some(table)
    }

    /// The cell of `y`: `round((y - bounds[0]) * CELLS_PER_LOG)` clamped to
    /// `0 .. CELLS`, monotone in `y`.
    #[inline(always)]
    fn cell(&self, y: f64) -> usize {
        let x = (y - self.bounds[0]) * CELLS_PER_LOG;
        let x = if x > 0.0 { x } else { 0.0 };
        let x = if x < (CELLS - 1) as f64 {
            x
        } else {
            (CELLS - 1) as f64
        };
        round_to_int(x) as usize
    }

    /// The number of boundaries `y` reaches (`0 ..= LOG_BOUNDS`).
    #[inline(always)]
    fn reached(&self, y: f64) -> usize {
        let below = usize::from(self.reached_below[self.cell(y) % CELLS]);
        below + usize::from(y >= self.bounds[below.min(LOG_BOUNDS)])
    }
}

/// How a process draws the number of steps a disruption lasts.
// The table is read at every draw, so it stays inline with the process's
// other constants (a scenario has a few dozen processes), not boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Copy)]
enum StepsDraw<'s> {
    /// Lognormal months. The log of the duration is drawn from
    /// `rand_distr::Normal` (the draw `rand_distr::LogNormal` makes and
    /// exponentiates) and its boundaries counted by [`LogSteps`], except
    /// beyond the last boundary kept, where the duration is exponentiated.
    LogNormal {
        log_months: Normal<f64>,
        steps: LogSteps,
    },
    /// Any other distribution of months.
    Months(&'s Dist),
}

impl<'s> StepsDraw<'s> {
    fn new(months: &'s Dist, steps_per_year: f64) -> Self {
        if let DistSpec::LogNormal { median, p90 } = *months.spec() {
            let (mu, sigma) = DistSpec::lognormal_params(median, p90);
            if let (Ok(log_months), Some(steps)) =
                (Normal::new(mu, sigma), LogSteps::new(steps_per_year))
            {
                return StepsDraw::LogNormal { log_months, steps };
            }
        }
        StepsDraw::Months(months)
    }

    /// Draw a duration in steps (at least 1).
    #[inline(always)]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R, steps_per_year: f64) -> i64 {
        match self {
            StepsDraw::LogNormal { log_months, steps } => {
                let y = log_months.sample(rng);
                let reached = steps.reached(y);
                if reached < LOG_BOUNDS {
                    1 + reached as i64
                } else {
                    duration_steps(y.exp(), steps_per_year)
                }
            }
            StepsDraw::Months(d) => duration_steps(d.sample(rng), steps_per_year),
        }
    }
}

/// A disruption process ready to sample over a run's horizon.
#[derive(Debug, Clone, Copy)]
pub struct ProcessPlan<'s> {
    /// Severity and duration distributions.
    process: &'s Process,
    /// How durations in steps are drawn.
    duration: StepsDraw<'s>,
    /// `1 / (rate dt)`: a standard exponential draw times this is the
    /// (fractional) number of steps to the next onset.
    inv_rate_dt: f64,
    /// Whether onsets can occur (a process with only an initial spell
    /// has none).
    onsets: bool,
    /// The initial spell's severity and number of steps, if any.
    initial: Option<(&'s Dist, i64)>,
    /// Steps in the horizon.
    steps: usize,
    /// Steps per year, for durations.
    steps_per_year: f64,
}

impl<'s> ProcessPlan<'s> {
    /// The plan of `process` over `steps` steps of `1 / steps_per_year`
    /// years, or `None` if it never goes down: no initial spell, and a
    /// rate of zero or one so small (below about 1e-300 per year) that
    /// `1 / (rate dt)` overflows and no onset could occur in any feasible
    /// number of trials.
    pub fn new(process: &'s Process, steps: usize, steps_per_year: usize) -> Option<Self> {
        let rate_dt = process.rate * (1.0 / steps_per_year as f64);
        let inv_rate_dt = 1.0 / rate_dt;
        let onsets = rate_dt > 0.0 && inv_rate_dt.is_finite();
        let spy = steps_per_year as f64;
        let initial = process
            .initial
            .as_ref()
            .map(|i| (&i.severity, duration_steps(i.months, spy)));
        (onsets || initial.is_some()).then_some(ProcessPlan {
            process,
            duration: StepsDraw::new(&process.duration_months, spy),
            inv_rate_dt,
            onsets,
            initial,
            steps,
            steps_per_year: spy,
        })
    }

    /// Sample the down intervals over the horizon, in order, handing each
    /// to `sink` as soon as it is drawn (no list is built). The initial
    /// spell's severity is drawn first; then per onset, in order: the gap,
    /// the severity, the duration.
    #[inline(always)]
    pub fn for_each<R: Rng + ?Sized>(&self, rng: &mut R, mut sink: impl FnMut(Interval)) {
        // Signed step arithmetic: conversions from and to f64 are single
        // instructions (steps are far below 2^53).
        let steps = self.steps as i64;
        let mut t = 0i64;
        if let Some((severity, n)) = self.initial {
            t = n.min(steps);
            sink(Interval {
                start: 0,
                end: t as usize,
                severity: severity.sample(rng),
            });
            if !self.onsets {
                return;
            }
        }
        while t < steps {
            let e: f64 = Exp1.sample(rng);
            // floor(gap) >= remaining exactly when gap >= remaining.
            let gap = e * self.inv_rate_dt;
            if gap >= (steps - t) as f64 {
                break;
            }
            // gap < remaining: truncation is the floor and cannot overflow.
            let start = t + gap as i64;
            let severity = self.process.severity.sample(rng);
            let n = self.duration.sample(rng, self.steps_per_year);
            let end = start.saturating_add(n).min(steps);
            sink(Interval {
                start: start as usize,
                end: end as usize,
                severity,
            });
            t = end;
        }
    }

    /// Append the down intervals over the horizon to `out`.
    #[inline]
    pub fn sample_into<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut Vec<Interval>) {
        self.for_each(rng, |iv| out.push(iv));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Dist, DistSpec};
    use crate::rng::StreamRng;
    use rand::SeedableRng;

    fn process(rate: f64, severity: f64, months: f64) -> Process {
        Process {
            rate,
            severity: Dist::fixed(severity),
            duration_months: Dist::new(DistSpec::Fixed { value: months }).unwrap(),
            initial: None,
        }
    }

    #[test]
    fn duration_rounds_half_away_from_zero_with_a_floor_of_one() {
        assert_eq!(duration_steps(1.5, 12.0), 2);
        assert_eq!(duration_steps(2.5, 12.0), 3);
        assert_eq!(duration_steps(0.4, 12.0), 1);
        assert_eq!(duration_steps(0.0, 12.0), 1);
        assert_eq!(duration_steps(4.5, 4.0), 2); // 1.5 steps -> 2
        assert_eq!(duration_steps(3.0, 2.0), 1); // 0.5 steps -> 1
        assert_eq!(duration_steps(9.0, 2.0), 2); // 1.5 steps -> 2
        assert_eq!(duration_steps(1e300, 12.0), i64::MAX);
        // Agrees with f64::round on a sweep of values.
        for i in 0..10_000 {
            let m = i as f64 * 0.0137;
            assert_eq!(
                duration_steps(m, 12.0),
                (m * 12.0 / 12.0).round().max(1.0) as i64,
                "{m}"
            );
        }
    }

    #[test]
    fn lognormal_steps_without_exp_equal_rounding_the_drawn_duration() {
        // Same stream, two ways: rand_distr's LogNormal then rounding, and
        // the log compared with half-step boundaries (with the exp beyond
        // them): the same steps for every draw, at three step lengths.
        let months = Dist::new(DistSpec::LogNormal {
            median: 2.0,
            p90: 6.0,
        })
        .unwrap();
        for spy in [4.0, 12.0, 52.0] {
            let draw = StepsDraw::new(&months, spy);
            assert!(matches!(draw, StepsDraw::LogNormal { .. }));
            let mut a = StreamRng::seed_from_u64(spy as u64);
            let mut b = a.clone();
            let mut long = 0;
            for _ in 0..200_000 {
                let expected = duration_steps(months.sample(&mut a), spy);
                assert_eq!(draw.sample(&mut b, spy), expected, "{spy}");
                long += i64::from(expected > LOG_BOUNDS as i64);
            }
            // Both branches were taken.
            assert!(long > 0, "{spy}");
        }
    }

    #[test]
    fn log_steps_count_the_boundaries_reached_exactly() {
        // Every value at and beside each boundary, and a sweep across all
        // of them, gives the count the boundaries' own comparisons give;
        // at every step length from 1 to 400 per year.
        for spy in 1..=400 {
            let table = LogSteps::new(spy as f64).expect("two boundaries share a cell");
            let bounds = &table.bounds[..LOG_BOUNDS];
            let count = |y: f64| bounds.iter().filter(|&&b| y >= b).count();
            // The floats just below and above `b` (never 0 or infinite).
            let beside = |b: f64| {
                let step = |towards: f64| {
                    if b == 0.0 {
                        towards * f64::from_bits(1)
                    } else if (towards > 0.0) == (b > 0.0) {
                        f64::from_bits(b.to_bits() + 1)
                    } else {
                        f64::from_bits(b.to_bits() - 1)
                    }
                };
                [step(-1.0), b, step(1.0)]
            };
            let sweep = (0..4000).map(|i| bounds[0] - 1.0 + i as f64 * 0.001);
            let extremes = [f64::NEG_INFINITY, -1e300, 1e300, f64::INFINITY];
            for y in bounds
                .iter()
                .flat_map(|&b| beside(b))
                .chain(sweep)
                .chain(extremes)
            {
                assert_eq!(table.reached(y), count(y), "spy {spy}, y {y}");
            }
        }
    }

    #[test]
    fn processes_that_cannot_go_down_have_no_plan() {
        assert!(ProcessPlan::new(&process(0.0, 0.5, 1.0), 120, 12).is_none());
        // 1 / (rate dt) overflows: no onset in any feasible run.
        assert!(ProcessPlan::new(&process(1e-310, 0.5, 1.0), 120, 12).is_none());
        assert!(ProcessPlan::new(&process(1e-300, 0.5, 1.0), 120, 12).is_some());
    }

    #[test]
    fn intervals_are_ordered_disjoint_and_inside_the_horizon() {
        let p = process(3.0, 0.4, 2.0);
        let plan = ProcessPlan::new(&p, 120, 12).unwrap();
        let mut rng = StreamRng::seed_from_u64(3);
        let mut out = Vec::new();
        for _ in 0..2000 {
            out.clear();
            plan.sample_into(&mut rng, &mut out);
            let mut last_end = 0;
            for iv in &out {
                assert!(iv.start >= last_end && iv.start < iv.end && iv.end <= 120);
                assert!(iv.end - iv.start == 2 || iv.end == 120);
                last_end = iv.end;
            }
        }
    }

    #[test]
    fn first_onset_step_is_geometric() {
        // P(first onset at step 0) = p = 1 - exp(-rate dt); checked within
        // 4.5 binomial standard errors over 200,000 sequences.
        let rate: f64 = 0.9;
        let dt = 1.0 / 12.0;
        let p = 1.0 - (-rate * dt).exp();
        let proc_ = process(rate, 1.0, 1.0);
        let plan = ProcessPlan::new(&proc_, 120, 12).unwrap();
        let mut rng = StreamRng::seed_from_u64(11);
        let n = 200_000;
        let mut at0 = 0;
        let mut at1 = 0;
        let mut out = Vec::new();
        for _ in 0..n {
            out.clear();
            plan.sample_into(&mut rng, &mut out);
            match out.first().map(|iv| iv.start) {
                Some(0) => at0 += 1,
                Some(1) => at1 += 1,
                _ => {}
            }
        }
        for (count, expected) in [(at0, p), (at1, (1.0 - p) * p)] {
            let f = count as f64 / n as f64;
            let se = (expected * (1.0 - expected) / n as f64).sqrt();
            assert!((f - expected).abs() < 4.5 * se, "{f} vs {expected}");
        }
    }
}
