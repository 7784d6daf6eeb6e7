//! The results of a run as `summary.json` (docs/cli.md) defines them, computed
//! from an [`Aggregate`] (docs/model.md section 7).

use crate::concentration::{hhi, hhi_mine};
use crate::engine::accumulate::{CVAR_TAIL_DEN, SUPPLY_QUANTILES, TOTAL_QUANTILES};
use crate::engine::{Aggregate, MineralAcc};
use crate::scenario::Scenario;
use crate::stats::probability_se;
use ndarray::Array2;
use rayon::prelude::*;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// A map serialised in insertion order (scenario order of minerals).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedMap<T>(pub Vec<(String, T)>);

impl<T> OrderedMap<T> {
    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<T: Serialize> Serialize for OrderedMap<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// `summary.json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Seed of the run.
    pub seed: u64,
    /// Number of trials.
    pub trials: u64,
    /// First calendar year.
    pub start_year: i64,
    /// Number of years.
    pub years: usize,
    /// Steps per year.
    pub steps_per_year: usize,
    /// Per mineral, in scenario order.
    pub minerals: OrderedMap<MineralSummary>,
}

/// Results for one mineral.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MineralSummary {
    /// Unit of amounts.
    pub unit: String,
    /// Share of a year's demand that must go unserved for the year to be
    /// a shortfall year.
    pub shortfall_threshold: f64,
    /// Probability that at least one year is a shortfall year.
    pub p_any_shortfall: f64,
    /// Its standard error.
    pub p_any_shortfall_se: f64,
    /// Expected number of shortfall years.
    pub expected_shortfall_years: f64,
    /// Its standard error.
    pub expected_shortfall_years_se: f64,
    /// Expected unserved demand over the horizon, units.
    pub eud_total: f64,
    /// Its standard error.
    pub eud_total_se: f64,
    /// `eud_total` over expected total demand.
    pub unserved_share: f64,
    /// Median of the horizon's total unserved amount.
    pub unserved_p50: f64,
    /// 90th percentile of it.
    pub unserved_p90: f64,
    /// 95th percentile of it.
    pub unserved_p95: f64,
    /// 99th percentile of it.
    pub unserved_p99: f64,
    /// Mean of the largest `ceil(0.05 trials)` totals.
    pub cvar95: f64,
    /// HHI by country without projects.
    pub hhi: f64,
    /// HHI by country with projects at full capacity.
    pub hhi_with_projects: f64,
    /// HHI of mine capacity by country (minerals with stages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hhi_mine: Option<f64>,
    /// The same with projects at full capacity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hhi_mine_with_projects: Option<f64>,
    /// Probability that the stockpile is empty at the end of a step in
    /// which it released (minerals with a stockpile).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_stock_empty: Option<f64>,
    /// Its standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_stock_empty_se: Option<f64>,
    /// Currency of costs (market minerals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Probability that some year's mean price multiple exceeds the spike
    /// threshold (market minerals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_price_spike: Option<f64>,
    /// Its standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_price_spike_se: Option<f64>,
    /// The consumer's expected cost over the horizon, in `currency`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_total: Option<f64>,
    /// Its standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_total_se: Option<f64>,
    /// 95th percentile of the horizon's cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_p95: Option<f64>,
    /// Per year.
    pub years: Vec<YearSummary>,
}

impl MineralSummary {
    /// The stockpile's year-end stock in the horizon's last year: its 5th,
    /// 50th and 95th percentiles; `None` without a stockpile.
    pub fn end_stock(&self) -> Option<[f64; 3]> {
        let last = self.years.last()?;
        Some([last.stock_p5?, last.stock_p50?, last.stock_p95?])
    }
}

/// Results for one mineral in one year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct YearSummary {
    /// Calendar year.
    pub year: i64,
    /// Mean demand drawn.
    pub demand_mean: f64,
    /// Probability of a shortfall year.
    pub p_shortfall: f64,
    /// Its standard error.
    pub p_shortfall_se: f64,
    /// Expected unserved demand, units.
    pub eud: f64,
    /// Its standard error.
    pub eud_se: f64,
    /// 5th percentile of annual accessible supply.
    pub supply_p5: f64,
    /// Median of annual accessible supply.
    pub supply_p50: f64,
    /// 95th percentile of annual accessible supply.
    pub supply_p95: f64,
    /// Mean of the year's mean price multiple (market minerals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_mean: Option<f64>,
    /// Its standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_mean_se: Option<f64>,
    /// 5th percentile of the year's mean price multiple.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_p5: Option<f64>,
    /// Its median.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_p50: Option<f64>,
    /// Its 95th percentile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_p95: Option<f64>,
    /// Expected cost to the consumer in the year, in the market's currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// Its standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_se: Option<f64>,
    /// 5th percentile of the stock at the end of the year (stockpiles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock_p5: Option<f64>,
    /// Its median.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock_p50: Option<f64>,
    /// Its 95th percentile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock_p95: Option<f64>,
}

impl Summary {
    /// Compute the summary of a whole run.
    pub fn new(scenario: &Scenario, seed: u64, agg: &Aggregate) -> Summary {
        // Minerals in parallel (each also runs its years in parallel);
        // collected in scenario order.
        let minerals = scenario
            .minerals
            .par_iter()
            .zip(&agg.minerals)
            .enumerate()
            .map(|(m, (mineral, acc))| {
                (
                    mineral.id.clone(),
                    mineral_summary(scenario, m, acc, agg.trials),
                )
            })
            .collect();
        Summary {
            scenario: scenario.name.clone(),
            seed,
            trials: agg.trials,
            start_year: scenario.start_year,
            years: scenario.years,
            steps_per_year: scenario.steps_per_year,
            minerals: OrderedMap(minerals),
        }
    }
}

impl Summary {
    /// A per-year metric as a `minerals x years` array (rows in scenario
    /// order), for example `summary.grid(|y| y.p_shortfall)`.
    pub fn grid(&self, metric: impl Fn(&YearSummary) -> f64) -> Array2<f64> {
        let years = self.years;
        let mut out = Array2::zeros((self.minerals.0.len(), years));
        for (m, (_, ms)) in self.minerals.0.iter().enumerate() {
            for (y, ys) in ms.years.iter().enumerate().take(years) {
                out[[m, y]] = metric(ys);
            }
        }
        out
    }

    /// Calendar years of the horizon.
    pub fn calendar_years(&self) -> Vec<i64> {
        (0..self.years as i64)
            .map(|y| self.start_year + y)
            .collect()
    }
}

fn mineral_summary(scenario: &Scenario, m: usize, acc: &MineralAcc, n: u64) -> MineralSummary {
    let t = &acc.tally;
    let p_any = if n == 0 {
        0.0
    } else {
        t.any_count as f64 / n as f64
    };
    let mineral = &scenario.minerals[m];
    // Where annual supply, prices and stocks lie, so that exact quantiles
    // need one pass less (any range gives exact results).
    let supply_range = Some((0.0, scenario.max_annual_supply(m)));
    let price_range = mineral.market.as_ref().map(|k| (k.min_price, k.max_price));
    let stock_range = mineral.stockpile.map(|s| (0.0, s.capacity));
    let years: Vec<YearSummary> = (0..scenario.years)
        .into_par_iter()
        .map(|y| {
            let p = if n == 0 {
                0.0
            } else {
                t.shortfall_count[y] as f64 / n as f64
            };
            let q = acc.supply[y].quantiles(&SUPPLY_QUANTILES, supply_range);
            let market = t.market.as_ref();
            let pq = acc
                .price
                .get(y)
                .map(|d| d.quantiles(&SUPPLY_QUANTILES, price_range));
            let sq = acc
                .stock
                .get(y)
                .map(|d| d.quantiles(&SUPPLY_QUANTILES, stock_range));
            YearSummary {
                price_mean: market.map(|k| k.price[y].mean),
                price_mean_se: market.map(|k| k.price[y].se()),
                price_p5: pq.as_ref().map(|q| q[0]),
                price_p50: pq.as_ref().map(|q| q[1]),
                price_p95: pq.as_ref().map(|q| q[2]),
                cost: market.map(|k| k.cost[y].mean),
                cost_se: market.map(|k| k.cost[y].se()),
                stock_p5: sq.as_ref().map(|q| q[0]),
                stock_p50: sq.as_ref().map(|q| q[1]),
                stock_p95: sq.as_ref().map(|q| q[2]),
                year: scenario.calendar_year(y),
                demand_mean: t.demand[y].mean,
                p_shortfall: p,
                p_shortfall_se: probability_se(p, n),
                eud: t.unserved[y].mean,
                eud_se: t.unserved[y].se(),
                supply_p5: q[0],
                supply_p50: q[1],
                supply_p95: q[2],
            }
        })
        .collect();
    let expected_demand: f64 = years.iter().map(|y| y.demand_mean).sum();
    // Totals mostly lie within eight standard deviations above the mean;
    // any outside still count exactly.
    let range = Some((0.0, t.total.mean + 8.0 * t.total.variance().sqrt()));
    let q = acc.totals_dist.quantiles(&TOTAL_QUANTILES, range);
    let cvar95 = acc.totals_dist.upper_mean(CVAR_TAIL_DEN, range);
    let share = |count: u64| {
        let p = if n == 0 { 0.0 } else { count as f64 / n as f64 };
        (p, probability_se(p, n))
    };
    let market = t.market.as_ref();
    let spike = market.map(|k| share(k.spike_count));
    let empty = mineral.stockpile.map(|_| share(t.stock_empty_count));
    MineralSummary {
        hhi_mine: hhi_mine(scenario, m, false),
        hhi_mine_with_projects: hhi_mine(scenario, m, true),
        p_stock_empty: empty.map(|e| e.0),
        p_stock_empty_se: empty.map(|e| e.1),
        currency: mineral.market.as_ref().map(|k| k.currency.clone()),
        p_price_spike: spike.map(|e| e.0),
        p_price_spike_se: spike.map(|e| e.1),
        cost_total: market.map(|k| k.cost_total.mean),
        cost_total_se: market.map(|k| k.cost_total.se()),
        cost_p95: acc
            .cost_dist
            .as_ref()
            .map(|d| d.quantiles(&[0.95], None)[0]),
        unit: mineral.unit.clone(),
        shortfall_threshold: mineral.shortfall_threshold,
        p_any_shortfall: p_any,
        p_any_shortfall_se: probability_se(p_any, n),
        expected_shortfall_years: t.shortfall_years.mean,
        expected_shortfall_years_se: t.shortfall_years.se(),
        eud_total: t.total.mean,
        eud_total_se: t.total.se(),
        unserved_share: if expected_demand > 0.0 {
            t.total.mean / expected_demand
        } else {
            0.0
        },
        unserved_p50: q[0],
        unserved_p90: q[1],
        unserved_p95: q[2],
        unserved_p99: q[3],
        cvar95,
        hhi: hhi(scenario, m, false),
        hhi_with_projects: hhi(scenario, m, true),
        years,
    }
}

/// Fewer trials than this make every metric of a run too noisy to read.
pub const FEW_TRIALS: u64 = 1_000;

/// Warnings about metrics that a run has too few trials to estimate: a
/// run of fewer than [`FEW_TRIALS`] trials, and percentiles with fewer than
/// ten trials beyond them (`unserved_p99` needs 1,000 trials, `cvar95`
/// 200).
pub fn too_few_trials(trials: u64) -> Vec<String> {
    let mut out = Vec::new();
    if trials < FEW_TRIALS {
        out.push(format!(
            "{trials} trials are too few for the metrics to mean much: their standard errors are large; use at least {FEW_TRIALS}"
        ));
    }
    for (name, tail) in [
        ("unserved_p99", 0.01),
        ("unserved_p95", 0.05),
        ("cvar95", 0.05),
    ] {
        let beyond = trials as f64 * tail;
        if beyond < 10.0 {
            let n = beyond.floor();
            let trials = if n == 1.0 { "trial" } else { "trials" };
            out.push(format!(
                "{name} rests on {n} {trials} beyond it (fewer than 10): read it as a rough indication"
            ));
        }
    }
    out
}

/// Points of an exceedance curve kept for a chart.
pub const EXCEEDANCE_POINTS: usize = 400;

/// Per mineral, in scenario order: the exceedance curve `(x, P(X > x))` of
/// the horizon's total unserved amount, for charts.
pub fn exceedance_curves(agg: &Aggregate) -> Vec<Vec<(f64, f64)>> {
    agg.minerals
        .par_iter()
        .map(|m| m.totals_dist.exceedance(EXCEEDANCE_POINTS))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_when_trials_are_too_few_for_a_metric() {
        assert!(too_few_trials(100_000).is_empty());
        assert!(too_few_trials(1_000).is_empty());
        let w = too_few_trials(999);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].contains("999 trials are too few")
                && w[1].starts_with("unserved_p99 rests on 9 trial")
        );
        assert_eq!(too_few_trials(150).len(), 4);
    }
}
