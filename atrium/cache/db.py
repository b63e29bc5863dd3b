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


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One ``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back on any exception.

    Inside a transaction already open on this connection it joins it, so the outer
    transaction decides (an exception still propagates and rolls the outer one back).
    """
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


_HELD_SAVEPOINT = "held_write"


@contextmanager
def held_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Write inside a transaction that stays open for later writes; ``commit_held`` ends it.

    Joins the transaction already open on this connection or begins one. On an exception only
    this block's writes are undone (a savepoint) and earlier held writes stay for the commit.
    Several sync pages in one commit write each shared index page to the WAL once instead of
    once a page, a fifth of a first sync's apply time (bench/RESULTS.md).
    """
    if not conn.in_transaction:
        conn.execute("BEGIN IMMEDIATE")
    conn.execute(f"SAVEPOINT {_HELD_SAVEPOINT}")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute(f"ROLLBACK TO {_HELD_SAVEPOINT}")
            conn.execute(f"RELEASE {_HELD_SAVEPOINT}")
        raise
    conn.execute(f"RELEASE {_HELD_SAVEPOINT}")


def commit_held(target: CacheLike) -> bool:
    """Commit the transaction held_transaction left open; False when none was open."""
    conn = connection_of(target)
    if not conn.in_transaction:
        return False
    conn.execute("COMMIT")
    return True


def database_file(conn: sqlite3.Connection) -> Path:
    """The file behind the connection's main database."""
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file)
    raise ValueError("the cache connection has no database file (in-memory databases are not supported)")
