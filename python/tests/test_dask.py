"""Shards as Dask tasks on a LocalCluster of worker processes."""

import pytest

import supplyrisk

distributed = pytest.importorskip("distributed")
import supplyrisk.dask  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as c:
        yield c


def test_dask_run_is_the_plain_run(client):
    s = supplyrisk.load("scenarios/example.toml")
    plain = s.run(trials=6000, seed=8)
    r = supplyrisk.dask.run(client, s, trials=6000, seed=8, shards=5, threads=1)
    assert r.to_json() == plain.to_json()
    # Default: a shard per worker thread.
    assert supplyrisk.dask.run(client, s, trials=6000, seed=8).to_json() == plain.to_json()


def test_dask_bad_input_raises_scenario_error(client):
    s = supplyrisk.load("scenarios/example.toml")
    with pytest.raises(supplyrisk.ScenarioError, match="^arguments: trials: "):
        supplyrisk.dask.run(client, s, trials=0, seed=1, shards=4)
