//! The tables of a report page that say what was assumed (sources,
//! events, stockpiles, markets, as the scenario gives them) and what came
//! out year by year, so that a reader can check the inputs beside the
//! results.

use crate::dist::{Dist, DistSpec};
use crate::error::num;
use crate::output::{fmt_pm, fmt_sig, group_thousands};
use crate::report::Table;
use crate::scenario::{EventKind, Scenario, Stage};
use crate::summary::Summary;

/// An amount as the scenario gives it, every digit kept, thousands
/// separated as in the results beside it: `11,846`.
fn amount(x: f64) -> String {
    group_thousands(&num(x))
}

/// A distribution in a few words: "0.3", "uniform 0.3–0.9", "uniform -0.3
/// to -0.05", "beta 0.3 (sd 0.1)".
pub fn dist_words(d: &Dist) -> String {
    // Numbers joined by dashes, or by "to" where one is negative (a dash
    // beside a minus sign reads as a second minus).
    let span = |xs: &[f64]| {
        let dash = if xs.iter().any(|&x| x < 0.0) {
            " to "
        } else {
            "–"
        };
        xs.iter().map(|&x| num(x)).collect::<Vec<_>>().join(dash)
    };
    match *d.spec() {
        DistSpec::Fixed { value } => num(value),
        DistSpec::Uniform { min, max } => format!("uniform {}", span(&[min, max])),
        DistSpec::Triangular { min, mode, max } => {
            format!("triangular {} (mode {})", span(&[min, max]), num(mode))
        }
        DistSpec::Pert { min, mode, max } => {
            format!("PERT {} (mode {})", span(&[min, max]), num(mode))
        }
        DistSpec::Beta { mean, sd } => format!("beta {} (sd {})", num(mean), num(sd)),
        DistSpec::LogNormal { median, p90 } => {
            format!("lognormal {} (p90 {})", num(median), num(p90))
        }
        DistSpec::Exponential { mean } => format!("exponential {}", num(mean)),
    }
}

fn row(cells: impl IntoIterator<Item = String>) -> Vec<String> {
    cells.into_iter().collect()
}

/// The inputs as tables: sources, events, and (where the scenario has
/// them) stockpiles and world markets.
pub fn input_tables(s: &Scenario) -> Vec<Table> {
    input_tables_beside(s, &[])
}

/// [`input_tables`] of `s` shown beside the input tables of `others` (a
/// comparison's two scenarios): the sources' share and project columns
/// are left out only where no source of any of them fills them, so that
/// the tables have the same columns.
pub fn input_tables_beside(s: &Scenario, others: &[&Scenario]) -> Vec<Table> {
    let sources = source_rows(s);
    let others: Vec<Vec<Vec<String>>> = others.iter().map(|o| source_rows(o)).collect();
    let filled = |c: usize| {
        std::iter::once(&sources)
            .chain(&others)
            .any(|rows| rows.iter().any(|r| !r[c].is_empty()))
    };
    let (share_col, project_col) = (filled(4), filled(8));
    source_and_other_tables(s, sources, share_col, project_col)
}

/// One row per source of `s`: id, mineral, stage and country, capacity,
/// share, onsets, severity, months, project.
fn source_rows(s: &Scenario) -> Vec<Vec<String>> {
    let unit = |m: usize| s.minerals[m].unit.as_str();
    s.sources
        .iter()
        .map(|src| {
            let stage = match src.stage {
                Stage::Product => "product",
                Stage::Mine => "mine",
                Stage::Refinery => "refinery",
            };
            let share = match (src.stage, s.minerals[src.mineral].market.is_some()) {
                (Stage::Mine, _) => String::new(),
                (_, true) if src.offtake > 0.0 => num(src.offtake),
                (_, true) => String::new(),
                (_, false) => num(src.access),
            };
            let (rate, severity, months) = src.disruption.as_ref().map_or_else(
                || (String::new(), String::new(), String::new()),
                |p| {
                    (
                        num(p.rate),
                        dist_words(&p.severity),
                        dist_words(&p.duration_months),
                    )
                },
            );
            let project = src.project.map_or(String::new(), |p| {
                let p = &s.projects[p];
                format!("{} ({})", num(p.online_year), num(p.success_probability))
            });
            row([
                src.id.clone(),
                s.minerals[src.mineral].id.clone(),
                match &src.country {
                    Some(c) => format!("{stage}, {c}"),
                    None => stage.to_string(),
                },
                format!("{} {}", amount(src.capacity), unit(src.mineral)),
                share,
                rate,
                severity,
                months,
                project,
            ])
        })
        .collect()
}

/// The input tables of `s` with its `sources` rows, the share and
/// project columns kept where `share_col` and `project_col`.
fn source_and_other_tables(
    s: &Scenario,
    sources: Vec<Vec<String>>,
    share_col: bool,
    project_col: bool,
) -> Vec<Table> {
    let share = if s.has_market() {
        "the consumer's share: its access, or in a world market its offtake; "
    } else {
        "the consumer's share (access); "
    };
    // Columns no source fills (no share where every source is a mine or
    // trades on a world market without offtake; no project) are left out.
    let header = [
        "source", "mineral", "stage", "capacity", "share", "onsets", "severity", "months",
        "project",
    ];
    let keep = |c: usize| (c != 4 || share_col) && (c != 8 || project_col);
    let pick = |r: &[String]| -> Vec<String> {
        r.iter()
            .enumerate()
            .filter(|&(c, _)| keep(c))
            .map(|(_, x)| x.clone())
            .collect()
    };
    let mut tables = vec![Table {
        caption: format!(
            "Inputs: sources (stage and country; capacity a year; {}own disruptions: onsets a year, severity, duration in months{})",
            if share_col { share } else { "" },
            if project_col {
                "; projects: first output and chance of success"
            } else {
                ""
            }
        ),
        header: pick(&header.map(String::from)),
        rows: sources.iter().map(|r| pick(r)).collect(),
    }];
    if !s.events.is_empty() {
        let rows = s
            .events
            .iter()
            .map(|e| {
                let kind = match e.kind {
                    EventKind::Outage => "outage",
                    EventKind::Restriction => "restriction",
                };
                let hits: Vec<String> = e
                    .affects
                    .iter()
                    .map(|&(i, x)| {
                        if x == 1.0 {
                            s.sources[i].id.clone()
                        } else {
                            format!("{} (×{})", s.sources[i].id, num(x))
                        }
                    })
                    .collect();
                row([
                    e.id.clone(),
                    kind.to_string(),
                    format!("{}/yr", num(e.process.rate)),
                    dist_words(&e.process.severity),
                    dist_words(&e.process.duration_months),
                    hits.join(", "),
                ])
            })
            .collect();
        tables.push(Table {
            caption: "Inputs: common-cause events".into(),
            header: [
                "event",
                "kind",
                "onsets",
                "severity",
                "months",
                "sources hit",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        });
    }
    let stocks: Vec<Vec<String>> = s
        .minerals
        .iter()
        .filter_map(|m| {
            let p = m.stockpile?;
            let u = &m.unit;
            let prices = if m.market.is_some() {
                format!(
                    "releases above {}×, refills at or below {}×",
                    num(p.release_price),
                    num(p.refill_price)
                )
            } else {
                "releases when supply falls short".to_string()
            };
            Some(row([
                m.id.clone(),
                format!("{} {u}", amount(p.initial)),
                format!("{} {u}", amount(p.capacity)),
                format!("{} {u}/yr", amount(p.max_release_per_year)),
                format!("{} {u}/yr", amount(p.refill_per_year)),
                prices,
            ]))
        })
        .collect();
    if !stocks.is_empty() {
        tables.push(Table {
            caption: "Inputs: stockpiles".into(),
            header: [
                "mineral", "initial", "capacity", "release", "refill", "rule",
            ]
            .map(String::from)
            .to_vec(),
            rows: stocks,
        });
    }
    let markets: Vec<Vec<String>> = s
        .minerals
        .iter()
        .filter_map(|m| {
            let k = m.market.as_ref()?;
            Some(row([
                m.id.clone(),
                format!("{} {}/{}", amount(k.reference_price), k.currency, m.unit),
                format!("{} {}/yr", amount(m.demand.base), m.unit),
                format!("{} {}/yr", amount(k.rest_of_world.base), m.unit),
                num(k.elasticity),
                format!("{}–{}×", num(k.min_price), num(k.max_price)),
                format!("{}×", num(k.spike_threshold)),
            ]))
        })
        .collect();
    if !markets.is_empty() {
        tables.push(Table {
            caption: "Inputs: world markets (demand in the first year)".into(),
            header: [
                "mineral",
                "reference price",
                "consumer demand",
                "rest of world",
                "elasticity",
                "price range",
                "spike above",
            ]
            .map(String::from)
            .to_vec(),
            rows: markets,
        });
    }
    tables
}

/// Results by year: per mineral and year, demand, the probability of a
/// shortfall year, expected unserved demand and median supply (and the
/// mean price multiple on a world market).
pub fn year_table(summary: &Summary) -> Table {
    let market = summary.minerals.0.iter().any(|(_, m)| m.currency.is_some());
    let mut header = vec![
        "mineral",
        "year",
        "mean demand",
        "P(shortfall year)",
        "expected unserved",
        "median supply",
    ];
    if market {
        header.push("mean price multiple");
    }
    let mut rows = Vec::new();
    for (id, m) in &summary.minerals.0 {
        for y in &m.years {
            let u = &m.unit;
            let mut r = vec![
                id.clone(),
                y.year.to_string(),
                format!("{} {u}", fmt_sig(y.demand_mean)),
                crate::output::fmt_pct_pm(y.p_shortfall, y.p_shortfall_se),
                format!("{} {u}", fmt_pm(y.eud, y.eud_se)),
                format!("{} {u}", fmt_sig(y.supply_p50)),
            ];
            if market {
                r.push(match (y.price_mean, y.price_mean_se) {
                    (Some(p), Some(se)) => fmt_pm(p, se),
                    _ => String::new(),
                });
            }
            rows.push(r);
        }
    }
    Table {
        caption: "Results by year (± one standard error)".into(),
        header: header.into_iter().map(String::from).collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[scenario]
name = "t"
start_year = 2026
years = 2
[[mineral]]
id = "cu"
unit = "kt"
demand = { base = 10.0 }
[[source]]
id = "a"
mineral = "cu"
country = "CL"
capacity = 12.0
access = 0.5
disruption = { rate = 0.25, severity = { dist = "uniform", min = 0.3, max = 0.9 }, duration_months = 2 }
[[event]]
id = "ban"
rate = 0.1
severity = 1
duration_months = 6
affects = [ { source = "a", exposure = 0.6 } ]
"#;

    #[test]
    fn inputs_are_tabled_as_the_file_gives_them() {
        let s = Scenario::from_toml_str(TEXT, "t.toml").unwrap();
        let tables = input_tables(&s);
        assert_eq!(
            tables.len(),
            2,
            "sources and events, no stockpile or market"
        );
        assert_eq!(
            tables[0].rows[0],
            [
                "a",
                "cu",
                "product, CL",
                "12 kt",
                "0.5",
                "0.25",
                "uniform 0.3–0.9",
                "2",
            ]
        );
        // No source has a project: no such column.
        assert_eq!(tables[0].header.len(), 8);
        assert!(!tables[0].header.contains(&"project".to_string()));
        assert!(!tables[0].caption.contains("projects"));
        assert_eq!(
            tables[1].rows[0],
            ["ban", "outage", "0.1/yr", "1", "6", "a (×0.6)"]
        );
        let summary =
            crate::summary::Summary::new(&s, 1, &crate::engine::simulate(&s, 1, 50, None));
        let years = year_table(&summary);
        assert_eq!(years.rows.len(), 2);
        assert_eq!(years.rows[1][..3], ["cu", "2027", "10.00 kt"]);
    }

    #[test]
    fn amounts_keep_every_digit_with_thousands_separated() {
        assert_eq!(amount(11846.0), "11,846");
        assert_eq!(amount(1234.5678), "1,234.5678");
        assert_eq!(amount(0.25), "0.25");
        assert_eq!(amount(2e12), "2e12");
    }
}
