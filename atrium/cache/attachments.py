"""Attachment bytes, content-addressed by sha256 under ``<cache dir>/files/<sha[:2]>/<sha>``.

The ``attachments`` table indexes what is stored (size, last use, keep-offline flag, why a kept
file could not be downloaded and when to try again); the directory has its own size cap,
evicting least recently used files that are not kept offline. A kept file no cached post
carries any more is released (``release_unreachable_files``): nothing could show or open it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from .changeset import ChangeSet
from .clock import now_iso
from .db import CacheLike, connection_of, database_file, write_transaction
from .errors import AttachmentHashMismatchError

DEFAULT_CAP_BYTES = 2 * 1024**3
ATTACHMENT = "attachment"  # the kind files have in a ChangeSet ("cache changed" event)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024


def files_dir_for(db_path: Path) -> Path:
    return db_path.parent / "files"


def _files_dir(conn: sqlite3.Connection) -> Path:
    return files_dir_for(database_file(conn))


def _normalise(sha256: str) -> str:
    sha = sha256.lower()
    if not _SHA256.match(sha):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return sha


def _relative(sha: str) -> str:
    return f"{sha[:2]}/{sha}"


def _write_verified(sha: str, data: bytes | Path, final: Path) -> int:
    """Write to a temporary file beside ``final``, check the hash, then move it in place."""
    final.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, temporary = tempfile.mkstemp(dir=final.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            if isinstance(data, bytes | bytearray | memoryview):
                digest.update(data)
                out.write(data)
                size = len(data)
            else:
                with open(data, "rb") as source:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if actual != sha:
            raise AttachmentHashMismatchError(sha, actual)
        os.replace(temporary, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return size


def store_attachment(
    target: CacheLike, sha256: str, data: bytes | Path, *, cap_bytes: int | None = DEFAULT_CAP_BYTES
) -> Path:
    """Store bytes (or a file's content) under their sha256, after checking the hash
    (AttachmentHashMismatchError otherwise; nothing stored). Then evicts down to ``cap_bytes``
    (None = no cap), never the file just stored nor files kept offline. Returns its path."""
    conn = connection_of(target)
    sha = _normalise(sha256)
    files = _files_dir(conn)
    final = files / _relative(sha)
    size = final.stat().st_size if final.is_file() else _write_verified(sha, data, final)
    with write_transaction(conn):
        conn.execute(
            "INSERT INTO attachments (sha256, path, size, last_used_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (sha256) DO UPDATE SET path = excluded.path, size = excluded.size, "
            "last_used_at = excluded.last_used_at, fetch_error = NULL, fetch_after = NULL",
            (sha, _relative(sha), size, now_iso()),
        )
    if cap_bytes is not None:
        evict_attachments(conn, cap_bytes, protect=sha)
    return final


def store_file(
    target: CacheLike, sha256: str, data: bytes | Path, *, cap_bytes: int | None
) -> tuple[Path, ChangeSet]:
    """``store_attachment`` that also says what changed: the file stored and any files evicted
    to make room (kind ``attachment``), for the "cache changed" event."""
    conn = connection_of(target)
    path = store_attachment(conn, sha256, data, cap_bytes=None)
    sha = _normalise(sha256)
    evicted = evict_attachments(conn, cap_bytes, protect=sha) if cap_bytes is not None else []
    return path, ChangeSet({ATTACHMENT: {sha, *evicted}})


def attachment_path(target: CacheLike, sha256: str) -> Path | None:
    """The stored file for ``sha256`` (marking it used), or None if it is not here."""
    conn = connection_of(target)
    sha = _normalise(sha256)
    row = conn.execute("SELECT path FROM attachments WHERE sha256 = ?", (sha,)).fetchone()
    if row is None or row[0] is None:
        return None
    path = _files_dir(conn) / row[0]
    with write_transaction(conn):
        if not path.is_file():  # removed behind our back: forget it (keeping a keep-offline wish)
            conn.execute("DELETE FROM attachments WHERE sha256 = ? AND keep_offline = 0", (sha,))
            conn.execute("UPDATE attachments SET path = NULL, size = 0 WHERE sha256 = ?", (sha,))
            return None
        conn.execute("UPDATE attachments SET last_used_at = ? WHERE sha256 = ?", (now_iso(), sha))
    return path


def set_keep_offline(target: CacheLike, sha256: str, keep: bool) -> None:
    """Pin (or unpin) a file against eviction; a pinned file not stored yet is listed by
    ``kept_files_to_fetch`` so the sync engine downloads it."""
    conn = connection_of(target)
    sha = _normalise(sha256)
    with write_transaction(conn):
        conn.execute(
            "INSERT INTO attachments (sha256, path, size, last_used_at, keep_offline) VALUES (?, NULL, 0, ?, ?) "
            "ON CONFLICT (sha256) DO UPDATE SET keep_offline = excluded.keep_offline, "
            "fetch_error = NULL, fetch_after = NULL",  # asked again: a failed download is tried at once
            (sha, now_iso(), int(keep)),
        )
        conn.execute("DELETE FROM attachments WHERE sha256 = ? AND path IS NULL AND keep_offline = 0", (sha,))


_WISHED = "a.keep_offline = 1 AND a.path IS NULL"  # kept offline, not stored yet


def attachments_to_fetch(target: CacheLike) -> list[str]:
    """Hashes the user wants offline that are not stored yet (whether or not a cached post still
    carries them and however recently they failed; the engine uses ``kept_files_to_fetch``)."""
    rows = connection_of(target).execute(
        f"SELECT a.sha256 FROM attachments a WHERE {_WISHED} ORDER BY a.sha256"
    )
    return [row[0] for row in rows]


_FILE_OF = (  # the File (JSON) a cached post gives for the row's sha256
    "(SELECT f.value FROM posts p, json_each(p.attachments) f "
    "WHERE p.attachments != '[]' AND lower(json_extract(f.value, '$.sha256')) = a.sha256 LIMIT 1)"
)


@dataclass(frozen=True)
class FileToFetch:
    sha256: str
    file_id: str
    size: int | None  # as its File announced it (a download never grows past it), None if unknown


def kept_files_to_fetch(target: CacheLike, now: str | None = None) -> list[FileToFetch]:
    """Each file kept offline and not stored yet whose id a cached post gives (``GET /files/{id}``
    fetches it), except those waiting to try again after a failure."""
    rows = connection_of(target).execute(
        f"SELECT a.sha256, {_FILE_OF} FROM attachments a WHERE {_WISHED} "
        "AND (a.fetch_after IS NULL OR a.fetch_after <= ?) ORDER BY a.sha256",
        (now or now_iso(),),
    )
    found = []
    for sha, file_json in rows:
        file = orjson.loads(file_json) if file_json else None
        if type(file) is dict and file.get("id"):
            size = file.get("size")
            found.append(FileToFetch(sha, str(file["id"]), size if type(size) is int and size >= 0 else None))
    return found


def mark_fetch_failed(target: CacheLike, sha256: str, reason: str, retry_at: str) -> ChangeSet:
    """A kept file could not be downloaded (damaged on the server, no longer readable…): say why
    where it is shown, and leave it until RETRY_AT (or until the person asks again)."""
    conn = connection_of(target)
    sha = _normalise(sha256)
    with write_transaction(conn):
        conn.execute(
            "UPDATE attachments SET fetch_error = ?, fetch_after = ? WHERE sha256 = ?",
            (reason, retry_at, sha),
        )
    return ChangeSet({ATTACHMENT: {sha}})


def release_unreachable_files(target: CacheLike) -> ChangeSet:
    """Files kept offline that no cached post carries any more (deleted, left, out of the window):
    nothing can show or open them, so a wish is forgotten and a stored file becomes evictable."""
    conn = connection_of(target)
    with write_transaction(conn):
        gone = [
            sha
            for (sha,) in conn.execute(
                f"SELECT a.sha256 FROM attachments a WHERE a.keep_offline = 1 AND {_FILE_OF} IS NULL"
            ).fetchall()
        ]
        for sha in gone:
            conn.execute("DELETE FROM attachments WHERE sha256 = ? AND path IS NULL", (sha,))
            conn.execute("UPDATE attachments SET keep_offline = 0 WHERE sha256 = ?", (sha,))
    return ChangeSet({ATTACHMENT: set(gone)}) if gone else ChangeSet()


@dataclass(frozen=True)
class OfflineFiles:
    """What a thread says of its attachments."""

    here: frozenset[str] = frozenset()  # sha256 of the files stored on this computer
    kept: frozenset[str] = frozenset()  # kept offline
    failed: dict[str, str] = field(default_factory=dict)  # kept, and why the last download failed


def offline_files(target: CacheLike, sha256s: list[str]) -> OfflineFiles:
    """Of SHA256S: the files stored here, the files kept offline, and why some could not come."""
    wanted = [sha.lower() for sha in sha256s if isinstance(sha, str) and _SHA256.match(sha.lower())]
    if not wanted:
        return OfflineFiles()
    marks = ",".join("?" * len(wanted))
    rows = (
        connection_of(target)
        .execute(
            f"SELECT sha256, path IS NOT NULL, keep_offline, fetch_error FROM attachments WHERE sha256 IN ({marks})",
            wanted,
        )
        .fetchall()
    )
    return OfflineFiles(
        frozenset(sha for sha, stored, _keep, _error in rows if stored),
        frozenset(sha for sha, _stored, keep, _error in rows if keep),
        {sha: error for sha, stored, keep, error in rows if keep and error and not stored},
    )


def attachments_size(target: CacheLike, *, kept_only: bool = False) -> int:
    """Bytes stored in the attachment directory (as indexed); KEPT_ONLY: of files kept offline."""
    where = " WHERE keep_offline = 1" if kept_only else ""
    query = f"SELECT ifnull(sum(size), 0) FROM attachments{where}"
    return int(connection_of(target).execute(query).fetchone()[0])


def evict_attachments(target: CacheLike, cap_bytes: int, *, protect: str | None = None) -> list[str]:
    """Delete least recently used files until the total is at most ``cap_bytes``; files kept
    offline (and ``protect``) are never evicted. Returns the evicted hashes.

    A ``protect`` file larger than the cap on its own (a video opened once) could never fit:
    nothing else goes for it, and it is the first to go next time (even if opened again since)."""
    conn = connection_of(target)
    excess = attachments_size(conn) - cap_bytes
    if excess <= 0:
        return []
    if protect is not None:
        row = conn.execute("SELECT size FROM attachments WHERE sha256 = ?", (protect,)).fetchone()
        if row is not None and row[0] > cap_bytes:
            excess -= row[0]
            if excess <= 0:
                return []
    candidates = conn.execute(  # a file larger than the cap alone goes first, however recently used
        "SELECT sha256, path, size FROM attachments WHERE keep_offline = 0 AND path IS NOT NULL "
        "AND sha256 IS NOT ? ORDER BY size > ? DESC, last_used_at, sha256",
        (protect, cap_bytes),
    ).fetchall()
    files = _files_dir(conn)
    evicted: list[str] = []
    for sha, relative, size in candidates:
        if excess <= 0:
            break
        # File first: a crash in between leaves an index row without a file, which heals itself.
        with contextlib.suppress(FileNotFoundError):
            (files / relative).unlink()
        evicted.append(sha)
        excess -= size
    with write_transaction(conn):
        conn.executemany("DELETE FROM attachments WHERE sha256 = ?", [(sha,) for sha in evicted])
    return evicted


STALE_DOWNLOAD_SECONDS = 24 * 3600
DOWNLOAD_PREFIX = ".download-"  # the API client streams a file here before it is stored


def remove_stale_downloads(files: Path, older_than: float = STALE_DOWNLOAD_SECONDS) -> int:
    """Delete downloads a crash left half-written in FILES (a day old: another process on the
    same profile may be writing a fresh one). How many went."""
    removed = 0
    cutoff = time.time() - older_than
    for path in files.glob(f"{DOWNLOAD_PREFIX}*") if files.is_dir() else ():
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


def adopt_stored_files(conn: sqlite3.Connection, files: Path) -> int:
    """Index files already on disk (after a damaged cache was replaced by a fresh one)."""
    rows = []
    stamp = now_iso()
    if files.is_dir():
        for path in files.glob("??/*"):
            sha = path.name
            if path.is_file() and _SHA256.match(sha) and path.parent.name == sha[:2]:
                rows.append((sha, _relative(sha), path.stat().st_size, stamp))
    with write_transaction(conn):
        conn.executemany(
            "INSERT OR IGNORE INTO attachments (sha256, path, size, last_used_at) VALUES (?, ?, ?, ?)", rows
        )
    return len(rows)
