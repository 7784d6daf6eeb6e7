"""The package is typed (``py.typed``): its extension module's stub matches
the module, the package checks clean under mypy, and a user's code is
checked against its types."""

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("mypy", reason="mypy is one of the package's test extras")


def mypy(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--ignore-missing-imports", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_the_package_checks_clean(tmp_path):
    proc = mypy("-p", "supplyrisk", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_extension_module_matches_its_stub():
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "supplyrisk._native"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_users_code_is_checked_against_the_packages_types(tmp_path):
    good = tmp_path / "good.py"
    good.write_text(textwrap.dedent("""
        import supplyrisk
        s = supplyrisk.load("scenarios/example.toml")
        r: supplyrisk.Result = s.run(trials=1000, progress=True)
        p: supplyrisk.PartialResult = s.run(trials=1000, shard=(1, 2))
        whole: supplyrisk.Result = supplyrisk.merge([p])
        last: supplyrisk.Progress = supplyrisk.Progress(1, "x", 0, 1)
        total: int = last.total + r.trials + p.shard
        import numpy as np
        n: supplyrisk.Result = s.run(trials=np.int64(1000), seed=np.uint64(2))
        q: supplyrisk.PartialResult = s.run(2000, 1, None, (1, 2))
        q2: supplyrisk.PartialResult = s.run(2000, shard=(np.int64(2), 2), per_trial=np.False_)
        m: supplyrisk.Result = supplyrisk.merge([q, q2], threads=np.int64(1))
        png = m.charts(np.int64(800), 600)
        c = supplyrisk.compare("scenarios/example.toml", s, trials=1000)
    """))
    proc = mypy(str(good), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    bad = tmp_path / "bad.py"
    bad.write_text(textwrap.dedent("""
        import supplyrisk
        s = supplyrisk.load("scenarios/example.toml")
        n: int = s.run(trials=1000)
        p: supplyrisk.Result = s.run(shard=(1, 2))
        supplyrisk.compare(1, 2)
    """))
    proc = mypy(str(bad), cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'bad.py:4: error: Incompatible types in assignment (expression has type "Result"' in proc.stdout
    assert 'bad.py:5: error: Incompatible types in assignment (expression has type "PartialResult"' in proc.stdout
    assert 'bad.py:6: error: Argument 1 to "compare" has incompatible type "int"' in proc.stdout
