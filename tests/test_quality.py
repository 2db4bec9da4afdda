"""The code stays `ruff` and `mypy --strict` clean: checked by the same command as the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_ruff_finds_nothing() -> None:
    """Given the source, tests and notebooks, when ruff checks them, then it reports no
    problem."""
    result = _run("ruff", "check", "src", "tests", "benchmarks", "docs")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied() -> None:
    """Given the source and tests, when ruff checks formatting, then nothing needs reformatting."""
    result = _run("ruff", "format", "--check", "src", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_finds_nothing() -> None:
    """Given the source and tests, when mypy --strict checks them, then it reports no error."""
    result = _run("mypy", "src", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr
