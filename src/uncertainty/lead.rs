//! Which uncertain parameter drives a result, as far as a study can tell.
//!
//! A finding that names "the" driver of a result must not name one that
//! the design cannot single out: with few base sets the bootstrap
//! intervals of the largest total indices often overlap, and the order of
//! their point estimates is then noise.

use super::Indices;

/// Most parameters a finding names as jointly leading.
const MOST: usize = 3;

/// The parameters a finding should name as a result's driver, each with
/// its total index, from `ranked` (largest total index first).
///
/// The first alone when its 95% interval lies above every other
/// parameter's (or when there is no other, or no interval); otherwise the
/// first and those whose interval reaches up to the first's lower bound,
/// at most three, in the order given, with the number of further
/// parameters that reach it too. Empty when the first has no total index
/// (the result does not vary).
pub fn leaders<'a>(
    ranked: impl IntoIterator<Item = (&'a str, &'a Indices)>,
) -> (Vec<(&'a str, f64)>, usize) {
    let mut ranked = ranked.into_iter();
    let Some((name, first)) = ranked.next() else {
        return (Vec::new(), 0);
    };
    let Some(total) = first.total else {
        return (Vec::new(), 0);
    };
    let mut named = vec![(name, total)];
    let mut more = 0;
    if let Some(floor) = first.total_lo {
        for (name, i) in ranked {
            let Some(t) = i.total else { continue };
            if i.total_hi.unwrap_or(t) >= floor {
                if named.len() < MOST {
                    named.push((name, t));
                } else {
                    more += 1;
                }
            }
        }
    }
    (named, more)
}

/// [`leaders`] in words: `"x (total index 0.80)"` for a clear driver,
/// `"x (total index 0.45) or y (0.40), whose 95% intervals overlap"`
/// otherwise. `name` writes a parameter's name and `label` the index's.
/// Empty when there is no leader.
pub fn lead_words(
    leaders: &(Vec<(&str, f64)>, usize),
    name: impl Fn(&str) -> String,
    label: &str,
) -> String {
    let (named, more) = leaders;
    let parts: Vec<String> = named
        .iter()
        .enumerate()
        .map(|(k, (p, t))| match k {
            0 => format!("{} ({label} {t:.2})", name(p)),
            _ => format!("{} ({t:.2})", name(p)),
        })
        .collect();
    match parts.len() {
        0 => String::new(),
        1 => parts[0].clone(),
        n => {
            let list = format!("{} or {}", parts[..n - 1].join(", "), parts[n - 1]);
            let others = match more {
                0 => String::new(),
                1 => " and one more parameter".to_string(),
                m => format!(" and {m} more parameters"),
            };
            format!("{list}{others}, whose 95% intervals overlap")
        }
    }
}

/// Whether the largest total index in `rows` (largest first) cannot be
/// told apart from another's: [`leaders`] names more than one.
pub fn shared_lead(rows: &[super::output::SobolRow]) -> bool {
    leaders(rows.iter().map(|r| (r.param.as_str(), &r.indices)))
        .0
        .len()
        > 1
}

/// Whether any metric of `result` has a [`shared_lead`], which its table
/// marks with `*` and explains with [`SHARED_NOTE`].
pub fn any_shared_lead(result: &super::output::UncertaintyResult) -> bool {
    result
        .minerals
        .0
        .iter()
        .flat_map(|(_, metrics)| &metrics.0)
        .any(|(_, r)| shared_lead(&r.sobol))
}

/// What a `*` after the largest total index means.
pub const SHARED_NOTE: &str = "*: another parameter's 95% interval reaches this one's, so the design cannot tell which drives the result most (more --samples can)";

#[cfg(test)]
mod tests {
    use super::*;

    fn indices(total: f64, lo: f64, hi: f64) -> Indices {
        Indices {
            first: Some(total),
            first_lo: None,
            first_hi: None,
            total: Some(total),
            total_lo: Some(lo),
            total_hi: Some(hi),
        }
    }

    fn words(rows: &[(&str, Indices)]) -> String {
        let l = leaders(rows.iter().map(|(p, i)| (*p, i)));
        lead_words(&l, str::to_string, "total index")
    }

    #[test]
    fn a_driver_is_named_alone_only_when_its_interval_clears_every_other() {
        let clear = [
            ("growth", indices(0.8, 0.7, 0.9)),
            ("elasticity", indices(0.3, 0.2, 0.69)),
        ];
        assert_eq!(words(&clear), "growth (total index 0.80)");
        // An interval that touches the leader's lower bound is a rival.
        let touching = [
            ("growth", indices(0.8, 0.7, 0.9)),
            ("elasticity", indices(0.3, 0.2, 0.7)),
        ];
        assert_eq!(
            words(&touching),
            "growth (total index 0.80) or elasticity (0.30), whose 95% intervals overlap"
        );
        // A rival may rank below one that is not: only the overlap counts.
        let five = [
            ("a", indices(0.5, 0.2, 0.8)),
            ("b", indices(0.45, 0.3, 0.6)),
            ("c", indices(0.4, 0.01, 0.1)),
            ("d", indices(0.35, 0.1, 0.9)),
            ("e", indices(0.3, 0.1, 0.25)),
            ("f", indices(0.2, 0.0, 0.15)),
        ];
        assert_eq!(
            words(&five),
            "a (total index 0.50), b (0.45) or d (0.35) and one more parameter, whose 95% intervals overlap"
        );
    }

    #[test]
    fn a_shared_lead_is_flagged_for_the_table() {
        use crate::uncertainty::output::SobolRow;
        let rows = |hi: f64| {
            [("a", indices(0.8, 0.6, 0.9)), ("b", indices(0.3, 0.1, hi))]
                .map(|(p, indices)| SobolRow {
                    param: p.into(),
                    indices,
                })
                .to_vec()
        };
        assert!(shared_lead(&rows(0.65)));
        assert!(!shared_lead(&rows(0.55)));
        assert!(!shared_lead(&[]));
    }

    #[test]
    fn without_intervals_or_rivals_the_largest_point_estimate_leads() {
        let mut bare = indices(0.6, 0.0, 0.0);
        bare.total_lo = None;
        bare.total_hi = None;
        assert_eq!(
            words(&[("a", bare), ("b", indices(0.59, 0.0, 1.0))]),
            "a (total index 0.60)"
        );
        assert_eq!(
            words(&[("a", indices(0.6, 0.0, 1.0))]),
            "a (total index 0.60)"
        );
        let mut flat = indices(0.0, 0.0, 0.0);
        flat.total = None;
        assert_eq!(words(&[("a", flat)]), "");
        assert_eq!(words(&[]), "");
        let one = indices(0.6, 0.5, 0.7);
        let quoted = leaders([("a", &one)]);
        assert_eq!(
            lead_words(&quoted, |p| format!("`{p}`"), "total Sobol index"),
            "`a` (total Sobol index 0.60)"
        );
    }
}
