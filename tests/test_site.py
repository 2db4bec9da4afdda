"""The documentation site builds with ``mkdocs build --strict``, so a broken link between pages,
a page left out of the navigation or a reference the docstrings cannot resolve fails the suite,
and the API reference it generates documents the public names."""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)#]+)(#[^)]*)?\)")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once for the module into a temporary folder."""
    folder = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    return folder


def test_every_page_is_built(site: Path) -> None:
    """Given the Markdown pages of docs/, then each has its page in the site."""
    for page in (ROOT / "docs").glob("*.md"):
        name = "" if page.stem == "index" else f"{page.stem}/"
        assert (site / name / "index.html").is_file(), page.name


PUBLIC_MODULES = {
    "execution_core": "execution_core",
    "execution_core.views": "views",
    "execution_core.views.live": "views",
    "execution_core.events": "streams",
    "execution_core.states": "streams",
    "execution_core.streams": "streams",
    "execution_core.access": "streams",
    "execution_core.ports": "streams",
    "execution_core.facts": "streams",
    "execution_core.audit": "audit",
    "execution_core.signals": "signals",
    "execution_core.subscriptions": "signals",
    "execution_core.simulation": "simulation",
    "execution_core_adapters.storage": "adapters",
    "execution_core_adapters.projections": "adapters",
    "execution_core_adapters.delivery": "adapters",
    "execution_core_adapters.notebook": "adapters",
    "execution_core_adapters.sweeps": "adapters",
}
"""The public modules, each with the reference page that documents its ``__all__``."""


def anchors(site: Path) -> set[str]:
    """Every documented object's anchor on the reference pages."""
    pages = (site / "reference").rglob("index.html")
    return {anchor for page in pages for anchor in re.findall(r'id="([\w.]+)"', page.read_text())}


@pytest.mark.parametrize("module", sorted(PUBLIC_MODULES))
def test_the_reference_documents_the_public_names(site: Path, module: str) -> None:
    """Given a public module, then every name of its ``__all__`` has an anchor in the
    reference: under the module, under its own module of the same name (``views.scoreboard``
    the function, in ``views.scoreboard`` the module), or where it is defined (a name re-exported
    from the core); a subpackage has its own page."""
    imported = importlib.import_module(module)
    page = (site / "reference" / PUBLIC_MODULES[module] / "index.html").read_text()
    documented = anchors(site)
    for name in imported.__all__:
        value = getattr(imported, name)
        if inspect.ismodule(value):
            assert value.__name__ in PUBLIC_MODULES, value.__name__
            continue
        homes = {f"{module}.{name}", f"{module}.{name}.{name}"}
        assert any(f'id="{home}"' in page for home in homes) or (
            f"{getattr(value, '__module__', '')}.{name}" in documented
        ), f"{module}.{name}"


def test_the_facade_is_documented(site: Path) -> None:
    """Given the reference of the top level, then the facade's methods and their docstrings
    are there."""
    top = (site / "reference" / "execution_core" / "index.html").read_text()
    assert 'id="execution_core.Execution.log_progress"' in top
    assert "Validate (if untrusted), decide and record one command" in top


def test_the_extension_points_are_in_the_reference(site: Path) -> None:
    """Given the hooks docs/extending.md names, then the reference documents each where it is
    imported from."""
    streams = (site / "reference" / "streams" / "index.html").read_text()
    for anchor in (
        "execution_core.event.register_upcaster",
        "execution_core.streams.StreamRegistry.registered",
        "execution_core.access.AccessPolicy",
        "execution_core.ports.EventStore",
    ):
        assert f'id="{anchor}"' in streams, anchor
    adapters = (site / "reference" / "adapters" / "index.html").read_text()
    assert 'id="execution_core_adapters.projections.ViewWorker"' in adapters


def test_links_between_pages_are_relative_files() -> None:
    """Given a link from one docs page to another, then it names a file relative to the page
    (as GitHub resolves it, and as mkdocs turns it into the page's address), never a site
    address; mkdocs --strict then checks that the file and the heading exist."""
    for page in (ROOT / "docs").rglob("*.md"):
        for target, _anchor in LINK.findall(page.read_text()):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            assert (page.parent / target).exists(), f"{page.name}: {target}"


def test_the_docstrings_roles_read_as_code(site: Path) -> None:
    """Given docstrings that name objects the Sphinx way (``:class:`Ledger```), then the
    reference shows the name as code, never the role's text."""
    for page in (site / "reference").rglob("index.html"):
        assert not re.search(r":(class|func|meth|mod|data|attr):", page.read_text()), page
    views_page = (site / "reference" / "views" / "index.html").read_text()
    assert "Fold every event of a store into a <code>Ledger</code>" in views_page
