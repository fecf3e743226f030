"""Search across real snapshot files: plain and regex, case, one map, counts, damaged files."""

from __future__ import annotations

from pathlib import Path

import pytest
from statesnap.engine import (
    SearchError,
    SearchMatch,
    SnapshotSearch,
    SnapshotStatus,
    search_snapshots,
)

from tests.support.damaged_files import damage
from tests.support.states import write_states

OLD = {"sessions": [{"id": "s1", "title": "Deploy Plan"}], "bookmarks": {"b1": {"t": "x"}}}
NEW = {
    "sessions": [{"id": "s1", "title": "deploy"}, {"id": "s2", "title": 'say "hi"'}],
    "bookmarks": {"deploy-notes": {"t": "y"}},
    "followedSessions": ["a", "b"],
}


@pytest.fixture
def directory(tmp_path: Path) -> tuple[Path, list[Path]]:
    return tmp_path / "d", write_states(tmp_path / "d", [OLD, NEW])


def test_plain_text_is_case_insensitive_and_lists_matches_newest_first(
    directory: tuple[Path, list[Path]],
) -> None:
    path, (old, new) = directory
    result = search_snapshots(path, "DEPLOY")
    assert [found.file for found in result.files] == [new.name, old.name]
    assert result.matches == (
        SearchMatch(new.name, "sessions", "s1"),
        SearchMatch(new.name, "bookmarks", "deploy-notes"),  # by its key
        SearchMatch(old.name, "sessions", "s1"),
    )
    assert result.files[0].counts == {"sessions": 1, "bookmarks": 1}
    assert result.counts == {"sessions": 2, "bookmarks": 1}
    assert result.files[0].status is SnapshotStatus.VALID
    assert result.step(2, 1) == 0 and result.step(0, -1) == 2


def test_case_sensitive_one_map_and_json_escaping(directory: tuple[Path, list[Path]]) -> None:
    path, (old, _new) = directory
    assert [m.file for m in search_snapshots(path, "Deploy", case_sensitive=True).matches] == [
        old.name
    ]
    only = search_snapshots(path, "deploy", map_name="bookmarks")
    assert [(m.map, m.key) for m in only.matches] == [("bookmarks", "deploy-notes")]
    assert [m.key for m in search_snapshots(path, 'say "hi"').matches] == ["s2"]


def test_a_file_without_the_text_is_passed_over_unjudged(
    directory: tuple[Path, list[Path]],
) -> None:
    path, (old, _new) = directory
    result = search_snapshots(path, "notes")
    assert result.files[1].file == old.name and result.files[1].status is None
    assert result.files[1].total == 0


def test_regex_and_array_keys(directory: tuple[Path, list[Path]]) -> None:
    path, _ = directory
    assert [m.key for m in search_snapshots(path, r"^s\d$", regex=True).matches] == [
        "s1",
        "s2",
        "s1",
    ]
    assert [m.key for m in search_snapshots(path, "b", map_name="followedSessions").matches] == [
        "b"
    ]


@pytest.mark.parametrize(
    ("pattern", "regex", "message"),
    [("(", True, "not a valid regular expression"), ("", False, "empty pattern")],
)
def test_bad_patterns_are_refused_at_once(
    tmp_path: Path, pattern: str, regex: bool, message: str
) -> None:
    with pytest.raises(SearchError, match=message):
        SnapshotSearch(tmp_path, pattern, regex=regex)


def test_damaged_files_say_why_or_are_searched_read_only(
    directory: tuple[Path, list[Path]],
) -> None:
    path, (old, new) = directory
    damage(old, "checksum changed")
    new.write_bytes(b"\x1f\x8b truncated")
    search = SnapshotSearch(path, "deploy")
    steps = list(search)
    assert [(step.done, step.total) for step in steps] == [(1, 2), (2, 2)]
    truncated, mismatched = (step.file for step in steps)
    assert truncated.skipped.startswith("corrupt: ") and not truncated.matches
    assert mismatched.status is SnapshotStatus.CHECKSUM_MISMATCH and mismatched.total == 1


def test_case_folding_matches_the_regular_expression_rules(tmp_path: Path) -> None:
    state = {"bookmarks": {"b1": {"t": "Kelvin \u212a and \u017fong"}, "b2": {"t": "caf\u00c9"}}}
    path = tmp_path / "d"
    write_states(path, [state])
    assert [m.key for m in search_snapshots(path, "k and s").matches] == ["b1"]
    assert [m.key for m in search_snapshots(path, "CAFé").matches] == ["b2"]
    assert search_snapshots(path, "café", case_sensitive=True).matches == ()


def test_keys_are_matched_as_they_are_not_as_json(tmp_path: Path) -> None:
    path = tmp_path / "d"
    write_states(path, [{"bookmarks": {'say "Hi"\nthere': {"t": 1}, "other": {"t": 2}}}])
    assert [m.key for m in search_snapshots(path, 'SAY "hi"').matches] == ['say "Hi"\nthere']
    assert [m.key for m in search_snapshots(path, 'hi"\nth').matches] == ['say "Hi"\nthere']
