//! The case study's page: every sentence and table generated from the
//! runs, so the text regenerates with the numbers.

use crate::ranges::{Answer, Study3};
use crate::{
    total_cost_change, Alone, Run, PROJECTS, RANGE_TRIALS, SAMPLES, TRIALS, VAULT_LOAN_USD_M,
};
use std::fmt::Write as _;
use supplyrisk::compare::{MineralDelta, Paired};
use supplyrisk::output::{count, fmt_index, fmt_pm, fmt_short, fmt_sig};
use supplyrisk::plot;
use supplyrisk::sensitivity::Sensitivity;
use supplyrisk::summary::MineralSummary;
use supplyrisk::uncertainty::lead::{lead_words, leaders};

/// The four scenarios' runs.
pub struct Runs<'a> {
    /// Baseline.
    pub base: &'a Run,
    /// Diversified.
    pub div: &'a Run,
    /// Diversified with Project Vault.
    pub vault: &'a Run,
    /// China controls stress.
    pub stress: &'a Run,
    /// The baseline with every disruption switched off.
    pub base0: &'a Run,
    /// The diversified scenario with every disruption switched off.
    pub div0: &'a Run,
    /// The stress without its world-wide halt of Chinese exports.
    pub aimed: &'a supplyrisk::engine::Aggregate,
    /// In which years the new sources (against the baseline) and Project
    /// Vault (against the new sources) clearly change unserved demand and
    /// prices, per mineral.
    pub timing: (&'a [String], &'a [String]),
}

/// The timing finding of mineral `id` among `findings`, if any.
fn timing_of<'a>(findings: &'a [String], id: &str) -> Option<&'a String> {
    findings.iter().find(|f| f.starts_with(&format!("{id}, ")))
}

/// Carrying cost of a reserve's metal, a year, as a share of its value
/// (an assumption: the cost of the loan that finances it).
const CARRY: f64 = 0.05;

pub(crate) fn mineral<'a>(r: &'a Run, id: &str) -> &'a MineralSummary {
    r.summary
        .minerals
        .get(id)
        .expect("mineral in every scenario")
}

pub(crate) fn pct(p: f64, se: f64) -> String {
    if se > 0.0 {
        format!("{} %", fmt_pm(100.0 * p, 100.0 * se))
    } else {
        format!("{} %", fmt_sig(100.0 * p))
    }
}

pub(crate) fn usd(v: f64, se: f64) -> String {
    format!("{} M", fmt_pm(v, se))
}

fn bn(v: f64) -> String {
    format!("${:.2} bn", v / 1000.0)
}

/// "cut(s) … by X" or "raise(s) … by X", or "do(es) not measurably
/// change" within 2 standard errors, for a plural or singular subject.
fn verb(delta: f64, se: f64, plural: bool) -> &'static str {
    match (delta.abs() <= 2.0 * se, delta < 0.0, plural) {
        (true, _, true) => "do not measurably change",
        (true, _, false) => "does not measurably change",
        (false, true, true) => "cut",
        (false, true, false) => "cuts",
        (false, false, true) => "raise",
        (false, false, false) => "raises",
    }
}

fn cost_of(d: &MineralDelta) -> (f64, f64) {
    (d.cost_total.unwrap_or(0.0), d.cost_total_se.unwrap_or(0.0))
}

fn spike_of(d: &MineralDelta) -> (f64, f64) {
    (
        d.p_price_spike.unwrap_or(0.0),
        d.p_price_spike_se.unwrap_or(0.0),
    )
}

pub(crate) fn delta(a: &Run, b: &Run, m: usize) -> MineralDelta {
    MineralDelta::new(&a.agg.minerals[m], &b.agg.minerals[m])
}

fn answer_words(a: Answer) -> &'static str {
    match a {
        Answer::BaselineCost => "baseline expected cost (USD M)",
        Answer::BaselineSpike => "baseline P(price-spike year)",
        Answer::SourcesCost => "change in expected cost from the new sources (USD M)",
        Answer::SourcesSpike => "change in P(price-spike year) from the new sources",
        Answer::VaultCost => "change in expected cost from Project Vault (USD M)",
        Answer::VaultSpike => "change in P(price-spike year) from Project Vault",
    }
}

/// The whole page.
pub fn page(r: &Runs, alone: &[Alone], sens: &Sensitivity, study: &Study3, seed: u64) -> String {
    let mut w = String::new();
    header(&mut w, r, study, seed);
    findings(&mut w, r, study);
    scenarios(&mut w, r);
    per_scenario(&mut w, r);
    sources(&mut w, r);
    projects(&mut w, r, alone);
    vault(&mut w, r);
    uncertainty(&mut w, r, study);
    drivers(&mut w, r, sens);
    stress(&mut w, r);
    concentration(&mut w, r);
    crate::limits::limits(&mut w);
    // One scenario's own study: N (k + 2) runs of its k parameters.
    let k = crate::ranges::File::load(r.div.file).study.params.len() as u64;
    let runs = SAMPLES as u64 * (k + 2);
    let file_trials = r.div.scenario.trials.unwrap_or(TRIALS);
    let _ = writeln!(w, "## Reproduce\n\n`scripts/case-study.sh` (runs `cargo run --release --example case_study`) regenerates this page and its charts byte for byte. Any comparison can be rerun on its own, for example `supplyrisk compare scenarios/{} scenarios/{}` (a few seconds). One scenario's ranges come from `supplyrisk uncertainty scenarios/{} --samples {SAMPLES} --trials {RANGE_TRIALS}` ({} of {}; without the two flags each run takes the file's {}, {} in all); the ranges of *changes* above come from the script, which draws each parameter set once for all three scenarios, the reserve's size included (on the command line, two `uncertainty` studies with the same tables, samples, trials and seed give paired changes of their own, over the parameters both files share, without the reserve's size: [How uncertain is a change?](cli.md#how-uncertain-is-a-change)).",
        r.base.file, r.div.file, r.div.file, count(runs, "run", "runs"), count(RANGE_TRIALS, "trial", "trials"), count(file_trials, "trial", "trials"), count(runs * file_trials, "trial", "trials"));
    w
}

fn header(w: &mut String, r: &Runs, study: &Study3, seed: u64) {
    let k = study.params.len();
    let _ = writeln!(w, "# What do Reko Diq, the Australian nickel-cobalt projects, Arkansas lithium and Project Vault buy the United States?\n");
    let _ = writeln!(w, "*Generated by `scripts/case-study.sh`: {} per scenario, seed {seed}; parameter ranges from {} ({SAMPLES} base sets, {k} uncertain parameters) of {} each. Every number below is that program's output; do not edit by hand.*\n", count(TRIALS, "trial", "trials"), count((SAMPLES * (k + 2)) as u64, "parameter set", "parameter sets"), count(RANGE_TRIALS, "trial", "trials"));
    let _ = writeln!(w, "The United States is backing new sources of critical minerals abroad and at home: EXIM's $1.25 bn loan for Reko Diq copper in Pakistan, letters of interest for Australian nickel and cobalt, support for Arkansas lithium, and Project Vault, a strategic reserve financed by an EXIM loan of up to $10 bn. This study asks, for copper, cobalt, nickel and lithium over {}–{}: do they reduce U.S. risk, by how much, and what is that worth in dollars?\n", r.base.summary.start_year, r.base.summary.start_year + r.base.summary.years as i64 - 1);
    let _ = writeln!(w, "All four scenarios model each mineral as a **world market**: the world's mines and refineries by country, U.S. and rest-of-world demand, a price that clears the market with a short-run demand elasticity. A disruption anywhere raises the world price; U.S. buyers pay more, and the part of their demand that the price drives out is *unserved*. The **cost** is U.S. consumers' loss against buying at 2024 reference prices (USD million, undiscounted, summed over the ten years; negative where prices fall below them): it is not the cost of disruptions, which section 1 separates. A **price-spike year** is a year whose average price exceeds the mineral's spike threshold (1.3× for copper and nickel, 1.5× for cobalt and lithium); a **shortfall year** one in which more than 5% of U.S. demand goes unserved. In a world market unserved demand is demand *priced out*, not metal that cannot be had at any price: with the elasticity of −0.15 used here, a shortfall year is roughly a year whose price averages above 1.41× the reference. Every run uses the same seed, so changes are paired trial by trial (common random numbers); ± is one standard error of Monte Carlo noise. Section 5 adds what that error leaves out: the uncertainty of the inputs themselves.\n");
}

fn findings(w: &mut String, r: &Runs, study: &Study3) {
    let _ = writeln!(w, "## Key findings\n");
    for (m, (id, b)) in r.base.summary.minerals.0.iter().enumerate() {
        let d = delta(r.base, r.div, m);
        let v = delta(r.div, r.vault, m);
        let (dc, dcs) = cost_of(&d);
        let (vc, vcs) = cost_of(&v);
        let range = |a: Answer| {
            study
                .ranges
                .iter()
                .find(|x| x.mineral == *id && x.answer == a)
                .expect("range")
        };
        let sr = range(Answer::SourcesCost);
        let spike_range = range(Answer::BaselineSpike);
        let share = |p: f64| format!("{} %", fmt_short(100.0 * p));
        let driver = lead_words(
            &leaders(sr.sobol.iter().map(|(p, i)| (p.as_str(), i))),
            |p| format!("`{p}`"),
            "total Sobol index",
        );
        let dv = mineral(r.div, id);
        let vv = mineral(r.vault, id);
        // Spike shares before and after, with their errors where they
        // would read alike (a spike in nearly every decade either way).
        let spikes = |m: &supplyrisk::summary::MineralSummary, se: bool| {
            let p = m.p_price_spike.unwrap_or(0.0);
            pct(
                p,
                if se {
                    m.p_price_spike_se.unwrap_or(0.0)
                } else {
                    0.0
                },
            )
        };
        let alike = spikes(b, false) == spikes(dv, false);
        let (from, to) = (spikes(b, alike), spikes(dv, alike));
        let _ = writeln!(
            w,
            "- **{id}**: without new sources U.S. buyers face a price-spike year in {} of decades ({} to {} across the input ranges, p5–p95) and an expected cost of ${} M. The new sources {} that cost by {} (paired; from {} to {} of decades with a spike); across the input ranges the change in cost runs from {} to {} M (p5–p95), driven most by {driver}. Project Vault on top {} it by {} (spike years in {} of decades).",
            pct(b.p_price_spike.unwrap_or(0.0), b.p_price_spike_se.unwrap_or(0.0)),
            share(spike_range.spread.p5),
            share(spike_range.spread.p95),
            fmt_pm(b.cost_total.unwrap_or(0.0), b.cost_total_se.unwrap_or(0.0)),
            verb(dc, dcs, true),
            usd(dc.abs(), dcs),
            from,
            to,
            fmt_sig(sr.spread.p5),
            fmt_sig(sr.spread.p95),
            verb(vc, vcs, false),
            usd(vc.abs(), vcs),
            pct(vv.p_price_spike.unwrap_or(0.0), 0.0),
        );
    }
    let all = total_cost_change(&r.base.agg, &r.div.agg);
    let vault = total_cost_change(&r.div.agg, &r.vault.agg);
    let public: f64 = PROJECTS.iter().filter_map(|p| p.usd_m).sum();
    let (_, level, risk) = crate::split::all_four(r);
    let _ = writeln!(w, "- **All four minerals**: the new sources change U.S. consumers' expected cost by {} (paired), against {} of U.S. public loans, grants and letters of interest behind them. Of that change, {} is the lower price level that more supply brings with no disruption at all, priced with a short-run elasticity that overstates it, and {} is disruption risk taken away (section 2): the projects lower the price more than they lower the risk. Project Vault changes the cost by a further {} against an EXIM loan of up to {} (of which about {} would hold 60 days of these four minerals).\n",
        usd(all.delta, all.se), bn(public), usd(level.delta, level.se), usd(risk.delta, risk.se), usd(vault.delta, vault.se), bn(VAULT_LOAN_USD_M), bn(reserve_value(r)));
}

/// The metal a full reserve holds, at reference prices, USD million.
fn reserve_value(r: &Runs) -> f64 {
    r.vault
        .scenario
        .minerals
        .iter()
        .filter_map(|m| Some(m.stockpile?.capacity * m.market.as_ref()?.reference_price))
        .sum()
}

fn scenarios(w: &mut String, r: &Runs) {
    let _ = writeln!(w, "## The scenarios and the question each answers\n");
    let q = [
        "what do disruptions, the DRC's cobalt quotas and possible Chinese controls cost U.S. buyers with today's world supply base?",
        "how much do the U.S.-backed new sources change that, given their delays, failure risk, ramp-up and security?",
        "how much does a reserve that must buy its metal, and sells into spikes, add on top of the new sources?",
        "what if Chinese controls aimed at the U.S. come twice as often, near-total and long, and China may halt exports to every buyer?",
    ];
    for (run, q) in [r.base, r.div, r.vault, r.stress].into_iter().zip(q) {
        let _ = writeln!(
            w,
            "- [`{f}`](../scenarios/{f}) — *{q}* {}",
            run.scenario.description.clone().unwrap_or_default(),
            f = run.file
        );
    }
    let _ = writeln!(w, "\nEvery input is cited in the files and in [data-sources.md](data-sources.md), which also lists what the earlier, physical version of these scenarios got wrong and what was done about it.\n");
}

fn per_scenario(w: &mut String, r: &Runs) {
    let _ = writeln!(w, "## 1. Risk and cost in each scenario\n");
    let _ = writeln!(w, "| mineral | P(price-spike year): baseline | diversified | + Project Vault | China stress | expected cost, USD M: baseline | diversified | + Project Vault | China stress |");
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (id, _) in &r.base.summary.minerals.0 {
        let runs = [r.base, r.div, r.vault, r.stress];
        let spikes: Vec<String> = runs
            .iter()
            .map(|x| {
                let s = mineral(x, id);
                pct(
                    s.p_price_spike.unwrap_or(0.0),
                    s.p_price_spike_se.unwrap_or(0.0),
                )
            })
            .collect();
        let costs: Vec<String> = runs
            .iter()
            .map(|x| {
                let s = mineral(x, id);
                fmt_pm(s.cost_total.unwrap_or(0.0), s.cost_total_se.unwrap_or(0.0))
            })
            .collect();
        let _ = writeln!(
            w,
            "| {id} | {} | {} |",
            spikes.join(" | "),
            costs.join(" | ")
        );
    }
    let _ = writeln!(w, "\n| mineral | P(any shortfall year): baseline | diversified | + Project Vault | expected shortfall years: baseline | diversified | + Project Vault |");
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|");
    for (id, _) in &r.base.summary.minerals.0 {
        let runs = [r.base, r.div, r.vault];
        let p: Vec<String> = runs
            .iter()
            .map(|x| {
                let s = mineral(x, id);
                pct(s.p_any_shortfall, s.p_any_shortfall_se)
            })
            .collect();
        let y: Vec<String> = runs
            .iter()
            .map(|x| {
                let s = mineral(x, id);
                fmt_pm(s.expected_shortfall_years, s.expected_shortfall_years_se)
            })
            .collect();
        let _ = writeln!(w, "| {id} | {} | {} |", p.join(" | "), y.join(" | "));
    }
    let _ = writeln!(w, "\nCobalt's shortfall years are near certain in every scenario because the DRC's export quotas for 2026–27 are in force when the horizon starts (calibrated to the price of December 2025, 1.94× its 2024 average); the expected number of shortfall years separates the scenarios better than the probability of any.\n");
    for id in ["copper", "cobalt", "lithium"] {
        let _ = writeln!(
            w,
            "![{id}: world price multiple in the baseline](case-study/price_{id}.png)\n"
        );
    }
    let _ = writeln!(w, "![Baseline: probability that U.S. consumers' cost over the horizon exceeds each amount](case-study/cost_exceedance.png)\n");
    crate::split::baseline(w, r);
}

fn delta_row(w: &mut String, id: &str, d: &MineralDelta) {
    let (c, cs) = cost_of(d);
    let (s, ss) = spike_of(d);
    let _ = writeln!(
        w,
        "| {id} | {} | {} | {} | {} |",
        usd(c, cs),
        pct(s, ss),
        pct(d.p_any_shortfall, d.p_any_shortfall_se),
        fmt_pm(d.expected_shortfall_years, d.expected_shortfall_years_se)
    );
}

/// "`lead`:" and the table of paired changes from `a` to `b`, a row per
/// mineral and one for the cost over all four.
fn delta_table(w: &mut String, lead: &str, a: &Run, b: &Run) {
    let _ = writeln!(w, "{lead}:\n");
    let _ = writeln!(w, "| mineral | change in expected cost | change in P(price-spike year) | change in P(any shortfall year) | change in expected shortfall years |");
    let _ = writeln!(w, "|---|---:|---:|---:|---:|");
    for (m, (id, _)) in a.summary.minerals.0.iter().enumerate() {
        delta_row(w, id, &delta(a, b, m));
    }
    let all = total_cost_change(&a.agg, &b.agg);
    let _ = writeln!(w, "| all four | {} | | | |\n", usd(all.delta, all.se));
}

fn sources(w: &mut String, r: &Runs) {
    let _ = writeln!(w, "## 2. What the new sources buy\n");
    delta_table(
        w,
        "Diversified minus baseline, paired trial by trial",
        r.base,
        r.div,
    );
    let _ = writeln!(w, "None of these projects has a U.S. offtake: each adds to world supply, and U.S. buyers gain through a lower world price in the years the project produces, weighted by the chance that it is built and on time. That is why a project of 1–2% of world supply moves U.S. costs at all, and why its effect depends so much on the demand elasticity (section 5).\n");
    crate::split::sources(w, r);
    for id in ["copper", "nickel", "lithium"] {
        let _ = writeln!(w, "![{id}: amount served to U.S. buyers and unserved exceedance, baseline vs diversified](case-study/compare_{id}.png)\n");
    }
    let _ = writeln!(w, "Year by year, with paired 95% intervals (`supplyrisk compare` draws this chart for every mineral):\n");
    if let Some(f) = timing_of(r.timing.0, "copper") {
        let _ = writeln!(w, "- {f}\n");
    }
    let _ = writeln!(
        w,
        "![copper: what the new sources change year by year](case-study/change_copper.png)\n"
    );
}

fn projects(w: &mut String, r: &Runs, alone: &[Alone]) {
    let _ = writeln!(
        w,
        "## 3. Each project on its own, against the U.S. money behind it\n"
    );
    let _ = writeln!(w, "Each project is added alone to the baseline (the diversified scenario without the other projects), paired with the baseline.\n");
    let _ = writeln!(w, "| project | U.S. support | mineral | change in expected cost | change in P(price-spike year) | change in P(any shortfall year) | all minerals: change in cost | expected U.S. saving per $ of U.S. support (not adjusted for additionality) |");
    let _ = writeln!(w, "|---|---|---|---:|---:|---:|---:|---:|");
    for a in alone {
        let minerals: Vec<usize> = r
            .div
            .scenario
            .minerals
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                m.sources.iter().any(|&i| {
                    a.project
                        .ids
                        .contains(&r.div.scenario.sources[i].id.as_str())
                })
            })
            .map(|(i, _)| i)
            .collect();
        let total: Paired = total_cost_change(&r.base.agg, &a.agg);
        let per = a
            .project
            .usd_m
            .map_or("n/a".to_string(), |u| format!("${:.2}", -total.delta / u));
        for (j, &m) in minerals.iter().enumerate() {
            let d = MineralDelta::new(&r.base.agg.minerals[m], &a.agg.minerals[m]);
            let (c, cs) = cost_of(&d);
            let (p, ps) = spike_of(&d);
            let first = j == 0;
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                if first { a.project.name } else { "" },
                if first { a.project.support } else { "" },
                r.div.scenario.minerals[m].id,
                usd(c, cs),
                pct(p, ps),
                pct(d.p_any_shortfall, d.p_any_shortfall_se),
                if first {
                    usd(total.delta, total.se)
                } else {
                    String::new()
                },
                if first { per.clone() } else { String::new() },
            );
        }
    }
    let _ = writeln!(w, "\n\"Saving per $\" is U.S. consumers' expected saving over ten years per dollar of U.S. public support. It credits the whole project to that support, though U.S. money is one part of each project's financing (Reko Diq's lenders include the IFC, the ADB and several other export-credit agencies, and its phase 1 still awaits the close of its project finance) and nothing here shows that a project depends on it; and most of the saving is the lower price level of section 2, priced with the short-run elasticity. Loans and letters of interest are repaid or may never be drawn, so it compares scales, not returns; the saving also accrues to buyers everywhere, not only in the United States, because each project lowers the world price.\n");
}

fn vault(w: &mut String, r: &Runs) {
    let _ = writeln!(w, "## 4. Project Vault on top of the new sources\n");
    delta_table(w, "Project Vault minus diversified, paired", r.div, r.vault);
    let value = reserve_value(r);
    let carry = value * CARRY * r.base.summary.years as f64;
    let _ = writeln!(w, "The reserve starts empty and buys on the world market, so filling it raises the price U.S. buyers pay in the years it buys; it pays back only when it sells into a spike. Full, it would hold {} of these four minerals at reference prices (copper is most of it). Financing that metal at {:.0}% a year for ten years costs at most {}: set the expected saving above against that, not against the $10 bn loan, most of which is for other minerals. No official volumes have been published: the 60-day size is an assumption whose range (30–90 days) is in section 5.\n", bn(value), 100.0 * CARRY, bn(carry));
    let _ = writeln!(
        w,
        "Year by year (Project Vault minus diversified, with paired 95% intervals):\n"
    );
    for id in ["copper", "nickel"] {
        if let Some(f) = timing_of(r.timing.1, id) {
            // This comparison's baseline is the diversified scenario.
            let f = f.replace("against the baseline", "against the diversified scenario");
            let _ = writeln!(w, "- {f}");
        }
    }
    let _ = writeln!(w);
    for id in ["copper", "nickel"] {
        let _ = writeln!(
            w,
            "![{id}: what Project Vault changes year by year](case-study/vault_change_{id}.png)\n"
        );
    }
}

/// Items in words: `a`, `a and b`, `a, b and c`.
fn in_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn uncertainty(w: &mut String, r: &Runs, study: &Study3) {
    let _ = writeln!(w, "## 5. How sure: the answers under input uncertainty\n");
    let _ = writeln!(w, "The ± figures above measure Monte Carlo noise only. The inputs that no source pins down — short-run demand elasticities, demand growth net of unlisted supply growth, the yearly noise of world demand, how often each mineral's largest disruption process strikes, how often Chinese controls come, how hard the DRC quota bites, cobalt demand noise, the lithium demand boundary and growth, project success, Balochistan security and the reserve's size — carry ranges in the scenario files (`[[uncertain]]`). One Saltelli design draws them jointly, applies each set to all three scenarios, runs them with the same seed and takes the paired changes: below, their spread over parameter sets (p5, median, p95) and the inputs that drive each (total Sobol index with its 95% bootstrap interval; shares of variance, including interactions).\n");
    let _ = writeln!(
        w,
        "| mineral | answer | mean | p5 | p50 | p95 | main drivers (total index [95% interval]) |"
    );
    let _ = writeln!(w, "|---|---|---:|---:|---:|---:|---|");
    for x in &study.ranges {
        let drivers: Vec<String> = x
            .sobol
            .iter()
            .filter(|(_, i)| i.total.unwrap_or(0.0) >= 0.05)
            .take(3)
            .map(|(p, i)| {
                format!(
                    "`{p}` {:.2} [{:.2}, {:.2}]",
                    i.total.unwrap_or(0.0),
                    i.total_lo.unwrap_or(0.0),
                    i.total_hi.unwrap_or(0.0)
                )
            })
            .collect();
        let drivers = if drivers.is_empty() {
            "no input above 0.05".to_string()
        } else {
            drivers.join("; ")
        };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {drivers} |",
            x.mineral,
            answer_words(x.answer),
            fmt_sig(x.spread.mean),
            fmt_sig(x.spread.p5),
            fmt_sig(x.spread.p50),
            fmt_sig(x.spread.p95)
        );
    }
    let _ = writeln!(w, "\nEach parameter set runs {}, so every value in this table also carries Monte Carlo noise; the Sobol intervals include it. A total index can exceed 1 only through estimation error: with {SAMPLES} base sets, and answers such as a change in the probability of a spike year that are zero in most parameter sets, read the ranking of the inputs rather than the decimals, and the intervals as a lower bound on the indices' uncertainty (the bootstrap treats the base sets as independent draws, which the rows of a quasi-random design are not). The two inputs that lead almost everywhere, the short-run demand elasticity and whether world demand outgrows the supply the files list, are the ones to pin down before relying on any single number above.\n", count(RANGE_TRIALS, "trial", "trials"));
    // Where the files' own values sit in the ranges they give.
    let below: Vec<String> = study
        .ranges
        .iter()
        .filter(|x| x.answer == Answer::BaselineCost)
        .filter_map(|x| {
            let at_file = mineral(r.base, &x.mineral).cost_total?;
            (at_file < x.spread.p50).then(|| {
                format!(
                    "{} (${} M against a median of ${} M)",
                    x.mineral,
                    fmt_sig(at_file),
                    fmt_sig(x.spread.p50)
                )
            })
        })
        .collect();
    if !below.is_empty() {
        let _ = writeln!(w, "At the files' own values, the baseline's expected cost (section 1) lies below the median of its range for {}. Cost answers the leading inputs unevenly: world demand that outgrows the listed supply compounds, year after year, into a widening gap that drives prices towards their cap, while slower growth can only take them down to their floor; and a smaller demand elasticity magnifies every price move. The files' central values are not the centre of what their ranges allow, and the changes a project or the reserve brings scale with the same inputs (the rows above).\n", in_words(&below));
    }
}

fn drivers(w: &mut String, r: &Runs, sens: &Sensitivity) {
    let _ = writeln!(w, "## 6. What drives the baseline's cost\n");
    let _ = writeln!(w, "Each disruption process switched off in turn (paired): the most negative change in expected cost marks the largest contribution. The contributions do not add up to the cost of all disruptions together (section 1): the price responds to the total shortfall, not to each disruption on its own, and a disruption in force at the start is counted both with its source and alone (initial).\n");
    let _ = writeln!(
        w,
        "| mineral | largest contributions (change in expected cost when switched off, USD M) |"
    );
    let _ = writeln!(w, "|---|---|");
    let mut groups = Vec::new();
    for (id, entries) in &sens.minerals.0 {
        let mut e: Vec<_> = entries
            .iter()
            .filter(|e| e.delta_cost_total.is_some())
            .collect();
        e.sort_by(|a, b| {
            a.delta_cost_total
                .unwrap_or(0.0)
                .total_cmp(&b.delta_cost_total.unwrap_or(0.0))
        });
        let top: Vec<String> = e
            .iter()
            .take(3)
            .map(|e| {
                format!(
                    "{} ({}): {}",
                    e.entity,
                    e.kind,
                    fmt_pm(
                        e.delta_cost_total.unwrap_or(0.0),
                        e.delta_cost_total_se.unwrap_or(0.0)
                    )
                )
            })
            .collect();
        let _ = writeln!(w, "| {id} | {} |", top.join("; "));
        if let Some(first) = e
            .first()
            .filter(|e| e.kind == "source" && e.entity.ends_with("-other"))
        {
            groups.push(format!("`{}`", first.entity));
        }
    }
    let _ = writeln!(w);
    if !groups.is_empty() {
        let (verb, whose) = if groups.len() == 1 {
            ("stands", "its")
        } else {
            ("stand", "their")
        };
        let _ = writeln!(w, "{} {verb} for every producer the files do not name, as one source with one disruption process calibrated on the group's history: {whose} lead says that the unnamed producers together matter most, not that any one of them does.\n", in_words(&groups));
    }
    for (id, _) in &r.base.summary.minerals.0 {
        let _ = writeln!(
            w,
            "![Drivers of {id} risk](case-study/tornado_{}.png)\n",
            plot::file_safe(id)
        );
    }
}

fn stress(w: &mut String, r: &Runs) {
    let _ = writeln!(w, "## 7. Stress: severe Chinese export controls\n");
    delta_table(
        w,
        "China controls stress minus baseline, paired",
        r.base,
        r.stress,
    );
    let aimed = total_cost_change(&r.base.agg, r.aimed);
    let change = if aimed.delta == 0.0 && aimed.se == 0.0 {
        "exactly 0, in every trial,".to_string()
    } else {
        usd(aimed.delta, aimed.se)
    };
    let _ = writeln!(w, "Of that, the severe controls aimed at the United States alone (the stress without its world-wide halt) change U.S. consumers' expected cost by {change} over the four minerals. Such controls divert trade: China's barred metal goes to other buyers, whose usual supply comes to the United States; they bite only when non-Chinese supply cannot cover U.S. demand, which for these four minerals it can by a wide margin. That follows from how the model is built, not from evidence: barred metal is re-routed at no cost and each mineral is one product, so an ex-China premium, licensing delays or a shortage of the grades U.S. plants buy (battery-grade hydroxide and sulphate, where non-Chinese capacity is thin) cannot show (section 9). The rest comes from the rarer halt of Chinese exports to *every* foreign buyer, which removes metal from the world outside China.\n");
}

fn concentration(w: &mut String, r: &Runs) {
    let _ = writeln!(w, "## 8. World concentration by stage\n");
    let _ = writeln!(w, "Herfindahl-Hirschman index (0–10,000) of world capacity by country, at the mine stage and at the refined (product) stage, without and with the diversified scenario's projects at full capacity. The United States is one producer among others here, so a U.S. project lowers concentration like any other new country.\n");
    let _ = writeln!(
        w,
        "| mineral | mines | mines, with projects | refined | refined, with projects |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|");
    for (id, d) in &r.div.summary.minerals.0 {
        let _ = writeln!(
            w,
            "| {id} | {} | {} | {} | {} |",
            fmt_index(d.hhi_mine.unwrap_or(0.0)),
            fmt_index(d.hhi_mine_with_projects.unwrap_or(0.0)),
            fmt_index(d.hhi),
            fmt_index(d.hhi_with_projects)
        );
    }
    let _ = writeln!(w);
}
