"""Ordered schema migrations on ``PRAGMA user_version``; each step runs in one transaction.

Append new steps to MIGRATIONS (never edit a released one). A file whose version is higher
than the last step was written by a newer Atrium and is refused with CacheTooNewError.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import schema_v1
from .errors import CacheTooNewError


@dataclass(frozen=True)
class Migration:
    """One step: brings the file from ``version - 1`` to ``version``."""

    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def run_statements(statements: Sequence[str]) -> Callable[[sqlite3.Connection], None]:
    """A migration body that executes SQL statements in order."""

    def apply(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return apply


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial cache format", run_statements(schema_v1.STATEMENTS)),
    Migration(
        2,
        "reactions found by their ids' target prefix (ids.reactions_on), not by an index of their own",
        run_statements(
            [
                "DROP INDEX IF EXISTS reactions_by_target",
                # Unsent likes keep their thread from retention (retention.py): few rows, so a
                # partial index costs a sync's reactions nothing but the WHERE test.
                "CREATE INDEX reactions_pending ON reactions (target_id) WHERE pending = 1",
            ]
        ),
    ),
    Migration(
        3,
        "drafts: what a person typed and has not sent (drafts.py); why a file kept offline could "
        "not be downloaded, and when to try again (attachments.py)",
        run_statements(
            [
                "CREATE TABLE drafts (key TEXT PRIMARY KEY, fields TEXT NOT NULL, updated_at TEXT NOT NULL)"
                " WITHOUT ROWID",
                "ALTER TABLE attachments ADD COLUMN fetch_error TEXT",
                "ALTER TABLE attachments ADD COLUMN fetch_after TEXT",
            ]
        ),
    ),
    Migration(
        4,
        "what each queued change replaced, so that discarding it puts the cache back, and what an "
        "accepted one replaced until the next pull settles it (undo.py); changes queued before keep "
        "the older rule (outbox.discard)",
        run_statements(
            [
                """CREATE TABLE outbox_undo (
                    op_id TEXT NOT NULL REFERENCES outbox (op_id) ON DELETE CASCADE ON UPDATE CASCADE,
                    seq INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    id TEXT NOT NULL,
                    before TEXT,
                    PRIMARY KEY (op_id, seq)
                ) WITHOUT ROWID""",
                "CREATE INDEX outbox_undo_by_object ON outbox_undo (id, type)",
                # 1: the entry's records are kept (they may all have ended since); 0: an older
                # entry, or one rescued from a damaged copy, which a discard treats the older way
                "ALTER TABLE outbox ADD COLUMN recorded INTEGER NOT NULL DEFAULT 0",
                # What changes the server accepted replaced, until the next full pull shows whether
                # the server changed those objects (undo.settle).
                """CREATE TABLE outbox_settling (
                    type TEXT NOT NULL,
                    id TEXT NOT NULL,
                    before TEXT,
                    PRIMARY KEY (type, id)
                ) WITHOUT ROWID""",
            ]
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def schema_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def check_not_too_new(conn: sqlite3.Connection, path: Path, steps: Sequence[Migration] = MIGRATIONS) -> int:
    """The file's version; raises CacheTooNewError if a newer Atrium wrote it."""
    found = schema_version(conn)
    latest = steps[-1].version if steps else 0
    if found > latest:
        raise CacheTooNewError(path, found, latest)
    return found


def migrate(conn: sqlite3.Connection, path: Path, steps: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Apply every step above the file's version, each with its version bump in one transaction.

    Returns the versions applied. A step that fails is rolled back whole: the file stays at the
    last completed version and the error propagates.
    """
    expected = 1
    for step in steps:
        if step.version != expected:
            raise ValueError(f"migration versions must be 1, 2, 3, …: found {step.version} at {expected}")
        expected += 1
    check_not_too_new(conn, path, steps)
    applied: list[int] = []
    for step in steps:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Read inside the write lock: another process may have migrated meanwhile.
            if schema_version(conn) >= step.version:
                conn.execute("COMMIT")
                continue
            step.apply(conn)
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(step.version)
    return applied
