"""Whether the dashboard can run here: it draws on a terminal and reads its keys from one."""

from __future__ import annotations

import sys
from typing import TextIO

from statesnap.tui.cli.errors import CommandError

__all__ = ["NO_TERMINAL", "require_terminal"]

NO_TERMINAL = "the dashboard needs a terminal; try statesnap list"


def _is_terminal(stream: TextIO | None) -> bool:
    return stream is not None and stream.isatty()


def require_terminal() -> None:
    """Raise a usage error (exit status 2) unless stdin and stdout are both terminals.

    Textual's driver would otherwise draw into the pipe or file, and spin waiting for keys
    that never come. These are the streams the driver uses (`sys.__stdin__`, `__stdout__`).
    """
    if not (_is_terminal(sys.__stdin__) and _is_terminal(sys.__stdout__)):
        raise CommandError(NO_TERMINAL, exit_code=2)
