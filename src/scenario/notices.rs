//! Notices about a valid scenario that its results depend on more than
//! its disruptions do.

use super::{Scenario, Stage};
use crate::output::fmt_short;

/// One line per physical mineral (no world market, no stages) whose mean
/// demand, in some year, exceeds what all of its sources deliver at full
/// output to the consumer (`capacity x access`, every project counted as
/// online and at full output from the start, with any firm supply) and
/// what its stockpile can release by more than its shortfall threshold
/// (the stock drawn as fast as it may be, and refilled in years of
/// surplus): those years are shortfall years with no disruption at all,
/// so their results measure that gap rather than disruption risk. Often
/// the sign of sources left out of the file. Then one line per event
/// that lists no source in `affects`, or only sources of exposure 0: it
/// can change no result.
pub fn notices(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for (i, m) in s.minerals.iter().enumerate() {
        let mut sources = m.sources.iter().map(|&j| &s.sources[j]);
        if m.market.is_some() || sources.any(|x| x.stage != Stage::Product) {
            continue;
        }
        let full = s.max_annual_supply(i);
        let mut stock = m.stockpile.map_or(0.0, |k| k.initial);
        let short: Vec<usize> = (0..s.years)
            .filter(|&y| {
                let demand = m.demand.trend(y);
                let Some(k) = m.stockpile else {
                    return demand * (1.0 - m.shortfall_threshold) > full;
                };
                if demand <= full {
                    stock = (stock + k.refill_per_year.min(full - demand)).min(k.capacity);
                    return false;
                }
                let release = stock.min(k.max_release_per_year).min(demand - full);
                stock -= release;
                demand - full - release > m.shortfall_threshold * demand
            })
            .collect();
        let Some(&first) = short.first() else {
            continue;
        };
        let year = s.start_year + first as i64;
        let when = if short.len() == s.years {
            "in every year".to_string()
        } else if short.len() == 1 {
            "in that year only".to_string()
        } else {
            format!("in {} of {} years from then", short.len(), s.years)
        };
        let stock = if m.stockpile.is_some() {
            " and its stockpile"
        } else {
            ""
        };
        out.push(format!(
            "{}: all of its sources at full output, projects included,{stock} fall short of mean demand by more than its shortfall threshold ({} against {} {} a year in {year}), {when}: such years are shortfall years without any disruption, so their results measure that gap rather than disruption risk (are sources missing?)",
            m.id,
            fmt_short(full),
            fmt_short(m.demand.trend(first)),
            m.unit,
        ));
    }
    for e in &s.events {
        let what = if e.affects.is_empty() {
            "its `affects` lists no source"
        } else if e.affects.iter().all(|&(_, exposure)| exposure == 0.0) {
            "every source in its `affects` has exposure 0"
        } else {
            continue;
        };
        out.push(format!(
            "event {}: {what}, so it changes no result (are sources missing from it?)",
            e.id
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
        assert!(
            last[0].contains("in 2028), in that year only:"),
            "{}",
            last[0]
        );
    }

    fn with(extra: &str) -> Scenario {
        let base = "[scenario]\nname = \"n\"\nstart_year = 2026\nyears = 3\n\n[[mineral]]\nid = \"cu\"\nunit = \"kt\"\ndemand = { base = 100.0 }\n\n";
        Scenario::from_toml_str(&format!("{base}{extra}"), "n.toml").unwrap()
    }

    #[test]
    fn a_stockpile_counts_as_far_as_it_reaches_and_stages_are_left_alone() {
        let source = "[[source]]\nid = \"a\"\nmineral = \"cu\"\ncapacity = 70.0\n\n";
        let stock = |initial: f64| {
            format!("{source}[[stockpile]]\nmineral = \"cu\"\ninitial = {initial}\ncapacity = {initial}\nmax_release_per_year = 40.0\n")
        };
        // 30 a year short: a stock of 100 covers three years.
        assert!(notices(&with(&stock(100.0))).is_empty());
        // A stock of 50 covers the first year, 20 of the second's 30.
        let n = notices(&with(&stock(50.0)));
        assert!(
            n[0].contains("projects included, and its stockpile fall short")
                && n[0].contains("(70 against 100 kt a year in 2027), in 2 of 3 years from then"),
            "{}",
            n[0]
        );
        // Mines and refineries: what feed delivers is the engine's to say.
        let stages = "[[source]]\nid = \"m\"\nmineral = \"cu\"\nstage = \"mine\"\ncapacity = 10.0\n\n[[source]]\nid = \"r\"\nmineral = \"cu\"\nstage = \"refinery\"\ncapacity = 10.0\n";
        assert!(notices(&with(stages)).is_empty());
    }

    #[test]
    fn an_event_that_hits_no_source_is_named() {
        let source = "[[source]]\nid = \"a\"\nmineral = \"cu\"\ncapacity = 100.0\n\n";
        let event = |affects: &str| {
            format!("{source}[[event]]\nid = \"e\"\nrate = 0.5\nseverity = 0.5\nduration_months = 2\naffects = [{affects}]\n")
        };
        assert_eq!(
            notices(&with(&event(""))),
            ["event e: its `affects` lists no source, so it changes no result (are sources missing from it?)"]
        );
        assert!(notices(&with(&event("{ source = \"a\" }"))).is_empty());
        assert_eq!(
            notices(&with(&event("{ source = \"a\", exposure = 0.0 }"))),
            ["event e: every source in its `affects` has exposure 0, so it changes no result (are sources missing from it?)"]
        );
    }
}
