"""Fixtures the audit tests share."""

from __future__ import annotations

import pytest

from execution_core_adapters.storage.store import open_store
from execution_core_adapters.transfer import export_lines
from tests.audit.helpers import record_small


@pytest.fixture(scope="module")
def good_lines(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """The small history's export (standard org, two goals, eight check-ins, coaching), one
    line each."""
    url = f"sqlite:///{tmp_path_factory.mktemp('good') / 'good.db'}"
    record_small(url)
    store = open_store(url)
    try:
        return list(export_lines(store))
    finally:
        store.close()
