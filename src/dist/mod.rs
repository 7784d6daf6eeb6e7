//! Validated probability distributions (docs/model.md section 9).
//!
//! A [`Dist`] is built once, at load time, from checked parameters; after
//! that, sampling cannot fail. Every sampler comes from `rand_distr` (or
//! `rand::distr::Uniform`, which `rand_distr` re-exports); none is written
//! by hand.

use rand::Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma, LogNormal, Pert, Triangular, Uniform};

/// The z-score of the 90th percentile of the standard normal, used to turn
/// a lognormal's `p90` into its `sigma` (docs/model.md section 9).
pub const Z90: f64 = 1.2815515655446004;

/// Smallest `sd` of a `beta`: its shape parameters then stay finite.
pub const BETA_MIN_SD: f64 = 1e-6;

/// Smallest `mean` of an `exponential`: its rate, `1 / mean`, then stays finite.
pub const EXPONENTIAL_MIN_MEAN: f64 = 1e-300;

/// The parameters of a distribution as the scenario file gives them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DistSpec {
    /// Always `value`.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular on `[min, max]` with the given mode.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Beta-PERT (shape 4) on `[min, max]` with the given mode.
    Pert {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Beta on `[0, 1]` given by its mean and standard deviation.
    Beta {
        /// Mean, in (0, 1).
        mean: f64,
        /// Standard deviation, with `sd^2 < mean (1 - mean)`.
        sd: f64,
    },
    /// Lognormal given by its median and 90th percentile.
    LogNormal {
        /// Median (`exp(mu)`).
        median: f64,
        /// 90th percentile.
        p90: f64,
    },
    /// Exponential given by its mean.
    Exponential {
        /// Mean (`1 / lambda`).
        mean: f64,
    },
}

impl DistSpec {
    /// The name used for `dist = "…"` in scenario files.
    pub fn kind(&self) -> &'static str {
        match self {
            DistSpec::Fixed { .. } => "fixed",
            DistSpec::Uniform { .. } => "uniform",
            DistSpec::Triangular { .. } => "triangular",
            DistSpec::Pert { .. } => "pert",
            DistSpec::Beta { .. } => "beta",
            DistSpec::LogNormal { .. } => "lognormal",
            DistSpec::Exponential { .. } => "exponential",
        }
    }

    /// The two Beta shape parameters `(alpha, beta)` of a `beta` spec given
    /// by mean and sd: `k = mean (1 - mean) / sd^2 - 1`, `alpha = mean k`,
    /// `beta = (1 - mean) k`.
    pub fn beta_shapes(mean: f64, sd: f64) -> (f64, f64) {
        let k = mean * (1.0 - mean) / (sd * sd) - 1.0;
        (mean * k, (1.0 - mean) * k)
    }

    /// `(mu, sigma)` of the underlying normal of a `lognormal` spec.
    pub fn lognormal_params(median: f64, p90: f64) -> (f64, f64) {
        (median.ln(), (p90 / median).ln() / Z90)
    }

    /// The exact mean of the distribution.
    pub fn mean(&self) -> f64 {
        match *self {
            DistSpec::Fixed { value } => value,
            DistSpec::Uniform { min, max } => 0.5 * (min + max),
            DistSpec::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            DistSpec::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            DistSpec::Beta { mean, .. } => mean,
            DistSpec::LogNormal { median, p90 } => {
                let (mu, sigma) = Self::lognormal_params(median, p90);
                (mu + 0.5 * sigma * sigma).exp()
            }
            DistSpec::Exponential { mean } => mean,
        }
    }

    /// The exact variance of the distribution.
    pub fn variance(&self) -> f64 {
        match *self {
            DistSpec::Fixed { .. } => 0.0,
            DistSpec::Uniform { min, max } => (max - min).powi(2) / 12.0,
            DistSpec::Triangular { min, mode, max } => {
                (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0
            }
            DistSpec::Pert { min, max, .. } => {
                let mu = self.mean();
                (mu - min) * (max - mu) / 7.0
            }
            DistSpec::Beta { sd, .. } => sd * sd,
            DistSpec::LogNormal { median, p90 } => {
                let (mu, sigma) = Self::lognormal_params(median, p90);
                let s2 = sigma * sigma;
                (s2.exp() - 1.0) * (2.0 * mu + s2).exp()
            }
            DistSpec::Exponential { mean } => mean * mean,
        }
    }

    /// Smallest and largest value the distribution can produce.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            DistSpec::Fixed { value } => (value, value),
            DistSpec::Uniform { min, max }
            | DistSpec::Triangular { min, max, .. }
            | DistSpec::Pert { min, max, .. } => (min, max),
            DistSpec::Beta { .. } => (0.0, 1.0),
            DistSpec::LogNormal { .. } | DistSpec::Exponential { .. } => (0.0, f64::INFINITY),
        }
    }
}

/// Why a set of distribution parameters was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistError(pub String);

/// Sampler for a Beta: for shapes of at least 1 the ratio `X / (X + Y)`
/// of two `rand_distr::Gamma` draws (several times faster than
/// `rand_distr::Beta`: see the criterion figures in BENCHMARKS.md); for
/// smaller shapes, where the gamma draws can underflow, `rand_distr::Beta`
/// itself.
#[derive(Debug, Clone, Copy)]
enum BetaSampler {
    GammaRatio(Gamma<f64>, Gamma<f64>),
    Direct(Beta<f64>),
}

impl BetaSampler {
    // Kept out of line, with the two gamma draws in a loop: the loop body
    // is then the only place `Gamma::sample` is called, and the compiler
    // inlines it (and the normal and uniform draws inside it) there. Called
    // from two places, or from every place a Beta is drawn, it stays a
    // call of its own: about 4% of a realistic trial.
    #[inline(never)]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            BetaSampler::GammaRatio(x, y) => {
                let mut g = [0.0f64; 2];
                for (v, d) in g.iter_mut().zip([x, y]) {
                    *v = d.sample(rng);
                }
                g[0] / (g[0] + g[1])
            }
            BetaSampler::Direct(d) => d.sample(rng),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Sampler {
    Fixed(f64),
    Uniform(Uniform<f64>),
    Triangular(Triangular<f64>),
    /// Beta-PERT: a Beta on [0, 1] scaled to `[min, min + range]`.
    Pert(BetaSampler, f64, f64),
    Beta(BetaSampler),
    LogNormal(LogNormal<f64>),
    Exponential(Exp<f64>),
}

/// A validated distribution, ready to sample.
#[derive(Debug, Clone, Copy)]
pub struct Dist {
    spec: DistSpec,
    sampler: Sampler,
}

impl Dist {
    /// A distribution that always gives `value`.
    pub fn fixed(value: f64) -> Dist {
        Dist {
            spec: DistSpec::Fixed { value },
            sampler: Sampler::Fixed(value),
        }
    }

    /// Check the parameters (docs/model.md section 9) and build the sampler.
    ///
    /// # Errors
    ///
    /// A [`DistError`] saying which requirement is broken, for example
    /// `min <= mode <= max` or `sd^2 < mean (1 - mean)`.
    pub fn new(spec: DistSpec) -> Result<Dist, DistError> {
        let err = |s: &str| Err(DistError(s.to_string()));
        let finite = match spec {
            DistSpec::Fixed { value } => value.is_finite(),
            DistSpec::Uniform { min, max } => min.is_finite() && max.is_finite(),
            DistSpec::Triangular { min, mode, max } | DistSpec::Pert { min, mode, max } => {
                min.is_finite() && mode.is_finite() && max.is_finite()
            }
            DistSpec::Beta { mean, sd } => mean.is_finite() && sd.is_finite(),
            DistSpec::LogNormal { median, p90 } => median.is_finite() && p90.is_finite(),
            DistSpec::Exponential { mean } => mean.is_finite(),
        };
        // Every comparison below relies on this: no NaN gets past it.
        if !finite {
            return err("finite parameters");
        }
        let sampler = match spec {
            DistSpec::Fixed { value } => Sampler::Fixed(value),
            DistSpec::Uniform { min, max } => {
                if min > max {
                    return err("min <= max");
                }
                if !(max - min).is_finite() {
                    return err("a finite max - min");
                }
                if min == max {
                    Sampler::Fixed(min)
                } else {
                    match Uniform::new_inclusive(min, max) {
                        Ok(u) => Sampler::Uniform(u),
                        Err(_) => return err("min <= max with a finite range"),
                    }
                }
            }
            DistSpec::Triangular { min, mode, max } => {
                if let Some(rule) = three_point_rule(min, mode, max) {
                    return err(rule);
                }
                match Triangular::new(min, max, mode) {
                    Ok(t) => Sampler::Triangular(t),
                    Err(e) => return err(&e.to_string()),
                }
            }
            DistSpec::Pert { min, mode, max } => {
                if let Some(rule) = three_point_rule(min, mode, max) {
                    return err(rule);
                }
                // Beta-PERT with shape 4 is min + (max - min) Beta(v, w) with
                // v = 1 + 4 (mode - min) / (max - min), w = 1 + 4 (max - mode) / (max - min),
                // both >= 1: drawn as a gamma ratio like `beta`. rand_distr's
                // Pert checks the same parameters.
                if let Err(e) = Pert::new(min, max).with_mode(mode) {
                    return err(&e.to_string());
                }
                let range = max - min;
                let v = 1.0 + 4.0 * (mode - min) / range;
                let w = 1.0 + 4.0 * (max - mode) / range;
                match (Gamma::new(v, 1.0), Gamma::new(w, 1.0)) {
                    (Ok(x), Ok(y)) => Sampler::Pert(BetaSampler::GammaRatio(x, y), min, range),
                    _ => return err("PERT shapes that rand_distr accepts"),
                }
            }
            DistSpec::Beta { mean, sd } => {
                if !(mean > 0.0 && mean < 1.0) {
                    return err("0 < mean < 1");
                }
                if sd <= 0.0 {
                    return err("sd > 0");
                }
                // Below this, sd^2 comes close to underflowing and the
                // shapes to overflowing (at sd = 1e-6 they are at most 2.5e11).
                if sd < BETA_MIN_SD {
                    return err("sd >= 1e-6");
                }
                if sd * sd >= mean * (1.0 - mean) {
                    return err("sd^2 < mean (1 - mean)");
                }
                let (a, b) = DistSpec::beta_shapes(mean, sd);
                if a >= 1.0 && b >= 1.0 {
                    match (Gamma::new(a, 1.0), Gamma::new(b, 1.0)) {
                        (Ok(x), Ok(y)) => Sampler::Beta(BetaSampler::GammaRatio(x, y)),
                        _ => return err("Beta shapes that rand_distr accepts"),
                    }
                } else {
                    match Beta::new(a, b) {
                        Ok(beta) => Sampler::Beta(BetaSampler::Direct(beta)),
                        Err(_) => return err("Beta shapes that rand_distr accepts"),
                    }
                }
            }
            DistSpec::LogNormal { median, p90 } => {
                if !(median > 0.0 && median < p90) {
                    return err("0 < median < p90");
                }
                if !(p90 / median).is_finite() {
                    return err("a finite p90 / median");
                }
                let (mu, sigma) = DistSpec::lognormal_params(median, p90);
                match LogNormal::new(mu, sigma) {
                    Ok(l) => Sampler::LogNormal(l),
                    Err(_) => return err("0 < median < p90"),
                }
            }
            DistSpec::Exponential { mean } => {
                if mean <= 0.0 {
                    return err("mean > 0");
                }
                if mean < EXPONENTIAL_MIN_MEAN {
                    return err("mean >= 1e-300");
                }
                match Exp::new(1.0 / mean) {
                    Ok(e) => Sampler::Exponential(e),
                    Err(_) => return err("mean > 0"),
                }
            }
        };
        Ok(Dist { spec, sampler })
    }

    /// The parameters this distribution was built from.
    pub fn spec(&self) -> &DistSpec {
        &self.spec
    }

    /// Whether the distribution always gives the same value.
    pub fn is_fixed(&self) -> bool {
        matches!(self.sampler, Sampler::Fixed(_))
    }

    /// Draw one value.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.sampler {
            Sampler::Fixed(v) => *v,
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::Triangular(d) => d.sample(rng),
            Sampler::Pert(b, min, range) => min + range * b.sample(rng),
            Sampler::Beta(b) => b.sample(rng),
            Sampler::LogNormal(d) => d.sample(rng),
            Sampler::Exponential(d) => d.sample(rng),
        }
    }
}

/// The rule a `min`, `mode`, `max` triple (triangular, PERT) breaks, if
/// any: `min < max`, `min <= mode <= max`, and a finite `max - min`.
fn three_point_rule(min: f64, mode: f64, max: f64) -> Option<&'static str> {
    if min >= max {
        Some("min < max")
    } else if !(min <= mode && mode <= max) {
        Some("min <= mode <= max")
    } else if !(max - min).is_finite() {
        Some("a finite max - min")
    } else {
        None
    }
}

mod inverse;
pub use inverse::MAX_QUANTILE_SHAPES;

#[cfg(test)]
mod tests;
