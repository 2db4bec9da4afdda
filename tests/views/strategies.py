"""Random histories for the view properties: operations drawn by hypothesis, played through
``Execution`` on the standard organization (a refused command records nothing and is skipped).

Goals live in *namespaces* so that one person's history can be generated apart from everyone
else's (the appraisal independence property): a namespace's goals are owned only by its owners
and aligned only to the theme or to goals of the same namespace.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import attrs
from hypothesis import strategies as st

from execution_core import ExecutionError, GoalKind, Owner, Policy
from tests.views.scenario import CYCLE_ID, History, d, on

__all__ = ["Op", "Player", "ops"]

KR_KINDS = ("up", "up-stretch", "down", "down-stretch", "milestone")


@attrs.frozen
class Op:
    """One drawn operation: ``kind`` and its arguments (indexes are taken modulo what exists)."""

    kind: str
    args: tuple[Any, ...]


def _kr(kind: str, n: int, weight: float) -> dict[str, Any]:
    kr_id = f"k{n}"
    if kind == "milestone":
        return {"kr_id": kr_id, "name": kr_id, "milestone": True, "weight": weight}
    up = kind.startswith("up")
    stretch = kind.endswith("stretch")
    return {
        "kr_id": kr_id,
        "name": kr_id,
        "baseline": 0.0 if up else 10.0,
        "target": 100.0 if up else 4.0,
        "stretch": (120.0 if up else 3.0) if stretch else None,
        "direction": "increase" if up else "decrease",
        "weight": weight,
    }


days = st.integers(min_value=0, max_value=364).map(float)
early = st.integers(min_value=0, max_value=40).map(float)
fractions = st.sampled_from([-0.5, 0.0, 0.2, 0.5, 0.7, 0.9, 1.0, 1.3, 2.0])
weights = st.sampled_from([0.5, 1.0, 2.0])


def ops(
    owners: Sequence[str | Owner],
    people: Sequence[str],
    *,
    policies: bool = True,
    realigning: bool = False,
) -> Any:
    """A strategy for a list of operations on goals of ``owners`` and people ``people``: a few
    goals, check-ins on them, then anything (``realigning``: then realignments and check-ins)."""
    parents = st.integers(0, 20)
    alignments = st.one_of(st.none(), st.just("theme"), parents, parents, parents)
    krs = st.lists(st.tuples(st.sampled_from(KR_KINDS), weights), min_size=1, max_size=2)
    goal = st.builds(
        lambda owner, align, weight, krs, dev, day: Op(
            "goal", (owner, align, weight, krs, dev, day)
        ),
        st.sampled_from(list(owners)),
        alignments,
        weights,
        st.one_of(krs, krs, st.just([])),
        st.booleans(),
        early,
    )
    log = st.builds(
        lambda g, k, frac, conf, day: Op("log", (g, k, frac, conf, day)),
        st.integers(0, 20),
        st.integers(0, 1),
        fractions,
        st.sampled_from([0.1, 0.5, 0.9]),
        days,
    )
    realign = st.builds(
        lambda g, to, day: Op("realign", (g, to, day)),
        st.integers(0, 20),
        alignments,
        days,
    )
    change = st.one_of(
        st.builds(
            lambda g, k, f, day: Op("adjust", (g, k, f, day)),
            st.integers(0, 20),
            st.integers(0, 1),
            st.sampled_from([0.5, 0.8, 1.2]),
            days,
        ),
        st.builds(lambda g, w, day: Op("weight", (g, w, day)), st.integers(0, 20), weights, days),
        st.builds(lambda g, day: Op("drop", (g, day)), st.integers(0, 20), days),
        st.builds(lambda g, day: Op("complete", (g, day)), st.integers(0, 20), days),
        st.builds(
            lambda g, o, day: Op("reassign", (g, o, day)),
            st.integers(0, 20),
            st.sampled_from(list(owners)),
            days,
        ),
    )
    person = st.sampled_from(list(people))
    coaching = st.one_of(
        st.builds(
            lambda p, g, commit, day: Op("coach", (p, g, commit, day)),
            person,
            st.one_of(st.none(), st.integers(0, 20)),
            st.booleans(),
            days,
        ),
        st.builds(lambda p, kept, day: Op("resolve", (p, kept, day)), person, st.booleans(), days),
    )
    appraisal = st.one_of(
        st.builds(
            lambda p, r, day: Op("appraise", (p, r, day)),
            person,
            st.integers(1, 5),
            st.integers(300, 400).map(float),
        ),
        st.builds(
            lambda p, r, day: Op("calibrate", (p, r, day)),
            person,
            st.integers(1, 5),
            st.integers(300, 400).map(float),
        ),
    )
    choices = [goal, log, log, log, realign, change, change, coaching, appraisal]
    if policies:
        choices.append(
            st.builds(
                lambda on_track, day: Op("policy", (on_track, day)),
                st.sampled_from([0.8, 0.95]),
                days,
            )
        )
    if realigning:
        return st.builds(
            lambda first, logs, moves, more: first + logs + moves + more,
            st.lists(goal, min_size=2, max_size=6),
            st.lists(log, min_size=1, max_size=10),
            st.lists(
                st.builds(
                    lambda g, to, day: Op("realign", (g, to, day)),
                    st.integers(0, 20),
                    alignments,
                    early,
                ),
                min_size=1,
                max_size=6,
            ),
            st.lists(log, max_size=5),
        )
    return st.builds(
        lambda first, logs, then: first + logs + then,
        st.lists(goal, min_size=1, max_size=5),
        st.lists(log, max_size=10),
        st.lists(st.one_of(log, *choices), min_size=1, max_size=40),
    )


class Player:
    """Plays operations on a history; each namespace has its own goals and ids."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.x = history.execution
        self.goals: dict[int, list[tuple[UUID, list[str]]]] = {}
        self.commitments: dict[str, list[str]] = {}
        self.made = 0

    def play(self, op: Op, namespace: int = 0) -> None:
        """Run one operation; a refused command is skipped."""
        with contextlib.suppress(ExecutionError):
            getattr(self, f"_{op.kind}")(namespace, *op.args)

    def _goal_at(self, namespace: int, index: int) -> tuple[UUID, list[str]] | None:
        goals = self.goals.get(namespace, [])
        return goals[index % len(goals)] if goals else None

    def _measured_at(self, namespace: int, index: int) -> tuple[UUID, list[str]] | None:
        """The ``index``-th goal with key results (modulo how many there are)."""
        measured = [g for g in self.goals.get(namespace, []) if g[1]]
        return measured[index % len(measured)] if measured else None

    def _alignment(self, namespace: int, align: Any) -> dict[str, Any]:
        if align == "theme":
            return {"theme_id": "growth"}
        parent = None if align is None else self._goal_at(namespace, align)
        return {} if parent is None else {"parent_goal_id": parent[0]}

    def _goal(  # noqa: PLR0917 - an operation's arguments, in the order they are drawn
        self,
        namespace: int,
        owner: str | Owner,
        align: Any,
        weight: float,
        krs: list[tuple[str, float]],
        dev: bool,
        day: float,
    ) -> None:
        goals = self.goals.setdefault(namespace, [])
        goal_id = UUID(int=(namespace + 1) * 0x1000 + len(goals))
        kind = GoalKind.DEVELOPMENTAL if dev and isinstance(owner, str) else GoalKind.INDIVIDUAL
        specs = [_kr(k, n, w) for n, (k, w) in enumerate(krs)]
        self.x.set_goal(
            CYCLE_ID,
            f"goal {goal_id.int:x}",
            owner,
            goal_id=goal_id,
            kind=kind,
            weight=weight,
            key_results=specs,
            actor="cleo",
            occurred_at=d(day),
            **self._alignment(namespace, align),
        )
        goals.append((goal_id, [s["kr_id"] for s in specs]))

    def _log(  # noqa: PLR0917 - an operation's arguments, in the order they are drawn
        self, namespace: int, g: int, k: int, frac: float, conf: float, day: float
    ) -> None:
        found = self._measured_at(namespace, g)
        if found is None:
            return
        goal_id, krs = found
        kr = self.x.goal(goal_id).key_results[krs[k % len(krs)]]
        if kr.milestone:
            value = 1.0 if frac >= 0.9 else 0.0
        else:
            value = kr.baseline + frac * (kr.target - kr.baseline)
        owner = self.x.goal(goal_id).owner
        self.x.log_progress(
            goal_id,
            kr.id,
            value=value,
            confidence=conf,
            actor="max" if owner.kind == "unit" else "cleo",
            occurred_at=d(day),
        )

    def _adjust(self, namespace: int, g: int, k: int, f: float, day: float) -> None:
        found = self._measured_at(namespace, g)
        if found is None:
            return
        goal_id, krs = found
        kr = self.x.goal(goal_id).key_results[krs[k % len(krs)]]
        target = kr.baseline + f * (kr.target - kr.baseline)
        self.x.adjust_target(
            goal_id, kr.id, target=target, reason="adjusted", actor="cleo", occurred_at=d(day)
        )

    def _realign(self, namespace: int, g: int, to: Any, day: float) -> None:
        found = self._goal_at(namespace, g)
        if found is not None:
            self.x.realign_goal(
                found[0],
                reason="realigned",
                actor="cleo",
                occurred_at=d(day),
                **self._alignment(namespace, to),
            )

    def _weight(self, namespace: int, g: int, weight: float, day: float) -> None:
        found = self._goal_at(namespace, g)
        if found is not None:
            self.x.weight_goal(found[0], weight, actor="cleo", occurred_at=d(day))

    def _drop(self, namespace: int, g: int, day: float) -> None:
        found = self._goal_at(namespace, g)
        if found is not None:
            self.x.drop_goal(found[0], reason="dropped", actor="cleo", occurred_at=d(day))

    def _complete(self, namespace: int, g: int, day: float) -> None:
        found = self._goal_at(namespace, g)
        if found is not None:
            self.x.complete_goal(found[0], actor="cleo", occurred_at=d(day))

    def _reassign(self, namespace: int, g: int, owner: str | Owner, day: float) -> None:
        found = self._goal_at(namespace, g)
        if found is not None:
            self.x.reassign_goal(
                found[0], owner, reason="handover", actor="cleo", occurred_at=d(day)
            )

    def _coach(self, namespace: int, person: str, g: int | None, commit: bool, day: float) -> None:
        about = None if g is None else self._goal_at(namespace, g)
        commitments: list[dict[str, Any]] = []
        if commit:
            self.made += 1
            commitments.append(
                {"commitment_id": f"c{self.made}", "action": "act", "due_on": on(int(day) + 10)}
            )
        self.x.give_coaching(
            person,
            goal_id=None if about is None else about[0],
            commitments=commitments,
            actor="cleo",
            occurred_at=d(day),
        )
        self.commitments.setdefault(person, []).extend(c["commitment_id"] for c in commitments)

    def _resolve(self, namespace: int, person: str, kept: bool, day: float) -> None:
        open_ = self.commitments.get(person, [])
        if not open_:
            return
        commitment = open_.pop(0)
        if kept:
            self.x.keep_commitment(person, commitment, actor=person, occurred_at=d(day))
        else:
            self.x.miss_commitment(person, commitment, actor=person, occurred_at=d(day))

    def _appraise(self, namespace: int, person: str, rating: int, day: float) -> None:
        self.x.record_appraisal(CYCLE_ID, person, rating, actor="hana", occurred_at=d(day))

    def _calibrate(self, namespace: int, person: str, rating: int, day: float) -> None:
        self.x.calibrate_rating(
            CYCLE_ID, person, rating, reason="calibrated", actor="hana", occurred_at=d(day)
        )

    def _policy(self, namespace: int, on_track: float, day: float) -> None:
        self.x.adopt_policy(CYCLE_ID, Policy(on_track=on_track), actor="cleo", occurred_at=d(day))
