"""The core imports no storage code: the dependency rule of docs/architecture.md, enforced."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "src" / "execution_core"
FORBIDDEN = (
    "eventsourcing",
    "sqlite3",
    "psycopg",
    "adapters",
    "execution_core_adapters",
    "pandas",
    "matplotlib",
    "rich",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_core_module_imports_storage_or_adapters() -> None:
    """Given every module of execution_core, when its imports are read, then none names
    eventsourcing, a database driver, the adapters or a presentation library."""
    offenders = {
        f"{path.relative_to(CORE)}: {name}"
        for path in CORE.rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN
    }
    assert not offenders


def test_importing_the_core_loads_no_storage_module() -> None:
    """Given a fresh interpreter, when every module of execution_core is imported, then no
    storage module is loaded (Execution.open finds the store adapter by entry point, on call)."""
    probe = (
        "import importlib, pkgutil, sys, execution_core\n"
        "for m in pkgutil.walk_packages(execution_core.__path__, 'execution_core.'):\n"
        "    importlib.import_module(m.name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_core_does_not_name_its_adapter() -> None:
    """Given every module of execution_core, when its text is read, then the adapters' package
    is not named at all (the wiring is the adapters' bootstrap, found by entry point)."""
    naming = [
        str(path.relative_to(CORE))
        for path in CORE.rglob("*.py")
        if "execution_core_adapters" in path.read_text()
    ]
    assert naming == []
