//! Notices about a valid scenario (a mineral short of demand at full
//! output, an event that can change nothing): warnings, not errors, from
//! every command that runs the scenario.

use crate::util::{run_in, stderr};

/// A scenario whose one mineral falls short of demand at full output,
/// with an uncertain value (for `uncertainty`).
const GAP: &str = "[scenario]\nname = \"gap\"\nstart_year = 2026\nyears = 3\n\n[[mineral]]\nid = \"cu\"\nunit = \"kt\"\ndemand = { base = 100.0 }\n\n[[source]]\nid = \"a\"\nmineral = \"cu\"\ncapacity = 200.0\naccess = 0.4\ndisruption = { rate = 0.5, severity = 0.5, duration_months = 3.0 }\n\n[[uncertain]]\nparam = \"source.a.disruption.rate\"\ndist = { dist = \"uniform\", min = 0.2, max = 0.8 }\n";

/// The notice `GAP` gets, without its file name or prefix.
const NOTICE: &str = "cu: all of its sources at full output, projects included, fall short of mean demand by more than its shortfall threshold (80 against 100 kt a year in 2026), in every year";

#[test]
fn a_mineral_short_of_demand_at_full_output_gets_a_warning_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[scenario]\nname = \"gap\"\nstart_year = 2026\nyears = 3\n\n[[mineral]]\nid = \"cu\"\nunit = \"kt\"\ndemand = { base = 100.0 }\n\n[[source]]\nid = \"a\"\nmineral = \"cu\"\ncapacity = 200.0\naccess = 0.4\n";
    std::fs::write(dir.path().join("gap.toml"), text).unwrap();
    let o = run_in(dir.path(), &["validate", "gap.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let warned = "warning: gap.toml: cu: all of its sources at full output, projects included, fall short of mean demand by more than its shortfall threshold (80 against 100 kt a year in 2026), in every year";
    assert!(stderr(&o).contains(warned), "{}", stderr(&o));
    let run = [
        "run",
        "gap.toml",
        "--trials",
        "100",
        "--no-plots",
        "--out",
        "o",
    ];
    let o = run_in(dir.path(), &run);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: cu: all of its sources"),
        "{}",
        stderr(&o)
    );
    let quiet_run = [&run[..], &["--quiet"]].concat();
    for args in [&["validate", "gap.toml", "--quiet"][..], &quiet_run] {
        let o = run_in(dir.path(), args);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(stderr(&o), "", "{args:?}");
    }
}

#[test]
fn every_command_that_runs_a_scenario_warns_of_its_notices_unless_quiet() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gap.toml"), GAP).unwrap();
    // An alternative with the gap closed, so that only the baseline's
    // notice is named, after its file.
    let closed = GAP.replace("access = 0.4", "access = 0.9");
    std::fs::write(dir.path().join("closed.toml"), closed).unwrap();
    let few = ["--trials", "200", "--no-plots"];
    let commands: [(&[&str], String); 5] = [
        (&["sensitivity", "gap.toml"], format!("warning: {NOTICE}")),
        (
            &[
                "sweep",
                "gap.toml",
                "--param",
                "source.a.access",
                "--values",
                "0.3,0.5",
            ],
            format!("warning: the scenario as written: {NOTICE}"),
        ),
        (
            &["compare", "gap.toml", "closed.toml"],
            format!("warning: gap.toml: {NOTICE}"),
        ),
        (
            &["uncertainty", "gap.toml", "--samples", "4"],
            format!("warning: the scenario as written: {NOTICE}"),
        ),
        (&["run", "gap.toml", "--shard", "1/2"], String::new()),
    ];
    for (i, (args, warned)) in commands.iter().enumerate() {
        let out = format!("o{i}");
        let all = [args, &few[..], &["--out", &out]].concat();
        let o = run_in(dir.path(), &all);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        if warned.is_empty() {
            // A shard leaves the warnings to the merge.
            assert!(!stderr(&o).contains(NOTICE), "{args:?}: {}", stderr(&o));
        } else {
            assert!(
                stderr(&o).contains(warned.as_str()),
                "{args:?}: {}",
                stderr(&o)
            );
            assert_eq!(stderr(&o).matches(NOTICE).count(), 1, "{}", stderr(&o));
        }
        let q = format!("q{i}");
        let quiet = [args, &few[..], &["--quiet", "--out", &q]].concat();
        let o = run_in(dir.path(), &quiet);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert_eq!(stderr(&o), "", "{args:?}");
    }
    // The merge of a run's shards warns as the run in one piece does.
    let shard = ["run", "gap.toml", "--shard", "2/2", "--out", "o4"];
    let o = run_in(dir.path(), &[&shard[..], &few[..]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_in(dir.path(), &["merge", "o4", "--no-plots", "--out", "m"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let whole = run_in(
        dir.path(),
        &[&["run", "gap.toml", "--out", "w"][..], &few[..]].concat(),
    );
    let warnings = |o: &std::process::Output| -> Vec<String> {
        let err = stderr(o);
        err.lines()
            .filter(|l| l.starts_with("warning: "))
            .map(String::from)
            .collect()
    };
    assert!(
        warnings(&o)
            .iter()
            .any(|w| w.starts_with(&format!("warning: {NOTICE}"))),
        "{}",
        stderr(&o)
    );
    assert_eq!(warnings(&o), warnings(&whole));
}
