"""Storage: the event store on eventsourcing (memory, SQLite, PostgreSQL) behind the core's
``EventStore`` port, its codec and its hash chain.

- :mod:`.config`: store URLs, PostgreSQL settings and environment variables;
- :mod:`.mapper`: events, snapshots and idempotency receipts as rows of the events table;
- :mod:`.store`: :class:`ExecutionStore` (the port) and :func:`open_store`, with
  :mod:`.guard` (stale reads) and :mod:`.opening` (tables, failures as typed errors);
- :mod:`.recorders` and :mod:`.postgres_recorder`: eventsourcing's recorders keeping the chain;
- :mod:`.chain_format` and :mod:`.chain_verify`: what the chain hashes, and its verifier;
- :mod:`.codec`: canonical JSON of events and states.
"""

from execution_core.ports import ChainHead
from execution_core_adapters.storage.chain_format import CHAIN_TABLE, GENESIS, ChainBroken
from execution_core_adapters.storage.chain_verify import AuditReport, Tampering, head, verify
from execution_core_adapters.storage.codec import CodecError
from execution_core_adapters.storage.config import POSTGRES_OPTIONS, PostgresOption, store_env
from execution_core_adapters.storage.mapper import receipt_stream_id
from execution_core_adapters.storage.store import ExecutionStore, open_store

__all__ = [
    "CHAIN_TABLE",
    "GENESIS",
    "POSTGRES_OPTIONS",
    "AuditReport",
    "ChainBroken",
    "ChainHead",
    "CodecError",
    "ExecutionStore",
    "PostgresOption",
    "Tampering",
    "head",
    "open_store",
    "receipt_stream_id",
    "store_env",
    "verify",
]
