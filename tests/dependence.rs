//! Dependence between entities (docs/dependence.md), checked against
//! exact values: projects on one trial-scope factor fail together as the
//! bivariate normal says, a project that requires another succeeds with
//! the product of their probabilities and never before it, the sources of
//! one named project produce together, and demands on one year-scope
//! factor are correlated by the product of their loadings. A loading of 0
//! changes nothing, and sensitivity switches factors off.

use crate::util::{assert_within, each_trial, scenario, DEPENDENCE, FULL};
use statrs::distribution::{ContinuousCDF, Normal};
use supplyrisk::scenario::Scenario;

/// `Phi_2(h, k; rho)`, the standard bivariate normal CDF, by Plackett's
/// identity `d Phi_2 / d rho = phi_2(h, k; rho)`: `Phi(h) Phi(k)` plus the
/// integral of the bivariate density from 0 to `rho` (Simpson's rule on
/// 2,000 intervals; `|rho| <= 0.95` keeps the integrand smooth).
fn bivariate_cdf(h: f64, k: f64, rho: f64) -> f64 {
    assert!(rho.abs() <= 0.95);
    let n01 = Normal::standard();
    let density = |r: f64| {
        let q = (h * h - 2.0 * r * h * k + k * k) / (2.0 * (1.0 - r * r));
        (-q).exp() / (2.0 * std::f64::consts::PI * (1.0 - r * r).sqrt())
    };
    let n = 2_000;
    let step = rho / n as f64;
    let inner: f64 = (1..n)
        .map(|i| density(i as f64 * step) * if i % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    let integral = step / 3.0 * (density(0.0) + inner + density(rho));
    n01.cdf(h) * n01.cdf(k) + integral
}

#[test]
fn the_bivariate_normal_cdf_of_the_tests_is_right() {
    // Sheppard: P(X < 0, Y < 0) = 1/4 + asin(rho) / (2 pi); and the
    // independent case is a product. (Checks the test's own integration.)
    for rho in [-0.9, -0.3, 0.0, 0.5, 0.81] {
        let want = 0.25 + f64::asin(rho) / (2.0 * std::f64::consts::PI);
        assert!((bivariate_cdf(0.0, 0.0, rho) - want).abs() < 1e-12, "{rho}");
    }
    let n01 = Normal::standard();
    assert!((bivariate_cdf(0.4, -1.1, 0.0) - n01.cdf(0.4) * n01.cdf(-1.1)).abs() < 1e-15);
    // P(X < h, Y < k) + P(X < h, -Y < -k) = P(X < h), where (X, -Y) has
    // correlation -rho: unequal bounds and both signs of rho.
    for rho in [-0.8, 0.3, 0.9] {
        let sum = bivariate_cdf(0.4, -1.1, rho) + bivariate_cdf(0.4, 1.1, -rho);
        assert!((sum - n01.cdf(0.4)).abs() < 1e-12, "{rho}: {sum}");
    }
}

/// Two projects, `a` (capacity 1) and `b` (capacity 2), online from the
/// start, with success probabilities `p` and loadings `l` on one
/// trial-scope factor.
fn two_projects(p: [f64; 2], l: [f64; 2]) -> Scenario {
    scenario(&format!(
        r#"
[scenario]
name = "two projects"
start_year = 2026
years = 1

[[factor]]
id = "capex"
scope = "trial"

[[mineral]]
id = "ni"
demand = {{ base = 10.0 }}

[[source]]
id = "a"
mineral = "ni"
capacity = 1.0
project = {{ online_year = 2026, success_probability = {}, factor = "capex", loading = {} }}

[[source]]
id = "b"
mineral = "ni"
capacity = 2.0
project = {{ online_year = 2026, success_probability = {}, factor = "capex", loading = {} }}
"#,
        p[0], l[0], p[1], l[1]
    ))
}

/// Which of `a` (capacity 1) and `b` (capacity 2) produce, from the
/// year's supply `1 [a] + 2 [b]`.
fn producing(supply: f64) -> (bool, bool) {
    let n = supply.round() as i64;
    assert!(
        (supply - n as f64).abs() < 1e-9 && (0..=3).contains(&n),
        "{supply}"
    );
    (n & 1 == 1, n & 2 == 2)
}

#[test]
fn projects_on_one_trial_factor_fail_together_as_the_bivariate_normal_says() {
    let n01 = Normal::standard();
    let n = 400_000;
    for (p, l) in [
        ([0.5, 0.5], [0.9, 0.9]),
        ([0.7, 0.4], [0.9, 0.8]),
        ([0.6, 0.8], [0.7, -0.7]),
        ([0.3, 0.5], [0.0, 0.9]),
    ] {
        let s = two_projects(p, l);
        let (mut both_fail, mut a_fails, mut b_fails) = (0u64, 0u64, 0u64);
        each_trial(&s, 11, n, |ws| {
            let (a, b) = producing(ws.outcome[0].supply[0]);
            a_fails += u64::from(!a);
            b_fails += u64::from(!b);
            both_fail += u64::from(!a && !b);
        });
        // Project i fails when its shock is at or above Phi^-1(p_i): the
        // shocks are standard normals with correlation l_a l_b, so both
        // fail with probability Phi_2(-c_a, -c_b; l_a l_b).
        let c = p.map(|p| n01.inverse_cdf(p));
        let exact = bivariate_cdf(-c[0], -c[1], l[0] * l[1]);
        let rate = |k: u64| k as f64 / n as f64;
        let se = |q: f64| (q * (1.0 - q) / n as f64).sqrt();
        let what = format!("P(both fail), p {p:?}, loadings {l:?}");
        assert_within(&what, rate(both_fail), exact, se(exact), 4.5);
        for (k, fails) in [a_fails, b_fails].into_iter().enumerate() {
            let q = 1.0 - p[k];
            assert_within(&format!("P(project {k} fails)"), rate(fails), q, se(q), 4.5);
        }
        // The dependence is visible: far from independence where it is strong.
        if (l[0] * l[1]).abs() > 0.3 {
            let independent = (1.0 - p[0]) * (1.0 - p[1]);
            assert!((rate(both_fail) - independent).abs() > 10.0 * se(exact));
        }
    }
}

#[test]
fn loadings_of_one_move_projects_in_lockstep() {
    // Loadings 1 and 1 with equal odds: the same fate in every trial;
    // loadings 1 and -1 at odds of one half: exactly one succeeds.
    let (mut same, mut opposite) = (0, 0);
    let n = 20_000;
    each_trial(&two_projects([0.6, 0.6], [1.0, 1.0]), 3, n, |ws| {
        let (a, b) = producing(ws.outcome[0].supply[0]);
        same += usize::from(a == b);
    });
    each_trial(&two_projects([0.5, 0.5], [1.0, -1.0]), 3, n, |ws| {
        let (a, b) = producing(ws.outcome[0].supply[0]);
        opposite += usize::from(a != b);
    });
    assert_eq!((same, opposite), (n as usize, n as usize));
}

#[test]
fn a_project_that_requires_another_succeeds_with_the_product_and_never_before_it() {
    // Phase 2 requires phase 1 (an inline project, named by its source's
    // id); it is planned a year earlier but comes online with phase 1.
    let s = scenario(
        r#"
[scenario]
name = "phases"
start_year = 2026
years = 3

[[mineral]]
id = "li"
demand = { base = 10.0 }

[[source]]
id = "phase-1"
mineral = "li"
capacity = 1.0
project = { online_year = 2027, success_probability = 0.6 }

[[source]]
id = "phase-2"
mineral = "li"
capacity = 2.0
project = { online_year = 2026, success_probability = 0.5, requires = "phase-1" }
"#,
    );
    let n = 200_000;
    let (mut one, mut two) = (0u64, 0u64);
    each_trial(&s, 5, n, |ws| {
        let supply = &ws.outcome[0].supply;
        assert_eq!(supply[0], 0.0, "nothing before phase 1 is online");
        let (p1, p2) = producing(supply[1]);
        assert!(p1 || !p2, "phase 2 produces without phase 1");
        assert_eq!(producing(supply[2]), (p1, p2));
        one += u64::from(p1);
        two += u64::from(p2);
    });
    let check = |what: &str, k: u64, q: f64| {
        let se = (q * (1.0 - q) / n as f64).sqrt();
        assert_within(what, k as f64 / n as f64, q, se, 4.5);
    };
    check("P(phase 1 producing)", one, 0.6);
    check("P(phase 2 producing)", two, 0.6 * 0.5);
}

#[test]
fn the_sources_of_one_named_project_produce_together() {
    // Co-products: nickel and cobalt of one mine, with a random delay and
    // a ramp: one success draw and one online time, trial by trial.
    let s = scenario(
        r#"
[scenario]
name = "co-products"
start_year = 2026
years = 4

[[mineral]]
id = "ni"
demand = { base = 10.0 }

[[mineral]]
id = "co"
demand = { base = 1.0 }

[[project]]
id = "goongarrie"
online_year = 2026.5
delay_months = { dist = "uniform", min = 0, max = 24 }
ramp_years = 1.5
success_probability = 0.5

[[source]]
id = "goongarrie-ni"
mineral = "ni"
capacity = 8.0
project = "goongarrie"

[[source]]
id = "goongarrie-co"
mineral = "co"
capacity = 0.75
project = "goongarrie"
"#,
    );
    let (mut on, mut partial) = (0, 0);
    let n = 20_000;
    each_trial(&s, 9, n, |ws| {
        for y in 0..4 {
            let (ni, co) = (
                ws.outcome[0].supply[y] / 8.0,
                ws.outcome[1].supply[y] / 0.75,
            );
            assert!((ni - co).abs() < 1e-9, "year {y}: {ni} vs {co}");
            partial += usize::from(ni > 0.0 && ni < 0.99);
        }
        on += usize::from(ws.outcome[0].supply[3] > 0.0);
    });
    // Both outcomes and ramps occur (a check of the check).
    assert!(on > n as usize * 2 / 5 && on < n as usize * 3 / 5 && partial > 1000);
}

/// Sample correlation of pairs.
fn correlation(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    let (ma, mb) = pairs
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

#[test]
fn demands_on_one_year_factor_are_correlated_by_the_product_of_their_loadings() {
    let s = scenario(
        r#"
[scenario]
name = "demand factor"
start_year = 2026
years = 5

[[factor]]
id = "ev-boom"
scope = "year"

[[mineral]]
id = "li"
demand = { base = 100.0, growth = 0.1, sigma = 0.3, factor = "ev-boom", loading = 0.8 }

[[mineral]]
id = "co"
demand = { base = 10.0, sigma = 0.2, factor = "ev-boom", loading = -0.6 }

[[mineral]]
id = "cu"
demand = { base = 50.0, sigma = 0.1 }

[[source]]
id = "li-a"
mineral = "li"
capacity = 100.0

[[source]]
id = "co-a"
mineral = "co"
capacity = 10.0

[[source]]
id = "cu-a"
mineral = "cu"
capacity = 50.0
"#,
    );
    // The standard normal shock behind each year's demand:
    // Z = (ln(D / trend) + sigma^2 / 2) / sigma.
    let shock = |m: usize, y: usize, d: f64| {
        let demand = &s.minerals[m].demand;
        let sg = demand.sigma;
        ((d / demand.trend(y)).ln() + sg * sg / 2.0) / sg
    };
    let (mut li_co, mut li_cu, mut li_next) = (Vec::new(), Vec::new(), Vec::new());
    let mut li = Vec::new();
    each_trial(&s, 21, 60_000, |ws| {
        let z = |m: usize, y: usize| shock(m, y, ws.outcome[m].demand[y]);
        for y in 0..5 {
            li_co.push((z(0, y), z(1, y)));
            li_cu.push((z(0, y), z(2, y)));
            li.push(z(0, y));
            if y < 4 {
                li_next.push((z(0, y), z(0, y + 1)));
            }
        }
    });
    // Pairs of different years are independent, so all 300,000 pairs
    // count; a sample correlation's standard error is (1 - rho^2) / sqrt(n).
    let se = |rho: f64, n: usize| (1.0 - rho * rho) / (n as f64).sqrt();
    let rho = 0.8 * -0.6;
    assert_within(
        "corr(li, co)",
        correlation(&li_co),
        rho,
        se(rho, li_co.len()),
        4.5,
    );
    assert_within(
        "corr(li, cu)",
        correlation(&li_cu),
        0.0,
        se(0.0, li_cu.len()),
        4.5,
    );
    assert_within(
        "corr(li this year, li next year)",
        correlation(&li_next),
        0.0,
        se(0.0, li_next.len()),
        4.5,
    );
    // Each shock stays a standard normal.
    let n = li.len() as f64;
    let mean = li.iter().sum::<f64>() / n;
    let var = li.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert_within("mean of li's shock", mean, 0.0, 1.0 / n.sqrt(), 4.5);
    assert_within("variance of li's shock", var, 1.0, (2.0 / n).sqrt(), 4.5);
}

/// The JSON of a run's summary.
fn summary_json(s: &Scenario, seed: u64, trials: u64) -> Vec<u8> {
    let agg = supplyrisk::engine::simulate(s, seed, trials, None);
    supplyrisk::output::json_bytes(&supplyrisk::summary::Summary::new(s, seed, &agg))
}

#[test]
fn a_loading_of_zero_or_an_unused_factor_changes_nothing() {
    // The own draws are those of a file without factors: bit for bit.
    let with = FULL
        .replace(
            "sigma = 0.05 }",
            "sigma = 0.05, factor = \"boom\", loading = 0.0 }",
        )
        .replace(
            "success_probability = 0.8 }",
            "success_probability = 0.8, factor = \"capex\", loading = 0 }",
        )
        + "\n[[factor]]\nid = \"boom\"\nscope = \"year\"\n\n[[factor]]\nid = \"capex\"\nscope = \"trial\"\n\n[[factor]]\nid = \"unused\"\nscope = \"year\"\n";
    assert_ne!(with, FULL);
    let (a, b) = (scenario(FULL), scenario(&with));
    assert_eq!(b.factors.len(), 3);
    assert_eq!(summary_json(&a, 4, 3_000), summary_json(&b, 4, 3_000));
}

#[test]
fn switching_a_factor_off_is_the_file_without_it() {
    use supplyrisk::sensitivity::{entities, switched_off, Entity};
    let s = scenario(DEPENDENCE);
    let kinds: Vec<Entity> = entities(&s);
    assert!(kinds.contains(&Entity::Factor(0)) && kinds.contains(&Entity::Factor(1)));
    assert!(kinds.contains(&Entity::SourceInitial(0)) && kinds.contains(&Entity::EventInitial(0)));
    // Off: each factor's loadings at 0; the same as deleting the keys.
    let without = DEPENDENCE
        .replace(", factor = \"capex\", loading = 0.9", "")
        .replace("factor = \"capex\"\nloading = 0.9\n", "");
    assert_eq!(
        without.matches("capex").count(),
        1,
        "only the [[factor]] is left"
    );
    let (off, keep) = switched_off(&s, Entity::Factor(1));
    assert_eq!(keep, vec![0, 1], "capex moves both minerals' projects");
    assert_eq!(
        summary_json(&off, 8, 2_000),
        summary_json(&scenario(&without), 8, 2_000)
    );
    // An initial spell off: the same as deleting it.
    let without = DEPENDENCE.replace(", initial = { severity = 0.3, months = 2 }", "");
    let (off, keep) = switched_off(&s, Entity::SourceInitial(0));
    assert_eq!(keep, vec![0]);
    let only_ni = scenario(&without).only_minerals(&[0]);
    assert_eq!(
        summary_json(&off, 8, 2_000),
        summary_json(&only_ni, 8, 2_000)
    );
    // A disruption off takes its initial spell with it: full supply.
    let (off, _) = switched_off(&s, Entity::Source(0));
    let d = off.sources[0].disruption.as_ref().unwrap();
    assert!(d.rate == 0.0 && d.initial.is_none());
}

#[test]
fn the_independent_example_is_the_correlated_one_with_every_loading_zero() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let (correlated, independent) = (
        read("example-dependence.toml"),
        read("example-dependence-independent.toml"),
    );
    // From `[scenario]` on, but for the name.
    let body = |text: &str| {
        let body = &text[text.find("[scenario]").unwrap()..];
        let name = body.lines().nth(1).unwrap().to_string();
        body.replacen(&name, "", 1)
    };
    let zeroed: String = body(&correlated)
        .split_inclusive('\n')
        .map(|line| match line.find("loading = ") {
            Some(at) if !line.trim_start().starts_with('#') => {
                let end = line[at + 10..]
                    .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
                    .map_or(line.len(), |k| at + 10 + k);
                format!("{}loading = 0.0{}", &line[..at], &line[end..])
            }
            _ => line.to_string(),
        })
        .collect();
    assert!(correlated.matches("loading = 0.").count() >= 5);
    assert_eq!(zeroed, body(&independent));
}

#[test]
fn sensitivity_ranks_factors_and_initial_disruptions() {
    let dir = tempfile::tempdir().unwrap();
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example-dependence.toml");
    let args = [
        "sensitivity",
        example.to_str().unwrap(),
        "--trials",
        "2000",
        "--no-plots",
        "--quiet",
        "--out",
        "sens",
    ];
    let o = crate::util::run_in(dir.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", crate::util::stderr(&o));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("sens/sensitivity.json")).unwrap())
            .unwrap();
    let rows = |list: &str, m: &str| -> Vec<(String, String)> {
        json[list][m]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let s = |k: &str| r[k].as_str().unwrap().to_string();
                (s("entity"), s("kind"))
            })
            .collect()
    };
    // Sources and events under `minerals`, each entity once; factors and
    // initial spells under `other_drivers`.
    for m in ["lithium", "cobalt"] {
        let main = rows("minerals", m);
        assert!(main.iter().all(|(_, k)| k == "source" || k == "event"));
        let mut ids: Vec<&String> = main.iter().map(|(e, _)| e).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), main.len(), "{m}: an entity listed twice");
        assert!(rows("other_drivers", m)
            .iter()
            .all(|(_, k)| k == "factor" || k == "initial"));
    }
    let has = |m: &str, entity: &str, kind: &str| {
        let pair = (entity.to_string(), kind.to_string());
        rows("minerals", m).contains(&pair) || rows("other_drivers", m).contains(&pair)
    };
    // Lithium: its demand's factor, its projects' factor, the spell in
    // progress at the start of one of its sources.
    assert!(has("lithium", "ev-boom", "factor"));
    assert!(has("lithium", "financing", "factor"));
    assert!(has("lithium", "lithium-argentina", "initial"));
    assert!(has("lithium", "lithium-argentina", "source"));
    // Cobalt: the quota in force at the start; the financing factor
    // through the nickel-cobalt mine; no lithium entity.
    assert!(has("cobalt", "drc-export-quota", "initial"));
    assert!(has("cobalt", "financing", "factor"));
    assert!(!has("cobalt", "lithium-argentina", "initial"));
    let csv = std::fs::read_to_string(dir.path().join("sens/sensitivity.csv")).unwrap();
    assert!(csv.contains(",financing,factor,") && csv.contains(",drc-export-quota,initial,"));
}
