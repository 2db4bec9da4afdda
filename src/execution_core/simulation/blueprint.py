"""The simulated organization before it is recorded: people, units, themes and the goal cascade.

A blueprint is plain data drawn from the seed; the engine records it through the facade. The
organization is a tree with a given span of control (the chief executive at the top, an HR
partner reporting to them); every manager leads a unit of their reports. Business goals cascade
from the themes: a company goal per theme (rolls up), a team goal per unit (rolls up into the
unit above it), and an individual goal with key results per person (rolls up into their team's
goal); a developmental goal per person aligns to the craft theme.
"""

from __future__ import annotations

import random
from collections import deque
from uuid import UUID, uuid5

import attrs

from execution_core.access import Owner
from execution_core.goals.events import Direction, GoalKind
from execution_core.ids import NAMESPACE
from execution_core.organization.events import Role
from execution_core.strategy.events import Perspective

__all__ = [
    "CRAFT_THEME",
    "COMPANY_UNIT",
    "Blueprint",
    "GoalPlan",
    "KeyResultPlan",
    "PersonPlan",
    "ThemePlan",
    "UnitPlan",
    "blueprint",
]

COMPANY_UNIT = "company"
CRAFT_THEME = "craft"

_FIRST = [
    "Ana",
    "Ben",
    "Carla",
    "Dev",
    "Eve",
    "Finn",
    "Gus",
    "Hana",
    "Ivo",
    "Jade",
    "Kai",
    "Lena",
    "Max",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sam",
    "Tess",
]
_LAST = [
    "Costa",
    "Okafor",
    "Berg",
    "Patel",
    "Novak",
    "Hale",
    "Moreau",
    "Ito",
    "Marsh",
    "Weber",
    "Laine",
    "Diaz",
    "Kim",
    "Roy",
    "Silva",
    "Varga",
    "Lund",
    "Meyer",
    "Abe",
    "Fox",
]
_THEMES = (
    ("Grow new revenue", Perspective.FINANCIAL),
    ("Delight our customers", Perspective.CUSTOMER),
    ("Run a leaner operation", Perspective.INTERNAL_PROCESS),
    ("Win new markets", Perspective.CUSTOMER),
    ("Build a stronger platform", Perspective.INTERNAL_PROCESS),
)
# name, unit, baseline low/high, gap low/high (share of the baseline for decreasing metrics)
_METRICS: tuple[tuple[str, str, float, float, float, float, Direction], ...] = (
    ("New revenue", "k EUR", 0, 0, 100, 1000, Direction.INCREASE),
    ("Deals closed", "deals", 0, 0, 5, 40, Direction.INCREASE),
    ("Net promoter score", "points", 10, 40, 10, 30, Direction.INCREASE),
    ("Open tickets", "tickets", 200, 500, 0.4, 0.8, Direction.DECREASE),
    ("Cycle time", "days", 10, 30, 0.3, 0.6, Direction.DECREASE),
    ("Features shipped", "features", 0, 0, 4, 12, Direction.INCREASE),
    ("Accounts expanded", "accounts", 0, 0, 5, 25, Direction.INCREASE),
)
_GROWTH: tuple[tuple[str, str, float, float, float, float, Direction], ...] = (
    ("Practice hours", "hours", 0, 0, 20, 60, Direction.INCREASE),
    ("Course modules done", "modules", 0, 0, 6, 12, Direction.INCREASE),
)


@attrs.frozen(kw_only=True)
class PersonPlan:
    """A person: where they sit, who they report to, and their (hidden) ability."""

    person_id: str
    name: str
    unit_id: str
    manager_id: str | None
    roles: tuple[Role, ...] = ()
    ability: float = 0.0
    """Added to the reach of each of their key results; part of the hidden world."""


@attrs.frozen(kw_only=True)
class UnitPlan:
    """A unit, led by a manager; its theme is the one its department pursues."""

    unit_id: str
    name: str
    parent_id: str | None
    lead_id: str
    theme_id: str


@attrs.frozen(kw_only=True)
class ThemePlan:
    """A strategic theme."""

    theme_id: str
    title: str
    perspective: Perspective


@attrs.frozen(kw_only=True)
class KeyResultPlan:
    """A key result as agreed at the start (its trajectory is drawn separately)."""

    kr_id: str
    name: str
    unit: str
    baseline: float
    target: float
    stretch: float | None
    direction: Direction


@attrs.frozen(kw_only=True)
class GoalPlan:
    """A goal of the cascade: who owns it, who sets it, what it aligns to."""

    goal_id: UUID
    title: str
    kind: GoalKind
    owner: Owner
    set_by: str
    theme_id: str | None = None
    parent_goal_id: UUID | None = None
    weight: float = 1.0
    key_results: tuple[KeyResultPlan, ...] = ()


@attrs.frozen(kw_only=True)
class Blueprint:
    """Everything the engine records before the cycle starts."""

    seed: int
    cycle_id: UUID
    people: tuple[PersonPlan, ...]
    units: tuple[UnitPlan, ...]
    themes: tuple[ThemePlan, ...]
    goals: tuple[GoalPlan, ...]
    chief_id: str
    hr_id: str


def _reports(people: int, span: int) -> dict[int, list[int]]:
    """Fill the tree breadth first: each manager takes up to ``span`` reports; the HR partner
    (person 1) reports to the chief and manages nobody."""
    reports: dict[int, list[int]] = {}
    queue = deque([0])
    following = 1
    while following < people and queue:
        manager = queue.popleft()
        for _ in range(span):
            if following >= people:
                break
            reports.setdefault(manager, []).append(following)
            if following != 1:
                queue.append(following)
            following += 1
    return reports


def _metric(
    rng: random.Random,
    kr_id: str,
    catalog: tuple[tuple[str, str, float, float, float, float, Direction], ...],
) -> KeyResultPlan:
    name, unit, low, high, gap_low, gap_high, direction = rng.choice(catalog)
    baseline = float(round(rng.uniform(low, high)))
    if direction is Direction.INCREASE:
        gap = float(max(1, round(rng.uniform(gap_low, gap_high))))
    else:
        gap = -float(max(1, round(baseline * rng.uniform(gap_low, gap_high))))
    target = baseline + gap
    stretch = target + round(0.2 * gap) if rng.random() < 0.5 and abs(gap) >= 5 else None
    return KeyResultPlan(
        kr_id=kr_id,
        name=name,
        unit=unit,
        baseline=baseline,
        target=target,
        stretch=stretch,
        direction=direction,
    )


class _Tree:
    """Who reports to whom, by number (0 is the chief), and the unit each person sits in."""

    def __init__(self, people: int, span: int) -> None:
        width = max(3, len(str(people - 1)))
        self.ids = [f"p{n:0{width}d}" for n in range(people)]
        self.reports = _reports(people, span)
        self.manager_of = {r: manager for manager, rs in self.reports.items() for r in rs}
        self.unit_of_lead = {
            manager: COMPANY_UNIT if manager == 0 else f"u{manager:0{width}d}"
            for manager in self.reports
        }

    def unit_of(self, n: int) -> str:
        """A lead sits in the unit they lead, everyone else in their manager's."""
        lead = n if n in self.unit_of_lead else self.manager_of[n]
        return self.unit_of_lead[lead]

    def manager_id(self, n: int) -> str | None:
        """The id of a person's manager (None for the chief)."""
        return self.ids[self.manager_of[n]] if n in self.manager_of else None


def _themes(themes: int, developmental: bool) -> list[ThemePlan]:
    plans = [
        ThemePlan(
            theme_id=f"t{n + 1}",
            title=_THEMES[n % len(_THEMES)][0] + ("" if n < len(_THEMES) else f" ({n + 1})"),
            perspective=_THEMES[n % len(_THEMES)][1],
        )
        for n in range(themes)
    ]
    if developmental:
        plans.append(
            ThemePlan(
                theme_id=CRAFT_THEME,
                title="Grow our craft",
                perspective=Perspective.LEARNING_AND_GROWTH,
            )
        )
    return plans


_ROLES: dict[int, tuple[Role, ...]] = {0: (Role.EXECUTIVE,), 1: (Role.HR, Role.REVIEWER)}


def _people(tree: _Tree, rng: random.Random, ability_sd: float) -> list[PersonPlan]:
    return [
        PersonPlan(
            person_id=person_id,
            name=f"{_FIRST[n % len(_FIRST)]} {_LAST[(n * 7 + n // len(_FIRST)) % len(_LAST)]}",
            unit_id=tree.unit_of(n),
            manager_id=tree.manager_id(n),
            roles=_ROLES.get(n, ()),
            ability=rng.gauss(0.0, ability_sd) if ability_sd else 0.0,
        )
        for n, person_id in enumerate(tree.ids)
    ]


def _units(tree: _Tree, people: list[PersonPlan], themes: list[ThemePlan]) -> list[UnitPlan]:
    """One unit per manager, breadth first (a parent before its children); each department
    under the company takes the next theme, and its sub-units inherit it."""
    business = [theme.theme_id for theme in themes if theme.theme_id != CRAFT_THEME]
    units: list[UnitPlan] = []
    theme_of: dict[str, str] = {}
    departments = 0
    for manager in sorted(tree.reports):
        unit_id = tree.unit_of_lead[manager]
        parent = None if manager == 0 else tree.unit_of(tree.manager_of[manager])
        if parent is None:
            theme = business[0]
        elif parent == COMPANY_UNIT:
            theme = business[departments % len(business)]
            departments += 1
        else:
            theme = theme_of[parent]
        theme_of[unit_id] = theme
        units.append(
            UnitPlan(
                unit_id=unit_id,
                name="Company" if manager == 0 else f"Team {people[manager].name}",
                parent_id=parent,
                lead_id=tree.ids[manager],
                theme_id=theme,
            )
        )
    return units


def _goals(
    *,
    seed: int,
    rng: random.Random,
    people: list[PersonPlan],
    units: list[UnitPlan],
    themes: list[ThemePlan],
    krs_per_goal: int,
) -> list[GoalPlan]:
    goals: list[GoalPlan] = []

    def goal_id() -> UUID:
        return uuid5(NAMESPACE, f"simulation/{seed}/goal/{len(goals)}")

    business = [theme for theme in themes if theme.theme_id != CRAFT_THEME]
    title = {theme.theme_id: theme.title for theme in themes}
    chief = people[0].person_id
    leads = {unit.unit_id: unit.lead_id for unit in units}
    managers = {person.person_id: person.manager_id for person in people}
    above: dict[str, UUID] = {}  # the goal a unit's members align to: their unit's
    company: list[UUID] = []
    for theme in business:
        company.append(goal_id())
        goals.append(
            GoalPlan(
                goal_id=company[-1],
                title=theme.title,
                kind=GoalKind.DEPARTMENTAL,
                owner=Owner("unit", COMPANY_UNIT),
                set_by=chief,
                theme_id=theme.theme_id,
            )
        )
    for unit in units[1:]:
        parent = above.get(unit.parent_id or "")
        if unit.parent_id == COMPANY_UNIT:
            parent = company[[t.theme_id for t in business].index(unit.theme_id)]
        above[unit.unit_id] = goal_id()
        goals.append(
            GoalPlan(
                goal_id=above[unit.unit_id],
                title=f"{unit.name}: {title[unit.theme_id]}",
                kind=GoalKind.TEAM,
                owner=Owner("unit", unit.unit_id),
                set_by=managers[leads[unit.unit_id]] or chief,
                parent_goal_id=parent,
            )
        )
    for n, person in enumerate(people):
        krs = tuple(_metric(rng, f"kr{k + 1}", _METRICS) for k in range(krs_per_goal))
        goals.append(
            GoalPlan(
                goal_id=goal_id(),
                title=f"{krs[0].name}: {person.name}",
                kind=GoalKind.INDIVIDUAL,
                owner=Owner("person", person.person_id),
                set_by=person.manager_id or person.person_id,
                parent_goal_id=above.get(person.unit_id, company[n % len(company)]),
                key_results=krs,
            )
        )
    if len(themes) > len(business):
        for person in people:
            kr = _metric(rng, "growth", _GROWTH)
            goals.append(
                GoalPlan(
                    goal_id=goal_id(),
                    title=f"{kr.name}: {person.name}",
                    kind=GoalKind.DEVELOPMENTAL,
                    owner=Owner("person", person.person_id),
                    set_by=person.person_id,
                    theme_id=CRAFT_THEME,
                    weight=0.5,
                    key_results=(kr,),
                )
            )
    return goals


def blueprint(
    people: int,
    *,
    seed: int,
    span: int = 6,
    themes: int = 3,
    krs_per_goal: int = 1,
    developmental: bool = True,
    ability_sd: float = 0.1,
) -> Blueprint:
    """Draw the organization, strategy and goal cascade of a simulation from its seed."""
    rng = random.Random(f"simulation/{seed}/blueprint")
    tree = _Tree(people, span)
    theme_plans = _themes(themes, developmental)
    person_plans = _people(tree, rng, ability_sd)
    unit_plans = _units(tree, person_plans, theme_plans)
    return Blueprint(
        seed=seed,
        cycle_id=uuid5(NAMESPACE, f"simulation/{seed}/cycle"),
        people=tuple(person_plans),
        units=tuple(unit_plans),
        themes=tuple(theme_plans),
        goals=tuple(
            _goals(
                seed=seed,
                rng=rng,
                people=person_plans,
                units=unit_plans,
                themes=theme_plans,
                krs_per_goal=krs_per_goal,
            )
        ),
        chief_id=tree.ids[0],
        hr_id=tree.ids[1],
    )
