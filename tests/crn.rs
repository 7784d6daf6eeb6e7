//! Common random numbers (docs/model.md section 8): the draws of an entity in a
//! trial depend only on (seed, trial, entity id), so changing other
//! entities leaves a mineral they do not touch bit-identical.

use crate::util::{mineral, scenario, summarise, FULL};

const EXTRA_COBALT_SOURCE: &str = r#"
[[source]]
id = "co-id"
mineral = "co"
country = "ID"
capacity = 2.0
disruption = { rate = 0.5, severity = 0.4, duration_months = 2 }
"#;

#[test]
fn adding_a_source_to_one_mineral_leaves_the_other_bit_identical() {
    let base = summarise(&scenario(FULL), 11, 4_000);
    let more = summarise(
        &scenario(&format!("{FULL}{EXTRA_COBALT_SOURCE}")),
        11,
        4_000,
    );
    assert_eq!(mineral(&base, "cu"), mineral(&more, "cu"));
    assert_ne!(mineral(&base, "co"), mineral(&more, "co"));
}

#[test]
fn adding_an_event_or_stockpile_elsewhere_changes_nothing_for_copper() {
    let extra = r#"
[[event]]
id = "au-strike"
rate = 0.9
severity = 0.5
duration_months = 1
affects = [ { source = "co-au" } ]
"#;
    let base = summarise(&scenario(FULL), 12, 4_000);
    let more = summarise(&scenario(&format!("{FULL}{extra}")), 12, 4_000);
    assert_eq!(mineral(&base, "cu"), mineral(&more, "cu"));
}

#[test]
fn reordering_minerals_changes_no_result() {
    // Swap the two [[mineral]] blocks: each mineral's results stay the same.
    let cu = FULL.find("[[mineral]]\nid = \"cu\"").unwrap();
    let co = FULL.find("[[mineral]]\nid = \"co\"").unwrap();
    let first_source = FULL.find("[[source]]").unwrap();
    let swapped = format!(
        "{}{}{}{}",
        &FULL[..cu],
        &FULL[co..first_source],
        &FULL[cu..co],
        &FULL[first_source..]
    );
    let a = summarise(&scenario(FULL), 13, 3_000);
    let b = summarise(&scenario(&swapped), 13, 3_000);
    assert_eq!(b.minerals.0[0].0, "co", "the swap happened");
    assert_eq!(mineral(&a, "cu"), mineral(&b, "cu"));
    assert_eq!(mineral(&a, "co"), mineral(&b, "co"));
}

#[test]
fn renaming_a_source_rekeys_only_its_own_stream() {
    let renamed = FULL.replace("\"co-cd\"", "\"co-cd-2\"");
    let a = summarise(&scenario(FULL), 14, 3_000);
    let b = summarise(&scenario(&renamed), 14, 3_000);
    assert_eq!(mineral(&a, "cu"), mineral(&b, "cu"));
    assert_ne!(mineral(&a, "co"), mineral(&b, "co"));
}

#[test]
fn a_scenario_restricted_to_one_mineral_gives_that_mineral_bit_identical_results() {
    let s = scenario(FULL);
    let full = summarise(&s, 21, 3_000);
    for (m, id) in [(0, "cu"), (1, "co")] {
        let only = s.only_minerals(&[m]);
        assert_eq!(only.minerals.len(), 1);
        let part = summarise(&only, 21, 3_000);
        assert_eq!(mineral(&full, id), mineral(&part, id));
    }
    // The shared event keeps only the sources of the kept mineral.
    let co = s.only_minerals(&[1]);
    assert_eq!(co.events.len(), 1);
    assert_eq!(co.events[0].affects.len(), 1);
}

#[test]
fn removing_sources_equals_a_file_without_them() {
    // Dropping the copper project from the scenario in memory gives the
    // same results as a file that never had it.
    let s = scenario(FULL);
    let start = FULL.find("[[source]]\nid = \"cu-pk\"").unwrap();
    let end = start + FULL[start..].find("\n\n").unwrap();
    let file_without = scenario(&format!("{}{}", &FULL[..start], &FULL[end..]));
    assert_eq!(file_without.sources.len() + 1, s.sources.len());
    let a = summarise(&s.without_sources(&["cu-pk"]), 17, 3_000);
    let b = summarise(&file_without, 17, 3_000);
    assert_eq!(a, b);
}
