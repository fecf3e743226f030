"""Decompressing a snapshot file as Node's gunzip (zlib) does, at isal's speed.

Node decompresses every gzip member and stops at a zero byte after a member. isal reads the
same streams well over one and a half times as fast, but is laxer than zlib on a few malformed
ones (it ignores reserved header flags, for one). So `gunzip_fast` takes the bytes from isal,
and `zlib_disagrees` runs the same walk with zlib, streaming and keeping nothing, for the
caller to run in another thread (zlib releases the GIL) beside the parse: where zlib would
reject the file or read other bytes, zlib's reading stands. Where isal rejects a file, zlib
reads it again, so every rejection says what zlib says.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any, Final, Protocol, cast

from isal import isal_zlib

__all__ = ["GzipRejected", "gunzip_fast", "gunzip_zlib", "zlib_disagrees"]

_LATER_MEMBER_CHUNK: Final = 1 << 12
_LARGEST_CHUNK: Final = 1 << 22
_CHECK_CHUNK: Final = 1 << 20
"""Input given to zlib per call when only checking: its output stays small."""


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
    keep: bool,
    describe: Callable[[int, Exception], str],
) -> tuple[list[bytes], int]:
    """Decompress every member as Node does; the output (if `keep`) and its size.

    Kept, the first member gets the whole input in one call (one output object, no joining).
    Later members (and every member when not kept) get chunks that start small and grow, so
    what a member leaves unread (which the decompressor copies) stays small: a file of many
    tiny members costs linear time, not quadratic.
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
        chunk_size = len(raw) if start == 0 and keep else _LATER_MEMBER_CHUNK
        largest = _LARGEST_CHUNK if keep else _CHECK_CHUNK
        while not decoder.eof:
            chunk = view[position : position + chunk_size]
            if not chunk:
                raise GzipRejected("truncated gzip data (unexpected end of file)")
            try:
                out = decoder.decompress(chunk, max_bytes + 1 - size)
            except error as exc:
                raise GzipRejected(describe(start, exc)) from None
            if keep:
                members.append(out)
            position += len(chunk)
            chunk_size = min(chunk_size * 2, largest)
            size += len(out)
            if size > max_bytes:
                raise GzipRejected("decompresses to more than the limit", too_large=True)
        start = position - len(decoder.unused_data)
        if start >= len(raw) or raw[start] == 0:
            return members, size


def _zlib_walk(raw: bytes, max_bytes: int, *, keep: bool) -> tuple[list[bytes], int]:
    def describe(member_start: int, exc: Exception) -> str:
        if raw[member_start : member_start + 2] == b"\x1f\x8b":
            return f"damaged gzip data ({exc})"
        return "not gzip data" if member_start == 0 else "trailing data after the gzip stream"

    return _walk(
        raw, max_bytes, lambda: zlib.decompressobj(31), zlib.error, keep=keep, describe=describe
    )


def _joined(members: list[bytes]) -> bytes:
    return members[0] if len(members) == 1 else b"".join(members)


def gunzip_zlib(raw: bytes, max_bytes: int) -> bytes:
    """The bytes Node's gunzip gives, read by zlib as Node does; GzipRejected as it rejects."""
    return _joined(_zlib_walk(raw, max_bytes, keep=True)[0])


def gunzip_fast(raw: bytes, max_bytes: int) -> bytes:
    """The bytes isal reads (to be confirmed by `zlib_disagrees`); where isal rejects the
    file, zlib's reading of it (or zlib's rejection)."""
    try:
        members, _ = _walk(
            raw,
            max_bytes,
            lambda: isal_zlib.decompressobj(31),
            cast(type[Exception], isal_zlib.error),  # typed as an instance in isal's stubs
            keep=True,
            describe=lambda _start, exc: str(exc),
        )
    except GzipRejected:
        return gunzip_zlib(raw, max_bytes)
    return _joined(members)


def zlib_disagrees(raw: bytes, max_bytes: int, size: int) -> bytes | None:
    """None if zlib reads `raw` to `size` bytes as isal did; else zlib's own reading (which
    may be a GzipRejected). Streams: keeps no more than a few chunks of output."""
    _, zlib_size = _zlib_walk(raw, max_bytes, keep=False)
    return None if zlib_size == size else gunzip_zlib(raw, max_bytes)
