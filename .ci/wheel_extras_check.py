"""The wheel with its extras (``postgres``, ``notebook``), checked from the fresh venv of
``.ci/check-wheel`` after ``wheel_check.py``: the points of issue 15 that an extra carries.

PostgreSQL through a libpq URI (a socket ``host``, ``sslmode``, ``application_name``, seen by
the server), a missing schema as a typed error naming the rule, idempotency keys on a
convenience method, and the notebook frames' ordered categoricals and a heatmap drawn to a PNG.
Needs the PostgreSQL server of ``.ci/run``. Each check prints one line; the last counts them.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from wheel_check import run_checks  # beside this file, run as a script

SOCKET = "/var/run/postgresql"
CHECKS: list[Callable[[], None]] = []


def check(function: Callable[[], None]) -> Callable[[], None]:
    CHECKS.append(function)
    return function


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A new schema on the local server (over its socket), dropped afterwards."""
    import psycopg

    schema = f"wheel_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"host={SOCKET} user=postgres dbname=test", autocommit=True) as db:
        db.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield schema
        finally:
            db.execute(f'DROP SCHEMA "{schema}" CASCADE')


@check
def postgres_through_a_libpq_uri() -> None:
    """A store on a socket host with libpq's own options; the server sees the application."""
    import psycopg

    from execution_core import SYSTEM, Execution

    t = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with fresh_schema() as schema:
        url = (
            f"postgresql://postgres@/test?host={SOCKET}&sslmode=disable"
            f"&application_name=wheel-check&schema={schema}"
        )
        with Execution.open(url) as ex:
            ex.found_unit("hq", "Headquarters", actor=SYSTEM, occurred_at=t)
            with psycopg.connect(f"host={SOCKET} user=postgres dbname=test") as db:
                seen = db.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'wheel-check'"
                ).fetchone()
            assert seen is not None
            assert seen[0] >= 1, seen
            assert ex.store.last_position() >= 1


@check
def a_missing_schema_is_a_typed_error() -> None:
    """A schema the server lacks: InvalidInput naming the rule, nothing created."""
    from execution_core import Execution, InvalidInput

    refused: InvalidInput | None = None
    try:
        Execution.open(f"postgresql://postgres@/test?host={SOCKET}&schema=no_such_schema_here")
    except InvalidInput as error:
        refused = error
    assert refused is not None, "a missing schema opened"
    assert refused.rule == "schema missing", refused.to_dict()


@check
def an_idempotency_key_on_a_convenience_method() -> None:
    """The same key twice records once and replays the first outcome's state."""
    from execution_core import SYSTEM, Execution

    t = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with Execution.open("memory://") as ex:
        ex.found_unit("hq", "HQ", actor=SYSTEM, occurred_at=t, idempotency_key="unit-hq", retries=2)
        before = ex.store.last_position()
        ex.found_unit("hq", "HQ", actor=SYSTEM, occurred_at=t, idempotency_key="unit-hq", retries=2)
        assert ex.store.last_position() == before


@check
def ordered_frames_and_a_heatmap() -> None:
    """A simulated organization's weekly board: health, status and outcome are ordered
    categoricals in the documented order, and its heatmap is drawn to a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from execution_core.simulation import Model
    from execution_core_adapters.notebook import (
        HEALTH_ORDER,
        plot_health_heatmap,
        scoreboard_by_week,
    )
    from execution_core_adapters.simulate import simulate

    with simulate(Model(people=12, weeks=6), seed=3) as simulation:
        weekly = scoreboard_by_week(simulation.ledger(), simulation.cycle_id)
    for column in ("health", "status", "outcome"):
        dtype = weekly[column].dtype
        assert getattr(dtype, "ordered", False), (column, dtype)
    assert list(weekly["health"].cat.categories) == list(HEALTH_ORDER)
    figure = plot_health_heatmap(weekly)
    with tempfile.TemporaryDirectory() as folder:
        png = Path(folder) / "heatmap.png"
        figure.savefig(png)
        assert png.stat().st_size > 1000


def main() -> int:
    return run_checks(CHECKS, "wheel with extras")


if __name__ == "__main__":
    sys.exit(main())
