"""The reads every client makes every few seconds, run straight on the pooled DB-API connection.

An incremental ``/sync`` is a handful of tiny indexed reads (who is calling, their scopes,
the change number, scope events, the delta). Through SQLAlchemy Core each one costs about
250 µs of Python — statement, cache key, result proxies, an autobegin — against about 10 µs
of database work, and under 200 clients that Python is what saturates a server process
(bench/RESULTS.md). So these few fixed SELECTs are written once, in SQL both databases
accept, and run on the DB-API cursor of a pooled connection (see ``HotReads``). Everything
else keeps using SQLAlchemy Core.

Placeholders are written ``?`` and become ``%s`` for psycopg; a list parameter is written
``{}`` after its column and becomes ``IN (?, ?, …)`` on SQLite and ``= ANY(%s)`` on
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine

from . import feed


@dataclass(frozen=True)
class DeviceRow:
    """A device found by its token hash, with its user."""

    device_id: str
    revoked_at: str | None
    user_id: str
    handle: str
    is_admin: bool
    # The change number when the row was read. It comes in the same statement so that a sync
    # round's target is read before the caller's scopes (see ``Snapshot``).
    seq_now: int


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
SELECT d.id, d.revoked_at, u.id, u.handle, u.is_admin, (SELECT value FROM sync_counter WHERE id = 1)
FROM devices d JOIN users u ON u.id = d.user_id
WHERE d.token_hash = ?
"""
# The communities a sync carries besides joined ones: public announcement communities.
_ANNOUNCEMENT_COMMUNITIES = (
    "SELECT id FROM communities WHERE kind = 'announcements' AND visibility = 'public'"
)
# A sync's scopes besides everyone's, tagged 1 for a community and 2 for a followed person.
_SYNC_SCOPES = f"""
SELECT 1, community_id FROM memberships WHERE user_id = ?
UNION ALL
SELECT 1, c.id FROM ({_ANNOUNCEMENT_COMMUNITIES}) c
UNION ALL
SELECT 2, target_id FROM follows WHERE user_id = ? AND target_type = 'user'
"""
# The caller of a sync and the scopes it carries, in one round trip: a row tagged 0 for the
# device, then one tagged 1 for each community and 2 for each followed person.
_SYNC_CALLER = f"""
SELECT 0, d.id, d.revoked_at, u.id, u.handle, u.is_admin, (SELECT value FROM sync_counter WHERE id = 1)
FROM devices d JOIN users u ON u.id = d.user_id WHERE d.token_hash = ?
UNION ALL
SELECT 1, m.community_id, NULL, NULL, NULL, NULL, NULL
FROM memberships m JOIN devices d ON d.user_id = m.user_id WHERE d.token_hash = ?
UNION ALL
SELECT 1, c.id, NULL, NULL, NULL, NULL, NULL FROM ({_ANNOUNCEMENT_COMMUNITIES}) c
UNION ALL
SELECT 2, f.target_id, NULL, NULL, NULL, NULL, NULL
FROM follows f JOIN devices d ON d.user_id = f.user_id WHERE d.token_hash = ? AND f.target_type = 'user'
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
# Author scopes live in their own column (a post has its community's scope too): a scope list
# is matched against both columns.
_BACKFILL = f"""
SELECT type, object_id, op, data, seq FROM change_log
WHERE (scope {{}} OR author_scope {{}}) AND seq > ? AND seq <= ? AND op = 'upsert' AND {_RETAINED}
ORDER BY seq LIMIT ?
"""
# coalesce() keeps the planner on the change-number index: walking it in order and stopping
# at LIMIT beats collecting every row of every scope and sorting them (measured 12x on a
# 750k-row feed, SQLite; PostgreSQL plans the same way).
_DELTA = """
SELECT type, object_id, op, data, seq FROM change_log
WHERE seq > ? AND seq <= ? AND (coalesce(scope, '') {} OR coalesce(author_scope, '') {})
ORDER BY seq LIMIT ?
"""
_DELTA_RETAINED = f"""
SELECT type, object_id, op, data, seq FROM change_log
WHERE seq > ? AND seq <= ? AND (coalesce(scope, '') {{}} OR coalesce(author_scope, '') {{}})
AND {_RETAINED}
ORDER BY seq LIMIT ?
"""

ChangeRow = tuple[str, str, str, str | None, int]


def _scopes(user_id: str, tagged: Sequence[tuple[int, str]]) -> set[str]:
    """A sync's scopes: the user's own, and from TAGGED rows communities (1) and authors (2)."""
    scopes = {feed.user_scope(user_id)}
    for tag, target in tagged:
        scopes.add(feed.community_scope(target) if tag == 1 else feed.author_scope(target))
    return scopes


class Snapshot:
    """Reads on one connection. On SQLite they share one read transaction (a WAL snapshot).
    On PostgreSQL each statement sees what was committed when it ran (autocommit: no BEGIN
    and ROLLBACK round trips); callers read the change number first — writers take numbers
    under the counter's row lock, so every change at or below a number read is committed —
    and then anything they read later is at least as new, which the sync rounds allow for."""

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
        device_id, revoked_at, user_id, handle, is_admin, seq_now = rows[0]
        return DeviceRow(device_id, revoked_at, user_id, handle, bool(is_admin), int(seq_now))

    def sync_caller(self, token_hash: str) -> tuple[DeviceRow | None, set[str]]:
        """The device of TOKEN_HASH (as ``device``) and its user's sync scopes (as ``sync_scopes``)."""
        device: DeviceRow | None = None
        tagged: list[tuple[int, str]] = []
        for tag, first, revoked_at, user_id, handle, is_admin, seq_now in self._rows(
            _SYNC_CALLER, (token_hash, token_hash, token_hash)
        ):
            if tag == 0:
                device = DeviceRow(first, revoked_at, user_id, handle, bool(is_admin), int(seq_now))
            else:
                tagged.append((tag, first))
        if device is None:
            return None, set()
        return device, _scopes(device.user_id, tagged)

    def sync_scopes(self, user_id: str) -> set[str]:
        """The scopes USER_ID's sync carries besides everyone's: joined communities, public
        announcement communities, followed people's posts, and their own."""
        return _scopes(user_id, self._rows(_SYNC_SCOPES, (user_id, user_id)))

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
        params = [*d.list_params(gains), *d.list_params(gains), after, upto, cutoff, True, limit]
        return self._rows(_BACKFILL, params, [gains, gains])

    def delta(
        self, after: int, upto: int, scopes: Sequence[str], cutoff: str | None, limit: int
    ) -> list[ChangeRow]:
        """Changes in SCOPES (``""`` for everyone's) numbered in (AFTER, UPTO], in order; with a
        CUTOFF only those retained since it."""
        d = self._dialect
        authors = [scope for scope in scopes if feed.is_author_scope(scope)]
        lists = [scopes, authors]
        matched = [*d.list_params(scopes), *d.list_params(authors)]
        if cutoff is None:
            return self._rows(_DELTA, [after, upto, *matched, limit], lists)
        return self._rows(_DELTA_RETAINED, [after, upto, *matched, cutoff, True, limit], lists)


T = TypeVar("T")


class HotReads:
    """Runs reads on pooled connections: ENGINE's own pool on SQLite; on PostgreSQL a small
    autocommit pool of its own, without a ping on every checkout (a connection found dead is
    dropped and the read tried once more on a fresh one)."""

    def __init__(self, engine: Engine, *, pool_size: int = 16) -> None:
        self._postgres = engine.dialect.name == "postgresql"
        self._dialect = Dialect(postgres=self._postgres)
        self._engine = engine
        if self._postgres:
            self._engine = create_engine(
                engine.url,
                isolation_level="AUTOCOMMIT",
                pool_size=pool_size,
                max_overflow=pool_size // 4,
                connect_args={"connect_timeout": 10},
            )

    def read(self, work: Callable[[Snapshot], T]) -> T:
        """WORK's answer, given a snapshot (it may run twice if a connection was dead)."""
        for attempt in range(2):
            connection = self._engine.raw_connection()
            try:
                return self._run(connection, work)
            except self._engine.dialect.loaded_dbapi.Error as error:
                if attempt or not self._engine.dialect.is_disconnect(error, connection, None):
                    raise
                connection.invalidate(error)  # closes it for good; the pool opens a new one
            finally:
                connection.close()  # back to the pool (a no-op once invalidated)
        raise AssertionError("unreachable")

    def _run(self, connection: Any, work: Callable[[Snapshot], T]) -> T:
        cursor = connection.cursor()
        try:
            if not self._postgres:
                cursor.execute("BEGIN")
            try:
                return work(Snapshot(cursor, self._dialect))
            finally:
                if not self._postgres:
                    connection.rollback()
        finally:
            cursor.close()

    def dispose(self) -> None:
        if self._postgres:
            self._engine.dispose()
