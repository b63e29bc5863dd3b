"""Writing the sync feed: change sequence numbers, object rows in ``change_log`` and scope events.

Every write that a client must learn about goes through ``record_upsert`` or
``record_delete`` (or ``restamp``, for a change of retention) inside the write's
own transaction, so the feed can never drift from the tables it mirrors.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import BigInteger, Connection, Select, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .schema import change_log, scope_events, sync_counter

EVERYONE: str | None = None


def community_scope(community_id: str) -> str:
    return f"community:{community_id}"


def user_scope(user_id: str) -> str:
    return f"user:{user_id}"


def author_scope(user_id: str) -> str:
    """The scope of a person's posts in public communities: their followers sync those too."""
    return f"author:{user_id}"


def is_author_scope(scope: str) -> bool:
    return scope.startswith("author:")


def next_seq(conn: Connection) -> int:
    """Take the next change number; holds the counter's row lock until commit."""
    value = conn.execute(
        update(sync_counter)
        .where(sync_counter.c.id == 1)
        .values(value=sync_counter.c.value + 1)
        .returning(sync_counter.c.value)
    ).scalar_one()
    touched = conn.info.setdefault("atrium_touched", set())
    touched.add(int(value))
    return int(value)


def restamp(conn: Connection, kind: str, object_ids: Select[tuple[str]], *, keep: bool) -> int:
    """Give the live objects of KIND whose ids OBJECT_IDS selects new change numbers and KEEP,
    their data unchanged: a change of retention (a post pinned or unpinned) reaches every client
    like any change, in one statement however many objects it covers. Returns how many."""
    # Taking the counter's row lock first: no other writer can add or renumber a row until commit.
    base = conn.execute(
        update(sync_counter)
        .where(sync_counter.c.id == 1)
        .values(value=sync_counter.c.value)
        .returning(sync_counter.c.value)
    ).scalar_one()
    numbered = (
        select(change_log.c.object_id, func.row_number().over(order_by=change_log.c.seq).label("n"))
        .where(change_log.c.type == kind, change_log.c.op == "upsert", change_log.c.object_id.in_(object_ids))
        .subquery()
    )
    count = conn.execute(
        update(change_log)
        .where(change_log.c.type == kind, change_log.c.object_id == numbered.c.object_id)
        .values(seq=literal(base, BigInteger) + numbered.c.n, keep=keep)
    ).rowcount
    if count:
        conn.execute(update(sync_counter).where(sync_counter.c.id == 1).values(value=base + count))
        conn.info.setdefault("atrium_touched", set()).add(int(base + count))
    return int(count)


def current_seq(conn: Connection) -> int:
    return int(conn.execute(select(sync_counter.c.value).where(sync_counter.c.id == 1)).scalar_one())


def _upsert_statement(conn: Connection, row: dict[str, Any]) -> Any:
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    stmt = dialect.insert(change_log).values(**row)
    return stmt.on_conflict_do_update(
        index_elements=[change_log.c.type, change_log.c.object_id],
        set_={key: stmt.excluded[key] for key in row if key not in ("type", "object_id")},
    )


def record_upsert(
    conn: Connection,
    kind: str,
    object_id: str,
    data: dict[str, Any],
    scope: str | None,
    *,
    ts: str | None = None,
    keep: bool = False,
    author: str | None = None,
) -> int:
    """Publish the current DATA of an object in SCOPE. AUTHOR (a post in a public community):
    its author's followers receive it too (``author_scope``)."""
    seq = next_seq(conn)
    conn.execute(
        _upsert_statement(
            conn,
            {
                "type": kind,
                "object_id": object_id,
                "seq": seq,
                "scope": scope,
                "op": "upsert",
                "ts": ts,
                "keep": keep,
                "data": orjson.dumps(data).decode(),
                "author_scope": None if author is None else author_scope(author),
            },
        )
    )
    return seq


def record_delete(conn: Connection, kind: str, object_id: str, scope: str | None) -> int:
    """Publish a tombstone. It keeps the row's ``author_scope``, so followers hear of it too."""
    seq = next_seq(conn)
    conn.execute(
        _upsert_statement(
            conn,
            {
                "type": kind,
                "object_id": object_id,
                "seq": seq,
                "scope": scope,
                "op": "delete",
                "ts": None,
                "keep": False,
                "data": None,
            },
        )
    )
    return seq


def record_scope_event(conn: Connection, user_id: str | None, scope: str, op: str) -> int:
    """Note that USER_ID (None: everyone) gained ('gain') or lost ('lose') read access to SCOPE."""
    seq = next_seq(conn)
    conn.execute(scope_events.insert().values(seq=seq, user_id=user_id, scope=scope, op=op))
    return seq


def stored_object(conn: Connection, kind: str, object_id: str) -> dict[str, Any] | None:
    """The current JSON of an object as the feed holds it (None when absent or deleted)."""
    data = conn.execute(
        select(change_log.c.data).where(change_log.c.type == kind, change_log.c.object_id == object_id)
    ).scalar_one_or_none()
    return None if data is None else orjson.loads(data)
