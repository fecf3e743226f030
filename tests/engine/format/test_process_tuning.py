"""A library is a guest: without the host's opt-in, parsing and writing leave the collector and
the recursion limit as they were; with it, the documented tuning happens."""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from statesnap.engine import generate_state, js_dumps, js_loads, tune_process_for_large_snapshots
from statesnap.engine.format import js_reader
from statesnap.engine.format.jsjson_limits import MAX_DEPTH, JSONInputError
from statesnap.engine.format.process_tuning import FREEZE_AFTER_BYTES, is_process_tuned


@pytest.fixture
def large_document() -> bytes:
    raw = js_dumps(generate_state(3 * FREEZE_AFTER_BYTES, seed=3))
    assert len(raw) >= FREEZE_AFTER_BYTES
    return raw


@pytest.fixture
def tuned() -> Iterator[None]:
    tune_process_for_large_snapshots()
    try:
        yield
    finally:
        tune_process_for_large_snapshots(False)
        gc.unfreeze()


@pytest.fixture
def collector_seen(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the collector was enabled while orjson parsed, for each parse."""
    seen: list[bool] = []
    real_loads = orjson.loads

    def loads(text: Any) -> Any:
        seen.append(gc.isenabled())
        return real_loads(text)

    monkeypatch.setattr(js_reader.orjson, "loads", loads)
    return seen


@pytest.fixture
def untuned() -> Iterator[None]:
    was = is_process_tuned()
    tune_process_for_large_snapshots(False)
    try:
        yield
    finally:
        tune_process_for_large_snapshots(was)


def test_off_until_the_host_opts_in() -> None:
    code = (
        "import statesnap.engine as engine, statesnap.engine.format.process_tuning as tuning;"
        "engine.js_loads(b'[1]'); print(tuning.is_process_tuned())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_the_opt_in_nothing_process_wide_changes(
    untuned: None, large_document: bytes, collector_seen: list[bool]
) -> None:
    enabled, frozen, limit = gc.isenabled(), gc.get_freeze_count(), sys.getrecursionlimit()
    assert js_loads(large_document)["sessions"]
    assert collector_seen == [enabled]
    assert (gc.isenabled(), gc.get_freeze_count(), sys.getrecursionlimit()) == (
        enabled,
        frozen,
        limit,
    )


def test_with_the_opt_in_the_collector_pauses_and_a_large_document_is_frozen(
    tuned: None, large_document: bytes, collector_seen: list[bool]
) -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    js_loads(b'{"small": 1}')
    assert gc.get_freeze_count() == frozen  # below FREEZE_AFTER_BYTES: nothing frozen
    value = js_loads(large_document)
    assert collector_seen == [False, False]  # paused during both parses
    assert gc.isenabled()  # and back on after them
    assert gc.get_freeze_count() > frozen + len(value["sessions"])


def test_the_opt_in_leaves_a_disabled_collector_disabled(
    tuned: None, collector_seen: list[bool]
) -> None:
    gc.disable()
    try:
        js_loads(b"[1]")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_opt_in_never_changes_the_recursion_limit(
    tuned: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(limit: int) -> None:
        raise AssertionError(f"recursion limit set to {limit}")

    monkeypatch.setattr(sys, "setrecursionlimit", refuse)
    deep = b'{"a":' * MAX_DEPTH + b'"\\ud800"' + b"}" * MAX_DEPTH  # the standard-library path
    assert js_dumps(js_loads(deep)) == deep


# -- deep documents, within the default recursion limit --------------------------------------


def nested(depth: int, leaf: bytes) -> bytes:
    return b'{"a":[' * (depth // 2) + leaf + b"]}" * (depth // 2)


def test_the_deepest_documents_parse_and_print_under_the_default_recursion_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "setrecursionlimit", lambda limit: pytest.fail("recursion limit"))
    assert sys.getrecursionlimit() < MAX_DEPTH
    for leaf in (b'"\\udc00"', b"1e400", b"1.0"):  # refused by orjson: the stdlib's grammar
        raw = nested(MAX_DEPTH, leaf)
        value = js_loads(raw)
        printed = js_dumps(value)  # the exact encoder, all the way down
        assert printed == raw.replace(b"1e400", b"null").replace(b"1.0", b"1")
    with pytest.raises(JSONInputError, match="nested deeper"):
        js_loads(nested(MAX_DEPTH + 2, b'"\\udc00"'))
    with pytest.raises(JSONInputError, match="nested deeper"):
        js_loads(b"[" * (5 * MAX_DEPTH) + b"]" * (5 * MAX_DEPTH))


def reference_loads(text: str) -> tuple[Any, ...]:
    """What json.loads (with js_loads's hooks) says, with room to recurse."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(4 * MAX_DEPTH + 1000)
    try:
        return outcome(lambda: json.loads(text, parse_constant=_constant, parse_int=_int))
    finally:
        sys.setrecursionlimit(limit)


def _constant(name: str) -> Any:
    return js_reader._reject_constant(name)


def _int(text: str) -> Any:
    return js_reader._parse_int(text)


def outcome(parse: Any) -> tuple[Any, ...]:
    """The parse's value as exact JSON (compared without recursion), or its error."""
    try:
        return ("value", js_dumps(parse()))
    except json.JSONDecodeError as exc:
        return ("error", exc.msg, exc.pos)
    except ValueError as exc:
        return ("refused", str(exc))


DEEP = 3000


@pytest.mark.parametrize(
    "text",
    [
        "[" * DEEP + "]" * DEEP,
        "[" * DEEP + "]" * (DEEP - 1),
        "[" * DEEP + "1,]" + "]" * (DEEP - 1),
        '{"k":' * DEEP + '"v"' + "}" * DEEP,
        '{"k":' * DEEP + '"v" ,' + "}" * DEEP,
        '{"k":' * DEEP + "NaN" + "}" * DEEP,
        ' [ {"a" : [ 1 , 2.5e3 , "x\\u00e9" ] , "b" : { } } ] ' * 1 + "x",
        "[" * DEEP + '"unterminated',
        "[" * DEEP + "]" * DEEP + " []",
    ],
    ids=range(9),
)
def test_the_deep_parser_matches_the_standard_library(text: str) -> None:
    assert outcome(lambda: js_reader._parse_deep(text)) == reference_loads(text)


_PIECES = [*'{}[]:,"  \t\n\r0123456789-+.eE\\aunl', "null", "true", "false", '"k"', "1.5"]
_PIECES += ["-0", "1e5", "NaN", "-Infinity", "Infinity", '\\"', '"\\ud800"', "é"]


@pytest.mark.parametrize("seed", range(4))
def test_the_deep_parser_matches_the_standard_library_on_any_text(seed: int) -> None:
    rng = random.Random(seed)
    base = ['{"a": [1, 2.5, {"b": null}], "c": "d\\u00e9", "e": true}', "[1,[2,[{}]],-0.5e1]"]
    for _ in range(2500):
        text = list(rng.choice(base))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            if rng.random() < 0.5 and text:
                del text[min(at, len(text) - 1)]
            else:
                text.insert(at, rng.choice(_PIECES))
        joined = "".join(text)
        mine = outcome(lambda: js_reader._parse_deep(joined))  # noqa: B023 - called at once
        assert mine == reference_loads(joined), joined
