"""Runs in worker processes: forked after the parent has run (Linux's
default for multiprocessing before Python 3.14), and spawned; results come
back pickled."""

import multiprocessing
import warnings

import pytest

import supplyrisk

PATH = "scenarios/example.toml"


def run_json(seed):
    return supplyrisk.load(PATH).run(trials=2000, seed=seed).to_json()


def run_result(seed):
    return supplyrisk.load(PATH).run(trials=2000, seed=seed)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_run_after_the_parent_has_run(method):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    here = run_json(1)
    with warnings.catch_warnings():
        # Python 3.12+ warns about forking a process that has threads.
        warnings.simplefilter("ignore", DeprecationWarning)
        with multiprocessing.get_context(method).Pool(2) as pool:
            # A worker that hung (rayon's global pool, whose threads a fork
            # does not copy) would fail the timeout.
            jsons = pool.map_async(run_json, [1, 2]).get(timeout=60)
            results = pool.map_async(run_result, [3]).get(timeout=60)
    assert jsons[0] == here
    assert jsons[1] == run_json(2)
    assert results[0].to_json() == run_json(3)
