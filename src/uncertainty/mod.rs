//! Parameter uncertainty: a Saltelli design over the `[[uncertain]]`
//! parameters of a scenario, and the spread and Sobol indices of each
//! result across parameter sets (docs/model.md, parameter uncertainty).
//!
//! [`design`] draws the parameter sets; [`spread`] and [`sobol`] work on
//! plain numbers (one metric's value per run), so they can be checked on
//! test functions with known indices.

pub mod charts;
pub mod lead;
pub mod output;

use crate::dist::Dist;
use crate::rng::StreamRng;
use crate::stats::quantile;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

/// Bootstrap resamples for the intervals of the indices.
pub const BOOTSTRAP: usize = 1000;
/// Most base sets: the Sobol sequence gives at most 2^16 points.
pub const MAX_SAMPLES: usize = 1 << 16;
/// Most uncertain parameters: the sequence has `2k` dimensions.
pub const MAX_PARAMS: usize = (sobol_burley::NUM_DIMENSIONS / 2) as usize;

/// Which matrix of the design a run belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matrix {
    /// Base matrix A.
    A,
    /// Base matrix B.
    B,
    /// `AB_i`: A with column `i` (from 0) taken from B.
    AB(usize),
}

impl std::fmt::Display for Matrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Matrix::A => write!(f, "A"),
            Matrix::B => write!(f, "B"),
            Matrix::AB(i) => write!(f, "AB{}", i + 1),
        }
    }
}

/// The runs of a Saltelli design: `N (k + 2)` parameter sets.
#[derive(Debug, Clone)]
pub struct Design {
    /// Base sets `N`.
    pub samples: usize,
    /// Parameters `k`.
    pub params: usize,
    /// Every run: its matrix, row and parameter values, in the order A,
    /// B, AB1, …, ABk, each by row.
    pub runs: Vec<(Matrix, usize, Vec<f64>)>,
}

/// The Saltelli design for `dists` with `n` base sets: A and B from the
/// first and last `k` dimensions of a scrambled Sobol sequence (scrambled
/// by `seed`), each point moved to the centre of its cell of width 2^-24
/// (so never 0 or 1) and transformed by the inverse CDFs.
pub fn design(dists: &[Dist], n: usize, seed: u64) -> Design {
    design_with(dists.len(), n, seed, |j, u| dists[j].inverse_cdf(u))
}

/// [`design`] for `k` parameters whose values at a point `u` of the unit
/// interval are `value(j, u)` for parameter `j`.
pub fn design_with(k: usize, n: usize, seed: u64, value: impl Fn(usize, f64) -> f64) -> Design {
    let scramble = (crate::rng::mix64(seed) >> 32) as u32;
    let point = |row: usize, dim: usize| {
        let u = sobol_burley::sample(row as u32, dim as u32, scramble);
        f64::from(u) + 0.5 / f64::from(1u32 << 24)
    };
    let a: Vec<Vec<f64>> = (0..n)
        .map(|r| (0..k).map(|j| value(j, point(r, j))).collect())
        .collect();
    let b: Vec<Vec<f64>> = (0..n)
        .map(|r| (0..k).map(|j| value(j, point(r, k + j))).collect())
        .collect();
    let mut runs = Vec::with_capacity(n * (k + 2));
    runs.extend(a.iter().enumerate().map(|(r, x)| (Matrix::A, r, x.clone())));
    runs.extend(b.iter().enumerate().map(|(r, x)| (Matrix::B, r, x.clone())));
    for i in 0..k {
        for r in 0..n {
            let mut x = a[r].clone();
            x[i] = b[r][i];
            runs.push((Matrix::AB(i), r, x));
        }
    }
    Design {
        samples: n,
        params: k,
        runs,
    }
}

/// Spread of a metric over the `2N` runs of A and B.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// [`Spread`] of `values` (linear interpolation between order statistics).
pub fn spread(values: &[f64]) -> Spread {
    Spread {
        mean: values.iter().sum::<f64>() / values.len().max(1) as f64,
        p5: quantile(values, 0.05),
        p50: quantile(values, 0.5),
        p95: quantile(values, 0.95),
    }
}

/// First-order and total indices of one parameter, with 95% bootstrap
/// intervals; `None` where the variance is 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Indices {
    /// First-order index (Saltelli 2010).
    pub first: Option<f64>,
    /// Its 2.5th percentile over bootstrap resamples.
    pub first_lo: Option<f64>,
    /// Its 97.5th percentile.
    pub first_hi: Option<f64>,
    /// Total index (Jansen 1999).
    pub total: Option<f64>,
    /// Its 2.5th percentile.
    pub total_lo: Option<f64>,
    /// Its 97.5th percentile.
    pub total_hi: Option<f64>,
}

/// One metric's values: `a[r]`, `b[r]`, `ab[i][r]`.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// f(A), by row.
    pub a: Vec<f64>,
    /// f(B), by row.
    pub b: Vec<f64>,
    /// f(AB_i), by parameter then row.
    pub ab: Vec<Vec<f64>>,
}

impl Outputs {
    /// A metric's values from `f(run)` over the runs of a design with `n`
    /// base sets and `k` parameters, in the design's order (A, B, AB1, …,
    /// ABk, each by row).
    pub fn from_runs(n: usize, k: usize, f: impl Fn(usize) -> f64) -> Outputs {
        Outputs {
            a: (0..n).map(&f).collect(),
            b: (n..2 * n).map(&f).collect(),
            ab: (0..k)
                .map(|i| ((2 + i) * n..(3 + i) * n).map(&f).collect())
                .collect(),
        }
    }
}

/// Centre and population variance of f(A) ++ f(B) over `rows`; the
/// variance is exactly 0 when every value is the same (rounding in the
/// centre would otherwise leave a tiny positive one).
fn centre_var(o: &Outputs, rows: &[usize]) -> (f64, f64) {
    let n2 = 2.0 * rows.len() as f64;
    let first = rows.first().map_or(0.0, |&r| o.a[r]);
    if rows.iter().all(|&r| o.a[r] == first && o.b[r] == first) {
        return (first, 0.0);
    }
    let c = rows.iter().map(|&r| o.a[r] + o.b[r]).sum::<f64>() / n2;
    let v = rows
        .iter()
        .map(|&r| (o.a[r] - c).powi(2) + (o.b[r] - c).powi(2))
        .sum::<f64>()
        / n2;
    (c, v)
}

/// `(S_i, ST_i)` of every parameter over `rows`, `None` when V = 0.
fn estimate(o: &Outputs, rows: &[usize]) -> Option<Vec<(f64, f64)>> {
    let (c, v) = centre_var(o, rows);
    if v.is_nan() || v <= 0.0 {
        return None;
    }
    let n = rows.len() as f64;
    Some(
        o.ab.iter()
            .map(|ab| {
                let mut s = 0.0;
                let mut t = 0.0;
                for &r in rows {
                    let (fa, fb, fab) = (o.a[r] - c, o.b[r] - c, ab[r] - c);
                    s += fb * (fab - fa);
                    t += (fa - fab).powi(2);
                }
                (s / n / v, t / n / (2.0 * v))
            })
            .collect(),
    )
}

/// Sobol indices of every parameter, with intervals from [`BOOTSTRAP`]
/// resamples of the rows drawn with a generator seeded by `seed`.
pub fn sobol(o: &Outputs, seed: u64) -> Vec<Indices> {
    let n = o.a.len();
    let all: Vec<usize> = (0..n).collect();
    let k = o.ab.len();
    let Some(point) = estimate(o, &all) else {
        return vec![
            Indices {
                first: None,
                first_lo: None,
                first_hi: None,
                total: None,
                total_lo: None,
                total_hi: None,
            };
            k
        ];
    };
    let mut rng = StreamRng::seed_from_u64(seed ^ 0x5eed_b007_57a9_0000);
    let mut firsts = vec![Vec::with_capacity(BOOTSTRAP); k];
    let mut totals = vec![Vec::with_capacity(BOOTSTRAP); k];
    let mut rows = vec![0; n];
    for _ in 0..BOOTSTRAP {
        for r in rows.iter_mut() {
            *r = rng.random_range(0..n);
        }
        if let Some(est) = estimate(o, &rows) {
            for (i, (s, t)) in est.into_iter().enumerate() {
                firsts[i].push(s);
                totals[i].push(t);
            }
        }
    }
    let ci = |v: &[f64], q: f64| {
        (!v.is_empty())
            .then(|| quantile(v, q))
            .filter(|x| x.is_finite())
    };
    let finite = |x: f64| Some(x).filter(|x| x.is_finite());
    point
        .into_iter()
        .enumerate()
        .map(|(i, (s, t))| Indices {
            first: finite(s),
            first_lo: ci(&firsts[i], 0.025),
            first_hi: ci(&firsts[i], 0.975),
            total: finite(t),
            total_lo: ci(&totals[i], 0.025),
            total_hi: ci(&totals[i], 0.975),
        })
        .collect()
}

/// Share of the variance of f(A) ++ f(B) that is Monte Carlo noise: the
/// mean of the runs' squared standard errors over V; `None` when V = 0.
pub fn noise_share(o: &Outputs, se_a: &[f64], se_b: &[f64]) -> Option<f64> {
    let all: Vec<usize> = (0..o.a.len()).collect();
    let (_, v) = centre_var(o, &all);
    if v.is_nan() || v <= 0.0 {
        return None;
    }
    let n2 = (se_a.len() + se_b.len()) as f64;
    Some(se_a.iter().chain(se_b).map(|s| s * s).sum::<f64>() / n2 / v)
}
