"""Run the shards of a big run as Dask tasks, and merge them.

Each task simulates one slice of the trials and returns its partial
result (bytes of the partial-result format, so it pickles); the merge
gives, byte for byte, the result of the run in one piece, however many
shards and whichever workers ran them::

    from dask.distributed import Client, LocalCluster
    import supplyrisk, supplyrisk.dask

    with LocalCluster(n_workers=4, threads_per_worker=1) as cluster, Client(cluster) as client:
        s = supplyrisk.load("scenarios/us-2026-baseline.toml")
        r = supplyrisk.dask.run(client, s, trials=4_000_000, seed=1, shards=16)

On a Slurm cluster the same code runs on a ``dask_jobqueue.SLURMCluster``
(docs/python.md shows how). Nothing here imports dask: any object with
Dask's ``Client.submit`` and ``Client.gather`` will do.
"""

from __future__ import annotations

import os
from typing import Optional, SupportsIndex, Union

from . import PartialResult, Result, Scenario, _args, _native, load, merge

__all__ = ["run", "run_shard"]


def run_shard(
    scenario: Scenario,
    shard: int,
    shards: int,
    trials: Optional[SupportsIndex],
    seed: Optional[SupportsIndex],
    threads: Optional[SupportsIndex],
) -> PartialResult:
    """One task: slice ``shard`` of ``shards`` (the GIL is released while
    it simulates, so a worker's other threads keep running)."""
    return scenario.run(trials=trials, seed=seed, threads=threads, shard=(shard, shards))


def run(
    client,
    scenario: Union[Scenario, str, "os.PathLike[str]"],
    trials: Optional[SupportsIndex] = None,
    seed: Optional[SupportsIndex] = None,
    shards: Optional[SupportsIndex] = None,
    threads: Optional[SupportsIndex] = None,
) -> Result:
    """Simulate ``scenario`` as ``shards`` Dask tasks on ``client`` and
    merge their partial results into the :class:`~supplyrisk.Result` of the
    whole run.

    ``trials`` and ``seed`` default to the scenario's (then 100000 and 0);
    ``shards`` defaults to the number of worker threads of the cluster
    (slices are whole chunks of 1024 trials: with more shards than chunks,
    some simulate nothing); ``threads`` is each task's worker threads (default:
    all cores of its machine; set it to the cores a worker owns when
    several workers share a machine). Bad input (trials, seed, threads)
    raises :class:`~supplyrisk.ScenarioError`, from the tasks that meet it;
    a bad ``shards`` raises ``ValueError``, and a ``scenario`` that is
    neither a :class:`~supplyrisk.Scenario` nor a path ``TypeError``, before
    any task is submitted (a path is loaded here, once).
    """
    # Checked here, where the error is the caller's, not on a worker.
    trials, seed, threads = (_args.whole(n, v) for n, v in [("trials", trials), ("seed", seed), ("threads", threads)])
    count = _args.whole("shards", shards)
    if count is None:
        workers = client.scheduler_info().get("workers", {})
        count = max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
    if not 1 <= count <= _native.MAX_SHARDS:
        raise ValueError(f"shards: expected an integer from 1 to {_native.MAX_SHARDS}, found {count}")
    if isinstance(scenario, (str, os.PathLike)):
        scenario = load(scenario)
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a Scenario or a path, found {type(scenario).__name__}")
    futures = [
        client.submit(run_shard, scenario, k, count, trials, seed, threads, pure=False)
        for k in range(1, count + 1)
    ]
    return merge(client.gather(futures), threads=threads)
