//! The sentences of a comparison: per mineral, what the alternative does
//! to expected unserved demand, the chance of a shortfall year, the
//! consumer's expected cost and the chance of a price spike, and what its
//! equivalent firm supply means.

use crate::compare::{added_stock_room, added_supply, Comparison, EFS_TOLERANCE};
use crate::output::{fmt_digits, fmt_pm, fmt_share};
use crate::scenario::Scenario;

/// One sentence per market mineral: what the alternative does to the
/// consumer's expected cost and to the chance of a price spike; where
/// either scenario holds a stockpile of it, that its purchases and sales
/// are not in that cost.
pub(super) fn market_findings(c: &Comparison, base: &Scenario, alt: &Scenario) -> Vec<String> {
    let stocked = |s: &Scenario, id: &str| {
        s.mineral_index(id)
            .is_some_and(|i| s.minerals[i].stockpile.is_some())
    };
    c.minerals
        .0
        .iter()
        .filter_map(|(id, mc)| {
            let b = c.baseline.minerals.get(id)?;
            let a = c.alternative.minerals.get(id)?;
            let d = &mc.delta;
            let (cost, se) = (d.cost_total?, d.cost_total_se?);
            let money = b.currency.clone().unwrap_or_default();
            let verb = if cost <= 0.0 { "cuts" } else { "raises" };
            let (pb, pa) = (b.p_price_spike?, a.p_price_spike?);
            let (dp, dp_se) = (d.p_price_spike?, d.p_price_spike_se?);
            let spike = match two_chances(pb, pa, dp, dp_se) {
                Some((from, to)) => {
                    format!("moves the chance of a price spike year from {from} to {to}")
                }
                None => format!(
                    "leaves the chance of a price spike year at {} (paired change {})",
                    fmt_share(pb),
                    fmt_pm(dp, dp_se)
                ),
            };
            let reserve = if stocked(base, id) || stocked(alt, id) {
                " The cost leaves out the stockpile's own purchases and sales, which the owner pays or receives at market prices: set them, and the cost of financing the stock, against it."
            } else {
                ""
            };
            let change = if cost == 0.0 && se == 0.0 {
                "leaves the consumer's expected cost over the horizon unchanged".to_string()
            } else {
                format!(
                    "{verb} the consumer's expected cost over the horizon by {} {money} (paired)",
                    fmt_pm(cost.abs(), se)
                )
            };
            Some(format!("{id}: the alternative {change}, and {spike}.{reserve}"))
        })
        .collect()
}

/// A chance in the baseline and in the alternative, as findings give
/// them: in percent to one decimal, or, where those read the same but
/// the paired change `d` is clear (at least 1.96 paired standard errors
/// `se`), to the fewest decimals (2 to 4) that tell them apart. `None`
/// where they read the same and the change is not clear: the chance
/// stays where it was.
fn two_chances(b: f64, a: f64, d: f64, se: f64) -> Option<(String, String)> {
    let (from, to) = (fmt_share(b), fmt_share(a));
    if from != to {
        return Some((from, to));
    }
    if d == 0.0 || d.abs() < crate::plot::Z95 * se {
        return None;
    }
    let at = |k: usize| (format!("{:.k$}%", 100.0 * b), format!("{:.k$}%", 100.0 * a));
    (2..4).map(at).find(|(f, t)| f != t).or(Some(at(4)))
}

/// Whether a mineral's change of expected unserved demand is within its
/// paired noise (under 1.96 standard errors): its equivalent firm supply
/// then measures noise.
pub(super) fn within_noise(mc: &crate::compare::MineralComparison) -> bool {
    mc.delta.eud_total.abs() < crate::plot::Z95 * mc.delta.eud_total_se
}

/// What equivalent firm supply means, and a caveat per mineral where it
/// exceeds what the alternative adds in capacity and stock.
pub(super) fn efs_notes(c: &Comparison, base: &Scenario, alt: &Scenario) -> Vec<String> {
    let mut notes = vec![
        "Equivalent firm supply: the constant, never-disrupted supply a year that, added to the baseline, gives the alternative's expected unserved demand (found to within 1% of it, so given to two significant digits; comparison.json holds the value found).".to_string(),
    ];
    for (id, mc) in &c.minerals.0 {
        let u = &mc.unit;
        match mc.equivalent_firm_supply {
            None => notes.push(format!(
                "{id}: n/a, the alternative's expected unserved demand is not below the baseline's."
            )),
            Some(f) if within_noise(mc) => notes.push(format!(
                "{id}: no clear change ({} {u}, under 1.96 paired standard errors), so its equivalent firm supply ({} {u}/yr in comparison.json) measures noise.",
                fmt_pm(mc.delta.eud_total, mc.delta.eud_total_se),
                fmt_digits(f, 2),
            )),
            Some(f) => {
                let added = added_supply(base, alt, id);
                let room = added_stock_room(base, alt, id);
                if added == 0.0 && room == 0.0 {
                    notes.push(format!(
                        "{id}: {} {u}/yr of firm supply, where the alternative adds no capacity or stock: the change comes from its other settings (demand, project timing or success, disruptions, stockpile rules), not from more supply.",
                        fmt_digits(f, 2),
                    ));
                } else if f > added * (1.0 + EFS_TOLERANCE) {
                    let mut what = format!(
                        "{} {u}/yr of capacity and initial stock (spread over the horizon)",
                        fmt_digits(added, 2)
                    );
                    if room > 0.0 {
                        what += &format!(
                            " and room for {} {u} more in its stockpile, which it fills",
                            fmt_digits(room, 2)
                        );
                    }
                    notes.push(format!(
                        "{id}: {} {u}/yr of firm supply, where the alternative adds {what}: its supply or stock comes when it is needed (a reserve that releases in shortfalls and refills, a source outside the disruptions), which firm supply spread evenly over every year matches only at a higher level.",
                        fmt_digits(f, 2),
                    ));
                }
            }
        }
    }
    notes
}

/// One sentence per mineral compared: the paired change of expected
/// unserved demand and of the chance of a shortfall year.
pub(super) fn findings(c: &Comparison) -> Vec<String> {
    c.minerals
        .0
        .iter()
        .filter_map(|(id, mc)| {
            let b = c.baseline.minerals.get(id)?;
            let a = c.alternative.minerals.get(id)?;
            let d = &mc.delta;
            Some(if d.eud_total == 0.0 && d.eud_total_se == 0.0 {
                format!("{id}: the same in both scenarios.")
            } else {
                let what = crate::year_changes::unserved_of(id, b.currency.is_some());
                let (pb, pa) = (b.p_any_shortfall, a.p_any_shortfall);
                let chance = match two_chances(pb, pa, d.p_any_shortfall, d.p_any_shortfall_se) {
                    Some((from, to)) => {
                        format!("the chance of at least one shortfall year from {from} to {to}")
                    }
                    None => {
                        let from = fmt_share(pb);
                        let at = if from.starts_with(['o', 'u']) { "" } else { "at " };
                        format!("the chance of at least one shortfall year stays {at}{from}")
                    }
                };
                format!(
                    "{id}: the alternative changes expected {what} by {} {} (paired){}, and {chance}.",
                    fmt_pm(d.eud_total, d.eud_total_se),
                    mc.unit,
                    mc.risk_reduction
                        .map(|r| format!(", a {:.1}% {}", 100.0 * r.abs(), if r >= 0.0 { "cut" } else { "rise" }))
                        .unwrap_or_default(),
                )
            })
        })
        .collect()
}

/// Findings in the comparison's mineral order, each mineral's together
/// (each finding starts with its mineral's id), otherwise as they came.
pub(super) fn by_mineral(c: &Comparison, mut findings: Vec<String>) -> Vec<String> {
    let rank = |f: &String| {
        c.minerals.0.iter().position(|(id, _)| {
            f.strip_prefix(id.as_str())
                .is_some_and(|rest| rest.starts_with([':', ',']))
        })
    };
    findings.sort_by_key(|f| rank(f).unwrap_or(usize::MAX));
    findings
}

#[cfg(test)]
mod tests {
    use super::two_chances;

    #[test]
    fn chances_that_read_alike_are_told_apart_only_where_the_change_is_clear() {
        // (baseline, alternative, paired change, its standard error, as read)
        let cases = [
            // Apart at one decimal: as they are, clear or not.
            (0.132, 0.094, -0.038, 0.001, Some(("13.2%", "9.4%"))),
            (0.132, 0.131, -0.001, 0.01, Some(("13.2%", "13.1%"))),
            // Alike at one decimal, a change of 6 standard errors.
            (
                0.99440,
                0.99370,
                -0.0007,
                0.00012,
                Some(("99.44%", "99.37%")),
            ),
            // Alike at two decimals, apart at three.
            (
                0.99442,
                0.99436,
                -0.00006,
                0.00001,
                Some(("99.442%", "99.436%")),
            ),
            // Alike at one decimal and within noise: no change to report.
            (0.9944, 0.9937, -0.0007, 0.0004, None),
            (0.5, 0.5, 0.0, 0.0, None),
        ];
        for (b, a, d, se, read) in cases {
            let want = read.map(|(f, t): (&str, &str)| (f.to_string(), t.to_string()));
            assert_eq!(two_chances(b, a, d, se), want, "{b} {a}");
        }
    }
}
