//! Reading `[[uncertain]]` tables: a parameter address and a distribution.

use super::{Reader, Tab};
use crate::scenario::uncertain::RawUncertain;

impl Reader {
    /// Every `[[uncertain]]` table of the document, in file order.
    pub(super) fn uncertain_tables(&mut self, root: Tab) -> Vec<RawUncertain> {
        let mut out = Vec::new();
        for (p, t) in self.tables(root, "", "uncertain") {
            out.push(match t {
                Some(t) => {
                    self.unknown_keys(t, &p, &["param", "dist"]);
                    RawUncertain {
                        param: self.string(t, &p, "param", true),
                        dist: self.dist(t, &p, "dist", true),
                    }
                }
                None => RawUncertain::default(),
            });
        }
        out
    }
}
