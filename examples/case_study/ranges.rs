//! The case study's answers under parameter uncertainty: one Saltelli
//! design over the uncertain parameters of the three nested scenarios
//! (baseline ⊂ diversified ⊂ Project Vault), each parameter set applied to
//! every scenario that has the parameter, the three run with the same seed
//! and trials, and the paired changes between them treated as the
//! metrics whose spread and Sobol indices are reported.

use supplyrisk::compare::market_deltas;
use supplyrisk::engine;
use supplyrisk::scenario::uncertain::Study;
use supplyrisk::scenario::validate::parse_study;
use supplyrisk::uncertainty::{design_with, sobol, spread, Indices, Outputs, Spread};

/// A scenario file with its uncertain parameters.
pub struct File {
    /// Its path, for messages.
    pub name: String,
    /// Its text.
    pub text: String,
    /// Its `[[uncertain]]` tables.
    pub study: Study,
}

impl File {
    /// Reads and parses `scenarios/<name>`.
    pub fn load(name: &str) -> File {
        let path = format!("scenarios/{name}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let (_, study) = parse_study(&text, &path).unwrap_or_else(|e| panic!("{e}"));
        File {
            name: path,
            text,
            study,
        }
    }
}

/// What is measured in each parameter set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The baseline's expected consumer cost (USD million).
    BaselineCost,
    /// The baseline's probability of a price-spike year.
    BaselineSpike,
    /// Diversified minus baseline, expected cost (USD million).
    SourcesCost,
    /// Diversified minus baseline, probability of a price-spike year.
    SourcesSpike,
    /// Project Vault minus diversified, expected cost (USD million).
    VaultCost,
    /// Project Vault minus diversified, probability of a price-spike year.
    VaultSpike,
}

/// Every answer, in table order.
pub const ANSWERS: [Answer; 6] = [
    Answer::BaselineCost,
    Answer::BaselineSpike,
    Answer::SourcesCost,
    Answer::SourcesSpike,
    Answer::VaultCost,
    Answer::VaultSpike,
];

/// One mineral's answer across parameter sets.
pub struct Range {
    /// Mineral id.
    pub mineral: String,
    /// Which answer.
    pub answer: Answer,
    /// Spread over the 2N runs of A and B.
    pub spread: Spread,
    /// Sobol indices by parameter, largest total first.
    pub sobol: Vec<(String, Indices)>,
}

/// The study: parameters (the union, in the last file's order) and ranges.
pub struct Study3 {
    /// Uncertain parameters.
    pub params: Vec<String>,
    /// One range per mineral and answer.
    pub ranges: Vec<Range>,
}

/// Runs the design with `samples` base sets over `files` = [baseline,
/// diversified, vault]; the last file's parameters must include the
/// others'.
pub fn study(files: &[File; 3], samples: usize, trials: u64, seed: u64) -> Study3 {
    let union = &files[2].study.params;
    let names: Vec<String> = union.iter().map(|u| u.param.clone()).collect();
    let pick: Vec<Vec<usize>> = files
        .iter()
        .map(|f| {
            f.study
                .params
                .iter()
                .map(|u| {
                    names
                        .iter()
                        .position(|n| *n == u.param)
                        .unwrap_or_else(|| panic!("{}: {} not in the union", f.name, u.param))
                })
                .collect()
        })
        .collect();
    let plan = design_with(union.len(), samples, seed, |j, u| union[j].value_at(u));
    let mut minerals: Vec<String> = Vec::new();
    // values[run][mineral * ANSWERS.len() + answer]
    let mut values: Vec<Vec<f64>> = Vec::with_capacity(plan.runs.len());
    for (n, (_, _, x)) in plan.runs.iter().enumerate() {
        if n % 64 == 0 {
            eprintln!("  parameter set {} of {}", n + 1, plan.runs.len());
        }
        let aggs: Vec<_> = files
            .iter()
            .zip(&pick)
            .map(|(f, p)| {
                let v: Vec<f64> = p.iter().map(|&i| x[i]).collect();
                let s = f
                    .study
                    .scenario(&v, &f.text, &f.name)
                    .unwrap_or_else(|e| panic!("{e}"));
                if minerals.is_empty() {
                    minerals = s.minerals.iter().map(|m| m.id.clone()).collect();
                }
                engine::simulate(&s, seed, trials, None)
            })
            .collect();
        let mut row = Vec::new();
        for m in 0..minerals.len() {
            let base = &aggs[0].minerals[m];
            let (div, vault) = (&aggs[1].minerals[m], &aggs[2].minerals[m]);
            let (sc, ss) = market_deltas(base, div).expect("market minerals");
            let (vc, vs) = market_deltas(div, vault).expect("market minerals");
            let market = base.tally.market.as_ref().expect("market");
            let base_spike = market.spike_count as f64 / trials as f64;
            row.extend([
                market.cost_total.mean,
                base_spike,
                sc.delta,
                ss.delta,
                vc.delta,
                vs.delta,
            ]);
        }
        values.push(row);
    }
    let n = samples;
    let k = names.len();
    let mut ranges = Vec::new();
    for (m, id) in minerals.iter().enumerate() {
        for (j, &answer) in ANSWERS.iter().enumerate() {
            let col = |r: usize| values[r][m * ANSWERS.len() + j];
            let o = Outputs::from_runs(n, k, col);
            let both: Vec<f64> = o.a.iter().chain(&o.b).copied().collect();
            let mut s: Vec<(String, Indices)> =
                names.iter().cloned().zip(sobol(&o, seed)).collect();
            s.sort_by(|a, b| {
                let t = |x: &Indices| x.total.unwrap_or(0.0);
                t(&b.1).total_cmp(&t(&a.1))
            });
            ranges.push(Range {
                mineral: id.clone(),
                answer,
                spread: spread(&both),
                sobol: s,
            });
        }
    }
    Study3 {
        params: names,
        ranges,
    }
}
