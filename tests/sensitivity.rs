//! What drives the risk: `sensitivity`, from exact zeros and an
//! analytically known top driver to the command's files and table.

use crate::util::{run_in, scenario, stderr, stdout, FULL};
use supplyrisk::engine;
use supplyrisk::output::fmt_pm;
use supplyrisk::sensitivity::sensitivity;

#[test]
fn a_source_that_never_disrupts_has_sensitivity_exactly_zero_and_lists_are_sorted() {
    let s = scenario(FULL);
    let base = engine::simulate(&s, 4, 4_000, None);
    let sens = sensitivity(&s, 4, 4_000, &base, None);
    let co = sens.minerals.get("co").unwrap();
    let au = co.iter().find(|e| e.entity == "co-au").unwrap();
    assert_eq!(
        (
            au.delta_eud_total,
            au.delta_eud_total_se,
            au.delta_p_any_shortfall,
            au.delta_p_any_shortfall_se
        ),
        (0.0, 0.0, 0.0, 0.0)
    );
    // Every source of the mineral and every event that hits one of them.
    let mut names: Vec<&str> = co.iter().map(|e| e.entity.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, vec!["cn-controls", "co-au", "co-cd"]);
    for list in sens.minerals.0.iter().map(|(_, l)| l) {
        assert!(list
            .windows(2)
            .all(|w| w[0].delta_eud_total <= w[1].delta_eud_total));
    }
}

#[test]
fn sensitivity_finds_the_analytically_known_top_driver() {
    // Without its disruption, source A (capacity = demand) plus B can never
    // fall short, so switching A off removes every unserved unit: its delta
    // is exactly -eud_total and -p_any_shortfall. B never disrupts (0); the
    // event only hits B, which cannot cause a shortfall while A is up.
    let s = scenario(
        r#"
[scenario]
name = "known driver"
start_year = 2026
years = 3
[[mineral]]
id = "ni"
demand = { base = 100.0 }
[[source]]
id = "A"
mineral = "ni"
capacity = 100.0
disruption = { rate = 1.0, severity = { dist = "uniform", min = 0.2, max = 0.8 }, duration_months = 2 }
[[source]]
id = "B"
mineral = "ni"
capacity = 10.0
[[event]]
id = "E"
rate = 0.7
severity = 0.5
duration_months = 3
affects = [ { source = "B" } ]
"#,
    );
    let base = engine::simulate(&s, 6, 20_000, None);
    let sum = supplyrisk::summary::Summary::new(&s, 6, &base);
    let ni = sum.minerals.get("ni").unwrap();
    let sens = sensitivity(&s, 6, 20_000, &base, None);
    let list = sens.minerals.get("ni").unwrap();
    assert_eq!(list[0].entity, "A");
    assert_eq!(list[0].kind, "source");
    assert!((list[0].delta_eud_total + ni.eud_total).abs() <= 1e-9 * ni.eud_total);
    assert!((list[0].delta_p_any_shortfall + ni.p_any_shortfall).abs() < 1e-12);
    let b = list.iter().find(|e| e.entity == "B").unwrap();
    assert_eq!(b.delta_eud_total, 0.0);
    let e = list.iter().find(|e| e.entity == "E").unwrap();
    assert_eq!(e.kind, "event");
    assert!(e.delta_eud_total <= 0.0 && e.delta_eud_total > list[0].delta_eud_total);
}

#[test]
fn sensitivity_command_writes_json_and_tornado_charts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("full.toml"), FULL).unwrap();
    let o = run_in(
        dir.path(),
        &["sensitivity", "full.toml", "--trials", "1500"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = dir.path().join("results/full");
    for f in [
        "sensitivity.json",
        "tornado_cu.png",
        "tornado_co.png",
        "sensitivity.html",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sensitivity.json")).unwrap()).unwrap();
    let row = &v["minerals"]["cu"][0];
    for key in [
        "entity",
        "kind",
        "delta_eud_total",
        "delta_eud_total_se",
        "delta_p_any_shortfall",
        "delta_p_any_shortfall_se",
    ] {
        assert!(row.get(key).is_some(), "{key}");
    }
    // The printed table gives each mineral's change with every disruption
    // off at once first, then its drivers.
    let out = stdout(&o);
    let all = &v["all_disruptions_off"]["cu"];
    let first = out
        .lines()
        .find(|l| l.starts_with("cu "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(first.contains("every disruption (all at once)"), "{out}");
    let shown = fmt_pm(
        all["delta_eud_total"].as_f64().unwrap(),
        all["delta_eud_total_se"].as_f64().unwrap(),
    );
    assert!(first.contains(&shown), "{first} lacks {shown}");
}

#[test]
fn the_cost_with_no_disruption_is_that_of_a_run_without_any() {
    use supplyrisk::sensitivity::without_disruptions;
    use supplyrisk::summary::Summary;
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example-market.toml");
    let s = supplyrisk::scenario::Scenario::load(&path).unwrap();
    let (seed, trials) = (8, 1_500);
    let base = engine::simulate(&s, seed, trials, None);
    let sens = sensitivity(&s, seed, trials, &base, None);
    let quiet = without_disruptions(&s);
    let level = Summary::new(&quiet, seed, &engine::simulate(&quiet, seed, trials, None));
    let written = Summary::new(&s, seed, &base);
    let copper = |x: &Summary| x.minerals.get("copper").unwrap().clone();
    let all = sens.all_disruptions_off.get("copper").unwrap();
    assert_eq!(
        all.cost_total_without_disruptions,
        copper(&level).cost_total
    );
    assert_eq!(
        all.cost_total_without_disruptions_se,
        copper(&level).cost_total_se
    );
    // The level and what the disruptions add make up the cost as written.
    let (with, without) = (
        copper(&written).cost_total.unwrap(),
        copper(&level).cost_total.unwrap(),
    );
    let added = -all.delta_cost_total.unwrap();
    assert!(
        (without + added - with).abs() <= 1e-9 * with.abs(),
        "{without} + {added} vs {with}"
    );
    // A physical mineral has no cost level.
    assert_eq!(
        sens.all_disruptions_off
            .get("cobalt")
            .unwrap()
            .cost_total_without_disruptions,
        None
    );
}
