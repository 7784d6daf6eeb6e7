"""The ``progress`` argument: a callable sees every phase of a command
move on and end; ``True`` draws a bar; an exception in the callable stops
the command."""

import sys
import time

import pytest

import supplyrisk


def test_a_run_reports_its_trials_and_ends_at_its_total():
    s = supplyrisk.load("scenarios/example.toml")
    seen = []
    r = s.run(trials=300_000, seed=2, progress=seen.append)
    assert seen, "no progress reported"
    assert all(isinstance(p, supplyrisk.Progress) for p in seen)
    assert {(p.phase, p.label, p.total) for p in seen} == {(1, s.name, 300_000)}
    done = [p.done for p in seen]
    assert done == sorted(done) and len(set(done)) == len(done)
    assert done[-1] == 300_000
    # Watching changes nothing.
    assert r.to_json() == s.run(trials=300_000, seed=2).to_json()


def test_a_comparison_reports_its_two_simulations_in_turn():
    seen = []
    supplyrisk.compare(
        "scenarios/example.toml", "scenarios/example-diversified.toml", trials=100_000, progress=seen.append
    )
    phases = [(p.phase, p.label) for p in seen]
    assert phases == sorted(phases)
    assert set(phases) <= {(1, "baseline"), (2, "alternative")}
    assert seen[-1] == supplyrisk.Progress(2, "alternative", 100_000, 100_000)


def test_an_exception_in_the_callback_stops_the_run_and_is_raised():
    s = supplyrisk.load("scenarios/example.toml")

    def stop(p):
        raise RuntimeError(f"stop at {p.done}")

    start = time.monotonic()
    with pytest.raises(RuntimeError, match="stop at"):
        # About a minute of work if it were not stopped.
        s.run(trials=20_000_000, progress=stop)
    assert time.monotonic() - start < 10


def test_true_draws_a_line_on_stderr_without_tqdm(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    supplyrisk.load("scenarios/example.toml").run(trials=200_000, progress=True)
    err = capsys.readouterr().err
    assert "200,000/200,000 trials (100%)" in err
    # The line is cleared at the end.
    assert err.endswith("\r\x1b[2K")


def test_a_progress_that_is_not_callable_is_a_type_error():
    with pytest.raises(TypeError, match="progress: expected True, False, None or a callable"):
        supplyrisk.load("scenarios/example.toml").run(trials=1000, progress="yes")
