//! Exact solutions. One source with severity 1 and a fixed duration is a
//! Markov chain whose law is computed here by dynamic programming; a
//! deterministic stockpile case is worked out by hand.

use crate::util::{assert_within, mineral, scenario, summarise};

/// Phase of the process at the start of a step: `0` = up, `r >= 1` = down
/// at this step with `r` steps of the current disruption still to run
/// (this one included).
type Phase = usize;

/// Exact per-year `p_shortfall`, `eud`, and `p_any_shortfall` for one
/// source of capacity equal to demand `d`, severity 1, `n` steps per
/// disruption, onset probability `p` per up step; a year is a shortfall
/// year when it has more than `min_down - 1` down steps.
struct Exact {
    p_shortfall: Vec<f64>,
    eud: Vec<f64>,
    p_any: f64,
}

// The chain's states and counts are natural indexes.
#[allow(clippy::needless_range_loop)]
fn exact_chain(years: usize, spy: usize, p: f64, n: usize, d: f64, min_down: usize) -> Exact {
    // dist[(phase, flag)] at the start of a year; flag = a shortfall year happened.
    let mut start = vec![[0.0f64; 2]; n + 1];
    start[0][0] = 1.0;
    let mut p_shortfall = Vec::new();
    let mut eud = Vec::new();
    for _ in 0..years {
        // joint[phase][flag][count]
        let mut joint = vec![vec![vec![0.0f64; spy + 1]; 2]; n + 1];
        for (ph, flags) in start.iter().enumerate() {
            for f in 0..2 {
                joint[ph][f][0] = flags[f];
            }
        }
        for _ in 0..spy {
            let mut next = vec![vec![vec![0.0f64; spy + 1]; 2]; n + 1];
            for ph in 0..=n {
                for f in 0..2 {
                    for c in 0..spy {
                        let q = joint[ph][f][c];
                        if q == 0.0 {
                            continue;
                        }
                        // After a down step with r steps left, r - 1 are left (0 = up).
                        let after_down = |r: Phase| r.saturating_sub(1);
                        if ph == 0 {
                            next[0][f][c] += q * (1.0 - p);
                            next[after_down(n)][f][c + 1] += q * p;
                        } else {
                            next[after_down(ph)][f][c + 1] += q;
                        }
                    }
                }
            }
            joint = next;
        }
        let mut ps = 0.0;
        let mut e = 0.0;
        let mut new_start = vec![[0.0f64; 2]; n + 1];
        for ph in 0..=n {
            for f in 0..2 {
                for c in 0..=spy {
                    let q = joint[ph][f][c];
                    let short = c >= min_down;
                    if short {
                        ps += q;
                    }
                    e += q * c as f64 * d / spy as f64;
                    new_start[ph][usize::from(f == 1 || short)] += q;
                }
            }
        }
        p_shortfall.push(ps);
        eud.push(e);
        start = new_start;
    }
    let p_any = start.iter().map(|f| f[1]).sum();
    Exact {
        p_shortfall,
        eud,
        p_any,
    }
}

fn check_chain(spy: usize, rate: f64, months: f64, n: usize, threshold: f64, min_down: usize) {
    let years = 3;
    let d = 120.0;
    let text = format!(
        r#"
[scenario]
name = "two-state chain"
start_year = 2030
years = {years}
steps_per_year = {spy}
[[mineral]]
id = "x"
demand = {{ base = {d} }}
shortfall_threshold = {threshold}
[[source]]
id = "only"
mineral = "x"
capacity = {d}
disruption = {{ rate = {rate}, severity = 1.0, duration_months = {months} }}
"#
    );
    let s = scenario(&text);
    let sum = summarise(&s, 42, 200_000);
    let m = mineral(&sum, "x");
    let p = 1.0 - (-rate / spy as f64).exp();
    let ex = exact_chain(years, spy, p, n, d, min_down);
    for y in 0..years {
        let got = &m.years[y];
        assert_within(
            &format!("p_shortfall[{y}]"),
            got.p_shortfall,
            ex.p_shortfall[y],
            got.p_shortfall_se,
            4.0,
        );
        assert_within(&format!("eud[{y}]"), got.eud, ex.eud[y], got.eud_se, 4.0);
    }
    assert_within(
        "p_any_shortfall",
        m.p_any_shortfall,
        ex.p_any,
        m.p_any_shortfall_se,
        4.0,
    );
    let exp_years: f64 = ex.p_shortfall.iter().sum();
    assert_within(
        "expected_shortfall_years",
        m.expected_shortfall_years,
        exp_years,
        m.expected_shortfall_years_se,
        4.0,
    );
    let eud_total: f64 = ex.eud.iter().sum();
    assert_within("eud_total", m.eud_total, eud_total, m.eud_total_se, 4.0);
}

#[test]
fn monthly_chain_matches_dynamic_programming() {
    // 3-month outages, threshold 0.1: a shortfall year has >= 2 down months.
    check_chain(12, 1.5, 3.0, 3, 0.1, 2);
}

#[test]
fn quarterly_chain_rounds_durations_half_away_from_zero() {
    // 4.5 months at 4 steps a year is 1.5 steps -> 2 steps. With threshold
    // 0.3 a shortfall year has more than 1.2 down quarters, i.e. >= 2.
    check_chain(4, 0.8, 4.5, 2, 0.3, 2);
}

#[test]
fn weekly_chain_with_default_threshold() {
    // One month at 52 steps a year is 4.33 steps -> 4. Threshold 0.05:
    // more than 2.6 down weeks, i.e. >= 3.
    check_chain(52, 2.0, 1.0, 4, 0.05, 3);
}

#[test]
fn chain_helper_agrees_with_closed_form_for_first_year() {
    // Independent check of the DP itself: with n = 1 and a threshold of
    // one down step, P(no down step in year 1) = (1 - p)^spy.
    let p = 0.1;
    let ex = exact_chain(1, 12, p, 1, 12.0, 1);
    assert!((ex.p_shortfall[0] - (1.0 - (1.0f64 - p).powi(12))).abs() < 1e-12);
    // Expected down steps with n = 1: 12 p.
    assert!((ex.eud[0] - 12.0 * p).abs() < 1e-12);
}

#[test]
fn stockpile_refills_then_releases_as_worked_by_hand() {
    // Supply 15/month; demand 10/month in year 0 and 20/month in year 1.
    // Year 0: refill min(2, 15 - 10, 10 - stock) -> +2 for five months, full at 10.
    // Year 1: gap 5/month; release min(5, stock, 3): 3, 3, 3, 1, then 0.
    // Unserved: 2 + 2 + 2 + 4 + 8 x 5 = 50.
    let s = scenario(
        r#"
[scenario]
name = "stockpile by hand"
start_year = 2026
years = 2
[[mineral]]
id = "co"
demand = { base = 120.0, growth = 1.0 }
[[source]]
id = "a"
mineral = "co"
capacity = 180.0
[[stockpile]]
mineral = "co"
initial = 0.0
capacity = 10.0
max_release_per_year = 36.0
refill_per_year = 24.0
"#,
    );
    let sum = summarise(&s, 1, 3);
    let m = mineral(&sum, "co");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(close(m.years[0].eud, 0.0), "year 0 eud {}", m.years[0].eud);
    assert!(close(m.years[1].eud, 50.0), "year 1 eud {}", m.years[1].eud);
    assert_eq!(m.years[0].p_shortfall, 0.0);
    assert_eq!(m.years[1].p_shortfall, 1.0);
    assert!(close(m.eud_total, 50.0));
    assert_eq!(m.eud_total_se, 0.0);
    assert_eq!(m.p_any_shortfall, 1.0);
    assert!(close(m.years[1].supply_p50, 180.0));
    // unserved_share = 50 / (120 + 240)
    assert!(close(m.unserved_share, 50.0 / 360.0));
}

#[test]
fn stockpile_release_is_capped_by_stock_and_rate() {
    // Demand 10/month, supply 5/month, stock 12 released at most 3/month:
    // 3, 3, 3, 3 then empty. Year 0 unserved 4 x 2 + 8 x 5 = 48; year 1: 60.
    let s = scenario(
        r#"
[scenario]
name = "release cap"
start_year = 2026
years = 2
[[mineral]]
id = "li"
demand = { base = 120.0 }
[[source]]
id = "a"
mineral = "li"
capacity = 60.0
[[stockpile]]
mineral = "li"
initial = 12.0
max_release_per_year = 36.0
"#,
    );
    let sum = summarise(&s, 1, 2);
    let m = mineral(&sum, "li");
    assert!((m.years[0].eud - 48.0).abs() < 1e-9);
    assert!((m.years[1].eud - 60.0).abs() < 1e-9);
}

#[test]
fn project_ramps_linearly_from_its_online_time() {
    // Project of 120/yr online at 2026.0 with a 1-year ramp, no existing
    // supply. At month t the ramp is (t + 0.5) / 12, so the first year's
    // supply is 120/12 * sum (t + 0.5)/12 = 60; later years give 120.
    let s = scenario(
        r#"
[scenario]
name = "ramp"
start_year = 2026
years = 2
[[mineral]]
id = "ni"
demand = { base = 120.0 }
[[source]]
id = "p"
mineral = "ni"
capacity = 120.0
project = { online_year = 2026.0, ramp_years = 1.0 }
"#,
    );
    let sum = summarise(&s, 3, 5);
    let m = mineral(&sum, "ni");
    assert!(
        (m.years[0].supply_p50 - 60.0).abs() < 1e-9,
        "{}",
        m.years[0].supply_p50
    );
    assert!((m.years[1].supply_p50 - 120.0).abs() < 1e-9);
    assert!((m.years[0].eud - 60.0).abs() < 1e-9);
}

#[test]
fn project_success_probability_and_online_boundary() {
    // A project online at 2027.0 with success 0.3 and no ramp: in year 1
    // it gives all its output with probability 0.3, else nothing. The
    // midpoint of January 2027 is after 2027.0, so all of 2027 counts.
    let s = scenario(
        r#"
[scenario]
name = "success"
start_year = 2026
years = 2
[[mineral]]
id = "li"
demand = { base = 12.0 }
[[source]]
id = "p"
mineral = "li"
capacity = 12.0
project = { online_year = 2027.0, success_probability = 0.3 }
"#,
    );
    let sum = summarise(&s, 9, 100_000);
    let m = mineral(&sum, "li");
    assert_eq!(m.years[0].p_shortfall, 1.0);
    assert_within(
        "P(year 1 short)",
        m.years[1].p_shortfall,
        0.7,
        m.years[1].p_shortfall_se,
        4.0,
    );
    // Year 1 unserved is 12 with probability 0.7.
    assert_within("eud[1]", m.years[1].eud, 0.7 * 12.0, m.years[1].eud_se, 4.0);
}

#[test]
fn zero_threshold_needs_strictly_positive_unserved() {
    // Supply exactly equals demand, two sources summing to it, threshold 0:
    // nothing is unserved and a year is a shortfall year only when
    // unserved > 0, so no year is one. A missing project (never online in
    // the horizon) must not change that.
    let s = scenario(
        r#"
[scenario]
name = "tie"
start_year = 2026
years = 3
steps_per_year = 12
[[mineral]]
id = "cu"
demand = { base = 150.0 }
shortfall_threshold = 0.0
[[source]]
id = "a"
mineral = "cu"
capacity = 150.0
[[source]]
id = "later"
mineral = "cu"
capacity = 10.0
project = { online_year = 2040.0 }
"#,
    );
    let sum = summarise(&s, 1, 50);
    let m = mineral(&sum, "cu");
    assert_eq!(m.eud_total, 0.0);
    assert_eq!(m.p_any_shortfall, 0.0);
    assert!(m.years.iter().all(|y| y.p_shortfall == 0.0));
}

#[test]
fn a_year_short_by_exactly_its_threshold_is_not_a_shortfall_year_at_any_step_count() {
    // Demand 100 against one source of 95, threshold 0.05: 5 unserved a
    // year, exactly the threshold, so no year is a shortfall year (strictly
    // above it), however many steps the year's sum adds up (at 12 steps it
    // carries a rounding error of about 1e-14). Just short of 95, every
    // year is one.
    for spy in [1, 4, 12, 52] {
        for (capacity, short) in [(95.0, 0.0), (94.999, 1.0)] {
            let s = scenario(&format!(
                "[scenario]\nname = \"at the threshold\"\nstart_year = 2026\nyears = 3\nsteps_per_year = {spy}\n\n[[mineral]]\nid = \"cu\"\ndemand = {{ base = 100.0 }}\n\n[[source]]\nid = \"a\"\nmineral = \"cu\"\ncapacity = {capacity:?}\n"
            ));
            let sum = summarise(&s, 1, 20);
            let m = mineral(&sum, "cu");
            let what = format!("{spy} steps a year, capacity {capacity}");
            assert_eq!(m.p_any_shortfall, short, "{what}");
            assert!(m.years.iter().all(|y| y.p_shortfall == short), "{what}");
            assert!((m.years[0].eud - (100.0 - capacity)).abs() < 1e-9, "{what}");
        }
    }
}

#[test]
fn overlapping_own_and_event_losses_multiply_their_factors() {
    // Rates so high (a billion a year) that every process is down at
    // every step: a source's own intervals (2 months) and each
    // event's (3 and 5 months) overlap in every pattern of boundaries.
    // Each step's supply is then
    // capacity * access * (1 - s_own) * Π (1 - exposure * s_event) * dt:
    // a: 120 x 0.5 x (1 - 0.5 x 0.4) = 48 per year;
    // b: 120 x 0.5 x 0.8 x (1 - 1.0 x 0.25) = 36 per year (two events).
    let s = scenario(
        r#"
[scenario]
name = "overlaps"
start_year = 2026
years = 2
[[mineral]]
id = "cu"
demand = { base = 60.0 }
[[mineral]]
id = "ni"
demand = { base = 60.0 }
[[source]]
id = "a"
mineral = "cu"
capacity = 120.0
disruption = { rate = 1e9, severity = 0.5, duration_months = 2 }
[[source]]
id = "b"
mineral = "ni"
capacity = 120.0
disruption = { rate = 1e9, severity = 0.5, duration_months = 2 }
[[event]]
id = "e1"
rate = 1e9
severity = 0.4
duration_months = 3
affects = [ { source = "a", exposure = 0.5 }, { source = "b", exposure = 0.5 } ]
[[event]]
id = "e2"
rate = 1e9
severity = 0.25
duration_months = 5
affects = [ { source = "b", exposure = 1.0 } ]
"#,
    );
    let sum = summarise(&s, 9, 3);
    for (id, supply) in [("cu", 48.0), ("ni", 36.0)] {
        let m = mineral(&sum, id);
        for y in &m.years {
            assert!(
                (y.supply_p50 - supply).abs() < 1e-9,
                "{id}: supply {} vs {supply}",
                y.supply_p50
            );
            assert!(
                (y.eud - (60.0 - supply)).abs() < 1e-9,
                "{id}: eud {}",
                y.eud
            );
        }
    }
}

#[test]
fn demand_far_beyond_supply_is_served_exactly() {
    // Demand 100 times the largest possible supply (beyond the whole-unit
    // range, so served in floating point) and demand below it (served in
    // whole units): unserved is demand less supply either way.
    for (demand, supply) in [(1200.0f64, 12.0f64), (10.0, 12.0), (12.0, 9.0)] {
        let s = scenario(&format!(
            "[scenario]\nname = \"short\"\nstart_year = 2026\nyears = 2\n\
             [[mineral]]\nid = \"li\"\ndemand = {{ base = {demand} }}\n\
             [[source]]\nid = \"a\"\nmineral = \"li\"\ncapacity = {supply}\n"
        ));
        let sum = summarise(&s, 1, 2);
        let m = mineral(&sum, "li");
        let expected = (demand - supply).max(0.0);
        for y in &m.years {
            assert!(
                (y.eud - expected).abs() <= 1e-9 * demand,
                "demand {demand}: eud {} vs {expected}",
                y.eud
            );
            assert!((y.supply_p50 - supply).abs() <= 1e-12 * supply);
        }
    }
}

#[test]
fn the_model_s_open_ranges_take_any_finite_value() {
    // The largest finite rate puts a process down at every step; a spell,
    // a delay or a ramp of 10^300 outlasts any horizon; an online year
    // 10^300 years away never comes (and one as far back is online
    // throughout). Per year, with demand 120:
    // a (always down, severity 0.25, 40 a year): 30;
    // b (online 10^300 years ago, a ramp of 10^300 years: fully ramped up
    //   since, 40 a year): 40;
    // c (online in 10^300): 0;
    // d (online at the start, delayed 10^300 months): 0;
    // e (down from step 0 for 10^300 months at severity 0.5, 60 a year): 30;
    // and a growth of 10^300 in a horizon of one year: demand is base.
    let s = scenario(
        r#"
[scenario]
name = "open ranges"
start_year = 2026
years = 1
steps_per_year = 4
[[mineral]]
id = "cu"
demand = { base = 120.0, growth = 1e300 }
[[source]]
id = "a"
mineral = "cu"
capacity = 40.0
disruption = { rate = 1.7976931348623157e308, severity = 0.25, duration_months = 1e300 }
[[source]]
id = "b"
mineral = "cu"
capacity = 40.0
project = { online_year = -1e300, ramp_years = 1e300 }
[[source]]
id = "c"
mineral = "cu"
capacity = 40.0
project = { online_year = 1e300 }
[[source]]
id = "d"
mineral = "cu"
capacity = 40.0
project = { online_year = 2026, delay_months = 1e300 }
[[source]]
id = "e"
mineral = "cu"
capacity = 60.0
disruption = { rate = 0, severity = 0.5, duration_months = 1, initial = { severity = 0.5, months = 1e300 } }
"#,
    );
    let sum = summarise(&s, 4, 20);
    let m = mineral(&sum, "cu");
    for y in &m.years {
        assert_eq!(y.supply_p5, 100.0);
        assert_eq!(y.supply_p95, 100.0);
        assert_eq!(y.eud, 20.0);
        assert_eq!(y.p_shortfall, 1.0);
    }
}
