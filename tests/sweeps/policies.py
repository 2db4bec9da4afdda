"""A policy of the sweep tests' own, importable by Dask's worker processes."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from execution_core.simulation import Act, ExecutionManagement, Situation


@attrs.frozen(kw_only=True)
class Breaking(ExecutionManagement):
    """Execution management that raises in ``week`` when ``breaks`` (a failing run)."""

    name: str = "breaking"
    breaks: bool = False
    week: int = 2

    def manage(self, situation: Situation) -> Iterable[Act]:
        """Manage as execution management does, but fail in the chosen week."""
        if self.breaks and situation.week == self.week:
            raise RuntimeError(f"the policy broke in week {situation.week}")
        return super().manage(situation)
