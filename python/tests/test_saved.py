"""A result saved (pickled, or as a one-slice partial result) comes back
as the same run, byte for byte; per-trial results are the command line's
``--per-trial`` file."""

import pickle

import pytest

import supplyrisk

from conftest import read_csv_exact


@pytest.mark.parametrize(
    "path, trials",
    [
        ("scenarios/example.toml", 3000),
        # Above the size at which a run sketches its distributions.
        ("scenarios/example-market.toml", 140_000),
    ],
)
def test_a_pickled_result_is_the_same_run(path, trials):
    r = supplyrisk.load(path).run(trials=trials, seed=11)
    back = pickle.loads(pickle.dumps(r))
    assert back.to_json() == r.to_json()
    assert back.files(charts=True, width=480, height=320) == r.files(charts=True, width=480, height=320)
    assert (back.trials, back.seed, back.source) == (r.trials, r.seed, r.source)
    assert back.summary.equals(r.summary)


def test_a_result_saved_as_one_slice_is_merged_by_the_cli(run_cli, tmp_path):
    r = supplyrisk.load("scenarios/example.toml").run(trials=2000, seed=4)
    part = r.to_partial()
    assert (part.shard, part.shards, part.trials, part.seed) == (1, 1, 2000, 4)
    path = part.save(tmp_path / "saved")
    run_cli("merge", path, "--out", tmp_path / "merged", "--quiet")
    run_cli("run", "scenarios/example.toml", "--trials", 2000, "--seed", 4, "--quiet", "--out", tmp_path / "plain")
    for name in ["summary.json", "years.csv", "report.html", "shortfall_probability.png"]:
        assert (tmp_path / "merged" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name


def test_per_trial_is_the_clis_file_and_survives_a_pickle(run_cli, tmp_path):
    path = "scenarios/example-market.toml"
    r = supplyrisk.load(path).run(trials=1500, seed=9, per_trial=True)
    csv = tmp_path / "trials.csv"
    run_cli("run", path, "--trials", 1500, "--seed", 9, "--quiet", "--no-plots", "--out", tmp_path / "out", "--per-trial", csv)
    cli = read_csv_exact(csv).set_index("trial")
    frame = r.per_trial
    assert list(frame.columns) == list(cli.columns)
    assert frame.equals(cli)
    # Keeping the trials changes no other output.
    assert r.to_json() == supplyrisk.load(path).run(trials=1500, seed=9).to_json()
    back = pickle.loads(pickle.dumps(r))
    assert back.per_trial.equals(frame)
    # The horizon totals' mean is the summary's expected unserved amount.
    mean = frame.mean()
    for mineral, row in r.summary.iterrows():
        assert mean[mineral] == pytest.approx(row["eud_total"], rel=1e-11, abs=1e-12)


def test_per_trial_of_a_run_without_it_says_how_to_get_it():
    r = supplyrisk.load("scenarios/example.toml").run(trials=1000)
    with pytest.raises(ValueError, match=r"run\(per_trial=True\)"):
        r.per_trial
    with pytest.raises(ValueError, match="per_trial"):
        supplyrisk.load("scenarios/example.toml").run(trials=1000, shard=(1, 2), per_trial=True)
