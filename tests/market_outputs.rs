//! What `run` writes for a scenario with a world market and stockpiles:
//! the price, stock and cost charts, the new columns of years.csv and
//! summary.csv, the report's market findings, and a headline table that
//! stays as it was for scenarios without a market.

use crate::util::{csv_table, example_path, run_in, scenario, stderr, stdout, FULL};
use std::path::Path;
use supplyrisk::output::{fmt_pm, fmt_sig};

/// A world cobalt market (with a stockpile) beside physical lithium (with
/// a stockpile) and physical nickel (without).
const MARKET: &str = r#"
[scenario]
name = "market and physical"
start_year = 2026
years = 5

[[mineral]]
id = "cobalt"
unit = "kt"
demand = { base = 10.0, growth = 0.04, sigma = 0.05 }
market = { rest_of_world_demand = { base = 175.0, growth = 0.02 }, reference_price = 33.0, currency = "USD million", demand_elasticity = -0.2 }

[[source]]
id = "cd-mine"
mineral = "cobalt"
stage = "mine"
country = "CD"
capacity = 170.0
disruption = { rate = 0.5, severity = 0.5, duration_months = 6 }

[[source]]
id = "au-mine"
mineral = "cobalt"
stage = "mine"
country = "AU"
capacity = 40.0

[[source]]
id = "cn-ref"
mineral = "cobalt"
stage = "refinery"
country = "CN"
capacity = 180.0

[[source]]
id = "fi-ref"
mineral = "cobalt"
stage = "refinery"
country = "FI"
capacity = 40.0
offtake = 0.2

[[event]]
id = "cn-ban"
kind = "restriction"
rate = 0.3
severity = 1.0
duration_months = 12
affects = [ { source = "cn-ref" } ]

[[stockpile]]
mineral = "cobalt"
initial = 2.0
capacity = 4.0
max_release_per_year = 2.0
refill_per_year = 1.0

[[mineral]]
id = "lithium"
unit = "kt LCE"
demand = { base = 100.0, growth = 0.08 }

[[source]]
id = "au-li"
mineral = "lithium"
country = "AU"
capacity = 120.0
disruption = { rate = 0.4, severity = 0.5, duration_months = 6 }

[[stockpile]]
mineral = "lithium"
initial = 20.0
capacity = 30.0
max_release_per_year = 20.0
refill_per_year = 10.0

[[mineral]]
id = "nickel"
unit = "kt"
demand = { base = 50.0 }

[[source]]
id = "id-ni"
mineral = "nickel"
country = "ID"
capacity = 60.0
disruption = { rate = 0.3, severity = 0.6, duration_months = 4 }
"#;

fn names(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Write `text` as `file` in `dir` and run it with `extra` flags into
/// `dir/out`; returns stdout.
fn run_scenario(dir: &Path, file: &str, text: &str, out: &str, extra: &[&str]) -> String {
    std::fs::write(dir.join(file), text).unwrap();
    let mut args = vec!["run", file, "--trials", "2000", "--seed", "3", "--out", out];
    args.extend_from_slice(extra);
    let o = run_in(dir, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    stdout(&o)
}

#[test]
fn a_market_run_draws_price_stock_and_cost_charts_and_a_physical_run_none_of_the_market_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let size = ["--chart-size", "400x250", "--quiet"];
    run_scenario(d, "market.toml", MARKET, "market", &size);
    let files = names(&d.join("market"));
    for f in [
        "supply_cobalt.png",
        "price_cobalt.png",
        "stock_cobalt.png",
        "stock_lithium.png",
        "cost_exceedance.png",
        "exceedance_nickel.png",
    ] {
        assert!(files.contains(&f.to_string()), "{f} missing: {files:?}");
    }
    for f in ["price_lithium.png", "price_nickel.png", "stock_nickel.png"] {
        assert!(!files.contains(&f.to_string()), "{f} written: {files:?}");
    }
    // The report embeds the new charts and says what prices cost.
    let html = std::fs::read_to_string(d.join("market/report.html")).unwrap();
    for f in [
        "price_cobalt.png",
        "stock_lithium.png",
        "cost_exceedance.png",
    ] {
        assert!(html.contains(&format!("<figure id=\"{f}\">")), "{f}");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("market/summary.json")).unwrap()).unwrap();
    let co = &summary["minerals"]["cobalt"];
    let f = |k: &str| co[k].as_f64().unwrap();
    let cost = format!(
        "{} USD million",
        fmt_pm(f("cost_total"), f("cost_total_se"))
    );
    assert!(html.contains(&cost), "report lacks {cost}");
    assert!(
        html.contains("cobalt (world market): the year&#39;s average price is above 1.5 times the reference price"),
        "market finding"
    );
    assert!(html.contains("World market results per mineral"));

    // A scenario without a market: no price or cost chart, a stock chart
    // only for the mineral with a stockpile, and no market words.
    run_scenario(d, "full.toml", FULL, "full", &size);
    let files = names(&d.join("full"));
    assert!(
        files
            .iter()
            .all(|f| !f.starts_with("price_") && f != "cost_exceedance.png"),
        "{files:?}"
    );
    assert!(files.contains(&"stock_co.png".to_string()), "{files:?}");
    assert!(!files.contains(&"stock_cu.png".to_string()), "{files:?}");
    let html = std::fs::read_to_string(d.join("full/report.html")).unwrap();
    assert!(!html.contains("world market") && !html.contains("World market"));
}

#[test]
fn years_and_summary_csv_leave_cells_empty_where_a_column_does_not_apply() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_scenario(
        d,
        "market.toml",
        MARKET,
        "market",
        &["--no-plots", "--quiet"],
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("market/summary.json")).unwrap()).unwrap();
    let (header, rows) = csv_table(&d.join("market/years.csv"));
    let price = [
        "price_mean",
        "price_mean_se",
        "price_p5",
        "price_p50",
        "price_p95",
    ];
    let cost = ["cost", "cost_se"];
    let stock = ["stock_p5", "stock_p50", "stock_p95"];
    let mut want: Vec<&str> = vec![
        "mineral",
        "year",
        "demand_mean",
        "p_shortfall",
        "p_shortfall_se",
        "eud",
        "eud_se",
        "supply_p5",
        "supply_p50",
        "supply_p95",
    ];
    want.extend(price.iter().chain(&cost).chain(&stock));
    assert_eq!(header, want);
    assert_eq!(rows.len(), 15);
    for row in &rows {
        let m = row["mineral"].as_str();
        let y = row["year"].parse::<i64>().unwrap() - 2026;
        let json = &summary["minerals"][m]["years"][y as usize];
        for key in price.iter().chain(&cost).chain(&stock) {
            let applies = match m {
                "cobalt" => true,
                "lithium" => stock.contains(key),
                _ => false,
            };
            if applies {
                let cell: f64 = row[*key].parse().unwrap_or_else(|_| panic!("{m} {key}"));
                assert_eq!(cell, json[*key].as_f64().unwrap(), "{m} {key}");
            } else {
                assert_eq!(row[*key], "", "{m} {key}");
                assert!(json.get(*key).is_none(), "{m} {key} in summary.json");
            }
        }
    }

    // summary.csv: the market's metrics in its row, empty cells elsewhere.
    let (header, rows) = csv_table(&d.join("market/summary.csv"));
    for key in [
        "hhi_mine",
        "p_stock_empty",
        "currency",
        "p_price_spike",
        "p_price_spike_se",
        "cost_total",
        "cost_total_se",
        "cost_p95",
    ] {
        assert!(header.contains(&key.to_string()), "{key}: {header:?}");
    }
    for row in &rows {
        let m = &summary["minerals"][row["mineral"].as_str()];
        for key in ["p_price_spike", "cost_total", "cost_p95", "p_stock_empty"] {
            match m.get(key).and_then(|v| v.as_f64()) {
                Some(v) => assert_eq!(row[key].parse::<f64>().unwrap(), v, "{key}"),
                None => assert_eq!(row[key], "", "{key}"),
            }
        }
    }
    assert_eq!(rows[0]["currency"], "USD million");
    assert_eq!(rows[1]["currency"], "");

    // Without a market or a stockpile the files have their v1 columns.
    let plain = FULL.split("[[stockpile]]").next().unwrap();
    run_scenario(d, "plain.toml", plain, "plain", &["--no-plots", "--quiet"]);
    let (header, _) = csv_table(&d.join("plain/years.csv"));
    assert_eq!(header, &want[..10]);
    let (header, _) = csv_table(&d.join("plain/summary.csv"));
    assert_eq!(header.last().unwrap(), "hhi_with_projects");
}

#[test]
fn the_headline_table_of_a_scenario_without_a_market_is_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let example = example_path();
    let o = run_in(
        dir.path(),
        &[
            "run",
            example.to_str().unwrap(),
            "--trials",
            "3000",
            "--seed",
            "5",
            "--no-plots",
            "--out",
            "o",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let golden =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/example-3000-seed5-headline.txt");
    let want = std::fs::read_to_string(golden).unwrap();
    assert_eq!(stdout(&o), format!("{want}results in o\n"));
}

#[test]
fn the_headline_table_adds_the_market_rows_within_100_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_scenario(dir.path(), "market.toml", MARKET, "m", &["--no-plots"]);
    assert!(
        out.lines().all(|l| l.chars().count() <= 100),
        "a line over 100 columns:\n{out}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("m/summary.json")).unwrap()).unwrap();
    let co = &summary["minerals"]["cobalt"];
    let f = |k: &str| co[k].as_f64().unwrap();
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("world market"))
        .unwrap_or_else(|| panic!("no market table:\n{out}"));
    assert_eq!(lines[at - 1], "", "a blank line before the market table");
    assert!(lines[at].contains("p_price_spike") && lines[at].contains("cost_total"));
    let row = lines[at + 1];
    assert!(row.starts_with("cobalt "), "{row}");
    for shown in [
        fmt_pm(f("p_price_spike"), f("p_price_spike_se")),
        format!(
            "{} USD million",
            fmt_pm(f("cost_total"), f("cost_total_se"))
        ),
        format!("{} USD million", fmt_sig(f("cost_p95"))),
    ] {
        assert!(row.contains(&shown), "{row} lacks {shown}");
    }
    // Only market minerals have a market row, then what the cost is.
    assert!(
        lines[at + 2].starts_with("cost_total: what the consumer pays"),
        "{out}"
    );
    // Then a row per stockpile (cobalt's on the market, lithium's
    // physical), with the stock at the end of the last year.
    assert_eq!(lines[at + 3], "", "{out}");
    assert!(
        lines[at + 4].starts_with("stockpile  p_stock_empty  stock_p50 2030"),
        "{out}"
    );
    let stock = |id: &str| {
        let m = &summary["minerals"][id];
        let last = m["years"].as_array().unwrap().last().unwrap().clone();
        (
            m["p_stock_empty"].as_f64().unwrap(),
            m["p_stock_empty_se"].as_f64().unwrap(),
            last,
        )
    };
    for (row, id, unit) in [(at + 5, "cobalt", "kt"), (at + 6, "lithium", "kt LCE")] {
        let (p, se, last) = stock(id);
        let row = lines[row];
        assert!(row.starts_with(&format!("{id} ")), "{out}");
        let mid = format!("{} {unit}", fmt_sig(last["stock_p50"].as_f64().unwrap()));
        assert!(row.contains(&fmt_pm(p, se)) && row.contains(&mid), "{row}");
    }
    assert!(lines[at + 7].starts_with("p_stock_empty: "), "{out}");
    assert!(lines[at + 8].starts_with("results in"), "{out}");
}

#[test]
fn market_and_stock_chart_data_carry_the_summary_and_the_levels() {
    use supplyrisk::plot::{exceedance, fan};
    let s = scenario(MARKET);
    let agg = supplyrisk::engine::simulate(&s, 3, 2_000, None);
    let sum = supplyrisk::summary::Summary::new(&s, 3, &agg);
    let co = sum.minerals.get("cobalt").unwrap();

    let price = fan::price_fan("T", &[("T", &sum)], "cobalt", 33.0, 1.5).unwrap();
    assert_eq!(
        price.fans[0].p50,
        co.years
            .iter()
            .map(|y| y.price_p50.unwrap())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        price.fans[0].demand,
        co.years
            .iter()
            .map(|y| y.price_mean.unwrap())
            .collect::<Vec<_>>()
    );
    assert!(
        price
            .y_label
            .starts_with("price multiple, 1 = reference 33 USD million/kt"),
        "{}",
        price.y_label
    );
    assert_eq!(price.levels.len(), 2);
    assert_eq!((price.levels[1].y, price.levels[1].strong), (1.5, true));
    // One run: the threshold says how often some year crosses it.
    assert_eq!(
        price.levels[1].label,
        format!(
            "spike threshold: 1.5 × reference; a spike year in {} of horizons",
            supplyrisk::output::fmt_share(co.p_price_spike.unwrap())
        )
    );
    crate::util::check_fan_axis(&price);
    assert!(fan::price_fan("T", &[("T", &sum)], "lithium", 33.0, 1.5).is_none());
    // Two runs (a comparison): a fan each, without means, which differ.
    let two = fan::price_fan(
        "T",
        &[("baseline", &sum), ("alternative", &sum)],
        "cobalt",
        33.0,
        1.5,
    )
    .unwrap();
    assert_eq!(two.fans.len(), 2);
    assert_eq!(two.fans[1].label, "alternative");
    assert!(two.fans.iter().all(|f| f.demand.is_empty()));
    assert_eq!(two.fans[1].p50, price.fans[0].p50);
    assert_eq!(two.levels[1].label, "spike threshold: 1.5 × reference");

    assert!(!price.log_scale && !two.log_scale);

    // A price that can reach a thousand times its reference goes on a
    // log axis, and the chart draws.
    let steep = MARKET.replace(
        "demand_elasticity = -0.2 }",
        "demand_elasticity = -0.01, max_price = 1000.0 }",
    );
    let steep_scenario = scenario(&steep);
    let steep_sum = supplyrisk::summary::Summary::new(
        &steep_scenario,
        3,
        &supplyrisk::engine::simulate(&steep_scenario, 3, 2_000, None),
    );
    let steep_price = fan::price_fan("T", &[("T", &steep_sum)], "cobalt", 33.0, 1.5).unwrap();
    assert!(steep_price.log_scale, "{:?}", steep_price.y_range);
    crate::util::check_fan_axis(&steep_price);
    let size = supplyrisk::plot::ChartSize::parse("400x250").unwrap();
    let png = supplyrisk::plot::png(&[supplyrisk::plot::Chart::Fan(steep_price)], size, "");
    assert!(png.is_ok_and(|b| b.starts_with(b"\x89PNG")));

    let stock = fan::stock_fan("T", &[("T", &sum, Some(30.0))], "lithium").unwrap();
    assert_eq!(stock.levels[0].y, 30.0);
    assert_eq!(stock.levels[0].label, "capacity: 30 kt LCE");
    assert!(stock.fans[0].demand.is_empty());
    assert!(stock.y_range.1 > 30.0 && stock.y_range.0 == 0.0);
    assert_eq!(
        (stock.first_colour, stock.words.band.as_str()),
        (0, "5-95% range of the stock")
    );
    assert!(fan::stock_fan("T", &[("T", &sum, Some(1.0))], "nickel").is_none());
    // In a comparison where only the alternative has a stockpile, its fan
    // alone, in the alternative's colour, named in the legend and title.
    let only = fan::stock_fan(
        "T",
        &[("baseline", &sum, None), ("alternative", &sum, Some(30.0))],
        "lithium",
    )
    .unwrap();
    assert_eq!((only.fans.len(), only.first_colour), (1, 1));
    assert_eq!(only.words.band, "alternative: 5-95% range of the stock");
    assert!(only.title.ends_with("(alternative only)"), "{}", only.title);
    // Both with stockpiles: two fans, and a capacity line for each where
    // they differ.
    let runs = |a: f64, b: f64| [("baseline", &sum, Some(a)), ("alternative", &sum, Some(b))];
    let two = fan::stock_fan("T", &runs(30.0, 40.0), "lithium").unwrap();
    assert_eq!((two.fans.len(), two.first_colour), (2, 0));
    let labels: Vec<&str> = two.levels.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "baseline capacity: 30 kt LCE",
            "alternative capacity: 40 kt LCE"
        ]
    );
    let alike = fan::stock_fan("T", &runs(30.0, 30.0), "lithium").unwrap();
    assert_eq!(alike.levels.len(), 1);
    assert_eq!(alike.levels[0].label, "capacity: 30 kt LCE");

    // A market's supply fan is what the consumer is served.
    let served = fan::supply_fan("T", &[("T", &sum)], "cobalt");
    assert!(served.words.band.contains("served to consumer"));
    assert!(served.title.contains("served to the consumer"));
    let ni = fan::supply_fan("T", &[("T", &sum)], "nickel");
    assert_eq!(ni.words.band, "5-95% range of supply");
    crate::util::check_fan_axis(&served);
    crate::util::check_fan_axis(&ni);
    for (id, _) in &sum.minerals.0 {
        crate::util::check_fan_axis(&fan::supply_fan("T", &[("T", &sum)], id));
    }

    // The cost chart's axis reaches below 0 when a cost can be negative.
    let curve =
        exceedance::exceedance_curve("cobalt", &[(-50.0, 0.9), (10.0, 0.5), (400.0, 0.0)], 2_000);
    let ch = exceedance::cost_exceedance_chart(
        "T",
        vec![exceedance::CostCurve {
            mineral: "cobalt".into(),
            currency: "USD million".into(),
            curve,
            p95: 300.0,
        }],
    );
    assert!(
        ch.x_range.0 < -50.0 && ch.x_range.1 > 400.0,
        "{:?}",
        ch.x_range
    );
    assert_eq!(ch.curves[0].points[0], (ch.x_range.0, 1.0));
    // The p95 is marked without a label beside it, and named in the legend.
    assert_eq!(ch.curves[0].markers, vec![(String::new(), 300.0, 0.05)]);
    assert_eq!(ch.curves[0].label, "cobalt: 1 in 20 above 300 USD million");
    assert!(ch
        .x_label
        .starts_with("Consumer's cost over the horizon, USD million"));
    assert!(ch.zero_line.is_some());
}

#[test]
fn a_comparison_of_markets_adds_cost_and_spike_panels_for_the_minerals_both_trade() {
    use supplyrisk::{compare::compare, engine, plot::bars::risk_reduction_bars, plot::Z95};
    let base_s = scenario(MARKET);
    let alt_s = scenario(&format!(
        "{MARKET}\n[[source]]\nid = \"au-new\"\nmineral = \"cobalt\"\nstage = \"mine\"\ncountry = \"AU\"\ncapacity = 8.0\n"
    ));
    let (base, alt) = (
        engine::simulate(&base_s, 4, 2_000, None),
        engine::simulate(&alt_s, 4, 2_000, None),
    );
    let c = compare(&base_s, &alt_s, 4, &base, &alt, false);
    let panels = risk_reduction_bars(&c);
    assert_eq!(panels.len(), 4);
    let (cost, spike) = (&panels[2], &panels[3]);
    // Only the market mineral, in its currency.
    assert_eq!(cost.categories, vec!["cobalt".to_string()]);
    assert_eq!(spike.categories, cost.categories);
    assert!(cost.y_label.ends_with("USD million"), "{}", cost.y_label);
    assert!(!cost.percent && spike.percent);
    let b = c.baseline.minerals.get("cobalt").unwrap();
    let a = c.alternative.minerals.get("cobalt").unwrap();
    let delta = &c.minerals.get("cobalt").unwrap().delta;
    // The cost panel is the paired change with its paired interval.
    assert_eq!(cost.groups.len(), 1);
    assert_eq!(cost.groups[0].values, vec![delta.cost_total.unwrap()]);
    assert_eq!(
        cost.groups[0].err,
        Some(vec![Z95 * delta.cost_total_se.unwrap()])
    );
    // The spike panel gives each run's chance with its own error.
    for (g, m) in spike.groups.iter().zip([b, a]) {
        assert_eq!(g.values, vec![m.p_price_spike.unwrap()]);
        assert_eq!(g.err, Some(vec![Z95 * m.p_price_spike_se.unwrap()]));
    }
    // Every bar and error bar inside the axis, with 0 on it.
    for p in [cost, spike] {
        assert!(p.y_range.0 <= 0.0);
        for g in &p.groups {
            for (v, e) in g.values.iter().zip(g.err.as_ref().unwrap()) {
                assert!(
                    v - e >= p.y_range.0 && v + e <= p.y_range.1,
                    "{:?}",
                    p.y_range
                );
            }
        }
    }
    // Physical minerals alone: the two panels as before.
    let phys = scenario(FULL);
    let run = engine::simulate(&phys, 4, 1_000, None);
    assert_eq!(
        risk_reduction_bars(&compare(&phys, &phys, 4, &run, &run, false)).len(),
        2
    );
}
