"""Copying an entry's JSON out of the dashboard: the terminal's clipboard, else a private file.

The clipboard goes through OSC 52 (`App.copy_to_clipboard`). Some terminals ignore it (macOS
Terminal) and most cap its size, so past `OSC52_MAX_BYTES`, or on a terminal known not to
take it, the text is written to a file only this user can read, and the message says where.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from textual.app import App

from tui.formatting import format_size
from tui.safe_text import escape_controls

__all__ = ["OSC52_MAX_BYTES", "copy_text", "save_text"]

OSC52_MAX_BYTES = 74_000
"""Largest text sent through OSC 52 (about 100 KB once base64-encoded)."""

_NO_OSC52_TERMINALS = {"Apple_Terminal"}
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_save_dir: Path | None = None


def _osc52_problem(text: str) -> str | None:
    if os.environ.get("TERM_PROGRAM") in _NO_OSC52_TERMINALS:
        return "this terminal does not support OSC 52 copying"
    if len(text.encode("utf-8", "replace")) > OSC52_MAX_BYTES:
        return "too large for the terminal clipboard"
    return None


def save_text(text: str, label: str) -> Path:
    """Write `text` to a new file in a private (0700) temp directory; return its path."""
    global _save_dir  # noqa: PLW0603 - one directory per process, made on first use
    if _save_dir is None or not _save_dir.is_dir():
        _save_dir = Path(tempfile.mkdtemp(prefix="statesnap-"))
    stem = _UNSAFE_FILE_CHARS.sub("_", label).strip("_")[:80] or "entry"
    fd, name = tempfile.mkstemp(prefix=f"{stem}-", suffix=".json", dir=_save_dir)
    with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
        handle.write(text)
    return Path(name)


def copy_text(app: App[object], text: str, label: str) -> str:
    """Put `text` on the clipboard, or in a file when OSC 52 cannot take it; say which."""
    size = format_size(len(text.encode("utf-8", "replace")))
    shown = escape_controls(label, keep_newlines=False)
    problem = _osc52_problem(text)
    if problem is None:
        app.copy_to_clipboard(text)
        return f"Copied {shown} ({size}) to the clipboard. (w saves it to a file instead.)"
    path = save_text(text, label)
    return f"Not copied ({problem}): saved {shown} ({size}) to {path}"
