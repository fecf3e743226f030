"""What the headless verbs print, made safe: one-line text with anything that came from a file
escaped, JSON for --json (escaped the same way, still the same JSON value), warnings, and a
progress line on stderr only when it is a terminal."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

import orjson
from statesnap.engine import js_dumps
from statesnap.tui.text.escaping import escape_controls, escape_json_for_terminal

__all__ = ["Progress", "json_text", "print_json", "say", "warn"]


def say(text: str = "") -> None:
    """One line of output: anything in it that came from a file cannot break the line, move
    the cursor or restyle the terminal."""
    sys.stdout.write(escape_controls(text, keep_newlines=False) + "\n")


def json_text(value: Any) -> str:
    """Indented JSON where orjson can print the value (else JavaScript's compact form), with
    what a terminal would act on escaped: the same JSON value either way."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except TypeError:  # deep nesting, lone surrogates, integers beyond 2^53, odd keys
        text = js_dumps(value).decode("utf-8", "surrogatepass")
    return escape_json_for_terminal(text)


def print_json(value: Any) -> None:
    """`value` as JSON on stdout (see `json_text`)."""
    sys.stdout.write(json_text(value) + "\n")


def warn(text: str) -> None:
    """One line on stderr, with anything from a file in it made harmless."""
    sys.stderr.write(f"statesnap: warning: {escape_controls(text, keep_newlines=False)}\n")


class Progress:
    """One line of progress on stderr (`verifying 3/12 files…`), rewritten in place and
    cleared at the end; only when stderr is a terminal, so pipes and logs never see it."""

    def __init__(self) -> None:
        self._enabled = sys.stderr.isatty()

    def show(self, text: str) -> None:
        if self._enabled:
            sys.stderr.write(f"\r{text}\x1b[K")
            sys.stderr.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
