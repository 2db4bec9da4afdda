"""Fixtures of the signals' tests: the demo season's events and a SQLite store URL (as the
materialized views' tests have them)."""

from __future__ import annotations

from tests.materialize.conftest import season, sqlite_url

__all__ = ["season", "sqlite_url"]
