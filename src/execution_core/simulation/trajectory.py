"""A key result's hidden trajectory: what really happens to the metric, week by week.

Nobody in the simulated organization reads this: owners see the value when they check in, and
managers see only what was logged (:mod:`execution_core.simulation.observation`). The random
draws of a trajectory are made once, up front, from the key result's own generator, so two
policies run on the same seed face the same luck (common random numbers) and differ only by
what they do.
"""

from __future__ import annotations

import random

__all__ = ["LOWEST", "HIGHEST", "Trajectory"]

LOWEST = -0.25
"""Progress never falls below this (a metric does not fall forever)."""
HIGHEST = 1.6
"""Progress never rises above this."""


class Trajectory:
    """The latent progress of one key result (0: baseline, 1: its original target)."""

    __slots__ = ("_moves", "boost", "drift", "progress", "sessions", "week", "weeks")

    def __init__(
        self,
        rng: random.Random,
        *,
        weeks: int,
        reach: float,
        noise: float,
        shock_rate: float,
        shock_size: float,
    ) -> None:
        self.weeks = weeks
        self.drift = reach / weeks
        self.boost = 0.0
        self.progress = 0.0
        self.week = -1
        self.sessions = 0
        moves: list[float] = []
        for _ in range(weeks):
            move = rng.gauss(0.0, noise) if noise else 0.0
            shock = rng.random() < shock_rate
            size = rng.gauss(-shock_size, shock_size / 2) if shock_size else 0.0
            moves.append(move + (size if shock else 0.0))
        self._moves = tuple(moves)

    def advance(self) -> float:
        """Play the next week; return the progress at its end."""
        self.week += 1
        step = self.drift + self.boost + self._moves[self.week]
        self.progress = min(HIGHEST, max(LOWEST, self.progress + step))
        return self.progress

    def coach(self, effect: float) -> None:
        """A coaching session at the end of the current week: from the next week on, the key
        result closes ``effect`` of the shortfall its current line projects at the cycle end."""
        self.sessions += 1
        left = self.weeks - 1 - self.week
        if left <= 0 or effect <= 0.0:
            return
        projected = self.progress + (self.drift + self.boost) * left
        shortfall = max(0.0, 1.0 - projected)
        self.boost += effect * shortfall / left
