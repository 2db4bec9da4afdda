"""The notebook frames: events, views and views over time of the demo season."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from execution_core import views as v
from execution_core.views import Health
from execution_core_adapters.notebook import (
    EVENT_COLUMNS,
    HEALTH,
    HEALTH_ORDER,
    OUTCOME,
    OUTCOME_ORDER,
    STATUS,
    STATUS_ORDER,
    burnup_frame,
    cycle_weeks,
    events_frame,
    game_review_frame,
    records_frame,
    scoreboard_by_week,
    strategy_map_frame,
    view_frame,
    view_over_time,
)
from tests.notebook.conftest import Season

SCOREBOARD = [
    "goal_id",
    "title",
    "kind",
    "owner_kind",
    "owner_id",
    "status",
    "weight",
    "aligned_to",
    "parent_id",
    "theme_id",
    "rolls_up",
    "progress",
    "raw_progress",
    "expected",
    "pace_gap",
    "forecast",
    "health",
    "confidence",
    "last_checkin_at",
    "days_since_checkin",
    "open_commitments",
    "outcome",
]
AFTER = datetime(2026, 8, 1, tzinfo=UTC)


def test_one_row_per_event_with_both_clocks_and_the_payload(season: Season) -> None:
    """Given the demo season's recorded events, when framed, then there is one row per event
    in recorded order, the common columns first, both clocks as UTC timestamps, and each event
    type's payload fields flattened (owners in two columns, policies field by field)."""
    frame = events_frame(season.recorded)

    assert len(frame) == season.demo.events == 517
    assert tuple(frame.columns[: len(EVENT_COLUMNS)]) == EVENT_COLUMNS
    assert list(frame["position"]) == sorted(frame["position"])
    assert str(frame["occurred_at"].dtype) == str(frame["recorded_at"].dtype)
    assert isinstance(frame["occurred_at"].dtype, pd.DatetimeTZDtype)
    assert frame["type"].value_counts().to_dict() == dict(season.demo.by_type)
    progress = frame[frame["type"] == "ProgressLogged"]
    assert set(progress["stream"]) == {"goal"}
    assert progress["value"].notna().all()
    assert progress["confidence"].between(0, 1).all()
    goal_set = frame[frame["type"] == "GoalSet"]
    assert set(goal_set["owner_kind"]) == {"person", "unit"}
    assert "theme growth" in set(goal_set["aligned_to"])
    policy = frame[frame["type"] == "PolicyAdopted"].iloc[0]
    assert policy["policy_on_track"] == 0.9
    hana = frame[(frame["type"] == "PersonJoined") & (frame["person_id"] == "hana")].iloc[0]
    assert hana["roles"] == "hr, reviewer"


def test_the_late_entry_shows_in_the_two_clocks(season: Season) -> None:
    """Given the demo season, whose one check-in was entered a week late, when framed, then
    that row's recorded time is more than a week after its business time."""
    frame = events_frame(season.recorded)
    late = frame[frame["comment"] == "entered late"]

    assert len(late) == 1
    assert (late["recorded_at"] - late["occurred_at"]).iloc[0] > timedelta(days=7)


def test_bare_events_have_no_position(season: Season) -> None:
    """Given events without their store positions, when framed, then the position is empty
    and the rest is the same."""
    frame = events_frame(r.event for r in season.recorded)

    assert frame["position"].isna().all()
    assert frame.drop(columns="position").equals(
        events_frame(season.recorded).drop(columns="position")
    )


def test_the_scoreboard_frame_has_the_views_columns(season: Season) -> None:
    """Given the scoreboard after the season, when framed, then it has one row per goal and
    the scoreboard's documented columns, its instants as UTC timestamps."""
    board = v.scoreboard(season.ledger, season.demo.cycle_id, at=AFTER)
    frame = view_frame(board)

    assert list(frame.columns) == SCOREBOARD
    assert len(frame) == len(board.rows) == 14
    assert isinstance(frame["last_checkin_at"].dtype, pd.DatetimeTZDtype)


@pytest.mark.parametrize(
    "view",
    [
        v.scoreboard,
        v.alignment_tree,
        v.coaching_radar,
        v.adjustments_log,
        v.detection_lead_time,
        v.plan_quality,
        v.target_honesty,
        v.confidence_calibration,
        v.coaching_effect,
        v.calibration,
    ],
    ids=lambda view: view.__name__,
)
def test_every_view_frames_its_records(season: Season, view: Any) -> None:
    """Given any cycle view of the season, when framed, then the frame has a row per record
    and the records' columns."""
    value = view(season.ledger, season.demo.cycle_id, at=AFTER)
    records = value.to_records()
    frame = view_frame(value)

    assert len(frame) == len(records) > 0
    assert list(frame.columns) == list(records[0])


def test_an_empty_view_keeps_the_columns_asked_for(season: Season) -> None:
    """Given a view with no rows (the board before any goal was set), when framed with the
    columns, then the frame is empty with those columns."""
    before = datetime(2026, 1, 1, tzinfo=UTC)
    board = v.scoreboard(season.ledger, season.demo.cycle_id, at=before)

    frame = view_frame(board, columns=SCOREBOARD)

    assert frame.empty
    assert list(frame.columns) == SCOREBOARD


def test_the_scoreboard_every_week_of_the_cycle(season: Season) -> None:
    """Given the 26-week cycle, when the scoreboard is read every week, then there is a row per
    goal and week, numbered 1..26, and the last week's rows are the board at the cycle end."""
    cycle = season.ledger.cycles[season.demo.cycle_id]
    weekly = scoreboard_by_week(season.ledger, season.demo.cycle_id)

    assert list(weekly.columns) == ["week", "at", *SCOREBOARD, "unit_id", "unit"]
    assert sorted(set(weekly["week"])) == list(range(1, 27))
    assert len(weekly) == 14 * 26
    assert weekly["at"].max() == pd.Timestamp(cycle.ends_at)
    last = weekly[weekly["week"] == 26].drop(columns=["week", "at", "unit_id", "unit"])
    last = last.reset_index(drop=True)
    board = view_frame(v.scoreboard(season.ledger, season.demo.cycle_id, at=cycle.ends_at))
    pd.testing.assert_frame_equal(last, board, check_dtype=False)  # ints with gaps are floats


def test_any_view_at_chosen_moments(season: Season) -> None:
    """Given two chosen instants, when the detection lead time is read at each, then the frame
    stacks both with their week of the cycle."""
    weeks = cycle_weeks(season.ledger, season.demo.cycle_id)
    frame = view_over_time(
        v.adjustments_log, season.ledger, season.demo.cycle_id, [weeks[9], weeks[25]]
    )

    assert len(weeks) == 26
    assert weeks[0] - weeks[0].replace(day=5) == timedelta(days=7)
    assert set(frame["week"]) == {26}  # nothing was adjusted by week 10
    assert set(frame["kind"]) == {"target adjusted", "dropped"}


def test_a_goal_burns_up_against_the_pace(season: Season) -> None:
    """Given Ben's Nordics goal (five quiet weeks, missed), when its burn-up is framed, then it
    starts at 0 when set, ends at the cycle end with the board's final progress, and the pace
    rises from about 0 to 1."""
    cycle_id, goal = season.demo.cycle_id, season.demo.goals["ben"]
    frame = burnup_frame(season.ledger, cycle_id, goal)
    end = season.ledger.cycles[cycle_id].ends_at

    assert list(frame.columns) == ["at", "week", "progress", "expected"]
    assert frame["progress"].iloc[0] == 0.0
    assert frame["expected"].iloc[0] < 0.01
    assert frame["at"].iloc[-1] == pd.Timestamp(end)
    assert frame["expected"].iloc[-1] == 1.0
    final = v.scoreboard(season.ledger, cycle_id, at=end).row(goal).raw_progress
    assert frame["progress"].iloc[-1] == pytest.approx(final)
    assert frame["expected"].is_monotonic_increasing
    gaps = frame["week"].diff().dropna()
    assert gaps.max() > 5  # the quiet weeks


def test_a_key_result_burns_up_against_the_target_in_force(season: Season) -> None:
    """Given Finn's minutes key result, whose target went from 15 to 20 in week 12, when its
    burn-up is framed, then each reading is scored against the target in force then."""
    cycle_id, goal = season.demo.cycle_id, season.demo.goals["finn"]
    frame = burnup_frame(season.ledger, cycle_id, goal, "minutes")
    kr = season.ledger.goals[goal].key_results["minutes"]

    for at, progress in frame[["at", "progress"]].itertuples(index=False):
        reading = kr.latest_checkin(at.to_pydatetime())
        value = 45 if reading is None else reading.value
        target = 15 if at.to_pydatetime() < kr.adjustments[0].occurred_at else 20
        assert progress == pytest.approx((value - 45) / (target - 45))
    with pytest.raises(KeyError):
        burnup_frame(season.ledger, cycle_id, goal, "no such kr")


def test_a_goal_that_rolls_up_burns_up_week_by_week(season: Season) -> None:
    """Given the sales unit's goal, when its burn-up is framed, then it has a point per
    check-in of its own key result, and its last point is the cycle end."""
    frame = burnup_frame(season.ledger, season.demo.cycle_id, season.demo.goals["sales"])

    assert len(frame) >= 26
    assert frame["progress"].iloc[-1] > 0.5


def test_the_game_review_frame_has_a_row_per_goal_and_its_review(season: Season) -> None:
    """Given the demo season read after it, when the game review frame is made, then it has
    a row per goal, Ben's and Carl's goals reviewed with their lessons, the others not."""
    frame = game_review_frame(season.ledger, season.demo.cycle_id, at=AFTER, viewer="hana")
    assert len(frame) == 14
    reviewed = frame[frame["reviewed"]]
    assert set(reviewed["owner_id"]) == {"ben", "carl"}
    assert "Check in weekly even when there is bad news" in set(reviewed["lessons"])
    assert isinstance(reviewed["reviewed_at"].iloc[0], pd.Timestamp)


def test_the_strategy_map_frame_groups_by_perspective(season: Season) -> None:
    """Given the demo season, when the strategy map frame is made, then it has a row per goal
    under its theme, the perspectives in the scorecard's order."""
    frame = strategy_map_frame(season.ledger, season.demo.cycle_id, at=AFTER)
    assert len(frame) == 14
    assert list(dict.fromkeys(frame["perspective"])) == [
        "financial",
        "customer",
        "learning and growth",
    ]
    assert frame.groupby("theme_id")["goal_id"].count().to_dict() == {
        "growth": 5,
        "customers": 6,
        "craft": 3,
    }


def test_the_orders_cover_the_domains_values() -> None:
    """Given the domain's healths, goal statuses and outcomes, when their orders are read, then
    each order lists every value once: forecasts best to worst then the unknowns, a goal's life,
    the criteria from missed to exceeded."""
    assert sorted(HEALTH_ORDER) == sorted(health.value for health in Health)
    assert HEALTH_ORDER == ("on track", "at risk", "off track", "stale", "not started")
    assert STATUS_ORDER == ("active", "completed", "dropped")
    assert OUTCOME_ORDER == ("missed", "met", "exceeded")
    assert all(dtype.ordered for dtype in (HEALTH, STATUS, OUTCOME))


def test_health_status_and_outcome_are_ordered_categoricals(season: Season) -> None:
    """Given the scoreboard after the season, when framed, then health, status and outcome are
    the ordered categoricals, so sorting and comparing follow the domain's order."""
    frame = view_frame(v.scoreboard(season.ledger, season.demo.cycle_id, at=AFTER))

    assert frame["health"].dtype == HEALTH
    assert frame["status"].dtype == STATUS
    assert frame["outcome"].dtype == OUTCOME
    ranks = [HEALTH_ORDER.index(h) for h in frame.sort_values("health")["health"]]
    assert ranks == sorted(ranks)
    behind = frame[frame["health"] > "on track"]
    assert set(behind["goal_id"]) == set(frame.loc[frame["health"] != "on track", "goal_id"])
    assert (frame.loc[frame["outcome"] >= "met", "outcome"].isin(["met", "exceeded"])).all()


@pytest.mark.parametrize(
    ("view", "columns"),
    [
        (v.scoreboard, {"health": HEALTH, "status": STATUS, "outcome": OUTCOME}),
        (v.alignment_tree, {"health": HEALTH, "status": STATUS}),
        (v.detection_lead_time, {"first_flagged_health": HEALTH}),
        (v.target_honesty, {"original_outcome": OUTCOME, "adjusted_outcome": OUTCOME}),
        (
            v.game_review,
            {"status": STATUS, "final_health": HEALTH, "outcome": OUTCOME},
        ),
        (v.strategy_map, {"theme_health": HEALTH, "status": STATUS, "health": HEALTH}),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_every_frame_with_such_a_column_orders_it(
    season: Season, view: Any, columns: dict[str, pd.CategoricalDtype]
) -> None:
    """Given a view whose records have health, status or outcome columns (under any prefix),
    when framed, then each such column has its ordered dtype and keeps its values."""
    value = view(season.ledger, season.demo.cycle_id, at=AFTER)
    frame = view_frame(value)

    assert {c: frame[c].dtype for c in columns} == columns
    for column in columns:
        plain = [row[column] for row in value.to_records()]
        assert [None if pd.isna(x) else x for x in frame[column]] == plain


def test_the_appraisal_sheet_and_weekly_frames_order_their_outcomes(season: Season) -> None:
    """Given the appraisal sheet of a person and the weekly scoreboard, when framed, then the
    sheet's outcome and the weekly health are ordered categoricals too."""
    sheet = v.appraisal_sheet(season.ledger, season.demo.cycle_id, "eve", viewer="hana", at=AFTER)
    weekly = scoreboard_by_week(season.ledger, season.demo.cycle_id)

    assert view_frame(sheet)["outcome"].dtype == OUTCOME
    assert weekly["health"].dtype == HEALTH
    assert weekly["status"].dtype == STATUS


def test_a_column_that_only_shares_the_name_stays_as_it_is() -> None:
    """Given records whose status is an action's (open, done) and an outcome under a branch's
    name, when framed, then the action status stays text and the branch outcome is ordered."""
    frame = records_frame(
        [{"status": "open", "outcome_kept": "met"}, {"status": "done", "outcome_kept": None}]
    )

    assert not isinstance(frame["status"].dtype, pd.CategoricalDtype)
    assert list(frame["status"]) == ["open", "done"]
    assert frame["outcome_kept"].dtype == OUTCOME
    assert frame["outcome_kept"].isna().tolist() == [False, True]


def test_an_empty_frame_keeps_the_ordered_dtypes(season: Season) -> None:
    """Given the board before any goal was set, when framed with its columns, then its health,
    status and outcome columns already have their ordered dtypes."""
    before = datetime(2026, 1, 1, tzinfo=UTC)
    frame = view_frame(
        v.scoreboard(season.ledger, season.demo.cycle_id, at=before), columns=SCOREBOARD
    )

    assert frame.empty
    assert (frame["health"].dtype, frame["status"].dtype) == (HEALTH, STATUS)


def test_the_weekly_scoreboard_says_each_owners_unit(season: Season) -> None:
    """Given the season, when the scoreboard is read every week, then a person's goal is in
    that person's unit, a unit's goal in that unit, and at level 0 every goal is in the root."""
    weekly = scoreboard_by_week(season.ledger, season.demo.cycle_id)
    rolled = scoreboard_by_week(season.ledger, season.demo.cycle_id, unit_level=0)
    organization = season.ledger.organization

    for owner_kind, owner_id, unit_id, unit in weekly[
        ["owner_kind", "owner_id", "unit_id", "unit"]
    ].itertuples(index=False):
        person = organization.person(owner_id)
        expected = owner_id if owner_kind == "unit" else person.unit_id if person else None
        assert unit_id == expected
        assert unit == organization.units[unit_id].name
    assert weekly.loc[weekly["goal_id"] == season.demo.goals["ben"], "unit"].iloc[0] == "Sales"
    assert set(rolled["unit"]) == {"Northwind HQ"}
    assert set(weekly["unit"]) == {"Sales", "Product", "Operations"} | (
        {"Northwind HQ"} & set(weekly["unit"])
    )
