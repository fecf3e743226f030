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
from statesnap.engine.format.js_exactness import (
    is_array_index,
    may_differ_from_javascript,
)
from statesnap.engine.format.node_gunzip import GzipRejected, gunzip_fast, gunzip_zlib
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
        gunzip_zlib(bytes(raw), 1 << 20)


def test_a_file_of_several_members_reads_the_same_either_way() -> None:
    raw = gzip.compress(b'{"a":') + gzip.compress(b"1}") + b"\x00junk"
    assert gunzip_fast(raw, 1 << 20) == gunzip_zlib(raw, 1 << 20) == b'{"a":1}'


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
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet='0123456789.e+-,]}":{a\\\n', max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(alphabet='0123456789a"\\', min_size=1, max_size=11), children, max_size=4
        )
    ),
    max_leaves=20,
)


def differs_somewhere(value: Any) -> bool:
    """The scan's answer worked out from the value: a float orjson prints with an exponent or
    as `….0`, or a key that is an array index, anywhere in it."""
    if isinstance(value, float):
        text = orjson.dumps(value)
        return b"e" in text or text.endswith(b".0")
    if isinstance(value, list):
        return any(differs_somewhere(item) for item in value)
    if isinstance(value, dict):
        return any(is_array_index(key) or differs_somewhere(item) for key, item in value.items())
    return False


@settings(max_examples=500, deadline=None)
@given(value=json_values, indent=st.booleans())
def test_the_scan_finds_exactly_the_places_javascript_prints_otherwise(
    value: Any, indent: bool
) -> None:
    printed = orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else None)
    assert may_differ_from_javascript(printed) == differs_somewhere(value)
    if not may_differ_from_javascript(printed) and not indent:
        assert js_dumps(value) == printed


def test_look_alikes_inside_strings_are_no_alarm_and_escapes_end_no_string_early() -> None:
    assert not may_differ_from_javascript(b'{"a":"1.0, 1e+16 {\\"7\\":1}","b\\\\":"\\\\"}')
    assert may_differ_from_javascript(b'{"a":"x\\\\","7":1}')  # the string ends at \\"
    assert may_differ_from_javascript(b'["unterminated')
