"""Scale-out on PostgreSQL: configuration, idempotency, dropped connections, bad input, workers."""
