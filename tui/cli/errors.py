"""The one exception a headless verb raises to fail: a message in one line, and an exit status."""

from __future__ import annotations

__all__ = ["CommandError"]


class CommandError(Exception):
    """A failure to report in one line, with the exit status to return."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
