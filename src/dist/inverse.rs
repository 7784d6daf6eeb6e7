//! Inverse cumulative distribution functions, for designs that transform
//! uniform points (a Sobol sequence) into draws. The beta and lognormal
//! quantiles come from `statrs`; none is written by hand.

use super::{Dist, DistSpec};
use statrs::distribution::{Beta, ContinuousCDF, LogNormal};

/// Largest `a + b` of a Beta whose quantiles [`Dist::inverse_cdf`] is
/// asked for: `statrs`'s inverse Beta CDF can fail to return for shapes a
/// few million strong (for some means and points); none failed up to 10^6
/// in a scan of means from 10^-6 to 1 - 10^-6 over the design's whole
/// range of points, nor up to this limit for means from 10^-12 to
/// 1 - 10^-12. A Beta this narrow is all but a fixed value.
pub const MAX_QUANTILE_SHAPES: f64 = 1e5;

impl Dist {
    /// `a + b` of a Beta when it exceeds [`MAX_QUANTILE_SHAPES`], so that
    /// its quantiles are not asked for (a PERT's shapes sum to at most 6).
    pub fn shapes_beyond_quantiles(&self) -> Option<f64> {
        match *self.spec() {
            DistSpec::Beta { mean, sd } => {
                let (a, b) = DistSpec::beta_shapes(mean, sd);
                (a + b > MAX_QUANTILE_SHAPES).then_some(a + b)
            }
            _ => None,
        }
    }

    /// The value below which a share `u` of draws lies, for `u` in
    /// `(0, 1)` (clamped into the support at 0 and 1).
    pub fn inverse_cdf(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match *self.spec() {
            DistSpec::Fixed { value } => value,
            DistSpec::Uniform { min, max } => min + u * (max - min),
            DistSpec::Triangular { min, mode, max } => {
                let range = max - min;
                let left = (mode - min) / range;
                if u <= left {
                    min + (u * range * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - u) * range * (max - mode)).sqrt()
                }
            }
            DistSpec::Pert { min, mode, max } => {
                let range = max - min;
                let v = 1.0 + 4.0 * (mode - min) / range;
                let w = 1.0 + 4.0 * (max - mode) / range;
                min + range * beta_quantile(v, w, u)
            }
            DistSpec::Beta { mean, sd } => {
                let (a, b) = DistSpec::beta_shapes(mean, sd);
                beta_quantile(a, b, u)
            }
            DistSpec::LogNormal { median, p90 } => {
                let (mu, sigma) = DistSpec::lognormal_params(median, p90);
                match LogNormal::new(mu, sigma) {
                    Ok(d) if u > 0.0 && u < 1.0 => d.inverse_cdf(u),
                    _ if u >= 1.0 => f64::INFINITY,
                    _ => 0.0,
                }
            }
            DistSpec::Exponential { mean } => -mean * (-u).ln_1p(),
        }
    }
}

/// Quantile `u` of a Beta(a, b) on [0, 1].
fn beta_quantile(a: f64, b: f64, u: f64) -> f64 {
    if u <= 0.0 {
        return 0.0;
    }
    if u >= 1.0 {
        return 1.0;
    }
    Beta::new(a, b).map_or(f64::NAN, |d| d.inverse_cdf(u))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b}");
    }

    #[test]
    fn quantiles_match_known_values() {
        let d = |s| Dist::new(s).unwrap();
        close(
            d(DistSpec::Uniform { min: 2.0, max: 4.0 }).inverse_cdf(0.25),
            2.5,
            1e-12,
        );
        let t = d(DistSpec::Triangular {
            min: 0.0,
            mode: 1.0,
            max: 2.0,
        });
        close(t.inverse_cdf(0.5), 1.0, 1e-12);
        close(t.inverse_cdf(0.125), 0.5, 1e-12);
        let l = d(DistSpec::LogNormal {
            median: 2.0,
            p90: 5.0,
        });
        close(l.inverse_cdf(0.5), 2.0, 1e-9);
        close(l.inverse_cdf(0.9), 5.0, 1e-7);
        let e = d(DistSpec::Exponential { mean: 3.0 });
        close(e.inverse_cdf(1.0 - (-1.0f64).exp()), 3.0, 1e-12);
        // Beta(2, 2) (mean 0.5, sd sqrt(0.05)) is symmetric.
        let b = d(DistSpec::Beta {
            mean: 0.5,
            sd: 0.05f64.sqrt(),
        });
        close(b.inverse_cdf(0.5), 0.5, 1e-9);
        close(b.inverse_cdf(0.15625), 0.25, 1e-8); // cdf(x) = 3x^2 - 2x^3
        let p = d(DistSpec::Pert {
            min: 0.0,
            mode: 5.0,
            max: 10.0,
        });
        close(p.inverse_cdf(0.5), 5.0, 1e-9);
    }

    /// At the largest shapes a study accepts, the Beta quantiles over the
    /// design's whole range of points ([2^-25, 1 - 2^-25]) return, lie in
    /// [0, 1] and never decrease; one past the limit is refused.
    #[test]
    fn beta_quantiles_at_the_largest_accepted_shapes() {
        let edge = 0.5 / f64::from(1u32 << 24);
        let points: Vec<f64> = (0..=256)
            .map(|i| edge + (1.0 - 2.0 * edge) * f64::from(i) / 256.0)
            .chain([0.5 - edge, 0.5 + edge])
            .collect();
        for mean in [0.5, 0.1, 0.99, 1e-3] {
            // a + b = MAX_QUANTILE_SHAPES - 1 (as near the limit as
            // rounding allows).
            let sd = (mean * (1.0 - mean) / MAX_QUANTILE_SHAPES).sqrt();
            let d = Dist::new(DistSpec::Beta { mean, sd }).unwrap();
            assert_eq!(d.shapes_beyond_quantiles(), None, "mean {mean}");
            let mut q: Vec<f64> = points.iter().map(|&u| d.inverse_cdf(u)).collect();
            assert!(q.iter().all(|x| (0.0..=1.0).contains(x)), "{q:?}");
            q.pop();
            q.pop();
            assert!(q.windows(2).all(|w| w[0] <= w[1]), "mean {mean}: {q:?}");
            let narrower = Dist::new(DistSpec::Beta {
                mean,
                sd: sd * 0.99,
            })
            .unwrap();
            assert!(narrower.shapes_beyond_quantiles().is_some(), "mean {mean}");
        }
    }
}
