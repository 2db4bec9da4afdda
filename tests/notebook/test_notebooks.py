"""The notebooks in docs/notebooks run from a clean kernel, and the saved ones are that run."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "docs" / "notebooks"
NAMES = ("execution_vs_performance", "audit_replay", "your_own_policy", "coaching_pays_off")


def _read(path: Path) -> Any:
    return nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebook_build", NOTEBOOKS / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", NAMES)
def test_the_notebook_runs_without_error(name: str, tmp_path: Path) -> None:
    """Given a notebook of docs/notebooks copied to a temp directory with its outputs cleared,
    when every cell runs in a fresh kernel, then none raises."""
    notebook = _read(NOTEBOOKS / f"{name}.ipynb")
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    copy = tmp_path / f"{name}.ipynb"
    nbformat.write(notebook, copy)  # type: ignore[no-untyped-call]

    client = NotebookClient(
        _read(copy),
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    executed = client.execute()  # raises CellExecutionError on the first failing cell

    assert all(
        cell.execution_count is not None for cell in executed.cells if cell.cell_type == "code"
    )


@pytest.mark.parametrize("name", NAMES)
def test_the_saved_notebook_is_its_source_executed(name: str) -> None:
    """Given a saved notebook, when compared with its percent-format source, then it has the
    same cells, every code cell ran in order without an error, and its figures are PNGs."""
    saved = _read(NOTEBOOKS / f"{name}.ipynb")
    built = _builder().notebook_of(name)

    assert [(c.cell_type, c.source) for c in saved.cells] == [
        (c.cell_type, c.source) for c in built.cells
    ]
    code = [cell for cell in saved.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    outputs = [output for cell in code for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    assert any("image/png" in output.get("data", {}) for output in outputs)


def test_the_figures_of_the_docs_page_exist() -> None:
    """Given docs/notebooks.md, when its images are looked up, then each is a saved figure
    of a notebook."""
    page = (ROOT / "docs" / "notebooks.md").read_text()
    images = [part.split(")", 1)[0] for part in page.split("](notebooks/img/")[1:]]

    assert len(images) >= 6
    for image in images:
        assert (NOTEBOOKS / "img" / image).read_bytes()[:4] == b"\x89PNG"
