"""Early warning measured honestly: lead time, false alarms and misses of the live view's flags
under several forecast rules, on simulated organizations, against today's forecast.

    python -m benchmarks.early_warning [--seeds 5] [--people 60]

Simulates ``--seeds`` organizations (the default model: ``--people`` people, 26 weeks, managers
playing execution management), then reads every history's flags
(:func:`execution_core.views.early_warning`) under each rule: *today* (the default policy:
a forecast from the first check-in), and rules that need more evidence before a forecast
counts (``Policy.forecast_min_checkins``, ``forecast_min_elapsed``). The figures are pooled
over the seeds; each rule is printed with its ratio to today's in the same run. The simulated
managers acted on today's forecast (their coaching is part of every history alike): the rules
are compared on the same histories, not on what managers would have done under each.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

from execution_core import Policy
from execution_core.simulation import Model
from execution_core.views import EarlyWarning, early_warning
from execution_core_adapters.simulate import simulate

RULES: dict[str, Policy] = {
    "today (1 check-in)": Policy(),
    "3 check-ins": Policy(forecast_min_checkins=3),
    "20% of the cycle": Policy(forecast_min_elapsed=0.2),
    "3 check-ins and 15%": Policy(forecast_min_checkins=3, forecast_min_elapsed=0.15),
}
"""The forecast rules compared; the first is the baseline."""


def _pooled(reports: Sequence[EarlyWarning]) -> dict[str, float]:
    flagged = sum(r.flagged for r in reports)
    missed = sum(r.missed for r in reports)
    caught = sum(r.caught for r in reports)
    lead = [d for r in reports for d in r.lead_days]
    return {
        "goals": sum(len(r.rows) for r in reports),
        "flagged": flagged,
        "false alarms": flagged - caught,
        "misses": missed - caught,
        "precision": caught / flagged if flagged else float("nan"),
        "recall": caught / missed if missed else float("nan"),
        "median lead days": statistics.median(lead) if lead else float("nan"),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Run the measurement and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--people", type=int, default=60)
    args = parser.parse_args(argv)
    model = Model(people=args.people)
    started = time.perf_counter()
    histories = []
    for seed in range(1, args.seeds + 1):
        with simulate(model, seed=seed) as run:
            histories.append((run.ledger(), run.cycle_id, run.latest()))
    print(
        f"{args.seeds} simulated organizations of {args.people} people, 26 weeks "
        f"({time.perf_counter() - started:.0f} s)"
    )
    figures = {
        name: _pooled([early_warning(led, c, at=at, policy=policy) for led, c, at in histories])
        for name, policy in RULES.items()
    }
    baseline = figures[next(iter(RULES))]
    header = f"{'rule':<22}" + "".join(f"{k:>18}" for k in baseline)
    print(header)
    for name, row in figures.items():
        print(f"{name:<22}" + "".join(f"{v:>18.3g}" for v in row.values()))
    print("ratios to today's forecast (same histories, same run):")
    for name, row in list(figures.items())[1:]:
        ratios = ", ".join(
            f"{k} x{row[k] / baseline[k]:.2f}"
            for k in ("false alarms", "misses", "precision", "recall", "median lead days")
            if baseline[k]
        )
        print(f"  {name}: {ratios}")


if __name__ == "__main__":
    main()
