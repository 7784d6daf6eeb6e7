//! Tests of stage one of loading: the shape of the file, every problem at once.
use super::*;

fn read(text: &str) -> (RawFile, Vec<String>) {
    let doc = DeTable::parse(text).unwrap();
    let mut r = Reader::default();
    let raw = r.file(doc.get_ref());
    let placed = r.problems.into_iter().map(|p| p.place("t.toml", text));
    (raw, placed.map(|e| e.to_string()).collect())
}

#[test]
fn every_shape_problem_is_reported_at_once() {
    let text = "[scenario]\nname = 1979-05-27T07:32:00Z\nstart_year = 2026\nyears = 9223372036854775808\nyaers = 1\n\n[[mineral]]\nid = 5\ndemand = { base = \"x\" }\n\n[[mineral]]\nid = \"b\"\ndemand = { base = 1e400, growth = 1979-05-27 }\n";
    let (raw, errors) = read(text);
    let expect = [
        "t.toml:2:1: scenario.name: expected a string, found a date-time",
        "t.toml:4:1: scenario.years: expected an integer from 1 to 1000, found 9223372036854775808",
        "t.toml:5:1: scenario.yaers: unknown key `yaers` (did you mean `years`?), expected one of `name`,",
        "t.toml:8:1: mineral[0].id: expected a string, found integer 5",
        "t.toml:9:12: mineral[0].demand.base: expected a number, found string \"x\"",
        "t.toml:13:12: mineral[1].demand.base: expected a finite number, found 1e400",
        "t.toml:13:26: mineral[1].demand.growth: expected a number, found a date-time",
    ];
    for e in expect {
        assert!(
            errors.iter().any(|m| m.starts_with(e)),
            "{e} not in {errors:#?}"
        );
    }
    assert_eq!(errors.len(), expect.len(), "{errors:#?}");
    assert_eq!(raw.mineral.len(), 2);
    assert_eq!(raw.mineral[1].id.as_deref(), Some("b"));
    assert_eq!(raw.scenario.start_year, Some(2026));
}

#[test]
fn list_entries_that_are_not_tables_keep_the_indexes() {
    let text = "source = [1, { id = \"b\", mineral = \"m\", capacity = 1 }]\n[scenario]\nname = \"x\"\nstart_year = 1\nyears = 1\n";
    let (raw, errors) = read(text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("source[0]: expected a table, found integer 1"),
        "{errors:?}"
    );
    assert_eq!(raw.source.len(), 2);
    assert_eq!(raw.source[1].id.as_deref(), Some("b"));
}

#[test]
fn distribution_tables_keep_their_parameters_for_stage_two() {
    let text = "[scenario]\nname = \"x\"\nstart_year = 1\nyears = 1\n[[event]]\nid = \"e\"\nrate = 1\nduration_months = 2\naffects = []\nseverity = { dist = \"weibull\", shape = 2, scale = \"s\" }\n";
    let (raw, errors) = read(text);
    assert!(errors.is_empty(), "{errors:?}");
    let Some(RawDist::Table(t)) = &raw.event[0].severity else {
        panic!("a table")
    };
    assert_eq!(t.dist.as_deref(), Some("weibull"));
    assert_eq!(t.param("shape"), Some(&Ok(2.0)));
    assert!(matches!(t.param("scale"), Some(Err(m)) if m.contains("found string \"s\"")));
}

#[test]
fn numbers_read_as_toml_writes_them() {
    for (lit, x) in [
        ("1_000", 1000.0),
        ("0x10", 16.0),
        ("-2.5e-3", -2.5e-3),
        ("inf", f64::INFINITY),
    ] {
        let (raw, errors) = read(&format!(
            "[scenario]\nname = \"x\"\nstart_year = 1\nyears = 1\n[[stockpile]]\nmineral = \"m\"\ninitial = {lit}\nmax_release_per_year = 1\n"
        ));
        assert!(errors.is_empty(), "{lit}: {errors:?}");
        assert_eq!(raw.stockpile[0].initial, Some(x), "{lit}");
    }
    let (raw, _) = read("[scenario]\nname = \"x\"\nstart_year = 1\nyears = 1\n[[stockpile]]\nmineral = \"m\"\ninitial = nan\nmax_release_per_year = 1\n");
    assert!(raw.stockpile[0].initial.is_some_and(f64::is_nan));
}

#[test]
fn a_misspelt_key_gets_the_closest_allowed_one_and_a_stranger_none() {
    let text = "[scenario]\nname = \"n\"\nstart_year = 2026\nyears = 2\n\n[[sources]]\nid = \"a\"\n\n[[mineral]]\nid = \"m\"\ndemand = { base = 1.0, grwth = 0.1 }\ncolour = \"red\"\n";
    let (_, errors) = read(text);
    let has = |s: &str| errors.iter().any(|m| m.contains(s));
    assert!(
        has("unknown key `sources` (did you mean `source`?)"),
        "{errors:#?}"
    );
    assert!(
        has("unknown key `grwth` (did you mean `growth`?)"),
        "{errors:#?}"
    );
    assert!(has("unknown key `colour`, expected one of"), "{errors:#?}");
    // Unrelated or too short to guess: no suggestion.
    let text = "[scenario]\nname = \"n\"\nstart_year = 2026\nyears = 2\ncomment = \"x\"\ng = 1\n";
    let (_, errors) = read(text);
    let has = |s: &str| errors.iter().any(|m| m.contains(s));
    assert!(has("unknown key `comment`, expected"), "{errors:#?}");
    assert!(has("unknown key `g`, expected"), "{errors:#?}");
}
