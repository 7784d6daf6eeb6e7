//! The rules of dependence between entities (docs/dependence.md): shared
//! factors and the loadings of demands and projects on them, projects
//! (inline and named) with `requires`, and disruptions in progress when
//! the horizon starts. Checked after the other rules and filled into the
//! domain types.

use super::dists::Role;
use super::ids::Ids;
use super::raw::{RawDemand, RawFile, RawInitial, RawProject, RawProjectRef};
use super::rules;
use super::validate::Ctx;
use super::{Factor, FactorScope, Initial, Loading, Mineral, Project, Source};
use crate::dist::Dist;
use crate::error::quote;
use crate::rng::{EntityKey, Purpose};
use std::collections::HashMap;

/// The factors of a file, for resolving loadings.
struct Factors<'r> {
    /// Id (first use) -> index into the file's `[[factor]]` list.
    index: HashMap<&'r str, usize>,
    /// Each factor's scope, `None` when missing or unknown (reported).
    scopes: Vec<Option<FactorScope>>,
}

impl FactorScope {
    fn name(self) -> &'static str {
        match self {
            FactorScope::Trial => "trial",
            FactorScope::Year => "year",
        }
    }
}

/// Check the factors, loadings, projects and `requires` of `raw`, set the
/// loadings of `minerals`' demands and each source's project, and return
/// the factors and projects (empty when a rule is broken: reported).
pub fn check(
    raw: &RawFile,
    ctx: &mut Ctx,
    minerals: &mut [Mineral],
    sources: &mut [Source],
) -> (Vec<Factor>, Vec<Project>) {
    let (factors, table) = factors(raw, ctx);
    for (i, m) in raw.mineral.iter().enumerate() {
        if let Some(d) = &m.demand {
            let k = format!("mineral[{i}].demand");
            minerals[i].demand.factor = demand_loading(ctx, &k, d, &table);
        }
        let rest = m
            .market
            .as_ref()
            .and_then(|k| k.rest_of_world_demand.as_ref());
        if let Some(d) = rest {
            let k = format!("mineral[{i}].market.rest_of_world_demand");
            let loading = demand_loading(ctx, &k, d, &table);
            if let Some(market) = minerals[i].market.as_mut() {
                market.rest_of_world.factor = loading;
            }
        }
    }
    let projects = projects(raw, ctx, &table, sources);
    (factors, projects)
}

/// The `[[factor]]` tables: checked ids and scopes.
fn factors<'r>(raw: &'r RawFile, ctx: &mut Ctx) -> (Vec<Factor>, Factors<'r>) {
    let mut ids = Ids::new("factor", false);
    let mut table = Factors {
        index: HashMap::new(),
        scopes: Vec::with_capacity(raw.factor.len()),
    };
    let mut factors = Vec::with_capacity(raw.factor.len());
    for (i, f) in raw.factor.iter().enumerate() {
        let k = format!("factor[{i}]");
        ctx.id(&format!("{k}.id"), f.id.as_deref(), &mut ids, i);
        let scope = match f.scope.as_deref() {
            Some("trial") => Some(FactorScope::Trial),
            Some("year") => Some(FactorScope::Year),
            Some(other) => {
                ctx.error(
                    &format!("{k}.scope"),
                    format!(
                        "expected \"trial\" (one draw per trial) or \"year\" (one per trial and year), found {}",
                        quote(other)
                    ),
                );
                None
            }
            None => None,
        };
        let id = f.id.clone().unwrap_or_default();
        if let Some(name) = f.id.as_deref() {
            table.index.entry(name).or_insert(i);
        }
        table.scopes.push(scope);
        factors.push(Factor {
            key: EntityKey::new("factor", &id, Purpose::Factor),
            id,
            scope: scope.unwrap_or(FactorScope::Trial),
        });
    }
    (factors, table)
}

/// What loads on a factor of each scope, for messages.
fn loader(scope: FactorScope) -> &'static str {
    match scope {
        FactorScope::Year => "a demand loads on one draw per year",
        FactorScope::Trial => "a project's success loads on one draw per trial",
    }
}

/// The loading of the table at `key` on `factor` (which must be of scope
/// `want`): `None` without a factor, or when a rule is broken (reported).
fn loading(
    ctx: &mut Ctx,
    key: &str,
    factor: Option<&str>,
    loading: Option<f64>,
    want: FactorScope,
    table: &Factors,
) -> Option<Loading> {
    let Some(name) = factor else {
        if loading.is_some() {
            ctx.error(
                &format!("{key}.loading"),
                "expected `loading` only beside `factor` (the id of the [[factor]] it loads on), found a loading without a factor".to_string(),
            );
        }
        return None;
    };
    let loading = match loading {
        Some(l) => ctx.required(&format!("{key}.loading"), Some(l), rules::LOADING),
        None => {
            ctx.error(
                key,
                "missing key `loading` (a `factor` needs a loading from -1 to 1)".to_string(),
            );
            None
        }
    };
    let Some(&f) = table.index.get(name) else {
        ctx.error(
            &format!("{key}.factor"),
            format!(
                "expected the id of a [[factor]], found {}{}",
                quote(name),
                super::ids::id_hint(name, table.index.keys().copied())
            ),
        );
        return None;
    };
    match table.scopes[f] {
        Some(scope) if scope != want => {
            ctx.error(
                &format!("{key}.factor"),
                format!(
                    "expected a factor of scope \"{}\" ({}), found {} of scope \"{}\" (factor[{f}])",
                    want.name(),
                    loader(want),
                    quote(name),
                    scope.name()
                ),
            );
            None
        }
        Some(_) => Some(Loading {
            factor: f,
            loading: loading?,
        }),
        None => None, // the factor's scope is reported
    }
}

fn demand_loading(ctx: &mut Ctx, key: &str, d: &RawDemand, table: &Factors) -> Option<Loading> {
    let factor = d.factor.as_deref();
    loading(ctx, key, factor, d.loading, FactorScope::Year, table)
}

/// A project as written, with where it is and its stream.
struct Written<'r> {
    /// Key path of its table (`source[3].project`, `project[0]`).
    key: String,
    raw: &'r RawProject,
    id: &'r str,
    stream: EntityKey,
}

/// Every project: inline ones in source order, then named ones in file
/// order, checked, with each source's project set. Empty when a rule is
/// broken (reported).
fn projects(raw: &RawFile, ctx: &mut Ctx, table: &Factors, sources: &mut [Source]) -> Vec<Project> {
    let mut written = Vec::new();
    // Project id -> index, inline ones (their source's id) first.
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut inline_of: HashMap<&str, usize> = HashMap::new();
    for (i, s) in raw.source.iter().enumerate() {
        let (Some(RawProjectRef::Inline(p)), Some(id)) = (&s.project, s.id.as_deref()) else {
            continue;
        };
        sources[i].project = Some(written.len());
        inline_of.entry(id).or_insert(i);
        index.entry(id).or_insert(written.len());
        written.push(Written {
            key: format!("source[{i}].project"),
            raw: p,
            id,
            stream: EntityKey::new("source", id, Purpose::Project),
        });
    }
    let mut ids = Ids::new("project", false);
    let mut named: HashMap<&str, usize> = HashMap::new();
    for (j, p) in raw.project.iter().enumerate() {
        let key = format!("project[{j}]");
        ctx.id(&format!("{key}.id"), p.id.as_deref(), &mut ids, j);
        let Some(id) = p.id.as_deref() else { continue };
        if let Some(&i) = inline_of.get(id) {
            ctx.error(
                &format!("{key}.id"),
                format!(
                    "expected a project id that no source's inline project has, found {} (source[{i}] has an inline project, whose id is its source's)",
                    quote(id)
                ),
            );
        }
        named.entry(id).or_insert(written.len());
        index.entry(id).or_insert(written.len());
        written.push(Written {
            key,
            raw: p,
            id,
            stream: EntityKey::new("project", id, Purpose::Project),
        });
    }
    for (i, s) in raw.source.iter().enumerate() {
        let Some(RawProjectRef::Named(name)) = &s.project else {
            continue;
        };
        match named.get(name.as_str()) {
            Some(&p) => sources[i].project = Some(p),
            None => {
                let hint = if inline_of.contains_key(name.as_str()) {
                    " (that source's project is inline: write it as a [[project]] to share it)"
                        .to_string()
                } else {
                    super::ids::id_hint(name, named.keys().copied())
                };
                ctx.error(
                    &format!("source[{i}].project"),
                    format!(
                        "expected the id of a [[project]], found {}{hint}",
                        quote(name)
                    ),
                );
            }
        }
    }
    let mut built: Vec<Option<Project>> = Vec::with_capacity(written.len());
    for w in &written {
        let requires = w.raw.requires.as_deref().and_then(|r| {
            let found = index.get(r).copied();
            if found.is_none() {
                ctx.error(
                    &format!("{}.requires", w.key),
                    format!(
                        "expected the id of a project (a [[project]], or a source with an inline project), found {}{}",
                        quote(r),
                        super::ids::id_hint(r, index.keys().copied())
                    ),
                );
            }
            found
        });
        let factor = w.raw.factor.as_deref();
        let load = loading(
            ctx,
            &w.key,
            factor,
            w.raw.loading,
            FactorScope::Trial,
            table,
        );
        built.push(ctx.project(w).map(|mut p| {
            p.factor = load;
            p.requires = requires;
            p
        }));
    }
    cycles(ctx, &written, &built);
    built
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default()
}

/// Report each cycle of `requires` once, at its first project.
fn cycles(ctx: &mut Ctx, written: &[Written], built: &[Option<Project>]) {
    let requires = |p: usize| built[p].as_ref().and_then(|p| p.requires);
    let mut reported = vec![false; built.len()];
    for start in 0..built.len() {
        // Follow `requires` at most once round every project.
        let mut path = vec![start];
        let mut at = start;
        while let Some(next) = requires(at) {
            if next == start {
                if !path.iter().any(|&p| reported[p]) {
                    let names: Vec<String> = path
                        .iter()
                        .chain([&start])
                        .map(|&p| quote(written[p].id))
                        .collect();
                    ctx.error(
                        &format!("{}.requires", written[start].key),
                        format!(
                            "expected projects that do not require themselves, found a cycle: {}",
                            names.join(" requires ")
                        ),
                    );
                    for &p in &path {
                        reported[p] = true;
                    }
                }
                break;
            }
            if path.len() > built.len() || path.contains(&next) {
                break; // a cycle that `start` leads into but is not on
            }
            path.push(next);
            at = next;
        }
    }
}

impl Ctx<'_> {
    /// A project's timing and success probability, checked.
    fn project(&mut self, w: &Written) -> Option<Project> {
        let (key, p) = (&w.key, w.raw);
        let online_key = format!("{key}.online_year");
        let online = self.required(&online_key, p.online_year, rules::ONLINE_YEAR);
        let delay = match &p.delay_months {
            Some(d) => self.dist(&format!("{key}.delay_months"), d, Role::Months),
            None => Some(Dist::fixed(0.0)),
        };
        let ramp_years = self.optional(
            &format!("{key}.ramp_years"),
            p.ramp_years,
            0.0,
            rules::RAMP_YEARS,
        );
        let success = self.optional(
            &format!("{key}.success_probability"),
            p.success_probability,
            1.0,
            rules::POSITIVE_FRACTION,
        );
        Some(Project {
            id: w.id.to_string(),
            online_year: online?,
            delay_months: delay?,
            ramp_years: ramp_years?,
            success_probability: success?,
            factor: None,
            requires: None,
            key: w.stream,
        })
    }

    /// `initial = { severity, months }` at `key`, checked.
    pub(super) fn initial(&mut self, key: &str, raw: &RawInitial) -> Option<Initial> {
        let severity = raw
            .severity
            .as_ref()
            .and_then(|d| self.dist(&format!("{key}.severity"), d, Role::Severity));
        let months = self.required(&format!("{key}.months"), raw.months, rules::MONTHS);
        Some(Initial {
            severity: severity?,
            months: months?,
        })
    }
}
