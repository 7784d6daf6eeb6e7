//! Bad input (MODEL.md sections 9–10, CLI.md exit codes): every case is
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

fn cases() -> Vec<Case> {
    let c = |name, text, fragment, line| Case {
        name,
        text,
        fragment,
        line,
    };
    vec![
        c("negative rate", edit("rate = 0.2", "rate = -0.2"), "source[0].disruption.rate: expected a number >= 0, found -0.2", Some(14)),
        c("access zero", edit("capacity = 100.0", "capacity = 100.0\naccess = 0.0"), "source[0].access", Some(14)),
        c("access above one", edit("capacity = 100.0", "capacity = 100.0\naccess = 1.5"), "source[0].access: expected a number with 0 < x <= 1, found 1.5", Some(14)),
        c("negative capacity", edit("capacity = 100.0", "capacity = -1.0"), "source[0].capacity: expected a number >= 0, found -1", Some(13)),
        c("unknown key in header", edit("years = 2", "years = 2\nyaers = 3"), "unknown key `yaers`", Some(5)),
        c("unknown key in disruption", edit("rate = 0.2", "rat = 0.2"), "unknown key `rat`", Some(14)),
        c("string for a number", edit("capacity = 100.0", "capacity = \"big\""), "source[0].capacity: expected a number, found string \"big\"", Some(13)),
        c("float for an integer", edit("years = 2", "years = 2.5"), "scenario.years: expected an integer", Some(4)),
        c("zero years", edit("years = 2", "years = 0"), "scenario.years: expected an integer from 1 to 1000, found 0", Some(4)),
        c("too many steps", edit("years = 2", "years = 2\nsteps_per_year = 400"), "scenario.steps_per_year: expected an integer from 1 to 366, found 400", Some(5)),
        c("dangling mineral", edit("mineral = \"cu\"", "mineral = \"copper\""), "source[0].mineral: expected the id of a [[mineral]], found \"copper\"", Some(12)),
        c("dangling event source", add("[[event]]\nid = \"e\"\nrate = 0.1\nseverity = 0.5\nduration_months = 3\naffects = [ { source = \"nope\" } ]\n"), "event[0].affects[0].source: expected the id of a [[source]], found \"nope\"", Some(20)),
        c("dangling stockpile mineral", add("[[stockpile]]\nmineral = \"li\"\ninitial = 1.0\nmax_release_per_year = 1.0\n"), "stockpile[0].mineral", Some(16)),
        c("duplicate source id", add("[[source]]\nid = \"a\"\nmineral = \"cu\"\ncapacity = 1.0\n"), "source[1].id: expected a unique source id, found \"a\" again", Some(16)),
        c("duplicate mineral id", edit("[[source]]", "[[mineral]]\nid = \"cu\"\ndemand = { base = 1.0 }\n\n[[source]]"), "mineral[1].id: expected a unique mineral id", Some(11)),
        c("nan capacity", edit("capacity = 100.0", "capacity = nan"), "source[0].capacity: expected a finite number, found NaN", Some(13)),
        c("infinite demand", edit("base = 100.0", "base = inf"), "mineral[0].demand.base: expected a finite number, found inf", Some(8)),
        c("syntax error", edit("capacity = 100.0", "capacity = = 100.0"), "TOML syntax error", Some(13)),
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
        c("exposure above one", add("[[event]]\nid = \"e\"\nrate = 0.1\nseverity = 0.5\nduration_months = 3\naffects = [ { source = \"a\", exposure = 1.5 } ]\n"), "event[0].affects[0].exposure: expected a number with 0 <= x <= 1, found 1.5", Some(20)),
        c("zero success probability", edit("capacity = 100.0", "capacity = 100.0\nproject = { online_year = 2027, success_probability = 0.0 }"), "source[0].project.success_probability", Some(14)),
        c("threshold of one", edit("demand = { base = 100.0 }", "demand = { base = 100.0 }\nshortfall_threshold = 1.0"), "mineral[0].shortfall_threshold: expected a number with 0 <= x < 1, found 1", Some(9)),
        c("growth of minus one", edit("base = 100.0", "base = 100.0, growth = -1.0"), "mineral[0].demand.growth: expected a number > -1, found -1", Some(8)),
        c("missing capacity", edit("capacity = 100.0\n", ""), "source[0]: missing key `capacity`", Some(10)),
        c("zero trials in file", edit("years = 2", "years = 2\ntrials = 0"), "scenario.trials: expected an integer >= 1, found 0", Some(5)),
        c("no minerals", "[scenario]\nname = \"x\"\nstart_year = 2026\nyears = 1\n".to_string(), "expected at least one [[mineral]]", None),
        c("negative ramp", edit("capacity = 100.0", "capacity = 100.0\nproject = { online_year = 2027, ramp_years = -1 }"), "source[0].project.ramp_years: expected a number >= 0, found -1", Some(14)),
        c("negative delay", edit("capacity = 100.0", "capacity = 100.0\nproject = { online_year = 2027, delay_months = { dist = \"uniform\", min = -3, max = 3 } }"), "source[0].project.delay_months: expected a non-negative duration or delay", Some(14)),
        c("wrong type for a distribution", edit("severity = 0.5", "severity = \"high\""), "expected a number or a distribution table", Some(14)),
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
