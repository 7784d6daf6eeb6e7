//! The rules of supply-chain stages, restrictions, offtakes, world markets
//! and market stockpiles (docs/model.md, "Supply-chain stages" and "World
//! market"), checked after the v1 rules and filled into the domain types.

use super::raw::RawFile;
use super::rules;
use super::validate::Ctx;
use super::{
    Event, EventKind, Market, Mineral, Source, Stage, DEFAULT_CURRENCY, DEFAULT_MAX_PRICE,
    DEFAULT_MIN_PRICE, DEFAULT_SPIKE_THRESHOLD,
};
use crate::error::{num, quote};
use crate::rng::{EntityKey, Purpose};

/// Check the v2 keys of `raw` and fill them into the domain types built
/// from it (same indexes as the file's lists).
pub fn check(
    raw: &RawFile,
    ctx: &mut Ctx,
    minerals: &mut [Mineral],
    sources: &mut [Source],
    events: &mut [Event],
) {
    for (i, m) in raw.mineral.iter().enumerate() {
        let Some(rm) = &m.market else { continue };
        let k = format!("mineral[{i}].market");
        if let Some(market) = market(ctx, &k, rm, raw.scenario.years, &minerals[i].id) {
            minerals[i].market = Some(market);
        }
    }
    // Whether a source's mineral has a `market` table, valid or not (a
    // market with a bad value is still a market for its sources' keys).
    let in_market = |mineral: &Option<String>| -> Option<bool> {
        let id = mineral.as_deref()?;
        let i = minerals.iter().position(|m| m.id == id)?;
        Some(raw.mineral[i].market.is_some())
    };
    for (i, s) in raw.source.iter().enumerate() {
        let k = format!("source[{i}]");
        let stage = match s.stage.as_deref() {
            None | Some("product") => Stage::Product,
            Some("mine") => Stage::Mine,
            Some("refinery") => Stage::Refinery,
            Some(other) => {
                ctx.error(
                    &format!("{k}.stage"),
                    format!(
                        "expected \"product\", \"mine\" or \"refinery\", found {}",
                        quote(other)
                    ),
                );
                Stage::Product
            }
        };
        let market = in_market(&s.mineral);
        if s.access.is_some() {
            if stage == Stage::Mine {
                ctx.error(
                    &format!("{k}.access"),
                    "expected no `access` on a mine (the consumer buys product, not feed), found one"
                        .to_string(),
                );
            } else if market == Some(true) {
                ctx.error(
                    &format!("{k}.access"),
                    "expected no `access` on a source of a mineral with a `market` (its capacity is the producer's whole output, sold on the world market), found one".to_string(),
                );
            }
        }
        if let Some(o) = s.offtake {
            let ok = ctx.number(&format!("{k}.offtake"), o, rules::OFFTAKE);
            if stage == Stage::Mine {
                ctx.error(
                    &format!("{k}.offtake"),
                    "expected no `offtake` on a mine (offtakes are of product), found one"
                        .to_string(),
                );
            } else if market == Some(false) {
                ctx.error(
                    &format!("{k}.offtake"),
                    "expected `offtake` only on a source of a mineral with a `market`, found one on a mineral without".to_string(),
                );
            } else if ok {
                sources[i].offtake = o;
            }
        }
        if market == Some(true) {
            sources[i].access = 1.0;
        }
        sources[i].stage = stage;
    }
    for (e, ev) in raw.event.iter().enumerate() {
        let k = format!("event[{e}]");
        let kind = match ev.kind.as_deref() {
            None | Some("outage") => EventKind::Outage,
            Some("restriction") => EventKind::Restriction,
            Some(other) => {
                ctx.error(
                    &format!("{k}.kind"),
                    format!(
                        "expected \"outage\" or \"restriction\", found {}",
                        quote(other)
                    ),
                );
                EventKind::Outage
            }
        };
        if kind == EventKind::Restriction {
            for (j, a) in ev.affects.iter().enumerate() {
                let Some(name) = &a.source else { continue };
                let Some(s) = sources.iter().find(|s| &s.id == name) else {
                    continue;
                };
                if s.stage == Stage::Mine {
                    ctx.error(
                        &format!("{k}.affects[{j}].source"),
                        format!("expected a refinery or product source in a restriction (it bars product from the consumer), found the mine {}", quote(name)),
                    );
                }
            }
        }
        if let Some(event) = events.iter_mut().find(|x| Some(&x.id) == ev.id.as_ref()) {
            event.kind = kind;
        }
    }
    one_sided_stages(raw, ctx, minerals, sources);
    market_stockpiles(raw, ctx, minerals);
}

/// A mineral with refineries must have mines, and the reverse.
fn one_sided_stages(raw: &RawFile, ctx: &mut Ctx, minerals: &[Mineral], sources: &[Source]) {
    for (i, m) in minerals.iter().enumerate() {
        let of = |stage: Stage| {
            raw.source
                .iter()
                .zip(sources)
                .position(|(r, s)| r.mineral.as_deref() == Some(&m.id) && s.stage == stage)
        };
        let (mine, refinery) = (of(Stage::Mine), of(Stage::Refinery));
        let problem = match (mine, refinery) {
            (Some(at), None) => Some((at, "mines but no refinery")),
            (None, Some(at)) => Some((at, "refineries but no mine")),
            _ => None,
        };
        if let Some((at, what)) = problem {
            ctx.error(
                &format!("source[{at}].stage"),
                format!(
                    "expected both mines and refineries for mineral {} (refineries process what mines deliver), found {what} (mineral[{i}])",
                    quote(&m.id)
                ),
            );
        }
    }
}

/// `market = { … }` at `k`, checked.
fn market(
    ctx: &mut Ctx,
    k: &str,
    rm: &super::raw::RawMarket,
    years: Option<i64>,
    mineral: &str,
) -> Option<Market> {
    let rest = rm
        .rest_of_world_demand
        .as_ref()
        .and_then(|d| ctx.demand(&format!("{k}.rest_of_world_demand"), d, years));
    let price = ctx.required(
        &format!("{k}.reference_price"),
        rm.reference_price,
        rules::PRICE,
    );
    ctx.text(
        &format!("{k}.currency"),
        rm.currency.as_deref(),
        rules::CURRENCY,
    );
    let elasticity = ctx.required(
        &format!("{k}.demand_elasticity"),
        rm.demand_elasticity,
        rules::ELASTICITY,
    );
    let max_price = ctx.optional(
        &format!("{k}.max_price"),
        rm.max_price,
        DEFAULT_MAX_PRICE,
        rules::MAX_PRICE,
    );
    let min_price = ctx.optional(
        &format!("{k}.min_price"),
        rm.min_price,
        DEFAULT_MIN_PRICE,
        rules::MIN_PRICE,
    );
    let spike = ctx.optional(
        &format!("{k}.spike_threshold"),
        rm.spike_threshold,
        DEFAULT_SPIKE_THRESHOLD,
        rules::ABOVE_ONE,
    );
    if let (Some(spike), Some(max)) = (spike, max_price) {
        if spike >= max {
            never_acts(
                ctx,
                &format!("{k}.spike_threshold"),
                "spike_threshold < max_price",
                (max, rm.max_price),
                "exceed it",
                (spike, rm.spike_threshold),
            );
            return None;
        }
    }
    Some(Market {
        rest_of_world: rest?,
        reference_price: price?,
        currency: rm
            .currency
            .clone()
            .unwrap_or_else(|| DEFAULT_CURRENCY.to_string()),
        elasticity: elasticity?,
        max_price: max_price?,
        min_price: min_price?,
        spike_threshold: spike?,
        rest_key: EntityKey::new("mineral", mineral, Purpose::RestOfWorld),
    })
}

/// `release_price` and `refill_price`: only on a market mineral's
/// stockpile, `0 < refill_price <= 1 < release_price`, and each able to
/// act within the market's price range.
fn market_stockpiles(raw: &RawFile, ctx: &mut Ctx, minerals: &mut [Mineral]) {
    for (i, p) in raw.stockpile.iter().enumerate() {
        let k = format!("stockpile[{i}]");
        let Some(mi) = p
            .mineral
            .as_deref()
            .and_then(|id| minerals.iter().position(|m| m.id == id))
        else {
            continue;
        };
        let m = &mut minerals[mi];
        // The market's keys as the file writes them (`None`: defaults).
        let written = raw.mineral[mi].market.as_ref();
        // The price range the prices must act within: the market's; where
        // the market has a bad value of its own (reported there), its caps
        // as written, if they are valid themselves.
        let caps = match (&m.market, written) {
            (Some(market), _) => Some((market.max_price, market.min_price)),
            (None, Some(w)) => Some((
                w.max_price.unwrap_or(DEFAULT_MAX_PRICE),
                w.min_price.unwrap_or(DEFAULT_MIN_PRICE),
            ))
            .filter(|&(max, min)| rules::MAX_PRICE.holds(max) && rules::MIN_PRICE.holds(min)),
            (None, None) => {
                for (key, v) in [
                    ("release_price", p.release_price),
                    ("refill_price", p.refill_price),
                ] {
                    if v.is_some() {
                        ctx.error(
                            &format!("{k}.{key}"),
                            format!("expected `{key}` only on the stockpile of a mineral with a `market` (a physical stockpile releases whenever supply falls short), found one"),
                        );
                    }
                }
                continue;
            }
        };
        let release = ctx.optional(
            &format!("{k}.release_price"),
            p.release_price,
            super::DEFAULT_RELEASE_PRICE,
            rules::ABOVE_ONE,
        );
        let refill = ctx.optional(
            &format!("{k}.refill_price"),
            p.refill_price,
            super::DEFAULT_REFILL_PRICE,
            rules::REFILL_PRICE,
        );
        if let (Some(r), Some((max, _))) = (release, caps) {
            if r >= max {
                never_acts(
                    ctx,
                    &format!("{k}.release_price"),
                    "release_price < max_price",
                    (max, written.and_then(|w| w.max_price)),
                    "exceed it",
                    (r, p.release_price),
                );
            }
        }
        if let (Some(r), Some((_, min))) = (refill, caps) {
            if r < min {
                never_acts(
                    ctx,
                    &format!("{k}.refill_price"),
                    "refill_price >= min_price",
                    (min, written.and_then(|w| w.min_price)),
                    "fall to it",
                    (r, p.refill_price),
                );
            }
        }
        if let (Some(stock), Some(release), Some(refill)) = (m.stockpile.as_mut(), release, refill)
        {
            stock.release_price = release;
            stock.refill_price = refill;
        }
    }
}

/// Report a price rule that could never act: `rule` (such as
/// `release_price < max_price`) is broken by the value at `key`, which the
/// price never reaches (`reach`: `exceed it`, `fall to it`). The bound and
/// the value each come with what the file writes for them, `None` where a
/// default applies, which the message then says (a rule between keys can
/// be broken by a key the user never wrote).
fn never_acts(
    ctx: &mut Ctx,
    key: &str,
    rule: &str,
    (bound, bound_written): (f64, Option<f64>),
    reach: &str,
    (value, written): (f64, Option<f64>),
) {
    let bound_note = if bound_written.is_none() {
        ", its default"
    } else {
        ""
    };
    let value_note = if written.is_none() {
        " (the default; the file does not give it)"
    } else {
        ""
    };
    ctx.error(
        key,
        format!(
            "expected {rule} ({}{bound_note}): the price could never {reach}, found {}{value_note}",
            num(bound),
            num(value)
        ),
    );
}
