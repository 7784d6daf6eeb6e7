"""Shared fixtures: the repository, and the command line built by cargo."""

import os
import pathlib
import subprocess

import pandas as pd
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def cli() -> str:
    """The `supplyrisk` binary: $SUPPLYRISK_BIN, else built by `cargo build`
    in the repository (debug profile, which CI has built already)."""
    given = os.environ.get("SUPPLYRISK_BIN")
    if given:
        return os.path.abspath(given)
    subprocess.run(
        ["cargo", "build", "--quiet", "--locked", "--bin", "supplyrisk"], cwd=ROOT, check=True
    )
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return str(target / "debug" / "supplyrisk")


@pytest.fixture()
def run_cli(cli, root):
    """Run the command line from the repository root; returns the process."""

    def run(*args, check=True):
        proc = subprocess.run(
            [cli, *map(str, args)], cwd=root, capture_output=True, text=True
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"supplyrisk {' '.join(map(str, args))} failed:\n{proc.stderr}")
        return proc

    return run


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    """Scenario paths are given relative to the repository root, to the
    command line and to Python alike."""
    monkeypatch.chdir(ROOT)


def read_csv_exact(path):
    """A CSV file of the command line, every number read back exactly
    (pandas before 3 needs the round-trip parser for that)."""
    if int(pd.__version__.split(".")[0]) < 3:
        return pd.read_csv(path, float_precision="round_trip")
    return pd.read_csv(path)
