//! The world-market parts of a run's page: each mineral's market finding
//! and the table of prices and costs.

use super::{pct, Table};
use crate::output::{fmt_multiple, fmt_pm, fmt_sig};
use crate::summary::{MineralSummary, Summary};

/// A mineral's world-market finding: how often the price spikes and what
/// the market's prices cost the consumer; `None` for a mineral without a
/// market. `threshold` is the market's spike threshold, if known.
pub fn market_finding(
    id: &str,
    m: &MineralSummary,
    threshold: Option<f64>,
    years: usize,
) -> Option<String> {
    let currency = m.currency.as_deref()?;
    let (p, p_se) = (m.p_price_spike?, m.p_price_spike_se.unwrap_or(0.0));
    let (c, c_se) = (m.cost_total?, m.cost_total_se.unwrap_or(0.0));
    let above = threshold.map_or_else(
        || "above the spike threshold".to_string(),
        |t| format!("above {} times the reference price", fmt_multiple(t)),
    );
    let spike = if p == 0.0 {
        format!("the year's average price was never {above} in any trial")
    } else {
        format!(
            "the year's average price is {above} in at least one year in {} of {years}-year horizons",
            pct(p, p_se)
        )
    };
    let cost = if c.abs() < crate::plot::Z95 * c_se {
        format!(
            "the consumer's expected cost of the market's prices over the horizon is not clearly different from paying the reference price ({} {currency}, under 1.96 standard errors from 0)",
            fmt_pm(c, c_se)
        )
    } else if c >= 0.0 {
        format!(
            "the consumer's expected cost of the market's prices over the horizon is {} {currency}",
            fmt_pm(c, c_se)
        )
    } else {
        format!(
            "the consumer expects to save {} {currency} over the horizon against the reference price",
            fmt_pm(-c, c_se)
        )
    };
    let tail = m
        .cost_p95
        .filter(|q| *q > 0.0)
        .map(|q| format!(" (in 1 horizon in 20, {} {currency} or more)", fmt_sig(q)))
        .unwrap_or_default();
    Some(format!("{id} (world market): {spike}; {cost}{tail}."))
}

/// The largest value and its year, the first year where several share it
/// (a price held at its cap from 2044 peaks in 2044, not in the last year).
fn first_peak(values: impl Iterator<Item = (f64, i64)>) -> Option<(f64, i64)> {
    values.fold(None, |best, (x, year)| match best {
        Some((b, _)) if b >= x => best,
        _ => Some((x, year)),
    })
}

/// The world-market table of a run: one row per mineral traded on a world
/// market; `None` when there is none.
pub fn market_table(summary: &Summary) -> Option<Table> {
    let rows: Vec<Vec<String>> = summary
        .minerals
        .0
        .iter()
        .filter_map(|(id, m)| {
            let mut cells = crate::output::market_cells(id, m)?;
            // A page gives the chance of a spike in percent.
            if let (Some(p), Some(se)) = (m.p_price_spike, m.p_price_spike_se) {
                cells[1] = crate::output::fmt_pct_pm(p, se);
            }
            let peak = first_peak(
                m.years
                    .iter()
                    .filter_map(|y| y.price_mean.map(|x| (x, y.year))),
            )
            .map(|(x, year)| format!("{}× in {year}", fmt_multiple(x)))
            .unwrap_or_default();
            cells.push(peak);
            Some(cells)
        })
        .collect();
    (!rows.is_empty()).then(|| Table {
        caption: "World market results per mineral (± one standard error; costs in the market's currency)".to_string(),
        header: [
            "mineral",
            "P(price spike year) p_price_spike",
            "expected cost cost_total",
            "1-in-20 cost cost_p95",
            "highest yearly mean price multiple",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cost_within_noise_of_zero_is_not_called_a_saving_or_a_cost() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/example-market.toml");
        let s = crate::scenario::Scenario::load(std::path::Path::new(path)).unwrap();
        let agg = crate::engine::simulate(&s, 1, 200, None);
        let summary = Summary::new(&s, 1, &agg);
        let mut m = summary.minerals.get("copper").unwrap().clone();
        let mut finding = |c: f64, se: f64| {
            (m.cost_total, m.cost_total_se) = (Some(c), Some(se));
            market_finding("copper", &m, Some(1.3), 10).unwrap()
        };
        assert!(finding(-57.0, 42.0).contains(
            "is not clearly different from paying the reference price (-57 ± 42 USD million, under 1.96 standard errors from 0)"
        ));
        assert!(finding(57.0, 29.5).contains("is not clearly different"));
        assert!(finding(-57.0, 29.0).contains("the consumer expects to save 57 ± 29 USD million"));
        assert!(finding(57.0, 29.0).contains(
            "expected cost of the market's prices over the horizon is 57 ± 29 USD million"
        ));
        assert!(finding(0.0, 0.0).contains("is 0 ± 0 USD million"));
    }

    #[test]
    fn a_peak_shared_by_several_years_is_named_by_the_first() {
        let years = [(2.0, 2026), (5.0, 2030), (5.0, 2031), (4.0, 2032)];
        assert_eq!(first_peak(years.into_iter()), Some((5.0, 2030)));
        assert_eq!(first_peak(std::iter::empty()), None);
    }
}
