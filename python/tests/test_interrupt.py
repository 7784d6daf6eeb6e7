"""Ctrl-C cancels a run or study; the command line's warnings become
Python warnings."""

import _thread
import signal
import threading
import time
import warnings

import pytest

import supplyrisk

# Copper whose one source meets under half of demand, even undisrupted:
# the command line warns that its results measure that gap.
SHORT = """[scenario]
name = "short"
start_year = 2026
years = 3

[[mineral]]
id = "copper"
unit = "kt"
demand = { base = 1800.0 }

[[source]]
id = "mine"
mineral = "copper"
capacity = 708.0
"""


def interrupted(call):
    """Run `call` with a KeyboardInterrupt sent to this thread after 0.3 s;
    return the seconds until the interrupt came through. (Python's own
    SIGINT handler is put in place for it: a process started in the
    background inherits SIGINT ignored, and then nothing would come.)"""
    timer = threading.Timer(0.3, _thread.interrupt_main)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            call()
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, before)
    return time.perf_counter() - start


def test_ctrl_c_stops_a_run_and_a_study():
    scenario = supplyrisk.load("scenarios/example.toml")
    # Runs of a minute or more; the interrupt stops each after the chunks
    # under way (without it, each would run to its end and fail the test).
    assert interrupted(lambda: scenario.run(trials=20_000_000, seed=1)) < 30
    other = supplyrisk.load("scenarios/example-diversified.toml")
    assert interrupted(lambda: supplyrisk.compare(scenario, other, trials=5_000_000)) < 30
    # Afterwards runs go on as before.
    assert scenario.run(trials=2_000, seed=1).trials == 2_000


def test_the_command_lines_warnings_are_python_warnings(run_cli, tmp_path):
    path = tmp_path / "short.toml"
    path.write_text(SHORT)
    printed = run_cli("run", path, "--trials", "500", "--out", tmp_path / "out", "--no-plots").stderr
    expected = [line.removeprefix("warning: ") for line in printed.splitlines() if line.startswith("warning: ")]
    assert any("fall short of mean demand" in w for w in expected), printed
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        supplyrisk.load(path).run(trials=500)
    got = [str(w.message) for w in caught if issubclass(w.category, supplyrisk.SupplyriskWarning)]
    assert got == expected
    assert all(w.filename == __file__ for w in caught)


def test_a_studys_warnings_are_python_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        supplyrisk.compare("scenarios/example.toml", "scenarios/example-uncertainty.toml", trials=300)
    got = [str(w.message) for w in caught if issubclass(w.category, supplyrisk.SupplyriskWarning)]
    assert any("has no copper, nickel, lithium: only the minerals both scenarios have are compared" in g for g in got), got
    assert all(w.filename == __file__ for w in caught)


def test_every_study_and_the_merge_warn_as_the_command_line_does(run_cli, tmp_path):
    path = tmp_path / "short.toml"
    path.write_text(SHORT)
    s = supplyrisk.load(path)

    def said(call):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        return [str(w.message) for w in caught if issubclass(w.category, supplyrisk.SupplyriskWarning)]

    def printed(*args):
        err = run_cli(*args, "--trials", "500", "--no-plots", "--out", tmp_path / args[0]).stderr
        return [line.removeprefix("warning: ") for line in err.splitlines() if line.startswith("warning: ")]

    sens = printed("sensitivity", path)
    assert any(w.startswith("copper: all of its sources") for w in sens), sens
    assert said(lambda: supplyrisk.sensitivity(s, trials=500)) == sens
    sweep = printed("sweep", path, "--param", "source.mine.access", "--values", "0.5")
    assert any(w.startswith("the scenario as written: copper: all of its sources") for w in sweep), sweep
    assert said(lambda: supplyrisk.sweep(s, "source.mine.access", [0.5], trials=500)) == sweep
    parts = [s.run(trials=500, seed=3, shard=(k, 2)) for k in (1, 2)]
    whole = said(lambda: s.run(trials=500, seed=3))
    assert any(w.startswith("copper: all of its sources") for w in whole), whole
    assert said(lambda: supplyrisk.merge(parts)) == whole
