"""What every pane gets: the signed-in person's actions, a read-only view of the cache, and the app's signals.

Panes never touch the network and never write the cache themselves: reads go
through ``reader`` (a read-only connection on the GUI thread; queries are
bounded and indexed), writes through ``actions`` (optimistic row + outbox,
on the writer thread), and ``cache_changed`` says which kinds and ids changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import sys
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal

from atrium.app.engine import EngineStatus
from atrium.app.services import Actions
from atrium.app.settings import Settings
from atrium.cache import Cache, ChangeSet
from atrium.cache.errors import is_corruption

from .drafts import DraftStore

log = logging.getLogger("atrium.ui")


class UiContext(QObject):
    # {kind: [ids]} — the "cache changed" event, marshalled to the GUI thread
    cache_changed = Signal(object)
    status_changed = Signal(object)  # EngineStatus
    navigate = Signal(str, str)  # (kind, id): open a post, community, person, wiki page... anywhere
    error = Signal(str)  # a message for the person (shown in the status area)

    def __init__(
        self,
        reader: Cache,
        actions: Actions,
        settings: Settings,
        me: str,
        api: Any = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.reader = reader
        self.actions = actions
        self.settings = settings
        self.me = me
        self.api = api  # ApiClient for online-only reads (browse, online search); may be offline
        self._tasks: set[asyncio.Task[Any]] = set()
        self.drafts = DraftStore(reader, actions, self.spawn)  # what is typed and not sent

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine on the Qt loop (qasync); report its failure instead of losing it."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(finished: asyncio.Task[Any]) -> None:
            self._tasks.discard(finished)
            if finished.cancelled():
                return
            error = finished.exception()
            if isinstance(error, sqlite3.DatabaseError) and is_corruption(error):
                sys.excepthook(type(error), error, error.__traceback__)  # ui/damage_watch.py: reopen
                return
            if error is not None:
                log.error("background task failed", exc_info=error)
                message = getattr(error, "message", None) or str(error) or type(error).__name__
                self.error.emit(message)

        task.add_done_callback(done)
        return task

    def emit_changes(self, changes: ChangeSet) -> None:
        if changes:
            self.cache_changed.emit({kind: sorted(ids) for kind, ids in changes.items()})

    def emit_status(self, status: EngineStatus) -> None:
        self.status_changed.emit(status)

    async def cancel_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
