"""The same sweep on a plain loop and on a local Dask cluster; a worker killed mid-sweep; a
failed run reported with its point and seed while the others are kept."""

from __future__ import annotations

import os
import signal
from typing import Any

from distributed import Client

from execution_core.simulation import Model
from execution_core_adapters.sweeps import DaskEngine, Grid, LoopEngine, SweepResult, sweep
from tests.sweeps.conftest import small_grid, two_workers
from tests.sweeps.policies import Breaking


def _runs(result: SweepResult) -> list[tuple[str, int, object]]:
    return [(run.point.label, run.seed, run.outcome) for run in result.runs]


def test_a_local_cluster_gives_the_loops_outcomes_point_for_point_and_seed_for_seed(
    client: Client,
) -> None:
    """Given a grid of 6 points and 3 seeds, when it runs on a LocalCluster of 2 worker
    processes and in a plain loop, then every (point, seed) has the same outcome in both."""
    grid = small_grid(seeds=3)

    on_dask = sweep(grid, engine=DaskEngine(client=client, timeout=300))
    in_a_loop = sweep(grid, engine=LoopEngine())

    assert len(in_a_loop.runs) == grid.runs == 18
    assert not on_dask.failures
    assert not in_a_loop.failures
    assert _runs(on_dask) == _runs(in_a_loop)
    assert on_dask.frame().equals(in_a_loop.frame())


def test_a_worker_killed_mid_sweep_loses_no_run_and_counts_none_twice() -> None:
    """Given a sweep of 16 runs on a LocalCluster of 2 worker processes, when a worker that is
    running a task is killed (SIGKILL) after the first results came back, then the sweep
    finishes with every (point, seed) once, as the loop gives them, and the killed process
    is gone from the cluster."""
    grid = Grid.of(
        {"policy": ["execution"], "coaching_effect": [0.0, 0.2, 0.4, 0.6]},
        seeds=4,
        model=Model(people=8, weeks=6),
    )
    killed: list[int] = []
    with two_workers() as cluster, Client(cluster) as client:

        def kill_a_busy_worker(done: int, total: int) -> None:
            if done != 2 or killed:
                return
            busy = [address for address, keys in client.processing().items() if keys]
            assert busy, "no worker was running a task when the first results came back"
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

        result = sweep(
            grid,
            engine=DaskEngine(client=client, timeout=300),
            progress=kill_a_busy_worker,
        )
        client.wait_for_workers(2, timeout=120)
        alive = set(client.run(os.getpid).values())

    assert len(killed) == 1
    assert killed[0] not in alive
    assert not result.failures
    pairs = [(run.point.label, run.seed) for run in result.runs]
    assert len(pairs) == len(set(pairs)) == grid.runs == 16
    assert _runs(result) == _runs(sweep(grid, engine=LoopEngine()))


def test_a_failed_run_is_reported_with_its_point_and_seed_and_the_others_are_kept(
    client: Client,
) -> None:
    """Given a grid where one point's policy raises in week 2, when it runs on the loop and
    on the cluster, then each engine reports that point's two seeds as failures naming the
    point, the seed and the error, and keeps the other point's runs, the same on both."""
    grid = Grid.of(
        {"policy": [Breaking()], "breaks": [False, True]}, seeds=2, model=Model(people=6, weeks=4)
    )

    for engine in (LoopEngine(), DaskEngine(client=client, timeout=300)):
        result = sweep(grid, engine=engine)

        assert [(f.point.as_dict()["breaks"], f.seed) for f in result.failures] == [
            (True, 0),
            (True, 1),
        ]
        assert all("RuntimeError: the policy broke in week 2" in f.error for f in result.failures)
        assert str(result.failures[1]).startswith("policy=breaking, breaks=True, seed 1: ")
        assert [(run.point.as_dict()["breaks"], run.seed) for run in result.runs] == [
            (False, 0),
            (False, 1),
        ]
        assert _runs(result) == _runs(sweep(grid, engine=LoopEngine()))


def _profiling() -> object:
    import dask

    return dask.config.get("distributed.worker.profile.enabled")


def _watching() -> tuple[object, object]:
    import dask

    return (
        dask.config.get("distributed.admin.tick.interval"),
        dask.config.get("distributed.admin.system-monitor.interval"),
    )


def _preloaded(dask_worker: Any) -> list[str]:
    return [preload.name for preload in dask_worker.preloads]


def test_the_local_clusters_workers_run_without_the_profiler() -> None:
    """Given the sweeps' local cluster, then each worker process took LOCAL_WORKER_CONFIG: its
    statistical profiler (a stack sample every 10 ms, for the dashboard) is off, it imported
    the simulator as it started, before any task, and its watchdog and system monitor wake
    seldom."""
    with two_workers() as cluster, Client(cluster) as client:
        client.wait_for_workers(2)
        assert list(client.run(_profiling).values()) == [False, False]
        assert list(client.run(_preloaded).values()) == [["execution_core_adapters.simulate"]] * 2
        assert list(client.run(_watching).values()) == [("1s", "5s")] * 2
