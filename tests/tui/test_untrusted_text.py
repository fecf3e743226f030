"""Everything read from a snapshot is shown literally: no markup, no escape sequences, no bidi."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path
from typing import Any

from rich.text import Text
from statesnap.tui.rows.map_rows import MapRows
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.snapshots import SnapshotsScreen
from statesnap.tui.text.json_lines import (
    JsonStyles,
    highlight_json_line,
    pretty_json,
    pretty_json_lines,
)
from statesnap.tui.text.safe_text import safe_text

from .conftest import FIXTURE_MTIME, SIZE, make_app, settle, write

HOSTILE = (
    "[bold]x[/] y[/] [@click=app.quit]quit[/] \x1b[31mred\x1b[0m \x1b]52;c;aGk=\x07 "
    "\x9b2J \x85 \u202eevil\u202c \u2066iso\u2069 tab\there\nnew line"
)
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_data() -> dict[str, Any]:
    deep: Any = "bottom"
    for _ in range(200):
        deep = {"level": deep}
    return {
        "sessions": [
            {"id": HOSTILE, "status": HOSTILE, "user": "[red]eve[/red]", "cwd": HOSTILE},
            {"id": "huge", "cwd": "x" * 100_000, "deep": deep},
        ],
        "events": {HOSTILE: [{"type": HOSTILE, "timestamp": HOSTILE, "note": HOSTILE}]},
        f"unknownMap{HOSTILE}": {HOSTILE: HOSTILE},
    }


def assert_nothing_raw(svg: str) -> None:
    assert not RAW.search(svg), RAW.findall(svg)[:5]


def test_safe_text_is_literal_and_escaped() -> None:
    text = safe_text(HOSTILE)
    assert isinstance(text, Text)
    assert text.spans == []
    assert "[@click=app.quit]quit[/]" in text.plain
    assert "\\x1b[31mred" in text.plain
    assert "\\x1b]52;c;aGk=\\x07" in text.plain
    assert "\\x9b2J \\x85" in text.plain
    assert "\\u202eevil\\u202c \\u2066iso\\u2069" in text.plain
    assert "tab\\there\\nnew line" in text.plain
    assert not RAW.search(text.plain)


def test_json_lines_escape_what_json_does_not() -> None:
    styles = JsonStyles(*(Text().style,) * 4)  # type: ignore[arg-type]
    lines = [highlight_json_line(line, styles).plain for line in pretty_json_lines([HOSTILE])]
    joined = "\n".join(lines)
    assert "\\u001b[31m" in joined
    assert "\\x9b2J" in joined
    assert "\\u202eevil" in joined
    assert not RAW.search(joined)


def test_odd_values_still_print() -> None:
    value = {"lone": "\ud800", "big": 2**80, "deep": [[[[[]]]]]}
    assert '"lone": "\\ud800"' in pretty_json(value)
    deep: Any = 1
    for _ in range(4000):
        deep = [deep]
    assert len(pretty_json_lines(deep)) == 8001


def test_table_cells_from_hostile_records_are_safe() -> None:
    rows = MapRows.of_map("sessions", hostile_data()["sessions"])
    cells = rows.cells(0) + rows.cells(1)
    assert all(cell.spans == [] for cell in cells)
    assert not any(RAW.search(cell.plain) for cell in cells)
    assert max(len(cell.plain) for cell in cells) <= 201


async def test_hostile_snapshot_browses_without_harm(snapshot_dir: Path) -> None:
    write(snapshot_dir, hostile_data())
    odd_name = snapshot_dir / "snapshot-[bold]\x1b[31m\u202e.json.gz"
    odd_name.write_bytes(gzip.compress(b'{"version": "[/]\\u001b"}'))
    os.utime(odd_name, (FIXTURE_MTIME.timestamp(), FIXTURE_MTIME.timestamp()))
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        snapshots_svg = app.export_screenshot()
        assert_nothing_raw(snapshots_svg)
        shown = snapshots_svg.replace("&#160;", " ")
        assert "snapshot-[bold]\\x1b[31m\\u202e.json.gz" in shown
        assert "unsupported_version" in shown

        await pilot.press("j", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        for row in range(screen.maps.row_count):
            screen.maps.move_cursor(row)
            await pilot.pause()
            for entry in range(screen.entries.row_count):
                screen.entries.move_cursor(entry)
                await pilot.pause()
                assert_nothing_raw(app.export_screenshot())
        screen.maps.move_cursor(0)
        await pilot.press("enter", "j", "enter", "G", "l")
        await pilot.pause()
        assert screen.json_view.line_count > 400
        await pilot.press("escape", "escape", "escape")
        assert isinstance(app.screen, SnapshotsScreen)
    assert app.return_code is None or app.return_code == 0
