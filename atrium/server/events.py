"""Push wake-ups: the per-process event hub behind ``GET /events``.

Each server process watches the tail of the sync feed (``change_log`` and
``scope_events``) and tells its connected clients when something in one of
their scopes changed. Writes in this process wake the hub directly; on
PostgreSQL a ``NOTIFY atrium_changes`` (sent inside every write transaction)
wakes the hubs of all other processes through ``LISTEN``; on SQLite, where
processes share a file, the hub also polls twice a second.

The hub also rings each stream's heartbeat (one ticker for all streams, rather than a
timer per stream): with ten thousand idle streams, per-stream timers cost memory and a
share of every fan-out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from anyio import to_thread
from sqlalchemy import select

from .context import ServerState
from .database import normalise_url
from .feed import current_seq
from .schema import change_log, scope_events

log = logging.getLogger("atrium.server.events")

SQLITE_POLL_SECONDS = 0.5
POSTGRES_SAFETY_POLL_SECONDS = 5.0
TAIL_BATCH = 20_000  # feed rows read per statement when catching up
# A comment line goes to every stream at least this often (the protocol: at least every 25 s).
# Read on every tick and at every subscription, so tests can shorten it.
HEARTBEAT_SECONDS = 20.0


@dataclass(eq=False)
class Subscriber:
    """One ``/events`` stream. The hub sets ``changed`` or ``beat`` and rings ``pending``."""

    user_id: str
    scopes: set[str]
    pending: asyncio.Event = field(default_factory=asyncio.Event)
    hint: int | None = None
    changed: bool = False
    beat: bool = False
    beat_due: float = 0.0  # event-loop time of the next heartbeat
    closed: bool = False  # the client went away (set by the stream's disconnect watcher)

    async def next_message(self) -> tuple[bool, bool]:
        """Wait for the doorbell; returns (changed, heartbeat due) and clears both."""
        await self.pending.wait()
        self.pending.clear()
        changed, beat = self.changed, self.beat
        self.changed = self.beat = False
        return changed, beat


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
        self._tasks.append(asyncio.create_task(self._heartbeats(), name="atrium-heartbeats"))
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
        """Register a listener for USER_ID. Its scopes come from a sibling connection of the
        same user when there is one (kept current by ``_dispatch``), else from the database."""
        beat_due = asyncio.get_running_loop().time() + HEARTBEAT_SECONDS
        group = self._subscribers.get(user_id)
        if group:
            subscriber = Subscriber(user_id=user_id, scopes=next(iter(group)).scopes, beat_due=beat_due)
            group.add(subscriber)
            return subscriber
        seen = self._last_seq
        scopes = await to_thread.run_sync(self._scopes_of, user_id)
        subscriber = Subscriber(user_id=user_id, scopes=scopes, beat_due=beat_due)
        self._subscribers.setdefault(user_id, set()).add(subscriber)
        if self._last_seq != seen:
            # A dispatch ran while the scopes were read: it may have handled a scope change of
            # this user before the subscriber was registered, so read them once more.
            try:
                scopes = await to_thread.run_sync(self._scopes_of, user_id)
            except BaseException:
                self.unsubscribe(subscriber)  # cancelled (client gone): leave nothing behind
                raise
            for sibling in self._subscribers.get(user_id, ()):
                sibling.scopes = scopes
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        group = self._subscribers.get(subscriber.user_id)
        if group is not None:
            group.discard(subscriber)
            if not group:
                del self._subscribers[subscriber.user_id]

    # -- internals -------------------------------------------------------------

    def _scopes_of(self, user_id: str) -> set[str]:
        return self._state.hot.read(lambda snapshot: snapshot.sync_scopes(user_id))

    def _read_high_water(self) -> int:
        return self._state.hot.read(lambda snapshot: snapshot.current_seq())

    def _read_tail(self, after: int) -> tuple[int, dict[str | None, int], list[str | None]]:
        """What changed after change number AFTER: (the number read up to, each touched scope
        with its newest number, the users whose access changed — None for everyone).

        The upper bound is the counter's committed value H: writers commit in change-number
        order, so every change up to H is visible, and feed rows and scope events are read
        over the same (AFTER, H] even where each statement sees a newer snapshot (PostgreSQL's
        READ COMMITTED). The feed rows are walked along the ``seq`` index in batches, so a
        long tail (a bulk import by another process) costs one pass and is never cut short.
        """
        touched: dict[str | None, int] = {}
        with self._state.engine.connect() as conn:
            high = current_seq(conn)
            if high <= after:
                return after, touched, []
            position = after
            while True:
                rows = conn.execute(
                    select(change_log.c.seq, change_log.c.scope, change_log.c.author_scope)
                    .where(change_log.c.seq > position, change_log.c.seq <= high)
                    .order_by(change_log.c.seq)
                    .limit(TAIL_BATCH)
                ).all()
                for seq, scope, author in rows:
                    touched[scope] = int(seq)
                    if author is not None:  # a post by someone its readers may follow
                        touched[author] = int(seq)
                if len(rows) < TAIL_BATCH:
                    break
                position = int(rows[-1].seq)
            users = conn.execute(
                select(scope_events.c.user_id).where(scope_events.c.seq > after, scope_events.c.seq <= high)
            ).scalars()
            return high, touched, list(users)

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
        high, touched, scope_users = await to_thread.run_sync(self._read_tail, self._last_seq)
        if high <= self._last_seq:
            return
        self._last_seq = high
        if not self._subscribers:
            return
        # Access changed: recompute those users' scopes, and wake them (their sync sends backfill or drops).
        refresh: set[str] = set()
        for user_id in scope_users:
            if user_id is None:
                refresh.update(self._subscribers)
            elif user_id in self._subscribers:
                refresh.add(user_id)
        for user_id in refresh:
            scopes = await to_thread.run_sync(self._scopes_of, user_id)
            for subscriber in self._subscribers.get(user_id, ()):
                subscriber.scopes = scopes
                self._notify(subscriber, high)
        everyone = None in touched
        # A user's connections share one scopes set: judge each set once, not once per connection.
        verdicts: dict[int, bool] = {}
        for group in list(self._subscribers.values()):
            for subscriber in group:
                hit = verdicts.get(id(subscriber.scopes))
                if hit is None:
                    hit = verdicts[id(subscriber.scopes)] = everyone or not subscriber.scopes.isdisjoint(
                        touched
                    )
                if hit:
                    self._notify(subscriber, high)

    @staticmethod
    def _notify(subscriber: Subscriber, seq: int) -> None:
        subscriber.hint = seq
        subscriber.changed = True
        subscriber.pending.set()

    async def _heartbeats(self) -> None:
        """Ring the streams whose heartbeat is due; a few ticks per heartbeat period."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(min(1.0, HEARTBEAT_SECONDS / 4))
            period = HEARTBEAT_SECONDS
            now = loop.time()
            for group in list(self._subscribers.values()):
                for subscriber in group:
                    if now >= subscriber.beat_due:
                        subscriber.beat_due = now + period
                        subscriber.beat = True
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
