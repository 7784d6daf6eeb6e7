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
    // The runner-up's gap is the paired difference of the two runs
    // themselves, switched off one at a time.
    let gap = sens.runner_up_gap.get("ni").unwrap().unwrap();
    let totals = |id: &str| {
        use supplyrisk::sensitivity::Entity;
        let e = match id {
            "A" => Entity::Source(0),
            "B" => Entity::Source(1),
            _ => Entity::Event(0),
        };
        let (off, _) = supplyrisk::sensitivity::switched_off(&s, e);
        engine::simulate(&off, 6, 20_000, None).minerals[0]
            .totals
            .clone()
    };
    let (first, second) = (totals(&list[0].entity), totals(&list[1].entity));
    let expected = supplyrisk::compare::paired(first.into_iter(), second.into_iter());
    assert_eq!(gap, expected);
    assert!(gap.se > 0.0);
    let step = list[1].delta_eud_total - list[0].delta_eud_total;
    assert!(
        (gap.delta - step).abs() <= 1e-9 * step.abs(),
        "{gap:?} against {step}"
    );
}

#[test]
fn drivers_that_one_run_cannot_tell_apart_are_named_together() {
    // Two sources alike in every respect but their ids (so their draws):
    // which one adds more risk is noise. A third source's disruption is
    // far worse.
    let source = |id: &str, capacity: f64, rate: f64| {
        format!(
            "[[source]]\nid = \"{id}\"\nmineral = \"ni\"\ncapacity = {capacity}\ndisruption = {{ rate = {rate}, severity = 0.5, duration_months = 3 }}\n"
        )
    };
    let head = "[scenario]\nname = \"twins\"\nstart_year = 2026\nyears = 3\n[[mineral]]\nid = \"ni\"\ndemand = { base = 100.0 }\n";
    let twins = format!("{head}{}{}", source("A", 50.0, 0.5), source("B", 50.0, 0.5));
    let lopsided = format!("{head}{}{}", source("A", 50.0, 0.5), source("B", 50.0, 2.0));
    let dir = tempfile::tempdir().unwrap();
    let mut sentences = Vec::new();
    for (name, text) in [("twins", &twins), ("lopsided", &lopsided)] {
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
        let o = run_in(
            dir.path(),
            &[
                "sensitivity",
                &format!("{name}.toml"),
                "--trials",
                "2000",
                "--seed",
                "3",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let page =
            std::fs::read_to_string(dir.path().join(format!("results/{name}/sensitivity.html")))
                .unwrap();
        let at = page
            .find("ni: the largest")
            .unwrap_or_else(|| panic!("{page}"));
        sentences.push(page[at..at + page[at..].find('<').unwrap()].to_string());
        // The page follows the library's gap and its standard error.
        let s = scenario(text);
        let base = engine::simulate(&s, 3, 2_000, None);
        let gap = sensitivity(&s, 3, 2_000, &base, None)
            .runner_up_gap
            .get("ni")
            .unwrap()
            .unwrap();
        let apart = gap.delta >= supplyrisk::plot::Z95 * gap.se;
        assert_eq!(apart, name == "lopsided", "{name}: {gap:?}");
    }
    assert!(
        sentences[0].starts_with("ni: the largest drivers are A (source) and B (source), which this run does not tell apart")
            || sentences[0].starts_with("ni: the largest drivers are B (source) and A (source), which this run does not tell apart"),
        "{}",
        sentences[0]
    );
    assert!(
        sentences[1].starts_with("ni: the largest driver is B (source); switching it off"),
        "{}",
        sentences[1]
    );
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
