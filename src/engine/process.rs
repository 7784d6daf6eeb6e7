//! Sampling a disruption process as a list of down intervals
//! (MODEL.md section 3, in its inter-onset form).
//!
//! While a process is up, it goes down at each step with probability
//! `p = 1 - exp(-rate dt)`. The number of whole steps `K` before the next
//! onset is therefore geometric: `P(K >= k) = (1 - p)^k = exp(-k rate dt)`.
//! With `E` a standard exponential draw (`rand_distr::Exp1`),
//! `K = floor(E / (rate dt))` has exactly that law, since
//! `P(floor(E / (rate dt)) >= k) = P(E >= k rate dt) = exp(-k rate dt)`.
//! One draw per onset replaces one Bernoulli draw per step. (The engine
//! multiplies by a precomputed `1 / (rate dt)` instead of dividing.)

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

/// How a process draws the number of steps a disruption lasts.
#[derive(Debug, Clone, Copy)]
enum StepsDraw<'s> {
    /// Lognormal months. The log of the duration is drawn from
    /// `rand_distr::Normal` (the draw `rand_distr::LogNormal` makes and
    /// exponentiates) and compared with the logs of the half-step
    /// boundaries: `round(months * steps_per_year / 12) >= k + 1` exactly
    /// when `ln(months) >= ln((k + 0.5) * 12 / steps_per_year)`. That gives
    /// the rounded number of steps without an exponential, except beyond
    /// the last boundary kept, where the duration is exponentiated.
    LogNormal {
        log_months: Normal<f64>,
        /// `ln((k + 1.5) * 12 / steps_per_year)` for `k = 0 .. LOG_BOUNDS`.
        bounds: [f64; LOG_BOUNDS],
    },
    /// Any other distribution of months.
    Months(&'s Dist),
}

impl<'s> StepsDraw<'s> {
    fn new(months: &'s Dist, steps_per_year: f64) -> Self {
        if let DistSpec::LogNormal { median, p90 } = *months.spec() {
            let (mu, sigma) = DistSpec::lognormal_params(median, p90);
            if let Ok(log_months) = Normal::new(mu, sigma) {
                let bounds =
                    std::array::from_fn(|k| ((k as f64 + 1.5) * 12.0 / steps_per_year).ln());
                return StepsDraw::LogNormal { log_months, bounds };
            }
        }
        StepsDraw::Months(months)
    }

    /// Draw a duration in steps (at least 1).
    #[inline(always)]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R, steps_per_year: f64) -> i64 {
        match self {
            StepsDraw::LogNormal { log_months, bounds } => {
                let y = log_months.sample(rng);
                // Branch-free count of the boundaries reached.
                let reached: i64 = bounds.iter().map(|&b| i64::from(y >= b)).sum();
                if reached < LOG_BOUNDS as i64 {
                    1 + reached
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
    /// Steps in the horizon.
    steps: usize,
    /// Steps per year, for durations.
    steps_per_year: f64,
}

impl<'s> ProcessPlan<'s> {
    /// The plan of `process` over `steps` steps of `1 / steps_per_year`
    /// years, or `None` if it never goes down: a rate of zero, or one so
    /// small (below about 1e-300 per year) that `1 / (rate dt)` overflows
    /// and no onset could occur in any feasible number of trials.
    pub fn new(process: &'s Process, steps: usize, steps_per_year: usize) -> Option<Self> {
        let rate_dt = process.rate * (1.0 / steps_per_year as f64);
        let inv_rate_dt = 1.0 / rate_dt;
        (rate_dt > 0.0 && inv_rate_dt.is_finite()).then_some(ProcessPlan {
            process,
            duration: StepsDraw::new(&process.duration_months, steps_per_year as f64),
            inv_rate_dt,
            steps,
            steps_per_year: steps_per_year as f64,
        })
    }

    /// Sample the down intervals over the horizon, in order, handing each
    /// to `sink` as soon as it is drawn (no list is built). Per onset the
    /// draws are, in order: the gap, the severity, the duration.
    #[inline(always)]
    pub fn for_each<R: Rng + ?Sized>(&self, rng: &mut R, mut sink: impl FnMut(Interval)) {
        // Signed step arithmetic: conversions from and to f64 are single
        // instructions (steps are far below 2^53).
        let steps = self.steps as i64;
        let mut t = 0i64;
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
