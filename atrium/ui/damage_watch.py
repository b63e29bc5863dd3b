"""Noticing damage that the panes' own reads meet, as the cache writer notices its own.

The panes read the offline copy on the GUI thread, in Qt slots, through their own read-only
connection; when SQLite finds a damaged page there, the exception ends in ``sys.excepthook``
(Qt's event loop hands it there, and ``UiContext.spawn`` does for the tasks panes start). The hook installed here marks the file (``mark_damaged``: the
next open sets it aside, rebuilds it and brings the unsent work along) and asks the desktop to
reopen its session, then passes the exception on to the hook before it (logging, test capture).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from atrium.cache import mark_damaged
from atrium.cache.errors import is_corruption


def watch_for_damage(cache_path: Path, on_damaged: Callable[[], None]) -> Callable[[], None]:
    """Install the hook for the cache at CACHE_PATH; returns what removes it again."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if isinstance(error, sqlite3.DatabaseError) and is_corruption(error):
            mark_damaged(cache_path)
            on_damaged()
        previous(kind, error, trace)

    sys.excepthook = hook

    def stop() -> None:
        if sys.excepthook is hook:
            sys.excepthook = previous

    return stop
