"""Ready-made states of any size: `generate_state(target_bytes, seed)`, a `data` object shaped
like the original's medium benchmark state.

Fast: a few random templates (one session with its share of every map), replicated with new
ids, so 100 MB takes about a second. Deterministic for a seed.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import orjson
from statesnap.engine.demo.records import BUTTONS, EPOCH, Records, iso, ms
from statesnap.engine.format.schema import DATA_KEYS, empty_map

__all__ = ["generate_state"]

_NEWER_KEYS_AFTER_TELEMETRY = ("reminderInstances",)
_NEWER_KEYS_AT_END = ("regions", "bridges", "sessionRegionMappings")
_SESSION = "session-@@M@@-@@S@@"
_PLACEHOLDERS = (b"@@M@@", b"@@S@@", b"@@U@@", b"@@P@@", b"@@N@@")
_UNIT_BYTES = 40_000  # one session with its share of everything, as in the medium state
_TEMPLATES = 16


def _unit(records: Records, scale: float) -> dict[str, Any]:
    """One session and its share of every map, with placeholders for the ids that vary."""
    rng = records.rng

    def some(count: float) -> int:
        whole = int(count * scale)
        return whole + (1 if rng.random() < count * scale - whole else 0)

    at = EPOCH + timedelta(seconds=rng.randint(0, 86_400))
    user, project, sid, n = "@@U@@", "@@P@@", _SESSION, "@@N@@"
    session = records.session(sid, user, project, at)
    if rng.random() < 0.4:
        session.update(status="completed", conversationState="idle", endedAt=iso(at))
    events = [records.event(sid, "evt-@@S@@-0", "session:started", at, cwd=session["cwd"])] + [
        records.activity_event(sid, f"evt-@@S@@-{index}", at + timedelta(seconds=index), 1)
        for index in range(1, max(some(50), 2))
    ]
    chains = []
    for index in range(max(some(rng.randint(1, 5)), 1)):
        chain = records.chain(sid, f"chain-{sid}-{index}", user, at)
        for step in chain["steps"]:
            step.update(status=rng.choice(("completed", "completed", "failed", "pending")))
        chain["status"] = rng.choice(("compiled", "completed", "in_progress", "failed"))
        chains.append(chain)
    chat = [
        records.chat_message(sid, f"msg-@@S@@-{index}", ("user", "assistant")[index % 2], at)
        for index in range(max(some(10), 1))
    ]
    checks = [
        records.harmony_check(f"hc-{n}-{index}", sid, project, at) for index in range(some(0.35))
    ]
    unit: dict[str, Any] = {
        "sessions": [session],
        "events": {sid: events},
        "chains": {sid: chains},
        "chatHistory": {sid: chat},
        "sessionsByUser": {user: [sid]},
        "commandsQueue": (
            {sid: [records.command(f"cmd-{n}", sid, at)]} if rng.random() < 0.25 else {}
        ),
        "inputQueue": {sid: [records.user_input(at)]} if rng.random() < 0.15 else {},
        "followedSessions": [sid] if rng.random() < 0.2 else [],
        "sessionWindowConfigs": ({sid: records.window_config(sid)} if rng.random() < 0.1 else {}),
        "frequencies": {
            f"{project}:{rng.choice(BUTTONS)}-{n}-{index}": records.frequency(
                rng.choice(BUTTONS), project, user, at, rng.randint(1, 9)
            )
            for index in range(some(2.5))
        },
        "bookmarks": {
            f"bm-{n}-{index}": records.bookmark(f"bm-{n}-{index}", sid, user, project, at)
            for index in range(some(4))
        },
        "patterns": {
            f"pat-{n}-{index}": records.pattern(f"pat-{n}-{index}", project, at)
            for index in range(some(1))
        },
        "harmonyChecks": {sid: checks} if checks else {},
        "harmonyChecksByProject": {project: checks} if checks else {},
        "dossiers": {
            f"dossier-{n}-{index}": records.dossier(f"dossier-{n}-{index}", at)
            for index in range(some(0.5))
        },
        "suggestions": {
            f"sug-{n}-{index}": records.suggestion(f"sug-{n}-{index}", f"dossier-{n}-0", at)
            for index in range(some(2.5))
        },
        "telemetryEntries": [
            records.telemetry(f"tel-{n}-{index}", at + timedelta(seconds=index), sid)
            for index in range(some(50))
        ],
        "reminderInstances": {
            f"rem-{n}-{index}": records.reminder(f"rem-{n}-{index}", sid, f"chain-{sid}-0", at)
            for index in range(some(0.5))
        },
        "sessionTtlExtensions": {
            sid: {"expiresAt": ms(at) + 3_600_000, "extensionCount": rng.randint(1, 3)}
        },
        "resourceFreshness": {
            f"session:{sid}": iso(at),
            f"events:{sid}": iso(at),
            **{f"chain:{chain['id']}": iso(at) for chain in chains},
        },
    }
    return unit


def _merge(data: dict[str, Any], unit: dict[str, Any]) -> None:
    for name, part in unit.items():
        target = data[name]
        if isinstance(target, list):
            target.extend(part)
        elif name in ("sessionsByUser", "harmonyChecksByProject"):
            for key, items in part.items():
                target.setdefault(key, []).extend(items)
        else:
            target.update(part)


def generate_state(target_bytes: int, seed: int = 0, *, newer_keys: bool = True) -> dict[str, Any]:
    """A `data` object of roughly `target_bytes` of JSON, shaped like the medium state.

    Sessions with their events, chains and chat, and each session's share of bookmarks,
    telemetry, suggestions and the rest, in the original's proportions. Built from a few
    random templates replicated with fresh ids, so 100 MB takes about a second.
    Deterministic for a seed. `newer_keys` adds the keys newer ActionFlows versions write
    (reminderInstances, regions, bridges, sessionRegionMappings), as the medium state has.
    """
    rng = random.Random(seed)
    records = Records(rng)
    scale = min(1.0, max(target_bytes, 1) / _UNIT_BYTES)
    templates = [
        orjson.dumps(_unit(records, scale))
        for _ in range(min(_TEMPLATES, max(1, target_bytes // _UNIT_BYTES)))
    ]
    names = list(DATA_KEYS)
    if newer_keys:
        at = names.index("telemetryEntries") + 1
        names[at:at] = _NEWER_KEYS_AFTER_TELEMETRY
        names += _NEWER_KEYS_AT_END
    data: dict[str, Any] = {name: empty_map(name) for name in names}
    total = 0
    copy = 0
    base_ms = ms(EPOCH)
    while total < target_bytes or copy == 0:
        template = templates[copy % len(templates)]
        values = (
            str(base_ms + copy * 60_000).encode(),
            records.token(6).encode(),
            f"user{copy % 25}".encode(),
            f"proj_{copy % 8}".encode(),
            str(copy).encode(),
        )
        raw = template
        for placeholder, value in zip(_PLACEHOLDERS, values, strict=True):
            raw = raw.replace(placeholder, value)
        if copy and total + len(raw) - target_bytes > target_bytes - total:
            break  # one more copy would overshoot by more than stopping here falls short
        unit = orjson.loads(raw)
        if not newer_keys:
            unit.pop("reminderInstances", None)
        _merge(data, unit)
        total += len(raw)
        copy += 1
    return data
