"""A snapshot against the live state: the same diff as two files give, read a page at a time
(through the server's own paging, and through a real server in a subprocess with a 100k-entry
map, which answers other requests while the comparison runs), stopped between pages."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from statesnap.engine import (
    ControlClient,
    EntryPage,
    LiveDiffProgress,
    MapSummary,
    MemoryStorage,
    diff_data,
    diff_live,
    js_dumps,
    live_label,
    write_snapshot_file,
)
from statesnap.engine.control.live_state import LiveStateReader
from statesnap.engine.control.wire_results import decode_entries, decode_maps

from tests.support.processes import DemoProcess, wait_until

BEFORE: dict[str, Any] = {
    "sessions": [{"id": f"s{index}", "n": index} for index in range(40)],
    "bookmarks": {f"b{index}": {"label": str(index)} for index in range(30)},
    "onlyInTheFile": {"x": 1},
    "frequencies": {"a": 1, "b": 2},
}


def after_state() -> dict[str, Any]:
    after = orjson.loads(orjson.dumps(BEFORE))
    after["sessions"][3]["n"] = -1
    del after["sessions"][10]
    after["sessions"].append({"id": "s-new"})
    after["bookmarks"]["b-new"] = {"label": "new"}
    del after["bookmarks"]["b0"]
    del after["onlyInTheFile"]
    after["onlyLive"] = [1, 2]
    after["frequencies"] = {"a": 1.0, "b": 2}  # the same JSON value
    return after


class InProcess:
    """The live state of a MemoryStorage read through the server's own paging, each page's
    request first running `between` (a change the host makes between two pages)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.storage = MemoryStorage()
        self.storage.load_data(data)
        self.reader = LiveStateReader(self.storage)
        self.requests: list[dict[str, Any]] = []
        self.between: Callable[[int], None] = lambda count: None

    def maps(self) -> list[MapSummary]:
        return decode_maps(orjson.loads(asyncio.run(self.reader.maps({}))))

    def entries(
        self, map_name: str, offset: int, limit: int, *, after: str | None = None
    ) -> EntryPage:
        self.between(len(self.requests))
        args = {"map": map_name, "offset": offset, "limit": limit, "after": after}
        self.requests.append(args)
        if after is None:
            del args["after"]
        return decode_entries(orjson.loads(asyncio.run(self.reader.entries(args))))


def test_the_live_diff_is_the_diff_of_the_two_states() -> None:
    live = InProcess(after_state())
    steps: list[LiveDiffProgress] = []
    found = diff_live(BEFORE, live, page_size=7, progress=steps.append)
    expected = diff_data(BEFORE, live.storage.snapshot_data())
    assert found is not None and found.to_json() == expected.to_json()
    assert found.maps == expected.maps
    sessions = found.to_json()["sessions"]
    assert sessions == {"added": ["s-new"], "removed": ["s10"], "changed": ["s3"]}
    assert found.to_json()["onlyInTheFile"] == {"added": [], "removed": ["x"], "changed": []}
    assert found.to_json()["onlyLive"] == {"added": ["#0", "#1"], "removed": [], "changed": []}
    assert max(request.get("limit", 0) for request in live.requests) == 7
    last = steps[-1]
    assert (last.index, last.maps) == (len(found.maps), len(found.maps))
    session_steps = [step for step in steps if step.map == "sessions"]
    assert [step.read for step in session_steps] == [0, 7, 14, 21, 28, 35, 40]
    assert session_steps[-1].words() == f"reading sessions: 40/40 entries (map 1/{last.maps})"


def test_a_map_that_changes_between_pages_neither_skips_nor_repeats() -> None:
    live = InProcess(BEFORE)

    def between(count: int) -> None:
        if count == 2:  # the third page: two entries already read go, one comes
            live.storage.delete_entry("sessions", "s0")
            live.storage.delete_entry("sessions", "s1")
            live.storage.set_entry("sessions", "s-late", {"id": "s-late"})

    live.between = between
    found = diff_live(BEFORE, live, page_size=5)
    assert found is not None
    # s0 and s1 were read before they went; by offset the third page would have skipped two
    sessions = found.to_json()["sessions"]
    assert sessions == {"added": ["s-late"], "removed": [], "changed": []}
    assert found.maps[0].after_count == 41


def test_stopped_between_pages() -> None:
    live = InProcess(BEFORE)
    pages = 0

    def keep_going() -> bool:
        return pages < 3

    def count(step: LiveDiffProgress) -> None:
        nonlocal pages
        pages += step.read > 0

    assert diff_live(BEFORE, live, page_size=5, progress=count, keep_going=keep_going) is None
    assert len(live.requests) == 3


def test_a_100k_entry_map_against_a_real_server_that_keeps_answering(
    tmp_path: Path, runtime: Path
) -> None:
    snaps = tmp_path / "snaps"
    snaps.mkdir(mode=0o700)
    big = {"sessions": [{"id": f"s{index}", "n": index} for index in range(100_000)]}
    older = orjson.loads(orjson.dumps(big))
    older["sessions"][500]["n"] = "old"
    del older["sessions"][99_999]
    write_snapshot_file(snaps, js_dumps(older))
    write_snapshot_file(snaps, js_dumps(big))  # the newest: what the server restores
    with DemoProcess(snaps, runtime, host=True) as server:
        client = ControlClient(server.wait_for_server(), timeout_s=60.0)
        assert live_label(server.pid) == f"live (pid {server.pid})"
        steps: list[LiveDiffProgress] = []
        answered = threading.Event()
        result: list[Any] = []

        def progress(step: LiveDiffProgress) -> None:
            steps.append(step)
            if step.read >= 50_000:  # halfway: wait for the other request to be answered
                answered.wait(60.0)

        def compare() -> None:
            result.append(diff_live(older, client, progress=progress))

        worker = threading.Thread(target=compare)
        worker.start()
        try:
            wait_until(lambda: any(step.read >= 50_000 for step in steps), timeout_s=120.0)
            status = client.status()  # between two pages of the comparison
            assert status.pid == server.pid and status.counts["sessions"] == 100_000
            assert worker.is_alive() and not result
        finally:
            answered.set()
            worker.join(120.0)
        assert not worker.is_alive()
    found = result[0]
    assert found.to_json()["sessions"] == {
        "added": ["s99999"],
        "removed": [],
        "changed": ["s500"],
    }
    sessions = [step for step in steps if step.map == "sessions"]
    assert sessions[-1].read == sessions[-1].total == 100_000
    assert len(sessions) > 100  # a page at a time (1,000 entries each)
