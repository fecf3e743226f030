"""The snapshots view: listing, progressive verification, watching, roll-back, diff marks, keys."""

from __future__ import annotations

import json
import os
import shutil
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from statesnap.engine import (
    CatalogEntry,
    SnapshotCatalog,
    SnapshotRead,
    parse_timestamp,
    timestamp_from_name,
)
from statesnap.engine.directory.files import TEMP_PREFIX
from statesnap.tui.app import StatesnapApp
from statesnap.tui.attachment import NO_SERVER
from statesnap.tui.cli.main import main as cli_main
from statesnap.tui.messages import DirectoryWatched
from statesnap.tui.palette import ScreenActionsProvider
from statesnap.tui.rows.snapshots import LiveRow, SnapshotRows
from statesnap.tui.screens.browser import BrowserScreen
from statesnap.tui.screens.confirm import ConfirmScreen
from statesnap.tui.screens.diff import DiffScreen
from statesnap.tui.screens.help import HelpScreen
from statesnap.tui.screens.snapshot_listing import AGE_REFRESH_S, AGE_TICK_S
from statesnap.tui.screens.snapshots import IN_THE_BROWSER, SnapshotsScreen
from statesnap.tui.widgets.snapshot_detail import SnapshotDetail
from statesnap.tui.widgets.virtual_table import VirtualTable
from textual.widgets import Static

from .conftest import (
    SIZE,
    T0,
    copy_fixtures,
    make_app,
    record_notifications,
    sample_data,
    settle,
    shown_text,
    wait_until,
    write,
)


def cell_texts(table: VirtualTable, row: int) -> list[str]:
    return [cell.plain for cell in table.source.cells(row)]


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> list[object]:
    """Record each call of the method `owner.name` (which still runs) by its `self`."""
    calls: list[object] = []
    method = getattr(owner, name)

    def counting(self: object, *args: Any, **options: Any) -> Any:
        calls.append(self)
        return method(self, *args, **options)

    monkeypatch.setattr(owner, name, counting)
    return calls


def snapshots_table(screen: object) -> VirtualTable:
    assert isinstance(screen, SnapshotsScreen)
    return screen.table


def shown_names(table: VirtualTable) -> list[str]:
    """The files the table shows, in its order."""
    assert isinstance(table.source, SnapshotRows)
    return [entry.name for entry in table.source.entries]


async def test_lists_files_newest_first_with_their_verdicts(snapshot_dir: Path) -> None:
    copy_fixtures(snapshot_dir, "basic", "broken")
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = snapshots_table(app.screen)
        names = shown_names(table)
        rows = {name: cell_texts(table, row) for row, name in enumerate(names)}
        assert len(rows) == table.row_count == 11
        newest = rows["snapshot-2026-11-26T07-10-50-047Z.json.gz"]
        assert newest[1:3] == ["2026-11-26 07:10:50.047", "49m ago"]
        assert newest[4] == "valid" and newest[5].startswith("sessions 2")
        mismatch = rows["snapshot-broken-06-checksum-mismatch.json.gz"]
        assert mismatch[4] == "checksum_mismatch"
        assert mismatch[1] == "2026-11-26 07:10:50.046"  # stored in it; its name holds no time
        assert mismatch[5].startswith("broken-06-checksum-mismatch  sessions 2")
        empty = rows["snapshot-broken-02-empty.json.gz"]
        assert empty[4] == "corrupt" and empty[2] == "10m ago"  # its modification time
        dated = [name for name in names if timestamp_from_name(name)]
        assert dated == sorted(dated, reverse=True)
        times = [row[1] for row in rows.values()]
        assert times == sorted(times, reverse=True)  # newest first by the time shown
        oldest = cell_texts(table, table.row_count - 1)
        assert oldest[1:3] == ["2026-11-26 07:10:49.983", "49m ago"]
        assert "sessions 3" in oldest[5]


async def test_the_dashboard_shows_the_time_statesnap_list_shows(
    snapshot_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One rule (`statesnap.engine.format.snapshot_time`):
    a file named 10:10:00 that stores 07:10:50 shows
    07:10:50 in both, marked, and its detail says both."""
    copy_fixtures(snapshot_dir, "basic", "broken", "fallback")
    assert cli_main(["list", "--json", "--dir", str(snapshot_dir)]) == 0
    listed = {record["file"]: record for record in json.loads(capsys.readouterr().out)}
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = snapshots_table(app.screen)
        names = shown_names(table)
        assert names == list(listed)  # the same order too
        for row, name in enumerate(names):
            shown = cell_texts(table, row)[1].removesuffix("*")
            assert parse_timestamp(listed[name]["time"]) == parse_timestamp(shown + "Z"), name
        renamed = "snapshot-2026-02-14T10-10-00-000Z.json.gz"
        assert listed[renamed]["time"] == "2026-11-26T07:10:50.046Z"
        assert listed[renamed]["time_source"] == "stored"
        row = names.index(renamed)
        assert cell_texts(table, row)[1] == "2026-11-26 07:10:50.046*"
        assert cell_texts(table, row)[5].startswith("2026-02-14T10-10-00-000Z")
        table.move_cursor(row)
        await pilot.pause()
        detail = str(app.screen.query_one(SnapshotDetail).render())
        assert "named 2026-02-14 10:10:00.000, stored 2026-11-26 07:10:50.046" in detail


async def test_the_list_shows_before_verification_and_fills_in(
    snapshot_dir: Path, monkeypatch: object
) -> None:
    write(snapshot_dir, sample_data(), 0)
    write(snapshot_dir, sample_data(), 1)
    release = threading.Event()
    verify = SnapshotCatalog.verify

    def slow_verify(catalog: SnapshotCatalog, entry: CatalogEntry) -> SnapshotRead:
        release.wait(10)
        return verify(catalog, entry)

    monkeypatch.setattr(SnapshotCatalog, "verify", slow_verify)  # type: ignore[attr-defined]
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = snapshots_table(app.screen)
        assert table.row_count == 2
        assert [cell_texts(table, row)[4] for row in range(2)] == ["verifying…", "verifying…"]
        release.set()
        await settle(pilot)
        assert [cell_texts(table, row)[4] for row in range(2)] == ["valid", "valid"]


async def test_many_verdicts_redraw_a_few_times_not_once_per_file(
    snapshot_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """200 small files used to redraw the table, the status line and the footer 200 times."""
    for minute in range(60):
        write(snapshot_dir, sample_data(1), minute)
    release = threading.Event()
    verify = SnapshotCatalog.verify

    def held_verify(catalog: SnapshotCatalog, entry: CatalogEntry) -> SnapshotRead:
        release.wait(10)
        return verify(catalog, entry)

    monkeypatch.setattr(SnapshotCatalog, "verify", held_verify)
    redraws = count_calls(monkeypatch, VirtualTable, "refresh_rows")
    footer_updates = count_calls(monkeypatch, SnapshotsScreen, "refresh_bindings")
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        redraws.clear()
        footer_updates.clear()
        release.set()
        await settle(pilot)
        table = snapshots_table(app.screen)
        assert {cell_texts(table, row)[4] for row in range(60)} == {"valid"}
        assert len(redraws) < 10
        assert len(footer_updates) <= 1  # when the selected file's verdict came


async def test_detail_shows_checksums_and_reason(snapshot_dir: Path) -> None:
    copy_fixtures(snapshot_dir, "broken")
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = snapshots_table(app.screen)
        table.move_cursor(shown_names(table).index("snapshot-broken-06-checksum-mismatch.json.gz"))
        await pilot.pause()
        detail = str(app.screen.query_one(SnapshotDetail).render())
        assert "checksum_mismatch: file says fde5e" in detail
        assert "expected fde5e0550716f3e5261d8706d8e00c86" in detail
        assert "actual   ad79790d40f47d58ef1c49ebd13c1b0f" in detail
        assert "✗ differs" in detail
        assert "sessions" in detail


async def test_vim_keys_move_the_cursor(snapshot_dir: Path) -> None:
    for minute in range(5):
        write(snapshot_dir, sample_data(), minute)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = snapshots_table(app.screen)
        assert table.cursor_row == 0
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == 4
        await pilot.press("g")
        assert table.cursor_row == 0


async def test_ages_in_seconds_move_every_second_and_only_their_rows_redraw(
    snapshot_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(snapshot_dir, sample_data(), -10)
    write(snapshot_dir, sample_data(), 0)
    now = T0 + timedelta(seconds=58)
    app = StatesnapApp(snapshot_dir, watch=False, clock=lambda: now)
    redrawn: list[range | None] = []
    refresh_rows = VirtualTable.refresh_rows

    def recording(table: VirtualTable, rows: range | None = None) -> None:
        if table.id == "snapshots":
            redrawn.append(rows)
        refresh_rows(table, rows)

    monkeypatch.setattr(VirtualTable, "refresh_rows", recording)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SnapshotsScreen)
        table = screen.table
        assert [cell_texts(table, row)[2] for row in range(2)] == ["58s ago", "10m ago"]
        redrawn.clear()

        now = T0 + timedelta(seconds=59)
        screen.refresh_ages()
        assert cell_texts(table, 0)[2] == "59s ago"
        assert "59s ago" in str(screen.query_one(SnapshotDetail).render())
        assert redrawn == [range(0, 1)]  # the one row whose age is in seconds

        now = T0 + timedelta(seconds=85)
        screen.refresh_ages()
        assert cell_texts(table, 0)[2] == "1m ago"
        screen.refresh_ages()  # no age in seconds left: nothing to redraw
        assert redrawn == [range(0, 1), range(0, 1)]

        now = T0 + timedelta(minutes=3)
        for _ in range(int(AGE_REFRESH_S / AGE_TICK_S)):
            screen.refresh_ages()
        assert redrawn[2:] == [None]  # every row, every AGE_REFRESH_S
        assert [cell_texts(table, row)[2] for row in range(2)] == ["3m ago", "13m ago"]


async def test_a_rescan_says_what_changed(snapshot_dir: Path) -> None:
    first = write(snapshot_dir, sample_data(), 0)
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = snapshots_table(app.screen)
        newer = write(snapshot_dir, sample_data(4), 5)
        (snapshot_dir / f"{TEMP_PREFIX}1-abc").write_bytes(b"half a file")
        await pilot.press("R")
        await settle(pilot)
        assert table.row_count == 2
        assert cell_texts(table, 0)[4] == "valid"
        assert notes[-1] == (
            "Rescanned .actionflows-snapshot (new 2026-11-26 07:05:00.000): "
            "verifying every file again"
        )

        first.unlink()
        newer.write_bytes(b"rewritten, not gzip")
        await pilot.press("R")
        await settle(pilot)
        assert table.row_count == 1
        assert cell_texts(table, 0)[4] == "corrupt"
        assert "(rewritten 2026-11-26 07:05:00.000 · deleted 2026-11-26 07:00:00.000)" in notes[-1]

        await pilot.press("R")
        assert "(no changes)" in notes[-1]


async def test_what_the_watcher_sees_goes_in_the_status_line_not_in_toasts(
    snapshot_dir: Path,
) -> None:
    """The server's saves and rotation, every few seconds, are no news (the selected file
    too: rotation takes one every save); the file the user marked for a diff going is."""
    files = [write(snapshot_dir, sample_data(), minute) for minute in range(3)]
    app = make_app(snapshot_dir)
    notes = record_notifications(app)

    async def watcher_sees_changes() -> None:
        screen.post_message(DirectoryWatched(app.context.catalog.rescan()))
        await settle(pilot)

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SnapshotsScreen)
        write(snapshot_dir, sample_data(), 3)
        files[0].unlink()
        await watcher_sees_changes()
        assert status_line(app).endswith(" · 1 new · 1 deleted at 08:00:00")
        assert notes == []

        await pilot.press("d", "j")  # the file of minute 2 (still selected) marked, minute 1 next
        files[1].unlink()
        files[2].unlink()
        await watcher_sees_changes()
        assert notes == [f"{files[2].name}, marked for a diff, was deleted: the mark is cleared."]
        assert "2 deleted at 08:00:00" in status_line(app)


async def test_the_real_watcher_shows_a_new_file_without_a_key(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(), 0)
    app = make_app(snapshot_dir)
    app.watch_directory = True
    async with app.run_test(size=SIZE) as pilot:
        table = snapshots_table(app.screen)
        await wait_until(pilot, lambda: table.row_count == 1)
        # The watcher may start after this write; keep writing until it reports.
        written = 1
        while table.row_count == 1 and written < 50:
            write(snapshot_dir, sample_data(), written)
            (snapshot_dir / f"{TEMP_PREFIX}{written}").write_bytes(b"partial")
            written += 1
            await pilot.pause(0.1)
        await wait_until(pilot, lambda: table.row_count == written)
        names = {entry.name for entry in app.context.catalog.entries}
        assert not any(name.startswith(TEMP_PREFIX) for name in names)
        await wait_until(pilot, lambda: cell_texts(table, 0)[4] == "valid")


async def test_a_missing_directory_is_waited_for(tmp_path: Path) -> None:
    directory = tmp_path / "not-yet"
    app = make_app(directory)
    app.watch_directory = True
    async with app.run_test(size=SIZE) as pilot:
        status = app.screen.query_one("#status-line")
        await wait_until(pilot, lambda: "to be created" in str(status.render()))
        directory.mkdir()
        write(directory, sample_data(), 0)
        table = snapshots_table(app.screen)
        await wait_until(pilot, lambda: table.row_count == 1)
        await wait_until(pilot, lambda: "watching for changes" in str(status.render()))


def status_line(app: StatesnapApp) -> str:
    return str(app.screen.query_one("#status-line", Static).render())


def watching_app(directory: Path) -> StatesnapApp:
    app = make_app(directory)
    app.watch_directory = True
    return app


def listed(app: StatesnapApp) -> list[str]:
    table = snapshots_table(app.screen)
    return [cell_texts(table, row)[1] for row in range(table.row_count)]


async def test_a_deleted_directory_is_waited_for_and_watched_again(tmp_path: Path) -> None:
    directory = tmp_path / "gone"
    directory.mkdir()
    write(directory, sample_data(), 0)
    app = watching_app(directory)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "watching for changes" in status_line(app))
        shutil.rmtree(directory)
        await wait_until(pilot, lambda: "directory gone" in status_line(app))
        assert "waiting for it to come back" in status_line(app)
        assert listed(app) == []
        assert "Directory gone · waiting for it to come back" in notes

        directory.mkdir()
        write(directory, sample_data(), 1)
        await wait_until(pilot, lambda: listed(app) == ["2026-11-26 07:01:00.000"])
        await wait_until(pilot, lambda: "watching for changes" in status_line(app))
        write(directory, sample_data(), 2)  # watched again, not just found
        await wait_until(pilot, lambda: len(listed(app)) == 2)


async def test_a_directory_put_in_place_of_the_old_one_is_followed(tmp_path: Path) -> None:
    directory = tmp_path / "snaps"
    directory.mkdir()
    write(directory, sample_data(), 0)
    app = watching_app(directory)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "watching for changes" in status_line(app))
        directory.rename(tmp_path / "snaps.old")
        directory.mkdir()
        write(directory, sample_data(), 1)
        await wait_until(pilot, lambda: listed(app) == ["2026-11-26 07:01:00.000"])
        write(tmp_path / "snaps.old", sample_data(), 2)
        write(directory, sample_data(), 3)
        await wait_until(pilot, lambda: len(listed(app)) == 2)
        assert listed(app) == ["2026-11-26 07:03:00.000", "2026-11-26 07:01:00.000"]


async def test_an_unreadable_directory_says_why_and_recovers(tmp_path: Path) -> None:
    """Unreadable as root too: a file where the directory should be."""
    directory = tmp_path / "snaps"
    directory.mkdir()
    write(directory, sample_data(), 0)
    app = watching_app(directory)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "watching for changes" in status_line(app))
        directory.rename(tmp_path / "aside")
        directory.write_bytes(b"not a directory")
        await wait_until(pilot, lambda: "cannot read" in status_line(app))
        assert "(Not a directory) · trying again" in status_line(app)
        table = snapshots_table(app.screen)
        assert table.row_count == 0
        assert table.empty_text == f"Cannot list {directory}: Not a directory"

        directory.unlink()
        (tmp_path / "aside").rename(directory)
        await wait_until(pilot, lambda: listed(app) == ["2026-11-26 07:00:00.000"])
        await wait_until(pilot, lambda: "watching for changes" in status_line(app))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a directory whatever its mode")
async def test_a_directory_without_permission_says_so_and_recovers(tmp_path: Path) -> None:
    directory = tmp_path / "snaps"
    directory.mkdir()
    write(directory, sample_data(), 0)
    app = watching_app(directory)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "watching for changes" in status_line(app))
        try:
            directory.chmod(0)
            await wait_until(pilot, lambda: "(Permission denied)" in status_line(app))
        finally:
            directory.chmod(0o700)
        await wait_until(pilot, lambda: "watching for changes" in status_line(app))
        assert listed(app) == ["2026-11-26 07:00:00.000"]


async def test_rescan_verifies_every_file_again(snapshot_dir: Path) -> None:
    """What a listing cannot see: a file changed in place with the same size and time."""
    path = write(snapshot_dir, sample_data(), 0)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = snapshots_table(app.screen)
        assert cell_texts(table, 0)[4] == "valid"
        info = path.stat()
        with open(path, "r+b") as handle:
            handle.seek(-8, os.SEEK_END)
            handle.write(b"\0" * 8)
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
        await pilot.press("R")
        await settle(pilot)
        assert cell_texts(table, 0)[4] == "corrupt"


async def test_rescan_is_a_key_a_command_and_in_the_help(snapshot_dir: Path) -> None:
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        provider = ScreenActionsProvider(app.screen)
        hits = {str(hit.display): hit.help async for hit in provider.discover()}
        assert hits["Rescan"] == "List the directory again and verify every file afresh (R)"
        active = app.screen.active_bindings["R"]
        assert active.enabled and active.binding.show  # in the footer
        assert active.binding.id == "snapshots.rescan"
        await pilot.press("question_mark")
        await pilot.pause()
        help_line = next(
            line
            for line in shown_text(app.screen.query_one("#help-text", Static)).splitlines()
            if "Rescan" in line
        )
        assert " ".join(help_line.split()).startswith("R Rescan List the directory again")


async def test_snapshot_and_undo_need_a_server_and_say_so(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(), 0)
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.check_action("snapshot_now", ()) is None
        assert app.screen.check_action("undo", ()) is None
        await pilot.press("s")
        await pilot.press("u")
        assert notes == [NO_SERVER, NO_SERVER]
        assert "no server attached" in app.sub_title


async def test_browser_keys_pressed_here_say_where_they_work(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(), 0)
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("y")
        assert isinstance(app.screen, SnapshotsScreen)
        assert notes == [IN_THE_BROWSER["copy"]]
        assert "enter opens" in notes[0]
        active = app.screen.active_bindings["y"]
        assert not active.enabled and not active.binding.show  # disabled, not in the footer


async def test_rollback_modal_names_the_file_and_cancels(snapshot_dir: Path) -> None:
    for minute in range(3):
        write(snapshot_dir, sample_data(), minute)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = sorted(path.name for path in snapshot_dir.iterdir())
        target = app.context.catalog.entries[2]
        await pilot.press("G", "r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        body = " ".join(str(widget.render()) for widget in app.screen.query("Static"))
        assert target.name in body
        assert "1 file written, none deleted" in body
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, SnapshotsScreen)
        await pilot.press("r", "escape")
        await pilot.pause()
        assert isinstance(app.screen, SnapshotsScreen)
        assert sorted(path.name for path in snapshot_dir.iterdir()) == before


async def test_rollback_promotes_the_file_and_deletes_nothing(snapshot_dir: Path) -> None:
    oldest = write(snapshot_dir, sample_data(1), 0)
    for minute in (1, 2, 3, 4):
        write(snapshot_dir, sample_data(2), minute)
    before = {path.name for path in snapshot_dir.iterdir()}
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G", "r", "y")
        await settle(pilot)
        table = snapshots_table(app.screen)
        entries = app.context.catalog.entries
        assert len(entries) == 6
        assert before < {entry.name for entry in entries}
        assert "sessions 1" in cell_texts(table, 0)[5]
        assert notes[-1].startswith("Rolled back: ")
        assert f"holds the state of {oldest.name}" in notes[-1]
        assert "nothing was deleted" in notes[-1]


async def test_rollback_is_disabled_for_a_corrupt_file(snapshot_dir: Path) -> None:
    copy_fixtures(snapshot_dir, "broken")
    app = make_app(snapshot_dir)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.check_action("rollback", ()) is None
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, SnapshotsScreen)
        assert "cannot roll back to snapshot-broken-12-missing-data.json.gz" in notes[-1]


async def test_diff_by_marking_two_files(snapshot_dir: Path) -> None:
    for minute in range(3):
        write(snapshot_dir, sample_data(minute + 1), minute)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = snapshots_table(app.screen)
        await pilot.press("d")
        assert cell_texts(table, 0)[0] == "◆"
        status = str(app.screen.query_one("#status-line").render())
        assert "press d on another snapshot" in status
        await pilot.press("escape")
        assert cell_texts(table, 0)[0] == ""
        await pilot.press("d", "G", "d")
        await pilot.pause()
        assert isinstance(app.screen, DiffScreen)
        entries = app.context.catalog.entries
        assert (app.screen.older, app.screen.newer) == (entries[2], entries[0])


async def test_diff_with_the_next_older(snapshot_dir: Path) -> None:
    for minute in range(2):
        write(snapshot_dir, sample_data(minute + 1), minute)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d", "d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DiffScreen)
        entries = app.context.catalog.entries
        assert (screen.older, screen.newer) == (entries[1], entries[0])
        await pilot.press("escape")
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, DiffScreen)


async def test_enter_opens_the_browser_and_escape_comes_back(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(), 0)
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, SnapshotsScreen)


async def test_help_lists_the_keys(snapshot_dir: Path) -> None:
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = shown_text(app.screen.query_one("#help-text", Static))
        for words in ("Roll back", "Snapshot now", "Undo roll-back", "Diff", "Quit", "^p"):
            assert words.lower() in text.lower(), words
        await pilot.press("escape")
        assert isinstance(app.screen, SnapshotsScreen)


async def test_q_quits(snapshot_dir: Path) -> None:
    app = make_app(snapshot_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
    assert app.return_code == 0


async def test_empty_or_missing_directory_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path / "absent")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = snapshots_table(app.screen)
        assert table.row_count == 0
        assert "No snapshot files" in table.empty_text
        assert app.screen.check_action("open", ()) is None


async def test_snapshot_rows_mark_the_diff_file(snapshot_dir: Path) -> None:
    write(snapshot_dir, sample_data(), 0)
    catalog = SnapshotCatalog(snapshot_dir)
    catalog.refresh()
    entry = catalog.entries[0]
    rows = SnapshotRows(catalog.entries, catalog.cached, entry.time().moment, entry.name)
    assert [cell.plain for cell in rows.cells(0)][:5] == [
        "◆",
        "2026-11-26 07:00:00.000",
        "0s ago",
        rows.cells(0)[3].plain,
        "verifying…",
    ]


def test_snapshot_rows_young_rows_are_the_newest_files(snapshot_dir: Path) -> None:
    for minute in range(3):
        write(snapshot_dir, sample_data(), minute)
    catalog = SnapshotCatalog(snapshot_dir)
    catalog.refresh()
    rows = SnapshotRows(
        catalog.entries, catalog.cached, T0 + timedelta(minutes=2, seconds=30), None
    )
    assert rows.young_rows() == range(0, 1)
    rows.now = T0 + timedelta(minutes=1, seconds=1)  # the newest file in the future: young too
    assert rows.young_rows() == range(0, 2)
    rows.now = T0 + timedelta(hours=1)
    assert not rows.young_rows()
    live = SnapshotRows(catalog.entries, catalog.cached, rows.now, None, LiveRow(1, "memory"))
    live.now = T0 + timedelta(minutes=2)
    assert live.young_rows() == range(1, 2)
