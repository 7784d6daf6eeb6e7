//! Notices about a valid scenario that its results depend on more than
//! its disruptions do.

use super::{Scenario, Stage};
use crate::output::fmt_short;

/// One line per physical mineral (no world market, no stages) whose mean
/// demand, in some year, exceeds what all of its sources deliver at full
/// output to the consumer (`capacity x access`, every project counted as
/// online and at full output from the start, with any firm supply) by
/// more than its shortfall threshold: those years are shortfall years
/// with no disruption at all, so their results measure that gap rather
/// than disruption risk. Often the sign of sources left out of the file.
pub fn notices(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for m in &s.minerals {
        let sources = m.sources.iter().map(|&i| &s.sources[i]);
        if m.market.is_some() || sources.clone().any(|x| x.stage != Stage::Product) {
            continue;
        }
        let full = sources.map(|x| x.capacity * x.access).sum::<f64>() + m.firm_supply;
        let gap = |y: usize| m.demand.trend(y) * (1.0 - m.shortfall_threshold) > full;
        let short: Vec<usize> = (0..s.years).filter(|&y| gap(y)).collect();
        let Some(&first) = short.first() else {
            continue;
        };
        let when = if short.len() == s.years {
            "in every year".to_string()
        } else if short.len() == 1 {
            format!("in {}", s.start_year + first as i64)
        } else {
            format!(
                "in {} of {} years, from {}",
                short.len(),
                s.years,
                s.start_year + first as i64
            )
        };
        out.push(format!(
            "{}: all of its sources at full output, projects included, fall short of mean demand by more than its shortfall threshold ({} against {} {} a year in {}), {when}: such years are shortfall years without any disruption, so their results measure that gap rather than disruption risk (are sources missing?)",
            m.id,
            fmt_short(full),
            fmt_short(m.demand.trend(first)),
            m.unit,
            s.start_year + first as i64,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(demand: &str, capacity: f64) -> Scenario {
        let text = format!(
            "[scenario]\nname = \"n\"\nstart_year = 2026\nyears = 3\n\n[[mineral]]\nid = \"cu\"\nunit = \"kt\"\ndemand = {demand}\n\n[[source]]\nid = \"a\"\nmineral = \"cu\"\ncapacity = {capacity}\naccess = 0.5\n\n[[source]]\nid = \"p\"\nmineral = \"cu\"\ncapacity = 20.0\nproject = {{ online_year = 2027.0 }}\n"
        );
        Scenario::from_toml_str(&text, "n.toml").unwrap()
    }

    #[test]
    fn a_gap_between_demand_and_full_output_is_named_with_its_years() {
        // Full output: 0.5 x 100 + 20 (the project) = 70, which meets
        // 95% of a demand of 73.6 (the default threshold is 5%).
        assert!(notices(&scenario("{ base = 73.6 }", 100.0)).is_empty());
        let every = notices(&scenario("{ base = 80.0 }", 100.0));
        assert_eq!(every.len(), 1);
        assert!(
            every[0].starts_with("cu: ")
                && every[0].contains("(70 against 80 kt a year in 2026), in every year"),
            "{}",
            every[0]
        );
        // 62, 68.2, 75.02: 95% of demand is above 70 in the last year only.
        let last = notices(&scenario("{ base = 62.0, growth = 0.1 }", 100.0));
        assert!(last[0].contains("in 2028), in 2028:"), "{}", last[0]);
    }
}
