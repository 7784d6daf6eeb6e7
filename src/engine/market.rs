//! Serving a chain mineral's demand step by step (docs/model.md, "World
//! market"): product output from the channels, the consumer's served
//! ratio, the price multiple, the cost, and the stockpile's market rule.
//! A physical chain mineral is served as in the physical model.

use super::chain::{
    ChainPlan, CAPACITY, FEED, PROD_OFFTAKE, PROD_OPEN, PROD_TOTAL, REF_OFFTAKE, REF_OPEN,
};
use super::plan::{MineralPlan, Plan};
use super::trial::{draw_demand, MineralOutcome, StockRule};
use crate::rng::{EntityKey, TrialKey};
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
            price: market.reference_price,
            max_price: market.max_price,
            min_price: market.min_price,
            spike_threshold: market.spike_threshold,
            release_served: stock.map_or(0.0, |s| s.release_price.powf(e)),
            refill_served: stock.map_or(0.0, |s| s.refill_price.powf(e)),
        }
    }

    /// The price multiple at served ratio `served`, capped and floored.
    #[inline]
    fn multiple(&self, served: f64) -> f64 {
        if served <= 0.0 {
            self.max_price
        } else {
            served
                .powf(self.inv_e)
                .clamp(self.min_price, self.max_price)
        }
    }
}

/// The price multiple and its power `1 + e` at the last served ratio
/// seen: undisrupted steps of a year share one, so most steps need no
/// power function.
struct PriceMemo {
    served: f64,
    x: f64,
    x_pow: f64,
}

impl PriceMemo {
    #[inline]
    fn at(&mut self, m: &MarketPlan, served: f64) -> (f64, f64) {
        if served != self.served {
            self.served = served;
            self.x = m.multiple(served);
            self.x_pow = self.x.powf(m.one_plus_e);
        }
        (self.x, self.x_pow)
    }
}

/// Serve a chain mineral's demand in one trial from the channels `ch`
/// (`plan.steps` values per channel); `rest` takes the rest of the
/// world's demand per year.
pub fn serve_chain(
    plan: &Plan,
    mp: &MineralPlan,
    cp: &ChainPlan,
    key: TrialKey,
    ch: &[i64],
    rest: &mut [f64],
    out: &mut MineralOutcome,
) {
    draw_demand(&mp.trend, mp.sigma, key, mp.demand_key, &mut out.demand);
    let market = mp.market.as_ref();
    if let Some(m) = market {
        draw_demand(&m.rest_trend, m.rest_sigma, key, m.rest_key, rest);
    }
    let (steps, spy, dt, q) = (plan.steps, plan.steps_per_year, plan.dt, cp.quantum);
    let at = |c: usize, t: usize| ch[c * steps + t] as f64;
    let mut stock = mp.stockpile.map_or(0.0, |s| s.initial);
    out.stock_empty = false;
    let rule = mp.stockpile.map(|s| StockRule::new(&s, dt));
    let mut memo = PriceMemo {
        served: f64::NAN,
        x: 0.0,
        x_pow: 0.0,
    };
    for (y, &rest_y) in rest.iter().enumerate() {
        let dc = out.demand[y] * dt;
        let (mut unserved, mut supply, mut price, mut cost) = (0.0, 0.0, 0.0, 0.0);
        for t in y * spy..(y + 1) * spy {
            // Share of refining capacity that feed can keep busy.
            let ratio = if !cp.stages {
                1.0
            } else if at(CAPACITY, t) > 0.0 {
                (at(FEED, t) / at(CAPACITY, t)).min(1.0)
            } else {
                0.0
            };
            let open = (ratio * at(REF_OPEN, t) + at(PROD_OPEN, t)) * q;
            let Some(m) = market else {
                let s = open;
                supply += s;
                unserved += match (&rule, mp.stockpile) {
                    (Some(r), Some(_)) => r.step(&mut stock, s, dc, &mut out.stock_empty),
                    _ => (dc - s).max(0.0),
                };
                continue;
            };
            let dr = rest_y * dt;
            let offtake = (ratio * at(REF_OFFTAKE, t) + at(PROD_OFFTAKE, t)) * q;
            let whole = (ratio * at(CAPACITY, t) + at(PROD_TOTAL, t)) * q;
            let k = match mp.stockpile {
                Some(sp) => market_stock(
                    m,
                    &sp,
                    dt,
                    &mut stock,
                    open,
                    whole,
                    dc,
                    dr,
                    &mut out.stock_empty,
                ),
                None => 0.0,
            };
            let served = ((open + k) / dc).min((whole + k) / (dc + dr)).max(0.0);
            let (x, x_pow) = memo.at(m, served);
            unserved += dc * (1.0 - served).max(0.0);
            supply += dc * served.min(1.0);
            price += x;
            cost += m.price * (dc * (x_pow - 1.0) / m.one_plus_e - (x - 1.0) * offtake);
        }
        out.unserved[y] = unserved;
        out.supply[y] = supply;
        out.stock[y] = stock;
        if market.is_some() {
            out.price[y] = price / spy as f64;
            out.cost[y] = cost;
        }
    }
}

/// The market stockpile's rule for one step: the amount released (> 0)
/// or bought (< 0), given what the consumer may buy (`open`, offtake
/// included), the whole output (`whole`) and both demands.
#[allow(clippy::too_many_arguments)]
#[inline]
fn market_stock(
    m: &MarketPlan,
    sp: &Stockpile,
    dt: f64,
    stock: &mut f64,
    open: f64,
    whole: f64,
    dc: f64,
    dr: f64,
    empty: &mut bool,
) -> f64 {
    let served0 = (open / dc).min(whole / (dc + dr)).max(0.0);
    // x0 > release_price exactly when served0 < release_price^e (the price
    // falls as the served ratio rises; the cap is above release_price).
    if served0 < m.release_served {
        let want = (m.release_served * dc - open).max(m.release_served * (dc + dr) - whole);
        let k = stock.min(sp.max_release_per_year * dt).min(want.max(0.0));
        *stock -= k;
        *empty |= k > 0.0 && *stock <= 0.0;
        k
    } else if served0 >= m.refill_served {
        // x0 <= refill_price (the floor is at or below refill_price).
        let room = (open - m.refill_served * dc).min(whole - m.refill_served * (dc + dr));
        let b = (sp.refill_per_year * dt)
            .min(sp.capacity - *stock)
            .min(room.max(0.0));
        *stock += b;
        -b
    } else {
        0.0
    }
}
