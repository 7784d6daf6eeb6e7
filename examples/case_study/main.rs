//! Generates `docs/reko-diq-case-study.md` and its charts in
//! `docs/case-study/` from the shipped U.S. scenarios, with the program's
//! own seed and trials, so every number in the text is this program's
//! output and the page regenerates byte for byte.
//!
//! Run with `scripts/case-study.sh` (or `cargo run --release --example
//! case_study`) from the repository root.

mod limits;
mod ranges;
mod split;
mod text;

use std::path::Path;
use supplyrisk::compare::{compare, paired, Paired};
use supplyrisk::engine::{self, Aggregate};
use supplyrisk::output::write_atomic;
use supplyrisk::plot::{self, ChartSize};
use supplyrisk::scenario::{Scenario, DEFAULT_SEED};
use supplyrisk::sensitivity::{sensitivity, without_disruptions};
use supplyrisk::summary::{exceedance_curves, Summary};

/// Trials of the main runs.
pub const TRIALS: u64 = 100_000;
/// Base sets of the uncertainty design (N (k + 2) parameter sets).
pub const SAMPLES: usize = 256;
/// Trials of each run of the uncertainty design.
pub const RANGE_TRIALS: u64 = 2_000;

/// A project valued on its own, with the U.S. public money behind it.
pub struct Project {
    /// Readable name.
    pub name: &'static str,
    /// Its source ids in the diversified scenario.
    pub ids: &'static [&'static str],
    /// What the U.S. has committed, in words.
    pub support: &'static str,
    /// That commitment in USD million, where there is one.
    pub usd_m: Option<f64>,
}

/// The projects of the diversified scenario.
pub const PROJECTS: [Project; 6] = [
    Project {
        name: "Reko Diq (phases 1 and 2)",
        ids: &["reko-diq-phase1", "reko-diq-phase2"],
        support: "EXIM loan of $1.25 bn (approved Dec 2025); DFC in the lender group",
        usd_m: Some(1250.0),
    },
    Project {
        name: "Goongarrie (Ardea)",
        ids: &["goongarrie-nickel", "goongarrie-cobalt"],
        support: "EXIM letter of interest up to $350 M (non-binding)",
        usd_m: Some(350.0),
    },
    Project {
        name: "NiWest (Alliance Nickel)",
        ids: &["niwest-nickel", "niwest-cobalt"],
        support: "none found",
        usd_m: None,
    },
    Project {
        name: "Kwinana cobalt refinery",
        ids: &["kwinana-cobalt-refinery"],
        support: "none found",
        usd_m: None,
    },
    Project {
        name: "Smackover SWA (Arkansas)",
        ids: &["arkansas-swa-lithium"],
        support: "DOE grant of $225 M; non-binding ECA interest > $1 bn incl. EXIM",
        usd_m: Some(225.0),
    },
    Project {
        name: "ExxonMobil Arkansas lithium",
        ids: &["exxonmobil-arkansas-lithium"],
        support: "none found",
        usd_m: None,
    },
];

/// Project Vault's EXIM loan, USD million.
pub const VAULT_LOAN_USD_M: f64 = 10_000.0;

/// A loaded scenario and its run.
pub struct Run {
    /// File name under scenarios/.
    pub file: &'static str,
    /// The scenario.
    pub scenario: Scenario,
    /// Its results.
    pub agg: Aggregate,
    /// Its summary.
    pub summary: Summary,
}

fn load(name: &str) -> Scenario {
    Scenario::load(Path::new("scenarios").join(name).as_path())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn run(file: &'static str, seed: u64) -> Run {
    eprintln!("running {file}");
    run_of(file, load(file), seed)
}

/// `from`'s scenario with every disruption switched off, run with the
/// same seed (every other draw as before).
fn run_quiet(from: &Run, seed: u64) -> Run {
    eprintln!("running {} without disruptions", from.file);
    run_of(from.file, without_disruptions(&from.scenario), seed)
}

fn run_of(file: &'static str, scenario: Scenario, seed: u64) -> Run {
    let agg = engine::simulate(&scenario, seed, TRIALS, None);
    let summary = Summary::new(&scenario, seed, &agg);
    Run {
        file,
        scenario,
        agg,
        summary,
    }
}

/// The paired change of the consumer's cost summed over minerals, `b - a`.
pub fn total_cost_change(a: &Aggregate, b: &Aggregate) -> Paired {
    assert_eq!(
        a.minerals.len(),
        b.minerals.len(),
        "runs of the same minerals"
    );
    let per_trial = |g: &Aggregate| -> Vec<f64> {
        let n = g.minerals[0].market_trials.len();
        (0..n)
            .map(|t| g.minerals.iter().map(|m| m.market_trials[t].0).sum())
            .collect()
    };
    paired(per_trial(a).into_iter(), per_trial(b).into_iter())
}

/// A project's own results: the diversified scenario without the others.
pub struct Alone {
    /// The project.
    pub project: &'static Project,
    /// Its run.
    pub agg: Aggregate,
}

fn main() {
    let seed = load("us-2026-baseline.toml").seed.unwrap_or(DEFAULT_SEED);
    let base = run("us-2026-baseline.toml", seed);
    let div = run("us-2026-diversified.toml", seed);
    let vault = run("us-2026-project-vault.toml", seed);
    let stress = run("us-2026-china-controls-stress.toml", seed);
    let (base0, div0) = (run_quiet(&base, seed), run_quiet(&div, seed));

    let all: Vec<&str> = PROJECTS
        .iter()
        .flat_map(|p| p.ids.iter().copied())
        .collect();
    let alone: Vec<Alone> = PROJECTS
        .iter()
        .map(|project| {
            eprintln!("running {} alone", project.name);
            let others: Vec<&str> = all
                .iter()
                .copied()
                .filter(|id| !project.ids.contains(id))
                .collect();
            let s = div.scenario.without_sources(&others);
            Alone {
                project,
                agg: engine::simulate(&s, seed, TRIALS, None),
            }
        })
        .collect();
    // The stress without its world-wide halt: what controls aimed at the
    // United States alone do.
    let ban = stress
        .scenario
        .event_index("cn-export-ban-world")
        .expect("the stress scenario's world-wide halt");
    // Every mineral kept (unlike the sensitivity analysis, which keeps
    // only those the event touches), so that totals over the four
    // minerals compare like with like.
    let mut aimed = stress.scenario.clone();
    aimed.events[ban].process.rate = 0.0;
    aimed.events[ban].process.initial = None;
    eprintln!("running the stress without its world-wide halt");
    let aimed = engine::simulate(&aimed, seed, TRIALS, None);
    eprintln!("sensitivity of the baseline");
    let sens = sensitivity(&base.scenario, seed, TRIALS, &base.agg, None);
    eprintln!("uncertainty design");
    let files = [
        ranges::File::load("us-2026-baseline.toml"),
        ranges::File::load("us-2026-diversified.toml"),
        ranges::File::load("us-2026-project-vault.toml"),
    ];
    let study = ranges::study(&files, SAMPLES, RANGE_TRIALS, seed);

    let out = Path::new("docs/case-study");
    std::fs::create_dir_all(out).expect("docs/case-study");
    for entry in std::fs::read_dir(out).expect("docs/case-study") {
        let p = entry.expect("entry").path();
        if p.extension().is_some_and(|e| e == "png") {
            std::fs::remove_file(&p).expect("old chart removed");
        }
    }
    let size = ChartSize::default();
    let footer = format!(
        "scenarios/us-2026-*.toml, {}, seed {seed}, {}",
        supplyrisk::output::count(TRIALS, "trial", "trials"),
        supplyrisk::partial::program()
    );
    let bd = compare(
        &base.scenario,
        &div.scenario,
        seed,
        &base.agg,
        &div.agg,
        false,
    );
    let context = supplyrisk::commands::chart_context(&base.scenario, &base.agg);
    let div_context = supplyrisk::commands::chart_context(&div.scenario, &div.agg);
    let mut charts = plot::compare_charts(
        &bd,
        &exceedance_curves(&base.agg),
        &exceedance_curves(&div.agg),
        (&context, &div_context),
        size,
        &footer,
    )
    .expect("charts");
    // Year by year: the diversified scenario's copper, and what Project
    // Vault changes on top of it.
    charts.retain(|c| {
        c.name != "risk_reduction.png"
            && (!c.name.starts_with("change_") || c.name == "change_copper.png")
    });
    let dv = compare(
        &div.scenario,
        &vault.scenario,
        seed,
        &div.agg,
        &vault.agg,
        false,
    );
    let vault_context = supplyrisk::commands::chart_context(&vault.scenario, &vault.agg);
    let vault_charts = plot::compare_charts(
        &dv,
        &exceedance_curves(&div.agg),
        &exceedance_curves(&vault.agg),
        (&div_context, &vault_context),
        size,
        &footer,
    )
    .expect("Project Vault charts");
    charts.extend(vault_charts.into_iter().filter_map(|mut c| {
        matches!(c.name.as_str(), "change_copper.png" | "change_nickel.png").then(|| {
            c.name = format!("vault_{}", c.name);
            c
        })
    }));
    let mut run_charts = plot::run_charts(
        &base.summary,
        &exceedance_curves(&base.agg),
        &context,
        size,
        &footer,
    )
    .expect("run charts");
    run_charts.retain(|c| c.name.starts_with("price_") || c.name == "cost_exceedance.png");
    charts.extend(run_charts);
    charts.extend(
        plot::sensitivity_charts(&sens, &base.scenario, size, &footer).expect("tornado charts"),
    );
    for c in &charts {
        write_atomic(&out.join(&c.name), &c.png).expect("chart written");
    }

    let (div_timing, vault_timing) = (
        supplyrisk::year_changes::timing_findings(&bd),
        supplyrisk::year_changes::timing_findings(&dv),
    );
    let runs = text::Runs {
        base: &base,
        div: &div,
        vault: &vault,
        stress: &stress,
        aimed: &aimed,
        base0: &base0,
        div0: &div0,
        timing: (&div_timing, &vault_timing),
    };
    let md = text::page(&runs, &alone, &sens, &study, seed);
    write_atomic(Path::new("docs/reko-diq-case-study.md"), md.as_bytes())
        .expect("case study written");
    println!(
        "wrote docs/reko-diq-case-study.md and {} charts in docs/case-study/",
        charts.len()
    );
}
