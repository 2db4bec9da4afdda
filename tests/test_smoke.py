"""The standard organization can be built and a goal set on it."""

from __future__ import annotations

from execution_core import KeyResultSpec, SetGoal
from execution_core.events import GoalSet, KeyResultAdded
from execution_core.goals.commands import OwnerSpec
from tests.support import CYCLE_ID, T0, Spec, payload


def test_a_goal_is_set_with_its_key_results(org_spec: Spec) -> None:
    """Given the standard org, when max sets ana a goal with a key result, then both are stored."""
    events = org_spec.when(
        SetGoal(
            actor="max",
            occurred_at=T0,
            cycle_id=CYCLE_ID,
            title="Grow the pipeline",
            owner=OwnerSpec(id="ana"),
            theme_id="growth",
            key_results=(KeyResultSpec(kr_id="deals", name="Deals", target=10),),
        )
    )
    assert [type(e) for e in events] == [GoalSet, KeyResultAdded]
    assert payload(events[1])["target"] == 10
