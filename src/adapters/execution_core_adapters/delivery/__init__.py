"""Signal delivery: subscriptions fed from the signal log to Python handlers (exactly once)
and webhooks (at least once, with an idempotency key, retries and dead letters).

``tables`` keeps the subscriptions, their positions and the dead letters beside the view
tables; ``webhook`` posts with backoff; ``dispatcher`` drives the deliveries (see
docs/signals.md, "Delivery").
"""

from __future__ import annotations

from execution_core_adapters.delivery.dispatcher import (
    Delivery,
    Dispatcher,
    Replayed,
    SignalSource,
    resolve_handler,
)
from execution_core_adapters.delivery.tables import DeadLetter, DeliveryConflict, Subscribed
from execution_core_adapters.delivery.webhook import IDEMPOTENCY_HEADER, Attempted, Backoff

__all__ = [
    "IDEMPOTENCY_HEADER",
    "Attempted",
    "Backoff",
    "DeadLetter",
    "Delivery",
    "DeliveryConflict",
    "Dispatcher",
    "Replayed",
    "SignalSource",
    "Subscribed",
    "resolve_handler",
]
