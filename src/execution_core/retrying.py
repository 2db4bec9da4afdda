"""How the facade retries a command: the caller says how many times (``retries``), this policy
how long to wait before each retry (exponential backoff with random jitter, by tenacity).

Waiting is the facade's business, never the core's decisions': the policy sleeps through the
function it is given (``time.sleep`` by default), so a test or an asyncio app injects its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import attrs

__all__ = ["Backoff"]

T = TypeVar("T")


def _non_negative(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value >= 0:
        raise ValueError(f"{attribute.name} is a number of seconds >= 0, not {value!r}")


@attrs.frozen
class Backoff:
    """Exponential backoff with jitter between the tries of one command.

    Before retry ``n`` (1, 2, ...) the facade waits ``min(first * 2 ** (n - 1), most)``
    seconds plus a random share of ``jitter`` seconds, so writers that collided on a stream
    do not collide again in step. A ``ConcurrentChange`` is retried (the command is decided
    again on fresh state, the rules checked anew); a ``StoreUnavailable`` only when the
    command carries an idempotency key, which makes its retry safe.
    """

    first: float = attrs.field(default=0.01, validator=_non_negative)
    """Seconds before the first retry."""
    most: float = attrs.field(default=2.0, validator=_non_negative)
    """The longest wait between two tries, in seconds (before jitter)."""
    jitter: float = attrs.field(default=0.01, validator=_non_negative)
    """Up to this many seconds added at random to each wait."""
    sleep: Callable[[float], None] = attrs.field(default=time.sleep, eq=False)
    """How the facade waits: ``time.sleep`` unless another is injected."""

    def run(
        self,
        attempt: Callable[[], T],
        *,
        retries: int,
        retry_if: tuple[type[Exception], ...],
    ) -> T:
        """``attempt()``, tried again up to ``retries`` times while it raises ``retry_if``
        (the last error is raised as it was); none is waited for when ``retries`` is 0."""
        if retries < 0:
            from execution_core.errors import InvalidInput

            raise InvalidInput(f"retries is a count >= 0, not {retries!r}")
        try:
            return attempt()
        except retry_if as error:
            if retries == 0:
                raise
            failed: Exception | None = error
        import tenacity

        # The first try ran above, outside tenacity (most commands succeed at once, and the
        # retrying loop costs more to set up than a decision on the fake store): tenacity's
        # first attempt replays its failure, so its waits and count are those of the policy.
        def again() -> T:
            nonlocal failed
            if failed is not None:
                replayed, failed = failed, None
                raise replayed
            return attempt()

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(retries + 1),
            wait=tenacity.wait_exponential(multiplier=self.first, max=self.most)
            + tenacity.wait_random(0, self.jitter),
            retry=tenacity.retry_if_exception_type(retry_if),
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(again)
