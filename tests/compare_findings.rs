//! The sentences a comparison's page opens with.

use crate::util::{run_in, stderr};

/// One mineral whose demand always exceeds its one source's `capacity`.
fn short_of(capacity: f64) -> String {
    format!(
        r#"[scenario]
name = "always short"
start_year = 2026
years = 2

[[mineral]]
id = "cu"
demand = {{ base = 100.0 }}

[[source]]
id = "mine"
mineral = "cu"
capacity = {capacity}
"#
    )
}

#[test]
fn a_chance_of_a_shortfall_year_that_does_not_move_is_said_to_stay() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.toml"), short_of(10.0)).unwrap();
    std::fs::write(d.join("b.toml"), short_of(20.0)).unwrap();
    let o = run_in(
        d,
        &[
            "compare", "a.toml", "b.toml", "--trials", "200", "--out", "o", "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(d.join("o/report.html")).unwrap();
    assert!(
        page.contains("and the chance of at least one shortfall year stays at 100.0%."),
        "{page}"
    );
    assert!(!page.contains("from 100.0% to 100.0%"));
}
