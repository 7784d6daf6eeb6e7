//! What a change of the supply base buys: paired comparisons with common
//! random numbers, risk reduction, and equivalent firm supply.
//!
//! Two scenarios run with the same seed see the same random history for
//! every entity they share (streams are keyed by entity id), so the
//! difference of a metric is estimated trial by trial. Its standard error
//! is that of the per-trial differences — far smaller than the unpaired
//! `sqrt(se_a^2 + se_b^2)` when the scenarios share most of their sources.

use crate::engine::{self, Aggregate, MineralAcc};
use crate::error::{InputError, Result};
use crate::scenario::Scenario;
use crate::summary::{OrderedMap, Summary};
use serde::Serialize;

/// A difference `alternative - baseline` and its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// Mean of the per-trial differences.
    pub delta: f64,
    /// Standard deviation of the per-trial differences over `sqrt(N)`.
    pub se: f64,
}

/// Paired difference of two equally long per-trial series, `b - a`.
/// Sums run in trial order; when every difference is `<= 0` the mean is
/// exactly `<= 0`, and identical series give exactly 0 and 0.
pub fn paired(a: impl Iterator<Item = f64>, b: impl Iterator<Item = f64>) -> Paired {
    let d: Vec<f64> = a.zip(b).map(|(x, y)| y - x).collect();
    let n = d.len();
    if n == 0 {
        return Paired {
            delta: 0.0,
            se: 0.0,
        };
    }
    let mean = d.iter().sum::<f64>() / n as f64;
    let se = if n < 2 {
        0.0
    } else {
        let ss: f64 = d.iter().map(|x| (x - mean) * (x - mean)).sum();
        (ss / (n - 1) as f64 / n as f64).sqrt()
    };
    Paired { delta: mean, se }
}

/// `delta` of `comparison.json`: alternative minus baseline, with paired
/// standard errors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MineralDelta {
    /// Change in `p_any_shortfall`.
    pub p_any_shortfall: f64,
    /// Its paired standard error.
    pub p_any_shortfall_se: f64,
    /// Change in `eud_total`.
    pub eud_total: f64,
    /// Its paired standard error.
    pub eud_total_se: f64,
    /// Change in `expected_shortfall_years`.
    pub expected_shortfall_years: f64,
    /// Its paired standard error.
    pub expected_shortfall_years_se: f64,
    /// Change in `cost_total` (minerals on a world market in both runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_total: Option<f64>,
    /// Its paired standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_total_se: Option<f64>,
    /// Change in `p_price_spike` (minerals on a world market in both runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_price_spike: Option<f64>,
    /// Its paired standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_price_spike_se: Option<f64>,
}

/// Paired changes of a market mineral's horizon cost and of its price
/// spike indicator, `(cost, spike)`; `None` unless both runs kept them.
pub fn market_deltas(base: &MineralAcc, alt: &MineralAcc) -> Option<(Paired, Paired)> {
    if base.market_trials.is_empty() || base.market_trials.len() != alt.market_trials.len() {
        return None;
    }
    let (b, a) = (&base.market_trials, &alt.market_trials);
    let cost = paired(b.iter().map(|t| t.0), a.iter().map(|t| t.0));
    let spike = |t: &(f64, bool)| f64::from(u8::from(t.1));
    Some((cost, paired(b.iter().map(spike), a.iter().map(spike))))
}

impl MineralDelta {
    /// Paired deltas of one mineral between two runs of the same trials.
    pub fn new(base: &MineralAcc, alt: &MineralAcc) -> MineralDelta {
        let any = |a: &MineralAcc| {
            a.years_short
                .iter()
                .map(|&y| f64::from(u8::from(y > 0)))
                .collect::<Vec<_>>()
        };
        let years = |a: &MineralAcc| {
            a.years_short
                .iter()
                .map(|&y| f64::from(y))
                .collect::<Vec<_>>()
        };
        let p = paired(any(base).into_iter(), any(alt).into_iter());
        let e = paired(base.totals.iter().copied(), alt.totals.iter().copied());
        let y = paired(years(base).into_iter(), years(alt).into_iter());
        let market = market_deltas(base, alt);
        MineralDelta {
            cost_total: market.map(|m| m.0.delta),
            cost_total_se: market.map(|m| m.0.se),
            p_price_spike: market.map(|m| m.1.delta),
            p_price_spike_se: market.map(|m| m.1.se),
            p_any_shortfall: p.delta,
            p_any_shortfall_se: p.se,
            eud_total: e.delta,
            eud_total_se: e.se,
            expected_shortfall_years: y.delta,
            expected_shortfall_years_se: y.se,
        }
    }
}

/// One mineral of `comparison.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MineralComparison {
    /// Unit of amounts.
    pub unit: String,
    /// Alternative minus baseline.
    pub delta: MineralDelta,
    /// `1 - eud_total(alternative) / eud_total(baseline)`; `None` (null)
    /// when the baseline's `eud_total` is 0.
    pub risk_reduction: Option<f64>,
    /// Constant never-disrupted supply (units per year) that, added to the
    /// baseline, gives the alternative's `eud_total`; `None` (null) when the
    /// alternative is not better.
    pub equivalent_firm_supply: Option<f64>,
    /// The changes year by year, with standard errors from paired chunk
    /// means (see [`crate::year_changes`]).
    pub by_year: Vec<crate::year_changes::YearChange>,
    /// On a world market: the change in `cost_total` split into the price
    /// level and disruption risk (see [`crate::cost_split`]); absent
    /// elsewhere, and where the comparison did not split it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_split: Option<crate::cost_split::CostSplit>,
}

/// `comparison.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Seed of both runs.
    pub seed: u64,
    /// Trials of both runs.
    pub trials: u64,
    /// The baseline's summary.
    pub baseline: Summary,
    /// The alternative's summary.
    pub alternative: Summary,
    /// Per mineral present in both scenarios, in baseline order.
    pub minerals: OrderedMap<MineralComparison>,
}

/// `1 - alternative / baseline`, or `None` when the baseline is 0.
pub fn risk_reduction(baseline: f64, alternative: f64) -> Option<f64> {
    (baseline > 0.0).then(|| 1.0 - alternative / baseline)
}

/// A note naming the minerals that only one of the two scenarios has
/// (left out of the comparison), or `None` when they have the same.
pub fn unshared_minerals(base: &Scenario, alt: &Scenario, alt_file: &str) -> Option<String> {
    let only = |a: &Scenario, b: &Scenario| -> Vec<String> {
        a.minerals
            .iter()
            .filter(|m| b.mineral_index(&m.id).is_none())
            .map(|m| m.id.clone())
            .collect()
    };
    let (base_only, alt_only) = (only(base, alt), only(alt, base));
    if base_only.is_empty() && alt_only.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !base_only.is_empty() {
        parts.push(format!("{alt_file} has no {}", base_only.join(", ")));
    }
    if !alt_only.is_empty() {
        parts.push(format!("the baseline has no {}", alt_only.join(", ")));
    }
    Some(format!(
        "{}: only the minerals both scenarios have are compared",
        parts.join(", and ")
    ))
}

/// Refuse to compare scenarios whose time axes differ, or whose shared
/// minerals use different units or are modelled differently (one on a
/// world market, the other physical). Each problem names the
/// alternative's key, at its line and column in `alt_text`.
pub fn check_comparable(
    base: &Scenario,
    alt: &Scenario,
    alt_file: &str,
    alt_text: &str,
) -> Result<()> {
    // Each problem's key and message, placed in the text once all are known.
    let mut problems: Vec<(String, String)> = Vec::new();
    let mut problem = |key: String, message: String| problems.push((key, message));
    let axis = |s: &Scenario| (s.start_year, s.years, s.steps_per_year);
    if axis(base) != axis(alt) {
        let key = if base.start_year != alt.start_year {
            "start_year"
        } else if base.years != alt.years {
            "years"
        } else {
            "steps_per_year"
        };
        problem(
            format!("scenario.{key}"),
            format!(
                "expected the baseline's horizon (start_year {}, {} years, {} steps per year), found start_year {}, {} years, {} steps per year",
                base.start_year, base.years, base.steps_per_year, alt.start_year, alt.years, alt.steps_per_year
            ),
        );
    }
    let kind = |market: bool| {
        if market {
            "on a world market"
        } else {
            "physical (without a market)"
        }
    };
    for m in &base.minerals {
        let Some(i) = alt.mineral_index(&m.id) else {
            continue;
        };
        let a = &alt.minerals[i];
        if a.unit != m.unit {
            problem(
                format!("mineral[{i}].unit"),
                format!(
                    "expected mineral \"{}\" in unit \"{}\" as in the baseline, found \"{}\"",
                    m.id, m.unit, a.unit
                ),
            );
        }
        if a.market.is_some() != m.market.is_some() {
            problem(
                if a.market.is_some() {
                    format!("mineral[{i}].market")
                } else {
                    format!("mineral[{i}]")
                },
                format!(
                    "expected mineral \"{}\" {} as in the baseline, found it {}: a world market's unserved demand (demand priced out) and a physical one's (demand no supply reaches) are different quantities; compare scenarios that model the mineral the same way",
                    m.id,
                    kind(m.market.is_some()),
                    kind(a.market.is_some())
                ),
            );
        }
        if let (Some(km), Some(ka)) = (&m.market, &a.market) {
            if km.currency != ka.currency {
                problem(
                    format!("mineral[{i}].market.currency"),
                    format!(
                        "expected mineral \"{}\" priced in \"{}\" as in the baseline, found \"{}\": costs in two currencies cannot be subtracted",
                        m.id, km.currency, ka.currency
                    ),
                );
            }
        }
    }
    if !base
        .minerals
        .iter()
        .any(|m| alt.mineral_index(&m.id).is_some())
    {
        problem(
            "mineral".into(),
            "expected at least one mineral id shared with the baseline, found none".into(),
        );
    }
    if problems.is_empty() {
        return Ok(());
    }
    let locator = crate::scenario::locate::Locator::new(alt_text);
    crate::error::none(
        problems
            .into_iter()
            .map(|(key, message)| InputError {
                file: alt_file.to_string(),
                position: locator.position(&key),
                key: Some(key),
                message,
            })
            .collect(),
    )
}

/// What the alternative adds to mineral `id` of the baseline, in units a
/// year: the normal-time supply (`capacity * access`, projects at full
/// capacity) of sources it has and the baseline lacks, or has with more,
/// plus any larger initial stock spread over the horizon's years.
pub fn added_supply(base: &Scenario, alt: &Scenario, id: &str) -> f64 {
    let normal = |s: &Scenario| -> Vec<(String, f64)> {
        s.mineral_index(id)
            .map(|m| {
                s.minerals[m]
                    .sources
                    .iter()
                    .map(|&i| {
                        (
                            s.sources[i].id.clone(),
                            s.sources[i].capacity * s.sources[i].access,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let before = normal(base);
    let capacity: f64 = normal(alt)
        .iter()
        .map(|(sid, v)| {
            let had = before.iter().find(|(b, _)| b == sid).map_or(0.0, |b| b.1);
            (v - had).max(0.0)
        })
        .sum();
    let stock = |s: &Scenario| {
        s.mineral_index(id)
            .and_then(|m| s.minerals[m].stockpile)
            .map_or(0.0, |p| p.initial)
    };
    capacity + (stock(alt) - stock(base)).max(0.0) / base.years.max(1) as f64
}

/// How much more a stockpile of mineral `id` can hold in `alt` than in
/// `base` (0 where it holds no more).
pub fn added_stock_room(base: &Scenario, alt: &Scenario, id: &str) -> f64 {
    let room = |s: &Scenario| {
        s.mineral_index(id)
            .and_then(|m| s.minerals[m].stockpile)
            .map_or(0.0, |p| p.capacity)
    };
    (room(alt) - room(base)).max(0.0)
}

/// Relative tolerance of the equivalent firm supply search (1%).
pub const EFS_TOLERANCE: f64 = 0.01;

/// The constant, never-disrupted supply (units per year, every year) that,
/// added to mineral `m` of `base`, brings its `eud_total` to `target`,
/// found by bracketing and bisection with common random numbers until the
/// result is within 1% of `target`. `None` when `target` is not below the
/// baseline's `eud_total` (the alternative is not better).
///
/// Each evaluation is a full run of the mineral alone (bit-identical to its
/// results in the whole scenario); unserved demand falls monotonically as
/// firm supply grows, trial by trial, which makes the bisection sound.
pub fn equivalent_firm_supply(
    base: &Scenario,
    m: usize,
    seed: u64,
    trials: u64,
    base_eud: f64,
    target: f64,
) -> Option<f64> {
    if target.is_nan() || target >= base_eud {
        return None;
    }
    let alone = base.only_minerals(&[m]);
    let eud = |firm: f64| {
        let mut s = alone.clone();
        s.minerals[0].firm_supply = firm;
        engine::simulate(&s, seed, trials, None).minerals[0]
            .tally
            .total
            .mean
    };
    // Within 1% of a positive target. For a target of 0 the search goes on
    // to the smallest supply that serves everything, to within 1%.
    let close = |e: f64| target > 0.0 && (e - target).abs() <= EFS_TOLERANCE * target;
    // Bracket [lo, hi] with eud(lo) > target >= eud(hi), growing hi from
    // 1% of first-year demand.
    let mut lo = 0.0;
    let mut hi = (0.01 * alone.minerals[0].demand.base).max(f64::MIN_POSITIVE);
    let mut e_hi = eud(hi);
    for _ in 0..200 {
        if close(e_hi) {
            return Some(hi);
        }
        if e_hi <= target {
            break;
        }
        lo = hi;
        hi *= 2.0;
        e_hi = eud(hi);
    }
    if e_hi > target {
        return None;
    }
    // Bisect until within 1% of the target, or (target 0) until the
    // bracket is 1% wide: then `hi` is the smallest such supply to 1%.
    while hi - lo > EFS_TOLERANCE * hi {
        let mid = 0.5 * (lo + hi);
        let e = eud(mid);
        if close(e) {
            return Some(mid);
        }
        if e > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(hi)
}

/// Compare two runs of the same trials and seed.
pub fn compare(
    base_s: &Scenario,
    alt_s: &Scenario,
    seed: u64,
    base: &Aggregate,
    alt: &Aggregate,
    with_efs: bool,
) -> Comparison {
    let baseline = Summary::new(base_s, seed, base);
    let alternative = Summary::new(alt_s, seed, alt);
    let mut minerals = Vec::new();
    for (m, mineral) in base_s.minerals.iter().enumerate() {
        let Some(a) = alt_s.mineral_index(&mineral.id) else {
            continue;
        };
        let (b_sum, a_sum) = (&baseline.minerals.0[m].1, &alternative.minerals.0[a].1);
        let (b_eud, a_eud) = (b_sum.eud_total, a_sum.eud_total);
        let by_year =
            crate::year_changes::year_changes(b_sum, a_sum, &base.minerals[m], &alt.minerals[a]);
        minerals.push((
            mineral.id.clone(),
            MineralComparison {
                unit: mineral.unit.clone(),
                delta: MineralDelta::new(&base.minerals[m], &alt.minerals[a]),
                risk_reduction: risk_reduction(b_eud, a_eud),
                equivalent_firm_supply: if with_efs {
                    equivalent_firm_supply(base_s, m, seed, base.trials, b_eud, a_eud)
                } else {
                    None
                },
                by_year,
                cost_split: None,
            },
        ));
    }
    Comparison {
        seed,
        trials: base.trials,
        baseline,
        alternative,
        minerals: OrderedMap(minerals),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_differences_and_their_standard_error() {
        let p = paired(
            [1.0, 2.0, 3.0, 4.0].into_iter(),
            [1.5, 2.5, 3.0, 5.0].into_iter(),
        );
        // differences 0.5, 0.5, 0, 1: mean 0.5, sample var 1/6
        assert!((p.delta - 0.5).abs() < 1e-15);
        assert!((p.se - (1.0f64 / 6.0 / 4.0).sqrt()).abs() < 1e-15);
        let same = paired([1.0, 7.0].into_iter(), [1.0, 7.0].into_iter());
        assert_eq!((same.delta, same.se), (0.0, 0.0));
    }

    #[test]
    fn risk_reduction_is_null_without_baseline_risk() {
        assert_eq!(risk_reduction(0.0, 0.0), None);
        assert_eq!(risk_reduction(10.0, 2.5), Some(0.75));
    }
}
