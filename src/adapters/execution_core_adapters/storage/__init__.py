"""Storage: the event store on eventsourcing (memory, SQLite, PostgreSQL), its codec and its
hash chain."""
