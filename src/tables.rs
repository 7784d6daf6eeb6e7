//! Every table the commands print, as CSV with full-precision numbers for
//! analysts' own tools: `years.csv` (one row per mineral and year),
//! `summary.csv` (one row per mineral),
//! `comparison.csv` (one row per mineral compared) and `sensitivity.csv`
//! (one row per mineral and entity). Empty cells stand for values that do
//! not exist (a risk reduction without baseline risk) or do not apply to
//! a row's mineral (a price where there is no market). A column that
//! applies to no mineral of a run is left out.

use crate::compare::Comparison;
use crate::error::{Error, Result};
use crate::sensitivity::Sensitivity;
use crate::summary::{MineralSummary, Summary, YearSummary};

/// A CSV document from a header and rows of cells; `name` names the
/// file in errors. Every CSV file of the program is written by it.
pub fn csv_bytes(
    name: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Vec<u8>> {
    let err = |e: csv::Error| Error::Other(format!("could not format {name}: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.write_record(&r).map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Other(format!("could not format {name}: {e}")))
}

/// A number as a CSV cell: the shortest digits that read back exactly,
/// in decimal form from 1e-5 up to 1e16 (as JSON writes them), else in
/// exponent form (`5e-324`, `1.5e20`) rather than hundreds of zeros.
pub fn cell(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-5..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// An optional number: empty when absent.
fn opt(x: Option<f64>) -> String {
    x.map(cell).unwrap_or_default()
}

/// `run --per-trial FILE`: one row per trial, its index and each mineral's
/// horizon total unserved amount (columns named by mineral id), for
/// analysts' own histograms and joint shortfalls.
pub fn per_trial_csv(
    scenario: &crate::scenario::Scenario,
    agg: &crate::engine::Aggregate,
) -> Result<Vec<u8>> {
    let mut header = vec!["trial"];
    header.extend(scenario.minerals.iter().map(|m| m.id.as_str()));
    // Row by row as they are written: a million rows of cells held at
    // once would take many times the file's size.
    let rows = (0..agg.trials as usize).map(|t| {
        std::iter::once(t.to_string())
            .chain(
                agg.minerals
                    .iter()
                    .map(|m| m.totals.get(t).copied().map(cell).unwrap_or_default()),
            )
            .collect()
    });
    csv_bytes("the per-trial file", &header, rows)
}

/// The per-year results that apply only to some minerals (markets,
/// stockpiles), in the order of `summary.json`.
type YearColumn = (&'static str, fn(&YearSummary) -> Option<f64>);
const YEAR_OPTIONAL: [YearColumn; 10] = [
    ("price_mean", |y| y.price_mean),
    ("price_mean_se", |y| y.price_mean_se),
    ("price_p5", |y| y.price_p5),
    ("price_p50", |y| y.price_p50),
    ("price_p95", |y| y.price_p95),
    ("cost", |y| y.cost),
    ("cost_se", |y| y.cost_se),
    ("stock_p5", |y| y.stock_p5),
    ("stock_p50", |y| y.stock_p50),
    ("stock_p95", |y| y.stock_p95),
];

/// The horizon results that apply only to some minerals (stages,
/// stockpiles, markets), in the order of `summary.json`; `currency` is
/// written as text.
type MineralColumn = (&'static str, fn(&MineralSummary) -> Option<f64>);
const MINERAL_OPTIONAL: [MineralColumn; 9] = [
    ("hhi_mine", |m| m.hhi_mine),
    ("hhi_mine_with_projects", |m| m.hhi_mine_with_projects),
    ("p_stock_empty", |m| m.p_stock_empty),
    ("p_stock_empty_se", |m| m.p_stock_empty_se),
    ("p_price_spike", |m| m.p_price_spike),
    ("p_price_spike_se", |m| m.p_price_spike_se),
    ("cost_total", |m| m.cost_total),
    ("cost_total_se", |m| m.cost_total_se),
    ("cost_p95", |m| m.cost_p95),
];

/// `years.csv`: one row per mineral and year, columns `mineral` and the
/// per-year keys of `summary.json`. A key that applies to some minerals
/// only (a market's price and cost, a stockpile's stock) is a column when
/// it applies to at least one, with empty cells in the rows of the others.
pub fn years_csv(summary: &Summary) -> Result<Vec<u8>> {
    let minerals = &summary.minerals.0;
    let optional: Vec<&YearColumn> = YEAR_OPTIONAL
        .iter()
        .filter(|(_, get)| {
            minerals
                .iter()
                .any(|(_, m)| m.years.iter().any(|y| get(y).is_some()))
        })
        .collect();
    let mut header = vec![
        "mineral",
        "year",
        "demand_mean",
        "p_shortfall",
        "p_shortfall_se",
        "eud",
        "eud_se",
        "supply_p5",
        "supply_p50",
        "supply_p95",
    ];
    header.extend(optional.iter().map(|(name, _)| *name));
    let rows: Vec<Vec<String>> = minerals
        .iter()
        .flat_map(|(id, m)| {
            let optional = &optional;
            m.years.iter().map(move |y| {
                let mut r = vec![id.clone(), y.year.to_string()];
                r.extend(
                    [
                        y.demand_mean,
                        y.p_shortfall,
                        y.p_shortfall_se,
                        y.eud,
                        y.eud_se,
                        y.supply_p5,
                        y.supply_p50,
                        y.supply_p95,
                    ]
                    .map(cell),
                );
                r.extend(optional.iter().map(|(_, get)| opt(get(y))));
                r
            })
        })
        .collect();
    csv_bytes("years.csv", &header, rows)
}

/// `summary.csv`: per mineral, every horizon metric of `summary.json`. A
/// metric that applies to some minerals only (a stockpile's, a market's)
/// is a column when it applies to at least one, with empty cells in the
/// rows of the others; `currency` comes with the market's columns.
pub fn summary_csv(summary: &Summary) -> Result<Vec<u8>> {
    let minerals = &summary.minerals.0;
    let optional: Vec<&MineralColumn> = MINERAL_OPTIONAL
        .iter()
        .filter(|(_, get)| minerals.iter().any(|(_, m)| get(m).is_some()))
        .collect();
    let currency = minerals.iter().any(|(_, m)| m.currency.is_some());
    let mut header = vec![
        "mineral",
        "unit",
        "shortfall_threshold",
        "p_any_shortfall",
        "p_any_shortfall_se",
        "expected_shortfall_years",
        "expected_shortfall_years_se",
        "eud_total",
        "eud_total_se",
        "unserved_share",
        "unserved_p50",
        "unserved_p90",
        "unserved_p95",
        "unserved_p99",
        "cvar95",
        "hhi",
        "hhi_with_projects",
    ];
    for (name, _) in &optional {
        if *name == "p_price_spike" && currency {
            header.push("currency");
        }
        header.push(name);
    }
    let rows: Vec<Vec<String>> = minerals
        .iter()
        .map(|(id, m)| {
            let mut r = vec![id.clone(), m.unit.clone()];
            r.extend(
                [
                    m.shortfall_threshold,
                    m.p_any_shortfall,
                    m.p_any_shortfall_se,
                    m.expected_shortfall_years,
                    m.expected_shortfall_years_se,
                    m.eud_total,
                    m.eud_total_se,
                    m.unserved_share,
                    m.unserved_p50,
                    m.unserved_p90,
                    m.unserved_p95,
                    m.unserved_p99,
                    m.cvar95,
                    m.hhi,
                    m.hhi_with_projects,
                ]
                .map(cell),
            );
            for (name, get) in &optional {
                if *name == "p_price_spike" && currency {
                    r.push(m.currency.clone().unwrap_or_default());
                }
                r.push(opt(get(m)));
            }
            r
        })
        .collect();
    csv_bytes("summary.csv", &header, rows)
}

/// `comparison.csv`: per mineral compared, both runs' `eud_total` and
/// `p_any_shortfall`, the paired changes, risk reduction and equivalent
/// firm supply.
pub fn comparison_csv(c: &Comparison) -> Result<Vec<u8>> {
    let mut header = vec![
        "mineral",
        "unit",
        "eud_total_baseline",
        "eud_total_baseline_se",
        "eud_total_alternative",
        "eud_total_alternative_se",
        "delta_eud_total",
        "delta_eud_total_se",
        "risk_reduction",
        "p_any_shortfall_baseline",
        "p_any_shortfall_alternative",
        "delta_p_any_shortfall",
        "delta_p_any_shortfall_se",
        "delta_expected_shortfall_years",
        "delta_expected_shortfall_years_se",
        "equivalent_firm_supply",
    ];
    // Market columns only when some mineral is on a world market in both.
    let market = c
        .minerals
        .0
        .iter()
        .any(|(_, mc)| mc.delta.cost_total.is_some());
    if market {
        header.extend([
            "currency",
            "cost_total_baseline",
            "cost_total_baseline_se",
            "cost_total_alternative",
            "cost_total_alternative_se",
            "delta_cost_total",
            "delta_cost_total_se",
            "p_price_spike_baseline",
            "p_price_spike_alternative",
            "delta_p_price_spike",
            "delta_p_price_spike_se",
            "cost_price_level",
            "cost_price_level_se",
            "cost_disruption_risk",
            "cost_disruption_risk_se",
        ]);
    }
    let rows: Vec<Vec<String>> = c
        .minerals
        .0
        .iter()
        .filter_map(|(id, mc)| {
            let b = c.baseline.minerals.get(id)?;
            let a = c.alternative.minerals.get(id)?;
            let d = &mc.delta;
            let mut r = vec![id.clone(), mc.unit.clone()];
            r.extend(
                [
                    b.eud_total,
                    b.eud_total_se,
                    a.eud_total,
                    a.eud_total_se,
                    d.eud_total,
                    d.eud_total_se,
                ]
                .map(cell),
            );
            r.push(opt(mc.risk_reduction));
            r.extend(
                [
                    b.p_any_shortfall,
                    a.p_any_shortfall,
                    d.p_any_shortfall,
                    d.p_any_shortfall_se,
                    d.expected_shortfall_years,
                    d.expected_shortfall_years_se,
                ]
                .map(cell),
            );
            r.push(opt(mc.equivalent_firm_supply));
            if market {
                r.push(b.currency.clone().unwrap_or_default());
                r.extend(
                    [
                        b.cost_total,
                        b.cost_total_se,
                        a.cost_total,
                        a.cost_total_se,
                        d.cost_total,
                        d.cost_total_se,
                        b.p_price_spike,
                        a.p_price_spike,
                        d.p_price_spike,
                        d.p_price_spike_se,
                    ]
                    .map(opt),
                );
                let split = mc.cost_split.as_ref();
                r.extend(
                    [
                        split.map(|x| x.price_level),
                        split.map(|x| x.price_level_se),
                        split.map(|x| x.disruption_risk),
                        split.map(|x| x.disruption_risk_se),
                    ]
                    .map(opt),
                );
            }
            Some(r)
        })
        .collect();
    csv_bytes("comparison.csv", &header, rows)
}

/// `comparison_years.csv`: per mineral compared and year, the paired
/// changes of `eud` and, on a world market, of `price_mean` and `cost`,
/// each with its standard error from paired chunk means (empty where
/// there is none).
pub fn comparison_years_csv(c: &Comparison) -> Result<Vec<u8>> {
    let header = [
        "mineral",
        "unit",
        "year",
        "delta_eud",
        "delta_eud_se",
        "currency",
        "delta_price_mean",
        "delta_price_mean_se",
        "delta_cost",
        "delta_cost_se",
    ];
    let rows: Vec<Vec<String>> = c
        .minerals
        .0
        .iter()
        .flat_map(|(id, mc)| {
            let currency = c
                .baseline
                .minerals
                .get(id)
                .and_then(|m| m.currency.clone())
                .filter(|_| mc.delta.cost_total.is_some())
                .unwrap_or_default();
            mc.by_year.iter().map(move |y| {
                let mut r = vec![id.clone(), mc.unit.clone(), y.year.to_string()];
                r.push(cell(y.eud));
                r.push(opt(y.eud_se));
                r.push(currency.clone());
                r.extend([y.price_mean, y.price_mean_se, y.cost, y.cost_se].map(opt));
                r
            })
        })
        .collect();
    csv_bytes("comparison_years.csv", &header, rows)
}

/// `sensitivity.csv`: per mineral and entity, in the ranked order of
/// `sensitivity.json`.
pub fn sensitivity_csv(s: &Sensitivity) -> Result<Vec<u8>> {
    let mut header = vec![
        "mineral",
        "rank",
        "entity",
        "kind",
        "delta_eud_total",
        "delta_eud_total_se",
        "delta_p_any_shortfall",
        "delta_p_any_shortfall_se",
    ];
    // Market columns only when some mineral is on a world market.
    let market = s
        .minerals
        .0
        .iter()
        .any(|(_, es)| es.iter().any(|e| e.delta_cost_total.is_some()));
    if market {
        header.extend([
            "delta_cost_total",
            "delta_cost_total_se",
            "delta_p_price_spike",
            "delta_p_price_spike_se",
        ]);
    }
    let rows: Vec<Vec<String>> = s
        .minerals
        .0
        .iter()
        .flat_map(|(id, entries)| {
            entries.iter().enumerate().map(move |(i, e)| {
                let mut r = vec![
                    id.clone(),
                    (i + 1).to_string(),
                    e.entity.clone(),
                    e.kind.to_string(),
                ];
                r.extend(
                    [
                        e.delta_eud_total,
                        e.delta_eud_total_se,
                        e.delta_p_any_shortfall,
                        e.delta_p_any_shortfall_se,
                    ]
                    .map(cell),
                );
                if market {
                    r.extend(
                        [
                            e.delta_cost_total,
                            e.delta_cost_total_se,
                            e.delta_p_price_spike,
                            e.delta_p_price_spike_se,
                        ]
                        .map(opt),
                    );
                }
                r
            })
        })
        .collect();
    csv_bytes("sensitivity.csv", &header, rows)
}

/// `sweep.csv`: one row per point and mineral.
pub fn sweep_csv(sweep: &crate::sweep::Sweep) -> Result<Vec<u8>> {
    let mut header = vec![
        "parameter",
        "value",
        "as_written",
        "mineral",
        "p_any_shortfall",
        "p_any_shortfall_se",
        "expected_shortfall_years",
        "expected_shortfall_years_se",
        "eud_total",
        "eud_total_se",
        "unserved_p95",
        "cvar95",
        "delta_eud_total",
        "delta_eud_total_se",
        "delta_p_any_shortfall",
        "delta_p_any_shortfall_se",
    ];
    // Market columns only when some mineral is on a world market.
    let market_columns = sweep
        .points
        .iter()
        .any(|p| p.minerals.0.iter().any(|(_, m)| m.cost_total.is_some()));
    if market_columns {
        header.extend([
            "cost_total",
            "cost_total_se",
            "p_price_spike",
            "p_price_spike_se",
            "delta_cost_total",
            "delta_cost_total_se",
            "delta_p_price_spike",
            "delta_p_price_spike_se",
        ]);
    }
    let mut rows = Vec::new();
    // A value the file does not give as a number is an empty cell.
    for (value, minerals, written) in sweep.listed() {
        let value = value.map_or(String::new(), cell);
        for (id, m) in &minerals.0 {
            let nums = [
                m.p_any_shortfall,
                m.p_any_shortfall_se,
                m.expected_shortfall_years,
                m.expected_shortfall_years_se,
                m.eud_total,
                m.eud_total_se,
                m.unserved_p95,
                m.cvar95,
                m.delta_eud_total,
                m.delta_eud_total_se,
                m.delta_p_any_shortfall,
                m.delta_p_any_shortfall_se,
            ];
            let market = [
                m.cost_total,
                m.cost_total_se,
                m.p_price_spike,
                m.p_price_spike_se,
                m.delta_cost_total,
                m.delta_cost_total_se,
                m.delta_p_price_spike,
                m.delta_p_price_spike_se,
            ];
            let mut row = vec![
                sweep.parameter.clone(),
                value.clone(),
                written.to_string(),
                id.clone(),
            ];
            row.extend(nums.iter().map(|&v| cell(v)));
            if market_columns {
                // An empty cell where a metric does not apply to the mineral.
                row.extend(market.iter().map(|&v| opt(v)));
            }
            rows.push(row);
        }
    }
    csv_bytes("sweep.csv", &header, rows)
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_read_back_exactly_and_stay_short() {
        let cases = [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (0.25, "0.25"),
            (1e-5, "0.00001"),
            (9.5e-6, "9.5e-6"),
            (-3e-7, "-3e-7"),
            (5e-324, "5e-324"),
            (1234.5, "1234.5"),
            (9.0e15, "9000000000000000"),
            (1e16, "1e16"),
            (-1.5e20, "-1.5e20"),
            (f64::MAX, "1.7976931348623157e308"),
        ];
        for (x, text) in cases {
            assert_eq!(cell(x), text, "{x:e}");
            assert_eq!(cell(x).parse::<f64>().unwrap().to_bits(), x.to_bits());
        }
        assert_eq!(cell(f64::NAN), "NaN");
        assert_eq!(cell(f64::INFINITY), "inf");
    }
}
