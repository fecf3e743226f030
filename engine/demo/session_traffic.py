"""What happens within one live session of the demo workload: events, chains, chat, queues…

`SessionTraffic` performs one kind of operation on one session, stamped with its `now`; the
workload (`workload.py`) decides which, and when sessions start and end.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from statesnap.engine.demo.records import AGENTS, BUTTONS, EPOCH, PROMPTS, Records, iso, ms
from statesnap.engine.storage.protocol import Storage

__all__ = ["LiveSession", "SessionTraffic"]


@dataclass
class LiveSession:
    """A session the workload is driving."""

    id: str
    token: str
    user: str
    project: str
    remaining: int
    events: int = 0
    chains: int = 0
    chain_id: str | None = None


class SessionTraffic:
    """The operations on one session, drawn from the workload's random generator."""

    def __init__(self, rng: random.Random, records: Records, max_bookmarks: int) -> None:
        self.rng = rng
        self.records = records
        self.max_bookmarks = max_bookmarks
        self.now: datetime = EPOCH
        self.bookmarks: deque[str] = deque()

    def event_id(self, live: LiveSession) -> str:
        live.events += 1
        return f"evt-{live.token}-{live.events}"

    def emit(self, storage: Storage, live: LiveSession, event: dict[str, Any]) -> None:
        storage.append_event(live.id, event)

    def touch(self, storage: Storage, live: LiveSession, **changes: Any) -> None:
        """Update the session record (in place where the storage hands out live records) and
        write it back, as the original does on activity."""
        session = storage.get_session(live.id)
        if not isinstance(session, dict):
            return
        session.update(changes)
        session["lastActivityAt"] = iso(self.now)
        storage.set_session(session)

    def chain(
        self, storage: Storage, live: LiveSession
    ) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
        chains = storage.get_chains(live.id)
        for chain in chains:
            if isinstance(chain, dict) and chain.get("id") == live.chain_id:
                return chains, chain
        return None

    def progress_chain(self, storage: Storage, live: LiveSession) -> None:
        """Compile a chain, or move the one running one step further."""
        found = self.chain(storage, live) if live.chain_id else None
        if found is None:
            self.compile_chain(storage, live)
            return
        chains, chain = found
        steps = [step for step in chain.get("steps", ()) if isinstance(step, dict)]
        running = next((step for step in steps if step.get("status") == "in_progress"), None)
        pending = next((step for step in steps if step.get("status") == "pending"), None)
        stamp = iso(self.now)
        if running is not None:
            number = running.get("stepNumber", 0)
            if self.rng.random() < 0.5:  # work streams before the step completes
                event = self.records.activity_event(live.id, self.event_id(live), self.now, number)
                self.emit(storage, live, event)
                return
            failed = self.rng.random() < 0.08
            running.update(
                status="failed" if failed else "completed",
                completedAt=stamp,
                duration=self.rng.randint(1000, 400_000),
                result={"summary": self.records.text(5, 20)},
            )
            self.emit(
                storage,
                live,
                self.records.event(
                    live.id, self.event_id(live), "step:completed", self.now,
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
            self.emit(
                storage,
                live,
                self.records.event(
                    live.id, self.event_id(live), "step:spawned", self.now,
                    stepNumber=pending.get("stepNumber"), action=pending.get("action"),
                    model=pending.get("model"), agentName=self.rng.choice(AGENTS),
                    chainId=live.chain_id,
                ),
            )  # fmt: skip
        else:
            chain.update(status="completed", completedAt=stamp)
            self.emit(
                storage,
                live,
                self.records.event(
                    live.id, self.event_id(live), "chain:completed", self.now,
                    chainId=live.chain_id, status="completed", successfulSteps=len(steps),
                ),
            )  # fmt: skip
            live.chain_id = None
        if storage.mode != "memory":  # records are copies there: write the change back
            storage.set_entry("chains", live.id, chains)

    def compile_chain(self, storage: Storage, live: LiveSession) -> None:
        live.chains += 1
        chain_id = f"chain-{live.id}-{live.chains}"
        chain = self.records.chain(live.id, chain_id, live.user, self.now)
        storage.add_chain(live.id, chain)
        live.chain_id = chain_id
        self.emit(
            storage,
            live,
            self.records.event(
                live.id, self.event_id(live), "chain:compiled", self.now,
                chainId=chain_id, title=chain["title"], source=chain["source"],
                totalSteps=len(chain["steps"]), executionMode="sequential",
            ),
        )  # fmt: skip
        self.touch(storage, live, conversationState="active")

    def chat(self, storage: Storage, live: LiveSession) -> None:
        role = self.rng.choice(("user", "assistant"))
        message_id = f"msg-{ms(self.now)}-{self.records.token(8)}"
        message = self.records.chat_message(live.id, message_id, role, self.now)
        storage.append_chat_message(live.id, message)
        self.emit(
            storage,
            live,
            self.records.event(
                live.id, self.event_id(live), "chat:message", self.now, user=live.user,
                message={key: message[key] for key in ("id", "role", "timestamp")},
            ),
        )  # fmt: skip
        if role == "assistant" and self.rng.random() < 0.3:
            self.touch(
                storage,
                live,
                conversationState="awaiting_input",
                lastPrompt={
                    "text": self.rng.choice(PROMPTS),
                    "type": "binary",
                    "quickResponses": ["Yes", "No"],
                    "timestamp": iso(self.now),
                },
            )

    def queue_traffic(self, storage: Storage, live: LiveSession) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            storage.queue_input(live.id, self.records.user_input(self.now))
        elif roll < 0.55:
            storage.take_input(live.id)
            self.touch(storage, live, conversationState="active")
        elif roll < 0.85:
            command_id = f"cmd-{ms(self.now)}-{self.records.token(9)}"
            storage.queue_command(live.id, self.records.command(command_id, live.id, self.now))
        else:
            storage.take_commands(live.id)

    def bookmark(self, storage: Storage, live: LiveSession) -> None:
        bookmark_id = f"bm_{ms(self.now)}_{self.records.token(9)}"
        storage.add_bookmark(
            self.records.bookmark(bookmark_id, live.id, live.user, live.project, self.now)
        )
        self.bookmarks.append(bookmark_id)
        while len(self.bookmarks) > self.max_bookmarks:
            storage.delete_bookmark(self.bookmarks.popleft())

    def append_to(self, storage: Storage, map_name: str, key: str, item: Any) -> None:
        items = storage.get_entry(map_name, key)
        items = list(items) if isinstance(items, list) else []
        items.append(item)
        storage.set_entry(map_name, key, items[-25:])

    def harmony_check(self, storage: Storage, live: LiveSession) -> None:
        check_id = f"hc_{ms(self.now)}_{self.records.token(9)}"
        check = self.records.harmony_check(check_id, live.id, live.project, self.now)
        self.append_to(storage, "harmonyChecks", live.id, check)
        self.append_to(storage, "harmonyChecksByProject", live.project, check)
        self.emit(
            storage,
            live,
            self.records.event(
                live.id, self.event_id(live), "harmony:check", self.now,
                payload={"format": check["parsedFormat"], "result": check["result"]},
            ),
        )  # fmt: skip

    def count_action(self, storage: Storage, live: LiveSession) -> None:
        action = self.rng.choice(BUTTONS)
        key = f"{live.project}:{action}"
        record = storage.get_entry("frequencies", key)
        if not isinstance(record, dict):
            record = self.records.frequency(action, live.project, live.user, self.now, 0)
        day = iso(self.now)[:10]
        count = record.get("count")
        record["count"] = (count if isinstance(count, int) else 0) + 1
        record["lastSeen"] = iso(self.now)
        daily = record.setdefault("dailyCounts", {})
        if isinstance(daily, dict):
            previous = daily.get(day)
            daily[day] = (previous if isinstance(previous, int) else 0) + 1
        storage.set_entry("frequencies", key, record)

    def insight(self, storage: Storage, live: LiveSession) -> None:
        """A pattern, dossier, suggestion or reminder: small pools, updated in place."""
        rng = self.rng
        slot = rng.randrange(20)
        roll = rng.random()
        if roll < 0.3:
            storage.set_entry(
                "patterns",
                f"pat-{slot}",
                self.records.pattern(f"pat-{slot}", live.project, self.now),
            )
        elif roll < 0.5:
            storage.set_entry(
                "dossiers", f"dossier-{slot}", self.records.dossier(f"dossier-{slot}", self.now)
            )
        elif roll < 0.8:
            storage.set_entry(
                "suggestions",
                f"sug-{slot}",
                self.records.suggestion(f"sug-{slot}", f"dossier-{slot}", self.now),
            )
        elif live.chain_id is not None:
            storage.set_entry(
                "reminderInstances",
                f"rem-{slot}",
                self.records.reminder(f"rem-{slot}", live.id, live.chain_id, self.now),
            )

    def telemetry(self, storage: Storage, session_id: str | None) -> None:
        entry_id = f"tel-{ms(self.now)}-{self.records.token()}"
        storage.add_telemetry(self.records.telemetry(entry_id, self.now, session_id))
