"""Keeping what is typed: drafts saved to the cache as the person types, shared by every pane.

``DraftStore`` (one per signed-in window, ``UiContext.drafts``) writes drafts through
``Actions`` on the cache's writer thread, in order like every other write, and answers reads
with the writes still on their way first (a thread left and opened again at once shows what
was typed, not the older copy the reader still sees). ``flush`` saves every surface now: the
controller awaits it before it closes the cache. What a write could not keep (the file turned
out damaged) stays in ``unwritten``: the controller writes it into the rebuilt copy.

A ``DraftKeeper`` belongs to one editing surface (the composer, a thread's comment box). It
saves a moment after each change (``SAVE_DELAY_MS``) and at once when its surface closes or
switches to another draft, so neither closing the composer nor a crash loses more than the last
moment's typing. A surface with nothing in it deletes its draft. Sending runs inside
``with keeper.sending() as key`` and passes ``draft_key=key``: the draft goes in the same
transaction as the outbox entry. The same draft open on two surfaces (one thread in two panes)
is one draft: a save or send on one shows on the other (``DraftKeeper.replaced``).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, QTimer

from atrium.app.services import Actions
from atrium.cache import Cache, load_draft

SAVE_DELAY_MS = 400

# Where a draft was typed, as its key in the cache.
NEW_POST_KEY = "post"  # the New post window, wherever it was opened
QUESTION_KEY = "question"  # the Questions pane's Ask
COMMENT_PREFIX = "comment:"  # + post id: a thread's comment box, in any pane
EDIT_PREFIX = "edit:"  # + post id: the post's edit composer


def comment_key(post_id: str) -> str:
    return COMMENT_PREFIX + post_id


def edit_key(post_id: str) -> str:
    return EDIT_PREFIX + post_id


def edited_post(key: str) -> str | None:
    """The post an edit draft's KEY is about; None for other keys."""
    return key[len(EDIT_PREFIX) :] if key.startswith(EDIT_PREFIX) else None


def draft_post(key: str) -> str | None:
    """The post a comment or edit draft belongs to; None for a new post or question."""
    if key.startswith(COMMENT_PREFIX):
        return key[len(COMMENT_PREFIX) :]
    return edited_post(key)


Fields = dict[str, Any]
Spawn = Callable[[Coroutine[Any, Any, Any]], "asyncio.Task[Any]"]


class DraftStore:
    def __init__(self, reader: Cache, actions: Actions, spawn: Spawn) -> None:
        self.reader = reader
        self.actions = actions
        self._spawn = spawn
        self._in_flight: dict[str, Fields | None] = {}  # key -> fields (None: deleting) not yet written
        self._writes: set[asyncio.Task[Any]] = set()
        self._keepers: weakref.WeakSet[DraftKeeper] = weakref.WeakSet()
        # key -> what a failed write was to keep (None: delete), e.g. the drafts' pages are damaged:
        # the controller carries these into the copy that replaces a damaged one
        self.unwritten: dict[str, Fields | None] = {}

    def read(self, key: str) -> Fields | None:
        if key in self._in_flight:
            return self._in_flight[key]
        found = load_draft(self.reader, key)
        return found.fields if found is not None else None

    def write(self, key: str, fields: Fields | None, source: DraftKeeper | None = None) -> None:
        """Save FIELDS as KEY's draft, or delete it (None); other surfaces on KEY are told."""
        self._in_flight[key] = fields
        task = self._spawn(self._write(key, fields))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)
        self._tell_others(key, fields, source)

    def sent(self, key: str, source: DraftKeeper | None = None) -> None:
        """KEY's draft goes with a send (deleted in the action's transaction)."""
        self._in_flight[key] = None  # until the send's transaction has deleted it
        self._tell_others(key, None, source)

    def sent_done(self, key: str) -> None:
        """The send that used KEY's draft is written (or refused): the cache answers again."""
        if key in self._in_flight and self._in_flight[key] is None:
            del self._in_flight[key]

    def _tell_others(self, key: str, fields: Fields | None, source: DraftKeeper | None) -> None:
        """The same draft open elsewhere (one thread in two panes) shows what was just kept."""
        for keeper in list(self._keepers):
            if keeper is not source and keeper.key == key:
                try:
                    keeper.replaced(fields)
                except RuntimeError:  # its widget is gone
                    continue

    def flush_pending(self) -> None:
        """Write every surface's typing that waits for its moment (before a read of a draft)."""
        for keeper in list(self._keepers):
            try:
                keeper.flush()
            except RuntimeError:  # its widget is gone (Qt deleted it): it saved when it closed
                continue

    async def _write(self, key: str, fields: Fields | None) -> None:
        try:
            if fields:
                await self.actions.save_draft(key, fields)
            else:
                await self.actions.discard_draft(key)
        except Exception:
            self.unwritten[key] = fields
            raise
        else:
            self.unwritten.pop(key, None)
        finally:
            if key in self._in_flight and self._in_flight[key] is fields:
                del self._in_flight[key]

    def keep(self, keeper: DraftKeeper) -> None:
        self._keepers.add(keeper)

    async def flush(self) -> None:
        """Save every surface's typing now and wait until it is written."""
        self.flush_pending()
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)


class DraftKeeper(QObject):
    def __init__(
        self,
        store: DraftStore,
        read_fields: Callable[[], Fields | None],
        parent: QObject,
        show_fields: Callable[[Fields | None], None] | None = None,
    ) -> None:
        """READ_FIELDS gives what the surface holds now, or None when it holds nothing worth keeping;
        SHOW_FIELDS puts a draft kept elsewhere on the same key into the surface."""
        super().__init__(parent)
        self.store = store
        self.key: str | None = None
        self._read_fields = read_fields
        self._show_fields = show_fields
        self._saved: Fields | None = None  # what the cache holds (or will) for ``key``
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        store.keep(self)

    def open(self, key: str | None) -> Fields | None:
        """Keep drafts for KEY from now on (the one before is saved first); its stored fields, if any."""
        if key != self.key:
            self.flush()
        self.store.flush_pending()  # the same draft may be typed elsewhere this very moment
        self.key = key
        self._saved = self.store.read(key) if key is not None else None
        return self._saved

    def close(self) -> None:
        """Stop keeping drafts here without saving (an edit was saved: nothing is left to keep)."""
        self._timer.stop()
        self.key = None
        self._saved = None

    def changed(self) -> None:
        """The surface's content changed: save it in a moment."""
        if self.key is not None:
            self._timer.start()

    def flush(self) -> None:
        """Save now (or delete the draft when the surface is empty); nothing when nothing changed."""
        self._timer.stop()
        if self.key is None:
            return
        fields = self._read_fields() or None
        if fields != self._saved:
            self._saved = fields
            self.store.write(self.key, fields, self)

    @contextmanager
    def sending(self) -> Iterator[str | None]:
        """``with keeper.sending() as key:`` send with ``draft_key=key`` (the action deletes that
        draft); no save is pending after this, and reads wait for the send to be written."""
        self._timer.stop()
        self._saved = None
        key = self.key
        if key is None:
            yield None
            return
        self.store.sent(key, self)
        try:
            yield key
        finally:
            self.store.sent_done(key)

    def discard(self) -> None:
        """The person threw the draft away (deleted whatever this surface believes is kept)."""
        self._timer.stop()
        self._saved = None
        if self.key is not None:
            self.store.write(self.key, None, self)

    def replaced(self, fields: Fields | None) -> None:
        """Another surface kept (or sent) this key's draft: show it here, unless typing here waits
        to be saved (then this surface's save comes last and wins)."""
        if self._timer.isActive():
            return
        self._saved = fields
        if self._show_fields is not None:
            self._show_fields(fields)
