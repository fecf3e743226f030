"""The data object's orjson bytes in parts of a few megabytes: map by map and, within a large
map, entries at a time. A save hands each part to its `DataEncoder` (which deflates and hashes
in another thread) while it serializes the next, so that the encoding runs beside the
serialization instead of after it.

The parts, joined, are exactly `orjson.dumps(data)`. Each is punctuation, a map's name (one
that is no array index), or cut from a value orjson printed whole (a batch of a map's entries,
brackets included), and `may_differ_from_javascript` scans those values: every place where
orjson and JavaScript may print differently lies within one of them, delimiters included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any, Final

from statesnap.engine.format import js_exactness
from statesnap.engine.format.js_writer import orjson_dumps

__all__ = ["SerializedParts", "serialize_in_parts"]

_PART_BYTES: Final = 4 << 20
_FIRST_BATCH: Final = 16
_SMALL_ENTRY_BYTES: Final = 256
"""Entries of a map smaller than this on average are not worth a dict per batch: such a map
is printed whole."""

Emit = Callable[[bytes | memoryview], None]


@dataclass(frozen=True)
class SerializedParts:
    """What `serialize_in_parts` printed: the texts (for the scans) and the size of the bytes
    handed on."""

    texts: tuple[bytes, ...]
    size: int

    def may_differ_from_javascript(self) -> bool:
        """Whether the bytes handed on may differ from what JavaScript prints for the data."""
        return any(js_exactness.may_differ_from_javascript(text) for text in self.texts)


class _Refused(Exception):
    """orjson refuses part of the data (non-string keys, integers beyond 2^53, deep nesting),
    or a map's name is an array index (JavaScript would list it first)."""


class _Printer:
    """Hands bytes on, noting the texts orjson printed (punctuation and names are not noted:
    a name is checked before it is printed)."""

    def __init__(self, emit: Emit) -> None:
        self._emit = emit
        self.texts: list[bytes] = []
        self.size = 0

    def glue(self, part: bytes) -> None:
        self._hand_on(part)

    def value(self, text: bytes) -> None:
        self.texts.append(text)
        self._hand_on(text)

    def inner(self, text: bytes, *, after_another: bool) -> None:
        """A container's text without its brackets, after a comma if another batch of the
        same container went before."""
        self.texts.append(text)
        if after_another:
            self._hand_on(b",")
        self._hand_on(memoryview(text)[1:-1])

    def _hand_on(self, part: bytes | memoryview) -> None:
        self.size += len(part)
        self._emit(part)


def _printed(value: Any) -> bytes:
    text = orjson_dumps(value)
    if text is None:
        raise _Refused
    return text


def _print_map(printer: _Printer, value: dict[Any, Any] | list[Any]) -> None:
    """A non-empty map: its entries a batch at a time, each batch about _PART_BYTES once
    printed (sized by the batches before); a dict of small entries all at once (a dict per
    batch would cost more than the batches save)."""
    is_list = isinstance(value, list)
    printer.glue(b"[" if is_list else b"{")
    items = iter(() if isinstance(value, list) else value.items())
    done, size = 0, _FIRST_BATCH
    while done < len(value):
        batch = value[done : done + size] if isinstance(value, list) else dict(islice(items, size))
        text = _printed(batch)
        small_entries = len(text) < _SMALL_ENTRY_BYTES * len(batch)
        if not done and not is_list and small_entries and len(batch) < len(value):
            printer.inner(_printed(value), after_another=False)
            break
        printer.inner(text, after_another=done > 0)
        done += len(batch)
        size = max(1, _PART_BYTES * len(batch) // len(text))
    printer.glue(b"]" if is_list else b"}")


def serialize_in_parts(data: dict[str, Any], emit: Emit) -> SerializedParts | None:
    """Print `data` with orjson, handing the bytes to `emit` part by part, in order; None (some
    parts may have been handed on) where orjson refuses it or a map's name is an array index:
    the exact encoder must print it."""
    printer = _Printer(emit)
    try:
        opening = b"{"
        for name, value in data.items():
            if not isinstance(name, str) or js_exactness.is_array_index(name):
                return None
            printer.glue(opening + _printed(name) + b":")
            if isinstance(value, dict | list) and value:
                _print_map(printer, value)
            else:
                printer.value(_printed(value))
            opening = b","
        printer.glue(b"}" if data else b"{}")
    except _Refused:
        return None
    return SerializedParts(tuple(printer.texts), printer.size)
