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


class RefusingClient:
    """A client that fails the test if anything is submitted."""

    def submit(self, *args, **kwargs):
        raise AssertionError("a task was submitted")

    def scheduler_info(self):
        return {"workers": {}}


def test_dask_checks_shards_and_scenario_before_submitting():
    s = supplyrisk.load("scenarios/example.toml")
    for shards in (0, 2**20 + 1):
        with pytest.raises(ValueError, match=r"^shards: expected an integer from 1 to 1048576"):
            supplyrisk.dask.run(RefusingClient(), s, trials=6000, shards=shards)
    with pytest.raises(TypeError, match="^scenario: expected a Scenario or a path, found int"):
        supplyrisk.dask.run(RefusingClient(), 42, trials=6000, shards=2)
    with pytest.raises(supplyrisk.ScenarioError, match="no/such.toml"):
        supplyrisk.dask.run(RefusingClient(), "no/such.toml", trials=6000, shards=2)


def test_dask_takes_a_path(client):
    plain = supplyrisk.load("scenarios/example.toml").run(trials=3000, seed=2)
    r = supplyrisk.dask.run(client, "scenarios/example.toml", trials=3000, seed=2, shards=2, threads=1)
    assert r.to_json() == plain.to_json()
