"""Coaching journals: who may coach whom, commitments, and coaching about a goal."""

from __future__ import annotations

from datetime import date
from typing import Any

from execution_core.coaching.commands import (
    CommitmentSpec,
    GiveCoaching,
    KeepCommitment,
    MakeCommitment,
    MissCommitment,
)
from execution_core.coaching.events import (
    CoachingGiven,
    CoachingKind,
    CommitmentKept,
    CommitmentMade,
    CommitmentMissed,
)
from execution_core.errors import NotFound, NotPermitted, RuleViolated
from execution_core.ids import coaching_stream_id
from execution_core.organization.events import PersonLeft
from tests.specs.background import GOAL_ID, closed_cycle, deals_goal, world
from tests.specs.gwt import Fact, Scenario, fact
from tests.support import day

MAX = {"actor": "max", "occurred_at": day(3)}
ANA = {"actor": "ana", "occurred_at": day(9)}
JOURNAL = coaching_stream_id("ana")
BEN_GOAL = deals_goal(GOAL_ID, owner="ben", title="Ben's deals")
PITCH = CommitmentSpec(commitment_id="pitch", action="Rehearse the pitch", due_on=date(2026, 1, 20))


def given(*more: Fact) -> Scenario:
    return Scenario().given(*world(), *deals_goal(), *more)


def made(**fields: Any) -> Fact:
    values: dict[str, Any] = {
        "stream_id": JOURNAL,
        "actor": "max",
        "commitment_id": "pitch",
        "person_id": "ana",
        "action": "Rehearse the pitch",
        "due_on": date(2026, 1, 20),
        "goal_id": None,
    }
    return fact(CommitmentMade, **{**values, **fields})


# -- GiveCoaching ---------------------------------------------------------------------------


def test_give_coaching_about_a_goal_with_a_commitment() -> None:
    """When max coaches ana about her goal and she commits to rehearse, then CoachingGiven by
    max and CommitmentMade tied to the goal, in ana's journal."""
    given().when(
        GiveCoaching(
            person_id="ana",
            goal_id=GOAL_ID,
            kind=CoachingKind.RECOGNITION,
            note="Great demo",
            commitments=(PITCH,),
            **MAX,
        )
    ).then(
        fact(
            CoachingGiven,
            coach_id="max",
            person_id="ana",
            goal_id=GOAL_ID,
            kind=CoachingKind.RECOGNITION,
            note="Great demo",
        ),
        fact(
            CommitmentMade,
            commitment_id="pitch",
            person_id="ana",
            action="Rehearse the pitch",
            due_on=date(2026, 1, 20),
            goal_id=GOAL_ID,
        ),
    )


def test_give_coaching_refuses_oneself_someone_outside_the_line_and_an_unknown_person() -> None:
    """Nobody coaches themselves; a peer who is no authorised coach may not; an unknown person
    is not found."""
    given().when(GiveCoaching(person_id="ana", **ANA)).then_refused(
        NotPermitted, "'ana' is not permitted to"
    )
    given().when(GiveCoaching(person_id="ana", actor="cora", occurred_at=day(3))).then_refused(
        NotPermitted, "'cora' is not permitted to coach"
    )
    given().when(GiveCoaching(person_id="zoe", **MAX)).then_refused(NotFound, "unknown person")


def test_give_coaching_refuses_someone_else_s_goal_and_a_goal_of_a_closed_cycle() -> None:
    """Coaching about a goal must be about the person's own goal, and not once its cycle is
    closed; coaching about nothing in particular stays open after the close."""
    Scenario().given(*world(), *BEN_GOAL).when(
        GiveCoaching(person_id="ana", goal_id=GOAL_ID, **MAX)
    ).then_refused(RuleViolated, "is not 'ana''s goal")
    given(closed_cycle()).when(GiveCoaching(person_id="ana", goal_id=GOAL_ID, **MAX)).then_refused(
        RuleViolated, "coaching about its goals is no longer recorded"
    )
    given(closed_cycle()).when(GiveCoaching(person_id="ana", **MAX)).then(
        fact(
            CoachingGiven,
            coach_id="max",
            person_id="ana",
            goal_id=None,
            kind=CoachingKind.GUIDANCE,
            note="",
        )
    )


def test_give_coaching_refuses_a_commitment_id_given_twice() -> None:
    """Commitment ids of one conversation are unique."""
    given().when(GiveCoaching(person_id="ana", commitments=(PITCH, PITCH), **MAX)).then_refused(
        RuleViolated, "unique"
    )


# -- MakeCommitment -------------------------------------------------------------------------


def test_make_commitment() -> None:
    """When max records ana's commitment outside a conversation, then CommitmentMade."""
    given().when(MakeCommitment(person_id="ana", commitment=PITCH, **MAX)).then(
        fact(
            CommitmentMade,
            commitment_id="pitch",
            person_id="ana",
            action="Rehearse the pitch",
            due_on=date(2026, 1, 20),
            goal_id=None,
        )
    )


def test_make_commitment_refuses_a_taken_id_and_an_unknown_goal() -> None:
    """A commitment id already in the journal breaks a rule; an unknown goal is not found."""
    given(made()).when(MakeCommitment(person_id="ana", commitment=PITCH, **MAX)).then_refused(
        RuleViolated, "already exists"
    )
    Scenario().given(*world()).when(
        MakeCommitment(person_id="ana", commitment=PITCH, goal_id=GOAL_ID, **MAX)
    ).then_refused(NotFound, "unknown goal")


# -- KeepCommitment and MissCommitment ------------------------------------------------------


def test_keep_commitment_by_the_person_herself() -> None:
    """Given ana's commitment, when she records it kept, then CommitmentKept."""
    given(made()).when(KeepCommitment(person_id="ana", commitment_id="pitch", **ANA)).then(
        fact(CommitmentKept, commitment_id="pitch")
    )


def test_keep_commitment_is_recorded_for_someone_who_left() -> None:
    """A leaver's open commitment may still be resolved by their manager."""
    gone = fact(PersonLeft, person_id="ana")
    given(made(), gone).when(KeepCommitment(person_id="ana", commitment_id="pitch", **MAX)).then(
        fact(CommitmentKept, commitment_id="pitch")
    )


def test_keep_commitment_refuses_an_unknown_one_and_one_already_resolved() -> None:
    """An unknown commitment is not found; one already kept is not kept again."""
    given().when(KeepCommitment(person_id="ana", commitment_id="pitch", **ANA)).then_refused(
        NotFound, "unknown commitment"
    )
    kept = fact(CommitmentKept, stream_id=JOURNAL, actor="ana", commitment_id="pitch")
    given(made(), kept).when(
        KeepCommitment(person_id="ana", commitment_id="pitch", **ANA)
    ).then_refused(RuleViolated, "already kept")


def test_miss_commitment() -> None:
    """Given ana's commitment, when max records it missed, then CommitmentMissed with a note."""
    given(made()).when(
        MissCommitment(person_id="ana", commitment_id="pitch", note="no time", **MAX)
    ).then(fact(CommitmentMissed, commitment_id="pitch", note="no time"))


def test_miss_commitment_refuses_a_peer_and_one_already_missed() -> None:
    """A peer may not resolve ana's commitment; one already missed is not missed again."""
    given(made()).when(
        MissCommitment(person_id="ana", commitment_id="pitch", actor="ben", occurred_at=day(9))
    ).then_refused(NotPermitted, "'ben' is not permitted to")
    missed = fact(CommitmentMissed, stream_id=JOURNAL, actor="max", commitment_id="pitch")
    given(made(), missed).when(
        MissCommitment(person_id="ana", commitment_id="pitch", **MAX)
    ).then_refused(RuleViolated, "already missed")
