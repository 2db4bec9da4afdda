"""Every Python example in README.md and docs/ runs, so none can drift from the code.

A fenced ``output`` block right after a ``python`` block (blank lines between them only) is what
that block prints: the test compares it with the block's standard output, so the output a page
shows is the output the code gives.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def examples(text: str) -> list[tuple[str, str | None]]:
    """The python blocks of a Markdown text in order, each with the output shown after it
    (None when none is); an ``output`` block that follows no python block is an error."""
    fences = list(FENCE.finditer(text))
    found: list[tuple[str, str | None]] = []
    for index, fence in enumerate(fences):
        language, body = fence.group(1), fence.group(2)
        previous = fences[index - 1] if index else None
        if language == "output":
            follows_code = (
                previous is not None
                and previous.group(1) == "python"
                and not text[previous.end() : fence.start()].strip()
            )
            if not follows_code:
                raise AssertionError(f"an output block follows no python block: {body[:60]!r}")
            found[-1] = (found[-1][0], body)
        elif language == "python":
            found.append((body, None))
    return found


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_run(document: Path, tmp_path: Path) -> None:
    """Given a Markdown document, when its python blocks run in order in one namespace
    (in an empty directory), then none raises, and each prints the output block shown after
    it, if any."""
    namespace: dict[str, object] = {"__name__": "__docs__"}
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        for number, (block, shown) in enumerate(examples(document.read_text()), 1):
            code = compile(block, f"{document.name} block {number}", "exec")
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(code, namespace)
            if shown is not None:
                assert printed.getvalue().rstrip() == shown.rstrip(), f"block {number}"
    finally:
        os.chdir(cwd)


def test_an_output_block_is_checked() -> None:
    """Given a python block and the output shown after it, the pair is found; an output block
    after prose alone is refused rather than left unchecked."""
    page = "```python\nprint(1)\n```\n\n```output\n1\n```\n"
    assert examples(page) == [("print(1)\n", "1\n")]
    with pytest.raises(AssertionError, match="follows no python block"):
        examples("```python\nx = 1\n```\n\nSome prose.\n\n```output\n1\n```\n")
