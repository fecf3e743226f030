"""A live dashboard attaches to the directory's running server and drives it."""

from __future__ import annotations

from pathlib import Path

from statesnap.engine import ControlServer, MemoryStorage, SnapshotService
from statesnap.tui.attachment import ServerAttachment
from statesnap.tui.screens.confirm import ConfirmScreen

from .conftest import SIZE, make_app, record_notifications, sample_data, wait_until, write


async def test_attaches_snapshots_rolls_back_and_undoes(snapshot_dir: Path, runtime: Path) -> None:
    first = write(snapshot_dir, sample_data(1), 0)
    storage = MemoryStorage()
    storage.load_data(sample_data(5))
    service = SnapshotService(storage, snapshot_dir, max_snapshots=10)
    app = make_app(snapshot_dir)
    app.watch_directory = True
    notes = record_notifications(app)
    async with ControlServer(service, storage), app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.attachment, ServerAttachment))
        assert "attached: pid" in app.sub_title
        assert app.screen.check_action("snapshot_now", ()) is True

        await pilot.press("s")
        await wait_until(pilot, lambda: any(note.startswith("The server wrote") for note in notes))
        catalog = app.context.catalog
        await wait_until(pilot, lambda: len(catalog.entries) == 2)

        await pilot.press("G", "r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        body = " ".join(str(widget.render()) for widget in app.screen.query("Static"))
        assert "The server (pid" in body and "2 files written, none deleted" in body
        await pilot.press("y")
        await wait_until(pilot, lambda: any("holds the state of" in note for note in notes))
        assert len(storage.snapshot_data()["sessions"]) == 1
        assert any(f"holds the state of {first.name}" in note for note in notes)

        await wait_until(pilot, lambda: app.screen.check_action("undo", ()) is True)
        await pilot.press("u", "y")
        await wait_until(pilot, lambda: any(note.startswith("Roll-back undone") for note in notes))
        assert len(storage.snapshot_data()["sessions"]) == 5


async def test_detaches_when_the_server_goes_away(snapshot_dir: Path, runtime: Path) -> None:
    service = SnapshotService(MemoryStorage(), snapshot_dir)
    app = make_app(snapshot_dir)
    app.watch_directory = True
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        async with ControlServer(service):
            await wait_until(pilot, lambda: app.context.server_status is not None)
        await wait_until(pilot, lambda: app.attachment is None)
        assert "no server attached" in app.sub_title
        assert "stopped (it exited, or closed its control channel)" in notes[-1]
        assert "no save yet" in notes[-1]
