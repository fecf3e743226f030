"""Files written the way the original backend writes them (Node's JSON.stringify, MD5, gzip),
holding the values that trip Python up: statesnap must call them valid, restore them, and
write them back with the same checksum."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from statesnap.engine import MemoryStorage, SnapshotService, js_dumps, read_snapshot
from statesnap.engine.format.snapshot_encoding import data_checksum

from tests.support.node_bridge import js_verify, node_path

# The original's save, in Node: JSON.stringify(data) -> md5 -> stringify the document -> gzip.
ORIGINAL_WRITER = r"""
const { createHash } = require('node:crypto');
const { gzipSync } = require('node:zlib');
const { writeFileSync } = require('node:fs');
const dir = process.argv[1];
const nest = (depth, leaf) => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = { k: [v] };
  return v;
};
const cases = {
  numbers: { frequencies: { a: 1e21, b: 1e-7, c: 0.1 + 0.2, d: -0, e: 5e-324, f: 2 ** 53 + 2,
    g: 1.7976931348623157e308, h: 123456789012345680000, i: 1e-6, j: -1.5e-10, k: 100 } },
  keys: { dossiers: { b: 1, 10: 'ten', 2: 'two', '01': 'zero-one', '-1': 'minus', 4294967294: 'max',
    4294967295: 'over', '': 'empty', __proto__x: 1 } },
  text: { inputQueue: { s: ['\u2028\u2029', '\ud800', 'a\udfffb', '😀 é 日本', '\x00\x1f\x7f',
    '"\\/\b\f\n\r\t', '[bold]x[/] \x1b[31mred\x1b[0m \u202eevil'] } },
  deep: { patterns: { deep: nest(1000, 'bottom') } },
  long: { chatHistory: { s: [{ id: 'm', content: 'x'.repeat(1 << 20) + '\u00e9' }] } },
  newer: { sessions: [{ id: 's1', n: 1.5 }], reminderInstances: { r: { id: 'r' } },
    universeGraph: { regions: [], bridges: [] }, sessionRegionMappings: { s1: 'west' } },
};
const known = ['sessions', 'events', 'chains', 'chatHistory', 'sessionsByUser', 'commandsQueue',
  'inputQueue', 'followedSessions', 'sessionWindowConfigs', 'frequencies', 'bookmarks', 'patterns',
  'harmonyChecks', 'harmonyChecksByProject', 'dossiers', 'suggestions', 'telemetryEntries',
  'sessionTtlExtensions', 'resourceFreshness'];
const arrays = new Set(['sessions', 'followedSessions', 'telemetryEntries']);
for (const [name, given] of Object.entries(cases)) {
  const data = {};  // every map, in the original's order, as its snapshot() builds it
  for (const key of known) data[key] = arrays.has(key) ? [] : {};
  Object.assign(data, given);
  const checksum = createHash('md5').update(JSON.stringify(data)).digest('hex');
  const snapshot = { version: 1, timestamp: '2026-02-10T12:48:10.123Z', checksum, data };
  const bytes = Buffer.from(JSON.stringify(snapshot), 'utf-8');
  writeFileSync(`${dir}/snapshot-${name}.json.gz`, gzipSync(bytes));
}
"""


@pytest.fixture(scope="module")
def original_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    directory = tmp_path_factory.mktemp("original")
    subprocess.run([node_path(), "-e", ORIGINAL_WRITER, str(directory)], check=True)
    return sorted(directory.glob("snapshot-*.json.gz"))


def test_every_file_of_the_original_writer_is_valid(original_files: list[Path]) -> None:
    assert len(original_files) == 6
    assert all(js_verify(*original_files))
    for path in original_files:
        found = read_snapshot(path)
        assert found.is_valid, (path.name, found.reason)


def test_restore_then_snapshot_reproduces_each_checksum(original_files: list[Path]) -> None:
    for path in original_files:
        found = read_snapshot(path)
        storage = MemoryStorage()
        storage.load_data(found.data)
        assert data_checksum(js_dumps(storage.snapshot_data())) == found.expected_checksum, path


def test_what_statesnap_writes_back_loads_in_the_original(
    original_files: list[Path], tmp_path: Path
) -> None:
    written = []
    for path in original_files:
        storage = MemoryStorage()
        storage.load_data(read_snapshot(path).data)
        service = SnapshotService(storage, tmp_path / path.stem.replace(".json", ""))
        written.append(service.save_snapshot())
        assert read_snapshot(written[-1]).expected_checksum == read_snapshot(path).expected_checksum
    assert all(js_verify(*written))
