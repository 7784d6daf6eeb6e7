//! What the pages say of a comparison, a stockpile, a sweep and a sensitivity analysis.

use crate::util::{run_in, stderr, stdout};

/// One mineral whose demand always exceeds its one source's `capacity`.
fn short_of(capacity: f64) -> String {
    format!(
        r#"[scenario]
name = "always short"
start_year = 2026
years = 2

[[mineral]]
id = "cu"
demand = {{ base = 100.0 }}

[[source]]
id = "mine"
mineral = "cu"
capacity = {capacity}
"#
    )
}

#[test]
fn a_chance_of_a_shortfall_year_that_does_not_move_is_said_to_stay() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.toml"), short_of(10.0)).unwrap();
    std::fs::write(d.join("b.toml"), short_of(20.0)).unwrap();
    let o = run_in(
        d,
        &[
            "compare", "a.toml", "b.toml", "--trials", "200", "--out", "o",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(d.join("o/report.html")).unwrap();
    assert!(
        page.contains("and the chance of at least one shortfall year stays at 100.0%."),
        "{page}"
    );
    assert!(!page.contains("from 100.0% to 100.0%"));
    // The page's table gives the chances in percent, their change in
    // percentage points; the console keeps shares from 0 to 1.
    assert!(
        page.contains("<td>100.00% → 100.00%</td><td>0 ± 0 points</td>"),
        "{page}"
    );
    assert!(stdout(&o).contains("1.0000 → 1.0000"), "{}", stdout(&o));
    // The page explains the terms of a comparison it uses.
    for term in [
        "risk_reduction",
        "equivalent firm supply",
        "paired standard error",
    ] {
        assert!(page.contains(&format!("<dt>{term}</dt>")), "{term}");
    }
}

#[test]
fn a_stockpile_in_either_scenario_gets_its_table_on_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let reserve =
        "\n[[stockpile]]\nmineral = \"cu\"\ninitial = 15.0\nmax_release_per_year = 20.0\n";
    std::fs::write(d.join("a.toml"), short_of(90.0)).unwrap();
    std::fs::write(d.join("b.toml"), short_of(90.0) + reserve).unwrap();
    let o = run_in(
        d,
        &[
            "compare", "a.toml", "b.toml", "--trials", "200", "--out", "o", "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(d.join("o/report.html")).unwrap();
    assert!(
        page.contains("<caption>Alternative: Stockpiles per mineral"),
        "{page}"
    );
    assert!(!page.contains("<caption>Baseline: Stockpiles"));
    // Its stock is drawn too, under the supply fans and exceedance curves.
    let figure = page.split("<figure id=\"compare_cu.png\"").nth(1).unwrap();
    let figure = &figure[..figure.find("</figure>").unwrap()];
    assert_eq!(figure.matches("<img").count(), 3);
    assert!(
        figure.contains("<figcaption>cu: supply fans, shortfall exceedance and the stockpile&#39;s stock, baseline vs alternative"),
        "{}",
        &figure[figure.find("<figcaption>").unwrap_or(0)..]
    );
    // Demand 100 against 90 every year: the reserve of 15 releases 10 in
    // the first year and runs empty in the second, in every trial.
    let row = page.split("Alternative: Stockpiles").nth(1).unwrap();
    let row = &row[row.find("<tr><td>cu</td>").expect("a row for cu")..];
    assert!(
        row.starts_with("<tr><td>cu</td><td>100.0 ± 0%</td><td>0 units</td>"),
        "{row}"
    );
}

#[test]
fn a_run_page_says_how_often_its_stockpile_runs_empty() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let reserve =
        "\n[[stockpile]]\nmineral = \"cu\"\ninitial = 15.0\nmax_release_per_year = 20.0\n";
    std::fs::write(d.join("b.toml"), short_of(90.0) + reserve).unwrap();
    let o = run_in(
        d,
        &["run", "b.toml", "--trials", "200", "--out", "o", "--quiet"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(d.join("o/report.html")).unwrap();
    assert!(
        page.contains("<li>cu stockpile: runs empty in 100.0% of 2-year horizons; at the end of 2027 it holds 0 units in the median horizon (0 to 0 units, 5th to 95th percentile).</li>"),
        "{page}"
    );
    assert!(page.contains("<caption>Stockpiles per mineral"));
}

#[test]
fn sweep_and_sensitivity_pages_name_results_in_words_and_chances_in_percent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let disrupted =
        short_of(10.0) + "disruption = { rate = 2.0, severity = 0.5, duration_months = 3 }\n";
    std::fs::write(d.join("a.toml"), disrupted).unwrap();
    let page_of = |args: &[&str], page: &str| {
        let o = run_in(d, args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        (std::fs::read_to_string(d.join(page)).unwrap(), stdout(&o))
    };
    // Short every year: a shortfall year is certain, at every value.
    let (page, console) = page_of(
        &[
            "sweep",
            "a.toml",
            "--param",
            "source.mine.capacity",
            "--values",
            "20,30",
            "--trials",
            "200",
            "--out",
            "sw",
        ],
        "sw/sweep.html",
    );
    assert!(
        page.contains("<th>expected unserved eud_total</th>")
            && page.contains("<th>P(any shortfall year) p_any_shortfall</th>"),
        "{page}"
    );
    assert_eq!(page.matches("<td>100.0 ± 0%</td>").count(), 3, "{page}");
    assert!(
        console.contains("p_any_shortfall") && console.contains(" 1.000 ± 0"),
        "{console}"
    );
    // Switching the disruption off changes the unserved amount, not the
    // certain shortfall: 0 points on the page.
    let (page, console) = page_of(
        &["sensitivity", "a.toml", "--trials", "200", "--out", "se"],
        "se/sensitivity.html",
    );
    assert!(
        page.contains("<th>change in P(any shortfall year) p_any_shortfall</th>")
            && page.contains("<td>0 ± 0 points</td>"),
        "{page}"
    );
    assert!(console.contains("change in p_any_shortfall"), "{console}");
    assert!(!console.contains("points"), "{console}");
}
