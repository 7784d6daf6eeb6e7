//! Sampling a disruption process as a list of down intervals
//! (MODEL.md section 3, in its inter-onset form).
//!
//! While a process is up, it goes down at each step with probability
//! `p = 1 - exp(-rate dt)`. The number of whole steps `K` before the next
//! onset is therefore geometric: `P(K >= k) = (1 - p)^k = exp(-k rate dt)`.
//! With `E` a standard exponential draw (`rand_distr::Exp1`),
//! `K = floor(E / (rate dt))` has exactly that law, since
//! `P(floor(E / (rate dt)) >= k) = P(E >= k rate dt) = exp(-k rate dt)`.
//! One draw per onset replaces one Bernoulli draw per step.

use crate::scenario::Process;
use rand::Rng;
use rand_distr::{Distribution, Exp1};

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
/// zero, as a float so that huge durations cannot overflow.
#[inline]
pub fn duration_steps(months: f64, steps_per_year: f64) -> f64 {
    let x = months * steps_per_year / 12.0;
    if x >= 4.0e15 {
        // Beyond any horizon (and beyond exact integer arithmetic).
        return x;
    }
    // Round half away from zero for x >= 0 without a libm call: the
    // fractional part x - trunc(x) is exact for x < 2^52.
    // Branch-free: the half is a coin toss no predictor can learn.
    let whole = x as i64 as f64;
    let rounded = whole + f64::from(u8::from(x - whole >= 0.5));
    rounded.max(1.0)
}

/// Append the down intervals of `process` over `steps` steps to `out`.
/// `rate_dt` is `rate * dt`; a process with `rate_dt == 0` never goes down.
pub fn sample_intervals<R: Rng + ?Sized>(
    process: &Process,
    rate_dt: f64,
    steps: usize,
    steps_per_year: f64,
    rng: &mut R,
    out: &mut Vec<Interval>,
) {
    for_each_interval(process, rate_dt, steps, steps_per_year, rng, |iv| {
        out.push(iv)
    });
}

/// Sample the down intervals of `process` over `steps` steps, in order,
/// handing each to `sink` as soon as it is drawn (no list is built).
/// `rate_dt` is `rate * dt`; a process with `rate_dt == 0` never goes down.
/// Per onset the draws are, in order: the gap, the severity, the duration.
#[inline(always)]
pub fn for_each_interval<R: Rng + ?Sized>(
    process: &Process,
    rate_dt: f64,
    steps: usize,
    steps_per_year: f64,
    rng: &mut R,
    mut sink: impl FnMut(Interval),
) {
    if rate_dt <= 0.0 {
        return;
    }
    let mut t = 0usize;
    while t < steps {
        let e: f64 = Exp1.sample(rng);
        // floor of a non-negative value; `as` saturates on huge values.
        let gap = (e / rate_dt) as u64 as f64;
        if gap >= (steps - t) as f64 {
            break;
        }
        let start = t + gap as usize;
        let severity = process.severity.sample(rng);
        let n = duration_steps(process.duration_months.sample(rng), steps_per_year);
        let end = if n >= (steps - start) as f64 {
            steps
        } else {
            start + n as usize
        };
        sink(Interval {
            start,
            end,
            severity,
        });
        t = end;
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
        assert_eq!(duration_steps(1.5, 12.0), 2.0);
        assert_eq!(duration_steps(2.5, 12.0), 3.0);
        assert_eq!(duration_steps(0.4, 12.0), 1.0);
        assert_eq!(duration_steps(0.0, 12.0), 1.0);
        assert_eq!(duration_steps(4.5, 4.0), 2.0); // 1.5 steps -> 2
        assert_eq!(duration_steps(3.0, 2.0), 1.0); // 0.5 steps -> 1
        assert_eq!(duration_steps(9.0, 2.0), 2.0); // 1.5 steps -> 2
        assert_eq!(duration_steps(1e300, 12.0), 1e300);
        // Agrees with f64::round on a sweep of values.
        for i in 0..10_000 {
            let m = i as f64 * 0.0137;
            assert_eq!(
                duration_steps(m, 12.0),
                (m * 12.0 / 12.0).round().max(1.0),
                "{m}"
            );
        }
    }

    #[test]
    fn intervals_are_ordered_disjoint_and_inside_the_horizon() {
        let p = process(3.0, 0.4, 2.0);
        let mut rng = StreamRng::seed_from_u64(3);
        let mut out = Vec::new();
        for _ in 0..2000 {
            out.clear();
            sample_intervals(&p, 3.0 / 12.0, 120, 12.0, &mut rng, &mut out);
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
        let mut rng = StreamRng::seed_from_u64(11);
        let n = 200_000;
        let mut at0 = 0;
        let mut at1 = 0;
        let mut out = Vec::new();
        for _ in 0..n {
            out.clear();
            sample_intervals(&proc_, rate * dt, 120, 12.0, &mut rng, &mut out);
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
