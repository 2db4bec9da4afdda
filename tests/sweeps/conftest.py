"""Fixtures of the sweep tests: one local Dask cluster of two worker processes for the module
that asks for it, closed after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from distributed import Client, LocalCluster

from execution_core.simulation import Model
from execution_core_adapters.sweeps import Grid, local_cluster

SMALL = Model(people=6, weeks=4)
"""A small organization and a short cycle: a run takes a few hundredths of a second."""


def small_grid(seeds: int = 3) -> Grid:
    """Two policies, two coaching effects, two recoaching intervals (execution only)."""
    return Grid.of(
        {
            "policy": ["execution", "performance"],
            "coaching_effect": [0.0, 0.5],
            "recoach_weeks": [1, 4],
        },
        seeds=seeds,
        model=SMALL,
    )


def two_workers() -> LocalCluster:
    """The sweeps' local cluster of two worker processes (one thread each, 127.0.0.1)."""
    return local_cluster(2)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """A client of a local cluster of two worker processes, closed after the module."""
    with two_workers() as cluster, Client(cluster) as connected:
        yield connected
