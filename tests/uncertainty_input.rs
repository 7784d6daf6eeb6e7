//! Parameter uncertainty: `[[uncertain]]` tables and drawn parameter sets
//! that are bad input for `run`, `validate` and `uncertainty`.

use crate::uncertainty::TWO;
use crate::util::{run_in, stderr};

fn with_uncertain(tables: &str) -> String {
    let base = TWO.split("[[uncertain]]").next().unwrap();
    format!("{base}{tables}")
}

#[test]
fn bad_uncertain_tables_are_refused_with_exit_2_by_run_and_uncertainty() {
    let cases = [
        ("param = \"planet.cu.x\"\ndist = 1.0", "KIND one of"),
        ("param = \"source.nope.capacity\"\ndist = 1.0", "expected an id in the file"),
        ("param = \"source.ni-mine.access\"\ndist = 0.5", "no value is written there"),
        ("param = \"source.cu.mine.disruption.severity\"\ndist = 0.5", "a distribution table is written there"),
        ("param = \"source.cu.mine.colour\"\ndist = 0.5", "expected an uncertain number"),
        ("param = \"source.ni-mine.disruption.severity\"\ndist = { dist = \"uniform\", min = 0.5, max = 1.5 }", "allowed range"),
        // So narrow a beta that its quantiles (the design's draws) are unreliable.
        ("param = \"source.ni-mine.disruption.severity\"\ndist = { dist = \"beta\", mean = 0.5, sd = 1e-6 }", "a + b = 2.5e11"),
        ("param = \"event.x.rate\"\ndist = { dist = \"uniform\", min = 2, max = 1 }", "expected an id"),
        ("param = \"source.ni-mine.capacity\"\ndist = { dist = \"uniform\", min = 2, max = 1 }", "min <= max"),
        ("param = \"source.ni-mine.capacity\"\ndist = { dist = \"normal\", mean = 1 }", "expected one of"),
        ("param = \"source.ni-mine.capacity\"\ndist = 60.0\n[[uncertain]]\nparam = \"source.ni-mine.capacity\"\ndist = 70.0", "expected each parameter once"),
        ("param = \"source.ni-mine.capacity\"", "missing key `dist`"),
        ("param = \"source.ni-mine.capacity\"\ndist = 1.0\ncolour = 1", "unknown key `colour`"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (table, message) in cases {
        let text = with_uncertain(&format!("[[uncertain]]\n{table}\n"));
        std::fs::write(dir.path().join("bad.toml"), &text).unwrap();
        for args in [
            &["run", "bad.toml", "--out", "o1", "--no-plots"][..],
            &["uncertainty", "bad.toml", "--samples", "4", "--out", "o2"][..],
        ] {
            let o = run_in(dir.path(), args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{table}: {err}");
            assert!(
                err.contains(message),
                "{table}: expected '{message}' in {err}"
            );
            assert!(err.contains("bad.toml:"), "{err}");
            assert!(!dir.path().join("o1").exists() && !dir.path().join("o2").exists());
        }
    }
}

#[test]
fn a_bad_address_does_not_hide_the_problems_of_its_distribution() {
    let text = with_uncertain(
        "[[uncertain]]\nparam = \"event.x.rate\"\ndist = { dist = \"uniform\", min = 2, max = 1 }\n\
         [[uncertain]]\ndist = { dist = \"uniform\", min = 3, max = 1 }\n",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), &text).unwrap();
    let o = run_in(dir.path(), &["validate", "bad.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for expect in [
        "uncertain[0].param: expected an id",
        "uncertain[0].dist: expected min <= max",
        "uncertain[1]: missing key `param`",
        "uncertain[1].dist: expected min <= max",
    ] {
        assert!(err.contains(expect), "{expect} missing from {err}");
    }
}

#[test]
fn the_uncertainty_command_refuses_bad_input_writing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("none.toml"), with_uncertain("")).unwrap();
    let o = run_in(d, &["uncertainty", "none.toml", "--out", "o"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("[[uncertain]]"), "{}", stderr(&o));
    std::fs::write(d.join("u.toml"), TWO).unwrap();
    let o = run_in(
        d,
        &["uncertainty", "u.toml", "--samples", "12", "--out", "o"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("power of two"), "{}", stderr(&o));
    // A drawn stock above the stockpile's capacity breaks a rule between keys.
    let keys = "[[uncertain]]\nparam = \"stockpile.cu.initial\"\ndist = { dist = \"uniform\", min = 0, max = 20 }\n";
    std::fs::write(d.join("k.toml"), with_uncertain(keys)).unwrap();
    // `validate` accepts the file (a plain run uses the value written) and
    // warns that the study's default design would be refused.
    let o = run_in(d, &["validate", "k.toml"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("warning: k.toml: `uncertainty` would refuse this file (checked at its default 256 base sets, seed 7)")
            && err.contains("warning: k.toml:")
            && err.contains(": parameter set A row ")
            && err.contains("more of the 512 parameter sets break a rule"),
        "{err}"
    );
    let o = run_in(d, &["validate", "u.toml"]);
    assert!(
        o.status.success() && stderr(&o).is_empty(),
        "{}",
        stderr(&o)
    );
    let o = run_in(
        d,
        &["uncertainty", "k.toml", "--samples", "8", "--out", "o"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("parameter set") && err.contains("with stockpile.cu.initial = "),
        "{err}"
    );
    // Of the 24 sets, those after the first five that break a rule are
    // counted, not listed.
    let listed = err
        .lines()
        .filter(|l| l.contains(": parameter set "))
        .count();
    let broken = 5 + err
        .lines()
        .find_map(|l| l.strip_suffix(" more of the 24 parameter sets break a rule of the scenario"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("no count of the other sets in {err}"));
    assert_eq!(listed, 5, "{err}");
    assert!(broken > 5 && broken < 24, "{err}");
    assert!(!d.join("o").exists());
    // A set that breaks two rules has both reported, each with its set.
    let two_keys = format!(
        "{keys}[[uncertain]]\nparam = \"source.cu.mine.disruption.severity.min\"\ndist = {{ dist = \"uniform\", min = 0, max = 1 }}\n"
    );
    std::fs::write(d.join("k2.toml"), with_uncertain(&two_keys)).unwrap();
    let o = run_in(
        d,
        &["uncertainty", "k2.toml", "--samples", "16", "--out", "o"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let row = |r: usize| {
        let set = format!(": parameter set A row {r}, ");
        let lines: Vec<_> = err.lines().filter(|l| l.contains(&set)).collect();
        lines.len()
    };
    assert!(
        (0..8).any(|r| row(r) == 2),
        "no set breaking both rules in {err}"
    );
    assert!(
        err.contains("min <= max") && err.contains("initial <= capacity"),
        "{err}"
    );
    // Bad flags are reported with the scenario's own problems.
    std::fs::write(
        d.join("bad.toml"),
        TWO.replace("capacity = 10.0", "capacity = -1.0"),
    )
    .unwrap();
    let o = run_in(
        d,
        &[
            "uncertainty",
            "bad.toml",
            "--samples",
            "3",
            "--trials",
            "0",
            "--out",
            "o",
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for part in ["bad.toml:", "--samples", "--trials"] {
        assert!(err.contains(part), "expected '{part}' in {err}");
    }
    assert!(!d.join("o").exists());
    // An unbounded capacity whose upper tail reaches beyond supplyrisk's
    // limit (1e15 units a year) is refused when the file is read, before
    // any study could draw such a value.
    let keys = "[[uncertain]]\nparam = \"source.ni-mine.capacity\"\ndist = { dist = \"lognormal\", median = 1e14, p90 = 5e14 }\n";
    std::fs::write(d.join("r.toml"), with_uncertain(keys)).unwrap();
    for args in [
        &["validate", "r.toml"][..],
        &["uncertainty", "r.toml", "--samples", "8", "--out", "o"],
    ] {
        let o = run_in(d, args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("uncertain[0].dist: expected a distribution whose upper tail stays inside the allowed range of source.ni-mine.capacity (a number from 0 to 1e15)")
                && err.contains("with one draw in 10^9 above"),
            "{err}"
        );
    }
    assert!(!d.join("o").exists());
}

#[test]
fn supports_are_held_to_the_key_ranges_with_open_bounds_allowed_as_ends() {
    let dir = tempfile::tempdir().unwrap();
    let check = |param: &str, dist: &str| {
        let text = with_uncertain(&format!(
            "[[uncertain]]\nparam = \"{param}\"\ndist = {dist}\n"
        ));
        std::fs::write(dir.path().join("s.toml"), text).unwrap();
        let o = run_in(dir.path(), &["validate", "s.toml"]);
        (o.status.code(), stderr(&o))
    };
    let ok = [
        // demand.base > 0: a continuous distribution may start at the open bound.
        (
            "mineral.cu.demand.base",
            "{ dist = \"uniform\", min = 0, max = 200 }",
        ),
        (
            "source.cu.mine.disruption.rate",
            "{ dist = \"beta\", mean = 0.7, sd = 0.1 }",
        ),
        (
            "source.cu.mine.disruption.severity.max",
            "{ dist = \"pert\", min = 0.6, mode = 0.8, max = 1 }",
        ),
        (
            "stockpile.cu.capacity",
            "{ dist = \"uniform\", min = 10, max = 30 }",
        ),
        // Unbounded above where the model sets no largest value: the
        // limits supplyrisk adds are checked on each drawn set instead.
        (
            "mineral.ni.demand.base",
            "{ dist = \"lognormal\", median = 50, p90 = 80 }",
        ),
        (
            "source.ni-mine.disruption.rate",
            "{ dist = \"exponential\", mean = 1 }",
        ),
        (
            "source.ni-mine.capacity",
            "{ dist = \"lognormal\", median = 60, p90 = 90 }",
        ),
    ];
    for (param, dist) in ok {
        let (code, err) = check(param, dist);
        assert_eq!(code, Some(0), "{param}: {err}");
    }
    let refused = [
        ("mineral.cu.demand.base", "0.0"),
        // Unbounded above, where the model sets a largest value.
        (
            "source.ni-mine.disruption.severity",
            "{ dist = \"exponential\", mean = 0.2 }",
        ),
        // Bounded, beyond the limit supplyrisk adds to the model's range.
        (
            "source.ni-mine.capacity",
            "{ dist = \"uniform\", min = 1, max = 2e15 }",
        ),
        (
            "source.ni-mine.disruption.severity",
            "{ dist = \"uniform\", min = 0.5, max = 1.2 }",
        ),
        (
            "mineral.cu.demand.sigma",
            "{ dist = \"uniform\", min = -0.1, max = 0.3 }",
        ),
    ];
    for (param, dist) in refused {
        let (code, err) = check(param, dist);
        assert_eq!(code, Some(2), "{param}: {err}");
        assert!(
            err.contains("allowed range") && err.contains("s.toml:"),
            "{param}: {err}"
        );
    }
}

/// A strongly U-shaped beta's quantile rounds to its support's ends (here
/// 0.6% of draws of shapes 0.12 to exactly 1, and 0.5% of a beta of mean
/// 0.1 to exactly 0, by underflow), which are open bounds of these keys:
/// drawn with probability zero, they are moved just inside, so a file
/// `validate` accepts is not refused by the study.
#[test]
fn draws_that_round_to_an_open_bound_are_kept_inside_it() {
    let text = r#"
[scenario]
name = "ends"
start_year = 2026
years = 2
trials = 10

[[mineral]]
id = "m"
demand = { base = 10.0 }
shortfall_threshold = 0.05

[[source]]
id = "s1"
mineral = "m"
capacity = 30.0
access = 0.5

[[uncertain]]
param = "mineral.m.shortfall_threshold"
dist = { dist = "beta", mean = 0.5, sd = 0.45 }

[[uncertain]]
param = "source.s1.access"
dist = { dist = "beta", mean = 0.1, sd = 0.29 }
"#;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("e.toml"), text).unwrap();
    let o = run_in(d, &["validate", "e.toml"]);
    assert!(
        o.status.success() && stderr(&o).is_empty(),
        "{}",
        stderr(&o)
    );
    let o = run_in(
        d,
        &[
            "uncertainty",
            "e.toml",
            "--samples",
            "1024",
            "--no-plots",
            "--quiet",
            "--out",
            "o",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let runs = std::fs::read_to_string(d.join("o/uncertainty_runs.csv")).unwrap();
    let column = |c: usize| -> Vec<f64> {
        runs.lines()
            .skip(1)
            .map(|l| l.split(',').nth(c).unwrap().parse().unwrap())
            .collect()
    };
    let (threshold, access) = (column(2), column(3));
    let next_below_1 = f64::from_bits(1.0f64.to_bits() - 1);
    let smallest = f64::from_bits(1);
    assert!(threshold.iter().all(|&t| (0.0..1.0).contains(&t)));
    assert!(access.iter().all(|&a| a > 0.0 && a <= 1.0));
    // The ends are reached: the rounding happens, and is corrected.
    assert!(threshold.contains(&next_below_1), "no threshold at the end");
    assert!(access.contains(&smallest), "no access at the end");
}
