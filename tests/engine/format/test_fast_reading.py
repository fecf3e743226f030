"""The fast load path gives the original's verdict: isal's reading confirmed by zlib, and the
proof that a file's bytes are what JSON.stringify prints, window by window."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statesnap.engine import SnapshotStatus, js_dumps
from statesnap.engine.format import js_exactness
from statesnap.engine.format.js_exactness import is_javascript_text_of, may_differ_from_javascript
from statesnap.engine.format.node_gunzip import GzipRejected, gunzip_fast, zlib_disagrees
from statesnap.engine.format.snapshot_encoding import data_checksum
from statesnap.engine.format.snapshot_reading import read_snapshot_bytes


def snapshot_text(data: Any) -> bytes:
    data_json = js_dumps(data)
    checksum = data_checksum(data_json).encode()
    return (
        b'{"version":1,"timestamp":"2026-01-01T00:00:00.000Z","checksum":"'
        + checksum
        + b'","data":'
        + data_json
        + b"}"
    )


def test_reserved_header_flags_are_corrupt_as_zlib_says_though_isal_reads_them() -> None:
    raw = bytearray(gzip.compress(snapshot_text({"sessions": []}), mtime=0))
    raw[3] |= 0x20  # a reserved flag: zlib refuses the member, isal ignores the flag
    found = read_snapshot_bytes(bytes(raw), Path("snapshot-x.json.gz"))
    assert found.status is SnapshotStatus.CORRUPT
    assert "unknown header flags set" in found.reason
    assert gunzip_fast(bytes(raw), 1 << 20)  # isal alone would have read it
    with pytest.raises(GzipRejected):
        zlib_disagrees(bytes(raw), 1 << 20, 0)


def test_zlib_agrees_with_isal_on_a_file_of_several_members() -> None:
    raw = gzip.compress(b'{"a":') + gzip.compress(b"1}") + b"\x00junk"
    text = gunzip_fast(raw, 1 << 20)
    assert text == b'{"a":1}'
    assert zlib_disagrees(raw, 1 << 20, len(text)) is None


def test_a_file_valid_in_every_other_way_is_judged_the_same_on_either_path() -> None:
    data = {"sessions": [{"id": "s1", "n": 1.5}], "x": {"7": 1, "a": [1.0]}}
    found = read_snapshot_bytes(gzip.compress(snapshot_text(data)), Path("snapshot-x.json.gz"))
    assert found.is_valid
    assert found.data == data


def test_an_index_key_after_a_key_beyond_the_index_range_is_found() -> None:
    assert may_differ_from_javascript(b'{"4294967295":1,"2":2}')
    assert not may_differ_from_javascript(b'{"4294967295":1,"a2":2}')


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet='0123456789.e+-,]}":{a', max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(alphabet="0123456789a", min_size=1, max_size=11), children, max_size=4
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=json_values, window=st.integers(1, 24))
def test_the_windowed_proof_never_passes_bytes_javascript_prints_otherwise(
    value: Any, window: int
) -> None:
    printed = orjson.dumps(value)
    text = b"<" + printed + b">"
    original = js_exactness._WINDOW
    js_exactness._WINDOW = window  # type: ignore[misc]  # windows smaller than any pattern
    try:
        proven = is_javascript_text_of(text, 1, len(text) - 1, printed)
    finally:
        js_exactness._WINDOW = original  # type: ignore[misc]
    if proven:
        assert js_dumps(value) == printed
