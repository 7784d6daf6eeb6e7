"""The Python API against the command line: the same scenario, trials and
seed give the same files, byte for byte."""

import io
import json

import pandas as pd
import pytest
from conftest import read_csv_exact

import supplyrisk

SCENARIOS = [
    "scenarios/example.toml",
    "scenarios/example-market.toml",
    "scenarios/us-2026-baseline.toml",
]


@pytest.mark.parametrize("path", SCENARIOS)
def test_summary_json_is_the_clis_byte_for_byte(path, run_cli, tmp_path):
    run_cli("run", path, "--trials", 3000, "--seed", 11, "--out", tmp_path, "--quiet", "--no-plots")
    result = supplyrisk.load(path).run(trials=3000, seed=11)
    assert result.to_json().encode() == (tmp_path / "summary.json").read_bytes()
    # And the DataFrames hold the CSV files' numbers exactly.
    for frame, name, index in [
        (result.summary, "summary.csv", ["mineral"]),
        (result.years, "years.csv", ["mineral", "year"]),
    ]:
        cli = read_csv_exact(tmp_path / name).set_index(index)
        pd.testing.assert_frame_equal(frame, cli, check_exact=True)


def test_text_threads_and_defaults_change_nothing(run_cli, tmp_path):
    path = "scenarios/example.toml"
    # No --trials or --seed: the scenario's own, as on the command line.
    scenario = supplyrisk.load(path)
    trials = 2048
    run_cli("run", path, "--trials", trials, "--out", tmp_path, "--quiet", "--no-plots")
    expected = (tmp_path / "summary.json").read_bytes()
    from_text = supplyrisk.load(scenario.text, name="example.toml")
    for s, threads in [(scenario, None), (scenario, 1), (from_text, 2)]:
        assert s.run(trials=trials, threads=threads).to_json().encode() == expected


def test_summary_frame_has_every_metric_of_summary_json():
    result = supplyrisk.load("scenarios/example.toml").run(trials=2000, seed=1)
    data = result.to_dict()
    frame = result.summary
    assert list(frame.index) == list(data["minerals"])
    for mineral, metrics in data["minerals"].items():
        for key, value in metrics.items():
            if key == "years":
                continue
            assert frame.loc[mineral, key] == value, (mineral, key)
            if key + "_se" in metrics:
                assert frame.loc[mineral, key + "_se"] == metrics[key + "_se"]
    years = result.years
    assert len(years) == sum(len(m["years"]) for m in data["minerals"].values())


def test_shards_merge_into_the_plain_run(run_cli, tmp_path):
    scenario = supplyrisk.load("scenarios/example.toml")
    plain = scenario.run(trials=5000, seed=4)
    parts = [scenario.run(trials=5000, seed=4, shard=(k, 3)) for k in (3, 1, 2)]
    assert [p.shard for p in parts] == [3, 1, 2]
    merged = supplyrisk.merge(parts)
    assert merged.to_json() == plain.to_json()
    # A partial result is the file `run --shard` writes, and the command
    # line merges partial results Python saved.
    run_cli("run", "scenarios/example.toml", "--trials", 5000, "--seed", 4,
            "--shard", "2/3", "--out", tmp_path / "cli", "--quiet")
    assert (tmp_path / "cli" / "partial-2-of-3.srpart").read_bytes() == parts[2].data
    for p in parts:
        p.save(tmp_path / "py")
    run_cli("merge", tmp_path / "py", "--out", tmp_path / "merged", "--quiet", "--no-plots")
    assert (tmp_path / "merged" / "summary.json").read_text() == plain.to_json()
    # And Python merges the command line's files.
    files = sorted((tmp_path / "py").glob("*.srpart"))
    assert supplyrisk.merge(files).to_json() == plain.to_json()


def test_charts_are_the_clis(run_cli, tmp_path):
    path = "scenarios/example.toml"
    run_cli("run", path, "--trials", 2000, "--seed", 2, "--out", tmp_path,
            "--quiet", "--chart-size", "640x400")
    result = supplyrisk.load(path).run(trials=2000, seed=2)
    charts = result.charts(width=640, height=400)
    written = sorted(p.name for p in tmp_path.glob("*.png"))
    assert sorted(charts) == written
    for name, png in charts.items():
        assert png == (tmp_path / name).read_bytes(), name
    assert result._repr_png_().startswith(b"\x89PNG")
    assert "<html" in result.report_html()


def test_compare_is_the_clis(run_cli, tmp_path):
    a, b = "scenarios/example.toml", "scenarios/example-diversified.toml"
    run_cli("compare", a, b, "--trials", 2000, "--seed", 9, "--out", tmp_path, "--quiet", "--no-plots")
    frame = supplyrisk.compare(supplyrisk.load(a), supplyrisk.load(b), trials=2000, seed=9)
    assert frame.attrs["json"] == (tmp_path / "comparison.json").read_text()
    cli = read_csv_exact(tmp_path / "comparison.csv").set_index("mineral")
    pd.testing.assert_frame_equal(frame, cli, check_exact=True)
    years = supplyrisk.by_year(frame)
    cli_years = read_csv_exact(tmp_path / "comparison_years.csv").set_index(
        ["mineral", "year"]
    )
    pd.testing.assert_frame_equal(years, cli_years, check_exact=True)
    # Nickel and lithium are defined alike in both: no change in any year.
    assert (years.loc["nickel", "delta_eud"] == 0).all()
    assert len(years) == 4 * 10
    # The years of the minerals left in a selection.
    copper = supplyrisk.by_year(frame.loc[["copper"]])
    pd.testing.assert_frame_equal(copper, years.loc[["copper"]], check_exact=True)


def test_sensitivity_is_the_clis(run_cli, tmp_path):
    path = "scenarios/example.toml"
    run_cli("sensitivity", path, "--trials", 2000, "--seed", 9, "--out", tmp_path, "--quiet", "--no-plots")
    frame = supplyrisk.sensitivity(supplyrisk.load(path), trials=2000, seed=9)
    assert frame.attrs["json"] == (tmp_path / "sensitivity.json").read_text()
    cli = read_csv_exact(tmp_path / "sensitivity.csv")
    pd.testing.assert_frame_equal(frame, cli, check_exact=True)


def test_sweep_is_the_clis_and_with_values_is_a_point(run_cli, tmp_path):
    path, param = "scenarios/example.toml", "source.chile-copper.access"
    run_cli("sweep", path, "--param", param, "--values", "0.3,0.65", "--trials", 2000,
            "--seed", 9, "--out", tmp_path, "--quiet", "--no-plots")
    scenario = supplyrisk.load(path)
    frame = supplyrisk.sweep(scenario, param, [0.3, 0.65], trials=2000, seed=9)
    assert frame.attrs["json"] == (tmp_path / "sweep.json").read_text()
    cli = read_csv_exact(tmp_path / "sweep.csv")
    pd.testing.assert_frame_equal(frame, cli, check_exact=True)
    # A point of the sweep is a plain run of the scenario with that value.
    point = json.loads(frame.attrs["json"])["points"][1]
    summary = scenario.with_values({param: 0.65}).run(trials=2000, seed=9).to_dict()
    for mineral, metrics in point["minerals"].items():
        for key in ("eud_total", "p_any_shortfall", "cvar95"):
            assert metrics[key] == summary["minerals"][mineral][key]


def test_uncertainty_is_the_clis(run_cli, tmp_path):
    path = "scenarios/example-uncertainty.toml"
    run_cli("uncertainty", path, "--samples", 4, "--trials", 1024, "--seed", 3,
            "--out", tmp_path, "--quiet", "--no-plots")
    frame = supplyrisk.uncertainty(supplyrisk.load(path), samples=4, trials=1024, seed=3)
    assert frame.attrs["json"] == (tmp_path / "uncertainty.json").read_text()
    data = json.loads(frame.attrs["json"])
    params = [p["param"] for p in data["parameters"]]
    for (mineral, metric), rows in frame.groupby(["mineral", "metric"], sort=False):
        result = data["minerals"][mineral][metric]
        assert sorted(rows["param"]) == sorted(params)
        assert list(rows["param"]) == [s["param"] for s in result["sobol"]]
        assert (rows["mean"] == result["mean"]).all()
        assert list(rows["total"]) == [s["total"] for s in result["sobol"]]
    cli = read_csv_exact(tmp_path / "uncertainty_runs.csv")
    pd.testing.assert_frame_equal(frame.attrs["runs"], cli, check_exact=True)
    # The frame is the command's uncertainty.csv, which is its JSON.
    table = read_csv_exact(tmp_path / "uncertainty.csv")
    pd.testing.assert_frame_equal(frame, table, check_exact=True)
    for (mineral, metric), rows in frame.groupby(["mineral", "metric"], sort=False):
        result = data["minerals"][mineral][metric]
        for key in ["first", "first_lo", "first_hi", "total_lo", "total_hi"]:
            assert list(rows[key]) == [s[key] for s in result["sobol"]], key
        for key in ["p5", "p50", "p95"]:
            assert (rows[key] == result[key]).all(), key
        noise = result.get("noise_share")
        assert rows["noise_share"].isna().all() if noise is None else (rows["noise_share"] == noise).all()


def test_study_charts_come_back_as_png(tmp_path):
    s = supplyrisk.load("scenarios/example.toml")
    frame = supplyrisk.sensitivity(s, trials=1024, seed=1, charts=True, chart_size=(480, 320))
    pngs = [n for n in frame.attrs["files"] if n.endswith(".png")]
    assert pngs and all(frame.attrs["files"][n].startswith(b"\x89PNG") for n in pngs)


def test_a_sweep_of_a_parameter_the_file_does_not_give_starts_with_the_scenario_as_written():
    # us-copper's access is left to its default in the example.
    path, param = "scenarios/example.toml", "source.us-copper.access"
    scenario = supplyrisk.load(path)
    frame = supplyrisk.sweep(scenario, param, [0.5], trials=1000, seed=4)
    written = frame[frame["as_written"]]
    assert written["value"].isna().all()
    assert list(frame.index[: len(written)]) == list(written.index)
    assert json.loads(frame.attrs["json"])["as_written"]["value"] is None
    summary = scenario.run(trials=1000, seed=4).to_dict()
    for _, row in written.iterrows():
        assert row["eud_total"] == summary["minerals"][row["mineral"]]["eud_total"]
        assert row["delta_eud_total"] == 0.0


def test_a_market_change_in_cost_splits_into_price_level_and_disruption_risk():
    a, b = "scenarios/us-2026-baseline.toml", "scenarios/us-2026-diversified.toml"
    frame = supplyrisk.compare(supplyrisk.load(a), supplyrisk.load(b), trials=1000, seed=3)
    whole = frame["delta_cost_total"]
    parts = frame["cost_price_level"] + frame["cost_disruption_risk"]
    assert ((parts - whole).abs() <= 1e-9 * whole.abs()).all()
    # New supply lowers the world price of every mineral it adds to.
    assert (frame["cost_price_level"] < 0).all()
    assert (frame["cost_price_level_se"] > 0).all()
