"""What folding many events shares: a frozen state with some of its fields changed, the
handler of an event (or command) by its class, and the cycle collector paused while a fold or a
simulation allocates.

Every command folds its events onto the state it decided on (and every replay folds every
event), so this is on the hottest path of the library. ``attrs.evolve`` walks the class's
fields in Python and reads each attribute with ``getattr``; :func:`changed` reads them all with
one ``operator.attrgetter`` made once per class and passes them by position, which halves the
cost of a fold step.
"""

from __future__ import annotations

import gc
import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import attrs

__all__ = ["changed", "handler", "without_cyclic_gc"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


@attrs.frozen
class _Shape:
    """How to copy one attrs class: its ``__init__`` parameter names and their positions, one
    reader of all its fields, and whether ``__init__`` takes them all by position."""

    names: tuple[str, ...]
    positions: dict[str, int]
    read: Callable[[Any], tuple[Any, ...]]
    positional: bool


_SHAPES: dict[type, _Shape] = {}


def changed(instance: T, **changes: Any) -> T:
    """A copy of an attrs instance with ``changes`` (as ``attrs.evolve``: built through
    ``__init__``, so validators run, and an unknown field is a ``TypeError``)."""
    cls = type(instance)
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = _SHAPES[cls] = _shape_of(cls)
    values = list(shape.read(instance))
    positions = shape.positions
    for name, value in changes.items():
        position = positions.get(name)
        if position is None:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
        values[position] = value
    if shape.positional:
        return cls(*values)
    return cls(**dict(zip(shape.names, values, strict=True)))


def handler(dispatcher: F, value: object) -> F:
    """What a ``functools.singledispatch`` function does with ``value``: the implementation
    registered for its exact class, read from the registry (one dict read), else the function
    itself (which dispatches on the class's bases). Calling the function directly looks the
    class up in a ``WeakKeyDictionary`` written in Python, on every event of every fold."""
    found: F | None = cast(Any, dispatcher).registry.get(value.__class__)
    return dispatcher if found is None else found


def _shape_of(cls: type) -> _Shape:
    fields = [field for field in attrs.fields(cls) if field.init]
    names = tuple(field.alias for field in fields)
    positions = {name: n for n, name in enumerate(names)}
    positional = not any(field.kw_only for field in fields)
    if not fields:
        return _Shape(names, positions, lambda instance: (), positional)
    getter = operator.attrgetter(*(field.name for field in fields))
    if len(fields) == 1:
        return _Shape(names, positions, lambda instance: (getter(instance),), positional)
    return _Shape(names, positions, getter, positional)


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector for a block (restored after, if it was on).

    A fold, or a simulation, allocates millions of small immutable records that form no
    reference cycles (reference counting frees them), and each full collection walks all the
    live ones: on a large ledger, pauses of seconds for nothing; in a 1,000-person simulation,
    a tenth of its time. A cycle made meanwhile waits for the next collection after the block.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
