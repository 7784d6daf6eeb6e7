//! Stockpiles on the report page: how often each runs empty and what it
//! holds by the end of the horizon.

use super::Table;
use crate::output::{fmt_pct_pm, fmt_sig};
use crate::summary::{MineralSummary, Summary};

/// The year-end stock's 5th, 50th and 95th percentiles in the horizon's
/// last year, and the lowest year-end median with its year.
fn stock_numbers(m: &MineralSummary) -> Option<([f64; 3], (f64, i64))> {
    let end = m.end_stock()?;
    // The first of equal lows.
    let lowest = m
        .years
        .iter()
        .filter_map(|y| Some((y.stock_p50?, y.year)))
        .min_by(|a, b| a.0.total_cmp(&b.0))?;
    Some((end, lowest))
}

/// The stockpiles' table: a row per mineral with a stockpile; `None`
/// when no mineral has one.
pub fn stock_table(summary: &Summary) -> Option<Table> {
    let last_year = summary.start_year + summary.years as i64 - 1;
    let rows: Vec<Vec<String>> = summary
        .minerals
        .0
        .iter()
        .filter_map(|(id, m)| {
            let (p, p_se) = (m.p_stock_empty?, m.p_stock_empty_se.unwrap_or(0.0));
            let (end, (low, low_year)) = stock_numbers(m)?;
            let amount = |v: f64| format!("{} {}", fmt_sig(v), m.unit);
            Some(vec![
                id.clone(),
                fmt_pct_pm(p, p_se),
                amount(end[0]),
                amount(end[1]),
                amount(end[2]),
                format!("{} in {low_year}", amount(low)),
            ])
        })
        .collect();
    (!rows.is_empty()).then(|| Table {
        caption: format!(
            "Stockpiles per mineral (± one standard error; stock at the end of {last_year} across trials)"
        ),
        header: [
            "mineral",
            "P(runs empty) p_stock_empty",
            "stock p5",
            "stock p50",
            "stock p95",
            "lowest median year-end stock",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    })
}

/// A mineral's stockpile finding: how often it runs empty and what it
/// holds at the end of the horizon; `None` without a stockpile.
pub fn stock_finding(id: &str, m: &MineralSummary, summary: &Summary) -> Option<String> {
    let p = m.p_stock_empty?;
    let p_se = m.p_stock_empty_se.unwrap_or(0.0);
    let (end, _) = stock_numbers(m)?;
    let u = &m.unit;
    Some(format!(
        "{id} stockpile: runs empty in {} of {}-year horizons; at the end of {} it holds {} {u} in the median horizon ({} to {} {u}, 5th to 95th percentile).",
        super::pct(p, p_se),
        summary.years,
        summary.start_year + summary.years as i64 - 1,
        fmt_sig(end[1]),
        fmt_sig(end[0]),
        fmt_sig(end[2]),
    ))
}
