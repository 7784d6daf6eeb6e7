//! Bad input in the keys of dependence (docs/dependence.md): factors,
//! loadings, named projects, `requires` and disruptions in progress at the
//! start. Every case is refused by the real binary with exit status 2, a
//! message naming the file, the line, the key path and what was expected
//! versus found, and nothing written; several problems are all reported.

use crate::util::{run_in, stderr};

const BASE: &str = r#"[scenario]
name = "bad dependence"
start_year = 2026
years = 3

[[factor]]
id = "boom"
scope = "year"

[[factor]]
id = "capex"
scope = "trial"

[[mineral]]
id = "ni"
demand = { base = 100.0, sigma = 0.1, factor = "boom", loading = 0.5 }

[[mineral]]
id = "cu"
demand = { base = 10.0 }
market = { rest_of_world_demand = { base = 1000.0, sigma = 0.1, factor = "boom", loading = 0.3 }, reference_price = 9.0, demand_elasticity = -0.2 }

[[project]]
id = "mine"
online_year = 2027
success_probability = 0.7
factor = "capex"
loading = 0.6

[[project]]
id = "mine-2"
online_year = 2028
requires = "mine"

[[source]]
id = "a"
mineral = "ni"
capacity = 100.0
disruption = { rate = 0.2, severity = 0.5, duration_months = 2, initial = { severity = 0.4, months = 3 } }

[[source]]
id = "b"
mineral = "ni"
capacity = 20.0
project = "mine"

[[source]]
id = "c"
mineral = "ni"
capacity = 20.0
project = { online_year = 2027, success_probability = 0.5, factor = "capex", loading = -0.4 }

[[source]]
id = "d"
mineral = "ni"
capacity = 20.0
project = "mine-2"

[[source]]
id = "e"
mineral = "cu"
capacity = 1000.0

[[event]]
id = "quota"
rate = 0.1
severity = 0.5
duration_months = 6
initial = { severity = { dist = "uniform", min = 0.2, max = 0.6 }, months = 9 }
affects = [ { source = "a" } ]
"#;

/// `BASE` with each `from` replaced (once) by its `to`.
fn edits(changes: &[(&str, &str)]) -> String {
    changes.iter().fold(BASE.to_string(), |text, (from, to)| {
        assert!(text.contains(from), "fixture edit {from:?} must apply");
        text.replacen(from, to, 1)
    })
}

/// A case: the text, the message it must give, and a piece of text on the
/// line the message must name.
struct Case {
    name: &'static str,
    text: String,
    message: &'static str,
    on_line_of: &'static str,
}

fn cases() -> Vec<Case> {
    let c = |name, changes: &[(&str, &str)], message, on_line_of| Case {
        name,
        text: edits(changes),
        message,
        on_line_of,
    };
    vec![
        c("unknown scope", &[("scope = \"year\"", "scope = \"month\"")], "factor[0].scope: expected \"trial\" (one draw per trial) or \"year\" (one per trial and year), found \"month\"", "scope = \"month\""),
        c("missing scope", &[("scope = \"year\"\n", "")], "factor[0]: missing key `scope`", "[[factor]]"),
        c("duplicate factor", &[("[[mineral]]\nid = \"ni\"", "[[factor]]\nid = \"capex\"\nscope = \"year\"\n\n[[mineral]]\nid = \"ni\"")], "factor[2].id: expected a unique factor id, found \"capex\" again (first used by factor[1])", "id = \"capex\"\nscope = \"year\""),
        c("demand on a trial factor", &[("factor = \"boom\", loading = 0.5", "factor = \"capex\", loading = 0.5")], "mineral[0].demand.factor: expected a factor of scope \"year\" (a demand loads on one draw per year), found \"capex\" of scope \"trial\" (factor[1])", "factor = \"capex\", loading = 0.5"),
        c("project on a year factor", &[("factor = \"capex\"\nloading = 0.6", "factor = \"boom\"\nloading = 0.6")], "project[0].factor: expected a factor of scope \"trial\" (a project's success loads on one draw per trial), found \"boom\" of scope \"year\" (factor[0])", "factor = \"boom\"\nloading = 0.6"),
        c("rest of the world on a trial factor", &[("factor = \"boom\", loading = 0.3", "factor = \"capex\", loading = 0.3")], "mineral[1].market.rest_of_world_demand.factor: expected a factor of scope \"year\"", "loading = 0.3"),
        c("demand factor without loading", &[(", loading = 0.5", "")], "mineral[0].demand: missing key `loading` (a `factor` needs a loading from -1 to 1)", "factor = \"boom\" }"),
        c("project factor without loading", &[("loading = 0.6\n", "")], "project[0]: missing key `loading` (a `factor` needs a loading from -1 to 1)", "[[project]]"),
        c("inline project factor without loading", &[(", loading = -0.4", "")], "source[2].project: missing key `loading`", "factor = \"capex\" }"),
        c("loading without factor", &[("factor = \"boom\", loading = 0.5", "loading = 0.5")], "mineral[0].demand.loading: expected `loading` only beside `factor` (the id of the [[factor]] it loads on), found a loading without a factor", "loading = 0.5"),
        c("loading above one", &[("loading = 0.5", "loading = 1.5")], "mineral[0].demand.loading: expected a number from -1 to 1, found 1.5", "loading = 1.5"),
        c("loading below minus one", &[("loading = -0.4", "loading = -1.01")], "source[2].project.loading: expected a number from -1 to 1, found -1.01", "loading = -1.01"),
        c("unknown factor", &[("factor = \"capex\"\nloading = 0.6", "factor = \"capx\"\nloading = 0.6")], "project[0].factor: expected the id of a [[factor]], found \"capx\" (did you mean \"capex\"?)", "factor = \"capx\""),
        c("negative initial months", &[("months = 3 }", "months = -1 }")], "source[0].disruption.initial.months: expected a finite number >= 0, found -1", "months = -1"),
        c("initial severity above one", &[("initial = { severity = 0.4", "initial = { severity = 1.4")], "source[0].disruption.initial.severity: expected a severity in [0, 1], found 1.4", "severity = 1.4"),
        c("initial severity range beyond one", &[("min = 0.2, max = 0.6", "min = 0.2, max = 1.6")], "event[0].initial.severity: expected a severity in [0, 1]", "max = 1.6"),
        c("unbounded initial severity", &[("{ dist = \"uniform\", min = 0.2, max = 0.6 }", "{ dist = \"exponential\", mean = 0.2 }")], "event[0].initial.severity: expected a severity distribution bounded in [0, 1]", "mean = 0.2"),
        c("initial without months", &[(", months = 9 }", " }")], "event[0].initial: missing key `months`", "initial = { severity = { dist"),
        c("unknown key in initial", &[("months = 3 }", "months = 3, month = 3 }")], "source[0].disruption.initial.month: unknown key `month` (did you mean `months`?), expected one of `severity`, `months`", "month = 3 }"),
        c("unknown requires", &[("requires = \"mine\"", "requires = \"mien\"")], "project[1].requires: expected the id of a project (a [[project]], or a source with an inline project), found \"mien\" (did you mean \"mine\"?)", "requires = \"mien\""),
        c("a project requiring itself", &[("requires = \"mine\"", "requires = \"mine-2\"")], "project[1].requires: expected projects that do not require themselves, found a cycle: \"mine-2\" requires \"mine-2\"", "requires = \"mine-2\""),
        c("two projects requiring each other", &[("loading = 0.6\n", "loading = 0.6\nrequires = \"mine-2\"\n")], "project[0].requires: expected projects that do not require themselves, found a cycle: \"mine\" requires \"mine-2\" requires \"mine\"", "requires = \"mine-2\""),
        c("source naming an unknown project", &[("project = \"mine\"", "project = \"mina\"")], "source[1].project: expected the id of a [[project]], found \"mina\" (did you mean \"mine\"?)", "project = \"mina\""),
        c("source naming an inline project", &[("project = \"mine\"", "project = \"c\"")], "source[1].project: expected the id of a [[project]], found \"c\" (that source's project is inline: write it as a [[project]] to share it)", "project = \"c\""),
        c("project id of a source with an inline project", &[("id = \"mine-2\"", "id = \"c\""), ("project = \"mine-2\"", "project = \"c\"")], "project[1].id: expected a project id that no source's inline project has, found \"c\" (source[2] has an inline project, whose id is its source's)", "id = \"c\"\nonline_year"),
        c("duplicate project id", &[("id = \"mine-2\"", "id = \"mine\""), ("project = \"mine-2\"", "project = \"mine\"")], "project[1].id: expected a unique project id, found \"mine\" again (first used by project[0])", "id = \"mine\"\nonline_year = 2028"),
        c("project of the wrong type", &[("project = \"mine\"", "project = 3")], "source[1].project: expected a project table such as { online_year = 2028 } or the id of a [[project]], found integer 3", "project = 3"),
        c("unknown key in a project", &[("online_year = 2028\n", "online_year = 2028\nonline = 2028\n")], "project[1].online: unknown key `online`", "online = 2028"),
        c("project without online_year", &[("online_year = 2028\n", "")], "project[1]: missing key `online_year`", "[[project]]\nid = \"mine-2\""),
        c("named project success probability of zero", &[("success_probability = 0.7", "success_probability = 0")], "project[0].success_probability: expected a number with 0 < x <= 1, found 0", "success_probability = 0"),
        c("unknown key in a factor", &[("scope = \"trial\"", "scope = \"trial\"\nsigma = 1")], "factor[1].sigma: unknown key `sigma`, expected one of `id`, `scope`", "sigma = 1"),
    ]
}

/// Line (1-based) of the first occurrence of `piece` in `text`.
fn line_of(text: &str, piece: &str) -> usize {
    let at = text
        .find(piece)
        .unwrap_or_else(|| panic!("{piece:?} is not in the case"));
    text[..at].matches('\n').count() + 1
}

#[test]
fn the_base_fixture_of_the_dependence_cases_is_itself_valid() {
    let s = supplyrisk::scenario::Scenario::from_toml_str(BASE, "test.toml").unwrap();
    assert_eq!((s.factors.len(), s.projects.len()), (2, 3));
}

#[test]
fn every_bad_dependence_is_refused_with_exit_2_and_a_precise_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut failures = Vec::new();
    for case in cases() {
        let name = case.name;
        std::fs::write(dir.path().join("test.toml"), &case.text).unwrap();
        let o = run_in(
            dir.path(),
            &["run", "test.toml", "--out", out.to_str().unwrap()],
        );
        let err = stderr(&o);
        let line = line_of(&case.text, case.on_line_of);
        // "error: test.toml:LINE:COLUMN: KEY: MESSAGE", one problem.
        let prefix = format!("error: test.toml:{line}:");
        let want = format!(": {}", case.message);
        let precise = err.lines().count() == 1
            && err.starts_with(&prefix)
            && err.contains(&want)
            && o.status.code() == Some(2);
        if !precise || err.contains("panicked") || out.exists() {
            let code = o.status.code();
            failures.push(format!(
                "{name}: expected {prefix}…{want}, exit 2, got {code:?}: {err}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_problem_of_dependence_is_reported_at_once() {
    let text = edits(&[
        ("scope = \"year\"", "scope = \"month\""),
        ("loading = 0.5", "loading = 2"),
        ("requires = \"mine\"", "requires = \"nope\""),
        ("project = \"mine\"", "project = \"none\""),
        ("months = 3 }", "months = -3 }"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("test.toml"), &text).unwrap();
    let o = run_in(dir.path(), &["validate", "test.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let expected = [
        "factor[0].scope",
        "mineral[0].demand.loading",
        "project[1].requires",
        "source[0].disruption.initial.months",
        "source[1].project",
    ];
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{err}");
    for (line, key) in lines.iter().zip(expected) {
        assert!(line.contains(&format!(": {key}: ")), "{line:?} vs {key}");
    }
}

#[test]
fn no_dependence_input_makes_the_loader_panic() {
    // Every prefix of each case loads or fails cleanly.
    for case in cases() {
        let text = case.text;
        for cut in (0..text.len()).filter(|i| text.is_char_boundary(*i)) {
            let _ = supplyrisk::scenario::Scenario::from_toml_str(&text[..cut], "cut.toml");
        }
    }
}
