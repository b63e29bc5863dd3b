"""Rescuing a person's own work from a damaged cache file into the fresh one that replaces it.

A damaged cache is moved aside and a fresh one is synced from the server (``store.open_cache``).
The server has everything except what only this computer held: the changes not sent yet (the
outbox, and the rows they show as "sending": ``pending = 1``), the drafts, and wiki edits kept as
a conflict. Those are read from the damaged copy as
far as SQLite can still read it (table by table, row by row: a damaged page ends a table's rows
there, not the rescue) and written into the fresh cache, with whose copy it was, so that
``Session.start`` never sends one person's work as another's. Without a readable owner nothing
is rescued: the damaged copy stays beside the cache, as before.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .db import write_transaction
from .objects import SPECS

log = logging.getLogger(__name__)

RESCUED_TABLES = ("outbox", "drafts", "wiki_conflicts")
IDENTITY_KEYS = ("server", "user_id")
_BATCH = 200


@dataclass(frozen=True)
class Rescued:
    """What was brought over from a damaged copy."""

    unsent: int = 0
    drafts: int = 0
    conflicts: int = 0

    def __bool__(self) -> bool:
        return bool(self.unsent or self.drafts or self.conflicts)


def rescue_work(conn: sqlite3.Connection, damaged: Path) -> Rescued:
    """Copy the unsent work of the cache file DAMAGED into CONN's fresh cache (one transaction)."""
    try:
        source = sqlite3.connect(f"file:{quote(str(damaged.resolve()))}?mode=ro", uri=True)
    except sqlite3.Error as error:
        log.warning("the damaged copy %s cannot be opened to rescue unsent work: %s", damaged, error)
        return Rescued()
    try:
        owner = dict(_rows(source, "sync_state", ("key", "value")))
        if not all(owner.get(key) for key in IDENTITY_KEYS):
            log.warning("the damaged copy %s does not say whose it is: nothing rescued", damaged)
            return Rescued()
        copied: dict[str, int] = {}
        with write_transaction(conn):
            for key in IDENTITY_KEYS:
                conn.execute(
                    "INSERT INTO sync_state (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, owner[key]),
                )
            for table in RESCUED_TABLES:
                copied[table] = _copy(source, conn, table)
            for spec in SPECS.values():  # posts before comments: a comment needs its post
                _copy(source, conn, spec.table, "pending = 1")
    finally:
        source.close()
    return Rescued(copied["outbox"], copied["drafts"], copied["wiki_conflicts"])


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _rows(
    source: sqlite3.Connection, table: str, columns: tuple[str, ...] | list[str], where: str = "1"
) -> Iterator[tuple[Any, ...]]:
    """TABLE's rows in SOURCE, as many as can be read before a damaged page (or none)."""
    try:
        cursor = source.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {where}")
        while batch := cursor.fetchmany(_BATCH):
            yield from batch
    except sqlite3.DatabaseError as error:
        log.warning("rescuing %s stopped: %s", table, error)


def _copy(source: sqlite3.Connection, target: sqlite3.Connection, table: str, where: str = "1") -> int:
    """Copy TABLE's readable rows matching WHERE (the columns both files have); a row the fresh
    cache's constraints refuse (damaged values, a comment on a post not here) is left out. How
    many were copied."""
    try:
        shared = [name for name in _columns(target, table) if name in set(_columns(source, table))]
    except sqlite3.DatabaseError:
        return 0
    if not shared:
        return 0
    insert = f"INSERT OR IGNORE INTO {table} ({', '.join(shared)}) VALUES ({', '.join('?' * len(shared))})"
    copied = 0
    for row in _rows(source, table, shared, where):
        with contextlib.suppress(sqlite3.IntegrityError, sqlite3.InterfaceError, OverflowError):
            copied += target.execute(insert, row).rowcount
    return copied
