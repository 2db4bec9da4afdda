"""The EventStore contract, written once and run against every store."""
