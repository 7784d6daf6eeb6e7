//! Any bytes read as a partial result file (what `merge` reads from disk)
//! are either a partial result or an error, never a panic, and so is its
//! body when decoded; a run's record
//! that passes its checks merges and, when it holds the whole run, finishes
//! into a summary without a panic; a study's slice goes through the checks
//! of a set without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use supplyrisk::engine::{chunk_count, Record};
use supplyrisk::partial::{self, Body, Header, Partial, MAGIC};
use supplyrisk::scenario::Scenario;
use supplyrisk::summary::Summary;

fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a one-thread pool")
    })
}

/// What merge does with a partial result it has read.
fn use_partial(p: Partial) {
    let Ok(scenario) = Scenario::from_toml_str(&p.header.scenario_text, "fuzz.toml") else {
        return;
    };
    let seed = p.header.seed;
    let Ok(body) = p.body() else {
        return;
    };
    let Body::Run(record) = body else {
        let _ = partial::check_set(&[("fuzz.srpart".into(), p)]);
        return;
    };
    if record.check(&scenario, seed).is_err() {
        return;
    }
    let whole = record.chunks == (0..chunk_count(record.trials));
    let Ok(merged) = Record::merge(vec![record]) else {
        return;
    };
    if !whole {
        assert!(merged.finish().is_err(), "a part of a run finished");
        return;
    }
    let agg = merged
        .finish()
        .expect("a checked record of a whole run finishes");
    let summary = pool().install(|| Summary::new(&scenario, seed, &agg));
    serde_json::to_vec(&summary).expect("the summary serialises");
}

/// The same file with its header's body length and checksum made to fit
/// its header and body, so that mutated bodies get past the checksum to
/// the decoder and the record's checks (random changes almost never keep a CRC-32).
fn refit(data: &[u8]) -> Option<Vec<u8>> {
    let rest = data.strip_prefix(MAGIC.as_bytes())?;
    let end = rest.iter().position(|&b| b == b'\n')?;
    let mut header: Header = serde_json::from_slice(&rest[..end]).ok()?;
    let body = &rest[end + 1..];
    header.body_bytes = body.len() as u64;
    header.crc32 = partial::checksum(&header, body);
    let mut out = MAGIC.as_bytes().to_vec();
    out.extend(serde_json::to_vec(&header).ok()?);
    out.push(b'\n');
    out.extend(body);
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = partial::from_bytes(data, "fuzz.srpart") {
        use_partial(p);
    }
    if let Some(fixed) = refit(data) {
        let p = partial::from_bytes(&fixed, "fuzz.srpart")
            .err()
            .map(|e| e.to_string())
            .filter(|e| {
                e.contains("does not match its checksum") || e.contains("expected a body of")
            });
        assert!(
            p.is_none(),
            "a refitted file is refused for its framing: {p:?}"
        );
        if let Ok(p) = partial::from_bytes(&fixed, "fuzz.srpart") {
            use_partial(p);
        }
    }
});
