"""Small worlds for the simulation tests (kept small: every run goes through the facade)."""

from __future__ import annotations

from execution_core.simulation import Model

SMALL = Model(people=12, weeks=8)
"""A 12-person organization playing an 8-week cycle (a few hundred events)."""


def lines_before(lines: list[bytes], events_before: int) -> list[bytes]:
    """The first ``events_before`` export lines."""
    return lines[:events_before]
