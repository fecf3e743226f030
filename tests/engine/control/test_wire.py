"""The control channel's wire protocol on its own: every request and reply round-trips, and
malformed, foreign-shaped or oversized lines are refused with a message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from statesnap.engine import (
    EntryPage,
    LiveEntry,
    MapSummary,
    RollbackResult,
    SaveResult,
    ServiceStatus,
    SkippedSnapshot,
)
from statesnap.engine.control.wire import (
    MAX_REQUEST_BYTES,
    PROTOCOL_VERSION,
    REQUEST_TOO_LARGE,
    Op,
    ReplyError,
    RequestError,
    decode_reply,
    decode_request,
    encode_refusal,
    encode_reply,
    encode_request,
)
from statesnap.engine.control.wire_results import (
    decode_entries,
    decode_entry,
    decode_held,
    decode_maps,
    decode_rollback,
    decode_saved,
    decode_status,
    encode_entries,
    encode_entry,
    encode_held,
    encode_maps,
    encode_rollback,
    encode_saved,
    encode_status,
)
from statesnap.engine.format.js_reader import js_loads

DIRECTORY = Path("/srv/snaps")
NAME = "snapshot-2026-02-14T10-00-00-000Z.json.gz"


def through_the_wire(result: bytes) -> dict[str, Any]:
    """A result as the client gets it: in a reply line, decoded."""
    line = encode_reply(result)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    return decode_reply(line)


# -- requests ---------------------------------------------------------------------------------

REQUESTS: list[tuple[Op, dict[str, Any]]] = [
    (Op.STATUS, {}),
    (Op.SNAPSHOT, {}),
    (Op.ROLLBACK, {"file": NAME}),
    (Op.UNDO, {}),
    (Op.HOLD, {"file": NAME, "seconds": 30}),
    (Op.MAPS, {}),
    (Op.ENTRIES, {"map": "sessions", "offset": 5, "limit": 10}),
    (Op.ENTRIES, {"map": "sessions"}),
    (Op.ENTRIES, {"map": "sessions", "offset": 200, "limit": 100, "after": "s-199"}),
    (Op.ENTRY, {"map": "sessions", "key": "s-1 \u00e9\u2028"}),
]


def test_every_op_has_a_request_here() -> None:
    assert {op for op, _ in REQUESTS} == set(Op)


@pytest.mark.parametrize(("op", "fields"), REQUESTS, ids=str)
def test_every_request_round_trips(op: Op, fields: dict[str, Any]) -> None:
    line = encode_request(op, **fields)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode_request(line) == (op, fields)


def test_an_oversized_request_is_refused_by_either_end() -> None:
    fits = "k" * (MAX_REQUEST_BYTES - len(b'{"op":"entry","map":"m","key":""}\n'))
    assert len(encode_request(Op.ENTRY, map="m", key=fits)) == MAX_REQUEST_BYTES
    with pytest.raises(RequestError, match=r"request too large \(limit 65536 bytes\)"):
        encode_request(Op.ENTRY, map="m", key=fits + "k")
    assert f"request too large (limit {MAX_REQUEST_BYTES} bytes)" == REQUEST_TOO_LARGE


MALFORMED: list[tuple[bytes, str]] = [
    (b"", "not JSON"),
    (b"not json", "not JSON"),
    (b"\x00\x01\x02", "not JSON"),
    (b"[1, 2]", "expected a JSON object"),
    (b'"status"', "expected a JSON object"),
    (b"{}", "unknown operation none"),
    (b'{"op": "format-disk"}', "unknown operation 'format-disk'; expected one of: entries"),
    (b'{"op": 7}', "unknown operation 7"),
    (b'{"op": "status", "extra": 1}', "unexpected field\\(s\\) for status: 'extra'"),
    (b'{"op": "rollback"}', 'rollback needs "file"'),
    (b'{"op": "hold", "file": "x"}', 'hold needs "seconds"'),
    (b'{"op": "entry", "map": "m"}', 'entry needs "key"'),
    (b'{"op": "rollback", "file": 3}', '"file" must be a string'),
    (b'{"op": "hold", "file": "x", "seconds": "10"}', '"seconds" must be an integer'),
    (b'{"op": "hold", "file": "x", "seconds": true}', '"seconds" must be an integer'),
    (b'{"op": "hold", "file": "x", "seconds": 1.5}', '"seconds" must be an integer'),
    (b'{"op": "entries", "map": "m", "offset": -1}', '"offset" must not be negative'),
    (b'{"op": "entries", "map": "m", "limit": -1}', '"limit" must not be negative'),
    (b'{"op": "entries", "map": "' + b"m" * 1025 + b'"}', '"map" is too long'),
    (b'{"op": "entry", "map": "m", "key": "' + b"k" * 16385 + b'"}', '"key" is too long'),
    (b'{"op": "entries", "map": "m", "after": 3}', '"after" must be a string'),
    (b'{"op": "entries", "map": "m", "after": "' + b"k" * 16385 + b'"}', '"after" is too long'),
]


@pytest.mark.parametrize(("line", "message"), MALFORMED, ids=lambda value: repr(value)[:40])
def test_a_malformed_request_is_refused_with_a_message(line: bytes, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        decode_request(line)


def test_limits_at_the_edge_are_accepted() -> None:
    line = encode_request(Op.ENTRY, map="m" * 1024, key="k" * 16384)
    assert decode_request(line) == (Op.ENTRY, {"map": "m" * 1024, "key": "k" * 16384})
    assert decode_request(encode_request(Op.ENTRIES, map="m", offset=0, limit=0))[1]["limit"] == 0


# -- replies ----------------------------------------------------------------------------------


def test_a_refusal_round_trips() -> None:
    line = encode_refusal('no map named "x"\n\u2028')
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    with pytest.raises(ReplyError) as caught:
        decode_reply(line)
    assert str(caught.value) == 'no map named "x"\n\u2028'


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"not json", "malformed reply: "),
        (b"[]", "malformed reply$"),
        (b'{"result": {}}', "malformed reply$"),
        (b'{"ok": "yes", "result": {}}', "malformed reply$"),
        (b'{"ok": false}', "the server refused"),
        (b'{"ok": false, "error": 3}', "the server refused"),
        (b'{"ok": true}', r"malformed reply \(no result\)"),
        (b'{"ok": true, "result": [1]}', r"malformed reply \(no result\)"),
    ],
)
def test_a_malformed_reply_is_refused(line: bytes, message: str) -> None:
    with pytest.raises(ReplyError, match=message):
        decode_reply(line)


def status_with(**changes: Any) -> ServiceStatus:
    fields: dict[str, Any] = {
        "pid": 4242,
        "mode": "memory",
        "directory": DIRECTORY,
        "enabled": True,
        "interval_s": 300.0,
        "max_snapshots": 3,
        "running": True,
        "last_save": SaveResult(
            "2026-02-14T10:00:00.000Z", True, DIRECTORY / NAME, "abc", duration_s=0.25
        ),
        "restored_from": NAME,
        "skipped": (SkippedSnapshot("snapshot-x.json.gz", "corrupt", "not gzip"),),
        "can_undo": True,
        "counts": {"sessions": 2, "events": 0},
        "last_rollback": RollbackResult(NAME, DIRECTORY / "u.json.gz", DIRECTORY / "a.json.gz"),
        "kept": (NAME, "u.json.gz"),
        "rollback_grace_s": 900.0,
    }
    fields.update(changes)
    return ServiceStatus(**fields)


@pytest.mark.parametrize(
    "status",
    [
        status_with(),
        status_with(
            mode="redis",
            enabled=False,
            running=False,
            last_save=None,
            restored_from=None,
            skipped=(),
            can_undo=False,
            counts={},
            last_rollback=None,
            kept=(),
            rollback_grace_s=0.0,
        ),
        status_with(
            last_save=SaveResult("2026-02-14T10:00:00.000Z", False, error="ENOSPC", reason="x")
        ),
    ],
    ids=["full", "redis", "failed-save"],
)
def test_a_status_round_trips(status: ServiceStatus) -> None:
    socket = Path("/run/user/1/statesnap/s.sock")
    result = through_the_wire(encode_status(status, socket=socket, started_at="then"))
    assert result["protocol"] == PROTOCOL_VERSION
    assert (result["socket"], result["started_at"]) == (str(socket), "then")
    assert decode_status(result, DIRECTORY) == status


def test_a_status_with_a_mistyped_field_is_refused() -> None:
    result = through_the_wire(encode_status(status_with(), socket=None, started_at=None))
    for key, value in (("pid", "4242"), ("enabled", 1), ("counts", []), ("mode", None)):
        with pytest.raises(ReplyError, match=f"'{key}' missing or mistyped"):
            decode_status({**result, key: value}, DIRECTORY)
    with pytest.raises(ReplyError, match="a count is not an integer"):
        decode_status({**result, "counts": {"sessions": True}}, DIRECTORY)


def test_a_save_round_trips() -> None:
    assert decode_saved(through_the_wire(encode_saved(NAME))) == NAME


def test_a_rollback_round_trips() -> None:
    rolled = RollbackResult(NAME, DIRECTORY / "u.json.gz", DIRECTORY / "a.json.gz")
    assert decode_rollback(through_the_wire(encode_rollback(rolled)), DIRECTORY) == rolled


def test_a_hold_round_trips() -> None:
    assert decode_held(through_the_wire(encode_held(NAME, 3600))) == (NAME, 3600)


def test_maps_round_trip() -> None:
    maps = [MapSummary("sessions", "array", 2), MapSummary("frequencies", "object", 0)]
    result = through_the_wire(encode_maps("memory", maps))
    assert result["mode"] == "memory"
    assert decode_maps(result) == maps


def test_a_page_of_entries_round_trips() -> None:
    page = EntryPage("sessions", 5, 2, 9, (("s-1", {"id": "s-1", "n": 1.5}), ("s-2", None)))
    assert decode_entries(through_the_wire(encode_entries(page))) == page
    with pytest.raises(ReplyError, match="malformed entry"):
        decode_entries({**js_loads(encode_entries(page)), "items": [["s-1"]]})


def test_an_entry_round_trips() -> None:
    entry = LiveEntry("sessions", "s-1", {"id": "s-1", "tags": ["a", "b"], "n": 2**53 - 1})
    assert decode_entry(through_the_wire(encode_entry(entry))) == entry
    with pytest.raises(ReplyError, match="'value' missing"):
        decode_entry({"map": "sessions", "key": "s-1"})
