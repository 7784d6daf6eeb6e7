//! Sample moments and quantiles against closed forms. With n = 400,000
//! draws the standard error of the sample mean is sd / sqrt(n); every
//! check allows 4.5 standard errors, so each fails by chance with
//! probability below 1e-5 and, with fixed seeds, never flakes.
use super::*;
use crate::rng::StreamRng;
use rand::SeedableRng;

const N: usize = 400_000;
const Z_TOL: f64 = 4.5;

fn draws(spec: DistSpec, seed: u64) -> Vec<f64> {
    let d = Dist::new(spec).expect("valid spec");
    // The engine's own generator.
    let mut rng = StreamRng::seed_from_u64(seed);
    (0..N).map(|_| d.sample(&mut rng)).collect()
}

/// Checks the sample mean and variance against the spec's closed forms.
/// The variance's standard error is estimated from the fourth central
/// moment: se(s^2) ~ sqrt((m4 - s^4) / n).
fn check_moments(spec: DistSpec, seed: u64) {
    let x = draws(spec, seed);
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let m4 = x.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n;
    let (lo, hi) = spec.support();
    assert!(
        x.iter().all(|v| *v >= lo && *v <= hi),
        "{spec:?}: draw outside support"
    );
    let se_mean = (spec.variance() / n).sqrt();
    assert!(
        (mean - spec.mean()).abs() <= Z_TOL * se_mean,
        "{spec:?}: mean {mean} vs {} (se {se_mean})",
        spec.mean()
    );
    let se_var = ((m4 - var * var) / n).sqrt();
    assert!(
        (var - spec.variance()).abs() <= Z_TOL * se_var,
        "{spec:?}: variance {var} vs {} (se {se_var})",
        spec.variance()
    );
}

/// Checks that the empirical CDF at `x` matches `p` within 4.5 binomial
/// standard errors.
fn check_quantile(spec: DistSpec, seed: u64, x: f64, p: f64) {
    let d = draws(spec, seed);
    let frac = d.iter().filter(|v| **v <= x).count() as f64 / d.len() as f64;
    let se = (p * (1.0 - p) / d.len() as f64).sqrt();
    assert!(
        (frac - p).abs() <= Z_TOL * se,
        "{spec:?}: P(X <= {x}) = {frac}, expected {p}"
    );
}

#[test]
fn fixed_always_gives_its_value() {
    let x = draws(DistSpec::Fixed { value: 0.37 }, 1);
    assert!(x.iter().all(|v| *v == 0.37));
}

#[test]
fn uniform_moments_and_median() {
    let s = DistSpec::Uniform { min: 0.3, max: 0.9 };
    check_moments(s, 2);
    check_quantile(s, 3, 0.6, 0.5);
}

#[test]
fn triangular_moments_and_cdf_at_mode() {
    let s = DistSpec::Triangular {
        min: 0.0,
        mode: 6.0,
        max: 36.0,
    };
    check_moments(s, 4);
    // F(mode) = (mode - min) / (max - min)
    check_quantile(s, 5, 6.0, 6.0 / 36.0);
}

#[test]
fn pert_moments() {
    check_moments(
        DistSpec::Pert {
            min: 0.1,
            mode: 0.3,
            max: 0.9,
        },
        6,
    );
    // Symmetric PERT: median equals the mode.
    check_quantile(
        DistSpec::Pert {
            min: 0.0,
            mode: 0.5,
            max: 1.0,
        },
        7,
        0.5,
        0.5,
    );
}

#[test]
fn beta_moments_for_both_samplers() {
    // Shapes >= 1: gamma-ratio sampler.
    let wide = DistSpec::Beta {
        mean: 0.3,
        sd: 0.15,
    };
    let (a, b) = DistSpec::beta_shapes(0.3, 0.15);
    assert!(a >= 1.0 && b >= 1.0);
    check_moments(wide, 8);
    // A shape below 1: rand_distr's own Beta.
    let skewed = DistSpec::Beta { mean: 0.1, sd: 0.2 };
    let (a, _) = DistSpec::beta_shapes(0.1, 0.2);
    assert!(a < 1.0);
    check_moments(skewed, 9);
}

#[test]
fn lognormal_median_p90_and_moments() {
    let s = DistSpec::LogNormal {
        median: 2.0,
        p90: 6.0,
    };
    check_quantile(s, 10, 2.0, 0.5);
    check_quantile(s, 11, 6.0, 0.9);
    check_moments(
        DistSpec::LogNormal {
            median: 2.0,
            p90: 3.0,
        },
        12,
    );
}

#[test]
fn exponential_moments_and_median() {
    let s = DistSpec::Exponential { mean: 12.0 };
    check_moments(s, 13);
    check_quantile(s, 14, 12.0 * std::f64::consts::LN_2, 0.5);
}

#[test]
fn impossible_parameters_are_refused() {
    let bad = [
        DistSpec::Uniform { min: 2.0, max: 1.0 },
        DistSpec::Triangular {
            min: 1.0,
            mode: 1.0,
            max: 1.0,
        },
        DistSpec::Triangular {
            min: 0.0,
            mode: 2.0,
            max: 1.0,
        },
        DistSpec::Pert {
            min: 0.0,
            mode: -1.0,
            max: 1.0,
        },
        DistSpec::Beta { mean: 1.0, sd: 0.1 },
        DistSpec::Beta { mean: 0.5, sd: 0.0 },
        DistSpec::Beta { mean: 0.5, sd: 0.5 },
        DistSpec::LogNormal {
            median: 2.0,
            p90: 2.0,
        },
        DistSpec::LogNormal {
            median: 0.0,
            p90: 2.0,
        },
        DistSpec::Exponential { mean: 0.0 },
        DistSpec::Fixed { value: f64::NAN },
        DistSpec::Uniform {
            min: 0.0,
            max: f64::INFINITY,
        },
        // Finite parameters whose derived values are not.
        DistSpec::Beta {
            mean: 0.5,
            sd: 1e-160,
        },
        DistSpec::Beta {
            mean: 0.5,
            sd: 9e-7,
        },
        DistSpec::Uniform {
            min: -1e308,
            max: 1e308,
        },
        DistSpec::Triangular {
            min: -1e308,
            mode: 0.0,
            max: 1e308,
        },
        DistSpec::Pert {
            min: -1e308,
            mode: 0.0,
            max: 1e308,
        },
        DistSpec::LogNormal {
            median: 1e-300,
            p90: 1e300,
        },
        DistSpec::Exponential { mean: 1e-310 },
    ];
    for spec in bad {
        assert!(Dist::new(spec).is_err(), "{spec:?} should be refused");
    }
}

#[test]
fn the_narrowest_beta_accepted_samples_finite_values_with_its_mean() {
    let s = DistSpec::Beta {
        mean: 0.5,
        sd: BETA_MIN_SD,
    };
    let (a, b) = DistSpec::beta_shapes(0.5, BETA_MIN_SD);
    assert!(a.is_finite() && b.is_finite() && a < 3e11);
    let x = draws(s, 15);
    assert!(
        x.iter().all(|v| (v - 0.5).abs() < 1e-4),
        "draws near the mean"
    );
}
