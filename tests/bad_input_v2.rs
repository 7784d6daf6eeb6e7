//! Bad input of supply-chain stages, restrictions, offtakes, world markets
//! and market stockpiles (docs/model.md, "Bad input"): every case is
//! refused by the real binary with exit status 2, a message naming the
//! file, the line and column and the key path, no panic and nothing
//! written; several problems are reported at once.

use crate::util::{run_in, stderr};
use std::path::Path;

const BASE: &str = r#"[scenario]
name = "bad v2"
start_year = 2026
years = 2

[[mineral]]
id = "co"
demand = { base = 10.0 }
market = { rest_of_world_demand = { base = 90.0 }, reference_price = 30.0, demand_elasticity = -0.3 }

[[mineral]]
id = "ni"
demand = { base = 50.0 }

[[source]]
id = "co-mine"
mineral = "co"
stage = "mine"
capacity = 100.0

[[source]]
id = "co-ref"
mineral = "co"
stage = "refinery"
capacity = 100.0
offtake = 0.2

[[source]]
id = "ni-mine"
mineral = "ni"
stage = "mine"
capacity = 60.0

[[source]]
id = "ni-ref"
mineral = "ni"
stage = "refinery"
capacity = 60.0
access = 0.5

[[event]]
id = "ban"
kind = "restriction"
rate = 0.2
severity = 0.5
duration_months = 3
affects = [ { source = "co-ref" }, { source = "ni-ref" } ]

[[stockpile]]
mineral = "co"
initial = 1.0
max_release_per_year = 1.0
release_price = 1.5
refill_price = 0.8

[[stockpile]]
mineral = "ni"
initial = 1.0
max_release_per_year = 1.0
"#;

/// A case: the scenario text, the message it must give (from its key
/// path on), and the line of the file the message must name.
struct Case {
    name: &'static str,
    text: String,
    message: String,
    line: usize,
}

/// `BASE` with `from` replaced once by `to`. The message must name the
/// line where `to` begins, or with `at` the line of `at` within `to`, or
/// else of the first `at` in the text.
fn case(name: &'static str, from: &str, to: &str, at: Option<&str>, message: &str) -> Case {
    assert!(
        BASE.contains(from),
        "{name}: fixture edit {from:?} must apply"
    );
    let text = BASE.replacen(from, to, 1);
    let edited = text.find(to).expect("the edit");
    let offset = match at {
        None => edited,
        Some(at) => match to.find(at) {
            Some(within) => edited + within,
            None => text.find(at).unwrap_or_else(|| panic!("{name}: {at:?}")),
        },
    };
    Case {
        name,
        line: text[..offset].matches('\n').count() + 1,
        text,
        message: message.to_string(),
    }
}

const MARKET: &str =
    "market = { rest_of_world_demand = { base = 90.0 }, reference_price = 30.0, demand_elasticity = -0.3 }";

/// `BASE` with the market's table replaced by one with `keys` appended.
fn market(name: &'static str, keys: &str, message: &str) -> Case {
    let to = format!("{}, {keys} }}", MARKET.strip_suffix(" }").expect("fixture"));
    case(name, MARKET, &to, None, message)
}

/// The market stockpile with `release_price` and `refill_price` as given.
fn prices(name: &'static str, release: &str, refill: &str, message: &str) -> Case {
    let to = format!("release_price = {release}\nrefill_price = {refill}");
    let at = if message.contains("release_price") {
        "release_price"
    } else {
        "refill_price"
    };
    case(
        name,
        "release_price = 1.5\nrefill_price = 0.8",
        &to,
        Some(at),
        message,
    )
}

fn cases() -> Vec<Case> {
    let in_market = "expected no `access` on a source of a mineral with a `market`";
    vec![
        case("access on a mine", "stage = \"mine\"\ncapacity = 60.0", "stage = \"mine\"\ncapacity = 60.0\naccess = 0.5", Some("access"), "source[2].access: expected no `access` on a mine"),
        case("access in a market", "capacity = 100.0\nofftake = 0.2", "capacity = 100.0\naccess = 0.5\nofftake = 0.2", Some("access"), &format!("source[1].access: {in_market}")),
        case("access on a market mine", "stage = \"mine\"\ncapacity = 100.0", "stage = \"mine\"\ncapacity = 100.0\naccess = 0.5", Some("access = 0.5"), "source[0].access: expected no `access` on a mine"),
        case("offtake without a market", "capacity = 60.0\naccess = 0.5", "capacity = 60.0\naccess = 0.5\nofftake = 0.1", Some("offtake = 0.1"), "source[3].offtake: expected `offtake` only on a source of a mineral with a `market`"),
        case("offtake on a mine", "stage = \"mine\"\ncapacity = 100.0", "stage = \"mine\"\ncapacity = 100.0\nofftake = 0.1", Some("offtake = 0.1"), "source[0].offtake: expected no `offtake` on a mine"),
        case("offtake above one", "offtake = 0.2", "offtake = 1.5", None, "source[1].offtake: expected a number from 0 to 1, found 1.5"),
        case("restriction listing a mine", "{ source = \"ni-ref\" } ]", "{ source = \"ni-mine\" } ]", Some("affects"), "event[0].affects[1].source: expected a refinery or product source in a restriction"),
        case("refineries without mines", "stage = \"mine\"\ncapacity = 60.0", "capacity = 60.0", Some("stage = \"refinery\"\ncapacity = 60.0"), "source[3].stage: expected both mines and refineries for mineral \"ni\""),
        case("mines without refineries", "stage = \"refinery\"\ncapacity = 60.0\naccess = 0.5", "capacity = 60.0\naccess = 0.5", Some("stage = \"mine\"\ncapacity = 60.0"), "source[2].stage: expected both mines and refineries for mineral \"ni\""),
        case("unknown stage", "stage = \"refinery\"\ncapacity = 100.0", "stage = \"smelter\"\ncapacity = 100.0", None, "source[1].stage: expected \"product\", \"mine\" or \"refinery\", found \"smelter\""),
        case("stage of the wrong type", "stage = \"refinery\"\ncapacity = 100.0", "stage = 2\ncapacity = 100.0", None, "source[1].stage: expected a string, found"),
        case("unknown kind", "kind = \"restriction\"", "kind = \"embargo\"", None, "event[0].kind: expected \"outage\" or \"restriction\", found \"embargo\""),
        case("market without rest_of_world_demand", "rest_of_world_demand = { base = 90.0 }, ", "", Some("market"), "mineral[0].market: missing key `rest_of_world_demand`"),
        market("unknown market key", "max_prize = 3.0", "mineral[0].market.max_prize: unknown key `max_prize`"),
        case("zero reference price", "reference_price = 30.0", "reference_price = 0.0", Some("market"), "mineral[0].market.reference_price: expected a number with 0 < x"),
        case("negative reference price", "reference_price = 30.0", "reference_price = -2.0", Some("market"), "mineral[0].market.reference_price: expected a number with 0 < x"),
        case("elasticity of -1", "demand_elasticity = -0.3", "demand_elasticity = -1.0", Some("market"), "mineral[0].market.demand_elasticity: expected a number with -1 < x < 0, found -1"),
        case("elasticity of 0", "demand_elasticity = -0.3", "demand_elasticity = 0.0", Some("market"), "mineral[0].market.demand_elasticity: expected a number with -1 < x < 0, found 0"),
        case("positive elasticity", "demand_elasticity = -0.3", "demand_elasticity = 0.5", Some("market"), "mineral[0].market.demand_elasticity: expected a number with -1 < x < 0, found 0.5"),
        market("max price of 1", "max_price = 1.0", "mineral[0].market.max_price: expected a number with 1 < x"),
        market("max price below 1", "max_price = 0.5", "mineral[0].market.max_price: expected a number with 1 < x"),
        market("min price of 0", "min_price = 0.0", "mineral[0].market.min_price: expected a number with 0 < x < 1, found 0"),
        market("min price of 1", "min_price = 1.0", "mineral[0].market.min_price: expected a number with 0 < x < 1, found 1"),
        market("min price above 1", "min_price = 1.5", "mineral[0].market.min_price: expected a number with 0 < x < 1, found 1.5"),
        market("spike threshold of 1", "spike_threshold = 1.0", "mineral[0].market.spike_threshold: expected a number with 1 < x"),
        market("spike threshold at the cap", "max_price = 3.0, spike_threshold = 3.0", "mineral[0].market.spike_threshold: expected spike_threshold < max_price (3): the price could never exceed it, found 3"),
        market("default spike threshold above the cap", "max_price = 1.4", "mineral[0].market.spike_threshold: expected spike_threshold < max_price (1.4): the price could never exceed it, found 1.5 (the default; the file does not give it)"),
        market("spike threshold above the default cap", "spike_threshold = 12.0", "mineral[0].market.spike_threshold: expected spike_threshold < max_price (10, its default): the price could never exceed it, found 12"),
        prices("release price of 1", "1.0", "0.8", "stockpile[0].release_price: expected a number with 1 < x"),
        prices("release price below 1", "0.9", "0.8", "stockpile[0].release_price: expected a number with 1 < x"),
        prices("refill price of 0", "1.5", "0.0", "stockpile[0].refill_price: expected a number with 0 < x <= 1, found 0"),
        prices("refill price above 1", "1.5", "1.1", "stockpile[0].refill_price: expected a number with 0 < x <= 1, found 1.1"),
        prices("release price at the cap", "10.0", "0.8", "stockpile[0].release_price: expected release_price < max_price (10, its default): the price could never exceed it, found 10"),
        prices("refill price below the floor", "1.5", "0.4", "stockpile[0].refill_price: expected refill_price >= min_price (0.5, its default): the price could never fall to it, found 0.4"),
        case("release price on a physical stockpile", "mineral = \"ni\"\ninitial = 1.0", "mineral = \"ni\"\ninitial = 1.0\nrelease_price = 1.5", Some("release_price"), "stockpile[1].release_price: expected `release_price` only on the stockpile of a mineral with a `market`"),
        case("refill price on a physical stockpile", "mineral = \"ni\"\ninitial = 1.0", "mineral = \"ni\"\ninitial = 1.0\nrefill_price = 0.9", Some("refill_price = 0.9"), "stockpile[1].refill_price: expected `refill_price` only on the stockpile of a mineral with a `market`"),
    ]
}

/// Run `case` through the binary: `Err` says what is wrong.
fn refused(dir: &Path, case: &Case) -> Result<(), String> {
    std::fs::write(dir.join("test.toml"), &case.text).unwrap();
    let out_dir = dir.join("out");
    let o = run_in(
        dir,
        &["run", "test.toml", "--out", out_dir.to_str().unwrap()],
    );
    let err = stderr(&o);
    let name = case.name;
    if o.status.code() != Some(2) || err.contains("panicked") {
        return Err(format!(
            "{name}: exit status {:?}, stderr: {err}",
            o.status.code()
        ));
    }
    // `error: test.toml:LINE:COLUMN: KEY.PATH: expected …, found …`
    let prefix = format!("error: test.toml:{}:", case.line);
    let located = err.lines().any(|l| {
        l.strip_prefix(&prefix)
            .and_then(|rest| rest.split_once(": "))
            .is_some_and(|(col, msg)| {
                col.parse::<usize>().is_ok() && msg.starts_with(case.message.as_str())
            })
    });
    if !located {
        return Err(format!(
            "{name}: no line {prefix}COLUMN: {:?} in {err:?}",
            case.message
        ));
    }
    if out_dir.exists() || dir.join("results").exists() {
        return Err(format!("{name}: output was written"));
    }
    Ok(())
}

#[test]
fn every_bad_v2_scenario_is_refused_with_exit_2_and_a_precise_message() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    assert!(cases.len() >= 30);
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| refused(dir.path(), case).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_base_fixture_of_the_v2_cases_is_itself_valid() {
    supplyrisk::scenario::Scenario::from_toml_str(BASE, "test.toml").unwrap();
}

#[test]
fn several_v2_problems_are_reported_at_once() {
    let edits = [
        ("demand_elasticity = -0.3", "demand_elasticity = 0.3"),
        ("offtake = 0.2", "offtake = 2.0"),
        (
            "stage = \"refinery\"\ncapacity = 60.0",
            "stage = \"smelter\"\ncapacity = 60.0",
        ),
        ("kind = \"restriction\"", "kind = \"embargo\""),
        ("release_price = 1.5", "release_price = 0.5"),
        (
            "mineral = \"ni\"\ninitial = 1.0",
            "mineral = \"ni\"\ninitial = 1.0\nrefill_price = 0.9",
        ),
    ];
    let text = edits.iter().fold(BASE.to_string(), |t, (from, to)| {
        assert!(t.contains(from), "fixture edit {from:?} must apply");
        t.replacen(from, to, 1)
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("test.toml"), &text).unwrap();
    let o = run_in(dir.path(), &["validate", "test.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for key in [
        "mineral[0].market.demand_elasticity",
        "source[1].offtake",
        "source[3].stage",
        "event[0].kind",
        "stockpile[0].release_price",
        "stockpile[1].refill_price",
    ] {
        assert!(
            err.contains(&format!(": {key}: expected")),
            "{key} missing from {err}"
        );
    }
}

#[test]
fn a_bad_market_value_is_reported_alone() {
    // The mineral still has a market: its sources' offtakes and its
    // stockpile's prices are not "without a market".
    let text = BASE.replacen("reference_price = 30.0", "reference_price = -1.0", 1);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("test.toml"), &text).unwrap();
    let o = run_in(dir.path(), &["validate", "test.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].contains("mineral[0].market.reference_price"),
        "{err}"
    );
    // Its stockpile's prices are still held to their own ranges.
    let text = text.replacen("release_price = 1.5", "release_price = 0.5", 1);
    std::fs::write(dir.path().join("test.toml"), &text).unwrap();
    let err = stderr(&run_in(dir.path(), &["validate", "test.toml"]));
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 2, "{err}");
    let range = "stockpile[0].release_price: expected a number with 1 < x";
    assert!(errors[1].contains(range), "{err}");
}

#[test]
fn a_bad_market_value_does_not_hide_its_stockpiles_price_rules() {
    // The default spike threshold (1.5) at or above the cap breaks the
    // market; the stockpile's prices are still held to the market's valid
    // caps: the default release price (1.5) above the cap, the refill
    // price below the floor.
    let capped = format!(
        "{}, max_price = 1.4, min_price = 0.9 }}",
        MARKET.strip_suffix(" }").expect("fixture")
    );
    let text = BASE.replacen(MARKET, &capped, 1).replacen(
        "release_price = 1.5\nrefill_price = 0.8",
        "refill_price = 0.5",
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("test.toml"), &text).unwrap();
    let o = run_in(dir.path(), &["validate", "test.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for expect in [
        "mineral[0].market.spike_threshold: expected spike_threshold < max_price (1.4)",
        "stockpile[0].release_price: expected release_price < max_price (1.4): the price could never exceed it, found 1.5 (the default; the file does not give it)",
        "stockpile[0].refill_price: expected refill_price >= min_price (0.9): the price could never fall to it, found 0.5",
    ] {
        assert!(err.contains(expect), "{expect} missing from {err}");
    }
}
