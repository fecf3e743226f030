"""The search's fast paths (a file passed over after a scan of its bytes, a map's matches found
in its text as a whole) give exactly what looking at every key and every entry's JSON text
gives: over files written by statesnap and by other writers (whitespace, numbers written
otherwise, escapes JavaScript never prints, bytes that are not UTF-8), escaped and non-ASCII
text, case folding, keys against values."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from statesnap.engine import SnapshotStatus, js_dumps, read_snapshot, search_snapshots
from statesnap.engine.format.map_entries import map_entries

from tests.support.states import write_states

TRICKY: dict[str, Any] = {
    "sessions": [
        {"id": "s1", "title": 'say "hi" \\ back\\', "n": 1e21, "f": 1.5, "z": -0.0},
        {"id": "s2", "title": "tab\there\nnew line", "big": 100000},
        {"id": 7, "title": "Kelvin \u212a, \u017fong, d\u0131\u0307ot, \u0130stanbul"},
        {"title": "caf\u00e9 CAF\u00c9 \ufffd", "tags": ["x y", " lead", "a:b", "{c}"]},
    ],
    "bookmarks": {
        'say "Hi"\nthere': {"t": "key holds the text"},
        "n": {"t": "value\\n is not a line break"},
        "10": {"2": "index keys", "b": True, "1": None},
        "back\\": {"v": [1, 2.25, "1E5"]},
    },
    "followedSessions": ["a", "b", "#1", "s1"],
    "frequencies": {"2": 3, "1": 2.0, "x": 1e-7},
}

FOREIGN_DATA = (
    b'{ "sessions" : [ { "id" : "s1", "k" : "a\\\\" , "title" : "caf\\u00e9 \\/ slash" } ],\n'
    b'  "bookmarks" : { "b" : { "n" : 1E5, "m" : 1.50, "z" : -0 },'
    b' "3" : { "t" : "moved first" }, "b" : { "n" : 2.5e0, "dup" : "later wins" } },\n'
    b'  "frequencies" : { "x" : 1E23, "y" : 0.0000001, "n" : 1E5, "k" : "a\\\\" } }'
)
"""A `data` another writer wrote: spaces around every token, numbers as JavaScript never
prints them, an index key after a named one, a key given twice, `\\u00e9` and `\\/`."""

PLAIN_FOREIGN = FOREIGN_DATA.replace(b"\\u00e9", "\u00e9".encode()).replace(b"\\/", b"/")
"""The same without the escapes JavaScript never prints: a file the scan reads."""

NOT_UTF8 = b'{"sessions":[{"id":"s1","title":"bad \xff byte and caf\xc3\xa9"}]}'

PATTERNS = [
    "hi",
    'say "HI"',
    "\\",
    "back\\",
    '\\"',
    '"',
    "a\\",
    "tab\t",
    "\n",
    "new line",
    "value\\n",
    "\\u0001",
    "e+21",
    "e+23",
    '",',
    '"}',
    "1e+21",
    "e-7",
    "00000",
    "100000",
    "1.5",
    "2.5",
    "1e5",
    "0",
    "-0",
    "7",
    "#1",
    "#3",
    "3",
    "10",
    "2",
    ":",
    '":1',
    ",",
    "{c}",
    "a:b",
    " lead",
    "x y",
    "true",
    "null",
    "k",
    "K",
    "S",
    "\u017f",
    "I",
    "i",
    "\u0130",
    "\u212a",
    "caf\u00c9",
    "\u00e9",
    "\ufffd",
    "slash",
    "/",
    "later wins",
    "moved",
    "here",
    "s1",
    "dup",
]

REGEXES = [r"\d{5}", r"e\+\d+", r"^s\d$", r"b$", r"caf.", r"\bhi\b", r'"\w', r"\w+\s\w+", "k"]


def _foreign(directory: Path, name: str, data_text: bytes) -> Path:
    """A valid file as another writer lays it out: the checksum is JavaScript's, the text
    is the writer's."""
    data = read_data(data_text)
    checksum = hashlib.md5(js_dumps(data)).hexdigest()
    doc = b'{"version": 1, "timestamp": "2026-03-01T12:30:00.000Z", "checksum": "%s", "data": %s}'
    path = directory / f"snapshot-2026-03-01T12-{name}-00-000Z.json.gz"
    path.write_bytes(gzip.compress(doc % (checksum.encode(), data_text)))
    return path


def read_data(data_text: bytes) -> Any:
    """The data as Node reads it (bytes that are not UTF-8 become U+FFFD)."""
    return json.loads(data_text.decode("utf-8", "replace"))


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("search") / "d"
    quiet = {"sessions": [{"id": "s9", "title": "nothing", "c": "\x01"}]}
    write_states(path, [TRICKY, quiet, {**TRICKY, "followedSessions": ["b"]}])
    _foreign(path, "31", FOREIGN_DATA)
    _foreign(path, "32", PLAIN_FOREIGN)
    _foreign(path, "33", NOT_UTF8)
    for file in path.iterdir():
        assert read_snapshot(file).status is SnapshotStatus.VALID, file.name
    return path


def expected(directory: Path, pattern: str, *, regex: bool, case_sensitive: bool) -> list[Any]:
    """Every key, and every entry's JSON text, looked at one by one."""
    flags = 0 if case_sensitive else re.IGNORECASE
    keys = re.compile(pattern if regex else re.escape(pattern), flags)
    text = (
        keys
        if regex
        else re.compile(re.escape(js_dumps(pattern)[1:-1].decode("utf-8", "surrogatepass")), flags)
    )
    found = []
    for path in sorted(directory.iterdir(), reverse=True):
        data = read_snapshot(path).data_object or {}
        for map_name, value in data.items():
            for key, item in map_entries(value).items():
                printed = js_dumps(item).decode("utf-8", "surrogatepass")
                if keys.search(key) or text.search(printed):
                    found.append((path.name, map_name, key))
    return found


@pytest.mark.parametrize("case_sensitive", [False, True])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_plain_search_finds_what_each_entry_holds(
    directory: Path, pattern: str, case_sensitive: bool
) -> None:
    result = search_snapshots(directory, pattern, case_sensitive=case_sensitive)
    found = [(match.file, match.map, match.key) for match in result.matches]
    assert found == expected(directory, pattern, regex=False, case_sensitive=case_sensitive)


@pytest.mark.parametrize("case_sensitive", [False, True])
@pytest.mark.parametrize("pattern", REGEXES)
def test_regex_search_finds_what_each_entry_holds(
    directory: Path, pattern: str, case_sensitive: bool
) -> None:
    result = search_snapshots(directory, pattern, regex=True, case_sensitive=case_sensitive)
    found = [(match.file, match.map, match.key) for match in result.matches]
    assert found == expected(directory, pattern, regex=True, case_sensitive=case_sensitive)


def test_the_reference_sees_what_the_scan_must_not_miss(directory: Path) -> None:
    """The cases above are not vacuous: a foreign file holds texts that only JavaScript's
    printing of its numbers has, and escapes the scan must not read as they stand."""
    for pattern in ("e+23", "00000", '",'):
        found = expected(directory, pattern, regex=False, case_sensitive=False)
        assert any(name.startswith("snapshot-2026-03-01T12-32") for name, _, _ in found)
    found = expected(directory, "caf\u00e9", regex=False, case_sensitive=True)
    assert any(name.startswith("snapshot-2026-03-01T12-31") for name, _, _ in found)
    found = expected(directory, "\ufffd", regex=False, case_sensitive=True)
    assert any(name.startswith("snapshot-2026-03-01T12-33") for name, _, _ in found)


def test_files_that_cannot_hold_the_text_are_passed_over(directory: Path) -> None:
    result = search_snapshots(directory, "moved first")
    passed_over = [found.file for found in result.files if found.status is None]
    assert len(passed_over) == 3  # all but the file that holds it and two with `\\u` escapes
