//! Reading the tables that a mineral's demand and world market are made
//! of.

use super::{child, Reader, Tab};
use crate::scenario::raw::{RawDemand, RawMarket};

impl Reader {
    /// `demand = { base, growth, sigma, factor, loading }` at `p`.
    pub(super) fn demand(&mut self, d: Tab, p: &str) -> RawDemand {
        self.unknown_keys(d, p, &["base", "growth", "sigma", "factor", "loading"]);
        RawDemand {
            base: self.float(d, p, "base", true),
            growth: self.float(d, p, "growth", false),
            sigma: self.float(d, p, "sigma", false),
            factor: self.string(d, p, "factor", false),
            loading: self.float(d, p, "loading", false),
        }
    }

    /// `market = { … }` at `p`.
    pub(super) fn market(&mut self, m: Tab, p: &str) -> RawMarket {
        self.unknown_keys(
            m,
            p,
            &[
                "rest_of_world_demand",
                "reference_price",
                "currency",
                "demand_elasticity",
                "max_price",
                "min_price",
                "spike_threshold",
            ],
        );
        let rest = self
            .table(m, p, "rest_of_world_demand", true)
            .map(|d| self.demand(d, &child(p, "rest_of_world_demand")));
        RawMarket {
            rest_of_world_demand: rest,
            reference_price: self.float(m, p, "reference_price", true),
            currency: self.string(m, p, "currency", false),
            demand_elasticity: self.float(m, p, "demand_elasticity", true),
            max_price: self.float(m, p, "max_price", false),
            min_price: self.float(m, p, "min_price", false),
            spike_threshold: self.float(m, p, "spike_threshold", false),
        }
    }
}
