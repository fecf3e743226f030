"""Copying an entry's JSON: OSC 52 where the terminal is known to take it, and a private file
(said where) wherever it may not arrive: tmux without set-clipboard on, GNU screen, unknown
terminals, macOS Terminal, large entries."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from statesnap.tui import clipboard
from statesnap.tui.clipboard import Osc52, osc52_route

from .conftest import make_app, record_notifications, sample_data, settle, write
from .test_browser_view import open_map

SIZE = (120, 36)


def fake_tmux(directory: Path, monkeypatch: pytest.MonkeyPatch, set_clipboard: str) -> None:
    """A `tmux` on PATH that answers `show-options -gv set-clipboard` with `set_clipboard`."""
    script = directory / "tmux"
    script.write_text(f"#!/bin/sh\necho {set_clipboard}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{directory}:/usr/bin:/bin")


@pytest.mark.parametrize(
    ("environ", "outcome"),
    [
        ({"TERM": "xterm-kitty"}, Osc52.TAKEN),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, Osc52.TAKEN),
        ({"TERM": "xterm-256color", "WT_SESSION": "1"}, Osc52.TAKEN),
        ({"TERM": "xterm-256color"}, Osc52.UNSURE),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "Apple_Terminal"}, Osc52.REFUSED),
        ({"TERM": "screen", "STY": "1234.pts-0"}, Osc52.REFUSED),
    ],
)
def test_terminals_known_to_take_osc52_and_not(environ: dict[str, str], outcome: Osc52) -> None:
    assert osc52_route("{}", environ).outcome is outcome


def test_tmux_passes_osc52_on_only_with_set_clipboard_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = {"TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0"}
    fake_tmux(tmp_path, monkeypatch, "external")
    route = osc52_route("{}", inside)
    assert route.outcome is Osc52.REFUSED
    assert "set-clipboard external" in route.words and "set -g set-clipboard on" in route.words
    fake_tmux(tmp_path, monkeypatch, "on")
    assert osc52_route("{}", inside).outcome is Osc52.TAKEN
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert osc52_route("{}", inside).outcome is Osc52.UNSURE


def test_too_large_is_never_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clipboard, "OSC52_MAX_BYTES", 10)
    route = osc52_route('{"a": "0123456789"}', {"TERM": "xterm-kitty"})
    assert route.outcome is Osc52.REFUSED


async def test_in_tmux_without_set_clipboard_y_saves_a_file_and_says_where(
    snapshot_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    fake_tmux(tmp_path, monkeypatch, "external")
    write(snapshot_dir, sample_data(3))
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_map(app, pilot, "sessions")
        await pilot.press("j", "y")
        assert app.clipboard == ""  # nothing sent: it would not arrive
        assert notes[-1].startswith("Not copied (tmux drops OSC 52 with set-clipboard external")
        saved = Path(notes[-1].rsplit(" to ", 1)[1])
        assert json.loads(saved.read_text())["id"] == "sess_001"
        assert saved.stat().st_mode & 0o077 == 0


async def test_on_an_unknown_terminal_y_sends_and_saves(
    snapshot_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TMUX", "STY", "TERM_PROGRAM", "KITTY_WINDOW_ID", "WT_SESSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    write(snapshot_dir, sample_data(3))
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_map(app, pilot, "sessions")
        await pilot.press("y")
        assert json.loads(app.clipboard)["id"] == "sess_000"
        assert notes[-1].startswith("Sent sessions sess_000 (")
        assert "by OSC 52, but this terminal may ignore OSC 52: saved to " in notes[-1]
        saved = Path(notes[-1].rsplit(" to ", 1)[1])
        assert json.loads(saved.read_text())["id"] == "sess_000"


async def test_w_saves_to_a_file_and_shows_in_the_footer(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(3))
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_map(app, pilot, "sessions")
        assert app.screen.active_bindings["w"].binding.show
        await pilot.press("w")
        saved = Path(notes[-1].rsplit(" to ", 1)[1])
        assert json.loads(saved.read_text())["id"] == "sess_000"
