"""The demo's own directory: the demo writes only where every snapshot file is one it wrote.

A ledger, `.statesnap-demo-files` in the directory (0600, one file name a line), names each
snapshot the demo has written there. Before it touches anything the demo checks the listing
against it: a directory holding any snapshot the ledger does not name (a real server's
state, files copied in) is refused, and nothing in it is changed. A directory with no
snapshot files is free to use.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from statesnap.engine.directory.files import list_snapshot_names

__all__ = ["LEDGER_NAME", "DemoLedger", "ForeignSnapshotsError", "check_demo_directory"]

LEDGER_NAME = ".statesnap-demo-files"
_MAX_LEDGER_BYTES = 16 << 20
_SHOWN = 3


class ForeignSnapshotsError(RuntimeError):
    """The directory holds snapshot files that the demo did not write."""

    def __init__(self, directory: Path, names: list[str]) -> None:
        shown = ", ".join(names[:_SHOWN]) + (
            f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
        )
        count = f"{len(names)} snapshot file{'s' if len(names) != 1 else ''}"
        super().__init__(
            f"{directory} holds {count} the demo did not write ({shown}); the demo only runs "
            "in a directory of its own: give it another --dir"
        )
        self.directory = directory
        self.names = names


def _ledger_names(directory: Path) -> set[str]:
    try:
        fd = os.open(Path(directory) / LEDGER_NAME, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return set()
    with os.fdopen(fd, "rb") as ledger:
        text = ledger.read(_MAX_LEDGER_BYTES).decode("utf-8", "replace")
    return {line for line in text.splitlines() if line}


def check_demo_directory(directory: Path) -> None:
    """Raise ForeignSnapshotsError if `directory` lists snapshots the demo did not write.
    Creates and changes nothing."""
    foreign = [
        name for name in list_snapshot_names(directory) if name not in _ledger_names(directory)
    ]
    if foreign:
        raise ForeignSnapshotsError(Path(directory), foreign)


class DemoLedger:
    """The ledger of one demo run: `start()` once the directory is claimed, `record` as the
    service's `on_save`."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    @property
    def path(self) -> Path:
        return self.directory / LEDGER_NAME

    def start(self) -> None:
        """Check the directory again (under its lock now), and drop the names of files that
        are gone, so the ledger stays as short as the listing."""
        check_demo_directory(self.directory)
        names = _ledger_names(self.directory) & set(list_snapshot_names(self.directory))
        temp = self.path.with_name(f"{LEDGER_NAME}.tmp-{os.getpid()}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as ledger:
                ledger.writelines(f"{name}\n" for name in sorted(names))
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise

    def record(self, path: Path) -> None:
        """Add a file the demo wrote."""
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(self.path, flags, 0o600)
        try:
            os.write(fd, f"{Path(path).name}\n".encode())
        finally:
            os.close(fd)
