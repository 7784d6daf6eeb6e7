//! Disruptions in progress when the horizon starts (docs/dependence.md):
//! the first `n = max(1, round(months * steps_per_year / 12))` steps carry
//! the initial spell exactly, in a source's own process and in an event,
//! and the process may go down again from step `n` on; a mineral with
//! stages draws initial spells and shared projects as a physical one does.

use crate::util::{assert_within, each_trial, scenario};
use supplyrisk::scenario::validate::parse_study;
use supplyrisk::scenario::Scenario;

/// One source of capacity 12 a year with an own disruption table `d`
/// (and events after it, if any), over `years` years of `spy` steps.
fn one_source(spy: usize, years: usize, d: &str, events: &str) -> Scenario {
    scenario(&format!("{}{events}", toml_text(spy, years, d)))
}

/// The text of [`one_source`] without events.
fn toml_text(spy: usize, years: usize, d: &str) -> String {
    format!(
        r#"
[scenario]
name = "initial"
start_year = 2026
years = {years}
steps_per_year = {spy}

[[mineral]]
id = "co"
demand = {{ base = 12.0 }}

[[source]]
id = "co-a"
mineral = "co"
capacity = 12.0
disruption = {d}
"#
    )
}

#[test]
fn a_disruption_in_progress_covers_exactly_its_first_steps() {
    // Rate 0: only the initial spell. 2.5 months of monthly steps round to
    // 3 steps at half the output: 12 (9 + 3 x 0.5) / 12 in the first year.
    let cases = [
        (12, "{ rate = 0, severity = 0.3, duration_months = 1, initial = { severity = 0.5, months = 2.5 } }", 10.5),
        // 1.5 quarterly steps round to 2; 0.5 to 1, as does 0.
        (4, "{ rate = 0, severity = 0.3, duration_months = 1, initial = { severity = 1, months = 4.5 } }", 6.0),
        (4, "{ rate = 0, severity = 0.3, duration_months = 1, initial = { severity = 1, months = 1.5 } }", 9.0),
        (4, "{ rate = 0, severity = 0.3, duration_months = 1, initial = { severity = 1, months = 0 } }", 9.0),
    ];
    for (spy, d, first_year) in cases {
        let s = one_source(spy, 2, d, "");
        each_trial(&s, 1, 200, |ws| {
            let supply = &ws.outcome[0].supply;
            assert!((supply[0] - first_year).abs() < 1e-9, "{d}: {supply:?}");
            assert!((supply[1] - 12.0).abs() < 1e-9, "{d}: {supply:?}");
        });
    }
    // A drawn severity, for 18 months: the whole first year and half the
    // second at the same severity, trial by trial.
    let s = one_source(
        12,
        2,
        "{ rate = 0, severity = 1, duration_months = 1, initial = { severity = { dist = \"uniform\", min = 0.2, max = 0.8 }, months = 18 } }",
        "",
    );
    let mut sum = 0.0;
    each_trial(&s, 2, 20_000, |ws| {
        let supply = &ws.outcome[0].supply;
        let severity = 1.0 - supply[0] / 12.0;
        assert!((0.2..=0.8).contains(&severity), "{severity}");
        let second = 6.0 * (1.0 - severity) + 6.0;
        assert!((supply[1] - second).abs() < 1e-9, "{supply:?}");
        sum += severity;
    });
    assert_within(
        "mean severity",
        sum / 20_000.0,
        0.5,
        0.6 / 12f64.sqrt() / 20_000f64.sqrt(),
        4.5,
    );
    // An event's initial spell, half the exposure: 6 months at 1 - 0.5.
    let event = r#"
[[event]]
id = "quota"
rate = 0
severity = 1
duration_months = 1
initial = { severity = 1, months = 6 }
affects = [ { source = "co-a", exposure = 0.5 } ]
"#;
    let s = one_source(
        12,
        1,
        "{ rate = 0, severity = 1, duration_months = 1 }",
        event,
    );
    each_trial(&s, 3, 100, |ws| {
        assert!((ws.outcome[0].supply[0] - 9.0).abs() < 1e-9);
    });
}

#[test]
fn after_its_initial_spell_a_process_may_go_down_at_once() {
    // Yearly steps: the initial spell takes year 0 whole; the process is up
    // at step 1, where it goes down with p = 1 - exp(-rate) for one step.
    let rate: f64 = 0.7;
    let d = format!(
        "{{ rate = {rate}, severity = 0.5, duration_months = 12, initial = {{ severity = 1, months = 12 }} }}"
    );
    let s = one_source(1, 3, &d, "");
    let n = 100_000;
    let mut down = 0u64;
    each_trial(&s, 4, n, |ws| {
        let supply = &ws.outcome[0].supply;
        assert_eq!(supply[0], 0.0);
        let half = (supply[1] - 6.0).abs() < 1e-9;
        assert!(half || (supply[1] - 12.0).abs() < 1e-9, "{supply:?}");
        down += u64::from(half);
    });
    let p = 1.0 - (-rate).exp();
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert_within(
        "P(down at the first step after)",
        down as f64 / n as f64,
        p,
        se,
        4.5,
    );
}

#[test]
fn a_mineral_with_stages_shares_projects_and_initial_spells_alike() {
    // Copper through a mine and a refinery (the channels of the chain
    // engine), cobalt physical; the refinery and the cobalt source are one
    // named project, online mid-2026. The mine starts at half output for 9
    // months, so the refinery's first 3 steps make half a step's product.
    let s = scenario(
        r#"
[scenario]
name = "stages"
start_year = 2026
years = 2

[[mineral]]
id = "cu"
demand = { base = 12.0 }

[[mineral]]
id = "co"
demand = { base = 6.0 }

[[project]]
id = "shared"
online_year = 2026.5
success_probability = 0.5

[[source]]
id = "cu-mine"
mineral = "cu"
stage = "mine"
capacity = 12.0
disruption = { rate = 0, severity = 1, duration_months = 1, initial = { severity = 0.5, months = 9 } }

[[source]]
id = "cu-refinery"
mineral = "cu"
stage = "refinery"
capacity = 12.0
project = "shared"

[[source]]
id = "co-a"
mineral = "co"
capacity = 6.0
project = "shared"
"#,
    );
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    let mut on = 0;
    each_trial(&s, 6, 4_000, |ws| {
        let (cu, co) = (&ws.outcome[0].supply, &ws.outcome[1].supply);
        let success = close(co[0], 3.0);
        assert!(success || close(co[0], 0.0), "{co:?}");
        let want = if success { [4.5, 12.0] } else { [0.0, 0.0] };
        assert!(
            close(cu[0], want[0]) && close(cu[1], want[1]),
            "{cu:?} {co:?}"
        );
        on += usize::from(success);
    });
    assert!((1_800..2_200).contains(&on), "{on}");
}

/// An initial spell's severity and length are uncertain parameters like
/// any other number: a drawn set gives the scenario with those values
/// written in the file.
#[test]
fn an_initial_spell_may_be_an_uncertain_parameter() {
    let d = "{ rate = 0.2, severity = 0.3, duration_months = 1, initial = { severity = 0.5, months = 3 } }";
    let events = r#"
[[event]]
id = "ban"
rate = 0.1
severity = 0.4
duration_months = 2
initial = { severity = { dist = "uniform", min = 0.2, max = 0.6 }, months = 2 }
affects = [ { source = "co-a" } ]

[[uncertain]]
param = "source.co-a.disruption.initial.severity"
dist = { dist = "uniform", min = 0.1, max = 0.9 }

[[uncertain]]
param = "event.ban.initial.months"
dist = { dist = "uniform", min = 0, max = 12 }

[[uncertain]]
param = "event.ban.initial.severity.max"
dist = { dist = "uniform", min = 0.6, max = 1.0 }
"#;
    let text = format!("{}{events}", toml_text(12, 2, d));
    let (_, study) = parse_study(&text, "u.toml").unwrap();
    assert_eq!(study.params.len(), 3);
    let drawn = study.scenario(&[0.8, 7.0, 0.9], &text, "u.toml").unwrap();
    let written = text
        .replace(
            "initial = { severity = 0.5, months = 3 }",
            "initial = { severity = 0.8, months = 3 }",
        )
        .replace(
            "initial = { severity = { dist = \"uniform\", min = 0.2, max = 0.6 }, months = 2 }",
            "initial = { severity = { dist = \"uniform\", min = 0.2, max = 0.9 }, months = 7 }",
        );
    let plain = Scenario::from_toml_str(&written, "u.toml").unwrap();
    assert_eq!(format!("{drawn:?}"), format!("{plain:?}"));
    // A severity outside [0, 1] is refused like any value out of range.
    let bad = text.replace("min = 0.1, max = 0.9", "min = 0.1, max = 1.5");
    let err = parse_study(&bad, "u.toml").unwrap_err();
    assert!(err.to_string().contains("allowed range"), "{err}");
}
