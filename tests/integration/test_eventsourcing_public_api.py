"""The adapters use eventsourcing's public API only, so that its next minor releases can come in
(the pin is ``<9.7``; .ci/run also runs the storage tests on the newest 9.x): no class of theirs
that extends an eventsourcing class overrides, calls, reads or shadows a private name of it, and
no module imports a private name of eventsourcing."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

import execution_core_adapters

ADAPTERS = Path(execution_core_adapters.__file__).parent
MODULES = sorted(
    path for path in ADAPTERS.rglob("*.py") if "eventsourcing" in path.read_text(encoding="utf-8")
)
ASSIGNED = re.compile(r"self\.(_[A-Za-z]\w*)\s*(?::[^=\n]*)?=")


def _private_names(cls: type) -> set[str]:
    """The private names eventsourcing's classes in ``cls``'s MRO define or assign."""
    names: set[str] = set()
    for base in cls.__mro__:
        if not base.__module__.startswith("eventsourcing"):
            continue
        names |= {name for name in vars(base) if name.startswith("_")}
        try:
            names |= set(ASSIGNED.findall(inspect.getsource(base)))
        except (OSError, TypeError):
            continue
    return {name for name in names if not name.startswith("__")}


def _imported(tree: ast.Module) -> dict[str, object]:
    """Every name the module imports from eventsourcing (at any depth), resolved."""
    found: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("eventsourcing"):
            module = importlib.import_module(str(node.module))
            for alias in node.names:
                found[alias.asname or alias.name] = getattr(module, alias.name)
    return found


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = _imported(tree)
    found = [f"imports eventsourcing's private {name}" for name in imported if name[0] == "_"]
    classes = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    extending: dict[str, set[str]] = {}
    for _ in classes:  # to a fixed point: a class extending one of this module's that extends
        for node in classes:
            private: set[str] = set()
            for base in filter(None, map(_base_name, node.bases)):
                value = imported.get(base)
                if isinstance(value, type):
                    private |= _private_names(value)
                private |= extending.get(base, set())
            if private or node.name in extending:
                extending[node.name] = extending.get(node.name, set()) | private
    forbidden = set().union(*extending.values()) if extending else set()
    for node in classes:
        if node.name not in extending:
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.FunctionDef) and inner.name in forbidden:
                found.append(f"{node.name} overrides {inner.name}")
            if isinstance(inner, ast.Attribute) and inner.attr in forbidden:
                owner = inner.value
                if (isinstance(owner, ast.Name) and owner.id in {"self", "cls"}) or (
                    isinstance(owner, ast.Call) and _base_name(owner.func) == "super"
                ):
                    found.append(f"{node.name} uses {inner.attr} (line {inner.lineno})")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(ADAPTERS)))
def test_no_private_name_of_eventsourcing_is_used(path: Path) -> None:
    """Given an adapters module that names eventsourcing, when its classes that extend
    eventsourcing's are read, then none overrides, calls, reads or assigns a private name that
    eventsourcing's classes define, and no private name is imported."""
    assert _violations(path) == []


def test_the_check_finds_a_private_override(tmp_path: Path) -> None:
    """Given the old SQLite recorder's way (overriding ``_insert_events``), when it is checked,
    then it is found: the check can fail."""
    planted = (
        "from eventsourcing.sqlite import SQLiteApplicationRecorder\n"
        "class Old(SQLiteApplicationRecorder):\n"
        "    def _insert_events(self, c, stored_events, **kwargs):\n"
        "        return super()._insert_events(c, stored_events, **kwargs)\n"
    )
    path = tmp_path / "planted.py"
    path.write_text(planted, encoding="utf-8")
    assert "Old overrides _insert_events" in _violations(path)
