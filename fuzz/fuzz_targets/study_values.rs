//! Uncertain parameters of `fuzz/study_base.toml` with any distribution
//! and any numbers: the input picks up to six parameters (from every kind
//! the base scenario has), a distribution for each and its numbers (any
//! `f64`, edge values, NaN and infinities included, or plausible
//! fractions, small numbers and whole numbers), written as `[[uncertain]]`
//! tables. Unlike the `study` target, whose byte mutations
//! mostly break the TOML, almost every input here is a well-formed file,
//! so the checks of the distributions' numbers, the inverse CDFs of the
//! design, the checks of each drawn set and the study itself are reached
//! every time. Must hold: no panic and no hang; a study that runs
//! serialises with every number finite.
#![no_main]

#[path = "common/study.rs"]
mod study;

use libfuzzer_sys::fuzz_target;

/// Base sets: small, but enough design points to reach into the
/// distributions' tails.
const SAMPLES: usize = 4;
/// Parameters per input, at most.
const MAX_PARAMS: usize = 6;

/// Parameters of the base scenario, of every kind.
const PARAMS: [&str; 24] = [
    "source.ni-existing.capacity",
    "stockpile.cu.capacity",
    "source.cu-ref-fi.offtake",
    "source.ni-existing.disruption.rate",
    "source.ni-existing.disruption.severity.max",
    "source.ni-existing.disruption.initial.severity",
    "source.ni-other.project.success_probability",
    "source.ni-other.project.loading",
    "project.goongarrie.online_year",
    "project.goongarrie.success_probability",
    "project.goongarrie.delay_months.max",
    "project.goongarrie-2.ramp_years",
    "event.export-quota.rate",
    "event.cu-ban.severity.mode",
    "event.cu-unrest.duration_months",
    "event.export-quota.initial.months",
    "event.cu-unrest.affects.cu-ref-fi.exposure",
    "mineral.ni.demand.growth",
    "mineral.ni.demand.loading",
    "mineral.co.shortfall_threshold",
    "market.cu.demand_elasticity",
    "market.cu.reference_price",
    "stockpile.cu.release_price",
    "stockpile.co.initial",
];

/// A number from the input: its `u64`'s bits as an `f64` (edge values,
/// NaN and infinities included), or, so that plausible values come often,
/// a fraction in [0, 1], a signed number of thousandths in [-32.8, 32.8],
/// a whole number in [0, 65535] (years, capacities) or a power of ten from
/// 1 down to 10^-12 (narrow spreads, tiny means).
fn number((how, bits): (u8, u64)) -> f64 {
    match how % 5 {
        0 => f64::from_bits(bits),
        1 => f64::from(bits as u16) / f64::from(u16::MAX),
        2 => f64::from(bits as i16) / 1000.0,
        3 => f64::from(bits as u16),
        _ => 10f64.powi(-((bits % 13) as i32)),
    }
}

/// A number as TOML writes it.
fn toml_num(x: f64) -> String {
    if x.is_nan() {
        "nan".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        format!("{x:?}")
    }
}

/// The `dist = …` value for distribution `kind` with numbers `a`, `b`, `c`
/// (as many as it takes).
fn dist(kind: u8, [a, b, c]: [f64; 3]) -> String {
    let [a, b, c] = [a, b, c].map(toml_num);
    match kind % 7 {
        0 => a,
        1 => format!("{{ dist = \"uniform\", min = {a}, max = {b} }}"),
        2 => format!("{{ dist = \"triangular\", min = {a}, mode = {b}, max = {c} }}"),
        3 => format!("{{ dist = \"pert\", min = {a}, mode = {b}, max = {c} }}"),
        4 => format!("{{ dist = \"beta\", mean = {a}, sd = {b} }}"),
        5 => format!("{{ dist = \"lognormal\", median = {a}, p90 = {b} }}"),
        _ => format!("{{ dist = \"exponential\", mean = {a} }}"),
    }
}

/// One parameter: which, its distribution, its numbers.
type Param = (u8, u8, [(u8, u64); 3]);

fuzz_target!(|params: Vec<Param>| {
    if params.is_empty() || params.len() > MAX_PARAMS {
        return;
    }
    let mut text = study::BASE.to_string();
    for &(p, kind, numbers) in &params {
        let param = PARAMS[usize::from(p) % PARAMS.len()];
        text.push_str(&format!(
            "\n[[uncertain]]\nparam = \"{param}\"\ndist = {}\n",
            dist(kind, numbers.map(number))
        ));
    }
    study::run(text, SAMPLES);
});
