"""`statesnap export` and `import`: a snapshot's data object out as plain JSON, and JSON in as a
new snapshot file (which deletes nothing)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from statesnap.engine import (
    DATA_KEYS,
    JSONInputError,
    SnapshotDirError,
    ensure_snapshot_dir,
    find_server,
    js_dumps,
    js_loads,
    write_snapshot_file,
)
from statesnap.engine.format.schema import ImportShapeError, check_import_shape, empty_map
from statesnap.tui.cli.errors import CommandError
from statesnap.tui.cli.output import say
from statesnap.tui.cli.snapshot_files import read_data
from statesnap.tui.text.escaping import escape_controls, escape_json_for_terminal
from statesnap.tui.text.formatting import format_size

__all__ = ["export", "import_data"]

_log = logging.getLogger(__name__)


def _write_new_file(path: Path, payload: bytes, *, force: bool) -> None:
    """Write `payload` to `path` atomically; an existing file is replaced only with `force`."""
    if os.path.lexists(path) and not force:
        raise CommandError(f"{path} exists (use --force to replace it)")
    temp = path.with_name(f".{path.name}.statesnap-tmp-{os.getpid()}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError as exc:  # named by the user's path: the temp file is ours to hide
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None


def export(args: argparse.Namespace) -> int:
    found = read_data(args.file, args, salvage=args.salvage)
    payload = js_dumps(found.data)
    if args.output is None and sys.stdout.isatty():
        text = escape_json_for_terminal(payload.decode("utf-8", "surrogatepass"))
        sys.stdout.write(text + "\n")
    elif args.output is None:
        sys.stdout.buffer.write(payload + b"\n")  # exactly the canonical bytes, for pipes
        sys.stdout.flush()
    else:
        _write_new_file(args.output, payload, force=args.force)
        print(f"wrote {args.output} ({format_size(len(payload))})", file=sys.stderr)
    return 0


def _check_import_shape(data: Any) -> None:
    """Raise CommandError naming the first known key whose value has the wrong shape."""
    try:
        check_import_shape(data)
    except ImportShapeError as exc:
        raise CommandError(escape_controls(str(exc))) from None


def _check_known_maps(data: dict[str, Any], allow_unknown: bool) -> None:
    """Refuse (or, when allowed, warn about) input that holds none of the known maps: most
    likely not a snapshot's data, and once imported it would be the state the server loads."""
    if any(name in data for name in DATA_KEYS):
        return
    keys = [escape_controls(key, keep_newlines=False) for key in data]
    shown = ", ".join(keys[:5]) + (f", … ({len(keys)} keys)" if len(keys) > 5 else "")
    found = f"its keys: {shown}" if keys else "it is empty"
    problem = f"the input holds none of the {len(DATA_KEYS)} maps of a snapshot ({found})"
    if not allow_unknown:
        raise CommandError(f"{problem}; --allow-unknown imports it anyway")
    _log.warning("%s; importing it as --allow-unknown asks", problem)


def _read_import_source(source: str, max_bytes: int) -> bytes:
    if source == "-":
        raw = sys.stdin.buffer.read(max_bytes + 1)
    else:
        try:
            with open(source, "rb") as handle:
                raw = handle.read(max_bytes + 1)
        except FileNotFoundError:
            raise CommandError(f"no such file: {escape_controls(source)}") from None
        except IsADirectoryError:
            raise CommandError(f"is a directory: {escape_controls(source)}") from None
    if len(raw) > max_bytes:
        raise CommandError(f"input is larger than {format_size(max_bytes)} (see --max-bytes)")
    return raw


def import_data(args: argparse.Namespace) -> int:
    raw = _read_import_source(args.source, args.max_bytes)
    if raw.startswith(b"\x1f\x8b"):
        what = "the input" if args.source == "-" else escape_controls(args.source)
        raise CommandError(
            f"{what} is gzip data (a snapshot file?), not JSON; to import a snapshot's data:"
            " statesnap export FILE | statesnap import -"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommandError(f"input is not UTF-8 (byte {exc.start})") from None
    try:
        data = js_loads(text)
    except JSONInputError as exc:
        raise CommandError(f"input is not valid JSON: {exc}") from None
    _check_import_shape(data)
    _check_known_maps(data, args.allow_unknown)
    complete = dict(data)
    for name in DATA_KEYS:
        complete.setdefault(name, empty_map(name))
    try:
        ensure_snapshot_dir(args.dir)
        path, encoded = write_snapshot_file(args.dir, js_dumps(complete))
    except SnapshotDirError as exc:
        raise CommandError(f"{exc.strerror}: {exc.filename}") from None
    say(f"wrote {path} (checksum {encoded.checksum}); deleted nothing")
    server = find_server(args.dir)
    if server is not None:
        say(
            f"note: the server (pid {server.pid}) serving {args.dir} keeps its own state and "
            "saves newer files; it loads this one only if restarted before its next save"
        )
    return 0
