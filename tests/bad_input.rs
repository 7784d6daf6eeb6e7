//! Bad input (docs/model.md sections 9–10, docs/cli.md exit codes): every case is
//! refused by the real binary with exit status 2, a message naming the
//! file, the position and the key path, no panic, and nothing written.

use crate::util::{run_in, stderr};
use std::path::Path;

const BASE: &str = r#"[scenario]
name = "bad"
start_year = 2026
years = 2

[[mineral]]
id = "cu"
demand = { base = 100.0 }

[[source]]
id = "a"
mineral = "cu"
capacity = 100.0
disruption = { rate = 0.2, severity = 0.5, duration_months = 2 }
"#;

/// A case: the scenario text, the fragment the message must contain, and
/// the line the message must name (None for cases without a position).
struct Case {
    name: &'static str,
    text: String,
    fragment: &'static str,
    line: Option<usize>,
}

fn edit(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "fixture edit {from:?} must apply");
    BASE.replacen(from, to, 1)
}

fn add(extra: &str) -> String {
    format!("{BASE}{extra}")
}

fn edits(changes: &[(&str, &str)]) -> String {
    changes.iter().fold(BASE.to_string(), |text, (from, to)| {
        assert!(text.contains(from), "fixture edit {from:?} must apply");
        text.replacen(from, to, 1)
    })
}

fn cases() -> Vec<Case> {
    let c = |name, text, fragment, line| Case {
        name,
        text,
        fragment,
        line,
    };
    vec![
        c("negative rate", edit("rate = 0.2", "rate = -0.2"), "source[0].disruption.rate: expected a finite number >= 0, found -0.2", Some(14)),
        c("access zero", edit("capacity = 100.0", "capacity = 100.0\naccess = 0.0"), "source[0].access", Some(14)),
        c("access above one", edit("capacity = 100.0", "capacity = 100.0\naccess = 1.5"), "source[0].access: expected a number with 0 < x <= 1, found 1.5", Some(14)),
        c("negative capacity", edit("capacity = 100.0", "capacity = -1.0"), "source[0].capacity: expected a number from 0 to 1e15, found -1", Some(13)),
        c("unknown key in header", edit("years = 2", "years = 2\nyaers = 3"), "unknown key `yaers`", Some(5)),
        c("unknown key in disruption", edit("rate = 0.2", "rat = 0.2"), "unknown key `rat`", Some(14)),
        c("string for a number", edit("capacity = 100.0", "capacity = \"big\""), "source[0].capacity: expected a number, found string \"big\"", Some(13)),
        c("float for an integer", edit("years = 2", "years = 2.5"), "scenario.years: expected an integer", Some(4)),
        c("zero years", edit("years = 2", "years = 0"), "scenario.years: expected an integer from 1 to 1000, found 0", Some(4)),
        c("too many steps", edit("years = 2", "years = 2\nsteps_per_year = 400"), "scenario.steps_per_year: expected an integer from 1 to 366, found 400", Some(5)),
        c("dangling mineral", edit("mineral = \"cu\"", "mineral = \"copper\""), "source[0].mineral: expected the id of a [[mineral]], found \"copper\"", Some(12)),
        c("misspelt mineral", edit("mineral = \"cu\"", "mineral = \"cuu\""), "source[0].mineral: expected the id of a [[mineral]], found \"cuu\" (did you mean \"cu\"?) (source \"a\")", Some(12)),
        c("dangling event source", add("[[event]]\nid = \"e\"\nrate = 0.1\nseverity = 0.5\nduration_months = 3\naffects = [ { source = \"nope\" } ]\n"), "event[0].affects[0].source: expected the id of a [[source]], found \"nope\"", Some(20)),
        c("dangling stockpile mineral", add("[[stockpile]]\nmineral = \"li\"\ninitial = 1.0\nmax_release_per_year = 1.0\n"), "stockpile[0].mineral", Some(16)),
        c("duplicate source id", add("[[source]]\nid = \"a\"\nmineral = \"cu\"\ncapacity = 1.0\n"), "source[1].id: expected a unique source id, found \"a\" again", Some(16)),
        c("duplicate mineral id", edit("[[source]]", "[[mineral]]\nid = \"cu\"\ndemand = { base = 1.0 }\n\n[[source]]"), "mineral[1].id: expected a unique mineral id", Some(11)),
        c("nan capacity", edit("capacity = 100.0", "capacity = nan"), "source[0].capacity: expected a number from 0 to 1e15, found NaN", Some(13)),
        c("infinite demand", edit("base = 100.0", "base = inf"), "mineral[0].demand.base: expected a number with 0 < x <= 1e15, found inf", Some(8)),
        c("syntax error", edit("capacity = 100.0", "capacity = = 100.0"), "TOML syntax error", Some(13)),
        c("key given twice", edit("capacity = 100.0", "capacity = 100.0\ncapacity = 90.0"), "TOML syntax error: duplicate key \"capacity\"", Some(14)),
        c("empty file", String::new(), "found an empty file", None),
        c("beta sd too large", edit("severity = 0.5", "severity = { dist = \"beta\", mean = 0.5, sd = 0.6 }"), "source[0].disruption.severity: expected sd^2 < mean (1 - mean)", Some(14)),
        c("triangular min above max", edit("duration_months = 2", "duration_months = { dist = \"triangular\", min = 5, mode = 4, max = 3 }"), "source[0].disruption.duration_months: expected min < max", Some(14)),
        c("lognormal median at p90", edit("duration_months = 2", "duration_months = { dist = \"lognormal\", median = 3, p90 = 3 }"), "expected 0 < median < p90", Some(14)),
        c("severity above one", edit("severity = 0.5", "severity = { dist = \"uniform\", min = 0.5, max = 1.5 }"), "source[0].disruption.severity: expected a severity in [0, 1]", Some(14)),
        c("unbounded severity", edit("severity = 0.5", "severity = { dist = \"exponential\", mean = 0.2 }"), "expected a severity distribution bounded in [0, 1]", Some(14)),
        c("negative duration", edit("duration_months = 2", "duration_months = -1"), "source[0].disruption.duration_months: expected a non-negative duration", Some(14)),
        c("unknown dist", edit("severity = 0.5", "severity = { dist = \"gamma\", mean = 0.5 }"), "source[0].disruption.severity.dist: expected one of", Some(14)),
        c("missing dist parameter", edit("severity = 0.5", "severity = { dist = \"beta\", mean = 0.5 }"), "source[0].disruption.severity.sd: missing key `sd`", Some(14)),
        c("extra dist parameter", edit("duration_months = 2", "duration_months = { dist = \"exponential\", mean = 2, sd = 1 }"), "unexpected key `sd` for dist = \"exponential\"", Some(14)),
        c("stock above capacity", add("[[stockpile]]\nmineral = \"cu\"\ninitial = 5.0\ncapacity = 2.0\nmax_release_per_year = 1.0\n"), "stockpile[0].initial: expected initial <= capacity (2), found 5", Some(17)),
        c("two stockpiles", add("[[stockpile]]\nmineral = \"cu\"\ninitial = 1.0\nmax_release_per_year = 1.0\n[[stockpile]]\nmineral = \"cu\"\ninitial = 1.0\nmax_release_per_year = 1.0\n"), "stockpile[1].mineral: expected at most one stockpile per mineral", Some(20)),
        c("exposure above one", add("[[event]]\nid = \"e\"\nrate = 0.1\nseverity = 0.5\nduration_months = 3\naffects = [ { source = \"a\", exposure = 1.5 } ]\n"), "event[0].affects[0].exposure: expected a number from 0 to 1, found 1.5", Some(20)),
        c("zero success probability", edit("capacity = 100.0", "capacity = 100.0\nproject = { online_year = 2027, success_probability = 0.0 }"), "source[0].project.success_probability", Some(14)),
        c("threshold of one", edit("demand = { base = 100.0 }", "demand = { base = 100.0 }\nshortfall_threshold = 1.0"), "mineral[0].shortfall_threshold: expected a number with 0 <= x < 1, found 1", Some(9)),
        c("growth of minus one", edit("base = 100.0", "base = 100.0, growth = -1.0"), "mineral[0].demand.growth: expected a finite number > -1, found -1", Some(8)),
        c("missing capacity", edit("capacity = 100.0\n", ""), "source[0]: missing key `capacity`", Some(10)),
        c("zero trials in file", edit("years = 2", "years = 2\ntrials = 0"), "scenario.trials: expected an integer from 1 to 1000000000, found 0", Some(5)),
        c("no minerals", "[scenario]\nname = \"x\"\nstart_year = 2026\nyears = 1\n".to_string(), "expected at least one [[mineral]]", None),
        c("negative ramp", edit("capacity = 100.0", "capacity = 100.0\nproject = { online_year = 2027, ramp_years = -1 }"), "source[0].project.ramp_years: expected a finite number >= 0, found -1", Some(14)),
        c("negative delay", edit("capacity = 100.0", "capacity = 100.0\nproject = { online_year = 2027, delay_months = { dist = \"uniform\", min = -3, max = 3 } }"), "source[0].project.delay_months: expected a non-negative duration or delay", Some(14)),
        c("wrong type for a distribution", edit("severity = 0.5", "severity = \"high\""), "expected a number or a distribution table", Some(14)),
        // Limits that keep every derived quantity finite (docs/limits.md).
        c("huge growth", edit("base = 100.0", "base = 100.0, growth = 1e100"), "mineral[0].demand.growth: expected a growth that keeps the last year's trend demand, base (1 + growth)^(years - 1), at most 1e15 units per year, found 1e102 (base 100, growth 1e100, 2 years)", Some(8)),
        c("infinite growth", edit("base = 100.0", "base = 100.0, growth = inf"), "mineral[0].demand.growth: expected a finite number > -1, found inf", Some(8)),
        c("huge base", edit("base = 100.0", "base = 1e308"), "mineral[0].demand.base: expected a number with 0 < x <= 1e15, found 1e308", Some(8)),
        c("trend demand beyond the limit", edits(&[("years = 2", "years = 1000"), ("base = 100.0", "base = 1e12, growth = 0.01")]), "mineral[0].demand.growth: expected a growth that keeps the last year's trend demand, base (1 + growth)^(years - 1), at most 1e15 units per year, found 2.0751639245360244e16 (base 1e12, growth 0.01, 1000 years)", Some(8)),
        c("huge sigma", edit("base = 100.0", "base = 100.0, sigma = 11"), "mineral[0].demand.sigma: expected a number from 0 to 10, found 11", Some(8)),
        c("huge capacity", edit("capacity = 100.0", "capacity = 1e308"), "source[0].capacity: expected a number from 0 to 1e15, found 1e308", Some(13)),
        c("infinite rate", edit("rate = 0.2", "rate = inf"), "source[0].disruption.rate: expected a finite number >= 0, found inf", Some(14)),
        c("huge stockpile", add("[[stockpile]]\nmineral = \"cu\"\ninitial = 1e16\nmax_release_per_year = 1.0\n"), "stockpile[0].initial: expected a number from 0 to 1e15, found 1e16", Some(17)),
        c("infinite release", add("[[stockpile]]\nmineral = \"cu\"\ninitial = 1.0\nmax_release_per_year = inf\n"), "stockpile[0].max_release_per_year: expected a number from 0 to 1e15, found inf", Some(18)),
        c("lognormal ratio overflowing", edit("duration_months = 2", "duration_months = { dist = \"lognormal\", median = 1e-300, p90 = 1e300 }"), "expected a finite p90 / median for dist = \"lognormal\"", Some(14)),
        c("delay range overflowing", edit("capacity = 100.0", "capacity = 100.0\nproject = { online_year = 2027, delay_months = { dist = \"pert\", min = -1e308, mode = 0, max = 1e308 } }"), "expected a finite max - min for dist = \"pert\"", Some(14)),
        c("exponential rate overflowing", edit("duration_months = 2", "duration_months = { dist = \"exponential\", mean = 1e-310 }"), "expected mean >= 1e-300 for dist = \"exponential\"", Some(14)),
        c("infinite online year", edit("capacity = 100.0", "capacity = 100.0\nproject = { online_year = -inf }"), "source[0].project.online_year: expected a finite number, found -inf", Some(14)),
        c("infinite ramp", edit("capacity = 100.0", "capacity = 100.0\nproject = { online_year = 2027, ramp_years = inf }"), "source[0].project.ramp_years: expected a finite number >= 0, found inf", Some(14)),
        c("beta sd underflowing", edit("severity = 0.5", "severity = { dist = \"beta\", mean = 0.5, sd = 1e-160 }"), "source[0].disruption.severity: expected sd >= 1e-6 for dist = \"beta\", found dist = \"beta\", mean = 0.5, sd = 1e-160", Some(14)),
        c("huge start year", edit("start_year = 2026", "start_year = 9223372036854775807"), "scenario.start_year: expected an integer from -10000 to 10000, found 9223372036854775807", Some(3)),
        c("integer beyond 64 bits", edit("years = 2", "years = 9223372036854775808"), "scenario.years: expected an integer from 1 to 1000, found 9223372036854775808", Some(4)),
        c("too many trials in file", edit("years = 2", "years = 2\ntrials = 2000000000"), "scenario.trials: expected an integer from 1 to 1000000000, found 2000000000", Some(5)),
        c("tiny number", edit("capacity = 100.0", "capacity = -1e-300"), "source[0].capacity: expected a number from 0 to 1e15, found -1e-300", Some(13)),
        c("number literal overflowing", edit("capacity = 100.0", "capacity = 1e400"), "source[0].capacity: expected a finite number, found 1e400", Some(13)),
        // Ids and texts.
        c("id with a slash", edits(&[("id = \"cu\"", "id = \"a/b\""), ("mineral = \"cu\"", "mineral = \"a/b\"")]), "mineral[0].id: expected an id of 1 to 64 letters, digits, '.', '_' or '-', found \"a/b\"", Some(7)),
        c("id too long", edit("id = \"a\"", &format!("id = \"{}\"", "x".repeat(300))), "source[0].id: expected an id of 1 to 64 letters, digits, '.', '_' or '-', found \"xxxxxxxx", Some(11)),
        c("empty id", edit("id = \"a\"", "id = \"\""), "source[0].id: expected an id of 1 to 64", Some(11)),
        c("mineral ids equal but for case", edit("[[source]]", "[[mineral]]\nid = \"CU\"\ndemand = { base = 1.0 }\n\n[[source]]"), "mineral[1].id: expected a unique mineral id, found \"CU\" (the same as mineral[0]'s \"cu\" but for case", Some(11)),
        c("escape codes in a name", edit("name = \"bad\"", "name = \"\\u001b[31mred\""), "scenario.name: expected a name of at most 200 characters without control characters, found \"\\u{1b}[31mred\"", Some(2)),
        c("long name", edit("name = \"bad\"", &format!("name = \"{}\"", "n".repeat(201))), "scenario.name: expected a name of at most 200 characters", Some(2)),
        c("empty country", edit("capacity = 100.0", "capacity = 100.0\ncountry = \"\""), "source[0].country: expected a country code such as \"CL\" of 1 to 32 characters", Some(14)),
        c("control character in a unit", edit("id = \"cu\"", "id = \"cu\"\nunit = \"k\\tt\""), "mineral[0].unit: expected a unit such as \"kt\" of 1 to 40 characters without control characters, found \"k\\u{9}t\"", Some(8)),
        // Types TOML has and scenarios do not.
        c("date-time for a number", edit("rate = 0.2", "rate = 1979-05-27"), "source[0].disruption.rate: expected a number, found a date-time", Some(14)),
        c("date-time for a string", edit("name = \"bad\"", "name = 1979-05-27T07:32:00Z"), "scenario.name: expected a string, found a date-time", Some(2)),
        c("unknown distribution with its own parameters", edit("severity = 0.5", "severity = { dist = \"weibull\", shape = 2 }"), "source[0].disruption.severity.dist: expected one of \"fixed\", \"uniform\", \"triangular\", \"pert\", \"beta\", \"lognormal\", \"exponential\", found \"weibull\"", Some(14)),
        c("array for a table", edit("base = 100.0 }", "base = 100.0 }\n[[mineral.demand]]"), "TOML syntax error", Some(9)),
        c("table for a list of tables", edit("[[source]]", "[source]"), "source: expected an array of tables, found a table", Some(10)),
    ]
}

fn assert_refused(dir: &Path, args: &[&str], fragment: &str, line: Option<usize>, name: &str) {
    let out_dir = dir.join("out");
    let mut full: Vec<&str> = args.to_vec();
    let out_str = out_dir.to_str().unwrap().to_string();
    full.extend(["--out", &out_str]);
    let o = run_in(dir, &full);
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{name}: exit status, stderr: {err}"
    );
    assert!(
        err.contains(fragment),
        "{name}: message {err:?} lacks {fragment:?}"
    );
    if let Some(line) = line {
        let prefix = format!("test.toml:{line}:");
        assert!(
            err.contains(&prefix),
            "{name}: message {err:?} lacks position {prefix:?}"
        );
    }
    assert!(!err.contains("panicked"), "{name}: panic: {err}");
    assert!(!out_dir.exists(), "{name}: an output folder was written");
    assert!(
        !dir.join("results").exists(),
        "{name}: default output folder was written"
    );
}

#[test]
fn every_bad_scenario_is_refused_with_exit_2_and_a_precise_message() {
    let cases = cases();
    assert!(cases.len() >= 20);
    let dir = tempfile::tempdir().unwrap();
    for case in &cases {
        std::fs::write(dir.path().join("test.toml"), &case.text).unwrap();
        assert_refused(
            dir.path(),
            &["run", "test.toml"],
            case.fragment,
            case.line,
            case.name,
        );
    }
}

#[test]
fn the_base_fixture_of_the_bad_cases_is_itself_valid() {
    // Without this, a broken BASE would make every case pass for the wrong reason.
    supplyrisk::scenario::Scenario::from_toml_str(BASE, "test.toml").unwrap();
}

#[test]
fn validate_reports_every_problem_of_every_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), edit("rate = 0.2", "rate = -0.2")).unwrap();
    std::fs::write(
        dir.path().join("b.toml"),
        edit("capacity = 100.0", "capacity = -1.0\naccess = 2.0"),
    )
    .unwrap();
    let o = run_in(dir.path(), &["validate", "a.toml", "b.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("a.toml:14:") && err.contains("source[0].disruption.rate"),
        "{err}"
    );
    assert!(
        err.contains("b.toml:13:") && err.contains("source[0].capacity"),
        "{err}"
    );
    assert!(
        err.contains("b.toml:14:") && err.contains("source[0].access"),
        "{err}"
    );
}

#[test]
fn bad_flags_missing_files_and_binary_garbage_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("test.toml"), BASE).unwrap();
    std::fs::write(dir.path().join("bin.toml"), [0xff, 0xfe, 0x00, 0x80]).unwrap();
    assert_refused(
        dir.path(),
        &["run", "test.toml", "--trials", "0"],
        "--trials",
        None,
        "zero trials",
    );
    assert_refused(
        dir.path(),
        &["run", "test.toml", "--threads", "0"],
        "--threads",
        None,
        "zero threads",
    );
    assert_refused(
        dir.path(),
        &["run", "test.toml", "--trials", "many"],
        "--trials",
        None,
        "text trials",
    );
    assert_refused(
        dir.path(),
        &["run", "missing.toml"],
        "missing.toml: could not read the file",
        None,
        "missing file",
    );
    assert_refused(
        dir.path(),
        &["run", "bin.toml"],
        "bin.toml: expected UTF-8 text",
        None,
        "binary file",
    );
    assert_refused(
        dir.path(),
        &["run", "test.toml", "--frobnicate"],
        "--frobnicate",
        None,
        "unknown flag",
    );
}

#[test]
fn no_input_makes_the_loader_panic() {
    // Every prefix of a valid file, and of each bad case, loads or fails cleanly.
    let texts: Vec<String> = std::iter::once(BASE.to_string())
        .chain(cases().into_iter().map(|c| c.text))
        .collect();
    for text in texts {
        for cut in (0..text.len()).filter(|i| text.is_char_boundary(*i)) {
            let _ = supplyrisk::scenario::Scenario::from_toml_str(&text[..cut], "cut.toml");
        }
    }
}

#[test]
fn a_type_error_hides_none_of_the_other_problems() {
    // A wrong type, an unknown key, a range error, a missing key and a
    // non-table entry, in several entries: all reported in one go, in
    // file order.
    let text = edits(&[
        ("capacity = 100.0", "capacity = \"big\""),
        ("demand = { base = 100.0 }", "demand = { base = 100.0 }\ncolour = \"red\""),
        ("rate = 0.2", "rate = -0.2"),
    ]) + "\n[[source]]\nid = \"b\"\nmineral = \"cu\"\n\n[[event]]\nid = \"e\"\nrate = 1979-05-27\nseverity = { dist = \"beta\", mean = 2, sd = 0.1 }\nduration_months = 2\naffects = [ 7, { source = \"b\" } ]\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("test.toml"), &text).unwrap();
    let o = run_in(dir.path(), &["validate", "test.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let expected = [
        "test.toml:9:1: mineral[0].colour: unknown key `colour`",
        "test.toml:14:1: source[0].capacity: expected a number, found string \"big\"",
        "test.toml:15:16: source[0].disruption.rate: expected a finite number >= 0, found -0.2",
        "test.toml:17:1: source[1]: missing key `capacity`",
        "test.toml:23:1: event[0].rate: expected a number, found a date-time",
        "test.toml:24:1: event[0].severity: expected 0 < mean < 1 for dist = \"beta\"",
        "test.toml:26:13: event[0].affects[0]: expected a table, found integer 7",
    ];
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{err}");
    for (line, want) in lines.iter().zip(expected) {
        assert!(
            line.starts_with(&format!("error: {want}")),
            "{line:?} vs {want:?}"
        );
    }
}

#[test]
fn an_unknown_distribution_is_named_as_such_not_as_unknown_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let text = edit(
        "severity = 0.5",
        "severity = { dist = \"weibull\", shape = 2, scale = 1 }",
    );
    std::fs::write(dir.path().join("test.toml"), text).unwrap();
    let o = run_in(dir.path(), &["validate", "test.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("found \"weibull\"") && err.contains("\"lognormal\""),
        "{err}"
    );
    assert!(!err.contains("shape") && !err.contains("scale"), "{err}");
}

#[test]
fn echoed_text_is_clipped_and_never_reaches_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "x".repeat(1_000_000);
    std::fs::write(
        dir.path().join("long.toml"),
        edit("id = \"a\"", &format!("id = \"{huge}\"")),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("esc.toml"),
        edits(&[
            (
                "name = \"bad\"",
                "name = \"\\u001b]0;owned\\u0007\\u001b[31mred\"",
            ),
            ("id = \"a\"", "id = \"\\u001b[2J\""),
            ("mineral = \"cu\"", "mineral = \"\\u009b31m\""),
        ]),
    )
    .unwrap();
    let o = run_in(dir.path(), &["validate", "long.toml", "esc.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2));
    let long = err.lines().find(|l| l.contains("long.toml")).unwrap();
    assert!(long.len() < 300 && long.contains("xxx…\""), "{long}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{9b}') && !err.contains('\u{7}'));
    assert!(
        err.contains("\\u{1b}[2J") && err.contains("\\u{9b}31m"),
        "{err}"
    );
    // The name, the id, the source's mineral, and so the mineral that no
    // source supplies.
    assert_eq!(
        err.lines().filter(|l| l.contains("esc.toml")).count(),
        4,
        "{err}"
    );
}

#[test]
fn a_mineral_that_no_source_supplies_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lonely.toml"),
        "[scenario]\nname = \"x\"\nstart_year = 2026\nyears = 1\n[[mineral]]\nid = \"cu\"\ndemand = { base = 1 }\n[[mineral]]\nid = \"co\"\ndemand = { base = 1 }\n[[source]]\nid = \"s\"\nmineral = \"cu\"\ncapacity = 1\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &["run", "lonely.toml", "--trials", "10"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        "error: lonely.toml:9:1: mineral[1].id: expected at least one [[source]] with mineral = \"co\", found none"
    );
    assert!(!dir.path().join("results").exists());
}

#[test]
fn a_hundred_thousand_problems_are_reported_quickly_as_the_first_hundred_and_a_count() {
    // Lines and columns are found for the problems shown only: finding
    // them for every problem took time quadratic in the file's size.
    let dir = tempfile::tempdir().unwrap();
    let mut text = BASE.to_string();
    for i in 0..100_000 {
        text.push_str(&format!(
            "[[source]]\nid = \"s{i}\"\nmineral = \"cu\"\ncapacity = -1\n"
        ));
    }
    std::fs::write(dir.path().join("test.toml"), text).unwrap();
    let start = std::time::Instant::now();
    let o = run_in(dir.path(), &["validate", "test.toml"]);
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(err.lines().count(), 101, "{err}");
    assert!(
        err.lines()
            .next()
            .unwrap()
            .starts_with("error: test.toml:18:1: source[1].capacity"),
        "{err}"
    );
    assert!(
        err.lines()
            .last()
            .unwrap()
            .ends_with("test.toml: 99900 more problems not shown (at most 100 are reported)"),
        "{err}"
    );
}

#[test]
fn a_commands_input_problems_are_reported_together() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let example = std::fs::read_to_string(crate::util::example_path()).unwrap();
    std::fs::write(
        d.join("bad.toml"),
        example.replacen("years = 10 ", "years = 0 ", 1),
    )
    .unwrap();
    std::fs::write(
        d.join("worse.toml"),
        example.replacen("seed = 2026 ", "seed = -3 ", 1),
    )
    .unwrap();
    std::fs::create_dir(d.join("theirs")).unwrap();
    std::fs::write(d.join("theirs/notes.txt"), "not ours").unwrap();
    let lines = |args: &[&str]| {
        let o = crate::util::run_in(d, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        crate::util::stderr(&o)
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    // The scenario's problem, the flag's and the folder's, at once.
    let run = lines(&["run", "bad.toml", "--trials", "0", "--out", "theirs"]);
    assert_eq!(run.len(), 3, "{run:?}");
    assert!(run[0].contains("bad.toml") && run[0].contains("scenario.years"));
    assert!(run[1].contains("--trials") && run[2].contains("--out"));
    // A file that cannot be read, with every flag's problem.
    let missing = lines(&[
        "run",
        "nope.toml",
        "--trials",
        "0",
        "--threads",
        "0",
        "--out",
        "theirs",
    ]);
    assert_eq!(missing.len(), 4, "{missing:?}");
    assert!(missing[0].contains("nope.toml") && missing[0].contains("could not read"));
    assert!(missing[1].contains("--trials") && missing[2].contains("--threads"));
    assert!(missing[3].contains("--out"));
    // A file of a comparison that cannot be read, with the other file's
    // problem and the flag's.
    for (base, alt) in [("bad.toml", "nope.toml"), ("nope.toml", "bad.toml")] {
        let cmp = lines(&["compare", base, alt, "--trials", "0"]);
        assert_eq!(cmp.len(), 3, "{cmp:?}");
        let (bad, nope) = if base == "bad.toml" { (0, 1) } else { (1, 0) };
        assert!(cmp[bad].contains("bad.toml") && cmp[bad].contains("scenario.years"));
        assert!(cmp[nope].contains("nope.toml") && cmp[nope].contains("could not read"));
        assert!(cmp[2].contains("--trials"), "{cmp:?}");
    }
    // Both files of a comparison.
    let cmp = lines(&["compare", "bad.toml", "worse.toml", "--out", "c"]);
    assert!(
        cmp.iter()
            .any(|l| l.contains("bad.toml") && l.contains("scenario.years")),
        "{cmp:?}"
    );
    assert!(
        cmp.iter()
            .any(|l| l.contains("worse.toml") && l.contains("scenario.seed")),
        "{cmp:?}"
    );
    assert!(!d.join("c").exists());
    assert_eq!(std::fs::read_dir(d.join("theirs")).unwrap().count(), 1);
}

#[test]
fn scenarios_that_do_not_pair_are_refused_with_every_reason_and_the_flags_problems() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = "[scenario]\nname = \"c\"\nstart_year = 2026\nyears = 3\n\
        [[mineral]]\nid = \"cu\"\nunit = \"kt\"\ndemand = { base = 10.0 }\n\
        [[mineral]]\nid = \"zn\"\nunit = \"kt\"\ndemand = { base = 10.0 }\n\
        [[source]]\nid = \"a\"\nmineral = \"cu\"\ncapacity = 9\n\
        [[source]]\nid = \"b\"\nmineral = \"zn\"\ncapacity = 9\n";
    let alt = base
        .replace("years = 3", "years = 4")
        .replace("unit = \"kt\"", "unit = \"t\"");
    std::fs::write(d.join("c1.toml"), base).unwrap();
    std::fs::write(d.join("c2.toml"), alt).unwrap();
    let o = run_in(
        d,
        &[
            "compare", "c1.toml", "c2.toml", "--trials", "0", "--out", "o",
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for expect in [
        "c2.toml:4:1: scenario.years: expected the baseline's horizon",
        "c2.toml:7:1: mineral[0].unit: expected mineral \"cu\" in unit \"kt\"",
        "c2.toml:11:1: mineral[1].unit: expected mineral \"zn\" in unit \"kt\"",
        "--trials: expected an integer",
    ] {
        assert!(err.contains(expect), "{expect} missing from {err}");
    }
    assert!(!d.join("o").exists());
}

#[test]
fn markets_priced_in_two_currencies_do_not_pair() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example-market.toml");
    let base = std::fs::read_to_string(path).unwrap();
    let alt = base.replace("currency = \"USD million\"", "currency = \"EUR million\"");
    assert_ne!(alt, base);
    std::fs::write(d.join("usd.toml"), &base).unwrap();
    std::fs::write(d.join("eur.toml"), &alt).unwrap();
    let o = run_in(d, &["compare", "usd.toml", "eur.toml", "--out", "o"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    // Placed at the alternative's currency key.
    let line = alt.lines().position(|l| l.contains("EUR million")).unwrap() + 1;
    let col = alt.lines().nth(line - 1).unwrap().find("currency").unwrap() + 1;
    let expect = format!(
        "eur.toml:{line}:{col}: mineral[0].market.currency: expected mineral \"copper\" priced in \"USD million\" as in the baseline, found \"EUR million\""
    );
    assert!(err.contains(&expect), "{expect} missing from {err}");
    assert!(!d.join("o").exists());
}
