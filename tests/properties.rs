//! Properties of the model over small random scenarios (written as TOML
//! text, as a user would): more supply never makes any trial worse,
//! results do not depend on the number of threads or on the order of
//! sources in the file, and the records of any split of a run merge into
//! the whole run's results.

use proptest::prelude::*;
use supplyrisk::engine::{self, Options, Record};
use supplyrisk::output::json_bytes;
use supplyrisk::scenario::Scenario;
use supplyrisk::summary::Summary;

/// Run `f` on exactly `threads` threads.
fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[derive(Debug, Clone)]
enum Severity {
    Fixed(f64),
    Beta { mean: f64, sd: f64 },
    Uniform { min: f64, max: f64 },
}

#[derive(Debug, Clone)]
enum Duration {
    Fixed(f64),
    Lognormal { median: f64, p90: f64 },
}

#[derive(Debug, Clone)]
struct Disruption {
    rate: f64,
    severity: Severity,
    duration: Duration,
}

#[derive(Debug, Clone)]
struct Source {
    capacity: f64,
    access: f64,
    country: Option<u8>,
    disruption: Option<Disruption>,
    /// Exposure to the scenario's event, if it hits this source.
    exposure: Option<f64>,
}

#[derive(Debug, Clone)]
struct Stockpile {
    initial: f64,
    capacity: f64,
    release: f64,
    refill: f64,
}

#[derive(Debug, Clone)]
struct Mineral {
    base: f64,
    growth: f64,
    sigma: f64,
    threshold: f64,
    sources: Vec<Source>,
    stockpile: Option<Stockpile>,
}

#[derive(Debug, Clone)]
struct Gen {
    years: usize,
    steps: usize,
    minerals: Vec<Mineral>,
    event: Option<Disruption>,
}

fn severity() -> impl Strategy<Value = Severity> {
    prop_oneof![
        (0.0..=1.0).prop_map(Severity::Fixed),
        (0.05..0.95f64, 0.1..0.9f64).prop_map(|(mean, f)| Severity::Beta {
            mean,
            sd: f * (mean * (1.0 - mean)).sqrt(),
        }),
        (0.0..0.5f64, 0.01..0.5f64).prop_map(|(min, w)| Severity::Uniform { min, max: min + w }),
    ]
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (0.0..12.0).prop_map(Duration::Fixed),
        (0.5..6.0f64, 1.1..4.0f64).prop_map(|(median, r)| Duration::Lognormal {
            median,
            p90: median * r,
        }),
    ]
}

fn disruption() -> impl Strategy<Value = Disruption> {
    (0.0..3.0, severity(), duration()).prop_map(|(rate, severity, duration)| Disruption {
        rate,
        severity,
        duration,
    })
}

fn source() -> impl Strategy<Value = Source> {
    (
        0.0..100.0,
        prop_oneof![Just(1.0), 0.1..=1.0],
        proptest::option::of(0u8..3),
        proptest::option::of(disruption()),
        proptest::option::of(0.0..=1.0),
    )
        .prop_map(|(capacity, access, country, disruption, exposure)| Source {
            capacity,
            access,
            country,
            disruption,
            exposure,
        })
}

fn stockpile() -> impl Strategy<Value = Stockpile> {
    (0.0..=1.0, 0.0..50.0, 0.0..50.0, 0.0..20.0).prop_map(|(f, capacity, release, refill)| {
        Stockpile {
            initial: f * capacity,
            capacity,
            release,
            refill,
        }
    })
}

fn mineral() -> impl Strategy<Value = Mineral> {
    (
        1.0..150.0,
        -0.1..0.1,
        prop_oneof![Just(0.0), 0.0..0.3],
        0.0..0.3,
        proptest::collection::vec(source(), 1..=5),
        proptest::option::of(stockpile()),
    )
        .prop_map(
            |(base, growth, sigma, threshold, sources, stockpile)| Mineral {
                base,
                growth,
                sigma,
                threshold,
                sources,
                stockpile,
            },
        )
}

fn scenario_gen() -> impl Strategy<Value = Gen> {
    (
        1usize..=4,
        prop_oneof![Just(12usize), Just(4), Just(1), Just(52)],
        proptest::collection::vec(mineral(), 1..=3),
        proptest::option::of(disruption()),
    )
        .prop_map(|(years, steps, minerals, event)| Gen {
            years,
            steps,
            minerals,
            event,
        })
}

fn severity_toml(s: &Severity) -> String {
    match s {
        Severity::Fixed(x) => format!("{x:?}"),
        Severity::Beta { mean, sd } => {
            format!("{{ dist = \"beta\", mean = {mean:?}, sd = {sd:?} }}")
        }
        Severity::Uniform { min, max } => {
            format!("{{ dist = \"uniform\", min = {min:?}, max = {max:?} }}")
        }
    }
}

fn duration_toml(d: &Duration) -> String {
    match d {
        Duration::Fixed(x) => format!("{x:?}"),
        Duration::Lognormal { median, p90 } => {
            format!("{{ dist = \"lognormal\", median = {median:?}, p90 = {p90:?} }}")
        }
    }
}

fn process_fields(d: &Disruption) -> String {
    format!(
        "rate = {:?}, severity = {}, duration_months = {}",
        d.rate,
        severity_toml(&d.severity),
        duration_toml(&d.duration)
    )
}

impl Gen {
    /// Ids of every source, `(mineral, source)` in generation order.
    fn source_ids(&self) -> Vec<(usize, usize)> {
        self.minerals
            .iter()
            .enumerate()
            .flat_map(|(m, min)| (0..min.sources.len()).map(move |j| (m, j)))
            .collect()
    }

    /// The scenario as TOML, its sources in the order `order` (indexes
    /// into [`Gen::source_ids`]).
    fn toml_ordered(&self, order: &[usize]) -> String {
        let mut t = format!(
            "[scenario]\nname = \"prop\"\nstart_year = 2026\nyears = {}\nsteps_per_year = {}\n",
            self.years, self.steps
        );
        for (m, min) in self.minerals.iter().enumerate() {
            t += &format!(
                "\n[[mineral]]\nid = \"m{m}\"\nunit = \"kt\"\ndemand = {{ base = {:?}, growth = {:?}, sigma = {:?} }}\nshortfall_threshold = {:?}\n",
                min.base, min.growth, min.sigma, min.threshold
            );
        }
        let ids = self.source_ids();
        for &k in order {
            let (m, j) = ids[k];
            let s = &self.minerals[m].sources[j];
            t += &format!(
                "\n[[source]]\nid = \"m{m}s{j}\"\nmineral = \"m{m}\"\ncapacity = {:?}\naccess = {:?}\n",
                s.capacity, s.access
            );
            if let Some(c) = s.country {
                t += &format!("country = \"C{c}\"\n");
            }
            if let Some(d) = &s.disruption {
                t += &format!("disruption = {{ {} }}\n", process_fields(d));
            }
        }
        if let Some(e) = &self.event {
            let affects: Vec<String> = ids
                .iter()
                .filter_map(|&(m, j)| {
                    self.minerals[m].sources[j]
                        .exposure
                        .map(|x| format!("{{ source = \"m{m}s{j}\", exposure = {x:?} }}"))
                })
                .collect();
            if !affects.is_empty() {
                t += &format!(
                    "\n[[event]]\nid = \"ev\"\nrate = {:?}\nseverity = {}\nduration_months = {}\naffects = [ {} ]\n",
                    e.rate,
                    severity_toml(&e.severity),
                    duration_toml(&e.duration),
                    affects.join(", ")
                );
            }
        }
        for (m, min) in self.minerals.iter().enumerate() {
            if let Some(s) = &min.stockpile {
                t += &format!(
                    "\n[[stockpile]]\nmineral = \"m{m}\"\ninitial = {:?}\ncapacity = {:?}\nmax_release_per_year = {:?}\nrefill_per_year = {:?}\n",
                    s.initial, s.capacity, s.release, s.refill
                );
            }
        }
        t
    }

    fn toml(&self) -> String {
        self.toml_ordered(&(0..self.source_ids().len()).collect::<Vec<_>>())
    }

    fn scenario(&self) -> Scenario {
        let text = self.toml();
        Scenario::from_toml_str(&text, "prop.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
    }
}

/// A scenario, a seed and a number of trials (spanning one to five chunks).
fn case() -> impl Strategy<Value = (Gen, u64, u64)> {
    (scenario_gen(), any::<u64>(), 500u64..=5_000)
}

/// Every trial's horizon total unserved amount, per mineral.
fn totals(s: &Scenario, seed: u64, trials: u64) -> Vec<Vec<f64>> {
    on_threads(2, || engine::simulate(s, seed, trials, None))
        .minerals
        .into_iter()
        .map(|m| m.totals)
        .collect()
}

/// `more`'s totals are, trial by trial, at most `base`'s: exactly while
/// both count the mineral's supply in the same unit, and up to the last
/// bits (a relative 1e-12) when the added supply lifts the largest supply
/// across a power of two, which doubles the unit (see `engine::plan`).
fn never_worse(base: &[Vec<f64>], more: &[Vec<f64>]) -> Result<(), TestCaseError> {
    for (m, (b, x)) in base.iter().zip(more).enumerate() {
        prop_assert_eq!(b.len(), x.len());
        for (t, (b, x)) in b.iter().zip(x).enumerate() {
            prop_assert!(
                *x <= *b + 1e-12 * b.abs(),
                "mineral {}, trial {}: unserved {} > {} before",
                m,
                t,
                x,
                b
            );
        }
    }
    Ok(())
}

fn summary_bytes(s: &Scenario, seed: u64, trials: u64, threads: usize) -> Vec<u8> {
    let agg = on_threads(threads, || engine::simulate(s, seed, trials, None));
    json_bytes(&Summary::new(s, seed, &agg))
}

proptest! {
    // A fixed seed: the same cases on every run, so CI cannot fail by
    // chance; change it (or the cases) deliberately to explore others.
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: proptest::test_runner::RngSeed::Fixed(2026),
        // Cases that once failed are replayed first (from this file).
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(
                "tests/properties.proptest-regressions",
            ),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn adding_a_source_never_raises_any_trials_unserved_amount(
        (g, seed, trials) in case(),
        new in source(),
        pick in any::<prop::sample::Index>(),
    ) {
        let base = totals(&g.scenario(), seed, trials);
        let mut more = g.clone();
        let m = pick.index(more.minerals.len());
        // A source of its own (no exposure to the event: the event's own
        // draws must stay those of the base scenario).
        more.minerals[m].sources.push(Source { exposure: None, ..new });
        never_worse(&base, &totals(&more.scenario(), seed, trials))?;
    }

    #[test]
    fn more_capacity_never_raises_any_trials_unserved_amount(
        (g, seed, trials) in case(),
        pick in any::<prop::sample::Index>(),
        extra in 0.0..50.0,
    ) {
        let base = totals(&g.scenario(), seed, trials);
        let mut more = g.clone();
        let ids = more.source_ids();
        let (m, j) = ids[pick.index(ids.len())];
        more.minerals[m].sources[j].capacity += extra;
        never_worse(&base, &totals(&more.scenario(), seed, trials))?;
    }

    #[test]
    fn firm_supply_never_raises_any_trials_unserved_amount(
        (g, seed, trials) in case(),
        pick in any::<prop::sample::Index>(),
        firm in 0.0..100.0,
    ) {
        let s = g.scenario();
        let base = totals(&s, seed, trials);
        let mut more = s.clone();
        let m = pick.index(more.minerals.len());
        more.minerals[m].firm_supply = firm;
        never_worse(&base, &totals(&more, seed, trials))?;
    }

    #[test]
    fn results_do_not_depend_on_threads_or_the_order_of_sources(
        (g, seed, trials) in case(),
        shuffle in any::<u64>(),
    ) {
        let s = g.scenario();
        let one = summary_bytes(&s, seed, trials, 1);
        prop_assert_eq!(&one, &summary_bytes(&s, seed, trials, 3));
        // A permutation of the sources (Fisher-Yates driven by `shuffle`).
        let mut order: Vec<usize> = (0..g.source_ids().len()).collect();
        let mut r = shuffle;
        for i in (1..order.len()).rev() {
            r = r.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            order.swap(i, (r >> 33) as usize % (i + 1));
        }
        let text = g.toml_ordered(&order);
        let permuted = Scenario::from_toml_str(&text, "prop.toml").unwrap();
        prop_assert_eq!(
            String::from_utf8(one).unwrap(),
            String::from_utf8(summary_bytes(&permuted, seed, trials, 2)).unwrap(),
            "sources in the order {:?}", order
        );
    }

    #[test]
    fn the_records_of_any_split_merge_into_the_whole_run(
        (g, seed, trials) in case(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
        reverse in any::<bool>(),
    ) {
        let s = g.scenario();
        let opts = Options { keep_trials: false };
        let whole = json_bytes(&Summary::new(
            &s,
            seed,
            &on_threads(2, || engine::simulate_with(&s, seed, trials, None, opts)),
        ));
        let chunks = engine::chunk_count(trials);
        let mut bounds: Vec<u64> = cuts
            .iter()
            .map(|c| c.index(chunks as usize + 1) as u64)
            .chain([0, chunks])
            .collect();
        bounds.sort_unstable();
        bounds.dedup();
        let mut records: Vec<Record> = bounds
            .windows(2)
            .map(|w| on_threads(1, || engine::record(&s, seed, trials, w[0]..w[1], None, opts)))
            .collect();
        for r in &records {
            prop_assert!(r.check(&s, seed).is_ok());
        }
        if reverse {
            records.reverse();
        }
        let agg = Record::merge(records).unwrap().finish().unwrap();
        prop_assert_eq!(
            String::from_utf8(json_bytes(&Summary::new(&s, seed, &agg))).unwrap(),
            String::from_utf8(whole).unwrap(),
            "split at {:?}", bounds
        );
    }
}

#[test]
fn concentration_does_not_depend_on_the_order_of_sources() {
    // Found by the property above: sources without a country were summed
    // in file order, and 4548.445066996887 became 4548.445066996886.
    let text = |order: &[usize]| {
        let caps = [
            0.0,
            73.90235564588711,
            10.447889700764588,
            96.27244381543646,
        ];
        let mut t = String::from(
            "[scenario]\nname = \"hhi\"\nstart_year = 2026\nyears = 1\n\n[[mineral]]\nid = \"m\"\nunit = \"kt\"\ndemand = { base = 1.0 }\n",
        );
        for &i in order {
            t += &format!(
                "\n[[source]]\nid = \"s{i}\"\nmineral = \"m\"\ncapacity = {:?}\n",
                caps[i]
            );
        }
        Scenario::from_toml_str(&t, "hhi.toml").unwrap()
    };
    let (a, b) = (text(&[0, 1, 2, 3]), text(&[0, 3, 1, 2]));
    let hhi = supplyrisk::concentration::hhi;
    assert_eq!(hhi(&a, 0, false).to_bits(), hhi(&b, 0, false).to_bits());
    assert_eq!(
        a.max_annual_supply(0).to_bits(),
        b.max_annual_supply(0).to_bits()
    );
}
