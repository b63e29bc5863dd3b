"""The errors the local cache raises; each carries a message fit to show the user."""

from __future__ import annotations

import sqlite3
from pathlib import Path

_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


class CacheError(Exception):
    """Base class of every error raised by ``atrium.cache``."""


class CacheNotUpgradedError(CacheError):
    """A read-only open of a file an older Atrium wrote: open it for writing once to migrate it."""


class CacheTooNewError(CacheError):
    """The cache file was written by a newer Atrium; this version must not touch it."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        self.path = path
        self.found = found
        self.supported = supported
        super().__init__(
            f"The offline cache {path} was created by a newer version of Atrium "
            f"(cache format {found}; this version understands up to {supported}). "
            "Update Atrium, or remove the cache file to download everything again."
        )


class MalformedPageError(CacheError):
    """A sync page (or an optimistic change) does not have the protocol's shape; nothing was written."""

    def __init__(self, index: int, reason: str) -> None:
        self.index = index
        self.reason = reason
        super().__init__(f"change #{index} of the sync page is malformed: {reason}")


class AttachmentHashMismatchError(CacheError):
    """Bytes offered for an attachment do not hash to the sha256 they were stored under."""

    def __init__(self, expected: str, actual: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(f"attachment bytes hash to {actual}, expected {expected}; not stored")


class UnknownOutboxEntryError(CacheError):
    """An outbox operation named an op_id the outbox does not hold."""

    def __init__(self, op_id: str) -> None:
        self.op_id = op_id
        super().__init__(f"no outbox entry with op_id {op_id}")


class CacheDamagedError(CacheError):
    """SQLite found the open cache file damaged while it was in use. The file is marked, and the
    next ``open_cache`` sets it aside and starts a fresh one, bringing the unsent work along."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            f"The offline copy is damaged ({detail}). Atrium sets it aside and downloads a fresh "
            "one from the server; your unsent changes and drafts come along."
        )


def is_corruption(error: sqlite3.Error) -> bool:
    """Whether SQLite says the file is damaged (or not a database at all)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
