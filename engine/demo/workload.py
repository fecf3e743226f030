"""The demo workload: a dev backend's traffic against a storage, deterministic for a seed.

`Workload(seed).tick(storage)` performs a few operations the way a busy ActionFlows backend
does: sessions start and end, events stream, chains are compiled and progress step by step (in
place, as the original mutates its records), chat messages arrive, input and commands are
queued and taken, bookmarks, harmony checks, frequencies and telemetry accumulate. Growth is
bounded: finished sessions beyond a limit are deleted, bookmarks and other pools are capped.
What happens within one session is `session_traffic`'s.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from statesnap.engine.demo.records import EPOCH, Records, iso, ms
from statesnap.engine.demo.session_traffic import LiveSession, SessionTraffic
from statesnap.engine.format.schema import is_finished
from statesnap.engine.storage.protocol import Storage

__all__ = ["Workload"]


class _SimulatedClock:
    """Deterministic time: starts at a fixed moment and moves a little on every reading."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.now = EPOCH

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
        self.records = Records(self.rng)
        self.clock = clock or _SimulatedClock(self.rng)
        self.live_sessions = live_sessions
        self.kept_sessions = kept_sessions
        self.ticks = 0
        self.operations = 0
        self._live: dict[str, LiveSession] = {}
        self._finished: deque[str] = deque()
        self._adopted = False
        self._traffic = SessionTraffic(self.rng, self.records, max_bookmarks)

    # -- driving --------------------------------------------------------------------------

    def tick(self, storage: Storage) -> int:
        """One moment of activity: a few operations on `storage`; returns how many."""
        self._traffic.now = self.clock()
        if not self._adopted:
            self._adopt(storage)
        count = self.rng.randint(1, 4)
        for _ in range(count):
            self._operate(storage)
            self._traffic.now += timedelta(milliseconds=self.rng.randint(1, 150))
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
            if is_finished(session):
                self._finished.append(session_id)
            elif len(self._live) < self.live_sessions:
                user = session.get("user")
                self._live[session_id] = LiveSession(
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
            self._traffic.progress_chain(storage, live)
        elif roll < 0.50:
            self._traffic.chat(storage, live)
        elif roll < 0.68:
            self._traffic.emit(
                storage,
                live,
                self.records.activity_event(
                    live.id, self._traffic.event_id(live), self._traffic.now, 1
                ),
            )
        elif roll < 0.74:
            self._traffic.queue_traffic(storage, live)
        elif roll < 0.79:
            self._traffic.bookmark(storage, live)
        elif roll < 0.84:
            self._traffic.harmony_check(storage, live)
        elif roll < 0.90:
            self._traffic.count_action(storage, live)
        elif roll < 0.93:
            self._traffic.insight(storage, live)
        else:
            storage.extend_session_ttl(live.id, rng.choice((15, 30, 60)) * 60_000)
        if rng.random() < 0.5:
            self._traffic.telemetry(storage, live.id)

    def _new_session_id(self, storage: Storage) -> tuple[str, str]:
        while True:
            token = self.records.token(6)
            session_id = f"session-{ms(self._traffic.now)}-{token}"
            if storage.get_session(session_id) is None:
                return session_id, token

    def _start_session(self, storage: Storage) -> None:
        rng = self.rng
        session_id, token = self._new_session_id(storage)
        user = f"user{rng.randrange(12)}"
        project = f"proj_{rng.randrange(8)}"
        live = LiveSession(session_id, token, user, project, remaining=rng.randint(15, 80))
        self._live[session_id] = live
        session = self.records.session(session_id, user, project, self._traffic.now)
        storage.set_session(session)
        self._traffic.emit(
            storage,
            live,
            self.records.event(
                session_id,
                self._traffic.event_id(live),
                "session:started",
                self._traffic.now,
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
                "id": f"tel-{ms(self._traffic.now)}-{self.records.token()}",
                "level": "info",
                "source": "lifecycleManager",
                "message": f"session started: {session_id}",
                "sessionId": session_id,
                "timestamp": iso(self._traffic.now),
            }
        )

    def _end_session(self, storage: Storage, live: LiveSession) -> None:
        del self._live[live.id]
        status = "failed" if self.rng.random() < 0.1 else "completed"
        self._traffic.touch(
            storage, live, status=status, conversationState="idle", endedAt=iso(self._traffic.now)
        )
        self._traffic.emit(
            storage,
            live,
            self.records.event(
                live.id,
                self._traffic.event_id(live),
                "session:ended",
                self._traffic.now,
                reason=status,
            ),
        )
        storage.unfollow_session(live.id)
        self._finished.append(live.id)
        while len(self._finished) > self.kept_sessions:
            storage.delete_session(self._finished.popleft())
