"""A sweep's progress bar in a notebook: one output line, redrawn as runs finish.

It needs only IPython's display (the notebook kernel's own), not a widget library, and the
saved notebook keeps its last state. The terminal's bar is rich's (``execution-core sweep``).
"""

from __future__ import annotations

import html
import time

__all__ = ["NotebookBar", "notebook_bar"]


class NotebookBar:
    """A progress callback (``bar(done, total)``) that draws itself in the notebook's output."""

    def __init__(self, description: str = "Sweep") -> None:
        self.description = description
        self.started = time.perf_counter()
        self.done = 0
        self.total = 0
        self._handle: object | None = None

    def _repr_html_(self) -> str:
        return (
            f"<div><b>{html.escape(self.description)}</b> "
            f'<progress value="{self.done}" max="{max(self.total, 1)}"></progress> '
            f"{html.escape(self._status())}</div>"
        )

    def __repr__(self) -> str:
        width = 30
        filled = width * self.done // max(self.total, 1)
        return f"{self.description} [{'#' * filled}{'.' * (width - filled)}] {self._status()}"

    def _status(self) -> str:
        elapsed = time.perf_counter() - self.started
        return f"{self.done}/{self.total} runs, {elapsed:.1f} s"

    def __call__(self, done: int, total: int) -> None:
        """Record that ``done`` of ``total`` runs finished, and redraw."""
        from IPython.display import display

        self.done, self.total = done, total
        if self._handle is None:
            self._handle = display(self, display_id=True)
        else:
            self._handle.update(self)  # type: ignore[attr-defined]


def notebook_bar(description: str = "Sweep") -> NotebookBar:
    """A progress bar for ``sweep(..., progress=notebook_bar("coaching"))`` in a notebook."""
    return NotebookBar(description)
