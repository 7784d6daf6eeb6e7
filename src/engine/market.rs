//! Serving a chain mineral's demand step by step (docs/model.md, "World
//! market"): product output from the channels, the consumer's served
//! ratio, the price multiple, the cost, and the stockpile's market rule.
//! A physical chain mineral is served as in the physical model.

use super::chain::{
    ChainPlan, CAPACITY, FEED, PROD_OFFTAKE, PROD_OPEN, PROD_TOTAL, REF_OFFTAKE, REF_OPEN, ROW,
};
use super::plan::{MineralPlan, Plan};
use super::trial::{MineralOutcome, StockRule};
use crate::rng::EntityKey;
use crate::scenario::{Market, Stockpile};

/// A market's constants.
#[derive(Debug, Clone)]
pub struct MarketPlan {
    /// Rest of the world's trend demand per year.
    pub rest_trend: Vec<f64>,
    /// Its noise.
    pub rest_sigma: f64,
    /// Its stream.
    pub rest_key: EntityKey,
    /// `1 / e`.
    inv_e: f64,
    /// `1 + e`.
    one_plus_e: f64,
    /// `1 / (1 + e)`.
    inv_one_plus_e: f64,
    /// Reference price.
    price: f64,
    max_price: f64,
    min_price: f64,
    /// Spike threshold (price multiple).
    pub spike_threshold: f64,
    /// `release_price^e`: the served ratio at the release price.
    release_served: f64,
    /// `refill_price^e`.
    refill_served: f64,
    /// The price multiple and its power `1 + e` where a release meets its
    /// target (`release_price`) and where a refill does (`refill_price`).
    release_at: (f64, f64),
    refill_at: (f64, f64),
}

impl MarketPlan {
    /// Constants of `market` (with its stockpile, if any) over `years`.
    pub fn new(market: &Market, stock: Option<&Stockpile>, years: usize) -> MarketPlan {
        let e = market.elasticity;
        MarketPlan {
            rest_trend: (0..years).map(|y| market.rest_of_world.trend(y)).collect(),
            rest_sigma: market.rest_of_world.sigma,
            rest_key: market.rest_key,
            inv_e: 1.0 / e,
            one_plus_e: 1.0 + e,
            inv_one_plus_e: 1.0 / (1.0 + e),
            price: market.reference_price,
            max_price: market.max_price,
            min_price: market.min_price,
            spike_threshold: market.spike_threshold,
            release_served: stock.map_or(0.0, |s| s.release_price.powf(e)),
            refill_served: stock.map_or(0.0, |s| s.refill_price.powf(e)),
            release_at: stock.map_or((0.0, 0.0), |s| {
                (s.release_price, s.release_price * s.release_price.powf(e))
            }),
            refill_at: stock.map_or((0.0, 0.0), |s| {
                (s.refill_price, s.refill_price * s.refill_price.powf(e))
            }),
        }
    }

    /// The price multiple at served ratio `served`, capped and floored.
    #[inline]
    fn multiple(&self, served: f64) -> f64 {
        if served <= 0.0 {
            self.max_price
        } else {
            // exp(ln(s) / e): cheaper than `powf`, as accurate to a few
            // units in the last place.
            (served.ln() * self.inv_e)
                .exp()
                .clamp(self.min_price, self.max_price)
        }
    }
}

/// The price multiple and its power `1 + e` at the two served ratios
/// seen last: undisrupted steps of a year share one, and a disruption
/// mostly moves between it and one other, so most steps need no power
/// function.
struct PriceMemo {
    /// `(served, x, x^(1 + e))`, the most recent first.
    slots: [(f64, f64, f64); 2],
}

impl PriceMemo {
    fn new() -> PriceMemo {
        PriceMemo {
            slots: [(f64::NAN, 0.0, 0.0); 2],
        }
    }

    #[inline]
    fn at(&mut self, m: &MarketPlan, served: f64) -> (f64, f64) {
        if served == self.slots[0].0 {
            return (self.slots[0].1, self.slots[0].2);
        }
        if served == self.slots[1].0 {
            self.slots.swap(0, 1);
            return (self.slots[0].1, self.slots[0].2);
        }
        let x = m.multiple(served);
        // x^(1 + e) = x * x^e = x * served unless the price is capped or
        // floored.
        let x_pow = if served > 0.0 && x > m.min_price && x < m.max_price {
            x * served
        } else {
            x.powf(m.one_plus_e)
        };
        self.slots[1] = self.slots[0];
        self.slots[0] = (served, x, x_pow);
        (x, x_pow)
    }
}

/// One market step's results: unserved and served amounts, the price
/// multiple and the consumer's cost.
#[derive(Debug, Clone, Copy, Default)]
struct StepResult {
    unserved: f64,
    served: f64,
    x: f64,
    cost: f64,
}

/// Serve a chain mineral's demand in one trial (drawn into `out.demand`)
/// from the changes of the channels `ch` (see
/// [`super::chain::fill_channels`]: rows of [`ROW`] values per step, cleared
/// here), `changed` telling which rows may be non-zero; `rest` holds the
/// rest of the world's demand per year.
pub fn serve_chain(
    plan: &Plan,
    mp: &MineralPlan,
    cp: &ChainPlan,
    ch: &mut [i64],
    changed: &[bool],
    rest: &[f64],
    out: &mut MineralOutcome,
) {
    let market = mp.market.as_ref();
    let (spy, dt) = (plan.steps_per_year, plan.dt);
    let mut stock = mp.stockpile.map_or(0.0, |s| s.initial);
    out.stock_empty = false;
    let rule = mp.stockpile.map(|s| StockRule::new(&s, dt));
    let mut memo = PriceMemo::new();
    let mut inv_capacity = (f64::NAN, 0.0);
    // The channels at the step being served.
    let mut row = cp.base;
    let mut step_to = |row: &mut [i64; ROW], t: usize| {
        for (a, d) in row.iter_mut().zip(&mut ch[t * ROW..][..ROW]) {
            *a += std::mem::take(d);
        }
    };
    for (y, &rest_y) in rest.iter().enumerate() {
        let dc = out.demand[y] * dt;
        let (mut unserved, mut supply, mut price, mut cost) = (0.0, 0.0, 0.0, 0.0);
        let dr = rest_y * dt;
        let (inv_dc, inv_all) = (1.0 / dc, 1.0 / (dc + dr));
        let (mut t, end) = (y * spy, (y + 1) * spy);
        let Some(m) = market else {
            for t in t..end {
                step_to(&mut row, t);
                let s = product(cp, &row, &mut inv_capacity).0;
                supply += s;
                unserved += match &rule {
                    Some(r) => r.step(&mut stock, s, dc, &mut out.stock_empty),
                    None => (dc - s).max(0.0),
                };
            }
            out.unserved[y] = unserved;
            out.supply[y] = supply;
            out.stock[y] = stock;
            continue;
        };
        while t < end {
            if changed[t] {
                step_to(&mut row, t);
            }
            let before = stock;
            let (open, offtake, whole) = product(cp, &row, &mut inv_capacity);
            let (k, pinned) = match mp.stockpile {
                Some(sp) => {
                    let d = Demands {
                        dc,
                        all: dc + dr,
                        inv_dc,
                        inv_all,
                    };
                    market_stock(m, &sp, dt, &mut stock, open, whole, d, &mut out.stock_empty)
                }
                None => (0.0, None),
            };
            let served = ((open + k) * inv_dc).min((whole + k) * inv_all).max(0.0);
            let (x, x_pow) = pinned.unwrap_or_else(|| memo.at(m, served));
            let r = StepResult {
                unserved: dc * (1.0 - served).max(0.0),
                served: dc * served.min(1.0),
                x,
                cost: m.price * (dc * (x_pow - 1.0) * m.inv_one_plus_e - (x - 1.0) * offtake),
            };
            // This step and the steps after it whose channels are the same
            // have the same results while the stock stays where it was: a
            // step that moves the stock is cleared on its own.
            let moved = stock != before;
            loop {
                unserved += r.unserved;
                supply += r.served;
                price += r.x;
                cost += r.cost;
                t += 1;
                if t == end || changed[t] || moved {
                    break;
                }
            }
        }
        out.unserved[y] = unserved;
        out.supply[y] = supply;
        out.stock[y] = stock;
        out.price[y] = price / spy as f64;
        out.cost[y] = cost;
    }
}

/// What the consumer may buy at a step (offtake included), the offtake
/// delivered and the whole product output, from its channels `row`.
/// `inv_capacity` keeps the last refining capacity seen and its
/// reciprocal (capacity changes far less often than feed).
#[inline(always)]
fn product(cp: &ChainPlan, row: &[i64; ROW], inv_capacity: &mut (f64, f64)) -> (f64, f64, f64) {
    let at = |c: usize| row[c] as f64;
    // Share of refining capacity that feed can keep busy.
    let ratio = if !cp.stages {
        1.0
    } else if at(CAPACITY) > 0.0 {
        if at(CAPACITY) != inv_capacity.0 {
            *inv_capacity = (at(CAPACITY), 1.0 / at(CAPACITY));
        }
        (at(FEED) * inv_capacity.1).min(1.0)
    } else {
        0.0
    };
    let q = cp.quantum;
    (
        (ratio * at(REF_OPEN) + at(PROD_OPEN)) * q,
        (ratio * at(REF_OFFTAKE) + at(PROD_OFFTAKE)) * q,
        (ratio * at(CAPACITY) + at(PROD_TOTAL)) * q,
    )
}

/// A step's demands: the consumer's, both together, and their
/// reciprocals.
#[derive(Debug, Clone, Copy)]
struct Demands {
    dc: f64,
    all: f64,
    inv_dc: f64,
    inv_all: f64,
}

/// The market stockpile's rule for one step: the amount released (> 0)
/// or bought (< 0), given what the consumer may buy (`open`, offtake
/// included), the whole output (`whole`) and both demands; and, where the
/// amount is what brings the price to `release_price` (or holds it at
/// `refill_price`), that price with its power `1 + e`: exactly the
/// price the rule aims at, where the served ratio it gives back would
/// miss it by a rounding error (and a release price equal to the spike
/// threshold would then count as a spike or not by chance).
#[allow(clippy::too_many_arguments)]
#[inline]
fn market_stock(
    m: &MarketPlan,
    sp: &Stockpile,
    dt: f64,
    stock: &mut f64,
    open: f64,
    whole: f64,
    d: Demands,
    empty: &mut bool,
) -> (f64, Option<(f64, f64)>) {
    let Demands {
        dc,
        all,
        inv_dc,
        inv_all,
    } = d;
    let served0 = (open * inv_dc).min(whole * inv_all).max(0.0);
    // x0 > release_price exactly when served0 < release_price^e (the price
    // falls as the served ratio rises; the cap is above release_price).
    if served0 < m.release_served {
        let want = (m.release_served * dc - open).max(m.release_served * all - whole);
        let k = stock.min(sp.max_release_per_year * dt).min(want.max(0.0));
        *stock -= k;
        *empty |= k > 0.0 && *stock <= 0.0;
        (k, (k == want).then_some(m.release_at))
    } else if served0 >= m.refill_served {
        // x0 <= refill_price (the floor is at or below refill_price).
        let room = (open - m.refill_served * dc).min(whole - m.refill_served * all);
        let b = (sp.refill_per_year * dt)
            .min(sp.capacity - *stock)
            .min(room.max(0.0));
        *stock += b;
        (-b, (b == room && b > 0.0).then_some(m.refill_at))
    } else {
        (0.0, None)
    }
}
