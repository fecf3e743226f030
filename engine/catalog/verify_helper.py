"""The helper process that judges one large snapshot file for the catalog, and its output.

Run as `python -m statesnap.engine.catalog.verify_helper PATH MAX_BYTES`: it prints the
verdict of `read_snapshot(PATH, keep_data=False)` as one line of JSON, then the SHA-256 of the
bytes it judged (hex; empty if it read none), which `helper_output` turns back into the
verdict and the hash (the catalog records the verdict under it). A parse holds the GIL for a
second at a time on a large file; done here, it holds this process's, and its memory goes
back to the system when the process ends.
"""

from __future__ import annotations

import sys
from pathlib import Path

from statesnap.engine.catalog.content_verdicts import judge
from statesnap.engine.catalog.verdict_codec import verdict_from_json, verdict_json
from statesnap.engine.format.snapshot_reading import SnapshotRead

__all__ = ["HELPER_MODULE", "helper_command", "helper_output", "main"]

HELPER_MODULE = "statesnap.engine.catalog.verify_helper"
"""This module, as `python -m` runs it."""
DIGEST_BYTES = 32


def helper_command(path: Path, max_bytes: int) -> list[str]:
    """The command line that runs the helper on `path` with this interpreter."""
    return [sys.executable, "-m", HELPER_MODULE, str(path), str(max_bytes)]


def helper_output(path: Path, output: bytes) -> tuple[SnapshotRead, bytes | None]:
    """The verdict the helper printed for `path`, and the hash of the bytes it judged;
    ValueError, KeyError or TypeError if the output is not that."""
    verdict, _, digest_hex = output.partition(b"\n")
    digest = bytes.fromhex(digest_hex.decode("ascii"))
    if digest and len(digest) != DIGEST_BYTES:
        raise ValueError("not a SHA-256 hash")
    return verdict_from_json(path, verdict), digest or None


def main(argv: list[str]) -> None:
    """The helper process: `argv` is PATH MAX_BYTES; stdout gets the verdict and the hash."""
    path, max_bytes = Path(argv[0]), int(argv[1])
    found, digest, _ = judge(path, max_bytes=max_bytes, keep_data=False)
    sys.stdout.buffer.write(verdict_json(found) + b"\n" + (digest or b"").hex().encode())


if __name__ == "__main__":
    main(sys.argv[1:])
