"""The package as an index shows it: one version, a license file, project URLs the README's
links are made absolute against, runtime extras without build or test tools, and a test extra
that installs everything the tests import. (.ci/check-wheel builds the wheel and uses it from
a fresh venv.)"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

import execution_core

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
README_HOOK = PYPROJECT["tool"]["hatch"]["metadata"]["hooks"]["fancy-pypi-readme"]
RELATIVE_LINK = re.compile(r"\]\((?!https?://|#)([^)]+)\)")
DEV_TOOLS = {"pytest", "hypothesis", "mypy", "ruff", "nbclient", "nbformat", "ipykernel"}
DEV_TOOLS |= {"pandas-stubs", "build"}


def _names(requirements: list[str]) -> set[str]:
    return {Requirement(text).name for text in requirements}


def test_one_version() -> None:
    """Given the project, then its version is read from ``execution_core.__version__`` (not
    written in pyproject.toml) and the installed metadata carries the same."""
    assert "version" in PROJECT["dynamic"]
    assert "version" not in PROJECT
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "src/execution_core/__init__.py"
    assert execution_core.__version__ == importlib.metadata.version("execution-core")


def test_the_license_file_is_the_declared_license() -> None:
    """Given pyproject's MIT license, then a LICENSE file holds the MIT text and is shipped."""
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_index_page_has_classifiers_and_urls() -> None:
    """Given the metadata, then it names its Python versions, its license and its URLs."""
    classifiers = set(PROJECT["classifiers"])
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert "Typing :: Typed" in classifiers
    assert {"Homepage", "Source", "Documentation", "Changelog", "Issues"} <= set(PROJECT["urls"])


def test_readme_links_become_absolute_links_into_the_repository() -> None:
    """Given the README's relative links, then each names a file of the repository, and the
    build rewrites them against the Source URL (so they work on the index, off the repo)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = RELATIVE_LINK.findall(readme)
    assert links
    for link in links:
        assert (ROOT / link.split("#")[0]).exists(), link
    (substitution,) = README_HOOK["substitutions"]
    assert substitution["pattern"] == RELATIVE_LINK.pattern
    assert substitution["replacement"] == f"]({PROJECT['urls']['Source']}/blob/main/\\1)"
    rewritten = RELATIVE_LINK.sub(substitution["replacement"], readme)
    assert not RELATIVE_LINK.findall(rewritten)


def test_runtime_extras_hold_no_build_or_test_tool() -> None:
    """Given the extras an app or an analyst installs (postgres, notebook), then none pulls a
    build, type-checking or notebook-executing tool: those are in ``test`` and ``dev``."""
    extras = PROJECT["optional-dependencies"]
    runtime = _names(PROJECT["dependencies"]) | _names(extras["postgres"])
    runtime |= _names(extras["notebook"])
    assert not runtime & DEV_TOOLS
    assert DEV_TOOLS - {"build"} <= _names(extras["test"])


def _installed_closure(requirements: list[str]) -> set[str]:
    """The distributions ``requirements`` install, transitively, extras followed (read from
    the installed distributions' metadata, and this project's from pyproject.toml)."""
    seen: set[str] = set()
    todo = [Requirement(text) for text in requirements]
    while todo:
        requirement = todo.pop()
        name = requirement.name.lower().replace("_", "-")
        key = f"{name}[{','.join(sorted(requirement.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        if name == "execution-core":
            extras = PROJECT["optional-dependencies"]
            wanted = [text for extra in sorted(requirement.extras) for text in extras[extra]]
            todo += map(Requirement, PROJECT["dependencies"] + wanted)
            continue
        for child in map(Requirement, importlib.metadata.requires(name) or []):
            if child.marker is None or any(
                child.marker.evaluate({"extra": extra}) for extra in requirement.extras | {""}
            ):
                todo.append(child)
    return {key.split("[")[0] for key in seen}


def test_the_test_command_installs_everything_the_tests_import() -> None:
    """Given every module the tests, benchmarks and notebook builder import, then each comes
    from the standard library, the project, or a distribution that ``pip install -e
    ".[test,notebook]"`` (the README's test command) installs."""
    installed = _installed_closure(["execution-core[test,notebook]"])
    owners = importlib.metadata.packages_distributions()
    ours = {"execution_core", "execution_core_adapters", "tests", "benchmarks"}
    missing: set[str] = set()
    files = [*ROOT.glob("tests/**/*.py"), *ROOT.glob("benchmarks/*.py")]
    files.append(ROOT / "docs" / "notebooks" / "build.py")
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in ours:
                    continue
                distributions = {d.lower().replace("_", "-") for d in owners.get(top, [])}
                if not distributions & installed:
                    missing.add(f"{top} ({path.relative_to(ROOT)})")
    assert not missing, sorted(missing)
