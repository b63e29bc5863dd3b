"""Drafts: what a person typed and has not sent, kept in the cache so that nothing typed is lost.

A draft is keyed by where it was typed (the desktop's keys: ``post`` for the New post window,
``question`` for Ask, ``edit:<post id>``, ``comment:<post id>``); its ``fields`` are a small
JSON object the surface reads back (title, body, kind, community, attachment paths…).

Closing the composer, opening another thread, quitting and a crash keep a draft; sending it
deletes it in the same transaction as the outbox entry (``enqueue(..., draft_key=…)``), so a
draft never survives as a copy of what was sent. Drafts are never synced, and retention and
the size cap never touch them; signing out or a revoked device deletes them with the cache.
A draft whose stored JSON is unreadable reads as no draft (it cannot crash a pane).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import orjson

from .changeset import ChangeSet
from .clock import now_iso
from .db import CacheLike, connection_of, write_transaction

DRAFT = "draft"  # the kind drafts have in a ChangeSet ("cache changed" event)


@dataclass(frozen=True)
class Draft:
    key: str
    fields: dict[str, Any]
    updated_at: str


def save_draft(target: CacheLike, key: str, fields: dict[str, Any]) -> ChangeSet:
    """Keep FIELDS as KEY's draft (replacing the one before), in one transaction."""
    conn = connection_of(target)
    data = orjson.dumps(fields).decode()
    with write_transaction(conn):
        conn.execute(
            "INSERT INTO drafts (key, fields, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET fields = excluded.fields, updated_at = excluded.updated_at",
            (key, data, now_iso()),
        )
    return ChangeSet({DRAFT: {key}})


def delete_draft(target: CacheLike, key: str) -> ChangeSet:
    """Forget KEY's draft (sent or discarded); an empty ChangeSet if there was none."""
    conn = connection_of(target)
    with write_transaction(conn):
        deleted = conn.execute("DELETE FROM drafts WHERE key = ?", (key,)).rowcount
    return ChangeSet({DRAFT: {key}}) if deleted else ChangeSet()


def load_draft(target: CacheLike, key: str) -> Draft | None:
    row = (
        connection_of(target)
        .execute("SELECT key, fields, updated_at FROM drafts WHERE key = ?", (key,))
        .fetchone()
    )
    return _draft(row) if row is not None else None


def drafts(target: CacheLike, prefix: str = "") -> list[Draft]:
    """Every draft whose key starts with PREFIX, newest first."""
    rows = connection_of(target).execute(
        "SELECT key, fields, updated_at FROM drafts WHERE substr(key, 1, ?) = ? ORDER BY updated_at DESC, key",
        (len(prefix), prefix),
    )
    return [draft for row in rows if (draft := _draft(row)) is not None]


def draft_count(target: CacheLike) -> int:
    count: int = connection_of(target).execute("SELECT count(*) FROM drafts").fetchone()[0]
    return count


def _draft(row: sqlite3.Row | tuple[Any, ...]) -> Draft | None:
    key, data, updated_at = row
    try:
        fields = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    return Draft(key, fields, updated_at) if isinstance(fields, dict) else None
