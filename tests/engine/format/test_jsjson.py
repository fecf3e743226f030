"""js_dumps prints what JSON.stringify prints; js_loads reads what JSON.parse reads."""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statesnap.engine.format.js_reader import js_loads
from statesnap.engine.format.js_writer import js_dumps, js_number_text
from statesnap.engine.format.jsjson_limits import MAX_DEPTH, JSONInputError

from tests.support.node_bridge import NodeStringify


@pytest.fixture(scope="module")
def node() -> Iterator[NodeStringify]:
    bridge = NodeStringify()
    yield bridge
    bridge.close()


def encoded(value: Any) -> bytes:
    return js_dumps(value)


# DESIGN.md's list, each as (value, what JavaScript prints).
DESIGN_CASES: list[tuple[Any, str]] = [
    (1.0, "1"),
    (1e21, "1e+21"),
    (1e20, "100000000000000000000"),
    (1.5e-7, "1.5e-7"),
    (1e-7, "1e-7"),
    (0.000001, "0.000001"),
    (-0.0, "0"),
    (float("nan"), "null"),
    (float("inf"), "null"),
    (float("-inf"), "null"),
    (2**53 + 1, "9007199254740992"),
    (-(2**53) - 1, "-9007199254740992"),
    (2**70, "1.1805916207174113e+21"),
    (10**400, "null"),
    (123456789012345680000.0, "123456789012345680000"),
    (5e-324, "5e-324"),
    (
        {"b": 1, "2": 2, "0": 0, "10": 10, "01": 1, "-1": -1},
        '{"0":0,"2":2,"10":10,"b":1,"01":1,"-1":-1}',
    ),
    ({"4294967295": 1, "4294967294": 2, "a": 3}, '{"4294967294":2,"4294967295":1,"a":3}'),
    ("é ü 日本 😀", '"é ü 日本 😀"'),
    ("\u2028\u2029", '"\u2028\u2029"'),
    ('"\\\b\f\n\r\t', '"\\"\\\\\\b\\f\\n\\r\\t"'),
    ("\x00\x01\x1f", '"\\u0000\\u0001\\u001f"'),
    ("/\x7f", '"/\x7f"'),
    ("\ud800", '"\\ud800"'),
    ("a\udfffb", '"a\\udfffb"'),
    ("\ud83d\ude00", '"😀"'),
    ([1, [2, [3.0]], {"x": 1.25}], '[1,[2,[3]],{"x":1.25}]'),
    ((1, 2), "[1,2]"),
]


@pytest.mark.parametrize(
    ("value", "expected"), DESIGN_CASES, ids=[repr(c[0])[:40] for c in DESIGN_CASES]
)
def test_design_cases_print_as_javascript_does(
    value: Any, expected: str, node: NodeStringify
) -> None:
    out = js_dumps(value)
    assert out.decode("utf-8", "surrogatepass") == expected
    assert node(out) == out


def test_integer_beyond_2_53_is_written_with_a_warning_naming_where(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="statesnap.engine.format.js_writer"):
        out = js_dumps({"sessions": [{"id": "a", "big": 2**60 + 1}]})
    assert out == b'{"sessions":[{"id":"a","big":1152921504606847000}]}'
    assert "$.sessions[0].big" in caplog.text


def test_integer_a_double_holds_exactly_is_written_without_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="statesnap.engine.format.js_writer"):
        out = js_dumps({"a": 2**53 + 2, "b": 2**60})
    assert out == b'{"a":9007199254740994,"b":1152921504606847000}'
    assert caplog.text == ""


def test_unsupported_value_names_its_place() -> None:
    with pytest.raises(TypeError, match=r"\$\.a\[1\]"):
        js_dumps({"a": [1, {1, 2}]})


def test_non_string_keys_become_javascript_property_names() -> None:
    assert js_dumps({1: "a", 2.5: "b", "c": 1}) == b'{"1":"a","2.5":"b","c":1}'


def test_number_text_matches_number_to_string_on_edges(node: NodeStringify) -> None:
    values = [
        1e-6,
        1e-7,
        1.234e-7,
        1e21,
        9.999999999999999e20,
        0.1 + 0.2,
        2.5e-5,
        1e300,
        1.7976931348623157e308,
    ]
    for value in values:
        text = js_number_text(value).encode()
        assert node(text) == text


json_keys = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["0", "1", "10", "01", "-1", "4294967294", "4294967295", "1e3", "00", " 1"]),
    st.integers(0, 5000).map(str),
)
json_strings = st.text(
    alphabet=st.one_of(st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)),
    max_size=20,
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    json_strings,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(json_keys, children, max_size=5),
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_output_is_a_fixed_point_of_javascript(node: NodeStringify, value: Any) -> None:
    """JSON.stringify(JSON.parse(ours)) == ours, byte for byte."""
    out = js_dumps(value)
    assert node(out) == out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    json_values.filter(lambda v: not (isinstance(v, float) and math.isnan(v))),
    st.sampled_from([None, 1, 2]),
    st.booleans(),
    st.booleans(),
)
def test_reading_any_rendering_hashes_like_javascript(
    node: NodeStringify, value: Any, indent: int | None, ascii_only: bool, sort: bool
) -> None:
    """Pretty-printed, \\u-escaped or key-sorted text: our canonical form equals Node's."""
    try:
        text = json.dumps(
            value, indent=indent, ensure_ascii=ascii_only, sort_keys=sort, allow_nan=False
        )
    except (ValueError, TypeError):
        return
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:  # a raw lone surrogate is not UTF-8; the file tests cover that
        return
    expected = node(raw)
    if expected is None:
        with pytest.raises(JSONInputError):
            js_loads(raw)
        return
    ours = js_dumps(js_loads(text))
    assert hashlib.md5(ours).hexdigest() == hashlib.md5(expected).hexdigest()


@pytest.mark.parametrize(
    "text",
    [
        b"[NaN]",
        b"[Infinity]",
        b"[-Infinity]",
        b"[1,]",
        b"{'a':1}",
        b"\xef\xbb\xbf{}",
        b"[01]",
        b"[1",
        b"",
        b'["\x01"]',
    ],
)
def test_parse_rejects_what_javascript_rejects(text: bytes, node: NodeStringify) -> None:
    assert node(text) is None
    with pytest.raises(JSONInputError):
        js_loads(text)


def test_parse_accepts_what_orjson_refuses_but_javascript_reads(node: NodeStringify) -> None:
    for text in [
        b'["\\ud800"]',
        b"[1e400]",
        b"[-1e400]",
        b"[123456789012345678901234567890]",
        b'{"a":1,"a":2}',
    ]:
        expected = node(text)
        assert expected is not None
        assert js_dumps(js_loads(text)) == expected


def test_nesting_within_the_limit_round_trips(node: NodeStringify) -> None:
    depth = 3000
    text = b"[" * depth + b"]" * depth
    assert js_dumps(js_loads(text)) == text
    assert node(text) == text
    obj = b'{"a":' * depth + b"1" + b"}" * depth
    assert js_dumps(js_loads(obj)) == obj


def test_nesting_beyond_the_limit_is_refused_not_crashed() -> None:
    depth = MAX_DEPTH + 50
    with pytest.raises(JSONInputError, match="nested deeper"):
        js_loads(b"[" * depth + b"]" * depth)
    with pytest.raises(JSONInputError):
        js_loads(b"[" * 200_000 + b"]" * 200_000)
