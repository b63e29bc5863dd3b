"""The reads every client makes every few seconds, run straight on the pooled DB-API connection.

An incremental ``/sync`` is a handful of tiny indexed reads (who is calling, their scopes,
the change number, scope events, the delta). Through SQLAlchemy Core each one costs about
250 µs of Python — statement, cache key, result proxies, an autobegin — against about 10 µs
of database work, and under 200 clients that Python is what saturates a server process
(bench/RESULTS.md). So these few fixed SELECTs are written once, in SQL both databases
accept, and run on the DB-API cursor of a connection from the engine's own pool. Everything
else keeps using SQLAlchemy Core.

Placeholders are written ``?`` and become ``%s`` for psycopg; a list parameter is written
``{name}`` after its column and becomes ``IN (?, ?, …)`` on SQLite and ``= ANY(%s)`` on
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from . import feed


@dataclass(frozen=True)
class DeviceRow:
    """A device found by its token hash, with its user."""

    device_id: str
    revoked_at: str | None
    user_id: str
    handle: str
    is_admin: bool


class Dialect:
    """SQL text for one database: placeholders and list parameters."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self._cache: dict[tuple[str, tuple[int, ...]], str] = {}

    def sql(self, text: str, lists: Sequence[Sequence[Any]] = ()) -> str:
        """TEXT with its placeholders for this database; LISTS fill its ``{}`` list slots in order."""
        key = (text, tuple(len(values) for values in lists))
        found = self._cache.get(key)
        if found is not None:
            return found
        if self.postgres:
            rendered = text.replace("?", "%s").format(*("= ANY(%s)" for _ in lists))
        else:
            rendered = text.format(*("IN (" + ", ".join("?" * len(values)) + ")" for values in lists))
        if len(self._cache) < 512:
            self._cache[key] = rendered
        return rendered

    def list_params(self, values: Sequence[Any]) -> list[Any]:
        """The parameters one list slot takes: its items on SQLite, the list itself on PostgreSQL."""
        return [list(values)] if self.postgres else list(values)


_CALLER = """
SELECT d.id, d.revoked_at, u.id, u.handle, u.is_admin
FROM devices d JOIN users u ON u.id = d.user_id
WHERE d.token_hash = ?
"""
_SYNC_COMMUNITIES = """
SELECT community_id FROM memberships WHERE user_id = ?
UNION ALL
SELECT id FROM communities WHERE kind = 'announcements' AND visibility = 'public'
"""
_CURRENT_SEQ = "SELECT value FROM sync_counter WHERE id = 1"
_SCOPE_EVENTS = """
SELECT scope, op FROM scope_events
WHERE (user_id = ? OR user_id IS NULL) AND seq > ? AND seq <= ?
ORDER BY seq
"""
_PUBLIC_COMMUNITY_CARD = """
SELECT c.data FROM change_log c JOIN communities m ON m.id = c.object_id
WHERE c.type = 'community' AND c.object_id = ? AND m.visibility = 'public'
"""
_RETAINED = "(ts IS NULL OR ts >= ? OR keep = ?)"
_BACKFILL = f"""
SELECT type, object_id, op, data, seq FROM change_log
WHERE scope {{}} AND seq > ? AND seq <= ? AND op = 'upsert' AND {_RETAINED}
ORDER BY seq LIMIT ?
"""
# coalesce() keeps the planner on the change-number index: walking it in order and stopping
# at LIMIT beats collecting every row of every scope and sorting them (measured 12x on a
# 750k-row feed, SQLite; PostgreSQL plans the same way).
_DELTA = """
SELECT type, object_id, op, data, seq FROM change_log
WHERE seq > ? AND seq <= ? AND coalesce(scope, '') {}
ORDER BY seq LIMIT ?
"""
_DELTA_RETAINED = f"""
SELECT type, object_id, op, data, seq FROM change_log
WHERE seq > ? AND seq <= ? AND coalesce(scope, '') {{}} AND {_RETAINED}
ORDER BY seq LIMIT ?
"""

ChangeRow = tuple[str, str, str, str | None, int]


class Snapshot:
    """Reads on one connection inside one read transaction."""

    def __init__(self, cursor: Any, dialect: Dialect) -> None:
        self._cursor = cursor
        self._dialect = dialect

    def _rows(self, text: str, params: Sequence[Any], lists: Sequence[Sequence[Any]] = ()) -> list[Any]:
        self._cursor.execute(self._dialect.sql(text, lists), params)
        rows: list[Any] = self._cursor.fetchall()
        return rows

    def device(self, token_hash: str) -> DeviceRow | None:
        rows = self._rows(_CALLER, (token_hash,))
        if not rows:
            return None
        device_id, revoked_at, user_id, handle, is_admin = rows[0]
        return DeviceRow(device_id, revoked_at, user_id, handle, bool(is_admin))

    def sync_scopes(self, user_id: str) -> set[str]:
        """The scopes USER_ID's sync carries besides everyone's: joined communities, public
        announcement communities, and their own (the same rule as ``access.sync_scopes``)."""
        scopes = {feed.community_scope(cid) for (cid,) in self._rows(_SYNC_COMMUNITIES, (user_id,))}
        scopes.add(feed.user_scope(user_id))
        return scopes

    def current_seq(self) -> int:
        return int(self._rows(_CURRENT_SEQ, ())[0][0])

    def scope_events(self, user_id: str, after: int, upto: int) -> list[tuple[str, str]]:
        return [(scope, op) for scope, op in self._rows(_SCOPE_EVENTS, (user_id, after, upto))]

    def public_community_card(self, community_id: str) -> str | None:
        rows = self._rows(_PUBLIC_COMMUNITY_CARD, (community_id,))
        return rows[0][0] if rows else None

    def backfill(
        self, gains: Sequence[str], after: int, upto: int, cutoff: str, limit: int
    ) -> list[ChangeRow]:
        """Upserts in GAINS' scopes numbered in (AFTER, UPTO] and retained since CUTOFF."""
        d = self._dialect
        params = [*d.list_params(gains), after, upto, cutoff, True, limit]
        return self._rows(_BACKFILL, params, [gains])

    def delta(
        self, after: int, upto: int, scopes: Sequence[str], cutoff: str | None, limit: int
    ) -> list[ChangeRow]:
        """Changes in SCOPES (``""`` for everyone's) numbered in (AFTER, UPTO], in order; with a
        CUTOFF only those retained since it."""
        d = self._dialect
        if cutoff is None:
            return self._rows(_DELTA, [after, upto, *d.list_params(scopes), limit], [scopes])
        params = [after, upto, *d.list_params(scopes), cutoff, True, limit]
        return self._rows(_DELTA_RETAINED, params, [scopes])


class HotReads:
    """Opens read snapshots on ENGINE's pooled connections."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dialect = Dialect(postgres=engine.dialect.name == "postgresql")

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """One read transaction: every read sees the same committed state (SQLite WAL snapshot;
        on PostgreSQL the change counter's row lock orders commits, as for Core reads)."""
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                if not self._dialect.postgres:
                    cursor.execute("BEGIN")
                yield Snapshot(cursor, self._dialect)
            finally:
                cursor.close()
                connection.rollback()
        finally:
            connection.close()  # back to the pool
