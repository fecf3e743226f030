"""The snapshot files a read-only verb names: a path or a name in the directory, read with its
data (a file that is not valid is read with a warning, or refused), or verified in bulk (a file
whose exact bytes were judged before by a hash of them, from the user's verdict store)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from statesnap.engine import SnapshotRead, list_snapshot_names, read_snapshot
from statesnap.engine.catalog.content_verdicts import verdict_of
from statesnap.engine.catalog.verdict_store import VerdictStore
from statesnap.tui.cli.errors import CommandError
from statesnap.tui.cli.output import Progress, warn
from statesnap.tui.text.escaping import escape_controls

__all__ = ["locate", "read_data", "require_dir", "snapshot_paths", "verify_all"]


def _lexists(path: Path, looking_in: Path) -> bool:
    """Whether there is a file (or link) at `path`; a directory that cannot be searched is an
    error that says so, not a file that is missing."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except PermissionError as exc:
        raise CommandError(f"cannot look in {looking_in}: {exc.strerror}") from None
    return True


def locate(spec: str, directory: Path) -> Path:
    """A read-only verb's FILE: a path, or a snapshot name in the directory."""
    as_path = Path(spec)
    here = _lexists(as_path, as_path.parent)
    if os.sep in spec or here:
        if not here:
            raise CommandError(f"no such file: {escape_controls(spec)}")
        return as_path
    in_dir = directory / spec
    if _lexists(in_dir, directory):
        return in_dir
    raise CommandError(
        f"no such snapshot: {escape_controls(spec)} (not a file, nor a name in {directory})"
    )


def read_data(spec: str, args: argparse.Namespace, *, salvage: bool = True) -> SnapshotRead:
    """A read-only verb's file, with its data object. A file that is not valid but whose data
    can be read (a checksum mismatch, another version, a field missing) is read all the same,
    with a warning naming the verdict, unless `salvage` is False; then it is refused."""
    path = locate(spec, args.dir)
    found = read_snapshot(path, max_bytes=args.max_bytes)
    if (problem := found.unreadable_reason) is not None:
        raise CommandError(escape_controls(f"{path.name}: {problem}", keep_newlines=False))
    if not found.is_valid:
        if not salvage:
            refusal = f"{path.name}: {found.summary}; --salvage exports its data anyway"
            raise CommandError(escape_controls(refusal, keep_newlines=False))
        warn(f"{path.name}: {found.summary}; read-only: this file would not be restored")
    return found


def verify_all(paths: Sequence[Path], max_bytes: int, *, full: bool = False) -> list[SnapshotRead]:
    """The verdict on each file (without its data), in order, with progress on stderr: the one
    recorded for its exact bytes, else (and always with `full`) judged in full and recorded."""
    results: list[SnapshotRead] = []
    store = VerdictStore()
    # hashing, gunzip and MD5 release the GIL; two workers keep both cores busy.
    with ThreadPoolExecutor(max_workers=2) as pool, Progress() as progress:
        progress.show(f"verifying 0/{len(paths)} files…")
        for found in pool.map(
            lambda path: verdict_of(path, max_bytes=max_bytes, store=store, trust=not full), paths
        ):
            results.append(found)
            progress.show(f"verifying {len(results)}/{len(paths)} files…")
    return results


def require_dir(directory: Path) -> None:
    """Refuse a snapshot directory that is missing, a symbolic link, or not a directory."""
    if not directory.exists():
        raise CommandError(f"no snapshot directory at {directory}")
    if directory.is_symlink():
        raise CommandError(f"refusing a symbolic link as snapshot directory: {directory}")
    if not directory.is_dir():
        raise CommandError(f"not a directory: {directory}")


def snapshot_paths(directory: Path) -> list[Path]:
    """Every snapshot file in the directory, newest first; the directory must be there."""
    require_dir(directory)
    try:
        names = list_snapshot_names(directory)
    except PermissionError as exc:
        raise CommandError(f"cannot look in {directory}: {exc.strerror}") from None
    return [directory / name for name in names]
