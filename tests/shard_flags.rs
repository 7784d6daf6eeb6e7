//! What `run --shard K/N` checks and says before and after it simulates:
//! flags out of range, and a shard whose slice holds no trial.

use crate::util::{example_path, run_in, stderr};

#[test]
fn shard_flags_out_of_range_are_refused_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let example = example_path();
    for (shard, trials, expect) in [
        ("0/3", "5000", "1 <= K <= N"),
        ("4/3", "5000", "1 <= K <= N"),
        ("x/3", "5000", "K/N"),
        ("1/1048577", "5000", "at most 1048576 shards"),
    ] {
        let o = run_in(
            d,
            &[
                "run",
                example.to_str().unwrap(),
                "--trials",
                trials,
                "--shard",
                shard,
                "--out",
                "s",
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{shard}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{shard}: {}", stderr(&o));
        assert!(!d.join("s").exists());
    }
}

#[test]
fn a_shard_without_trials_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let example = example_path();
    let shard = |k_of_n: &str, more: &[&str]| {
        let mut args = vec![
            "run",
            example.to_str().unwrap(),
            "--trials",
            "1000",
            "--shard",
            k_of_n,
            "--out",
            "s",
        ];
        args.extend(more);
        run_in(dir.path(), &args)
    };
    let (empty, full) = (shard("1/2", &[]), shard("2/2", &[]));
    assert_eq!(empty.status.code(), Some(0), "{}", stderr(&empty));
    assert!(
        stderr(&empty).contains("warning: shard 1/2 runs no trial: the run's 1,000 trials make 1 chunk of 1,024, fewer than its 2 shards"),
        "{}",
        stderr(&empty)
    );
    assert_eq!(full.status.code(), Some(0), "{}", stderr(&full));
    assert!(!stderr(&full).contains("warning"), "{}", stderr(&full));
    // Trials are counted from 1 in what a shard says it ran.
    assert!(
        crate::util::stdout(&empty).contains("shard 1/2: no trials of 1000"),
        "{}",
        crate::util::stdout(&empty)
    );
    assert!(
        crate::util::stdout(&full).contains("shard 2/2: trials 1 to 1000 of 1000"),
        "{}",
        crate::util::stdout(&full)
    );
    // A chart size, which a shard cannot use, is named.
    let sized = shard("2/2", &["--chart-size", "800x600"]);
    assert_eq!(sized.status.code(), Some(0), "{}", stderr(&sized));
    assert!(
        stderr(&sized).contains("warning: --chart-size has no effect on a shard"),
        "{}",
        stderr(&sized)
    );
}

#[test]
fn a_shard_folder_ending_in_a_dot_names_the_folder_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let example = example_path();
    let args = |out| {
        [
            "run",
            example.to_str().unwrap(),
            "--trials",
            "3000",
            "--shard",
            "1/2",
            "--out",
            out,
            "--quiet",
        ]
    };
    for out in ["s/.", "s/./"] {
        let o = run_in(d, &args(out));
        assert_eq!(o.status.code(), Some(0), "{out}: {}", stderr(&o));
        assert!(d.join("s/partial-1-of-2.srpart").exists());
    }
}
