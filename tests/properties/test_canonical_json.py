"""Canonical JSON is the standard library's form, byte for byte, whichever encoder writes it."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from adapters.codec import dumps

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _stdlib(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@given(VALUES)
def test_dumps_writes_the_bytes_the_standard_library_writes(data: Any) -> None:
    """Property: for any finite JSON value (floats of every magnitude, integers past 64 bits,
    any text), ``dumps`` equals the standard library's canonical form (the oracle), the form
    every stored event and chain hash was written in."""
    assert dumps(data) == _stdlib(data)


def test_the_float_spellings_orjson_writes_otherwise_are_the_standard_librarys() -> None:
    """Given floats orjson spells otherwise than ``repr``, when dumped, then ``repr`` wins."""
    for value in (1e-05, 1e-07, 1.5e-05, -7.2e-09, 1e16, 1.7976931348623157e308, 5e-324):
        assert dumps([value]) == f"[{value!r}]".encode()
