"""Every shell example in docs/cli.md runs, in order, in an empty directory, with the installed
`execution-core` first on the PATH, and exits 0 (``set -euo pipefail``): none can drift from
the command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).parents[2] / "docs" / "cli.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)
BLOCKS = BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_the_page_has_examples() -> None:
    """Given docs/cli.md, then it holds shell examples to run (a renamed fence runs nothing)."""
    assert len(BLOCKS) >= 5


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The empty directory the page's examples share, in order."""
    return tmp_path_factory.mktemp("cli-doc")


@pytest.mark.parametrize("number", range(len(BLOCKS)), ids=lambda n: f"block {n + 1}")
def test_an_example_runs(number: int, folder: Path) -> None:
    """Given the page's shell examples up to this one run in order, when this one runs in bash
    with errexit, nounset and pipefail, then it exits 0."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("EXECUTION_CORE_")}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}", HOME=str(folder))
    env["COLUMNS"] = "120"
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", BLOCKS[number]],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (
        f"{BLOCKS[number]}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    )
