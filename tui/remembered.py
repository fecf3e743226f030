"""Where the dashboard was left, per snapshot directory: the selected snapshot file, pin or
live state, and the map, entry and filter open in the browser; read when the dashboard starts,
written when it is left.

One small JSON file in the user's state directory (`$XDG_STATE_HOME/statesnap/`, else
`~/.local/state/statesnap/`; never in the snapshot directory), the folder 0700 and the file
0600, keyed by each directory's real path, holding at most `MAX_DIRECTORIES` of them (the
longest unvisited go), written whole to a temp file then renamed over the old one. A file
that cannot be read or makes no sense counts as empty.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

__all__ = [
    "MAX_DIRECTORIES",
    "Position",
    "load_position",
    "position_file",
    "save_position",
]

MAX_DIRECTORIES = 100
_MAX_TEXT = 4096
"""Longest name, key or filter remembered (a longer one is not: the file stays small)."""
KINDS = ("file", "pin", "live")


@dataclass(frozen=True)
class Position:
    """Where the user was: `kind` `file` (`name` a listed file's), `pin` (`name` the pin's)
    or `live`; then, if the browser was open, its `map`, the selected `entry` (its row's
    label) and the `filter`."""

    kind: str
    name: str | None = None
    map: str | None = None
    entry: str | None = None
    filter: str = ""


def position_file() -> Path:
    """`$XDG_STATE_HOME/statesnap/positions.json`, else under `~/.local/state`."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "statesnap" / "positions.json"


def _key(directory: Path) -> str:
    return os.path.realpath(directory)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and len(value) <= _MAX_TEXT else None


def _position(raw: Any) -> Position | None:
    if not isinstance(raw, dict) or raw.get("kind") not in KINDS:
        return None
    return Position(
        raw["kind"],
        _text(raw.get("name")),
        _text(raw.get("map")),
        _text(raw.get("entry")),
        _text(raw.get("filter")) or "",
    )


def _read_all(path: Path) -> dict[str, Any]:
    try:
        found = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return found if isinstance(found, dict) else {}


def load_position(directory: Path) -> Position | None:
    """Where the dashboard on `directory` was left; None if nowhere (or not readable)."""
    entry = _read_all(position_file()).get(_key(directory))
    return _position(entry.get("position")) if isinstance(entry, dict) else None


def save_position(directory: Path, position: Position) -> None:
    """Remember `position` for `directory` (OSError if the state directory cannot be
    written)."""
    path = position_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    kept = {
        key: value
        for key, value in _read_all(path).items()
        if isinstance(value, dict) and isinstance(value.get("at"), int | float)
    }
    fields = {key: value for key, value in asdict(position).items() if _text(value) is not None}
    kept[_key(directory)] = {"at": time.time(), "position": fields}
    newest = sorted(kept.items(), key=lambda item: item[1]["at"], reverse=True)
    _write_atomically(path, orjson.dumps(dict(newest[:MAX_DIRECTORIES])))


def _write_atomically(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as file:
        os.fchmod(fd, 0o600)
        file.write(data)
        file.flush()
        os.fsync(fd)
    try:
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
