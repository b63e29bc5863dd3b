"""The sync engine's bookkeeping: which server and user this cache belongs to, and the cursor."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .clock import now_iso
from .db import CacheLike, connection_of, write_transaction


@dataclass(frozen=True)
class SyncState:
    server: str | None
    user_id: str | None
    cursor: str | None
    last_sync_at: str | None


def read_sync_state(target: CacheLike) -> SyncState:
    rows = dict(connection_of(target).execute("SELECT key, value FROM sync_state"))
    return SyncState(rows.get("server"), rows.get("user_id"), rows.get("cursor"), rows.get("last_sync_at"))


def set_identity(target: CacheLike, server: str, user_id: str) -> None:
    """Record whose cache this is. A different server or user needs a wiped cache (the caller decides)."""
    conn = connection_of(target)
    with write_transaction(conn):
        _put(conn, "server", server)
        _put(conn, "user_id", user_id)


def current_user_id(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = 'user_id'").fetchone()
    return row[0] if row else None


def store_cursor(conn: sqlite3.Connection, cursor: str) -> None:
    """Store the cursor (inside the transaction that applied its page)."""
    _put(conn, "cursor", cursor)
    _put(conn, "last_sync_at", now_iso())


def _put(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
