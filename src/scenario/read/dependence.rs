//! Reading what ties entities together: `[[factor]]` tables, named
//! `[[project]]` tables, a source's `project` (an inline table or a named
//! project's id) and a disruption's `initial` spell.

use super::{child, Reader, Tab};
use crate::scenario::raw::{RawFactor, RawInitial, RawProject, RawProjectRef};
use toml::de::DeValue;

/// The keys of a project table (a named one also has `id`).
const PROJECT_KEYS: [&str; 7] = [
    "online_year",
    "delay_months",
    "ramp_years",
    "success_probability",
    "factor",
    "loading",
    "requires",
];

impl Reader {
    /// A `[[factor]]` table at `p`.
    pub(super) fn factor(&mut self, t: Tab, p: &str) -> RawFactor {
        self.unknown_keys(t, p, &["id", "scope"]);
        RawFactor {
            id: self.string(t, p, "id", true),
            scope: self.string(t, p, "scope", true),
        }
    }

    /// A `[[project]]` table at `p`.
    pub(super) fn named_project(&mut self, t: Tab, p: &str) -> RawProject {
        let mut keys = vec!["id"];
        keys.extend(PROJECT_KEYS);
        self.unknown_keys(t, p, &keys);
        RawProject {
            id: self.string(t, p, "id", true),
            ..self.project_keys(t, p)
        }
    }

    /// A source's `project` key in `t` at `p`: an inline table, or the id
    /// of a named project.
    pub(super) fn project_ref(&mut self, t: Tab, p: &str) -> Option<RawProjectRef> {
        let (at, v) = self.get(t, p, "project", false)?;
        let jp = child(p, "project");
        match v {
            DeValue::String(id) => Some(RawProjectRef::Named(id.to_string())),
            DeValue::Table(table) => {
                let j = Tab { table, at };
                self.unknown_keys(j, &jp, &PROJECT_KEYS);
                Some(RawProjectRef::Inline(self.project_keys(j, &jp)))
            }
            _ => {
                self.wrong_type(
                    at,
                    &jp,
                    "a project table such as { online_year = 2028 } or the id of a [[project]]",
                    v,
                );
                None
            }
        }
    }

    /// The keys every project table has, in `j` at `jp`.
    fn project_keys(&mut self, j: Tab, jp: &str) -> RawProject {
        RawProject {
            id: None,
            online_year: self.float(j, jp, "online_year", true),
            delay_months: self.dist(j, jp, "delay_months", false),
            ramp_years: self.float(j, jp, "ramp_years", false),
            success_probability: self.float(j, jp, "success_probability", false),
            factor: self.string(j, jp, "factor", false),
            loading: self.float(j, jp, "loading", false),
            requires: self.string(j, jp, "requires", false),
        }
    }

    /// `initial = { severity, months }` in `t` at `p`, if there.
    pub(super) fn initial(&mut self, t: Tab, p: &str) -> Option<RawInitial> {
        let i = self.table(t, p, "initial", false)?;
        let ip = child(p, "initial");
        self.unknown_keys(i, &ip, &["severity", "months"]);
        Some(RawInitial {
            severity: self.dist(i, &ip, "severity", true),
            months: self.float(i, &ip, "months", true),
        })
    }
}
