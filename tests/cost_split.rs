//! A lower price, or less risk: `compare` splits each world-market change
//! in cost into the price level and disruption risk.

use crate::util::{run_in, scenario, stderr, stdout};
use supplyrisk::compare::{paired, MineralDelta};
use supplyrisk::cost_split::{cost_changes, cost_split};
use supplyrisk::engine::{self, Aggregate};
use supplyrisk::scenario::Scenario;
use supplyrisk::sensitivity::without_disruptions;

/// A cobalt market with one disrupted mine, and physical nickel.
const BASE: &str = r#"
[scenario]
name = "split"
start_year = 2026
years = 4

[[mineral]]
id = "cobalt"
unit = "kt"
demand = { base = 10.0, growth = 0.03, sigma = 0.05 }
market = { rest_of_world_demand = { base = 170.0, growth = 0.02 }, reference_price = 33.0, currency = "USD million", demand_elasticity = -0.2 }

[[source]]
id = "cd-mine"
mineral = "cobalt"
capacity = 160.0
disruption = { rate = 0.6, severity = 0.5, duration_months = 6 }

[[source]]
id = "au-mine"
mineral = "cobalt"
capacity = 30.0

[[mineral]]
id = "nickel"
unit = "kt"
demand = { base = 50.0 }

[[source]]
id = "id-ni"
mineral = "nickel"
capacity = 60.0
disruption = { rate = 0.3, severity = 0.6, duration_months = 4 }
"#;

/// `BASE` plus a new, never-disrupted cobalt mine.
fn with_new_mine(base: &str) -> String {
    format!("{base}\n[[source]]\nid = \"new-mine\"\nmineral = \"cobalt\"\ncapacity = 8.0\n")
}

/// `compare base.toml alt.toml` in a fresh folder, `base` and `base` with
/// a new mine as the two files, with `flags` after them; the folder (kept
/// alive) and the command's output.
fn compare_files(base: &str, flags: &[&str]) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), base).unwrap();
    std::fs::write(dir.path().join("alt.toml"), with_new_mine(base)).unwrap();
    let args: Vec<&str> = ["compare", "base.toml", "alt.toml", "--out", "out"]
        .into_iter()
        .chain(flags.iter().copied())
        .collect();
    let o = run_in(dir.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (dir, o)
}

/// `BASE` and `BASE` with a new mine, each run as written and with every
/// disruption switched off: base, alt, base0, alt0.
fn four_runs(seed: u64, trials: u64) -> (Scenario, Scenario, [Aggregate; 4]) {
    let (base_s, alt_s) = (scenario(BASE), scenario(&with_new_mine(BASE)));
    let run = |s: &Scenario| engine::simulate(s, seed, trials, None);
    let runs = [
        run(&base_s),
        run(&alt_s),
        run(&without_disruptions(&base_s)),
        run(&without_disruptions(&alt_s)),
    ];
    (base_s, alt_s, runs)
}

#[test]
fn the_price_level_is_the_change_with_no_disruptions_and_the_rest_is_risk() {
    let (_, _, [base, alt, base0, alt0]) = four_runs(9, 3_000);
    let split = cost_split(
        (&base.minerals[0], &alt.minerals[0]),
        (&base0.minerals[0], &alt0.minerals[0]),
    )
    .unwrap();
    // The price level is the comparison of the two quiet runs, bit for bit.
    let quiet = MineralDelta::new(&base0.minerals[0], &alt0.minerals[0]);
    assert_eq!(
        (Some(split.price_level), Some(split.price_level_se)),
        (quiet.cost_total, quiet.cost_total_se)
    );
    // More supply lowers the price in every trial.
    assert!(split.price_level < 0.0);
    // The rest is paired trial by trial, and the parts make the whole.
    let rest = paired(
        cost_changes(&base0.minerals[0], &alt0.minerals[0]).into_iter(),
        cost_changes(&base.minerals[0], &alt.minerals[0]).into_iter(),
    );
    assert_eq!(
        (split.disruption_risk, split.disruption_risk_se),
        (rest.delta, rest.se)
    );
    let whole = MineralDelta::new(&base.minerals[0], &alt.minerals[0])
        .cost_total
        .unwrap();
    let sum = split.price_level + split.disruption_risk;
    assert!(
        (sum - whole).abs() <= 1e-9 * whole.abs(),
        "{sum} against {whole}"
    );
    // A physical mineral has no cost to split.
    assert_eq!(
        cost_split(
            (&base.minerals[1], &alt.minerals[1]),
            (&base0.minerals[1], &alt0.minerals[1])
        ),
        None
    );
}

#[test]
fn compare_reports_the_split_for_world_markets_only() {
    let (dir, o) = compare_files(BASE, &["--trials", "3000", "--seed", "9"]);
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/comparison.json")).unwrap())
            .unwrap();
    let split = &v["minerals"]["cobalt"]["cost_split"];
    assert!(v["minerals"]["nickel"].get("cost_split").is_none());
    // The same numbers as the library's, from the same runs.
    let (_, _, [base, alt, base0, alt0]) = four_runs(9, 3_000);
    let lib = cost_split(
        (&base.minerals[0], &alt.minerals[0]),
        (&base0.minerals[0], &alt0.minerals[0]),
    )
    .unwrap();
    assert_eq!(split["price_level"].as_f64(), Some(lib.price_level));
    assert_eq!(
        split["disruption_risk_se"].as_f64(),
        Some(lib.disruption_risk_se)
    );
    // The console's table, what it measures, and a sentence.
    let out = stdout(&o);
    assert!(
        out.contains("price level: the change with every disruption switched off"),
        "{out}"
    );
    let shown = format!(
        "{} USD million",
        supplyrisk::output::fmt_pm(lib.price_level, lib.price_level_se)
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("cobalt ") && l.contains(&shown)),
        "{out}"
    );
    assert!(
        out.replace("\n  ", " ").contains("is a lower price level, which the alternative brings even with no disruption in either scenario; beyond that it takes away"),
        "{out}"
    );
    // The CSV's columns, filled for the market mineral only.
    let rows = crate::util::csv_rows(&dir.path().join("out/comparison.csv"));
    let cell = |m: &str, k: &str| rows.iter().find(|r| r["mineral"] == m).unwrap()[k].clone();
    assert_eq!(
        cell("cobalt", "cost_price_level"),
        supplyrisk::tables::cell(lib.price_level)
    );
    assert_eq!(cell("nickel", "cost_disruption_risk"), "");
    // The page names both parts.
    let page = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(page.contains("Price level or disruption risk?"));
}

#[test]
fn without_any_disruption_nothing_of_a_change_is_risk() {
    let calm = BASE.replace(
        "disruption = { rate = 0.6, severity = 0.5, duration_months = 6 }",
        "",
    );
    let (dir, o) = compare_files(&calm, &["--trials", "2000", "--no-plots"]);
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/comparison.json")).unwrap())
            .unwrap();
    let split = &v["minerals"]["cobalt"]["cost_split"];
    assert_eq!(split["disruption_risk"].as_f64(), Some(0.0));
    assert_eq!(split["disruption_risk_se"].as_f64(), Some(0.0));
    assert_eq!(
        split["price_level"].as_f64(),
        v["minerals"]["cobalt"]["delta"]["cost_total"].as_f64()
    );
    assert!(
        stdout(&o)
            .replace("\n  ", " ")
            .contains("none of it is disruption risk."),
        "{}",
        stdout(&o)
    );
}

#[test]
fn physical_comparisons_run_no_quiet_scenarios_and_print_no_split() {
    let physical = BASE
        .replace("market = { rest_of_world_demand = { base = 170.0, growth = 0.02 }, reference_price = 33.0, currency = \"USD million\", demand_elasticity = -0.2 }", "")
        .replace("capacity = 160.0", "capacity = 8.0\naccess = 0.5");
    let (dir, o) = compare_files(&physical, &["--trials", "2000", "--no-plots"]);
    assert!(!stdout(&o).contains("price level"), "{}", stdout(&o));
    let json = std::fs::read_to_string(dir.path().join("out/comparison.json")).unwrap();
    assert!(!json.contains("cost_split"));
}

#[test]
fn the_cost_panel_shows_the_parts_beside_the_whole_change() {
    use supplyrisk::{
        compare::compare, cost_split::add_cost_splits, plot::bars::risk_reduction_bars, plot::Z95,
    };
    let (base_s, alt_s, [base, alt, base0, alt0]) = four_runs(9, 2_000);
    let mut c = compare(&base_s, &alt_s, 9, &base, &alt, false);
    let whole_only = risk_reduction_bars(&c)[2].groups.len();
    assert_eq!(whole_only, 1);
    add_cost_splits(&mut c, (&base_s, &alt_s), (&base, &alt), (&base0, &alt0));
    let panel = &risk_reduction_bars(&c)[2];
    let split = c.minerals.get("cobalt").unwrap().cost_split.unwrap();
    assert_eq!(panel.categories, vec!["cobalt".to_string()]);
    assert_eq!(panel.groups.len(), 3);
    assert_eq!(panel.groups[1].values, vec![split.price_level]);
    assert_eq!(panel.groups[2].values, vec![split.disruption_risk]);
    assert_eq!(
        panel.groups[2].err,
        Some(vec![Z95 * split.disruption_risk_se])
    );
    assert!(panel.groups[1].label.starts_with("of which price level"));
}
