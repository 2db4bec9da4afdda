"""Build the notebooks from their sources, execute them, and save them with their outputs.

Each notebook's source is ``src/<name>.py`` in the percent format: a line ``# %%`` starts a
code cell, ``# %% [markdown]`` a Markdown cell (its lines commented with ``# ``), and a
commented magic (``# %matplotlib inline``) is uncommented. A code cell
whose first line is ``# figure: NAME`` has its PNG output also saved as ``img/NAME.png``, for
docs/notebooks.md. Run from the repository root:

    .venv/bin/python docs/notebooks/build.py            # every notebook
    .venv/bin/python docs/notebooks/build.py audit_replay

The test suite executes the saved notebooks again (tests/notebook/test_notebooks.py) and checks
that they match their sources.
"""

from __future__ import annotations

import base64
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
IMAGES = HERE / "img"
NOTEBOOKS = ("execution_vs_performance", "audit_replay", "your_own_policy", "coaching_pays_off")
FIGURE = re.compile(r"^# figure: ([\w-]+)\s*$", re.MULTILINE)
MAGIC = re.compile(r"^# %[a-z]")
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def cells_of(source: str) -> list[tuple[str, str]]:
    """The (kind, text) cells of a percent-format source."""
    cells: list[tuple[str, list[str]]] = []
    for line in source.splitlines():
        if line.startswith("# %%"):
            kind = "markdown" if "[markdown]" in line else "code"
            cells.append((kind, []))
        elif cells:
            kind, lines = cells[-1]
            if kind == "markdown":
                lines.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
            elif MAGIC.match(line):
                lines.append(line[2:])  # a commented IPython magic: `# %matplotlib inline`
            else:
                lines.append(line)
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in cells]


def notebook_of(name: str) -> nbformat.NotebookNode:
    """The notebook of a source, not executed."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = KERNEL
    notebook.metadata["language_info"] = {"name": "python"}
    for kind, text in cells_of((SOURCES / f"{name}.py").read_text()):
        if kind == "markdown":
            notebook.cells.append(nbformat.v4.new_markdown_cell(text))
        else:
            notebook.cells.append(nbformat.v4.new_code_cell(text))
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"{name[:20]}-{number:02d}"  # stable ids: rebuilding gives small diffs
    return notebook


def execute(notebook: nbformat.NotebookNode, cwd: Path, timeout: int = 300) -> None:
    """Run every cell in a fresh kernel (raises on the first error)."""
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()


def save_figures(notebook: nbformat.NotebookNode) -> list[Path]:
    """Write the PNG output of each ``# figure: NAME`` cell to img/NAME.png."""
    IMAGES.mkdir(exist_ok=True)
    saved: list[Path] = []
    for cell in notebook.cells:
        found = FIGURE.search(cell.source) if cell.cell_type == "code" else None
        if not found:
            continue
        pngs = [o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
        if not pngs:
            raise ValueError(f"cell for figure {found.group(1)} drew no PNG")
        path = IMAGES / f"{found.group(1)}.png"
        path.write_bytes(base64.b64decode(pngs[-1]))
        saved.append(path)
    return saved


def build(name: str) -> None:
    """Build, execute and save one notebook with its figures."""
    started = time.perf_counter()
    notebook = notebook_of(name)
    execute(notebook, HERE)
    nbformat.write(notebook, HERE / f"{name}.ipynb")
    figures = save_figures(notebook)
    took = time.perf_counter() - started
    print(f"{name}.ipynb: {len(notebook.cells)} cells, {len(figures)} figures, {took:.1f} s")


if __name__ == "__main__":
    for name in sys.argv[1:] or NOTEBOOKS:
        build(name)
