"""Opening the cache file: connection settings, migrations, corrupt-file recovery, and wiping it."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

from . import attachments, integrity, outbox, search_index
from .db import commit_held, write_transaction
from .errors import CacheError, CacheNotUpgradedError, is_corruption
from .migrations import LATEST_VERSION, MIGRATIONS, Migration, check_not_too_new, migrate, schema_version
from .rescue import Rescued, rescue_work

_SIDE_FILES = ("-wal", "-shm", "-journal", ".damaged")
PAGE_SIZE = 4096  # measured: 8 and 16 KiB pages made sync pages no faster


@dataclass
class Cache:
    """An open cache. Use it from one thread at a time (the app's single cache writer);
    readers on other threads open their own ``open_cache(path, read_only=True)``."""

    path: Path
    conn: sqlite3.Connection
    recovered_from: Path | None = None
    """Where a corrupt file was moved (``<name>.corrupt-<time>``) before a fresh cache was made."""
    rescued: Rescued = field(default_factory=Rescued)
    """The unsent work brought over from that file (``rescue.rescue_work``)."""
    read_only: bool = False
    _closed: bool = field(default=False, repr=False)

    @property
    def files_dir(self) -> Path:
        """Where attachment bytes live: ``<cache dir>/files``."""
        return attachments.files_dir_for(self.path)

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """``with cache.transaction() as conn:`` — one write transaction (joins an open one)."""
        return write_transaction(self.conn)

    def reindex_search(self) -> None:
        """Rebuild the whole full-text index from the tables."""
        search_index.reindex_search(self.conn)

    def catch_up_search(self, max_rows: int | None = None) -> int:
        """Index rows written since the last catch-up (see search_index.catch_up_search)."""
        return search_index.catch_up_search(self.conn, max_rows)

    def search_backlog(self) -> int:
        """About how many rows are not searchable yet (0 = search is complete)."""
        return search_index.search_backlog(self.conn)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if not self.read_only:
                with contextlib.suppress(sqlite3.Error):
                    commit_held(self.conn)  # held sync pages: each page boundary is consistent
                    integrity.mark_session_closed(self.conn)
                    self.conn.execute("PRAGMA optimize")
            self.conn.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


class _CorruptFile(Exception):
    pass


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    if read_only:
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        if not read_only:
            if conn.execute("PRAGMA page_count").fetchone()[0] == 0:  # a new file: choose before any table
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            conn.execute("PRAGMA journal_mode = WAL")
            # Checkpoint every ~32 MB instead of 4 MB: a sync page rewrites the same index pages.
            conn.execute("PRAGMA wal_autocheckpoint = 8192")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MiB: bulk sync touches several indexes at once
        conn.execute("PRAGMA temp_store = MEMORY")
    except BaseException:
        conn.close()
        raise
    return conn


def _open_checked(
    path: Path, read_only: bool, verify: bool | None, steps: tuple[Migration, ...]
) -> tuple[sqlite3.Connection, bool]:
    """Connect, refuse a newer format, check the file; _CorruptFile if it is damaged.
    Returns the connection and whether the full check ran."""
    if damaged_marker(path).exists() and path.exists():
        raise _CorruptFile("SQLite found it damaged while it was in use")
    problem = integrity.header_problem(path)
    if problem is not None:
        raise _CorruptFile(problem)
    try:
        conn = _connect(path, read_only)
    except sqlite3.DatabaseError as error:
        if is_corruption(error):
            raise _CorruptFile(str(error)) from error
        raise
    try:
        check_not_too_new(conn, path, steps)
        full_check = integrity.needs_full_check(conn) if verify is None and not read_only else bool(verify)
        if full_check:
            problems = integrity.full_check_problems(conn)
            if problems:
                raise _CorruptFile("; ".join(problems[:5]))
    except sqlite3.DatabaseError as error:
        conn.close()
        if is_corruption(error):
            raise _CorruptFile(str(error)) from error
        raise
    except BaseException:
        conn.close()
        raise
    return conn, full_check


_ASIDE_LABELS = ("corrupt", "newer")
"""Why a cache file was moved aside: damaged, or written by a newer Atrium (``set_aside``)."""


def _move_aside(path: Path, label: str = "corrupt") -> Path:
    """Move a cache (and its WAL, under a matching name) out of the way to ``<name>.<label>-<time>``;
    returns the new path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{counter}")
    os.replace(path, target)
    for suffix in ("-wal", "-journal"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.replace(side, Path(f"{target}{suffix}"))  # kept beside the copy, so it still opens
    with contextlib.suppress(FileNotFoundError):
        Path(f"{path}-shm").unlink()
    return target


def open_cache(
    path: str | os.PathLike[str],
    *,
    read_only: bool = False,
    verify: bool | None = None,
    migrations: tuple[Migration, ...] = MIGRATIONS,
) -> Cache:
    """Open (creating or upgrading) the cache at ``path``.

    - A file written by a newer Atrium raises CacheTooNewError and is left untouched.
    - A damaged file (not a database, truncated, failing ``PRAGMA quick_check``) is moved to
      ``<name>.corrupt-<time>`` and a fresh cache is created; ``cache.recovered_from`` says where
      it went, so the app can tell the user that offline content will be downloaded again. The
      unsent changes, drafts and wiki conflicts still readable in it are brought over
      (``cache.rescued``).
    - ``verify``: None (default) checks the header always and runs quick_check (which reads the
      whole file, seconds on a large cache) only after an unclean shutdown or a week after the
      last one; True always runs it (e.g. after SQLite reported corruption), False never.
    - ``read_only=True`` opens a reader for another thread: no migration, no recovery, no quick_check
      unless ``verify=True``.
    """
    path = Path(path)
    recovered_from: Path | None = None
    if read_only:
        if not path.exists():
            raise CacheError(f"no offline cache at {path}")
        try:
            conn, _ = _open_checked(path, True, verify, migrations)
        except _CorruptFile as error:
            raise CacheError(f"the offline cache {path} is damaged: {error}") from error
        if schema_version(conn) != migrations[-1].version:
            conn.close()
            raise CacheNotUpgradedError(
                f"the offline cache {path} has not been upgraded yet; open it for writing first"
            )
        return Cache(path, conn, read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():  # a marker left beside a file someone deleted says nothing of the next one
        damaged_marker(path).unlink(missing_ok=True)
    try:
        conn, verified = _open_checked(path, False, verify, migrations)
        try:
            cache = _prepare(conn, path, migrations, verified, None)
        except sqlite3.DatabaseError as error:  # damage the checks did not see, met on the way
            conn.close()
            if not is_corruption(error):
                raise
            raise _CorruptFile(str(error)) from error
    except _CorruptFile:
        recovered_from = _move_aside(path)
        damaged_marker(path).unlink(missing_ok=True)
        conn, verified = _open_checked(path, False, False, migrations)
        cache = _prepare(conn, path, migrations, verified, recovered_from)
    return cache


def _prepare(
    conn: sqlite3.Connection,
    path: Path,
    migrations: tuple[Migration, ...],
    verified: bool,
    recovered_from: Path | None,
) -> Cache:
    """Upgrade and ready an opened cache file; RECOVERED_FROM: the damaged file it replaces."""
    try:
        fresh = schema_version(conn) == 0
        migrate(conn, path, migrations)
        search_index.tune_full_text(conn)
        rescued = Rescued()
        if recovered_from is not None:
            attachments.adopt_stored_files(conn, attachments.files_dir_for(path))
            rescued = rescue_work(conn, recovered_from)
        outbox.requeue_interrupted(conn)
        attachments.remove_stale_downloads(attachments.files_dir_for(path))
        integrity.mark_session_open(conn, verified or fresh)
    except BaseException:
        conn.close()
        raise
    return Cache(path, conn, recovered_from=recovered_from, rescued=rescued)


def damaged_marker(path: str | os.PathLike[str]) -> Path:
    """The file that says the cache at PATH was found damaged while in use (``mark_damaged``)."""
    return Path(f"{path}.damaged")


def mark_damaged(path: str | os.PathLike[str]) -> None:
    """Note that SQLite found the cache at PATH damaged while in use: the next writable
    ``open_cache`` sets it aside and starts afresh (bringing the unsent work along), and a reader
    reports it. A file beside it, since the damaged file may take no write; quick_check alone
    would miss damage to the full-text index."""
    with contextlib.suppress(OSError):
        damaged_marker(path).touch()


def set_aside(path: str | os.PathLike[str]) -> Path:
    """Move a cache this version cannot open (CacheTooNewError) to ``<name>.newer-<time>``, kept,
    not deleted: a newer Atrium's unsent work may be in it. The next ``open_cache`` starts afresh.
    Close every Cache on it first. Returns where it went."""
    return _move_aside(Path(path), "newer")


def _moved_aside(path: Path, label: str) -> list[Path]:
    """The copies of the cache at ``path`` moved aside with LABEL (``_move_aside``)."""
    return sorted(path.parent.glob(f"{path.name}.{label}-*")) if path.parent.is_dir() else []


def set_aside_copies(path: str | os.PathLike[str]) -> list[Path]:
    """The copies kept beside the cache at ``path``: a newer Atrium's (``set_aside``) and damaged
    ones (moved aside when opened); ``wipe`` deletes them too. Either may hold unsent work."""
    return [copy for label in _ASIDE_LABELS for copy in _moved_aside(Path(path), label)]


def cache_files(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Every file a cache at ``path`` may own: the database, its side files, moved-aside copies."""
    path = Path(path)
    yield path
    for suffix in _SIDE_FILES:
        yield Path(f"{path}{suffix}")
    for label in _ASIDE_LABELS:
        yield from _moved_aside(path, label)


def wipe(path: str | os.PathLike[str]) -> None:
    """Delete the cache at ``path`` for a revoked device: database, WAL, shared memory, moved-aside
    copies and the attachment directory. Close every Cache on it first."""
    for file in list(cache_files(path)):
        with contextlib.suppress(FileNotFoundError):
            file.unlink()
    shutil.rmtree(attachments.files_dir_for(Path(path)), ignore_errors=True)


__all__ = [
    "LATEST_VERSION",
    "Cache",
    "cache_files",
    "damaged_marker",
    "mark_damaged",
    "open_cache",
    "set_aside",
    "set_aside_copies",
    "wipe",
]
