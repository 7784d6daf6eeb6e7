//! What a change of the supply base does year by year: the paired change
//! of each year's expected unserved amount and, on a world market, of the
//! year's mean price multiple and expected cost, with standard errors from
//! paired batch means.
//!
//! A run keeps no per-trial values by year (that would cost 8 bytes per
//! trial, year, mineral and series), but two runs of the same trials have
//! the same chunks of [`crate::engine::CHUNK_TRIALS`] trials, and each
//! chunk's mean is kept. The chunk means of the per-trial differences are
//! independent batches: their spread gives the standard error of the
//! change, with `C - 1` degrees of freedom for `C` chunks.

use crate::engine::{MineralAcc, YearMeans};
use crate::summary::MineralSummary;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// One year's paired changes, alternative minus baseline. In JSON, a
/// standard error that cannot be estimated is null; the market keys are
/// there only for a mineral on a world market in both runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearChange {
    /// Calendar year.
    pub year: i64,
    /// Change of the year's expected unserved amount (`eud`).
    pub eud: f64,
    /// Its standard error (`None` with fewer than two chunks).
    pub eud_se: Option<f64>,
    /// Change of the year's mean price multiple (`price_mean`; world
    /// markets).
    pub price_mean: Option<f64>,
    /// Its standard error.
    pub price_mean_se: Option<f64>,
    /// Change of the year's expected cost (`cost`; world markets).
    pub cost: Option<f64>,
    /// Its standard error.
    pub cost_se: Option<f64>,
}

impl Serialize for YearChange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("year", &self.year)?;
        m.serialize_entry("eud", &self.eud)?;
        m.serialize_entry("eud_se", &self.eud_se)?;
        for (key, value, se) in [
            ("price_mean", self.price_mean, self.price_mean_se),
            ("cost", self.cost, self.cost_se),
        ] {
            if let Some(v) = value {
                m.serialize_entry(key, &v)?;
                m.serialize_entry(&format!("{key}_se"), &se)?;
            }
        }
        m.end()
    }
}

/// Standard error of the mean of paired differences from batch means:
/// `base` and `alt` hold the same chunks' `(trials, mean)`. With `d_c` the
/// difference of chunk `c`'s means, `n_c` its trials, `N` all trials and
/// `d = Σ n_c d_c / N`, `sqrt(Σ n_c (d_c - d)^2 / ((C - 1) N))`: since
/// `d_c` has variance `σ² / n_c`, the sum has expectation `(C - 1) σ²`
/// whatever the chunks' sizes (the last is usually short); for chunks of
/// equal size it is the sample standard deviation of the `d_c` over
/// `sqrt(C)`. `None` with fewer than two chunks or chunks that do not
/// match.
pub fn batch_se(base: &[(u64, f64)], alt: &[(u64, f64)]) -> Option<f64> {
    let c = base.len();
    if c < 2 || alt.len() != c || base.iter().zip(alt).any(|(b, a)| b.0 != a.0) {
        return None;
    }
    let n: f64 = base.iter().map(|b| b.0 as f64).sum();
    let d = |(b, a): (&(u64, f64), &(u64, f64))| (b.0 as f64, a.1 - b.1);
    let mean = base.iter().zip(alt).map(d).map(|(w, x)| w * x).sum::<f64>() / n;
    let ss: f64 = base
        .iter()
        .zip(alt)
        .map(d)
        .map(|(w, x)| w * (x - mean).powi(2))
        .sum();
    Some((ss / ((c - 1) as f64 * n)).sqrt())
}

/// Half-width of the two-sided 95% interval of a change estimated from
/// `chunks` batches: `t(0.975, chunks - 1)` standard errors.
pub fn t95(chunks: usize) -> f64 {
    t_quantile(chunks, 0.975)
}

/// Degrees of freedom from which [`t_quantile`] uses the expansion of the
/// t quantile about the normal one: `statrs`'s quantile agrees with it to
/// about 1e-11 at 10^4 but drifts beyond (1e-4 off at 8 * 10^5, a run of
/// 8 * 10^8 trials), where the expansion's error, of order `z^7 / dof^3`,
/// is about 1e-10 at most (at 10^4, for the 4-standard-error quantile of a
/// thousand-year horizon's Bonferroni intervals).
const T_EXPANSION_DOF: f64 = 1e4;

/// The `p` quantile of Student's t with `chunks - 1` degrees of freedom.
fn t_quantile(chunks: usize, p: f64) -> f64 {
    let dof = chunks.saturating_sub(1).max(1) as f64;
    if dof < T_EXPANSION_DOF {
        return StudentsT::new(0.0, 1.0, dof).map_or(f64::NAN, |t| t.inverse_cdf(p));
    }
    // Abramowitz and Stegun 26.7.5, to the term in 1 / dof^2.
    let z = Normal::standard().inverse_cdf(p);
    let (z3, z5) = (z.powi(3), z.powi(5));
    z + (z3 + z) / (4.0 * dof) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * dof * dof)
}

/// One series of a mineral's chunk means, year `y`.
fn series(b: &[YearMeans], y: usize, f: fn(&YearMeans) -> &Vec<f64>) -> Vec<(u64, f64)> {
    b.iter()
        .map(|m| (m.n, f(m).get(y).copied().unwrap_or(0.0)))
        .collect()
}

/// The year-by-year changes of one mineral: the changes of the reported
/// means (`base_sum`, `alt_sum`), with standard errors from the runs' chunk
/// means (`base`, `alt`; empty when not kept: no standard errors).
pub fn year_changes(
    base_sum: &MineralSummary,
    alt_sum: &MineralSummary,
    base: &MineralAcc,
    alt: &MineralAcc,
) -> Vec<YearChange> {
    let (b, a) = (&base.batches, &alt.batches);
    let se =
        |y: usize, f: fn(&YearMeans) -> &Vec<f64>| batch_se(&series(b, y, f), &series(a, y, f));
    let market = base_sum.currency.is_some() && alt_sum.currency.is_some();
    base_sum
        .years
        .iter()
        .zip(&alt_sum.years)
        .enumerate()
        .map(|(y, (by, ay))| {
            let change = |f: fn(&crate::summary::YearSummary) -> Option<f64>| {
                if market {
                    Some(f(ay)? - f(by)?)
                } else {
                    None
                }
            };
            let (price_mean, cost) = (change(|s| s.price_mean), change(|s| s.cost));
            YearChange {
                year: by.year,
                eud: ay.eud - by.eud,
                eud_se: se(y, |m| &m.unserved),
                price_mean,
                price_mean_se: price_mean.and_then(|_| se(y, |m| &m.price)),
                cost,
                cost_se: cost.and_then(|_| se(y, |m| &m.cost)),
            }
        })
        .collect()
}

/// Years as runs: `2026–2029, 2031`.
fn year_runs(years: &[i64]) -> String {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for &y in years {
        match runs.last_mut() {
            Some(r) if r.1 + 1 == y => r.1 = y,
            _ => runs.push((y, y)),
        }
    }
    let run = |&(a, b): &(i64, i64)| {
        if a == b {
            a.to_string()
        } else {
            format!("{a}–{b}")
        }
    };
    runs.iter().map(run).collect::<Vec<_>>().join(", ")
}

/// Where a series of changes is clearly above and below 0 (its 95%
/// interval, `z` standard errors each side, excludes 0), in words:
/// `"higher in 2026–2029 (most in 2027, by 1.3 points)"`, ….
fn when(
    changes: &[(i64, f64, Option<f64>)],
    z: f64,
    amount: &dyn Fn(f64) -> String,
) -> Vec<String> {
    let mut words = Vec::new();
    for (word, sign) in [("higher", 1.0), ("lower", -1.0)] {
        let clear: Vec<&(i64, f64, Option<f64>)> = changes
            .iter()
            .filter(|(_, v, se)| se.is_some_and(|se| sign * v - z * se > 0.0))
            .collect();
        let Some(most) = clear
            .iter()
            .max_by(|a, b| (sign * a.1).total_cmp(&(sign * b.1)))
        else {
            continue;
        };
        let years: Vec<i64> = clear.iter().map(|c| c.0).collect();
        words.push(format!(
            "{word} in {} (most in {}, by {})",
            year_runs(&years),
            most.0,
            amount(most.1.abs())
        ));
    }
    words
}

/// One finding per mineral the alternative changes: the years in which
/// its expected unserved amount and, on a world market, its yearly
/// average price are clearly higher or lower than the baseline's, at 95%
/// for all the years together.
pub fn timing_findings(c: &crate::compare::Comparison) -> Vec<String> {
    // 95% for all the years of the horizon at once (Bonferroni): with
    // a year's own 95% interval, one year in twenty would be named where
    // nothing changes.
    let years = c
        .minerals
        .0
        .first()
        .map_or(1, |(_, m)| m.by_year.len().max(1));
    let z = t_quantile(
        crate::engine::chunk_count(c.trials) as usize,
        1.0 - 0.025 / years as f64,
    );
    c.minerals
        .0
        .iter()
        .filter_map(|(id, mc)| {
            let eud: Vec<_> = mc.by_year.iter().map(|y| (y.year, y.eud, y.eud_se)).collect();
            let unit = &mc.unit;
            let amount = |v: f64| format!("{} {unit}", crate::output::fmt_digits(v, 3));
            let mut parts = Vec::new();
            let eud_words = when(&eud, z, &amount);
            if !eud_words.is_empty() {
                let what = unserved_words(mc.delta.cost_total.is_some());
                parts.push(format!("expected {what} is {}", eud_words.join(" and ")));
            }
            let price: Vec<_> = mc
                .by_year
                .iter()
                .filter_map(|y| Some((y.year, y.price_mean?, y.price_mean_se)))
                .collect();
            let points = |v: f64| {
                format!(
                    "{} points of the reference price",
                    crate::output::fmt_digits(100.0 * v, 2)
                )
            };
            let price_words = when(&price, z, &points);
            if !price_words.is_empty() {
                parts.push(format!("the yearly average price is {}", price_words.join(" and ")));
            }
            (!parts.is_empty()).then(|| {
                format!(
                    "{id}, year by year against the baseline: {}. A year is named where its change is clear at 95% for all {years} years together (Bonferroni; standard errors from paired chunk means).",
                    parts.join("; ")
                )
            })
        })
        .collect()
}

/// What a mineral's unserved amount is called: on a world market, demand
/// priced out or rationed.
pub fn unserved_words(market: bool) -> &'static str {
    if market {
        "demand priced out or rationed"
    } else {
        "unserved demand"
    }
}

/// The same of one mineral, `id`: "copper demand priced out or rationed"
/// on a world market, else "unserved copper".
pub fn unserved_of(id: &str, market: bool) -> String {
    if market {
        format!("{id} demand priced out or rationed")
    } else {
        format!("unserved {id}")
    }
}

/// Whether a mineral's changes by year are anything but 0.
pub fn changes_anything(by_year: &[YearChange]) -> bool {
    let nonzero = |v: Option<f64>| v.is_some_and(|v| v != 0.0);
    by_year
        .iter()
        .any(|y| y.eud != 0.0 || nonzero(y.price_mean) || nonzero(y.cost))
}

/// Per mineral the alternative changes, its changes year by year as a
/// report table: each with its standard error from paired chunk means
/// (none for a run of one chunk).
pub fn year_tables(c: &crate::compare::Comparison) -> Vec<crate::report::Table> {
    use crate::output::{fmt_pm, fmt_sig};
    let pm = |v: f64, se: Option<f64>| se.map_or_else(|| fmt_sig(v), |se| fmt_pm(v, se));
    c.minerals
        .0
        .iter()
        .filter(|(_, mc)| changes_anything(&mc.by_year))
        .map(|(id, mc)| {
            let money = c.baseline.minerals.get(id).and_then(|m| m.currency.clone());
            let market = mc.delta.cost_total.is_some();
            let unserved = unserved_words(market);
            let mut header = vec!["year".to_string(), format!("{unserved}, {}", mc.unit)];
            if market {
                header.push("price, points of the reference".into());
                header.push(format!("cost, {}", money.unwrap_or_default()));
            }
            let rows = mc
                .by_year
                .iter()
                .map(|y| {
                    let mut row = vec![y.year.to_string(), pm(y.eud, y.eud_se)];
                    if market {
                        let points = |v: Option<f64>| v.map(|v| 100.0 * v);
                        row.push(pm(points(y.price_mean).unwrap_or(0.0), points(y.price_mean_se)));
                        row.push(pm(y.cost.unwrap_or(0.0), y.cost_se));
                    }
                    row
                })
                .collect();
            crate::report::Table {
                caption: format!(
                    "{id}: changes by year, alternative minus baseline (± standard error from paired chunk means; change_{}.png)",
                    crate::plot::file_safe(id)
                ),
                header,
                rows,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_se_of_equal_chunks_is_the_spread_of_their_differences() {
        // Differences 1, 2, 3, 6: mean 3, sample variance 14/3; se over 2.
        let base = [(10, 0.0), (10, 1.0), (10, 2.0), (10, 3.0)];
        let alt = [(10, 1.0), (10, 3.0), (10, 5.0), (10, 9.0)];
        let se = batch_se(&base, &alt).unwrap();
        assert!((se - (14.0f64 / 3.0 / 4.0).sqrt()).abs() < 1e-15, "{se}");
        // Identical runs: exactly 0; too few or mismatched chunks: none.
        assert_eq!(batch_se(&base, &base), Some(0.0));
        assert_eq!(batch_se(&base[..1], &alt[..1]), None);
        assert_eq!(batch_se(&base, &alt[..3]), None);
        let other = [(10, 1.0), (10, 3.0), (10, 5.0), (9, 9.0)];
        assert_eq!(batch_se(&base, &other), None);
    }

    #[test]
    fn years_are_written_as_runs_and_clear_changes_found_by_sign() {
        assert_eq!(
            year_runs(&[2026, 2027, 2028, 2030, 2032, 2033]),
            "2026–2028, 2030, 2032–2033"
        );
        let changes = [
            (2026, 1.0, Some(0.1)),
            (2027, 0.1, Some(0.1)),
            (2028, -2.0, Some(0.5)),
            (2029, -3.0, Some(0.5)),
            (2030, -1.0, None),
        ];
        let words = when(&changes, 1.96, &|v| format!("{v}"));
        assert_eq!(
            words,
            vec![
                "higher in 2026 (most in 2026, by 1)",
                "lower in 2028–2029 (most in 2029, by 3)"
            ]
        );
    }

    #[test]
    fn batch_se_is_unbiased_with_a_short_last_chunk() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, StandardNormal};
        // Per-trial differences with variance 1 in chunks of 1024, 1024
        // and 6 trials: the mean of se^2 over many runs must be 1 / N.
        // With 2 degrees of freedom se^2 scatters by its own size, so the
        // mean of 4,000 runs by 1/sqrt(4000) = 1.6%: 5 of those.
        let sizes = [1024u64, 1024, 6];
        let n: u64 = sizes.iter().sum();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(11);
        let runs = 4_000;
        let mut sum = 0.0;
        for _ in 0..runs {
            let alt: Vec<(u64, f64)> = sizes
                .iter()
                .map(|&k| {
                    let s: f64 = (0..k)
                        .map(|_| -> f64 { StandardNormal.sample(&mut rng) })
                        .sum();
                    (k, s / k as f64)
                })
                .collect();
            let base: Vec<(u64, f64)> = sizes.iter().map(|&k| (k, 0.0)).collect();
            sum += batch_se(&base, &alt).unwrap().powi(2);
        }
        let ratio = sum / runs as f64 * n as f64;
        assert!((ratio - 1.0).abs() < 5.0 / (runs as f64).sqrt(), "{ratio}");
    }

    #[test]
    fn t95_approaches_the_normal_quantile() {
        assert!((t95(2) - 12.706204736).abs() < 1e-6);
        assert!((t95(31) - 2.042272456).abs() < 1e-6);
        assert!((t95(100_000) - 1.959963985).abs() < 1e-3);
    }

    /// On both sides of the switch to the expansion the quantile agrees
    /// with `statrs`'s to 1e-10 (it is continuous there), and at a run of
    /// 10^9 trials (976,563 chunks) it is the normal quantile plus
    /// `(z^3 + z) / (4 dof)` to within the next term (3e-12 there), where
    /// `statrs`'s is 1e-4 off.
    #[test]
    fn t_quantiles_of_many_chunks_follow_the_expansion() {
        let statrs = |dof: f64, p: f64| StudentsT::new(0.0, 1.0, dof).unwrap().inverse_cdf(p);
        for p in [0.975, 1.0 - 0.025 / 10.0, 1.0 - 0.025 / 1000.0] {
            for dof in [
                T_EXPANSION_DOF - 1.0,
                T_EXPANSION_DOF,
                T_EXPANSION_DOF + 1.0,
            ] {
                let q = t_quantile(dof as usize + 1, p);
                assert!((q / statrs(dof, p) - 1.0).abs() < 1e-10, "{dof} {p}");
            }
        }
        let dof = 976_562.0;
        let z = Normal::standard().inverse_cdf(0.975);
        let first = z + (z.powi(3) + z) / (4.0 * dof);
        assert!((t95(976_563) - first).abs() < 1e-11);
    }
}
