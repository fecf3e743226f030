"""The demo workload: a dev backend's traffic against a storage, and ready-made states of any size.

`Workload(seed).tick(storage)` performs a few operations the way a busy ActionFlows backend
does: sessions start and end, events stream, chains are compiled and progress step by step (in
place, as the original mutates its records), chat messages arrive, input and commands are
queued and taken, bookmarks, harmony checks, frequencies and telemetry accumulate. Growth is
bounded: finished sessions beyond a limit are deleted, bookmarks and other pools are capped.

`generate_state(target_bytes, seed)` builds a `data` object of roughly that many JSON bytes,
shaped like the original's medium benchmark state, fast (a few templates, replicated with new
ids). Both are deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from statesnap.engine.format.snapshot import DATA_KEYS
from statesnap.engine.format.timestamps import format_timestamp
from statesnap.engine.storage.protocol import Storage

__all__ = ["Workload", "generate_state"]

_WORD_TEXT = (
    "server step cache bug config index snapshot gzip event checksum env storage build line "
    "review mutation query schema module test await retry async websocket handler redis "
    "route session path frontend backend timeout interface render hook component deploy api "
    "client state memory type import export code chain error warning fix refactor feature "
    "promise zod column file the a of to in on for with and"
)
_WORDS = tuple(_WORD_TEXT.split())
_RARE_WORDS = ("café", "Ünïcödé", "日本語", "—", "ß", "😀", '"quoted"', "back\\slash")
_ACTIONS = ("code", "review", "test", "plan", "commit", "audit", "second-opinion", "analyze")
_MODELS = ("sonnet", "opus", "haiku")
_AGENTS = ("code-agent", "review-agent", "commit-agent", "test-agent", "plan-agent")
_SOURCES = (
    "clientRegistry",
    "claudeCliManager",
    "lifecycleManager",
    "SnapshotService",
    "fileWatcher",
)
_LEVELS = ("info", "info", "warn", "error", "debug")
_PLATFORMS = ("linux", "darwin", "win32")
_HOSTS = ("devbox", "laptop", "host-0", "ci-runner")
_EXTENSIONS = ("ts", "tsx", "json", "css", "md")
_PACKAGES = ("backend", "app", "shared")
_FOLDERS = ("components", "hooks", "services", "storage", "utils", "routes")
_CATEGORIES = ("useful-pattern", "good-output", "bad-output", "question", "todo")
_PATTERN_TYPES = ("frequency", "sequence", "temporal", "error-recovery")
_FORMATS = ("ChainCompilation", "StepCompletion", "ReviewReport", None)
_VERDICTS = ("valid", "valid", "degraded", "violation")
_COMMANDS = ("pause", "resume", "retry", "cancel")
_BUTTONS = ("button:approve", "button:reject", "quick-action:retry", "palette:open", "button:hook")
_PROMPTS = ("Continue?", "Approve chain?", "Run the tests?", "Which branch?")
_FINISHED = frozenset({"completed", "failed", "ended"})
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
_NEWER_KEYS_AFTER_TELEMETRY = ("reminderInstances",)
_NEWER_KEYS_AT_END = ("regions", "bridges", "sessionRegionMappings")


def _iso(moment: datetime) -> str:
    return format_timestamp(moment)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class _Records:
    """Records in the original's shapes, drawn from one random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def token(self, size: int = 6) -> str:
        return "".join(self.rng.choice(_BASE36) for _ in range(size))

    def text(self, low: int, high: int) -> str:
        rng = self.rng
        words = [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]
        if rng.random() < 0.15:
            words.insert(rng.randrange(len(words) + 1), rng.choice(_RARE_WORDS))
        return " ".join(words)

    def path(self) -> str:
        rng = self.rng
        return (
            f"packages/{rng.choice(_PACKAGES)}/src/{rng.choice(_FOLDERS)}/"
            f"{rng.choice(_WORDS)}{rng.randint(1, 300)}.{rng.choice(_EXTENSIONS)}"
        )

    def session(self, session_id: str, user: str, project: str, at: datetime) -> dict[str, Any]:
        rng = self.rng
        session: dict[str, Any] = {
            "id": session_id,
            "cwd": f"/home/{user}/work/{project}",
            "hostname": rng.choice(_HOSTS),
            "platform": rng.choice(_PLATFORMS),
            "user": user,
            "chains": [],
            "status": "in_progress",
            "conversationState": "active",
            "startedAt": _iso(at),
            "lastActivityAt": _iso(at),
        }
        if rng.random() < 0.7:
            session["metadata"] = {
                "branch": f"feature/{rng.choice(_WORDS)}-{rng.randint(0, 99)}",
                "gitSha": self.token(8),
            }
        return session

    def step(self, number: int) -> dict[str, Any]:
        rng = self.rng
        step: dict[str, Any] = {
            "stepNumber": number,
            "action": rng.choice(_ACTIONS),
            "model": rng.choice(_MODELS),
            "inputs": {"task": self.text(4, 9), "files": [self.path() for _ in range(2)]},
            "waitsFor": [number - 1] if number > 1 else [],
            "status": "pending",
        }
        if rng.random() < 0.6:
            step["description"] = self.text(6, 12)
        return step

    def chain(self, session_id: str, chain_id: str, user: str, at: datetime) -> dict[str, Any]:
        rng = self.rng
        return {
            "id": chain_id,
            "sessionId": session_id,
            "userId": user,
            "title": self.text(2, 5),
            "steps": [self.step(number) for number in range(1, rng.randint(2, 6) + 1)],
            "source": rng.choice(("flow", "meta-task", "composed")),
            "ref": "code-and-review/",
            "status": "compiled",
            "compiledAt": _iso(at),
            "executionMode": "sequential",
        }

    def event(
        self, session_id: str, event_id: str, kind: str, at: datetime, **fields: Any
    ) -> dict[str, Any]:
        return {
            "id": event_id,
            "sessionId": session_id,
            "timestamp": _iso(at),
            "type": kind,
        } | fields

    def activity_event(
        self, session_id: str, event_id: str, at: datetime, step: int
    ) -> dict[str, Any]:
        """A terminal line, a changed file or an error: what streams while a step runs."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            lines = [f"{rng.choice(('✓', '>', '$', 'PASS', 'FAIL'))} {self.text(3, 9)}"]
            lines += [self.text(3, 9) for _ in range(rng.randint(0, 4))]
            return self.event(
                session_id, event_id, "terminal:output", at,
                output="\n".join(lines) + "\n", stream=rng.choice(("stdout", "stderr")),
                stepNumber=step,
            )  # fmt: skip
        if roll < 0.85:
            return self.event(
                session_id, event_id, "file:modified", at,
                path=self.path(), changeType=rng.choice(("modified", "created", "deleted")),
                stepNumber=step,
                diff={"added": rng.randint(0, 90), "removed": rng.randint(0, 60), "hunks": 1},
            )  # fmt: skip
        return self.event(
            session_id, event_id, "error:occurred", at,
            error=f"Error: {self.text(3, 7)}\n    at {self.path()}:{rng.randint(1, 200)}:2",
            severity=rng.choice(("low", "medium", "high")), stepNumber=step,
            recoverable=rng.random() < 0.7,
        )  # fmt: skip

    def chat_message(
        self, session_id: str, message_id: str, role: str, at: datetime
    ) -> dict[str, Any]:
        rng = self.rng
        message: dict[str, Any] = {
            "id": message_id,
            "sessionId": session_id,
            "role": role,
            "content": self.text(8, 60),
            "timestamp": _iso(at),
            "messageType": "text",
        }
        if role == "assistant" and rng.random() < 0.5:
            message["metadata"] = {
                "model": "claude-sonnet-4",
                "stopReason": "end_turn",
                "costUsd": round(rng.uniform(0.001, 0.05), 4),
                "durationMs": rng.randint(500, 20000),
            }
        return message

    def telemetry(self, entry_id: str, at: datetime, session_id: str | None) -> dict[str, Any]:
        rng = self.rng
        entry: dict[str, Any] = {
            "id": entry_id,
            "level": rng.choice(_LEVELS),
            "source": rng.choice(_SOURCES),
            "message": self.text(5, 16),
        }
        if rng.random() < 0.6:
            entry["metadata"] = {"n": rng.randint(0, 9999), "ms": rng.randint(1, 5000)}
        if session_id is not None:
            entry["sessionId"] = session_id
        entry["timestamp"] = _iso(at)
        return entry

    def bookmark(
        self, bookmark_id: str, session_id: str, user: str, project: str, at: datetime
    ) -> dict[str, Any]:
        rng = self.rng
        return {
            "id": bookmark_id,
            "sessionId": session_id,
            "messageIndex": rng.randint(0, 40),
            "messageContent": self.text(6, 20),
            "category": rng.choice(_CATEGORIES),
            "explanation": self.text(4, 10),
            "timestamp": _iso(at),
            "userId": user,
            "projectId": project,
            "tags": [rng.choice(_WORDS) for _ in range(rng.randint(0, 3))],
        }

    def frequency(
        self, action: str, project: str, user: str, at: datetime, count: int
    ) -> dict[str, Any]:
        return {
            "actionType": action,
            "projectId": project,
            "userId": user,
            "count": count,
            "firstSeen": _iso(at),
            "lastSeen": _iso(at),
            "dailyCounts": {_iso(at)[:10]: count},
        }

    def pattern(self, pattern_id: str, project: str, at: datetime) -> dict[str, Any]:
        rng = self.rng
        return {
            "id": pattern_id,
            "projectId": project,
            "patternType": rng.choice(_PATTERN_TYPES),
            "confidence": round(rng.uniform(0.3, 0.99), 3),
            "description": self.text(5, 12),
            "relatedBookmarkIds": [],
            "detectedAt": _iso(at),
            "lastSeen": _iso(at),
        }

    def dossier(self, dossier_id: str, at: datetime) -> dict[str, Any]:
        rng = self.rng
        return {
            "id": dossier_id,
            "name": self.text(2, 4),
            "targets": [self.path() for _ in range(rng.randint(1, 3))],
            "context": self.text(8, 20),
            "createdAt": _iso(at),
            "updatedAt": _iso(at),
            "analysisCount": rng.randint(0, 9),
            "status": "idle",
            "layoutDescriptor": {
                "layout": "grid-2col",
                "widgets": [
                    {"type": "FileTree", "span": 1, "data": {"root": "src/"}},
                    {"type": "CodeHealthMeter", "span": 1, "data": {"score": rng.randint(0, 100)}},
                ],
            },
            "history": [],
            "error": None,
        }

    def suggestion(self, suggestion_id: str, dossier_id: str, at: datetime) -> dict[str, Any]:
        rng = self.rng
        return {
            "id": suggestion_id,
            "type": "widget_suggestion",
            "requestedBy": dossier_id,
            "needed": rng.choice(_WORDS),
            "reason": self.text(5, 10),
            "fallback": {"type": "markdown", "content": self.text(10, 20)},
            "frequency": rng.randint(1, 20),
            "timestamp": _iso(at),
        }

    def harmony_check(
        self, check_id: str, session_id: str, project: str, at: datetime
    ) -> dict[str, Any]:
        rng = self.rng
        check: dict[str, Any] = {
            "id": check_id,
            "sessionId": session_id,
            "projectId": project,
            "timestamp": _iso(at),
            "text": self.text(12, 30),
            "parsedFormat": rng.choice(_FORMATS),
            "result": rng.choice(_VERDICTS),
            "contractVersion": "1.0",
        }
        if check["result"] != "valid":
            check["missingFields"] = [rng.choice(_WORDS) for _ in range(rng.randint(1, 3))]
        return check

    def reminder(
        self, reminder_id: str, session_id: str, chain_id: str, at: datetime
    ) -> dict[str, Any]:
        return {
            "id": reminder_id,
            "reminderId": "rem-tests",
            "sessionId": session_id,
            "chainId": chain_id,
            "reminderText": self.text(4, 8),
            "createdAt": _iso(at),
            "addressed": self.rng.random() < 0.5,
        }

    def window_config(self, session_id: str) -> dict[str, Any]:
        return {
            "sessionId": session_id,
            "autoExpand": self.rng.random() < 0.5,
            "enableAnimations": True,
            "autoArchiveDelaySeconds": 300,
            "quickActions": [{"id": "yes", "label": "Yes", "icon": "check", "value": "yes"}],
        }

    def command(self, command_id: str, session_id: str, at: datetime) -> dict[str, Any]:
        return {
            "commandId": command_id,
            "command": {"type": self.rng.choice(_COMMANDS)},
            "issuedAt": _iso(at),
            "sessionId": session_id,
        }

    def user_input(self, at: datetime) -> dict[str, Any]:
        return {
            "timestamp": _iso(at),
            "input": self.text(2, 6),
            "prompt": self.rng.choice(_PROMPTS),
        }


# -- the live workload -------------------------------------------------------------------


@dataclass
class _Live:
    """A session the workload is driving."""

    id: str
    token: str
    user: str
    project: str
    remaining: int
    events: int = 0
    chains: int = 0
    chain_id: str | None = None


class _SimulatedClock:
    """Deterministic time: starts at a fixed moment and moves a little on every reading."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.now = _EPOCH

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=self.rng.randint(200, 3000))
        return self.now


class Workload:
    """A dev backend's traffic against a storage (`tick`), deterministic for a seed.

    `clock` gives the time stamped on records; by default a simulated clock that starts at a
    fixed moment, so the same seed gives the same records. Growth is bounded: at most
    `live_sessions` sessions active at once, `kept_sessions` finished ones kept (older ones
    are deleted), `max_bookmarks` bookmarks.
    """

    def __init__(
        self,
        seed: int | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        live_sessions: int = 6,
        kept_sessions: int = 30,
        max_bookmarks: int = 150,
    ) -> None:
        self.rng = random.Random(seed)
        self.records = _Records(self.rng)
        self.clock = clock or _SimulatedClock(self.rng)
        self.live_sessions = live_sessions
        self.kept_sessions = kept_sessions
        self.max_bookmarks = max_bookmarks
        self.ticks = 0
        self.operations = 0
        self._live: dict[str, _Live] = {}
        self._finished: deque[str] = deque()
        self._bookmarks: deque[str] = deque()
        self._adopted = False
        self._now = _EPOCH

    # -- driving --------------------------------------------------------------------------

    def tick(self, storage: Storage) -> int:
        """One moment of activity: a few operations on `storage`; returns how many."""
        self._now = self.clock()
        if not self._adopted:
            self._adopt(storage)
        count = self.rng.randint(1, 4)
        for _ in range(count):
            self._operate(storage)
            self._now += timedelta(milliseconds=self.rng.randint(1, 150))
        self.ticks += 1
        self.operations += count
        return count

    def _adopt(self, storage: Storage) -> None:
        """Carry on with the sessions a restored state holds."""
        self._adopted = True
        for session in storage.list_sessions():
            session_id = session.get("id") if isinstance(session, dict) else None
            if not isinstance(session_id, str):
                continue
            if session.get("status") in _FINISHED:
                self._finished.append(session_id)
            elif len(self._live) < self.live_sessions:
                user = session.get("user")
                self._live[session_id] = _Live(
                    id=session_id,
                    token=session_id.rsplit("-", 1)[-1][:8],
                    user=user if isinstance(user, str) else "user0",
                    project=f"proj_{self.rng.randrange(8)}",
                    remaining=self.rng.randint(5, 40),
                    events=len(storage.get_events(session_id)),
                    chains=len(storage.get_chains(session_id)),
                )

    def _operate(self, storage: Storage) -> None:
        rng = self.rng
        if not self._live or (len(self._live) < self.live_sessions and rng.random() < 0.15):
            self._start_session(storage)
            return
        live = self._live[rng.choice(list(self._live))]
        live.remaining -= 1
        if live.remaining <= 0 and live.chain_id is None:
            self._end_session(storage, live)
            return
        roll = rng.random()
        if roll < 0.30:
            self._progress_chain(storage, live)
        elif roll < 0.50:
            self._chat(storage, live)
        elif roll < 0.68:
            self._emit(
                storage,
                live,
                self.records.activity_event(live.id, self._event_id(live), self._now, 1),
            )
        elif roll < 0.74:
            self._queue_traffic(storage, live)
        elif roll < 0.79:
            self._bookmark(storage, live)
        elif roll < 0.84:
            self._harmony_check(storage, live)
        elif roll < 0.90:
            self._count_action(storage, live)
        elif roll < 0.93:
            self._insight(storage, live)
        else:
            storage.extend_session_ttl(live.id, rng.choice((15, 30, 60)) * 60_000)
        if rng.random() < 0.5:
            self._telemetry(storage, live.id)

    # -- operations -----------------------------------------------------------------------

    def _event_id(self, live: _Live) -> str:
        live.events += 1
        return f"evt-{live.token}-{live.events}"

    def _emit(self, storage: Storage, live: _Live, event: dict[str, Any]) -> None:
        storage.append_event(live.id, event)

    def _touch(self, storage: Storage, live: _Live, **changes: Any) -> None:
        """Update the session record (in place where the storage hands out live records) and
        write it back, as the original does on activity."""
        session = storage.get_session(live.id)
        if not isinstance(session, dict):
            return
        session.update(changes)
        session["lastActivityAt"] = _iso(self._now)
        storage.set_session(session)

    def _new_session_id(self, storage: Storage) -> tuple[str, str]:
        while True:
            token = self.records.token(6)
            session_id = f"session-{_ms(self._now)}-{token}"
            if storage.get_session(session_id) is None:
                return session_id, token

    def _start_session(self, storage: Storage) -> None:
        rng = self.rng
        session_id, token = self._new_session_id(storage)
        user = f"user{rng.randrange(12)}"
        project = f"proj_{rng.randrange(8)}"
        live = _Live(session_id, token, user, project, remaining=rng.randint(15, 80))
        self._live[session_id] = live
        session = self.records.session(session_id, user, project, self._now)
        storage.set_session(session)
        self._emit(
            storage,
            live,
            self.records.event(
                session_id,
                self._event_id(live),
                "session:started",
                self._now,
                cwd=session["cwd"],
                user=user,
                hostname=session["hostname"],
                platform=session["platform"],
            ),
        )
        if rng.random() < 0.3:
            storage.follow_session(session_id)
        if rng.random() < 0.2:
            storage.set_entry(
                "sessionWindowConfigs", session_id, self.records.window_config(session_id)
            )
        storage.extend_session_ttl(session_id, 30 * 60_000)
        storage.add_telemetry(
            {
                "id": f"tel-{_ms(self._now)}-{self.records.token()}",
                "level": "info",
                "source": "lifecycleManager",
                "message": f"session started: {session_id}",
                "sessionId": session_id,
                "timestamp": _iso(self._now),
            }
        )

    def _end_session(self, storage: Storage, live: _Live) -> None:
        del self._live[live.id]
        status = "failed" if self.rng.random() < 0.1 else "completed"
        self._touch(storage, live, status=status, conversationState="idle", endedAt=_iso(self._now))
        self._emit(
            storage,
            live,
            self.records.event(
                live.id, self._event_id(live), "session:ended", self._now, reason=status
            ),
        )
        storage.unfollow_session(live.id)
        self._finished.append(live.id)
        while len(self._finished) > self.kept_sessions:
            storage.delete_session(self._finished.popleft())

    def _chain(
        self, storage: Storage, live: _Live
    ) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
        chains = storage.get_chains(live.id)
        for chain in chains:
            if isinstance(chain, dict) and chain.get("id") == live.chain_id:
                return chains, chain
        return None

    def _progress_chain(self, storage: Storage, live: _Live) -> None:
        """Compile a chain, or move the one running one step further."""
        found = self._chain(storage, live) if live.chain_id else None
        if found is None:
            self._compile_chain(storage, live)
            return
        chains, chain = found
        steps = [step for step in chain.get("steps", ()) if isinstance(step, dict)]
        running = next((step for step in steps if step.get("status") == "in_progress"), None)
        pending = next((step for step in steps if step.get("status") == "pending"), None)
        stamp = _iso(self._now)
        if running is not None:
            number = running.get("stepNumber", 0)
            if self.rng.random() < 0.5:  # work streams before the step completes
                event = self.records.activity_event(
                    live.id, self._event_id(live), self._now, number
                )
                self._emit(storage, live, event)
                return
            failed = self.rng.random() < 0.08
            running.update(
                status="failed" if failed else "completed",
                completedAt=stamp,
                duration=self.rng.randint(1000, 400_000),
                result={"summary": self.records.text(5, 20)},
            )
            self._emit(
                storage,
                live,
                self.records.event(
                    live.id, self._event_id(live), "step:completed", self._now,
                    stepNumber=number, action=running.get("action"), succeeded=not failed,
                    chainId=live.chain_id,
                ),
            )  # fmt: skip
            if failed:
                chain.update(status="failed", completedAt=stamp)
                live.chain_id = None
        elif pending is not None:
            pending.update(status="in_progress", startedAt=stamp)
            chain.update(status="in_progress")
            chain.setdefault("startedAt", stamp)
            self._emit(
                storage,
                live,
                self.records.event(
                    live.id, self._event_id(live), "step:spawned", self._now,
                    stepNumber=pending.get("stepNumber"), action=pending.get("action"),
                    model=pending.get("model"), agentName=self.rng.choice(_AGENTS),
                    chainId=live.chain_id,
                ),
            )  # fmt: skip
        else:
            chain.update(status="completed", completedAt=stamp)
            self._emit(
                storage,
                live,
                self.records.event(
                    live.id, self._event_id(live), "chain:completed", self._now,
                    chainId=live.chain_id, status="completed", successfulSteps=len(steps),
                ),
            )  # fmt: skip
            live.chain_id = None
        if storage.mode != "memory":  # records are copies there: write the change back
            storage.set_entry("chains", live.id, chains)

    def _compile_chain(self, storage: Storage, live: _Live) -> None:
        live.chains += 1
        chain_id = f"chain-{live.id}-{live.chains}"
        chain = self.records.chain(live.id, chain_id, live.user, self._now)
        storage.add_chain(live.id, chain)
        live.chain_id = chain_id
        self._emit(
            storage,
            live,
            self.records.event(
                live.id, self._event_id(live), "chain:compiled", self._now,
                chainId=chain_id, title=chain["title"], source=chain["source"],
                totalSteps=len(chain["steps"]), executionMode="sequential",
            ),
        )  # fmt: skip
        self._touch(storage, live, conversationState="active")

    def _chat(self, storage: Storage, live: _Live) -> None:
        role = self.rng.choice(("user", "assistant"))
        message_id = f"msg-{_ms(self._now)}-{self.records.token(8)}"
        message = self.records.chat_message(live.id, message_id, role, self._now)
        storage.append_chat_message(live.id, message)
        self._emit(
            storage,
            live,
            self.records.event(
                live.id, self._event_id(live), "chat:message", self._now, user=live.user,
                message={key: message[key] for key in ("id", "role", "timestamp")},
            ),
        )  # fmt: skip
        if role == "assistant" and self.rng.random() < 0.3:
            self._touch(
                storage,
                live,
                conversationState="awaiting_input",
                lastPrompt={
                    "text": self.rng.choice(_PROMPTS),
                    "type": "binary",
                    "quickResponses": ["Yes", "No"],
                    "timestamp": _iso(self._now),
                },
            )

    def _queue_traffic(self, storage: Storage, live: _Live) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            storage.queue_input(live.id, self.records.user_input(self._now))
        elif roll < 0.55:
            storage.take_input(live.id)
            self._touch(storage, live, conversationState="active")
        elif roll < 0.85:
            command_id = f"cmd-{_ms(self._now)}-{self.records.token(9)}"
            storage.queue_command(live.id, self.records.command(command_id, live.id, self._now))
        else:
            storage.take_commands(live.id)

    def _bookmark(self, storage: Storage, live: _Live) -> None:
        bookmark_id = f"bm_{_ms(self._now)}_{self.records.token(9)}"
        storage.add_bookmark(
            self.records.bookmark(bookmark_id, live.id, live.user, live.project, self._now)
        )
        self._bookmarks.append(bookmark_id)
        while len(self._bookmarks) > self.max_bookmarks:
            storage.delete_bookmark(self._bookmarks.popleft())

    def _append_to(self, storage: Storage, map_name: str, key: str, item: Any) -> None:
        items = storage.get_entry(map_name, key)
        items = list(items) if isinstance(items, list) else []
        items.append(item)
        storage.set_entry(map_name, key, items[-25:])

    def _harmony_check(self, storage: Storage, live: _Live) -> None:
        check_id = f"hc_{_ms(self._now)}_{self.records.token(9)}"
        check = self.records.harmony_check(check_id, live.id, live.project, self._now)
        self._append_to(storage, "harmonyChecks", live.id, check)
        self._append_to(storage, "harmonyChecksByProject", live.project, check)
        self._emit(
            storage,
            live,
            self.records.event(
                live.id, self._event_id(live), "harmony:check", self._now,
                payload={"format": check["parsedFormat"], "result": check["result"]},
            ),
        )  # fmt: skip

    def _count_action(self, storage: Storage, live: _Live) -> None:
        action = self.rng.choice(_BUTTONS)
        key = f"{live.project}:{action}"
        record = storage.get_entry("frequencies", key)
        if not isinstance(record, dict):
            record = self.records.frequency(action, live.project, live.user, self._now, 0)
        day = _iso(self._now)[:10]
        count = record.get("count")
        record["count"] = (count if isinstance(count, int) else 0) + 1
        record["lastSeen"] = _iso(self._now)
        daily = record.setdefault("dailyCounts", {})
        if isinstance(daily, dict):
            previous = daily.get(day)
            daily[day] = (previous if isinstance(previous, int) else 0) + 1
        storage.set_entry("frequencies", key, record)

    def _insight(self, storage: Storage, live: _Live) -> None:
        """A pattern, dossier, suggestion or reminder: small pools, updated in place."""
        rng = self.rng
        slot = rng.randrange(20)
        roll = rng.random()
        if roll < 0.3:
            storage.set_entry(
                "patterns",
                f"pat-{slot}",
                self.records.pattern(f"pat-{slot}", live.project, self._now),
            )
        elif roll < 0.5:
            storage.set_entry(
                "dossiers", f"dossier-{slot}", self.records.dossier(f"dossier-{slot}", self._now)
            )
        elif roll < 0.8:
            storage.set_entry(
                "suggestions",
                f"sug-{slot}",
                self.records.suggestion(f"sug-{slot}", f"dossier-{slot}", self._now),
            )
        elif live.chain_id is not None:
            storage.set_entry(
                "reminderInstances",
                f"rem-{slot}",
                self.records.reminder(f"rem-{slot}", live.id, live.chain_id, self._now),
            )

    def _telemetry(self, storage: Storage, session_id: str | None) -> None:
        entry_id = f"tel-{_ms(self._now)}-{self.records.token()}"
        storage.add_telemetry(self.records.telemetry(entry_id, self._now, session_id))


# -- ready-made states --------------------------------------------------------------------

_SESSION = "session-@@M@@-@@S@@"
_PLACEHOLDERS = (b"@@M@@", b"@@S@@", b"@@U@@", b"@@P@@", b"@@N@@")
_UNIT_BYTES = 40_000  # one session with its share of everything, as in the medium state
_TEMPLATES = 16


def _unit(records: _Records, scale: float) -> dict[str, Any]:
    """One session and its share of every map, with placeholders for the ids that vary."""
    rng = records.rng

    def some(count: float) -> int:
        whole = int(count * scale)
        return whole + (1 if rng.random() < count * scale - whole else 0)

    at = _EPOCH + timedelta(seconds=rng.randint(0, 86_400))
    user, project, sid, n = "@@U@@", "@@P@@", _SESSION, "@@N@@"
    session = records.session(sid, user, project, at)
    if rng.random() < 0.4:
        session.update(status="completed", conversationState="idle", endedAt=_iso(at))
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
            f"{project}:{rng.choice(_BUTTONS)}-{n}-{index}": records.frequency(
                rng.choice(_BUTTONS), project, user, at, rng.randint(1, 9)
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
            sid: {"expiresAt": _ms(at) + 3_600_000, "extensionCount": rng.randint(1, 3)}
        },
        "resourceFreshness": {
            f"session:{sid}": _iso(at),
            f"events:{sid}": _iso(at),
            **{f"chain:{chain['id']}": _iso(at) for chain in chains},
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
    records = _Records(rng)
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
    data: dict[str, Any] = {
        name: [] if name in ("sessions", "followedSessions", "telemetryEntries") else {}
        for name in names
    }
    total = 0
    copy = 0
    base_ms = _ms(_EPOCH)
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
