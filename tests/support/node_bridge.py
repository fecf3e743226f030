"""The referee for compatibility tests: a long-running Node.js process that answers what
JavaScript makes of JSON bytes, the original backend's own file check (js_verify.mjs), and the
files the original wrote."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
JS_VERIFY = TESTS / "js_verify.mjs"
FIXTURES = TESTS / "fixtures" / "actionflows-ts"
# The team's shared fixtures beside the checkout, when they are there: more cases, never required.
SHARED_FIXTURES = TESTS.parents[1] / "shared" / "fixtures" / "actionflows-ts"

_STRINGIFY_LOOP = r"""
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let out;
  try {
    const text = Buffer.from(line, 'base64').toString('utf8');
    const json = JSON.stringify(JSON.parse(text));
    out = { ok: true, json: Buffer.from(json, 'utf8').toString('base64') };
  } catch (e) {
    out = { ok: false, error: String(e && e.message) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
});
"""


def fixture_files(pattern: str) -> list[Path]:
    """The original's files matching `pattern` (a glob under actionflows-ts/, e.g.
    `basic/*.json.gz`): the repository's copies, and those only the shared fixtures have. A
    file both hold (same folder and name) comes once, from the repository."""
    found: dict[Path, Path] = {}
    for root in (SHARED_FIXTURES, FIXTURES):
        for path in root.glob(pattern):
            if path.is_file():
                found[path.relative_to(root)] = path
    return [found[relative] for relative in sorted(found)]


def node_path() -> str:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(
            "Node.js is required for the compatibility tests (scripts/setup installs it)"
        )
    return node


class NodeStringify:
    """`JSON.stringify(JSON.parse(bytes))` in a real Node process; None where JSON.parse throws."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [node_path(), "-e", _STRINGIFY_LOOP],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, raw: bytes) -> bytes | None:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(base64.b64encode(raw).decode() + "\n")
        self._proc.stdin.flush()
        answer = json.loads(self._proc.stdout.readline())
        return base64.b64decode(answer["json"]) if answer["ok"] else None

    def close(self) -> None:
        self._proc.kill()
        self._proc.wait()


def js_verify(*paths: Path) -> list[bool]:
    """The original's verdict on each file (True: it loads). js_verify.mjs dies without a
    verdict on input `JSON.stringify` overflows on (deep nesting): that file does not load."""
    verdicts: list[bool] = []
    pending = [str(path) for path in paths]
    while pending:
        proc = subprocess.run(
            [node_path(), str(JS_VERIFY), *pending], capture_output=True, text=True, check=False
        )
        lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        verdicts += [bool(line["ok"]) for line in lines]
        pending = pending[len(lines) :]
        if pending:
            verdicts.append(False)
            pending = pending[1:]
    return verdicts
