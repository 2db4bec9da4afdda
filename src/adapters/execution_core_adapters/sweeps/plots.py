"""A metric of a sweep against one parameter: one line per policy (and per value of any other
parameter the grid varies, so no line averages over points that differ), each with the band
of its confidence interval. Needs matplotlib (the ``notebook`` extra).

Like the notebook adapter's figures, it draws on a new :class:`~matplotlib.figure.Figure`
(never pyplot's global state) or on the ``ax`` given, and returns the figure.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from execution_core_adapters.sweeps.grid import POLICY, BadGrid
from execution_core_adapters.sweeps.results import SweepResult

__all__ = ["plot_sweep"]


def _line_name(values: tuple[tuple[str, object], ...]) -> str:
    return ", ".join(str(value) if name == POLICY else f"{name}={value}" for name, value in values)


def plot_sweep(
    result: SweepResult,
    metric: str,
    *,
    against: str,
    confidence: float = 0.95,
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """``metric``'s mean over the seeds against the parameter ``against``, one line per policy
    (and per value of the grid's other parameters), with its ``confidence`` interval as a band."""
    if against not in result.grid.parameters or against == POLICY:
        raise BadGrid(against, "not a parameter of this sweep to plot against")
    others = [name for name in result.grid.parameters if name != against]
    lines: dict[tuple[tuple[str, object], ...], list[tuple[float, dict[str, object]]]] = {}
    for row in result.summary_records([metric], confidence=confidence):
        x = row[against]
        if not isinstance(x, int | float) or row["mean"] is None:
            continue
        key = tuple((name, row[name]) for name in others if row[name] is not None)
        lines.setdefault(key, []).append((float(x), row))
    if ax is None:
        figure = Figure(figsize=(7, 4), layout="constrained")
        ax = figure.add_subplot()
    else:
        found = ax.get_figure()
        assert isinstance(found, Figure)
        figure = found
    for key, points in lines.items():
        points.sort(key=lambda point: point[0])
        xs = [x for x, _ in points]
        means = [float(row["mean"]) for _, row in points]  # type: ignore[arg-type]
        (line,) = ax.plot(xs, means, marker="o", label=_line_name(key))
        banded = [(x, row) for x, row in points if row["ci_low"] is not None]
        if banded:
            ax.fill_between(
                [x for x, _ in banded],
                [float(row["ci_low"]) for _, row in banded],  # type: ignore[arg-type]
                [float(row["ci_high"]) for _, row in banded],  # type: ignore[arg-type]
                color=line.get_color(),
                alpha=0.15,
                linewidth=0,
            )
    ax.set_xlabel(against)
    ax.set_ylabel(f"{metric} (mean, {confidence:.0%} interval)")
    ax.set_title(title or f"{metric} against {against}")
    ax.legend(fontsize="small")
    return figure
