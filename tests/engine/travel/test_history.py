"""One entry's history across real snapshot files: folding, absent, damaged, live, diffs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from statesnap.engine import (
    MISSING,
    ChangeKind,
    EntryHistory,
    VersionKind,
    diff_versions,
    entry_history,
)

from tests.support.damaged_files import damage
from tests.support.states import START, write_states


def with_session(title: str | None) -> dict[str, Any]:
    sessions = [] if title is None else [{"id": "s1", "title": title, "n": 1}]
    return {"sessions": sessions, "bookmarks": {"b1": {"label": "x"}}}


def test_folds_identical_versions_and_marks_absent(tmp_path: Path) -> None:
    titles = [None, "a", "a", "a", "b", None, "b"]
    files = write_states(tmp_path / "d", [with_session(t) for t in titles])
    rows = entry_history(tmp_path / "d", "sessions", "s1")
    assert [(row.kind, row.count, row.state) for row in rows] == [
        (VersionKind.ABSENT, 1, "absent"),
        (VersionKind.PRESENT, 3, "changed"),
        (VersionKind.PRESENT, 1, "changed"),
        (VersionKind.ABSENT, 1, "absent"),
        (VersionKind.PRESENT, 1, "changed"),
    ]
    assert rows[1].first.name == files[1].name and rows[1].last.name == files[3].name
    assert rows[1].value == {"id": "s1", "title": "a", "n": 1}
    assert rows[0].first.time == START


def test_a_damaged_file_is_a_skipped_row_with_its_reason(tmp_path: Path) -> None:
    files = write_states(tmp_path / "d", [with_session("a")] * 3)
    damage(files[1], "checksum changed")
    (files[2].parent / "snapshot-zz.json.gz").write_bytes(b"not gzip")
    rows = entry_history(tmp_path / "d", "sessions", "s1")
    states = [row.state for row in rows]
    assert states[0] == "changed"
    assert states[1].startswith("skipped: checksum_mismatch: file says 0000")
    assert rows[2].state == "unchanged" and rows[2].value == rows[0].value
    assert states[3] == "skipped: corrupt: not gzip data"  # no time in its name: modified now


def test_streams_steps_with_progress_and_folds_the_live_value(tmp_path: Path) -> None:
    write_states(tmp_path / "d", [with_session("a"), with_session("a")])
    live = {"id": "s1", "title": "a", "n": 1}
    history = EntryHistory(tmp_path / "d", "sessions", "s1", live=lambda: live)
    assert history.total == 3
    steps = list(history)
    assert [(step.done, step.folded, step.row.count) for step in steps] == [
        (1, False, 1),
        (2, True, 2),
        (3, True, 3),
    ]
    assert steps[-1].row.last.live


def test_live_absent_and_live_failure(tmp_path: Path) -> None:
    write_states(tmp_path / "d", [with_session("a")])
    absent = entry_history(tmp_path / "d", "sessions", "s1", live=lambda: MISSING)
    assert absent[-1].kind is VersionKind.ABSENT and absent[-1].last.live

    def broken() -> Any:
        raise OSError("server gone")

    failed = entry_history(tmp_path / "d", "sessions", "s1", live=broken)
    assert failed[-1].state == "skipped: live state unavailable: server gone"


def test_object_maps_and_an_empty_directory(tmp_path: Path) -> None:
    write_states(tmp_path / "d", [with_session("a")])
    (row,) = entry_history(tmp_path / "d", "bookmarks", "b1")
    assert row.value == {"label": "x"}
    assert entry_history(tmp_path / "missing", "bookmarks", "b1") == []


def test_diff_between_versions_names_the_changed_fields(tmp_path: Path) -> None:
    states = [with_session(None), with_session("a"), with_session("b")]
    write_states(tmp_path / "d", states)
    absent, first, second = entry_history(tmp_path / "d", "sessions", "s1")
    changed = diff_versions("s1", first, second)
    assert changed.change is not None and changed.change.kind is ChangeKind.CHANGED
    assert changed.fields.changed == ["title"]
    added = diff_versions("s1", absent, first)
    assert added.change is not None and added.change.kind is ChangeKind.ADDED
    assert sorted(added.fields.added) == ["id", "n", "title"]
    same = diff_versions("s1", first, first)
    assert same.change is None and not same.fields.changes


def test_diff_refuses_a_skipped_row(tmp_path: Path) -> None:
    files = write_states(tmp_path / "d", [with_session("a")] * 2)
    damage(files[0], "version 2")
    skipped, present = entry_history(tmp_path / "d", "sessions", "s1")
    with pytest.raises(ValueError, match="skipped"):
        diff_versions("s1", skipped, present)
