"""Reading snapshot files: every verdict equals the original's (js_verify.mjs is the referee)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import shutil
import zlib
from pathlib import Path
from typing import Any

import pytest
from statesnap.engine import SnapshotStatus, js_dumps, js_loads, read_snapshot, write_snapshot_file
from statesnap.engine.format.snapshot_reading import read_snapshot_bytes

from tests.support.damaged_files import DAMAGES, damage
from tests.support.node_bridge import FIXTURES, fixture_files, js_verify

VALID_FIXTURES = fixture_files("basic/*.json.gz") + fixture_files("server/*.json.gz")
BROKEN_EXPECTED = {
    "01-truncated-gzip": SnapshotStatus.CORRUPT,
    "02-empty": SnapshotStatus.CORRUPT,
    "03-not-gzip": SnapshotStatus.CORRUPT,
    "04-garbage": SnapshotStatus.CORRUPT,
    "05-bad-json": SnapshotStatus.CORRUPT,
    "06-checksum-mismatch": SnapshotStatus.CHECKSUM_MISMATCH,
    "08-missing-checksum": SnapshotStatus.CORRUPT,
    "12-missing-data": SnapshotStatus.CORRUPT,
}


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def sample_data() -> dict[str, Any]:
    found = read_snapshot(FIXTURES / "server" / "snapshot-2026-11-26T07-13-22-052Z.json.gz")
    assert found.is_valid
    data: dict[str, Any] = found.data
    return data


@pytest.mark.parametrize("path", VALID_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_files_of_the_original_are_valid(path: Path) -> None:
    found = read_snapshot(path)
    assert found.status is SnapshotStatus.VALID, found.reason
    assert found.actual_checksum == found.expected_checksum
    assert found.counts["sessions"] >= 1
    assert list(found.data)[:3] == ["sessions", "events", "chains"]


@pytest.mark.parametrize("tag", sorted(BROKEN_EXPECTED))
def test_broken_files_get_the_status_their_name_says(tag: str) -> None:
    path = FIXTURES / "broken" / f"snapshot-broken-{tag}.json.gz"
    found = read_snapshot(path)
    assert found.status is BROKEN_EXPECTED[tag], found.reason
    assert found.reason
    readable = tag in {"06-checksum-mismatch", "08-missing-checksum"}  # their JSON parses
    assert (found.data_object is not None) == readable
    assert (found.unreadable_reason is None) == readable


@pytest.mark.parametrize("how", sorted(DAMAGES))
def test_a_damaged_file_whose_json_parses_keeps_its_data_and_counts(
    tmp_path: Path, how: str
) -> None:
    data = {"sessions": [{"id": "s1"}], "events": {"s1": [{"type": "x"}]}}
    path, _ = write_snapshot_file(tmp_path, js_dumps(data))
    status = damage(path, how)

    found = read_snapshot(path)

    assert found.status is status
    assert found.data_object == data
    assert found.counts == {"sessions": 1, "events": 1}
    assert found.summary.count(found.status.value) == 1  # the verdict said once
    assert read_snapshot(path, keep_data=False).data is None


def test_fallback_directory_only_the_oldest_is_valid() -> None:
    statuses = {
        p.name: read_snapshot(p).status for p in (FIXTURES / "fallback").glob("snapshot-*.json.gz")
    }
    assert statuses == {
        "snapshot-2026-02-14T10-10-00-000Z.json.gz": SnapshotStatus.CHECKSUM_MISMATCH,
        "snapshot-2026-02-14T10-05-00-000Z.json.gz": SnapshotStatus.CORRUPT,
        "snapshot-2026-02-14T10-00-00-000Z.json.gz": SnapshotStatus.VALID,
    }


def test_every_fixture_verdict_matches_the_original() -> None:
    paths = [p for p in fixture_files("**/*.json*") if "manifest" not in p.name]
    assert [read_snapshot(p).is_valid for p in paths] == js_verify(*paths)


def document(data: Any, checksum: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "timestamp": "2026-02-10T12:48:10.123Z",
        "checksum": checksum if checksum is not None else md5(js_dumps(data)),
        "data": data,
        **extra,
    }


def crafted_files(data: dict[str, Any]) -> dict[str, bytes]:
    """Odd but plausible files, by what makes them odd."""
    canonical = md5(js_dumps(data))
    doc = document(data)
    compact = js_dumps(doc)
    pretty = json.dumps(doc, indent=2, ensure_ascii=False).encode()
    escaped = json.dumps(doc, ensure_ascii=True).encode()
    spaced_own = json.dumps(data)
    gz = gzip.compress
    files = {
        "compact": gz(compact),
        "pretty-canonical-checksum": gz(pretty),
        "escaped-canonical-checksum": gz(escaped),
        "pretty-own-bytes-checksum": gz(
            json.dumps(document(data, md5(json.dumps(data, indent=2).encode())), indent=2).encode()
        ),
        "spaced-own-bytes-checksum": gz(
            json.dumps(document(data, md5(spaced_own.encode()))).encode()
        ),
        "reordered-keys": gz(
            js_dumps({"data": data, "checksum": canonical, "timestamp": "x", "version": 1})
        ),
        "extra-keys": gz(js_dumps(document(data, note="hello", version2=2))),
        "multi-member": gz(compact[:100]) + gz(compact[100:]),
        "zero-padding": gz(compact) + b"\0" * 512,
        "zeros-then-garbage": gz(compact) + b"\0\0garbage",
        "trailing-garbage": gz(compact) + b"garbage",
        "trailing-partial-member": gz(compact) + gz(b"{}")[:12],
        "bom": gz(b"\xef\xbb\xbf" + compact),
        "upper-case-checksum": gz(js_dumps(document(data, canonical.upper()))),
        "version-2": gz(js_dumps({**doc, "version": 2})),
        "version-string": gz(js_dumps({**doc, "version": "1"})),
        "version-true": gz(js_dumps({**doc, "version": True})),
        "version-float": gz(compact.replace(b'"version":1,', b'"version":1.0,', 1)),
        "no-version": gz(js_dumps({k: v for k, v in doc.items() if k != "version"})),
        "checksum-number": gz(js_dumps({**doc, "checksum": 5})),
        "data-null": gz(js_dumps(document(None))),
        "data-array": gz(js_dumps(document([1, 2]))),
        "top-level-array": gz(b"[1,2,3]"),
        "nan-token": gz(compact.replace(b'"data":{', b'"data":{"x":NaN,', 1)),
        "invalid-utf8": gz(compact.replace(b'"data":{', b'"data":{"x":"\xff\xfe",', 1)),
        "invalid-utf8-own-checksum": gz(
            js_dumps(document({"x": "\ufffd\ufffd"})).replace("\ufffd\ufffd".encode(), b"\xff\xfe")
        ),
        "deep-nesting-valid": gz(js_dumps(document(js_loads(b"[" * 1500 + b"]" * 1500)))),
        "deep-nesting-overflow": gz(
            b'{"version":1,"timestamp":"t","checksum":"'
            + md5(b"[" * 100_000 + b"]" * 100_000).encode()
            + b'","data":'
            + b"[" * 100_000
            + b"]" * 100_000
            + b"}"
        ),
        "duplicate-data": gz(compact[:-1] + b',"data":{}}'),
        "empty": b"",
        "not-gzip": compact,
    }
    # The original's own layout, with data bytes that are not what JavaScript prints and a
    # checksum over those very bytes: the raw-bytes fast path must not take them.
    for label, raw_data in {
        "float-form": b'{"a":1.0}',
        "exponent-form": b'{"a":1e21,"b":1E5}',
        "space": b'{"a": 1}',
        "duplicate-key": b'{"a":1,"a":2}',
        "index-key-order": b'{"b":1,"1":2}',
        "escaped-e-acute": b'{"a":"\\u00e9"}',
        "escaped-slash": b'{"a":"\\/"}',
        "big-integer": b'{"a":9007199254740993}',
        "canonical": b'{"1":2,"b":1,"c":"\\u001f\xc3\xa9","d":1.5}',
    }.items():
        head = b'{"version":1,"timestamp":"t","checksum":"' + md5(raw_data).encode() + b'","data":'
        files[f"own-layout-{label}"] = gz(head + raw_data + b"}")
    return files


def write_all(directory: Path, files: dict[str, bytes]) -> list[Path]:
    paths = []
    for name, raw in files.items():
        path = directory / f"snapshot-{name}.json.gz"
        path.write_bytes(raw)
        paths.append(path)
    return paths


def test_crafted_files_get_the_originals_verdict(tmp_path: Path) -> None:
    paths = write_all(tmp_path, crafted_files(sample_data()))
    ours = {p.name: read_snapshot(p).is_valid for p in paths}
    theirs = dict(zip((p.name for p in paths), js_verify(*paths), strict=True))
    assert ours == theirs
    expected_valid = {
        "compact",
        "own-layout-canonical",
        "pretty-canonical-checksum",
        "escaped-canonical-checksum",
        "reordered-keys",
        "extra-keys",
        "multi-member",
        "zero-padding",
        "zeros-then-garbage",
        "version-float",
        "data-null",
        "data-array",
        "deep-nesting-valid",
        "invalid-utf8-own-checksum",
    }
    assert {name for name, ok in ours.items() if ok} == {
        f"snapshot-{n}.json.gz" for n in expected_valid
    }


def test_crafted_files_get_the_right_status_words(tmp_path: Path) -> None:
    files = crafted_files(sample_data())
    status = {name: read_snapshot_bytes(raw, Path(name)).status for name, raw in files.items()}
    assert status["version-2"] is SnapshotStatus.UNSUPPORTED_VERSION
    assert status["version-string"] is SnapshotStatus.UNSUPPORTED_VERSION
    assert status["no-version"] is SnapshotStatus.CORRUPT
    assert status["upper-case-checksum"] is SnapshotStatus.CHECKSUM_MISMATCH
    assert status["pretty-own-bytes-checksum"] is SnapshotStatus.CHECKSUM_MISMATCH
    assert status["trailing-garbage"] is SnapshotStatus.CORRUPT
    assert status["nan-token"] is SnapshotStatus.CORRUPT
    assert status["bom"] is SnapshotStatus.CORRUPT
    assert status["deep-nesting-overflow"] is SnapshotStatus.CORRUPT


def test_decompression_bomb_is_too_large_not_read(tmp_path: Path) -> None:
    bomb = gzip.compress(b"{" + b" " * (64 << 20) + b"}", 9)
    found = read_snapshot_bytes(bomb, tmp_path / "bomb", max_bytes=1 << 20)
    assert found.status is SnapshotStatus.TOO_LARGE
    assert "1.0 MiB" in found.reason


def test_symlinked_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "real.json.gz"
    shutil.copy(VALID_FIXTURES[0], target)
    link = tmp_path / "snapshot-link.json.gz"
    link.symlink_to(target)
    found = read_snapshot(link)
    assert found.status is SnapshotStatus.CORRUPT
    assert "symbolic link" in found.reason


def test_directory_and_missing_file_are_reported_not_raised(tmp_path: Path) -> None:
    assert read_snapshot(tmp_path).status is SnapshotStatus.CORRUPT
    assert "cannot read" in read_snapshot(tmp_path / "nope.json.gz").reason


# -- corruption fuzz: exactly one status each, no exception, verdicts equal the original's ----


def small_valid_file() -> bytes:
    return gzip.compress(
        js_dumps(
            document({"sessions": [{"id": "s1", "t": "é\u2028[bold]"}], "events": {"s1": [1.5]}})
        )
    )


def test_every_truncation_length_of_a_small_file(tmp_path: Path) -> None:
    raw = small_valid_file()
    for length in range(len(raw)):
        found = read_snapshot_bytes(raw[:length], tmp_path / "x")
        assert found.status is SnapshotStatus.CORRUPT, (length, found)
    assert read_snapshot_bytes(raw, tmp_path / "x").is_valid


def test_random_bit_flips_and_tails_match_the_original(tmp_path: Path) -> None:
    rng = random.Random(20261126)
    raw = small_valid_file()
    plain = zlib.decompress(raw, 31)
    files: dict[str, bytes] = {}
    for index in range(60):
        flipped = bytearray(raw)
        position = rng.randrange(len(flipped))
        flipped[position] ^= 1 << rng.randrange(8)
        files[f"flip-{index}"] = bytes(flipped)
    for index in range(30):
        text = bytearray(plain)
        position = rng.randrange(len(text))
        text[position] = rng.randrange(256)
        files[f"plainflip-{index}"] = gzip.compress(bytes(text))
    for index in range(10):
        files[f"tail-{index}"] = raw + bytes(
            rng.randrange(256) for _ in range(rng.randrange(1, 20))
        )
        files[f"zerotail-{index}"] = raw + b"\0" * rng.randrange(1, 4096)
        files[f"members-{index}"] = raw + gzip.compress(b" " * index)
    paths = write_all(tmp_path, files)
    statuses = [read_snapshot(p) for p in paths]
    assert all(isinstance(found.status, SnapshotStatus) and found.reason for found in statuses)
    assert [found.is_valid for found in statuses] == js_verify(*paths)


def test_many_tiny_gzip_members_read_like_one(tmp_path: Path) -> None:
    compact = js_dumps(document({"sessions": [{"id": "s", "t": "x" * 300}]}))
    raw = b"".join(gzip.compress(compact[i : i + 1]) for i in range(len(compact)))
    path = tmp_path / "snapshot-members.json.gz"
    path.write_bytes(raw + b"\0" * 64)
    assert read_snapshot(path).is_valid
    assert js_verify(path) == [True]


def test_a_fifo_under_a_snapshot_name_does_not_hang_the_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "snapshot-2026-01-01T00-00-00-000Z.json.gz"
    os.mkfifo(fifo)
    found = read_snapshot(fifo)
    assert found.status is SnapshotStatus.CORRUPT
    assert found.reason == "not a regular file"


def test_a_file_larger_than_the_cap_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.json.gz"
    path.write_bytes(os.urandom(3 << 20))
    found = read_snapshot(path, max_bytes=1 << 20)
    assert found.status is SnapshotStatus.TOO_LARGE
