"""Dashboard test helpers: snapshot directories in tmp dirs, a frozen clock, a settled pilot."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from statesnap.engine import js_dumps, write_snapshot_file
from statesnap.tui.app import StatesnapApp
from textual.pilot import Pilot
from textual.widgets import Static

from tests.support.node_bridge import FIXTURES

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
"""The frozen clock: ten minutes after the fixture files' (fixed) modification times."""
FIXTURE_MTIME = NOW - timedelta(minutes=10)
T0 = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
"""When the first generated snapshot is taken."""
SIZE = (120, 36)


def frozen_clock() -> datetime:
    return NOW


@pytest.fixture
def snapshot_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty snapshot directory, given relatively (so the header reads the same every run)."""
    monkeypatch.chdir(tmp_path)
    directory = Path(".actionflows-snapshot")
    directory.mkdir(mode=0o700)
    return directory


def make_app(directory: Path, **options: Any) -> StatesnapApp:
    return StatesnapApp(directory, watch=False, clock=frozen_clock, **options)


def sample_data(sessions: int = 3, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A small state shaped like the original's: sessions, per-session events and chat."""
    ids = [f"sess_{index:03d}" for index in range(sessions)]
    data: dict[str, Any] = {
        "sessions": [
            {
                "id": ident,
                "cwd": f"/home/dev/work/project-{index}",
                "status": "in_progress" if index % 2 else "completed",
                "startedAt": f"2026-02-14T09:{index % 60:02d}:00.000Z",
                "user": "alice" if index % 3 else "bob",
            }
            for index, ident in enumerate(ids)
        ],
        "events": {
            ident: [
                {
                    "id": f"evt_{index}_{step}",
                    "type": "step:spawned" if step else "session:started",
                    "sessionId": ident,
                    "timestamp": f"2026-02-14T09:{index % 60:02d}:{step:02d}.000Z",
                    "stepNumber": step,
                }
                for step in range(2)
            ]
            for index, ident in enumerate(ids)
        },
        "chatHistory": {
            ident: [
                {
                    "id": f"msg_{index}",
                    "sessionId": ident,
                    "role": "user",
                    "content": f"Please build feature {index}.\nWith tests.",
                    "timestamp": f"2026-02-14T09:{index % 60:02d}:30.000Z",
                }
            ]
            for index, ident in enumerate(ids)
        },
        "followedSessions": ids[:1],
    }
    data.update(extra or {})
    return data


def write(directory: Path, data: dict[str, Any], minutes: int = 0) -> Path:
    """A valid snapshot of `data`, taken `minutes` after T0."""
    path, _ = write_snapshot_file(directory, js_dumps(data), T0 + timedelta(minutes=minutes))
    return path


def copy_fixtures(directory: Path, *folders: str) -> list[Path]:
    """The original backend's files, with fixed modification times."""
    copied = []
    stamp = FIXTURE_MTIME.timestamp()
    for folder in folders:
        for source in sorted((FIXTURES / folder).iterdir()):
            target = directory / source.name
            shutil.copy(source, target)
            os.chmod(target, 0o600)
            os.utime(target, (stamp, stamp))
            copied.append(target)
    return copied


async def settle(pilot: Pilot[Any]) -> None:
    """Let every message, and every worker that can finish, finish."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], seconds: float = 5) -> None:
    """Let the app run until `condition` holds (for the real directory watcher)."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition not met in time")


def shown_text(widget: Static) -> str:
    """What a `Static` shows, as plain text at its width (for content that is not a `Text`,
    such as the help's tables)."""
    console = Console(file=io.StringIO(), width=widget.size.width or 100, record=True)
    console.print(widget.content)
    return console.export_text()


def record_notifications(app: StatesnapApp) -> list[str]:
    """Every notification's text from now on (they still show)."""
    seen: list[str] = []
    notify = app.notify

    def recording(message: str, **options: Any) -> None:
        seen.append(message)
        notify(message, **options)

    app.notify = recording  # type: ignore[method-assign]
    return seen
