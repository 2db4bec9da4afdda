"""A sweep's results: one row per run (the point's parameters, the seed, the outcome's metrics),
the runs that failed with their point and seed, per-point summaries with confidence
intervals, and Parquet.

The rows are in the grid's order (point, then seed) whatever order the runs finished in, so
the same sweep gives the same frame on any engine. pandas (and pyarrow, for Parquet) come
with the ``distributed`` extra and are imported when a frame is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from execution_core.simulation import RunOutcome
from execution_core_adapters.sweeps.grid import Grid, Point
from execution_core_adapters.sweeps.stats import mean_interval

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SUMMARY_METRICS", "Run", "RunFailure", "SweepResult"]

SUMMARY_METRICS = (
    "attainment_mean",
    "attainment_original_mean",
    "rating_mean",
    "detection_lead_days_mean",
    "coaching_per_manager_mean",
)
"""The metrics summarized when none are named: attainment (as HR sees it and against the
original targets), ratings, detection lead time and coaching load."""

_OUTCOME_ONLY = ("policy", "seed")
"""Keys of an outcome's record that the point and the run already give."""


@attrs.frozen
class Run:
    """One point played on one seed, and what it came to."""

    point: Point
    seed: int
    outcome: RunOutcome


@attrs.frozen
class RunFailure:
    """A run that raised, with its point and seed; the sweep's other runs are unaffected."""

    point: Point
    seed: int
    error: str

    def __str__(self) -> str:
        return f"{self.point.label}, seed {self.seed}: {self.error}"


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


@attrs.frozen
class SweepResult:
    """Every run of a grid (in grid order) and the runs that failed."""

    grid: Grid
    runs: tuple[Run, ...]
    failures: tuple[RunFailure, ...] = ()

    def record(self, run: Run) -> dict[str, object]:
        """A run as one flat dict: every parameter of the grid (None where the point's policy
        has no such parameter), the seed, and the outcome's metrics."""
        given = run.point.as_dict()
        row: dict[str, object] = {name: given.get(name) for name in self.grid.parameters}
        row["seed"] = run.seed
        for metric, value in run.outcome.to_record().items():
            if metric not in _OUTCOME_ONLY and metric not in row:
                row[metric] = value
        return row

    def records(self) -> list[dict[str, object]]:
        """One flat dict per run."""
        return [self.record(run) for run in self.runs]

    def frame(self) -> pd.DataFrame:
        """The tidy frame: one row per run (see :meth:`record`)."""
        import pandas as pd

        return pd.DataFrame.from_records(self.records())

    def to_parquet(self, path: str | Path) -> Path:
        """Write the frame to a Parquet file; its path."""
        target = Path(path)
        self.frame().to_parquet(target, index=False)
        return target

    def values(self, point: Point, metric: str) -> list[float]:
        """A metric over a point's runs (runs where it is undefined left out)."""
        found = (self.record(run)[metric] for run in self.runs if run.point == point)
        return [v for v in map(_number, found) if v is not None]

    def summary_records(
        self, metrics: Iterable[str] = SUMMARY_METRICS, *, confidence: float = 0.95
    ) -> list[dict[str, object]]:
        """Per point and metric: the parameters, the runs the metric is defined in, its mean,
        standard deviation and the t interval of the mean at ``confidence``."""
        chosen = tuple(metrics)
        by_point: dict[Point, list[dict[str, object]]] = {}
        for run in self.runs:
            by_point.setdefault(run.point, []).append(self.record(run))
        rows: list[dict[str, object]] = []
        for point in self.grid.points:
            given = point.as_dict()
            mine = by_point.get(point, [])
            for metric in chosen:
                found = (_number(record.get(metric)) for record in mine)
                interval = mean_interval([v for v in found if v is not None], confidence)
                rows.append(
                    {
                        **{name: given.get(name) for name in self.grid.parameters},
                        "metric": metric,
                        "runs": interval.runs,
                        "mean": interval.mean,
                        "sd": interval.sd,
                        "ci_low": interval.low,
                        "ci_high": interval.high,
                    }
                )
        return rows

    def summary(
        self, metrics: Iterable[str] = SUMMARY_METRICS, *, confidence: float = 0.95
    ) -> pd.DataFrame:
        """:meth:`summary_records` as a frame."""
        import pandas as pd

        return pd.DataFrame.from_records(self.summary_records(metrics, confidence=confidence))
