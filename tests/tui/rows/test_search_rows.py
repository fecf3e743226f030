"""The search's row models: files with matches and counts, a file's matches, and the position
`n`/`N` step through, round at either end."""

from __future__ import annotations

from datetime import UTC, datetime

from statesnap.engine import FileMatches, SearchMatch, SearchStep, SnapshotStatus
from statesnap.tui.rows.search import FileRows, MatchRows, SearchOptions, SearchPosition

WHEN = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)


def found(file: str, *keys: tuple[str, str], skipped: str = "") -> FileMatches:
    matches = tuple(SearchMatch(file, map_name, key) for map_name, key in keys)
    counts: dict[str, int] = {}
    for match in matches:
        counts[match.map] = counts.get(match.map, 0) + 1
    return FileMatches(file, WHEN, SnapshotStatus.VALID, matches, skipped, counts)


def position_of(*files: FileMatches) -> SearchPosition:
    position = SearchPosition()
    for done, file in enumerate(files, start=1):
        position.add(SearchStep(done, len(files), file))
    return position


def test_files_with_matches_or_skipped_are_shown_with_counts() -> None:
    rows = FileRows()
    assert rows.add(found("a", ("sessions", "s1"), ("events", "s1"), ("sessions", "s2")))
    assert not rows.add(found("b"))
    assert rows.add(found("c", skipped="corrupt: truncated"))
    assert [cell.plain for cell in rows.cells(0)][1:] == ["3", "sessions 2 · events 1"]
    assert rows.cells(1)[2].plain == "skipped: corrupt: truncated"
    assert rows.row_of("c") == 1 and rows.row_of("b") is None


def test_next_and_previous_go_round() -> None:
    position = position_of(found("new", ("m", "a"), ("m", "b")), found("old", ("m", "c")))
    assert position.current is None
    assert position.step(-1) == SearchMatch("old", "m", "c")
    assert position.step(1) == SearchMatch("new", "m", "a")
    assert position.step(1) == SearchMatch("new", "m", "b")
    position.go_to(SearchMatch("old", "m", "c"))
    assert position.step(1) == SearchMatch("new", "m", "a")
    assert position_of(found("x")).step(1) is None


def test_progress_counts_matches_and_files() -> None:
    position = SearchPosition()
    position.add(SearchStep(1, 3, found("a", ("m", "k"))))
    assert position.progress() == "searching 1/3 files… · 1 matches in 1 of 1 files"


def test_hostile_keys_and_patterns_are_literal() -> None:
    match = found("a", ("[red]m\x1b", "\u202ek[/]\n"))
    cells = MatchRows(match).cells(0)
    assert [cell.plain for cell in cells] == ["[red]m\\x1b", "\\u202ek[/]\\n"]
    assert not any(cell.spans for cell in cells)
    text = SearchOptions("[b]\x9b", regex=True).describe()
    assert "'[b]\\x9b'" in text.plain and text.plain.endswith("(regex)")
