"""Records in the shapes the original ActionFlows backend stores: sessions, events, chains…

`Records(rng)` draws each kind of record from one random generator, so the workload and the
ready-made states are deterministic for a seed.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from statesnap.engine.format.timestamps import format_timestamp

__all__ = ["AGENTS", "BUTTONS", "EPOCH", "PROMPTS", "WORDS", "Records", "iso", "ms"]

_WORD_TEXT = (
    "server step cache bug config index snapshot gzip event checksum env storage build line "
    "review mutation query schema module test await retry async websocket handler redis "
    "route session path frontend backend timeout interface render hook component deploy api "
    "client state memory type import export code chain error warning fix refactor feature "
    "promise zod column file the a of to in on for with and"
)
WORDS = tuple(_WORD_TEXT.split())
_RARE_WORDS = ("café", "Ünïcödé", "日本語", "—", "ß", "😀", '"quoted"', "back\\slash")
_ACTIONS = ("code", "review", "test", "plan", "commit", "audit", "second-opinion", "analyze")
_MODELS = ("sonnet", "opus", "haiku")
AGENTS = ("code-agent", "review-agent", "commit-agent", "test-agent", "plan-agent")
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
BUTTONS = ("button:approve", "button:reject", "quick-action:retry", "palette:open", "button:hook")
PROMPTS = ("Continue?", "Approve chain?", "Run the tests?", "Which branch?")
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return format_timestamp(moment)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class Records:
    """Records in the original's shapes, drawn from one random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def token(self, size: int = 6) -> str:
        return "".join(self.rng.choice(_BASE36) for _ in range(size))

    def text(self, low: int, high: int) -> str:
        rng = self.rng
        words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
        if rng.random() < 0.15:
            words.insert(rng.randrange(len(words) + 1), rng.choice(_RARE_WORDS))
        return " ".join(words)

    def path(self) -> str:
        rng = self.rng
        return (
            f"packages/{rng.choice(_PACKAGES)}/src/{rng.choice(_FOLDERS)}/"
            f"{rng.choice(WORDS)}{rng.randint(1, 300)}.{rng.choice(_EXTENSIONS)}"
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
            "startedAt": iso(at),
            "lastActivityAt": iso(at),
        }
        if rng.random() < 0.7:
            session["metadata"] = {
                "branch": f"feature/{rng.choice(WORDS)}-{rng.randint(0, 99)}",
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
            "compiledAt": iso(at),
            "executionMode": "sequential",
        }

    def event(
        self, session_id: str, event_id: str, kind: str, at: datetime, **fields: Any
    ) -> dict[str, Any]:
        return {
            "id": event_id,
            "sessionId": session_id,
            "timestamp": iso(at),
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
            "timestamp": iso(at),
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
        entry["timestamp"] = iso(at)
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
            "timestamp": iso(at),
            "userId": user,
            "projectId": project,
            "tags": [rng.choice(WORDS) for _ in range(rng.randint(0, 3))],
        }

    def frequency(
        self, action: str, project: str, user: str, at: datetime, count: int
    ) -> dict[str, Any]:
        return {
            "actionType": action,
            "projectId": project,
            "userId": user,
            "count": count,
            "firstSeen": iso(at),
            "lastSeen": iso(at),
            "dailyCounts": {iso(at)[:10]: count},
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
            "detectedAt": iso(at),
            "lastSeen": iso(at),
        }

    def dossier(self, dossier_id: str, at: datetime) -> dict[str, Any]:
        rng = self.rng
        return {
            "id": dossier_id,
            "name": self.text(2, 4),
            "targets": [self.path() for _ in range(rng.randint(1, 3))],
            "context": self.text(8, 20),
            "createdAt": iso(at),
            "updatedAt": iso(at),
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
            "needed": rng.choice(WORDS),
            "reason": self.text(5, 10),
            "fallback": {"type": "markdown", "content": self.text(10, 20)},
            "frequency": rng.randint(1, 20),
            "timestamp": iso(at),
        }

    def harmony_check(
        self, check_id: str, session_id: str, project: str, at: datetime
    ) -> dict[str, Any]:
        rng = self.rng
        check: dict[str, Any] = {
            "id": check_id,
            "sessionId": session_id,
            "projectId": project,
            "timestamp": iso(at),
            "text": self.text(12, 30),
            "parsedFormat": rng.choice(_FORMATS),
            "result": rng.choice(_VERDICTS),
            "contractVersion": "1.0",
        }
        if check["result"] != "valid":
            check["missingFields"] = [rng.choice(WORDS) for _ in range(rng.randint(1, 3))]
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
            "createdAt": iso(at),
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
            "issuedAt": iso(at),
            "sessionId": session_id,
        }

    def user_input(self, at: datetime) -> dict[str, Any]:
        return {
            "timestamp": iso(at),
            "input": self.text(2, 6),
            "prompt": self.rng.choice(PROMPTS),
        }
