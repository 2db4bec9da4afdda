"""The README's example type-checks under ``mypy --strict`` as an app would run it: with no
configuration of ours, against the installed package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_docs import BLOCK, ROOT


def test_the_readme_example_passes_mypy_strict(tmp_path: Path) -> None:
    """Given the python blocks of README.md, when mypy --strict checks them in an empty
    directory with an empty configuration, then it reports no error (the ids of the states
    the facade returns are UUIDs, never None)."""
    blocks = BLOCK.findall((ROOT / "README.md").read_text())
    assert blocks, "README.md has no python example"
    example = tmp_path / "readme_example.py"
    example.write_text("\n".join(blocks))
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / "cache"),
            str(example),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
