//! Ids of minerals, sources and events: 1 to 64 ASCII letters, digits,
//! `.`, `_` and `-`, unique within their kind. Chart files are named after
//! mineral ids (`supply_<id>.png`), so mineral ids must also differ in more
//! than case: on a case-insensitive file system `Copper` and `copper`
//! would write the same file.

use super::rules::MAX_ID_CHARS;
use crate::error::quote;
use std::collections::HashMap;

/// The candidate closest to a misspelt `name`, if one is close: a few
/// letters typed wrong, missing or extra (at most a third of the longer
/// name, at least one), never for a name of one or two letters. Used for
/// keys and for ids alike.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if name.chars().count() < 3 {
        return None;
    }
    candidates
        .into_iter()
        .map(|a| (strsim::damerau_levenshtein(name, a), a))
        .filter(|(d, a)| *d <= (name.chars().count().max(a.chars().count()) / 3).max(1))
        .min_by(|x, y| x.0.cmp(&y.0).then(x.1.cmp(y.1)))
        .map(|(_, a)| a)
}

/// ` (did you mean "ID"?)` for the id among `ids` closest to a misspelt
/// `name`, or nothing when none is close.
pub fn id_hint<'a>(name: &str, ids: impl IntoIterator<Item = &'a str>) -> String {
    closest(name, ids).map_or_else(String::new, |id| format!(" (did you mean {}?)", quote(id)))
}

/// Whether `c` may appear in an id.
pub fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Split the dot-separated `parts` of `ID.KEY` (an address without its
/// kind) at the longest id that `has` knows and that leaves a non-empty
/// key: ids may contain dots, so `a.b.capacity` is `(a.b, [capacity])`
/// when there is an `a.b`, else `(a, [b, capacity])` when there is an `a`.
pub fn longest_id<'p, 't>(
    parts: &'p [&'t str],
    has: impl Fn(&str) -> bool,
) -> Option<(String, &'p [&'t str])> {
    (1..parts.len())
        .rev()
        .map(|j| (parts[..j].join("."), &parts[j..]))
        .find(|(id, _)| has(id))
}

/// Whether `id` is a well-formed id.
pub fn is_valid(id: &str) -> bool {
    (1..=MAX_ID_CHARS).contains(&id.len()) && id.chars().all(is_id_char)
}

/// What a well-formed id is, for messages.
pub fn describe() -> String {
    format!("an id of 1 to {MAX_ID_CHARS} letters, digits, '.', '_' or '-'")
}

/// The ids of one kind seen so far, for uniqueness.
pub struct Ids {
    kind: &'static str,
    fold_case: bool,
    /// Id (lowercased when `fold_case`) -> index and spelling of its first use.
    seen: HashMap<String, (usize, String)>,
}

impl Ids {
    /// Ids of `kind` ("mineral"); `fold_case` makes `Copper` clash with `copper`.
    pub fn new(kind: &'static str, fold_case: bool) -> Ids {
        Ids {
            kind,
            fold_case,
            seen: HashMap::new(),
        }
    }

    /// Check `id` of entry `index`: `None` if it is well formed and new,
    /// else the message saying what is wrong.
    pub fn check(&mut self, id: &str, index: usize) -> Option<String> {
        if !is_valid(id) {
            return Some(format!("expected {}, found {}", describe(), quote(id)));
        }
        let kind = self.kind;
        let key = if self.fold_case {
            id.to_ascii_lowercase()
        } else {
            id.to_string()
        };
        match self.seen.get(&key) {
            Some((first, spelled)) if spelled == id => Some(format!(
                "expected a unique {kind} id, found {} again (first used by {kind}[{first}])",
                quote(id)
            )),
            Some((first, spelled)) => Some(format!(
                "expected a unique {kind} id, found {} (the same as {kind}[{first}]'s {} but for case; chart file names would clash)",
                quote(id),
                quote(spelled)
            )),
            None => {
                self.seen.insert(key, (index, id.to_string()));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_close_id_is_suggested_and_a_far_one_is_not() {
        let ids = ["copper", "cobalt", "nickel", "cu"];
        assert_eq!(closest("coper", ids), Some("copper"));
        assert_eq!(closest("cobolt", ids), Some("cobalt"));
        assert_eq!(closest("lithium", ids), None);
        assert_eq!(closest("cx", ids), None, "two letters: no guess");
        assert_eq!(id_hint("nikel", ids), " (did you mean \"nickel\"?)");
        assert_eq!(id_hint("zinc", ids), "");
    }

    #[test]
    fn ids_are_short_and_file_safe() {
        for ok in [
            "cu",
            "chile-copper",
            "reko-diq.phase_1",
            "A",
            &"x".repeat(64),
        ] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in ["", "a/b", "a?b", "a b", "é", "a\u{1b}", &"x".repeat(65)] {
            assert!(!is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn mineral_ids_clash_across_case() {
        let mut ids = Ids::new("mineral", true);
        assert_eq!(ids.check("copper", 0), None);
        let e = ids.check("Copper", 1).unwrap();
        assert!(
            e.contains("\"Copper\"") && e.contains("mineral[0]'s \"copper\""),
            "{e}"
        );
        let e = ids.check("copper", 2).unwrap();
        assert!(
            e.contains("found \"copper\" again (first used by mineral[0])"),
            "{e}"
        );
        let mut sources = Ids::new("source", false);
        assert_eq!(sources.check("a", 0), None);
        assert_eq!(sources.check("A", 1), None);
    }
}
