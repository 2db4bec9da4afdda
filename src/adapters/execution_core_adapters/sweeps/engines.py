"""Where a sweep's runs execute: a plain loop in this process, or Dask (a local cluster sized to
the machine, or a running scheduler named by address), with the same code and the same results.

An engine takes *jobs* (a function and its arguments, one per run) and yields each job's
index with its result as the runs finish, in whatever order they finish. A run that raised
yields its exception instead of a result, and the others go on. On Dask each job is one task,
submitted as impure (``pure=False``: two runs of the same point and seed are never merged),
and results stream back through ``as_completed``; when a worker dies, the scheduler runs its
tasks again elsewhere, and each task still yields exactly once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from execution_core.errors import InvalidInput

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

__all__ = [
    "LOCAL_WORKER_CONFIG",
    "SCHEDULER_ENV",
    "DaskEngine",
    "Engine",
    "Job",
    "LoopEngine",
    "NotFinished",
    "Progress",
    "local_cluster",
    "scheduler_address",
]

SCHEDULER_ENV = "EXECUTION_CORE_SCHEDULER"
"""The environment variable naming a running Dask scheduler (``tcp://HOST:PORT``)."""

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` each time a run finishes (or fails)."""


@attrs.frozen
class Job:
    """One run to make: a function importable by every worker, and its arguments."""

    function: Callable[..., Any]
    args: tuple[Any, ...]


class NotFinished(Exception):
    """A run the engine gave up waiting for (its ``timeout`` passed)."""


class Engine(Protocol):
    """What a sweep asks of an engine (see the module)."""

    def run(
        self, jobs: Sequence[Job], progress: Progress | None = None
    ) -> Iterator[tuple[int, object]]:
        """Each job's index and its result (or the exception it raised), as runs finish."""
        ...


@attrs.frozen
class LoopEngine:
    """Every run in turn, in this process: the reference the other engines are checked against."""

    def run(
        self, jobs: Sequence[Job], progress: Progress | None = None
    ) -> Iterator[tuple[int, object]]:
        """Run the jobs one after the other."""
        for index, job in enumerate(jobs):
            try:
                result: object = job.function(*job.args)
            except Exception as error:  # a failed run is reported, and the others go on
                result = error
            yield index, result
            if progress is not None:
                progress(index + 1, len(jobs))


def scheduler_address(option: str | None = None) -> str | None:
    """The scheduler to use: the option given, else ``$EXECUTION_CORE_SCHEDULER``, else None
    (a local cluster)."""
    address = option or os.environ.get(SCHEDULER_ENV) or None
    if address is not None and "://" not in address:
        raise InvalidInput(f"scheduler: {address!r} is not an address such as tcp://HOST:PORT")
    return address


@attrs.frozen(kw_only=True)
class DaskEngine:
    """Runs on Dask: the ``client`` given (its cluster is the caller's to close), else the
    scheduler at ``scheduler`` (or ``$EXECUTION_CORE_SCHEDULER``), else a local cluster of
    ``workers`` processes (default: one per core) with one thread each, made for the sweep
    and closed after it. ``timeout`` (seconds) bounds the wait for the whole sweep: runs not
    finished by then are reported as :class:`NotFinished`."""

    client: Client | None = None
    scheduler: str | None = None
    workers: int | None = attrs.field(default=None)
    timeout: float | None = None

    @workers.validator
    def _check_workers(self, _attribute: object, value: int | None) -> None:
        if value is not None and value < 1:
            raise InvalidInput(f"workers: at least 1, got {value}")

    def connected(self) -> AbstractContextManager[Client]:
        """The client to submit to, for the time of one sweep."""
        return _connected(self.client, scheduler_address(self.scheduler), self.workers)

    def run(
        self, jobs: Sequence[Job], progress: Progress | None = None
    ) -> Iterator[tuple[int, object]]:
        """Submit one impure task per job and yield each as it completes."""
        from distributed import as_completed

        with self.connected() as client:
            futures = {
                client.submit(job.function, *job.args, pure=False): index
                for index, job in enumerate(jobs)
            }
            done = 0
            waiting = as_completed(list(futures), timeout=self.timeout)
            try:
                for future in waiting:
                    index = futures.pop(future)
                    try:
                        result: object = future.result()
                    except Exception as error:  # the run's own failure, raised on its worker
                        result = error
                    future.release()
                    done += 1
                    yield index, result
                    if progress is not None:
                        progress(done, len(jobs))
            except TimeoutError:
                for future, index in futures.items():
                    future.cancel()
                    done += 1
                    yield index, NotFinished(f"not finished within {self.timeout} s")
                    if progress is not None:
                        progress(done, len(jobs))


LOCAL_WORKER_CONFIG: dict[str, object] = {
    "distributed.worker.profile.enabled": False,
    "distributed.worker.preload": ["execution_core_adapters.simulate"],
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.tick.limit": "60s",
    "distributed.admin.system-monitor.interval": "5s",
}
"""Dask settings of a local cluster (its scheduler and workers, taken as they start): no
statistical profiler, which samples every worker's stack each 10 ms for the dashboard and cost
a sweep some 10 % of its CPU here; the simulator imported as a worker starts (half a second of
CPU), so no sweep's first run waits for it and a cluster kept for several sweeps pays it once;
and the event loops' watchdog tick each second (not each 20 ms) and the dashboard's system
monitor each 5 s (not 0.5 s), which halves what an idle cluster takes (3.5 % of a core in the
scheduler's process and 2.3 % in a worker's, to 1.3 % and 1.5 %) on cores the runs share."""


def local_cluster(workers: int | None = None) -> LocalCluster:
    """A local Dask cluster for sweeps: ``workers`` processes (default: one per core) of one
    thread each, on 127.0.0.1 with ports the OS picks, quiet logs, and
    :data:`LOCAL_WORKER_CONFIG` (Dask settings its scheduler and workers take as they start)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_WORKER_CONFIG):
        return LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # the OS picks the port (8787 may be taken)
            silence_logs=logging.ERROR,  # a worker restarted or stopped slowly is not news
        )


@contextmanager
def _connected(client: Client | None, address: str | None, workers: int | None) -> Iterator[Client]:
    if client is not None:
        yield client
        return
    from distributed import Client

    if address is not None:
        with Client(address, timeout="10s") as remote:
            yield remote
        return
    with local_cluster(workers) as cluster, Client(cluster) as local:
        yield local
