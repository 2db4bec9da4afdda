"""The adapters' import name belongs to the project: an app laid out as ports and adapters, with
a package ``adapters`` of its own, still opens a store in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_an_app_with_its_own_adapters_package_opens_a_store(tmp_path: Path) -> None:
    """Given an app whose working directory holds its own ``adapters`` package (first on the
    path), when it calls ``Execution.open("memory://")``, then the store opens and records."""
    app = tmp_path / "adapters"
    app.mkdir()
    (app / "__init__.py").write_text('"""The app\'s own adapters."""\n')
    (app / "store.py").write_text("raise ImportError('not our store')\n")
    probe = (
        "from datetime import UTC, datetime\n"
        "import adapters\n"
        "from execution_core import SYSTEM, Execution\n"
        "with Execution.open('memory://') as ex:\n"
        "    ex.found_unit('co', 'Company', actor=SYSTEM,\n"
        "                  occurred_at=datetime(2026, 1, 5, tzinfo=UTC))\n"
        f"    print(adapters.__file__.startswith({str(tmp_path)!r}), len(ex.history()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "1"]
