//! What the disruptions themselves account for: the baseline and the
//! diversified scenario run again with every disruption switched off
//! (same seed, so every other draw is the same, trial by trial), which
//! separates the cost of disruptions from the price level, and the new
//! sources' lower price level from the risk they take away.

use crate::text::{delta, mineral, pct, usd, Runs};
use crate::Run;
use std::fmt::Write as _;
use supplyrisk::compare::{paired, Paired};
use supplyrisk::cost_split::{cost_changes, split_changes};
use supplyrisk::output::fmt_pm;

/// Per trial, mineral `m`'s cost over the horizon.
fn costs(r: &Run, m: usize) -> impl Iterator<Item = f64> + '_ {
    r.agg.minerals[m].market_trials.iter().map(|t| t.0)
}

/// Per trial, `b`'s cost of mineral `m` minus `a`'s.
fn changes(a: &Run, b: &Run, m: usize) -> Vec<f64> {
    cost_changes(&a.agg.minerals[m], &b.agg.minerals[m])
}

/// Per trial, the sum over minerals of `f(m)`.
fn summed(n: usize, f: impl Fn(usize) -> Vec<f64>) -> Vec<f64> {
    let per: Vec<Vec<f64>> = (0..n).map(f).collect();
    (0..per[0].len())
        .map(|t| per.iter().map(|v| v[t]).sum())
        .collect()
}

/// A paired change split: the whole (`with`, as written), the part with
/// no disruptions in either run (`level`), and the rest, paired.
fn split(with: Vec<f64>, level: Vec<f64>) -> (Paired, Paired, Paired) {
    split_changes(&with, &level)
}

/// The new sources' change in cost over all four minerals: the whole, the
/// price level and the disruption risk taken away (see [`split`]).
pub fn all_four(r: &Runs) -> (Paired, Paired, Paired) {
    let n = r.base.summary.minerals.0.len();
    split(
        summed(n, |m| changes(r.base, r.div, m)),
        summed(n, |m| changes(r.base0, r.div0, m)),
    )
}

/// Section 1's table: each mineral's cost and spike risk as written and
/// with no disruption at all, and the cost of the disruptions (paired).
pub fn baseline(w: &mut String, r: &Runs) {
    let _ = writeln!(w, "### How much of it is disruption?\n");
    let _ = writeln!(w, "The cost above is measured against 2024 prices, not against a world without disruptions, and ordinary years carry price swings of their own. The baseline run again with every disruption switched off (no source or event is ever disrupted, and the DRC quotas, Grasberg and Zimbabwe are not in force; demand, projects and every other draw as before, trial by trial) shows what the disruptions themselves account for:\n");
    let _ = writeln!(w, "| mineral | expected cost, USD M: as written | no disruptions | cost of the disruptions (paired) | P(price-spike year): as written | no disruptions |");
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|");
    let n = r.base.summary.minerals.0.len();
    for (m, (id, b)) in r.base.summary.minerals.0.iter().enumerate() {
        let q = mineral(r.base0, id);
        let d = delta(r.base0, r.base, m);
        let _ = writeln!(
            w,
            "| {id} | {} | {} | {} | {} | {} |",
            fmt_pm(b.cost_total.unwrap_or(0.0), b.cost_total_se.unwrap_or(0.0)),
            fmt_pm(q.cost_total.unwrap_or(0.0), q.cost_total_se.unwrap_or(0.0)),
            fmt_pm(d.cost_total.unwrap_or(0.0), d.cost_total_se.unwrap_or(0.0)),
            pct(
                b.p_price_spike.unwrap_or(0.0),
                b.p_price_spike_se.unwrap_or(0.0)
            ),
            pct(
                q.p_price_spike.unwrap_or(0.0),
                q.p_price_spike_se.unwrap_or(0.0)
            ),
        );
    }
    let all = paired(
        summed(n, |m| costs(r.base0, m).collect()).into_iter(),
        summed(n, |m| costs(r.base, m).collect()).into_iter(),
    );
    let _ = writeln!(w, "| all four | | | {} | | |\n", fmt_pm(all.delta, all.se));
    let _ = writeln!(w, "Without any disruption the price still swings from year to year with world demand, whose yearly noise the files assume (no cited series pins it down; section 5 draws it over a range). Where spikes stay frequent with no disruption at all, they are that assumption's, not a measure of supply risk; and a negative cost with no disruptions is the price falling below its 2024 level in calm years.\n");
}

/// Section 2's table: each mineral's change in cost from the new sources,
/// split into the lower price level they bring in any case (the same
/// change with no disruptions in either scenario) and the disruption risk
/// they take away (the rest, paired trial by trial).
pub fn sources(w: &mut String, r: &Runs) {
    let _ = writeln!(w, "### A lower price, or less risk?\n");
    let _ = writeln!(w, "A project with no U.S. offtake lowers the world price in every year it produces, disrupted or not. The same comparison with every disruption switched off in both scenarios measures that price-level effect alone; what is left of the change is the disruption risk the new sources take away (`supplyrisk compare` gives this split, with a chart, for any two scenarios on world markets):\n");
    let _ = writeln!(w, "| mineral | change in expected cost | of which the price level (no disruptions in either) | of which less disruption risk | change in P(price-spike year) with no disruptions |");
    let _ = writeln!(w, "|---|---:|---:|---:|---:|");
    for (m, (id, _)) in r.base.summary.minerals.0.iter().enumerate() {
        let (with, level, risk) = split(changes(r.base, r.div, m), changes(r.base0, r.div0, m));
        let d0 = delta(r.base0, r.div0, m);
        let _ = writeln!(
            w,
            "| {id} | {} | {} | {} | {} |",
            usd(with.delta, with.se),
            usd(level.delta, level.se),
            usd(risk.delta, risk.se),
            pct(
                d0.p_price_spike.unwrap_or(0.0),
                d0.p_price_spike_se.unwrap_or(0.0)
            ),
        );
    }
    let (with, level, risk) = all_four(r);
    let _ = writeln!(
        w,
        "| all four | {} | {} | {} | |\n",
        usd(with.delta, with.se),
        usd(level.delta, level.se),
        usd(risk.delta, risk.se)
    );
    let _ = writeln!(w, "So {:.0}% of the new sources' expected saving over all four minerals is the lower price level of a larger supply, which they would bring in a world without disruptions, and {:.0}% is disruption risk taken away. The price-level effect is priced with the short-run elasticity, which overstates how far a permanent addition to supply lowers the price once other producers and buyers adjust (section 9): read it as an upper bound.\n",
        100.0 * level.delta / with.delta,
        100.0 * risk.delta / with.delta);
}
