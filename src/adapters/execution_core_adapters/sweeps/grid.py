"""A sweep's grid: the parameters of the model and of the policies, each with its values.

A grid is declared as a mapping from a parameter's name to its values (or one value): the
``policy`` axis (a built-in policy's name, ``"execution"`` or ``"performance"``, or a policy
value, such as an attrs policy of one's own), any field of :class:`~execution_core.simulation.Model`
(``people``, ``weeks``, ``coaching_effect``, ...) and any field of the grid's policies
(``cadence_days``, ``recoach_weeks``, ...). A *point* is one combination; a run is a point
played on one seed. A policy parameter varies only the policies that have it (performance
management has no ``recoach_weeks``): the other policies' points leave it out rather than
repeat the same run.

Everything is checked before anything runs, with the parameter named: an unknown parameter,
an empty range, a repeated value, a value of the wrong type, and a value out of the model's
or the policy's range, which the model's and the policy's own validators decide (the grid
builds every point's model and policy up front).
"""

from __future__ import annotations

import itertools
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar, Union

import attrs

from execution_core.errors import InvalidInput
from execution_core.simulation import (
    ExecutionManagement,
    ManagementPolicy,
    Model,
    PerformanceManagement,
)

__all__ = ["POLICIES", "POLICY", "BadGrid", "Grid", "Point", "Value"]

Value = int | float | bool | str | date | None
"""A parameter's value in a grid (a policy axis also takes policy values)."""

POLICIES: Mapping[str, ManagementPolicy] = {
    "execution": ExecutionManagement(),
    "performance": PerformanceManagement(),
}
"""The built-in policies a grid names by name (with their default parameters)."""

POLICY = "policy"
"""The name of the policy axis."""

_T = TypeVar("_T")

_MODEL_FIELDS = {field.name for field in attrs.fields(Model)}
_NOT_SWEPT = frozenset({"name"})
"""Policy fields a grid does not vary: a policy's name identifies it in the results."""


class BadGrid(InvalidInput):
    """A grid that cannot run; ``parameter`` names the parameter at fault. Nothing ran."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


@attrs.frozen
class Point:
    """One combination of the grid's values, with the model and policy it stands for."""

    values: tuple[tuple[str, Value], ...]
    """The point's parameters, in the grid's order; ``policy`` is the policy's name."""
    model: Model
    policy: ManagementPolicy

    def as_dict(self) -> dict[str, Value]:
        """The point's parameters by name."""
        return dict(self.values)

    @property
    def label(self) -> str:
        """The point in one line: ``policy=execution, coaching_effect=0.3``."""
        return ", ".join(f"{name}={value}" for name, value in self.values)


def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except (NameError, TypeError):  # a class whose annotations do not resolve: no type check
        return {}


def _accepts(hint: Any, value: object) -> bool:
    """Whether ``value`` is of the annotated type (an int is a float; a bool is neither)."""
    origin = typing.get_origin(hint)
    options = typing.get_args(hint) if origin in (Union, types.UnionType) else (hint,)
    for option in options:
        if option is type(None):
            if value is None:
                return True
        elif option is bool:
            if isinstance(value, bool):
                return True
        elif option in (int, float):
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and (option is float or isinstance(value, int)):
                return True
        elif not isinstance(option, type) or isinstance(value, option):
            return True  # a type this check does not know: the validators decide
    return False


_KINDS: Mapping[object, str] = {
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    int | None: "a whole number or none",
    date: "a date",
}


def _typed(cls: type, name: str, value: object) -> object:
    """``value`` checked against the field's annotation; an int for a float field as a float."""
    hint = _hints(cls).get(name)
    if hint is None:
        return value
    if not _accepts(hint, value):
        raise BadGrid(name, f"{value!r} is not {_KINDS.get(hint, f'a {hint}')}")
    if hint is float and isinstance(value, int):
        return float(value)
    return value


def _policy_fields(policy: ManagementPolicy) -> frozenset[str]:
    cls = type(policy)
    if not attrs.has(cls):
        return frozenset()
    return frozenset(field.name for field in attrs.fields(cls)) - _NOT_SWEPT


def _as_values(name: str, values: object) -> tuple[object, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        return (values,)
    found = tuple(values)
    if not found:
        raise BadGrid(name, "an empty range: give at least one value")
    return found


def _policies(values: tuple[object, ...]) -> tuple[ManagementPolicy, ...]:
    chosen: list[ManagementPolicy] = []
    for value in values:
        if isinstance(value, str):
            if value not in POLICIES:
                known = ", ".join(POLICIES)
                raise BadGrid(POLICY, f"unknown policy {value!r} (built in: {known})")
            chosen.append(POLICIES[value])
        elif isinstance(value, ManagementPolicy):
            chosen.append(value)
        else:
            raise BadGrid(POLICY, f"{value!r} is neither a policy nor a built-in policy's name")
    names = [policy.name for policy in chosen]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise BadGrid(POLICY, f"two policies named {repeated[0]!r}: give each its own name")
    return tuple(chosen)


def _seeds(seeds: int | Iterable[int]) -> tuple[int, ...]:
    if isinstance(seeds, bool):
        raise BadGrid("seeds", f"{seeds!r} is not a number of seeds")
    if isinstance(seeds, int):
        if seeds < 1:
            raise BadGrid("seeds", f"an empty range: at least one seed, got {seeds}")
        return tuple(range(seeds))
    chosen = tuple(seeds)
    if not chosen:
        raise BadGrid("seeds", "an empty range: give at least one seed")
    for seed in chosen:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise BadGrid("seeds", f"{seed!r} is not a whole number")
    if len(set(chosen)) != len(chosen):
        raise BadGrid("seeds", "a seed is repeated: each seed is run once per point")
    return chosen


def _built(name: str, base: _T, values: Mapping[str, object]) -> _T:
    """``base`` with ``values`` (its own validators run); their refusal, with ``name``."""
    try:
        return attrs.evolve(base, **values)  # type: ignore[misc]
    except InvalidInput as error:
        raise BadGrid(name, str(error)) from None
    except (TypeError, ValueError) as error:  # a validator comparing a value it cannot read
        raise BadGrid(name, f"not a value the model takes ({error})") from None


@attrs.frozen
class Grid:
    """A validated grid: its axes in order, the seeds, and every point (see the module)."""

    axes: tuple[tuple[str, tuple[Value, ...]], ...]
    """Each parameter with its values; the policy axis holds the policies' names."""
    seeds: tuple[int, ...]
    points: tuple[Point, ...]

    @property
    def parameters(self) -> tuple[str, ...]:
        """The parameters of the grid, in order (the results' parameter columns)."""
        return tuple(name for name, _ in self.axes)

    @property
    def runs(self) -> int:
        """How many runs the grid makes: every point on every seed."""
        return len(self.points) * len(self.seeds)

    @classmethod
    def of(
        cls,
        axes: Mapping[str, object],
        *,
        seeds: int | Iterable[int] = 8,
        model: Model | None = None,
    ) -> Grid:
        """Check and expand a declared grid (``seeds=N``: seeds 0..N-1); ``model`` holds the
        parameters the grid does not vary (default: ``Model()``). Raises :class:`BadGrid`."""
        base = model or Model()
        chosen_seeds = _seeds(seeds)
        declared = {name: _as_values(name, values) for name, values in axes.items()}
        policies = _policies(declared.pop(POLICY, ("execution",)))
        fields = {policy.name: _policy_fields(policy) for policy in policies}
        every_policy_field = frozenset().union(*fields.values())
        for name in declared:
            if name in _MODEL_FIELDS and name in every_policy_field:
                raise BadGrid(name, "both a model and a policy parameter: rename one")
            if name not in _MODEL_FIELDS and name not in every_policy_field:
                raise BadGrid(
                    name,
                    "unknown parameter: neither the model's nor a policy's of this grid "
                    f"({', '.join(fields)})",
                )
        typed: dict[str, tuple[Value, ...]] = {}
        for name, values in declared.items():
            if name in _MODEL_FIELDS:
                typed[name] = tuple(_typed(Model, name, v) for v in values)  # type: ignore[misc]
                for value in typed[name]:
                    _built(name, base, {name: value})
            else:
                having = [p for p in policies if name in fields[p.name]]
                typed[name] = tuple(_typed(type(having[0]), name, v) for v in values)  # type: ignore[misc]
                for policy in having:
                    for value in typed[name]:
                        _built(name, policy, {name: value})
        for name, values in typed.items():
            if len(set(map(repr, values))) != len(values):  # after typing: 0 and 0.0 are one
                raise BadGrid(name, "a value is repeated: each point is run once")
        points = tuple(_points(base, policies, fields, typed))
        order = (POLICY, *typed)
        return cls(
            axes=tuple(
                (name, tuple(p.name for p in policies) if name == POLICY else typed[name])
                for name in order
            ),
            seeds=chosen_seeds,
            points=points,
        )


def _points(
    base: Model,
    policies: Sequence[ManagementPolicy],
    fields: Mapping[str, frozenset[str]],
    axes: Mapping[str, tuple[Value, ...]],
) -> Iterable[Point]:
    for policy in policies:
        mine = [name for name in axes if name in _MODEL_FIELDS or name in fields[policy.name]]
        for combination in itertools.product(*(axes[name] for name in mine)):
            chosen = dict(zip(mine, combination, strict=True))
            model_values = {k: v for k, v in chosen.items() if k in _MODEL_FIELDS}
            policy_values = {k: v for k, v in chosen.items() if k not in _MODEL_FIELDS}
            yield Point(
                values=((POLICY, policy.name), *chosen.items()),
                model=_built(", ".join(model_values) or "model", base, model_values),
                policy=(
                    _built(", ".join(policy_values), policy, policy_values)
                    if policy_values
                    else policy
                ),
            )
