"""What changed from a snapshot to a running server's live state: "what changed since the last
save".

The live side is read through the control channel one map at a time, a page at a time (the
`entries` request, each page a short request that leaves the server free to answer others in
between), and each page goes straight into the map's diff (`MapDiffer`, the same comparison as
`diff_data`): the live state is never held whole. Pages follow the last key read, so a map that
changes while it is read neither skips nor repeats an entry. The caller sees progress after
every page and can stop the comparison between pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from statesnap.engine.control.records import EntryPage, MapSummary
from statesnap.engine.control.wire import MAX_PAGE
from statesnap.engine.format.diff import MapDiff, MapDiffer, SnapshotDiff, map_names
from statesnap.engine.format.map_entries import map_entries

__all__ = ["LiveDiffProgress", "LivePages", "diff_live", "live_label"]


class LivePages(Protocol):
    """Where the live state is read: a `ControlClient`, or the dashboard's attachment."""

    def maps(self) -> list[MapSummary]: ...

    def entries(
        self, map_name: str, offset: int, limit: int, *, after: str | None = None
    ) -> EntryPage: ...


@dataclass(frozen=True)
class LiveDiffProgress:
    """How far a comparison got: map `map` (the `index`-th of `maps`, from 1), `read` of its
    `total` live entries."""

    map: str
    index: int
    maps: int
    read: int
    total: int

    def words(self) -> str:
        """`reading sessions: 12,000/100,000 entries (map 3/19)`."""
        return (
            f"reading {self.map}: {self.read:,}/{self.total:,} entries"
            f" (map {self.index}/{self.maps})"
        )


def live_label(pid: int) -> str:
    """How the live side is named: `live (pid 4242)`."""
    return f"live (pid {pid})"


def _no_progress(progress: LiveDiffProgress) -> None:
    """The default progress callback: nothing to show."""


def _keep_going() -> bool:
    """The default cancellation check: never cancelled."""
    return True


def _diff_live_map(
    differ: MapDiffer,
    live: LivePages,
    page_size: int,
    report: Callable[[int, int], None],
    keep_going: Callable[[], bool],
) -> MapDiff | None:
    """One live map read page by page into `differ`; None if stopped."""
    read, after = 0, None
    while keep_going():
        page = live.entries(differ.name, read, page_size, after=after)
        differ.add(page.items)
        if page.items:
            after = page.items[-1][0]
        read = page.offset + len(page.items)
        report(read, page.total)
        if not page.items or read >= page.total:
            return differ.finish()
    return None


def diff_live(
    data: Mapping[str, Any],
    live: LivePages,
    *,
    page_size: int = MAX_PAGE,
    progress: Callable[[LiveDiffProgress], None] = _no_progress,
    keep_going: Callable[[], bool] = _keep_going,
) -> SnapshotDiff | None:
    """Compare a snapshot's `data` object (the older side) with the live state (the newer),
    map by map; None if `keep_going` said stop. Raises what `live` raises when the server
    refuses or cannot be reached."""
    live_maps = {summary.name: summary for summary in live.maps()}
    names = map_names(data, live_maps)
    diffs: list[MapDiff] = []
    for index, name in enumerate(names, 1):
        differ = MapDiffer(name, map_entries(data.get(name)))
        summary = live_maps.get(name)

        def report(read: int, total: int, name: str = name, index: int = index) -> None:
            progress(LiveDiffProgress(name, index, len(names), read, total))

        report(0, summary.count if summary is not None else 0)
        if summary is None:  # not in the live state: every entry was removed
            diffs.append(differ.finish())
            continue
        found = _diff_live_map(differ, live, page_size, report, keep_going)
        if found is None:
            return None
        diffs.append(found)
    return SnapshotDiff(tuple(diffs))
