//! What each metric on a page means: the glossary every page ends with,
//! and the terms of world markets and stockpiles, for the runs that have
//! them.

use crate::summary::{MineralSummary, Summary};

/// What each metric means, for readers of the report.
pub const GLOSSARY: [(&str, &str); 10] = [
    ("p_any_shortfall", "Probability that at least one year of the horizon is a shortfall year: a year whose unserved demand exceeds the mineral's threshold share of that year's demand (5% unless the scenario says otherwise)."),
    ("expected_shortfall_years", "Expected number of shortfall years over the horizon."),
    ("eud_total", "Expected unserved demand: the amount of demand, summed over the horizon, that neither supply nor the stockpile could meet, averaged over all trials (in the mineral's unit)."),
    ("unserved_share", "eud_total as a share of expected total demand over the horizon."),
    ("unserved_p95", "95th percentile of the horizon's total unserved amount: in one simulated decade out of twenty, at least this much goes unserved (p50, p90 and p99 likewise)."),
    ("cvar95", "Average total unserved amount in the worst 5% of trials: how bad the bad cases are."),
    ("p_shortfall (by year)", "Probability that that year is a shortfall year."),
    ("supply p5-p95 (by year)", "Spread of the year's accessible supply across trials, before any stockpile release."),
    ("hhi / hhi_with_projects", "Herfindahl-Hirschman index (0-10,000) of the consumer's normal-time supply by country, without and with new projects at full capacity. Above 1,500 is moderately and above 2,500 highly concentrated."),
    ("± (standard error)", "Every probability and mean is a Monte Carlo estimate; the figure after ± is its standard error. The true value under the scenario lies within about two standard errors with 95% confidence. It measures simulation noise only, not whether the scenario's assumptions are right."),
];

/// The glossary's terms for the results a run has beyond [`GLOSSARY`]:
/// world markets' prices and costs, stockpiles' stock.
pub fn glossary_extra(summary: &Summary) -> Vec<(String, String)> {
    let any = |f: fn(&MineralSummary) -> bool| summary.minerals.0.iter().any(|(_, m)| f(m));
    let mut out = Vec::new();
    if any(|m| m.currency.is_some()) {
        for (t, m) in MARKET_GLOSSARY {
            out.push((t.to_string(), m.to_string()));
        }
    }
    if any(|m| m.p_stock_empty.is_some()) {
        for (t, m) in STOCK_GLOSSARY {
            out.push((t.to_string(), m.to_string()));
        }
    }
    out
}

/// What the results of a world market mean.
pub const MARKET_GLOSSARY: [(&str, &str); 6] = [
    ("price multiple", "A world market's price as a multiple of its reference price: 1 is the reference price, 2 twice it. The price charts show the year's average over its steps."),
    ("p_price_spike", "Probability that in at least one year of the horizon the year's average price is above the market's spike threshold (a price multiple, 1.5 unless the scenario says otherwise)."),
    ("cost_total", "The consumer's expected cost of the world market's prices over the horizon, in the market's currency: what buying at the market price costs against buying at the reference price (the loss of consumer surplus), less the gain on fixed-price offtake. Negative when prices stay below the reference price. Purchases and sales of the stockpile are not part of it."),
    ("cost_p95", "95th percentile of the horizon's cost: in 1 horizon in 20 the cost is at least this much."),
    ("served (world market)", "For a mineral traded on a world market, the supply chart shows what the consumer is served, which never exceeds its demand; the demand left unserved is what high prices price out or rationing leaves unmet."),
    ("hhi (world market)", "For a mineral traded on a world market, the concentration of the world's refined (product-level) capacity by country, not of the consumer's own supply."),
];

/// What the results of a stockpile mean.
pub const STOCK_GLOSSARY: [(&str, &str); 2] = [
    (
        "stock p5-p95 (by year)",
        "Spread across trials of the stock held in the stockpile at the end of each year.",
    ),
    (
        "p_stock_empty",
        "Probability that the stockpile runs empty at the end of some step in which it released.",
    ),
];

/// What the results of a comparison of two scenarios mean.
pub const COMPARE_GLOSSARY: [(&str, &str); 4] = [
    (
        "risk_reduction",
        "The share of the baseline's expected unserved demand (eud_total) that the alternative removes: 1 - alternative / baseline. 25% means a quarter less demand goes unserved; negative when the alternative is worse; n/a when the baseline leaves none unserved.",
    ),
    (
        "equivalent firm supply",
        "The constant, never-disrupted supply a year that, added to the baseline, would remove as much expected unserved demand as the alternative does: the alternative's effect in units a year of firm supply.",
    ),
    (
        "paired standard error",
        "Both scenarios run the same trials with the same random draws, so their difference is estimated trial by trial: its standard error (after ±) is far smaller than either run's own, and a change more than 1.96 of them from 0 is clear at 95%.",
    ),
    (
        "changes by year",
        "Each year's change, alternative minus baseline, with standard errors from the means of chunks of 1,024 trials of each run (paired batch means). A finding names a year only where its change is clear at 95% for all the horizon's years together.",
    ),
];

/// A page table's column for a result: a few words, then the result's
/// key, which the glossary explains (`expected unserved eud_total`), as the
/// run page's headline table has them. Keys without words stay as they are.
pub fn column(key: &str) -> String {
    let words = match key {
        "eud_total" => "expected unserved",
        "p_any_shortfall" => "P(any shortfall year)",
        "cvar95" => "worst 5% mean",
        "cost_total" => "expected cost",
        "p_price_spike" => "P(price spike year)",
        "risk_reduction" => "share cut",
        _ => return key.to_string(),
    };
    format!("{words} {key}")
}

/// A console table's header as a page gives it: each result's key in it
/// preceded by its words ([`column()`]), so `change in eud_total` becomes
/// `change in expected unserved eud_total`.
pub fn page_header(console: &[&str]) -> Vec<String> {
    console
        .iter()
        .map(|cell| cell.split(' ').map(column).collect::<Vec<_>>().join(" "))
        .collect()
}

/// The world market's terms ([`MARKET_GLOSSARY`]) for a page of a
/// scenario that has a world market, else none.
pub fn market_glossary(market: bool) -> Vec<(String, String)> {
    MARKET_GLOSSARY
        .iter()
        .filter(|_| market)
        .map(|(t, m)| (t.to_string(), m.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_header_puts_words_before_each_key() {
        assert_eq!(
            page_header(&[
                "mineral",
                "change in eud_total",
                "p_any_shortfall",
                "eud_total baseline"
            ]),
            [
                "mineral",
                "change in expected unserved eud_total",
                "P(any shortfall year) p_any_shortfall",
                "expected unserved eud_total baseline"
            ]
        );
    }

    #[test]
    fn every_key_with_words_is_in_a_glossary() {
        let terms: Vec<&str> = GLOSSARY
            .iter()
            .chain(&MARKET_GLOSSARY)
            .chain(&COMPARE_GLOSSARY)
            .map(|(t, _)| *t)
            .collect();
        for key in [
            "eud_total",
            "p_any_shortfall",
            "cvar95",
            "cost_total",
            "p_price_spike",
            "risk_reduction",
        ] {
            assert_ne!(column(key), key);
            assert!(terms.contains(&key), "{key} is not explained");
        }
    }
}
