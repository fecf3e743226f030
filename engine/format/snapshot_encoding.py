"""Writing a snapshot file, format version 1: the data's checksum and the file's gzip bytes.

A file is `gzip(JSON {"version":1,"timestamp":…,"checksum":…,"data":{…}})`, where checksum is
the MD5 of `JSON.stringify(data)`.
"""

from __future__ import annotations

import hashlib
import struct
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from isal import isal_zlib
from statesnap.engine.format.timestamps import format_timestamp

__all__ = [
    "FORMAT_VERSION",
    "GZIP_LEVEL",
    "EncodedSnapshot",
    "data_checksum",
    "encode_snapshot",
    "worker_pool",
]

FORMAT_VERSION = 1
GZIP_LEVEL = 1  # isal's levels run 0-3; 1 is within 2% of 2's size here, and faster


@dataclass(frozen=True)
class EncodedSnapshot:
    """A snapshot ready to write: the gzip file's bytes, in parts (joining them would copy
    the whole compressed file once more), and what it holds."""

    timestamp: str
    checksum: str
    data_json: bytes
    parts: tuple[bytes, ...]

    @property
    def payload(self) -> bytes:
        """The file's bytes in one piece."""
        return b"".join(self.parts)


def data_checksum(data_json: bytes | memoryview) -> str:
    """The checksum a file holds for these data bytes: their MD5, in lowercase hex."""
    return hashlib.md5(data_json, usedforsecurity=False).hexdigest()


_GZIP_MEMBER_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, mtime 0
_encode_pool: ThreadPoolExecutor | None = None
_encode_pool_lock = threading.Lock()


def worker_pool() -> ThreadPoolExecutor:
    """The threads that hash beside the caller (MD5 and CRC-32 release the GIL): two, made on
    first use, for the whole process."""
    global _encode_pool  # noqa: PLW0603 - one lazily created pool per process
    with _encode_pool_lock:
        if _encode_pool is None:
            _encode_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="statesnap-encode")
        return _encode_pool


def _raw_deflate(*parts: bytes, final: bool) -> tuple[bytes, ...]:
    compressor = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, -15)
    out = [compressor.compress(part) for part in parts]
    out.append(compressor.flush(isal_zlib.Z_FINISH if final else isal_zlib.Z_SYNC_FLUSH))
    return tuple(out)


def encode_snapshot(
    data_json: bytes, moment: datetime, *, checksum: str | None = None, parallel: bool = True
) -> EncodedSnapshot:
    """Encode serialized data as a v1 file taken at `moment`: one standard gzip member.

    The header holds the MD5 of the data, which is only known after a full pass; so the data
    is deflated on its own while MD5 and CRC-32 run in other threads (all three release the
    GIL), and the small deflated header, ending on a byte-aligned flush, goes in front.
    With `parallel` False everything runs in the calling thread (for a signal handler, which
    must not wait on other threads).
    """
    if parallel:
        pool = worker_pool()
        md5 = pool.submit(data_checksum, data_json) if checksum is None else None
        crc_future = pool.submit(isal_zlib.crc32, data_json)
        body = _raw_deflate(data_json, b"}", final=True)
        checksum = md5.result() if md5 is not None else checksum
        data_crc = crc_future.result()
    else:
        checksum = checksum or data_checksum(data_json)
        data_crc = isal_zlib.crc32(data_json)
        body = _raw_deflate(data_json, b"}", final=True)
    assert checksum is not None
    timestamp = format_timestamp(moment)
    header = (
        b'{"version":1,"timestamp":"'
        + timestamp.encode()
        + b'","checksum":"'
        + checksum.encode()
        + b'","data":'
    )
    body_crc = isal_zlib.crc32(b"}", data_crc)
    crc = isal_zlib.crc32_combine(isal_zlib.crc32(header), body_crc, len(data_json) + 1)
    size = (len(header) + len(data_json) + 1) & 0xFFFFFFFF
    parts = (
        _GZIP_MEMBER_HEADER,
        *_raw_deflate(header, final=False),
        *body,
        struct.pack("<II", crc & 0xFFFFFFFF, size),
    )
    return EncodedSnapshot(timestamp, checksum, data_json, parts)
