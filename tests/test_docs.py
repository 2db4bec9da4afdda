"""Every Python example in README.md and docs/ runs, so none can drift from the code."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_run(document: Path, tmp_path: Path) -> None:
    """Given a Markdown document, when its python blocks run in order in one namespace
    (in an empty directory), then none raises."""
    blocks = BLOCK.findall(document.read_text())
    namespace: dict[str, object] = {"__name__": "__docs__"}
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        for number, block in enumerate(blocks, 1):
            code = compile(block, f"{document.name} block {number}", "exec")
            exec(code, namespace)
    finally:
        os.chdir(cwd)
