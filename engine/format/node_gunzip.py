"""Decompressing a snapshot file as Node's gunzip (zlib) does, or at isal's speed.

Node decompresses every gzip member and stops at a zero byte after a member. `gunzip_zlib`
reads a file exactly so, rejections and their reasons included. isal reads the same streams
well over one and a half times as fast but is laxer than zlib on a few malformed ones (it
ignores reserved header flags, for one), so `gunzip_fast` is for bytes already read by zlib and
found valid (a file judged before, known by its content hash); where isal rejects a file, zlib
reads it again, so every rejection says what zlib says.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any, Final, Protocol, cast

from isal import isal_zlib

__all__ = ["GzipRejected", "gunzip_fast", "gunzip_zlib"]

_LATER_MEMBER_CHUNK: Final = 1 << 12
_LARGEST_CHUNK: Final = 1 << 22


class GzipRejected(Exception):
    """Not gzip data that Node reads: `too_large` (more than the limit) or corrupt."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large


class _Decompressor(Protocol):
    @property
    def eof(self) -> bool: ...

    @property
    def unused_data(self) -> bytes: ...

    def decompress(self, data: Any, max_length: int = ...) -> bytes: ...


def _walk(
    raw: bytes,
    max_bytes: int,
    new_decompressor: Callable[[], _Decompressor],
    error: type[Exception],
    *,
    describe: Callable[[int, Exception], str],
) -> list[bytes]:
    """Decompress every member as Node does; the output, a part at a time.

    The first member gets the whole input in one call (one output object, no joining). Later
    members get chunks that start small and grow, so what a member leaves unread (which the
    decompressor copies) stays small: a file of many tiny members costs linear time, not
    quadratic.
    """
    if not raw:
        raise GzipRejected("empty file")
    view = memoryview(raw)
    members: list[bytes] = []
    size = 0
    start = 0
    while True:
        decoder = new_decompressor()
        position = start
        chunk_size = len(raw) if start == 0 else _LATER_MEMBER_CHUNK
        while not decoder.eof:
            chunk = view[position : position + chunk_size]
            if not chunk:
                raise GzipRejected("truncated gzip data (unexpected end of file)")
            try:
                out = decoder.decompress(chunk, max_bytes + 1 - size)
            except error as exc:
                raise GzipRejected(describe(start, exc)) from None
            members.append(out)
            position += len(chunk)
            chunk_size = min(chunk_size * 2, _LARGEST_CHUNK)
            size += len(out)
            if size > max_bytes:
                raise GzipRejected("decompresses to more than the limit", too_large=True)
        start = position - len(decoder.unused_data)
        if start >= len(raw) or raw[start] == 0:
            return members


def _zlib_walk(raw: bytes, max_bytes: int) -> list[bytes]:
    def describe(member_start: int, exc: Exception) -> str:
        if raw[member_start : member_start + 2] == b"\x1f\x8b":
            return f"damaged gzip data ({exc})"
        return "not gzip data" if member_start == 0 else "trailing data after the gzip stream"

    return _walk(raw, max_bytes, lambda: zlib.decompressobj(31), zlib.error, describe=describe)


def _joined(members: list[bytes]) -> bytes:
    return members[0] if len(members) == 1 else b"".join(members)


def gunzip_zlib(raw: bytes, max_bytes: int) -> bytes:
    """The bytes Node's gunzip gives, read by zlib as Node does; GzipRejected as it rejects."""
    return _joined(_zlib_walk(raw, max_bytes))


def gunzip_fast(raw: bytes, max_bytes: int) -> bytes:
    """The bytes isal reads; where isal rejects the file, zlib's reading of it (or zlib's
    rejection). For bytes zlib read before and found valid: isal reads those the same."""
    try:
        members = _walk(
            raw,
            max_bytes,
            lambda: isal_zlib.decompressobj(31),
            cast(type[Exception], isal_zlib.error),  # typed as an instance in isal's stubs
            describe=lambda _start, exc: str(exc),
        )
    except GzipRejected:
        return gunzip_zlib(raw, max_bytes)
    return _joined(members)
