"""Connection plumbing shared by every module: what counts as "a cache", and write transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol


class HasConnection(Protocol):
    """Anything holding an open cache connection (``Cache`` does)."""

    @property
    def conn(self) -> sqlite3.Connection: ...


CacheLike = HasConnection | sqlite3.Connection
"""Public functions accept a ``Cache`` or its ``conn`` (e.g. inside a caller's transaction)."""

# sqlite3 binds None as NULL only after searching for an adapter and failing twice, with an
# AttributeError message formatted each time: a tenth of a comment's write in a first sync.
# An adapter registered for None (returning None, so still NULL) is found at the first look.
# It is process-wide and changes nothing but speed for every other sqlite3 user.
sqlite3.register_adapter(type(None), {None: None}.get)


def connection_of(target: CacheLike) -> sqlite3.Connection:
    return target if isinstance(target, sqlite3.Connection) else target.conn


_HELD_SAVEPOINT = "held_write"
_held: dict[int, sqlite3.Connection] = {}
"""Connections with a transaction held open by held_transaction (sqlite3 connections take no weak
references; holding the connection itself keeps its id from being reused while it is listed)."""
_writing_held: set[int] = set()
"""Connections inside a held_transaction block now: writes there are part of the block."""


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One ``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back on any exception.

    Inside a transaction already open on this connection it joins it, so the outer
    transaction decides (an exception still propagates and rolls the outer one back).
    A transaction held open between ``held_transaction`` blocks is not joined but committed
    first: its pages are complete, and this write must stand or fall on its own.
    """
    if conn.in_transaction:
        if _held.get(id(conn)) is not conn or id(conn) in _writing_held:
            yield conn
            return
        commit_held(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def held_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Write inside a transaction that stays open for later writes; ``commit_held`` ends it.

    Begins one, or joins the one already open (a caller's own transaction then stays the
    caller's to commit). On an exception only this block's writes are undone (a savepoint) and
    earlier held writes stay for the commit.
    Several sync pages in one commit write each shared index page to the WAL once instead of
    once a page: a first sync wrote 99 MB instead of 140 MB (bench/RESULTS.md).
    """
    if not conn.in_transaction:
        conn.execute("BEGIN IMMEDIATE")
        _held[id(conn)] = conn
    conn.execute(f"SAVEPOINT {_HELD_SAVEPOINT}")
    _writing_held.add(id(conn))
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute(f"ROLLBACK TO {_HELD_SAVEPOINT}")
            conn.execute(f"RELEASE {_HELD_SAVEPOINT}")
        raise
    finally:
        _writing_held.discard(id(conn))
    conn.execute(f"RELEASE {_HELD_SAVEPOINT}")


def commit_held(target: CacheLike) -> bool:
    """Commit the transaction held_transaction left open. False when there is none: nothing was
    held, a write_transaction already committed it, or SQLite rolled it back after an I/O error."""
    conn = connection_of(target)
    if _held.pop(id(conn), None) is not conn or not conn.in_transaction:
        return False
    conn.execute("COMMIT")
    return True


def database_file(conn: sqlite3.Connection) -> Path:
    """The file behind the connection's main database."""
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file)
    raise ValueError("the cache connection has no database file (in-memory databases are not supported)")
