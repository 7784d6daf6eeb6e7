//! A comparison's changes year by year: the changes of the yearly means,
//! with standard errors from the paired chunk means of the two runs.

use crate::util::{run_in, scenario, stderr, stdout, FULL};
use supplyrisk::compare::compare;
use supplyrisk::engine;

/// A copper project online from mid-2028 exactly, never disrupted.
const LATE_PROJECT: &str = r#"
[[source]]
id = "cu-late"
mineral = "cu"
country = "AU"
capacity = 25.0
project = { online_year = 2028.5, delay_months = 0, ramp_years = 0.5, success_probability = 1.0 }
"#;

#[test]
fn changes_by_year_add_up_to_the_horizon_change_and_are_exactly_zero_where_nothing_differs() {
    let base_s = scenario(FULL);
    let alt_s = scenario(&format!("{FULL}{LATE_PROJECT}"));
    let base = engine::simulate(&base_s, 12, 6_000, None);
    let alt = engine::simulate(&alt_s, 12, 6_000, None);
    let c = compare(&base_s, &alt_s, 12, &base, &alt, false);
    let cu = c.minerals.get("cu").unwrap();
    let years: Vec<i64> = cu.by_year.iter().map(|y| y.year).collect();
    assert_eq!(years, vec![2026, 2027, 2028, 2029]);
    // Before the project comes online both runs are the same, trial by
    // trial: no change, and a standard error of exactly 0.
    for y in &cu.by_year[..2] {
        assert_eq!((y.eud, y.eud_se), (0.0, Some(0.0)), "{}", y.year);
    }
    for y in &cu.by_year[2..] {
        assert!(y.eud < 0.0 && y.eud_se.unwrap() > 0.0, "{y:?}");
    }
    let sum: f64 = cu.by_year.iter().map(|y| y.eud).sum();
    let total = cu.delta.eud_total;
    assert!(
        (sum - total).abs() <= 1e-9 * total.abs(),
        "{sum} against {total}"
    );
    // No market: no price or cost.
    assert!(cu
        .by_year
        .iter()
        .all(|y| y.price_mean.is_none() && y.cost.is_none()));
    // Cobalt is defined alike in both.
    let co = c.minerals.get("co").unwrap();
    assert!(co
        .by_year
        .iter()
        .all(|y| (y.eud, y.eud_se) == (0.0, Some(0.0))));
}

/// One year, so that the year's change is the horizon's, whose standard
/// error is also known from every trial's paired difference.
const ONE_YEAR: &str = r#"
[scenario]
name = "one year"
start_year = 2026
years = 1
steps_per_year = 12

[[mineral]]
id = "ni"
unit = "kt"
demand = { base = 100.0, sigma = 0.08 }

[[source]]
id = "ni-id"
mineral = "ni"
capacity = 80.0
disruption = { rate = 1.0, severity = { dist = "uniform", min = 0.1, max = 0.9 }, duration_months = 3 }

[[source]]
id = "ni-ph"
mineral = "ni"
capacity = 30.0
disruption = { rate = 0.5, severity = 0.7, duration_months = 2 }
"#;

const MORE_NICKEL: &str = r#"
[[source]]
id = "ni-au"
mineral = "ni"
capacity = 10.0
disruption = { rate = 0.6, severity = 0.8, duration_months = 4 }
"#;

#[test]
fn the_standard_error_from_chunk_means_agrees_with_the_one_from_every_trial() {
    let trials = 60 * engine::CHUNK_TRIALS;
    let chunks = 60.0_f64;
    let base_s = scenario(ONE_YEAR);
    let alt_s = scenario(&format!("{ONE_YEAR}{MORE_NICKEL}"));
    let base = engine::simulate(&base_s, 4, trials, None);
    let alt = engine::simulate(&alt_s, 4, trials, None);
    let c = compare(&base_s, &alt_s, 4, &base, &alt, false);
    let ni = c.minerals.get("ni").unwrap();
    let year = ni.by_year[0];
    assert!((year.eud - ni.delta.eud_total).abs() <= 1e-12 * ni.delta.eud_total.abs());
    // The estimate from 60 batches scatters by about 1 / sqrt(2 * 59) of
    // itself around the one from every trial: 4 of those.
    let ratio = year.eud_se.unwrap() / ni.delta.eud_total_se;
    let tolerance = 4.0 / (2.0 * (chunks - 1.0)).sqrt();
    assert!(
        (ratio - 1.0).abs() < tolerance,
        "ratio {ratio}, tolerance {tolerance}"
    );
}

/// A world market whose one big source is often down, and an alternative
/// with a steady source more: prices fall every year.
const MARKET: &str = r#"
[scenario]
name = "market"
start_year = 2026
years = 3
steps_per_year = 12

[[mineral]]
id = "li"
unit = "kt"
demand = { base = 50.0, sigma = 0.05 }
market = { rest_of_world_demand = { base = 100.0, sigma = 0.03 }, reference_price = 20.0, demand_elasticity = -0.3 }

[[source]]
id = "li-big"
mineral = "li"
capacity = 130.0
disruption = { rate = 1.5, severity = { dist = "uniform", min = 0.2, max = 0.8 }, duration_months = 3 }

[[source]]
id = "li-small"
mineral = "li"
capacity = 20.0
"#;

const STEADY: &str = r#"
[[source]]
id = "li-steady"
mineral = "li"
capacity = 8.0
"#;

/// `compare base.toml alt.toml --trials TRIALS --out cmp` in a fresh
/// folder holding `base` and `alt`, which must succeed; the folder and
/// what the command printed.
fn compare_files(base: &str, alt: &str, trials: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), base).unwrap();
    std::fs::write(dir.path().join("alt.toml"), alt).unwrap();
    let args = [
        "compare",
        "base.toml",
        "alt.toml",
        "--trials",
        trials,
        "--out",
        "cmp",
    ];
    let o = run_in(dir.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (dir, stdout(&o))
}

#[test]
fn on_a_world_market_the_price_and_cost_change_year_by_year_too() {
    let (dir, printed) = compare_files(MARKET, &format!("{MARKET}{STEADY}"), "3000");
    // Prices fall in every year: said as one run of years.
    assert!(
        printed.contains("the yearly average price is lower in 2026–2028"),
        "{printed}"
    );
    let cmp: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("cmp/comparison.json")).unwrap())
            .unwrap();
    let li = &cmp["minerals"]["li"];
    let by_year = li["by_year"].as_array().unwrap();
    assert_eq!(by_year.len(), 3);
    for (y, base_year) in by_year.iter().zip(
        cmp["baseline"]["minerals"]["li"]["years"]
            .as_array()
            .unwrap(),
    ) {
        let alt_year = &cmp["alternative"]["minerals"]["li"]["years"]
            [y["year"].as_i64().unwrap() as usize - 2026];
        for key in ["price_mean", "cost"] {
            let change = alt_year[key].as_f64().unwrap() - base_year[key].as_f64().unwrap();
            assert_eq!(y[key].as_f64().unwrap(), change, "{key}");
            assert!(
                change < 0.0 && y[&format!("{key}_se")].as_f64().unwrap() > 0.0,
                "{key}"
            );
        }
    }
    // The largest fall is given to two significant digits, in points.
    let (year, most) = by_year
        .iter()
        .map(|y| {
            (
                y["year"].as_i64().unwrap(),
                y["price_mean"].as_f64().unwrap(),
            )
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    let words = format!(
        "(most in {year}, by {} points of the reference price)",
        supplyrisk::output::fmt_digits(-100.0 * most, 2)
    );
    let flowing = printed.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flowing.contains(&words), "{words} not in {printed}");
    let csv = std::fs::read_to_string(dir.path().join("cmp/comparison_years.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("mineral,unit,year,delta_eud,delta_eud_se,currency,delta_price_mean,delta_price_mean_se,delta_cost,delta_cost_se")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|r| r.starts_with("li,kt,") && r.contains(",USD million,")),
        "{rows:?}"
    );
    assert!(dir.path().join("cmp/change_li.png").exists());
}

#[test]
fn an_unchanged_mineral_has_no_change_chart() {
    let (dir, printed) = compare_files(FULL, &format!("{FULL}{LATE_PROJECT}"), "2000");
    // The project changes nothing before mid-2028; cobalt nothing at all.
    assert!(
        printed.contains(
            "cu, year by year against the baseline: expected unserved demand is lower in 2028"
        ),
        "{printed}"
    );
    assert!(!printed.contains("co, year by year"), "{printed}");
    assert!(dir.path().join("cmp/change_cu.png").exists());
    assert!(!dir.path().join("cmp/change_co.png").exists());
    // The report's tables by year: copper's, not cobalt's.
    let page = std::fs::read_to_string(dir.path().join("cmp/report.html")).unwrap();
    assert!(page.contains("cu: changes by year"));
    assert!(!page.contains("co: changes by year"));
}

#[test]
fn a_comparison_of_one_chunk_has_changes_by_year_without_standard_errors() {
    let (dir, _) = compare_files(MARKET, &format!("{MARKET}{STEADY}"), "1000");
    let cmp: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("cmp/comparison.json")).unwrap())
            .unwrap();
    for y in cmp["minerals"]["li"]["by_year"].as_array().unwrap() {
        assert!(y["eud"].is_number() && y["price_mean"].is_number() && y["cost"].is_number());
        for key in ["eud_se", "price_mean_se", "cost_se"] {
            assert!(y[key].is_null() && y.get(key).is_some(), "{key}: {y}");
        }
    }
    let csv = std::fs::read_to_string(dir.path().join("cmp/comparison_years.csv")).unwrap();
    let row = csv.lines().nth(1).unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!((cells[4], cells[7], cells[9]), ("", "", ""), "{row}");
}
