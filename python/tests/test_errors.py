"""Bad input raises ScenarioError with the command line's error text."""

import pickle
import warnings

import pytest

import supplyrisk

BAD = """[scenario]
name = "bad"
start_year = 2026
years = 3

[[mineral]]
id = "cobalt"
unit = "kt"
demand = { base = 10.0 }

[[source]]
id = "drc"
mineral = "cobalt"
capacity = -4.0
"""


def cli_error(proc):
    assert proc.returncode == 2, proc.stderr
    return "\n".join(line.removeprefix("error: ") for line in proc.stderr.splitlines())


def test_bad_scenario_file(run_cli, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD)
    expected = cli_error(run_cli("run", path, "--out", tmp_path / "out", check=False))
    with pytest.raises(supplyrisk.ScenarioError) as caught:
        supplyrisk.load(path)
    e = caught.value
    assert str(e) == expected
    assert isinstance(e, ValueError)
    assert (e.file, e.line, e.key) == (str(path), 14, "source[0].capacity")
    assert "found -4" in e.message
    assert e.errors[0]["text"] == expected
    # From text, the same message under the name given.
    with pytest.raises(supplyrisk.ScenarioError) as caught:
        supplyrisk.load(BAD, name=str(path))
    assert str(caught.value) == expected
    # From the file under another name: the name labels its problems.
    with pytest.raises(supplyrisk.ScenarioError) as caught:
        supplyrisk.load(path, name="mine.toml")
    assert caught.value.file == "mine.toml"
    assert str(caught.value) == expected.replace(str(path), "mine.toml")
    # It pickles with its parts (it may be raised on a Dask worker).
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is supplyrisk.ScenarioError and again.key == e.key


def test_missing_file(run_cli):
    expected = cli_error(run_cli("run", "no/such.toml", check=False))
    with pytest.raises(supplyrisk.ScenarioError) as caught:
        supplyrisk.load("no/such.toml")
    assert str(caught.value) == expected


@pytest.mark.parametrize(
    "flags, call",
    [
        (["--trials", "0"], lambda s: s.run(trials=0)),
        (["--threads", "0"], lambda s: s.run(trials=1000, threads=0)),
        (
            ["--trials", "2000", "--shard", "1/2000000"],
            lambda s: s.run(trials=2000, shard=(1, 2000000)),
        ),
    ],
)
def test_bad_arguments(flags, call, run_cli, tmp_path):
    # The command line's message, about the call's argument instead of
    # its flag.
    path = "scenarios/example.toml"
    expected = cli_error(run_cli("run", path, *flags, "--out", tmp_path / "o", check=False))
    flag = flags[-2]
    assert expected.startswith(f"command line: {flag}: expected ")
    argument = flag.removeprefix("--")
    expected = expected.replace(f"command line: {flag}: ", f"arguments: {argument}: ", 1)
    with pytest.raises(supplyrisk.ScenarioError) as caught:
        call(supplyrisk.load(path))
    assert str(caught.value) == expected
    assert (caught.value.file, caught.value.key) == ("arguments", argument)


@pytest.mark.parametrize(
    "argument, call, expected",
    [
        ("trials", lambda s: s.run(trials=-1), "an integer from 1 to 1000000000, found -1"),
        ("seed", lambda s: s.run(trials=1000, seed=-5), "an integer from 0 to 18446744073709551615, found -5"),
        ("seed", lambda s: s.run(trials=1000, seed=2**64), "an integer from 0 to 18446744073709551615, found 18446744073709551616"),
        ("threads", lambda s: s.run(trials=1000, threads=-2), "an integer >= 1, found -2"),
        ("shard", lambda s: s.run(trials=1000, shard=(-1, 2)), "(k, n) with 1 <= k <= n, found (-1, 2)"),
        ("shard", lambda s: s.run(trials=1000, shard=(0, 2)), "(k, n) with 1 <= k <= n, found (0, 2)"),
        ("shard", lambda s: s.run(trials=1000, shard=(3, 2)), "(k, n) with 1 <= k <= n, found (3, 2)"),
        ("shard", lambda s: s.run(trials=1000, shard=(1, 2**21)), "at most 1048576 shards, found 2097152"),
        ("shard", lambda s: s.run(trials=1000, shard=(1, 2**64)), "at most 1048576 shards, found 18446744073709551616"),
        ("shard", lambda s: s.run(trials=1000, shard=(2**64, 2**65)), "(k, n) with 1 <= k <= n, found (18446744073709551616, 36893488147419103232)"),
        ("trials", lambda s: supplyrisk.compare(s, s, trials=-1), "an integer from 1 to 1000000000, found -1"),
        ("samples", lambda s: supplyrisk.uncertainty(s, samples=-4), "a power of two from 1 to 65536, found -4"),
        ("threads", lambda s: supplyrisk.merge([], threads=-1), "an integer >= 1, found -1"),
        ("per_trial", lambda s: s.run(trials=1000, shard=(1, 2), per_trial=True), "False for a shard, which keeps no per-trial results"),
        ("trials", lambda s: s.run(trials=2**200), "an integer of 64 bits at most, found 1606938044258990275541962092341162602522202993782792835301376"),
        ("width", lambda s: s.run(trials=1000).charts(width=10), "a width of 320-8000 and a height of 240-8000 pixels, found 10 x 1000"),
    ],
)
def test_out_of_range_integers_are_bad_input_naming_the_argument(argument, call, expected):
    with pytest.raises(supplyrisk.ScenarioError) as caught:
        call(supplyrisk.load("scenarios/example.toml"))
    e = caught.value
    assert (e.file, e.key) == ("arguments", argument)
    assert str(e).startswith(f"arguments: {argument}: expected {expected}"), str(e)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda s: s.run(trials=1e5), r"^trials: expected an integer, found float 100000.0 \(write 100000\)$"),
        (lambda s: s.run(trials=True), r"^trials: expected an integer, found bool True$"),
        (lambda s: s.run(trials="1000"), r"^trials: expected an integer, found str '1000'$"),
        (lambda s: s.run(trials=1000, shard="12"), r"^shard: expected a pair \(k, n\) of integers, found '12'$"),
        (lambda s: s.run(trials=1000, shard=(1.5, 2)), r"^shard: expected an integer, found float 1.5$"),
        (lambda s: s.run(trials=1000, per_trial="yes"), r"^per_trial: expected True or False, found str 'yes'$"),
        (lambda s: supplyrisk.sweep(s, "mineral.copper.demand.growth", "0.1,0.2"), r"^values: expected a list of numbers, found the string '0.1,0.2'$"),
        (lambda s: supplyrisk.sweep(s, "mineral.copper.demand.growth", [0.1], metrics="eud_total"), r"^metrics: expected a list of metric names, found the string 'eud_total'$"),
        (lambda s: supplyrisk.sensitivity(s, charts=True, chart_size=800), r"^chart_size: expected a pair \(width, height\) of integers, found 800$"),
        (lambda s: s.run(trials=1000).charts(width=640.0), r"^width: expected an integer, found float 640.0 \(write 640\)$"),
        (lambda s: s.run(trials=1000, max_memory="2"), r"^max_memory: expected a number, found str '2'$"),
        (lambda s: s.run(trials=1000, max_memory=True), r"^max_memory: expected a number, found bool True$"),
        (lambda s: supplyrisk.sensitivity(s, charts="no"), r"^charts: expected True or False, found str 'no'$"),
        (lambda s: supplyrisk.sensitivity(s, chart_size=(1, 2, 3)), r"^chart_size: expected a pair"),
        (lambda s: s.run(trials=1000).save("/nonexistent-never", charts="no"), r"^charts: expected True or False"),
        (lambda s: supplyrisk.sweep(s, "mineral.copper.demand.growth", ["0.1"]), r"^values: expected a number, found str '0.1'$"),
        (lambda s: supplyrisk.sweep(s, "mineral.copper.demand.growth", [True]), r"^values: expected a number, found bool True$"),
        (lambda s: supplyrisk.sweep(s, "mineral.copper.demand.growth", [0.1], metrics=[1]), r"^metrics: expected a string, found int 1$"),
        (lambda s: supplyrisk.sweep(s, 5, [0.1]), r"^param: expected a string, found int 5$"),
        (lambda s: s.with_values({"mineral.copper.demand.growth": "0.3"}), r"^values\['mineral.copper.demand.growth'\]: expected a number, found str '0.3'$"),
    ],
)
def test_arguments_of_the_wrong_type_are_type_errors_naming_them(call, message):
    with pytest.raises(TypeError, match=message):
        call(supplyrisk.load("scenarios/example.toml"))


def test_numpy_integers_and_booleans_are_taken():
    np = pytest.importorskip("numpy")
    s = supplyrisk.load("scenarios/example.toml")
    r = s.run(trials=np.int64(1500), seed=np.uint64(3), threads=np.int32(1), per_trial=np.True_, progress=np.False_)
    assert r.to_json() == s.run(trials=1500, seed=3).to_json()
    assert len(r.per_trial) == 1500


def test_max_memory_names_the_argument():
    with pytest.raises(supplyrisk.ScenarioError, match=r"^arguments: max_memory: expected a number of GiB"):
        supplyrisk.load("scenarios/example.toml").run(trials=1000, max_memory=-1)


def test_bad_values(run_cli, tmp_path):
    path, param = "scenarios/example.toml", "source.chile-copper.access"
    expected = cli_error(run_cli("sweep", path, "--param", param, "--values", "5",
                                 "--out", tmp_path, check=False))
    s = supplyrisk.load(path)
    with pytest.raises(supplyrisk.ScenarioError) as caught:
        s.with_values({param: 5})
    assert str(caught.value) == expected
    with pytest.raises(supplyrisk.ScenarioError, match="no-such-source"):
        s.with_values({"source.no-such-source.access": 0.5})
    with pytest.raises(supplyrisk.ScenarioError, match="KIND.ID.KEY"):
        s.with_values({"access": 0.5})
    assert s.with_values({}).file == s.file
    with pytest.raises(TypeError, match="^values: expected a mapping of KIND.ID.KEY addresses to numbers, found list"):
        s.with_values([(param, 0.5)])


@pytest.mark.parametrize(
    "size, argument",
    [((100, 1000), "width"), ((1600, 100), "height"), ((100, 100), "width, height")],
)
def test_a_bad_chart_size_names_the_argument(size, argument):
    r = supplyrisk.load("scenarios/example.toml").run(trials=1000)
    with pytest.raises(supplyrisk.ScenarioError) as caught:
        r.charts(width=size[0], height=size[1])
    assert caught.value.key == argument
    assert str(caught.value).startswith(f"arguments: {argument}: expected a width of 320-8000 and a height of 240-8000")


def test_bad_partials():
    s = supplyrisk.load("scenarios/example.toml")
    parts = [s.run(trials=3000, seed=1, shard=(k, 3)) for k in (1, 2, 3)]
    with pytest.raises(supplyrisk.ScenarioError, match="shard 2/3"):
        supplyrisk.merge([parts[0], parts[2]])
    with pytest.raises(supplyrisk.ScenarioError, match="again"):
        supplyrisk.merge([parts[0], parts[1], parts[1], parts[2]])
    with pytest.raises(supplyrisk.ScenarioError, match="another kind of file"):
        supplyrisk.merge([b"not a partial result"])
    corrupt = bytearray(parts[1].data)
    corrupt[-1] ^= 0xFF
    with pytest.raises(supplyrisk.ScenarioError, match="checksum"):
        supplyrisk.merge([parts[0], bytes(corrupt), parts[2]])
    with pytest.raises(supplyrisk.ScenarioError, match="found none"):
        supplyrisk.merge([])
    with pytest.raises(TypeError, match=r"^partials\[1\]: expected a PartialResult, bytes, or the path"):
        supplyrisk.merge([parts[0], 42])
    with pytest.raises(TypeError, match="^partials: expected a PartialResult, bytes, a path, or an iterable"):
        supplyrisk.merge(42)


def test_merge_of_a_missing_file_is_bad_input(run_cli, tmp_path):
    expected = cli_error(run_cli("merge", "no/such.srpart", "--out", tmp_path / "m", check=False))
    with pytest.raises(supplyrisk.ScenarioError) as caught:
        supplyrisk.merge(["no/such.srpart"])
    assert str(caught.value) == expected


def test_scenario_without_uncertain_tables():
    with pytest.raises(supplyrisk.ScenarioError, match=r"\[\[uncertain\]\]"):
        supplyrisk.uncertainty(supplyrisk.load("scenarios/example.toml"), samples=4, trials=1000)


def test_studies_take_a_scenario_or_its_path():
    base, alt = "scenarios/example.toml", "scenarios/example-diversified.toml"
    by_path = supplyrisk.compare(base, alt, trials=500, seed=1)
    loaded = supplyrisk.compare(supplyrisk.load(base), supplyrisk.load(alt), trials=500, seed=1)
    assert by_path.attrs["json"] == loaded.attrs["json"]
    with pytest.raises(TypeError, match="baseline: expected a Scenario"):
        supplyrisk.compare(42, alt, trials=500)
    with pytest.raises(supplyrisk.ScenarioError):
        supplyrisk.sensitivity("missing.toml", trials=500)


def test_merge_takes_folders_and_refuses_a_studys_shards(run_cli, tmp_path):
    for k in (1, 2):
        run_cli("run", "scenarios/example.toml", "--trials", "3000", "--seed", "4",
                "--shard", f"{k}/2", "--out", tmp_path / "r", "--quiet")
    merged = supplyrisk.merge([tmp_path / "r"])
    whole = supplyrisk.load("scenarios/example.toml").run(trials=3000, seed=4)
    assert merged.to_json() == whole.to_json()
    # One folder alone, as a path or a string.
    assert supplyrisk.merge(tmp_path / "r").to_json() == whole.to_json()
    assert supplyrisk.merge(str(tmp_path / "r")).to_json() == whole.to_json()
    run_cli("uncertainty", "scenarios/example-uncertainty.toml", "--samples", "2",
            "--trials", "100", "--shard", "1/1", "--out", tmp_path / "u", "--quiet")
    with pytest.raises(supplyrisk.ScenarioError, match="found those of an uncertainty study"):
        supplyrisk.merge([tmp_path / "u"])


def test_a_sweep_without_values_is_bad_input():
    scenario = supplyrisk.load("scenarios/example.toml")
    with pytest.raises(supplyrisk.ScenarioError, match="^arguments: values: expected at least one value, found none"):
        supplyrisk.sweep(scenario, "mineral.copper.demand.growth", [], trials=100)


def test_advice_names_arguments_not_flags():
    s = supplyrisk.load("scenarios/example.toml")
    with pytest.raises(supplyrisk.ScenarioError) as caught:
        s.run(trials=1_000_000, max_memory=0.01)
    assert "raise the limit with max_memory, or use fewer trials" in str(caught.value)
    assert "--" not in str(caught.value)
    # Four base sets: indices fall outside 0 to 1, and the study advises
    # more of them.
    with warnings.catch_warnings(record=True) as caught_warnings:
        warnings.simplefilter("always")
        supplyrisk.uncertainty(supplyrisk.load("scenarios/example-uncertainty.toml"), samples=4, trials=256, seed=1)
    said = [str(w.message) for w in caught_warnings if issubclass(w.category, supplyrisk.SupplyriskWarning)]
    assert any(m.endswith("use more samples (256 or more)") for m in said), said
    assert not any("--" in m for m in said), said
