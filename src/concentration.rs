//! Supplier concentration: the Herfindahl–Hirschman index by country.

use crate::scenario::{Scenario, Source, Stage};
use crate::stats::order_free_sum;
use std::collections::BTreeMap;

/// HHI (0..10000) of the consumer's normal-time supply of mineral `m` by
/// country: the sum of squared percentage shares of `capacity * access`
/// over its product-level sources (refineries and product sources; in a
/// market `access` is 1, so these are the world's shares). Sources without
/// a country count alone. Projects count at full capacity when
/// `with_projects`, and not at all otherwise. Returns 0 when the
/// normal-time supply is 0.
pub fn hhi(scenario: &Scenario, m: usize, with_projects: bool) -> f64 {
    hhi_of(scenario, m, with_projects, |s| s.stage.is_product_level())
}

/// HHI of mineral `m`'s mine capacity by country, as [`hhi`]; `None`
/// for a mineral without stages.
pub fn hhi_mine(scenario: &Scenario, m: usize, with_projects: bool) -> Option<f64> {
    let mineral = &scenario.minerals[m];
    let staged = mineral
        .sources
        .iter()
        .any(|&i| scenario.sources[i].stage == Stage::Mine);
    staged.then(|| hhi_of(scenario, m, with_projects, |s| s.stage == Stage::Mine))
}

fn hhi_of(
    scenario: &Scenario,
    m: usize,
    with_projects: bool,
    counts: impl Fn(&Source) -> bool,
) -> f64 {
    // Every sum is taken in ascending order of its terms, so that the
    // result does not depend on the order of sources in the file.
    let mut by_country: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut shares: Vec<f64> = Vec::new();
    let mineral = &scenario.minerals[m];
    for &i in &mineral.sources {
        let s = &scenario.sources[i];
        if (s.project.is_some() && !with_projects) || !counts(s) {
            continue;
        }
        let supply = s.capacity * s.access;
        match &s.country {
            Some(c) => by_country.entry(c.clone()).or_default().push(supply),
            None => shares.push(supply),
        }
    }
    shares.extend(by_country.into_values().map(order_free_sum));
    let total = order_free_sum(shares.iter().copied());
    if total <= 0.0 {
        return 0.0;
    }
    order_free_sum(shares.iter().map(|s| (100.0 * s / total).powi(2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[scenario]
name = "hhi"
start_year = 2026
years = 1
[[mineral]]
id = "cu"
demand = { base = 100.0 }
[[source]]
id = "a"
mineral = "cu"
country = "CL"
capacity = 100.0
access = 0.5
[[source]]
id = "b"
mineral = "cu"
country = "CL"
capacity = 50.0
[[source]]
id = "c"
mineral = "cu"
capacity = 100.0
[[source]]
id = "p"
mineral = "cu"
country = "PK"
capacity = 200.0
project = { online_year = 2030 }
"#;

    #[test]
    fn shares_by_country_with_and_without_projects() {
        let s = Scenario::from_toml_str(TEXT, "t.toml").unwrap();
        // Without projects: CL = 50 + 50 = 100, no country = 100: 50% / 50%.
        assert!((hhi(&s, 0, false) - 5000.0).abs() < 1e-9);
        // With projects: CL 100, alone 100, PK 200 -> 25%, 25%, 50%.
        assert!((hhi(&s, 0, true) - (625.0 + 625.0 + 2500.0)).abs() < 1e-9);
    }
}
