"""What the cache keeps: the post retention window, body eviction under a size cap, read marks.

Kept always: wiki pages, pinned posts, announcements, and anything with unsent local work
(a pending post/comment/reaction, or an outbox entry about the post or one of its comments).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

import orjson

from .changeset import ChangeSet
from .clock import days_before_iso, now_iso
from .db import CacheLike, connection_of, write_transaction
from .purge import collect_doomed_posts, delete_doomed_posts

_THREAD_COMMENTS = "(SELECT id FROM comments WHERE post_id = p.id)"
_HAS_LOCAL_WORK = f"""(
    p.pending = 1
    OR EXISTS (SELECT 1 FROM comments WHERE post_id = p.id AND pending = 1)
    OR EXISTS (SELECT 1 FROM reactions WHERE target_id = p.id AND pending = 1)
    OR EXISTS (SELECT 1 FROM reactions WHERE target_id IN {_THREAD_COMMENTS} AND pending = 1)
    OR EXISTS (SELECT 1 FROM outbox WHERE object_id = p.id OR object_id IN {_THREAD_COMMENTS})
)"""
_ALWAYS_KEPT = f"(p.pinned = 1 OR p.kind = 'announcement' OR {_HAS_LOCAL_WORK})"
EVICTION_BATCH = 200
"""Threads per eviction transaction, so the sync engine never waits long for the write lock."""


@dataclass(frozen=True)
class RetentionReport:
    posts_deleted: int
    bodies_evicted: int  # posts and comments whose body was dropped
    size_before: int  # bytes in use by the database (free pages excluded)
    size_after: int
    changes: ChangeSet


def database_size(target: CacheLike) -> int:
    """Bytes the database uses (its pages minus free pages)."""
    conn = connection_of(target)
    pages = (
        conn.execute("PRAGMA page_count").fetchone()[0] - conn.execute("PRAGMA freelist_count").fetchone()[0]
    )
    return int(pages * conn.execute("PRAGMA page_size").fetchone()[0])


def mark_read(target: CacheLike, post_id: str, *, at: datetime | None = None) -> None:
    """The user opened the thread: it becomes the last candidate for body eviction."""
    conn = connection_of(target)
    with write_transaction(conn):
        conn.execute("UPDATE posts SET last_read_at = ? WHERE id = ?", (now_iso(at), post_id))


def _threads_to_evict(conn: sqlite3.Connection, excess: int) -> list[str]:
    """The least recently read threads whose bodies add up to about ``excess`` bytes."""
    threads = conn.execute(
        f"SELECT p.id FROM posts p WHERE NOT {_ALWAYS_KEPT} "
        "AND (p.body_evicted = 0 OR EXISTS (SELECT 1 FROM comments WHERE post_id = p.id AND body_evicted = 0)) "
        "ORDER BY ifnull(p.last_read_at, p.created_at), p.created_at, p.id"
    )
    chosen: list[str] = []
    for (post_id,) in threads:
        if excess <= 0:
            break
        freed = conn.execute(
            "SELECT (SELECT ifnull(length(CAST(body AS BLOB)), 0) FROM posts WHERE id = ?1) "
            "+ (SELECT ifnull(sum(length(CAST(body AS BLOB))), 0) FROM comments WHERE post_id = ?1)",
            (post_id,),
        ).fetchone()[0]
        chosen.append(post_id)
        excess -= freed
    return chosen


def _evict_threads(conn: sqlite3.Connection, post_ids: list[str], changes: ChangeSet) -> int:
    """Drop the bodies of these threads (post + comments), re-checking inside the transaction
    that none has gained local work meanwhile. Returns the number of bodies dropped."""
    still_evictable = [
        row[0]
        for row in conn.execute(
            f"SELECT p.id FROM posts p WHERE p.id IN (SELECT value FROM json_each(?)) AND NOT {_ALWAYS_KEPT}",
            (orjson.dumps(post_ids).decode(),),
        )
    ]
    evicted = 0
    for post_id in still_evictable:
        evicted += conn.execute(
            "UPDATE posts SET body = '', body_evicted = 1 WHERE id = ? AND body_evicted = 0", (post_id,)
        ).rowcount
        ids = [
            row[0]
            for row in conn.execute(
                "UPDATE comments SET body = '', body_evicted = 1 WHERE post_id = ? AND body_evicted = 0 "
                "AND pending = 0 RETURNING id",
                (post_id,),
            )
        ]
        evicted += len(ids)
        changes.add("post", post_id)
        changes.add_all("comment", ids)
    return evicted


def enforce_retention(
    target: CacheLike,
    days: float = 90,
    size_cap_bytes: int | None = None,
    *,
    now: datetime | None = None,
    compact: bool = False,
) -> RetentionReport:
    """Delete posts older than ``days`` (with their comments and reactions) except those always
    kept; then, if the database still uses more than ``size_cap_bytes``, drop bodies (``body = ''``,
    ``body_evicted = 1``) of the least recently read threads first, about as many bytes as the
    excess, in batches of short transactions. Wiki pages are never touched. Idempotent: run it
    after syncs or daily.

    Freed pages go back to the file system at once; space freed inside pages (evicted bodies) is
    only reclaimed by ``compact=True``, a VACUUM that rewrites the file (slow: run it when idle).
    """
    conn = connection_of(target)
    changes = ChangeSet()
    size_before = database_size(conn)
    with write_transaction(conn):
        collect_doomed_posts(
            conn,
            f"SELECT p.id FROM posts p WHERE p.created_at < ? AND NOT {_ALWAYS_KEPT}",
            (days_before_iso(days, now),),
        )
        delete_doomed_posts(conn, changes)
    posts_deleted = len(changes.get("post", ()))
    evicted = 0
    excess = database_size(conn) - size_cap_bytes if size_cap_bytes is not None else 0
    if excess > 0:
        # Sized once by body bytes: re-measuring pages would evict far more than needed, since
        # space freed inside a page does not lower the page count.
        chosen = _threads_to_evict(conn, excess)
        for start in range(0, len(chosen), EVICTION_BATCH):
            with write_transaction(conn):
                evicted += _evict_threads(conn, chosen[start : start + EVICTION_BATCH], changes)
    if not conn.in_transaction:
        conn.execute("PRAGMA incremental_vacuum").fetchall()  # runs as it is stepped
        if compact and (posts_deleted or evicted):
            conn.execute("VACUUM")
    return RetentionReport(posts_deleted, evicted, size_before, database_size(conn), changes)
