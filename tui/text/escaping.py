"""Untrusted text made safe to print: control, C1 and bidi characters become visible escapes.

Everything read from a snapshot (names, keys, values, reasons) passes through here before it
reaches a terminal, in the dashboard and in the command's human-readable output. Plain strings
only, no Rich: the headless verbs load it without the dashboard's text machinery.
"""

from __future__ import annotations

import re

__all__ = ["escape_controls", "escape_json_for_terminal"]

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\x1b": "\\x1b", "\r": "\\r", "\x00": "\\0"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def escape_controls(text: str, *, keep_newlines: bool = True) -> str:
    """`text` with every character that could move the cursor, restyle the terminal or reorder
    what is shown replaced by a visible escape (`\\x1b`, `\\u202e`). Tabs and, unless told
    otherwise, newlines stay."""
    escaped = _UNSAFE.sub(_visible, text)
    if not keep_newlines:
        escaped = escaped.replace("\n", "\\n").replace("\t", "\\t")
    return escaped


_UNSAFE_IN_JSON = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def escape_json_for_terminal(json_text: str) -> str:
    """JSON text with the characters JSON leaves raw but a terminal acts on (DEL, C1 controls,
    bidi controls, line separators, lone surrogates) written as `\\uXXXX`: the same JSON value,
    safe to print. (JSON already escapes everything below U+0020 inside strings.)"""
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", json_text)
