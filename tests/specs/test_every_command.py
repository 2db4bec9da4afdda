"""Every command of every stream in the registry has its spec here, accepted and refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from execution_core.streams import STREAMS

HERE = Path(__file__).parent
MODULES = {
    "organization": "test_organization.py",
    "strategy": "test_strategy.py",
    "cycle": "test_cycles.py",
    "goal": "test_goals.py",
    "coaching": "test_coaching.py",
    "appraisal": "test_appraisals.py",
}


def test_every_stream_has_a_spec_module() -> None:
    """A stream added to the registry needs a module of specs here."""
    assert set(STREAMS.names()) == set(MODULES)


@pytest.mark.parametrize(
    ("stream", "command"),
    [(d.stream, c.__name__) for d in STREAMS for c in d.commands],
)
def test_every_command_is_specified(stream: str, command: str) -> None:
    """Each command is built in its stream's spec module, which says what it records and what
    it refuses (a command added to a decider fails here until it has its specs)."""
    text = (HERE / MODULES[stream]).read_text()
    assert re.search(rf"\b{command}(\(|\.model_validate\()", text), f"no spec builds {command}"
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", command).lower()
    assert re.search(rf"def test_{snake}(?!_refuses)\w*\(", text), f"no test_{snake}..."
    assert re.search(rf"def test_{snake}_refuses", text), f"no test_{snake}_refuses..."
