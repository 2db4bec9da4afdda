"""The simulator's recorded history, pinned: making the simulation faster changes no event.

Each digest is the sha256 of the canonical export (``transfer.write_export``: every event with
both clocks, in recorded order) of a fixed model, policy and seed, computed with the code of
commit 9c678de, before the simulation was made faster. A change that alters what a simulation
records (a command, a rule, a value, a time, the order) fails here; one that only makes the same
commands cheaper does not. Change a digest only with a change that means to record otherwise,
and say so in CHANGELOG.md.

Since 9c678de one such change landed: a policy stores four more values (issue 14's
``checkin_grace_days``, ``uncoached_days``, ``forecast_min_checkins``, ``forecast_min_elapsed``,
whose defaults keep today's behaviour). The digest is taken of the export with those four keys
left out, re-written in the export's canonical form, so the oracle still is 9c678de's history.
"""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import pytest

from execution_core.simulation import (
    ExecutionManagement,
    ManagementPolicy,
    Model,
    PerformanceManagement,
)
from execution_core_adapters.simulate import Simulation, fork, simulate
from execution_core_adapters.transfer import write_export

_ADDED_SINCE = frozenset(
    {"checkin_grace_days", "uncoached_days", "forecast_min_checkins", "forecast_min_elapsed"}
)
"""Policy values a PolicyAdopted or CycleOpened stores since 9c678de (issue 14)."""


def _without_added(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_added(v) for k, v in value.items() if k not in _ADDED_SINCE}
    if isinstance(value, list):
        return [_without_added(v) for v in value]
    return value


def _canonical(line: bytes) -> bytes:
    """An export line without the values added since 9c678de, in the export's canonical form
    (sorted keys, no spaces): unchanged for a line that has none of them."""
    kept = _without_added(json.loads(line))
    return json.dumps(kept, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def _digest(simulation: Simulation) -> tuple[str, int]:
    out = io.BytesIO()
    write_export(simulation.execution.store, out)
    data = b"".join(_canonical(line) + b"\n" for line in out.getvalue().splitlines())
    return hashlib.sha256(data).hexdigest(), simulation.execution.store.last_position()


_PINNED: dict[str, tuple[Model, ManagementPolicy, int, str, int]] = {
    "execution management, the default model": (
        Model(),
        ExecutionManagement(),
        7,
        "b8beecf7c44448ee2afc9347a9ea5c965d617fdf1f7a56925478bb6d9df0a035",
        4370,
    ),
    "weekly check-ins and coaching, a strong coaching effect": (
        Model(people=40, weeks=16, coaching_effect=0.6),
        ExecutionManagement(cadence_days=7, recoach_weeks=1, commitment_weeks=1),
        11,
        "68d27713810d4632f4a428ae18a713e0807c3b321da6dde8d6584c7da76329c8",
        2270,
    ),
    "performance management": (
        Model(people=40, weeks=12),
        PerformanceManagement(),
        3,
        "ab3b8b6c4d37b23bbcb0d7ff2adfd00c7a30bc6c7fcb75b3c5a7903fbad8a1b1",
        351,
    ),
}


@pytest.mark.parametrize("case", sorted(_PINNED))
def test_a_simulation_records_the_pinned_history(case: str) -> None:
    """Given a fixed model, policy and seed, when simulated in memory, then the export's sha256
    and the number of records are those the code of commit 9c678de recorded (the oracle)."""
    model, policy, seed, digest, records = _PINNED[case]
    with simulate(model, policy, seed=seed) as simulation:
        assert _digest(simulation) == (digest, records)


def test_a_fork_records_the_pinned_history() -> None:
    """Given the default simulation forked at week 10 into performance management with
    fortnightly check-ins, then the branch's export sha256 and size are those of commit 9c678de."""
    with (
        simulate(Model(), ExecutionManagement(), seed=7) as original,
        fork(original, at_week=10, policy=PerformanceManagement(cadence_days=14)) as branch,
    ):
        assert _digest(branch) == (
            "d4ebbf0efa8c0fbffac48ad256a421246a8a35786d6bf13c218bb2f88cc7ae32",
            2074,
        )
