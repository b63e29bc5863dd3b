"""Push wake-ups: the per-process event hub behind ``GET /events``.

Each server process watches the tail of the sync feed (``change_log`` and
``scope_events``) and tells its connected clients when something in one of
their scopes changed. Writes in this process wake the hub directly; on
PostgreSQL a ``NOTIFY atrium_changes`` (sent inside every write transaction)
wakes the hubs of all other processes through ``LISTEN``; on SQLite, where
processes share a file, the hub also polls twice a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from anyio import to_thread
from sqlalchemy import func, select

from .access import sync_scopes
from .context import ServerState
from .database import normalise_url
from .schema import change_log, scope_events

log = logging.getLogger("atrium.server.events")

SQLITE_POLL_SECONDS = 0.5
POSTGRES_SAFETY_POLL_SECONDS = 5.0


@dataclass(eq=False)
class Subscriber:
    user_id: str
    scopes: set[str]
    pending: asyncio.Event = field(default_factory=asyncio.Event)
    hint: int | None = None


class EventHub:
    def __init__(self, state: ServerState, database_url: str) -> None:
        self._state = state
        self._url = database_url
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._kick = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._last_seq = 0

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._last_seq = await to_thread.run_sync(self._read_high_water)
        self._tasks.append(asyncio.create_task(self._pump(), name="atrium-event-pump"))
        if self._state.is_postgres:
            self._tasks.append(asyncio.create_task(self._listen(), name="atrium-pg-listen"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()

    def wake(self) -> None:
        """Called from any thread after a write commits."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._kick.set)

    @property
    def subscriber_count(self) -> int:
        return sum(len(group) for group in self._subscribers.values())

    # -- subscriptions ---------------------------------------------------------

    async def subscribe(self, user_id: str) -> Subscriber:
        scopes = await to_thread.run_sync(self._scopes_of, user_id)
        subscriber = Subscriber(user_id=user_id, scopes=scopes)
        self._subscribers.setdefault(user_id, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        group = self._subscribers.get(subscriber.user_id)
        if group is not None:
            group.discard(subscriber)
            if not group:
                del self._subscribers[subscriber.user_id]

    # -- internals -------------------------------------------------------------

    def _scopes_of(self, user_id: str) -> set[str]:
        with self._state.engine.connect() as conn:
            return sync_scopes(conn, user_id)

    def _read_high_water(self) -> int:
        with self._state.engine.connect() as conn:
            value = conn.execute(select(func.max(change_log.c.seq))).scalar()
            events = conn.execute(select(func.max(scope_events.c.seq))).scalar()
        return max(int(value or 0), int(events or 0))

    def _read_tail(self, after: int) -> tuple[list[tuple[int, str | None]], list[tuple[int, str | None]]]:
        with self._state.engine.connect() as conn:
            changes = conn.execute(
                select(change_log.c.seq, change_log.c.scope)
                .where(change_log.c.seq > after)
                .order_by(change_log.c.seq)
                .limit(50_000)
            ).all()
            gains = conn.execute(
                select(scope_events.c.seq, scope_events.c.user_id).where(scope_events.c.seq > after)
            ).all()
        return [(int(s), scope) for s, scope in changes], [(int(s), user) for s, user in gains]

    async def _pump(self) -> None:
        poll = POSTGRES_SAFETY_POLL_SECONDS if self._state.is_postgres else SQLITE_POLL_SECONDS
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kick.wait(), timeout=poll)
            self._kick.clear()
            try:
                await self._dispatch()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be restarting; try again on the next tick
                log.warning("event hub could not read the change feed", exc_info=True)
                await asyncio.sleep(1.0)

    async def _dispatch(self) -> None:
        changes, scope_changes = await to_thread.run_sync(self._read_tail, self._last_seq)
        if not changes and not scope_changes:
            return
        top = max([seq for seq, _ in changes] + [seq for seq, _ in scope_changes])
        self._last_seq = max(self._last_seq, top)
        if not self._subscribers:
            return
        # Access changed: recompute those users' scopes, and wake them (their sync sends backfill or drops).
        refresh: set[str] = set()
        for _seq, user_id in scope_changes:
            refresh.update(
                self._subscribers if user_id is None else [user_id] if user_id in self._subscribers else []
            )
        for user_id in refresh:
            scopes = await to_thread.run_sync(self._scopes_of, user_id)
            for subscriber in self._subscribers.get(user_id, ()):
                subscriber.scopes = scopes
                self._notify(subscriber, top)
        touched = {scope for _seq, scope in changes}
        for group in list(self._subscribers.values()):
            for subscriber in group:
                if None in touched or not touched.isdisjoint(subscriber.scopes):
                    self._notify(subscriber, top)

    @staticmethod
    def _notify(subscriber: Subscriber, seq: int) -> None:
        subscriber.hint = seq
        subscriber.pending.set()

    async def _listen(self) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(normalise_url(self._url)).set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        delay = 1.0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                    await conn.execute("LISTEN atrium_changes")
                    delay = 1.0
                    self._kick.set()  # catch up on anything missed while not listening
                    async for _notice in conn.notifies():
                        self._kick.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("LISTEN connection lost; reconnecting in %.0f s", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
