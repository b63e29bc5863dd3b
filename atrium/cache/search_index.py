"""Keeping the full-text index in step with its tables: watermark, bulk catch-up and rebuild.

Design: each searchable table has an *external-content* FTS5 table (``<table>_fts``, content
read back from the table, so bodies are stored once and ``snippet()`` works; a contentless
table could not produce snippets and would need the old values for deletes anyway). A
watermark per table (``search_state.indexed_upto``) splits the rows: those with
``seq <= indexed_upto`` are in the index, kept exact by triggers on insert/update/delete;
those above are not indexed yet. New rows always get a ``seq`` above the watermark unless the
trigger indexes them, so a big first sync writes rows only (readable at once) and
``catch_up`` indexes the tail afterwards in bulk, in rowid order, in bounded slices if wanted.
Small incremental pages are caught up inside their own transaction (see apply.py).

The triggers cost every row they could fire for, even when their condition is false. So a bulk
upsert whose rows all lie above the watermark (a first sync, a big backfill) runs with the
insert and update triggers dropped and re-created around it, inside its own transaction: DDL in
SQLite is transactional, so no other connection ever sees the table without them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import orjson

from .db import CacheLike, connection_of, write_transaction

SEARCHABLE: dict[str, tuple[str, ...]] = {
    "posts": ("title", "body"),
    "comments": ("body",),
    "wiki_pages": ("title", "body"),
    "users": ("display_name", "handle", "department", "title"),
}


FTS_HASH_SIZE = 8 * 1024 * 1024
"""FTS5 flushes its pending terms to a new segment each time they pass ``hashsize`` (1 MiB by
default) and merges segments as they pile up; at 8 MiB a first sync's bulk index build took
0.26 s instead of 0.32 s (bench/RESULTS.md). It also bounds the memory of one transaction."""


def tune_full_text(conn: sqlite3.Connection) -> None:
    """Give every full-text table the flush size above, once. A setting SQLite keeps in the FTS5
    table itself, not a format change: older versions of Atrium open the file as before."""
    for table in SEARCHABLE:
        found = conn.execute(f"SELECT v FROM {table}_fts_config WHERE k = 'hashsize'").fetchone()
        if found is None or found[0] != FTS_HASH_SIZE:
            with write_transaction(conn):
                conn.execute(
                    f"INSERT INTO {table}_fts ({table}_fts, rank) VALUES ('hashsize', ?)", (FTS_HASH_SIZE,)
                )


def watermark(conn: sqlite3.Connection, table: str) -> int:
    row = conn.execute("SELECT indexed_upto FROM search_state WHERE name = ?", (table,)).fetchone()
    return int(row[0]) if row else 0


def _set_watermark(conn: sqlite3.Connection, table: str, upto: int) -> None:
    conn.execute("UPDATE search_state SET indexed_upto = ? WHERE name = ?", (upto, table))


def triggers_would_idle(conn: sqlite3.Connection, table: str, ids: Sequence[str]) -> bool:
    """Whether upserting these ids into TABLE cannot fire its insert or update index trigger:
    no existing row of them is at or below the watermark, and a new row cannot get a ``seq``
    there either (SQLite gives a new row the largest ``seq`` + 1)."""
    upto = watermark(conn, table)
    if upto == 0:
        return True
    top = conn.execute(f"SELECT ifnull(max(seq), 0) FROM {table}").fetchone()[0]
    if top < upto:
        return False
    found = conn.execute(
        f"SELECT EXISTS (SELECT 1 FROM {table} WHERE id IN (SELECT value FROM json_each(?)) AND seq <= ?)",
        (orjson.dumps(list(ids)).decode(), upto),
    ).fetchone()[0]
    return not found


@contextmanager
def index_triggers_suspended(conn: sqlite3.Connection, table: str) -> Iterator[None]:
    """Inside the caller's transaction: TABLE's insert and update index triggers are gone for the
    block and re-created exactly as they were after it, whatever happens in it."""
    names = (f"{table}_fts_insert", f"{table}_fts_update")
    saved = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)", names
    ).fetchall()
    assert conn.in_transaction, "suspend index triggers only inside a write transaction"
    for name, _ in saved:
        conn.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        for _, sql in saved:
            conn.execute(sql)


def search_backlog(target: CacheLike) -> int:
    """About how many rows are readable but not searchable yet: an upper bound found in O(log n),
    exactly 0 when the index is complete (show "indexing…" while it is not)."""
    return estimated_backlog(connection_of(target))


def catch_up_search(target: CacheLike, max_rows: int | None = None) -> int:
    """Index rows above the watermark, oldest first, at most ``max_rows`` per table (None = all).

    One transaction (or the caller's). Returns how many rows were indexed; call again until 0
    to work through a large backlog in slices that never hold the write lock for long.
    """
    conn = connection_of(target)
    indexed = 0
    with write_transaction(conn):
        for table, columns in SEARCHABLE.items():
            names = ", ".join(columns)
            start = watermark(conn, table)
            if max_rows is None:
                end = conn.execute(f"SELECT max(seq) FROM {table}").fetchone()[0]
            else:
                end = conn.execute(
                    f"SELECT max(seq) FROM (SELECT seq FROM {table} WHERE seq > ? ORDER BY seq LIMIT ?)",
                    (start, max_rows),
                ).fetchone()[0]
            if end is None or end <= start:
                continue
            cursor = conn.execute(
                f"INSERT INTO {table}_fts (rowid, {names}) "
                f"SELECT seq, {names} FROM {table} WHERE seq > ? AND seq <= ? ORDER BY seq",
                (start, end),
            )
            indexed += cursor.rowcount
            _set_watermark(conn, table, end)
    return indexed


def reindex_search(target: CacheLike) -> None:
    """Rebuild every full-text index from its table, in one transaction (repair or bulk build)."""
    conn = connection_of(target)
    with write_transaction(conn):
        for table in SEARCHABLE:
            conn.execute(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('rebuild')")
            end = conn.execute(f"SELECT ifnull(max(seq), 0) FROM {table}").fetchone()[0]
            _set_watermark(conn, table, int(end))


def estimated_backlog(conn: sqlite3.Connection) -> int:
    """An upper bound of the unindexed rows, in O(log n) (exactly 0 when the index is complete)."""
    total = 0
    for table in SEARCHABLE:
        top = conn.execute(f"SELECT max(seq) FROM {table}").fetchone()[0]
        if top is not None:
            total += max(0, int(top) - watermark(conn, table))
    return total
