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

IDENTITY_KEYS = ("server", "user_id")
MAX_ROWID = 2**63 - 1
MAX_RESUMES = 10_000  # damaged pages gone past in one table before the rescue gives up on it


@dataclass(frozen=True)
class Rescued:
    """What was brought over from a damaged copy; ``incomplete`` when some of it could not be
    read (or whose it was could not): work may remain in the damaged copy, which is kept."""

    unsent: int = 0
    drafts: int = 0
    conflicts: int = 0
    incomplete: bool = False

    def __bool__(self) -> bool:
        return bool(self.unsent or self.drafts or self.conflicts)


class _Reader:
    """Reads rows from the damaged copy past the pages that cannot be read, noting when it missed any."""

    def __init__(self, source: sqlite3.Connection) -> None:
        self.source = source
        self.missed = False

    def columns(self, table: str) -> set[str]:
        try:
            return {row[1] for row in self.source.execute(f"PRAGMA table_info({table})")}
        except sqlite3.DatabaseError:
            self.missed = True
            return set()

    def rows(self, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
        """TABLE's rows in rowid order, going on past each damaged page (``_next_readable``), so
        that a damaged page loses only the rows on it."""
        picked = ", ".join(columns)
        start = 0
        for _attempt in range(MAX_RESUMES):
            last = start - 1
            try:
                for rowid, *row in self.source.execute(
                    f"SELECT rowid, {picked} FROM {table} WHERE rowid >= ? ORDER BY rowid", (start,)
                ):
                    last = rowid
                    yield tuple(row)
                return
            except sqlite3.DatabaseError as error:
                log.info("rescuing %s: a damaged page after rowid %d (%s)", table, last, error)
                self.missed = True
            found = self._next_readable(table, last, picked)
            if found is None:
                return
            start = max(found, start + 1)  # always onwards, even where a seek and a scan disagree

    def _next_readable(self, table: str, last: int, picked: str) -> int | None:
        """The smallest rowid from which TABLE reads again after a damaged page that follows
        LAST, or None if nothing can be read after it. Seeks that land on the damaged page fail
        and those past it work: steps that double find a working one, then halving finds the
        first (about 2 x 63 seeks, however far the rowids jump)."""

        def seek(rowid: int) -> bool:  # True: reads from there (or there is nothing after)
            try:
                self.source.execute(  # the columns too: a row whose key reads may not
                    f"SELECT rowid, {picked} FROM {table} WHERE rowid >= ? ORDER BY rowid LIMIT 1", (rowid,)
                ).fetchone()
            except sqlite3.DatabaseError:
                return False
            return True

        failing, step = last, 1
        while not seek(last + step):
            failing = last + step
            step *= 2
            if last + step > MAX_ROWID:
                return None
        low, high = failing + 1, last + step
        while low < high:
            middle = (low + high) // 2
            if seek(middle):
                high = middle
            else:
                low = middle + 1
        return low

    def keyed_rows(self, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
        """TABLE's rows for a table without rowids (drafts): in order, up to a damaged page."""
        try:
            yield from self.source.execute(f"SELECT {', '.join(columns)} FROM {table}")
        except sqlite3.DatabaseError as error:
            log.info("rescuing %s stopped at a damaged page (%s)", table, error)
            self.missed = True

    def rows_where(self, table: str, columns: list[str], where: str, *args: Any) -> list[tuple[Any, ...]]:
        """The rows WHERE picks (a point lookup); none when its page cannot be read: the change
        they belong to came along, and the next sync brings the rest."""
        try:
            found = self.source.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {where}", args)
            return [tuple(row) for row in found]
        except sqlite3.DatabaseError:
            return []


def rescue_work(conn: sqlite3.Connection, damaged: Path) -> Rescued:
    """Copy the unsent work of the cache file DAMAGED into CONN's fresh cache (one transaction)."""
    try:
        source = sqlite3.connect(f"file:{quote(str(damaged.resolve()))}?mode=ro", uri=True)
    except sqlite3.Error as error:
        log.info("the damaged copy %s cannot be opened to rescue unsent work: %s", damaged, error)
        return Rescued(incomplete=True)
    reader = _Reader(source)
    try:
        owner = dict(reader.keyed_rows("sync_state", ["key", "value"]))
        if not all(owner.get(key) for key in IDENTITY_KEYS):
            log.info("the damaged copy %s does not say whose it is: nothing rescued", damaged)
            return Rescued(incomplete=True)
        with write_transaction(conn):
            for key in IDENTITY_KEYS:
                conn.execute(
                    "INSERT INTO sync_state (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, owner[key]),
                )
            unsent = _copy(reader, conn, "outbox")
            # Their records (what they replaced) described the damaged copy, not this one: a
            # discard of one of them follows the older rule (outbox.discard).
            conn.execute("UPDATE outbox SET recorded = 0")
            drafts = _copy(reader, conn, "drafts", keyed=True)
            conflicts = _copy(reader, conn, "wiki_conflicts")
            _copy_sending_rows(reader, conn)
    finally:
        source.close()
    return Rescued(unsent, drafts, conflicts, incomplete=reader.missed)


def _shared_columns(reader: _Reader, target: sqlite3.Connection, table: str) -> list[str]:
    """The columns of TABLE both files have (the damaged copy may be an older cache format)."""
    theirs = reader.columns(table)
    return [row[1] for row in target.execute(f"PRAGMA table_info({table})") if row[1] in theirs]


def _insert(target: sqlite3.Connection, table: str, columns: list[str], row: tuple[Any, ...]) -> int:
    """Insert ROW; 0 when the fresh cache's constraints refuse it (damaged values, a comment on a
    post not here)."""
    sql = f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    try:
        return target.execute(sql, row).rowcount
    except (sqlite3.IntegrityError, sqlite3.InterfaceError, OverflowError):
        return 0


def _copy(reader: _Reader, target: sqlite3.Connection, table: str, *, keyed: bool = False) -> int:
    """Copy TABLE's readable rows; how many were copied."""
    columns = _shared_columns(reader, target, table)
    if not columns:
        return 0
    rows = reader.keyed_rows(table, columns) if keyed else reader.rows(table, columns)
    return sum(_insert(target, table, columns, row) for row in rows)


def _copy_sending_rows(reader: _Reader, target: sqlite3.Connection) -> None:
    """The rows the rescued changes show as sending (``pending = 1``): only those whose change came
    along, so that nothing shows as sending that nothing will send. Posts before comments."""
    wanted: dict[str, list[str]] = {}
    for object_type, object_id in target.execute(
        "SELECT DISTINCT object_type, object_id FROM outbox WHERE object_id IS NOT NULL"
    ):
        wanted.setdefault(object_type, []).append(object_id)
    for spec in SPECS.values():
        if spec.type not in wanted:
            continue
        columns = _shared_columns(reader, target, spec.table)
        tag_columns = _shared_columns(reader, target, "post_tags") if spec.type == "post" else []
        for object_id in wanted[spec.type]:
            for row in reader.rows_where(spec.table, columns, "id = ? AND pending = 1", object_id):
                _insert(target, spec.table, columns, row)
                for tag in reader.rows_where("post_tags", tag_columns, "post_id = ?", object_id):
                    _insert(target, "post_tags", tag_columns, tag)  # its topic and mention feeds
