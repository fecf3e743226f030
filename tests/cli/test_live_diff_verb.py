"""`statesnap diff --live FILE`, run as a user runs it: a real process against a real server,
with the same output shapes as `statesnap diff A B`, and one-line errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from statesnap.engine import js_dumps, list_snapshot_names, write_snapshot_file

from tests.cli.test_cli import assert_one_line_error, statesnap
from tests.support.processes import DemoProcess

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOSTILE = "evil\x1b[31m\u202e"


def write_two(directory: Path) -> tuple[str, str]:
    """An older snapshot and a newer one (which a server on the directory restores)."""
    directory.mkdir(mode=0o700)
    older = {"sessions": [{"id": "s1", "n": 1}, {"id": "s2"}], "bookmarks": {"b": {"x": 1}}}
    newer = {"sessions": [{"id": "s1", "n": 2}, {"id": HOSTILE}], "bookmarks": {"b": {"x": 1}}}
    for index, state in enumerate((older, newer)):
        write_snapshot_file(directory, js_dumps(state), START + timedelta(minutes=index))
    newest, oldest = list_snapshot_names(directory)
    return oldest, newest


def test_diff_live_prints_what_diff_prints(tmp_path: Path, runtime: Path) -> None:
    snaps = tmp_path / "snaps"
    oldest, newest = write_two(snaps)
    with DemoProcess(snaps, runtime, host=True) as server:
        server.wait_for_server()
        live = statesnap("--dir", str(snaps), "diff", "--live", oldest, "--json", cwd=tmp_path)
        files = statesnap("--dir", str(snaps), "diff", oldest, newest, "--json", cwd=tmp_path)
        human = statesnap("--dir", str(snaps), "diff", "--live", oldest, cwd=tmp_path)
        same = statesnap("--dir", str(snaps), "diff", "--live", newest, cwd=tmp_path)
        missing = statesnap("--dir", str(snaps), "diff", "--live", "nope", cwd=tmp_path)
    assert "statesnap: no such snapshot: nope" in assert_one_line_error(missing)
    assert live.returncode == files.returncode == 0, live.stderr
    shown, expected = json.loads(live.stdout), json.loads(files.stdout)
    assert shown["a"] == expected["a"] == str(snaps / oldest)
    assert shown["b"] == f"live (pid {server.pid})"
    assert shown["maps"]["sessions"] == expected["maps"]["sessions"]
    assert shown["maps"]["sessions"] == {"added": [HOSTILE], "removed": ["s2"], "changed": ["s1"]}
    assert b"\x1b" not in live.stdout and b"\xe2\x80\xae" not in live.stdout

    lines = human.stdout.decode().splitlines()
    assert human.returncode == 0 and b"\x1b" not in human.stdout
    assert lines[0] == f"--- {oldest} (2026-03-01T12:00:00.000Z)"
    assert lines[1] == f"+++ live (pid {server.pid})"
    assert lines[2] == "sessions: 1 added, 1 removed, 1 changed (2 -> 2)"
    assert lines[3].startswith("  + evil\\x1b[31m")
    assert same.returncode == 0 and same.stdout.decode().splitlines()[2] == "no differences"


def test_diff_live_errors_are_one_line(tmp_path: Path) -> None:
    snaps = tmp_path / "snaps"
    oldest, newest = write_two(snaps)
    alone = statesnap("--dir", str(snaps), "diff", "--live", oldest, cwd=tmp_path)
    assert "statesnap: no statesnap server is running for" in assert_one_line_error(alone)
    both = statesnap("--dir", str(snaps), "diff", "--live", oldest, newest, cwd=tmp_path)
    assert "diff --live takes one snapshot" in assert_one_line_error(both, 2)
    one = statesnap("--dir", str(snaps), "diff", oldest, cwd=tmp_path)
    assert "diff needs two snapshots (diff A B), or --live FILE" in assert_one_line_error(one, 2)
