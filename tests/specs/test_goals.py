"""Goal streams: setting and planning a goal, check-ins, adjustments, its end and its review.

The standard goal is ana's ``Deals`` (key result ``deals``, 0 to 10) in the 2026 cycle; max is
her manager, cleo the executive, ben a peer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from execution_core.access import Owner
from execution_core.errors import InvalidInput, NotFound, NotPermitted, RuleViolated
from execution_core.goals.commands import (
    ActionSpec,
    AddKeyResult,
    AdjustTarget,
    CompleteAction,
    CompleteGoal,
    DropAction,
    DropGoal,
    KeyResultSpec,
    LogProgress,
    OwnerSpec,
    PlanAction,
    RealignGoal,
    ReassignGoal,
    ReviewGoal,
    SetGoal,
    WeightGoal,
)
from execution_core.goals.events import (
    ActionDone,
    ActionDropped,
    ActionPlanned,
    Alignment,
    Direction,
    GoalCompleted,
    GoalDropped,
    GoalKind,
    GoalRealigned,
    GoalReassigned,
    GoalReviewed,
    GoalSet,
    GoalWeighted,
    KeyResultAdded,
    ProgressLogged,
    TargetAdjusted,
)
from execution_core.strategy.events import ThemeRetired
from tests.specs.background import GOAL_ID, closed_cycle, cycle, deals_goal, world
from tests.specs.gwt import Fact, Scenario, fact
from tests.support import CYCLE_ID, day

MAX = {"actor": "max", "occurred_at": day(1)}
ANA = {"actor": "ana", "occurred_at": day(2)}
CHILD = UUID("00000000-0000-4000-8000-00000000a002")
OTHER_CYCLE = UUID("00000000-0000-4000-8000-0000000000c9")
UNKNOWN = UUID("00000000-0000-4000-8000-0000000000ee")
CALLS = ActionSpec(
    action_id="calls", task="Call ten prospects", owner_id="ana", due_on=date(2026, 2, 1)
)


def given_goal(*more: Fact) -> Scenario:
    return Scenario().given(*world(), *deals_goal(), *more)


def planned(action_id: str = "calls") -> Fact:
    return fact(
        ActionPlanned,
        stream_id=GOAL_ID,
        actor="max",
        action_id=action_id,
        task="Call ten prospects",
        owner_id="ana",
        due_on=date(2026, 2, 1),
    )


def key_result_added(kr_id: str, **fields: Any) -> Fact:
    values: dict[str, Any] = {
        "kr_name": kr_id.title(),
        "unit": "",
        "baseline": 0.0,
        "target": 1.0,
        "stretch": None,
        "direction": Direction.INCREASE,
        "milestone": False,
        "weight": 1.0,
    }
    return fact(KeyResultAdded, kr_id=kr_id, **{**values, **fields})


# -- SetGoal --------------------------------------------------------------------------------


def test_set_goal_records_the_goal_its_key_results_and_its_actions() -> None:
    """When max sets ana a goal aligned to growth with a key result and an action, then
    GoalSet, KeyResultAdded and ActionPlanned, in that order."""
    Scenario().given(*world()).when(
        SetGoal(
            goal_id=GOAL_ID,
            cycle_id=CYCLE_ID,
            title="Deals",
            owner=OwnerSpec(id="ana"),
            theme_id="growth",
            key_results=(KeyResultSpec(kr_id="deals", name="Deals", target=10, stretch=15),),
            actions=(CALLS,),
            **MAX,
        )
    ).then(
        fact(
            GoalSet,
            title="Deals",
            kind=GoalKind.INDIVIDUAL,
            owner=Owner("person", "ana"),
            cycle_id=CYCLE_ID,
            aligned_to=Alignment(theme_id="growth"),
            weight=1.0,
        ),
        key_result_added("deals", kr_name="Deals", target=10.0, stretch=15.0),
        fact(
            ActionPlanned,
            action_id="calls",
            task="Call ten prospects",
            owner_id="ana",
            due_on=date(2026, 2, 1),
        ),
    )


def test_set_goal_cascades_from_a_parent_of_the_same_cycle() -> None:
    """A goal set under max's goal is aligned to it."""
    scenario = given_goal()
    scenario.when(
        SetGoal(
            goal_id=CHILD,
            cycle_id=CYCLE_ID,
            title="Calls",
            owner=OwnerSpec(id="ana"),
            parent_goal_id=GOAL_ID,
            **MAX,
        )
    ).then(
        fact(
            GoalSet,
            title="Calls",
            kind=GoalKind.INDIVIDUAL,
            owner=Owner("person", "ana"),
            cycle_id=CYCLE_ID,
            aligned_to=Alignment(parent_id=GOAL_ID),
            weight=1.0,
        )
    )


def set_goal(**fields: Any) -> SetGoal:
    values: dict[str, Any] = {
        "goal_id": CHILD,
        "cycle_id": CYCLE_ID,
        "title": "Calls",
        "owner": OwnerSpec(id="ana"),
        **MAX,
    }
    return SetGoal(**{**values, **fields})


def test_set_goal_refuses_a_taken_id_an_unknown_owner_and_someone_outside_the_line() -> None:
    """A goal id already set breaks a rule; an owner nobody knows is not found to a manager;
    a peer may not set a goal for ana."""
    given_goal().when(set_goal(goal_id=GOAL_ID)).then_refused(RuleViolated, "already exists")
    given_goal().when(set_goal(owner=OwnerSpec(id="zoe"))).then_refused(
        NotFound, "unknown person 'zoe'"
    )
    given_goal().when(set_goal(actor="ben")).then_refused(NotPermitted, "'ben' is not permitted to")


def test_set_goal_refuses_an_unknown_or_closed_cycle() -> None:
    """An unknown cycle is not found; a closed cycle takes no new goal."""
    given_goal().when(set_goal(cycle_id=UNKNOWN)).then_refused(NotFound, "unknown cycle")
    given_goal(closed_cycle()).when(set_goal()).then_refused(RuleViolated, "closed on 2026-12-31")


def test_set_goal_refuses_a_bad_alignment() -> None:
    """An unknown theme is not found, a retired one takes no goals, a parent in another cycle
    does not cascade, and a developmental goal belongs to a person."""
    given_goal().when(set_goal(theme_id="nope")).then_refused(NotFound, "unknown theme")
    given_goal(fact(ThemeRetired, actor="cleo", theme_id="growth")).when(
        set_goal(theme_id="growth")
    ).then_refused(RuleViolated, "retired")
    given_goal(*cycle(OTHER_CYCLE, "2027")).when(
        set_goal(cycle_id=OTHER_CYCLE, parent_goal_id=GOAL_ID)
    ).then_refused(RuleViolated, "same cycle")
    given_goal().when(set_goal(parent_goal_id=UNKNOWN)).then_refused(NotFound, "unknown parent")
    given_goal().when(
        set_goal(kind=GoalKind.DEVELOPMENTAL, owner=OwnerSpec(kind="unit", id="sales"))
    ).then_refused(RuleViolated, "belongs to a person")
    given_goal().when(set_goal(goal_id=None)).then_refused(InvalidInput, "goal_id")


# -- AddKeyResult ---------------------------------------------------------------------------


def test_add_key_result() -> None:
    """When ana adds a milestone to her goal, then KeyResultAdded."""
    given_goal().when(
        AddKeyResult(
            goal_id=GOAL_ID,
            key_result=KeyResultSpec(kr_id="demo", name="Demo", milestone=True),
            **ANA,
        )
    ).then(key_result_added("demo", milestone=True))


def test_add_key_result_refuses_a_taken_id_and_an_unknown_goal() -> None:
    """A key result id already in the goal breaks a rule; an unknown goal is not found."""
    spec = KeyResultSpec(kr_id="deals", name="Deals")
    given_goal().when(AddKeyResult(goal_id=GOAL_ID, key_result=spec, **ANA)).then_refused(
        RuleViolated, "already exists"
    )
    given_goal().when(AddKeyResult(goal_id=UNKNOWN, key_result=spec, **ANA)).then_refused(
        NotFound, "unknown goal"
    )


# -- LogProgress ----------------------------------------------------------------------------


def test_log_progress_records_the_check_in() -> None:
    """When ana checks in 4 deals at 0.8 confidence, then ProgressLogged with its source."""
    given_goal().when(
        LogProgress(goal_id=GOAL_ID, kr_id="deals", value=4, confidence=0.8, comment="ok", **ANA)
    ).then(
        fact(
            ProgressLogged,
            kr_id="deals",
            value=4.0,
            confidence=0.8,
            comment="ok",
            source="check-in",
        )
    )


def test_log_progress_refuses_an_unknown_key_result_a_date_outside_the_cycle_and_a_peer() -> None:
    """An unknown key result is not found; a check-in dated outside the cycle breaks a rule;
    a peer may not log progress on ana's goal."""
    check_in: dict[str, Any] = {"goal_id": GOAL_ID, "value": 1, "confidence": 0.5}
    given_goal().when(LogProgress(kr_id="calls", **check_in, **ANA)).then_refused(
        NotFound, "unknown key result 'calls'"
    )
    given_goal().when(
        LogProgress(
            kr_id="deals", **check_in, actor="ana", occurred_at=datetime(2027, 1, 3, tzinfo=UTC)
        )
    ).then_refused(RuleViolated, "outside the goal's cycle")
    given_goal().when(
        LogProgress(kr_id="deals", **check_in, actor="ben", occurred_at=day(2))
    ).then_refused(NotPermitted, "'ben' is not permitted to")


def test_log_progress_refuses_a_milestone_half_done_and_any_check_in_after_the_close() -> None:
    """A milestone is 0 or 1; once the cycle is closed no check-in is recorded, whatever its
    business date."""
    given_goal(key_result_added("demo", stream_id=GOAL_ID, milestone=True)).when(
        LogProgress(goal_id=GOAL_ID, kr_id="demo", value=0.5, confidence=0.5, **ANA)
    ).then_refused(RuleViolated, "milestone")
    given_goal(closed_cycle()).when(
        LogProgress(goal_id=GOAL_ID, kr_id="deals", value=4, confidence=0.8, **ANA)
    ).then_refused(RuleViolated, "only reviews and appraisals")


# -- AdjustTarget ---------------------------------------------------------------------------


def test_adjust_target_records_the_old_and_new_target() -> None:
    """When max lowers the deals target to 8 with a stretch of 12, then TargetAdjusted."""
    given_goal().when(
        AdjustTarget(
            goal_id=GOAL_ID, kr_id="deals", target=8, stretch=12, reason="slow market", **MAX
        )
    ).then(
        fact(
            TargetAdjusted,
            kr_id="deals",
            old_target=10.0,
            new_target=8.0,
            old_stretch=None,
            new_stretch=12.0,
            reason="slow market",
        )
    )


def test_adjust_target_refuses_the_owner_the_same_target_and_a_target_at_the_baseline() -> None:
    """The owner may not adjust her own target; the same target changes nothing; a target at
    the baseline leaves no gap."""
    adjust: dict[str, Any] = {"goal_id": GOAL_ID, "kr_id": "deals", "reason": "why"}
    given_goal().when(AdjustTarget(target=8, **adjust, **ANA)).then_refused(
        NotPermitted, "'ana' is not permitted to"
    )
    given_goal().when(AdjustTarget(target=10, **adjust, **MAX)).then_refused(
        RuleViolated, "already these"
    )
    given_goal().when(AdjustTarget(target=0, **adjust, **MAX)).then_refused(RuleViolated, "no gap")


# -- RealignGoal ----------------------------------------------------------------------------


def test_realign_goal_records_the_old_and_new_alignment() -> None:
    """When max aligns ana's goal to growth, then GoalRealigned from nothing to growth."""
    given_goal().when(
        RealignGoal(goal_id=GOAL_ID, theme_id="growth", reason="it grows revenue", **MAX)
    ).then(
        fact(
            GoalRealigned,
            old_alignment=None,
            new_alignment=Alignment(theme_id="growth"),
            reason="it grows revenue",
        )
    )


def test_realign_goal_refuses_the_same_alignment_itself_and_its_own_descendant() -> None:
    """The alignment in force changes nothing; a goal aligns neither to itself nor to a goal
    below it (a loop)."""
    child = [
        fact(
            GoalSet,
            stream_id=CHILD,
            actor="max",
            title="Calls",
            kind=GoalKind.INDIVIDUAL,
            owner=Owner("person", "ana"),
            cycle_id=CYCLE_ID,
            aligned_to=Alignment(parent_id=GOAL_ID),
            weight=1.0,
        )
    ]
    given_goal().when(RealignGoal(goal_id=GOAL_ID, reason="none", **MAX)).then_refused(
        RuleViolated, "already aligned to nothing"
    )
    given_goal().when(
        RealignGoal(goal_id=GOAL_ID, parent_goal_id=GOAL_ID, reason="me", **MAX)
    ).then_refused(RuleViolated, "to itself")
    given_goal(*child).when(
        RealignGoal(goal_id=GOAL_ID, parent_goal_id=CHILD, reason="loop", **MAX)
    ).then_refused(RuleViolated, "its own descendant")


# -- ReassignGoal ---------------------------------------------------------------------------


def test_reassign_goal_records_the_old_and_new_owner() -> None:
    """When max hands ana's goal to ben, then GoalReassigned."""
    given_goal().when(
        ReassignGoal(goal_id=GOAL_ID, owner=OwnerSpec(id="ben"), reason="ana moved on", **MAX)
    ).then(
        fact(
            GoalReassigned,
            old_owner=Owner("person", "ana"),
            new_owner=Owner("person", "ben"),
            reason="ana moved on",
        )
    )


def test_reassign_goal_refuses_the_same_owner_and_an_unknown_one() -> None:
    """The owner already holding the goal changes nothing; an unknown owner is not found."""
    given_goal().when(
        ReassignGoal(goal_id=GOAL_ID, owner=OwnerSpec(id="ana"), reason="same", **MAX)
    ).then_refused(RuleViolated, "already belongs")
    given_goal().when(
        ReassignGoal(goal_id=GOAL_ID, owner=OwnerSpec(id="zoe"), reason="new", **MAX)
    ).then_refused(NotFound, "unknown person 'zoe'")


# -- WeightGoal -----------------------------------------------------------------------------


def test_weight_goal() -> None:
    """When max weighs ana's goal 2, then GoalWeighted from 1 to 2."""
    given_goal().when(WeightGoal(goal_id=GOAL_ID, weight=2, **MAX)).then(
        fact(GoalWeighted, old_weight=1.0, new_weight=2.0)
    )


def test_weight_goal_refuses_the_same_weight_and_the_owner() -> None:
    """The weight in force changes nothing; the owner may not reweigh her goal."""
    given_goal().when(WeightGoal(goal_id=GOAL_ID, weight=1, **MAX)).then_refused(
        RuleViolated, "already weighs"
    )
    given_goal().when(WeightGoal(goal_id=GOAL_ID, weight=2, **ANA)).then_refused(
        NotPermitted, "'ana' is not permitted to"
    )


# -- PlanAction, CompleteAction, DropAction -------------------------------------------------


def test_plan_action() -> None:
    """When ana plans calls on her goal, then ActionPlanned."""
    given_goal().when(PlanAction(goal_id=GOAL_ID, action=CALLS, **ANA)).then(
        fact(
            ActionPlanned,
            action_id="calls",
            task="Call ten prospects",
            owner_id="ana",
            due_on=date(2026, 2, 1),
        )
    )


def test_plan_action_refuses_a_taken_id_and_an_unknown_owner() -> None:
    """An action id already planned breaks a rule; an action owner nobody knows is not found."""
    given_goal(planned()).when(PlanAction(goal_id=GOAL_ID, action=CALLS, **ANA)).then_refused(
        RuleViolated, "already exists"
    )
    stranger = CALLS.model_copy(update={"action_id": "visit", "owner_id": "zoe"})
    given_goal().when(PlanAction(goal_id=GOAL_ID, action=stranger, **ANA)).then_refused(
        NotFound, "unknown person 'zoe'"
    )


def test_complete_action() -> None:
    """Given calls planned, when ana completes it, then ActionDone."""
    given_goal(planned()).when(CompleteAction(goal_id=GOAL_ID, action_id="calls", **ANA)).then(
        fact(ActionDone, action_id="calls")
    )


def test_complete_action_refuses_an_unknown_action_and_one_already_done() -> None:
    """An unknown action is not found; an action done is not done again."""
    given_goal().when(CompleteAction(goal_id=GOAL_ID, action_id="calls", **ANA)).then_refused(
        NotFound, "unknown action 'calls'"
    )
    done = fact(ActionDone, stream_id=GOAL_ID, actor="ana", action_id="calls")
    given_goal(planned(), done).when(
        CompleteAction(goal_id=GOAL_ID, action_id="calls", **ANA)
    ).then_refused(RuleViolated, "already done")


def test_drop_action() -> None:
    """Given calls planned, when ana drops it, then ActionDropped with the reason."""
    given_goal(planned()).when(
        DropAction(goal_id=GOAL_ID, action_id="calls", reason="no list", **ANA)
    ).then(fact(ActionDropped, action_id="calls", reason="no list"))


def test_drop_action_refuses_one_already_dropped() -> None:
    """An action dropped is not dropped again."""
    dropped = fact(ActionDropped, stream_id=GOAL_ID, actor="ana", action_id="calls")
    given_goal(planned(), dropped).when(
        DropAction(goal_id=GOAL_ID, action_id="calls", **ANA)
    ).then_refused(RuleViolated, "already dropped")


# -- CompleteGoal, DropGoal -----------------------------------------------------------------


def test_complete_goal() -> None:
    """When ana declares her goal complete, then GoalCompleted."""
    given_goal().when(CompleteGoal(goal_id=GOAL_ID, **ANA)).then(fact(GoalCompleted))


def test_complete_goal_refuses_a_goal_completed_and_an_unknown_one() -> None:
    """A goal that is no longer active takes nothing but its review; an unknown goal is not
    found."""
    completed = fact(GoalCompleted, stream_id=GOAL_ID, actor="ana")
    given_goal(completed).when(CompleteGoal(goal_id=GOAL_ID, **ANA)).then_refused(
        RuleViolated, "is completed"
    )
    given_goal().when(CompleteGoal(goal_id=UNKNOWN, **ANA)).then_refused(NotFound, "unknown goal")


def test_drop_goal() -> None:
    """When max drops ana's goal, then GoalDropped with the reason."""
    given_goal().when(DropGoal(goal_id=GOAL_ID, reason="market gone", **MAX)).then(
        fact(GoalDropped, reason="market gone")
    )


def test_drop_goal_refuses_the_owner_and_a_closed_cycle() -> None:
    """The owner may not drop her goal; nothing of play is recorded after the close."""
    given_goal().when(DropGoal(goal_id=GOAL_ID, reason="tired", **ANA)).then_refused(
        NotPermitted, "'ana' is not permitted to"
    )
    given_goal(closed_cycle()).when(DropGoal(goal_id=GOAL_ID, reason="late", **MAX)).then_refused(
        RuleViolated, "closed on 2026-12-31"
    )


# -- ReviewGoal -----------------------------------------------------------------------------


def test_review_goal_is_recorded_after_the_close() -> None:
    """Given the cycle closed, when ana reviews her goal, then GoalReviewed (the game review
    comes after the game)."""
    given_goal(closed_cycle()).when(
        ReviewGoal(
            goal_id=GOAL_ID, worked="calls", did_not_work="demos", lessons="start early", **ANA
        )
    ).then(fact(GoalReviewed, worked="calls", did_not_work="demos", lessons="start early"))


def test_review_goal_refuses_a_second_review_and_a_peer() -> None:
    """A goal is reviewed once; a peer may not review ana's goal."""
    reviewed = fact(
        GoalReviewed, stream_id=GOAL_ID, actor="ana", worked="", did_not_work="", lessons=""
    )
    given_goal(reviewed).when(ReviewGoal(goal_id=GOAL_ID, **ANA)).then_refused(
        RuleViolated, "already been reviewed"
    )
    given_goal().when(ReviewGoal(goal_id=GOAL_ID, actor="ben", occurred_at=day(2))).then_refused(
        NotPermitted, "'ben' is not permitted to"
    )
