//! A sweep's results: each point's metrics per mineral, the scenario as
//! written, and the rows its tables and charts show (`sweep.json`).

use crate::summary::{OrderedMap, Summary};
use serde::Serialize;

/// Metrics of one mineral at one sweep point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepMetrics {
    /// As in `summary.json`.
    pub p_any_shortfall: f64,
    /// Its standard error.
    pub p_any_shortfall_se: f64,
    /// As in `summary.json`.
    pub expected_shortfall_years: f64,
    /// Its standard error.
    pub expected_shortfall_years_se: f64,
    /// As in `summary.json`.
    pub eud_total: f64,
    /// Its standard error.
    pub eud_total_se: f64,
    /// As in `summary.json`.
    pub unserved_p95: f64,
    /// As in `summary.json`.
    pub cvar95: f64,
    /// Change in `eud_total` from the scenario as written, paired.
    pub delta_eud_total: f64,
    /// Its paired standard error.
    pub delta_eud_total_se: f64,
    /// Change in `p_any_shortfall` from the scenario as written, paired.
    pub delta_p_any_shortfall: f64,
    /// Its paired standard error.
    pub delta_p_any_shortfall_se: f64,
    /// As in `summary.json` (market minerals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_total: Option<f64>,
    /// Its standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_total_se: Option<f64>,
    /// As in `summary.json` (market minerals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_price_spike: Option<f64>,
    /// Its standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_price_spike_se: Option<f64>,
    /// Change in `cost_total` from the scenario as written, paired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_cost_total: Option<f64>,
    /// Its paired standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_cost_total_se: Option<f64>,
    /// Change in `p_price_spike` from the scenario as written, paired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_p_price_spike: Option<f64>,
    /// Its paired standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_p_price_spike_se: Option<f64>,
}

/// One point of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepPoint {
    /// The parameter's value.
    pub value: f64,
    /// Per mineral.
    pub minerals: OrderedMap<SweepMetrics>,
}

/// `sweep.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sweep {
    /// The parameter, `KIND.ID.KEY`.
    pub parameter: String,
    /// Its value in the scenario file, if the file gives a number.
    pub file_value: Option<f64>,
    /// Whether the file writes the parameter at all: where it writes
    /// something other than a number (a distribution), `file_value` is
    /// `None` but no default applies.
    #[serde(skip)]
    pub file_writes: bool,
    /// Seed of every point.
    pub seed: u64,
    /// Trials of every point.
    pub trials: u64,
    /// The points, in the order given.
    pub points: Vec<SweepPoint>,
    /// The scenario as written: every change is measured from it.
    pub as_written: AsWritten,
}

/// The scenario as written, in a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AsWritten {
    /// The number the file gives the parameter; `None` (`null`) where it
    /// gives none (it leaves the key out, so its default applies, or
    /// gives a distribution).
    pub value: Option<f64>,
    /// Per mineral: the results of `run` with the same trials and seed,
    /// every change 0.
    pub minerals: OrderedMap<SweepMetrics>,
}

/// A row of a sweep's tables and charts: a value, its results per
/// mineral, and whether it is the scenario as written.
#[derive(Debug, Clone, Copy)]
pub struct ValueRow<'a> {
    /// The parameter's value.
    pub value: f64,
    /// Per mineral.
    pub minerals: &'a OrderedMap<SweepMetrics>,
    /// Whether this is the scenario as written.
    pub written: bool,
}

impl Sweep {
    /// How the tables name the scenario as written where the file gives
    /// the parameter no number: `default (as written)` (the file leaves
    /// it out) or `as written (not one number)` (a distribution, say);
    /// `None` where it gives one.
    pub fn written_label(&self) -> Option<&'static str> {
        match (self.file_value, self.file_writes) {
            (Some(_), _) => None,
            (None, true) => Some("as written (not one number)"),
            (None, false) => Some("default (as written)"),
        }
    }

    /// What the tables list, in order: where the file gives the parameter
    /// no number, the scenario as written first (with no value), then
    /// [`Sweep::by_value`].
    pub fn listed(&self) -> Vec<(Option<f64>, &OrderedMap<SweepMetrics>, bool)> {
        let first =
            self.as_written
                .value
                .is_none()
                .then_some((None, &self.as_written.minerals, true));
        first
            .into_iter()
            .chain(
                self.by_value()
                    .into_iter()
                    .map(|r| (Some(r.value), r.minerals, r.written)),
            )
            .collect()
    }

    /// Whether `mineral`'s results differ between any two of the points
    /// shown (many parameters touch one mineral only).
    pub fn changes(&self, mineral: &str) -> bool {
        let values: Vec<&SweepMetrics> = self
            .by_value()
            .into_iter()
            .filter_map(|r| r.minerals.get(mineral))
            .collect();
        // A change from the scenario as written, shown or not.
        let moved = |m: &&SweepMetrics| {
            let market = [
                m.delta_cost_total,
                m.delta_cost_total_se,
                m.delta_p_price_spike,
                m.delta_p_price_spike_se,
            ];
            [
                m.delta_eud_total,
                m.delta_eud_total_se,
                m.delta_p_any_shortfall,
                m.delta_p_any_shortfall_se,
            ]
            .into_iter()
            .chain(market.into_iter().flatten())
            .any(|d| d != 0.0)
        };
        values.iter().any(moved) || !values.windows(2).all(|w| w[0] == w[1])
    }

    /// The points and the scenario as written, by increasing value (the
    /// order of equal values kept), each with whether it is the scenario
    /// as written: what the charts and tables show. A point at the file's
    /// own value is the scenario as written (the same run), shown once.
    /// Where the file gives the parameter no number, the scenario as
    /// written has no value to be placed by, and is not among them.
    pub fn by_value(&self) -> Vec<ValueRow<'_>> {
        let mut seen = false;
        let mut all: Vec<ValueRow<'_>> = Vec::new();
        for p in &self.points {
            let written = !seen && self.file_value == Some(p.value);
            seen |= written;
            all.push(ValueRow {
                value: p.value,
                minerals: &p.minerals,
                written,
            });
        }
        if let Some(value) = self.as_written.value.filter(|_| !seen) {
            all.push(ValueRow {
                value,
                minerals: &self.as_written.minerals,
                written: true,
            });
        }
        all.sort_by(|a, b| a.value.total_cmp(&b.value));
        all
    }
}

/// Metrics of a point from its summary and the paired change from the base run.
pub fn point_metrics(
    summary: &Summary,
    agg: &crate::engine::Aggregate,
    base: &crate::engine::Aggregate,
) -> OrderedMap<SweepMetrics> {
    OrderedMap(
        summary
            .minerals
            .0
            .iter()
            .enumerate()
            .map(|(m, (id, ms))| {
                let d = crate::compare::MineralDelta::new(&base.minerals[m], &agg.minerals[m]);
                (
                    id.clone(),
                    SweepMetrics {
                        p_any_shortfall: ms.p_any_shortfall,
                        p_any_shortfall_se: ms.p_any_shortfall_se,
                        expected_shortfall_years: ms.expected_shortfall_years,
                        expected_shortfall_years_se: ms.expected_shortfall_years_se,
                        eud_total: ms.eud_total,
                        eud_total_se: ms.eud_total_se,
                        unserved_p95: ms.unserved_p95,
                        cvar95: ms.cvar95,
                        delta_eud_total: d.eud_total,
                        delta_eud_total_se: d.eud_total_se,
                        delta_p_any_shortfall: d.p_any_shortfall,
                        delta_p_any_shortfall_se: d.p_any_shortfall_se,
                        cost_total: ms.cost_total,
                        cost_total_se: ms.cost_total_se,
                        p_price_spike: ms.p_price_spike,
                        p_price_spike_se: ms.p_price_spike_se,
                        delta_cost_total: d.cost_total,
                        delta_cost_total_se: d.cost_total_se,
                        delta_p_price_spike: d.p_price_spike,
                        delta_p_price_spike_se: d.p_price_spike_se,
                    },
                )
            })
            .collect(),
    )
}
