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
            let what = "the chance of a price spike year";
            let pm = fmt_pm(dp, dp_se);
            let spike = match read_chances(pb, pa, dp, dp_se) {
                Reading::Apart { from, to, clear } => {
                    format!("moves {what} from {from} to {to}{}", noise(clear, &pm))
                }
                Reading::Alike { at, clear: true } => {
                    format!("changes {what} by {pm} (paired), {at} in both to one decimal")
                }
                Reading::Alike { at, clear: false } => {
                    format!("leaves {what} at {at} (paired change {pm})")
                }
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

/// How a finding reads a chance in the baseline and in the alternative:
/// in percent to one decimal (more would claim what each chance's own
/// standard error does not support), with whether the paired change is
/// clear (at least 1.96 paired standard errors).
#[derive(Debug, PartialEq)]
enum Reading {
    /// The two read apart.
    Apart {
        from: String,
        to: String,
        clear: bool,
    },
    /// The two read alike.
    Alike { at: String, clear: bool },
}

/// [`Reading`] of chances `b` and `a` whose paired change is `d` with
/// standard error `se`.
fn read_chances(b: f64, a: f64, d: f64, se: f64) -> Reading {
    let (from, to) = (fmt_share(b), fmt_share(a));
    let clear = d != 0.0 && d.abs() >= crate::plot::Z95 * se;
    if from == to {
        Reading::Alike { at: from, clear }
    } else {
        Reading::Apart { from, to, clear }
    }
}

/// What follows a change that reads apart: nothing when it is clear, else
/// that it is within noise, with the paired change `pm`.
fn noise(clear: bool, pm: &str) -> String {
    if clear {
        String::new()
    } else {
        format!(", within noise (paired change {pm})")
    }
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
                let (dp, dp_se) = (d.p_any_shortfall, d.p_any_shortfall_se);
                let chance_of = "the chance of at least one shortfall year";
                let pm = fmt_pm(dp, dp_se);
                let chance = match read_chances(pb, pa, dp, dp_se) {
                    Reading::Apart { from, to, clear } => {
                        format!("{chance_of} from {from} to {to}{}", noise(clear, &pm))
                    }
                    Reading::Alike { at, clear: true } => {
                        format!("{chance_of} by {pm} (paired), {at} in both to one decimal")
                    }
                    Reading::Alike { at, clear: false } => {
                        let stays = if at.starts_with(['o', 'u']) { "stays" } else { "stays at" };
                        format!("{chance_of} {stays} {at}")
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
    use super::{read_chances, Reading};

    #[test]
    fn chances_read_to_one_decimal_with_whether_their_change_is_clear() {
        let apart = |f: &str, t: &str, clear| Reading::Apart {
            from: f.into(),
            to: t.into(),
            clear,
        };
        let alike = |at: &str, clear| Reading::Alike {
            at: at.into(),
            clear,
        };
        // (baseline, alternative, paired change, its standard error, reading)
        let cases = [
            (0.132, 0.094, -0.038, 0.001, apart("13.2%", "9.4%", true)),
            (0.132, 0.131, -0.001, 0.01, apart("13.2%", "13.1%", false)),
            // A change of 6 standard errors that one decimal does not show.
            (0.99440, 0.99370, -0.0007, 0.00012, alike("99.4%", true)),
            (0.9944, 0.9937, -0.0007, 0.0004, alike("99.4%", false)),
            (0.5, 0.5000004, 4e-7, 1e-7, alike("50.0%", true)),
            (0.5, 0.5, 0.0, 0.0, alike("50.0%", false)),
            (0.9996, 0.9997, 1e-4, 1e-5, alike("over 99.9%", true)),
        ];
        for (b, a, d, se, want) in cases {
            assert_eq!(read_chances(b, a, d, se), want, "{b} {a}");
        }
    }
}
