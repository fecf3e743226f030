"""Copying an entry's JSON out of the dashboard: the terminal's clipboard, and a private file
whenever the clipboard cannot be known to have it.

The clipboard goes through OSC 52 (`App.copy_to_clipboard`), an escape sequence the terminal
may take or silently ignore: nothing comes back to say which. So the message says how the
text went, and unless the terminal is one known to take it, the text is also written to a
file only this user can read, and the message says where. Inside tmux, OSC 52 from a program
reaches the clipboard only with `set-clipboard on` (the default, `external`, drops it); GNU
screen drops it; macOS Terminal ignores it; most terminals cap its size (`OSC52_MAX_BYTES`).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from statesnap.tui.text.formatting import format_size
from statesnap.tui.text.safe_text import escape_controls
from textual.app import App

__all__ = ["OSC52_MAX_BYTES", "Osc52", "Osc52Route", "copy_text", "osc52_route", "save_text"]

OSC52_MAX_BYTES = 74_000
"""Largest text sent through OSC 52 (about 100 KB once base64-encoded)."""

_TAKING_TERM_PROGRAMS = frozenset({"WezTerm", "ghostty"})
_TAKING_TERMS = ("xterm-kitty", "alacritty", "foot", "xterm-ghostty", "wezterm")
_TAKING_MARKERS = ("KITTY_WINDOW_ID", "WT_SESSION")
"""Terminals that take OSC 52 by default: by $TERM_PROGRAM, by $TERM, by a variable they set
(kitty, Windows Terminal)."""
_NO_OSC52_TERM_PROGRAMS = frozenset({"Apple_Terminal"})
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_save_dir: Path | None = None


class Osc52(Enum):
    TAKEN = "taken"
    """The terminal (or tmux) is known to take it."""
    UNSURE = "unsure"
    """Sent, but the terminal may well ignore it."""
    REFUSED = "refused"
    """Not sent: it would not arrive."""


@dataclass(frozen=True)
class Osc52Route:
    """Where OSC 52 would take the text, and in words how, or why it would not arrive."""

    outcome: Osc52
    words: str


def _tmux_set_clipboard() -> str | None:
    """The running tmux's `set-clipboard` option (`on`, `external`, `off`), or None."""
    try:
        found = subprocess.run(
            ["tmux", "show-options", "-gv", "set-clipboard"],
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if found.returncode != 0:
        return None
    return found.stdout.strip() or None


def osc52_route(text: str, environ: Mapping[str, str]) -> Osc52Route:
    """Whether OSC 52 can put `text` on the clipboard of the terminal `environ` describes."""
    if len(text.encode("utf-8", "replace")) > OSC52_MAX_BYTES:
        return Osc52Route(Osc52.REFUSED, "too large for the terminal clipboard")
    if environ.get("TMUX"):
        setting = _tmux_set_clipboard()
        if setting == "on":
            return Osc52Route(Osc52.TAKEN, "by OSC 52 through tmux (set-clipboard on)")
        if setting is None:
            return Osc52Route(Osc52.UNSURE, "tmux's set-clipboard is unknown")
        return Osc52Route(
            Osc52.REFUSED,
            f"tmux drops OSC 52 with set-clipboard {setting}; tmux set -g set-clipboard on",
        )
    if environ.get("STY"):
        return Osc52Route(Osc52.REFUSED, "GNU screen drops OSC 52")
    program, term = environ.get("TERM_PROGRAM", ""), environ.get("TERM", "")
    if program in _NO_OSC52_TERM_PROGRAMS:
        return Osc52Route(Osc52.REFUSED, "this terminal does not support OSC 52 copying")
    if (
        program in _TAKING_TERM_PROGRAMS
        or term.startswith(_TAKING_TERMS)
        or any(environ.get(marker) for marker in _TAKING_MARKERS)
    ):
        return Osc52Route(Osc52.TAKEN, "by OSC 52")
    return Osc52Route(Osc52.UNSURE, "this terminal may ignore OSC 52")


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
    """Put `text` on the clipboard, and in a file unless the clipboard is known to take it;
    say how, and where."""
    size = format_size(len(text.encode("utf-8", "replace")))
    shown = escape_controls(label, keep_newlines=False)
    route = osc52_route(text, os.environ)
    if route.outcome is Osc52.TAKEN:
        app.copy_to_clipboard(text)
        return f"Copied {shown} ({size}) to the clipboard {route.words}. (w saves it to a file.)"
    path = save_text(text, label)
    if route.outcome is Osc52.UNSURE:
        app.copy_to_clipboard(text)
        return (
            f"Sent {shown} ({size}) to the clipboard by OSC 52, but {route.words}: saved to {path}"
        )
    return f"Not copied ({route.words}): saved {shown} ({size}) to {path}"
