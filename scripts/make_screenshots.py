"""Make screenshots/*.png from the real dashboard on generated data.

    .venv/bin/python scripts/make_screenshots.py

Six snapshots of a generated state (`statesnap.engine.generate_state`) that changes between
them, one of them cut short as by a crash mid-write, one with a checksum that no longer
matches; then the snapshots view, the browser, the diff, the roll-back modal, an entry's
history, a search and a pin; last, a server on that directory (in this process, restored from
the newest valid file, its state changed after its save) and the dashboard attached to it: the
snapshots view with its live entry, the browser on its live state, and what changed since the
save. Each is exported as SVG by Textual and drawn to PNG by cairosvg
(`pip install statesnap[screenshots]`). Its state and cache go to a scratch folder.

cairosvg cannot fetch the Fira Code web font the SVG names and ignores `textLength`, so text
drifts off the terminal grid in the fallback font: each text run is given one x position per
cell, in DejaVu Sans Mono, before drawing.
"""

# ruff: noqa: TID251 - this script drives the dashboard (the ban keeps the UI out of the engine)

from __future__ import annotations

import asyncio
import copy
import gzip
import html
import logging
import os
import re
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cairosvg  # type: ignore[import-untyped]
import orjson
from rich.cells import cell_len
from statesnap.engine import (
    ControlServer,
    MemoryStorage,
    SnapshotService,
    find_server,
    generate_state,
    js_dumps,
    parse_timestamp,
    write_snapshot_file,
)
from statesnap.tui.app import StatesnapApp
from statesnap.tui.attachment import ServerAttachment
from textual.pilot import Pilot

OUT = Path(__file__).resolve().parent.parent / "screenshots"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SIZE = (120, 36)
CELL_WIDTH = 12.2
_TEXT_RUN = re.compile(
    r'(<text class="[^"]*" x=")([0-9.]+)(" y="[^"]*" textLength="[0-9.]+"[^>]*>)([^<]*)(</text>)'
)


def frozen_clock() -> datetime:
    return NOW


def evolve(data: dict[str, Any], step: int) -> dict[str, Any]:
    """The state a while later: a session finished, events appended, a chat message more."""
    later = copy.deepcopy(data)
    session = later["sessions"][step]
    session["status"] = "completed"
    events = later["events"].setdefault(session["id"], [])
    events.append(
        {
            "id": f"evt-later-{step}",
            "sessionId": session["id"],
            "timestamp": f"2026-03-02T1{step}:00:00.000Z",
            "type": "session:ended",
            "summary": "Finished: checksum rotation and restore",
        }
    )
    later["chatHistory"].setdefault(session["id"], []).append(
        {
            "id": f"msg-later-{step}",
            "sessionId": session["id"],
            "role": "assistant",
            "content": "Done. The restore now skips files whose checksum does not match.",
            "timestamp": f"2026-03-02T1{step}:00:01.000Z",
        }
    )
    later["sessions"].pop()
    return later


def with_wrong_checksum(path: Path) -> None:
    """Edit the data inside a file and keep its old checksum, as a careless hand would."""
    document = orjson.loads(gzip.decompress(path.read_bytes()))
    document["data"]["sessions"][0]["status"] = "edited by hand"
    path.write_bytes(gzip.compress(orjson.dumps(document)))


def make_snapshots(directory: Path, now: datetime = NOW) -> None:
    states = [generate_state(600_000, seed=11)]
    for step in range(1, 6):
        states.append(evolve(states[-1], step))
    paths = []
    for hours, data in zip((8, 7, 5, 4, 2, 1), states, strict=True):
        moment = now - timedelta(hours=hours)
        path, _ = write_snapshot_file(directory, js_dumps(data), moment)
        paths.append((path, moment))
    with_wrong_checksum(paths[2][0])
    torn = paths[5][0].read_bytes()
    paths[5][0].write_bytes(torn[: len(torn) // 3])
    for path, moment in paths:
        os.utime(path, (moment.timestamp(), moment.timestamp()))


def on_grid(svg: str) -> str:
    """Every cell of every text run at its own x, in a font cairosvg has."""

    def place(match: re.Match[str]) -> str:
        x = float(match.group(2))
        text = html.unescape(match.group(4))
        positions = []
        for char in text:
            positions.append(f"{x:.1f}")
            x += CELL_WIDTH * cell_len(char)
        body = html.escape(text, quote=False)
        return match.group(1) + " ".join(positions) + match.group(3) + body + match.group(5)

    svg = svg.replace("font-family: Fira Code, monospace", "font-family: DejaVu Sans Mono")
    return _TEXT_RUN.sub(place, svg)


Steps = Callable[[Pilot[Any]], Awaitable[None]]


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def press(pilot: Pilot[Any], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def shoot(directory: Path, name: str, steps: Steps, app: StatesnapApp | None = None) -> None:
    app = app or StatesnapApp(directory, watch=False, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await steps(pilot)
        svg = app.export_screenshot(title="statesnap")
    target = OUT / f"{name}.png"
    cairosvg.svg2png(bytestring=on_grid(svg).encode(), write_to=str(target))
    print(target)


async def snapshots_view(pilot: Pilot[Any]) -> None:
    await press(pilot, "j", "j", "j")


async def browser(pilot: Pilot[Any]) -> None:
    await press(pilot, "j", "enter", "j", "enter", "G", "k")


async def diff(pilot: Pilot[Any]) -> None:
    await press(pilot, "j", "d", "j", "d", "enter")


async def rollback(pilot: Pilot[Any]) -> None:
    await press(pilot, "G", "r")


async def history(pilot: Pilot[Any]) -> None:
    await press(pilot, "j", "enter", "enter", "h", "j")


async def search(pilot: Pilot[Any]) -> None:
    await press(pilot, "slash", *"checksum", "enter", "j")


async def pins(pilot: Pilot[Any]) -> None:
    await press(pilot, "j", "p", *"before-rotation-fix", "enter")


async def live_diff(pilot: Pilot[Any]) -> None:
    await press(pilot, "g", "d")


async def live_entry(pilot: Pilot[Any]) -> None:
    await press(pilot, "g")


async def live_browser(pilot: Pilot[Any]) -> None:
    await press(pilot, "g", "enter", "j", "j", "enter", "j", "j")


def change_after_the_save(storage: MemoryStorage) -> None:
    """What a server does between two saves: a session finishes, a message is added."""
    session = storage.list_sessions()[0]
    storage.set_session({**session, "status": "completed"})
    storage.append_chat_message(
        session["id"],
        {"id": "msg-unsaved", "role": "user", "content": "Is this saved yet?"},
    )


async def shoot_live(directory: Path) -> None:
    """The dashboard attached to a server on `directory` that saved a few seconds ago (the
    server writes at the real time: `directory`'s files are dated from it)."""
    storage = MemoryStorage()
    service = SnapshotService(storage, directory, max_snapshots=10)
    service.load_latest_snapshot()
    async with ControlServer(service, storage):
        await service.save_snapshot_async()
        change_after_the_save(storage)
        info = find_server(directory)
        assert info is not None and service.last_save is not None
        saved = parse_timestamp(service.last_save.at) or NOW

        def clock() -> datetime:
            return saved + timedelta(seconds=12)

        for name, steps in (
            ("live", live_entry),
            ("live-browser", live_browser),
            ("live-diff", live_diff),
        ):
            app = StatesnapApp(
                directory, watch=False, clock=clock, attachment=ServerAttachment(info)
            )
            await shoot(directory, name, steps, app)


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    logging.getLogger("statesnap.engine").setLevel(logging.ERROR)  # the server's restore reports
    home = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="statesnap-shots-") as scratch:
        for variable in ("XDG_STATE_HOME", "XDG_CACHE_HOME"):  # leave the user's own alone
            os.environ[variable] = str(Path(scratch) / variable.lower())
        os.chdir(scratch)  # the header shows the directory as given: keep it short
        try:
            directory = Path(".actionflows-snapshot")
            directory.mkdir(mode=0o700)
            make_snapshots(directory)
            for name, steps in (
                ("snapshots", snapshots_view),
                ("browser", browser),
                ("diff", diff),
                ("rollback", rollback),
                ("history", history),
                ("search", search),
                ("pins", pins),
            ):
                await shoot(directory, name, steps)
            runtime = Path(scratch) / "run"
            runtime.mkdir(mode=0o700)
            os.environ["XDG_RUNTIME_DIR"] = str(runtime)  # the server's socket: private
            os.chdir(runtime)
            directory.mkdir(mode=0o700)
            make_snapshots(directory, datetime.now(UTC))
            await shoot_live(directory)
        finally:
            os.chdir(home)


if __name__ == "__main__":
    asyncio.run(main())
