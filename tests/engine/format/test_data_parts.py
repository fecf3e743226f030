"""Printing the data object in parts: the parts joined are orjson's bytes, and the scans over
the printed texts miss no place where JavaScript prints otherwise, however the maps are cut."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statesnap.engine import js_dumps
from statesnap.engine.format import data_parts
from statesnap.engine.format.data_parts import SerializedParts, serialize_in_parts
from statesnap.engine.format.js_writer import orjson_dumps
from statesnap.engine.format.snapshot_encoding import (
    DataEncoder,
    assemble,
    data_checksum,
    encode_snapshot,
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet='0123456789.e+-,]}":{a\\', max_size=6),
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet="0123a", min_size=1, max_size=3), children, max_size=3)
    ),
    max_leaves=12,
)
maps = st.one_of(
    st.lists(values, max_size=6),
    st.dictionaries(st.text(alphabet="0123ab", min_size=1, max_size=4), values, max_size=6),
    scalars,
)
states = st.dictionaries(st.sampled_from(["sessions", "events", "chains", "x"]), maps, max_size=4)


def printed(data: dict[str, Any]) -> tuple[bytes, SerializedParts | None]:
    parts: list[bytes | memoryview] = []
    found = serialize_in_parts(data, parts.append)
    return b"".join(bytes(part) for part in parts), found


@pytest.fixture(params=["one entry a part", "small entries whole"])
def cutting(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut maps as finely as possible (every entry its own part), or print dicts of small
    entries whole."""
    if request.param == "one entry a part":
        monkeypatch.setattr(data_parts, "_PART_BYTES", 1)
        monkeypatch.setattr(data_parts, "_FIRST_BATCH", 1)
        monkeypatch.setattr(data_parts, "_SMALL_ENTRY_BYTES", 0)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # the same cut for every example
)
@given(data=states)
def test_parts_join_to_orjson_and_the_scans_miss_nothing(cutting: None, data: Any) -> None:
    joined, found = printed(data)
    if found is None:  # orjson refuses it whole too: the exact encoder prints it
        assert orjson_dumps(data) is None
        return
    assert joined == orjson.dumps(data)
    assert found.size == len(joined)
    if not found.may_differ_from_javascript():
        assert js_dumps(data) == joined


def test_a_float_ending_a_batch_and_an_index_key_opening_one_are_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(data_parts, "_PART_BYTES", 1)
    monkeypatch.setattr(data_parts, "_SMALL_ENTRY_BYTES", 0)
    for data in ({"a": ["x", 1.0, "y"]}, {"a": {"b": 1, "7": 2}}, {"a": [2e-6]}, {"a": 1e16}):
        joined, found = printed(data)
        assert found is not None and found.may_differ_from_javascript(), data
        assert joined == orjson.dumps(data)


def test_a_large_map_is_cut_into_parts_of_about_the_size_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(data_parts, "_PART_BYTES", 4096)
    data = {"events": {f"s{index}": ["e" * 300] for index in range(200)}, "list": list(range(5000))}
    parts: list[bytes | memoryview] = []
    found = serialize_in_parts(data, parts.append)
    assert found is not None and not found.may_differ_from_javascript()
    assert b"".join(bytes(part) for part in parts) == orjson.dumps(data)
    batches = [len(text) for text in found.texts if text.startswith(b'{"s')]
    assert len(batches) > 10
    assert max(batches[1:-1]) < 3 * 4096


def test_what_orjson_refuses_or_javascript_reorders_is_left_to_the_exact_encoder() -> None:
    for data in ({1: []}, {"7": []}, {"a": [2**60]}, {"a": {1: 2}}):
        assert printed(data)[1] is None, data  # type: ignore[arg-type]


@pytest.mark.parametrize("parallel", [True, False])
def test_data_encoded_part_by_part_is_the_file_encoded_whole(parallel: bool) -> None:
    data = {"events": {f"s{index}": [{"n": index, "t": "x" * index}] for index in range(300)}}
    whole = js_dumps(data)
    encoder = DataEncoder(parallel=parallel)
    found = serialize_in_parts(data, encoder.add)
    assert found is not None
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    in_parts = assemble(encoder.finish(), moment)
    at_once = encode_snapshot(whole, moment)
    assert gzip.decompress(in_parts.payload) == gzip.decompress(at_once.payload)
    document = orjson.loads(gzip.decompress(in_parts.payload))
    assert document["data"] == data
    assert document["checksum"] == in_parts.checksum == data_checksum(whole)
    assert in_parts.data_size == len(whole)
