//! Every table the commands print, as CSV with full-precision numbers for
//! analysts' own tools: `summary.csv` (one row per mineral),
//! `comparison.csv` (one row per mineral compared) and `sensitivity.csv`
//! (one row per mineral and entity). Empty cells stand for values that do
//! not exist (a risk reduction without baseline risk).

use crate::compare::Comparison;
use crate::error::{Error, Result};
use crate::sensitivity::Sensitivity;
use crate::summary::Summary;

/// A CSV document from a header and rows of cells; `name` names the
/// file in errors. Every CSV file of the program is written by it.
pub fn csv_bytes(name: &str, header: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>> {
    let err = |e: csv::Error| Error::Other(format!("could not format {name}: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.write_record(&r).map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Other(format!("could not format {name}: {e}")))
}

/// A number as a CSV cell (shortest form that reads back exactly).
fn cell(x: f64) -> String {
    x.to_string()
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
    let rows = (0..agg.trials as usize)
        .map(|t| {
            std::iter::once(t.to_string())
                .chain(
                    agg.minerals
                        .iter()
                        .map(|m| m.totals.get(t).copied().map(cell).unwrap_or_default()),
                )
                .collect()
        })
        .collect();
    csv_bytes("the per-trial file", &header, rows)
}

/// `summary.csv`: per mineral, every horizon metric of `summary.json`.
pub fn summary_csv(summary: &Summary) -> Result<Vec<u8>> {
    let header = [
        "mineral",
        "unit",
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
    let rows = summary
        .minerals
        .0
        .iter()
        .map(|(id, m)| {
            let mut r = vec![id.clone(), m.unit.clone()];
            r.extend(
                [
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
            r
        })
        .collect();
    csv_bytes("summary.csv", &header, rows)
}

/// `comparison.csv`: per mineral compared, both runs' `eud_total` and
/// `p_any_shortfall`, the paired changes, risk reduction and equivalent
/// firm supply.
pub fn comparison_csv(c: &Comparison) -> Result<Vec<u8>> {
    let header = [
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
    let rows = c
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
            Some(r)
        })
        .collect();
    csv_bytes("comparison.csv", &header, rows)
}

/// `sensitivity.csv`: per mineral and entity, in the ranked order of
/// `sensitivity.json`.
pub fn sensitivity_csv(s: &Sensitivity) -> Result<Vec<u8>> {
    let header = [
        "mineral",
        "rank",
        "entity",
        "kind",
        "delta_eud_total",
        "delta_eud_total_se",
        "delta_p_any_shortfall",
        "delta_p_any_shortfall_se",
    ];
    let rows = s
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
                r
            })
        })
        .collect();
    csv_bytes("sensitivity.csv", &header, rows)
}
