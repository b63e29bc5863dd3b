"""Is the cache file sound? A cheap header check on every open; the full ``PRAGMA quick_check``
(which reads the whole file, seconds on a large cache) when the last session did not close
cleanly, when the last full check is a week old, or when the caller asks for it.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .clock import iso, now_iso

VERIFY_EVERY = timedelta(days=7)
_MAGIC = b"SQLite format 3\x00"


def header_problem(path: Path) -> str | None:
    """What is wrong with the file's header (not SQLite; shorter than it says), or None."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return None  # SQLite's own empty database
    with open(path, "rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(_MAGIC):
        return "not an SQLite database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    size_is_valid = header[24:28] == header[92:96]  # change counter == version-valid-for
    wal = Path(f"{path}-wal")
    wal_has_pages = wal.exists() and wal.stat().st_size > 0
    if pages and size_is_valid and not wal_has_pages and size < pages * page_size:
        return f"truncated: {size} bytes where the header promises {pages * page_size}"
    return None


def _state(conn: sqlite3.Connection, key: str) -> str | None:
    try:
        row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:  # no such table: a new file
        return None
    return row[0] if row else None


def needs_full_check(conn: sqlite3.Connection, now: datetime | None = None) -> bool:
    """The automatic choice: check after an unclean shutdown, or when the last check is old."""
    if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
        return False  # nothing written yet
    if _state(conn, "session_open") == "1":
        return True
    verified_at = _state(conn, "verified_at")
    moment = now or datetime.now(UTC)
    return verified_at is None or verified_at < iso(moment - VERIFY_EVERY)


def full_check_problems(conn: sqlite3.Connection) -> list[str]:
    """``PRAGMA quick_check``'s findings; empty when the file is sound."""
    problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
    return [] if problems == ["ok"] else problems


def _put(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def mark_session_open(conn: sqlite3.Connection, verified: bool) -> None:
    """Note that a writer has the file open (cleared by a clean close), and when it was verified."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        _put(conn, "session_open", "1")
        if verified:
            _put(conn, "verified_at", now_iso())
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def mark_session_closed(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES ('session_open', '0')")
