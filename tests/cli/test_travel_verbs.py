"""history, grep, pin, pins and unpin, run as a user runs them: a real process on real files."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from statesnap.engine import js_dumps, list_snapshot_names, write_snapshot_file

from tests.cli.test_cli import statesnap
from tests.support.damaged_files import damage

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOSTILE = "evil\x1b[31m\u202e"


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    path = tmp_path / "snaps"
    path.mkdir(mode=0o700)
    for index, title in enumerate(["a", "a", "b", HOSTILE]):
        state = {"sessions": [{"id": "s1", "title": title}], "bookmarks": {HOSTILE: {"x": 1}}}
        write_snapshot_file(path, js_dumps(state), START + timedelta(minutes=index))
    return path


def run(directory: Path, *args: str) -> tuple[int, str, str]:
    done = statesnap("--dir", str(directory), *args, cwd=directory.parent)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def test_history_lines_and_json(directory: Path) -> None:
    damage(directory / list_snapshot_names(directory)[0], "checksum changed")
    code, out, _ = run(directory, "history", "sessions", "s1")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert lines[0].endswith(
        "changed, unchanged in 2 snapshots (to " + list_snapshot_names(directory)[2] + ")"
    )
    assert lines[2].endswith(
        "skipped: checksum_mismatch: file says " + "0" * 32 + ", data"
        " hashes to " + lines[2].rsplit(" ", 1)[1]
    )
    code, out, _ = run(directory, "history", "sessions", "s1", "--json")
    shown = json.loads(out)
    assert [row["state"] for row in shown["rows"]] == ["present", "present", "skipped"]
    assert shown["rows"][0]["count"] == 2 and shown["rows"][0]["value"]["title"] == "a"
    assert shown["rows"][0]["first"]["time"] == "2026-03-01T12:00:00.000Z"


def test_history_of_a_missing_entry_and_directory(directory: Path, tmp_path: Path) -> None:
    code, out, _ = run(directory, "history", "sessions", "nobody")
    assert code == 0 and "  absent, unchanged in 4 snapshots (to " in out.splitlines()[0]
    code, _, err = run(tmp_path / "none", "history", "sessions", "s1")
    assert code == 1 and err.startswith("statesnap: no snapshot directory at")


def test_grep_counts_and_exit_status(directory: Path) -> None:
    code, out, _ = run(directory, "grep", "EVIL")
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out
    assert out.splitlines()[0].endswith("sessions 1, bookmarks 1")
    assert out.splitlines()[-1] == "5 matching entries in 4 of 4 files"
    code, out, _ = run(directory, "grep", "evil", "--case-sensitive", "--map", "sessions", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["total"] == 1 and shown["counts"] == {"sessions": 1}
    assert shown["files"][0]["matches"] == [{"map": "sessions", "key": "s1"}]
    assert run(directory, "grep", "nothing-here")[0] == 1
    code, _, err = run(directory, "grep", "[", "--regex")
    assert code == 2 and err.startswith("statesnap: not a valid regular expression")


def test_pin_list_and_unpin(directory: Path) -> None:
    name = list_snapshot_names(directory)[-1]
    code, out, _ = run(directory, "pin", name, "first", "--json")
    assert code == 0 and json.loads(out)["source"] == name
    code, _, err = run(directory, "pin", name, "first")
    assert code == 1 and "a pin named 'first' exists" in err
    code, _, err = run(directory, "pin", name, "../x")
    assert code == 1 and "not a pin name" in err
    code, out, _ = run(directory, "pins", "--json")
    assert [(p["name"], p["status"]) for p in json.loads(out)] == [("first", "valid")]
    code, out, err = run(directory, "unpin", "first")
    assert code == 2 and "not confirmed" in err and "Unpin first?" in out
    assert run(directory, "unpin", "first", "--yes")[0] == 0
    code, out, _ = run(directory, "pins")
    assert out.strip() == f"no pins in {directory}"
    assert list_snapshot_names(directory) and len(list_snapshot_names(directory)) == 4


def test_replacing_a_pin_says_what_it_deletes_and_asks(directory: Path) -> None:
    older, newer = list_snapshot_names(directory)[-1], list_snapshot_names(directory)[0]
    assert run(directory, "pin", older, "keep")[0] == 0
    code, out, err = run(directory, "pin", newer, "keep", "--replace")
    assert code == 2 and "not confirmed" in err
    assert "Replace pin keep?" in out and f"delete the pinned copy of {older}" in out
    code, out, _ = run(directory, "pins", "--json")
    assert [p["source"] for p in json.loads(out)] == [older]  # nothing replaced
    assert run(directory, "pin", newer, "keep", "--replace", "--yes")[0] == 0
    code, out, _ = run(directory, "pins", "--json")
    assert [p["source"] for p in json.loads(out)] == [newer]
    assert run(directory, "pin", older, "fresh", "--replace")[0] == 0  # nothing to replace
