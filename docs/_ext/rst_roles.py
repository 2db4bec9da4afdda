"""A griffe extension for the API reference: the docstrings' Sphinx roles as Markdown code.

The docstrings name other objects the Sphinx way (``:class:`Execution```,
``:func:`~.lead_time.detection_lead_time```), which Markdown would show with the role's text;
this turns each into inline code of the name a reader knows (the last part with ``~``).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|mod|data|meth|attr|exc|obj):`(~?)\.?([^`]+)`")


def as_code(text: str) -> str:
    """The text with every Sphinx role replaced by inline code."""

    def code(found: re.Match[str]) -> str:
        short, name = found.group(1), found.group(2)
        return f"`{name.rsplit('.', 1)[-1] if short else name}`"

    return ROLE.sub(code, text)


class RstRoles(griffe.Extension):
    """Rewrite the roles of every docstring as it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = as_code(obj.docstring.value)
